/*
 * tcp_user.c - the user calls of RFC 9293 §3.10.1-§3.10.6, each in every state: OPEN (active
 * and passive), SEND, RECEIVE, CLOSE, ABORT, plus shutdown of the sending side, accept, and a
 * host crash. Every call is reported in the event stream with its result.
 *
 * Errors come back as enum tcp_err, whose text is the RFC's ("connection does not exist") and
 * whose name is the errno a socket programmer knows (ENOTCONN).
 */
#include <stdio.h>
#include <string.h>

#include "tcp_internal.h"

/* Report a call and its result. 'fmt' describes the call ("connect 10.0.0.2:80"). */
static enum tcp_err
tcp_call(struct tcp_host *h, const struct tcp_conn *c, enum tcp_err err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#include <stdarg.h>
static enum tcp_err
tcp_call(struct tcp_host *h, const struct tcp_conn *c, enum tcp_err err, const char *fmt, ...)
{
    struct world *w = h->world;
    if (!world_traced(w))
        return err;
    char text[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    struct trace_event ev = {
        .kind = TRACE_CALL, .host = h->index, .conn = c ? c->id : 0,
        .conn_name = c ? c->name : NULL, .text = text, .err = err,
        .from_state = c ? c->state : TCP_CLOSED, .to_state = c ? c->state : TCP_CLOSED,
    };
    world_emit(w, &ev);
    return err;
}

/* The error a call on a CLOSED connection reports. A connection that closed without an error
   "does not exist" (§3.10). One closed by an error reports it once, to the first call, as a
   socket's pending error (SO_ERROR) is: after a RST a 6.18 kernel's first read() or write()
   got ECONNRESET, then writes got EPIPE and reads end of stream ('later'). */
static enum tcp_err
tcp_closed_error(struct tcp_conn *c, enum tcp_err later)
{
    if (c->error == TCP_OK)
        return TCP_ENOTCONN;
    if (c->error_reported)
        return later;
    c->error_reported = true;
    return c->error;
}

/* Is local port 'port' of host 'h' taken for a new socket? (EADDRINUSE rules, §3.4 and
   Linux's bind(): a listener always holds its port; other connections, TIME-WAIT included,
   hold it unless both asked for address reuse, the new socket and the connection's own, which
   an accepted one has from its listener: inet_csk_bind_conflict, and a 6.18 kernel refused
   SO_REUSEADDR after a listener without it, tests/linux/reuseaddr-time-wait-both.pkt.) */
static bool
tcp_port_busy(const struct tcp_host *h, uint16_t port, bool reuse)
{
    if (tcp_hash_listener(h, port))
        return true;
    if (h->ports[port].users == 0)
        return false;
    if (!reuse)
        return true;
    /* both must have asked: the port's connections, walked only for a reusing bind of a port
       in use, which is rare (a restarting server) */
    for (const struct tcp_link *l = h->conns; l; l = l->next) {
        if (l->tw ? tcp_link_tw_const(l)->lport == port && !tcp_link_tw_const(l)->reuseaddr
                  : tcp_link_conn_const(l)->lport == port && !tcp_link_conn_const(l)->reuseaddr)
            return true;
    }
    return false;
}

enum tcp_err
tcp_port_check(const struct tcp_host *h, uint16_t port, bool reuseaddr)
{
    return tcp_port_busy(h, port, reuseaddr) ? TCP_EADDRINUSE : TCP_OK;
}

/* A new socket is a new file descriptor: refused past the host's nofile (RLIMIT_NOFILE, the
   `ulimit -n` a server raises), as socket(2) and accept(2) fail with EMFILE. */
static bool
tcp_fd_full(const struct tcp_host *h)
{
    return h->nfiles >= h->cfg.nofile;
}

static void
tcp_fd_take(struct tcp_conn *c)
{
    c->has_fd = true;
    c->host->nfiles++;
}

void
tcp_fd_release(struct tcp_conn *c)
{
    if (!c->has_fd)
        return;
    c->has_fd = false;
    c->host->nfiles--;
    world_retire_later(c->host->world, c); /* deleted already: its record may do */
}

enum tcp_err
tcp_open_passive(struct tcp_host *h, uint16_t port, const struct tcp_open_opts *o,
                 struct tcp_conn **out)
{
    static const struct tcp_open_opts defaults = TCP_OPEN_OPTS_DEFAULT;
    if (!o)
        o = &defaults;
    *out = NULL;
    if (port == 0)
        return tcp_call(h, NULL, TCP_EINVAL, "listen %u", (unsigned)port);
    if (tcp_fd_full(h))
        return tcp_call(h, NULL, TCP_EMFILE, "listen %u", (unsigned)port);
    if (tcp_port_busy(h, port, o->reuseaddr))
        return tcp_call(h, NULL, TCP_EADDRINUSE, "listen %u", (unsigned)port);
    struct tcp_conn *c = world_conn_new(h->world, h);
    if (!c)
        return tcp_call(h, NULL, TCP_ENOBUFS, "listen %u", (unsigned)port);
    tcp_fd_take(c);
    c->lport = port;
    c->bound = true;
    c->reuseaddr = o->reuseaddr;
    c->isn_opt = o->isn; /* for the connections it accepts */
    c->backlog = o->backlog > 0 ? o->backlog : h->cfg.backlog;
    if (c->backlog > h->cfg.somaxconn)
        c->backlog = h->cfg.somaxconn; /* as Linux's listen() does */
    tcp_conn_attach(c);
    /* what a socket program would pass beyond the port, as the packetdrill export needs it */
    if (o->backlog > 0 || o->reuseaddr)
        tcp_call(h, c, TCP_OK, "listen %u (%s%.0d%s%s)", (unsigned)port, o->backlog > 0 ? "backlog " : "", o->backlog,
                 o->backlog > 0 && o->reuseaddr ? ", " : "", o->reuseaddr ? "reuseaddr" : "");
    else
        tcp_call(h, c, TCP_OK, "listen %u", (unsigned)port);
    /* RFC 9293 §3.10.1, CLOSED: "if passive ... enter LISTEN state and return" */
    tcp_set_state(c, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    *out = c;
    return TCP_OK;
}

/* An ephemeral port for a connection to raddr:rport, as Linux's connect() finds one
   (inet_hash_connect): a port of ip_local_port_range is free for it unless a listener, an
   accepted connection or a socket bound by hand has it (bind() ports are not shared), or a
   connection to the same destination holds the pair, TIME-WAIT included (when tcp_tw_reuse
   lets it go, '*tw' gets it). Ports are tried in order from where the last search stopped
   (Linux starts at a keyed hash of the destination and tries even ports first:
   docs/deviations.md). 0 when none is free: EADDRNOTAVAIL. A search that found none is
   remembered, and the next one for that destination answers at once until a port is freed
   (or, under tcp_tw_reuse, until the clock moves: a TIME-WAIT may become reusable). */
static uint16_t
tcp_ephemeral_port(struct tcp_host *h, uint32_t raddr, uint16_t rport, struct tcp_conn **tw)
{
    int lo = h->cfg.port_lo, hi = h->cfg.port_hi;
    if (hi < lo)
        hi = lo;
    *tw = NULL;
    const struct tcp_port_memo *m = &h->exhausted;
    clk_time now = h->world->clk.now;
    if (m->valid && m->raddr == raddr && m->rport == rport && m->lo == lo && m->hi == hi
        && m->releases == h->port_releases && (h->cfg.tw_reuse == 0 || m->now == now))
        return 0;
    int span = hi - lo + 1;
    for (int i = 0; i < span; i++) {
        int p = h->next_port;
        if (p < lo || p > hi)
            p = lo;
        h->next_port = p + 1;
        if (h->ports[p].bound > 0)
            continue;
        /* a small TIME-WAIT is looked at as it is: a search through 28,000 of them makes no
           TCB (tcp_tw.c) but for the one it takes */
        struct tcp_link *k = tcp_hash_find(h, (uint16_t)p, raddr, rport, false);
        if (!k)
            return (uint16_t)p;
        const struct tcp_tw *small = k->tw ? tcp_link_tw_const(k) : NULL;
        if (small ? tcp_tw_reuse_ok(h, small->ts_ok, small->ts_recent_stamp, now)
                  : tcp_tw_reusable(tcp_link_conn(k), now)) { /* tcp_tw_reuse (tcp_negotiate.c) */
            *tw = tcp_link_open(k);
            if (*tw)
                return (uint16_t)p;
        }
    }
    h->exhausted = (struct tcp_port_memo){raddr, rport, lo, hi, h->port_releases, now, true};
    return 0;
}

enum tcp_err
tcp_open_active(struct tcp_host *h, uint32_t raddr, uint16_t rport, const struct tcp_open_opts *o,
                struct tcp_conn **out)
{
    static const struct tcp_open_opts defaults = TCP_OPEN_OPTS_DEFAULT;
    char where[32];
    if (!o)
        o = &defaults;
    *out = NULL;
    tcp_endpoint_str(raddr, rport, where, sizeof where);
    if (raddr == 0 || rport == 0)
        return tcp_call(h, NULL, TCP_EINVAL, "connect %s", where);
    if (tcp_fd_full(h))
        return tcp_call(h, NULL, TCP_EMFILE, "connect %s", where);
    uint16_t lport = (uint16_t)o->lport;
    struct tcp_conn *tw = NULL; /* a TIME-WAIT tcp_tw_reuse lets this connection take over */
    if (lport != 0) {
        struct tcp_conn *old = tcp_hash_pair(h, lport, raddr, rport, false);
        if (old && !(old->state == TCP_TIME_WAIT && o->reuseaddr))
            return tcp_call(h, NULL, TCP_EADDRINUSE, "connect %s from port %u", where, (unsigned)lport);
        if (!old && tcp_port_busy(h, lport, o->reuseaddr))
            return tcp_call(h, NULL, TCP_EADDRINUSE, "connect %s from port %u", where, (unsigned)lport);
        if (old) /* SO_REUSEADDR: the new incarnation takes the pair over from TIME-WAIT; no
                    SYN arrived, so not TIME_WAIT_REOPEN (docs/deviations.md) */
            tcp_delete_tcb(old, TCP_RULE_OPEN_REUSE_TIME_WAIT, TCP_OK);
    } else {
        lport = tcp_ephemeral_port(h, raddr, rport, &tw);
        if (lport == 0)
            return tcp_call(h, NULL, TCP_EADDRNOTAVAIL, "connect %s", where);
    }
    struct tcp_conn *c = world_conn_new(h->world, h);
    if (!c || tcp_conn_buffers(c) != 0)
        return tcp_call(h, NULL, TCP_ENOBUFS, "connect %s", where);
    tcp_fd_take(c);
    c->bound = o->lport != 0; /* bound by hand: a port connect() does not share */
    c->lport = lport;
    c->raddr = raddr;
    c->rport = rport;
    c->reuseaddr = o->reuseaddr;
    c->snd_mss = (uint32_t)h->cfg.mss;
    /* §3.10.1, CLOSED, active: "select an ISS. Send a SYN segment, set SND.UNA to ISS,
       SND.NXT to ISS+1, enter SYN-SENT state" */
    c->iss = tcp_choose_iss(h, o->isn);
    if (tw) {
        /* Linux tcp_twsk_unique: write_seq = the old SND.NXT + 65535 + 2, above anything of
           the old connection the peer may still see */
        c->iss = tw->snd_nxt + 65537;
        tcp_delete_tcb(tw, TCP_RULE_OPEN_TW_REUSE, TCP_OK);
    }
    c->snd_una = c->iss;
    c->snd_nxt = c->iss + 1;
    tcp_opt_offer(c);
    tcp_conn_attach(c);
    tcp_call(h, c, TCP_OK, "connect %s from port %u", where, (unsigned)lport);
    tcp_set_state(c, TCP_SYN_SENT, TCP_RULE_OPEN_ACTIVE);
    tcp_send_syn(c, false);
    tcp_rexmit_update(c);
    *out = c;
    return TCP_OK;
}

/* SEND (§3.10.2), copying the octets into the send queue or, with 'zerocopy', queueing the
   user's memory itself (tcp_sndq.c). */
static enum tcp_err
tcp_send_queue(struct tcp_conn *c, const void *data, size_t len, size_t *queued, bool zerocopy)
{
    struct tcp_host *h = c->host;
    enum tcp_err err = TCP_OK;
    *queued = 0;
    switch (c->state) {
    case TCP_CLOSED:
        err = tcp_closed_error(c, TCP_EPIPE);
        break;
    case TCP_LISTEN:
        /* §3.10.2 lets SEND turn a LISTEN into an active open; sockets do not: a 6.18
           kernel's write() on a listener fails with EPIPE (sk_stream_wait_connect) */
        err = TCP_EPIPE;
        break;
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
        if (c->fin_queued) {
            err = TCP_EPIPE; /* after shutdown: "connection closing" */
            break;
        }
        if (len > 0) {
            uint32_t n = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
            *queued = zerocopy ? tcp_sndq_push_zerocopy(c, data, n) : tcp_ring_push(&c->sndq, data, n);
            if (*queued == 0)
                err = TCP_ENOBUFS; /* the send buffer is full: "insufficient resources" */
        }
        break;
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
    case TCP_TIME_WAIT:
        /* §3.10.2: "return error: connection closing" */
        err = TCP_EPIPE;
        break;
    case TCP_STATE_COUNT:
        err = TCP_EINVAL;
        break;
    }
    if (world_traced(h->world))
        tcp_call(h, c, err, "send %zu bytes%s (%zu queued)", len, zerocopy ? " zero-copy" : "", *queued);
    if (err == TCP_OK)
        tcp_output(c);
    return err;
}

enum tcp_err
tcp_send(struct tcp_conn *c, const void *data, size_t len, size_t *queued)
{
    return tcp_send_queue(c, data, len, queued, false);
}

enum tcp_err
tcp_send_zerocopy(struct tcp_conn *c, const void *data, size_t len, size_t *queued)
{
    return tcp_send_queue(c, data, len, queued, true);
}

/* RECEIVE (§3.10.3). A read that found nothing (EAGAIN to a program) is not traced: a polling
   loop would flood the trace; one that took octets, met the end of the stream or an error is a
   CALL event, so an output can replay the run's reads (the packetdrill export, out_pkt.c). */
static enum tcp_err tcp_receive_take(struct tcp_conn *c, void *buf, size_t cap, size_t *got, bool traced);

enum tcp_err
tcp_receive(struct tcp_conn *c, void *buf, size_t cap, size_t *got)
{
    enum tcp_err err = tcp_receive_take(c, buf, cap, got, true);
    if (err != TCP_OK && world_traced(c->host->world))
        tcp_call(c->host, c, err, "receive %zu bytes", *got);
    return err;
}

enum tcp_err
tcp_receive_quiet(struct tcp_conn *c, void *buf, size_t cap, size_t *got)
{
    return tcp_receive_take(c, buf, cap, got, false);
}

static enum tcp_err
tcp_receive_take(struct tcp_conn *c, void *buf, size_t cap, size_t *got, bool traced)
{
    *got = 0;
    switch (c->state) {
    case TCP_CLOSED:
        /* Data received before the end stays readable; then the error, once; then end of
           stream. After the peer's FIN, end of stream comes first and the error waits for a
           send (a 6.18 kernel's read() in CLOSE-WAIT after a RST returned 0), and so it does
           when the connection ended without error (TIME-WAIT over or reset). */
        if (c->rcvq.len == 0)
            return c->fin_rcvd ? TCP_EOF : tcp_closed_error(c, TCP_EOF);
        break;
    case TCP_LISTEN:
        return TCP_ENOTCONN;
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
        return TCP_OK; /* §3.10.3: queued until ESTABLISHED; we do not block */
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
    case TCP_TIME_WAIT:
        break;
    case TCP_STATE_COUNT:
        return TCP_EINVAL;
    }
    if (c->orphaned)
        return TCP_ENOTCONN; /* closed by the user: nobody reads any more */
    uint32_t n = c->rcvq.len < cap ? c->rcvq.len : (uint32_t)cap;
    if (n == 0)
        /* §3.10.3, CLOSE-WAIT: "Since the remote side has already sent FIN, RECEIVEs must be
           satisfied by data already on hand, but not yet delivered to the user"; after
           shutdown(SHUT_RD) too, an empty read is the end (tcp_shutdown_read) */
        return c->fin_rcvd || c->rd_shut ? TCP_EOF : TCP_OK;
    tcp_rcvq_take(c, buf, n);
    *got = n;
    if (traced && world_traced(c->host->world)) /* before the ACK the read may send */
        tcp_call(c->host, c, TCP_OK, "receive %zu bytes", *got);
    /* Linux: the read may send an ACK held back (delayed_ack 2, tcp_delack_read) */
    if (c->ack_owed > 0 && c->state != TCP_CLOSED && c->host->cfg.delayed_ack == TCP_DELACK_LINUX)
        tcp_delack_read(c);
    /* §3.8.6.2.2: tell the peer when the window opens by a worthwhile amount (receiver-side
       silly window syndrome avoidance: at least an MSS, or half the buffer). RCV.WND is the
       window our last segment offered. The step is never more than an MSS, so a window
       offered of an MSS or more (a bulk transfer's every read) is answered by one comparison,
       before the step is worked out (Linux tcp_cleanup_rbuf likewise looks further only when
       the window offered has fallen below half its limit). */
    if (c->rcv_wnd < c->snd_mss && c->state != TCP_CLOSED && !c->fin_rcvd) {
        uint32_t step = c->snd_mss < c->rcvq.cap / 2 ? c->snd_mss : c->rcvq.cap / 2;
        if (c->rcv_wnd < step && tcp_rcv_window(c) >= step)
            tcp_send_ack(c);
    }
    return TCP_OK;
}

/* Connections that still hold data the user never read are reset on CLOSE. */
static bool
tcp_unread(const struct tcp_conn *c)
{
    return c->rcvq.len > 0;
}

/* Queue our FIN after the pending data and move to 'next' (FIN-WAIT-1 from ESTABLISHED or
   SYN-RECEIVED, LAST-ACK from CLOSE-WAIT): §3.10.4 CLOSE, and shutdown of the sending side. */
static void
tcp_queue_fin(struct tcp_conn *c, enum tcp_state next, enum tcp_rule rule)
{
    c->fin_queued = true;
    tcp_set_state(c, next, rule);
    tcp_output(c);
}

enum tcp_err
tcp_close(struct tcp_conn *c)
{
    struct tcp_host *h = c->host;
    enum tcp_err err = TCP_OK;
    tcp_fd_release(c); /* close(2) frees the descriptor whatever it reports */
    if (c->state == TCP_CLOSED)
        err = tcp_closed_error(c, TCP_ENOTCONN);
    else if (c->orphaned)
        err = TCP_ESHUTDOWN; /* §3.10.4: "error: connection closing" */
    tcp_call(h, c, err, "close");
    if (err != TCP_OK)
        return err;
    c->orphaned = true; /* the user lets go of the socket, whatever happens next */
    switch (c->state) {
    case TCP_CLOSED:
        break;
    case TCP_LISTEN:
        tcp_delete_tcb(c, TCP_RULE_CLOSE_LISTEN, TCP_OK);
        break;
    case TCP_SYN_SENT:
        tcp_delete_tcb(c, TCP_RULE_CLOSE_SYN_SENT, TCP_OK);
        break;
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
        if (tcp_unread(c)) {
            tcp_send_rst(c);
            tcp_delete_tcb(c, TCP_RULE_CLOSE_UNREAD_RST, TCP_OK);
        } else if (c->state == TCP_CLOSE_WAIT) {
            tcp_queue_fin(c, TCP_LAST_ACK, TCP_RULE_CLOSE_WAIT_FIN);
        } else {
            tcp_queue_fin(c, TCP_FIN_WAIT_1, TCP_RULE_CLOSE_SEND_FIN);
        }
        break;
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
    case TCP_TIME_WAIT:
        /* After shutdown, data left unread is lost just the same: RFC 1122 4.2.2.13's RST
           (Linux __tcp_close resets here too: RST,ACK in FIN-WAIT-2 and LAST-ACK on a 6.18
           kernel). Not in TIME-WAIT: the connection has ended, and Linux's socket is already
           closed; the unread data goes with it, without a RST. */
        if (c->state != TCP_TIME_WAIT && tcp_unread(c)) {
            tcp_send_rst(c);
            tcp_delete_tcb(c, TCP_RULE_CLOSE_UNREAD_RST, TCP_OK);
            break;
        }
        /* A socket that was only shut down may still be closed (released), as with close(2)
           after shutdown(2); a second CLOSE is the "connection closing" error above. */
        if (c->state == TCP_FIN_WAIT_2 && h->cfg.fin_timeout > 0)
            tcp_timer_arm(c, TCP_TIMER_FINWAIT2, h->cfg.fin_timeout);
        break;
    case TCP_STATE_COUNT:
        err = TCP_EINVAL;
        break;
    }
    return err;
}

enum tcp_err
tcp_shutdown(struct tcp_conn *c)
{
    enum tcp_err err = TCP_OK;
    if (c->state == TCP_CLOSED)
        err = tcp_closed_error(c, TCP_ENOTCONN);
    else if (c->state == TCP_LISTEN || c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED)
        err = TCP_ENOTCONN;
    tcp_call(c->host, c, err, "shutdown");
    if (err != TCP_OK)
        return err;
    switch (c->state) {
    case TCP_CLOSED:
    case TCP_LISTEN:
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
        return TCP_ENOTCONN;
    case TCP_ESTABLISHED:
        tcp_queue_fin(c, TCP_FIN_WAIT_1, TCP_RULE_SHUTDOWN_SEND_FIN);
        return TCP_OK;
    case TCP_CLOSE_WAIT:
        tcp_queue_fin(c, TCP_LAST_ACK, TCP_RULE_SHUTDOWN_SEND_FIN);
        return TCP_OK;
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
    case TCP_TIME_WAIT:
        return TCP_OK; /* the sending side is already shut */
    case TCP_STATE_COUNT:
        break;
    }
    return TCP_EINVAL;
}

/*
 * shutdown(SHUT_RD). TCP has no segment for it and the RFC no such call, so this is Linux's
 * behaviour: tcp_recvmsg stops at RCV_SHUTDOWN, so a read that finds nothing queued returns 0
 * (end of stream) at once, while data that still arrives is acknowledged and queued, and a
 * later read returns it. Only in FIN-WAIT-1/2, once the sending side is shut too (SHUT_RDWR),
 * does new data draw a RST and reset the connection (Linux tcp_rcv_state_process; here
 * tcp_process_text_and_fin in tcp_input.c, rule TEXT_AFTER_CLOSE_RST).
 */
enum tcp_err
tcp_shutdown_read(struct tcp_conn *c)
{
    enum tcp_err err = TCP_OK;
    if (c->state == TCP_CLOSED)
        err = tcp_closed_error(c, TCP_ENOTCONN);
    else if (c->state == TCP_LISTEN || c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED)
        err = TCP_ENOTCONN; /* as tcp_shutdown: only a connection has a receiving side */
    tcp_call(c->host, c, err, "shutdown read");
    if (err == TCP_OK)
        c->rd_shut = true;
    return err;
}

enum tcp_err
tcp_abort(struct tcp_conn *c)
{
    enum tcp_err err = c->state == TCP_CLOSED ? tcp_closed_error(c, TCP_ENOTCONN) : TCP_OK;
    tcp_fd_release(c);
    tcp_call(c->host, c, err, "abort");
    if (err != TCP_OK)
        return err;
    c->orphaned = true;
    switch (c->state) {
    case TCP_CLOSED:
        return TCP_OK;
    case TCP_LISTEN:
    case TCP_SYN_SENT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
    case TCP_TIME_WAIT:
        /* §3.10.5: delete the TCB, nothing is sent */
        tcp_delete_tcb(c, TCP_RULE_ABORT_SILENT, TCP_OK);
        return TCP_OK;
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
        /* §3.10.5: "Send a reset segment: <SEQ=SND.NXT><CTL=RST>" */
        tcp_send_rst(c);
        tcp_delete_tcb(c, TCP_RULE_ABORT_RST, TCP_OK);
        return TCP_OK;
    case TCP_STATE_COUNT:
        break;
    }
    return TCP_EINVAL;
}

enum tcp_err
tcp_accept(struct tcp_conn *l, struct tcp_conn **out)
{
    *out = NULL;
    if (l->state != TCP_LISTEN)
        return l->state == TCP_CLOSED ? tcp_closed_error(l, TCP_ENOTCONN) : TCP_EOPNOTSUPP;
    struct tcp_conn *c = l->acceptq_head;
    if (!c)
        return TCP_OK;
    if (tcp_fd_full(l->host)) /* the connection stays queued for a later accept() */
        return tcp_call(l->host, l, TCP_EMFILE, "accept on port %u", (unsigned)l->lport);
    l->acceptq_head = c->acceptq_next;
    if (!l->acceptq_head)
        l->acceptq_tail = NULL;
    c->acceptq_next = NULL;
    c->in_acceptq = false;
    c->accepted = true;
    l->acceptq_len--;
    tcp_fd_take(c);
    tcp_call(l->host, c, TCP_OK, "accept on port %u", (unsigned)l->lport);
    *out = c;
    return TCP_OK;
}

enum tcp_err
tcp_set_keepalive(struct tcp_conn *c, bool on)
{
    c->keepalive = on;
    if (on)
        tcp_keepalive_reset(c);
    else
        tcp_timer_cancel(c, TCP_TIMER_KEEPALIVE);
    return TCP_OK;
}

enum tcp_err
tcp_set_bufsize(struct tcp_conn *c, bool rcv, uint32_t size)
{
    struct tcp_ring *r = rcv ? &c->rcvq : &c->sndq;
    if (size == 0 || (rcv && size < r->len + c->ooo_bytes) || (!rcv && size < r->len))
        return TCP_EINVAL;
    if (r->cap) {
        /* data segments in flight point into the send ring: they take their own copies */
        if (!rcv)
            wire_recall_all(c->host->world, &c->lent);
        if (tcp_ring_resize(r, size) != 0)
            return TCP_ENOBUFS;
    }
    *(rcv ? &c->opts.rcvbuf : &c->opts.sndbuf) = (int)size;
    if (rcv)
        c->rcv_wnd_idle = false; /* a new buffer: the window is chosen anew (tcp_rcvwnd.c) */
    return TCP_OK;
}

void
tcp_host_crash(struct tcp_host *h)
{
    tcp_call(h, NULL, TCP_OK, "crash");
    struct world *w = h->world;
    for (uint32_t i = 0; i < w->nconns; i++) /* the program dies with it: its sockets too */
        if (w->conns[i] && w->conns[i]->host == h) /* NULL: a record, no file descriptor */
            tcp_fd_release(w->conns[i]);
    while (h->conns) {
        struct tcp_conn *c = tcp_link_open(h->conns); /* a small TIME-WAIT too, in its turn */
        if (!c)
            return; /* out of memory: the rest stay */
        c->orphaned = true;
        tcp_delete_tcb(c, TCP_RULE_HOST_CRASH, TCP_ECONNABORTED);
    }
}
