/*
 * lsim_eval.c - a line of Lua run between resumes: the REPL's `lua CODE` and `=EXPR` (lsim_eval),
 * in the paused scenario's scope and under the runner's limits.
 *
 * The line runs on a thread of its own, so the scenario's coroutine stays where it paused. Its
 * environment (lsim_repl_env, lsim_repl.c) reads the session's locals first, then the paused
 * scenario's locals (lsim_eval_index, innermost first), then its globals. It runs outside the
 * resume's budget; a limit the line alone hits (memory, instructions) is reported as its
 * result, and the scenario lives on. Ctrl-C stops it (lsim_set_interrupt_flag).
 */
#include <stdlib.h>
#include <string.h>

#include "lsim_internal.h"

/* __index of eval's environment: a local of the paused scenario (innermost first), else a
   global. (lsim_repl.c looks at the session's own locals first.) */
int
lsim_eval_index(lua_State *L)
{
    struct lsim *l = lsim_get(L);
    const char *key = lua_tostring(L, 2);
    lua_Debug ar;
    if (key && l->co && (l->status == LSIM_RUNNING || l->status == LSIM_PAUSED)) {
        for (int level = 0; lua_getstack(l->co, level, &ar); level++) {
            const char *found = NULL;
            for (int i = 1;; i++) {
                const char *name = lua_getlocal(l->co, &ar, i);
                if (!name)
                    break;
                if (name[0] != '(' && strcmp(name, key) == 0) {
                    lua_xmove(l->co, L, 1);
                    found = name; /* later locals of the same name shadow earlier ones */
                    continue;
                }
                lua_pop(l->co, 1);
            }
            if (found)
                return 1;
        }
    }
    lua_pushglobaltable(L);
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

int
lsim_join(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        lsim_tostring(L, i);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    return 1;
}

int
lsim_eval(struct lsim *l, const char *code, char **out)
{
    lua_State *L = l->L;
    int base = lua_gettop(L), nres = 0;
    *out = NULL;
    l->eval_intr = 0;
    lua_State *T = lua_newthread(L);
    lsim_hook_thread(l, T);
    /* a top-level `local` becomes a session local (lsim_repl.c) */
    char *local = lsim_repl_rewrite(code);
    size_t n = local ? strlen(local) : 0;
    char *ret = local ? malloc(n + 8) : NULL;
    if (!ret) {
        free(local);
        lua_settop(L, base);
        *out = lsim_strdup("not enough memory");
        return -1;
    }
    memcpy(ret, "return ", 7);
    memcpy(ret + 7, local, n + 1);
    const char *why = NULL; /* a failure with nothing on the stack to say so */
    int st = luaL_loadbufferx(T, ret, n + 7, "=eval", "t");
    free(ret);
    if (st != LUA_OK) {
        lua_pop(T, 1);
        st = luaL_loadbufferx(T, local, n, "=eval", "t");
    }
    free(local);
    if (st != LUA_OK) {
        lua_xmove(T, L, 1); /* the syntax error */
    } else {
        /* _ENV: reads the session's locals, then the scenario's locals and globals; writes
           session locals, else globals */
        lsim_repl_env(T);
        lua_setupvalue(T, -2, 1);
        uint64_t saved = l->budget, instructions = l->instructions;
        bool had_fatal = l->fatal != NULL;
        l->budget = LSIM_FOREVER;
        l->interrupt = 0;
        l->evaluating = true;
        l->eval_checks = 0;
        st = lua_resume(T, L, 0, &nres);
        if (st != LUA_OK && st != LUA_YIELD) {
            lua_xmove(T, L, 1); /* the error */
        } else if (!lua_checkstack(L, nres + 1)) {
            why = "not enough memory";
            st = LUA_ERRMEM;
        } else {
            /* The results are joined on the main thread ('T' may be suspended) and under
               lua_pcall: a __tostring may fail, loop or run out of memory. */
            lua_pushcfunction(L, lsim_repl_show);
            lua_xmove(T, L, nres);
            st = lua_pcall(L, nres, 1, 0);
        }
        l->evaluating = false;
        l->budget = saved;
        if (!had_fatal && l->fatal) {
            /* a limit hit by this line alone: report it, but the scenario lives on */
            lua_pushstring(L, l->fatal);
            why = NULL;
            free(l->fatal);
            l->fatal = NULL;
            l->mem_hit = false;
            l->instructions = instructions;
            lsim_hook_thread(l, L); /* the limit set the main thread's hook to every instruction */
        }
    }
    l->eval_stop = 0;
    int rc = st == LUA_OK ? 0 : -1;
    const char *m = why ? why : lua_tostring(L, -1);
    *out = lsim_strdup(m ? m : "error");
    lua_settop(L, base);
    if (!*out) {
        *out = lsim_strdup("");
        rc = -1;
    }
    return rc;
}
