/*
 * test_syn_sent.c - conformance rows for SYN-SENT: user calls (U10, U11, U13) and SEGMENT
 * ARRIVES RFC 9293 §3.10.7.3 (S1-S9), plus F1. A connects from port 40000 with ISS 100; its
 * SYN is dropped on the wire (fx_syn_sent), so segments are injected as if from B (ISS 300).
 */
#include "conf.h"

/* U10: SEND in SYN-SENT: the data is queued and sent once ESTABLISHED. */
static void
test_syn_sent_send_queued_until_established(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    cf_drop_flags(&f, FX_A, TCP_SYN, 1);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &f.a), TCP_OK);
    fx_run_ms(&f, 5);
    fx_mark(&f);
    cf_send(f.a, "hello");
    CF_NONE(&f, FX_A);
    cf_state(f.a, TCP_SYN_SENT, TCP_RULE_OPEN_ACTIVE);
    cf_timers(f.a, CF_T(TCP_TIMER_REXMIT));
    fx_run_ms(&f, 1000); /* the SYN is retransmitted at 1 s, the handshake completes */
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    CF_EXPECT(&f, FX_A, {TCP_SYN, 100, 0, 0}, {TCP_ACK, 101, 301, 0}, {TCP_ACK, 101, 301, 5});
    assert_int_equal(f.a->snd_una, 106);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* U11: CLOSE in SYN-SENT: delete the TCB -> CLOSED, nothing sent. */
static void
test_syn_sent_close_closed_nothing_sent(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_syn_sent(&f);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_CLOSE_SYN_SENT);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_NO_TIMERS);
    size_t n = 0;
    assert_int_not_equal(tcp_send(f.a, "x", 1, &n), TCP_OK);
    fx_run_ms(&f, 5000);
    CF_NONE(&f, FX_A); /* no SYN retransmission either */
    fx_fini(&f);
}

/* U13: ABORT in SYN-SENT: delete the TCB -> CLOSED, nothing sent. */
static void
test_syn_sent_abort_closed_nothing_sent(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_syn_sent(&f);
    assert_int_equal(tcp_abort(f.a), TCP_OK);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_ABORT_SILENT);
    fx_run_ms(&f, 5000);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* S1: SYN-SENT, ACK with SEG.ACK =< ISS or > SND.NXT, no RST: <SEQ=SEG.ACK><CTL=RST>, stay. */
static void
test_syn_sent_unacceptable_ack_rst_stays(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_syn_sent(&f);
    fx_inject_to(&f, f.a, 300, 100, TCP_ACK, 512, NULL); /* SEG.ACK = ISS */
    CF_EXPECT(&f, FX_A, {TCP_RST, 100, 0, 0});
    cf_rule(&f, TCP_RULE_SYN_SENT_BAD_ACK_RST);
    fx_mark(&f);
    fx_inject_to(&f, f.a, 300, 500, TCP_SYN | TCP_ACK, 512, NULL); /* SEG.ACK > SND.NXT */
    CF_EXPECT(&f, FX_A, {TCP_RST, 500, 0, 0});
    cf_state(f.a, TCP_SYN_SENT, TCP_RULE_OPEN_ACTIVE);
    assert_int_equal(f.a->snd_una, 100);
    cf_timers(f.a, CF_T(TCP_TIMER_REXMIT));
    fx_fini(&f);
}

/* S2: SYN-SENT, unacceptable ACK on an RST: drop, nothing sent. */
static void
test_syn_sent_unacceptable_ack_with_rst_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_syn_sent(&f);
    fx_inject_to(&f, f.a, 300, 500, TCP_RST | TCP_ACK, 0, NULL);
    CF_NONE(&f, FX_A);
    cf_rule(&f, TCP_RULE_SYN_SENT_BAD_ACK_DROP);
    cf_state(f.a, TCP_SYN_SENT, TCP_RULE_OPEN_ACTIVE);
    cf_timers(f.a, CF_T(TCP_TIMER_REXMIT));
    fx_fini(&f);
}

/* S2b: Linux, an unacceptable ACK (on a RST or not) before any retransmission: the SYN goes
   again at once, as the peer may have missed it (tcp_rcv_synsent_state_process sets the
   timer to TCP_TIMEOUT_MIN: a 6.18 kernel resent it 9 ms after a RST,ACK with a bad ACK,
   tests/packetdrill/syn-sent-bad-ack-resend.pkt); once it has been resent, a bad ACK no
   longer hurries it. The rfc preset keeps its timer. */
