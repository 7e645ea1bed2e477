/*
 * clk.h - the virtual clock and its one event queue.
 *
 * Time in tcpsim is an integer count of nanoseconds since the world began. Nothing reads the
 * wall clock. Every future happening (a segment arriving, a timer expiring) is a clk_event in
 * one binary heap ordered by (time, insertion sequence), so two events due at the same instant
 * always fire in the order they were armed, run after run.
 *
 * Life cycle of an event: clk_event_init() once; clk_arm() to schedule or re-schedule it
 * (O(log n)); clk_cancel() to take it out (O(log n)); clk_pop() hands back the earliest one and
 * moves the clock to its time. The owner of a clk_event (a connection, a segment in flight)
 * must cancel it before freeing it.
 *
 * Postponing is free. A retransmission timer is pushed later on every ACK; re-sorting the heap
 * each time would be most of the clock's work. So re-arming an event to a later time only
 * records the new (when, seq) and leaves the event where it sits, under its old key; when the
 * old key reaches the top of the heap, the event moves down to its real place. Because the
 * postponed event took its insertion number when it was re-armed, events fire in exactly the
 * order a strict re-sort would give. The top of the heap is never a postponed event, so
 * clk_peek() is always right.
 *
 * Taking a place in line: clk_ticket() hands out an insertion number now, and
 * clk_arm_ticket() arms an event later with that number, as if it had been armed when the
 * ticket was taken. The wire uses it to keep a link's segments in a FIFO with only the first in
 * the heap, without changing the order in which anything fires.
 */
#ifndef TCPSIM_CLK_H
#define TCPSIM_CLK_H

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

struct clk_event {
    clk_time when;    /* when it is due (valid while armed) */
    uint64_t seq;     /* insertion order, breaks ties between equal 'when' */
    clk_time key_when; /* the key it is sorted under in the heap: (when, seq), or an earlier */
    uint64_t key_seq;  /* (key_when, key_seq) while it is postponed */
    size_t slot;      /* position in the heap + 1; 0 when not armed */
    clk_fire_fn fire; /* called by the world when the event is popped */
    void *ctx;        /* handed to 'fire' */
};

struct clk {
    clk_time now;            /* the present instant */
    uint64_t next_seq;       /* next insertion number */
    struct clk_event **heap; /* min-heap on (when, seq) */
    size_t len, cap;
};

int clk_init(struct clk *c);
void clk_fini(struct clk *c);

void clk_event_init(struct clk_event *e, clk_fire_fn fire, void *ctx);
/* Schedule 'e' at absolute time 'when' (>= now); re-arms it if already armed (to a later time:
   O(1), see "Postponing" above). 0 or -1 (ENOMEM). */
int clk_arm(struct clk *c, struct clk_event *e, clk_time when);
/* An insertion number taken now, for clk_arm_ticket(). */
static inline uint64_t clk_ticket(struct clk *c) { return c->next_seq++; }
/* Schedule 'e' (not armed) at 'when' as if it had been armed when 'ticket' was taken. */
int clk_arm_ticket(struct clk *c, struct clk_event *e, clk_time when, uint64_t ticket);
/* Take 'e' out of the queue; a no-op when it is not armed. */
void clk_cancel(struct clk *c, struct clk_event *e);
static inline bool clk_armed(const struct clk_event *e) { return e->slot != 0; }
/* The earliest event, or NULL. */
struct clk_event *clk_peek(const struct clk *c);
/* Remove the earliest event and advance 'now' to its time; NULL when the queue is empty. */
struct clk_event *clk_pop(struct clk *c);

/* Seconds as a double, for people; never used for arithmetic inside the engine. */
static inline double clk_to_sec(clk_time t) { return (double)t / (double)CLK_NSEC_PER_SEC; }
clk_time clk_from_sec(double s);

#endif
