/*
 * repl_view.c - what the REPL shows of the world: status (netstat -at with ss -o timers),
 * tcb, wire, why, waiting, trace and net.
 *
 * Views read the engine's structures (tcp.h, wire.h) for the present, and the session's
 * trace_log for the past (`why` finds the event that triggered a transition there). They
 * never change anything, so they are never journaled.
 */
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

/* ---- shared pieces ---------------------------------------------------------------------------- */

/* "RFC 9293 3.10.7.4: fifth, ..." */
static void
repl_rule_line(enum tcp_rule rule, char *buf, size_t cap)
{
    const char *sec = tcp_rule_section(rule);
    bool ours = sec[0] >= '0' && sec[0] <= '9';
    snprintf(buf, cap, "%s%s: %s", ours ? "RFC 9293 " : "", sec, tcp_rule_text(rule));
}

/* "<SEQ=300><ACK=101><CTL=SYN,ACK> len 0", numbers absolute, as in `tcb`. */
static void
repl_seg_str(const struct tcp_seg *s, char *buf, size_t cap)
{
    char fl[32], ack[24] = "";
    if (s->flags & TCP_ACK)
        snprintf(ack, sizeof ack, "<ACK=%u>", (unsigned)s->ack);
    snprintf(buf, cap, "<SEQ=%u>%s<CTL=%s> len %u", (unsigned)s->seq, ack, tcp_flags_str(s->flags, fl, sizeof fl),
             (unsigned)s->len);
}

/* RCV.WND as it stands now (the free receive buffer), not as last advertised: with an ACK held
   back, the last segment sent may be older than the data that narrowed it. Lua's tcb() agrees. */
static uint32_t
repl_rcv_wnd(const struct tcp_conn *c)
{
    return c->state == TCP_CLOSED ? c->rcv_wnd : tcp_rcv_window(c);
}

/* The counter ss -o shows with a timer: retransmissions, or probes sent. */
static int
repl_timer_count(const struct tcp_conn *c, enum tcp_timer t)
{
    switch (t) {
    case TCP_TIMER_REXMIT:
    case TCP_TIMER_TLP: return c->retransmits;
    case TCP_TIMER_PERSIST:
    case TCP_TIMER_KEEPALIVE: return c->probes;
    case TCP_TIMER_TIMEWAIT:
    case TCP_TIMER_FINWAIT2:
    case TCP_TIMER_DELACK:
    case TCP_TIMER_COUNT: break;
    }
    return 0;
}

/* " timer:(rexmit,0.200s,0)" for every armed timer, into 'buf'. */
static void
repl_timers_str(const struct tcp_conn *c, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int t = 0; t < TCP_TIMER_COUNT && n < cap; t++) {
        clk_time left = tcp_timer_left(c, (enum tcp_timer)t);
        char d[32];
        if (left < 0)
            continue;
        n += (size_t)snprintf(buf + n, cap - n, "%stimer:(%s,%s,%d)", n ? " " : "", tcp_timer_name((enum tcp_timer)t),
                              repl_dur_str(left, d, sizeof d), repl_timer_count(c, (enum tcp_timer)t));
    }
}

/* The socket named by argv[1], else the one that changed state last. NULL after an error. */
static struct tcp_conn *
repl_socket_or_last(struct repl *r, int argc, char **argv)
{
    if (argc >= 2)
        return repl_socket(r, argv[1]);
    for (size_t i = r->log.len; i-- > 0;)
        if (r->log.ev[i].kind == TRACE_STATE && world_conn(r->w, r->log.ev[i].conn))
            return world_conn(r->w, r->log.ev[i].conn);
    repl_err(r, "no socket yet (A connect B 80, B listen 80 make some)");
    return NULL;
}

/* ---- status -------------------------------------------------------------------------------------- */

