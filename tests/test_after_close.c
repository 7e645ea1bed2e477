/*
 * test_after_close.c - what happens around the end of a connection, checked segment by segment
 * against a Linux 6.18.44 kernel (the packetdrill scripts in tests/linux/close-*.pkt):
 *   - data arriving after the application's CLOSE is answered with a RST (RFC 1122 4.2.2.13);
 *   - the resets a connection sends on its own (CLOSE with unread data, ABORT, a closed
 *     listener's unaccepted connections, keep-alive giving up) carry ACK under `linux`;
 *   - a connection's error is reported once, to the first call (SO_ERROR semantics);
 *   - keep-alive gives up with a reset;
 *   - closing a listener resets what it holds established and drops its embryonic connections.
 * Each test names the kernel script that shows the same exchange.
 */
#include "conf.h"

/* The time of the first segment 'host' sent since the mark, or -1. */
static clk_time
first_send_time(const struct fx *f, int host)
{
    for (size_t i = f->mark; i < f->log.len; i++) {
        const struct trace_event ev_ = trace_log_get(&f->log, i), *ev = &ev_;
        if (ev->kind == TRACE_SEND && ev->from == host && !(ev->marks & WIRE_MARK_INJECTED))
            return ev->t;
    }
    return -1;
}

/* The time the first segment since the mark arrived at 'host', or -1. */
static clk_time
first_deliver_time(const struct fx *f, int host)
{
    for (size_t i = f->mark; i < f->log.len; i++) {
        const struct trace_event ev_ = trace_log_get(&f->log, i), *ev = &ev_;
        if (ev->kind == TRACE_DELIVER && ev->to == host)
            return ev->t;
    }
    return -1;
}

/* The last segment 'host' sent since the mark (its window is not checked by CF_EXPECT). */
static struct tcp_seg
last_sent(const struct fx *f, int host)
{
    struct tcp_seg s[64];
    size_t n = cf_sent(f, host, s, 64);
    assert_true(n > 0 && n <= 64);
    return s[n - 1];
}

static void
expect_send(struct tcp_conn *c, enum tcp_err want)
{
    size_t q = 9;
    assert_int_equal(tcp_send(c, "more", 4, &q), want);
    assert_int_equal(q, 0);
}

static void
expect_receive(struct tcp_conn *c, enum tcp_err want, const char *text)
{
    char buf[64];
    assert_int_equal(cf_recv(c, buf, sizeof buf), want);
    assert_string_equal(buf, text);
}

/* ---- 1. data after CLOSE: RST (RFC 1122 4.2.2.13), both presets ------------------------- */

/* close-data-after-close-fin-wait-1.pkt: after close(), our FIN unacknowledged, the peer's data
   is answered with <SEQ=SEG.ACK><CTL=RST> (window 0) at once and the connection is gone; the
   next segment is answered as in CLOSED. */
static void
test_fin_wait_1_text_after_close_rst(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        fx_init(&f, rfc);
        cf_fin_wait_1_stuck(&f); /* A closed: FIN 101 in flight, B's answers lost */
        fx_mark(&f);
        fx_inject_to(&f, f.a, 301, 101, TCP_ACK | TCP_PSH, 65535, "late");
        cf_state(f.a, TCP_CLOSED, TCP_RULE_TEXT_AFTER_CLOSE_RST);
        CF_EXPECT(&f, FX_A, {TCP_RST, 101, 0, 0});
        assert_int_equal(last_sent(&f, FX_A).wnd, 0);
        assert_int_equal(first_send_time(&f, FX_A), first_deliver_time(&f, FX_A)); /* at once */
        cf_timers(f.a, CF_NO_TIMERS);
        assert_int_equal(f.a->rcvq.len, 0);
        fx_mark(&f);
        fx_inject_to(&f, f.a, 305, 102, TCP_ACK, 65535, NULL);
        cf_rule(&f, TCP_RULE_CLOSED_SEND_RST);
        CF_EXPECT(&f, FX_A, {TCP_RST, 102, 0, 0});
        fx_fini(&f);
    }
}

/* close-data-after-close-ack-and-data.pkt: one segment that ACKs our FIN and carries data
   (here out of order, beyond RCV.NXT): FIN-WAIT-2, then the RST <SEQ=SEG.ACK>. */
static void
test_fin_wait_1_ack_of_fin_and_text_after_close_rst(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    cf_fin_wait_1_stuck(&f);
    fx_mark(&f);
    fx_inject_to(&f, f.a, 311, 102, TCP_ACK | TCP_PSH, 65535, "beyond");
    cf_rule(&f, TCP_RULE_FIN_WAIT_1_ACKED);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TEXT_AFTER_CLOSE_RST);
    CF_EXPECT(&f, FX_A, {TCP_RST, 102, 0, 0});
    fx_fini(&f);
}

