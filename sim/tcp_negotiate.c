/*
 * tcp_negotiate.c - the options a connection agrees in its handshake and what it does with
 * them afterwards: window scaling (RFC 7323 2), timestamps (RFC 7323 3-5: the TSval clock,
 * TS.Recent, PAWS, RTT from the echo), SACK-permitted (RFC 2018 2), and tcp_tw_reuse.
 *
 * An option is used only when both SYNs carried it (RFC 7323 2.2, 3.2; RFC 2018 2), and a
 * SYN,ACK offers only what the SYN offered. tcp_opt.c holds the options' octets; the sack
 * helper's files use sack_ok.
 *
 * Entry points: tcp_opt_offer, tcp_opt_agree, tcp_opt_syn, tcp_paws_reject,
 * tcp_ts_recent_update, tcp_ts_rtt_sample, tcp_tw_reusable.
 */
#include "tcp_internal.h"

/* RFC 7323 5.5: TS.Recent older than 24 days is invalid (a clock of 1 ms ticks wraps its sign
   in 24.8 days); Linux TCP_PAWS_24DAYS. */
#define TCP_PAWS_24DAYS CLK_SEC(60 * 60 * 24 * 24)
/* tcp_tw_reuse: the TIME-WAIT's last timestamp must be this old (Linux tcp_twsk_unique:
   "ts_recent_stamp + 1 second"), so the new SYN's TSval, on the same clock, is above it. */
#define TCP_TW_REUSE_AGE CLK_SEC(1)

/* The window scale Linux offers (tcp_select_initial_window): the smallest shift that lets
   the largest receive buffer the connection could grow to be offered, tcp_rmem's max (or a
   socket's own SO_RCVBUF, which stops the buffer's growth), at most 14 (RFC 7323 2.3). */
static uint8_t
tcp_wscale_for(const struct tcp_conn *c)
{
    uint32_t space = c->opts.rcvbuf > 0 ? (uint32_t)c->opts.rcvbuf : (uint32_t)c->host->cfg.rmem[2];
    if (c->rcvq.cap > space)
        space = c->rcvq.cap;
    uint8_t shift = 0;
    while (shift < TCP_MAX_WSCALE && (space >> shift) > 65535u)
        shift++;
    return shift;
}

/* Linux keys ts_off by the address pair (secure_tcp_ts_off), so every connection between two
   hosts ticks on one clock: what lets TIME-WAIT compare a new SYN's TSval with the old
   connection's (tcp_timewait_state_process, tcp_twsk_unique). The key is drawn from the
   world's PRNG at the host's first timestamped connection, not before: runs without
   timestamps draw nothing more. */
static uint32_t
tcp_ts_offset(struct tcp_conn *c)
{
    struct tcp_host *h = c->host;
    if (!h->ts_keyed) {
        h->ts_secret = rng_u64(&h->world->rng);
        h->ts_keyed = true;
    }
    uint64_t x = h->ts_secret ^ ((uint64_t)c->laddr << 32 | c->raddr);
    /* splitmix64's finalizer: every bit of the pair and the key stirs every bit */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (uint32_t)x;
}

void
tcp_opt_offer(struct tcp_conn *c)
{
    const struct tcp_settings *cfg = &c->host->cfg;
    c->ws_ok = cfg->window_scaling != 0;
    c->ts_ok = cfg->timestamps != 0;
    c->sack_ok = cfg->sack != 0;
    c->rcv_wscale = c->ws_ok ? tcp_wscale_for(c) : 0;
    c->snd_wscale = 0;
    c->ts_recent = 0;
    if (c->ts_ok)
        c->ts_off = tcp_ts_offset(c);
}

/* SND.MSS from the peer's SYN (§3.7.1): the smaller of its MSS option and ours; "If an MSS
   Option is not received at connection setup, TCP implementations MUST assume a default send
   MSS of 536 (576 - 40) for IPv4." */
static void
tcp_set_snd_mss(struct tcp_conn *c, const struct tcp_seg *syn)
{
    uint32_t theirs = syn->mss ? syn->mss : 536u;
    uint32_t ours = (uint32_t)c->host->cfg.mss;
    c->snd_mss = theirs < ours ? theirs : ours;
}

