/*
 * tcp_input.c - SEGMENT ARRIVES, RFC 9293 §3.10.7, step by step in the RFC's order.
 *
 * tcp_input() finds the connection a segment belongs to and hands it to the processing for
 * that connection's state:
 *   CLOSED        §3.10.7.1  tcp_input_closed     (tcp_input_open.c)
 *   LISTEN        §3.10.7.2  tcp_input_listen     (tcp_input_open.c)
 *   SYN-SENT      §3.10.7.3  tcp_input_syn_sent   (tcp_input_open.c)
 *   other states  §3.10.7.4  tcp_input_other, here, which runs the RFC's steps in order:
 *       first   check_sequence  (acceptability, trimming to the window)
 *       second  check_rst       (with RFC 5961's challenge ACK, rate-limited as Linux does)
 *       fourth  check_syn       (RFC 5961 §4; the third, security, is not modelled)
 *       fifth   check_ack
 *       seventh process_text    (the sixth, URG, is not modelled)  } tcp_input_text.c
 *       eighth  check_fin                                           }
 * Before that, header prediction (tcp_predicted) sends the two commonest segments of an
 * ESTABLISHED connection, an ACK of new data and the next data in order, through only the
 * steps that act on them; and TIME-WAIT under the setting tw_linux answers by Linux's own
 * rules (tcp_time_wait_linux, after Linux's tcp_timewait_state_process) instead.
 * Every notable outcome names its rule through tcp_note() or tcp_set_state().
 */
#include <string.h>

#include "tcp_internal.h"


/* Two adjacent 16-bit ports read as one word: the TCB's (lport, rport), a segment's (sport,
   dport). A segment for the TCB carries them the other way round, so its word is compared
   with its halves swapped: one comparison instead of two (tcp_demux_last). */
_Static_assert(offsetof(struct tcp_conn, rport) == offsetof(struct tcp_conn, lport) + 2,
               "lport and rport adjacent");
_Static_assert(offsetof(struct tcp_seg, dport) == offsetof(struct tcp_seg, sport) + 2,
               "sport and dport adjacent");
static inline uint32_t
tcp_ports_word(const uint16_t *first)
{
    uint32_t w;
    memcpy(&w, first, sizeof w);
    return w;
}

static inline uint32_t
tcp_ports_swapped(const uint16_t *first)
{
    uint32_t w = tcp_ports_word(first);
    return w >> 16 | w << 16;
}

/* The connection the host's last segment was for, if 'seg' is for it too (a transfer's
   segments come one after another), else NULL. A cache in front of the host's table: inlined
   into tcp_input, where it answers for almost every segment without a call. It holds only
   what the table would find: a TIME-WAIT set aside for its new incarnation (tw_new, which the
   table passes over) leaves it as it is set aside (tcp_time_wait_reopen). */
static inline struct tcp_conn *
tcp_demux_last(const struct tcp_host *h, const struct tcp_seg *seg)
{
    struct tcp_conn *c = h->demux_last;
    if (c && tcp_ports_word(&c->lport) == tcp_ports_swapped(&seg->sport) && c->raddr == seg->saddr)
        return c;
    return NULL;
}

/* The exact socket pair first, then a listener on the port (§3.10.7: "If the state is CLOSED
   (i.e., TCB does not exist)" ... "If the state is LISTEN"): two lookups in the host's table
   (tcp_hash.c), whatever the number of connections. Out of line: inlined, it (and the small
   TIME-WAIT tcp_hash_pair may make a TCB from) made the common case, the connection of the
   last segment, save registers it does not use: 20 instructions a data segment
   (docs/performance.md, "A small TIME-WAIT"). */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static struct tcp_conn *
tcp_demux_table(struct tcp_host *h, const struct tcp_seg *seg)
{
    struct tcp_conn *c = tcp_hash_pair(h, seg->dport, seg->saddr, seg->sport, true);
    return c ? c : tcp_hash_listener(h, seg->dport);
}

