/*
 * lsim_sim.c - `sim`, the clock as a scenario sees it, and the scenario's own vocabulary:
 * the trace table, expect / expect_state / expect_error, say, pause and scenario{}.
 * expect_segment and goals{} are registered here too; they live in lsim_expect_seg.c and
 * lsim_grade.c.
 *
 * The blocking calls (sim:run, sim:run_until, sim:wait_for, sim:step, sim:transfer, and
 * expect_segment with 'within') process world events one at a time
 * through lsim_step and, between two events, may yield the scenario's coroutine to the driver
 * (lua_yieldk: the loop's state lives on the Lua stack, so the continuation picks it up). They
 * also yield where they would take the clock past the driver's horizon (lsim_resume_to,
 * lsim_hold): the REPL's `run 0.5` stops inside a script's sim:run(60) at 0.5 exactly. So do
 * sim:wait_for, sim:transfer and expect_segment, which wait the same way.
 *
 * Every list handed to a script is an array in a fixed order (event order, id order): never a
 * table whose iteration order would depend on Lua's per-run string hashing.
 *
 * Entry points: lsim_open_sim, lsim_push_event, lsim_push_trace (also for lsim_goals_eval).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lsim_internal.h"

static const char *
lsim_hname(int i)
{
    return i == 0 ? "A" : i == 1 ? "B" : NULL;
}

/* ---- the trace table ------------------------------------------------------------------------ */

void
lsim_push_event(lua_State *L, const struct trace_event *ev)
{
    char buf[320];
    lua_createtable(L, 0, 14);
    lsim_set_num(L, "t", clk_to_sec(ev->t));
    lsim_set_int(L, "n", (lua_Integer)ev->n);
    lsim_set_str(L, "kind", trace_kind_name(ev->kind));
    switch (ev->kind) {
    case TRACE_SEND:
    case TRACE_DELIVER:
    case TRACE_DROP:
    case TRACE_DUP:
    case TRACE_DELAY:
        lsim_set_str(L, "from", lsim_hname(ev->from));
        lsim_set_str(L, "to", lsim_hname(ev->to));
        lsim_set_int(L, "sport", ev->seg.sport);
        lsim_set_int(L, "dport", ev->seg.dport);
        lsim_set_int(L, "seq", ev->seg.seq);
        lsim_set_int(L, "ack", ev->seg.ack);
        lsim_set_str(L, "flags", tcp_flags_str(ev->seg.flags, buf, sizeof buf));
        lsim_set_int(L, "len", ev->seg.len);
        lsim_set_int(L, "win", ev->seg.wnd);
        if (ev->seg.mss || ev->seg.opt.present) /* tcpdump's notation, and the numbers read */
            lsim_set_str(L, "options", tcp_opt_str(&ev->seg, buf, sizeof buf));
        if (ev->seg.opt.present & TCP_OPT_TS) {
            lsim_set_int(L, "tsval", ev->seg.opt.tsval);
            lsim_set_int(L, "tsecr", ev->seg.opt.tsecr);
        }
        if (ev->seg.opt.present & TCP_OPT_WSCALE)
            lsim_set_int(L, "wscale", ev->seg.opt.wscale);
        lsim_set_int(L, "id", (lua_Integer)ev->pkt_id);
        lsim_set_str(L, "sock", ev->conn_name);
        lsim_set_str(L, "text", ev->text);
        if (ev->kind == TRACE_DUP)
            lsim_set_int(L, "orig", (lua_Integer)ev->orig_id);
        if (ev->kind == TRACE_DELAY || ev->kind == TRACE_SEND) {
            lsim_set_num(L, "arrive", clk_to_sec(ev->arrive_at));
        }
        break;
    case TRACE_STATE:
    case TRACE_RULE:
        lsim_set_str(L, "host", lsim_hname(ev->host));
        lsim_set_str(L, "sock", ev->conn_name);
        if (ev->kind == TRACE_STATE) {
            lsim_set_str(L, "from", tcp_state_bsd(ev->from_state));
            lsim_set_str(L, "to", tcp_state_bsd(ev->to_state));
        }
        snprintf(buf, sizeof buf, "%s: %s", tcp_rule_section(ev->rule), tcp_rule_text(ev->rule));
        lsim_set_str(L, "rule", buf);
        lsim_set_str(L, "rule_id", tcp_rule_name(ev->rule));
        break;
    case TRACE_TIMER_ARM:
    case TRACE_TIMER_CANCEL:
    case TRACE_TIMER_FIRE:
        lsim_set_str(L, "host", lsim_hname(ev->host));
        lsim_set_str(L, "sock", ev->conn_name);
        lsim_set_str(L, "timer", tcp_timer_name(ev->timer));
        if (ev->kind == TRACE_TIMER_ARM) {
            lsim_set_num(L, "at", clk_to_sec(ev->when));
        }
        break;
    case TRACE_CALL:
        lsim_set_str(L, "host", lsim_hname(ev->host));
        lsim_set_str(L, "sock", ev->conn_name);
        lsim_set_str(L, "text", ev->text);
        lsim_set_str(L, "result", tcp_err_name(ev->err));
        break;
    case TRACE_SAY:
        lsim_set_str(L, "text", ev->text);
        break;
    case TRACE_KIND_COUNT:
        break;
    }
}

