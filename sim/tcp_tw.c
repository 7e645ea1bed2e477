/*
 * tcp_tw.c - a TIME-WAIT in its small form (struct tcp_tw), as Linux's timewait socket.
 *
 * RFC 9293 §3.10.7.4 keeps the whole TCB through TIME-WAIT; all it does there is acknowledge a
 * retransmitted FIN and restart the 2MSL timer (eighth step), drop old duplicates (PAWS, RFC
 * 7323 5.3), maybe let a new SYN reopen the pair (§3.6.1), and delete the TCB when 2MSL runs
 * out (§3.10.8). Linux frees the socket of a connection its program has closed when it enters
 * TIME-WAIT and keeps a small inet_timewait_sock instead (tcp_time_wait, tcp_timewait_sock:
 * the pair, snd_nxt, rcv_nxt, rcv_wnd, the timestamps, one timer), which
 * tcp_timewait_state_process answers from. A host with 28,000 of them (a busy client) keeps
 * 28,000 of those, not 28,000 sockets.
 *
 * tcpsim does the same in a world that keeps many connections (world_compact): a TIME-WAIT
 * its program has closed, with nothing unread and nothing in use beyond what the small form
 * keeps (tcp_tw_ready), gives its TCB up when the world retires it (world_retire): the record
 * (struct tcp_rec, tcp_rec.c) keeps what a closed connection shows, struct tcp_tw the rest
 * TIME-WAIT reads, the 2MSL timer still armed, in the TCB's place in the host's list and
 * table (tcp_hash_swap). The small form answers nothing itself: a segment that finds it
 * (tcp_demux), a reader (world_conn) or its 2MSL timer makes the TCB again in its place
 * (tcp_tw_open), in TIME-WAIT, and the same code of §3.10.7 and §3.10.8 runs on it; the TCB
 * may give way again at the next world_retire. So a trace is the same whichever form the
 * TIME-WAIT is in. A TIME-WAIT the program still holds (shut down, then the peer's FIN) keeps
 * its TCB (docs/deviations.md).
 */
#include <stdlib.h>

#include "tcp_internal.h"

_Static_assert(TCP_TW_BYTES < 512, "a TIME-WAIT under 512 bytes, as Linux's (issue #17)");

/* What the small form keeps beside its record (struct tcp_rec), by its name there and the
   TCB's: what the ACKs a TIME-WAIT sends read (the window's inputs, ts_off), what the tests
   of an arriving segment read (the send window's last update, TS.Recent's age for PAWS, the
   rate limit of its ACKs) and what a reader is shown (the buffers' sizes, the statistics). */
#define TCP_TW_KEPT(X)                                                                        \
    X(snd_wl1, snd_wl1) X(snd_wl2, snd_wl2) X(rcv_adv, rcv_adv) X(rcv_ssthresh, rcv_ssthresh)  \
    X(window_clamp, window_clamp) X(rcv_mss, rcv_mss) X(ts_off, ts_off) X(rcv_cap, rcvq.cap)   \
    X(snd_cap, sndq.cap) X(rcvbuf, opts.rcvbuf) X(sndbuf, opts.sndbuf)                         \
    X(dsacks_rcvd, dsacks_rcvd) X(ts_recent_stamp, ts_recent_stamp) X(oow_last, oow_last)      \
    X(last_heard, last_heard) X(rtt_min, rtt_min) X(rcv_taken, rcv_taken) X(zc_done, zc_done)  \
    X(rcv_ratio, rcv_ratio) X(rcv_wnd_idle, rcv_wnd_idle) X(oow_sent, oow_sent)                \
    X(ts_ok, ts_ok) X(reuseaddr, reuseaddr)

bool
tcp_tw_ready(const struct tcp_conn *c)
{
    const struct world *w = tcp_world(c);
    /* TIME-WAIT, closed by its program, nothing to read and no memory held (the rings gave
       theirs back at TIME-WAIT: tcp_start_time_wait), no timer but 2MSL; in no listener's
       queue, no incarnation linked to it (tcp_time_wait_reopen); nothing sent unacknowledged,
       no ACK owed, no SACK state to report or recover from: what the small form does not keep
       reads as a new socket's value, and none of those values would change an answer */
    return w->compact && c->state == TCP_TIME_WAIT && c->live && !c->has_fd && c->rcvq.len == 0 &&
           c->sndq.len == 0 && !c->sndq.buf && !c->rcvq.buf && !c->kept_head && !c->lent.head &&
           !c->zc_head && !c->ooo && !c->ooo_spare && (!c->listener || c->accepted) && !c->in_acceptq &&
           c->backlog == 0 && !c->acceptq_head && !c->tw_old && !c->tw_new && c->timers == &w->timers_none &&
           c->snd_una == c->snd_nxt && c->ack_owed == 0 && !c->sack_report && c->rcv_nsack == 0 &&
           !c->dsack_due && c->nboard == 0 && !c->in_recovery && !c->rtt_timing && !c->tlp_out &&
           c->retransmits == 0 && c->dupacks == 0 && c->snd_up == 0 && c->rcv_up == 0 &&
           c->opts.linger < 0 && c->opts.user_timeout < 0 && !c->opts.keepidle && !c->opts.keepintvl &&
           !c->opts.keepcnt && !c->opts.nodelay && !c->opts.quickack && c->isn_opt < 0;
}

