/*
 * test_closed.c - conformance rows for the CLOSED state: the user calls of RFC 9293 §3.10.1-5
 * on a connection that does not exist (U1-U5, U28) and SEGMENT ARRIVES §3.10.7.1 (C1-C3).
 * Row ids refer to shared/reference/conformance.md.
 */
#include "conf.h"

/* U1: OPEN passive in CLOSED -> LISTEN, nothing sent. */
static void
test_closed_open_passive_listen(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_mark(&f);
    struct tcp_conn *l = NULL;
    assert_int_equal(tcp_open_passive(&f.w->host[FX_B], FX_SPORT, NULL, &l), TCP_OK);
    assert_non_null(l);
    cf_state(l, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    assert_int_equal(l->lport, FX_SPORT);
    CF_NONE(&f, FX_A);
    CF_NONE(&f, FX_B);
    cf_timers(l, CF_NO_TIMERS);
    fx_fini(&f);
}

/* U2: OPEN active: <SEQ=ISS><CTL=SYN>, SND.UNA=ISS, SND.NXT=ISS+1 -> SYN-SENT. */
static void
test_closed_open_active_syn_sent(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_mark(&f);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.isn = 12345;
    struct tcp_conn *c = NULL;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &c), TCP_OK);
    cf_state(c, TCP_SYN_SENT, TCP_RULE_OPEN_ACTIVE);
    CF_EXPECT(&f, FX_A, {TCP_SYN, 12345, 0, 0});
    CF_NONE(&f, FX_B);
    assert_int_equal(c->iss, 12345);
    assert_int_equal(c->snd_una, 12345);
    assert_int_equal(c->snd_nxt, 12346);
    assert_true(c->lport >= f.w->host[FX_A].cfg.port_lo && c->lport <= f.w->host[FX_A].cfg.port_hi);
    cf_timers(c, CF_T(TCP_TIMER_REXMIT));
    assert_int_equal(tcp_timer_left(c, TCP_TIMER_REXMIT), f.w->host[FX_A].cfg.rto_initial);
    fx_fini(&f);
}

/* U3: OPEN active with the foreign socket unspecified: "error: foreign socket unspecified". */
static void
test_closed_open_active_unspecified_foreign_einval(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_mark(&f);
    struct tcp_conn *c = (struct tcp_conn *)&f; /* must be reset to NULL */
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], 0, FX_SPORT, NULL, &c), TCP_EINVAL);
    assert_null(c);
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, 0, NULL, &c), TCP_EINVAL);
    assert_null(c);
    assert_string_equal(tcp_err_text(TCP_EINVAL), "foreign socket unspecified");
    assert_int_equal(f.w->nconns, 0);
    CF_NONE(&f, FX_A);
    fx_fini(&f);
}

/* A connection record in CLOSED that was never in error: a listener that was closed. */
static struct tcp_conn *
closed_conn(struct fx *f)
{
    struct tcp_conn *c = NULL;
    assert_int_equal(tcp_open_passive(&f->w->host[FX_A], 7, NULL, &c), TCP_OK);
    assert_int_equal(tcp_close(c), TCP_OK);
    assert_int_equal(c->state, TCP_CLOSED);
    fx_mark(f);
    return c;
}

/* U4: SEND / RECEIVE / CLOSE / STATUS in CLOSED: "error: connection does not exist". */
static void
test_closed_send_receive_close_enotconn(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    struct tcp_conn *c = closed_conn(&f);
    char buf[8];
    size_t n = 99;
    assert_int_equal(tcp_send(c, "x", 1, &n), TCP_ENOTCONN);
    assert_int_equal(n, 0);
    assert_int_equal(tcp_receive(c, buf, sizeof buf, &n), TCP_ENOTCONN);
    assert_int_equal(n, 0);
    assert_int_equal(tcp_close(c), TCP_ENOTCONN);
    assert_int_equal(tcp_shutdown(c), TCP_ENOTCONN);
    assert_string_equal(tcp_err_text(TCP_ENOTCONN), "connection does not exist");
    /* STATUS: the record still answers, in CLOSED, with no timer */
    assert_string_equal(tcp_state_rfc(c->state), "CLOSED");
    cf_timers(c, CF_NO_TIMERS);
    CF_NONE(&f, FX_A);
    CF_NONE(&f, FX_B);
    fx_fini(&f);
}

/* U5: ABORT in CLOSED: "error: connection does not exist", nothing sent. */
static void
test_closed_abort_enotconn(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    struct tcp_conn *c = closed_conn(&f);
    assert_int_equal(tcp_abort(c), TCP_ENOTCONN);
    cf_state(c, TCP_CLOSED, TCP_RULE_CLOSE_LISTEN);
    CF_NONE(&f, FX_A);
    cf_timers(c, CF_NO_TIMERS);
    fx_fini(&f);
}

/* U28b: a listener may take a port a TIME-WAIT holds only if both asked for address reuse,
   the new socket and the one now in TIME-WAIT (Linux inet_csk_bind_conflict; a 6.18 kernel
   refused bind() with SO_REUSEADDR after a listener without it: tests/linux/reuseaddr-*.pkt). */
