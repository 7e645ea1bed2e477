/*
 * repl.c - the session around the commands: the world it shows, the loop that reads lines
 * (GNU readline on a terminal, plain lines otherwise), history, Ctrl-C, and the journal that
 * lets `back` and `rewind` rebuild the world by deterministic replay. Tab completion is
 * repl_complete.c's.
 *
 * Entry points in call order: repl_main -> repl_new -> repl_loop (-> repl_exec, in
 * repl_cmds.c, for each line) -> repl_free.
 *
 * Going back in time: every change made to the world is journaled (one entry per world_step,
 * per clock move, per acting command line). `back N` keeps all but the last N entries, builds
 * a fresh world with the same seed and preset, and performs the kept entries again, printing
 * nothing. The engine is deterministic, so the rebuilt world's event stream is the one the
 * student saw, event for event.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sys/ioctl.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cli.h"
#include "repl_internal.h"
#include "tcpsim/tcpsim.h"

/*
 * The two statics of the REPL, both forced by C callbacks that take no context: the flag the
 * SIGINT handler sets (checked between events, so Ctrl-C stops a long `run`, and lent to the
 * Lua runner, whose hook checks it, so Ctrl-C stops a long `lua` line), and the session that
 * readline's completion callbacks complete for (set only while readline runs).
 */
static volatile sig_atomic_t repl_sigint;
static struct repl *repl_rl_session;

/* ---- small helpers ------------------------------------------------------------------------- */

const char *
repl_dur_str(clk_time t, char *buf, size_t cap)
{
    if (t >= CLK_SEC(600) && t % CLK_SEC(60) == 0)
        snprintf(buf, cap, "%lldmin", (long long)(t / CLK_SEC(60)));
    else
        snprintf(buf, cap, "%.3fs", clk_to_sec(t));
    return buf;
}

clk_time
repl_parse_time(const char *s)
{
    static const struct { const char *unit; double scale; } units[] = {
        {"", 1e9}, {"s", 1e9}, {"ms", 1e6}, {"us", 1e3}, {"ns", 1}, {"m", 60e9}, {"min", 60e9},
        {"h", 3600e9},
    };
    char *end;
    if (!s || !*s)
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || v < 0 || v != v || (errno && v != HUGE_VAL))
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].unit) != 0)
            continue;
        /* "1e9h" would not fit the clock's 63 bits of nanoseconds (compared as a double: no
           overflow converting it); NaN ("nan") was refused above */
        double ns = v * units[i].scale;
        return ns > (double)REPL_TIME_MAX ? REPL_TIME_TOO_LARGE : (clk_time)(ns + 0.5);
    }
    return -1;
}

int
repl_time_arg(struct repl *r, const char *cmd, const char *arg, const char *example, clk_time *out)
{
    clk_time t = arg ? repl_parse_time(arg) : -1;
    if (!arg)
        return repl_err(r, "%s: want a time, e.g. %s", cmd, example), -1;
    if (t == REPL_TIME_TOO_LARGE)
        return repl_err(r, "%s: %s is too large (at most 1000000000 s, about 31 years)", cmd, arg), -1;
    if (t < 0)
        return repl_err(r, "%s: bad time \"%s\": seconds (1.5) or with a unit (200ms, 60s, 2min), e.g. %s", cmd, arg,
                        example), -1;
    *out = t;
    return 0;
}

const char *
repl_color(const struct repl *r, const char *ansi)
{
    return r->o.color ? ansi : "";
}

int
repl_width(const struct repl *r)
{
    return r->width_set >= 0 ? r->width_set : r->term_width;
}

void
repl_printer_update(struct repl *r)
{
    struct out_text_opts to = OUT_TEXT_OPTS_DEFAULT;
    to.format = r->o.format;
    to.color = r->o.color;
    to.absolute_seq = !r->rel; /* absolute: the numbers `tcb` and `wire` show */
    to.width = repl_width(r);
    if (r->printer)
        out_text_configure(r->printer, &to);
    r->undo_gen++; /* the lines kept for `back` were printed otherwise */
}

