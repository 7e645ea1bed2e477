/*
 * test_out_pcap.c - the pcapng writer (out_pcap.c): the file is parsed back block by block,
 * every checksum is verified, and, when tshark is installed, tshark must read every segment's
 * flags, SEQ and ACK as written and find nothing malformed. Streamed as the run goes, the file
 * is the same, byte for byte, and the writer holds only the segments whose story goes on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpsim/out.h"
#include "tcpsim/world.h"
#include "out_synth.h"

/* What the synthetic run sends, in order: one packet per TRACE_SEND (the DUP is no packet). */
static const struct {
    uint8_t flags;
    uint32_t seq, ack, len;
} pcap_expect[] = {
    {TCP_SYN, 100, 0, 0},           {TCP_SYN | TCP_ACK, 300, 101, 0}, {TCP_ACK, 101, 301, 0},
    {TCP_PSH | TCP_ACK, 101, 301, 5}, {TCP_PSH | TCP_ACK, 101, 301, 5}, {TCP_ACK, 301, 106, 0},
    {TCP_FIN | TCP_ACK, 106, 301, 0}, {TCP_ACK, 301, 107, 0},         {TCP_FIN | TCP_ACK, 301, 107, 0},
    {TCP_ACK, 107, 302, 0},
};
#define PCAP_NEXPECT (sizeof pcap_expect / sizeof pcap_expect[0])

struct pcap_file {
    char *buf;
    size_t len;
};

static void
pcap_make(struct pcap_file *pf)
{
    FILE *f = open_memstream(&pf->buf, &pf->len);
    assert_non_null(f);
    struct out_pcap *p = out_pcap_new();
    assert_non_null(p);
    synth_run(out_pcap_observe, p);
    assert_int_equal(out_pcap_count(p), PCAP_NEXPECT);
    assert_int_equal(out_pcap_finish(p, f), 0);
    out_pcap_free(p);
    fclose(f);
}

static uint32_t
le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t
le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* The option 'code' of a block's options area, or NULL; its length in '*len'. */
static const uint8_t *
pcap_option(const uint8_t *opt, const uint8_t *end, uint16_t code, uint16_t *len)
{
    while (opt + 4 <= end) {
        uint16_t c = le16(opt), l = le16(opt + 2);
        if (c == 0)
            return NULL;
        if (c == code) {
            *len = l;
            return opt + 4;
        }
        opt += 4 + ((l + 3u) & ~3u);
    }
    return NULL;
}

struct pcap_pkt {
    const uint8_t *data;    /* the IPv4 packet */
    uint32_t caplen;
    uint64_t ts;
    char comment[2048];
};

/* Walk the blocks: check SHB and IDB, collect the EPBs; returns how many. */
static size_t
pcap_parse(const struct pcap_file *pf, struct pcap_pkt *out, size_t max)
{
    const uint8_t *b = (const uint8_t *)pf->buf, *end = b + pf->len;
    size_t n = 0;
    int blocks = 0;
    while (b < end) {
        assert_true(b + 12 <= end);
        uint32_t type = le32(b), len = le32(b + 4);
        assert_int_equal(len % 4, 0);
        assert_true(b + len <= end);
        assert_int_equal(le32(b + len - 4), len); /* trailing length equals the leading one */
        uint16_t ol;
        const uint8_t *o;
        if (blocks == 0) {
            assert_int_equal(type, 0x0A0D0D0A);
            assert_int_equal(le32(b + 8), 0x1A2B3C4D);
            assert_int_equal(le16(b + 12), 1);
        } else if (blocks == 1) {
            assert_int_equal(type, 1);
            assert_int_equal(le16(b + 8), 228); /* LINKTYPE_IPV4 */
            o = pcap_option(b + 16, b + len - 4, 9, &ol);
            assert_non_null(o);
            assert_int_equal(ol, 1);
            assert_int_equal(o[0], 9); /* nanoseconds */
        } else {
            assert_int_equal(type, 6);
            assert_true(n < max);
            struct pcap_pkt *k = &out[n++];
            k->ts = (uint64_t)le32(b + 12) << 32 | le32(b + 16);
            k->caplen = le32(b + 20);
            assert_int_equal(le32(b + 24), k->caplen);
            k->data = b + 28;
            o = pcap_option(b + 28 + ((k->caplen + 3u) & ~3u), b + len - 4, 1, &ol);
            assert_non_null(o);
            snprintf(k->comment, sizeof k->comment, "%.*s", (int)ol, (const char *)o);
        }
        blocks++;
        b += len;
    }
    return n;
}