/* What making one event's table costs in C, in instructions: 0.85 us at -O2 (measured on
   traces of 24,000 events), less the memory, charged apart (LSIM_BYTES_PER_INSTRUCTION).
   Charged, so that a loop copying a long trace again and again reaches the limit. */
#define LSIM_EVENT_COST 300

/* Push the array of the log's events from index 'from' (0-based) that pass the filter. */
void
lsim_push_trace(lua_State *L, const struct trace_log *log, size_t from, const char *kind, bool timers)
{
    lsim_charge(L, LSIM_EVENT_COST * (uint64_t)(log->len - (from < log->len ? from : log->len)));
    lua_createtable(L, (int)(log->len - (from < log->len ? from : log->len)), 0);
    int n = 0;
    for (size_t i = from; i < log->len; i++) {
        const struct trace_event ev_ = trace_log_get(log, i), *ev = &ev_;
        const char *k = trace_kind_name(ev->kind);
        if (kind ? strcmp(k, kind) != 0
                 : !timers && (ev->kind == TRACE_TIMER_ARM || ev->kind == TRACE_TIMER_CANCEL))
            continue;
        lsim_push_event(L, ev);
        lua_rawseti(L, -2, ++n);
    }
}

/* sim:trace([filter]): filter is a kind ("state") or {kind=, from=n, timers=true}; 'from' is
   an event number (the field n), so sim:trace{from = last.n + 1} gives what happened since.
   The array's fields 'first' and 'last' say which events the log still held (its window,
   'window', may have dropped older ones): 0 and 0 before the first event. */
static int
lsim_sim_trace(lua_State *L)
{
    static const char *const allowed[] = {"kind", "from", "timers", NULL};
    struct lsim *l = lsim_get(L);
    const char *kind = NULL;
    bool timers = false;
    lua_Integer from = 1;
    if (lua_type(L, 2) == LUA_TSTRING) {
        kind = lua_tostring(L, 2);
    } else if (!lua_isnoneornil(L, 2)) {
        lsim_check_opts(L, 2, allowed);
        lua_getfield(L, 2, "kind");
        kind = lua_tostring(L, -1); /* stays on the stack while used */
        lua_getfield(L, 2, "timers");
        timers = lua_toboolean(L, -1);
        lua_getfield(L, 2, "from");
        from = luaL_optinteger(L, -1, 1);
        luaL_argcheck(L, from >= 1, 2, "field 'from' counts events from 1");
    }
    size_t start = 0; /* the first event numbered 'from' or later */
    while (start < l->log->len && trace_log_n(l->log, start) < (uint64_t)from)
        start++;
    lsim_push_trace(L, l->log, start, kind, timers);
    const struct trace_log *log = l->log;
    lsim_set_int(L, "first", log->len ? (lua_Integer)trace_log_n(log, 0) : 0);
    lsim_set_int(L, "last", log->len ? (lua_Integer)trace_log_n(log, log->len - 1) : 0);
    lsim_set_int(L, "window", (lua_Integer)log->window);
    return 1;
}

/* ---- the clock ---------------------------------------------------------------------------- */

