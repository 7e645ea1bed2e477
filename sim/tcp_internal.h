/*
 * tcp_internal.h - what the tcp_*.c files share with each other and with world.c.
 * Not part of the public API: scripts and outputs see connections through tcp.h and trace.h.
 */
#ifndef TCPSIM_TCP_INTERNAL_H
#define TCPSIM_TCP_INTERNAL_H

#include <assert.h>

#include "tcpsim/tcp.h"
#include "tcpsim/world.h"

/* tcp_fsm.c: the life of a connection record. */
struct tcp_conn *tcp_conn_create(struct tcp_host *h, uint32_t id);
void tcp_conn_destroy(struct tcp_conn *c);
/* tcp_rec.c: a closed connection's record. May the TCB give way to it (nothing needs the TCB)?
   Keep what the record holds; make the TCB again from it, CLOSED (NULL: out of memory). */
bool tcp_rec_ready(const struct tcp_conn *c);
void tcp_rec_keep(const struct tcp_conn *c, struct tcp_rec *r);
struct tcp_conn *tcp_rec_open(const struct tcp_rec *r, struct tcp_host *h, uint32_t id);
/* The only writer of c->state: records 'rule' and reports a TRACE_STATE event. */
void tcp_set_state(struct tcp_conn *c, enum tcp_state next, enum tcp_rule rule);
/* Report that 'rule' acted on connection 'c' (may be NULL) without changing state. Inline:
   with nobody listening (a benchmark, a batch run) a note costs a test, not a call. */
void tcp_note_emit(struct tcp_host *h, const struct tcp_conn *c, enum tcp_rule rule);
static inline void tcp_note(struct tcp_host *h, const struct tcp_conn *c, enum tcp_rule rule)
{
    if (world_traced(h->world))
        tcp_note_emit(h, c, rule);
}
/* Delete the TCB (§3.10: "delete the TCB"): state CLOSED by 'rule', report 'err' to the user,
   stop timers, free buffers, leave the host's list. The record itself stays for handles. */
void tcp_delete_tcb(struct tcp_conn *c, enum tcp_rule rule, enum tcp_err err);
/* The incarnation that reopened a TIME-WAIT (tw_reopen_restore) left SYN-RECEIVED: delete the
   old TCB when it is 'synchronized', else give the old TCB the pair back. */
void tcp_time_wait_settle(struct tcp_conn *n, bool synchronized);
/* Put 'c' on its host's list of live connections and in its table (demultiplexing looks
   there). */
void tcp_conn_attach(struct tcp_conn *c);
/* tcp_tw.c: a TIME-WAIT in its small form (struct tcp_tw). May 'c' give way to one (a compact
   world, TIME-WAIT, closed by its program, nothing of it in use but what the small form
   keeps)? Then tcp_tw_shrink frees the TCB (the caller's pointer is no longer good).
   tcp_tw_open makes the TCB again in its place, in TIME-WAIT (NULL: out of memory); tcp_tw_free
   forgets a small form at the world's end. */
bool tcp_tw_ready(const struct tcp_conn *c);
void tcp_tw_shrink(struct tcp_conn *c);
struct tcp_conn *tcp_tw_open(struct tcp_tw *tw);
void tcp_tw_free(struct tcp_tw *tw);
/* The small TIME-WAIT of connection 'id' (its record says it is one), in its host's table. */
struct tcp_tw *tcp_tw_find(struct world *w, uint32_t id);
/* The TCB at 'l', made again from its small form if it is one (NULL: out of memory). */
static inline struct tcp_conn *tcp_link_open(struct tcp_link *l)
{
    return l->tw ? tcp_tw_open(tcp_link_tw(l)) : tcp_link_conn(l);
}
/* The next live connection of a host's list (the list: h->conns) that is a TCB, or NULL: a
   walk over what the small TIME-WAITs never are (a listener's children, say). */
static inline struct tcp_conn *tcp_link_next_tcb(struct tcp_link *l)
{
    while (l && l->tw)
        l = l->next;
    return l ? tcp_link_conn(l) : NULL;
}

/* tcp_hash.c: a host's table of live connections, made with the host (-1: out of memory).
   tcp_conn_attach and its undoing file 'c' (its socket pair set, a listener's raddr and rport
   0) and count its local port. */
