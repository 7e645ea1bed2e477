/*
 * lsim_sandbox.c - what a scenario's Lua may use. Scripts may come from students, so a script
 * gets only the base, string, table, math, utf8 and coroutine libraries, and of those not the
 * parts that reach outside the run or defeat the limits:
 *   removed   load, loadfile, dofile, warn, string.dump (and io, os, debug, package are never
 *             opened);
 *   replaced  require loads only a helper module from the scenario's own folder (a file there);
 *             math.random / math.randomseed draw on the world's seeded PRNG (rng.h), so a
 *             run is the same for the same seed; print narrates (a "say" event) instead of
 *             writing to stdout; collectgarbage keeps only its harmless options;
 *             coroutine.create / coroutine.wrap put the instruction hook on every new thread
 *             (Lua hooks are per thread, so without this a coroutine escapes the limit);
 *             tostring, print and string.format's "%s" name a table, function, thread or
 *             userdata by number ("table: #3"), not by its address, which differs from run to
 *             run, and string.format refuses "%p"; pairs and next visit keys in a fixed order,
 *             not in the order of Lua's per-run string hash; table.sort is a stable merge
 *             sort, not Lua's quicksort with pivots drawn from the clock (lsim_stable.c).
 *
 * Entry point: lsim_open_sandbox.
 */
#include <stdio.h>
#include <string.h>

#include <lualib.h>

#include "lsim_internal.h"

/* math.random([m [, n]]), Lua 5.4's contract, from the world's generator. */
static int
lsim_math_random(lua_State *L)
{
    struct world *w = lsim_world_check(L);
    lua_Integer lo, hi;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, (lua_Number)rng_unit(&w->rng));
        return 1;
    case 1:
        lo = 1;
        hi = luaL_checkinteger(L, 1);
        if (hi == 0) { /* the whole integer range */
            lua_pushinteger(L, (lua_Integer)rng_u64(&w->rng));
            return 1;
        }
        break;
    case 2:
        lo = luaL_checkinteger(L, 1);
        hi = luaL_checkinteger(L, 2);
        break;
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
    uint64_t span = (uint64_t)hi - (uint64_t)lo, mask = span, r;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    do /* rejection sampling: no modulo bias */
        r = rng_u64(&w->rng) & mask;
    while (r > span);
    lua_pushinteger(L, (lua_Integer)((uint64_t)lo + r));
    return 1;
}

/* math.randomseed(n): re-seed the world's generator; without n it does nothing (a run stays
   reproducible). */
static int
lsim_math_randomseed(lua_State *L)
{
    struct world *w = lsim_world_check(L);
    if (!lua_isnoneornil(L, 1))
        world_set_seed(w, (uint64_t)luaL_checkinteger(L, 1));
    return 0;
}

/* print(...): the values, tab-separated, as narration in the trace. */
static int
lsim_print(lua_State *L)
{
    struct world *w = lsim_world_check(L);
    lsim_join(L);
    world_say(w, lua_tostring(L, -1));
    return 0;
}

/* collectgarbage([opt]): only "collect", "count", "step" and "isrunning". */
static int
lsim_collectgarbage(lua_State *L)
{
    static const char *const opts[] = {"collect", "count", "step", "isrunning", NULL};
    switch (luaL_checkoption(L, 1, "collect", opts)) {
    case 0:
        lua_gc(L, LUA_GCCOLLECT);
        lua_pushinteger(L, 0);
        return 1;
    case 1:
        lua_pushnumber(L, (lua_Number)lua_gc(L, LUA_GCCOUNT) + (lua_Number)lua_gc(L, LUA_GCCOUNTB) / 1024.0);
        return 1;
    case 2:
        lua_pushboolean(L, lua_gc(L, LUA_GCSTEP, 0));
        return 1;
    default:
        lua_pushboolean(L, lua_gc(L, LUA_GCISRUNNING));
        return 1;
    }
}

/*
 * xpcall(f, h, ...): as Lua's, except that once a limit was hit the handler 'h' is not run.
 * A limit is raised from the count hook, and Lua calls a message handler before it unwinds,
 * while hooks are still off: a looping handler could never be stopped.
 */
static int
lsim_xpcall_handler(lua_State *L)
{
    struct lsim *l = lsim_get(L);
    if (l->fatal) {
        lua_pushstring(L, l->fatal);
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int
lsim_xpcall_k(lua_State *L, int status, lua_KContext extra)
{
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

static int
lsim_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, lsim_xpcall_handler, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1); /* the first result when all goes well */
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);   /* f, handler, true, f, args... */
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, lsim_xpcall_k);
    return lsim_xpcall_k(L, status, 2);
}

