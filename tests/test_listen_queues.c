/*
 * test_listen_queues.c - a listener's two queues and SYN cookies, as a Linux 6.18.44 kernel
 * showed them (tests/linux/listen-*.pkt):
 *   - the accept queue holds backlog + 1 established connections; while it is full a SYN gets
 *     no answer, whatever tcp_syncookies says, and the ACK that would complete a handshake is
 *     dropped (the SYN,ACK is sent again on its timer);
 *   - the SYN queue holds backlog + 1 embryonic connections; when it is full a SYN is answered
 *     with a SYN cookie (tcp_syncookies 1; always with 2) or dropped (0); without cookies a SYN
 *     is also dropped when fewer than a quarter of tcp_max_syn_backlog places are left;
 *   - a connection reset before accept() stays in the accept queue, and accept() returns it.
 * B listens on 80; the peers are injected from A's address, and everything B sends is dropped
 * on the wire (the peers never answer on their own).
 */
#include "conf.h"

/* Set host 'host's setting 'name' (by its Linux name) to 'v'. */
static void
lq_sysctl(struct fx *f, int host, const char *name, double v)
{
    const struct tcp_setting_info *info = tcp_setting_find(name);
    if (!info)
        fail_msg("no setting %s", name);
    assert_int_equal(tcp_setting_set(&f->w->host[host].cfg, info, v), TCP_OK);
}

static double
lq_sysctl_get(struct fx *f, int host, const char *name)
{
    const struct tcp_setting_info *info = tcp_setting_find(name);
    if (!info)
        fail_msg("no setting %s", name);
    return tcp_setting_get(&f->w->host[host].cfg, info);
}

/* B listens on 80 with 'backlog'; B's segments are dropped on the wire. */
static void
lq_listen(struct fx *f, int backlog)
{
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.backlog = backlog;
    assert_int_equal(tcp_open_passive(&f->w->host[FX_B], FX_SPORT, &o, &f->l), TCP_OK);
    cf_drop_all_from(f, FX_B);
    fx_mark(f);
}

/* A SYN <SEQ=1000> from A's port 'port' with MSS option 'mss' (0: none), arriving now. */
static void
lq_syn_mss(struct fx *f, uint16_t port, uint16_t mss)
{
    struct tcp_seg s;
    memset(&s, 0, sizeof s);
    s.saddr = f->w->host[FX_A].addr;
    s.daddr = f->w->host[FX_B].addr;
    s.sport = port;
    s.dport = FX_SPORT;
    s.seq = 1000;
    s.flags = TCP_SYN;
    s.wnd = 65535;
    s.mss = mss;
    wire_inject(f->w, FX_A, &s);
    fx_run_ms(f, f->w->wire.link[FX_A].delay / 1e6 + 0.0001);
}

static void
lq_syn(struct fx *f, uint16_t port)
{
    lq_syn_mss(f, port, 1460);
}

/* The peer's ACK of B's SYN,ACK whose ISS was 'iss': <SEQ=1001><ACK=ISS+1>. */
static void
lq_ack(struct fx *f, uint16_t port, uint32_t iss)
{
    fx_inject(f, FX_B, port, FX_SPORT, 1001, iss + 1, TCP_ACK, 65535, NULL);
}

