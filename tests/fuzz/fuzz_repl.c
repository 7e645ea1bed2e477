/*
 * fuzz_repl.c - the REPL fuzzer: one input is a session, a sequence of command lines typed at
 * the prompt, fed to the REPL's dispatcher (repl_exec) as repl_loop feeds the lines it reads.
 *
 * Input layout:
 *   byte 0      the session: bits 0-1 the scenario (0, 1 a bare world; 2 tests/repl/scenario.lua,
 *               3 scripts/05-simultaneous-close.lua: paused at time 0, as `tcpsim repl FILE`),
 *               bits 2-3 the event format (rfc, tcpdump, jsonl, rfc), bit 4 the RFC preset,
 *               bit 5 colour, bit 6 echo
 *   byte 1      the world's seed
 *   the rest    command lines, separated by '\n' (a NUL ends a line early, as it would for
 *               a line read by getline and handed to repl_exec)
 * The scenario paths are relative: run the target from the top of the tree, as make does.
 *
 * Whatever the lines say, the session must not crash, leak, trip a sanitizer, abort or hang;
 * errors printed at the prompt are fine. What it prints goes to /dev/null.
 *
 * A session can ask for unbounded work (`continue` on a keep-alive connection never ends,
 * `lua sim:run(1e6)`, `back` replays everything so far), which at the prompt Ctrl-C or the
 * Lua limits stop. Here, so that every input ends quickly:
 *   - the runs of repl_go stop as at Ctrl-C once the input has used FZ_STEPS clock events
 *     (repl_interrupted is wrapped: the link uses -Wl,--wrap=repl_interrupted);
 *   - Lua typed at the prompt, and the scenario, run under smaller limits than the runner's
 *     defaults (lsim_new is wrapped the same way): FZ_LUA_INSTRUCTIONS instructions and
 *     FZ_STEPS events per world;
 *   - the lines stop once the input has used FZ_COST: clock events, counting every event a
 *     `back` or `rewind` replays, and FZ_REPLAY_COST for each replay whatever it held;
 *   - at most FZ_LINES lines.
 * These are test-only wrappers around the two functions; the REPL itself is unchanged.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/lsim.h"
#include "tcpsim/repl.h"
#include "tcpsim/world.h"
#include "fuzz.h"

#define FZ_STEPS 2000           /* clock events one world may process */
#define FZ_COST 8000            /* clock events the whole input may cost, replays included */
#define FZ_REPLAY_COST 250      /* what a replay costs at least (its Lua, its commands) */
#define FZ_LINES 200
#define FZ_LUA_INSTRUCTIONS 500000u
#define FZ_LUA_MEMORY (16u << 20)

/* The session being fuzzed, for the two wrappers, which take no context: the linker calls
   them in place of the REPL's functions. NULL outside LLVMFuzzerTestOneInput. */
static struct fz_repl {
    struct repl *r;
    const struct world *w;  /* the world the current line started on */
    uint64_t base;          /* its clock events then */
    uint64_t cost;          /* clock events spent by the lines before */
} *fz_session;

bool __real_repl_interrupted(void);
bool __wrap_repl_interrupted(void);
struct lsim *__real_lsim_new(const struct lsim_opts *o);
struct lsim *__wrap_lsim_new(const struct lsim_opts *o);

/* Clock events the input has used so far, the current line's included. */
static uint64_t
fz_used(const struct fz_repl *s)
{
    const struct world *w = repl_world(s->r);
    if (!w)
        return s->cost;
    /* after a replay the line goes on in a new world: all of its events are this line's */
    return s->cost + (w == s->w ? w->steps - s->base : w->steps);
}

/* "Ctrl-C" once the input has used its clock events; else whatever the real flag says. */
bool
__wrap_repl_interrupted(void)
{
    if (fz_session && fz_used(fz_session) >= FZ_COST)
        return true;
    if (fz_session && repl_world(fz_session->r) && repl_world(fz_session->r)->steps >= FZ_STEPS)
        return true;
    return __real_repl_interrupted();
}

/* The REPL's Lua state (the scenario's, or an empty one for `lua`), with smaller limits. */
struct lsim *
__wrap_lsim_new(const struct lsim_opts *o)
{
    static const struct lsim_opts defaults = LSIM_OPTS_DEFAULT;
    struct lsim_opts small = o ? *o : defaults;
    if (fz_session) {
        small.max_instructions = FZ_LUA_INSTRUCTIONS;
        small.max_events = FZ_STEPS;
        small.max_memory = FZ_LUA_MEMORY;
    }
    return __real_lsim_new(&small);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const scenarios[4] = {NULL, NULL, "tests/repl/scenario.lua",
                                             "scripts/05-simultaneous-close.lua"};
    static const enum out_format formats[4] = {OUT_FMT_RFC, OUT_FMT_TCPDUMP, OUT_FMT_JSONL, OUT_FMT_RFC};
    if (size < 2)
        return 0;
    FILE *out = fopen("/dev/null", "w");
    if (!out)
        abort();
    struct repl_opts o;
    repl_opts_default(&o, stdin, out);
    o.scenario = scenarios[data[0] & 3];
    o.format = formats[(data[0] >> 2) & 3];
    o.preset = (data[0] & 16) ? TCP_PRESET_RFC : TCP_PRESET_LINUX;
    o.color = (data[0] & 32) != 0;
    o.echo = (data[0] & 64) != 0;
    o.seed = data[1];
    struct fz_repl s = {0};
    fz_session = &s;
    s.r = repl_new(&o);
    if (!s.r) {
        fprintf(stderr, "fuzz_repl: no session (run from the top of the tree: %s)\n",
                o.scenario ? o.scenario : "bare world");
        abort();
    }
    /* the lines, each a C string */
    char *text = malloc(size - 2 + 1);
    if (!text)
        abort();
    memcpy(text, data + 2, size - 2);
    text[size - 2] = '\0';
    char *line = text, *end = text + (size - 2);
    for (int n = 0; n < FZ_LINES && line <= end && s.cost < FZ_COST; n++) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        if (nl)
            *nl = '\0';
        s.w = repl_world(s.r);
        s.base = s.w ? s.w->steps : 0;
        const struct world *before = s.w;
        enum repl_status st = repl_exec(s.r, line);
        s.cost = fz_used(&s);
        if (repl_world(s.r) != before) /* `back` or `rewind`: a fresh world, replayed */
            s.cost += FZ_REPLAY_COST;
        if (st == REPL_EXIT || !nl)
            break;
        line = nl + 1;
    }
    free(text);
    repl_free(s.r);
    fz_session = NULL;
    fclose(out);
    return 0;
}
