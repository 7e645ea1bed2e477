/*
 * test_established.c - conformance rows for ESTABLISHED and the general sequence test of
 * RFC 9293 §3.10.7.4: user calls (U16, U18, U22, U26, U27), acceptability and trimming (Q1-Q5),
 * RST and SYN in the synchronized states (X1-X3, X5, X6), the ACK field (X7-X10), text and FIN
 * (D1, D3, D4, F2, F8). A connected from 40000 with ISS 100, B accepted on 80 with ISS 300:
 * A's SND.NXT = B's RCV.NXT = 101, B's SND.NXT = A's RCV.NXT = 301.
 *
 * When a test injects segments that the real peer never sent, the host under test's replies
 * are dropped on the wire (cf_drop_all_from) so the peer does not answer them in turn.
 */
#include "conf.h"

/* The connections in synchronized states that X1-X3 and X5 exercise. */
struct sync_case {
    void (*setup)(struct fx *f);
    bool on_b;               /* the connection under test is B's (else A's) */
    enum tcp_state state;
};

static const struct sync_case sync_cases[] = {
    {fx_established, true, TCP_ESTABLISHED},
    {cf_fin_wait_1_stuck, false, TCP_FIN_WAIT_1},
    {fx_fin_wait_2, false, TCP_FIN_WAIT_2},
    {fx_fin_wait_2, true, TCP_CLOSE_WAIT},
    {cf_closing_stuck, false, TCP_CLOSING},
    {fx_last_ack, true, TCP_LAST_ACK},
};

/* Small receive buffer on B: B advertises 'rcv_buf' octets. Everything B sends afterwards is
   dropped, so injected segments are answered only on the record. */
static void
established_small_window(struct fx *f, int rcv_buf)
{
    f->w->host[FX_B].cfg.rmem[1] = rcv_buf;
    fx_established(f);
    cf_drop_all_from(f, FX_B);
    fx_mark(f);
}

/* U16: SEND in ESTABLISHED: segmentized (MSS) within the send window; retransmission timer
   (under linux its stand-in, the tail loss probe's timer: 2*SRTT for two segments, under the
   RTO, RFC 8985 7.2). */
static void
test_established_send_segmentized_in_window(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_B].cfg.rmem[1] = 2000;
    fx_established(&f);
    static char data[3000];
    memset(data, 'x', sizeof data);
    size_t q = 0;
    assert_int_equal(tcp_send(f.a, data, sizeof data, &q), TCP_OK);
    assert_int_equal(q, sizeof data);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 1460}, {TCP_ACK, 1561, 301, 540});
    assert_int_equal(f.a->snd_nxt, 2101);
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    cf_timers(f.a, CF_T(TCP_TIMER_TLP));
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_TLP), 2 * f.a->srtt);
    assert_int_equal(f.a->rto_deadline - world_now(f.w), f.a->rto);
    fx_fini(&f);
}

/* U18: CLOSE in ESTABLISHED: the FIN goes after the pending data -> FIN-WAIT-1. */
static void
test_established_close_fin_after_data(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_send(f.a, "hello");
    assert_int_equal(tcp_close(f.a), TCP_OK);
    cf_state(f.a, TCP_FIN_WAIT_1, TCP_RULE_CLOSE_SEND_FIN);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 5}, {TCP_FIN | TCP_ACK, 106, 301, 0});
    assert_int_equal(f.a->snd_nxt, 107);
    cf_timers(f.a, CF_T(TCP_TIMER_TLP)); /* linux: the tail loss probe's timer stands in for rexmit (RFC 8985 7.2) */
    fx_fini(&f);
}

