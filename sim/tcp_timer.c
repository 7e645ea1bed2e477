/*
 * tcp_timer.c - a connection's timers (RFC 9293 §3.8.1, §3.10.8; RFC 6298; RFC 1122 4.2.3).
 *
 *   rexmit      RFC 6298: retransmit the earliest unacknowledged segment, back off, give up
 *               after tcp_syn_retries / tcp_synack_retries / tcp_retries2 / tcp_orphan_retries
 *               (ETIMEDOUT); Linux counts these limits as time (retries_by_time)
 *   tlp         RFC 8985 7 (setting tcp_early_retrans): the tail loss probe, armed in rexmit's
 *               place when no ACK is expected before the probe timeout; resends the last
 *               segment and restarts rexmit from there
 *   persist     §3.8.6.1: the peer's window is zero and we have data: probe it
 *   2msl        §3.10.8: TIME-WAIT ends, the TCB is deleted
 *   fin_wait_2  Linux tcp_fin_timeout: an orphaned FIN-WAIT-2 is not kept forever
 *   keepalive   RFC 1122 4.2.3.6: probe an idle connection; give up after N probes
 *   delack      §3.8.6.3 (setting delayed_ack): send the ACK held back for in-order data;
 *               left running, idle, when another segment carries that ACK (tcp_delack.c
 *               arms it; under Linux's way its expiry adapts the ACK timeout)
 *
 * Each timer is a clk_event in the world's one queue; arming and cancelling are O(log n),
 * pushing a timer later O(1) (clk.h, "Postponing"), and all are reported in the event stream.
 */
#include <assert.h>
#include <stdlib.h>

#include "tcp_internal.h"

/* The delayed-ACK timer is left running when another segment carries the ACK it was armed
   for (as Linux leaves it: stopping it at every second segment would cost more than letting
   it expire). With no ACK owed it is idle: not pending for anyone who looks, silent when it
   expires. */
static bool
tcp_timer_idle(const struct tcp_conn *c, enum tcp_timer t)
{
    return t == TCP_TIMER_DELACK && c->ack_owed == 0;
}

/* The event reported when someone watches: apart, so that the common untraced case, every
   second segment arming the delayed-ACK timer, pays one test and no call. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
void
tcp_timer_emit(struct tcp_conn *c, enum trace_kind kind, enum tcp_timer t)
{
    struct world *w = tcp_world(c);
    /* a scenario's log alone listens: straight into its record, no event built (trace.h) */
    if (w->log_only) {
        struct trace_conn_event ce = {
            .h = {.kind = kind, .host = c->host->index, .conn = c->id, .conn_name = c->name},
            .from_state = c->state, .to_state = c->state, .timer = t,
            .when = tcp_timer_ev(c, t)->when,
        };
        if (world_log_conn(w, &ce))
            return;
    }
    struct trace_event ev = {
        .kind = kind, .host = c->host->index, .conn = c->id, .conn_name = c->name,
        .timer = t, .when = tcp_timer_ev(c, t)->when,
        .from_state = c->state, .to_state = c->state,
    };
    world_emit(w, &ev);
}

static inline void
tcp_timer_event(struct tcp_conn *c, enum trace_kind kind, enum tcp_timer t)
{
    if (world_traced(tcp_world(c)))
        tcp_timer_emit(c, kind, t);
}

int
tcp_timers_get(struct tcp_conn *c)
{
    struct world *w = tcp_world(c);
    struct tcp_timers *b = w->timer_pool;
    if (b)
        w->timer_pool = b->next_free;
    else if (!(b = malloc(sizeof *b)))
        return -1;
    for (int t = 0; t < TCP_TIMER_COUNT; t++) {
        if (t == TCP_TIMER_TIMEWAIT)
            continue; /* the TCB's own (tw_timer) */
        struct tcp_conn_timer *tm = &b->t[tcp_timer_slot((enum tcp_timer)t)];
        tm->conn = c;
        tm->which = (enum tcp_timer)t;
        clk_event_init(&tm->ev, tcp_timer_fire, tm);
    }
    c->timers = b;
    return 0;
}

