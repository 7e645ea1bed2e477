/*
 * test_pkt.c - packetdrill scripts in tcpsim (issue #16): the parser (pkt_parse.c) and the
 * runner (pkt_run.c, pkt_sys.c).
 *
 * The passing scripts were run on the machine's Linux 6.18.44 with packetdrill and pass there
 * as written (PASSIVE, ACTIVE_RESET, REFUSED_POLL, SYN_RETRIES, SHUT_WR below); each failing
 * case is one of them with one thing changed, and the test checks packetdrill's wording of
 * what differs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/pkt.h"

/* ---- the scripts, as run on the kernel ------------------------------------------------------- */

/* Passive open, a 2000-octet write the kernel hands over whole (TSO) and tcpsim cuts into two
   segments of the peer's MSS 1000, then an active close. */
#define PASSIVE                                                                                    \
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                                                \
    "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"                                     \
    "+0 bind(3, ..., ...) = 0\n"                                                                   \
    "+0 listen(3, 1) = 0\n"                                                                        \
    "+0 < S 0:0(0) win 65535 <mss 1000>\n"                                                         \
    "+0 > S. 0:0(0) ack 1 <mss 1460>\n"                                                            \
    "+.1 < . 1:1(0) ack 1 win 65535\n"                                                             \
    "+0 accept(3, ..., ...) = 4\n"                                                                 \
    "+0 write(4, ..., 2000) = 2000\n"                                                              \
    "+0 > P. 1:2001(2000) ack 1\n"                                                                 \
    "+.1 < . 1:1(0) ack 2001 win 65535\n"                                                          \
    "+0 close(4) = 0\n"                                                                            \
    "+0 > F. 2001:2001(0) ack 1\n"                                                                 \
    "+.1 < F. 1:1(0) ack 2002 win 65535\n"                                                         \
    "+0 > . 2002:2002(0) ack 2\n"

/* A blocking connect written with its return time, then a reset: ECONNRESET once, then 0. */
#define ACTIVE_RESET                                                                               \
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                                                \
    "+0...0.1 connect(3, ..., ...) = 0\n"                                                          \
    "+0 > S 0:0(0) <...>\n"                                                                        \
    "+.1 < S. 0:0(0) ack 1 win 65535 <mss 1000>\n"                                                 \
    "+0 > . 1:1(0) ack 1\n"                                                                        \
    "+.1 < R. 1:1(0) ack 1 win 0\n"                                                                \
    "+0 read(3, ..., 100) = -1 ECONNRESET (Connection reset by peer)\n"                            \
    "+0 read(3, ..., 100) = 0\n"

/* A non-blocking connect refused: poll's events, SO_ERROR once. */
#define REFUSED_POLL                                                                               \
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                                                \
    "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"                                                \
    "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"                       \
    "+0 > S 0:0(0) <...>\n"                                                                        \
    "+.1 < R. 0:0(0) ack 1 win 0\n"                                                                \
    "+0 poll([{fd=3, events=POLLIN|POLLOUT, revents=POLLIN|POLLOUT|POLLERR|POLLHUP}], 1, 0) = 1\n" \
    "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0\n"                            \
    "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"                                       \
    "+0 close(3) = 0\n"

/* A sysctl in backticks: two SYN retries; the limit is a time (7 s), the SYNs go at 0, 1, 2 s
   and on (tcp_syn_linear_timeouts), and connect() gives up at 7 s. */
#define SYN_RETRIES                                                                                \
    "`sysctl -q net.ipv4.tcp_syn_retries=2`\n"                                                     \
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                                                \
    "+0...7 connect(3, ..., ...) = -1 ETIMEDOUT (Connection timed out)\n"                          \
    "+0 > S 0:0(0) <...>\n"                                                                        \
    "+1 > S 0:0(0) <...>\n"                                                                        \
    "+1 > S 0:0(0) <...>\n"                                                                        \
    "+5 close(3) = 0\n"

