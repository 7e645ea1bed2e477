/*
 * lsim_sock.c - the hosts A and B, their sysctl tables, and sockets, as a scenario sees them.
 *
 * A socket is a full userdata holding only the connection's id: every use looks the
 * connection up with world_conn(), so a handle never dangles (the world keeps every
 * connection's record for the whole run: the TCB while it is needed, then a small struct
 * tcp_rec that world_conn makes a CLOSED TCB from again, tcp_rec.c). One userdata per id (a
 * weak registry table), so two handles to the same socket compare equal. A pointer from
 * world_conn is good until the next event (lsim_step retires closed TCBs): no call keeps one
 * across a step.
 *
 * Conventions (docs/lua-api.md): a call that fails returns nil, "ERRNO"; a wrong argument
 * raises "bad argument #n to 'f' (...)"; every call that acts is a step for the runner.
 *
 * Sockets also have the calls a socket programmer knows besides RFC 9293's: shutdown(how),
 * setsockopt/getsockopt (struct tcp_sockopts) and info (TCP_INFO), which live in
 * lsim_sockopt.c, and is(state) for comparing states in any spelling.
 *
 * Entry points: lsim_open_hosts (registering lsim_sockopt.c's calls too), lsim_push_sock,
 * lsim_check_sock, lsim_check_host, lsim_check_state, lsim_state_lookup, lsim_sock_result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include "lsim_internal.h"

#define LSIM_SOCKS_KEY "tcpsim.socks"

struct lsim_host_ud {
    int index;
};

struct lsim_sock_ud {
    uint32_t id;
};

/* ---- options tables ------------------------------------------------------------------------ */

/* Raise for the first (in byte order) key of options table 'idx' not in 'allowed', so a typo
   in an option name is an error, not a silent default. The message names the option meant
   when the key is a likely typo of one, else the options there are. */
void
lsim_check_opts(lua_State *L, int idx, const char *const *allowed)
{
    char bad[64] = "";
    if (lua_isnoneornil(L, idx))
        return;
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            ok = ok || strcmp(k, allowed[i]) == 0;
        if (!ok && (!bad[0] || strcmp(k, bad) < 0))
            snprintf(bad, sizeof bad, "%s", k);
    }
    if (bad[0]) {
        size_t n = 0;
        while (allowed[n])
            n++;
        const char *near = lsim_nearest(bad, allowed, n);
        if (near) {
            lua_pushfstring(L, "unknown option '%s' (did you mean '%s'?)", bad, near);
        } else {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            lua_pushfstring(L, "unknown option '%s' (the options are ", bad);
            luaL_addvalue(&b);
            for (size_t i = 0; i < n; i++) {
                luaL_addstring(&b, allowed[i]);
                luaL_addstring(&b, i + 1 < n ? ", " : ")");
            }
            luaL_pushresult(&b);
        }
        luaL_argerror(L, idx, lua_tostring(L, -1));
    }
}

/* ---- states ------------------------------------------------------------------------------ */

int
lsim_state_lookup(lua_State *L, const char *name)
{
    int s = tcp_state_parse(name);
    if (s >= 0)
        return s;
    /* "did you mean": the nearest spelling of any kind, then every state as sock.state reads */
    const char *all[4 * TCP_STATE_COUNT];
    for (int i = 0; i < TCP_STATE_COUNT; i++) {
        all[4 * i] = tcp_state_rfc((enum tcp_state)i);
        all[4 * i + 1] = tcp_state_bsd((enum tcp_state)i);
        all[4 * i + 2] = tcp_state_linux((enum tcp_state)i);
        all[4 * i + 3] = tcp_state_ss((enum tcp_state)i);
    }
    const char *near = lsim_nearest(name, all, 4 * TCP_STATE_COUNT);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "unknown state '");
    luaL_addstring(&b, name);
    luaL_addstring(&b, "'");
    if (near) {
        luaL_addstring(&b, " (did you mean ");
        luaL_addstring(&b, near);
        luaL_addstring(&b, "?)");
    }
    luaL_addstring(&b, "; the states are");
    for (int i = 0; i < TCP_STATE_COUNT; i++) {
        luaL_addstring(&b, i ? ", " : " ");
        luaL_addstring(&b, tcp_state_bsd((enum tcp_state)i));
    }
    luaL_addstring(&b, ", spelled as the RFC (TIME-WAIT), BSD (TIME_WAIT), Linux or ss do");
    luaL_pushresult(&b);
    return -1;
}