/* close-data-after-close-fin-wait-2.pkt, with the peer's side: A closed and is in FIN-WAIT-2,
   B (CLOSE-WAIT) keeps sending. A answers <SEQ=SEG.ACK><CTL=RST>; SEG.ACK is B's RCV.NXT, so
   B is reset. close-rst-close-wait-epipe.pkt: under `linux` a reset in CLOSE-WAIT is reported
   as EPIPE (tcp_reset), once, then EPIPE again; receives give end of stream (the FIN came
   first). Under `rfc` the reset is "connection reset" (§3.10.7.4), reported once. */
static void
test_fin_wait_2_text_after_close_rst_peer_reset(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        fx_init(&f, rfc);
        fx_fin_wait_2(&f);
        cf_send(f.b, "still talking");
        assert_int_equal(f.b->state, TCP_CLOSE_WAIT);
        fx_run_ms(&f, 1.5);
        cf_state(f.a, TCP_CLOSED, TCP_RULE_TEXT_AFTER_CLOSE_RST);
        CF_EXPECT(&f, FX_A, {TCP_RST, 102, 0, 0});
        fx_run_ms(&f, 1);
        cf_state(f.b, TCP_CLOSED, TCP_RULE_RST_RESET);
        enum tcp_err err = rfc ? TCP_ECONNRESET : TCP_EPIPE;
        assert_int_equal(f.b->error, err);
        expect_receive(f.b, TCP_EOF, "");
        expect_send(f.b, err);
        expect_send(f.b, TCP_EPIPE);
        expect_receive(f.b, TCP_EOF, "");
        assert_int_equal(f.b->error, err); /* the socket still shows what closed it */
        fx_fini(&f);
    }
}

/* close-shutdown-wr-data.pkt: shutdown() of the sending side alone keeps receiving: data in
   FIN-WAIT-2 is ACKed and readable. A CLOSE afterwards (nothing unread) orphans the socket,
   and the next data gets the RST. */
static void
test_fin_wait_2_text_after_shutdown_then_close_rst(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(f.a->state, TCP_FIN_WAIT_2);
    fx_mark(&f);
    cf_send(f.b, "0123456789");
    fx_run_ms(&f, 1.5);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 311, 0});
    expect_receive(f.a, TCP_OK, "0123456789");
    assert_int_equal(tcp_close(f.a), TCP_OK);
    assert_int_equal(f.a->state, TCP_FIN_WAIT_2);
    fx_mark(&f);
    cf_send(f.b, "0123456789");
    fx_run_ms(&f, 1.5);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TEXT_AFTER_CLOSE_RST);
    CF_EXPECT(&f, FX_A, {TCP_RST, 102, 0, 0});
    fx_fini(&f);
}

/* ---- 3. the resets a connection sends on its own carry ACK under `linux` --------------- */

/* close-unread-data-rst-ack.pkt: CLOSE with unread data, our own data in flight:
   <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> with the window last advertised (`linux`);
   <SEQ=SND.NXT><CTL=RST>, window 0, as RFC 9293 3.10.5 writes it (`rfc`). */
static void
test_established_close_unread_rst_ack(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        fx_init(&f, rfc);
        fx_established(&f);
        cf_drop_flags(&f, FX_A, TCP_ACK, -1); /* A's data stays in flight */
        cf_send(f.a, "12345");
        cf_send(f.b, "0123456789");
        fx_run_ms(&f, 1.5);
        uint32_t wnd = tcp_rcv_window(f.a);
        assert_int_equal(wnd, 65535 - 10);
        fx_mark(&f);
        assert_int_equal(tcp_close(f.a), TCP_OK);
        cf_state(f.a, TCP_CLOSED, TCP_RULE_CLOSE_UNREAD_RST);
        if (rfc) {
            CF_EXPECT(&f, FX_A, {TCP_RST, 106, 0, 0});
            assert_int_equal(last_sent(&f, FX_A).wnd, 0);
        } else {
            CF_EXPECT(&f, FX_A, {TCP_RST | TCP_ACK, 106, 311, 0});
            assert_int_equal(last_sent(&f, FX_A).wnd, wnd);
        }
        fx_fini(&f);
    }
}

