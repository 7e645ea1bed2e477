/*
 * cli_test.c - `tcpsim test`: every scenario in the given files and folders (default
 * scripts/, in the current folder or else the installed library), each in a fresh runner
 * inside a worker process, one line each, then "N passed, N failed".
 *
 *   tcpsim test [-j N|--jobs=N] [--filter=PATTERN] [--tap] [--goals=FILE] [--coverage]
 *               [--timeout=SECONDS] [--set=NAME=VALUE]... [--settings=FILE] [--html=DIR]
 *               [PATH]...
 *
 * Options are parsed by getopt_long (cli_args.c), before or after the PATHs.
 *
 * A pool of -j N worker processes (default 1), each forked once, runs the scenarios one after
 * another: the parent hands a worker the index of the next scenario over a socket pair, the
 * worker runs it in a new Lua state and world under the runner's limits (instructions, memory,
 * virtual time, events), with a wall-clock alarm armed anew for that scenario, frees all of it,
 * and writes back one record (pass, title or reason, context and goal lines, coverage). A
 * script can thus neither hang the run nor crash it, and forking once per worker instead of
 * once per scenario keeps the whole library in a few tens of milliseconds. When a worker dies
 * (the alarm, a signal, an exit), the scenario it was running is reported as failed with the
 * reason ("wall-clock limit (N s) exceeded", "crashed (signal N)"), and a new worker is forked
 * for the scenarios left. Results are printed in the order the scenarios were listed, so the
 * output is the same for any -j.
 * Folders are walked recursively in byte order of the names; files whose name starts with '_'
 * are skipped (helpers can live beside the scenarios that way), and so are goals files
 * (NAME.goals.lua), which are never run as scenarios. The goals file and the settings of
 * --set and --settings are checked once, before any scenario runs (cli_test_check).
 *
 * With --html DIR each worker also writes its scenario's run as a web page (cli_html.c) to
 * DIR/NAME.html, and the parent writes DIR/index.html, a table of them all, at the end.
 *
 * A packetdrill script (.pkt) found beside them runs as `tcpsim pkt` runs it (cli_test_pkt):
 * PASS, or FAIL with packetdrill's error or "unsupported: ..." as the reason.
 *
 * Call chain: cli_test -> cli_test_collect -> cli_test_schedule -> cli_test_assign
 * (-> cli_test_spawn -> (worker) cli_test_worker -> cli_test_scenario) -> cli_test_read ->
 * cli_test_take, or cli_test_bury when the worker died -> cli_test_print.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "tcpsim/lsim.h"
#include "tcpsim/out.h"
#include "tcpsim/pkt.h"

#define CLI_MAX_JOBS 64
#define CLI_STR_(x) #x
#define CLI_STR(x) CLI_STR_(x)

struct cli_list {
    char **v;
    size_t n, cap;
};

struct cli_test_opts {
    unsigned jobs;
    const char *filter, *goals;
    bool tap, coverage;
    unsigned timeout;         /* wall-clock seconds per scenario */
    struct cli_settings settings; /* --set, --settings: fixed in every scenario's runner */
    size_t goals_n;           /* goals in the goals file (cli_test_check) */
    const char *html;         /* --html DIR: a web page per scenario, and an index */
    char **pages;             /* ... their file names in DIR, by scenario (cli_html_pages) */
};

/* What a worker reports for one scenario, as it travels over the socket. */
struct cli_wire_hdr {
    int32_t pass;
    int32_t goals_reached, goals_total;
    uint32_t head_len, detail_len, cov_len;
};

struct cli_result {
    bool done, pass;
    char *head;               /* the title (PASS) or the reason (FAIL) */
    char *detail;             /* context lines and goal lines, each ending in '\n' */
    int goals_reached, goals_total;
};

/* One worker process, as the parent sees it. */
struct cli_worker {
    pid_t pid;                /* 0: the slot has no process */
    int fd;                   /* the parent's end of the socket pair */
    bool busy;                /* running scenario 'idx' */
    size_t idx;
    char *buf;                /* the record read so far */
    size_t len, cap;
};

/* ---- finding scenarios -------------------------------------------------------------------- */

static int
cli_list_add(struct cli_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64;
        char **nv = realloc(l->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n] = strdup(s);
    return l->v[l->n] ? (int)l->n++ * 0 : -1;
}

