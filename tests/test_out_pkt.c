/*
 * test_out_pkt.c - the packetdrill export (out_pkt.c): a real world's run written from each
 * endpoint's view. The expected lines are packetdrill's syntax for what the run did; the
 * scripts such an export writes were run on a 6.18 kernel (docs/packetdrill.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/out.h"
#include "tcpsim/wire.h"
#include "tcpsim/world.h"

struct pkx {
    struct world *w;
    struct out_pkt *view[2]; /* A's, B's */
    char *text[2];
};

/* Write both views into p->text[]. */
static void
pkx_finish(struct pkx *p)
{
    for (int h = 0; h < 2; h++) {
        size_t len = 0;
        FILE *f = open_memstream(&p->text[h], &len);
        assert_non_null(f);
        assert_int_equal(out_pkt_finish(p->view[h], f, "test run"), 0);
        fclose(f);
    }
}

/* 'opts': the linux preset's options (timestamps, SACK, window scaling); else none but the
   MSS, which keeps the lines short. */
static void
pkx_init_opts(struct pkx *p, bool opts)
{
    struct world_config cfg = {.seed = 7, .preset = TCP_PRESET_LINUX};
    memset(p, 0, sizeof *p);
    p->w = world_new(&cfg);
    assert_non_null(p->w);
    for (int h = 0; h < 2; h++) {
        if (!opts)
            p->w->host[h].cfg.timestamps = p->w->host[h].cfg.sack = p->w->host[h].cfg.window_scaling = 0;
        p->view[h] = out_pkt_new(h, &p->w->host[h].cfg);
        assert_non_null(p->view[h]);
        assert_int_equal(world_observe(p->w, out_pkt_observe, p->view[h]), 0);
    }
}

static void
pkx_init(struct pkx *p)
{
    pkx_init_opts(p, false);
}

static void
pkx_fini(struct pkx *p)
{
    for (int h = 0; h < 2; h++) {
        world_unobserve(p->w, out_pkt_observe, p->view[h]);
        out_pkt_free(p->view[h]);
        free(p->text[h]);
    }
    world_free(p->w);
}

/* How many times 'needle' is in 'hay'. */
static int
pkx_count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *s = hay; (s = strstr(s, needle)); s++)
        n++;
    return n;
}

/* B listens, A connects (ISNs 100 and 300), A's "hello" is lost once and resent, B reads it,
   A closes, B reads the end and closes. */
static void
pkx_run_lost_hello(struct pkx *p, struct tcp_conn **a, struct tcp_conn **b)
{
    struct tcp_conn *l, *c, *s = NULL;
    struct tcp_open_opts ob = TCP_OPEN_OPTS_DEFAULT, oa = TCP_OPEN_OPTS_DEFAULT;
    ob.isn = 300;
    oa.isn = 100;
    assert_int_equal(tcp_open_passive(&p->w->host[1], 80, &ob, &l), TCP_OK);
    assert_int_equal(tcp_open_active(&p->w->host[0], p->w->host[1].addr, 80, &oa, &c), TCP_OK);
    world_run_until_time(p->w, CLK_MSEC(100));
    assert_int_equal(tcp_accept(l, &s), TCP_OK);
    assert_non_null(s);
    struct wire_rule r = {.from = 0, .flags = TCP_PSH, .len = -1, .nth = 1, .count = 1, .action = WIRE_DROP};
    assert_true(wire_rule_add(p->w, &r) > 0);
    size_t q;
    assert_int_equal(tcp_send(c, "hello", 5, &q), TCP_OK);
    world_run_until_time(p->w, CLK_SEC(10));
    char buf[16];
    size_t got = 0;
    assert_int_equal(tcp_receive(s, buf, sizeof buf, &got), TCP_OK);
    assert_int_equal(got, 5);
    assert_int_equal(tcp_close(c), TCP_OK);
    world_run_until_time(p->w, CLK_SEC(11));
    assert_int_equal(tcp_receive(s, buf, sizeof buf, &got), TCP_EOF);
    assert_int_equal(tcp_close(s), TCP_OK);
    world_run_until_time(p->w, CLK_SEC(12));
    *a = c;
    *b = s;
}

