/*
 * test_options.c - TCP options (issue #15): their octets in Linux's layout (tcp_opt.c), the
 * parse of malformed ones as Linux's tcp_parse_options, the handshake's agreement (RFC 7323
 * 2.2, 3.2; RFC 2018 2), scaled windows, timestamps (TSval clock, echo, PAWS, RTT), TIME-WAIT
 * reopened by a newer timestamp, tcp_tw_reuse, and the capture as tshark decodes it.
 *
 * The expected layouts are those a Linux 6.18 kernel sent (tests/linux/options-*.pkt,
 * docs/linux-checks.md).
 */
#include "conf.h"

#include <stdlib.h>
#include <unistd.h>

#include "tcpsim/out.h"
#include "tcp_internal.h" /* tcp_tsval */

/* ---- octets -------------------------------------------------------------------------------- */

static size_t
encode(uint16_t mss, unsigned present, uint8_t *out)
{
    struct tcp_seg s;
    memset(&s, 0, sizeof s);
    s.flags = TCP_SYN;
    s.mss = mss;
    s.opt.present = (uint8_t)present;
    s.opt.wscale = 8;
    s.opt.tsval = 0x01020304;
    s.opt.tsecr = 0;
    return tcp_opt_encode(&s, out);
}

/* The six SYN,ACK layouts the kernel sent for the six offers (numbers-and-names.md). */
static void
test_options_syn_layouts_as_linux(void **state)
{
    (void)state;
    static const struct {
        unsigned present;
        const char *text;
        size_t len;
    } cases[] = {
        {TCP_OPT_SACK_OK | TCP_OPT_TS | TCP_OPT_WSCALE, "mss 1460,sackOK,TS val 16909060 ecr 0,nop,wscale 8", 20},
        {0, "mss 1460", 4},
        {TCP_OPT_TS, "mss 1460,nop,nop,TS val 16909060 ecr 0", 16},
        {TCP_OPT_SACK_OK, "mss 1460,nop,nop,sackOK", 8},
        {TCP_OPT_WSCALE, "mss 1460,nop,wscale 8", 8},
        {TCP_OPT_SACK_OK | TCP_OPT_WSCALE, "mss 1460,nop,nop,sackOK,nop,wscale 8", 12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t o[TCP_OPT_SPACE];
        char text[200];
        struct tcp_seg s;
        memset(&s, 0, sizeof s);
        s.flags = TCP_SYN;
        s.mss = 1460;
        s.opt.present = (uint8_t)cases[i].present;
        s.opt.wscale = 8;
        s.opt.tsval = 16909060;
        assert_int_equal(tcp_opt_encode(&s, o), cases[i].len);
        assert_string_equal(tcp_opt_str(&s, text, sizeof text), cases[i].text);
    }
    uint8_t o[TCP_OPT_SPACE];
    static const uint8_t all[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 8};
    assert_int_equal(encode(1460, TCP_OPT_SACK_OK | TCP_OPT_TS | TCP_OPT_WSCALE, o), 20);
    assert_memory_equal(o, all, 20);
}

/* Later segments: <nop,nop,TS val ecr>, then nop,nop,sack with the blocks that fit (3 beside
   a timestamp, 4 without). */
static void
test_options_data_layout_ts_then_sack(void **state)
{
    (void)state;
    struct tcp_seg s;
    uint8_t o[TCP_OPT_SPACE];
    char text[256];
    memset(&s, 0, sizeof s);
    s.flags = TCP_ACK;
    s.opt.present = TCP_OPT_TS | TCP_OPT_SACK;
    s.opt.tsval = 7;
    s.opt.tsecr = 9;
    s.opt.nsack = 4;
    for (int i = 0; i < 4; i++) {
        s.opt.sack[i].left = 1000u * (uint32_t)(2 * i + 1);
        s.opt.sack[i].right = 1000u * (uint32_t)(2 * i + 2);
    }
    assert_int_equal(tcp_opt_encode(&s, o), 40);
    assert_string_equal(tcp_opt_str(&s, text, sizeof text),
                        "nop,nop,TS val 7 ecr 9,nop,nop,sack 3 {1000:2000} {3000:4000} {5000:6000}");
    s.opt.present = TCP_OPT_SACK;
    assert_int_equal(tcp_opt_encode(&s, o), 36);
    s.opt.present = TCP_OPT_TS;
    assert_int_equal(tcp_opt_encode(&s, o), 12);
    assert_memory_equal(o, ((const uint8_t[]){1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9}), 12);
}

/* Parse what encode wrote, and the notation back. */
static void
test_options_parse_roundtrip(void **state)
{
    (void)state;
    uint8_t o[TCP_OPT_SPACE];
    struct tcp_seg s, t;
    char err[200];
    size_t n = encode(1460, TCP_OPT_SACK_OK | TCP_OPT_TS | TCP_OPT_WSCALE, o);
    memset(&s, 0, sizeof s);
    s.flags = TCP_SYN;
    assert_int_equal(tcp_opt_parse(o, n, &s), TCP_OPT_MSS | TCP_OPT_SACK_OK | TCP_OPT_TS | TCP_OPT_WSCALE);
    assert_int_equal(s.mss, 1460);
    assert_int_equal(s.opt.wscale, 8);
    assert_int_equal(s.opt.tsval, 0x01020304);
    memset(&t, 0, sizeof t);
    assert_int_equal(tcp_opt_from_str("<mss 1460,sackOK,TS val 16909060 ecr 0,nop,wscale 8>", &t, err, sizeof err), 0);
    assert_int_equal(t.mss, s.mss);
    assert_int_equal(t.opt.present, s.opt.present);
    assert_int_equal(t.opt.tsval, s.opt.tsval);
    assert_int_equal(tcp_opt_from_str("nop,nop,sack 1001:2001 3001:4001", &t, err, sizeof err), 0);
    assert_int_equal(t.opt.nsack, 2);
    assert_int_equal(t.opt.sack[1].right, 4001);
    assert_int_equal(tcp_opt_from_str("sack 1 {5:6}", &t, err, sizeof err), 0);
    assert_int_equal(t.opt.sack[0].left, 5);
    assert_int_equal(tcp_opt_from_str("<mss 1460,bogus 3>", &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown TCP option \"bogus 3\""));
    assert_int_equal(tcp_opt_from_str("<mss 1460", &t, err, sizeof err), -1);
    assert_int_equal(tcp_opt_from_str("TS val 1", &t, err, sizeof err), -1);
    assert_int_equal(tcp_opt_from_str("wscale 300", &t, err, sizeof err), -1);
}

/* Malformed options, as tcp_parse_options: a length below 2 or past the end stops the parse
   (what came before stays), a wrong length skips the option, EOL ends the list, MSS, window
   scale and SACK-permitted count only on a SYN, an MSS of 0 not at all. */
static void
test_options_parse_malformed_as_linux(void **state)
{
    (void)state;
    struct tcp_seg s;
    memset(&s, 0, sizeof s);
    s.flags = TCP_SYN;
    /* a truncated timestamp after a good MSS: the MSS stays, the rest is not read */
    static const uint8_t trunc[] = {2, 4, 0x03, 0xe8, 8, 10, 0, 0, 0, 1};
    assert_int_equal(tcp_opt_parse(trunc, sizeof trunc, &s), TCP_OPT_MSS);
    assert_int_equal(s.mss, 1000);
    /* length 1 ("silly"): stop */
    static const uint8_t silly[] = {1, 3, 1, 7, 2, 4, 0x05, 0xb4};
    assert_int_equal(tcp_opt_parse(silly, sizeof silly, &s), 0);
    /* a wrong-length MSS is skipped by its length; the window scale after it counts */
    static const uint8_t wrong[] = {2, 3, 9, 1, 3, 3, 15, 0};
    assert_int_equal(tcp_opt_parse(wrong, sizeof wrong, &s), TCP_OPT_WSCALE);
    assert_int_equal(s.mss, 0);
    assert_int_equal(s.opt.wscale, 15);
    /* EOL ends the list */
    static const uint8_t eol[] = {0, 2, 4, 0x05, 0xb4};
    assert_int_equal(tcp_opt_parse(eol, sizeof eol, &s), 0);
    /* MSS 0 is no MSS */
    static const uint8_t zero[] = {2, 4, 0, 0};
    assert_int_equal(tcp_opt_parse(zero, sizeof zero, &s), 0);
    /* on a segment without SYN only timestamps and SACK blocks count */
    s.flags = TCP_ACK;
    static const uint8_t ack[] = {2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2};
    assert_int_equal(tcp_opt_parse(ack, sizeof ack, &s), TCP_OPT_SACK);
    assert_int_equal(s.opt.nsack, 1);
    assert_int_equal(s.opt.sack[0].right, 2);
    /* a SACK option whose length is no 2 + 8n is skipped */
    static const uint8_t badsack[] = {5, 6, 0, 0, 0, 1, 1, 1};
    assert_int_equal(tcp_opt_parse(badsack, sizeof badsack, &s), 0);
}

/* ---- the handshake ------------------------------------------------------------------------- */

static void
options_world(struct fx *f, bool a_ws, bool a_ts, bool a_sack)
{
    fx_init(f, false);
    for (int h = FX_A; h <= FX_B; h++) {
        f->w->host[h].cfg.window_scaling = 1;
        f->w->host[h].cfg.timestamps = 1;
        f->w->host[h].cfg.rmem[1] = 131072;
        f->w->host[h].cfg.adv_win_scale = 1; /* the linux preset's window (test_rcv_window.c) */
        f->w->host[h].cfg.rcv_window_linux = 1;
    }
    f->w->host[FX_A].cfg.window_scaling = a_ws;
    f->w->host[FX_A].cfg.timestamps = a_ts;
    f->w->host[FX_A].cfg.sack = a_sack;
}

/* linux preset on both sides: everything agreed; the SYN,ACK echoes the SYN's TSval; windows
   after the handshake are scaled by 10 (tcp_rmem max 32 MiB, as the kernel's namespace). The
   options, option for option, are the kernel's (tests/linux/options-active-syn.pkt): SYN
   <mss 1460,sackOK,TS val T ecr 0,nop,wscale 10>, then <nop,nop,TS val T ecr E>. */
static void
test_syn_sent_linux_options_as_kernel(void **state)
{
    (void)state;
    struct fx f;
    options_world(&f, true, true, true);
    fx_established(&f);
    assert_true(f.a->ws_ok && f.a->ts_ok && f.a->sack_ok);
    assert_true(f.b->ws_ok && f.b->ts_ok && f.b->sack_ok);
    assert_int_equal(f.a->rcv_wscale, 10);
    assert_int_equal(f.a->snd_wscale, 10);
    assert_int_equal(f.b->snd_wscale, 10);
    struct tcp_seg s[8];
    size_t n = 0;
    for (size_t i = 0; i < f.log.len && n < 8; i++)
        if (trace_log_kind(&f.log, i) == TRACE_SEND)
            s[n++] = trace_log_get(&f.log, i).seg;
    assert_true(n >= 3);
    char text[200];
    /* the SYN: mss,sackOK,TS,nop,wscale; TSecr 0 */
    assert_int_equal(s[0].flags, TCP_SYN);
    assert_int_equal(s[0].opt.tsecr, 0);
    tcp_opt_str(&s[0], text, sizeof text);
    assert_memory_equal(text, "mss 1460,sackOK,TS val ", 23);
    assert_non_null(strstr(text, " ecr 0,nop,wscale 10"));
    /* the SYN,ACK echoes it */
    assert_int_equal(s[1].opt.tsecr, s[0].opt.tsval);
    assert_int_equal(s[1].opt.present, TCP_OPT_MSS | TCP_OPT_SACK_OK | TCP_OPT_TS | TCP_OPT_WSCALE);
    /* the ACK: nop,nop,TS only, the window scaled, the kernel's 63 (64512 >> 10) */
    assert_int_equal(s[2].opt.present, TCP_OPT_TS);
    assert_int_equal(s[2].opt.tsecr, s[1].opt.tsval);
    assert_int_equal(s[2].wnd, 63);
    assert_int_equal(f.b->snd_wnd, 64512); /* B reads it scaled */
    /* SYN windows are never scaled: the kernel's 64240 */
    assert_int_equal(s[0].wnd, 64240);
    char want[200];
    snprintf(want, sizeof want, "mss 1460,sackOK,TS val %u ecr 0,nop,wscale 10", (unsigned)s[0].opt.tsval);
    assert_string_equal(text, want);
    /* the first data segment: <nop,nop,TS val T ecr E> */
    fx_mark(&f);
    size_t q;
    assert_int_equal(tcp_send(f.a, "0123456789", 10, &q), TCP_OK);
    fx_run_ms(&f, 0.5);
    assert_int_equal(fx_sent(&f, FX_A, s, 8), 1);
    snprintf(want, sizeof want, "nop,nop,TS val %u ecr %u", (unsigned)tcp_tsval(f.a), (unsigned)f.a->ts_recent);
    assert_string_equal(tcp_opt_str(&s[0], text, sizeof text), want);
    fx_fini(&f);
}

/* A linux listener's SYN,ACK offers what the SYN offered, no more, in the kernel's layouts
   (tests/linux/options-synack-*.pkt). */
static void
test_listen_synack_options_as_kernel(void **state)
{
    (void)state;
    static const struct {
        const char *syn, *synack; /* %u: B's TSval */
    } cases[] = {
        {"<mss 1460,sackOK,TS val 700 ecr 0,nop,wscale 7>", "mss 1460,sackOK,TS val %u ecr 700,nop,wscale 10"},
        {"<mss 1460>", "mss 1460"},
        {"<mss 1460,nop,nop,TS val 700 ecr 0>", "mss 1460,nop,nop,TS val %u ecr 700"},
        {"<mss 1460,nop,nop,sackOK>", "mss 1460,nop,nop,sackOK"},
        {"<mss 1460,nop,wscale 7>", "mss 1460,nop,wscale 10"},
        {"<mss 1460,nop,nop,sackOK,nop,wscale 7>", "mss 1460,nop,nop,sackOK,nop,wscale 10"},
    };
    struct fx f;
    options_world(&f, true, true, true);
    fx_listen(&f);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tcp_seg s, got[2];
        char err[200], text[200], want[200];
        memset(&s, 0, sizeof s);
        assert_int_equal(tcp_opt_from_str(cases[i].syn, &s, err, sizeof err), 0);
        s.saddr = f.w->host[FX_A].addr;
        s.daddr = f.w->host[FX_B].addr;
        s.sport = (uint16_t)(41000 + i);
        s.dport = FX_SPORT;
        s.flags = TCP_SYN;
        s.wnd = 65535;
        fx_mark(&f);
        wire_inject(f.w, FX_A, &s);
        fx_run_ms(&f, 1.5);
        assert_int_equal(fx_sent(&f, FX_B, got, 2), 1);
        assert_int_equal(got[0].flags, TCP_SYN | TCP_ACK);
        snprintf(want, sizeof want, cases[i].synack, (unsigned)got[0].opt.tsval);
        assert_string_equal(tcp_opt_str(&got[0], text, sizeof text), want);
    }
    fx_fini(&f);
}

