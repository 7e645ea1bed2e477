/*
 * out_dot.c - the RFC 9293 state diagram (§3.3.2, Figure 5) as Graphviz DOT, with the path
 * one socket (or every socket) took through it highlighted and numbered, and the table of the
 * diagram's edges that coverage (out_coverage.c) counts against: one table, not two.
 *
 * The table holds Figure 5's edges and, dashed, the ones its notes and §3.10 add: FIN-WAIT-1
 * straight to TIME-WAIT (note 2), SYN-RECEIVED to CLOSE-WAIT on a FIN (§3.10.7.4 eighth), and
 * the RST/ABORT/timeout edges to CLOSED from every synchronized state (§3.10.5, §3.10.7.4
 * second, §3.10.8). It accepts exactly the pairs tcp_state_edge_ok() accepts.
 *
 * Entry points: out_dot_new(conn) -> world_observe(w, out_dot_observe, d) -> out_dot_finish(d, f),
 * drawn as the run goes (tcpsim run --dot); out_dot(f, log, conn) feeds a recorded run to the
 * same observer (the REPL's `diagram`). Render with `dot -Tsvg file.dot > file.svg`.
 */
#include <stdlib.h>
#include <string.h>

#include "tcpsim/out.h"
#include "out_track.h"

/* What one socket's path contributes, per (from, to) pair and per state. */
struct out_dot_path {
    struct out_sbuf steps[TCP_STATE_COUNT][TCP_STATE_COUNT]; /* "1, 4" or "A1:1, B2:3" */
    bool visited[TCP_STATE_COUNT];
};

/* What the diagram needs of one socket: its steps so far, where it is, its name (copied: the
   socket may be gone before the diagram is drawn). */
struct out_dot_sock {
    unsigned count;
    int last;                   /* its last state, or -1 before its first step */
    char name[16];
};

/*
 * A live observer: only the edges taken (their step lists, bounded in length) and one small
 * record per socket, so a long run costs it nothing more than a short one with as many
 * sockets.
 */
struct out_dot {
    uint32_t conn;              /* the socket followed, 0: every socket */
    struct out_dot_path p;
    struct out_dot_sock *sock;  /* by socket id */
    size_t nsock;
    bool failed;                /* ENOMEM: no diagram rather than a wrong one */
};

struct out_dot *
out_dot_new(uint32_t conn)
{
    struct out_dot *d = calloc(1, sizeof *d);
    if (d)
        d->conn = conn;
    return d;
}

void
out_dot_free(struct out_dot *d)
{
    if (!d)
        return;
    for (int a = 0; a < TCP_STATE_COUNT; a++)
        for (int b = 0; b < TCP_STATE_COUNT; b++)
            out_sbuf_free(&d->p.steps[a][b]);
    free(d->sock);
    free(d);
}

/* The record of socket 'id', grown to it; NULL on ENOMEM. */
static struct out_dot_sock *
out_dot_sock_of(struct out_dot *d, uint32_t id)
{
    if (id >= d->nsock) {
        size_t n = d->nsock ? d->nsock : 64;
        while (n <= id)
            n *= 2;
        struct out_dot_sock *ns = realloc(d->sock, n * sizeof *ns);
        if (!ns)
            return NULL;
        for (size_t i = d->nsock; i < n; i++)
            ns[i] = (struct out_dot_sock){0, -1, ""};
        d->sock = ns;
        d->nsock = n;
    }
    return &d->sock[id];
}

/* A socket's step, numbered per socket in the order of the run. */
void
out_dot_observe(const struct trace_event *ev, void *ctx)
{
    struct out_dot *d = ctx;
    if (d->failed || ev->kind != TRACE_STATE || (d->conn && ev->conn != d->conn) || ev->from_state >= TCP_STATE_COUNT
        || ev->to_state >= TCP_STATE_COUNT)
        return;
    struct out_dot_sock *k = out_dot_sock_of(d, ev->conn);
    if (!k) {
        d->failed = true;
        return;
    }
    struct out_sbuf *b = &d->p.steps[ev->from_state][ev->to_state];
    unsigned n = ++k->count;
    if (d->conn)
        out_sbuf_printf(b, 4096, "%s%u", b->len ? ", " : "", n);
    else
        out_sbuf_printf(b, 4096, "%s%s:%u", b->len ? ", " : "", ev->conn_name ? ev->conn_name : "?", n);
    d->p.visited[ev->from_state] = d->p.visited[ev->to_state] = true;
    k->last = (int)ev->to_state;
    snprintf(k->name, sizeof k->name, "%s", ev->conn_name ? ev->conn_name : "?");
}

