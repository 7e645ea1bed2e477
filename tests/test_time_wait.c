/*
 * test_time_wait.c - conformance rows for TIME-WAIT (RFC 9293 §3.6.1, §3.10.7.4, §3.10.8,
 * RFC 1337, RFC 6191): the end of 2MSL (T1), a new SYN (T2), old duplicates (T3), RST (T4) and a
 * retransmitted FIN (F7); then what Linux answers to each kind of segment (setting tw_linux),
 * and a reopened TIME-WAIT whose SYN proves an old duplicate (tw_reopen_restore). In
 * fx_time_wait() A closed first and waits: A's SND.NXT = 102, RCV.NXT = 302.
 * Segments and times under `linux` are those a 6.18 kernel sent (tests/linux/timewait-*.pkt).
 */
#include "conf.h"

/* The 2MSL timer was (re)started by the segment just injected (fx_inject runs the world
   0.1 us past its arrival). */
static void
tw_restarted(const struct tcp_conn *c)
{
    clk_time tw = 2 * c->host->cfg.msl;
    assert_true(tcp_timer_left(c, TCP_TIMER_TIMEWAIT) > tw - CLK_MSEC(1));
}

/* ... or left running: 'before' (tcp_timer_left before the injection) minus the 1 ms the
   injection took. */
static void
tw_not_restarted(const struct tcp_conn *c, clk_time before)
{
    assert_true(tcp_timer_left(c, TCP_TIMER_TIMEWAIT) < before);
}

/* A in TIME-WAIT 10 s after it began, its answers kept from B (B's listener would answer
   each ACK of A with a RST at A's RCV.NXT, which ends TIME-WAIT under tcp_rfc1337 = 0). */
static void
quiet_time_wait(struct fx *f, bool rfc)
{
    fx_init(f, rfc);
    fx_time_wait(f);
    cf_drop_all_from(f, FX_A);
    fx_run_ms(f, 10000);
    fx_mark(f);
}

/* Entering TIME-WAIT the TCB keeps its 2MSL timer and gives back the block of the other
   seven, as Linux's timewait socket keeps one timer: in a world that keeps every TCB the
   TIME-WAIT costs the TCB alone (1,064 bytes). In a compact world (lsim's), once its program
   has closed it, it gives way to its small form at the next world_retire: under the 512 bytes
   of issue #17 (tcp_tw.c; its answers: test_time_wait_small.c). */
static void
test_time_wait_entered_one_timer_kept(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        for (int compact = 0; compact <= 1; compact++) {
            struct fx f;
            fx_init(&f, rfc);
            if (compact)
                assert_int_equal(world_compact(f.w), 0);
            fx_time_wait(&f);
            assert_int_equal(f.a->state, TCP_TIME_WAIT);
            assert_ptr_equal(f.a->timers, &f.w->timers_none);
            assert_true(tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT) > 2 * f.w->host[FX_A].cfg.msl - CLK_MSEC(100));
            uint32_t id = f.a->id;
            world_retire(f.w);
            size_t bytes;
            if (f.w->conns[id - 1])
                bytes = sizeof *f.a + (f.a->timers == &f.w->timers_none ? 0 : sizeof *f.a->timers);
            else
                bytes = TCP_TW_BYTES;
            if (compact)
                assert_true(bytes < 512);
            else
                assert_int_equal(bytes, sizeof *f.a);
            assert_int_equal(world_conn(f.w, id)->state, TCP_TIME_WAIT);
            fx_fini(&f);
        }
    }
}

/* T1: 2MSL expires: delete the TCB -> CLOSED; the port pair is free again. */
static void
test_time_wait_2msl_expires_pair_free(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_time_wait(&f);
    clk_time tw = 2 * f.w->host[FX_A].cfg.msl;
    fx_run_ms(&f, (double)(tw / CLK_MSEC(1)) - 10);
    assert_int_equal(f.a->state, TCP_TIME_WAIT);
    fx_run_ms(&f, 20);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_TIME_WAIT);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_NO_TIMERS);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    struct tcp_conn *c = NULL;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &c), TCP_OK);
    assert_int_equal(c->state, TCP_SYN_SENT);
    fx_fini(&f);
}