enum repl_status
repl_err(struct repl *r, const char *fmt, ...)
{
    va_list ap;
    fprintf(r->out, "%serror:%s ", repl_color(r, "\033[1;31m"), repl_color(r, "\033[0m"));
    va_start(ap, fmt);
    vfprintf(r->out, fmt, ap);
    va_end(ap);
    fputc('\n', r->out);
    return REPL_ERR;
}

void
repl_flush_events(struct repl *r)
{
    fflush(r->evbuf);
    if (!r->replaying && r->evlen)
        fwrite(r->evmem, 1, r->evlen, r->o.out);
    rewind(r->evbuf);
    fflush(r->evbuf);
}

void
repl_interrupt(void)
{
    repl_sigint = 1;
}

bool
repl_interrupted(void)
{
    if (!repl_sigint)
        return false;
    repl_sigint = 0;
    return true;
}

struct repl *
repl_reading(void)
{
    return repl_rl_session;
}

/* ---- the world and its observers ------------------------------------------------------------ */

static void
repl_world_drop(struct repl *r)
{
    pkt_runner_free(r->pkr); /* first: they borrow the world and the log */
    r->pkr = NULL;
    lsim_free(r->lsim);
    r->lsim = NULL;
    world_free(r->w);
    r->w = NULL;
    out_pcap_free(r->pcap);
    r->pcap = NULL;
    trace_log_fini(&r->log);
    out_text_free(r->printer);
    r->printer = NULL;
    if (r->evbuf)
        fclose(r->evbuf);
    r->evbuf = NULL;
    free(r->evmem);
    r->evmem = NULL;
}

bool
repl_is_pkt(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return n > 4 && strcmp(path + n - 4, ".pkt") == 0;
}

/* A packetdrill script on the session's world, not started: host A plays the system under
   test, B the script (pkt_run.c), and each step plays one line of the script, shown in the
   trace. The script is parsed once per file. 0, -1 when out of memory, -2 after saying why
   the script does not parse. */
static int
repl_pkt_fresh(struct repl *r)
{
    if (!r->pkt || strcmp(r->pkt->path, r->o.scenario) != 0) {
        char err[1024];
        struct pkt_script *s = NULL;
        if (pkt_parse_file(r->o.scenario, &s, err, sizeof err) != 0) {
            repl_err(r, "%s", err);
            return -2;
        }
        pkt_script_free(r->pkt);
        r->pkt = s;
    }
    struct pkt_run_opts po = PKT_RUN_OPTS_DEFAULT;
    po.seed = r->o.seed;
    po.preset = r->o.preset;
    po.narrate = true;
    return (r->pkr = pkt_runner_attach(r->pkt, &po, r->w)) ? 0 : -1;
}

/* The scenario on the session's world, loaded and not started; without a scenario (and for a
   packetdrill script) an empty chunk, run to its end at once, so `lua` and `=` work in a bare
   world too. 0 or -1. */
static int
repl_script_fresh(struct repl *r)
{
    struct lsim_opts lo = LSIM_OPTS_DEFAULT;
    lo.seed = r->o.seed;
    lo.preset = r->o.preset;
    lo.world = r->w;
    lo.log = &r->log;
    if (!(r->lsim = lsim_new(&lo)))
        return -1;
    lsim_set_interrupt_flag(r->lsim, &repl_sigint); /* Ctrl-C stops a long `lua` line */
    if (!r->o.scenario || repl_is_pkt(r->o.scenario)) {
        if (lsim_load_string(r->lsim, "", "=repl") != 0)
            return -1;
        lsim_resume(r->lsim, LSIM_FOREVER);
        return r->o.scenario ? repl_pkt_fresh(r) : 0;
    }
    if (lsim_load(r->lsim, r->o.scenario) != 0) {
        repl_err(r, "%s", lsim_message(r->lsim));
        return -1;
    }
    return 0;
}

bool
repl_script_active(const struct repl *r)
{
    if (r->pkr)
        return pkt_runner_next(r->pkr) != NULL;
    enum lsim_status s = lsim_status(r->lsim);
    return s == LSIM_READY || s == LSIM_RUNNING || s == LSIM_PAUSED;
}

bool
repl_step1(struct repl *r)
{
    return repl_step_to(r, CLK_NEVER);
}

