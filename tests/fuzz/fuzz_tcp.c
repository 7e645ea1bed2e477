/*
 * fuzz_tcp.c - the segment fuzzer: one input is a starting state and a program of events.
 *
 * Input layout:
 *   byte 0      the state to start in (mod 11, RFC 9293 §3.3.2 order), reached through real
 *               events as tests/fixture.c reaches it: calls, wire rules, the clock
 *   byte 1      the ISNs: 100/300 as in the RFC's figures, or just below the 2^32 wrap
 *   the rest    operations, one opcode byte then its operands (missing bytes read as 0):
 *               inject a crafted segment (with raw TCP options when its 'how' has bit 64, options
 *               in tcpdump's notation with bit 128),
 *               a user call (send, receive, close, shutdown, abort,
 *               accept, listen, connect, keep-alive), run the clock, crash a host, drop, delay
 *               or duplicate a segment in flight, change a host setting.
 *
 * An observer on the event stream checks the invariants after every event, and fz_check()
 * after every clock step and every operation; a violation prints what broke and abort()s, so
 * libFuzzer saves the input. The invariants:
 *   - SND.UNA <= SND.NXT (§3.4 sequence space) on every live connection
 *   - RCV.NXT never moves backwards while a connection stays synchronized
 *   - no timer armed on a CLOSED connection (and none is ever armed on one)
 *   - buffers within their bounds: ring len <= cap, head < cap, out-of-order bytes counted
 *     exactly and no more than the receive buffer
 *   - states change only along the edges of the diagram (tcp_state_edge_ok)
 *   - a host's list of live connections holds exactly the connections that are not CLOSED
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/tcpsim.h"
#include "fuzz.h"

#define FZ_A 0
#define FZ_B 1
#define FZ_CPORT 40000
#define FZ_SPORT 80
#define FZ_MAX_OPS 300
#define FZ_MAX_STEPS 20000      /* clock events per run operation */
#define FZ_MAX_PAYLOAD 3000
#define FZ_SEND_BUF (256 * 1024)

/* The input, read front to back; reading past the end gives zeros. */
struct fz_in {
    const uint8_t *p;
    size_t n, i;
};

struct fz {
    struct world *w;
    struct fz_in in;
    struct tcp_conn *focus;  /* the connection brought into the chosen state */
    struct tcp_conn *l;      /* B's listener, when there is one */
    uint32_t *last_rcv;      /* RCV.NXT last seen, by connection id - 1 */
    bool *have_rcv;          /* ... valid while the connection stays synchronized */
    uint32_t cap;
    uint8_t *payload;        /* FZ_SEND_BUF bytes of a pattern, for sends and injections */
};

static uint8_t
fz_u8(struct fz_in *in)
{
    return in->i < in->n ? in->p[in->i++] : 0;
}

static uint16_t
fz_u16(struct fz_in *in)
{
    uint16_t hi = fz_u8(in);
    return (uint16_t)((hi << 8) | fz_u8(in));
}

static uint32_t
fz_u32(struct fz_in *in)
{
    uint32_t hi = fz_u16(in);
    return (hi << 16) | fz_u16(in);
}

static void
fz_fail(const struct fz *f, const struct tcp_conn *c, const char *what)
{
    fprintf(stderr, "fuzz_tcp: invariant violated at t=%.9f: %s", clk_to_sec(world_now(f->w)), what);
    if (c)
        fprintf(stderr, " (%s %s snd_una=%u snd_nxt=%u rcv_nxt=%u)", c->name, tcp_state_rfc(c->state),
                (unsigned)c->snd_una, (unsigned)c->snd_nxt, (unsigned)c->rcv_nxt);
    fprintf(stderr, "\n");
    abort();
}

/* Is 's' a state in which RCV.NXT is defined and may only grow? */
static bool
fz_rcv_tracked(enum tcp_state s)
{
    return s >= TCP_SYN_RECEIVED && s < TCP_STATE_COUNT;
}

