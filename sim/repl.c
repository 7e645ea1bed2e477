/*
 * repl.c - the session around the commands: the world it shows, the loop that reads lines
 * (GNU readline on a terminal, plain lines otherwise), history, tab completion, Ctrl-C, and
 * the journal that lets `back` and `rewind` rebuild the world by deterministic replay.
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
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "repl_internal.h"
#include "tcpsim/tcpsim.h"

/*
 * The two statics of the REPL, both forced by C callbacks that take no context: the flag the
 * SIGINT handler sets (checked between events, so Ctrl-C stops a long `run`), and the session
 * that readline's completion callbacks complete for (set only while readline runs).
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
    if (errno || end == s || v < 0 || v > 1e9)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].unit) != 0)
            continue;
        /* "1e9h" would not fit the clock's 63 bits of nanoseconds, and NaN ("nan") passes
           every test above */
        double ns = v * units[i].scale;
        return ns <= (double)REPL_TIME_MAX ? (clk_time)(ns + 0.5) : -1;
    }
    return -1;
}

const char *
repl_color(const struct repl *r, const char *ansi)
{
    return r->o.color ? ansi : "";
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

bool
repl_interrupted(void)
{
    if (!repl_sigint)
        return false;
    repl_sigint = 0;
    return true;
}

/* ---- the world and its observers ------------------------------------------------------------ */

static void
repl_world_drop(struct repl *r)
{
    lsim_free(r->lsim); /* first: it borrows the world and the log */
    r->lsim = NULL;
    world_free(r->w);
    r->w = NULL;
    trace_log_fini(&r->log);
    out_text_free(r->printer);
    r->printer = NULL;
    if (r->evbuf)
        fclose(r->evbuf);
    r->evbuf = NULL;
    free(r->evmem);
    r->evmem = NULL;
}

/* The scenario on the session's world, loaded and not started; without a scenario an empty
   chunk, run to its end at once, so `lua` and `=` work in a bare world too. 0 or -1. */
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
    if (!r->o.scenario) {
        if (lsim_load_string(r->lsim, "", "=repl") != 0)
            return -1;
        lsim_resume(r->lsim, LSIM_FOREVER);
        return 0;
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
    enum lsim_status s = lsim_status(r->lsim);
    return s == LSIM_READY || s == LSIM_RUNNING || s == LSIM_PAUSED;
}

bool
repl_step1(struct repl *r)
{
    if (repl_script_active(r)) {
        lsim_resume(r->lsim, 1);
        return true;
    }
    return world_step(r->w);
}

/* A fresh world with the session's seed and preset, its log and its printer. 0 or -1. */
static int
repl_world_fresh(struct repl *r)
{
    struct world_config cfg = {.seed = r->o.seed, .preset = r->o.preset};
    struct out_text_opts to = OUT_TEXT_OPTS_DEFAULT;
    repl_world_drop(r);
    trace_log_init(&r->log);
    to.format = r->o.format;
    to.color = r->o.color;
    to.absolute_seq = true; /* the numbers `tcb` and `wire` show */
    r->w = world_new(&cfg);
    r->evbuf = open_memstream(&r->evmem, &r->evlen);
    r->printer = r->evbuf ? out_text_new(r->evbuf, &to) : NULL;
    if (!r->w || !r->printer)
        return -1;
    world_observe(r->w, trace_log_observe, &r->log);
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
    if (repl_world_fresh(r) != 0) {
        if (!r->lsim || lsim_status(r->lsim) != LSIM_EMPTY)
            repl_err(r, "out of memory");
        repl_free(r);
        return NULL;
    }
    return r;
}

static void
repl_cand_clear(struct repl *r)
{
    for (size_t i = 0; i < r->ncand; i++)
        free(r->cand[i]);
    free(r->cand);
    r->cand = NULL;
    r->ncand = r->candi = 0;
}

void
repl_free(struct repl *r)
{
    if (!r)
        return;
    repl_world_drop(r);
    for (size_t i = 0; i < r->jlen; i++)
        free(r->jr[i].line);
    free(r->jr);
    free(r->bp);
    free(r->last_line);
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

void
repl_journal(struct repl *r, enum repl_op op, const char *line)
{
    if (r->replaying)
        return;
    if (r->jlen == r->jcap) {
        size_t ncap = r->jcap ? r->jcap * 2 : 256;
        struct repl_jent *n = realloc(r->jr, ncap * sizeof *n);
        if (!n)
            return; /* the journal stops growing; `back` will say it cannot reach so far */
        r->jr = n;
        r->jcap = ncap;
    }
    struct repl_jent *e = &r->jr[r->jlen++];
    e->op = op;
    e->t = world_now(r->w);
    e->line = line ? strdup(line) : NULL;
}

int
repl_replay(struct repl *r, size_t keep)
{
    FILE *sink = fopen("/dev/null", "w");
    if (!sink || repl_world_fresh(r) != 0) {
        if (sink)
            fclose(sink);
        return -1;
    }
    r->replaying = true;
    r->out = sink;
    for (size_t i = 0; i < keep && i < r->jlen; i++) {
        const struct repl_jent *e = &r->jr[i];
        switch (e->op) {
        case REPL_OP_STEP:
            repl_step1(r);
            break;
        case REPL_OP_CLOCK:
            world_run_until_time(r->w, e->t);
            break;
        case REPL_OP_CMD:
            repl_exec(r, e->line);
            break;
        }
    }
    repl_flush_events(r);
    r->replaying = false;
    r->out = r->o.out;
    fclose(sink);
    for (size_t i = keep; i < r->jlen; i++)
        free(r->jr[i].line);
    if (keep < r->jlen)
        r->jlen = keep;
    return 0;
}

/* ---- completion ----------------------------------------------------------------------------- */

static void
repl_cand_add(struct repl *r, const char *text, const char *word)
{
    if (strncasecmp(word, text, strlen(text)) != 0)
        return;
    for (size_t i = 0; i < r->ncand; i++)
        if (strcmp(r->cand[i], word) == 0)
            return;
    char **n = realloc(r->cand, (r->ncand + 1) * sizeof *n);
    if (!n)
        return;
    r->cand = n;
    r->cand[r->ncand] = strdup(word);
    if (r->cand[r->ncand])
        r->ncand++;
}

/* Candidates of kind 'k' (see struct repl_cmd's 'args') that start with 'text'. */
static void
repl_cand_kind(struct repl *r, char k, const char *text)
{
    switch (k) {
    case 'c':
        for (size_t i = 0; i < repl_ncmds; i++)
            if (!strchr(repl_cmds[i].name, ' '))
                repl_cand_add(r, text, repl_cmds[i].name);
        break;
    case 'a':
        repl_cand_kind(r, 's', text);
        repl_cand_kind(r, 'h', text);
        break;
    case 's':
        for (uint32_t i = 0; i < r->w->nconns; i++)
            repl_cand_add(r, text, r->w->conns[i]->name);
        break;
    case 'h':
        for (int i = 0; i < WORLD_HOSTS; i++)
            repl_cand_add(r, text, r->w->host[i].name);
        break;
    case 'S':
        for (int s = 0; s < TCP_STATE_COUNT; s++)
            repl_cand_add(r, text, tcp_state_bsd((enum tcp_state)s));
        break;
    case 'k':
        for (size_t i = 0; i < tcp_setting_count; i++)
            repl_cand_add(r, text, tcp_setting_table[i].name);
        break;
    case 'T':
        for (int t = 0; t < TCP_TIMER_COUNT; t++)
            repl_cand_add(r, text, tcp_timer_name((enum tcp_timer)t));
        break;
    case 'b':
        repl_cand_add(r, text, "seg");
        repl_cand_add(r, text, "timer");
        repl_cand_add(r, text, "at");
        repl_cand_kind(r, 'a', text);
        repl_cand_kind(r, 'S', text);
        break;
    default:
        break;
    }
}

static char *
repl_cand_next(const char *text, int state)
{
    struct repl *r = repl_rl_session;
    (void)text;
    if (!r)
        return NULL;
    if (state == 0)
        r->candi = 0;
    if (r->candi >= r->ncand)
        return NULL;
    return strdup(r->cand[r->candi++]);
}

/* readline's completion: the first word is a command (or a host, `A connect ...`); each
   further word is completed by its command's 'args'. */
static char **
repl_complete(const char *text, int start, int end)
{
    struct repl *r = repl_rl_session;
    char *head = strndup(rl_line_buffer, (size_t)start), *argv[REPL_MAX_ARGS];
    (void)end;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    if (!r || !head) {
        free(head);
        return NULL;
    }
    repl_cand_clear(r);
    int argc = repl_split(head, argv, REPL_MAX_ARGS), idx = argc;
    const struct repl_cmd *c = NULL;
    if (argc >= 1 && world_host(r->w, argv[0])) {
        idx--; /* `A connect B 80`: the host comes first, the command second */
        if (argc >= 2)
            c = repl_cmd_find(argv[1], NULL);
    } else if (argc >= 1) {
        c = repl_cmd_find(argv[0], NULL);
    }
    if (argc <= 0) {
        repl_cand_kind(r, 'c', text);
        repl_cand_kind(r, 'h', text);
    } else if (argc == 1 && world_host(r->w, argv[0])) {
        repl_cand_kind(r, 'c', text);
    } else if (c && c->args && *c->args) {
        size_t n = strlen(c->args), i = (size_t)idx - 1;
        repl_cand_kind(r, c->args[i < n ? i : n - 1], text);
    }
    free(head);
    if (r->ncand == 0)
        return NULL;
    return rl_completion_matches(text, repl_cand_next);
}

/* ---- the loop -------------------------------------------------------------------------------- */

static void
repl_on_sigint(int sig)
{
    (void)sig;
    repl_sigint = 1;
}

/* Ctrl-C while readline waits for a line: drop the line, show a fresh prompt. */
static int
repl_rl_signal(void)
{
    if (repl_sigint) {
        repl_sigint = 0;
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

int
repl_loop(struct repl *r)
{
    struct sigaction sa, old;
    if (r->o.tty) {
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = repl_on_sigint; /* no SA_RESTART: a blocked read returns to readline */
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old);
        rl_catch_signals = 0;
        rl_signal_event_hook = repl_rl_signal;
        rl_instream = r->o.in;
        rl_outstream = r->o.out;
        rl_readline_name = "tcpsim";
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
            break;
        }
        enum repl_status st = repl_exec(r, line);
        free(line);
        fflush(r->o.out);
        if (st == REPL_EXIT)
            break;
    }
    if (r->o.tty) {
        if (r->o.history)
            write_history(r->o.history); /* an unwritable file only loses the history */
        sigaction(SIGINT, &old, NULL);
    }
    return !r->o.tty && r->last_failed ? 1 : 0;
}

/* ---- tcpsim repl ----------------------------------------------------------------------------- */

static void
repl_usage(FILE *f)
{
    fprintf(f, "usage: tcpsim repl [--seed N] [--preset linux|rfc] [--format rfc|tcpdump|jsonl]\n"
               "                   [--echo] [--color] [FILE]\n");
}

int
repl_main(int argc, char **argv)
{
    struct repl_opts o;
    const char *file = NULL, *home = getenv("HOME");
    char hist[4096];
    repl_opts_default(&o, stdin, stdout);
    o.tty = isatty(STDIN_FILENO) != 0;
    o.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--seed") == 0 && v) {
            o.seed = strtoull(v, NULL, 0);
            i++;
        } else if (strcmp(a, "--preset") == 0 && v && tcp_preset_parse(v) >= 0) {
            o.preset = (enum tcp_preset)tcp_preset_parse(v);
            i++;
        } else if (strcmp(a, "--format") == 0 && v && out_format_parse(v) >= 0) {
            o.format = (enum out_format)out_format_parse(v);
            i++;
        } else if (strcmp(a, "--echo") == 0) {
            o.echo = true;
        } else if (strcmp(a, "--color") == 0) {
            o.color = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            repl_usage(stdout);
            return 0;
        } else if (a[0] != '-' && !file) {
            file = a;
        } else {
            repl_usage(stderr);
            return 2;
        }
    }
    o.scenario = file;
    if (o.tty && home && *home && snprintf(hist, sizeof hist, "%s/.tcpsim_history", home) < (int)sizeof hist)
        o.history = hist;
    struct repl *r = repl_new(&o);
    if (!r)
        return 1; /* repl_new said why */
    if (o.tty)
        fprintf(stdout, "tcpsim %s: two hosts, A 10.0.0.1 and B 10.0.0.2, seed %llu%s%s. "
                        "Type help; Ctrl-D quits.\n", TCPSIM_VERSION, (unsigned long long)o.seed,
                file ? "; paused at the start of " : "", file ? file : "");
    int rc = repl_loop(r);
    repl_free(r);
    return rc;
}