static void
cli_list_free(struct cli_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static int
cli_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the .lua and .pkt files under 'path' (a file is taken as it is). */
static int
cli_test_collect(struct cli_list *out, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "tcpsim test: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return cli_list_add(out, path);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "tcpsim test: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct cli_list names = {0};
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.' && e->d_name[0] != '_')
            cli_list_add(&names, e->d_name);
    closedir(d);
    qsort(names.v, names.n, sizeof *names.v, cli_strcmp);
    int rc = 0;
    for (size_t i = 0; i < names.n && rc == 0; i++) {
        char *full = cli_path_join(path, names.v[i]);
        if (!full) {
            rc = -1;
            break;
        }
        if (stat(full, &st) == 0 &&
            (S_ISDIR(st.st_mode) || (cli_ends_with(full, ".lua") && !lsim_is_goals_file(full)) ||
             cli_ends_with(full, ".pkt")))
            rc = cli_test_collect(out, full);
        free(full);
    }
    cli_list_free(&names);
    return rc;
}

static bool
cli_test_selected(const char *path, const char *filter)
{
    char name[256];
    if (!filter)
        return true;
    cli_scenario_name(path, name, sizeof name);
    if (strpbrk(filter, "*?["))
        return fnmatch(filter, name, 0) == 0 || fnmatch(filter, path, 0) == 0;
    return strstr(name, filter) != NULL;
}

/* ---- the web pages (--html DIR) -------------------------------------------------------------- */

/* DIR/index.html: every scenario, its result and a link to its page. 0, or -1 after a
   message. */
static int
cli_test_index(const struct cli_test_opts *o, const struct cli_list *files, const struct cli_result *res)
{
    struct out_html_entry *e = calloc(files->n ? files->n : 1, sizeof *e);
    char (*names)[256] = calloc(files->n ? files->n : 1, sizeof *names);
    int rc = -1;
    if (e && names) {
        for (size_t i = 0; i < files->n; i++)
            e[i] = (struct out_html_entry){
                .page = o->pages[i], .name = cli_scenario_name(files->v[i], names[i], sizeof names[i]),
                .path = files->v[i], .passed = res[i].pass, .text = res[i].head,
            };
        rc = cli_html_index(o->html, e, files->n);
    } else {
        fprintf(stderr, "tcpsim: out of memory\n");
    }
    free(e);
    free(names);
    return rc;
}

/* ---- one scenario, in a worker ------------------------------------------------------------ */

/* Goal lines for 'l' into 'f'; counts into 'h'. */
static void
cli_test_goals(const struct cli_test_opts *o, struct lsim *l, const char *goalfile, FILE *f, struct cli_wire_hdr *h)
{
    struct lsim_goal *g = NULL;
    size_t n = 0;
    char *err = NULL;
    if (lsim_goals(l, goalfile, &g, &n, &err) != 0) {
        fprintf(f, "    goals: %s\n", err ? err : "could not be checked");
        h->goals_total = (int32_t)o->goals_n; /* none of them reached */
        free(err);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "    goal %s: %s%s%s\n", g[i].name, g[i].reached ? "reached" : "not reached",
                g[i].detail ? " - " : "", g[i].detail ? g[i].detail : "");
        h->goals_reached += g[i].reached;
        h->goals_total++;
    }
    lsim_goals_free(g, n);
}

/* A packetdrill script (tcpsim pkt, pkt_run.c): PASS, or FAIL with packetdrill's error or
   "unsupported: ..." (never a pass), each line of the message a line of its own. */
static int
cli_test_pkt(const char *path, int fd)
{
    struct cli_wire_hdr h = {0};
    struct pkt_script *s = NULL;
    struct pkt_result res;
    memset(&res, 0, sizeof res);
    if (pkt_parse_file(path, &s, res.msg, sizeof res.msg) == 0) {
        struct pkt_run_opts po = PKT_RUN_OPTS_DEFAULT;
        pkt_run(s, &po, &res);
        pkt_script_free(s);
        h.pass = res.verdict == PKT_PASS;
    }
    alarm(0);
    const char *head = h.pass ? "" : res.msg;
    const char *nl = strchr(head, '\n');
    /* the first line is the reason; the packet dumps after it are the context */
    h.head_len = (uint32_t)(nl ? (size_t)(nl - head) : strlen(head));
    char detail[sizeof res.msg + 64] = "";
    for (const char *l = nl; l && *l;) {
        const char *e = strchr(l + 1, '\n');
        size_t len = e ? (size_t)(e - l - 1) : strlen(l + 1);
        size_t at = strlen(detail);
        snprintf(detail + at, sizeof detail - at, "    | %.*s\n", (int)len, l + 1);
        l = e;
    }
    h.detail_len = (uint32_t)strlen(detail);
    int rc = cli_write_all(fd, &h, sizeof h) | cli_write_all(fd, head, h.head_len) | cli_write_all(fd, detail, h.detail_len);
    return rc ? -1 : 0;
}

