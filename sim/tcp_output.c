/*
 * tcp_output.c - everything a TCB puts on the wire: SYN and SYN,ACK (§3.10.1, §3.10.7.2-3),
 * data within the peer's window and our FIN after the data (§3.8.6, §3.10.2, §3.10.4), ACKs,
 * resets (§3.10.7.1, §3.10.5), retransmissions (RFC 6298) and probes (§3.8.6.1, RFC 1122); and
 * for a listener, the SYN,ACK that carries a SYN cookie (tcp_send_synack_stateless, RFC 4987).
 *
 * Entry points: tcp_output, tcp_send_ack, tcp_send_syn, tcp_send_rst, tcp_send_reset_for,
 * tcp_retransmit, tcp_send_tail_probe (RFC 8985), tcp_send_probe.
 */
#include <string.h>

#include "tcp_internal.h"

/* The window of a SYN or SYN,ACK: RCV.WND as the handshake begins, and under rcv_window_linux
   also rcv_ssthresh, which the window never exceeds afterwards (it does not grow here). */
static void
tcp_seg_syn_window(struct tcp_conn *c, struct tcp_seg *s, uint8_t flags)
{
    if (c->host->cfg.rcv_window_linux) {
        tcp_rcv_window_start(c, (flags & TCP_ACK) && c->ts_ok);
    } else {
        uint32_t wnd = tcp_rcv_window(c);
        c->rcv_wnd = wnd > 65535u ? 65535u : wnd;
        c->rcv_adv = c->rcv_nxt + c->rcv_wnd; /* a client's is set when the SYN,ACK comes */
    }
    s->wnd = (uint16_t)c->rcv_wnd;
}

/* A segment from 'c' with its addresses, ports, our current window and, once agreed, our
   timestamp (RFC 7323 3.2: on every segment, TSecr = TS.Recent). The window of a SYN is never
   scaled (RFC 7323 2.2); the others' are shifted right by Rcv.Wind.Shift, so the window the
   peer sees is rounded down to a multiple of 2^shift. Inlined: every segment passes here. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline void
tcp_seg_init(struct tcp_conn *c, struct tcp_seg *s, uint32_t seq, uint8_t flags, uint16_t wnd)
{
    /* every field named: cheaper than clearing the whole segment first (its SACK blocks are
       read only when opt.nsack says so) */
    s->saddr = c->laddr;
    s->daddr = c->raddr;
    s->sport = c->lport;
    s->dport = c->rport;
    s->seq = seq;
    s->ack = (flags & TCP_ACK) ? c->rcv_nxt : 0;
    s->flags = flags;
    s->up = 0;
    s->mss = 0;
    s->opt.wscale = 0;
    s->opt.nsack = 0;
    s->len = 0;
    s->data = NULL;
    if (flags & TCP_SYN) {
        tcp_seg_syn_window(c, s, flags);
    } else {
        s->wnd = wnd; /* tcp_rcv_window_offer */
    }
    if (c->ts_ok) {
        s->opt.present = TCP_OPT_TS;
        s->opt.tsval = tcp_tsval(c);
        s->opt.tsecr = c->ts_recent;
    } else {
        s->opt.present = 0;
        s->opt.tsval = 0;
        s->opt.tsecr = 0;
    }
}

/* A segment from 'c', built where the wire will carry it (wire_seg_new): copying the segment
   into the wire's packet cost a twelfth of sending it. It must go to tcp_transmit. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline struct tcp_seg *
tcp_seg_new(struct tcp_conn *c, uint32_t seq, uint8_t flags)
{
    /* The window first (tcp_rcv_window_offer; a SYN's is set apart): it may call
       tcp_rcv_window_linux, and a call before the segment is taken has fewer values to keep
       across it (6 instructions a data segment, docs/performance.md). */
    uint16_t wnd = (flags & TCP_SYN) ? 0 : tcp_rcv_window_offer(c);
    struct tcp_seg *s = wire_seg_new(tcp_world(c));
    tcp_seg_init(c, s, seq, flags, wnd);
    return s;
}

