/*
 * tcp_timer.c - a connection's timers (RFC 9293 §3.8.1, §3.10.8; RFC 6298; RFC 1122 4.2.3).
 *
 *   rexmit      RFC 6298: retransmit the earliest unacknowledged segment, back off, give up
 *               after tcp_syn_retries / tcp_synack_retries / tcp_retries2 (ETIMEDOUT)
 *   persist     §3.8.6.1: the peer's window is zero and we have data: probe it
 *   2msl        §3.10.8: TIME-WAIT ends, the TCB is deleted
 *   fin_wait_2  Linux tcp_fin_timeout: an orphaned FIN-WAIT-2 is not kept forever
 *   keepalive   RFC 1122 4.2.3.6: probe an idle connection; give up after N probes
 *   delack      §3.8.6.3 (setting delayed_ack): send the ACK held back for in-order data;
 *               left running, idle, when another segment carries that ACK
 *
 * Each timer is a clk_event in the world's one queue; arming and cancelling are O(log n),
 * pushing a timer later O(1) (clk.h, "Postponing"), and all are reported in the event stream.
 */
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

static void
tcp_timer_event(struct tcp_conn *c, enum trace_kind kind, enum tcp_timer t)
{
    struct world *w = tcp_world(c);
    if (!world_traced(w))
        return;
    struct trace_event ev = {
        .kind = kind, .host = c->host->index, .conn = c->id, .conn_name = c->name,
        .timer = t, .when = c->timers[t].ev.when,
        .from_state = c->state, .to_state = c->state,
    };
    world_emit(w, &ev);
}

void
tcp_timer_arm(struct tcp_conn *c, enum tcp_timer t, clk_time delay)
{
    struct world *w = tcp_world(c);
    clk_time when = delay >= CLK_NEVER - w->clk.now ? CLK_NEVER - 1 : w->clk.now + delay;
    (void)clk_arm(&w->clk, &c->timers[t].ev, when);
    tcp_timer_event(c, TRACE_TIMER_ARM, t);
}

void
tcp_timer_stop(struct tcp_conn *c, enum tcp_timer t)
{
    clk_cancel(&tcp_world(c)->clk, &c->timers[t].ev);
    if (!tcp_timer_idle(c, t))
        tcp_timer_event(c, TRACE_TIMER_CANCEL, t);
}

void
tcp_timer_cancel_all(struct tcp_conn *c)
{
    for (int t = 0; t < TCP_TIMER_COUNT; t++)
        tcp_timer_cancel(c, (enum tcp_timer)t);
}

clk_time
tcp_timer_left(const struct tcp_conn *c, enum tcp_timer t)
{
    if (!clk_armed(&c->timers[t].ev) || tcp_timer_idle(c, t))
        return -1;
    return c->timers[t].ev.when - c->host->world->clk.now;
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
   when due: RFC 9293 3.10.8 treats it as its own deadline, and Linux clamps the RTO so. */
static clk_time
tcp_rexmit_delay(const struct tcp_conn *c)
{
    clk_time ut = tcp_user_timeout(c);
    if (ut <= 0 || c->first_unacked_at <= 0 || c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED)
        return c->rto;
    clk_time left = c->first_unacked_at + ut - tcp_now(c);
    if (left < 0)
        left = 0;
    return left < c->rto ? left : c->rto;
}

void
tcp_rexmit_update(struct tcp_conn *c)
{
    if (c->snd_nxt == c->snd_una) {
        /* RFC 6298 5.2: all outstanding data acknowledged, turn off the timer */
        tcp_timer_cancel(c, TCP_TIMER_REXMIT);
        c->first_unacked_at = 0;
        return;
    }
    /* RFC 6298 5.1: start it when a segment is sent and it is not running */
    if (!tcp_timer_armed(c, TCP_TIMER_REXMIT))
        tcp_timer_arm(c, TCP_TIMER_REXMIT, tcp_rexmit_delay(c));
}

void
tcp_rexmit_restart(struct tcp_conn *c)
{
    /* RFC 6298 5.3: "When an ACK is received that acknowledges new data, restart the
       retransmission timer" (re-armed in place: one heap operation); 5.2: or stop it. */
    if (c->snd_nxt == c->snd_una) {
        tcp_timer_cancel(c, TCP_TIMER_REXMIT);
        c->first_unacked_at = 0;
        return;
    }
    tcp_timer_arm(c, TCP_TIMER_REXMIT, tcp_rexmit_delay(c));
}

void
tcp_start_time_wait(struct tcp_conn *c)
{
    tcp_timer_cancel(c, TCP_TIMER_REXMIT);
    tcp_timer_cancel(c, TCP_TIMER_PERSIST);
    tcp_timer_cancel(c, TCP_TIMER_FINWAIT2);
    tcp_timer_cancel(c, TCP_TIMER_KEEPALIVE);
    tcp_timer_arm(c, TCP_TIMER_TIMEWAIT, 2 * c->host->cfg.msl);
}

void
tcp_keepalive_reset(struct tcp_conn *c)
{
    c->probes = 0;
    if (c->keepalive && tcp_synchronized(c->state) && c->state != TCP_TIME_WAIT)
        tcp_timer_arm(c, TCP_TIMER_KEEPALIVE, tcp_keepidle(c));
}

/* The retransmission timer expired (RFC 6298 5.4-5.6), or the connection gives up. */
static void
tcp_rexmit_timeout(struct tcp_conn *c)
{
    const struct tcp_settings *s = &c->host->cfg;
    if (c->state == TCP_SYN_SENT && c->retransmits >= s->syn_retries) {
        tcp_delete_tcb(c, TCP_RULE_TIMER_SYN_GIVE_UP, TCP_ETIMEDOUT);
        return;
    }
    if (c->state == TCP_SYN_RECEIVED && c->retransmits >= s->synack_retries) {
        tcp_delete_tcb(c, TCP_RULE_TIMER_SYNACK_GIVE_UP, TCP_ETIMEDOUT);
        return;
    }
    if (c->state != TCP_SYN_SENT && c->state != TCP_SYN_RECEIVED) {
        if (tcp_user_timeout(c) > 0 && c->first_unacked_at > 0
            && tcp_now(c) - c->first_unacked_at >= tcp_user_timeout(c)) {
            tcp_delete_tcb(c, TCP_RULE_TIMER_USER_TIMEOUT, TCP_ETIMEDOUT);
            return;
        }
        if (c->retransmits >= s->retries2) {
            tcp_delete_tcb(c, TCP_RULE_TIMER_DATA_GIVE_UP, TCP_ETIMEDOUT);
            return;
        }
    }
    c->retransmits++;
    /* RFC 6298 5.5: back off the timer, RTO <- RTO * 2 (up to the maximum) */
    c->rto = tcp_clamp_rto(c, c->rto * 2);
    tcp_note(c->host, c, TCP_RULE_TIMER_REXMIT);
    if (c->retransmits == s->retries1)
        tcp_note(c->host, c, TCP_RULE_TIMER_RETRIES1);
    /* Segments after the lost one may be lost too: partial ACKs resend them (RFC 6582) */
    c->in_recovery = true;
    c->recover = c->snd_nxt;
    tcp_retransmit(c);
    /* RFC 6298 5.6: start the timer with the new RTO */
    tcp_timer_arm(c, TCP_TIMER_REXMIT, tcp_rexmit_delay(c));
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
        tcp_send_ack(c);
        break;
    case TCP_TIMER_COUNT:
        break;
    }
}
