/*
 * fixture.c - see fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"

void
fx_init(struct fx *f, bool rfc)
{
    memset(f, 0, sizeof *f);
    struct world_config cfg = {.seed = 1, .preset = rfc ? TCP_PRESET_RFC : TCP_PRESET_LINUX};
    f->w = world_new(&cfg);
    assert_non_null(f->w);
    trace_log_init(&f->log);
    world_observe(f->w, trace_log_observe, &f->log);
    f->w->host[FX_A].cfg.isn = FX_ISS_A;
    f->w->host[FX_B].cfg.isn = FX_ISS_B;
    /* Unit tests want every ACK visible, sent the moment its segment arrives; the linux
       preset delays them (delayed_ack 2), so the delayed-ACK tests turn it on themselves. */
    f->w->host[FX_A].cfg.delayed_ack = TCP_DELACK_OFF;
    f->w->host[FX_B].cfg.delayed_ack = TCP_DELACK_OFF;
    /* Crafted segments (fx_inject) carry no options and give windows in octets: window
       scaling and timestamps, which would change what they mean, are off and the receive
       buffer is the 65535 octets an unscaled window can show, all of it offered (not Linux's
       half, rounded to the MSS, never shrinking). The tests of the options (test_options.c)
       and of Linux's window (test_rcv_window.c) turn them on. */
    for (int h = FX_A; h <= FX_B; h++) {
        f->w->host[h].cfg.window_scaling = 0;
        f->w->host[h].cfg.timestamps = 0;
        f->w->host[h].cfg.rmem[1] = 65535;
        f->w->host[h].cfg.adv_win_scale = 0;
        f->w->host[h].cfg.rcv_window_linux = 0;
    }
}

void
fx_fini(struct fx *f)
{
    world_free(f->w);
    trace_log_fini(&f->log);
}

void
fx_mark(struct fx *f)
{
    f->mark = f->log.len;
}

void
fx_run_ms(struct fx *f, double ms)
{
    world_run_until_time(f->w, world_now(f->w) + clk_from_sec(ms / 1000.0));
}

size_t
fx_sent(const struct fx *f, int host, struct tcp_seg *out, size_t max)
{
    size_t n = 0;
    for (size_t i = f->mark; i < f->log.len; i++) {
        const struct trace_event ev_ = trace_log_get(&f->log, i), *ev = &ev_;
        if (ev->kind != TRACE_SEND || ev->from != host)
            continue;
        if (n < max)
            out[n] = ev->seg;
        n++;
    }
    return n;
}

bool
fx_sent_one(const struct fx *f, int host, uint8_t flags, uint32_t seq, uint32_t ack)
{
    struct tcp_seg s[4];
    if (fx_sent(f, host, s, 4) != 1)
        return false;
    if (s[0].flags != flags || s[0].seq != seq)
        return false;
    return !(flags & TCP_ACK) || s[0].ack == ack;
}

bool
fx_rule_seen(const struct fx *f, enum tcp_rule rule)
{
    for (size_t i = f->mark; i < f->log.len; i++) {
        const struct trace_event ev_ = trace_log_get(&f->log, i), *ev = &ev_;
        if ((ev->kind == TRACE_RULE || ev->kind == TRACE_STATE) && ev->rule == rule)
            return true;
    }
    return false;
}

void
fx_seg(const struct fx *f, struct tcp_seg *s, int to, uint16_t sport, uint16_t dport, uint32_t seq,
       uint32_t ack, uint8_t flags, uint16_t wnd)
{
    memset(s, 0, sizeof *s);
    s->saddr = f->w->host[1 - to].addr;
    s->daddr = f->w->host[to].addr;
    s->sport = sport;
    s->dport = dport;
    s->seq = seq;
    s->ack = ack;
    s->flags = flags;
    s->wnd = wnd;
}

