/*
 * tcp_input_text.c - SEGMENT ARRIVES, RFC 9293 §3.10.7.4, the seventh and eighth steps:
 * "process the segment text" and "check the FIN bit", for a segment the earlier steps
 * (tcp_input.c) accepted and trimmed to the window.
 *
 *   tcp_process_text_and_fin  the text in order goes to the receive queue (and held segments
 *                             behind it follow, reassembly); out of order, it is held
 *                             (tcp_ooo_insert) and the peer is told what we still expect
 *   tcp_check_fin             the FIN in sequence: CLOSE-WAIT, CLOSING or TIME-WAIT
 *   tcp_ack_text              the acknowledgment of what was accepted: at once, or delayed
 *                             (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2; Linux's rules under
 *                             delayed_ack 2, with tcp_delack.c)
 *
 * Header prediction (tcp_input.c, tcp_input_predicted) calls tcp_ack_text for the next data
 * in order, having done the seventh step's work itself.
 */
#include "tcp_internal.h"

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
    uint32_t end = t->seq + t->len + (t->fin ? 1u : 0u);
    if (*pp && (*pp)->seq == t->seq && (*pp)->len >= t->len && ((*pp)->fin || !t->fin)) {
        tcp_sack_rcv_dup(c, t->seq, end); /* a duplicate of what we hold */
        return;
    }
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
    tcp_sack_rcv_ofo(c, t->seq, end);
}

/* eighth, check the FIN bit: the peer's FIN is in sequence at RCV.NXT. true when the FIN was
   processed; the caller sends "an acknowledgment for the FIN". */
static bool
tcp_check_fin(struct tcp_conn *c)
{
    /* "advance RCV.NXT over the FIN, and send an acknowledgment for the FIN" */
    c->rcv_nxt++;
    c->rcv_wnd_idle = false; /* RCV.NXT moved: the window is chosen anew */
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
            if (!tcp_time_wait_room(c))
                return false;
            tcp_set_state(c, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
            tcp_start_time_wait(c);
        } else {
            tcp_set_state(c, TCP_CLOSING, TCP_RULE_FIN_CLOSING);
        }
        break;
    case TCP_FIN_WAIT_2:
        if (!tcp_time_wait_room(c))
            return false;
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
        return false;
    }
    return true;
}

/* The window tcp_ack_text compares with the last one offered: Linux's __tcp_select_window
   (from 'space', tcp_rcv_window_data's free share, when 'known'), else the one we offer. */
static inline uint32_t
tcp_ack_text_window(const struct tcp_conn *c, bool known, uint32_t space)
{
    if (!c->host->cfg.rcv_window_linux)
        return tcp_rcv_window(c);
    return known ? tcp_rcv_window_select_from(c, space) : tcp_rcv_window_select(c);
}

/* Send the ACK whose window tcp_ack_text_window has just chosen ('w'). Linux asks
   __tcp_select_window in __tcp_ack_snd_check's test and again in tcp_select_window for the
   ACK the test sends, with nothing changed between: under rcv_window_linux the ACK offers the
   window the test chose, without choosing again. The test let it go only if that window was
   no smaller than RCV.WND, which is no less than what is left of it (RCV.NXT only moves
   right): the rule that never shrinks the window (tcp_rcv_window_linux) has nothing to do,
   and the window needs only its two bounds (tcp_rcv_window_fit). RCV.NXT has just moved
   (rcv_wnd_idle is false), so tcp_rcv_window_offer would not have reused the last window
   either. A window of 0 (no room) is chosen as any other segment's is. */
static void
tcp_send_ack_chosen(struct tcp_conn *c, uint32_t w)
{
    if (!c->host->cfg.rcv_window_linux || w == 0) {
        tcp_send_ack(c);
        return;
    }
    assert(!c->rcv_wnd_idle);
    tcp_send_ack_offering(c, tcp_rcv_window_offered(c, tcp_rcv_window_fit(c, w)));
}

/* Acknowledge what was just accepted in order: 'n' octets of the text of 'seg' and, with 'fin',
   the FIN ("send an acknowledgment for the FIN"): at once, or later under the delayed_ack
   setting. RFC 9293 3.8.6.3: "A TCP SHOULD implement a delayed ACK, but an ACK should not be
   excessively delayed; in particular, the delay MUST be less than 0.5 seconds", and "an ACK
   SHOULD be generated for at least every second full-sized segment or 2*RMSS bytes of new
   data". RFC 5681 4.2: a segment that fills a gap in the sequence space is acknowledged at
   once. delayed_ack 1 does what RFC 1122 4.2.3.2 says (SND.MSS stands for RMSS: the peer
   sends segments of at most that size, and an ACK every 2*SND.MSS octets is never later than
   one every 2*RMSS); a FIN is ACKed at once. delayed_ack 2 does what Linux does: the
   branches below, and tcp_delack.c. */
