/*
 * test_fast_path.c - header prediction's precomputed word, pred_wnd (Linux's pred_flags:
 * tcp_fast_path_on, tcp_fast_path_check). It says "predict segments carrying this SEG.WND" only
 * while the connection allows prediction: ESTABLISHED, out of recovery, nothing held out of
 * order, an open window the shift says exactly, the persist timer idle; TCP_PRED_OFF, which no
 * SEG.WND is, otherwise (from the TCB's creation on). A segment
 * predicted while one of those fails would skip the steps of §3.10.7.4 that act on it, so each
 * place that makes one fail must turn the word off, and the full path must turn it on again.
 */
#include "conf.h"

/* The word for the window the connection holds now: what a predicted segment must carry. */
static bool
predicts_window(const struct tcp_conn *c)
{
    return c->pred_wnd != TCP_PRED_OFF && (c->pred_wnd << c->snd_wscale) == c->snd_wnd;
}

/* A and B ESTABLISHED, and every segment host 'quiet' sends from now on dropped (its answers
   to what is injected stay on the record only). Returns the SEG.WND that leaves the window of
   quiet's connection as it is. */
static uint16_t
established_quiet(struct fx *f, int quiet)
{
    fx_init(f, false);
    fx_established(f);
    cf_drop_all_from(f, quiet);
    const struct tcp_conn *c = quiet == FX_A ? f->a : f->b;
    return (uint16_t)(c->snd_wnd >> c->snd_wscale);
}

/* A new TCB predicts nothing before its first change of state: a listener's child is born in
   LISTEN without tcp_set_state (tcp_listen_child), so the word must be off from creation, not
   left 0, which a segment carrying SEG.WND 0 would match. */
static void
test_closed_new_tcb_predicts_nothing(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    const struct tcp_conn *c = world_conn_new(f.w, &f.w->host[FX_A]);
    assert_non_null(c);
    assert_int_equal(c->state, TCP_CLOSED);
    assert_int_equal(c->pred_wnd, TCP_PRED_OFF);
    fx_fini(&f);
}

/* Both ends of a fresh connection predict (the handshake's last step, tcp_set_state). */
static void
test_established_entered_prediction_on(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    assert_true(predicts_window(f.a));
    assert_true(predicts_window(f.b));
    fx_fini(&f);
}

/* The RTO enters recovery from a timer, not from a segment's full path: the word goes off at
   once (the ACK that ends the recovery must take the full path), and on again after it. */
static void
test_established_rto_prediction_off_until_recovered(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    f.w->host[FX_A].cfg.early_retrans = 0; /* the RTO alone, no tail loss probe first */
    fx_established(&f);
    struct wire_rule r = {.from = FX_A, .flags = TCP_ACK, .len = 5, .nth = 1, .count = 1, .action = WIRE_DROP};
    wire_rule_add(f.w, &r);
    cf_send(f.a, "hello");
    fx_mark(&f);
    fx_run_ms(&f, 201);
    cf_rule(&f, TCP_RULE_TIMER_REXMIT);
    assert_true(f.a->in_recovery);
    assert_int_equal(f.a->pred_wnd, TCP_PRED_OFF);
    fx_run_ms(&f, 5);
    assert_int_equal(f.a->snd_una, 106);
    assert_false(f.a->in_recovery);
    assert_true(predicts_window(f.a));
    fx_fini(&f);
}

/* B holds "b" out of order, which turns prediction off; then "a" fills the gap, carrying the
   window B's SND.WND says or, with 'zero', a zero window; the full path takes "b" in behind it. */
static void
hold_then_fill(struct fx *f, bool zero)
{
    uint16_t wnd = established_quiet(f, FX_B);
    fx_inject_to(f, f->b, 102, 301, TCP_ACK, wnd, "b");
    assert_non_null(f->b->ooo);
    assert_int_equal(f->b->pred_wnd, TCP_PRED_OFF);
    fx_inject_to(f, f->b, 101, 301, TCP_ACK, zero ? 0 : wnd, "a");
    assert_null(f->b->ooo);
    assert_int_equal(f->b->rcv_nxt, 103);
}

/* A segment held out of order turns prediction off; the one that fills the gap, on again. */
static void
test_established_out_of_order_prediction_off_until_filled(void **state)
{
    (void)state;
    struct fx f;
    hold_then_fill(&f, false);
    assert_true(predicts_window(f.b));
    fx_fini(&f);
}

/* While prediction is off, a segment whose SEG.WND is 0 is not taken for a predicted one: the
   word's "off" is a value no 16-bit window can match, so that the comparison alone decides.
   Here the segment that fills B's gap carries a zero window: only the full path takes the
   held segment in behind it (reassembly). */
static void
test_established_out_of_order_zero_window_segment_takes_full_path(void **state)
{
    (void)state;
    struct fx f;
    hold_then_fill(&f, true);
    fx_fini(&f);
}

/* A zero window: no prediction while it lasts (the persist timer runs), and the window's
   reopening, on the full path, stops the timer and turns prediction on again. */
static void
test_established_zero_window_prediction_off_until_reopened(void **state)
{
    (void)state;
    struct fx f;
    uint16_t wnd = established_quiet(&f, FX_A);
    fx_inject_to(&f, f.a, 301, 101, TCP_ACK, 0, NULL);
    assert_int_equal(f.a->snd_wnd, 0);
    assert_int_equal(f.a->pred_wnd, TCP_PRED_OFF);
    cf_send(f.a, "x");
    fx_run_ms(&f, 1);
    assert_true(tcp_timer_left(f.a, TCP_TIMER_PERSIST) != -1);
    fx_inject_to(&f, f.a, 301, 101, TCP_ACK, wnd, NULL);
    assert_true(tcp_timer_left(f.a, TCP_TIMER_PERSIST) == -1);
    assert_true(predicts_window(f.a));
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_new_tcb_predicts_nothing),
        cmocka_unit_test(test_established_entered_prediction_on),
        cmocka_unit_test(test_established_rto_prediction_off_until_recovered),
        cmocka_unit_test(test_established_out_of_order_prediction_off_until_filled),
        cmocka_unit_test(test_established_zero_window_prediction_off_until_reopened),
        cmocka_unit_test(test_established_out_of_order_zero_window_segment_takes_full_path),
    };
    return cmocka_run_group_tests_name("fast_path", tests, NULL, NULL);
}
