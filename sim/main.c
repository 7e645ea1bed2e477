/*
 * main.c - the tcpsim program: argument handling only; each command lives in cli_*.c.
 *
 *   tcpsim demo                  the scenario a newcomer sees first (scripts/00-tour.lua)
 *   tcpsim run FILE [options]    one scenario, its trace printed live; exit 0 when it passes
 *   tcpsim test [PATH ...]       every scenario, PASS/FAIL each, "N passed, N failed"
 *   tcpsim repl [FILE]           step through a scenario (repl.c); also `tcpsim FILE -i`
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tcpsim/repl.h"

static int
main_usage(FILE *f)
{
    fprintf(f, "usage: tcpsim demo\n"
               "       tcpsim run FILE [--seed N] [--preset rfc|linux] [--trace rfc|tcpdump|jsonl|none]\n"
               "                       [--abs|--rel] [--timers] [--ladder] [--ladder-svg FILE] [--dot FILE]\n"
               "                       [--pcap FILE]\n"
               "       tcpsim repl [FILE]   (or tcpsim FILE -i)\n"
               "       tcpsim test [PATH ...] [-j N] [--filter PATTERN] [--tap] [--goals FILE]\n"
               "                       [--coverage] [--timeout SECONDS]\n");
    return f == stdout ? 0 : 2;
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return main_usage(stderr);
    const char *cmd = argv[1];
    if (strcmp(cmd, "demo") == 0)
        return cli_demo(argc - 2, argv + 2);
    if (strcmp(cmd, "run") == 0)
        return cli_run(argc - 2, argv + 2);
    if (strcmp(cmd, "test") == 0)
        return cli_test(argc - 2, argv + 2);
    if (strcmp(cmd, "repl") == 0)
        return repl_main(argc - 2, argv + 2);
    if (argc == 3 && strcmp(argv[2], "-i") == 0 && cmd[0] != '-')
        return repl_main(1, argv + 1);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return main_usage(stdout);
    fprintf(stderr, "tcpsim: unknown command '%s'\n", cmd);
    return main_usage(stderr);
}