/* A offers nothing (rfc-like): the SYN,ACK offers only the MSS, and nothing is used. */
static void
test_listen_syn_without_options_synack_mss_only(void **state)
{
    (void)state;
    struct fx f;
    options_world(&f, false, false, false);
    fx_established(&f);
    assert_false(f.b->ws_ok || f.b->ts_ok || f.b->sack_ok);
    assert_int_equal(f.b->rcv_wscale, 0);
    struct tcp_seg s[4];
    fx_mark(&f);
    size_t q;
    assert_int_equal(tcp_send(f.b, "hi", 2, &q), TCP_OK);
    fx_run_ms(&f, 10);
    assert_int_equal(fx_sent(&f, FX_B, s, 4), 1);
    assert_int_equal(s[0].opt.present, 0);
    /* unscaled: the SYN,ACK's 64240 (no timestamp), never shrunk (tests/linux/rcv-window-*.pkt) */
    assert_int_equal(s[0].wnd, 64240);
    fx_fini(&f);
}

/* Only timestamps: <mss,nop,nop,TS> on the SYN,ACK, windows unscaled. */
static void
test_listen_syn_ts_only_synack_ts_only(void **state)
{
    (void)state;
    struct fx f;
    options_world(&f, false, true, false);
    fx_established(&f);
    assert_true(f.b->ts_ok);
    assert_false(f.b->ws_ok || f.b->sack_ok);
    char text[200];
    for (size_t i = 0; i < f.log.len; i++)
        if (trace_log_kind(&f.log, i) == TRACE_SEND && trace_log_get(&f.log, i).seg.flags == (TCP_SYN | TCP_ACK)) {
            const struct trace_event ev = trace_log_get(&f.log, i);
            tcp_opt_str(&ev.seg, text, sizeof text);
            assert_memory_equal(text, "mss 1460,nop,nop,TS val ", 24);
        }
    fx_fini(&f);
}

