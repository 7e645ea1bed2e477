/*
 * lsim_sockopt.c - a socket's options as a scenario sets and reads them: sock:setsockopt and
 * sock:getsockopt (SO_* and TCP_* by their C names, into struct tcp_sockopts), and sock:info,
 * the fields of Linux's TCP_INFO that tcpsim knows.
 *
 * Units are the API's (seconds), not Linux's (milliseconds for TCP_USER_TIMEOUT, microseconds
 * in TCP_INFO); an unknown option or a value out of range raises (docs/lua-api.md).
 *
 * Entry points: lsim_sock_setsockopt, lsim_sock_getsockopt, lsim_sock_info (registered as
 * socket methods by lsim_open_hosts, lsim_sock.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsim_internal.h"

/* ---- socket options -------------------------------------------------------------------------- */

enum lsim_opt_kind { LSIM_OPT_BOOL, LSIM_OPT_SECONDS, LSIM_OPT_INT, LSIM_OPT_LINGER };

/* The options of setsockopt/getsockopt, by their C names, with the range a value may take. */
static const struct lsim_sockopt {
    const char *name;
    enum lsim_opt_kind kind;
    double lo, hi;
} lsim_sockopts[] = {
    {"SO_KEEPALIVE", LSIM_OPT_BOOL, 0, 1},
    {"SO_LINGER", LSIM_OPT_LINGER, 0, 32767},
    {"SO_REUSEADDR", LSIM_OPT_BOOL, 0, 1},
    {"SO_RCVBUF", LSIM_OPT_INT, 1, 1 << 30},    /* as tcp_rmem: set before connect() or listen(), it also sets the window scale */
    {"SO_SNDBUF", LSIM_OPT_INT, 1, 1 << 26},    /* as snd_buf */
    {"TCP_KEEPIDLE", LSIM_OPT_SECONDS, 0.001, 32767}, /* Linux's MAX_TCP_KEEPIDLE */
    {"TCP_KEEPINTVL", LSIM_OPT_SECONDS, 0.001, 32767},
    {"TCP_KEEPCNT", LSIM_OPT_INT, 1, 127},      /* MAX_TCP_KEEPCNT */
    {"TCP_USER_TIMEOUT", LSIM_OPT_SECONDS, 0, 1e6},
    {"TCP_NODELAY", LSIM_OPT_BOOL, 0, 1},
    {"TCP_QUICKACK", LSIM_OPT_BOOL, 0, 1},
};
#define LSIM_NSOCKOPTS (sizeof lsim_sockopts / sizeof lsim_sockopts[0])

/* The option named by argument 'arg', or raise naming the right one. */
static const struct lsim_sockopt *
lsim_check_sockopt(lua_State *L, int arg)
{
    const char *name = luaL_checkstring(L, arg);
    const char *names[LSIM_NSOCKOPTS];
    for (size_t i = 0; i < LSIM_NSOCKOPTS; i++) {
        if (strcmp(name, lsim_sockopts[i].name) == 0)
            return &lsim_sockopts[i];
        names[i] = lsim_sockopts[i].name;
    }
    const char *near = lsim_nearest(name, names, LSIM_NSOCKOPTS);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "unknown socket option '%s'%s%s%s; the options are", name, near ? " (did you mean " : "",
                    near ? near : "", near ? "?)" : "");
    luaL_addvalue(&b);
    for (size_t i = 0; i < LSIM_NSOCKOPTS; i++) {
        luaL_addstring(&b, i ? ", " : " ");
        luaL_addstring(&b, names[i]);
    }
    luaL_pushresult(&b);
    luaL_argerror(L, arg, lua_tostring(L, -1));
    return NULL;
}

/* The value argument 'arg' for option 'o': true/false (or 1/0) for a flag, seconds, an
   integer; for SO_LINGER seconds, or false (or nil) for off (-1). Raises when out of range. */
