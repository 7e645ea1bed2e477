/*
 * test_wire.c - the simulated wire (wire.c): delay, jitter bounds, loss rate, duplication,
 * reordering (a held segment arrives right after the one that passes it), bandwidth
 * (serialization delay), scenario rules (drop / delay / duplicate by flags, SEQ, length, nth,
 * count), acting on segments in flight by id and listing them in send order, injection marks,
 * every segment's send time, and each link's clock lane, which keeps segments in flight out of
 * the clock's heap.
 *
 * The segments are resets from A's port 9 to B's closed port 9: B drops them silently
 * (§3.10.7.1), so the wire is the only thing at work.
 */
#include "conf.h"

/* Send a reset from A with 'seq' and 'len' octets of payload at the present instant. */
static void
wt_send(struct fx *f, uint32_t seq, uint32_t len, uint8_t flags)
{
    static const uint8_t zeros[2048];
    struct tcp_seg s = {.saddr = f->w->host[FX_A].addr, .daddr = f->w->host[FX_B].addr, .sport = 9,
                        .dport = 9, .seq = seq, .flags = flags, .len = len, .data = len ? zeros : NULL};
    wire_send(f->w, FX_A, &s, 0);
}

/* The events of 'kind' since the mark, up to 'max'. */
static size_t
wt_events(const struct fx *f, enum trace_kind kind, struct trace_event *out, size_t max)
{
    size_t n = 0;
    for (size_t i = f->mark; i < f->log.len; i++)
        if (trace_log_kind(&f->log, i) == kind) {
            if (n < max)
                out[n] = trace_log_get(&f->log, i);
            n++;
        }
    return n;
}

static void
wt_init(struct fx *f)
{
    fx_init(f, false);
    fx_mark(f);
}

/* The one-way delay, the send time of every segment, and FIFO order without jitter. */
static void
test_wire_delay_and_sent_at(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.delay = CLK_MSEC(7);
        wire_link_set(f.w, FX_A, &s);
    }
    for (int i = 0; i < 3; i++) {
        wt_send(&f, (uint32_t)i, 0, TCP_RST);
        fx_run_ms(&f, 1);
    }
    fx_run_ms(&f, 20);
    struct trace_event d[8];
    assert_int_equal(wt_events(&f, TRACE_DELIVER, d, 8), 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(d[i].seg.seq, (uint32_t)i);
        assert_int_equal(d[i].sent_at, CLK_MSEC(i));
        assert_int_equal(d[i].t, CLK_MSEC(i) + CLK_MSEC(7));
        assert_int_equal(d[i].t - d[i].sent_at, CLK_MSEC(7)); /* its age on arrival */
    }
    cf_rule(&f, TCP_RULE_CLOSED_RST_DROP);
    CF_NONE(&f, FX_B);
    fx_fini(&f);
}

/* Jitter adds a uniform extra delay in [0, jitter). */
static void
test_wire_jitter_within_bounds(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.delay = CLK_MSEC(5);
        s.jitter = CLK_MSEC(3);
        wire_link_set(f.w, FX_A, &s);
    }
    for (int i = 0; i < 300; i++)
        wt_send(&f, (uint32_t)i, 0, TCP_RST);
    fx_run_ms(&f, 20);
    struct trace_event d[300];
    assert_int_equal(wt_events(&f, TRACE_DELIVER, d, 300), 300);
    clk_time lo = CLK_NEVER, hi = 0;
    for (int i = 0; i < 300; i++) {
        clk_time age = d[i].t - d[i].sent_at;
        assert_true(age >= CLK_MSEC(5) && age < CLK_MSEC(8));
        lo = age < lo ? age : lo;
        hi = age > hi ? age : hi;
    }
    assert_true(hi - lo > CLK_MSEC(2)); /* it does vary */
    fx_fini(&f);
}

/* Loss: with a fixed seed, the share lost is close to the probability. */
static void
test_wire_loss_rate_near_probability(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.loss = 0.3;
        wire_link_set(f.w, FX_A, &s);
    }
    for (int i = 0; i < 2000; i++)
        wt_send(&f, (uint32_t)i, 0, TCP_RST);
    fx_run_ms(&f, 20);
    struct trace_event d[1];
    size_t lost = wt_events(&f, TRACE_DROP, d, 0), got = wt_events(&f, TRACE_DELIVER, d, 0);
    assert_int_equal(lost + got, 2000);
    assert_true(lost > 540 && lost < 660); /* 600 +- 3 standard deviations (20.5) */
    fx_fini(&f);
}

