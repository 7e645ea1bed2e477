/*
 * lsim_repl.c - what lsim_eval adds for a person typing Lua at the REPL's prompt, and where the
 * paused scenario stands (lsim_backtrace, for the REPL's `where` and `list`).
 *
 * Session locals. Each line typed at the prompt is a chunk of its own, so in lua.c a `local`
 * dies with its line: `lua local x = 1` then `=x` prints nil, which surprises everyone. Here a
 * `local` statement at the top level of a line (outside any block, function or bracket) is
 * rewritten before the line is compiled, into a declaration followed by an assignment:
 *
 *     local a, b <const> = f()      ->   _ENV["\1local"]("a", "b"); a, b = f()
 *     local function g() ... end    ->   _ENV["\1local"]("g"); function g() ... end
 *     local y                       ->   _ENV["\1local"]("y"); y = nil
 *
 * eval's environment (lsim_repl_env) keeps declared names in two registry tables, the names
 * and their values, apart from the scenario's globals: a declared name reads and writes its
 * session value from the moment it is first assigned, before the scenario's paused locals and
 * its globals. Declared but not yet assigned (while the right-hand side of its own `local`
 * runs), it still reads what it read before, so `local x = x + 1` sees the old x as Lua would.
 * Attributes (<const>, <close>) are dropped: a session value is a variable like any other.
 * The rewriting is lexical (strings, comments and long brackets are skipped; blocks are counted
 * by their keywords), so a `local` inside `do ... end` or a function stays a real local.
 *
 * The pretty printer (lsim_repl_show). eval's results are shown as lua.c shows them (strings
 * bare, numbers as tostring), except tables: their contents, nested, the sequence part first
 * and the other keys in the order pairs visits them (lsim_stable.c's fixed order), strings
 * quoted. A table that is its own ancestor is labelled where it starts, <1>{ ... }, and each
 * way back to it is written <table 1>. On one line when it fits in LSIM_PP_WIDTH columns,
 * else one item per line, indented. Limits (depth, items) keep a huge or deep value short.
 */
#include <stdlib.h>
#include <string.h>

#include "lsim_internal.h"

#define LSIM_SESSION_NAMES "tcpsim.session.names"   /* name -> true (declared), 1 (assigned) */
#define LSIM_SESSION_VALUES "tcpsim.session.values" /* name -> its value */
#define LSIM_DECLARE_KEY "\1local"                   /* no name a person can type */

#define LSIM_PP_WIDTH 72     /* columns a table may take on one line */
#define LSIM_PP_DEPTH 12     /* tables inside tables shown before {...} */
#define LSIM_PP_ITEMS 1000   /* items shown in all, before ... */
#define LSIM_PP_STRING 160   /* octets of a string inside a table shown in full */
#define LSIM_PP_ITEM_COST 20 /* instructions charged per item shown (C work the hook never sees) */

/* ---- rewriting top-level locals ----------------------------------------------------------- */

struct lsim_rw {
    char *out;
    size_t len, cap;
    bool nomem;
};

static void
lsim_rw_put(struct lsim_rw *b, const char *s, size_t n)
{
    if (b->nomem)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *p = realloc(b->out, cap);
        if (!p) {
            b->nomem = true;
            return;
        }
        b->out = p;
        b->cap = cap;
    }
    memcpy(b->out + b->len, s, n);
    b->len += n;
    b->out[b->len] = '\0';
}

static bool
lsim_is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
lsim_is_name_char(char c)
{
    return lsim_is_name_start(c) || (c >= '0' && c <= '9');
}

/* The level of the long bracket opening at 's' ("[[" 0, "[==[" 2), -1 when there is none. */
static int
lsim_long_level(const char *s)
{
    int level = 0;
    if (*s++ != '[')
        return -1;
    while (*s == '=') {
        level++;
        s++;
    }
    return *s == '[' ? level : -1;
}

