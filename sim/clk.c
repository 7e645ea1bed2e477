/*
 * clk.c - the virtual clock: one binary min-heap of events ordered by (when, seq).
 *
 * Postponed events keep their old key until the clock would pop them by it (clk_settle), and
 * lanes hold events that come due in order outside the heap (see clk.h).
 *
 * Ordering ties by insertion number is what makes a run repeatable: two timers due at the same
 * nanosecond always fire in the order they were armed. Each event remembers its slot in the
 * heap, so re-arming and cancelling are O(log n) without searching.
 *
 * Entry points: clk_init, clk_lane_init, clk_arm, clk_lane_arm, clk_lane_arm_first, clk_cancel,
 * clk_peek, clk_pop, clk_advance, clk_fini.
 */
#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "tcpsim/clk.h"

int
clk_init(struct clk *c)
{
    c->now = 0;
    c->now_ms = 0;
    c->next_seq = 1;
    c->heap = NULL;
    c->len = 0;
    c->cap = 0;
    c->nlanes = 0;
    c->nbusy = 0;
    for (int i = 0; i < CLK_MAX_LANES; i++)
        c->lanes[i] = c->busy[i] = NULL;
    return 0;
}

void
clk_fini(struct clk *c)
{
    for (size_t i = 0; i < c->len; i++)
        c->heap[i]->slot = 0;
    for (int i = 0; i < c->nlanes; i++) {
        for (struct clk_event *e = c->lanes[i]->head; e; e = e->lnext)
            e->lane = NULL;
        c->lanes[i]->head = c->lanes[i]->tail = NULL;
        c->lanes[i]->busy = 0;
    }
    c->nlanes = 0;
    c->nbusy = 0;
    free(c->heap);
    c->heap = NULL;
    c->len = c->cap = 0;
}

void
clk_event_init(struct clk_event *e, clk_fire_fn fire, void *ctx)
{
    e->when = e->key_when = 0;
    e->seq = e->key_seq = 0;
    e->slot = 0;
    e->lane = NULL;
    e->lprev = e->lnext = NULL;
    e->fire = fire;
    e->ctx = ctx;
}

clk_time
clk_from_sec(double s)
{
    if (!(s > 0))
        return 0;
    if (s >= 9.2e9)
        return CLK_NEVER;
    return (clk_time)llround(s * (double)CLK_NSEC_PER_SEC);
}

/* Is the instant (aw, as) earlier than (bw, bs)? Time first, then insertion number. */
static inline bool
clk_earlier(clk_time aw, uint64_t as, clk_time bw, uint64_t bs)
{
    if (aw != bw)
        return aw < bw;
    return as < bs;
}

/* Is 'a' sorted before 'b' in the heap? (By their keys: a postponed event still sits under
   its old one.) */
static bool
clk_before(const struct clk_event *a, const struct clk_event *b)
{
    return clk_earlier(a->key_when, a->key_seq, b->key_when, b->key_seq);
}

/* Does 'a' fall due before 'b'? (By their real times.) */
static bool
clk_due_before(const struct clk_event *a, const struct clk_event *b)
{
    return clk_earlier(a->when, a->seq, b->when, b->seq);
}

/* Is the heap's event 'h' sorted before 'e' falls due? Nothing under 'h' in the heap is due
   before h's key, so when it is not, nothing in that part of the heap comes before 'e'. */
static bool
clk_key_before(const struct clk_event *h, const struct clk_event *e)
{
    return clk_earlier(h->key_when, h->key_seq, e->when, e->seq);
}

/* Is heap event 'e' postponed: sorted under a key earlier than its real (when, seq)? */
static bool
clk_postponed(const struct clk_event *e)
{
    return e->key_when != e->when || e->key_seq != e->seq;
}

static void
clk_place(struct clk *c, size_t i, struct clk_event *e)
{
    c->heap[i] = e;
    e->slot = i + 1;
}

static void
clk_sift_up(struct clk *c, size_t i)
{
    struct clk_event *e = c->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!clk_before(e, c->heap[parent]))
            break;
        clk_place(c, i, c->heap[parent]);
        i = parent;
    }
    clk_place(c, i, e);
}

static void
clk_sift_down(struct clk *c, size_t i)
{
    struct clk_event *e = c->heap[i];
    size_t len = c->len;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l >= len)
            break;
        const struct clk_event *best = e;
        if (clk_before(c->heap[l], best)) {
            m = l;
            best = c->heap[l];
        }
        if (l + 1 < len && clk_before(c->heap[l + 1], best))
            m = l + 1;
        if (m == i)
            break;
        clk_place(c, i, c->heap[m]);
        i = m;
    }
    clk_place(c, i, e);
}