/*
 * Run scenario 'path' in a fresh runner (its own Lua state and world, under the runner's
 * limits), switch off the wall-clock alarm, and write its record to 'fd'. 0, or -1 when the
 * record could not be written. Everything it allocates is freed before it returns, so the
 * next scenario of the same worker starts from nothing.
 */
static int
cli_test_scenario(const struct cli_test_opts *o, size_t idx, const char *path, int fd)
{
    if (cli_ends_with(path, ".pkt"))
        return cli_test_pkt(path, fd);
    struct lsim_opts lo = LSIM_OPTS_DEFAULT;
    struct cli_wire_hdr h = {0};
    struct out_coverage cov;
    char *detail = NULL;
    size_t dlen = 0;
    FILE *df = open_memstream(&detail, &dlen);
    const char *head = "out of memory";
    struct lsim *l = lsim_new(&lo);
    char why[600];
    out_coverage_init(&cov);
    if (l && cli_settings_apply(&o->settings, l, why, sizeof why) != 0)
        fprintf(df ? df : stderr, "    settings: %s\n", why); /* checked before: not expected */
    struct cli_html page = {0};
    char *page_path = o->html && l ? cli_path_join(o->html, o->pages[idx]) : NULL;
    bool page_failed = page_path && cli_html_open(&page, page_path, lsim_world(l)) != 0;
    /* coverage counted as the run goes: the log's window may drop events before the end */
    if (l && o->coverage)
        world_observe(lsim_world(l), out_coverage_observe, &cov);
    if (l && df) {
        enum lsim_status s = LSIM_FAILED;
        if (lsim_load(l, path) == 0)
            do
                s = lsim_resume(l, LSIM_FOREVER);
            while (s == LSIM_RUNNING || s == LSIM_PAUSED);
        h.pass = s == LSIM_DONE;
        head = h.pass ? (lsim_title(l) ? lsim_title(l) : "") : lsim_message(l);
        if (!h.pass && lsim_log(l)->len > 0)
            lsim_print_recent(l, df, 6, "    | ");
        if (o->goals)
            cli_test_goals(o, l, o->goals, df, &h);
        if (o->coverage) {
            world_unobserve(lsim_world(l), out_coverage_observe, &cov);
            cov.runs++;
        }
        struct out_html_meta meta = cli_html_meta(l, path);
        if (page.f && cli_html_close(&page, lsim_world(l), &meta) != 0)
            page_failed = true;
        if (page_failed) { /* an output asked for and not written: no pass */
            h.pass = 0;
            head = "its web page could not be written";
        }
    }
    free(page_path);
    if (df)
        fclose(df);
    /* the scenario is over: the alarm must not go off once its record is on the way */
    alarm(0);
    h.head_len = (uint32_t)strlen(head);
    h.detail_len = detail ? (uint32_t)dlen : 0;
    h.cov_len = o->coverage ? (uint32_t)sizeof cov : 0;
    int rc = cli_write_all(fd, &h, sizeof h) | cli_write_all(fd, head, h.head_len) |
             cli_write_all(fd, detail ? detail : "", h.detail_len) | cli_write_all(fd, &cov, h.cov_len);
    free(detail);
    lsim_free(l);
    return rc ? -1 : 0;
}

/* A worker's life: read the index of a scenario of 'files' from 'fd', run it under a fresh
   wall-clock alarm, report, and again, until the parent closes its end. Never returns. */
static _Noreturn void
cli_test_worker(const struct cli_test_opts *o, const struct cli_list *files, int fd)
{
    size_t idx;
    while (recv(fd, &idx, sizeof idx, MSG_WAITALL) == (ssize_t)sizeof idx && idx < files->n) {
        if (o->timeout)
            alarm(o->timeout);
        if (cli_test_scenario(o, idx, files->v[idx], fd) != 0)
            _exit(3);
    }
    _exit(0);
}

/* ---- the parent: workers, scheduling, collecting, printing -------------------------------- */

