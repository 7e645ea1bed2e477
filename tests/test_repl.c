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
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpsim/repl.h"
#include "tcpsim/world.h"
#include "repl_fx.h"

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
    size_t n;
    struct trace_event *snap = log_snapshot(s.r, &n);
    clk_time now = world_now(repl_world(s.r));
    session_run(&s, "step 3\nclose A1\nstep 2\ndrop 99\nB listen 81");
    assert_true(repl_log(s.r)->len > n);
    const char *out = session_run(&s, "back 6"); /* 2 steps (then idle), close, 2 steps, listen; not the failed drop */
    assert_non_null(strstr(out, "-- back at"));
    assert_log_equal(repl_log(s.r), snap, n);
    assert_int_equal(world_now(repl_world(s.r)), now);
    free(snap);
    session_close(&s);
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
    size_t n;
    struct trace_event *snap = log_snapshot(r, &n);
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

/* ---- issue 14: wrong answers, arguments, messages, Ctrl-C ---------------------------------- */

/* How many times 'needle' occurs in 'hay'. */
static int
count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void
test_closed_connect_self_refused_nothing_sent(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    session_run(&s, "B listen 80");
    const char *out = session_run(&s, "A connect A 80");
    /* the Lua API refuses a self-connect; the REPL used to send the SYN to B, whose listener
       accepted a SYN addressed to 10.0.0.1 */
    assert_non_null(strstr(out, "error: connect: A cannot connect to itself here"));
    assert_null(world_conn_by_name(repl_world(s.r), "A1"));
    out = session_run(&s, "step");
    assert_null(strstr(out, "arrives"));
    assert_int_equal(repl_world(s.r)->nconns, 1); /* B1 only */
    session_close(&s);
}

/* A session on scenario 'path', printing into a memory stream. */
static struct repl *
scenario_open(const char *path, FILE **out, char **mem, size_t *len)
{
    struct repl_opts o;
    *mem = NULL;
    *len = 0;
    *out = open_memstream(mem, len);
    assert_non_null(*out);
    repl_opts_default(&o, stdin, *out);
    o.scenario = path;
    struct repl *r = repl_new(&o);
    assert_non_null(r);
    return r;
}

static void
test_time_wait_scenario_time_stops_exact_inside_sim_run(void **state)
{
    FILE *out, *out2;
    char *mem, *mem2;
    size_t len, len2;
    (void)state;
    /* the scenario's own sim:run(61) starts at 0.01 and its next event is 2MSL at 60.012 */
    struct repl *r = scenario_open("tests/repl/timestop.lua", &out, &mem, &len);
    struct world *w = repl_world(r);
    repl_exec(r, "run 0.5");
    assert_int_equal(world_now(repl_world(r)), CLK_MSEC(500));
    repl_exec(r, "until 0.75");
    assert_int_equal(world_now(repl_world(r)), CLK_MSEC(750));
    repl_exec(r, "advance 0.25");
    assert_int_equal(world_now(repl_world(r)), CLK_SEC(1));
    repl_exec(r, "break at 1.5");
    repl_exec(r, "continue");
    assert_int_equal(world_now(repl_world(r)), CLK_MSEC(1500));
    repl_exec(r, "delete");
    repl_exec(r, "run 30");
    assert_int_equal(world_now(repl_world(r)), CLK_MSEC(31500));
    repl_exec(r, "back 1"); /* the held step is replayed to the same instant */
    assert_int_equal(world_now(repl_world(r)), CLK_MSEC(1500));
    (void)w;
    struct tcp_conn *a1 = world_conn_by_name(repl_world(r), "A1");
    assert_int_equal(a1->state, TCP_TIME_WAIT);
    repl_exec(r, "continue"); /* the scenario's sim:run goes on where it was */
    fflush(out);
    assert_non_null(strstr(mem, "-- the scenario has ended at 61.010000"));
    assert_non_null(strstr(mem, "2MSL has passed"));
    /* the stops changed nothing: the same events as one uninterrupted run */
    struct repl *r2 = scenario_open("tests/repl/timestop.lua", &out2, &mem2, &len2);
    repl_exec(r2, "continue");
    size_t n2;
    struct trace_event *snap2 = log_snapshot(r2, &n2);
    assert_log_equal(repl_log(r), snap2, n2);
    free(snap2);
    repl_free(r2);
    fclose(out2);
    free(mem2);
    repl_free(r);
    fclose(out);
    free(mem);
}

