/*
 * lsim_sim.c - `sim`, the clock as a scenario sees it, and the scenario's own vocabulary:
 * the trace table, expect / expect_state / expect_error, say, pause, scenario{} and goals{}.
 *
 * The blocking calls (sim:run, sim:run_until, sim:step) process world events one at a time
 * through lsim_step and, between two events, may yield the scenario's coroutine to the driver
 * (lua_yieldk: the loop's state lives on the Lua stack, so the continuation picks it up).
 *
 * Every list handed to a script is an array in a fixed order (event order, id order): never a
 * table whose iteration order would depend on Lua's per-run string hashing.
 *
 * Entry points: lsim_open_sim, lsim_push_event, lsim_goals_eval.
 */
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

/* sim:run(seconds), continued: stack 1 self, 2 seconds, 3 target. */
static int
lsim_sim_run_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    struct lsim *l = lsim_get(L);
    struct world *w = lsim_world_check(L);
    clk_time target = (clk_time)lua_tointeger(L, 3);
    while (world_next_time(w) <= target) {
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

/* sim:run_until(fn, limit), continued: stack 1 self, 2 fn, 3 limit, 4 deadline. */
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
        if (world_next_time(w) > deadline) {
            world_run_until_time(w, deadline);
            lua_pushboolean(L, 0);
            return 1;
        }
        lsim_step(L, l);
        if (lsim_yield_due(L, l))
            return lua_yieldk(L, 0, 0, lsim_sim_run_until_k);
    }
}

static int
lsim_sim_run_until(lua_State *L)
{
    struct lsim *l = lsim_get(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    clk_time limit = lua_isnoneornil(L, 3) ? CLK_SEC(600) : lsim_check_seconds(L, 3);
    clk_time deadline = world_now(lsim_world_check(L)) + limit;
    if (deadline > lsim_time_cap(l))
        deadline = lsim_time_cap(l);
    lua_settop(L, 3);
    lua_pushinteger(L, deadline);
    return lsim_sim_run_until_k(L, LUA_OK, 0);
}

/* sim:step(): one event; returns its first trace event with all of them in 'events', or nil
   when nothing is scheduled. */
static int
lsim_sim_step(lua_State *L)
{
    struct lsim *l = lsim_get(L);
    size_t before = l->log->len;
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
    luaL_where(L, 1);
    lua_pushstring(L, msg);
    lua_concat(L, 2);
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
    const char *name = luaL_checkstring(L, 2);
    int s = tcp_state_parse(name);
    if (s < 0)
        return luaL_argerror(L, 2, lua_pushfstring(L, "unknown state '%s'", name));
    if (c->state == (enum tcp_state)s) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushfstring(L, "expected %s in %s, but it is in %s", c->name, tcp_state_bsd((enum tcp_state)s),
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
        if (e == TCP_ERR_COUNT)
            return luaL_argerror(L, 2, lua_pushfstring(L, "unknown error name '%s'", want));
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

/* ---- goals ----------------------------------------------------------------------------------- */

/* goals{ {name=, check=|state=|edge=|rule=, host=}, ... }: append to the recorded goals. */
static int
lsim_goals_fn(lua_State *L)
{
    static const char *const allowed[] = {"name", "check", "state", "edge", "rule", "host", NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_GOALS_KEY);
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = 1; lua_rawgeti(L, 1, i) != LUA_TNIL; i++) {
        int g = lua_gettop(L);
        if (!lua_istable(L, g))
            return luaL_argerror(L, 1, lua_pushfstring(L, "goal %d is not a table", (int)i));
        lsim_check_opts(L, g, allowed);
        int kinds = 0;
        kinds += lua_getfield(L, g, "check") == LUA_TFUNCTION;
        kinds += lua_getfield(L, g, "state") == LUA_TSTRING;
        kinds += lua_getfield(L, g, "edge") == LUA_TTABLE;
        kinds += lua_getfield(L, g, "rule") == LUA_TSTRING;
        lua_settop(L, g);
        if (kinds != 1)
            return luaL_argerror(L, 1, lua_pushfstring(L, "goal %d needs exactly one of check, state, edge, rule", (int)i));
        lua_rawseti(L, g - 1, ++n);
    }
    return 0;
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

/* Evaluate goal table at index 'g'; *detail gets a malloc'd reason when not reached. */
static bool
lsim_goal_check(lua_State *L, struct lsim *l, int g, int trace, char **detail)
{
    int host = -1;
    bool ok = false;
    *detail = NULL;
    if (lua_getfield(L, g, "host") == LUA_TSTRING) {
        struct tcp_host *h = world_host(l->w, lua_tostring(L, -1));
        host = h ? h->index : 2;
    }
    if (lua_getfield(L, g, "check") == LUA_TFUNCTION) {
        lua_pushvalue(L, trace);
        if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
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
        {NULL, NULL},
    };
    static const luaL_Reg globals[] = {
        {"expect", lsim_expect}, {"expect_state", lsim_expect_state}, {"expect_error", lsim_expect_error},
        {"say", lsim_say},       {"pause", lsim_pause},               {"scenario", lsim_scenario},
        {"goals", lsim_goals_fn}, {NULL, NULL},
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
}