bool
repl_step_to(struct repl *r, clk_time horizon)
{
    if (r->pkr && repl_script_active(r)) {
        pkt_runner_step(r->pkr); /* one line of the script, whatever the horizon */
        return true;
    }
    if (repl_script_active(r)) {
        lsim_resume_to(r->lsim, 1, horizon);
        return true;
    }
    return world_step(r->w);
}

/* A fresh world with the session's seed and preset, its log and its printer. 0, or -1 (-2 when
   a packetdrill script does not parse, already said). */
static int
repl_world_fresh(struct repl *r)
{
    struct world_config cfg = {.seed = r->o.seed, .preset = r->o.preset};
    repl_world_drop(r);
    trace_log_init(&r->log);
    r->ckpt_at = 0;
    r->undo_gen++; /* the event indexes start again */
    r->w = world_new(&cfg);
    r->evbuf = open_memstream(&r->evmem, &r->evlen);
    r->printer = r->evbuf ? out_text_new(r->evbuf, NULL) : NULL;
    r->pcap = out_pcap_new();
    if (!r->w || !r->printer || !r->pcap)
        return -1;
    repl_printer_update(r);
    world_observe(r->w, trace_log_observe, &r->log);
    world_observe(r->w, out_pcap_observe, r->pcap); /* for `save pcap` */
    world_observe(r->w, repl_on_event, r);
    return repl_script_fresh(r);
}

void
repl_opts_default(struct repl_opts *o, FILE *in, FILE *out)
{
    memset(o, 0, sizeof *o);
    o->in = in;
    o->out = out;
    o->seed = 1;
    o->preset = TCP_PRESET_LINUX;
    o->format = OUT_FMT_RFC;
}

struct repl *
repl_new(const struct repl_opts *o)
{
    struct repl *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->o = *o;
    r->out = o->out;
    r->next_bp = 1;
    r->width_set = -1;
    r->rel = o->rel;
    int rc = repl_world_fresh(r);
    if (rc != 0) {
        if (rc != -2 && (!r->lsim || lsim_status(r->lsim) != LSIM_EMPTY))
            repl_err(r, "out of memory");
        repl_free(r);
        return NULL;
    }
    return r;
}

void
repl_free(struct repl *r)
{
    if (!r)
        return;
    repl_world_drop(r);
    for (size_t i = 0; i < r->jtop; i++)
        free(r->jr[i].line);
    free(r->jr);
    free(r->bp);
    free(r->last_line);
    free(r->scenario);
    pkt_script_free(r->pkt);
    free(r->lua_pending);
    repl_cand_clear(r);
    free(r);
}

struct world *
repl_world(const struct repl *r)
{
    return r->w;
}

const struct trace_log *
repl_log(const struct repl *r)
{
    return &r->log;
}

/* ---- journal and replay --------------------------------------------------------------------- */

/* Put an entry at jr[jlen], before what `forward` could redo (moved up by one). */
static void
repl_journal_put(struct repl *r, enum repl_op op, const char *line)
{
    if (r->jtop == r->jcap) {
        size_t ncap = r->jcap ? r->jcap * 2 : 256;
        struct repl_jent *n = realloc(r->jr, ncap * sizeof *n);
        if (!n)
            return; /* the journal stops growing; `back` will say it cannot reach so far */
        r->jr = n;
        r->jcap = ncap;
    }
    memmove(&r->jr[r->jlen + 1], &r->jr[r->jlen], (r->jtop - r->jlen) * sizeof r->jr[0]);
    struct repl_jent *e = &r->jr[r->jlen++];
    r->jtop++;
    e->op = op;
    e->t = world_now(r->w);
    e->line = line ? strdup(line) : NULL;
    e->nlog = r->log.len;
    e->stop = 0;
}

void
repl_journal(struct repl *r, enum repl_op op, const char *line)
{
    if (r->replaying)
        return;
    /* something new happened: what `back` undid can no longer be redone, as in an editor */
    for (size_t i = r->jlen; i < r->jtop; i++)
        free(r->jr[i].line);
    r->jtop = r->jlen;
    repl_journal_put(r, op, line);
}

