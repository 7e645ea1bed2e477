/*
 * tcp_fsm.c - the state machine's vocabulary and its one funnel.
 *
 * RFC 9293 §3.3.2 names eleven states; tcp_set_state() is the only code that moves a
 * connection from one to another, and it always records the rule (section and reason) that
 * did so, for `why`, the traces and coverage. Also here: the life of a connection record
 * (create, attach to its host, delete the TCB, destroy), the errors and their errno names, and
 * the byte rings behind the send and receive buffers.
 */
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tcp_internal.h"

static const struct {
    const char *rfc, *bsd, *linux_name, *ss;
} tcp_state_names[TCP_STATE_COUNT] = {
    [TCP_CLOSED] = {"CLOSED", "CLOSED", "CLOSE", "UNCONN"},
    [TCP_LISTEN] = {"LISTEN", "LISTEN", "LISTEN", "LISTEN"},
    [TCP_SYN_SENT] = {"SYN-SENT", "SYN_SENT", "SYN_SENT", "SYN-SENT"},
    [TCP_SYN_RECEIVED] = {"SYN-RECEIVED", "SYN_RCVD", "SYN_RECV", "SYN-RECV"},
    [TCP_ESTABLISHED] = {"ESTABLISHED", "ESTABLISHED", "ESTABLISHED", "ESTAB"},
    [TCP_FIN_WAIT_1] = {"FIN-WAIT-1", "FIN_WAIT_1", "FIN_WAIT1", "FIN-WAIT-1"},
    [TCP_FIN_WAIT_2] = {"FIN-WAIT-2", "FIN_WAIT_2", "FIN_WAIT2", "FIN-WAIT-2"},
    [TCP_CLOSE_WAIT] = {"CLOSE-WAIT", "CLOSE_WAIT", "CLOSE_WAIT", "CLOSE-WAIT"},
    [TCP_CLOSING] = {"CLOSING", "CLOSING", "CLOSING", "CLOSING"},
    [TCP_LAST_ACK] = {"LAST-ACK", "LAST_ACK", "LAST_ACK", "LAST-ACK"},
    [TCP_TIME_WAIT] = {"TIME-WAIT", "TIME_WAIT", "TIME_WAIT", "TIME-WAIT"},
};

const char *tcp_state_rfc(enum tcp_state s) { return s < TCP_STATE_COUNT ? tcp_state_names[s].rfc : "?"; }
const char *tcp_state_bsd(enum tcp_state s) { return s < TCP_STATE_COUNT ? tcp_state_names[s].bsd : "?"; }
const char *tcp_state_linux(enum tcp_state s) { return s < TCP_STATE_COUNT ? tcp_state_names[s].linux_name : "?"; }
const char *tcp_state_ss(enum tcp_state s) { return s < TCP_STATE_COUNT ? tcp_state_names[s].ss : "?"; }

/* Compare ignoring case and treating '-' and '_' alike: "fin-wait-1" = "FIN_WAIT_1". */
static bool
tcp_name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (char)toupper((unsigned char)*a), y = (char)toupper((unsigned char)*b);
        if (x == '-')
            x = '_';
        if (y == '-')
            y = '_';
        if (x != y)
            return false;
    }
    return *a == *b;
}

int
tcp_state_parse(const char *name)
{
    if (!name)
        return -1;
    for (int s = 0; s < TCP_STATE_COUNT; s++) {
        if (tcp_name_eq(name, tcp_state_names[s].rfc) || tcp_name_eq(name, tcp_state_names[s].bsd)
            || tcp_name_eq(name, tcp_state_names[s].linux_name) || tcp_name_eq(name, tcp_state_names[s].ss))
            return s;
    }
    return -1;
}

/* RFC 9293 Figure 5, then the edges the figure leaves to its notes and to §3.10: ABORT, RST
   and timeouts lead to CLOSED, SYN-RECEIVED goes to CLOSE-WAIT on a FIN (§3.10.7.4). The
   state diagram (out_dot.c), coverage and tcp_set_state's check all read this one table. */
