/*
 * test_sack.c - selective acknowledgments (RFC 2018, RFC 2883) and the loss recovery they
 * allow (RFC 6675; Linux's RACK, RFC 8985), each figure of the sender's checked against a
 * Linux 6.18 kernel with the packetdrill script named (tests/linux/sack-*.pkt).
 *
 * Receiving: B holds out-of-order data from A and reports it in the SACK blocks of its ACKs.
 * Sending: A's data never reaches B (dropped on the wire); the test plays B, injecting ACKs
 * with SACK blocks, as packetdrill's remote end does. Presets: linux unless said otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "tcpsim/out.h"

/* A and B ESTABLISHED with SACK agreed in the handshake; 'mss' on both hosts; A's segments
   take 'a_ms' to reach B, B's 'b_ms' to reach A (the handshake's RTT is their sum). */
static void
sk_established(struct fx *f, bool rfc, int mss, double a_ms, double b_ms)
{
    fx_init(f, rfc);
    f->w->host[FX_A].cfg.sack = 1; /* the rfc preset has RFC 9293's MSS option only */
    f->w->host[FX_B].cfg.sack = 1;
    f->w->host[FX_A].cfg.mss = mss;
    f->w->host[FX_B].cfg.mss = mss;
    {
        struct wire_link s = f->w->wire.link[FX_A];
        s.delay = clk_from_sec(a_ms / 1000.0);
        wire_link_set(f->w, FX_A, &s);
    }
    {
        struct wire_link s = f->w->wire.link[FX_B];
        s.delay = clk_from_sec(b_ms / 1000.0);
        wire_link_set(f->w, FX_B, &s);
    }
    fx_listen(f);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f->w->host[FX_A], f->w->host[FX_B].addr, FX_SPORT, &o, &f->a), TCP_OK);
    fx_run_ms(f, 2 * (a_ms + b_ms) + 1);
    assert_int_equal(tcp_accept(f->l, &f->b), TCP_OK);
    assert_int_equal(f->a->state, TCP_ESTABLISHED);
    assert_int_equal(f->b->state, TCP_ESTABLISHED);
    assert_true(f->a->sack_ok); /* agreed in the handshake (RFC 2018 2) */
    assert_true(f->b->sack_ok);
    fx_mark(f);
}

/* An ACK from B to A: <ACK=ack> with SACK blocks (left, right pairs, relative to A's ISN+1,
   as packetdrill writes them; 'n' blocks). It arrives at once (1 us later). */
static void
sk_sack(struct fx *f, uint32_t ack, int n, const uint32_t *lr)
{
    uint32_t base = f->a->iss; /* relative 1 = ISS + 1 */
    struct tcp_seg s;
    memset(&s, 0, sizeof s);
    s.saddr = f->w->host[FX_B].addr;
    s.daddr = f->w->host[FX_A].addr;
    s.sport = FX_SPORT;
    s.dport = FX_CPORT;
    s.seq = f->b->snd_nxt;
    s.ack = base + ack;
    s.flags = TCP_ACK;
    s.wnd = 65535;
    for (int i = 0; i < n; i++) {
        s.opt.sack[i].left = base + lr[2 * i];
        s.opt.sack[i].right = base + lr[2 * i + 1];
    }
    if (n > 0) {
        s.opt.present = TCP_OPT_SACK;
        s.opt.nsack = (uint8_t)n;
    }
    struct wire_link k = f->w->wire.link[FX_B];
    clk_time d = k.delay;
    k.delay = 1000; /* 1 us */
    wire_link_set(f->w, FX_B, &k);
    wire_inject(f->w, FX_B, &s);
    k.delay = d;
    wire_link_set(f->w, FX_B, &k);
    fx_run_ms(f, 0.002);
}
#define SK_SACK(f, ack, ...)                                                   \
    do {                                                                       \
        const uint32_t sk_lr_[] = {__VA_ARGS__};                               \
        sk_sack((f), (ack), (int)(sizeof sk_lr_ / sizeof sk_lr_[0] / 2), sk_lr_); \
    } while (0)