/* The kernel's answers to odd SYN options (tests/linux/options-eol-ends-list.pkt,
   options-mss-zero-wscale-15.pkt): an MSS after EOL, or of 0, is not used (SND.MSS 536); a
   window scale of 15 is taken as 14, the SYN,ACK still offering its own. */
static void
test_options_wscale_above_14_taken_as_14(void **state)
{
    (void)state;
    struct fx f;
    options_world(&f, true, true, true);
    fx_listen(&f);
    struct tcp_seg s, got[2];
    char err[200], text[200];
    memset(&s, 0, sizeof s);
    s.flags = TCP_SYN;
    /* the notation refuses an MSS of 0; the octets can carry one, and it is not used */
    assert_int_equal(tcp_opt_from_str("<mss 0,nop,wscale 15>", &s, err, sizeof err), -1);
    s.mss = 0;
    s.opt.present = TCP_OPT_WSCALE;
    s.opt.wscale = 15;
    s.saddr = f.w->host[FX_A].addr;
    s.daddr = f.w->host[FX_B].addr;
    s.sport = 42000;
    s.dport = FX_SPORT;
    s.wnd = 65535;
    fx_mark(&f);
    wire_inject(f.w, FX_A, &s);
    fx_run_ms(&f, 1.5);
    assert_int_equal(fx_sent(&f, FX_B, got, 2), 1);
    assert_string_equal(tcp_opt_str(&got[0], text, sizeof text), "mss 1460,nop,wscale 10");
    struct tcp_conn *b = NULL;
    for (uint32_t id = 1; id <= f.w->nconns; id++) {
        struct tcp_conn *k = world_conn(f.w, id);
        if (k->host->index == FX_B && k->rport == 42000)
            b = k;
    }
    assert_non_null(b);
    assert_int_equal(b->snd_wscale, 14);
    assert_int_equal(b->snd_mss, 536);
    /* raw octets: an MSS after EOL is not read either */
    static const uint8_t eol[] = {0, 1, 1, 1, 2, 4, 0x03, 0xe8};
    memset(&s.opt, 0, sizeof s.opt);
    assert_int_equal(tcp_opt_parse(eol, sizeof eol, &s), 0);
    assert_int_equal(s.mss, 0);
    fx_fini(&f);
}