void
repl_journal_keep(struct repl *r, enum repl_op op, const char *line)
{
    if (!r->replaying)
        repl_journal_put(r, op, line);
}

int
repl_replay(struct repl *r, size_t keep)
{
    if (repl_world_fresh(r) != 0)
        return -1;
    return repl_replay_from(r, 0, keep);
}

int
repl_replay_from(struct repl *r, size_t from, size_t keep)
{
    FILE *sink = fopen("/dev/null", "w");
    if (!sink)
        return -1;
    r->replaying = true;
    r->out = sink;
    if (keep > r->jtop)
        keep = r->jtop;
    size_t end = keep ? r->jr[keep - 1].nlog : 0;
    r->quiet_below = end > REPL_UNDO_LINES ? end - REPL_UNDO_LINES : 0;
    r->jlen = keep; /* replaying journals nothing: the journal is as it was up to 'keep' */
    for (size_t i = from; i < keep; i++) {
        const struct repl_jent *e = &r->jr[i];
        switch (e->op) {
        case REPL_OP_STEP:
            /* a scenario's step went no further than e->t: a time stop may have held it */
            repl_step_to(r, e->t);
            break;
        case REPL_OP_CLOCK:
            world_run_until_time(r->w, e->t);
            break;
        case REPL_OP_CMD:
            lsim_eval_stop_at(r->lsim, e->stop); /* a `lua` line Ctrl-C stopped stops there again */
            repl_exec_one(r, e->line);
            lsim_eval_stop_at(r->lsim, 0);
            break;
        }
    }
    repl_flush_events(r);
    r->replaying = false;
    r->quiet_below = 0;
    r->out = r->o.out;
    fclose(sink);
    return 0; /* the entries after 'keep' stay, up to jtop, for `forward` */
}

/* ---- the loop -------------------------------------------------------------------------------- */

static void
repl_on_sigint(int sig)
{
    (void)sig;
    repl_interrupt();
}

/* Ctrl-C while readline waits for a line: drop the line, show a fresh prompt. */
static int
repl_rl_signal(void)
{
    if (repl_sigint) {
        repl_sigint = 0;
        if (repl_rl_session) { /* and an unfinished Lua chunk with it */
            free(repl_rl_session->lua_pending);
            repl_rl_session->lua_pending = NULL;
        }
        rl_replace_line("", 0);
        rl_crlf();
        rl_on_new_line();
        rl_redisplay();
    }
    return 0;
}

static void
repl_prompt(const struct repl *r, char *buf, size_t cap)
{
    char t[32];
    if (r->lua_pending)
        snprintf(buf, cap, ">> "); /* the rest of an unfinished Lua chunk, as lua.c asks */
    else
        snprintf(buf, cap, "tcpsim %s> ", out_time_str(world_now(r->w), t, sizeof t));
}

/* The next line, without its newline; NULL at EOF (Ctrl-D). The caller frees it. */
static char *
repl_read(struct repl *r)
{
    char prompt[64];
    repl_prompt(r, prompt, sizeof prompt);
    if (r->o.tty) {
        repl_rl_session = r;
        char *line = readline(prompt);
        repl_rl_session = NULL;
        if (line && *line)
            add_history(line);
        return line;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, r->o.in);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (r->o.echo)
        fprintf(r->o.out, "%s%s\n", prompt, line);
    return line;
}

/* The terminal's width, when the output is one, read before each command (it may have been
   resized); the event printer follows it. */
static void
repl_term_width(struct repl *r)
{
    struct winsize ws;
    int fd = fileno(r->o.out), w = 0;
    if (fd >= 0 && isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0)
        w = ws.ws_col;
    if (w != r->term_width) {
        r->term_width = w;
        repl_printer_update(r);
    }
}

