/*
 * out_synth.h - a hand-made event stream for the output tests (test_out_*.c): a handshake,
 * a data segment the wire drops and its retransmission, a duplicated ACK, and a close with
 * TIME-WAIT, with the numbers of RFC 9293 §3.5 Figure 6 (ISS 100 at A, 300 at B).
 *
 * Header-only (static inline) because the Makefile links each test with fixture.c alone.
 */
#ifndef TCPSIM_TESTS_OUT_SYNTH_H
#define TCPSIM_TESTS_OUT_SYNTH_H

#include <string.h>

#include "tcpsim/trace.h"
#include "tcpsim/wire.h"

#define SYNTH_A 0x0a000001u /* 10.0.0.1 */
#define SYNTH_B 0x0a000002u /* 10.0.0.2 */

struct synth {
    trace_fn fn;        /* where events go */
    void *ctx;
    uint64_t n;         /* events so far */
};

static inline void
synth_emit(struct synth *s, struct trace_event ev)
{
    ev.n = ++s->n;
    s->fn(&ev, s->ctx);
}

/* A segment from host 'from' (A is 10.0.0.1:40000, B is 10.0.0.2:80). */
static inline struct tcp_seg
synth_seg(int from, uint8_t flags, uint32_t seq, uint32_t ack, const char *data)
{
    struct tcp_seg g;
    memset(&g, 0, sizeof g);
    g.saddr = from == 0 ? SYNTH_A : SYNTH_B;
    g.daddr = from == 0 ? SYNTH_B : SYNTH_A;
    g.sport = from == 0 ? 40000 : 80;
    g.dport = from == 0 ? 80 : 40000;
    g.seq = seq;
    g.ack = ack;
    g.flags = flags;
    g.wnd = 65535;
    g.mss = (flags & TCP_SYN) ? 1460 : 0;
    g.len = data ? (uint32_t)strlen(data) : 0;
    g.data = (const uint8_t *)data;
    return g;
}

static inline void
synth_segev(struct synth *s, enum trace_kind k, clk_time t, uint64_t id, struct tcp_seg g,
            int from, uint32_t conn, const char *name, clk_time sent, clk_time arrive)
{
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = k;
    ev.t = t;
    ev.seg = g;
    ev.pkt_id = id;
    ev.from = from;
    ev.to = 1 - from;
    ev.host = k == TRACE_DELIVER ? 1 - from : from;
    ev.conn = conn;
    ev.conn_name = name;
    ev.sent_at = sent;
    ev.arrive_at = arrive;
    ev.text = k == TRACE_DROP ? "loss" : NULL;
    synth_emit(s, ev);
}

/* A segment sent at 't' and delivered 50 ms later (two events, in between maybe others). */
static inline void
synth_send(struct synth *s, clk_time t, uint64_t id, struct tcp_seg g, int from, uint32_t conn,
           const char *name)
{
    synth_segev(s, TRACE_SEND, t, id, g, from, conn, name, t, t + CLK_MSEC(50));
}

static inline void
synth_deliver(struct synth *s, clk_time t, uint64_t id, struct tcp_seg g, int from, uint32_t conn,
              const char *name)
{
    synth_segev(s, TRACE_DELIVER, t, id, g, from, conn, name, t - CLK_MSEC(50), t);
}

static inline void
synth_state(struct synth *s, clk_time t, int host, uint32_t conn, const char *name,
            enum tcp_state from, enum tcp_state to, enum tcp_rule rule)
{
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TRACE_STATE;
    ev.t = t;
    ev.host = host;
    ev.conn = conn;
    ev.conn_name = name;
    ev.from_state = from;
    ev.to_state = to;
    ev.rule = rule;
    synth_emit(s, ev);
}

static inline void
synth_other(struct synth *s, enum trace_kind k, clk_time t, int host, uint32_t conn,
            const char *name, const char *text)
{
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = k;
    ev.t = t;
    ev.host = host;
    ev.conn = conn;
    ev.conn_name = name;
    ev.text = text;
    ev.timer = TCP_TIMER_REXMIT;
    ev.when = t + CLK_SEC(1);
    synth_emit(s, ev);
}

/*
 * The run. Sockets: A1 (conn 1, active), B1 (conn 2, the listener), B2 (conn 3, accepted).
 * Packets: #1 SYN, #2 SYN,ACK, #3 ACK, #4 data (dropped), #5 data again, #6 ACK,
 * #7 its duplicate, #8 FIN, #9 ACK, #10 FIN, #11 ACK.
 */
