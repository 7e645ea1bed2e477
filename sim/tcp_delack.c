/*
 * tcp_delack.c - Linux's delayed ACK (the delayed_ack setting's value TCP_DELACK_LINUX, the
 * linux preset's default). RFC 9293 §3.8.6.3 and RFC 1122 4.2.3.2 say a TCP SHOULD delay the
 * ACK of in-order data, by less than 0.5 s, and SHOULD send one for at least every second
 * full-sized segment; tcp_ack_text (tcp_input.c) does that as written for delayed_ack 1.
 * Linux refines it, and a capture shows the refinements (checked on 6.18.44 with the
 * packetdrill scripts tests/linux/delack-*.pkt):
 *
 *   quick ACKs     the first segments of a connection are ACKed at once, so that the peer's
 *                  slow start is not held back: as many as half the window holds full-sized
 *                  segments, at most 16 (TCP_MAX_QUICKACKS); again after a silence longer
 *                  than the RTO, or when data we have ACKed arrives again
 *   two segments   more than one full-sized segment unacknowledged is ACKed at once only if
 *                  the window we would offer is no smaller than the last one offered (the
 *                  application keeps up); else the application's next read sends the ACK
 *   interactive    after the peer's FIN, or when we send data soon after data arrived, ACKs
 *                  wait for our own segment to carry them (no quick ACKs); the timer's
 *                  expiry ends that
 *   the timeout    the ACK timeout (ATO) starts at delack_timeout (40 ms), follows the time
 *                  between segments, doubles each time the timer sends the ACK, and the
 *                  delay is at most the SRTT and 200 ms
 *
 * The variables are the TCB's quickacks, interactive, ato, data_rcvd_at, rcv_mss and
 * ack_pushed (tcp.h), named after Linux's icsk_ack fields.
 */
#include "tcp_internal.h"

/* Linux include/net/tcp.h: quick ACKs at most, the longest delay, and its first guess at the
   peer's segment size (the default MSS) and the smallest it allows. */
#define TCP_MAX_QUICKACKS 16u
#define TCP_DELACK_MAX CLK_MSEC(200)
#define TCP_MSS_DEFAULT 536u
#define TCP_MIN_MSS 88u

static inline uint32_t
tcp_min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* Quick ACKs for a window: as many as it holds pairs of full-sized segments, 2 at least, 16
   at most; never fewer than are left (Linux tcp_incr_quickack). */
static void
tcp_delack_more_quickacks(struct tcp_conn *c)
{
    uint32_t q = c->rcv_wnd / (2 * c->rcv_mss);
    if (q == 0)
        q = 2;
    q = tcp_min_u32(q, TCP_MAX_QUICKACKS);
    if ((int)q > c->quickacks)
        c->quickacks = (int)q;
}

void
tcp_delack_data(struct tcp_conn *c, uint32_t n, bool psh)
{
    const struct tcp_settings *s = &c->host->cfg;
    clk_time now = tcp_now(c);
    if (c->ato == 0) {
        /* The first data. Linux's first guess at the peer's segment size is small (the
           default MSS, at most half the window: tcp_initialize_rcv_mss); segments teach it. */
        uint32_t guess = tcp_min_u32(tcp_min_u32((uint32_t)s->mss, c->snd_mss), c->rcv_wnd / 2);
        guess = tcp_min_u32(guess, TCP_MSS_DEFAULT);
        c->rcv_mss = guess > TCP_MIN_MSS ? guess : TCP_MIN_MSS;
    }
    /* A segment at least as large as the guess is full-sized, and the guess follows it, up to
       our MSS. A smaller one, or one with PSH, was pushed: the application's read that takes
       it may send the ACK (Linux tcp_measure_rcv_mss). */
    if (n >= c->rcv_mss) {
        c->rcv_mss = tcp_min_u32(n, (uint32_t)s->mss);
        if (psh && c->ack_pushed == 0)
            c->ack_pushed = 1;
    } else {
        c->ack_pushed = c->ack_pushed > 0 ? 2 : 1;
    }
    /* The ACK timeout follows the time between segments (Linux tcp_event_data_recv). */
    clk_time ato_min = s->delack_timeout;
    if (c->ato == 0) {
        tcp_delack_more_quickacks(c);
        c->ato = ato_min;
    } else {
        clk_time m = now - c->data_rcvd_at;
        /* halved as Linux halves them (>> 1): times here are never negative, and a shift
           is one instruction where a signed division by 2 is three */
        if (m <= ato_min >> 1) {
            c->ato = (c->ato >> 1) + (ato_min >> 1);
        } else if (m < c->ato) {
            c->ato = (c->ato >> 1) + m;
            if (c->ato > c->rto)
                c->ato = c->rto;
        } else if (m > c->rto) {
            /* a silence longer than the RTO: the peer starts anew, as after a handshake */
            tcp_note(c->host, c, TCP_RULE_ACK_QUICK_AGAIN);
            tcp_delack_more_quickacks(c);
        }
    }
    c->data_rcvd_at = now;
}

