/*
 * main.c - the tcpsim program: argument handling only; each command lives in cli_*.c.
 *
 *   tcpsim demo [OPTION]... [FILE]   the scenario a newcomer sees first (scripts/00-tour.lua)
 *   tcpsim run [OPTION]... FILE      one scenario, its trace printed live; exit 0 when it passes
 *   tcpsim test [OPTION]... [PATH]...  every scenario, PASS/FAIL each, "N passed, N failed"
 *   tcpsim repl [OPTION]... [FILE]   step through a scenario (repl.c); also `tcpsim FILE -i`
 *   tcpsim pkt [OPTION]... FILE.pkt... run packetdrill scripts against host A (cli_pkt.c)
 *   tcpsim help [COMMAND]            the program's help, or a command's (= COMMAND --help)
 *   tcpsim version                   = tcpsim --version
 *
 * The exit statuses are enum cli_exit (cli.h): 0 success, 1 a scenario failed, 2 bad usage.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tcpsim/repl.h"

static void
main_help(FILE *f)
{
    fprintf(f, "Usage: tcpsim COMMAND [OPTION]... [ARG]...\n"
               "   or: tcpsim FILE -i\n"
               "A TCP state machine you can watch: two hosts, A (10.0.0.1) and B (10.0.0.2), a\n"
               "simulated wire and a virtual clock run RFC 9293's state machine, driven by Lua\n"
               "scenarios or step by step from a prompt.\n\n"
               "Commands:\n"
               "  demo [FILE]      run the tour of the scenario library (scripts/00-tour.lua)\n"
               "  run FILE         run one scenario, printing its trace as it happens\n"
               "  test [PATH]...   run every scenario of PATHs (default scripts/), PASS or FAIL\n"
               "  pkt FILE.pkt...  run packetdrill scripts with host A as the system under test\n"
               "  repl [FILE]      step through a scenario, or a world of two idle hosts, at a\n"
               "                   prompt (tcpsim FILE -i does the same)\n"
               "  help [COMMAND]   print this help, or COMMAND's (as tcpsim COMMAND --help)\n"
               "  version          print the version (as tcpsim --version)\n\n"
               "  -h, --help       print this help and exit\n"
               "      --version    print the version and exit\n\n"
               "Examples:\n"
               "  tcpsim run scripts/05-simultaneous-close.lua --ladder\n"
               "  tcpsim run --seed=7 --preset=rfc --trace=tcpdump \\\n"
               "      scripts/25-lossy-transfer.lua\n"
               "  tcpsim test -j2 scripts\n"
               "  tcpsim repl scripts/08-lost-last-ack.lua\n\n"
               "Exit status:\n"
               "  0  success (a scenario passed, every scenario passed)\n"
               "  1  a scenario failed, a goal was not reached, a file could not be read or\n"
               "     written; in the REPL with commands from a file, the last command failed\n" CLI_HELP_EXIT_USAGE
               "\n"
               "Each command's options: tcpsim COMMAND --help. Manual: tcpsim(1); the Lua API\n"
               "of a scenario: tcpsim-lua(7).\n");
}

typedef int main_cmd_fn(int argc, char **argv);

/* The command called 'name', or NULL. */
static main_cmd_fn *
main_command(const char *name)
{
    if (strcmp(name, "demo") == 0)
        return cli_demo;
    if (strcmp(name, "run") == 0)
        return cli_run;
    if (strcmp(name, "test") == 0)
        return cli_test;
    if (strcmp(name, "repl") == 0)
        return repl_main;
    if (strcmp(name, "pkt") == 0)
        return cli_pkt;
    return NULL;
}

/* `tcpsim help [COMMAND]`: the program's help, or COMMAND --help. */
static int
main_help_cmd(const struct cli_args *a, int argc, char **argv)
{
    if (argc == 0) {
        main_help(stdout);
        return CLI_EXIT_OK;
    }
    main_cmd_fn *cmd = main_command(argv[0]);
    if (argc > 1 || !cmd)
        return argc > 1 ? cli_usage_error(a, "unexpected argument '%s' (help takes one COMMAND)", argv[1])
                        : cli_usage_error(a, "unknown command '%s'", argv[0]);
    char help[] = "--help";
    char *args[] = {help, NULL};
    return cmd(1, args);
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2) {
        fprintf(stderr, "tcpsim: missing COMMAND (demo, run, test, pkt, repl, help, version)\n"
                        "Try 'tcpsim --help' for more information.\n");
        return CLI_EXIT_USAGE;
    }
    /* the old form of `tcpsim repl FILE` */
    if (argc == 3 && strcmp(argv[2], "-i") == 0 && argv[1][0] != '-')
        return repl_main(1, argv + 1);
    /* Options before the command only: "+" stops at the first operand, the command, whose own
       options are its business. */
    struct cli_args a;
    if (cli_args_init(&a, "tcpsim", longopts, argc - 1, argv + 1) != 0) {
        fprintf(stderr, "tcpsim: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    int rc = -1;
    for (int c; rc < 0 && (c = cli_args_next(&a, "+h")) != -1;) {
        if (c == 'h')
            main_help(stdout);
        else if (c == 'V')
            cli_version(stdout);
        rc = c == 'h' || c == 'V' ? CLI_EXIT_OK : cli_try_help(&a);
    }
    if (rc < 0) {
        int n = a.argc - optind;
        char **rest = a.argv + optind;
        main_cmd_fn *cmd = n > 0 ? main_command(rest[0]) : NULL;
        if (n == 0)
            rc = cli_usage_error(&a, "missing COMMAND (demo, run, test, pkt, repl, help, version)");
        else if (cmd)
            rc = cmd(n - 1, rest + 1);
        else if (strcmp(rest[0], "help") == 0)
            rc = main_help_cmd(&a, n - 1, rest + 1);
        else if (strcmp(rest[0], "version") == 0 && n > 1)
            rc = cli_usage_error(&a, "unexpected argument '%s' (version takes none)", rest[1]);
        else if (strcmp(rest[0], "version") == 0) {
            cli_version(stdout);
            rc = CLI_EXIT_OK;
        } else
            rc = cli_usage_error(&a, "unknown command '%s'", rest[0]);
    }
    cli_args_free(&a);
    return rc;
}
