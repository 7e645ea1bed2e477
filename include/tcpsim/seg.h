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

/*
 * TCP options (RFC 9293 3.2; RFC 7323 window scale and timestamps; RFC 2018 SACK). A segment
 * keeps them parsed, as the state machine reads them; out_*.c and the capture writer lay them
 * out again in Linux's order (tcp_opt.c). 'opt.present' says which are there.
 */
enum {
    TCP_OPT_MSS = 0x01,     /* kind 2: maximum segment size (SYN only) */
    TCP_OPT_WSCALE = 0x02,  /* kind 3: window scale shift (SYN only), RFC 7323 2 */
    TCP_OPT_SACK_OK = 0x04, /* kind 4: SACK permitted (SYN only), RFC 2018 2 */
    TCP_OPT_SACK = 0x08,    /* kind 5: SACK blocks, RFC 2018 3 */
    TCP_OPT_TS = 0x10,      /* kind 8: timestamps, RFC 7323 3 */
};

#define TCP_SACK_MAX 4 /* blocks that fit in 40 octets of options (3 beside a timestamp) */

struct tcp_sack_block {
    uint32_t left, right; /* [left, right): the first octet and the one after the last */
};

struct tcp_opts {
    uint8_t present;      /* TCP_OPT_* */
    uint8_t wscale;       /* shift.cnt (TCP_OPT_WSCALE) */
    uint8_t nsack;        /* blocks in 'sack' (TCP_OPT_SACK) */
    uint32_t tsval, tsecr; /* TSval, TSecr (TCP_OPT_TS) */
    struct tcp_sack_block sack[TCP_SACK_MAX];
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
    struct tcp_opts opt;   /* the other options (TCP_OPT_MSS in opt.present mirrors mss != 0) */
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

/* ---- options on the wire (tcp_opt.c) ---- */

#define TCP_OPT_SPACE 40      /* octets of options a TCP header can carry (data offset 15) */
#define TCP_MAX_WSCALE 14     /* RFC 7323 2.3: a larger shift is taken as 14 */

/* Lay out the options of 's' (its MSS and s->opt) as Linux does (tcp_options_write): MSS;
   SACK-permitted and timestamps as "sackOK,TS" or "nop,nop,TS", else "nop,nop,sackOK";
   "nop,wscale"; then "nop,nop,sack" with as many blocks as fit. Returns the length written
   into out[TCP_OPT_SPACE], a multiple of 4. */
size_t tcp_opt_encode(const struct tcp_seg *s, uint8_t out[TCP_OPT_SPACE]);
/* Read options from 'len' octets into s->mss and s->opt, as Linux's tcp_parse_options does:
   EOL ends the list; a length below 2 or past the end stops the parse (what was read stays);
   an option of the wrong length is skipped; MSS, window scale and SACK-permitted count only
   on a SYN (s->flags must be set), an MSS of 0 not at all. Never fails: returns the options
   read (TCP_OPT_*). */
unsigned tcp_opt_parse(const uint8_t *p, size_t len, struct tcp_seg *s);
/* The options of 's' in tcpdump's notation, "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7"
   (without the brackets; "" for none), NOPs where the encoding puts them. */
const char *tcp_opt_str(const struct tcp_seg *s, char *buf, size_t cap);
/* Parse that notation (brackets optional, "<...>" form too, NOPs and "eol" accepted and
   dropped) into s->mss and s->opt. 0 on success; -1 with a message in err on bad input. */
int tcp_opt_from_str(const char *text, struct tcp_seg *s, char *err, size_t errcap);

/* "SYN,ACK": the set bits in RFC order (SYN, FIN, RST, PSH, ACK, URG); "" for none. */
const char *tcp_flags_str(uint8_t flags, char *buf, size_t cap);
/* Parse "SYN,ACK", "syn+ack", "SA" (tcpdump letters) or "S."; 0 on success, -1 on bad input. */
int tcp_flags_parse(const char *text, uint8_t *out);

#endif
