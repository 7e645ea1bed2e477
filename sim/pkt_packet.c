/*
 * pkt_packet.c - the segment lines of a packetdrill script as the runner plays them: an
 * inbound one ('<') injected from B on the connection it is for, its numbers moved to the
 * SUT's live ones; an outbound one ('>') matched against the next segments the SUT sent, as
 * packetdrill's run_packet.c does (read for the semantics only): the fields in its order, the
 * options kind by kind, then the time, each difference worded as packetdrill words it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_internal.h"

/* The TCP options the SUT sends (tcp_opt.c): an expected option outside these makes the
   script unsupported, not failed, since tcpsim cannot send it. SACK blocks are not sent yet. */
#define PKT_MODELLED_OPTS (TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_SACK_OK | TCP_OPT_TS)

/* ---- packets ---------------------------------------------------------------------------------- */

static const char *
pkt_opt_name(uint8_t kind)
{
    switch (kind) {
    case 0: return "eol";
    case 1: return "nop";
    case 2: return "mss";
    case 3: return "wscale";
    case 4: return "sackOK";
    case 5: return "sack";
    case 8: return "TS";
    default: return "an option tcpsim does not model";
    }
}

/* "S. 0:0(0) ack 1 win 65535 <mss 1460>": a segment in the script's numbers, as packetdrill
   prints one (packet_to_string, DUMP_SHORT); 'opts' is the option list without brackets, or
   NULL for none. */
static void
pkt_seg_str(char *buf, size_t cap, uint8_t flags, uint32_t seq, uint32_t len, bool ack, uint32_t ackn, bool has_win,
            uint32_t win, const char *opts)
{
    char f[8];
    size_t n = 0;
    if (flags & TCP_FIN)
        f[n++] = 'F';
    if (flags & TCP_SYN)
        f[n++] = 'S';
    if (flags & TCP_RST)
        f[n++] = 'R';
    if (flags & TCP_PSH)
        f[n++] = 'P';
    if (flags & TCP_ACK)
        f[n++] = '.';
    f[n] = '\0';
    char a[32] = "", w[32] = "";
    if (ack)
        snprintf(a, sizeof a, " ack %u", ackn);
    if (has_win)
        snprintf(w, sizeof w, " win %u", win);
    snprintf(buf, cap, "%s %u:%u(%u)%s%s%s%s%s", f, seq, seq + len, len, a, w, opts && *opts ? " <" : "",
             opts && *opts ? opts : "", opts && *opts ? ">" : "");
}

/* A script line's options as written, kind by kind. */
static const char *
pkt_script_opts(const struct pkt_packet *k, char *buf, size_t cap)
{
    if (k->opts_mode == PKT_OPTS_ANY)
        return "...";
    size_t at = 0;
    buf[0] = '\0';
    int isack = 0;
    for (int i = 0; i < k->nkinds && at < cap; i++) {
        const char *sep = i ? "," : "";
        int m = 0;
        switch (k->kinds[i]) {
        case 2: m = snprintf(buf + at, cap - at, "%smss %u", sep, k->mss); break;
        case 3: m = snprintf(buf + at, cap - at, "%swscale %u", sep, k->opt.wscale); break;
        case 8: m = snprintf(buf + at, cap - at, "%sTS val %u ecr %u", sep, k->opt.tsval, k->opt.tsecr); break;
        case 5:
            m = snprintf(buf + at, cap - at, "%ssack", sep);
            for (; isack < k->opt.nsack && m >= 0 && at + (size_t)m < cap; isack++)
                m += snprintf(buf + at + (size_t)m, cap - at - (size_t)m, " %u:%u", k->opt.sack[isack].left,
                              k->opt.sack[isack].right);
            break;
        default: m = snprintf(buf + at, cap - at, "%s%s", sep, pkt_opt_name(k->kinds[i])); break;
        }
        if (m < 0)
            break;
        at += (size_t)m;
    }
    return buf;
}

/* The flow an inbound line is for: packetdrill's find_or_create_socket_for_script_packet.
   After socket() or listen() the next inbound segment makes a new connection (a child of the
   listener, on a fresh port of the script's); anything else goes to the current one. A line
   with ports is injected on those ports but numbered as the current connection, and does
   not change it. -1 after a verdict. Into '*via': the flow whose ports the segment carries. */
