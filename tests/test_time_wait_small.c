/*
 * test_time_wait_small.c - a TIME-WAIT in its small form (sim/tcp_tw.c, issue #17): in a world
 * that keeps many connections (world_compact, lsim's), a TIME-WAIT its program has closed
 * gives up its TCB, as Linux's timewait socket replaces the socket (tcp_time_wait), and still
 * answers as RFC 9293 §3.10.7.4 / Linux's tcp_timewait_state_process do: a retransmitted FIN is
 * ACKed and 2MSL restarts (eighth step), an old duplicate is dropped by PAWS (RFC 7323 5.3), a
 * new SYN reopens the pair (§3.6.1), 2MSL ends it (§3.10.8). Each run here is made twice, in a
 * world that keeps every TCB and in a compact one retiring TCBs before each step as lsim does,
 * and the two traces must be the same byte for byte.
 *
 * B closes first (the server), so its TIME-WAIT has a listener to reopen it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "tcpsim/out.h"

/* Run 'ms' milliseconds as lsim_step does: the world retires what it may before each event
   (a no-op in a world that is not compact). */
static void
tws_run_ms(struct fx *f, double ms)
{
    clk_time until = world_now(f->w) + clk_from_sec(ms / 1000.0);
    while (world_next_time(f->w) <= until) {
        world_retire(f->w);
        world_step(f->w);
    }
    world_retire(f->w);
    world_run_until_time(f->w, until);
}

/* A segment from A's old port to B's port 80, with a timestamp, arriving at B now + 1 ms. */
static void
tws_inject(struct fx *f, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t tsval, uint32_t tsecr)
{
    struct tcp_seg s;
    fx_seg(f, &s, FX_B, FX_CPORT, FX_SPORT, seq, ack, flags, 1000);
    s.opt.present = TCP_OPT_TS;
    s.opt.tsval = tsval;
    s.opt.tsecr = tsecr;
    fx_mark(f);
    wire_inject(f->w, FX_A, &s);
    tws_run_ms(f, f->w->wire.link[FX_A].delay / 1e6 + 0.0001);
}

/* B in TIME-WAIT, closed by its program, A CLOSED, timestamps on; in a compact world B's TCB
   has given way to its small form. Its id, RCV.NXT, SND.NXT and TS.Recent in '*v'. */
struct tws_tw {
    uint32_t id, rcv_nxt, snd_nxt, ts_recent;
};

static void
tws_time_wait(struct fx *f, bool rfc, bool compact, struct tws_tw *v)
{
    fx_init(f, rfc);
    if (compact)
        assert_int_equal(world_compact(f->w), 0);
    for (int h = FX_A; h <= FX_B; h++) { /* the preset whole: window scaling, timestamps,
                                            SACK, Linux's window and delayed ACK */
        tcp_settings_preset(&f->w->host[h].cfg, rfc ? TCP_PRESET_RFC : TCP_PRESET_LINUX);
        f->w->host[h].cfg.timestamps = 1;
        f->w->host[h].cfg.isn = h == FX_A ? FX_ISS_A : FX_ISS_B;
    }
    fx_established(f);
    assert_true(f->b->ts_ok);
    assert_int_equal(tcp_close(f->b), TCP_OK);
    fx_run_ms(f, 5);
    assert_int_equal(tcp_close(f->a), TCP_OK);
    uint32_t a_id = f->a->id;
    v->id = f->b->id;
    f->a = f->b = f->l = NULL; /* a compact world may retire them: ids from here on */
    tws_run_ms(f, 5);
    assert_int_equal(world_conn(f->w, a_id)->state, TCP_CLOSED);
    const struct tcp_conn *b = world_conn(f->w, v->id);
    assert_int_equal(b->state, TCP_TIME_WAIT);
    v->rcv_nxt = b->rcv_nxt;
    v->snd_nxt = b->snd_nxt;
    v->ts_recent = b->ts_recent;
    /* B's answers are kept from A, whose RST would end TIME-WAIT (tcp_rfc1337 = 0) */
    assert_true(cf_drop_all_from(f, FX_B) >= 0);
    world_retire(f->w);
    struct tcp_host *h = &f->w->host[FX_B];
    assert_int_equal(h->nstate[TCP_TIME_WAIT], 1);
    assert_int_equal(h->nstate[TCP_LISTEN], 1);
    if (compact) {
        /* the TCB is gone: the small form holds its place, under 512 bytes */
        assert_null(f->w->conns[v->id - 1]);
        assert_true(h->conns && h->conns->tw);
        assert_true(TCP_TW_BYTES < 512);
    } else {
        assert_non_null(f->w->conns[v->id - 1]);
    }
}

