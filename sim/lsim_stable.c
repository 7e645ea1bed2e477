/*
 * lsim_stable.c - what makes a script's run repeatable. tcpsim promises that the same script
 * and seed give a byte-identical trace (docs/reliability.md), and stock Lua breaks that
 * promise in three places however carefully the engine orders its own work:
 *
 *   addresses   tostring names a table, function, thread or userdata by its address
 *               ("table: 0x55c5f5d2a650", luaL_tolstring's "%p"), and ASLR moves the heap on
 *               every run. print, eval's results (lsim_join) and string.format's "%s" all go
 *               through it; "%p" prints the bare address.
 *   hash order  Lua 5.4 seeds its string hash per state (lstate.c luai_makeseed mixes the
 *               time and addresses; we link Debian's liblua5.4 as it is), so pairs and next
 *               visit string keys in another order on every run.
 *   sort pivots table.sort (ltablib.c) picks the pivots of a part longer than 100 elements
 *               from clock() and time() once its partitions go lopsided (l_randomizePivot):
 *               equal elements, the comparator's calls and whatever it does differ by run.
 *
 * Here such a value, when it has no __tostring of its own, is named by number instead:
 * "table: #3" (or "<__name>: #3"), counted from 1 in the order the run first names an object.
 * A weak-keyed table in the registry (LSIM_NAMES_KEY) maps object -> number, so naming keeps
 * nothing alive; the count is in struct lsim. string.format refuses "%p".
 *
 * pairs and next visit keys in one fixed order (lsim_key_cmp): numbers ascending (integers
 * and floats compared by value), then strings in byte order, then false, true, then the other
 * objects by their numbers. Objects not named yet are named in address order first: addresses
 * differ from run to run, but their relative order is the allocator's, which the same script
 * run by the same program repeats (not across allocators: ASan's, valgrind's). pairs(t) sorts t's keys once per call, O(n log n), and its iterator keeps a
 * snapshot: a key removed before its turn is skipped (as Lua's pairs would), one added is not
 * visited (Lua leaves that undefined). next(t, k) has nothing to keep between calls, so it
 * scans t for the smallest key after k: O(n) a call, O(n^2) for a whole traversal. The count
 * hook never sees work done in C, so both charge the instruction limit for it (lsim_charge) at
 * about what the same time buys in VM instructions (LSIM_NEXT_KEY_COST, LSIM_SORT_KEY_COST).
 *
 * table.sort is a stable bottom-up merge sort (lsim_table_sort): equal elements keep their
 * order, and the comparator's calls depend on the list alone. It is charged too
 * (LSIM_TSORT_ELEM_COST).
 *
 * Entry points: lsim_open_stable (from lsim_open_sandbox), lsim_tostring.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lualib.h>

#include "lsim_internal.h"

#define LSIM_NAMES_KEY "tcpsim.names"

/* What C work costs in instructions, at about 3 ns an instruction (a loop of additions, -O2):
   next looks at a key in about 40 ns; pairs sorts in about 25 ns a key per halving (n keys
   cost n * log2 n of those). Measured on tables of 10,000 string, float and table keys. */
#define LSIM_NEXT_KEY_COST 13
#define LSIM_SORT_KEY_COST 8
/* table.sort: an element in one pass (a move and at most one comparison), about 30 ns: a
   random list of 10,000 numbers sorts in 4.4 ms (16 passes with the reading and the writing:
   28 ns an element a pass; 31 ns at 100 and at 1,000,000 elements), Lua's own sort in 2.7 ms. */
#define LSIM_TSORT_ELEM_COST 10

/* Would luaL_tolstring print this type with an address (when there is no __tostring)? */
static bool
lsim_has_address(int type)
{
    return type == LUA_TTABLE || type == LUA_TFUNCTION || type == LUA_TUSERDATA || type == LUA_TTHREAD
           || type == LUA_TLIGHTUSERDATA;
}

/* The number of the object at 'idx' in the names table at 'names', 0 when it has none. */
static lua_Integer
lsim_name_find(lua_State *L, int names, int idx)
{
    lua_pushvalue(L, idx);
    lua_Integer n = lua_rawget(L, names) == LUA_TNUMBER ? lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
    return n;
}

