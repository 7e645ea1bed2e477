/*
 * tcp_ring.c - the byte rings behind the send and receive buffers, and the pool their memory
 * comes from.
 *
 * A ring gets its size when the connection is made (tcp_conn_buffers) but its memory only when
 * the first octet is pushed into it: an idle connection, a C10K server's 10,000 clients waiting
 * for a request, holds no buffer at all (Linux too allocates socket memory as data arrives, not
 * per socket). Memory a deleted connection gives back waits in its world's pool for the next
 * ring of the same size, instead of one malloc and free (for 128 KB, an mmap and munmap) per
 * connection.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_internal.h"

/* Free buffers the pool keeps at most, all sizes together: a run that had 10,000 busy
   connections does not keep their memory after they are gone. */
#define TCP_POOL_MAX_BYTES (16u << 20)

/* A free buffer is linked through its own first bytes. */
struct tcp_pool_free {
    struct tcp_pool_free *next;
};

static uint8_t *
tcp_pool_get(struct tcp_pool *p, uint32_t cap)
{
    for (int i = 0; i < TCP_POOL_SIZES; i++) {
        if (p->cls[i].cap == cap && p->cls[i].head) {
            struct tcp_pool_free *f = p->cls[i].head;
            p->cls[i].head = f->next;
            p->bytes -= cap;
            return (uint8_t *)f;
        }
    }
    return malloc(cap < sizeof(struct tcp_pool_free) ? sizeof(struct tcp_pool_free) : cap);
}

static void
tcp_pool_put(struct tcp_pool *p, uint8_t *buf, uint32_t cap)
{
    if (cap >= sizeof(struct tcp_pool_free) && p->bytes + cap <= TCP_POOL_MAX_BYTES) {
        int spare = -1;
        for (int i = 0; i < TCP_POOL_SIZES; i++) {
            if (p->cls[i].cap == cap) {
                spare = i;
                break;
            }
            if (spare < 0 && !p->cls[i].head)
                spare = i; /* an empty class takes the new size */
        }
        if (spare >= 0) {
            struct tcp_pool_free *f = (struct tcp_pool_free *)(void *)buf;
            p->cls[spare].cap = cap;
            f->next = p->cls[spare].head;
            p->cls[spare].head = f;
            p->bytes += cap;
            return;
        }
    }
    free(buf);
}

void
tcp_pool_fini(struct tcp_pool *p)
{
    for (int i = 0; i < TCP_POOL_SIZES; i++) {
        while (p->cls[i].head) {
            struct tcp_pool_free *f = p->cls[i].head;
            p->cls[i].head = f->next;
            free(f);
        }
    }
    p->bytes = 0;
}

int
tcp_ring_alloc(struct tcp_ring *r, struct tcp_pool *pool, uint32_t cap)
{
    r->buf = NULL; /* taken from the pool at the first push */
    r->pool = pool;
    r->cap = cap;
    r->head = 0;
    r->len = 0;
    return 0;
}

/* Give 'r' its memory, before the first octet goes in. */
static int
tcp_ring_memory(struct tcp_ring *r)
{
    if (r->buf)
        return 0;
    r->buf = tcp_pool_get(r->pool, r->cap);
    return r->buf ? 0 : -1;
}

int
tcp_ring_resize(struct tcp_ring *r, uint32_t cap)
{
    assert(r->len <= cap);
    if (!r->buf) { /* nothing held yet: the memory, when it comes, has the new size */
        r->cap = cap;
        return 0;
    }
    uint8_t *buf = tcp_pool_get(r->pool, cap);
    if (!buf)
        return -1;
    tcp_ring_peek(r, 0, buf, r->len); /* offsets from the head stay as they were */
    tcp_pool_put(r->pool, r->buf, r->cap);
    r->buf = buf;
    r->cap = cap;
    r->head = 0;
    return 0;
}

void
tcp_ring_free(struct tcp_ring *r)
{
    if (r->buf)
        tcp_pool_put(r->pool, r->buf, r->cap);
    r->buf = NULL;
    r->cap = r->head = r->len = 0;
}

void
tcp_ring_release(struct tcp_ring *r)
{
    if (!r->buf || r->len > 0)
        return;
    tcp_pool_put(r->pool, r->buf, r->cap);
    r->buf = NULL;
    r->head = 0;
}

uint32_t
tcp_ring_space(const struct tcp_ring *r)
{
    return r->cap - r->len;
}

uint32_t
tcp_ring_push(struct tcp_ring *r, const uint8_t *data, uint32_t len)
{
    if (len > r->cap - r->len)
        len = r->cap - r->len;
    if (len == 0)
        return 0; /* 'data' may be NULL then, which memcpy does not allow even for 0 bytes */
    if (tcp_ring_memory(r) != 0)
        return 0; /* out of memory: nothing taken, as for a full buffer */
    uint32_t tail = r->head + r->len;
    if (tail >= r->cap)
        tail -= r->cap;
    uint32_t first = r->cap - tail < len ? r->cap - tail : len;
    memcpy(r->buf + tail, data, first);
    if (first < len)
        memcpy(r->buf, data + first, len - first); /* the rest wraps to the ring's start */
    r->len += len;
    return len;
}

void
tcp_ring_peek(const struct tcp_ring *r, uint32_t off, uint8_t *out, uint32_t len)
{
    assert(off + len <= r->len);
    if (len == 0)
        return;
    uint32_t start = r->head + off;
    if (start >= r->cap)
        start -= r->cap;
    uint32_t first = r->cap - start < len ? r->cap - start : len;
    memcpy(out, r->buf + start, first);
    if (first < len)
        memcpy(out + first, r->buf, len - first);
}

const uint8_t *
tcp_ring_span(const struct tcp_ring *r, uint32_t off, uint32_t len)
{
    if (!r->buf)
        return NULL; /* nothing held: no octets to point at */
    uint32_t start = r->head + off;
    if (start >= r->cap)
        start -= r->cap;
    return start + len <= r->cap ? r->buf + start : NULL;
}

void
tcp_ring_drop(struct tcp_ring *r, uint32_t len)
{
    assert(len <= r->len);
    if (len == r->len) {
        /* all of it (a reader that keeps up takes each segment whole): the ring starts
           again at its beginning, as below, without the arithmetic */
        r->head = r->len = 0;
        return;
    }
    r->head += len;
    if (r->head >= r->cap)
        r->head -= r->cap;
    r->len -= len;
}
