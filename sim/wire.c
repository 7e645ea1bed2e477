/*
 * wire.c - the simulated network between the two hosts.
 *
 * A segment's journey: a TCB builds it in a wire_pkt taken from the wire (wire_seg_new) and
 * hands it over (wire_send_built, which keeps a lent payload where it is); wire_send() copies a
 * segment built elsewhere into one. The wire computes its arrival (serialization, delay,
 * jitter) and arms it on the clock. Where a scenario has rules, or the link loses, reorders or
 * duplicates, wire_meddle() applies the rules, then loss, reordering and duplication, each
 * drawing on the world's PRNG only when its probability is above zero, so a loss-free run
 * draws nothing.
 * wire_arrive() hands the segment to the receiving host's tcp_input() (not to a scripted
 * host's, whose TCP is switched off: the arrival is traced and that is all) and frees it, unless
 * the receive queue kept it (wire_keep); a segment addressed to neither host is lost there.
 *
 * Entry points: wire_init, wire_seg_new, wire_send_built, wire_send, wire_inject, wire_find,
 * wire_inflight, wire_drop_id, wire_delay_id, wire_dup_id, wire_rule_add, wire_rule_remove,
 * wire_fini.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/wire.h"
#include "tcpsim/world.h"

void
wire_init(struct world *wd)
{
    struct wire *w = &wd->wire;
    memset(w, 0, sizeof *w);
    w->next_rule_id = 1;
    for (int i = 0; i < 2; i++) {
        w->link[i].delay = CLK_MSEC(1);
        w->link[i].plain = true;
        w->link[i].to = &wd->host[1 - i];
        (void)clk_lane_init(&wd->clk, &w->lanes[i]); /* a fresh clock has room for both */
    }
}

void
wire_replan(struct world *wd)
{
    for (int i = 0; i < 2; i++) {
        struct wire_link *l = &wd->wire.link[i];
        /* the five settings ORed as one word (see wire_zeros: only +0.0 has all its bits
           zero, so -0.0 or a value below zero leaves the link to wire_post, which looks at
           each) */
        uint64_t loss, reorder, dup;
        memcpy(&loss, &l->loss, sizeof loss);
        memcpy(&reorder, &l->reorder, sizeof reorder);
        memcpy(&dup, &l->dup, sizeof dup);
        uint64_t set = loss | reorder | dup | l->bandwidth | (uint64_t)l->jitter;
        l->plain = set == 0 && !l->held && !world_traced(wd) && !wd->wire.rules;
    }
}

void
wire_link_set(struct world *wd, int from, const struct wire_link *settings)
{
    struct wire_link *l = &wd->wire.link[from];
    l->delay = settings->delay;
    l->jitter = settings->jitter;
    l->loss = settings->loss;
    l->dup = settings->dup;
    l->reorder = settings->reorder;
    l->bandwidth = settings->bandwidth;
    wire_replan(wd);
}

static void
wire_lender_unlink(struct wire_pkt *p)
{
    struct wire_lender *l = p->lender;
    if (p->lprev)
        p->lprev->lnext = p->lnext;
    else
        l->head = p->lnext;
    if (p->lnext)
        p->lnext->lprev = p->lprev;
    else
        l->tail = p->lprev;
    p->lender = NULL; /* its links mean nothing now: wire_lender_link sets both */
}

/* Keep the lender's list sorted by SEG.SEQ: 'p' goes after the last segment not above it,
   looked for from the tail (a retransmission, the lowest sequence number in flight, usually
   goes at the front). */
static void
wire_lender_link(struct wire_lender *l, struct wire_pkt *p)
{
    struct wire_pkt *after = l->tail;
    while (after && seq_gt(after->seg.seq, p->seg.seq))
        after = after->lprev;
    p->lender = l;
    p->lprev = after;
    p->lnext = after ? after->lnext : l->head;
    if (p->lnext)
        p->lnext->lprev = p;
    else
        l->tail = p;
    if (after)
        after->lnext = p;
    else
        l->head = p;
}

/* wire_lender_link's common case, new data sent after all that is in the list: 'p' goes at
   the end, with no search and nothing behind it to link. False, and nothing done, when the
   tail is above 'p' (a retransmission): wire_send_relent places it. */