/* B closes first, so B (with its listener on port 80) is the one in TIME-WAIT; A is CLOSED.
   B: SND.NXT = 302, RCV.NXT = 102. */
static void
server_time_wait(struct fx *f)
{
    fx_established(f);
    assert_int_equal(tcp_close(f->b), TCP_OK);
    fx_run_ms(f, 5);
    assert_int_equal(tcp_close(f->a), TCP_OK);
    fx_run_ms(f, 5);
    assert_int_equal(f->b->state, TCP_TIME_WAIT);
    assert_int_equal(f->a->state, TCP_CLOSED);
    fx_mark(f);
}

/* T2: a new SYN for the same port pair in TIME-WAIT: above the old RCV.NXT it opens a new
   incarnation (RFC 9293 §3.6.1, RFC 6191, Linux and BSD; both presets) whose ISS lies above
   everything the old one sent: old SND.NXT + 65537 = 302 + 65537 (Linux; the kernel sent
   exactly that, tests/linux/timewait-reopen.pkt), though B's isn setting says 300; otherwise
   an ACK and TIME-WAIT goes on. */
static void
test_time_wait_new_syn_reopens_above_rcv_nxt(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    server_time_wait(&f);
    struct tcp_conn *old = f.b;
    cf_drop_flags(&f, FX_B, TCP_ACK, 1); /* else closed A would answer it with a RST */
    fx_inject_to(&f, old, 50, 0, TCP_SYN, 512, NULL); /* below RCV.NXT = 102 */
    CF_EXPECT(&f, FX_B, {TCP_ACK, 302, 102, 0});
    cf_state(old, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    cf_timers(old, CF_T(TCP_TIMER_TIMEWAIT));
    fx_run_ms(&f, 5);
    fx_mark(&f);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    o.isn = 5000;
    struct tcp_conn *c = NULL;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &c), TCP_OK);
    fx_run_ms(&f, 1.5);
    cf_state(old, TCP_CLOSED, TCP_RULE_TIME_WAIT_REOPEN);
    cf_timers(old, CF_NO_TIMERS);
    struct tcp_conn *n = cf_newest(&f);
    cf_state(n, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, 302 + 65537, 5001, 0});
    fx_run_ms(&f, 5);
    assert_int_equal(c->state, TCP_ESTABLISHED);
    assert_int_equal(n->state, TCP_ESTABLISHED);
    fx_fini(&f);
}

/* T2: why the ISS must lie above the old SND.NXT. Every host has a fixed ISN (B: 300). B sent
   "OLD!" (301..304) in the old connection; a copy delayed in the network arrives after the
   pair was reopened. With ISS 300 again the new A would expect 301 and take "OLD!" as the
   first octets of the new stream; with ISS = 306 + 65537 it is far below RCV.NXT: not
   acceptable, an ACK, nothing to read. */
static void
test_time_wait_reopen_old_duplicate_data_rejected(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    size_t n = 0;
    assert_int_equal(tcp_send(f.b, "OLD!", 4, &n), TCP_OK);
    fx_run_ms(&f, 5);
    char buf[8];
    assert_int_equal(tcp_receive(f.a, buf, sizeof buf, &n), TCP_OK);
    assert_int_equal(n, 4);
    assert_int_equal(tcp_close(f.b), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    fx_run_ms(&f, 5);
    struct tcp_conn *old = f.b;
    assert_int_equal(old->state, TCP_TIME_WAIT);
    assert_int_equal(old->snd_nxt, 306);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    o.isn = 5000; /* above B's RCV.NXT (102): the SYN may reopen the pair */
    struct tcp_conn *c = NULL;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &c), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(c->state, TCP_ESTABLISHED);
    fx_mark(&f);
    fx_inject_to(&f, c, 301, c->snd_nxt, TCP_ACK | TCP_PSH, 65535, "OLD!");
    assert_int_equal(tcp_readable(c), 0); /* before: 4, the old octets in the new stream */
    assert_int_equal(c->irs, 306 + 65537);
    CF_EXPECT(&f, FX_A, {TCP_ACK, c->snd_nxt, 306 + 65538, 0});
    cf_rule(&f, TCP_RULE_SEQ_NOT_ACCEPTABLE);
    fx_fini(&f);
}

