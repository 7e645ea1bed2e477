/*
 * tcp_rcvwnd.c - the window a receiver offers (RCV.WND, RFC 9293 3.8.6), in two ways a
 * host's settings choose between.
 *
 * RFC 9293's: the free part of the receive buffer (tcp_adv_win_scale 0: all of it), rounded
 * down to a step of the window scale (RFC 7323 2.3).
 *
 * Linux's (rcv_window_linux, a 6.18 kernel's windows on the wire, tests/linux/rcv-window-*.pkt):
 * - only a share of the buffer is offered, the rest counted as the memory holding the data
 *   costs (tcp_win_from_space): half at first (scaling_ratio, once tcp_adv_win_scale), then
 *   the share the first full-sized segment shows, its length over the memory it is charged
 *   (rcv_truesize; tcp_measure_rcv_mss);
 * - a SYN offers that share rounded down to the MSS (tcp_select_initial_window);
 * - later windows are at most rcv_ssthresh, which starts at the SYN's window less what a full
 *   buffer reserves for one segment (tcp_init_buffer_space) and grows by two MSS with each
 *   segment while the share has room (tcp_grow_window); rounded up to the scale, and never
 *   smaller than what is left of the window offered last (__tcp_select_window,
 *   tcp_select_window).
 * Not modelled: the buffer's own growth with the application's reading rate (dynamic right-
 * sizing, tcp_rcv_space_adjust), memory pressure, and the queue's collapsing; docs/deviations.md.
 *
 * Entry points: tcp_rcv_window, tcp_rcv_window_select, tcp_rcv_window_start,
 * tcp_rcv_window_data, tcp_initial_window.
 */
#include "tcp_internal.h"

#define TCP_TS_ALIGNED 12      /* a timestamp option with its two NOPs (Linux TCPOLEN_TSTAMP_ALIGNED) */
#define TCP_RATIO_SHIFT 8      /* the share is counted in 256ths (Linux TCP_RMEM_TO_WIN_SCALE) */
#define TCP_RCV_MSS_FIRST 536u /* the peer's segment size before any is seen (TCP_MSS_DEFAULT) */

/* The share of a buffer offered before any segment has shown what holding data costs: from
   tcp_adv_win_scale as Linux counted it before 6.6 (1: half, Linux 6.6's first scaling_ratio;
   0: all of it). */
static uint32_t
tcp_ratio_from_settings(const struct tcp_settings *cfg)
{
    int n = cfg->adv_win_scale;
    uint32_t one = 1u << TCP_RATIO_SHIFT;
    if (n <= 0)
        return n < -(int)TCP_RATIO_SHIFT ? 0 : one >> -n;
    return n > (int)TCP_RATIO_SHIFT ? one : one - (one >> n);
}

/* Linux tcp_win_from_space: the part of 'space' offered as window. */
static inline uint32_t
tcp_win_from_space(uint32_t ratio, uint32_t space)
{
    return (uint32_t)(((uint64_t)space * ratio) >> TCP_RATIO_SHIFT);
}

uint32_t
tcp_initial_window(const struct tcp_settings *cfg, uint32_t buffer, bool synack_ts)
{
    /* Linux tcp_select_initial_window: the share rounded down to a multiple of the MSS, at
       most 65535 (a SYN's window is never scaled, RFC 7323 2.2). A listener rounds to the
       MSS less the 12 octets of a timestamp (tcp_openreq_init_rwin); a client does not (no
       TS.Recent yet). A 131072-octet buffer: SYN 64240, SYN,ACK with timestamps 65160. */
    uint32_t space = tcp_win_from_space(tcp_ratio_from_settings(cfg), buffer);
    uint32_t mss = (uint32_t)cfg->mss;
    if (synack_ts && mss > TCP_TS_ALIGNED)
        mss -= TCP_TS_ALIGNED;
    if (space > mss)
        space -= space % mss;
    return space > 65535u ? 65535u : space;
}