/* A whole handshake from 'port' (B's ISS is FX_ISS_B): the new connection, ESTABLISHED. */
static struct tcp_conn *
lq_connect(struct fx *f, uint16_t port)
{
    lq_syn(f, port);
    struct tcp_conn *c = cf_newest(f);
    assert_int_equal(c->rport, port);
    cf_state(c, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    lq_ack(f, port, FX_ISS_B);
    cf_state(c, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    return c;
}

/* The SYN,ACKs B sent since the mark to A's port 'port', copied into 'out'; how many. */
static size_t
lq_synacks_to(const struct fx *f, uint16_t port, struct tcp_seg *out, size_t max)
{
    struct tcp_seg s[256];
    size_t n = cf_sent(f, FX_B, s, 256), k = 0;
    for (size_t i = 0; i < n && i < 256; i++)
        if (s[i].dport == port && s[i].flags == (TCP_SYN | TCP_ACK)) {
            if (k < max)
                out[k] = s[i];
            k++;
        }
    return k;
}

/* ---- the accept queue ------------------------------------------------------------------ */

/* listen(fd, 1) holds two established connections (backlog + 1); a third SYN gets no answer
   (listen-accept-queue-backlog.pkt), with tcp_syncookies 0, 1 or 2 alike; once accept() has
   taken one, the SYN sent again is answered. */
static void
test_listen_syn_accept_queue_full_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lq_listen(&f, 1);
    struct tcp_conn *c1 = lq_connect(&f, 1001);
    struct tcp_conn *c2 = lq_connect(&f, 1002);
    assert_int_equal(f.l->acceptq_len, 2);
    assert_int_equal(f.l->synq_len, 0);
    uint32_t n = f.w->nconns;
    for (int cookies = 0; cookies <= 2; cookies++) {
        lq_sysctl(&f, FX_B, "tcp_syncookies", cookies);
        fx_mark(&f);
        lq_syn(&f, 1003);
        CF_NONE(&f, FX_B);
        cf_rule(&f, TCP_RULE_LISTEN_ACCEPT_QUEUE_FULL);
        assert_int_equal(f.w->nconns, n);
    }
    lq_sysctl(&f, FX_B, "tcp_syncookies", 1);
    struct tcp_conn *acc = NULL;
    assert_int_equal(tcp_accept(f.l, &acc), TCP_OK);
    assert_ptr_equal(acc, c1);
    assert_int_equal(f.l->acceptq_len, 1);
    fx_mark(&f);
    lq_syn(&f, 1003);
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, FX_ISS_B, 1001, 0});
    cf_state(cf_newest(&f), TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    assert_int_equal(tcp_accept(f.l, &acc), TCP_OK);
    assert_ptr_equal(acc, c2);
    fx_fini(&f);
}

/* The ACK that completes a handshake while the accept queue is full is dropped (Linux,
   tcp_abort_on_overflow 0): the connection stays in SYN-RECEIVED and its SYN,ACK goes again
   1 s after the first, then 2 s later; after accept() the next ACK gets in
   (listen-accept-queue-full-third-ack.pkt). */
static void
test_syn_received_ack_accept_queue_full_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lq_listen(&f, 1);
    struct tcp_conn *c1 = lq_connect(&f, 1001);
    lq_syn(&f, 1002);
    struct tcp_conn *c2 = cf_newest(&f);
    lq_syn(&f, 1003); /* the queue holds one: room for both SYNs */
    struct tcp_conn *c3 = cf_newest(&f);
    clk_time t3 = c3->last_change; /* its SYN,ACK left then */
    cf_state(c3, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    lq_ack(&f, 1002, FX_ISS_B);
    cf_state(c2, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    assert_int_equal(f.l->acceptq_len, 2);

    fx_mark(&f);
    lq_ack(&f, 1003, FX_ISS_B);
    cf_state(c3, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    cf_rule(&f, TCP_RULE_ACK_ACCEPT_QUEUE_FULL);
    CF_NONE(&f, FX_B);
    cf_timers(c3, CF_T(TCP_TIMER_REXMIT));
    assert_int_equal(f.l->acceptq_len, 2);
    assert_int_equal(f.l->synq_len, 1);

    /* the SYN,ACK again 1 s after the first, the ACK again, dropped again; then 2 s later */
    world_run_until_time(f.w, t3 + clk_from_sec(0.999));
    CF_NONE(&f, FX_B);
    world_run_until_time(f.w, t3 + clk_from_sec(1.0));
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, FX_ISS_B, 1001, 0});
    fx_mark(&f);
    lq_ack(&f, 1003, FX_ISS_B);
    cf_rule(&f, TCP_RULE_ACK_ACCEPT_QUEUE_FULL);
    world_run_until_time(f.w, t3 + clk_from_sec(2.999));
    CF_NONE(&f, FX_B);
    world_run_until_time(f.w, t3 + clk_from_sec(3.0));
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, FX_ISS_B, 1001, 0});

    struct tcp_conn *acc = NULL;
    assert_int_equal(tcp_accept(f.l, &acc), TCP_OK);
    assert_ptr_equal(acc, c1);
    lq_ack(&f, 1003, FX_ISS_B);
    cf_state(c3, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    assert_int_equal(f.l->acceptq_len, 2);
    assert_int_equal(f.l->synq_len, 0);
    fx_fini(&f);
}