/* Queue 'n' octets on 'c'. */
static void
sk_send_n(struct tcp_conn *c, size_t n)
{
    static char buf[16384];
    size_t q = 0;
    assert_true(n <= sizeof buf);
    memset(buf, 'x', sizeof buf);
    assert_int_equal(tcp_send(c, buf, n, &q), TCP_OK);
    assert_int_equal(q, n);
}

/* The last segment 'host' sent since the mark. */
static struct tcp_seg
sk_last(const struct fx *f, int host)
{
    struct tcp_seg s[64];
    size_t n = cf_sent(f, host, s, 64);
    assert_true(n > 0 && n <= 64);
    return s[n - 1];
}

/* Assert the SACK blocks of 's', as absolute sequence numbers (left, right pairs). */
static void
sk_blocks_at(const struct tcp_seg *s, int n, const uint32_t *lr, const char *file, int line)
{
    bool ok = (n == 0) == !(s->opt.present & TCP_OPT_SACK) && s->opt.nsack == n;
    for (int i = 0; ok && i < n; i++)
        ok = s->opt.sack[i].left == lr[2 * i] && s->opt.sack[i].right == lr[2 * i + 1];
    if (ok)
        return;
    print_message("%s:%d: %u block(s):", file, line, (unsigned)s->opt.nsack);
    for (int i = 0; i < s->opt.nsack; i++)
        print_message(" %u:%u", (unsigned)s->opt.sack[i].left, (unsigned)s->opt.sack[i].right);
    print_message("; expected %d:", n);
    for (int i = 0; i < n; i++)
        print_message(" %u:%u", (unsigned)lr[2 * i], (unsigned)lr[2 * i + 1]);
    print_message("\n");
    fail_msg("SACK blocks differ (see above)");
}
#define SK_BLOCKS(s, ...)                                                                      \
    do {                                                                                       \
        const uint32_t sk_b_[] = {__VA_ARGS__};                                                \
        sk_blocks_at((s), (int)(sizeof sk_b_ / sizeof sk_b_[0] / 2), sk_b_, __FILE__, __LINE__); \
    } while (0)
#define SK_NO_BLOCKS(s) sk_blocks_at((s), 0, NULL, __FILE__, __LINE__)

/* ---- receiving: the blocks (RFC 2018 4) --------------------------------------------------- */

/* A segment beyond RCV.NXT is held and answered at once with its block. */
static void
test_established_out_of_order_ack_has_sack_block(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, false, 1460, 1, 1);
    fx_inject_to(&f, f.b, 111, 301, TCP_ACK, 65535, "0123456789");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101, 0});
    struct tcp_seg s = sk_last(&f, FX_B);
    SK_BLOCKS(&s, 111, 121);
    assert_int_equal(f.b->rcv_nsack, 1);
    fx_fini(&f);
}

/* RFC 2018 4: "The first SACK block ... MUST specify the contiguous block of data containing
   the segment which triggered this ACK"; the others in the order they were last reported. */
static void
test_established_out_of_order_newest_block_first(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, false, 1460, 1, 1);
    fx_inject_to(&f, f.b, 111, 301, TCP_ACK, 65535, "0123456789");
    fx_inject_to(&f, f.b, 131, 301, TCP_ACK, 65535, "0123456789");
    struct tcp_seg s = sk_last(&f, FX_B);
    SK_BLOCKS(&s, 131, 141, 111, 121);
    /* the older block grows by an adjacent segment: it goes first again */
    fx_mark(&f);
    fx_inject_to(&f, f.b, 121, 301, TCP_ACK, 65535, "01234");
    s = sk_last(&f, FX_B);
    SK_BLOCKS(&s, 111, 126, 131, 141);
    /* a segment that fills the gap between them: one block */
    fx_mark(&f);
    fx_inject_to(&f, f.b, 126, 301, TCP_ACK, 65535, "01234");
    s = sk_last(&f, FX_B);
    SK_BLOCKS(&s, 111, 141);
    fx_fini(&f);
}