/* Hand 's' (from tcp_seg_new) to the wire. With 'lender', its payload is lent from our send
   queue, not copied (wire.h): only for octets the queue keeps until they are acknowledged. Inlined, as is
   tcp_transmit: every segment passes here, and a call would cost as much as the bookkeeping. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline void
tcp_transmit_lent(struct tcp_conn *c, struct tcp_seg *s, struct wire_lender *lender)
{
    c->segs_sent++;
    if (c->ack_owed > 0 && (s->flags & TCP_ACK))
        tcp_delack_ack_sent(c); /* it acknowledges all we have received: the delack timer is idle */
    if (c->ato > 0 && s->len > 0)
        tcp_delack_data_sent(c); /* Linux: a reply soon after data is interactive */
    /* RFC 2018 4: SACK blocks on every ACK while data is held out of order, or a D-SACK is due
       (ACKs, data, FINs, probes; never a SYN or a reset), after the timestamp, which decides
       how many fit. Last, just before the segment leaves: a call earlier would make the
       compiler forget what it knows of 's' on the per-segment path (docs/performance.md). */
    if (c->sack_report && !(s->flags & (TCP_SYN | TCP_RST)))
        tcp_sack_fill(c, s);
    wire_send_built(tcp_world(c), c->host->index, s, c->id, lender);
}

#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline void
tcp_transmit(struct tcp_conn *c, struct tcp_seg *s)
{
    tcp_transmit_lent(c, s, NULL);
}

/* tcp_seg_new, with SND.NXT read after the window's call (tcp_rcv_window_offer): an
   argument read before it would be kept across the call in a saved register (1.6
   instructions a data segment) */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline void
tcp_send_ack_built(struct tcp_conn *c, uint16_t wnd)
{
    struct tcp_seg *s = wire_seg_new(tcp_world(c));
    tcp_seg_init(c, s, c->snd_nxt, TCP_ACK, wnd);
    tcp_transmit(c, s);
}

/* tcp_send_ack_offering when the wire's pool is empty or SACK blocks are due: each calls a
   function (wire_seg_make, tcp_sack_fill) with values to keep across it. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static void
tcp_send_ack_calling(struct tcp_conn *c, uint16_t wnd)
{
    tcp_send_ack_built(c, wnd);
}

void
tcp_send_ack_offering(struct tcp_conn *c, uint16_t wnd)
{
    /* The common ACK, a packet in the wire's pool and no SACK block to report, calls nothing
       but the wire's send, as a tail call: with the two calls of the other cases in the same
       body, every ACK saved two registers and a frame (docs/performance.md). */
    if (!tcp_world(c)->wire.pool || c->sack_report) {
        tcp_send_ack_calling(c, wnd);
        return;
    }
    tcp_send_ack_built(c, wnd);
}

void
tcp_send_ack(struct tcp_conn *c)
{
    tcp_send_ack_offering(c, tcp_rcv_window_offer(c));
}

void
tcp_send_syn(struct tcp_conn *c, bool with_ack)
{
    struct tcp_seg *s = tcp_seg_new(c, c->iss, with_ack ? (TCP_SYN | TCP_ACK) : TCP_SYN);
    tcp_opt_syn(c, s);
    if (c->retransmits == 0) {
        /* time the handshake: its round trip is the connection's first RTT sample */
        c->rtt_timing = true;
        c->rtt_seq = c->iss + 1;
        c->rtt_start = tcp_now(c);
    }
    tcp_transmit(c, s);
}

/* An empty segment that answers 'to' without a TCB: its addresses and ports swapped. */
static void
tcp_seg_reply(struct tcp_seg *s, const struct tcp_seg *to)
{
    memset(s, 0, sizeof *s);
    s->saddr = to->daddr;
    s->daddr = to->saddr;
    s->sport = to->dport;
    s->dport = to->sport;
}

