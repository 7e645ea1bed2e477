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
    bool tcb;   /* it reads the events' TCB (has_tcb, tcb) */
};

/*
 * trace_log: an observer that keeps a copy of the recent events (payloads excluded, texts
 * copied), for the Lua trace table, the REPL and the pictures drawn after a run.
 *
 * Memory stays flat in the length of a run: with a window of N events the log keeps at least
 * the last N and at most 2N (it drops the older N at once when it reaches 2N). The records
 * are a ring (of 2N rounded up to a power of two), so that dropping copies nothing. A window of 0 keeps every event. Texts
 * are interned: the few distinct ones ("A1", "send 65536") are stored once, not once an event.
 * What the whole run did (the transitions and rules of each host) is kept in 'seen', however
 * small the window: goals and coverage read it. Positions that must survive a drop are counted
 * from the start of the log (trace_log_end, trace_log_index), never as indexes into the log.
 *
 * Records are kept compact (struct trace_rec, 112 octets where a struct trace_event takes
 * 264): what most events carry is packed, and the rare rest (SACK blocks, a copy's original,
 * a delay, a drop's reason) goes beside, in 'xs', with the whole event. Readers see the events
 * through trace_log_get, which rebuilds a struct trace_event; trace_log_kind and trace_log_n
 * read a record without rebuilding it.
 */
#define TRACE_LOG_HOSTS 2 /* the hosts 'seen' tells apart: A and B (WORLD_HOSTS) */

struct trace_seen {
    bool edge[TCP_STATE_COUNT][TCP_STATE_COUNT]; /* a STATE event went from -> to */
    bool rule[TCP_RULE_COUNT];                   /* a STATE or RULE event named the rule */
};

/* One event as the log keeps it. A segment event's header and options are packed in 'seg';
   another's expiry (timers), text (calls, narration) and error in 'other'. An event that does not fit (trace.c, trace_rec_fits) is
   kept whole in the log's 'xs', and 'x' says where. */
struct trace_rec {
    uint64_t n;
    clk_time t;
    const char *conn_name;  /* interned */
    uint32_t conn;
    uint32_t x;             /* 1 + index in the log's 'xs' of the whole event; 0: packed here */
    uint32_t tcb;           /* 1 + index in the log's 'tcbs' of the TCB then; 0: none kept */
    uint16_t rule;
    uint8_t kind, from_state, to_state, timer, marks, flags;
    int8_t host, from, to;
    union {
        /* the header's fields in runs of the order struct tcp_seg has them (saddr to ack,
           wnd to wscale, tsval and tsecr), so that the compiler copies each run in a few wide
           moves */
        struct trace_rec_seg {
            uint64_t pkt_id;
            clk_time sent_at, arrive_at;
            uint32_t saddr, daddr;
            uint16_t sport, dport;
            uint32_t seq, ack;
            uint32_t tsval, tsecr;
            uint32_t len;
            uint16_t wnd, up, mss;
            uint8_t present, wscale;
        } seg;
        struct {
            clk_time when;
            const char *text; /* interned */
            int32_t err;
        } other;
    } u;
};

/* A growable array beside the records ('xs', 'tcbs'), trimmed with them. */
struct trace_side {
    void *a;
    size_t len, cap;
};

struct trace_log {
    struct trace_rec *rec;  /* a ring of 'cap' (0 or a power of two) records: the events kept,
                               oldest at 'head' (read them with trace_log_get) */
    size_t head, len, cap;
    size_t room;            /* the length at which the next event must first drop the window's
                               older half or grow the ring: min(cap, 2 window), one test of
                               each event for the two */
    uint64_t dropped;       /* events logged before rec[0] and dropped by the window */
    size_t window;          /* keep at least the last 'window' events; 0: every event */
    bool keep_tcb;          /* keep each event's TCB (the REPL's `save html` draws it); on
                               by default, off for a scenario's log, whose readers do not */
    struct trace_side xs;   /* struct trace_event: the events a record cannot hold */
    struct trace_side tcbs; /* struct trace_tcb: the TCBs kept */
    char **texts;           /* the interned texts (open addressing; NULL = empty slot) */
    size_t ntexts, captexts;
    const char *last;       /* the text interned last: most events name the same socket as
                               the one before */
    uint32_t last_conn;     /* ... and the connection named last, with its name given and kept */
    const char *last_conn_src, *last_conn_name;
    struct trace_seen seen[TRACE_LOG_HOSTS];
};

