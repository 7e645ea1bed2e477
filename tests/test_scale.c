/*
 * test_scale.c - many connections on one host (issue #17): ephemeral ports per destination and
 * EADDRNOTAVAIL (Linux inet_hash_connect), the per-host limit on open sockets (nofile, EMFILE),
 * tcp_max_tw_buckets (Linux tcp_time_wait), the counts per state (host:ss), demultiplexing
 * among thousands of connections, and buffers that exist only once data flows.
 */
#include "conf.h"
#include "../sim/tcp_internal.h"

/* A connects to B:'port' from an ephemeral port: A's socket, or NULL with '*err'. */
static struct tcp_conn *
sc_connect(struct fx *f, uint16_t port, enum tcp_err *err)
{
    struct tcp_conn *c = NULL;
    *err = tcp_open_active(&f->w->host[FX_A], f->w->host[FX_B].addr, port, NULL, &c);
    return c;
}

/* A world with B listening on 80 and two ephemeral ports on A, 40000 and 40001: A. */
static struct tcp_host *
sc_two_ports(struct fx *f)
{
    fx_init(f, false);
    struct tcp_host *a = &f->w->host[FX_A];
    a->cfg.port_lo = 40000;
    a->cfg.port_hi = 40001;
    a->next_port = 40000;
    fx_listen(f);
    return a;
}

/* A closes first 'n' connections to B:80, each after its handshake, B closing its end too:
   each of A's ends in TIME-WAIT. */
static void
sc_time_waits(struct fx *f, int n)
{
    for (int i = 0; i < n; i++) {
        enum tcp_err e;
        struct tcp_conn *c = sc_connect(f, FX_SPORT, &e), *s = NULL;
        assert_int_equal(e, TCP_OK);
        fx_run_ms(f, 5);
        assert_int_equal(tcp_accept(f->l, &s), TCP_OK);
        assert_non_null(s);
        assert_int_equal(tcp_close(c), TCP_OK);
        fx_run_ms(f, 5);
        assert_int_equal(tcp_close(s), TCP_OK);
        fx_run_ms(f, 5);
        assert_int_equal(c->state, TCP_TIME_WAIT);
    }
}

/* Two ephemeral ports, both held by TIME-WAIT towards B:80: the third connect() to B:80 fails
   with EADDRNOTAVAIL (not ENOBUFS), as Linux's does; B:81 is another destination and may use
   the same ports; once 2MSL is over the port is free again. */
static void
test_closed_connect_ports_in_time_wait_eaddrnotavail(void **state)
{
    (void)state;
    struct fx f;
    struct tcp_host *a = sc_two_ports(&f);
    struct tcp_conn *l81 = NULL;
    assert_int_equal(tcp_open_passive(&f.w->host[FX_B], 81, NULL, &l81), TCP_OK);
    sc_time_waits(&f, 2);
    assert_int_equal(a->nstate[TCP_TIME_WAIT], 2);
    enum tcp_err e;
    assert_null(sc_connect(&f, FX_SPORT, &e));
    assert_int_equal(e, TCP_EADDRNOTAVAIL);
    assert_string_equal(tcp_err_name(e), "EADDRNOTAVAIL");
    assert_null(sc_connect(&f, FX_SPORT, &e)); /* answered from the memo: the same */
    assert_int_equal(e, TCP_EADDRNOTAVAIL);
    struct tcp_conn *c81 = sc_connect(&f, 81, &e);
    assert_int_equal(e, TCP_OK);
    assert_true(c81->lport == 40000 || c81->lport == 40001);
    fx_run_ms(&f, 60000); /* 2MSL = 60 s under linux */
    assert_int_equal(a->nstate[TCP_TIME_WAIT], 0);
    struct tcp_conn *c = sc_connect(&f, FX_SPORT, &e);
    assert_int_equal(e, TCP_OK);
    assert_non_null(c);
    fx_fini(&f);
}

/* A port that a listener holds is not one connect() picks, even towards another destination
   (Linux: a bind() bucket is not shared with connect()). */
static void
test_closed_connect_skips_port_of_listener(void **state)
{
    (void)state;
    struct fx f;
    struct tcp_host *a = sc_two_ports(&f);
    struct tcp_conn *al = NULL;
    assert_int_equal(tcp_open_passive(a, 40000, NULL, &al), TCP_OK);
    enum tcp_err e;
    struct tcp_conn *c = sc_connect(&f, FX_SPORT, &e);
    assert_int_equal(e, TCP_OK);
    assert_int_equal(c->lport, 40001);
    assert_null(sc_connect(&f, FX_SPORT, &e)); /* 40001 holds the pair, 40000 is the listener's */
    assert_int_equal(e, TCP_EADDRNOTAVAIL);
    fx_fini(&f);
}

