/*
 * test_timers.c - conformance rows for the timeouts (RFC 9293 §3.10.8, RFC 6298, RFC 1122
 * 4.2.3, Linux): retransmission and backoff (M1), SYN and SYN,ACK retries (M2, M3), giving up
 * on data and FIN (M4, M5), the user timeout (M6), TIME-WAIT (M7), tcp_fin_timeout (M8),
 * keep-alive (M9) and the RTO estimator (M10). Presets: linux (RTO min 200 ms, 2MSL 60 s).
 */
#include "conf.h"

/* M1: retransmission: the earliest unacknowledged segment again, RTO doubled (up to the
   maximum), and Karn: no RTT sample from it. The RTO alone (tcp_early_retrans 0): under linux
   a tail loss probe would come first (test_linux_timers.c). */
static void
test_established_rexmit_timeout_backoff_karn(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.early_retrans = 0;
    fx_established(&f);
    f.w->host[FX_A].cfg.rto_max = CLK_MSEC(300);
    struct wire_rule r = {.from = FX_A, .flags = TCP_ACK, .len = 5, .nth = 1, .count = 1, .action = WIRE_DROP};
    wire_rule_add(f.w, &r);
    clk_time rto = f.a->rto, srtt = f.a->srtt;
    assert_int_equal(rto, CLK_MSEC(200)); /* 2 ms RTT, clamped to rto_min */
    cf_send(f.a, "hello");
    fx_mark(&f);
    fx_run_ms(&f, 199);
    CF_NONE(&f, FX_A);
    fx_run_ms(&f, 2);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 5});
    cf_rule(&f, TCP_RULE_TIMER_REXMIT);
    assert_int_equal(f.a->rto, CLK_MSEC(300)); /* 400 ms clamped to rto_max */
    assert_false(f.a->rtt_timing);
    cf_timers(f.a, CF_T(TCP_TIMER_REXMIT));
    fx_run_ms(&f, 5);
    assert_int_equal(f.a->snd_una, 106);
    assert_int_equal(f.a->srtt, srtt); /* Karn: the retransmitted segment gave no sample */
    cf_timers(f.a, CF_NO_TIMERS);
    assert_int_equal(f.a->state, TCP_ESTABLISHED);
    fx_fini(&f);
}

/* M2: SYN retransmission: tcp_syn_retries (6) times, at 1, 3, 7, 15, 31, 63 s; then
   "connection aborted" ETIMEDOUT -> CLOSED at 127 s. The classic schedule, RFC 6298 5.5's
   doubling from the first timeout: tcp_syn_linear_timeouts 0, as Linux before 6.5 (the
   default 4 of current kernels: test_linux_timers.c). */
static void
test_syn_sent_syn_retries_give_up_etimedout(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.syn_linear_timeouts = 0;
    cf_connect_unanswered(&f);
    fx_run_ms(&f, 200000);
    clk_time at[16];
    assert_int_equal(cf_send_times(&f, FX_A, at, 16), 7);
    static const int expect_s[] = {0, 1, 3, 7, 15, 31, 63};
    for (int i = 0; i < 7; i++)
        assert_int_equal(at[i], CLK_SEC(expect_s[i]));
    CF_EXPECT(&f, FX_A, {TCP_SYN, 100, 0, 0}, {TCP_SYN, 100, 0, 0}, {TCP_SYN, 100, 0, 0}, {TCP_SYN, 100, 0, 0},
              {TCP_SYN, 100, 0, 0}, {TCP_SYN, 100, 0, 0}, {TCP_SYN, 100, 0, 0});
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_SYN_GIVE_UP);
    assert_int_equal(f.a->last_change, CLK_SEC(127));
    assert_int_equal(f.a->error, TCP_ETIMEDOUT);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* M3: SYN,ACK retransmission: tcp_synack_retries (5); then the embryonic connection goes.
   tcp_syn_linear_timeouts (4 here) does not apply to it: the kernel's SYN,ACKs went at 0, 1,
   3, 7, 15, 31 s with it (tests/linux/synack-linear-timeouts.pkt). */
