/*
 * out_track.c - the socket facts every output needs, learnt from the event stream alone
 * (see out_track.h): states by conn id, and per 4-tuple direction the ISN and the sender.
 *
 * RFC 9293 §3.4: a connection's sequence numbers start at each side's ISN, carried by its SYN;
 * showing them relative to the ISN (as tcpdump does) makes "ack 1" mean "the SYN is acked".
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "out_track.h"

void
out_track_init(struct out_track *t)
{
    memset(t, 0, sizeof *t);
}

void
out_track_fini(struct out_track *t)
{
    free(t->state);
    free(t->host);
    free(t->name);
    free(t->flow);
    memset(t, 0, sizeof *t);
}

/* Make room for conn id 'id'; false on ENOMEM (the fact is then forgotten, not invented). */
static bool
out_track_grow_conns(struct out_track *t, uint32_t id)
{
    if (id < t->nconn)
        return true;
    size_t n = t->nconn ? t->nconn : 16;
    while (n <= id)
        n *= 2;
    uint8_t *ns = realloc(t->state, n);
    if (!ns)
        return false;
    t->state = ns;
    int8_t *nh = realloc(t->host, n);
    if (!nh)
        return false;
    t->host = nh;
    char (*nn)[16] = realloc(t->name, n * sizeof *nn);
    if (!nn)
        return false;
    t->name = nn;
    memset(t->name + t->nconn, 0, (n - t->nconn) * sizeof *nn);
    memset(t->state + t->nconn, 0, n - t->nconn);
    memset(t->host + t->nconn, -1, n - t->nconn);
    t->nconn = n;
    return true;
}

static size_t
out_flow_hash(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
    uint64_t h = ((uint64_t)saddr * 0x9E3779B97F4A7C15u) ^ ((uint64_t)daddr * 0xC2B2AE3D27D4EB4Fu)
                 ^ ((uint64_t)sport << 16 | dport) * 0x165667B19E3779F9u;
    return (size_t)(h ^ (h >> 29));
}

/* The slot of a direction: the one holding it, or the empty one where it would go. */
static struct out_flow *
out_flow_slot(const struct out_track *t, uint32_t saddr, uint16_t sport, uint32_t daddr,
              uint16_t dport)
{
    if (t->capflow == 0)
        return NULL;
    size_t mask = t->capflow - 1;
    for (size_t i = out_flow_hash(saddr, sport, daddr, dport) & mask;; i = (i + 1) & mask) {
        struct out_flow *f = &t->flow[i];
        if (!f->used || (f->saddr == saddr && f->sport == sport && f->daddr == daddr
                         && f->dport == dport))
            return f;
    }
}

static const struct out_flow *
out_flow_find(const struct out_track *t, uint32_t saddr, uint16_t sport, uint32_t daddr,
              uint16_t dport)
{
    const struct out_flow *f = out_flow_slot(t, saddr, sport, daddr, dport);
    return f && f->used ? f : NULL;
}

/* The entry for the direction of 's', created if new; NULL on ENOMEM. */
static struct out_flow *
out_flow_get(struct out_track *t, const struct tcp_seg *s)
{
    if (2 * (t->nflow + 1) > t->capflow) { /* keep the table at most half full */
        size_t ncap = t->capflow ? t->capflow * 2 : 64;
        struct out_flow *nf = calloc(ncap, sizeof *nf);
        if (!nf)
            return NULL;
        struct out_track bigger = *t;
        bigger.flow = nf;
        bigger.capflow = ncap;
        for (size_t i = 0; i < t->capflow; i++)
            if (t->flow[i].used)
                *out_flow_slot(&bigger, t->flow[i].saddr, t->flow[i].sport, t->flow[i].daddr,
                               t->flow[i].dport) = t->flow[i];
        free(t->flow);
        t->flow = nf;
        t->capflow = ncap;
    }
    struct out_flow *f = out_flow_slot(t, s->saddr, s->sport, s->daddr, s->dport);
    if (!f->used) {
        memset(f, 0, sizeof *f);
        f->used = true;
        f->saddr = s->saddr;
        f->sport = s->sport;
        f->daddr = s->daddr;
        f->dport = s->dport;
        t->nflow++;
    }
    return f;
}

