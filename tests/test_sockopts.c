/*
 * test_sockopts.c - the socket calls a program makes besides RFC 9293's: shutdown(SHUT_RD)
 * (tcp_shutdown_read) and the per-socket options of setsockopt(2) (struct tcp_sockopts):
 * keep-alive times, the user timeout, the buffer sizes, and their inheritance by the
 * connections a listener accepts. The Lua side (sock:shutdown("rd"), sock:setsockopt) is
 * tested in test_lsim_api.c.
 *
 * Linux's behaviour, from its source (tcp_recvmsg, tcp_rcv_state_process, sk_clone_lock,
 * keepalive_time_when): after shutdown(SHUT_RD) a read that finds nothing returns 0 at once,
 * later data is still acknowledged and readable; after SHUT_RDWR, new data in FIN-WAIT-2
 * draws <SEQ=SEG.ACK><CTL=RST> and read() gives ECONNRESET.
 */
#include "conf.h"

/* SHUT_RD in ESTABLISHED: nothing is sent, an empty read is the end of the stream at once;
   data that arrives later is ACKed and read, then the end again. */
static void
test_established_shutdown_read_empty_read_eof(void **state)
{
    (void)state;
    struct fx f;
    char buf[16];
    size_t got = 1;
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(cf_recv(f.a, buf, sizeof buf), TCP_OK); /* nothing yet: not the end */
    assert_int_equal(tcp_shutdown_read(f.a), TCP_OK);
    fx_run_ms(&f, 10);
    CF_NONE(&f, FX_A);
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    assert_int_equal(tcp_receive(f.a, buf, sizeof buf, &got), TCP_EOF);
    assert_int_equal(got, 0);
    fx_mark(&f);
    cf_send(f.b, "late");
    fx_run_ms(&f, 10);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 305, 0});
    assert_int_equal(tcp_receive(f.a, buf, sizeof buf, &got), TCP_OK);
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "late", 4);
    assert_int_equal(tcp_receive(f.a, buf, sizeof buf, &got), TCP_EOF);
    fx_fini(&f);
}

/* SHUT_RDWR, then FIN-WAIT-2: the peer's new data draws a RST <SEQ=SEG.ACK><CTL=RST>, the
   connection is reset, and a read reports ECONNRESET. */
static void
test_fin_wait_2_shutdown_rdwr_data_rst_econnreset(void **state)
{
    (void)state;
    struct fx f;
    char buf[16];
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(tcp_shutdown_read(f.a), TCP_OK);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    fx_run_ms(&f, 10);
    cf_state(f.a, TCP_FIN_WAIT_2, TCP_RULE_FIN_WAIT_1_ACKED);
    fx_mark(&f);
    cf_send(f.b, "data");
    fx_run_ms(&f, 10);
    CF_EXPECT(&f, FX_A, {TCP_RST, 102, 0, 0});
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TEXT_AFTER_CLOSE_RST);
    assert_int_equal(f.a->error, TCP_ECONNRESET);
    assert_int_equal(cf_recv(f.a, buf, sizeof buf), TCP_ECONNRESET);
    cf_state(f.b, TCP_CLOSED, TCP_RULE_RST_RESET);
    fx_fini(&f);
}

/* Only the sending side shut (SHUT_WR): FIN-WAIT-2 still takes the peer's data. */
static void
test_fin_wait_2_shutdown_write_data_accepted(void **state)
{
    (void)state;
    struct fx f;
    char buf[16];
    fx_init(&f, false);
    fx_established(&f);
    assert_int_equal(tcp_shutdown(f.a), TCP_OK);
    fx_run_ms(&f, 10);
    fx_mark(&f);
    cf_send(f.b, "data");
    fx_run_ms(&f, 10);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 305, 0});
    cf_state(f.a, TCP_FIN_WAIT_2, TCP_RULE_FIN_WAIT_1_ACKED);
    assert_int_equal(cf_recv(f.a, buf, sizeof buf), TCP_OK);
    assert_memory_equal(buf, "data", 4);
    fx_fini(&f);
}

/* SHUT_RD before there is a connection: ENOTCONN, as shutdown of the sending side. */
static void
test_listen_shutdown_read_enotconn(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    assert_int_equal(tcp_shutdown_read(f.l), TCP_ENOTCONN);
    assert_false(f.l->rd_shut);
    cf_state(f.l, TCP_LISTEN, TCP_RULE_OPEN_PASSIVE);
    fx_fini(&f);
}

/* TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT on one socket win over the host's settings: the
   first probe after 10 s of idleness, then every 2 s, a reset and ETIMEDOUT after 3 unanswered. The host's
   other socket keeps the host's 2 hours. */
static void
test_established_keepalive_options_probe_early(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    f.a->opts.keepidle = CLK_SEC(10);
    f.a->opts.keepintvl = CLK_SEC(2);
    f.a->opts.keepcnt = 3;
    assert_int_equal(tcp_set_keepalive(f.a, true), TCP_OK);
    assert_int_equal(tcp_set_keepalive(f.b, true), TCP_OK);
    assert_true(tcp_timer_left(f.a, TCP_TIMER_KEEPALIVE) == CLK_SEC(10));
    assert_true(tcp_timer_left(f.b, TCP_TIMER_KEEPALIVE) == f.w->host[FX_B].cfg.keepalive_time);
    cf_drop_all_from(&f, FX_B);
    fx_mark(&f);
    clk_time t0 = world_now(f.w);
    fx_run_ms(&f, 9999);
    CF_NONE(&f, FX_A);
    fx_run_ms(&f, 2);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 100, 301, 0});
    fx_run_ms(&f, 10000);
    struct tcp_seg p[8];
    assert_int_equal(cf_sent(&f, FX_A, p, 8), 4); /* three probes, then the reset */
    assert_int_equal(p[3].flags, TCP_RST | TCP_ACK);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_KEEPALIVE_GIVE_UP);
    assert_int_equal(f.a->error, TCP_ETIMEDOUT);
    assert_true(f.a->last_change - t0 == CLK_SEC(10) + 3 * CLK_SEC(2));
    fx_fini(&f);
}

