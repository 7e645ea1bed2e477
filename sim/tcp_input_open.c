/*
 * tcp_input_open.c - SEGMENT ARRIVES before the connection is synchronized, RFC 9293
 * §3.10.7.1-§3.10.7.3: a segment for no connection (CLOSED), for a listener (LISTEN, with the
 * SYN and accept queues Linux keeps and its SYN cookies, sim/tcp_syncookie.c) and for our own
 * SYN (SYN-SENT). tcp_input() (tcp_input.c) hands them here; a connection these steps
 * synchronize goes on in tcp_input.c's §3.10.7.4.
 *
 * Entry points: tcp_input_closed, tcp_input_listen, tcp_input_syn_sent.
 */
#include "tcp_internal.h"

/* ---- §3.10.7.1 CLOSED ---------------------------------------------------------------- */

void
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

/* A new connection of listener 'l' with the peer that sent 'seg', in the listener's SYN queue.
   It starts as a copy of the listening TCB (the RFC keeps one TCB that leaves LISTEN; sockets
   keep the listener and clone it, so the new one is born in LISTEN, not through
   tcp_set_state). NULL when out of memory. */
static struct tcp_conn *
tcp_listen_child(struct tcp_conn *l, const struct tcp_seg *seg)
{
    struct tcp_host *h = l->host;
    struct tcp_conn *c = world_conn_new(h->world, h);
    if (!c || tcp_conn_buffers(c) != 0)
        return NULL;
    c->state = TCP_LISTEN;
    c->lport = l->lport;
    c->raddr = seg->saddr;
    c->rport = seg->sport;
    c->listener = l;
    c->passive = true;
    c->bound = true; /* the listener's port: connect() does not share it (Linux's bind bucket) */
    c->reuseaddr = l->reuseaddr;
    c->keepalive = l->keepalive;
    c->opts = l->opts; /* setsockopt on the listener: Linux's sk_clone_lock copies them */
    if ((c->opts.rcvbuf && tcp_set_bufsize(c, true, (uint32_t)c->opts.rcvbuf) != TCP_OK) ||
        (c->opts.sndbuf && tcp_set_bufsize(c, false, (uint32_t)c->opts.sndbuf) != TCP_OK))
        c->opts.rcvbuf = c->opts.sndbuf = 0; /* out of memory: the host's sizes, as allocated */
    c->last_heard = tcp_now(c);
    l->synq_len++;
    return c;
}

/* An ACK that validated a SYN cookie of 'l' (RFC 4987 3.6): build the connection its SYN would
   have made, in SYN-RECEIVED, as Linux does (cookie_v4_check: a request rebuilt from the ACK,
   then the child socket), and let the ACK complete the handshake there. The peer's MSS is the
   one the cookie remembers. */
static void
tcp_listen_cookie_ack(struct tcp_conn *l, const struct tcp_seg *seg, uint32_t mss)
{
    struct tcp_host *h = l->host;
    if (tcp_acceptq_full(l)) {
        /* Linux drops it (the child is not made); the peer, which believes it is connected,
           sends again, and a later ACK may find room while the cookie is valid. */
        tcp_note(h, l, TCP_RULE_ACK_ACCEPT_QUEUE_FULL);
        return;
    }
    struct tcp_conn *c = tcp_listen_child(l, seg);
    if (!c)
        return; /* "insufficient resources": dropped, as in Linux */
    c->irs = seg->seq - 1;
    c->rcv_nxt = seg->seq;
    if (h->cfg.rcv_window_linux)
        tcp_rcv_window_start(c, false); /* as its SYN,ACK offered (tcp_send_synack_stateless) */
    c->iss = seg->ack - 1;
    c->snd_una = c->iss;
    c->snd_nxt = seg->ack;
    c->snd_wnd = seg->wnd;
    c->snd_wl1 = c->irs;
    c->snd_mss = mss < (uint32_t)h->cfg.mss ? mss : (uint32_t)h->cfg.mss;
    tcp_conn_attach(c);
    tcp_set_state(c, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_COOKIE_ACK);
    tcp_input_other(c, seg);
}

/* 'iss' >= 0: the ISS the new connection must take (a reopened TIME-WAIT); -1: choose one.
   Returns the new connection in SYN-RECEIVED, or NULL when the segment made none. */
