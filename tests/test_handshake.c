/*
 * test_handshake.c - RFC 9293 §3.5 Figure 6, the basic three-way handshake, with ISNs 100
 * and 300, checking every segment's SEQ, ACK and flags and every state the figure shows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

static void
test_closed_open_active_sends_syn(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_listen(&f);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, &o, &f.a), TCP_OK);
    /* Figure 6 line 2: SYN-SENT --> <SEQ=100><CTL=SYN> */
    assert_int_equal(f.a->state, TCP_SYN_SENT);
    assert_true(fx_sent_one(&f, FX_A, TCP_SYN, 100, 0));
    assert_int_equal(f.a->snd_una, 100);
    assert_int_equal(f.a->snd_nxt, 101);
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_REXMIT), CLK_SEC(1));
    fx_fini(&f);
}

static void
test_rfc9293_figure6_basic_handshake(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    fx_established(&f);
    struct tcp_seg a[4], b[4];
    f.mark = 0;
    assert_int_equal(fx_sent(&f, FX_A, a, 4), 2);
    assert_int_equal(fx_sent(&f, FX_B, b, 4), 1);
    /* line 2 */ assert_int_equal(a[0].flags, TCP_SYN); assert_int_equal(a[0].seq, 100);
    /* line 3 */ assert_int_equal(b[0].flags, TCP_SYN | TCP_ACK); assert_int_equal(b[0].seq, 300);
    assert_int_equal(b[0].ack, 101);
    /* line 4 */ assert_int_equal(a[1].flags, TCP_ACK); assert_int_equal(a[1].seq, 101);
    assert_int_equal(a[1].ack, 301);
    assert_int_equal(f.a->snd_nxt, 101);
    assert_int_equal(f.b->rcv_nxt, 101);
    assert_int_equal(tcp_timer_left(f.a, TCP_TIMER_REXMIT), -1);
    assert_int_equal(tcp_timer_left(f.b, TCP_TIMER_REXMIT), -1);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_open_active_sends_syn),
        cmocka_unit_test(test_rfc9293_figure6_basic_handshake),
    };
    return cmocka_run_group_tests_name("handshake", tests, NULL, NULL);
}
