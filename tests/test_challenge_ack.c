/*
 * test_challenge_ack.c - RFC 5961's challenge ACKs and the limits Linux puts on them: per
 * connection, tcp_invalid_ratelimit (500 ms), the same limiter as the ACKs that answer
 * unacceptable segments (Linux __tcp_oow_rate_limited, one time stamp per socket); then per
 * host, tcp_challenge_ack_limit a second (off by default since Linux 6.0). Every expectation
 * is what a 6.18 kernel did (tests/linux/challenge-ack-ratelimit.pkt). ESTABLISHED, A:
 * SND.NXT = 101, RCV.NXT = 301.
 */
#include "conf.h"

static void
inject_a(struct fx *f, uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
    fx_inject_to(f, f->a, seq, ack, flags, 65535, data);
}

/* Two in-window RSTs not at RCV.NXT 100 ms apart: one challenge ACK; 600 ms after the first,
   another. */
static void
test_established_rst_again_challenge_rate_limited(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    inject_a(&f, 400, 0, TCP_RST, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    cf_rule(&f, TCP_RULE_RST_CHALLENGE);
    fx_run_ms(&f, 100);
    fx_mark(&f);
    inject_a(&f, 500, 0, TCP_RST, NULL);
    CF_NONE(&f, FX_A);
    cf_rule(&f, TCP_RULE_RST_CHALLENGE);
    cf_rule(&f, TCP_RULE_ACK_RATE_LIMITED);
    fx_run_ms(&f, 500);
    fx_mark(&f);
    inject_a(&f, 600, 0, TCP_RST, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    fx_fini(&f);
}

/* A SYN in the window twice 100 ms apart: one challenge ACK, 600 ms later another; a SYN
   outside the window goes through the same limiter (below RCV.NXT answered, far above it
   100 ms later not). */
static void
test_established_syn_again_challenge_rate_limited(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    inject_a(&f, 5000, 0, TCP_SYN, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    fx_run_ms(&f, 100);
    fx_mark(&f);
    inject_a(&f, 5000, 0, TCP_SYN, NULL);
    CF_NONE(&f, FX_A);
    cf_rule(&f, TCP_RULE_ACK_RATE_LIMITED);
    fx_run_ms(&f, 500);
    fx_mark(&f);
    inject_a(&f, 5000, 0, TCP_SYN, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    fx_run_ms(&f, 600);
    fx_mark(&f);
    inject_a(&f, 300, 0, TCP_SYN, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    fx_run_ms(&f, 100);
    fx_mark(&f);
    inject_a(&f, 3000000, 0, TCP_SYN, NULL);
    CF_NONE(&f, FX_A);
    cf_rule(&f, TCP_RULE_ACK_RATE_LIMITED);
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    fx_fini(&f);
}

/* One limiter for both kinds: an out-of-window empty ACK 100 ms after a challenge ACK gets
   nothing, and a challenge ACK 100 ms after an ACK to an out-of-window empty ACK neither. */
static void
test_established_challenge_and_oow_ack_share_limiter(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    inject_a(&f, 400, 0, TCP_RST, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    fx_run_ms(&f, 100);
    fx_mark(&f);
    inject_a(&f, 1000000, 101, TCP_ACK, NULL);
    CF_NONE(&f, FX_A);
    cf_rule(&f, TCP_RULE_SEQ_NOT_ACCEPTABLE);
    cf_rule(&f, TCP_RULE_ACK_RATE_LIMITED);
    fx_run_ms(&f, 500);
    fx_mark(&f);
    inject_a(&f, 1000000, 101, TCP_ACK, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    fx_run_ms(&f, 100);
    fx_mark(&f);
    inject_a(&f, 500, 0, TCP_RST, NULL);
    CF_NONE(&f, FX_A);
    cf_rule(&f, TCP_RULE_ACK_RATE_LIMITED);
    fx_fini(&f);
}

/* An acceptable segment does not end the limit (Linux keeps only the time of the last ACK
   it answered with): a challenge ACK, in-order data 50 ms later (ACKed and taken), an
   in-window RST 50 ms after that: nothing. The same after an ACK to an out-of-window empty
   ACK. */
static void
test_established_acceptable_segment_keeps_limit(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    inject_a(&f, 400, 0, TCP_RST, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    fx_run_ms(&f, 50);
    fx_mark(&f);
    inject_a(&f, 301, 101, TCP_ACK | TCP_PSH, "x");
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 302, 0});
    fx_run_ms(&f, 50);
    fx_mark(&f);
    inject_a(&f, 500, 0, TCP_RST, NULL);
    CF_NONE(&f, FX_A);
    cf_rule(&f, TCP_RULE_ACK_RATE_LIMITED);
    fx_run_ms(&f, 500);
    fx_mark(&f);
    inject_a(&f, 1000000, 101, TCP_ACK, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 302, 0});
    fx_run_ms(&f, 50);
    fx_mark(&f);
    inject_a(&f, 302, 101, TCP_ACK | TCP_PSH, "y");
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 303, 0});
    fx_run_ms(&f, 50);
    fx_mark(&f);
    inject_a(&f, 1000000, 101, TCP_ACK, NULL);
    CF_NONE(&f, FX_A);
    cf_rule(&f, TCP_RULE_ACK_RATE_LIMITED);
    assert_int_equal(tcp_readable(f.a), 2);
    fx_fini(&f);
}

/* An ACK of data never sent (SEG.ACK > SND.NXT) is answered through the challenge ACK's
   limiter, data or not (Linux tcp_ack calls tcp_send_challenge_ack): 100 ms after the first
   answer, a second one, with an octet of data, gets nothing, and its data is not taken. */
static void
test_established_ack_of_unsent_data_rate_limited(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    inject_a(&f, 301, 5000, TCP_ACK, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    cf_rule(&f, TCP_RULE_ACK_TOO_NEW);
    fx_run_ms(&f, 100);
    fx_mark(&f);
    inject_a(&f, 301, 5000, TCP_ACK | TCP_PSH, "x");
    CF_NONE(&f, FX_A);
    cf_rule(&f, TCP_RULE_ACK_TOO_NEW);
    cf_rule(&f, TCP_RULE_ACK_RATE_LIMITED);
    assert_int_equal(tcp_readable(f.a), 0);
    assert_int_equal(f.a->rcv_nxt, 301);
    fx_fini(&f);
}

/* Out-of-window data is always answered (it cannot be part of an ACK loop, and the sender
   may want to learn RCV.NXT): two such segments 100 ms apart, two ACKs. */
static void
test_established_oow_data_never_rate_limited(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    inject_a(&f, 1000000, 101, TCP_ACK | TCP_PSH, "x");
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    fx_run_ms(&f, 100);
    fx_mark(&f);
    inject_a(&f, 1000000, 101, TCP_ACK | TCP_PSH, "x");
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    fx_fini(&f);
}

/* The host-wide limit: tcp_challenge_ack_limit 1 and the per-connection limiter off
   (tcp_invalid_ratelimit 0): one challenge ACK per second of the clock, whichever connection
   asks (Linux draws the second's budget from [half, limit + half - 1], here [1, 1]). */
static void
test_established_challenge_host_limit_per_second(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    const struct tcp_setting_info *lim = tcp_setting_find("tcp_challenge_ack_limit");
    assert_non_null(lim);
    assert_int_equal(tcp_setting_get(&f.w->host[FX_A].cfg, lim), 2147483647);
    assert_int_equal(tcp_setting_set(&f.w->host[FX_A].cfg, lim, 1), TCP_OK);
    assert_int_equal(tcp_setting_set(&f.w->host[FX_A].cfg, lim, 0), TCP_EINVAL);
    assert_int_equal(tcp_setting_set(&f.w->host[FX_A].cfg, tcp_setting_find("tcp_invalid_ratelimit"), 0), TCP_OK);
    fx_established(&f);
    fx_run_ms(&f, 1000 - (double)(world_now(f.w) % CLK_SEC(1)) / 1e6 + 100); /* 0.1 s into a second */
    fx_mark(&f);
    inject_a(&f, 400, 0, TCP_RST, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    fx_run_ms(&f, 100);
    fx_mark(&f);
    inject_a(&f, 500, 0, TCP_RST, NULL);
    CF_NONE(&f, FX_A);
    cf_rule(&f, TCP_RULE_CHALLENGE_ACK_LIMITED);
    inject_a(&f, 5000, 0, TCP_SYN, NULL);
    CF_NONE(&f, FX_A);
    fx_run_ms(&f, 1000);
    fx_mark(&f);
    inject_a(&f, 600, 0, TCP_RST, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    /* unacceptable segments are not challenge ACKs: the host-wide budget does not apply */
    fx_mark(&f);
    inject_a(&f, 1000000, 101, TCP_ACK, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 0});
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_rst_again_challenge_rate_limited),
        cmocka_unit_test(test_established_syn_again_challenge_rate_limited),
        cmocka_unit_test(test_established_challenge_and_oow_ack_share_limiter),
        cmocka_unit_test(test_established_acceptable_segment_keeps_limit),
        cmocka_unit_test(test_established_ack_of_unsent_data_rate_limited),
        cmocka_unit_test(test_established_oow_data_never_rate_limited),
        cmocka_unit_test(test_established_challenge_host_limit_per_second),
    };
    return cmocka_run_group_tests_name("challenge_ack", tests, NULL, NULL);
}
