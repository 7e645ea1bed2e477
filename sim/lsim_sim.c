/*
 * lsim_sim.c - `sim`, the clock as a scenario sees it, and the scenario's own vocabulary:
 * the trace table, expect / expect_state / expect_error / expect_segment, say, pause,
 * scenario{} and goals{} (checked as they are recorded, graded by lsim_goals_eval).
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
 * Entry points: lsim_open_sim, lsim_push_event, lsim_goals_eval, lsim_goals_count,
 * lsim_scenario_goals.
 */
#include <math.h>
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
static void
lsim_push_trace(lua_State *L, const struct trace_log *log, size_t from, const char *kind, bool timers)
{
    lsim_charge(L, LSIM_EVENT_COST * (uint64_t)(log->len - (from < log->len ? from : log->len)));
    lua_createtable(L, (int)(log->len - (from < log->len ? from : log->len)), 0);
    int n = 0;
    for (size_t i = from; i < log->len; i++) {
        const struct trace_event *ev = &log->ev[i];
        const char *k = trace_kind_name(ev->kind);
        if (kind ? strcmp(k, kind) != 0
                 : !timers && (ev->kind == TRACE_TIMER_ARM || ev->kind == TRACE_TIMER_CANCEL))
            continue;
        lsim_push_event(L, ev);
        lua_rawseti(L, -2, ++n);
    }
}

/* sim:trace([filter]): filter is a kind ("state") or {kind=, from=n, timers=true}; 'from' is
   an event number (the field n), so sim:trace{from = last.n + 1} gives what happened since. */
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
    while (start < l->log->len && l->log->ev[start].n < (uint64_t)from)
        start++;
    lsim_push_trace(L, l->log, start, kind, timers);
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
static clk_time
lsim_time_cap(const struct lsim *l)
{
    return l->opts.max_time > 0 ? clk_from_sec(l->opts.max_time) : CLK_NEVER;
}