/* A blocking accept, data read, shutdown(SHUT_WR), the peer's FIN: TIME-WAIT. */
#define SHUT_WR                                                                                    \
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                                                \
    "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"                                     \
    "+0 bind(3, ..., ...) = 0\n"                                                                   \
    "+0 listen(3, 1) = 0\n"                                                                        \
    "+0...0.2 accept(3, ..., ...) = 4\n"                                                           \
    "+.1 < S 0:0(0) win 65535 <mss 1000>\n"                                                        \
    "+0 > S. 0:0(0) ack 1 <mss 1460>\n"                                                            \
    "+.1 < . 1:1(0) ack 1 win 65535\n"                                                             \
    "+.1 < P. 1:501(500) ack 1 win 65535\n"                                                        \
    "+0 > . 1:1(0) ack 501\n"                                                                      \
    "+0 read(4, ..., 1000) = 500\n"                                                                \
    "+0 shutdown(4, SHUT_WR) = 0\n"                                                                \
    "+0 > F. 1:1(0) ack 501\n"                                                                     \
    "+.1 < F. 501:501(0) ack 2 win 65535\n"                                                        \
    "+0 > . 2:2(0) ack 502\n"                                                                      \
    "+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"

/* ---- helpers ---------------------------------------------------------------------------------- */

static struct pkt_script *
parse_ok(const char *text)
{
    struct pkt_script *s = NULL;
    char err[512];
    int rc = pkt_parse(text, strlen(text), "t.pkt", &s, err, sizeof err);
    if (rc != 0)
        fail_msg("parse error: %s", err);
    assert_non_null(s);
    return s;
}

/* The parse error of 'text', which must not parse. */
static void
parse_err(const char *text, const char *want)
{
    struct pkt_script *s = NULL;
    char err[512];
    assert_int_equal(pkt_parse(text, strlen(text), "t.pkt", &s, err, sizeof err), -1);
    assert_null(s);
    if (!strstr(err, want))
        fail_msg("error '%s' does not contain '%s'", err, want);
}

static void
run(const char *text, struct pkt_result *r)
{
    struct pkt_script *s = parse_ok(text);
    struct pkt_run_opts o = PKT_RUN_OPTS_DEFAULT;
    pkt_run(s, &o, r);
    pkt_script_free(s);
}

static void
run_pass(const char *text)
{
    struct pkt_result r;
    run(text, &r);
    if (r.verdict != PKT_PASS)
        fail_msg("expected a pass: %s", r.msg);
}

/* Run 'text' with the first occurrence of 'from' replaced by 'to'; the verdict must be 'v'
   and the message must contain 'want'. */
static void
run_changed(const char *text, const char *from, const char *to, enum pkt_verdict v, const char *want)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *t = malloc(n);
    assert_non_null(t);
    snprintf(t, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    struct pkt_result r;
    run(t, &r);
    free(t);
    if (r.verdict != v || !strstr(r.msg, want))
        fail_msg("verdict %d, message '%s'; wanted %d with '%s'", r.verdict, r.msg, v, want);
}

/* ---- the parser ------------------------------------------------------------------------------- */

/* Times: absolute, relative, ranges, '*', a blocking call's end; options before the events. */
static void
test_pkt_parse_times_as_written(void **state)
{
    (void)state;
    struct pkt_script *s = parse_ok("--tolerance_usecs=10000\n"
                                    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                                    "+.01...0.25 connect(3, ..., ...) = 0\n"
                                    "0.1~0.2 > S 0:0(0) <...>\n"
                                    "+0.5~+1 > S 0:0(0) <...>\n"
                                    "* > S 0:0(0) <...>\n");
    assert_int_equal(s->tolerance_us, 10000);
    assert_int_equal(s->nev, 5);
    assert_int_equal(s->ev[1].time, PKT_TIME_REL);
    assert_int_equal(s->ev[1].us, 10000);
    assert_true(s->ev[1].call.blocking);
    assert_int_equal(s->ev[1].call.end_us, 250000);
    assert_int_equal(s->ev[2].time, PKT_TIME_ABS_RANGE);
    assert_int_equal(s->ev[2].us, 100000);
    assert_int_equal(s->ev[2].us_end, 200000);
    assert_int_equal(s->ev[3].time, PKT_TIME_REL_RANGE);
    assert_int_equal(s->ev[3].us_end, 1000000);
    assert_int_equal(s->ev[4].time, PKT_TIME_ANY);
    assert_int_equal(s->ev[4].line, 6);
    pkt_script_free(s);
}

