/*
 * tcp_settings.c - each host's settings, by the names of Linux's /proc/sys/net/ipv4 where
 * Linux has one, and the two presets: `linux` (the kernel's defaults; the default preset) and
 * `rfc` (the RFCs' own figures). One table drives the presets, the Lua `sysctl` table, the
 * REPL's `sysctl` command and completion, and docs/settings.md.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/tcp.h"

#define OFF(field) offsetof(struct tcp_settings, field)

const struct tcp_setting_info tcp_setting_table[] = {
    {"tcp_syn_retries", TCP_SET_INT, OFF(syn_retries), 6, 7, 1, 127,
     "SYN retransmissions before connect() gives up with ETIMEDOUT (Linux: the time 6 doublings from 1 s take, 127 s)",
     "Linux tcp_syn_retries = 6 (6.5 and later, with tcp_syn_linear_timeouts 4: SYNs at 0,1,2,3,4,5,7,11,19,35,67 s, ETIMEDOUT at 131 s; before: 0,1,3,7,15,31,63 s, 127 s); RFC 1122 4.2.3.5: at least 3 minutes"},
    {"tcp_syn_linear_timeouts", TCP_SET_INT, OFF(syn_linear_timeouts), 4, 0, 0, 127,
     "SYN timeouts after which the RTO is not doubled: the first tcp_syn_linear_timeouts + 1 retransmissions go one initial RTO apart, then the backoff doubles",
     "Linux tcp_syn_linear_timeouts = 4 since 6.5 (2023; 0 before, as RFC 6298 5.5 and the textbooks: double every time)"},
    {"tcp_synack_retries", TCP_SET_INT, OFF(synack_retries), 5, 5, 1, 255,
     "SYN,ACK retransmissions before an embryonic connection is dropped",
     "Linux tcp_synack_retries = 5 (1+2+4+8+16+32 = 63 s)"},
    {"tcp_retries1", TCP_SET_INT, OFF(retries1), 3, 3, 1, 255,
     "retransmissions after which the IP layer is advised (R1)", "RFC 1122 4.2.3.5: R1 >= 3; Linux tcp_retries1 = 3"},
    {"tcp_retries2", TCP_SET_INT, OFF(retries2), 15, 15, 1, 255,
     "data retransmissions before the connection gives up with ETIMEDOUT (R2)",
     "Linux tcp_retries2 = 15 (about 924.6 s with RTO min 200 ms); RFC 1122 4.2.3.5: R2 >= 100 s"},
    {"tcp_orphan_retries", TCP_SET_INT, OFF(orphan_retries), 0, -1, -1, 255,
     "R2 for a socket the application has closed (FIN-WAIT-1, CLOSING, LAST-ACK): 0 = 8 while the RTO is below rto_max (else 0); -1 = no limit of its own, tcp_retries2",
     "Linux tcp_orphan_retries = 0, i.e. 8: about 102 s with a 200 ms RTO; the RFCs have no separate limit for closed sockets"},
    {"retries_by_time", TCP_SET_BOOL, OFF(retries_by_time), 1, 0, 0, 1,
     "retry limits are times: give up at the first timeout that comes at least as long after the first transmission as N + 1 RTOs doubling from the base (rto_initial for SYNs, rto_min for data; each at most rto_max) would take; off: after N retransmissions",
     "Linux ip-sysctl.rst tcp_retries2 (its \"hypothetical timeout\", retransmits_timed_out); RFC 9293 3.8.3 lets R1 and R2 be times or counts"},
    {"tcp_early_retrans", TCP_SET_INT, OFF(early_retrans), 3, 0, 0, 4,
     "3 or 4: tail loss probe (RFC 8985 7): no ACK for PTO = 2*SRTT (+200 ms with one segment out; 1 s without SRTT), at most the time left to the RTO: resend the last segment, restart the RTO from there; 0-2: none",
     "Linux tcp_early_retrans = 3 (TLP on; Linux probes only on SACK connections, which two Linux hosts negotiate); RFC 8985 is not part of RFC 9293: 0 in rfc"},
    {"tcp_fin_timeout", TCP_SET_TIME, OFF(fin_timeout), 60, 0, 0, 1e6,
     "how long FIN-WAIT-2 lasts for a socket the application has closed; 0 = forever",
     "Linux tcp_fin_timeout = 60 s (orphaned sockets only); the RFC has no such timeout"},
    {"keepalive", TCP_SET_BOOL, OFF(keepalive), 0, 0, 0, 1,
     "SO_KEEPALIVE for new sockets", "RFC 1122 4.2.3.6: keep-alives MUST default to off"},
    {"tcp_keepalive_time", TCP_SET_TIME, OFF(keepalive_time), 7200, 7200, 0.001, 1e7,
     "idle time before the first keep-alive probe", "Linux tcp_keepalive_time = 7200 s; RFC 1122: >= 2 hours"},
    {"tcp_keepalive_intvl", TCP_SET_TIME, OFF(keepalive_intvl), 75, 75, 0.001, 1e6,
     "time between unanswered keep-alive probes", "Linux tcp_keepalive_intvl = 75 s"},
    {"tcp_keepalive_probes", TCP_SET_INT, OFF(keepalive_probes), 9, 9, 1, 127,
     "unanswered probes before the connection is declared dead", "Linux tcp_keepalive_probes = 9"},
    {"tcp_rfc1337", TCP_SET_BOOL, OFF(rfc1337), 0, 1, 0, 1,
     "TIME-WAIT ignores RST segments (no TIME-WAIT assassination)",
     "Linux tcp_rfc1337 = 0 (an RST ends TIME-WAIT); RFC 1337 recommends ignoring it"},
    {"msl", TCP_SET_TIME, OFF(msl), 30, 120, 0.001, 1e6,
     "maximum segment lifetime; TIME-WAIT lasts 2*msl",
     "RFC 9293 3.4.2: 2 minutes; Linux TCP_TIMEWAIT_LEN = 60 s, i.e. msl 30 s"},
    {"rto_initial", TCP_SET_TIME, OFF(rto_initial), 1, 1, 0.001, 1e4,
     "retransmission timeout before any RTT sample", "RFC 6298 2.1: 1 s; Linux TCP_TIMEOUT_INIT = 1 s"},
    {"rto_min", TCP_SET_TIME, OFF(rto_min), 0.2, 1, 0.001, 1e4,
     "lower bound of the retransmission timeout", "RFC 6298 2.4: 1 s; Linux TCP_RTO_MIN = 200 ms"},
    {"rto_max", TCP_SET_TIME, OFF(rto_max), 120, 60, 0.001, 1e5,
     "upper bound of the retransmission timeout", "RFC 6298 2.5: at least 60 s; Linux TCP_RTO_MAX = 120 s"},
    {"user_timeout", TCP_SET_TIME, OFF(user_timeout), 0, 0, 0, 1e6,
     "give up when data stays unacknowledged this long; 0 = off",
     "RFC 9293 3.8.3 USER TIMEOUT; Linux TCP_USER_TIMEOUT socket option (0 = off)"},
    {"mss", TCP_SET_BYTES, OFF(mss), 1460, 536, 1, 65495,
     "maximum segment size announced on our SYN", "1460 on Ethernet; RFC 9293 3.7.1: default 536"},
    {"tcp_rmem", TCP_SET_TRIPLE, OFF(rmem), 131072, 65535, 1, 1 << 30,
     "receive buffer, \"min default max\" in octets: a connection's buffer holds the default (the window it offers is what is free of it; under rcv_window_linux Linux's share of it, tcp_adv_win_scale, rcv_truesize); the window scale is the smallest that lets the max be offered (Linux tcp_select_initial_window); rcv_buf names the default",
     "Linux tcp_rmem = 4096 131072 33554432 (a 6.18 namespace: wscale 10); the default grows with Linux's receive autotuning, tcpsim's does not; rfc: 4096 65535 65535, the largest window without RFC 7323"},
    {"tcp_wmem", TCP_SET_TRIPLE, OFF(wmem), 262144, 262144, 1, 1 << 26,
     "send buffer, \"min default max\" in octets: send() queues at most the default; snd_buf names it",
     "Linux tcp_wmem = 4096 16384 4194304, whose 16 KiB default autotuning grows within the first round trips; tcpsim has no autotuning and starts at 256 KiB: 4096 262144 4194304 in both presets"},
    {"tcp_adv_win_scale", TCP_SET_INT, OFF(adv_win_scale), 1, 0, -31, 31,
     "the share of the receive buffer offered as window, the rest counted as the overhead of holding the data (Linux tcp_win_from_space): > 0: buffer - buffer/2^n (1: half); <= 0: buffer/2^-n (0: all of it)",
     "Linux tcp_adv_win_scale = 1 (obsolete since 6.6, whose default scaling_ratio is the same half: a 6.18 SYN offers 64240 of a 131072 buffer); RFC 9293 3.8.6: the window is the free buffer: 0 in rfc"},
    {"rcv_window_linux", TCP_SET_BOOL, OFF(rcv_window_linux), 1, 0, 0, 1,
     "choose the window offered as Linux does: the SYN's rounded down to the MSS (less 12 on a SYN,ACK with timestamps), at most rcv_ssthresh (the initial window, less one MSS of the buffer's share), rounded up to the scale, never shrinking (off: the free buffer's share, rounded down to the scale)",
     "Linux tcp_select_initial_window, tcp_init_buffer_space, __tcp_select_window, tcp_select_window (a 6.18 kernel: SYN win 64240, SYN,ACK 65160, first ACK 63 at wscale 10); RFC 9293 3.8.6: 0 in rfc"},
    {"rcv_truesize", TCP_SET_BYTES, OFF(rcv_truesize), 2304, 0, 0, 65536,
     "memory charged to a received segment of up to one MSS (Linux skb->truesize): the first full-sized segment sets the share of the buffer offered to its length / this (Linux scaling_ratio, tcp_measure_rcv_mss); the window then grows by 2 MSS a segment up to that share (tcp_grow_window); 0: the share stays tcp_adv_win_scale's",
     "Linux 6.18 on packetdrill's tun device: 2304 for 1000- and 1460-octet segments (a 2 KiB buffer and the sk_buff), measured from the windows (tests/linux/rcv-window-*.pkt); a NIC's driver gives its own; RFC 9293 has no such accounting: 0 in rfc"},
    {"tcp_window_scaling", TCP_SET_BOOL, OFF(window_scaling), 1, 0, 0, 1,
     "offer window scaling on SYNs and accept the peer's (RFC 7323 2): windows above 64 KiB",
     "Linux tcp_window_scaling = 1; RFC 9293 has only the 16-bit window (rfc: off)"},
    {"tcp_timestamps", TCP_SET_BOOL, OFF(timestamps), 1, 0, 0, 1,
     "offer timestamps on SYNs and accept the peer's (RFC 7323 3-5): TSval on every segment, RTT from the echo, PAWS",
     "Linux tcp_timestamps = 1 (with a random offset per address pair); rfc: off"},
    {"tcp_sack", TCP_SET_BOOL, OFF(sack), 1, 0, 0, 1,
     "offer SACK-permitted on SYNs and accept the peer's (RFC 2018)",
     "Linux tcp_sack = 1; rfc: off"},
    {"tcp_tw_reuse", TCP_SET_INT, OFF(tw_reuse), 2, 0, 0, 2,
     "connect() may take a port pair a TIME-WAIT holds, when both used timestamps and the last one came more than 1 s ago: 0 never, 1 always, 2 loopback only (tcpsim's hosts are never loopback: as 0)",
     "Linux tcp_tw_reuse = 2 (since 4.19; tcp_twsk_unique); RFC 9293 has TIME-WAIT hold the pair for 2 MSL"},
    {"isn", TCP_SET_ISN, OFF(isn), -1, -1, -1, 4294967295.0,
     "initial sequence number for new connections; -1 = from the seeded PRNG",
     "RFC 9293 3.4.1 (clock-driven) and RFC 6528 (keyed hash); tcpsim uses its seeded PRNG"},
    {"backlog", TCP_SET_INT, OFF(backlog), 128, 5, 1, 65535,
     "default listen backlog", "128, the backlog applications commonly pass (Linux caps it at somaxconn: 4096 since 5.4, 128 before); BSD's classic 5"},
    {"somaxconn", TCP_SET_INT, OFF(somaxconn), 4096, 4096, 1, 65535,
     "listen() caps its backlog at this", "Linux net.core.somaxconn = 4096 (since 5.4; 128 before); the RFC has no backlog"},
    {"tcp_syncookies", TCP_SET_INT, OFF(syncookies), 1, 0, 0, 2,
     "answer SYNs with SYN cookies: 0 never, 1 when the SYN queue is full, 2 always",
     "Linux tcp_syncookies = 1; SYN cookies: RFC 4987 3.6 (the rfc preset has none)"},
    {"tcp_max_syn_backlog", TCP_SET_INT, OFF(max_syn_backlog), 2048, 2048, 1, 1e6,
     "with tcp_syncookies 0, a SYN is dropped when fewer than a quarter of this many places are left in the SYN queue",
     "Linux tcp_max_syn_backlog = 2048 (a 6.18 namespace; scaled with memory at boot); tcp_conn_request uses it only without cookies"},
    {"port_lo", TCP_SET_INT, OFF(port_lo), 32768, 49152, 1024, 65535,
     "first ephemeral port", "Linux ip_local_port_range = 32768 60999; IANA 49152-65535"},
    {"port_hi", TCP_SET_INT, OFF(port_hi), 60999, 65535, 1024, 65535,
     "last ephemeral port", "Linux ip_local_port_range = 32768 60999; IANA 49152-65535"},
    {"nofile", TCP_SET_INT, OFF(nofile), 1048576, 1048576, 1, 1e8,
     "sockets the host's program may hold open at once (RLIMIT_NOFILE, ulimit -n): past it listen(), connect() and accept() fail with EMFILE; a socket counts from the call that made it until close or abort",
     "Linux fs.nr_open = 1048576, the highest ulimit -n a server can raise its limit to (a login shell's soft limit is 1024); the RFC has no such limit"},
    {"tcp_max_tw_buckets", TCP_SET_INT, OFF(max_tw_buckets), 131072, 1e9, 0, 1e9,
     "TIME-WAIT connections the host keeps at most: past it a closing connection skips TIME-WAIT and closes at once (rule TIME_WAIT_OVERFLOW, Linux's \"time wait bucket table overflow\")",
     "Linux tcp_max_tw_buckets = 131072 (a 6.18 namespace on a 24 GiB machine; the kernel scales it with memory at boot); the RFC keeps every TIME-WAIT (rfc: 10^9, no limit in practice)"},
    {"tcp_invalid_ratelimit", TCP_SET_TIME, OFF(invalid_ratelimit), 0.5, 0.5, 0, 1e4,
     "at most one ACK per this interval, per connection, in answer to unacceptable segments without data and as challenge ACKs (no ACK storms); 0 = off",
     "Linux tcp_invalid_ratelimit = 500 ms; RFC 5961 7 asks challenge ACKs to be rate-limited"},
    {"tcp_challenge_ack_limit", TCP_SET_INT, OFF(challenge_ack_limit), 2147483647, 2147483647, 1, 2147483647,
     "challenge ACKs a host sends per second, all connections together, after tcp_invalid_ratelimit; 2147483647 = no host-wide limit",
     "Linux tcp_challenge_ack_limit = 2147483647 (off) since 6.0, 1000 from 4.7, 100 before; RFC 5961 7 leaves the figures to the implementation"},
    {"tw_reuse_syn", TCP_SET_BOOL, OFF(tw_reuse_syn), 1, 1, 0, 1,
     "TIME-WAIT accepts a new SYN whose SEQ is above the old RCV.NXT (a new incarnation, ISS = old SND.NXT + 65537)",
     "RFC 9293 3.6.1 (MAY-2) and RFC 6191; Linux and BSD do this (Linux tcp_timewait_state_process: ISS = old SND.NXT + 65537)"},
    {"tw_reopen_restore", TCP_SET_BOOL, OFF(tw_reopen_restore), 0, 1, 0, 1,
     "a TIME-WAIT reopened by a SYN waits aside until the new connection is established, and goes on if that SYN proves an old duplicate (reset or unanswered); 0 = deleted at once",
     "RFC 9293 3.6.1 MAY-2 (2): \"returns to TIME-WAIT state if the SYN turns out to be an old duplicate\"; Linux deletes the timewait socket at once (tcp_v4_rcv, TCP_TW_SYN)"},
    {"tw_linux", TCP_SET_BOOL, OFF(tw_linux), 1, 0, 0, 1,
     "TIME-WAIT answers as Linux does: any non-RST segment with the ACK bit restarts 2MSL, an empty one at RCV.NXT silently, the rest get an ACK; an RST not at RCV.NXT is dropped; 0 = RFC 9293 3.10.7.4 step by step",
     "Linux tcp_timewait_state_process (checked on a 6.18 kernel); RFC 9293 3.10.7.4 restarts 2MSL only for a retransmitted FIN and RFC 5961 3.2 challenges an RST in the window"},
    {"delayed_ack", TCP_SET_INT, OFF(delayed_ack), 2, 0, 0, 2,
     "delay the ACK of in-order data: 0 ACK each segment at once; 1 RFC 1122: an ACK for every second full-sized segment, the rest after delack_timeout; 2 Linux: the first 16 segments ACKed at once (quick ACKs), then an ACK for every second full-sized segment while the application keeps up, the rest after an adaptive timeout; a FIN in ESTABLISHED waits too",
     "Linux always delays (tcp_input.c __tcp_ack_snd_check; checked on 6.18, tests/linux/delack-*.pkt); RFC 9293 3.8.6.3 and RFC 1122 4.2.3.2: SHOULD; off in rfc, whose figures ACK each segment at once"},
    {"header_prediction", TCP_SET_BOOL, OFF(header_prediction), 1, 1, 0, 1,
     "take the fast path for an ACK of new data or the next in-order data in ESTABLISHED; traces are the same either way (off: every segment goes through all of 3.10.7.4, and no segment is kept by the receive queue)",
     "Van Jacobson's header prediction (1990), as in BSD and Linux (tcp_rcv_established)"},
    {"delack_timeout", TCP_SET_TIME, OFF(delack_timeout), 0.04, 0.2, 0.001, 0.5,
     "the delay of a held-back ACK under delayed_ack 1; under 2 the ACK timeout's start and floor, from which it adapts (at most the SRTT and 200 ms)",
     "Linux TCP_ATO_MIN = TCP_DELACK_MIN = 40 ms (TCP_DELACK_MAX = 200 ms); RFC 1122 4.2.3.2: under 0.5 s (BSD's 200 ms)"},
    {"active_reset_ack", TCP_SET_BOOL, OFF(active_reset_ack), 1, 0, 0, 1,
     "the resets a connection sends on its own (CLOSE with unread data, ABORT, a closed listener's unaccepted connections, keep-alive giving up) carry ACK: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> with the current window; off: <SEQ=SND.NXT><CTL=RST>, window 0",
     "Linux tcp_send_active_reset (TCPHDR_ACK | TCPHDR_RST; RST,ACK on a 6.18 kernel); RFC 9293 3.10.5: <SEQ=SND.NXT><CTL=RST>"},
    {"close_wait_rst_epipe", TCP_SET_BOOL, OFF(close_wait_rst_epipe), 1, 0, 0, 1,
     "a RST in CLOSE-WAIT is reported to the application as EPIPE (broken pipe), not ECONNRESET",
     "Linux tcp_reset (\"case TCP_CLOSE_WAIT: err = EPIPE\"; a 6.18 kernel's write() got EPIPE); RFC 9293 3.10.7.4: \"connection reset\""},
    {"tcp_dsack", TCP_SET_BOOL, OFF(dsack), 1, 0, 0, 1,
     "on a SACK connection, report a duplicate segment in the first SACK block of the ACK that answers it (D-SACK)",
     "Linux tcp_dsack = 1; RFC 2883 extends RFC 2018, which RFC 9293 does not include: 0 in rfc"},
    {"tcp_recovery", TCP_SET_INT, OFF(recovery), 1, 0, 0, 1,
     "how a SACK sender finds lost segments: 1 RACK (RFC 8985) as Linux: a hole is lost once 3 segments are SACKed or after a quarter of the smallest RTT, and in recovery at once; 0 RFC 6675 IsLost: once more than 2 segments' worth is SACKed above it",
     "Linux tcp_recovery = 1 (RACK loss detection); RFC 6675 is the RFC's SACK loss recovery: 0 in rfc"},
    {"synsent_bad_ack_resend", TCP_SET_TIME, OFF(synsent_bad_ack_resend), 0.008, 0, 0, 10,
     "in SYN-SENT, a segment with an unacceptable ACK (a RST or not) that comes before any retransmission sends the SYN again this soon, as the peer may have missed it; 0 = off (the retransmission timer runs on)",
     "Linux tcp_rcv_synsent_state_process: TCP_TIMEOUT_MIN, 2 jiffies, 8 ms at HZ 250 (a 6.18 kernel resent its SYN 9 ms after a RST,ACK with a bad ACK); RFC 9293 3.10.7.3 only drops the segment or answers with a reset"},
};
const size_t tcp_setting_count = sizeof tcp_setting_table / sizeof tcp_setting_table[0];

/* The triples' presets, [linux, rfc], as the source column above gives them. */
static const struct {
    size_t offset;
    int v[2][3];
} tcp_setting_triples[] = {
    {OFF(rmem), {{4096, 131072, 33554432}, {4096, 65535, 65535}}},
    {OFF(wmem), {{4096, 262144, 4194304}, {4096, 262144, 4194304}}},
};

