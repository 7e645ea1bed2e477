/*
 * tcp_rec.c - what a closed connection leaves behind: its record (struct tcp_rec).
 *
 * RFC 9293 §3.10 ends a connection with "delete the TCB"; Linux frees the socket once the
 * program has closed it too (a TIME-WAIT lives on as a small inet_timewait_sock, then goes).
 * tcpsim numbers every connection for good ("A12") and a script may still hold a handle to
 * one long closed, so the world keeps a record of each: about 160 bytes instead of the TCB's
 * 900 and the timers' 780. A world that keeps many (lsim's, world_compact) lets a TCB give
 * way to its record once nothing needs the TCB any more (tcp_rec_ready), and makes a TCB from
 * the record again, CLOSED, when a handle reads it (tcp_rec_open).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_internal.h"

/* Nothing needs the TCB: deleted (CLOSED, off the host's list and table, its timers and
   buffers given back), closed by the program (no file descriptor: Linux frees the socket
   then), in no listener's queues (an accepted one names its listener, which needs nothing of
   it), no TIME-WAIT incarnation linked to it, never a listener (its accepted children name
   it), and not the connection demultiplexing tries first. */
bool
tcp_rec_ready(const struct tcp_conn *c)
{
    const struct world *w = tcp_world(c);
    return c->state == TCP_CLOSED && !c->live && !c->has_fd && (!c->listener || c->accepted) &&
           !c->in_acceptq &&
           c->backlog == 0 && !c->acceptq_head && !c->tw_old && !c->tw_new &&
           c->timers == &w->timers_none && c->host->demux_last != c && !c->sndq.buf &&
           !c->rcvq.buf && c->rcvq.len == 0 && !c->kept_head && !c->lent.head && !c->zc_head &&
           !c->ooo && !c->ooo_spare;
}

void
tcp_rec_keep(const struct tcp_conn *c, struct tcp_rec *r)
{
    *r = (struct tcp_rec){
        .last_change = c->last_change, .srtt = c->srtt, .rttvar = c->rttvar, .rto = c->rto,
        .total_retransmits = c->total_retransmits, .bytes_sent = c->bytes_sent,
        .bytes_acked = c->bytes_acked, .bytes_received = c->bytes_received,
        .segs_sent = c->segs_sent, .segs_received = c->segs_received,
        .serial = (uint32_t)strtoul(c->name + strlen(c->host->name), NULL, 10),
        .laddr = c->laddr, .raddr = c->raddr, .lport = c->lport, .rport = c->rport,
        .iss = c->iss, .irs = c->irs, .snd_una = c->snd_una, .snd_nxt = c->snd_nxt,
        .rcv_nxt = c->rcv_nxt, .snd_wnd = c->snd_wnd, .rcv_wnd = c->rcv_wnd,
        .snd_mss = c->snd_mss, .fin_seq = c->fin_seq, .ts_recent = c->ts_recent,
        .last_rule = (uint16_t)c->last_rule, .error = (uint8_t)c->error, .host = (uint8_t)c->host->index,
        .snd_wscale = c->snd_wscale, .rcv_wscale = c->rcv_wscale,
        .error_reported = c->error_reported, .orphaned = c->orphaned, .passive = c->passive,
        .accepted = c->accepted, .bound = c->bound, .reuseaddr = c->reuseaddr,
        .keepalive = c->keepalive, .fin_queued = c->fin_queued, .fin_sent = c->fin_sent,
        .fin_rcvd = c->fin_rcvd, .rd_shut = c->rd_shut, .ws_ok = c->ws_ok, .ts_ok = c->ts_ok,
        .sack_ok = c->sack_ok,
    };
}

/* The TCB of record 'r', connection 'id' of host 'h' (r->host), as it was deleted: CLOSED, no timers,
   no buffers; what the record does not keep as a new socket has it. NULL: out of memory. */
struct tcp_conn *
tcp_rec_open(const struct tcp_rec *r, struct tcp_host *h, uint32_t id)
{
    struct tcp_conn *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = (struct tcp_conn){ /* what is not named is 0, as calloc would give */
        .id = id, .host = h, .world = h->world, .state = TCP_CLOSED, .pred_wnd = TCP_PRED_OFF, .last_rule = (enum tcp_rule)r->last_rule,
        .last_change = r->last_change, .error = (enum tcp_err)r->error,
        .error_reported = r->error_reported, .laddr = r->laddr, .raddr = r->raddr,
        .lport = r->lport, .rport = r->rport, .snd_una = r->snd_una, .snd_nxt = r->snd_nxt,
        .snd_wnd = r->snd_wnd, .iss = r->iss, .rcv_nxt = r->rcv_nxt, .rcv_wnd = r->rcv_wnd,
        .irs = r->irs, .snd_mss = r->snd_mss, .fin_queued = r->fin_queued,
        .fin_sent = r->fin_sent, .fin_seq = r->fin_seq, .fin_rcvd = r->fin_rcvd,
        .orphaned = r->orphaned, .rd_shut = r->rd_shut, .passive = r->passive,
        .reuseaddr = r->reuseaddr, .keepalive = r->keepalive,
        .opts = {.user_timeout = -1, .linger = -1}, .accepted = r->accepted, .srtt = r->srtt,
        .rttvar = r->rttvar, .rto = r->rto, .total_retransmits = r->total_retransmits,
        .isn_opt = -1, .ws_ok = r->ws_ok, .ts_ok = r->ts_ok, .sack_ok = r->sack_ok,
        .snd_wscale = r->snd_wscale, .rcv_wscale = r->rcv_wscale, .ts_recent = r->ts_recent,
        .timers = &h->world->timers_none, .bound = r->bound, .bytes_sent = r->bytes_sent,
        .bytes_acked = r->bytes_acked, .bytes_received = r->bytes_received,
        .segs_sent = r->segs_sent, .segs_received = r->segs_received,
    };
    snprintf(c->name, sizeof c->name, "%s%u", h->name, (unsigned)r->serial);
    tcp_timer_tw_init(c);
    return c;
}