enum tcp_state
lsim_check_state(lua_State *L, int arg)
{
    const char *name = luaL_checkstring(L, arg);
    int s = lsim_state_lookup(L, name);
    if (s < 0)
        luaL_argerror(L, arg, lua_tostring(L, -1));
    return (enum tcp_state)s;
}

static lua_Integer
lsim_opt_int(lua_State *L, int idx, const char *key, lua_Integer def)
{
    if (lua_isnoneornil(L, idx))
        return def;
    lua_getfield(L, idx, key);
    lua_Integer v = def;
    if (!lua_isnil(L, -1)) {
        int isnum = 0;
        v = lua_tointegerx(L, -1, &isnum);
        if (!isnum) {
            lua_pushfstring(L, "option '%s' must be an integer", key);
            luaL_argerror(L, idx, lua_tostring(L, -1));
        }
    }
    lua_pop(L, 1);
    return v;
}

static bool
lsim_opt_bool(lua_State *L, int idx, const char *key)
{
    if (lua_isnoneornil(L, idx))
        return false;
    lua_getfield(L, idx, key);
    bool v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* ---- sockets ---------------------------------------------------------------------------------- */

void
lsim_push_sock(lua_State *L, uint32_t id)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_SOCKS_KEY);
    if (lua_rawgeti(L, -1, id) == LUA_TUSERDATA) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    struct lsim_sock_ud *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->id = id;
    luaL_setmetatable(L, LSIM_SOCK_MT);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, id);
    lua_remove(L, -2);
}

struct tcp_conn *
lsim_check_sock(lua_State *L, int arg)
{
    struct lsim_sock_ud *u = luaL_checkudata(L, arg, LSIM_SOCK_MT);
    struct tcp_conn *c = world_conn(lsim_world_check(L), u->id);
    lsim_look(lsim_get(L));
    if (!c)
        luaL_error(L, "socket #%d does not exist in this world", (int)u->id);
    return c;
}

static const char *
lsim_endpoint(const struct tcp_conn *c, bool remote, char *buf, size_t cap)
{
    if (remote && c->raddr == 0) {
        snprintf(buf, cap, "*:*");
        return buf;
    }
    return tcp_endpoint_str(remote ? c->raddr : c->host->addr, remote ? c->rport : c->lport, buf, cap);
}

static int
lsim_sock_send(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    size_t queued = 0;
    enum tcp_err e = tcp_send(c, data, len, &queued);
    if (e != TCP_OK)
        return lsim_action(L, lsim_fail(L, e));
    lua_pushinteger(L, (lua_Integer)queued);
    return lsim_action(L, 1);
}

/* How much recv/discard take: what is waiting, at most the optional 'max' (argument 2). */
static size_t
lsim_recv_len(lua_State *L, const struct tcp_conn *c)
{
    lua_Integer max = luaL_optinteger(L, 2, 0);
    luaL_argcheck(L, max >= 0, 2, "must be positive");
    size_t n = tcp_readable(c);
    if (max > 0 && (size_t)max < n)
        n = (size_t)max;
    return n;
}

static int
lsim_sock_recv(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    size_t n = lsim_recv_len(L, c);
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, n ? n : 1);
    size_t got = 0;
    enum tcp_err e = tcp_receive(c, p, n, &got);
    if (e != TCP_OK)
        return lsim_action(L, lsim_fail(L, e));
    luaL_pushresultsize(&b, got);
    return lsim_action(L, 1);
}

/* sock:discard([max]): consume up to 'max' octets (default all) without making a string of
   them (tcp_receive with no buffer, Linux's MSG_TRUNC); how many, or nil and the error. */
static int
lsim_sock_discard(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    size_t n = lsim_recv_len(L, c);
    size_t got = 0;
    enum tcp_err e = tcp_receive(c, NULL, n, &got);
    if (e != TCP_OK)
        return lsim_action(L, lsim_fail(L, e));
    lua_pushinteger(L, (lua_Integer)got);
    return lsim_action(L, 1);
}