static inline bool
wire_lender_append(struct wire_lender *l, struct wire_pkt *p)
{
    struct wire_pkt *t = l->tail;
    if (t && seq_gt(t->seg.seq, p->seg.seq))
        return false;
    p->lender = l;
    p->lprev = t;
    p->lnext = NULL;
    if (t)
        t->lnext = p;
    else
        l->head = p;
    l->tail = p;
    return true;
}

static void
wire_pkt_free(struct wire *w, struct wire_pkt *p)
{
    if (p->lender)
        wire_lender_unlink(p);
    p->next = w->pool;
    w->pool = p;
}

void
wire_fini(struct world *wd)
{
    struct wire *w = &wd->wire;
    for (size_t i = 0; i < w->nmade; i++) {
        struct wire_pkt *p = w->made[i];
        clk_cancel(&wd->clk, &p->arrival); /* a no-op unless it is in flight */
        if (p->lender)
            wire_lender_unlink(p);
        free(p->payload);
        free(p);
    }
    free(w->made);
    while (w->rules) {
        struct wire_rule *r = w->rules;
        w->rules = r->next;
        free(r);
    }
    memset(w, 0, sizeof *w);
}

static void wire_arrive(struct clk_event *ev, void *ctx);

/* A new packet, recorded among those the wire has made; NULL when out of memory. */
static struct wire_pkt *
wire_pkt_make(struct world *wd)
{
    struct wire *w = &wd->wire;
    if (w->nmade == w->made_cap) {
        size_t cap = w->made_cap ? 2 * w->made_cap : 16;
        struct wire_pkt **made = realloc(w->made, cap * sizeof *made);
        if (!made)
            return NULL;
        w->made = made;
        w->made_cap = cap;
    }
    struct wire_pkt *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    clk_event_init(&p->arrival, wire_arrive, p);
    p->world = wd;
    w->made[w->nmade++] = p;
    return p;
}

/* Make room for 'len' octets of 'p''s own (pooled packets keep their buffers); 0 or -1. */
static inline int
wire_pkt_reserve(struct wire_pkt *p, uint32_t len)
{
    if (len > p->payload_cap) {
        uint8_t *np = realloc(p->payload, len);
        if (!np)
            return -1;
        p->payload = np;
        p->payload_cap = len;
    }
    return 0;
}

/* Give 'p' its own copy of 'len' octets at 'data' (seg.data then points at it); 0 or -1. */
static inline int
wire_pkt_own(struct wire_pkt *p, const uint8_t *data, uint32_t len)
{
    if (wire_pkt_reserve(p, len) != 0)
        return -1;
    if (len)
        memcpy(p->payload, data, len);
    p->seg.data = p->payload;
    return 0;
}

/* The packet whose segment is 'seg' (one wire_seg_new handed out). */
static inline struct wire_pkt *
wire_pkt_of(struct tcp_seg *seg)
{
    return (struct wire_pkt *)(void *)((char *)seg - offsetof(struct wire_pkt, seg));
}

/* 'p' enters the wire from host 'from' for connection 'conn': its id, sender, destination host
   and send time. The caller sets its arrival time. */
static inline void
wire_pkt_stamp(struct world *wd, struct wire_pkt *p, int from, uint32_t conn)
{
    struct wire *w = &wd->wire;
    p->id = ++w->next_id;
    p->from = from;
    p->dest = w->link[from].to;
    p->sent_at = wd->clk.now;
    p->marks = 0;
    p->conn = conn;
}

/* A packet from the pool (or new), holding a copy of 'seg' and its own copy of the payload.
   The caller sets its arrival time. */
static struct wire_pkt *
wire_pkt_new(struct world *wd, int from, const struct tcp_seg *seg, uint32_t conn)
{
    struct tcp_seg *s = wire_seg_new(wd);
    if (s == &wd->wire.spare)
        return NULL;
    struct wire_pkt *p = wire_pkt_of(s);
    p->seg = *seg;
    if (wire_pkt_own(p, seg->data, seg->len) != 0) {
        wire_pkt_free(&wd->wire, p);
        return NULL;
    }
    wire_pkt_stamp(wd, p, from, conn);
    return p;
}

