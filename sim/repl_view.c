/*
 * repl_view.c - what the REPL shows of the world: tcb, wire, why, waiting, trace and net
 * (status is repl_status.c's).
 *
 * Views read the engine's structures (tcp.h, wire.h) for the present, and the session's
 * trace_log for the past (`why` finds the event that triggered a transition there). They
 * never change anything, so they are never journaled.
 */
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

/* ---- shared pieces ---------------------------------------------------------------------------- */

/* "RFC 9293 3.10.7.4", "RFC 5961 3.2", "Linux tcp_timewait_state_process": where to read it. */
static const char *
repl_rule_cite(enum tcp_rule rule, char *buf, size_t cap)
{
    const char *sec = tcp_rule_section(rule);
    bool ours = sec[0] >= '0' && sec[0] <= '9';
    snprintf(buf, cap, "%s%s", ours ? "RFC 9293 " : "", sec);
    return buf;
}

/* "fifth, SYN-RECEIVED: our SYN is ACKed, ESTABLISHED (SYN_RCVD_ACKED, RFC 9293 3.10.7.4)":
   the words first, the rule's id and source after. */
static void
repl_rule_line(enum tcp_rule rule, char *buf, size_t cap)
{
    char cite[96];
    snprintf(buf, cap, "%s (%s, %s)", tcp_rule_text(rule), tcp_rule_name(rule), repl_rule_cite(rule, cite, sizeof cite));
}

/* "131", "0.002": seconds without the zeros a person would not write. */
static const char *
repl_secs(clk_time t, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.3f", clk_to_sec(t));
    char *dot = strchr(buf, '.');
    if (dot) {
        char *end = buf + strlen(buf);
        while (end > dot + 1 && end[-1] == '0')
            *--end = '\0';
        if (end == dot + 1)
            *dot = '\0';
    }
    return buf;
}

/* How socket 'c' failed to connect, from the events: "ETIMEDOUT after 131 s, 11 SYNs" (the
   time from its first SYN to the moment it gave up, and the SYNs it sent). Counted, not
   computed from the settings, so it stays true whatever the timers do. false when 'c' did not
   leave SYN-SENT with an error. */