static void
test_syn_sent_unacceptable_ack_resends_syn_soon(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_syn_sent(&f);
    /* B has no listener: its RST would end it; the SYNs go no further than the wire */
    struct wire_rule r = {.from = FX_A, .flags = TCP_SYN, .len = -1, .nth = 1, .count = 100, .action = WIRE_DROP};
    assert_true(wire_rule_add(f.w, &r) > 0);
    fx_inject_to(&f, f.a, 300, 500, TCP_RST | TCP_ACK, 0, NULL);
    assert_true(fx_rule_seen(&f, TCP_RULE_SYN_SENT_BAD_ACK_RESEND));
    fx_run_ms(&f, 7);
    CF_NONE(&f, FX_A);
    fx_run_ms(&f, 5);
    CF_EXPECT(&f, FX_A, {TCP_SYN, 100, 0, 0});
    fx_mark(&f);
    fx_inject_to(&f, f.a, 300, 500, TCP_ACK, 0, NULL);
    CF_EXPECT(&f, FX_A, {TCP_RST, 500, 0, 0});
    assert_false(fx_rule_seen(&f, TCP_RULE_SYN_SENT_BAD_ACK_RESEND));
    fx_mark(&f);
    fx_run_ms(&f, 980);
    CF_NONE(&f, FX_A);
    fx_run_ms(&f, 30);
    CF_EXPECT(&f, FX_A, {TCP_SYN, 100, 0, 0});
    fx_fini(&f);

    fx_init(&f, true);
    fx_syn_sent(&f);
    fx_inject_to(&f, f.a, 300, 500, TCP_RST | TCP_ACK, 0, NULL);
    assert_false(fx_rule_seen(&f, TCP_RULE_SYN_SENT_BAD_ACK_RESEND));
    fx_run_ms(&f, 900);
    CF_NONE(&f, FX_A);
    fx_fini(&f);
}

/* S3: SYN-SENT, RST with an acceptable ACK: "connection reset" (refused) -> CLOSED. The RST
   comes from B's closed port 81, as a real refusal does. */
static void
test_syn_sent_rst_with_acceptable_ack_refused(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_mark(&f);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, 81, &o, &f.a), TCP_OK);
    fx_run_ms(&f, 5);
    CF_EXPECT(&f, FX_B, {TCP_RST | TCP_ACK, 0, 101, 0});
    CF_EXPECT(&f, FX_A, {TCP_SYN, 100, 0, 0});
    cf_state(f.a, TCP_CLOSED, TCP_RULE_SYN_SENT_RST_REFUSED);
    assert_int_equal(f.a->error, TCP_ECONNREFUSED);
    cf_timers(f.a, CF_NO_TIMERS);
    size_t n = 0;
    assert_int_equal(tcp_send(f.a, "x", 1, &n), TCP_ECONNREFUSED);
    fx_fini(&f);
}

/* S4: SYN-SENT, RST without ACK: dropped (RFC 5961 §3). */
static void
test_syn_sent_rst_without_ack_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_syn_sent(&f);
    fx_inject_to(&f, f.a, 0, 0, TCP_RST, 0, NULL);
    CF_NONE(&f, FX_A);
    cf_rule(&f, TCP_RULE_SYN_SENT_RST_DROP);
    cf_state(f.a, TCP_SYN_SENT, TCP_RULE_OPEN_ACTIVE);
    cf_timers(f.a, CF_T(TCP_TIMER_REXMIT));
    fx_fini(&f);
}

/* S5: SYN-SENT, acceptable SYN,ACK: RCV.NXT, IRS, SND.UNA set, <SEQ=SND.NXT><ACK=RCV.NXT>
   <CTL=ACK> -> ESTABLISHED; the retransmission timer is cancelled. */