const struct tcp_edge tcp_edges[] = {
    /* Figure 5 */
    {TCP_CLOSED, TCP_LISTEN, "passive OPEN", "create TCB", true},
    {TCP_CLOSED, TCP_SYN_SENT, "active OPEN", "create TCB, snd SYN", true},
    {TCP_LISTEN, TCP_CLOSED, "CLOSE", "delete TCB", true},
    {TCP_LISTEN, TCP_SYN_RECEIVED, "rcv SYN", "snd SYN,ACK", true},
    {TCP_LISTEN, TCP_SYN_SENT, "SEND", "snd SYN", true},
    {TCP_SYN_SENT, TCP_CLOSED, "CLOSE (or rcv RST, timeout)", "delete TCB", true},
    {TCP_SYN_SENT, TCP_SYN_RECEIVED, "rcv SYN", "snd SYN,ACK", true},
    {TCP_SYN_SENT, TCP_ESTABLISHED, "rcv SYN,ACK", "snd ACK", true},
    {TCP_SYN_RECEIVED, TCP_LISTEN, "rcv RST (note 1)", "", true},
    {TCP_SYN_RECEIVED, TCP_ESTABLISHED, "rcv ACK of SYN", "", true},
    {TCP_SYN_RECEIVED, TCP_FIN_WAIT_1, "CLOSE", "snd FIN", true},
    {TCP_ESTABLISHED, TCP_FIN_WAIT_1, "CLOSE", "snd FIN", true},
    {TCP_ESTABLISHED, TCP_CLOSE_WAIT, "rcv FIN", "snd ACK", true},
    {TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, "rcv ACK of FIN", "", true},
    {TCP_FIN_WAIT_1, TCP_CLOSING, "rcv FIN", "snd ACK", true},
    {TCP_FIN_WAIT_2, TCP_TIME_WAIT, "rcv FIN", "snd ACK", true},
    {TCP_CLOSING, TCP_TIME_WAIT, "rcv ACK of FIN", "", true},
    {TCP_CLOSE_WAIT, TCP_LAST_ACK, "CLOSE", "snd FIN", true},
    {TCP_LAST_ACK, TCP_CLOSED, "rcv ACK of FIN", "", true},
    {TCP_TIME_WAIT, TCP_CLOSED, "Timeout=2MSL", "delete TCB", true},
    /* the figure's notes and §3.10 */
    {TCP_FIN_WAIT_1, TCP_TIME_WAIT, "rcv FIN + ACK of FIN (note 2)", "snd ACK", false},
    {TCP_SYN_RECEIVED, TCP_CLOSE_WAIT, "rcv FIN (3.10.7.4)", "snd ACK", false},
    {TCP_SYN_RECEIVED, TCP_CLOSED, "rcv RST, ABORT, timeout", "delete TCB", false},
    {TCP_ESTABLISHED, TCP_CLOSED, "rcv RST, ABORT, timeout", "delete TCB", false},
    {TCP_FIN_WAIT_1, TCP_CLOSED, "rcv RST, ABORT, timeout", "delete TCB", false},
    {TCP_FIN_WAIT_2, TCP_CLOSED, "rcv RST, ABORT, fin timeout", "delete TCB", false},
    {TCP_CLOSE_WAIT, TCP_CLOSED, "rcv RST, ABORT, timeout", "delete TCB", false},
    {TCP_CLOSING, TCP_CLOSED, "rcv RST, ABORT, timeout", "delete TCB", false},
};
const size_t tcp_nedges = sizeof tcp_edges / sizeof tcp_edges[0];

int
tcp_edge_find(enum tcp_state from, enum tcp_state to)
{
    for (size_t i = 0; i < tcp_nedges; i++)
        if (tcp_edges[i].from == from && tcp_edges[i].to == to)
            return (int)i;
    return -1;
}

