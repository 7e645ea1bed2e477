/*
 * lsim_expect_seg.c - expect_segment: checking the next segment a host sends against a
 * description, as packetdrill's outbound lines do (`expect_segment { from = A, flags = "SYN,ACK",
 * seq = 0, ack = 1, within = 0.004 }`).
 *
 * Each field given (flags as a set, SEQ and ACK relative to the direction's ISN as packetdrill
 * writes them, or absolute; length, window, options in tcpdump's notation) must match. The next
 * segment is the first the host sent after its last socket call or after the segment the last
 * expect_segment matched for it, whichever is later. With 'within' the call processes world
 * events until the host sends, as sim:run does (lsim_sim.c: one event at a time through
 * lsim_step, yielding to the driver between two). A failure names the scenario's line and says
 * what was sent instead, or that nothing was.
 *
 * Entry point: lsim_expect_segment (registered by lsim_open_sim).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lsim_internal.h"

/* The ISN of one direction of a 4-tuple, (saddr, sport) -> (daddr, dport): the SEQ of the last
   SYN sent that way among the first 'upto' events of the log, as `--rel` and tcpdump count.
   false when none was sent. */
static bool
lsim_flow_isn(const struct trace_log *log, size_t upto, uint32_t saddr, uint16_t sport, uint32_t daddr,
              uint16_t dport, uint32_t *isn)
{
    for (size_t i = upto; i > 0; i--) {
        const struct trace_event ev_ = trace_log_get(log, i - 1), *ev = &ev_;
        if (ev->kind == TRACE_SEND && (ev->seg.flags & TCP_SYN) && ev->seg.saddr == saddr &&
            ev->seg.sport == sport && ev->seg.daddr == daddr && ev->seg.dport == dport) {
            *isn = ev->seg.seq;
            return true;
        }
    }
    return false;
}

/* Segment event 'i' of the log with SEQ relative to its sender's ISN and ACK to its
   receiver's (each left absolute when that ISN was never seen, or when 'abs'). */
static void
lsim_seg_numbers(const struct trace_log *log, size_t i, bool abs, uint32_t *seq, uint32_t *ack)
{
    const struct trace_event s_ev = trace_log_get(log, i);
    const struct tcp_seg *s = &s_ev.seg;
    uint32_t isn = 0;
    *seq = s->seq;
    *ack = s->ack;
    if (abs)
        return;
    if (lsim_flow_isn(log, i + 1, s->saddr, s->sport, s->daddr, s->dport, &isn))
        *seq = s->seq - isn;
    if (lsim_flow_isn(log, i + 1, s->daddr, s->dport, s->saddr, s->sport, &isn))
        *ack = s->ack - isn;
}

/* "FIN,ACK seq 1 ack 1 len 0 win 65535" for segment event 'i', and its options with 'opts'. */
static const char *
lsim_seg_text(const struct trace_log *log, size_t i, bool abs, bool opts, char *buf, size_t cap)
{
    const struct trace_event ev_ = trace_log_get(log, i), *ev = &ev_;
    char flags[32];
    uint32_t seq, ack;
    lsim_seg_numbers(log, i, abs, &seq, &ack);
    int k = snprintf(buf, cap, "%s seq %u", tcp_flags_str(ev->seg.flags, flags, sizeof flags), (unsigned)seq);
    if ((ev->seg.flags & TCP_ACK) && k > 0 && (size_t)k < cap)
        k += snprintf(buf + k, cap - (size_t)k, " ack %u", (unsigned)ack);
    if (k > 0 && (size_t)k < cap)
        k += snprintf(buf + k, cap - (size_t)k, " len %u win %u", (unsigned)ev->seg.len, (unsigned)ev->seg.wnd);
    if (opts && k > 0 && (size_t)k < cap) {
        char o[192];
        snprintf(buf + k, cap - (size_t)k, " <%s>", tcp_opt_str(&ev->seg, o, sizeof o));
    }
    return buf;
}

/* What expect_segment's table asks for. */
struct lsim_seg_want {
    int from;
    bool abs;
    bool has_flags, has_seq, has_ack, has_len, has_win;
    uint8_t flags;
    uint32_t seq, ack, len, win;
    bool has_opts;             /* 'options' given, and not "<...>" (any) */
    bool tsval_any, tsecr_any; /* "TS val * ecr *": any value */
    struct tcp_seg opts;       /* the options asked for (mss and opt) */
};

/* expect_segment's 'options': tcpdump's notation, "<...>" for any options, '*' for a TS
   value that may be anything. */
static void
lsim_seg_want_opts(lua_State *L, struct lsim_seg_want *w)
{
    const char *o = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    char text[256], err[256];
    luaL_argcheck(L, o && strlen(o) < sizeof text, 1, "field 'options' must be a string like \"<mss 1460,nop,wscale 7>\"");
    if (strcmp(o, "<...>") == 0)
        return;
    snprintf(text, sizeof text, "%s", o);
    char *star;
    if ((star = strstr(text, "val *")) != NULL) {
        star[4] = '0';
        w->tsval_any = true;
    }
    if ((star = strstr(text, "ecr *")) != NULL) {
        star[4] = '0';
        w->tsecr_any = true;
    }
    if (tcp_opt_from_str(text, &w->opts, err, sizeof err) != 0)
        luaL_argerror(L, 1, lua_pushfstring(L, "field 'options': %s", err));
    w->has_opts = true;
}

