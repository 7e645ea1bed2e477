/*
 * out_pcap.c - a pcapng capture of a run, with the ground truth on every packet.
 *
 * Capture point: one packet per TRACE_SEND, i.e. each segment as it entered the wire, stamped
 * with its send time, as a capture on the sender's interface would see it. The wire's later
 * doings (loss, delay, duplication, reordering) and what the receiver made of the segment are
 * not in the bytes but in the packet's comment, which is why packets are buffered (payloads
 * copied: an event's payload is only lent for the callback) and written at out_pcap_finish().
 *
 * File layout (pcapng, draft-ietf-opsawg-pcapng): a Section Header Block, one Interface
 * Description Block (LINKTYPE_IPV4 = 228, if_tsresol = 9: nanoseconds, the engine's unit),
 * then one Enhanced Packet Block per packet: an IPv4 header (RFC 791) and a TCP header
 * (RFC 9293 §3.1) with correct checksums, the options (§3.2) in Linux's layout (tcp_opt.c) on a segment that carries
 * one, the payload, and an opt_comment. Every field is written little-endian; the byte-order
 * magic tells readers so.
 *
 * Entry points: out_pcap_new() -> world_observe(w, out_pcap_observe, p) -> out_pcap_finish()
 * -> out_pcap_free().
 */
#include <stdlib.h>
#include <string.h>

#include "tcpsim/out.h"
#include "tcpsim/wire.h"
#include "out_track.h"

#define OUT_PCAP_LINKTYPE_IPV4 228
#define OUT_PCAP_COMMENT_MAX 65000 /* an option's length is 16 bits */

struct out_pcap_pkt {
    uint64_t id;            /* the segment's id on the wire */
    clk_time t;             /* when it was sent */
    struct tcp_seg seg;     /* the header; 'data' is not used (see 'payload') */
    uint8_t *payload;       /* owned copy of seg.len octets, NULL when the event had none */
    bool delivered, dropped;
    struct out_sbuf note;   /* the comment, grown as the packet's story unfolds */
};

struct out_pcap {
    struct out_track track;
    struct out_pcap_pkt *pkt;   /* in send order */
    size_t npkt, cappkt;
    size_t *by_id;              /* wire id -> index + 1 into pkt (a copy maps to its original) */
    size_t nby_id;
    size_t arrival;             /* index + 1 of the packet whose arrival is being processed */
    int arrival_host;           /* the host processing it */
};

struct out_pcap *
out_pcap_new(void)
{
    struct out_pcap *p = calloc(1, sizeof *p);
    if (p)
        out_track_init(&p->track);
    return p;
}

void
out_pcap_free(struct out_pcap *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->npkt; i++) {
        free(p->pkt[i].payload);
        out_sbuf_free(&p->pkt[i].note);
    }
    free(p->pkt);
    free(p->by_id);
    out_track_fini(&p->track);
    free(p);
}

size_t
out_pcap_count(const struct out_pcap *p)
{
    return p->npkt;
}

/* The packet a wire id belongs to (a duplicate's original), or NULL. */
static struct out_pcap_pkt *
out_pcap_find(const struct out_pcap *p, uint64_t id)
{
    if (id >= p->nby_id || p->by_id[id] == 0)
        return NULL;
    return &p->pkt[p->by_id[id] - 1];
}

static bool
out_pcap_map(struct out_pcap *p, uint64_t id, size_t index)
{
    if (id >= p->nby_id) {
        size_t n = p->nby_id ? p->nby_id : 64;
        while (n <= id)
            n *= 2;
        size_t *nb = realloc(p->by_id, n * sizeof *nb);
        if (!nb)
            return false;
        memset(nb + p->nby_id, 0, (n - p->nby_id) * sizeof *nb);
        p->by_id = nb;
        p->nby_id = n;
    }
    p->by_id[id] = index + 1;
    return true;
}

/* "A1 ESTABLISHED" or "A" when the socket or its state is unknown. */
static void
out_pcap_who(const struct out_pcap *p, int host, uint32_t conn, const char *name, char *buf, size_t cap)
{
    int st = out_track_state(&p->track, conn);
    if (!name)
        name = out_track_name(&p->track, conn);
    snprintf(buf, cap, "%s%s%s", name ? name : out_host_name(host), st >= 0 ? " " : "",
             st >= 0 ? tcp_state_rfc((enum tcp_state)st) : "");
}