/* close-linger-zero-rst-ack.pkt, close-linger-zero-fin-wait-1.pkt: ABORT (the socket API's
   SO_LINGER {1, 0} and close) in ESTABLISHED and after shutdown in FIN-WAIT-1: RST,ACK at
   SND.NXT (past our FIN), ACK = RCV.NXT. */
static void
test_synchronized_abort_rst_ack(void **state)
{
    (void)state;
    for (int shut = 0; shut <= 1; shut++) {
        struct fx f;
        fx_init(&f, false);
        fx_established(&f);
        cf_send(f.b, "0123456789");
        fx_run_ms(&f, 1.5);
        expect_receive(f.a, TCP_OK, "0123456789");
        if (shut) {
            cf_drop_all_from(&f, FX_B);
            assert_int_equal(tcp_shutdown(f.a), TCP_OK);
            fx_run_ms(&f, 1.5);
            assert_int_equal(f.a->state, TCP_FIN_WAIT_1);
        } else {
            cf_drop_flags(&f, FX_A, TCP_ACK, -1);
            cf_send(f.a, "12345");
        }
        fx_mark(&f);
        assert_int_equal(tcp_abort(f.a), TCP_OK);
        cf_state(f.a, TCP_CLOSED, TCP_RULE_ABORT_RST);
        CF_EXPECT(&f, FX_A, {TCP_RST | TCP_ACK, shut ? 102 : 106, 311, 0});
        assert_int_equal(last_sent(&f, FX_A).wnd, 65535);
        fx_fini(&f);
    }
}

/* close-unread-after-shutdown-fin-wait-2.pkt: CLOSE after shutdown, with data left unread,
   resets in FIN-WAIT-2 as well (Linux __tcp_close), RST,ACK past our FIN; the peer, in
   CLOSE-WAIT, is reset. */
static void
test_fin_wait_2_close_unread_rst_ack(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(f.a->state, TCP_FIN_WAIT_2);
    cf_send(f.b, "0123456789");
    fx_run_ms(&f, 1.5);
    fx_mark(&f);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_CLOSE_UNREAD_RST);
    CF_EXPECT(&f, FX_A, {TCP_RST | TCP_ACK, 102, 311, 0});
    cf_timers(f.a, CF_NO_TIMERS);
    fx_run_ms(&f, 1.5);
    cf_state(f.b, TCP_CLOSED, TCP_RULE_RST_RESET);
    fx_fini(&f);
}

/* close-unread-after-shutdown-last-ack.pkt: the peer's data and FIN unread, our FIN sent by
   shutdown (LAST-ACK), then CLOSE: RST,ACK at SND.NXT, ACK past the peer's FIN. */
static void
test_last_ack_close_unread_rst_ack(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_drop_flags(&f, FX_B, TCP_FIN, 1);
    cf_send(f.a, "x");
    assert_int_equal(tcp_close(f.a), TCP_OK);
    fx_run_ms(&f, 1.5);
    assert_int_equal(f.b->state, TCP_CLOSE_WAIT);
    assert_int_equal(tcp_readable(f.b), 1);
    assert_int_equal(tcp_shutdown(f.b), TCP_OK);
    assert_int_equal(f.b->state, TCP_LAST_ACK);
    fx_mark(&f);
    assert_int_equal(tcp_close(f.b), TCP_OK);
    cf_state(f.b, TCP_CLOSED, TCP_RULE_CLOSE_UNREAD_RST);
    CF_EXPECT(&f, FX_B, {TCP_RST | TCP_ACK, 302, 103, 0});
    fx_fini(&f);
}

/* ---- 4. a connection's error is reported once ------------------------------------------ */

/* close-rst-error-once-write-first.pkt, close-rst-error-once-read-first.pkt: after a RST in
   ESTABLISHED the first call gets ECONNRESET; later sends get EPIPE and receives end of
   stream. Both presets. */
static void
test_established_rst_error_reported_once(void **state)
{
    (void)state;
    for (int k = 0; k < 4; k++) {
        bool rfc = k & 1, send_first = k & 2;
        struct fx f;
        fx_init(&f, rfc);
        fx_established(&f);
        fx_inject_to(&f, f.a, 301, 101, TCP_RST | TCP_ACK, 65535, NULL);
        cf_state(f.a, TCP_CLOSED, TCP_RULE_RST_RESET);
        if (send_first) {
            expect_send(f.a, TCP_ECONNRESET);
            expect_send(f.a, TCP_EPIPE);
            expect_receive(f.a, TCP_EOF, "");
        } else {
            expect_receive(f.a, TCP_ECONNRESET, "");
            expect_receive(f.a, TCP_EOF, "");
            expect_send(f.a, TCP_EPIPE);
        }
        expect_receive(f.a, TCP_EOF, "");
        expect_send(f.a, TCP_EPIPE);
        assert_int_equal(f.a->error, TCP_ECONNRESET);
        fx_fini(&f);
    }
}

