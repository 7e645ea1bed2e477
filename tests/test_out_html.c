/*
 * test_out_html.c - a run as a web page (issue #18): the TCB snapshot every event carries
 * (trace.h), and the page out_html writes while the run goes. What the page's JavaScript
 * shows is checked in a real browser (tests/html/check.py, make html-check).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tcpsim/out.h"

/* The last event of 'kind' from 'host' in the log, copied into 'buf', or NULL. */
static const struct trace_event *
last_event(const struct fx *f, enum trace_kind kind, int host, struct trace_event *buf)
{
    for (size_t i = f->log.len; i-- > 0;)
        if (trace_log_kind(&f->log, i) == kind && trace_log_get(&f->log, i).host == host) {
            *buf = trace_log_get(&f->log, i);
            return buf;
        }
    return NULL;
}

/* After the handshake (ISNs 100 and 300) A's ACK carries A's TCB as it was when sent. */
static void
test_established_send_carries_tcb(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    struct trace_event evb;
    const struct trace_event *ev = last_event(&f, TRACE_SEND, FX_A, &evb);
    assert_non_null(ev);
    assert_true(ev->has_tcb);
    assert_int_equal(ev->tcb.iss, FX_ISS_A);
    assert_int_equal(ev->tcb.irs, FX_ISS_B);
    assert_int_equal(ev->tcb.snd_una, FX_ISS_A + 1);
    assert_int_equal(ev->tcb.snd_nxt, FX_ISS_A + 1);
    assert_int_equal(ev->tcb.rcv_nxt, FX_ISS_B + 1);
    assert_true(ev->tcb.rcv_wnd > 0);
    assert_true(ev->tcb.snd_wnd > 0);
    assert_int_equal(ev->tcb.rto, f.a->rto);
    assert_int_equal(ev->tcb.srtt, f.a->srtt);
    fx_fini(&f);
}

/* Counts the events an observer saw, and those with a TCB. */
struct tcb_count {
    unsigned events, with_tcb;
};

static void
count_tcb(const struct trace_event *ev, void *ctx)
{
    struct tcb_count *n = ctx;
    n->events++;
    n->with_tcb += ev->has_tcb;
}

/* While only observers that never read the TCB listen (a scenario's log), the world copies
   none into the events; once one that does joins, every event naming a connection has it. */
static void
test_established_no_tcb_observers_get_no_tcb(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    world_unobserve(f.w, trace_log_observe, &f.log);
    struct tcb_count lean = {0}, full = {0};
    assert_int_equal(world_observe_no_tcb(f.w, count_tcb, &lean), 0);
    fx_established(&f);
    assert_true(lean.events > 0);
    assert_int_equal(lean.with_tcb, 0);
    assert_int_equal(world_observe(f.w, count_tcb, &full), 0);
    unsigned before = lean.events;
    assert_int_equal(tcp_close(f.a), TCP_OK);
    world_run_idle(f.w, CLK_SEC(1));
    assert_true(full.events > 0);
    assert_int_equal(full.with_tcb, full.events);
    assert_int_equal(lean.with_tcb, lean.events - before); /* the same events as the others */
    world_unobserve(f.w, count_tcb, &full);
    before = lean.events;
    unsigned had = lean.with_tcb;
    world_run_idle(f.w, CLK_SEC(200)); /* TIME-WAIT ends: events naming A's connection */
    assert_true(lean.events > before);
    assert_int_equal(lean.with_tcb, had);
    fx_fini(&f);
}

/* Narration names no connection: no TCB. */
static void
test_closed_say_has_no_tcb(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    world_say(f.w, "hello");
    struct trace_event evb;
    const struct trace_event *ev = last_event(&f, TRACE_SAY, -1, &evb);
    assert_non_null(ev);
    assert_false(ev->has_tcb);
    fx_fini(&f);
}

/* Occurrences of 'needle' in 'hay'. */
static size_t
count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* A handshake and a narration that tries to end the script early, as a page written live. */
static char *
live_page(struct fx *f, size_t *len)
{
    char *buf = NULL;
    FILE *mf = open_memstream(&buf, len);
    assert_non_null(mf);
    fx_init(f, false);
    struct out_html *h = out_html_new(mf);
    assert_non_null(h);
    assert_int_equal(world_observe(f->w, out_html_observe, h), 0);
    fx_established(f);
    world_say(f->w, "</script><script>alert(1)</script> & <!-- x");
    struct out_html_meta m = {.title = "Handshake <1>", .file = "t.lua", .seed = 1, .passed = true};
    assert_int_equal(out_html_finish(h, &m), 0);
    world_unobserve(f->w, out_html_observe, h);
    out_html_free(h);
    fclose(mf);
    return buf;
}

/* One page: the shell, every event once as JSON with its TCB, the facts, the script; no text
   of the run can close a script element. */
static void
test_established_page_holds_every_event(void **state)
{
    (void)state;
    struct fx f;
    size_t len;
    char *page = live_page(&f, &len);
    assert_int_equal(strncmp(page, "<!DOCTYPE html>\n", 16), 0);
    assert_int_equal(strcmp(page + len - 8, "</html>\n"), 0);
    assert_int_equal(count(page, "{\"n\":"), f.log.len);
    assert_int_equal(count(page, "</script>"), 3); /* events, facts, the page's script */
    assert_int_equal(count(page, "<script"), 3);
    assert_non_null(strstr(page, "\"text\":\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"));
    assert_non_null(strstr(page, "\"k\":\"state\""));
    assert_non_null(strstr(page, "\"tcb\":{\"snd_una\":101,"));
    assert_non_null(strstr(page, "\"title\":\"Handshake \\u003c1\\u003e\""));
    assert_non_null(strstr(page, "\"passed\":true"));
    assert_non_null(strstr(page, "\"rfc\":\"SYN-RECEIVED\",\"bsd\":\"SYN_RCVD\""));
    free(page);
    fx_fini(&f);
}