void
fx_inject(struct fx *f, int to, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
          uint8_t flags, uint16_t wnd, const char *data)
{
    struct tcp_seg s;
    fx_seg(f, &s, to, sport, dport, seq, ack, flags, wnd);
    if (data) {
        s.data = (const uint8_t *)data;
        s.len = (uint32_t)strlen(data);
    }
    wire_inject(f->w, 1 - to, &s);
    fx_run_ms(f, f->w->wire.link[1 - to].delay / 1e6 + 0.0001);
}

void
fx_inject_to(struct fx *f, const struct tcp_conn *c, uint32_t seq, uint32_t ack, uint8_t flags,
             uint16_t wnd, const char *data)
{
    fx_inject(f, c->host->index, c->rport, c->lport, seq, ack, flags, wnd, data);
}

void
fx_listen(struct fx *f)
{
    assert_int_equal(tcp_open_passive(&f->w->host[FX_B], FX_SPORT, NULL, &f->l), TCP_OK);
    fx_mark(f);
}

static void
fx_connect(struct fx *f)
{
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = FX_CPORT;
    assert_int_equal(tcp_open_active(&f->w->host[FX_A], f->w->host[FX_B].addr, FX_SPORT, &o, &f->a), TCP_OK);
}

void
fx_syn_sent(struct fx *f)
{
    struct wire_rule r = {.from = FX_A, .flags = TCP_SYN, .len = -1, .nth = 1, .count = 1, .action = WIRE_DROP};
    wire_rule_add(f->w, &r);
    fx_connect(f);
    fx_run_ms(f, 5);
    assert_int_equal(f->a->state, TCP_SYN_SENT);
    fx_mark(f);
}

void
fx_established(struct fx *f)
{
    fx_listen(f);
    fx_connect(f);
    fx_run_ms(f, 5);
    assert_int_equal(tcp_accept(f->l, &f->b), TCP_OK);
    assert_non_null(f->b);
    assert_int_equal(f->a->state, TCP_ESTABLISHED);
    assert_int_equal(f->b->state, TCP_ESTABLISHED);
    fx_mark(f);
}

void
fx_fin_wait_1(struct fx *f)
{
    fx_established(f);
    assert_int_equal(tcp_close(f->a), TCP_OK);
    assert_int_equal(f->a->state, TCP_FIN_WAIT_1);
    fx_mark(f);
}

void
fx_fin_wait_2(struct fx *f)
{
    fx_established(f);
    assert_int_equal(tcp_close(f->a), TCP_OK);
    fx_run_ms(f, 5);
    assert_int_equal(f->a->state, TCP_FIN_WAIT_2);
    assert_int_equal(f->b->state, TCP_CLOSE_WAIT);
    fx_mark(f);
}

void
fx_closing(struct fx *f)
{
    fx_established(f);
    assert_int_equal(tcp_close(f->a), TCP_OK);
    assert_int_equal(tcp_close(f->b), TCP_OK);
    fx_run_ms(f, 1.5); /* both FINs have arrived, neither ACK yet */
    assert_int_equal(f->a->state, TCP_CLOSING);
    assert_int_equal(f->b->state, TCP_CLOSING);
    fx_mark(f);
}

void
fx_last_ack(struct fx *f)
{
    fx_fin_wait_2(f);
    struct wire_rule r = {.from = FX_B, .flags = TCP_FIN, .len = -1, .nth = 1, .count = 1, .action = WIRE_DROP};
    wire_rule_add(f->w, &r);
    assert_int_equal(tcp_close(f->b), TCP_OK);
    fx_run_ms(f, 5);
    assert_int_equal(f->b->state, TCP_LAST_ACK);
    assert_int_equal(f->a->state, TCP_FIN_WAIT_2);
    fx_mark(f);
}

void
fx_time_wait(struct fx *f)
{
    fx_fin_wait_2(f);
    assert_int_equal(tcp_close(f->b), TCP_OK);
    fx_run_ms(f, 5);
    assert_int_equal(f->a->state, TCP_TIME_WAIT);
    assert_int_equal(f->b->state, TCP_CLOSED);
    fx_mark(f);
}
