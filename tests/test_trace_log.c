/*
 * test_trace_log.c - the event log in bounded memory (trace.c, issue 17): its window of recent
 * events, its interned texts, what it has seen of the whole run, and what a scenario sees of
 * it (sim:trace's first and last, sim:config's trace_window, goals and expect_segment across
 * a window that dropped events).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/trace.h"
#include "lsim_fx.h"

/* Log a SAY event numbered 'n' with text 'text'. */
static void
say(struct trace_log *log, uint64_t n, const char *text)
{
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TRACE_SAY;
    ev.n = n;
    ev.host = -1;
    ev.text = text;
    trace_log_observe(&ev, log);
}

static void
test_log_window_full_drops_oldest_keeps_last(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    trace_log_set_window(&log, 4);
    for (uint64_t n = 1; n <= 9; n++)
        say(&log, n, "x");
    /* between the window and twice it, the newest last, and positions still add up */
    assert_true(log.len >= 4 && log.len <= 8);
    assert_int_equal(log.ev[log.len - 1].n, 9);
    assert_int_equal(log.ev[0].n, log.dropped + 1);
    assert_int_equal(trace_log_end(&log), 9);
    assert_true(log.cap <= 8);
    for (uint64_t n = 10; n <= 1000; n++)
        say(&log, n, "x");
    assert_true(log.len >= 4 && log.len <= 8);
    assert_int_equal(log.ev[log.len - 1].n, 1000);
    assert_int_equal(trace_log_end(&log), 1000);
    assert_int_equal(trace_log_index(&log, 3), 0); /* dropped long ago */
    assert_int_equal(trace_log_index(&log, 999), log.len - 1);
    trace_log_fini(&log);
}

static void
test_log_window_zero_keeps_every_event(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    for (uint64_t n = 1; n <= 5000; n++)
        say(&log, n, "x");
    assert_int_equal(log.len, 5000);
    assert_int_equal(log.dropped, 0);
    assert_int_equal(log.ev[0].n, 1);
    trace_log_fini(&log);
}

static void
test_log_window_made_smaller_trims_at_next_event(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    for (uint64_t n = 1; n <= 100; n++)
        say(&log, n, "x");
    trace_log_set_window(&log, 10);
    say(&log, 101, "x");
    assert_int_equal(log.len, 11);
    assert_int_equal(log.ev[0].n, 91);
    assert_int_equal(log.dropped, 90);
    assert_true(log.cap <= 20); /* the memory goes back too */
    trace_log_fini(&log);
}

static void
test_log_texts_same_text_stored_once(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    char a[8] = "A1", b[8] = "A1";
    say(&log, 1, a);
    say(&log, 2, b);
    strcpy(a, "gone"); /* the log keeps its own copy */
    assert_string_equal(log.ev[0].text, "A1");
    assert_ptr_equal(log.ev[0].text, log.ev[1].text);
    assert_int_equal(log.ntexts, 1);
    trace_log_fini(&log);
}

static void
test_log_window_distinct_texts_freed_with_their_events(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    trace_log_set_window(&log, 8);
    char t[32];
    for (uint64_t n = 1; n <= 10000; n++) {
        snprintf(t, sizeof t, "connect %llu", (unsigned long long)n);
        say(&log, n, t);
    }
    /* a name per connection: only those the kept events use stay */
    assert_true(log.ntexts <= 2 * 8 + 64 + 2 * 8);
    for (size_t i = 0; i < log.len; i++) {
        snprintf(t, sizeof t, "connect %llu", (unsigned long long)log.ev[i].n);
        assert_string_equal(log.ev[i].text, t);
    }
    trace_log_fini(&log);
}

static void
test_log_window_seen_remembers_dropped_transitions(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    trace_log_set_window(&log, 2);
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TRACE_STATE;
    ev.n = 1;
    ev.host = 1;
    ev.from_state = TCP_LISTEN;
    ev.to_state = TCP_SYN_RECEIVED;
    ev.rule = TCP_RULE_LISTEN_SYN;
    trace_log_observe(&ev, &log);
    for (uint64_t n = 2; n <= 50; n++)
        say(&log, n, "x");
    assert_true(log.ev[0].n > 1);
    assert_true(log.seen[1].edge[TCP_LISTEN][TCP_SYN_RECEIVED]);
    assert_true(log.seen[1].rule[TCP_RULE_LISTEN_SYN]);
    assert_false(log.seen[0].edge[TCP_LISTEN][TCP_SYN_RECEIVED]);
    trace_log_clear(&log);
    assert_false(log.seen[1].edge[TCP_LISTEN][TCP_SYN_RECEIVED]);
    trace_log_fini(&log);
}

/* A scenario that opens a connection, then makes many events (say) and sends data. */
static const char long_run[] =
    "sim:config { trace_window = 50 }\n"
    "goals { { name = 'B got the SYN', host = 'B', state = 'SYN_RECEIVED' },\n"
    "        { name = 'B applied the rule', rule = 'LISTEN_SYN' },\n"
    "        { name = 'a handshake', edge = { 'SYN_SENT', 'ESTABLISHED' } } }\n"
    "local l = B:listen(80)\n"
    "local c = A:connect(B, 80)\n"
    "sim:run(0.01)\n"
    "local s = l:accept()\n"
    "for i = 1, 300 do say('tick ' .. i) end\n";

