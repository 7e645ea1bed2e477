/*
 * test_rcv_window.c - the window the linux preset offers, as a Linux 6.18 kernel offered it
 * (tests/linux/rcv-window-*.pkt, docs/linux-checks.md): the initial windows of
 * tcp_select_initial_window, rcv_ssthresh and its growth (tcp_grow_window), the share of the
 * buffer the first full-sized segment shows (rcv_truesize), and a window that never shrinks
 * (tcp_select_window). The fixture's hosts offer RFC 9293's free buffer; these turn Linux's on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "tcp_internal.h" /* tcp_rcv_window_select */

/* Both hosts as the kernel's namespace: tcp_rmem 131072 (max 32 MiB: wscale 10 when 'ws'),
   timestamps when 'ts', the linux preset's window. */
static void
win_world(struct fx *f, bool ws, bool ts)
{
    fx_init(f, false);
    for (int h = FX_A; h <= FX_B; h++) {
        struct tcp_settings *cfg = &f->w->host[h].cfg;
        cfg->window_scaling = ws;
        cfg->timestamps = ts;
        cfg->rmem[1] = 131072;
        cfg->adv_win_scale = 1;
        cfg->rcv_window_linux = 1;
        cfg->rcv_truesize = 2304;
        /* the kernel's delayed ACK: it also learns the peer's segment size (rcv_mss), which
           the window is rounded to; the first 16 segments are ACKed at once all the same */
        cfg->delayed_ack = TCP_DELACK_LINUX;
    }
}

/* A sends 'count' segments of 'size' octets, 1 ms apart (the kernel scripts' pace); B reads
   each as it comes when 'read'. The windows of B's ACKs go to 'wnd' (raw SEG.WND), as many
   as fit in 'max'; returns how many ACKs B sent. */
static size_t
win_transfer(struct fx *f, int count, uint32_t size, bool read, uint16_t *wnd, size_t max)
{
    static uint8_t data[1460], sink[65536];
    size_t acks = 0;
    for (int i = 0; i < count; i++) {
        size_t q;
        fx_mark(f);
        assert_int_equal(tcp_send(f->a, data, size, &q), TCP_OK);
        assert_int_equal(q, size);
        fx_run_ms(f, 1);
        if (read) {
            size_t got;
            assert_int_equal(tcp_receive(f->b, sink, sizeof sink, &got), TCP_OK);
        }
        struct tcp_seg s[8];
        size_t n = fx_sent(f, FX_B, s, 8);
        for (size_t k = 0; k < n && acks < max; k++)
            wnd[acks++] = s[k].wnd;
    }
    return acks;
}

/* The handshake's windows: a client's SYN offers half of its 131072-octet buffer rounded down
   to the MSS, 64240; a listener's SYN,ACK rounds to the MSS less a timestamp's 12 octets,
   65160 (64240 without timestamps); the first ACK offers rcv_ssthresh (64076: the buffer's
   half less one MSS) rounded up to the scale: 63 << 10; unscaled, what is left of the SYN's. */
static void
test_syn_sent_windows_as_kernel(void **state)
{
    (void)state;
    static const struct {
        bool ws, ts;
        uint16_t syn, synack, ack;
    } cases[] = {
        {true, true, 64240, 65160, 63},
        {false, true, 64240, 65160, 64240},
        {true, false, 64240, 64240, 63},
        {false, false, 64240, 64240, 64240},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fx f;
        win_world(&f, cases[i].ws, cases[i].ts);
        fx_established(&f);
        struct tcp_seg s[4];
        size_t n = 0;
        for (size_t k = 0; k < f.log.len && n < 4; k++)
            if (trace_log_kind(&f.log, k) == TRACE_SEND)
                s[n++] = trace_log_get(&f.log, k).seg;
        assert_true(n >= 3);
        assert_int_equal(s[0].flags, TCP_SYN);
        assert_int_equal(s[0].wnd, cases[i].syn);
        assert_int_equal(s[1].flags, TCP_SYN | TCP_ACK);
        assert_int_equal(s[1].wnd, cases[i].synack);
        assert_int_equal(s[2].flags, TCP_ACK);
        assert_int_equal(s[2].wnd, cases[i].ack);
        fx_fini(&f);
    }
}

/* 1000-octet segments nobody reads, each ACKed at once: the share those segments show is
   1000/2304 of the buffer (56832 octets), below the 64512 offered, yet the window never
   shrinks: each ACK offers what is left of the last, rounded up to the scale, 63 (the
   kernel's 16 quick ACKs: rcv-window-unread-1000.pkt). On the old code: 127, 126, ... */
static void
test_established_unread_window_never_shrinks(void **state)
{
    (void)state;
    struct fx f;
    win_world(&f, true, true);
    fx_established(&f);
    uint16_t wnd[32];
    size_t n = win_transfer(&f, 16, 1000, false, wnd, 32);
    assert_int_equal(n, 16);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(wnd[i], 63);
    /* what the buffer's share would offer now is less: the rule alone holds the edge */
    assert_true(tcp_rcv_window_select(f.b) < 63u << 10);
    fx_fini(&f);
}

