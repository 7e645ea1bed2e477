/*
 * cli_test.c - `tcpsim test`: every scenario in the given files and folders (default
 * scripts/), each in its own process, one line each, then "N passed, N failed".
 *
 *   tcpsim test [PATH ...] [-j N] [--filter PATTERN] [--tap] [--goals FILE] [--coverage]
 *               [--timeout SECONDS]
 *
 * Each scenario runs in a forked child under the runner's limits (instructions, memory,
 * virtual time, events) plus a wall-clock alarm, so one bad script can neither hang the run
 * nor crash it. Children report over a pipe; with -j N up to N run at once and their results
 * are printed in the order the scenarios were listed, so the output is the same every time.
 * Folders are walked recursively in byte order of the names; files whose name starts with '_'
 * are skipped (helpers and goal files can live beside the scenarios that way).
 *
 * Call chain: cli_test -> cli_test_collect -> cli_test_schedule -> (child) cli_test_child
 * -> (parent) cli_test_reap -> cli_test_print.
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
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "tcpsim/lsim.h"
#include "tcpsim/out.h"

#define CLI_MAX_JOBS 64

struct cli_test_opts {
    unsigned jobs;
    const char *filter, *goals;
    bool tap, coverage;
    unsigned timeout;         /* wall-clock seconds per scenario */
};

struct cli_list {
    char **v;
    size_t n, cap;
};

/* What a child reports, as it travels over the pipe. */
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

struct cli_child {
    pid_t pid;
    int fd;
    size_t idx;
    char *buf;
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

static bool
cli_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Add the .lua files under 'path' (a file is taken as it is). */
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
        size_t len = strlen(path) + strlen(names.v[i]) + 2;
        char *full = malloc(len);
        if (!full) {
            rc = -1;
            break;
        }
        snprintf(full, len, "%s%s%s", path, cli_ends_with(path, "/") ? "" : "/", names.v[i]);
        if (stat(full, &st) == 0 && (S_ISDIR(st.st_mode) || cli_ends_with(full, ".lua")))
            rc = cli_test_collect(out, full);
        free(full);
    }
    cli_list_free(&names);
    return rc;
}

/* "scripts/05-simultaneous-close.lua" -> "05-simultaneous-close" into 'buf'. */
static const char *
cli_test_name(const char *path, char *buf, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (cli_ends_with(base, ".lua"))
        n -= 4;
    snprintf(buf, cap, "%.*s", (int)n, base);
    return buf;
}

static bool
cli_test_selected(const char *path, const char *filter)
{
    char name[256];
    if (!filter)
        return true;
    cli_test_name(path, name, sizeof name);
    if (strpbrk(filter, "*?["))
        return fnmatch(filter, name, 0) == 0 || fnmatch(filter, path, 0) == 0;
    return strstr(name, filter) != NULL;
}

/* ---- one scenario, in the child ----------------------------------------------------------------- */