/* listen() caps the backlog at somaxconn (Linux 4096; listen-max-syn-backlog.pkt). */
static void
test_closed_listen_backlog_capped_at_somaxconn(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    assert_true(lq_sysctl_get(&f, FX_B, "somaxconn") == 4096);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.backlog = 65535;
    assert_int_equal(tcp_open_passive(&f.w->host[FX_B], FX_SPORT, &o, &f.l), TCP_OK);
    assert_int_equal(f.l->backlog, 4096);
    lq_sysctl(&f, FX_B, "somaxconn", 3);
    struct tcp_conn *l2 = NULL;
    o.backlog = 10;
    assert_int_equal(tcp_open_passive(&f.w->host[FX_B], FX_SPORT + 1, &o, &l2), TCP_OK);
    assert_int_equal(l2->backlog, 3);
    fx_fini(&f);
}

/* ---- the SYN queue --------------------------------------------------------------------- */

/* tcp_syncookies 0, listen(fd, 4): five SYNs make five embryonic connections (backlog + 1),
   the sixth finds the SYN queue full and is dropped without an answer
   (listen-syn-flood-no-cookies.pkt). */
static void
test_listen_syn_syn_queue_full_no_cookies_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lq_sysctl(&f, FX_B, "tcp_syncookies", 0);
    lq_listen(&f, 4);
    for (uint16_t p = 2001; p <= 2005; p++) {
        fx_mark(&f);
        lq_syn(&f, p);
        CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, FX_ISS_B, 1001, 0});
        cf_state(cf_newest(&f), TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    }
    assert_int_equal(f.l->synq_len, 5);
    uint32_t n = f.w->nconns;
    fx_mark(&f);
    lq_syn(&f, 2006);
    CF_NONE(&f, FX_B);
    cf_rule(&f, TCP_RULE_LISTEN_SYN_QUEUE_FULL);
    assert_int_equal(f.w->nconns, n);
    /* one second later the client's SYN again, the queue still full: no answer again */
    fx_run_ms(&f, 1000);
    fx_mark(&f);
    lq_syn(&f, 2006);
    assert_int_equal(lq_synacks_to(&f, 2006, NULL, 0), 0);
    cf_rule(&f, TCP_RULE_LISTEN_SYN_QUEUE_FULL);
    assert_int_equal(f.w->nconns, n);
    fx_fini(&f);
}

/* tcp_syncookies 0, tcp_max_syn_backlog 8, listen(fd, 100): seven SYNs are taken, the eighth is
   dropped because fewer than a quarter of tcp_max_syn_backlog's places are left (Linux
   tcp_conn_request; listen-max-syn-backlog.pkt). With cookies on, the backlog alone counts. */
