/*
 * lsim.h - running Lua scenarios: the sandboxed Lua 5.4 state, the binding (A, B, net, sim,
 * sockets, expect...), and the runner that drives a scenario one slice at a time.
 *
 * A scenario is a Lua chunk run inside a coroutine. Every blocking call it makes (sim:run,
 * sim:run_until, sim:step) and every action (a socket call, a wire rule, say) is a point where
 * the runner may hand control back to whoever drives it, so the REPL can stop between any two
 * events, and a batch run simply resumes until the end. docs/lua-api.md lists the API a script
 * sees.
 *
 * Life cycle:
 *   1. l = lsim_new(&opts)           a fresh world (or a borrowed one) and a sandboxed Lua state
 *   2. lsim_load(l, path)            compile the scenario (text only); status LSIM_READY
 *   3. lsim_resume(l, budget)        run until 'budget' steps are used (LSIM_RUNNING), pause()
 *                                    (LSIM_PAUSED, lsim_message() = its text), the end
 *                                    (LSIM_DONE), or a failure (LSIM_FAILED, lsim_message() =
 *                                    "file:line: reason"); call again to go on
 *   4. lsim_eval(l, code, &out)      at any point between resumes: a line of Lua in the
 *                                    scenario's environment (its globals, and the locals of the
 *                                    paused scenario, read-only)
 *   5. lsim_free(l)
 *
 * A step is one world event (a segment arrival, a timer expiry) or one script action. Limits
 * (instructions, memory, virtual time, events, sockets) stop a runaway script with a message
 * naming the file and line; they are set in lsim_opts and are on by default.
 */
#ifndef TCPSIM_LSIM_H
#define TCPSIM_LSIM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpsim/trace.h"
#include "tcpsim/world.h"

/* Where a scenario stands. */
enum lsim_status {
    LSIM_EMPTY,   /* nothing loaded yet (or the load failed) */
    LSIM_READY,   /* loaded, not started */
    LSIM_RUNNING, /* started; stopped because the budget ran out or lsim_interrupt() */
    LSIM_PAUSED,  /* stopped at pause(text); resuming goes on after it */
    LSIM_DONE,    /* the chunk returned: the scenario passed */
    LSIM_FAILED,  /* an error, a failed expect, or a limit: lsim_message() says where */
};

/* "running", "paused", ... */
const char *lsim_status_name(enum lsim_status s);

/* A budget that never runs out: lsim_resume(l, LSIM_FOREVER) runs to pause(), end or failure. */
#define LSIM_FOREVER UINT64_MAX

struct lsim_opts {
    uint64_t seed;              /* world seed (a script's sim:config may change it ...) */
    enum tcp_preset preset;     /* world preset (... likewise) */
    bool seed_fixed;            /* ... unless fixed here: sim:config's seed is then ignored */
    bool preset_fixed;          /* ... and its preset too (the command line wins) */
    uint64_t max_instructions;  /* Lua VM instructions; 0 = no limit */
    size_t max_memory;          /* bytes the Lua state may hold; 0 = no limit */
    double max_time;            /* virtual seconds the world may reach; 0 = no limit */
    uint64_t max_events;        /* world events processed; 0 = no limit */
    uint32_t max_sockets;       /* sockets a run may make (C memory the Lua cap does not see;
                                   each host's own limit is its nofile setting); 0 = no limit */
    struct world *world;        /* borrowed world; NULL: lsim makes and owns one */
    struct trace_log *log;      /* borrowed log of 'world' (with 'world' only); NULL: lsim
                                   keeps its own, observing from lsim_new on */
};
#define LSIM_OPTS_DEFAULT \
    { 1, TCP_PRESET_LINUX, false, false, 200000000u, 64u << 20, 1e6, 50000000u, 1000000u, NULL, NULL }

struct lsim;

