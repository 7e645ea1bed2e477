/*
 * lsim.c - the scenario runner: one sandboxed Lua state per world, the scenario's coroutine,
 * and the limits that keep a student's script from hanging or sinking a run.
 *
 * Entry points in the order a run uses them: lsim_new, lsim_fix_setting (settings from
 * outside, lsim_grade.c), lsim_load (or lsim_load_string), lsim_resume (again and again),
 * lsim_eval (between resumes, lsim_eval.c), lsim_goals (lsim_grade.c), lsim_free.
 *
 * Limits:
 *   memory        lsim_alloc refuses to grow the state past opts.max_memory;
 *   instructions  a count hook on every thread (the scenario's, eval's and every coroutine the
 *                 script creates, see lsim_sandbox.c) adds up VM instructions; C work is
 *                 charged too, by the bytes it allocates (lsim_alloc) or scans;
 *   virtual time, events   checked by lsim_step before each world event;
 * A limit, once hit, is sticky: every later instruction raises it again, so a pcall cannot
 * swallow it and go on. Messages name the script's file with its whole path (lsim_source).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lualib.h>

#include "lsim_internal.h"
#include "tcpsim/out.h"

/* ---- small helpers ---------------------------------------------------------------------- */

char *
lsim_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void
lsim_set_message(struct lsim *l, const char *text)
{
    free(l->message);
    l->message = text ? lsim_strdup(text) : NULL;
}

const char *
lsim_status_name(enum lsim_status s)
{
    switch (s) {
    case LSIM_EMPTY:
        return "empty";
    case LSIM_READY:
        return "ready";
    case LSIM_RUNNING:
        return "running";
    case LSIM_PAUSED:
        return "paused";
    case LSIM_DONE:
        return "done";
    case LSIM_FAILED:
        return "failed";
    }
    return "?";
}

struct lsim *
lsim_get(lua_State *L)
{
    void *ud = NULL;
    (void)lua_getallocf(L, &ud);
    return ud;
}

struct world *
lsim_world_check(lua_State *L)
{
    struct lsim *l = lsim_get(L);
    if (!l->w)
        luaL_error(L, "the simulated world is gone");
    return l->w;
}

void
lsim_set_int(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

void
lsim_set_num(lua_State *L, const char *k, lua_Number v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

void
lsim_set_str(lua_State *L, const char *k, const char *v)
{
    if (!v)
        return;
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

int
lsim_fail(lua_State *L, enum tcp_err e)
{
    lua_pushnil(L);
    lua_pushstring(L, tcp_err_name(e));
    return 2;
}

void
lsim_trace_call(struct world *w, const struct tcp_conn *c, enum tcp_err err, const char *text)
{
    if (!world_traced(w))
        return;
    struct trace_event ev = {
        .kind = TRACE_CALL, .host = c->host->index, .conn = c->id, .conn_name = c->name, .text = text,
        .err = err, .from_state = c->state, .to_state = c->state,
    };
    world_emit(w, &ev);
}

void
lsim_override_add(struct lsim *l, const struct lsim_override *o)
{
    if (l->novr == l->capovr) {
        size_t ncap = l->capovr ? l->capovr * 2 : 16;
        struct lsim_override *n = realloc(l->ovr, ncap * sizeof *n);
        if (!n)
            return;
        l->ovr = n;
        l->capovr = ncap;
    }
    l->ovr[l->novr++] = *o;
}

/* Edit distance between 'a' and 'b' ignoring case (insertions, deletions, substitutions and
   swaps of neighbours, the typos people make), counted up to 'cap' (longer words: cap + 1). */
static size_t
lsim_distance(const char *a, const char *b, size_t cap)
{
    enum { MAXW = 48 };
    size_t n = strlen(a), m = strlen(b);
    if (n >= MAXW || m >= MAXW)
        return cap + 1;
    size_t d[MAXW][MAXW];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m] > cap ? cap + 1 : d[n][m];
}

const char *
lsim_nearest(const char *word, const char *const *names, size_t n)
{
    size_t len = strlen(word), cap = len <= 4 ? 1 : len <= 10 ? 2 : 3, best = cap + 1;
    const char *pick = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(names[i]);
        /* 'flag' for 'flags', 'LISTENING' for 'LISTEN': a word cut short, or run on */
        if ((len >= 3 && k > len && strncasecmp(names[i], word, len) == 0) ||
            (k >= 4 && len > k && strncasecmp(names[i], word, k) == 0))
            return names[i];
        size_t dist = lsim_distance(word, names[i], cap);
        if (dist < best) {
            best = dist;
            pick = names[i];
        }
    }
    return pick;
}

/* ---- memory ------------------------------------------------------------------------------ */

/* The Lua allocator, with the memory cap. Once the cap was hit, a little slack lets the
   failure be reported. What it hands out is charged to the instruction limit (see
   LSIM_BYTES_PER_INSTRUCTION); the count hook raises the limit at its next count, as an
   allocator must not raise. */
static void *
lsim_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct lsim *l = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        l->mem_used -= old;
        return NULL;
    }
    size_t cap = l->opts.max_memory;
    if (cap && l->fatal)
        cap += 1u << 20;
    if (cap && nsize > old && l->mem_used - old + nsize > cap) {
        l->mem_hit = true;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p) {
        l->mem_used = l->mem_used - old + nsize;
        if (nsize > old)
            l->instructions += (nsize - old) / LSIM_BYTES_PER_INSTRUCTION;
    }
    return p;
}

