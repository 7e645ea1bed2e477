/*
 * test_listen.c - conformance rows for LISTEN: user calls (U6-U8) and SEGMENT ARRIVES
 * RFC 9293 §3.10.7.2 (L1-L7). B listens on port 80; segments are injected from A's address.
 */
#include "conf.h"

/* U6: SEND on a listener with a foreign socket: not offered (sockets cannot); EPIPE, as a
   6.18 kernel's write() on a listening socket (tests/packetdrill/state-listen-write-epipe.pkt). */
static void
test_listen_send_not_offered_epipe(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    size_t q = 9;
    assert_int_equal(tcp_send(f.l, "abc", 3, &q), TCP_EPIPE);
    assert_int_equal(q, 0);
    cf_state(f.l, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    CF_NONE(&f, FX_B);
    cf_timers(f.l, CF_NO_TIMERS);
    fx_fini(&f);
}

/* U7: CLOSE in LISTEN: delete the TCB -> CLOSED, nothing sent; RECEIVE then fails. */
static void
test_listen_close_closed(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    assert_int_equal(tcp_close(f.l), TCP_OK);
    cf_state(f.l, TCP_CLOSED, TCP_RULE_CLOSE_LISTEN);
    CF_NONE(&f, FX_B);
    cf_timers(f.l, CF_NO_TIMERS);
    char buf[4];
    size_t n = 0;
    assert_int_not_equal(tcp_receive(f.l, buf, sizeof buf, &n), TCP_OK);
    /* the port is free again: a SYN to it is refused */
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 100, 0, TCP_SYN, 512, NULL);
    CF_EXPECT(&f, FX_B, {TCP_RST | TCP_ACK, 0, 101, 0});
    fx_fini(&f);
}

/* U8: ABORT in LISTEN -> CLOSED, nothing sent. */
static void
test_listen_abort_closed_nothing_sent(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    assert_int_equal(tcp_abort(f.l), TCP_OK);
    cf_state(f.l, TCP_CLOSED, TCP_RULE_ABORT_SILENT);
    CF_NONE(&f, FX_B);
    cf_timers(f.l, CF_NO_TIMERS);
    fx_fini(&f);
}

/* L1: LISTEN, RST: ignore. */
static void
test_listen_rst_ignored(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    uint32_t n = f.w->nconns;
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 100, 0, TCP_RST, 0, NULL);
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 100, 5, TCP_RST | TCP_ACK, 0, NULL);
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 100, 0, TCP_RST | TCP_SYN, 0, NULL);
    cf_state(f.l, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    cf_rule(&f, TCP_RULE_LISTEN_RST_IGNORE);
    CF_NONE(&f, FX_B);
    assert_int_equal(f.w->nconns, n);
    cf_timers(f.l, CF_NO_TIMERS);
    fx_fini(&f);
}

/* L2: LISTEN, any ACK: <SEQ=SEG.ACK><CTL=RST>, stay in LISTEN. */
static void
test_listen_ack_rst_stays_listen(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    uint32_t n = f.w->nconns;
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 100, 4242, TCP_ACK, 512, NULL);
    CF_EXPECT(&f, FX_B, {TCP_RST, 4242, 0, 0});
    cf_rule(&f, TCP_RULE_LISTEN_ACK_RST);
    fx_mark(&f);
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 100, 99, TCP_SYN | TCP_ACK, 512, NULL);
    CF_EXPECT(&f, FX_B, {TCP_RST, 99, 0, 0});
    cf_state(f.l, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    assert_int_equal(f.w->nconns, n);
    cf_timers(f.l, CF_NO_TIMERS);
    fx_fini(&f);
}

/* L3: LISTEN, SYN: IRS, RCV.NXT, ISS, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>; new connection in
   SYN-RECEIVED, the listener stays in LISTEN. */
static void
test_listen_syn_syn_received_synack(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 1000, 0, TCP_SYN, 4000, NULL);
    struct tcp_conn *c = cf_newest(&f);
    assert_ptr_not_equal(c, f.l);
    cf_state(c, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    cf_state(f.l, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, FX_ISS_B, 1001, 0});
    assert_int_equal(c->irs, 1000);
    assert_int_equal(c->rcv_nxt, 1001);
    assert_int_equal(c->iss, FX_ISS_B);
    assert_int_equal(c->snd_una, FX_ISS_B);
    assert_int_equal(c->snd_nxt, FX_ISS_B + 1);
    assert_int_equal(c->rport, FX_CPORT);
    assert_int_equal(c->lport, FX_SPORT);
    cf_timers(c, CF_T(TCP_TIMER_REXMIT));
    cf_timers(f.l, CF_NO_TIMERS);
    struct tcp_conn *acc = NULL;
    assert_int_equal(tcp_accept(f.l, &acc), TCP_OK);
    assert_null(acc); /* not yet ESTABLISHED */
    fx_fini(&f);
}

/* L3': a SYN without an MSS option: SND.MSS is 536 (§3.7.1: "If an MSS Option is not
   received at connection setup, TCP implementations MUST assume a default send MSS of 536"),
   as Linux does (tests/linux/mss-syn-without-option.pkt: TCP_MAXSEG 536). */