/* Beside a timestamp three blocks fit in the 40 octets of options; a fourth hole drops the
   oldest report (RFC 2018 3). */
static void
test_established_out_of_order_three_blocks_beside_timestamp(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.timestamps = 1; /* the fixture turns them off for crafted segments */
    f.w->host[FX_B].cfg.timestamps = 1;
    fx_established(&f);
    assert_true(f.b->ts_ok);
    for (uint32_t k = 0; k < 5; k++)
        fx_inject_to(&f, f.b, 111 + 20 * k, 301, TCP_ACK, 65535, "0123456789");
    struct tcp_seg s = sk_last(&f, FX_B);
    SK_BLOCKS(&s, 191, 201, 171, 181, 151, 161);
    fx_fini(&f);
}

/* Without timestamps four fit; the receiver remembers four, so a fifth hole drops the
   oldest. */
static void
test_established_out_of_order_four_blocks_without_timestamps(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false); /* without timestamps, as fixtures are */
    fx_established(&f);
    assert_false(f.b->ts_ok);
    for (uint32_t k = 0; k < 5; k++)
        fx_inject_to(&f, f.b, 111 + 20 * k, 301, TCP_ACK, 65535, "0123456789");
    struct tcp_seg s = sk_last(&f, FX_B);
    SK_BLOCKS(&s, 191, 201, 171, 181, 151, 161, 131, 141);
    fx_fini(&f);
}

/* sack-receiver-blocks.pkt, step by step (MSS 1000, no timestamps; relative numbers 1 = 101):
   the kernel's blocks after each segment, the D-SACK taking one of the four places. */
static void
test_established_out_of_order_blocks_as_linux(void **state)
{
    (void)state;
    static char k1[1001], k5[501];
    memset(k1, 'k', 1000);
    memset(k5, 'h', 500);
    struct fx f;
    fx_init(&f, false); /* no timestamps: fixtures turn them off */
    fx_established(&f);
    cf_drop_all_from(&f, FX_A); /* A's own answers to B's ACKs (of data it never sent) stay out */
    const uint32_t r = 100; /* relative 1 = 101 */
    struct {
        uint32_t seq;
        const char *data;
        uint32_t ack;
        int n;
        uint32_t b[8];
    } step[] = {
        {1001, k1, 1, 1, {1001, 2001}},
        {3001, k1, 1, 2, {3001, 4001, 1001, 2001}},
        {2001, k5, 1, 2, {1001, 2501, 3001, 4001}},
        {2501, k5, 1, 1, {1001, 4001}},
        {5001, k1, 1, 2, {5001, 6001, 1001, 4001}},
        {7001, k1, 1, 3, {7001, 8001, 5001, 6001, 1001, 4001}},
        {9001, k1, 1, 4, {9001, 10001, 7001, 8001, 5001, 6001, 1001, 4001}},
        {11001, k1, 1, 4, {11001, 12001, 9001, 10001, 7001, 8001, 5001, 6001}},
        {1, k1, 4001, 4, {11001, 12001, 9001, 10001, 7001, 8001, 5001, 6001}},
        {1, k1, 4001, 4, {1, 1001, 11001, 12001, 9001, 10001, 7001, 8001}},
        {4001, k1, 6001, 3, {11001, 12001, 9001, 10001, 7001, 8001}},
    };
    for (size_t i = 0; i < sizeof step / sizeof step[0]; i++) {
        fx_mark(&f);
        fx_inject_to(&f, f.b, r + step[i].seq, 301, TCP_ACK, 65535, step[i].data);
        CF_EXPECT(&f, FX_B, {TCP_ACK, 301, r + step[i].ack, 0});
        struct tcp_seg s = sk_last(&f, FX_B);
        uint32_t abs[8];
        for (int k = 0; k < 2 * step[i].n; k++)
            abs[k] = r + step[i].b[k];
        sk_blocks_at(&s, step[i].n, abs, __FILE__, __LINE__);
    }
    fx_fini(&f);
}

