/*
 * bench.c - `make bench`: how fast the simulator moves segments, measured on the wall clock
 * (the one place in tcpsim that reads it: the benchmark measures the engine, it is not part
 * of it).
 *
 *   bench transfer BYTES LOSS   one bulk transfer A -> B; prints a JSON line
 *
 * The transfer: MSS 1460, 5 ms one-way delay, the largest window without window scaling
 * (65535), the receiver reading as data arrives. Payload is not checked byte by byte here
 * (tests/test_transfer.c does that); the byte count and the final state are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

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

static int
bench_transfer(long long total, double loss, uint64_t seed)
{
    static uint8_t pattern[65536];
    static uint8_t sink[65536];
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (uint8_t)(i * 131u);
    struct world_config cfg = {.seed = seed, .preset = TCP_PRESET_LINUX};
    struct world *w = world_new(&cfg);
    if (!w)
        return 1;
    for (int i = 0; i < 2; i++) {
        w->wire.link[i].delay = CLK_MSEC(5);
        w->wire.link[i].loss = loss;
        w->host[i].cfg.mss = 1460;
        w->host[i].cfg.rcv_buf = 65535;
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
    while (rcvd < total) {
        if (sent < total) {
            size_t off = (size_t)(sent % (long long)sizeof pattern);
            size_t n = sizeof pattern - off;
            if ((long long)n > total - sent)
                n = (size_t)(total - sent);
            size_t q = 0;
            tcp_send(c, pattern + off, n, &q);
            sent += (long long)q;
        }
        if (!world_step(w))
            break;
        /* one read takes all there is: the sink is as large as the receive buffer */
        size_t got;
        if (tcp_receive(s, sink, sizeof sink, &got) == TCP_OK)
            rcvd += (long long)got;
        if (c->state == TCP_CLOSED)
            break;
    }
    double wall = bench_wall() - t0;
    uint64_t data_segs = c->segs_sent;
    uint64_t events = w->steps - steps0;
    printf("{\"bench\":\"transfer\",\"bytes\":%lld,\"loss\":%.3f,\"received\":%lld,\"data_segments\":%llu,"
           "\"retransmits\":%llu,\"events\":%llu,\"wall_s\":%.6f,\"virtual_s\":%.3f,"
           "\"segments_per_s\":%.0f,\"events_per_s\":%.0f,\"peak_rss_kb\":%ld}\n",
           total, loss, rcvd, (unsigned long long)data_segs, (unsigned long long)c->total_retransmits,
           (unsigned long long)events, wall, clk_to_sec(world_now(w)), (double)data_segs / wall,
           (double)events / wall, bench_peak_rss_kb());
    int ok = rcvd == total;
    world_free(w);
    return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "transfer") == 0)
        return bench_transfer(atoll(argv[2]), argc >= 4 ? atof(argv[3]) : 0.0, 1);
    fprintf(stderr, "usage: bench transfer BYTES [LOSS]\n");
    return 2;
}
