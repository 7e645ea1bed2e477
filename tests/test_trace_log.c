/*
 * test_trace_log.c - the event log in bounded memory (trace.c, issue 17): its window of recent
 * events, its interned texts, what it has seen of the whole run, and what a scenario sees of
 * it (sim:trace's first and last, sim:config's trace_window, goals and expect_segment across
 * a window that dropped events).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>

#include "tcpsim/trace.h"
#include "tcpsim/wire.h"
#include "tcpsim/world.h"
#include "lsim_fx.h"

/* Log a SAY event numbered 'n' with text 'text'. */
static void
say(struct trace_log *log, uint64_t n, const char *text)
{
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TRACE_SAY;
    ev.n = n;
    ev.host = -1;
    ev.text = text;
    trace_log_observe(&ev, log);
}

static void
test_log_window_full_drops_oldest_keeps_last(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    trace_log_set_window(&log, 4);
    for (uint64_t n = 1; n <= 9; n++)
        say(&log, n, "x");
    /* between the window and twice it, the newest last, and positions still add up */
    assert_true(log.len >= 4 && log.len <= 8);
    assert_int_equal(trace_log_n(&log, log.len - 1), 9);
    assert_int_equal(trace_log_n(&log, 0), log.dropped + 1);
    assert_int_equal(trace_log_end(&log), 9);
    assert_true(log.cap <= 8);
    for (uint64_t n = 10; n <= 1000; n++)
        say(&log, n, "x");
    assert_true(log.len >= 4 && log.len <= 8);
    assert_int_equal(trace_log_n(&log, log.len - 1), 1000);
    assert_int_equal(trace_log_end(&log), 1000);
    assert_int_equal(trace_log_index(&log, 3), 0); /* dropped long ago */
    assert_int_equal(trace_log_index(&log, 999), log.len - 1);
    trace_log_fini(&log);
}

static void
test_log_window_zero_keeps_every_event(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    for (uint64_t n = 1; n <= 5000; n++)
        say(&log, n, "x");
    assert_int_equal(log.len, 5000);
    assert_int_equal(log.dropped, 0);
    assert_int_equal(trace_log_n(&log, 0), 1);
    trace_log_fini(&log);
}

static void
test_log_window_made_smaller_trims_at_next_event(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    for (uint64_t n = 1; n <= 100; n++)
        say(&log, n, "x");
    trace_log_set_window(&log, 10);
    say(&log, 101, "x");
    assert_int_equal(log.len, 11);
    assert_int_equal(trace_log_n(&log, 0), 91);
    assert_int_equal(log.dropped, 90);
    assert_true(log.cap <= 32); /* the memory goes back too: a ring of 2N rounded up to a power of two */
    trace_log_fini(&log);
}

/* The events kept are numbered n0, n0 + 1, ... up to the last logged, 'last'. */
static void
assert_log_consecutive(const struct trace_log *log, uint64_t last)
{
    assert_true(log->len > 0);
    assert_int_equal(trace_log_end(log), last);
    for (size_t i = 0; i < log->len; i++) {
        assert_int_equal(trace_log_n(log, i), log->dropped + 1 + i);
        char t[32];
        snprintf(t, sizeof t, "e%llu", (unsigned long long)(log->dropped + 1 + i));
        assert_string_equal(trace_log_get(log, i).text, t);
    }
}

/* The records are a ring: its start moves as the window drops events, and a window made
   larger or smaller moves the ring into new memory, in order. */
static void
test_log_window_changed_keeps_order_across_ring_wrap(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    trace_log_set_window(&log, 5);
    char t[32];
    uint64_t n = 0;
    for (int k = 0; k < 23; k++) {
        snprintf(t, sizeof t, "e%llu", (unsigned long long)++n);
        say(&log, n, t);
    }
    assert_log_consecutive(&log, n);
    trace_log_set_window(&log, 100); /* grows from a ring that wrapped */
    for (int k = 0; k < 150; k++) {
        snprintf(t, sizeof t, "e%llu", (unsigned long long)++n);
        say(&log, n, t);
        assert_log_consecutive(&log, n);
    }
    trace_log_set_window(&log, 3); /* shrinks */
    for (int k = 0; k < 10; k++) {
        snprintf(t, sizeof t, "e%llu", (unsigned long long)++n);
        say(&log, n, t);
        assert_log_consecutive(&log, n);
    }
    assert_true(log.cap <= 8);
    trace_log_fini(&log);
}