/* U22: RECEIVE in ESTABLISHED: buffered data is returned; none yet: nothing (no blocking). */
static void
test_established_receive_buffered_data(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    char buf[32];
    size_t got = 7;
    assert_int_equal(tcp_receive(f.a, buf, sizeof buf, &got), TCP_OK);
    assert_int_equal(got, 0);
    cf_send(f.b, "hello world");
    fx_run_ms(&f, 5);
    fx_mark(&f);
    assert_int_equal(tcp_receive(f.a, buf, 5, &got), TCP_OK);
    assert_int_equal(got, 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(cf_recv(f.a, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, " world");
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    CF_NONE(&f, FX_A); /* the window never closed: no update needed */
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* RECEIVE with no buffer (MSG_TRUNC): the octets are consumed without a copy, the stream goes
   on after them, and the window opens as after an ordinary read. */
static void
test_established_receive_discard_consumes(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_send(f.b, "hello world");
    fx_run_ms(&f, 5);
    size_t got = 0;
    assert_int_equal(tcp_receive(f.a, NULL, 6, &got), TCP_OK);
    assert_int_equal(got, 6);
    assert_int_equal(tcp_readable(f.a), 5);
    assert_int_equal(tcp_rcv_window(f.a), f.a->rcvq.cap - 5);
    char buf[32];
    assert_int_equal(cf_recv(f.a, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, "world");
    fx_fini(&f);
}

/* U26: SHUTDOWN of the sending side: FIN after the data -> FIN-WAIT-1; receiving goes on. */
static void
test_established_shutdown_half_close_receives(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_send(f.a, "bye");
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    cf_state(f.a, TCP_FIN_WAIT_1, TCP_RULE_SHUTDOWN_SEND_FIN);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 3}, {TCP_FIN | TCP_ACK, 104, 301, 0});
    cf_timers(f.a, CF_T(TCP_TIMER_TLP)); /* linux: the tail loss probe's timer stands in for rexmit (RFC 8985 7.2) */
    fx_run_ms(&f, 5);
    cf_state(f.a, TCP_FIN_WAIT_2, TCP_RULE_FIN_WAIT_1_ACKED);
    cf_timers(f.a, CF_NO_TIMERS); /* not orphaned: no tcp_fin_timeout */
    cf_send(f.b, "more");
    fx_run_ms(&f, 5);
    char buf[16];
    assert_int_equal(cf_recv(f.a, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, "more");
    fx_fini(&f);
}

/* U27: CLOSE with unread received data: RST, not FIN (RFC 1122 4.2.2.13) -> CLOSED. Under
   `linux` the RST carries ACK (tests/linux/close-unread-data-rst-ack.pkt). */
static void
test_established_close_unread_data_rst(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_send(f.b, "abc");
    fx_run_ms(&f, 5);
    fx_mark(&f);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_CLOSE_UNREAD_RST);
    CF_EXPECT(&f, FX_A, {TCP_RST | TCP_ACK, 101, 304, 0});
    cf_timers(f.a, CF_NO_TIMERS);
    fx_run_ms(&f, 5);
    cf_state(f.b, TCP_CLOSED, TCP_RULE_RST_RESET);
    assert_int_equal(f.b->error, TCP_ECONNRESET);
    fx_fini(&f);
}

/* Q1: the four cases of the acceptability test. */
static void
test_established_acceptability_four_cases(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    established_small_window(&f, 8);
    f.w->host[FX_B].cfg.invalid_ratelimit = 0; /* answer every unacceptable bare ACK here */
    struct tcp_conn *b = f.b;
    /* LEN = 0, WND > 0: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND */
    fx_inject_to(&f, b, 108, 301, TCP_ACK, 65535, NULL);
    CF_NONE(&f, FX_B);
    fx_inject_to(&f, b, 109, 301, TCP_ACK, 65535, NULL);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101, 0});
    fx_mark(&f);
    fx_inject_to(&f, b, 100, 301, TCP_ACK, 65535, NULL);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101, 0});
    cf_rule(&f, TCP_RULE_SEQ_NOT_ACCEPTABLE);
    /* LEN > 0, WND > 0: the first or the last octet in the window */
    fx_mark(&f);
    fx_inject_to(&f, b, 101, 301, TCP_ACK, 65535, "ab");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 103, 0});
    fx_mark(&f);
    fx_inject_to(&f, b, 101, 301, TCP_ACK, 65535, "xyz"); /* only the last octet is new */
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 104, 0});
    fx_mark(&f);
    fx_inject_to(&f, b, 90, 301, TCP_ACK, 65535, "old");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 104, 0});
    cf_rule(&f, TCP_RULE_SEQ_NOT_ACCEPTABLE);
    /* fill the window: RCV.WND = 0 */
    fx_mark(&f);
    fx_inject_to(&f, b, 104, 301, TCP_ACK, 65535, "12345");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 109, 0});
    assert_int_equal(tcp_rcv_window(b), 0);
    /* LEN = 0, WND = 0: only SEG.SEQ = RCV.NXT */
    fx_mark(&f);
    fx_inject_to(&f, b, 109, 301, TCP_ACK, 65535, NULL);
    CF_NONE(&f, FX_B);
    fx_inject_to(&f, b, 110, 301, TCP_ACK, 65535, NULL);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 109, 0});
    /* LEN > 0, WND = 0: never acceptable (its ACK field may still be used: "special allowance
       should be made to accept valid ACKs"); answered with an ACK showing the closed window */
    fx_mark(&f);
    fx_inject_to(&f, b, 109, 301, TCP_ACK, 65535, "q");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 109, 0});
    struct tcp_seg z[2];
    cf_sent(&f, FX_B, z, 2);
    assert_int_equal(z[0].wnd, 0);
    assert_int_equal(b->rcv_nxt, 109);
    char buf[16];
    assert_int_equal(cf_recv(b, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, "abz12345");
    assert_int_equal(b->state, TCP_ESTABLISHED);
    cf_timers(b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* Q2: unacceptable segment without RST: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, dropped. */
static void
test_established_unacceptable_segment_acked_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    established_small_window(&f, 65535);
    fx_inject_to(&f, f.b, 50, 301, TCP_ACK, 65535, "stale");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101, 0});
    cf_rule(&f, TCP_RULE_SEQ_NOT_ACCEPTABLE);
    assert_int_equal(tcp_readable(f.b), 0);
    assert_int_equal(f.b->rcv_nxt, 101);
    cf_state(f.b, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* Q3: unacceptable segment with RST: dropped, nothing sent. */
static void
test_established_unacceptable_rst_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    established_small_window(&f, 65535);
    fx_inject_to(&f, f.b, 50, 0, TCP_RST, 0, NULL);
    CF_NONE(&f, FX_B);
    cf_rule(&f, TCP_RULE_SEQ_RST_NOT_ACCEPTABLE);
    cf_state(f.b, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* Q4: partly before the window: trimmed, the new part processed. */
static void
test_established_partial_segment_trimmed(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    established_small_window(&f, 65535);
    fx_inject_to(&f, f.b, 98, 301, TCP_ACK, 65535, "abcdefgh"); /* 98,99,100 are old */
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 106, 0});
    char buf[16];
    assert_int_equal(cf_recv(f.b, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, "defgh");
    assert_int_equal(f.b->state, TCP_ESTABLISHED);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* Q5: out of order but in the window: held for reassembly, duplicate ACK. */
static void
test_established_out_of_order_held_dup_ack(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    established_small_window(&f, 65535);
    fx_inject_to(&f, f.b, 103, 301, TCP_ACK, 65535, "cd");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101, 0});
    cf_rule(&f, TCP_RULE_SEQ_OUT_OF_ORDER);
    assert_int_equal(tcp_readable(f.b), 0);
    fx_mark(&f);
    fx_inject_to(&f, f.b, 101, 301, TCP_ACK, 65535, "ab");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 105, 0});
    char buf[16];
    assert_int_equal(cf_recv(f.b, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, "abcd");
    assert_int_equal(f.b->state, TCP_ESTABLISHED);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* Set up case 'k' of sync_cases and return the connection under test. */
static struct tcp_conn *
sync_case_setup(struct fx *f, size_t k)
{
    fx_init(f, false);
    sync_cases[k].setup(f);
    struct tcp_conn *c = sync_cases[k].on_b ? f->b : f->a;
    assert_int_equal(c->state, sync_cases[k].state);
    return c;
}

/* X1: ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT: RST at RCV.NXT: "connection reset" -> CLOSED.
   In CLOSE-WAIT, `linux` reports it as EPIPE (tcp_reset; tests/linux/close-rst-close-wait-epipe.pkt). */
static void
test_established_rst_at_rcv_nxt_reset(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    for (size_t k = 0; k < 4; k++) {
        struct fx f;
        struct tcp_conn *c = sync_case_setup(&f, k);
        int host = c->host->index;
        fx_inject_to(&f, c, c->rcv_nxt, 0, TCP_RST, 0, NULL);
        cf_state(c, TCP_CLOSED, TCP_RULE_RST_RESET);
        assert_int_equal(c->error, sync_cases[k].state == TCP_CLOSE_WAIT ? TCP_EPIPE : TCP_ECONNRESET);
        CF_NONE(&f, host);
        cf_timers(c, CF_NO_TIMERS);
        fx_fini(&f);
    }
}

/* X2: same states, RST in the window but not at RCV.NXT: challenge ACK, stay (RFC 5961 §3). */
static void
test_established_rst_in_window_challenge_ack(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    for (size_t k = 0; k < 4; k++) {
        struct fx f;
        struct tcp_conn *c = sync_case_setup(&f, k);
        fx_inject_to(&f, c, c->rcv_nxt + 10, 0, TCP_RST, 0, NULL);
        assert_int_equal(c->state, sync_cases[k].state);
        CF_EXPECT(&f, c->host->index, {TCP_ACK, c->snd_nxt, c->rcv_nxt, 0});
        cf_rule(&f, TCP_RULE_RST_CHALLENGE);
        assert_int_equal(c->error, TCP_OK);
        fx_fini(&f);
    }
}

/* X3: same states, RST out of the window: dropped, nothing sent. */
static void
test_established_rst_out_of_window_dropped(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    for (size_t k = 0; k < 4; k++) {
        struct fx f;
        struct tcp_conn *c = sync_case_setup(&f, k);
        fx_inject_to(&f, c, c->rcv_nxt + 100000, 0, TCP_RST, 0, NULL);
        assert_int_equal(c->state, sync_cases[k].state);
        CF_NONE(&f, c->host->index);
        cf_rule(&f, TCP_RULE_SEQ_RST_NOT_ACCEPTABLE);
        fx_fini(&f);
    }
}

/* X5: any synchronized state, a SYN in or out of the window: challenge ACK, dropped
   (RFC 5961 §4). The second SYN follows at once, so the limiter is turned off here: within
   tcp_invalid_ratelimit of the first it would get no ACK at all (test_challenge_ack.c; a
   6.18 kernel did the same, tests/linux/challenge-ack-ratelimit.pkt). TIME-WAIT: see
   test_time_wait.c. */
static void
test_established_syn_challenge_ack(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    for (size_t k = 0; k < sizeof sync_cases / sizeof sync_cases[0]; k++) {
        struct fx f;
        struct tcp_conn *c = sync_case_setup(&f, k);
        int host = c->host->index;
        uint32_t n = f.w->nconns;
        fx_inject_to(&f, c, c->rcv_nxt + 5, 0, TCP_SYN, 512, NULL);
        CF_EXPECT(&f, host, {TCP_ACK, c->snd_nxt, c->rcv_nxt, 0});
        cf_rule(&f, TCP_RULE_SYN_CHALLENGE);
        c->host->cfg.invalid_ratelimit = 0;
        fx_mark(&f);
        fx_inject_to(&f, c, c->rcv_nxt - 1000, 0, TCP_SYN, 512, NULL);
        CF_EXPECT(&f, host, {TCP_ACK, c->snd_nxt, c->rcv_nxt, 0});
        cf_rule(&f, TCP_RULE_SYN_CHALLENGE); /* outside the window too (RFC 5961 §4.2) */
        assert_int_equal(c->state, sync_cases[k].state);
        assert_int_equal(f.w->nconns, n);
        fx_fini(&f);
    }
}

/* X6: any synchronized state, ACK bit off: dropped. */
static void
test_established_no_ack_bit_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    established_small_window(&f, 65535);
    fx_inject_to(&f, f.b, 101, 0, TCP_PSH, 65535, "data");
    CF_NONE(&f, FX_B);
    cf_rule(&f, TCP_RULE_ACK_MISSING_DROP);
    assert_int_equal(tcp_readable(f.b), 0);
    assert_int_equal(f.b->rcv_nxt, 101);
    cf_state(f.b, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* X7: SND.UNA < SEG.ACK =< SND.NXT: SND.UNA advances, acknowledged octets leave the
   retransmission queue, the timer restarts (or stops when all is acknowledged). */
static void
test_established_ack_advances_snd_una(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_drop_all_from(&f, FX_A);
    cf_send(f.a, "0123456789");
    fx_run_ms(&f, 50);
    fx_mark(&f);
    assert_true(f.a->rtt_timing);
    fx_inject_to(&f, f.a, 301, 106, TCP_ACK, 65535, NULL);
    assert_int_equal(f.a->snd_una, 106);
    assert_int_equal(f.a->sndq.len, 5);
    assert_true(f.a->rtt_timing); /* the timed octet is not acknowledged yet */
    cf_timers(f.a, CF_T(TCP_TIMER_TLP)); /* linux: the probe's timer, capped at the RTO */
    clk_time left = tcp_timer_left(f.a, TCP_TIMER_TLP);
    assert_true(left <= f.a->rto && left > f.a->rto - CLK_MSEC(1)); /* restarted */
    clk_time srtt = f.a->srtt;
    fx_inject_to(&f, f.a, 301, 111, TCP_ACK, 65535, NULL);
    assert_int_equal(f.a->snd_una, 111);
    assert_int_equal(f.a->sndq.len, 0);
    assert_false(f.a->rtt_timing);
    assert_int_not_equal(f.a->srtt, srtt); /* a sample of about 52 ms */
    cf_timers(f.a, CF_NO_TIMERS);
    CF_NONE(&f, FX_A);
    assert_int_equal(f.a->state, TCP_ESTABLISHED);
    fx_fini(&f);
}

/* X8: SEG.ACK < SND.UNA (a duplicate): ignored. */
static void
test_established_old_ack_ignored(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_send(f.a, "0123456789");
    fx_run_ms(&f, 5);
    cf_drop_all_from(&f, FX_A);
    fx_mark(&f);
    uint32_t wnd = f.a->snd_wnd;
    fx_inject_to(&f, f.a, 301, 105, TCP_ACK, 1000, NULL);
    assert_int_equal(f.a->snd_una, 111);
    assert_int_equal(f.a->snd_wnd, wnd);
    CF_NONE(&f, FX_A);
    assert_int_equal(f.a->state, TCP_ESTABLISHED);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* X9: SEG.ACK > SND.NXT: send an ACK, drop the segment. */
static void
test_established_ack_too_new_acked_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    established_small_window(&f, 65535);
    fx_inject_to(&f, f.b, 101, 9999, TCP_ACK, 65535, "zz");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101, 0});
    cf_rule(&f, TCP_RULE_ACK_TOO_NEW);
    assert_int_equal(tcp_readable(f.b), 0);
    assert_int_equal(f.b->snd_una, 301);
    assert_int_equal(f.b->state, TCP_ESTABLISHED);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* X10: window update when SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK);
   an older segment does not update it. */
