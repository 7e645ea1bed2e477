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

/* Initialise e[0..n-1] and arm them at when[0..n-1], in that order. */
static void
clk_arm_each(struct clk *c, struct clk_event *e, const clk_time *when, int n)
{
    for (int i = 0; i < n; i++) {
        clk_event_init(&e[i], clk_noop, NULL);
        assert_int_equal(clk_arm(c, &e[i], when[i]), 0);
    }
}

/* The events e[order[0..n-1]] come next, at times at[0..n-1] (peek shows each before pop takes
   it), and then nothing. */
static void
clk_expect_pops(struct clk *c, struct clk_event *e, const int *order, const clk_time *at, int n)
{
    for (int i = 0; i < n; i++) {
        assert_ptr_equal(clk_peek(c), &e[order[i]]);
        assert_ptr_equal(clk_pop(c), &e[order[i]]);
        assert_int_equal(c->now, at[i]);
    }
    assert_null(clk_peek(c));
    assert_null(clk_pop(c));
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
    clk_arm_each(&c, e, (const clk_time[]){10, 20, 20, 30}, 4);
    clk_arm(&c, &e[1], 25);   /* postponed in place: still sorted under 20 */
    clk_arm(&c, &e[0], 20);   /* the top postponed: after e[2], which was armed earlier */
    assert_ptr_equal(clk_peek(&c), &e[2]);
    assert_int_equal(e[0].when, 20);
    assert_int_equal(e[1].when, 25);
    clk_arm(&c, &e[3], 25);   /* ties with e[1], re-armed later: after it */
    clk_expect_pops(&c, e, (const int[]){2, 0, 1, 3}, (const clk_time[]){20, 20, 25, 25}, 4);
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

/* One busy lane and events in the heap (a transfer's every arrival, which clk_pop answers
   with one comparison): the lane's head and the heap's top due at the same instant fire in
   the order they were armed, the heap's first when it was armed first. */
static void
test_clk_one_lane_ties_heap_top_armed_first_fires_first(void **state)
{
    (void)state;
    struct clk c;
    clk_init(&c);
    struct clk_lane lane;
    assert_int_equal(clk_lane_init(&c, &lane), 0);
    struct clk_event e[4];
    for (int i = 0; i < 4; i++)
        clk_event_init(&e[i], clk_noop, NULL);
    assert_int_equal(clk_arm(&c, &e[0], 10), 0);              /* heap, armed first */
    assert_int_equal(clk_lane_arm(&c, &lane, &e[1], 5), 0);   /* earlier: before the top */
    assert_int_equal(clk_lane_arm(&c, &lane, &e[2], 10), 0);  /* ties with e[0], after it */
    assert_int_equal(clk_arm(&c, &e[3], 10), 0);              /* heap, ties, after e[2] */
    static const int order[4] = {1, 0, 2, 3};
    static const clk_time at[4] = {5, 10, 10, 10};
    clk_expect_pops(&c, e, order, at, 4);
    clk_fini(&c);
}

/* clk_lane_arm_first puts an event at the end of the first lane it keeps in order (an empty
   one takes anything), else in the heap; the clock looks only at the lanes that hold events
   (its 'busy' list), which a lane leaves when its last event is popped or cancelled and joins
   again with its next. Events fire by (time, insertion) whatever they wait in. */
static void
test_clk_lane_arm_first_takes_first_lane_in_order(void **state)
{
    (void)state;
    struct clk c;
    clk_init(&c);
    struct clk_lane lane[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(clk_lane_init(&c, &lane[i]), 0);
    struct clk_event e[5];
    for (int i = 0; i < 5; i++)
        clk_event_init(&e[i], clk_noop, NULL);
    assert_int_equal(c.nbusy, 0);
    assert_int_equal(clk_lane_arm_first(&c, lane, 2, &e[0], 10), 0);
    assert_int_equal(clk_lane_arm_first(&c, lane, 2, &e[1], 20), 0);
    assert_ptr_equal(e[1].lane, &lane[0]);  /* in order: the first lane */
    assert_int_equal(c.nbusy, 1);           /* the empty second lane is not looked at */
    assert_int_equal(clk_lane_arm_first(&c, lane, 2, &e[2], 15), 0);
    assert_ptr_equal(e[2].lane, &lane[1]);  /* earlier than the first lane's tail: the second */
    assert_int_equal(c.nbusy, 2);
    assert_int_equal(clk_lane_arm_first(&c, lane, 2, &e[3], 12), 0);
    assert_null(e[3].lane);                 /* earlier than both tails: the heap */
    assert_int_equal(c.len, 1);
    assert_int_equal(clk_lane_arm_first(&c, lane, 2, &e[4], 20), 0);
    assert_ptr_equal(e[4].lane, &lane[0]);  /* ties with e[1], after it */
    clk_cancel(&c, &e[2]);                  /* the second lane empties: no longer busy */
    assert_int_equal(c.nbusy, 1);
    assert_int_equal(lane[1].busy, 0);
    clk_expect_pops(&c, e, (const int[]){0, 3, 1, 4}, (const clk_time[]){10, 12, 20, 20}, 4);
    assert_int_equal(c.nbusy, 0);
    assert_null(clk_pop(&c));
    assert_int_equal(clk_lane_arm_first(&c, lane, 2, &e[2], 30), 0);
    assert_ptr_equal(e[2].lane, &lane[0]);  /* an emptied lane takes events again */
    assert_int_equal(c.nbusy, 1);
    assert_ptr_equal(clk_pop(&c), &e[2]);
    clk_fini(&c);
}

/* Re-arming the heap's top to a later time leaves it where it is, under its old key, like any
   other postponed event; peek and pop still give the true next, and the re-armed event fires
   after events due at the same instant that were armed before the re-arm. */
static void
test_clk_rearm_top_keeps_order(void **state)
{
    (void)state;
    struct clk c;
    clk_init(&c);
    struct clk_event e[4];
    clk_arm_each(&c, e, (const clk_time[]){10, 20, 30, 30}, 4);
    clk_arm(&c, &e[0], 30);   /* the top postponed: after e[2] and e[3], armed earlier */
    assert_int_equal(e[0].slot, 1); /* not moved: still sorted under 10 */
    assert_ptr_equal(clk_peek(&c), &e[1]);
    clk_arm(&c, &e[0], 25);   /* brought forward, yet still postponed (its key says 10) */
    assert_int_equal(e[0].slot, 1);
    clk_expect_pops(&c, e, (const int[]){1, 0, 2, 3}, (const clk_time[]){20, 25, 30, 30}, 4);
    clk_fini(&c);
}

/* A postponed top whose old key comes before a lane's head, but whose real time does not,
   gives way to the lane's head: its old key is a bound, not its time. */
static void
test_clk_postponed_top_yields_to_lane_head(void **state)
{
    (void)state;
    struct clk c;
    clk_init(&c);
    struct clk_lane lane;
    assert_int_equal(clk_lane_init(&c, &lane), 0);
    struct clk_event timer, seg[2];
    clk_event_init(&timer, clk_noop, NULL);
    for (int i = 0; i < 2; i++)
        clk_event_init(&seg[i], clk_noop, NULL);
    clk_arm(&c, &timer, 10);
    clk_lane_arm(&c, &lane, &seg[0], 15);
    clk_lane_arm(&c, &lane, &seg[1], 20);
    clk_arm(&c, &timer, 20);  /* postponed past both segments, the second by insertion */
    assert_ptr_equal(clk_peek(&c), &seg[0]);
    assert_ptr_equal(clk_pop(&c), &seg[0]);
    assert_int_equal(c.now, 15);
    assert_ptr_equal(clk_peek(&c), &seg[1]);
    assert_ptr_equal(clk_pop(&c), &seg[1]);
    assert_ptr_equal(clk_peek(&c), &timer);
    assert_ptr_equal(clk_pop(&c), &timer);
    assert_int_equal(c.now, 20);
    assert_null(lane.head);
    assert_null(clk_pop(&c));
    clk_fini(&c);
}

#define CLK_N 64

/* 20000 random arms, re-arms, cancels, peeks and pops, checked against a linear-scan reference
   (the armed event with the smallest (when, seq)). With lanes, a third of the arms go to one
   of two lanes, mostly in order, now and then overtaking; a re-arm takes an event out of its
   lane. Without, the heap holds every armed event. */
static void
clk_random_run(uint64_t seed, bool lanes)
{
    struct clk c;
    clk_init(&c);
    struct clk_lane lane[2];
    for (int i = 0; lanes && i < 2; i++)
        assert_int_equal(clk_lane_init(&c, &lane[i]), 0);
    struct clk_event e[CLK_N];
    bool armed[CLK_N] = {false};
    clk_time when[CLK_N];
    uint64_t seq[CLK_N], next = 0;
    for (int i = 0; i < CLK_N; i++)
        clk_event_init(&e[i], clk_noop, NULL);
    struct rng r;
    rng_seed(&r, seed);
    for (int op = 0; op < 20000; op++) {
        uint32_t k = rng_below(&r, CLK_N), what = rng_below(&r, 12);
        if (what < 4 && lanes) {
            clk_cancel(&c, &e[k]); /* clk_lane_arm takes an event that is not armed */
            when[k] = c.now + 20 + (clk_time)rng_below(&r, 8);
            if (rng_below(&r, 8) == 0)
                when[k] -= 15;
            seq[k] = next++;
            armed[k] = true;
            if (k % 3 == 0) /* the first of the two lanes that keeps it in order */
                assert_int_equal(clk_lane_arm_first(&c, lane, 2, &e[k], when[k]), 0);
            else
                assert_int_equal(clk_lane_arm(&c, &lane[k % 2], &e[k], when[k]), 0);
        } else if (what < 7) {
            when[k] = c.now + (clk_time)rng_below(&r, 50); /* many ties */
            seq[k] = next++;
            armed[k] = true;
            assert_int_equal(clk_arm(&c, &e[k], when[k]), 0);
        } else if (what < 8) {
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
        /* clk_peek shows the true next, whatever is postponed */
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
        if (!lanes)
            assert_int_equal(c.len, n);
        /* the busy list: exactly the lanes that hold events */
        int busy = 0;
        for (int i = 0; lanes && i < 2; i++) {
            busy += lane[i].head != NULL;
            assert_int_equal(lane[i].busy != 0, lane[i].head != NULL);
            if (lane[i].busy)
                assert_ptr_equal(c.busy[lane[i].busy - 1], &lane[i]);
        }
        assert_int_equal(c.nbusy, busy);
    }
    clk_fini(&c);
    for (int i = 0; lanes && i < 2; i++)
        assert_null(lane[i].head);
}

/* The clock keeps the present in whole milliseconds too (what TCP's timestamps read, RFC
   7323 5.4): rounded down, as it moves by pops from the heap and from a lane, and by
   clk_advance. */
static void
test_clk_pop_and_advance_keep_now_ms(void **state)
{
    (void)state;
    struct clk c;
    struct clk_lane lane;
    struct clk_event e[3];
    clk_init(&c);
    assert_int_equal(clk_lane_init(&c, &lane), 0);
    const clk_time when[2] = {CLK_MSEC(2) - 1, CLK_SEC(1) + 1};
    clk_arm_each(&c, e, when, 2);
    clk_event_init(&e[2], clk_noop, NULL);
    assert_int_equal(clk_lane_arm(&c, &lane, &e[2], CLK_MSEC(2) + CLK_MSEC(1) / 2), 0);
    assert_int_equal(c.now_ms, 0);
    assert_ptr_equal(clk_pop(&c), &e[0]);
    assert_int_equal(c.now_ms, 1);
    assert_ptr_equal(clk_pop(&c), &e[2]);
    assert_int_equal(c.now_ms, 2);
    assert_ptr_equal(clk_pop(&c), &e[1]);
    assert_int_equal(c.now_ms, 1000);
    clk_advance(&c, CLK_SEC(5) + CLK_MSEC(1) - 1);
    assert_int_equal(c.now, CLK_SEC(5) + CLK_MSEC(1) - 1);
    assert_int_equal(c.now_ms, 5000);
    clk_fini(&c);
}

static void
test_clk_random_operations_match_reference(void **state)
{
    (void)state;
    clk_random_run(99, false);
}

static void
test_clk_random_lanes_and_heap_match_reference(void **state)
{
    (void)state;
    clk_random_run(7, true);
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
        cmocka_unit_test(test_clk_one_lane_ties_heap_top_armed_first_fires_first),
        cmocka_unit_test(test_clk_lane_arm_first_takes_first_lane_in_order),
        cmocka_unit_test(test_clk_rearm_top_keeps_order),
        cmocka_unit_test(test_clk_postponed_top_yields_to_lane_head),
        cmocka_unit_test(test_clk_random_lanes_and_heap_match_reference),
        cmocka_unit_test(test_clk_pop_and_advance_keep_now_ms),
    };
    return cmocka_run_group_tests_name("clk", tests, NULL, NULL);
}