/* T2, the SYN was an old duplicate: B's SYN,ACK reaches a closed A, which answers with a RST
   (RFC 9293 Figure 8's recovery). rfc (tw_reopen_restore): TIME-WAIT "returns" (3.6.1 MAY-2):
   the old TCB waited aside, its 2MSL timer running, and takes the pair back; a retransmitted
   FIN of the old connection is ACKed from it. linux: the timewait socket was deleted when the
   SYN came (the kernel did so, tests/linux/timewait-reopen.pkt); the listener answers that FIN
   with a RST. */
static void
test_time_wait_reopen_rst_restores_time_wait(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        fx_init(&f, rfc);
        server_time_wait(&f);
        struct tcp_conn *old = f.b;
        fx_run_ms(&f, 1000);
        clk_time left = tcp_timer_left(old, TCP_TIMER_TIMEWAIT);
        fx_mark(&f);
        fx_inject_to(&f, old, 5000, 0, TCP_SYN, 512, NULL); /* above RCV.NXT = 102 */
        struct tcp_conn *n = cf_newest(&f);
        cf_state(n, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
        CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, 302 + 65537, 5001, 0});
        cf_rule(&f, TCP_RULE_TIME_WAIT_REOPEN);
        fx_run_ms(&f, 2); /* A's RST <SEQ=5001> comes back */
        cf_state(n, TCP_CLOSED, TCP_RULE_RST_TO_LISTEN);
        if (rfc) {
            cf_rule(&f, TCP_RULE_TIME_WAIT_RESTORED);
            cf_state(old, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
            cf_timers(old, CF_T(TCP_TIMER_TIMEWAIT));
            clk_time now_left = tcp_timer_left(old, TCP_TIMER_TIMEWAIT);
            assert_true(now_left < left && now_left > left - CLK_MSEC(10)); /* it ran on */
        }
        fx_mark(&f);
        fx_inject_to(&f, old, 101, 302, TCP_FIN | TCP_ACK, 65535, NULL);
        if (rfc) {
            cf_state(old, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
            CF_EXPECT(&f, FX_B, {TCP_ACK, 302, 102, 0});
            cf_rule(&f, TCP_RULE_FIN_TIME_WAIT_AGAIN);
        } else {
            cf_state(old, TCP_CLOSED, TCP_RULE_TIME_WAIT_REOPEN);
            CF_EXPECT(&f, FX_B, {TCP_RST, 302, 0, 0});
        }
        fx_fini(&f);
    }
}

/* T3: old duplicate data from the previous incarnation: not acceptable, re-ACK and drop.
   rfc: the 2MSL timer runs on (only a retransmitted FIN restarts it, 3.10.7.4 eighth).
   linux: it restarts, as for every segment with the ACK bit (the kernel did so,
   tests/linux/timewait-answers.pkt, 3). */
static void
test_time_wait_old_duplicate_reacked(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        quiet_time_wait(&f, rfc);
        clk_time before = tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT);
        fx_inject_to(&f, f.a, 290, 102, TCP_ACK, 65535, "old data");
        CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
        cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
        cf_timers(f.a, CF_T(TCP_TIMER_TIMEWAIT));
        if (rfc) {
            cf_rule(&f, TCP_RULE_SEQ_NOT_ACCEPTABLE);
            tw_not_restarted(f.a, before);
        } else {
            cf_rule(&f, TCP_RULE_TIME_WAIT_ACK);
            tw_restarted(f.a);
        }
        fx_fini(&f);
    }
}

/* A RST ends TIME-WAIT after the application read everything but not yet the end: a read then
   gives the end of stream, as Linux's read() returns 0 on a socket whose peer's FIN it holds
   (the socket left for a timewait one, and that one's RST never reaches it). */
static void
test_time_wait_rst_then_receive_eof(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_time_wait(&f);
    fx_inject_to(&f, f.a, 302, 0, TCP_RST, 0, NULL);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_RST_CLOSE);
    char buf[8];
    size_t n = 99;
    assert_int_equal(tcp_receive(f.a, buf, sizeof buf, &n), TCP_EOF);
    assert_int_equal(n, 0);
    fx_fini(&f);
}