/* nofile 2: a listener and one connection fill it; the next connect() and listen() fail with
   EMFILE; a connection waiting to be accepted stays queued until close() frees a descriptor. */
static void
test_listen_accept_past_nofile_emfile(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    struct tcp_host *b = &f.w->host[FX_B];
    b->cfg.nofile = 2;
    fx_listen(&f);
    enum tcp_err e;
    struct tcp_conn *c1 = sc_connect(&f, FX_SPORT, &e), *c2 = sc_connect(&f, FX_SPORT, &e);
    assert_non_null(c1);
    assert_non_null(c2);
    fx_run_ms(&f, 5);
    struct tcp_conn *s1 = NULL, *s2 = NULL, *x = NULL;
    assert_int_equal(tcp_accept(f.l, &s1), TCP_OK);
    assert_non_null(s1);
    assert_int_equal(b->nfiles, 2);
    assert_int_equal(tcp_accept(f.l, &s2), TCP_EMFILE);
    assert_null(s2);
    assert_int_equal(tcp_open_passive(b, 81, NULL, &x), TCP_EMFILE);
    assert_int_equal(tcp_open_active(b, f.w->host[FX_A].addr, 22, NULL, &x), TCP_EMFILE);
    assert_int_equal(tcp_close(s1), TCP_OK);
    assert_int_equal(b->nfiles, 1);
    assert_int_equal(tcp_accept(f.l, &s2), TCP_OK); /* still queued */
    assert_non_null(s2);
    assert_int_equal(s2->state, TCP_ESTABLISHED);
    fx_fini(&f);
}

/* tcp_max_tw_buckets 1: the first connection to close first waits in TIME-WAIT; the second
   finds the table full: the peer's FIN is ACKed and the connection closes at once, by rule
   TIME_WAIT_OVERFLOW (Linux tcp_time_wait: TCPTimeWaitOverflow). */