void
tcp_timer_tw_init(struct tcp_conn *c)
{
    c->tw_timer.conn = c;
    c->tw_timer.which = TCP_TIMER_TIMEWAIT;
    clk_event_init(&c->tw_timer.ev, tcp_timer_fire, &c->tw_timer);
}

/* The block goes back to the pool, every timer in it stopped. */
static void
tcp_timers_give_back(struct tcp_conn *c)
{
    struct tcp_timers *b = c->timers;
    struct world *w = tcp_world(c);
    if (b == &w->timers_none)
        return;
    for (int t = 0; t < TCP_TIMER_COUNT; t++)
        if (t != TCP_TIMER_TIMEWAIT)
            tcp_timer_cancel(c, (enum tcp_timer)t);
    b->next_free = w->timer_pool;
    w->timer_pool = b;
    c->timers = &w->timers_none; /* tcp_timer_armed reads it without a test: nothing is armed */
}

void
tcp_timers_put(struct tcp_conn *c)
{
    tcp_timers_give_back(c);
    tcp_timer_cancel(c, TCP_TIMER_TIMEWAIT);
}

void
tcp_timers_shed(struct tcp_conn *c)
{
    tcp_timers_give_back(c);
}

void
tcp_timers_pool_fini(struct world *w)
{
    while (w->timer_pool) {
        struct tcp_timers *b = w->timer_pool;
        w->timer_pool = b->next_free;
        free(b);
    }
}

void
tcp_timer_stop(struct tcp_conn *c, enum tcp_timer t)
{
    clk_cancel(&tcp_world(c)->clk, tcp_timer_ev(c, t));
    if (!tcp_timer_idle(c, t))
        tcp_timer_event(c, TRACE_TIMER_CANCEL, t);
}

clk_time
tcp_timer_left(const struct tcp_conn *c, enum tcp_timer t)
{
    const struct clk_event *ev = tcp_timer_ev_const(c, t);
    if (!clk_armed(ev) || tcp_timer_idle(c, t))
        return -1;
    return ev->when - c->host->world->clk.now;
}

static clk_time
tcp_clamp_rto(const struct tcp_conn *c, clk_time rto)
{
    const struct tcp_settings *s = &c->host->cfg;
    if (rto < s->rto_min)
        rto = s->rto_min;
    if (rto > s->rto_max)
        rto = s->rto_max;
    return rto;
}

void
tcp_rtt_sample(struct tcp_conn *c, clk_time r)
{
    if (c->rtt_min == 0 || r < c->rtt_min)
        c->rtt_min = r; /* RACK's reordering window is a quarter of it (tcp_recovery.c) */
    if (c->srtt == 0) {
        /* RFC 6298 2.2: the first measurement R: SRTT <- R, RTTVAR <- R/2 */
        c->srtt = r > 0 ? r : 1;
        c->rttvar = r / 2;
    } else {
        /* RFC 6298 2.3: RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'|, SRTT <- 7/8 SRTT + 1/8 R' */
        clk_time diff = c->srtt > r ? c->srtt - r : r - c->srtt;
        c->rttvar = (3 * c->rttvar + diff) / 4;
        c->srtt = (7 * c->srtt + r) / 8;
    }
    /* RTO <- SRTT + max(G, K*RTTVAR), K = 4; G, the clock granularity, is 1 ns here */
    clk_time k = 4 * c->rttvar;
    c->rto = tcp_clamp_rto(c, c->srtt + (k > 1 ? k : 1));
}

/* Keep-alive and the user timeout of one socket: its own options (setsockopt), else its
   host's settings, as Linux's keepalive_time_when(), keepalive_intvl_when(),
   keepalive_probes() and icsk_user_timeout read them. */
static clk_time
tcp_keepidle(const struct tcp_conn *c)
{
    return c->opts.keepidle > 0 ? c->opts.keepidle : c->host->cfg.keepalive_time;
}

static clk_time
tcp_keepintvl(const struct tcp_conn *c)
{
    return c->opts.keepintvl > 0 ? c->opts.keepintvl : c->host->cfg.keepalive_intvl;
}

