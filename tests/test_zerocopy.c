/*
 * test_zerocopy.c - zero-copy sends (tcp_send_zerocopy, tcp_sndq.c): the send queue refers to
 * the user's memory instead of copying it, data segments point straight into it, and the
 * connection gives it back (tcp_zerocopy_done) only once no segment can read it again: after
 * the ACK (segments still in flight or kept by the receiver take their own copy first), or
 * when the TCB is deleted. What the receiver reads must be the stream as sent, however
 * copying and zero-copy sends interleave. ASan would see any read of memory given back and
 * then freed.
 */
#include <stdlib.h>

#include "conf.h"

/* 'n' octets of a pattern that differs at every offset (mod 251), from stream offset 'from'. */
static void
zc_pattern(uint8_t *out, size_t n, size_t from)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)((from + i) % 251);
}

/* The segment A put on the wire last. */
static struct wire_pkt *
zc_last_sent(struct fx *f)
{
    struct wire_pkt *p = wire_find(f->w, f->w->wire.next_id);
    assert_non_null(p);
    assert_int_equal(p->from, FX_A);
    return p;
}

/* Read 'n' octets on B and check them against the pattern from stream offset 'from'. */
static void
zc_read_check(struct fx *f, size_t from, size_t n)
{
    uint8_t *got = malloc(n), *want = malloc(n);
    assert_non_null(got);
    assert_non_null(want);
    size_t g = 0;
    assert_int_equal(tcp_receive(f->b, got, n, &g), TCP_OK);
    assert_int_equal(g, n);
    zc_pattern(want, n, from);
    assert_memory_equal(got, want, n);
    free(got);
    free(want);
}

/* The segment carries the user's memory itself, and the connection keeps it until the ACK. */
static void
test_established_send_zerocopy_lends_user_memory_until_acked(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    uint8_t buf[1000];
    zc_pattern(buf, sizeof buf, 0);
    size_t q = 0;
    assert_int_equal(tcp_send_zerocopy(f.a, buf, sizeof buf, &q), TCP_OK);
    assert_int_equal(q, sizeof buf);
    struct wire_pkt *p = zc_last_sent(&f);
    assert_ptr_equal(p->seg.data, buf);               /* not a copy */
    assert_ptr_equal(p->lender, &f.a->lent);
    assert_int_equal(tcp_zerocopy_done(f.a), 0);
    fx_run_ms(&f, 1.5);                                /* delivered, ACK on its way */
    assert_int_equal(tcp_zerocopy_done(f.a), 0);
    fx_run_ms(&f, 1.5);                                /* ACKed */
    assert_int_equal(f.a->sndq.len, 0);
    assert_int_equal(tcp_zerocopy_done(f.a), sizeof buf);
    assert_null(f.a->zc_head);
    memset(buf, 'X', sizeof buf);                      /* the user may reuse it now */
    zc_read_check(&f, 0, sizeof buf);
    fx_fini(&f);
}

/* An ACK of part of a zero-copy send gives back that part only. */
static void
test_established_partial_ack_gives_back_acked_part(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    static uint8_t buf[3000];
    zc_pattern(buf, sizeof buf, 0);
    size_t q = 0;
    assert_int_equal(tcp_send_zerocopy(f.a, buf, sizeof buf, &q), TCP_OK);
    while (f.a->bytes_acked == 0)                      /* until the first ACK: B ACKs each */
        assert_true(world_step(f.w));                  /* segment (no delayed ACK) */
    uint64_t done = tcp_zerocopy_done(f.a);
    assert_true(done > 0 && done < sizeof buf);
    assert_int_equal(done, f.a->bytes_acked);
    assert_ptr_equal(f.a->zc_head->data, buf + done); /* the rest is still lent */
    fx_run_ms(&f, 20);
    assert_int_equal(tcp_zerocopy_done(f.a), sizeof buf);
    zc_read_check(&f, 0, sizeof buf);
    fx_fini(&f);
}

/* The first segment is held back on the wire and overtaken by its retransmission, which is
   ACKed: the connection gives the memory back, the held segment has copied it first, and the
   user's writing over it does not change what arrives. */
static void
test_established_zerocopy_segment_overtaken_keeps_payload(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    uint8_t buf[6];
    memcpy(buf, "first!", 6);
    size_t q;
    assert_int_equal(tcp_send_zerocopy(f.a, buf, 6, &q), TCP_OK);
    uint64_t id = zc_last_sent(&f)->id;
    assert_int_equal(wire_delay_id(f.w, id, CLK_SEC(2)), 0);
    fx_run_ms(&f, 1500);                               /* resent, delivered, ACKed */
    assert_int_equal(tcp_zerocopy_done(f.a), 6);
    struct wire_pkt *p = wire_find(f.w, id);
    assert_non_null(p);
    assert_null(p->lender);                            /* its own copy */
    memcpy(buf, "XXXXXX", 6);
    assert_memory_equal(p->seg.data, "first!", 6);
    fx_run_ms(&f, 2000);
    char got[16];
    size_t g = 0;
    assert_int_equal(tcp_receive(f.b, got, sizeof got, &g), TCP_OK);
    assert_int_equal(g, 6);
    assert_memory_equal(got, "first!", 6);
    fx_fini(&f);
}

