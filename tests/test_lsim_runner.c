/*
 * test_lsim_runner.c - the runner (lsim.h) and the sandbox: stepping a scenario slice by
 * slice, pause(), lsim_eval, interrupts, goals, byte-identical reruns, and the limits that
 * stop a runaway script (instructions, also inside coroutines and pcall; memory; recursion;
 * virtual time; events), each with the script's file and line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lsim_fx.h"

/* Run 'code' under options 'o'; the status, the message into 'msg'. */
static enum lsim_status
run_with(const struct lsim_opts *o, const char *code, char *msg, size_t cap)
{
    struct lsim *l = lsim_new(o);
    assert_non_null(l);
    assert_int_equal(lsim_load_string(l, code, "@t.lua"), 0);
    enum lsim_status s = lfx_finish(l);
    snprintf(msg, cap, "%s", lsim_message(l));
    lsim_free(l);
    return s;
}

static void
test_sandbox_dangerous_names_absent(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("for _, k in ipairs { 'io', 'os', 'load', 'loadfile', 'dofile',\n"
                             "                      'debug', 'package', 'warn' } do\n"
                             "  expect(_G[k] == nil, k .. ' is reachable')\n"
                             "end\n"
                             "for _, m in ipairs { 'os', 'io', 'debug' } do\n"
                             "  expect(not pcall(require, m), 'require reaches ' .. m)\n"
                             "end\n"
                             "expect(string.dump == nil and ('x').dump == nil, 'string.dump')\n"
                             "expect(type(collectgarbage('count')) == 'number')\n"
                             "expect(not pcall(collectgarbage, 'stop'), 'collectgarbage stop')\n"
                             "expect(not pcall(setmetatable, {}, { __gc = function() end }), '__gc')\n"
                             "expect(getmetatable(A) == false and getmetatable(sim) == false, 'metatables locked')\n"
                             "expect(not pcall(string.find, ('a'):rep(5000), ('a*'):rep(40) .. 'b'), 'pattern bomb')\n"
                             "expect(('a,b'):find(',', 1, true) == 2 and ('abc'):match('b(.)') == 'c')\n",
                             NULL, 0),
                     LSIM_DONE);
}

