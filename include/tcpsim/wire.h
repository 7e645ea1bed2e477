/*
 * wire.h - the simulated network between host A (10.0.0.1) and host B (10.0.0.2).
 *
 * A segment sent by a host enters the wire, where it may be lost, duplicated, held back to be
 * overtaken (reordering), delayed, or matched by a scenario's rule; otherwise it arrives after
 * the link's delay (plus jitter and serialization time). While in flight a segment is a
 * wire_pkt with an id, so a scenario or the REPL can find it, drop it or delay it.
 * Crafted segments can be injected as if a host had sent them.
 *
 * The wire owns the segments in flight. A segment's payload is either the wire's own copy,
 * made when it was sent, or lent by the sender: a TCB's data segments point straight into its
 * send queue, which keeps those octets until they are acknowledged. A sender that is about to
 * reuse or free lent memory calls wire_recall() first, and the segments still in flight take
 * their own copy then (rarely: only a segment overtaken by its own retransmission, or one in
 * flight when its connection goes away). A delivered segment is lent to the receiving host for
 * the call and then freed, unless the receiver keeps it (wire_keep): a receive queue may hold
 * an in-order segment as it is, instead of copying its octets, until the application reads
 * them (wire_release). A kept segment stays in its lender's list, so a sender that recalls
 * its memory first makes the segment take its own copy, as for one in flight.
 */
#ifndef TCPSIM_WIRE_H
#define TCPSIM_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpsim/clk.h"
#include "tcpsim/seg.h"

struct world;
struct wire_pkt;
struct tcp_host;

/* The segments in flight whose payload a sender lent, sorted by SEG.SEQ. */
struct wire_lender {
    struct wire_pkt *head, *tail;
};

enum {
    WIRE_MARK_DUP = 1u << 0,       /* a copy made by the wire */
    WIRE_MARK_DELAYED = 1u << 1,   /* delayed by a rule or by hand */
    WIRE_MARK_REORDERED = 1u << 2, /* held back so a later segment passes it */
    WIRE_MARK_INJECTED = 1u << 3,  /* crafted by a scenario, not sent by a TCB */
};

struct wire_pkt {
    uint64_t id;             /* 1, 2, 3 ... in the order segments enter the wire */
    struct tcp_seg seg;      /* seg.data points at 'payload', or into the lender's memory */
    uint8_t *payload;        /* the wire's own copy, when it has one */
    uint32_t payload_cap;
    struct wire_lender *lender;     /* who lent seg.data, or NULL */
    struct wire_pkt *lprev, *lnext; /* in the lender's list (while lender is set) */
    int from;                /* the sending host's index (the other is wire_pkt_to) */
    struct tcp_host *dest;   /* &world->host[to]: wire_arrive reads it, one load where the
                                index costs five */
    clk_time sent_at;        /* when it left its host: its age is now - sent_at */
    clk_time arrive_at;      /* when it is due */
    unsigned marks;
    uint32_t conn;           /* the sending connection's id, 0 for none */
    bool kept;               /* delivered, and kept by a receive queue (wire_keep) */
    uint64_t kept_at;        /* then: its first octet's place in the receiver's stream */
    struct clk_event arrival;
    struct wire_pkt *next;   /* in the wire's pool, while free */
    struct world *world;
};

/* One direction of the wire. Its six settings (delay to bandwidth) are written by
   wire_link_set only, which keeps 'plain' true to them (wire_replan). */
struct wire_link {
    clk_time delay;          /* one-way propagation delay */
    clk_time jitter;         /* uniform extra delay in [0, jitter) */
    double loss;             /* probability a segment is lost */
    double dup;              /* probability it is duplicated */
    double reorder;          /* probability it is held until the next one passes it */
    uint64_t bandwidth;      /* bits per second; 0 = unlimited (no serialization delay) */
    clk_time busy_until;     /* serialization: when the link is free again */
    struct wire_pkt *held;   /* a segment held back for reordering */
    struct tcp_host *to;     /* the host at its far end (wire_pkt.dest of what it carries) */
    /* jitter, loss, dup, reorder and bandwidth all +0.0 or 0, no segment held, no rule and
       no observer: the wire delays a segment on this link by 'delay', does nothing else to it,
       and tells nobody. Asked for every packet (wire_plain), so kept here by wire_replan
       whenever one of them changes, rather than worked out from them each time */
    bool plain;
};

/* The index of the host 'p' goes to: the one it was not sent by. Asked, not stored: only the
   traces and the REPL read it, and the store cost 3 instructions a packet. */
static inline int
wire_pkt_to(const struct wire_pkt *p)
{
    return 1 - p->from;
}

/* Is 'p' in flight, due to arrive: neither delivered nor dropped yet? Exactly when its arrival
   is armed on the clock (wire_schedule arms it, the clock pops it as it arrives, a drop cancels
   it), so the clock's own record answers: a flag of its own, set and cleared for every
   segment, cost 3 instructions a data segment. */
static inline bool
wire_pkt_inflight(const struct wire_pkt *p)
{
    return clk_armed(&p->arrival);
}

enum wire_action { WIRE_DROP, WIRE_DELAY, WIRE_DUPLICATE };

/* A rule that matches segments as they enter the wire. */
struct wire_rule {
    int id;                  /* 1, 2, ... for `info`/deletion */
    int from;                /* host index, or -1 for either direction */
    uint8_t flags;           /* these flags must all be set */
    uint8_t flags_exact;     /* when nonzero, the flags must equal 'flags' exactly */
    bool has_seq;
    uint32_t seq;            /* match SEG.SEQ */
    int64_t len;             /* match payload length; -1 for any */
    int nth;                 /* act on the nth match (1 = first) */
    int count;               /* how many times to act; -1 = forever */
    int seen;                /* matches so far */
    enum wire_action action;
    clk_time by;             /* WIRE_DELAY: extra delay */
    struct wire_rule *next;
};

