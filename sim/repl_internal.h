/*
 * repl_internal.h - what repl.c (the loop, readline, history, completion, Ctrl-C, the journal
 * and replay), repl_cmds.c (the one command table, its dispatch, the handlers that do not
 * act), repl_act.c (the handlers that act on the world: socket calls, sysctl, the wire),
 * repl_run.c (stepping and breakpoints), repl_status.c (status), repl_view.c (tcb, wire, why,
 * waiting) and repl_session.c (load, where, list, forward, save, explain, set) share. Not part
 * of the public API.
 */
#ifndef TCPSIM_REPL_INTERNAL_H
#define TCPSIM_REPL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "tcpsim/lsim.h"
#include "tcpsim/out.h"
#include "tcpsim/pkt.h"
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
    char sock[16];           /* a socket that did not exist yet when the breakpoint was set
                                ("B2"), matched by name; "" none */
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
    clk_time t;              /* the time after it: REPL_OP_CLOCK's new time, a step's end (a
                                scenario's step is replayed with this as its horizon) */
    char *line;              /* REPL_OP_CMD: the command (owned) */
    size_t nlog;             /* events in the log after it (`rewind #N` finds a segment's,
                                `back` says what it undid) */
    uint64_t stop;           /* an interrupted `lua` line: where it stopped (lsim_eval_interrupted) */
};

/* A paused copy of the session (repl_ckpt.c). */
struct repl_ckpt {
    pid_t pid;               /* the process that waits */
    int fd;                  /* the write end of its pipe */
    size_t jlen;             /* journal entries done at that moment; SIZE_MAX: of no use any
                                more (the first process, kept waiting: the shell waits for it) */
    uint64_t nevents;        /* the world's events then */
};
#define REPL_CKPT_MAX 16         /* paused copies kept at most */
#define REPL_CKPT_EVERY 10000u   /* events between two, by default (`set checkpoints N`) */

/* The first line an event printed, kept for `back` to say what it undid (repl_say_undone)
   without printing the whole run again. */
struct repl_undo_line {
    size_t idx;              /* the event's index in the log */
    uint64_t gen;            /* the printer's settings then (repl.undo_gen) */
    bool printed;            /* it printed anything */
    char text[232];          /* its first line, padding squeezed */
};
#define REPL_UNDO_LINES 64

struct repl {
    struct repl_opts o;
    FILE *out;               /* where handlers print: o.out, or a sink while replaying */
    struct world *w;
    struct trace_log log;    /* every event of 'w' */
    struct lsim *lsim;       /* the scenario (or an empty one, for `lua`), borrowing w and log */
    struct pkt_script *pkt;  /* a packetdrill script (FILE.pkt) instead of a Lua scenario */
    struct pkt_runner *pkr;  /* ... played on 'w', one script line a step (pkt_run.c) */
    struct out_text *printer;/* prints events to 'evbuf' */
    FILE *evbuf;             /* memory stream the printer writes to */
    char *evmem;             /* its buffer */
    size_t evlen;

    struct repl_jent *jr;    /* the journal: jlen entries done, then up to jtop undone by
                                `back` and kept for `forward`, until something new is done */
    size_t jlen, jtop, jcap;
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

    char *scenario;          /* the scenario `load` gave (owned; o.scenario points here) */
    char *lua_pending;       /* an unfinished `lua` line waiting for its next lines, or NULL */
    struct out_pcap *pcap;   /* every segment of the world so far, for `save pcap` */
    int width_set;           /* `set width`: columns, 0 no limit, -1 the terminal's */
    int term_width;          /* the terminal's columns, 0 when the output is no terminal */
    bool rel;                /* `set rel on`: SEQ and ACK relative to each side's ISN */
    int list_next;           /* the line `list` goes on from, 0: around the current line */
    int list_anchor;         /* the current line when `list` last listed */

    struct repl_ckpt ckpt[REPL_CKPT_MAX]; /* paused copies, oldest first */
    int nckpt;
    uint64_t ckpt_every;     /* `set checkpoints N`: events between two; 0 none */
    uint64_t ckpt_at;        /* the world's events at the last one taken */
    bool in_loop;            /* repl_loop reads the commands: a checkpoint may be taken */
    bool restored;           /* resumed from a checkpoint: the command running unwinds */
    struct repl_handoff *handoff; /* what the process that handed over sent (repl_ckpt.c) */

    struct repl_undo_line undo[REPL_UNDO_LINES]; /* the recent events' lines, by index */
    size_t quiet_below;      /* replaying: events of the log before this index are only
                                learnt by the printer, not printed (the last ones are, for
                                `back` to say what it undid) */
    uint64_t undo_gen;       /* bumped when the printer's settings change */
};