/* Find the connection for 'seg': an exact socket pair first, else a listener on the port. */
struct tcp_conn *
tcp_demux(struct tcp_host *h, const struct tcp_seg *seg)
{
    struct tcp_conn *c = tcp_demux_last(h, seg);
    return c ? c : tcp_demux_table(h, seg);
}

/* Linux's guard against ACK storms (__tcp_oow_rate_limited): two ends that each find the
   other's ACKs unacceptable would answer each other forever, and a blind attacker could make
   a host send one challenge ACK per forged segment. So a connection sends at most one such
   ACK per tcp_invalid_ratelimit, counted from the last one it sent; segments it accepts in
   between do not reset the count (the kernel: tests/linux/challenge-ack-ratelimit.pkt).
   true: too soon, send nothing. */
static bool
tcp_oow_rate_limited(struct tcp_conn *c)
{
    clk_time limit = c->host->cfg.invalid_ratelimit;
    if (c->oow_sent && tcp_now(c) - c->oow_last < limit) {
        tcp_note(c->host, c, TCP_RULE_ACK_RATE_LIMITED);
        return true;
    }
    c->oow_sent = true;
    c->oow_last = tcp_now(c);
    return false;
}

/* The ACK that answers an unacceptable segment (§3.10.7.4 first). A segment that carries
   data or a FIN cannot be part of an ACK loop, and its sender may want to learn RCV.NXT: it
   is always answered; an empty one or a SYN goes through the limiter (Linux
   tcp_oow_rate_limited). */
static void
tcp_send_oow_ack(struct tcp_conn *c, const struct tcp_seg *seg)
{
    bool loop_prone = tcp_seg_len(seg) == 0 || (seg->flags & TCP_SYN);
    if (loop_prone && tcp_oow_rate_limited(c))
        return;
    tcp_send_ack(c);
}

/* RFC 5961's challenge ACK, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. §7: "An implementation
   SHOULD include an ACK throttling mechanism". As Linux does (tcp_send_challenge_ack): first
   the connection's limiter above, whatever the segment; then the host's budget of
   tcp_challenge_ack_limit a second, drawn for each second of the clock from [half,
   half + limit - 1], half = (limit + 1) / 2, so that an attacker cannot count it (no limit
   at its default, 2147483647). */
static void
tcp_send_challenge_ack(struct tcp_conn *c)
{
    struct tcp_host *h = c->host;
    if (tcp_oow_rate_limited(c))
        return;
    int limit = h->cfg.challenge_ack_limit;
    if (limit < 2147483647) {
        int64_t second = tcp_now(c) / CLK_SEC(1);
        if (second != h->challenge_second) {
            uint32_t half = ((uint32_t)limit + 1) / 2;
            h->challenge_second = second;
            h->challenge_left = half + rng_below(&h->world->rng, (uint32_t)limit);
        }
        if (h->challenge_left == 0) {
            tcp_note(h, c, TCP_RULE_CHALLENGE_ACK_LIMITED);
            return;
        }
        h->challenge_left--;
    }
    tcp_send_ack(c);
}

/* ---- §3.10.7.4 the other states ------------------------------------------------------ */

/* SND.WND from a segment: SEG.WND << Snd.Wind.Shift (RFC 7323 2.3), except on a SYN, whose
   window is never scaled (2.2). Snd.Wind.Shift is 0 unless both SYNs agreed scaling. */
static inline uint32_t
tcp_seg_wnd(const struct tcp_conn *c, const struct tcp_seg *seg)
{
    return (seg->flags & TCP_SYN) ? seg->wnd : (uint32_t)seg->wnd << c->snd_wscale;
}

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