static int
tcp_keepcnt(const struct tcp_conn *c)
{
    return c->opts.keepcnt > 0 ? c->opts.keepcnt : c->host->cfg.keepalive_probes;
}

static clk_time
tcp_user_timeout(const struct tcp_conn *c)
{
    return c->opts.user_timeout >= 0 ? c->opts.user_timeout : c->host->cfg.user_timeout;
}

/* The retransmission timer's next delay: the RTO, cut short so that a user timeout fires
   when due: RFC 9293 3.10.8 treats it as its own deadline, and Linux clamps the RTO so.
   Inline: every ACK of new data asks, and gcc called it. */
static inline clk_time
tcp_rexmit_delay_at(const struct tcp_conn *c, clk_time now)
{
    clk_time ut = tcp_user_timeout(c);
    if (ut <= 0 || c->first_unacked_at <= 0 || c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED)
        return c->rto;
    clk_time left = c->first_unacked_at + ut - now;
    if (left < 0)
        left = 0;
    return left < c->rto ? left : c->rto;
}

static inline clk_time
tcp_rexmit_delay(const struct tcp_conn *c)
{
    return tcp_rexmit_delay_at(c, tcp_now(c));
}

/* RFC 8985 7.2: may a tail loss probe be scheduled? With the setting on (Linux: 3 or 4), on
   a connection that agreed SACK (Linux tcp_schedule_loss_probe: !tcp_is_sack, no probe; the
   kernel's tlp-no-sack.pkt), once the handshake is over ("the connection is not in loss
   recovery": neither fast recovery nor RTO recovery, in_recovery) and while no probe is
   unanswered (7.3: one per flight). A zero window is left to the window probes (§3.8.6.1):
   there is nothing the peer could take. */
static inline bool
tcp_tlp_allowed(const struct tcp_conn *c)
{
    return c->host->cfg.early_retrans >= 3 /* 3 or 4: its range ends at 4 */
           && c->sack_ok && tcp_synchronized(c->state) && !c->in_recovery && !c->tlp_out && c->snd_wnd > 0;
}

/* RFC 8985 7.2, TLP_calc_PTO: "If SRTT is available: PTO = 2 * SRTT; If FlightSize is one
   segment: PTO += TLP.max_ack_delay; Else: PTO = 1 sec". The one segment's ACK may be one the
   peer delays: 200 ms, the RFC's suggested TLP.max_ack_delay and Linux's TCP_RTO_MIN
   (tcp_schedule_loss_probe). Segments are counted as tcp_output cut them: the data in pieces
   of SND.MSS, and our FIN apart. */
static inline clk_time
tcp_tlp_pto(struct tcp_conn *c)
{
    c->tlp_one = false;
    if (c->srtt == 0)
        return CLK_SEC(1);
    uint32_t data = c->snd_nxt - c->snd_una;
    bool fin_out = c->fin_sent && seq_le(c->snd_una, c->fin_seq);
    if (fin_out)
        data--;
    c->tlp_one = fin_out ? data == 0 : data <= c->snd_mss;
    return c->tlp_one ? 2 * c->srtt + CLK_MSEC(200) : 2 * c->srtt;
}

/* The RTO's own timer for its deadline, no probe standing in for it. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static void
tcp_rexmit_arm_rto(struct tcp_conn *c, clk_time now)
{
    tcp_timer_cancel(c, TCP_TIMER_TLP);
    tcp_timer_arm(c, TCP_TIMER_REXMIT, c->rto_deadline - now);
}

/* The probe's timer for 'when', the RTO's stopped. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static void
tcp_rexmit_arm_probe(struct tcp_conn *c, clk_time when, clk_time now)
{
    tcp_timer_cancel(c, TCP_TIMER_REXMIT);
    if (!tcp_timer_armed(c, TCP_TIMER_TLP) || tcp_timer_ev(c, TCP_TIMER_TLP)->when != when)
        tcp_timer_arm(c, TCP_TIMER_TLP, when - now);
}

/* tcp_rexmit_schedule at 'now', which the caller has read: inlined into tcp_rexmit_restart,
   which every ACK of new data calls, so that the clock is read once and one call is made
   instead of three. The timers are moved apart (tcp_rexmit_arm_rto, tcp_rexmit_arm_probe), so
   that the commonest case, the probe already set for the instant it would be set for (the
   ACKs of one flight arrive together), calls nothing and saves no register. */