static int
lsim_panic(lua_State *L)
{
    fprintf(stderr, "tcpsim: unprotected Lua error: %s\n", lua_tostring(L, -1));
    abort();
}

/* ---- limits ------------------------------------------------------------------------------ */

/* The name of the chunk 'ar' runs in, whole: a file's path as it was given. Lua's short_src
   cuts a long path from the left ("...lab3/scenarios/x.lua"), which a FAIL line must not. */
static const char *
lsim_source(const lua_Debug *ar)
{
    return ar->source[0] == '@' || ar->source[0] == '=' ? ar->source + 1 : ar->short_src;
}

/* "file:line" of the innermost Lua function running on 'L' at 'level' or above, into 'buf'
   ("?" when none). */
static const char *
lsim_where_from(lua_State *L, int level, char *buf, size_t cap)
{
    lua_Debug ar;
    for (; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(buf, cap, "%s:%d", lsim_source(&ar), ar.currentline);
            return buf;
        }
    }
    snprintf(buf, cap, "?");
    return buf;
}

static const char *
lsim_where(lua_State *L, char *buf, size_t cap)
{
    return lsim_where_from(L, 0, buf, cap);
}

const char *
lsim_caller(lua_State *L, char *buf, size_t cap)
{
    return lsim_where_from(L, 1, buf, cap);
}

/* 'msg' with a chunk name that Lua cut from the left at its start ("...x.lua:3: ...", as its
   own errors and luaL_error write them) made whole again, from the functions on 'T''s stack,
   into 'out'. */
static const char *
lsim_unshorten(lua_State *T, const char *msg, char *out, size_t cap)
{
    lua_Debug ar;
    if (strncmp(msg, "...", 3) != 0)
        return msg;
    for (int level = 0; lua_getstack(T, level, &ar); level++) {
        if (!lua_getinfo(T, "S", &ar))
            continue;
        size_t n = strlen(ar.short_src);
        if (strncmp(msg, ar.short_src, n) == 0 && msg[n] == ':') {
            snprintf(out, cap, "%s%s", lsim_source(&ar), msg + n);
            return out;
        }
    }
    return msg;
}

int
lsim_msgh(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    char whole[2048];
    if (msg && lsim_unshorten(L, msg, whole, sizeof whole) == whole)
        lua_pushstring(L, whole);
    else
        lua_pushvalue(L, 1);
    return 1;
}