/* Once RCV.NXT reaches the held data, its block is gone: the ACK that fills the hole (at
   once, RFC 5681 4.2) carries none. */
static void
test_established_gap_filled_ack_without_blocks(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, false, 1460, 1, 1);
    fx_inject_to(&f, f.b, 111, 301, TCP_ACK, 65535, "0123456789");
    fx_mark(&f);
    fx_inject_to(&f, f.b, 101, 301, TCP_ACK, 65535, "0123456789");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 121, 0});
    struct tcp_seg s = sk_last(&f, FX_B);
    SK_NO_BLOCKS(&s);
    assert_int_equal(f.b->rcv_nsack, 0);
    fx_fini(&f);
}

/* Without SACK agreed, an out-of-order segment's duplicate ACK has no blocks. */
static void
test_established_no_sack_ok_no_blocks(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.sack = 0; /* A offers no SACK-permitted: B sends no blocks */
    fx_established(&f);
    assert_false(f.b->sack_ok);
    fx_inject_to(&f, f.b, 111, 301, TCP_ACK, 65535, "0123456789");
    struct tcp_seg s = sk_last(&f, FX_B);
    SK_NO_BLOCKS(&s);
    fx_fini(&f);
}

/* ---- receiving: D-SACK (RFC 2883) --------------------------------------------------------- */

/* Data already acknowledged comes again: its ACK reports it in a D-SACK block (Linux: the
   kernel's <sack 1:1001> for a duplicate below the ACK), once. */
static void
test_established_duplicate_data_dsack(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, false, 1460, 1, 1);
    fx_inject_to(&f, f.b, 101, 301, TCP_ACK | TCP_PSH, 65535, "0123456789");
    fx_mark(&f);
    fx_inject_to(&f, f.b, 101, 301, TCP_ACK | TCP_PSH, 65535, "0123456789");
    cf_rule(&f, TCP_RULE_SACK_DSACK_SEND);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 111, 0});
    struct tcp_seg s = sk_last(&f, FX_B);
    SK_BLOCKS(&s, 101, 111);
    /* reported once: the next ACK has none */
    fx_mark(&f);
    fx_inject_to(&f, f.b, 121, 301, TCP_ACK, 65535, "0123456789");
    s = sk_last(&f, FX_B);
    SK_BLOCKS(&s, 121, 131);
    fx_fini(&f);
}

/* tcp_dsack 0: the duplicate's ACK has no block. */
static void
test_established_duplicate_data_dsack_off(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, false, 1460, 1, 1);
    f.w->host[FX_B].cfg.dsack = 0;
    fx_inject_to(&f, f.b, 101, 301, TCP_ACK | TCP_PSH, 65535, "0123456789");
    fx_mark(&f);
    fx_inject_to(&f, f.b, 101, 301, TCP_ACK | TCP_PSH, 65535, "0123456789");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 111, 0});
    struct tcp_seg s = sk_last(&f, FX_B);
    SK_NO_BLOCKS(&s);
    fx_fini(&f);
}

/* A duplicate of data held out of order: the D-SACK block first, then the block holding it
   (RFC 2883 4.1, example 3's order). */
static void
test_established_duplicate_out_of_order_dsack_first(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, false, 1460, 1, 1);
    fx_inject_to(&f, f.b, 111, 301, TCP_ACK, 65535, "0123456789");
    fx_mark(&f);
    fx_inject_to(&f, f.b, 111, 301, TCP_ACK, 65535, "0123456789");
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101, 0});
    struct tcp_seg s = sk_last(&f, FX_B);
    SK_BLOCKS(&s, 111, 121, 111, 121);
    fx_fini(&f);
}

/* ---- sending: the scoreboard -------------------------------------------------------------- */

