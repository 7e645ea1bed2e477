/*
 * test_delayed_ack.c - the delayed_ack setting (RFC 9293 §3.8.6.3, RFC 1122 4.2.3.2, RFC 5681
 * 4.2, and Linux's way). A connected from 40000 with ISS 100, B accepted on 80 with ISS 300;
 * one-way delay 1 ms unless said otherwise.
 *
 * delayed_ack 1, RFC 1122 as written: B holds back the ACK of in-order data until a second
 * full-sized segment arrives, its own segment carries the ACK, or delack_timeout expires;
 * out-of-order segments, segments that fill a gap and FINs are acknowledged at once.
 *
 * delayed_ack 2, Linux's way (the linux preset's default): every figure below is what a Linux
 * 6.18.44 kernel sent in the packetdrill script named beside the test (tests/linux/, HZ 250:
 * its timers fire up to 4 ms late; the figures here are the nominal ones). As in those
 * scripts, the peer's segments are crafted (fx_inject: 1000 octets, no PSH unless said) and
 * B's segments are dropped on the wire, so that A's TCB, which never sent them, stays out of
 * it. The fixture leaves delayed_ack off (every ACK visible); these tests turn it on.
 */
#include "conf.h"

/* The peer's segments in the Linux tests, as in the kernel scripts. */
#define SEG 1000u

/* A and B ESTABLISHED with B delaying its ACKs the RFC 1122 way; the mark at the present. */
static void
delack_established(struct fx *f)
{
    fx_init(f, false);
    fx_established(f);
    f->w->host[FX_B].cfg.delayed_ack = TCP_DELACK_RFC1122;
    fx_mark(f);
}

/* The Linux tests' world: A's segments take 1 ms to B, B's take 99 ms to A, so that B's
   SRTT, from the handshake, is 100 ms (RTO 300 ms), as in the kernel scripts, whose peer
   answered the SYN,ACK after 100 ms. 'rcv_buf' > 0 sets B's receive buffer. B listens. */
static void
linux_world(struct fx *f, int rcv_buf)
{
    fx_init(f, false);
    {
        struct wire_link s = f->w->wire.link[FX_B];
        s.delay = CLK_MSEC(99);
        wire_link_set(f->w, FX_B, &s);
    }
    if (rcv_buf > 0)
        f->w->host[FX_B].cfg.rmem[1] = rcv_buf;
    fx_listen(f);
}

/* A connects from 'lport'; B accepts. Returns B's socket, '*a' gets A's. */
static struct tcp_conn *
linux_accept(struct fx *f, uint16_t lport, struct tcp_conn **a)
{
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = lport;
    assert_int_equal(tcp_open_active(&f->w->host[FX_A], f->w->host[FX_B].addr, FX_SPORT, &o, a), TCP_OK);
    fx_run_ms(f, 105);
    struct tcp_conn *b = NULL;
    assert_int_equal(tcp_accept(f->l, &b), TCP_OK);
    assert_non_null(b);
    assert_int_equal(b->state, TCP_ESTABLISHED);
    assert_int_equal(b->srtt, CLK_MSEC(100));
    assert_int_equal(b->rto, CLK_MSEC(300));
    return b;
}

/* B takes the linux preset's delayed ACK, everything B sends from now on is dropped on the
   wire; the mark at the present. */
static void
linux_start(struct fx *f)
{
    struct tcp_settings s;
    tcp_settings_preset(&s, TCP_PRESET_LINUX);
    f->w->host[FX_B].cfg.delayed_ack = s.delayed_ack;
    cf_drop_all_from(f, FX_B);
    fx_mark(f);
}

/* A and B ESTABLISHED in the Linux tests' world, B delaying its ACKs as Linux does. */
static void
linux_established_buf(struct fx *f, int rcv_buf)
{
    linux_world(f, rcv_buf);
    f->b = linux_accept(f, FX_CPORT, &f->a);
    linux_start(f);
}

static void
linux_established(struct fx *f)
{
    linux_established_buf(f, 0);
}

/* The peer's segment of 'len' octets starting 'off' octets into the stream (A's ISS 100: the
   first octet is 101), with 'flags' (ACK, PSH, FIN), acknowledging what B has sent. The world
   runs until just after it arrives (one link delay). */