/* Remember socket 'conn' lives on 'host' and is called 'name'. */
static void
out_track_conn(struct out_track *t, uint32_t conn, int host, const char *name)
{
    if (!conn || !out_track_grow_conns(t, conn))
        return;
    t->host[conn] = (int8_t)host;
    if (name)
        snprintf(t->name[conn], sizeof t->name[conn], "%s", name);
}

void
out_track_event(struct out_track *t, const struct trace_event *ev)
{
    switch (ev->kind) {
    case TRACE_STATE:
        out_track_conn(t, ev->conn, ev->host, ev->conn_name);
        if (ev->conn && ev->conn < t->nconn)
            t->state[ev->conn] = (uint8_t)(ev->to_state + 1);
        break;
    case TRACE_SEND:
    case TRACE_DUP: {
        /* tcpdump's rule: a SYN (re)sets its direction's base, so a new incarnation of the
           same 4-tuple gets fresh relative numbers */
        struct out_flow *f = out_flow_get(t, &ev->seg);
        if (!f)
            break;
        if (ev->seg.flags & TCP_SYN) {
            f->has_isn = true;
            f->isn = ev->seg.seq;
        }
        if (ev->kind == TRACE_SEND && ev->conn) {
            f->conn = ev->conn;
            out_track_conn(t, ev->conn, ev->from, ev->conn_name);
        }
        break;
    }
    case TRACE_DELIVER:
    case TRACE_DROP:
    case TRACE_DELAY:
    case TRACE_RULE:
    case TRACE_TIMER_ARM:
    case TRACE_TIMER_CANCEL:
    case TRACE_TIMER_FIRE:
    case TRACE_CALL:
    case TRACE_SAY:
    case TRACE_KIND_COUNT:
        break;
    }
}

int
out_track_state(const struct out_track *t, uint32_t conn)
{
    if (conn == 0 || conn >= t->nconn || t->state[conn] == 0)
        return -1;
    return t->state[conn] - 1;
}

const char *
out_track_name(const struct out_track *t, uint32_t conn)
{
    return conn && conn < t->nconn && t->name[conn][0] ? t->name[conn] : NULL;
}

uint32_t
out_track_receiver(const struct out_track *t, const struct trace_event *ev)
{
    if (ev->kind == TRACE_DELIVER && ev->conn && ev->conn < t->nconn && t->host[ev->conn] == ev->to)
        return ev->conn;
    const struct tcp_seg *s = &ev->seg;
    const struct out_flow *back = out_flow_find(t, s->daddr, s->dport, s->saddr, s->sport);
    return back ? back->conn : 0;
}

void
out_track_relative(const struct out_track *t, const struct tcp_seg *s, uint32_t *seq,
                   uint32_t *ack, bool *rel_seq, bool *rel_ack)
{
    const struct out_flow *fwd = out_flow_find(t, s->saddr, s->sport, s->daddr, s->dport);
    const struct out_flow *back = out_flow_find(t, s->daddr, s->dport, s->saddr, s->sport);
    *rel_seq = fwd && fwd->has_isn;
    *rel_ack = back && back->has_isn;
    *seq = *rel_seq ? s->seq - fwd->isn : s->seq;
    *ack = *rel_ack ? s->ack - back->isn : s->ack;
}

const char *
out_host_name(int host)
{
    return host == 0 ? "A" : host == 1 ? "B" : "-";
}

const char *
out_addr_str(uint32_t addr, char *buf, size_t cap)
{
    snprintf(buf, cap, "%u.%u.%u.%u", (unsigned)(addr >> 24) & 0xff, (unsigned)(addr >> 16) & 0xff,
             (unsigned)(addr >> 8) & 0xff, (unsigned)addr & 0xff);
    return buf;
}

