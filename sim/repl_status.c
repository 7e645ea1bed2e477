/*
 * repl_status.c - `status`: both hosts' sockets as netstat -at lists them (with ss -o's
 * timers), and when there are many, as ss -s counts them: per state and host, with filters
 * (a state, a host, a socket, a port) to list the few a user is after.
 *
 *   status [all|summary] [A|B|SOCK] [STATE|closed] [port N]
 *
 * A handful of sockets (REPL_STATUS_ROWS at most, open and closed) are listed as they always
 * were. More, and `status` alone prints the counts; the filters list the sockets that match
 * (all of them must), cut at REPL_STATUS_ROWS rows unless `all` is given. 30,000 lines on a
 * terminal teach nothing; "TIME_WAIT 28,232" does (the ephemeral port range filling up).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "repl_internal.h"

/* Sockets listed without asking: what fits on a screen beside the header. */
#define REPL_STATUS_ROWS 20

/* What `status` was asked to show. */
struct repl_status_filter {
    bool all;          /* every match, however many */
    bool summary;      /* the counts, however few the sockets */
    bool any;          /* a filter was given: list the matches */
    int host;          /* host index, or -1 */
    uint32_t conn;     /* one socket's id, or 0 */
    int state;         /* enum tcp_state, or -1; TCP_CLOSED also matches the closed sockets */
    bool closed;       /* `closed`: the sockets closed for good (and live ones in CLOSED) */
    int port;          /* local or foreign port, or -1 */
};

/* Read the words after `status`; REPL_OK, or REPL_ERR after saying which word is wrong. */
static enum repl_status
repl_status_parse(struct repl *r, int argc, char **argv, struct repl_status_filter *f)
{
    memset(f, 0, sizeof *f);
    f->host = f->state = f->port = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        struct tcp_host *h;
        const struct tcp_conn *c;
        int st;
        if (strcasecmp(a, "all") == 0) {
            f->all = true;
        } else if (strcasecmp(a, "summary") == 0) {
            f->summary = true;
        } else if (strcasecmp(a, "port") == 0) {
            uint64_t n;
            if (i + 1 >= argc)
                return repl_err(r, "status port: which port? (status port 80)");
            if (repl_num(r, argv[++i], 65535, "status port", &n) != 0)
                return REPL_ERR;
            f->port = (int)n;
            f->any = true;
        } else if (strcasecmp(a, "closed") == 0) {
            f->closed = f->any = true;
        } else if ((st = tcp_state_parse(a)) >= 0) {
            f->state = st;
            f->closed = st == TCP_CLOSED;
            f->any = true;
        } else if ((h = world_host(r->w, a)) != NULL) {
            f->host = h->index;
            f->any = true;
        } else if ((c = world_conn_by_name(r->w, a)) != NULL) {
            f->conn = c->id;
            f->any = true;
        } else {
            return repl_err(r, "status: '%s' is no filter: a state (TIME_WAIT), closed, a host (A), a socket "
                               "(A1), port N, all or summary", a);
        }
    }
    return REPL_OK;
}

static bool
repl_status_match(const struct repl_status_filter *f, const struct tcp_conn *c)
{
    if (f->host >= 0 && c->host->index != f->host)
        return false;
    if (f->conn && c->id != f->conn)
        return false;
    if (f->port >= 0 && c->lport != f->port && (c->state == TCP_LISTEN || c->rport != f->port))
        return false;
    if (f->closed)
        return !c->live || c->state == TCP_CLOSED;
    return f->state < 0 || (c->live && (int)c->state == f->state);
}