enum repl_status
repl_view_status(struct repl *r, int argc, char **argv)
{
    char t[32], local[32], foreign[32], timers[256];
    size_t closed = 0, inflight;
    (void)argc;
    (void)argv;
    (void)wire_inflight(r->w, &inflight);
    fprintf(r->out, "time %s, seed %llu, %zu segment%s in flight\n", out_time_str(world_now(r->w), t, sizeof t),
            (unsigned long long)r->w->seed, inflight, inflight == 1 ? "" : "s");
    bool narrow = repl_width(r) > 0 && repl_width(r) < OUT_TEXT_WIDE;
    if (narrow) /* 60 columns: no Proto, shorter addresses, each timer on a line of its own */
        fprintf(r->out, "Sock Recv-Q Send-Q Local          Foreign        State\n");
    else
        fprintf(r->out, "Sock Proto Recv-Q Send-Q Local Address        Foreign Address      State        Timers\n");
    for (uint32_t i = 0; i < r->w->nconns; i++) {
        const struct tcp_conn *c = r->w->conns[i];
        if (!c->live) {
            closed++;
            continue;
        }
        tcp_endpoint_str(c->laddr, c->lport, local, sizeof local);
        if (c->state == TCP_LISTEN)
            snprintf(foreign, sizeof foreign, "0.0.0.0:*");
        else
            tcp_endpoint_str(c->raddr, c->rport, foreign, sizeof foreign);
        repl_timers_str(c, timers, sizeof timers);
        if (narrow) {
            fprintf(r->out, "%-4s %6u %6u %-14s %-14s %s\n", c->name,
                    c->state == TCP_LISTEN ? (unsigned)c->acceptq_len : (unsigned)c->rcvq.len, (unsigned)c->sndq.len,
                    local, foreign, tcp_state_bsd(c->state));
            for (char *tm = timers, *sp; *tm; tm = sp + (*sp != '\0')) {
                sp = tm + strcspn(tm, " ");
                fprintf(r->out, "     %.*s\n", (int)(sp - tm), tm);
            }
            continue;
        }
        fprintf(r->out, timers[0] ? "%-4s tcp   %6u %6u %-20s %-20s %-12s %s\n" : "%-4s tcp   %6u %6u %-20s %-20s %s%s\n", c->name,
                c->state == TCP_LISTEN ? (unsigned)c->acceptq_len : (unsigned)c->rcvq.len, (unsigned)c->sndq.len,
                local, foreign, tcp_state_bsd(c->state), timers);
    }
    if (closed) {
        int col = fprintf(r->out, "closed:");
        for (uint32_t i = 0; i < r->w->nconns; i++) {
            const struct tcp_conn *c = r->w->conns[i];
            char one[64];
            if (c->live)
                continue;
            int n = snprintf(one, sizeof one, " %s%s%s%s", c->name, c->error ? " (" : "",
                             c->error ? tcp_err_name(c->error) : "", c->error ? ")" : "");
            if (repl_width(r) > 0 && col + n > repl_width(r)) { /* folded under the first */
                fprintf(r->out, "\n       ");
                col = 7;
            }
            col += fprintf(r->out, "%s", one);
        }
        fputc('\n', r->out);
    }
    return REPL_OK;
}

/* ---- tcb ------------------------------------------------------------------------------------------ */

enum repl_status
repl_view_tcb(struct repl *r, int argc, char **argv)
{
    const struct tcp_conn *c = argc >= 2 ? repl_socket(r, argv[1]) : NULL;
    char local[32], remote[32], t[32], d1[32], d2[32], d3[32], rule[320], timers[256];
    if (argc < 2)
        return repl_err(r, "usage: tcb SOCKET (status lists them)");
    if (!c)
        return REPL_ERR;
    repl_rule_line(c->last_rule, rule, sizeof rule);
    fprintf(r->out, "%s  %s -> %s  %s since %s\n", c->name, tcp_endpoint_str(c->laddr, c->lport, local, sizeof local),
            tcp_endpoint_str(c->raddr, c->rport, remote, sizeof remote), tcp_state_rfc(c->state),
            out_time_str(c->last_change, t, sizeof t));
    fprintf(r->out, "  by       %s\n", rule);
    fprintf(r->out, "  send     ISS=%u SND.UNA=%u SND.NXT=%u SND.WND=%u SND.UP=%u SND.WL1=%u SND.WL2=%u\n",
            (unsigned)c->iss, (unsigned)c->snd_una, (unsigned)c->snd_nxt, (unsigned)c->snd_wnd, (unsigned)c->snd_up,
            (unsigned)c->snd_wl1, (unsigned)c->snd_wl2);
    fprintf(r->out, "  receive  IRS=%u RCV.NXT=%u RCV.WND=%u RCV.UP=%u\n", (unsigned)c->irs, (unsigned)c->rcv_nxt,
            (unsigned)repl_rcv_wnd(c), (unsigned)c->rcv_up);
    fprintf(r->out, "  buffers  send queue %u octets (SND.NXT-SND.UNA = %u unacknowledged), receive queue %u unread, "
                    "%u out of order; MSS %u\n",
            (unsigned)c->sndq.len, (unsigned)(c->snd_nxt - c->snd_una), (unsigned)c->rcvq.len, (unsigned)c->ooo_bytes,
            (unsigned)c->snd_mss);
    fprintf(r->out, "  closing  FIN queued %s, sent %s%s, received %s; %s\n", c->fin_queued ? "yes" : "no",
            c->fin_sent ? "yes" : "no", c->fin_sent ? "" : "", c->fin_rcvd ? "yes" : "no",
            c->orphaned ? "closed by the user (orphaned)" : "open to the user");
    fprintf(r->out, "  rtt      SRTT=%s RTTVAR=%s RTO=%s; retransmissions %d in a row, %llu in all; %d dup ACKs\n",
            c->srtt ? repl_dur_str(c->srtt, d1, sizeof d1) : "none", repl_dur_str(c->rttvar, d2, sizeof d2),
            repl_dur_str(c->rto, d3, sizeof d3), c->retransmits, (unsigned long long)c->total_retransmits, c->dupacks);
    repl_timers_str(c, timers, sizeof timers);
    fprintf(r->out, "  timers   %s\n", timers[0] ? timers : "none");
    fprintf(r->out, "  counts   %llu octets sent, %llu acked, %llu received; %llu segments sent, %llu received\n",
            (unsigned long long)c->bytes_sent, (unsigned long long)c->bytes_acked,
            (unsigned long long)c->bytes_received, (unsigned long long)c->segs_sent,
            (unsigned long long)c->segs_received);
    if (c->error)
        fprintf(r->out, "  error    %s (%s)\n", tcp_err_name(c->error), tcp_err_text(c->error));
    return REPL_OK;
}