void
tcp_delack_hold(struct tcp_conn *c, bool held)
{
    const struct tcp_settings *s = &c->host->cfg;
    /* A grown ACK timeout is cut to the round-trip time (an ACK later than that would slow
       the peer down) and to 200 ms (Linux tcp_send_delayed_ack). */
    clk_time delay = c->ato;
    if (delay > s->delack_timeout) {
        if (c->srtt > 0) {
            clk_time rtt = c->srtt > s->delack_timeout ? c->srtt : s->delack_timeout;
            if (delay > rtt)
                delay = rtt;
        }
        clk_time max = s->delack_timeout > TCP_DELACK_MAX ? s->delack_timeout : TCP_DELACK_MAX;
        if (delay > max)
            delay = max;
    }
    if (held && tcp_timer_armed(c, TCP_TIMER_DELACK)) {
        clk_time left = tcp_timer_ev(c, TCP_TIMER_DELACK)->when - tcp_now(c);
        /* The timer is about to expire: less than a quarter of the delay left (Linux counts
           in 4 ms ticks, so that a quarter of 40 ms is 8 ms there: strictly less here). */
        if (left < delay >> 2) { /* Linux: ato >> 2 */
            tcp_send_ack(c);
            return;
        }
        if (left <= delay)
            return; /* the earlier expiry stands */
    }
    tcp_timer_arm(c, TCP_TIMER_DELACK, delay);
}

void
tcp_delack_interactive(struct tcp_conn *c)
{
    if (!c->interactive)
        tcp_note(c->host, c, TCP_RULE_ACK_INTERACTIVE);
    c->interactive = true;
}

void
tcp_delack_quick_again(struct tcp_conn *c)
{
    tcp_note(c->host, c, TCP_RULE_ACK_QUICK_AGAIN);
    if (c->rcv_mss == 0)
        c->rcv_mss = TCP_MSS_DEFAULT; /* before any data: Linux's first guess */
    tcp_delack_more_quickacks(c);
    c->interactive = false;
    c->ato = c->host->cfg.delack_timeout;
}

void
tcp_delack_data_sent(struct tcp_conn *c)
{
    /* Our data within the ACK timeout of the peer's: a request answered, the connection is
       interactive (Linux tcp_event_data_sent, tcp_pingpong_thresh 1). */
    if (tcp_now(c) - c->data_rcvd_at < c->ato && !c->interactive)
        tcp_delack_interactive(c);
}

void
tcp_delack_read(struct tcp_conn *c)
{
    /* Linux tcp_cleanup_rbuf: more than one full-sized segment unacknowledged (the ACK a
       lagging application held back), or a read that empties the buffer of a small or pushed
       segment, on a connection that is not interactive (of two such segments, even then). */
    bool emptied = c->rcvq.len == 0 && c->ooo == NULL;
    if (c->ack_owed > c->rcv_mss
        || (emptied && (c->ack_pushed >= 2 || (c->ack_pushed == 1 && !c->interactive)))) {
        tcp_note(c->host, c, TCP_RULE_ACK_ON_READ);
        tcp_send_ack(c);
    }
}

void
tcp_delack_timeout(struct tcp_conn *c)
{
    /* The timer sent the ACK: the peer waited. On an interactive connection the reply did not
       come: it is interactive no more. Otherwise the timeout was too short for the peer's
       rhythm: double it, up to the RTO (Linux tcp_delack_timer_handler). */
    if (c->interactive) {
        c->interactive = false;
        c->ato = c->host->cfg.delack_timeout;
    } else {
        c->ato *= 2;
        if (c->ato > c->rto)
            c->ato = c->rto;
    }
}