static void
out_pcap_send(struct out_pcap *p, const struct trace_event *ev)
{
    if (p->npkt == p->cappkt) {
        size_t ncap = p->cappkt ? p->cappkt * 2 : 64;
        struct out_pcap_pkt *np = realloc(p->pkt, ncap * sizeof *np);
        if (!np)
            return;
        p->pkt = np;
        p->cappkt = ncap;
    }
    struct out_pcap_pkt *k = &p->pkt[p->npkt];
    memset(k, 0, sizeof *k);
    k->id = ev->pkt_id;
    k->t = ev->t;
    k->seg = ev->seg;
    k->seg.data = NULL;
    if (ev->seg.len && ev->seg.data) {
        k->payload = malloc(ev->seg.len);
        if (!k->payload)
            return;
        memcpy(k->payload, ev->seg.data, ev->seg.len);
    }
    if (!out_pcap_map(p, ev->pkt_id, p->npkt)) {
        free(k->payload);
        return;
    }
    p->npkt++;
    char who[48];
    out_pcap_who(p, ev->from, ev->conn, ev->conn_name, who, sizeof who);
    out_sbuf_printf(&k->note, OUT_PCAP_COMMENT_MAX, "#%llu sent by %s", (unsigned long long)ev->pkt_id, who);
    if (ev->marks & WIRE_MARK_INJECTED)
        out_sbuf_printf(&k->note, OUT_PCAP_COMMENT_MAX, " (injected by the scenario)");
}

/* The wire's fate and the receiver's story, appended as they happen. */
static void
out_pcap_story(struct out_pcap *p, const struct trace_event *ev)
{
    struct out_pcap_pkt *k = NULL;
    char when[32], who[48], cite[64];
    switch (ev->kind) {
    case TRACE_SEND:
        out_pcap_send(p, ev);
        return;
    case TRACE_DROP:
        if ((k = out_pcap_find(p, ev->pkt_id))) {
            k->dropped = true;
            out_sbuf_printf(&k->note, OUT_PCAP_COMMENT_MAX, "; wire: dropped at %s (%s)", out_time_str(ev->t, when, sizeof when),
                          ev->text ? ev->text : "lost");
        }
        return;
    case TRACE_DUP:
        if ((k = out_pcap_find(p, ev->orig_id))) {
            out_sbuf_printf(&k->note, OUT_PCAP_COMMENT_MAX, "; wire: duplicated as #%llu", (unsigned long long)ev->pkt_id);
            out_pcap_map(p, ev->pkt_id, (size_t)(k - p->pkt));
        }
        return;
    case TRACE_DELAY:
        if ((k = out_pcap_find(p, ev->pkt_id)))
            out_sbuf_printf(&k->note, OUT_PCAP_COMMENT_MAX, "; wire: #%llu delayed, due at %s", (unsigned long long)ev->pkt_id,
                          out_time_str(ev->when, when, sizeof when));
        return;
    case TRACE_DELIVER:
        p->arrival = 0;
        if (!(k = out_pcap_find(p, ev->pkt_id)))
            return;
        k->delivered = true;
        p->arrival = (size_t)(k - p->pkt) + 1;
        p->arrival_host = ev->to;
        uint32_t rcv = out_track_receiver(&p->track, ev);
        out_pcap_who(p, ev->to, rcv, out_track_name(&p->track, rcv), who, sizeof who);
        clk_time dt = ev->t - ev->sent_at;
        char copy[40] = "";
        if (ev->pkt_id != k->id)
            snprintf(copy, sizeof copy, "copy #%llu ", (unsigned long long)ev->pkt_id);
        out_sbuf_printf(&k->note, OUT_PCAP_COMMENT_MAX, "; %sarrives at %s after %lld.%03lld ms%s%s: %s", copy,
                      out_time_str(ev->t, when, sizeof when), (long long)(dt / 1000000),
                      (long long)(dt / 1000 % 1000), (ev->marks & WIRE_MARK_REORDERED) ? ", reordered" : "",
                      (ev->marks & WIRE_MARK_DELAYED) ? ", delayed" : "", who);
        return;
    case TRACE_STATE:
    case TRACE_RULE:
        if (!p->arrival || ev->host != p->arrival_host)
            return;
        k = &p->pkt[p->arrival - 1];
        if (ev->kind == TRACE_STATE)
            out_sbuf_printf(&k->note, OUT_PCAP_COMMENT_MAX, "; %s %s -> %s", ev->conn_name ? ev->conn_name : out_host_name(ev->host),
                          tcp_state_rfc(ev->from_state), tcp_state_rfc(ev->to_state));
        else
            out_sbuf_printf(&k->note, OUT_PCAP_COMMENT_MAX, "; %s", ev->conn_name ? ev->conn_name : out_host_name(ev->host));
        out_sbuf_printf(&k->note, OUT_PCAP_COMMENT_MAX, " by %s (%s: %s)", tcp_rule_name(ev->rule),
                      out_rule_cite(ev->rule, cite, sizeof cite), tcp_rule_text(ev->rule));
        return;
    case TRACE_TIMER_FIRE:
    case TRACE_CALL:
    case TRACE_SAY:
        p->arrival = 0; /* a new step: what follows is not the arrival's doing */
        return;
    case TRACE_TIMER_ARM:
    case TRACE_TIMER_CANCEL:
    case TRACE_KIND_COUNT:
        return;
    }
}

