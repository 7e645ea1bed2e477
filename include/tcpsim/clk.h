/*
 * clk.h - the virtual clock and its one event queue.
 *
 * Time in tcpsim is an integer count of nanoseconds since the world began. Nothing reads the
 * wall clock. Every future happening (a segment arriving, a timer expiring) is a clk_event in
 * one binary heap ordered by (time, insertion sequence), so two events due at the same instant
 * always fire in the order they were armed, run after run.
 *
 * Life cycle of an event: clk_event_init() once; clk_arm() to schedule or re-schedule it
 * (O(log n); O(1) to a later time); clk_cancel() to take it out (O(log n)); clk_pop() hands
 * back the earliest one and moves the clock to its time. The owner of a clk_event (a
 * connection, a segment in flight) must cancel it before freeing it.
 *
 * Lanes: events known to fall due in the order they are armed (segments on a link with a
 * constant delay) need no heap. clk_lane_arm() appends such an event to a lane, a FIFO, when
 * it is due no earlier than the lane's last one, and clk_pop() takes the earliest of the heap's
 * top and the heads of the lanes that hold something (the clock keeps a list of those, so an
 * empty lane costs a pop nothing). An event armed out of order goes to the heap instead;
 * clk_lane_arm_first() tries several lanes in turn first. An event in a lane that is re-armed
 * or cancelled leaves it. Every event still takes its insertion number when armed, so the
 * order in which events fire is the same as with the heap alone.
 *
 * Postponing is free. A retransmission timer is pushed later on every ACK, a delayed-ACK timer
 * on every second segment; re-sorting the heap each time would be most of the clock's work. So
 * re-arming an event to a later time only records the new (when, seq) and leaves the event
 * where it sits, under its old key, even at the top of the heap. An event's key is never later
 * than its real time and the heap is ordered by keys, so the top's key is a bound: nothing in
 * the heap falls due before it. clk_pop() looks into the heap only when that bound comes
 * before every lane's head; it then settles the top (a postponed event there moves down to the
 * place its real (when, seq) gives it, until the top is exact) and compares again. clk_peek(),
 * which changes nothing, looks instead at the few events sorted before its answer. Because the
 * postponed event took its insertion number when it was re-armed, events fire in exactly the
 * order a strict re-sort would give.
 */
#ifndef TCPSIM_CLK_H
#define TCPSIM_CLK_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t clk_time; /* virtual nanoseconds */

#define CLK_NSEC_PER_SEC 1000000000LL
#define CLK_MSEC(ms) ((clk_time)(ms) * 1000000LL)
#define CLK_SEC(s) ((clk_time)(s) * CLK_NSEC_PER_SEC)
#define CLK_NEVER INT64_MAX

struct clk_event;
typedef void (*clk_fire_fn)(struct clk_event *ev, void *ctx);

struct clk_lane;

struct clk_event {
    clk_time when;    /* when it is due (valid while armed) */
    uint64_t seq;     /* insertion order, breaks ties between equal 'when' */
    clk_time key_when; /* the key it is sorted under in the heap: (when, seq), or an earlier */
    uint64_t key_seq;  /* (key_when, key_seq) while it is postponed */
    size_t slot;      /* position in the heap + 1; 0 when not in the heap */
    struct clk_lane *lane;           /* the lane it waits in, or NULL */
    struct clk_event *lprev, *lnext; /* its neighbours in the lane (while 'lane' is set) */
    clk_fire_fn fire; /* called by the world when the event is popped */
    void *ctx;        /* handed to 'fire' */
};

/* A FIFO of armed events, each due no earlier than the one before it. */
struct clk_lane {
    struct clk_event *head, *tail;
    int busy;         /* its place in the clock's 'busy' + 1 while it holds events, else 0 */
};

#define CLK_MAX_LANES 4

struct clk {
    clk_time now;            /* the present instant (moved only by clk_pop and clk_advance) */
    uint64_t now_ms;         /* now in whole milliseconds: TCP's timestamps read it on every
                                segment, and the clock moves far less often than that */
    uint64_t next_seq;       /* next insertion number */
    struct clk_event **heap; /* min-heap on (when, seq) */
    size_t len, cap;
    struct clk_lane *lanes[CLK_MAX_LANES];
    int nlanes;
    /* The lanes that hold events, in no order: the only ones clk_pop looks at. */
    struct clk_lane *busy[CLK_MAX_LANES];
    int nbusy;
};

int clk_init(struct clk *c);
void clk_fini(struct clk *c);

void clk_event_init(struct clk_event *e, clk_fire_fn fire, void *ctx);
/* clk_arm's every case but a postponement (below). */
int clk_arm_moved(struct clk *c, struct clk_event *e, clk_time when);
/* Schedule 'e' at absolute time 'when' (>= now); re-arms it if already armed (to a later time:
   O(1), see "Postponing" above). 0 or -1 (ENOMEM). A postponement is inline: a delayed-ACK
   timer is pushed later every second segment, and the call cost as much as the work. */
static inline int
clk_arm(struct clk *c, struct clk_event *e, clk_time when)
{
    assert(when >= c->now);
    if (e->slot && when >= e->key_when) {
        /* in the heap, pushed later: a new insertion number, its old key kept */
        e->when = when;
        e->seq = c->next_seq++;
        return 0;
    }
    return clk_arm_moved(c, e, when);
}
/* Make 'l' one of the clock's lanes (at most CLK_MAX_LANES); 0 or -1. The lane must outlive
   the clock's use of it. */
int clk_lane_init(struct clk *c, struct clk_lane *l);
/* Arm 'e' (not armed) at 'when': at the end of lane 'l' when that keeps the lane in order,
   otherwise in the heap. 0 or -1 (ENOMEM). */
int clk_lane_arm(struct clk *c, struct clk_lane *l, struct clk_event *e, clk_time when);
/* The same with 'n' lanes l[0..n): at the end of the first that it keeps in order (an empty one
   always does), otherwise in the heap. */
int clk_lane_arm_first(struct clk *c, struct clk_lane *l, int n, struct clk_event *e, clk_time when);
/* Take 'e' out of the queue (heap or lane); a no-op when it is not armed. */
void clk_cancel(struct clk *c, struct clk_event *e);
static inline bool clk_armed(const struct clk_event *e) { return e->slot != 0 || e->lane != NULL; }
/* Move event 'from' to the memory at 'to', armed or not, in its place in the queue: it fires
   exactly as it would have (a TIME-WAIT's 2MSL timer passing between its TCB and its small
   form, tcp_tw.c). 'to' gets 'from's fire and ctx, for the caller to change; 'from' is left
   unarmed. */
void clk_event_move(struct clk *c, struct clk_event *to, struct clk_event *from);
/* Move the present to 'when' (no earlier than now), with no event: a run paused there. */
void clk_advance(struct clk *c, clk_time when);
/* The earliest event (in the heap or a lane), or NULL. */
struct clk_event *clk_peek(const struct clk *c);
/* Remove the earliest event and advance 'now' to its time; NULL when the queue is empty. */
struct clk_event *clk_pop(struct clk *c);

/* Seconds as a double, for people; never used for arithmetic inside the engine. */
static inline double clk_to_sec(clk_time t) { return (double)t / (double)CLK_NSEC_PER_SEC; }
clk_time clk_from_sec(double s);

#endif
