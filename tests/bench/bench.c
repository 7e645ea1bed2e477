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
 *   bench conns seq|conc N      N connections driven from Lua, as a user's scenario drives
 *                               them (issue #17): 'seq' one after another (connect, accept,
 *                               the client closes first, the server closes: the client's end
 *                               waits in TIME-WAIT), 'conc' N established at once (four
 *                               listening ports: 28,232 ephemeral ports per destination). The
 *                               event log is not kept: the world has no observer, as a batch
 *                               run with no trace wanted would be (the Lua API reads an empty
 *                               log). One run per process, so that peak_rss_kb is this run's.
 *   bench lua FILE              run the Lua scenario FILE once (tests/bench/lua-transfer.lua: the
 *                               transfer above, 1 GB, driven by sim:transfer); prints a JSON
 *                               line with its wall time per data segment (host A's busiest
 *                               socket) and the process's peak RSS: run it in a process of its own
 *   bench back TCPSIM FILE      start `TCPSIM repl FILE` (tests/bench/repl-back.lua: a million
 *                               events), `continue` to its end, then time `back 1` five times
 *                               (each from the command to the "-- back at" line it prints): what a
 *                               user waits for, the restore of a checkpoint and the replay after it
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
        struct wire_link s = w->wire.link[i];
        s.delay = CLK_MSEC(5);
        s.loss = loss;
        wire_link_set(w, i, &s);
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

/* Run scenario 'path' to its end, as `tcpsim test` does (default limits, its own event log);
   the runner (to free), its status in '*st' and its wall time in '*wall', or NULL. */
static struct lsim *
bench_lsim_run(const char *path, enum lsim_status *st, double *wall)
{
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    struct lsim *l = lsim_new(&o);
    if (!l)
        return NULL;
    double t0 = bench_wall();
    if (lsim_load(l, path) != 0) {
        fprintf(stderr, "bench: %s\n", lsim_message(l));
        lsim_free(l);
        return NULL;
    }
    do
        *st = lsim_resume(l, LSIM_FOREVER);
    while (*st == LSIM_PAUSED || *st == LSIM_RUNNING);
    *wall = bench_wall() - t0;
    return l;
}

