/*
 * test_out_dot.c - the state diagram (out_dot.c) and its edge table, and coverage
 * (out_coverage.c), which counts against the same table.
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
dot_of(const struct trace_log *log, uint32_t conn)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(out_dot(f, log, conn), 0);
    fclose(f);
    return buf;
}

static void
synth_log(struct trace_log *log)
{
    trace_log_init(log);
    synth_run(trace_log_observe, log);
}

static void
test_dot_table_matches_engine_edges(void **state)
{
    (void)state;
    /* one notion of "an edge of the diagram": the table and tcp_state_edge_ok() agree */
    for (int a = 0; a < TCP_STATE_COUNT; a++)
        for (int b = 0; b < TCP_STATE_COUNT; b++)
            assert_int_equal(tcp_edge_find((enum tcp_state)a, (enum tcp_state)b) >= 0,
                             tcp_state_edge_ok((enum tcp_state)a, (enum tcp_state)b));
    assert_int_equal(tcp_nedges, 28);
    for (size_t i = 0; i < tcp_nedges; i++)
        assert_int_equal(tcp_edge_find(tcp_edges[i].from, tcp_edges[i].to), (int)i); /* no pair twice */
}

static void
test_dot_socket_path_highlighted_and_numbered(void **state)
{
    (void)state;
    struct trace_log log;
    synth_log(&log);
    char *d = dot_of(&log, 1); /* A1 */
    assert_non_null(strstr(d, "    SYN_SENT -> ESTABLISHED [label=\"rcv SYN,ACK\\nsnd ACK\\n[2]\", "
                              "color=\"#d62728\", fontcolor=\"#d62728\", penwidth=2.5];\n"));
    assert_non_null(strstr(d, "    CLOSED -> SYN_SENT [label=\"active OPEN\\ncreate TCB, snd SYN\\n[1]\""));
    assert_non_null(strstr(d, "    TIME_WAIT -> CLOSED [label=\"Timeout=2MSL\\ndelete TCB\\n[6]\""));
    /* B's path is not A1's */
    assert_non_null(strstr(d, "    LISTEN -> SYN_RCVD [label=\"rcv SYN\\nsnd SYN,ACK\", color=gray55"));
    assert_non_null(strstr(d, "    CLOSED [label=\"CLOSED\\n(now: A1)\", style=\"rounded,filled,bold\""));
    assert_non_null(strstr(d, "    FIN_WAIT_2 [label=\"FIN-WAIT-2\", style=\"rounded,filled\""));
    assert_non_null(strstr(d, "    LAST_ACK [label=\"LAST-ACK\"];"));
    assert_null(strstr(d, "NOT IN THE DIAGRAM"));
    free(d);
    trace_log_fini(&log);
}

static void
test_dot_all_sockets_numbered_per_socket(void **state)
{
    (void)state;
    struct trace_log log;
    synth_log(&log);
    char *d = dot_of(&log, 0);
    assert_non_null(strstr(d, "CLOSED -> LISTEN [label=\"passive OPEN\\ncreate TCB\\n[B1:1]\""));
    assert_non_null(strstr(d, "LISTEN -> SYN_RCVD [label=\"rcv SYN\\nsnd SYN,ACK\\n[B2:1]\""));
    assert_non_null(strstr(d, "LAST_ACK -> CLOSED [label=\"rcv ACK of FIN\\n[B2:5]\""));
    assert_non_null(strstr(d, "(now: A1, B2)"));
    assert_non_null(strstr(d, "LISTEN [label=\"LISTEN\\n(now: B1)\""));
    free(d);
    trace_log_fini(&log);
}

static void
test_dot_transition_outside_diagram_drawn_dashed(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    struct synth s = {trace_log_observe, &log, 0};
    synth_state(&s, 0, 0, 1, "A1", TCP_ESTABLISHED, TCP_LISTEN, TCP_RULE_NONE);
    char *d = dot_of(&log, 1);
    assert_non_null(strstr(d, "ESTABLISHED -> LISTEN [label=\"NOT IN THE DIAGRAM\\n[1]\""));
    assert_non_null(strstr(d, "style=dashed];\n}"));
    free(d);
    trace_log_fini(&log);
}

static void
test_dot_graphviz_accepts_output(void **state)
{
    (void)state;
    if (system("command -v dot >/dev/null 2>&1") != 0)
        skip();
    struct trace_log log;
    synth_log(&log);
    FILE *p = popen("dot -Tsvg -o /dev/null", "w");
    assert_non_null(p);
    assert_int_equal(out_dot(p, &log, 0), 0);
    assert_int_equal(pclose(p), 0);
    trace_log_fini(&log);
}

static char *
dot_finish_of(struct out_dot *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(out_dot_finish(d, f), 0);
    fclose(f);
    return buf;
}

/* tcpsim run --dot draws as the run goes: the socket may be freed (its name with it) long
   before the diagram is written. */
static void
test_dot_observer_socket_gone_still_named(void **state)
{
    (void)state;
    struct out_dot *d = out_dot_new(0);
    assert_non_null(d);
    char name[16] = "A1";
    struct synth s = {out_dot_observe, d, 0};
    synth_state(&s, 0, 0, 1, name, TCP_CLOSED, TCP_SYN_SENT, TCP_RULE_OPEN_ACTIVE);
    synth_state(&s, 0, 0, 1, name, TCP_SYN_SENT, TCP_CLOSED, TCP_RULE_NONE);
    memcpy(name, "zz", 3); /* the socket's memory, reused */
    char *g = dot_finish_of(d);
    assert_non_null(strstr(g, "CLOSED [label=\"CLOSED\\n(now: A1)\""));
    assert_non_null(strstr(g, "CLOSED -> SYN_SENT [label=\"active OPEN\\ncreate TCB, snd SYN\\n[A1:1]\""));
    assert_null(strstr(g, "zz"));
    free(g);
    out_dot_free(d);
}

