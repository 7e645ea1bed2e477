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

/* A listener's raddr and rport are 0: it is filed under (lport, 0, 0) by the same key. */
static inline uint32_t
tcp_conn_key(const struct tcp_conn *c)
{
    return tcp_hash_key(c->lport, c->raddr, c->rport);
}

/* Append 'c' at the end of its bucket in 'b' (a rehash keeps each bucket's order). */
static void
tcp_hash_append(struct tcp_conn **b, uint32_t mask, struct tcp_conn *c, uint32_t key)
{
    struct tcp_conn **pp = &b[key & mask];
    while (*pp)
        pp = &(*pp)->hash_next;
    c->hash_next = NULL;
    *pp = c;
}

static int
tcp_hash_grow(struct tcp_host *h)
{
    uint32_t n = h->hash ? (h->hash_mask + 1) * 2 : TCP_HASH_MIN;
    struct tcp_conn **b = calloc(n, sizeof *b);
    if (!b)
        return -1;
    if (h->hash) {
        for (uint32_t i = 0; i <= h->hash_mask; i++) {
            struct tcp_conn *c = h->hash[i];
            while (c) {
                struct tcp_conn *next = c->hash_next;
                tcp_hash_append(b, n - 1, c, tcp_conn_key(c));
                c = next;
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
    struct tcp_conn **b = &h->hash[tcp_conn_key(c) & h->hash_mask];
    c->hash_next = *b;
    *b = c;
    h->hash_count++;
    h->ports[c->lport].users++;
    if (c->bound)
        h->ports[c->lport].bound++;
}

void
tcp_hash_remove(struct tcp_conn *c)
{
    struct tcp_host *h = c->host;
    struct tcp_conn **pp = &h->hash[tcp_conn_key(c) & h->hash_mask];
    while (*pp && *pp != c)
        pp = &(*pp)->hash_next;
    assert(*pp == c);
    *pp = c->hash_next;
    c->hash_next = NULL;
    h->hash_count--;
    if (h->demux_last == c)
        h->demux_last = NULL;
    h->ports[c->lport].users--;
    if (c->bound)
        h->ports[c->lport].bound--;
    h->port_releases++;
}

struct tcp_conn *
tcp_hash_pair(const struct tcp_host *h, uint16_t lport, uint32_t raddr, uint16_t rport, bool skip_aside)
{
    for (struct tcp_conn *c = h->hash[tcp_hash_key(lport, raddr, rport) & h->hash_mask]; c; c = c->hash_next) {
        if (c->lport != lport || c->raddr != raddr || c->rport != rport || c->state == TCP_LISTEN)
            continue;
        if (skip_aside && c->tw_new)
            continue; /* a TIME-WAIT set aside while a new incarnation has the pair */
        return c;
    }
    return NULL;
}

struct tcp_conn *
tcp_hash_listener(const struct tcp_host *h, uint16_t lport)
{
    for (struct tcp_conn *c = h->hash[tcp_hash_key(lport, 0, 0) & h->hash_mask]; c; c = c->hash_next)
        if (c->lport == lport && c->raddr == 0 && c->state == TCP_LISTEN)
            return c;
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
