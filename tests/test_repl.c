/*
 * test_repl.c - the REPL driven through its streams: commands in, what a person would see out.
 *
 * Each test runs a session on a memory stream of commands and checks the printed text (what
 * must be there and what must not), or the world the session left behind. `back` is checked
 * the strict way: the event log after going back equals, event for event, the log seen at
 * that point before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/repl.h"
#include "tcpsim/world.h"

struct session {
    struct repl *r;
    FILE *out;
    char *mem;
    size_t len;
};

static void
session_open(struct session *s)
{
    struct repl_opts o;
    memset(s, 0, sizeof *s);
    s->out = open_memstream(&s->mem, &s->len);
    assert_non_null(s->out);
    repl_opts_default(&o, stdin, s->out);
    s->r = repl_new(&o);
    assert_non_null(s->r);
}

/* Run 'lines' (newline separated); returns what was printed, valid until the next call. */
static const char *
session_run(struct session *s, const char *lines)
{
    char *copy = strdup(lines), *save = NULL;
    rewind(s->out);
    fflush(s->out);
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        repl_exec(s->r, l);
    free(copy);
    fputc('\0', s->out);
    fflush(s->out);
    return s->mem;
}

static void
session_close(struct session *s)
{
    repl_free(s->r);
    fclose(s->out);
    free(s->mem);
}

static const char handshake[] = "B listen 80\nA connect B 80\n";

static void
test_closed_connect_step_prints_syn_arrival(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    const char *out = session_run(&s, handshake);
    assert_non_null(strstr(out, "A1 CLOSED -> SYN-SENT"));
    assert_null(strstr(out, "arrives")); /* nothing arrives before a step */
    out = session_run(&s, "step");
    assert_non_null(strstr(out, "#1 arrives"));
    assert_non_null(strstr(out, "B2 LISTEN -> SYN-RECEIVED"));
    assert_null(strstr(out, "#2 arrives")); /* exactly one event */
    assert_int_equal(repl_world(s.r)->steps, 1);
    session_close(&s);
}

static void
test_syn_sent_next_stops_at_established(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    session_run(&s, handshake);
    const char *out = session_run(&s, "next\nnext");
    assert_non_null(strstr(out, "A1 SYN-SENT -> ESTABLISHED"));
    assert_null(strstr(out, "B2 SYN-RECEIVED -> ESTABLISHED"));
    out = session_run(&s, "status");
    assert_non_null(strstr(out, "A1   tcp        0      0 10.0.0.1:32768       10.0.0.2:80          ESTABLISHED"));
    assert_non_null(strstr(out, "B2   tcp        0      0 10.0.0.2:80          10.0.0.1:32768       SYN_RCVD"));
    session_close(&s);
}

static void
test_any_unknown_command_prints_one_error_and_goes_on(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    const char *out = session_run(&s, "frobnicate");
    assert_string_equal(out, "error: unknown command \"frobnicate\" (help lists them)\n");
    out = session_run(&s, "st");
    assert_string_equal(out, "error: \"st\" is ambiguous: step status\n");
    out = session_run(&s, "close Z9");
    assert_string_equal(out, "error: no socket \"Z9\" (status lists them)\n");
    out = session_run(&s, "stat");  /* a unique prefix */
    assert_non_null(strstr(out, "Sock Proto Recv-Q Send-Q"));
    session_close(&s);
}

