/*
 * tcp_input.c - SEGMENT ARRIVES, RFC 9293 §3.10.7, step by step in the RFC's order.
 *
 * tcp_input() finds the connection a segment belongs to and hands it to the processing for
 * that connection's state:
 *   CLOSED        §3.10.7.1  tcp_input_closed
 *   LISTEN        §3.10.7.2  tcp_input_listen
 *   SYN-SENT      §3.10.7.3  tcp_input_syn_sent
 *   other states  §3.10.7.4  tcp_input_other, which runs the RFC's steps in order:
 *       first   check_sequence  (acceptability, trimming to the window)
 *       second  check_rst       (with RFC 5961's challenge ACK)
 *       fourth  check_syn       (RFC 5961 §4; the third, security, is not modelled)
 *       fifth   check_ack
 *       seventh process_text    (the sixth, URG, is not modelled)
 *       eighth  check_fin
 * Before that, header prediction (tcp_predicted) sends the two commonest segments of an
 * ESTABLISHED connection, an ACK of new data and the next data in order, through only the
 * steps that act on them.
 * Every notable outcome names its rule through tcp_note() or tcp_set_state().
 */
#include "tcp_internal.h"

/* The part of an arriving segment that survives trimming to the receive window. */
struct tcp_text {
    uint32_t seq;        /* first octet of 'data' (or the FIN, when len == 0) */
    uint32_t len;        /* octets of data kept */
    const uint8_t *data;
    bool syn, fin;       /* still inside the window */
    const struct tcp_seg *seg; /* the segment it was cut from */
};

/* Find the connection for 'seg': an exact socket pair first, else a listener on the port. */
struct tcp_conn *
tcp_demux(const struct tcp_host *h, const struct tcp_seg *seg)
{
    struct tcp_conn *listener = NULL;
    for (struct tcp_conn *c = h->conns; c; c = c->host_next) {
        if (c->lport != seg->dport)
            continue;
        if (c->state == TCP_LISTEN) {
            listener = c;
            continue;
        }
        if (c->rport == seg->sport && c->raddr == seg->saddr)
            return c;
    }
    return listener;
}

/* SND.MSS from the peer's SYN (§3.7.1): the smaller of its MSS option and ours; "If an MSS
   Option is not received at connection setup, TCP implementations MUST assume a default send
   MSS of 536 (576 - 40) for IPv4." */
static void
tcp_set_snd_mss(struct tcp_conn *c, const struct tcp_seg *syn)
{
    uint32_t theirs = syn->mss ? syn->mss : 536u;
    uint32_t ours = (uint32_t)c->host->cfg.mss;
    c->snd_mss = theirs < ours ? theirs : ours;
}

/* The ACK that answers an unacceptable segment. Two ends that each find the other's ACKs
   unacceptable would answer each other forever; like Linux (tcp_invalid_ratelimit), answer a
   run of unacceptable bare ACKs at most once per interval. */
static void
tcp_send_oow_ack(struct tcp_conn *c, const struct tcp_seg *seg)
{
    clk_time limit = c->host->cfg.invalid_ratelimit;
    bool bare_ack = seg->len == 0 && !(seg->flags & (TCP_SYN | TCP_FIN | TCP_RST));
    if (bare_ack && limit > 0 && c->oow_limited && tcp_now(c) - c->oow_last < limit) {
        tcp_note(c->host, c, TCP_RULE_ACK_RATE_LIMITED);
        return;
    }
    c->oow_limited = bare_ack;
    c->oow_last = tcp_now(c);
    tcp_send_ack(c);
}

/* ---- §3.10.7.1 CLOSED ---------------------------------------------------------------- */

static void
tcp_input_closed(struct tcp_host *h, const struct tcp_seg *seg)
{
    /* "An incoming segment containing a RST is discarded." */
    if (seg->flags & TCP_RST) {
        tcp_note(h, NULL, TCP_RULE_CLOSED_RST_DROP);
        return;
    }
    /* "An incoming segment not containing a RST causes a RST to be sent in response." */
    tcp_note(h, NULL, TCP_RULE_CLOSED_SEND_RST);
    tcp_send_reset_for(h, seg);
}

/* ---- §3.10.7.2 LISTEN ---------------------------------------------------------------- */