int tcp_hash_init(struct tcp_host *h);
void tcp_hash_insert(struct tcp_conn *c);
void tcp_hash_remove(struct tcp_conn *c);
/* What the table holds for this socket pair of 'h' (a TCB or a small TIME-WAIT), the newest
   first; 'skip_aside': not a TIME-WAIT set aside under its new incarnation (the one a segment
   is for). NULL: none. */
struct tcp_link *tcp_hash_find(const struct tcp_host *h, uint16_t lport, uint32_t raddr, uint16_t rport,
                               bool skip_aside);
/* The same as a TCB: a small TIME-WAIT found is made a TCB again (tcp_tw_open). */
struct tcp_conn *tcp_hash_pair(struct tcp_host *h, uint16_t lport, uint32_t raddr, uint16_t rport,
                               bool skip_aside);
/* The TCB 'c' or small TIME-WAIT 'tw' takes the place of the other in the host's list and
   table, counts unchanged ('from' is out of both afterwards). */
void tcp_hash_swap(struct tcp_host *h, struct tcp_link *from, struct tcp_link *to);
/* The listener of 'h' on 'lport', or NULL. */
struct tcp_conn *tcp_hash_listener(const struct tcp_host *h, uint16_t lport);
/* Free the host's table (world_free). */
void tcp_hash_free(struct tcp_host *h);
/* May 'c' enter TIME-WAIT? Not when its host keeps tcp_max_tw_buckets of them already: then
   the connection closes at once, the peer's FIN ACKed first (Linux tcp_time_wait), and false:
   the TCB is gone. */
bool tcp_time_wait_room(struct tcp_conn *c);
/* The program lets go of the socket (close, abort): it no longer counts against nofile. */
void tcp_fd_release(struct tcp_conn *c);
/* Give 'c' its buffers (send and receive rings) according to the host's settings. */
int tcp_conn_buffers(struct tcp_conn *c);
/* Choose an initial send sequence number (§3.4.1): fixed by setting or option, else the PRNG. */
uint32_t tcp_choose_iss(struct tcp_host *h, int64_t isn_opt);
/* An established connection is ready to be accepted: move it from its listener's SYN queue to
   its accept queue. */
void tcp_acceptq_push(struct tcp_conn *c);
/* Linux's limits (tcp_conn_request, sk_acceptq_is_full, inet_csk_reqsk_queue_is_full): each of
   a listener's queues holds backlog + 1 (listen(fd, 1) completed two handshakes, listen(fd, 4)
   kept five embryonic connections on a 6.18 kernel: tests/linux/listen-*.pkt). */
static inline bool tcp_acceptq_full(const struct tcp_conn *l) { return l->acceptq_len > l->backlog; }
static inline bool tcp_synq_full(const struct tcp_conn *l) { return l->synq_len > l->backlog; }

/* tcp_syncookie.c: SYN cookies (RFC 4987 §3.6). The ISS that answers 'syn' on listener 'l'
   without keeping state; '*mss' gets the MSS the cookie remembers for the peer. */
uint32_t tcp_syncookie_make(struct tcp_conn *l, const struct tcp_seg *syn, uint32_t *mss);
/* Does 'ack' (arriving at listener 'l', without SYN or RST) return a cookie 'l' sent? Then
   true, and '*mss' gets the peer's MSS as the cookie remembers it. */
bool tcp_syncookie_check(const struct tcp_conn *l, const struct tcp_seg *ack, uint32_t *mss);

/* tcp_rcvq.c: the receive queue. Queue the in-order text of 'seg' (all of it: the caller
   checked it fits), held as the segment when the wire lets it be kept, copied otherwise. */
void tcp_rcvq_put(struct tcp_conn *c, const struct tcp_seg *seg);
/* Queue 'len' in-order octets at 'data', the text of 'seg' (all of it, or a trimmed part):
   as tcp_rcvq_put when it is all of it and fits, else copied, as many as fit. Returns how
   many were queued. */
uint32_t tcp_rcvq_put_text(struct tcp_conn *c, const struct tcp_seg *seg, const uint8_t *data, uint32_t len);
/* Hold the out-of-order text 'len' octets at 'data' of 'seg' (being delivered): a new
   tcp_ooo node, keeping the segment when the wire lets it, copying otherwise; NULL when out of
   memory. */
struct tcp_ooo *tcp_ooo_new(struct tcp_conn *c, const struct tcp_seg *seg, const uint8_t *data, uint32_t len);
/* Queue the text of held node 'o' from its octet 'skip' on, now in order (handing its kept
   segment over when it can); how many octets were queued. The node stays the caller's. */
