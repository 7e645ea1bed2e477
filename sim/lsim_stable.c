/*
 * lsim_stable.c - what makes a script's run repeatable. tcpsim promises that the same script
 * and seed give a byte-identical trace (docs/reliability.md), and stock Lua breaks that
 * promise however carefully the engine orders its own work:
 *
 *   addresses   tostring names a table, function, thread or userdata by its address
 *               ("table: 0x55c5f5d2a650", luaL_tolstring's "%p"), and ASLR moves the heap on
 *               every run. print, eval's results (lsim_join) and string.format's "%s" all go
 *               through it; "%p" prints the bare address.
 *
 * Here such a value, when it has no __tostring of its own, is named by number instead:
 * "table: #3" (or "<__name>: #3"), counted from 1 in the order the run first names an object.
 * A weak-keyed table in the registry (LSIM_NAMES_KEY) maps object -> number, so naming keeps
 * nothing alive; the count is in struct lsim. string.format refuses "%p".
 *
 * Entry points: lsim_open_stable (from lsim_open_sandbox), lsim_tostring.
 */
#include <string.h>

#include <lualib.h>

#include "lsim_internal.h"

#define LSIM_NAMES_KEY "tcpsim.names"

/* Would luaL_tolstring print this type with an address (when there is no __tostring)? */
static bool
lsim_has_address(int type)
{
    return type == LUA_TTABLE || type == LUA_TFUNCTION || type == LUA_TUSERDATA || type == LUA_TTHREAD
           || type == LUA_TLIGHTUSERDATA;
}

/* The number of the object at 'idx', given one if it has none yet. */
static lua_Integer
lsim_name(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_NAMES_KEY);
    lua_pushvalue(L, idx);
    lua_Integer n = lua_rawget(L, -2) == LUA_TNUMBER ? lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
    if (n == 0) {
        struct lsim *l = lsim_get(L);
        n = l->named + 1;
        lua_pushvalue(L, idx);
        lua_pushinteger(L, n);
        lua_rawset(L, -3); /* may raise (memory): the count moves only once it is stored */
        l->named = n;
    }
    lua_pop(L, 1);
    return n;
}

const char *
lsim_tostring(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (!lsim_has_address(lua_type(L, idx)))
        return luaL_tolstring(L, idx, NULL);
    if (luaL_getmetafield(L, idx, "__tostring") != LUA_TNIL) {
        lua_pop(L, 1);
        return luaL_tolstring(L, idx, NULL);
    }
    lua_Integer n = lsim_name(L, idx);
    int tt = luaL_getmetafield(L, idx, "__name"); /* as luaL_tolstring: a string __name wins */
    const char *kind = tt == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, idx);
    lua_pushfstring(L, "%s: #%I", kind, (LUAI_UACINT)n);
    if (tt != LUA_TNIL)
        lua_remove(L, -2);
    return lua_tostring(L, -1);
}

/* tostring(v) */
static int
lsim_tostring_global(lua_State *L)
{
    luaL_checkany(L, 1);
    lsim_tostring(L, 1);
    return 1;
}

/*
 * string.format(fmt, ...), upvalue 1 = Lua's: first the format is read as Lua 5.4 reads it
 * (lstrlib.c str_format: '%', then flags, width and precision from "-+ #0123456789.", then
 * the conversion; "%%" takes no argument), so that each conversion is matched with its
 * argument. "%p" is refused; "%s" of a value that is neither a string nor a number is given its
 * stable name. Anything odd (a trailing '%', an unknown conversion, too few arguments) stops
 * the reading and is left to Lua's format to report.
 */
static int
lsim_string_format(lua_State *L)
{
    size_t len = 0;
    const char *p = luaL_checklstring(L, 1, &len), *end = p + len;
    int top = lua_gettop(L), arg = 1;
    while ((p = memchr(p, '%', (size_t)(end - p))) != NULL) {
        if (++p == end)
            break;
        if (*p == '%') {
            p++;
            continue;
        }
        while (p < end && *p != '\0' && strchr("-+ #0123456789.", *p))
            p++;
        if (p == end || *p == '\0' || !strchr("cdiouxXaAfFeEgGqsp", *p) || ++arg > top)
            break;
        if (*p == 'p')
            return luaL_argerror(L, 1, "%p would print an address, which differs from run to run");
        if (*p == 's' && lua_type(L, arg) != LUA_TSTRING && lua_type(L, arg) != LUA_TNUMBER) {
            lsim_tostring(L, arg);
            lua_replace(L, arg);
        }
        p++;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, top, 1);
    return 1;
}

void
lsim_open_stable(lua_State *L)
{
    lua_newtable(L); /* object -> number, weak keys: a name keeps nothing alive */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, LSIM_NAMES_KEY);

    lua_register(L, "tostring", lsim_tostring_global);

    /* Lua's format stays reachable under its own name in the registry's table of loaded
       modules, which no script can reach: luaL_argerror finds it there, so its messages still
       say "bad argument #2 to 'string.format'" and not "to '?'" (it is called from C). */
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_getfield(L, -1, "format");
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, LUA_STRLIBNAME ".format");
    lua_pop(L, 1);
    lua_pushcclosure(L, lsim_string_format, 1);
    lua_setfield(L, -2, "format");
    lua_pop(L, 1);
}