/* Past the long bracket of 'level' that opens at 's' (to the end of 's' when unclosed). */
static const char *
lsim_skip_long(const char *s, int level)
{
    for (s += level + 2; *s; s++) {
        if (*s != ']')
            continue;
        int k = 0;
        while (s[1 + k] == '=')
            k++;
        if (k == level && s[1 + k] == ']')
            return s + k + 2;
    }
    return s;
}

/* Past the string or comment that starts at 's', or 's' itself when none starts there. */
static const char *
lsim_skip_literal(const char *s)
{
    int level;
    if (s[0] == '-' && s[1] == '-') {
        if ((level = lsim_long_level(s + 2)) >= 0)
            return lsim_skip_long(s + 2, level);
        while (*s && *s != '\n')
            s++;
        return s;
    }
    if ((level = lsim_long_level(s)) >= 0)
        return lsim_skip_long(s, level);
    if (*s == '"' || *s == '\'') {
        char q = *s++;
        while (*s && *s != q && *s != '\n') {
            if (*s == '\\' && s[1])
                s++;
            s++;
        }
        return *s == q ? s + 1 : s;
    }
    return s;
}

static const char *
lsim_skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

/* The name at 's' (its length in '*n'), or NULL. */
static const char *
lsim_name_at(const char *s, size_t *n)
{
    if (!lsim_is_name_start(*s))
        return NULL;
    *n = 1;
    while (lsim_is_name_char(s[*n]))
        (*n)++;
    return s;
}

static bool
lsim_word_is(const char *s, size_t n, const char *kw)
{
    return strlen(kw) == n && memcmp(s, kw, n) == 0;
}

/*
 * A top-level `local` whose keyword ends at 'p': append its rewriting to 'b' and return where
 * the copying goes on, or NULL when it is no statement we know (Lua will then say what is wrong
 * with it, as typed).
 */
static const char *
lsim_rw_local(struct lsim_rw *b, const char *p)
{
    const char *names[64], *q = lsim_skip_space(p);
    size_t lens[64], n, count = 0;
    const char *w = lsim_name_at(q, &n);
    if (w && lsim_word_is(w, n, "function")) {
        const char *f = lsim_name_at(lsim_skip_space(q + n), &n);
        if (!f)
            return NULL;
        lsim_rw_put(b, "_ENV[\"\\1local\"](\"", 17);
        lsim_rw_put(b, f, n);
        lsim_rw_put(b, "\"); ", 4);
        return q; /* "function g() ... end" is copied as it is: an assignment to g */
    }
    for (;;) {
        if (!w || count == sizeof names / sizeof names[0])
            return NULL;
        q = w;
        names[count] = w;
        lens[count++] = n;
        q = lsim_skip_space(q + n);
        if (*q == '<') { /* an attribute: <const>, <close> */
            const char *a = lsim_name_at(lsim_skip_space(q + 1), &n);
            if (!a)
                return NULL;
            q = lsim_skip_space(a + n);
            if (*q++ != '>')
                return NULL;
            q = lsim_skip_space(q);
        }
        if (*q != ',')
            break;
        w = lsim_name_at(lsim_skip_space(q + 1), &n);
    }
    lsim_rw_put(b, "_ENV[\"\\1local\"](", 16);
    for (size_t i = 0; i < count; i++) {
        lsim_rw_put(b, i ? ", \"" : "\"", i ? 3 : 1);
        lsim_rw_put(b, names[i], lens[i]);
        lsim_rw_put(b, "\"", 1);
    }
    lsim_rw_put(b, "); ", 3);
    for (size_t i = 0; i < count; i++) {
        lsim_rw_put(b, ", ", i ? 2 : 0);
        lsim_rw_put(b, names[i], lens[i]);
    }
    if (*q == '=' && q[1] != '=')
        return q; /* " = explist" is copied as it is */
    lsim_rw_put(b, " = nil ", 7);
    return q;
}

