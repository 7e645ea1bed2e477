/*
 * test_linux_timers.c - the retransmission timer as a Linux 6.18 kernel runs it, each
 * figure checked against the kernel with the packetdrill script named (tests/linux/):
 *
 *   SYN retries with tcp_syn_linear_timeouts (Linux 6.5 and later), and the limits counted as
 *   time (ip-sysctl.rst's "hypothetical timeout": retries_by_time);
 *   the tail loss probe (RFC 8985 7, tcp_early_retrans);
 *   orphaned sockets giving up after tcp_orphan_retries;
 *   RFC 6298 5.7: the RTO is 3 s after a handshake whose SYN or SYN,ACK was retransmitted.
 *
 * The kernel's timers fire late by its timer wheel's granularity (HZ 250: 4 ms below 256 ms,
 * 32 ms below 2 s, 256 ms below 16 s, 2 s below 131 s); the figures here are the nominal ones
 * the kernel's measured times round up from. Presets: linux unless said otherwise.
 */
#include "conf.h"

/* Assert that 'host' sent exactly 'n' segments since the mark, 'ms[i]' milliseconds after
   't0' (to the nanosecond: virtual time is exact). */
static void
lt_expect_times(const struct fx *f, int host, clk_time t0, const double *ms, size_t n)
{
    clk_time at[64];
    size_t k = cf_send_times(f, host, at, 64);
    bool ok = k == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = at[i] - t0 == clk_from_sec(ms[i] / 1000.0);
    if (ok)
        return;
    print_message("host %c sent %zu segment(s) at (ms after t0):", 'A' + host, k);
    for (size_t i = 0; i < k && i < 64; i++)
        print_message(" %.3f", (double)(at[i] - t0) / 1e6);
    print_message("\nexpected %zu at:", n);
    for (size_t i = 0; i < n; i++)
        print_message(" %.3f", ms[i]);
    print_message("\n");
    fail_msg("send times differ (see above)");
}
#define LT_TIMES(f, host, t0, ...)                                                            \
    do {                                                                                      \
        const double lt_ms_[] = {__VA_ARGS__};                                                \
        lt_expect_times((f), (host), (t0), lt_ms_, sizeof lt_ms_ / sizeof lt_ms_[0]);        \
    } while (0)

/* The moment the last TRACE_STATE event of 'c' happened (its last_change). */
static clk_time
lt_since(const struct tcp_conn *c, clk_time t0)
{
    return c->last_change - t0;
}

/* A and B ESTABLISHED over a path with this round-trip time (half each way): SRTT = RTT. */
static void
lt_established_rtt(struct fx *f, double rtt_ms)
{
    {
        struct wire_link s = f->w->wire.link[0];
        s.delay = clk_from_sec(rtt_ms / 2000.0);
        wire_link_set(f->w, 0, &s);
    }
    {
        struct wire_link s = f->w->wire.link[1];
        s.delay = clk_from_sec(rtt_ms / 2000.0);
        wire_link_set(f->w, 1, &s);
    }
    fx_listen(f);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f->w->host[FX_A], f->w->host[FX_B].addr, FX_SPORT, &o, &f->a), TCP_OK);
    fx_run_ms(f, rtt_ms * 1.5 + 1); /* B is ESTABLISHED when A's ACK arrives, RTT/2 later */
    assert_int_equal(tcp_accept(f->l, &f->b), TCP_OK);
    assert_int_equal(f->a->state, TCP_ESTABLISHED);
    assert_int_equal(f->a->srtt, clk_from_sec(rtt_ms / 1000.0));
    fx_mark(f);
}

/* Queue 'n' octets on 'c'. */
static void
lt_send_n(struct tcp_conn *c, size_t n)
{
    static char buf[4096];
    memset(buf, 'x', sizeof buf);
    size_t q = 0;
    assert_true(n <= sizeof buf);
    assert_int_equal(tcp_send(c, buf, n, &q), TCP_OK);
    assert_int_equal(q, n);
}

/* ---- item 7: SYN retransmission of current kernels ------------------------------------- */

/* syn-linear-timeouts.pkt: tcp_syn_retries 6, tcp_syn_linear_timeouts 4 (the 6.18 defaults):
   SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s, connect() fails at 131 s. */
