/*
 * tcp_opt.c - TCP options as octets and as text: the layout Linux puts on the wire
 * (tcp_options_write), the parse Linux applies to what arrives (tcp_parse_options), and
 * tcpdump's notation for both ("mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7").
 *
 * RFC 9293 3.2 (option format: kind, length, value; EOL and NOP single octets), RFC 7323 2.2
 * and 3.2 (window scale: kind 3, length 3; timestamps: kind 8, length 10), RFC 2018 2 and 3
 * (SACK-permitted: kind 4, length 2; SACK: kind 5, length 2 + 8n).
 *
 * The engine keeps options parsed (struct tcp_opts in seg.h); this file is the only place that
 * knows their octets. One layout serves SYN, SYN,ACK and later segments: Linux writes the same
 * sequence and leaves out what a segment does not carry, so the order of the measured SYNs
 * (docs/linux-checks.md) follows from it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/seg.h"

enum {
    TCPOPT_EOL = 0,
    TCPOPT_NOP = 1,
    TCPOPT_MSS = 2,
    TCPOPT_WINDOW = 3,
    TCPOPT_SACK_PERM = 4,
    TCPOPT_SACK = 5,
    TCPOPT_TIMESTAMP = 8,
};

static uint8_t *
tcp_opt_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return p + 4;
}

static uint32_t
tcp_opt_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* SACK blocks that fit beside the other options: 40 octets less what they take, less the
   4 of "nop,nop,kind,length", in blocks of 8 (Linux tcp_established_options). */
static unsigned
tcp_opt_sack_room(unsigned used)
{
    return used + 4 + 8 <= TCP_OPT_SPACE ? (TCP_OPT_SPACE - used - 4) / 8 : 0;
}

size_t
tcp_opt_encode(const struct tcp_seg *s, uint8_t out[TCP_OPT_SPACE])
{
    uint8_t *p = out;
    unsigned have = s->opt.present;
    if (s->mss) {
        *p++ = TCPOPT_MSS;
        *p++ = 4;
        *p++ = (uint8_t)(s->mss >> 8);
        *p++ = (uint8_t)s->mss;
    }
    if (have & TCP_OPT_TS) {
        if (have & TCP_OPT_SACK_OK) { /* SACK-permitted takes the place of the two NOPs */
            *p++ = TCPOPT_SACK_PERM;
            *p++ = 2;
        } else {
            *p++ = TCPOPT_NOP;
            *p++ = TCPOPT_NOP;
        }
        *p++ = TCPOPT_TIMESTAMP;
        *p++ = 10;
        p = tcp_opt_be32(p, s->opt.tsval);
        p = tcp_opt_be32(p, s->opt.tsecr);
    } else if (have & TCP_OPT_SACK_OK) {
        *p++ = TCPOPT_NOP;
        *p++ = TCPOPT_NOP;
        *p++ = TCPOPT_SACK_PERM;
        *p++ = 2;
    }
    if (have & TCP_OPT_WSCALE) {
        *p++ = TCPOPT_NOP;
        *p++ = TCPOPT_WINDOW;
        *p++ = 3;
        *p++ = s->opt.wscale;
    }
    if ((have & TCP_OPT_SACK) && s->opt.nsack > 0) {
        unsigned n = tcp_opt_sack_room((unsigned)(p - out));
        if (n > s->opt.nsack)
            n = s->opt.nsack;
        if (n > 0) {
            *p++ = TCPOPT_NOP;
            *p++ = TCPOPT_NOP;
            *p++ = TCPOPT_SACK;
            *p++ = (uint8_t)(2 + 8 * n);
            for (unsigned i = 0; i < n; i++) {
                p = tcp_opt_be32(p, s->opt.sack[i].left);
                p = tcp_opt_be32(p, s->opt.sack[i].right);
            }
        }
    }
    return (size_t)(p - out);
}