/* close, shutdown, abort: true, or nil and the error. */
int
lsim_sock_result(lua_State *L, enum tcp_err e)
{
    if (e != TCP_OK)
        return lsim_action(L, lsim_fail(L, e));
    lua_pushboolean(L, 1);
    return lsim_action(L, 1);
}

/* close(): RFC 9293's CLOSE, or with SO_LINGER set to 0 seconds an abort, as Linux's
   tcp_close does (tcp_disconnect: a RST, ABORT_RST), "the hard close" of socket programs. */
static int
lsim_sock_close(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    if (c->opts.linger == 0 && c->state != TCP_CLOSED) {
        lsim_trace_call(lsim_world_check(L), c, TCP_OK, "close (SO_LINGER 0)");
        return lsim_sock_result(L, tcp_abort(c));
    }
    return lsim_sock_result(L, tcp_close(c));
}

/* shutdown([how]): "wr" (the default, the sending side: FIN after the data), "rd" (the
   receiving side: an empty read is the end, tcp_shutdown_read) or "rdwr"; the C names
   SHUT_WR, SHUT_RD, SHUT_RDWR work too. */
static int
lsim_sock_shutdown(lua_State *L)
{
    static const char *const hows[] = {"wr", "rd", "rdwr", "SHUT_WR", "SHUT_RD", "SHUT_RDWR", NULL};
    struct tcp_conn *c = lsim_check_sock(L, 1);
    int how = luaL_checkoption(L, 2, "wr", hows) % 3;
    enum tcp_err e = TCP_OK;
    if (how >= 1)
        e = tcp_shutdown_read(c);
    if (e == TCP_OK && how != 1)
        e = tcp_shutdown(c);
    return lsim_sock_result(L, e);
}

static int
lsim_sock_abort(lua_State *L)
{
    return lsim_sock_result(L, tcp_abort(lsim_check_sock(L, 1)));
}

static int
lsim_sock_keepalive(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    return lsim_sock_result(L, tcp_set_keepalive(c, lua_isnone(L, 2) || lua_toboolean(L, 2)));
}

static int
lsim_sock_accept(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1), *out = NULL;
    enum tcp_err e = tcp_accept(c, &out);
    if (e != TCP_OK)
        return lsim_action(L, lsim_fail(L, e));
    if (out)
        lsim_push_sock(L, out->id);
    else
        lua_pushnil(L);
    return lsim_action(L, 1);
}

/* sock:is(state): is the socket in 'state', given in any spelling (sock.state reads the BSD
   one, the trace prints the RFC's: a plain == between them would be silently false)? */
static int
lsim_sock_is(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    lua_pushboolean(L, c->state == lsim_check_state(L, 2));
    return 1;
}