/* A state explained (repl_session.c): docs/states.md's "Means:", and what a student asks. */
struct repl_explain {
    enum tcp_state state;
    const char *means;       /* docs/states.md's Means line, as it starts (a test checks) */
    const char *who;         /* who gets there */
    const char *waits;       /* what it waits for */
    const char *leaves;      /* the ways out */
    const char *unlike;      /* the state it is mistaken for, and the difference; or NULL */
};

extern const struct repl_explain repl_explains[];
extern const size_t repl_nexplain;

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
                                host, S state, k setting, c command, T timer, F a filter
                                of status, - nothing; the last letter repeats */
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
/* Journal a change; what `back` undid and `forward` could redo is forgotten. */
void repl_journal(struct repl *r, enum repl_op op, const char *line);
/* Journal a change that keeps what `forward` could redo: a clock move to a time going
   back reached, an `=EXPR` that caused no event (looking is not doing). */
void repl_journal_keep(struct repl *r, enum repl_op op, const char *line);
/* One step: the scenario's next step (an action or an event) while it runs, else the
   world's next event. false when nothing is left to do. */
bool repl_step1(struct repl *r);
/* The same, but a scenario's blocking call stops the clock at 'horizon' (lsim_resume_to). */
bool repl_step_to(struct repl *r, clk_time horizon);
/* Is the scenario still running (not yet ended or failed)? */
bool repl_script_active(const struct repl *r);
/* Is the scenario a packetdrill script (FILE.pkt)? */
bool repl_is_pkt(const char *path);
/* Rebuild the world from the journal's first 'keep' entries. 0, or -1 on failure. */
int repl_replay(struct repl *r, size_t keep);
/* Replay the journal's entries [from, keep) on the world as it is (after entry 'from'),
   quietly; the journal then ends at 'keep' (the rest kept for `forward`). 0, or -1. */
int repl_replay_from(struct repl *r, size_t from, size_t keep);
/* Was Ctrl-C pressed since the last call? Clears the flag. */
bool repl_interrupted(void);
/* The session reading a line at readline's prompt now, or NULL (readline's callbacks, which
   take no context, find it here). */
struct repl *repl_reading(void);
/* repl_complete.c: readline's completion function (rl_attempted_completion_function), and
   the candidates it keeps in the session freed. */
char **repl_complete(const char *text, int start, int end);
void repl_cand_clear(struct repl *r);
/* "0.200s", "2min": a duration as ss -o shows timers, compact. */
const char *repl_dur_str(clk_time t, char *buf, size_t cap);
/* "5", "5s", "200ms", "2min", "1.5us" -> nanoseconds; -1 on bad input, REPL_TIME_TOO_LARGE
   above REPL_TIME_MAX. */
clk_time repl_parse_time(const char *s);
#define REPL_TIME_TOO_LARGE ((clk_time)-2)
/* The latest instant the session's clock may reach, and the longest duration a command
   takes: 1e9 s (about 32 years, what sim:run takes). Far below the 2^63 ns the clock counts,
   so a time stop plus any timer or delay the engine adds to it still fits. */
#define REPL_TIME_MAX CLK_SEC(1000000000)
/* Argument 'arg' of command 'cmd' as a time or duration: 0, or -1 after an error that says
   what was wrong ('example' shows a good one, as "until 1.5 or until 60s"). */
int repl_time_arg(struct repl *r, const char *cmd, const char *arg, const char *example, clk_time *out);
const char *repl_color(const struct repl *r, const char *ansi);
/* The columns output may take: `set width`, else the terminal's; 0 no limit. */
int repl_width(const struct repl *r);
/* Give the event printer the session's format, colour, width and numbering again. */
void repl_printer_update(struct repl *r);
/* Execute one complete command line as it is (no pasted lines, no Lua continuation): what
   replay and `forward` perform again. */
enum repl_status repl_exec_one(struct repl *r, const char *line);

/* repl_cmds.c */
/* The command named 'name', its alias, or the one command it is a prefix of; NULL when none
   or several ('*nmatch', when not NULL, gets how many matched). */
const struct repl_cmd *repl_cmd_find(const char *name, int *nmatch);
/* The same among the commands that take a host first (`B lis 80`: listen, never list). */
const struct repl_cmd *repl_cmd_find_host(const char *name);
/* Parse a decimal number in [0, max]; 0, or -1 after printing an error naming 'what'. */
int repl_num(struct repl *r, const char *s, uint64_t max, const char *what, uint64_t *out);
/* Break a line into words (quotes and C escapes in "..."); returns argc, -1 on bad quoting. */
int repl_split(char *line, char **argv, int max);
void repl_on_event(const struct trace_event *ev, void *ctx);
/* A socket by name ("A1"), or NULL after printing an error. */
struct tcp_conn *repl_socket(struct repl *r, const char *name);
/* Arguments after the first 'max' (the command word counts): an error naming the first one
   (REPL_ERR), else REPL_OK. */