/* The run's trace, as `tcpsim run --trace=jsonl --timers` and the rfc trace print it, and the
   TCB every event carried (the web page's). */
static char *
tws_trace(const struct fx *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    o.show_timers = true;
    assert_int_equal(out_text_log(out, &f->log, &o), 0);
    o.format = OUT_FMT_JSONL;
    assert_int_equal(out_text_log(out, &f->log, &o), 0);
    for (size_t i = 0; i < f->log.len; i++) {
        struct trace_event ev = trace_log_get(&f->log, i);
        if (ev.has_tcb)
            fprintf(out, "%zu tcb %u %u %u %u %u %u %u %lld %lld\n", i, (unsigned)ev.tcb.snd_una,
                    (unsigned)ev.tcb.snd_nxt, (unsigned)ev.tcb.snd_wnd, (unsigned)ev.tcb.iss,
                    (unsigned)ev.tcb.rcv_nxt, (unsigned)ev.tcb.rcv_wnd, (unsigned)ev.tcb.irs,
                    (long long)ev.tcb.rto, (long long)ev.tcb.srtt);
    }
    fclose(out);
    return buf;
}

/* Run 'ms' more, then the run's trace; the world is freed. */
static char *
tws_end(struct fx *f, double ms)
{
    tws_run_ms(f, ms);
    char *trace = tws_trace(f);
    fx_fini(f);
    return trace;
}

/* The retransmitted FIN, an old duplicate, 2MSL to its end. */
static char *
tws_fin_paws_expiry(bool rfc, bool compact)
{
    struct fx f;
    struct tws_tw v;
    tws_time_wait(&f, rfc, compact, &v);
    clk_time msl2 = 2 * f.w->host[FX_B].cfg.msl;
    tws_run_ms(&f, 2000);

    /* eighth, TIME-WAIT: "Acknowledge it, and restart the 2 MSL timeout" */
    tws_inject(&f, v.rcv_nxt - 1, v.snd_nxt, TCP_FIN | TCP_ACK, v.ts_recent + 10, 0);
    assert_true(fx_rule_seen(&f, TCP_RULE_FIN_TIME_WAIT_AGAIN));
    assert_true(fx_sent_one(&f, FX_B, TCP_ACK, v.snd_nxt, v.rcv_nxt));
    assert_true(tcp_timer_left(world_conn(f.w, v.id), TCP_TIMER_TIMEWAIT) > msl2 - CLK_MSEC(1));
    world_retire(f.w);
    if (compact)
        assert_null(f.w->conns[v.id - 1]); /* small again */

    /* RFC 7323 5.3 R1: an older TSval is an old duplicate, whatever its sequence number:
       dropped, answered by an ACK through the limiter (tcp_invalid_ratelimit: one; 100 ms
       later, none) */
    tws_run_ms(&f, 1000);
    tws_inject(&f, v.rcv_nxt, v.snd_nxt, TCP_ACK, v.ts_recent - 1000, 0);
    assert_true(fx_rule_seen(&f, TCP_RULE_PAWS_REJECT));
    assert_true(fx_sent_one(&f, FX_B, TCP_ACK, v.snd_nxt, v.rcv_nxt));
    tws_run_ms(&f, 100);
    tws_inject(&f, v.rcv_nxt, v.snd_nxt, TCP_ACK, v.ts_recent - 1000, 0);
    assert_true(fx_rule_seen(&f, TCP_RULE_PAWS_REJECT));
    assert_int_equal(fx_sent(&f, FX_B, NULL, 0), 0);

    /* §3.10.8: "If the time-wait timeout expires on a connection delete the TCB" */
    tws_run_ms(&f, (double)(msl2 / CLK_MSEC(1)) + 10);
    const struct tcp_conn *c = world_conn(f.w, v.id);
    assert_int_equal(c->state, TCP_CLOSED);
    assert_int_equal(c->last_rule, TCP_RULE_TIMER_TIME_WAIT);
    assert_int_equal(f.w->host[FX_B].nstate[TCP_TIME_WAIT], 0);
    return tws_end(&f, 0);
}

/* §3.6.1 MAY-2 / Linux tcp_timewait_state_process: a SYN above RCV.NXT, with a newer
   timestamp, reopens the pair; the new ISS is the old SND.NXT + 65537. */
