/*
 * test_time_wait.c - conformance rows for TIME-WAIT (RFC 9293 §3.10.7.4, §3.10.8, RFC 1337,
 * RFC 6191): the end of 2MSL (T1), a new SYN (T2), old duplicates (T3), RST (T4) and a
 * retransmitted FIN (F7). In fx_time_wait() A closed first and waits: A's SND.NXT = 102,
 * RCV.NXT = 302.
 */
#include "conf.h"

/* T1: 2MSL expires: delete the TCB -> CLOSED; the port pair is free again. */
static void
test_time_wait_2msl_expires_pair_free(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_time_wait(&f);
    clk_time tw = 2 * f.w->host[FX_A].cfg.msl;
    fx_run_ms(&f, (double)(tw / CLK_MSEC(1)) - 10);
    assert_int_equal(f.a->state, TCP_TIME_WAIT);
    fx_run_ms(&f, 20);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_TIME_WAIT);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_NO_TIMERS);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    struct tcp_conn *c = NULL;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &c), TCP_OK);
    assert_int_equal(c->state, TCP_SYN_SENT);
    fx_fini(&f);
}

/* B closes first, so B (with its listener on port 80) is the one in TIME-WAIT; A is CLOSED.
   B: SND.NXT = 302, RCV.NXT = 102. */
static void
server_time_wait(struct fx *f)
{
    fx_established(f);
    assert_int_equal(tcp_close(f->b), TCP_OK);
    fx_run_ms(f, 5);
    assert_int_equal(tcp_close(f->a), TCP_OK);
    fx_run_ms(f, 5);
    assert_int_equal(f->b->state, TCP_TIME_WAIT);
    assert_int_equal(f->a->state, TCP_CLOSED);
    fx_mark(f);
}

/* T2: a new SYN for the same port pair in TIME-WAIT: above the old RCV.NXT it opens a new
   incarnation (RFC 9293 §3.10.7.4 note, RFC 6191, Linux and BSD; both presets); otherwise
   a challenge ACK and TIME-WAIT goes on. */
static void
test_time_wait_new_syn_reopens_above_rcv_nxt(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    server_time_wait(&f);
    struct tcp_conn *old = f.b;
    cf_drop_flags(&f, FX_B, TCP_ACK, 1); /* else closed A would answer it with a RST */
    fx_inject_to(&f, old, 50, 0, TCP_SYN, 512, NULL); /* below RCV.NXT = 102 */
    CF_EXPECT(&f, FX_B, {TCP_ACK, 302, 102, 0});
    cf_state(old, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    cf_timers(old, CF_T(TCP_TIMER_TIMEWAIT));
    fx_run_ms(&f, 5);
    fx_mark(&f);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    o.isn = 5000;
    struct tcp_conn *c = NULL;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &c), TCP_OK);
    fx_run_ms(&f, 1.5);
    cf_state(old, TCP_CLOSED, TCP_RULE_TIME_WAIT_REOPEN);
    cf_timers(old, CF_NO_TIMERS);
    struct tcp_conn *n = cf_newest(&f);
    cf_state(n, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, 300, 5001, 0});
    fx_run_ms(&f, 5);
    assert_int_equal(c->state, TCP_ESTABLISHED);
    assert_int_equal(n->state, TCP_ESTABLISHED);
    fx_fini(&f);
}

/* T3: old duplicate data from the previous incarnation: not acceptable, re-ACK and drop;
   the 2MSL timer is not restarted. */
static void
test_time_wait_old_duplicate_reacked(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_time_wait(&f);
    fx_run_ms(&f, 1000);
    fx_mark(&f);
    clk_time before = tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT);
    fx_inject_to(&f, f.a, 290, 102, TCP_ACK, 65535, "old data");
    CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
    cf_rule(&f, TCP_RULE_SEQ_NOT_ACCEPTABLE);
    cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    cf_timers(f.a, CF_T(TCP_TIMER_TIMEWAIT));
    assert_true(tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT) < before);
    fx_fini(&f);
}

/* T4: RST in TIME-WAIT: with rfc1337 off (linux preset) -> CLOSED ("TIME-WAIT assassination");
   with rfc1337 on (rfc preset) it is ignored. */
static void
test_time_wait_rst_rfc1337_ignored_else_closed(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    assert_int_equal(f.w->host[FX_A].cfg.rfc1337, 0);
    fx_time_wait(&f);
    fx_inject_to(&f, f.a, 302, 0, TCP_RST, 0, NULL);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_RST_CLOSE);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
    fx_init(&f, true);
    assert_int_equal(f.w->host[FX_A].cfg.rfc1337, 1);
    fx_time_wait(&f);
    fx_inject_to(&f, f.a, 302, 0, TCP_RST, 0, NULL);
    cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    cf_rule(&f, TCP_RULE_RST_RFC1337_IGNORE);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_T(TCP_TIMER_TIMEWAIT));
    fx_fini(&f);
}

/* F7: TIME-WAIT, a retransmitted FIN: acknowledge it and restart the 2MSL timer. */
static void
test_time_wait_fin_again_reacked_restarts_2msl(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_time_wait(&f);
    fx_run_ms(&f, 10000);
    fx_mark(&f);
    clk_time tw = 2 * f.w->host[FX_A].cfg.msl;
    assert_true(tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT) < tw - CLK_SEC(9));
    fx_inject_to(&f, f.a, 301, 102, TCP_FIN | TCP_ACK, 65535, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
    cf_rule(&f, TCP_RULE_FIN_TIME_WAIT_AGAIN);
    cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    cf_timers(f.a, CF_T(TCP_TIMER_TIMEWAIT));
    assert_true(tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT) > tw - CLK_MSEC(1));
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_wait_2msl_expires_pair_free),
        cmocka_unit_test(test_time_wait_new_syn_reopens_above_rcv_nxt),
        cmocka_unit_test(test_time_wait_old_duplicate_reacked),
        cmocka_unit_test(test_time_wait_rst_rfc1337_ignored_else_closed),
        cmocka_unit_test(test_time_wait_fin_again_reacked_restarts_2msl),
    };
    return cmocka_run_group_tests_name("time_wait", tests, NULL, NULL);
}
