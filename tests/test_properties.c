/*
 * test_properties.c - end-to-end properties over thousands of seeded runs.
 *
 * Each run draws from its seed: a lossy wire (loss up to 30%, duplication, reordering, jitter,
 * delay, both directions; one run in twenty loses 90% one way), how many bytes each side sends, and how the connection ends: which
 * side acts first (or both at once) and what each does (close, shutdown then close, abort,
 * close with unread data). Applications act after every instant at which something happened
 * (event-driven, no polling interval). Every run must end with:
 *   - each byte stream delivered exactly once and in order: what a side reads is a prefix of
 *     what the other side sent, checked byte for byte as it is read;
 *   - a complete stream followed by end-of-file, unless an application learned of an error
 *     (ETIMEDOUT, ECONNRESET, ...) or chose to cut the stream (abort, close with unread data);
 *   - every socket CLOSED, no timer armed, no connection left on a host's list, after the
 *     clock ran long enough (TIME-WAIT 60 s, tcp_retries2 ~925 s).
 *
 * The same runs again with delayed ACKs (the delayed_ack setting: Linux's way, the linux
 * preset's default, and RFC 1122's), and a check that header prediction changes nothing: every
 * event of a run, with the fast path and without it, must be the same (compared by a hash of
 * the whole event stream).
 *
 * A failing run prints its seed and a one-line command that replays it alone, with the event
 * trace: TCPSIM_SEED=<seed> build/san/tests/test_properties
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define PROP_HORIZON CLK_SEC(20000)   /* virtual time a run may take before it is a failure */
#define PROP_APP_PATIENCE CLK_SEC(300) /* an application gives up waiting for EOF after this */
#define PROP_MAX_BYTES 24000
#define PROP_ZC_BUF 5000               /* PROP_ZEROCOPY: the memory an application sends from */

enum prop_end {
    PROP_CLOSE,      /* close() after sending everything (and reading, when second) */
    PROP_SHUTDOWN,   /* shutdown() after sending, close() after reading EOF */
    PROP_ABORT,      /* abort() part-way through sending */
    PROP_CLOSE_EARLY /* close() after sending, without waiting to read everything */
};

/* One side of a run: the application on host A or B. */
struct prop_side {
    struct tcp_conn *c;
    uint32_t to_send;        /* bytes this side sends in all */
    uint32_t queued;         /* ... handed to tcp_send so far */
    uint32_t received;       /* bytes read from the peer, all checked */
    bool eof;                /* read end of stream */
    enum tcp_err err;        /* the first error a call reported (TCP_OK if none) */
    enum prop_end end;
    uint32_t abort_at;       /* PROP_ABORT: abort once this much is queued */
    bool first;              /* acts without waiting for the peer's EOF */
    bool shut, closed;       /* has called shutdown / close or abort */
    bool cut;                /* cut the stream itself: abort or close with unread data */
    clk_time waiting_since;  /* when it started waiting for the peer */
    uint8_t zc_buf[PROP_ZC_BUF]; /* PROP_ZEROCOPY: stream octet i lives at i % PROP_ZC_BUF */
};

struct prop_run {
    uint64_t seed;
    struct world *w;
    struct tcp_conn *l;
    struct prop_side side[2];
    bool verbose;
    unsigned variant;        /* PROP_* below */
    uint64_t hash;           /* PROP_HASH: FNV-1a of every event, as printed */
    char why[160];           /* the first violation, empty if none */
};

/* Variants of a run. */
enum {
    PROP_NO_PREDICTION = 1u << 0, /* header_prediction off on both hosts */
    PROP_DELAYED_ACK = 1u << 1,   /* delayed_ack Linux's way on both hosts */
    PROP_HASH = 1u << 2,          /* hash the event stream into prop_run.hash */
    PROP_ZEROCOPY = 1u << 3,      /* the applications send with tcp_send_zerocopy */
    PROP_DELAYED_ACK_RFC = 1u << 4, /* delayed_ack RFC 1122's way on both hosts */
};

