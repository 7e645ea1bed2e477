/*
 * cli.h - the tcpsim program's commands, called by main.c (which only dispatches).
 *
 *   cli_run.c   tcpsim run FILE [--seed N] [--preset P] [--trace FORMAT] [--ladder]
 *               [--ladder-svg FILE] [--dot FILE] [--pcap FILE]; tcpsim demo
 *   cli_test.c  tcpsim test [PATH ...] [-j N] [--filter PATTERN] [--tap] [--goals FILE]
 *               [--coverage] [--timeout SECONDS]
 *
 * Each takes the arguments after the command name and returns the process's exit status:
 * 0 success, 1 a scenario failed, 2 bad usage.
 */
#ifndef TCPSIM_CLI_H
#define TCPSIM_CLI_H

int cli_run(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_test(int argc, char **argv);

/* Parse "N" as an unsigned integer into '*out'; 0, or -1 when it is not one. */
int cli_parse_u64(const char *s, unsigned long long *out);

#endif