/* A new runner with its world; NULL when out of memory. 'o' may be NULL (the defaults). */
struct lsim *lsim_new(const struct lsim_opts *o);
/* Free the Lua state, and the world and log when lsim owns them. NULL is a no-op. */
void lsim_free(struct lsim *l);

/* Compile scenario file 'path' (text chunks only). 0, or -1 with lsim_message() set. */
int lsim_load(struct lsim *l, const char *path);
/* The same from a string; 'chunkname' names it in messages ("@tests/x.lua" or "=repl"). */
int lsim_load_string(struct lsim *l, const char *code, const char *chunkname);

/* Run the loaded scenario for at most 'budget' steps (> 0). Returns the new status. Resuming
   a DONE or FAILED scenario returns that status again and does nothing. */
enum lsim_status lsim_resume(struct lsim *l, uint64_t budget);
/* The same, but the scenario's blocking calls (sim:run, sim:run_until, sim:wait_for, sim:step,
   sim:transfer, expect_segment) never take the clock past 'horizon': where they would, the
   clock stops at 'horizon' and the scenario yields (LSIM_RUNNING) inside the call, which goes
   on where it was at the next resume. The REPL's `run 0.5` and `break at 0.5` stop there even
   in the middle of a script's sim:run(60). CLK_NEVER: no horizon (lsim_resume). */
enum lsim_status lsim_resume_to(struct lsim *l, uint64_t budget, clk_time horizon);
enum lsim_status lsim_status(const struct lsim *l);
/* The pause() text (PAUSED), the failure "file:line: reason" (FAILED or a failed load), or "". */
const char *lsim_message(const struct lsim *l);
/* Ask the running scenario to stop at its next step (LSIM_RUNNING). Safe from a signal handler. */
void lsim_interrupt(struct lsim *l);
/* A flag the driver's SIGINT handler sets (NULL: none). While it is non-zero, lsim_eval stops
   the line it runs with the error "interrupted": a long loop typed at the prompt, or a
   sim:run() there, is checked every thousand Lua instructions and before every event. The
   driver clears the flag. */
void lsim_set_interrupt_flag(struct lsim *l, volatile sig_atomic_t *flag);
/* 0 when the last lsim_eval was not interrupted, else the number of the check that stopped it
   (1 for the first). To rebuild a world exactly, lsim_eval_stop_at(l, n) makes the next
   lsim_eval stop at its n-th check as if interrupted there (0: do not); the engine and the
   instruction count are deterministic, so it stops at the same point. */
uint64_t lsim_eval_interrupted(const struct lsim *l);
void lsim_eval_stop_at(struct lsim *l, uint64_t n);

/*
 * Evaluate 'code' in the scenario's environment, as lua.c does: "return <code>" first, then
 * <code> as a statement. Blocking calls run to completion (no budget). '*out' gets a malloc'd
 * text the caller frees: the results joined by tabs (may be ""; a table shows its contents,
 * nested, on several lines when long), or the error message. Returns 0 on success, -1 on
 * error. A failed expect, an error or a limit hit here (an endless loop typed at the prompt)
 * does not fail the scenario. Unlike lua.c, a `local` at the top level of 'code' lives on:
 * later evals read it (before the scenario's locals and globals), and it is no global.
 */
int lsim_eval(struct lsim *l, const char *code, char **out);

/* A frame of the running scenario's Lua code, innermost first (lsim_backtrace). */
struct lsim_frame {
    char file[256];  /* the file, as loaded ("scripts/05-simultaneous-close.lua") */
    int line;        /* the line it is at */
    char func[64];   /* the function's name, "" for the main chunk, "?" when unknown */
    char calls[64];  /* the function it is calling there ("run", "pause"), "" when none */
};
/* The frames of the scenario's Lua files, innermost first (at most 'max'); 0 when it is not
   started, has ended or failed. */
int lsim_backtrace(const struct lsim *l, struct lsim_frame *f, int max);