/* Copying and zero-copy sends of odd sizes, from memory that is contiguous (one extent) or
   not (segments then span the ring and extents, and are sent from a copy): the stream
   arrives as sent, and every zero-copy octet is given back once all is ACKed. */
static void
test_established_zerocopy_mixed_with_copying_sends_stream_intact(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    static uint8_t a[8000], b[3000];
    size_t q, at = 0;
    zc_pattern(a, 5000, 0);
    assert_int_equal(tcp_send_zerocopy(f.a, a, 2000, &q), TCP_OK);
    assert_int_equal(tcp_send_zerocopy(f.a, a + 2000, 3000, &q), TCP_OK);
    assert_ptr_equal(f.a->zc_head, f.a->zc_tail);      /* contiguous: one extent */
    assert_int_equal(f.a->zc_head->len, 5000);
    at = 5000;
    zc_pattern(b, 700, at);
    assert_int_equal(tcp_send(f.a, b, 700, &q), TCP_OK); /* copied, between extents */
    at += 700;
    zc_pattern(b + 1000, 900, at);
    assert_int_equal(tcp_send_zerocopy(f.a, b + 1000, 900, &q), TCP_OK);
    at += 900;
    zc_pattern(a + 6000, 1500, at);                    /* elsewhere in memory: a new extent */
    assert_int_equal(tcp_send_zerocopy(f.a, a + 6000, 1500, &q), TCP_OK);
    at += 1500;
    assert_ptr_not_equal(f.a->zc_head, f.a->zc_tail);
    uint64_t zc_total = 5000 + 900 + 1500;
    fx_run_ms(&f, 30);
    assert_int_equal(f.a->sndq.len, 0);
    assert_int_equal(tcp_zerocopy_done(f.a), zc_total);
    assert_null(f.a->zc_head);
    assert_null(f.a->zc_tail);
    zc_read_check(&f, 0, at);
    fx_fini(&f);
}

/* ABORT deletes the TCB: all the memory goes back at once; the segment in flight copied it. */
static void
test_established_abort_gives_back_zerocopy_memory(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    uint8_t buf[7];
    memcpy(buf, "bye now", 7);
    size_t q;
    assert_int_equal(tcp_send_zerocopy(f.a, buf, 7, &q), TCP_OK);
    uint64_t id = zc_last_sent(&f)->id;
    assert_int_equal(tcp_abort(f.a), TCP_OK);
    assert_int_equal(tcp_zerocopy_done(f.a), 7);
    assert_null(f.a->zc_head);
    memset(buf, 0, sizeof buf);
    struct wire_pkt *p = wire_find(f.w, id);
    assert_non_null(p);
    assert_memory_equal(p->seg.data, "bye now", 7);
    fx_run_ms(&f, 10);
    assert_int_equal(f.b->bytes_received, 7);
    fx_fini(&f);
}

/* After CLOSE, SEND is "connection closing" (§3.10.2): nothing is queued or lent. */
static void
test_fin_wait_1_send_zerocopy_fails_connection_closing(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_fin_wait_1(&f);
    uint8_t buf[4] = "late";
    size_t q = 99;
    assert_int_equal(tcp_send_zerocopy(f.a, buf, sizeof buf, &q), TCP_EPIPE);
    assert_int_equal(q, 0);
    assert_null(f.a->zc_head);
    fx_fini(&f);
}

/* A full send buffer takes nothing: ENOBUFS, as for a copying send. */
static void
test_established_send_zerocopy_full_buffer_enobufs(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    size_t room = tcp_writable(f.a);
    uint8_t *big = calloc(1, room + 10);
    assert_non_null(big);
    size_t q = 0;
    assert_int_equal(tcp_send_zerocopy(f.a, big, room + 10, &q), TCP_OK);
    assert_int_equal(q, room);
    assert_int_equal(tcp_send_zerocopy(f.a, big + room, 10, &q), TCP_ENOBUFS);
    assert_int_equal(q, 0);
    assert_int_equal(f.a->zc_head->len, room);
    tcp_abort(f.a);                                    /* gives 'big' back before it is freed */
    assert_int_equal(tcp_zerocopy_done(f.a), room);
    free(big);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_send_zerocopy_lends_user_memory_until_acked),
        cmocka_unit_test(test_established_partial_ack_gives_back_acked_part),
        cmocka_unit_test(test_established_zerocopy_segment_overtaken_keeps_payload),
        cmocka_unit_test(test_established_zerocopy_mixed_with_copying_sends_stream_intact),
        cmocka_unit_test(test_established_abort_gives_back_zerocopy_memory),
        cmocka_unit_test(test_fin_wait_1_send_zerocopy_fails_connection_closing),
        cmocka_unit_test(test_established_send_zerocopy_full_buffer_enobufs),
    };
    return cmocka_run_group_tests_name("zero-copy send", tests, NULL, NULL);
}
