/*
 * test_closing_states.c - conformance rows for CLOSE-WAIT, CLOSING and LAST-ACK (RFC 9293
 * §3.10.4, §3.10.7.4): SEND and CLOSE in CLOSE-WAIT (U16, U19), RECEIVE to EOF (U23), the ACK of
 * our FIN (X13-X15), RST (X4), text after the peer's FIN (D2), a retransmitted FIN (F6).
 */
#include "conf.h"

/* U16 (CLOSE-WAIT): SEND still works after the peer's FIN; retransmission timer armed (under
   linux its stand-in, the tail loss probe's timer, RFC 8985 7.2). */
static void
test_close_wait_send_data_sent(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_fin_wait_2(&f);
    cf_send(f.b, "xyz");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 102, 3});
    cf_state(f.b, TCP_CLOSE_WAIT, TCP_RULE_FIN_CLOSE_WAIT);
    cf_timers(f.b, CF_T(TCP_TIMER_TLP));
    fx_fini(&f);
}

/* U19: CLOSE in CLOSE-WAIT: FIN after the pending data -> LAST-ACK. */
static void
test_close_wait_close_last_ack(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_fin_wait_2(&f);
    cf_send(f.b, "end");
    assert_int_equal(tcp_close(f.b), TCP_OK);
    cf_state(f.b, TCP_LAST_ACK, TCP_RULE_CLOSE_WAIT_FIN);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 102, 3}, {TCP_FIN | TCP_ACK, 304, 102, 0});
    assert_int_equal(f.b->snd_nxt, 305);
    cf_timers(f.b, CF_T(TCP_TIMER_TLP)); /* linux: the tail loss probe's timer stands in for rexmit (RFC 8985 7.2) */
    fx_fini(&f);
}