static void
test_syn_received_synack_retries_give_up(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    assert_int_equal(f.w->host[FX_B].cfg.syn_linear_timeouts, 4);
    struct tcp_conn *c = cf_syn_received_passive(&f);
    f.mark = 0;
    fx_run_ms(&f, 100000);
    clk_time at[16];
    assert_int_equal(cf_send_times(&f, FX_B, at, 16), 6);
    static const int expect_s[] = {0, 1, 3, 7, 15, 31};
    for (int i = 0; i < 6; i++)
        assert_int_equal(at[i] - at[0], CLK_SEC(expect_s[i]));
    cf_state(c, TCP_CLOSED, TCP_RULE_TIMER_SYNACK_GIVE_UP);
    assert_int_equal(c->last_change - at[0], CLK_SEC(63));
    cf_timers(c, CF_NO_TIMERS);
    cf_state(f.l, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    assert_int_equal(f.l->synq_len, 0); /* its place in the SYN queue is free again */
    fx_fini(&f);
}

/* M4: data retransmission gives up after tcp_retries2 (15): ETIMEDOUT -> CLOSED, no RST; with
   RTO min 200 ms and max 120 s that is 924.6 s. Under linux a tail loss probe goes first, at
   the RTO (0.2 s), the 15 timeouts follow it, and the connection gives up at the first
   timeout 924.6 s or more after the send: 924.8 s, after 1 + 15 retransmissions
   (tests/linux/retries2-tlp.pkt). */
static void
test_established_data_retries2_give_up_etimedout(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_drop_all_from(&f, FX_A);
    cf_send(f.a, "x");
    clk_time t0 = world_now(f.w);
    fx_run_ms(&f, 2000000);
    clk_time at[32];
    assert_int_equal(cf_send_times(&f, FX_A, at, 32), 17);
    struct tcp_seg s[32];
    cf_sent(&f, FX_A, s, 32);
    for (int i = 0; i < 17; i++) {
        assert_int_equal(s[i].seq, 101);
        assert_int_equal(s[i].len, 1);
        assert_false(s[i].flags & TCP_RST);
    }
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_DATA_GIVE_UP);
    assert_int_equal(f.a->error, TCP_ETIMEDOUT);
    assert_int_equal(f.a->last_change - t0, CLK_MSEC(924800));
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* M5: our FIN is retransmitted like data in FIN-WAIT-1 and LAST-ACK, and gives up the same
   way. */
static void
test_fin_wait_1_fin_retransmitted_then_gives_up(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_drop_flags(&f, FX_A, TCP_FIN, 1);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    fx_run_ms(&f, 201);
    CF_EXPECT(&f, FX_A, {TCP_FIN | TCP_ACK, 101, 301, 0}, {TCP_FIN | TCP_ACK, 101, 301, 0});
    fx_run_ms(&f, 5);
    cf_state(f.a, TCP_FIN_WAIT_2, TCP_RULE_FIN_WAIT_1_ACKED);
    fx_fini(&f);
    /* LAST-ACK: B's FIN was lost; it comes again after an RTO and is acknowledged */
    fx_init(&f, false);
    fx_last_ack(&f);
    fx_run_ms(&f, 250);
    CF_EXPECT(&f, FX_B, {TCP_FIN | TCP_ACK, 301, 102, 0});
    cf_state(f.b, TCP_CLOSED, TCP_RULE_LAST_ACK_ACKED);
    assert_int_equal(f.a->state, TCP_TIME_WAIT);
    fx_fini(&f);
    /* never acknowledged: give up after tcp_retries2 (3: the 3 s that 3 retries of 200 ms
       take). Shut down, not closed: a closed socket has tcp_orphan_retries instead
       (test_linux_timers.c). The tail loss probe (0.2 s) comes before the timeouts (0.4, 0.8,
       1.6 s); at 3.2 s it gives up. */
    fx_init(&f, false);
    fx_established(&f);
    f.w->host[FX_A].cfg.retries2 = 3;
    cf_drop_all_from(&f, FX_A);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    fx_run_ms(&f, 10000);
    CF_EXPECT(&f, FX_A, {TCP_FIN | TCP_ACK, 101, 301, 0}, {TCP_FIN | TCP_ACK, 101, 301, 0},
              {TCP_FIN | TCP_ACK, 101, 301, 0}, {TCP_FIN | TCP_ACK, 101, 301, 0},
              {TCP_FIN | TCP_ACK, 101, 301, 0});
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_DATA_GIVE_UP);
    assert_int_equal(f.a->error, TCP_ETIMEDOUT);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* M6: user timeout: "connection aborted due to user timeout" -> CLOSED. */
static void
test_established_user_timeout_aborts(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    f.w->host[FX_A].cfg.user_timeout = CLK_SEC(5);
    cf_drop_all_from(&f, FX_A);
    cf_send(f.a, "x");
    clk_time t0 = world_now(f.w);
    fx_run_ms(&f, 4900);
    assert_int_equal(f.a->state, TCP_ESTABLISHED);
    fx_run_ms(&f, 5000);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_USER_TIMEOUT);
    assert_int_equal(f.a->error, TCP_ETIMEDOUT);
    assert_string_equal(tcp_err_text(f.a->error), "connection aborted due to user timeout");
    assert_true(f.a->last_change - t0 >= CLK_SEC(5));
    cf_timers(f.a, CF_NO_TIMERS);
    size_t q = 0;
    assert_int_equal(tcp_send(f.a, "y", 1, &q), TCP_ETIMEDOUT);
    fx_fini(&f);
}

