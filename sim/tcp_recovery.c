/*
 * tcp_recovery.c - loss recovery with SACK: which holes a sender takes for lost, and resends
 * (RFC 6675; Linux's RACK, RFC 8985, as it shows on the wire). A connection without SACK
 * keeps fast retransmit and RFC 6582's partial ACKs (tcp_input.c, tcp_check_ack).
 *
 * The scoreboard (tcp_sack.c) tells which octets above SND.UNA the peer holds; the holes
 * between them are the candidates. The setting tcp_recovery picks the test:
 *   0  RFC 6675 4, IsLost(): a hole is lost when more than (DupThresh - 1) * SMSS octets, or
 *      DupThresh segments, are SACKed above it (DupThresh 3). Recovery begins at the third
 *      duplicate ACK (an ACK that SACKs new data, RFC 6675 2) or when the hole at SND.UNA
 *      IsLost, and resends that hole whatever IsLost says (5, step 4.3).
 *   1  RACK as Linux runs it (tcp_rack_detect_loss, tcp_rack_reo_wnd): a hole sent before
 *      SACKed data is lost once its reordering window has passed. The window is zero when 3
 *      segments are SACKed (Linux's tp->reordering) and during recovery, else a quarter of the
 *      smallest RTT: a timer (rack) waits that long. A 6.18 kernel (tests/linux/sack-*.pkt)
 *      resent the first of ten segments at the third SACK, the first of three 30 ms after the
 *      SACKs of the other two, and in recovery a second hole at the first SACK above it.
 * tcpsim has no congestion window (docs/deviations.md), so RFC 6675's "cwnd - pipe" and
 * Linux's PRR, which meter the resends out over the ACKs, do not apply: every hole taken for
 * lost is resent at once, each once per recovery (HighRxt).
 */
#include "tcp_internal.h"

/* The peer's SACKed data counted in segments, each block rounded up (Linux's sacked_out
   counts the segments as they were sent). */
static uint32_t
tcp_sack_segs_above(const struct tcp_conn *c, uint32_t seq, uint32_t *bytes)
{
    uint32_t segs = 0, n = 0, mss = c->snd_mss ? c->snd_mss : 1;
    for (int i = 0; i < c->nboard; i++) {
        if (seq_le(c->board[i].right, seq))
            continue;
        uint32_t left = seq_gt(c->board[i].left, seq) ? c->board[i].left : seq;
        uint32_t len = c->board[i].right - left;
        n += len;
        segs += (len + mss - 1) / mss;
    }
    if (bytes)
        *bytes = n;
    return segs;
}

/* RFC 6675 4, IsLost(SeqNum): "true when either DupThresh discontiguous SACKed sequences have
   arrived above 'SeqNum' or more than (DupThresh - 1) * SMSS bytes with sequence numbers
   greater than 'SeqNum' have been SACKed". */
static bool
tcp_is_lost(const struct tcp_conn *c, uint32_t seq)
{
    uint32_t bytes;
    uint32_t segs = tcp_sack_segs_above(c, seq + 1, &bytes);
    return segs >= 3 || bytes > 2 * c->snd_mss;
}

/* Resend the holes taken for lost, from HighRxt (or SND.UNA) up to the highest SACKed octet,
   in pieces of SND.MSS: all of them under RACK (its window has passed for each: the caller
   knows), those IsLost() names under RFC 6675. How many segments went. */
static int
tcp_resend_lost(struct tcp_conn *c)
{
    if (c->nboard == 0)
        return 0;
    bool rack = c->host->cfg.recovery == 1;
    uint32_t high = c->board[c->nboard - 1].right;
    uint32_t s = seq_gt(c->high_rxt, c->snd_una) ? c->high_rxt : c->snd_una;
    int i = 0, sent = 0;
    while (seq_lt(s, high)) {
        while (i < c->nboard && seq_le(c->board[i].right, s))
            i++;
        if (seq_le(c->board[i].left, s)) {
            s = c->board[i].right; /* SACKed: the peer has it */
            continue;
        }
        /* NextSeg() rule 1: "S2 ... is the lowest sequence number ... not SACKed ... IsLost" */
        if (!rack && !tcp_is_lost(c, s))
            break; /* nor is anything above it, with less SACKed above */
        uint32_t hole = c->board[i].left - s;
        uint32_t n = tcp_resend_data(c, s, hole < c->snd_mss ? hole : c->snd_mss);
        if (n == 0)
            break;
        tcp_note(c->host, c, rack ? TCP_RULE_RACK_LOST : TCP_RULE_SACK_RESEND_HOLE);
        if (s == c->snd_una)
            tcp_rexmit_rearm(c);
        s += n;
        c->high_rxt = s;
        sent++;
    }
    return sent;
}