/* Does segment 's' carry exactly the options 'w' asks for? */
static bool
lsim_seg_opts_match(const struct tcp_seg *s, const struct lsim_seg_want *w)
{
    const struct tcp_seg *o = &w->opts;
    unsigned mask = (unsigned)~TCP_OPT_MSS & 0xffu; /* the MSS is compared as s->mss */
    if (s->mss != o->mss || (s->opt.present & mask) != (o->opt.present & mask))
        return false;
    if ((o->opt.present & TCP_OPT_WSCALE) && s->opt.wscale != o->opt.wscale)
        return false;
    if ((o->opt.present & TCP_OPT_TS) && ((!w->tsval_any && s->opt.tsval != o->opt.tsval)
                                          || (!w->tsecr_any && s->opt.tsecr != o->opt.tsecr)))
        return false;
    if (o->opt.present & TCP_OPT_SACK) {
        if (s->opt.nsack != o->opt.nsack)
            return false;
        for (unsigned i = 0; i < o->opt.nsack; i++)
            if (s->opt.sack[i].left != o->opt.sack[i].left || s->opt.sack[i].right != o->opt.sack[i].right)
                return false;
    }
    return true;
}

/* The segment the call looks at: the first that host 'from' sent itself (not injected) after
   index 'start' of the log; the log's length when none yet. */
static size_t
lsim_seg_next(const struct trace_log *log, size_t start, int from)
{
    for (size_t i = start; i < log->len; i++) {
        const struct trace_event ev_ = trace_log_get(log, i), *ev = &ev_;
        if (ev->kind == TRACE_SEND && ev->from == from && !(ev->text && strcmp(ev->text, "injected") == 0))
            return i;
    }
    return log->len;
}

/* Where the search for host 'from''s next segment starts: after its last socket call (the
   segments that call caused come after it) or after the last segment an expect_segment
   already matched for it, whichever is later. A position (trace_log_end), not an index: the
   log's window may drop older events while the call waits. */
static uint64_t
lsim_seg_start(const struct lsim *l, int from)
{
    const struct trace_log *log = l->log;
    size_t start = trace_log_index(log, l->seg_cursor[from]);
    if (start > log->len)
        start = log->len;
    for (size_t i = log->len; i > start; i--) {
        const struct trace_event ev_ = trace_log_get(log, i - 1), *ev = &ev_;
        if (ev->kind == TRACE_CALL && ev->host == from)
            return log->dropped + i;
    }
    return log->dropped + start;
}

static void
lsim_seg_want_read(lua_State *L, struct lsim_seg_want *w)
{
    static const char *const allowed[] = {"from", "flags", "seq", "ack", "len", "win", "within", "abs", "options", NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    lsim_check_opts(L, 1, allowed);
    memset(w, 0, sizeof *w);
    lua_getfield(L, 1, "from");
    luaL_argcheck(L, !lua_isnil(L, -1), 1, "field 'from' (a host) is required");
    w->from = lsim_check_host(L, lua_gettop(L))->index;
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "flags") != LUA_TNIL) {
        const char *f = lua_tostring(L, -1);
        if (!f || tcp_flags_parse(f, &w->flags) != 0)
            luaL_argerror(L, 1, "field 'flags' must be flags like \"FIN,ACK\"");
        w->has_flags = true;
    }
    lua_pop(L, 1);
    static const char *const nums[] = {"seq", "ack", "len", "win"};
    bool *has[] = {&w->has_seq, &w->has_ack, &w->has_len, &w->has_win};
    uint32_t *val[] = {&w->seq, &w->ack, &w->len, &w->win};
    for (size_t i = 0; i < 4; i++) {
        if (lua_getfield(L, 1, nums[i]) != LUA_TNIL) {
            int isnum = 0;
            lua_Integer v = lua_tointegerx(L, -1, &isnum);
            if (!isnum || v < 0 || v > 0xffffffffLL)
                luaL_argerror(L, 1, lua_pushfstring(L, "field '%s' must be an integer in [0, 2^32)", nums[i]));
            *has[i] = true;
            *val[i] = (uint32_t)v;
        }
        lua_pop(L, 1);
    }
    lua_getfield(L, 1, "abs");
    w->abs = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "options") != LUA_TNIL)
        lsim_seg_want_opts(L, w);
    lua_pop(L, 1);
}

/* Does segment event 'i' match? */
static bool
lsim_seg_matches(const struct trace_log *log, size_t i, const struct lsim_seg_want *w)
{
    const struct trace_event s_ev = trace_log_get(log, i);
    const struct tcp_seg *s = &s_ev.seg;
    uint32_t seq, ack;
    lsim_seg_numbers(log, i, w->abs, &seq, &ack);
    return (!w->has_flags || s->flags == w->flags) && (!w->has_seq || seq == w->seq) &&
           (!w->has_ack || ((s->flags & TCP_ACK) && ack == w->ack)) && (!w->has_len || s->len == w->len) &&
           (!w->has_win || s->wnd == w->win) && (!w->has_opts || lsim_seg_opts_match(s, w));
}

