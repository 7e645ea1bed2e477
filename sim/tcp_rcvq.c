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
 * Each kept segment records where its octets start in the stream of octets ever queued
 * (kept_at); rcv_taken counts the octets the user has taken, so the queue's first octet is
 * at rcv_taken, and a kept segment is done with once rcv_taken passes its end.
 */
#include <string.h>

#include "tcp_internal.h"

void
tcp_rcvq_put(struct tcp_conn *c, const struct tcp_seg *seg)
{
    struct wire_pkt *p = wire_keep(tcp_world(c), seg);
    if (!p) {
        (void)tcp_ring_push(&c->rcvq, seg->data, seg->len);
        return;
    }
    p->kept_at = c->rcv_taken + c->rcvq.len;
    p->next = NULL;
    if (c->kept_tail)
        c->kept_tail->next = p;
    else
        c->kept_head = p;
    c->kept_tail = p;
    c->rcvq.len += seg->len; /* the gap the segment's octets stand for */
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

void
tcp_rcvq_take(struct tcp_conn *c, uint8_t *buf, uint32_t n)
{
    uint64_t at = c->rcv_taken;
    const struct wire_pkt *p = c->kept_head;
    for (uint32_t done = 0; buf && done < n;) {
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
    tcp_ring_drop(&c->rcvq, n);
    c->rcv_taken += n;
    tcp_rcvq_release_until(c, c->rcv_taken); /* those the user has taken all of */
}

void
tcp_rcvq_release(struct tcp_conn *c)
{
    tcp_rcvq_release_until(c, UINT64_MAX);
}