/* Loss recovery begins (RFC 6675 5 step 4; Linux tcp_enter_recovery): "RecoveryPoint =
   HighData", and the holes taken for lost go out. */
static void
tcp_recovery_enter(struct tcp_conn *c)
{
    tcp_note(c->host, c, TCP_RULE_SACK_RECOVERY);
    tcp_timer_cancel(c, TCP_TIMER_REORDER);
    c->in_recovery = true;
    tcp_fast_path_check(c); /* no header prediction in recovery */
    c->rto_recovery = false;
    c->recover = c->snd_nxt;
    c->high_rxt = c->snd_una;
    c->tlp_out = false; /* RFC 8985 7.1: recovery resets the probe's state */
    if (c->host->cfg.recovery == 0) {
        /* step 4.3: "Retransmit the first data segment presumed dropped" */
        uint32_t hole = c->nboard ? c->board[0].left - c->snd_una : c->snd_mss;
        uint32_t n = tcp_resend_data(c, c->snd_una, hole < c->snd_mss ? hole : c->snd_mss);
        if (n > 0) {
            tcp_note(c->host, c, TCP_RULE_SACK_RESEND_HOLE);
            tcp_rexmit_rearm(c);
            c->high_rxt = c->snd_una + n;
        }
    }
    (void)tcp_resend_lost(c);
    if (tcp_timer_armed(c, TCP_TIMER_TLP))
        tcp_rexmit_schedule(c); /* no probe in recovery: the RTO's own timer instead */
}

/* RACK's reordering window (Linux tcp_rack_reo_wnd): a quarter of the smallest RTT, at most
   the SRTT; zero once 3 segments are SACKed. */
static clk_time
tcp_rack_reo_wnd(const struct tcp_conn *c)
{
    clk_time w = c->rtt_min / 4;
    return c->srtt > 0 && w > c->srtt ? c->srtt : w;
}

void
tcp_sack_recover(struct tcp_conn *c, bool advanced, bool sacked)
{
    if (c->in_recovery) {
        int sent = tcp_resend_lost(c);
        /* After a timeout every hole is presumed lost (RFC 6675 5.1; Linux tcp_enter_loss):
           each ACK that moves SND.UNA lets the next unSACKed segment go, as RFC 6582's partial
           ACKs do without SACK, stepping over what the peer holds. */
        if (c->rto_recovery && advanced && sent == 0) {
            uint32_t s = seq_gt(c->high_rxt, c->snd_una) ? c->high_rxt : c->snd_una, len = c->snd_mss;
            for (int i = 0; i < c->nboard; i++) {
                if (seq_le(c->board[i].left, s) && seq_lt(s, c->board[i].right))
                    s = c->board[i].right; /* SACKed: step over it */
                else if (seq_gt(c->board[i].left, s)) {
                    if (c->board[i].left - s < len)
                        len = c->board[i].left - s;
                    break;
                }
            }
            uint32_t n = tcp_resend_data(c, s, len);
            if (n > 0) {
                tcp_note(c->host, c, TCP_RULE_SACK_RESEND_HOLE);
                c->high_rxt = s + n;
            }
        }
        return;
    }
    if (c->nboard == 0) {
        tcp_timer_cancel(c, TCP_TIMER_REORDER); /* the holes were filled: reordering */
        return;
    }
    if (c->host->cfg.recovery == 0) {
        if (c->dupacks >= 3 || tcp_is_lost(c, c->snd_una))
            tcp_recovery_enter(c);
        return;
    }
    if (tcp_sack_segs_above(c, c->snd_una, NULL) >= 3) {
        tcp_recovery_enter(c);
        return;
    }
    /* Below 3 segments SACKed a hole may only be reordered: it waits out the window,
       counted, as Linux counts it, from the latest ACK that SACKed something (tcpsim sends
       a flight at one instant, so every hole's window ends then) */
    if (sacked)
        tcp_timer_arm(c, TCP_TIMER_REORDER, tcp_rack_reo_wnd(c));
}

void
tcp_rack_timeout(struct tcp_conn *c)
{
    /* RFC 8985 6.3: "the RACK reordering timer ... fires": the holes below SACKed data have
       waited out their window */
    tcp_note(c->host, c, TCP_RULE_TIMER_REORDER);
    if (!c->in_recovery && c->nboard > 0 && c->snd_nxt != c->snd_una)
        tcp_recovery_enter(c);
}

void
tcp_sack_on_rto(struct tcp_conn *c, uint32_t resent)
{
    /* RFC 6675 5.1: after a timeout "RecoveryPoint MUST be set to HighData" (the caller did:
       recover); what was resent before may be lost again, so HighRxt starts over from the
       segment the timer just resent. */
    tcp_timer_cancel(c, TCP_TIMER_REORDER);
    c->rto_recovery = true;
    c->high_rxt = c->snd_una + resent;
}