static int
lsim_sock_tcb(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    lua_createtable(L, 0, 42);
    lsim_set_str(L, "state", tcp_state_bsd(c->state));
    if (c->state == TCP_LISTEN) { /* its two queues, each of backlog + 1 places */
        lsim_set_int(L, "backlog", c->backlog);
        lsim_set_int(L, "syn_queue", c->synq_len);
        lsim_set_int(L, "accept_queue", c->acceptq_len);
    }
    lsim_set_int(L, "snd_una", c->snd_una);
    lsim_set_int(L, "snd_nxt", c->snd_nxt);
    lsim_set_int(L, "snd_wnd", c->snd_wnd);
    lsim_set_int(L, "snd_up", c->snd_up);
    lsim_set_int(L, "snd_wl1", c->snd_wl1);
    lsim_set_int(L, "snd_wl2", c->snd_wl2);
    lsim_set_int(L, "iss", c->iss);
    lsim_set_int(L, "rcv_nxt", c->rcv_nxt);
    lsim_set_int(L, "rcv_wnd", c->state == TCP_CLOSED ? c->rcv_wnd : tcp_rcv_window(c));
    lsim_set_int(L, "rcv_up", c->rcv_up);
    lsim_set_int(L, "irs", c->irs);
    lsim_set_int(L, "snd_mss", c->snd_mss);
    /* the options agreed in the handshake (RFC 7323, RFC 2018): what each side offered
       until the peer's SYN arrived */
    lua_pushboolean(L, c->ws_ok);
    lua_setfield(L, -2, "ws_ok");
    lsim_set_int(L, "snd_wscale", c->snd_wscale);
    lsim_set_int(L, "rcv_wscale", c->rcv_wscale);
    lua_pushboolean(L, c->ts_ok);
    lua_setfield(L, -2, "ts_ok");
    lsim_set_int(L, "ts_recent", c->ts_recent);
    lua_pushboolean(L, c->sack_ok);
    lua_setfield(L, -2, "sack_ok");
    lsim_set_num(L, "srtt", clk_to_sec(c->srtt));
    lsim_set_num(L, "rttvar", clk_to_sec(c->rttvar));
    lsim_set_num(L, "rto", clk_to_sec(c->rto));
    lsim_set_int(L, "retransmits", (lua_Integer)c->total_retransmits);
    lsim_set_int(L, "backoff", c->retransmits);
    lsim_set_int(L, "sndq", c->sndq.len);
    lsim_set_int(L, "rcvq", c->rcvq.len);
    lsim_set_int(L, "ooo", c->ooo_bytes);
    lsim_set_int(L, "ack_owed", c->ack_owed);
    lsim_set_int(L, "quickacks", c->quickacks);
    lsim_set_num(L, "ato", clk_to_sec(c->ato));
    lua_pushboolean(L, c->interactive);
    lua_setfield(L, -2, "interactive");
    lsim_set_sack_fields(L, c);
    lua_newtable(L);
    int n = 0;
    for (int t = 0; t < TCP_TIMER_COUNT; t++) {
        clk_time left = tcp_timer_left(c, (enum tcp_timer)t);
        if (left < 0)
            continue;
        lua_createtable(L, 0, 2);
        lsim_set_str(L, "name", tcp_timer_name((enum tcp_timer)t));
        lsim_set_num(L, "left", clk_to_sec(left));
        lua_rawseti(L, -2, ++n);
    }
    lua_setfield(L, -2, "timers");
    return 1;
}

static int
lsim_sock_index(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    const char *k = luaL_checkstring(L, 2);
    char buf[32];
    if (lua_getfield(L, lua_upvalueindex(1), k) != LUA_TNIL)
        return 1; /* a method */
    if (strcmp(k, "state") == 0)
        lua_pushstring(L, tcp_state_bsd(c->state));
    else if (strcmp(k, "error") == 0 && c->error != TCP_OK)
        lua_pushstring(L, tcp_err_name(c->error));
    else if (strcmp(k, "local") == 0)
        lua_pushstring(L, lsim_endpoint(c, false, buf, sizeof buf));
    else if (strcmp(k, "remote") == 0)
        lua_pushstring(L, lsim_endpoint(c, true, buf, sizeof buf));
    else if (strcmp(k, "name") == 0)
        lua_pushstring(L, c->name);
    else if (strcmp(k, "id") == 0)
        lua_pushinteger(L, c->id);
    else if (strcmp(k, "host") == 0)
        lua_pushstring(L, c->host->name);
    else if (strcmp(k, "readable") == 0)
        lua_pushinteger(L, tcp_readable(c));
    else
        lua_pushnil(L);
    return 1;
}

static int
lsim_sock_tostring(lua_State *L)
{
    struct tcp_conn *c = lsim_check_sock(L, 1);
    char lo[32], re[32];
    lua_pushfstring(L, "socket %s %s %s -> %s", c->name, tcp_state_bsd(c->state),
                    lsim_endpoint(c, false, lo, sizeof lo), lsim_endpoint(c, true, re, sizeof re));
    return 1;
}

static int
lsim_readonly(lua_State *L)
{
    return luaL_error(L, "cannot set field '%s': this object is read-only", luaL_optstring(L, 2, "?"));
}

/* ---- sysctl ------------------------------------------------------------------------------------ */

static const struct tcp_setting_info *
lsim_check_setting(lua_State *L)
{
    const char *k = luaL_checkstring(L, 2);
    const struct tcp_setting_info *info = tcp_setting_find(k);
    if (!info)
        luaL_error(L, "unknown setting '%s'", k);
    return info;
}

