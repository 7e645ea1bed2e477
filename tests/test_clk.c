/*
 * test_clk.c - the virtual clock's event heap (clk.c): ordering by time then insertion,
 * re-arming and cancelling in the middle, postponing in place, lanes, and many random
 * operations checked against a simple reference (a linear scan for the minimum).
 */
#include "conf.h"

static void
clk_noop(struct clk_event *e, void *ctx)
{
    (void)e;
    (void)ctx;
}

/* Events fire by time, and events due at the same time in the order they were armed. */
static void
test_clk_order_time_then_insertion(void **state)
{
    (void)state;
    struct clk c;
    clk_init(&c);
    struct clk_event e[6];
    static const clk_time when[6] = {10, 5, 10, 5, 0, 10};
    for (int i = 0; i < 6; i++) {
        clk_event_init(&e[i], clk_noop, NULL);
        assert_int_equal(clk_arm(&c, &e[i], when[i]), 0);
        assert_true(clk_armed(&e[i]));
    }
    static const int order[6] = {4, 1, 3, 0, 2, 5};
    for (int i = 0; i < 6; i++) {
        struct clk_event *p = clk_pop(&c);
        assert_ptr_equal(p, &e[order[i]]);
        assert_int_equal(c.now, when[order[i]]);
        assert_false(clk_armed(p));
    }
    assert_null(clk_pop(&c));
    assert_null(clk_peek(&c));
    assert_int_equal(c.now, 10);
    clk_fini(&c);
}

/* Re-arming moves an event (and orders it as if armed now); cancelling takes it out; a
   cancel of an unarmed event does nothing. */
static void
test_clk_rearm_and_cancel_in_middle(void **state)
{
    (void)state;
    struct clk c;
    clk_init(&c);
    struct clk_event e[5];
    for (int i = 0; i < 5; i++) {
        clk_event_init(&e[i], clk_noop, NULL);
        clk_arm(&c, &e[i], 100 + 10 * i); /* 100 110 120 130 140 */
    }
    clk_arm(&c, &e[2], 150);   /* the middle one goes last */
    clk_arm(&c, &e[4], 110);   /* ties with e[1], armed later: after it */
    clk_cancel(&c, &e[3]);
    clk_cancel(&c, &e[3]);     /* no-op */
    assert_false(clk_armed(&e[3]));
    assert_int_equal(c.len, 4);
    static const int order[4] = {0, 1, 4, 2};
    for (int i = 0; i < 4; i++)
        assert_ptr_equal(clk_pop(&c), &e[order[i]]);
    assert_int_equal(c.now, 150);
    assert_int_equal(clk_from_sec(1.5), CLK_MSEC(1500));
    assert_int_equal(clk_from_sec(-1), 0);
    clk_fini(&c);
}

/* Postponing an event leaves it in place under its old key, yet it fires in the order a
   re-sort would give, and the top of the heap (what clk_peek shows) is always the true next. */
static void
test_clk_postponed_event_fires_in_rearm_order(void **state)
{
    (void)state;
    struct clk c;
    clk_init(&c);
    struct clk_event e[4];
    for (int i = 0; i < 4; i++)
        clk_event_init(&e[i], clk_noop, NULL);
    clk_arm(&c, &e[0], 10);
    clk_arm(&c, &e[1], 20);
    clk_arm(&c, &e[2], 20);
    clk_arm(&c, &e[3], 30);
    clk_arm(&c, &e[1], 25);   /* postponed in place: still sorted under 20 */
    clk_arm(&c, &e[0], 20);   /* the top postponed: after e[2], which was armed earlier */
    assert_ptr_equal(clk_peek(&c), &e[2]);
    assert_int_equal(e[0].when, 20);
    assert_int_equal(e[1].when, 25);
    clk_arm(&c, &e[3], 25);   /* ties with e[1], re-armed later: after it */
    static const int order[4] = {2, 0, 1, 3};
    static const clk_time at[4] = {20, 20, 25, 25};
    for (int i = 0; i < 4; i++) {
        assert_ptr_equal(clk_peek(&c), &e[order[i]]);
        assert_ptr_equal(clk_pop(&c), &e[order[i]]);
        assert_int_equal(c.now, at[i]);
    }
    assert_null(clk_pop(&c));
    clk_fini(&c);
}

/* A lane holds events armed in order outside the heap; one armed earlier than the lane's
   last goes to the heap; re-arming or cancelling takes an event out of its lane; events fire
   by (time, insertion) across heap and lane alike. */
