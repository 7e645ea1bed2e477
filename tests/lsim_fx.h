/*
 * lsim_fx.h - helpers for the tests of the Lua runner (tests/test_lsim_*.c): run a chunk of
 * Lua to its end and keep what it said. Header-only (static inline) so each test file gets
 * its own copy and fixture.c stays the engine's.
 */
#ifndef TCPSIM_TEST_LSIM_FX_H
#define TCPSIM_TEST_LSIM_FX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/lsim.h"
#include "tcpsim/out.h"

/* Resume 'l' until it is done or failed (passing through pauses). */
static inline enum lsim_status
lfx_finish(struct lsim *l)
{
    enum lsim_status s;
    do
        s = lsim_resume(l, LSIM_FOREVER);
    while (s == LSIM_RUNNING || s == LSIM_PAUSED);
    return s;
}

/* A runner with default options and 'code' loaded as chunk "@t.lua" (messages say "t.lua:N:"). */
static inline struct lsim *
lfx_new(const char *code)
{
    struct lsim *l = lsim_new(NULL);
    if (l && lsim_load_string(l, code, "@t.lua") != 0) {
        fprintf(stderr, "load: %s\n", lsim_message(l));
        lsim_free(l);
        return NULL;
    }
    return l;
}

/* Run 'code' to its end; the final status, and the message copied into 'msg'. */
static inline enum lsim_status
lfx_run(const char *code, char *msg, size_t cap)
{
    struct lsim *l = lfx_new(code);
    if (!l)
        return LSIM_EMPTY;
    enum lsim_status s = lfx_finish(l);
    if (msg)
        snprintf(msg, cap, "%s", lsim_message(l));
    if (s == LSIM_FAILED && !msg) /* unexpected: say why */
        fprintf(stderr, "scenario failed: %s\n", lsim_message(l));
    lsim_free(l);
    return s;
}

/* The whole trace of a run of file 'path' with 'seed', as jsonl, malloc'd. */
static inline char *
lfx_trace_of(const char *path, uint64_t seed)
{
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    o.seed = seed;
    o.seed_fixed = true;
    struct lsim *l = lsim_new(&o);
    char *text = NULL;
    size_t len = 0;
    if (!l || lsim_load(l, path) != 0 || lfx_finish(l) != LSIM_DONE) {
        lsim_free(l);
        return NULL;
    }
    FILE *f = open_memstream(&text, &len);
    struct out_text_opts to = OUT_TEXT_OPTS_DEFAULT;
    to.format = OUT_FMT_JSONL;
    to.show_timers = true;
    out_text_log(f, lsim_log(l), &to);
    fclose(f);
    lsim_free(l);
    return text;
}

#endif