bool
tcp_state_edge_ok(enum tcp_state from, enum tcp_state to)
{
    return tcp_edge_find(from, to) >= 0;
}

static const struct {
    const char *name, *text;
} tcp_err_names[TCP_ERR_COUNT] = {
    [TCP_OK] = {"OK", "ok"},
    [TCP_ENOTCONN] = {"ENOTCONN", "connection does not exist"},
    [TCP_EISCONN] = {"EISCONN", "connection already exists"},
    [TCP_EPIPE] = {"EPIPE", "connection closing"},
    [TCP_ESHUTDOWN] = {"ESHUTDOWN", "connection closing"},
    [TCP_ECONNRESET] = {"ECONNRESET", "connection reset"},
    [TCP_ECONNREFUSED] = {"ECONNREFUSED", "connection refused"},
    [TCP_ETIMEDOUT] = {"ETIMEDOUT", "connection aborted due to user timeout"},
    [TCP_ECONNABORTED] = {"ECONNABORTED", "connection aborted"},
    [TCP_EADDRINUSE] = {"EADDRINUSE", "address already in use"},
    [TCP_ENOBUFS] = {"ENOBUFS", "insufficient resources"},
    [TCP_EINVAL] = {"EINVAL", "foreign socket unspecified"},
    [TCP_EOPNOTSUPP] = {"EOPNOTSUPP", "operation not supported on this socket"},
    [TCP_EOF] = {"EOF", "connection closing"},
};

const char *tcp_err_name(enum tcp_err e) { return e < TCP_ERR_COUNT ? tcp_err_names[e].name : "?"; }
const char *tcp_err_text(enum tcp_err e) { return e < TCP_ERR_COUNT ? tcp_err_names[e].text : "?"; }

static const struct {
    const char *name, *section, *text;
} tcp_rule_table[TCP_RULE_COUNT] = {
#define TCP_RULE_ROW(id, section, text) {#id, section, text},
    TCP_RULES(TCP_RULE_ROW)
#undef TCP_RULE_ROW
};

const char *tcp_rule_name(enum tcp_rule r) { return r < TCP_RULE_COUNT ? tcp_rule_table[r].name : "?"; }
const char *tcp_rule_section(enum tcp_rule r) { return r < TCP_RULE_COUNT ? tcp_rule_table[r].section : "?"; }
const char *tcp_rule_text(enum tcp_rule r) { return r < TCP_RULE_COUNT ? tcp_rule_table[r].text : "?"; }

const char *
tcp_timer_name(enum tcp_timer t)
{
    switch (t) {
    case TCP_TIMER_REXMIT: return "rexmit";
    case TCP_TIMER_PERSIST: return "persist";
    case TCP_TIMER_TIMEWAIT: return "2msl";
    case TCP_TIMER_FINWAIT2: return "fin_wait_2";
    case TCP_TIMER_KEEPALIVE: return "keepalive";
    case TCP_TIMER_DELACK: return "delack";
    case TCP_TIMER_TLP: return "tlp";
    case TCP_TIMER_COUNT: break;
    }
    return "?";
}

const char *
tcp_endpoint_str(uint32_t addr, uint16_t port, char *buf, size_t cap)
{
    snprintf(buf, cap, "%u.%u.%u.%u:%u", (unsigned)(addr >> 24), (unsigned)(addr >> 16) & 255u,
             (unsigned)(addr >> 8) & 255u, (unsigned)addr & 255u, (unsigned)port);
    return buf;
}

/* ---- the funnel ---------------------------------------------------------------------- */

