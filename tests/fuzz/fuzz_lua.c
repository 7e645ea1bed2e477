/*
 * fuzz_lua.c - the Lua API fuzzer: a structure-aware generator. The input's bytes choose a
 * scenario, call by call: which function of the API (a method of A and B, of a socket, of
 * `net`, of `sim`, a global such as expect or say, now and then one of the sandboxed standard
 * library), on which receiver (the right kind of object, or the wrong one), and arguments of
 * every Lua type: nil, booleans, integers at the edges (0, -1, 65535, 65536, 2^32, maxinteger),
 * floats (NaN, -0.0, infinities, 1e300, 2^63), strings (names, flags, states, settings,
 * errno names, format directives, NUL, raw bytes, a megabyte), tables of options with known
 * and unknown keys, tables whose metatable runs code when a binding reads them, functions
 * that call back into the API, sockets, hosts, coroutines. The program runs in the sandbox,
 * under the runner's limits (smaller ones: below), as `tcpsim run` runs a scenario.
 *
 * Any Lua error is fine (the calls are made under pcall, so one error does not end the run;
 * a few are made bare and end it). A crash, a sanitizer report, a leak or a hang is a bug.
 *
 * Input layout:
 *   byte 0      how to run: bits 0-1 0/1 straight to the end; 2 in slices of a few steps with
 *               `lsim_eval` of generated code between them, as the REPL does; 3 as 0, then
 *               a generated goals file checked with lsim_goals; bit 2 the RFC preset; bit 3
 *               seed and preset fixed (sim:config may not change them)
 *   byte 1      the world's seed
 *   byte 2      in modes 2 and 3, how many statements the scenario has (the rest makes the
 *               evals, or the goals file)
 *   the rest    the statements, each generated from the bytes it reads (zeros past the end)
 *
 * The names: today's API in a fixed order (fz_known_*), then whatever else a fresh runner
 * has (the method tables of hosts and sockets, the fields of `net` and `sim`, the global
 * functions), so an input keeps its meaning as the API grows and a function added to it is
 * fuzzed without a change to this file. Option keys and string values come from the
 * vocabulary below, and from raw bytes, which libFuzzer fills with the strings it sees the
 * bindings compare against. Also the stand-alone Lua libraries' functions, now and then.
 *
 * FZ_DEBUG=1 in the environment prints each generated program on stderr.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lsim_internal.h" /* the runner's Lua state, to read the API's names */
#include "tcpsim/tcpsim.h"
#include "fuzz.h"

#define FZ_MAX_STMTS 120
#define FZ_MAX_TEXT (48 * 1024)
#define FZ_MAX_DEPTH 3
#define FZ_SLOTS 12          /* V[1..4] = A, B, net, sim; V[5..12] results kept */
#define FZ_MAX_EVALS 24
#define FZ_LUA_INSTRUCTIONS 1000000u
#define FZ_LUA_EVENTS 20000u

/* ---- the input --------------------------------------------------------------------------- */

struct fz_in {
    const uint8_t *p;
    size_t n, i;
};

static uint8_t
fz_u8(struct fz_in *in)
{
    return in->i < in->n ? in->p[in->i++] : 0;
}

static uint32_t
fz_u32(struct fz_in *in)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++)
        v = v << 8 | fz_u8(in);
    return v;
}

static bool
fz_more(const struct fz_in *in)
{
    return in->i < in->n;
}

/* ---- the text being generated ------------------------------------------------------------- */

struct fz_buf {
    char *s;
    size_t len, cap;
    bool full;  /* FZ_MAX_TEXT reached: the program stops growing */
};

static void
fz_puts(struct fz_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->full || b->len + n + 1 > FZ_MAX_TEXT) {
        b->full = true;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns)
            abort();
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
fz_printf(struct fz_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    fz_puts(b, tmp);
}

/* A Lua string literal of 'n' bytes, every byte outside [A-Za-z0-9 ,._-] as \ddd. */
static void
fz_quote(struct fz_buf *b, const uint8_t *s, size_t n)
{
    char tmp[8];
    fz_puts(b, "\"");
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == ' ' || c == ',' || c == '.' || c == '_' || c == '-';
        if (plain)
            snprintf(tmp, sizeof tmp, "%c", c);
        else
            snprintf(tmp, sizeof tmp, "\\%03u", (unsigned)c);
        fz_puts(b, tmp);
    }
    fz_puts(b, "\"");
}