static void
test_syn_sent_syn_linear_timeouts_give_up_at_131s(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    assert_int_equal(f.w->host[FX_A].cfg.syn_linear_timeouts, 4);
    cf_connect_unanswered(&f);
    fx_run_ms(&f, 130999);
    assert_int_equal(f.a->state, TCP_SYN_SENT);
    fx_run_ms(&f, 100000);
    LT_TIMES(&f, FX_A, 0, 0, 1000, 2000, 3000, 4000, 5000, 7000, 11000, 19000, 35000, 67000);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_SYN_GIVE_UP);
    assert_int_equal(f.a->last_change, CLK_SEC(131));
    assert_int_equal(f.a->error, TCP_ETIMEDOUT);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* syn-linear-timeouts-0.pkt: with tcp_syn_linear_timeouts 0 (kernels before 6.5) the
   classic schedule: 0, 1, 3, 7, 15, 31, 63 s, ETIMEDOUT at 127 s. */
static void
test_syn_sent_syn_linear_timeouts_zero_give_up_at_127s(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.syn_linear_timeouts = 0;
    cf_connect_unanswered(&f);
    fx_run_ms(&f, 200000);
    LT_TIMES(&f, FX_A, 0, 0, 1000, 3000, 7000, 15000, 31000, 63000);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_SYN_GIVE_UP);
    assert_int_equal(f.a->last_change, CLK_SEC(127));
    fx_fini(&f);
}

/* syn-linear-timeouts-retries2.pkt: tcp_syn_retries 2 with the linear timeouts 4. Linux
   measures the limit as time, the 1 + 2 + 4 = 7 s that 2 retries take from 1 s, not
   counting retransmissions: SYNs at 0, 1, 2, 3, 4, 5 s, and at the timeout at 7 s it gives up
   instead of sending a seventh. */
static void
test_syn_sent_syn_retries_2_linear_give_up_at_7s(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.syn_retries = 2;
    cf_connect_unanswered(&f);
    fx_run_ms(&f, 60000);
    LT_TIMES(&f, FX_A, 0, 0, 1000, 2000, 3000, 4000, 5000);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_SYN_GIVE_UP);
    assert_int_equal(f.a->last_change, CLK_SEC(7));
    assert_int_equal(f.a->error, TCP_ETIMEDOUT);
    fx_fini(&f);
}

/* synack-simopen-linear.pkt: a simultaneous open. A's SYN (0 s) crosses a SYN from B
   (0.1 s): A, now SYN-RECEIVED, sends SYN,ACK; nothing more comes. The SYN's timer resends
   the SYN,ACK at 1 s, then the backoff doubles (the linear timeouts are for SYN-SENT only):
   3, 7, 15, 31, 63 s, and the socket gives up after tcp_syn_retries (6, not
   tcp_synack_retries: it is the same socket that sent the SYN) at 127 s, ETIMEDOUT. */
static void
test_syn_received_simopen_synack_retries_are_syn_retries(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    cf_drop_all_from(&f, FX_A);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &f.a), TCP_OK);
    fx_run_ms(&f, 99);
    fx_inject(&f, FX_A, FX_SPORT, FX_CPORT, 1000, 0, TCP_SYN, 65535, NULL); /* arrives at 0.1 s */
    assert_int_equal(f.a->state, TCP_SYN_RECEIVED);
    fx_run_ms(&f, 200000);
    LT_TIMES(&f, FX_A, 0, 0, 100, 1000, 3000, 7000, 15000, 31000, 63000);
    struct tcp_seg s[16];
    assert_int_equal(cf_sent(&f, FX_A, s, 16), 8);
    for (int i = 1; i < 8; i++)
        assert_int_equal(s[i].flags & ~TCP_PSH, TCP_SYN | TCP_ACK);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_SYN_GIVE_UP);
    assert_int_equal(f.a->last_change, CLK_SEC(127));
    assert_int_equal(f.a->error, TCP_ETIMEDOUT);
    fx_fini(&f);
}

/* ---- item 8: the tail loss probe ------------------------------------------------------- */

/* tlp-one-segment.pkt: SRTT 100 ms, RTO 300 ms, one segment out and every copy lost. The
   probe timeout 2*SRTT + 200 ms (one segment: room for the peer's delayed ACK) is cut to the
   time left to the RTO: the probe resends it at 0.3 s; the RTO, restarted from the probe and
   not backed off, at 0.6 s; then 1.2, 2.4 s (kernel: 0.323, 0.647, 1.283, 2.531). */