/* Every bundled scenario: the diagram drawn as the run went is the one drawn from the whole
   log afterwards (the REPL's `diagram`), byte for byte, for every socket and for one. */
static void
test_dot_streamed_equals_log_drawn_every_scenario(void **state)
{
    (void)state;
    glob_t gl;
    assert_int_equal(glob("scripts/*.lua", 0, NULL, &gl), 0);
    assert_true(gl.gl_pathc >= 40);
    for (size_t i = 0; i < gl.gl_pathc; i++) {
        struct lsim_opts lo = LSIM_OPTS_DEFAULT;
        struct lsim *l = lsim_new(&lo);
        assert_non_null(l);
        lsim_trace_window(l, 0);
        struct out_dot *all = out_dot_new(0), *one = out_dot_new(1);
        assert_non_null(all);
        assert_non_null(one);
        world_observe(lsim_world(l), out_dot_observe, all);
        world_observe(lsim_world(l), out_dot_observe, one);
        assert_int_equal(lsim_load(l, gl.gl_pathv[i]), 0);
        enum lsim_status st;
        while ((st = lsim_resume(l, LSIM_FOREVER)) == LSIM_PAUSED || st == LSIM_RUNNING)
            ;
        world_unobserve(lsim_world(l), out_dot_observe, all);
        world_unobserve(lsim_world(l), out_dot_observe, one);
        char *live = dot_finish_of(all), *drawn = dot_of(lsim_log(l), 0);
        if (strcmp(live, drawn) != 0)
            fail_msg("%s: --dot drawn live differs from the log's", gl.gl_pathv[i]);
        free(live);
        free(drawn);
        live = dot_finish_of(one);
        drawn = dot_of(lsim_log(l), 1);
        if (strcmp(live, drawn) != 0)
            fail_msg("%s: socket 1's diagram drawn live differs from the log's", gl.gl_pathv[i]);
        free(live);
        free(drawn);
        out_dot_free(all);
        out_dot_free(one);
        lsim_free(l);
    }
    globfree(&gl);
}

static char *
coverage_report(const struct out_coverage *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    out_coverage_report(f, c);
    fclose(f);
    return buf;
}

static void
test_coverage_handshake_close_edges_and_rules(void **state)
{
    (void)state;
    struct trace_log log;
    synth_log(&log);
    struct out_coverage c;
    out_coverage_init(&c);
    out_coverage_add(&c, &log);
    assert_int_equal(c.edge[TCP_CLOSED][TCP_SYN_SENT], 1);
    assert_int_equal(c.edge[TCP_LISTEN][TCP_SYN_SENT], 0);
    assert_int_equal(c.rule[TCP_RULE_LISTEN_SYN], 1);
    char *r = coverage_report(&c);
    assert_non_null(strstr(r, "Coverage over 1 run\n"));
    assert_non_null(strstr(r, "State diagram edges (RFC 9293 3.3.2): 12 of 28 covered (43%)\n"));
    const char *nc = strstr(r, "  NOT covered:\n");
    assert_non_null(nc);
    const char *hit = strstr(r, "[x] CLOSED -> SYN-SENT");
    const char *miss = strstr(r, "[ ] LISTEN -> SYN-SENT");
    assert_true(hit && hit < nc);
    assert_true(miss && miss > nc);
    assert_non_null(strstr(r, "Rules (RFC 9293 3.10 and companions): 12 of "));
    assert_non_null(strstr(r, "[x] LISTEN_SYN               RFC 9293 3.10.7.2"));
    assert_non_null(strstr(r, "[ ] RST_CHALLENGE            RFC 5961 3.2"));
    free(r);
    trace_log_fini(&log);
}

static void
test_coverage_two_runs_accumulate_and_rule_events_count(void **state)
{
    (void)state;
    struct trace_log log;
    synth_log(&log);
    struct out_coverage c;
    out_coverage_init(&c);
    out_coverage_add(&c, &log);
    out_coverage_add(&c, &log);
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TRACE_RULE;
    ev.rule = TCP_RULE_RST_CHALLENGE;
    out_coverage_observe(&ev, &c);
    assert_int_equal(c.runs, 2);
    assert_int_equal(c.edge[TCP_TIME_WAIT][TCP_CLOSED], 2);
    assert_int_equal(c.rule[TCP_RULE_RST_CHALLENGE], 1);
    char *r = coverage_report(&c);
    assert_non_null(strstr(r, "Coverage over 2 runs\n"));
    assert_non_null(strstr(r, "[x] RST_CHALLENGE"));
    assert_non_null(strstr(r, "TIME-WAIT -> CLOSED"));
    free(r);
    trace_log_fini(&log);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot_table_matches_engine_edges),
        cmocka_unit_test(test_dot_socket_path_highlighted_and_numbered),
        cmocka_unit_test(test_dot_all_sockets_numbered_per_socket),
        cmocka_unit_test(test_dot_transition_outside_diagram_drawn_dashed),
        cmocka_unit_test(test_dot_graphviz_accepts_output),
        cmocka_unit_test(test_dot_observer_socket_gone_still_named),
        cmocka_unit_test(test_dot_streamed_equals_log_drawn_every_scenario),
        cmocka_unit_test(test_coverage_handshake_close_edges_and_rules),
        cmocka_unit_test(test_coverage_two_runs_accumulate_and_rule_events_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