static void
test_sandbox_infinite_loop_stopped_with_line(void **state)
{
    (void)state;
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    char msg[512];
    o.max_instructions = 1000000;
    assert_int_equal(run_with(&o, "local n = 0\nwhile true do n = n + 1 end\n", msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:2: instruction limit (1000000) exceeded");
    /* a pcall cannot swallow the limit and go on */
    assert_int_equal(run_with(&o, "while true do\n  pcall(function() while true do end end)\nend\n", msg, sizeof msg),
                     LSIM_FAILED);
    assert_non_null(strstr(msg, "instruction limit"));
    assert_int_equal(run_with(&o, "xpcall(function() error('x') end,\n function() while true do end end)\n", msg,
                              sizeof msg),
                     LSIM_FAILED);
    assert_non_null(strstr(msg, "instruction limit"));
}

static void
test_sandbox_coroutine_loops_stopped(void **state)
{
    (void)state;
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    char msg[512];
    o.max_instructions = 1000000;
    assert_int_equal(run_with(&o, "local f = coroutine.wrap(function()\n  while true do end\nend)\nf()\n", msg, sizeof msg),
                     LSIM_FAILED);
    assert_string_equal(msg, "t.lua:2: instruction limit (1000000) exceeded");
    assert_int_equal(run_with(&o,
                              "local co = coroutine.create(function()\n  while true do coroutine.yield() end\nend)\n"
                              "while true do\n  coroutine.resume(co)\nend\n",
                              msg, sizeof msg),
                     LSIM_FAILED);
    assert_non_null(strstr(msg, "instruction limit"));
    assert_non_null(strstr(msg, "t.lua:"));
}

static void
test_sandbox_memory_bomb_stopped(void **state)
{
    (void)state;
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    char msg[512];
    o.max_memory = 8u << 20;
    assert_int_equal(run_with(&o, "local t = {}\nfor i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end\n", msg, sizeof msg),
                     LSIM_FAILED);
    assert_string_equal(msg, "t.lua:2: memory limit (8388608 bytes) exceeded");
    assert_int_equal(run_with(&o, "local s = ('x'):rep(1 << 30)\n", msg, sizeof msg), LSIM_FAILED);
    assert_non_null(strstr(msg, "t.lua:1: memory limit"));
}

static void
test_sandbox_deep_recursion_stopped(void **state)
{
    (void)state;
    char msg[512];
    assert_int_equal(lfx_run("local function f(n)\n  return 1 + f(n + 1)\nend\nf(1)\n", msg, sizeof msg), LSIM_FAILED);
    assert_non_null(strstr(msg, "t.lua:2:"));
    assert_true(strstr(msg, "stack overflow") || strstr(msg, "memory limit"));
}

static void
test_limits_virtual_time_and_events(void **state)
{
    (void)state;
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    char msg[512];
    o.max_time = 100;
    assert_int_equal(run_with(&o, "sim:run(50)\nsim:run(60)\n", msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:2: virtual time limit (100 s) reached");
    o = (struct lsim_opts)LSIM_OPTS_DEFAULT;
    o.max_events = 3;
    assert_int_equal(run_with(&o, "net:set { loss = 1 }\nA:connect(B, 80)\nsim:run(1000)\n", msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:3: event limit (3 events) reached");
}

static void
test_math_random_draws_from_world_prng(void **state)
{
    (void)state;
    const char *code = "local t = {}\n"
                       "for i = 1, 5 do t[i] = math.random(1, 1000) end\n"
                       "expect(math.random(3, 3) == 3 and math.type(math.random(0)) == 'integer')\n"
                       "local f = math.random()\n"
                       "expect(f >= 0 and f < 1)\n"
                       "expect(not pcall(math.random, 2, 1), 'empty interval')\n"
                       "say(table.concat(t, ','))\n"
                       "print('printed', 1)\n";
    struct lsim *a = lfx_new(code), *b = lfx_new(code);
    assert_int_equal(lfx_finish(a), LSIM_DONE);
    assert_int_equal(lfx_finish(b), LSIM_DONE);
    const struct trace_log *la = lsim_log(a), *lb = lsim_log(b);
    assert_int_equal(la->len, 2);
    assert_int_equal(trace_log_kind(la, 0), TRACE_SAY);
    assert_string_equal(trace_log_get(la, 0).text, trace_log_get(lb, 0).text);
    assert_string_equal(trace_log_get(la, 1).text, "printed\t1");
    lsim_free(a);
    lsim_free(b);
}

static void
test_determinism_same_seed_same_trace(void **state)
{
    (void)state;
    char *one = lfx_trace_of("tests/lua/determinism.lua", 7);
    char *two = lfx_trace_of("tests/lua/determinism.lua", 7);
    char *other = lfx_trace_of("tests/lua/determinism.lua", 8);
    assert_non_null(one);
    assert_non_null(two);
    assert_non_null(other);
    assert_true(strlen(one) > 10000);
    assert_string_equal(one, two);
    assert_string_not_equal(one, other);
    free(one);
    free(two);
    free(other);
}

static void
test_pause_yields_text_and_eval_reads_locals(void **state)
{
    (void)state;
    struct lsim *l = lsim_new(NULL);
    char *out = NULL;
    assert_int_equal(lsim_load(l, "tests/lua/pause.lua"), 0);
    assert_int_equal(lsim_status(l), LSIM_READY);
    assert_int_equal(lsim_resume(l, LSIM_FOREVER), LSIM_PAUSED);
    assert_string_equal(lsim_message(l), "connecting");
    assert_int_equal(lsim_eval(l, "c.state", &out), 0);
    assert_string_equal(out, "SYN_SENT");
    free(out);
    assert_int_equal(lsim_resume(l, LSIM_FOREVER), LSIM_PAUSED);
    assert_string_equal(lsim_message(l), "connected");
    assert_int_equal(lsim_eval(l, "here, sim.now", &out), 0);
    assert_string_equal(out, "a local the REPL can read\t0.01");
    free(out);
    assert_int_equal(lsim_resume(l, LSIM_FOREVER), LSIM_DONE);
    assert_int_equal(lsim_resume(l, LSIM_FOREVER), LSIM_DONE);
    lsim_free(l);
}

static void
test_eval_results_errors_and_globals(void **state)
{
    (void)state;
    struct lsim *l = lfx_new("");
    char *out = NULL;
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    assert_int_equal(lsim_eval(l, "1 + 1", &out), 0);
    assert_string_equal(out, "2");
    free(out);
    assert_int_equal(lsim_eval(l, "x = B:listen(80)", &out), 0);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(lsim_eval(l, "x.state, sock('B1') == x", &out), 0);
    assert_string_equal(out, "LISTEN\ttrue");
    free(out);
    assert_int_equal(lsim_eval(l, "sim:run(2) return sim.now", &out), 0);
    assert_string_equal(out, "2.0");
    free(out);
    assert_int_equal(lsim_eval(l, "nosuch()", &out), -1);
    assert_non_null(strstr(out, "nosuch"));
    free(out);
    assert_int_equal(lsim_eval(l, "expect(false, 'no')", &out), -1);
    assert_string_equal(out, "eval:1: no");
    free(out);
    assert_int_equal(lsim_status(l), LSIM_DONE); /* a failed eval does not fail the scenario */
    lsim_free(l);
}

static void
test_eval_limit_spares_the_scenario(void **state)
{
    (void)state;
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    o.max_instructions = 1000000;
    struct lsim *l = lsim_new(&o);
    char *out = NULL;
    assert_int_equal(lsim_load(l, "tests/lua/pause.lua"), 0);
    assert_int_equal(lsim_resume(l, LSIM_FOREVER), LSIM_PAUSED);
    assert_int_equal(lsim_eval(l, "while true do end", &out), -1);
    assert_string_equal(out, "eval:1: instruction limit (1000000) exceeded");
    free(out);
    assert_int_equal(lsim_resume(l, LSIM_FOREVER), LSIM_PAUSED);
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    lsim_free(l);
}

/* eval's results are converted under protection: a __tostring that fails or loops is the
   line's error, not an abort of the whole program. */
static void
test_eval_failing_tostring_returns_error(void **state)
{
    (void)state;
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    o.max_instructions = 1000000;
    struct lsim *l = lsim_new(&o);
    char *out = NULL;
    assert_int_equal(lsim_load_string(l,
                                      "bad = setmetatable({}, { __tostring = function() error('boom') end })\n"
                                      "slow = setmetatable({}, { __tostring = function() while true do end end })\n"
                                      "fine = setmetatable({}, { __tostring = function()\n"
                                      "  local s = 0 for i = 1, 1000 do s = s + i end return 'sum ' .. s end })\n"
                                      "pause('here')\n",
                                      "@t.lua"),
                     0);
    assert_int_equal(lsim_resume(l, LSIM_FOREVER), LSIM_PAUSED);
    assert_int_equal(lsim_eval(l, "bad", &out), -1);
    assert_non_null(strstr(out, "boom"));
    free(out);
    assert_int_equal(lsim_eval(l, "1, slow", &out), -1);
    assert_string_equal(out, "t.lua:2: instruction limit (1000000) exceeded");
    free(out);
    /* the limit is forgiven and counting is back to normal: a few thousand instructions pass */
    assert_int_equal(lsim_eval(l, "fine", &out), 0);
    assert_string_equal(out, "sum 500500");
    free(out);
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    lsim_free(l);
}

static void
test_budget_one_step_at_a_time(void **state)
{
    (void)state;
    struct lsim *l = lfx_new("local l = B:listen(80)\nlocal c = A:connect(B, 80)\nsim:run(1)\n");
    struct world *w = lsim_world(l);
    assert_int_equal(lsim_resume(l, 1), LSIM_RUNNING); /* listen */
    assert_int_equal(w->nconns, 1);
    assert_int_equal(lsim_resume(l, 1), LSIM_RUNNING); /* connect */
    assert_int_equal(w->nconns, 2);
    assert_int_equal(w->steps, 0);
    int slices = 0;
    uint64_t before = w->steps;
    while (lsim_resume(l, 1) == LSIM_RUNNING) {
        assert_int_equal(w->steps, before + 1); /* exactly one event per slice */
        before = w->steps;
        slices++;
    }
    assert_int_equal(lsim_status(l), LSIM_DONE);
    assert_true(slices >= 3);
    assert_int_equal(world_now(w), CLK_SEC(1));
    lsim_free(l);
}

/* An observer that interrupts the runner at the first state change to ESTABLISHED. */
static void
interrupt_on_established(const struct trace_event *ev, void *ctx)
{
    if (ev->kind == TRACE_STATE && ev->to_state == TCP_ESTABLISHED)
        lsim_interrupt(ctx);
}

static void
test_interrupt_stops_between_events(void **state)
{
    (void)state;
    struct lsim *l = lfx_new("B:listen(80)\nlocal c = A:connect(B, 80)\nsim:run(100)\n");
    world_observe(lsim_world(l), interrupt_on_established, l);
    assert_int_equal(lsim_resume(l, LSIM_FOREVER), LSIM_RUNNING);
    assert_true(world_now(lsim_world(l)) < CLK_SEC(1));
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    assert_int_equal(world_now(lsim_world(l)), CLK_SEC(100));
    lsim_free(l);
}

/* lsim_resume_to: a time stop inside the script's own sim:run, sim:run_until and sim:step;
   the call goes on where it was, and the run is the one an unstopped run makes. */
static void
test_resume_to_horizon_stops_inside_blocking_calls(void **state)
{
    (void)state;
    static const char code[] = "B:listen(80)\nlocal c = A:connect(B, 80)\nsim:run(10)\n"
                               "expect(sim.now == 10, 'sim:run ends at its time')\n"
                               "sim:run_until(function() return false end, 5)\n"
                               "c:close()\nlocal e = sim:step()\n"
                               "expect(e and e.t > 15, 'sim:step took the next event')\n";
    struct lsim *l = lfx_new(code), *whole = lfx_new(code);
    assert_int_equal(lsim_resume_to(l, LSIM_FOREVER, CLK_MSEC(500)), LSIM_RUNNING);
    assert_int_equal(world_now(lsim_world(l)), CLK_MSEC(500)); /* not 10 s: inside sim:run(10) */
    assert_int_equal(lsim_resume_to(l, LSIM_FOREVER, CLK_SEC(12)), LSIM_RUNNING);
    assert_int_equal(world_now(lsim_world(l)), CLK_SEC(12)); /* inside sim:run_until */
    assert_int_equal(lsim_resume_to(l, LSIM_FOREVER, CLK_SEC(15)), LSIM_RUNNING);
    assert_int_equal(world_now(lsim_world(l)), CLK_SEC(15));  /* sim:step waits for its event */
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    assert_int_equal(lfx_finish(whole), LSIM_DONE);
    const struct trace_log *a = lsim_log(l), *b = lsim_log(whole);
    assert_int_equal(a->len, b->len);
    for (size_t i = 0; i < a->len; i++) {
        assert_int_equal(trace_log_kind(a, i), trace_log_kind(b, i));
        assert_int_equal(trace_log_t(a, i), trace_log_t(b, i));
    }
    lsim_free(l);
    lsim_free(whole);
}

/* The same for the calls that wait for something: sim:transfer and expect_segment on a slow
   wire (1 s each way) stop at the horizon too. */
static void
test_resume_to_horizon_holds_transfer_and_expect_segment(void **state)
{
    (void)state;
    static const char code[] = "net:set { delay = 1 }\nlocal l = B:listen(80)\nlocal c = A:connect(B, 80)\n"
                               "expect_segment { from = B, flags = 'SYN,ACK', within = 5 }\n"
                               "sim:run(2)\nlocal s = l:accept()\n"
                               "sim:transfer { from = c, to = s, bytes = 5000 }\n";
    struct lsim *l = lfx_new(code), *whole = lfx_new(code);
    assert_int_equal(lsim_resume_to(l, LSIM_FOREVER, CLK_MSEC(500)), LSIM_RUNNING); /* SYN,ACK at 1 s */
    assert_int_equal(world_now(lsim_world(l)), CLK_MSEC(500));
    assert_int_equal(lsim_resume_to(l, LSIM_FOREVER, CLK_MSEC(3500)), LSIM_RUNNING); /* the transfer */
    assert_int_equal(world_now(lsim_world(l)), CLK_MSEC(3500));
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    assert_int_equal(lfx_finish(whole), LSIM_DONE);
    const struct trace_log *a = lsim_log(l), *b = lsim_log(whole);
    assert_int_equal(a->len, b->len);
    for (size_t i = 0; i < a->len; i++) {
        assert_int_equal(trace_log_kind(a, i), trace_log_kind(b, i));
        assert_int_equal(trace_log_t(a, i), trace_log_t(b, i));
    }
    lsim_free(l);
    lsim_free(whole);
}

/* The driver's Ctrl-C flag stops a line of lsim_eval, a pure Lua loop or a sim:run, and
   lsim_eval_stop_at stops a line again at the same check. */
static void
test_eval_interrupt_flag_and_stop_at(void **state)
{
    (void)state;
    volatile sig_atomic_t flag = 1;
    struct lsim *l = lfx_new("");
    char *out = NULL;
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    lsim_set_interrupt_flag(l, &flag);
    assert_int_equal(lsim_eval(l, "while true do pcall(function() while true do end end) end", &out), -1);
    assert_string_equal(out, "eval:1: interrupted");
    free(out);
    assert_true(lsim_eval_interrupted(l) > 0);
    flag = 0;
    assert_int_equal(lsim_eval(l, "1 + 1", &out), 0); /* nothing sticks */
    assert_string_equal(out, "2");
    free(out);
    assert_int_equal(lsim_eval_interrupted(l), 0);
    assert_int_equal(lsim_eval(l, "B:listen(80) c = A:connect(B, 80)", &out), 0);
    free(out);
    lsim_eval_stop_at(l, 3); /* the third check: before the third event */
    assert_int_equal(lsim_eval(l, "sim:run(100)", &out), -1);
    assert_string_equal(out, "eval:1: interrupted");
    free(out);
    assert_int_equal(lsim_eval_interrupted(l), 3);
    assert_int_equal(lsim_world(l)->steps, 2);
    assert_int_equal(lsim_eval(l, "sim:run(100) return sim.now", &out), 0); /* once only */
    free(out);
    lsim_free(l);
}

static void
test_goals_report_reached_and_missed(void **state)
{
    (void)state;
    struct lsim *l = lsim_new(NULL);
    struct lsim_goal *g = NULL;
    size_t n = 0;
    char *err = NULL;
    assert_int_equal(lsim_load(l, "tests/lua/goals_student.lua"), 0);
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    assert_int_equal(lsim_goals(l, "tests/lua/goals.lua", &g, &n, &err), 0);
    assert_null(err);
    assert_int_equal(n, 6);
    static const struct {
        const char *name;
        bool reached;
    } want[] = {{"handshake", true},  {"half-closed", true},       {"time-wait", false},
                {"three segments or more", true}, {"a challenge ACK", false}, {"a broken goal", false}};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(g[i].name, want[i].name);
        assert_int_equal(g[i].reached, want[i].reached);
    }
    assert_non_null(strstr(g[5].detail, "oops"));
    lsim_goals_free(g, n);
    assert_int_equal(lsim_goals(l, "tests/lua/nonexistent.lua", &g, &n, &err), -1);
    assert_non_null(strstr(err, "cannot open"));
    free(err);
    lsim_free(l);
}

static void
test_load_errors_leave_runner_empty(void **state)
{
    (void)state;
    struct lsim *l = lsim_new(NULL);
    assert_int_equal(lsim_load(l, "tests/lua/nonexistent.lua"), -1);
    assert_int_equal(lsim_status(l), LSIM_EMPTY);
    assert_non_null(strstr(lsim_message(l), "cannot open"));
    assert_int_equal(lsim_load_string(l, "x = = 1", "@t.lua"), -1);
    assert_non_null(strstr(lsim_message(l), "t.lua:1:"));
    assert_int_equal(lsim_load_string(l, "\033Lua binary", "@t.lua"), -1);
    assert_non_null(strstr(lsim_message(l), "binary"));
    assert_int_equal(lsim_resume(l, LSIM_FOREVER), LSIM_EMPTY);
    lsim_free(l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sandbox_dangerous_names_absent),
        cmocka_unit_test(test_sandbox_infinite_loop_stopped_with_line),
        cmocka_unit_test(test_sandbox_coroutine_loops_stopped),
        cmocka_unit_test(test_sandbox_memory_bomb_stopped),
        cmocka_unit_test(test_sandbox_deep_recursion_stopped),
        cmocka_unit_test(test_limits_virtual_time_and_events),
        cmocka_unit_test(test_math_random_draws_from_world_prng),
        cmocka_unit_test(test_determinism_same_seed_same_trace),
        cmocka_unit_test(test_pause_yields_text_and_eval_reads_locals),
        cmocka_unit_test(test_eval_results_errors_and_globals),
        cmocka_unit_test(test_eval_limit_spares_the_scenario),
        cmocka_unit_test(test_eval_failing_tostring_returns_error),
        cmocka_unit_test(test_budget_one_step_at_a_time),
        cmocka_unit_test(test_interrupt_stops_between_events),
        cmocka_unit_test(test_goals_report_reached_and_missed),
        cmocka_unit_test(test_resume_to_horizon_stops_inside_blocking_calls),
        cmocka_unit_test(test_resume_to_horizon_holds_transfer_and_expect_segment),
        cmocka_unit_test(test_eval_interrupt_flag_and_stop_at),
        cmocka_unit_test(test_load_errors_leave_runner_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