/* Byte 'i' of the stream sent by host 'h' in run 'seed': changes with all three. */
static uint8_t
prop_byte(uint64_t seed, int h, uint32_t i)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + (uint64_t)h * 0x632be59bd9b4e019ull + i;
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9ull;
    return (uint8_t)(x >> 32);
}

static void
prop_fail(struct prop_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
prop_fail(struct prop_run *r, const char *fmt, ...)
{
    if (r->why[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
}

/* One event as a line of text (verbose replays print it, PROP_HASH hashes it). */
static void
prop_format_event(const struct trace_event *ev, char *out, size_t cap)
{
    char fl[32];
    size_t n = 0;
#define PROP_PUT(...)                                                                         \
    do {                                                                                      \
        int k_ = snprintf(out + n, cap - n, __VA_ARGS__);                                     \
        if (k_ > 0)                                                                           \
            n = (size_t)k_ < cap - n ? n + (size_t)k_ : cap - 1;                              \
    } while (0)
    PROP_PUT("%12.6f %c %-7s %-4s", clk_to_sec(ev->t), ev->host == 0 ? 'A' : ev->host == 1 ? 'B' : '-',
             trace_kind_name(ev->kind), ev->conn_name ? ev->conn_name : "");
    switch (ev->kind) {
    case TRACE_SEND:
    case TRACE_DELIVER:
    case TRACE_DROP:
    case TRACE_DUP:
    case TRACE_DELAY:
        PROP_PUT(" #%llu <SEQ=%u><ACK=%u><CTL=%s> len %u win %u", (unsigned long long)ev->pkt_id,
                 (unsigned)ev->seg.seq, (unsigned)ev->seg.ack, tcp_flags_str(ev->seg.flags, fl, sizeof fl),
                 (unsigned)ev->seg.len, (unsigned)ev->seg.wnd);
        break;
    case TRACE_STATE:
        PROP_PUT(" %s -> %s (%s)", tcp_state_rfc(ev->from_state), tcp_state_rfc(ev->to_state), tcp_rule_name(ev->rule));
        break;
    case TRACE_RULE:
        PROP_PUT(" %s", tcp_rule_name(ev->rule));
        break;
    case TRACE_TIMER_ARM:
    case TRACE_TIMER_CANCEL:
    case TRACE_TIMER_FIRE:
        PROP_PUT(" %s %.9f", tcp_timer_name(ev->timer), clk_to_sec(ev->when));
        break;
    case TRACE_CALL:
        PROP_PUT(" %s -> %s", ev->text, tcp_err_name(ev->err));
        break;
    case TRACE_SAY:
        PROP_PUT(" %s", ev->text);
        break;
    case TRACE_KIND_COUNT:
        break;
    }
#undef PROP_PUT
}

/* Verbose replays print every event. */
static void
prop_print_event(const struct trace_event *ev, void *ctx)
{
    (void)ctx;
    char line[512];
    prop_format_event(ev, line, sizeof line);
    printf("%s\n", line);
}

/* PROP_HASH: fold every event into the run's hash (FNV-1a). */
static void
prop_hash_event(const struct trace_event *ev, void *ctx)
{
    struct prop_run *r = ctx;
    char line[512];
    prop_format_event(ev, line, sizeof line);
    for (const char *q = line; *q; q++)
        r->hash = (r->hash ^ (uint8_t)*q) * 0x100000001b3ull;
    r->hash = (r->hash ^ '\n') * 0x100000001b3ull;
}



/* Draw the run's world and plan from its seed. */
static void
prop_setup(struct prop_run *r, uint64_t seed, bool verbose, unsigned variant)
{
    memset(r, 0, sizeof *r);
    r->seed = seed;
    r->verbose = verbose;
    r->variant = variant;
    r->hash = 0xcbf29ce484222325ull;
    struct world_config cfg = {.seed = seed, .preset = TCP_PRESET_LINUX};
    r->w = world_new(&cfg);
    assert_non_null(r->w);
    for (int i = 0; i < 2; i++) {
        r->w->host[i].cfg.header_prediction = (variant & PROP_NO_PREDICTION) ? 0 : 1;
        r->w->host[i].cfg.delayed_ack = (variant & PROP_DELAYED_ACK)       ? TCP_DELACK_LINUX
                                        : (variant & PROP_DELAYED_ACK_RFC) ? TCP_DELACK_RFC1122
                                                                           : TCP_DELACK_OFF;
    }
    struct rng g;
    rng_seed(&g, seed ^ 0x5eedull); /* the plan's own generator: the world's is untouched */
    bool calm = rng_below(&g, 4) == 0; /* a quarter of the runs on a perfect wire */
    for (int i = 0; i < 2; i++) {
        struct wire_link l = r->w->wire.link[i];
        l.delay = CLK_MSEC(1 + rng_below(&g, 50));
        l.jitter = calm ? 0 : CLK_MSEC(rng_below(&g, 6));
        l.loss = calm ? 0 : rng_unit(&g) * 0.30;
        l.dup = calm ? 0 : rng_unit(&g) * 0.10;
        l.reorder = calm ? 0 : rng_unit(&g) * 0.20;
        wire_link_set(r->w, i, &l);
    }
    if (rng_below(&g, 20) == 0) { /* now and then a wire that all but dies: ETIMEDOUT */
        int dying = (int)rng_below(&g, 2);
        struct wire_link s = r->w->wire.link[dying];
        s.loss = 0.9;
        wire_link_set(r->w, dying, &s);
    }
    uint32_t order = rng_below(&g, 3); /* A first, B first, both at once */
    for (int h = 0; h < 2; h++) {
        struct prop_side *s = &r->side[h];
        uint32_t k = rng_below(&g, 4);
        s->to_send = k == 0 ? 0 : k == 1 ? rng_below(&g, 100) : rng_below(&g, PROP_MAX_BYTES + 1);
        uint32_t e = rng_below(&g, 10);
        s->end = e < 5 ? PROP_CLOSE : e < 8 ? PROP_SHUTDOWN : e < 9 ? PROP_ABORT : PROP_CLOSE_EARLY;
        s->abort_at = s->to_send ? rng_below(&g, s->to_send + 1) : 0;
        s->first = order == 2 || (uint32_t)h == order;
        s->waiting_since = -1;
    }
    if (verbose)
        world_observe(r->w, prop_print_event, NULL);
    else if (variant & PROP_HASH)
        world_observe(r->w, prop_hash_event, r);
}

/* Read what is there, checking every byte against what the peer sent. */
static void
prop_read(struct prop_run *r, int h)
{
    struct prop_side *s = &r->side[h];
    uint8_t buf[8192];
    size_t got;
    if (!s->c || s->closed || s->eof)
        return;
    /* PROP_ZEROCOPY: a lazy reader, which leaves what arrived unread across later events (the
       ACK reaching the sender among them), so that segments the receive queue keeps outlive
       the sender's hold on the memory they came from; it reads whenever the world is idle. */
    if ((r->variant & PROP_ZEROCOPY) && (r->w->steps & 1) && world_next_time(r->w) != CLK_NEVER)
        return;
    for (;;) {
        enum tcp_err e = tcp_receive(s->c, buf, sizeof buf, &got);
        for (size_t i = 0; i < got; i++) {
            if (s->received + i >= r->side[1 - h].to_send) {
                prop_fail(r, "host %c read more bytes than %c sent (%u)", "AB"[h], "AB"[1 - h],
                          (unsigned)r->side[1 - h].to_send);
                return;
            }
            if (buf[i] != prop_byte(r->seed, 1 - h, s->received + (uint32_t)i)) {
                prop_fail(r, "host %c: byte %u of %c's stream is wrong (duplicated or reordered)",
                          "AB"[h], (unsigned)(s->received + i), "AB"[1 - h]);
                return;
            }
        }
        s->received += (uint32_t)got;
        if (e == TCP_EOF) {
            s->eof = true;
            return;
        }
        if (e != TCP_OK) {
            if (s->err == TCP_OK)
                s->err = e;
            return;
        }
        if (got == 0)
            return;
    }
}

/* PROP_ZEROCOPY: queue without copying, from a buffer smaller than the stream that the
   application writes over as soon as the connection gives octets back (tcp_zerocopy_done):
   an octet given back too early would reach the peer overwritten. */
static void
prop_write_zerocopy(struct prop_run *r, int h)
{
    struct prop_side *s = &r->side[h];
    while (s->c && !s->shut && !s->closed && s->queued < s->to_send) {
        uint32_t limit = s->end == PROP_ABORT ? s->abort_at : s->to_send;
        if (s->queued >= limit)
            return;
        uint64_t free_to = tcp_zerocopy_done(s->c) + PROP_ZC_BUF; /* octets we may write */
        uint32_t at = s->queued % PROP_ZC_BUF;
        uint32_t n = limit - s->queued;
        if (n > PROP_ZC_BUF - at)
            n = PROP_ZC_BUF - at; /* up to the end of the buffer: then from its start */
        if (n > free_to - s->queued)
            n = (uint32_t)(free_to - s->queued);
        if (n == 0)
            return; /* wait for the connection to give memory back */
        for (uint32_t i = 0; i < n; i++)
            s->zc_buf[at + i] = prop_byte(r->seed, h, s->queued + i);
        size_t q = 0;
        enum tcp_err e = tcp_send_zerocopy(s->c, s->zc_buf + at, n, &q);
        s->queued += (uint32_t)q;
        if (e == TCP_ENOBUFS || (e == TCP_OK && q < n))
            return;
        if (e != TCP_OK) {
            if (s->err == TCP_OK)
                s->err = e;
            return;
        }
    }
}

/* Queue as much as the send buffer takes. */
static void
prop_write(struct prop_run *r, int h)
{
    struct prop_side *s = &r->side[h];
    if (r->variant & PROP_ZEROCOPY) {
        prop_write_zerocopy(r, h);
        return;
    }
    uint8_t buf[4096];
    while (s->c && !s->shut && !s->closed && s->queued < s->to_send) {
        uint32_t limit = s->end == PROP_ABORT ? s->abort_at : s->to_send;
        if (s->queued >= limit)
            return;
        uint32_t n = limit - s->queued < sizeof buf ? limit - s->queued : (uint32_t)sizeof buf;
        for (uint32_t i = 0; i < n; i++)
            buf[i] = prop_byte(r->seed, h, s->queued + i);
        size_t q = 0;
        enum tcp_err e = tcp_send(s->c, buf, n, &q);
        s->queued += (uint32_t)q;
        if (e == TCP_ENOBUFS || (e == TCP_OK && q < n))
            return; /* full: try again later */
        if (e != TCP_OK) {
            if (s->err == TCP_OK)
                s->err = e;
            return;
        }
    }
}

static void
prop_note_err(struct prop_side *s, enum tcp_err e)
{
    if (e != TCP_OK && s->err == TCP_OK)
        s->err = e;
}

/* The closing plan: may side 'h' act now, and what does it do? */
static void
prop_close(struct prop_run *r, int h)
{
    struct prop_side *s = &r->side[h];
    if (!s->c || s->closed)
        return;
    bool dead = s->c->state == TCP_CLOSED; /* reset or timed out under us */
    if (s->end == PROP_ABORT && (s->queued >= s->abort_at || dead)) {
        s->cut = !dead;
        prop_note_err(s, tcp_abort(s->c));
        s->closed = true;
        return;
    }
    bool sent = s->queued >= s->to_send || dead || s->err != TCP_OK;
    bool heard = s->eof || dead || s->err != TCP_OK;
    if (!sent)
        return;
    if (s->waiting_since < 0)
        s->waiting_since = world_now(r->w);
    bool bored = world_now(r->w) - s->waiting_since > PROP_APP_PATIENCE;
    if (bored && !heard)
        s->cut = true; /* gives up on the peer: whatever was not read is cut */
    switch (s->end) {
    case PROP_SHUTDOWN:
        if (!s->shut && (s->first || heard || bored)) {
            prop_note_err(s, tcp_shutdown(s->c));
            s->shut = true;
        }
        if (s->shut && (heard || bored)) {
            prop_note_err(s, tcp_close(s->c));
            s->closed = true;
        }
        break;
    case PROP_CLOSE:
        /* First to close: after reading all the peer sends (an application protocol that
           knows the length), so the peer's stream is still checked in full. */
        if ((s->first && s->received >= r->side[1 - h].to_send) || heard || bored) {
            if (!heard && tcp_readable(s->c) > 0)
                s->cut = true;
            prop_note_err(s, tcp_close(s->c));
            s->closed = true;
        }
        break;
    case PROP_CLOSE_EARLY:
    case PROP_ABORT:
        s->cut = !heard;
        prop_note_err(s, tcp_close(s->c));
        s->closed = true;
        break;
    }
}

/* The applications act: accept, read, write, close. */
static void
prop_apps(struct prop_run *r)
{
    if (!r->side[1].c && r->l) {
        tcp_accept(r->l, &r->side[1].c);
        if (r->side[1].c) {
            tcp_close(r->l);
            r->l = NULL;
        }
    }
    if (r->l && r->side[0].c->state == TCP_CLOSED && world_next_time(r->w) == CLK_NEVER) {
        tcp_close(r->l); /* A gave up connecting; nothing more will come */
        r->l = NULL;
    }
    for (int h = 0; h < 2; h++) {
        const struct tcp_conn *c = r->side[h].c;
        if (c && (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED))
            continue; /* connect() has not returned yet */
        if (c && c->state == TCP_CLOSED && c->error != TCP_OK)
            prop_note_err(&r->side[h], c->error);
        prop_read(r, h);
        prop_write(r, h);
        prop_close(r, h);
        prop_read(r, h);
    }
}

static bool
prop_all_closed(const struct prop_run *r)
{
    for (int h = 0; h < 2; h++)
        if (r->w->host[h].conns)
            return false;
    return !r->l && r->side[0].closed && (!r->side[1].c || r->side[1].closed);
}

/* The stream sent by 'h' and read by the other side. */
static void
prop_check_stream(struct prop_run *r, int h)
{
    const struct prop_side *snd = &r->side[h], *rcv = &r->side[1 - h];
    bool complete = rcv->received == snd->to_send
                    && (rcv->eof || (rcv->end == PROP_CLOSE && rcv->first && !rcv->cut));
    if (complete)
        return;
    /* Not complete: someone must know. */
    bool told = snd->err != TCP_OK || rcv->err != TCP_OK || snd->cut || rcv->cut
                || (snd->c && snd->c->error != TCP_OK) || (rcv->c && rcv->c->error != TCP_OK)
                || !rcv->c;
    if (!told)
        prop_fail(r, "%c's stream: %u of %u bytes read%s, and no application was told of an error",
                  "AB"[h], (unsigned)rcv->received, (unsigned)snd->to_send, rcv->eof ? " then EOF" : "");
    if (rcv->eof && rcv->received != snd->to_send && !snd->cut && snd->err == TCP_OK)
        prop_fail(r, "%c's stream ended early with EOF at %u of %u bytes", "AB"[h],
                  (unsigned)rcv->received, (unsigned)snd->to_send);
}

static void
prop_check_end(struct prop_run *r)
{
    for (uint32_t id = 1; id <= r->w->nconns; id++) {
        const struct tcp_conn *c = world_conn(r->w, id);
        if (c->state != TCP_CLOSED)
            prop_fail(r, "%s still %s at t=%.3f s", c->name, tcp_state_rfc(c->state), clk_to_sec(world_now(r->w)));
        if (c->zc_head)
            prop_fail(r, "%s: CLOSED, yet it keeps the user's memory (zero-copy)", c->name);
        for (int t = 0; t < TCP_TIMER_COUNT; t++)
            if (tcp_timer_left(c, (enum tcp_timer)t) != -1)
                prop_fail(r, "%s: timer %s armed after the run", c->name, tcp_timer_name((enum tcp_timer)t));
    }
    for (int h = 0; h < 2; h++) {
        const struct prop_side *s = &r->side[h];
        if ((r->variant & PROP_ZEROCOPY) && s->c && tcp_zerocopy_done(s->c) != s->queued)
            prop_fail(r, "%c queued %u octets zero-copy, %llu given back", "AB"[h], (unsigned)s->queued,
                      (unsigned long long)tcp_zerocopy_done(s->c));
    }
    if (r->side[0].c && r->side[0].err == TCP_OK && !r->side[1].c && r->side[0].c->error == TCP_OK && !r->side[0].cut
        && r->side[0].to_send > 0)
        prop_fail(r, "B never accepted, yet A saw no error");
    prop_check_stream(r, 0);
    prop_check_stream(r, 1);
}

/* How a range of runs ended, printed so a reader sees the properties were exercised. */
struct prop_tally {
    int runs, complete, errors, cut;
    int by_err[TCP_ERR_COUNT];
};

static void
prop_count(struct prop_tally *t, const struct prop_run *r)
{
    const struct prop_side *a = &r->side[0], *b = &r->side[1];
    t->runs++;
    if (a->cut || b->cut)
        t->cut++;
    else if (a->err != TCP_OK || b->err != TCP_OK || (a->c && a->c->error != TCP_OK)
             || (b->c && b->c->error != TCP_OK))
        t->errors++;
    else
        t->complete++;
    enum tcp_err e = a->c && a->c->error != TCP_OK ? a->c->error : a->err;
    if (e == TCP_OK && b->c)
        e = b->c->error != TCP_OK ? b->c->error : b->err;
    t->by_err[e]++;
}

/* One run; returns true when every property held, else prints why with the replay command. */
static bool
prop_run_one(uint64_t seed, bool verbose, unsigned variant, struct prop_tally *tally, uint64_t *hash)
{
    struct prop_run r;
    prop_setup(&r, seed, verbose, variant);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    assert_int_equal(tcp_open_passive(&r.w->host[FX_B], FX_SPORT, NULL, &r.l), TCP_OK);
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&r.w->host[FX_A], r.w->host[FX_B].addr, FX_SPORT, &o, &r.side[0].c), TCP_OK);
    while (!r.why[0] && !prop_all_closed(&r)) {
        clk_time next = world_next_time(r.w);
        if (next == CLK_NEVER) /* nothing scheduled: only the applications can move */
            next = world_now(r.w) + PROP_APP_PATIENCE + 1;
        if (next > PROP_HORIZON) {
            prop_fail(&r, "not every socket CLOSED after %.0f s", clk_to_sec(PROP_HORIZON));
            break;
        }
        world_run_until_time(r.w, next);
        prop_apps(&r);
    }
    /* Let the stack finish by itself (TIME-WAIT, retransmissions to a dead peer). */
    world_run_until_time(r.w, world_now(r.w) + CLK_SEC(2000));
    prop_check_end(&r);
    bool ok = !r.why[0];
    if (!ok || verbose) {
        const struct prop_side *a = &r.side[0], *b = &r.side[1];
        printf("%s seed %llu: %s\n  A sends %u (end %d%s, err %s), B sends %u (end %d%s, err %s)\n"
               "  replay: TCPSIM_SEED=%llu build/san/tests/test_properties (variant %u)\n",
               ok ? "ok" : "PROPERTY FAILED", (unsigned long long)seed, ok ? "all properties hold" : r.why,
               (unsigned)a->to_send, (int)a->end, a->first ? " first" : "", tcp_err_name(a->err),
               (unsigned)b->to_send, (int)b->end, b->first ? " first" : "", tcp_err_name(b->err),
               (unsigned long long)seed, variant);
    }
    if (tally)
        prop_count(tally, &r);
    if (hash)
        *hash = r.hash;
    world_free(r.w);
    return ok;
}

/* Runs seeds [first, first + n); fails the test if any run failed. */
static void
prop_run_range(uint64_t first, uint64_t n, unsigned variant)
{
    const char *only = getenv("TCPSIM_SEED");
    if (only) {
        uint64_t seed = strtoull(only, NULL, 10);
        if (seed >= first && seed < first + n)
            assert_true(prop_run_one(seed, true, variant, NULL, NULL));
        return;
    }
    int failed = 0;
    struct prop_tally t;
    memset(&t, 0, sizeof t);
    for (uint64_t s = first; s < first + n; s++)
        if (!prop_run_one(s, false, variant, &t, NULL) && ++failed >= 5)
            break;
    printf("  seeds %llu-%llu%s: %d runs, %d complete both ways, %d ended by an error (ETIMEDOUT %d, "
           "ECONNRESET %d, ECONNREFUSED %d), %d cut by an application (abort or early close)\n",
           (unsigned long long)first, (unsigned long long)(first + n - 1),
           (variant & PROP_DELAYED_ACK) ? " (delayed ACK, Linux)" : (variant & PROP_DELAYED_ACK_RFC) ? " (delayed ACK, RFC 1122)"
           : (variant & PROP_ZEROCOPY) ? " (zero-copy)" : "", t.runs, t.complete, t.errors,
           t.by_err[TCP_ETIMEDOUT], t.by_err[TCP_ECONNRESET], t.by_err[TCP_ECONNREFUSED], t.cut);
    assert_int_equal(failed, 0);
}

static void test_properties_seeds_1_to_500(void **state) { (void)state; prop_run_range(1, 500, 0); }
static void test_properties_seeds_501_to_1000(void **state) { (void)state; prop_run_range(501, 500, 0); }
static void test_properties_seeds_1001_to_1500(void **state) { (void)state; prop_run_range(1001, 500, 0); }
static void test_properties_seeds_1501_to_2000(void **state) { (void)state; prop_run_range(1501, 500, 0); }
static void test_properties_delayed_ack_seeds_1_to_500(void **state) { (void)state; prop_run_range(1, 500, PROP_DELAYED_ACK); }
static void test_properties_rfc1122_delayed_ack_seeds_1_to_500(void **state) { (void)state; prop_run_range(1, 500, PROP_DELAYED_ACK_RFC); }
static void test_properties_zerocopy_seeds_1_to_500(void **state) { (void)state; prop_run_range(1, 500, PROP_ZEROCOPY); }

/* Header prediction is only a shortcut: with it and without it, every event of a run is the
   same, with ACKs delayed or not. */
static void
test_properties_header_prediction_changes_no_event(void **state)
{
    (void)state;
    int differ = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        unsigned delack = seed % 3 == 1 ? PROP_DELAYED_ACK : seed % 3 == 2 ? PROP_DELAYED_ACK_RFC : 0;
        uint64_t fast = 0, full = 0;
        (void)prop_run_one(seed, false, PROP_HASH | delack, NULL, &fast);
        (void)prop_run_one(seed, false, PROP_HASH | PROP_NO_PREDICTION | delack, NULL, &full);
        if (fast != full && differ++ < 5)
            printf("  seed %llu%s: the events differ with header prediction off\n", (unsigned long long)seed,
                   delack ? " (delayed ACK)" : "");
    }
    printf("  seeds 1-300: %d runs whose events differ with header prediction off\n", differ);
    assert_int_equal(differ, 0);
}

/* The checker itself must be able to fail: a run whose receiver is fed a wrong byte. */
static void
test_properties_checker_detects_corruption(void **state)
{
    (void)state;
    struct prop_run r;
    prop_setup(&r, 7, false, 0);
    r.side[0].to_send = 10;
    r.side[1].received = 0;
    r.side[1].eof = true;
    prop_check_stream(&r, 0);
    assert_true(r.why[0] != '\0'); /* EOF after 0 of 10 bytes, nobody told */
    world_free(r.w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_properties_checker_detects_corruption),
        cmocka_unit_test(test_properties_seeds_1_to_500),
        cmocka_unit_test(test_properties_seeds_501_to_1000),
        cmocka_unit_test(test_properties_seeds_1001_to_1500),
        cmocka_unit_test(test_properties_seeds_1501_to_2000),
        cmocka_unit_test(test_properties_delayed_ack_seeds_1_to_500),
        cmocka_unit_test(test_properties_rfc1122_delayed_ack_seeds_1_to_500),
        cmocka_unit_test(test_properties_zerocopy_seeds_1_to_500),
        cmocka_unit_test(test_properties_header_prediction_changes_no_event),
    };
    return cmocka_run_group_tests_name("properties", tests, NULL, NULL);
}