/* close-rst-error-once-unread-data.pkt, ...-write-first.pkt: data received before the RST
   stays readable: read returns it, then ECONNRESET once, then end of stream; a send first
   takes the error, and the data is read after it. */
static void
test_established_rst_unread_data_then_error_once(void **state)
{
    (void)state;
    for (int send_first = 0; send_first <= 1; send_first++) {
        struct fx f;
        fx_init(&f, false);
        fx_established(&f);
        cf_send(f.b, "0123456789");
        fx_run_ms(&f, 1.5);
        fx_inject_to(&f, f.a, 311, 101, TCP_RST | TCP_ACK, 65535, NULL);
        cf_state(f.a, TCP_CLOSED, TCP_RULE_RST_RESET);
        if (send_first) {
            expect_send(f.a, TCP_ECONNRESET);
            expect_receive(f.a, TCP_OK, "0123456789");
        } else {
            expect_receive(f.a, TCP_OK, "0123456789");
            expect_receive(f.a, TCP_ECONNRESET, "");
        }
        expect_receive(f.a, TCP_EOF, "");
        expect_send(f.a, TCP_EPIPE);
        fx_fini(&f);
    }
}

/* ---- 11. keep-alive gives up with a reset ---------------------------------------------- */

/* close-keepalive-give-up-rst-ack.pkt: idle 2 s, interval 1 s, 3 probes. The first probe,
   <SEQ=SND.UNA-1><ACK=RCV.NXT>, 2 s after the last segment heard, is answered, which restarts
   the idle time; then probes 2, 3 and 4 s after the answer, and at 5 s the reset: RST,ACK at
   SND.NXT under `linux`, <SEQ=SND.NXT><CTL=RST> under `rfc`. ETIMEDOUT, reported once. */
static void
test_established_keepalive_give_up_rst(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        fx_init(&f, rfc);
        struct tcp_settings *s = &f.w->host[FX_A].cfg;
        s->keepalive = 1;
        s->keepalive_time = CLK_SEC(2);
        s->keepalive_intvl = CLK_SEC(1);
        s->keepalive_probes = 3;
        fx_established(&f);
        clk_time heard = f.a->last_change; /* the SYN,ACK: the last segment A heard */
        fx_run_ms(&f, 2000 + 2.5);
        CF_EXPECT(&f, FX_A, {TCP_ACK, 100, 301, 0});
        assert_int_equal(first_send_time(&f, FX_A), heard + CLK_SEC(2));
        CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101, 0});
        heard += CLK_SEC(2) + CLK_MSEC(2); /* the answer */
        cf_drop_all_from(&f, FX_B);
        fx_mark(&f);
        fx_run_ms(&f, 6000);
        if (rfc)
            CF_EXPECT(&f, FX_A, {TCP_ACK, 100, 301, 0}, {TCP_ACK, 100, 301, 0}, {TCP_ACK, 100, 301, 0},
                      {TCP_RST, 101, 0, 0});
        else
            CF_EXPECT(&f, FX_A, {TCP_ACK, 100, 301, 0}, {TCP_ACK, 100, 301, 0}, {TCP_ACK, 100, 301, 0},
                      {TCP_RST | TCP_ACK, 101, 301, 0});
        clk_time t[4];
        assert_int_equal(cf_send_times(&f, FX_A, t, 4), 4);
        assert_int_equal(t[0], heard + CLK_SEC(2));
        assert_int_equal(t[1], heard + CLK_SEC(3));
        assert_int_equal(t[2], heard + CLK_SEC(4));
        assert_int_equal(t[3], heard + CLK_SEC(5));
        cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_KEEPALIVE_GIVE_UP);
        assert_int_equal(f.a->last_change, t[3]);
        assert_int_equal(f.a->error, TCP_ETIMEDOUT);
        expect_receive(f.a, TCP_ETIMEDOUT, "");
        expect_receive(f.a, TCP_EOF, "");
        expect_send(f.a, TCP_EPIPE);
        fx_fini(&f);
    }
}

/* ---- 13. closing a listener ------------------------------------------------------------ */

/* A connects to B's listener and the handshake completes; nobody accepts. Returns B's
   connection. 'data' (or NULL) is sent by A first, 'close' makes A close too. */
