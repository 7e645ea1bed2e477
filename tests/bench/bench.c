/*
 * bench.c - `make bench`: how fast the simulator moves segments, measured on the wall clock
 * (the one place in tcpsim that reads it: the benchmark measures the engine, it is not part
 * of it).
 *
 *   bench transfer BYTES LOSS [RUNS] [copy]
 *                               a bulk transfer A -> B, RUNS times (default 1); prints a JSON
 *                               line with the fastest run. The sender queues its octets with
 *                               zero-copy sends (as iperf3 -Z does; ns-3's BulkSend has no
 *                               octets to copy at all), or with copying sends given 'copy'
 *   bench scenario FILE [RUNS]  run a Lua scenario RUNS times (default 5) in this process, as
 *                               `tcpsim test` runs it (default limits, its own event log);
 *                               prints a JSON line with the fastest run's wall time, so the
 *                               figure is the simulation's, not a process start-up's
 *
 * The transfer: MSS 1460, 5 ms one-way delay, the largest window without window scaling
 * (65535), delayed ACKs as Linux sends them (16 quick ACKs, then one per two segments; ns-3
 * sends one per two segments), the receiver reading as data arrives (and throwing it away:
 * MSG_TRUNC). Payload is not checked byte by byte here
 * (tests/test_transfer.c does that); the byte count and the final state are.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "tcpsim/lsim.h"
#include "tcpsim/tcpsim.h"

static double
bench_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
bench_peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

struct bench_result {
    double wall, virtual_s;
    long long received;
    uint64_t data_segs, retransmits, events;
};

/* What the sender writes, over and over (filled once, outside the measured functions): a
   megabyte, like a file a server sends, so that the zero-copy sends of one pass through it
   join into one extent of the send queue (a segment that spans two passes is sent from a
   copy). */
struct bench_pattern {
    uint8_t bytes[1 << 20];
};

static int
bench_transfer_once(long long total, double loss, uint64_t seed, bool zerocopy,
                    const struct bench_pattern *pat, struct bench_result *res)
{
    const uint8_t *pattern = pat->bytes;
    struct world_config cfg = {.seed = seed, .preset = TCP_PRESET_LINUX};
    struct world *w = world_new(&cfg);
    if (!w)
        return 1;
    for (int i = 0; i < 2; i++) {
        w->wire.link[i].delay = CLK_MSEC(5);
        w->wire.link[i].loss = loss;
        w->host[i].cfg.mss = 1460;
        w->host[i].cfg.rmem[1] = 65535;
        w->host[i].cfg.delayed_ack = TCP_DELACK_LINUX; /* the linux preset's: quick ACKs, then one per two segments */
    }
    struct tcp_conn *l, *c, *s = NULL;
    if (tcp_open_passive(&w->host[1], 80, NULL, &l) != TCP_OK
        || tcp_open_active(&w->host[0], w->host[1].addr, 80, NULL, &c) != TCP_OK)
        return 1;
    while (!s && world_step(w))
        tcp_accept(l, &s);
    if (!s)
        return 1;
    long long sent = 0, rcvd = 0;
    uint64_t steps0 = w->steps;
    double t0 = bench_wall();
    /* The application is what a poll(2) loop on Linux would be. It writes all it can when
       poll reports the socket writable, which Linux does once the free space in the send
       buffer is at least half of what is queued (sk_stream_min_wspace: a third of the
       buffer), and it reads when data is waiting (from one octet: SO_RCVLOWAT), throwing
       the data away (MSG_TRUNC): a bulk sink, like ns-3's PacketSink. */
    while (rcvd < total) {
        uint32_t room = tcp_writable(c);
        if (sent < total && room > 0 && room >= c->sndq.len / 2) {
            size_t off = (size_t)(sent % (long long)sizeof pat->bytes);
            size_t n = sizeof pat->bytes - off;
            if ((long long)n > total - sent)
                n = (size_t)(total - sent);
            size_t q = 0;
            /* The pattern never changes, so the zero-copy sender need not wait for
               tcp_zerocopy_done() before it sends the same memory again. */
            if (zerocopy)
                tcp_send_zerocopy(c, pattern + off, n, &q);
            else
                tcp_send(c, pattern + off, n, &q);
            sent += (long long)q;
        }
        if (!world_step(w))
            break;
        size_t got;
        if (tcp_readable(s) > 0 && tcp_receive(s, NULL, tcp_readable(s), &got) == TCP_OK)
            rcvd += (long long)got;
        if (c->state == TCP_CLOSED)
            break;
    }
    res->wall = bench_wall() - t0;
    res->received = rcvd;
    res->data_segs = c->segs_sent;
    res->retransmits = c->total_retransmits;
    res->events = w->steps - steps0;
    res->virtual_s = clk_to_sec(world_now(w));
    world_free(w);
    return rcvd == total ? 0 : 1;
}