/* ---- wire ----------------------------------------------------------------------------------------- */

enum repl_status
repl_view_wire(struct repl *r, int argc, char **argv)
{
    char fl[32], sent[32], due[32], age[32];
    clk_time now = world_now(r->w);
    size_t n;
    struct wire_pkt *const *v = wire_inflight(r->w, &n);
    (void)argc;
    (void)argv;
    if (n == 0) {
        fprintf(r->out, "no segments in flight\n");
        return REPL_OK;
    }
    /* `set rel on`: numbers relative to the ISNs, learnt from the run as the trace learns them */
    struct out_track track;
    out_track_init(&track);
    for (size_t i = 0; r->rel && i < r->log.len; i++)
        out_track_event(&track, &r->log.ev[i]);
    fprintf(r->out, " ID  Dir   Flags      SEQ         ACK          Len  Sent        Arrives     Age\n");
    for (size_t i = 0; i < n; i++) {
        const struct wire_pkt *p = v[i];
        const struct tcp_seg *s = &p->seg;
        uint32_t seq = s->seq, ack = s->ack;
        bool rs, ra;
        if (r->rel)
            out_track_relative(&track, s, &seq, &ack, &rs, &ra);
        fprintf(r->out, "%3llu  %s>%s   %-9s  %-10u  %-10u %5u  %-10s  %-10s  %s%s%s\n", (unsigned long long)p->id,
                r->w->host[p->from].name, r->w->host[p->to].name, tcp_flags_str(s->flags, fl, sizeof fl),
                (unsigned)seq, (unsigned)ack, (unsigned)s->len, out_time_str(p->sent_at, sent, sizeof sent),
                out_time_str(p->arrive_at, due, sizeof due), out_time_str(now - p->sent_at, age, sizeof age),
                p->marks & WIRE_MARK_DUP ? " dup" : "", p->marks & WIRE_MARK_INJECTED ? " injected" : "");
    }
    out_track_fini(&track);
    return REPL_OK;
}

/* ---- why -------------------------------------------------------------------------------------------- */

/* The event that triggered log entry 'i' (a STATE of socket 'c'): the nearest earlier event at
   the same instant that was an arrival at its host, a call on it, or its timer. -1 if none. */
static long
repl_trigger(const struct repl *r, size_t i, const struct tcp_conn *c)
{
    const struct trace_event *st = &r->log.ev[i];
    for (size_t j = i; j-- > 0;) {
        const struct trace_event *ev = &r->log.ev[j];
        if (ev->t != st->t)
            break;
        if ((ev->kind == TRACE_DELIVER && ev->to == c->host->index) ||
            (ev->kind == TRACE_CALL && (ev->conn == c->id || ev->host == c->host->index)) ||
            (ev->kind == TRACE_TIMER_FIRE && ev->conn == c->id))
            return (long)j;
    }
    return -1;
}