static char *
tws_syn_reopens(bool rfc, bool compact)
{
    struct fx f;
    struct tws_tw v;
    tws_time_wait(&f, rfc, compact, &v);
    tws_run_ms(&f, 3000);
    tws_inject(&f, v.rcv_nxt + 100000, 0, TCP_SYN, v.ts_recent + 3000, 0);
    assert_true(fx_rule_seen(&f, TCP_RULE_TIME_WAIT_REOPEN));
    assert_true(fx_sent_one(&f, FX_B, TCP_SYN | TCP_ACK, v.snd_nxt + 65537, v.rcv_nxt + 100001));
    /* The SYN,ACK is never answered (B's segments are dropped): the new incarnation gives up.
       Under tw_reopen_restore (rfc) the old TCB, set aside in full meanwhile, takes the pair
       back ("returns to TIME-WAIT state if the SYN turns out to be an old duplicate"), gives
       way to its small form again, and 2MSL ends it. */
    fx_mark(&f);
    clk_time end = world_now(f.w) + 2 * f.w->host[FX_B].cfg.msl + CLK_SEC(1);
    while (rfc && !fx_rule_seen(&f, TCP_RULE_TIME_WAIT_RESTORED) && world_now(f.w) < end)
        tws_run_ms(&f, 100);
    if (rfc && compact)
        assert_null(f.w->conns[v.id - 1]); /* small again (tcp_time_wait_settle) */
    tws_run_ms(&f, (double)((end - world_now(f.w)) / CLK_MSEC(1)));
    const struct tcp_conn *c = world_conn(f.w, v.id);
    assert_int_equal(c->state, TCP_CLOSED);
    assert_int_equal(c->last_rule, rfc ? TCP_RULE_TIMER_TIME_WAIT : TCP_RULE_TIME_WAIT_REOPEN);
    assert_true(fx_rule_seen(&f, TCP_RULE_TIME_WAIT_RESTORED) == (bool)rfc);
    return tws_end(&f, 1000);
}

/* The host crashes (§3.5.2): its small TIME-WAIT is forgotten with its listener, in the order
   of the host's list, as the full TCB would be. */
static char *
tws_crash(bool rfc, bool compact)
{
    struct fx f;
    struct tws_tw v;
    tws_time_wait(&f, rfc, compact, &v);
    tws_run_ms(&f, 1000);
    fx_mark(&f);
    tcp_host_crash(&f.w->host[FX_B]);
    assert_true(fx_rule_seen(&f, TCP_RULE_HOST_CRASH));
    assert_null(f.w->host[FX_B].conns);
    assert_int_equal(f.w->host[FX_B].nstate[TCP_TIME_WAIT], 0);
    return tws_end(&f, 1000);
}

/* Linux tcp_twsk_unique (tcp_tw_reuse 1): a connect() to the same peer takes the pair from a
   small TIME-WAIT whose last timestamp is more than a second old (its age read from the small
   form, no TCB made for the search), ISS = the old SND.NXT + 65537. Here A is the TIME-WAIT
   (it closed first) and has one ephemeral port. */