static int lsim_fail_here(lua_State *L, const char *msg);

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
    for (;;) {
        clk_time next = world_next_time(w);
        if (lsim_hold(L, l, next < target ? next : target))
            return lua_yieldk(L, 0, 0, lsim_sim_run_k);
        if (next > target)
            break;
        lsim_step(L, l);
        if (lsim_yield_due(L, l))
            return lua_yieldk(L, 0, 0, lsim_sim_run_k);
    }
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
        clk_time next = world_next_time(w);
        if (lsim_hold(L, l, next < deadline ? next : deadline))
            return lua_yieldk(L, 0, 0, lsim_sim_run_until_k);
        if (next > deadline) {
            world_run_until_time(w, deadline);
            return lsim_wait_timeout(L, w, lua_toboolean(L, 5));
        }
        lsim_step(L, l);
        if (lsim_yield_due(L, l))
            return lua_yieldk(L, 0, 0, lsim_sim_run_until_k);
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
   to a transfer; their number does). One send call offers at most this much. */
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
            err = tcp_send(from, lsim_zeros, n, &q);
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
        err = tcp_receive(to, NULL, tcp_readable(to), &n);
        got += n;
        if (err != TCP_OK || got >= want)
            break;
        clk_time next = world_next_time(w);
        bool hold = lsim_hold(L, l, next < deadline ? next : deadline);
        if (!hold && next > deadline) {
            world_run_until_time(w, deadline);
            err = TCP_ETIMEDOUT;
            break;
        }
        if (!hold)
            lsim_step(L, l);
        if (hold || lsim_yield_due(L, l)) {
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
    size_t before = l->log->len;
    if (lsim_hold(L, l, world_next_time(lsim_world_check(L))))
        return lua_yieldk(L, 0, 0, lsim_sim_step_k);
    if (!lsim_step(L, l)) {
        lua_pushnil(L);
        return 1;
    }
    if (l->log->len > before) {
        lsim_push_event(L, &l->log->ev[before]);
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

/* sim:config{seed=, preset=}: before the first socket. Settings the script wrote through
   sysctl are kept across a preset change. */
static int
lsim_sim_config(lua_State *L)
{
    static const char *const allowed[] = {"seed", "preset", NULL};
    struct lsim *l = lsim_get(L);
    struct world *w = lsim_world_check(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lsim_check_opts(L, 2, allowed);
    if (w->nconns > 0)
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
                (void)tcp_setting_set(&w->host[l->ovr[i].host].cfg, l->ovr[i].info, l->ovr[i].value);
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
static int
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

/* ---- expect_segment ------------------------------------------------------------------------ */

/* The ISN of one direction of a 4-tuple, (saddr, sport) -> (daddr, dport): the SEQ of the last
   SYN sent that way among the first 'upto' events of the log, as `--rel` and tcpdump count.
   false when none was sent. */
static bool
lsim_flow_isn(const struct trace_log *log, size_t upto, uint32_t saddr, uint16_t sport, uint32_t daddr,
              uint16_t dport, uint32_t *isn)
{
    for (size_t i = upto; i > 0; i--) {
        const struct trace_event *ev = &log->ev[i - 1];
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
    const struct tcp_seg *s = &log->ev[i].seg;
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

/* "FIN,ACK seq 1 ack 1 len 0 win 65535" for segment event 'i'. */
static const char *
lsim_seg_text(const struct trace_log *log, size_t i, bool abs, char *buf, size_t cap)
{
    const struct trace_event *ev = &log->ev[i];
    char flags[32];
    uint32_t seq, ack;
    lsim_seg_numbers(log, i, abs, &seq, &ack);
    int k = snprintf(buf, cap, "%s seq %u", tcp_flags_str(ev->seg.flags, flags, sizeof flags), (unsigned)seq);
    if ((ev->seg.flags & TCP_ACK) && k > 0 && (size_t)k < cap)
        k += snprintf(buf + k, cap - (size_t)k, " ack %u", (unsigned)ack);
    if (k > 0 && (size_t)k < cap)
        snprintf(buf + k, cap - (size_t)k, " len %u win %u", (unsigned)ev->seg.len, (unsigned)ev->seg.wnd);
    return buf;
}

/* What expect_segment's table asks for. */
struct lsim_seg_want {
    int from;
    bool abs;
    bool has_flags, has_seq, has_ack, has_len, has_win;
    uint8_t flags;
    uint32_t seq, ack, len, win;
};

/* The segment the call looks at: the first that host 'from' sent itself (not injected) after
   index 'start' of the log; the log's length when none yet. */
static size_t
lsim_seg_next(const struct trace_log *log, size_t start, int from)
{
    for (size_t i = start; i < log->len; i++) {
        const struct trace_event *ev = &log->ev[i];
        if (ev->kind == TRACE_SEND && ev->from == from && !(ev->text && strcmp(ev->text, "injected") == 0))
            return i;
    }
    return log->len;
}

/* Where the search for host 'from''s next segment starts: after its last socket call (the
   segments that call caused come after it) or after the last segment an expect_segment
   already matched for it, whichever is later. */
static size_t
lsim_seg_start(const struct lsim *l, int from)
{
    size_t start = l->seg_cursor[from] < l->log->len ? l->seg_cursor[from] : l->log->len;
    for (size_t i = l->log->len; i > start; i--) {
        const struct trace_event *ev = &l->log->ev[i - 1];
        if (ev->kind == TRACE_CALL && ev->host == from)
            return i;
    }
    return start;
}

static void
lsim_seg_want_read(lua_State *L, struct lsim_seg_want *w)
{
    static const char *const allowed[] = {"from", "flags", "seq", "ack", "len", "win", "within", "abs", NULL};
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
}

/* Does segment event 'i' match? */
static bool
lsim_seg_matches(const struct trace_log *log, size_t i, const struct lsim_seg_want *w)
{
    const struct tcp_seg *s = &log->ev[i].seg;
    uint32_t seq, ack;
    lsim_seg_numbers(log, i, w->abs, &seq, &ack);
    return (!w->has_flags || s->flags == w->flags) && (!w->has_seq || seq == w->seq) &&
           (!w->has_ack || ((s->flags & TCP_ACK) && ack == w->ack)) && (!w->has_len || s->len == w->len) &&
           (!w->has_win || s->wnd == w->win);
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
        snprintf(buf + k, cap - (size_t)k, " win %u", (unsigned)w->win);
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
    size_t start = (size_t)lua_tointeger(L, 2);
    clk_time deadline = (clk_time)lua_tointeger(L, 3);
    size_t i;
    while ((i = lsim_seg_next(l->log, start, want.from)) == l->log->len) {
        clk_time next = world_next_time(w);
        if (lsim_hold(L, l, next < deadline ? next : deadline))
            return lua_yieldk(L, 0, 0, lsim_expect_segment_k);
        if (next > deadline)
            break;
        lsim_step(L, l);
        if (lsim_yield_due(L, l))
            return lua_yieldk(L, 0, 0, lsim_expect_segment_k);
    }
    char a[96], b[128], msg[512];
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
        const struct trace_event *ev = &l->log->ev[i];
        snprintf(msg, sizeof msg, "expected %s to send %s, but it sent %s (#%llu at %g s)%s", host, a,
                 lsim_seg_text(l->log, i, want.abs, b, sizeof b), (unsigned long long)ev->pkt_id,
                 clk_to_sec(ev->t), want.abs ? "" : " (numbers relative to the ISNs)");
        return lsim_fail_here(L, msg);
    }
    l->seg_cursor[want.from] = i + 1;
    lsim_push_event(L, &l->log->ev[i]);
    return 1;
}

/* expect_segment{from=, flags=, seq=, ack=, len=, win=, within=, abs=}: the next segment host
   'from' sends, checked field by field, with SEQ and ACK relative to the ISNs (as packetdrill
   writes them) unless abs = true. Returns the segment's trace event. */
static int
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

/* ---- goals ----------------------------------------------------------------------------------- */

/* The line of the goal called 'name' in goals file 'path': the first line at or after 'from'
   (the goals{} call's) where the name is written as a string ("name" or 'name'), for errors
   that point at the goal itself; 'from' when it cannot be found. */
static int
lsim_goal_line(const char *path, int from, const char *name)
{
    char quoted[2][200], line[4096];
    if (!name || strlen(name) > 190)
        return from;
    snprintf(quoted[0], sizeof quoted[0], "\"%s\"", name);
    snprintf(quoted[1], sizeof quoted[1], "'%s'", name);
    FILE *f = fopen(path, "r");
    if (!f)
        return from;
    int found = from;
    for (int no = 1; fgets(line, sizeof line, f); no++)
        if (no >= from && (strstr(line, quoted[0]) || strstr(line, quoted[1]))) {
            found = no;
            break;
        }
    fclose(f);
    return found;
}

/* Raise "path:line: goal 'name': <why>" for the goal at 'g' (the message 'why' on the top of
   the stack). 'path' and 'line' are the goals{} call's. */
static int
lsim_goal_error(lua_State *L, int g, int index, const char *path, int line)
{
    const char *why = lua_tostring(L, -1);
    lua_getfield(L, g, "name");
    const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (name)
        lua_pushfstring(L, "%s:%d: goal '%s': %s", path, lsim_goal_line(path, line, name), name, why);
    else
        lua_pushfstring(L, "%s:%d: goal %d: %s", path, line, index, why);
    return lua_error(L);
}

/* The rule called 'name' (its identifier, any case), or -1 with the message on the stack. */
static int
lsim_rule_lookup(lua_State *L, const char *name)
{
    const char *names[TCP_RULE_COUNT];
    for (int r = 1; r < TCP_RULE_COUNT; r++) {
        names[r - 1] = tcp_rule_name((enum tcp_rule)r);
        if (strcasecmp(name, names[r - 1]) == 0)
            return r;
    }
    const char *near = lsim_nearest(name, names, TCP_RULE_COUNT - 1);
    lua_pushfstring(L, "unknown rule '%s'%s%s%s (docs/lua-api.md lists the rules)", name, near ? " (did you mean " : "",
                    near ? near : "", near ? "?)" : "");
    return -1;
}

/* A setting named by the string at 'idx', or NULL with the message on the stack. */
static const struct tcp_setting_info *
lsim_setting_lookup(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TSTRING) {
        lua_pushfstring(L, "a setting is named by a string, not a %s", luaL_typename(L, idx));
        return NULL;
    }
    const char *name = lua_tostring(L, idx);
    const struct tcp_setting_info *info = tcp_setting_find(name);
    if (info)
        return info;
    const char *names[128];
    size_t k = 0;
    for (size_t i = 0; i < tcp_setting_count && k < 128; i++)
        names[k++] = tcp_setting_table[i].name;
    const char *near = lsim_nearest(name, names, k);
    lua_pushfstring(L, "unknown setting '%s'%s%s%s (docs/settings.md lists them)", name, near ? " (did you mean " : "",
                    near ? near : "", near ? "?)" : "");
    return NULL;
}

/* Check goal table 'g' (the index-th) as it is recorded: every field known, exactly one kind,
   states, rules, hosts and settings that exist, an edge of the state diagram. NULL when it is
   sound, else the reason (on the stack). */
static const char *
lsim_goal_validate(lua_State *L, struct lsim *l, int g)
{
    static const char *const fields[] = {"name", "check", "state", "edge", "rule", "setting", "changed", "host", NULL};
    static const char *const kinds[] = {"check", "state", "edge", "rule", "setting", "changed"};
    int top = lua_gettop(L);
    /* fields, the first unknown one in byte order */
    const char *bad = NULL;
    lua_pushnil(L);
    while (lua_next(L, g)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
        bool ok = false;
        for (size_t i = 0; fields[i]; i++)
            ok = ok || strcmp(k, fields[i]) == 0;
        if (!ok && (!bad || strcmp(k, bad) < 0))
            bad = k; /* the key stays alive in the table */
    }
    if (bad) {
        const char *near = lsim_nearest(bad, fields, sizeof fields / sizeof *fields - 1);
        return lua_pushfstring(L, "unknown field '%s'%s%s%s (a goal has name, one of check, state, edge, rule, "
                                  "setting, changed, and host)",
                               bad, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
    int nkinds = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        nkinds += lua_getfield(L, g, kinds[i]) != LUA_TNIL;
        lua_pop(L, 1);
    }
    if (nkinds != 1)
        return lua_pushstring(L, "needs exactly one of check, state, edge, rule, setting, changed");
    int t = lua_getfield(L, g, "name");
    if (t != LUA_TNIL && t != LUA_TSTRING)
        return lua_pushfstring(L, "field 'name' must be a string, not a %s", luaL_typename(L, -1));
    if (lua_getfield(L, g, "host") != LUA_TNIL && !luaL_testudata(L, -1, LSIM_HOST_MT) &&
        (lua_type(L, -1) != LUA_TSTRING || !world_host(l->w, lua_tostring(L, -1))))
        return lua_pushfstring(L, "unknown host '%s' (A, B, 10.0.0.1 or 10.0.0.2)", luaL_tolstring(L, -1, NULL));
    if ((t = lua_getfield(L, g, "check")) != LUA_TNIL && t != LUA_TFUNCTION)
        return lua_pushfstring(L, "field 'check' must be a function, not a %s", luaL_typename(L, -1));
    if ((t = lua_getfield(L, g, "state")) != LUA_TNIL) {
        if (t != LUA_TSTRING)
            return lua_pushfstring(L, "field 'state' must be a state's name, not a %s", luaL_typename(L, -1));
        if (lsim_state_lookup(L, lua_tostring(L, -1)) < 0)
            return lua_tostring(L, -1);
    }
    if ((t = lua_getfield(L, g, "rule")) != LUA_TNIL) {
        if (t != LUA_TSTRING)
            return lua_pushfstring(L, "field 'rule' must be a rule's name, not a %s", luaL_typename(L, -1));
        if (lsim_rule_lookup(L, lua_tostring(L, -1)) < 0)
            return lua_tostring(L, -1);
    }
    if ((t = lua_getfield(L, g, "edge")) != LUA_TNIL) {
        int e = lua_gettop(L);
        if (t != LUA_TTABLE || lua_rawlen(L, e) != 2 || lua_rawgeti(L, e, 1) != LUA_TSTRING ||
            lua_rawgeti(L, e, 2) != LUA_TSTRING)
            return lua_pushstring(L, "field 'edge' must be two states, { \"FROM\", \"TO\" }");
        int from = lsim_state_lookup(L, lua_tostring(L, e + 1));
        if (from < 0)
            return lua_tostring(L, -1);
        int to = lsim_state_lookup(L, lua_tostring(L, e + 2));
        if (to < 0)
            return lua_tostring(L, -1);
        if (tcp_edge_find((enum tcp_state)from, (enum tcp_state)to) < 0)
            return lua_pushfstring(L, "%s -> %s is no transition of the state diagram (docs/states.md)",
                                   tcp_state_bsd((enum tcp_state)from), tcp_state_bsd((enum tcp_state)to));
    }
    if ((t = lua_getfield(L, g, "setting")) != LUA_TNIL) {
        int st = lua_gettop(L);
        if (t != LUA_TTABLE)
            return lua_pushstring(L, "field 'setting' must be a table, { tcp_syn_retries = 7 }");
        lua_pushnil(L);
        while (lua_next(L, st)) {
            const struct tcp_setting_info *info = lsim_setting_lookup(L, -2);
            if (!info)
                return lua_tostring(L, -1);
            struct tcp_settings probe = l->w->host[0].cfg;
            int isnum = 0;
            double v = lua_isboolean(L, -1) ? lua_toboolean(L, -1) : (double)lua_tonumberx(L, -1, &isnum);
            if ((!isnum && !lua_isboolean(L, -1)) || tcp_setting_set(&probe, info, v) != TCP_OK)
                return lua_pushfstring(L, "setting %s: %s is no value it can take [%f, %f]", info->name,
                                       luaL_tolstring(L, -1, NULL), info->min, info->max);
            lua_pop(L, 1);
        }
    }
    if ((t = lua_getfield(L, g, "changed")) != LUA_TNIL) {
        int ch = lua_gettop(L);
        if (t != LUA_TTABLE)
            return lua_pushstring(L, "field 'changed' must be a list of settings, { \"tcp_syn_retries\" }");
        for (lua_Integer i = 1; lua_rawgeti(L, ch, i) != LUA_TNIL; i++) {
            if (!lsim_setting_lookup(L, -1))
                return lua_tostring(L, -1);
            lua_pop(L, 1);
        }
    }
    lua_settop(L, top);
    return NULL;
}

/* goals{ {name=, check=|state=|edge=|rule=|setting=|changed=, host=}, ... }: check each goal
   as it is recorded (a mistake is an error at the goal's own line, not a goal that is
   silently never reached) and append it to the recorded goals, with where it is written. In
   a goals file they grade another run (lsim_goals); in a scenario they are the scenario's own,
   checked when it ends (lsim_scenario_goals): a goals file run as a scenario by accident
   fails, it does not pass by doing nothing. */
static int
lsim_goals_fn(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Debug ar;
    char path[1024] = "?";
    int line = 0;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar)) {
        snprintf(path, sizeof path, "%s", ar.source[0] == '@' || ar.source[0] == '=' ? ar.source + 1 : ar.short_src);
        line = ar.currentline;
    }
    struct lsim *l = lsim_get(L);
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_GOALS_KEY);
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_GOAL_LINES_KEY);
    int goals = lua_gettop(L) - 1;
    lua_Integer n = (lua_Integer)lua_rawlen(L, goals);
    for (lua_Integer i = 1; lua_rawgeti(L, 1, i) != LUA_TNIL; i++) {
        int g = lua_gettop(L);
        if (!lua_istable(L, g))
            return luaL_error(L, "goal %d is not a table", (int)i);
        if (lsim_goal_validate(L, l, g))
            return lsim_goal_error(L, g, (int)i, path, line);
        lua_settop(L, g);
        lua_getfield(L, g, "name");
        const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        lua_pushfstring(L, "%s:%d", path, name ? lsim_goal_line(path, line, name) : line);
        lua_rawseti(L, goals + 1, n + 1);
        lua_settop(L, g);
        lua_rawseti(L, goals, ++n);
    }
    return 0;
}

int
lsim_scenario_goals(struct lsim *l)
{
    struct lsim_goal *g = NULL;
    size_t n = 0;
    if (lsim_goals_count(l) == 0)
        return 0;
    if (lsim_goals_eval(l->L, l, &g, &n) != 0) {
        free(l->message);
        l->message = strdup("not enough memory to check the scenario's goals");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (g[i].reached)
            continue;
        lua_getfield(l->L, LUA_REGISTRYINDEX, LSIM_GOAL_LINES_KEY);
        lua_rawgeti(l->L, -1, (lua_Integer)i + 1);
        char msg[1400];
        snprintf(msg, sizeof msg, "%s: goal '%s' not reached%s%s", lua_tostring(l->L, -1) ? lua_tostring(l->L, -1) : "?",
                 g[i].name, g[i].detail ? " - " : "", g[i].detail ? g[i].detail : "");
        lua_pop(l->L, 2);
        free(l->message);
        l->message = strdup(msg);
        rc = -1;
    }
    lsim_goals_free(g, n);
    return rc;
}

size_t
lsim_goals_count(struct lsim *l)
{
    lua_getfield(l->L, LUA_REGISTRYINDEX, LSIM_GOALS_KEY);
    size_t n = lua_rawlen(l->L, -1);
    lua_pop(l->L, 1);
    return n;
}

/* Does the log hold a STATE (or, for a rule, a RULE) event matching? */
static bool
lsim_log_has(const struct trace_log *log, int host, int from, int to, const char *rule)
{
    for (size_t i = 0; i < log->len; i++) {
        const struct trace_event *ev = &log->ev[i];
        if (host >= 0 && ev->host != host)
            continue;
        if (rule) {
            if ((ev->kind == TRACE_STATE || ev->kind == TRACE_RULE) &&
                strcasecmp(tcp_rule_name(ev->rule), rule) == 0)
                return true;
            continue;
        }
        if (ev->kind == TRACE_STATE && (int)ev->to_state == to && (from < 0 || (int)ev->from_state == from))
            return true;
    }
    return false;
}

static int
lsim_cmp_name(const void *a, const void *b)
{
    return strcmp((*(const struct tcp_setting_info *const *)a)->name, (*(const struct tcp_setting_info *const *)b)->name);
}

/* setting = { name = value, ... }: reached when every one has that value at the end of the
   run, on 'host' or on both hosts. */
static bool
lsim_goal_settings(lua_State *L, const struct lsim *l, int st, int host, char **detail)
{
    lua_pushnil(L);
    while (lua_next(L, st)) {
        const struct tcp_setting_info *info = tcp_setting_find(lua_tostring(L, -2));
        double want = lua_isboolean(L, -1) ? lua_toboolean(L, -1) : lua_tonumber(L, -1);
        lua_pop(L, 1);
        for (int h = 0; h < WORLD_HOSTS; h++) {
            if (!info || (host >= 0 && h != host))
                continue;
            double have = tcp_setting_get(&l->w->host[h].cfg, info);
            if (info->kind == TCP_SET_BOOL ? (have != 0) != (want != 0) : fabs(have - want) > 1e-9) {
                char buf[192];
                snprintf(buf, sizeof buf, "%s is %g on %s, not %g", info->name, have, l->w->host[h].name, want);
                *detail = strdup(buf);
                lua_pop(L, 1);
                return false;
            }
        }
    }
    return true;
}

/* changed = { "name", ... }: reached when the settings fixed from outside (the student's
   --set and --settings) are exactly these. */
static bool
lsim_goal_changed(lua_State *L, const struct lsim *l, int ch, int host, char **detail)
{
    const struct tcp_setting_info *want[128], *have[128];
    size_t nw = 0, nh = 0;
    for (lua_Integer i = 1; lua_rawgeti(L, ch, i) != LUA_TNIL && nw < 128; i++) {
        const struct tcp_setting_info *info = tcp_setting_find(lua_tostring(L, -1));
        lua_pop(L, 1);
        bool dup = false;
        for (size_t k = 0; k < nw; k++)
            dup = dup || want[k] == info;
        if (info && !dup)
            want[nw++] = info;
    }
    lua_pop(L, 1);
    const struct lsim *st = l->student ? l->student : l;
    for (size_t i = 0; i < st->nfixed && nh < 128; i++) {
        bool dup = false;
        for (size_t k = 0; k < nh; k++)
            dup = dup || have[k] == st->fixed[i].info;
        if (!dup && (host < 0 || st->fixed[i].host == host))
            have[nh++] = st->fixed[i].info;
    }
    qsort(want, nw, sizeof *want, lsim_cmp_name);
    qsort(have, nh, sizeof *have, lsim_cmp_name);
    bool same = nw == nh;
    for (size_t i = 0; same && i < nw; i++)
        same = want[i] == have[i];
    if (!same) {
        char buf[512] = "the settings given from outside are ";
        size_t k = strlen(buf);
        if (nh == 0)
            snprintf(buf + k, sizeof buf - k, "none");
        for (size_t i = 0; i < nh && k < sizeof buf; i++)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? ", " : "", have[i]->name);
        *detail = strdup(buf);
    }
    return same;
}