static void
fz_qstr(struct fz_buf *b, const char *s)
{
    fz_quote(b, (const uint8_t *)s, strlen(s));
}

/* ---- the API's names, read from a fresh runner ------------------------------------------ */

enum fz_class { FZ_HOST, FZ_SOCK, FZ_NET, FZ_SIM, FZ_API, FZ_BASE, FZ_LIB, FZ_CLASSES };

struct fz_names {
    char **v;
    size_t n;
};

static struct fz_names fz_api[FZ_CLASSES];

static int
fz_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
fz_name_add(struct fz_names *ns, const char *s)
{
    char **v = realloc(ns->v, (ns->n + 1) * sizeof *v);
    if (!v || !(v[ns->n] = strdup(s)))
        abort();
    ns->v = v;
    ns->n++;
}

/* The string keys of the table at the top of L's stack whose values are functions, with
   'prefix' before each ("string." for the string library). */
static void
fz_names_of(lua_State *L, struct fz_names *ns, const char *prefix)
{
    char name[128];
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_isfunction(L, -1)) {
            snprintf(name, sizeof name, "%s%s", prefix, lua_tostring(L, -2));
            fz_name_add(ns, name);
        }
        lua_pop(L, 1);
    }
}

/* The methods of class 'mt': the table its __index closure holds (lsim_sock.c). */
static void
fz_methods_of(lua_State *L, const char *mt, struct fz_names *ns)
{
    luaL_getmetatable(L, mt);
    lua_getfield(L, -1, "__index");
    if (lua_getupvalue(L, -1, 1) && lua_istable(L, -1))
        fz_names_of(L, ns, "");
    lua_settop(L, 0);
}

static bool
fz_is_base(const char *name)
{
    static const char *const base[] = {
        "assert", "collectgarbage", "error", "getmetatable", "ipairs", "next", "pairs", "pcall",
        "print", "rawequal", "rawget", "rawlen", "rawset", "select", "setmetatable", "tonumber",
        "tostring", "type", "xpcall", NULL};
    for (size_t i = 0; base[i]; i++)
        if (strcmp(name, base[i]) == 0)
            return true;
    return false;
}

/* The API as it is when this was written, in a fixed order, so that an input keeps calling
   the same functions when the API grows; what the runner has beyond these comes after them
   (sorted), and a name here that the API no longer has is simply an error to call. */
static const char *const fz_known_host[] = {"listen", "connect", "crash", "sockets", NULL};
static const char *const fz_known_sock[] = {"send", "recv", "close", "accept", "shutdown",
                                            "abort", "discard", "keepalive", "tcb", NULL};
static const char *const fz_known_net[] = {"set", "drop", "delay", "dup", "inject", "inflight",
                                           "drop_id", "delay_id", "dup_id", "rules", "unrule",
                                           "link", NULL};
static const char *const fz_known_sim[] = {"run", "run_until", "step", "trace", "config", "seed", NULL};
static const char *const fz_known_api[] = {"say", "expect", "expect_state", "expect_error", "sock",
                                           "pause", "scenario", "goals", NULL};
static const char *const *const fz_known[FZ_CLASSES] = {
    [FZ_HOST] = fz_known_host, [FZ_SOCK] = fz_known_sock, [FZ_NET] = fz_known_net,
    [FZ_SIM] = fz_known_sim, [FZ_API] = fz_known_api,
};
static size_t fz_nknown[FZ_CLASSES];

static bool
fz_listed(const char *const *list, const char *name)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}