static void
test_log_texts_same_text_stored_once(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    char a[8] = "A1", b[8] = "A1";
    say(&log, 1, a);
    say(&log, 2, b);
    strcpy(a, "gone"); /* the log keeps its own copy */
    assert_string_equal(trace_log_get(&log, 0).text, "A1");
    assert_ptr_equal(trace_log_get(&log, 0).text, trace_log_get(&log, 1).text);
    assert_int_equal(log.ntexts, 1);
    trace_log_fini(&log);
}

static void
test_log_window_distinct_texts_freed_with_their_events(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    trace_log_set_window(&log, 8);
    char t[32];
    for (uint64_t n = 1; n <= 10000; n++) {
        snprintf(t, sizeof t, "connect %llu", (unsigned long long)n);
        say(&log, n, t);
    }
    /* a name per connection: only those the kept events use stay */
    assert_true(log.ntexts <= 2 * 8 + 64 + 2 * 8);
    for (size_t i = 0; i < log.len; i++) {
        snprintf(t, sizeof t, "connect %llu", (unsigned long long)trace_log_n(&log, i));
        assert_string_equal(trace_log_get(&log, i).text, t);
    }
    trace_log_fini(&log);
}

static void
test_log_window_seen_remembers_dropped_transitions(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    trace_log_set_window(&log, 2);
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TRACE_STATE;
    ev.n = 1;
    ev.host = 1;
    ev.from_state = TCP_LISTEN;
    ev.to_state = TCP_SYN_RECEIVED;
    ev.rule = TCP_RULE_LISTEN_SYN;
    trace_log_observe(&ev, &log);
    for (uint64_t n = 2; n <= 50; n++)
        say(&log, n, "x");
    assert_true(trace_log_n(&log, 0) > 1);
    assert_true(log.seen[1].edge[TCP_LISTEN][TCP_SYN_RECEIVED]);
    assert_true(log.seen[1].rule[TCP_RULE_LISTEN_SYN]);
    assert_false(log.seen[0].edge[TCP_LISTEN][TCP_SYN_RECEIVED]);
    trace_log_clear(&log);
    assert_false(log.seen[1].edge[TCP_LISTEN][TCP_SYN_RECEIVED]);
    trace_log_fini(&log);
}

/* ---- compact records: what goes in reads back the same ---------------------------------- */

static void
assert_seg_equal(const struct tcp_seg *a, const struct tcp_seg *b)
{
    assert_int_equal(a->saddr, b->saddr);
    assert_int_equal(a->daddr, b->daddr);
    assert_int_equal(a->sport, b->sport);
    assert_int_equal(a->dport, b->dport);
    assert_int_equal(a->seq, b->seq);
    assert_int_equal(a->ack, b->ack);
    assert_int_equal(a->flags, b->flags);
    assert_int_equal(a->wnd, b->wnd);
    assert_int_equal(a->up, b->up);
    assert_int_equal(a->mss, b->mss);
    assert_int_equal(a->len, b->len);
    assert_int_equal(a->opt.present, b->opt.present);
    assert_int_equal(a->opt.wscale, b->opt.wscale);
    assert_int_equal(a->opt.tsval, b->opt.tsval);
    assert_int_equal(a->opt.tsecr, b->opt.tsecr);
    assert_int_equal(a->opt.nsack, b->opt.nsack);
    for (int i = 0; i < a->opt.nsack; i++) {
        assert_int_equal(a->opt.sack[i].left, b->opt.sack[i].left);
        assert_int_equal(a->opt.sack[i].right, b->opt.sack[i].right);
    }
}