void
tcp_opt_agree(struct tcp_conn *c, const struct tcp_seg *syn)
{
    unsigned have = syn->opt.present;
    tcp_set_snd_mss(c, syn);
    /* RFC 7323 2.2: scaling is on only when both SYNs carry the option; each side then
       shifts by what the other announced, a shift above 14 taken as 14 (2.3; Linux logs it) */
    c->ws_ok = c->ws_ok && (have & TCP_OPT_WSCALE);
    if (c->ws_ok) {
        c->snd_wscale = syn->opt.wscale > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : syn->opt.wscale;
    } else {
        c->snd_wscale = 0;
        c->rcv_wscale = 0;
    }
    /* RFC 7323 3.2: timestamps go on every segment once both SYNs carried them */
    c->ts_ok = c->ts_ok && (have & TCP_OPT_TS);
    if (c->ts_ok) {
        c->ts_recent = syn->opt.tsval;
        c->ts_recent_stamp = tcp_now(c);
    }
    /* RFC 2018 2: SACK-permitted "MUST NOT be sent on non-SYN segments" and is agreed here */
    c->sack_ok = c->sack_ok && (have & TCP_OPT_SACK_OK);
}

void
tcp_opt_syn(const struct tcp_conn *c, struct tcp_seg *s)
{
    s->mss = (uint16_t)c->host->cfg.mss;
    s->opt.present = TCP_OPT_MSS;
    if (c->sack_ok)
        s->opt.present |= TCP_OPT_SACK_OK;
    if (c->ts_ok) {
        /* on a SYN "the TSecr field MUST be zero" unless it answers one (RFC 7323 3.2):
           TS.Recent is 0 until the peer's SYN was seen */
        s->opt.present |= TCP_OPT_TS;
        s->opt.tsval = tcp_tsval(c);
        s->opt.tsecr = c->ts_recent;
    }
    if (c->ws_ok) {
        s->opt.present |= TCP_OPT_WSCALE;
        s->opt.wscale = c->rcv_wscale;
    }
}

bool
tcp_paws_reject(const struct tcp_conn *c, const struct tcp_seg *seg)
{
    /* R1: "If there is a Timestamps option in the arriving segment, SEG.TSval < TS.Recent,
       and if TS.Recent is valid" (not older than 24 days, 5.5), the segment is not acceptable;
       an RST is let through (Linux tcp_validate_incoming: "Reset is accepted even if it did
       not pass PAWS"). */
    return c->ts_ok && (seg->opt.present & TCP_OPT_TS) && !(seg->flags & TCP_RST)
           && (int32_t)(seg->opt.tsval - c->ts_recent) < 0
           && tcp_now(c) - c->ts_recent_stamp <= TCP_PAWS_24DAYS;
}

void
tcp_ts_recent_update(struct tcp_conn *c, const struct tcp_seg *seg)
{
    /* "If SEG.TSval >= TS.Recent and SEG.SEQ =< Last.ACK.sent then SEG.TSval is copied to
       TS.Recent". Last.ACK.sent is RCV.NXT less what we hold unacknowledged. */
    if (c->ts_ok && (seg->opt.present & TCP_OPT_TS) && (int32_t)(seg->opt.tsval - c->ts_recent) >= 0
        && seq_le(seg->seq, c->rcv_nxt - c->ack_owed)) {
        c->ts_recent = seg->opt.tsval;
        c->ts_recent_stamp = tcp_now(c);
    }
}

void
tcp_ts_rtt_sample(struct tcp_conn *c, const struct tcp_seg *seg)
{
    /* RFC 7323 4.1: the echo times the segment it answers, even a retransmitted one (Karn's
       ambiguity gone); Linux uses it when the segment clock has no sample (tcp_ack_update_rtt,
       tcp_rtt_tsopt_us). */
    if (!c->ts_ok || !(seg->opt.present & TCP_OPT_TS) || seg->opt.tsecr == 0)
        return;
    uint32_t ticks = tcp_tsval(c) - seg->opt.tsecr;
    if ((int32_t)ticks < 0)
        return;
    tcp_rtt_sample(c, ticks ? CLK_MSEC(ticks) : CLK_MSEC(1) / 2);
}

bool
tcp_tw_reusable(const struct tcp_conn *tw, clk_time now)
{
    /* Linux tcp_twsk_unique: with tcp_tw_reuse 1 (2: loopback only, which tcpsim's two hosts
       never are), an outgoing connection may take the pair when the old one used timestamps
       and its last one is more than a second old: the new SYN's TSval, on the same per-pair
       clock, is then newer than any the old connection sent, so PAWS at the peer sorts old
       duplicates out. The new connection starts at the old SND.NXT + 65535 + 2. */
    return tw->state == TCP_TIME_WAIT && tcp_tw_reuse_ok(tw->host, tw->ts_ok, tw->ts_recent_stamp, now);
}

bool
tcp_tw_reuse_ok(const struct tcp_host *h, bool ts_ok, clk_time ts_recent_stamp, clk_time now)
{
    return h->cfg.tw_reuse == 1 && ts_ok && now - ts_recent_stamp > TCP_TW_REUSE_AGE;
}