/* ---- timestamps ---------------------------------------------------------------------------- */

/* TSval ticks once a millisecond. */
static void
test_established_tsval_ms_clock(void **state)
{
    (void)state;
    struct fx f;
    options_world(&f, true, true, true);
    fx_established(&f);
    uint32_t t0 = tcp_tsval(f.a);
    fx_run_ms(&f, 250);
    assert_int_equal(tcp_tsval(f.a) - t0, 250);
    fx_fini(&f);
}

/* A segment from the peer of 'c' to 'c': its addresses and ports, SEQ = RCV.NXT, ACK = SND.NXT,
   no options yet. */
static void
seg_to(struct tcp_seg *s, const struct tcp_conn *c, uint8_t flags)
{
    memset(s, 0, sizeof *s);
    s->saddr = c->raddr;
    s->daddr = c->laddr;
    s->sport = c->rport;
    s->dport = c->lport;
    s->seq = c->rcv_nxt;
    s->ack = c->snd_nxt;
    s->flags = flags;
    s->wnd = 128;
}

static void
inject_ts(struct fx *f, const struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t tsval, const char *data)
{
    struct tcp_seg s;
    seg_to(&s, c, flags);
    s.seq = seq;
    s.opt.present = TCP_OPT_TS;
    s.opt.tsval = tsval;
    s.opt.tsecr = tcp_tsval(c);
    if (data) {
        s.data = (const uint8_t *)data;
        s.len = (uint32_t)strlen(data);
    }
    wire_inject(f->w, 1 - c->host->index, &s);
    fx_run_ms(f, 1.5);
}

