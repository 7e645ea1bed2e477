/*
 * test_syn_received.c - conformance rows for SYN-RECEIVED (RFC 9293 §3.10.7.4): R1-R7, and the
 * user calls U10 (SEND) and U12 (CLOSE) there. A passive SYN-RECEIVED connection is B's child
 * of its listener after an injected SYN <SEQ=100> (cf_syn_received_passive); an active one is
 * A after a simultaneous open whose SYN,ACK from B was lost (cf_syn_received_active).
 */
#include "conf.h"

/* U10: SEND in SYN-RECEIVED: queued, sent once ESTABLISHED. */
static void
test_syn_received_send_queued_until_established(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    cf_syn_received_active(&f);
    cf_send(f.a, "hi");
    CF_NONE(&f, FX_A);
    cf_state(f.a, TCP_SYN_RECEIVED, TCP_RULE_SYN_SENT_SIM_OPEN);
    fx_inject_to(&f, f.a, 300, 101, TCP_SYN | TCP_ACK, 8000, NULL);
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 2});
    cf_timers(f.a, CF_T(TCP_TIMER_TLP)); /* linux: the tail loss probe's timer stands in for rexmit (RFC 8985 7.2) */
    fx_fini(&f);
}

/* U12: CLOSE in SYN-RECEIVED with nothing queued: send FIN -> FIN-WAIT-1. */
static void
test_syn_received_close_fin_wait_1(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    cf_syn_received_active(&f);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    cf_state(f.a, TCP_FIN_WAIT_1, TCP_RULE_CLOSE_SEND_FIN);
    CF_EXPECT(&f, FX_A, {TCP_FIN | TCP_ACK, 101, 301, 0});
    assert_int_equal(f.a->snd_nxt, 102);
    cf_timers(f.a, CF_T(TCP_TIMER_REXMIT));
    fx_fini(&f);
}

/* U12, second half: CLOSE in SYN-RECEIVED with data queued: nothing goes out until our SYN
   is acknowledged; then the data and the FIN after it. (tcpsim enters FIN-WAIT-1 at once,
   as Linux does, where the RFC waits in SYN-RECEIVED: documented.) */
static void
test_syn_received_close_with_data_waits_for_ack(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    cf_syn_received_active(&f);
    cf_send(f.a, "hi");
    assert_int_equal(tcp_close(f.a), TCP_OK);
    CF_NONE(&f, FX_A);
    assert_int_equal(f.a->snd_nxt, 101);
    fx_mark(&f);
    fx_inject_to(&f, f.a, 301, 101, TCP_ACK, 8000, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 2}, {TCP_FIN | TCP_ACK, 103, 301, 0});
    cf_state(f.a, TCP_FIN_WAIT_1, TCP_RULE_CLOSE_SEND_FIN);
    cf_timers(f.a, CF_T(TCP_TIMER_TLP)); /* linux: the tail loss probe's timer stands in for rexmit (RFC 8985 7.2) */
    fx_fini(&f);
}

/* R1: SYN-RECEIVED from LISTEN, RST: the new connection goes, the listener remains. */
static void
test_syn_received_rst_passive_back_to_listen(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    struct tcp_conn *c = cf_syn_received_passive(&f);
    fx_inject_to(&f, c, 101, 0, TCP_RST, 0, NULL);
    cf_state(c, TCP_CLOSED, TCP_RULE_RST_TO_LISTEN);
    assert_int_equal(c->error, TCP_OK);
    cf_state(f.l, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    assert_int_equal(f.l->synq_len, 0); /* its place in the SYN queue is free again */
    CF_NONE(&f, FX_B);
    cf_timers(c, CF_NO_TIMERS);
    /* the listener still takes a new SYN */
    fx_mark(&f);
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 500, 0, TCP_SYN, 512, NULL);
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, 300, 501, 0});
    fx_fini(&f);
}

/* R2: SYN-RECEIVED from an active OPEN, RST: "connection refused" -> CLOSED. */
static void
test_syn_received_rst_active_refused(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    cf_syn_received_active(&f);
    cf_drop_all_from(&f, FX_A);
    fx_inject_to(&f, f.a, 301, 0, TCP_RST, 0, NULL);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_RST_REFUSED);
    assert_int_equal(f.a->error, TCP_ECONNREFUSED);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* R3: SYN-RECEIVED, SND.UNA < SEG.ACK =< SND.NXT: ESTABLISHED, SND.WND/WL1/WL2 set, accept()
   returns the connection. */
