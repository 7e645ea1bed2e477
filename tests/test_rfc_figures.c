/*
 * test_rfc_figures.c - the example exchanges of RFC 9293 §3.5 and §3.6, Figures 7 to 13, with
 * the RFC's own numbers: every segment's SEQ, ACK and flags and every state the figure shows.
 * (Figure 6, the basic handshake, is in test_handshake.c.) Where a figure starts from
 * "send 300, receive 100" (Figures 9, 10, 12, 13) the ISNs are 99 and 299, so that SND.NXT is
 * 100 for A and 300 for B once ESTABLISHED. Old duplicates are injected; delays and losses
 * are wire rules; a crash is tcp_host_crash().
 */
#include "conf.h"

/* The states 'c' went through since the world began, in order (TRACE_STATE events). */
static void
fig_states_at(const struct fx *f, const struct tcp_conn *c, const enum tcp_state *exp, size_t n, int line)
{
    size_t k = 0;
    for (size_t i = 0; i < f->log.len; i++) {
        const struct trace_event ev_ = trace_log_get(&f->log, i), *ev = &ev_;
        if (ev->kind != TRACE_STATE || ev->conn != c->id)
            continue;
        if (k >= n || ev->to_state != exp[k])
            fail_msg("line %d: %s's state %zu is %s, expected %s", line, c->name, k,
                     tcp_state_rfc(ev->to_state), k < n ? tcp_state_rfc(exp[k]) : "nothing more");
        k++;
    }
    if (k != n)
        fail_msg("line %d: %s went through %zu states, expected %zu", line, c->name, k, n);
}
#define FIG_STATES(f, c, ...)                                                                  \
    do {                                                                                       \
        const enum tcp_state fig_exp_[] = {__VA_ARGS__};                                       \
        fig_states_at((f), (c), fig_exp_, sizeof fig_exp_ / sizeof fig_exp_[0], __LINE__);    \
    } while (0)

/* Open A:40000 -> B:80 actively, with ISS 'isn'. */
static struct tcp_conn *
fig_connect(struct fx *f, int64_t isn)
{
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    o.isn = isn;
    struct tcp_conn *c = NULL;
    assert_int_equal(tcp_open_active(&f->w->host[FX_A], f->w->host[FX_B].addr, FX_SPORT, &o, &c), TCP_OK);
    return c;
}

/* An ESTABLISHED pair where A will send 100 and B 300 ("send 300, receive 100"). */
static void
fig_established_100_300(struct fx *f)
{
    f->w->host[FX_A].cfg.isn = 99;
    f->w->host[FX_B].cfg.isn = 299;
    fx_established(f);
    assert_int_equal(f->a->snd_nxt, 100);
    assert_int_equal(f->b->snd_nxt, 300);
    f->mark = f->log.len;
}

/* Figure 7: simultaneous connection synchronization. */
static void
test_rfc9293_figure7_simultaneous_open(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    struct tcp_open_opts ob = TCP_OPEN_OPTS_DEFAULT;
    ob.lport = FX_SPORT;
    f.a = fig_connect(&f, -1);
    assert_int_equal(tcp_open_active(&f.w->host[FX_B], f.w->host[FX_A].addr, FX_CPORT, &ob, &f.b), TCP_OK);
    fx_run_ms(&f, 10);
    /* 2. SYN-SENT --> <SEQ=100><CTL=SYN>; 5. SYN-RECEIVED --> <SEQ=100><ACK=301><CTL=SYN,ACK> */
    CF_EXPECT(&f, FX_A, {TCP_SYN, 100, 0, 0}, {TCP_SYN | TCP_ACK, 100, 301, 0});
    /* 3. <-- <SEQ=300><CTL=SYN> <-- SYN-SENT; 6. <-- <SEQ=300><ACK=101><CTL=SYN,ACK> */
    CF_EXPECT(&f, FX_B, {TCP_SYN, 300, 0, 0}, {TCP_SYN | TCP_ACK, 300, 101, 0});
    FIG_STATES(&f, f.a, TCP_SYN_SENT, TCP_SYN_RECEIVED, TCP_ESTABLISHED);
    FIG_STATES(&f, f.b, TCP_SYN_SENT, TCP_SYN_RECEIVED, TCP_ESTABLISHED);
    cf_timers(f.a, CF_NO_TIMERS);
    cf_timers(f.b, CF_NO_TIMERS);
    fx_fini(&f);
}