static void
test_listen_syn_max_syn_backlog_quarter_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    assert_true(lq_sysctl_get(&f, FX_B, "tcp_max_syn_backlog") == 2048);
    lq_sysctl(&f, FX_B, "tcp_syncookies", 0);
    lq_sysctl(&f, FX_B, "tcp_max_syn_backlog", 8);
    lq_listen(&f, 100);
    for (uint16_t p = 2001; p <= 2007; p++)
        lq_syn(&f, p);
    assert_int_equal(f.l->synq_len, 7);
    uint32_t n = f.w->nconns;
    fx_mark(&f);
    lq_syn(&f, 2008);
    CF_NONE(&f, FX_B);
    cf_rule(&f, TCP_RULE_LISTEN_SYN_BACKLOG_DROP);
    assert_int_equal(f.w->nconns, n);
    /* with cookies on, the same SYN is taken */
    lq_sysctl(&f, FX_B, "tcp_syncookies", 1);
    fx_mark(&f);
    lq_syn(&f, 2008);
    CF_EXPECT(&f, FX_B, {TCP_SYN | TCP_ACK, FX_ISS_B, 1001, 0});
    assert_int_equal(f.l->synq_len, 8);
    fx_fini(&f);
}

/* Fill listen(fd, 4)'s SYN queue with five SYNs from ports 2001-2005. */
static void
lq_flood(struct fx *f)
{
    lq_listen(f, 4);
    for (uint16_t p = 2001; p <= 2005; p++)
        lq_syn(f, p);
    assert_int_equal(f->l->synq_len, 5);
}

/* tcp_syncookies 1 (the default), the SYN queue full: the SYN is answered with a SYN cookie, a
   SYN,ACK <ACK=SEG.SEQ+1> carrying our MSS and an ISS that encodes the connection, and no state
   is kept: no connection, no timer, never sent again (listen-syn-flood-cookies.pkt). */
static void
test_listen_syn_syn_queue_full_cookie_sent(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    assert_true(lq_sysctl_get(&f, FX_B, "tcp_syncookies") == 1);
    lq_flood(&f);
    uint32_t n = f.w->nconns;
    fx_mark(&f);
    lq_syn(&f, 2006);
    struct tcp_seg sa[4];
    assert_int_equal(lq_synacks_to(&f, 2006, sa, 4), 1);
    assert_int_equal(sa[0].ack, 1001);
    assert_int_equal(sa[0].mss, 1460);
    assert_int_not_equal(sa[0].seq, FX_ISS_B); /* the cookie, not the isn setting */
    cf_rule(&f, TCP_RULE_LISTEN_SYN_COOKIE);
    assert_int_equal(f.w->nconns, n);
    assert_int_equal(f.l->synq_len, 5);
    /* another SYN from elsewhere gets another cookie */
    lq_syn(&f, 2007);
    struct tcp_seg sb[4];
    assert_int_equal(lq_synacks_to(&f, 2007, sb, 4), 1);
    assert_int_not_equal(sb[0].seq, sa[0].seq);
    /* the embryonic connections' SYN,ACKs are sent again, the cookies never */
    fx_run_ms(&f, 5000);
    assert_int_equal(lq_synacks_to(&f, 2006, NULL, 0), 1);
    assert_int_equal(lq_synacks_to(&f, 2007, NULL, 0), 1);
    assert_true(lq_synacks_to(&f, 2001, NULL, 0) >= 2);
    fx_fini(&f);
}

/* The peer's ACK of a cookie, 1.5 s later, validates it (SEG.ACK - 1 is the cookie for this
   socket pair and SEG.SEQ - 1): the connection is created from it, SYN-RECEIVED then
   ESTABLISHED at once, in the accept queue, with ISS = the cookie; its SND.MSS is the MSS the
   cookie encodes (listen-syn-flood-cookies.pkt). */