/* Give the object at 'idx' the next number (names table at 'names'); returns it. */
static lua_Integer
lsim_name_give(lua_State *L, int names, int idx)
{
    struct lsim *l = lsim_get(L);
    lua_Integer n = l->named + 1;
    lua_pushvalue(L, idx);
    lua_pushinteger(L, n);
    lua_rawset(L, names); /* may raise (memory): the count moves only once the name is kept */
    l->named = n;
    return n;
}

/* The number of the object at 'idx', given one if it has none yet. */
static lua_Integer
lsim_name(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_NAMES_KEY);
    int names = lua_gettop(L);
    lua_Integer n = lsim_name_find(L, names, idx);
    if (n == 0)
        n = lsim_name_give(L, names, idx);
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

/* ---- key order ---------------------------------------------------------------------------- */

/* A key as the order sees it; the classes in the order they come. */
enum lsim_key_class { LSIM_K_NUMBER, LSIM_K_STRING, LSIM_K_BOOLEAN, LSIM_K_OBJECT };

struct lsim_key { /* 32 bytes: pairs holds one a key while it sorts */
    union {
        lua_Integer i;    /* an integer; a boolean (0, 1); an object's number (0: none yet) */
        lua_Number f;     /* a float */
    } v;
    union {
        const char *s;    /* a string: its bytes, valid while the key is held */
        uintptr_t addr;   /* an object: its address, which orders the ones not named yet */
    } p;
    size_t len;           /* a string's length */
    int slot;             /* pairs: where the key is held */
    unsigned char cls;    /* enum lsim_key_class */
    bool isint;
};

/* Read the key at 'idx' (names table at 'names'). Allocates nothing. */
static void
lsim_key_read(lua_State *L, int names, int idx, struct lsim_key *k)
{
    *k = (struct lsim_key){.cls = LSIM_K_OBJECT};
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
        k->cls = LSIM_K_NUMBER;
        k->isint = lua_isinteger(L, idx);
        if (k->isint)
            k->v.i = lua_tointeger(L, idx);
        else
            k->v.f = lua_tonumber(L, idx);
        break;
    case LUA_TSTRING:
        k->cls = LSIM_K_STRING;
        k->p.s = lua_tolstring(L, idx, &k->len);
        break;
    case LUA_TBOOLEAN:
        k->cls = LSIM_K_BOOLEAN;
        k->v.i = lua_toboolean(L, idx);
        break;
    default:
        k->v.i = lsim_name_find(L, names, idx);
        k->p.addr = (uintptr_t)lua_topointer(L, idx);
        break;
    }
}

/* Integer 'i' against float 'f' (never NaN: NaN is no key) by value, as Lua's LTintfloat
   does: -1, 0 or 1. */
static int
lsim_int_float_cmp(lua_Integer i, lua_Number f)
{
    if (f >= 0x1p63)
        return -1;
    if (f < -0x1p63)
        return 1;
    lua_Number fl = floor(f); /* in range now, so the conversion is exact */
    lua_Integer fi = (lua_Integer)fl;
    if (i != fi)
        return i < fi ? -1 : 1;
    return fl < f ? -1 : 0;
}

#define LSIM_CMP(x, y) (((x) > (y)) - ((x) < (y)))

/* The order pairs and next visit keys in: -1, 0 or 1. */
static int
lsim_key_cmp(const struct lsim_key *a, const struct lsim_key *b)
{
    if (a->cls != b->cls)
        return LSIM_CMP(a->cls, b->cls);
    switch ((enum lsim_key_class)a->cls) {
    case LSIM_K_NUMBER:
        if (a->isint && b->isint)
            return LSIM_CMP(a->v.i, b->v.i);
        if (!a->isint && !b->isint)
            return LSIM_CMP(a->v.f, b->v.f);
        return a->isint ? lsim_int_float_cmp(a->v.i, b->v.f) : -lsim_int_float_cmp(b->v.i, a->v.f);
    case LSIM_K_STRING: {
        int c = memcmp(a->p.s, b->p.s, a->len < b->len ? a->len : b->len);
        return c ? LSIM_CMP(c, 0) : LSIM_CMP(a->len, b->len);
    }
    case LSIM_K_BOOLEAN:
        return LSIM_CMP(a->v.i, b->v.i);
    case LSIM_K_OBJECT:
        break;
    }
    /* named objects by number; the ones without a name after them, by address (they will be
       numbered in that order, after every number given so far) */
    if ((a->v.i == 0) != (b->v.i == 0))
        return a->v.i == 0 ? 1 : -1;
    return a->v.i ? LSIM_CMP(a->v.i, b->v.i) : LSIM_CMP(a->p.addr, b->p.addr);
}