static void
peer_sends(struct fx *f, uint32_t off, uint32_t len, uint8_t flags)
{
    static char text[SEG + 1];
    assert_true(len <= SEG);
    memset(text, 'x', len);
    text[len] = '\0';
    fx_inject_to(f, f->b, 101 + off, f->b->snd_nxt, flags, 65535, len > 0 ? text : NULL);
}

/* B's application reads 'n' octets (all of them there). */
static void
b_reads(struct fx *f, uint32_t n)
{
    size_t got = 0;
    assert_int_equal(tcp_receive(f->b, NULL, n, &got), TCP_OK);
    assert_int_equal(got, n);
}

/* B's pure ACK of everything up to stream offset 'upto' (ACK = 101 + upto). */
#define B_ACK(upto) {TCP_ACK, 301, 101 + (upto), 0}

/* The 16 quick ACKs: 16 segments 10 ms apart, each ACKed as it arrives, read at once. */
static void
sixteen_quick_acks(struct fx *f)
{
    for (uint32_t i = 0; i < 16; i++) {
        fx_mark(f);
        peer_sends(f, i * SEG, SEG, TCP_ACK);
        CF_EXPECT(f, FX_B, B_ACK((i + 1) * SEG));
        cf_rule(f, TCP_RULE_ACK_QUICK);
        b_reads(f, SEG);
        fx_run_ms(f, 9);
    }
    assert_int_equal(f->b->quickacks, 0);
    fx_mark(f);
}

/* Did the delack timer of 'c' expire, on the record, since the mark? */
static bool
delack_fired(const struct fx *f, const struct tcp_conn *c)
{
    for (size_t i = f->mark; i < f->log.len; i++) {
        const struct trace_event ev_ = trace_log_get(&f->log, i), *ev = &ev_;
        if (ev->kind == TRACE_TIMER_FIRE && ev->conn == c->id && ev->timer == TCP_TIMER_DELACK)
            return true;
    }
    return false;
}

/* ---- delayed_ack 0 and 1 ---------------------------------------------------------------- */

/* Off (as the fixture leaves it): the ACK of one segment leaves at once, and no ACK is ever
   delayed. */
static void
test_established_data_acked_at_once_without_delayed_ack(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(f.w->host[FX_B].cfg.delayed_ack, TCP_DELACK_OFF);
    fx_mark(&f);
    cf_send(f.a, "hello");
    fx_run_ms(&f, 1.5);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 106, 0});
    assert_false(fx_rule_seen(&f, TCP_RULE_ACK_DELAYED));
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* RFC 1122: one small segment, no ACK until delack_timeout (40 ms under linux), then the
   timer sends it. */
static void
test_established_one_segment_ack_delayed_until_timeout(void **state)
{
    (void)state;
    struct fx f;
    delack_established(&f);
    cf_send(f.a, "hello");
    fx_run_ms(&f, 1.5);
    CF_NONE(&f, FX_B);
    cf_rule(&f, TCP_RULE_ACK_DELAYED);
    cf_timers(f.b, CF_T(TCP_TIMER_DELACK));
    assert_int_equal(tcp_timer_left(f.b, TCP_TIMER_DELACK), CLK_MSEC(40) - CLK_MSEC(1) / 2);
    assert_int_equal(f.b->ack_owed, 5);
    fx_run_ms(&f, 39);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 1);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 106, 0});
    cf_rule(&f, TCP_RULE_TIMER_DELACK);
    assert_true(delack_fired(&f, f.b));
    assert_int_equal(f.b->ack_owed, 0);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_run_ms(&f, 2);
    assert_int_equal(f.a->snd_una, 106);
    fx_fini(&f);
}

/* RFC 1122: two full-sized segments, the second is ACKed at once, covering both (§3.8.6.3:
   "at least every second full-sized segment"); the timer the first armed is left idle (as
   Linux leaves it): no longer pending, and silent when it expires. */
static void
test_established_second_full_segment_acked_at_once(void **state)
{
    (void)state;
    struct fx f;
    delack_established(&f);
    static char data[2 * 1460 + 1];
    memset(data, 'x', 2 * 1460);
    cf_send(f.a, data);
    fx_run_ms(&f, 1.5);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101 + 2 * 1460, 0});
    cf_rule(&f, TCP_RULE_ACK_DELAYED); /* the first segment's ACK was held */
    cf_timers(f.b, CF_NO_TIMERS);
    assert_int_equal(f.b->ack_owed, 0);
    fx_run_ms(&f, 100);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101 + 2 * 1460, 0}); /* and nothing more */
    assert_false(delack_fired(&f, f.b));
    assert_false(fx_rule_seen(&f, TCP_RULE_TIMER_DELACK));
    fx_fini(&f);
}