/* The transfer 'runs' times; the fastest run is reported (the others only saw more noise from
   the machine: every run does exactly the same work). Not inlined, so that callgrind can count
   this function alone (--toggle-collect), without the process's start-up (the dynamic loader
   resolving Lua and readline). */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static int
bench_transfer(long long total, double loss, uint64_t seed, int runs, bool zerocopy,
               const struct bench_pattern *pat)
{
    struct bench_result best = {0}, r;
    for (int i = 0; i < runs; i++) {
        if (bench_transfer_once(total, loss, seed, zerocopy, pat, &r) != 0)
            return 1;
        if (i == 0 || r.wall < best.wall)
            best = r;
    }
    printf("{\"bench\":\"transfer\",\"send\":\"%s\",\"bytes\":%lld,\"loss\":%.3f,\"runs\":%d,\"received\":%lld,"
           "\"data_segments\":%llu,\"retransmits\":%llu,\"events\":%llu,\"wall_s\":%.6f,\"virtual_s\":%.3f,"
           "\"segments_per_s\":%.0f,\"events_per_s\":%.0f,\"peak_rss_kb\":%ld}\n",
           zerocopy ? "zerocopy" : "copy", total, loss, runs, best.received, (unsigned long long)best.data_segs,
           (unsigned long long)best.retransmits, (unsigned long long)best.events, best.wall, best.virtual_s,
           (double)best.data_segs / best.wall, (double)best.events / best.wall, bench_peak_rss_kb());
    return 0;
}

static int
bench_scenario(const char *path, int runs)
{
    double best = -1;
    double virtual_s = 0;
    unsigned long long events = 0;
    enum lsim_status st = LSIM_FAILED;
    for (int i = 0; i < runs; i++) {
        struct lsim_opts o = LSIM_OPTS_DEFAULT;
        struct lsim *l = lsim_new(&o);
        if (!l)
            return 1;
        double t0 = bench_wall();
        if (lsim_load(l, path) != 0) {
            fprintf(stderr, "bench: %s\n", lsim_message(l));
            lsim_free(l);
            return 1;
        }
        do
            st = lsim_resume(l, LSIM_FOREVER);
        while (st == LSIM_PAUSED || st == LSIM_RUNNING);
        double wall = bench_wall() - t0;
        if (best < 0 || wall < best)
            best = wall;
        struct world *w = lsim_world(l);
        virtual_s = clk_to_sec(world_now(w));
        events = (unsigned long long)w->steps;
        lsim_free(l);
    }
    printf("{\"bench\":\"scenario\",\"file\":\"%s\",\"status\":\"%s\",\"runs\":%d,\"wall_us\":%.1f,"
           "\"virtual_s\":%.6f,\"events\":%llu,\"virtual_s_per_wall_s\":%.0f,\"peak_rss_kb\":%ld}\n",
           path, lsim_status_name(st), runs, best * 1e6, virtual_s, events, best > 0 ? virtual_s / best : 0.0,
           bench_peak_rss_kb());
    return st == LSIM_DONE ? 0 : 1;
}

int
main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "transfer") == 0) {
        static struct bench_pattern pat;
        for (size_t i = 0; i < sizeof pat.bytes; i++)
            pat.bytes[i] = (uint8_t)(i * 131u);
        bool zerocopy = !(argc >= 6 && strcmp(argv[5], "copy") == 0);
        return bench_transfer(atoll(argv[2]), argc >= 4 ? atof(argv[3]) : 0.0, 1,
                              argc >= 5 && atoi(argv[4]) > 0 ? atoi(argv[4]) : 1, zerocopy, &pat);
    }
    if (argc >= 3 && strcmp(argv[1], "scenario") == 0) {
        int runs = argc >= 4 ? atoi(argv[3]) : 5;
        return bench_scenario(argv[2], runs > 0 ? runs : 1);
    }
    fprintf(stderr, "usage: bench transfer BYTES [LOSS [RUNS [copy]]] | bench scenario FILE [RUNS]\n");
    return 2;
}