static inline void
tcp_rexmit_schedule_at(struct tcp_conn *c, clk_time now)
{
    if (!tcp_tlp_allowed(c)) {
        tcp_rexmit_arm_rto(c, now);
        return;
    }
    /* "If Now() + PTO > TCP_RTO_expiration(): PTO = TCP_RTO_expiration() - Now()". Linux keeps
       one timer for both: while the probe is pending the RTO is not, and the probe, due
       first, restarts it. So the probe never loses a tie to the RTO it stands in for. */
    clk_time when = now + tcp_tlp_pto(c);
    if (when > c->rto_deadline)
        when = c->rto_deadline;
    if (tcp_timer_armed(c, TCP_TIMER_TLP) && tcp_timer_ev(c, TCP_TIMER_TLP)->when == when
        && !tcp_timer_armed(c, TCP_TIMER_REXMIT))
        return; /* as it should be */
    tcp_rexmit_arm_probe(c, when, now);
}

void
tcp_rexmit_schedule(struct tcp_conn *c)
{
    tcp_rexmit_schedule_at(c, tcp_now(c));
}

/* Start the retransmission timer afresh: the RTO from now, and a new run of timeouts for the
   retry limits to measure. */
static inline void
tcp_rexmit_start(struct tcp_conn *c)
{
    clk_time now = tcp_now(c);
    c->rexmit_start = now;
    c->rto_deadline = now + tcp_rexmit_delay_at(c, now);
    tcp_rexmit_schedule_at(c, now);
}

void
tcp_rexmit_rearm(struct tcp_conn *c)
{
    /* Linux (tcp_xmit_retransmit_queue): resending the first unacknowledged segment in loss
       recovery restarts the RTO from now, as a 6.18 kernel showed (tests/linux/sack-rto-holes.pkt:
       the timeout came an RTO after the holes were resent, not after the flight); the retry
       limits still count from rexmit_start */
    c->rto_deadline = tcp_now(c) + tcp_rexmit_delay(c);
    tcp_rexmit_schedule(c);
}

void
tcp_rexmit_cancel(struct tcp_conn *c)
{
    tcp_timer_cancel(c, TCP_TIMER_REXMIT);
    tcp_timer_cancel(c, TCP_TIMER_TLP);
}

/* RFC 6298 5.2: all outstanding data acknowledged, turn off the timer. Out of line: its
   callers' common case calls nothing. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static void
tcp_rexmit_stop(struct tcp_conn *c)
{
    tcp_rexmit_cancel(c);
    c->first_unacked_at = 0;
}

void
tcp_rexmit_update(struct tcp_conn *c)
{
    if (c->snd_nxt == c->snd_una) {
        tcp_rexmit_stop(c);
        return;
    }
    /* RFC 8985 7.2: "start or restart a loss probe PTO timer after transmitting new data";
       RFC 6298 5.1: start the retransmission timer when a segment is sent and it is not
       running. A probe timer started at this very instant (by the ACK that made room for
       this data) stays as it is, unless the flight has just grown past one segment, which
       takes the delayed ACK's allowance away. */
    if (tcp_timer_armed(c, TCP_TIMER_TLP)) {
        if (c->rexmit_start != tcp_now(c) || c->tlp_one)
            tcp_rexmit_schedule(c);
    } else if (!tcp_timer_armed(c, TCP_TIMER_REXMIT)) {
        tcp_rexmit_start(c);
    }
}