/* "changed from the preset: B isn=300": the settings a sysctl (or the scenario) changed. */
static void
repl_settings_changed(struct repl *r)
{
    bool any = false;
    int col = 0;
    for (int h = 0; h < WORLD_HOSTS; h++) {
        const struct tcp_host *host = &r->w->host[h];
        for (size_t i = 0; i < tcp_setting_count; i++) {
            const struct tcp_setting_info *s = &tcp_setting_table[i];
            double v = tcp_setting_get(&host->cfg, s);
            double def = r->w->preset == TCP_PRESET_RFC ? s->rfc_value : s->linux_value;
            if (v - def < 1e-9 && def - v < 1e-9)
                continue;
            char one[96];
            int n = snprintf(one, sizeof one, "%s %s=%g", host->name, s->name, v);
            if (!any)
                col = fprintf(r->out, "changed from the preset:");
            else
                col += fprintf(r->out, ",");
            if (repl_width(r) > 0 && col + n + 1 > repl_width(r)) { /* folded under the first */
                fprintf(r->out, "\n  ");
                col = 2;
            }
            col += fprintf(r->out, " %s", one);
            any = true;
        }
    }
    if (any)
        fputc('\n', r->out);
}

/* One open socket's netstat line (and in a narrow terminal its timers, one a line). */
static void
repl_status_row(struct repl *r, const struct tcp_conn *c, bool narrow)
{
    char local[32], foreign[32], timers[256];
    tcp_endpoint_str(c->laddr, c->lport, local, sizeof local);
    if (c->state == TCP_LISTEN)
        snprintf(foreign, sizeof foreign, "0.0.0.0:*");
    else
        tcp_endpoint_str(c->raddr, c->rport, foreign, sizeof foreign);
    repl_timers_str(c, timers, sizeof timers);
    unsigned recvq = c->state == TCP_LISTEN ? (unsigned)c->acceptq_len : (unsigned)c->rcvq.len;
    if (narrow) {
        fprintf(r->out, "%-4s %6u %6u %-14s %-14s %s\n", c->name, recvq, (unsigned)c->sndq.len, local, foreign,
                tcp_state_bsd(c->state));
        for (char *tm = timers, *sp; *tm; tm = sp + (*sp != '\0')) {
            sp = tm + strcspn(tm, " ");
            fprintf(r->out, "     %.*s\n", (int)(sp - tm), tm);
        }
        return;
    }
    fprintf(r->out, timers[0] ? "%-4s tcp   %6u %6u %-20s %-20s %-12s %s\n" : "%-4s tcp   %6u %6u %-20s %-20s %s%s\n",
            c->name, recvq, (unsigned)c->sndq.len, local, foreign, tcp_state_bsd(c->state), timers);
}

/* "closed: A1 (connect failed: ...) B3", folded to the width: the closed sockets that match. */
static void
repl_status_closed(struct repl *r, const struct repl_status_filter *f)
{
    int col = fprintf(r->out, "closed:");
    for (uint32_t i = 0; i < r->w->nconns; i++) {
        const struct tcp_conn *c = r->w->conns[i];
        char one[160], why[96];
        if (c->live || !repl_status_match(f, c))
            continue;
        int n;
        if (repl_connect_failure(r, c, why, sizeof why))
            n = snprintf(one, sizeof one, " %s (connect failed: %s)", c->name, why);
        else if (c->error)
            n = snprintf(one, sizeof one, " %s (%s: %s)", c->name, tcp_err_text(c->error), tcp_err_name(c->error));
        else
            n = snprintf(one, sizeof one, " %s", c->name);
        if (repl_width(r) > 0 && col + n > repl_width(r)) { /* folded under the first */
            fprintf(r->out, "\n       ");
            col = 7;
        }
        col += fprintf(r->out, "%s", one);
    }
    fputc('\n', r->out);
}

