/*
 * trace.h - the one event stream: everything that happens in a world, in order.
 *
 * Every output (the traces, the ladder, the capture, the REPL's views, the Lua trace table,
 * coverage) is drawn from this stream, so they never disagree. An observer is a callback the
 * world calls for each event; with no observer the engine builds no event at all, so tracing
 * costs nothing when nobody listens.
 *
 * The event is borrowed for the duration of the callback: pointers in it (the payload, texts)
 * must be copied by an observer that keeps them. trace_log is such an observer: it keeps a copy
 * of every event for later reading.
 */
#ifndef TCPSIM_TRACE_H
#define TCPSIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpsim/clk.h"
#include "tcpsim/seg.h"
#include "tcpsim/tcp.h"

enum trace_kind {
    TRACE_SEND,         /* a segment leaves a host and enters the wire */
    TRACE_DELIVER,      /* a segment arrives at a host */
    TRACE_DROP,         /* the wire lost or dropped a segment ('text' says why) */
    TRACE_DUP,          /* the wire duplicated a segment ('pkt_id' is the copy, 'orig_id' the original) */
    TRACE_DELAY,        /* a segment in flight was delayed ('when' = new arrival time) */
    TRACE_STATE,        /* a connection changed state ('rule' says why) */
    TRACE_RULE,         /* a rule acted on a segment without a state change (RST, challenge ACK, drop) */
    TRACE_TIMER_ARM,    /* a timer was armed ('when' = expiry) */
    TRACE_TIMER_CANCEL, /* a timer was cancelled */
    TRACE_TIMER_FIRE,   /* a timer expired */
    TRACE_CALL,         /* a user call and its result ('text' = the call, 'err') */
    TRACE_SAY,          /* narration from a scenario ('text') */
    TRACE_KIND_COUNT
};

const char *trace_kind_name(enum trace_kind k); /* "send", "deliver", ... */

/* The TCB variables a reader follows (RFC 9293 §3.3.1, RFC 6298 §2), copied from a connection
   as it stood when an event naming it was emitted. */
struct trace_tcb {
    uint32_t snd_una, snd_nxt, snd_wnd, iss;
    uint32_t rcv_nxt, rcv_wnd, irs;
    clk_time rto, srtt;      /* srtt 0: no sample yet */
};

struct trace_event {
    enum trace_kind kind;
    uint64_t n;              /* position in the stream, from 1 */
    clk_time t;              /* when it happened */
    int host;                /* the host concerned: 0 A, 1 B, -1 none */
    uint32_t conn;           /* socket id (struct tcp_conn.id), 0 for none: for segment events
                                the sender, but for DELIVER the receiving connection */
    const char *conn_name;   /* "A1", or NULL */

    /* Segment events (SEND, DELIVER, DROP, DUP, DELAY). */
    struct tcp_seg seg;      /* header and borrowed payload */
    uint64_t pkt_id;         /* the segment's id on the wire */
    uint64_t orig_id;        /* DUP: the segment copied */
    int from, to;            /* host indexes */
    clk_time sent_at;        /* when the segment left its host */
    clk_time arrive_at;      /* when it is due to arrive */
    unsigned marks;          /* WIRE_MARK_* of the segment */

    /* STATE and RULE events: the transition. Segment events: the state of 'conn' then. */
    enum tcp_state from_state, to_state;
    enum tcp_rule rule;

    /* Timer events. */
    enum tcp_timer timer;
    clk_time when;

    /* CALL: 'text' is the call ("connect 10.0.0.2:80"), 'err' its result. SAY, DROP: 'text'. */
    const char *text;
    enum tcp_err err;

    /* Every event naming a connection ('conn' != 0): its TCB then, filled by world_emit, so
       an output can show the variables at any point of a run without reading the engine. */
    bool has_tcb;
    struct trace_tcb tcb;
};

typedef void (*trace_fn)(const struct trace_event *ev, void *ctx);

struct trace_observer {
    trace_fn fn;
    void *ctx;
};

/*
 * trace_log: an observer that keeps a copy of every event (payloads excluded, texts copied),
 * for the Lua trace table, the REPL and the outputs written after a run.
 */
struct trace_log {
    struct trace_event *ev;
    size_t len, cap;
    char **texts;           /* owned copies of every 'text' and 'conn_name' */
    size_t ntexts, captexts;
};

void trace_log_init(struct trace_log *log);
void trace_log_fini(struct trace_log *log);
void trace_log_clear(struct trace_log *log);
/* The observer callback; 'ctx' is the trace_log. */
void trace_log_observe(const struct trace_event *ev, void *ctx);

#endif