static clk_time
lsim_check_seconds(lua_State *L, int arg)
{
    lua_Number s = luaL_checknumber(L, arg);
    luaL_argcheck(L, s >= 0 && s <= 1e9, arg, "seconds out of range");
    return clk_from_sec(s);
}

/* The latest instant the world may reach, or CLK_NEVER. */
clk_time
lsim_time_cap(const struct lsim *l)
{
    return l->time_cap;
}


/* A run_until (or wait_for) whose condition never held: said in the trace at that moment, so
   a reader sees why the scenario went on (or, for wait_for, where it failed). Stack as in
   lsim_sim_run_until_k. */
static int
lsim_wait_timeout(lua_State *L, struct world *w, bool fail)
{
    char where[1024], text[1280];
    const char *fn = fail ? "sim:wait_for" : "sim:run_until";
    double limit = lua_isnoneornil(L, 3) ? 600 : lua_tonumber(L, 3);
    lsim_caller(L, where, sizeof where);
    snprintf(text, sizeof text, "%s (%s) timed out: the condition did not hold within %g s", fn, where, limit);
    world_say(w, text);
    if (fail) {
        snprintf(text, sizeof text, "%s: the condition did not hold within %g s (now %g s)", fn, limit,
                 clk_to_sec(world_now(w)));
        return lsim_fail_here(L, text);
    }
    lua_pushboolean(L, 0);
    return 1;
}

/* sim:run(seconds), continued: stack 1 self, 2 seconds, 3 target. */
static int
lsim_sim_run_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    struct lsim *l = lsim_get(L);
    struct world *w = lsim_world_check(L);
    clk_time target = (clk_time)lua_tointeger(L, 3);
    enum lsim_adv a;
    while ((a = lsim_advance(L, l, w, target)) == LSIM_ADV_STEPPED)
        ;
    if (a == LSIM_ADV_YIELD)
        return lua_yieldk(L, 0, 0, lsim_sim_run_k);
    world_run_until_time(w, target);
    return 0;
}

static int
lsim_sim_run(lua_State *L)
{
    struct lsim *l = lsim_get(L);
    clk_time target = world_now(lsim_world_check(L)) + lsim_check_seconds(L, 2);
    if (target > lsim_time_cap(l)) {
        char what[96];
        snprintf(what, sizeof what, "virtual time limit (%g s) reached", l->opts.max_time);
        lsim_limit_error(L, what);
    }
    lua_settop(L, 2);
    lua_pushinteger(L, target);
    return lsim_sim_run_k(L, LUA_OK, 0);
}

/* sim:run_until(fn, limit) and sim:wait_for(fn, limit), continued: stack 1 self, 2 fn,
   3 limit, 4 deadline, 5 fail (wait_for: a timeout fails the scenario). */
static int
lsim_sim_run_until_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    struct lsim *l = lsim_get(L);
    struct world *w = lsim_world_check(L);
    clk_time deadline = (clk_time)lua_tointeger(L, 4);
    for (;;) {
        lua_pushvalue(L, 2);
        lua_call(L, 0, 1);
        bool done = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (done) {
            lua_pushboolean(L, 1);
            return 1;
        }
        enum lsim_adv a = lsim_advance(L, l, w, deadline);
        if (a == LSIM_ADV_YIELD)
            return lua_yieldk(L, 0, 0, lsim_sim_run_until_k);
        if (a == LSIM_ADV_PAST) {
            world_run_until_time(w, deadline);
            return lsim_wait_timeout(L, w, lua_toboolean(L, 5));
        }
    }
}