char *
lsim_repl_rewrite(const char *code)
{
    struct lsim_rw b = {0};
    const char *p = code;
    int depth = 0; /* blocks and brackets open here */
    lsim_rw_put(&b, "", 0);
    while (*p && !b.nomem) {
        const char *lit = lsim_skip_literal(p);
        size_t n;
        if (lit != p) {
            lsim_rw_put(&b, p, (size_t)(lit - p));
            p = lit;
            continue;
        }
        const char *w = lsim_name_at(p, &n);
        if (w && p > code && (p[-1] == '.' || p[-1] == ':')) { /* a field, never a keyword */
            lsim_rw_put(&b, p, n);
            p += n;
            continue;
        }
        if (!w && *p >= '0' && *p <= '9') { /* a number: its letters are no names */
            n = 0;
            while (lsim_is_name_char(p[n]) || p[n] == '.' ||
                   ((p[n] == '+' || p[n] == '-') && n && strchr("eEpP", p[n - 1])))
                n++;
            lsim_rw_put(&b, p, n);
            p += n;
            continue;
        }
        if (w) {
            const char *next;
            if (depth <= 0 && lsim_word_is(w, n, "local") && (next = lsim_rw_local(&b, p + n))) {
                p = next;
                continue;
            }
            if (lsim_word_is(w, n, "function") || lsim_word_is(w, n, "do") || lsim_word_is(w, n, "if") ||
                lsim_word_is(w, n, "repeat"))
                depth++;
            else if (lsim_word_is(w, n, "end") || lsim_word_is(w, n, "until"))
                depth--;
            lsim_rw_put(&b, p, n);
            p += n;
            continue;
        }
        if (*p == '(' || *p == '{' || *p == '[')
            depth++;
        else if (*p == ')' || *p == '}' || *p == ']')
            depth--;
        lsim_rw_put(&b, p++, 1);
    }
    if (b.nomem) {
        free(b.out);
        return NULL;
    }
    return b.out;
}

/* ---- eval's environment ------------------------------------------------------------------- */

/* Push the session's names and values tables (made on first use). */
static void
lsim_session_tables(lua_State *L)
{
    static const char *const keys[] = {LSIM_SESSION_NAMES, LSIM_SESSION_VALUES};
    for (int i = 0; i < 2; i++) {
        if (lua_getfield(L, LUA_REGISTRYINDEX, keys[i]) != LUA_TTABLE) {
            lua_pop(L, 1);
            lua_newtable(L);
            lua_pushvalue(L, -1);
            lua_setfield(L, LUA_REGISTRYINDEX, keys[i]);
        }
    }
}

/* _ENV["\1local"](name, ...): declare session locals (a name declared before keeps its value
   until the assignment that follows gives it a new one). */