/* A segment event built whole for world_emit's observers: every field set by name rather than
   the whole event (264 octets) zeroed first, the TCB world_emit's to fill. Apart from
   wire_event, whose path to a scenario's log it would burden with its stack frame (2
   instructions an event, 6 a data segment). */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static void
wire_event_emit(struct world *wd, enum trace_kind kind, const struct wire_pkt *p, const struct tcp_conn *c,
                const char *text)
{
    struct trace_event ev;
    ev.kind = kind;
    ev.host = kind == TRACE_DELIVER ? wire_pkt_to(p) : p->from;
    ev.conn = c ? c->id : 0;
    ev.conn_name = c ? c->name : NULL;
    ev.seg = p->seg;
    ev.pkt_id = p->id;
    ev.orig_id = 0;
    ev.from = p->from;
    ev.to = wire_pkt_to(p);
    ev.sent_at = p->sent_at;
    ev.arrive_at = p->arrive_at;
    ev.marks = p->marks;
    ev.from_state = ev.to_state = c ? c->state : TCP_CLOSED;
    ev.rule = (enum tcp_rule)0;
    ev.timer = (enum tcp_timer)0;
    ev.when = 0;
    ev.text = text;
    ev.err = TCP_OK;
    ev.has_tcb = false;
    world_emit(wd, &ev);
}

/* Report a segment event. 'conn' and 'conn_name' name the connection concerned: the sender
   for SEND, DROP, DUP and DELAY; for DELIVER the receiving connection (none: a closed port). */
static void
wire_event(struct world *wd, enum trace_kind kind, const struct wire_pkt *p, const char *text)
{
    const struct tcp_conn *c = kind == TRACE_DELIVER ? tcp_demux(&wd->host[wire_pkt_to(p)], &p->seg)
                                                     : world_conn(wd, p->conn);
    /* a scenario's log alone listens: the segment goes straight into its record, which saves
       building the event, world_emit's call and the log's tests of fields a segment event
       leaves zero (about 105 instructions an event, 3 events a data segment) */
    if (wd->log_only && !text) {
        struct trace_seg_event se = {
            .h = {.kind = kind, .host = kind == TRACE_DELIVER ? wire_pkt_to(p) : p->from,
                  .conn = c ? c->id : 0, .conn_name = c ? c->name : NULL},
            .state = c ? c->state : TCP_CLOSED, .seg = &p->seg, .pkt_id = p->id, .from = p->from,
            .to = wire_pkt_to(p), .sent_at = p->sent_at, .arrive_at = p->arrive_at, .marks = p->marks,
        };
        if (world_log_seg(wd, &se))
            return;
    }
    wire_event_emit(wd, kind, p, c, text);
}

/* 'p' is no longer in flight (it arrives or is dropped), nor held back by its link. Only a
   segment marked as reordered has been held, and only by the link it was sent on. */
static void
wire_leave(struct wire *w, struct wire_pkt *p)
{
    if ((p->marks & WIRE_MARK_REORDERED) && w->link[p->from].held == p) {
        w->link[p->from].held = NULL;
        wire_replan(p->world);
    }
}

/* A segment addressed to neither host (the answer to a segment whose source a scenario made
   up, net:inject's 'src'): nobody has that address, so nobody receives it. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static void
wire_no_host(struct world *wd, struct wire_pkt *p)
{
    if (world_traced(wd)) {
        char why[64], where[32];
        tcp_endpoint_str(p->seg.daddr, 0, where, sizeof where);
        where[strcspn(where, ":")] = '\0';
        snprintf(why, sizeof why, "no host has address %s", where);
        wire_event(wd, TRACE_DROP, p, why);
    }
    wire_pkt_free(&wd->wire, p);
}

static void
wire_arrive(struct clk_event *ev, void *ctx)
{
    (void)ev;
    struct wire_pkt *p = ctx;
    struct world *wd = p->world;
    struct wire *w = &wd->wire;
    struct tcp_host *h = p->dest;
    wire_leave(w, p);
    if (p->seg.daddr != h->addr) {
        wire_no_host(wd, p);
        return;
    }
    if (world_traced(wd))
        wire_event(wd, TRACE_DELIVER, p, NULL);
    w->delivering = p;
    if (!h->scripted)
        tcp_input(h, &p->seg);
    w->delivering = NULL;
    if (!p->kept)
        wire_pkt_free(w, p);
}

/* Inlined into the receive queue's calls (with -flto): it runs for every segment that
   arrives in order, and a call would cost half of it. always_inline wants 'inline', and an
   inline function with external linkage may use no identifier with internal linkage (C11
   §6.7.4p3: its body could stand in for the function in another file, where a static one does
   not exist; clang -Wpedantic holds every such function to it). So it calls no static helper
   of this file: the room is reserved here, as wire_pkt_reserve would reserve it. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
inline struct wire_pkt *
wire_keep(struct world *wd, const struct tcp_seg *seg)
{
    struct wire_pkt *p = wd->wire.delivering;
    if (!p || &p->seg != seg || p->kept || seg->len < WIRE_KEEP_MIN)
        return NULL;
    /* room for the copy a recall would make (wire_give_back), so that a recall cannot fail */
    if (p->lender && seg->len > p->payload_cap) {
        uint8_t *np = realloc(p->payload, seg->len);
        if (!np)
            return NULL;
        p->payload = np;
        p->payload_cap = seg->len;
    }
    p->kept = true;
    return p;
}