int
lsim_limit_error(lua_State *L, const char *what)
{
    struct lsim *l = lsim_get(L);
    if (!l->fatal) {
        char where[1024], msg[1536];
        snprintf(msg, sizeof msg, "%s: %s", lsim_where(L, where, sizeof where), what);
        l->fatal = lsim_strdup(msg);
    }
    lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT, 1);
    lua_pushstring(L, l->fatal ? l->fatal : what);
    return lua_error(L);
}

void
lsim_charge(lua_State *L, uint64_t n)
{
    struct lsim *l = lsim_get(L);
    l->instructions += n;
    if (l->opts.max_instructions && l->instructions > l->opts.max_instructions) {
        char what[384];
        int k = snprintf(what, sizeof what, "instruction limit (%llu) exceeded",
                         (unsigned long long)l->opts.max_instructions);
        /* A loop that polls a socket or the clock (while c.state ~= "ESTABLISHED" do end)
           never lets an event happen: what it waits for cannot come. */
        if (l->w && l->looks >= LSIM_POLL_LOOKS)
            snprintf(what + k, sizeof what - (size_t)k,
                     ": the script looked at its sockets or the clock %llu times while the clock stood "
                     "still at %g s; a loop that waits for the network must let time pass: call "
                     "sim:run(seconds), sim:step() or sim:run_until(fn)",
                     (unsigned long long)l->looks, clk_to_sec(world_now(l->w)));
        lsim_limit_error(L, what);
    }
}

static void
lsim_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    struct lsim *l = lsim_get(L);
    if (l->fatal)
        lsim_limit_error(L, l->fatal);
    if (l->mem_hit && l->mem_used < l->opts.max_memory - l->opts.max_memory / 8)
        l->mem_hit = false; /* Lua's emergency collection made room: a passing peak */
    if (l->mem_hit) {
        char what[96];
        snprintf(what, sizeof what, "memory limit (%zu bytes) exceeded", l->opts.max_memory);
        lsim_limit_error(L, what);
    }
    lsim_charge(L, LSIM_HOOK_EVERY);
    lsim_eval_check(L, l);
}

void
lsim_eval_check(lua_State *L, struct lsim *l)
{
    if (!l->evaluating)
        return;
    l->eval_checks++;
    /* sticky, as a limit is: a pcall in the typed line cannot swallow it and loop on */
    if ((l->intr_flag && *l->intr_flag) || (l->eval_stop && l->eval_checks >= l->eval_stop)) {
        l->eval_intr = l->eval_checks;
        lsim_limit_error(L, "interrupted");
    }
}

bool
lsim_hold(lua_State *L, struct lsim *l, clk_time to)
{
    if (to <= l->horizon || to == CLK_NEVER || L != l->co || !lua_isyieldable(L))
        return false;
    /* 'to' is the first instant the call would reach, so no event is due up to the horizon */
    world_run_until_time(l->w, l->horizon);
    l->why = LSIM_Y_BUDGET;
    return true;
}

void
lsim_look(struct lsim *l)
{
    clk_time now = l->w ? world_now(l->w) : 0;
    if (now != l->look_at) {
        l->look_at = now;
        l->looks = 0;
    }
    l->looks++;
}

void
lsim_hook_thread(struct lsim *l, lua_State *T)
{
    lua_sethook(T, lsim_hook, LUA_MASKCOUNT, l->fatal ? 1 : LSIM_HOOK_EVERY);
}