static void
fz_names_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    struct fz_names found[FZ_CLASSES] = {{0}};
    struct lsim *l = lsim_new(NULL);
    if (!l)
        abort();
    lua_State *L = l->L;
    lua_settop(L, 0);
    fz_methods_of(L, LSIM_HOST_MT, &found[FZ_HOST]);
    fz_methods_of(L, LSIM_SOCK_MT, &found[FZ_SOCK]);
    lua_getglobal(L, "net");
    fz_names_of(L, &found[FZ_NET], "");
    lua_settop(L, 0);
    lua_getglobal(L, "sim");
    fz_names_of(L, &found[FZ_SIM], "");
    lua_settop(L, 0);
    struct fz_names globals = {0};
    lua_pushglobaltable(L);
    fz_names_of(L, &globals, "");
    lua_settop(L, 0);
    for (size_t i = 0; i < globals.n; i++) {
        fz_name_add(&found[fz_is_base(globals.v[i]) ? FZ_BASE : FZ_API], globals.v[i]);
        free(globals.v[i]);
    }
    free(globals.v);
    static const char *const libs[] = {"string", "table", "math", "utf8", "coroutine"};
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "%s.", libs[i]);
        if (lua_getglobal(L, libs[i]) == LUA_TTABLE)
            fz_names_of(L, &found[FZ_LIB], prefix);
        lua_settop(L, 0);
    }
    lsim_free(l);
    for (int c = 0; c < FZ_CLASSES; c++) {
        for (size_t i = 0; fz_known[c] && fz_known[c][i]; i++)
            fz_name_add(&fz_api[c], fz_known[c][i]);
        fz_nknown[c] = fz_api[c].n;
        qsort(found[c].v, found[c].n, sizeof *found[c].v, fz_name_cmp);
        for (size_t i = 0; i < found[c].n; i++) {
            if (!fz_listed(fz_known[c], found[c].v[i]))
                fz_name_add(&fz_api[c], found[c].v[i]);
            free(found[c].v[i]);
        }
        free(found[c].v);
        if (fz_api[c].n == 0)
            fz_name_add(&fz_api[c], "nosuch"); /* never an empty class */
    }
}

/* ---- the vocabulary ------------------------------------------------------------------------ */

/* Keys of options tables (every one some function takes, and some no function takes). */
static const char *const fz_keys[] = {
    "port", "isn", "reuseaddr", "backlog", "from", "to", "flags", "exact", "seq", "ack", "len",
    "count", "nth", "by", "delay", "jitter", "loss", "dup", "reorder", "bandwidth", "sport",
    "dport", "win", "data", "mss", "seed", "preset", "title", "summary", "name", "check",
    "state", "edge", "rule", "host", "kind", "timers", "bytes", "within", "timeout", "linger",
    "set", "n", "t", "id", "bogus", "", "FLAGS",
};

static const char *const fz_strings[] = {
    "A", "B", "C", "a", "10.0.0.1", "10.0.0.2", "10.0.0.3", "A1", "A2", "B1", "B2", "B3", "",
    "SYN", "ACK", "FIN", "RST", "PSH", "URG", "SYN,ACK", "FIN,ACK", "RST,ACK", "S.", "F.",
    "syn+ack", "SA", "SYN,,ACK", "XYZ", "linux", "rfc", "bsd", "CLOSED", "LISTEN", "SYN_SENT",
    "SYN_RCVD", "SYN-RECEIVED", "SYN_RECV", "ESTABLISHED", "ESTAB", "FIN_WAIT_1", "FIN_WAIT1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT", "TIME-WAIT", "time_wait",
    "send", "deliver", "drop", "dup", "delay", "state", "rule", "timer", "timer_arm", "call",
    "say", "ECONNRESET", "ETIMEDOUT", "ECONNREFUSED", "EADDRINUSE", "EOF", "EINVAL", "rexmit",
    "2msl", "keepalive", "persist", "delack", "fin_wait_2", "rd", "wr", "rdwr", "SO_LINGER",
    "SO_KEEPALIVE", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_USER_TIMEOUT",
    "TCP_NODELAY", "TCP_QUICKACK", "SO_REUSEADDR", "SO_RCVBUF", "SO_SNDBUF", "collect", "count",
    "step", "isrunning", "%s%s%s%n", "%p", "%d", "%", "(.-)*$", "[%a]+", "x.goals.lua", "../x",
    "/etc/passwd", "RST_CHALLENGE", "FIN_CLOSE_WAIT", "CLOSED_SEND_RST", "nosuch",
};