const int *
tcp_setting_preset3(const struct tcp_setting_info *info, enum tcp_preset p)
{
    for (size_t i = 0; info->kind == TCP_SET_TRIPLE && i < sizeof tcp_setting_triples / sizeof tcp_setting_triples[0]; i++)
        if (tcp_setting_triples[i].offset == info->offset)
            return tcp_setting_triples[i].v[p == TCP_PRESET_RFC];
    return NULL;
}

static const struct {
    const char *alias, *name;
} tcp_setting_aliases[] = {
    {"rfc1337", "tcp_rfc1337"}, {"syn_retries", "tcp_syn_retries"},
    {"synack_retries", "tcp_synack_retries"}, {"retries1", "tcp_retries1"},
    {"retries2", "tcp_retries2"}, {"fin_timeout", "tcp_fin_timeout"},
    {"tcp_keepalive", "keepalive"}, {"rcv_buf", "tcp_rmem"}, {"snd_buf", "tcp_wmem"},
};

const struct tcp_setting_info *
tcp_setting_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof tcp_setting_aliases / sizeof tcp_setting_aliases[0]; i++)
        if (strcmp(name, tcp_setting_aliases[i].alias) == 0)
            name = tcp_setting_aliases[i].name;
    for (size_t i = 0; i < tcp_setting_count; i++)
        if (strcmp(name, tcp_setting_table[i].name) == 0)
            return &tcp_setting_table[i];
    return NULL;
}

