/*
 * seg.h - a TCP segment as the engine sees it (RFC 9293 §3.1), and sequence arithmetic (§3.4).
 *
 * Only the fields the state machine reads are kept; the capture writer builds real IPv4 and
 * TCP headers from them. Payload is borrowed: 'data' points into the segment's owner (the
 * wire while in flight), never copied per hop.
 */
#ifndef TCPSIM_SEG_H
#define TCPSIM_SEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Control bits, with their values in the TCP header (RFC 9293 §3.1). */
enum {
    TCP_FIN = 0x01,
    TCP_SYN = 0x02,
    TCP_RST = 0x04,
    TCP_PSH = 0x08,
    TCP_ACK = 0x10,
    TCP_URG = 0x20,
};

struct tcp_seg {
    uint32_t saddr, daddr; /* IPv4 addresses, host byte order */
    uint16_t sport, dport;
    uint32_t seq;          /* SEG.SEQ */
    uint32_t ack;          /* SEG.ACK (meaningful when TCP_ACK is set) */
    uint8_t flags;         /* TCP_SYN | TCP_ACK ... */
    uint16_t wnd;          /* SEG.WND */
    uint16_t up;           /* SEG.UP */
    uint16_t mss;          /* MSS option carried on a SYN; 0 = none */
    uint32_t len;          /* payload octets, not counting SYN or FIN */
    const uint8_t *data;   /* payload, borrowed */
};

/* SEG.LEN: payload plus one for SYN and one for FIN (RFC 9293 §3.4). */
static inline uint32_t
tcp_seg_len(const struct tcp_seg *s)
{
    return s->len + ((s->flags & TCP_SYN) ? 1u : 0u) + ((s->flags & TCP_FIN) ? 1u : 0u);
}

/*
 * Sequence comparisons modulo 2^32 (RFC 9293 §3.4): every comparison of sequence numbers in
 * tcpsim goes through these, so a connection works across the wrap.
 */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }
/* lo <= x < hi, in sequence space */
static inline bool seq_in(uint32_t x, uint32_t lo, uint32_t hi) { return seq_le(lo, x) && seq_lt(x, hi); }

/* "SYN,ACK": the set bits in RFC order (SYN, FIN, RST, PSH, ACK, URG); "" for none. */
const char *tcp_flags_str(uint8_t flags, char *buf, size_t cap);
/* Parse "SYN,ACK", "syn+ack", "SA" (tcpdump letters) or "S."; 0 on success, -1 on bad input. */
int tcp_flags_parse(const char *text, uint8_t *out);

#endif