/* Evaluate goal table at index 'g'; *detail gets a malloc'd reason when not reached. */
static bool
lsim_goal_check(lua_State *L, struct lsim *l, int g, int trace, char **detail)
{
    int host = -1;
    bool ok = false;
    *detail = NULL;
    if (lua_getfield(L, g, "host") != LUA_TNIL)
        host = lsim_check_host(L, lua_gettop(L))->index; /* checked when the goal was recorded */
    if (lua_getfield(L, g, "check") == LUA_TFUNCTION) {
        lua_pushcfunction(L, lsim_msgh);
        lua_insert(L, -2);
        lua_pushvalue(L, trace);
        if (lua_pcall(L, 1, 1, lua_gettop(L) - 2) != LUA_OK) {
            const char *m = lua_tostring(L, -1);
            *detail = strdup(m ? m : "error in the goal");
            return false;
        }
        return lua_toboolean(L, -1);
    }
    if (lua_getfield(L, g, "state") == LUA_TSTRING) {
        int s = tcp_state_parse(lua_tostring(L, -1));
        ok = s >= 0 && lsim_log_has(l->log, host, -1, s, NULL);
    } else if (lua_getfield(L, g, "edge") == LUA_TTABLE) {
        lua_rawgeti(L, -1, 1);
        lua_rawgeti(L, -2, 2);
        int from = lua_isstring(L, -2) ? tcp_state_parse(lua_tostring(L, -2)) : -1;
        int to = lua_isstring(L, -1) ? tcp_state_parse(lua_tostring(L, -1)) : -1;
        ok = from >= 0 && to >= 0 && lsim_log_has(l->log, host, from, to, NULL);
    } else if (lua_getfield(L, g, "rule") == LUA_TSTRING) {
        ok = lsim_log_has(l->log, host, -1, -1, lua_tostring(L, -1));
    } else if (lua_getfield(L, g, "setting") == LUA_TTABLE) {
        ok = lsim_goal_settings(L, l, lua_gettop(L), host, detail);
    } else if (lua_getfield(L, g, "changed") == LUA_TTABLE) {
        ok = lsim_goal_changed(L, l, lua_gettop(L), host, detail);
    }
    return ok;
}

int
lsim_goals_eval(lua_State *L, struct lsim *l, struct lsim_goal **out, size_t *n)
{
    int base = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_GOALS_KEY);
    size_t count = lua_rawlen(L, -1);
    lsim_push_trace(L, l->log, 0, NULL, false);
    int goals = base + 1, trace = base + 2;
    *out = calloc(count ? count : 1, sizeof **out);
    *n = 0;
    if (!*out) {
        lua_settop(L, base);
        return -1;
    }
    for (size_t i = 1; i <= count; i++) {
        lua_rawgeti(L, goals, (lua_Integer)i);
        int g = lua_gettop(L);
        struct lsim_goal *r = &(*out)[(*n)++];
        lua_getfield(L, g, "name");
        const char *name = lua_tostring(L, -1);
        char num[32];
        snprintf(num, sizeof num, "goal %zu", i);
        r->name = strdup(name ? name : num);
        r->reached = lsim_goal_check(L, l, g, trace, &r->detail);
        lua_settop(L, trace);
    }
    lua_settop(L, base);
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
