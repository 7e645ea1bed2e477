/*
 * test_lent_payload.c - data segments in flight carry their payload lent from the sender's
 * send queue (wire.h), not copied. The sender recalls it before it reuses or frees that
 * memory: a segment overtaken by its own retransmission, or in flight when its connection is
 * aborted, must still carry its own octets when it arrives (ASan would see a dangling read).
 * A receive queue may keep a delivered segment instead of copying it (tcp_rcvq.c): what the
 * user reads must be the stream as sent, however reads, copies, recalls and aborts interleave.
 */
#include "conf.h"

/* The last segment A put on the wire. */
static struct wire_pkt *
lp_last_from_a(struct fx *f)
{
    size_t n;
    struct wire_pkt *const *v = wire_inflight(f->w, &n);
    assert_true(n > 0);
    struct wire_pkt *p = v[n - 1];
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

/* 'n' octets of a pattern that differs at every offset (mod 251). */
static void
lp_pattern(uint8_t *out, size_t n, size_t from)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)((from + i) % 251);
}

/* Send 'n' pattern octets from stream offset 'from' on A, as one call. */
static void
lp_send(struct fx *f, size_t from, size_t n)
{
    static uint8_t buf[4096];
    lp_pattern(buf, n, from);
    size_t q = 0;
    assert_int_equal(tcp_send(f->a, buf, n, &q), TCP_OK);
    assert_int_equal(q, n);
}

/* Read 'n' octets on B in pieces of 'piece' and check them against the pattern from stream
   offset 'from'. */
static void
lp_read_check(struct fx *f, size_t from, size_t n, size_t piece)
{
    uint8_t got[4096], want[4096];
    for (size_t done = 0; done < n;) {
        size_t k = n - done < piece ? n - done : piece, g = 0;
        assert_int_equal(tcp_receive(f->b, got, k, &g), TCP_OK);
        assert_int_equal(g, k);
        lp_pattern(want, k, from + done);
        assert_memory_equal(got, want, k);
        done += k;
    }
}

/* Full-sized segments are kept by B's receive queue, short ones copied into it; A's ACKed
   octets are recalled (the kept segments copy them) and A's send queue reuses the memory;
   B then reads in odd pieces across kept and copied octets: the stream is intact. */
static void
test_established_kept_segments_survive_recall_and_reuse(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    lp_send(&f, 0, 1460);      /* kept */
    lp_send(&f, 1460, 100);    /* copied */
    lp_send(&f, 1560, 600);    /* kept */
    lp_send(&f, 2160, 37);     /* copied */
    fx_run_ms(&f, 1.5);        /* delivered; the ACKs are on their way */
    assert_non_null(f.b->kept_head);
    assert_int_equal(f.b->kept_head->seg.len, 1460);
    assert_ptr_equal(f.b->kept_head->lender, &f.a->lent); /* still A's memory */
    assert_int_equal(f.b->kept_head->next->seg.len, 600);
    assert_ptr_equal(f.b->kept_tail, f.b->kept_head->next);
    assert_int_equal(tcp_readable(f.b), 2197);
    fx_run_ms(&f, 5);          /* ACKed: A recalls, the kept segments copy their octets */
    assert_int_equal(f.a->sndq.len, 0);
    assert_null(f.b->kept_head->lender);
    lp_send(&f, 2197, 3000);   /* A's ring memory written over */
    fx_run_ms(&f, 5);
    lp_read_check(&f, 0, 5197, 333);
    assert_null(f.b->kept_head);
    assert_null(f.b->kept_tail);
    assert_int_equal(tcp_readable(f.b), 0);
    fx_fini(&f);
}

/* Reads without a buffer (MSG_TRUNC) drop kept segments part by part; the octets after them
   are still the stream's. */
static void
test_established_kept_segments_discarded_in_parts(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    lp_send(&f, 0, 1460);
    lp_send(&f, 1460, 1460);
    lp_send(&f, 2920, 200);
    fx_run_ms(&f, 1.5);
    size_t g = 0;
    assert_int_equal(tcp_receive(f.b, NULL, 1000, &g), TCP_OK);
    assert_int_equal(g, 1000);
    assert_int_equal(f.b->kept_head->seg.len, 1460);   /* the first, partly taken */
    assert_int_equal(tcp_receive(f.b, NULL, 1000, &g), TCP_OK);
    assert_int_equal(f.b->kept_head->kept_at, 1460);   /* the first is given back */
    lp_read_check(&f, 2000, 1120, 1120);
    assert_null(f.b->kept_head);
    fx_fini(&f);
}

/* A aborts while B still holds A's segments unread: A's send queue is freed, the kept
   segments take their copy first, and B, reset, still reads what it was given. */
static void
test_established_peer_abort_while_segments_kept(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    lp_send(&f, 0, 1460);
    lp_send(&f, 1460, 1460);
    fx_run_ms(&f, 1.5);
    assert_non_null(f.b->kept_head);
    assert_int_equal(tcp_abort(f.a), TCP_OK);
    assert_null(f.a->sndq.buf);
    assert_null(f.b->kept_head->lender);
    fx_run_ms(&f, 5);
    assert_int_equal(f.b->state, TCP_CLOSED);
    lp_read_check(&f, 0, 2920, 1000);
    fx_fini(&f);
}

/* B aborts (its queue is freed) and the world ends while segments are kept: nothing leaks
   and nothing is read after it is freed (ASan watches both). */