void
wire_release(struct world *wd, struct wire_pkt *p)
{
    p->kept = false;
    wire_pkt_free(&wd->wire, p);
}

/* Does rule 'r' match a segment from host 'from'? */
static bool
wire_rule_matches(const struct wire_rule *r, int from, const struct tcp_seg *s)
{
    if (r->from >= 0 && r->from != from)
        return false;
    if (r->flags_exact ? s->flags != r->flags : (s->flags & r->flags) != r->flags)
        return false;
    if (r->has_seq && s->seq != r->seq)
        return false;
    if (r->len >= 0 && (int64_t)s->len != r->len)
        return false;
    return true;
}

/* The first rule that acts on this segment, or NULL. Counts every match. */
static struct wire_rule *
wire_rules_apply(struct wire *w, int from, const struct tcp_seg *s)
{
    struct wire_rule *acting = NULL;
    for (struct wire_rule *r = w->rules; r; r = r->next) {
        if (r->count == 0 || !wire_rule_matches(r, from, s))
            continue;
        r->seen++;
        if (!acting && r->seen >= r->nth) {
            acting = r;
            if (r->count > 0)
                r->count--;
        }
    }
    return acting;
}

/* Schedule 'p' on the clock at p->arrive_at: it is in flight (wire_pkt_inflight) until the
   clock pops its arrival or the wire cancels it. Inlined, since every segment comes this
   way. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline void
wire_schedule(struct world *wd, struct wire_pkt *p)
{
    (void)clk_lane_arm_first(&wd->clk, wd->wire.lanes, 2, &p->arrival, p->arrive_at);
}

/* Move 'p' to arrive at 'when' (re-armed: it leaves its lane for the heap). */
static void
wire_reschedule(struct world *wd, struct wire_pkt *p, clk_time when)
{
    p->arrive_at = when;
    (void)clk_arm(&wd->clk, &p->arrival, when);
}

static void
wire_drop(struct world *wd, struct wire_pkt *p, const char *why)
{
    if (world_traced(wd))
        wire_event(wd, TRACE_DROP, p, why);
    wire_pkt_free(&wd->wire, p);
}

/* A copy of 'p' that arrives just after it. */
static uint64_t
wire_duplicate(struct world *wd, struct wire_pkt *p)
{
    struct wire_pkt *d = wire_pkt_new(wd, p->from, &p->seg, p->conn);
    if (!d)
        return 0;
    d->sent_at = p->sent_at;
    d->arrive_at = p->arrive_at;
    d->marks = p->marks | WIRE_MARK_DUP;
    wire_schedule(wd, d);
    if (world_traced(wd)) {
        struct trace_event ev = {
            .kind = TRACE_DUP, .host = d->from, .conn = d->conn, .seg = d->seg, .pkt_id = d->id,
            .orig_id = p->id, .from = d->from, .to = wire_pkt_to(d), .sent_at = d->sent_at,
            .arrive_at = d->arrive_at, .marks = d->marks,
        };
        world_emit(wd, &ev);
    }
    return d->id;
}