static void
test_established_window_update_rules(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_drop_all_from(&f, FX_A);
    fx_inject_to(&f, f.a, 301, 101, TCP_ACK, 1000, NULL);
    assert_int_equal(f.a->snd_wnd, 1000);
    assert_int_equal(f.a->snd_wl1, 301);
    assert_int_equal(f.a->snd_wl2, 101);
    fx_inject_to(&f, f.a, 301, 101, TCP_ACK, 3000, NULL); /* WL1 = SEG.SEQ, WL2 =< SEG.ACK */
    assert_int_equal(f.a->snd_wnd, 3000);
    fx_inject_to(&f, f.a, 301, 101, TCP_ACK, 65535, "ab"); /* WL1 = SEG.SEQ again */
    assert_int_equal(f.a->snd_wnd, 65535);
    fx_inject_to(&f, f.a, 302, 101, TCP_ACK, 10, "bcd"); /* WL1 < SEG.SEQ */
    assert_int_equal(f.a->snd_wnd, 10);
    assert_int_equal(f.a->snd_wl1, 302);
    fx_mark(&f);
    fx_inject_to(&f, f.a, 301, 101, TCP_ACK, 20, "abcde"); /* SEG.SEQ < WL1: no update */
    assert_int_equal(f.a->snd_wnd, 10);
    assert_int_equal(f.a->snd_wl1, 302);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 306, 0});
    assert_int_equal(f.a->state, TCP_ESTABLISHED);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* The same rules on the fast path (header prediction): segments whose SEG.WND equals SND.WND
   still move SND.WL1 and SND.WL2, so that an older segment cannot update the window later. */