static int
pkt_inbound_flow(struct pkt_runner *r, const struct pkt_event *e, int *via)
{
    const struct pkt_packet *k = &e->pkt;
    if (r->cur < 0) {
        int lfd = -1;
        for (int i = PKT_MAX_FDS - 1; i >= 0; i--)
            if (r->fd[i].used && r->fd[i].listening) {
                lfd = i;
                break;
            }
        if (lfd < 0 && !k->has_ports) {
            pkt_fail(r, e->line, "error handling packet: no matching socket for script packet");
            return -1;
        }
        uint16_t port = lfd >= 0 ? r->fd[lfd].port : PKT_SUT_PORT;
        r->cur = pkt_flow_get(r, port, r->next_peer_port++, true);
    }
    *via = r->cur;
    if (k->has_ports) {
        *via = pkt_flow_find(r, k->sut_port, k->peer_port);
        if (*via < 0 && (*via = pkt_flow_get(r, k->sut_port, k->peer_port, true)) >= 0)
            r->flow[*via].anon = true;
    }
    if (r->cur < 0 || *via < 0) {
        pkt_unsupported_at(r, e->line, "more than %d connections", PKT_MAX_FLOWS);
        return -1;
    }
    return r->cur;
}

void
pkt_do_inbound(struct pkt_runner *r, const struct pkt_event *e)
{
    const struct pkt_packet *k = &e->pkt;
    if ((k->flags & TCP_SYN) && k->len > 0) {
        /* Linux answers data on a SYN as TCP fast open (RFC 7413) when tcp_fastopen says so, as
           packetdrill's defaults.sh does */
        pkt_unsupported_at(r, e->line, "data on a SYN (TCP fast open)");
        return;
    }
    int via;
    int fl = pkt_inbound_flow(r, e, &via);
    if (fl < 0)
        return;
    struct pkt_flow *f = &r->flow[fl];
    struct tcp_seg s;
    memset(&s, 0, sizeof s);
    s.saddr = r->peer->addr;
    s.daddr = r->sut->addr;
    s.sport = r->flow[via].peer_port;
    s.dport = r->flow[via].sut_port;
    s.seq = k->seq;
    s.flags = k->flags;
    s.len = k->len;
    uint32_t shift = f->live_isn - f->script_isn; /* script space to live, for the SUT's numbers */
    if (k->has_ack)
        s.ack = k->ack + (f->live_isn_known ? shift : 0);
    s.wnd = (uint16_t)k->win;
    if (k->opt.present & TCP_OPT_MSS)
        s.mss = k->mss;
    s.opt = k->opt;
    s.opt.present &= (uint8_t)~TCP_OPT_MSS; /* seg.mss carries it */
    if ((k->flags & TCP_ACK) && (k->opt.present & TCP_OPT_TS)) {
        /* the TSecr the script wrote is one of the SUT's TSvals in the script's space: the live
           one it stands for (packetdrill's map_inbound_packet) */
        int i = 0;
        while (i < f->nts_map && f->ts_map[i].script != k->opt.tsecr)
            i++;
        if (i < f->nts_map)
            s.opt.tsecr = f->ts_map[i].live;
        else if (f->ts_found)
            s.opt.tsecr = k->opt.tsecr - f->ts_first_script + f->ts_first_live;
        else {
            pkt_fail(r, e->line,
                     "error handling packet: unable to infer live TS ecr for script TS ecr %u;  no matching or preceding "
                     "outbound TS val",
                     k->opt.tsecr);
            return;
        }
    }
    for (int i = 0; i < s.opt.nsack; i++) {
        s.opt.sack[i].left += f->live_isn_known ? shift : 0;
        s.opt.sack[i].right += f->live_isn_known ? shift : 0;
    }
    uint8_t *payload = NULL;
    if (k->len) {
        payload = calloc(1, k->len);
        if (!payload) {
            r->oom = true;
            pkt_fail(r, e->line, "out of memory");
            return;
        }
        s.data = payload;
    }
    if (r->o.verbose && r->log) {
        char b[256], o[160];
        pkt_seg_str(b, sizeof b, k->flags, k->seq, k->len, k->has_ack, k->ack, true, k->win,
                    pkt_script_opts(k, o, sizeof o));
        fprintf(r->log, "inbound injected packet: %9.6f %s\n", pkt_secs(pkt_now_us(r)), b);
    }
    uint64_t id = wire_inject(r->w, 1, &s);
    free(payload);
    /* delivered now, before anything else due at this instant (the link delay is zero) */
    struct wire_pkt *p = id ? wire_find(r->w, id) : NULL;
    if (p) {
        clk_cancel(&r->w->clk, &p->arrival);
        p->arrival.fire(&p->arrival, p->arrival.ctx);
        if (r->pend.on)
            pkt_pending_check(r, false);
    }
    pkt_advance(r, r->w->clk.now, false);
}