/* PAWS (RFC 7323 5.3): data at RCV.NXT with a TSval older than TS.Recent is dropped, and a
   duplicate ACK goes back; a newer one is taken and updates TS.Recent. */
static void
test_established_paws_old_timestamp_dropped_dup_ack(void **state)
{
    (void)state;
    struct fx f;
    options_world(&f, true, true, true);
    fx_established(&f);
    uint32_t recent = f.a->ts_recent, nxt = f.a->rcv_nxt;
    fx_mark(&f);
    inject_ts(&f, f.a, nxt, TCP_ACK | TCP_PSH, recent - 1, "old");
    assert_true(fx_rule_seen(&f, TCP_RULE_PAWS_REJECT));
    assert_int_equal(f.a->rcv_nxt, nxt);
    assert_true(fx_sent_one(&f, FX_A, TCP_ACK, f.a->snd_nxt, nxt));
    fx_mark(&f);
    inject_ts(&f, f.a, nxt, TCP_ACK | TCP_PSH, recent + 5, "new");
    assert_false(fx_rule_seen(&f, TCP_RULE_PAWS_REJECT));
    assert_int_equal(f.a->rcv_nxt, nxt + 3);
    assert_int_equal(f.a->ts_recent, recent + 5);
    /* an RST is let through PAWS */
    fx_mark(&f);
    inject_ts(&f, f.a, nxt + 3, TCP_RST, recent, NULL);
    assert_int_equal(f.a->state, TCP_CLOSED);
    fx_fini(&f);
}

/* A segment that ACKs data never sent is dropped with an ACK (RFC 9293 3.10.7.4 fifth), and
   its TSval does not become TS.Recent: Linux updates TS.Recent in tcp_ack only after the ACK is
   found valid (FLAG_UPDATE_TS_RECENT), so its answer echoes the last valid segment's TSval
   (packetdrill's tcp/ts_recent/invalid_ack.pkt: a FIN whose ACK is above SND.NXT with TS val
   200000, on Linux 6.18.44 answered with ecr 200; then data with TS val 201 is taken, not
   rejected by PAWS). */