static int
lsim_key_qsort_cmp(const void *a, const void *b)
{
    return lsim_key_cmp(a, b);
}

/*
 * Push an array (a table 1..n) of the keys of the table at 't' in lsim_key_cmp's order,
 * naming the objects among them that have none yet. The keys are first copied into a table
 * that holds them (so a weak 't' losing one to a collection cannot leave a string's bytes
 * dangling), then read into a userdata array (Lua's memory, under its limit), sorted, and
 * copied out in order.
 */
void
lsim_sorted_keys(lua_State *L, int t)
{
    t = lua_absindex(L, t);
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        n++;
    }
    if ((lua_Unsigned)n > SIZE_MAX / sizeof(struct lsim_key) || n > INT_MAX)
        luaL_error(L, "table too big to traverse");
    uint64_t halvings = 1;
    while (halvings < 63 && ((uint64_t)1 << halvings) < (uint64_t)n)
        halvings++;
    lsim_charge(L, LSIM_SORT_KEY_COST * (uint64_t)n * halvings);
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_NAMES_KEY);
    int names = lua_gettop(L);
    lua_createtable(L, (int)n, 0);
    int held = lua_gettop(L);
    lua_Integer m = 0;
    lua_pushnil(L);
    while (m < n && lua_next(L, t)) { /* 't' cannot grow here: nothing runs but this loop */
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, held, ++m);
    }
    lua_settop(L, held); /* the last key, when the loop stopped at m == n */
    struct lsim_key *k = lua_newuserdatauv(L, (size_t)m * sizeof *k, 0);
    for (lua_Integer i = 0; i < m; i++) {
        lua_rawgeti(L, held, i + 1);
        lsim_key_read(L, names, -1, &k[i]);
        k[i].slot = (int)i + 1;
        lua_pop(L, 1); /* the key stays held by 'held', and so do a string's bytes */
    }
    qsort(k, (size_t)m, sizeof *k, lsim_key_qsort_cmp);
    lua_createtable(L, (int)m, 0);
    for (lua_Integer i = 0; i < m; i++) {
        lua_rawgeti(L, held, k[i].slot);
        if (k[i].cls == LSIM_K_OBJECT && k[i].v.i == 0)
            lsim_name_give(L, names, -1);
        lua_rawseti(L, -2, i + 1);
    }
    lua_replace(L, names);
    lua_settop(L, names);
}

/* ---- pairs and next -------------------------------------------------------------------------- */

/* The iterator pairs returns. Upvalues: 1 the table, 2 its keys in order (a snapshot), 3 how
   many of them were visited. Its arguments are ignored: it knows its table and its place. */
static int
lsim_pairs_iter(lua_State *L)
{
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(3));
    for (;;) {
        if (lua_rawgeti(L, lua_upvalueindex(2), ++i) == LUA_TNIL) {
            i--;
            break; /* the end: returns the nil */
        }
        lua_pushvalue(L, -1);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) {
            lua_pushinteger(L, i);
            lua_replace(L, lua_upvalueindex(3));
            return 2;
        }
        lua_pop(L, 2); /* removed since pairs was called: skipped */
    }
    lua_pushinteger(L, i);
    lua_replace(L, lua_upvalueindex(3));
    return 1;
}

static int
lsim_pairs_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)L;
    (void)status;
    (void)ctx;
    return 3;
}

/* pairs(t): __pairs as Lua 5.4 honours it (lbaselib.c luaB_pairs), else t's keys in order. */
static int
lsim_pairs(lua_State *L)
{
    luaL_checkany(L, 1);
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_callk(L, 1, 3, 0, lsim_pairs_k);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_pushvalue(L, 1);
    lsim_sorted_keys(L, 1);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, lsim_pairs_iter, 3);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* next(t [, k]): the smallest key of t after k in the order, and its value; nil at the end. */