static int
lsim_sim_wait(lua_State *L, bool fail)
{
    struct lsim *l = lsim_get(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    clk_time limit = lua_isnoneornil(L, 3) ? CLK_SEC(600) : lsim_check_seconds(L, 3);
    clk_time deadline = world_now(lsim_world_check(L)) + limit;
    if (deadline > lsim_time_cap(l))
        deadline = lsim_time_cap(l);
    lua_settop(L, 3);
    lua_pushinteger(L, deadline);
    lua_pushboolean(L, fail);
    return lsim_sim_run_until_k(L, LUA_OK, 0);
}

static int
lsim_sim_run_until(lua_State *L)
{
    return lsim_sim_wait(L, false);
}

/* sim:wait_for(fn [, limit]): sim:run_until that fails the scenario, at the caller's line,
   when the condition does not hold in time. */
static int
lsim_sim_wait_for(lua_State *L)
{
    return lsim_sim_wait(L, true);
}

/* ---- sim:transfer ---------------------------------------------------------------------------- */

/* What sim:transfer sends: zeros, from read-only memory (what the octets are does not matter
   to a transfer; their number does). One send call offers at most this much. They live as
   long as the program, so they are lent to the send queue rather than copied into it (a
   zero-copy send, Linux's MSG_ZEROCOPY): a long transfer costs the protocol's work, not a
   copy of every octet. */
static const uint8_t lsim_zeros[65536];

/* sim:transfer, continued. Stack: 1 sim, 2 the table, 3 octets sent, 4 octets received,
   5 deadline, 6 start time, 7 send calls. Like a program that writes when poll(2) says the
   socket is writable (Linux's sk_stream_is_writeable: free space of at least half what is
   queued), so a run of sends shows as a few calls, not one per kilobyte, and that reads
   everything that arrived (tcp_receive with no buffer, Linux's MSG_TRUNC) before each event. */
static int
lsim_sim_transfer_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    struct lsim *l = lsim_get(L);
    struct world *w = lsim_world_check(L);
    lua_getfield(L, 2, "from");
    struct tcp_conn *from = lsim_check_sock(L, -1);
    lua_getfield(L, 2, "to");
    struct tcp_conn *to = lsim_check_sock(L, -1);
    lua_pop(L, 2);
    lua_getfield(L, 2, "bytes");
    uint64_t want = (uint64_t)lua_tointeger(L, -1);
    lua_pop(L, 1);
    uint64_t sent = (uint64_t)lua_tointeger(L, 3), got = (uint64_t)lua_tointeger(L, 4);
    clk_time deadline = (clk_time)lua_tointeger(L, 5), start = (clk_time)lua_tointeger(L, 6);
    lua_Integer calls = lua_tointeger(L, 7);
    enum tcp_err err = TCP_OK;
    for (;;) {
        while (sent < want && tcp_writable(from) > 0 && tcp_writable(from) >= from->sndq.len / 2) {
            size_t n = want - sent < sizeof lsim_zeros ? (size_t)(want - sent) : sizeof lsim_zeros, q = 0;
            err = tcp_send_zerocopy(from, lsim_zeros, n, &q);
            calls++;
            sent += q;
            if (err != TCP_OK || q < n)
                break;
        }
        if (err == TCP_ENOBUFS)
            err = TCP_OK; /* full after all: wait for room, as poll(2) would */
        if (err != TCP_OK)
            break;
        size_t n = 0;
        err = tcp_receive_quiet(to, NULL, tcp_readable(to), &n);
        got += n;
        if (err != TCP_OK || got >= want)
            break;
        enum lsim_adv a = lsim_advance(L, l, w, deadline);
        if (a == LSIM_ADV_PAST) {
            world_run_until_time(w, deadline);
            err = TCP_ETIMEDOUT;
            break;
        }
        if (a == LSIM_ADV_YIELD) {
            lua_pushinteger(L, (lua_Integer)sent);
            lua_replace(L, 3);
            lua_pushinteger(L, (lua_Integer)got);
            lua_replace(L, 4);
            lua_pushinteger(L, calls);
            lua_replace(L, 7);
            return lua_yieldk(L, 0, 0, lsim_sim_transfer_k);
        }
    }
    char text[192];
    double secs = clk_to_sec(world_now(w) - start);
    if (err != TCP_OK) {
        snprintf(text, sizeof text, "transfer from %s: %llu of %llu bytes arrived in %g s, then %s", from->name,
                 (unsigned long long)got, (unsigned long long)want, secs, tcp_err_name(err));
        lsim_trace_call(w, to, err, text);
        return lsim_fail(L, err);
    }
    snprintf(text, sizeof text, "transfer from %s: %llu bytes arrived in %g s (%lld send calls)", from->name,
             (unsigned long long)got, secs, (long long)calls);
    lsim_trace_call(w, to, TCP_OK, text);
    lua_pushinteger(L, (lua_Integer)got);
    lua_pushnumber(L, secs);
    return 2;
}

