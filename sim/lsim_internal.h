/*
 * lsim_internal.h - what the lsim_*.c files share: the runner's state and the helpers every
 * binding uses. Not part of the public API (include/tcpsim/lsim.h is).
 *
 *   lsim.c          runner: state, allocator, hooks, load/resume/eval, failure messages
 *   lsim_sandbox.c  which libraries a script gets; math.random, coroutine wrappers, print
 *   lsim_stable.c   what makes a run repeatable: stable names instead of addresses
 *   lsim_sock.c     hosts (A, B), their sysctl table, sockets
 *   lsim_sockopt.c  a socket's options: setsockopt, getsockopt, info (TCP_INFO)
 *   lsim_net.c      the wire: net:set, rules, inject, segments in flight
 *   lsim_sim.c      the clock (sim), the trace table, expect, expect_state, expect_error,
 *                   say, pause, scenario
 *   lsim_expect_seg.c  expect_segment: the next segment a host sends, field by field
 *   lsim_grade.c    grading: goals{}, goals files, settings fixed from outside (--set)
 *   lsim_repl.c     what eval adds at the REPL's prompt: session locals, the pretty printer;
 *                   where the paused scenario stands
 */
#ifndef TCPSIM_LSIM_INTERNAL_H
#define TCPSIM_LSIM_INTERNAL_H

#include <signal.h>

#include <lauxlib.h>
#include <lua.h>

#include "tcpsim/lsim.h"

/* Registry keys and metatable names. */
#define LSIM_HOST_MT "tcpsim.host"
#define LSIM_SYSCTL_MT "tcpsim.sysctl"
#define LSIM_SOCK_MT "tcpsim.socket"
#define LSIM_NET_MT "tcpsim.net"
#define LSIM_SIM_MT "tcpsim.sim"
#define LSIM_GOALS_KEY "tcpsim.goals"
#define LSIM_GOAL_LINES_KEY "tcpsim.goal_lines" /* "file:line" of each recorded goal */

/* Why the scenario coroutine yielded. */
enum lsim_yield { LSIM_Y_NONE, LSIM_Y_BUDGET, LSIM_Y_PAUSE };

/* A sysctl written by the script, re-applied when sim:config changes the preset. */
struct lsim_override {
    int host;
    const struct tcp_setting_info *info;
    double value;   /* the value; of a triple, its default */
    bool is3;       /* a triple given whole ("4096 131072 6291456"): */
    int three[3];   /* ... its three values */
};

/* Write override 'o' into 'cfg' (its range was checked when it was made). */
static inline void
lsim_override_apply(struct tcp_settings *cfg, const struct lsim_override *o)
{
    if (o->is3)
        (void)tcp_setting_set3(cfg, o->info, o->three);
    else
        (void)tcp_setting_set(cfg, o->info, o->value);
}

struct lsim {
    lua_State *L;                 /* the main state; globals = the scenario's environment */
    lua_State *co;                /* the scenario's coroutine (anchored in the registry) */
    int co_ref;                   /* its registry reference, LUA_NOREF when none */
    struct world *w;
    bool owns_world;
    struct trace_log *log;
    struct trace_log own_log;     /* used when nobody lends a log */
    struct lsim_opts opts;
    clk_time time_cap;            /* opts.max_time as a clock time (CLK_NEVER: no limit), worked
                                     out once: every step is tested against it */

    enum lsim_status status;
    char *message;                /* pause text or failure, malloc'd */
    char *title, *summary;        /* scenario{} */
    char *dir;                    /* the scenario's folder, where require looks; NULL: "." */

    uint64_t budget;              /* steps left in this resume */
    clk_time horizon;             /* lsim_resume_to(): the blocking calls stop the clock here */
    volatile sig_atomic_t interrupt; /* lsim_interrupt(): stop at the next step */
    volatile sig_atomic_t *intr_flag; /* lsim_set_interrupt_flag(): the driver's Ctrl-C */
    bool evaluating;              /* inside lsim_eval */
    uint64_t eval_checks;         /* interrupt checks the current eval has passed */
    uint64_t eval_intr;           /* the check that interrupted the last eval, 0 none */
    uint64_t eval_stop;           /* lsim_eval_stop_at(): stop the next eval at this check */
    enum lsim_yield why;          /* set by whoever yields the scenario coroutine */
    char *pause_text;