static int
lsim_next(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    if (!lua_isnil(L, 2)) {
        /* Lua's own check ("invalid key to 'next'"), which also accepts a key removed during
           the traversal: the order needs no key to be there to find the next one */
        lua_pushvalue(L, 2);
        if (lua_next(L, 1))
            lua_pop(L, 2);
    }
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_NAMES_KEY);
    const int names = 3, held = 4;
    struct lsim_key after, best, k;
    bool have_after = !lua_isnil(L, 2), found = false, named_all = false;
    if (have_after) {
        lsim_key_read(L, names, 2, &after);
        if (after.cls == LSIM_K_OBJECT && after.v.i == 0)
            after.v.i = lsim_name_give(L, names, 2);
    }
    lua_pushnil(L); /* 'held': the best key so far */
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        n++;
        lsim_key_read(L, names, -1, &k);
        if (k.cls == LSIM_K_OBJECT && k.v.i == 0 && !named_all) {
            /* an object without a name: name them all, in the order pairs would, and start
               again (once: every key has a name now) */
            lua_settop(L, held);
            lsim_charge(L, LSIM_NEXT_KEY_COST * (uint64_t)n);
            lsim_sorted_keys(L, 1);
            lua_pop(L, 1);
            named_all = true;
            n = 0;
            lua_pushnil(L);
            continue;
        }
        if ((!found || lsim_key_cmp(&k, &best) < 0) && (!have_after || lsim_key_cmp(&k, &after) > 0)) {
            best = k;
            found = true;
            lua_copy(L, -1, held); /* holds the key, and so the string bytes 'best' points at */
        }
    }
    lsim_charge(L, LSIM_NEXT_KEY_COST * (uint64_t)n);
    if (!found) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushvalue(L, held);
    lua_pushvalue(L, held);
    lua_rawget(L, 1);
    return 2;
}

/* ---- table.sort ------------------------------------------------------------------------------ */

/* Where table.sort keeps things on the stack: the list, the comparator (or nil), the two
   tables it merges between, the heads of the two runs being merged. */
enum { LSIM_SORT_LIST = 1, LSIM_SORT_COMP, LSIM_SORT_A, LSIM_SORT_B, LSIM_SORT_LEFT, LSIM_SORT_RIGHT };

/* Is the value at 'x' less than the one at 'y'? comp(x, y), or x < y (which may call __lt).
   Either may raise; nothing of ours is in C memory, so that unwinds cleanly. */
static bool
lsim_sort_less(lua_State *L, int x, int y)
{
    if (lua_isnil(L, LSIM_SORT_COMP))
        return lua_compare(L, x, y, LUA_OPLT);
    lua_pushvalue(L, LSIM_SORT_COMP);
    lua_pushvalue(L, x);
    lua_pushvalue(L, y);
    lua_call(L, 2, 1);
    bool less = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return less;
}

/* dst[k..] = src[from..to) */
static void
lsim_sort_copy(lua_State *L, int src, int dst, lua_Integer from, lua_Integer to, lua_Integer k)
{
    while (from < to) {
        lua_rawgeti(L, src, from++);
        lua_rawseti(L, dst, k++);
    }
}

/*
 * Merge the sorted runs src[lo..mid) and src[mid..hi) into dst[lo..hi). A right element goes
 * first only when it is less than the left one, so equal elements keep their order (stable).
 * Runs already in order (the right's first not less than the left's last) are copied after
 * that one comparison: a sorted list costs n - 1 comparisons in all.
 */
static void
lsim_sort_merge(lua_State *L, int src, int dst, lua_Integer lo, lua_Integer mid, lua_Integer hi)
{
    lua_rawgeti(L, src, mid - 1);
    lua_rawgeti(L, src, mid);
    bool in_order = !lsim_sort_less(L, LSIM_SORT_RIGHT, LSIM_SORT_LEFT);
    if (in_order) {
        lua_settop(L, LSIM_SORT_B);
        lsim_sort_copy(L, src, dst, lo, hi, lo);
        return;
    }
    lua_Integer i = lo, j = mid, k = lo;
    lua_rawgeti(L, src, i);
    lua_replace(L, LSIM_SORT_LEFT);
    for (;;) { /* LEFT holds src[i], RIGHT src[j] */
        if (lsim_sort_less(L, LSIM_SORT_RIGHT, LSIM_SORT_LEFT)) {
            lua_pushvalue(L, LSIM_SORT_RIGHT);
            lua_rawseti(L, dst, k++);
            if (++j == hi)
                break;
            lua_rawgeti(L, src, j);
            lua_replace(L, LSIM_SORT_RIGHT);
        } else {
            lua_pushvalue(L, LSIM_SORT_LEFT);
            lua_rawseti(L, dst, k++);
            if (++i == mid)
                break;
            lua_rawgeti(L, src, i);
            lua_replace(L, LSIM_SORT_LEFT);
        }
    }
    lua_settop(L, LSIM_SORT_B);
    lsim_sort_copy(L, src, dst, i, mid, k); /* one of the two is empty */
    lsim_sort_copy(L, src, dst, j, hi, k + (mid - i));
}