/* ---- the generator ------------------------------------------------------------------------- */

struct fz_gen {
    struct fz_in in;
    struct fz_buf out;
    int stmts;     /* statements generated so far, nested ones included */
};

static void fz_value(struct fz_gen *g, int depth);
static void fz_stmt(struct fz_gen *g, int depth);

/* A name of class 'c': byte k < the number of known names picks a known one, a larger byte
   one found beyond them (or a known one when there are none), 255 one that does not exist. */
static const char *
fz_pick_name(struct fz_gen *g, enum fz_class c)
{
    uint8_t k = fz_u8(&g->in);
    const struct fz_names *ns = &fz_api[c];
    size_t known = fz_nknown[c];
    if (k == 255)
        return "nosuch";
    if (k < known)
        return ns->v[k];
    if (ns->n > known)
        return ns->v[known + (k - known) % (ns->n - known)];
    return ns->v[k % ns->n];
}

static void
fz_int(struct fz_gen *g)
{
    static const char *const ints[] = {
        "0", "1", "-1", "2", "3", "7", "80", "81", "100", "300", "443", "1023", "1024", "1460",
        "40000", "65535", "65536", "-65536", "2147483647", "2147483648", "-2147483648",
        "4294967295", "4294967296", "9007199254740993", "math.maxinteger", "math.mininteger",
        "1000000", "536", "65495", "65496",
    };
    uint8_t k = fz_u8(&g->in);
    if (k < 200) {
        fz_puts(&g->out, ints[k % (sizeof ints / sizeof ints[0])]);
    } else {
        int32_t v = (int32_t)fz_u32(&g->in);
        fz_printf(&g->out, "(%ld)", (long)v);
    }
}

static void
fz_float(struct fz_gen *g)
{
    static const char *const floats[] = {
        "0.0", "(-0.0)", "0.5", "1e-9", "1e-300", "0.001", "0.0015", "1.5", "(-1.5)", "60.0",
        "3.7", "1e9", "1e12", "1e18", "1e300", "(-1e300)", "(1/0)", "(-1/0)", "(0/0)",
        "(-(0/0))", "2^53", "2^63", "(-2^63)", "2^64", "4294967295.5", "65535.9", "1e6",
        "9.2e9", "1e-324", "0.2",
    };
    uint8_t k = fz_u8(&g->in);
    if (k < 200) {
        fz_puts(&g->out, floats[k % (sizeof floats / sizeof floats[0])]);
        return;
    }
    uint64_t bits = (uint64_t)fz_u32(&g->in) << 32 | fz_u32(&g->in);
    double d;
    memcpy(&d, &bits, sizeof d);
    if (d != d)
        fz_puts(&g->out, "(0/0)");
    else if (d > 1.7e308 || d < -1.7e308)
        fz_puts(&g->out, d > 0 ? "(1/0)" : "(-1/0)");
    else
        fz_printf(&g->out, "(%.17g)", d);
}

static void
fz_string(struct fz_gen *g)
{
    uint8_t k = fz_u8(&g->in);
    switch (k % 4) {
    case 0:
    case 1: {
        size_t n = sizeof fz_strings / sizeof fz_strings[0];
        fz_qstr(&g->out, fz_strings[fz_u8(&g->in) % n]);
        break;
    }
    case 2: { /* raw bytes from the input: up to 96, past the 32- and 64-byte buffers C
                 code likes */
        size_t len = fz_u8(&g->in) % 97;
        if (len > g->in.n - g->in.i)
            len = g->in.n - g->in.i;
        fz_quote(&g->out, g->in.p + g->in.i, len);
        g->in.i += len;
        break;
    }
    default: {
        /* a long string: with a NUL (C code that stops at it sees "ab"), or without */
        static const char *const reps[] = {"0", "1", "100", "1460", "65495", "65496", "100000", "1000000"};
        uint8_t r = fz_u8(&g->in);
        fz_printf(&g->out, "string.rep(%s, %s)", r & 8 ? "\"x\"" : "\"ab\\0\"", reps[r % 8]);
        break;
    }
    }
}