/* ss -s's view: the sockets counted by state and host, the closed ones apart. */
static void
repl_status_counts(struct repl *r)
{
    size_t n[TCP_STATE_COUNT][WORLD_HOSTS] = {{0}}, closed[WORLD_HOSTS] = {0}, open = 0;
    for (uint32_t i = 0; i < r->w->nconns; i++) {
        const struct tcp_conn *c = r->w->conns[i];
        int h = c->host->index;
        if (!c->live)
            closed[h]++;
        else if ((unsigned)c->state < TCP_STATE_COUNT)
            n[c->state][h]++, open++;
    }
    fprintf(r->out, "%u sockets: %zu open, %zu closed\n", (unsigned)r->w->nconns, open, (size_t)r->w->nconns - open);
    fprintf(r->out, "%-12s", "State");
    for (int h = 0; h < WORLD_HOSTS; h++)
        fprintf(r->out, " %8s", r->w->host[h].name);
    fprintf(r->out, " %8s\n", "Total");
    for (int s = 0; s <= TCP_STATE_COUNT; s++) {
        const size_t *row = s < TCP_STATE_COUNT ? n[s] : closed;
        size_t tot = 0;
        for (int h = 0; h < WORLD_HOSTS; h++)
            tot += row[h];
        if (!tot)
            continue;
        fprintf(r->out, "%-12s", s < TCP_STATE_COUNT ? tcp_state_bsd((enum tcp_state)s) : "closed");
        for (int h = 0; h < WORLD_HOSTS; h++)
            fprintf(r->out, " %8zu", row[h]);
        fprintf(r->out, " %8zu\n", tot);
    }
}

enum repl_status
repl_view_status(struct repl *r, int argc, char **argv)
{
    char t[32];
    size_t inflight, open = 0, closed = 0;
    struct repl_status_filter f;
    if (repl_status_parse(r, argc, argv, &f) != REPL_OK)
        return REPL_ERR;
    for (uint32_t i = 0; i < r->w->nconns; i++) {
        const struct tcp_conn *c = r->w->conns[i];
        if (repl_status_match(&f, c))
            *(c->live ? &open : &closed) += 1;
    }
    (void)wire_inflight(r->w, &inflight);
    fprintf(r->out, "time %s, seed %llu, preset %s, %zu segment%s in flight\n", out_time_str(world_now(r->w), t, sizeof t),
            (unsigned long long)r->w->seed, r->w->preset == TCP_PRESET_RFC ? "rfc" : "linux", inflight,
            inflight == 1 ? "" : "s");
    repl_settings_changed(r);
    bool many = r->w->nconns > REPL_STATUS_ROWS;
    if (f.summary || (many && !f.any && !f.all)) {
        repl_status_counts(r);
        fprintf(r->out, "list some: status STATE | A | A1 | port N | closed | all\n");
        return REPL_OK;
    }
    if (f.any)
        fprintf(r->out, "%zu of %u socket%s match: %zu open, %zu closed\n", open + closed, (unsigned)r->w->nconns,
                r->w->nconns == 1 ? "" : "s", open, closed);
    bool narrow = repl_width(r) > 0 && repl_width(r) < OUT_TEXT_WIDE;
    if (open || !f.any) {
        if (narrow) /* 60 columns: no Proto, shorter addresses, each timer on a line of its own */
            fprintf(r->out, "Sock Recv-Q Send-Q Local          Foreign        State\n");
        else
            fprintf(r->out, "Sock Proto Recv-Q Send-Q Local Address        Foreign Address      State        Timers\n");
    }
    size_t rows = 0;
    for (uint32_t i = 0; i < r->w->nconns; i++) {
        const struct tcp_conn *c = r->w->conns[i];
        if (!c->live || !repl_status_match(&f, c))
            continue;
        if (!f.all && rows == REPL_STATUS_ROWS) {
            fprintf(r->out, "... and %zu more (add 'all' to list every one)\n", open - rows);
            break;
        }
        repl_status_row(r, c, narrow);
        rows++;
    }
    if (closed && (f.all || closed <= REPL_STATUS_ROWS))
        repl_status_closed(r, &f);
    else if (closed)
        fprintf(r->out, "closed: %zu sockets (add 'all' to list every one)\n", closed);
    return REPL_OK;
}
