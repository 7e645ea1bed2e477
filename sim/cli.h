/*
 * cli.h - the tcpsim program's commands, called by main.c (which only dispatches).
 *
 *   cli_run.c   tcpsim run [OPTION]... FILE; tcpsim demo [OPTION]... [FILE]
 *   cli_test.c  tcpsim test [OPTION]... [PATH]...
 *   cli_pkt.c   tcpsim pkt [OPTION]... FILE.pkt... (packetdrill scripts, pkt_run.c)
 *   repl.c      tcpsim repl [OPTION]... [FILE] (repl_main, include/tcpsim/repl.h)
 *   cli_args.c  what they share: options parsed by getopt_long as GNU tools parse them,
 *               values checked, the wording of errors, --version, the installed library
 *   cli_set.c   --set NAME=VALUE and --settings FILE, for both run and test
 *   cli_html.c  --html: the run as a web page, for run, test and pkt
 *
 * Each command takes the arguments after its name and returns the process's exit status, one
 * of enum cli_exit (documented in tcpsim(1), the README and every --help).
 */
#ifndef TCPSIM_CLI_H
#define TCPSIM_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tcpsim/lsim.h"

/* The exit statuses of every command. */
enum cli_exit {
    CLI_EXIT_OK = 0,     /* success: the scenario passed, the help was printed */
    CLI_EXIT_FAIL = 1,   /* a scenario failed (or a goal was not reached, or a file could not
                            be read or written) */
    CLI_EXIT_USAGE = 2,  /* bad usage: an unknown option, a bad value, a missing argument */
    CLI_EXIT_UNSUPPORTED = 3 /* tcpsim pkt: no script failed, but one needs what tcpsim does not
                                model */
};

/* The exit-status lines every --help ends with, after "Exit status:". */
#define CLI_HELP_EXIT_USAGE "  2  bad usage: an unknown command or option, a bad value, a missing argument\n"