/* A setting's name: most of the time one of the table's (tcp_settings.c). */
static void
fz_setting_name(struct fz_gen *g)
{
    uint8_t k = fz_u8(&g->in);
    if (k < 240)
        fz_qstr(&g->out, tcp_setting_table[k % tcp_setting_count].name);
    else
        fz_string(g);
}

static void
fz_slot(struct fz_gen *g)
{
    fz_printf(&g->out, "V[%d]", 1 + fz_u8(&g->in) % FZ_SLOTS);
}

/* An object of the API, or one of the wrong kind. */
static void
fz_object(struct fz_gen *g)
{
    static const char *const objs[] = {
        "A", "B", "net", "sim", "A.sysctl", "B.sysctl", "sock(\"A1\")", "sock(\"B2\")",
        "coroutine.create(function() end)", "V", "_ENV", "string", "print", "io",
    };
    fz_puts(&g->out, objs[fz_u8(&g->in) % (sizeof objs / sizeof objs[0])]);
}

static void
fz_key(struct fz_gen *g)
{
    uint8_t k = fz_u8(&g->in);
    if (k < 200) {
        fz_puts(&g->out, "[");
        fz_qstr(&g->out, fz_keys[k % (sizeof fz_keys / sizeof fz_keys[0])]);
        fz_puts(&g->out, "]");
    } else if (k < 220) {
        fz_puts(&g->out, "[");
        fz_int(g);
        fz_puts(&g->out, "]");
    } else {
        fz_puts(&g->out, "[");
        fz_string(g);
        fz_puts(&g->out, "]");
    }
}

/* { key = value, ... }: an options table, with 0 to 4 fields. */
static void
fz_table(struct fz_gen *g, int depth)
{
    int n = fz_u8(&g->in) % 5;
    fz_puts(&g->out, "{");
    for (int i = 0; i < n; i++) {
        fz_key(g);
        fz_puts(&g->out, "=");
        fz_value(g, depth + 1);
        fz_puts(&g->out, ", ");
    }
    fz_puts(&g->out, "}");
}

/* A function: statements (calls back into the API from inside a binding), then a value. */
static void
fz_function(struct fz_gen *g, int depth)
{
    int n = fz_u8(&g->in) % 3;
    fz_puts(&g->out, "function(...) ");
    for (int i = 0; i < n; i++)
        fz_stmt(g, depth + 1);
    fz_puts(&g->out, "return ");
    fz_value(g, depth + 1);
    fz_puts(&g->out, " end");
}

static void
fz_value(struct fz_gen *g, int depth)
{
    uint8_t k = fz_u8(&g->in);
    if (depth >= FZ_MAX_DEPTH)
        k %= 9; /* scalars and slots only */
    switch (k % 17) {
    case 0: fz_puts(&g->out, "nil"); break;
    case 1: fz_puts(&g->out, fz_u8(&g->in) & 1 ? "true" : "false"); break;
    case 2:
    case 3: fz_int(g); break;
    case 4: fz_float(g); break;
    case 5:
    case 6: fz_string(g); break;
    case 7: fz_slot(g); break;
    case 8: fz_object(g); break;
    case 9:
    case 10: fz_table(g, depth); break;
    case 11: /* an array */
        fz_puts(&g->out, "{");
        fz_value(g, depth + 1);
        fz_puts(&g->out, ", ");
        fz_value(g, depth + 1);
        fz_puts(&g->out, "}");
        break;
    case 12: /* a table whose reads and tostring run code */
        fz_puts(&g->out, "setmetatable(");
        fz_table(g, depth + 1);
        fz_puts(&g->out, ", {__index = ");
        fz_function(g, depth + 1);
        fz_puts(&g->out, ", __tostring = ");
        fz_function(g, depth + 1);
        fz_puts(&g->out, "})");
        break;
    case 13: fz_function(g, depth); break;
    case 14: /* a function that fails */
        fz_puts(&g->out, "function() error(");
        fz_value(g, depth + 1);
        fz_puts(&g->out, ") end");
        break;
    case 15: /* a function that fails from its Nth call on: a binding that reads a field twice
                (checks it, then uses it) meets an error only the second time */
        fz_printf(&g->out, "(function() local n = 0 return function(...) n = n + 1 if n > %d then "
                           "error(\"late\") end return ", fz_u8(&g->in) % 4);
        fz_value(g, depth + 1);
        fz_puts(&g->out, " end end)()");
        break;
    default: /* a field of something */
        fz_puts(&g->out, "F(");
        fz_value(g, depth + 1);
        fz_puts(&g->out, ", ");
        fz_string(g);
        fz_puts(&g->out, ")");
        break;
    }
}

