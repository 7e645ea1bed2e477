/*
 * test_lent_payload.c - data segments in flight carry their payload lent from the sender's
 * send queue (wire.h), not copied. The sender recalls it before it reuses or frees that
 * memory: a segment overtaken by its own retransmission, or in flight when its connection is
 * aborted, must still carry its own octets when it arrives (ASan would see a dangling read).
 */
#include "conf.h"

/* The last segment A put on the wire. */
static struct wire_pkt *
lp_last_from_a(struct fx *f)
{
    struct wire_pkt *p = f->w->wire.tail;
    assert_non_null(p);
    assert_int_equal(p->from, FX_A);
    return p;
}

/* A's first segment is held back 2 s; its retransmission is acknowledged, the send queue is
   emptied and refilled over the same memory: the held segment keeps "first!". */
static void
test_established_lent_segment_overtaken_keeps_payload(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    size_t q;
    assert_int_equal(tcp_send(f.a, "first!", 6, &q), TCP_OK);
    struct wire_pkt *p = lp_last_from_a(&f);
    uint64_t id = p->id;
    assert_ptr_equal(p->lender, &f.a->lent);          /* lent, not copied */
    assert_ptr_equal(p->seg.data, f.a->sndq.buf);
    assert_int_equal(wire_delay_id(f.w, id, CLK_SEC(2)), 0);
    fx_run_ms(&f, 1500);                               /* RTO 1 s: resent, delivered, ACKed */
    assert_true(f.a->total_retransmits >= 1);
    assert_int_equal(f.a->sndq.len, 0);
    p = wire_find(f.w, id);
    assert_non_null(p);                                /* still in flight ... */
    assert_null(p->lender);                            /* ... with its own copy now */
    assert_ptr_equal(p->seg.data, p->payload);
    assert_int_equal(tcp_send(f.a, "XXXXXX", 6, &q), TCP_OK); /* same ring memory again */
    assert_memory_equal(p->seg.data, "first!", 6);
    fx_run_ms(&f, 2000);
    assert_null(wire_find(f.w, id));
    char buf[32];
    size_t got = 0;
    assert_int_equal(tcp_receive(f.b, buf, sizeof buf, &got), TCP_OK);
    assert_int_equal(got, 12);
    assert_memory_equal(buf, "first!XXXXXX", 12);
    fx_fini(&f);
}

/* A aborts while its data is in flight: its send queue is freed, the segment keeps its octets
   and still arrives (B takes it: the RST comes after it). */
static void
test_established_abort_with_lent_segment_in_flight_delivers_copy(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    size_t q;
    assert_int_equal(tcp_send(f.a, "bye now", 7, &q), TCP_OK);
    struct wire_pkt *p = lp_last_from_a(&f);
    uint64_t id = p->id;
    assert_int_equal(tcp_abort(f.a), TCP_OK);
    assert_null(f.a->sndq.buf);
    p = wire_find(f.w, id);
    assert_non_null(p);
    assert_null(p->lender);
    assert_memory_equal(p->seg.data, "bye now", 7);
    fx_run_ms(&f, 10);
    assert_int_equal(f.b->bytes_received, 7);
    assert_int_equal(f.b->state, TCP_CLOSED);          /* then reset */
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_lent_segment_overtaken_keeps_payload),
        cmocka_unit_test(test_established_abort_with_lent_segment_in_flight_delivers_copy),
    };
    return cmocka_run_group_tests_name("lent payload", tests, NULL, NULL);
}