void
tcp_set_state(struct tcp_conn *c, enum tcp_state next, enum tcp_rule rule)
{
    enum tcp_state prev = c->state;
    assert(tcp_state_edge_ok(prev, next));
    c->state = next;
    c->last_rule = rule;
    c->last_change = tcp_now(c);
    struct world *w = tcp_world(c);
    if (world_traced(w)) {
        struct trace_event ev = {
            .kind = TRACE_STATE, .host = c->host->index, .conn = c->id, .conn_name = c->name,
            .from_state = prev, .to_state = next, .rule = rule,
        };
        world_emit(w, &ev);
    }
}

void
tcp_note_emit(struct tcp_host *h, const struct tcp_conn *c, enum tcp_rule rule)
{
    struct world *w = h->world;
    struct trace_event ev = {
        .kind = TRACE_RULE, .host = h->index, .conn = c ? c->id : 0,
        .conn_name = c ? c->name : NULL, .rule = rule,
        .from_state = c ? c->state : TCP_CLOSED, .to_state = c ? c->state : TCP_CLOSED,
    };
    world_emit(w, &ev);
}

/* ---- connection records -------------------------------------------------------------- */

struct tcp_conn *
tcp_conn_create(struct tcp_host *h, uint32_t id)
{
    struct tcp_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->id = id;
    c->host = h;
    c->state = TCP_CLOSED;
    h->serial++;
    snprintf(c->name, sizeof c->name, "%s%d", h->name, h->serial);
    c->laddr = h->addr;
    c->rto = h->cfg.rto_initial;
    c->isn_opt = -1;
    c->keepalive = h->cfg.keepalive != 0;
    c->opts.user_timeout = -1;
    c->opts.linger = -1;
    for (int t = 0; t < TCP_TIMER_COUNT; t++) {
        c->timers[t].conn = c;
        c->timers[t].which = (enum tcp_timer)t;
        clk_event_init(&c->timers[t].ev, tcp_timer_fire, &c->timers[t]);
    }
    return c;
}

static void
tcp_conn_free_buffers(struct tcp_conn *c, bool keep_unread)
{
    wire_recall_all(c->host->world, &c->lent);
    tcp_sndq_release(c); /* after the recall: no segment points at the user's memory now */
    tcp_ring_free(&c->sndq);
    if (!keep_unread) {
        tcp_rcvq_release(c);
        tcp_ring_free(&c->rcvq);
    }
    tcp_ooo_free_all(c); /* held out of order: never readable */
}

void
tcp_conn_destroy(struct tcp_conn *c)
{
    if (!c)
        return;
    tcp_timer_cancel_all(c);
    tcp_conn_free_buffers(c, false);
    free(c);
}

int
tcp_conn_buffers(struct tcp_conn *c)
{
    if (tcp_ring_alloc(&c->sndq, (uint32_t)c->host->cfg.wmem[1]) != 0)
        return -1;
    if (tcp_ring_alloc(&c->rcvq, (uint32_t)c->host->cfg.rmem[1]) != 0) {
        tcp_ring_free(&c->sndq);
        return -1;
    }
    return 0;
}

void
tcp_conn_attach(struct tcp_conn *c)
{
    struct tcp_host *h = c->host;
    assert(!c->live);
    c->live = true;
    c->host_prev = NULL;
    c->host_next = h->conns;
    if (h->conns)
        h->conns->host_prev = c;
    h->conns = c;
}

static void
tcp_conn_detach(struct tcp_conn *c)
{
    if (!c->live)
        return;
    if (c->host_prev)
        c->host_prev->host_next = c->host_next;
    else
        c->host->conns = c->host_next;
    if (c->host_next)
        c->host_next->host_prev = c->host_prev;
    c->host_next = c->host_prev = NULL;
    c->live = false;
}

/* Take an unaccepted connection off its listener: out of the accept queue, or out of the SYN
   queue (its place is freed). */