bool
lsim_step(lua_State *L, struct lsim *l, clk_time next)
{
    struct world *w = lsim_world_check(L);
    if (next == CLK_NEVER)
        return false;
    if (next > l->time_cap) {
        char what[96];
        snprintf(what, sizeof what, "virtual time limit (%g s) reached", l->opts.max_time);
        lsim_limit_error(L, what);
    }
    if (l->opts.max_events && w->steps >= l->opts.max_events) {
        char what[96];
        snprintf(what, sizeof what, "event limit (%llu events) reached",
                 (unsigned long long)l->opts.max_events);
        lsim_limit_error(L, what);
    }
    if (l->interrupt && L != l->co)
        luaL_error(L, "interrupted");
    lsim_eval_check(L, l);
    if (w->nretire) /* no pointer to a connection is held here: records replace closed TCBs */
        world_retire(w);
    world_step(w);
    l->looks = 0;
    if (l->budget != LSIM_FOREVER && l->budget > 0)
        l->budget--;
    return true;
}

bool
lsim_should_yield(lua_State *L, const struct lsim *l)
{
    return L == l->co && lua_isyieldable(L) && (l->budget == 0 || l->interrupt);
}

static int
lsim_action_k(lua_State *L, int status, lua_KContext nres)
{
    (void)L;
    (void)status;
    return (int)nres;
}

int
lsim_action(lua_State *L, int nres)
{
    struct lsim *l = lsim_get(L);
    if (L == l->co && l->budget != LSIM_FOREVER && l->budget > 0)
        l->budget--;
    return lsim_maybe_yield(L, nres);
}

bool
lsim_yield_due(lua_State *L, struct lsim *l)
{
    if (!lsim_should_yield(L, l))
        return false;
    l->why = LSIM_Y_BUDGET;
    return true;
}

int
lsim_maybe_yield(lua_State *L, int nres)
{
    if (lsim_yield_due(L, lsim_get(L)))
        return lua_yieldk(L, 0, nres, lsim_action_k);
    return nres;
}

/* ---- life cycle --------------------------------------------------------------------------- */

struct lsim *
lsim_new(const struct lsim_opts *o)
{
    static const struct lsim_opts defaults = LSIM_OPTS_DEFAULT;
    struct lsim *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->opts = o ? *o : defaults;
    l->time_cap = l->opts.max_time > 0 ? clk_from_sec(l->opts.max_time) : CLK_NEVER;
    l->co_ref = LUA_NOREF;
    l->horizon = CLK_NEVER;
    if (l->opts.world) {
        l->w = l->opts.world;
        l->log = l->opts.log;
    } else {
        struct world_config cfg = {.seed = l->opts.seed, .preset = l->opts.preset};
        l->w = world_new(&cfg);
        /* a script's connections end as records (tcp_rec.c): handles are ids, and lsim_step
           is where no pointer to a connection is held */
        if (l->w && world_compact(l->w) != 0) {
            world_free(l->w);
            l->w = NULL;
        }
        l->owns_world = true;
    }
    if (!l->log) {
        l->log = &l->own_log;
        trace_log_init(l->log);
        trace_log_set_window(l->log, LSIM_TRACE_WINDOW);
        /* sim:trace and the pictures drawn from the log show no TCB; the web page (--html)
           reads it from the live events */
        trace_log_set_keep_tcb(l->log, false);
        if (l->w)
            world_observe_no_tcb(l->w, trace_log_observe, l->log);
    }
    l->L = l->w ? lua_newstate(lsim_alloc, l) : NULL;
    if (!l->L) {
        lsim_free(l);
        return NULL;
    }
    lua_atpanic(l->L, lsim_panic);
    lsim_hook_thread(l, l->L);
    lsim_open_sandbox(l->L);
    lsim_open_hosts(l->L);
    lsim_open_net(l->L);
    lsim_open_sim(l->L);
    return l;
}

void
lsim_free(struct lsim *l)
{
    if (!l)
        return;
    if (l->L)
        lua_close(l->L);
    if (l->w && l->log == &l->own_log)
        world_unobserve(l->w, trace_log_observe, l->log);
    if (l->owns_world)
        world_free(l->w);
    if (l->log == &l->own_log)
        trace_log_fini(&l->own_log);
    free(l->message);
    free(l->title);
    free(l->summary);
    free(l->dir);
    free(l->pause_text);
    free(l->fatal);
    free(l->ovr);
    free(l->fixed);
    free(l);
}