    size_t mem_used;              /* bytes held by the Lua state */
    bool mem_hit;                 /* an allocation was refused: the memory cap */
    uint64_t instructions;        /* counted in chunks of LSIM_HOOK_EVERY */
    uint64_t looks;               /* sockets and clock read since the world's last event ... */
    clk_time look_at;             /* ... all at this time */
    char *fatal;                  /* a limit was hit: every later instruction fails with this */

    struct lsim_override *ovr;    /* sysctl writes, in order */
    size_t novr, capovr;
    struct lsim_override *fixed;  /* settings fixed from outside (lsim_fix_setting), one per */
    size_t nfixed;                /* host: they win over the script's writes */
    bool goals_mode;              /* a goals file runs here: goals{} records its goals */
    struct lsim *student;         /* ... against the run of this runner (lsim_goals) */

    lua_Integer named;            /* objects given a stable name so far (lsim_stable.c) */
    uint64_t seg_cursor[WORLD_HOSTS]; /* expect_segment: log position (trace_log_end) after
                                         each host's last match */
};

#define LSIM_HOOK_EVERY 1000
/* Reads of sockets or the clock without an event between them, past which an instruction
   limit is blamed on a polling loop that never lets time pass. */
#define LSIM_POLL_LOOKS 1000
/* Work in C that the count hook never sees (string.rep, concatenation, a trace copied into a
   table, a plain find over a long string) is charged by the bytes it allocates or scans: an
   instruction for every LSIM_BYTES_PER_INSTRUCTION bytes, about what copying them one at a
   time costs (string.rep of one character: 1.8 ns a byte, an instruction 1.8 ns, -O2).
   Without it a loop of a few instructions around such a call never reaches the limit. */
#define LSIM_BYTES_PER_INSTRUCTION 1

/* lsim.c */
/* A malloc'd copy of 's', or NULL when memory is short. */
char *lsim_strdup(const char *s);
struct lsim *lsim_get(lua_State *L);           /* the runner a Lua state belongs to */
struct world *lsim_world_check(lua_State *L);  /* the world, or a clean error when it is gone */
void lsim_hook_thread(struct lsim *l, lua_State *T); /* the instruction-count hook on a thread */
/* "file:line" of the Lua code that called the running C function, with the file's whole path
   (luaL_where's is cut from the left when long), into 'buf'. */
const char *lsim_caller(lua_State *L, char *buf, size_t cap);
/* A message handler for lua_pcall: the error message with a chunk name Lua cut from the left
   made whole again (as a FAIL line has it). */
int lsim_msgh(lua_State *L);
/* Record a hit limit (message "file:line: what") and fail from now on. Does not return. */
int lsim_limit_error(lua_State *L, const char *what);
/* The script reads a socket or the clock (lsim_look counts it, for the instruction limit's
   message about polling loops). */
void lsim_look(struct lsim *l);
/* Count 'n' instructions against the limit (the hook's chunks, and C work done for the script
   that the hook never sees); raises the limit when it is passed. */
void lsim_charge(lua_State *L, uint64_t n);
/* In lsim_eval: one point where Ctrl-C (or a replayed interruption) may stop the line, raising
   "interrupted"; passed every LSIM_HOOK_EVERY instructions and before every world event. */
void lsim_eval_check(lua_State *L, struct lsim *l);
/* A blocking call of the scenario is about to move the clock to 'to' (its next event or its own
   end): past the driver's horizon (lsim_resume_to), it moves the clock to the horizon instead
   and returns true, and the caller yields (to be resumed where it was). */
bool lsim_hold(lua_State *L, struct lsim *l, clk_time to);
/* Process one world event under the limits; false when nothing is scheduled. Raises on a limit.
   'next' is world_next_time() as the caller has just read it (each caller reads it first, to
   decide whether to step at all: not read twice per event). */