/* The world and its event log (both stay owned by lsim, or by whoever lent them). */
struct world *lsim_world(const struct lsim *l);
const struct trace_log *lsim_log(const struct lsim *l);
/* The events the runner's own log keeps: at least the last 'window' (0: every event), so that
   a long run's memory stays flat; sim:config{trace_window = n} sets it from the script. A
   borrowed log (lsim_opts.log, the REPL's) is its lender's to bound: left as it is. */
#define LSIM_TRACE_WINDOW 4096u
#define LSIM_TRACE_WINDOW_MAX 100000000
void lsim_trace_window(struct lsim *l, size_t window);
/* scenario{title=, summary=}: the texts, or NULL when the script gave none. */
const char *lsim_title(const struct lsim *l);
const char *lsim_summary(const struct lsim *l);
/* Print the last 'n' events of the log (segments, states, calls, says), one per line, each
   line starting with 'prefix' (for the context after a failure). */
void lsim_print_recent(const struct lsim *l, FILE *f, size_t n, const char *prefix);

/*
 * Grading. goals{ {name=, ...}, ... } in a script records named goals; each is one of:
 *   check = function(trace) ... end   reached when it returns a true value
 *   state = "TIME_WAIT" [, host = "A"] some socket (of that host) entered the state
 *   edge = {"FIN_WAIT_1", "CLOSING"} [, host] some socket made that transition
 *   rule = "RST_CHALLENGE"            the rule (tcp_rule_name) acted at least once
 *   setting = {tcp_syn_retries = 7} [, host] the settings have these values at the end
 *   changed = {"tcp_syn_retries"}     the settings fixed from outside (lsim_fix_setting) are
 *                                     exactly these
 * Each goal is checked as goals{} records it: an unknown field, state, rule, host or setting,
 * or an edge that is no transition of the state diagram, is an error at the goal's line.
 * lsim_goals() evaluates the goals recorded in 'goalfile' (run in a fresh sandbox that sees
 * the world and trace of 'l') against what 'l' did, in the order the file lists them. Goals
 * a scenario records itself are checked when it ends: one not reached fails it.
 */
struct lsim_goal {
    char *name;
    bool reached;
    char *detail;  /* why not, or an error in the goal itself; may be NULL */
};
/* 0 with '*out'/'*n' set (free with lsim_goals_free), or -1 with '*err' (malloc'd) set. */
int lsim_goals(struct lsim *l, const char *goalfile, struct lsim_goal **out, size_t *n, char **err);
void lsim_goals_free(struct lsim_goal *g, size_t n);
/* Load goals file 'goalfile' on its own, as a check before any scenario runs: 0 with '*n' =
   its number of goals, or -1 with '*err' (malloc'd) = "file:line: what is wrong" (an unknown
   state, rule, host, field or setting, a malformed edge, a file with no goals). */
int lsim_goals_check(const char *goalfile, size_t *n, char **err);
/* Is 'path' a goals file by its name (NAME.goals.lua)? Such a file is never run as a
   scenario: `tcpsim test` skips it in folders and refuses it as a scenario. */
bool lsim_is_goals_file(const char *path);

/*
 * Settings fixed from outside the scenario, for grading "change exactly one setting": the
 * instructor owns the scenario, the student gives only overrides (tcpsim test --set NAME=VALUE,
 * --settings FILE). "NAME=VALUE" sets both hosts, "A.NAME=VALUE" one; NAME as in sysctl
 * (docs/settings.md), VALUE a number (seconds for durations) or true/false. A fixed setting
 * wins over the scenario's own writes to it (ignored, with a note in the trace) and survives
 * sim:config's preset, as --seed and --preset win over sim:config. Call before lsim_resume.
 * 0, or -1 with the reason in 'err'. The file form takes one assignment a line, '#' comments,
 * and reports "path:line: reason".
 */
int lsim_fix_setting(struct lsim *l, const char *assignment, char *err, size_t cap);
int lsim_fix_settings_file(struct lsim *l, const char *path, char *err, size_t cap);

#endif