int
repl_loop(struct repl *r)
{
    struct sigaction sa, sa_run, old;
    if (r->o.checkpoints && fileno(r->o.in) >= 0) {
        /* a checkpoint resumed reads on where the process it replaces stopped: no read-ahead
           in a buffer that process took with it */
        if (!r->o.tty)
            setvbuf(r->o.in, NULL, _IONBF, 0);
        r->in_loop = true;
        r->ckpt_every = REPL_CKPT_EVERY;
    }
    if (r->o.tty) {
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = repl_on_sigint; /* no SA_RESTART: a blocked read returns to readline */
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old);
        /* While a command runs, Ctrl-C only raises the flag the commands look at: a write it
           interrupts goes on (SA_RESTART), or stdio would drop what it held (half a trace
           line, and the rest of it lost) */
        sa_run = sa;
        sa_run.sa_flags = SA_RESTART;
        rl_catch_signals = 0;
        rl_signal_event_hook = repl_rl_signal;
        rl_instream = r->o.in;
        rl_outstream = r->o.out;
        rl_readline_name = "tcpsim";
        if (!isatty(fileno(r->o.out))) {
            /* `tcpsim repl | tee log`: what readline writes goes into the log too, so it
               edits the line as on a terminal without escape codes (backspace and rewriting,
               no bracketed paste, no meta key mode) */
            rl_terminal_name = "dumb";
            rl_variable_bind("enable-bracketed-paste", "off");
            rl_variable_bind("enable-meta-key", "off");
        }
        rl_attempted_completion_function = repl_complete;
        rl_basic_word_break_characters = " \t";
        if (r->o.history)
            read_history(r->o.history);
    }
    for (;;) {
        char *line = repl_read(r);
        if (!line) {
            if (r->o.tty)
                fputc('\n', r->o.out);
            if (r->lua_pending) { /* the input ended inside a Lua chunk: say what Lua says */
                const char *code = r->lua_pending + strspn(r->lua_pending, " \t");
                char *msg = NULL;
                lsim_eval(r->lsim, code[0] == '=' ? code + 1 : code + 3, &msg);
                repl_err(r, "%s (the input ended inside this Lua chunk)", msg ? msg : "unfinished Lua");
                r->last_failed = true;
                free(msg);
                free(r->lua_pending);
                r->lua_pending = NULL;
            }
            break;
        }
        repl_term_width(r);
        if (r->o.tty)
            sigaction(SIGINT, &sa_run, NULL);
        enum repl_status st = repl_exec(r, line);
        if (r->o.tty)
            sigaction(SIGINT, &sa, NULL);
        free(line);
        if (!r->restored)
            repl_ckpt_maybe(r); /* between two commands */
        if (r->restored) {
            repl_ckpt_resumed(r); /* this process is the session again, back in time */
            st = REPL_OK;
        }
        fflush(r->o.out);
        if (st == REPL_EXIT)
            break;
    }
    if (r->o.tty) {
        if (r->o.history)
            write_history(r->o.history); /* an unwritable file only loses the history */
        sigaction(SIGINT, &old, NULL);
    }
    int status = !r->o.tty && r->last_failed ? 1 : 0;
    fflush(r->o.out);
    repl_ckpt_drop_all(r, status); /* the paused copies end with the session's status */
    r->in_loop = false;
    return status;
}

/* ---- tcpsim repl ----------------------------------------------------------------------------- */

enum { REPL_OPT_SEED = 256, REPL_OPT_PRESET, REPL_OPT_FORMAT, REPL_OPT_ECHO, REPL_OPT_COLOR, REPL_OPT_REL };