void
tcp_send_synack_stateless(struct tcp_conn *l, const struct tcp_seg *syn, uint32_t iss)
{
    struct tcp_host *h = l->host;
    struct tcp_seg s;
    tcp_seg_reply(&s, syn);
    s.seq = iss;
    s.ack = syn->seq + 1;
    s.flags = TCP_SYN | TCP_ACK;
    /* the window a new connection would offer: its whole receive buffer, or under
       rcv_window_linux its initial window (this SYN,ACK has no timestamp) */
    if (h->cfg.rcv_window_linux)
        s.wnd = (uint16_t)tcp_initial_window(&h->cfg, (uint32_t)h->cfg.rmem[1], false);
    else
        s.wnd = (uint16_t)(h->cfg.rmem[1] > 65535 ? 65535 : h->cfg.rmem[1]);
    s.mss = (uint16_t)h->cfg.mss;
    wire_send(h->world, h->index, &s, l->id); /* shown as the listener's */
}

void
tcp_send_rst(struct tcp_conn *c)
{
    struct tcp_seg *s;
    if (c->host->cfg.active_reset_ack) {
        /* Linux tcp_send_active_reset: the reset also acknowledges what was received,
           <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, with the window as on any segment (a 6.18
           kernel's close() with unread data, SO_LINGER 0, a closed listener, keep-alive). */
        s = tcp_seg_new(c, c->snd_nxt, TCP_RST | TCP_ACK);
    } else {
        /* §3.10.5 ABORT: "Send a reset segment: <SEQ=SND.NXT><CTL=RST>" */
        s = tcp_seg_new(c, c->snd_nxt, TCP_RST);
        s->wnd = 0;
    }
    tcp_transmit(c, s);
}

void
tcp_send_reset_for(struct tcp_host *h, const struct tcp_seg *seg)
{
    /* RFC 9293 §3.10.7.1: "If the ACK bit is off, sequence number zero is used,
       <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; if the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>" */
    struct tcp_seg s;
    tcp_seg_reply(&s, seg);
    if (seg->flags & TCP_ACK) {
        s.seq = seg->ack;
        s.flags = TCP_RST;
    } else {
        s.seq = 0;
        s.ack = seg->seq + tcp_seg_len(seg);
        s.flags = TCP_RST | TCP_ACK;
    }
    wire_send(h->world, h->index, &s, 0);
}

/* Send 's', whose octets are not in one piece (they wrap around the end of the send queue's
   ring, or span two zero-copy sends), from a copy made contiguous (the wire keeps its own). Apart, so that the common case's stack frame is not
   64 KB large. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static void
tcp_send_data_copied(struct tcp_conn *c, struct tcp_seg *s, uint32_t off)
{
    uint8_t buf[65536];
    tcp_sndq_peek(c, off, buf, s->len);
    s->data = buf;
    tcp_transmit(c, s);
}

/* Remember that a segment sent with PSH ends at 'end', forgetting the ends already
   acknowledged, or the oldest when there is no room. */
static void
tcp_psh_mark(struct tcp_conn *c, uint32_t end)
{
    uint8_t n = c->psh_marks, k = 0;
    if (n && seq_le(c->psh_end[n - 1], c->snd_una))
        n = 0; /* all acknowledged: the common case of a transfer the peer keeps up with */
    while (k < n && seq_le(c->psh_end[k], c->snd_una))
        k++;
    if (n - k == TCP_PSH_MARKS)
        k++;
    if (k) {
        memmove(c->psh_end, c->psh_end + k, (size_t)(n - k) * sizeof c->psh_end[0]);
        n = (uint8_t)(n - k);
    }
    c->psh_end[n] = end;
    c->psh_marks = (uint8_t)(n + 1);
}

/* Did a segment sent with PSH end within the octets from 'seq' to 'end'? A retransmission of
   them carries PSH then: Linux resends a segment with the flags it had, and of segments it
   resends as one, with all their flags (tcp_collapse_retrans). */
