/*
 * cli_pkt.c - `tcpsim pkt FILE.pkt...`: packetdrill scripts run against tcpsim's host A as the
 * system under test (pkt_run.c), with packetdrill's verdicts.
 *
 *   tcpsim pkt [--seed=N] [--preset=linux|rfc] [--tolerance-usecs=N] [--trace=FORMAT] [-v]
 *              FILE.pkt...
 *
 * As packetdrill, a passing script prints nothing; a failing one prints its error to stderr
 * ("FILE:LINE: error handling packet: ...", "FILE:LINE: runtime error in CALL call: ...").
 * A script that needs what tcpsim does not model prints "FILE:LINE: unsupported: WHAT".
 * Exit status: 0 every script passed; 1 one failed or could not be read or parsed; 2 bad usage;
 * 3 none failed but one was unsupported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tcpsim/out.h"
#include "tcpsim/pkt.h"

enum { CLI_PKT_SEED = 256, CLI_PKT_PRESET, CLI_PKT_TOLERANCE, CLI_PKT_TRACE };

static const struct option cli_pkt_longopts[] = {
    {"seed", required_argument, NULL, CLI_PKT_SEED},
    {"preset", required_argument, NULL, CLI_PKT_PRESET},
    {"tolerance-usecs", required_argument, NULL, CLI_PKT_TOLERANCE},
    {"tolerance_usecs", required_argument, NULL, CLI_PKT_TOLERANCE}, /* packetdrill's spelling */
    {"trace", required_argument, NULL, CLI_PKT_TRACE},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void
cli_pkt_help(FILE *f)
{
    fprintf(f, "Usage: tcpsim pkt [OPTION]... FILE.pkt...\n"
               "Run packetdrill scripts with tcpsim's host A as the system under test and each\n"
               "script as its peer. A script that passes prints nothing; one that fails prints\n"
               "packetdrill's error (FILE:LINE: error handling packet: ..., or runtime error in\n"
               "CALL call: ...); one that needs what tcpsim does not model (IPv6, TSO, fast\n"
               "open, a TCP option tcpsim does not send ...) prints\n"
               "FILE:LINE: unsupported: WHAT.\n\n"
               "      --seed=N               the seed of the world's PRNG, from 0 to\n"
               "                             18446744073709551615 (default 1)\n"
               "      --preset=PRESET        the SUT's settings before the script's sysctl\n"
               "                             lines: linux (default) or rfc\n"
               "      --tolerance-usecs=N    the timing tolerance in microseconds (default\n"
               "                             4000, or the script's own); packetdrill's\n"
               "                             spelling, with an underscore, works too\n"
               "      --trace=FORMAT         print the world's trace as it happens: rfc,\n"
               "                             tcpdump or jsonl (default: none)\n"
               "  -v, --verbose              print each packet injected and sniffed\n"
               "  -h, --help                 print this help and exit\n\n"
               "Exit status:\n"
               "  0  every script passed\n"
               "  1  a script failed, or could not be read or parsed\n" CLI_HELP_EXIT_USAGE
               "  3  no script failed, but one needs what tcpsim does not model\n\n"
               "Manual: tcpsim(1); the subset of packetdrill's language:\n"
               "docs/packetdrill-run.md.\n");
}

int
cli_pkt(int argc, char **argv)
{
    struct cli_args a;
    if (cli_args_init(&a, "tcpsim pkt", cli_pkt_longopts, argc, argv) != 0) {
        fprintf(stderr, "tcpsim: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    struct pkt_run_opts o = PKT_RUN_OPTS_DEFAULT;
    o.log = stderr;
    long long tolerance = -1;
    int format = -1;
    int rc = -1;
    for (int c; rc < 0 && (c = cli_args_next(&a, "hv")) != -1;) {
        unsigned long long n;
        switch (c) {
        case CLI_PKT_SEED:
            if ((rc = cli_seed_arg(&a, &n)) < 0)
                o.seed = n;
            break;
        case CLI_PKT_PRESET:
            rc = cli_preset_arg(&a, &o.preset);
            break;
        case CLI_PKT_TOLERANCE:
            if (cli_parse_u64(optarg, 0, 100000000, &n) != 0)
                rc = cli_bad_value(&a, "microseconds, from 0 to 100000000");
            else
                tolerance = (long long)n;
            break;
        case CLI_PKT_TRACE:
            format = strcmp(optarg, "none") == 0 ? -1 : out_format_parse(optarg);
            if (format < 0 && strcmp(optarg, "none") != 0)
                rc = cli_bad_value(&a, "rfc, tcpdump, jsonl or none");
            break;
        case 'v':
            o.verbose = true;
            break;
        case 'h':
            cli_pkt_help(stdout);
            rc = CLI_EXIT_OK;
            break;
        default:
            rc = cli_try_help(&a);
            break;
        }
    }
    if (rc < 0 && optind >= a.argc)
        rc = cli_usage_error(&a, "missing FILE (a packetdrill script)");
    struct out_text *text = NULL;
    if (rc < 0 && format >= 0) {
        struct out_text_opts to = OUT_TEXT_OPTS_DEFAULT;
        to.format = (enum out_format)format;
        if (!(text = out_text_new(stdout, &to))) {
            fprintf(stderr, "tcpsim: out of memory\n");
            rc = CLI_EXIT_FAIL;
        }
        o.observe = out_text_observe;
        o.observe_ctx = text;
    }
    bool failed = false, unsupported = false;
    for (int i = optind; rc < 0 && i < a.argc; i++) {
        struct pkt_script *s = NULL;
        char err[1024];
        if (pkt_parse_file(a.argv[i], &s, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            failed = true;
            continue;
        }
        if (tolerance >= 0)
            s->tolerance_us = tolerance;
        struct pkt_result res;
        fflush(stdout);
        pkt_run(s, &o, &res);
        fflush(stdout);
        if (res.verdict != PKT_PASS)
            fprintf(stderr, "%s\n", res.msg);
        failed = failed || res.verdict == PKT_FAIL || res.verdict == PKT_ERROR;
        unsupported = unsupported || res.verdict == PKT_UNSUPPORTED;
        pkt_script_free(s);
    }
    if (rc < 0)
        rc = failed ? CLI_EXIT_FAIL : unsupported ? CLI_EXIT_UNSUPPORTED : CLI_EXIT_OK;
    out_text_free(text);
    cli_args_free(&a);
    return rc;
}