static void
test_established_predicted_segments_move_wl1_wl2(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_drop_all_from(&f, FX_A);
    uint16_t wnd = (uint16_t)f.a->snd_wnd;
    fx_inject_to(&f, f.a, 301, 101, TCP_ACK, wnd, "ab");   /* data in order */
    assert_int_equal(f.a->rcv_nxt, 303);
    assert_int_equal(f.a->snd_wl1, 301);
    fx_inject_to(&f, f.a, 303, 101, TCP_ACK, wnd, "cd");
    assert_int_equal(f.a->snd_wl1, 303);
    assert_int_equal(f.a->snd_wl2, 101);
    size_t q;
    assert_int_equal(tcp_send(f.a, "xyz", 3, &q), TCP_OK); /* dropped on the wire */
    fx_inject_to(&f, f.a, 305, 104, TCP_ACK, wnd, NULL);   /* an ACK of new data */
    assert_int_equal(f.a->snd_una, 104);
    assert_int_equal(f.a->snd_wl1, 305);
    assert_int_equal(f.a->snd_wl2, 104);
    fx_inject_to(&f, f.a, 303, 104, TCP_ACK, 7, NULL);      /* older than WL1: no update */
    assert_int_equal(f.a->snd_wnd, wnd);
    fx_fini(&f);
}

