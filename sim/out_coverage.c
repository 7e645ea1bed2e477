/*
 * out_coverage.c - which edges of the RFC 9293 state diagram (the table in out_dot.c) and
 * which rules (tcp_rules.h) a set of runs exercised, for `tcpsim test --coverage`: an
 * instructor sees what an assignment's scenarios leave untested.
 *
 * Entry points: out_coverage_init() -> out_coverage_add(log) per run (or out_coverage_observe
 * as a live observer) -> out_coverage_report().
 */
#include <string.h>

#include "tcpsim/out.h"
#include "out_track.h"

void
out_coverage_init(struct out_coverage *c)
{
    memset(c, 0, sizeof *c);
}

void
out_coverage_observe(const struct trace_event *ev, void *ctx)
{
    struct out_coverage *c = ctx;
    if (ev->kind != TRACE_STATE && ev->kind != TRACE_RULE)
        return;
    if (ev->rule < TCP_RULE_COUNT)
        c->rule[ev->rule]++;
    if (ev->kind == TRACE_STATE && ev->from_state < TCP_STATE_COUNT && ev->to_state < TCP_STATE_COUNT)
        c->edge[ev->from_state][ev->to_state]++;
}

void
out_coverage_add(struct out_coverage *c, const struct trace_log *log)
{
    for (size_t i = 0; i < log->len; i++) {
        const struct trace_event ev = trace_log_get(log, i);
        out_coverage_observe(&ev, c);
    }
    c->runs++;
}

static unsigned
out_percent(size_t part, size_t whole)
{
    return whole ? (unsigned)((part * 100 + whole / 2) / whole) : 0;
}

static void
out_coverage_edges(FILE *f, const struct out_coverage *c)
{
    size_t hit = 0;
    for (size_t i = 0; i < tcp_nedges; i++)
        hit += c->edge[tcp_edges[i].from][tcp_edges[i].to] != 0;
    fprintf(f, "State diagram edges (RFC 9293 3.3.2): %zu of %zu covered (%u%%)\n", hit, tcp_nedges,
            out_percent(hit, tcp_nedges));
    for (int pass = 0; pass < 2; pass++) {
        fputs(pass == 0 ? "  covered:\n" : "  NOT covered:\n", f);
        for (size_t i = 0; i < tcp_nedges; i++) {
            const struct tcp_edge *e = &tcp_edges[i];
            uint64_t n = c->edge[e->from][e->to];
            if ((n != 0) == (pass == 1))
                continue;
            char edge[48];
            snprintf(edge, sizeof edge, "%s -> %s", tcp_state_rfc(e->from), tcp_state_rfc(e->to));
            fprintf(f, "    [%c] %-30s %s%s%s%s", n ? 'x' : ' ', edge, e->event, e->action[0] ? " / " : "",
                    e->action, e->in_figure ? "" : " (not drawn in Figure 5)");
            if (n)
                fprintf(f, "  x%llu", (unsigned long long)n);
            fputc('\n', f);
        }
    }
    for (int a = 0; a < TCP_STATE_COUNT; a++)
        for (int b = 0; b < TCP_STATE_COUNT; b++)
            if (c->edge[a][b] && tcp_edge_find((enum tcp_state)a, (enum tcp_state)b) < 0)
                fprintf(f, "  outside the diagram: %s -> %s  x%llu\n", tcp_state_rfc((enum tcp_state)a),
                        tcp_state_rfc((enum tcp_state)b), (unsigned long long)c->edge[a][b]);
}

static void
out_coverage_rules(FILE *f, const struct out_coverage *c)
{
    size_t hit = 0, total = 0;
    for (int r = 1; r < TCP_RULE_COUNT; r++) { /* TCP_RULE_NONE is no rule */
        total++;
        hit += c->rule[r] != 0;
    }
    fprintf(f, "Rules (RFC 9293 3.10 and companions): %zu of %zu covered (%u%%)\n", hit, total,
            out_percent(hit, total));
    for (int pass = 0; pass < 2; pass++) {
        fputs(pass == 0 ? "  covered:\n" : "  NOT covered:\n", f);
        for (int r = 1; r < TCP_RULE_COUNT; r++) {
            uint64_t n = c->rule[r];
            if ((n != 0) == (pass == 1))
                continue;
            char cite[64];
            fprintf(f, "    [%c] %-24s %-22s %s", n ? 'x' : ' ', tcp_rule_name((enum tcp_rule)r),
                    out_rule_cite((enum tcp_rule)r, cite, sizeof cite), tcp_rule_text((enum tcp_rule)r));
            if (n)
                fprintf(f, "  x%llu", (unsigned long long)n);
            fputc('\n', f);
        }
    }
}

void
out_coverage_report(FILE *f, const struct out_coverage *c)
{
    fprintf(f, "Coverage over %u run%s\n\n", c->runs, c->runs == 1 ? "" : "s");
    out_coverage_edges(f, c);
    fputc('\n', f);
    out_coverage_rules(f, c);
}
