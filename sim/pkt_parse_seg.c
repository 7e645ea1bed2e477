/*
 * pkt_parse_seg.c - a segment line of a packetdrill script: '<' or '>', optional ports
 * (40001>8080), the flags ('.' is ACK, '-' none), SEQ:END(LEN), ack, win, urg, and the options
 * in '<' '>' kind by kind (or "<...>" for any). An IP field, a non-TCP packet or an option
 * tcpsim does not model is recorded as unsupported (pkt_unsupported).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_parse.h"

/* ---- packets ---------------------------------------------------------------------------------- */

/* The flags word right after '<' or '>', read from the text itself: '.' is ACK here, which
   the scanner would take for a number's point. */
static bool
pkt_parse_flags(struct pkt_parser *ps, struct pkt_packet *k, int line, bool *skipped)
{
    *skipped = false;
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
        ps->p++;
    if (ps->p < ps->end && *ps->p == '[') {
        pkt_unsupported(ps, line, "IP header fields in [ ] (ECN, TOS, TTL, flow label)");
        while (ps->p < ps->end && *ps->p != ']' && *ps->p != '\n')
            ps->p++;
        if (ps->p < ps->end && *ps->p == ']')
            ps->p++;
        while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
            ps->p++;
    }
    if (ps->p < ps->end && isdigit((unsigned char)*ps->p)) {
        /* explicit ports: the source, '>', the destination (packetdrill's opt_port_info) */
        unsigned long v[2] = {0, 0};
        for (int i = 0; i < 2; i++) {
            const char *b = ps->p;
            while (ps->p < ps->end && isdigit((unsigned char)*ps->p) && ps->p - b < 6)
                v[i] = v[i] * 10 + (unsigned long)(*ps->p++ - '0');
            if (ps->p == b || v[i] == 0 || v[i] > 65535 || (i == 0 && (ps->p >= ps->end || *ps->p != '>'))) {
                pkt_error(ps, line, "bad ports (SOURCE>DESTINATION, each from 1 to 65535)");
                return false;
            }
            if (i == 0)
                ps->p++;
        }
        k->has_ports = true;
        k->peer_port = (uint16_t)(k->outbound ? v[1] : v[0]);
        k->sut_port = (uint16_t)(k->outbound ? v[0] : v[1]);
        while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
            ps->p++;
    }
    const char *b = ps->p;
    while (ps->p < ps->end && strchr("FSRP.EWUA", *ps->p) && *ps->p)
        ps->p++;
    size_t n = (size_t)(ps->p - b);
    if (ps->p < ps->end && (isalnum((unsigned char)*ps->p) || *ps->p == '_')) {
        /* udp, icmp, gre, ... */
        const char *w = b;
        while (ps->p < ps->end && (isalnum((unsigned char)*ps->p) || *ps->p == '_'))
            ps->p++;
        size_t wn = (size_t)(ps->p - w);
        static const char *const other[] = {"udp", "icmp", "gre", "mpls", "encap", "psp", "udplite", NULL};
        const char *what = NULL;
        for (size_t i = 0; other[i] && !what; i++)
            if (wn == strlen(other[i]) && memcmp(w, other[i], wn) == 0)
                what = i == 0 || i == 6 ? "UDP packets" : i == 1 ? "ICMP packets" : "tunnelled or encapsulated packets";
        if (what) {
            pkt_unsupported(ps, line, what);
            /* skip the rest of the line: tcpsim will not run it */
            while (ps->p < ps->end && *ps->p != '\n')
                ps->p++;
            ps->have = false;
            k->flags = 0;
            *skipped = true;
            return true;
        }
        pkt_error(ps, line, "bad TCP flags '%.*s' (the flags are F S R P . E W U A)", (int)(wn > 40 ? 40 : wn), w);
        return false;
    }
    if (n == 0 && ps->p < ps->end && *ps->p == '-') {
        ps->p++; /* "-": no flags at all */
        ps->have = false;
        return true;
    }
    if (n == 0) {
        pkt_error(ps, line, "expected TCP flags (S, S., ., P., F., R, R. ..., or - for none) after '%c'",
                  k->outbound ? '>' : '<');
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        switch (b[i]) {
        case 'F': k->flags |= TCP_FIN; break;
        case 'S': k->flags |= TCP_SYN; break;
        case 'R': k->flags |= TCP_RST; break;
        case 'P': k->flags |= TCP_PSH; break;
        case '.': k->flags |= TCP_ACK; break;
        case 'U': k->flags |= TCP_URG; pkt_unsupported(ps, line, "urgent data (URG)"); break;
        case 'E':
        case 'W':
        case 'A': pkt_unsupported(ps, line, "ECN (flags E, W, A)"); break;
        default: break;
        }
    }
    ps->have = false;
    return true;
}