bool lsim_step(lua_State *L, struct lsim *l, clk_time next);
/* One move of a blocking call (sim:run, sim:run_until, sim:transfer, expect_segment) towards
   'deadline', in world 'w': LSIM_ADV_STEPPED, one event processed; LSIM_ADV_PAST, the next
   event lies past the deadline, nothing done (the caller ends its wait there); LSIM_ADV_YIELD,
   the caller yields to the driver (lua_yieldk with its continuation): the driver's horizon
   comes first (lsim_hold), or the event was processed and the step budget is spent. */
enum lsim_adv { LSIM_ADV_STEPPED, LSIM_ADV_PAST, LSIM_ADV_YIELD };
/* May the scenario stop here (its own coroutine, yieldable, and a step budget spent)? */
bool lsim_should_yield(lua_State *L, const struct lsim *l);
/* Return 'nres' results from an action, first spending a step of the budget (and yielding to
   the driver when that was the last). Use as: return lsim_action(L, nres); */
int lsim_action(lua_State *L, int nres);
/* The same without spending a step (the caller spent one through lsim_step). */
int lsim_maybe_yield(lua_State *L, int nres);
/* t[k] = v for the table on top of the stack ('v' NULL: nothing set). */
void lsim_set_int(lua_State *L, const char *k, lua_Integer v);
void lsim_set_num(lua_State *L, const char *k, lua_Number v);
void lsim_set_str(lua_State *L, const char *k, const char *v);
/* Is a yield due (see lsim_should_yield)? If so, records why. */
bool lsim_yield_due(lua_State *L, struct lsim *l);
/* lsim_advance (above), inline: it runs for every event a scenario's blocking call waits
   through, and as a call it cost the 1 GB transfer from Lua 2 % more instructions. */
static inline enum lsim_adv
lsim_advance(lua_State *L, struct lsim *l, struct world *w, clk_time deadline)
{
    clk_time next = world_next_time(w);
    if (lsim_hold(L, l, next < deadline ? next : deadline))
        return LSIM_ADV_YIELD;
    if (next > deadline)
        return LSIM_ADV_PAST;
    lsim_step(L, l, next);
    return lsim_yield_due(L, l) ? LSIM_ADV_YIELD : LSIM_ADV_STEPPED;
}
/* Push "nil, ERRNO" and return 2. */
int lsim_fail(lua_State *L, enum tcp_err e);
/* Report a call the binding makes on socket 'c' as the engine reports its own (a TRACE_CALL
   event: "A1 setsockopt SO_LINGER 0 = OK"). */
void lsim_trace_call(struct world *w, const struct tcp_conn *c, enum tcp_err err, const char *text);
/* Keep a sysctl write for re-application after a preset change. */
void lsim_override_add(struct lsim *l, const struct lsim_override *o);
/* The name of 'names' (n of them) that 'word' is most likely a typo of (a few letters wrong
   or swapped, or cut short), or NULL: for "did you mean" in messages. */
const char *lsim_nearest(const char *word, const char *const *names, size_t n);

/* lsim_eval.c */
/* A lua_CFunction: its arguments converted to text and joined by tabs (print, eval's results). */
int lsim_join(lua_State *L);
/* __index of eval's environment (env, key): a local of the paused scenario, else a global. */
int lsim_eval_index(lua_State *L);

/* lsim_sandbox.c */
void lsim_open_sandbox(lua_State *L);

/* lsim_stable.c */
void lsim_open_stable(lua_State *L);
/* Push the text for the value at 'idx' and return it: luaL_tolstring's, except that a value
   it would name by address ("table: 0x55c5f5d2a650") gets its stable name ("table: #3"). */
const char *lsim_tostring(lua_State *L, int idx);
/* Push an array of the keys of the table at 't' in the order pairs visits them. */
void lsim_sorted_keys(lua_State *L, int t);