/* Make the top exact: while it is a postponed event, move it down to the place its real
   (when, seq) gives it. Afterwards the top is the earliest event of the heap. */
static void
clk_settle(struct clk *c)
{
    while (c->len) {
        struct clk_event *top = c->heap[0];
        if (!clk_postponed(top))
            return;
        top->key_when = top->when;
        top->key_seq = top->seq;
        clk_sift_down(c, 0);
    }
}

/* Put 'e', not armed, in the heap under (when, seq). */
static int
clk_insert(struct clk *c, struct clk_event *e, clk_time when, uint64_t seq)
{
    if (c->len == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        struct clk_event **nh = realloc(c->heap, ncap * sizeof *nh);
        if (!nh)
            return -1;
        c->heap = nh;
        c->cap = ncap;
    }
    e->when = e->key_when = when;
    e->seq = e->key_seq = seq;
    clk_place(c, c->len++, e);
    clk_sift_up(c, c->len - 1);
    return 0;
}

/* Take the event in slot i out of the heap: the last event fills the slot and moves up or
   down to its place. */
static void
clk_remove(struct clk *c, size_t i)
{
    c->heap[i]->slot = 0;
    c->len--;
    if (i == c->len)
        return;
    clk_place(c, i, c->heap[c->len]);
    clk_sift_up(c, i);
    clk_sift_down(c, c->heap[i]->slot - 1);
}

/* Lane 'l' has just taken its first event: clk_pop looks at it from now on. */
static void
clk_lane_busy(struct clk *c, struct clk_lane *l)
{
    c->busy[c->nbusy++] = l;
    l->busy = c->nbusy;
}

/* Lane 'l' has just lost its last event: the last of the busy lanes takes its place. */
static void
clk_lane_idle(struct clk *c, struct clk_lane *l)
{
    struct clk_lane *last = c->busy[--c->nbusy];
    c->busy[l->busy - 1] = last;
    last->busy = l->busy;
    l->busy = 0;
}

static void
clk_lane_unlink(struct clk *c, struct clk_event *e)
{
    struct clk_lane *l = e->lane;
    if (e->lprev)
        e->lprev->lnext = e->lnext;
    else
        l->head = e->lnext;
    if (e->lnext)
        e->lnext->lprev = e->lprev;
    else
        l->tail = e->lprev;
    if (!l->head)
        clk_lane_idle(c, l);
    e->lane = NULL;
    e->lprev = e->lnext = NULL;
}

/* Take 'e', the head of its lane, off the lane: clk_lane_unlink with nothing before it, and
   without clearing e's own links, which mean nothing once it has left the lane. */
static void
clk_lane_shift(struct clk *c, struct clk_event *e)
{
    struct clk_lane *l = e->lane;
    l->head = e->lnext;
    if (l->head) {
        l->head->lprev = NULL;
    } else {
        l->tail = NULL;
        clk_lane_idle(c, l);
    }
    e->lane = NULL;
}

int
clk_arm_moved(struct clk *c, struct clk_event *e, clk_time when)
{
    assert(when >= c->now);
    if (e->lane)
        clk_lane_unlink(c, e); /* re-armed: it may no longer be in its lane's order */
    if (e->slot) {
        /* Re-arming takes a new insertion number: it is ordered as if armed now. */
        e->when = when;
        e->seq = c->next_seq++;
        if (when >= e->key_when)
            return 0; /* postponed: its old key still comes first, it moves when popped past */
        e->key_when = when; /* brought forward: a smaller key can only rise */
        e->key_seq = e->seq;
        clk_sift_up(c, e->slot - 1);
        return 0;
    }
    return clk_insert(c, e, when, c->next_seq++);
}

int
clk_lane_init(struct clk *c, struct clk_lane *l)
{
    l->head = l->tail = NULL;
    l->busy = 0;
    if (c->nlanes == CLK_MAX_LANES)
        return -1;
    c->lanes[c->nlanes++] = l;
    return 0;
}

int
clk_lane_arm_first(struct clk *c, struct clk_lane *l, int n, struct clk_event *e, clk_time when)
{
    assert(when >= c->now && !clk_armed(e));
    int i = 0;
    while (l[i].tail && when < l[i].tail->when)
        if (++i == n)
            return clk_insert(c, e, when, c->next_seq++); /* it overtakes every lane: the heap */
    struct clk_lane *in = &l[i];
    e->when = e->key_when = when; /* keys too: clk_pop compares lane heads with the heap's top */
    e->seq = e->key_seq = c->next_seq++;
    e->lane = in;
    e->lnext = NULL;
    e->lprev = in->tail;
    if (in->tail) {
        in->tail->lnext = e;
    } else {
        in->head = e;
        clk_lane_busy(c, in);
    }
    in->tail = e;
    return 0;
}