static void
test_syn_received_status_recvq_counts_accept_queue_only(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    session_run(&s, handshake);
    const char *out = session_run(&s, "step\nstatus");
    /* B2 is in SYN-RECEIVED: not in the accept queue, so not in B1's Recv-Q (Linux) */
    assert_non_null(strstr(out, "B2   tcp        0      0 10.0.0.2:80          10.0.0.1:32768       SYN_RCVD"));
    assert_non_null(strstr(out, "B1   tcp        0      0 10.0.0.2:80          0.0.0.0:*            LISTEN"));
    out = session_run(&s, "run\nstatus");
    assert_non_null(strstr(out, "B1   tcp        1      0 10.0.0.2:80          0.0.0.0:*            LISTEN"));
    out = session_run(&s, "accept B1\nstatus");
    assert_non_null(strstr(out, "B1   tcp        0      0 10.0.0.2:80          0.0.0.0:*            LISTEN"));
    assert_non_null(strstr(out, "time 0.003000, seed 1, preset linux, 0 segments in flight"));
    session_close(&s);
}

/* A1 in TIME-WAIT on port 40000, B2 closed (A closed first). */
static void
session_time_wait(struct session *s)
{
    session_open(s);
    session_run(s, "B listen 80\nA connect B 80 lport=40000\nrun\naccept B1\nclose A1\nrun 0.01\nclose B2\nrun 0.01");
    assert_int_equal(world_conn_by_name(repl_world(s->r), "A1")->state, TCP_TIME_WAIT);
}

static void
test_time_wait_reuse_why_names_the_open_not_a_syn(void **state)
{
    struct session s;
    (void)state;
    session_time_wait(&s);
    const char *out = session_run(&s, "A connect B 80 lport=40000 reuse\nwhy A1");
    assert_non_null(strstr(out, "A1: TIME-WAIT -> CLOSED"));
    assert_non_null(strstr(out, "(OPEN_REUSE_TIME_WAIT, RFC 9293 3.6.1)"));
    assert_non_null(strstr(out, "because  the user called connect 10.0.0.2:80 from port 40000 on A2 (OK)"));
    assert_null(strstr(out, "a new SYN above RCV.NXT")); /* no SYN arrived */
    session_close(&s);
}

static void
test_time_wait_rst_why_names_assassination_and_rfc1337(void **state)
{
    struct session s;
    char line[128];
    (void)state;
    session_time_wait(&s);
    const struct tcp_conn *a1 = world_conn_by_name(repl_world(s.r), "A1");
    snprintf(line, sizeof line, "inject B RST sport=80 dport=40000 seq=%u\nstep\nwhy A1", (unsigned)a1->rcv_nxt);
    const char *out = session_run(&s, line);
    assert_non_null(strstr(out, "A1: TIME-WAIT -> CLOSED"));
    assert_non_null(strstr(out, "TIME-WAIT assassination"));
    assert_non_null(strstr(out, "tcp_rfc1337"));
    session_close(&s);
}