struct tcp_conn *
tcp_input_listen(struct tcp_conn *l, const struct tcp_seg *seg, int64_t iss)
{
    struct tcp_host *h = l->host;
    /* first, check for an RST: "An incoming RST segment could not be valid ... ignore it" */
    if (seg->flags & TCP_RST) {
        tcp_note(h, l, TCP_RULE_LISTEN_RST_IGNORE);
        return NULL;
    }
    /* second, check for an ACK: "any acknowledgment is bad ... <SEQ=SEG.ACK><CTL=RST>";
       unless, with SYN cookies on, it returns a cookie this listener sent. */
    if (seg->flags & TCP_ACK) {
        uint32_t mss;
        if (h->cfg.syncookies && !(seg->flags & TCP_SYN) && tcp_syncookie_check(l, seg, &mss)) {
            tcp_listen_cookie_ack(l, seg, mss);
            return NULL;
        }
        tcp_note(h, l, TCP_RULE_LISTEN_ACK_RST);
        tcp_send_reset_for(h, seg);
        return NULL;
    }
    /* fourth, other text or control: "drop the segment and return" */
    if (!(seg->flags & TCP_SYN)) {
        tcp_note(h, l, TCP_RULE_LISTEN_OTHER_DROP);
        return NULL;
    }
    /* third, check for a SYN. The RFC may refuse for lack of resources; Linux's listener holds
       two queues, each of backlog + 1 (tcp_conn_request): the SYN queue of embryonic
       connections and the accept queue of established ones. A full SYN queue is answered with
       a SYN cookie (tcp_syncookies 1; 2: always) or not at all (0); a full accept queue is not
       answered at all, cookies or not; and without cookies the last quarter of
       tcp_max_syn_backlog is kept back (Linux keeps it for peers it knows, tcpsim knows none). */
    bool cookie = false;
    bool reopen = iss >= 0; /* a SYN that reopens TIME-WAIT: only the accept queue can refuse it
                               (Linux tcp_conn_request checks the SYN queue "&& !isn") */
    if (!reopen && (h->cfg.syncookies == 2 || tcp_synq_full(l))) {
        if (!h->cfg.syncookies) {
            tcp_note(h, l, TCP_RULE_LISTEN_SYN_QUEUE_FULL);
            return NULL;
        }
        cookie = true;
    }
    if (tcp_acceptq_full(l)) {
        tcp_note(h, l, TCP_RULE_LISTEN_ACCEPT_QUEUE_FULL);
        return NULL;
    }
    if (!reopen && !h->cfg.syncookies && h->cfg.max_syn_backlog - l->synq_len < h->cfg.max_syn_backlog / 4) {
        tcp_note(h, l, TCP_RULE_LISTEN_SYN_BACKLOG_DROP);
        return NULL;
    }
    if (cookie) {
        uint32_t mss;
        uint32_t cookie_iss = tcp_syncookie_make(l, seg, &mss);
        tcp_note(h, l, TCP_RULE_LISTEN_SYN_COOKIE);
        tcp_send_synack_stateless(l, seg, cookie_iss);
        return NULL;
    }
    struct tcp_conn *c = tcp_listen_child(l, seg);
    if (!c) {
        tcp_note(h, l, TCP_RULE_LISTEN_SYN_QUEUE_FULL); /* "insufficient resources" */
        return NULL;
    }
    /* "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ ... ISS should be selected and a SYN
       segment sent of the form <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. SND.NXT is set to
       ISS+1 and SND.UNA to ISS." Text on the SYN is not kept: the peer sends it again. */
    c->rcv_nxt = seg->seq + 1;
    c->irs = seg->seq;
    c->iss = reopen ? (uint32_t)iss : tcp_choose_iss(h, l->isn_opt);
    c->snd_una = c->iss;
    c->snd_nxt = c->iss + 1;
    c->snd_wnd = seg->wnd;
    c->snd_wl1 = seg->seq;
    tcp_opt_offer(c);       /* a listener offers what its settings allow ... */
    tcp_opt_agree(c, seg);  /* ... of what the SYN offered: the SYN,ACK carries that */
    tcp_conn_attach(c);
    tcp_set_state(c, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    tcp_send_syn(c, true);
    tcp_rexmit_update(c);
    return c;
}

/* ---- §3.10.7.3 SYN-SENT -------------------------------------------------------------- */

void
tcp_input_syn_sent(struct tcp_conn *c, const struct tcp_seg *seg)
{
    struct tcp_host *h = c->host;
    bool ack_ok = false;
    /* first, check the ACK bit */
    if (seg->flags & TCP_ACK) {
        /* "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST bit is set,
           if so drop the segment and return) <SEQ=SEG.ACK><CTL=RST>" */
        if (seq_le(seg->ack, c->iss) || seq_gt(seg->ack, c->snd_nxt)) {
            /* Linux: the peer may have missed our SYN (an old connection's FIN,ACK or
               RST,ACK answered it): send it again at once, if not yet retransmitted */
            if (h->cfg.synsent_bad_ack_resend > 0 && c->retransmits == 0) {
                tcp_note(h, c, TCP_RULE_SYN_SENT_BAD_ACK_RESEND);
                tcp_timer_arm(c, TCP_TIMER_REXMIT, h->cfg.synsent_bad_ack_resend);
            }
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
    c->rcv_adv = c->rcv_nxt + c->rcv_wnd; /* our SYN's window, from RCV.NXT (Linux rcv_wup) */
    c->rcv_wnd_idle = false;
    c->last_heard = tcp_now(c);
    tcp_opt_agree(c, seg);
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
        else if (c->retransmits > 0)
            tcp_ts_rtt_sample(c, seg); /* the echo tells which SYN this answers */
        c->rtt_timing = false;
        c->retransmits = 0;
        c->in_recovery = false; /* a retransmitted SYN's recovery ends with its ACK */
        tcp_rexmit_cancel(c);
        tcp_set_state(c, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
        tcp_rto_after_handshake(c);
        tcp_keepalive_reset(c);
        /* "If there are other controls or text in the segment, then continue processing at
           the sixth step below" */
        struct tcp_text t = {
            .seq = seg->seq + 1, .len = seg->len, .data = seg->data, .fin = (seg->flags & TCP_FIN) != 0,
            .seg = seg,
        };
        uint32_t wnd = tcp_rcv_window_accept(c);
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