static char *
cli_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Fork a worker into the empty slot 'slot' of 'ws' ('nw' slots); 0, or -1 when it could not be
   started. The worker closes the parent's ends of the other workers' sockets, so each worker
   sees end of file as soon as the parent closes its own. */
static int
cli_test_spawn(const struct cli_test_opts *o, const struct cli_list *files, struct cli_worker *ws, size_t nw,
               size_t slot)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        for (size_t i = 0; i < nw; i++)
            if (ws[i].pid > 0)
                close(ws[i].fd);
        cli_test_worker(o, files, sv[1]);
    }
    close(sv[1]);
    ws[slot].pid = pid;
    ws[slot].fd = sv[0];
    ws[slot].busy = false;
    ws[slot].len = 0;
    return 0;
}

/* Close worker 'w''s socket and wait for it to end; when it was running a scenario, its death
   becomes that scenario's result 'r' (the alarm: a timeout; a signal: a crash). */
static void
cli_test_bury(struct cli_worker *w, struct cli_result *r, const struct cli_test_opts *o)
{
    int status = 0;
    close(w->fd);
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (w->busy && r) {
        char why[96];
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            snprintf(why, sizeof why, "wall-clock limit (%u s) exceeded", o->timeout);
        else if (WIFSIGNALED(status))
            snprintf(why, sizeof why, "crashed (signal %d)", WTERMSIG(status));
        else
            snprintf(why, sizeof why, "the test process failed (exit status %d)", WEXITSTATUS(status));
        *r = (struct cli_result){.done = true, .head = strdup(why)};
    }
    free(w->buf);
    *w = (struct cli_worker){0};
}

/* Hand scenario 'idx' to the idle or empty slot 'slot', starting a worker when there is none.
   0, or -1 when no worker could take it. */
static int
cli_test_assign(const struct cli_test_opts *o, const struct cli_list *files, struct cli_worker *ws, size_t nw,
                size_t slot, size_t idx)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        struct cli_worker *w = &ws[slot];
        if (w->pid == 0 && cli_test_spawn(o, files, ws, nw, slot) != 0)
            return -1;
        if (send(w->fd, &idx, sizeof idx, MSG_NOSIGNAL) == (ssize_t)sizeof idx) {
            w->busy = true;
            w->idx = idx;
            w->len = 0;
            return 0;
        }
        cli_test_bury(w, NULL, o); /* it died while idle (killed from outside): start another */
    }
    return -1;
}

/* Read what is ready from worker 'w'; 0, or -1 when it is gone (end of file, an error). */
static int
cli_test_read(struct cli_worker *w)
{
    if (w->len + 4096 > w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 8192;
        char *nb = realloc(w->buf, ncap);
        if (!nb) {
            kill(w->pid, SIGKILL);
            return -1;
        }
        w->buf = nb;
        w->cap = ncap;
    }
    ssize_t n = read(w->fd, w->buf + w->len, w->cap - w->len);
    if (n < 0 && errno == EINTR)
        return 0;
    if (n <= 0)
        return -1;
    w->len += (size_t)n;
    return 0;
}

/* The record worker 'w' has read so far, when it is whole, as result 'r' (its coverage added
   to 'cov'); false while more is to come. */
static bool
cli_test_take(struct cli_worker *w, struct cli_result *r, struct out_coverage *cov)
{
    struct cli_wire_hdr h;
    if (w->len < sizeof h)
        return false;
    memcpy(&h, w->buf, sizeof h);
    if (w->len < sizeof h + (size_t)h.head_len + h.detail_len + h.cov_len)
        return false;
    const char *p = w->buf + sizeof h;
    *r = (struct cli_result){.done = true,
                             .pass = h.pass,
                             .head = cli_strndup(p, h.head_len),
                             .detail = cli_strndup(p + h.head_len, h.detail_len),
                             .goals_reached = h.goals_reached,
                             .goals_total = h.goals_total};
    if (h.cov_len == sizeof *cov) {
        struct out_coverage c;
        memcpy(&c, p + h.head_len + h.detail_len, sizeof c);
        for (int a = 0; a < TCP_STATE_COUNT; a++)
            for (int b = 0; b < TCP_STATE_COUNT; b++)
                cov->edge[a][b] += c.edge[a][b];
        for (int i = 0; i < TCP_RULE_COUNT; i++)
            cov->rule[i] += c.rule[i];
        cov->runs += c.runs;
    }
    w->busy = false;
    w->len = 0;
    return true;
}