/* M7: TIME-WAIT lasts exactly 2*msl (60 s linux, 240 s rfc), then CLOSED. */
static void
test_time_wait_2msl_timer_exact(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    for (int rfc = 0; rfc < 2; rfc++) {
        struct fx f;
        fx_init(&f, rfc);
        fx_time_wait(&f);
        clk_time entered = f.a->last_change;
        cf_timers(f.a, CF_T(TCP_TIMER_TIMEWAIT));
        fx_run_ms(&f, 300000);
        cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_TIME_WAIT);
        assert_int_equal(f.a->last_change - entered, rfc ? CLK_SEC(240) : CLK_SEC(60));
        CF_NONE(&f, FX_A);
        fx_fini(&f);
    }
}

/* M8: FIN-WAIT-2 of a closed (orphaned) socket ends after tcp_fin_timeout; a socket only
   shut down waits for the peer. */
static void
test_fin_wait_2_orphan_fin_timeout_closed(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_fin_wait_2(&f);
    clk_time entered = f.a->last_change;
    fx_run_ms(&f, 100000);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_FIN_WAIT_2);
    assert_int_equal(f.a->last_change - entered, f.w->host[FX_A].cfg.fin_timeout);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    fx_run_ms(&f, 100000);
    assert_int_equal(f.a->state, TCP_FIN_WAIT_2);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

/* M9: keep-alive (when on): after the idle time a probe <SEQ=SND.NXT-1>; the peer answers
   with an ACK; after tcp_keepalive_probes unanswered probes a reset and ETIMEDOUT -> CLOSED
   (the reset's form and times: test_established_keepalive_give_up_rst, test_after_close.c). */
