/*
 * tcp_fsm.c - the state machine's vocabulary and its one funnel.
 *
 * RFC 9293 §3.3.2 names eleven states; tcp_set_state() is the only code that moves a
 * connection from one to another, and it always records the rule (section and reason) that
 * did so, for `why`, the traces and coverage. Also here: the life of a connection record
 * (create, attach to its host, delete the TCB, destroy), and the errors and their errno names.
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
    [TCP_EMFILE] = {"EMFILE", "too many open files"},
    [TCP_EADDRNOTAVAIL] = {"EADDRNOTAVAIL", "cannot assign requested address"},
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
    case TCP_TIMER_REORDER: return "rack";
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
    if (c->live) { /* the host's counts per state (ss -s) */
        struct tcp_host *h = c->host;
        h->nstate[prev]--;
        if (++h->nstate[next] > h->tw_peak && next == TCP_TIME_WAIT)
            h->tw_peak = h->nstate[next];
    }
    c->state = next;
    c->last_rule = rule;
    c->last_change = tcp_now(c);
    tcp_fast_path_check(c); /* header prediction only in ESTABLISHED */
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
    /* a scenario's log alone listens: straight into its record, no event built (trace.h) */
    if (w->log_only) {
        struct trace_conn_event ce = {
            .h = {.kind = TRACE_RULE, .host = h->index, .conn = c ? c->id : 0,
                  .conn_name = c ? c->name : NULL},
            .rule = rule,
            .from_state = c ? c->state : TCP_CLOSED, .to_state = c ? c->state : TCP_CLOSED,
        };
        if (world_log_conn(w, &ce))
            return;
    }
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
    c->world = h->world;
    c->state = TCP_CLOSED;
    c->pred_wnd = TCP_PRED_OFF; /* header prediction only in ESTABLISHED (tcp_fast_path_check) */
    h->serial++;
    snprintf(c->name, sizeof c->name, "%s%d", h->name, h->serial);
    c->laddr = h->addr;
    c->rto = h->cfg.rto_initial;
    c->isn_opt = -1;
    c->keepalive = h->cfg.keepalive != 0;
    c->opts.user_timeout = -1;
    c->opts.linger = -1;
    tcp_timer_tw_init(c);
    if (tcp_timers_get(c) != 0) {
        free(c);
        return NULL;
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
    tcp_timers_put(c);
    tcp_conn_free_buffers(c, false);
    free(c);
}

int
tcp_conn_buffers(struct tcp_conn *c)
{
    struct tcp_pool *pool = &tcp_world(c)->pool;
    if (tcp_ring_alloc(&c->sndq, pool, (uint32_t)c->host->cfg.wmem[1]) != 0)
        return -1;
    if (tcp_ring_alloc(&c->rcvq, pool, (uint32_t)c->host->cfg.rmem[1]) != 0) {
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
    c->link.prev = NULL;
    c->link.next = h->conns;
    if (h->conns)
        h->conns->prev = &c->link;
    h->conns = &c->link;
    tcp_hash_insert(c);
    h->nstate[c->state]++;
}

static void
tcp_conn_detach(struct tcp_conn *c)
{
    if (!c->live)
        return;
    c->host->nstate[c->state]--;
    tcp_hash_remove(c);
    if (c->link.prev)
        c->link.prev->next = c->link.next;
    else
        c->host->conns = c->link.next;
    if (c->link.next)
        c->link.next->prev = c->link.prev;
    c->link.next = c->link.prev = NULL;
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

/* A waiting child of a closing listener: reset if established, dropped if embryonic. */
static void
tcp_listener_child_close(struct tcp_conn *k)
{
    tcp_listener_forget(k);
    if (tcp_synchronized(k->state)) {
        tcp_send_rst(k);
        tcp_delete_tcb(k, TCP_RULE_CLOSE_LISTEN_RESET, TCP_ECONNRESET);
    } else {
        tcp_delete_tcb(k, TCP_RULE_CLOSE_LISTEN_DROP, TCP_OK);
    }
}

static int
tcp_conn_cmp_id(const void *a, const void *b)
{
    uint32_t x = (*(struct tcp_conn *const *)a)->id, y = (*(struct tcp_conn *const *)b)->id;
    return x < y ? -1 : x > y;
}

/* Close every connection listener 'l' holds for accept(), oldest first. They are live, on its
   host's list: looking there, not through every connection the world ever made, keeps the
   cost with the listener's own (100,000 closed connections do not slow a listener's close). */
static void
tcp_listener_children_close(struct tcp_conn *l)
{
    size_t n = 0;
    /* a small TIME-WAIT is no one's child (tcp_tw_ready) */
    for (const struct tcp_conn *k = tcp_link_next_tcb(l->host->conns); k; k = tcp_link_next_tcb(k->link.next))
        n += k->listener == l && !k->accepted;
    if (n == 0)
        return;
    struct tcp_conn **kids = malloc(n * sizeof *kids);
    if (!kids) { /* no memory for the list: the world's record, in id order, does as well */
        struct world *w = tcp_world(l);
        for (uint32_t i = 0; i < w->nconns; i++)
            if (w->conns[i] && /* NULL: a record, long closed */
                w->conns[i]->listener == l && !w->conns[i]->accepted && w->conns[i]->state != TCP_CLOSED)
                tcp_listener_child_close(w->conns[i]);
        return;
    }
    n = 0;
    for (struct tcp_conn *k = tcp_link_next_tcb(l->host->conns); k; k = tcp_link_next_tcb(k->link.next))
        if (k->listener == l && !k->accepted)
            kids[n++] = k;
    qsort(kids, n, sizeof *kids, tcp_conn_cmp_id); /* the order the RSTs go out in */
    for (size_t i = 0; i < n; i++)
        if (kids[i]->state != TCP_CLOSED)
            tcp_listener_child_close(kids[i]);
    free(kids);
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
    if (synchronized) {
        tcp_delete_tcb(old, TCP_RULE_TIME_WAIT_SUPERSEDED, TCP_OK);
    } else {
        tcp_note(old->host, old, TCP_RULE_TIME_WAIT_RESTORED);
        world_retire_later(tcp_world(old), old); /* its small form may do again (tcp_tw.c) */
    }
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
    tcp_timers_put(c); /* stopped, and back to the pool: a closed record has none */
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
        tcp_listener_children_close(c);
        while (c->acceptq_head) /* those closed while they waited: nothing to send */
            tcp_listener_forget(c->acceptq_head);
    }
    if (c->state != TCP_CLOSED)
        tcp_set_state(c, TCP_CLOSED, rule);
    tcp_time_wait_settle(c, false);
    world_retire_later(tcp_world(c), c); /* its record may do once the program closes it */
}

bool
tcp_time_wait_room(struct tcp_conn *c)
{
    struct tcp_host *h = c->host;
    if (h->nstate[TCP_TIME_WAIT] < (uint32_t)h->cfg.max_tw_buckets)
        return true;
    /* Linux's tcp_time_wait finds no timewait socket to be had (inet_twsk_alloc: more than
       tcp_max_tw_buckets) and closes the socket (tcp_done), counting TCPTimeWaitOverflow;
       kernels before 4.x also logged "TCP: time wait bucket table overflow". tcp_fin has
       ACKed the peer's FIN before; from CLOSING it was ACKed long ago. */
    if (c->state != TCP_CLOSING)
        tcp_send_ack(c);
    tcp_delete_tcb(c, TCP_RULE_TIME_WAIT_OVERFLOW, TCP_OK);
    return false;
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