/* sim:transfer{from = sock, to = sock, bytes = n [, within = seconds]}: send n octets on
   'from' and read them on 'to' until all have arrived; returns n and the seconds it took, or
   nil and the error (a socket's, or ETIMEDOUT when 'within', default 600 s, ran out). */
static int
lsim_sim_transfer(lua_State *L)
{
    static const char *const allowed[] = {"from", "to", "bytes", "within", NULL};
    struct lsim *l = lsim_get(L);
    struct world *w = lsim_world_check(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lsim_check_opts(L, 2, allowed);
    lua_settop(L, 2);
    lua_getfield(L, 2, "from");
    luaL_argcheck(L, luaL_testudata(L, 3, LSIM_SOCK_MT), 1, "field 'from' must be a socket");
    struct tcp_conn *from = lsim_check_sock(L, 3);
    lua_getfield(L, 2, "to");
    luaL_argcheck(L, luaL_testudata(L, 4, LSIM_SOCK_MT), 1, "field 'to' must be a socket");
    struct tcp_conn *to = lsim_check_sock(L, 4);
    luaL_argcheck(L, from != to, 1, "'from' and 'to' are the same socket");
    lua_getfield(L, 2, "bytes");
    int isnum = 0;
    lua_Integer bytes = lua_tointegerx(L, 5, &isnum);
    luaL_argcheck(L, isnum && bytes >= 1 && bytes <= ((lua_Integer)1 << 40), 1,
                  "field 'bytes' must be an integer in [1, 2^40]");
    clk_time within = CLK_SEC(600);
    if (lua_getfield(L, 2, "within") != LUA_TNIL) {
        lua_Number v = lua_tonumberx(L, -1, &isnum);
        luaL_argcheck(L, isnum && v >= 0 && v <= 1e6, 1, "field 'within' must be seconds in [0, 1e6]");
        within = clk_from_sec(v);
    }
    clk_time deadline = world_now(w) + within;
    if (deadline > lsim_time_cap(l))
        deadline = lsim_time_cap(l);
    char text[96];
    snprintf(text, sizeof text, "transfer %lld bytes to %s", (long long)bytes, to->name);
    lsim_trace_call(w, from, TCP_OK, text);
    lua_settop(L, 2);
    lua_pushinteger(L, 0);
    lua_pushinteger(L, 0);
    lua_pushinteger(L, deadline);
    lua_pushinteger(L, world_now(w));
    lua_pushinteger(L, 0);
    return lsim_sim_transfer_k(L, LUA_OK, 0);
}

/* sim:step(): one event; returns its first trace event with all of them in 'events', or nil
   when nothing is scheduled. */
static int lsim_sim_step(lua_State *L);

/* sim:step() held at the driver's horizon, continued: the same step, now or at a later hold. */
static int
lsim_sim_step_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    return lsim_sim_step(L);
}

static int
lsim_sim_step(lua_State *L)
{
    struct lsim *l = lsim_get(L);
    uint64_t end = trace_log_end(l->log);
    clk_time next = world_next_time(lsim_world_check(L));
    if (lsim_hold(L, l, next))
        return lua_yieldk(L, 0, 0, lsim_sim_step_k);
    if (!lsim_step(L, l, next)) {
        lua_pushnil(L);
        return 1;
    }
    size_t before = trace_log_index(l->log, end);
    if (l->log->len > before) {
        const struct trace_event ev = trace_log_get(l->log, before);
        lsim_push_event(L, &ev);
        lsim_push_trace(L, l->log, before, NULL, true);
        lua_setfield(L, -2, "events");
    } else {
        lua_createtable(L, 0, 2);
        lsim_set_num(L, "t", clk_to_sec(world_now(l->w)));
        lua_newtable(L);
        lua_setfield(L, -2, "events");
    }
    return lsim_maybe_yield(L, 1);
}

/* sim:config{seed=, preset=, trace_window=}: seed and preset before the first socket.
   Settings the script wrote through sysctl are kept across a preset change. trace_window
   (events the log keeps, 0 all) at any time. */