/* The scoreboard keeps the SACKed ranges sorted and merged; a D-SACK is counted, not kept;
   a cumulative ACK removes what it covers. */
static void
test_established_scoreboard_merges_and_trims(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, false, 1000, 50, 1);
    cf_drop_all_from(&f, FX_A);
    sk_send_n(f.a, 8000);
    SK_SACK(&f, 1, 2001, 3001);
    SK_SACK(&f, 1, 5001, 6001, 2001, 3001);
    assert_int_equal(f.a->nboard, 2);
    SK_SACK(&f, 1, 3001, 5001, 5001, 6001, 2001, 3001);
    assert_int_equal(f.a->nboard, 1);
    assert_int_equal(f.a->board[0].left, f.a->iss + 2001);
    assert_int_equal(f.a->board[0].right, f.a->iss + 6001);
    fx_mark(&f);
    SK_SACK(&f, 1001, 1, 1001, 2001, 6001); /* below the cumulative ACK: a D-SACK */
    cf_rule(&f, TCP_RULE_SACK_DSACK_RCVD);
    assert_int_equal(f.a->dsacks_rcvd, 1);
    sk_sack(&f, 4001, 0, NULL);
    assert_int_equal(f.a->nboard, 1);
    assert_int_equal(f.a->board[0].left, f.a->iss + 4001);
    assert_int_equal(f.a->board[0].right - f.a->board[0].left, 2000);
    fx_fini(&f);
}

/* sack-rack-third.pkt: ten segments, the first lost, SACKs of the others one by one: Linux
   resends the first at the third SACK (3 segments SACKed: RACK's reordering window is zero),
   not before; the kernel did the same. */
static void
test_established_rack_third_sack_resends_first(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, false, 1000, 50, 50);
    cf_drop_all_from(&f, FX_A);
    sk_send_n(f.a, 10000);
    fx_run_ms(&f, 100);
    fx_mark(&f);
    SK_SACK(&f, 1, 1001, 2001);
    SK_SACK(&f, 1, 1001, 3001);
    CF_NONE(&f, FX_A);
    assert_true(tcp_timer_left(f.a, TCP_TIMER_REORDER) >= 0);
    SK_SACK(&f, 1, 1001, 4001);
    cf_rule(&f, TCP_RULE_SACK_RECOVERY);
    cf_rule(&f, TCP_RULE_RACK_LOST);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 1000});
    assert_true(f.a->in_recovery);
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_REORDER), -1);
    /* more SACKs above: nothing more to resend */
    fx_mark(&f);
    SK_SACK(&f, 1, 1001, 5001);
    CF_NONE(&f, FX_A);
    sk_sack(&f, 10001, 0, NULL);
    assert_false(f.a->in_recovery);
    assert_int_equal(f.a->nboard, 0);
    fx_fini(&f);
}

/* sack-rack-reorder.pkt: three segments, the first lost, the other two SACKed: too few for
   the dupthresh, so RACK waits a quarter of the smallest RTT (100 ms: 25 ms) after the last
   SACK, then resends it (the kernel: 30 ms after the SACKs, its timer rounded up to jiffies
   and two added). */
static void
test_established_rack_reorder_timer_resends_first(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, false, 1000, 50, 50);
    cf_drop_all_from(&f, FX_A);
    sk_send_n(f.a, 3000);
    fx_run_ms(&f, 100);
    fx_mark(&f);
    SK_SACK(&f, 1, 1001, 2001);
    fx_run_ms(&f, 0.998);
    clk_time t0 = world_now(f.w);
    SK_SACK(&f, 1, 1001, 3001);
    CF_NONE(&f, FX_A);
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_REORDER) + (world_now(f.w) - t0), CLK_MSEC(25) + 1000);
    fx_run_ms(&f, 30);
    cf_rule(&f, TCP_RULE_TIMER_REORDER);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 1000});
    clk_time at;
    assert_int_equal(cf_send_times(&f, FX_A, &at, 1), 1);
    assert_int_equal(at - t0, CLK_MSEC(25) + 1000);
    fx_fini(&f);
}