int
clk_lane_arm(struct clk *c, struct clk_lane *l, struct clk_event *e, clk_time when)
{
    return clk_lane_arm_first(c, l, 1, e, when);
}

void
clk_cancel(struct clk *c, struct clk_event *e)
{
    if (e->lane) {
        clk_lane_unlink(c, e);
        return;
    }
    if (e->slot)
        clk_remove(c, e->slot - 1);
}

/* The earliest of 'best' and the heads of the lanes that hold events, by their keys (a lane's
   events are never postponed: their keys are their real times). */
static inline struct clk_event *
clk_lanes_first(const struct clk *c, struct clk_event *best)
{
    if (c->nbusy == 0)
        return best;
    /* the first busy lane apart from the loop: usually the only one (both directions share
       the wire's first lane while their delays are equal, wire.h), and without the loop's
       counter world_step, which takes clk_pop inline, spends 4 instructions an event less */
    struct clk_event *h0 = c->busy[0]->head;
    if (!best || clk_before(h0, best))
        best = h0;
    for (int i = 1; i < c->nbusy; i++) {
        struct clk_event *h = c->busy[i]->head;
        if (!best || clk_before(h, best))
            best = h;
    }
    return best;
}

/* The earliest of 'best' and the events in the heap from slot i down. A part of the heap whose
   top is sorted no earlier than 'best' falls due no earlier, so only the postponed events
   sorted before the answer are looked at: the top and its children when the top is exact. */
static struct clk_event *
clk_heap_first(const struct clk *c, size_t i, struct clk_event *best)
{
    if (i >= c->len)
        return best;
    struct clk_event *h = c->heap[i];
    if (best && !clk_key_before(h, best))
        return best;
    if (!best || clk_due_before(h, best))
        best = h;
    best = clk_heap_first(c, 2 * i + 1, best);
    return clk_heap_first(c, 2 * i + 2, best);
}

void
clk_advance(struct clk *c, clk_time when)
{
    assert(when >= c->now);
    c->now = when;
    c->now_ms = (uint64_t)when / 1000000u; /* once per instant, not per segment stamped */
}

struct clk_event *
clk_peek(const struct clk *c)
{
    return clk_heap_first(c, 0, clk_lanes_first(c, NULL));
}

/* clk_pop when the heap's top comes first: it may be postponed, and is settled and looked at
   again. A loop, not a recursive call for the settled top. Apart from clk_pop, because it
   calls (clk_remove, clk_settle): a function that calls saves registers for its whole body,
   and clk_pop's common case needs none. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static struct clk_event *
clk_pop_heap(struct clk *c)
{
    for (;;) {
        /* First by key: the heap's top key is no later than anything in the heap. */
        struct clk_event *e = clk_lanes_first(c, c->len ? c->heap[0] : NULL);
        if (!e)
            return NULL;
        if (e->lane) {
            clk_lane_shift(c, e);
        } else if (!clk_postponed(e)) {
            clk_remove(c, 0);
        } else {
            clk_settle(c); /* a postponed top came first by its old key: move it, look again */
            continue;
        }
        if (e->when > c->now)
            clk_advance(c, e->when);
        return e;
    }
}

/* The common case, a lane's head first (a segment arriving), calls nothing and saves no
   register: world_step, its one caller, takes it inline, and the heap's case goes to
   clk_pop_heap. */
struct clk_event *
clk_pop(struct clk *c)
{
    struct clk_event *e;
    if (c->nbusy == 1 && c->len) {
        /* The commonest case of all, one busy lane and timers in the heap (a transfer: both
           directions share the wire's first lane, wire.h): the lane's head against the heap's
           top key, one comparison that also says which it is, where clk_lanes_first would
           ask whether there is a top and then whether the event it chose is in a lane. */
        e = c->busy[0]->head;
        if (!clk_before(e, c->heap[0]))
            return clk_pop_heap(c);
    } else {
        e = clk_lanes_first(c, c->len ? c->heap[0] : NULL);
        if (!e || !e->lane)
            return clk_pop_heap(c);
    }
    clk_lane_shift(c, e);
    if (e->when > c->now)
        clk_advance(c, e->when);
    return e;
}

void
clk_event_move(struct clk *c, struct clk_event *to, struct clk_event *from)
{
    *to = *from; /* its (when, seq) and key too: it fires where it would have */
    if (from->slot)
        c->heap[from->slot - 1] = to;
    if (from->lane) {
        if (from->lprev)
            from->lprev->lnext = to;
        else
            from->lane->head = to;
        if (from->lnext)
            from->lnext->lprev = to;
        else
            from->lane->tail = to;
    }
    from->slot = 0;
    from->lane = NULL;
    from->lprev = from->lnext = NULL;
}