uint32_t tcp_rcvq_put_ooo(struct tcp_conn *c, struct tcp_ooo *o, uint32_t skip);
/* Free a held node, giving back the segment it keeps. */
void tcp_ooo_free(struct tcp_conn *c, struct tcp_ooo *o);
/* Take the first 'n' octets (n <= rcvq.len) into 'buf', or throw them away when 'buf' is NULL. */
void tcp_rcvq_take(struct tcp_conn *c, uint8_t *buf, uint32_t n);
/* Free every held out-of-order node, and the spare ones kept for reuse. */
void tcp_ooo_free_all(struct tcp_conn *c);
/* Give back every segment the queue holds, in order or not (the queue is about to be freed). */
void tcp_rcvq_release(struct tcp_conn *c);

/* tcp_sndq.c: the send queue. Queue up to 'len' octets of the user's memory without copying
   them; how many (0: no room, or no memory for the record). */
uint32_t tcp_sndq_push_zerocopy(struct tcp_conn *c, const uint8_t *data, uint32_t len);
/* The 'len' octets 'off' after SND.UNA's, if they lie in one piece (in the ring or in one
   zero-copy extent); NULL otherwise. */
const uint8_t *tcp_sndq_span(const struct tcp_conn *c, uint32_t off, uint32_t len);
/* Copy them into 'out', wherever they lie. */
void tcp_sndq_peek(const struct tcp_conn *c, uint32_t off, uint8_t *out, uint32_t len);
/* The first 'n' octets are acknowledged: they leave the queue (counted in bytes_acked). */
void tcp_sndq_drop(struct tcp_conn *c, uint32_t n);
/* Give every zero-copy extent back to the user (the queue is about to be freed). */
void tcp_sndq_release(struct tcp_conn *c);

/* tcp_ring.c: byte ring buffers, their memory from 'pool' at the first push (0; -1 when out
   of memory). */
int tcp_ring_alloc(struct tcp_ring *r, struct tcp_pool *pool, uint32_t cap);
/* Free the memory a world's pool keeps. */
void tcp_pool_fini(struct tcp_pool *p);
void tcp_ring_free(struct tcp_ring *r);
/* An empty ring gives its memory back to the pool and keeps its size: the next push takes
   memory again (a connection that will hold no more octets for a while). */
void tcp_ring_release(struct tcp_ring *r);
/* Give 'r' room for 'cap' bytes (at least r->len), its bytes kept at the same offsets from
   the head; 0, or -1 when out of memory. */
int tcp_ring_resize(struct tcp_ring *r, uint32_t cap);
uint32_t tcp_ring_space(const struct tcp_ring *r);
uint32_t tcp_ring_push(struct tcp_ring *r, const uint8_t *data, uint32_t len);
/* Copy 'len' bytes starting 'off' bytes after the head, without consuming. */
void tcp_ring_peek(const struct tcp_ring *r, uint32_t off, uint8_t *out, uint32_t len);
void tcp_ring_drop(struct tcp_ring *r, uint32_t len);
/* The 'len' bytes 'off' after the head, if they lie in one piece; NULL if they wrap. */
const uint8_t *tcp_ring_span(const struct tcp_ring *r, uint32_t off, uint32_t len);

/* tcp_input.c and tcp_input_open.c: SEGMENT ARRIVES (§3.10.7). */
/* The part of an arriving segment that survives trimming to the receive window. */
struct tcp_text {
    uint32_t seq;        /* first octet of 'data' (or the FIN, when len == 0) */
    uint32_t len;        /* octets of data kept */
    const uint8_t *data;
    bool syn, fin;       /* still inside the window */
    const struct tcp_seg *seg; /* the segment it was cut from */
};
/* §3.10.7.1: a segment for no connection. */
void tcp_input_closed(struct tcp_host *h, const struct tcp_seg *seg);
/* §3.10.7.2: a segment for listener 'l'. 'iss' >= 0: the ISS a new connection must take (a
   reopened TIME-WAIT); -1: choose one. The new connection in SYN-RECEIVED, or NULL. */