static int
lsim_sysctl_index(lua_State *L)
{
    struct lsim_host_ud *u = luaL_checkudata(L, 1, LSIM_SYSCTL_MT);
    const struct tcp_setting_info *info = lsim_check_setting(L);
    double v = tcp_setting_get(&lsim_world_check(L)->host[u->index].cfg, info);
    if (info->kind == TCP_SET_TIME)
        lua_pushnumber(L, v);
    else
        lua_pushinteger(L, (lua_Integer)v);
    return 1;
}

static int
lsim_sysctl_newindex(lua_State *L)
{
    struct lsim_host_ud *u = luaL_checkudata(L, 1, LSIM_SYSCTL_MT);
    const struct tcp_setting_info *info = lsim_check_setting(L);
    struct world *w = lsim_world_check(L);
    struct tcp_settings probe = w->host[u->index].cfg;
    struct lsim_override o = {u->index, info, 0, false, {0, 0, 0}};
    if (info->kind == TCP_SET_TRIPLE && lua_type(L, 3) == LUA_TSTRING) {
        /* A.sysctl.tcp_rmem = "4096 131072 6291456", as Linux's /proc/sys file takes it */
        const char *text = lua_tostring(L, 3);
        if (tcp_setting_parse(&probe, info, text) != TCP_OK)
            return luaL_error(L, "%s = \"%s\": want \"min default max\" in order, each in [%f, %f]", info->name,
                              text, info->min, info->max);
        memcpy(o.three, (const char *)&probe + info->offset, sizeof o.three);
        o.is3 = true;
    }
    double v = o.is3 ? o.three[1] : lua_isboolean(L, 3) ? (double)lua_toboolean(L, 3) : (double)luaL_checknumber(L, 3);
    o.value = v;
    if (!o.is3 && tcp_setting_set(&probe, info, v) != TCP_OK)
        return luaL_error(L, "%s = %f: out of range [%f, %f]%s", info->name, v, info->min, info->max,
                          info->kind == TCP_SET_TIME ? " seconds" : "");
    if (lsim_is_fixed(lsim_get(L), u->index, info)) {
        /* fixed from outside (tcpsim test --set): the student's value stands */
        char text[160];
        snprintf(text, sizeof text, "%s.sysctl.%s = %g is ignored: %s is fixed to %g from outside (--set)",
                 w->host[u->index].name, info->name, v, info->name, tcp_setting_get(&w->host[u->index].cfg, info));
        world_say(w, text);
        return 0;
    }
    w->host[u->index].cfg = probe;
    lsim_override_add(lsim_get(L), &o);
    return 0;
}

/* ---- hosts -------------------------------------------------------------------------------------- */

struct tcp_host *
lsim_check_host(lua_State *L, int arg)
{
    struct world *w = lsim_world_check(L);
    struct lsim_host_ud *u = luaL_testudata(L, arg, LSIM_HOST_MT);
    if (u)
        return &w->host[u->index];
    if (lua_type(L, arg) == LUA_TSTRING) {
        struct tcp_host *h = world_host(w, lua_tostring(L, arg));
        if (h)
            return h;
        luaL_argerror(L, arg, "unknown host (A, B, 10.0.0.1 or 10.0.0.2)");
    }
    luaL_typeerror(L, arg, "host");
    return NULL;
}

int
lsim_opt_host_index(lua_State *L, int arg)
{
    if (lua_isnoneornil(L, arg))
        return -1;
    return lsim_check_host(L, arg)->index;
}

/* A scripted host (net:script) has no TCP to open sockets with. */
static void
lsim_check_not_scripted(lua_State *L, const struct tcp_host *h)
{
    if (h->scripted)
        luaL_error(L, "%s is scripted (net:script): its TCP is switched off; send its segments with net:inject",
                   h->name);
}

/* Refuse a new socket beyond the limit: C memory is not under the Lua memory cap. */
static bool
lsim_sockets_full(lua_State *L)
{
    struct lsim *l = lsim_get(L);
    return l->opts.max_sockets && lsim_world_check(L)->nconns >= l->opts.max_sockets;
}