/* The REPL's page, from the recorded log, is the live page byte for byte. */
static void
test_established_page_from_log_equals_live(void **state)
{
    (void)state;
    struct fx f;
    size_t len, len2;
    char *live = live_page(&f, &len), *again = NULL;
    FILE *mf = open_memstream(&again, &len2);
    struct out_html_meta m = {.title = "Handshake <1>", .file = "t.lua", .seed = 1, .passed = true};
    assert_int_equal(out_html_log(mf, &f.log, &m), 0);
    fclose(mf);
    assert_int_equal(len, len2);
    assert_memory_equal(live, again, len);
    free(live);
    free(again);
    fx_fini(&f);
}

/* The index of `tcpsim test --html`: a row and a link per scenario, texts escaped, counts. */
static void
test_closed_index_links_every_page(void **state)
{
    (void)state;
    const struct out_html_entry e[] = {
        {"01-a.html", "01-a", "s/01-a.lua", true, "A & B"},
        {"02-b.html", "02-b", "s/02-b.lua", false, "s/02-b.lua:3: expected <ESTABLISHED>"},
    };
    char *buf = NULL;
    size_t len;
    FILE *mf = open_memstream(&buf, &len);
    assert_int_equal(out_html_index(mf, e, 2), 0);
    fclose(mf);
    assert_non_null(strstr(buf, "1 passed, 1 failed"));
    assert_int_equal(count(buf, "<a href=\""), 2);
    assert_non_null(strstr(buf, "<a href=\"02-b.html\">02-b</a>"));
    assert_non_null(strstr(buf, "A &amp; B"));
    assert_non_null(strstr(buf, "expected &lt;ESTABLISHED&gt;"));
    assert_non_null(strstr(buf, "<td class=\"fail\">FAIL</td>"));
    free(buf);
}


/* Does the page hold the event numbered n as one of its own (not as the gap)? */
static bool
page_has_event(const char *page, uint64_t n)
{
    char key[48];
    snprintf(key, sizeof key, "{\"n\":%llu,\"t\":", (unsigned long long)n);
    for (const char *p = strstr(page, key); p; p = strstr(p + 1, key)) {
        const char *k = strstr(p, ",\"k\":\"");
        if (k && strncmp(k + 6, "gap\"", 4) != 0)
            return true;
    }
    return false;
}

/* A run longer than the page's budget (8 events: the first 4 and the last 4): the events
   between are one gap event numbered as the last left out, which lists every socket the last
   4 name that had a state before them, in its state then (the fixture's log says which). */
static void
test_fin_wait_2_long_run_page_holds_first_last_and_gap(void **state)
{
    (void)state;
    struct fx f;
    char *page = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&page, &len);
    assert_non_null(mf);
    fx_init(&f, false);
    struct out_html *h = out_html_new(mf);
    assert_non_null(h);
    assert_int_equal(out_html_set_events(h, 8), 0);
    assert_int_equal(world_observe(f.w, out_html_observe, h), 0);
    fx_fin_wait_2(&f);
    size_t n = f.log.len;
    assert_true(n > 20);
    struct trace_event *ev = calloc(n, sizeof *ev); /* the log's records, read back */
    assert_non_null(ev);
    for (size_t i = 0; i < n; i++)
        ev[i] = trace_log_get(&f.log, i);
    assert_int_equal(out_html_set_events(h, 0), -1); /* too late: the run has started */
    struct out_html_meta m = {.title = "long", .seed = 1, .passed = true};
    assert_int_equal(out_html_finish(h, &m), 0);
    world_unobserve(f.w, out_html_observe, h);
    out_html_free(h);
    fclose(mf);
    for (size_t i = 0; i < n; i++)
        assert_true(page_has_event(page, ev[i].n) == (i < 4 || i >= n - 4));
    char gap[128];
    snprintf(gap, sizeof gap, "{\"n\":%llu,", (unsigned long long)ev[n - 5].n);
    const char *g = strstr(page, gap);
    assert_non_null(g);
    snprintf(gap, sizeof gap, "\"k\":\"gap\",\"from\":%llu,\"skipped\":%zu,", (unsigned long long)ev[4].n, n - 8);
    assert_non_null(strstr(g, gap));
    /* the sockets of the last 4 events with a state before them, and that state */
    size_t listed = 0;
    for (size_t k = n - 4; k < n; k++) {
        if (!ev[k].conn || ev[k].kind == TRACE_DELIVER || ev[k].kind == TRACE_DROP)
            continue;
        int st = -1;
        for (size_t i = 0; i < n - 4; i++)
            if (ev[i].kind == TRACE_STATE && ev[i].conn == ev[k].conn)
                st = (int)ev[i].to_state;
        if (st < 0)
            continue;
        snprintf(gap, sizeof gap, "{\"c\":%u,\"s\":\"%s\",\"st\":%d}", (unsigned)ev[k].conn, ev[k].conn_name, st);
        assert_non_null(strstr(g, gap));
        listed++;
    }
    assert_true(listed > 0);
    assert_non_null(strstr(page, "\"budget\":8,\"skipped\":"));
    free(ev);
    free(page);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_send_carries_tcb),
        cmocka_unit_test(test_established_no_tcb_observers_get_no_tcb),
        cmocka_unit_test(test_closed_say_has_no_tcb),
        cmocka_unit_test(test_established_page_holds_every_event),
        cmocka_unit_test(test_established_page_from_log_equals_live),
        cmocka_unit_test(test_closed_index_links_every_page),
        cmocka_unit_test(test_fin_wait_2_long_run_page_holds_first_last_and_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