struct tcp_conn *tcp_input_listen(struct tcp_conn *l, const struct tcp_seg *seg, int64_t iss);
/* §3.10.7.3: a segment for our SYN. */
void tcp_input_syn_sent(struct tcp_conn *c, const struct tcp_seg *seg);
/* §3.10.7.4: the synchronized states (and SYN-RECEIVED), step by step. */
void tcp_input_other(struct tcp_conn *c, const struct tcp_seg *arrived);
/* §3.10.7.4 seventh and eighth: the text and the FIN of an accepted segment. */
void tcp_process_text_and_fin(struct tcp_conn *c, const struct tcp_text *t);
/* Acknowledge 'n' octets of 'seg''s text just accepted in order and, with 'fin', its FIN: at
   once or later, by the delayed_ack setting (tcp_input_text.c). */
void tcp_ack_text(struct tcp_conn *c, const struct tcp_seg *seg, uint32_t n, bool fin, bool filled_gap);
/* Header prediction's word, pred_wnd, made true to the state, the recovery, the out-of-order
   queue and the send window again (Linux tcp_fast_path_check): after a change of state, at
   the end of every segment's full path, and where a timer enters recovery. */
void tcp_fast_path_check(struct tcp_conn *c);

/* tcp_rcvwnd.c (tcp_rcv_window, what a segment offers, is in tcpsim/tcp.h) */
/* rcv_window_linux: the window a SYN (a SYN,ACK with timestamps: 'synack_ts') offers from a
   buffer of 'buffer' octets (Linux tcp_select_initial_window) */
uint32_t tcp_initial_window(const struct tcp_settings *cfg, uint32_t buffer, bool synack_ts);
/* rcv_window_linux: RCV.WND, rcv_ssthresh and the window's limit of a new connection, as its
   SYN or SYN,ACK offers them */
void tcp_rcv_window_start(struct tcp_conn *c, bool synack_ts);
/* rcv_window_linux (the caller checks it): 'n' octets of text arrived in order: what they teach of the buffer's
   share, and the window's growth (tcp_measure_rcv_mss, tcp_grow_window). Returns the free
   share after them (Linux tcp_space), which the ACK's decision that follows reuses. */
uint32_t tcp_rcv_window_data(struct tcp_conn *c, uint32_t n);
/* rcv_window_linux: the window the buffer allows now, before the rule that never shrinks it
   (Linux __tcp_select_window) */
uint32_t tcp_rcv_window_select(const struct tcp_conn *c);
/* ... the free share of the buffer, 'free_space' (Linux tcp_space), already known */
uint32_t tcp_rcv_window_select_from(const struct tcp_conn *c, uint32_t free_space);

/* rcv_window_linux: the window a segment offers when something has changed since the last
   (and it is not the ACK whose window tcp_ack_text chose: tcp_send_ack_chosen) */
uint32_t tcp_rcv_window_linux(const struct tcp_conn *c);

/* rcv_window_linux: the window 'w' chosen by Linux's rules, within what SEG.WND can say (RFC
   7323 2.3) and what the ring has room for (tcpsim holds the octets there alone), both in
   steps of the scale. */
static inline uint32_t
tcp_rcv_window_fit(const struct tcp_conn *c, uint32_t w)
{
    uint32_t unit = 1u << c->rcv_wscale;
    uint32_t most = 65535u << c->rcv_wscale;
    uint32_t room = (c->rcvq.cap - c->rcvq.len) & ~(unit - 1);
    if (w > most)
        w = most;
    return w > room ? room : w;
}
/* The share of 'space' offered as window under tcp_adv_win_scale (Linux tcp_win_from_space) */
uint32_t tcp_rcv_share(const struct tcp_settings *cfg, uint32_t space);

/* The window a segment offers now (tcp_rcv_window), inline for the per-segment path. */
static inline uint32_t
tcp_rcv_window_now(const struct tcp_conn *c)
{
    if (!c->rcvq.cap)
        return 0;
    if (c->host->cfg.rcv_window_linux) {
        /* nothing has arrived or been held since the last window was offered: the same
           inputs, so the same window (a fixed point of Linux's rules): spares a bulk sender
           the arithmetic on each data segment it sends. Whatever would change it moves
           RCV.NXT, which clears rcv_wnd_idle: the flag is tested alone. */
        if (c->rcv_wnd_idle)
            return c->rcv_wnd;
        return tcp_rcv_window_linux(c);
    }
    uint32_t free_space = c->rcvq.cap - c->rcvq.len;
    if (c->host->cfg.adv_win_scale != 0)
        free_space = tcp_rcv_share(&c->host->cfg, free_space);
    uint32_t most = 65535u << c->rcv_wscale; /* RFC 7323 2.3: what SEG.WND can say */
    uint32_t wnd = free_space > most ? most : free_space;
    /* ... and in steps of 2^Rcv.Wind.Shift: the window is what the peer is told, so a free
       space the shifted field rounds to 0 is a closed window, here as in the acceptability
       test (Linux tcp_select_window, tcp_receive_window): otherwise a window probe would be
       taken into a window we advertise as zero. */
    return wnd >> c->rcv_wscale << c->rcv_wscale;
}