static void
tcp_listener_forget(struct tcp_conn *c)
{
    struct tcp_conn *l = c->listener;
    if (!l || c->accepted)
        return;
    if (c->in_acceptq) {
        struct tcp_conn **pp = &l->acceptq_head, *prev = NULL;
        while (*pp && *pp != c) {
            prev = *pp;
            pp = &(*pp)->acceptq_next;
        }
        if (*pp) {
            *pp = c->acceptq_next;
            if (l->acceptq_tail == c)
                l->acceptq_tail = prev;
        }
        c->in_acceptq = false;
        l->acceptq_len--;
    } else {
        l->synq_len--;
    }
    c->listener = NULL;
}

/* RFC 9293 §3.6.1, MAY-2 (2): a TIME-WAIT reopened by a SYN "returns to TIME-WAIT state if
   the SYN turns out to be an old duplicate". Under tw_reopen_restore the old TCB stays in
   TIME-WAIT, set aside (tcp_demux passes over it), its 2MSL timer running, while the new
   incarnation 'n' is in SYN-RECEIVED; this settles it when 'n' leaves that state:
   synchronized, the old TCB is deleted; deleted first (reset by the peer, the SYN,ACK never
   answered), the old TCB takes the pair back where it was. */
void
tcp_time_wait_settle(struct tcp_conn *n, bool synchronized)
{
    struct tcp_conn *old = n->tw_old;
    if (!old)
        return;
    n->tw_old = NULL;
    old->tw_new = NULL;
    if (synchronized)
        tcp_delete_tcb(old, TCP_RULE_TIME_WAIT_SUPERSEDED, TCP_OK);
    else
        tcp_note(old->host, old, TCP_RULE_TIME_WAIT_RESTORED);
}

void
tcp_delete_tcb(struct tcp_conn *c, enum tcp_rule rule, enum tcp_err err)
{
    if (err != TCP_OK) {
        c->error = err;
        c->error_reported = false; /* the next call reports it (tcp_user.c) */
    }
    if (c->tw_new) { /* a TIME-WAIT set aside ends first (2MSL, a crash): nothing to return to */
        c->tw_new->tw_old = NULL;
        c->tw_new = NULL;
    }
    if (c->tw_old && rule == TCP_RULE_HOST_CRASH) {
        c->tw_old->tw_new = NULL; /* the crash forgets the old TCB too */
        c->tw_old = NULL;
    }
    tcp_timer_cancel_all(c);
    /* Octets received in order stay readable for a user who still holds the socket (a
       read(2) after the connection closed returns them, then end of stream). */
    tcp_conn_free_buffers(c, !c->orphaned && c->rcvq.len > 0);
    tcp_conn_detach(c);
    /* An embryonic connection leaves its listener's SYN queue. One that reached the accept
       queue stays there, closed, until accept() returns it or the listener goes: a connection
       reset before accept() is still accepted, its data still read (Linux keeps the child
       socket queued; tests/linux/listen-reset-before-accept*.pkt). */
    if (!c->in_acceptq)
        tcp_listener_forget(c);
    if (c->state == TCP_LISTEN) {
        /* The listener goes: so do the connections that were waiting for accept(). As Linux
           does (inet_csk_listen_stop): each established one is reset, as by ABORT; the
           embryonic ones are dropped without a word (request sockets: no RST, no SYN,ACK
           again), and the peer's ACK, when it comes, finds no connection (§3.10.7.1). */
        struct world *w = tcp_world(c);
        for (uint32_t i = 0; i < w->nconns; i++) {
            struct tcp_conn *k = w->conns[i];
            if (k->listener == c && !k->accepted && k->state != TCP_CLOSED) {
                tcp_listener_forget(k);
                if (tcp_synchronized(k->state)) {
                    tcp_send_rst(k);
                    tcp_delete_tcb(k, TCP_RULE_CLOSE_LISTEN_RESET, TCP_ECONNRESET);
                } else {
                    tcp_delete_tcb(k, TCP_RULE_CLOSE_LISTEN_DROP, TCP_OK);
                }
            }
        }
        while (c->acceptq_head) /* those closed while they waited: nothing to send */
            tcp_listener_forget(c->acceptq_head);
    }
    if (c->state != TCP_CLOSED)
        tcp_set_state(c, TCP_CLOSED, rule);
    tcp_time_wait_settle(c, false);
}