enum repl_status
repl_view_why(struct repl *r, int argc, char **argv)
{
    const struct tcp_conn *c = repl_socket_or_last(r, argc, argv);
    char t[32], rule[320], seg[128];
    if (!c)
        return REPL_ERR;
    size_t i = r->log.len;
    while (i-- > 0 && !(r->log.ev[i].kind == TRACE_STATE && r->log.ev[i].conn == c->id))
        ;
    if (i == (size_t)-1)
        return repl_err(r, "%s has not changed state yet", c->name);
    const struct trace_event *st = &r->log.ev[i];
    repl_rule_line(st->rule, rule, sizeof rule);
    fprintf(r->out, "%s: %s -> %s at %s\n", c->name, tcp_state_rfc(st->from_state), tcp_state_rfc(st->to_state),
            out_time_str(st->t, t, sizeof t));
    fprintf(r->out, "  rule     %s\n", rule);
    long j = repl_trigger(r, i, c);
    if (j >= 0) {
        const struct trace_event *ev = &r->log.ev[j];
        switch (ev->kind) {
        case TRACE_DELIVER:
            repl_seg_str(&ev->seg, seg, sizeof seg);
            fprintf(r->out, "  because  segment #%llu from %s arrived: %s\n", (unsigned long long)ev->pkt_id,
                    r->w->host[ev->from].name, seg);
            break;
        case TRACE_CALL:
            fprintf(r->out, "  because  the user called %s (%s)\n", ev->text ? ev->text : "?", tcp_err_name(ev->err));
            break;
        case TRACE_TIMER_FIRE:
            fprintf(r->out, "  because  the %s timer expired\n", tcp_timer_name(ev->timer));
            break;
        case TRACE_SEND:
        case TRACE_DROP:
        case TRACE_DUP:
        case TRACE_DELAY:
        case TRACE_STATE:
        case TRACE_RULE:
        case TRACE_TIMER_ARM:
        case TRACE_TIMER_CANCEL:
        case TRACE_SAY:
        case TRACE_KIND_COUNT:
            break;
        }
    }
    fprintf(r->out, "  TCB now  SND.UNA=%u SND.NXT=%u SND.WND=%u RCV.NXT=%u RCV.WND=%u%s", (unsigned)c->snd_una,
            (unsigned)c->snd_nxt, (unsigned)c->snd_wnd, (unsigned)c->rcv_nxt, (unsigned)repl_rcv_wnd(c),
            c->fin_sent ? "" : "\n");
    if (c->fin_sent)
        fprintf(r->out, " (our FIN is SEQ %u)\n", (unsigned)c->fin_seq);
    return REPL_OK;
}

/* ---- waiting ---------------------------------------------------------------------------------------- */

/* What socket 'c' waits for in its state, RFC 9293 §3.3.2's descriptions made concrete. */
static void
repl_wait_text(const struct tcp_conn *c, char *buf, size_t cap)
{
    uint32_t unacked = c->snd_nxt - c->snd_una;
    switch (c->state) {
    case TCP_CLOSED:
        snprintf(buf, cap, "nothing: the connection does not exist any more%s%s", c->error ? ", error " : "",
                 c->error ? tcp_err_name(c->error) : "");
        return;
    case TCP_LISTEN:
        snprintf(buf, cap, "a SYN on port %u (SYN queue %d, accept queue %d; each holds %d)", (unsigned)c->lport,
                 c->synq_len, c->acceptq_len, c->backlog + 1);
        return;
    case TCP_SYN_SENT:
        snprintf(buf, cap, "a SYN,ACK with ACK=%u acknowledging our SYN (SEQ=%u)", (unsigned)c->snd_nxt,
                 (unsigned)c->iss);
        return;
    case TCP_SYN_RECEIVED:
        snprintf(buf, cap, "the ACK of our SYN,ACK: a segment with ACK=%u", (unsigned)c->snd_nxt);
        return;
    case TCP_ESTABLISHED: {
        char owed[96] = "";
        if (c->ack_owed > 0)
            snprintf(owed, sizeof owed, " (the ACK of %u octets held back: delayed ACK)", (unsigned)c->ack_owed);
        snprintf(buf, cap, "data or a FIN from the peer at SEQ=%u%s; %u octets of ours unacknowledged; "
                           "%u octets for the user to read", (unsigned)c->rcv_nxt, owed, (unsigned)unacked,
                 (unsigned)c->rcvq.len);
        return;
    }
    case TCP_FIN_WAIT_1:
        snprintf(buf, cap, "the ACK of our FIN (ACK=%u), or the peer's FIN (SEQ=%u) first: simultaneous close",
                 (unsigned)(c->fin_seq + 1), (unsigned)c->rcv_nxt);
        return;
    case TCP_FIN_WAIT_2:
        snprintf(buf, cap, "the peer's FIN (SEQ=%u): our side is closed; the peer sends FIN when its user closes",
                 (unsigned)c->rcv_nxt);
        return;
    case TCP_CLOSE_WAIT:
        snprintf(buf, cap, "the user to call close: the peer has finished sending (FIN received%s); "
                           "TCP waits as long as the application likes",
                 c->ack_owed > 0 ? ", its ACK held back for our FIN to carry: delayed ACK" : "");
        return;
    case TCP_CLOSING:
        snprintf(buf, cap, "the ACK of our FIN (ACK=%u); the peer's FIN is already acknowledged",
                 (unsigned)(c->fin_seq + 1));
        return;
    case TCP_LAST_ACK:
        snprintf(buf, cap, "the ACK of our FIN (ACK=%u); then the TCB is deleted", (unsigned)(c->fin_seq + 1));
        return;
    case TCP_TIME_WAIT:
        snprintf(buf, cap, "2MSL to pass, so a lost last ACK can be resent and old duplicates die out "
                           "(RFC 9293 3.4.2)");
        return;
    case TCP_STATE_COUNT:
        break;
    }
    snprintf(buf, cap, "?");
}