/* One option of a <...> list. */
static bool
pkt_parse_option(struct pkt_parser *ps, struct pkt_packet *k)
{
    int64_t v = 0, v2 = 0;
    int line = ps->tline;
    char buf[64];
    if (k->nkinds == (int)sizeof k->kinds) {
        pkt_error(ps, line, "more TCP options than fit in a header");
        return false;
    }
    /* the kind (RFC 9293 3.2, RFC 7323, RFC 2018), for the layout; 0xff for one not modelled */
    static const struct {
        const char *name;
        uint8_t kind;
    } kinds[] = {{"eol", 0}, {"nop", 1}, {"mss", 2}, {"wscale", 3}, {"sackOK", 4}, {"sack", 5}, {"TS", 8}};
    k->kinds[k->nkinds] = 0xff;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (pkt_is_word(ps, kinds[i].name))
            k->kinds[k->nkinds] = kinds[i].kind;
    k->nkinds++;
    if (pkt_is_word(ps, "nop") || pkt_is_word(ps, "eol")) {
        pkt_next(ps);
    } else if (pkt_is_word(ps, "mss")) {
        pkt_next(ps);
        if (!pkt_expect_uint(ps, 65535, "the MSS", &v))
            return false;
        k->mss = (uint16_t)v;
        k->opt.present |= TCP_OPT_MSS;
    } else if (pkt_is_word(ps, "wscale")) {
        pkt_next(ps);
        if (!pkt_expect_uint(ps, 255, "the window scale", &v))
            return false;
        k->opt.wscale = (uint8_t)v;
        k->opt.present |= TCP_OPT_WSCALE;
    } else if (pkt_is_word(ps, "sackOK")) {
        pkt_next(ps);
        k->opt.present |= TCP_OPT_SACK_OK;
    } else if (pkt_is_word(ps, "sack")) {
        pkt_next(ps);
        k->opt.present |= TCP_OPT_SACK;
        while ((pkt_peek(ps), ps->tok == TK_NUM)) {
            if (!pkt_expect_uint(ps, UINT32_MAX, "a SACK block's start", &v) ||
                !pkt_expect_punct(ps, ':', "in a SACK block") ||
                !pkt_expect_uint(ps, UINT32_MAX, "a SACK block's end", &v2))
                return false;
            if (k->opt.nsack == TCP_SACK_MAX) {
                pkt_error(ps, line, "more than %d SACK blocks", TCP_SACK_MAX);
                return false;
            }
            k->opt.sack[k->opt.nsack].left = (uint32_t)v;
            k->opt.sack[k->opt.nsack].right = (uint32_t)v2;
            k->opt.nsack++;
        }
    } else if (pkt_is_word(ps, "TS")) {
        pkt_next(ps);
        if (!pkt_is_word(ps, "val")) {
            pkt_error(ps, ps->tline, "expected 'val' after TS but found %s", pkt_tok_desc(ps, buf, sizeof buf));
            return false;
        }
        pkt_next(ps);
        if (!pkt_expect_uint(ps, UINT32_MAX, "TS val", &v))
            return false;
        if (!pkt_is_word(ps, "ecr")) {
            pkt_error(ps, ps->tline, "expected 'ecr' after TS val but found %s", pkt_tok_desc(ps, buf, sizeof buf));
            return false;
        }
        pkt_next(ps);
        if (!pkt_expect_uint(ps, UINT32_MAX, "TS ecr", &v2))
            return false;
        k->opt.tsval = (uint32_t)v;
        k->opt.tsecr = (uint32_t)v2;
        k->opt.present |= TCP_OPT_TS;
    } else if (ps->tok == TK_WORD) {
        /* FO (fast open), md5, mptcp, exp, ...: not modelled; skip to the next ',' or '>' */
        static const char *const names[] = {"FO", "FOEXP", "md5", "mptcp", "exp", "tarr", "acc", "ao"};
        const char *what = "a TCP option tcpsim does not model";
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (pkt_is_word(ps, names[i]))
                what = i < 2 ? "TCP fast open (option FO)" : i == 2 ? "TCP MD5 signatures" : i == 3 ? "MPTCP" : what;
        pkt_unsupported(ps, line, what);
        while (!ps->failed && !pkt_is_punct(ps, ',') && !pkt_is_punct(ps, '>') && ps->tok != TK_EOF && ps->tline == line)
            pkt_next(ps);
    } else {
        pkt_error(ps, ps->tline, "expected a TCP option (nop, mss, wscale, sackOK, sack, TS) but found %s",
                  pkt_tok_desc(ps, buf, sizeof buf));
        return false;
    }
    return true;
}