void
tcp_acceptq_push(struct tcp_conn *c)
{
    struct tcp_conn *l = c->listener;
    if (!l || c->in_acceptq || c->accepted)
        return;
    c->in_acceptq = true;
    c->acceptq_next = NULL;
    if (l->acceptq_tail)
        l->acceptq_tail->acceptq_next = c;
    else
        l->acceptq_head = c;
    l->acceptq_tail = c;
    l->synq_len--;
    l->acceptq_len++;
}

uint32_t
tcp_choose_iss(struct tcp_host *h, int64_t isn_opt)
{
    /* RFC 9293 §3.4.1 asks for a clock-driven ISN (and RFC 6528 a keyed hash of it); a
       teaching tool wants ISNs it can print and repeat, so they come from a setting or the
       world's seeded PRNG. */
    if (isn_opt >= 0)
        return (uint32_t)isn_opt;
    if (h->cfg.isn >= 0)
        return (uint32_t)h->cfg.isn;
    return rng_u32(&h->world->rng);
}

/* ---- byte rings ---------------------------------------------------------------------- */

int
tcp_ring_alloc(struct tcp_ring *r, uint32_t cap)
{
    r->buf = malloc(cap ? cap : 1);
    r->cap = cap;
    r->head = 0;
    r->len = 0;
    return r->buf ? 0 : -1;
}

int
tcp_ring_resize(struct tcp_ring *r, uint32_t cap)
{
    assert(r->len <= cap);
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf)
        return -1;
    tcp_ring_peek(r, 0, buf, r->len); /* offsets from the head stay as they were */
    free(r->buf);
    r->buf = buf;
    r->cap = cap;
    r->head = 0;
    return 0;
}

void
tcp_ring_free(struct tcp_ring *r)
{
    free(r->buf);
    r->buf = NULL;
    r->cap = r->head = r->len = 0;
}

uint32_t
tcp_ring_space(const struct tcp_ring *r)
{
    return r->cap - r->len;
}

uint32_t
tcp_ring_push(struct tcp_ring *r, const uint8_t *data, uint32_t len)
{
    if (len > r->cap - r->len)
        len = r->cap - r->len;
    if (len == 0)
        return 0; /* 'data' may be NULL then, which memcpy does not allow even for 0 bytes */
    uint32_t tail = r->head + r->len;
    if (tail >= r->cap)
        tail -= r->cap;
    uint32_t first = r->cap - tail < len ? r->cap - tail : len;
    memcpy(r->buf + tail, data, first);
    if (first < len)
        memcpy(r->buf, data + first, len - first); /* the rest wraps to the ring's start */
    r->len += len;
    return len;
}

void
tcp_ring_peek(const struct tcp_ring *r, uint32_t off, uint8_t *out, uint32_t len)
{
    assert(off + len <= r->len);
    if (len == 0)
        return;
    uint32_t start = r->head + off;
    if (start >= r->cap)
        start -= r->cap;
    uint32_t first = r->cap - start < len ? r->cap - start : len;
    memcpy(out, r->buf + start, first);
    if (first < len)
        memcpy(out + first, r->buf, len - first);
}

const uint8_t *
tcp_ring_span(const struct tcp_ring *r, uint32_t off, uint32_t len)
{
    uint32_t start = r->head + off;
    if (start >= r->cap)
        start -= r->cap;
    return start + len <= r->cap ? r->buf + start : NULL;
}

void
tcp_ring_drop(struct tcp_ring *r, uint32_t len)
{
    assert(len <= r->len);
    r->head += len;
    if (r->head >= r->cap)
        r->head -= r->cap;
    r->len -= len;
    if (r->len == 0)
        r->head = 0;
}
