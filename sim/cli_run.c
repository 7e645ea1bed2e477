/*
 * cli_run.c - `tcpsim run FILE`: one scenario, its trace printed live while it runs, then the
 * pictures asked for; and `tcpsim demo`, the scenario a newcomer sees first.
 *
 *   tcpsim run [--seed=N] [--preset=rfc|linux] [--trace=rfc|tcpdump|jsonl|none] [--abs|--rel]
 *              [--timers] [--ladder] [--ladder-svg=FILE] [--dot=FILE] [--pcap=FILE]
 *              [--events=FILE] [--html=FILE [--html-events=N]] [--packetdrill=FILE --endpoint=A|B]
 *              [--set=NAME=VALUE]... [--settings=FILE] FILE
 *   tcpsim demo [the same options] [FILE]
 *
 * Options are parsed by getopt_long (cli_args.c): "--seed 5" works as well, and options may
 * follow FILE. --seed and --preset win over the script's own sim:config, --set and --settings
 * over its sysctl writes (cli_set.c). --events streams every event to FILE as JSON lines while
 * the run goes (the log in memory keeps a window of the recent ones, lsim_trace_window), and
 * --pcap each packet once its story is over (out_pcap_stream); the ladders (--ladder,
 * --ladder-svg) and the state diagram (--dot) observe the run too, in memory that does not
 * grow with it, and are written after it (out.h). The verdict
 * ("-- passed", or FAIL and the last events) is the last thing printed, after the ladder. Exit status (enum cli_exit): 0 when the
 * scenario passes, 1 when it fails (the reason and the last events go to stderr), 2 on bad
 * usage.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tcpsim/lsim.h"
#include "tcpsim/out.h"

/* The scenario `tcpsim demo` runs: the tour of the library (in a source tree, or installed),
   else a built-in one. */
#define CLI_DEMO_SCRIPT "scripts/00-tour.lua"

static const char cli_demo_builtin[] =
    "scenario { title = 'Handshake and simultaneous close' }\n"
    "say('A three-way handshake (RFC 9293 3.5, Figure 6), ISNs 100 and 300')\n"
    "B.sysctl.isn = 300\n"
    "local l = B:listen(80)\n"
    "local c = A:connect(B, 80, { port = 40000, isn = 100 })\n"
    "sim:run(0.01)\n"
    "local s = l:accept()\n"
    "say('Both ends close at once: simultaneous close through CLOSING (Figure 13)')\n"
    "c:close(); s:close()\n"
    "sim:run(1)\n"
    "say('Both sides wait 2MSL in TIME-WAIT (msl = 30 s under the linux preset)')\n"
    "sim:run(2 * A.sysctl.msl)\n"
    "expect_state(c, 'CLOSED')\n";

struct cli_run_opts {
    const char *file;
    const char *code;        /* the built-in demo, when no file */
    struct lsim_opts lo;
    int format;              /* enum out_format, or -1 for none */
    int abs_seq;             /* 1 absolute, 0 relative, -1 the format's habit (rfc: absolute) */
    bool timers, ladder;
    const char *ladder_svg, *dot, *pcap, *events, *html;
    bool html_events_set;    /* --html-events=N: the events the page holds in detail */
    size_t html_events;
    const char *pkt;         /* --packetdrill: the script's path */
    int endpoint;            /* --endpoint: 0 A, 1 B, -1 not given */
    struct cli_settings settings; /* --set, --settings */
};

/* Long options without a short form get values past the characters. */
enum { CLI_RUN_SEED = 256, CLI_RUN_PRESET, CLI_RUN_TRACE, CLI_RUN_ABS, CLI_RUN_REL, CLI_RUN_TIMERS,
       CLI_RUN_LADDER, CLI_RUN_LADDER_SVG, CLI_RUN_DOT, CLI_RUN_PCAP, CLI_RUN_EVENTS, CLI_RUN_HTML,
       CLI_RUN_HTML_EVENTS, CLI_RUN_SET,
       CLI_RUN_SETTINGS, CLI_RUN_PACKETDRILL, CLI_RUN_ENDPOINT };