static const struct option repl_longopts[] = {
    {"seed", required_argument, NULL, REPL_OPT_SEED},
    {"preset", required_argument, NULL, REPL_OPT_PRESET},
    {"format", required_argument, NULL, REPL_OPT_FORMAT},
    {"echo", no_argument, NULL, REPL_OPT_ECHO},
    {"color", no_argument, NULL, REPL_OPT_COLOR},
    {"rel", no_argument, NULL, REPL_OPT_REL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void
repl_help(FILE *f)
{
    fprintf(f, "Usage: tcpsim repl [OPTION]... [FILE]\n"
               "   or: tcpsim FILE -i\n"
               "Step through the Lua scenario FILE (paused before its first line), or a world\n"
               "of two idle hosts, one event at a time; look at both endpoints, change the\n"
               "wire, go back. A packetdrill script FILE.pkt is stepped through a line at a\n"
               "time, host A its system under test (as tcpsim pkt plays it). Type help at the\n"
               "prompt for the commands.\n\n"
               "      --seed=N         the seed of the world's PRNG, from 0 to\n"
               "                       18446744073709551615 (default 1)\n"
               "      --preset=PRESET  the settings: linux (default) or rfc\n"
               "      --format=FORMAT  how events are printed: rfc (default), tcpdump or jsonl\n"
               "      --echo           print the prompt and each command, also when the\n"
               "                       commands do not come from a terminal\n"
               "      --color          colour even when the output is not a terminal\n"
               "      --rel            SEQ and ACK relative to each side's ISN (set rel on)\n"
               "  -h, --help           print this help and exit\n\n"
               "Exit status:\n"
               "  0  the session ended (quit, Ctrl-D, the end of the commands)\n"
               "  1  FILE could not be loaded; or, with commands from a file or a pipe, the\n"
               "     last command failed\n" CLI_HELP_EXIT_USAGE "\n"
               "Manual: tcpsim(1); the Lua API: tcpsim-lua(7).\n");
}

/* Parse `tcpsim repl`'s arguments into 'o' and '*file'; -1 to go on, else the exit status
   (after --help, or a message on bad usage). */
static int
repl_parse_args(int argc, char **argv, struct repl_opts *o, const char **file)
{
    struct cli_args a;
    if (cli_args_init(&a, "tcpsim repl", repl_longopts, argc, argv) != 0) {
        fprintf(stderr, "tcpsim: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    int rc = -1;
    for (int c; rc < 0 && (c = cli_args_next(&a, "h")) != -1;) {
        unsigned long long n;
        int v;
        switch (c) {
        case REPL_OPT_SEED:
            if ((rc = cli_seed_arg(&a, &n)) < 0)
                o->seed = n;
            break;
        case REPL_OPT_PRESET:
            rc = cli_preset_arg(&a, &o->preset);
            break;
        case REPL_OPT_FORMAT:
            if ((v = out_format_parse(optarg)) < 0)
                rc = cli_bad_value(&a, "rfc, tcpdump or jsonl");
            else
                o->format = (enum out_format)v;
            break;
        case REPL_OPT_ECHO:
            o->echo = true;
            break;
        case REPL_OPT_COLOR:
            o->color = true;
            break;
        case REPL_OPT_REL:
            o->rel = true;
            break;
        case 'h':
            repl_help(stdout);
            rc = CLI_EXIT_OK;
            break;
        default: /* '?': getopt_long has said what was wrong */
            rc = cli_try_help(&a);
            break;
        }
    }
    if (rc < 0 && optind < a.argc)
        *file = a.argv[optind++];
    if (rc < 0 && optind < a.argc)
        rc = cli_usage_error(&a, "unexpected argument '%s' (one FILE only)", a.argv[optind]);
    cli_args_free(&a);
    return rc;
}

int
repl_main(int argc, char **argv)
{
    struct repl_opts o;
    const char *file = NULL, *home = getenv("HOME");
    char hist[4096];
    repl_opts_default(&o, stdin, stdout);
    o.tty = isatty(STDIN_FILENO) != 0;
    /* no-color.org: NO_COLOR set to anything but the empty string turns colour off */
    const char *no_color = getenv("NO_COLOR");
    o.color = isatty(STDOUT_FILENO) && !(no_color && *no_color);
    int rc = repl_parse_args(argc, argv, &o, &file);
    if (rc >= 0)
        return rc;
    o.scenario = file;
    o.checkpoints = true; /* back and rewind restore paused copies of this process */
    if (o.tty && home && *home && snprintf(hist, sizeof hist, "%s/.tcpsim_history", home) < (int)sizeof hist)
        o.history = hist;
    struct repl *r = repl_new(&o);
    if (!r)
        return 1; /* repl_new said why */
    if (o.tty) /* short lines: a 60-column terminal shows each whole */
        fprintf(stdout, "tcpsim %s: two hosts, A 10.0.0.1 and B 10.0.0.2, seed %llu.\n%s%s%s"
                        "Type help; Ctrl-D quits.\n", TCPSIM_VERSION, (unsigned long long)o.seed,
                file ? "Paused at the start of " : "", file ? file : "", file ? ".\n" : "");
    rc = repl_loop(r);
    repl_free(r);
    return rc;
}