/* RFC 1122: B's own data, sent while an ACK is owed, carries it: no separate ACK, the timer
   is off. */
static void
test_established_reply_data_carries_delayed_ack(void **state)
{
    (void)state;
    struct fx f;
    delack_established(&f);
    cf_send(f.a, "ping");
    fx_run_ms(&f, 1.5);
    cf_timers(f.b, CF_T(TCP_TIMER_DELACK));
    cf_send(f.b, "pong");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 105, 4});
    cf_timers(f.b, CF_T(TCP_TIMER_TLP)); /* linux: the tail loss probe's timer stands in for rexmit (RFC 8985 7.2) */
    fx_run_ms(&f, 100);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 105, 4});
    assert_false(fx_rule_seen(&f, TCP_RULE_TIMER_DELACK));
    fx_fini(&f);
}

/* RFC 1122: out of order, acknowledged at once with what B still expects (RFC 5681 4.2), then
   the segment that fills the gap is acknowledged at once too. */
static void
test_established_out_of_order_and_gap_fill_acked_at_once(void **state)
{
    (void)state;
    struct fx f;
    delack_established(&f);
    cf_drop_all_from(&f, FX_B);
    fx_inject_to(&f, f.b, 106, 301, TCP_ACK, 65535, "world");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101, 0});
    cf_rule(&f, TCP_RULE_SEQ_OUT_OF_ORDER);
    fx_mark(&f);
    fx_inject_to(&f, f.b, 101, 301, TCP_ACK, 65535, "hello");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 111, 0});
    assert_false(fx_rule_seen(&f, TCP_RULE_ACK_DELAYED));
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* RFC 1122: a FIN is acknowledged at once, with the data held back before it. */
static void
test_established_fin_acked_at_once_with_owed_data(void **state)
{
    (void)state;
    struct fx f;
    delack_established(&f);
    cf_send(f.a, "bye");
    fx_run_ms(&f, 1.5);
    CF_NONE(&f, FX_B);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    fx_run_ms(&f, 1.5);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 105, 0});
    cf_state(f.b, TCP_CLOSE_WAIT, TCP_RULE_FIN_CLOSE_WAIT);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* ---- delayed_ack 2: Linux --------------------------------------------------------------- */

/* delack-quick-acks-read.pkt: 16 quick ACKs, then, the application reading each segment as
   it comes, an ACK for every second one as it arrives; a lone one waits 40 ms. */
static void
test_established_segments_read_sixteen_quick_acks_then_every_second(void **state)
{
    (void)state;
    struct fx f;
    linux_established(&f);
    sixteen_quick_acks(&f);
    for (uint32_t i = 16; i < 20; i++) {
        fx_mark(&f);
        peer_sends(&f, i * SEG, SEG, TCP_ACK);
        if (i % 2 == 1)
            CF_EXPECT(&f, FX_B, B_ACK((i + 1) * SEG));
        else
            CF_NONE(&f, FX_B);
        assert_false(fx_rule_seen(&f, TCP_RULE_ACK_QUICK));
        b_reads(&f, SEG);
        fx_run_ms(&f, 9);
    }
    fx_mark(&f);
    peer_sends(&f, 20 * SEG, SEG, TCP_ACK);
    b_reads(&f, SEG);
    cf_rule(&f, TCP_RULE_ACK_DELAYED);
    assert_in_range(tcp_timer_left(f.b, TCP_TIMER_DELACK), CLK_MSEC(40) - 1000, CLK_MSEC(40));
    fx_run_ms(&f, 39.8);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 0.2);
    CF_EXPECT(&f, FX_B, B_ACK(21 * SEG));
    cf_rule(&f, TCP_RULE_TIMER_DELACK);
    fx_fini(&f);
}

/* delack-quick-acks-unread.pkt: the same 16 quick ACKs without reading; then nothing is ACKed
   at once (the unread data would shrink the window): the timer ACKs four segments 40 ms after
   the first of them. */
