/*
 * out_html.c - a run as one self-contained web page (issue #18; docs/outputs.md, "The web
 * page"): the ladder, the RFC 9293 state diagram, each socket's states and timers, the TCB,
 * a time-sequence graph and the trace, all on one cursor in time.
 *
 * The page is drawn by its own JavaScript (sim/html/model.js, views.js, page.js) from the
 * data this writer puts inline, so the C side only says what happened: one JSON object per
 * event, written as the event is seen (an observer, nothing kept), then the run's facts
 * (title, verdict, the tables of states and of the state diagram's edges). The page is, in order:
 *
 *   <head> <style>page.css</style> </head> <body> page.html
 *   <script type="application/json" id="tcpsim-events"> [ event, event, ... ] </script>
 *   <script type="application/json" id="tcpsim-meta"> { facts } </script>
 *   <script> 'use strict'; { model.js views.js page.js } </script> </body>
 *
 * Texts are escaped for JSON and for an inline script (out_json_str 'html'), so a scenario's
 * narration can never end the script early.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_html_assets.h"
#include "out_track.h"
#include "tcpsim/out.h"
#include "tcpsim/tcpsim.h"

struct out_html {
    FILE *f;
    struct out_track track; /* ISNs (relative numbers, labels) and each arrival's receiver */
    uint64_t nev;           /* events written */
    bool failed;            /* a write failed: reported by out_html_finish */
};

static void
html_asset(FILE *f, const struct out_html_asset *a)
{
    fwrite(a->data, 1, a->len, f);
}

/* ,"key":"value" */
static void
html_key_str(FILE *f, const char *key, const char *val)
{
    fprintf(f, ",\"%s\":", key);
    out_json_str(f, val, true);
}

/* ,"key":seconds (virtual time with 6 decimals, as the jsonl trace writes it) */
static void
html_key_time(FILE *f, const char *key, clk_time t)
{
    char buf[32];
    fprintf(f, ",\"%s\":%s", key, out_time_str(t, buf, sizeof buf));
}

struct out_html *
out_html_new(FILE *f)
{
    struct out_html *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->f = f;
    out_track_init(&h->track);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"tcpsim " TCPSIM_VERSION "\">\n"
          "<title>tcpsim run</title>\n<style>\n", f);
    html_asset(f, &out_html_css);
    fputs("</style>\n</head>\n<body>\n", f);
    html_asset(f, &out_html_body);
    fputs("<script type=\"application/json\" id=\"tcpsim-events\">[\n", f);
    return h;
}

void
out_html_free(struct out_html *h)
{
    if (!h)
        return;
    out_track_fini(&h->track);
    free(h);
}

/* The fields of a segment event; relative numbers as tcpdump shows them, when the ISNs are
   known, and the label the ladder draws on its arrow. */
static void
html_segment(struct out_html *h, const struct trace_event *ev)
{
    FILE *f = h->f;
    const struct tcp_seg *s = &ev->seg;
    char flags[48], label[96];
    uint32_t rseq, rack;
    bool rs, ra;
    out_track_relative(&h->track, s, &rseq, &rack, &rs, &ra);
    fprintf(f, ",\"id\":%llu", (unsigned long long)ev->pkt_id);
    html_key_str(f, "from", out_host_name(ev->from));
    html_key_str(f, "to", out_host_name(ev->to));
    fprintf(f, ",\"sport\":%u,\"dport\":%u", (unsigned)s->sport, (unsigned)s->dport);
    html_key_str(f, "flags", tcp_flags_str(s->flags, flags, sizeof flags));
    fprintf(f, ",\"seq\":%u,\"ack\":%u,\"len\":%u,\"win\":%u", (unsigned)s->seq, (unsigned)s->ack,
            (unsigned)s->len, (unsigned)s->wnd);
    if (rs)
        fprintf(f, ",\"rseq\":%u", (unsigned)rseq);
    if (ra)
        fprintf(f, ",\"rack\":%u", (unsigned)rack);
    out_seg_label(&h->track, ev, false, label, sizeof label);
    html_key_str(f, "label", label);
    html_key_time(f, "sent", ev->sent_at);
    html_key_time(f, "arrive", ev->arrive_at);
    fprintf(f, ",\"marks\":%u", ev->marks);
    uint32_t rcv = out_track_receiver(&h->track, ev);
    if (rcv)
        fprintf(f, ",\"rcv\":%u", (unsigned)rcv);
    if (ev->kind == TRACE_DUP)
        fprintf(f, ",\"orig\":%llu", (unsigned long long)ev->orig_id);
    if (ev->kind == TRACE_DELAY)
        html_key_time(f, "when", ev->when);
    if (ev->text)
        html_key_str(f, "text", ev->text);
}