unsigned
tcp_opt_parse(const uint8_t *p, size_t len, struct tcp_seg *s)
{
    bool syn = (s->flags & TCP_SYN) != 0;
    s->mss = 0;
    memset(&s->opt, 0, sizeof s->opt);
    while (len > 0) {
        uint8_t kind = *p;
        if (kind == TCPOPT_EOL)
            break;
        if (kind == TCPOPT_NOP) {
            p++;
            len--;
            continue;
        }
        if (len < 2)
            break;
        uint8_t size = p[1];
        if (size < 2 || size > len)
            break; /* Linux: "silly options", or partial: the rest is not read */
        const uint8_t *v = p + 2;
        switch (kind) {
        case TCPOPT_MSS:
            if (size == 4 && syn && (v[0] | v[1])) {
                s->mss = (uint16_t)(v[0] << 8 | v[1]);
                s->opt.present |= TCP_OPT_MSS;
            }
            break;
        case TCPOPT_WINDOW:
            /* the shift as sent; negotiation takes one above 14 as 14 (RFC 7323 2.3) */
            if (size == 3 && syn) {
                s->opt.wscale = v[0];
                s->opt.present |= TCP_OPT_WSCALE;
            }
            break;
        case TCPOPT_SACK_PERM:
            if (size == 2 && syn)
                s->opt.present |= TCP_OPT_SACK_OK;
            break;
        case TCPOPT_TIMESTAMP:
            if (size == 10) {
                s->opt.tsval = tcp_opt_get32(v);
                s->opt.tsecr = tcp_opt_get32(v + 4);
                s->opt.present |= TCP_OPT_TS;
            }
            break;
        case TCPOPT_SACK:
            if (size >= 10 && (size - 2) % 8 == 0) {
                unsigned n = (size - 2u) / 8u;
                if (n > TCP_SACK_MAX)
                    n = TCP_SACK_MAX;
                for (unsigned i = 0; i < n; i++) {
                    s->opt.sack[i].left = tcp_opt_get32(v + 8 * i);
                    s->opt.sack[i].right = tcp_opt_get32(v + 8 * i + 4);
                }
                s->opt.nsack = (uint8_t)n;
                s->opt.present |= TCP_OPT_SACK;
            }
            break;
        default:
            break; /* unknown kinds are skipped by their length (RFC 9293 3.2, MUST-6) */
        }
        p += size;
        len -= size;
    }
    return s->opt.present;
}

/* ---- tcpdump's notation ------------------------------------------------------------------- */

/* One option of our own encoding at 'p' in tcpdump's words; returns its length in octets. */
static size_t
tcp_opt_item_str(const uint8_t *p, char *buf, size_t cap)
{
    size_t at = 0;
    switch (p[0]) {
    case TCPOPT_NOP:
        snprintf(buf, cap, "nop");
        return 1;
    case TCPOPT_MSS:
        snprintf(buf, cap, "mss %u", (unsigned)(p[2] << 8 | p[3]));
        break;
    case TCPOPT_WINDOW:
        snprintf(buf, cap, "wscale %u", (unsigned)p[2]);
        break;
    case TCPOPT_SACK_PERM:
        snprintf(buf, cap, "sackOK");
        break;
    case TCPOPT_TIMESTAMP:
        snprintf(buf, cap, "TS val %u ecr %u", (unsigned)tcp_opt_get32(p + 2), (unsigned)tcp_opt_get32(p + 6));
        break;
    case TCPOPT_SACK:
        at = (size_t)snprintf(buf, cap, "sack %u", (unsigned)(p[1] - 2) / 8);
        for (unsigned b = 0; b < (unsigned)(p[1] - 2) / 8 && at < cap; b++)
            at += (size_t)snprintf(buf + at, cap - at, " {%u:%u}", (unsigned)tcp_opt_get32(p + 2 + 8 * b),
                                   (unsigned)tcp_opt_get32(p + 6 + 8 * b));
        break;
    default:
        buf[0] = '\0';
        break;
    }
    return p[1];
}

const char *
tcp_opt_str(const struct tcp_seg *s, char *buf, size_t cap)
{
    uint8_t o[TCP_OPT_SPACE];
    char item[96];
    size_t n = tcp_opt_encode(s, o), at = 0;
    if (cap == 0)
        return buf;
    buf[0] = '\0';
    /* walk our own encoding, so the text names the NOPs exactly where the octets have them */
    for (size_t i = 0; i < n && at < cap;) {
        i += tcp_opt_item_str(o + i, item, sizeof item);
        at += (size_t)snprintf(buf + at, cap - at, "%s%s", at ? "," : "", item);
    }
    return buf;
}

static const char *
tcp_opt_skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* An unsigned number of at most 'max' at *pp; moves *pp past it. */
static bool
tcp_opt_num(const char **pp, unsigned long max, uint32_t *out)
{
    const char *p = tcp_opt_skip_space(*pp);
    char *end;
    if (!isdigit((unsigned char)*p))
        return false;
    unsigned long v = strtoul(p, &end, 10);
    if (v > max)
        return false;
    *out = (uint32_t)v;
    *pp = end;
    return true;
}