static void
test_established_segments_unread_sixteen_quick_acks_then_timer(void **state)
{
    (void)state;
    struct fx f;
    linux_established(&f);
    for (uint32_t i = 0; i < 16; i++) {
        fx_mark(&f);
        peer_sends(&f, i * SEG, SEG, TCP_ACK);
        CF_EXPECT(&f, FX_B, B_ACK((i + 1) * SEG));
        fx_run_ms(&f, 9);
    }
    fx_mark(&f);
    /* exactly 10 ms apart: the 20th comes when the timer has 10 ms left, a quarter of its 40
       ms; not less, so it waits too */
    clk_time start = world_now(f.w);
    for (uint32_t i = 16; i < 20; i++) {
        world_run_until_time(f.w, start + (clk_time)(i - 16) * CLK_MSEC(10));
        peer_sends(&f, i * SEG, SEG, TCP_ACK);
    }
    fx_run_ms(&f, 8.8); /* 38.8 ms after the 17th arrived */
    CF_NONE(&f, FX_B);
    assert_int_equal(f.b->rcvq.len, 20 * SEG);
    fx_run_ms(&f, 1.4);
    CF_EXPECT(&f, FX_B, B_ACK(20 * SEG));
    assert_true(delack_fired(&f, f.b));
    fx_fini(&f);
}

/* delack-timer-due.pkt: after the quick ACKs, a segment that arrives when the timer has less
   than a quarter of its timeout left (5 of 40 ms) is ACKed at once. */
static void
test_established_segment_near_delack_expiry_acked_at_once(void **state)
{
    (void)state;
    struct fx f;
    linux_established(&f);
    sixteen_quick_acks(&f);
    peer_sends(&f, 16 * SEG, SEG, TCP_ACK);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 34);
    peer_sends(&f, 17 * SEG, SEG, TCP_ACK);
    CF_EXPECT(&f, FX_B, B_ACK(18 * SEG));
    assert_false(delack_fired(&f, f.b));
    fx_fini(&f);
}

/* delack-read.pkt: what the application's reads do to a held-back ACK, after the quick ACKs.
   Each step comes 100 ms after the last. */
static void
test_established_reads_send_held_back_acks(void **state)
{
    (void)state;
    struct fx f;
    linux_established(&f);
    sixteen_quick_acks(&f);
    /* 1. two left unread: the timer ACKs them 40 ms after the first; reading them later
          sends nothing (and the timer has doubled the ACK timeout: 80 ms) */
    fx_run_ms(&f, 90);
    fx_mark(&f);
    peer_sends(&f, 16 * SEG, SEG, TCP_ACK);
    peer_sends(&f, 17 * SEG, SEG, TCP_ACK);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 38.8);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 0.4);
    CF_EXPECT(&f, FX_B, B_ACK(18 * SEG));
    assert_int_equal(f.b->ato, CLK_MSEC(80));
    fx_run_ms(&f, 9.8);
    b_reads(&f, 2 * SEG);
    CF_EXPECT(&f, FX_B, B_ACK(18 * SEG));
    /* 2. two more, unread: ACKed as the second arrives, the window offered then no smaller
          than the one the timer's ACK offered (two segments unread then too) */
    fx_run_ms(&f, 99);
    fx_mark(&f);
    peer_sends(&f, 18 * SEG, SEG, TCP_ACK);
    CF_NONE(&f, FX_B);
    peer_sends(&f, 19 * SEG, SEG, TCP_ACK);
    CF_EXPECT(&f, FX_B, B_ACK(20 * SEG));
    fx_run_ms(&f, 9);
    b_reads(&f, 2 * SEG);
    /* 3. a small segment (PSH), read 5 ms later: the read that empties the buffer ACKs it */
    fx_run_ms(&f, 99);
    fx_mark(&f);
    peer_sends(&f, 20 * SEG, 100, TCP_ACK | TCP_PSH);
    fx_run_ms(&f, 4);
    CF_NONE(&f, FX_B);
    b_reads(&f, 100);
    CF_EXPECT(&f, FX_B, B_ACK(20 * SEG + 100));
    cf_rule(&f, TCP_RULE_ACK_ON_READ);
    /* 4. two unread, read 10 ms later: the read ACKs them (more than a full-sized segment) */
    fx_run_ms(&f, 95);
    fx_mark(&f);
    peer_sends(&f, 20 * SEG + 100, SEG, TCP_ACK);
    peer_sends(&f, 21 * SEG + 100, SEG, TCP_ACK);
    fx_run_ms(&f, 9);
    CF_NONE(&f, FX_B);
    b_reads(&f, 2 * SEG);
    CF_EXPECT(&f, FX_B, B_ACK(22 * SEG + 100));
    cf_rule(&f, TCP_RULE_ACK_ON_READ);
    /* 5. a full-sized segment with PSH, read 5 ms later: the read ACKs it */
    fx_run_ms(&f, 99);
    fx_mark(&f);
    peer_sends(&f, 22 * SEG + 100, SEG, TCP_ACK | TCP_PSH);
    fx_run_ms(&f, 4);
    CF_NONE(&f, FX_B);
    b_reads(&f, SEG);
    CF_EXPECT(&f, FX_B, B_ACK(23 * SEG + 100));
    /* 6. without PSH: the read sends nothing; the timer does, after an ACK timeout the
          arrivals since 1. have brought down from 80 to 50 ms */
    fx_run_ms(&f, 99);
    fx_mark(&f);
    peer_sends(&f, 23 * SEG + 100, SEG, TCP_ACK);
    fx_run_ms(&f, 4);
    b_reads(&f, SEG);
    assert_false(fx_rule_seen(&f, TCP_RULE_ACK_ON_READ));
    assert_int_equal(f.b->ato, CLK_MSEC(50));
    fx_run_ms(&f, 45.8);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 0.4);
    CF_EXPECT(&f, FX_B, B_ACK(24 * SEG + 100));
    fx_fini(&f);
}

