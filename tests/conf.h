/*
 * conf.h - assertions shared by the conformance tests (test_closed.c ... test_seq.c,
 * test_rfc_figures.c). Header-only, on top of fixture.h.
 *
 * Each transition test asserts three things (style.md): the new state with the rule that
 * made it (cf_state), the exact segments a host sent since fx_mark(), or that none were
 * (CF_EXPECT / CF_NONE), and which timers are armed (cf_timers). Segments injected by a test
 * are not counted as sent by a host.
 */
#ifndef TCPSIM_TEST_CONF_H
#define TCPSIM_TEST_CONF_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

/* Engine bugs reported in notes/engine-bugs.md: tests that hit one call CF_ENGINE_BUG(name)
   and are skipped until the lead fixes it (then set the switch to 0).
   RING_PUSH_NULL: a FIN without data makes tcp_ring_push() memcpy from NULL (UBSan abort). */
#define CF_BUG_RING_PUSH_NULL 0
/* KEEPALIVE_BUSY: keep-alive probes while data or our FIN is unacknowledged, with
   <SEQ=SND.NXT-1>, which the peer finds acceptable and does not answer: false ETIMEDOUT. */
#define CF_BUG_KEEPALIVE_BUSY 0
#define CF_ENGINE_BUG(name)            \
    do {                               \
        if (CF_BUG_##name)             \
            skip(); /* engine bug: see notes */ \
    } while (0)

/* A timer set for cf_timers(): CF_T(TCP_TIMER_REXMIT) | CF_T(TCP_TIMER_TIMEWAIT). */
#define CF_T(t) (1u << (t))
#define CF_NO_TIMERS 0u

/* One expected segment: flags (PSH is not compared), SEQ, ACK (compared when the ACK bit is
   expected) and payload length. */
struct cf_seg {
    uint8_t flags;
    uint32_t seq;
    uint32_t ack;
    uint32_t len;
};

/* Segments 'host' sent since the mark, leaving out injected ones; returns how many. */
static inline size_t
cf_sent(const struct fx *f, int host, struct tcp_seg *out, size_t max)
{
    size_t n = 0;
    for (size_t i = f->mark; i < f->log.len; i++) {
        const struct trace_event ev_ = trace_log_get(&f->log, i), *ev = &ev_;
        if (ev->kind != TRACE_SEND || ev->from != host || (ev->marks & WIRE_MARK_INJECTED))
            continue;
        if (n < max)
            out[n] = ev->seg;
        n++;
    }
    return n;
}

/* When 'host' sent those segments (their TRACE_SEND times), up to 'max'; returns how many. */
static inline size_t
cf_send_times(const struct fx *f, int host, clk_time *out, size_t max)
{
    size_t n = 0;
    for (size_t i = f->mark; i < f->log.len; i++) {
        const struct trace_event ev_ = trace_log_get(&f->log, i), *ev = &ev_;
        if (ev->kind != TRACE_SEND || ev->from != host || (ev->marks & WIRE_MARK_INJECTED))
            continue;
        if (n < max)
            out[n] = ev->t;
        n++;
    }
    return n;
}

static inline void
cf_print_seg(const char *what, const struct tcp_seg *s)
{
    char fl[64];
    print_message("  %s <SEQ=%u><ACK=%u><CTL=%s> len %u wnd %u\n", what, (unsigned)s->seq,
                  (unsigned)s->ack, tcp_flags_str(s->flags, fl, sizeof fl), (unsigned)s->len,
                  (unsigned)s->wnd);
}

/* Assert that 'host' sent exactly the segments 'exp[0..n-1]' since the mark. */
static inline void
cf_expect_at(const struct fx *f, int host, const struct cf_seg *exp, size_t n, const char *file, int line)
{
    struct tcp_seg got[64];
    size_t k = cf_sent(f, host, got, 64);
    bool ok = k == n;
    for (size_t i = 0; ok && i < n; i++) {
        uint8_t mask = (uint8_t)~TCP_PSH;
        ok = (got[i].flags & mask) == (exp[i].flags & mask) && got[i].seq == exp[i].seq
             && (!(exp[i].flags & TCP_ACK) || got[i].ack == exp[i].ack) && got[i].len == exp[i].len;
    }
    if (ok)
        return;
    print_message("%s:%d: host %c sent %zu segment(s), expected %zu\n", file, line, 'A' + host, k, n);
    for (size_t i = 0; i < k && i < 64; i++)
        cf_print_seg("sent    ", &got[i]);
    for (size_t i = 0; i < n; i++) {
        struct tcp_seg e = {.seq = exp[i].seq, .ack = exp[i].ack, .flags = exp[i].flags, .len = exp[i].len};
        cf_print_seg("expected", &e);
    }
    fail_msg("segments differ (see above)");
}

#define CF_EXPECT(f, host, ...)                                                                   \
    do {                                                                                          \
        const struct cf_seg cf_exp_[] = {__VA_ARGS__};                                           \
        cf_expect_at((f), (host), cf_exp_, sizeof cf_exp_ / sizeof cf_exp_[0], __FILE__, __LINE__); \
    } while (0)
#define CF_NONE(f, host) cf_expect_at((f), (host), NULL, 0, __FILE__, __LINE__)

/* Assert that exactly the timers in 'armed' (a CF_T() set) are running on 'c'. */
static inline void
cf_timers_at(const struct tcp_conn *c, unsigned armed, const char *file, int line)
{
    for (int t = 0; t < TCP_TIMER_COUNT; t++) {
        bool want = (armed & CF_T(t)) != 0;
        bool have = tcp_timer_left(c, (enum tcp_timer)t) != -1;
        if (want != have)
            fail_msg("%s:%d: %s timer %s of %s is %s, expected %s", file, line,
                     tcp_state_rfc(c->state), tcp_timer_name((enum tcp_timer)t), c->name,
                     have ? "armed" : "not armed", want ? "armed" : "not armed");
    }
}
#define cf_timers(c, armed) cf_timers_at((c), (armed), __FILE__, __LINE__)

/* Assert the state of 'c' and the rule of its last transition. */
static inline void
cf_state_at(const struct tcp_conn *c, enum tcp_state s, enum tcp_rule r, const char *file, int line)
{
    if (c->state != s || c->last_rule != r)
        fail_msg("%s:%d: %s is %s by %s, expected %s by %s", file, line, c->name,
                 tcp_state_rfc(c->state), tcp_rule_name(c->last_rule), tcp_state_rfc(s), tcp_rule_name(r));
}
#define cf_state(c, s, r) cf_state_at((c), (s), (r), __FILE__, __LINE__)

/* Assert that 'rule' acted since the mark (a TRACE_RULE or TRACE_STATE event). */
#define cf_rule(f, rule)                                                                           \
    do {                                                                                           \
        if (!fx_rule_seen((f), (rule)))                                                            \
            fail_msg("%s:%d: rule %s not seen", __FILE__, __LINE__, tcp_rule_name(rule));          \
    } while (0)

/* The connection made last in the world (e.g. the one a SYN created on a listener). */
static inline struct tcp_conn *
cf_newest(const struct fx *f)
{
    return world_conn(f->w, f->w->nconns);
}

/* Drop every segment host 'from' sends from now on (they still count as sent). */
static inline int
cf_drop_all_from(struct fx *f, int from)
{
    struct wire_rule r = {.from = from, .len = -1, .nth = 1, .count = -1, .action = WIRE_DROP};
    return wire_rule_add(f->w, &r);
}

/* Drop the next 'count' segments from 'from' carrying all of 'flags' (-1: forever). */
static inline int
cf_drop_flags(struct fx *f, int from, uint8_t flags, int count)
{
    struct wire_rule r = {.from = from, .flags = flags, .len = -1, .nth = 1, .count = count, .action = WIRE_DROP};
    return wire_rule_add(f->w, &r);
}

/* A connect that no SYN of A's ever leaves the wire for: B listens, A opens from port
   FX_CPORT, every SYN A sends is dropped (the SYN retry schedules, tests/linux/syn-*.pkt). */
static inline void
cf_connect_unanswered(struct fx *f)
{
    fx_listen(f);
    cf_drop_flags(f, FX_A, TCP_SYN, -1);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f->w->host[FX_A], f->w->host[FX_B].addr, FX_SPORT, &o, &f->a), TCP_OK);
}