static void
test_closed_listen_port_in_time_wait_needs_reuse_on_both(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_time_wait(&f);
    struct tcp_host *a = &f.w->host[FX_A];
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.reuseaddr = true;
    struct tcp_conn *l = NULL;
    assert_false(f.a->reuseaddr);
    assert_int_equal(tcp_open_passive(a, FX_CPORT, &o, &l), TCP_EADDRINUSE);
    assert_null(l);
    f.a->reuseaddr = true; /* as if its socket had asked */
    assert_int_equal(tcp_open_passive(a, FX_CPORT, NULL, &l), TCP_EADDRINUSE);
    assert_int_equal(tcp_open_passive(a, FX_CPORT, &o, &l), TCP_OK);
    cf_state(l, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    fx_fini(&f);
}

/* U28: a port held by TIME-WAIT: EADDRINUSE without address reuse; allowed with it. */
static void
test_closed_open_port_in_time_wait_eaddrinuse(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_time_wait(&f);
    struct tcp_host *a = &f.w->host[FX_A];
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    struct tcp_conn *c = NULL, *l = NULL;
    assert_int_equal(tcp_open_active(a, f.w->host[FX_B].addr, FX_SPORT, &o, &c), TCP_EADDRINUSE);
    assert_null(c);
    assert_int_equal(tcp_open_passive(a, FX_CPORT, NULL, &l), TCP_EADDRINUSE);
    assert_null(l);
    CF_NONE(&f, FX_A);
    cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    cf_timers(f.a, CF_T(TCP_TIMER_TIMEWAIT));
    /* SO_REUSEADDR: the new incarnation takes the pair over */
    o.reuseaddr = true;
    o.isn = 5000;
    assert_int_equal(tcp_open_active(a, f.w->host[FX_B].addr, FX_SPORT, &o, &c), TCP_OK);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_OPEN_REUSE_TIME_WAIT);
    cf_timers(f.a, CF_NO_TIMERS);
    cf_state(c, TCP_SYN_SENT, TCP_RULE_OPEN_ACTIVE);
    CF_EXPECT(&f, FX_A, {TCP_SYN, 5000, 0, 0});
    fx_fini(&f);
}

/* C1: CLOSED, an incoming RST is discarded. */
static void
test_closed_rst_discarded(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_mark(&f);
    fx_inject(&f, FX_B, 1234, 81, 77, 0, TCP_RST, 0, NULL);
    fx_inject(&f, FX_B, 1234, 81, 77, 99, TCP_RST | TCP_ACK, 0, NULL);
    CF_NONE(&f, FX_B);
    cf_rule(&f, TCP_RULE_CLOSED_RST_DROP);
    assert_false(fx_rule_seen(&f, TCP_RULE_CLOSED_SEND_RST));
    assert_int_equal(f.w->nconns, 0);
    fx_fini(&f);
}

/* C2: CLOSED, ACK bit off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SYN and FIN counted. */
static void
test_closed_no_ack_rst_ack(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_mark(&f);
    fx_inject(&f, FX_B, 1234, 81, 1000, 0, TCP_SYN, 512, NULL);
    CF_EXPECT(&f, FX_B, {TCP_RST | TCP_ACK, 0, 1001, 0});
    cf_rule(&f, TCP_RULE_CLOSED_SEND_RST);
    fx_mark(&f);
    fx_inject(&f, FX_B, 1234, 81, 2000, 0, TCP_SYN | TCP_FIN, 512, "abc");
    CF_EXPECT(&f, FX_B, {TCP_RST | TCP_ACK, 0, 2005, 0});
    fx_mark(&f);
    fx_inject(&f, FX_B, 1234, 81, 3000, 0, TCP_FIN, 512, NULL);
    CF_EXPECT(&f, FX_B, {TCP_RST | TCP_ACK, 0, 3001, 0});
    assert_int_equal(f.w->nconns, 0);
    fx_fini(&f);
}

/* C3: CLOSED, ACK bit on: <SEQ=SEG.ACK><CTL=RST>. */
static void
test_closed_ack_rst_from_seg_ack(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_mark(&f);
    fx_inject(&f, FX_B, 1234, 81, 5, 777, TCP_ACK, 512, "data");
    CF_EXPECT(&f, FX_B, {TCP_RST, 777, 0, 0});
    struct tcp_seg s[2];
    assert_int_equal(cf_sent(&f, FX_B, s, 2), 1);
    assert_false(s[0].flags & TCP_ACK);
    cf_rule(&f, TCP_RULE_CLOSED_SEND_RST);
    fx_fini(&f);
}

/* A new TCB keeps its host's world beside the host (tcp_conn.world): tcp_now, tcp_tsval and
   tcp_world read it there, one load less than through the host (docs/performance.md, "Sender,
   wire and clock, fifth round"). */
static void
test_closed_new_tcb_knows_its_world(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    const struct tcp_conn *c = world_conn_new(f.w, &f.w->host[FX_A]);
    assert_non_null(c);
    assert_ptr_equal(c->world, f.w);
    assert_ptr_equal(c->world, c->host->world);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_open_passive_listen),
        cmocka_unit_test(test_closed_new_tcb_knows_its_world),
        cmocka_unit_test(test_closed_open_active_syn_sent),
        cmocka_unit_test(test_closed_open_active_unspecified_foreign_einval),
        cmocka_unit_test(test_closed_send_receive_close_enotconn),
        cmocka_unit_test(test_closed_abort_enotconn),
        cmocka_unit_test(test_closed_open_port_in_time_wait_eaddrinuse),
        cmocka_unit_test(test_closed_listen_port_in_time_wait_needs_reuse_on_both),
        cmocka_unit_test(test_closed_rst_discarded),
        cmocka_unit_test(test_closed_no_ack_rst_ack),
        cmocka_unit_test(test_closed_ack_rst_from_seg_ack),
    };
    return cmocka_run_group_tests_name("closed", tests, NULL, NULL);
}
