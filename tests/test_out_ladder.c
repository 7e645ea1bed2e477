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

#include "tcpsim/out.h"
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
    ladder_line(d, 11, l, sizeof l);
    assert_string_equal(l, "  0.200000                   |           `-----------X                        |"
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
       they swap sides: they cross */
    ladder_line(d, 1, l, sizeof l);
    assert_string_equal(l, "  0.000000                   |---------------.                                |");
    ladder_line(d, 2, l, sizeof l);
    assert_string_equal(l, "  0.001000                   |               `----- SYN 0 ---..---------------|");
    ladder_line(d, 3, l, sizeof l);
    assert_string_equal(l, "  0.050000                   |                .--- SYN 0 -----'-------------->|");
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