static void
test_established_receiver_abort_and_world_end_with_segments_kept(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    lp_send(&f, 0, 1460);
    fx_run_ms(&f, 1.5);
    assert_non_null(f.b->kept_head);
    assert_int_equal(tcp_abort(f.b), TCP_OK);
    assert_null(f.b->kept_head);
    lp_send(&f, 1460, 1460);   /* answered by a reset; A goes on */
    fx_run_ms(&f, 1.5);
    fx_fini(&f);

    fx_init(&f, false);        /* and a world freed with a segment still kept */
    fx_established(&f);
    lp_send(&f, 0, 1460);
    fx_run_ms(&f, 1.5);
    assert_non_null(f.b->kept_head);
    fx_fini(&f);
}

/* A's first segment is lost: the three after it arrive out of order and B holds them as they
   are (kept, not copied); the retransmission fills the gap, and the held segments join the
   receive queue still kept. The stream reads as sent. */
static void
test_established_out_of_order_segments_kept_then_queued(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    lp_send(&f, 0, 1460);
    assert_int_equal(wire_drop_id(f.w, f.w->wire.next_id, "test"), 0); /* the first is lost */
    lp_send(&f, 1460, 1460);
    lp_send(&f, 2920, 1460);
    lp_send(&f, 4380, 700);
    fx_run_ms(&f, 1.5);
    assert_non_null(f.b->ooo);
    assert_non_null(f.b->ooo->kept);                   /* held as it arrived */
    assert_ptr_equal(f.b->ooo->kept->lender, &f.a->lent);
    assert_non_null(f.b->ooo->next->next->kept);
    assert_int_equal(f.b->ooo_bytes, 3620);
    assert_int_equal(tcp_readable(f.b), 0);
    fx_run_ms(&f, 1500);                               /* RTO: resent, the gap fills */
    assert_null(f.b->ooo);
    assert_int_equal(tcp_readable(f.b), 5080);
    int kept = 0;
    for (struct wire_pkt *p = f.b->kept_head; p; p = p->next)
        kept++;
    assert_int_equal(kept, 4);                         /* nothing was copied */
    lp_read_check(&f, 0, 5080, 999);
    fx_fini(&f);
}

/* Two losses one after the other, the second while the first's segments are still held: the
   held segments arrive out of order among themselves too (A's last one first), and the
   nodes freed after the first hole are reused for the second. The stream reads as sent. */
static void
test_established_two_holes_out_of_order_stream_intact(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    size_t at = 0;
    for (int round = 0; round < 2; round++) {
        lp_send(&f, at, 1460);
        assert_int_equal(wire_drop_id(f.w, f.w->wire.next_id, "test"), 0); /* a hole */
        lp_send(&f, at + 1460, 1460);
        uint64_t held_back = f.w->wire.next_id;
        assert_int_equal(wire_delay_id(f.w, held_back, CLK_MSEC(1)), 0); /* arrives last */
        lp_send(&f, at + 2920, 1460);
        lp_send(&f, at + 4380, 1460);
        fx_run_ms(&f, 1.5);
        assert_non_null(f.b->ooo);
        assert_int_equal(f.b->ooo_bytes, 2920);
        fx_run_ms(&f, 1);                              /* the held-back one, in the middle */
        assert_int_equal(f.b->ooo_bytes, 4380);
        assert_int_equal(f.b->ooo->next->seq, f.b->ooo->seq + 1460);
        fx_run_ms(&f, 1500);                           /* RTO: the hole fills */
        assert_null(f.b->ooo);
        assert_null(f.b->ooo_last);
        lp_read_check(&f, at, 5840, 1000);
        at += 5840;
    }
    fx_fini(&f);
}

/* Held out-of-order segments and the world's end, or B's abort, or A's: nothing leaks,
   nothing is read after it is freed (ASan watches). */
static void
test_established_out_of_order_kept_segments_freed_with_tcb(void **state)
{
    (void)state;
    for (int way = 0; way < 3; way++) {
        struct fx f;
        fx_init(&f, false);
        fx_established(&f);
        lp_send(&f, 0, 1460);
        assert_int_equal(wire_drop_id(f.w, f.w->wire.next_id, "test"), 0);
        lp_send(&f, 1460, 1460);
        fx_run_ms(&f, 1.5);
        assert_non_null(f.b->ooo);
        assert_non_null(f.b->ooo->kept);
        if (way == 1) {
            assert_int_equal(tcp_abort(f.b), TCP_OK);
            assert_null(f.b->ooo);
        } else if (way == 2) {
            assert_int_equal(tcp_abort(f.a), TCP_OK);     /* A's memory recalled */
            assert_null(f.b->ooo->kept->lender);
            fx_run_ms(&f, 5);
        }
        fx_fini(&f);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_lent_segment_overtaken_keeps_payload),
        cmocka_unit_test(test_established_abort_with_lent_segment_in_flight_delivers_copy),
        cmocka_unit_test(test_established_kept_segments_survive_recall_and_reuse),
        cmocka_unit_test(test_established_kept_segments_discarded_in_parts),
        cmocka_unit_test(test_established_peer_abort_while_segments_kept),
        cmocka_unit_test(test_established_receiver_abort_and_world_end_with_segments_kept),
        cmocka_unit_test(test_established_out_of_order_segments_kept_then_queued),
        cmocka_unit_test(test_established_out_of_order_kept_segments_freed_with_tcb),
        cmocka_unit_test(test_established_two_holes_out_of_order_stream_intact),
    };
    return cmocka_run_group_tests_name("lent payload", tests, NULL, NULL);
}