/* SEG.WND of the segment 'c' sends next (but a SYN: tcp_output.c), the window of
   tcp_rcv_window_now shifted right by Rcv.Wind.Shift, and the window it offers recorded: RCV.WND
   as the peer will read it, its right edge (rcv_adv: Linux's rcv_wup + rcv_wnd) and whether
   nothing was held (rcv_wnd_idle). While rcv_wnd_idle holds under rcv_window_linux, the field
   is the one the last segment carried, and the three values are what they would be written
   as: a bulk sender's data segments compute nothing and store nothing (Linux's
   tcp_select_window computes the window anew for every segment; a fixed point of its rules,
   tcp_rcv_window_now). tcp_rcv_window_offered records a window 'w' already chosen for the
   segment (tcp_rcv_window_now's, or the one tcp_ack_text's test chose for its ACK). */
static inline uint16_t
tcp_rcv_window_offered(struct tcp_conn *c, uint32_t w)
{
    uint16_t field = (uint16_t)(w >> c->rcv_wscale);
    c->rcv_wnd = (uint32_t)field << c->rcv_wscale;
    c->rcv_adv = c->rcv_nxt + c->rcv_wnd;
    c->rcv_wnd_idle = c->rcvq.len == 0;
    return field;
}
static inline uint16_t
tcp_rcv_window_offer(struct tcp_conn *c)
{
    if (c->rcv_wnd_idle && c->host->cfg.rcv_window_linux)
        return (uint16_t)(c->rcv_wnd >> c->rcv_wscale);
    return tcp_rcv_window_offered(c, tcp_rcv_window_now(c));
}

/* The window a segment arriving now is tested against (§3.10.7.4 first, the sequence number).
   RFC 9293's receiver offers its free buffer, and tests against what it would offer. Linux's
   tests against what its last segment offered, what is left of it (tcp_receive_window): a
   window it has not told the peer is not yet open; never more than the ring has room for. */
static inline uint32_t
tcp_rcv_window_accept(const struct tcp_conn *c)
{
    if (!c->host->cfg.rcv_window_linux)
        return tcp_rcv_window_now(c);
    uint32_t left = (int32_t)(c->rcv_adv - c->rcv_nxt) > 0 ? c->rcv_adv - c->rcv_nxt : 0;
    uint32_t room = c->rcvq.cap - c->rcvq.len;
    return left < room ? left : room;
}

/* tcp_output.c */
/* tcp_output when something may be sent (out of line: it saves six registers). */
void tcp_output_queued(struct tcp_conn *c);
/* Octets of the send queue already sent (between SND.UNA and SND.NXT). */
static inline uint32_t
tcp_data_in_flight(const struct tcp_conn *c)
{
    uint32_t n = c->snd_nxt - c->snd_una;
    if (c->snd_una == c->iss && n > 0)
        n--; /* our SYN is not yet acknowledged: it occupies one sequence number */
    if (c->fin_sent && n > 0)
        n--; /* nor is our FIN */
    return n;
}
/* Send what the window allows: new data, then our FIN when all data is out. The test that
   finds nothing to send is inline, as Linux's tcp_push_pending_frames tests tcp_send_head()
   before it calls __tcp_push_pending_frames: every segment that arrives ends here, and most
   (a receiver's every call) find nothing queued. An empty queue says so at once: what is in
   flight is in the queue. */
static inline void
tcp_output(struct tcp_conn *c)
{
    if (!c->sndq.cap || ((c->sndq.len == 0 || c->sndq.len == tcp_data_in_flight(c)) && !c->fin_queued))
        return;
    tcp_output_queued(c);
}
/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
void tcp_send_ack(struct tcp_conn *c);
/* ... offering 'wnd', the SEG.WND tcp_rcv_window_offered has just recorded */
void tcp_send_ack_offering(struct tcp_conn *c, uint16_t wnd);