static void
cli_test_print(const struct cli_test_opts *o, size_t i, const char *path, const struct cli_result *r)
{
    char name[256];
    cli_scenario_name(path, name, sizeof name);
    const char *head = r->head ? r->head : "";
    if (o->tap)
        printf("%s %zu - %s", r->pass ? "ok" : "not ok", i + 1, name);
    else
        printf("%s %s", r->pass ? "PASS" : "FAIL", name);
    if (r->pass && *head)
        printf(" (%s)", head);
    else if (!r->pass)
        printf(": %s", head);
    printf("\n");
    for (const char *line = r->detail; line && *line;) {
        const char *nl = strchr(line, '\n');
        int len = nl ? (int)(nl - line) : (int)strlen(line);
        printf("%s%.*s\n", o->tap ? "# " : "", len, line);
        line = nl ? nl + 1 : line + len;
    }
    fflush(stdout);
}

/* Run every scenario of 'files' on at most o->jobs workers; results in 'res', printed in the
   order of 'files' as soon as each one and all before it are known. */
static void
cli_test_schedule(const struct cli_test_opts *o, const struct cli_list *files, struct cli_result *res,
                  struct out_coverage *cov)
{
    struct cli_worker ws[CLI_MAX_JOBS] = {0};
    struct pollfd pfd[CLI_MAX_JOBS];
    size_t slot_of[CLI_MAX_JOBS];
    size_t nw = o->jobs < files->n ? o->jobs : files->n, next = 0, printed = 0;
    while (printed < files->n) {
        for (size_t s = 0; s < nw && next < files->n; s++) {
            if (ws[s].busy)
                continue;
            if (cli_test_assign(o, files, ws, nw, s, next) != 0)
                res[next] = (struct cli_result){.done = true, .head = strdup("could not start a process")};
            next++;
        }
        size_t np = 0;
        for (size_t s = 0; s < nw; s++)
            if (ws[s].busy) {
                pfd[np] = (struct pollfd){.fd = ws[s].fd, .events = POLLIN};
                slot_of[np++] = s;
            }
        if (np > 0 && poll(pfd, np, -1) < 0 && errno != EINTR)
            break;
        for (size_t i = 0; i < np; i++) {
            struct cli_worker *w = &ws[slot_of[i]];
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (cli_test_read(w) != 0)
                cli_test_bury(w, &res[w->idx], o);
            else
                cli_test_take(w, &res[w->idx], cov);
        }
        while (printed < files->n && res[printed].done) {
            cli_test_print(o, printed, files->v[printed], &res[printed]);
            printed++;
        }
    }
    for (size_t s = 0; s < nw; s++)
        if (ws[s].pid > 0 && ws[s].busy)
            kill(ws[s].pid, SIGKILL);
    for (size_t s = 0; s < nw; s++)
        if (ws[s].pid > 0)
            shutdown(ws[s].fd, SHUT_RDWR);
    for (size_t s = 0; s < nw; s++)
        if (ws[s].pid > 0)
            cli_test_bury(&ws[s], NULL, o);
}

enum { CLI_TEST_FILTER = 256, CLI_TEST_TAP, CLI_TEST_GOALS, CLI_TEST_COVERAGE, CLI_TEST_TIMEOUT,
       CLI_TEST_SET, CLI_TEST_SETTINGS, CLI_TEST_HTML };