/* A fresh coroutine for the scenario, with the chunk from 'load' on it. */
static int
lsim_load_common(struct lsim *l, int (*load)(lua_State *T, const void *a, const void *b),
                 const void *a, const void *b)
{
    lua_State *L = l->L;
    if (l->co_ref != LUA_NOREF)
        luaL_unref(L, LUA_REGISTRYINDEX, l->co_ref);
    l->co = lua_newthread(L);
    l->co_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lsim_hook_thread(l, l->co);
    if (load(l->co, a, b) != LUA_OK) {
        lsim_set_message(l, lua_tostring(l->co, -1) ? lua_tostring(l->co, -1) : "cannot load");
        lua_settop(l->co, 0);
        l->status = LSIM_EMPTY;
        return -1;
    }
    lsim_set_message(l, "");
    l->status = LSIM_READY;
    return 0;
}

static int
lsim_load_file_fn(lua_State *T, const void *path, const void *unused)
{
    (void)unused;
    return luaL_loadfilex(T, path, "t");
}

static int
lsim_load_str_fn(lua_State *T, const void *code, const void *name)
{
    return luaL_loadbufferx(T, code, strlen(code), name, "t");
}

/* The folder of file 'path', where require looks for the scenario's modules. */
static void
lsim_set_dir(struct lsim *l, const char *path)
{
    free(l->dir);
    l->dir = NULL;
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash)
        return;
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    l->dir = malloc(n + 1);
    if (l->dir) {
        memcpy(l->dir, path, n);
        l->dir[n] = '\0';
    }
}

bool
lsim_is_goals_file(const char *path)
{
    size_t n = strlen(path), k = strlen(".goals.lua");
    return n > k && strcmp(path + n - k, ".goals.lua") == 0;
}

int
lsim_load(struct lsim *l, const char *path)
{
    lsim_set_dir(l, path);
    if (lsim_is_goals_file(path) && !l->goals_mode) {
        char msg[1200];
        snprintf(msg, sizeof msg, "%s is a goals file (by its name, NAME.goals.lua), not a scenario: give it to "
                                  "tcpsim test --goals",
                 path);
        lsim_set_message(l, msg);
        l->status = LSIM_EMPTY;
        return -1;
    }
    return lsim_load_common(l, lsim_load_file_fn, path, NULL);
}

int
lsim_load_string(struct lsim *l, const char *code, const char *chunkname)
{
    lsim_set_dir(l, chunkname && chunkname[0] == '@' ? chunkname + 1 : NULL);
    return lsim_load_common(l, lsim_load_str_fn, code, chunkname ? chunkname : "=scenario");
}

/* The failure message for an error on thread 'T' (its error object on top). */
static void
lsim_failure(struct lsim *l, lua_State *T, int status)
{
    char where[1024], buf[4096];
    const char *msg = lua_tostring(T, -1);
    lsim_where(T, where, sizeof where);
    if (l->fatal) {
        lsim_set_message(l, l->fatal);
        return;
    }
    if (status == LUA_ERRMEM || l->mem_hit) {
        snprintf(buf, sizeof buf, "%s: memory limit (%zu bytes) exceeded", where, l->opts.max_memory);
    } else if (!msg) {
        snprintf(buf, sizeof buf, "%s: (error object is a %s value)", where, luaL_typename(T, -1));
    } else {
        char whole[2048];
        msg = lsim_unshorten(T, msg, whole, sizeof whole);
        /* error("x", 0) and errors from C carry no position: give the script's. */
        size_t wl = strcspn(where, ":");
        if (strncmp(msg, where, wl) == 0 && msg[wl] == ':')
            snprintf(buf, sizeof buf, "%s", msg);
        else
            snprintf(buf, sizeof buf, "%s: %s", where, msg);
    }
    lsim_set_message(l, buf);
}