/* <SEQ=ISS><CTL=SYN> or <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> (when 'with_ack') */
void tcp_send_syn(struct tcp_conn *c, bool with_ack);
/* A SYN,ACK from listener 'l' that keeps no state (a SYN cookie): <SEQ=iss><ACK=SEG.SEQ+1>
   <CTL=SYN,ACK> with our MSS, in answer to 'syn'. */
void tcp_send_synack_stateless(struct tcp_conn *l, const struct tcp_seg *syn, uint32_t iss);
/* A reset from host 'h' in answer to 'seg' (no TCB, or an unacceptable ACK), §3.10.7.1:
   <SEQ=SEG.ACK><CTL=RST> if the ACK bit is on, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
void tcp_send_reset_for(struct tcp_host *h, const struct tcp_seg *seg);
/* A reset the connection sends on its own (ABORT, CLOSE with unread data, a closed listener's
   unaccepted connections, keep-alive giving up): <SEQ=SND.NXT><CTL=RST> (§3.10.5), or with the
   active_reset_ack setting <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> (Linux). */
void tcp_send_rst(struct tcp_conn *c);
/* Retransmit the earliest unacknowledged segment (SYN, data or FIN). */
void tcp_retransmit(struct tcp_conn *c);
/* The tail loss probe's segment (RFC 8985 7.3): the last one sent, again. */
void tcp_send_tail_probe(struct tcp_conn *c);
/* A keep-alive probe <SEQ=SND.UNA-1><CTL=ACK>, or a zero-window probe of one octet. */
void tcp_send_probe(struct tcp_conn *c, bool window_probe);

/* Resend 'len' octets of data (at most SND.MSS, cut at the end of what was sent) from
   sequence number 'seq' (SACK recovery); how many went, 0 when none lie there. */
uint32_t tcp_resend_data(struct tcp_conn *c, uint32_t seq, uint32_t len);

/* tcp_sack.c: SACK blocks (RFC 2018, RFC 2883), only on a connection with sack_ok. */
/* Out-of-order text [seq, end) is held: its block goes first in the ones we report. */
void tcp_sack_rcv_ofo(struct tcp_conn *c, uint32_t seq, uint32_t end);
/* RCV.NXT advanced: blocks it has reached are no longer reported. */
void tcp_sack_rcv_advance(struct tcp_conn *c);
/* A duplicate [seq, end) arrived: report it once in a D-SACK block (setting tcp_dsack). */
void tcp_sack_rcv_dup(struct tcp_conn *c, uint32_t seq, uint32_t end);
/* Put our blocks (a D-SACK first) on segment 's', as many as fit beside its other options. */
void tcp_sack_fill(struct tcp_conn *c, struct tcp_seg *s);
/* The blocks of an arriving ACK join the scoreboard; true when they SACK new data. */
bool tcp_sack_update(struct tcp_conn *c, const struct tcp_seg *seg);
/* SND.UNA moved: the scoreboard forgets what lies below it. */
void tcp_sack_acked(struct tcp_conn *c);
/* Octets the scoreboard holds (the peer's SACKed data). */
uint32_t tcp_sack_bytes(const struct tcp_conn *c);

/* tcp_recovery.c: loss recovery with SACK (RFC 6675; RACK, RFC 8985). After an ACK's fifth
   step ('advanced': it moved SND.UNA; 'sacked': its blocks SACKed new data): begin recovery,
   or resend more holes in it. */
void tcp_sack_recover(struct tcp_conn *c, bool advanced, bool sacked);
/* The reorder timer fired (RFC 8985 6.3). */
void tcp_rack_timeout(struct tcp_conn *c);
/* The retransmission timer resent 'resent' octets at SND.UNA: every hole is lost now. */
void tcp_sack_on_rto(struct tcp_conn *c, uint32_t resent);

/* tcp_timer.c (tcp_timer_arm: inline, below tcp_world) */
/* Report a timer's event to the observers (only when someone watches: world_traced). */
void tcp_timer_emit(struct tcp_conn *c, enum trace_kind kind, enum tcp_timer t);
/* Stop an armed timer (tcp_timer_cancel checks that it is armed, inline: most calls find it
   stopped already, and cost a test, not a call). */
void tcp_timer_stop(struct tcp_conn *c, enum tcp_timer t);
/* Give a TCB that comes to life its timers (0; -1 when out of memory), and take them back once
   it is deleted (every timer stopped); free the world's pool of them (world_free). */