/* A segment line: flags, SEQ:END(LEN), ack, win, and the options kind by kind. */
static void
test_pkt_parse_packet_fields_and_options(void **state)
{
    (void)state;
    struct pkt_script *s = parse_ok("0 < S. 7:7(0) ack 1 win 32792 <mss 1000,sackOK,TS val 100 ecr 5,nop,wscale 7>\n"
                                    "+0 > P. 1:1001(1000) ack 8 <...>\n"
                                    "+0 < 40001>8080 F. 8:8(0) ack 1001 win 257 <nop,nop,sack 1:2 3:4>\n"
                                    "+0 < - 1:1(0) win 10\n");
    const struct pkt_packet *k = &s->ev[0].pkt;
    assert_false(k->outbound);
    assert_int_equal(k->flags, TCP_SYN | TCP_ACK);
    assert_int_equal(k->seq, 7);
    assert_true(k->has_ack);
    assert_int_equal(k->ack, 1);
    assert_int_equal(k->win, 32792);
    assert_int_equal(k->mss, 1000);
    assert_int_equal(k->opt.present, TCP_OPT_MSS | TCP_OPT_SACK_OK | TCP_OPT_TS | TCP_OPT_WSCALE);
    assert_int_equal(k->opt.tsval, 100);
    assert_int_equal(k->opt.tsecr, 5);
    assert_int_equal(k->opt.wscale, 7);
    static const uint8_t kinds[] = {2, 4, 8, 1, 3};
    assert_int_equal(k->nkinds, 5);
    assert_memory_equal(k->kinds, kinds, 5);
    k = &s->ev[1].pkt;
    assert_true(k->outbound);
    assert_int_equal(k->flags, TCP_PSH | TCP_ACK);
    assert_int_equal(k->len, 1000);
    assert_false(k->has_win);
    assert_int_equal(k->opts_mode, PKT_OPTS_ANY);
    k = &s->ev[2].pkt;
    assert_true(k->has_ports);
    assert_int_equal(k->peer_port, 40001);
    assert_int_equal(k->sut_port, 8080);
    assert_int_equal(k->opt.nsack, 2);
    assert_int_equal(k->opt.sack[1].right, 4);
    assert_int_equal(s->ev[3].pkt.flags, 0);
    pkt_script_free(s);
}

/* A system call: its arguments as expressions, the result, the errno and its note. */
static void
test_pkt_parse_syscall_result_errno_note(void **state)
{
    (void)state;
    struct pkt_script *s = parse_ok("0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0\n"
                                    "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
                                    "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
                                    "+0 fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)\n");
    const struct pkt_syscall *c = &s->ev[0].call;
    assert_string_equal(c->name, "setsockopt");
    assert_int_equal(c->nargs, 5);
    assert_int_equal(c->args[3]->kind, PKT_X_STRUCT);
    assert_string_equal(c->args[3]->kids[1]->name, "linger");
    c = &s->ev[1].call;
    assert_int_equal(c->result->num, -1);
    assert_string_equal(c->err, "EINPROGRESS");
    assert_int_equal(s->ev[2].call.args[2]->kind, PKT_X_OR);
    assert_int_equal(s->ev[3].call.result->num, 0x802);
    assert_null(s->ev[3].call.err);
    pkt_script_free(s);
}

/* Malformed scripts: "FILE:LINE: error: ..." naming the line, never a crash. */
static void
test_pkt_parse_errors_name_the_line(void **state)
{
    (void)state;
    parse_err("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0(0)\n",
              "t.pkt:2: error: window must be specified for inbound packets");
    parse_err("0 < X 0:0(0) win 1\n", "t.pkt:1: error: bad TCP flags 'X'");
    parse_err("0 > S 0:5(0)\n", "t.pkt:1: error: inconsistent segment");
    parse_err("1 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n", "t.pkt:1: error: first event should be at time 0");
    parse_err("0 close(3) = 0\n2 close(4) = 0\n1 close(5) = 0\n", "t.pkt:3: error: time goes backward");
    parse_err("0~1 close(3) = 0\n", "t.pkt:1: error: event time range can only be used with outbound packets");
    parse_err("0 close(3) = -1 EBOGUS\n", "t.pkt:1: error: unknown errno name 'EBOGUS'");
    parse_err("0 `sysctl -q x=1\n", "t.pkt:1: error: unterminated command");
    parse_err("0 write(3, [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], 1) = 1\n",
              "nested too deeply");
    parse_err("0 close(3) = 0\n+0 < S 0:0(0) win 1 <mss 70000>\n", "t.pkt:2: error: the MSS 70000 is out of range");
}