bool
repl_connect_failure(const struct repl *r, const struct tcp_conn *c, char *buf, size_t cap)
{
    clk_time first = -1, end = -1;
    unsigned syns = 0;
    if (!c || c->error == TCP_OK)
        return false;
    for (size_t i = 0; i < r->log.len; i++) {
        const struct trace_event ev_ = trace_log_get(&r->log, i), *ev = &ev_;
        if (ev->conn != c->id)
            continue;
        if (ev->kind == TRACE_SEND && (ev->seg.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
            if (first < 0)
                first = ev->t;
            syns++;
        } else if (ev->kind == TRACE_STATE && ev->to_state == TCP_CLOSED && ev->from_state == TCP_SYN_SENT) {
            end = ev->t;
        }
    }
    if (first < 0 || end < 0)
        return false;
    char d[32];
    snprintf(buf, cap, "%s after %s s, %u SYN%s", tcp_err_name(c->error), repl_secs(end - first, d, sizeof d), syns,
             syns == 1 ? "" : "s");
    return true;
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
    case TCP_TIMER_TLP:
    case TCP_TIMER_REORDER: return c->retransmits;
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
void
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
    if (repl_no_more(r, argc, argv, 2) != REPL_OK)
        return NULL;
    if (argc >= 2)
        return repl_socket(r, argv[1]);
    for (size_t i = r->log.len; i-- > 0;)
        if (trace_log_kind(&r->log, i) == TRACE_STATE && world_conn(r->w, trace_log_get(&r->log, i).conn))
            return world_conn(r->w, trace_log_get(&r->log, i).conn);
    repl_err(r, "no socket yet (A connect B 80, B listen 80 make some)");
    return NULL;
}

/* The tcb's SACK line, when there is something to show: the blocks we report (RFC 2018 4),
   the scoreboard of what the peer reported (RFC 6675 3) and the recovery it drives. */
static void
repl_sack_line(struct repl *r, const struct tcp_conn *c)
{
    uint32_t bytes = 0;
    fprintf(r->out, "  sack     ours");
    for (int i = 0; i < c->rcv_nsack; i++)
        fprintf(r->out, " %u:%u", (unsigned)c->rcv_sack[i].left, (unsigned)c->rcv_sack[i].right);
    fprintf(r->out, "%s; scoreboard", c->rcv_nsack ? "" : " none");
    for (int i = 0; i < c->nboard; i++) {
        fprintf(r->out, " %u:%u", (unsigned)c->board[i].left, (unsigned)c->board[i].right);
        bytes += c->board[i].right - c->board[i].left;
    }
    fprintf(r->out, "%s (%u octets SACKed); ", c->nboard ? "" : " empty", (unsigned)bytes);
    if (c->in_recovery)
        fprintf(r->out, "in recovery to %u, HighRxt %u; ", (unsigned)c->recover, (unsigned)c->high_rxt);
    fprintf(r->out, "%u D-SACKs heard\n", (unsigned)c->dsacks_rcvd);
}

/* ---- tcb ------------------------------------------------------------------------------------------ */

enum repl_status
repl_view_tcb(struct repl *r, int argc, char **argv)
{
    const struct tcp_conn *c = argc >= 2 ? repl_socket(r, argv[1]) : NULL;
    char local[32], remote[32], t[32], d1[32], d2[32], d3[32], rule[320], timers[256];
    if (argc < 2)
        return repl_err(r, "usage: tcb SOCK (status lists them)");
    if (!c || repl_no_more(r, argc, argv, 2) != REPL_OK)
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
    if (c->state != TCP_LISTEN)
        fprintf(r->out, "  options  window scale %s (ours %u, theirs %u), timestamps %s (TS.Recent=%u), SACK %s\n",
                c->ws_ok ? "on" : "off", (unsigned)c->rcv_wscale, (unsigned)c->snd_wscale, c->ts_ok ? "on" : "off",
                (unsigned)c->ts_recent, c->sack_ok ? "on" : "off");
    fprintf(r->out, "  closing  FIN queued %s, sent %s%s, received %s; %s\n", c->fin_queued ? "yes" : "no",
            c->fin_sent ? "yes" : "no", c->fin_sent ? "" : "", c->fin_rcvd ? "yes" : "no",
            c->orphaned ? "closed by the user (orphaned)" : "open to the user");
    fprintf(r->out, "  rtt      SRTT=%s RTTVAR=%s RTO=%s; retransmissions %d in a row, %llu in all; %d dup ACKs\n",
            c->srtt ? repl_dur_str(c->srtt, d1, sizeof d1) : "none", repl_dur_str(c->rttvar, d2, sizeof d2),
            repl_dur_str(c->rto, d3, sizeof d3), c->retransmits, (unsigned long long)c->total_retransmits, c->dupacks);
    if (c->sack_ok && (c->rcv_nsack || c->nboard || c->in_recovery || c->dsacks_rcvd))
        repl_sack_line(r, c); /* the options line says SACK is on; this one, what it holds */
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
    if (repl_no_more(r, argc, argv, 1) != REPL_OK)
        return REPL_ERR;
    if (n == 0) {
        fprintf(r->out, "no segments in flight\n");
        return REPL_OK;
    }
    /* `set rel on`: numbers relative to the ISNs, learnt from the run as the trace learns them */
    struct out_track track;
    out_track_init(&track);
    for (size_t i = 0; r->rel && i < r->log.len; i++) {
        const struct trace_event ev = trace_log_get(&r->log, i);
        out_track_event(&track, &ev);
    }
    fprintf(r->out, " ID  Dir   Flags      SEQ         ACK          Len  Sent        Arrives     Age\n");
    for (size_t i = 0; i < n; i++) {
        const struct wire_pkt *p = v[i];
        const struct tcp_seg *s = &p->seg;
        uint32_t seq = s->seq, ack = s->ack;
        bool rs, ra;
        if (r->rel)
            out_track_relative(&track, s, &seq, &ack, &rs, &ra);
        fprintf(r->out, "%3llu  %s>%s   %-9s  %-10u  %-10u %5u  %-10s  %-10s  %s%s%s\n", (unsigned long long)p->id,
                r->w->host[p->from].name, r->w->host[wire_pkt_to(p)].name, tcp_flags_str(s->flags, fl, sizeof fl),
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
    const struct trace_event st_ = trace_log_get(&r->log, i), *st = &st_;
    for (size_t j = i; j-- > 0;) {
        const struct trace_event ev_ = trace_log_get(&r->log, j), *ev = &ev_;
        if (ev->t != st->t)
            break;
        if ((ev->kind == TRACE_DELIVER && ev->to == c->host->index) ||
            (ev->kind == TRACE_CALL && (ev->conn == c->id || ev->host == c->host->index)) ||
            (ev->kind == TRACE_TIMER_FIRE && ev->conn == c->id))
            return (long)j;
    }
    /* an OPEN that takes a pair over from TIME-WAIT deletes the old TCB before its call is
       reported: the call comes just after */
    if (st->rule == TCP_RULE_OPEN_REUSE_TIME_WAIT)
        for (size_t j = i + 1; j < r->log.len && trace_log_t(&r->log, j) == st->t; j++)
            if (trace_log_kind(&r->log, j) == TRACE_CALL && trace_log_get(&r->log, j).host == c->host->index)
                return (long)j;
    return -1;
}

/* What `why` adds to a transition a student should know more about. */
static void
repl_why_notes(struct repl *r, const struct tcp_conn *c, const struct trace_event *st)
{
    char why[96];
    if (st->from_state == TCP_TIME_WAIT && st->rule == TCP_RULE_RST_CLOSE) {
        /* RFC 1337: the hazard is named after this very event */
        fprintf(r->out, "  note     an RST cut TIME-WAIT short before 2MSL passed: this is TIME-WAIT assassination\n"
                        "           (RFC 1337). An old duplicate could now reach a new incarnation of the pair.\n"
                        "           With tcp_rfc1337 = 1 %s would ignore the RST (now %d; `sysctl %s tcp_rfc1337 1`;\n"
                        "           Linux leaves it 0, the rfc preset sets it).\n",
                c->host->name, c->host->cfg.rfc1337, c->host->name);
    }
    if (st->to_state == TCP_CLOSED && repl_connect_failure(r, c, why, sizeof why))
        fprintf(r->out, "  result   connect failed: %s\n", why);
}

enum repl_status
repl_view_why(struct repl *r, int argc, char **argv)
{
    const struct tcp_conn *c = repl_socket_or_last(r, argc, argv);
    char t[32], rule[320], seg[128];
    if (!c)
        return REPL_ERR;
    size_t i = r->log.len;
    while (i-- > 0 && !(trace_log_kind(&r->log, i) == TRACE_STATE && trace_log_get(&r->log, i).conn == c->id))
        ;
    if (i == (size_t)-1)
        return repl_err(r, "%s has not changed state yet", c->name);
    const struct trace_event st_ = trace_log_get(&r->log, i), *st = &st_;
    repl_rule_line(st->rule, rule, sizeof rule);
    fprintf(r->out, "%s: %s -> %s at %s\n", c->name, tcp_state_rfc(st->from_state), tcp_state_rfc(st->to_state),
            out_time_str(st->t, t, sizeof t));
    fprintf(r->out, "  rule     %s\n", rule);
    long j = repl_trigger(r, i, c);
    if (j >= 0) {
        const struct trace_event ev_ = trace_log_get(&r->log, j), *ev = &ev_;
        switch (ev->kind) {
        case TRACE_DELIVER:
            repl_seg_str(&ev->seg, seg, sizeof seg);
            fprintf(r->out, "  because  segment #%llu from %s arrived: %s\n", (unsigned long long)ev->pkt_id,
                    r->w->host[ev->from].name, seg);
            break;
        case TRACE_CALL:
            if (ev->conn != c->id && ev->conn_name)
                fprintf(r->out, "  because  the user called %s on %s (%s)\n", ev->text ? ev->text : "?", ev->conn_name,
                        tcp_err_name(ev->err));
            else
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
    repl_why_notes(r, c, st);
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
        if (wire_pkt_to(p) != c->host->index || p->seg.dport != c->lport)
            continue;
        repl_seg_str(&p->seg, seg, sizeof seg);
        fprintf(r->out, "  on its way: #%llu %s arrives at %s\n", (unsigned long long)p->id, seg,
                out_time_str(p->arrive_at, t, sizeof t));
    }
    return REPL_OK;
}

/* ---- events as the session prints them --------------------------------------------------------------- */

/* The segment whose arrival led to log event 'i': the latest arrival at the same host at the
   same instant, copied into 'buf', or NULL (a timer, a call). */
static const struct tcp_seg *
repl_arrival(const struct repl *r, size_t i, struct tcp_seg *buf)
{
    const struct trace_event ev_ = trace_log_get(&r->log, i), *ev = &ev_;
    for (size_t j = i; j-- > 0 && trace_log_t(&r->log, j) == ev->t;) {
        if (trace_log_kind(&r->log, j) != TRACE_DELIVER)
            continue;
        const struct trace_event d = trace_log_get(&r->log, j);
        if (d.to == ev->host) {
            *buf = d.seg;
            return buf;
        }
    }
    return NULL;
}

/*
 * Rule notes (TRACE_RULE: something a TCP did without changing state) in plain words, as a
 * student would say them: "no socket on port 81, so B answers with RST". In a template,
 * {who} is the socket (else the host), {host} the host, and {port}, {seq}, {ack} are the
 * destination port, SEQ and ACK of the segment that arrived. A rule missing here is said with
 * its text from tcp_rules.h.
 */
static const struct {
    enum tcp_rule rule;
    const char *words;
} repl_rule_words_table[] = {
    {TCP_RULE_CLOSED_SEND_RST, "no socket on port {port}, so {host} answers with RST"},
    {TCP_RULE_CLOSED_RST_DROP, "no socket on port {port}; an RST is never answered, so {host} drops it"},
    {TCP_RULE_LISTEN_RST_IGNORE, "an RST reaches the listener {who}: it ignores it"},
    {TCP_RULE_LISTEN_ACK_RST, "an ACK reaches the listener {who}, which has sent nothing to acknowledge, so {host} "
                              "answers with RST"},
    {TCP_RULE_LISTEN_ACCEPT_QUEUE_FULL, "the accept queue of the listener {who} is full (no one calls accept()), so "
                                        "{host} drops the SYN unanswered: the client will send it again"},
    {TCP_RULE_LISTEN_SYN_QUEUE_FULL, "the SYN queue of the listener {who} is full and SYN cookies are off, so {host} "
                                     "drops the SYN unanswered"},
    {TCP_RULE_LISTEN_SYN_COOKIE, "the SYN queue of the listener {who} is full: {host} answers with a SYN cookie as "
                                 "its ISS and keeps nothing"},
    {TCP_RULE_ACK_ACCEPT_QUEUE_FULL, "this ACK completes the handshake of {who}, but the accept queue is full: it is "
                                     "dropped, and the SYN,ACK goes again on its timer"},
    {TCP_RULE_LISTEN_OTHER_DROP, "a segment with neither SYN, ACK nor RST reaches the listener {who}: it drops it"},
    {TCP_RULE_SYN_SENT_BAD_ACK_RST, "ACK={ack} does not acknowledge the SYN of {who}, so {host} answers with RST"},
    {TCP_RULE_SYN_SENT_BAD_ACK_DROP, "an RST whose ACK={ack} does not acknowledge the SYN of {who}: it drops it"},
    {TCP_RULE_SYN_SENT_RST_DROP, "an RST without an acceptable ACK: {who} drops it (a blind reset cannot refuse it)"},
    {TCP_RULE_SYN_SENT_OTHER_DROP, "{who} waits for a SYN or an RST; this segment has neither, so it drops it"},
    {TCP_RULE_SEQ_NOT_ACCEPTABLE, "SEQ={seq} lies outside the receive window of {who}, so it drops the segment and "
                                  "sends an ACK of what it expects"},
    {TCP_RULE_SEQ_RST_NOT_ACCEPTABLE, "an RST with SEQ={seq} outside the receive window of {who}: it drops it"},
    {TCP_RULE_SEQ_OUT_OF_ORDER, "SEQ={seq} is beyond what {who} expects next: it keeps the data until the gap is "
                                "filled"},
    {TCP_RULE_RST_CHALLENGE, "an RST with SEQ={seq} inside the window but not exactly where {who} expects it: a "
                             "challenge ACK instead of a reset"},
    {TCP_RULE_SYN_CHALLENGE, "a SYN on a synchronized connection: {who} answers with a challenge ACK"},
    {TCP_RULE_RST_RFC1337_IGNORE, "an RST in TIME-WAIT: with tcp_rfc1337 on, {who} ignores it, so no TIME-WAIT "
                                  "assassination"},
    {TCP_RULE_SYN_RCVD_BAD_ACK_RST, "ACK={ack} does not acknowledge the SYN,ACK of {who}, so it answers with RST"},
    {TCP_RULE_SYN_RCVD_DUP_SYN, "the peer's SYN again: {who} sends its SYN,ACK again"},
    {TCP_RULE_ACK_TOO_NEW, "ACK={ack} acknowledges data {who} has not sent: it answers with an ACK and drops the "
                           "segment"},
    {TCP_RULE_FIN_AGAIN, "the peer's FIN again (the ACK of it was lost or late): {who} acknowledges it again"},
    {TCP_RULE_FIN_TIME_WAIT_AGAIN, "the peer's FIN again, in TIME-WAIT: {who} acknowledges it and the 2MSL wait "
                                   "starts over"},
    {TCP_RULE_TIME_WAIT_RST_DROP, "an RST in TIME-WAIT, not at RCV.NXT: {who} drops it silently"},
    {TCP_RULE_TIMER_REXMIT, "no ACK in time: {who} sends its oldest unacknowledged segment again and doubles the RTO"},
    {TCP_RULE_TIMER_TLP, "no ACK within the probe timeout: {who} sends its last segment again as a tail loss probe"},
    {TCP_RULE_FAST_RETRANSMIT, "a third duplicate ACK: {who} sends the missing segment again at once (fast "
                               "retransmit)"},
    {TCP_RULE_SACK_RECOVERY, "the peer's SACK blocks show a hole at the front: {who} begins loss recovery"},
    {TCP_RULE_RACK_LOST, "data sent after this hole has been SACKed: {who} takes the hole for lost and sends it "
                         "again (RACK)"},
    {TCP_RULE_SACK_RESEND_HOLE, "{who} sends a hole the peer's SACK blocks show again, never data the peer holds"},
    {TCP_RULE_TIMER_REORDER, "the hole was not filled within the reordering window: {who} takes it for lost"},
    {TCP_RULE_SACK_DSACK_SEND, "data {who} already has came again: its ACK reports the duplicate (D-SACK)"},
    {TCP_RULE_TIMER_PERSIST, "the peer's window is zero: {who} sends a window probe"},
    {TCP_RULE_TIMER_KEEPALIVE, "idle for too long: {who} sends a keep-alive probe"},
    {TCP_RULE_TIMER_DELACK, "the delayed-ACK timer expired: {who} sends the ACK it held back"},
};

/* The plain words for rule note 'rule' into 'buf', or "" when there are none (or they need a
   segment and 'seg' is NULL). */
static void
repl_rule_words(enum tcp_rule rule, const char *who, const char *host, const struct tcp_seg *seg, char *buf,
                size_t cap)
{
    const char *tpl = NULL;
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof repl_rule_words_table / sizeof repl_rule_words_table[0]; i++)
        if (repl_rule_words_table[i].rule == rule)
            tpl = repl_rule_words_table[i].words;
    for (const char *p = tpl; p && *p && n + 1 < cap;) {
        char v[24];
        const char *val = NULL;
        if (*p != '{') {
            buf[n++] = *p++;
            continue;
        }
        const char *end = strchr(p, '}');
        size_t k = end ? (size_t)(end - p) + 1 : 1;
        if (strncmp(p, "{who}", k) == 0)
            val = who;
        else if (strncmp(p, "{host}", k) == 0)
            val = host;
        else if (seg && strncmp(p, "{port}", k) == 0)
            val = (snprintf(v, sizeof v, "%u", (unsigned)seg->dport), v);
        else if (seg && strncmp(p, "{seq}", k) == 0)
            val = (snprintf(v, sizeof v, "%u", (unsigned)seg->seq), v);
        else if (seg && strncmp(p, "{ack}", k) == 0)
            val = (snprintf(v, sizeof v, "%u", (unsigned)seg->ack), v);
        if (!val) {
            buf[0] = '\0'; /* a segment's number without a segment: the rule's own text instead */
            return;
        }
        n += (size_t)snprintf(buf + n, cap - n, "%s", val);
        if (n >= cap)
            n = cap - 1;
        p += k;
    }
    buf[n] = '\0';
}

void
repl_print_event(struct repl *r, struct out_text *p, FILE *f, size_t i)
{
    const struct trace_event ev_ = trace_log_get(&r->log, i), *ev = &ev_;
    if (ev->kind != TRACE_RULE || r->o.format == OUT_FMT_JSONL) {
        out_text_observe(ev, p);
        return;
    }
    /* out_text would print "B CLOSED: CLOSED_SEND_RST  [RFC 9293 ...]": the id first. The
       printer learns nothing from a rule note, so it need not see it. */
    const char *host = ev->host >= 0 && ev->host < WORLD_HOSTS ? r->w->host[ev->host].name : "?";
    const char *who = ev->conn_name ? ev->conn_name : host;
    char words[320], cite[96], line[512];
    (void)f; /* the printer writes to it */
    struct tcp_seg arrival;
    repl_rule_words(ev->rule, who, host, repl_arrival(r, i, &arrival), words, sizeof words);
    if (!words[0])
        snprintf(words, sizeof words, "%s %s: %s", who, tcp_state_rfc(ev->to_state), tcp_rule_text(ev->rule));
    snprintf(line, sizeof line, "%s (%s, %s)", words, tcp_rule_name(ev->rule),
             repl_rule_cite(ev->rule, cite, sizeof cite));
    out_text_note(p, ev, line);
}

void
repl_print_after(struct repl *r, struct out_text *p, size_t i)
{
    const struct trace_event ev_ = trace_log_get(&r->log, i), *ev = &ev_;
    char why[96], line[160];
    if (ev->kind != TRACE_STATE || ev->to_state != TCP_CLOSED || ev->from_state != TCP_SYN_SENT ||
        r->o.format == OUT_FMT_JSONL)
        return;
    const struct tcp_conn *c = world_conn(r->w, ev->conn);
    if (c && repl_connect_failure(r, c, why, sizeof why)) {
        snprintf(line, sizeof line, "%s connect failed: %s", c->name, why);
        out_text_note(p, ev, line);
    }
}

int
repl_render_log(struct repl *r, char **mem, size_t **off)
{
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    size_t len = 0;
    *mem = NULL;
    *off = malloc((r->log.len + 1) * sizeof **off);
    FILE *f = *off ? open_memstream(mem, &len) : NULL;
    o.format = r->o.format;
    o.color = r->o.color;
    o.absolute_seq = !r->rel; /* as the session prints them */
    o.width = repl_width(r);
    struct out_text *p = f ? out_text_new(f, &o) : NULL;
    if (!p) {
        if (f)
            fclose(f);
        free(*mem);
        free(*off);
        return -1;
    }
    /* every event goes through the printer, which learns the states from them */
    for (size_t i = 0; i < r->log.len; i++) {
        fflush(f);
        (*off)[i] = len;
        repl_print_event(r, p, f, i);
        repl_print_after(r, p, i);
    }
    out_text_free(p);
    fclose(f);
    (*off)[r->log.len] = len;
    return 0;
}

/* ---- trace and net ------------------------------------------------------------------------------------ */

enum repl_status
repl_view_trace(struct repl *r, int argc, char **argv)
{
    uint64_t n = 20;
    char *mem;
    size_t *off, from, shown = 0;
    if (repl_no_more(r, argc, argv, 2) != REPL_OK)
        return REPL_ERR;
    if (argc >= 2 && repl_num(r, argv[1], 1000000000, "count", &n) != 0)
        return REPL_ERR;
    if (n == 0)
        return repl_err(r, "trace: the count must be 1 or more");
    if (repl_render_log(r, &mem, &off) != 0)
        return repl_err(r, "trace: out of memory");
    /* the last N lines, as tail -n shows them: an armed timer prints none, a failed connect
       two */
    size_t end = off[r->log.len];
    for (from = end; from > 0 && shown <= n; from--)
        if (mem[from - 1] == '\n' && ++shown > n)
            break;
    if (end)
        fwrite(mem + from, 1, end - from, r->out);
    else
        fprintf(r->out, "no events yet\n");
    free(mem);
    free(off);
    return REPL_OK;
}

enum repl_status
repl_view_net(struct repl *r, int argc, char **argv)
{
    (void)argc; /* `net` and `net set ...` come here after their own checks */
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
