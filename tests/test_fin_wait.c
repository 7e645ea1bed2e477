/*
 * test_fin_wait.c - conformance rows for FIN-WAIT-1 and FIN-WAIT-2 (RFC 9293 §3.10.7.4): the
 * ACK of our FIN (X11, X12), the peer's FIN (F3-F5), data (D1) and CLOSE again (U20). A closed
 * first: its FIN is <SEQ=101>; B's sequence space starts at 301.
 */
#include "conf.h"

/* X11: FIN-WAIT-1, the ACK of our FIN -> FIN-WAIT-2. */
static void
test_fin_wait_1_ack_of_fin_fin_wait_2(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_fin_wait_1(&f);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_T(TCP_TIMER_TLP)); /* linux: the tail loss probe's timer stands in for rexmit (RFC 8985 7.2) */
    fx_run_ms(&f, 3);
    cf_state(f.a, TCP_FIN_WAIT_2, TCP_RULE_FIN_WAIT_1_ACKED);
    assert_int_equal(f.a->snd_una, 102);
    CF_NONE(&f, FX_A);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 102, 0});
    /* orphaned by close(): Linux's tcp_fin_timeout runs instead of the retransmission timer */
    cf_timers(f.a, CF_T(TCP_TIMER_FINWAIT2));
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_FINWAIT2), f.w->host[FX_A].cfg.fin_timeout - CLK_MSEC(1));
    fx_fini(&f);
}

/* X12: FIN-WAIT-2, an ACK: stay; nothing to send. */
static void
test_fin_wait_2_ack_stays(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_fin_wait_2(&f);
    fx_inject_to(&f, f.a, 301, 102, TCP_ACK, 65535, NULL);
    cf_state(f.a, TCP_FIN_WAIT_2, TCP_RULE_FIN_WAIT_1_ACKED);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_T(TCP_TIMER_FINWAIT2));
    fx_fini(&f);
}

/* U20: CLOSE in FIN-WAIT-1/2: "ok" after a shutdown, "connection closing" after a close; never
   a second FIN. */
static void
test_fin_wait_close_again_no_second_fin(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_fin_wait_1(&f);
    assert_int_equal(tcp_close(f.a), TCP_ESHUTDOWN);
    assert_string_equal(tcp_err_text(TCP_ESHUTDOWN), "connection closing");
    CF_NONE(&f, FX_A);
    cf_state(f.a, TCP_FIN_WAIT_1, TCP_RULE_CLOSE_SEND_FIN);
    fx_run_ms(&f, 3);
    assert_int_equal(tcp_close(f.a), TCP_ESHUTDOWN);
    CF_NONE(&f, FX_A);
    fx_fini(&f);
    /* after shutdown(), close() releases the socket: "ok", and still no second FIN */
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    fx_run_ms(&f, 3);
    cf_state(f.a, TCP_FIN_WAIT_2, TCP_RULE_FIN_WAIT_1_ACKED);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_mark(&f);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    CF_NONE(&f, FX_A);
    cf_state(f.a, TCP_FIN_WAIT_2, TCP_RULE_FIN_WAIT_1_ACKED);
    cf_timers(f.a, CF_T(TCP_TIMER_FINWAIT2));
    fx_fini(&f);
}

/* F3: FIN-WAIT-1, a FIN that also acknowledges our FIN -> TIME-WAIT, 2MSL, other timers off. */
static void
test_fin_wait_1_fin_with_ack_time_wait(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    cf_fin_wait_1_stuck(&f);
    fx_inject_to(&f, f.a, 301, 102, TCP_FIN | TCP_ACK, 65535, NULL);
    cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
    cf_timers(f.a, CF_T(TCP_TIMER_TIMEWAIT));
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT), 2 * f.w->host[FX_A].cfg.msl - 100);
    fx_fini(&f);
}

/* F4: FIN-WAIT-1, a FIN while our FIN is unacknowledged (simultaneous close) -> CLOSING. */
static void
test_fin_wait_1_fin_closing(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    cf_fin_wait_1_stuck(&f);
    fx_inject_to(&f, f.a, 301, 101, TCP_FIN | TCP_ACK, 65535, NULL);
    cf_state(f.a, TCP_CLOSING, TCP_RULE_FIN_CLOSING);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
    assert_int_equal(f.a->rcv_nxt, 302);
    cf_timers(f.a, CF_T(TCP_TIMER_TLP)); /* our FIN is still to be acknowledged (linux: the
                                             probe's timer stands in for rexmit, RFC 8985 7.2) */
    fx_fini(&f);
}

/* F5: FIN-WAIT-2, FIN: ACK it -> TIME-WAIT, 2MSL. */
static void
test_fin_wait_2_fin_time_wait(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_fin_wait_2(&f);
    assert_int_equal(tcp_close(f.b), TCP_OK);
    fx_run_ms(&f, 1.5);
    cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
    CF_EXPECT(&f, FX_B, {TCP_FIN | TCP_ACK, 301, 102, 0});
    cf_timers(f.a, CF_T(TCP_TIMER_TIMEWAIT)); /* tcp_fin_timeout cancelled */
    fx_fini(&f);
}

/* D1 (FIN-WAIT-1/2): in-order data is still delivered and acknowledged, to a socket that
   shut down its sending side (after a CLOSE it is answered with a RST instead: RFC 1122
   4.2.2.13, test_after_close.c). Linux 6.18.44: tests/linux/close-shutdown-wr-data.pkt. */
static void
test_fin_wait_data_delivered_acked(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_drop_all_from(&f, FX_B);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    assert_int_equal(f.a->state, TCP_FIN_WAIT_1);
    fx_mark(&f);
    fx_inject_to(&f, f.a, 301, 101, TCP_ACK, 65535, "hi");
    CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 303, 0});
    assert_int_equal(tcp_readable(f.a), 2);
    cf_state(f.a, TCP_FIN_WAIT_1, TCP_RULE_SHUTDOWN_SEND_FIN);
    fx_fini(&f);
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(f.a->state, TCP_FIN_WAIT_2);
    fx_mark(&f);
    cf_send(f.b, "yo!");
    fx_run_ms(&f, 1.5);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 304, 0});
    assert_int_equal(f.a->rcv_nxt, 304);
    assert_int_equal(tcp_readable(f.a), 3);
    cf_state(f.a, TCP_FIN_WAIT_2, TCP_RULE_FIN_WAIT_1_ACKED);
    cf_timers(f.a, CF_NO_TIMERS); /* tcp_fin_timeout is for closed sockets only */
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fin_wait_1_ack_of_fin_fin_wait_2),
        cmocka_unit_test(test_fin_wait_2_ack_stays),
        cmocka_unit_test(test_fin_wait_close_again_no_second_fin),
        cmocka_unit_test(test_fin_wait_1_fin_with_ack_time_wait),
        cmocka_unit_test(test_fin_wait_1_fin_closing),
        cmocka_unit_test(test_fin_wait_2_fin_time_wait),
        cmocka_unit_test(test_fin_wait_data_delivered_acked),
    };
    return cmocka_run_group_tests_name("fin_wait", tests, NULL, NULL);
}