static void
test_syn_sent_synack_established(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_syn_sent(&f);
    fx_inject_to(&f, f.a, 300, 101, TCP_SYN | TCP_ACK, 8000, NULL);
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    assert_int_equal(f.a->irs, 300);
    assert_int_equal(f.a->rcv_nxt, 301);
    assert_int_equal(f.a->snd_una, 101);
    assert_int_equal(f.a->snd_nxt, 101);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* S6: SYN-SENT, SYN without ACK (simultaneous open): <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
   -> SYN-RECEIVED. */
static void
test_syn_sent_syn_simultaneous_open_syn_received(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_syn_sent(&f);
    fx_inject_to(&f, f.a, 300, 0, TCP_SYN, 8000, NULL);
    cf_state(f.a, TCP_SYN_RECEIVED, TCP_RULE_SYN_SENT_SIM_OPEN);
    CF_EXPECT(&f, FX_A, {TCP_SYN | TCP_ACK, 100, 301, 0});
    assert_int_equal(f.a->irs, 300);
    assert_int_equal(f.a->rcv_nxt, 301);
    assert_int_equal(f.a->snd_una, 100);
    assert_int_equal(f.a->snd_nxt, 101);
    cf_timers(f.a, CF_T(TCP_TIMER_REXMIT));
    fx_fini(&f);
}

/* S7: SYN-SENT, neither SYN nor RST: drop. */
static void
test_syn_sent_no_syn_no_rst_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_syn_sent(&f);
    fx_inject_to(&f, f.a, 300, 101, TCP_ACK, 8000, "data");
    fx_inject_to(&f, f.a, 300, 0, TCP_PSH, 8000, "data");
    CF_NONE(&f, FX_A);
    cf_rule(&f, TCP_RULE_SYN_SENT_OTHER_DROP);
    cf_state(f.a, TCP_SYN_SENT, TCP_RULE_OPEN_ACTIVE);
    assert_int_equal(f.a->snd_una, 100);
    assert_int_equal(tcp_readable(f.a), 0);
    cf_timers(f.a, CF_T(TCP_TIMER_REXMIT));
    fx_fini(&f);
}

/* S8: SYN-SENT, SYN,ACK with data: the data is queued in order and the ACK covers it. */
static void
test_syn_sent_synack_with_data_delivered(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_syn_sent(&f);
    fx_inject_to(&f, f.a, 300, 101, TCP_SYN | TCP_ACK, 8000, "hello");
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 306, 0});
    char buf[16];
    assert_int_equal(cf_recv(f.a, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, "hello");
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* S9: SND.WND from the SYN,ACK's window; SND.WL1 = SEG.SEQ, SND.WL2 = SEG.ACK. */
static void
test_syn_sent_synack_sets_send_window(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_syn_sent(&f);
    fx_inject_to(&f, f.a, 300, 101, TCP_SYN | TCP_ACK, 1234, NULL);
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    assert_int_equal(f.a->snd_wnd, 1234);
    assert_int_equal(f.a->snd_wl1, 300);
    assert_int_equal(f.a->snd_wl2, 101);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* F1: a FIN in SYN-SENT (and LISTEN, see L7) is not processed: SEG.SEQ cannot be validated.
   In CLOSED §3.10.7.1 answers any non-RST segment with a reset first (see C2). */
static void
test_syn_sent_fin_not_processed(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_syn_sent(&f);
    fx_inject_to(&f, f.a, 300, 0, TCP_FIN, 8000, NULL);
    CF_NONE(&f, FX_A);
    cf_state(f.a, TCP_SYN_SENT, TCP_RULE_OPEN_ACTIVE);
    assert_false(f.a->fin_rcvd);
    assert_int_equal(f.a->rcv_nxt, 0);
    cf_timers(f.a, CF_T(TCP_TIMER_REXMIT));
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syn_sent_send_queued_until_established),
        cmocka_unit_test(test_syn_sent_close_closed_nothing_sent),
        cmocka_unit_test(test_syn_sent_abort_closed_nothing_sent),
        cmocka_unit_test(test_syn_sent_unacceptable_ack_rst_stays),
        cmocka_unit_test(test_syn_sent_unacceptable_ack_with_rst_dropped),
        cmocka_unit_test(test_syn_sent_unacceptable_ack_resends_syn_soon),
        cmocka_unit_test(test_syn_sent_rst_with_acceptable_ack_refused),
        cmocka_unit_test(test_syn_sent_rst_without_ack_dropped),
        cmocka_unit_test(test_syn_sent_synack_established),
        cmocka_unit_test(test_syn_sent_syn_simultaneous_open_syn_received),
        cmocka_unit_test(test_syn_sent_no_syn_no_rst_dropped),
        cmocka_unit_test(test_syn_sent_synack_with_data_delivered),
        cmocka_unit_test(test_syn_sent_synack_sets_send_window),
        cmocka_unit_test(test_syn_sent_fin_not_processed),
    };
    return cmocka_run_group_tests_name("syn_sent", tests, NULL, NULL);
}
