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
 * Entry point: out_dot(f, log, conn). Render with `dot -Tsvg file.dot > file.svg`.
 */
#include <stdlib.h>
#include <string.h>

#include "tcpsim/out.h"
#include "out_track.h"

/* What one socket's path contributes, per (from, to) pair and per state. */
struct out_dot_path {
    struct out_sbuf steps[TCP_STATE_COUNT][TCP_STATE_COUNT]; /* "1, 4" or "A1:1, B2:3" */
    struct out_sbuf now[TCP_STATE_COUNT];                     /* sockets whose last state it is */
    bool visited[TCP_STATE_COUNT];
};

/* The sockets' steps, numbered per socket in the order of the log. */
static int
out_dot_collect(struct out_dot_path *p, const struct trace_log *log, uint32_t conn)
{
    uint32_t maxid = 0;
    for (size_t i = 0; i < log->len; i++)
        if (trace_log_kind(log, i) == TRACE_STATE && trace_log_get(log, i).conn > maxid)
            maxid = trace_log_get(log, i).conn;
    unsigned *count = calloc((size_t)maxid + 1, sizeof *count);
    int *last = malloc(((size_t)maxid + 1) * sizeof *last);
    const char **name = calloc((size_t)maxid + 1, sizeof *name);
    if (!count || !last || !name) {
        free(count);
        free(last);
        free(name);
        return -1;
    }
    for (uint32_t c = 0; c <= maxid; c++)
        last[c] = -1;
    for (size_t i = 0; i < log->len; i++) {
        const struct trace_event ev_ = trace_log_get(log, i), *ev = &ev_;
        if (ev->kind != TRACE_STATE || (conn && ev->conn != conn) || ev->from_state >= TCP_STATE_COUNT
            || ev->to_state >= TCP_STATE_COUNT)
            continue;
        struct out_sbuf *b = &p->steps[ev->from_state][ev->to_state];
        unsigned k = ++count[ev->conn];
        if (conn)
            out_sbuf_printf(b, 4096, "%s%u", b->len ? ", " : "", k);
        else
            out_sbuf_printf(b, 4096, "%s%s:%u", b->len ? ", " : "", ev->conn_name ? ev->conn_name : "?", k);
        p->visited[ev->from_state] = p->visited[ev->to_state] = true;
        last[ev->conn] = (int)ev->to_state;
        name[ev->conn] = ev->conn_name;
    }
    for (uint32_t c = 1; c <= maxid; c++) {
        if (last[c] < 0)
            continue;
        struct out_sbuf *b = &p->now[last[c]];
        out_sbuf_printf(b, 4096, "%s%s", b->len ? ", " : "", name[c] ? name[c] : "?");
    }
    free(count);
    free(last);
    free(name);
    return 0;
}

static void
out_dot_path_free(struct out_dot_path *p)
{
    for (int a = 0; a < TCP_STATE_COUNT; a++) {
        out_sbuf_free(&p->now[a]);
        for (int b = 0; b < TCP_STATE_COUNT; b++)
            out_sbuf_free(&p->steps[a][b]);
    }
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

int
out_dot(FILE *f, const struct trace_log *log, uint32_t conn)
{
    struct out_dot_path *p = calloc(1, sizeof *p);
    if (!p || out_dot_collect(p, log, conn) != 0) {
        free(p);
        return -1;
    }
    fputs("digraph tcp_states {\n", f);
    if (conn)
        fprintf(f, "    label=\"RFC 9293 3.3.2: the path of socket %u, numbered in order\";\n", (unsigned)conn);
    else
        fputs("    label=\"RFC 9293 3.3.2: the path of every socket, numbered per socket\";\n", f);
    fputs("    labelloc=t; fontname=Helvetica; nodesep=0.6; ranksep=0.5;\n"
          "    node [shape=box, style=rounded, fontname=Helvetica];\n"
          "    edge [fontname=Helvetica, fontsize=10];\n", f);
    for (int s = 0; s < TCP_STATE_COUNT; s++) {
        fprintf(f, "    %s [label=\"%s", tcp_state_bsd((enum tcp_state)s), tcp_state_rfc((enum tcp_state)s));
        if (p->now[s].len)
            fprintf(f, "\\n(now: %s)\", style=\"rounded,filled,bold\", fillcolor=gold, peripheries=2", p->now[s].s);
        else if (p->visited[s])
            fputs("\", style=\"rounded,filled\", fillcolor=\"#fde0dd\"", f);
        else
            fputc('"', f);
        fputs("];\n", f);
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
    out_dot_path_free(p);
    free(p);
    return 0;
}