static void
test_established_one_segment_lost_tlp_then_rto(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lt_established_rtt(&f, 100);
    assert_int_equal(f.a->rto, CLK_MSEC(300));
    cf_drop_all_from(&f, FX_A);
    clk_time t0 = world_now(f.w);
    lt_send_n(f.a, 1000);
    cf_timers(f.a, CF_T(TCP_TIMER_TLP));
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_TLP), CLK_MSEC(300));
    fx_run_ms(&f, 300);
    cf_rule(&f, TCP_RULE_TIMER_TLP);
    cf_timers(f.a, CF_T(TCP_TIMER_REXMIT));
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_REXMIT), CLK_MSEC(300));
    assert_int_equal(f.a->retransmits, 0); /* a probe is not a timeout: no backoff */
    fx_run_ms(&f, 2500);
    LT_TIMES(&f, FX_A, t0, 0, 300, 600, 1200, 2400);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 1000}, {TCP_ACK, 101, 301, 1000}, {TCP_ACK, 101, 301, 1000},
              {TCP_ACK, 101, 301, 1000}, {TCP_ACK, 101, 301, 1000});
    fx_fini(&f);
}

/* tlp-two-segments.pkt: two segments out (MSS 1000), SRTT 100 ms: PTO = 2*SRTT: the LAST
   segment is resent at 0.2 s (kernel 0.206: Linux adds 2 jiffies); the RTO restarts from the
   probe, 300 ms: the first segment at 0.5 s (kernel 0.542), then 0.6 s later (1.182). */
static void
test_established_two_segments_lost_tlp_resends_last(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.mss = 1000;
    lt_established_rtt(&f, 100);
    cf_drop_all_from(&f, FX_A);
    clk_time t0 = world_now(f.w);
    lt_send_n(f.a, 2000);
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_TLP), CLK_MSEC(200));
    fx_run_ms(&f, 1500);
    LT_TIMES(&f, FX_A, t0, 0, 0, 200, 500, 1100);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 1000}, {TCP_ACK, 1101, 301, 1000}, {TCP_ACK, 1101, 301, 1000},
              {TCP_ACK, 101, 301, 1000}, {TCP_ACK, 101, 301, 1000});
    fx_fini(&f);
}

/* tlp-fin-alone.pkt: a lone FIN never acknowledged (RTO 300 ms): +0, +0.3 (probe), +0.6,
   +1.2, +2.4 s (kernel 0.335, 0.655, 1.295, 2.543), where RTO alone gives +0.3, +0.9, +2.1. */
static void
test_fin_wait_1_lone_fin_lost_tlp_then_rto(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lt_established_rtt(&f, 100);
    cf_drop_all_from(&f, FX_A);
    clk_time t0 = world_now(f.w);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    fx_run_ms(&f, 2500);
    LT_TIMES(&f, FX_A, t0, 0, 300, 600, 1200, 2400);
    CF_EXPECT(&f, FX_A, {TCP_FIN | TCP_ACK, 101, 301, 0}, {TCP_FIN | TCP_ACK, 101, 301, 0},
              {TCP_FIN | TCP_ACK, 101, 301, 0}, {TCP_FIN | TCP_ACK, 101, 301, 0},
              {TCP_FIN | TCP_ACK, 101, 301, 0});
    fx_fini(&f);
}

/* tlp-data-fin.pkt: data, then the FIN, neither acknowledged: two segments, so the probe
   (the FIN, the last one) at 2*SRTT = 0.2 s (kernel 0.206), the data at 0.5 s (0.535), then
   1.1 s (1.174). */
static void
test_fin_wait_1_data_and_fin_lost_tlp_resends_fin(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lt_established_rtt(&f, 100);
    cf_drop_all_from(&f, FX_A);
    clk_time t0 = world_now(f.w);
    lt_send_n(f.a, 1000);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    fx_run_ms(&f, 1500);
    LT_TIMES(&f, FX_A, t0, 0, 0, 200, 500, 1100);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 1000}, {TCP_FIN | TCP_ACK, 1101, 301, 0},
              {TCP_FIN | TCP_ACK, 1101, 301, 0}, {TCP_ACK, 101, 301, 1000}, {TCP_ACK, 101, 301, 1000});
    fx_fini(&f);
}