/* T4: RST in TIME-WAIT: with rfc1337 off (linux preset) -> CLOSED ("TIME-WAIT assassination");
   with rfc1337 on (rfc preset) it is ignored. */
static void
test_time_wait_rst_rfc1337_ignored_else_closed(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    assert_int_equal(f.w->host[FX_A].cfg.rfc1337, 0);
    fx_time_wait(&f);
    fx_inject_to(&f, f.a, 302, 0, TCP_RST, 0, NULL);
    cf_state(f.a, TCP_CLOSED, TCP_RULE_RST_CLOSE);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_NO_TIMERS);
    fx_fini(&f);
    fx_init(&f, true);
    assert_int_equal(f.w->host[FX_A].cfg.rfc1337, 1);
    fx_time_wait(&f);
    fx_inject_to(&f, f.a, 302, 0, TCP_RST, 0, NULL);
    cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    cf_rule(&f, TCP_RULE_RST_RFC1337_IGNORE);
    CF_NONE(&f, FX_A);
    cf_timers(f.a, CF_T(TCP_TIMER_TIMEWAIT));
    fx_fini(&f);
}

/* F7: TIME-WAIT, a retransmitted FIN: acknowledge it and restart the 2MSL timer. */
static void
test_time_wait_fin_again_reacked_restarts_2msl(void **state)
{
    (void)state;
    CF_ENGINE_BUG(RING_PUSH_NULL);
    struct fx f;
    fx_init(&f, false);
    fx_time_wait(&f);
    fx_run_ms(&f, 10000);
    fx_mark(&f);
    clk_time tw = 2 * f.w->host[FX_A].cfg.msl;
    assert_true(tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT) < tw - CLK_SEC(9));
    fx_inject_to(&f, f.a, 301, 102, TCP_FIN | TCP_ACK, 65535, NULL);
    CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
    cf_rule(&f, TCP_RULE_FIN_TIME_WAIT_AGAIN);
    cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    cf_timers(f.a, CF_T(TCP_TIMER_TIMEWAIT));
    assert_true(tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT) > tw - CLK_MSEC(1));
    fx_fini(&f);
}

/* linux: a bare ACK at RCV.NXT restarts the 60 s and is not answered (the kernel: nothing
   sent, ss showed 59 s again, and TIME-WAIT outlived its first 60 s by as much:
   tests/linux/timewait-answers.pkt 1, timewait-rearm.pkt). rfc: nothing sent, the timer
   runs on (3.10.7.4: an acceptable ACK of nothing new). */
static void
test_time_wait_bare_ack_restarts_2msl_silently(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        quiet_time_wait(&f, rfc);
        clk_time before = tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT);
        fx_inject_to(&f, f.a, 302, 102, TCP_ACK, 65535, NULL);
        CF_NONE(&f, FX_A);
        cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
        if (rfc) {
            tw_not_restarted(f.a, before);
            fx_fini(&f);
            continue;
        }
        cf_rule(&f, TCP_RULE_TIME_WAIT_BARE_ACK);
        tw_restarted(f.a);
        /* 60 s from the restart, not from the start: still there 59.9 s later, gone at 60.1 */
        fx_run_ms(&f, 59900);
        assert_int_equal(f.a->state, TCP_TIME_WAIT);
        fx_run_ms(&f, 200);
        cf_state(f.a, TCP_CLOSED, TCP_RULE_TIMER_TIME_WAIT);
        fx_fini(&f);
    }
}

/* A duplicate ACK of older data (SEQ below RCV.NXT, no data) gets an ACK; the same 100 ms
   later gets nothing (tcp_invalid_ratelimit: ACK_RATE_LIMITED); 600 ms after the first, an
   ACK again. The kernel did exactly this (tests/linux/timewait-answers.pkt, 2), and restarted
   the timer each time, the unanswered one too; rfc: the timer runs on. */