/* When the segment would arrive if nothing held it back: serialization, delay, jitter. */
static clk_time
wire_arrival_time(struct world *wd, struct wire_link *l, const struct tcp_seg *s)
{
    clk_time t = wd->clk.now;
    if (l->bandwidth) {
        /* 40 octets of IPv4 and TCP header go on the wire with the payload */
        uint64_t bits = ((uint64_t)s->len + 40u) * 8u;
        clk_time start = l->busy_until > t ? l->busy_until : t;
        l->busy_until = start + (clk_time)(bits * (uint64_t)CLK_NSEC_PER_SEC / l->bandwidth);
        t = l->busy_until;
    }
    t += l->delay;
    if (l->jitter > 0)
        t += (clk_time)(rng_unit(&wd->rng) * (double)l->jitter);
    return t;
}

void
wire_send(struct world *wd, int from, const struct tcp_seg *seg, uint32_t conn)
{
    struct tcp_seg *s = wire_seg_new(wd);
    *s = *seg;
    wire_send_built(wd, from, s, conn, NULL);
}

struct tcp_seg *
wire_seg_make(struct world *wd)
{
    struct wire_pkt *p = wire_pkt_make(wd);
    return p ? &p->seg : &wd->wire.spare;
}

/* Inlined into the sender's calls (with -flto): taking a packet is three instructions, and a
   call would cost more. It uses no identifier with internal linkage (C11 6.7.4p3, see
   wire_keep): an empty pool goes to wire_seg_make. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
inline struct tcp_seg *
wire_seg_new(struct world *wd)
{
    struct wire_pkt *p = wd->wire.pool;
    if (!p)
        return wire_seg_make(wd);
    wd->wire.pool = p->next;
    return &p->seg;
}

/* Are 'a', 'b' and 'c' all +0.0? Only +0.0 has all its bits zero, so one test of the three
   ORed together answers, where comparing each with 0 costs two branches apiece. Any other
   value, even -0.0 or one below zero, says no, and leaves the caller to look at each. */
static inline bool
wire_zeros(double a, double b, double c)
{
    uint64_t x, y, z;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    memcpy(&z, &c, sizeof z);
    return (x | y | z) == 0;
}

/* What the scenario's rules and the link do to 'p', sent on 'l', beyond delaying it: drop it
   (a rule, then loss), delay it (a rule), let it pass a held segment or hold it back
   (reordering), duplicate it (a rule, then duplication). Each probability draws on the PRNG
   only when it is above zero. Inlined into wire_post, its one caller: on a lossy link every
   segment comes this way, and the call cost a fifth of it. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline void
wire_meddle(struct world *wd, struct wire_link *l, struct wire_pkt *p)
{
    struct wire *w = &wd->wire;
    if (!w->rules && !l->held && wire_zeros(l->reorder, l->dup, 0.0) && l->loss > 0) {
        /* a link that only loses (the commonest lossy one): the draw below, and nothing else
           (written apart: an early return after the draw below costs 21 instructions per
           segment more at 1 % loss, for the tests of 'r' on the way) */
        if (rng_unit(&wd->rng) < l->loss)
            wire_drop(wd, p, "loss");
        else
            wire_schedule(wd, p);
        return;
    }
    struct wire_rule *r = w->rules ? wire_rules_apply(w, p->from, &p->seg) : NULL;
    if (r && r->action == WIRE_DROP) {
        wire_drop(wd, p, "rule");
        return;
    }
    if (l->loss > 0 && rng_unit(&wd->rng) < l->loss) {
        wire_drop(wd, p, "loss");
        return;
    }
    if (r && r->action == WIRE_DELAY) {
        p->arrive_at += r->by;
        p->marks |= WIRE_MARK_DELAYED;
        if (world_traced(wd)) {
            struct trace_event ev = {
                .kind = TRACE_DELAY, .host = p->from, .conn = p->conn, .seg = p->seg,
                .pkt_id = p->id, .from = p->from, .to = wire_pkt_to(p), .sent_at = p->sent_at,
                .arrive_at = p->arrive_at, .marks = p->marks, .when = p->arrive_at, .text = "rule",
            };
            world_emit(wd, &ev);
        }
    }
    wire_schedule(wd, p);
    /* Reordering: a held segment arrives just after this one, which has passed it. */
    if (l->held) {
        struct wire_pkt *h = l->held;
        l->held = NULL;
        wire_replan(wd);
        if (p->arrive_at >= wd->clk.now)
            wire_reschedule(wd, h, p->arrive_at);
    } else if (l->reorder > 0 && rng_unit(&wd->rng) < l->reorder) {
        /* Held back until the next segment passes it; should none come, it arrives one
           more delay late. */
        p->marks |= WIRE_MARK_REORDERED;
        wire_reschedule(wd, p, p->arrive_at + (l->delay > 0 ? l->delay : CLK_MSEC(1)));
        l->held = p;
        wire_replan(wd);
    }
    if ((r && r->action == WIRE_DUPLICATE) || (l->dup > 0 && rng_unit(&wd->rng) < l->dup))
        (void)wire_duplicate(wd, p);
}