/* delack-fin-data.pkt: data and FIN in one segment, on a fresh connection: ACKed 40 ms later
   (the FIN makes the connection interactive: no quick ACKs); the application's close then
   sends its FIN. And delack-fin-no-data.pkt: on a connection that has received no data a
   FIN is ACKed at once (the ACK timeout starts with the first data), shown on a second
   connection. */
static void
test_established_data_fin_ack_delayed_bare_fin_at_once_before_data(void **state)
{
    (void)state;
    struct fx f;
    linux_world(&f, 0);
    f.b = linux_accept(&f, FX_CPORT, &f.a);
    struct tcp_conn *a2 = NULL, *b2 = linux_accept(&f, FX_CPORT + 1, &a2);
    linux_start(&f);
    peer_sends(&f, 0, SEG, TCP_ACK | TCP_FIN);
    CF_NONE(&f, FX_B);
    cf_state(f.b, TCP_CLOSE_WAIT, TCP_RULE_FIN_CLOSE_WAIT);
    cf_rule(&f, TCP_RULE_ACK_INTERACTIVE);
    cf_rule(&f, TCP_RULE_ACK_DELAYED);
    fx_run_ms(&f, 39.8);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 0.2);
    CF_EXPECT(&f, FX_B, B_ACK(SEG + 1));
    fx_mark(&f);
    b_reads(&f, SEG);
    assert_int_equal(tcp_close(f.b), TCP_OK);
    CF_EXPECT(&f, FX_B, {TCP_FIN | TCP_ACK, 301, 101 + SEG + 1, 0});

    /* the second connection: a bare FIN before any data, ACKed at once */
    fx_mark(&f);
    fx_inject_to(&f, b2, b2->rcv_nxt, b2->snd_nxt, TCP_ACK | TCP_FIN, 65535, NULL);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 102, 0});
    cf_state(b2, TCP_CLOSE_WAIT, TCP_RULE_FIN_CLOSE_WAIT);
    fx_fini(&f);
}

/* delack-fin-bare.pkt: a bare FIN while quick ACKs are left: the data before it got a quick
   ACK, the FIN waits 40 ms. */
static void
test_established_fin_with_quick_acks_left_ack_delayed(void **state)
{
    (void)state;
    struct fx f;
    linux_established(&f);
    peer_sends(&f, 0, SEG, TCP_ACK | TCP_PSH);
    CF_EXPECT(&f, FX_B, B_ACK(SEG));
    b_reads(&f, SEG);
    assert_int_equal(f.b->quickacks, 15);
    fx_run_ms(&f, 49);
    fx_mark(&f);
    peer_sends(&f, SEG, 0, TCP_ACK | TCP_FIN);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 39.8);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 0.2);
    CF_EXPECT(&f, FX_B, B_ACK(SEG + 1));
    assert_false(f.b->interactive); /* the timer's expiry ends it */
    fx_fini(&f);
}

