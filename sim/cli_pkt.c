/*
 * cli_pkt.c - `tcpsim pkt FILE.pkt...`: packetdrill scripts run against tcpsim's host A as the
 * system under test (pkt_run.c), with packetdrill's verdicts.
 *
 *   tcpsim pkt [--seed=N] [--preset=linux|rfc] [--tolerance-usecs=N] [--trace=FORMAT] [-v]
 *              [--html=PAGE] FILE.pkt...
 *
 * As packetdrill, a passing script prints nothing; a failing one prints its error to stderr
 * ("FILE:LINE: error handling packet: ...", "FILE:LINE: runtime error in CALL call: ...").
 * A script that needs what tcpsim does not model prints "FILE:LINE: unsupported: WHAT".
 * Exit status: 0 every script passed; 1 one failed or could not be read or parsed; 2 bad usage;
 * 3 none failed but one was unsupported. With --html PAGE (one script) the run is also written
 * as a web page to step through (cli_html.c, out_html.c), as `tcpsim run --html` writes one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tcpsim/out.h"
#include "tcpsim/pkt.h"

enum { CLI_PKT_SEED = 256, CLI_PKT_PRESET, CLI_PKT_TOLERANCE, CLI_PKT_TRACE, CLI_PKT_HTML };

static const struct option cli_pkt_longopts[] = {
    {"seed", required_argument, NULL, CLI_PKT_SEED},
    {"preset", required_argument, NULL, CLI_PKT_PRESET},
    {"tolerance-usecs", required_argument, NULL, CLI_PKT_TOLERANCE},
    {"tolerance_usecs", required_argument, NULL, CLI_PKT_TOLERANCE}, /* packetdrill's spelling */
    {"trace", required_argument, NULL, CLI_PKT_TRACE},
    {"html", required_argument, NULL, CLI_PKT_HTML},
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
               "      --html=PAGE            write the run to PAGE as a web page to step\n"
               "                             through (one FILE.pkt only)\n"
               "  -v, --verbose              print each packet injected and sniffed\n"
               "  -h, --help                 print this help and exit\n\n"
               "Exit status:\n"
               "  0  every script passed\n"
               "  1  a script failed, or could not be read or parsed\n" CLI_HELP_EXIT_USAGE
               "  3  no script failed, but one needs what tcpsim does not model\n\n"
               "Manual: tcpsim(1); the subset of packetdrill's language:\n"
               "docs/packetdrill-run.md.\n");
}

/* The run's observers: the trace printer and the web page, either or both. */
struct cli_pkt_obs {
    struct out_text *text;
    struct out_html *html;
};

static void
cli_pkt_observe(const struct trace_event *ev, void *ctx)
{
    const struct cli_pkt_obs *obs = ctx;
    if (obs->text)
        out_text_observe(ev, obs->text);
    if (obs->html)
        out_html_observe(ev, obs->html);
}

/* Run script 'path' (parsed: 's') with 'o'; with 'html', its page is written too. The
   verdict, or PKT_ERROR when the page could not be written. */
static enum pkt_verdict
cli_pkt_one(const char *path, const struct pkt_script *s, struct pkt_run_opts o, struct cli_pkt_obs *obs,
            const char *html)
{
    struct cli_html page = {0};
    struct pkt_result res;
    if (html && cli_html_start(&page, html) != 0)
        return PKT_ERROR;
    obs->html = page.h;
    if (obs->text || obs->html) {
        o.observe = cli_pkt_observe;
        o.observe_ctx = obs;
    }
    fflush(stdout);
    pkt_run(s, &o, &res);
    fflush(stdout);
    if (res.verdict != PKT_PASS)
        fprintf(stderr, "%s\n", res.msg);
    struct out_html_meta m = {.title = path, .file = path, .seed = o.seed, .preset = o.preset,
                              .passed = res.verdict == PKT_PASS, .message = res.verdict == PKT_PASS ? NULL : res.msg};
    obs->html = NULL;
    return cli_html_end(&page, &m) != 0 ? PKT_ERROR : res.verdict;
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
    const char *html = NULL;
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
        case CLI_PKT_HTML:
            html = optarg;
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
    if (rc < 0 && html && a.argc - optind > 1)
        rc = cli_usage_error(&a, "--html writes the page of one script: %d given", a.argc - optind);
    struct cli_pkt_obs obs = {0};
    if (rc < 0 && format >= 0) {
        struct out_text_opts to = OUT_TEXT_OPTS_DEFAULT;
        to.format = (enum out_format)format;
        if (!(obs.text = out_text_new(stdout, &to))) {
            fprintf(stderr, "tcpsim: out of memory\n");
            rc = CLI_EXIT_FAIL;
        }
        o.narrate = true; /* the script's lines in the trace, beside what they caused */
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
        enum pkt_verdict v = cli_pkt_one(a.argv[i], s, o, &obs, html);
        failed = failed || v == PKT_FAIL || v == PKT_ERROR;
        unsupported = unsupported || v == PKT_UNSUPPORTED;
        pkt_script_free(s);
    }
    if (rc < 0)
        rc = failed ? CLI_EXIT_FAIL : unsupported ? CLI_EXIT_UNSUPPORTED : CLI_EXIT_OK;
    out_text_free(obs.text);
    cli_args_free(&a);
    return rc;
}