static void
test_established_keepalive_probes_then_etimedout(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_timers(f.a, CF_NO_TIMERS); /* off by default (RFC 1122) */
    assert_int_equal(tcp_set_keepalive(f.a, true), TCP_OK);
    cf_timers(f.a, CF_T(TCP_TIMER_KEEPALIVE));
    const struct tcp_settings *s = &f.w->host[FX_A].cfg;
    fx_run_ms(&f, (double)(s->keepalive_time / CLK_MSEC(1)) - 1);
    CF_NONE(&f, FX_A);
    fx_run_ms(&f, 5);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 100, 301, 0});
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 101, 0});
    cf_rule(&f, TCP_RULE_TIMER_KEEPALIVE);
    assert_int_equal(f.a->probes, 0); /* answered */
    assert_true(tcp_timer_left(f.a, TCP_TIMER_KEEPALIVE) > s->keepalive_time - CLK_MSEC(10));
    cf_drop_all_from(&f, FX_B);
    fx_mark(&f);
    clk_time t0 = world_now(f.w);
    fx_run_ms(&f, (double)((s->keepalive_time + 10 * s->keepalive_intvl) / CLK_MSEC(1)));
    struct tcp_seg p[16];
    assert_int_equal(cf_sent(&f, FX_A, p, 16), (size_t)s->keepalive_probes + 1);
    assert_int_equal(p[s->keepalive_probes].flags, TCP_RST | TCP_ACK);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_KEEPALIVE_GIVE_UP);
    assert_int_equal(f.a->error, TCP_ETIMEDOUT);
    assert_true(f.a->last_change - t0 <= s->keepalive_time + s->keepalive_probes * s->keepalive_intvl);
    fx_fini(&f);
}

/* M10: the RTO estimator of RFC 6298: first sample SRTT = R, RTTVAR = R/2; then
   alpha = 1/8, beta = 1/4; RTO = SRTT + max(G, 4*RTTVAR), clamped to [rto_min, rto_max]. */
static void
test_established_rto_estimator_rfc6298(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.rto_min = CLK_MSEC(1);
    fx_established(&f); /* the handshake's round trip: R = 2 ms */
    assert_int_equal(f.a->srtt, CLK_MSEC(2));
    assert_int_equal(f.a->rttvar, CLK_MSEC(1));
    assert_int_equal(f.a->rto, CLK_MSEC(6));
    {
        struct wire_link s = f.w->wire.link[0];
        s.delay = 250000;
        wire_link_set(f.w, 0, &s);
    }
    {
        struct wire_link s = f.w->wire.link[1];
        s.delay = 250000;
        wire_link_set(f.w, 1, &s);
    }
    cf_send(f.a, "x"); /* R = 0.5 ms */
    fx_run_ms(&f, 20);
    assert_int_equal(f.a->rttvar, 1125000);  /* 3/4 * 1 ms + 1/4 * |2 - 0.5| ms */
    assert_int_equal(f.a->srtt, 1812500);    /* 7/8 * 2 ms + 1/8 * 0.5 ms */
    assert_int_equal(f.a->rto, 6312500);     /* SRTT + 4 * RTTVAR */
    f.w->host[FX_A].cfg.rto_max = CLK_MSEC(5);
    cf_send(f.a, "y");
    fx_run_ms(&f, 20);
    assert_int_equal(f.a->srtt, 1648437);
    assert_int_equal(f.a->rto, CLK_MSEC(5)); /* 6.34 ms clamped to rto_max */
    f.w->host[FX_A].cfg.rto_max = CLK_SEC(120);
    f.w->host[FX_A].cfg.rto_min = CLK_MSEC(200);
    cf_send(f.a, "z");
    fx_run_ms(&f, 20);
    assert_int_equal(f.a->rto, CLK_MSEC(200)); /* clamped to rto_min */
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_rexmit_timeout_backoff_karn),
        cmocka_unit_test(test_syn_sent_syn_retries_give_up_etimedout),
        cmocka_unit_test(test_syn_received_synack_retries_give_up),
        cmocka_unit_test(test_established_data_retries2_give_up_etimedout),
        cmocka_unit_test(test_fin_wait_1_fin_retransmitted_then_gives_up),
        cmocka_unit_test(test_established_user_timeout_aborts),
        cmocka_unit_test(test_time_wait_2msl_timer_exact),
        cmocka_unit_test(test_fin_wait_2_orphan_fin_timeout_closed),
        cmocka_unit_test(test_established_keepalive_probes_then_etimedout),
        cmocka_unit_test(test_established_rto_estimator_rfc6298),
    };
    return cmocka_run_group_tests_name("timers", tests, NULL, NULL);
}