static void
test_listen_syn_without_mss_assumes_536(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 1000, 0, TCP_SYN, 65535, NULL); /* no MSS option */
    struct tcp_conn *c = cf_newest(&f);
    assert_int_equal(c->snd_mss, 536);
    cf_drop_all_from(&f, FX_B);
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 1001, FX_ISS_B + 1, TCP_ACK, 65535, NULL);
    cf_state(c, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    fx_mark(&f);
    static char data[1000];
    size_t q = 0;
    assert_int_equal(tcp_send(c, data, sizeof data, &q), TCP_OK);
    CF_EXPECT(&f, FX_B, {TCP_ACK, FX_ISS_B + 1, 1001, 536}, {TCP_ACK | TCP_PSH, FX_ISS_B + 537, 1001, 464});
    fx_fini(&f);
}

/* L4: LISTEN, SYN with data: tcpsim does not keep the text (the peer sends it again once
   the connection is ESTABLISHED); the SYN,ACK acknowledges only the SYN. Documented. */
static void
test_listen_syn_with_data_text_not_acked(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 1000, 0, TCP_SYN, 4000, "early");
    struct tcp_conn *c = cf_newest(&f);
    cf_state(c, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, FX_ISS_B, 1001, 0});
    assert_int_equal(c->rcv_nxt, 1001);
    assert_int_equal(tcp_readable(c), 0);
    cf_timers(c, CF_T(TCP_TIMER_REXMIT));
    fx_fini(&f);
}

/* L5: LISTEN, SYN while the backlog is full: dropped silently (as Linux does). The SYN queue
   holds backlog + 1 embryonic connections; with tcp_syncookies 0 the next SYN gets no answer
   (tests/linux/listen-syn-flood-no-cookies.pkt; the cookies and the accept queue are in
   test_listen_queues.c). */
static void
test_listen_syn_backlog_full_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_B].cfg.syncookies = 0;
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.backlog = 1;
    assert_int_equal(tcp_open_passive(&f.w->host[FX_B], FX_SPORT, &o, &f.l), TCP_OK);
    cf_drop_all_from(&f, FX_B);
    fx_inject(&f, FX_B, 1001, FX_SPORT, 1000, 0, TCP_SYN, 4000, NULL);
    assert_int_equal(cf_newest(&f)->state, TCP_SYN_RECEIVED);
    fx_inject(&f, FX_B, 1002, FX_SPORT, 1000, 0, TCP_SYN, 4000, NULL);
    assert_int_equal(cf_newest(&f)->state, TCP_SYN_RECEIVED);
    uint32_t n = f.w->nconns;
    fx_mark(&f);
    fx_inject(&f, FX_B, 1003, FX_SPORT, 2000, 0, TCP_SYN, 4000, NULL);
    CF_NONE(&f, FX_B);
    cf_rule(&f, TCP_RULE_LISTEN_SYN_QUEUE_FULL);
    assert_int_equal(f.w->nconns, n);
    cf_state(f.l, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    cf_timers(f.l, CF_NO_TIMERS);
    fx_fini(&f);
}

/* L6: LISTEN, neither SYN, RST nor ACK (text, URG, PSH): drop, nothing sent. */
static void
test_listen_other_segment_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    uint32_t n = f.w->nconns;
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 100, 0, TCP_PSH, 512, "text");
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 100, 0, TCP_URG, 512, NULL);
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 100, 0, 0, 512, "bare");
    CF_NONE(&f, FX_B);
    cf_rule(&f, TCP_RULE_LISTEN_OTHER_DROP);
    assert_int_equal(f.w->nconns, n);
    cf_state(f.l, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    cf_timers(f.l, CF_NO_TIMERS);
    fx_fini(&f);
}

/* L7: LISTEN, FIN only: no SYN, so dropped; nothing sent. */
static void
test_listen_fin_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    uint32_t n = f.w->nconns;
    fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 100, 0, TCP_FIN, 512, NULL);
    CF_NONE(&f, FX_B);
    cf_rule(&f, TCP_RULE_LISTEN_OTHER_DROP);
    assert_int_equal(f.w->nconns, n);
    cf_state(f.l, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listen_send_not_offered_epipe),
        cmocka_unit_test(test_listen_close_closed),
        cmocka_unit_test(test_listen_abort_closed_nothing_sent),
        cmocka_unit_test(test_listen_rst_ignored),
        cmocka_unit_test(test_listen_ack_rst_stays_listen),
        cmocka_unit_test(test_listen_syn_syn_received_synack),
        cmocka_unit_test(test_listen_syn_without_mss_assumes_536),
        cmocka_unit_test(test_listen_syn_with_data_text_not_acked),
        cmocka_unit_test(test_listen_syn_backlog_full_dropped),
        cmocka_unit_test(test_listen_other_segment_dropped),
        cmocka_unit_test(test_listen_fin_dropped),
    };
    return cmocka_run_group_tests_name("listen", tests, NULL, NULL);
}
