/*
 * test_out_e2e.c - every output attached to a real world at once (handshake, data, a segment
 * lost by a wire rule and retransmitted, close, 2MSL): the outputs must agree with each other
 * and with the recorded event stream.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpsim/out.h"
#include "tcpsim/world.h"

struct e2e {
    struct world *w;
    struct trace_log log;
    struct out_text *text;
    char *tbuf;
    size_t tlen;
    FILE *tf;
    struct out_pcap *pcap;
    struct out_coverage live;
    uint32_t a_id;          /* A's socket */
};

/* The run: B listens, A connects (ISN 100), sends "hello" (lost once), both close. */
static void
e2e_run(struct e2e *e, enum out_format fmt)
{
    struct world_config cfg = {.seed = 7, .preset = TCP_PRESET_RFC};
    memset(e, 0, sizeof *e);
    e->w = world_new(&cfg);
    assert_non_null(e->w);
    trace_log_init(&e->log);
    e->tf = open_memstream(&e->tbuf, &e->tlen);
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    o.format = fmt;
    e->text = out_text_new(e->tf, &o);
    e->pcap = out_pcap_new();
    out_coverage_init(&e->live);
    assert_int_equal(world_observe(e->w, trace_log_observe, &e->log), 0);
    assert_int_equal(world_observe(e->w, out_text_observe, e->text), 0);
    assert_int_equal(world_observe(e->w, out_pcap_observe, e->pcap), 0);
    assert_int_equal(world_observe(e->w, out_coverage_observe, &e->live), 0);

    struct tcp_conn *l, *c, *s = NULL;
    struct tcp_open_opts ob = TCP_OPEN_OPTS_DEFAULT, oa = TCP_OPEN_OPTS_DEFAULT;
    ob.isn = 300;
    oa.isn = 100;
    oa.lport = 40000;
    e->w->host[1].cfg.isn = 300;
    assert_int_equal(tcp_open_passive(&e->w->host[1], 80, &ob, &l), TCP_OK);
    assert_int_equal(tcp_open_active(&e->w->host[0], e->w->host[1].addr, 80, &oa, &c), TCP_OK);
    e->a_id = c->id;
    world_run_until_time(e->w, CLK_MSEC(100));
    assert_int_equal(c->state, TCP_ESTABLISHED);
    assert_int_equal(tcp_accept(l, &s), TCP_OK);
    assert_non_null(s);
    struct wire_rule r = {.from = 0, .flags = TCP_PSH, .len = -1, .nth = 1, .count = 1, .action = WIRE_DROP};
    assert_true(wire_rule_add(e->w, &r) > 0);
    size_t q;
    assert_int_equal(tcp_send(c, "hello", 5, &q), TCP_OK);
    world_run_until_time(e->w, CLK_SEC(10));
    char buf[16];
    size_t got = 0;
    assert_int_equal(tcp_receive(s, buf, sizeof buf, &got), TCP_OK);
    assert_int_equal(got, 5);
    assert_int_equal(tcp_close(c), TCP_OK);
    world_run_until_time(e->w, CLK_SEC(11));
    assert_int_equal(tcp_close(s), TCP_OK);
    world_run_idle(e->w, CLK_SEC(1000));
    assert_int_equal(c->state, TCP_CLOSED);
    fflush(e->tf);
}

static void
e2e_fini(struct e2e *e)
{
    out_text_free(e->text);
    fclose(e->tf);
    free(e->tbuf);
    out_pcap_free(e->pcap);
    trace_log_fini(&e->log);
    world_free(e->w);
}

static size_t
e2e_count(const struct trace_log *log, enum trace_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < log->len; i++)
        n += trace_log_kind(log, i) == k;
    return n;
}

static void
test_e2e_tcpdump_one_line_per_send(void **state)
{
    (void)state;
    struct e2e e;
    e2e_run(&e, OUT_FMT_TCPDUMP);
    size_t sends = e2e_count(&e.log, TRACE_SEND), lines = 0;
    for (const char *p = e.tbuf; (p = strstr(p, "  IP 10.0.0.")); p++)
        lines++;
    assert_true(sends >= 10);
    assert_int_equal(lines, sends);
    assert_int_equal(out_pcap_count(e.pcap), sends);
    assert_int_equal(e2e_count(&e.log, TRACE_DROP), 1);
    assert_non_null(strstr(e.tbuf, "Flags [S], seq 100, win "));
    assert_non_null(strstr(e.tbuf, "Flags [S.], seq 300, ack 101, win "));
    assert_non_null(strstr(e.tbuf, "# dropped ("));
    e2e_fini(&e);
}

