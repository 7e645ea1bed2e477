/*
 * test_user_calls.c - conformance rows for the user calls of RFC 9293 §3.10.1-§3.10.6 that
 * span several states: OPEN on an existing connection (U9), ABORT (U14, U15), SEND while
 * closing (U17), CLOSE again (U21), RECEIVE while closing (U24), STATUS (U25). Rows tied to
 * one state live in that state's file.
 */
#include "conf.h"

/* A state to drive a call into: the setup, and whose connection. */
struct call_case {
    void (*setup)(struct fx *f);
    bool on_b;
    enum tcp_state state;
};

static struct tcp_conn *
call_case_setup(struct fx *f, const struct call_case *k, bool rfc)
{
    fx_init(f, rfc);
    k->setup(f);
    struct tcp_conn *c = k->on_b ? f->b : f->a;
    assert_int_equal(c->state, k->state);
    fx_mark(f);
    return c;
}

static const struct call_case closing_cases[] = {
    {cf_closing_stuck, false, TCP_CLOSING},
    {fx_last_ack, true, TCP_LAST_ACK},
    {fx_time_wait, false, TCP_TIME_WAIT},
};
#define NCLOSING (sizeof closing_cases / sizeof closing_cases[0])

/* U9: OPEN when the connection (port, pair) already exists: refused. Sockets name this
   EADDRINUSE where the RFC says "connection already exists" (documented). */
static void
test_established_open_again_eaddrinuse(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    uint32_t n = f.w->nconns;
    struct tcp_conn *c = NULL;
    assert_int_equal(tcp_open_passive(&f.w->host[FX_B], FX_SPORT, NULL, &c), TCP_EADDRINUSE);
    assert_null(c);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &c), TCP_EADDRINUSE);
    assert_null(c);
    o.reuseaddr = true; /* reuse does not steal an ESTABLISHED pair */
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &c), TCP_EADDRINUSE);
    assert_int_equal(f.w->nconns, n);
    CF_NONE(&f, FX_A);
    CF_NONE(&f, FX_B);
    assert_int_equal(f.a->state, TCP_ESTABLISHED);
    fx_fini(&f);
}

/* U14: ABORT in SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT: <SEQ=SND.NXT><CTL=RST>,
   queues flushed -> CLOSED; the peer gets "connection reset". Under `linux` the reset carries
   ACK = RCV.NXT (tests/linux/close-linger-zero-rst-ack.pkt); `rfc` sends the RFC's form. */
static void
test_synchronized_abort_rst_closed(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    static const struct call_case cases[] = {
        {cf_syn_received_active, false, TCP_SYN_RECEIVED},
        {fx_established, false, TCP_ESTABLISHED},
        {cf_fin_wait_1_stuck, false, TCP_FIN_WAIT_1},
        {fx_fin_wait_2, false, TCP_FIN_WAIT_2},
        {fx_fin_wait_2, true, TCP_CLOSE_WAIT},
    };
    for (size_t k = 0; k < 2 * sizeof cases / sizeof cases[0]; k++) {
        struct fx f;
        bool rfc = k >= sizeof cases / sizeof cases[0];
        struct tcp_conn *c = call_case_setup(&f, &cases[k % (sizeof cases / sizeof cases[0])], rfc);
        uint32_t nxt = c->snd_nxt, rcv = c->rcv_nxt;
        assert_int_equal(tcp_abort(c), TCP_OK);
        cf_state(c, TCP_CLOSED, TCP_RULE_ABORT_RST);
        if (rfc)
            CF_EXPECT(&f, c->host->index, {TCP_RST, nxt, 0, 0});
        else
            CF_EXPECT(&f, c->host->index, {TCP_RST | TCP_ACK, nxt, rcv, 0});
        cf_timers(c, CF_NO_TIMERS);
        assert_int_equal(c->sndq.len + c->rcvq.len, 0);
        if (k % (sizeof cases / sizeof cases[0]) == 1) { /* the peer, ESTABLISHED, takes the reset */
            fx_run_ms(&f, 2);
            cf_state(f.b, TCP_CLOSED, TCP_RULE_RST_RESET);
            assert_int_equal(f.b->error, TCP_ECONNRESET);
        }
        fx_fini(&f);
    }
}

/* U15: ABORT in CLOSING, LAST-ACK, TIME-WAIT: "ok", delete the TCB, nothing sent. */
static void
test_closing_states_abort_silent(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    for (size_t k = 0; k < NCLOSING; k++) {
        struct fx f;
        struct tcp_conn *c = call_case_setup(&f, &closing_cases[k], false);
        assert_int_equal(tcp_abort(c), TCP_OK);
        cf_state(c, TCP_CLOSED, TCP_RULE_ABORT_SILENT);
        CF_NONE(&f, c->host->index);
        cf_timers(c, CF_NO_TIMERS);
        fx_fini(&f);
    }
}