/* lsim_repl.c */
/* 'code' with each top-level `local` made a session local (malloc'd; NULL on ENOMEM). */
char *lsim_repl_rewrite(const char *code);
/* Push eval's environment: session locals, then the scenario's locals and globals. */
void lsim_repl_env(lua_State *L);
/* A lua_CFunction: eval's results as text, tables with their contents, joined by tabs. */
int lsim_repl_show(lua_State *L);

/* lsim_sock.c */
void lsim_open_hosts(lua_State *L);
void lsim_push_sock(lua_State *L, uint32_t id);
/* The connection behind argument 'arg' (a socket), or a clean error. */
struct tcp_conn *lsim_check_sock(lua_State *L, int arg);
/* Host argument: a host object, "A"/"B" or an address. */
struct tcp_host *lsim_check_host(lua_State *L, int arg);
/* Raise for an unknown key in options table 'idx' (nil is fine); 'allowed' ends with NULL. */
void lsim_check_opts(lua_State *L, int idx, const char *const *allowed);
/* The state called 'name' in any spelling; else -1 with the message on the stack (the nearest
   spelling and every state). */
int lsim_state_lookup(lua_State *L, const char *name);
/* A state argument in any spelling, or raise naming the states. */
enum tcp_state lsim_check_state(lua_State *L, int arg);
/* Optional host argument (nil = -1, both). */
int lsim_opt_host_index(lua_State *L, int arg);
/* A socket call's result: true, or nil and the error; a step for the runner (lsim_action). */
int lsim_sock_result(lua_State *L, enum tcp_err e);

/* lsim_sockopt.c: socket methods (lua_CFunctions) lsim_open_hosts registers. */
int lsim_sock_setsockopt(lua_State *L); /* sock:setsockopt(NAME, value) */
int lsim_sock_getsockopt(lua_State *L); /* sock:getsockopt(NAME) */
int lsim_sock_info(lua_State *L);       /* sock:info(), TCP_INFO */
/* sock:tcb()'s SACK fields (sack_blocks, scoreboard, ...) into the table on top. */
void lsim_set_sack_fields(lua_State *L, const struct tcp_conn *c);

/* lsim_net.c */
void lsim_open_net(lua_State *L);

/* lsim_sim.c */
void lsim_open_sim(lua_State *L);
/* Push the table for trace event 'ev'. */
void lsim_push_event(lua_State *L, const struct trace_event *ev);
/* Push the array of the log's events from index 'from' (0-based) of kind 'kind' (NULL: all,
   timer events only when 'timers'), charging their cost against the instruction limit. */
void lsim_push_trace(lua_State *L, const struct trace_log *log, size_t from, const char *kind, bool timers);

/* lsim_grade.c */
/* Re-apply the settings fixed from outside (after sim:config changed the preset). */
void lsim_apply_fixed(struct lsim *l);
/* Is setting 'info' of host 'host' fixed from outside? */
bool lsim_is_fixed(const struct lsim *l, int host, const struct tcp_setting_info *info);
/* goals{...}, the lua_CFunction lsim_open_sim registers: check each goal and record it. */
/* Raise "file:line: MSG" at the script line that called the C function (lsim_sim.c). */
int lsim_fail_here(lua_State *L, const char *msg);
/* The latest instant the world may reach (the run's max_time), or CLK_NEVER (lsim_sim.c). */
clk_time lsim_time_cap(const struct lsim *l);
/* expect_segment{...} (lsim_expect_seg.c). */
int lsim_expect_segment(lua_State *L);
int lsim_goals_fn(lua_State *L);
/* Check the goals recorded in 'l' against its log: 0 with '*out'/'*n' set (malloc'd, free
   with lsim_goals_free), -1 when memory is short. May raise (a goal's own check). */
int lsim_goals_eval(lua_State *L, struct lsim *l, struct lsim_goal **out, size_t *n);
/* How many goals the goals file run in 'l' recorded. */
size_t lsim_goals_count(struct lsim *l);
/* A scenario's own goals{} (not a goals file's), checked when it ends: 0 when none or all
   are reached, else -1 with the message ("file:line: goal 'x' not reached - why") set. */
int lsim_scenario_goals(struct lsim *l);

#endif