static double
lsim_check_optval(lua_State *L, int arg, const struct lsim_sockopt *o)
{
    if (o->kind == LSIM_OPT_BOOL && lua_isboolean(L, arg))
        return lua_toboolean(L, arg);
    if (o->kind == LSIM_OPT_LINGER && (lua_isnoneornil(L, arg) || (lua_isboolean(L, arg) && !lua_toboolean(L, arg))))
        return -1;
    int isnum = 0;
    double v = (double)lua_tonumberx(L, arg, &isnum);
    if (isnum && o->kind != LSIM_OPT_SECONDS && v != (double)(lua_Integer)v)
        isnum = 0;
    if (!isnum || !(v >= o->lo && v <= o->hi)) {
        const char *what = o->kind == LSIM_OPT_BOOL     ? "true or false"
                           : o->kind == LSIM_OPT_LINGER ? "seconds (an integer), or false for off"
                           : o->kind == LSIM_OPT_INT    ? "an integer"
                                                        : "seconds";
        luaL_argerror(L, arg, lua_pushfstring(L, "%s takes %s in [%f, %f]", o->name, what, o->lo, o->hi));
    }
    return v;
}

/* sock:setsockopt(NAME, value): one socket's option, as setsockopt(2) sets it (docs/lua-api.md:
   the units are the API's, seconds, not Linux's milliseconds for TCP_USER_TIMEOUT). true, or
   nil and the error. */
int
lsim_sock_setsockopt(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    const struct lsim_sockopt *o = lsim_check_sockopt(L, 2);
    double v = lsim_check_optval(L, 3, o);
    enum tcp_err e = TCP_OK;
    bool rearm = false; /* the keep-alive timer runs on the old times */
    const char *n = o->name;
    if (strcmp(n, "SO_KEEPALIVE") == 0)
        e = tcp_set_keepalive(c, v != 0);
    else if (strcmp(n, "SO_LINGER") == 0)
        c->opts.linger = (int)v;
    else if (strcmp(n, "SO_REUSEADDR") == 0)
        c->reuseaddr = v != 0;
    else if (strcmp(n, "SO_RCVBUF") == 0 || strcmp(n, "SO_SNDBUF") == 0)
        e = tcp_set_bufsize(c, n[3] == 'R', (uint32_t)v);
    else if (strcmp(n, "TCP_KEEPIDLE") == 0)
        c->opts.keepidle = clk_from_sec(v), rearm = true;
    else if (strcmp(n, "TCP_KEEPINTVL") == 0)
        c->opts.keepintvl = clk_from_sec(v);
    else if (strcmp(n, "TCP_KEEPCNT") == 0)
        c->opts.keepcnt = (int)v;
    else if (strcmp(n, "TCP_USER_TIMEOUT") == 0)
        c->opts.user_timeout = clk_from_sec(v);
    else if (strcmp(n, "TCP_NODELAY") == 0)
        c->opts.nodelay = v != 0;
    else if (strcmp(n, "TCP_QUICKACK") == 0)
        c->opts.quickack = v != 0;
    if (rearm && c->keepalive && c->state != TCP_CLOSED)
        (void)tcp_set_keepalive(c, true); /* as Linux re-arms it (tcp_sock_set_keepidle_locked) */
    char text[96];
    if (o->kind == LSIM_OPT_LINGER && v < 0)
        snprintf(text, sizeof text, "setsockopt %s off", n);
    else if (o->kind == LSIM_OPT_BOOL)
        snprintf(text, sizeof text, "setsockopt %s %s", n, v != 0 ? "on" : "off");
    else
        snprintf(text, sizeof text, "setsockopt %s %g", n, v);
    lsim_trace_call(lsim_world_check(L), c, e, text);
    return lsim_sock_result(L, e);
}

/* sock:getsockopt(NAME): the value in effect for this socket, the host's setting where the
   socket has none of its own; SO_LINGER: seconds, or false when off. */