enum repl_status repl_no_more(struct repl *r, int argc, char **argv, int max);

/* repl_act.c: the commands that act on the world (socket calls, sysctl, the wire) */
enum repl_status repl_cmd_connect(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_listen(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_accept(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_send(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_recv(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_close(struct repl *r, int argc, char **argv); /* shutdown, abort too */
enum repl_status repl_cmd_keepalive(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_crash(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_sysctl(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_pkt(struct repl *r, int argc, char **argv); /* drop, delay, dup */
enum repl_status repl_cmd_inject(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_net(struct repl *r, int argc, char **argv);

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

/* repl_session.c */
enum repl_status repl_cmd_load(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_where(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_list(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_forward(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_save(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_explain(struct repl *r, int argc, char **argv);
enum repl_status repl_cmd_set(struct repl *r, int argc, char **argv);
const struct repl_explain *repl_explain_find(enum tcp_state s);
/* Lua typed without `lua` (`local c = ...`, `c:close()`): print the hint and return true. */
bool repl_lua_hint(struct repl *r, const char *line);
/* Is 'msg' Lua's complaint about a chunk that ends too early ("... near <eof>")? */
bool repl_lua_unfinished(const char *msg);

/* repl_ckpt.c: checkpoints, paused copies of the session that `back` and `rewind` restore */
/* Take a checkpoint when one is due (between commands, and between steps of a command that
   moves time). true when this process was just resumed from one: the command running
   returns at once (REPL_STOP_RESTORED), and repl_loop finishes with repl_ckpt_resumed. */
bool repl_ckpt_maybe(struct repl *r);
/* Go to the journal's first 'keep' entries through the nearest checkpoint at or before
   them: this process hands the session to it and exits. Returns only when there is none
   (the caller replays from the start); the checkpoints after 'keep' are let go either way. */
void repl_ckpt_restore(struct repl *r, size_t keep, clk_time then);
/* In the process resumed: take the session's state as sent, replay to the target, arrive. */
void repl_ckpt_resumed(struct repl *r);
/* Let every checkpoint go: at the end of the session (they exit with 'status'), or for a new
   world (`load`, 'status' -1: the first process stays, paused, for the shell). */
void repl_ckpt_drop_all(struct repl *r, int status);
/* `back` and `rewind` arrived: the clock moved on to 'then' when later, and said so. */
enum repl_status repl_travel_arrive(struct repl *r, clk_time then);

/* repl_status.c: netstat's list of the sockets, or ss -s's counts when there are many */
enum repl_status repl_view_status(struct repl *r, int argc, char **argv);

/* repl_view.c */
/* How socket 'c' failed to connect, counted from the events ("ETIMEDOUT after 131 s, 11
   SYNs"); false when it did not leave SYN-SENT with an error. */
bool repl_connect_failure(const struct repl *r, const struct tcp_conn *c, char *buf, size_t cap);
/* "timer:(rexmit,0.200s,0)" for every armed timer of 'c', as ss -o shows them. */
void repl_timers_str(const struct tcp_conn *c, char *buf, size_t cap);
enum repl_status repl_view_tcb(struct repl *r, int argc, char **argv);
enum repl_status repl_view_wire(struct repl *r, int argc, char **argv);
enum repl_status repl_view_why(struct repl *r, int argc, char **argv);
enum repl_status repl_view_waiting(struct repl *r, int argc, char **argv);
enum repl_status repl_view_trace(struct repl *r, int argc, char **argv);
enum repl_status repl_view_net(struct repl *r, int argc, char **argv);
/* Print log event 'i' as the session prints events: a rule note in plain words first and its
   rule id after, everything else as the trace printer 'p' prints it (to 'f'). */
void repl_print_event(struct repl *r, struct out_text *p, FILE *f, size_t i);
/* Notes the session adds after event 'i' (a connect that failed: after how long, how many
   SYNs), through the printer 'p'. */
void repl_print_after(struct repl *r, struct out_text *p, size_t i);
/* The whole log printed as the session prints it, into '*mem' (malloc'd), with event i's
   text at [(*off)[i], (*off)[i + 1]) (empty for an event not shown, a timer armed). 0, or -1
   when out of memory (nothing to free then). For `trace N` and for what `back` undid. */
int repl_render_log(struct repl *r, char **mem, size_t **off);

#endif