static void
test_lsim_trace_window_first_last_cover_kept_events(void **state)
{
    (void)state;
    char code[2048];
    snprintf(code, sizeof code, "%s%s", long_run,
             "local t = sim:trace()\n"
             "expect(t.window == 50, 'window ' .. tostring(t.window))\n"
             "expect(t.first > 1, 'older events dropped: first ' .. t.first)\n"
             "expect(t.last == t[#t].n and t.first == t[1].n, 'first and last name the array')\n"
             "expect(t.last - t.first + 1 >= 50 and t.last - t.first + 1 <= 100, 'between N and 2N')\n"
             "sim:config { trace_window = 0 }\n"
             "for i = 1, 300 do say('tock ' .. i) end\n"
             "local u = sim:trace()\n"
             "expect(u.first == t.first and u.window == 0, 'window 0 keeps from now on')\n");
    char msg[512];
    assert_int_equal(lfx_run(code, msg, sizeof msg), LSIM_DONE);
}

static void
test_lsim_trace_window_goals_judge_whole_run(void **state)
{
    (void)state;
    /* the scenario's own goals, checked at its end: the transitions they name are out of the
       window by then, and a goal not reached would fail the scenario */
    struct lsim *l = lfx_new(long_run);
    assert_non_null(l);
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    const struct trace_log *log = lsim_log(l);
    assert_true(log->dropped > 0);
    for (size_t i = 0; i < log->len; i++)
        assert_int_not_equal(log->ev[i].kind, TRACE_STATE);
    lsim_free(l);
}

static void
test_lsim_trace_window_expect_segment_waits_across_drops(void **state)
{
    (void)state;
    /* B answers the fourth SYN, seconds later: while expect_segment waits, the window (2
       events) drops everything logged since it began; it still finds B's SYN,ACK */
    char msg[512];
    assert_int_equal(lfx_run("sim:config { trace_window = 2 }\n"
                             "B:listen(80)\n"
                             "net:drop { from = A, flags = 'SYN', count = 3 }\n"
                             "local c = A:connect(B, 80)\n"
                             "local e = expect_segment { from = B, flags = 'SYN,ACK', within = 10 }\n"
                             "expect(e.t > 2.9, 'the answer to the fourth SYN, at ' .. e.t)\n"
                             "expect(sim:trace().first > 5, 'the window dropped events')\n",
                             msg, sizeof msg),
                     LSIM_DONE);
    (void)msg;
}

static void
test_lsim_trace_window_step_returns_its_kept_events_across_drops(void **state)
{
    (void)state;
    /* a step that logs more events than the window: it returns those of its events the log
       still holds, and none from before it (its start is a position, not an index) */
    char msg[512];
    assert_int_equal(lfx_run("sim:config { trace_window = 1 }\n"
                             "local l = B:listen(80)\n"
                             "local c = A:connect(B, 80)\n"
                             "local last = sim:trace().last\n"
                             "local dropped = false\n"
                             "for i = 1, 100 do\n"
                             "  local e = sim:step()\n"
                             "  if not e then break end\n"
                             "  expect(e.events[1].n > last, 'step ' .. i .. ': only its own events')\n"
                             "  dropped = dropped or e.events[1].n > last + 1\n"
                             "  last = e.events[#e.events].n\n"
                             "  expect(last == sim:trace().last, 'and it ends with the log')\n"
                             "end\n"
                             "expect(dropped, 'a step logged more than twice the window')\n",
                             msg, sizeof msg),
                     LSIM_DONE);
    (void)msg;
}

static void
test_lsim_trace_window_bad_value_is_error(void **state)
{
    (void)state;
    char msg[512];
    assert_int_equal(lfx_run("sim:config { trace_window = -1 }\n", msg, sizeof msg), LSIM_FAILED);
    assert_non_null(strstr(msg, "t.lua:1:"));
    assert_non_null(strstr(msg, "trace_window"));
    assert_int_equal(lfx_run("sim:config { trace_window = 'all' }\n", msg, sizeof msg), LSIM_FAILED);
    assert_non_null(strstr(msg, "trace_window"));
}

static void
test_lsim_default_window_bounds_log(void **state)
{
    (void)state;
    struct lsim *l = lfx_new("local l = B:listen(80)\n"
                             "local c = A:connect(B, 80)\n"
                             "sim:run(0.01)\n"
                             "local s = l:accept()\n"
                             "for i = 1, 30000 do say('tick') end\n");
    assert_non_null(l);
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    const struct trace_log *log = lsim_log(l);
    assert_int_equal(log->window, LSIM_TRACE_WINDOW);
    assert_true(log->len <= 2 * LSIM_TRACE_WINDOW);
    assert_true(log->dropped > 0);
    lsim_free(l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_window_full_drops_oldest_keeps_last),
        cmocka_unit_test(test_log_window_zero_keeps_every_event),
        cmocka_unit_test(test_log_window_made_smaller_trims_at_next_event),
        cmocka_unit_test(test_log_texts_same_text_stored_once),
        cmocka_unit_test(test_log_window_distinct_texts_freed_with_their_events),
        cmocka_unit_test(test_log_window_seen_remembers_dropped_transitions),
        cmocka_unit_test(test_lsim_trace_window_first_last_cover_kept_events),
        cmocka_unit_test(test_lsim_trace_window_goals_judge_whole_run),
        cmocka_unit_test(test_lsim_trace_window_expect_segment_waits_across_drops),
        cmocka_unit_test(test_lsim_trace_window_step_returns_its_kept_events_across_drops),
        cmocka_unit_test(test_lsim_trace_window_bad_value_is_error),
        cmocka_unit_test(test_lsim_default_window_bounds_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
