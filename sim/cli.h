/*
 * cli.h - the tcpsim program's commands, called by main.c (which only dispatches).
 *
 *   cli_run.c   tcpsim run FILE [--seed N] [--preset P] [--trace FORMAT] [--ladder]
 *               [--ladder-svg FILE] [--dot FILE] [--pcap FILE]; tcpsim demo
 *   cli_test.c  tcpsim test [PATH ...] [-j N] [--filter PATTERN] [--tap] [--goals FILE]
 *               [--coverage] [--timeout SECONDS]
 *   cli_set.c   --set NAME=VALUE and --settings FILE, for both
 *
 * Each takes the arguments after the command name and returns the process's exit status:
 * 0 success, 1 a scenario failed, 2 bad usage.
 */
#ifndef TCPSIM_CLI_H
#define TCPSIM_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "tcpsim/lsim.h"

int cli_run(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_test(int argc, char **argv);

/* Parse "N" as an unsigned integer into '*out'; 0, or -1 when it is not one. */
int cli_parse_u64(const char *s, unsigned long long *out);

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

#endif