/* What tcpsim cannot model is recorded with its line, and running it says "unsupported". */
static void
test_pkt_parse_unsupported_recorded(void **state)
{
    (void)state;
    struct pkt_script *s = parse_ok("--ip_version=ipv6\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
    assert_string_equal(s->unsupported, "IPv6");
    pkt_script_free(s);
    s = parse_ok("0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n+0 < udp (1000)\n+0 < S 0:0(0) win 1 <mss 1000,FO 1234>\n");
    assert_string_equal(s->unsupported, "UDP packets");
    assert_int_equal(s->unsupported_line, 2);
    assert_int_equal(s->nev, 2); /* the UDP line is not an event */
    pkt_script_free(s);
    struct pkt_result r;
    run("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0(0) win 1 <mss 1000,FO 1234>\n", &r);
    assert_int_equal(r.verdict, PKT_UNSUPPORTED);
    assert_string_equal(r.msg, "t.pkt:2: unsupported: TCP fast open (option FO)");
}

/* ---- the runner ------------------------------------------------------------------------------ */

/* The kernel-checked scripts pass as written. */
static void
test_pkt_run_kernel_scripts_pass(void **state)
{
    (void)state;
    run_pass(PASSIVE);
    run_pass(ACTIVE_RESET);
    run_pass(REFUSED_POLL);
    run_pass(SYN_RETRIES);
    run_pass(SHUT_WR);
}

/* A flag the SUT does not send: packetdrill's field check, the script's and the actual
   segment after it. */
static void
test_pkt_run_wrong_flags_fails(void **state)
{
    (void)state;
    run_changed(PASSIVE, "+0 > F. 2001:2001(0) ack 1", "+0 > R. 2001:2001(0) ack 1", PKT_FAIL,
                "t.pkt:13: error handling packet: live packet field tcp_fin: expected: 0 (0x0) vs actual: 1 (0x1)\n"
                "script packet:  0.200000 R. 2001:2001(0) ack 1\n"
                "actual packet:  0.200000 F. 2001:2001(0) ack 1 win 65535");
}

/* A wrong sequence number, in the script's (relative) numbers. */
static void
test_pkt_run_wrong_seq_fails(void **state)
{
    (void)state;
    run_changed(PASSIVE, "+0 > . 2002:2002(0) ack 2", "+0 > . 2001:2001(0) ack 2", PKT_FAIL,
                "t.pkt:15: error handling packet: live packet field tcp_seq: expected: 2001 (0x7d1) vs actual: 2002 (0x7d2)");
    run_changed(PASSIVE, "+0 > . 2002:2002(0) ack 2", "+0 > . 2002:2002(0) ack 1", PKT_FAIL,
                "live packet field tcp_ack_seq: expected: 1 (0x1) vs actual: 2 (0x2)");
}

/* A write larger than the MSS is one line, whatever its segments: the total must match. */
static void
test_pkt_run_segments_add_up_to_the_line(void **state)
{
    (void)state;
    run_changed(PASSIVE, "+0 > P. 1:2001(2000) ack 1", "+0 > P. 1:1501(1500) ack 1", PKT_FAIL,
                "live packet payload: expected 1500 bytes vs actual 2000 bytes");
}

/* A wrong errno, and a wrong result. */
static void
test_pkt_run_wrong_errno_fails(void **state)
{
    (void)state;
    run_changed(ACTIVE_RESET, "= -1 ECONNRESET (Connection reset by peer)", "= -1 EPIPE", PKT_FAIL,
                "t.pkt:7: runtime error in read call: Expected errno 32 (Broken pipe) but got 104 (Connection reset by peer)");
    run_changed(ACTIVE_RESET, "+0 read(3, ..., 100) = 0", "+0 read(3, ..., 100) = 5", PKT_FAIL,
                "t.pkt:8: runtime error in read call: Expected result 5 but got 0 with errno 0 (Success)");
    run_changed(REFUSED_POLL, "revents=POLLIN|POLLOUT|POLLERR|POLLHUP", "revents=POLLOUT", PKT_FAIL,
                "t.pkt:6: runtime error in poll call: Expected revents of 0x4 but got 0x1d");
    run_changed(REFUSED_POLL, "[ECONNREFUSED]", "[ECONNRESET]", PKT_FAIL,
                "t.pkt:7: runtime error in getsockopt call: Bad getsockopt optval: expected: 104 actual: 111");
}

/* A segment the SUT never sends: packetdrill gives up 2 s after its time. */
static void
test_pkt_run_packet_never_sent_times_out(void **state)
{
    (void)state;
    run_changed(PASSIVE, "+0 close(4) = 0\n", "", PKT_FAIL,
                "t.pkt:12: error handling packet: Timed out waiting for packet\n"
                "script packet:  0.200000 F. 2001:2001(0) ack 1");
}

/* Times: a segment earlier than written, a blocking call that returns late. */
static void
test_pkt_run_timing_errors(void **state)
{
    (void)state;
    run_changed(SYN_RETRIES, "+1 > S 0:0(0) <...>\n+1", "+1 > S 0:0(0) <...>\n+1.5", PKT_FAIL,
                "t.pkt:6: error handling packet: timing error: expected outbound packet at 2.500000 sec but happened at "
                "2.000000 sec; tolerance 0.004000 sec");
    run_changed(SYN_RETRIES, "+0...7 connect", "+0...6 connect", PKT_FAIL,
                "t.pkt:3: timing error: expected system call return at 6.000000 sec but happened at 7.000000 sec; "
                "tolerance 0.004000 sec");
    run_changed(SYN_RETRIES, "+1 > S 0:0(0) <...>\n+1", "+1 > S 0:0(0) <...>\n+.9~+1.1", PKT_PASS, "");
}

/* The sysctl line sets the SUT's setting: without it, the default six retries, and connect()
   returns at 131 s (the kernel's syn-linear-timeouts.pkt, docs/linux-checks.md). */
static void
test_pkt_run_sysctl_sets_the_host_setting(void **state)
{
    (void)state;
    run_changed(SYN_RETRIES, "`sysctl -q net.ipv4.tcp_syn_retries=2`\n", "", PKT_FAIL,
                "t.pkt:2: timing error: expected system call return at 7.000000 sec but happened at 131.000000 sec");
}

/* A blocking call still blocked when the script ends, as packetdrill says it. */
static void
test_pkt_run_blocked_at_the_end_fails(void **state)
{
    (void)state;
    run_changed(SYN_RETRIES, "+5 close(3) = 0\n", "", PKT_FAIL,
                "t.pkt:3: runtime error: exiting while a blocking system call is in progress");
}

/* What tcpsim does not model is reported as unsupported, never as a pass or a failure. */
static void
test_pkt_run_unsupported_features(void **state)
{
    (void)state;
    run_changed(PASSIVE, "+0 bind(3, ..., ...) = 0\n", "+0 setsockopt(3, SOL_SOCKET, SO_RCVLOWAT, [5000], 4) = 0\n",
                PKT_UNSUPPORTED, "t.pkt:3: unsupported: the socket option SO_RCVLOWAT");
    run_changed(PASSIVE, "+0 < S 0:0(0) win 65535 <mss 1000>", "+0 < S 0:10(10) win 65535 <mss 1000>",
                PKT_UNSUPPORTED, "t.pkt:5: unsupported: data on a SYN (TCP fast open)");
    run_changed(PASSIVE, "+0 close(4) = 0", "+0 splice(4, ..., ...) = 0", PKT_UNSUPPORTED,
                "t.pkt:12: unsupported: the system call splice");
    run_changed(PASSIVE, "0 socket", "`tc qdisc replace dev tun0 root fq`\n0 socket", PKT_UNSUPPORTED,
                "t.pkt:1: unsupported: queueing disciplines");
    run_changed(PASSIVE, "+0 close(4)", "+0 `tc qdisc add dev tun0 root pfifo limit 0`\n+0 close(4)", PKT_UNSUPPORTED,
                "t.pkt:12: unsupported: queueing disciplines");
    run_changed(PASSIVE, "0 socket", "`tc qdisc add dev tun0 root pfifo`\n0 socket", PKT_PASS, "");
    /* a local client the shell starts (tests/linux/listen-accept-queue-full-third-ack.pkt):
       tcpsim runs no shell, and the script without it tests something else */
    run_changed(PASSIVE, "+0 < S 0:0(0)",
                "+0 `python3 -c 'import socket,time\na=socket.create_connection((\"192.168.0.1\",8080))' & sleep 0.2`\n"
                "+0 < S 0:0(0)",
                PKT_UNSUPPORTED, "t.pkt:5: unsupported: a program run from the shell that opens sockets (python3 -c");
    run_changed(PASSIVE, "0 socket", "`nc -z 192.168.0.1 8080`\n0 socket", PKT_UNSUPPORTED,
                "t.pkt:1: unsupported: a program run from the shell that opens sockets (nc -z");
    run_changed(PASSIVE, "+0 > P. 1:2001(2000) ack 1", "+0 > P. 1:2001(2000) ack 1 <nop,nop,sack 5:6>",
                PKT_UNSUPPORTED, "unsupported: the SUT would send TCP option sack (SACK blocks)");
}

/* An option the SUT sends differently: packetdrill's option checks. */
static void
test_pkt_run_wrong_options_fail(void **state)
{
    (void)state;
    run_changed(PASSIVE, "+0 > S. 0:0(0) ack 1 <mss 1460>", "+0 > S. 0:0(0) ack 1 <mss 1400>", PKT_FAIL,
                "bad value in outbound TCP option (kind=2): expected: mss 1400 actual: mss 1460");
    run_changed(PASSIVE, "+0 > S. 0:0(0) ack 1 <mss 1460>", "+0 > S. 0:0(0) ack 1 <mss 1460,nop>", PKT_FAIL,
                "bad outbound TCP options");
    run_changed(PASSIVE, "+0 > S. 0:0(0) ack 1 <mss 1460>", "+0 > S. 0:0(0) ack 1", PKT_FAIL, "bad outbound TCP options");
}

/* bind() refuses a port in use as Linux's does (inet_csk_bind_conflict), not only listen():
   a listener holds its port even from a socket that asks for reuse; a socket that does not ask
   meets the TIME-WAIT of a connection (tests/packetdrill/sockopt-bufs-bind-in-use.pkt and
   tests/linux/reuseaddr-time-wait-ok.pkt pass on Linux 6.18.44). */
static void
test_pkt_run_bind_port_in_use_fails(void **state)
{
    (void)state;
    run_pass(PASSIVE "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 5\n"
                     "+0 setsockopt(5, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
                     "+0 bind(5, ..., ...) = -1 EADDRINUSE (Address already in use)\n");
    run_pass(PASSIVE "+0 close(3) = 0\n"
                     "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 5\n"
                     "+0 bind(5, ..., ...) = -1 EADDRINUSE (Address already in use)\n"
                     "+0 setsockopt(5, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
                     "+0 bind(5, ..., ...) = 0\n"
                     "+0 listen(5, 1) = 0\n");
}

/* SO_RCVBUF and SO_SNDBUF: Linux keeps twice the value asked (sock_setsockopt, "to allow room
   for bookkeeping overhead", socket(7)), at least 2304 and 4608 octets (SOCK_MIN_RCVBUF,
   SOCK_MIN_SNDBUF), the value first capped at net.core.rmem_max / wmem_max (4 MB on the
   machine's 6.18.44); getsockopt returns the doubled size, and an accepted socket inherits the
   listener's (tests/packetdrill/sockopt-bufs-bind-in-use.pkt, as measured). */
static void
test_pkt_run_bufsize_doubled_as_linux(void **state)
{
    (void)state;
    static const char bufs[] =
        "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
        "+0 setsockopt(3, SOL_SOCKET, SO_RCVBUF, [5000], 4) = 0\n"
        "+0 getsockopt(3, SOL_SOCKET, SO_RCVBUF, [10000], [4]) = 0\n"
        "+0 setsockopt(3, SOL_SOCKET, SO_RCVBUF, [100], 4) = 0\n"
        "+0 getsockopt(3, SOL_SOCKET, SO_RCVBUF, [2304], [4]) = 0\n"
        "+0 setsockopt(3, SOL_SOCKET, SO_RCVBUF, [1073741824], 4) = 0\n"
        "+0 getsockopt(3, SOL_SOCKET, SO_RCVBUF, [8388608], [4]) = 0\n"
        "+0 setsockopt(3, SOL_SOCKET, SO_SNDBUF, [2000], 4) = 0\n"
        "+0 getsockopt(3, SOL_SOCKET, SO_SNDBUF, [4608], [4]) = 0\n"
        "+0 setsockopt(3, SOL_SOCKET, SO_SNDBUF, [8192], 4) = 0\n"
        "+0 getsockopt(3, SOL_SOCKET, SO_SNDBUF, [16384], [4]) = 0\n"
        "+0 bind(3, ..., ...) = 0\n"
        "+0 listen(3, 1) = 0\n"
        "+0 < S 0:0(0) win 65535 <mss 1460>\n"
        "+0 > S. 0:0(0) ack 1 <mss 1460>\n"
        "+.1 < . 1:1(0) ack 1 win 65535\n"
        "+0 accept(3, ..., ...) = 4\n"
        "+0 getsockopt(4, SOL_SOCKET, SO_SNDBUF, [16384], [4]) = 0\n"
        "+0 getsockopt(4, SOL_SOCKET, SO_RCVBUF, [8388608], [4]) = 0\n"
        "+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [3000], 4) = 0\n"
        "+0 getsockopt(4, SOL_SOCKET, SO_SNDBUF, [6000], [4]) = 0\n";
    run_pass(bufs);
    run_changed(bufs, "[10000]", "[5000]", PKT_FAIL,
                "t.pkt:3: runtime error in getsockopt call: Bad getsockopt optval: expected: 5000 actual: 10000");
}

/* A retransmission keeps the PSH its segment was first sent with, as Linux resends the skb
   with its flags: two writes of one MSS each, both lost; the tail loss probe resends the
   second, the RTO the first, each with PSH (tests/linux/tlp-two-segments.pkt, Linux 6.18.44). */
static void
test_pkt_run_retransmission_keeps_psh(void **state)
{
    (void)state;
    static const char two[] =
        "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
        "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
        "+0 bind(3, ..., ...) = 0\n"
        "+0 listen(3, 1) = 0\n"
        "+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop>\n"
        "+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK>\n"
        "+0.1 < . 1:1(0) ack 1 win 65535\n"
        "+0 accept(3, ..., ...) = 4\n"
        "+0 write(4, ..., 1000) = 1000\n"
        "+0 write(4, ..., 1000) = 1000\n"
        "+0 > P. 1:1001(1000) ack 1\n"
        "+0 > P. 1001:2001(1000) ack 1\n"
        "+0.2~+0.22 > P. 1001:2001(1000) ack 1\n"
        "+0.3~+0.33 > P. 1:1001(1000) ack 1\n"
        "+0.6~+0.66 > P. 1:1001(1000) ack 1\n";
    run_pass(two);
    run_changed(two, "+0.3~+0.33 > P. 1:1001(1000) ack 1", "+0.3~+0.33 > . 1:1001(1000) ack 1", PKT_FAIL,
                "t.pkt:14: error handling packet: live packet field tcp_psh: expected: 0 (0x0) vs actual: 1 (0x1)");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkt_parse_times_as_written),
        cmocka_unit_test(test_pkt_parse_packet_fields_and_options),
        cmocka_unit_test(test_pkt_parse_syscall_result_errno_note),
        cmocka_unit_test(test_pkt_parse_errors_name_the_line),
        cmocka_unit_test(test_pkt_parse_unsupported_recorded),
        cmocka_unit_test(test_pkt_run_kernel_scripts_pass),
        cmocka_unit_test(test_pkt_run_wrong_flags_fails),
        cmocka_unit_test(test_pkt_run_wrong_seq_fails),
        cmocka_unit_test(test_pkt_run_segments_add_up_to_the_line),
        cmocka_unit_test(test_pkt_run_wrong_errno_fails),
        cmocka_unit_test(test_pkt_run_packet_never_sent_times_out),
        cmocka_unit_test(test_pkt_run_timing_errors),
        cmocka_unit_test(test_pkt_run_sysctl_sets_the_host_setting),
        cmocka_unit_test(test_pkt_run_blocked_at_the_end_fails),
        cmocka_unit_test(test_pkt_run_unsupported_features),
        cmocka_unit_test(test_pkt_run_wrong_options_fail),
        cmocka_unit_test(test_pkt_run_bind_port_in_use_fails),
        cmocka_unit_test(test_pkt_run_bufsize_doubled_as_linux),
        cmocka_unit_test(test_pkt_run_retransmission_keeps_psh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