/* Unscaled, the right edge stays where the SYN,ACK put it: 65160 - 1000, - 2000, ... until
   the window reaches the buffer's share, 55160 (the kernel read each segment:
   rcv-window-unscaled-1000.pkt); then it stays, within one segment of the share. */
static void
test_established_unscaled_window_slides_to_share(void **state)
{
    (void)state;
    struct fx f;
    win_world(&f, false, true);
    fx_established(&f);
    uint16_t wnd[32];
    size_t n = win_transfer(&f, 14, 1000, true, wnd, 32);
    assert_int_equal(n, 14);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(wnd[i], 65160 - 1000 * (i + 1));
    for (size_t i = 10; i < n; i++)
        assert_int_equal(wnd[i], 55160);
    fx_fini(&f);
}

/* 1460-octet segments, read as they come: their share is 1460/2304 of the buffer (82944
   octets), above the first limit, so rcv_ssthresh grows by two MSS a segment (tcp_grow_window)
   until the share's free part stops it: 67, 70, 73, 76, 78, then 80 (<< 10), as the kernel
   (rcv-window-grow-1460.pkt). Each growth asks for a quick ACK more. */
static void
test_established_window_grows_with_full_segments(void **state)
{
    (void)state;
    struct fx f;
    win_world(&f, true, true);
    fx_established(&f);
    uint16_t wnd[32];
    size_t n = win_transfer(&f, 10, 1460, true, wnd, 32);
    static const uint16_t want[] = {67, 70, 73, 76, 78, 80, 80, 80, 80, 80};
    assert_int_equal(n, 10);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(wnd[i], want[i]);
    fx_fini(&f);
}

/* The same not read: the growth stops when the free share falls below rcv_ssthresh, and the
   window then slides down a step a segment, never below what is left of the last:
   67, 70, 73, 76, 75, 74, 73 (the kernel: rcv-window-grow-1460.pkt). */
static void
test_established_window_grows_then_slides_unread(void **state)
{
    (void)state;
    struct fx f;
    win_world(&f, true, true);
    fx_established(&f);
    uint16_t wnd[32];
    size_t n = win_transfer(&f, 7, 1460, false, wnd, 32);
    static const uint16_t want[] = {67, 70, 73, 76, 75, 74, 73};
    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(wnd[i], want[i]);
    fx_fini(&f);
}

/* Linux measures the share with every full-sized segment (tcp_measure_rcv_mss); tcpsim only
   when the length or rcv_truesize differs from the last measure's (rcv_ratio_len): a setting
   rewritten mid-run is measured with the next segment of the same length. 1460 octets charged
   2304: 1460 * 256 / 2304 = 162; charged 4096 from then on: 91, and the window's limit falls to
   that share of the buffer, rcv_ssthresh with it. */
static void
test_established_rewritten_truesize_measured_again(void **state)
{
    (void)state;
    struct fx f;
    win_world(&f, true, true);
    fx_established(&f);
    uint16_t wnd[32];
    win_transfer(&f, 4, 1460, true, wnd, 32);
    assert_int_equal(f.b->rcv_ratio, 162);
    f.w->host[FX_B].cfg.rcv_truesize = 4096;
    win_transfer(&f, 1, 1460, true, wnd, 32);
    assert_int_equal(f.b->rcv_ratio, 91);
    assert_int_equal(f.b->window_clamp, (uint32_t)((uint64_t)f.b->rcvq.cap * 91 >> 8));
    assert_true(f.b->rcv_ssthresh <= f.b->window_clamp);
    fx_fini(&f);
}

/* The rfc preset offers RFC 9293's window, the free buffer: its ACK of the first 536-octet
   segment (SND.MSS 536), unread, 65535 - 536. */
static void
test_established_rfc_window_is_free_buffer(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, true);
    fx_established(&f);
    assert_int_equal(f.b->host->cfg.rcv_window_linux, 0);
    assert_int_equal(f.b->host->cfg.adv_win_scale, 0);
    uint16_t wnd[4];
    assert_int_equal(win_transfer(&f, 1, 1000, false, wnd, 4), 2);
    assert_int_equal(wnd[0], 65535 - 536);
    assert_int_equal(wnd[1], 65535 - 1000);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syn_sent_windows_as_kernel),
        cmocka_unit_test(test_established_unread_window_never_shrinks),
        cmocka_unit_test(test_established_unscaled_window_slides_to_share),
        cmocka_unit_test(test_established_window_grows_with_full_segments),
        cmocka_unit_test(test_established_window_grows_then_slides_unread),
        cmocka_unit_test(test_established_rewritten_truesize_measured_again),
        cmocka_unit_test(test_established_rfc_window_is_free_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