int tcp_timers_get(struct tcp_conn *c);
void tcp_timers_put(struct tcp_conn *c);
/* A TCB entering TIME-WAIT keeps its 2MSL timer (in the TCB) and gives back the block of the
   others, as Linux's timewait socket keeps one timer: 776 bytes less for each. */
void tcp_timers_shed(struct tcp_conn *c);
/* The 2MSL timer of a new TCB (tcp_conn_create, tcp_rec_open). */
void tcp_timer_tw_init(struct tcp_conn *c);
void tcp_timers_pool_fini(struct world *w);
/* Timer 't' of 'c': the 2MSL timer lives in the TCB, the others in its block. */
static inline struct clk_event *tcp_timer_ev(struct tcp_conn *c, enum tcp_timer t)
{
    return t == TCP_TIMER_TIMEWAIT ? &c->tw_timer.ev : &c->timers->t[tcp_timer_slot(t)].ev;
}
static inline const struct clk_event *tcp_timer_ev_const(const struct tcp_conn *c, enum tcp_timer t)
{
    return t == TCP_TIMER_TIMEWAIT ? &c->tw_timer.ev : &c->timers->t[tcp_timer_slot(t)].ev;
}
static inline bool tcp_timer_armed(const struct tcp_conn *c, enum tcp_timer t)
{
    return clk_armed(tcp_timer_ev_const(c, t));
}
static inline void tcp_timer_cancel(struct tcp_conn *c, enum tcp_timer t)
{
    if (tcp_timer_armed(c, t))
        tcp_timer_stop(c, t);
}
void tcp_timer_fire(struct clk_event *ev, void *ctx);
/* RFC 6298: a new round-trip measurement 'r'. */
void tcp_rtt_sample(struct tcp_conn *c, clk_time r);
/* Keep the retransmission timer running while something is unacknowledged (RFC 6298 5.1-5.3). */
void tcp_rexmit_update(struct tcp_conn *c);
/* New data acknowledged: restart the retransmission timer, or stop it (RFC 6298 5.2-5.3). */
void tcp_rexmit_restart(struct tcp_conn *c);
/* Arm rexmit for the RTO deadline, or tlp in its place when a tail loss probe may go first
   (RFC 8985 7.2); also when a probe no longer fits (recovery began). */
void tcp_rexmit_schedule(struct tcp_conn *c);
/* The first unacknowledged segment was resent in loss recovery: the RTO starts again from now
   (Linux), the retry limits' count does not. */
void tcp_rexmit_rearm(struct tcp_conn *c);
/* Stop the retransmission timer, and the probe timer standing in for it. */
void tcp_rexmit_cancel(struct tcp_conn *c);
/* The handshake is done: RFC 6298 5.7 (RTO 3 s when it left no RTT sample). */
void tcp_rto_after_handshake(struct tcp_conn *c);
/* Start (or restart) 2MSL. */
void tcp_start_time_wait(struct tcp_conn *c);
/* Arm the keep-alive timer for an idle period, when keep-alive is on. */
void tcp_keepalive_reset(struct tcp_conn *c);

/* tcp_delack.c: Linux's delayed ACK (delayed_ack TCP_DELACK_LINUX). */
/* 'n' in-order octets arrived ('psh': with PSH): learn the peer's segment size and rhythm. */
void tcp_delack_data(struct tcp_conn *c, uint32_t n, bool psh);
/* The ACK owed is held back: arm the delack timer for the ACK timeout ('held': an ACK was
   owed already, and an earlier expiry stands), or, when it is about to expire, send it now. */
void tcp_delack_hold(struct tcp_conn *c, bool held);
/* Quick ACKs left, and the connection not interactive: ACK each segment at once. */
static inline bool tcp_delack_quick(const struct tcp_conn *c)
{
    return c->quickacks > 0 && !c->interactive;
}
/* The connection becomes interactive (the peer's FIN, our data soon after the peer's). */
void tcp_delack_interactive(struct tcp_conn *c);
/* Quick ACKs again, not interactive (data we had ACKed came again; a zero-window probe). */
void tcp_delack_quick_again(struct tcp_conn *c);
/* An ACK of something received is sent: it spends a quick ACK; the last one resets the ACK
   timeout (Linux tcp_dec_quickack_mode). */