/* The hole was only reordered: the cumulative ACK that covers it (no blocks: B holds nothing
   out of order any more; header prediction takes it) empties the scoreboard and stops the
   reorder timer; nothing is resent. */
static void
test_established_rack_reordered_hole_filled_no_resend(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, false, 1000, 50, 50);
    cf_drop_all_from(&f, FX_A);
    sk_send_n(f.a, 3000);
    fx_run_ms(&f, 100);
    fx_mark(&f);
    SK_SACK(&f, 1, 1001, 3001);
    assert_true(tcp_timer_left(f.a, TCP_TIMER_REORDER) >= 0);
    sk_sack(&f, 3001, 0, NULL);
    assert_int_equal(f.a->nboard, 0);
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_REORDER), -1);
    fx_run_ms(&f, 100);
    CF_NONE(&f, FX_A);
    fx_fini(&f);
}

/* sack-rack-two-holes.pkt: the first and the fifth of ten lost. In recovery RACK's window is
   zero: the fifth goes at the first SACK above it (the kernel: at once). */
static void
test_established_rack_recovery_second_hole_at_once(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, false, 1000, 50, 50);
    cf_drop_all_from(&f, FX_A);
    sk_send_n(f.a, 10000);
    fx_run_ms(&f, 100);
    SK_SACK(&f, 1, 1001, 2001);
    SK_SACK(&f, 1, 1001, 3001);
    fx_mark(&f);
    SK_SACK(&f, 1, 1001, 4001);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 1000});
    fx_mark(&f);
    SK_SACK(&f, 1, 5001, 6001, 1001, 4001);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 4101, 301, 1000});
    fx_mark(&f);
    SK_SACK(&f, 1, 5001, 7001, 1001, 4001);
    SK_SACK(&f, 1, 5001, 8001, 1001, 4001);
    CF_NONE(&f, FX_A);
    fx_fini(&f);
}

/* The same losses under RFC 6675 (rfc preset, tcp_recovery 0): recovery begins at the third
   duplicate ACK; the fifth segment IsLost only once more than 2 segments' worth is SACKed
   above it, at the third SACK above it. */
static void
test_established_rfc6675_second_hole_islost(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, true, 1000, 50, 50);
    cf_drop_all_from(&f, FX_A);
    sk_send_n(f.a, 10000);
    fx_run_ms(&f, 100);
    fx_mark(&f);
    SK_SACK(&f, 1, 1001, 2001);
    SK_SACK(&f, 1, 1001, 3001);
    CF_NONE(&f, FX_A);
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_REORDER), -1);
    SK_SACK(&f, 1, 1001, 4001);
    cf_rule(&f, TCP_RULE_SACK_RECOVERY);
    cf_rule(&f, TCP_RULE_SACK_RESEND_HOLE);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 1000});
    fx_mark(&f);
    SK_SACK(&f, 1, 5001, 6001, 1001, 4001);
    SK_SACK(&f, 1, 5001, 7001, 1001, 4001);
    CF_NONE(&f, FX_A);
    SK_SACK(&f, 1, 5001, 8001, 1001, 4001);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 4101, 301, 1000});
    fx_fini(&f);
}

/* sack-rto-holes.pkt: four segments, the third SACKed alone. RACK's window passes (25 ms; the
   kernel 31) and the first two go together; resending the first restarts the RTO, which
   expires 300 ms later (the kernel: 312) and resends the first again. Then each ACK that moves
   SND.UNA resends the next hole, stepping over the SACKed third (without SACK the segment at
   SND.UNA would go, 2001:3001, which B holds). The kernel sends the fourth together with the
   second, its congestion window 2 after one ACK in slow start; tcpsim, without one, at the next
   ACK (docs/deviations.md). */