/* setmetatable(t, mt) refuses a __gc metamethod: Lua runs finalizers with hooks off, so a
   looping finalizer could never be stopped. */
static int
lsim_setmetatable(lua_State *L)
{
    if (lua_istable(L, 2)) {
        lua_pushliteral(L, "__gc");
        bool gc = lua_rawget(L, 2) != LUA_TNIL;
        lua_pop(L, 1);
        luaL_argcheck(L, !gc, 2, "__gc metamethods are not allowed in scenarios");
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/*
 * The pattern functions refuse a pattern whose backtracking could run for ages: Lua's matcher
 * is C code the instruction hook never sees. With k repetition items ('*', '+', '-', '?')
 * and a subject of n bytes a match may take about n^(k+1) steps; more than 10^9 is refused.
 */
static void
lsim_check_pattern(lua_State *L, size_t subject_len, const char *p, size_t plen)
{
    int k = 0;
    bool in_set = false;
    for (size_t i = 0; i < plen; i++) {
        if (p[i] == '%') {
            i++;
            continue;
        }
        if (in_set) {
            in_set = p[i] != ']';
        } else if (p[i] == '[') {
            in_set = true;
            if (i + 1 < plen && p[i + 1] == '^')
                i++;
            if (i + 1 < plen && p[i + 1] == ']') /* a leading ']' is a member */
                i++;
        } else if (strchr("*+-?", p[i])) {
            k++;
        }
    }
    double steps = 1;
    for (int j = 0; j <= k && steps <= 1e9; j++)
        steps *= (double)subject_len + 1;
    if (steps > 1e9)
        luaL_error(L, "pattern too costly: %d repetitions on a subject of %d bytes", k, (int)subject_len);
}

/* string.find/match/gmatch/gsub with the pattern checked first (upvalue 1 = the original). */
static int
lsim_string_pattern_fn(lua_State *L)
{
    size_t n = 0, plen = 0;
    luaL_checklstring(L, 1, &n);
    const char *p = luaL_checklstring(L, 2, &plen);
    bool plain = lua_toboolean(L, lua_upvalueindex(2)) && lua_toboolean(L, 4); /* find(s, p, init, plain) */
    if (!plain)
        lsim_check_pattern(L, n, p, plen);
    lsim_charge(L, n / LSIM_BYTES_PER_INSTRUCTION); /* the subject is scanned in C */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* A new thread running 'f' (at index 1), with the instruction hook set. */
static lua_State *
lsim_new_coroutine(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *T = lua_newthread(L);
    lsim_hook_thread(lsim_get(L), T);
    lua_pushvalue(L, 1);
    lua_xmove(L, T, 1);
    return T;
}

static int
lsim_co_create(lua_State *L)
{
    lsim_new_coroutine(L);
    return 1;
}

/* The function coroutine.wrap returns: resume, and raise its errors in the caller. */
static int
lsim_co_wrapped(lua_State *L)
{
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int narg = lua_gettop(L), nres = 0;
    if (lua_status(co) == LUA_OK && lua_gettop(co) == 0)
        return luaL_error(L, "cannot resume dead coroutine");
    if (!lua_checkstack(co, narg))
        return luaL_error(L, "too many arguments to resume");
    lua_xmove(L, co, narg);
    int st = lua_resume(co, L, narg, &nres);
    if (st == LUA_OK || st == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1))
            return luaL_error(L, "too many results to resume");
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1); /* the error object */
    return lua_error(L);
}

static int
lsim_co_wrap(lua_State *L)
{
    lsim_new_coroutine(L);
    lua_pushcclosure(L, lsim_co_wrapped, 1);
    return 1;
}

/* ---- require -------------------------------------------------------------------------------- */

#define LSIM_MODULES_KEY "tcpsim.modules"

/* Is 'name' a module name require accepts: words of letters, digits, '_' and '-', joined by
   dots (a dot is a folder: "lib.tcp" is lib/tcp.lua)? Nothing that climbs out of the folder
   ("..", "/", an absolute path) can be written so. */
static bool
lsim_module_name_ok(const char *name)
{
    size_t word = 0;
    for (const char *p = name; *p; p++) {
        if (*p == '.') {
            if (word == 0)
                return false;
            word = 0;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                   *p == '_' || *p == '-') {
            word++;
        } else {
            return false;
        }
    }
    return word > 0 && strlen(name) < 200;
}

/* require, after the module's chunk returned (or failed): stack 1 name, 2 modules table,
   then the chunk's result, or its error. */
static int
lsim_require_done(lua_State *L, int status, lua_KContext ctx)
{
    (void)ctx;
    if (status != LUA_OK && status != LUA_YIELD) {
        /* not loaded after all: a later require tries again instead of finding a "loop" */
        lua_pushvalue(L, 1);
        lua_pushnil(L);
        lua_rawset(L, 2);
        return lua_error(L);
    }
    if (lua_isnil(L, 3)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1); /* a module that returns nothing is loaded: true, as in Lua */
    }
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 3);
    lua_rawset(L, 2);
    return 1;
}