static void
test_pcap_checksum_rfc1071_example(void **state)
{
    (void)state;
    /* RFC 1071 §3: these octets sum to ddf2 (one's complement) */
    const uint8_t v[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(out_cksum_fold(out_cksum_add(0, v, sizeof v)), (uint16_t)~0xddf2);
    const uint8_t odd[] = {0x01};
    assert_int_equal(out_cksum_fold(out_cksum_add(0, odd, 1)), (uint16_t)~0x0100);
}

static void
test_pcap_blocks_lengths_and_header_valid(void **state)
{
    (void)state;
    struct pcap_file pf;
    static struct pcap_pkt pk[16];
    pcap_make(&pf);
    assert_int_equal(pcap_parse(&pf, pk, 16), PCAP_NEXPECT);
    free(pf.buf);
}

static void
test_pcap_every_segment_checksums_valid(void **state)
{
    (void)state;
    struct pcap_file pf;
    static struct pcap_pkt pk[16];
    pcap_make(&pf);
    size_t n = pcap_parse(&pf, pk, 16);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *ip = pk[i].data, *tcp = ip + 20;
        assert_int_equal(ip[0], 0x45);
        assert_int_equal(ip[9], 6);
        assert_int_equal(be16(ip + 2), pk[i].caplen);
        assert_int_equal(out_cksum_fold(out_cksum_add(0, ip, 20)), 0); /* verifies */
        uint16_t tcplen = (uint16_t)(pk[i].caplen - 20);
        uint8_t pseudo[12];
        memcpy(pseudo, ip + 12, 8);
        pseudo[8] = 0;
        pseudo[9] = 6;
        pseudo[10] = (uint8_t)(tcplen >> 8);
        pseudo[11] = (uint8_t)tcplen;
        assert_int_equal(out_cksum_fold(out_cksum_add(out_cksum_add(0, pseudo, 12), tcp, tcplen)), 0);
        assert_int_equal(tcp[13], pcap_expect[i].flags);
        assert_int_equal(be32(tcp + 4), pcap_expect[i].seq);
        assert_int_equal(be32(tcp + 8), pcap_expect[i].ack);
        assert_int_equal(be16(tcp + 0), (pcap_expect[i].seq == 100 || pcap_expect[i].seq == 101
                                         || pcap_expect[i].seq == 106 || pcap_expect[i].seq == 107) ? 40000 : 80);
        size_t hdr = (size_t)(tcp[12] >> 4) * 4;
        assert_int_equal(tcplen - hdr, pcap_expect[i].len);
    }
    free(pf.buf);
}

static void
test_pcap_synack_mss_option_and_data_payload(void **state)
{
    (void)state;
    struct pcap_file pf;
    static struct pcap_pkt pk[16];
    pcap_make(&pf);
    pcap_parse(&pf, pk, 16);
    const uint8_t *tcp = pk[1].data + 20;
    assert_int_equal(tcp[12] >> 4, 6);     /* 24-octet header: the MSS option */
    assert_int_equal(tcp[20], 2);
    assert_int_equal(tcp[21], 4);
    assert_int_equal(be16(tcp + 22), 1460);
    tcp = pk[3].data + 20;
    assert_int_equal(tcp[12] >> 4, 5);
    assert_memory_equal(tcp + 20, "hello", 5);
    assert_int_equal(pk[4].ts, 1200000000u); /* virtual nanoseconds */
    free(pf.buf);
}

static void
test_pcap_comments_tell_fate_states_and_rule(void **state)
{
    (void)state;
    struct pcap_file pf;
    static struct pcap_pkt pk[16];
    pcap_make(&pf);
    pcap_parse(&pf, pk, 16);
    assert_string_equal(pk[0].comment,
                        "#1 sent by A1 SYN-SENT; arrives at 0.050000 after 50.000 ms: B1 LISTEN; "
                        "B2 LISTEN -> SYN-RECEIVED by LISTEN_SYN (RFC 9293 3.10.7.2: LISTEN, third check "
                        "for a SYN: new TCB in SYN-RECEIVED, send SYN,ACK)");
    assert_string_equal(pk[3].comment, "#4 sent by A1 ESTABLISHED; wire: dropped at 0.200000 (loss)");
    assert_non_null(strstr(pk[5].comment, "wire: duplicated as #7"));
    assert_non_null(strstr(pk[5].comment, "copy #7 arrives at 1.300000"));
    assert_non_null(strstr(pk[9].comment, "B2 LAST-ACK -> CLOSED by LAST_ACK_ACKED"));
    free(pf.buf);
}