/* D1: ESTABLISHED, in-order data: delivered, RCV.NXT advances, RCV.WND shrinks, ACK. */
static void
test_established_data_delivered_acked(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    established_small_window(&f, 65535);
    fx_inject_to(&f, f.b, 101, 301, TCP_ACK | TCP_PSH, 65535, "hello");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 106, 0});
    struct tcp_seg s[1];
    cf_sent(&f, FX_B, s, 1);
    assert_int_equal(s[0].wnd, 65530);
    assert_int_equal(f.b->rcv_nxt, 106);
    assert_int_equal(tcp_rcv_window(f.b), 65530);
    assert_int_equal(tcp_readable(f.b), 5);
    assert_int_equal(f.b->state, TCP_ESTABLISHED);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* D3: data beyond the receive window is trimmed; at zero window only an empty segment at
   RCV.NXT is acceptable and the ACK carries window 0. */
static void
test_established_data_beyond_window_trimmed(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    established_small_window(&f, 8);
    fx_inject_to(&f, f.b, 101, 301, TCP_ACK, 65535, "0123456789AB");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 109, 0});
    struct tcp_seg s[2];
    cf_sent(&f, FX_B, s, 2);
    assert_int_equal(s[0].wnd, 0);
    fx_mark(&f);
    fx_inject_to(&f, f.b, 109, 301, TCP_ACK, 65535, "Z"); /* a window probe */
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 109, 0});
    cf_sent(&f, FX_B, s, 2);
    assert_int_equal(s[0].wnd, 0);
    char buf[16];
    assert_int_equal(cf_recv(f.b, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, "01234567");
    assert_int_equal(f.b->state, TCP_ESTABLISHED);
    fx_fini(&f);
}