struct wire {
    struct wire_link link[2];     /* link[i]: segments sent by host i */
    /* Segments due in the order they were sent wait in clock lanes instead of the clock's
       heap: in the first lane they keep in order. With the same delay both ways (the usual
       case) that is the first lane for every segment, either way, and the clock looks at one
       lane per event; with two delays, mostly one lane each way. */
    struct clk_lane lanes[2];
    /* Every packet the wire has made, in flight or not: a few dozen, since freed packets are
       reused. wire_find and wire_inflight look among them for those in flight, which is
       cheaper than keeping a list in send order for every segment, when only a scenario or
       the REPL ever asks for it. */
    struct wire_pkt **made;
    size_t nmade, made_cap;
    uint64_t next_id;
    struct wire_rule *rules;
    int next_rule_id;
    struct wire_pkt *pool;        /* freed packets kept for reuse: neither in flight nor kept */
    struct wire_pkt *delivering;  /* the packet being handed to TCP now, or NULL */
    /* What wire_seg_new hands out when no packet can be made (out of memory): a TCB builds its
       segment there as anywhere, and wire_send_built loses it. */
    struct tcp_seg spare;
};

/* After clk_init: the wire's lanes join the world's clock. */
void wire_init(struct world *wd);
/* The link host 'from' sends on takes the six settings of 'settings' (delay, jitter, loss, dup,
   reorder, bandwidth; its other fields are ignored): the one writer of a link's settings (Lua's
   net:set, the REPL's `net set`, packetdrill's runner, the tests). A caller changes a copy:
       struct wire_link s = wd->wire.link[from]; s.loss = 0.1; wire_link_set(wd, from, &s); */
void wire_link_set(struct world *wd, int from, const struct wire_link *settings);
/* Works each link's 'plain' out anew: called by whatever changes what it depends on
   (wire_link_set, a held segment taken or let go, wire_rule_add and wire_rule_remove, and
   world_observe and world_unobserve for the observers). */
void wire_replan(struct world *wd);
void wire_fini(struct world *wd);

/* A host hands a segment to the wire (the payload is copied, here). 'conn' is the
   sending connection's id, 0 for a segment sent without a TCB (a reset from a closed port). */
void wire_send(struct world *wd, int from, const struct tcp_seg *seg, uint32_t conn);
/* A TCB's segments are built where the wire carries them, not copied there: wire_seg_new hands
   out the segment of a packet (uninitialised; never NULL: out of memory, a spare that the send
   then loses), which must then go to wire_send_built, as wire_send's would. With 'lender', the
   payload is lent, not copied: it must stay as it is until the segment is delivered or
   dropped, or until the sender calls wire_recall() for it; without, the wire copies it. */
struct tcp_seg *wire_seg_new(struct world *wd);
void wire_send_built(struct world *wd, int from, struct tcp_seg *seg, uint32_t conn,
                     struct wire_lender *lender);
/* wire_seg_new's way when the pool is empty (wire_seg_new is inlined, and calls it). */
struct tcp_seg *wire_seg_make(struct world *wd);
/* The sender wants back the memory of the segments it lent whose SEG.SEQ is below 'below'
   (modulo 2^32): they take their own copy of their payload. */
void wire_recall(struct world *wd, struct wire_lender *l, uint32_t below);
/* ... and of every segment it lent. */
void wire_recall_all(struct world *wd, struct wire_lender *l);
/* Segments shorter than this are copied by the receiver, not kept: keeping costs a packet, and
   a stream of tiny segments would hold thousands. */
#define WIRE_KEEP_MIN 512
/* The segment 'seg' that the wire is delivering now, kept past its delivery with its payload
   (the packet is the receiver's until wire_release); NULL, and nothing kept, when 'seg' is
   not being delivered by the wire, is shorter than WIRE_KEEP_MIN, or there is no memory for
   the copy a recall would need (reserved now, so that a recall cannot fail later). */
struct wire_pkt *wire_keep(struct world *wd, const struct tcp_seg *seg);
/* The receiver is done with a kept packet. */
void wire_release(struct world *wd, struct wire_pkt *p);
/* A crafted segment, as if host 'from' had sent it; bypasses loss and rules. Returns its id. */
uint64_t wire_inject(struct world *wd, int from, const struct tcp_seg *seg);

/* Segments in flight: the one with this id, or NULL. */
struct wire_pkt *wire_find(struct world *wd, uint64_t id);
/* All of them, in the order they were sent (by id); '*n' is how many. The array is the wire's,
   valid until the wire next changes. */
struct wire_pkt *const *wire_inflight(struct world *wd, size_t *n);
/* Drop a segment in flight by id; 0, or -1 when no such segment. */
int wire_drop_id(struct world *wd, uint64_t id, const char *why);
/* Delay a segment in flight by 'by' more; 0 or -1. */
int wire_delay_id(struct world *wd, uint64_t id, clk_time by);
/* Duplicate a segment in flight (the copy arrives with it); new id, or 0 when none. */
uint64_t wire_dup_id(struct world *wd, uint64_t id);

/* Rules: the world takes a copy of 'r'; returns its id (or -1 on ENOMEM). */
int wire_rule_add(struct world *wd, const struct wire_rule *r);
int wire_rule_remove(struct world *wd, int id);

#endif