/* Duplication: the copy arrives with the original, marked and reported with both ids. */
static void
test_wire_dup_copy_arrives(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.dup = 1.0;
        wire_link_set(f.w, FX_A, &s);
    }
    wt_send(&f, 42, 0, TCP_RST);
    fx_run_ms(&f, 5);
    struct trace_event d[4], u[4];
    assert_int_equal(wt_events(&f, TRACE_DUP, u, 4), 1);
    assert_int_equal(wt_events(&f, TRACE_DELIVER, d, 4), 2);
    assert_int_equal(d[0].seg.seq, 42);
    assert_int_equal(d[1].seg.seq, 42);
    assert_int_equal(d[0].t, d[1].t);
    assert_true(d[1].marks & WIRE_MARK_DUP);
    assert_false(d[0].marks & WIRE_MARK_DUP);
    assert_int_equal(u[0].orig_id, d[0].pkt_id);
    assert_int_equal(u[0].pkt_id, d[1].pkt_id);
    assert_int_equal(d[1].sent_at, d[0].sent_at);
    fx_fini(&f);
}

/* Reordering: a held segment arrives right after the next one, which passes it; alone, it
   arrives one delay late. */
static void
test_wire_reorder_held_until_next_passes(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.reorder = 1.0;
        wire_link_set(f.w, FX_A, &s);
    }
    wt_send(&f, 1, 0, TCP_RST); /* held */
    fx_run_ms(&f, 0.5);
    wt_send(&f, 2, 0, TCP_RST); /* passes it */
    fx_run_ms(&f, 5);
    struct trace_event d[4];
    assert_int_equal(wt_events(&f, TRACE_DELIVER, d, 4), 2);
    assert_int_equal(d[0].seg.seq, 2);
    assert_int_equal(d[1].seg.seq, 1);
    assert_int_equal(d[0].t, d[1].t);
    assert_int_equal(d[0].t, CLK_MSEC(1) + CLK_MSEC(1) / 2);
    assert_true(d[1].marks & WIRE_MARK_REORDERED);
    fx_fini(&f);
    wt_init(&f);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.reorder = 1.0;
        wire_link_set(f.w, FX_A, &s);
    }
    wt_send(&f, 3, 0, TCP_RST); /* held, and nothing follows */
    fx_run_ms(&f, 5);
    assert_int_equal(wt_events(&f, TRACE_DELIVER, d, 4), 1);
    assert_int_equal(d[0].t, CLK_MSEC(2));
    fx_fini(&f);
}

/* A held segment that arrives on its own, or is dropped by id, is no longer held: the next
   segment goes its way and does not move it. */
static void
test_wire_reorder_held_leaves_link_holds_nothing(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.reorder = 1.0;
        wire_link_set(f.w, FX_A, &s);
    }
    wt_send(&f, 1, 0, TCP_RST); /* held, and nothing follows */
    fx_run_ms(&f, 5);
    assert_null(f.w->wire.link[FX_A].held);
    wt_send(&f, 2, 0, TCP_RST); /* held in its turn */
    size_t n;
    struct wire_pkt *const *v = wire_inflight(f.w, &n);
    assert_int_equal(n, 1);
    assert_ptr_equal(f.w->wire.link[FX_A].held, v[0]);
    assert_int_equal(wire_drop_id(f.w, v[0]->id, NULL), 0);
    assert_null(f.w->wire.link[FX_A].held);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.reorder = 0;
        wire_link_set(f.w, FX_A, &s);
    }
    wt_send(&f, 3, 0, TCP_RST);
    fx_run_ms(&f, 5);
    struct trace_event d[4];
    assert_int_equal(wt_events(&f, TRACE_DELIVER, d, 4), 2);
    assert_int_equal(d[1].seg.seq, 3);
    assert_int_equal(d[1].t - d[1].sent_at, CLK_MSEC(1));
    fx_fini(&f);
}

/* With reordering turned off while a segment is held, the next segment still passes it: the
   link holds one, so it is not a link that only delays. */