static void
test_clk_lane_fifo_merges_with_heap(void **state)
{
    (void)state;
    struct clk c;
    clk_init(&c);
    struct clk_lane lane;
    assert_int_equal(clk_lane_init(&c, &lane), 0);
    struct clk_event e[6];
    for (int i = 0; i < 6; i++)
        clk_event_init(&e[i], clk_noop, NULL);
    assert_int_equal(clk_lane_arm(&c, &lane, &e[0], 10), 0);
    assert_int_equal(clk_arm(&c, &e[1], 10), 0);            /* heap, ties with e[0], after it */
    assert_int_equal(clk_lane_arm(&c, &lane, &e[2], 20), 0);
    assert_int_equal(clk_lane_arm(&c, &lane, &e[3], 15), 0); /* earlier than the tail: heap */
    assert_int_equal(clk_lane_arm(&c, &lane, &e[4], 20), 0);
    assert_int_equal(clk_lane_arm(&c, &lane, &e[5], 30), 0);
    assert_int_equal(c.len, 2);
    assert_ptr_equal(e[3].lane, NULL);
    assert_ptr_equal(e[4].lane, &lane);
    clk_cancel(&c, &e[4]);
    assert_false(clk_armed(&e[4]));
    assert_int_equal(clk_arm(&c, &e[2], 25), 0);            /* re-armed: leaves the lane */
    assert_ptr_equal(e[2].lane, NULL);
    assert_true(clk_armed(&e[2]));
    static const int order[5] = {0, 1, 3, 2, 5};
    static const clk_time at[5] = {10, 10, 15, 25, 30};
    for (int i = 0; i < 5; i++) {
        assert_ptr_equal(clk_peek(&c), &e[order[i]]);
        assert_ptr_equal(clk_pop(&c), &e[order[i]]);
        assert_int_equal(c.now, at[i]);
        assert_false(clk_armed(&e[order[i]]));
    }
    assert_null(clk_pop(&c));
    assert_null(lane.head);
    assert_null(lane.tail);
    clk_fini(&c);
}

#define CLK_N 64

/* 20000 random arms, re-arms, cancels and pops, checked against a linear-scan reference. */
static void
test_clk_random_operations_match_reference(void **state)
{
    (void)state;
    struct clk c;
    clk_init(&c);
    struct clk_event e[CLK_N];
    bool armed[CLK_N] = {false};
    clk_time when[CLK_N];
    uint64_t seq[CLK_N], next = 0;
    for (int i = 0; i < CLK_N; i++)
        clk_event_init(&e[i], clk_noop, NULL);
    struct rng r;
    rng_seed(&r, 99);
    for (int op = 0; op < 20000; op++) {
        uint32_t k = rng_below(&r, CLK_N), what = rng_below(&r, 10);
        if (what < 5) {
            when[k] = c.now + (clk_time)rng_below(&r, 50); /* many ties */
            seq[k] = next++;
            armed[k] = true;
            assert_int_equal(clk_arm(&c, &e[k], when[k]), 0);
        } else if (what < 7) {
            armed[k] = false;
            clk_cancel(&c, &e[k]);
        } else {
            int best = -1;
            for (int i = 0; i < CLK_N; i++)
                if (armed[i] && (best < 0 || when[i] < when[best] || (when[i] == when[best] && seq[i] < seq[best])))
                    best = i;
            struct clk_event *p = clk_pop(&c);
            if (best < 0) {
                assert_null(p);
                continue;
            }
            assert_ptr_equal(p, &e[best]);
            assert_int_equal(c.now, when[best]);
            armed[best] = false;
        }
        /* the top is never a postponed event: clk_peek shows the true next */
        int top = -1;
        for (int i = 0; i < CLK_N; i++)
            if (armed[i] && (top < 0 || when[i] < when[top] || (when[i] == when[top] && seq[i] < seq[top])))
                top = i;
        assert_ptr_equal(clk_peek(&c), top < 0 ? NULL : &e[top]);
        size_t n = 0;
        for (int i = 0; i < CLK_N; i++) {
            n += armed[i];
            assert_int_equal(clk_armed(&e[i]), armed[i]);
        }
        assert_int_equal(c.len, n);
    }
    clk_fini(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clk_order_time_then_insertion),
        cmocka_unit_test(test_clk_rearm_and_cancel_in_middle),
        cmocka_unit_test(test_clk_random_operations_match_reference),
        cmocka_unit_test(test_clk_postponed_event_fires_in_rearm_order),
        cmocka_unit_test(test_clk_lane_fifo_merges_with_heap),
    };
    return cmocka_run_group_tests_name("clk", tests, NULL, NULL);
}
