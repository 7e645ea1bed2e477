/*
 * repl_internal.h - what repl.c (the loop, readline, history, completion, Ctrl-C, the journal
 * and replay), repl_cmds.c (the one command table, its handlers, stepping and breakpoints)
 * and repl_view.c (status, tcb, wire, why, waiting) share. Not part of the public API.
 */
#ifndef TCPSIM_REPL_INTERNAL_H
#define TCPSIM_REPL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpsim/lsim.h"
#include "tcpsim/out.h"
#include "tcpsim/repl.h"
#include "tcpsim/world.h"
#include "out_track.h" /* out_time_str: times printed as the traces print them */

#define REPL_MAX_ARGS 32

/* A breakpoint: what makes `run`, `next`, `until` and `step N` stop. */
enum repl_bp_kind {
    REPL_BP_STATE,   /* a socket (or any socket of a host) enters 'state' */
    REPL_BP_CHANGE,  /* any state change of a socket or host */
    REPL_BP_SEGMENT, /* a segment with 'flags' enters the wire (from host 'from', or either) */
    REPL_BP_TIMER,   /* a timer expires */
    REPL_BP_TIME     /* the clock reaches 't' */
};

struct repl_bp {
    int id;                  /* 1, 2, ... as `info break` lists them */
    enum repl_bp_kind kind;
    int host;                /* host index, -1 any */
    uint32_t conn;           /* socket id, 0 any */
    int state;               /* REPL_BP_STATE */
    uint8_t flags;           /* REPL_BP_SEGMENT: these flags all set (0: any segment) */
    int timer;               /* REPL_BP_TIMER: enum tcp_timer, -1 any */
    clk_time t;              /* REPL_BP_TIME */
    unsigned hits;
    char desc[96];           /* how `info break` shows it */
};

/* The journal: every change made to the world, in order, so `back` can rebuild it. */
enum repl_op {
    REPL_OP_STEP,  /* one world_step() */
    REPL_OP_CLOCK, /* the clock moved to 't' with no event in between */
    REPL_OP_CMD    /* an acting command line, executed again on replay */
};

struct repl_jent {
    enum repl_op op;
    clk_time t;              /* REPL_OP_CLOCK: the new time; otherwise the time it happened */
    char *line;              /* REPL_OP_CMD: the command (owned) */
};

struct repl {
    struct repl_opts o;
    FILE *out;               /* where handlers print: o.out, or a sink while replaying */
    struct world *w;
    struct trace_log log;    /* every event of 'w' */
    struct lsim *lsim;       /* the scenario (or an empty one, for `lua`), borrowing w and log */
    struct out_text *printer;/* prints events to 'evbuf' */
    FILE *evbuf;             /* memory stream the printer writes to */
    char *evmem;             /* its buffer */
    size_t evlen;

    struct repl_jent *jr;    /* the journal */
    size_t jlen, jcap;
    bool replaying;          /* rebuilding the world: print nothing, journal nothing */

    struct repl_bp *bp;      /* breakpoints */
    size_t nbp, capbp;
    int next_bp;
    int bp_hit;              /* id of the breakpoint hit by the last event, 0 none */
    bool state_changed;      /* a TRACE_STATE happened since the flag was cleared */
    bool last_failed;        /* the last command failed */
    char *last_line;         /* the last command, repeated by an empty line on a terminal */

    char **cand;             /* completion candidates for the word being completed */
    size_t ncand, candi;
};

/* A command of the one table. */
struct repl_cmd {
    const char *group;       /* the heading `help` lists it under */
    const char *name;
    const char *alias;       /* a short name ("s") or NULL */
    const char *usage;
    const char *summary;
    enum repl_status (*fn)(struct repl *r, int argc, char **argv);
    bool acts;               /* changes the world: journaled, replayed by `back` */
    const char *args;        /* completion of each argument: h host, s socket, a socket or
                                host, S state, k setting, c command, T timer, - nothing;
                                the last letter repeats */
};

extern const struct repl_cmd repl_cmds[];
extern const size_t repl_ncmds;

/* repl.c */
enum repl_status repl_err(struct repl *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Print what the event printer has buffered, unless replaying. */
void repl_flush_events(struct repl *r);
void repl_journal(struct repl *r, enum repl_op op, const char *line);
/* One step: the scenario's next step (an action or an event) while it runs, else the
   world's next event. false when nothing is left to do. */
bool repl_step1(struct repl *r);
/* Is the scenario still running (not yet ended or failed)? */
bool repl_script_active(const struct repl *r);
/* Rebuild the world from the journal's first 'keep' entries. 0, or -1 on failure. */
int repl_replay(struct repl *r, size_t keep);
/* Was Ctrl-C pressed since the last call? Clears the flag. */
bool repl_interrupted(void);
/* "0.200s", "2min": a duration as ss -o shows timers, compact. */
const char *repl_dur_str(clk_time t, char *buf, size_t cap);
/* The latest instant the session's clock may reach, and the longest duration a command
   takes: 1e9 s (about 32 years, what sim:run takes). Far below the 2^63 ns the clock counts,
   so a time stop plus any timer or delay the engine adds to it still fits. */
#define REPL_TIME_MAX CLK_SEC(1000000000)
/* "5", "5s", "200ms", "2min", "1.5us" -> nanoseconds, at most REPL_TIME_MAX; -1 on bad input. */
clk_time repl_parse_time(const char *s);
const char *repl_color(const struct repl *r, const char *ansi);

/* repl_cmds.c */
/* The command named 'name', its alias, or the one command it is a prefix of; NULL when none
   or several ('*nmatch', when not NULL, gets how many matched). */
const struct repl_cmd *repl_cmd_find(const char *name, int *nmatch);
/* Parse a decimal number in [0, max]; 0, or -1 after printing an error naming 'what'. */
int repl_num(struct repl *r, const char *s, uint64_t max, const char *what, uint64_t *out);
/* Break a line into words (quotes and C escapes in "..."); returns argc, -1 on bad quoting. */
int repl_split(char *line, char **argv, int max);
void repl_on_event(const struct trace_event *ev, void *ctx);
/* A socket by name ("A1"), or NULL after printing an error. */
struct tcp_conn *repl_socket(struct repl *r, const char *name);

/* repl_run.c: stepping, time travel, breakpoints */
enum repl_status repl_cmd_step(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_next(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_run(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_continue(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_until(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_advance(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_back(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_rewind(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_break(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_info(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_delete(struct repl *r, int argc, char **argv);

/* repl_view.c */
enum repl_status repl_view_status(struct repl *r, int argc, char **argv);
enum repl_status repl_view_tcb(struct repl *r, int argc, char **argv);
enum repl_status repl_view_wire(struct repl *r, int argc, char **argv);
enum repl_status repl_view_why(struct repl *r, int argc, char **argv);
enum repl_status repl_view_waiting(struct repl *r, int argc, char **argv);
enum repl_status repl_view_trace(struct repl *r, int argc, char **argv);
enum repl_status repl_view_net(struct repl *r, int argc, char **argv);

#endif
