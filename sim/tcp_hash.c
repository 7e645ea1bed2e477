/*
 * tcp_hash.c - finding a host's connections: by socket pair for an arriving segment (RFC 9293
 * §3.10.7: "find the TCB"), by local port for a listener, and the use of each local port for
 * bind() and connect()'s ephemeral port (Linux inet_hash_connect, ip_local_port_range).
 *
 * Linux keeps an established hash (the four-tuple), a listening hash (the local port) and a
 * bind hash (the port's users). A segment's cost, a connect()'s cost, must not depend on how
 * many connections the host has: 30,000 TIME-WAITs must not slow down the one live transfer.
 * Here one chained table holds the live connections under (lport, raddr, rport), a listener
 * under (lport, 0, 0) (no segment comes from address 0), and an array of 65,536 entries counts
 * each local port's users.
 *
 * Within a bucket the newest connection comes first, as on the host's list (h->conns), so a
 * TIME-WAIT set aside under its new incarnation (tcp_time_wait_reopen) is found after it.
 * Both hold struct tcp_link: a TCB, or a TIME-WAIT in its small form (tcp_tw.c), which takes
 * its TCB's place, and gives it back, without moving (tcp_hash_swap).
 */
#include <assert.h>
#include <stdlib.h>

#include "tcp_internal.h"

#define TCP_HASH_MIN 64u

static inline uint32_t
tcp_hash_key(uint16_t lport, uint32_t raddr, uint16_t rport)
{
    /* Fibonacci hashing of the pair, folded: no secret is needed, the peer is simulated. */
    uint64_t x = ((uint64_t)raddr << 32) | ((uint32_t)lport << 16) | rport;
    x *= 0x9E3779B97F4A7C15ull;
    return (uint32_t)(x >> 32);
}

/* The key a TCB or a small TIME-WAIT is filed under. A listener's raddr and rport are 0: it is
   filed under (lport, 0, 0) by the same key. */
static inline uint32_t
tcp_link_key(const struct tcp_link *l)
{
    if (l->tw) {
        const struct tcp_tw *tw = tcp_link_tw_const(l);
        return tcp_hash_key(tw->lport, tw->raddr, tw->rport);
    }
    const struct tcp_conn *c = tcp_link_conn_const(l);
    return tcp_hash_key(c->lport, c->raddr, c->rport);
}

/* Append 'l' at the end of its bucket in 'b' (a rehash keeps each bucket's order). */
static void
tcp_hash_append(struct tcp_link **b, uint32_t mask, struct tcp_link *l, uint32_t key)
{
    struct tcp_link **pp = &b[key & mask];
    while (*pp)
        pp = &(*pp)->hash_next;
    l->hash_next = NULL;
    *pp = l;
}

static int
tcp_hash_grow(struct tcp_host *h)
{
    uint32_t n = h->hash ? (h->hash_mask + 1) * 2 : TCP_HASH_MIN;
    struct tcp_link **b = calloc(n, sizeof *b);
    if (!b)
        return -1;
    if (h->hash) {
        for (uint32_t i = 0; i <= h->hash_mask; i++) {
            struct tcp_link *l = h->hash[i];
            while (l) {
                struct tcp_link *next = l->hash_next;
                tcp_hash_append(b, n - 1, l, tcp_link_key(l));
                l = next;
            }
        }
        free(h->hash);
    }
    h->hash = b;
    h->hash_mask = n - 1;
    return 0;
}

int
tcp_hash_init(struct tcp_host *h)
{
    h->ports = calloc(65536, sizeof *h->ports); /* untouched pages of zeros cost no memory */
    if (!h->ports || tcp_hash_grow(h) != 0) {
        tcp_hash_free(h);
        return -1;
    }
    return 0;
}

void
tcp_hash_insert(struct tcp_conn *c)
{
    struct tcp_host *h = c->host;
    if (h->hash_count > h->hash_mask)
        (void)tcp_hash_grow(h); /* a table that cannot grow still works, with longer chains */
    struct tcp_link **b = &h->hash[tcp_link_key(&c->link) & h->hash_mask];
    c->link.hash_next = *b;
    *b = &c->link;
    h->hash_count++;
    h->ports[c->lport].users++;
    if (c->bound)
        h->ports[c->lport].bound++;
}

/* Where the table points at 'l': its bucket's head or its predecessor's hash_next. */
static struct tcp_link **
tcp_hash_at(const struct tcp_host *h, const struct tcp_link *l)
{
    struct tcp_link **pp = &h->hash[tcp_link_key(l) & h->hash_mask];
    while (*pp && *pp != l)
        pp = &(*pp)->hash_next;
    assert(*pp == l);
    return pp;
}

void
tcp_hash_remove(struct tcp_conn *c)
{
    struct tcp_host *h = c->host;
    struct tcp_link **pp = tcp_hash_at(h, &c->link);
    *pp = c->link.hash_next;
    c->link.hash_next = NULL;
    h->hash_count--;
    if (h->demux_last == c)
        h->demux_last = NULL;
    h->ports[c->lport].users--;
    if (c->bound)
        h->ports[c->lport].bound--;
    h->port_releases++;
}

void
tcp_hash_swap(struct tcp_host *h, struct tcp_link *from, struct tcp_link *to)
{
    *tcp_hash_at(h, from) = to; /* the same socket pair: the same bucket, the same place */
    to->hash_next = from->hash_next;
    to->next = from->next;
    to->prev = from->prev;
    if (from->prev)
        from->prev->next = to;
    else
        h->conns = to;
    if (from->next)
        from->next->prev = to;
    from->next = from->prev = from->hash_next = NULL;
}

struct tcp_link *
tcp_hash_find(const struct tcp_host *h, uint16_t lport, uint32_t raddr, uint16_t rport, bool skip_aside)
{
    for (struct tcp_link *l = h->hash[tcp_hash_key(lport, raddr, rport) & h->hash_mask]; l; l = l->hash_next) {
        if (l->tw) { /* never a listener, never set aside (tcp_tw_ready) */
            const struct tcp_tw *tw = tcp_link_tw_const(l);
            if (tw->lport == lport && tw->raddr == raddr && tw->rport == rport)
                return l;
            continue;
        }
        const struct tcp_conn *c = tcp_link_conn_const(l);
        if (c->lport != lport || c->raddr != raddr || c->rport != rport || c->state == TCP_LISTEN)
            continue;
        if (skip_aside && c->tw_new)
            continue; /* a TIME-WAIT set aside while a new incarnation has the pair */
        return l;
    }
    return NULL;
}

struct tcp_conn *
tcp_hash_pair(struct tcp_host *h, uint16_t lport, uint32_t raddr, uint16_t rport, bool skip_aside)
{
    struct tcp_link *l = tcp_hash_find(h, lport, raddr, rport, skip_aside);
    return l ? tcp_link_open(l) : NULL;
}

struct tcp_conn *
tcp_hash_listener(const struct tcp_host *h, uint16_t lport)
{
    for (struct tcp_link *l = h->hash[tcp_hash_key(lport, 0, 0) & h->hash_mask]; l; l = l->hash_next) {
        if (l->tw)
            continue;
        struct tcp_conn *c = tcp_link_conn(l);
        if (c->lport == lport && c->raddr == 0 && c->state == TCP_LISTEN)
            return c;
    }
    return NULL;
}

void
tcp_hash_free(struct tcp_host *h)
{
    free(h->hash);
    free(h->ports);
    h->hash = NULL;
    h->ports = NULL;
    h->hash_mask = h->hash_count = 0;
}