static void
fz_grow(struct fz *f)
{
    uint32_t n = f->w->nconns;
    if (n <= f->cap)
        return;
    uint32_t ncap = f->cap ? f->cap : 16;
    while (ncap < n)
        ncap *= 2;
    f->last_rcv = realloc(f->last_rcv, ncap * sizeof *f->last_rcv);
    f->have_rcv = realloc(f->have_rcv, ncap * sizeof *f->have_rcv);
    if (!f->last_rcv || !f->have_rcv)
        abort();
    memset(f->have_rcv + f->cap, 0, (ncap - f->cap) * sizeof *f->have_rcv);
    f->cap = ncap;
}

static void
fz_check_ring(const struct fz *f, const struct tcp_conn *c, const struct tcp_ring *r)
{
    if (r->len > r->cap)
        fz_fail(f, c, "ring buffer holds more than its capacity");
    if (r->cap > 0 && r->head >= r->cap)
        fz_fail(f, c, "ring buffer head outside the buffer");
    if (r->cap == 0 && r->len != 0)
        fz_fail(f, c, "unallocated ring buffer holds data");
}

/* The invariants of one connection that hold at every instant, even between two lines of a
   transition. */
static void
fz_check_conn(struct fz *f, const struct tcp_conn *c)
{
    if (c->state >= TCP_STATE_COUNT)
        fz_fail(f, c, "state out of range");
    if (c->state != TCP_CLOSED && c->state != TCP_LISTEN && !seq_le(c->snd_una, c->snd_nxt))
        fz_fail(f, c, "SND.UNA > SND.NXT");
    fz_check_ring(f, c, &c->sndq);
    fz_check_ring(f, c, &c->rcvq);
    uint64_t held = 0;
    for (const struct tcp_ooo *o = c->ooo; o; o = o->next)
        held += o->len;
    if (held != c->ooo_bytes)
        fz_fail(f, c, "ooo_bytes differs from the out-of-order segments held");
    if (c->ooo_bytes > (uint32_t)c->host->cfg.rmem[1] && c->ooo_bytes > c->rcvq.cap)
        fz_fail(f, c, "out-of-order bytes exceed the receive buffer");
    uint32_t i = c->id - 1;
    if (i >= f->cap)
        return;
    if (!fz_rcv_tracked(c->state)) {
        f->have_rcv[i] = false;
        return;
    }
    if (f->have_rcv[i] && !seq_ge(c->rcv_nxt, f->last_rcv[i]))
        fz_fail(f, c, "RCV.NXT moved backwards");
    f->have_rcv[i] = true;
    f->last_rcv[i] = c->rcv_nxt;
}

/* Everything, between two events: the per-connection invariants, no timer on a CLOSED
   connection, and the hosts' lists of live connections. */
static void
fz_check(struct fz *f)
{
    struct world *w = f->w;
    fz_grow(f);
    uint32_t live = 0;
    for (uint32_t id = 1; id <= w->nconns; id++) {
        const struct tcp_conn *c = world_conn(w, id);
        fz_check_conn(f, c);
        if (c->state == TCP_CLOSED) {
            for (int t = 0; t < TCP_TIMER_COUNT; t++)
                if (tcp_timer_left(c, (enum tcp_timer)t) != -1)
                    fz_fail(f, c, "timer armed in CLOSED");
            if (c->live)
                fz_fail(f, c, "CLOSED connection still on its host's list");
        } else {
            if (!c->live)
                fz_fail(f, c, "live connection missing from its host's list");
            live++;
        }
    }
    uint32_t listed = 0;
    for (int h = 0; h < WORLD_HOSTS; h++)
        for (const struct tcp_link *l = w->host[h].conns; l; l = l->next) {
            if (l->tw) /* the fuzzer's world is not compact: no TIME-WAIT is small */
                fz_fail(f, NULL, "a small TIME-WAIT in a world that keeps every TCB");
            const struct tcp_conn *k = tcp_link_conn_const(l);
            if (k->host != &w->host[h] || k->state == TCP_CLOSED)
                fz_fail(f, k, "host list holds a foreign or CLOSED connection");
            if (++listed > w->nconns)
                fz_fail(f, k, "host list has a cycle");
        }
    if (listed != live)
        fz_fail(f, NULL, "host lists and live connections disagree");
}