static int
cli_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Goal lines for 'l' into 'f'; counts into 'h'. */
static void
cli_test_goals(struct lsim *l, const char *goalfile, FILE *f, struct cli_wire_hdr *h)
{
    struct lsim_goal *g = NULL;
    size_t n = 0;
    char *err = NULL;
    if (lsim_goals(l, goalfile, &g, &n, &err) != 0) {
        fprintf(f, "    goals: %s\n", err ? err : "could not be checked");
        h->goals_total = 1;
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

static void
cli_test_child(const struct cli_test_opts *o, const char *path, int fd)
{
    struct lsim_opts lo = LSIM_OPTS_DEFAULT;
    struct cli_wire_hdr h = {0};
    struct out_coverage cov;
    char *detail = NULL;
    size_t dlen = 0;
    FILE *df = open_memstream(&detail, &dlen);
    const char *head = "out of memory";
    struct lsim *l = lsim_new(&lo);
    out_coverage_init(&cov);
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
            cli_test_goals(l, o->goals, df, &h);
        if (o->coverage)
            out_coverage_add(&cov, lsim_log(l));
    }
    if (df)
        fclose(df);
    h.head_len = (uint32_t)strlen(head);
    h.detail_len = detail ? (uint32_t)dlen : 0;
    h.cov_len = o->coverage ? (uint32_t)sizeof cov : 0;
    int rc = cli_write_all(fd, &h, sizeof h) | cli_write_all(fd, head, h.head_len) |
             cli_write_all(fd, detail ? detail : "", h.detail_len) | cli_write_all(fd, &cov, h.cov_len);
    free(detail);
    lsim_free(l);
    close(fd);
    _exit(rc ? 3 : 0);
}

/* ---- the parent: scheduling, collecting, printing ------------------------------------------------ */

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

/* Turn a finished child's report (or its death) into a result. */
static void
cli_test_reap(struct cli_child *k, struct cli_result *r, struct out_coverage *cov, const struct cli_test_opts *o)
{
    int status = 0;
    while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR)
        ;
    struct cli_wire_hdr h;
    r->done = true;
    if (k->len >= sizeof h)
        memcpy(&h, k->buf, sizeof h);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && k->len >= sizeof h &&
        k->len == sizeof h + (size_t)h.head_len + h.detail_len + h.cov_len) {
        const char *p = k->buf + sizeof h;
        r->pass = h.pass;
        r->head = cli_strndup(p, h.head_len);
        r->detail = cli_strndup(p + h.head_len, h.detail_len);
        r->goals_reached = h.goals_reached;
        r->goals_total = h.goals_total;
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
    } else {
        char why[96];
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            snprintf(why, sizeof why, "wall-clock limit (%u s) exceeded", o->timeout);
        else if (WIFSIGNALED(status))
            snprintf(why, sizeof why, "crashed (signal %d)", WTERMSIG(status));
        else
            snprintf(why, sizeof why, "the test process failed (exit status %d)", WEXITSTATUS(status));
        r->pass = false;
        r->head = strdup(why);
    }
    free(k->buf);
    k->buf = NULL;
}

static void
cli_test_print(const struct cli_test_opts *o, size_t i, const char *path, const struct cli_result *r)
{
    char name[256];
    cli_test_name(path, name, sizeof name);
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

/* Start scenario 'idx' in a child; 0, or -1 when it could not be started (reported as failed). */
static int
cli_test_spawn(const struct cli_test_opts *o, const char *path, size_t idx, struct cli_child *k)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        if (o->timeout)
            alarm(o->timeout);
        cli_test_child(o, path, p[1]);
    }
    close(p[1]);
    *k = (struct cli_child){.pid = pid, .fd = p[0], .idx = idx};
    return 0;
}

/* Read what is ready from child 'k'; true at end of file. */
static bool
cli_test_read(struct cli_child *k)
{
    if (k->len + 4096 > k->cap) {
        size_t ncap = k->cap ? k->cap * 2 : 8192;
        char *nb = realloc(k->buf, ncap);
        if (!nb)
            return true;
        k->buf = nb;
        k->cap = ncap;
    }
    ssize_t n = read(k->fd, k->buf + k->len, k->cap - k->len);
    if (n < 0 && errno == EINTR)
        return false;
    if (n <= 0)
        return true;
    k->len += (size_t)n;
    return false;
}