bool
pkt_parse_packet(struct pkt_parser *ps, struct pkt_event *e, bool *skipped)
{
    struct pkt_packet *k = &e->pkt;
    k->outbound = ps->punct == '>';
    int line = ps->tline;
    pkt_next(ps);
    if (!pkt_parse_flags(ps, k, line, skipped))
        return false;
    if (*skipped)
        return true; /* a UDP/ICMP line */
    int64_t seq = 0, end = 0, len = 0, v = 0;
    if (!pkt_expect_uint(ps, UINT32_MAX, "the sequence number", &seq) ||
        !pkt_expect_punct(ps, ':', "between the sequence numbers (SEQ:END(LEN))") ||
        !pkt_expect_uint(ps, UINT32_MAX, "the end sequence number", &end) ||
        !pkt_expect_punct(ps, '(', "before the length (SEQ:END(LEN))") ||
        !pkt_expect_uint(ps, 1 << 30, "the payload length", &len) || !pkt_expect_punct(ps, ')', "after the length"))
        return false;
    if ((uint32_t)(end - seq) != (uint32_t)len) {
        pkt_error(ps, line, "inconsistent segment: %lld:%lld is %lld octets, not %lld", (long long)seq, (long long)end,
                  (long long)(uint32_t)(end - seq), (long long)len);
        return false;
    }
    k->seq = (uint32_t)seq;
    k->end = (uint32_t)end;
    k->len = (uint32_t)len;
    for (;;) {
        pkt_peek(ps);
        if (ps->tline != line && ps->tok != TK_PUNCT)
            break;
        if (pkt_is_word(ps, "ack")) {
            pkt_next(ps);
            if (!pkt_expect_uint(ps, UINT32_MAX, "the ACK number", &v))
                return false;
            k->has_ack = true;
            k->ack = (uint32_t)v;
        } else if (pkt_is_word(ps, "win")) {
            pkt_next(ps);
            if (!pkt_expect_uint(ps, 65535, "the window", &v))
                return false;
            k->has_win = true;
            k->win = (uint32_t)v;
        } else if (pkt_is_word(ps, "urg")) {
            pkt_next(ps);
            if (!pkt_expect_uint(ps, 65535, "the urgent pointer", &v))
                return false;
            pkt_unsupported(ps, line, "urgent data (urg)");
        } else if (pkt_is_punct(ps, '<') && ps->tline == line) {
            pkt_next(ps);
            if (k->opts_mode != PKT_OPTS_NONE) {
                pkt_error(ps, line, "two option lists");
                return false;
            }
            pkt_peek(ps);
            if (ps->tok == TK_ELLIPSIS) {
                pkt_next(ps);
                k->opts_mode = PKT_OPTS_ANY;
            } else {
                k->opts_mode = PKT_OPTS_LIST;
                for (;;) {
                    if (!pkt_parse_option(ps, k))
                        return false;
                    if (!pkt_is_punct(ps, ','))
                        break;
                    pkt_next(ps);
                }
            }
            if (!pkt_expect_punct(ps, '>', "after the TCP options"))
                return false;
        } else if (pkt_is_punct(ps, '(') && ps->tline == line) {
            /* packetdrill's (ecn ...) / (flowlabel ...) annotations */
            pkt_unsupported(ps, line, "IP header annotations in ( )");
            while (!ps->failed && !pkt_is_punct(ps, ')') && ps->tok != TK_EOF)
                pkt_next(ps);
            pkt_next(ps);
        } else {
            break;
        }
    }
    if (!k->has_win && !k->outbound) {
        pkt_error(ps, line, "window must be specified for inbound packets");
        return false;
    }
    return !ps->failed;
}