/* Does 'p' start with the word 'w' (followed by a space, ',', '>' or the end)? */
static bool
tcp_opt_word(const char **pp, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(*pp, w, n) != 0)
        return false;
    char c = (*pp)[n];
    if (c != '\0' && c != ' ' && c != ',' && c != '>' && c != ']' && c != '{')
        return false;
    *pp += n;
    return true;
}

int
tcp_opt_from_str(const char *text, struct tcp_seg *s, char *err, size_t errcap)
{
    const char *p = tcp_opt_skip_space(text);
    char close = '\0';
    s->mss = 0;
    memset(&s->opt, 0, sizeof s->opt);
    if (*p == '<' || *p == '[') {
        close = *p == '<' ? '>' : ']';
        p++;
    }
    for (;;) {
        p = tcp_opt_skip_space(p);
        if (*p == close || *p == '\0')
            break;
        const char *item = p;
        uint32_t a, b;
        if (tcp_opt_word(&p, "nop") || tcp_opt_word(&p, "eol")) {
            /* layout only: the encoding puts them where Linux does */
        } else if (tcp_opt_word(&p, "mss")) {
            if (!tcp_opt_num(&p, 65535, &a) || a == 0)
                goto bad;
            s->mss = (uint16_t)a;
            s->opt.present |= TCP_OPT_MSS;
        } else if (tcp_opt_word(&p, "wscale")) {
            if (!tcp_opt_num(&p, 255, &a))
                goto bad;
            s->opt.wscale = (uint8_t)a;
            s->opt.present |= TCP_OPT_WSCALE;
        } else if (tcp_opt_word(&p, "sackOK")) {
            s->opt.present |= TCP_OPT_SACK_OK;
        } else if (tcp_opt_word(&p, "TS")) {
            p = tcp_opt_skip_space(p);
            if (!tcp_opt_word(&p, "val") || !tcp_opt_num(&p, 0xffffffffu, &a))
                goto bad;
            p = tcp_opt_skip_space(p);
            if (!tcp_opt_word(&p, "ecr") || !tcp_opt_num(&p, 0xffffffffu, &b))
                goto bad;
            s->opt.tsval = a;
            s->opt.tsecr = b;
            s->opt.present |= TCP_OPT_TS;
        } else if (tcp_opt_word(&p, "sack")) {
            /* "sack 2 {1001:2001} {3001:4001}" (tcpdump) or "sack 1001:2001 3001:4001" (packetdrill) */
            uint32_t count;
            const char *q = p;
            bool counted = tcp_opt_num(&q, TCP_SACK_MAX, &count) && *tcp_opt_skip_space(q) == '{';
            if (counted)
                p = q;
            s->opt.nsack = 0;
            for (;;) {
                p = tcp_opt_skip_space(p);
                bool brace = *p == '{';
                if (brace)
                    p++;
                if (!tcp_opt_num(&p, 0xffffffffu, &a))
                    break;
                if (*p != ':' || (p++, !tcp_opt_num(&p, 0xffffffffu, &b)) || (brace && *p++ != '}'))
                    goto bad;
                if (s->opt.nsack == TCP_SACK_MAX) {
                    snprintf(err, errcap, "at most %d SACK blocks, in \"%s\"", TCP_SACK_MAX, text);
                    return -1;
                }
                s->opt.sack[s->opt.nsack].left = a;
                s->opt.sack[s->opt.nsack].right = b;
                s->opt.nsack++;
            }
            if (s->opt.nsack == 0 || (counted && count != s->opt.nsack))
                goto bad;
            s->opt.present |= TCP_OPT_SACK;
        } else {
            snprintf(err, errcap, "unknown TCP option \"%.*s\" in \"%s\" (mss, sackOK, TS val V ecr E, wscale, sack L:R, nop, eol)",
                     (int)strcspn(item, ",>]"), item, text);
            return -1;
        }
        p = tcp_opt_skip_space(p);
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == close || *p == '\0')
            break;
    bad:
        snprintf(err, errcap, "bad TCP option \"%.*s\" in \"%s\"", (int)strcspn(item, ",>]"), item, text);
        return -1;
    }
    if (*p != close || (close && *tcp_opt_skip_space(p + 1) != '\0')) {
        snprintf(err, errcap, "TCP options \"%s\": %s", text, close ? "nothing may follow the closing bracket" : "missing closing bracket");
        return -1;
    }
    return 0;
}