static const struct option cli_test_longopts[] = {
    {"jobs", required_argument, NULL, 'j'},
    {"filter", required_argument, NULL, CLI_TEST_FILTER},
    {"tap", no_argument, NULL, CLI_TEST_TAP},
    {"goals", required_argument, NULL, CLI_TEST_GOALS},
    {"coverage", no_argument, NULL, CLI_TEST_COVERAGE},
    {"timeout", required_argument, NULL, CLI_TEST_TIMEOUT},
    {"set", required_argument, NULL, CLI_TEST_SET},
    {"settings", required_argument, NULL, CLI_TEST_SETTINGS},
    {"html", required_argument, NULL, CLI_TEST_HTML},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void
cli_test_help(FILE *f)
{
    fprintf(f, "Usage: tcpsim test [OPTION]... [PATH]...\n"
               "Run every scenario (.lua file) of the PATHs, files or folders (default:\n"
               "scripts/ in the current folder, else the installed library), each in a fresh\n"
               "world inside a worker process; print PASS or FAIL for each, then \"N passed,\n"
               "N failed\". Folders are walked recursively in name order; names starting\n"
               "with '_' and goals files (NAME.goals.lua) are skipped. A packetdrill script\n"
               "(.pkt file) runs as tcpsim pkt runs it: FAIL with its error, or with\n"
               "\"unsupported\" when it needs what tcpsim does not model; --set, --settings,\n"
               "--goals and --coverage do not apply to it.\n\n"
               "  -j, --jobs=N           run N workers at once, from 1 to %d (default 1); the\n"
               "                         output is the same for any N\n"
               "      --filter=PATTERN   only the scenarios whose name contains PATTERN, or\n"
               "                         matches it when it has * ? or [\n"
               "      --tap              print TAP (the Test Anything Protocol)\n"
               "      --goals=FILE       check the goals of FILE against each scenario\n"
               "      --coverage         add the state-diagram edges and rules the run covered\n"
               "      --timeout=SECONDS  the wall-clock limit of each scenario, from 1 to 86400\n"
               "                         (default 120)\n"
               "      --set=NAME=VALUE   fix a setting (A.NAME=VALUE: one host's) in every\n"
               "                         scenario, over its own sysctl writes; may be repeated\n"
               "      --settings=FILE    the same for each NAME=VALUE line of FILE\n"
               "      --html=DIR         also write each scenario's run as a web page to\n"
               "                         DIR/NAME.html, and DIR/index.html listing them\n"
               "  -h, --help             print this help and exit\n\n"
               "Exit status:\n"
               "  0  every scenario passed, and every goal was reached\n"
               "  1  a scenario failed, or a goal was not reached\n" CLI_HELP_EXIT_USAGE
               "     (or a PATH that cannot be read)\n\n"
               "Manual: tcpsim(1); the Lua API and goal files: tcpsim-lua(7).\n",
            CLI_MAX_JOBS);
}

/* Parse the options; paths go to 'paths'. -1 to go on, else the exit status (after --help,
   or a message on bad usage). */
static int
cli_test_parse(int argc, char **argv, struct cli_test_opts *o, struct cli_list *paths)
{
    struct cli_args a;
    if (cli_args_init(&a, "tcpsim test", cli_test_longopts, argc, argv) != 0) {
        fprintf(stderr, "tcpsim: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    int rc = -1;
    for (int c; rc < 0 && (c = cli_args_next(&a, "hj:")) != -1;) {
        unsigned long long n = 0;
        switch (c) {
        case 'j':
            if (cli_parse_u64(optarg, 1, CLI_MAX_JOBS, &n) != 0)
                rc = cli_bad_value(&a, "a number of workers from 1 to " CLI_STR(CLI_MAX_JOBS));
            else
                o->jobs = (unsigned)n;
            break;
        case CLI_TEST_TIMEOUT:
            if (cli_parse_u64(optarg, 1, 86400, &n) != 0)
                rc = cli_bad_value(&a, "seconds, from 1 to 86400");
            else
                o->timeout = (unsigned)n;
            break;
        case CLI_TEST_FILTER:
            o->filter = optarg;
            break;
        case CLI_TEST_GOALS:
            o->goals = optarg;
            break;
        case CLI_TEST_TAP:
            o->tap = true;
            break;
        case CLI_TEST_COVERAGE:
            o->coverage = true;
            break;
        case CLI_TEST_HTML:
            o->html = optarg;
            break;
        case CLI_TEST_SET:
        case CLI_TEST_SETTINGS:
            if (cli_settings_add(&o->settings, c == CLI_TEST_SET ? "--set" : "--settings", optarg) != 0) {
                fprintf(stderr, "tcpsim: out of memory\n");
                rc = CLI_EXIT_FAIL;
            }
            break;
        case 'h':
            cli_test_help(stdout);
            rc = CLI_EXIT_OK;
            break;
        default: /* '?': getopt_long has said what was wrong */
            rc = cli_try_help(&a);
            break;
        }
    }
    while (rc < 0 && optind < a.argc)
        if (cli_list_add(paths, a.argv[optind++]) != 0)
            rc = CLI_EXIT_FAIL;
    cli_args_free(&a);
    return rc;
}

/* What can be checked before any scenario runs: the goals file (its goals' states, rules,
   hosts, fields, settings; lsim_goals_check), the settings of --set and --settings, and that
   no scenario named is a goals file. 0, or 2 (bad usage) after saying what is wrong. */
static int
cli_test_check(struct cli_test_opts *o, const struct cli_list *paths)
{
    for (size_t i = 0; i < paths->n; i++)
        if (lsim_is_goals_file(paths->v[i])) {
            fprintf(stderr, "tcpsim test: %s is a goals file (by its name, NAME.goals.lua), not a scenario: "
                            "give it with --goals\n",
                    paths->v[i]);
            return CLI_EXIT_USAGE;
        }
    if (o->goals) {
        char *err = NULL;
        if (lsim_goals_check(o->goals, &o->goals_n, &err) != 0) {
            fprintf(stderr, "tcpsim test: %s\n", err ? err : "the goals could not be checked");
            free(err);
            return CLI_EXIT_USAGE;
        }
    }
    struct stat st;
    if (o->html && mkdir(o->html, 0777) != 0 && (errno != EEXIST || stat(o->html, &st) != 0 || !S_ISDIR(st.st_mode))) {
        fprintf(stderr, "tcpsim test: --html %s: %s\n", o->html, errno == EEXIST ? "not a folder" : strerror(errno));
        return CLI_EXIT_USAGE;
    }
    return cli_settings_check(&o->settings, "tcpsim test") == 0 ? 0 : CLI_EXIT_USAGE;
}

/* The closing lines; the exit status. */
static int
cli_test_summary(const struct cli_test_opts *o, const struct cli_result *res, size_t n,
                 const struct out_coverage *cov)
{
    size_t passed = 0, failed = 0;
    long reached = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        res[i].pass ? passed++ : failed++;
        reached += res[i].goals_reached;
        total += res[i].goals_total;
    }
    const char *pre = o->tap ? "# " : "";
    if (o->goals)
        printf("%sgoals: %ld of %ld reached\n", pre, reached, total);
    printf("%s%zu passed, %zu failed\n", pre, passed, failed);
    if (o->coverage)
        out_coverage_report(stdout, cov);
    return failed > 0 || reached < total ? 1 : 0;
}

int
cli_test(int argc, char **argv)
{
    struct cli_test_opts o = {.jobs = 1, .timeout = 120};
    struct cli_list paths = {0}, all = {0}, files = {0};
    int rc = cli_test_parse(argc, argv, &o, &paths);
    if (rc < 0 && (rc = cli_test_check(&o, &paths)) == 0)
        rc = -1;
    if (rc >= 0) {
        cli_list_free(&paths);
        cli_settings_free(&o.settings);
        return rc;
    }
    char lib[4096];
    const char *dflt = paths.n == 0 ? cli_library("scripts", lib, sizeof lib) : NULL;
    rc = paths.n == 0 ? cli_list_add(&paths, dflt ? dflt : "scripts") : 0;
    for (size_t i = 0; i < paths.n && rc == 0; i++)
        rc = cli_test_collect(&all, paths.v[i]);
    for (size_t i = 0; i < all.n && rc == 0; i++)
        if (cli_test_selected(all.v[i], o.filter))
            rc = cli_list_add(&files, all.v[i]);
    if (rc == 0 && o.html) /* named before the workers fork, so each knows its own */
        rc = (o.pages = calloc(files.n ? files.n : 1, sizeof *o.pages)) ? cli_html_pages(files.v, files.n, o.pages) : -1;
    struct cli_result *res = calloc(files.n ? files.n : 1, sizeof *res);
    struct out_coverage cov;
    out_coverage_init(&cov);
    if (rc == 0 && res) {
        if (o.tap)
            printf("TAP version 13\n1..%zu\n", files.n);
        cli_test_schedule(&o, &files, res, &cov);
        rc = cli_test_summary(&o, res, files.n, &cov);
        if (o.html && cli_test_index(&o, &files, res) != 0)
            rc = CLI_EXIT_FAIL;
    } else {
        rc = CLI_EXIT_USAGE; /* a PATH that cannot be read (said), or out of memory */
    }
    for (size_t i = 0; res && i < files.n; i++) {
        free(res[i].head);
        free(res[i].detail);
    }
    free(res);
    cli_list_free(&paths);
    cli_list_free(&all);
    cli_list_free(&files);
    for (size_t i = 0; o.pages && i < files.n; i++)
        free(o.pages[i]);
    free(o.pages);
    cli_settings_free(&o.settings);
    return rc;
}
