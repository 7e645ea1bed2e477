/*
 * cli_run.c - `tcpsim run FILE`: one scenario, its trace printed live while it runs, then the
 * pictures asked for; and `tcpsim demo`, the scenario a newcomer sees first.
 *
 *   tcpsim run FILE [--seed N] [--preset rfc|linux] [--trace rfc|tcpdump|jsonl|none]
 *                   [--abs|--rel] [--timers] [--ladder] [--ladder-svg FILE] [--dot FILE] [--pcap FILE]
 *                   [--set NAME=VALUE] [--settings FILE]
 *
 * --seed and --preset win over the script's own sim:config, --set and --settings over its
 * sysctl writes (cli_set.c). The verdict ("-- passed", or FAIL and the last events) is the
 * last thing printed, after the ladder. Exit status: 0 when the scenario passes, 1 when it
 * fails (the reason and the last events go to stderr), 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tcpsim/lsim.h"
#include "tcpsim/out.h"

/* The scenario `tcpsim demo` runs: the tour of the library, else a built-in one. */
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

int
cli_parse_u64(const char *s, unsigned long long *out)
{
    char *end = NULL;
    if (!s || !*s || *s == '-')
        return -1;
    *out = strtoull(s, &end, 10);
    return *end ? -1 : 0;
}

struct cli_run_opts {
    const char *file;
    const char *code;        /* the built-in demo, when no file */
    struct lsim_opts lo;
    int format;              /* enum out_format, or -1 for none */
    int abs_seq;             /* 1 absolute, 0 relative, -1 the format's habit (rfc: absolute) */
    bool timers, ladder;
    const char *ladder_svg, *dot, *pcap;
    struct cli_settings settings; /* --set, --settings */
};

static int
cli_run_usage(void)
{
    fprintf(stderr, "usage: tcpsim run FILE [--seed N] [--preset rfc|linux] "
                    "[--trace rfc|tcpdump|jsonl|none] [--abs|--rel] [--timers]\n"
                    "                [--ladder] [--ladder-svg FILE] [--dot FILE] [--pcap FILE]\n"
                    "                [--set NAME=VALUE] [--settings FILE]\n");
    return 2;
}

/* Parse the arguments of `run`; 0, or -1 on bad usage (already reported). */
static int
cli_run_parse(int argc, char **argv, struct cli_run_opts *o)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long n;
        bool takes = strcmp(a, "--seed") == 0 || strcmp(a, "--preset") == 0 || strcmp(a, "--trace") == 0 ||
                     strcmp(a, "--ladder-svg") == 0 || strcmp(a, "--dot") == 0 || strcmp(a, "--pcap") == 0 ||
                     cli_settings_option(a);
        if (takes && !v) {
            fprintf(stderr, "tcpsim run: %s needs a value\n", a);
            return -1;
        }
        if (strcmp(a, "--seed") == 0) {
            if (cli_parse_u64(v, &n) != 0) {
                fprintf(stderr, "tcpsim run: bad seed '%s'\n", v);
                return -1;
            }
            o->lo.seed = n;
            o->lo.seed_fixed = true;
        } else if (strcmp(a, "--preset") == 0) {
            int p = tcp_preset_parse(v);
            if (p < 0) {
                fprintf(stderr, "tcpsim run: unknown preset '%s' (rfc or linux)\n", v);
                return -1;
            }
            o->lo.preset = (enum tcp_preset)p;
            o->lo.preset_fixed = true;
        } else if (strcmp(a, "--trace") == 0) {
            o->format = strcmp(v, "none") == 0 ? -1 : out_format_parse(v);
            if (o->format < 0 && strcmp(v, "none") != 0) {
                fprintf(stderr, "tcpsim run: unknown trace format '%s' (rfc, tcpdump, jsonl, none)\n", v);
                return -1;
            }
        } else if (strcmp(a, "--ladder-svg") == 0) {
            o->ladder_svg = v;
        } else if (strcmp(a, "--dot") == 0) {
            o->dot = v;
        } else if (strcmp(a, "--pcap") == 0) {
            o->pcap = v;
        } else if (cli_settings_option(a)) {
            if (cli_settings_add(&o->settings, a, v) != 0)
                return -1;
        } else if (strcmp(a, "--ladder") == 0) {
            o->ladder = true;
        } else if (strcmp(a, "--abs") == 0 || strcmp(a, "--rel") == 0) {
            o->abs_seq = a[2] == 'a';
        } else if (strcmp(a, "--timers") == 0) {
            o->timers = true;
        } else if (a[0] == '-' || o->file) {
            fprintf(stderr, "tcpsim run: unexpected argument '%s'\n", a);
            return -1;
        } else {
            o->file = a;
        }
        i += takes;
    }
    return 0;
}