static void
test_established_ack_of_unsent_keeps_ts_recent(void **state)
{
    (void)state;
    struct fx f;
    options_world(&f, true, true, true);
    fx_established(&f);
    uint32_t recent = f.a->ts_recent, nxt = f.a->rcv_nxt;
    struct tcp_seg s;
    seg_to(&s, f.a, TCP_ACK | TCP_FIN);
    s.ack = f.a->snd_nxt + 9998;
    s.opt.present = TCP_OPT_TS;
    s.opt.tsval = recent + 199800;
    s.opt.tsecr = tcp_tsval(f.a);
    fx_mark(&f);
    wire_inject(f.w, 1 - f.a->host->index, &s);
    fx_run_ms(&f, 1.5);
    assert_true(fx_rule_seen(&f, TCP_RULE_ACK_TOO_NEW));
    assert_int_equal(f.a->ts_recent, recent);
    struct tcp_seg out[4];
    assert_int_equal(fx_sent(&f, FX_A, out, 4), 1);
    assert_int_equal(out[0].opt.tsecr, recent);
    fx_mark(&f);
    inject_ts(&f, f.a, nxt, TCP_ACK | TCP_PSH, recent + 1, "data");
    assert_false(fx_rule_seen(&f, TCP_RULE_PAWS_REJECT));
    assert_int_equal(f.a->rcv_nxt, nxt + 4);
    fx_fini(&f);
}

/* A scaled window is told in steps of 2^shift (RFC 7323 2.3): free space below one step is a
   closed window, and a window probe into it is refused as into any zero window (Linux
   tcp_select_window, tcp_receive_window), not taken into space the peer was told is not there. */
static void
test_established_probe_into_scaled_zero_window_refused(void **state)
{
    (void)state;
    struct fx f;
    options_world(&f, true, true, true);
    fx_established(&f);
    assert_int_equal(f.a->rcv_wscale, 10);
    static uint8_t bulk[131072 - 500];
    size_t q;
    assert_int_equal(tcp_send(f.b, bulk, sizeof bulk, &q), TCP_OK);
    assert_int_equal(q, sizeof bulk);
    fx_run_ms(&f, 100);
    /* A reads nothing: B sends until fewer octets than one step of the scale are free */
    assert_true(tcp_readable(f.a) > 131072 - 1024);
    assert_int_equal(tcp_rcv_window(f.a), 0);
    uint32_t nxt = f.a->rcv_nxt;
    fx_mark(&f);
    inject_ts(&f, f.a, nxt, TCP_ACK, f.a->ts_recent + 1, "x");
    assert_true(fx_rule_seen(&f, TCP_RULE_SEQ_ZERO_WINDOW));
    assert_int_equal(f.a->rcv_nxt, nxt);
    struct tcp_seg s[4];
    assert_int_equal(fx_sent(&f, FX_A, s, 4), 1);
    assert_int_equal(s[0].ack, nxt);
    assert_int_equal(s[0].wnd, 0);
    fx_fini(&f);
}

/* RFC 7323 4.1: a retransmitted segment, whose ACK the segment clock cannot time (Karn), is
   timed by the echo. */
static void
test_established_rtt_from_tsecr_after_retransmission(void **state)
{
    (void)state;
    struct fx f;
    options_world(&f, true, true, true);
    fx_established(&f);
    clk_time srtt = f.a->srtt;
    cf_drop_all_from(&f, FX_A);
    size_t q;
    assert_int_equal(tcp_send(f.a, "abc", 3, &q), TCP_OK);
    fx_run_ms(&f, 1100); /* the RTO fired once */
    assert_true(f.a->retransmits > 0);
    uint32_t echo = tcp_tsval(f.a) - 40; /* as if the retransmission left 40 ms ago */
    struct tcp_seg s;
    seg_to(&s, f.a, TCP_ACK);
    s.opt.present = TCP_OPT_TS;
    s.opt.tsval = f.a->ts_recent + 1;
    s.opt.tsecr = echo;
    wire_inject(f.w, FX_B, &s);
    fx_run_ms(&f, 1.5);
    assert_int_equal(f.a->snd_una, f.a->snd_nxt);
    assert_true(f.a->srtt != srtt); /* a sample was taken: 7/8 SRTT + 1/8 of about 41 ms */
    fx_fini(&f);
}

/* ---- TIME-WAIT ----------------------------------------------------------------------------- */