static void
test_any_bad_argument_is_an_error_that_changes_nothing(void **state)
{
    static const struct {
        const char *line, *says;
    } bad[] = {
        {"step 0", "error: step 0 would do nothing"},
        {"next 0", "error: next 0 would do nothing"},
        {"back 0", "error: back 0 would do nothing"},
        {"net set A>C loss=1", "no host \"C\" in A>C"},
        {"net set B>B loss=1", "B>B goes nowhere"},
        {"advance 1e12", "error: advance: 1e12 is too large"},
        {"run 1e12", "error: run: 1e12 is too large"},
        {"until 1e12", "error: until: 1e12 is too large"},
        {"break at 1e12", "error: break at: 1e12 is too large"},
        {"break seg SYN from C", "no host \"C\""},
        {"break seg SYN A>C", "no host \"C\""},
        {"break timer rexmit B1 A", "one socket or host at a time"},
        {"close", "error: usage: close SOCK"},
        {"abort", "error: usage: abort SOCK"},
        {"accept", "error: usage: accept SOCK"},
        {"close B1 B2", "error: close: unexpected \"B2\""},
        {"crash", "error: usage: crash HOST"},
        {"A connect B 80 lprt=5", "unknown option \"lprt=5\""},
        {"inject B1 SYN foo=1", "unknown option \"foo=1\""},
        {"clo B1", "error: unknown command \"clo\" (close changes the world"},
        {"lis 81", "error: \"lis\" is ambiguous"},
        {"B lis 81", "error: unknown command \"lis\" (listen changes the world"},
        {"A conn B 80", "error: unknown command \"conn\" (connect changes the world"},
        {"step 010x", "error: bad count \"010x\""},
    };
    struct session s;
    (void)state;
    session_open(&s);
    session_run(&s, "B listen 80");
    uint64_t events = repl_world(s.r)->nevents;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *out = session_run(&s, bad[i].line);
        if (!strstr(out, bad[i].says))
            fail_msg("\"%s\" printed \"%s\", not \"%s\"", bad[i].line, out, bad[i].says);
        assert_int_equal(strncmp(out, "error: ", 7), 0);
        assert_int_equal(count_of(out, "\n"), 1); /* one line */
    }
    assert_int_equal(repl_world(s.r)->nevents, events);
    assert_int_equal(repl_world(s.r)->nconns, 1);
    session_close(&s);
}

static void
test_established_trace_n_prints_n_lines(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    session_run(&s, handshake);
    session_run(&s, "run");
    for (int n = 1; n <= 6; n++) {
        char cmd[32];
        snprintf(cmd, sizeof cmd, "trace %d", n);
        assert_int_equal(count_of(session_run(&s, cmd), "\n"), n);
    }
    session_close(&s);
}

static void
test_closed_syn_rst_note_words_first_rule_after(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    const char *out = session_run(&s, "A connect B 81\nrun");
    assert_non_null(strstr(out, "  0.001000  no socket on port 81, so B answers with RST (CLOSED_SEND_RST, RFC 9293 3.10.7.1)\n"));
    /* a refused call: the words first, the errno after */
    out = session_run(&s, "close A1");
    assert_non_null(strstr(out, "error: close: connection refused (ECONNREFUSED)"));
    session_close(&s);
}

static void
test_established_back_says_what_it_undid(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    session_run(&s, handshake);
    session_run(&s, "run\naccept B1\nclose A1\nstep");
    const char *out = session_run(&s, "back 2");
    assert_non_null(strstr(out, "-- undid `close A1` (3 events)\n"));
    assert_non_null(strstr(out, "-- undid a step: 0.004000 A --> <SEQ="));
    assert_non_null(strstr(out, "#4 arrives (and 2 more events)\n"));
    assert_non_null(strstr(out, "-- back at 0.003000"));
    out = session_run(&s, "advance 10\nback");
    assert_non_null(strstr(out, "-- undid the clock's move from 0.003000 to 10.003000\n"));
    session_close(&s);
}

