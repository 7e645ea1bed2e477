/*
 * test_out_ladder.c - the ladder diagram (out_ladder.c): rows, slanting and crossing arrows,
 * state changes beside the lifelines, drops ending in X, and the SVG rendering.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glob.h>

#include "tcpsim/lsim.h"
#include "tcpsim/out.h"
#include "tcpsim/world.h"
#include "out_synth.h"

static char *
ladder_of(const struct trace_log *log, const struct out_ladder_opts *o, bool svg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(svg ? out_ladder_svg(f, log, o) : out_ladder(f, log, o), 0);
    fclose(f);
    return buf;
}

/* Line 'n' of 'text' (from 0), copied into 'line'. */
static void
ladder_line(const char *text, int n, char *line, size_t cap)
{
    const char *p = text;
    for (int i = 0; i < n; i++) {
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    size_t l = strcspn(p, "\n");
    assert_true(l < cap);
    memcpy(line, p, l);
    line[l] = '\0';
}

static void
synth_log(struct trace_log *log)
{
    trace_log_init(log);
    synth_run(trace_log_observe, log);
}

static void
test_ladder_handshake_rows_and_states(void **state)
{
    (void)state;
    struct trace_log log;
    synth_log(&log);
    char *d = ladder_of(&log, NULL, false);
    char l[512];
    ladder_line(d, 0, l, sizeof l);
    assert_string_equal(l, "                  A 10.0.0.1 |                                                | B 10.0.0.2");
    ladder_line(d, 1, l, sizeof l);
    assert_string_equal(l, "  0.000000                   |                                                | LISTEN           B1 listen 80 = OK");
    ladder_line(d, 3, l, sizeof l);
    assert_string_equal(l, "  0.000000                   |--------- SYN 0 -------.                        |");
    ladder_line(d, 4, l, sizeof l);
    assert_string_equal(l, "  0.050000                   |                       `----------------------->| SYN-RECEIVED");
    ladder_line(d, 5, l, sizeof l);
    assert_string_equal(l, "  0.050000                   |                        .-- SYN,ACK 0 ack 1 ----|");
    ladder_line(d, 6, l, sizeof l);
    assert_string_equal(l, "  0.100000       ESTABLISHED |<-----------------------'                       |");
    ladder_line(d, 12, l, sizeof l);
    assert_string_equal(l, "  1.200000    (rexmit fires) |                                                |");
    free(d);
    trace_log_fini(&log);
}

static void
test_ladder_drop_ends_in_x_midway(void **state)
{
    (void)state;
    struct trace_log log;
    synth_log(&log);
    char *d = ladder_of(&log, NULL, false);
    char l[512];
    /* the label where the segment leaves A, the X on the row of the drop */
    ladder_line(d, 10, l, sizeof l);
    assert_string_equal(l, "  0.200000                   |- PSH,ACK 1:6 ack 1 -.                          |");
    ladder_line(d, 11, l, sizeof l);
    assert_string_equal(l, "  0.200000                   |                     `-X                        |"
                           "                  #4 dropped: loss");
    /* X half-way between the lifelines (column 29 is A's, 78 B's) */
    assert_int_equal(strchr(l, 'X') - l, 29 + 24);
    free(d);
    trace_log_fini(&log);
}

static void
test_ladder_crossing_segments_cross(void **state)
{
    (void)state;
    /* A and B send at once (simultaneous open): the two arrows are in flight together */
    struct trace_log log;
    trace_log_init(&log);
    struct synth s = {trace_log_observe, &log, 0};
    struct tcp_seg a = synth_seg(0, TCP_SYN, 100, 0, NULL), b = synth_seg(1, TCP_SYN, 300, 0, NULL);
    synth_send(&s, 0, 1, a, 0, 1, "A1");
    synth_send(&s, CLK_MSEC(1), 2, b, 1, 2, "B1");
    synth_deliver(&s, CLK_MSEC(50), 1, a, 0, 2, "B1");
    synth_deliver(&s, CLK_MSEC(51), 2, b, 1, 1, "A1");
    char *d = ladder_of(&log, NULL, false);
    char l[512];
    /* A's arrow goes right and down, B's left and down; between the rows of 0.001 and 0.050
       they swap sides: they cross. Each label is on its own arrow's first row. */
    ladder_line(d, 1, l, sizeof l);
    assert_string_equal(l, "  0.000000                   |----- SYN 0 ---.                                |");
    ladder_line(d, 2, l, sizeof l);
    assert_string_equal(l, "  0.001000                   |               `---------------..--- SYN 0 -----|");
    ladder_line(d, 3, l, sizeof l);
    assert_string_equal(l, "  0.050000                   |                .---------------'-------------->|");
    ladder_line(d, 4, l, sizeof l);
    assert_string_equal(l, "  0.051000                   |<---------------'                               |");
    free(d);
    trace_log_fini(&log);
}

static void
test_ladder_unicode_box_drawing(void **state)
{
    (void)state;
    struct trace_log log;
    synth_log(&log);
    struct out_ladder_opts o = OUT_LADDER_OPTS_DEFAULT;
    o.unicode = true;
    char *d = ladder_of(&log, &o, false);
    assert_non_null(strstr(d, "\u2502\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500 SYN 0 \u2500"));
    assert_non_null(strstr(d, "\u2500\u25b6\u2502 SYN-RECEIVED"));
    assert_non_null(strstr(d, "\u2715"));
    assert_null(strstr(d, "-->"));
    free(d);
    trace_log_fini(&log);
}

static void
test_ladder_svg_arrows_drop_and_escaping(void **state)
{
    (void)state;
    struct trace_log log;
    synth_log(&log);
    char *d = ladder_of(&log, NULL, true);
    assert_int_equal(strncmp(d, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44), 0);
    assert_non_null(strstr(d, "</svg>\n"));
    int heads = 0, lines = 0;
    for (const char *p = d; (p = strstr(p, "<line ")); p++)
        lines++;
    for (const char *p = d; (p = strstr(p, "marker-end=\"url(#head)\"")); p++)
        heads++;
    assert_int_equal(lines, 2 + 11); /* two lifelines, eleven segments (the copy included) */
    assert_int_equal(heads, 10);     /* all but the dropped one arrive */
    assert_non_null(strstr(d, "class=\"drop\">X</text>"));
    assert_non_null(strstr(d, "# A says &quot;hello&quot;; the wire loses it"));
    /* the SYN goes from A's lifeline down to B's */
    assert_non_null(strstr(d, "<line x1=\"260.0\" y1=\"126.0\" x2=\"660.0\" y2=\"154.0\""));
    free(d);
    trace_log_fini(&log);
}

static void
test_ladder_svg_by_time_spaces_rows_by_time(void **state)
{
    (void)state;
    struct trace_log log;
    synth_log(&log);
    struct out_ladder_opts o = OUT_LADDER_OPTS_DEFAULT;
    o.svg_by_time = true;
    char *d = ladder_of(&log, &o, true);
    /* the last row (61.41 s) at the bottom; the handshake squeezed at the top */
    assert_non_null(strstr(d, "<text x=\"10.0\" y=\"858.0\" text-anchor=\"start\" class=\"time\">61.410000</text>"));
    assert_non_null(strstr(d, "<text x=\"10.0\" y=\"74.0\" text-anchor=\"start\" class=\"time\">0.000000</text>"));
    assert_null(strstr(d, "y=\"102.0\" text-anchor=\"start\" class=\"time\""));
    if (system("command -v xmllint >/dev/null 2>&1") == 0) {
        FILE *p = popen("xmllint --noout - 2>&1", "w");
        assert_non_null(p);
        fputs(d, p);
        assert_int_equal(pclose(p), 0);
    }
    free(d);
    trace_log_fini(&log);
}

/* ---- the simultaneous close: two FINs, then two ACKs, in flight at once ------------------ */

static void
sc_event(struct synth *s, enum trace_kind k, clk_time t, int host, uint32_t conn, const char *name)
{
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = k;
    ev.t = t;
    ev.host = host;
    ev.conn = conn;
    ev.conn_name = name;
    ev.timer = TCP_TIMER_TIMEWAIT;
    synth_emit(s, ev);
}

static clk_time
us(long n)
{
    return (clk_time)n * 1000;
}

/* A segment's send and its arrival 1 ms later: two events, with others in between. */
#define SC_SEND(s, t, id, g, from, conn, name) synth_segev(s, TRACE_SEND, t, id, g, from, conn, name, t, (t) + us(1000))
#define SC_DELIVER(s, t, id, g, from, conn, name) synth_segev(s, TRACE_DELIVER, t, id, g, from, conn, name, (t) - us(1000), t)

/*
 * scripts/05-simultaneous-close.lua as the engine traces it (RFC 9293 §3.6 Figure 13): ISNs 100
 * and 300, a one-way delay of 1 ms; at 10 ms both ends close, the FINs cross, then the ACKs
 * cross. Packets: #4 A's FIN, #5 B's FIN, #6 B's ACK, #7 A's ACK.
 */
static void
sc_log(struct trace_log *log)
{
    trace_log_init(log);
    struct synth s = {trace_log_observe, log, 0};
    struct tcp_seg g;
    synth_other(&s, TRACE_CALL, 0, 1, 2, "B1", "listen 80");
    synth_state(&s, 0, 1, 2, "B1", TCP_CLOSED, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    synth_other(&s, TRACE_CALL, 0, 0, 1, "A1", "connect 10.0.0.2:80 from port 40000");
    synth_state(&s, 0, 0, 1, "A1", TCP_CLOSED, TCP_SYN_SENT, TCP_RULE_OPEN_ACTIVE);
    g = synth_seg(0, TCP_SYN, 100, 0, NULL);
    SC_SEND(&s, 0, 1, g, 0, 1, "A1");
    SC_DELIVER(&s, us(1000), 1, g, 0, 2, "B1");
    synth_state(&s, us(1000), 1, 3, "B2", TCP_LISTEN, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    g = synth_seg(1, TCP_SYN | TCP_ACK, 300, 101, NULL);
    SC_SEND(&s, us(1000), 2, g, 1, 3, "B2");
    SC_DELIVER(&s, us(2000), 2, g, 1, 1, "A1");
    synth_state(&s, us(2000), 0, 1, "A1", TCP_SYN_SENT, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    g = synth_seg(0, TCP_ACK, 101, 301, NULL);
    SC_SEND(&s, us(2000), 3, g, 0, 1, "A1");
    SC_DELIVER(&s, us(3000), 3, g, 0, 3, "B2");
    synth_state(&s, us(3000), 1, 3, "B2", TCP_SYN_RECEIVED, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);

    synth_other(&s, TRACE_CALL, us(10000), 1, 3, "B2", "accept on port 80");
    synth_other(&s, TRACE_SAY, us(10000), -1, 0, NULL,
                "Both applications close at the same instant: each sends a FIN and enters FIN_WAIT_1.");
    synth_other(&s, TRACE_CALL, us(10000), 0, 1, "A1", "close");
    synth_state(&s, us(10000), 0, 1, "A1", TCP_ESTABLISHED, TCP_FIN_WAIT_1, TCP_RULE_CLOSE_SEND_FIN);
    struct tcp_seg fin_a = synth_seg(0, TCP_FIN | TCP_ACK, 101, 301, NULL);
    SC_SEND(&s, us(10000), 4, fin_a, 0, 1, "A1");
    synth_other(&s, TRACE_CALL, us(10000), 1, 3, "B2", "close");
    synth_state(&s, us(10000), 1, 3, "B2", TCP_ESTABLISHED, TCP_FIN_WAIT_1, TCP_RULE_CLOSE_SEND_FIN);
    struct tcp_seg fin_b = synth_seg(1, TCP_FIN | TCP_ACK, 301, 101, NULL);
    SC_SEND(&s, us(10000), 5, fin_b, 1, 3, "B2");

    SC_DELIVER(&s, us(11000), 4, fin_a, 0, 1, "A1");
    synth_state(&s, us(11000), 1, 3, "B2", TCP_FIN_WAIT_1, TCP_CLOSING, TCP_RULE_FIN_CLOSING);
    struct tcp_seg ack_b = synth_seg(1, TCP_ACK, 302, 102, NULL);
    SC_SEND(&s, us(11000), 6, ack_b, 1, 3, "B2");
    SC_DELIVER(&s, us(11000), 5, fin_b, 1, 3, "B2");
    synth_state(&s, us(11000), 0, 1, "A1", TCP_FIN_WAIT_1, TCP_CLOSING, TCP_RULE_FIN_CLOSING);
    struct tcp_seg ack_a = synth_seg(0, TCP_ACK, 102, 302, NULL);
    SC_SEND(&s, us(11000), 7, ack_a, 0, 1, "A1");
    synth_other(&s, TRACE_SAY, us(11500), -1, 0, NULL,
                "Each FIN arrives while the receiver's own FIN is not yet acknowledged (3.10.7.4, eighth):");
    synth_other(&s, TRACE_SAY, us(11500), -1, 0, NULL,
                "'otherwise, enter the CLOSING state'. Each ACKs the other's FIN.");

    SC_DELIVER(&s, us(12000), 6, ack_b, 1, 3, "B2");
    synth_state(&s, us(12000), 0, 1, "A1", TCP_CLOSING, TCP_TIME_WAIT, TCP_RULE_CLOSING_ACKED);
    SC_DELIVER(&s, us(12000), 7, ack_a, 0, 1, "A1");
    synth_state(&s, us(12000), 1, 3, "B2", TCP_CLOSING, TCP_TIME_WAIT, TCP_RULE_CLOSING_ACKED);
    synth_other(&s, TRACE_SAY, us(12500), -1, 0, NULL,
                "B: LISTEN/OPEN_PASSIVE SYN_RCVD/LISTEN_SYN ESTABLISHED/SYN_RCVD_ACKED FIN_WAIT_1/CLOSE_SEND_FIN "
                "CLOSING/FIN_CLOSING TIME_WAIT/CLOSING_ACKED");
    sc_event(&s, TRACE_TIMER_FIRE, us(60012000), 0, 1, "A1");
    synth_state(&s, us(60012000), 0, 1, "A1", TCP_TIME_WAIT, TCP_CLOSED, TCP_RULE_TIMER_TIME_WAIT);
    sc_event(&s, TRACE_TIMER_FIRE, us(60012000), 1, 3, "B2");
    synth_state(&s, us(60012000), 1, 3, "B2", TCP_TIME_WAIT, TCP_CLOSED, TCP_RULE_TIMER_TIME_WAIT);
}

/* The four segments of the close: label, sender, send and arrival times (as printed). */
static const struct sc_seg {
    const char *label;
    int from;
    const char *sent, *arrived;
} sc_segs[] = {
    {"FIN,ACK 101 ack 301", 0, "0.010000", "0.011000"},
    {"FIN,ACK 301 ack 101", 1, "0.010000", "0.011000"},
    {"ACK 302 ack 102", 1, "0.011000", "0.012000"},
    {"ACK 102 ack 302", 0, "0.011000", "0.012000"},
};

static void
test_ladder_simultaneous_close_each_label_on_its_own_arrow(void **state)
{
    (void)state;
    struct trace_log log;
    sc_log(&log);
    struct out_ladder_opts o = OUT_LADDER_OPTS_DEFAULT;
    o.absolute_seq = true; /* relative, both FINs would read FIN,ACK 1 ack 1 */
    char *d = ladder_of(&log, &o, false);
    char l[1024];
    /* the lifelines: the first and the last '|' of the header */
    ladder_line(d, 0, l, sizeof l);
    size_t la = (size_t)(strchr(l, '|') - l), lb = (size_t)(strrchr(l, '|') - l);
    assert_true(lb > la + 20);
    for (size_t i = 0; i < sizeof sc_segs / sizeof sc_segs[0]; i++) {
        const struct sc_seg *sg = &sc_segs[i];
        /* exactly one row carries the label */
        const char *at = strstr(d, sg->label);
        assert_non_null(at);
        assert_null(strstr(at + 1, sg->label));
        const char *bol = at;
        while (bol > d && bol[-1] != '\n')
            bol--;
        size_t ln = strcspn(bol, "\n");
        assert_true(ln < sizeof l && ln > lb);
        memcpy(l, bol, ln);
        l[ln] = '\0';
        /* the label sits inside a line: a blank, then line on each side; that line, the
           stroke through the label, is the segment's own: it leaves the sender's lifeline on
           the row of the send, or reaches the receiver's lifeline, head first, on the row of
           the arrival */
        const char *lane = l + la + 1;
        size_t w = lb - la - 1, lpos = (size_t)(strstr(lane, sg->label) - lane), llen = strlen(sg->label);
        bool inside = lpos >= 2 && lpos + llen + 2 <= w && lane[lpos - 1] == ' ' && lane[lpos + llen] == ' ' &&
                      lane[lpos - 2] != ' ' && lane[lpos + llen + 1] != ' ';
        size_t first = lpos - 1, last = lpos + llen;
        while (inside && first > 0 && lane[first - 1] != ' ')
            first--;
        while (inside && last + 1 < w && lane[last + 1] != ' ')
            last++;
        for (size_t c = first; c <= last && inside; c++)
            if (c + 1 < lpos || c > lpos + llen)
                inside = strchr("-.'`<>", lane[c]) != NULL;
        if (!inside)
            fail_msg("label %s: row \"%s\": the label is not inside a line", sg->label, l);
        bool right = sg->from == 0;
        bool leaves = right ? first == 0 && lane[0] == '-' : last == w - 1 && lane[w - 1] == '-';
        bool arrives = right ? last == w - 1 && lane[w - 1] == '>' : first == 0 && lane[0] == '<';
        if (!leaves && !arrives)
            fail_msg("label %s: row \"%s\" is not on its arrow's start or end", sg->label, l);
        assert_non_null(strstr(l, leaves ? sg->sent : sg->arrived));
    }
    free(d);
    trace_log_fini(&log);
}

/* A crowd: ten segments in flight at once from both sides (A's data, B's ACKs), arriving in
   the reverse order; every label must still be whole, on its own arrow. */
static void
test_ladder_crowd_every_label_whole(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    struct synth s = {trace_log_observe, &log, 0};
    struct tcp_seg g[10];
    char labels[10][64];
    for (int i = 0; i < 10; i++) {
        int from = i % 3 == 1;
        uint32_t n = 3706952696u + 1000u * (uint32_t)i;
        g[i] = from ? synth_seg(1, TCP_ACK, 2699450536u, n, NULL) : synth_seg(0, TCP_ACK, n, 2699450536u, "0123456789");
        if (from)
            snprintf(labels[i], sizeof labels[i], " ACK 2699450536 ack %u ", (unsigned)n);
        else
            snprintf(labels[i], sizeof labels[i], " ACK %u:%u ack 2699450536 ", (unsigned)n, (unsigned)(n + 10));
        synth_send(&s, CLK_MSEC(i), (uint64_t)i + 1, g[i], from, (uint32_t)from + 1, from ? "B1" : "A1");
    }
    for (int i = 9; i >= 0; i--) {
        int from = i % 3 == 1;
        synth_deliver(&s, CLK_MSEC(60 - i), (uint64_t)i + 1, g[i], from, (uint32_t)(2 - from), from ? "A1" : "B1");
    }
    struct out_ladder_opts o = OUT_LADDER_OPTS_DEFAULT;
    o.absolute_seq = true;
    char *d = ladder_of(&log, &o, false);
    for (int i = 0; i < 10; i++) {
        const char *at = strstr(d, labels[i]);
        if (!at)
            fail_msg("label%sis not whole in\n%s", labels[i], d);
        assert_null(strstr(at + 1, labels[i]));
    }
    free(d);
    trace_log_fini(&log);
}

/* ---- a small reader of the SVG we write: its <text> and <line> elements ------------------ */

struct svg_text {
    double x0, x1, y0, y1; /* its box, estimated: monospace, 0.6 em a character */
    char cls[16];
    char s[256];
};

struct svg_line {
    double x1, y1, x2, y2;
};

struct svg_doc {
    double width, height;
    struct svg_text text[256];
    size_t ntext;
    struct svg_line line[128];
    size_t nline;
};

static double
svg_attr(const char *tag, const char *name)
{
    char key[32];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *end = strchr(tag, '>'), *p = strstr(tag, key);
    if (!p || p > end)
        return -1e9;
    return strtod(p + strlen(key), NULL);
}

static void
svg_attr_str(const char *tag, const char *name, char *buf, size_t cap)
{
    char key[32];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *end = strchr(tag, '>'), *p = strstr(tag, key);
    buf[0] = '\0';
    if (!p || p > end)
        return;
    p += strlen(key);
    size_t n = strcspn(p, "\"");
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
}

static void
svg_parse(const char *d, struct svg_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    const char *svg = strstr(d, "<svg ");
    assert_non_null(svg);
    doc->width = svg_attr(svg, "width");
    doc->height = svg_attr(svg, "height");
    for (const char *p = d; (p = strstr(p, "<line ")); p++) {
        assert_true(doc->nline < sizeof doc->line / sizeof doc->line[0]);
        struct svg_line *ln = &doc->line[doc->nline++];
        ln->x1 = svg_attr(p, "x1");
        ln->y1 = svg_attr(p, "y1");
        ln->x2 = svg_attr(p, "x2");
        ln->y2 = svg_attr(p, "y2");
    }
    for (const char *p = d; (p = strstr(p, "<text ")); p++) {
        assert_true(doc->ntext < sizeof doc->text / sizeof doc->text[0]);
        struct svg_text *t = &doc->text[doc->ntext++];
        char anchor[16];
        svg_attr_str(p, "class", t->cls, sizeof t->cls);
        svg_attr_str(p, "text-anchor", anchor, sizeof anchor);
        const char *q = strchr(p, '>') + 1, *e = strstr(q, "</text>");
        assert_non_null(e);
        size_t n = 0, chars = 0;
        for (; q < e && n + 1 < sizeof t->s; chars++) {
            static const struct { const char *ent; char c; } ents[] = {
                {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}};
            bool ent = false;
            for (size_t k = 0; k < 4 && !ent; k++)
                if (strncmp(q, ents[k].ent, strlen(ents[k].ent)) == 0) {
                    t->s[n++] = ents[k].c;
                    q += strlen(ents[k].ent);
                    ent = true;
                }
            if (!ent) {
                t->s[n++] = *q;
                /* a UTF-8 character is one glyph */
                for (q++; q < e && ((unsigned char)*q & 0xc0) == 0x80; q++)
                    t->s[n++] = *q;
            }
        }
        t->s[n] = '\0';
        double fs = strcmp(t->cls, "host") == 0 ? 16 : strcmp(t->cls, "drop") == 0 ? 18 : 13;
        double w = 0.6 * fs * (double)chars, x = svg_attr(p, "x"), y = svg_attr(p, "y");
        t->x0 = strcmp(anchor, "end") == 0 ? x - w : strcmp(anchor, "middle") == 0 ? x - w / 2 : x;
        t->x1 = t->x0 + w;
        t->y0 = y - 0.8 * fs;
        t->y1 = y + 0.25 * fs;
    }
}

/* The distance from the segment 'ln' to the box of 't' (0 when they touch). */
static double
svg_dist(const struct svg_line *ln, const struct svg_text *t)
{
    double best = 1e9;
    for (int i = 0; i <= 1000; i++) {
        double x = ln->x1 + (ln->x2 - ln->x1) * i / 1000.0, y = ln->y1 + (ln->y2 - ln->y1) * i / 1000.0;
        double dx = x < t->x0 ? t->x0 - x : x > t->x1 ? x - t->x1 : 0;
        double dy = y < t->y0 ? t->y0 - y : y > t->y1 ? y - t->y1 : 0;
        double dd = dx * dx + dy * dy;
        if (dd < best)
            best = dd;
    }
    return best;
}

static void
test_ladder_svg_simultaneous_close_labels_beside_their_own_arrows(void **state)
{
    (void)state;
    struct trace_log log;
    sc_log(&log);
    struct out_ladder_opts o = OUT_LADDER_OPTS_DEFAULT;
    o.absolute_seq = true;
    char *d = ladder_of(&log, &o, true);
    static struct svg_doc doc;
    svg_parse(d, &doc);
    /* the lifelines are the vertical lines, A's on the left */
    double xa = 1e9, xb = -1e9;
    for (size_t i = 0; i < doc.nline; i++)
        if (doc.line[i].x1 == doc.line[i].x2) {
            xa = doc.line[i].x1 < xa ? doc.line[i].x1 : xa;
            xb = doc.line[i].x1 > xb ? doc.line[i].x1 : xb;
        }
    assert_true(xb > xa);
    for (size_t i = 0; i < sizeof sc_segs / sizeof sc_segs[0]; i++) {
        const struct sc_seg *sg = &sc_segs[i];
        const struct svg_text *lab = NULL;
        for (size_t k = 0; k < doc.ntext; k++)
            if (strcmp(doc.text[k].s, sg->label) == 0) {
                assert_null(lab);
                lab = &doc.text[k];
            }
        assert_non_null(lab);
        assert_string_equal(lab->cls, "label");
        /* the line nearest the label is the segment's own: it leaves the sender's lifeline at
           the height of a row of the send time (the rows' times are the class "time" texts) */
        const struct svg_line *near = NULL;
        double dmin = 1e18;
        for (size_t k = 0; k < doc.nline; k++) {
            const struct svg_line *ln = &doc.line[k];
            if (ln->x1 == ln->x2)
                continue;
            double dd = svg_dist(ln, lab);
            if (dd < dmin) {
                dmin = dd;
                near = ln;
            }
        }
        assert_non_null(near);
        if (near->x1 != (sg->from == 0 ? xa : xb))
            fail_msg("label %s is nearest an arrow from the other side", sg->label);
        bool sent_then = false;
        for (size_t k = 0; k < doc.ntext; k++)
            if (strcmp(doc.text[k].cls, "time") == 0 && strcmp(doc.text[k].s, sg->sent) == 0 &&
                near->y1 > doc.text[k].y0 - 8 && near->y1 < doc.text[k].y1 + 8)
                sent_then = true;
        if (!sent_then)
            fail_msg("label %s is nearest an arrow sent at another time", sg->label);
        /* close to it: a reader's eye goes from the label to its line */
        assert_true(dmin < 12.0 * 12.0);
    }
    /* no label lies on a line (a lifeline or an arrow) */
    for (size_t k = 0; k < doc.ntext; k++) {
        if (strcmp(doc.text[k].cls, "label") != 0)
            continue;
        for (size_t i = 0; i < doc.nline; i++)
            if (svg_dist(&doc.line[i], &doc.text[k]) == 0)
                fail_msg("label %s lies on the line (%.1f,%.1f)-(%.1f,%.1f)", doc.text[k].s, doc.line[i].x1,
                         doc.line[i].y1, doc.line[i].x2, doc.line[i].y2);
    }
    /* every text within the picture, and no two texts on top of each other */
    for (size_t k = 0; k < doc.ntext; k++) {
        const struct svg_text *t = &doc.text[k];
        if (t->x0 < 0 || t->x1 > doc.width || t->y0 < 0 || t->y1 > doc.height)
            fail_msg("text \"%s\" (x %.0f..%.0f) is cut at the edge of the %.0f px wide picture", t->s, t->x0,
                     t->x1, doc.width);
        for (size_t j = 0; j < k; j++) {
            const struct svg_text *u = &doc.text[j];
            if (t->x0 < u->x1 && u->x0 < t->x1 && t->y0 < u->y1 && u->y0 < t->y1)
                fail_msg("texts \"%s\" and \"%s\" overlap", t->s, u->s);
        }
    }
    free(d);
    trace_log_fini(&log);
}

/* A diagram drawn from a run as it went: 'svg' or the text. */
static char *
ladder_finish_of(struct out_ladder *d, bool svg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(svg ? out_ladder_finish_svg(d, f) : out_ladder_finish(d, f), 0);
    fclose(f);
    return buf;
}

static char *
ladder_log_of(const struct trace_log *log, const struct out_ladder_opts *o, bool svg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(svg ? out_ladder_svg(f, log, o) : out_ladder(f, log, o), 0);
    fclose(f);
    return buf;
}

/*
 * Every bundled scenario: the ladders drawn as the run went (tcpsim run --ladder,
 * --ladder-svg) are the ones drawn from the whole log afterwards (the REPL's ladder and save),
 * byte for byte: the text wide and compact, the SVG by event and by time. A run of more than
 * LADDER_CMP_MAX events (43-c10k's ten thousand connections) is left out: four ladders of it
 * twice take minutes under the sanitizers.
 */
#define LADDER_CMP_MAX 50000
static void
test_ladder_streamed_equals_log_drawn_every_scenario(void **state)
{
    (void)state;
    enum { N = 4 };
    struct out_ladder_opts o[N] = {OUT_LADDER_OPTS_DEFAULT, OUT_LADDER_OPTS_DEFAULT, OUT_LADDER_OPTS_DEFAULT,
                                   OUT_LADDER_OPTS_DEFAULT};
    const bool svg[N] = {false, false, true, true};
    o[0].absolute_seq = true;
    o[1].columns = 60;
    o[1].unicode = true;
    o[3].svg_by_time = true;
    glob_t gl;
    assert_int_equal(glob("scripts/*.lua", 0, NULL, &gl), 0);
    assert_true(gl.gl_pathc >= 40);
    for (size_t i = 0; i < gl.gl_pathc; i++) {
        struct lsim_opts lo = LSIM_OPTS_DEFAULT;
        struct lsim *l = lsim_new(&lo);
        struct out_ladder *d[N];
        assert_non_null(l);
        lsim_trace_window(l, 0);
        for (int k = 0; k < N; k++) {
            assert_non_null(d[k] = out_ladder_new(&o[k]));
            world_observe(lsim_world(l), out_ladder_observe, d[k]);
        }
        assert_int_equal(lsim_load(l, gl.gl_pathv[i]), 0);
        enum lsim_status st;
        while ((st = lsim_resume(l, LSIM_FOREVER)) == LSIM_PAUSED || st == LSIM_RUNNING)
            ;
        for (int k = 0; k < N; k++) {
            world_unobserve(lsim_world(l), out_ladder_observe, d[k]);
            if (lsim_log(l)->len > LADDER_CMP_MAX) {
                out_ladder_free(d[k]);
                continue;
            }
            char *live = ladder_finish_of(d[k], svg[k]), *drawn = ladder_log_of(lsim_log(l), &o[k], svg[k]);
            if (strcmp(live, drawn) != 0)
                fail_msg("%s: ladder %d drawn live differs from the log's", gl.gl_pathv[i], k);
            free(live);
            free(drawn);
            out_ladder_free(d[k]);
        }
        lsim_free(l);
    }
    globfree(&gl);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ladder_handshake_rows_and_states),
        cmocka_unit_test(test_ladder_drop_ends_in_x_midway),
        cmocka_unit_test(test_ladder_crossing_segments_cross),
        cmocka_unit_test(test_ladder_unicode_box_drawing),
        cmocka_unit_test(test_ladder_svg_arrows_drop_and_escaping),
        cmocka_unit_test(test_ladder_svg_by_time_spaces_rows_by_time),
        cmocka_unit_test(test_ladder_simultaneous_close_each_label_on_its_own_arrow),
        cmocka_unit_test(test_ladder_crowd_every_label_whole),
        cmocka_unit_test(test_ladder_svg_simultaneous_close_labels_beside_their_own_arrows),
        cmocka_unit_test(test_ladder_streamed_equals_log_drawn_every_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