void
tcp_rcv_window_start(struct tcp_conn *c, bool synack_ts)
{
    const struct tcp_settings *cfg = &c->host->cfg;
    c->rcv_ratio = (uint16_t)tcp_ratio_from_settings(cfg);
    c->rcv_ratio_len = 0; /* the share from the settings, not from a segment */
    c->rcv_wnd = tcp_initial_window(cfg, c->rcvq.cap, synack_ts);
    c->rcv_adv = c->rcv_nxt + c->rcv_wnd;
    c->rcv_wnd_idle = false;
    /* Linux tcp_init_buffer_space: the window may grow to the buffer's share less one MSS
       ("force reservation of one segment", tcp_app_win 31), at least two MSS; rcv_ssthresh
       starts at the SYN's window, within that: 64076 for a 131072-octet buffer. */
    uint32_t full = tcp_win_from_space(c->rcv_ratio, c->rcvq.cap);
    uint32_t adv = (uint32_t)cfg->mss;
    c->window_clamp = full > 2 * adv ? (full - adv > 2 * adv ? full - adv : 2 * adv) : full;
    c->rcv_ssthresh = c->rcv_wnd < c->window_clamp ? c->rcv_wnd : c->window_clamp;
}

/* The share of the buffer still free (Linux tcp_space). Linux charges each segment held the
   memory it takes (rcv_truesize), whatever its length: the octets held count as that many of
   the peer's segments. Inlined in its callers: each data segment asks once, and the call
   cost a quarter of the work. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline uint32_t
tcp_rcv_space(const struct tcp_conn *c)
{
    uint32_t held = c->rcvq.len, truesize = (uint32_t)c->host->cfg.rcv_truesize;
    if (truesize > 0 && held > 0) {
        uint32_t seg = c->rcv_mss ? c->rcv_mss : TCP_RCV_MSS_FIRST;
        /* mostly one segment, as it is read */
        uint64_t charged = held <= seg ? truesize : (uint64_t)((held + seg - 1) / seg) * truesize;
        held = charged > c->rcvq.cap ? c->rcvq.cap : (uint32_t)charged;
    }
    return tcp_win_from_space(c->rcv_ratio, c->rcvq.cap - held);
}

uint32_t
tcp_rcv_window_data(struct tcp_conn *c, uint32_t n)
{
    const struct tcp_settings *cfg = &c->host->cfg;
    if (c->rcvq.cap == 0)
        return 0;
    uint32_t seen = c->rcv_mss ? c->rcv_mss : TCP_RCV_MSS_FIRST;
    if (n >= seen && cfg->delayed_ack != TCP_DELACK_LINUX)
        c->rcv_mss = n < (uint32_t)cfg->mss ? n : (uint32_t)cfg->mss; /* else tcp_delack_data did */
    if (cfg->rcv_truesize > 0 && n >= seen &&
        (n != c->rcv_ratio_len || cfg->rcv_truesize != c->rcv_ratio_truesize)) {
        /* Linux tcp_measure_rcv_mss: a full-sized segment shows the share of memory data
           fills; a new share sets the window's new limit (tcp_set_window_clamp): a lower one
           takes rcv_ssthresh down with it, a higher one lets it rise to the window offered.
           Measured again only when the length or the setting differs from the last
           measure's (rcv_ratio_len): a bulk transfer's segments all find the same share. */
        c->rcv_ratio_len = n > UINT16_MAX ? 0 : (uint16_t)n;
        c->rcv_ratio_truesize = cfg->rcv_truesize;
        uint32_t ratio = (n << TCP_RATIO_SHIFT) / (uint32_t)cfg->rcv_truesize;
        if (ratio == 0)
            ratio = 1;
        if (ratio > 255)
            ratio = 255; /* Linux keeps it in a u8 */
        if (ratio != c->rcv_ratio) {
            c->rcv_ratio = (uint16_t)ratio;
            uint32_t clamp = tcp_win_from_space(ratio, c->rcvq.cap);
            if (clamp < c->window_clamp) {
                if (c->rcv_ssthresh > clamp)
                    c->rcv_ssthresh = clamp;
            } else {
                uint32_t up = c->rcv_wnd < clamp ? c->rcv_wnd : clamp;
                if (up > c->rcv_ssthresh)
                    c->rcv_ssthresh = up;
            }
            c->window_clamp = clamp;
        }
    }
    /* Linux tcp_grow_window: while the share has room above rcv_ssthresh, a segment whose
       memory the share covers lets it grow by two MSS (or twice the segment), and is ACKed
       at once to tell the peer (a quick ACK more: icsk_ack.quick |= 1) */
    uint32_t space = tcp_rcv_space(c);
    uint32_t top = c->window_clamp < space ? c->window_clamp : space;
    if (top <= c->rcv_ssthresh || cfg->rcv_truesize <= 0)
        return space;
    uint32_t incr = 0, truesize = tcp_win_from_space(c->rcv_ratio, (uint32_t)cfg->rcv_truesize);
    if (truesize <= n) {
        incr = 2 * (uint32_t)cfg->mss;
    } else {
        /* Linux __tcp_grow_window: a segment small for its memory grows the window only
           while rcv_ssthresh is small against the largest buffer, the smaller the segment
           the smaller */
        uint32_t window = tcp_win_from_space(c->rcv_ratio, (uint32_t)cfg->rmem[2]) >> 1;
        for (truesize >>= 1; c->rcv_ssthresh <= window && truesize > 0; truesize >>= 1, window >>= 1)
            if (truesize <= n) {
                incr = 2 * (c->rcv_mss ? c->rcv_mss : TCP_RCV_MSS_FIRST);
                break;
            }
    }
    if (incr == 0)
        return space;
    if (incr < 2 * n)
        incr = 2 * n;
    uint32_t room = top - c->rcv_ssthresh;
    c->rcv_ssthresh += incr < room ? incr : room;
    c->quickacks |= 1;
    return space;
}