static void
test_syn_received_ack_established_accept(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    struct tcp_conn *c = cf_syn_received_passive(&f);
    fx_inject_to(&f, c, 101, 301, TCP_ACK, 5000, NULL);
    cf_state(c, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    assert_int_equal(c->snd_una, 301);
    assert_int_equal(c->snd_wnd, 5000);
    assert_int_equal(c->snd_wl1, 101);
    assert_int_equal(c->snd_wl2, 301);
    CF_NONE(&f, FX_B);
    cf_timers(c, CF_NO_TIMERS);
    struct tcp_conn *acc = NULL;
    assert_int_equal(tcp_accept(f.l, &acc), TCP_OK);
    assert_ptr_equal(acc, c);
    fx_fini(&f);
}

/* R4: SYN-RECEIVED, unacceptable ACK: <SEQ=SEG.ACK><CTL=RST>; the connection stays. */
static void
test_syn_received_bad_ack_rst(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    struct tcp_conn *c = cf_syn_received_passive(&f);
    fx_inject_to(&f, c, 101, 999, TCP_ACK, 5000, NULL);
    CF_EXPECT(&f, FX_B, {TCP_RST, 999, 0, 0});
    cf_rule(&f, TCP_RULE_SYN_RCVD_BAD_ACK_RST);
    cf_state(c, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    assert_int_equal(c->snd_una, 300);
    cf_timers(c, CF_T(TCP_TIMER_REXMIT));
    fx_fini(&f);
}

/* R5: SYN-RECEIVED, FIN (with the ACK of our SYN): CLOSE-WAIT, the FIN is acknowledged. */
static void
test_syn_received_fin_close_wait(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    struct tcp_conn *c = cf_syn_received_passive(&f);
    fx_inject_to(&f, c, 101, 301, TCP_FIN | TCP_ACK, 5000, NULL);
    cf_state(c, TCP_CLOSE_WAIT, TCP_RULE_FIN_CLOSE_WAIT);
    cf_rule(&f, TCP_RULE_SYN_RCVD_ACKED);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 102, 0});
    assert_int_equal(c->rcv_nxt, 102);
    cf_timers(c, CF_NO_TIMERS);
    fx_fini(&f);
}

/* R6: SYN-RECEIVED after a simultaneous open, SYN,ACK acknowledging our SYN: ESTABLISHED,
   no RST. */
static void
test_syn_received_synack_simultaneous_established(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    cf_syn_received_active(&f);
    fx_inject_to(&f, f.a, 300, 101, TCP_SYN | TCP_ACK, 8000, NULL);
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    CF_NONE(&f, FX_A);
    assert_false(fx_rule_seen(&f, TCP_RULE_SYN_RCVD_BAD_ACK_RST));
    assert_int_equal(f.a->snd_una, 101);
    assert_int_equal(f.a->rcv_nxt, 301);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* R7: SYN-RECEIVED, the peer's SYN again: the SYN,ACK is sent again, no new connection. */
static void
test_syn_received_dup_syn_resends_synack(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    struct tcp_conn *c = cf_syn_received_passive(&f);
    uint32_t n = f.w->nconns;
    fx_inject_to(&f, c, 100, 0, TCP_SYN, 5000, NULL);
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, 300, 101, 0});
    cf_rule(&f, TCP_RULE_SYN_RCVD_DUP_SYN);
    assert_int_equal(f.w->nconns, n);
    cf_state(c, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    cf_timers(c, CF_T(TCP_TIMER_REXMIT));
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syn_received_send_queued_until_established),
        cmocka_unit_test(test_syn_received_close_fin_wait_1),
        cmocka_unit_test(test_syn_received_close_with_data_waits_for_ack),
        cmocka_unit_test(test_syn_received_rst_passive_back_to_listen),
        cmocka_unit_test(test_syn_received_rst_active_refused),
        cmocka_unit_test(test_syn_received_ack_established_accept),
        cmocka_unit_test(test_syn_received_bad_ack_rst),
        cmocka_unit_test(test_syn_received_fin_close_wait),
        cmocka_unit_test(test_syn_received_synack_simultaneous_established),
        cmocka_unit_test(test_syn_received_dup_syn_resends_synack),
    };
    return cmocka_run_group_tests_name("syn_received", tests, NULL, NULL);
}