/* The observer: checks every event as it happens. */
static void
fz_observe(const struct trace_event *ev, void *ctx)
{
    struct fz *f = ctx;
    struct tcp_conn *c = ev->conn ? world_conn(f->w, ev->conn) : NULL;
    fz_grow(f);
    if (ev->kind == TRACE_STATE && !tcp_state_edge_ok(ev->from_state, ev->to_state))
        fz_fail(f, c, "state change along no edge of the diagram");
    if (ev->kind == TRACE_TIMER_ARM && c && c->state == TCP_CLOSED)
        fz_fail(f, c, "timer armed on a CLOSED connection");
    if (c)
        fz_check_conn(f, c);
}

/* Run the clock to 'until', checking after every event; at most FZ_MAX_STEPS events. */
static void
fz_run_until(struct fz *f, clk_time until)
{
    for (int n = 0; n < FZ_MAX_STEPS && world_next_time(f->w) <= until; n++) {
        world_step(f->w);
        fz_check(f);
    }
    if (world_next_time(f->w) > until)
        world_run_until_time(f->w, until);
}

static void
fz_run_ms(struct fz *f, int ms)
{
    fz_run_until(f, world_now(f->w) + CLK_MSEC(ms));
}

/* ---- reaching each state (as tests/fixture.c does, without cmocka) ------------------- */

static void
fz_expect(const struct fz *f, const struct tcp_conn *c, enum tcp_state s)
{
    if (!c || c->state != s) {
        fprintf(stderr, "fuzz_tcp: set-up did not reach %s\n", tcp_state_rfc(s));
        (void)f;
        abort();
    }
}

static void
fz_drop_next(struct fz *f, int from, uint8_t flags)
{
    struct wire_rule r = {.from = from, .flags = flags, .flags_exact = flags, .len = -1,
                          .nth = 1, .count = 1, .action = WIRE_DROP};
    wire_rule_add(f->w, &r);
}

static struct tcp_conn *
fz_connect(struct fz *f)
{
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    struct tcp_conn *c = NULL;
    o.lport = FZ_CPORT;
    tcp_open_active(&f->w->host[FZ_A], f->w->host[FZ_B].addr, FZ_SPORT, &o, &c);
    return c;
}

static void
fz_listen(struct fz *f)
{
    tcp_open_passive(&f->w->host[FZ_B], FZ_SPORT, NULL, &f->l);
}

/* Both ESTABLISHED; returns A's socket, '*b' gets B's accepted one. */
static struct tcp_conn *
fz_established(struct fz *f, struct tcp_conn **b)
{
    fz_listen(f);
    struct tcp_conn *a = fz_connect(f);
    fz_run_ms(f, 5);
    if (!f->l || tcp_accept(f->l, b) != TCP_OK)
        abort();
    fz_expect(f, a, TCP_ESTABLISHED);
    fz_expect(f, *b, TCP_ESTABLISHED);
    return a;
}

static struct tcp_conn *
fz_find(const struct fz *f, int host, enum tcp_state s)
{
    for (const struct tcp_link *l = f->w->host[host].conns; l; l = l->next)
        if (!l->tw && tcp_link_conn_const(l)->state == s)
            return world_conn(f->w, tcp_link_conn_const(l)->id);
    return NULL;
}