/* Run every scenario of 'files', at most o->jobs at once; results in 'res'. */
static void
cli_test_schedule(const struct cli_test_opts *o, const struct cli_list *files, struct cli_result *res,
                  struct out_coverage *cov)
{
    struct cli_child kids[CLI_MAX_JOBS];
    struct pollfd pfd[CLI_MAX_JOBS];
    size_t running = 0, next = 0, printed = 0;
    while (printed < files->n) {
        while (running < o->jobs && next < files->n) {
            if (cli_test_spawn(o, files->v[next], next, &kids[running]) == 0)
                running++;
            else
                res[next] = (struct cli_result){.done = true, .head = strdup("could not start a process")};
            next++;
        }
        for (size_t i = 0; i < running; i++)
            pfd[i] = (struct pollfd){.fd = kids[i].fd, .events = POLLIN};
        if (running > 0 && poll(pfd, running, -1) < 0 && errno != EINTR)
            break;
        for (size_t i = 0; i < running; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) || !cli_test_read(&kids[i]))
                continue;
            close(kids[i].fd);
            cli_test_reap(&kids[i], &res[kids[i].idx], cov, o);
            kids[i] = kids[--running];
            pfd[i] = pfd[running];
            i--;
        }
        while (printed < files->n && res[printed].done) {
            cli_test_print(o, printed, files->v[printed], &res[printed]);
            printed++;
        }
    }
}

static int
cli_test_usage(void)
{
    fprintf(stderr, "usage: tcpsim test [PATH ...] [-j N] [--filter PATTERN] [--tap] [--goals FILE]\n"
                    "                   [--coverage] [--timeout SECONDS]\n");
    return 2;
}

/* Parse the options; paths go to 'paths'. 0, or -1 on bad usage. */
static int
cli_test_parse(int argc, char **argv, struct cli_test_opts *o, struct cli_list *paths)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long n = 0;
        if (strcmp(a, "-j") == 0 || strcmp(a, "--timeout") == 0) {
            if (cli_parse_u64(v, &n) != 0 || n == 0 || (a[1] == 'j' && n > CLI_MAX_JOBS) || n > 86400) {
                fprintf(stderr, "tcpsim test: bad value for %s\n", a);
                return -1;
            }
            *(a[1] == 'j' ? &o->jobs : &o->timeout) = (unsigned)n;
            i++;
        } else if (strncmp(a, "-j", 2) == 0 && cli_parse_u64(a + 2, &n) == 0 && n > 0 && n <= CLI_MAX_JOBS) {
            o->jobs = (unsigned)n;
        } else if ((strcmp(a, "--filter") == 0 || strcmp(a, "--goals") == 0) && v) {
            *(a[2] == 'f' ? &o->filter : &o->goals) = v;
            i++;
        } else if (strcmp(a, "--tap") == 0) {
            o->tap = true;
        } else if (strcmp(a, "--coverage") == 0) {
            o->coverage = true;
        } else if (a[0] == '-') {
            fprintf(stderr, "tcpsim test: unknown option '%s'\n", a);
            return -1;
        } else if (cli_list_add(paths, a) != 0) {
            return -1;
        }
    }
    return 0;
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
    if (cli_test_parse(argc, argv, &o, &paths) != 0) {
        cli_list_free(&paths);
        return cli_test_usage();
    }
    if (paths.n == 0)
        cli_list_add(&paths, "scripts");
    int rc = 0;
    for (size_t i = 0; i < paths.n && rc == 0; i++)
        rc = cli_test_collect(&all, paths.v[i]);
    for (size_t i = 0; i < all.n && rc == 0; i++)
        if (cli_test_selected(all.v[i], o.filter))
            rc = cli_list_add(&files, all.v[i]);
    struct cli_result *res = calloc(files.n ? files.n : 1, sizeof *res);
    struct out_coverage cov;
    out_coverage_init(&cov);
    if (rc == 0 && res) {
        if (o.tap)
            printf("TAP version 13\n1..%zu\n", files.n);
        cli_test_schedule(&o, &files, res, &cov);
        rc = cli_test_summary(&o, res, files.n, &cov);
    } else {
        rc = 2;
    }
    for (size_t i = 0; res && i < files.n; i++) {
        free(res[i].head);
        free(res[i].detail);
    }
    free(res);
    cli_list_free(&paths);
    cli_list_free(&all);
    cli_list_free(&files);
    return rc;
}