/* Figure 8: recovery from an old duplicate SYN. */
static void
test_rfc9293_figure8_old_duplicate_syn(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    /* A's SYN is slow; the old duplicate <SEQ=90><CTL=SYN> overtakes it (line 3) */
    struct wire_rule slow = {.from = FX_A, .flags = TCP_SYN, .len = -1, .nth = 1, .count = 1,
                             .action = WIRE_DELAY, .by = CLK_MSEC(5)};
    wire_rule_add(f.w, &slow);
    f.a = fig_connect(&f, -1);
    struct tcp_seg old = {.saddr = f.w->host[FX_A].addr, .daddr = f.w->host[FX_B].addr, .sport = FX_CPORT,
                          .dport = FX_SPORT, .seq = 90, .flags = TCP_SYN, .wnd = 512};
    wire_inject(f.w, FX_A, &old);
    fx_run_ms(&f, 1.5);
    struct tcp_conn *first = cf_newest(&f);
    assert_int_equal(first->state, TCP_SYN_RECEIVED);
    f.w->host[FX_B].cfg.isn = 400; /* B's next ISS, line 7 */
    fx_run_ms(&f, 20);
    /* 2. --> <SEQ=100><CTL=SYN>; 5. --> <SEQ=91><CTL=RST>; 8. --> <SEQ=101><ACK=401><CTL=ACK> */
    CF_EXPECT(&f, FX_A, {TCP_SYN, 100, 0, 0}, {TCP_RST, 91, 0, 0}, {TCP_ACK, 101, 401, 0});
    /* 4. <-- <SEQ=300><ACK=91><CTL=SYN,ACK>; 7. <-- <SEQ=400><ACK=101><CTL=SYN,ACK> */
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, 300, 91, 0}, {TCP_SYN | TCP_ACK, 400, 101, 0});
    FIG_STATES(&f, f.a, TCP_SYN_SENT, TCP_ESTABLISHED);
    FIG_STATES(&f, first, TCP_SYN_RECEIVED, TCP_CLOSED); /* back to LISTEN: the listener stays */
    assert_int_equal(first->last_rule, TCP_RULE_RST_TO_LISTEN);
    struct tcp_conn *second = cf_newest(&f);
    FIG_STATES(&f, second, TCP_SYN_RECEIVED, TCP_ESTABLISHED);
    assert_int_equal(f.l->state, TCP_LISTEN);
    fx_fini(&f);
}

/* Figure 9: half-open connection discovery. */
static void
test_rfc9293_figure9_half_open_discovery(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fig_established_100_300(&f);
    tcp_host_crash(&f.w->host[FX_A]); /* 1. (CRASH) */
    assert_int_equal(f.a->state, TCP_CLOSED);
    fx_mark(&f);
    struct tcp_conn *a2 = fig_connect(&f, 400); /* 3. SYN-SENT --> <SEQ=400><CTL=SYN> */
    fx_run_ms(&f, 3.5);
    CF_EXPECT(&f, FX_A, {TCP_SYN, 400, 0, 0}, {TCP_RST, 100, 0, 0}); /* 5. --> <SEQ=100><CTL=RST> */
    CF_EXPECT(&f, FX_B, {TCP_ACK, 300, 100, 0});                     /* 4. <-- <SEQ=300><ACK=100><CTL=ACK> */
    assert_int_equal(a2->state, TCP_SYN_SENT);                        /* 6. SYN-SENT  CLOSED */
    cf_state(f.b, TCP_CLOSED, TCP_RULE_RST_RESET);                    /* 5. (Abort!!) */
    assert_int_equal(f.b->error, TCP_ECONNRESET);
    fx_mark(&f);
    fx_run_ms(&f, 1000); /* 7. SYN-SENT --> <SEQ=400><CTL=SYN> (the retransmission) */
    struct tcp_seg s[4];
    assert_true(cf_sent(&f, FX_A, s, 4) >= 1);
    assert_int_equal(s[0].flags, TCP_SYN);
    assert_int_equal(s[0].seq, 400);
    assert_int_equal(a2->state, TCP_ESTABLISHED); /* "reduced to the basic three-way handshake" */
    fx_fini(&f);
}