/* tlp-no-sack.pkt: Linux sends no probe on a connection without SACK (tcp_schedule_loss_probe:
   !tcp_is_sack), with tcp_early_retrans 3 as ever: the RTO alone, +0.3, +0.9, +2.1 s (kernel
   0.334, 0.974, 2.222). The peer here offers no SACK-permitted (its tcp_sack 0). */
static void
test_established_no_sack_no_tlp(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_B].cfg.sack = 0;
    lt_established_rtt(&f, 100);
    assert_false(f.a->sack_ok);
    assert_int_equal(f.w->host[FX_A].cfg.early_retrans, 3);
    cf_drop_all_from(&f, FX_A);
    clk_time t0 = world_now(f.w);
    lt_send_n(f.a, 1000);
    cf_timers(f.a, CF_T(TCP_TIMER_REXMIT));
    fx_run_ms(&f, 2500);
    LT_TIMES(&f, FX_A, t0, 0, 300, 900, 2100);
    fx_fini(&f);
}

/* tcp_early_retrans 0 gives the same on a SACK connection, the RTO alone: +0.3, +0.9, +2.1 s.
   The rfc preset has no probe either (RTO 1 s there: rto_min). */
static void
test_established_tlp_off_rto_alone(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.early_retrans = 0;
    lt_established_rtt(&f, 100);
    cf_drop_all_from(&f, FX_A);
    clk_time t0 = world_now(f.w);
    lt_send_n(f.a, 1000);
    cf_timers(f.a, CF_T(TCP_TIMER_REXMIT));
    fx_run_ms(&f, 2500);
    LT_TIMES(&f, FX_A, t0, 0, 300, 900, 2100);
    fx_fini(&f);
    fx_init(&f, true);
    assert_int_equal(f.w->host[FX_A].cfg.early_retrans, 0);
    lt_established_rtt(&f, 100);
    cf_drop_all_from(&f, FX_A);
    t0 = world_now(f.w);
    lt_send_n(f.a, 500); /* one segment: SND.MSS is 536 there */
    fx_run_ms(&f, 3500);
    LT_TIMES(&f, FX_A, t0, 0, 1000, 3000);
    fx_fini(&f);
}

/* An acknowledged probe ends the episode: the probe's ACK is an ACK of new data, nothing is
   left, no timer runs; the next segment may be probed again. */
static void
test_established_tlp_acked_ends_episode(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lt_established_rtt(&f, 100);
    cf_drop_flags(&f, FX_A, TCP_ACK, 1); /* the data segment, not its probe */
    lt_send_n(f.a, 100);
    fx_run_ms(&f, 301);
    cf_rule(&f, TCP_RULE_TIMER_TLP);
    assert_true(f.a->tlp_out);
    fx_run_ms(&f, 100);
    assert_int_equal(f.a->snd_una, 201);
    assert_false(f.a->tlp_out);
    cf_timers(f.a, CF_NO_TIMERS);
    lt_send_n(f.a, 100);
    cf_timers(f.a, CF_T(TCP_TIMER_TLP));
    fx_fini(&f);
}

/* ---- item 10: orphaned sockets ----------------------------------------------------------- */

/* orphan-retries.pkt: close() with the FIN unanswered, RTO 200 ms: the probe at 0.2 s, then 8
   timeouts at 0.4, 0.8, ... 51.2 s; at the ninth (102.4 s, past the 102.2 s that 8 retries of
   a 200 ms RTO take) the socket is gone, with no RST (kernel: 0.207, 0.415, 0.848, 1.680,
   3.344, 6.832, 13.488, 26.801, 53.168; no RST; gone by 107 s). tcp_retries2 (15) would have
   kept it 924.6 s. */
static void
test_fin_wait_1_orphan_retries_give_up_silently(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_drop_all_from(&f, FX_A);
    clk_time t0 = world_now(f.w);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    fx_run_ms(&f, 102399);
    assert_int_equal(f.a->state, TCP_FIN_WAIT_1);
    fx_run_ms(&f, 1000000);
    LT_TIMES(&f, FX_A, t0, 0, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200);
    struct tcp_seg s[16];
    assert_int_equal(cf_sent(&f, FX_A, s, 16), 10);
    for (int i = 0; i < 10; i++)
        assert_int_equal(s[i].flags & ~TCP_PSH, TCP_FIN | TCP_ACK);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_ORPHAN_GIVE_UP);
    assert_int_equal(lt_since(f.a, t0), CLK_MSEC(102400));
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* orphan-retries-rto3.pkt: the same with RTT 1 s (RTO 3 s): the probe at 2*SRTT + 200 ms
   = 2.2 s, timeouts at 5.2, 11.2, 23.2, 47.2, 95.2 s, and at the next one (191.2 s) it gives up:
   the limit is a time (102.2 s), not 8 retransmissions (kernel: 2.24, 5.31, 11.45, 23.49,
   48.06, 97.21 after the FIN; gone, answering with a RST from no socket, at 196 s). */
