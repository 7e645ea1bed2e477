/*
 * test_transfer.c - transfer integrity: hundreds of seeded runs move random amounts of data
 * (up to ~200 KB) both ways over a wire with random loss (up to 20%), duplication, reordering,
 * jitter and bandwidth, closing in random orders. Each run must deliver each byte stream
 * exactly once and in order, or report an error (ETIMEDOUT, ECONNRESET) to the application;
 * every socket must end CLOSED. A failing run prints its seed.
 *
 * The applications are simple: every 10 ms of virtual time each side sends what fits, reads
 * what has arrived (checking every octet against the stream it expects), shuts its sending
 * side down or closes once it has sent everything, and closes after the end of stream.
 * A second test turns keep-alive on (short intervals): it must not invent failures.
 */
#include "conf.h"

#define TR_RUNS 300
#define TR_MAX_BYTES 200000
#define TR_SLICE CLK_MSEC(10)
#define TR_LIMIT CLK_SEC(4000)

/* The octet at 'off' of the stream sent by host 'dir'. */
static uint8_t
tr_byte(int dir, uint64_t seed, uint32_t off)
{
    return (uint8_t)(off * 7u + off / 251u + (uint32_t)seed * 13u + (uint32_t)dir * 101u);
}

/* One application end. */
struct tr_end {
    struct tcp_conn *c;
    int dir;                 /* host index */
    uint32_t to_send, sent;  /* octets of its stream, and queued so far */
    uint32_t received;       /* octets of the peer's stream read so far */
    clk_time start_at;       /* when it starts sending */
    bool shutdown_first;     /* shut down when sent, close at EOF (else close when both) */
    bool shut, eof, closed;
    bool connected;          /* the connection has been open (connect() returned) */
    enum tcp_err err;        /* error reported to it, TCP_OK if none */
};

/* One 10 ms turn of the application at 'e'; false when the run must stop (data mismatch). */
static bool
tr_turn(struct tr_end *e, uint64_t seed, clk_time now, char *why, size_t cap)
{
    uint8_t buf[16384];
    if (!e->c || e->err != TCP_OK || e->closed)
        return true;
    if (e->c->state == TCP_CLOSED && e->c->error != TCP_OK) {
        e->err = e->c->error;
        return true;
    }
    while (now >= e->start_at && e->sent < e->to_send && !e->shut) {
        uint32_t n = e->to_send - e->sent < sizeof buf ? e->to_send - e->sent : (uint32_t)sizeof buf;
        for (uint32_t i = 0; i < n; i++)
            buf[i] = tr_byte(e->dir, seed, e->sent + i);
        size_t q = 0;
        enum tcp_err err = tcp_send(e->c, buf, n, &q);
        e->sent += (uint32_t)q;
        if (err == TCP_ENOBUFS || q < n)
            break;
        if (err != TCP_OK) {
            e->err = err;
            return true;
        }
    }
    for (;;) {
        size_t got = 0;
        enum tcp_err err = tcp_receive(e->c, buf, sizeof buf, &got);
        for (size_t i = 0; i < got; i++) {
            if (buf[i] != tr_byte(1 - e->dir, seed, e->received)) {
                snprintf(why, cap, "host %c: octet %u of the stream is wrong", 'A' + e->dir, e->received);
                return false;
            }
            e->received++;
        }
        if (err == TCP_EOF)
            e->eof = true;
        else if (err != TCP_OK)
            e->err = err;
        if (got == 0 || err != TCP_OK)
            break;
    }
    if (e->err != TCP_OK)
        return true;
    /* the connection must be open before its sending side can be shut (connect() returned);
       once it has been, the application closes its socket at EOF even if the connection is
       already gone (an RST from a peer that has finished ends TIME-WAIT, tcp_rfc1337 0,
       before this application's next turn) */
    if (e->c->state >= TCP_ESTABLISHED)
        e->connected = true;
    bool done_sending = e->sent == e->to_send && now >= e->start_at && e->connected;
    if (done_sending && e->shutdown_first && !e->shut) {
        e->shut = true;
        e->err = tcp_shutdown(e->c);
    }
    if (done_sending && e->eof && !e->closed) {
        e->closed = true;
        e->shut = true;
        (void)tcp_close(e->c);
    }
    return true;
}

static void
tr_link(struct rng *r, struct world *w, int from)
{
    struct wire_link s = w->wire.link[from], *l = &s;
    l->delay = CLK_MSEC(1 + rng_below(r, 20));
    l->jitter = rng_below(r, 2) ? (clk_time)rng_below(r, 5000) * 1000 : 0;
    l->loss = rng_unit(r) * 0.20;
    l->dup = rng_unit(r) * 0.10;
    l->reorder = rng_unit(r) * 0.20;
    l->bandwidth = rng_below(r, 2) ? (uint64_t)(1 + rng_below(r, 100)) * 1000000u : 0;
    wire_link_set(w, from, l);
}