static struct tcp_conn *
unaccepted(struct fx *f, const char *data, bool close)
{
    fx_listen(f);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f->w->host[FX_A], f->w->host[FX_B].addr, FX_SPORT, &o, &f->a), TCP_OK);
    fx_run_ms(f, 3.5);
    struct tcp_conn *b = cf_newest(f);
    assert_int_equal(b->state, TCP_ESTABLISHED);
    if (data)
        cf_send(f->a, data);
    if (close)
        assert_int_equal(tcp_close(f->a), TCP_OK);
    fx_run_ms(f, 5);
    assert_false(b->accepted);
    fx_mark(f);
    return b;
}

/* close-listener-unaccepted-rst-ack.pkt, ...-data-rst-ack.pkt, ...-close-wait-rst-ack.pkt:
   closing the listener resets each established connection never accepted, at once, with
   <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> (past unread data, past the peer's FIN). */
static void
test_listen_close_unaccepted_rst_ack(void **state)
{
    (void)state;
    static const struct {
        const char *data;
        bool close;
        uint32_t ack;
        enum tcp_state peer;
    } cases[] = {
        {NULL, false, 101, TCP_ESTABLISHED},
        {"0123456789", false, 111, TCP_ESTABLISHED},
        {NULL, true, 102, TCP_FIN_WAIT_2},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct fx f;
        fx_init(&f, false);
        struct tcp_conn *b = unaccepted(&f, cases[k].data, cases[k].close);
        assert_int_equal(f.a->state, cases[k].peer);
        assert_int_equal(tcp_close(f.l), TCP_OK);
        cf_state(f.l, TCP_CLOSED, TCP_RULE_CLOSE_LISTEN);
        cf_state(b, TCP_CLOSED, TCP_RULE_CLOSE_LISTEN_RESET);
        CF_EXPECT(&f, FX_B, {TCP_RST | TCP_ACK, 301, cases[k].ack, 0});
        assert_int_equal(first_send_time(&f, FX_B), world_now(f.w));
        fx_run_ms(&f, 1.5);
        assert_int_equal(f.a->state, TCP_CLOSED);
        fx_fini(&f);
    }
}

/* close-listener-embryonic-silent.pkt: closing the listener drops its SYN-RECEIVED
   connections without a word: no RST, no SYN,ACK retransmission; the peer's ACK arriving
   later finds no connection and gets <SEQ=SEG.ACK><CTL=RST>. Both presets. */
static void
test_listen_close_embryonic_dropped_silently(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        fx_init(&f, rfc);
        fx_listen(&f);
        cf_drop_flags(&f, FX_B, TCP_SYN | TCP_ACK, -1);
        fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, FX_ISS_A, 0, TCP_SYN, 65535, NULL);
        struct tcp_conn *b = cf_newest(&f);
        assert_int_equal(b->state, TCP_SYN_RECEIVED);
        fx_mark(&f);
        assert_int_equal(tcp_close(f.l), TCP_OK);
        cf_state(b, TCP_CLOSED, TCP_RULE_CLOSE_LISTEN_DROP);
        cf_timers(b, CF_NO_TIMERS);
        fx_run_ms(&f, 3000);
        CF_NONE(&f, FX_B);
        fx_inject(&f, FX_B, FX_CPORT, FX_SPORT, 101, 301, TCP_ACK, 65535, NULL);
        cf_rule(&f, TCP_RULE_CLOSED_SEND_RST);
        CF_EXPECT(&f, FX_B, {TCP_RST, 301, 0, 0});
        fx_fini(&f);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fin_wait_1_text_after_close_rst),
        cmocka_unit_test(test_fin_wait_1_ack_of_fin_and_text_after_close_rst),
        cmocka_unit_test(test_fin_wait_2_text_after_close_rst_peer_reset),
        cmocka_unit_test(test_fin_wait_2_text_after_shutdown_then_close_rst),
        cmocka_unit_test(test_established_close_unread_rst_ack),
        cmocka_unit_test(test_synchronized_abort_rst_ack),
        cmocka_unit_test(test_fin_wait_2_close_unread_rst_ack),
        cmocka_unit_test(test_last_ack_close_unread_rst_ack),
        cmocka_unit_test(test_established_rst_error_reported_once),
        cmocka_unit_test(test_established_rst_unread_data_then_error_once),
        cmocka_unit_test(test_established_keepalive_give_up_rst),
        cmocka_unit_test(test_listen_close_unaccepted_rst_ack),
        cmocka_unit_test(test_listen_close_embryonic_dropped_silently),
    };
    return cmocka_run_group_tests_name("after_close", tests, NULL, NULL);
}