/* The 2MSL timer of a small TIME-WAIT: the TCB again, and §3.10.8's timeout on it (out of
   memory: the TIME-WAIT stays, small, until the host's end). */
static void
tcp_tw_timer_fire(struct clk_event *ev, void *ctx)
{
    (void)ev;
    struct tcp_conn *c = tcp_tw_open(ctx);
    if (c)
        tcp_timer_fire(&c->tw_timer.ev, &c->tw_timer);
}

void
tcp_tw_shrink(struct tcp_conn *c)
{
    struct tcp_host *h = c->host;
    struct world *w = h->world;
    struct tcp_tw *tw = malloc(sizeof *tw);
    if (!tw)
        return; /* the TCB stays: the small form is only a saving */
    struct tcp_rec *r = &w->recs[c->id - 1];
    tcp_rec_keep(c, r);
    r->tw = true;
    *tw = (struct tcp_tw){.link = {.tw = true}, .host = h, .id = c->id, .raddr = c->raddr,
                          .lport = c->lport, .rport = c->rport};
#define TCP_TW_KEEP(small, tcb) tw->small = c->tcb;
    TCP_TW_KEPT(TCP_TW_KEEP)
#undef TCP_TW_KEEP
    clk_event_move(&w->clk, &tw->timer, &c->tw_timer.ev);
    tw->timer.fire = tcp_tw_timer_fire;
    tw->timer.ctx = tw;
    tcp_hash_swap(h, &c->link, &tw->link);
    c->live = false; /* off the list and the table now: nothing counts it twice */
    if (h->demux_last == c)
        h->demux_last = NULL; /* a cache of the last lookup, not a user of the TCB */
    w->conns[c->id - 1] = NULL;
    tcp_conn_destroy(c);
}

struct tcp_conn *
tcp_tw_open(struct tcp_tw *tw)
{
    struct tcp_host *h = tw->host;
    struct world *w = h->world;
    struct tcp_rec *r = &w->recs[tw->id - 1];
    struct tcp_conn *c = tcp_rec_open(r, h, tw->id);
    if (!c)
        return NULL;
    /* the record's TCB is a deleted one: this one is in TIME-WAIT, on the host's list */
    c->state = TCP_TIME_WAIT;
    c->live = true;
#define TCP_TW_PUT(small, tcb) c->tcb = tw->small;
    TCP_TW_KEPT(TCP_TW_PUT)
#undef TCP_TW_PUT
    c->rcvq.pool = c->sndq.pool = &w->pool; /* the rings keep their sizes, not their memory */
    clk_event_move(&w->clk, &c->tw_timer.ev, &tw->timer);
    c->tw_timer.ev.fire = tcp_timer_fire; /* as tcp_timer_tw_init made it */
    c->tw_timer.ev.ctx = &c->tw_timer;
    tcp_hash_swap(h, &tw->link, &c->link);
    r->tw = false;
    w->conns[tw->id - 1] = c;
    free(tw);
    world_retire_later(w, c); /* it may give way again once this is over */
    return c;
}

struct tcp_tw *
tcp_tw_find(struct world *w, uint32_t id)
{
    const struct tcp_rec *r = &w->recs[id - 1];
    struct tcp_link *l = tcp_hash_find(&w->host[r->host], r->lport, r->raddr, r->rport, false);
    /* the newest of the pair first: a newer incarnation may be filed before it */
    for (; l; l = l->hash_next)
        if (l->tw && tcp_link_tw(l)->id == id)
            return tcp_link_tw(l);
    return NULL;
}

void
tcp_tw_free(struct tcp_tw *tw)
{
    clk_cancel(&tw->host->world->clk, &tw->timer);
    free(tw);
}