static inline void
synth_run(trace_fn fn, void *ctx)
{
    struct synth s = {fn, ctx, 0};
    struct tcp_seg g;
    clk_time ms = CLK_MSEC(1);

    synth_other(&s, TRACE_CALL, 0, 1, 2, "B1", "listen 80");
    synth_state(&s, 0, 1, 2, "B1", TCP_CLOSED, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    synth_other(&s, TRACE_CALL, 0, 0, 1, "A1", "connect 10.0.0.2:80");
    synth_state(&s, 0, 0, 1, "A1", TCP_CLOSED, TCP_SYN_SENT, TCP_RULE_OPEN_ACTIVE);
    g = synth_seg(0, TCP_SYN, 100, 0, NULL);
    synth_send(&s, 0, 1, g, 0, 1, "A1");
    synth_other(&s, TRACE_TIMER_ARM, 0, 0, 1, "A1", NULL);
    synth_deliver(&s, 50 * ms, 1, g, 0, 2, "B1");
    synth_state(&s, 50 * ms, 1, 3, "B2", TCP_LISTEN, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    g = synth_seg(1, TCP_SYN | TCP_ACK, 300, 101, NULL);
    synth_send(&s, 50 * ms, 2, g, 1, 3, "B2");
    synth_deliver(&s, 100 * ms, 2, g, 1, 1, "A1");
    synth_other(&s, TRACE_TIMER_CANCEL, 100 * ms, 0, 1, "A1", NULL);
    synth_state(&s, 100 * ms, 0, 1, "A1", TCP_SYN_SENT, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    g = synth_seg(0, TCP_ACK, 101, 301, NULL);
    synth_send(&s, 100 * ms, 3, g, 0, 1, "A1");
    synth_deliver(&s, 150 * ms, 3, g, 0, 3, "B2");
    synth_state(&s, 150 * ms, 1, 3, "B2", TCP_SYN_RECEIVED, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    synth_other(&s, TRACE_SAY, 150 * ms, -1, 0, NULL, "A says \"hello\"; the wire loses it");
    synth_other(&s, TRACE_CALL, 200 * ms, 0, 1, "A1", "send 5");
    g = synth_seg(0, TCP_PSH | TCP_ACK, 101, 301, "hello");
    synth_send(&s, 200 * ms, 4, g, 0, 1, "A1");
    synth_segev(&s, TRACE_DROP, 200 * ms, 4, g, 0, 1, "A1", 200 * ms, 250 * ms);
    synth_other(&s, TRACE_TIMER_FIRE, 1200 * ms, 0, 1, "A1", NULL);
    synth_send(&s, 1200 * ms, 5, g, 0, 1, "A1");
    synth_deliver(&s, 1250 * ms, 5, g, 0, 3, "B2");
    g = synth_seg(1, TCP_ACK, 301, 106, NULL);
    synth_send(&s, 1250 * ms, 6, g, 1, 3, "B2");
    {
        struct trace_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = TRACE_DUP;
        ev.t = 1250 * ms;
        ev.seg = g;
        ev.pkt_id = 7;
        ev.orig_id = 6;
        ev.from = 1;
        ev.to = 0;
        ev.host = 1;
        ev.marks = WIRE_MARK_DUP;
        synth_emit(&s, ev);
    }
    synth_deliver(&s, 1300 * ms, 6, g, 1, 1, "A1");
    synth_deliver(&s, 1300 * ms, 7, g, 1, 1, "A1");
    synth_other(&s, TRACE_CALL, 1300 * ms, 0, 1, "A1", "close");
    synth_state(&s, 1300 * ms, 0, 1, "A1", TCP_ESTABLISHED, TCP_FIN_WAIT_1, TCP_RULE_CLOSE_SEND_FIN);
    g = synth_seg(0, TCP_FIN | TCP_ACK, 106, 301, NULL);
    synth_send(&s, 1300 * ms, 8, g, 0, 1, "A1");
    synth_deliver(&s, 1350 * ms, 8, g, 0, 3, "B2");
    synth_state(&s, 1350 * ms, 1, 3, "B2", TCP_ESTABLISHED, TCP_CLOSE_WAIT, TCP_RULE_FIN_CLOSE_WAIT);
    g = synth_seg(1, TCP_ACK, 301, 107, NULL);
    synth_send(&s, 1350 * ms, 9, g, 1, 3, "B2");
    synth_other(&s, TRACE_CALL, 1360 * ms, 1, 3, "B2", "close");
    synth_state(&s, 1360 * ms, 1, 3, "B2", TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_RULE_CLOSE_WAIT_FIN);
    g = synth_seg(1, TCP_FIN | TCP_ACK, 301, 107, NULL);
    synth_send(&s, 1360 * ms, 10, g, 1, 3, "B2");
    synth_deliver(&s, 1400 * ms, 9, synth_seg(1, TCP_ACK, 301, 107, NULL), 1, 1, "A1");
    synth_state(&s, 1400 * ms, 0, 1, "A1", TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, TCP_RULE_FIN_WAIT_1_ACKED);
    synth_deliver(&s, 1410 * ms, 10, g, 1, 1, "A1");
    synth_state(&s, 1410 * ms, 0, 1, "A1", TCP_FIN_WAIT_2, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    g = synth_seg(0, TCP_ACK, 107, 302, NULL);
    synth_send(&s, 1410 * ms, 11, g, 0, 1, "A1");
    synth_deliver(&s, 1460 * ms, 11, g, 0, 3, "B2");
    synth_state(&s, 1460 * ms, 1, 3, "B2", TCP_LAST_ACK, TCP_CLOSED, TCP_RULE_LAST_ACK_ACKED);
    synth_state(&s, 61410 * ms, 0, 1, "A1", TCP_TIME_WAIT, TCP_CLOSED, TCP_RULE_TIMER_TIME_WAIT);
}

#endif