/* fifth, SND.UNA < SEG.ACK =< SND.NXT: "then set SND.UNA <- SEG.ACK. Any segments on the
   retransmission queue that are thereby entirely acknowledged are removed." Inlined into
   header prediction's path, which takes almost every ACK of a transfer (the call and its saved
   registers cost a tenth of the work); the other path calls tcp_ack_new_data, below. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline void
tcp_ack_new_data_now(struct tcp_conn *c, const struct tcp_seg *seg)
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
    } else if (c->retransmits > 0 && c->ts_ok) {
        tcp_ts_rtt_sample(c, seg); /* a retransmission acknowledged: only the echo can time it */
    }
    c->snd_una = seg->ack;
    if (c->nboard)
        tcp_sack_acked(c);
    c->retransmits = 0;
    c->dupacks = 0;
    if (c->snd_nxt != c->snd_una)
        c->first_unacked_at = tcp_now(c);
    if (c->in_recovery) {
        /* RFC 6582 3.2: a partial ACK (below "recover") shows the next hole: resend it
           at once instead of waiting for another timeout. With SACK, the scoreboard tells
           which holes to resend (tcp_sack_recover, after the fifth step). */
        if (seq_ge(seg->ack, c->recover))
            c->in_recovery = false;
        else if (!c->sack_ok)
            tcp_retransmit(c);
    }
    tcp_rexmit_restart(c);
}