/* D3': at zero window a segment with text at RCV.NXT is refused, yet its ACK field is
   processed (§3.10.7.4: "special allowance should be made to accept valid ACKs"): B's data is
   acknowledged by a segment whose own text B cannot take. */
static void
test_established_zero_window_data_ack_processed(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    established_small_window(&f, 8);
    cf_send(f.b, "hello"); /* B: SND.UNA 301, SND.NXT 306 (dropped on the wire) */
    fx_inject_to(&f, f.b, 101, 301, TCP_ACK, 65535, "01234567"); /* fills B's window */
    assert_int_equal(tcp_rcv_window(f.b), 0);
    assert_int_equal(f.b->snd_una, 301);
    fx_mark(&f);
    fx_inject_to(&f, f.b, 109, 306, TCP_ACK, 65535, "Z");
    cf_rule(&f, TCP_RULE_SEQ_ZERO_WINDOW);
    assert_int_equal(f.b->snd_una, 306); /* the ACK was processed */
    assert_int_equal(f.b->rcv_nxt, 109);  /* the text was not */
    struct tcp_seg s[4];
    assert_true(cf_sent(&f, FX_B, s, 4) >= 1);
    assert_int_equal(s[0].ack, 109);
    assert_int_equal(s[0].wnd, 0);
    fx_fini(&f);
}

/* D4: zero window from the peer: the persist timer probes with backoff; sending resumes on
   the window update. */