static int
lsim_sim_config(lua_State *L)
{
    static const char *const allowed[] = {"seed", "preset", "trace_window", NULL};
    struct lsim *l = lsim_get(L);
    struct world *w = lsim_world_check(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lsim_check_opts(L, 2, allowed);
    lua_getfield(L, 2, "trace_window");
    if (!lua_isnil(L, -1)) {
        int isnum = 0;
        lua_Integer n = lua_tointegerx(L, -1, &isnum);
        luaL_argcheck(L, isnum && n >= 0 && n <= LSIM_TRACE_WINDOW_MAX, 2,
                      "field 'trace_window' must be a number of events from 0 (all) to 100000000");
        lsim_trace_window(l, (size_t)n);
    }
    lua_pop(L, 1);
    lua_getfield(L, 2, "seed");
    bool world_fields = !lua_isnil(L, -1);
    lua_getfield(L, 2, "preset");
    world_fields |= !lua_isnil(L, -1);
    lua_pop(L, 2);
    if (world_fields && w->nconns > 0)
        return luaL_error(L, "sim:config must come before the first socket is opened");
    lua_getfield(L, 2, "seed");
    if (!lua_isnil(L, -1)) {
        int isnum = 0;
        lua_Integer seed = lua_tointegerx(L, -1, &isnum);
        luaL_argcheck(L, isnum && seed >= 0, 2, "field 'seed' must be a non-negative integer");
        if (!l->opts.seed_fixed)
            world_set_seed(w, (uint64_t)seed);
    }
    lua_getfield(L, 2, "preset");
    if (!lua_isnil(L, -1)) {
        int p = tcp_preset_parse(lua_tostring(L, -1));
        luaL_argcheck(L, p >= 0, 2, "field 'preset' must be \"rfc\" or \"linux\"");
        if (!l->opts.preset_fixed) {
            world_set_preset(w, (enum tcp_preset)p);
            for (size_t i = 0; i < l->novr; i++)
                lsim_override_apply(&w->host[l->ovr[i].host].cfg, &l->ovr[i]);
            lsim_apply_fixed(l);
        }
    }
    return lsim_action(L, 0);
}

static int
lsim_sim_seed(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)lsim_world_check(L)->seed);
    return 1;
}

/* sim.now, sim.preset */
static int
lsim_sim_index(lua_State *L)
{
    struct world *w = lsim_world_check(L);
    const char *k = luaL_checkstring(L, 2);
    lsim_look(lsim_get(L));
    if (strcmp(k, "now") == 0)
        lua_pushnumber(L, clk_to_sec(world_now(w)));
    else if (strcmp(k, "preset") == 0)
        lua_pushstring(L, w->preset == TCP_PRESET_RFC ? "rfc" : "linux");
    else
        lua_pushnil(L);
    return 1;
}

static int
lsim_sim_newindex(lua_State *L)
{
    return luaL_error(L, "cannot set sim.%s", luaL_optstring(L, 2, "?"));
}

/* ---- failing and narrating ------------------------------------------------------------------ */

/* Raise "file:line: <formatted>" at the script line that called us. */
int
lsim_fail_here(lua_State *L, const char *msg)
{
    char where[1024];
    lua_pushfstring(L, "%s: %s", lsim_caller(L, where, sizeof where), msg);
    return lua_error(L);
}

/* expect(cond, msg): fail the scenario unless 'cond'; returns its arguments. */
static int
lsim_expect(lua_State *L)
{
    luaL_checkany(L, 1);
    if (lua_toboolean(L, 1))
        return lua_gettop(L);
    return lsim_fail_here(L, luaL_optstring(L, 2, "expectation failed"));
}

static int
lsim_expect_state(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    enum tcp_state s = lsim_check_state(L, 2);
    if (c->state == s) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushfstring(L, "expected %s in %s, but it is in %s", c->name, tcp_state_bsd(s),
                    tcp_state_bsd(c->state));
    return lsim_fail_here(L, lua_tostring(L, -1));
}