/* delack-fin-after-quick.pkt: a bare FIN after the quick ACKs: 40 ms too. */
static void
test_established_fin_after_quick_acks_ack_delayed(void **state)
{
    (void)state;
    struct fx f;
    linux_established(&f);
    sixteen_quick_acks(&f);
    fx_run_ms(&f, 90);
    peer_sends(&f, 16 * SEG, 0, TCP_ACK | TCP_FIN);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 39.8);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 0.2);
    CF_EXPECT(&f, FX_B, B_ACK(16 * SEG + 1));
    fx_fini(&f);
}

/* delack-out-of-order.pkt, first part: after the quick ACKs, a segment above a hole and the
   one that fills it are ACKed at once; the quick ACKs do not come back. */
static void
test_established_out_of_order_acked_at_once_quick_acks_not_back(void **state)
{
    (void)state;
    struct fx f;
    linux_established(&f);
    sixteen_quick_acks(&f);
    fx_run_ms(&f, 90);
    fx_mark(&f);
    peer_sends(&f, 17 * SEG, SEG, TCP_ACK);
    CF_EXPECT(&f, FX_B, B_ACK(16 * SEG));
    cf_rule(&f, TCP_RULE_SEQ_OUT_OF_ORDER);
    fx_run_ms(&f, 9);
    fx_mark(&f);
    peer_sends(&f, 16 * SEG, SEG, TCP_ACK);
    CF_EXPECT(&f, FX_B, B_ACK(18 * SEG));
    b_reads(&f, 2 * SEG);
    for (uint32_t i = 18; i < 22; i++) {
        fx_run_ms(&f, 9);
        fx_mark(&f);
        peer_sends(&f, i * SEG, SEG, TCP_ACK);
        if (i % 2 == 1)
            CF_EXPECT(&f, FX_B, B_ACK((i + 1) * SEG));
        else
            CF_NONE(&f, FX_B);
        b_reads(&f, SEG);
    }
    fx_fini(&f);
}

/* delack-out-of-order.pkt, the whole script: after the first part above (an ACK for every
   second segment), a duplicate of data already ACKed is ACKed at once and brings the quick ACKs
   back: each of the next segments is ACKed as it arrives. */
static void
test_established_duplicate_data_brings_quick_acks_back(void **state)
{
    (void)state;
    struct fx f;
    linux_established(&f);
    sixteen_quick_acks(&f);
    fx_run_ms(&f, 90);
    peer_sends(&f, 17 * SEG, SEG, TCP_ACK);
    fx_run_ms(&f, 9);
    peer_sends(&f, 16 * SEG, SEG, TCP_ACK);
    b_reads(&f, 2 * SEG);
    for (uint32_t i = 18; i < 22; i++) {
        fx_run_ms(&f, 9);
        fx_mark(&f);
        peer_sends(&f, i * SEG, SEG, TCP_ACK);
        if (i % 2 == 1)
            CF_EXPECT(&f, FX_B, B_ACK((i + 1) * SEG));
        else
            CF_NONE(&f, FX_B);
        b_reads(&f, SEG);
    }
    /* a duplicate of the last segment, 100 ms later */
    fx_run_ms(&f, 99);
    fx_mark(&f);
    peer_sends(&f, 21 * SEG, SEG, TCP_ACK);
    CF_EXPECT(&f, FX_B, B_ACK(22 * SEG));
    cf_rule(&f, TCP_RULE_ACK_QUICK_AGAIN);
    for (uint32_t i = 22; i < 26; i++) {
        fx_run_ms(&f, 9);
        fx_mark(&f);
        peer_sends(&f, i * SEG, SEG, TCP_ACK);
        CF_EXPECT(&f, FX_B, B_ACK((i + 1) * SEG));
        cf_rule(&f, TCP_RULE_ACK_QUICK);
        b_reads(&f, SEG);
    }
    fx_fini(&f);
}

/* After the 16 quick ACKs, lone segments 250 ms apart, each ACKed by the timer; each
   timer-sent ACK doubles the ACK timeout, capped at the SRTT (100 ms): 40, 80, 100, 100 ms
   (delack-ato-growth.pkt, first part). */