static void
tcp_ack_new_data(struct tcp_conn *c, const struct tcp_seg *seg)
{
    tcp_ack_new_data_now(c, seg);
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
        c->snd_wnd = tcp_seg_wnd(c, seg);
        c->snd_wl1 = seg->seq;
        c->snd_wl2 = seg->ack;
        if (c->snd_wnd > 0) {
            tcp_timer_cancel(c, TCP_TIMER_PERSIST);
        } else if (c->retransmits > 0) {
            /* the peer answers our window probes: it is alive, and the retry limits start
               again (RFC 1122 4.2.2.17) */
            c->retransmits = 0;
            c->rexmit_start = tcp_now(c);
        }
        if (reopened && !c->fin_sent && c->snd_nxt != c->snd_una) {
            /* The window opened while a probe octet was refused: send again from SND.UNA
               rather than leave a hole behind the probe. */
            c->snd_nxt = c->snd_una;
            c->rtt_timing = false;
            tcp_rexmit_cancel(c);
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
        /* Linux answers it as a challenge ACK (tcp_ack: tcp_send_challenge_ack), through
           that limiter even when the segment carries data (the kernel did). */
        tcp_note(c->host, c, TCP_RULE_ACK_TOO_NEW);
        tcp_send_challenge_ack(c);
        return false;
    }
    /* RFC 6675: the ACK's SACK blocks join the scoreboard first */
    bool advanced = seq_lt(c->snd_una, seg->ack);
    bool sacked = c->sack_ok && seg->opt.nsack > 0 && tcp_sack_update(c, seg);
    if (advanced) {
        tcp_ack_new_data(c, seg);
    } else if (c->sack_ok) {
        /* RFC 6675 2: with SACK, a duplicate ACK is one that "SACKs new data" */
        if (sacked && seg->len == 0 && !(seg->flags & TCP_FIN) && c->snd_nxt != c->snd_una)
            c->dupacks++;
    } else if (seg->ack == c->snd_una && seg->len == 0 && !(seg->flags & TCP_FIN)
               && c->snd_nxt != c->snd_una && tcp_seg_wnd(c, seg) == c->snd_wnd && seg->wnd != 0) {
        /* A duplicate ACK: the peer is missing the segment at SND.UNA. */
        if (++c->dupacks == 3 && !c->in_recovery) {
            tcp_note(c->host, c, TCP_RULE_FAST_RETRANSMIT);
            c->in_recovery = true;
            c->recover = c->snd_nxt;
            c->tlp_out = false; /* RFC 8985 7.1: fast recovery resets the probe's state */
            tcp_retransmit(c);
            if (tcp_timer_armed(c, TCP_TIMER_TLP))
                tcp_rexmit_schedule(c); /* no probe in recovery: the RTO's own timer instead */
        }
    }
    if (c->sack_ok && (c->nboard || c->in_recovery))
        tcp_sack_recover(c, advanced, sacked); /* tcp_recovery.c: the holes to resend */
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
            if (!tcp_time_wait_room(c))
                return false;
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
        tcp_send_challenge_ack(c);
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
        /* "any outstanding RECEIVEs and SEND should receive 'reset' responses ... enter the
           CLOSED state, delete the TCB, and return" */
        tcp_delete_tcb(c, TCP_RULE_RST_RESET, TCP_ECONNRESET);
        break;
    case TCP_CLOSE_WAIT:
        /* The same; Linux (tcp_reset) reports a reset after the peer's FIN as a broken pipe:
           the classic write to a peer that has closed, answered by a RST, then EPIPE. */
        tcp_delete_tcb(c, TCP_RULE_RST_RESET,
                       c->host->cfg.close_wait_rst_epipe ? TCP_EPIPE : TCP_ECONNRESET);
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

/* TIME-WAIT and a new SYN above RCV.NXT: a new incarnation may begin. RFC 9293 §3.6.1: a TCP
   "MAY accept a new SYN from the remote TCP endpoint to reopen the connection directly from
   TIME-WAIT state (MAY-2), if it: (1) assigns its initial sequence number for the new
   connection to be larger than the largest sequence number it used on the previous
   connection incarnation, and (2) returns to TIME-WAIT state if the SYN turns out to be an
   old duplicate." Linux and BSD do; Linux takes ISS = the old SND.NXT + 65537, whatever its
   ISN generator would say (tcp_timewait_state_process; a 6.18 kernel did), so that no
   delayed segment of the old connection falls into the new one's window. For (2), under
   tw_reopen_restore the old TCB waits aside until the new incarnation is synchronized
   (tcp_time_wait_settle); Linux deletes its timewait socket at once. true when the SYN was
   handed on. */
static bool
tcp_time_wait_reopen(struct tcp_conn *c, const struct tcp_seg *seg)
{
    struct tcp_host *h = c->host;
    if (c->state != TCP_TIME_WAIT || !h->cfg.tw_reuse_syn
        || (seg->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
        return false;
    /* Linux also reopens on a SYN whose timestamp is newer than TS.Recent, whatever its
       sequence number, and never on one PAWS rejects (tcp_timewait_state_process) */
    bool ts_newer = c->ts_ok && (seg->opt.present & TCP_OPT_TS) && (int32_t)(seg->opt.tsval - c->ts_recent) > 0;
    if (tcp_paws_reject(c, seg) || !(seq_gt(seg->seq, c->rcv_nxt) || ts_newer))
        return false;
    struct tcp_conn *listener = tcp_hash_listener(h, c->lport);
    if (!listener)
        return false;
    uint32_t iss = c->snd_nxt + 65537;
    if (!h->cfg.tw_reopen_restore) {
        tcp_delete_tcb(c, TCP_RULE_TIME_WAIT_REOPEN, TCP_OK);
        (void)tcp_input_listen(listener, seg, iss);
        return true;
    }
    tcp_note(h, c, TCP_RULE_TIME_WAIT_REOPEN);
    struct tcp_conn *n = tcp_input_listen(listener, seg, iss);
    if (!n) {
        tcp_note(h, c, TCP_RULE_TIME_WAIT_RESTORED); /* the listener made nothing */
        return true;
    }
    c->tw_new = n; /* tcp_demux passes over c from now on */
    if (h->demux_last == c)
        h->demux_last = NULL; /* ... its cache too (tcp_demux_last does not ask tw_new) */
    n->tw_old = c;
    return true;
}

/* TIME-WAIT as Linux runs it (setting tw_linux): Linux replaces the socket by a small
   timewait socket that keeps RCV.NXT and SND.NXT only, and answers by these rules
   (tcp_timewait_state_process), checked one by one on a 6.18 kernel
   (tests/linux/timewait-answers.pkt):
   - an empty segment exactly at RCV.NXT ("it may be only reset or bare ack"): an RST there
     ends TIME-WAIT unless tcp_rfc1337; anything else restarts the 60 s, and nothing is sent,
     even when its ACK field acknowledges something never sent;
   - any other RST, inside the window or not: dropped silently (no challenge ACK);
   - anything else (a retransmitted FIN, old or new data, a segment outside the window, a
     SYN that reopens nothing): an ACK, through the limiter when it carries neither data nor
     FIN; the 60 s restart when it has the ACK bit. */
static void
tcp_time_wait_linux(struct tcp_conn *c, const struct tcp_seg *seg)
{
    struct tcp_host *h = c->host;
    bool rst = (seg->flags & TCP_RST) != 0;
    bool paws = tcp_paws_reject(c, seg); /* an old duplicate: never the bare ACK below */
    if (!paws && seg->seq == c->rcv_nxt && (tcp_seg_len(seg) == 0 || rst)) {
        if (rst) {
            if (h->cfg.rfc1337)
                tcp_note(h, c, TCP_RULE_RST_RFC1337_IGNORE);
            else
                tcp_delete_tcb(c, TCP_RULE_RST_CLOSE, TCP_OK);
            return;
        }
        tcp_note(h, c, TCP_RULE_TIME_WAIT_BARE_ACK);
        tcp_start_time_wait(c);
        return;
    }
    if (rst) {
        tcp_note(h, c, TCP_RULE_TIME_WAIT_RST_DROP);
        return;
    }
    tcp_note(h, c, paws ? TCP_RULE_PAWS_REJECT
                        : tcp_is_old_fin(c, seg) ? TCP_RULE_FIN_TIME_WAIT_AGAIN : TCP_RULE_TIME_WAIT_ACK);
    if ((seg->flags & TCP_ACK) || paws)
        tcp_start_time_wait(c);
    tcp_send_oow_ack(c, seg);
}

void
tcp_input_other(struct tcp_conn *c, const struct tcp_seg *arrived)
{
    struct tcp_host *h = c->host;
    if (tcp_time_wait_reopen(c, arrived))
        return;
    if (c->state == TCP_TIME_WAIT && h->cfg.tw_linux) {
        tcp_time_wait_linux(c, arrived);
        return;
    }
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
    /* first, RFC 7323 5.3 R1, before the sequence number: PAWS. An old timestamp marks an
       old duplicate, however well its sequence number fits: "Send an acknowledgment in reply
       ... and drop the segment" (through the limiter, as Linux's tcp_validate_incoming). */
    if (c->ts_ok && tcp_paws_reject(c, seg)) {
        tcp_note(h, c, TCP_RULE_PAWS_REJECT);
        tcp_send_oow_ack(c, seg);
        return;
    }
    /* first, check the sequence number */
    uint32_t wnd = tcp_rcv_window_accept(c);
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
            tcp_sack_rcv_dup(c, seg->seq, c->rcv_nxt); /* Linux tcp_send_dupack: D-SACK it too */
            tcp_send_ack(c);
            return;
        }
        if ((seg->flags & TCP_SYN) && tcp_synchronized(c->state)) {
            /* RFC 5961 §4.2: a SYN "irrespective of the sequence number" gets a challenge
               ACK (as Linux: tcp_validate_incoming, syn_challenge) */
            tcp_note(h, c, TCP_RULE_SYN_CHALLENGE);
            tcp_send_challenge_ack(c);
            return;
        }
        tcp_note(h, c, TCP_RULE_SEQ_NOT_ACCEPTABLE);
        /* Linux: data we have ACKed came again, so our ACK was lost or late: quick ACKs
           again (tcp_send_dupack) */
        if (h->cfg.delayed_ack == TCP_DELACK_LINUX && seg->len > 0 && seq_lt(seg->seq, c->rcv_nxt))
            tcp_delack_quick_again(c);
        if (seg->len > 0 && seq_lt(seg->seq, c->rcv_nxt)) /* RFC 2883: a duplicate */
            tcp_sack_rcv_dup(c, seg->seq, seq_lt(c->rcv_nxt, seg->seq + tcp_seg_len(seg))
                                               ? c->rcv_nxt : seg->seq + tcp_seg_len(seg));
        tcp_send_oow_ack(c, seg);
        return;
    }
    struct tcp_text t;
    tcp_trim(c, seg, wnd, &t);
    /* RFC 7323 5.3 R3; not from a segment whose ACK is for data not yet sent, which the fifth
       step drops: Linux takes TS.Recent in tcp_ack only once the ACK is found valid
       (FLAG_UPDATE_TS_RECENT), so a forged high TSval cannot make PAWS reject what follows */
    if (c->ts_ok && !((seg->flags & TCP_ACK) && tcp_synchronized(c->state) && seq_gt(seg->ack, c->snd_nxt)))
        tcp_ts_recent_update(c, seg);
    if (seg->len > 0 && seq_lt(seg->seq, c->rcv_nxt) && !(seg->flags & TCP_SYN))
        tcp_sack_rcv_dup(c, seg->seq, c->rcv_nxt); /* RFC 2883 4: its first part is a duplicate */
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
        tcp_send_challenge_ack(c);
        return;
    }

    /* fifth, check the ACK field: "if the ACK bit is off, drop the segment and return" */
    if (!(seg->flags & TCP_ACK)) {
        tcp_note(h, c, TCP_RULE_ACK_MISSING_DROP);
        return;
    }
    bool opened = false;
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
        if (c->listener && tcp_acceptq_full(c->listener)) {
            /* Linux (tcp_check_req, tcp_abort_on_overflow 0): no room in the accept queue, so
               the ACK is dropped and the connection stays embryonic; its SYN,ACK goes again on
               its timer, and the peer's next ACK may find room. */
            tcp_note(h, c, TCP_RULE_ACK_ACCEPT_QUEUE_FULL);
            return;
        }
        c->snd_wnd = tcp_seg_wnd(c, arrived); /* a SYN,ACK's (simultaneous open): unscaled */
        c->snd_wl1 = seg->seq;
        c->snd_wl2 = seg->ack;
        tcp_set_state(c, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
        tcp_time_wait_settle(c, true); /* a TIME-WAIT it reopened can go now */
        tcp_acceptq_push(c);
        tcp_keepalive_reset(c);
        opened = true;
    }
    if (!tcp_check_ack(c, seg))
        return;
    if (opened)
        tcp_rto_after_handshake(c); /* after the ACK's RTT sample, if it gave one */

    /* sixth, the URG bit: not modelled. seventh and eighth: the text and the FIN */
    if (t.len > 0 || t.fin)
        tcp_process_text_and_fin(c, &t);
    if (zero_window && c->state != TCP_CLOSED) {
        /* Linux: a probe of our zero window brings quick ACKs back (tcp_data_queue) */
        if (h->cfg.delayed_ack == TCP_DELACK_LINUX)
            tcp_delack_quick_again(c);
        tcp_send_ack(c);
    }
    if (c->state != TCP_CLOSED)
        tcp_output(c);
}