static void
test_time_wait_dup_ack_reacked_rate_limited(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        quiet_time_wait(&f, rfc);
        clk_time before = tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT);
        fx_inject_to(&f, f.a, 301, 102, TCP_ACK, 65535, NULL);
        CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
        fx_run_ms(&f, 100);
        fx_mark(&f);
        fx_inject_to(&f, f.a, 301, 102, TCP_ACK, 65535, NULL);
        CF_NONE(&f, FX_A);
        cf_rule(&f, TCP_RULE_ACK_RATE_LIMITED);
        if (rfc)
            tw_not_restarted(f.a, before);
        else
            tw_restarted(f.a);
        fx_run_ms(&f, 500);
        fx_mark(&f);
        fx_inject_to(&f, f.a, 301, 102, TCP_ACK, 65535, NULL);
        CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
        cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
        fx_fini(&f);
    }
}

/* Data at RCV.NXT (after the peer's FIN it cannot be genuine). linux: an ACK, the timer
   restarts (the kernel: tests/linux/timewait-answers.pkt, 3). rfc: "Ignore the segment
   text" (3.10.7.4 seventh), nothing sent. */
static void
test_time_wait_data_at_rcv_nxt_acked(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        quiet_time_wait(&f, rfc);
        fx_inject_to(&f, f.a, 302, 102, TCP_ACK | TCP_PSH, 65535, "x");
        assert_int_equal(tcp_readable(f.a), 0);
        cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
        if (rfc) {
            CF_NONE(&f, FX_A);
            cf_rule(&f, TCP_RULE_TEXT_IGNORED);
        } else {
            CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
            cf_rule(&f, TCP_RULE_TIME_WAIT_ACK);
            tw_restarted(f.a);
        }
        fx_fini(&f);
    }
}

/* An empty segment at RCV.NXT whose ACK field acknowledges data never sent. linux: it is a
   bare segment at RCV.NXT: nothing sent, the timer restarts (the kernel:
   tests/linux/timewait-answers.pkt, 5). rfc: "send an ACK, drop the segment" (3.10.7.4
   fifth). */
static void
test_time_wait_ack_of_unsent_at_rcv_nxt_silent(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        quiet_time_wait(&f, rfc);
        fx_inject_to(&f, f.a, 302, 1000, TCP_ACK, 65535, NULL);
        cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
        if (rfc) {
            CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
            cf_rule(&f, TCP_RULE_ACK_TOO_NEW);
        } else {
            CF_NONE(&f, FX_A);
            cf_rule(&f, TCP_RULE_TIME_WAIT_BARE_ACK);
            tw_restarted(f.a);
        }
        fx_fini(&f);
    }
}

/* An empty segment far outside the window: an ACK in both presets; linux restarts the timer
   (the kernel: tests/linux/timewait-answers.pkt, 6). */
static void
test_time_wait_out_of_window_ack_reacked(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        quiet_time_wait(&f, rfc);
        clk_time before = tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT);
        fx_inject_to(&f, f.a, 302 + 1000000, 102, TCP_ACK, 65535, NULL);
        CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
        if (rfc)
            tw_not_restarted(f.a, before);
        else
            tw_restarted(f.a);
        fx_fini(&f);
    }
}

/* An RST inside the window but not at RCV.NXT. linux: dropped silently, the timer runs on
   (the kernel: tests/linux/timewait-answers.pkt, 7). rfc: RFC 5961 3.2's challenge ACK. */
static void
test_time_wait_rst_in_window_dropped_silently(void **state)
{
    (void)state;
    for (int rfc = 0; rfc <= 1; rfc++) {
        struct fx f;
        quiet_time_wait(&f, rfc);
        clk_time before = tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT);
        fx_inject_to(&f, f.a, 400, 0, TCP_RST, 0, NULL);
        cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
        tw_not_restarted(f.a, before);
        if (rfc) {
            CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
            cf_rule(&f, TCP_RULE_RST_CHALLENGE);
        } else {
            CF_NONE(&f, FX_A);
            cf_rule(&f, TCP_RULE_TIME_WAIT_RST_DROP);
        }
        fx_fini(&f);
    }
}