static void
test_fin_wait_2_fin_tw_buckets_full_closed(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    struct tcp_host *a = &f.w->host[FX_A];
    a->cfg.max_tw_buckets = 1;
    fx_listen(&f);
    sc_time_waits(&f, 1);
    enum tcp_err e;
    struct tcp_conn *c = sc_connect(&f, FX_SPORT, &e), *s = NULL;
    fx_run_ms(&f, 5);
    assert_int_equal(tcp_accept(f.l, &s), TCP_OK);
    assert_int_equal(tcp_close(c), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(c->state, TCP_FIN_WAIT_2);
    fx_mark(&f);
    assert_int_equal(tcp_close(s), TCP_OK);
    fx_run_ms(&f, 1.5); /* B's FIN arrives at 1 ms; A's ACK is sent then */
    cf_state(c, TCP_CLOSED, TCP_RULE_TIME_WAIT_OVERFLOW);
    CF_EXPECT(&f, FX_A, {TCP_ACK, c->snd_nxt, c->rcv_nxt, 0});
    cf_timers(c, CF_NO_TIMERS);
    assert_int_equal(a->nstate[TCP_TIME_WAIT], 1);
    fx_run_ms(&f, 5);
    assert_int_equal(s->state, TCP_CLOSED); /* the ACK ended B's LAST-ACK */
    fx_fini(&f);
}

/* The counts per state follow every transition: 3 connections established, then TIME-WAIT. */
static void
test_established_counts_per_state(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    struct tcp_host *a = &f.w->host[FX_A], *b = &f.w->host[FX_B];
    fx_listen(&f);
    assert_int_equal(b->nstate[TCP_LISTEN], 1);
    sc_time_waits(&f, 3);
    assert_int_equal(a->nstate[TCP_TIME_WAIT], 3);
    assert_int_equal(a->nstate[TCP_ESTABLISHED], 0);
    assert_int_equal(b->nstate[TCP_ESTABLISHED], 0);
    assert_int_equal(b->nstate[TCP_LAST_ACK], 0);
    assert_int_equal(b->serial, 4); /* the listener and three accepted, closed */
    enum tcp_err e;
    struct tcp_conn *c = sc_connect(&f, FX_SPORT, &e);
    assert_non_null(c);
    assert_int_equal(a->nstate[TCP_SYN_SENT], 1);
    fx_run_ms(&f, 5);
    assert_int_equal(a->nstate[TCP_ESTABLISHED], 1);
    assert_int_equal(b->nstate[TCP_ESTABLISHED], 1);
    fx_fini(&f);
}

/* 3,000 connections at once: each segment finds its own (a byte sent on each one arrives on
   its peer), as the table grows from 64 buckets. */
static void
test_established_thousands_demux_each_its_own(void **state)
{
    (void)state;
    enum { N = 3000 };
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    f.l->backlog = N;
    static struct tcp_conn *cs[N], *ss[N];
    enum tcp_err e;
    for (int i = 0; i < N; i++) {
        cs[i] = sc_connect(&f, FX_SPORT, &e);
        assert_int_equal(e, TCP_OK);
    }
    fx_run_ms(&f, 5);
    for (int i = 0; i < N; i++) {
        assert_int_equal(tcp_accept(f.l, &ss[i]), TCP_OK);
        assert_non_null(ss[i]);
        assert_int_equal(ss[i]->rport, cs[i]->lport);
    }
    assert_true(f.w->host[FX_B].hash_mask + 1 >= N);
    for (int i = 0; i < N; i++) {
        uint8_t byte = (uint8_t)i;
        size_t q;
        assert_int_equal(tcp_send(cs[i], &byte, 1, &q), TCP_OK);
    }
    fx_run_ms(&f, 5);
    for (int i = 0; i < N; i++) {
        uint8_t byte = 0;
        size_t got = 0;
        assert_int_equal(tcp_receive(ss[i], &byte, 1, &got), TCP_OK);
        assert_int_equal(got, 1);
        assert_int_equal(byte, (uint8_t)i);
    }
    fx_fini(&f);
}

/* An idle established connection holds no buffer memory: its rings have their sizes, their
   memory comes with the first octet. */
static void
test_established_idle_no_buffers(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    assert_null(f.a->sndq.buf);
    assert_null(f.a->rcvq.buf);
    assert_null(f.b->rcvq.buf);
    assert_true(f.a->sndq.cap > 0);
    assert_int_equal(tcp_writable(f.a), f.a->sndq.cap);
    size_t q;
    assert_int_equal(tcp_send(f.a, "hello", 5, &q), TCP_OK);
    assert_non_null(f.a->sndq.buf);
    fx_run_ms(&f, 5);
    assert_non_null(f.b->rcvq.buf); /* five octets: copied, not kept */
    uint8_t buf[8];
    size_t got = 0;
    assert_int_equal(tcp_receive(f.b, buf, sizeof buf, &got), TCP_OK);
    assert_int_equal(got, 5);
    assert_memory_equal(buf, "hello", 5);
    fx_fini(&f);
}

/* A TCB entering TIME-WAIT gives its block of timers back, keeping the 2MSL timer in the TCB;
   the deleted TCB points at the world's never-armed block, and the next connection takes the
   block from the pool. */
static void
test_time_wait_2msl_expires_timers_back_to_pool(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_time_wait(&f);
    struct tcp_timers *b = f.w->timer_pool;
    assert_non_null(b);
    assert_ptr_equal(f.a->timers, &f.w->timers_none);
    assert_true(tcp_timer_armed(f.a, TCP_TIMER_TIMEWAIT));
    fx_run_ms(&f, 60001);
    assert_int_equal(f.a->state, TCP_CLOSED);
    assert_ptr_equal(f.a->timers, &f.w->timers_none);
    assert_false(tcp_timer_armed(f.a, TCP_TIMER_TIMEWAIT));
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT), -1);
    enum tcp_err e;
    struct tcp_conn *c = sc_connect(&f, FX_SPORT, &e);
    assert_non_null(c);
    assert_ptr_equal(c->timers, b);
    assert_true(tcp_timer_armed(c, TCP_TIMER_REXMIT));
    fx_fini(&f);
}

/* A deleted connection's ring memory goes to the world's pool; the next connection's first
   send takes it from there instead of allocating. */
static void
test_closed_ring_memory_reused_from_pool(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    size_t q;
    assert_int_equal(tcp_send(f.a, "abc", 3, &q), TCP_OK);
    const uint8_t *mem = f.a->sndq.buf;
    assert_non_null(mem);
    assert_int_equal(tcp_abort(f.a), TCP_OK);
    assert_null(f.a->sndq.buf);
    assert_true(f.w->pool.bytes >= (size_t)f.w->host[FX_A].cfg.wmem[1]);
    enum tcp_err e;
    struct tcp_conn *c = sc_connect(&f, FX_SPORT, &e);
    fx_run_ms(&f, 5);
    assert_int_equal(c->state, TCP_ESTABLISHED);
    assert_null(c->sndq.buf);
    assert_int_equal(tcp_send(c, "def", 3, &q), TCP_OK);
    assert_ptr_equal(c->sndq.buf, mem);
    fx_fini(&f);
}