static void
out_dot_edge(FILE *f, enum tcp_state from, enum tcp_state to, const char *event, const char *action,
             bool dashed, const struct out_sbuf *steps)
{
    fprintf(f, "    %s -> %s [label=\"%s%s%s", tcp_state_bsd(from), tcp_state_bsd(to), event,
            action[0] ? "\\n" : "", action);
    if (steps->len)
        fprintf(f, "\\n[%s]\", color=\"#d62728\", fontcolor=\"#d62728\", penwidth=2.5", steps->s);
    else
        fputs("\", color=gray55, fontcolor=gray40", f);
    fprintf(f, "%s];\n", dashed ? ", style=dashed" : "");
}

/* The sockets whose last state is 's', "A1, B2", into 'now'. */
static void
out_dot_now(const struct out_dot *d, int s, struct out_sbuf *now)
{
    for (size_t c = 1; c < d->nsock; c++)
        if (d->sock[c].last == s)
            out_sbuf_printf(now, 4096, "%s%s", now->len ? ", " : "", d->sock[c].name);
}

int
out_dot_finish(struct out_dot *d, FILE *f)
{
    uint32_t conn = d->conn;
    const struct out_dot_path *p = &d->p;
    if (d->failed)
        return -1;
    fputs("digraph tcp_states {\n", f);
    if (conn)
        fprintf(f, "    label=\"RFC 9293 3.3.2: the path of socket %u, numbered in order\";\n", (unsigned)conn);
    else
        fputs("    label=\"RFC 9293 3.3.2: the path of every socket, numbered per socket\";\n", f);
    fputs("    labelloc=t; fontname=Helvetica; nodesep=0.6; ranksep=0.5;\n"
          "    node [shape=box, style=rounded, fontname=Helvetica];\n"
          "    edge [fontname=Helvetica, fontsize=10];\n", f);
    for (int s = 0; s < TCP_STATE_COUNT; s++) {
        struct out_sbuf now = {0};
        out_dot_now(d, s, &now);
        fprintf(f, "    %s [label=\"%s", tcp_state_bsd((enum tcp_state)s), tcp_state_rfc((enum tcp_state)s));
        if (now.len)
            fprintf(f, "\\n(now: %s)\", style=\"rounded,filled,bold\", fillcolor=gold, peripheries=2", now.s);
        else if (p->visited[s])
            fputs("\", style=\"rounded,filled\", fillcolor=\"#fde0dd\"", f);
        else
            fputc('"', f);
        fputs("];\n", f);
        out_sbuf_free(&now);
    }
    /* the RFC figure's layout: the opening pair, then the closing states side by side */
    fputs("    { rank=same; SYN_RCVD; SYN_SENT; }\n"
          "    { rank=same; FIN_WAIT_1; CLOSE_WAIT; }\n"
          "    { rank=same; FIN_WAIT_2; CLOSING; LAST_ACK; }\n", f);
    for (size_t i = 0; i < tcp_nedges; i++) {
        const struct tcp_edge *e = &tcp_edges[i];
        out_dot_edge(f, e->from, e->to, e->event, e->action, !e->in_figure, &p->steps[e->from][e->to]);
    }
    /* transitions the diagram does not have: shown, so a bug cannot hide */
    for (int a = 0; a < TCP_STATE_COUNT; a++)
        for (int b = 0; b < TCP_STATE_COUNT; b++)
            if (p->steps[a][b].len && tcp_edge_find((enum tcp_state)a, (enum tcp_state)b) < 0)
                out_dot_edge(f, (enum tcp_state)a, (enum tcp_state)b, "NOT IN THE DIAGRAM", "", true,
                             &p->steps[a][b]);
    fputs("}\n", f);
    return 0;
}

int
out_dot(FILE *f, const struct trace_log *log, uint32_t conn)
{
    struct out_dot *d = out_dot_new(conn);
    if (!d)
        return -1;
    for (size_t i = 0; i < log->len; i++) {
        const struct trace_event ev = trace_log_get(log, i);
        out_dot_observe(&ev, d);
    }
    int rc = out_dot_finish(d, f);
    out_dot_free(d);
    return rc;
}