/*
 * require(name): an instructor's helper module from the scenario's own folder, name.lua
 * ("lib.tcp": lib/tcp.lua), run once in the scenario's sandbox (the same globals, limits and
 * stable order: nothing a module does differs from the scenario's own code) and kept: a second
 * require returns what the first one got. Text chunks only. A module that requires itself,
 * directly or not, is an error rather than a half-loaded table.
 */
static int
lsim_require(lua_State *L)
{
    struct lsim *l = lsim_get(L);
    const char *name = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    if (!lsim_module_name_ok(name))
        return luaL_argerror(L, 1, lua_pushfstring(L, "'%s' is not a module name (words of letters, digits, "
                                                      "'_' and '-', joined by dots for folders)", name));
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_MODULES_KEY);
    lua_pushvalue(L, 1);
    if (lua_rawget(L, 2) != LUA_TNIL) {
        if (lua_islightuserdata(L, -1))
            return luaL_error(L, "require '%s': a loop, the module is being loaded already", name);
        return 1;
    }
    lua_pop(L, 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, l->dir ? l->dir : ".");
    luaL_addchar(&b, '/');
    for (const char *p = name; *p; p++)
        luaL_addchar(&b, *p == '.' ? '/' : *p);
    luaL_addstring(&b, ".lua");
    luaL_pushresult(&b);
    const char *path = lua_tostring(L, -1);
    FILE *f = fopen(path, "r");
    if (!f)
        return luaL_error(L, "module '%s' not found: no file %s (require looks in the scenario's folder)", name,
                          path);
    fclose(f);
    if (luaL_loadfilex(L, path, "t") != LUA_OK)
        return lua_error(L);
    lua_remove(L, 3); /* the path */
    lua_pushvalue(L, 1);
    lua_pushlightuserdata(L, (void *)l); /* loading: a require of it now is a loop */
    lua_rawset(L, 2);
    lua_pushvalue(L, 1);
    return lsim_require_done(L, lua_pcallk(L, 1, 1, 0, 0, lsim_require_done), 0);
}

void
lsim_open_sandbox(lua_State *L)
{
    static const struct {
        const char *name;
        lua_CFunction open;
    } libs[] = {
        {LUA_GNAME, luaopen_base},         {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table},   {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},   {LUA_COLIBNAME, luaopen_coroutine},
    };
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        luaL_requiref(L, libs[i].name, libs[i].open, 1);
        lua_pop(L, 1);
    }
    static const char *const removed[] = {"load", "loadfile", "dofile", "warn"};
    for (size_t i = 0; i < sizeof removed / sizeof removed[0]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, removed[i]);
    }
    lua_register(L, "print", lsim_print);
    lua_register(L, "require", lsim_require);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LSIM_MODULES_KEY);
    lua_register(L, "collectgarbage", lsim_collectgarbage);

    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, lsim_setmetatable, 1);
    lua_setglobal(L, "setmetatable");
    lua_register(L, "xpcall", lsim_xpcall);

    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    static const char *const pattern_fns[] = {"find", "match", "gmatch", "gsub"};
    for (size_t i = 0; i < sizeof pattern_fns / sizeof pattern_fns[0]; i++) {
        lua_getfield(L, -1, pattern_fns[i]);
        lua_pushboolean(L, i == 0);
        lua_pushcclosure(L, lsim_string_pattern_fn, 2);
        lua_setfield(L, -2, pattern_fns[i]);
    }
    lua_pop(L, 1);
    lsim_open_stable(L);

    static const struct {
        const char *lib, *name;
        lua_CFunction fn;
    } replaced[] = {
        {LUA_MATHLIBNAME, "random", lsim_math_random},
        {LUA_MATHLIBNAME, "randomseed", lsim_math_randomseed},
        {LUA_COLIBNAME, "create", lsim_co_create},
        {LUA_COLIBNAME, "wrap", lsim_co_wrap},
    };
    for (size_t i = 0; i < sizeof replaced / sizeof replaced[0]; i++) {
        lua_getglobal(L, replaced[i].lib);
        lua_pushcfunction(L, replaced[i].fn);
        lua_setfield(L, -2, replaced[i].name);
        lua_pop(L, 1);
    }
}