static void
fz_setup(struct fz *f, enum tcp_state s)
{
    struct tcp_conn *a = NULL, *b = NULL;
    switch (s) {
    case TCP_CLOSED: /* A's socket, closed in SYN-SENT; B listens */
        fz_listen(f);
        fz_drop_next(f, FZ_A, TCP_SYN);
        a = fz_connect(f);
        tcp_close(a);
        f->focus = a;
        break;
    case TCP_LISTEN:
        fz_listen(f);
        f->focus = f->l;
        break;
    case TCP_SYN_SENT: /* the SYN is lost; B listens, so a retransmission connects */
        fz_listen(f);
        fz_drop_next(f, FZ_A, TCP_SYN);
        f->focus = fz_connect(f);
        fz_run_ms(f, 5);
        break;
    case TCP_SYN_RECEIVED: /* B's SYN,ACK is lost: B's embryonic socket waits */
        fz_listen(f);
        fz_drop_next(f, FZ_B, TCP_SYN | TCP_ACK);
        fz_connect(f);
        fz_run_ms(f, 5);
        f->focus = fz_find(f, FZ_B, TCP_SYN_RECEIVED);
        break;
    case TCP_ESTABLISHED:
        f->focus = fz_established(f, &b);
        break;
    case TCP_FIN_WAIT_1: /* A closed, its FIN in flight */
        f->focus = a = fz_established(f, &b);
        tcp_close(a);
        break;
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
        a = fz_established(f, &b);
        tcp_close(a);
        fz_run_ms(f, 5);
        f->focus = s == TCP_FIN_WAIT_2 ? a : b;
        break;
    case TCP_CLOSING: /* both close at once; the FINs cross */
        a = fz_established(f, &b);
        tcp_close(a);
        tcp_close(b);
        fz_run_until(f, world_now(f->w) + CLK_MSEC(1) + CLK_MSEC(1) / 2);
        f->focus = a;
        break;
    case TCP_LAST_ACK: /* B's FIN is lost */
    case TCP_TIME_WAIT:
        a = fz_established(f, &b);
        tcp_close(a);
        fz_run_ms(f, 5);
        if (s == TCP_LAST_ACK)
            fz_drop_next(f, FZ_B, TCP_FIN | TCP_ACK);
        tcp_close(b);
        fz_run_ms(f, 5);
        f->focus = s == TCP_LAST_ACK ? b : a;
        break;
    case TCP_STATE_COUNT:
        abort();
    }
    fz_expect(f, f->focus, s);
}

/* ---- the operations ------------------------------------------------------------------ */

/* A connection: mostly the focus, else any connection ever made. */
static struct tcp_conn *
fz_pick(struct fz *f)
{
    uint8_t sel = fz_u8(&f->in);
    if (sel < 128 || f->w->nconns == 0)
        return f->focus;
    return world_conn(f->w, 1 + (uint32_t)sel % f->w->nconns);
}

/* A sequence number relative to one of the connection's variables, or absolute. */
static uint32_t
fz_seq(struct fz *f, const struct tcp_conn *c, bool for_ack)
{
    uint8_t mode = fz_u8(&f->in);
    int32_t d = (int16_t)fz_u16(&f->in);
    switch (mode % 5) {
    case 0: return (for_ack ? c->snd_nxt : c->rcv_nxt) + (uint32_t)d;
    case 1: return (for_ack ? c->snd_una : c->rcv_nxt + c->rcv_wnd) + (uint32_t)d;
    case 2: return (for_ack ? c->iss : c->irs) + (uint32_t)d;
    case 3: return (for_ack ? c->snd_nxt : c->rcv_nxt) + (uint32_t)d * 1000u;
    default: return fz_u32(&f->in);
    }
}