static bool
tcp_psh_within(const struct tcp_conn *c, uint32_t seq, uint32_t end)
{
    for (uint8_t i = 0; i < c->psh_marks; i++)
        if (seq_lt(seq, c->psh_end[i]) && seq_le(c->psh_end[i], end))
            return true;
    return false;
}

/* Send one data segment of 'len' octets starting 'off' octets after SND.UNA. Inlined into
   tcp_output's loop, which sends almost every data segment: the call and its six saved
   registers cost as much as a fifth of the segment's own work. The others (retransmissions,
   probes) call tcp_send_data, below. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline void
tcp_send_data_now(struct tcp_conn *c, uint32_t off, uint32_t len, bool push)
{
    uint32_t seq = c->snd_una + off;
    if (push)
        tcp_psh_mark(c, seq + len);
    else if (c->psh_marks && seq_lt(seq, c->psh_end[c->psh_marks - 1]) && tcp_psh_within(c, seq, seq + len))
        push = true; /* a resend (new data lies above every mark: one comparison) */
    struct tcp_seg *s = tcp_seg_new(c, c->snd_una + off, TCP_ACK | (push ? TCP_PSH : 0));
    s->len = len;
    c->bytes_sent += len;
    /* The send queue keeps these octets until they are acknowledged, so the segment can carry
       them without a copy, unless they are not in one piece. */
    s->data = tcp_sndq_span(c, off, len);
    if (s->data)
        tcp_transmit_lent(c, s, &c->lent);
    else
        tcp_send_data_copied(c, s, off);
}

static void
tcp_send_data(struct tcp_conn *c, uint32_t off, uint32_t len, bool push)
{
    tcp_send_data_now(c, off, len, push);
}

static void
tcp_send_fin(struct tcp_conn *c)
{
    struct tcp_seg *s = tcp_seg_new(c, c->fin_sent ? c->fin_seq : c->snd_nxt, TCP_FIN | TCP_ACK);
    if (!c->fin_sent) {
        c->fin_seq = c->snd_nxt;
        c->fin_sent = true;
        c->snd_nxt++;
    }
    tcp_transmit(c, s);
}

/* tcp_output (inline, tcp_internal.h) when something may be sent. Apart, so that the
   commonest call, which has nothing to do, saves no registers. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
void
tcp_output_queued(struct tcp_conn *c)
{
    /* Data flows once our SYN is acknowledged (§3.10.2: SEND in SYN-SENT or SYN-RECEIVED
       queues it "for transmission after entering ESTABLISHED state"). */
    bool syn_acked = c->snd_una != c->iss || c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT;
    if (!syn_acked && !c->fin_queued)
        return;
    bool sent = false;
    uint32_t off = tcp_data_in_flight(c); /* octets of the queue already sent */
    if (syn_acked && !c->fin_sent) {
        uint32_t outstanding = c->snd_nxt - c->snd_una;
        while (off < c->sndq.len && outstanding < c->snd_wnd) {
            uint32_t avail = c->sndq.len - off, usable = c->snd_wnd - outstanding;
            uint32_t n = avail < usable ? avail : usable;
            if (n > c->snd_mss)
                n = c->snd_mss;
            if (n == 0)
                break; /* no SND.MSS: nothing can be sent */
            tcp_send_data_now(c, off, n, n == avail);
            if (c->snd_nxt == c->snd_una)
                c->first_unacked_at = tcp_now(c);
            if (!c->rtt_timing) {
                /* RFC 6298 §3 (Karn): time one fresh segment at a time */
                c->rtt_timing = true;
                c->rtt_seq = c->snd_nxt + n;
                c->rtt_start = tcp_now(c);
            }
            c->snd_nxt += n;
            off += n;
            outstanding += n;
            sent = true;
        }
        /* Zero window with data waiting and nothing in flight: probe (§3.8.6.1). */
        if (c->snd_wnd == 0 && c->sndq.len > off && c->snd_nxt == c->snd_una
            && !tcp_timer_armed(c, TCP_TIMER_PERSIST))
            tcp_timer_arm(c, TCP_TIMER_PERSIST, c->rto);
    }
    /* Our FIN goes after the last octet of data (§3.10.4: "queue this until all preceding
       SENDs have been segmentized"). */
    if (c->fin_queued && !c->fin_sent && off == c->sndq.len) {
        if (c->snd_nxt == c->snd_una)
            c->first_unacked_at = tcp_now(c);
        tcp_send_fin(c);
        sent = true;
    }
    if (sent)
        tcp_rexmit_update(c);
}