static void
test_wire_held_reorder_off_next_passes_it(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.reorder = 1.0;
        wire_link_set(f.w, FX_A, &s);
    }
    wt_send(&f, 1, 0, TCP_RST); /* held */
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.reorder = 0;
        wire_link_set(f.w, FX_A, &s);
    }
    fx_run_ms(&f, 0.5);
    wt_send(&f, 2, 0, TCP_RST);
    fx_run_ms(&f, 5);
    struct trace_event d[4];
    assert_int_equal(wt_events(&f, TRACE_DELIVER, d, 4), 2);
    assert_int_equal(d[0].seg.seq, 2);
    assert_int_equal(d[1].seg.seq, 1);
    assert_int_equal(d[1].t, CLK_MSEC(1) + CLK_MSEC(1) / 2);
    fx_fini(&f);
}

/* A probability of zero or below, -0.0 included, draws nothing from the PRNG and does
   nothing: each segment arrives once, after the delay. */
static void
test_wire_negative_probabilities_draw_nothing(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.loss = -0.5;
        s.reorder = -0.0;
        s.dup = -1.0;
        wire_link_set(f.w, FX_A, &s);
    }
    struct rng before = f.w->rng;
    for (uint32_t i = 0; i < 10; i++)
        wt_send(&f, i, 0, TCP_RST);
    assert_memory_equal(&f.w->rng, &before, sizeof before);
    fx_run_ms(&f, 5);
    struct trace_event d[16];
    assert_int_equal(wt_events(&f, TRACE_DELIVER, d, 16), 10);
    for (uint32_t i = 0; i < 10; i++) {
        assert_int_equal(d[i].seg.seq, i);
        assert_int_equal(d[i].t, CLK_MSEC(1));
        assert_int_equal(d[i].marks, 0);
    }
    fx_fini(&f);
}

/* Bandwidth: each segment takes (payload + 40 header octets) * 8 / bandwidth to serialize;
   back-to-back segments queue behind each other. */
static void
test_wire_bandwidth_serialization_delay(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.bandwidth = 8000000; /* 1000 octets per ms */
        wire_link_set(f.w, FX_A, &s);
    }
    for (int i = 0; i < 3; i++)
        wt_send(&f, (uint32_t)i, 960, TCP_RST);
    fx_run_ms(&f, 10);
    struct trace_event d[4];
    assert_int_equal(wt_events(&f, TRACE_DELIVER, d, 4), 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(d[i].t, CLK_MSEC(1) + CLK_MSEC(i + 1));
    fx_fini(&f);
}

/* Rules: drop by flags; delay by SEQ; duplicate by length; nth and count; exact flags. */
static void
test_wire_rules_match_and_act(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    struct wire_rule drop_fin = {.from = FX_A, .flags = TCP_FIN, .len = -1, .nth = 2, .count = 2, .action = WIRE_DROP};
    struct wire_rule delay_seq = {.from = -1, .has_seq = true, .seq = 500, .len = -1, .nth = 1, .count = -1,
                                  .action = WIRE_DELAY, .by = CLK_MSEC(10)};
    struct wire_rule dup_len = {.from = FX_A, .len = 3, .nth = 1, .count = 1, .action = WIRE_DUPLICATE};
    struct wire_rule exact = {.from = FX_A, .flags = TCP_RST, .flags_exact = TCP_RST, .len = -1, .nth = 1,
                              .count = -1, .action = WIRE_DROP};
    assert_true(wire_rule_add(f.w, &drop_fin) > 0);
    assert_true(wire_rule_add(f.w, &delay_seq) > 0);
    assert_true(wire_rule_add(f.w, &dup_len) > 0);
    int ex = wire_rule_add(f.w, &exact);
    for (uint32_t i = 0; i < 4; i++) /* FIN 1: passes (nth 2), FIN 2 and 3: dropped, FIN 4: count spent */
        wt_send(&f, 100 + i, 0, TCP_FIN | TCP_RST | TCP_ACK);
    wt_send(&f, 500, 0, TCP_RST | TCP_ACK); /* delayed */
    wt_send(&f, 600, 3, TCP_RST | TCP_ACK); /* duplicated once */
    wt_send(&f, 601, 3, TCP_RST | TCP_ACK); /* count spent */
    wt_send(&f, 700, 0, TCP_RST);           /* exactly RST: dropped */
    assert_int_equal(wire_rule_remove(f.w, ex), 0);
    assert_int_equal(wire_rule_remove(f.w, ex), -1);
    wt_send(&f, 701, 0, TCP_RST);           /* rule removed: passes */
    fx_run_ms(&f, 20);
    struct trace_event d[16], x[16];
    size_t nd = wt_events(&f, TRACE_DROP, x, 16);
    assert_int_equal(nd, 3);
    assert_int_equal(x[0].seg.seq, 101);
    assert_int_equal(x[1].seg.seq, 102);
    assert_int_equal(x[2].seg.seq, 700);
    assert_string_equal(x[0].text, "rule");
    size_t n = wt_events(&f, TRACE_DELIVER, d, 16);
    assert_int_equal(n, 7);
    static const uint32_t order[] = {100, 103, 600, 600, 601, 701, 500};
    for (size_t i = 0; i < n; i++)
        assert_int_equal(d[i].seg.seq, order[i]);
    assert_int_equal(d[6].t - d[6].sent_at, CLK_MSEC(11));
    assert_true(d[6].marks & WIRE_MARK_DELAYED);
    assert_int_equal(wt_events(&f, TRACE_DELAY, x, 16), 1);
    fx_fini(&f);
}