/* Linux __tcp_select_window, for tcp_rcv_window_select and tcp_rcv_window_select_from. Each
   of them has one caller, so that link-time optimization inlines the one per data segment's
   ACK (tcp_ack_text's test) in it: the call cost 7 instructions an ACK. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline uint32_t
tcp_select_window(const struct tcp_conn *c, uint32_t free_space)
{
    /* Linux __tcp_select_window. Below half the limit the window falls to the free share
       (to 0 under a sixteenth of the buffer's share, or under one of the peer's segments);
       above, it is at most rcv_ssthresh, rounded up to a step of the scale so that the shift
       does not take it away; unscaled, it stays what it was while within one segment of the
       free share, else is the free share rounded down to the peer's segment size. */
    if (!c->rcvq.cap)
        return 0;
    uint32_t allowed = tcp_win_from_space(c->rcv_ratio, c->rcvq.cap);
    uint32_t full = c->window_clamp < allowed ? c->window_clamp : allowed;
    uint32_t mss = c->rcv_mss ? c->rcv_mss : TCP_RCV_MSS_FIRST; /* Linux icsk_ack.rcv_mss */
    if (mss > full) {
        mss = full;
        if (mss == 0)
            return 0;
    }
    uint32_t unit = 1u << c->rcv_wscale;
    if (free_space < full / 2) {
        free_space &= ~(unit - 1);
        if (free_space < allowed / 16 || free_space < mss)
            return 0;
    }
    if (free_space > c->rcv_ssthresh)
        free_space = c->rcv_ssthresh;
    if (c->rcv_wscale)
        return (free_space + unit - 1) & ~(unit - 1);
    uint32_t w = c->rcv_wnd;
    if (w + mss <= free_space || w > free_space)
        w = free_space - free_space % mss;
    else if (mss == full && free_space > w + full / 2)
        w = free_space;
    return w;
}

uint32_t
tcp_rcv_window_select(const struct tcp_conn *c)
{
    return tcp_select_window(c, tcp_rcv_space(c));
}

uint32_t
tcp_rcv_window_select_from(const struct tcp_conn *c, uint32_t free_space)
{
    return tcp_select_window(c, free_space);
}

/* Linux tcp_select_window: never less than what is left of the window offered last (RFC 9293
   3.8.6: a receiver "SHOULD NOT shrink the window"), that rounded up to the scale. tcpsim
   holds the octets in its ring alone, so never more than the ring has room for. (The cases
   where nothing has changed since the last window, and the ACK whose window tcp_ack_text
   chose, are tcp_rcv_window_now's, inline.) */
uint32_t
tcp_rcv_window_linux(const struct tcp_conn *c)
{
    uint32_t w = tcp_rcv_window_select(c);
    uint32_t unit = 1u << c->rcv_wscale;
    if (seq_gt(c->rcv_adv, c->rcv_nxt) && w < c->rcv_adv - c->rcv_nxt)
        w = (c->rcv_adv - c->rcv_nxt + unit - 1) & ~(unit - 1);
    return tcp_rcv_window_fit(c, w);
}

uint32_t
tcp_rcv_share(const struct tcp_settings *cfg, uint32_t space)
{
    return tcp_win_from_space(tcp_ratio_from_settings(cfg), space);
}

uint32_t
tcp_rcv_window(const struct tcp_conn *c)
{
    return tcp_rcv_window_now(c);
}