static void
test_established_rto_resends_only_holes(void **state)
{
    (void)state;
    struct fx f;
    sk_established(&f, false, 1000, 50, 50);
    f.w->host[FX_A].cfg.early_retrans = 0; /* no probe: the RTO alone, as after the kernel's */
    cf_drop_all_from(&f, FX_A);
    clk_time t0 = world_now(f.w);
    sk_send_n(f.a, 4000);
    fx_run_ms(&f, 100);
    fx_mark(&f);
    SK_SACK(&f, 1, 2001, 3001);
    fx_run_ms(&f, 30); /* RACK's window passes: recovery resends 1 and 1001 */
    cf_rule(&f, TCP_RULE_TIMER_REORDER);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 1000}, {TCP_ACK, 1101, 301, 1000});
    clk_time at[4];
    assert_int_equal(cf_send_times(&f, FX_A, at, 4), 2);
    assert_int_equal(at[0] - t0, CLK_MSEC(125) + 1000);
    fx_mark(&f);
    fx_run_ms(&f, 300); /* the RTO, restarted by the resend of the first: 1 again */
    cf_rule(&f, TCP_RULE_TIMER_REXMIT);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 1000});
    assert_int_equal(cf_send_times(&f, FX_A, at, 4), 1);
    assert_int_equal(at[0] - t0, CLK_MSEC(425) + 1000);
    fx_mark(&f);
    SK_SACK(&f, 1001, 2001, 3001);
    cf_rule(&f, TCP_RULE_RACK_LOST); /* below SACKed data: lost again */
    CF_EXPECT(&f, FX_A, {TCP_ACK, 1101, 301, 1000});
    fx_mark(&f);
    SK_SACK(&f, 2001, 2001, 3001);
    cf_rule(&f, TCP_RULE_SACK_RESEND_HOLE);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 3101, 301, 1000});
    fx_fini(&f);
}

/* ---- the capture -------------------------------------------------------------------------- */

/* The blocks B's own ACKs carried, as tshark decodes them from the capture: each ACK's left and
   right edges in order, three beside the timestamp at most, the D-SACK of a duplicated segment
   recognised as one, nothing malformed. */