static void
test_pkt_export_passive_view_calls_and_arrivals(void **state)
{
    (void)state;
    struct pkx p;
    struct tcp_conn *a, *b;
    pkx_init(&p);
    pkx_run_lost_hello(&p, &a, &b);
    pkx_finish(&p);
    const char *t = p.text[1];
    assert_non_null(strstr(t, "--tolerance_usecs="));
    assert_non_null(strstr(t, "`sysctl -q net.ipv4.tcp_timestamps=0`\n"));
    assert_non_null(strstr(t, "+0  socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"));
    /* non-blocking, and without Nagle's algorithm, which tcpsim does not have */
    assert_non_null(strstr(t, "+0  fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
                              "+0  setsockopt(3, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0\n"
                              "+0  bind(3, ..., ...) = 0\n+0  listen(3, 128) = 0\n"));
    /* relative numbers from each side's SYN, the peer's window and MSS on what it injects */
    assert_non_null(strstr(t, " < S 0:0(0) win 65535 <mss 1460>\n+0  > S. 0:0(0) ack 1 <mss 1460>\n"));
    assert_non_null(strstr(t, " accept(3, ..., ...) = 4\n"));
    /* the lost copy never reached B: one arrival of the data, then B's read of it */
    assert_int_equal(pkx_count(t, "< P. 1:6(5) ack 1 win "), 1);
    assert_non_null(strstr(t, " read(4, ..., 5) = 5\n"));
    assert_non_null(strstr(t, " read(4, ..., 1000) = 0\n+0  close(4) = 0\n+0  > F. 1:1(0) ack 7\n"));
    pkx_fini(&p);
}

static void
test_pkt_export_active_view_sends_and_retransmission(void **state)
{
    (void)state;
    struct pkx p;
    struct tcp_conn *a, *b;
    pkx_init(&p);
    pkx_run_lost_hello(&p, &a, &b);
    pkx_finish(&p);
    const char *t = p.text[0];
    /* tcpsim's connect never blocks: a non-blocking socket's EINPROGRESS, then the SYN */
    assert_non_null(strstr(t, "+0  connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
                              "+0  > S 0:0(0) <mss 1460>\n"));
    assert_non_null(strstr(t, " < S. 0:0(0) ack 1 win 65535 <mss 1460>\n+0  > . 1:1(0) ack 1\n"));
    assert_non_null(strstr(t, " write(3, ..., 5) = 5\n+0  > P. 1:6(5) ack 1\n"));
    /* A sent it twice: both are in A's view, and B's windows are checked on nothing A sends */
    assert_int_equal(pkx_count(t, "> P. 1:6(5) ack 1\n"), 2);
    assert_null(strstr(t, "> P. 1:6(5) ack 1 win"));
    assert_non_null(strstr(t, " close(3) = 0\n+0  > F. 6:6(0) ack 1\n"));
    /* nothing to say beyond the calls and segments, from either side */
    assert_null(strstr(t, "What this script cannot say"));
    assert_null(strstr(p.text[1], "What this script cannot say"));
    pkx_fini(&p);
}

/* Times are relative to the previous line, in microseconds at most, never accumulating. */
static void
test_pkt_export_times_relative(void **state)
{
    (void)state;
    struct pkx p;
    struct tcp_conn *a, *b;
    pkx_init(&p);
    pkx_run_lost_hello(&p, &a, &b);
    pkx_finish(&p);
    /* the wire's 1 ms each way: A's SYN,ACK arrives 2 ms after its SYN */
    assert_non_null(strstr(p.text[0], "+0.002 < S. 0:0(0)"));
    assert_non_null(strstr(p.text[1], "+0.001 < S 0:0(0)"));
    pkx_fini(&p);
}

/* A run of full segments sent at one instant is one line, as Linux hands it to packetdrill
   (GSO), with the flags of the last. */