/* Figure 10: the active side causes half-open connection discovery. */
static void
test_rfc9293_figure10_active_side_half_open(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fig_established_100_300(&f);
    tcp_host_crash(&f.w->host[FX_A]);
    fx_mark(&f);
    cf_send(f.b, "0123456789");
    fx_run_ms(&f, 2.5);
    CF_EXPECT(&f, FX_B, {TCP_ACK, 300, 100, 10}); /* 2. <-- <SEQ=300><ACK=100><DATA=10><CTL=ACK> */
    CF_EXPECT(&f, FX_A, {TCP_RST, 100, 0, 0});    /* 3. --> <SEQ=100><CTL=RST> */
    cf_state(f.b, TCP_CLOSED, TCP_RULE_RST_RESET); /* (ABORT!!) */
    assert_int_equal(f.b->error, TCP_ECONNRESET);
    FIG_STATES(&f, f.b, TCP_SYN_RECEIVED, TCP_ESTABLISHED, TCP_CLOSED);
    fx_fini(&f);
}

/* Figure 11: an old duplicate SYN initiates a reset on two passive sockets. */
static void
test_rfc9293_figure11_old_syn_two_passive_sockets(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    struct tcp_conn *la = NULL;
    assert_int_equal(tcp_open_passive(&f.w->host[FX_A], FX_CPORT, NULL, &la), TCP_OK); /* 1. LISTEN */
    fx_listen(&f);                                                                     /*    LISTEN */
    struct tcp_seg old = {.saddr = f.w->host[FX_A].addr, .daddr = f.w->host[FX_B].addr, .sport = FX_CPORT,
                          .dport = FX_SPORT, .seq = 100, .flags = TCP_SYN, .wnd = 512};
    wire_inject(f.w, FX_A, &old); /* 2. ... <SEQ=Z><CTL=SYN> --> SYN-RECEIVED, Z = 100 */
    fx_run_ms(&f, 10);
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, 300, 101, 0}); /* 3. <-- <SEQ=X><ACK=Z+1><CTL=SYN,ACK> */
    CF_EXPECT(&f, FX_A, {TCP_RST, 101, 0, 0});             /* 4. --> <SEQ=Z+1><CTL=RST> */
    struct tcp_conn *embryo = cf_newest(&f);
    FIG_STATES(&f, embryo, TCP_SYN_RECEIVED, TCP_CLOSED);  /* (return to LISTEN!) */
    assert_int_equal(embryo->last_rule, TCP_RULE_RST_TO_LISTEN);
    assert_int_equal(la->state, TCP_LISTEN);               /* 5. LISTEN  LISTEN */
    assert_int_equal(f.l->state, TCP_LISTEN);
    assert_int_equal(f.l->synq_len, 0); /* its place in the SYN queue is free again */
    fx_fini(&f);
}