static void
tcp_input_listen(struct tcp_conn *l, const struct tcp_seg *seg)
{
    struct tcp_host *h = l->host;
    /* first, check for an RST: "An incoming RST segment could not be valid ... ignore it" */
    if (seg->flags & TCP_RST) {
        tcp_note(h, l, TCP_RULE_LISTEN_RST_IGNORE);
        return;
    }
    /* second, check for an ACK: "any acknowledgment is bad ... <SEQ=SEG.ACK><CTL=RST>" */
    if (seg->flags & TCP_ACK) {
        tcp_note(h, l, TCP_RULE_LISTEN_ACK_RST);
        tcp_send_reset_for(h, seg);
        return;
    }
    /* fourth, other text or control: "drop the segment and return" */
    if (!(seg->flags & TCP_SYN)) {
        tcp_note(h, l, TCP_RULE_LISTEN_OTHER_DROP);
        return;
    }
    /* third, check for a SYN */
    if (l->pending >= l->backlog) {
        tcp_note(h, l, TCP_RULE_LISTEN_BACKLOG_FULL);
        return;
    }
    struct tcp_conn *c = world_conn_new(h->world, h);
    if (!c || tcp_conn_buffers(c) != 0) {
        tcp_note(h, l, TCP_RULE_LISTEN_BACKLOG_FULL); /* "insufficient resources" */
        return;
    }
    /* The new TCB starts as a copy of the listening one (the RFC keeps one TCB that leaves
       LISTEN; sockets keep the listener and clone it, so the new one is born in LISTEN). */
    c->state = TCP_LISTEN;
    c->lport = l->lport;
    c->raddr = seg->saddr;
    c->rport = seg->sport;
    c->listener = l;
    c->passive = true;
    c->reuseaddr = l->reuseaddr;
    c->keepalive = l->keepalive;
    c->opts = l->opts; /* setsockopt on the listener: Linux's sk_clone_lock copies them */
    if ((c->opts.rcvbuf && tcp_set_bufsize(c, true, (uint32_t)c->opts.rcvbuf) != TCP_OK) ||
        (c->opts.sndbuf && tcp_set_bufsize(c, false, (uint32_t)c->opts.sndbuf) != TCP_OK))
        c->opts.rcvbuf = c->opts.sndbuf = 0; /* out of memory: the host's sizes, as allocated */
    l->pending++;
    /* "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ ... ISS should be selected and a SYN
       segment sent of the form <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. SND.NXT is set to
       ISS+1 and SND.UNA to ISS." Text on the SYN is not kept: the peer sends it again. */
    c->rcv_nxt = seg->seq + 1;
    c->irs = seg->seq;
    c->iss = tcp_choose_iss(h, l->isn_opt);
    c->snd_una = c->iss;
    c->snd_nxt = c->iss + 1;
    c->snd_wnd = seg->wnd;
    c->snd_wl1 = seg->seq;
    tcp_set_snd_mss(c, seg);
    c->last_heard = tcp_now(c);
    tcp_conn_attach(c);
    tcp_set_state(c, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    tcp_send_syn(c, true);
    tcp_rexmit_update(c);
}

/* ---- §3.10.7.3 SYN-SENT -------------------------------------------------------------- */

static void tcp_process_text_and_fin(struct tcp_conn *c, const struct tcp_text *t);

static void
tcp_input_syn_sent(struct tcp_conn *c, const struct tcp_seg *seg)
{
    struct tcp_host *h = c->host;
    bool ack_ok = false;
    /* first, check the ACK bit */
    if (seg->flags & TCP_ACK) {
        /* "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST bit is set,
           if so drop the segment and return) <SEQ=SEG.ACK><CTL=RST>" */
        if (seq_le(seg->ack, c->iss) || seq_gt(seg->ack, c->snd_nxt)) {
            if (seg->flags & TCP_RST) {
                tcp_note(h, c, TCP_RULE_SYN_SENT_BAD_ACK_DROP);
                return;
            }
            tcp_note(h, c, TCP_RULE_SYN_SENT_BAD_ACK_RST);
            tcp_send_reset_for(h, seg);
            return;
        }
        /* "If SND.UNA < SEG.ACK =< SND.NXT, then the ACK is acceptable." */
        ack_ok = seq_lt(c->snd_una, seg->ack) && seq_le(seg->ack, c->snd_nxt);
    }
    /* second, check the RST bit */
    if (seg->flags & TCP_RST) {
        if (ack_ok) {
            /* "signal to the user 'error: connection reset', drop the segment, enter CLOSED" */
            tcp_delete_tcb(c, TCP_RULE_SYN_SENT_RST_REFUSED, TCP_ECONNREFUSED);
            return;
        }
        /* "Otherwise (no ACK), drop the segment and return." (RFC 5961 §3 hardening) */
        tcp_note(h, c, TCP_RULE_SYN_SENT_RST_DROP);
        return;
    }
    /* third, security: not modelled. fourth, check the SYN bit */
    if (!(seg->flags & TCP_SYN)) {
        /* fifth: "If neither of the SYN or RST bits is set, then drop the segment" */
        tcp_note(h, c, TCP_RULE_SYN_SENT_OTHER_DROP);
        return;
    }
    c->rcv_nxt = seg->seq + 1;
    c->irs = seg->seq;
    c->last_heard = tcp_now(c);
    tcp_set_snd_mss(c, seg);
    if (ack_ok) {
        /* "SND.UNA should be advanced to equal SEG.ACK ... If SND.UNA > ISS (our SYN has been
           ACKed), change the connection state to ESTABLISHED, form an ACK segment
           <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it." */
        c->snd_una = seg->ack;
        c->snd_wnd = seg->wnd;
        c->snd_wl1 = seg->seq;
        c->snd_wl2 = seg->ack;
        if (c->rtt_timing && c->retransmits == 0)
            tcp_rtt_sample(c, tcp_now(c) - c->rtt_start);
        c->rtt_timing = false;
        c->retransmits = 0;
        tcp_timer_cancel(c, TCP_TIMER_REXMIT);
        tcp_set_state(c, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
        tcp_keepalive_reset(c);
        /* "If there are other controls or text in the segment, then continue processing at
           the sixth step below" */
        struct tcp_text t = {
            .seq = seg->seq + 1, .len = seg->len, .data = seg->data, .fin = (seg->flags & TCP_FIN) != 0,
            .seg = seg,
        };
        uint32_t wnd = tcp_rcv_window(c);
        if (t.len > wnd) {
            t.len = wnd;
            t.fin = false;
        }
        if (t.len > 0 || t.fin)
            tcp_process_text_and_fin(c, &t);
        else
            tcp_send_ack(c);
        if (c->state != TCP_CLOSED)
            tcp_output(c);
        return;
    }
    /* "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT>
       <CTL=SYN,ACK> and send it. Set the variables SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ,
       SND.WL2 <- SEG.ACK" (simultaneous open) */
    c->snd_wnd = seg->wnd;
    c->snd_wl1 = seg->seq;
    c->snd_wl2 = seg->ack;
    tcp_set_state(c, TCP_SYN_RECEIVED, TCP_RULE_SYN_SENT_SIM_OPEN);
    tcp_send_syn(c, true);
    c->rtt_timing = false; /* Karn: the SYN,ACK sends ISS a second time */
    tcp_rexmit_update(c);
}

/* ---- §3.10.7.4 the other states ------------------------------------------------------ */

/* first, check the sequence number: the four cases of the acceptability test. */
static bool
tcp_acceptable(const struct tcp_conn *c, const struct tcp_seg *seg, uint32_t wnd)
{
    uint32_t len = tcp_seg_len(seg);
    uint32_t nxt = c->rcv_nxt;
    if (len == 0 && wnd == 0)
        return seg->seq == nxt;
    if (len == 0)
        return seq_in(seg->seq, nxt, nxt + wnd);
    if (wnd == 0)
        return false;
    return seq_in(seg->seq, nxt, nxt + wnd) || seq_in(seg->seq + len - 1, nxt, nxt + wnd);
}

/* Trim an acceptable segment to the window: "segments with higher beginning sequence
   numbers may be held", octets before RCV.NXT are already ours, octets past the right edge
   are cut off (with the FIN, which then lies outside). */
static void
tcp_trim(const struct tcp_conn *c, const struct tcp_seg *seg, uint32_t wnd, struct tcp_text *t)
{
    t->seq = seg->seq;
    t->len = seg->len;
    t->data = seg->data;
    t->seg = seg;
    t->syn = (seg->flags & TCP_SYN) != 0;
    t->fin = (seg->flags & TCP_FIN) != 0;
    if (t->syn) {
        if (seq_lt(t->seq, c->rcv_nxt))
            t->syn = false;
        t->seq++; /* the SYN occupies the first sequence number */
    }
    if (seq_lt(t->seq, c->rcv_nxt)) {
        uint32_t skip = c->rcv_nxt - t->seq;
        if (skip > t->len) {
            skip = t->len;
        }
        t->data += skip;
        t->len -= skip;
        t->seq += skip;
        if (seq_lt(t->seq, c->rcv_nxt)) /* only the FIN was left, and it is old too */
            t->fin = false;
    }
    uint32_t right = c->rcv_nxt + wnd;
    if (seq_gt(t->seq + t->len, right)) {
        t->len = seq_gt(right, t->seq) ? right - t->seq : 0;
        t->fin = false;
    }
}

/* A retransmitted FIN that we have already taken (its end is RCV.NXT). */
static bool
tcp_is_old_fin(const struct tcp_conn *c, const struct tcp_seg *seg)
{
    return c->fin_rcvd && (seg->flags & TCP_FIN) && !(seg->flags & (TCP_RST | TCP_SYN))
           && seg->seq + tcp_seg_len(seg) == c->rcv_nxt;
}

/* Keep an out-of-order segment for reassembly, sorted by sequence number. */
static void
tcp_ooo_insert(struct tcp_conn *c, const struct tcp_text *t)
{
    struct tcp_ooo **pp = &c->ooo;
    /* Segments behind a hole mostly arrive in order: the search starts after the last one
       held when it comes before this one (so does every node before it: the list is sorted). */
    if (c->ooo_last && seq_lt(c->ooo_last->seq, t->seq))
        pp = &c->ooo_last->next;
    while (*pp && seq_lt((*pp)->seq, t->seq))
        pp = &(*pp)->next;
    if (*pp && (*pp)->seq == t->seq && (*pp)->len >= t->len && ((*pp)->fin || !t->fin))
        return; /* a duplicate of what we hold */
    if (c->ooo_bytes + t->len > c->rcvq.cap)
        return; /* overlapping segments could add up past the buffer: the peer resends */
    struct tcp_ooo *o = tcp_ooo_new(c, t->seg, t->data, t->len);
    if (!o)
        return; /* dropped: the peer will retransmit */
    o->seq = t->seq;
    o->fin = t->fin;
    o->next = *pp;
    *pp = o;
    if (!o->next)
        c->ooo_last = o;
    c->ooo_bytes += t->len;
}

/* eighth, check the FIN bit: the peer's FIN is in sequence at RCV.NXT. */
static void
tcp_check_fin(struct tcp_conn *c)
{
    /* "advance RCV.NXT over the FIN, and send an acknowledgment for the FIN" */
    c->rcv_nxt++;
    c->fin_rcvd = true;
    switch (c->state) {
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
        tcp_set_state(c, TCP_CLOSE_WAIT, TCP_RULE_FIN_CLOSE_WAIT);
        break;
    case TCP_FIN_WAIT_1:
        /* "If our FIN has been ACKed (perhaps in this segment), then enter TIME-WAIT, start
           the time-wait timer, turn off the other timers; otherwise, enter the CLOSING state." */
        if (c->fin_sent && seq_gt(c->snd_una, c->fin_seq)) {
            tcp_set_state(c, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
            tcp_start_time_wait(c);
        } else {
            tcp_set_state(c, TCP_CLOSING, TCP_RULE_FIN_CLOSING);
        }
        break;
    case TCP_FIN_WAIT_2:
        tcp_set_state(c, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
        tcp_start_time_wait(c);
        break;
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        tcp_note(c->host, c, TCP_RULE_FIN_AGAIN);
        break;
    case TCP_TIME_WAIT:
        tcp_note(c->host, c, TCP_RULE_FIN_TIME_WAIT_AGAIN);
        tcp_start_time_wait(c);
        break;
    case TCP_CLOSED:
    case TCP_LISTEN:
    case TCP_SYN_SENT:
    case TCP_STATE_COUNT:
        /* "Do not process the FIN if the state is CLOSED, LISTEN, or SYN-SENT" */
        tcp_note(c->host, c, TCP_RULE_FIN_NOT_SYNC_DROP);
        return;
    }
    tcp_send_ack(c);
}

/* Acknowledge 'n' in-order octets just accepted: at once, or later under the delayed_ack
   setting. RFC 9293 3.8.6.3: "A TCP SHOULD implement a delayed ACK, but an ACK should not be
   excessively delayed; in particular, the delay MUST be less than 0.5 seconds", and "an ACK
   SHOULD be generated for at least every second full-sized segment or 2*RMSS bytes of new
   data". SND.MSS stands for RMSS: the peer sends segments of at most that size, and an ACK
   every 2*SND.MSS octets is never later than one every 2*RMSS. RFC 5681 4.2: a segment that
   fills a gap in the sequence space is acknowledged at once. */
static void
tcp_ack_text(struct tcp_conn *c, uint32_t n, bool filled_gap)
{
    if (!c->host->cfg.delayed_ack || filled_gap) {
        tcp_send_ack(c);
        return;
    }
    bool first = c->ack_owed == 0;
    c->ack_owed += n;
    if (c->ack_owed >= 2 * c->snd_mss) {
        tcp_send_ack(c); /* sending it clears ack_owed (tcp_transmit_lent) */
        return;
    }
    tcp_note(c->host, c, TCP_RULE_ACK_DELAYED);
    /* The first octets held back start the clock; an idle timer still running from an
       earlier ACK is pushed later (clk.h: postponing is free). */
    if (first)
        tcp_timer_arm(c, TCP_TIMER_DELACK, c->host->cfg.delack_timeout);
}

/* seventh, FIN-WAIT-1/2 after shutdown(SHUT_RDWR): nobody will read new text, so it is
   answered with a RST and the connection reset, as Linux's tcp_rcv_state_process does for a
   socket whose receiving side is shut (RFC 1122 4.2.2.13: "if new data is received after
   CLOSE is called, its TCP SHOULD send a RST to show that data was lost"). true when so. */
static bool
tcp_rcv_shut_data(struct tcp_conn *c, const struct tcp_text *t)
{
    if (!c->rd_shut || t->len == 0 || !seq_gt(t->seq + t->len, c->rcv_nxt))
        return false;
    tcp_send_reset_for(c->host, t->seg);
    tcp_delete_tcb(c, TCP_RULE_SHUT_RD_DATA_RST, TCP_ECONNRESET);
    return true;
}

/* seventh, process the segment text, then eighth, the FIN. */
static void
tcp_process_text_and_fin(struct tcp_conn *c, const struct tcp_text *t)
{
    switch (c->state) {
    case TCP_ESTABLISHED:
        break;
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
        if (tcp_rcv_shut_data(c, t))
            return;
        break;
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
    case TCP_TIME_WAIT:
        /* "This should not occur since a FIN has been received from the remote side.
           Ignore the segment text." */
        if (t->len > 0)
            tcp_note(c->host, c, TCP_RULE_TEXT_IGNORED);
        if (t->fin && seq_lt(t->seq + t->len, c->rcv_nxt + 1))
            tcp_check_fin(c);
        return;
    case TCP_CLOSED:
    case TCP_LISTEN:
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
    case TCP_STATE_COUNT:
        return;
    }
    if (t->len == 0 && !t->fin)
        return;
    if (t->seq != c->rcv_nxt) {
        /* Out of order but in the window: hold it, and tell the peer what we still expect
           (a duplicate ACK). */
        tcp_note(c->host, c, TCP_RULE_SEQ_OUT_OF_ORDER);
        tcp_ooo_insert(c, t);
        tcp_send_ack(c);
        return;
    }
    /* "Once in the ESTABLISHED state, it is possible to deliver segment data to user RECEIVE
       buffers ... advance RCV.NXT over the data accepted, and adjust RCV.WND" */
    uint32_t n = tcp_rcvq_put_text(c, t->seg, t->data, t->len);
    c->rcv_nxt += n;
    c->bytes_received += n;
    bool fin = t->fin && n == t->len;
    bool filled_gap = c->ooo != NULL;
    /* Reassembly: segments held earlier may now be in order. */
    while (c->ooo && seq_le(c->ooo->seq, c->rcv_nxt) && !fin) {
        struct tcp_ooo *o = c->ooo;
        c->ooo = o->next;
        if (!c->ooo)
            c->ooo_last = NULL;
        c->ooo_bytes -= o->len;
        uint32_t skip = c->rcv_nxt - o->seq;
        if (skip < o->len) {
            uint32_t m = tcp_rcvq_put_ooo(c, o, skip);
            c->rcv_nxt += m;
            c->bytes_received += m;
            fin = o->fin && m == o->len - skip;
        } else if (skip == o->len && o->fin) {
            fin = true;
        }
        tcp_ooo_free(c, o);
    }
    if (fin)
        tcp_check_fin(c); /* sends the ACK covering data and FIN */
    else
        tcp_ack_text(c, n, filled_gap);
}

/* fifth, SND.UNA < SEG.ACK =< SND.NXT: "then set SND.UNA <- SEG.ACK. Any segments on the
   retransmission queue that are thereby entirely acknowledged are removed." */
static void
tcp_ack_new_data(struct tcp_conn *c, const struct tcp_seg *seg)
{
    uint32_t acked = seg->ack - c->snd_una;
    if (c->snd_una == c->iss)
        acked--; /* our SYN */
    if (c->fin_sent && seq_gt(seg->ack, c->fin_seq))
        acked--; /* our FIN */
    if (acked > c->sndq.len)
        acked = c->sndq.len;
    /* segments in flight that borrowed these octets (overtaken by their own
       retransmission) take a copy before the queue reuses the space */
    wire_recall(tcp_world(c), &c->lent, seg->ack);
    tcp_sndq_drop(c, acked);
    if (c->rtt_timing && seq_ge(seg->ack, c->rtt_seq)) {
        tcp_rtt_sample(c, tcp_now(c) - c->rtt_start);
        c->rtt_timing = false;
    }
    c->snd_una = seg->ack;
    c->retransmits = 0;
    c->dupacks = 0;
    if (c->snd_nxt != c->snd_una)
        c->first_unacked_at = tcp_now(c);
    if (c->in_recovery) {
        /* RFC 6582 3.2: a partial ACK (below "recover") shows the next hole: resend it
           at once instead of waiting for another timeout */
        if (seq_lt(seg->ack, c->recover))
            tcp_retransmit(c);
        else
            c->in_recovery = false;
    }
    tcp_rexmit_restart(c);
}

/* fifth: "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated. If (SND.WL1 <
   SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), ..." (the caller has checked
   SEG.ACK =< SND.NXT): the segment is newer than the one the window was last taken from. */
static inline bool
tcp_window_update_due(const struct tcp_conn *c, const struct tcp_seg *seg)
{
    return seq_le(c->snd_una, seg->ack)
           && (seq_lt(c->snd_wl1, seg->seq) || (c->snd_wl1 == seg->seq && seq_le(c->snd_wl2, seg->ack)));
}

/* ... "set SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK." */
static void
tcp_update_send_window(struct tcp_conn *c, const struct tcp_seg *seg)
{
    if (tcp_window_update_due(c, seg)) {
        bool reopened = c->snd_wnd == 0 && seg->wnd > 0;
        c->snd_wnd = seg->wnd;
        c->snd_wl1 = seg->seq;
        c->snd_wl2 = seg->ack;
        if (c->snd_wnd > 0)
            tcp_timer_cancel(c, TCP_TIMER_PERSIST);
        else if (c->retransmits > 0)
            c->retransmits = 0; /* the peer answers our window probes: it is alive */
        if (reopened && !c->fin_sent && c->snd_nxt != c->snd_una) {
            /* The window opened while a probe octet was refused: send again from SND.UNA
               rather than leave a hole behind the probe. */
            c->snd_nxt = c->snd_una;
            c->rtt_timing = false;
            tcp_timer_cancel(c, TCP_TIMER_REXMIT);
        }
    }
}

/* fifth, check the ACK field, in ESTABLISHED and the states after it. false: drop. */
static bool
tcp_check_ack(struct tcp_conn *c, const struct tcp_seg *seg)
{
    /* "If the ACK acknowledges something not yet sent (SEG.ACK > SND.NXT), then send an ACK,
       drop the segment, and return." */
    if (seq_gt(seg->ack, c->snd_nxt)) {
        tcp_note(c->host, c, TCP_RULE_ACK_TOO_NEW);
        tcp_send_oow_ack(c, seg);
        return false;
    }
    if (seq_lt(c->snd_una, seg->ack)) {
        tcp_ack_new_data(c, seg);
    } else if (seg->ack == c->snd_una && seg->len == 0 && !(seg->flags & TCP_FIN)
               && c->snd_nxt != c->snd_una && seg->wnd == c->snd_wnd && seg->wnd != 0) {
        /* A duplicate ACK: the peer is missing the segment at SND.UNA. */
        if (++c->dupacks == 3 && !c->in_recovery) {
            tcp_note(c->host, c, TCP_RULE_FAST_RETRANSMIT);
            c->in_recovery = true;
            c->recover = c->snd_nxt;
            tcp_retransmit(c);
        }
    }
    tcp_update_send_window(c, seg);
    bool fin_acked = c->fin_sent && seq_gt(c->snd_una, c->fin_seq);
    switch (c->state) {
    case TCP_FIN_WAIT_1:
        /* "if the FIN segment is now acknowledged, then enter FIN-WAIT-2" */
        if (fin_acked) {
            tcp_set_state(c, TCP_FIN_WAIT_2, TCP_RULE_FIN_WAIT_1_ACKED);
            if (c->orphaned && c->host->cfg.fin_timeout > 0)
                tcp_timer_arm(c, TCP_TIMER_FINWAIT2, c->host->cfg.fin_timeout);
        }
        break;
    case TCP_CLOSING:
        /* "if the ACK acknowledges our FIN, then enter the TIME-WAIT state" */
        if (fin_acked) {
            tcp_set_state(c, TCP_TIME_WAIT, TCP_RULE_CLOSING_ACKED);
            tcp_start_time_wait(c);
        }
        break;
    case TCP_LAST_ACK:
        /* "The only thing that can arrive in this state is an acknowledgment of our FIN. If
           our FIN is now acknowledged, delete the TCB, enter the CLOSED state, and return." */
        if (fin_acked) {
            tcp_delete_tcb(c, TCP_RULE_LAST_ACK_ACKED, TCP_OK);
            return false;
        }
        break;
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
    case TCP_TIME_WAIT:
    case TCP_CLOSED:
    case TCP_LISTEN:
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
    case TCP_STATE_COUNT:
        break;
    }
    return true;
}

/* second, check the RST bit. true when the segment was consumed. */
static bool
tcp_check_rst(struct tcp_conn *c, const struct tcp_seg *seg)
{
    if (!(seg->flags & TCP_RST))
        return false;
    /* RFC 5961 §3.2: "If the RST bit is set and the sequence number exactly matches the next
       expected sequence number (RCV.NXT), then TCP MUST reset the connection ... otherwise
       (in the window) TCP MUST send an ACK (challenge ACK)" */
    if (seg->seq != c->rcv_nxt) {
        tcp_note(c->host, c, TCP_RULE_RST_CHALLENGE);
        tcp_send_ack(c);
        return true;
    }
    switch (c->state) {
    case TCP_SYN_RECEIVED:
        /* "If this connection was initiated with a passive OPEN, then return this connection
           to the LISTEN state"; the listener is still there, this clone goes. "If ... active
           OPEN, then the connection was refused" */
        if (c->passive)
            tcp_delete_tcb(c, TCP_RULE_RST_TO_LISTEN, TCP_OK);
        else
            tcp_delete_tcb(c, TCP_RULE_RST_REFUSED, TCP_ECONNREFUSED);
        break;
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
        /* "any outstanding RECEIVEs and SEND should receive 'reset' responses ... enter the
           CLOSED state, delete the TCB, and return" */
        tcp_delete_tcb(c, TCP_RULE_RST_RESET, TCP_ECONNRESET);
        break;
    case TCP_TIME_WAIT:
        if (c->host->cfg.rfc1337) {
            tcp_note(c->host, c, TCP_RULE_RST_RFC1337_IGNORE);
            break;
        }
        tcp_delete_tcb(c, TCP_RULE_RST_CLOSE, TCP_OK);
        break;
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        tcp_delete_tcb(c, TCP_RULE_RST_CLOSE, TCP_OK);
        break;
    case TCP_CLOSED:
    case TCP_LISTEN:
    case TCP_SYN_SENT:
    case TCP_STATE_COUNT:
        break;
    }
    return true;
}

/* TIME-WAIT and a new SYN above RCV.NXT: a new incarnation may begin (RFC 9293 §3.10.7.4
   note and RFC 6191; what Linux and BSD do). true when the SYN was handed on. */
static bool
tcp_time_wait_reopen(struct tcp_conn *c, const struct tcp_seg *seg)
{
    struct tcp_host *h = c->host;
    if (c->state != TCP_TIME_WAIT || !h->cfg.tw_reuse_syn
        || (seg->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN || !seq_gt(seg->seq, c->rcv_nxt))
        return false;
    bool listener = false;
    for (struct tcp_conn *k = h->conns; k; k = k->host_next)
        if (k->state == TCP_LISTEN && k->lport == c->lport)
            listener = true;
    if (!listener)
        return false;
    tcp_delete_tcb(c, TCP_RULE_TIME_WAIT_REOPEN, TCP_OK);
    tcp_input(h, seg);
    return true;
}

static void
tcp_input_other(struct tcp_conn *c, const struct tcp_seg *arrived)
{
    struct tcp_host *h = c->host;
    if (tcp_time_wait_reopen(c, arrived))
        return;
    /* Simultaneous open (§3.5, Figure 7): in SYN-RECEIVED after our own SYN-SENT, the peer's
       SYN,ACK carries its SYN again at IRS, which we already hold; only the new part, the
       ACK, is processed ("only the new parts are processed", §3.10.7.4 first). */
    struct tcp_seg trimmed;
    const struct tcp_seg *seg = arrived;
    if (c->state == TCP_SYN_RECEIVED && !c->passive && (arrived->flags & TCP_SYN)
        && (arrived->flags & TCP_ACK) && !(arrived->flags & TCP_RST) && arrived->seq == c->irs) {
        trimmed = *arrived;
        trimmed.flags &= (uint8_t)~TCP_SYN;
        trimmed.seq++;
        seg = &trimmed;
    }
    /* The peer's SYN again, while its first SYN,ACK is unanswered: send it again (Linux's
       answer; the acceptability test below would send a bare ACK). */
    if (c->state == TCP_SYN_RECEIVED && (seg->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN
        && seg->seq == c->irs) {
        tcp_note(h, c, TCP_RULE_SYN_RCVD_DUP_SYN);
        tcp_send_syn(c, true);
        c->rtt_timing = false; /* Karn: ISS is being sent again, its ACK gives no sample */
        return;
    }
    /* first, check the sequence number */
    uint32_t wnd = tcp_rcv_window(c);
    /* "If the RCV.WND is zero, no segments will be acceptable, but special allowance should
       be made to accept valid ACKs, URGs, and RSTs": a segment at RCV.NXT goes on with its
       text cut away (tcp_trim), and is answered with an ACK showing the closed window. */
    bool zero_window = wnd == 0 && seg->len > 0 && seg->seq == c->rcv_nxt
                       && !(seg->flags & (TCP_SYN | TCP_RST));
    if (zero_window)
        tcp_note(h, c, TCP_RULE_SEQ_ZERO_WINDOW);
    else if (!tcp_acceptable(c, seg, wnd)) {
        /* "If an incoming segment is not acceptable, an acknowledgment should be sent in
           reply (unless the RST bit is set, if so drop the segment and return)" */
        if (seg->flags & TCP_RST) {
            tcp_note(h, c, TCP_RULE_SEQ_RST_NOT_ACCEPTABLE);
            return;
        }
        if (tcp_is_old_fin(c, seg)) {
            if (c->state == TCP_TIME_WAIT) {
                /* eighth, TIME-WAIT: "Acknowledge it, and restart the 2 MSL timeout" */
                tcp_note(h, c, TCP_RULE_FIN_TIME_WAIT_AGAIN);
                tcp_send_ack(c);
                tcp_start_time_wait(c);
                return;
            }
            tcp_note(h, c, TCP_RULE_FIN_AGAIN);
            tcp_send_ack(c);
            return;
        }
        tcp_note(h, c, TCP_RULE_SEQ_NOT_ACCEPTABLE);
        tcp_send_oow_ack(c, seg);
        return;
    }
    struct tcp_text t;
    tcp_trim(c, seg, wnd, &t);
    c->last_heard = tcp_now(c);
    if (c->keepalive)
        tcp_keepalive_reset(c);

    /* second, check the RST bit */
    if (tcp_check_rst(c, seg))
        return;

    /* fourth, check the SYN bit (the third, security, is not modelled) */
    if (seg->flags & TCP_SYN) {
        if (c->state == TCP_SYN_RECEIVED && c->passive) {
            /* "If the connection was initiated with a passive OPEN, then return this
               connection to the LISTEN state and return." */
            tcp_delete_tcb(c, TCP_RULE_SYN_RCVD_SYN_LISTEN, TCP_OK);
            return;
        }
        /* RFC 5961 §4.2: "TCP MUST send an ACK (challenge ACK) to the remote peer", drop */
        tcp_note(h, c, TCP_RULE_SYN_CHALLENGE);
        tcp_send_ack(c);
        return;
    }

    /* fifth, check the ACK field: "if the ACK bit is off, drop the segment and return" */
    if (!(seg->flags & TCP_ACK)) {
        tcp_note(h, c, TCP_RULE_ACK_MISSING_DROP);
        return;
    }
    if (c->state == TCP_SYN_RECEIVED) {
        /* "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state and continue
           processing with the variables below set to: SND.WND <- SEG.WND, SND.WL1 <-
           SEG.SEQ, SND.WL2 <- SEG.ACK. If the segment acknowledgment is not acceptable, form
           a reset segment <SEQ=SEG.ACK><CTL=RST> and send it." */
        if (!(seq_lt(c->snd_una, seg->ack) && seq_le(seg->ack, c->snd_nxt))) {
            tcp_note(h, c, TCP_RULE_SYN_RCVD_BAD_ACK_RST);
            tcp_send_reset_for(h, seg);
            return;
        }
        c->snd_wnd = seg->wnd;
        c->snd_wl1 = seg->seq;
        c->snd_wl2 = seg->ack;
        tcp_set_state(c, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
        tcp_acceptq_push(c);
        tcp_keepalive_reset(c);
    }
    if (!tcp_check_ack(c, seg))
        return;
    c->oow_limited = false; /* an acceptable segment ends a run of unacceptable ones */

    /* sixth, the URG bit: not modelled. seventh and eighth: the text and the FIN */
    if (t.len > 0 || t.fin)
        tcp_process_text_and_fin(c, &t);
    if (zero_window && c->state != TCP_CLOSED)
        tcp_send_ack(c);
    if (c->state != TCP_CLOSED)
        tcp_output(c);
}

/* ---- header prediction ----------------------------------------------------------------- */

/* Header prediction (Van Jacobson's, 1990; BSD's and Linux's "fast path"). In ESTABLISHED
   nearly every segment is either an ACK of new data or the next data in order, and for those
   most of §3.10.7.4 has nothing to do: the segment is acceptable as it stands (first), it
   carries no RST, SYN or FIN (second, fourth, eighth), its ACK is not too new (fifth), no
   held segment waits behind it (seventh). tcp_predicted tests exactly that; any segment it
   does not promise to be plain takes the full path. */
static bool
tcp_predicted(const struct tcp_conn *c, const struct tcp_seg *seg)
{
    if (c->state != TCP_ESTABLISHED
        || (seg->flags & (TCP_SYN | TCP_FIN | TCP_RST | TCP_URG | TCP_ACK)) != TCP_ACK
        || seg->seq != c->rcv_nxt || seg->wnd != c->snd_wnd || seg->wnd == 0 || c->in_recovery
        || c->ooo != NULL || seq_gt(seg->ack, c->snd_nxt))
        return false;
    if (seg->len == 0)
        return seq_lt(c->snd_una, seg->ack);   /* an ACK of new data, not a duplicate */
    return seq_le(c->snd_una, seg->ack)       /* data at RCV.NXT that fits the window */
           && seg->len <= tcp_rcv_window(c);
}

/* The steps of §3.10.7.4 that act on a predicted segment, in the RFC's order: the same
   functions as the full path, without the tests tcp_predicted has already answered. */
static void
tcp_input_predicted(struct tcp_conn *c, const struct tcp_seg *seg)
{
    /* first: acceptable, nothing to trim */
    c->last_heard = tcp_now(c);
    if (c->keepalive)
        tcp_keepalive_reset(c);
    /* fifth: the ACK */
    if (seq_lt(c->snd_una, seg->ack))
        tcp_ack_new_data(c, seg);
    /* The window update: tcp_predicted found SEG.WND = SND.WND > 0, so of what
       tcp_update_send_window does only WL1, WL2 and the persist timer's stop can change. */
    if (tcp_window_update_due(c, seg)) {
        c->snd_wl1 = seg->seq;
        c->snd_wl2 = seg->ack;
        tcp_timer_cancel(c, TCP_TIMER_PERSIST);
    }
    c->oow_limited = false;
    /* seventh: the text, in order, into the receive buffer */
    if (seg->len > 0) {
        tcp_rcvq_put(c, seg); /* it fits: tcp_predicted checked the window */
        c->rcv_nxt += seg->len;
        c->bytes_received += seg->len;
        tcp_ack_text(c, seg->len, false);
    }
    tcp_output(c);
}

/* ---- entry ----------------------------------------------------------------------------- */

void
tcp_input(struct tcp_host *h, const struct tcp_seg *seg)
{
    struct tcp_conn *c = tcp_demux(h, seg);
    if (!c) {
        tcp_input_closed(h, seg);
        return;
    }
    c->segs_received++;
    if (h->cfg.header_prediction && tcp_predicted(c, seg)) {
        tcp_input_predicted(c, seg);
        return;
    }
    switch (c->state) {
    case TCP_CLOSED:
    case TCP_STATE_COUNT:
        tcp_input_closed(h, seg);
        break;
    case TCP_LISTEN:
        tcp_input_listen(c, seg);
        break;
    case TCP_SYN_SENT:
        tcp_input_syn_sent(c, seg);
        break;
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
    case TCP_TIME_WAIT:
        tcp_input_other(c, seg);
        break;
    }
}
