/*
 * out_track.h - what every output needs to remember about the sockets of a run, learnt from
 * the event stream alone (private to the out_*.c files).
 *
 * - each socket's current state and host (from TRACE_STATE events, keyed by conn id);
 * - for each direction of each 4-tuple: its ISN (the first SYN seen from that endpoint, as
 *   tcpdump does) and the socket that sends on it (from TRACE_SEND events), so a segment's
 *   sequence numbers can be shown relative and an arrival can be matched to its receiver.
 *
 * Life cycle: out_track_init() -> out_track_event() for each event, oldest first ->
 * lookups -> out_track_fini().
 */
#ifndef TCPSIM_OUT_TRACK_H
#define TCPSIM_OUT_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpsim/trace.h"

struct out_flow {
    uint32_t saddr, daddr;  /* the direction: from (saddr, sport) to (daddr, dport) */
    uint16_t sport, dport;
    bool used;              /* slot in use */
    bool has_isn;
    uint32_t isn;           /* SEQ of the last SYN seen in this direction */
    uint32_t conn;          /* the socket that sent on it, 0 unknown */
};

struct out_track {
    uint8_t *state;         /* by conn id: enum tcp_state + 1, 0 = never seen */
    int8_t *host;           /* by conn id: host index, -1 unknown */
    char (*name)[16];       /* by conn id: "A1", "" unknown (events lend theirs) */
    size_t nconn;           /* entries in state[] and host[] */
    struct out_flow *flow;  /* open addressing on the 4-tuple */
    size_t capflow, nflow;  /* capflow is 0 or a power of two */
};

void out_track_init(struct out_track *t);
void out_track_fini(struct out_track *t);
/* Learn from 'ev'; call before formatting it (a SYN's own SEQ is then relative 0). */
void out_track_event(struct out_track *t, const struct trace_event *ev);
/* The state of socket 'conn', or -1 when no event has told it. */
int out_track_state(const struct out_track *t, uint32_t conn);
/* The name of socket 'conn' ("B2"), or NULL when no event has told it. */
const char *out_track_name(const struct out_track *t, uint32_t conn);
/* The socket at the receiving end of segment event 'ev': its conn when that socket is on the
   receiving host (the engine gives a DELIVER the sender's conn), else the socket seen sending
   the other way on the same 4-tuple; 0 when unknown. */
uint32_t out_track_receiver(const struct out_track *t, const struct trace_event *ev);
/*
 * 's' with SEQ relative to its sender's ISN and ACK relative to its receiver's ISN. Each is
 * left absolute when its ISN is unknown; '*rel_seq' / '*rel_ack' say which were changed.
 */
void out_track_relative(const struct out_track *t, const struct tcp_seg *s, uint32_t *seq,
                        uint32_t *ack, bool *rel_seq, bool *rel_ack);

/* A growable string; on ENOMEM it stops growing (cut short, never wrong). */
struct out_sbuf {
    char *s;                /* NUL-terminated when len > 0 */
    size_t len, cap;
};
void out_sbuf_printf(struct out_sbuf *b, size_t max, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void out_sbuf_free(struct out_sbuf *b);

/* Small helpers shared by the writers. */
const char *out_host_name(int host);                 /* "A", "B", "-" */
/* "10.0.0.1" into 'buf' (16 octets at least). */
const char *out_addr_str(uint32_t addr, char *buf, size_t cap);
/* tcpdump's flag letters in its order (F S R P . U), "none" for no flags. */
const char *out_tcpdump_flags(uint8_t flags, char *buf, size_t cap);
/* Where a reader finds rule 'r': "RFC 9293 3.10.7.2", "RFC 5961 3.2", "Linux tcp_fin_timeout". */
const char *out_rule_cite(enum tcp_rule r, char *buf, size_t cap);
/* A JSON string on 'f' (RFC 8259 §7); 'html': also safe inside a page's <script> element. */
void out_json_str(FILE *f, const char *s, bool html);
/* The first 'n' octets of 's' (up to a NUL) as XML or HTML text: < > & " escaped, control
   characters as blanks. */
void out_xml_text(FILE *f, const char *s, size_t n);
/* "PSH,ACK 1:6 ack 1": the label of segment event 'ev', its numbers absolute or relative to
   the ISNs 'tr' knows (the ladder's arrows, the web page's). */
void out_seg_label(const struct out_track *tr, const struct trace_event *ev, bool absolute, char *buf, size_t cap);
/* Seconds with 6 decimals, from virtual nanoseconds: "0.050000". */
const char *out_time_str(clk_time t, char *buf, size_t cap);

#endif