static void
test_fin_wait_1_orphan_retries_are_time_with_long_rtt(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    /* the handshake's RTT is 1 s: the SYN's and the SYN,ACK's first RTO must not expire just
       as the answer comes (in the kernel run the answer came first) */
    f.w->host[FX_A].cfg.rto_initial = CLK_SEC(2);
    f.w->host[FX_B].cfg.rto_initial = CLK_SEC(2);
    lt_established_rtt(&f, 1000);
    assert_int_equal(f.a->rto, CLK_SEC(3));
    cf_drop_all_from(&f, FX_A);
    clk_time t0 = world_now(f.w);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    fx_run_ms(&f, 1000000);
    LT_TIMES(&f, FX_A, t0, 0, 2200, 5200, 11200, 23200, 47200, 95200);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_ORPHAN_GIVE_UP);
    assert_int_equal(lt_since(f.a, t0), CLK_MSEC(191200));
    fx_fini(&f);
}

/* The rfc preset has no orphan limit of its own (tcp_orphan_retries -1): a closed socket
   gives up after tcp_retries2, counted in retransmissions (RTO 1 s, rto_max 60 s). */
static void
test_fin_wait_1_rfc_orphan_uses_retries2(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, true);
    assert_int_equal(f.w->host[FX_A].cfg.orphan_retries, -1);
    f.w->host[FX_A].cfg.retries2 = 3;
    fx_established(&f);
    cf_drop_all_from(&f, FX_A);
    clk_time t0 = world_now(f.w);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    fx_run_ms(&f, 100000);
    LT_TIMES(&f, FX_A, t0, 0, 1000, 3000, 7000);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_DATA_GIVE_UP);
    assert_int_equal(lt_since(f.a, t0), CLK_SEC(15));
    fx_fini(&f);
}

/* ---- item 15: RFC 6298 5.7 --------------------------------------------------------------- */

/* rto-3s-after-syn-rexmit.pkt: A's first SYN is lost, the second (1 s) answered at once. No
   RTT sample (Karn), so "the RTO MUST be re-initialized to 3 seconds when data transmission
   begins": A's first data segment, lost, is resent 3 s later, then 6 s after that (kernel:
   3.05, 9.19). Without a probe (tcp_early_retrans 0: the kernel run had no SACK). */
static void
test_established_after_syn_rexmit_rto_3s(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.early_retrans = 0;
    fx_listen(&f);
    cf_drop_flags(&f, FX_A, TCP_SYN, 1);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &f.a), TCP_OK);
    fx_run_ms(&f, 1500);
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    cf_rule(&f, TCP_RULE_HANDSHAKE_RTO_3S);
    assert_int_equal(f.a->srtt, 0);
    assert_int_equal(f.a->rto, CLK_SEC(3));
    cf_drop_all_from(&f, FX_A);
    fx_mark(&f);
    clk_time t0 = world_now(f.w);
    lt_send_n(f.a, 1000);
    fx_run_ms(&f, 10000);
    LT_TIMES(&f, FX_A, t0, 0, 3000, 9000);
    fx_fini(&f);
}

/* rto-3s-after-synack-rexmit.pkt: B's first SYN,ACK is lost and A's ACK comes after the
   retransmitted one (1 s): B has no RTT sample either, its RTO is 3 s: its first data
   segment, lost, is resent 3 s later, then 6 s after that (kernel: 3.18, 9.32). */