static void
fz_op_inject(struct fz *f)
{
    struct tcp_conn *c = fz_pick(f);
    uint8_t how = fz_u8(&f->in);
    struct tcp_seg s;
    memset(&s, 0, sizeof s);
    int to = c->host->index;
    s.sport = c->rport;
    s.dport = c->lport;
    if (how & 1) { /* a new peer port: to the listener, or anywhere */
        s.sport = fz_u16(&f->in);
        if (how & 2)
            s.dport = fz_u16(&f->in);
    }
    if (how & 4)
        to = 1 - to;
    s.saddr = f->w->host[1 - to].addr;
    s.daddr = f->w->host[to].addr;
    s.flags = fz_u8(&f->in) & 0x3f;
    s.seq = fz_seq(f, c, false);
    s.ack = fz_seq(f, c, true);
    s.wnd = fz_u16(&f->in);
    if (how & 8)
        s.up = fz_u16(&f->in);
    if (s.flags & TCP_SYN)
        s.mss = fz_u16(&f->in);
    if (how & 64) { /* raw option octets, read as Linux reads them (tcp_opt_parse) */
        size_t n = fz_u8(&f->in) % (TCP_OPT_SPACE + 1);
        if (n > f->in.n - f->in.i)
            n = f->in.n - f->in.i;
        (void)tcp_opt_parse(f->in.p + f->in.i, n, &s);
        f->in.i += n;
        /* what the capture writer and the traces do with them: encode and print */
        uint8_t o[TCP_OPT_SPACE];
        char text[256];
        if (tcp_opt_encode(&s, o) > TCP_OPT_SPACE || tcp_opt_encode(&s, o) % 4 != 0)
            fz_fail(f, c, "option encoding longer than 40 octets or not whole words");
        (void)tcp_opt_str(&s, text, sizeof text);
    }
    if (how & 128) { /* options in tcpdump's notation, as net:inject and expect_segment take them */
        char text[80], err[256];
        size_t n = fz_u8(&f->in) % sizeof text;
        if (n > f->in.n - f->in.i)
            n = f->in.n - f->in.i;
        memcpy(text, f->in.p + f->in.i, n);
        text[n] = '\0';
        f->in.i += n;
        struct tcp_seg parsed = s;
        if (tcp_opt_from_str(text, &parsed, err, sizeof err) == 0) {
            s.mss = parsed.mss;
            s.opt = parsed.opt;
        }
    }
    uint32_t len = fz_u16(&f->in) % (FZ_MAX_PAYLOAD + 1);
    if (how & 16)
        len %= 8;
    /* the payload: the input's own bytes where there are enough, else the pattern */
    if (f->in.n - f->in.i >= len) {
        s.data = f->in.p + f->in.i;
        f->in.i += len;
    } else {
        s.data = f->payload;
    }
    s.len = len;
    wire_inject(f->w, 1 - to, &s);
    if (!(how & 32)) /* let it arrive now, unless more are to arrive with it */
        fz_run_until(f, world_now(f->w) + f->w->wire.link[1 - to].delay);
}

static void
fz_op_call(struct fz *f, uint8_t op)
{
    struct tcp_conn *c = fz_pick(f), *got = NULL;
    uint8_t buf[4096];
    size_t n = 0;
    switch (op) {
    case 0: {
        uint16_t len = fz_u16(&f->in);
        size_t want = (len & 0x8000) ? (size_t)(len & 0x7fff) * 8 : len % (FZ_MAX_PAYLOAD + 1);
        tcp_send(c, f->payload, want, &n);
        break;
    }
    case 1:
        tcp_receive(c, buf, 1 + fz_u16(&f->in) % sizeof buf, &n);
        break;
    case 2: tcp_close(c); break;
    case 3: tcp_shutdown(c); break;
    case 4: tcp_abort(c); break;
    case 5:
        tcp_accept(c, &got);
        break;
    case 6:
        tcp_set_keepalive(c, fz_u8(&f->in) & 1);
        break;
    default:
        break;
    }
}

static void
fz_op_open(struct fz *f, bool passive)
{
    uint8_t how = fz_u8(&f->in);
    struct tcp_host *h = &f->w->host[how & 1];
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    struct tcp_conn *c = NULL;
    o.reuseaddr = (how & 2) != 0;
    o.backlog = (how >> 2) & 3;
    uint16_t port = (how & 16) ? fz_u16(&f->in) : passive ? FZ_SPORT : FZ_CPORT;
    if (how & 32)
        o.isn = fz_u32(&f->in);
    if (passive) {
        tcp_open_passive(h, port, &o, &c);
        return;
    }
    o.lport = (how & 64) ? 0 : port;
    uint16_t rport = (how & 128) ? fz_u16(&f->in) : FZ_SPORT;
    tcp_open_active(h, f->w->host[1 - h->index].addr, rport, &o, &c);
}

static void
fz_op_run(struct fz *f)
{
    uint8_t b = fz_u8(&f->in);
    clk_time unit[4] = {CLK_MSEC(1), CLK_MSEC(100), CLK_SEC(1), CLK_SEC(30)};
    fz_run_until(f, world_now(f->w) + (clk_time)(b & 63) * unit[b >> 6]);
}