static const struct option cli_run_longopts[] = {
    {"seed", required_argument, NULL, CLI_RUN_SEED},
    {"preset", required_argument, NULL, CLI_RUN_PRESET},
    {"trace", required_argument, NULL, CLI_RUN_TRACE},
    {"abs", no_argument, NULL, CLI_RUN_ABS},
    {"rel", no_argument, NULL, CLI_RUN_REL},
    {"timers", no_argument, NULL, CLI_RUN_TIMERS},
    {"ladder", no_argument, NULL, CLI_RUN_LADDER},
    {"ladder-svg", required_argument, NULL, CLI_RUN_LADDER_SVG},
    {"dot", required_argument, NULL, CLI_RUN_DOT},
    {"pcap", required_argument, NULL, CLI_RUN_PCAP},
    {"events", required_argument, NULL, CLI_RUN_EVENTS},
    {"html", required_argument, NULL, CLI_RUN_HTML},
    {"html-events", required_argument, NULL, CLI_RUN_HTML_EVENTS},
    {"packetdrill", required_argument, NULL, CLI_RUN_PACKETDRILL},
    {"endpoint", required_argument, NULL, CLI_RUN_ENDPOINT},
    {"set", required_argument, NULL, CLI_RUN_SET},
    {"settings", required_argument, NULL, CLI_RUN_SETTINGS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* `tcpsim run --help` and `tcpsim demo --help`: they take the same options. */
static void
cli_run_help(FILE *f, bool demo)
{
    if (demo)
        fprintf(f, "Usage: tcpsim demo [OPTION]... [FILE]\n"
                   "Run the tour of the scenario library (scripts/00-tour.lua, in the current\n"
                   "folder or the installed library; a built-in scenario when neither is\n"
                   "there), or FILE, as tcpsim run does.\n\n");
    else
        fprintf(f, "Usage: tcpsim run [OPTION]... FILE\n"
                   "Run the Lua scenario FILE, printing its trace as it happens; then the pictures\n"
                   "asked for.\n\n");
    fprintf(f, "      --seed=N           the seed of the world's PRNG, from 0 to\n"
               "                         18446744073709551615 (default 1); wins over the\n"
               "                         scenario's sim:config\n"
               "      --preset=PRESET    the settings: linux (default) or rfc; wins over the\n"
               "                         scenario's sim:config\n"
               "      --trace=FORMAT     the trace: rfc (default), tcpdump, jsonl, or none\n"
               "      --abs              absolute sequence numbers (the default of the rfc\n"
               "                         trace and of the ladder)\n"
               "      --rel              sequence numbers relative to each side's ISN (the\n"
               "                         default of the tcpdump and jsonl traces)\n"
               "      --timers           also print each timer set and cancelled\n"
               "      --ladder           print the ladder diagram after the run\n"
               "      --ladder-svg=FILE  write the ladder diagram to FILE as SVG\n"
               "      --dot=FILE         write the state diagram with the run's path to FILE\n"
               "                         (Graphviz DOT)\n"
               "      --pcap=FILE        write the segments to FILE as a pcapng capture\n"
               "      --events=FILE      write every event to FILE as JSON lines (timers\n"
               "                         included) as the run goes\n"
               "      --html=FILE        write the run to FILE as a web page to step through\n"
               "                         (one file, works offline)\n"
               "      --html-events=N    the events the page holds in detail, the first and\n"
               "                         the last halves (default 1500; 0: every event)\n"
               "      --packetdrill=FILE write the run to FILE as a packetdrill script from\n"
               "                         the view of the host --endpoint names\n"
               "      --endpoint=HOST    the system under test of --packetdrill: A or B\n"
               "      --set=NAME=VALUE   fix a setting (A.NAME=VALUE: one host's) over the\n"
               "                         scenario's own sysctl writes; may be repeated\n"
               "      --settings=FILE    the same for each NAME=VALUE line of FILE\n"
               "  -h, --help             print this help and exit\n\n"
               "Exit status:\n"
               "  0  the scenario passed\n"
               "  1  the scenario failed (the reason and the last events go to stderr), could\n"
               "     not be read, or an output FILE could not be written\n" CLI_HELP_EXIT_USAGE "\n"
               "Manual: tcpsim(1); the Lua API: tcpsim-lua(7).\n");
}

/* Parse the arguments of `run` or `demo` into 'o'; -1 to go on, else the exit status (after
   --help, or a message on bad usage). */
static int
cli_run_parse(int argc, char **argv, struct cli_run_opts *o, bool demo)
{
    struct cli_args a;
    if (cli_args_init(&a, demo ? "tcpsim demo" : "tcpsim run", cli_run_longopts, argc, argv) != 0) {
        fprintf(stderr, "tcpsim: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    int rc = -1;
    for (int c; rc < 0 && (c = cli_args_next(&a, "h")) != -1;) {
        unsigned long long n;
        switch (c) {
        case CLI_RUN_SEED:
            if ((rc = cli_seed_arg(&a, &n)) < 0) {
                o->lo.seed = n;
                o->lo.seed_fixed = true;
            }
            break;
        case CLI_RUN_PRESET:
            if ((rc = cli_preset_arg(&a, &o->lo.preset)) < 0)
                o->lo.preset_fixed = true;
            break;
        case CLI_RUN_TRACE:
            o->format = strcmp(optarg, "none") == 0 ? -1 : out_format_parse(optarg);
            if (o->format < 0 && strcmp(optarg, "none") != 0)
                rc = cli_bad_value(&a, "rfc, tcpdump, jsonl or none");
            break;
        case CLI_RUN_ABS:
        case CLI_RUN_REL:
            o->abs_seq = c == CLI_RUN_ABS;
            break;
        case CLI_RUN_TIMERS:
            o->timers = true;
            break;
        case CLI_RUN_LADDER:
            o->ladder = true;
            break;
        case CLI_RUN_LADDER_SVG:
            o->ladder_svg = optarg;
            break;
        case CLI_RUN_DOT:
            o->dot = optarg;
            break;
        case CLI_RUN_PCAP:
            o->pcap = optarg;
            break;
        case CLI_RUN_EVENTS:
            o->events = optarg;
            break;
        case CLI_RUN_HTML:
            o->html = optarg;
            break;
        case CLI_RUN_HTML_EVENTS:
            if (cli_parse_u64(optarg, 0, 100000000, &n) != 0)
                rc = cli_bad_value(&a, "a number of events from 0 (every event) to 100000000");
            else {
                o->html_events = (size_t)n;
                o->html_events_set = true;
            }
            break;
        case CLI_RUN_PACKETDRILL:
            o->pkt = optarg;
            break;
        case CLI_RUN_ENDPOINT:
            if (strcmp(optarg, "A") == 0 || strcmp(optarg, "a") == 0)
                o->endpoint = 0;
            else if (strcmp(optarg, "B") == 0 || strcmp(optarg, "b") == 0)
                o->endpoint = 1;
            else
                rc = cli_bad_value(&a, "A or B");
            break;
        case CLI_RUN_SET:
        case CLI_RUN_SETTINGS:
            if (cli_settings_add(&o->settings, c == CLI_RUN_SET ? "--set" : "--settings", optarg) != 0) {
                fprintf(stderr, "tcpsim: out of memory\n");
                rc = CLI_EXIT_FAIL;
            }
            break;
        case 'h':
            cli_run_help(stdout, demo);
            rc = CLI_EXIT_OK;
            break;
        default: /* '?': getopt_long has said what was wrong */
            rc = cli_try_help(&a);
            break;
        }
    }
    if (rc < 0 && optind < a.argc)
        o->file = a.argv[optind++];
    if (rc < 0 && optind < a.argc)
        rc = cli_usage_error(&a, "unexpected argument '%s' (one FILE only)", a.argv[optind]);
    if (rc < 0 && !o->file && !demo)
        rc = cli_usage_error(&a, "missing FILE (a Lua scenario)");
    if (rc < 0 && o->pkt && o->endpoint < 0)
        rc = cli_usage_error(&a, "--packetdrill needs --endpoint=A or --endpoint=B (the system under test)");
    if (rc < 0 && !o->pkt && o->endpoint >= 0)
        rc = cli_usage_error(&a, "--endpoint is only for --packetdrill");
    else if (rc < 0 && o->html_events_set && !o->html)
        rc = cli_usage_error(&a, "--html-events is only for --html");
    cli_args_free(&a);
    return rc;
}

/* One of the files written after the run: its writer's result 'rc', then closed; 0, or -1
   (reported). */
static int
cli_write_done(const char *path, FILE *f, int rc)
{
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "tcpsim: could not write %s\n", path);
        return -1;
    }
    return 0;
}

static FILE *
cli_write_open(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        perror(path);
    return f;
}

/* Resume until the end, printing each pause's text; the final status. */
static enum lsim_status
cli_drive(struct lsim *l, FILE *out, bool say_pauses)
{
    enum lsim_status s;
    for (;;) {
        s = lsim_resume(l, LSIM_FOREVER);
        if (s == LSIM_PAUSED && say_pauses && *lsim_message(l))
            fprintf(out, "-- pause: %s\n", lsim_message(l));
        if (s != LSIM_RUNNING && s != LSIM_PAUSED)
            return s;
    }
}

/* The packetdrill script of --packetdrill; 0, or -1 (reported). */
static int
cli_write_pkt(const struct cli_run_opts *o, struct lsim *l, struct out_pkt *pkt)
{
    FILE *f = cli_write_open(o->pkt);
    if (!f)
        return -1;
    char title[600];
    snprintf(title, sizeof title, "%s: %s (seed %llu, preset %s)", o->file ? o->file : "demo",
             lsim_title(l) ? lsim_title(l) : "a scenario", (unsigned long long)lsim_world(l)->seed,
             lsim_world(l)->preset == TCP_PRESET_RFC ? "rfc" : "linux");
    return cli_write_done(o->pkt, f, out_pkt_finish(pkt, f, title));
}

/* The pictures and files asked for after the run, and the end of the capture streamed while
   it ran ('pf' its file); 0, or -1 if one could not be written. */
static int
cli_run_outputs(const struct cli_run_opts *o, struct lsim *l, struct out_pcap *pcap, FILE *pf,
                struct out_pkt *pkt, struct out_dot *dot, struct out_ladder *ladder, struct out_ladder *svg)
{
    int rc = 0;
    FILE *f;
    if (o->ladder && (!ladder || out_ladder_finish(ladder, stdout) != 0)) {
        fprintf(stderr, "tcpsim: could not draw the ladder\n");
        rc = -1;
    }
    /* an observer that could not be made (NULL) is reported here */
    if (o->ladder_svg)
        rc |= !(f = cli_write_open(o->ladder_svg)) ? -1 : cli_write_done(o->ladder_svg, f, svg ? out_ladder_finish_svg(svg, f) : -1);
    if (o->dot)
        rc |= !(f = cli_write_open(o->dot)) ? -1 : cli_write_done(o->dot, f, dot ? out_dot_finish(dot, f) : -1);
    if (pf) {
        bool bad = !pcap || out_pcap_finish(pcap, NULL) != 0;
        if (fclose(pf) != 0 || bad) { /* closed either way */
            fprintf(stderr, "tcpsim: could not write %s\n", o->pcap);
            rc = -1;
        }
    }
    if (pkt)
        rc |= cli_write_pkt(o, l, pkt);
    return rc ? -1 : 0;
}

/* Run one scenario as `run` does. */
static int
cli_run_one(const struct cli_run_opts *o)
{
    struct lsim *l = lsim_new(&o->lo);
    struct out_text *text = NULL, *events = NULL;
    struct out_pcap *pcap = NULL;
    FILE *ef = NULL, *pf = NULL;
    struct out_pkt *pkt = NULL;
    struct out_dot *dot = NULL;
    struct out_ladder *ladder = NULL, *svg = NULL;
    if (!l) {
        fprintf(stderr, "tcpsim: out of memory\n");
        return 1;
    }
    struct world *w = lsim_world(l);
    struct cli_html page = {.events_set = o->html_events_set, .events = o->html_events};
    if (o->html && cli_html_open(&page, o->html, w) != 0) {
        lsim_free(l); /* no page, no run */
        return 1;
    }
    /* the files written as the run goes: --events, and --pcap (a packet once its story is
       over) */
    if ((o->events && !(ef = fopen(o->events, "w"))) || (o->pcap && !(pf = fopen(o->pcap, "wb")))) {
        perror(o->events && !ef ? o->events : o->pcap);
        if (ef)
            fclose(ef);
        struct out_html_meta meta = cli_html_meta(l, o->file);
        (void)cli_html_close(&page, w, &meta); /* the page of a run that did not start */
        lsim_free(l);
        return 1;
    }
    if (ef) {
        struct out_text_opts eo = OUT_TEXT_OPTS_DEFAULT;
        eo.format = OUT_FMT_JSONL;
        eo.show_timers = true;
        if ((events = out_text_new(ef, &eo)) != NULL)
            world_observe(w, out_text_observe, events);
    }
    if (o->format >= 0) {
        struct out_text_opts to = OUT_TEXT_OPTS_DEFAULT;
        to.format = (enum out_format)o->format;
        to.absolute_seq = o->abs_seq < 0 ? o->format == OUT_FMT_RFC : o->abs_seq;
        to.show_timers = o->timers;
        to.color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
        text = out_text_new(stdout, &to);
        if (text)
            world_observe(w, out_text_observe, text);
    }
    if (pf && (pcap = out_pcap_new()) != NULL) {
        (void)out_pcap_stream(pcap, pf); /* a failed write is reported at the end */
        world_observe(w, out_pcap_observe, pcap);
    }
    if (o->pkt && (pkt = out_pkt_new(o->endpoint, &w->host[o->endpoint].cfg)) != NULL)
        world_observe(w, out_pkt_observe, pkt);
    if (o->dot && (dot = out_dot_new(0)) != NULL) /* NULL: reported when the file is written */
        world_observe(w, out_dot_observe, dot);
    if (o->ladder) { /* NULL: reported after the run */
        struct out_ladder_opts lo = OUT_LADDER_OPTS_DEFAULT;
        lo.absolute_seq = o->abs_seq != 0;
        lo.unicode = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
        if ((ladder = out_ladder_new(&lo)) != NULL)
            world_observe(w, out_ladder_observe, ladder);
    }
    if (o->ladder_svg) { /* numbered as the text ladder is: absolute unless --rel */
        struct out_ladder_opts lo = OUT_LADDER_OPTS_DEFAULT;
        lo.absolute_seq = o->abs_seq != 0;
        if ((svg = out_ladder_new(&lo)) != NULL)
            world_observe(w, out_ladder_observe, svg);
    }
    char why[600];
    int loaded = o->file ? lsim_load(l, o->file) : lsim_load_string(l, o->code, "=demo");
    if (loaded == 0 && cli_settings_apply(&o->settings, l, why, sizeof why) != 0) {
        fprintf(stderr, "tcpsim run: %s\n", why); /* checked before: not expected */
        loaded = -1;
    }
    enum lsim_status s = loaded == 0 ? cli_drive(l, stdout, o->format != OUT_FMT_JSONL) : LSIM_FAILED;
    /* the pictures first: the verdict is the last thing a reader sees, as after a trace */
    int rc = cli_run_outputs(o, l, pcap, pf, pkt, dot, ladder, svg) != 0;
    struct out_html_meta meta = cli_html_meta(l, o->file);
    rc |= cli_html_close(&page, w, &meta) != 0;
    fflush(stdout);
    if (s == LSIM_DONE) {
        if (o->format != OUT_FMT_JSONL)
            printf("-- passed: %s (seed %llu, preset %s)\n", lsim_title(l) ? lsim_title(l) : (o->file ? o->file : "demo"),
                   (unsigned long long)w->seed, w->preset == TCP_PRESET_RFC ? "rfc" : "linux");
    } else {
        fprintf(stderr, "FAIL %s\n", lsim_message(l));
        if (loaded == 0 && lsim_log(l)->len > 0) {
            fprintf(stderr, "the last events:\n");
            lsim_print_recent(l, stderr, 6, "    ");
        }
        rc = 1;
    }
    if (text)
        world_unobserve(w, out_text_observe, text);
    if (pcap)
        world_unobserve(w, out_pcap_observe, pcap);
    if (events)
        world_unobserve(w, out_text_observe, events);
    out_text_free(events);
    if (ef && (ferror(ef) | fclose(ef)) != 0) {
        fprintf(stderr, "tcpsim: could not write %s\n", o->events);
        rc = 1;
    }
    if (pkt)
        world_unobserve(w, out_pkt_observe, pkt);
    if (dot)
        world_unobserve(w, out_dot_observe, dot);
    out_dot_free(dot);
    if (ladder)
        world_unobserve(w, out_ladder_observe, ladder);
    out_ladder_free(ladder);
    if (svg)
        world_unobserve(w, out_ladder_observe, svg);
    out_ladder_free(svg);
    out_text_free(text);
    out_pcap_free(pcap);
    out_pkt_free(pkt);
    lsim_free(l);
    return rc;
}

int
cli_run(int argc, char **argv)
{
    struct cli_run_opts o = {.lo = LSIM_OPTS_DEFAULT, .format = OUT_FMT_RFC, .abs_seq = -1, .endpoint = -1};
    int rc = cli_run_parse(argc, argv, &o, false);
    if (rc < 0)
        rc = cli_settings_check(&o.settings, "tcpsim run") == 0 ? cli_run_one(&o) : CLI_EXIT_USAGE;
    cli_settings_free(&o.settings);
    return rc;
}

int
cli_demo(int argc, char **argv)
{
    struct cli_run_opts o = {.lo = LSIM_OPTS_DEFAULT, .format = OUT_FMT_RFC, .abs_seq = -1, .endpoint = -1};
    char lib[4096];
    int rc = cli_run_parse(argc, argv, &o, true);
    if (rc < 0) {
        if (!o.file && !(o.file = cli_library(CLI_DEMO_SCRIPT, lib, sizeof lib)))
            o.code = cli_demo_builtin;
        rc = cli_settings_check(&o.settings, "tcpsim demo") == 0 ? cli_run_one(&o) : CLI_EXIT_USAGE;
    }
    cli_settings_free(&o.settings);
    return rc;
}