/* tcp_tw_reuse 1: a connect() from the one ephemeral port that A's TIME-WAIT holds takes it
   over once its timestamps are more than 1 s old, ISS = old SND.NXT + 65537; without
   timestamps, or with tcp_tw_reuse 0 or 2 (loopback only), it finds no port. */
static void
tw_reuse_try(bool ts, int reuse, double wait_ms, enum tcp_err want)
{
    struct fx f;
    options_world(&f, true, ts, true);
    f.w->host[FX_A].cfg.port_lo = f.w->host[FX_A].cfg.port_hi = 50000;
    f.w->host[FX_A].cfg.tw_reuse = reuse;
    fx_listen(&f);
    struct tcp_conn *c, *s;
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, NULL, &c), TCP_OK);
    fx_run_ms(&f, 10);
    assert_int_equal(tcp_accept(f.l, &s), TCP_OK);
    assert_int_equal(tcp_close(c), TCP_OK);
    fx_run_ms(&f, 10);
    assert_int_equal(tcp_close(s), TCP_OK);
    fx_run_ms(&f, 10);
    assert_int_equal(c->state, TCP_TIME_WAIT);
    uint32_t old_nxt = c->snd_nxt;
    fx_run_ms(&f, wait_ms);
    struct tcp_conn *c2 = NULL;
    fx_mark(&f);
    assert_int_equal(tcp_open_active(&f.w->host[FX_A], f.w->host[FX_B].addr, FX_SPORT, NULL, &c2), want);
    if (want == TCP_OK) {
        assert_true(fx_rule_seen(&f, TCP_RULE_OPEN_TW_REUSE));
        assert_int_equal(c->state, TCP_CLOSED);
        assert_int_equal(c2->iss, old_nxt + 65537);
        fx_run_ms(&f, 10);
        assert_int_equal(c2->state, TCP_ESTABLISHED); /* B's listener took the SYN */
    }
    fx_fini(&f);
}

static void
test_time_wait_tw_reuse_with_timestamps_after_1s(void **state)
{
    (void)state;
    tw_reuse_try(true, 1, 1100, TCP_OK);
    tw_reuse_try(true, 1, 500, TCP_EADDRNOTAVAIL);  /* not yet 1 s */
    tw_reuse_try(false, 1, 1100, TCP_EADDRNOTAVAIL); /* no timestamps: nothing proves it safe */
    tw_reuse_try(true, 0, 1100, TCP_EADDRNOTAVAIL);
    tw_reuse_try(true, 2, 1100, TCP_EADDRNOTAVAIL);  /* loopback only */
}

/* Linux: a SYN below RCV.NXT whose timestamp is newer than TS.Recent reopens TIME-WAIT too. */
static void
test_time_wait_syn_newer_timestamp_reopens(void **state)
{
    (void)state;
    struct fx f;
    options_world(&f, true, true, true);
    fx_established(&f);
    /* B closes first, so B holds TIME-WAIT, with its listener still open */
    assert_int_equal(tcp_close(f.b), TCP_OK);
    fx_run_ms(&f, 10);
    assert_int_equal(tcp_close(f.a), TCP_OK);
    fx_run_ms(&f, 10);
    assert_int_equal(f.b->state, TCP_TIME_WAIT);
    struct tcp_conn *tw = f.b;
    struct tcp_seg s;
    seg_to(&s, tw, TCP_SYN);
    s.seq = tw->rcv_nxt - 1000; /* below RCV.NXT */
    s.ack = 0;
    s.wnd = 65535;
    s.mss = 1460;
    s.opt.present = TCP_OPT_TS;
    s.opt.tsval = tw->ts_recent - 1; /* older: PAWS, no reopening */
    fx_mark(&f);
    wire_inject(f.w, FX_A, &s);
    fx_run_ms(&f, 1.5);
    assert_false(fx_rule_seen(&f, TCP_RULE_TIME_WAIT_REOPEN));
    assert_true(fx_rule_seen(&f, TCP_RULE_PAWS_REJECT));
    assert_int_equal(tw->state, TCP_TIME_WAIT);
    s.opt.tsval = tw->ts_recent + 100; /* newer: reopens */
    fx_mark(&f);
    wire_inject(f.w, FX_A, &s);
    fx_run_ms(&f, 1.5);
    assert_true(fx_rule_seen(&f, TCP_RULE_TIME_WAIT_REOPEN));
    fx_fini(&f);
}

/* ---- the capture --------------------------------------------------------------------------- */

/* tshark decodes every option of a linux-preset run field by field, nothing malformed: the
   SYN's window scale shift, each segment's TSval, and the SACK blocks of a segment carrying
   them. */