static int
bench_scenario(const char *path, int runs)
{
    double best = -1;
    double virtual_s = 0;
    unsigned long long events = 0;
    enum lsim_status st = LSIM_FAILED;
    for (int i = 0; i < runs; i++) {
        double wall;
        struct lsim *l = bench_lsim_run(path, &st, &wall);
        if (!l)
            return 1;
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

/* The scenarios of `bench conns`: the same Lua a user would write. */
static const char bench_conns_seq[] =
    "local N = ...\n"
    "local l = B:listen(80)\n"
    "for i = 1, N do\n"
    "  local c = A:connect(B, 80)\n"
    "  local s\n"
    "  sim:run_until(function() s = s or l:accept(); return s ~= nil and c.state == 'ESTABLISHED' end)\n"
    "  c:close()\n"
    "  sim:run_until(function() return s.state == 'CLOSE_WAIT' end)\n"
    "  s:close()\n"
    "  sim:run_until(function() return s.state == 'CLOSED' end)\n"
    "end\n"
    "local ss = A:ss()\n"
    "expect(ss.CLOSED + ss.TIME_WAIT == N, 'every connection ended')\n"
    "return ss.TIME_WAIT\n";

static const char bench_conns_conc[] =
    "local N = ...\n"
    "B.sysctl.somaxconn = 65535\n"
    "local ls = {}\n"
    "for p = 80, 83 do ls[#ls + 1] = B:listen(p, { backlog = 65535 }) end\n"
    "local cs, ss = {}, {}\n"
    "local i = 0\n"
    "while i < N do\n"
    "  for k = 1, 1000 do\n"
    "    if i == N then break end\n"
    "    i = i + 1\n"
    "    cs[i] = A:connect(B, 80 + i % 4)\n"
    "  end\n"
    "  sim:run(0.005)\n"
    "  for _, l in ipairs(ls) do\n"
    "    local s = l:accept()\n"
    "    while s do ss[#ss + 1] = s; s = l:accept() end\n"
    "  end\n"
    "end\n"
    "expect(#ss == N and A:ss().ESTABLISHED == N and B:ss().ESTABLISHED == N, 'all established')\n"
    "return 0\n";

static long
bench_rss_kb(void)
{
    long kb = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        long pages, resident;
        if (fscanf(f, "%ld %ld", &pages, &resident) == 2)
            kb = resident * 4;
        fclose(f);
    }
    return kb;
}

static int
bench_conns(const char *mode, long n)
{
    bool seq = strcmp(mode, "seq") == 0;
    if (!seq && strcmp(mode, "conc") != 0)
        return 2;
    struct world_config cfg = {.seed = 1, .preset = TCP_PRESET_LINUX};
    struct world *w = world_new(&cfg);
    if (w && world_compact(w) != 0) { /* closed connections as records, as in lsim's own world */
        world_free(w);
        return 1;
    }
    struct trace_log log; /* given to lsim but not observing: no event is kept */
    trace_log_init(&log);
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    o.world = w;
    o.log = &log;
    o.max_instructions = 0;
    o.max_events = 0;
    struct lsim *l = w ? lsim_new(&o) : NULL;
    if (!l)
        return 1;
    char code[4096];
    snprintf(code, sizeof code, "scenario { title = 'bench conns' }\nreturn (function(...) %s end)(%ld)\n",
             seq ? bench_conns_seq : bench_conns_conc, n);
    long rss0 = bench_rss_kb();
    double t0 = bench_wall();
    if (lsim_load_string(l, code, "=bench conns") != 0) {
        fprintf(stderr, "bench: %s\n", lsim_message(l));
        return 1;
    }
    enum lsim_status st;
    do
        st = lsim_resume(l, LSIM_FOREVER);
    while (st == LSIM_PAUSED || st == LSIM_RUNNING);
    double wall = bench_wall() - t0;
    long peak = bench_peak_rss_kb();
    if (st != LSIM_DONE)
        fprintf(stderr, "bench: conns %s %ld: %s\n", mode, n, lsim_message(l));
    printf("{\"bench\":\"conns\",\"mode\":\"%s\",\"n\":%ld,\"status\":\"%s\",\"wall_s\":%.4f,"
           "\"us_per_conn\":%.2f,\"events\":%llu,\"events_per_s\":%.0f,\"virtual_s\":%.3f,"
           "\"time_wait_peak\":%u,\"peak_rss_kb\":%ld,\"bytes_per_conn\":%.0f}\n",
           mode, n, lsim_status_name(st), wall, wall * 1e6 / (double)n, (unsigned long long)w->steps,
           (double)w->steps / wall, clk_to_sec(world_now(w)), w->host[0].tw_peak, peak,
           (double)(peak - rss0) * 1024.0 / (double)n);
    lsim_free(l);
    world_free(w);
    trace_log_fini(&log);
    return st == LSIM_DONE ? 0 : 1;
}

/* One run of a Lua transfer scenario: what a user driving tcpsim from Lua waits for, the
   scenario's event log included, per data segment. */
static int
bench_lua(const char *path)
{
    enum lsim_status st;
    double wall;
    struct lsim *l = bench_lsim_run(path, &st, &wall);
    if (!l)
        return 1;
    struct world *w = lsim_world(l);
    uint64_t segs = 0;
    for (uint32_t id = 1; id <= w->nconns; id++) {
        const struct tcp_conn *c = world_conn(w, id);
        if (c && c->host == &w->host[0] && c->segs_sent > segs)
            segs = c->segs_sent;
    }
    printf("{\"bench\":\"lua\",\"file\":\"%s\",\"status\":\"%s\",\"data_segments\":%llu,\"events\":%llu,"
           "\"wall_s\":%.6f,\"virtual_s\":%.3f,\"us_per_segment\":%.4f,\"peak_rss_kb\":%ld}\n",
           path, lsim_status_name(st), (unsigned long long)segs, (unsigned long long)w->steps, wall,
           clk_to_sec(world_now(w)), segs ? wall * 1e6 / (double)segs : 0.0, bench_peak_rss_kb());
    lsim_free(l);
    return st == LSIM_DONE ? 0 : 1;
}

/* Read 'f' until a line starting with 'mark'; 0, or -1 at EOF. */
static int
bench_until(FILE *f, const char *mark, char **line, size_t *cap)
{
    while (getline(line, cap, f) >= 0)
        if (strncmp(*line, mark, strlen(mark)) == 0)
            return 0;
    return -1;
}

static int
bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* `back 1` at the end of a long REPL session, timed from outside as a user waits for it. */
static int
bench_back(const char *tcpsim, const char *path)
{
    int to[2], from[2];
    if (pipe(to) != 0 || pipe(from) != 0)
        return 1;
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        dup2(to[0], STDIN_FILENO);
        dup2(from[1], STDOUT_FILENO);
        close(to[0]);
        close(to[1]);
        close(from[0]);
        close(from[1]);
        execl(tcpsim, tcpsim, "repl", path, (char *)NULL);
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    FILE *in = fdopen(to[1], "w"), *out = fdopen(from[0], "r");
    char *line = NULL, events[64] = "?";
    size_t cap = 0;
    double t[5], t0 = bench_wall();
    int rc = 1;
    if (getenv("BENCH_CHECKPOINTS"))
        fprintf(in, "set checkpoints %s\n", getenv("BENCH_CHECKPOINTS"));
    fputs("continue\n", in);
    fflush(in);
    if (bench_until(out, "-- the scenario has ended", &line, &cap) != 0)
        goto done;
    double run = bench_wall() - t0;
    for (int i = 0; i < 5; i++) {
        double a = bench_wall();
        fputs("back 1\n", in);
        fflush(in);
        if (bench_until(out, "-- back at", &line, &cap) != 0)
            goto done;
        t[i] = bench_wall() - a;
        sscanf(line, "-- back at %*s after %63s", events);
    }
    qsort(t, 5, sizeof t[0], bench_cmp_double);
    printf("{\"bench\":\"back\",\"file\":\"%s\",\"events\":%s,\"run_s\":%.3f,\"back_ms_min\":%.1f,"
           "\"back_ms_median\":%.1f,\"back_ms_max\":%.1f}\n",
           path, events, run, t[0] * 1e3, t[2] * 1e3, t[4] * 1e3);
    rc = 0;
done:
    fclose(in); /* EOF: the session ends, and its paused copies with it */
    while (getline(&line, &cap, out) >= 0)
        ;
    fclose(out);
    free(line);
    int st;
    waitpid(pid, &st, 0);
    return rc;
}

int
main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "back") == 0)
        return bench_back(argv[2], argv[3]);
    if (argc >= 3 && strcmp(argv[1], "lua") == 0)
        return bench_lua(argv[2]);
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
    if (argc >= 4 && strcmp(argv[1], "conns") == 0)
        return bench_conns(argv[2], atol(argv[3]));
    fprintf(stderr, "usage: bench transfer BYTES [LOSS [RUNS [copy]]] | bench scenario FILE [RUNS] | bench conns seq|conc N\n");
    fprintf(stderr, "usage: bench transfer BYTES [LOSS [RUNS [copy]]] | bench scenario FILE [RUNS] | bench lua FILE | "
                    "bench back TCPSIM FILE\n");
    return 2;
}