static void
test_established_back_rebuilds_identical_log(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    session_run(&s, handshake);
    session_run(&s, "step 2\nsend A1 hello\nstep");
    /* snapshot of the log at this point */
    const struct trace_log *log = repl_log(s.r);
    size_t n = log->len;
    struct trace_event *snap = malloc(n * sizeof *snap);
    memcpy(snap, log->ev, n * sizeof *snap);
    clk_time now = world_now(repl_world(s.r));
    session_run(&s, "step 3\nclose A1\nstep 2\ndrop 99\nB listen 81");
    assert_true(repl_log(s.r)->len > n);
    const char *out = session_run(&s, "back 6"); /* 2 steps (then idle), close, 2 steps, listen; not the failed drop */
    assert_non_null(strstr(out, "-- back at"));
    log = repl_log(s.r);
    assert_int_equal(log->len, n);
    assert_int_equal(world_now(repl_world(s.r)), now);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(log->ev[i].kind, snap[i].kind);
        assert_int_equal(log->ev[i].t, snap[i].t);
        assert_int_equal(log->ev[i].seg.seq, snap[i].seg.seq);
        assert_int_equal(log->ev[i].seg.ack, snap[i].seg.ack);
        assert_int_equal(log->ev[i].to_state, snap[i].to_state);
        assert_int_equal(log->ev[i].pkt_id, snap[i].pkt_id);
    }
    free(snap);
    session_close(&s);
}

/* The log of 'r' has the first 'n' events of 'snap', field for field that matters. */
static void
assert_log_equal(const struct trace_log *log, const struct trace_event *snap, size_t n)
{
    assert_int_equal(log->len, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(log->ev[i].kind, snap[i].kind);
        assert_int_equal(log->ev[i].t, snap[i].t);
        assert_int_equal(log->ev[i].conn, snap[i].conn);
        assert_int_equal(log->ev[i].seg.seq, snap[i].seg.seq);
        assert_int_equal(log->ev[i].seg.flags, snap[i].seg.flags);
        assert_int_equal(log->ev[i].to_state, snap[i].to_state);
    }
}

static void
test_scenario_back_after_pause_rebuilds_identical_log(void **state)
{
    struct repl_opts o;
    char *mem = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&mem, &len);
    (void)state;
    repl_opts_default(&o, stdin, out);
    o.scenario = "tests/repl/scenario.lua";
    struct repl *r = repl_new(&o);
    assert_non_null(r);
    repl_exec(r, "run");
    fflush(out);
    assert_non_null(strstr(mem, "-- paused at 0.010000: the handshake is done"));
    const struct trace_log *log = repl_log(r);
    size_t n = log->len;
    struct trace_event *snap = malloc(n * sizeof *snap);
    memcpy(snap, log->ev, n * sizeof *snap);
    repl_exec(r, "step 4");
    repl_exec(r, "lua c:close()");
    assert_true(repl_log(r)->len > n);
    repl_exec(r, "back 5");
    assert_log_equal(repl_log(r), snap, n);
    free(snap);
    repl_free(r);
    fclose(out);
    free(mem);
}

static void
test_established_break_time_wait_stops_there(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    session_run(&s, handshake);
    session_run(&s, "run\naccept B1");
    const char *out = session_run(&s, "break A1 TIME_WAIT\nclose A1\nclose B2\ncontinue");
    assert_non_null(strstr(out, "breakpoint 1: stop when A1 enters TIME-WAIT"));
    assert_non_null(strstr(out, "-- breakpoint 1 at"));
    assert_null(strstr(out, "2msl fires")); /* it stopped before 2MSL passed */
    struct tcp_conn *a1 = world_conn_by_name(repl_world(s.r), "A1");
    assert_int_equal(a1->state, TCP_TIME_WAIT);
    out = session_run(&s, "info break");
    assert_non_null(strstr(out, "1       1  A1 enters TIME-WAIT"));
    out = session_run(&s, "advance 61s");
    assert_non_null(strstr(out, "A1 TIME-WAIT -> CLOSED"));
    session_close(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_connect_step_prints_syn_arrival),
        cmocka_unit_test(test_syn_sent_next_stops_at_established),
        cmocka_unit_test(test_any_unknown_command_prints_one_error_and_goes_on),
        cmocka_unit_test(test_established_back_rebuilds_identical_log),
        cmocka_unit_test(test_scenario_back_after_pause_rebuilds_identical_log),
        cmocka_unit_test(test_established_break_time_wait_stops_there),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