int cli_run(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_test(int argc, char **argv);
int cli_pkt(int argc, char **argv);

/*
 * The state of one command's option parsing: getopt_long over a copy of the arguments with
 * the command's name in front (so its messages read "tcpsim run: unrecognized option
 * '--bogus'"). getopt_long's own state is the C library's; cli_args_init resets it, so a
 * command can be parsed more than once in a process (the tests do).
 */
struct cli_args {
    const char *prog;                /* "tcpsim run" */
    const struct option *longopts;
    int argc;
    char **argv;                     /* prog, then the arguments; NULL-terminated */
    int longindex;                   /* the long option getopt_long last matched */
};

/* 0, or -1 when out of memory. */
int cli_args_init(struct cli_args *a, const char *prog, const struct option *longopts, int argc, char **argv);
void cli_args_free(struct cli_args *a);
/* The next option, as getopt_long returns it ('?' after a message for an unknown option or
   a missing value), or -1 when only operands are left, from a->argv[optind]. */
int cli_args_next(struct cli_args *a, const char *shortopts);

/* "Try 'tcpsim run --help' for more information." on stderr; returns CLI_EXIT_USAGE. */
int cli_try_help(const struct cli_args *a);
/* "tcpsim run: invalid --seed 'abc': expected <expected>" then the Try line, naming the option
   as the user wrote it (-j, --jobs); returns CLI_EXIT_USAGE. */
int cli_bad_value(const struct cli_args *a, const char *expected);
/* "tcpsim run: <printf of fmt>" then the Try line; returns CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse 's', decimal digits only, as an integer from 'min' to 'max' into '*out'; 0, or -1
   when it is anything else (empty, a sign, hex, trailing text, out of range). */
int cli_parse_u64(const char *s, unsigned long long min, unsigned long long max, unsigned long long *out);

/* The values of --seed and --preset, which run, demo and repl share: the current option's
   argument into '*seed' or '*preset'; -1 to go on, or CLI_EXIT_USAGE after saying what is
   wrong (cli_bad_value). */
int cli_seed_arg(const struct cli_args *a, unsigned long long *seed);
int cli_preset_arg(const struct cli_args *a, enum tcp_preset *preset);

/* Does 's' end with 'suffix'? */
bool cli_ends_with(const char *s, const char *suffix);
/* "DIR/NAME" (one '/' between them), malloc'd; NULL when out of memory. */
char *cli_path_join(const char *dir, const char *name);
/* "scripts/05-simultaneous-close.lua" -> "05-simultaneous-close" into 'buf' (a .pkt likewise). */
const char *cli_scenario_name(const char *path, char *buf, size_t cap);
/* All 'n' octets written to (or read from) 'fd', through EINTR and short transfers: the records
   of tcpsim test's workers, the REPL's checkpoints. 0, or -1 (an error, or EOF on a read). */
int cli_write_all(int fd, const void *p, size_t n);
int cli_read_all(int fd, void *p, size_t n);

/* `tcpsim --version`: the version and the licence, as GNU tools print them. */
void cli_version(FILE *f);

/*
 * 'rel' (e.g. "scripts/00-tour.lua") of the scenario library: as it is when it exists under
 * the current folder (a source tree), else under the installed data folder, found from the
 * program's own path (BIN/../share/tcpsim/rel, so a DESTDIR or PREFIX install works where it
 * lands). Into 'buf'; NULL when neither exists.
 */
const char *cli_library(const char *rel, char *buf, size_t cap);

/* cli_set.c: --set NAME=VALUE and --settings FILE, in the order given (run and test). */
struct cli_setting {
    const char *text;         /* the assignment, or the file's path */
    bool file;
};
struct cli_settings {
    struct cli_setting *v;
    size_t n, cap;
};
/* Is 'opt' one of the two options (each takes a value)? */
bool cli_settings_option(const char *opt);
/* Keep option 'opt' with its 'value'; 0, or -1 when out of memory. */
int cli_settings_add(struct cli_settings *s, const char *opt, const char *value);
/* Fix them all in runner 'l' (lsim_fix_setting); 0, or -1 with the reason in 'err'. */
int cli_settings_apply(const struct cli_settings *s, struct lsim *l, char *err, size_t cap);
/* Check them once before anything runs (a throwaway runner); 0, or -1 after printing
   "<prog>: reason" to stderr. */
int cli_settings_check(const struct cli_settings *s, const char *prog);
void cli_settings_free(struct cli_settings *s);

/* cli_html.c: the web page of one run (run --html FILE, test --html DIR, pkt --html FILE). */
struct out_html;
struct out_html_meta;
struct cli_html {
    const char *path;
    FILE *f;
    struct out_html *h;
    bool events_set;        /* --html-events=N given: the events held in detail (0: all) */
    size_t events;
};
/* Open 'path' with a page writer (c->h, for an observer to feed); 0, or -1 after a message. */
int cli_html_start(struct cli_html *c, const char *path);
/* End the page with 'm' and close it; 0, or -1 after a message. Nothing when not started. */
int cli_html_end(struct cli_html *c, const struct out_html_meta *m);
/* cli_html_start, the writer observing world 'w' from before the run's first event; 0, or -1
   after a message. */
int cli_html_open(struct cli_html *c, const char *path, struct world *w);
/* Stop observing 'w', end the page with 'm' and close it; 0, or -1 after a message. Nothing
   when the page was not opened. */
int cli_html_close(struct cli_html *c, struct world *w, const struct out_html_meta *m);
/* What a page says of scenario 'file' run by 'l': its title, summary, seed, preset, verdict. */
struct out_html_meta cli_html_meta(const struct lsim *l, const char *file);
/* The page's file name in the pages' folder of each of the 'n' scenarios 'paths' (test --html),
   into 'pages' (each malloc'd); 0, or -1 when out of memory. */
int cli_html_pages(char *const *paths, size_t n, char **pages);
/* DIR/index.html from the 'n' entries; 0, or -1 after a message. */
struct out_html_entry;
int cli_html_index(const char *dir, const struct out_html_entry *e, size_t n);

#endif