static void
test_options_pcap_tshark_fields(void **state)
{
    (void)state;
    if (system("command -v tshark >/dev/null 2>&1") != 0)
        skip();
    struct fx f;
    options_world(&f, true, true, true);
    struct out_pcap *p = out_pcap_new();
    assert_non_null(p);
    world_observe(f.w, out_pcap_observe, p);
    fx_established(&f);
    struct tcp_seg s;
    seg_to(&s, f.a, TCP_ACK); /* as if B sent it */
    s.wnd = 100;
    s.opt.present = TCP_OPT_TS | TCP_OPT_SACK;
    s.opt.tsval = 4242;
    s.opt.tsecr = 1;
    s.opt.nsack = 2;
    s.opt.sack[0] = (struct tcp_sack_block){f.b->rcv_nxt + 2000, f.b->rcv_nxt + 3000};
    s.opt.sack[1] = (struct tcp_sack_block){f.b->rcv_nxt + 1000, f.b->rcv_nxt + 1500};
    wire_inject(f.w, FX_B, &s);
    fx_run_ms(&f, 5);
    char path[] = "/tmp/tcpsim-opts-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "w");
    assert_non_null(out);
    assert_int_equal(out_pcap_finish(p, out), 0);
    fclose(out);
    out_pcap_free(p);
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "tshark -r %s -o tcp.relative_sequence_numbers:FALSE -T fields -E separator='|' "
             "-e tcp.flags -e tcp.options.wscale.shift -e tcp.options.timestamp.tsval "
             "-e tcp.options.sack_le -e _ws.malformed 2>/dev/null", path);
    FILE *t = popen(cmd, "r");
    assert_non_null(t);
    char line[512];
    int n = 0, syn_ws = 0, ts = 0, sack = 0;
    while (fgets(line, sizeof line, t)) {
        unsigned flags = 0;
        char ws[32] = "", tsval[32] = "", le[96] = "", bad[32] = "";
        assert_true(sscanf(line, "0x%x|%31[^|]|%31[^|]|%95[^|]|%31[^\n]", &flags, ws, tsval, le, bad) >= 1);
        /* fields may be empty: reparse with explicit positions */
        char *fld[5] = {0};
        char *q = line;
        for (int i = 0; i < 5; i++) {
            fld[i] = q;
            q = strchr(q, '|');
            if (!q)
                break;
            *q++ = '\0';
        }
        assert_non_null(fld[4]);
        assert_true(fld[4][0] == '\n' || fld[4][0] == '\0'); /* nothing malformed */
        if (flags & TCP_SYN) {
            assert_string_equal(fld[1], "10");
            syn_ws++;
        }
        if (*fld[2])
            ts++;
        if (*fld[3]) {
            assert_int_equal(strtoul(fld[2], NULL, 10), 4242);
            char want[64];
            snprintf(want, sizeof want, "%u,%u", (unsigned)s.opt.sack[0].left, (unsigned)s.opt.sack[1].left);
            assert_string_equal(fld[3], want);
            sack++;
        }
        n++;
    }
    assert_int_equal(pclose(t), 0);
    unlink(path);
    assert_true(n >= 4);
    assert_int_equal(syn_ws, 2);
    assert_int_equal(ts, n); /* every segment carries a timestamp */
    assert_int_equal(sack, 1);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_syn_layouts_as_linux),
        cmocka_unit_test(test_established_ack_of_unsent_keeps_ts_recent),
        cmocka_unit_test(test_options_data_layout_ts_then_sack),
        cmocka_unit_test(test_options_parse_roundtrip),
        cmocka_unit_test(test_options_parse_malformed_as_linux),
        cmocka_unit_test(test_syn_sent_linux_options_as_kernel),
        cmocka_unit_test(test_listen_synack_options_as_kernel),
        cmocka_unit_test(test_listen_syn_without_options_synack_mss_only),
        cmocka_unit_test(test_listen_syn_ts_only_synack_ts_only),
        cmocka_unit_test(test_options_wscale_above_14_taken_as_14),
        cmocka_unit_test(test_established_tsval_ms_clock),
        cmocka_unit_test(test_established_paws_old_timestamp_dropped_dup_ack),
        cmocka_unit_test(test_established_probe_into_scaled_zero_window_refused),
        cmocka_unit_test(test_established_rtt_from_tsecr_after_retransmission),
        cmocka_unit_test(test_time_wait_tw_reuse_with_timestamps_after_1s),
        cmocka_unit_test(test_time_wait_syn_newer_timestamp_reopens),
        cmocka_unit_test(test_options_pcap_tshark_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