/* ---- header prediction ----------------------------------------------------------------- */

/* Header prediction (Van Jacobson's, 1990; BSD's and Linux's "fast path"). In ESTABLISHED
   nearly every segment is either an ACK of new data or the next data in order, and for those
   most of §3.10.7.4 has nothing to do: the segment is acceptable as it stands (first), it
   carries no RST, SYN or FIN (second, fourth, eighth), its ACK is not too new (fifth), no
   held segment waits behind it (seventh), it carries no SACK blocks for the scoreboard (RFC
   2018; Linux's fast path takes only the timestamp option). tcp_predicted tests exactly that;
   any segment it does not promise to be plain takes the full path.
   What depends on the connection alone (ESTABLISHED, not in recovery, no segment held out of
   order, the persist timer idle, and the window the segment must carry to leave SND.WND as it
   is) is folded into one word kept as those change, pred_wnd, as Linux folds it into
   pred_flags: the segment's window compared with it answers them all. */
void
tcp_fast_path_check(struct tcp_conn *c)
{
    /* Linux tcp_fast_path_check and __tcp_fast_path_on (pred_flags holds the header length,
       the ACK flag and the unscaled window); a window the shift cannot say exactly, or a
       closed one, predicts nothing */
    uint32_t wnd = c->snd_wnd >> c->snd_wscale;
    bool on = c->state == TCP_ESTABLISHED && !c->in_recovery && c->ooo == NULL
              && wnd > 0 && wnd <= UINT16_MAX && (wnd << c->snd_wscale) == c->snd_wnd
              && !tcp_timer_armed(c, TCP_TIMER_PERSIST);
    c->pred_wnd = on ? wnd : TCP_PRED_OFF;
}