static void
test_syn_sent_timeout_says_after_how_long_from_the_events(void **state)
{
    struct session s;
    char want[96];
    (void)state;
    session_open(&s);
    const char *out = session_run(&s, "net set A>B loss=1\nA connect B 80\nrun");
    /* the expectation comes from the log, not from the timer settings (they may change) */
    const struct trace_log *log = repl_log(s.r);
    clk_time first = -1, end = -1;
    unsigned syns = 0;
    for (size_t i = 0; i < log->len; i++) {
        if (trace_log_kind(log, i) == TRACE_SEND && (trace_log_get(log, i).seg.flags & TCP_SYN)) {
            syns++;
            if (first < 0)
                first = trace_log_t(log, i);
        }
        if (trace_log_kind(log, i) == TRACE_STATE && trace_log_get(log, i).to_state == TCP_CLOSED)
            end = trace_log_t(log, i);
    }
    assert_true(syns > 1 && end > first);
    char secs[32];
    snprintf(secs, sizeof secs, "%.3f", clk_to_sec(end - first));
    for (size_t k = strlen(secs); k > 0 && (secs[k - 1] == '0' || secs[k - 1] == '.'); k--) {
        bool dot = secs[k - 1] == '.';
        secs[k - 1] = '\0';
        if (dot)
            break;
    }
    snprintf(want, sizeof want, "A1 connect failed: ETIMEDOUT after %s s, %u SYNs\n", secs, syns);
    assert_non_null(strstr(out, want));
    out = session_run(&s, "status");
    snprintf(want, sizeof want, "closed: A1 (connect failed: ETIMEDOUT after %s s, %u SYNs)", secs, syns);
    assert_non_null(strstr(out, want));
    session_close(&s);
}

static void
test_any_lua_loop_interrupted_session_goes_on(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    repl_interrupt(); /* what Ctrl-C does */
    const char *out = session_run(&s, "lua while true do end");
    assert_string_equal(out, "error: eval:1: interrupted\n");
    repl_interrupt();
    out = session_run(&s, "= (function() local n = 0 while true do n = n + 1 end end)()");
    assert_string_equal(out, "error: eval:1: interrupted\n");
    out = session_run(&s, "=6*7");
    assert_string_equal(out, "42\n");
    session_close(&s);
}

static void
on_alarm(int sig)
{
    (void)sig;
    repl_interrupt();
}

static void
test_established_interrupted_lua_run_replays_to_the_same_event(void **state)
{
    struct session s;
    struct sigaction sa;
    (void)state;
    session_open(&s);
    /* keep-alive probes every second: sim:run(900000) has a million events to go */
    session_run(&s, "sysctl A tcp_keepalive_time 1\nsysctl A tcp_keepalive_intvl 1\n");
    session_run(&s, handshake);
    session_run(&s, "run 1\nkeepalive A1 on");
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    alarm(1); /* Ctrl-C in a second */
    const char *out = session_run(&s, "lua sim:run(900000)");
    signal(SIGALRM, SIG_DFL);
    assert_non_null(strstr(out, "error: eval:1: interrupted\n"));
    clk_time stopped = world_now(repl_world(s.r));
    assert_true(stopped > CLK_SEC(2) && stopped < CLK_SEC(900000));
    size_t n;
    struct trace_event *snap = log_snapshot(s.r, &n);
    session_run(&s, "step");
    assert_true(repl_log(s.r)->len > n);
    /* going back replays the interrupted line: it stops at the same event, not at 900000 s */
    session_run(&s, "back");
    assert_log_equal(repl_log(s.r), snap, n);
    assert_int_equal(world_now(repl_world(s.r)), stopped);
    free(snap);
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
        cmocka_unit_test(test_closed_connect_self_refused_nothing_sent),
        cmocka_unit_test(test_time_wait_scenario_time_stops_exact_inside_sim_run),
        cmocka_unit_test(test_syn_received_status_recvq_counts_accept_queue_only),
        cmocka_unit_test(test_time_wait_reuse_why_names_the_open_not_a_syn),
        cmocka_unit_test(test_time_wait_rst_why_names_assassination_and_rfc1337),
        cmocka_unit_test(test_any_bad_argument_is_an_error_that_changes_nothing),
        cmocka_unit_test(test_established_trace_n_prints_n_lines),
        cmocka_unit_test(test_closed_syn_rst_note_words_first_rule_after),
        cmocka_unit_test(test_established_back_says_what_it_undid),
        cmocka_unit_test(test_syn_sent_timeout_says_after_how_long_from_the_events),
        cmocka_unit_test(test_any_lua_loop_interrupted_session_goes_on),
        cmocka_unit_test(test_established_interrupted_lua_run_replays_to_the_same_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