/* A fresh world with three resets in flight (SEQ 1, 2, 3): the wire's list of them. */
static struct wire_pkt *const *
wt_three_in_flight(struct fx *f, size_t *n)
{
    wt_init(f);
    for (uint32_t seq = 1; seq <= 3; seq++)
        wt_send(f, seq, 0, TCP_RST);
    struct wire_pkt *const *v = wire_inflight(f->w, n);
    assert_int_equal(*n, 3);
    return v;
}

/* In flight by id: drop, delay, duplicate; unknown ids fail. Injected segments are marked. */
static void
test_wire_inflight_by_id_and_inject(void **state)
{
    (void)state;
    struct fx f;
    size_t n;
    struct wire_pkt *const *v = wt_three_in_flight(&f, &n);
    uint64_t id1 = v[0]->id, id2 = v[1]->id, id3 = v[2]->id;
    assert_non_null(wire_find(f.w, id2));
    assert_int_equal(wire_drop_id(f.w, id1, NULL), 0);
    assert_int_equal(wire_drop_id(f.w, id1, NULL), -1);
    assert_int_equal(wire_delay_id(f.w, id2, CLK_MSEC(4)), 0);
    assert_int_equal(wire_delay_id(f.w, 9999, CLK_MSEC(4)), -1);
    uint64_t copy = wire_dup_id(f.w, id3);
    assert_true(copy > id3);
    assert_int_equal(wire_dup_id(f.w, 9999), 0);
    struct tcp_seg s = {.saddr = f.w->host[FX_A].addr, .daddr = f.w->host[FX_B].addr, .sport = 9, .dport = 9,
                        .seq = 77, .flags = TCP_RST};
    uint64_t inj = wire_inject(f.w, FX_A, &s);
    assert_true(inj > copy);
    fx_run_ms(&f, 10);
    struct trace_event d[8];
    n = wt_events(&f, TRACE_DELIVER, d, 8);
    assert_int_equal(n, 4);
    assert_int_equal(d[0].seg.seq, 3);
    assert_int_equal(d[1].pkt_id, copy);
    assert_true(d[1].marks & WIRE_MARK_DUP);
    assert_int_equal(d[2].pkt_id, inj);
    assert_true(d[2].marks & WIRE_MARK_INJECTED);
    assert_int_equal(d[3].pkt_id, id2);
    assert_int_equal(d[3].t, CLK_MSEC(5));
    assert_true(d[3].marks & WIRE_MARK_DELAYED);
    (void)wire_inflight(f.w, &n);
    assert_int_equal(n, 0);
    /* injected segments are not counted as A's */
    CF_EXPECT(&f, FX_A, {TCP_RST, 1, 0, 0}, {TCP_RST, 2, 0, 0}, {TCP_RST, 3, 0, 0});
    fx_fini(&f);
}

/* The wire reuses the packets of segments that arrived, so those in flight sit among them in
   no particular order: wire_inflight lists only the segments in flight, in the order they were
   sent, and wire_find no longer finds one that arrived. */
static void
test_wire_inflight_reused_packets_listed_in_send_order(void **state)
{
    (void)state;
    struct fx f;
    size_t n;
    struct wire_pkt *const *v = wt_three_in_flight(&f, &n);
    uint64_t arrived = v[0]->id;
    assert_int_equal(wire_delay_id(f.w, v[2]->id, CLK_MSEC(5)), 0);
    fx_run_ms(&f, 2); /* the first two arrive and their packets are free again */
    assert_null(wire_find(f.w, arrived));
    wt_send(&f, 4, 0, TCP_RST); /* in the second one's packet */
    wt_send(&f, 5, 0, TCP_RST); /* in the first one's */
    wt_send(&f, 6, 0, TCP_RST); /* in a new one */
    v = wire_inflight(f.w, &n);
    assert_int_equal(n, 4);
    static const uint32_t order[] = {3, 4, 5, 6};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i]->seg.seq, order[i]);
        assert_ptr_equal(wire_find(f.w, v[i]->id), v[i]);
    }
    fx_fini(&f);
}