/* A packet on a link that neither delays it by more than its delay (no serialization, no
   jitter) nor meddles with it, while nothing observes the run: the commonest case, with no
   call but the clock's, so that it saves no registers. The others go through wire_post. */
static inline bool
wire_plain(const struct world *wd, const struct wire_link *l)
{
    /* the link's settings, its held segment, the observers and the rules were tested when
       one of them changed (wire_replan), not for every packet: 9 instructions a packet, where
       their four tests cost 3 */
    (void)wd;
    return l->plain;
}

/* 'p', stamped, sent on 'l': its arrival time (serialization, delay, jitter: the one PRNG draw
   here), its SEND event, then what the rules and the link do to it. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static void
wire_post(struct world *wd, struct wire_link *l, struct wire_pkt *p)
{
    p->arrive_at = wire_arrival_time(wd, l, &p->seg);
    if (world_traced(wd))
        wire_event(wd, TRACE_SEND, p, NULL);
    /* Most segments meet no rule on a link that neither loses, reorders nor duplicates: they
       go straight to the clock. */
    if (!wd->wire.rules && !l->held && wire_zeros(l->loss, l->reorder, l->dup))
        wire_schedule(wd, p);
    else
        wire_meddle(wd, l, p);
}

/* 'p' with a payload that is not lent: it takes its own copy, or, out of memory, is lost. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static void
wire_send_owned(struct world *wd, int from, struct wire_pkt *p, uint32_t conn)
{
    if (wire_pkt_own(p, p->seg.data, p->seg.len) != 0) {
        wire_pkt_free(&wd->wire, p);
        return;
    }
    wire_pkt_stamp(wd, p, from, conn);
    wire_post(wd, &wd->wire.link[from], p);
}

/* 'p' with a lent payload that goes before the tail of its lender's list (a retransmission):
   apart from wire_send_built, so that its common case makes no call but the clock's and saves
   no register (the call here cost 3 instructions a data segment more than the search saved). */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static void
wire_send_relent(struct world *wd, int from, struct wire_pkt *p, uint32_t conn,
                 struct wire_lender *lender)
{
    wire_lender_link(lender, p);
    wire_pkt_stamp(wd, p, from, conn);
    wire_post(wd, &wd->wire.link[from], p);
}

void
wire_send_built(struct world *wd, int from, struct tcp_seg *seg, uint32_t conn,
                struct wire_lender *lender)
{
    if (seg == &wd->wire.spare)
        return; /* out of memory: the network lost it, which TCP survives */
    struct wire_pkt *p = wire_pkt_of(seg);
    if (seg->len == 0) {
        seg->data = p->payload; /* as a copy of nothing would leave it */
    } else if (lender) {
        if (!wire_lender_append(lender, p)) {
            wire_send_relent(wd, from, p, conn, lender);
            return;
        }
    } else {
        wire_send_owned(wd, from, p, conn);
        return;
    }
    wire_pkt_stamp(wd, p, from, conn);
    struct wire_link *l = &wd->wire.link[from];
    if (wire_plain(wd, l)) {
        p->arrive_at = wd->clk.now + l->delay;
        wire_schedule(wd, p);
    } else {
        wire_post(wd, l, p);
    }
}

uint64_t
wire_inject(struct world *wd, int from, const struct tcp_seg *seg)
{
    struct wire_pkt *p = wire_pkt_new(wd, from, seg, 0);
    if (!p)
        return 0;
    p->marks |= WIRE_MARK_INJECTED;
    p->arrive_at = wd->clk.now + wd->wire.link[from].delay;
    if (world_traced(wd))
        wire_event(wd, TRACE_SEND, p, "injected");
    wire_schedule(wd, p);
    return p->id;
}

