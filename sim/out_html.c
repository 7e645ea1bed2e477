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
 *
 * A long run (docs/outputs.md, "A long run's page"): the page holds a budget of events in
 * detail (out_html_set_events), the first half written as they come and the last half kept,
 * formatted, in a ring that the newest event overwrites; so the writer's memory is the ring
 * and what out_track remembers per socket, however long the run. What fell out of the ring
 * becomes one "gap" event in its place: how many events, from when to when, and the state
 * there of every socket the kept end names that had one, so the page's states after the gap
 * are the trace's. The facts at the end add each state's count of sockets at the run's end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "out_html_assets.h"
#include "out_track.h"
#include "tcpsim/out.h"
#include "tcpsim/tcpsim.h"

/* One of the last events, formatted, and what the gap event needs to know of it. */
struct html_held {
    char *json;             /* the event's object, as written on the page */
    size_t len, size;       /* its length, and the buffer's */
    uint64_t n;
    clk_time t;
    uint32_t conn;          /* the socket it names for sure (not an arrival's), 0 none */
    int from_state;         /* a state change's old state, else -1 */
};

struct out_html {
    FILE *f;
    struct out_track track; /* ISNs (relative numbers, labels) and each arrival's receiver */
    uint64_t nev;           /* events written */
    uint64_t seen;          /* events observed */
    size_t head;            /* the first 'head' events are written as they come */
    struct html_held *ring; /* the last 'cap' events, oldest at 'first' */
    size_t cap, first, held;
    uint64_t skipped;       /* events that fell out of the ring, between head and ring */
    uint64_t skip_n0, skip_n1;
    clk_time skip_t0, skip_t1;
    FILE *mem;              /* where a held event is formatted (open_memstream) */
    char *membuf;
    size_t memlen;
    uint64_t *born;         /* by conn id: 1 + the number of its first state change, 0 none */
    size_t nborn;
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

static void
html_ring_free(struct out_html *h)
{
    for (size_t i = 0; i < h->cap; i++)
        free(h->ring[i].json);
    free(h->ring);
    h->ring = NULL;
    h->cap = h->first = h->held = 0;
}

int
out_html_set_events(struct out_html *h, size_t events)
{
    if (h->seen)
        return -1;
    html_ring_free(h);
    if (events == 0) { /* every event, written as it comes */
        h->head = SIZE_MAX;
        return 0;
    }
    h->head = events / 2;
    h->cap = events - h->head;
    if (!(h->ring = calloc(h->cap, sizeof *h->ring))) {
        h->cap = 0;
        return -1;
    }
    return 0;
}

struct out_html *
out_html_new(FILE *f)
{
    struct out_html *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->f = f;
    out_track_init(&h->track);
    if (out_html_set_events(h, OUT_HTML_EVENTS) != 0) {
        free(h);
        return NULL;
    }
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
    html_ring_free(h);
    if (h->mem)
        fclose(h->mem);
    free(h->membuf);
    free(h->born);
    free(h);
}

/* The fields of a segment event; relative numbers as tcpdump shows them, when the ISNs are
   known, and the label the ladder draws on its arrow. */
static void
html_segment(struct out_html *h, FILE *f, const struct trace_event *ev)
{
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

/* The event's object on 'f' (the page, or a held event's buffer). */
static void
html_event(struct out_html *h, FILE *f, const struct trace_event *ev)
{
    fprintf(f, "{\"n\":%llu", (unsigned long long)ev->n);
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
        html_segment(h, f, ev);
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
}

/* Before each event on the page but the first: the JSON array's comma. */
static void
html_next(struct out_html *h)
{
    if (h->nev++)
        fputs(",\n", h->f);
}

/* Is 'ev' one the page counts as naming its socket (model.js: not an arrival, which may name
   either end)? */
static bool
html_names_socket(const struct trace_event *ev)
{
    return ev->conn && ev->conn_name && ev->kind != TRACE_DELIVER && ev->kind != TRACE_DROP &&
           ev->kind != TRACE_DUP && ev->kind != TRACE_DELAY;
}

/* Keep 'ev' among the last events; the oldest held one, if the ring is full, falls into the gap.
   Each is formatted in h->mem (one stream, rewound) and copied into its slot's buffer. */
static void
html_hold(struct out_html *h, const struct trace_event *ev)
{
    if (!h->mem && !(h->mem = open_memstream(&h->membuf, &h->memlen))) {
        h->failed = true;
        return;
    }
    rewind(h->mem);
    html_event(h, h->mem, ev);
    off_t len = ftello(h->mem);
    if (fflush(h->mem) != 0 || len < 0) {
        h->failed = true;
        return;
    }
    struct html_held *slot;
    if (h->held == h->cap) {
        slot = &h->ring[h->first];
        if (!h->skipped++) {
            h->skip_n0 = slot->n;
            h->skip_t0 = slot->t;
        }
        h->skip_n1 = slot->n;
        h->skip_t1 = slot->t;
        h->first = (h->first + 1) % h->cap;
    } else {
        slot = &h->ring[(h->first + h->held++) % h->cap];
    }
    if ((size_t)len > slot->size) {
        char *b = realloc(slot->json, (size_t)len);
        if (!b) {
            h->failed = true;
            return;
        }
        slot->json = b;
        slot->size = (size_t)len;
    }
    memcpy(slot->json, h->membuf, (size_t)len);
    slot->len = (size_t)len;
    slot->n = ev->n;
    slot->t = ev->t;
    slot->conn = html_names_socket(ev) ? ev->conn : 0;
    slot->from_state = ev->kind == TRACE_STATE ? (int)ev->from_state : -1;
}

/* Remember when socket 'conn' first changed state: the gap lists only sockets that had a
   state before the held events (one born among them is new there, as in the trace). */
static void
html_born(struct out_html *h, uint32_t conn, uint64_t n)
{
    if (conn >= h->nborn) {
        size_t cap = h->nborn ? h->nborn : 64;
        while (cap <= conn)
            cap *= 2;
        uint64_t *b = realloc(h->born, cap * sizeof *b);
        if (!b) {
            h->failed = true;
            return;
        }
        memset(b + h->nborn, 0, (cap - h->nborn) * sizeof *b);
        h->born = b;
        h->nborn = cap;
    }
    if (!h->born[conn])
        h->born[conn] = n + 1;
}

void
out_html_observe(const struct trace_event *ev, void *ctx)
{
    struct out_html *h = ctx;
    /* learn first: a SYN's own SEQ is then relative 0, as in the other outputs */
    out_track_event(&h->track, ev);
    if (ev->kind == TRACE_STATE && ev->conn && h->cap)
        html_born(h, ev->conn, ev->n);
    if (h->seen++ < h->head) {
        html_next(h);
        html_event(h, h->f, ev);
    } else {
        html_hold(h, ev);
    }
    if (ferror(h->f))
        h->failed = true;
}

/* Each state's count of sockets, as out_track knows them now. */
static void
html_counts(FILE *f, const struct out_track *t)
{
    size_t count[TCP_STATE_COUNT] = {0};
    for (uint32_t c = 1; c < t->nconn; c++) {
        int st = out_track_state(t, c);
        if (st >= 0 && st < TCP_STATE_COUNT)
            count[st]++;
    }
    fputs(",\"count\":[", f);
    for (int s = 0; s < TCP_STATE_COUNT; s++)
        fprintf(f, "%s%zu", s ? "," : "", count[s]);
    fputc(']', f);
}

/* The state of socket 'conn' just before the held events: its first held change's old state,
   else (no change since) its state now. */
static int
html_state_before_held(const struct out_html *h, uint32_t conn)
{
    for (size_t k = 0; k < h->held; k++) {
        const struct html_held *e = &h->ring[(h->first + k) % h->cap];
        if (e->conn == conn && e->from_state >= 0)
            return e->from_state;
    }
    int st = out_track_state(&h->track, conn);
    return st < 0 ? 0 : st;
}

/* The events that fell out, as one event numbered as the last of them: the page's cursor can
   stop there, with every socket the held events name that had a state before them, in its
   state there. */
static void
html_gap(struct out_html *h)
{
    FILE *f = h->f;
    char buf[32];
    html_next(h);
    fprintf(f, "{\"n\":%llu", (unsigned long long)h->skip_n1);
    html_key_time(f, "t", h->skip_t1);
    fprintf(f, ",\"k\":\"gap\",\"from\":%llu,\"skipped\":%llu,\"t0\":%s,\"socks\":[",
            (unsigned long long)h->skip_n0, (unsigned long long)h->skipped,
            out_time_str(h->skip_t0, buf, sizeof buf));
    bool any = false;
    for (size_t k = 0; k < h->held; k++) {
        uint32_t c = h->ring[(h->first + k) % h->cap].conn;
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = h->ring[(h->first + j) % h->cap].conn == c;
        const char *name = out_track_name(&h->track, c);
        uint64_t n0 = h->ring[h->first].n;
        if (!c || seen || !name || c >= h->nborn || !h->born[c] || h->born[c] - 1 >= n0)
            continue;
        fprintf(f, "%s{\"c\":%u", any ? "," : "", (unsigned)c);
        html_key_str(f, "s", name);
        fprintf(f, ",\"st\":%d}", html_state_before_held(h, c));
        any = true;
    }
    fputs("]}", f);
}

/* The held events, after the gap if some fell out. */
static void
html_flush_held(struct out_html *h)
{
    if (h->skipped)
        html_gap(h);
    for (size_t k = 0; k < h->held; k++) {
        const struct html_held *e = &h->ring[(h->first + k) % h->cap];
        html_next(h);
        fwrite(e->json, 1, e->len, h->f);
    }
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
    html_flush_held(h);
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
    fprintf(f, ",\"events\":%llu,\"budget\":%zu", (unsigned long long)h->seen,
            h->head == SIZE_MAX ? (size_t)0 : h->head + h->cap);
    if (h->skipped)
        fprintf(f, ",\"skipped\":%llu", (unsigned long long)h->skipped);
    html_counts(f, &h->track);
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