/* U17: SEND in FIN-WAIT-1/2, CLOSING, LAST-ACK, TIME-WAIT: "connection closing" (EPIPE). */
static void
test_closing_states_send_epipe(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    static const struct call_case cases[] = {
        {cf_fin_wait_1_stuck, false, TCP_FIN_WAIT_1},
        {fx_fin_wait_2, false, TCP_FIN_WAIT_2},
        {cf_closing_stuck, false, TCP_CLOSING},
        {fx_last_ack, true, TCP_LAST_ACK},
        {fx_time_wait, false, TCP_TIME_WAIT},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct fx f;
        struct tcp_conn *c = call_case_setup(&f, &cases[k], false);
        size_t q = 9;
        assert_int_equal(tcp_send(c, "late", 4, &q), TCP_EPIPE);
        assert_int_equal(q, 0);
        assert_string_equal(tcp_err_text(TCP_EPIPE), "connection closing");
        CF_NONE(&f, c->host->index);
        assert_int_equal(c->state, cases[k].state);
        fx_fini(&f);
    }
}

/* U21: CLOSE in CLOSING, LAST-ACK, TIME-WAIT: "connection closing"; nothing sent. */
static void
test_closing_states_close_again_error(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    for (size_t k = 0; k < NCLOSING; k++) {
        struct fx f;
        struct tcp_conn *c = call_case_setup(&f, &closing_cases[k], false);
        assert_int_equal(tcp_close(c), TCP_ESHUTDOWN);
        assert_string_equal(tcp_err_text(TCP_ESHUTDOWN), "connection closing");
        CF_NONE(&f, c->host->index);
        assert_int_equal(c->state, closing_cases[k].state);
        fx_fini(&f);
    }
}

/* U24: RECEIVE in CLOSING, LAST-ACK, TIME-WAIT: no data; after shutdown() it is end of stream
   ("connection closing"); after close() the socket is gone for reading (documented). */
static void
test_closing_states_receive_closing(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    for (size_t k = 0; k < NCLOSING; k++) {
        struct fx f;
        struct tcp_conn *c = call_case_setup(&f, &closing_cases[k], false);
        char buf[8];
        size_t got = 9;
        assert_int_not_equal(tcp_receive(c, buf, sizeof buf, &got), TCP_OK);
        assert_int_equal(got, 0);
        CF_NONE(&f, c->host->index);
        fx_fini(&f);
    }
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    fx_run_ms(&f, 3);
    assert_int_equal(tcp_close(f.b), TCP_OK);
    fx_run_ms(&f, 3);
    assert_int_equal(f.a->state, TCP_TIME_WAIT);
    char buf[8];
    size_t got = 9;
    assert_int_equal(tcp_receive(f.a, buf, sizeof buf, &got), TCP_EOF);
    assert_int_equal(got, 0);
    assert_string_equal(tcp_err_text(TCP_EOF), "connection closing");
    fx_fini(&f);
}

/* U25: STATUS: the state (in every naming), the send and receive variables and the timers. */
static void
test_established_status_reports_tcb(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    cf_send(f.a, "abc");
    assert_string_equal(tcp_state_rfc(f.a->state), "ESTABLISHED");
    assert_string_equal(tcp_state_bsd(TCP_SYN_RECEIVED), "SYN_RCVD");
    assert_string_equal(tcp_state_linux(TCP_SYN_RECEIVED), "SYN_RECV");
    assert_string_equal(tcp_state_ss(TCP_ESTABLISHED), "ESTAB");
    assert_int_equal(tcp_state_parse("time_wait"), TCP_TIME_WAIT);
    assert_int_equal(f.a->snd_una, 101);
    assert_int_equal(f.a->snd_nxt, 104);
    assert_int_equal(f.a->rcv_nxt, 301);
    assert_int_equal(f.a->iss, 100);
    assert_int_equal(f.a->irs, 300);
    assert_int_equal(f.a->snd_wnd, 65535);
    assert_int_equal(tcp_rcv_window(f.a), 65535);
    assert_true(tcp_timer_left(f.a, TCP_TIMER_TLP) > 0); /* linux: rexmit's stand-in, RFC 8985 */
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT), -1);
    assert_string_equal(tcp_timer_name(TCP_TIMER_TIMEWAIT), "2msl");
    assert_string_equal(tcp_rule_section(f.a->last_rule), "3.10.7.3");
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 301, 3});
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_open_again_eaddrinuse),
        cmocka_unit_test(test_synchronized_abort_rst_closed),
        cmocka_unit_test(test_closing_states_abort_silent),
        cmocka_unit_test(test_closing_states_send_epipe),
        cmocka_unit_test(test_closing_states_close_again_error),
        cmocka_unit_test(test_closing_states_receive_closing),
        cmocka_unit_test(test_established_status_reports_tcb),
    };
    return cmocka_run_group_tests_name("user_calls", tests, NULL, NULL);
}