double
tcp_setting_get(const struct tcp_settings *s, const struct tcp_setting_info *info)
{
    const char *base = (const char *)s + info->offset;
    switch (info->kind) {
    case TCP_SET_INT:
    case TCP_SET_BOOL:
    case TCP_SET_BYTES: {
        int v;
        memcpy(&v, base, sizeof v);
        return v;
    }
    case TCP_SET_TIME: {
        clk_time v;
        memcpy(&v, base, sizeof v);
        return clk_to_sec(v);
    }
    case TCP_SET_ISN: {
        int64_t v;
        memcpy(&v, base, sizeof v);
        return (double)v;
    }
    case TCP_SET_TRIPLE: {
        int v[3];
        memcpy(v, base, sizeof v);
        return v[1];
    }
    }
    return 0;
}

enum tcp_err
tcp_setting_set3(struct tcp_settings *s, const struct tcp_setting_info *info, const int v[3])
{
    for (int i = 0; i < 3; i++)
        if (!(v[i] >= info->min && v[i] <= info->max))
            return TCP_EINVAL;
    if (v[0] > v[1] || v[1] > v[2])
        return TCP_EINVAL;
    memcpy((char *)s + info->offset, v, 3 * sizeof v[0]);
    return TCP_OK;
}

enum tcp_err
tcp_setting_parse(struct tcp_settings *s, const struct tcp_setting_info *info, const char *text)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text)
        return TCP_EINVAL;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end == '\0')
        return tcp_setting_set(s, info, v);
    if (info->kind != TCP_SET_TRIPLE)
        return TCP_EINVAL;
    int t[3];
    const char *p = text;
    for (int i = 0; i < 3; i++) {
        long n = strtol(p, &end, 10);
        if (end == p || n < 0 || n > 0x7fffffffL)
            return TCP_EINVAL;
        t[i] = (int)n;
        p = end;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    return *p ? TCP_EINVAL : tcp_setting_set3(s, info, t);
}