int
lsim_sock_getsockopt(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    const struct lsim_sockopt *o = lsim_check_sockopt(L, 2);
    const struct tcp_settings *s = &c->host->cfg;
    const char *n = o->name;
    if (strcmp(n, "SO_KEEPALIVE") == 0)
        lua_pushboolean(L, c->keepalive);
    else if (strcmp(n, "SO_LINGER") == 0 && c->opts.linger < 0)
        lua_pushboolean(L, 0);
    else if (strcmp(n, "SO_LINGER") == 0)
        lua_pushinteger(L, c->opts.linger);
    else if (strcmp(n, "SO_REUSEADDR") == 0)
        lua_pushboolean(L, c->reuseaddr);
    else if (strcmp(n, "SO_RCVBUF") == 0)
        lua_pushinteger(L, c->opts.rcvbuf ? c->opts.rcvbuf : c->rcvq.cap ? (int)c->rcvq.cap : s->rmem[1]);
    else if (strcmp(n, "SO_SNDBUF") == 0)
        lua_pushinteger(L, c->opts.sndbuf ? c->opts.sndbuf : c->sndq.cap ? (int)c->sndq.cap : s->wmem[1]);
    else if (strcmp(n, "TCP_KEEPIDLE") == 0)
        lua_pushnumber(L, clk_to_sec(c->opts.keepidle > 0 ? c->opts.keepidle : s->keepalive_time));
    else if (strcmp(n, "TCP_KEEPINTVL") == 0)
        lua_pushnumber(L, clk_to_sec(c->opts.keepintvl > 0 ? c->opts.keepintvl : s->keepalive_intvl));
    else if (strcmp(n, "TCP_KEEPCNT") == 0)
        lua_pushinteger(L, c->opts.keepcnt > 0 ? c->opts.keepcnt : s->keepalive_probes);
    else if (strcmp(n, "TCP_USER_TIMEOUT") == 0)
        lua_pushnumber(L, clk_to_sec(c->opts.user_timeout >= 0 ? c->opts.user_timeout : s->user_timeout));
    else if (strcmp(n, "TCP_NODELAY") == 0)
        lua_pushboolean(L, c->opts.nodelay);
    else
        lua_pushboolean(L, c->opts.quickack);
    return 1;
}

/* Segments of 'c' sent and not yet wholly acknowledged, and how many of those were sent more
   than once, counted from the trace (tcpsim keeps no per-segment scoreboard): what Linux's
   TCP_INFO calls unacked (packets_out) and retrans (retrans_out). */
static void
lsim_count_unacked(const struct trace_log *log, const struct tcp_conn *c, lua_Integer *unacked,
                   lua_Integer *retrans)
{
    uint32_t high = c->iss, *again = NULL;
    size_t nagain = 0, cap = 0;
    *unacked = *retrans = 0;
    for (size_t i = 0; i < log->len; i++) {
        const struct trace_event ev_ = trace_log_get(log, i), *ev = &ev_;
        if (ev->kind != TRACE_SEND || ev->conn != c->id || (ev->marks & WIRE_MARK_INJECTED))
            continue;
        uint32_t end = ev->seg.seq + tcp_seg_len(&ev->seg);
        if (end == ev->seg.seq || (ev->seg.flags & TCP_RST))
            continue; /* occupies no sequence space */
        bool first = seq_gt(end, high); /* it reaches past all sent before: not a resend */
        if (first)
            high = end;
        if (!seq_gt(end, c->snd_una))
            continue; /* wholly acknowledged by now */
        if (first) {
            (*unacked)++;
            continue;
        }
        bool seen = false; /* a segment sent a third time counts once */
        for (size_t k = 0; k < nagain && !seen; k++)
            seen = again[k] == ev->seg.seq;
        if (seen)
            continue;
        if (nagain == cap) {
            uint32_t *n = realloc(again, (cap = cap ? 2 * cap : 16) * sizeof *n);
            if (!n)
                break;
            again = n;
        }
        again[nagain++] = ev->seg.seq;
    }
    *retrans = (lua_Integer)nagain;
    free(again);
}

/* The peer's SACKed data in segments, as Linux's tcpi_sacked counts them. */
static lua_Integer
lsim_sacked_segs(const struct tcp_conn *c)
{
    lua_Integer n = 0;
    uint32_t mss = c->snd_mss ? c->snd_mss : 1;
    for (int i = 0; i < c->nboard; i++)
        n += (c->board[i].right - c->board[i].left + mss - 1) / mss;
    return n;
}

/* sock:info(): the fields of Linux's TCP_INFO that tcpsim knows, under their Linux names
   (tcpi_ left off), times in seconds (Linux: microseconds). */