/* "FIN,ACK seq 1 ack 1 len 0": what the table asks for, in the order a segment is printed. */
static const char *
lsim_seg_want_text(const struct lsim_seg_want *w, char *buf, size_t cap)
{
    char flags[32];
    int k = snprintf(buf, cap, "%s", w->has_flags ? tcp_flags_str(w->flags, flags, sizeof flags) : "a segment");
    if (w->has_seq && k > 0 && (size_t)k < cap)
        k += snprintf(buf + k, cap - (size_t)k, " seq %u", (unsigned)w->seq);
    if (w->has_ack && k > 0 && (size_t)k < cap)
        k += snprintf(buf + k, cap - (size_t)k, " ack %u", (unsigned)w->ack);
    if (w->has_len && k > 0 && (size_t)k < cap)
        k += snprintf(buf + k, cap - (size_t)k, " len %u", (unsigned)w->len);
    if (w->has_win && k > 0 && (size_t)k < cap)
        k += snprintf(buf + k, cap - (size_t)k, " win %u", (unsigned)w->win);
    if (w->has_opts && k > 0 && (size_t)k < cap) {
        char opts[192];
        snprintf(buf + k, cap - (size_t)k, " <%s>", tcp_opt_str(&w->opts, opts, sizeof opts));
    }
    return buf;
}

/* expect_segment, continued: stack 1 the table, 2 the search's start (a log index), 3 the
   deadline. Runs the world until host 'from' sends, at most until the deadline, then checks. */
static int
lsim_expect_segment_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    struct lsim *l = lsim_get(L);
    struct world *w = lsim_world_check(L);
    struct lsim_seg_want want;
    lsim_seg_want_read(L, &want);
    uint64_t pos = (uint64_t)lua_tointeger(L, 2);
    clk_time deadline = (clk_time)lua_tointeger(L, 3);
    size_t i;
    while ((i = lsim_seg_next(l->log, trace_log_index(l->log, pos), want.from)) == l->log->len) {
        enum lsim_adv a = lsim_advance(L, l, w, deadline);
        if (a == LSIM_ADV_YIELD)
            return lua_yieldk(L, 0, 0, lsim_expect_segment_k);
        if (a == LSIM_ADV_PAST)
            break;
    }
    char a[320], b[320], msg[900];
    const char *host = w->host[want.from].name;
    lsim_seg_want_text(&want, a, sizeof a);
    if (i == l->log->len) {
        if (deadline > world_now(w))
            world_run_until_time(w, deadline);
        snprintf(msg, sizeof msg, "expected %s to send %s%s, but it sent nothing (by %g s)", host, a,
                 want.abs ? "" : " (numbers relative to the ISNs)", clk_to_sec(world_now(w)));
        return lsim_fail_here(L, msg);
    }
    if (!lsim_seg_matches(l->log, i, &want)) {
        const struct trace_event ev_ = trace_log_get(l->log, i), *ev = &ev_;
        snprintf(msg, sizeof msg, "expected %s to send %s, but it sent %s (#%llu at %g s)%s", host, a,
                 lsim_seg_text(l->log, i, want.abs, want.has_opts, b, sizeof b), (unsigned long long)ev->pkt_id,
                 clk_to_sec(ev->t), want.abs ? "" : " (numbers relative to the ISNs)");
        return lsim_fail_here(L, msg);
    }
    l->seg_cursor[want.from] = l->log->dropped + i + 1;
    const struct trace_event ev = trace_log_get(l->log, i);
    lsim_push_event(L, &ev);
    return 1;
}

/* expect_segment{from=, flags=, seq=, ack=, len=, win=, within=, abs=}: the next segment host
   'from' sends, checked field by field, with SEQ and ACK relative to the ISNs (as packetdrill
   writes them) unless abs = true. Returns the segment's trace event. */
int
lsim_expect_segment(lua_State *L)
{
    struct lsim *l = lsim_get(L);
    struct world *w = lsim_world_check(L);
    struct lsim_seg_want want;
    lsim_seg_want_read(L, &want);
    clk_time within = 0;
    if (lua_getfield(L, 1, "within") != LUA_TNIL) {
        int isnum = 0;
        lua_Number v = lua_tonumberx(L, -1, &isnum);
        luaL_argcheck(L, isnum && v >= 0 && v <= 1e6, 1, "field 'within' must be seconds in [0, 1e6]");
        within = clk_from_sec(v);
    }
    clk_time deadline = world_now(w) + within;
    if (deadline > lsim_time_cap(l))
        deadline = lsim_time_cap(l);
    lua_settop(L, 1);
    lua_pushinteger(L, (lua_Integer)lsim_seg_start(l, want.from));
    lua_pushinteger(L, deadline);
    return lsim_expect_segment_k(L, LUA_OK, 0);
}