/* Compare one field as packetdrill's check_field words it. */
static bool
pkt_field_ok(char *err, size_t cap, const char *name, uint32_t want, uint32_t got)
{
    if (want == got)
        return true;
    snprintf(err, cap, "live packet field %s: expected: %u (0x%x) vs actual: %u (0x%x)", name, want, want, got, got);
    return false;
}

/* The SUT's options against the script's (packetdrill's verify_outbound_live_tcp_options):
   the kinds in the same order, NOPs included; MSS, window scale and SACK blocks by value;
   a TSval is not checked (packetdrill checks it only with --tcp_ts_tick_usecs). An option the
   script expects and tcpsim never sends makes the script unsupported. */
static bool
pkt_opts_ok(struct pkt_runner *r, const struct pkt_event *e, struct pkt_flow *f, const struct tcp_seg *a, char *err,
            size_t cap)
{
    const struct pkt_packet *k = &e->pkt;
    if (k->opts_mode == PKT_OPTS_ANY)
        return true;
    uint8_t want = k->opts_mode == PKT_OPTS_LIST ? k->opt.present : 0;
    uint8_t got = a->opt.present | (a->mss ? TCP_OPT_MSS : 0);
    uint8_t missing = want & ~PKT_MODELLED_OPTS & ~got;
    for (int i = 0; i < k->nkinds; i++)
        if (k->kinds[i] == 0xff) {
            pkt_unsupported_at(r, e->line, "a TCP option tcpsim does not send");
            return false;
        }
    if (missing) {
        pkt_unsupported_at(r, e->line, "the SUT would send TCP option %s, which tcpsim does not send",
                           (missing & TCP_OPT_SACK) ? "sack (SACK blocks)" : pkt_opt_name(0xff));
        return false;
    }
    uint8_t lay[TCP_OPT_SPACE];
    size_t n = tcp_opt_encode(a, lay);
    int idx = 0;
    for (size_t i = 0; i < n;) {
        uint8_t kind = lay[i];
        size_t olen = kind <= 1 ? 1 : (i + 1 < n && lay[i + 1] >= 2 ? lay[i + 1] : n - i);
        if (kind == 0 && idx >= k->nkinds)
            break; /* padding */
        if (idx >= k->nkinds || k->kinds[idx] != kind) {
            snprintf(err, cap, "bad outbound TCP options");
            return false;
        }
        idx++;
        i += olen;
    }
    if (idx != k->nkinds) {
        snprintf(err, cap, "bad outbound TCP options");
        return false;
    }
    if ((want & TCP_OPT_MSS) && k->mss != a->mss) {
        snprintf(err, cap, "bad value in outbound TCP option (kind=2): expected: mss %u actual: mss %u", k->mss, a->mss);
        return false;
    }
    if ((want & TCP_OPT_WSCALE) && k->opt.wscale != a->opt.wscale) {
        snprintf(err, cap, "bad value in outbound TCP option (kind=3): expected: wscale %u actual: wscale %u",
                 k->opt.wscale, a->opt.wscale);
        return false;
    }
    if (want & TCP_OPT_SACK) {
        bool same = k->opt.nsack == a->opt.nsack;
        for (int i = 0; same && i < k->opt.nsack; i++)
            same = k->opt.sack[i].left == a->opt.sack[i].left && k->opt.sack[i].right == a->opt.sack[i].right;
        if (!same) {
            snprintf(err, cap, "bad value in outbound TCP option (kind=5)");
            return false;
        }
    }
    if (f && (want & TCP_OPT_TS) && (a->opt.present & TCP_OPT_TS)) {
        /* remember the pair, for the TSecr of later inbound segments */
        if (!f->ts_found) {
            f->ts_found = true;
            f->ts_first_script = k->opt.tsval;
            f->ts_first_live = a->opt.tsval;
        }
        /* --tcp_ts_tick_usecs: the TSval, moved to the script's clock, within the tolerance of
           the time since the script began */
        int64_t tol = r->s->tolerance_us;
        int64_t dyn = (int64_t)(r->s->tolerance_percent / 100.0 * (double)pkt_now_us(r));
        if (dyn > tol)
            tol = dyn;
        int32_t dev = (int32_t)(f->ts_first_script + (a->opt.tsval - f->ts_first_live) - k->opt.tsval);
        if (r->s->ts_tick_us > 0 && (int64_t)(dev < 0 ? -(int64_t)dev : dev) * r->s->ts_tick_us > tol) {
            snprintf(err, cap, "bad outbound TCP timestamp value, tolerance %lld", (long long)tol);
            return false;
        }
        int i = 0;
        while (i < f->nts_map && f->ts_map[i].script != k->opt.tsval)
            i++;
        if (i == f->nts_map && f->nts_map < (int)(sizeof f->ts_map / sizeof f->ts_map[0]))
            f->nts_map++;
        if (i < f->nts_map) {
            f->ts_map[i].script = k->opt.tsval;
            f->ts_map[i].live = a->opt.tsval;
        }
    }
    return true;
}