void
tcp_rexmit_restart(struct tcp_conn *c)
{
    /* RFC 8985 7.4: an ACK of everything sent up to the probe ends its episode */
    if (c->tlp_out && seq_ge(c->snd_una, c->tlp_high))
        c->tlp_out = false;
    /* RFC 6298 5.3: "When an ACK is received that acknowledges new data, restart the
       retransmission timer" (re-armed in place: one heap operation); 5.2: or stop it. RFC 8985
       7.2: and the probe timer "upon receiving an ACK that cumulatively acknowledges new
       data". */
    if (c->snd_nxt == c->snd_una) {
        tcp_rexmit_stop(c);
        return;
    }
    tcp_rexmit_start(c);
}

void
tcp_rto_after_handshake(struct tcp_conn *c)
{
    /* RFC 6298 5.7: "If the timer expires awaiting the ACK of a SYN segment and the TCP
       implementation is using an RTO less than 3 seconds, the RTO MUST be re-initialized to 3
       seconds when data transmission begins (i.e., after the three-way handshake completes)."
       A SYN or SYN,ACK sent twice leaves no RTT sample (Karn), and no sample is what Linux
       tests too (tcp_init_metrics: no SRTT, TCP_TIMEOUT_FALLBACK 3 s). */
    if (c->srtt != 0)
        return;
    clk_time rto = c->host->cfg.rto_initial > CLK_SEC(3) ? c->host->cfg.rto_initial : CLK_SEC(3);
    c->rto = tcp_clamp_rto(c, rto);
    tcp_note(c->host, c, TCP_RULE_HANDSHAKE_RTO_3S);
}

void
tcp_start_time_wait(struct tcp_conn *c)
{
    tcp_rexmit_cancel(c);
    tcp_timer_cancel(c, TCP_TIMER_PERSIST);
    tcp_timer_cancel(c, TCP_TIMER_FINWAIT2);
    tcp_timer_cancel(c, TCP_TIMER_KEEPALIVE);
    tcp_timer_arm(c, TCP_TIMER_TIMEWAIT, 2 * c->host->cfg.msl);
    /* TIME-WAIT keeps only what it needs, as Linux's timewait socket: our data is all
       acknowledged, so the send ring's memory goes back to the pool, and so does the receive
       ring's unless octets wait there to be read (tcp_rcvq_take gives it back then). */
    tcp_ring_release(&c->sndq);
    tcp_ring_release(&c->rcvq);
    tcp_timers_shed(c);
    world_retire_later(tcp_world(c), c); /* its small form may do (tcp_tw.c) */
}

void
tcp_keepalive_reset(struct tcp_conn *c)
{
    c->probes = 0;
    if (c->keepalive && tcp_synchronized(c->state) && c->state != TCP_TIME_WAIT)
        tcp_timer_arm(c, TCP_TIMER_KEEPALIVE, tcp_keepidle(c));
}

/* The time 'n' retries take when the RTO starts at 'base' and doubles (each at most rto_max):
   the n + 1 timeouts of the n retransmissions and of the giving up. Linux's ip-sysctl.rst
   (tcp_retries2): "a hypothetical TCP connection following exponential backoff with an
   initial RTO of TCP_RTO_MIN would retransmit N times before killing the connection at the
   (N+1)th RTO"; 15 retries of 200 ms give 924.6 s, 6 SYN retries of 1 s give 127 s. */
static clk_time
tcp_retries_time(const struct tcp_conn *c, int n, clk_time base)
{
    clk_time max = c->host->cfg.rto_max, rto = base < max ? base : max, t = 0;
    for (int i = 0; i <= n; i++) {
        t += rto;
        rto = rto < max / 2 ? 2 * rto : max;
    }
    return t;
}

/* Are the retries used up at this timeout? Under retries_by_time as Linux decides
   (retransmits_timed_out): once this timeout comes at least the time 'n' retries take after
   the run of timeouts began, "TCP will effectively time out at the first RTO which exceeds
   the hypothetical timeout", however many retransmissions that was. Otherwise after 'count'
   retransmissions, the RFC's R2 as a count (RFC 9293 3.8.3 allows either). */
static bool
tcp_retries_done(const struct tcp_conn *c, int count, int n, clk_time base)
{
    if (!c->host->cfg.retries_by_time)
        return c->retransmits >= count;
    return c->retransmits > 0 && tcp_now(c) - c->rexmit_start >= tcp_retries_time(c, n, base);
}

