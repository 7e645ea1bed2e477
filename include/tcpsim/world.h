/*
 * world.h - a simulated world: two hosts, the wire between them, the clock, the PRNG, the
 * connections and the observers of the event stream. It owns all of them.
 *
 * Life cycle: world_new(cfg) -> (user calls, world_step / world_run_*) -> world_free().
 * Everything a run does is decided by the configuration and the seed: the same calls on the
 * same configuration give the same event stream, byte for byte.
 *
 * How one event flows: world_step() pops the earliest clk_event; a segment's arrival calls
 * tcp_input() on its host, which may change state (tcp_set_state), send segments (wire_send,
 * which schedules their arrival on the clock) and arm timers (clk_arm); each of those reports
 * an event to the observers through world_emit().
 */
#ifndef TCPSIM_WORLD_H
#define TCPSIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpsim/clk.h"
#include "tcpsim/rng.h"
#include "tcpsim/tcp.h"
#include "tcpsim/trace.h"
#include "tcpsim/wire.h"

#define WORLD_HOSTS 2
#define WORLD_MAX_OBSERVERS 8

struct world_config {
    uint64_t seed;
    enum tcp_preset preset;
};

struct world {
    struct clk clk;
    struct rng rng;
    struct wire wire;
    struct tcp_host host[WORLD_HOSTS];
    uint64_t seed;
    enum tcp_preset preset;

    struct tcp_pool pool;        /* ring memory of deleted connections, for new ones */
    struct tcp_timers *timer_pool; /* timer blocks of deleted connections, for new ones */
    struct tcp_timers timers_none; /* what a deleted connection points to: none ever armed */
    struct tcp_conn **conns;     /* every connection ever made, by id (index id-1); NULL: the
                                    TCB gave way to its record in recs (world_compact) */
    uint32_t nconns, capconns;
    /* A world that keeps many connections (lsim's) keeps a closed one as its record
       (struct tcp_rec, tcp_rec.c) once nothing needs the TCB: recs[id - 1]; and a TIME-WAIT
       its program has closed in its small form (struct tcp_tw, tcp_tw.c), its record then
       marked 'tw'. The connections that may be ready are listed in 'retire' (deleted,
       released by the program, entering TIME-WAIT, or made again from their record or small
       form for a reader) until world_retire looks at them. */
    bool compact;
    struct tcp_rec *recs;        /* capconns of them, while 'compact' */
    uint32_t *retire;
    uint32_t nretire, capretire;
    /* Each host's connections by serial, the number in their name ("A12": host A's 12th):
       the id of each, so that a name is found without a walk through every connection ever
       made (world_conn_by_name, host:sockets()). */
    struct world_serials {
        uint32_t *id;            /* id[serial - 1] */
        uint32_t n, cap;
    } serials[WORLD_HOSTS];

    struct trace_observer obs[WORLD_MAX_OBSERVERS];
    int nobs;
    int nobs_tcb;                /* the observers among them that read the events' TCB */
    struct trace_log *log_only;  /* the only observer, when it is a trace_log that reads no TCB
                                    (a scenario's): segment events go straight into its records
                                    (trace_log_seg), no struct trace_event built */
    uint64_t nevents;            /* events emitted so far */
    uint64_t steps;              /* clock events processed */
};

struct world *world_new(const struct world_config *cfg);
void world_free(struct world *w);
/* Re-apply a preset to both hosts' settings (before anything is opened). */
void world_set_preset(struct world *w, enum tcp_preset p);
/* Re-seed the PRNG. */
void world_set_seed(struct world *w, uint64_t seed);

int world_observe(struct world *w, trace_fn fn, void *ctx);
/* The same for an observer that never reads the events' TCB: while only such observers
   listen, the world does not copy the TCB into each event. */
int world_observe_no_tcb(struct world *w, trace_fn fn, void *ctx);
void world_unobserve(struct world *w, trace_fn fn, void *ctx);
/* Is anyone listening? Callers test this before building an event. */
static inline bool world_traced(const struct world *w) { return w->nobs > 0; }
/* Stamp 'ev' with time and number and hand it to every observer. */
void world_emit(struct world *w, struct trace_event *ev);
/* While a scenario's log is the only observer (the caller has seen log_only set): the event
   goes straight into its record, numbered and timed as world_emit would, with no struct
   trace_event built. false, with nothing emitted, when a record cannot hold the event: the
   caller then builds it for world_emit. */
static inline bool
world_log_seg(struct world *w, struct trace_seg_event *e)
{
    e->h.n = w->nevents + 1;
    e->h.t = w->clk.now;
    if (!trace_log_seg(w->log_only, e))
        return false;
    w->nevents++;
    return true;
}
static inline bool
world_log_conn(struct world *w, struct trace_conn_event *e)
{
    e->h.n = w->nevents + 1;
    e->h.t = w->clk.now;
    if (!trace_log_conn(w->log_only, e))
        return false;
    w->nevents++;
    return true;
}
/* Narration from a scenario. */
void world_say(struct world *w, const char *text);

static inline clk_time world_now(const struct world *w) { return w->clk.now; }
/* Process exactly one event. false when nothing is scheduled. */
bool world_step(struct world *w);
/* Time of the next event, or CLK_NEVER. */
clk_time world_next_time(const struct world *w);
/* Process every event up to and including time 'until', then set the clock to 'until'. */
void world_run_until_time(struct world *w, clk_time until);
/* Run until nothing is scheduled, or 'limit' is reached; returns the number of steps. */
uint64_t world_run_idle(struct world *w, clk_time limit);

/* Connection registry. world_conn makes a TCB that gave way to its record again (CLOSED), or
   to its small form (in TIME-WAIT), for its reader (world_conn_reopen): the pointer is good
   until the next world_retire. Inline:
   a traced event looks its connection up. */
struct tcp_conn *world_conn_reopen(struct world *w, uint32_t id);
static inline struct tcp_conn *world_conn(struct world *w, uint32_t id)
{
    if (id == 0 || id > w->nconns)
        return NULL;
    struct tcp_conn *c = w->conns[id - 1];
    return c ? c : world_conn_reopen(w, id);
}
struct tcp_conn *world_conn_by_name(struct world *w, const char *name);
/* Host by name ("A", "b") or address; NULL when unknown. */
struct tcp_host *world_host(struct world *w, const char *name);

/* Used by tcp_*.c: allocate a connection on host 'h' and register it. */
struct tcp_conn *world_conn_new(struct world *w, struct tcp_host *h);

/* Keep closed connections as records (a world with many; lsim's). Its owner then calls
   world_retire where it holds no pointer to a connection (lsim_step, before each event):
   every TCB listed whose connection is over (tcp_rec_ready) gives way to its record, every
   TIME-WAIT its program has closed to its small form (tcp_tw_ready), and a pointer to it is
   no longer good. 0, or -1 when out of memory. */
int world_compact(struct world *w);
void world_retire(struct world *w);
/* Used by tcp_*.c: 'c' may be over (deleted, or released by its program): list it. */
void world_retire_later(struct world *w, const struct tcp_conn *c);

#endif