/* The link's lane: with a constant delay, a hundred segments in flight put nothing in the
   clock's heap; dropping the first leaves the rest in order; a delayed one moves to the heap;
   with jitter, segments arrive by time and, at equal times, in the order they were sent. */
static void
test_wire_lane_keeps_heap_empty_and_order(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.delay = CLK_MSEC(5);
        wire_link_set(f.w, FX_A, &s);
    }
    for (int i = 0; i < 100; i++)
        wt_send(&f, (uint32_t)i, 0, TCP_RST);
    size_t n;
    struct wire_pkt *const *v = wire_inflight(f.w, &n);
    assert_int_equal(n, 100);
    assert_int_equal(f.w->clk.len, 0);
    uint64_t first = v[0]->id, second = v[1]->id;
    assert_int_equal(wire_drop_id(f.w, first, NULL), 0);
    assert_int_equal(f.w->clk.len, 0);
    assert_int_equal(wire_delay_id(f.w, second, CLK_MSEC(1)), 0);
    assert_int_equal(f.w->clk.len, 1);   /* the delayed one is in the heap now */
    fx_run_ms(&f, 10);
    struct trace_event d[128];
    assert_int_equal(wt_events(&f, TRACE_DELIVER, d, 128), 99);
    for (int i = 0; i < 98; i++)
        assert_int_equal(d[i].seg.seq, (uint32_t)i + 2);
    assert_int_equal(d[98].pkt_id, second);
    assert_int_equal(d[98].t, CLK_MSEC(6));
    assert_int_equal(f.w->clk.len, 0);

    fx_mark(&f);
    {
        struct wire_link s = f.w->wire.link[FX_A];
        s.jitter = CLK_MSEC(3);
        wire_link_set(f.w, FX_A, &s);
    }
    for (int i = 0; i < 300; i++) {
        wt_send(&f, (uint32_t)i, 0, TCP_RST);
        if (i % 7 == 0)
            fx_run_ms(&f, 1);
    }
    fx_run_ms(&f, 20);
    struct trace_event j[300];
    assert_int_equal(wt_events(&f, TRACE_DELIVER, j, 300), 300);
    bool overtaken = false;
    for (int i = 1; i < 300; i++) {
        assert_true(j[i - 1].t < j[i].t || (j[i - 1].t == j[i].t && j[i - 1].pkt_id < j[i].pkt_id));
        overtaken |= j[i - 1].pkt_id > j[i].pkt_id;
    }
    assert_true(overtaken);   /* jitter did reorder some */
    fx_fini(&f);
}

/* A link that only delays, unobserved, is the wire's quick way (wire_plain): a rule, a setting
   or an observer that comes later is still heeded by the next segment, and the quick way comes
   back once they are gone (wire_replan keeps the link's 'plain' true to them). */
static void
test_wire_unobserved_plain_link_heeds_later_changes(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    world_unobserve(f.w, trace_log_observe, &f.log);
    assert_true(f.w->wire.link[FX_A].plain);
    size_t n;
    wt_send(&f, 1, 0, TCP_RST);
    (void)wire_inflight(f.w, &n);
    assert_int_equal(n, 1);
    struct wire_rule r = {.from = FX_A, .flags = TCP_RST, .len = -1, .nth = 1, .count = -1,
                          .action = WIRE_DROP};
    int id = wire_rule_add(f.w, &r);
    assert_false(f.w->wire.link[FX_A].plain);
    wt_send(&f, 2, 0, TCP_RST); /* dropped by the rule as it is sent */
    (void)wire_inflight(f.w, &n);
    assert_int_equal(n, 1);
    assert_int_equal(wire_rule_remove(f.w, id), 0);
    assert_true(f.w->wire.link[FX_A].plain);
    struct wire_link s = f.w->wire.link[FX_A];
    s.loss = 1.0;
    wire_link_set(f.w, FX_A, &s);
    wt_send(&f, 3, 0, TCP_RST); /* lost */
    (void)wire_inflight(f.w, &n);
    assert_int_equal(n, 1);
    s.loss = 0;
    wire_link_set(f.w, FX_A, &s);
    assert_true(f.w->wire.link[FX_A].plain);
    assert_int_equal(world_observe(f.w, trace_log_observe, &f.log), 0);
    assert_false(f.w->wire.link[FX_A].plain);
    fx_mark(&f);
    wt_send(&f, 4, 0, TCP_RST); /* told of */
    struct trace_event e[2];
    assert_int_equal(wt_events(&f, TRACE_SEND, e, 2), 1);
    assert_int_equal(e[0].seg.seq, 4);
    fx_fini(&f);
}

