/*
 * repl.h - the interactive session: step through a world (or a scenario), look at both
 * endpoints at any instant, act on the wire and the sockets, and go back in time.
 *
 * Life cycle: repl_new(opts) -> repl_exec() for each line, or repl_loop() to read lines from
 * 'opts.in' until EOF or `quit` -> repl_free(). repl_main() does all of it for `tcpsim repl`.
 * Input and output are streams given by the caller, so tests drive a session with FILE*s and
 * compare what it printed; readline, the prompt and the history are used only when the input
 * is a terminal.
 */
#ifndef TCPSIM_REPL_H
#define TCPSIM_REPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpsim/out.h"
#include "tcpsim/tcp.h"
#include "tcpsim/trace.h"

struct world;
struct repl;

/* What a command handler returns. */
enum repl_status {
    REPL_OK,    /* done; the session goes on */
    REPL_ERR,   /* an error was printed (one line); the session goes on */
    REPL_EXIT   /* quit */
};

struct repl_opts {
    FILE *in;              /* commands (borrowed) */
    FILE *out;             /* everything the session prints (borrowed) */
    bool tty;              /* 'in' is a terminal: readline, prompt, history */
    bool color;            /* ANSI colours on 'out' */
    bool echo;             /* print each command after a prompt even without a terminal */
    bool rel;              /* SEQ and ACK relative to each side's ISN (`set rel on`) */
    uint64_t seed;         /* the world's seed */
    enum tcp_preset preset;
    enum out_format format;/* how events are printed */
    const char *history;   /* history file, or NULL for none */
    const char *scenario;  /* a Lua scenario to load, paused at time 0; NULL: a bare world */
    bool checkpoints;      /* under repl_loop, keep paused copies of the session (fork) for
                              `back` and `rewind` to restore (sim/repl_ckpt.c): tcpsim repl.
                              'in' must then be a file descriptor; it is read unbuffered */
};

/* Defaults for 'in'/'out' streams: not a terminal, no colour, seed 1, linux, rfc format. */
void repl_opts_default(struct repl_opts *o, FILE *in, FILE *out);

/* A session on a fresh world (with the scenario loaded, not started). NULL on ENOMEM or when
   the scenario does not load (the reason is printed on 'o->out'). */
struct repl *repl_new(const struct repl_opts *o);
void repl_free(struct repl *r);

/* Execute one command line. */
enum repl_status repl_exec(struct repl *r, const char *line);
/* Read and execute lines until EOF or `quit`; returns 0, or 1 if the last command failed
   and the input was not a terminal (so a script of commands can fail a test). */
int repl_loop(struct repl *r);

/* What Ctrl-C does (the REPL's SIGINT handler calls it; safe from a signal handler): the
   command running now stops at its next check, between two events of a `run` or every
   thousand Lua instructions of a `lua` or `=` line (which then fails with "interrupted").
   Called before a command, it stops that command at its first check. */
void repl_interrupt(void);

/* The world the session shows now (it changes after `back` or `rewind`). */
struct world *repl_world(const struct repl *r);
/* Every event of the current world so far. */
const struct trace_log *repl_log(const struct repl *r);

/* `tcpsim repl [options] [FILE]`: 'argv' starts after "repl". Returns the exit status. */
int repl_main(int argc, char **argv);

#endif