static void
lone_segments_250_ms_apart(struct fx *f)
{
    static const double delay_ms[] = {40, 80, 100, 100};
    sixteen_quick_acks(f);
    fx_run_ms(f, 240); /* the next arrives 250 ms after the 16th */
    for (uint32_t i = 0; i < 4; i++) {
        fx_mark(f);
        peer_sends(f, (16 + i) * SEG, SEG, TCP_ACK);
        fx_run_ms(f, delay_ms[i] - 0.2);
        CF_NONE(f, FX_B);
        fx_run_ms(f, 0.2);
        CF_EXPECT(f, FX_B, B_ACK((17 + i) * SEG));
        cf_rule(f, TCP_RULE_TIMER_DELACK);
        b_reads(f, SEG);
        fx_run_ms(f, 249 - delay_ms[i]);
    }
}

/* delack-ato-growth.pkt, first part: the ACK delay grows to the SRTT. */
static void
test_established_lone_segments_ack_delay_grows_to_srtt(void **state)
{
    (void)state;
    struct fx f;
    linux_established(&f);
    lone_segments_250_ms_apart(&f);
    assert_int_equal(f.b->ato, CLK_MSEC(300)); /* doubled up to the RTO; the delay, to the SRTT */
    fx_fini(&f);
}

/* delack-ato-growth.pkt, the whole script: then a segment after a silence longer than the RTO
   (400 ms) brings the quick ACKs back: ACKed at once, and so is the next. */
static void
test_established_silence_longer_than_rto_quick_acks_again(void **state)
{
    (void)state;
    struct fx f;
    linux_established(&f);
    lone_segments_250_ms_apart(&f);
    fx_run_ms(&f, 150); /* the next arrives 400 ms after the last */
    for (uint32_t i = 20; i < 22; i++) {
        fx_mark(&f);
        peer_sends(&f, i * SEG, SEG, TCP_ACK);
        CF_EXPECT(&f, FX_B, B_ACK((i + 1) * SEG));
        cf_rule(&f, TCP_RULE_ACK_QUICK_AGAIN);
        b_reads(&f, SEG);
        fx_run_ms(&f, 399);
    }
    fx_fini(&f);
}

/* delack-interactive.pkt: a reply within the ACK timeout of a request makes the connection
   interactive: the next request's ACK waits (the timer, 40 ms, ends the interactive mode);
   a reply 100 ms later does not; a reply carries a waiting ACK. */
static void
test_established_prompt_reply_makes_acks_wait(void **state)
{
    (void)state;
    struct fx f;
    static char reply[51];
    memset(reply, 'r', 50);
    linux_established(&f);
    /* a request, ACKed at once (a quick ACK); the reply 10 ms later: interactive */
    peer_sends(&f, 0, 100, TCP_ACK | TCP_PSH);
    CF_EXPECT(&f, FX_B, B_ACK(100));
    b_reads(&f, 100);
    fx_run_ms(&f, 10);
    fx_mark(&f);
    cf_send(f.b, reply);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 201, 50});
    cf_rule(&f, TCP_RULE_ACK_INTERACTIVE);
    assert_true(f.b->interactive);
    /* the next request waits for the timer, 40 ms */
    fx_run_ms(&f, 9);
    fx_mark(&f);
    peer_sends(&f, 100, 100, TCP_ACK | TCP_PSH);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 39.8);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 0.2);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 351, 301, 0});
    assert_false(f.b->interactive);
    b_reads(&f, 100);
    /* so the next request gets a quick ACK; the reply 100 ms later: not interactive */
    fx_run_ms(&f, 99);
    fx_mark(&f);
    peer_sends(&f, 200, 100, TCP_ACK | TCP_PSH);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 351, 401, 0});
    b_reads(&f, 100);
    fx_run_ms(&f, 100);
    cf_send(f.b, reply);
    assert_false(f.b->interactive);
    fx_run_ms(&f, 9);
    fx_mark(&f);
    peer_sends(&f, 300, 100, TCP_ACK | TCP_PSH);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 401, 501, 0});
    b_reads(&f, 100);
    /* a reply 5 ms after a request: interactive again; the next request's ACK rides on the
       reply 10 ms later */
    fx_run_ms(&f, 5);
    cf_send(f.b, reply);
    assert_true(f.b->interactive);
    fx_run_ms(&f, 9);
    fx_mark(&f);
    peer_sends(&f, 400, 100, TCP_ACK | TCP_PSH);
    CF_NONE(&f, FX_B);
    fx_run_ms(&f, 10);
    b_reads(&f, 100);
    cf_send(f.b, reply);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 451, 601, 50});
    fx_fini(&f);
}