/* 0 to 4 arguments, separated by commas; 'more' when they follow another one. */
static void
fz_args(struct fz_gen *g, int depth, bool more)
{
    int n = fz_u8(&g->in) % 5;
    for (int i = 0; i < n; i++) {
        if (more || i > 0)
            fz_puts(&g->out, ", ");
        fz_value(g, depth);
    }
}

/* The receiver of a method of class 'c': mostly the right kind of object. */
static void
fz_receiver(struct fz_gen *g, enum fz_class c)
{
    uint8_t k = fz_u8(&g->in);
    if (k >= 224) {
        fz_value(g, FZ_MAX_DEPTH);
        return;
    }
    switch (c) {
    case FZ_HOST: fz_puts(&g->out, k & 1 ? "B" : "A"); break;
    case FZ_NET: fz_puts(&g->out, "net"); break;
    case FZ_SIM: fz_puts(&g->out, "sim"); break;
    case FZ_SOCK:
    case FZ_API:
    case FZ_BASE:
    case FZ_LIB:
    case FZ_CLASSES: fz_printf(&g->out, "V[%d]", 5 + k % (FZ_SLOTS - 4)); break;
    }
}

/* Where a call's result goes: a slot 5..12, or nowhere (0). */
static int
fz_dest(struct fz_gen *g)
{
    uint8_t k = fz_u8(&g->in);
    return k < 64 ? 0 : 5 + k % (FZ_SLOTS - 4);
}

/* obj:method(args) under pcall, its first result kept in a slot: M(k, r, name, self, ...). */
static void
fz_method_call(struct fz_gen *g, int depth, bool bare)
{
    uint8_t k = fz_u8(&g->in);
    enum fz_class c = (enum fz_class)(k % 4); /* HOST, SOCK, NET, SIM */
    enum fz_class rc = (k & 0xe0) == 0xe0 ? (enum fz_class)((k >> 2) % 4) : c; /* a wrong receiver */
    const char *name = fz_pick_name(g, c);
    if (bare) { /* an error here ends the scenario */
        fz_puts(&g->out, "(");
        fz_receiver(g, rc);
        fz_printf(&g->out, "):%s(", name);
        fz_args(g, depth, false);
        fz_puts(&g->out, ")\n");
        return;
    }
    fz_printf(&g->out, "M(%d, ", fz_dest(g));
    fz_receiver(g, rc);
    fz_printf(&g->out, ", \"%s\", ", name);
    if (fz_u8(&g->in) < 232)
        fz_receiver(g, rc); /* self: the receiver again */
    else
        fz_value(g, depth + 1);
    fz_args(g, depth + 1, true);
    fz_puts(&g->out, ")\n");
}

/* A global or library function under pcall: G(k, f, ...). */
static void
fz_function_call(struct fz_gen *g, int depth)
{
    uint8_t k = fz_u8(&g->in);
    enum fz_class c = k < 200 ? FZ_API : k < 230 ? FZ_BASE : FZ_LIB;
    fz_printf(&g->out, "G(%d, %s", fz_dest(g), fz_pick_name(g, c));
    fz_args(g, depth + 1, true);
    fz_puts(&g->out, ")\n");
}