int
lsim_sock_info(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    lua_Integer unacked, retrans;
    lsim_count_unacked(lsim_get(L)->log, c, &unacked, &retrans);
    uint32_t flight = c->snd_nxt - c->snd_una;
    if (c->snd_una == c->iss && flight > 0)
        flight--; /* the SYN */
    if (c->fin_sent && flight > 0)
        flight--; /* the FIN */
    lua_createtable(L, 0, 28);
    lsim_set_str(L, "state", tcp_state_bsd(c->state));
    lsim_set_int(L, "retransmits", c->retransmits);
    lsim_set_int(L, "probes", c->probes);
    lsim_set_int(L, "backoff", c->retransmits);
    lsim_set_num(L, "rto", clk_to_sec(c->rto));
    lsim_set_num(L, "rtt", clk_to_sec(c->srtt));
    lsim_set_num(L, "rttvar", clk_to_sec(c->rttvar));
    lsim_set_int(L, "snd_mss", c->snd_mss);
    lsim_set_int(L, "rcv_mss", c->snd_mss);
    /* Linux's tcpi_snd_wscale, tcpi_rcv_wscale, and tcpi_options' TS, SACK and WSCALE bits */
    lsim_set_int(L, "snd_wscale", c->snd_wscale);
    lsim_set_int(L, "rcv_wscale", c->rcv_wscale);
    lsim_set_int(L, "ts_recent", c->ts_recent);
    lua_createtable(L, 3, 0);
    int k = 0;
    if (c->ts_ok) {
        lua_pushstring(L, "timestamps");
        lua_rawseti(L, -2, ++k);
    }
    if (c->sack_ok) {
        lua_pushstring(L, "sack");
        lua_rawseti(L, -2, ++k);
    }
    if (c->ws_ok) {
        lua_pushstring(L, "wscale");
        lua_rawseti(L, -2, ++k);
    }
    lua_setfield(L, -2, "options");
    lsim_set_int(L, "unacked", unacked);
    lsim_set_int(L, "retrans", retrans);
    lsim_set_int(L, "total_retrans", (lua_Integer)c->total_retransmits);
    lsim_set_int(L, "snd_wnd", c->snd_wnd);
    lsim_set_int(L, "rcv_wnd", c->state == TCP_CLOSED ? c->rcv_wnd : tcp_rcv_window(c));
    lsim_set_int(L, "rcv_space", c->rcvq.cap);
    lsim_set_int(L, "notsent_bytes", c->sndq.len > flight ? c->sndq.len - flight : 0);
    lsim_set_int(L, "bytes_sent", (lua_Integer)c->bytes_sent);
    lsim_set_int(L, "bytes_acked", (lua_Integer)c->bytes_acked);
    lsim_set_int(L, "bytes_received", (lua_Integer)c->bytes_received);
    lsim_set_int(L, "segs_out", (lua_Integer)c->segs_sent);
    lsim_set_int(L, "segs_in", (lua_Integer)c->segs_received);
    /* SACK: the peer's SACKed data in segments (tcpi_sacked), and its D-SACKs (tcpi_dsack_dups) */
    lsim_set_int(L, "sacked", lsim_sacked_segs(c));
    lsim_set_int(L, "dsack_dups", c->dsacks_rcvd);
    return 1;
}

/* An array of { left = , right = } blocks at the top of the stack's table, under 'key'. */
static void
lsim_set_blocks(lua_State *L, const char *key, const struct tcp_sack_block *b, int n)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_createtable(L, 0, 2);
        lsim_set_int(L, "left", b[i].left);
        lsim_set_int(L, "right", b[i].right);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, key);
}

void
lsim_set_sack_fields(lua_State *L, const struct tcp_conn *c)
{
    /* the blocks our ACKs report, most recent first (RFC 2018 4) */
    lsim_set_blocks(L, "sack_blocks", c->rcv_sack, c->rcv_nsack);
    /* the sender's scoreboard (RFC 6675 3): the peer's SACKed ranges above SND.UNA, in order */
    lsim_set_blocks(L, "scoreboard", c->board, c->nboard);
    uint32_t bytes = 0;
    for (int i = 0; i < c->nboard; i++)
        bytes += c->board[i].right - c->board[i].left;
    lsim_set_int(L, "sacked_bytes", bytes);
    lua_pushboolean(L, c->in_recovery);
    lua_setfield(L, -2, "in_recovery");
    lsim_set_int(L, "recover", c->recover);
    lsim_set_int(L, "high_rxt", c->high_rxt);
    lsim_set_int(L, "dsacks", c->dsacks_rcvd);
}