/* A socket the application has closed gives up after tcp_orphan_retries (Linux
   tcp_orphan_retries()): 0 means 8, "corresponds to >100 seconds with minimal RTO of
   200msec", unless the RTO has already reached its maximum; -1 (the rfc preset) means no
   limit of its own. */
static int
tcp_orphan_limit(const struct tcp_conn *c)
{
    const struct tcp_settings *s = &c->host->cfg;
    if (s->orphan_retries != 0)
        return s->orphan_retries;
    return c->rto < s->rto_max ? 8 : 0;
}

/* The retransmission timer expired (RFC 6298 5.4-5.6), or the connection gives up. */
static void
tcp_rexmit_timeout(struct tcp_conn *c)
{
    const struct tcp_settings *s = &c->host->cfg;
    if (c->state == TCP_SYN_RECEIVED && c->passive) {
        /* The SYN,ACK of a passive open: Linux's request socket counts its retransmissions */
        if (c->retransmits >= s->synack_retries) {
            tcp_delete_tcb(c, TCP_RULE_TIMER_SYNACK_GIVE_UP, TCP_ETIMEDOUT);
            return;
        }
    } else if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
        /* Our SYN, or our SYN,ACK after a simultaneous open (the same socket: Linux gives it
           tcp_syn_retries). Linux's count is tcp_syn_retries + tcp_syn_linear_timeouts in
           SYN-SENT, but its time limit, counted from 1 s doubling, always comes first. */
        int linear = c->state == TCP_SYN_SENT ? s->syn_linear_timeouts : 0;
        if (tcp_retries_done(c, s->syn_retries + linear, s->syn_retries, s->rto_initial)) {
            tcp_delete_tcb(c, TCP_RULE_TIMER_SYN_GIVE_UP, TCP_ETIMEDOUT);
            return;
        }
    } else {
        if (tcp_user_timeout(c) > 0 && c->first_unacked_at > 0
            && tcp_now(c) - c->first_unacked_at >= tcp_user_timeout(c)) {
            tcp_delete_tcb(c, TCP_RULE_TIMER_USER_TIMEOUT, TCP_ETIMEDOUT);
            return;
        }
        if (c->orphaned && s->orphan_retries >= 0) {
            int n = tcp_orphan_limit(c);
            if (tcp_retries_done(c, n, n, s->rto_min)) {
                /* Linux sends nothing (tcp_write_err): the peer may still be there */
                tcp_delete_tcb(c, TCP_RULE_TIMER_ORPHAN_GIVE_UP, TCP_ETIMEDOUT);
                return;
            }
        } else if (tcp_retries_done(c, s->retries2, s->retries2, s->rto_min)) {
            tcp_delete_tcb(c, TCP_RULE_TIMER_DATA_GIVE_UP, TCP_ETIMEDOUT);
            return;
        }
    }
    c->retransmits++;
    /* RFC 6298 5.5: back off the timer, RTO <- RTO * 2 (up to the maximum); but not for the
       first tcp_syn_linear_timeouts timeouts of a SYN (Linux 6.5 and later): its first
       tcp_syn_linear_timeouts + 1 retransmissions go one initial RTO apart. */
    if (!(c->state == TCP_SYN_SENT && c->retransmits <= s->syn_linear_timeouts))
        c->rto = tcp_clamp_rto(c, c->rto * 2);
    tcp_note(c->host, c, TCP_RULE_TIMER_REXMIT);
    if (c->retransmits == s->retries1)
        tcp_note(c->host, c, TCP_RULE_TIMER_RETRIES1);
    /* Segments after the lost one may be lost too: partial ACKs resend them (RFC 6582); no
       tail loss probe until that recovery is over, and a probe's episode ends here (RFC 8985
       7.1: TLP.end_seq is reset on entering RTO recovery). */
    c->in_recovery = true;
    tcp_fast_path_check(c); /* no header prediction in recovery */
    c->recover = c->snd_nxt;
    c->tlp_out = false;
    uint32_t una_data = c->snd_nxt - c->snd_una;
    tcp_retransmit(c);
    if (c->sack_ok) /* with SACK, the holes that follow go as ACKs come (tcp_recovery.c) */
        tcp_sack_on_rto(c, una_data < c->snd_mss ? una_data : c->snd_mss);
    /* RFC 6298 5.6: start the timer with the new RTO */
    c->rto_deadline = tcp_now(c) + tcp_rexmit_delay(c);
    tcp_timer_arm(c, TCP_TIMER_REXMIT, c->rto_deadline - tcp_now(c));
}