const char *
tcp_setting_str(const struct tcp_settings *s, const struct tcp_setting_info *info, char *buf, size_t cap)
{
    if (info->kind == TCP_SET_TRIPLE) {
        int v[3];
        memcpy(v, (const char *)s + info->offset, sizeof v);
        snprintf(buf, cap, "%d %d %d", v[0], v[1], v[2]);
    } else {
        snprintf(buf, cap, "%g", tcp_setting_get(s, info));
    }
    return buf;
}

enum tcp_err
tcp_setting_set(struct tcp_settings *s, const struct tcp_setting_info *info, double v)
{
    if (!(v >= info->min && v <= info->max))
        return TCP_EINVAL;
    char *base = (char *)s + info->offset;
    switch (info->kind) {
    case TCP_SET_INT:
    case TCP_SET_BYTES: {
        if (v != (double)(int)v)
            return TCP_EINVAL;
        int iv = (int)v;
        memcpy(base, &iv, sizeof iv);
        break;
    }
    case TCP_SET_BOOL: {
        int iv = v != 0;
        memcpy(base, &iv, sizeof iv);
        break;
    }
    case TCP_SET_TIME: {
        clk_time t = clk_from_sec(v);
        memcpy(base, &t, sizeof t);
        break;
    }
    case TCP_SET_ISN: {
        if (v != (double)(int64_t)v)
            return TCP_EINVAL;
        int64_t iv = (int64_t)v;
        memcpy(base, &iv, sizeof iv);
        break;
    }
    case TCP_SET_TRIPLE: {
        /* the default alone (rcv_buf = 1000): min and max widen to hold it if they must */
        if (v != (double)(int)v)
            return TCP_EINVAL;
        int t[3];
        memcpy(t, base, sizeof t);
        t[1] = (int)v;
        if (t[0] > t[1])
            t[0] = t[1];
        if (t[2] < t[1])
            t[2] = t[1];
        memcpy(base, t, sizeof t);
        break;
    }
    }
    return TCP_OK;
}

void
tcp_settings_preset(struct tcp_settings *s, enum tcp_preset p)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < tcp_setting_count; i++) {
        const struct tcp_setting_info *info = &tcp_setting_table[i];
        const int *three = tcp_setting_preset3(info, p);
        if (three)
            (void)tcp_setting_set3(s, info, three);
        else
            (void)tcp_setting_set(s, info, p == TCP_PRESET_RFC ? info->rfc_value : info->linux_value);
    }
}

int
tcp_preset_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "linux") == 0)
        return TCP_PRESET_LINUX;
    if (strcmp(name, "rfc") == 0)
        return TCP_PRESET_RFC;
    return -1;
}
