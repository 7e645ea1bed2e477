/*
 * fixture.h - building worlds and connections for the cmocka tests.
 *
 * Every fixture reaches its state through real events (calls, segments, timers), never by
 * writing a TCB by hand, so a fixture cannot drift from what the engine does. The trace_log
 * records everything; the fx_sent* helpers read what was sent since the last fx_mark().
 */
#ifndef TCPSIM_TEST_FIXTURE_H
#define TCPSIM_TEST_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpsim/tcpsim.h"

#define FX_A 0
#define FX_B 1
#define FX_CPORT 40000 /* A's port in fixtures */
#define FX_SPORT 80    /* B's listening port */
#define FX_ISS_A 100   /* the RFC's figures use 100 and 300 */
#define FX_ISS_B 300

struct fx {
    struct world *w;
    struct trace_log log;
    size_t mark;             /* log index where "since" queries start */
    struct tcp_conn *a;      /* A's socket */
    struct tcp_conn *b;      /* B's socket (accepted, or the embryonic one) */
    struct tcp_conn *l;      /* B's listener */
};

/* A fresh world (preset linux unless 'rfc'), seed 1, 1 ms one-way delay, ISNs 100/300. */
void fx_init(struct fx *f, bool rfc);
void fx_fini(struct fx *f);
/* Forget what happened so far: fx_sent* look only at what follows. */
void fx_mark(struct fx *f);
/* Run the world for 'ms' milliseconds of virtual time. */
void fx_run_ms(struct fx *f, double ms);

/* Segments sent by 'host' since the mark (TRACE_SEND events), in order; returns how many,
   copying up to 'max' into 'out'. */
size_t fx_sent(const struct fx *f, int host, struct tcp_seg *out, size_t max);
/* Was exactly one segment sent by 'host' since the mark, with these flags, SEQ and (when
   the ACK bit is among 'flags') ACK? */
bool fx_sent_one(const struct fx *f, int host, uint8_t flags, uint32_t seq, uint32_t ack);
/* Did any rule event name 'rule' since the mark? */
bool fx_rule_seen(const struct fx *f, enum tcp_rule rule);

/* A crafted segment for host 'to', as if the other host sent it: no options, no data. */
void fx_seg(const struct fx *f, struct tcp_seg *s, int to, uint16_t sport, uint16_t dport, uint32_t seq,
            uint32_t ack, uint8_t flags, uint16_t wnd);
/* Deliver a crafted segment to host 'to' right now, as if the other host sent it (goes
   through the wire: arrives after 1 ms; fx_inject runs the world 1 ms past that). */
void fx_inject(struct fx *f, int to, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
               uint8_t flags, uint16_t wnd, const char *data);
/* The same, addressed to an existing connection 'c' (to its host, from its peer). */
void fx_inject_to(struct fx *f, const struct tcp_conn *c, uint32_t seq, uint32_t ack, uint8_t flags,
                  uint16_t wnd, const char *data);

/* Drive the connection A->B:80 into a state, through real events. On return f->a, f->b
   (and f->l) are set, and the mark is placed at the present. */
void fx_listen(struct fx *f);                  /* B LISTEN */
void fx_syn_sent(struct fx *f);                /* A SYN-SENT, SYN dropped on the wire */
void fx_established(struct fx *f);             /* A, B ESTABLISHED (B accepted) */
void fx_fin_wait_1(struct fx *f);              /* A FIN-WAIT-1 (FIN in flight), B ESTABLISHED */
void fx_fin_wait_2(struct fx *f);              /* A FIN-WAIT-2, B CLOSE-WAIT */
void fx_closing(struct fx *f);                 /* A and B CLOSING */
void fx_last_ack(struct fx *f);                /* A FIN-WAIT-2... B LAST-ACK, its FIN lost */
void fx_time_wait(struct fx *f);               /* A TIME-WAIT, B CLOSED */

#endif
