/*
 * test_determinism.c - the same configuration and seed give an identical event stream, field
 * by field, on a wire with loss, duplication, reordering and jitter; another seed gives
 * another stream.
 */
#include "conf.h"

/* A run: ISNs from the PRNG, a lossy wire, 30 KB each way, a close from each side. */
static void
det_run(uint64_t seed, struct trace_log *log)
{
    struct world_config cfg = {.seed = seed, .preset = TCP_PRESET_LINUX};
    struct world *w = world_new(&cfg);
    assert_non_null(w);
    trace_log_init(log);
    world_observe(w, trace_log_observe, log);
    for (int h = 0; h < 2; h++) {
        struct wire_link s = w->wire.link[h];
        s.delay = CLK_MSEC(3);
        s.jitter = CLK_MSEC(2);
        s.loss = 0.1;
        s.dup = 0.05;
        s.reorder = 0.1;
        wire_link_set(w, h, &s);
    }
    struct tcp_conn *l = NULL, *a = NULL, *b = NULL;
    assert_int_equal(tcp_open_passive(&w->host[1], 80, NULL, &l), TCP_OK);
    assert_int_equal(tcp_open_active(&w->host[0], w->host[1].addr, 80, NULL, &a), TCP_OK);
    static uint8_t data[30000], sink[65536];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 5u);
    bool sent = false, closed = false;
    for (int step = 0; step < 20000 && !closed; step++) {
        world_run_until_time(w, world_now(w) + CLK_MSEC(10));
        if (!b)
            (void)tcp_accept(l, &b);
        size_t q = 0, got = 0;
        if (b && !sent && a->state == TCP_ESTABLISHED) {
            assert_int_equal(tcp_send(a, data, sizeof data, &q), TCP_OK);
            assert_int_equal(tcp_send(b, data, sizeof data, &q), TCP_OK);
            assert_int_equal(tcp_shutdown(a), TCP_OK);
            sent = true;
        }
        if (b) {
            enum tcp_err ea = tcp_receive(a, sink, sizeof sink, &got);
            enum tcp_err eb = tcp_receive(b, sink, sizeof sink, &got);
            if (eb == TCP_EOF && b->state == TCP_CLOSE_WAIT)
                (void)tcp_close(b);
            if (ea == TCP_EOF) {
                (void)tcp_close(a);
                closed = true;
            }
        }
    }
    assert_true(closed);
    world_run_until_time(w, world_now(w) + CLK_SEC(120));
    world_free(w);
}

static bool
det_str_eq(const char *x, const char *y)
{
    return (x == NULL && y == NULL) || (x && y && strcmp(x, y) == 0);
}

/* Is event 'x' the same as 'y' in every field? */
static bool
det_event_eq(const struct trace_event *x, const struct trace_event *y)
{
    const struct tcp_seg *s = &x->seg, *t = &y->seg;
    bool seg = s->saddr == t->saddr && s->daddr == t->daddr && s->sport == t->sport && s->dport == t->dport
               && s->seq == t->seq && s->ack == t->ack && s->flags == t->flags && s->wnd == t->wnd
               && s->up == t->up && s->mss == t->mss && s->len == t->len;
    return seg && x->kind == y->kind && x->n == y->n && x->t == y->t && x->host == y->host && x->conn == y->conn
           && det_str_eq(x->conn_name, y->conn_name) && x->pkt_id == y->pkt_id && x->orig_id == y->orig_id
           && x->from == y->from && x->to == y->to && x->sent_at == y->sent_at && x->arrive_at == y->arrive_at
           && x->marks == y->marks && x->from_state == y->from_state && x->to_state == y->to_state
           && x->rule == y->rule && x->timer == y->timer && x->when == y->when
           && det_str_eq(x->text, y->text) && x->err == y->err;
}

/* Index of the first event where two logs differ; the shorter length when one is a prefix. */
static size_t
det_first_difference(const struct trace_log *x, const struct trace_log *y)
{
    size_t n = x->len < y->len ? x->len : y->len;
    for (size_t i = 0; i < n; i++) {
        const struct trace_event a = trace_log_get(x, i), b = trace_log_get(y, i);
        if (!det_event_eq(&a, &b))
            return i;
    }
    return n;
}

/* The same seed twice: identical streams, with every kind of wire mishap in them. */
static void
test_determinism_same_seed_identical_stream(void **state)
{
    (void)state;
    struct trace_log x, y;
    det_run(42, &x);
    det_run(42, &y);
    if (x.len <= 300)
        fail_msg("only %zu events", x.len);
    size_t i = det_first_difference(&x, &y);
    if (i != x.len || x.len != y.len)
        fail_msg("seed 42 runs differ at event %zu of %zu/%zu", i, x.len, y.len);
    size_t kinds[TRACE_KIND_COUNT] = {0};
    for (size_t k = 0; k < x.len; k++)
        kinds[trace_log_kind(&x, k)]++;
    assert_true(kinds[TRACE_DROP] > 0);
    assert_true(kinds[TRACE_DUP] > 0);
    assert_true(kinds[TRACE_TIMER_FIRE] > 0);
    size_t reordered = 0;
    for (size_t k = 0; k < x.len; k++)
        reordered += trace_log_kind(&x, k) == TRACE_DELIVER && (trace_log_get(&x, k).marks & WIRE_MARK_REORDERED);
    assert_true(reordered > 0);
    trace_log_fini(&x);
    trace_log_fini(&y);
}

/* Another seed: another stream (ISNs and the wire's choices differ). */
static void
test_determinism_other_seed_differs(void **state)
{
    (void)state;
    struct trace_log x, y;
    det_run(42, &x);
    det_run(43, &y);
    size_t i = det_first_difference(&x, &y);
    assert_true(i < x.len || x.len != y.len);
    trace_log_fini(&x);
    trace_log_fini(&y);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism_same_seed_identical_stream),
        cmocka_unit_test(test_determinism_other_seed_differs),
    };
    return cmocka_run_group_tests_name("determinism", tests, NULL, NULL);
}