static void
test_established_sack_capture_tshark_fields(void **state)
{
    (void)state;
    if (system("command -v tshark >/dev/null 2>&1") != 0)
        skip();
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.timestamps = 1;
    f.w->host[FX_B].cfg.timestamps = 1;
    struct out_pcap *p = out_pcap_new();
    assert_non_null(p);
    world_observe(f.w, out_pcap_observe, p);
    fx_established(&f);
    /* A's data segments 2, 4 and 6 are lost the first time, its 8th is duplicated */
    for (uint32_t k = 1; k <= 5; k += 2) {
        struct wire_rule r = {.from = FX_A, .has_seq = true, .seq = f.a->snd_nxt + k * 1460, .len = 1460,
                              .nth = 1, .count = 1, .action = WIRE_DROP};
        wire_rule_add(f.w, &r);
    }
    struct wire_rule d = {.from = FX_A, .has_seq = true, .seq = f.a->snd_nxt + 7 * 1460, .len = 1460,
                          .nth = 1, .count = 1, .action = WIRE_DUPLICATE};
    wire_rule_add(f.w, &d);
    sk_send_n(f.a, 11 * 1460);
    fx_run_ms(&f, 500);
    char buf[16];
    size_t got = 1;
    while (got > 0)
        assert_int_equal(tcp_receive(f.b, buf, sizeof buf, &got), TCP_OK);
    /* what B sent, from the trace: the blocks of each segment that had any, as "le,..|re,.." */
    char want[64][128];
    int nwant = 0, dsack = 0;
    for (size_t i = 0; i < f.log.len && nwant < 64; i++) {
        const struct trace_event ev_ = trace_log_get(&f.log, i), *ev = &ev_;
        if (ev->kind != TRACE_SEND || ev->from != FX_B || !(ev->seg.opt.present & TCP_OPT_SACK))
            continue;
        const struct tcp_opts *o = &ev->seg.opt;
        assert_true(o->nsack >= 1 && o->nsack <= 3);
        int k = snprintf(want[nwant], sizeof want[0], "%u", (unsigned)o->sack[0].left);
        for (int b = 1; b < o->nsack; b++)
            k += snprintf(want[nwant] + k, sizeof want[0] - (size_t)k, ",%u", (unsigned)o->sack[b].left);
        k += snprintf(want[nwant] + k, sizeof want[0] - (size_t)k, "|%u", (unsigned)o->sack[0].right);
        for (int b = 1; b < o->nsack; b++)
            k += snprintf(want[nwant] + k, sizeof want[0] - (size_t)k, ",%u", (unsigned)o->sack[b].right);
        if (seq_le(o->sack[0].right, ev->seg.ack)
            || (o->nsack > 1 && seq_ge(o->sack[0].left, o->sack[1].left) && seq_le(o->sack[0].right, o->sack[1].right)))
            dsack++; /* RFC 2883 4: below the ACK, or inside the second block */
        nwant++;
    }
    assert_true(nwant >= 6);
    assert_int_equal(dsack, 1);
    char path[] = "/tmp/tcpsim-sack-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "w");
    assert_non_null(out);
    assert_int_equal(out_pcap_finish(p, out), 0);
    fclose(out);
    out_pcap_free(p);
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "tshark -r %s -o tcp.relative_sequence_numbers:FALSE -Y 'tcp.srcport == %u && tcp.options.sack' "
             "-T fields -E separator='|' -e tcp.options.sack_le -e tcp.options.sack_re "
             "-e tcp.options.sack.dsack_le -e _ws.malformed 2>/dev/null",
             path, (unsigned)f.b->lport);
    FILE *t = popen(cmd, "r");
    assert_non_null(t);
    char line[512];
    int n = 0, dsack_seen = 0;
    while (fgets(line, sizeof line, t)) {
        line[strcspn(line, "\n")] = '\0';
        char *fld[4] = {line, NULL, NULL, NULL};
        for (int i = 1; i < 4; i++) {
            fld[i] = strchr(fld[i - 1], '|');
            assert_non_null(fld[i]);
            *fld[i]++ = '\0';
        }
        assert_string_equal(fld[3], ""); /* nothing malformed */
        assert_true(n < nwant);
        char lere[256];
        snprintf(lere, sizeof lere, "%s|%s", fld[0], fld[1]);
        assert_string_equal(lere, want[n]);
        if (*fld[2])
            dsack_seen++;
        n++;
    }
    assert_int_equal(pclose(t), 0);
    unlink(path);
    assert_int_equal(n, nwant);
    assert_int_equal(dsack_seen, 1);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_out_of_order_ack_has_sack_block),
        cmocka_unit_test(test_established_out_of_order_newest_block_first),
        cmocka_unit_test(test_established_out_of_order_three_blocks_beside_timestamp),
        cmocka_unit_test(test_established_out_of_order_four_blocks_without_timestamps),
        cmocka_unit_test(test_established_out_of_order_blocks_as_linux),
        cmocka_unit_test(test_established_gap_filled_ack_without_blocks),
        cmocka_unit_test(test_established_no_sack_ok_no_blocks),
        cmocka_unit_test(test_established_duplicate_data_dsack),
        cmocka_unit_test(test_established_duplicate_data_dsack_off),
        cmocka_unit_test(test_established_duplicate_out_of_order_dsack_first),
        cmocka_unit_test(test_established_scoreboard_merges_and_trims),
        cmocka_unit_test(test_established_rack_third_sack_resends_first),
        cmocka_unit_test(test_established_rack_reorder_timer_resends_first),
        cmocka_unit_test(test_established_rack_reordered_hole_filled_no_resend),
        cmocka_unit_test(test_established_rack_recovery_second_hole_at_once),
        cmocka_unit_test(test_established_rfc6675_second_hole_islost),
        cmocka_unit_test(test_established_rto_resends_only_holes),
        cmocka_unit_test(test_established_sack_capture_tshark_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