static int
lsim_session_declare(lua_State *L)
{
    int n = lua_gettop(L);
    lsim_session_tables(L);
    for (int i = 1; i <= n; i++) {
        luaL_checktype(L, i, LUA_TSTRING);
        lua_pushvalue(L, i);
        if (lua_rawget(L, n + 1) == LUA_TNIL) {
            lua_pushvalue(L, i);
            lua_pushboolean(L, 1);
            lua_rawset(L, n + 1);
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* __index(env, key): an assigned session local, else the scenario's local or global. */
static int
lsim_session_index(lua_State *L)
{
    lua_settop(L, 2);
    if (lua_type(L, 2) == LUA_TSTRING) {
        lsim_session_tables(L);
        lua_pushvalue(L, 2);
        if (lua_rawget(L, 3) == LUA_TNUMBER) {
            lua_pushvalue(L, 2);
            lua_rawget(L, 4);
            return 1;
        }
        lua_settop(L, 2);
    }
    return lsim_eval_index(L);
}

/* __newindex(env, key, value): a declared session local, else a global of the scenario. */
static int
lsim_session_newindex(lua_State *L)
{
    lua_settop(L, 3);
    if (lua_type(L, 2) == LUA_TSTRING) {
        lsim_session_tables(L); /* 4 names, 5 values */
        lua_pushvalue(L, 2);
        if (lua_rawget(L, 4) != LUA_TNIL) {
            lua_pushvalue(L, 2);
            lua_pushinteger(L, 1);
            lua_rawset(L, 4);
            lua_pushvalue(L, 2);
            lua_pushvalue(L, 3);
            lua_rawset(L, 5);
            return 0;
        }
        lua_settop(L, 3);
    }
    lua_pushglobaltable(L);
    lua_insert(L, 2);
    lua_settable(L, 2); /* not raw: the globals' own metamethods, as before */
    return 0;
}

void
lsim_repl_env(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, lsim_session_declare);
    lua_setfield(L, -2, LSIM_DECLARE_KEY);
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, lsim_session_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lsim_session_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
}

/* ---- the pretty printer ------------------------------------------------------------------- */

struct lsim_pp {
    lua_State *L;
    int path;       /* stack index: table -> true while it is being shown (its ancestors) */
    int labels;     /* stack index: table -> its label, once a way back to it was found */
    int nlabels;
    int depth;
    size_t items;   /* items shown so far */
};

static bool
lsim_pp_reserved(const char *s, size_t n)
{
    static const char *const words[] = {
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (lsim_word_is(s, n, words[i]))
            return true;
    return false;
}

/* Push the string at 'idx' quoted as Lua would read it back (cut when very long). */
static void
lsim_pp_quote(lua_State *L, int idx)
{
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addchar(&b, '"');
    for (size_t i = 0; i < len && i < LSIM_PP_STRING; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        switch (c) {
        case '"': luaL_addstring(&b, "\\\""); break;
        case '\\': luaL_addstring(&b, "\\\\"); break;
        case '\n': luaL_addstring(&b, "\\n"); break;
        case '\r': luaL_addstring(&b, "\\r"); break;
        case '\t': luaL_addstring(&b, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(esc, sizeof esc, "\\%u", (unsigned)c);
                luaL_addstring(&b, esc);
            } else {
                luaL_addchar(&b, (char)c);
            }
        }
    }
    luaL_addchar(&b, '"');
    if (len > LSIM_PP_STRING) {
        char more[48];
        snprintf(more, sizeof more, "... (%zu octets)", len);
        luaL_addstring(&b, more);
    }
    luaL_pushresult(&b);
}

static void lsim_pp_value(struct lsim_pp *p, int idx, size_t col, size_t indent);

/* Push "name = ", "[\"two words\"] = " or "[2.5] = " for the key at 'idx'. */
static void
lsim_pp_key(lua_State *L, int idx)
{
    size_t n;
    const char *s;
    if (lua_type(L, idx) == LUA_TSTRING && (s = lua_tolstring(L, idx, &n)) && lsim_name_at(s, &n) &&
        n == lua_rawlen(L, idx) && !lsim_pp_reserved(s, n)) {
        lua_pushfstring(L, "%s = ", s);
        return;
    }
    if (lua_type(L, idx) == LUA_TSTRING)
        lsim_pp_quote(L, idx);
    else
        lsim_tostring(L, idx);
    lua_pushfstring(L, "[%s] = ", lua_tostring(L, -1));
    lua_remove(L, -2);
}

/* Push the table at 't' shown from column 'col', its closing brace at column 'indent'. */
static void
lsim_pp_table(struct lsim_pp *p, int t, size_t col, size_t indent)
{
    lua_State *L = p->L;
    luaL_checkstack(L, 16, "table too deep to show");
    lua_pushvalue(L, t);
    if (lua_rawget(L, p->path) != LUA_TNIL) { /* a way back to an ancestor */
        lua_pop(L, 1);
        lua_pushvalue(L, t);
        if (lua_rawget(L, p->labels) == LUA_TNIL) {
            lua_pop(L, 1);
            lua_pushvalue(L, t);
            lua_pushinteger(L, ++p->nlabels);
            lua_rawset(L, p->labels);
            lua_pushinteger(L, p->nlabels);
        }
        lua_pushfstring(L, "<table %d>", (int)lua_tointeger(L, -1));
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    if (p->depth >= LSIM_PP_DEPTH) {
        lua_pushliteral(L, "{...}");
        return;
    }
    p->depth++;
    lua_pushvalue(L, t);
    lua_pushboolean(L, 1);
    lua_rawset(L, p->path);

    lua_newtable(L); /* the items, as strings: the sequence part's first */
    int items = lua_gettop(L), n = 0, nseq;
    size_t sum = 0;
    bool multi = false, cut = false;
    lua_Integer seq = 0;
    for (;; seq++) { /* the sequence part, 1..n, without keys */
        if (lua_rawgeti(L, t, seq + 1) == LUA_TNIL) {
            lua_pop(L, 1);
            break;
        }
        if (p->items >= LSIM_PP_ITEMS) {
            lua_pop(L, 1);
            cut = true;
            break;
        }
        p->items++;
        lsim_charge(L, LSIM_PP_ITEM_COST);
        lsim_pp_value(p, lua_gettop(L), indent + 2, indent + 2);
        lua_remove(L, -2);
        lua_rawseti(L, items, ++n);
    }
    nseq = n;
    lsim_sorted_keys(L, t);
    int keys = lua_gettop(L);
    for (lua_Integer k = 1; !cut && lua_rawgeti(L, keys, k) != LUA_TNIL; k++) {
        int key = lua_gettop(L);
        if (lua_isinteger(L, key) && lua_tointeger(L, key) >= 1 && lua_tointeger(L, key) <= seq) {
            lua_pop(L, 1);
            continue;
        }
        if (p->items >= LSIM_PP_ITEMS) {
            lua_pop(L, 1);
            cut = true;
            break;
        }
        p->items++;
        lsim_charge(L, LSIM_PP_ITEM_COST);
        lsim_pp_key(L, key);
        size_t klen = lua_rawlen(L, -1);
        lua_pushvalue(L, key);
        lua_rawget(L, t);
        lsim_pp_value(p, lua_gettop(L), indent + 2 + klen, indent + 2);
        lua_remove(L, -2);
        lua_concat(L, 2);
        lua_rawseti(L, items, ++n);
        lua_pop(L, 1); /* the key */
    }
    lua_settop(L, items);
    if (cut) {
        lua_pushliteral(L, "...");
        lua_rawseti(L, items, ++n);
    }
    for (int i = 1; i <= n; i++) {
        size_t len;
        lua_rawgeti(L, items, i);
        const char *s = lua_tolstring(L, -1, &len);
        sum += len + 2;
        multi = multi || memchr(s, '\n', len) != NULL;
        lua_pop(L, 1);
    }

    lua_pushvalue(L, t);
    lua_pushnil(L);
    lua_rawset(L, p->path);
    p->depth--;
    char label[32] = "";
    lua_pushvalue(L, t);
    if (lua_rawget(L, p->labels) == LUA_TNUMBER)
        snprintf(label, sizeof label, "<%d>", (int)lua_tointeger(L, -1));
    lua_pop(L, 1);

    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, label);
    if (n == 0) {
        luaL_addstring(&b, "{}");
    } else if (!multi && col + strlen(label) + sum + 2 <= LSIM_PP_WIDTH) {
        luaL_addstring(&b, "{ ");
        for (int i = 1; i <= n; i++) {
            if (i > 1)
                luaL_addstring(&b, ", ");
            lua_rawgeti(L, items, i);
            luaL_addvalue(&b);
        }
        luaL_addstring(&b, " }");
    } else {
        /* one item a line; short items of the sequence part share lines, as a list reads */
        size_t at = 0; /* the column after the last item written; 0 at the start of a line */
        luaL_addchar(&b, '{');
        for (int i = 1; i <= n; i++) {
            size_t len;
            lua_rawgeti(L, items, i);
            const char *s = lua_tolstring(L, -1, &len);
            bool alone = i > nseq || memchr(s, '\n', len) != NULL;
            lua_pop(L, 1);
            if (at && !alone && at + 1 + len + 1 <= LSIM_PP_WIDTH) {
                luaL_addchar(&b, ' ');
                at += 1 + len + 1;
            } else {
                luaL_addchar(&b, '\n');
                for (size_t k = 0; k < indent + 2; k++)
                    luaL_addchar(&b, ' ');
                at = alone ? 0 : indent + 2 + len + 1;
            }
            lua_rawgeti(L, items, i);
            luaL_addvalue(&b);
            if (i < n)
                luaL_addchar(&b, ',');
        }
        luaL_addchar(&b, '\n');
        for (size_t k = 0; k < indent; k++)
            luaL_addchar(&b, ' ');
        luaL_addchar(&b, '}');
    }
    luaL_pushresult(&b);
    lua_remove(L, items);
}

/* Push the value at 'idx' as it is shown inside a table. */
static void
lsim_pp_value(struct lsim_pp *p, int idx, size_t col, size_t indent)
{
    lua_State *L = p->L;
    switch (lua_type(L, idx)) {
    case LUA_TSTRING:
        lsim_pp_quote(L, idx);
        return;
    case LUA_TTABLE:
        if (luaL_getmetafield(L, idx, "__tostring") == LUA_TNIL) {
            lsim_pp_table(p, idx, col, indent);
            return;
        }
        lua_pop(L, 1);
        break;
    default:
        break;
    }
    lsim_tostring(L, idx);
}

int
lsim_repl_show(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    lua_newtable(L);
    lua_newtable(L);
    struct lsim_pp p = {.L = L, .path = n + 1, .labels = n + 2};
    lua_newtable(L); /* the results, as text */
    int shown = n + 3;
    for (int i = 1; i <= n; i++) {
        if (lua_type(L, i) == LUA_TTABLE && luaL_getmetafield(L, i, "__tostring") == LUA_TNIL)
            lsim_pp_table(&p, i, 0, 0);
        else if (lua_type(L, i) == LUA_TTABLE)
            lua_pop(L, 1), lsim_tostring(L, i);
        else
            lsim_tostring(L, i); /* strings bare, as lua.c prints them */
        lua_rawseti(L, shown, i);
    }
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        lua_rawgeti(L, shown, i);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    return 1;
}

/* ---- where the scenario stands ------------------------------------------------------------- */

int
lsim_backtrace(const struct lsim *l, struct lsim_frame *f, int max)
{
    lua_Debug ar;
    int n = 0;
    char callee[64] = ""; /* the function the frame found next is calling */
    if (!l->co || (l->status != LSIM_RUNNING && l->status != LSIM_PAUSED))
        return 0;
    for (int level = 0; n < max && lua_getstack(l->co, level, &ar); level++) {
        if (!lua_getinfo(l->co, "Sln", &ar))
            continue;
        if (ar.currentline <= 0 || ar.source[0] != '@') { /* C (sim:run, pause) or no file */
            snprintf(callee, sizeof callee, "%s", ar.name ? ar.name : "");
            continue;
        }
        struct lsim_frame *fr = &f[n++];
        snprintf(fr->file, sizeof fr->file, "%s", ar.source + 1);
        fr->line = ar.currentline;
        snprintf(fr->func, sizeof fr->func, "%s", ar.name ? ar.name : strcmp(ar.what, "main") == 0 ? "" : "?");
        snprintf(fr->calls, sizeof fr->calls, "%s", callee);
        snprintf(callee, sizeof callee, "%s", fr->func);
    }
    return n;
}