/* Send 'text' on 'c' and assert it was all queued. */
static inline void
cf_send(struct tcp_conn *c, const char *text)
{
    size_t q = 0;
    assert_int_equal(tcp_send(c, text, strlen(text), &q), TCP_OK);
    assert_int_equal(q, strlen(text));
}

/* Receive everything readable on 'c' into 'buf' (NUL-terminated); returns the error. */
static inline enum tcp_err
cf_recv(struct tcp_conn *c, char *buf, size_t cap)
{
    size_t got = 0;
    enum tcp_err e = tcp_receive(c, buf, cap - 1, &got);
    buf[got] = '\0';
    return e;
}

/* A passive SYN-RECEIVED connection on B: B listens on 80, a SYN <SEQ=100> from A's port
   40000 arrives (A holds no TCB), and everything B sends is dropped on the wire. */
static inline struct tcp_conn *
cf_syn_received_passive(struct fx *f)
{
    fx_listen(f);
    cf_drop_all_from(f, FX_B);
    fx_inject(f, FX_B, FX_CPORT, FX_SPORT, FX_ISS_A, 0, TCP_SYN, 65535, NULL);
    struct tcp_conn *c = cf_newest(f);
    assert_int_equal(c->state, TCP_SYN_RECEIVED);
    fx_mark(f);
    return c;
}