static void
html_rule(FILE *f, enum tcp_rule r)
{
    char cite[64];
    html_key_str(f, "rule", tcp_rule_name(r));
    html_key_str(f, "cite", out_rule_cite(r, cite, sizeof cite));
    html_key_str(f, "why", tcp_rule_text(r));
}

void
out_html_observe(const struct trace_event *ev, void *ctx)
{
    struct out_html *h = ctx;
    FILE *f = h->f;
    /* learn first: a SYN's own SEQ is then relative 0, as in the other outputs */
    out_track_event(&h->track, ev);
    fprintf(f, "%s{\"n\":%llu", h->nev++ ? ",\n" : "", (unsigned long long)ev->n);
    html_key_time(f, "t", ev->t);
    html_key_str(f, "k", trace_kind_name(ev->kind));
    if (ev->host >= 0)
        html_key_str(f, "h", out_host_name(ev->host));
    if (ev->conn)
        fprintf(f, ",\"c\":%u", (unsigned)ev->conn);
    if (ev->conn_name)
        html_key_str(f, "s", ev->conn_name);
    switch (ev->kind) {
    case TRACE_SEND:
    case TRACE_DELIVER:
    case TRACE_DROP:
    case TRACE_DUP:
    case TRACE_DELAY:
        html_segment(h, ev);
        break;
    case TRACE_STATE:
        fprintf(f, ",\"fs\":%d,\"ts\":%d", (int)ev->from_state, (int)ev->to_state);
        html_rule(f, ev->rule);
        break;
    case TRACE_RULE:
        fprintf(f, ",\"st\":%d", (int)ev->to_state);
        html_rule(f, ev->rule);
        break;
    case TRACE_TIMER_ARM:
        html_key_str(f, "timer", tcp_timer_name(ev->timer));
        html_key_time(f, "when", ev->when);
        break;
    case TRACE_TIMER_CANCEL:
    case TRACE_TIMER_FIRE:
        html_key_str(f, "timer", tcp_timer_name(ev->timer));
        break;
    case TRACE_CALL:
        html_key_str(f, "text", ev->text);
        html_key_str(f, "err", tcp_err_name(ev->err));
        break;
    case TRACE_SAY:
        html_key_str(f, "text", ev->text);
        break;
    case TRACE_KIND_COUNT:
        break;
    }
    if (ev->has_tcb) {
        const struct trace_tcb *b = &ev->tcb;
        fprintf(f, ",\"tcb\":{\"snd_una\":%u,\"snd_nxt\":%u,\"snd_wnd\":%u,\"iss\":%u,"
                   "\"rcv_nxt\":%u,\"rcv_wnd\":%u,\"irs\":%u",
                (unsigned)b->snd_una, (unsigned)b->snd_nxt, (unsigned)b->snd_wnd, (unsigned)b->iss,
                (unsigned)b->rcv_nxt, (unsigned)b->rcv_wnd, (unsigned)b->irs);
        html_key_time(f, "rto", b->rto);
        html_key_time(f, "srtt", b->srtt);
        fputc('}', f);
    }
    fputc('}', f);
    if (ferror(f))
        h->failed = true;
}

/* The tables the page draws with: the states' names (events give them by number) and the
   edges of the state diagram (RFC 9293 §3.3.2, Figure 5, and the ABORT/RST/timeout ones). */
static void
html_tables(FILE *f)
{
    fputs(",\"states\":[", f);
    for (int s = 0; s < TCP_STATE_COUNT; s++) {
        fprintf(f, "%s{\"rfc\":", s ? "," : "");
        out_json_str(f, tcp_state_rfc((enum tcp_state)s), true);
        html_key_str(f, "bsd", tcp_state_bsd((enum tcp_state)s));
        fputc('}', f);
    }
    fputs("],\"edges\":[", f);
    for (size_t i = 0; i < tcp_nedges; i++) {
        const struct tcp_edge *e = &tcp_edges[i];
        fprintf(f, "%s{\"from\":%d,\"to\":%d,\"fig\":%s", i ? "," : "", (int)e->from, (int)e->to,
                e->in_figure ? "true" : "false");
        html_key_str(f, "event", e->event);
        html_key_str(f, "action", e->action);
        fputc('}', f);
    }
    fputc(']', f);
}