/* One seeded run; returns false with 'why' set when it breaks the contract. */
static bool
tr_run(uint64_t seed, bool keepalive, int *errors, char *why, size_t cap)
{
    struct world_config cfg = {.seed = seed, .preset = TCP_PRESET_LINUX};
    struct world *w = world_new(&cfg);
    struct rng r;
    rng_seed(&r, seed * 7919u + 17u);
    for (int h = 0; h < 2; h++) {
        tr_link(&r, w, h);
        w->host[h].cfg.keepalive = keepalive;
        w->host[h].cfg.keepalive_time = CLK_SEC(60);
        w->host[h].cfg.keepalive_intvl = CLK_SEC(10);
        w->host[h].cfg.keepalive_probes = 6;
        /* A closed socket gives up after tcp_retries2 here, as a socket still open does. Linux's
           own limit for closed sockets (tcp_orphan_retries: 8, about 100 s of a 200 ms RTO,
           and less time than that when the RTO is backed off) gives up silently, and at 20 %
           loss it sometimes does: the peer, shut down but not closed, then waits in FIN-WAIT-2
           for ever with no error to report, which this test's contract does not allow. */
        w->host[h].cfg.orphan_retries = -1;
    }
    struct tcp_conn *l = NULL;
    struct tr_end e[2];
    memset(e, 0, sizeof e);
    for (int h = 0; h < 2; h++) {
        e[h].dir = h;
        e[h].to_send = rng_below(&r, TR_MAX_BYTES + 1);
        e[h].start_at = CLK_MSEC(rng_below(&r, 500));
        e[h].shutdown_first = rng_below(&r, 2) == 0;
    }
    if (!e[0].shutdown_first && !e[1].shutdown_first) /* someone must send its FIN first */
        e[rng_below(&r, 2)].shutdown_first = true;
    bool ok = tcp_open_passive(&w->host[1], 80, NULL, &l) == TCP_OK
              && tcp_open_active(&w->host[0], w->host[1].addr, 80, NULL, &e[0].c) == TCP_OK;
    if (!ok)
        snprintf(why, cap, "cannot open");
    clk_time now = 0;
    while (ok && now < TR_LIMIT) {
        now += TR_SLICE;
        world_run_until_time(w, now);
        if (!e[1].c && l->state == TCP_LISTEN)
            (void)tcp_accept(l, &e[1].c);
        for (int h = 0; h < 2 && ok; h++)
            ok = tr_turn(&e[h], seed, now, why, cap);
        bool finished = true;
        for (int h = 0; h < 2; h++)
            finished = finished && (e[h].err != TCP_OK || e[h].closed || (h == 1 && !e[1].c && e[0].err != TCP_OK));
        if (finished)
            break;
    }
    if (ok && e[1].c == NULL && e[0].err == TCP_OK) {
        snprintf(why, cap, "never connected, no error reported");
        ok = false;
    }
    for (int h = 0; h < 2 && ok; h++) {
        struct tr_end *x = &e[h];
        if (x->err == TCP_OK && !(x->closed && x->received == e[1 - h].to_send)) {
            snprintf(why, cap, "host %c: received %u of %u octets, eof %d closed %d, state %s, no error",
                     'A' + h, x->received, e[1 - h].to_send, x->eof, x->closed,
                     x->c ? tcp_state_rfc(x->c->state) : "-");
            ok = false;
        }
        if (x->err != TCP_OK) {
            (*errors)++;
            if (x->err != TCP_ETIMEDOUT && x->err != TCP_ECONNRESET && x->err != TCP_ECONNREFUSED) {
                snprintf(why, cap, "host %c: unexpected error %s", 'A' + h, tcp_err_name(x->err));
                ok = false;
            }
        }
    }
    if (ok && l)
        (void)tcp_close(l);
    world_run_until_time(w, now + CLK_SEC(600));
    for (uint32_t i = 0; ok && i < w->nconns; i++) {
        if (w->conns[i]->state != TCP_CLOSED) {
            snprintf(why, cap, "%s still %s", w->conns[i]->name, tcp_state_rfc(w->conns[i]->state));
            ok = false;
        }
    }
    if (!ok) {
        size_t k = strlen(why);
        for (int h = 0; h < 2; h++)
            k += (size_t)snprintf(why + k, k < cap ? cap - k : 0, "; %c: sent %u/%u recv %u eof %d shut %d closed %d err %s %s",
                                  'A' + h, e[h].sent, e[h].to_send, e[h].received, e[h].eof, e[h].shut,
                                  e[h].closed, tcp_err_name(e[h].err), e[h].c ? tcp_state_rfc(e[h].c->state) : "-");
    }
    world_free(w);
    return ok;
}

/* Every seeded run delivers both streams exactly once, in order, or reports an error. */
static void
test_transfer_lossy_wire_streams_intact(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    int errors = 0;
    for (uint64_t seed = 1; seed <= TR_RUNS; seed++) {
        char why[600] = "";
        if (!tr_run(seed, false, &errors, why, sizeof why))
            fail_msg("transfer run with seed %llu failed: %s", (unsigned long long)seed, why);
    }
    print_message("transfer: %d runs, %d error(s) reported to the application\n", TR_RUNS, errors);
    assert_true(errors < TR_RUNS / 10);
}

/* With keep-alive on, a connection busy retransmitting (or waiting for the ACK of its FIN)
   must not be declared dead by keep-alive: the same runs report no error. */
static void
test_transfer_keepalive_on_no_false_timeouts(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    CF_ENGINE_BUG(KEEPALIVE_BUSY);
    int errors = 0;
    for (uint64_t seed = 1; seed <= TR_RUNS / 3; seed++) {
        char why[600] = "";
        if (!tr_run(seed, true, &errors, why, sizeof why))
            fail_msg("transfer run with seed %llu failed: %s", (unsigned long long)seed, why);
        if (errors)
            fail_msg("transfer run with seed %llu: keep-alive reported an error", (unsigned long long)seed);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfer_lossy_wire_streams_intact),
        cmocka_unit_test(test_transfer_keepalive_on_no_false_timeouts),
    };
    return cmocka_run_group_tests_name("transfer", tests, NULL, NULL);
}