static void
test_pkt_export_burst_one_line(void **state)
{
    (void)state;
    struct pkx p;
    pkx_init(&p);
    struct tcp_conn *l, *c, *s = NULL;
    assert_int_equal(tcp_open_passive(&p.w->host[1], 80, NULL, &l), TCP_OK);
    assert_int_equal(tcp_open_active(&p.w->host[0], p.w->host[1].addr, 80, NULL, &c), TCP_OK);
    world_run_until_time(p.w, CLK_MSEC(100));
    assert_int_equal(tcp_accept(l, &s), TCP_OK);
    static const char data[3000];
    size_t q;
    assert_int_equal(tcp_send(c, data, sizeof data, &q), TCP_OK);
    assert_int_equal(q, sizeof data);
    world_run_until_time(p.w, CLK_MSEC(200));
    pkx_finish(&p);
    assert_non_null(strstr(p.text[0], "+0  > P. 1:3001(3000) ack 1\n"));
    /* B received them as three segments: the SYN, the ACK, then three arrivals */
    assert_int_equal(pkx_count(p.text[1], " < "), 2 + 3);
    pkx_fini(&p);
}

/* Settings: a sysctl line for one Linux has, a note for one it has not. */
static void
test_pkt_export_settings_sysctl_or_note(void **state)
{
    (void)state;
    struct pkx p;
    pkx_init(&p);
    p.w->host[1].cfg.fin_timeout = CLK_SEC(5);
    p.w->host[1].cfg.msl = CLK_SEC(2);
    p.w->host[1].cfg.orphan_retries = -1;
    p.w->host[1].cfg.retries2 = 7;
    struct tcp_conn *l;
    assert_int_equal(tcp_open_passive(&p.w->host[1], 80, NULL, &l), TCP_OK);
    pkx_finish(&p);
    const char *t = p.text[1];
    assert_non_null(strstr(t, "`sysctl -q net.ipv4.tcp_fin_timeout=5`\n"));
    assert_non_null(strstr(t, "`sysctl -q net.ipv4.tcp_retries2=7`\n"));
    /* "no limit of its own" is retries2's limit */
    assert_non_null(strstr(t, "`sysctl -q net.ipv4.tcp_orphan_retries=7`\n"));
    assert_non_null(strstr(t, "// - msl = 2 (Linux: 30) has no sysctl"));
    /* A kept Linux's defaults: no sysctl beyond the options tcpsim does not model */
    assert_null(strstr(p.text[0], "tcp_fin_timeout"));
    pkx_fini(&p);
}

/* The options as Linux lays them out; a setting off that Linux has on is its sysctl. */
static void
test_pkt_export_options_linux_layout(void **state)
{
    (void)state;
    struct pkx p;
    struct tcp_conn *a, *b;
    pkx_init_opts(&p, true);
    pkx_run_lost_hello(&p, &a, &b);
    pkx_finish(&p);
    const char *t = p.text[0];
    assert_null(strstr(t, "sysctl"));
    assert_non_null(strstr(t, "+0  > S 0:0(0) <mss 1460,sackOK,TS val "));
    assert_non_null(strstr(t, " ecr 0,nop,wscale "));
    assert_non_null(strstr(t, " write(3, ..., 5) = 5\n+0  > P. 1:6(5) ack 1 <nop,nop,TS val "));
    pkx_fini(&p);
    pkx_init(&p);
    pkx_finish(&p);
    assert_non_null(strstr(p.text[0], "0   `sysctl -q net.ipv4.tcp_window_scaling=0`\n"
                                      "+0  `sysctl -q net.ipv4.tcp_timestamps=0`\n"
                                      "+0  `sysctl -q net.ipv4.tcp_sack=0`\n"));
    pkx_fini(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkt_export_passive_view_calls_and_arrivals),
        cmocka_unit_test(test_pkt_export_active_view_sends_and_retransmission),
        cmocka_unit_test(test_pkt_export_times_relative),
        cmocka_unit_test(test_pkt_export_burst_one_line),
        cmocka_unit_test(test_pkt_export_settings_sysctl_or_note),
        cmocka_unit_test(test_pkt_export_options_linux_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
