/*
 * tcp_rcvq.c - the receive queue: octets received in order that the user has not yet taken
 * (RFC 9293 §3.10.3 RECEIVE; §3.10.7.4 seventh: "deliver segment data to user RECEIVE
 * buffers").
 *
 * The queue is a byte ring (rcvq), but a full-sized in-order segment need not be copied into
 * it: the queue may keep the segment itself (wire_keep), count its octets in rcvq.len, and
 * leave a gap of that size in the ring. The octets are copied once, from the segment to the
 * user's buffer, when the user reads them, and not at all when the user throws them away
 * (tcp_receive with no buffer). The segment's payload usually still lies in the sender's send
 * queue; if the sender needs that memory back before the user reads (its octets acknowledged,
 * or the sender gone), the wire makes the segment copy it first (wire_recall), so a kept
 * segment's bytes are always valid.
 *
 * Out-of-order segments (tcp_ooo nodes, sorted by the caller, tcp_input.c) are kept the same
 * way when they can be, and handed to the queue as they are once the gap before them fills.
 *
 * Each kept segment records where its octets start in the stream of octets ever queued
 * (kept_at); rcv_taken counts the octets the user has taken, so the queue's first octet is
 * at rcv_taken, and a kept segment is done with once rcv_taken passes its end.
 */
#include <stdlib.h>
#include <string.h>

#include "tcp_internal.h"

/* Append the kept segment 'p' to the queue: all its octets, counted in rcvq.len, with a gap
   of that size left in the ring. */
static void
tcp_rcvq_append_kept(struct tcp_conn *c, struct wire_pkt *p)
{
    p->kept_at = c->rcv_taken + c->rcvq.len;
    p->next = NULL;
    if (c->kept_tail)
        c->kept_tail->next = p;
    else
        c->kept_head = p;
    c->kept_tail = p;
    c->rcvq.len += p->seg.len;
}

void
tcp_rcvq_put(struct tcp_conn *c, const struct tcp_seg *seg)
{
    struct wire_pkt *p = wire_keep(tcp_world(c), seg);
    if (p)
        tcp_rcvq_append_kept(c, p);
    else
        (void)tcp_ring_push(&c->rcvq, seg->data, seg->len);
}

uint32_t
tcp_rcvq_put_text(struct tcp_conn *c, const struct tcp_seg *seg, const uint8_t *data, uint32_t len)
{
    struct wire_pkt *p = NULL;
    if (data == seg->data && len == seg->len && len <= c->rcvq.cap - c->rcvq.len)
        p = wire_keep(tcp_world(c), seg);
    if (!p)
        return tcp_ring_push(&c->rcvq, data, len);
    tcp_rcvq_append_kept(c, p);
    return len;
}

/* ---- out-of-order segments --------------------------------------------------------------- */

struct tcp_ooo *
tcp_ooo_new(struct tcp_conn *c, const struct tcp_seg *seg, const uint8_t *data, uint32_t len)
{
    /* A held segment is kept like an in-order one: the reassembly that follows a loss then
       moves segments, not octets. */
    struct wire_pkt *p = len >= WIRE_KEEP_MIN ? wire_keep(tcp_world(c), seg) : NULL;
    struct tcp_ooo *o;
    if (p && c->ooo_spare) {
        /* a loss holds dozens of segments at once, then frees them at once: their nodes
           are reused rather than given back to malloc each time */
        o = c->ooo_spare;
        c->ooo_spare = o->next;
    } else {
        o = malloc(sizeof *o + (p ? 0 : len));
    }
    if (!o) {
        if (p)
            wire_release(tcp_world(c), p);
        return NULL;
    }
    o->next = NULL;
    o->len = len;
    o->fin = false;
    o->kept = p;
    o->off = p ? (uint32_t)(data - seg->data) : 0;
    o->copy = !p;
    if (!p && len)
        memcpy(o->data, data, len);
    return o;
}