/* Write one after-the-run picture to 'path' with 'fn'; 0 or -1 (reported). */
static int
cli_write_file(const char *path, const struct trace_log *log, int (*fn)(FILE *, const struct trace_log *))
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    int rc = fn(f, log);
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "tcpsim: could not write %s\n", path);
        return -1;
    }
    return 0;
}

static int
cli_ladder_svg(FILE *f, const struct trace_log *log)
{
    struct out_ladder_opts lo = OUT_LADDER_OPTS_DEFAULT;
    return out_ladder_svg(f, log, &lo);
}

static int
cli_dot_all(FILE *f, const struct trace_log *log)
{
    return out_dot(f, log, 0);
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

/* The pictures and files asked for after the run; 0, or -1 if one could not be written. */
static int
cli_run_outputs(const struct cli_run_opts *o, struct lsim *l, struct out_pcap *pcap)
{
    int rc = 0;
    const struct trace_log *log = lsim_log(l);
    if (o->ladder) {
        struct out_ladder_opts lo = OUT_LADDER_OPTS_DEFAULT;
        lo.absolute_seq = o->abs_seq != 0;
        lo.unicode = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
        rc |= out_ladder(stdout, log, &lo);
    }
    if (o->ladder_svg)
        rc |= cli_write_file(o->ladder_svg, log, cli_ladder_svg);
    if (o->dot)
        rc |= cli_write_file(o->dot, log, cli_dot_all);
    if (pcap) {
        FILE *f = fopen(o->pcap, "wb");
        if (!f || out_pcap_finish(pcap, f) != 0)
            rc = -1;
        if (f && fclose(f) != 0)
            rc = -1;
        if (rc)
            fprintf(stderr, "tcpsim: could not write %s\n", o->pcap);
    }
    return rc ? -1 : 0;
}

/* Run one scenario as `run` does. */
static int
cli_run_one(const struct cli_run_opts *o)
{
    struct lsim *l = lsim_new(&o->lo);
    struct out_text *text = NULL;
    struct out_pcap *pcap = NULL;
    if (!l) {
        fprintf(stderr, "tcpsim: out of memory\n");
        return 1;
    }
    struct world *w = lsim_world(l);
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
    if (o->pcap && (pcap = out_pcap_new()) != NULL)
        world_observe(w, out_pcap_observe, pcap);
    char why[600];
    int loaded = o->file ? lsim_load(l, o->file) : lsim_load_string(l, o->code, "=demo");
    if (loaded == 0 && cli_settings_apply(&o->settings, l, why, sizeof why) != 0) {
        fprintf(stderr, "tcpsim run: %s\n", why); /* checked before: not expected */
        loaded = -1;
    }
    enum lsim_status s = loaded == 0 ? cli_drive(l, stdout, o->format != OUT_FMT_JSONL) : LSIM_FAILED;
    /* the pictures first: the verdict is the last thing a reader sees, as after a trace */
    int rc = cli_run_outputs(o, l, pcap) != 0;
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
    out_text_free(text);
    out_pcap_free(pcap);
    lsim_free(l);
    return rc;
}

int
cli_run(int argc, char **argv)
{
    struct cli_run_opts o = {.lo = LSIM_OPTS_DEFAULT, .format = OUT_FMT_RFC, .abs_seq = -1};
    int rc;
    if (cli_run_parse(argc, argv, &o) != 0 || !o.file)
        rc = cli_run_usage();
    else if (cli_settings_check(&o.settings, "tcpsim run") != 0)
        rc = 2;
    else
        rc = cli_run_one(&o);
    cli_settings_free(&o.settings);
    return rc;
}

int
cli_demo(int argc, char **argv)
{
    struct cli_run_opts o = {.lo = LSIM_OPTS_DEFAULT, .format = OUT_FMT_RFC, .abs_seq = -1};
    if (cli_run_parse(argc, argv, &o) != 0) {
        cli_settings_free(&o.settings);
        return cli_run_usage();
    }
    if (!o.file) {
        if (access(CLI_DEMO_SCRIPT, R_OK) == 0)
            o.file = CLI_DEMO_SCRIPT;
        else
            o.code = cli_demo_builtin;
    }
    int rc = cli_settings_check(&o.settings, "tcpsim demo") == 0 ? cli_run_one(&o) : 2;
    cli_settings_free(&o.settings);
    return rc;
}