void
out_pcap_observe(const struct trace_event *ev, void *ctx)
{
    struct out_pcap *p = ctx;
    /* the sender's state is the one before this event, so learn after the story */
    out_pcap_story(p, ev);
    out_track_event(&p->track, ev);
}

/* ---- checksums (RFC 1071) ----------------------------------------------------------------- */

uint32_t
out_cksum_add(uint32_t sum, const uint8_t *b, size_t len)
{
    /* 16-bit big-endian words; an odd last octet is padded with zero */
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += (uint32_t)b[i] << 8 | b[i + 1];
        sum = (sum & 0xffff) + (sum >> 16);
    }
    if (len & 1) {
        sum += (uint32_t)b[len - 1] << 8;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

uint16_t
out_cksum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* ---- writing ------------------------------------------------------------------------------ */

struct out_buf {
    uint8_t *b;
    size_t len, cap;
    bool failed;  /* an allocation failed: the block is not written */
};

static void
out_buf_put(struct out_buf *o, const void *data, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n > o->cap) {
        size_t ncap = (o->len + n) * 2;
        uint8_t *nb = realloc(o->b, ncap);
        if (!nb) {
            o->failed = true;
            return;
        }
        o->b = nb;
        o->cap = ncap;
    }
    if (n)
        memcpy(o->b + o->len, data, n);
    o->len += n;
}

static void
out_buf_le16(struct out_buf *o, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    out_buf_put(o, b, 2);
}

static void
out_buf_le32(struct out_buf *o, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    out_buf_put(o, b, 4);
}

static void
out_buf_pad4(struct out_buf *o)
{
    static const uint8_t zero[4];
    out_buf_put(o, zero, (4 - o->len % 4) % 4);
}

/* A pcapng option: code, length, value padded to 32 bits. */
static void
out_buf_opt(struct out_buf *o, uint16_t code, const void *val, size_t len)
{
    out_buf_le16(o, code);
    out_buf_le16(o, (uint16_t)len);
    out_buf_put(o, val, len);
    out_buf_pad4(o);
}

/* Begin a block of 'type' (its length patched by out_buf_end). */
static void
out_buf_begin(struct out_buf *o, uint32_t type)
{
    o->len = 0;
    o->failed = false;
    out_buf_le32(o, type);
    out_buf_le32(o, 0);
}

/* Close the block: trailing length, patch the leading one, write it. */
static int
out_buf_end(struct out_buf *o, FILE *f)
{
    out_buf_le32(o, (uint32_t)(o->len + 4));
    if (o->failed)
        return -1;
    uint32_t total = (uint32_t)o->len;
    for (int i = 0; i < 4; i++)
        o->b[4 + i] = (uint8_t)(total >> (8 * i));
    return fwrite(o->b, 1, o->len, f) == o->len ? 0 : -1;
}

static void
out_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void
out_be32(uint8_t *p, uint32_t v)
{
    out_be16(p, (uint16_t)(v >> 16));
    out_be16(p + 2, (uint16_t)v);
}

/*
 * The packet as IPv4 would carry it: a 20-octet IPv4 header (RFC 791 §3.1), the TCP header
 * (RFC 9293 §3.1) with the segment's options as Linux lays them out (tcp_opt.c), then the payload (zeros when
 * it was not kept). Both checksums are computed, TCP's over the pseudo-header (§3.1).
 */