/* U23: RECEIVE in CLOSE-WAIT: the remaining data, then "connection closing" (EOF). */
static void
test_close_wait_receive_data_then_eof(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_send(f.a, "last words");
    assert_int_equal(tcp_close(f.a), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(f.b->state, TCP_CLOSE_WAIT);
    fx_mark(&f);
    char buf[32];
    size_t got = 0;
    assert_int_equal(tcp_receive(f.b, buf, 4, &got), TCP_OK);
    assert_int_equal(got, 4);
    assert_int_equal(cf_recv(f.b, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, " words");
    assert_int_equal(cf_recv(f.b, buf, sizeof buf), TCP_EOF);
    assert_string_equal(tcp_err_text(TCP_EOF), "connection closing");
    cf_state(f.b, TCP_CLOSE_WAIT, TCP_RULE_FIN_CLOSE_WAIT);
    CF_NONE(&f, FX_B);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* X13: CLOSING, the ACK of our FIN -> TIME-WAIT, 2MSL. */
static void
test_closing_ack_of_fin_time_wait(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_closing(&f);
    cf_timers(f.a, CF_T(TCP_TIMER_TLP)); /* linux: the tail loss probe's timer stands in for rexmit (RFC 8985 7.2) */
    fx_run_ms(&f, 1);
    cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_CLOSING_ACKED);
    cf_state(f.b, TCP_TIME_WAIT, TCP_RULE_CLOSING_ACKED);
    CF_NONE(&f, FX_A);
    CF_NONE(&f, FX_B);
    cf_timers(f.a, CF_T(TCP_TIMER_TIMEWAIT));
    cf_timers(f.b, CF_T(TCP_TIMER_TIMEWAIT));
    assert_true(tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT) > 2 * f.w->host[FX_A].cfg.msl - CLK_MSEC(1));
    fx_fini(&f);
}

/* X14: LAST-ACK, the ACK of our FIN -> CLOSED. */
static void
test_last_ack_ack_of_fin_closed(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_last_ack(&f);
    fx_inject_to(&f, f.b, 102, 302, TCP_ACK, 65535, NULL);
    cf_state(f.b, TCP_CLOSED, TCP_RULE_LAST_ACK_ACKED);
    assert_int_equal(f.b->error, TCP_OK);
    CF_NONE(&f, FX_B);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* X15: CLOSE-WAIT, an ACK is processed as in ESTABLISHED. (A only shut down its sending
   side: after a CLOSE, B's data would be answered with a RST, RFC 1122 4.2.2.13.) */
static void
test_close_wait_ack_as_established(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(f.b->state, TCP_CLOSE_WAIT);
    fx_mark(&f);
    cf_send(f.b, "xyz");
    cf_timers(f.b, CF_T(TCP_TIMER_TLP)); /* linux: the tail loss probe's timer stands in for rexmit (RFC 8985 7.2) */
    fx_run_ms(&f, 3);
    assert_int_equal(f.b->snd_una, 304);
    assert_int_equal(f.b->sndq.len, 0);
    cf_state(f.b, TCP_CLOSE_WAIT, TCP_RULE_FIN_CLOSE_WAIT);
    cf_timers(f.b, CF_NO_TIMERS);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 102, 3});
    fx_fini(&f);
}

/* X4: CLOSING, LAST-ACK: RST at RCV.NXT -> CLOSED (TIME-WAIT: see T4). */
static void
test_closing_last_ack_rst_closed(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    cf_closing_stuck(&f);
    fx_inject_to(&f, f.a, f.a->rcv_nxt, 0, TCP_RST, 0, NULL);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_RST_CLOSE);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
    fx_init(&f, false);
    fx_last_ack(&f);
    fx_inject_to(&f, f.b, f.b->rcv_nxt, 0, TCP_RST, 0, NULL);
    cf_state(f.b, TCP_CLOSED, TCP_RULE_RST_CLOSE);
    CF_NONE(&f, FX_B);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* D2: CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: text after the peer's FIN is ignored.
   TIME-WAIT under `linux` (tw_linux) answers it with an ACK instead, as a 6.18 kernel did
   (TIME_WAIT_ACK; test_time_wait_data_at_rcv_nxt_acked); its text is not taken either. */
static void
test_closing_states_data_ignored(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    static const struct {
        void (*setup)(struct fx *f);
        bool on_b;
        enum tcp_state state;
    } cases[] = {
        {fx_fin_wait_2, true, TCP_CLOSE_WAIT},
        {cf_closing_stuck, false, TCP_CLOSING},
        {fx_last_ack, true, TCP_LAST_ACK},
        {fx_time_wait, false, TCP_TIME_WAIT},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct fx f;
        fx_init(&f, false);
        cases[k].setup(&f);
        cf_drop_all_from(&f, cases[k].on_b ? FX_A : FX_B);
        struct tcp_conn *c = cases[k].on_b ? f.b : f.a;
        uint32_t nxt = c->rcv_nxt, readable = tcp_readable(c);
        fx_inject_to(&f, c, nxt, c->snd_una, TCP_ACK, 65535, "late");
        assert_int_equal(c->state, cases[k].state);
        assert_int_equal(c->rcv_nxt, nxt);
        assert_int_equal(tcp_readable(c), readable);
        cf_rule(&f, cases[k].state == TCP_TIME_WAIT ? TCP_RULE_TIME_WAIT_ACK : TCP_RULE_TEXT_IGNORED);
        fx_fini(&f);
    }
}

/* F6: CLOSE-WAIT, CLOSING, LAST-ACK: a retransmitted FIN: stay, acknowledge it again. */
static void
test_closing_states_fin_again_reacked(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    static const struct {
        void (*setup)(struct fx *f);
        bool on_b;
        enum tcp_state state;
    } cases[] = {
        {fx_fin_wait_2, true, TCP_CLOSE_WAIT},
        {cf_closing_stuck, false, TCP_CLOSING},
        {fx_last_ack, true, TCP_LAST_ACK},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct fx f;
        fx_init(&f, false);
        cases[k].setup(&f);
        struct tcp_conn *c = cases[k].on_b ? f.b : f.a;
        int host = c->host->index;
        fx_inject_to(&f, c, c->rcv_nxt - 1, c->snd_una, TCP_FIN | TCP_ACK, 65535, NULL);
        assert_int_equal(c->state, cases[k].state);
        CF_EXPECT(&f, host, {TCP_ACK, c->snd_nxt, c->rcv_nxt, 0});
        cf_rule(&f, TCP_RULE_FIN_AGAIN);
        fx_fini(&f);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_close_wait_send_data_sent),
        cmocka_unit_test(test_close_wait_close_last_ack),
        cmocka_unit_test(test_close_wait_receive_data_then_eof),
        cmocka_unit_test(test_closing_ack_of_fin_time_wait),
        cmocka_unit_test(test_last_ack_ack_of_fin_closed),
        cmocka_unit_test(test_close_wait_ack_as_established),
        cmocka_unit_test(test_closing_last_ack_rst_closed),
        cmocka_unit_test(test_closing_states_data_ignored),
        cmocka_unit_test(test_closing_states_fin_again_reacked),
    };
    return cmocka_run_group_tests_name("closing_states", tests, NULL, NULL);
}