static void
fz_stmt(struct fz_gen *g, int depth)
{
    if (++g->stmts > FZ_MAX_STMTS || g->out.full)
        return;
    uint8_t k = fz_u8(&g->in);
    if (depth >= FZ_MAX_DEPTH)
        k %= 8; /* no loops, coroutines or callbacks further down */
    switch (k % 20) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4: fz_method_call(g, depth, false); break;
    case 5:
    case 6: fz_function_call(g, depth); break;
    case 7: /* the clock, moved on a little: most scenarios wait for something */
    {
        static const char *const runs[] = {"0", "0.001", "0.01", "0.1", "1", "10", "200", "3600"};
        fz_printf(&g->out, "P(sim.run, sim, %s)\n", runs[fz_u8(&g->in) % 8]);
        break;
    }
    case 8: /* a sysctl read or write */
        fz_puts(&g->out, "P(function() ");
        fz_puts(&g->out, fz_u8(&g->in) & 1 ? "B" : "A");
        fz_puts(&g->out, ".sysctl[");
        fz_setting_name(g);
        fz_puts(&g->out, "] = ");
        fz_value(g, depth + 1);
        fz_puts(&g->out, " end)\n");
        break;
    case 9: /* a field read, a field write, tostring, comparison */
        fz_puts(&g->out, "P(function() local o = ");
        fz_value(g, depth + 1);
        switch (fz_u8(&g->in) % 4) {
        case 0: fz_puts(&g->out, "; return o["); fz_string(g); fz_puts(&g->out, "]"); break;
        case 1: fz_puts(&g->out, "; o["); fz_string(g); fz_puts(&g->out, "] = "); fz_value(g, depth + 1); break;
        case 2: fz_puts(&g->out, "; return tostring(o), #o"); break;
        default: fz_puts(&g->out, "; return o == "); fz_slot(g); break;
        }
        fz_puts(&g->out, " end)\n");
        break;
    case 10:
    case 11: { /* a loop */
        static const char *const counts[] = {"2", "3", "10", "100", "1000", "5000"};
        fz_printf(&g->out, "for i = 1, %s do\n", counts[fz_u8(&g->in) % 6]);
        fz_stmt(g, depth + 1);
        fz_puts(&g->out, "end\n");
        break;
    }
    case 12: /* a coroutine of the script's own: the API called from another thread */
        fz_puts(&g->out, "P(coroutine.wrap(function() ");
        fz_stmt(g, depth + 1);
        fz_stmt(g, depth + 1);
        fz_puts(&g->out, " end))\n");
        break;
    case 13: fz_puts(&g->out, "collectgarbage(\"collect\")\n"); break;
    case 14: /* pause: the REPL would stop here */
        fz_puts(&g->out, "P(pause, ");
        fz_value(g, depth + 1);
        fz_puts(&g->out, ")\n");
        break;
    case 15: /* run_until with a condition that acts */
        fz_puts(&g->out, "P(sim.run_until, sim, ");
        fz_function(g, depth);
        fz_puts(&g->out, ", ");
        fz_value(g, depth + 1);
        fz_puts(&g->out, ")\n");
        break;
    case 16: /* a bare call: an error ends the scenario */
        if (fz_u8(&g->in) < 32)
            fz_method_call(g, depth, true);
        else
            fz_method_call(g, depth, false);
        break;
    default: fz_method_call(g, depth, false); break;
    }
}

/* The helpers every generated program starts with. V holds the objects and the results kept;
   M calls a method through a receiver (r[name] looked up inside the pcall, so indexing a
   wrong receiver is an error like any other); G calls a function; F reads a field. */
static const char fz_prelude[] =
    "local V = {A, B, net, sim}\n"
    "local P = pcall\n"
    "local function K(k, ok, x, ...) if ok and k > 0 then V[k] = x end return ok, x, ... end\n"
    "local function M(k, r, name, ...) return K(k, P(function(...) return r[name](...) end, ...)) end\n"
    "local function G(k, f, ...) return K(k, P(function(...) return f(...) end, ...)) end\n"
    "local function F(o, key) local ok, x = P(function() return o[key] end) if ok then return x end end\n";

/* ---- running it ---------------------------------------------------------------------------- */

static void
fz_debug(const char *what, const char *text)
{
    static int on = -1;
    if (on < 0)
        on = getenv("FZ_DEBUG") != NULL;
    if (on)
        fprintf(stderr, "---- %s\n%s\n", what, text);
}

