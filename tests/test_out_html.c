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

/* The last event of 'kind' from 'host' in the log, or NULL. */
static const struct trace_event *
last_event(const struct fx *f, enum trace_kind kind, int host)
{
    for (size_t i = f->log.len; i-- > 0;)
        if (f->log.ev[i].kind == kind && f->log.ev[i].host == host)
            return &f->log.ev[i];
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
    const struct trace_event *ev = last_event(&f, TRACE_SEND, FX_A);
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

/* Narration names no connection: no TCB. */
static void
test_closed_say_has_no_tcb(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    world_say(f.w, "hello");
    const struct trace_event *ev = last_event(&f, TRACE_SAY, -1);
    assert_non_null(ev);
    assert_false(ev->has_tcb);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_send_carries_tcb),
        cmocka_unit_test(test_closed_say_has_no_tcb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