/* The probe timeout expired (RFC 8985 7.3): send the probe, then "re-arm the RTO timer, not
   the PTO timer". Linux restarts it from the probe with the RTO as it stands, not backed off
   (tcp_send_loss_probe): a lone FIN with an RTO of 300 ms goes at 0, 0.3 (the probe), 0.6,
   1.2 s. The probe is no timeout: the retransmission count stays. */
static void
tcp_tlp_timeout(struct tcp_conn *c)
{
    tcp_note(c->host, c, TCP_RULE_TIMER_TLP);
    c->tlp_out = true;
    c->tlp_high = c->snd_nxt;
    tcp_send_tail_probe(c);
    c->rto_deadline = tcp_now(c) + tcp_rexmit_delay(c);
    tcp_timer_arm(c, TCP_TIMER_REXMIT, c->rto_deadline - tcp_now(c));
}

void
tcp_timer_fire(struct clk_event *ev, void *ctx)
{
    (void)ev;
    struct tcp_conn_timer *tm = ctx;
    struct tcp_conn *c = tm->conn;
    if (tcp_timer_idle(c, tm->which))
        return;
    tcp_timer_event(c, TRACE_TIMER_FIRE, tm->which);
    switch (tm->which) {
    case TCP_TIMER_REXMIT:
        tcp_rexmit_timeout(c);
        break;
    case TCP_TIMER_PERSIST:
        tcp_note(c->host, c, TCP_RULE_TIMER_PERSIST);
        tcp_send_probe(c, true);
        break;
    case TCP_TIMER_TIMEWAIT:
        tcp_delete_tcb(c, TCP_RULE_TIMER_TIME_WAIT, TCP_OK);
        break;
    case TCP_TIMER_FINWAIT2:
        tcp_delete_tcb(c, TCP_RULE_TIMER_FIN_WAIT_2, TCP_OK);
        break;
    case TCP_TIMER_KEEPALIVE:
        if (c->snd_nxt != c->snd_una || c->sndq.len > 0) {
            /* Not idle: data or our FIN is outstanding, and the retransmission timer watches
               over the peer (a probe below SND.NXT would even be acceptable to it, and go
               unanswered). Look again after another idle period, as Linux does. */
            tcp_keepalive_reset(c);
            break;
        }
        if (c->probes >= tcp_keepcnt(c)) {
            /* The peer may be alive but unreachable: tell it the connection is gone, as
               Linux's tcp_keepalive_timer does (tcp_send_active_reset: RST,ACK one interval
               after the last probe on a 6.18 kernel). RFC 1122 4.2.3.6 leaves it open. */
            tcp_send_rst(c);
            tcp_delete_tcb(c, TCP_RULE_TIMER_KEEPALIVE_GIVE_UP, TCP_ETIMEDOUT);
            break;
        }
        c->probes++;
        tcp_note(c->host, c, TCP_RULE_TIMER_KEEPALIVE);
        tcp_send_probe(c, false);
        tcp_timer_arm(c, TCP_TIMER_KEEPALIVE, tcp_keepintvl(c));
        break;
    case TCP_TIMER_DELACK:
        tcp_note(c->host, c, TCP_RULE_TIMER_DELACK);
        if (c->host->cfg.delayed_ack == TCP_DELACK_LINUX)
            tcp_delack_timeout(c);
        tcp_send_ack(c);
        break;
    case TCP_TIMER_TLP:
        tcp_tlp_timeout(c);
        break;
    case TCP_TIMER_REORDER:
        tcp_rack_timeout(c);
        break;
    case TCP_TIMER_COUNT:
        break;
    }
}