/* Is the value at 'arg' something table.sort works on: a table, or a value whose metatable
   gives __index, __newindex and __len (Lua 5.4's ltablib.c checktab, TAB_RW | TAB_L)? */
static void
lsim_sort_check_list(lua_State *L, int arg)
{
    if (lua_type(L, arg) == LUA_TTABLE)
        return;
    static const char *const fields[] = {"__index", "__newindex", "__len"};
    bool ok = lua_getmetatable(L, arg);
    for (size_t i = 0; ok && i < sizeof fields / sizeof fields[0]; i++) {
        lua_pushstring(L, fields[i]);
        ok = lua_rawget(L, -2) != LUA_TNIL;
        lua_pop(L, 1);
    }
    if (!ok)
        luaL_checktype(L, arg, LUA_TTABLE); /* the error Lua gives */
    lua_pop(L, 1);
}

/*
 * table.sort(list [, comp]), Lua 5.4's contract (arguments, messages, lua_geti/lua_seti on the
 * list, comp or '<') with a stable bottom-up merge sort instead of Lua's quicksort, whose
 * pivots past 100 elements come from clock() and time() (ltablib.c l_randomizePivot): with
 * it, the order of equal elements and the comparator's calls changed from run to run. Here
 * both depend only on the list. The list is read once into a table A, merged run by run
 * between A and a table B (runs of 1, 2, 4, ...: no recursion), and written back once: two
 * tables of n values (about 32 bytes an element, Lua's memory and under its limit) and
 * ceil(log2 n) passes of at most n comparisons each. Each pass, and the reading and the
 * writing, is charged LSIM_TSORT_ELEM_COST an element.
 */
static int
lsim_table_sort(lua_State *L)
{
    lsim_sort_check_list(L, LSIM_SORT_LIST);
    lua_Integer n = luaL_len(L, LSIM_SORT_LIST);
    if (n <= 1)
        return 0;
    luaL_argcheck(L, n < INT_MAX, LSIM_SORT_LIST, "array too big");
    if (!lua_isnoneornil(L, LSIM_SORT_COMP))
        luaL_checktype(L, LSIM_SORT_COMP, LUA_TFUNCTION);
    lua_settop(L, LSIM_SORT_COMP);
    lsim_charge(L, LSIM_TSORT_ELEM_COST * (uint64_t)n);
    lua_createtable(L, (int)n, 0);
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, LSIM_SORT_LIST, i);
        lua_rawseti(L, LSIM_SORT_A, i);
    }
    int src = LSIM_SORT_A, dst = LSIM_SORT_B;
    for (lua_Integer width = 1; width < n; width *= 2) {
        lsim_charge(L, LSIM_TSORT_ELEM_COST * (uint64_t)n);
        for (lua_Integer lo = 1; lo <= n; lo += 2 * width) {
            lua_Integer mid = lo + width, hi = mid + width;
            if (hi > n + 1)
                hi = n + 1;
            if (mid >= hi) /* a last run with no partner */
                lsim_sort_copy(L, src, dst, lo, hi, lo);
            else
                lsim_sort_merge(L, src, dst, lo, mid, hi);
        }
        int t = src;
        src = dst;
        dst = t;
    }
    lsim_charge(L, LSIM_TSORT_ELEM_COST * (uint64_t)n);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, src, i);
        lua_seti(L, LSIM_SORT_LIST, i);
    }
    return 0;
}

/* ---- the replaced functions ----------------------------------------------------------------- */

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
    lua_register(L, "pairs", lsim_pairs);
    lua_register(L, "next", lsim_next);
    lua_getglobal(L, LUA_TABLIBNAME);
    lua_pushcfunction(L, lsim_table_sort);
    lua_setfield(L, -2, "sort");
    lua_pop(L, 1);

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