/* A goals file generated from the rest of the input, checked against the run (lsim_goals). */
static void
fz_goals(struct lsim *l, struct fz_gen *g)
{
    char path[] = "/tmp/fuzz_lua_goalsXXXXXX";
    struct fz_buf *b = &g->out;
    g->stmts = 0;
    fz_puts(b, "goals {\n");
    for (int n = fz_u8(&g->in) % 4; n > 0; n--) {
        bool meta = fz_u8(&g->in) & 1; /* the goal's table reads through a metatable */
        fz_puts(b, meta ? "  setmetatable({ name = " : "  { name = ");
        fz_string(g);
        switch (fz_u8(&g->in) % 5) {
        case 0: fz_puts(b, ", state = "); fz_string(g); break;
        case 1: fz_puts(b, ", edge = {"); fz_string(g); fz_puts(b, ", "); fz_string(g); fz_puts(b, "}"); break;
        case 2: fz_puts(b, ", rule = "); fz_string(g); break;
        case 3: fz_puts(b, ", check = "); fz_function(g, 1); break;
        default: fz_puts(b, ", "); fz_key(g); fz_puts(b, " = "); fz_value(g, 1); break;
        }
        if (fz_u8(&g->in) & 1) {
            fz_puts(b, ", host = ");
            fz_value(g, FZ_MAX_DEPTH);
        }
        fz_puts(b, " }");
        if (meta) {
            fz_puts(b, ", { __index = ");
            fz_value(g, 1);
            fz_puts(b, " })");
        }
        fz_puts(b, ",\n");
    }
    fz_puts(b, "}\n");
    if (b->full)
        return;
    fz_debug("goals", b->s);
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, b->s, b->len) != (ssize_t)b->len)
        abort();
    close(fd);
    struct lsim_goal *goals = NULL;
    size_t ngoals = 0;
    char *err = NULL;
    if (lsim_goals(l, path, &goals, &ngoals, &err) == 0)
        lsim_goals_free(goals, ngoals);
    free(err);
    unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_names_init();
    struct fz_gen g = {.in = {.p = data, .n = size}};
    uint8_t how = fz_u8(&g.in);
    int mode = how & 3;
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    o.seed = fz_u8(&g.in);
    o.preset = (how & 4) ? TCP_PRESET_RFC : TCP_PRESET_LINUX;
    o.seed_fixed = o.preset_fixed = (how & 8) != 0;
    o.max_instructions = FZ_LUA_INSTRUCTIONS;
    o.max_events = FZ_LUA_EVENTS;
    int nstmts = fz_u8(&g.in);
    if (mode < 2)
        nstmts = FZ_MAX_STMTS;

    fz_puts(&g.out, fz_prelude);
    for (int n = 0; n < nstmts && fz_more(&g.in) && g.stmts < FZ_MAX_STMTS && !g.out.full; n++)
        fz_stmt(&g, 0);
    fz_debug("scenario", g.out.s);

    struct lsim *l = lsim_new(&o);
    if (!l)
        abort();
    if (lsim_load_string(l, g.out.s, "@fuzz.lua") != 0) {
        /* the generator writes only valid Lua: a syntax error is its bug */
        fprintf(stderr, "fuzz_lua: the generated scenario does not compile: %s\n", lsim_message(l));
        abort();
    }
    enum lsim_status st;
    if (mode == 2) {
        /* as the REPL: a few steps, then a line of Lua, again and again */
        for (int n = 0; n < FZ_MAX_EVALS; n++) {
            st = lsim_resume(l, 1 + fz_u8(&g.in) % 16);
            struct fz_buf saved = g.out;
            g.out = (struct fz_buf){0};
            g.stmts = 0;
            fz_stmt(&g, 1);
            if (g.out.s) {
                fz_debug("eval", g.out.s);
                char *out = NULL;
                lsim_eval(l, g.out.s, &out);
                free(out);
            }
            free(g.out.s);
            g.out = saved;
            if (st == LSIM_DONE || st == LSIM_FAILED)
                break;
        }
    }
    do
        st = lsim_resume(l, LSIM_FOREVER);
    while (st == LSIM_RUNNING || st == LSIM_PAUSED);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        lsim_print_recent(l, null, 8, "  ");
        fclose(null);
    }
    free(g.out.s);
    g.out = (struct fz_buf){0};
    if (mode == 3)
        fz_goals(l, &g);
    lsim_free(l);
    free(g.out.s);
    return 0;
}