/* expect_error(sock, "ECONNRESET"), or expect_error(sock, nil) for no error. */
static int
lsim_expect_error(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    const char *want = luaL_optstring(L, 2, NULL);
    int e = TCP_OK;
    if (want) {
        for (e = 0; e < TCP_ERR_COUNT; e++)
            if (strcasecmp(want, tcp_err_name((enum tcp_err)e)) == 0)
                break;
        if (e == TCP_ERR_COUNT) {
            const char *names[TCP_ERR_COUNT];
            luaL_Buffer b;
            for (int i = 0; i < TCP_ERR_COUNT; i++)
                names[i] = tcp_err_name((enum tcp_err)i);
            const char *near = lsim_nearest(want, names + 1, TCP_ERR_COUNT - 1);
            luaL_buffinit(L, &b);
            lua_pushfstring(L, "unknown error name '%s'%s%s%s; the errors are", want, near ? " (did you mean " : "",
                            near ? near : "", near ? "?)" : "");
            luaL_addvalue(&b);
            for (int i = 1; i < TCP_ERR_COUNT; i++) {
                luaL_addstring(&b, i > 1 ? ", " : " ");
                luaL_addstring(&b, names[i]);
            }
            luaL_pushresult(&b);
            return luaL_argerror(L, 2, lua_tostring(L, -1));
        }
    }
    if (c->error == (enum tcp_err)e) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushfstring(L, "expected %s's error to be %s, but it is %s", c->name,
                    want ? tcp_err_name((enum tcp_err)e) : "none",
                    c->error == TCP_OK ? "none" : tcp_err_name(c->error));
    return lsim_fail_here(L, lua_tostring(L, -1));
}

static int
lsim_say(lua_State *L)
{
    world_say(lsim_world_check(L), luaL_checkstring(L, 1));
    return lsim_action(L, 0);
}

/* pause(text): stop a REPL session here; a batch run passes through. */
static int
lsim_pause(lua_State *L)
{
    struct lsim *l = lsim_get(L);
    const char *text = luaL_optstring(L, 1, "");
    free(l->pause_text);
    l->pause_text = malloc(strlen(text) + 1);
    if (l->pause_text)
        strcpy(l->pause_text, text);
    if (L == l->co && lua_isyieldable(L)) {
        l->why = LSIM_Y_PAUSE;
        return lua_yield(L, 0);
    }
    return 0;
}

/* Field 'k' of the table at 'idx', left on the stack: its text, or NULL when it is nil;
   raises for any other type. */
static const char *
lsim_str_field(lua_State *L, int idx, const char *k)
{
    int t = lua_getfield(L, idx, k);
    if (t != LUA_TSTRING && t != LUA_TNIL) {
        lua_pushfstring(L, "field '%s' must be a string", k);
        luaL_argerror(L, idx, lua_tostring(L, -1));
    }
    return t == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
}

static char *
lsim_copy(const char *s)
{
    char *p = s ? malloc(strlen(s) + 1) : NULL;
    if (p)
        strcpy(p, s);
    return p;
}

/* scenario{title=, summary=}: both fields are read (and may raise) before either is copied,
   so an error leaves nothing allocated. */
static int
lsim_scenario(lua_State *L)
{
    static const char *const allowed[] = {"title", "summary", NULL};
    struct lsim *l = lsim_get(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    lsim_check_opts(L, 1, allowed);
    const char *title = lsim_str_field(L, 1, "title"), *summary = lsim_str_field(L, 1, "summary");
    free(l->title);
    free(l->summary);
    l->title = lsim_copy(title);
    l->summary = lsim_copy(summary);
    return 0;
}

void
lsim_open_sim(lua_State *L)
{
    static const luaL_Reg m[] = {
        {"config", lsim_sim_config}, {"run", lsim_sim_run},     {"run_until", lsim_sim_run_until},
        {"step", lsim_sim_step},     {"trace", lsim_sim_trace}, {"seed", lsim_sim_seed},
        {"wait_for", lsim_sim_wait_for}, {"transfer", lsim_sim_transfer},
        {NULL, NULL},
    };
    static const luaL_Reg globals[] = {
        {"expect", lsim_expect}, {"expect_state", lsim_expect_state}, {"expect_error", lsim_expect_error},
        {"say", lsim_say},       {"pause", lsim_pause},               {"scenario", lsim_scenario},
        {"goals", lsim_goals_fn}, {"expect_segment", lsim_expect_segment}, {NULL, NULL},
    };
    luaL_newlib(L, m);
    luaL_newmetatable(L, LSIM_SIM_MT);
    lua_pushcfunction(L, lsim_sim_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lsim_sim_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_setglobal(L, "sim");
    lua_pushglobaltable(L);
    luaL_setfuncs(L, globals, 0);
    lua_pop(L, 1);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LSIM_GOALS_KEY);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LSIM_GOAL_LINES_KEY);
}