static void
test_established_after_synack_rexmit_rto_3s(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_B].cfg.early_retrans = 0;
    fx_listen(&f);
    cf_drop_flags(&f, FX_B, TCP_SYN | TCP_ACK, 1);
    struct wire_rule r = {.from = FX_A, .flags = TCP_SYN, .len = -1, .nth = 2, .count = 1, .action = WIRE_DROP};
    wire_rule_add(f.w, &r); /* A's own SYN retransmission: B's timer alone recovers */
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &f.a), TCP_OK);
    fx_run_ms(&f, 1500);
    assert_int_equal(tcp_accept(f.l, &f.b), TCP_OK);
    cf_state(f.b, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    cf_rule(&f, TCP_RULE_HANDSHAKE_RTO_3S);
    assert_int_equal(f.b->rto, CLK_SEC(3));
    cf_drop_all_from(&f, FX_B);
    fx_mark(&f);
    clk_time t0 = world_now(f.w);
    lt_send_n(f.b, 1000);
    fx_run_ms(&f, 10000);
    LT_TIMES(&f, FX_B, t0, 0, 3000, 9000);
    fx_fini(&f);
}

/* rto-3s-after-syn-rexmit-sack.pkt: the same handshake with the probe on (the linux
   default): with no SRTT the probe waits 1 s (RFC 8985 7.2), under the 3 s RTO, which then
   runs from the probe: +1, +4, +10 s (kernel: 1.03, 4.07, 10.2). */
static void
test_established_after_syn_rexmit_tlp_1s_then_rto_3s(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    cf_drop_flags(&f, FX_A, TCP_SYN, 1);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &f.a), TCP_OK);
    fx_run_ms(&f, 1500);
    cf_drop_all_from(&f, FX_A);
    fx_mark(&f);
    clk_time t0 = world_now(f.w);
    lt_send_n(f.a, 1000);
    fx_run_ms(&f, 11000);
    LT_TIMES(&f, FX_A, t0, 0, 1000, 4000, 10000);
    fx_fini(&f);
}

/* RFC 6298 5.7 is the RFC's own rule: the rfc preset does it too (there the RTO after one
   SYN timeout is 2 s; the first data resent 3 s after it, then 6 s). */
static void
test_established_rfc_after_syn_rexmit_rto_3s(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, true);
    fx_listen(&f);
    cf_drop_flags(&f, FX_A, TCP_SYN, 1);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &f.a), TCP_OK);
    fx_run_ms(&f, 1500);
    assert_int_equal(f.a->state, TCP_ESTABLISHED);
    assert_int_equal(f.a->rto, CLK_SEC(3));
    cf_drop_all_from(&f, FX_A);
    fx_mark(&f);
    clk_time t0 = world_now(f.w);
    lt_send_n(f.a, 500); /* one segment: SND.MSS is 536 there */
    fx_run_ms(&f, 10000);
    LT_TIMES(&f, FX_A, t0, 0, 3000, 9000);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syn_sent_syn_linear_timeouts_give_up_at_131s),
        cmocka_unit_test(test_syn_sent_syn_linear_timeouts_zero_give_up_at_127s),
        cmocka_unit_test(test_syn_sent_syn_retries_2_linear_give_up_at_7s),
        cmocka_unit_test(test_syn_received_simopen_synack_retries_are_syn_retries),
        cmocka_unit_test(test_established_one_segment_lost_tlp_then_rto),
        cmocka_unit_test(test_established_two_segments_lost_tlp_resends_last),
        cmocka_unit_test(test_fin_wait_1_lone_fin_lost_tlp_then_rto),
        cmocka_unit_test(test_fin_wait_1_data_and_fin_lost_tlp_resends_fin),
        cmocka_unit_test(test_established_tlp_off_rto_alone),
        cmocka_unit_test(test_established_no_sack_no_tlp),
        cmocka_unit_test(test_established_tlp_acked_ends_episode),
        cmocka_unit_test(test_fin_wait_1_orphan_retries_give_up_silently),
        cmocka_unit_test(test_fin_wait_1_orphan_retries_are_time_with_long_rtt),
        cmocka_unit_test(test_fin_wait_1_rfc_orphan_uses_retries2),
        cmocka_unit_test(test_established_after_syn_rexmit_rto_3s),
        cmocka_unit_test(test_established_after_synack_rexmit_rto_3s),
        cmocka_unit_test(test_established_after_syn_rexmit_tlp_1s_then_rto_3s),
        cmocka_unit_test(test_established_rfc_after_syn_rexmit_rto_3s),
    };
    return cmocka_run_group_tests_name("linux_timers", tests, NULL, NULL);
}