/* Figure 12: normal close sequence. */
static void
test_rfc9293_figure12_normal_close(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fig_established_100_300(&f);
    assert_int_equal(tcp_close(f.a), TCP_OK); /* 2. (Close) FIN-WAIT-1 */
    fx_run_ms(&f, 5);
    assert_int_equal(f.a->state, TCP_FIN_WAIT_2); /* 3. */
    assert_int_equal(f.b->state, TCP_CLOSE_WAIT);
    assert_int_equal(tcp_close(f.b), TCP_OK);     /* 4. (Close) LAST-ACK */
    assert_int_equal(f.b->state, TCP_LAST_ACK);
    fx_run_ms(&f, 5);
    /* 2. --> <SEQ=100><ACK=300><CTL=FIN,ACK>; 5. --> <SEQ=101><ACK=301><CTL=ACK> */
    CF_EXPECT(&f, FX_A, {TCP_FIN | TCP_ACK, 100, 300, 0}, {TCP_ACK, 101, 301, 0});
    /* 3. <-- <SEQ=300><ACK=101><CTL=ACK>; 4. <-- <SEQ=300><ACK=101><CTL=FIN,ACK> */
    CF_EXPECT(&f, FX_B, {TCP_ACK, 300, 101, 0}, {TCP_FIN | TCP_ACK, 300, 101, 0});
    assert_int_equal(f.a->state, TCP_TIME_WAIT); /* 5. TIME-WAIT  CLOSED */
    assert_int_equal(f.b->state, TCP_CLOSED);
    fx_run_ms(&f, 60000); /* 6. (2 MSL) CLOSED */
    FIG_STATES(&f, f.a, TCP_SYN_SENT, TCP_ESTABLISHED, TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, TCP_TIME_WAIT, TCP_CLOSED);
    FIG_STATES(&f, f.b, TCP_SYN_RECEIVED, TCP_ESTABLISHED, TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_CLOSED);
    assert_int_equal(f.a->last_rule, TCP_RULE_TIMER_TIME_WAIT);
    fx_fini(&f);
}

/* Figure 13: simultaneous close sequence. */
static void
test_rfc9293_figure13_simultaneous_close(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fig_established_100_300(&f);
    assert_int_equal(tcp_close(f.a), TCP_OK); /* 2. (Close) FIN-WAIT-1, both */
    assert_int_equal(tcp_close(f.b), TCP_OK);
    fx_run_ms(&f, 1.5);
    assert_int_equal(f.a->state, TCP_CLOSING); /* 3. CLOSING  CLOSING */
    assert_int_equal(f.b->state, TCP_CLOSING);
    fx_run_ms(&f, 1);
    assert_int_equal(f.a->state, TCP_TIME_WAIT); /* 4. TIME-WAIT  TIME-WAIT */
    assert_int_equal(f.b->state, TCP_TIME_WAIT);
    /* 2. --> <SEQ=100><ACK=300><CTL=FIN,ACK>; 3. --> <SEQ=101><ACK=301><CTL=ACK> */
    CF_EXPECT(&f, FX_A, {TCP_FIN | TCP_ACK, 100, 300, 0}, {TCP_ACK, 101, 301, 0});
    /* 2. <-- <SEQ=300><ACK=100><CTL=FIN,ACK>; 3. <-- <SEQ=301><ACK=101><CTL=ACK> */
    CF_EXPECT(&f, FX_B, {TCP_FIN | TCP_ACK, 300, 100, 0}, {TCP_ACK, 301, 101, 0});
    fx_run_ms(&f, 60000); /* (2 MSL) CLOSED, both */
    FIG_STATES(&f, f.a, TCP_SYN_SENT, TCP_ESTABLISHED, TCP_FIN_WAIT_1, TCP_CLOSING, TCP_TIME_WAIT, TCP_CLOSED);
    FIG_STATES(&f, f.b, TCP_SYN_RECEIVED, TCP_ESTABLISHED, TCP_FIN_WAIT_1, TCP_CLOSING, TCP_TIME_WAIT, TCP_CLOSED);
    CF_EXPECT(&f, FX_A, {TCP_FIN | TCP_ACK, 100, 300, 0}, {TCP_ACK, 101, 301, 0}); /* nothing more */
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc9293_figure7_simultaneous_open),
        cmocka_unit_test(test_rfc9293_figure8_old_duplicate_syn),
        cmocka_unit_test(test_rfc9293_figure9_half_open_discovery),
        cmocka_unit_test(test_rfc9293_figure10_active_side_half_open),
        cmocka_unit_test(test_rfc9293_figure11_old_syn_two_passive_sockets),
        cmocka_unit_test(test_rfc9293_figure12_normal_close),
        cmocka_unit_test(test_rfc9293_figure13_simultaneous_close),
    };
    return cmocka_run_group_tests_name("rfc_figures", tests, NULL, NULL);
}