/* TCP_USER_TIMEOUT on one socket: unacknowledged data for 3 s aborts it, long before
   tcp_retries2 would; 0 on a socket turns off a user timeout its host would set. */
static void
test_established_user_timeout_option_aborts(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    f.a->opts.user_timeout = CLK_SEC(3);
    cf_drop_all_from(&f, FX_A);
    clk_time t0 = world_now(f.w);
    cf_send(f.a, "x");
    fx_run_ms(&f, 5000);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_USER_TIMEOUT);
    assert_int_equal(f.a->error, TCP_ETIMEDOUT);
    assert_true(f.a->last_change - t0 == CLK_SEC(3));
    fx_fini(&f);

    fx_init(&f, false);
    f.w->host[FX_A].cfg.user_timeout = CLK_SEC(3);
    fx_established(&f);
    f.a->opts.user_timeout = 0;
    cf_drop_all_from(&f, FX_A);
    cf_send(f.a, "x");
    fx_run_ms(&f, 5000);
    cf_state(f.a, TCP_ESTABLISHED, TCP_RULE_SYN_SENT_SYN_ACK);
    fx_fini(&f);
}

/* Options set on a listener are the accepted connection's too (Linux's sk_clone_lock): its
   SYN,ACK offers the listener's SO_RCVBUF as its window. */
static void
test_listen_options_inherited_by_accepted(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    f.l->opts.keepidle = CLK_SEC(30);
    f.l->opts.nodelay = true;
    assert_int_equal(tcp_set_bufsize(f.l, true, 1000), TCP_OK);
    fx_mark(&f);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    o.isn = FX_ISS_A;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &f.a), TCP_OK);
    fx_run_ms(&f, 10);
    struct tcp_seg p[4];
    assert_int_equal(cf_sent(&f, FX_B, p, 4), 1);
    assert_int_equal(p[0].flags, TCP_SYN | TCP_ACK);
    assert_int_equal(p[0].wnd, 1000);
    struct tcp_conn *b = cf_newest(&f);
    assert_ptr_not_equal(b, f.l);
    assert_int_equal(b->opts.keepidle, CLK_SEC(30));
    assert_true(b->opts.nodelay);
    assert_int_equal(b->opts.rcvbuf, 1000);
    assert_int_equal(b->rcvq.cap, 1000);
    fx_fini(&f);
}

/* SO_RCVBUF and SO_SNDBUF on a connection: the rings take the new size at once, with what
   they hold kept; a size below what they hold now is refused. */
static void
test_established_buffer_sizes_resize_rings(void **state)
{
    (void)state;
    struct fx f;
    char buf[16];
    fx_init(&f, false);
    fx_established(&f);
    cf_send(f.b, "hello");
    fx_run_ms(&f, 10);
    assert_int_equal(tcp_set_bufsize(f.a, true, 4), TCP_EINVAL);
    assert_int_equal(tcp_set_bufsize(f.a, true, 2000), TCP_OK);
    assert_int_equal(f.a->rcvq.cap, 2000);
    fx_mark(&f);
    cf_send(f.b, "world");
    fx_run_ms(&f, 10);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 101, 311, 0});
    struct tcp_seg p[2];
    assert_int_equal(cf_sent(&f, FX_A, p, 2), 1);
    assert_int_equal(p[0].wnd, 2000 - 10);
    assert_int_equal(cf_recv(f.a, buf, sizeof buf), TCP_OK);
    assert_memory_equal(buf, "helloworld", 10);
    /* the send ring, with data in flight that points into it */
    int drop = cf_drop_all_from(&f, FX_A);
    cf_send(f.a, "abcdef");
    assert_int_equal(tcp_set_bufsize(f.a, false, 5), TCP_EINVAL);
    assert_int_equal(tcp_set_bufsize(f.a, false, 100), TCP_OK);
    assert_int_equal(tcp_writable(f.a), 100 - 6);
    assert_int_equal(wire_rule_remove(f.w, drop), 0); /* the peer hears the retransmission */
    fx_run_ms(&f, 1000);
    assert_int_equal(cf_recv(f.b, buf, sizeof buf), TCP_OK);
    assert_memory_equal(buf, "abcdef", 6);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_shutdown_read_empty_read_eof),
        cmocka_unit_test(test_fin_wait_2_shutdown_rdwr_data_rst_econnreset),
        cmocka_unit_test(test_fin_wait_2_shutdown_write_data_accepted),
        cmocka_unit_test(test_listen_shutdown_read_enotconn),
        cmocka_unit_test(test_established_keepalive_options_probe_early),
        cmocka_unit_test(test_established_user_timeout_option_aborts),
        cmocka_unit_test(test_listen_options_inherited_by_accepted),
        cmocka_unit_test(test_established_buffer_sizes_resize_rings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