static size_t
out_pcap_packet(const struct out_pcap_pkt *k, uint8_t *pkt, size_t cap)
{
    const struct tcp_seg *s = &k->seg;
    uint8_t opts[TCP_OPT_SPACE];
    size_t optlen = tcp_opt_encode(s, opts); /* Linux's layout, a multiple of 4 */
    size_t tcplen = 20 + optlen;
    size_t total = 20 + tcplen + s->len;
    if (total > cap || total > 65535)
        return 0;
    memset(pkt, 0, total);
    uint8_t *ip = pkt, *tcp = pkt + 20;
    ip[0] = 0x45;                        /* version 4, header 5 words */
    out_be16(ip + 2, (uint16_t)total);
    out_be16(ip + 4, (uint16_t)k->id);   /* identification: the wire id */
    out_be16(ip + 6, 0x4000);            /* DF */
    ip[8] = 64;                          /* TTL */
    ip[9] = 6;                           /* TCP */
    out_be32(ip + 12, s->saddr);
    out_be32(ip + 16, s->daddr);
    out_be16(ip + 10, out_cksum_fold(out_cksum_add(0, ip, 20)));

    out_be16(tcp + 0, s->sport);
    out_be16(tcp + 2, s->dport);
    out_be32(tcp + 4, s->seq);
    out_be32(tcp + 8, s->ack);
    tcp[12] = (uint8_t)((tcplen / 4) << 4);
    tcp[13] = s->flags;
    out_be16(tcp + 14, s->wnd);
    out_be16(tcp + 18, s->up);
    memcpy(tcp + 20, opts, optlen);
    if (s->len && k->payload)
        memcpy(tcp + tcplen, k->payload, s->len);
    uint8_t pseudo[12];
    memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = 6;
    out_be16(pseudo + 10, (uint16_t)(tcplen + s->len));
    out_be16(tcp + 16, out_cksum_fold(out_cksum_add(out_cksum_add(0, pseudo, 12), tcp, tcplen + s->len)));
    return total;
}

static int
out_pcap_headers(struct out_buf *o, FILE *f)
{
    static const char app[] = "tcpsim"; /* shb_userappl */
    static const char ifname[] = "tcpsim wire";
    const uint8_t tsresol = 9; /* 10^-9 s: virtual nanoseconds, as the engine counts them */

    out_buf_begin(o, 0x0A0D0D0A);       /* Section Header Block */
    out_buf_le32(o, 0x1A2B3C4D);         /* byte-order magic */
    out_buf_le16(o, 1);
    out_buf_le16(o, 0);
    out_buf_le32(o, 0xffffffffu);        /* section length: unknown */
    out_buf_le32(o, 0xffffffffu);
    out_buf_opt(o, 4, app, sizeof app - 1);
    out_buf_opt(o, 0, NULL, 0);
    if (out_buf_end(o, f) != 0)
        return -1;

    out_buf_begin(o, 1);                 /* Interface Description Block */
    out_buf_le16(o, OUT_PCAP_LINKTYPE_IPV4);
    out_buf_le16(o, 0);
    out_buf_le32(o, 0);                  /* snaplen: no limit */
    out_buf_opt(o, 2, ifname, sizeof ifname - 1);
    out_buf_opt(o, 9, &tsresol, 1);
    out_buf_opt(o, 0, NULL, 0);
    return out_buf_end(o, f);
}

int
out_pcap_finish(struct out_pcap *p, FILE *f)
{
    struct out_buf o = {0};
    uint8_t *pkt = malloc(65536);
    int rc = pkt ? out_pcap_headers(&o, f) : -1;
    for (size_t i = 0; rc == 0 && i < p->npkt; i++) {
        const struct out_pcap_pkt *k = &p->pkt[i];
        size_t n = out_pcap_packet(k, pkt, 65536);
        uint64_t ts = k->t > 0 ? (uint64_t)k->t : 0;
        out_buf_begin(&o, 6);            /* Enhanced Packet Block */
        out_buf_le32(&o, 0);             /* interface 0 */
        out_buf_le32(&o, (uint32_t)(ts >> 32));
        out_buf_le32(&o, (uint32_t)ts);
        out_buf_le32(&o, (uint32_t)n);
        out_buf_le32(&o, (uint32_t)n);
        out_buf_put(&o, pkt, n);
        out_buf_pad4(&o);
        struct out_sbuf c = {0};
        out_sbuf_printf(&c, OUT_PCAP_COMMENT_MAX + 64, "%s%s", k->note.len ? k->note.s : "",
                        k->dropped || k->delivered ? "" : "; still in flight at the end");
        if (c.len)
            out_buf_opt(&o, 1, c.s, c.len); /* opt_comment */
        out_sbuf_free(&c);
        out_buf_opt(&o, 0, NULL, 0);
        rc = out_buf_end(&o, f);
    }
    free(o.b);
    free(pkt);
    if (rc == 0 && fflush(f) != 0)
        rc = -1;
    return rc;
}