void
pkt_do_outbound(struct pkt_runner *r, const struct pkt_event *e, int64_t t, int64_t t_end, int64_t offset)
{
    const struct pkt_packet *k = &e->pkt;
    if ((k->flags & TCP_SYN) && k->len > 0) {
        pkt_unsupported_at(r, e->line, "data on a SYN (TCP fast open)");
        return;
    }
    /* packetdrill waits up to the expected time (since the previous event) plus 2 s, in whole
       seconds, then gives up */
    clk_time deadline = CLK_NEVER;
    if (e->time != PKT_TIME_ANY) {
        int64_t wait = (e->time == PKT_TIME_ABS_RANGE || e->time == PKT_TIME_REL_RANGE ? t_end : t) - r->last_us;
        deadline = CLK_SEC(r->last_us / 1000000 + (wait > 0 ? wait : 0) / 1000000 + 2) + (r->last_us % 1000000) * 1000;
    }
    struct tcp_seg agg;
    memset(&agg, 0, sizeof agg);
    uint32_t got_len = 0;
    int nsegs = 0;
    clk_time at = 0;
    int fl = -1;
    for (;;) {
        if (r->qlen == 0)
            pkt_advance(r, deadline, true);
        if (r->done)
            return;
        if (r->qlen == 0) {
            char b[256], o[160];
            pkt_seg_str(b, sizeof b, k->flags, k->seq, k->len, k->has_ack, k->ack, k->has_win, k->win,
                        pkt_script_opts(k, o, sizeof o));
            pkt_fail(r, e->line, "error handling packet: Timed out waiting for packet\nscript packet: %9.6f %s", pkt_secs(t),
                     b);
            return;
        }
        struct pkt_sniffed *s = &r->q[r->qhead];
        r->qhead++;
        r->qlen--;
        if (r->qlen == 0)
            r->qhead = 0;
        /* a segment of no connection the script knows is not sniffed (packetdrill frees it),
           unless the line names its ports */
        int sfl = pkt_flow_find(r, s->seg.sport, s->seg.dport);
        bool named = k->has_ports && k->sut_port == s->seg.sport && k->peer_port == s->seg.dport;
        if (!named && (sfl < 0 || r->flow[sfl].anon)) {
            if (r->o.verbose && r->log)
                fprintf(r->log, "outbound packet for no socket of the script, ignored: %9.6f\n",
                        pkt_secs((s->t + 500) / 1000));
            continue;
        }
        if (nsegs == 0) {
            agg = s->seg;
            at = s->t;
            fl = pkt_flow_find(r, s->seg.sport, s->seg.dport);
        } else {
            /* one more piece of a line larger than the MSS: the flags of the last */
            agg.flags = s->seg.flags;
            agg.ack = s->seg.ack;
            agg.wnd = s->seg.wnd;
            agg.len += s->seg.len;
            at = s->t;
        }
        got_len += s->seg.len;
        nsegs++;
        if (got_len >= k->len || (agg.flags & (TCP_SYN | TCP_RST | TCP_FIN)))
            break;
    }
    if (fl < 0)
        fl = r->cur;
    struct pkt_flow *f = fl >= 0 ? &r->flow[fl] : NULL;
    if (f && (agg.flags & TCP_SYN) && !f->live_isn_known) {
        f->live_isn_known = true;
        f->live_isn = agg.seq;
    }
    if (f && (k->flags & TCP_SYN) && !f->script_isn_known) {
        f->script_isn_known = true;
        f->script_isn = k->seq; /* packetdrill's script.local_isn: the SYN line's number */
    }
    uint32_t aseq = f && f->live_isn_known ? agg.seq - f->live_isn + f->script_isn : agg.seq;
    uint32_t aack = (agg.flags & TCP_ACK) ? agg.ack : 0;
    char err[256] = "";
    bool ok = true;
    if (got_len != k->len) {
        snprintf(err, sizeof err, "live packet payload: expected %u bytes vs actual %u bytes", k->len, got_len);
        ok = false;
    }
    ok = ok && pkt_field_ok(err, sizeof err, "tcp_fin", !!(k->flags & TCP_FIN), !!(agg.flags & TCP_FIN)) &&
         pkt_field_ok(err, sizeof err, "tcp_syn", !!(k->flags & TCP_SYN), !!(agg.flags & TCP_SYN)) &&
         pkt_field_ok(err, sizeof err, "tcp_rst", !!(k->flags & TCP_RST), !!(agg.flags & TCP_RST)) &&
         pkt_field_ok(err, sizeof err, "tcp_psh", !!(k->flags & TCP_PSH), !!(agg.flags & TCP_PSH)) &&
         pkt_field_ok(err, sizeof err, "tcp_ack", !!(k->flags & TCP_ACK), !!(agg.flags & TCP_ACK)) &&
         pkt_field_ok(err, sizeof err, "tcp_urg", !!(k->flags & TCP_URG), !!(agg.flags & TCP_URG)) &&
         pkt_field_ok(err, sizeof err, "tcp_seq", k->seq, aseq) &&
         pkt_field_ok(err, sizeof err, "tcp_ack_seq", k->has_ack ? k->ack : 0, aack) &&
         (!k->has_win || pkt_field_ok(err, sizeof err, "tcp_window", k->win, agg.wnd));
    if (ok && !pkt_opts_ok(r, e, f, &agg, err, sizeof err))
        ok = false;
    if (r->done)
        return; /* unsupported */
    int64_t at_us = (at + 500) / 1000;
    char ab[256], ao[160], sb[256], so[160];
    pkt_seg_str(ab, sizeof ab, agg.flags, aseq, agg.len, (agg.flags & TCP_ACK) != 0, agg.ack, true, agg.wnd,
                tcp_opt_str(&agg, ao, sizeof ao));
    if (r->o.verbose && r->log)
        fprintf(r->log, "outbound sniffed packet: %9.6f %s\n", pkt_secs(at_us), ab);
    if (ok && pkt_time_ok(r, e->time, t, t_end, offset, at_us, r->last_us, "outbound packet", err, sizeof err))
        return;
    pkt_seg_str(sb, sizeof sb, k->flags, k->seq, k->len, k->has_ack, k->ack, k->has_win, k->win,
                pkt_script_opts(k, so, sizeof so));
    pkt_fail(r, e->line, "error handling packet: %s\nscript packet: %9.6f %s\nactual packet: %9.6f %s", err, pkt_secs(t),
             sb, pkt_secs(at_us), ab);
}