static void
test_listen_ack_cookie_valid_established(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lq_flood(&f);
    fx_mark(&f);
    lq_syn(&f, 2006);
    struct tcp_seg sa[1];
    assert_int_equal(lq_synacks_to(&f, 2006, sa, 1), 1);
    uint32_t cookie = sa[0].seq;
    fx_run_ms(&f, 1500);
    fx_mark(&f);
    lq_ack(&f, 2006, cookie);
    struct tcp_conn *c = cf_newest(&f);
    assert_int_equal(c->rport, 2006);
    cf_rule(&f, TCP_RULE_LISTEN_COOKIE_ACK);
    cf_state(c, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    CF_NONE(&f, FX_B);
    assert_int_equal(c->iss, cookie);
    assert_int_equal(c->snd_una, cookie + 1);
    assert_int_equal(c->snd_nxt, cookie + 1);
    assert_int_equal(c->irs, 1000);
    assert_int_equal(c->rcv_nxt, 1001);
    assert_int_equal(c->snd_mss, 1460);
    assert_true(c->passive);
    assert_int_equal(f.l->acceptq_len, 1);
    assert_int_equal(f.l->synq_len, 5);
    struct tcp_conn *acc = NULL;
    assert_int_equal(tcp_accept(f.l, &acc), TCP_OK);
    assert_ptr_equal(acc, c);
    /* it sends like any other */
    fx_mark(&f);
    cf_send(c, "0123456789");
    CF_EXPECT(&f, FX_B, {TCP_ACK | TCP_PSH, cookie + 1, 1001, 10});
    fx_fini(&f);
}

/* A cookie keeps only an approximation of the peer's MSS: the largest of 536, 1300, 1440,
   1460 not above its option (Linux msstab; a 6.18 kernel read TCP_MAXSEG 536 after MSS 1000,
   1300 after 1300, 1440 after 1440, 536 after 1299: listen-syncookie-mss.pkt). */
static void
test_listen_ack_cookie_mss_from_table(void **state)
{
    (void)state;
    static const struct {
        uint16_t offered, kept;
    } rows[] = {{1000, 536}, {1299, 536}, {1300, 1300}, {1440, 1440}, {1461, 1460}, {0, 536}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct fx f;
        fx_init(&f, false);
        lq_sysctl(&f, FX_B, "tcp_syncookies", 2);
        lq_listen(&f, 4);
        lq_syn_mss(&f, 3000, rows[i].offered);
        struct tcp_seg sa[1];
        assert_int_equal(lq_synacks_to(&f, 3000, sa, 1), 1);
        assert_int_equal(sa[0].mss, 1460);
        lq_ack(&f, 3000, sa[0].seq);
        struct tcp_conn *c = cf_newest(&f);
        cf_state(c, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
        if (c->snd_mss != rows[i].kept)
            fail_msg("MSS %u offered: SND.MSS %u, expected %u", rows[i].offered, c->snd_mss, rows[i].kept);
        fx_fini(&f);
    }
}

/* An ACK that does not validate a cookie (its SEQ is not the SYN's + 1, or its ACK is not the
   cookie + 1) is answered as in LISTEN: <SEQ=SEG.ACK><CTL=RST>, and nothing is created
   (listen-syn-flood-cookies.pkt). */
static void
test_listen_ack_cookie_invalid_rst(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lq_flood(&f);
    fx_mark(&f);
    lq_syn(&f, 2006);
    struct tcp_seg sa[1];
    assert_int_equal(lq_synacks_to(&f, 2006, sa, 1), 1);
    uint32_t cookie = sa[0].seq;
    uint32_t conns = f.w->nconns;
    fx_mark(&f);
    fx_inject(&f, FX_B, 2006, FX_SPORT, 1005, cookie + 1, TCP_ACK, 65535, NULL);
    CF_EXPECT(&f, FX_B, {TCP_RST, cookie + 1, 0, 0});
    cf_rule(&f, TCP_RULE_LISTEN_ACK_RST);
    fx_mark(&f);
    fx_inject(&f, FX_B, 2006, FX_SPORT, 1001, cookie + 2, TCP_ACK, 65535, NULL);
    CF_EXPECT(&f, FX_B, {TCP_RST, cookie + 2, 0, 0});
    assert_int_equal(f.w->nconns, conns);
    assert_false(fx_rule_seen(&f, TCP_RULE_LISTEN_COOKIE_ACK));
    /* the right ACK still works: the cookie holds no state to spoil */
    lq_ack(&f, 2006, cookie);
    cf_state(cf_newest(&f), TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    fx_fini(&f);
}

/* A valid cookie's ACK that finds the accept queue full is dropped without an answer: no
   connection, no RST, and nothing sent again; the peer's next ACK, after accept() has made
   room, gets in (listen-syncookie-accept-queue-full.pkt). */
static void
test_listen_ack_cookie_accept_queue_full_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lq_sysctl(&f, FX_B, "tcp_syncookies", 2);
    lq_listen(&f, 1);
    lq_syn(&f, 1001);
    struct tcp_seg s1[1];
    assert_int_equal(lq_synacks_to(&f, 1001, s1, 1), 1);
    lq_ack(&f, 1001, s1[0].seq);
    struct tcp_conn *c1 = cf_newest(&f);
    cf_state(c1, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    fx_mark(&f);
    lq_syn(&f, 1002);
    struct tcp_seg s2[1];
    assert_int_equal(lq_synacks_to(&f, 1002, s2, 1), 1);
    fx_mark(&f);
    lq_syn(&f, 1003);
    struct tcp_seg s3[1];
    assert_int_equal(lq_synacks_to(&f, 1003, s3, 1), 1);
    lq_ack(&f, 1003, s3[0].seq); /* the queue: two, full */
    assert_int_equal(f.l->acceptq_len, 2);
    uint32_t n = f.w->nconns;
    fx_mark(&f);
    lq_ack(&f, 1002, s2[0].seq);
    CF_NONE(&f, FX_B);
    cf_rule(&f, TCP_RULE_ACK_ACCEPT_QUEUE_FULL);
    assert_int_equal(f.w->nconns, n);
    fx_run_ms(&f, 3000);
    CF_NONE(&f, FX_B);
    struct tcp_conn *acc = NULL;
    assert_int_equal(tcp_accept(f.l, &acc), TCP_OK);
    assert_ptr_equal(acc, c1);
    lq_ack(&f, 1002, s2[0].seq);
    struct tcp_conn *c2 = cf_newest(&f);
    assert_int_equal(c2->rport, 1002);
    cf_state(c2, TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    fx_fini(&f);
}

/* tcp_syncookies 2: every SYN is answered with a cookie, even with the SYN queue empty
   (listen-syncookies-always.pkt). */
static void
test_listen_syn_syncookies_always_cookie(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lq_sysctl(&f, FX_B, "tcp_syncookies", 2);
    lq_listen(&f, 4);
    uint32_t n = f.w->nconns;
    lq_syn(&f, 3000);
    struct tcp_seg sa[1];
    assert_int_equal(lq_synacks_to(&f, 3000, sa, 1), 1);
    cf_rule(&f, TCP_RULE_LISTEN_SYN_COOKIE);
    assert_int_equal(f.w->nconns, n);
    assert_int_equal(f.l->synq_len, 0);
    lq_ack(&f, 3000, sa[0].seq);
    cf_state(cf_newest(&f), TCP_ESTABLISHED, TCP_RULE_SYN_RCVD_ACKED);
    fx_fini(&f);
}

/* Under the rfc preset there are no cookies: a full SYN queue drops the SYN. */
static void
test_listen_syn_rfc_preset_syn_queue_full_dropped(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, true);
    assert_true(lq_sysctl_get(&f, FX_B, "tcp_syncookies") == 0);
    lq_flood(&f);
    fx_mark(&f);
    lq_syn(&f, 2006);
    CF_NONE(&f, FX_B);
    cf_rule(&f, TCP_RULE_LISTEN_SYN_QUEUE_FULL);
    fx_fini(&f);
}

/* ---- a connection reset before accept() ------------------------------------------------ */

/* The peer completes the handshake, sends 10 octets and resets: the connection stays in the
   accept queue, accept() returns it, read() gives the 10 octets, then ECONNRESET
   (listen-reset-before-accept.pkt; the kernel then reads end of stream, and a write gets
   EPIPE: the error is reported once). */
static void
test_established_rst_before_accept_accept_returns_it(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lq_listen(&f, 1);
    struct tcp_conn *c = lq_connect(&f, 1001);
    fx_inject(&f, FX_B, 1001, FX_SPORT, 1001, FX_ISS_B + 1, TCP_ACK | TCP_PSH, 65535, "0123456789");
    assert_int_equal(tcp_readable(c), 10);
    fx_inject(&f, FX_B, 1001, FX_SPORT, 1011, FX_ISS_B + 1, TCP_RST | TCP_ACK, 65535, NULL);
    cf_state(c, TCP_CLOSED, TCP_RULE_RST_RESET);
    assert_int_equal(f.l->acceptq_len, 1);
    struct tcp_conn *acc = NULL;
    assert_int_equal(tcp_accept(f.l, &acc), TCP_OK);
    assert_ptr_equal(acc, c);
    assert_int_equal(f.l->acceptq_len, 0);
    char buf[64];
    assert_int_equal(cf_recv(c, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, "0123456789");
    assert_int_equal(cf_recv(c, buf, sizeof buf), TCP_ECONNRESET);
    /* the error is reported once: then end of stream, and a send gets EPIPE (the kernel's
       read() 0, write() EPIPE) */
    assert_int_equal(cf_recv(c, buf, sizeof buf), TCP_EOF);
    size_t q = 0;
    assert_int_equal(tcp_send(c, "x", 1, &q), TCP_EPIPE);
    assert_int_equal(tcp_accept(f.l, &acc), TCP_OK);
    assert_null(acc);
    fx_fini(&f);
}

/* The same, the application writing first: the write gets ECONNRESET, and the data received
   before the reset is still read afterwards (listen-reset-before-accept-send.pkt). */
static void
test_established_rst_before_accept_send_econnreset(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lq_listen(&f, 1);
    struct tcp_conn *c = lq_connect(&f, 1001);
    fx_inject(&f, FX_B, 1001, FX_SPORT, 1001, FX_ISS_B + 1, TCP_ACK | TCP_PSH, 65535, "0123456789");
    fx_inject(&f, FX_B, 1001, FX_SPORT, 1011, FX_ISS_B + 1, TCP_RST | TCP_ACK, 65535, NULL);
    struct tcp_conn *acc = NULL;
    assert_int_equal(tcp_accept(f.l, &acc), TCP_OK);
    assert_ptr_equal(acc, c);
    size_t q = 9;
    assert_int_equal(tcp_send(c, "hello", 5, &q), TCP_ECONNRESET);
    assert_int_equal(q, 0);
    char buf[64];
    assert_int_equal(cf_recv(c, buf, sizeof buf), TCP_OK);
    assert_string_equal(buf, "0123456789");
    fx_fini(&f);
}

/* A reset connection keeps its place: listen(fd, 1), one connection reset, another
   established; a third SYN finds the accept queue full (listen-reset-before-accept-no-data.pkt:
   with listen(fd, 0) the one reset connection filled the queue). Closing the listener then
   takes the reset one off the queue without sending anything for it. */
static void
test_established_rst_before_accept_keeps_its_place(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lq_listen(&f, 1);
    struct tcp_conn *c1 = lq_connect(&f, 1001);
    fx_inject(&f, FX_B, 1001, FX_SPORT, 1001, FX_ISS_B + 1, TCP_RST | TCP_ACK, 65535, NULL);
    cf_state(c1, TCP_CLOSED, TCP_RULE_RST_RESET);
    struct tcp_conn *c2 = lq_connect(&f, 1002);
    assert_int_equal(f.l->acceptq_len, 2);
    fx_mark(&f);
    lq_syn(&f, 1003);
    CF_NONE(&f, FX_B);
    cf_rule(&f, TCP_RULE_LISTEN_ACCEPT_QUEUE_FULL);
    /* closing the listener: the established one is reset, the reset one needs nothing */
    fx_mark(&f);
    assert_int_equal(tcp_close(f.l), TCP_OK);
    struct tcp_seg s[4];
    size_t n = cf_sent(&f, FX_B, s, 4);
    assert_int_equal(n, 1);
    assert_true(s[0].flags & TCP_RST);
    assert_int_equal(s[0].dport, 1002);
    assert_int_equal(c2->state, TCP_CLOSED);
    assert_int_equal(f.l->acceptq_len, 0);
    assert_null(f.l->acceptq_head);
    assert_false(c1->in_acceptq);
    fx_fini(&f);
}

/* A reset in SYN-RECEIVED never reaches the accept queue: an RST in the window but not at
   RCV.NXT gets a challenge ACK and the connection stays; one at RCV.NXT removes it without a
   word, and the peer's ACK that follows is answered as in LISTEN, <SEQ=SEG.ACK><CTL=RST>
   (listen-reset-syn-received.pkt). */
static void
test_syn_received_rst_never_queued(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, false);
    lq_listen(&f, 1);
    lq_syn(&f, 1001);
    struct tcp_conn *c = cf_newest(&f);
    fx_mark(&f);
    fx_inject(&f, FX_B, 1001, FX_SPORT, 1100, 0, TCP_RST, 65535, NULL);
    CF_EXPECT(&f, FX_B, {TCP_ACK, FX_ISS_B + 1, 1001, 0});
    cf_rule(&f, TCP_RULE_RST_CHALLENGE);
    cf_state(c, TCP_SYN_RECEIVED, TCP_RULE_LISTEN_SYN);
    fx_mark(&f);
    fx_inject(&f, FX_B, 1001, FX_SPORT, 1001, 0, TCP_RST, 65535, NULL);
    CF_NONE(&f, FX_B);
    cf_state(c, TCP_CLOSED, TCP_RULE_RST_TO_LISTEN);
    assert_int_equal(f.l->synq_len, 0);
    assert_int_equal(f.l->acceptq_len, 0);
    fx_mark(&f);
    lq_ack(&f, 1001, FX_ISS_B);
    CF_EXPECT(&f, FX_B, {TCP_RST, FX_ISS_B + 1, 0, 0});
    cf_rule(&f, TCP_RULE_LISTEN_ACK_RST);
    struct tcp_conn *acc = NULL;
    assert_int_equal(tcp_accept(f.l, &acc), TCP_OK);
    assert_null(acc);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listen_syn_accept_queue_full_dropped),
        cmocka_unit_test(test_syn_received_ack_accept_queue_full_dropped),
        cmocka_unit_test(test_closed_listen_backlog_capped_at_somaxconn),
        cmocka_unit_test(test_listen_syn_syn_queue_full_no_cookies_dropped),
        cmocka_unit_test(test_listen_syn_max_syn_backlog_quarter_dropped),
        cmocka_unit_test(test_listen_syn_syn_queue_full_cookie_sent),
        cmocka_unit_test(test_listen_ack_cookie_valid_established),
        cmocka_unit_test(test_listen_ack_cookie_mss_from_table),
        cmocka_unit_test(test_listen_ack_cookie_invalid_rst),
        cmocka_unit_test(test_listen_ack_cookie_accept_queue_full_dropped),
        cmocka_unit_test(test_listen_syn_syncookies_always_cookie),
        cmocka_unit_test(test_listen_syn_rfc_preset_syn_queue_full_dropped),
        cmocka_unit_test(test_established_rst_before_accept_accept_returns_it),
        cmocka_unit_test(test_established_rst_before_accept_send_econnreset),
        cmocka_unit_test(test_established_rst_before_accept_keeps_its_place),
        cmocka_unit_test(test_syn_received_rst_never_queued),
    };
    return cmocka_run_group_tests_name("listen_queues", tests, NULL, NULL);
}
