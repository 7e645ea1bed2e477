/*
 * test_seq.c - the sequence space (RFC 9293 §3.4): comparisons modulo 2^32 (W1) and the one
 * sequence number that SYN and FIN each occupy (W2).
 */
#include "conf.h"

#define WRAP_ISS_A 4294967196u /* 2^32 - 100 */
#define WRAP_ISS_B 4294967246u /* 2^32 - 50 */

/* Move 'len' pattern octets from 'from' to 'to', reading as they arrive; true when all came
   in order. */
static bool
seq_move(struct fx *f, struct tcp_conn *from, struct tcp_conn *to, size_t len, uint8_t salt)
{
    static uint8_t out[6000], in[6000];
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(i * 3u + salt);
    size_t q = 0;
    if (tcp_send(from, out, len, &q) != TCP_OK || q != len)
        return false;
    size_t have = 0;
    for (int i = 0; i < 100 && have < len; i++) {
        fx_run_ms(f, 5);
        size_t got = 0;
        if (tcp_receive(to, in + have, len - have, &got) != TCP_OK)
            return false;
        have += got;
    }
    return have == len && memcmp(in, out, len) == 0;
}

/* W1: a connection whose ISS is 2^32-100 moves data both ways and closes across the wrap. */
static void
test_established_seq_wrap_transfer_and_close(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.isn = WRAP_ISS_A;
    f.w->host[FX_B].cfg.isn = WRAP_ISS_B;
    fx_established(&f);
    assert_int_equal(f.a->snd_nxt, WRAP_ISS_A + 1);
    assert_true(seq_move(&f, f.a, f.b, 5000, 1)); /* crosses 2^32 after 99 octets */
    assert_true(seq_move(&f, f.b, f.a, 5000, 2));
    assert_int_equal(f.a->snd_nxt, (uint32_t)(WRAP_ISS_A + 1u + 5000u));
    assert_true(f.a->snd_nxt < 5000u); /* wrapped */
    assert_int_equal(f.b->rcv_nxt, f.a->snd_nxt);
    assert_int_equal(f.a->rcv_nxt, (uint32_t)(WRAP_ISS_B + 1u + 5000u));
    fx_mark(&f);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(tcp_close(f.b), TCP_OK);
    fx_run_ms(&f, 5);
    uint32_t a_fin = (uint32_t)(WRAP_ISS_A + 1u + 5000u), b_fin = (uint32_t)(WRAP_ISS_B + 1u + 5000u);
    CF_EXPECT(&f, FX_A, {TCP_FIN | TCP_ACK, a_fin, b_fin, 0}, {TCP_ACK, a_fin + 1, b_fin + 1, 0});
    CF_EXPECT(&f, FX_B, {TCP_ACK, b_fin, a_fin + 1, 0}, {TCP_FIN | TCP_ACK, b_fin, a_fin + 1, 0});
    cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    cf_state(f.b, TCP_CLOSED, TCP_RULE_LAST_ACK_ACKED);
    assert_int_equal(f.a->total_retransmits + f.b->total_retransmits, 0);
    cf_timers(f.a, CF_T(TCP_TIMER_TIMEWAIT));
    fx_fini(&f);
}

/* W1, the comparisons themselves: seq_lt and friends order numbers across the wrap. */
static void
test_closed_seq_compare_wrap_safe(void **state)
{
    (void)state;
    assert_true(seq_lt(0xFFFFFFF0u, 0x10u));
    assert_true(seq_gt(0x10u, 0xFFFFFFF0u));
    assert_true(seq_le(5u, 5u) && seq_ge(5u, 5u));
    assert_false(seq_lt(5u, 5u));
    assert_true(seq_in(0u, 0xFFFFFFFFu, 2u));
    assert_false(seq_in(2u, 0xFFFFFFFFu, 2u));
    assert_true(seq_lt(0x7FFFFFFFu, 0x80000000u));
}

/* W2: SYN and FIN each take one sequence number: SND.NXT and RCV.NXT advance by 1 for each. */
static void
test_established_syn_fin_take_one_seq(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(f.a->snd_nxt, FX_ISS_A + 1);
    assert_int_equal(f.b->rcv_nxt, FX_ISS_A + 1);
    assert_int_equal(f.b->snd_nxt, FX_ISS_B + 1);
    assert_int_equal(f.a->rcv_nxt, FX_ISS_B + 1);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    assert_int_equal(f.a->snd_nxt, FX_ISS_A + 2);
    fx_run_ms(&f, 5);
    assert_int_equal(f.b->rcv_nxt, FX_ISS_A + 2);
    assert_int_equal(f.a->snd_una, FX_ISS_A + 2);
    assert_int_equal(tcp_close(f.b), TCP_OK);
    assert_int_equal(f.b->snd_nxt, FX_ISS_B + 2);
    fx_run_ms(&f, 5);
    assert_int_equal(f.a->rcv_nxt, FX_ISS_B + 2);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_seq_wrap_transfer_and_close),
        cmocka_unit_test(test_closed_seq_compare_wrap_safe),
        cmocka_unit_test(test_established_syn_fin_take_one_seq),
    };
    return cmocka_run_group_tests_name("seq", tests, NULL, NULL);
}