/* Send a reset from A with 'len' octets at 'data' lent by 'l' (as a TCB lends its send
   queue's octets). */
static struct wire_pkt *
wt_send_lent(struct fx *f, struct wire_lender *l, uint32_t seq, const uint8_t *data, uint32_t len)
{
    struct tcp_seg *s = wire_seg_new(f->w);
    *s = (struct tcp_seg){.saddr = f->w->host[FX_A].addr, .daddr = f->w->host[FX_B].addr,
                          .sport = 9, .dport = 9, .seq = seq, .flags = TCP_RST, .len = len,
                          .data = data};
    struct wire_pkt *p = (struct wire_pkt *)(void *)((char *)s - offsetof(struct wire_pkt, seg));
    wire_send_built(f->w, FX_A, s, 0, l);
    return p;
}

/* A lender's segments stay sorted by SEG.SEQ whatever order they are sent in: new data goes at
   the end (wire_send_built's shortcut), one sent again below the tail goes to its place, so
   that a recall up to a sequence number finds every segment below it from the head. */
static void
test_wire_lent_retransmission_sorted_recalled_with_those_below(void **state)
{
    (void)state;
    struct fx f;
    wt_init(&f);
    static const uint8_t data[600];
    struct wire_lender l = {0};
    struct wire_pkt *a = wt_send_lent(&f, &l, 1000, data, 100);
    struct wire_pkt *b = wt_send_lent(&f, &l, 1100, data + 100, 100);
    struct wire_pkt *c = wt_send_lent(&f, &l, 1200, data + 200, 100);
    struct wire_pkt *r = wt_send_lent(&f, &l, 1100, data + 100, 100); /* b again */
    struct wire_pkt *d = wt_send_lent(&f, &l, 1300, data + 300, 100);
    struct wire_pkt *want[] = {a, b, r, c, d};
    struct wire_pkt *q = l.head;
    for (size_t i = 0; i < 5; i++, q = q->lnext) {
        assert_ptr_equal(q, want[i]);
        assert_ptr_equal(q->lender, &l);
    }
    assert_null(q);
    assert_ptr_equal(l.tail, d);
    wire_recall(f.w, &l, 1200);                 /* a, b and its copy r take their own octets */
    assert_null(a->lender);
    assert_null(b->lender);
    assert_null(r->lender);
    assert_ptr_equal(r->seg.data, r->payload);
    assert_ptr_equal(l.head, c);
    assert_ptr_equal(c->lender, &l);
    wire_recall_all(f.w, &l);
    assert_null(l.head);
    assert_null(l.tail);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_delay_and_sent_at),
        cmocka_unit_test(test_wire_jitter_within_bounds),
        cmocka_unit_test(test_wire_loss_rate_near_probability),
        cmocka_unit_test(test_wire_dup_copy_arrives),
        cmocka_unit_test(test_wire_reorder_held_until_next_passes),
        cmocka_unit_test(test_wire_reorder_held_leaves_link_holds_nothing),
        cmocka_unit_test(test_wire_held_reorder_off_next_passes_it),
        cmocka_unit_test(test_wire_negative_probabilities_draw_nothing),
        cmocka_unit_test(test_wire_bandwidth_serialization_delay),
        cmocka_unit_test(test_wire_rules_match_and_act),
        cmocka_unit_test(test_wire_inflight_by_id_and_inject),
        cmocka_unit_test(test_wire_inflight_reused_packets_listed_in_send_order),
        cmocka_unit_test(test_wire_lane_keeps_heap_empty_and_order),
        cmocka_unit_test(test_wire_unobserved_plain_link_heeds_later_changes),
        cmocka_unit_test(test_wire_lent_retransmission_sorted_recalled_with_those_below),
    };
    return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