static bool
tcp_predicted(const struct tcp_conn *c, const struct tcp_seg *seg)
{
    if (seg->wnd != c->pred_wnd /* TCP_PRED_OFF, which no SEG.WND is: nothing is predicted */
        || (seg->flags & (TCP_SYN | TCP_FIN | TCP_RST | TCP_URG | TCP_ACK)) != TCP_ACK
        || seg->seq != c->rcv_nxt || seg->opt.nsack || seq_gt(seg->ack, c->snd_nxt))
        return false;
    if (c->ts_ok && (seg->opt.present & TCP_OPT_TS) && (int32_t)(seg->opt.tsval - c->ts_recent) < 0)
        return false; /* PAWS may reject it (RFC 7323 5.3; Linux's fast path checks it too) */
    if (seg->len == 0)
        return seq_lt(c->snd_una, seg->ack);   /* an ACK of new data, not a duplicate */
    return seq_le(c->snd_una, seg->ack)       /* data at RCV.NXT that fits the window */
           && seg->len <= tcp_rcv_window_accept(c);
}

/* The steps of §3.10.7.4 that act on a predicted segment, in the RFC's order: the same
   functions as the full path, without the tests tcp_predicted has already answered. */
static void
tcp_input_predicted(struct tcp_conn *c, const struct tcp_seg *seg)
{
    /* first: acceptable, nothing to trim, TSval not behind TS.Recent (tcp_predicted): RFC
       7323 5.3 R3 keeps it as TS.Recent when the segment starts at Last.ACK.sent, which for
       one at RCV.NXT means no ACK is owed (tcp_ts_recent_update, the test made short) */
    if (c->ts_ok && (seg->opt.present & TCP_OPT_TS) && c->ack_owed == 0) {
        c->ts_recent = seg->opt.tsval;
        c->ts_recent_stamp = tcp_now(c);
    }
    c->last_heard = tcp_now(c);
    if (c->keepalive)
        tcp_keepalive_reset(c);
    /* fifth: the ACK */
    bool acked = seq_lt(c->snd_una, seg->ack);
    if (acked)
        tcp_ack_new_data_now(c, seg);
    /* The window update: tcp_predicted found SEG.WND = SND.WND > 0, so of what
       tcp_update_send_window does only WL1 and WL2 can change (pred_wnd promises the persist
       timer idle too: it is armed only while SND.WND is 0, which no predicted segment
       changes). */
    if (tcp_window_update_due(c, seg)) {
        c->snd_wl1 = seg->seq;
        c->snd_wl2 = seg->ack;
    }
    /* seventh: the text, in order, into the receive buffer */
    if (seg->len > 0) {
        tcp_rcvq_put(c, seg); /* it fits: tcp_predicted checked the window */
        c->rcv_nxt += seg->len;
        c->rcv_wnd_idle = false; /* text held: the window is chosen anew */
        c->bytes_received += seg->len;
        tcp_ack_text(c, seg, seg->len, false, false);
    }
    /* Only an ACK of new data lets more of ours go: the window is the same, and nothing else
       a predicted segment changes bears on what tcp_output may send (Linux tcp_rcv_established
       likewise calls tcp_data_snd_check only when the segment's ACK moves SND.UNA). */
    if (acked)
        tcp_output(c);
}

/* ---- entry ----------------------------------------------------------------------------- */

void
tcp_input(struct tcp_host *h, const struct tcp_seg *seg)
{
    struct tcp_conn *c = tcp_demux_last(h, seg);
    if (!c) {
        c = tcp_demux_table(h, seg);
        if (!c) {
            tcp_input_closed(h, seg);
            return;
        }
        if (c->state != TCP_LISTEN)
            h->demux_last = c; /* a hit of the cache is in it already */
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
        (void)tcp_input_listen(c, seg, -1);
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
    /* the full path may have moved the window, the recovery or the out-of-order queue (the
       TCB stays until world_retire, whatever happened) */
    tcp_fast_path_check(c);
}