enum lsim_status
lsim_resume(struct lsim *l, uint64_t budget)
{
    return lsim_resume_to(l, budget, CLK_NEVER);
}

enum lsim_status
lsim_resume_to(struct lsim *l, uint64_t budget, clk_time horizon)
{
    if (l->status != LSIM_READY && l->status != LSIM_RUNNING && l->status != LSIM_PAUSED)
        return l->status;
    l->budget = budget ? budget : 1;
    l->horizon = horizon;
    l->interrupt = 0;
    l->why = LSIM_Y_NONE;
    int nres = 0;
    int st = lua_resume(l->co, l->L, 0, &nres);
    switch (st) {
    case LUA_OK:
        lua_pop(l->co, nres);
        l->status = l->fatal ? LSIM_FAILED : LSIM_DONE;
        lsim_set_message(l, l->fatal ? l->fatal : "");
        if (l->status == LSIM_DONE && !l->goals_mode && lsim_scenario_goals(l) != 0)
            l->status = LSIM_FAILED;
        break;
    case LUA_YIELD:
        lua_pop(l->co, nres);
        l->status = l->why == LSIM_Y_PAUSE ? LSIM_PAUSED : LSIM_RUNNING;
        lsim_set_message(l, l->why == LSIM_Y_PAUSE && l->pause_text ? l->pause_text : "");
        break;
    default:
        lsim_failure(l, l->co, st);
        l->status = LSIM_FAILED;
        break;
    }
    l->horizon = CLK_NEVER;
    return l->status;
}

enum lsim_status
lsim_status(const struct lsim *l)
{
    return l->status;
}

const char *
lsim_message(const struct lsim *l)
{
    return l->message ? l->message : "";
}

void
lsim_interrupt(struct lsim *l)
{
    l->interrupt = 1;
}

void
lsim_set_interrupt_flag(struct lsim *l, volatile sig_atomic_t *flag)
{
    l->intr_flag = flag;
}

uint64_t
lsim_eval_interrupted(const struct lsim *l)
{
    return l->eval_intr;
}

void
lsim_eval_stop_at(struct lsim *l, uint64_t n)
{
    l->eval_stop = n;
}

struct world *
lsim_world(const struct lsim *l)
{
    return l->w;
}

const struct trace_log *
lsim_log(const struct lsim *l)
{
    return l->log;
}

void
lsim_trace_window(struct lsim *l, size_t window)
{
    if (l->log == &l->own_log)
        trace_log_set_window(l->log, window);
}

const char *
lsim_title(const struct lsim *l)
{
    return l->title;
}

const char *
lsim_summary(const struct lsim *l)
{
    return l->summary;
}

/* ---- reporting ----------------------------------------------------------------------------- */

void
lsim_print_recent(const struct lsim *l, FILE *f, size_t n, const char *prefix)
{
    struct trace_event pick[32];
    size_t k = 0;
    if (n > 32)
        n = 32;
    /* walk back over the events worth showing, then print them oldest first */
    for (size_t i = l->log->len; i > 0 && k < n; i--) {
        enum trace_kind kind = trace_log_kind(l->log, i - 1);
        if (kind == TRACE_TIMER_ARM || kind == TRACE_TIMER_CANCEL)
            continue;
        pick[n - 1 - k++] = trace_log_get(l->log, i - 1);
    }
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    o.absolute_seq = true;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return;
    struct out_text *t = out_text_new(mem, &o);
    for (size_t i = n - k; t && i < n; i++)
        out_text_observe(&pick[i], t);
    out_text_free(t);
    fclose(mem);
    for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        fprintf(f, "%s%.*s\n", prefix ? prefix : "", nl ? (int)(nl - line) : (int)strlen(line), line);
    }
    free(text);
}