static int
lsim_host_listen(lua_State *L)
{
    static const char *const allowed[] = {"backlog", "reuseaddr", NULL};
    struct tcp_host *h = lsim_check_host(L, 1);
    lua_Integer port = luaL_checkinteger(L, 2);
    luaL_argcheck(L, port >= 0 && port <= 65535, 2, "port out of range");
    lsim_check_opts(L, 3, allowed);
    lsim_check_not_scripted(L, h);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    lua_Integer backlog = lsim_opt_int(L, 3, "backlog", 0); /* checked before it is cut to int */
    luaL_argcheck(L, backlog >= 0 && backlog <= INT_MAX, 3, "option 'backlog' out of range");
    o.backlog = (int)backlog;
    o.reuseaddr = lsim_opt_bool(L, 3, "reuseaddr");
    if (lsim_sockets_full(L))
        return lsim_action(L, lsim_fail(L, TCP_ENOBUFS));
    struct tcp_conn *c = NULL;
    enum tcp_err e = tcp_open_passive(h, (uint16_t)port, &o, &c);
    if (e != TCP_OK)
        return lsim_action(L, lsim_fail(L, e));
    lsim_push_sock(L, c->id);
    return lsim_action(L, 1);
}

static int
lsim_host_connect(lua_State *L)
{
    static const char *const allowed[] = {"port", "isn", "reuseaddr", NULL};
    struct tcp_host *h = lsim_check_host(L, 1);
    struct tcp_host *peer = lsim_check_host(L, 2);
    lua_Integer port = luaL_checkinteger(L, 3);
    luaL_argcheck(L, port >= 0 && port <= 65535, 3, "port out of range");
    luaL_argcheck(L, peer != h, 2, "a host cannot connect to itself here");
    lsim_check_opts(L, 4, allowed);
    lsim_check_not_scripted(L, h);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    lua_Integer lport = lsim_opt_int(L, 4, "port", 0); /* checked before it is cut to int */
    luaL_argcheck(L, lport >= 0 && lport <= 65535, 4, "option 'port' out of range");
    o.lport = (int)lport;
    o.isn = lsim_opt_int(L, 4, "isn", -1);
    o.reuseaddr = lsim_opt_bool(L, 4, "reuseaddr");
    luaL_argcheck(L, o.isn >= -1 && o.isn <= 0xffffffffLL, 4, "option 'isn' out of range");
    if (lsim_sockets_full(L))
        return lsim_action(L, lsim_fail(L, TCP_ENOBUFS));
    struct tcp_conn *c = NULL;
    enum tcp_err e = tcp_open_active(h, peer->addr, (uint16_t)port, &o, &c);
    if (e != TCP_OK)
        return lsim_action(L, lsim_fail(L, e));
    lsim_push_sock(L, c->id);
    return lsim_action(L, 1);
}

static int
lsim_host_crash(lua_State *L)
{
    tcp_host_crash(lsim_check_host(L, 1));
    return lsim_action(L, 0);
}

/* host:ss(): how many of the host's connections are in each state, as `ss -s` sums them up:
   a field per state under sock.state's names (0 when none; CLOSED counts the records of
   connections that have ended), 'total' the connections that are not closed, 'files' the
   sockets the program holds open (what sysctl.nofile limits). Counted as the connections
   change state, so asking costs the same with 100,000 connections as with one. */
static int
lsim_host_ss(lua_State *L)
{
    struct tcp_host *h = lsim_check_host(L, 1);
    lua_createtable(L, 0, TCP_STATE_COUNT + 2);
    lua_Integer live = 0;
    for (int s = TCP_LISTEN; s < TCP_STATE_COUNT; s++) {
        lua_pushinteger(L, h->nstate[s]);
        lua_setfield(L, -2, tcp_state_bsd((enum tcp_state)s));
        live += h->nstate[s];
    }
    live += h->nstate[TCP_CLOSED]; /* one being opened, for an instant */
    lua_pushinteger(L, (lua_Integer)h->serial - live);
    lua_setfield(L, -2, tcp_state_bsd(TCP_CLOSED));
    lua_pushinteger(L, live);
    lua_setfield(L, -2, "total");
    lua_pushinteger(L, h->nfiles);
    lua_setfield(L, -2, "files");
    return 1;
}