/* SYNs that cannot reopen the pair: below RCV.NXT, at RCV.NXT, or above it with no listener
   on the port (A's port 40000 has none). Each gets an ACK of the old connection, the second
   within 500 ms none (the SYN counts for the limiter like an empty segment), and the timer
   is not restarted: a SYN carries no ACK bit. The kernel: tests/linux/timewait-answers.pkt 8,
   timewait-no-listener.pkt. Both presets. */
static void
test_time_wait_syn_acked_timer_runs(void **state)
{
    (void)state;
    static const uint32_t seqs[] = {200, 302, 5000};
    for (int rfc = 0; rfc <= 1; rfc++) {
        for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++) {
            struct fx f;
            quiet_time_wait(&f, rfc);
            clk_time before = tcp_timer_left(f.a, TCP_TIMER_TIMEWAIT);
            fx_inject_to(&f, f.a, seqs[k], 0, TCP_SYN, 512, NULL);
            CF_EXPECT(&f, FX_A, {TCP_ACK, 102, 302, 0});
            tw_not_restarted(f.a, before);
            fx_run_ms(&f, 100);
            fx_mark(&f);
            fx_inject_to(&f, f.a, seqs[k], 0, TCP_SYN, 512, NULL);
            CF_NONE(&f, FX_A);
            cf_rule(&f, TCP_RULE_ACK_RATE_LIMITED);
            cf_state(f.a, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
            assert_int_equal(f.w->nconns, 3); /* A1, B's listener, B2: nothing new */
            fx_fini(&f);
        }
    }
}

/* rfc (tw_reopen_restore): the reopened pair completes its handshake: only then is the old
   TIME-WAIT deleted (TIME_WAIT_SUPERSEDED); until then it waited aside, still in TIME-WAIT. */
static void
test_time_wait_reopen_established_deletes_old(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, true);
    server_time_wait(&f);
    struct tcp_conn *old = f.b;
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    o.isn = 5000;
    struct tcp_conn *c = NULL;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &c), TCP_OK);
    fx_run_ms(&f, 1.5);
    struct tcp_conn *n = cf_newest(&f);
    cf_state(n, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    cf_state(old, TCP_TIME_WAIT, TCP_RULE_FIN_TIME_WAIT);
    cf_rule(&f, TCP_RULE_TIME_WAIT_REOPEN);
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, 302 + 65537, 5001, 0});
    fx_run_ms(&f, 5);
    assert_int_equal(c->state, TCP_ESTABLISHED);
    cf_state(n, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    cf_state(old, TCP_CLOSED, TCP_RULE_TIME_WAIT_SUPERSEDED);
    cf_timers(old, CF_NO_TIMERS);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_wait_2msl_expires_pair_free),
        cmocka_unit_test(test_time_wait_new_syn_reopens_above_rcv_nxt),
        cmocka_unit_test(test_time_wait_old_duplicate_reacked),
        cmocka_unit_test(test_time_wait_rst_rfc1337_ignored_else_closed),
        cmocka_unit_test(test_time_wait_fin_again_reacked_restarts_2msl),
        cmocka_unit_test(test_time_wait_reopen_old_duplicate_data_rejected),
        cmocka_unit_test(test_time_wait_reopen_rst_restores_time_wait),
        cmocka_unit_test(test_time_wait_reopen_established_deletes_old),
        cmocka_unit_test(test_time_wait_bare_ack_restarts_2msl_silently),
        cmocka_unit_test(test_time_wait_dup_ack_reacked_rate_limited),
        cmocka_unit_test(test_time_wait_data_at_rcv_nxt_acked),
        cmocka_unit_test(test_time_wait_ack_of_unsent_at_rcv_nxt_silent),
        cmocka_unit_test(test_time_wait_out_of_window_ack_reacked),
        cmocka_unit_test(test_time_wait_rst_in_window_dropped_silently),
        cmocka_unit_test(test_time_wait_syn_acked_timer_runs),
        cmocka_unit_test(test_time_wait_rst_then_receive_eof),
        cmocka_unit_test(test_time_wait_entered_one_timer_kept),
    };
    return cmocka_run_group_tests_name("time_wait", tests, NULL, NULL);
}