const char *
out_tcpdump_flags(uint8_t flags, char *buf, size_t cap)
{
    /* tcpdump prints its letters in this order: FIN, SYN, RST, PSH, ACK, URG */
    static const struct { uint8_t bit; char letter; } order[] = {
        {TCP_FIN, 'F'}, {TCP_SYN, 'S'}, {TCP_RST, 'R'},
        {TCP_PSH, 'P'}, {TCP_ACK, '.'}, {TCP_URG, 'U'},
    };
    size_t n = 0;
    if (flags == 0) {
        snprintf(buf, cap, "none");
        return buf;
    }
    for (size_t i = 0; i < sizeof order / sizeof order[0] && n + 1 < cap; i++)
        if (flags & order[i].bit)
            buf[n++] = order[i].letter;
    if (cap)
        buf[n < cap ? n : cap - 1] = '\0';
    return buf;
}

const char *
out_time_str(clk_time t, char *buf, size_t cap)
{
    /* integer arithmetic: the same digits on every machine */
    const char *sign = t < 0 ? "-" : "";
    uint64_t u = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    snprintf(buf, cap, "%s%llu.%06llu", sign, (unsigned long long)(u / 1000000000u),
             (unsigned long long)(u % 1000000000u / 1000u));
    return buf;
}

/* A JSON string (RFC 8259 §7): quotes, backslash and control characters escaped; for a page's
   inline script also '<', '>' and '&', so that no "</script>" or "<!--" in a text ends it
   (HTML §4.12.1.3). */
void
out_json_str(FILE *f, const char *s, bool html)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20 || *p == 0x7f || (html && (*p == '<' || *p == '>' || *p == '&')))
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

/* Text for XML and HTML: the special characters escaped, control characters as blanks. */
void
out_xml_text(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        switch (s[i]) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc((unsigned char)s[i] < 0x20 ? ' ' : s[i], f);
        }
    }
}

/* "PSH,ACK 1:6 ack 1": a segment's label, with the options' sequence numbers. */
void
out_seg_label(const struct out_track *tr, const struct trace_event *ev, bool absolute, char *buf, size_t cap)
{
    const struct tcp_seg *s = &ev->seg;
    uint32_t seq = s->seq, ack = s->ack;
    bool rs, ra;
    char flags[48], range[24] = "", acks[24] = "";
    if (!absolute)
        out_track_relative(tr, s, &seq, &ack, &rs, &ra);
    if (s->len)
        snprintf(range, sizeof range, ":%u", (unsigned)(seq + s->len));
    if (s->flags & TCP_ACK)
        snprintf(acks, sizeof acks, " ack %u", (unsigned)ack);
    snprintf(buf, cap, "%s %u%s%s%s", tcp_flags_str(s->flags, flags, sizeof flags), (unsigned)seq, range, acks,
             ev->kind == TRACE_DUP ? " (dup)" : "");
}

const char *
out_rule_cite(enum tcp_rule r, char *buf, size_t cap)
{
    /* the table gives bare section numbers for RFC 9293 and names the other documents */
    const char *sec = tcp_rule_section(r);
    bool ours = sec[0] >= '0' && sec[0] <= '9';
    snprintf(buf, cap, "%s%s", ours ? "RFC 9293 " : "", sec);
    return buf;
}

void
out_sbuf_printf(struct out_sbuf *b, size_t max, const char *fmt, ...)
{
    /* 'max' bounds the whole string: a pcapng option's length is 16 bits */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || b->len + (size_t)n + 1 > max)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t ncap = (b->len + (size_t)n + 1) * 2;
        char *ns = realloc(b->s, ncap);
        if (!ns)
            return;
        b->s = ns;
        b->cap = ncap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
out_sbuf_free(struct out_sbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}
