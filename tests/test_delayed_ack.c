/*
 * test_delayed_ack.c - the delayed_ack setting (RFC 9293 §3.8.6.3, RFC 1122 4.2.3.2, RFC 5681
 * 4.2): B holds back the ACK of in-order data until a second full-sized segment arrives, its
 * own segment carries the ACK, or delack_timeout expires; out-of-order segments, segments that
 * fill a gap and FINs are acknowledged at once. Off (the default), every segment is ACKed at
 * once. A connected from 40000 with ISS 100, B accepted on 80 with ISS 300; one-way delay 1 ms;
 * SND.MSS 1460 both ways.
 */
#include "conf.h"

/* A and B ESTABLISHED with B delaying its ACKs; the mark at the present. */
static void
delack_established(struct fx *f)
{
    fx_init(f, false);
    fx_established(f);
    f->w->host[FX_B].cfg.delayed_ack = 1;
    fx_mark(f);
}

/* Did the delack timer of 'c' expire, on the record, since the mark? */
static bool
delack_fired(const struct fx *f, const struct tcp_conn *c)
{
    for (size_t i = f->mark; i < f->log.len; i++) {
        const struct trace_event *ev = &f->log.ev[i];
        if (ev->kind == TRACE_TIMER_FIRE && ev->conn == c->id && ev->timer == TCP_TIMER_DELACK)
            return true;
    }
    return false;
}

/* Off by default: the ACK of one segment leaves at once, and no ACK is ever delayed. */
static void
test_established_data_acked_at_once_by_default(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(f.w->host[FX_B].cfg.delayed_ack, 0);
    fx_mark(&f);
    cf_send(f.a, "hello");
    fx_run_ms(&f, 1.5);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 301, 106, 0});
    assert_false(fx_rule_seen(&f, TCP_RULE_ACK_DELAYED));
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* One small segment: no ACK until delack_timeout (40 ms under linux), then the timer sends it. */
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

/* Two full-sized segments: the second is ACKed at once, covering both (§3.8.6.3: "at least
   every second full-sized segment"); the timer the first armed is left idle (as Linux leaves
   it): no longer pending, and silent when it expires. */
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

/* B's own data, sent while an ACK is owed, carries it: no separate ACK, the timer is off. */
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

/* Out of order: acknowledged at once with what B still expects (RFC 5681 4.2), then the
   segment that fills the gap is acknowledged at once too. */
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

/* A FIN is acknowledged at once, with the data held back before it. */
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

/* The setting goes by name in both presets; the delay is capped below 0.5 s (MUST-40). */
static void
test_established_delack_settings_ranges(void **state)
{
    (void)state;
    struct tcp_settings s;
    tcp_settings_preset(&s, TCP_PRESET_LINUX);
    assert_int_equal(s.delayed_ack, 0);
    assert_int_equal(s.delack_timeout, CLK_MSEC(40));
    tcp_settings_preset(&s, TCP_PRESET_RFC);
    assert_int_equal(s.delack_timeout, CLK_MSEC(200));
    const struct tcp_setting_info *t = tcp_setting_find("delack_timeout");
    assert_non_null(t);
    assert_int_equal(tcp_setting_set(&s, t, 0.5), TCP_OK);
    assert_int_equal(tcp_setting_set(&s, t, 0.6), TCP_EINVAL);
    assert_int_equal(tcp_setting_set(&s, tcp_setting_find("delayed_ack"), 1), TCP_OK);
    assert_int_equal(s.delayed_ack, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_data_acked_at_once_by_default),
        cmocka_unit_test(test_established_one_segment_ack_delayed_until_timeout),
        cmocka_unit_test(test_established_second_full_segment_acked_at_once),
        cmocka_unit_test(test_established_reply_data_carries_delayed_ack),
        cmocka_unit_test(test_established_out_of_order_and_gap_fill_acked_at_once),
        cmocka_unit_test(test_established_fin_acked_at_once_with_owed_data),
        cmocka_unit_test(test_established_delack_settings_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