/* delack-small-window.pkt: the quick ACKs follow the window: 7300 / (2 * 1000) = 3, then an
   ACK for every second segment. */
static void
test_established_small_window_three_quick_acks(void **state)
{
    (void)state;
    struct fx f;
    linux_established_buf(&f, 7300); /* the window Linux offered with SO_RCVBUF 8192 */
    for (uint32_t i = 0; i < 6; i++) {
        fx_mark(&f);
        peer_sends(&f, i * SEG, SEG, TCP_ACK);
        if (i < 3 || i % 2 == 0)
            CF_EXPECT(&f, FX_B, B_ACK((i + 1) * SEG));
        else
            CF_NONE(&f, FX_B);
        b_reads(&f, SEG);
        fx_run_ms(&f, 9);
    }
    fx_fini(&f);
}

/* The presets: Linux's delayed ACK in linux, none in rfc (RFC 9293's figures ACK each
   segment); the delay is capped below 0.5 s (MUST-40). */
static void
test_established_delack_settings_ranges(void **state)
{
    (void)state;
    struct tcp_settings s;
    tcp_settings_preset(&s, TCP_PRESET_LINUX);
    assert_int_equal(s.delayed_ack, TCP_DELACK_LINUX);
    assert_int_equal(s.delack_timeout, CLK_MSEC(40));
    tcp_settings_preset(&s, TCP_PRESET_RFC);
    assert_int_equal(s.delayed_ack, TCP_DELACK_OFF);
    assert_int_equal(s.delack_timeout, CLK_MSEC(200));
    const struct tcp_setting_info *t = tcp_setting_find("delack_timeout");
    assert_non_null(t);
    assert_int_equal(tcp_setting_set(&s, t, 0.5), TCP_OK);
    assert_int_equal(tcp_setting_set(&s, t, 0.6), TCP_EINVAL);
    const struct tcp_setting_info *d = tcp_setting_find("delayed_ack");
    assert_int_equal(tcp_setting_set(&s, d, 1), TCP_OK);
    assert_int_equal(s.delayed_ack, TCP_DELACK_RFC1122);
    assert_int_equal(tcp_setting_set(&s, d, 2), TCP_OK);
    assert_int_equal(s.delayed_ack, TCP_DELACK_LINUX);
    assert_int_equal(tcp_setting_set(&s, d, 3), TCP_EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_data_acked_at_once_without_delayed_ack),
        cmocka_unit_test(test_established_one_segment_ack_delayed_until_timeout),
        cmocka_unit_test(test_established_second_full_segment_acked_at_once),
        cmocka_unit_test(test_established_reply_data_carries_delayed_ack),
        cmocka_unit_test(test_established_out_of_order_and_gap_fill_acked_at_once),
        cmocka_unit_test(test_established_fin_acked_at_once_with_owed_data),
        cmocka_unit_test(test_established_segments_read_sixteen_quick_acks_then_every_second),
        cmocka_unit_test(test_established_segments_unread_sixteen_quick_acks_then_timer),
        cmocka_unit_test(test_established_segment_near_delack_expiry_acked_at_once),
        cmocka_unit_test(test_established_reads_send_held_back_acks),
        cmocka_unit_test(test_established_data_fin_ack_delayed_bare_fin_at_once_before_data),
        cmocka_unit_test(test_established_fin_with_quick_acks_left_ack_delayed),
        cmocka_unit_test(test_established_fin_after_quick_acks_ack_delayed),
        cmocka_unit_test(test_established_out_of_order_acked_at_once_quick_acks_not_back),
        cmocka_unit_test(test_established_duplicate_data_brings_quick_acks_back),
        cmocka_unit_test(test_established_lone_segments_ack_delay_grows_to_srtt),
        cmocka_unit_test(test_established_silence_longer_than_rto_quick_acks_again),
        cmocka_unit_test(test_established_prompt_reply_makes_acks_wait),
        cmocka_unit_test(test_established_small_window_three_quick_acks),
        cmocka_unit_test(test_established_delack_settings_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