static void
test_pcap_unfinished_segment_says_in_flight(void **state)
{
    (void)state;
    struct out_pcap *p = out_pcap_new();
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TRACE_SEND;
    ev.pkt_id = 1;
    ev.seg = synth_seg(0, TCP_SYN, 7, 0, NULL);
    out_pcap_observe(&ev, p);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(out_pcap_finish(p, f), 0);
    fclose(f);
    struct pcap_file pf = {buf, len};
    static struct pcap_pkt pk[2];
    assert_int_equal(pcap_parse(&pf, pk, 2), 1);
    assert_string_equal(pk[0].comment, "#1 sent by A; still in flight at the end");
    out_pcap_free(p);
    free(buf);
}

static void
test_pcap_stream_synthetic_run_same_file_as_finish(void **state)
{
    (void)state;
    struct pcap_file whole, streamed = {NULL, 0};
    pcap_make(&whole);
    FILE *f = open_memstream(&streamed.buf, &streamed.len);
    struct out_pcap *p = out_pcap_new();
    assert_int_equal(out_pcap_stream(p, f), 0);
    synth_run(out_pcap_observe, p);
    fflush(f);
    assert_true(streamed.len > 0); /* written as it went, before the finish */
    assert_true(out_pcap_held(p) < PCAP_NEXPECT);
    assert_int_equal(out_pcap_finish(p, NULL), 0);
    assert_int_equal(out_pcap_count(p), PCAP_NEXPECT);
    assert_int_equal(out_pcap_held(p), 0);
    assert_int_equal(out_pcap_stream(p, f), -1); /* once, before the first packet */
    out_pcap_free(p);
    fclose(f);
    assert_int_equal(streamed.len, whole.len);
    assert_memory_equal(streamed.buf, whole.buf, whole.len);
    free(whole.buf);
    free(streamed.buf);
}

/* The most packets the streaming writer held at once (an observer after it). */
struct pcap_watch {
    struct out_pcap *p;
    size_t most;
};

static void
pcap_watch(const struct trace_event *ev, void *ctx)
{
    struct pcap_watch *w = ctx;
    (void)ev;
    if (out_pcap_held(w->p) > w->most)
        w->most = out_pcap_held(w->p);
}

/* A transfer over a wire that loses, duplicates and reorders, captured into 'f' (streaming
   or not); the most packets held at once into '*most'. Returns the packets captured. */
static size_t
pcap_lossy_transfer(FILE *f, bool stream, size_t *most)
{
    struct world_config cfg = {.seed = 11, .preset = TCP_PRESET_LINUX};
    struct world *w = world_new(&cfg);
    struct out_pcap *p = out_pcap_new();
    struct pcap_watch watch = {p, 0};
    assert_non_null(w);
    assert_non_null(p);
    if (stream)
        assert_int_equal(out_pcap_stream(p, f), 0);
    assert_int_equal(world_observe(w, out_pcap_observe, p), 0);
    assert_int_equal(world_observe(w, pcap_watch, &watch), 0);
    for (int i = 0; i < 2; i++) {
        struct wire_link s = w->wire.link[i];
        s.loss = 0.02;
        s.dup = 0.02;
        s.reorder = 0.02;
        wire_link_set(w, i, &s);
    }
    struct tcp_conn *l, *c, *s = NULL;
    assert_int_equal(tcp_open_passive(&w->host[1], 80, NULL, &l), TCP_OK);
    assert_int_equal(tcp_open_active(&w->host[0], w->host[1].addr, 80, NULL, &c), TCP_OK);
    while (!s && world_step(w))
        tcp_accept(l, &s);
    assert_non_null(s);
    /* 4 MB: long enough that the flight (a window-scaled 128 KB and its ACKs, copies and
       retransmissions) is a small part of the run */
    static uint8_t data[4 << 20];
    size_t sent = 0, got = 0, q, n;
    do {
        if (sent < sizeof data && tcp_send(c, data + sent, sizeof data - sent, &q) == TCP_OK)
            sent += q;
        if (tcp_readable(s) > 0 && tcp_receive(s, NULL, tcp_readable(s), &n) == TCP_OK)
            got += n;
    } while (got < sizeof data && world_step(w));
    assert_int_equal(got, sizeof data);
    assert_int_equal(out_pcap_finish(p, f), 0);
    size_t count = out_pcap_count(p);
    *most = watch.most;
    world_unobserve(w, out_pcap_observe, p);
    world_unobserve(w, pcap_watch, &watch);
    world_free(w);
    out_pcap_free(p);
    return count;
}