void
tcp_retransmit(struct tcp_conn *c)
{
    c->rtt_timing = false; /* Karn: no sample from a retransmitted segment */
    c->total_retransmits++;
    if (c->snd_una == c->iss && c->snd_nxt != c->snd_una) {
        /* The earliest unacknowledged thing is our SYN. */
        tcp_send_syn(c, c->state != TCP_SYN_SENT);
        return;
    }
    uint32_t data = tcp_data_in_flight(c);
    if (data > 0) {
        uint32_t n = data < c->snd_mss ? data : c->snd_mss;
        tcp_send_data(c, 0, n, n == data);
        return;
    }
    if (c->fin_sent && seq_le(c->snd_una, c->fin_seq))
        tcp_send_fin(c);
}

uint32_t
tcp_resend_data(struct tcp_conn *c, uint32_t seq, uint32_t len)
{
    uint32_t data = tcp_data_in_flight(c), off = seq - c->snd_una;
    if (c->snd_una == c->iss || off >= data || len == 0)
        return 0; /* our SYN is still out, or no data was sent there */
    if (len > data - off)
        len = data - off;
    if (len > c->snd_mss)
        len = c->snd_mss;
    c->rtt_timing = false; /* Karn: no sample from a retransmitted segment */
    c->total_retransmits++;
    tcp_send_data(c, off, len, off + len == data);
    return len;
}

void
tcp_send_tail_probe(struct tcp_conn *c)
{
    /* RFC 8985 7.3: send new data if there is some and the window allows, else "retransmit
       the highest-sequence segment sent so far". tcp_output has sent all the window allows
       (tcpsim has no congestion window), so it is always the last segment: our FIN if it is
       out, else the last piece of data as tcp_output cut it, SND.MSS by SND.MSS from SND.UNA. */
    c->rtt_timing = false; /* Karn: no sample from a segment sent twice */
    c->total_retransmits++;
    if (c->fin_sent && seq_le(c->snd_una, c->fin_seq)) {
        tcp_send_fin(c);
        return;
    }
    uint32_t data = tcp_data_in_flight(c);
    if (data == 0)
        return;
    uint32_t n = (data - 1) % c->snd_mss + 1;
    tcp_send_data(c, data - n, n, data == c->sndq.len);
}

void
tcp_send_probe(struct tcp_conn *c, bool window_probe)
{
    if (window_probe && c->sndq.len > tcp_data_in_flight(c)) {
        /* §3.8.6.1: "send at least one octet of new data" beyond the zero window; the
           retransmission timer then repeats it with backoff until the window opens. */
        uint32_t off = tcp_data_in_flight(c);
        if (c->snd_nxt == c->snd_una)
            c->first_unacked_at = tcp_now(c);
        tcp_send_data(c, off, 1, true);
        c->snd_nxt += 1;
        tcp_rexmit_update(c);
        return;
    }
    /* RFC 1122 4.2.3.6: a keep-alive carries SEG.SEQ = SND.NXT-1, which the peer must answer
       with an ACK. Linux sends SND.UNA-1 (tcp_xmit_probe_skb); only an idle connection is
       probed (tcp_timer_fire), where SND.NXT = SND.UNA, so the two are the same number. */
    tcp_transmit(c, tcp_seg_new(c, c->snd_una - 1, TCP_ACK));
}