/* Simultaneous open (RFC 9293 Figure 7) frozen with A in SYN-RECEIVED: both sides open
   actively, the SYNs cross, B's SYN,ACK is lost, so B is ESTABLISHED and A still waits. */
static inline void
cf_syn_received_active(struct fx *f)
{
    struct tcp_open_opts oa = TCP_OPEN_OPTS_DEFAULT, ob = TCP_OPEN_OPTS_DEFAULT;
    oa.lport = FX_CPORT;
    ob.lport = FX_SPORT;
    assert_int_equal(tcp_open_active(&f->w->host[FX_A], f->w->host[FX_B].addr, FX_SPORT, &oa, &f->a), TCP_OK);
    assert_int_equal(tcp_open_active(&f->w->host[FX_B], f->w->host[FX_A].addr, FX_CPORT, &ob, &f->b), TCP_OK);
    cf_drop_flags(f, FX_B, TCP_SYN | TCP_ACK, 1);
    fx_run_ms(f, 2.5);
    assert_int_equal(f->a->state, TCP_SYN_RECEIVED);
    assert_int_equal(f->b->state, TCP_ESTABLISHED);
    fx_mark(f);
}

/* FIN-WAIT-1 with B's answers lost, so A stays in FIN-WAIT-1 (B goes to CLOSE-WAIT). */
static inline void
cf_fin_wait_1_stuck(struct fx *f)
{
    fx_fin_wait_1(f);
    cf_drop_all_from(f, FX_B);
}

/* A and B in CLOSING with both final ACKs lost, so they stay there until a retransmission. */
static inline void
cf_closing_stuck(struct fx *f)
{
    fx_established(f);
    struct wire_rule r = {.from = -1, .flags = TCP_ACK, .flags_exact = TCP_ACK, .len = 0, .nth = 1,
                          .count = -1, .action = WIRE_DROP};
    wire_rule_add(f->w, &r);
    assert_int_equal(tcp_close(f->a), TCP_OK);
    assert_int_equal(tcp_close(f->b), TCP_OK);
    fx_run_ms(f, 1.5);
    assert_int_equal(f->a->state, TCP_CLOSING);
    assert_int_equal(f->b->state, TCP_CLOSING);
    fx_mark(f);
}

#endif
