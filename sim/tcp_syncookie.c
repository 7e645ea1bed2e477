/*
 * tcp_syncookie.c - SYN cookies, RFC 4987 §3.6: the answer to a SYN flood that keeps no state.
 *
 * A listener whose SYN queue is full (tcp_input_listen) can still answer a SYN: it chooses
 * the SYN,ACK's ISS so that the ISS itself remembers the connection, and forgets it. A
 * client that really sent the SYN answers with SEG.ACK = ISS + 1, and from that ACK alone
 * the listener checks the cookie and builds the connection; a spoofed SYN's SYN,ACK goes to
 * nobody and costs nothing. The layout is Linux's (net/ipv4/syncookies.c, 6.18):
 *
 *   cookie = H1(pair) + SEQ_peer + (count << 24) + ((H2(pair, count) + mssind) mod 2^24)
 *
 * pair: the two addresses and ports; SEQ_peer: the client's ISN (SEG.SEQ of its SYN, which its
 * ACK carries as SEG.SEQ - 1); count: a clock that ticks once a minute (RFC 4987's "slowly
 * incrementing" t); mssind: which of four MSS values the client may use, the only option kept
 * (the SYN,ACK still announces ours). A cookie is valid while count has moved on by less than
 * two (60 to 120 s), and only for a listener that sent one in the last two minutes (Linux
 * tcp_synq_no_recent_overflow); any other ACK gets LISTEN's reset.
 *
 * H1 and H2 are a keyed mix of the pair with two per-host secrets from the world's PRNG (Linux
 * keys SipHash; a simulator only needs the two ends to agree). The secrets are drawn at a host's
 * first cookie, so a run that never needs one draws nothing more from the PRNG.
 */
#include "tcp_internal.h"

#define TCP_COOKIE_BITS 24
#define TCP_COOKIE_MASK ((1u << TCP_COOKIE_BITS) - 1u)
#define TCP_COOKIE_PERIOD CLK_SEC(60) /* Linux TCP_SYNCOOKIE_PERIOD */
#define TCP_COOKIE_MAX_AGE 2          /* Linux MAX_SYNCOOKIE_AGE: periods */

/* The MSS a cookie can remember (Linux msstab): the largest not above the client's option,
   536 when it sent none or less. A 6.18 kernel read TCP_MAXSEG 536 after an MSS option of
   1000 (tests/linux/listen-syncookie-mss.pkt). */
static const uint16_t tcp_cookie_msstab[] = {536, 1300, 1440, 1460};
#define TCP_COOKIE_NMSS (sizeof tcp_cookie_msstab / sizeof tcp_cookie_msstab[0])

/* SplitMix64's finalizer: every input bit reaches every output bit. */
static uint64_t
tcp_cookie_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* The keyed hash of a segment's socket pair (client first, as on the SYN and its ACK). */
static uint32_t
tcp_cookie_hash(uint64_t key, const struct tcp_seg *s, uint32_t count)
{
    uint64_t x = tcp_cookie_mix(key ^ ((uint64_t)s->saddr << 32 | s->daddr));
    x = tcp_cookie_mix(x ^ ((uint64_t)s->sport << 48 | (uint64_t)s->dport << 32 | count));
    return (uint32_t)(x >> 32);
}

static uint32_t
tcp_cookie_count(const struct tcp_host *h)
{
    return (uint32_t)(h->world->clk.now / TCP_COOKIE_PERIOD);
}

uint32_t
tcp_syncookie_make(struct tcp_conn *l, const struct tcp_seg *syn, uint32_t *mss)
{
    struct tcp_host *h = l->host;
    if (!h->cookie_keyed) {
        h->cookie_secret[0] = rng_u64(&h->world->rng);
        h->cookie_secret[1] = rng_u64(&h->world->rng);
        h->cookie_keyed = true;
    }
    uint32_t peer = syn->mss ? syn->mss : 536u;
    uint32_t ind = TCP_COOKIE_NMSS - 1;
    while (ind > 0 && peer < tcp_cookie_msstab[ind])
        ind--;
    *mss = tcp_cookie_msstab[ind];
    uint32_t count = tcp_cookie_count(h);
    l->cookie_sent = true;
    l->cookie_last = tcp_now(l);
    return tcp_cookie_hash(h->cookie_secret[0], syn, 0) + syn->seq + (count << TCP_COOKIE_BITS)
           + ((tcp_cookie_hash(h->cookie_secret[1], syn, count) + ind) & TCP_COOKIE_MASK);
}

bool
tcp_syncookie_check(const struct tcp_conn *l, const struct tcp_seg *ack, uint32_t *mss)
{
    const struct tcp_host *h = l->host;
    if (!l->cookie_sent || tcp_now(l) - l->cookie_last > TCP_COOKIE_MAX_AGE * TCP_COOKIE_PERIOD)
        return false;
    uint32_t seq = ack->seq - 1; /* the client's ISN */
    uint32_t cookie = ack->ack - 1;
    cookie -= tcp_cookie_hash(h->cookie_secret[0], ack, 0) + seq;
    /* the minute it was made, and how long ago that is (the counter wraps at 8 bits) */
    uint32_t count = tcp_cookie_count(h);
    uint32_t age = (count - (cookie >> TCP_COOKIE_BITS)) & (UINT32_MAX >> TCP_COOKIE_BITS);
    if (age >= TCP_COOKIE_MAX_AGE)
        return false;
    uint32_t ind = (cookie - tcp_cookie_hash(h->cookie_secret[1], ack, count - age)) & TCP_COOKIE_MASK;
    if (ind >= TCP_COOKIE_NMSS)
        return false;
    *mss = tcp_cookie_msstab[ind];
    return true;
}