enum repl_status
repl_view_waiting(struct repl *r, int argc, char **argv)
{
    const struct tcp_conn *c = repl_socket_or_last(r, argc, argv);
    char text[400], d[32], t[32], seg[128];
    if (!c)
        return REPL_ERR;
    repl_wait_text(c, text, sizeof text);
    fprintf(r->out, "%s (%s) waits for %s\n", c->name, tcp_state_rfc(c->state), text);
    int next = -1;
    clk_time best = 0;
    for (int k = 0; k < TCP_TIMER_COUNT; k++) {
        clk_time left = tcp_timer_left(c, (enum tcp_timer)k);
        if (left >= 0 && (next < 0 || left < best)) {
            next = k;
            best = left;
        }
    }
    if (next >= 0)
        fprintf(r->out, "  next timer: %s in %s, at %s\n", tcp_timer_name((enum tcp_timer)next),
                repl_dur_str(best, d, sizeof d), out_time_str(world_now(r->w) + best, t, sizeof t));
    else if (c->state != TCP_CLOSED)
        fprintf(r->out, "  no timer armed: without a segment or a call it waits for ever\n");
    size_t n;
    struct wire_pkt *const *v = wire_inflight(r->w, &n);
    for (size_t i = 0; i < n; i++) {
        const struct wire_pkt *p = v[i];
        if (p->to != c->host->index || p->seg.dport != c->lport)
            continue;
        repl_seg_str(&p->seg, seg, sizeof seg);
        fprintf(r->out, "  on its way: #%llu %s arrives at %s\n", (unsigned long long)p->id, seg,
                out_time_str(p->arrive_at, t, sizeof t));
    }
    return REPL_OK;
}

/* ---- trace and net ------------------------------------------------------------------------------------ */

enum repl_status
repl_view_trace(struct repl *r, int argc, char **argv)
{
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    uint64_t n = 20;
    char *mem = NULL;
    size_t len = 0, from = 0;
    if (argc >= 2 && repl_num(r, argv[1], 1000000000, "count", &n) != 0)
        return REPL_ERR;
    FILE *f = open_memstream(&mem, &len);
    o.format = r->o.format;
    o.color = r->o.color;
    o.absolute_seq = !r->rel;
    o.width = repl_width(r);
    struct out_text *p = f ? out_text_new(f, &o) : NULL;
    if (!p) {
        if (f)
            fclose(f);
        free(mem);
        return repl_err(r, "trace: out of memory");
    }
    /* every event goes through the printer (relative numbers need the SYNs); only the last
       N are shown */
    for (size_t i = 0; i < r->log.len; i++) {
        if (i + n == r->log.len) {
            fflush(f);
            from = len;
        }
        out_text_observe(&r->log.ev[i], p);
    }
    out_text_free(p);
    fclose(f);
    if (len > from)
        fwrite(mem + from, 1, len - from, r->out);
    else
        fprintf(r->out, "no events yet\n");
    free(mem);
    return REPL_OK;
}

enum repl_status
repl_view_net(struct repl *r, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    for (int d = 0; d < 2; d++) {
        const struct wire_link *l = &r->w->wire.link[d];
        char dl[32], jt[32];
        fprintf(r->out, "%s>%s  delay %s  jitter %s  loss %g  dup %g  reorder %g  bandwidth ", r->w->host[d].name,
                r->w->host[1 - d].name, repl_dur_str(l->delay, dl, sizeof dl), repl_dur_str(l->jitter, jt, sizeof jt),
                l->loss, l->dup, l->reorder);
        if (l->bandwidth)
            fprintf(r->out, "%llu bit/s\n", (unsigned long long)l->bandwidth);
        else
            fprintf(r->out, "unlimited\n");
    }
    return REPL_OK;
}
