/*
 * tcp_sndq.c - the send queue: the octets from SND.UNA on, first those sent and not yet
 * acknowledged, then those not yet sent (RFC 9293 §3.10.2 SEND queues them; §3.10.7.4 fifth
 * removes them: "Any segments on the retransmission queue that are thereby entirely
 * acknowledged are removed").
 *
 * The queue is a byte ring (sndq), into which SEND copies the user's octets. A zero-copy SEND
 * (tcp_send_zerocopy, like Linux's MSG_ZEROCOPY) does not copy them: the queue records where
 * they lie in the user's memory (a tcp_zc extent), counts them in sndq.len and leaves a gap of
 * that size in the ring, as the receive queue does for the segments it keeps (tcp_rcvq.c).
 * Data segments point into either place (tcp_sndq_span) and the wire lends them on, so octets
 * sent this way are not copied at all between the sender's memory and the receiver's read.
 *
 * The user must leave that memory as it is until the connection says it is done with it
 * (tcp_zerocopy_done): when its octets are acknowledged, after every segment in flight that
 * still points at them has taken its own copy (wire_recall), or when the TCB is deleted.
 *
 * Positions: bytes_acked octets have left the queue since the connection began, so the
 * queue's first octet is octet number bytes_acked of the stream, and an extent records the
 * stream number of its first octet (at).
 */
#include <stdlib.h>
#include <string.h>

#include "tcp_internal.h"

uint32_t
tcp_sndq_push_zerocopy(struct tcp_conn *c, const uint8_t *data, uint32_t len)
{
    struct tcp_ring *r = &c->sndq;
    if (len > r->cap - r->len)
        len = r->cap - r->len;
    if (len == 0)
        return 0;
    uint64_t at = c->bytes_acked + r->len;
    struct tcp_zc *t = c->zc_tail;
    if (t && t->at + t->len == at && t->data + t->len == data) {
        /* the octets just after the last zero-copy send's, in memory and in the stream:
           one extent covers both, so a segment can span them without a copy */
        t->len += len;
    } else {
        struct tcp_zc *z = malloc(sizeof *z);
        if (!z)
            return 0;
        z->next = NULL;
        z->at = at;
        z->len = len;
        z->data = data;
        if (t)
            t->next = z;
        else
            c->zc_head = z;
        c->zc_tail = z;
    }
    r->len += len; /* the gap the user's octets stand for */
    return len;
}

/* The extent holding the first octet at or after stream position 'at', or NULL. */
static const struct tcp_zc *
tcp_sndq_extent(const struct tcp_conn *c, uint64_t at)
{
    const struct tcp_zc *z = c->zc_head;
    while (z && z->at + z->len <= at)
        z = z->next;
    return z;
}

/* Inlined into tcp_output (with -flto): every data segment asks, and the call with its saved
   registers cost a fifth of the answer. An inline function with external linkage may use no
   identifier with internal linkage (C11 6.7.4p3, see wire_keep), so it walks the extents
   itself, as tcp_sndq_extent does. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
inline const uint8_t *
tcp_sndq_span(const struct tcp_conn *c, uint32_t off, uint32_t len)
{
    uint64_t at = c->bytes_acked + off;
    const struct tcp_zc *z = c->zc_head;
    /* All in the first extent: a zero-copy transfer sends from the front of what the user
       lent (the ACKed front is dropped), so nearly every segment. Tested first, as the walk
       below would end (the first extent holds octet 'at', len > 0) and then answer: 6
       instructions a data segment less than the walk and its two tests. */
    if (z && z->at <= at && at + len <= z->at + z->len && len > 0)
        return z->data + (at - z->at);
    while (z && z->at + z->len <= at)
        z = z->next;
    if (!z || z->at >= at + len)
        return tcp_ring_span(&c->sndq, off, len); /* all in the ring */
    if (z->at <= at && at + len <= z->at + z->len)
        return z->data + (at - z->at); /* all in one extent */
    return NULL; /* partly in the ring, or in two extents */
}

void
tcp_sndq_peek(const struct tcp_conn *c, uint32_t off, uint8_t *out, uint32_t len)
{
    uint64_t at = c->bytes_acked + off;
    const struct tcp_zc *z = tcp_sndq_extent(c, at);
    for (uint32_t done = 0; done < len;) {
        uint32_t k = len - done;
        if (z && z->at <= at) {
            /* inside an extent: copy from the user's memory */
            uint32_t in = (uint32_t)(at - z->at);
            if (k > z->len - in)
                k = z->len - in;
            memcpy(out + done, z->data + in, k);
            if (in + k == z->len)
                z = z->next;
        } else {
            /* ring octets, up to the next extent */
            if (z && z->at - at < k)
                k = (uint32_t)(z->at - at);
            tcp_ring_peek(&c->sndq, off + done, out + done, k);
        }
        done += k;
        at += k;
    }
}

/* Inlined into the ACK's processing (with -flto, always_inline as tcp_sndq_span): every ACK
   of new data drops what it acknowledged. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
inline void
tcp_sndq_drop(struct tcp_conn *c, uint32_t n)
{
    tcp_ring_drop(&c->sndq, n);
    c->bytes_acked += n;
    /* the acknowledged front of the extents goes back to the user */
    while (c->zc_head && c->zc_head->at < c->bytes_acked) {
        struct tcp_zc *z = c->zc_head;
        uint64_t k = c->bytes_acked - z->at;
        if (k < z->len) {
            z->at += k;
            z->data += k;
            z->len -= (uint32_t)k;
            c->zc_done += k;
            break;
        }
        c->zc_done += z->len;
        c->zc_head = z->next;
        free(z);
    }
    if (!c->zc_head)
        c->zc_tail = NULL;
}

void
tcp_sndq_release(struct tcp_conn *c)
{
    while (c->zc_head) {
        struct tcp_zc *z = c->zc_head;
        c->zc_head = z->next;
        c->zc_done += z->len;
        free(z);
    }
    c->zc_tail = NULL;
}