static void
test_e2e_rfc_every_state_change_printed(void **state)
{
    (void)state;
    struct e2e e;
    e2e_run(&e, OUT_FMT_RFC);
    size_t n = 0;
    for (size_t i = 0; i < e.log.len; i++) {
        const struct trace_event ev_ = trace_log_get(&e.log, i), *ev = &ev_;
        if (ev->kind != TRACE_STATE)
            continue;
        char want[96];
        snprintf(want, sizeof want, "%s %s -> %s  [", ev->conn_name, tcp_state_rfc(ev->from_state),
                 tcp_state_rfc(ev->to_state));
        assert_non_null(strstr(e.tbuf, want));
        n++;
    }
    assert_true(n >= 9);
    /* the arrival of the SYN,ACK shows A's state on arrival, not B's */
    assert_non_null(strstr(e.tbuf, "A SYN-SENT       <-- <SEQ=0><ACK=1><CTL=SYN,ACK>"));
    e2e_fini(&e);
}

static void
test_e2e_live_coverage_equals_log_coverage(void **state)
{
    (void)state;
    struct e2e e;
    e2e_run(&e, OUT_FMT_JSONL);
    struct out_coverage fromlog;
    out_coverage_init(&fromlog);
    out_coverage_add(&fromlog, &e.log);
    assert_memory_equal(fromlog.edge, e.live.edge, sizeof fromlog.edge);
    assert_memory_equal(fromlog.rule, e.live.rule, sizeof fromlog.rule);
    assert_int_equal(fromlog.edge[TCP_TIME_WAIT][TCP_CLOSED], 1);
    assert_true(fromlog.rule[TCP_RULE_TIMER_REXMIT] >= 1);
    e2e_fini(&e);
}

static void
test_e2e_ladder_and_dot_follow_the_log(void **state)
{
    (void)state;
    struct e2e e;
    e2e_run(&e, OUT_FMT_RFC);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(out_ladder(f, &e.log, NULL), 0);
    fclose(f);
    size_t tips = 0, x = 0;
    for (const char *p = buf; *p; p++) {
        tips += (*p == '>' && p[1] == '|') || (*p == '<' && p[-1] == '|');
        x += strncmp(p, "-X ", 3) == 0; /* a drop's head (notes may hold an X too) */
    }
    assert_int_equal(tips, e2e_count(&e.log, TRACE_DELIVER));
    assert_int_equal(x, 1);
    assert_non_null(strstr(buf, "TIME-WAIT"));
    free(buf);
    buf = NULL;
    f = open_memstream(&buf, &len);
    assert_int_equal(out_dot(f, &e.log, e.a_id), 0);
    fclose(f);
    assert_non_null(strstr(buf, "CLOSED -> SYN_SENT [label=\"active OPEN\\ncreate TCB, snd SYN\\n[1]\""));
    assert_non_null(strstr(buf, "(now: A1)"));
    free(buf);
    e2e_fini(&e);
}

static void
test_e2e_pcap_tshark_agrees_with_log(void **state)
{
    (void)state;
    if (system("command -v tshark >/dev/null 2>&1") != 0)
        skip();
    struct e2e e;
    e2e_run(&e, OUT_FMT_RFC);
    char path[] = "/tmp/tcpsim-e2e-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_int_equal(out_pcap_finish(e.pcap, f), 0);
    fclose(f);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "tshark -r %s -o tcp.check_checksum:TRUE -T fields -E separator=, "
             "-e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e tcp.checksum.status -e _ws.malformed 2>/dev/null",
             path);
    FILE *p = popen(cmd, "r");
    char line[256];
    size_t i = 0;
    while (fgets(line, sizeof line, p)) {
        while (i < e.log.len && trace_log_kind(&e.log, i) != TRACE_SEND)
            i++;
        assert_true(i < e.log.len);
        const struct trace_event s_ev = trace_log_get(&e.log, i);
    const struct tcp_seg *s = &s_ev.seg;
        unsigned flags, seq, ack, plen, ok;
        char rest[64] = "";
        assert_int_equal(sscanf(line, "0x%x,%u,%u,%u,%u,%63[^\n]", &flags, &seq, &ack, &plen, &ok, rest), 5);
        assert_int_equal(flags, s->flags);
        assert_int_equal(seq, s->seq);
        assert_int_equal(ack, s->ack);
        assert_int_equal(plen, s->len);
        assert_int_equal(ok, 1);
        i++;
    }
    assert_int_equal(pclose(p), 0);
    unlink(path);
    while (i < e.log.len && trace_log_kind(&e.log, i) != TRACE_SEND)
        i++;
    assert_int_equal(i, e.log.len); /* every send was read back */
    e2e_fini(&e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e2e_tcpdump_one_line_per_send),
        cmocka_unit_test(test_e2e_rfc_every_state_change_printed),
        cmocka_unit_test(test_e2e_live_coverage_equals_log_coverage),
        cmocka_unit_test(test_e2e_ladder_and_dot_follow_the_log),
        cmocka_unit_test(test_e2e_pcap_tshark_agrees_with_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