static void
test_pcap_stream_lossy_transfer_same_file_held_bounded(void **state)
{
    (void)state;
    struct pcap_file whole = {NULL, 0}, streamed = {NULL, 0};
    size_t most_whole, most_streamed;
    FILE *f = open_memstream(&whole.buf, &whole.len);
    size_t n = pcap_lossy_transfer(f, false, &most_whole);
    fclose(f);
    f = open_memstream(&streamed.buf, &streamed.len);
    assert_int_equal(pcap_lossy_transfer(f, true, &most_streamed), n);
    fclose(f);
    assert_true(n > 1000);
    assert_int_equal(most_whole, n);       /* buffered: every packet to the end */
    assert_true(most_streamed < n / 10);   /* streamed: those whose story goes on */
    assert_int_equal(streamed.len, whole.len);
    assert_memory_equal(streamed.buf, whole.buf, whole.len);
    free(whole.buf);
    free(streamed.buf);
}

static void
test_pcap_tshark_reads_flags_seq_ack_not_malformed(void **state)
{
    (void)state;
    if (system("command -v tshark >/dev/null 2>&1") != 0)
        skip();
    struct pcap_file pf;
    pcap_make(&pf);
    char path[] = "/tmp/tcpsim-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, pf.buf, pf.len), (ssize_t)pf.len);
    close(fd);
    free(pf.buf);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "tshark -r %s -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -T fields -E separator='|' "
             "-e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e _ws.malformed -e ip.checksum.status "
             "-e tcp.checksum.status -e _ws.expert.severity 2>/dev/null", path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned flags, seq, ack, ipok, tcpok;
        char malformed[64] = "", sev[128] = "";
        assert_true(n < PCAP_NEXPECT);
        assert_int_equal(sscanf(line, "0x%x|%u|%u|%63[^|]", &flags, &seq, &ack, malformed), 3);
        assert_int_equal(flags, pcap_expect[n].flags);
        assert_int_equal(seq, pcap_expect[n].seq);
        assert_int_equal(ack, pcap_expect[n].ack);
        /* nothing malformed (an empty field), both checksums "good" (1) */
        assert_int_equal(sscanf(line, "%*[^|]|%*[^|]|%*[^|]||%u|%u|%127[^\n]", &ipok, &tcpok, sev), 3);
        assert_int_equal(ipok, 1);
        assert_int_equal(tcpok, 1);
        /* expert infos: comments, chats and notes only, no warning or error (>= 0x600000) */
        for (char *p = sev; *p;) {
            assert_true(strtoul(p, &p, 10) < 0x600000u);
            if (*p == ',')
                p++;
        }
        n++;
    }
    assert_int_equal(pclose(f), 0);
    unlink(path);
    assert_int_equal(n, PCAP_NEXPECT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_checksum_rfc1071_example),
        cmocka_unit_test(test_pcap_blocks_lengths_and_header_valid),
        cmocka_unit_test(test_pcap_every_segment_checksums_valid),
        cmocka_unit_test(test_pcap_synack_mss_option_and_data_payload),
        cmocka_unit_test(test_pcap_comments_tell_fate_states_and_rule),
        cmocka_unit_test(test_pcap_unfinished_segment_says_in_flight),
        cmocka_unit_test(test_pcap_stream_synthetic_run_same_file_as_finish),
        cmocka_unit_test(test_pcap_stream_lossy_transfer_same_file_held_bounded),
        cmocka_unit_test(test_pcap_tshark_reads_flags_seq_ack_not_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