static inline void tcp_delack_spend_quick(struct tcp_conn *c)
{
    if (c->quickacks > 0 && --c->quickacks == 0)
        c->ato = c->host->cfg.delack_timeout;
}
/* A segment of ours carries the ACK held back (ack_owed > 0): nothing is owed any more. */
static inline void tcp_delack_ack_sent(struct tcp_conn *c)
{
    tcp_delack_spend_quick(c);
    c->ack_owed = 0;
    c->ack_pushed = 0;
}
/* Our data is sent, after data received ('ato' > 0). */
void tcp_delack_data_sent(struct tcp_conn *c);
/* The application has read: send the ACK held back when Linux would. */
void tcp_delack_read(struct tcp_conn *c);
/* The delack timer sent the ACK: adapt the ACK timeout. */
void tcp_delack_timeout(struct tcp_conn *c);

static inline struct world *tcp_world(const struct tcp_conn *c) { return c->world; }
static inline clk_time tcp_now(const struct tcp_conn *c) { return c->world->clk.now; }

/* Arm timer 't' to expire 'delay' from now (re-arming it if it runs: to a later time that is
   free, clk.h). Inline: the delayed-ACK timer is armed every second segment, and a call cost
   as much as the work. */
static inline void
tcp_timer_arm(struct tcp_conn *c, enum tcp_timer t, clk_time delay)
{
    struct world *w = tcp_world(c);
    /* only a live TCB has timers to arm; a TIME-WAIT only its 2MSL timer */
    assert(t == TCP_TIMER_TIMEWAIT || c->timers != &w->timers_none);
    clk_time when = delay >= CLK_NEVER - w->clk.now ? CLK_NEVER - 1 : w->clk.now + delay;
    (void)clk_arm(&w->clk, tcp_timer_ev(c, t), when);
    if (world_traced(w))
        tcp_timer_emit(c, TRACE_TIMER_ARM, t);
}

/* tcp_negotiate.c: the options a connection agrees in its handshake (RFC 7323, RFC 2018) and
   the timestamps it carries afterwards. */
/* What our SYN (or a listener's SYN,ACK, before tcp_opt_agree trims it) offers, from the
   host's settings: ws_ok, ts_ok, sack_ok, rcv_wscale, ts_off. */
void tcp_opt_offer(struct tcp_conn *c);
/* The peer's SYN or SYN,ACK arrived: SND.MSS (RFC 9293 3.7.1) and each option kept only when
   both offered it; TS.Recent from its TSval. */
void tcp_opt_agree(struct tcp_conn *c, const struct tcp_seg *syn);
/* The options of our SYN or SYN,ACK into 's' (its MSS and s->opt). */
void tcp_opt_syn(const struct tcp_conn *c, struct tcp_seg *s);
/* RFC 7323 5.3 R1, PAWS: does the segment's TSval lie behind TS.Recent? */
bool tcp_paws_reject(const struct tcp_conn *c, const struct tcp_seg *seg);
/* RFC 7323 4.3 (3): an acceptable segment at or before Last.ACK.sent updates TS.Recent. */
void tcp_ts_recent_update(struct tcp_conn *c, const struct tcp_seg *seg);
/* RFC 7323 4.1 as Linux: an RTT sample from the TSecr of an ACK of new data, when the
   segment clock has none (a retransmission was acknowledged). */
void tcp_ts_rtt_sample(struct tcp_conn *c, const struct tcp_seg *seg);
/* tcp_tw_reuse: may a connect() take the port pair TIME-WAIT 'tw' holds, now? The same of a
   TIME-WAIT of host 'h' whose timestamps are on ('ts_ok') and whose TS.Recent was set at
   'ts_recent_stamp' (a small one, tcp_tw.c). */
bool tcp_tw_reusable(const struct tcp_conn *tw, clk_time now);
bool tcp_tw_reuse_ok(const struct tcp_host *h, bool ts_ok, clk_time ts_recent_stamp, clk_time now);

/* Our TSval now: a clock of millisecond ticks plus the connection's offset (Linux
   tcp_time_stamp_ms + ts_off; RFC 7323 5.4: between 1 ms and 1 s a tick). */
static inline uint32_t
tcp_tsval(const struct tcp_conn *c)
{
    return (uint32_t)c->world->clk.now_ms + c->ts_off; /* kept as the clock moves */
}

/* Is the connection synchronized (§3.3.2: ESTABLISHED and after)? */
static inline bool
tcp_synchronized(enum tcp_state s)
{
    return s >= TCP_ESTABLISHED;
}

#endif