static void
fz_op_wire(struct fz *f)
{
    uint8_t how = fz_u8(&f->in);
    size_t n;
    struct wire_pkt *const *v = wire_inflight(f->w, &n);
    if (n == 0)
        return;
    struct wire_pkt *p = v[fz_u8(&f->in) % n];
    switch (how % 3) {
    case 0: wire_drop_id(f->w, p->id, "fuzz"); break;
    case 1: wire_delay_id(f->w, p->id, (clk_time)fz_u8(&f->in) * CLK_MSEC(10)); break;
    default: wire_dup_id(f->w, p->id); break;
    }
}

static void
fz_op_setting(struct fz *f)
{
    uint8_t how = fz_u8(&f->in);
    const struct tcp_setting_info *info = &tcp_setting_table[fz_u8(&f->in) % tcp_setting_count];
    double frac = fz_u8(&f->in) / 255.0;
    double v = info->min + frac * frac * frac * (info->max - info->min);
    if (info->kind == TCP_SET_TIME && v > 3600)
        v = 3600; /* keep the runs short; a day-long timer teaches the fuzzer nothing */
    if (info->kind == TCP_SET_TRIPLE && v > (1 << 22))
        v = 1 << 22; /* buffers of 4 MiB at most: a gigabyte per connection teaches nothing either */
    tcp_setting_set(&f->w->host[how & 1].cfg, info, v);
}

static void
fz_op(struct fz *f)
{
    uint8_t op = fz_u8(&f->in);
    switch (op % 14) {
    case 0:
    case 1:
    case 2: fz_op_inject(f); break;
    case 3: fz_op_call(f, 0); break;  /* send */
    case 4: fz_op_call(f, 1); break;  /* receive */
    case 5: fz_op_call(f, (uint8_t)(2 + (op / 14) % 3)); break; /* close, shutdown, abort */
    case 6: fz_op_call(f, 5); break;  /* accept */
    case 7: fz_op_open(f, true); break;
    case 8: fz_op_open(f, false); break;
    case 9:
    case 10: fz_op_run(f); break;
    case 11:
        if ((op / 14) % 4 == 0)
            tcp_host_crash(&f->w->host[(op / 56) & 1]);
        else
            fz_op_call(f, 6); /* keep-alive */
        break;
    case 12: fz_op_wire(f); break;
    default: fz_op_setting(f); break;
    }
    fz_check(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f;
    memset(&f, 0, sizeof f);
    f.in.p = data;
    f.in.n = size;
    enum tcp_state start = (enum tcp_state)(fz_u8(&f.in) % TCP_STATE_COUNT);
    uint8_t isn = fz_u8(&f.in);
    struct world_config cfg = {.seed = 1 + isn, .preset = (isn & 0x80) ? TCP_PRESET_RFC : TCP_PRESET_LINUX};
    f.w = world_new(&cfg);
    f.payload = malloc(FZ_SEND_BUF);
    if (!f.w || !f.payload)
        abort();
    for (size_t i = 0; i < FZ_SEND_BUF; i++)
        f.payload[i] = (uint8_t)('a' + i % 26);
    world_observe(f.w, fz_observe, &f);
    if ((isn & 3) == 0) {
        f.w->host[FZ_A].cfg.isn = 100;
        f.w->host[FZ_B].cfg.isn = 300;
    } else if ((isn & 3) == 1) { /* just below the wrap of the sequence space */
        f.w->host[FZ_A].cfg.isn = 0xffffff00u;
        f.w->host[FZ_B].cfg.isn = 0xfffffff0u;
    } /* else from the PRNG */
    fz_setup(&f, start);
    fz_check(&f);
    for (int n = 0; n < FZ_MAX_OPS && f.in.i < f.in.n; n++)
        fz_op(&f);
    world_free(f.w);
    free(f.payload);
    free(f.last_rcv);
    free(f.have_rcv);
    return 0;
}