static void
assert_text_equal(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* Every field of 'got' (read back from the log) is the one of 'want' (given to it), but the
   payload, which the log does not keep, and the TCB when 'tcb' is false. */
static void
assert_event_equal(const struct trace_event *got, const struct trace_event *want, bool tcb)
{
    assert_int_equal(got->kind, want->kind);
    assert_int_equal(got->n, want->n);
    assert_int_equal(got->t, want->t);
    assert_int_equal(got->host, want->host);
    assert_int_equal(got->conn, want->conn);
    assert_text_equal(got->conn_name, want->conn_name);
    assert_seg_equal(&got->seg, &want->seg);
    assert_null(got->seg.data);
    assert_int_equal(got->pkt_id, want->pkt_id);
    assert_int_equal(got->orig_id, want->orig_id);
    assert_int_equal(got->from, want->from);
    assert_int_equal(got->to, want->to);
    assert_int_equal(got->sent_at, want->sent_at);
    assert_int_equal(got->arrive_at, want->arrive_at);
    assert_int_equal(got->marks, want->marks);
    assert_int_equal(got->from_state, want->from_state);
    assert_int_equal(got->to_state, want->to_state);
    assert_int_equal(got->rule, want->rule);
    assert_int_equal(got->timer, want->timer);
    assert_int_equal(got->when, want->when);
    assert_text_equal(got->text, want->text);
    assert_int_equal(got->err, want->err);
    assert_int_equal(got->has_tcb, tcb && want->has_tcb);
    if (got->has_tcb) {
        assert_int_equal(got->tcb.snd_una, want->tcb.snd_una);
        assert_int_equal(got->tcb.snd_nxt, want->tcb.snd_nxt);
        assert_int_equal(got->tcb.snd_wnd, want->tcb.snd_wnd);
        assert_int_equal(got->tcb.iss, want->tcb.iss);
        assert_int_equal(got->tcb.rcv_nxt, want->tcb.rcv_nxt);
        assert_int_equal(got->tcb.rcv_wnd, want->tcb.rcv_wnd);
        assert_int_equal(got->tcb.irs, want->tcb.irs);
        assert_int_equal(got->tcb.rto, want->tcb.rto);
        assert_int_equal(got->tcb.srtt, want->tcb.srtt);
    }
}

/* Events of every kind, each field set to something its kind carries, numbered from 'n0':
   'out' receives 14. Fields are made from 'k' so that no two events are alike. */
static size_t
record_samples(struct trace_event *out, uint64_t n0, uint32_t k)
{
    static const uint8_t payload[4] = {1, 2, 3, 4};
    const struct tcp_seg seg = {
        .saddr = 0x0a000001, .daddr = 0x0a000002, .sport = (uint16_t)(40000 + k), .dport = 80,
        .seq = 0xfffffff0u + k, .ack = 7 * k + 1, .flags = TCP_ACK | TCP_PSH, .wnd = (uint16_t)(1000 + k),
        .up = 3, .mss = 1460, .len = 4, .data = payload,
        .opt = {.present = TCP_OPT_MSS | TCP_OPT_TS | TCP_OPT_WSCALE, .wscale = 7, .tsval = 100 + k, .tsecr = 50 + k},
    };
    const struct trace_event common = {
        .t = CLK_MSEC(k) + 1, .host = 1, .conn = k + 1, .conn_name = "B1", .from_state = TCP_ESTABLISHED,
        .to_state = TCP_ESTABLISHED, .has_tcb = true,
        .tcb = {.snd_una = k, .snd_nxt = k + 1, .snd_wnd = 65535, .iss = 11, .rcv_nxt = k + 2, .rcv_wnd = 64000,
                .irs = 22, .rto = CLK_MSEC(200), .srtt = CLK_MSEC(10) + k},
    };
    size_t m = 0;
    for (int kind = 0; kind < TRACE_KIND_COUNT; kind++) {
        struct trace_event e = common;
        e.kind = (enum trace_kind)kind;
        e.n = n0 + m;
        switch (e.kind) {
        case TRACE_SEND: case TRACE_DELIVER: case TRACE_DROP: case TRACE_DUP: case TRACE_DELAY:
            e.seg = seg;
            e.pkt_id = 5000000000u + k;
            e.from = 0;
            e.to = 1;
            e.sent_at = CLK_MSEC(k);
            e.arrive_at = CLK_MSEC(k) + CLK_MSEC(5);
            e.marks = e.kind == TRACE_DUP ? WIRE_MARK_DUP : 0;
            e.orig_id = e.kind == TRACE_DUP ? 4999999999u + k : 0;
            e.text = e.kind == TRACE_DROP ? "lost" : NULL;
            e.when = e.kind == TRACE_DELAY ? CLK_MSEC(k) + CLK_MSEC(9) : 0;
            break;
        case TRACE_STATE: case TRACE_RULE:
            e.from_state = TCP_SYN_RECEIVED;
            e.rule = TCP_RULE_LISTEN_SYN;
            break;
        case TRACE_TIMER_ARM: case TRACE_TIMER_CANCEL: case TRACE_TIMER_FIRE:
            e.timer = TCP_TIMER_TIMEWAIT;
            e.when = CLK_SEC(60) + k;
            break;
        case TRACE_CALL:
            e.text = "connect 10.0.0.2:80";
            e.err = TCP_ECONNREFUSED;
            break;
        case TRACE_SAY:
        case TRACE_KIND_COUNT:
            e.text = "narration";
            e.host = -1;
            e.conn = 0;
            e.conn_name = NULL;
            e.has_tcb = false;
            break;
        }
        out[m++] = e;
    }
    /* a segment with SACK blocks, and a state change with no connection */
    struct trace_event s = out[TRACE_DELIVER];
    s.n = n0 + m;
    s.seg.opt.present |= TCP_OPT_SACK;
    s.seg.opt.nsack = 2;
    s.seg.opt.sack[0] = (struct tcp_sack_block){k + 100, k + 200};
    s.seg.opt.sack[1] = (struct tcp_sack_block){k + 300, k + 400};
    out[m++] = s;
    /* fields too large for a record's small slots */
    struct trace_event big = out[TRACE_SEND];
    big.n = n0 + m;
    big.from = 1000;
    big.to = -300;
    big.marks = 0x1ff;
    out[m++] = big;
    return m;
}

static void
test_log_record_every_kind_reads_back_as_given(void **state)
{
    (void)state;
    for (int keep = 0; keep <= 1; keep++) {
        struct trace_log log;
        trace_log_init(&log);
        trace_log_set_keep_tcb(&log, keep);
        struct trace_event want[TRACE_KIND_COUNT + 2];
        size_t m = record_samples(want, 1, 3);
        assert_int_equal(m, TRACE_KIND_COUNT + 2);
        for (size_t i = 0; i < m; i++)
            trace_log_observe(&want[i], &log);
        assert_int_equal(log.len, m);
        for (size_t i = 0; i < m; i++) {
            const struct trace_event got = trace_log_get(&log, i);
            assert_event_equal(&got, &want[i], keep);
            assert_int_equal(trace_log_kind(&log, i), want[i].kind);
            assert_int_equal(trace_log_n(&log, i), want[i].n);
            assert_int_equal(trace_log_t(&log, i), want[i].t);
        }
        trace_log_fini(&log);
    }
}

static void
test_log_window_records_read_back_across_drops(void **state)
{
    (void)state;
    struct trace_log log;
    trace_log_init(&log);
    trace_log_set_window(&log, 5);
    /* after each drop the events kept still find what lies beside them (texts, SACK blocks,
       a copy's original, TCBs): made from the event's own number, so a neighbour's is seen */
    struct trace_event want[TRACE_KIND_COUNT + 2];
    uint64_t n = 1;
    for (uint32_t k = 0; k < 200; k++) {
        size_t m = record_samples(want, n, k);
        for (size_t i = 0; i < m; i++)
            trace_log_observe(&want[i], &log);
        n += m;
        assert_true(log.len >= 5 && log.len <= 10);
        size_t back = log.len < m ? log.len : m;
        for (size_t i = 0; i < back; i++) {
            const struct trace_event got = trace_log_get(&log, log.len - back + i);
            assert_event_equal(&got, &want[m - back + i], true);
        }
    }
    assert_int_equal(trace_log_end(&log), n - 1);
    trace_log_fini(&log);
}

/* ---- the log's own paths (trace_log_seg, trace_log_conn) log what the event would ------- */

static struct trace_head
head_of(const struct trace_event *e)
{
    return (struct trace_head){
        .kind = e->kind, .n = e->n, .t = e->t, .host = e->host, .conn = e->conn, .conn_name = e->conn_name,
    };
}

/* The segment event of 'e' (a segment kind) as the wire gives it to trace_log_seg. */
static struct trace_seg_event
seg_event_of(const struct trace_event *e)
{
    return (struct trace_seg_event){
        .h = head_of(e), .state = e->from_state, .seg = &e->seg, .pkt_id = e->pkt_id, .from = e->from, .to = e->to,
        .sent_at = e->sent_at, .arrive_at = e->arrive_at, .marks = e->marks,
    };
}

static struct trace_conn_event
conn_event_of(const struct trace_event *e)
{
    return (struct trace_conn_event){
        .h = head_of(e), .from_state = e->from_state, .to_state = e->to_state, .rule = e->rule, .timer = e->timer, .when = e->when,
    };
}

static void
test_log_seg_and_conn_paths_read_back_as_observed(void **state)
{
    (void)state;
    /* the same events given to one log as events, to the other through its own paths where
       they take them; what a path refuses (SACK blocks, a text, large fields) is given as an
       event, as wire_event and the emitters do */
    struct trace_log by_event, by_path;
    trace_log_init(&by_event);
    trace_log_init(&by_path);
    trace_log_set_keep_tcb(&by_event, false);
    trace_log_set_keep_tcb(&by_path, false);
    trace_log_set_window(&by_event, 7);
    trace_log_set_window(&by_path, 7);
    struct trace_event want[TRACE_KIND_COUNT + 2];
    uint64_t n = 1;
    size_t by_seg = 0, by_conn = 0;
    for (uint32_t k = 0; k < 50; k++) {
        size_t m = record_samples(want, n, k);
        for (size_t i = 0; i < m; i++) {
            struct trace_event e = want[i];
            e.has_tcb = false; /* no TCB while the log alone listens */
            if (e.kind == TRACE_STATE || e.kind == TRACE_RULE)
                e.host = (int)(k % 2); /* both hosts' 'seen' */
            trace_log_observe(&e, &by_event);
            bool seg = e.kind == TRACE_SEND || e.kind == TRACE_DELIVER || e.kind == TRACE_DROP ||
                       e.kind == TRACE_DUP || e.kind == TRACE_DELAY;
            bool conn = e.kind == TRACE_STATE || e.kind == TRACE_RULE || e.kind == TRACE_TIMER_ARM ||
                        e.kind == TRACE_TIMER_CANCEL || e.kind == TRACE_TIMER_FIRE;
            const struct trace_seg_event se = seg_event_of(&e);
            const struct trace_conn_event ce = conn_event_of(&e);
            if (seg && !e.text && !e.orig_id && !e.when && trace_log_seg(&by_path, &se))
                by_seg++;
            else if (conn && trace_log_conn(&by_path, &ce))
                by_conn++;
            else
                trace_log_observe(&e, &by_path);
        }
        n += m;
        assert_int_equal(by_path.len, by_event.len);
        assert_int_equal(trace_log_end(&by_path), trace_log_end(&by_event));
        for (size_t i = 0; i < by_event.len; i++) {
            const struct trace_event got = trace_log_get(&by_path, i);
            const struct trace_event exp = trace_log_get(&by_event, i);
            assert_event_equal(&got, &exp, false);
        }
        assert_memory_equal(by_path.seen, by_event.seen, sizeof by_path.seen);
    }
    /* each path took the events it is for: SEND and DELIVER (no SACK, small fields), and the
       state, rule and timer events */
    assert_int_equal(by_seg, 50 * 2);
    assert_int_equal(by_conn, 50 * 5);
    trace_log_fini(&by_event);
    trace_log_fini(&by_path);
}

static void
no_op_observer(const struct trace_event *ev, void *ctx)
{
    (void)ev;
    (void)ctx;
}

/* The log of a run of 'path', alone (its own paths) or beside another observer (events). */
static struct lsim *
run_logged(const char *path, bool alone)
{
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    o.seed = 5;
    o.seed_fixed = true;
    struct lsim *l = lsim_new(&o);
    assert_non_null(l);
    if (!alone)
        assert_int_equal(world_observe_no_tcb(lsim_world(l), no_op_observer, NULL), 0);
    assert_ptr_equal(lsim_world(l)->log_only, alone ? lsim_log(l) : NULL);
    assert_int_equal(lsim_load(l, path), 0);
    (void)lfx_finish(l);
    return l;
}

static void
test_lsim_log_alone_same_as_beside_other_observer(void **state)
{
    (void)state;
    glob_t gl;
    assert_int_equal(glob("scripts/*.lua", 0, NULL, &gl), 0);
    assert_int_equal(glob("tests/lua/*.lua", GLOB_APPEND, NULL, &gl), 0);
    assert_int_equal(glob("tests/lua/api/*.lua", GLOB_APPEND, NULL, &gl), 0);
    assert_true(gl.gl_pathc > 40);
    for (size_t f = 0; f < gl.gl_pathc; f++) {
        struct lsim *alone = run_logged(gl.gl_pathv[f], true);
        struct lsim *beside = run_logged(gl.gl_pathv[f], false);
        const struct trace_log *a = lsim_log(alone), *b = lsim_log(beside);
        assert_int_equal(lsim_status(alone), lsim_status(beside));
        assert_int_equal(trace_log_end(a), trace_log_end(b));
        assert_int_equal(a->len, b->len);
        for (size_t i = 0; i < a->len; i++) {
            const struct trace_event got = trace_log_get(a, i);
            const struct trace_event exp = trace_log_get(b, i);
            assert_event_equal(&got, &exp, false);
        }
        assert_memory_equal(a->seen, b->seen, sizeof a->seen);
        lsim_free(alone);
        lsim_free(beside);
    }
    globfree(&gl);
}

/* A scenario that opens a connection, then makes many events (say) and sends data. */
static const char long_run[] =
    "sim:config { trace_window = 50 }\n"
    "goals { { name = 'B got the SYN', host = 'B', state = 'SYN_RECEIVED' },\n"
    "        { name = 'B applied the rule', rule = 'LISTEN_SYN' },\n"
    "        { name = 'a handshake', edge = { 'SYN_SENT', 'ESTABLISHED' } } }\n"
    "local l = B:listen(80)\n"
    "local c = A:connect(B, 80)\n"
    "sim:run(0.01)\n"
    "local s = l:accept()\n"
    "for i = 1, 300 do say('tick ' .. i) end\n";

static void
test_lsim_trace_window_first_last_cover_kept_events(void **state)
{
    (void)state;
    char code[2048];
    snprintf(code, sizeof code, "%s%s", long_run,
             "local t = sim:trace()\n"
             "expect(t.window == 50, 'window ' .. tostring(t.window))\n"
             "expect(t.first > 1, 'older events dropped: first ' .. t.first)\n"
             "expect(t.last == t[#t].n and t.first == t[1].n, 'first and last name the array')\n"
             "expect(t.last - t.first + 1 >= 50 and t.last - t.first + 1 <= 100, 'between N and 2N')\n"
             "sim:config { trace_window = 0 }\n"
             "for i = 1, 300 do say('tock ' .. i) end\n"
             "local u = sim:trace()\n"
             "expect(u.first == t.first and u.window == 0, 'window 0 keeps from now on')\n");
    char msg[512];
    assert_int_equal(lfx_run(code, msg, sizeof msg), LSIM_DONE);
}

static void
test_lsim_trace_window_goals_judge_whole_run(void **state)
{
    (void)state;
    /* the scenario's own goals, checked at its end: the transitions they name are out of the
       window by then, and a goal not reached would fail the scenario */
    struct lsim *l = lfx_new(long_run);
    assert_non_null(l);
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    const struct trace_log *log = lsim_log(l);
    assert_true(log->dropped > 0);
    for (size_t i = 0; i < log->len; i++)
        assert_int_not_equal(trace_log_kind(log, i), TRACE_STATE);
    lsim_free(l);
}

static void
test_lsim_trace_window_expect_segment_waits_across_drops(void **state)
{
    (void)state;
    /* B answers the fourth SYN, seconds later: while expect_segment waits, the window (2
       events) drops everything logged since it began; it still finds B's SYN,ACK */
    char msg[512];
    assert_int_equal(lfx_run("sim:config { trace_window = 2 }\n"
                             "B:listen(80)\n"
                             "net:drop { from = A, flags = 'SYN', count = 3 }\n"
                             "local c = A:connect(B, 80)\n"
                             "local e = expect_segment { from = B, flags = 'SYN,ACK', within = 10 }\n"
                             "expect(e.t > 2.9, 'the answer to the fourth SYN, at ' .. e.t)\n"
                             "expect(sim:trace().first > 5, 'the window dropped events')\n",
                             msg, sizeof msg),
                     LSIM_DONE);
    (void)msg;
}

static void
test_lsim_trace_window_step_returns_its_kept_events_across_drops(void **state)
{
    (void)state;
    /* a step that logs more events than the window: it returns those of its events the log
       still holds, and none from before it (its start is a position, not an index) */
    char msg[512];
    assert_int_equal(lfx_run("sim:config { trace_window = 1 }\n"
                             "local l = B:listen(80)\n"
                             "local c = A:connect(B, 80)\n"
                             "local last = sim:trace().last\n"
                             "local dropped = false\n"
                             "for i = 1, 100 do\n"
                             "  local e = sim:step()\n"
                             "  if not e then break end\n"
                             "  expect(e.events[1].n > last, 'step ' .. i .. ': only its own events')\n"
                             "  dropped = dropped or e.events[1].n > last + 1\n"
                             "  last = e.events[#e.events].n\n"
                             "  expect(last == sim:trace().last, 'and it ends with the log')\n"
                             "end\n"
                             "expect(dropped, 'a step logged more than twice the window')\n",
                             msg, sizeof msg),
                     LSIM_DONE);
    (void)msg;
}

static void
test_lsim_trace_window_bad_value_is_error(void **state)
{
    (void)state;
    char msg[512];
    assert_int_equal(lfx_run("sim:config { trace_window = -1 }\n", msg, sizeof msg), LSIM_FAILED);
    assert_non_null(strstr(msg, "t.lua:1:"));
    assert_non_null(strstr(msg, "trace_window"));
    assert_int_equal(lfx_run("sim:config { trace_window = 'all' }\n", msg, sizeof msg), LSIM_FAILED);
    assert_non_null(strstr(msg, "trace_window"));
}

static void
test_lsim_default_window_bounds_log(void **state)
{
    (void)state;
    struct lsim *l = lfx_new("local l = B:listen(80)\n"
                             "local c = A:connect(B, 80)\n"
                             "sim:run(0.01)\n"
                             "local s = l:accept()\n"
                             "for i = 1, 30000 do say('tick') end\n");
    assert_non_null(l);
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    const struct trace_log *log = lsim_log(l);
    assert_int_equal(log->window, LSIM_TRACE_WINDOW);
    assert_true(log->len <= 2 * LSIM_TRACE_WINDOW);
    assert_true(log->dropped > 0);
    lsim_free(l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_window_full_drops_oldest_keeps_last),
        cmocka_unit_test(test_log_window_zero_keeps_every_event),
        cmocka_unit_test(test_log_window_made_smaller_trims_at_next_event),
        cmocka_unit_test(test_log_window_changed_keeps_order_across_ring_wrap),
        cmocka_unit_test(test_log_texts_same_text_stored_once),
        cmocka_unit_test(test_log_window_distinct_texts_freed_with_their_events),
        cmocka_unit_test(test_log_window_seen_remembers_dropped_transitions),
        cmocka_unit_test(test_log_record_every_kind_reads_back_as_given),
        cmocka_unit_test(test_log_window_records_read_back_across_drops),
        cmocka_unit_test(test_log_seg_and_conn_paths_read_back_as_observed),
        cmocka_unit_test(test_lsim_log_alone_same_as_beside_other_observer),
        cmocka_unit_test(test_lsim_trace_window_first_last_cover_kept_events),
        cmocka_unit_test(test_lsim_trace_window_goals_judge_whole_run),
        cmocka_unit_test(test_lsim_trace_window_expect_segment_waits_across_drops),
        cmocka_unit_test(test_lsim_trace_window_step_returns_its_kept_events_across_drops),
        cmocka_unit_test(test_lsim_trace_window_bad_value_is_error),
        cmocka_unit_test(test_lsim_default_window_bounds_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