/* TIME-WAIT keeps no ring memory: B answers a request (both copied into rings) and shuts
   down first; A sends a last word and closes. B's TIME-WAIT gives the send ring back at once,
   the receive ring once the last word is read. */
static void
test_time_wait_no_ring_memory(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    size_t q, got;
    uint8_t buf[16];
    assert_int_equal(tcp_send(f.a, "GET /", 5, &q), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(tcp_receive(f.b, buf, sizeof buf, &got), TCP_OK);
    assert_non_null(f.b->rcvq.buf); /* empty, but more may come */
    assert_int_equal(tcp_send(f.b, "200 OK", 6, &q), TCP_OK);
    assert_non_null(f.b->sndq.buf);
    assert_int_equal(tcp_shutdown(f.b), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(f.a->state, TCP_CLOSE_WAIT);
    assert_int_equal(tcp_receive(f.a, buf, sizeof buf, &got), TCP_OK); /* the reply */
    assert_int_equal(tcp_send(f.a, "bye", 3, &q), TCP_OK);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(f.b->state, TCP_TIME_WAIT);
    assert_null(f.b->sndq.buf);
    assert_non_null(f.b->rcvq.buf); /* "bye" waits to be read */
    assert_int_equal(tcp_receive(f.b, buf, sizeof buf, &got), TCP_OK);
    assert_int_equal(got, 3);
    assert_memory_equal(buf, "bye", 3);
    assert_null(f.b->rcvq.buf);
    assert_int_equal(tcp_receive(f.b, buf, sizeof buf, &got), TCP_EOF);
    fx_fini(&f);
}

/* Closing a listener resets its unaccepted connections oldest first, whatever else the host
   has had: found among its live connections, not among every connection ever made. */
/* A name finds its connection through the host's serials, not a walk through every connection
   ever made: "a3" is A's third in any case; a leading zero, no number, a number past the last
   or an unknown host find none (the names tcp_conn_create gives, nothing else). */
static void
test_time_wait_conn_by_name_each_by_serial(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f); /* B1 */
    sc_time_waits(&f, 40);
    struct world *w = f.w;
    for (uint32_t id = 1; id <= w->nconns; id++) {
        const struct tcp_conn *c = world_conn(w, id);
        assert_ptr_equal(world_conn_by_name(w, c->name), c);
        char lower[sizeof c->name];
        snprintf(lower, sizeof lower, "%c%s", c->name[0] + ('a' - 'A'), c->name + 1);
        assert_ptr_equal(world_conn_by_name(w, lower), c);
    }
    assert_int_equal(w->serials[FX_A].n, 40);
    assert_int_equal(w->serials[FX_B].n, 41);
    assert_string_equal(world_conn(w, w->serials[FX_A].id[2])->name, "A3");
    const char *none[] = {"A0", "A03", "A", "", "A41", "B42", "C1", "A3x", "A99999999999", "AB1"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        assert_null(world_conn_by_name(w, none[i]));
    fx_fini(&f);
}

static void
test_listen_close_resets_waiting_children_in_order(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    sc_time_waits(&f, 20); /* closed records the close must not walk */
    enum tcp_err e;
    for (int i = 0; i < 3; i++)
        assert_non_null(sc_connect(&f, FX_SPORT, &e));
    fx_run_ms(&f, 5);
    fx_mark(&f);
    assert_int_equal(tcp_close(f.l), TCP_OK);
    struct tcp_seg sent[8];
    assert_int_equal(fx_sent(&f, FX_B, sent, 8), 3);
    for (int i = 0; i < 3; i++) {
        assert_true(sent[i].flags & TCP_RST);
        if (i > 0)
            assert_true(sent[i].dport > sent[i - 1].dport);
    }
    assert_int_equal(f.w->host[FX_B].nstate[TCP_ESTABLISHED], 0);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_connect_ports_in_time_wait_eaddrnotavail),
        cmocka_unit_test(test_closed_connect_skips_port_of_listener),
        cmocka_unit_test(test_listen_accept_past_nofile_emfile),
        cmocka_unit_test(test_fin_wait_2_fin_tw_buckets_full_closed),
        cmocka_unit_test(test_established_counts_per_state),
        cmocka_unit_test(test_established_thousands_demux_each_its_own),
        cmocka_unit_test(test_established_idle_no_buffers),
        cmocka_unit_test(test_time_wait_2msl_expires_timers_back_to_pool),
        cmocka_unit_test(test_listen_close_resets_waiting_children_in_order),
        cmocka_unit_test(test_closed_ring_memory_reused_from_pool),
        cmocka_unit_test(test_time_wait_no_ring_memory),
        cmocka_unit_test(test_time_wait_conn_by_name_each_by_serial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