void
tcp_ack_text(struct tcp_conn *c, const struct tcp_seg *seg, uint32_t n, bool fin, bool filled_gap)
{
    int mode = c->host->cfg.delayed_ack;
    bool held = c->ack_owed > 0;
    c->ack_owed += n + (fin ? 1u : 0u);
    if (mode == TCP_DELACK_LINUX && n > 0)
        tcp_delack_data(c, n, (seg->flags & TCP_PSH) != 0);
    /* Linux tcp_space after the segment: the ACK's decision below asks for it again, and
       nothing between changes it (rcv_window_linux, some text: else it is computed there) */
    uint32_t space = 0;
    if (n > 0 && c->host->cfg.rcv_window_linux)
        space = tcp_rcv_window_data(c, n); /* after tcp_delack_data, as Linux's tcp_event_data_recv */
    if (mode == TCP_DELACK_OFF || filled_gap) {
        tcp_send_ack(c); /* sending it clears ack_owed (tcp_transmit_lent) */
        return;
    }
    if (fin) {
        /* Linux tcp_fin: a FIN that ends ESTABLISHED makes the connection interactive, and
           its ACK waits like the ACK of data, for our FIN to carry it or for the timer (before
           any data the timeout has not started: at once). Any other FIN: at once. */
        if (mode != TCP_DELACK_LINUX || c->state != TCP_CLOSE_WAIT || c->ato == 0) {
            tcp_send_ack(c);
            return;
        }
        tcp_delack_interactive(c);
    }
    if (mode == TCP_DELACK_LINUX) {
        /* Linux: the first segments of a connection are ACKed at once (quick ACKs), so that
           the peer's slow start is not held back; not when the connection is interactive. */
        if (tcp_delack_quick(c)) {
            tcp_note(c->host, c, TCP_RULE_ACK_QUICK);
            tcp_send_ack(c);
            return;
        }
        /* More than one full-sized segment unacknowledged is ACKed at once only if the
           window we would offer is no smaller than the one we offered last: the application
           keeps up (Linux __tcp_ack_snd_check, which asks __tcp_select_window). If it lags,
           its read sends the ACK (tcp_delack_read), or the timer does. */
        if (c->ack_owed > c->rcv_mss) {
            uint32_t w = tcp_ack_text_window(c, n > 0, space);
            if (w >= c->rcv_wnd) {
                tcp_send_ack_chosen(c, w);
                return;
            }
        }
    } else if (c->ack_owed >= 2 * c->snd_mss) {
        tcp_send_ack(c);
        return;
    }
    tcp_note(c->host, c, TCP_RULE_ACK_DELAYED);
    if (mode == TCP_DELACK_LINUX)
        tcp_delack_hold(c, held); /* Linux's adaptive ACK timeout */
    else if (!held)
        /* RFC 1122: the first octets held back start the clock; an idle timer still running
           from an earlier ACK is pushed later (clk.h: postponing is free). */
        tcp_timer_arm(c, TCP_TIMER_DELACK, c->host->cfg.delack_timeout);
}

/* seventh, process the segment text, then eighth, the FIN. */
void
tcp_process_text_and_fin(struct tcp_conn *c, const struct tcp_text *t)
{
    switch (c->state) {
    case TCP_ESTABLISHED:
        break;
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
        /* RFC 1122 4.2.2.13: "if new data is received after CLOSE is called, its TCP SHOULD
           send a RST to show that data was lost." Nobody will read it; an ACK would tell the
           peer it was delivered. The TCB goes, and the segment is answered as in CLOSED
           (§3.10.7.1): <SEQ=SEG.ACK><CTL=RST>, what a 6.18 kernel sent. The same after
           shutdown(SHUT_RDWR): Linux's test is the receiving side being shut, which close()
           and SHUT_RD both do (tcp_rcv_state_process), and in these states the sending side is
           shut too. A socket only shut down for sending still receives. */
        if ((c->orphaned || c->rd_shut) && t->len > 0) {
            tcp_delete_tcb(c, TCP_RULE_TEXT_AFTER_CLOSE_RST, TCP_ECONNRESET);
            tcp_send_reset_for(c->host, t->seg);
            return;
        }
        break;
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
    case TCP_TIME_WAIT:
        /* "This should not occur since a FIN has been received from the remote side.
           Ignore the segment text." */
        if (t->len > 0)
            tcp_note(c->host, c, TCP_RULE_TEXT_IGNORED);
        if (t->fin && seq_lt(t->seq + t->len, c->rcv_nxt + 1) && tcp_check_fin(c))
            tcp_send_ack(c);
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
        tcp_delack_spend_quick(c); /* Linux: this ACK spends a quick ACK too */
        tcp_send_ack(c);
        return;
    }
    /* "Once in the ESTABLISHED state, it is possible to deliver segment data to user RECEIVE
       buffers ... advance RCV.NXT over the data accepted, and adjust RCV.WND" */
    uint32_t n = tcp_rcvq_put_text(c, t->seg, t->data, t->len);
    c->rcv_nxt += n;
    c->rcv_wnd_idle = false; /* text held: the window is chosen anew */
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
    if (c->rcv_nsack)
        tcp_sack_rcv_advance(c);
    if (fin)
        tcp_check_fin(c);
    if (c->state == TCP_CLOSED)
        return; /* no room for TIME-WAIT: the FIN was ACKed, the TCB is gone */
    tcp_ack_text(c, t->seg, n, fin, filled_gap);
}