static char *
tws_tw_reuse(bool rfc, bool compact)
{
    struct fx f;
    fx_init(&f, rfc);
    if (compact)
        assert_int_equal(world_compact(f.w), 0);
    struct tcp_host *a = &f.w->host[FX_A];
    a->cfg.timestamps = f.w->host[FX_B].cfg.timestamps = 1;
    a->cfg.tw_reuse = 1;
    a->cfg.port_lo = a->cfg.port_hi = FX_CPORT + 1; /* connect()'s own: shared (tcp_ephemeral_port) */
    fx_listen(&f);
    fx_run_ms(&f, 3000); /* a clock well past 1 s: only TS.Recent's own age can hold the pair */
    struct tcp_conn *c = NULL, *b = NULL;
    assert_int_equal(tcp_open_active(a, f.w->host[FX_B].addr, FX_SPORT, NULL, &c), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(tcp_accept(f.l, &b), TCP_OK);
    assert_non_null(b);
    assert_int_equal(tcp_close(c), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(tcp_close(b), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(c->state, TCP_TIME_WAIT);
    uint32_t id = c->id, snd_nxt = c->snd_nxt;
    f.l = NULL;
    tws_run_ms(&f, 500);
    if (compact)
        assert_null(f.w->conns[id - 1]);
    /* half a second: too young, and the one port is held */
    assert_int_equal(tcp_open_active(a, f.w->host[FX_B].addr, FX_SPORT, NULL, &c), TCP_EADDRNOTAVAIL);
    tws_run_ms(&f, 1000);
    fx_mark(&f);
    assert_int_equal(tcp_open_active(a, f.w->host[FX_B].addr, FX_SPORT, NULL, &c), TCP_OK);
    assert_int_equal(c->lport, FX_CPORT + 1);
    assert_int_equal(c->iss, snd_nxt + 65537);
    assert_true(fx_rule_seen(&f, TCP_RULE_OPEN_TW_REUSE));
    assert_int_equal(world_conn(f.w, id)->state, TCP_CLOSED);
    return tws_end(&f, 1000);
}

static void
tws_same(char *(*run)(bool, bool))
{
    for (int rfc = 0; rfc <= 1; rfc++) {
        char *full = run(rfc, false), *small = run(rfc, true);
        assert_true(strlen(full) > 1000);
        assert_string_equal(small, full);
        free(full);
        free(small);
    }
}

static void
test_time_wait_small_fin_again_paws_2msl_same_trace(void **state)
{
    (void)state;
    tws_same(tws_fin_paws_expiry);
}

static void
test_time_wait_small_syn_reopens_same_trace(void **state)
{
    (void)state;
    tws_same(tws_syn_reopens);
}

static void
test_time_wait_small_host_crash_same_trace(void **state)
{
    (void)state;
    tws_same(tws_crash);
}

static void
test_time_wait_small_tw_reuse_connect_same_trace(void **state)
{
    (void)state;
    tws_same(tws_tw_reuse);
}

/* A small TIME-WAIT made into a TCB again (tws_time_wait's reopening), still TIME-WAIT. */
static const struct tcp_conn *
tws_reopened(struct fx *f)
{
    struct tws_tw v;
    tws_time_wait(f, false, true, &v);
    const struct tcp_conn *b = world_conn(f->w, v.id);
    assert_int_equal(b->state, TCP_TIME_WAIT);
    return b;
}

/* A TCB made again from its record is given its state directly, not through tcp_set_state
   (tcp_rec_open; a small TIME-WAIT's, tcp_tw_open): header prediction's word is off in it
   from the start (TCP_PRED_OFF, which no SEG.WND is). A word left 0 would take a segment
   carrying SEG.WND 0 for a predicted one. */
static void
test_time_wait_small_reopened_predicts_nothing(void **state)
{
    (void)state;
    struct fx f;
    const struct tcp_conn *b = tws_reopened(&f);
    assert_int_equal(b->pred_wnd, TCP_PRED_OFF);
    fx_fini(&f);
}

/* The TCB a small TIME-WAIT is made into again keeps its host's world beside the host, as a
   new one does (tcp_rec_open; tcp_now reads the clock through it). */
static void
test_time_wait_small_reopened_knows_its_world(void **state)
{
    (void)state;
    struct fx f;
    const struct tcp_conn *b = tws_reopened(&f);
    assert_ptr_equal(b->world, f.w);
    fx_fini(&f);
}

/* A TIME-WAIT the program still holds (shutdown(SHUT_WR), then the peer's FIN) keeps its TCB:
   its descriptor may still read it; close() lets it give way. */
static void
test_time_wait_held_by_program_keeps_tcb(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    assert_int_equal(world_compact(f.w), 0);
    fx_established(&f);
    assert_int_equal(tcp_shutdown(f.b), TCP_OK);
    fx_run_ms(&f, 5);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    fx_run_ms(&f, 5);
    uint32_t id = f.b->id;
    assert_int_equal(f.b->state, TCP_TIME_WAIT);
    world_retire(f.w);
    assert_ptr_equal(f.w->conns[id - 1], f.b); /* held: the TCB stays */
    assert_int_equal(tcp_close(f.b), TCP_OK);
    world_retire(f.w);
    assert_null(f.w->conns[id - 1]); /* closed: the small form */
    struct tcp_conn *c = world_conn(f.w, id);
    assert_int_equal(c->state, TCP_TIME_WAIT);
    assert_int_equal(f.w->host[FX_B].nstate[TCP_TIME_WAIT], 1);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_wait_small_fin_again_paws_2msl_same_trace),
        cmocka_unit_test(test_time_wait_small_syn_reopens_same_trace),
        cmocka_unit_test(test_time_wait_small_host_crash_same_trace),
        cmocka_unit_test(test_time_wait_small_tw_reuse_connect_same_trace),
        cmocka_unit_test(test_time_wait_held_by_program_keeps_tcb),
        cmocka_unit_test(test_time_wait_small_reopened_predicts_nothing),
        cmocka_unit_test(test_time_wait_small_reopened_knows_its_world),
    };
    return cmocka_run_group_tests_name("time_wait_small", tests, NULL, NULL);
}