int
out_html_finish(struct out_html *h, const struct out_html_meta *m)
{
    FILE *f = h->f;
    fputs("\n]</script>\n<script type=\"application/json\" id=\"tcpsim-meta\">{\"generator\":\"tcpsim " TCPSIM_VERSION
          "\"",
          f);
    html_key_str(f, "title", m->title ? m->title : m->file);
    if (m->summary)
        html_key_str(f, "summary", m->summary);
    if (m->file)
        html_key_str(f, "file", m->file);
    fprintf(f, ",\"seed\":\"%llu\"", (unsigned long long)m->seed);
    html_key_str(f, "preset", m->preset == TCP_PRESET_RFC ? "rfc" : "linux");
    fprintf(f, ",\"passed\":%s", m->passed ? "true" : "false");
    if (m->message && *m->message)
        html_key_str(f, "message", m->message);
    html_tables(f);
    /* the script's parts share their declarations in one block, in strict mode */
    fputs("}</script>\n<script>\n'use strict';\n{\n", f);
    for (size_t i = 0; i < out_html_njs; i++)
        html_asset(f, &out_html_js[i]);
    fputs("}\n</script>\n</body>\n</html>\n", f);
    if (fflush(f) != 0 || ferror(f))
        h->failed = true;
    return h->failed ? -1 : 0;
}

int
out_html_log(FILE *f, const struct trace_log *log, const struct out_html_meta *m)
{
    struct out_html *h = out_html_new(f);
    if (!h)
        return -1;
    for (size_t i = 0; i < log->len; i++) {
        const struct trace_event ev = trace_log_get(log, i);
        out_html_observe(&ev, h);
    }
    int rc = out_html_finish(h, m);
    out_html_free(h);
    return rc;
}

/* ---- the index page of `tcpsim test --html DIR` -------------------------------------------- */

static void
html_text(FILE *f, const char *s)
{
    out_xml_text(f, s ? s : "", s ? strlen(s) : 0);
}

int
out_html_index(FILE *f, const struct out_html_entry *e, size_t n)
{
    size_t passed = 0;
    for (size_t i = 0; i < n; i++)
        passed += e[i].passed;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"generator\" content=\"tcpsim " TCPSIM_VERSION "\">\n<title>tcpsim: scenarios</title>\n"
          "<style>\nbody { font: 15px/1.4 system-ui, sans-serif; margin: 1em 2em; }\n"
          "table { border-collapse: collapse; } th, td { border: 1px solid #999; padding: .2em .6em; text-align: left; }\n"
          "td.fail { font-weight: bold; } code { font-size: .95em; }\n"
          "@media (prefers-color-scheme: dark) { body { background: #111; color: #eee; } a { color: #9cf; } }\n"
          "</style>\n</head>\n<body>\n<h1>Scenarios</h1>\n", f);
    fprintf(f, "<p id=\"count\">%zu passed, %zu failed. Each page steps through its run in the browser, "
               "offline.</p>\n<table id=\"scenarios\">\n<thead><tr><th scope=\"col\">Scenario</th>"
               "<th scope=\"col\">Result</th><th scope=\"col\">Title, or why it failed</th>"
               "<th scope=\"col\">File</th></tr></thead>\n<tbody>\n",
            passed, n - passed);
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><td><a href=\"", f);
        html_text(f, e[i].page);
        fputs("\">", f);
        html_text(f, e[i].name);
        fprintf(f, "</a></td><td class=\"%s\">%s</td><td>", e[i].passed ? "pass" : "fail",
                e[i].passed ? "PASS" : "FAIL");
        html_text(f, e[i].text);
        fputs("</td><td><code>", f);
        html_text(f, e[i].path);
        fputs("</code></td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n</body>\n</html>\n", f);
    return fflush(f) != 0 || ferror(f) ? -1 : 0;
}