static void
test_established_zero_window_persist_probes(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_B].cfg.rmem[1] = 8;
    fx_established(&f);
    const char *msg = "abcdefghijklmnopqrst";
    cf_send(f.a, msg);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 8});
    fx_run_ms(&f, 5);
    assert_int_equal(f.a->snd_wnd, 0);
    cf_timers(f.a, CF_T(TCP_TIMER_PERSIST));
    fx_mark(&f);
    fx_run_ms(&f, 2000);
    struct tcp_seg s[16];
    size_t n = cf_sent(&f, FX_A, s, 16);
    assert_true(n >= 3);
    clk_time at[16];
    size_t k = 0;
    for (size_t i = f.mark; i < f.log.len && k < 16; i++)
        if (trace_log_kind(&f.log, i) == TRACE_SEND && trace_log_get(&f.log, i).from == FX_A)
            at[k++] = trace_log_t(&f.log, i);
    for (size_t i = 0; i < n && i < 16; i++) {
        assert_int_equal(s[i].seq, 109); /* always the same octet */
        assert_int_equal(s[i].len, 1);
    }
    assert_true(at[2] - at[1] > at[1] - at[0]); /* backing off */
    cf_rule(&f, TCP_RULE_TIMER_PERSIST);
    char got[32] = "";
    size_t have = 0;
    for (int i = 0; i < 200 && have < strlen(msg); i++) {
        size_t g = 0;
        assert_int_equal(tcp_receive(f.b, got + have, sizeof got - 1 - have, &g), TCP_OK);
        have += g;
        fx_run_ms(&f, 10);
    }
    got[have] = '\0';
    assert_string_equal(got, msg);
    assert_int_equal(f.a->snd_una, 121);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* F2: ESTABLISHED, FIN: RCV.NXT over the FIN, ACK it, EOF after the queued data ->
   CLOSE-WAIT. */
static void
test_established_fin_close_wait(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    established_small_window(&f, 65535);
    fx_inject_to(&f, f.b, 101, 301, TCP_FIN | TCP_ACK, 65535, "ab");
    cf_state(f.b, TCP_CLOSE_WAIT, TCP_RULE_FIN_CLOSE_WAIT);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 104, 0});
    assert_int_equal(f.b->rcv_nxt, 104);
    char buf[8];
    assert_int_equal(cf_recv(f.b, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, "ab");
    assert_int_equal(cf_recv(f.b, buf, sizeof buf), TCP_EOF);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* F8: an out-of-order FIN is held until the gap fills. */
static void
test_established_out_of_order_fin_held(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    established_small_window(&f, 65535);
    fx_inject_to(&f, f.b, 103, 301, TCP_FIN | TCP_ACK, 65535, "cd");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101, 0});
    assert_int_equal(f.b->state, TCP_ESTABLISHED);
    assert_false(f.b->fin_rcvd);
    fx_mark(&f);
    fx_inject_to(&f, f.b, 101, 301, TCP_ACK, 65535, "ab");
    cf_state(f.b, TCP_CLOSE_WAIT, TCP_RULE_FIN_CLOSE_WAIT);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 106, 0});
    char buf[8];
    assert_int_equal(cf_recv(f.b, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, "abcd");
    assert_int_equal(cf_recv(f.b, buf, sizeof buf), TCP_EOF);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_send_segmentized_in_window),
        cmocka_unit_test(test_established_close_fin_after_data),
        cmocka_unit_test(test_established_receive_buffered_data),
        cmocka_unit_test(test_established_receive_discard_consumes),
        cmocka_unit_test(test_established_shutdown_half_close_receives),
        cmocka_unit_test(test_established_close_unread_data_rst),
        cmocka_unit_test(test_established_acceptability_four_cases),
        cmocka_unit_test(test_established_unacceptable_segment_acked_dropped),
        cmocka_unit_test(test_established_unacceptable_rst_dropped),
        cmocka_unit_test(test_established_partial_segment_trimmed),
        cmocka_unit_test(test_established_out_of_order_held_dup_ack),
        cmocka_unit_test(test_established_rst_at_rcv_nxt_reset),
        cmocka_unit_test(test_established_rst_in_window_challenge_ack),
        cmocka_unit_test(test_established_rst_out_of_window_dropped),
        cmocka_unit_test(test_established_syn_challenge_ack),
        cmocka_unit_test(test_established_no_ack_bit_dropped),
        cmocka_unit_test(test_established_ack_advances_snd_una),
        cmocka_unit_test(test_established_old_ack_ignored),
        cmocka_unit_test(test_established_ack_too_new_acked_dropped),
        cmocka_unit_test(test_established_window_update_rules),
        cmocka_unit_test(test_established_predicted_segments_move_wl1_wl2),
        cmocka_unit_test(test_established_data_delivered_acked),
        cmocka_unit_test(test_established_data_beyond_window_trimmed),
        cmocka_unit_test(test_established_zero_window_data_ack_processed),
        cmocka_unit_test(test_established_zero_window_persist_probes),
        cmocka_unit_test(test_established_fin_close_wait),
        cmocka_unit_test(test_established_out_of_order_fin_held),
    };
    return cmocka_run_group_tests_name("established", tests, NULL, NULL);
}