uint32_t
tcp_rcvq_put_ooo(struct tcp_conn *c, struct tcp_ooo *o, uint32_t skip)
{
    struct wire_pkt *p = o->kept;
    if (p && skip == 0 && o->off == 0 && o->len == p->seg.len && o->len <= c->rcvq.cap - c->rcvq.len) {
        o->kept = NULL; /* the queue has it now */
        tcp_rcvq_append_kept(c, p);
        return o->len;
    }
    /* Part of it is old, or it was trimmed, or it does not fit: copy what fits. The kept
       payload is read where it lies now (a recall may have moved it into the packet). */
    const uint8_t *text = p ? p->seg.data + o->off : o->data;
    return tcp_ring_push(&c->rcvq, text + skip, o->len - skip);
}

void
tcp_ooo_free(struct tcp_conn *c, struct tcp_ooo *o)
{
    if (o->kept)
        wire_release(tcp_world(c), o->kept);
    if (o->copy) {
        free(o);
        return;
    }
    o->next = c->ooo_spare;
    c->ooo_spare = o;
}

/* Give back the kept segments that end at or before stream position 'end'. */
static inline void
tcp_rcvq_release_until(struct tcp_conn *c, uint64_t end)
{
    struct world *w = tcp_world(c);
    while (c->kept_head && c->kept_head->kept_at + c->kept_head->seg.len <= end) {
        struct wire_pkt *p = c->kept_head;
        c->kept_head = p->next;
        wire_release(w, p);
    }
    if (!c->kept_head)
        c->kept_tail = NULL;
}

/* Copy the first 'n' octets the user has not taken into 'buf': from the kept segments and the
   ring, in stream order. Out of line: a read that throws the octets away (MSG_TRUNC, a sink)
   does not pay for the loop's registers. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static void
tcp_rcvq_copy(const struct tcp_conn *c, uint8_t *buf, uint32_t n)
{
    uint64_t at = c->rcv_taken;
    const struct wire_pkt *p = c->kept_head;
    for (uint32_t done = 0; done < n;) {
        uint32_t k = n - done;
        if (p && p->kept_at <= at) {
            /* inside a kept segment: copy from it */
            uint32_t in = (uint32_t)(at - p->kept_at);
            if (k > p->seg.len - in)
                k = p->seg.len - in;
            memcpy(buf + done, p->seg.data + in, k);
            if (in + k == p->seg.len)
                p = p->next;
        } else {
            /* ring octets, up to the next kept segment */
            if (p && p->kept_at - at < k)
                k = (uint32_t)(p->kept_at - at);
            tcp_ring_peek(&c->rcvq, done, buf + done, k);
        }
        done += k;
        at += k;
    }
}

void
tcp_rcvq_take(struct tcp_conn *c, uint8_t *buf, uint32_t n)
{
    if (buf)
        tcp_rcvq_copy(c, buf, n);
    tcp_ring_drop(&c->rcvq, n);
    c->rcv_taken += n;
    tcp_rcvq_release_until(c, c->rcv_taken); /* those the user has taken all of */
    if (c->fin_rcvd && c->rcvq.len == 0)
        tcp_ring_release(&c->rcvq); /* after the peer's FIN nothing more will come */
}

void
tcp_ooo_free_all(struct tcp_conn *c)
{
    while (c->ooo) {
        struct tcp_ooo *o = c->ooo;
        c->ooo = o->next;
        tcp_ooo_free(c, o);
    }
    c->ooo_last = NULL;
    c->ooo_bytes = 0;
    while (c->ooo_spare) {
        struct tcp_ooo *o = c->ooo_spare;
        c->ooo_spare = o->next;
        free(o);
    }
}

void
tcp_rcvq_release(struct tcp_conn *c)
{
    tcp_rcvq_release_until(c, UINT64_MAX);
    tcp_ooo_free_all(c);
}