/* 'p' gives its lender the memory back: it copies its payload, or, out of memory, is lost. */
static void
wire_give_back(struct world *wd, struct wire_pkt *p)
{
    wire_lender_unlink(p);
    if (wire_pkt_own(p, p->seg.data, p->seg.len) == 0)
        return;
    (void)wire_drop_id(wd, p->id, "no memory");
}

void
wire_recall(struct world *wd, struct wire_lender *l, uint32_t below)
{
    while (l->head && seq_lt(l->head->seg.seq, below))
        wire_give_back(wd, l->head);
}

void
wire_recall_all(struct world *wd, struct wire_lender *l)
{
    while (l->head)
        wire_give_back(wd, l->head);
}

struct wire_pkt *
wire_find(struct world *wd, uint64_t id)
{
    for (size_t i = 0; i < wd->wire.nmade; i++)
        if (wire_pkt_inflight(wd->wire.made[i]) && wd->wire.made[i]->id == id)
            return wd->wire.made[i];
    return NULL;
}

/* Those in flight first, by id; the others after them, in any order. */
static int
wire_pkt_cmp(const void *a, const void *b)
{
    const struct wire_pkt *p = *(struct wire_pkt *const *)a, *q = *(struct wire_pkt *const *)b;
    bool pin = wire_pkt_inflight(p), qin = wire_pkt_inflight(q);
    if (pin != qin)
        return pin ? -1 : 1;
    if (!pin)
        return 0;
    return p->id < q->id ? -1 : p->id > q->id;
}

struct wire_pkt *const *
wire_inflight(struct world *wd, size_t *n)
{
    struct wire *w = &wd->wire;
    if (w->nmade)
        qsort(w->made, w->nmade, sizeof *w->made, wire_pkt_cmp);
    *n = 0;
    while (*n < w->nmade && wire_pkt_inflight(w->made[*n]))
        ++*n;
    return w->made;
}

int
wire_drop_id(struct world *wd, uint64_t id, const char *why)
{
    struct wire_pkt *p = wire_find(wd, id);
    if (!p)
        return -1;
    clk_cancel(&wd->clk, &p->arrival);
    wire_leave(&wd->wire, p);
    wire_drop(wd, p, why ? why : "by hand");
    return 0;
}

int
wire_delay_id(struct world *wd, uint64_t id, clk_time by)
{
    struct wire_pkt *p = wire_find(wd, id);
    if (!p || by < 0)
        return -1;
    p->marks |= WIRE_MARK_DELAYED;
    wire_reschedule(wd, p, p->arrive_at + by);
    if (world_traced(wd)) {
        struct trace_event ev = {
            .kind = TRACE_DELAY, .host = p->from, .conn = p->conn, .seg = p->seg, .pkt_id = p->id,
            .from = p->from, .to = wire_pkt_to(p), .sent_at = p->sent_at, .arrive_at = p->arrive_at,
            .marks = p->marks, .when = p->arrive_at, .text = "by hand",
        };
        world_emit(wd, &ev);
    }
    return 0;
}

uint64_t
wire_dup_id(struct world *wd, uint64_t id)
{
    struct wire_pkt *p = wire_find(wd, id);
    return p ? wire_duplicate(wd, p) : 0;
}

int
wire_rule_add(struct world *wd, const struct wire_rule *r)
{
    struct wire_rule *copy = malloc(sizeof *copy);
    if (!copy)
        return -1;
    *copy = *r;
    copy->id = wd->wire.next_rule_id++;
    copy->seen = 0;
    if (copy->nth < 1)
        copy->nth = 1;
    copy->next = NULL;
    struct wire_rule **pp = &wd->wire.rules;
    while (*pp)
        pp = &(*pp)->next;
    *pp = copy;
    wire_replan(wd);
    return copy->id;
}

int
wire_rule_remove(struct world *wd, int id)
{
    for (struct wire_rule **pp = &wd->wire.rules; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == id) {
            struct wire_rule *r = *pp;
            *pp = r->next;
            free(r);
            wire_replan(wd);
            return 0;
        }
    }
    return -1;
}