void trace_log_init(struct trace_log *log);
void trace_log_fini(struct trace_log *log);
void trace_log_clear(struct trace_log *log);
/* Keep at least the last 'window' events from now on (0: every event). */
void trace_log_set_window(struct trace_log *log, size_t window);
/* Keep each event's TCB (has_tcb, tcb) or not (the default: kept). */
void trace_log_set_keep_tcb(struct trace_log *log, bool keep);
/* The observer callback; 'ctx' is the trace_log. */
void trace_log_observe(const struct trace_event *ev, void *ctx);

/* What every event has, as trace_log_seg and trace_log_conn are given it. */
struct trace_head {
    enum trace_kind kind;
    uint64_t n;
    clk_time t;
    int host;
    uint32_t conn;
    const char *conn_name;
};

/*
 * A segment event (SEND, DELIVER, DROP, DUP, DELAY) as the wire has it, for trace_log_seg: the
 * fields of struct trace_event such an event carries, the segment by pointer. The others are
 * those wire_event gives every segment event: orig_id, when, text, err, rule and timer 0,
 * from_state and to_state both 'state', no TCB.
 */
struct trace_seg_event {
    struct trace_head h;
    enum tcp_state state;
    const struct tcp_seg *seg;
    uint64_t pkt_id;
    int from, to;
    clk_time sent_at, arrive_at;
    unsigned marks;
};

/* Log a segment event straight into a record, with no struct trace_event built: while a
   scenario's log is the only observer (the world's 'log_only'), each segment sent and each
   delivered comes this way. The log then holds what trace_log_observe would have made of the
   event wire_event builds from the same fields. false, with nothing logged, when a record
   cannot hold the event (SACK blocks, a field too large for its slot): the caller builds it. */
bool trace_log_seg(struct trace_log *log, const struct trace_seg_event *e);

/*
 * An event of a connection that carries no segment and no text (STATE, RULE and the timers'),
 * for trace_log_conn: the fields of struct trace_event it carries; the others are zero, and
 * no TCB.
 */
struct trace_conn_event {
    struct trace_head h;
    enum tcp_state from_state, to_state;
    enum tcp_rule rule;
    enum tcp_timer timer;
    clk_time when;
};

/* The same as trace_log_seg for such an event (the rule notes, the timers' events). */
bool trace_log_conn(struct trace_log *log, const struct trace_conn_event *e);

/* The event at index 'i' (< log->len), rebuilt from its record: the payload is not kept
   (seg.data NULL), the texts point into the log. */
struct trace_event trace_log_get(const struct trace_log *log, size_t i);

/* The record of the event at index 'i' (< log->len). */
static inline const struct trace_rec *
trace_log_rec(const struct trace_log *log, size_t i)
{
    return &log->rec[(log->head + i) & (log->cap - 1)];
}

static inline enum trace_kind
trace_log_kind(const struct trace_log *log, size_t i)
{
    return (enum trace_kind)trace_log_rec(log, i)->kind;
}

static inline uint64_t
trace_log_n(const struct trace_log *log, size_t i)
{
    return trace_log_rec(log, i)->n;
}

static inline clk_time
trace_log_t(const struct trace_log *log, size_t i)
{
    return trace_log_rec(log, i)->t;
}

/* Events logged so far, dropped ones included: a position that survives a drop. */
static inline uint64_t
trace_log_end(const struct trace_log *log)
{
    return log->dropped + log->len;
}

/* The index in the log of position 'pos' (from trace_log_end); 0 when it was dropped. */
static inline size_t
trace_log_index(const struct trace_log *log, uint64_t pos)
{
    return pos <= log->dropped ? 0 : (size_t)(pos - log->dropped);
}

#endif