/* host:sockets(): every socket the host ever had, oldest first. */
static int
lsim_host_sockets(lua_State *L)
{
    struct tcp_host *h = lsim_check_host(L, 1);
    struct world *w = lsim_world_check(L);
    const struct world_serials *s = &w->serials[h->index];
    lua_createtable(L, (int)s->n, 0);
    for (uint32_t i = 0; i < s->n; i++) { /* by serial: the host's own, not the world's */
        lsim_push_sock(L, s->id[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int
lsim_host_index(lua_State *L)
{
    struct tcp_host *h = lsim_check_host(L, 1);
    const char *k = luaL_checkstring(L, 2);
    char buf[32];
    if (lua_getfield(L, lua_upvalueindex(1), k) != LUA_TNIL)
        return 1;
    if (strcmp(k, "name") == 0) {
        lua_pushstring(L, h->name);
    } else if (strcmp(k, "addr") == 0) {
        tcp_endpoint_str(h->addr, 0, buf, sizeof buf);
        buf[strcspn(buf, ":")] = '\0';
        lua_pushstring(L, buf);
    } else if (strcmp(k, "sysctl") == 0) {
        lua_getiuservalue(L, 1, 1);
    } else {
        lua_pushnil(L);
    }
    return 1;
}

static int
lsim_host_tostring(lua_State *L)
{
    struct tcp_host *h = lsim_check_host(L, 1);
    lua_pushfstring(L, "host %s (10.0.0.%d)", h->name, (int)(h->addr & 255u));
    return 1;
}

/* sock(name): the socket called 'name' ("A1"), or nil. */
static int
lsim_sock_by_name(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    struct tcp_conn *c = world_conn_by_name(lsim_world_check(L), name);
    if (c)
        lsim_push_sock(L, c->id);
    else
        lua_pushnil(L);
    return 1;
}

/* A metatable 'name' whose __index is 'index' with the methods 'm' as its upvalue. */
static void
lsim_new_class(lua_State *L, const char *name, lua_CFunction index, const luaL_Reg *m,
               lua_CFunction tostring)
{
    luaL_newmetatable(L, name);
    lua_newtable(L);
    luaL_setfuncs(L, m, 0);
    lua_pushcclosure(L, index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lsim_readonly);
    lua_setfield(L, -2, "__newindex");
    if (tostring) {
        lua_pushcfunction(L, tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}

void
lsim_open_hosts(lua_State *L)
{
    static const luaL_Reg sock_m[] = {
        {"send", lsim_sock_send},         {"recv", lsim_sock_recv},
        {"discard", lsim_sock_discard},
        {"close", lsim_sock_close},       {"shutdown", lsim_sock_shutdown},
        {"abort", lsim_sock_abort},       {"accept", lsim_sock_accept},
        {"tcb", lsim_sock_tcb},           {"keepalive", lsim_sock_keepalive},
        {"is", lsim_sock_is},             {"info", lsim_sock_info},
        {"setsockopt", lsim_sock_setsockopt}, {"getsockopt", lsim_sock_getsockopt},
        {NULL, NULL},
    };
    static const luaL_Reg host_m[] = {
        {"listen", lsim_host_listen}, {"connect", lsim_host_connect},
        {"crash", lsim_host_crash},   {"sockets", lsim_host_sockets},
        {"ss", lsim_host_ss},
        {NULL, NULL},
    };
    lsim_new_class(L, LSIM_SOCK_MT, lsim_sock_index, sock_m, lsim_sock_tostring);
    lsim_new_class(L, LSIM_HOST_MT, lsim_host_index, host_m, lsim_host_tostring);

    luaL_newmetatable(L, LSIM_SYSCTL_MT);
    lua_pushcfunction(L, lsim_sysctl_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lsim_sysctl_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);

    /* sockets by id, weak values: one userdata per socket */
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushstring(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, LSIM_SOCKS_KEY);

    static const char *const names[WORLD_HOSTS] = {"A", "B"};
    for (int i = 0; i < WORLD_HOSTS; i++) {
        struct lsim_host_ud *h = lua_newuserdatauv(L, sizeof *h, 1);
        h->index = i;
        luaL_setmetatable(L, LSIM_HOST_MT);
        struct lsim_host_ud *s = lua_newuserdatauv(L, sizeof *s, 0);
        s->index = i;
        luaL_setmetatable(L, LSIM_SYSCTL_MT);
        lua_setiuservalue(L, -2, 1);
        lua_setglobal(L, names[i]);
    }
    lua_register(L, "sock", lsim_sock_by_name);
}
