/*
 * out_pkt.c - a run written as a packetdrill script, from one endpoint's view.
 *
 * packetdrill (the Linux kernel developers' TCP test tool) runs a script against a real kernel:
 * the kernel's socket is the system under test, the script plays its peer, injecting the
 * peer's segments (`<`) and checking the kernel's (`>`) with their times. This writer turns a
 * tcpsim run into such a script for endpoint A or B, so that what tcpsim did can be checked on
 * a kernel: where tcpsim's `linux` preset and the kernel agree, the script passes there.
 *
 * What each event becomes (the endpoint's host only):
 *   - TRACE_CALL: the socket call with its result (listen: socket, fcntl O_NONBLOCK, bind,
 *     listen; connect: socket, fcntl, connect = -1 EINPROGRESS; send: write; receive: read;
 *     close, shutdown, setsockopt, SO_LINGER {1, 0} and close for an abort). Sockets are
 *     non-blocking because tcpsim's calls never block; a read that found nothing is not in
 *     the stream (tcp_receive), and nor is it in the script.
 *   - TRACE_SEND from the endpoint: a `>` line at its send time;
 *   - TRACE_DELIVER to the endpoint: a `<` line at its arrival time (what the wire lost on
 *     the way never reached the endpoint, so it is not in its view).
 * Times are relative (`+0.1`), from the first exported event; sequence numbers are relative
 * to each side's first SYN on the port pair, as packetdrill counts them (a new connect on a
 * port pair starts again, as a new packetdrill socket does). `<` lines carry the window the
 * peer offered and its options; `>` lines leave the window out (packetdrill does not check a
 * field the script does not give), because the kernel sizes its buffers its own way.
 *
 * The header: comments naming the run and everything the script cannot say (settings with
 * no sysctl, a host crash, more than one connection: packetdrill plays one peer port), then
 * `--tolerance_usecs`, then one `sysctl -q` line for each setting whose sysctl differs from
 * Linux's default, and for the option sysctls tcpsim does not model (timestamps, SACK,
 * window scaling: off, so the kernel's SYNs carry what tcpsim's carry). The settings are read
 * from the host ('cfg', borrowed) at out_pkt_finish().
 *
 * Entry points: out_pkt_new() -> world_observe(w, out_pkt_observe, p) -> out_pkt_finish()
 * -> out_pkt_free().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/out.h"
#include "tcpsim/wire.h"
#include "out_track.h"

#define OUT_PKT_MAX ((size_t)1 << 30) /* the script's text may grow to this */
#define OUT_PKT_FIRST_FD 3            /* packetdrill's scripts count from 3, after stdio */
#define OUT_PKT_TOLERANCE_US 10000    /* HZ 250: a kernel timer fires up to 4 ms late */

/* A socket of the endpoint, by the conn id its events carry. */
struct out_pkt_sock {
    uint32_t conn;
    int fd;
    bool listener, closed;
    uint16_t lport;        /* a listener's port: accept names it */
    bool abort_follows;    /* "close (SO_LINGER 0)": the "abort" event after it is the same call */
};

/* A port pair of the endpoint (its port, the peer's) and the bases of relative numbers. */
struct out_pkt_flow {
    uint16_t xport, pport;
    bool has_x, has_p;     /* a SYN seen from the endpoint / from the peer */
    uint32_t base_x, base_p;
    uint32_t syn_x, nxt_x; /* the endpoint's last SYN, and the end of what it sent since */
    uint32_t syn_p;        /* the peer's last SYN */
    bool new_syn_p;        /* a peer SYN unlike the one before: a new connection is asked for */
};

/* An outbound data segment held back: the next ones sent at the same instant, in sequence,
   join it, as Linux hands the run to packetdrill as one large packet (GSO) that the NIC
   would cut into MSS-sized segments. */
struct out_pkt_burst {
    bool held;
    clk_time t;
    uint8_t flags;           /* the last segment's */
    uint32_t seq, len, ack;  /* relative */
    char opts[160];          /* the first segment's: the packet's header is its */
};

struct out_pkt {
    int host;                      /* the endpoint: 0 A, 1 B */
    const struct tcp_settings *cfg; /* its settings (borrowed) */
    struct out_sbuf body;          /* the event lines */
    struct out_sbuf notes;         /* what the script cannot say, for the header */
    bool started;
    uint64_t last_us;              /* the time of the last line, in microseconds */
    struct out_pkt_sock *sock;
    size_t nsock, capsock;
    int next_fd;
    struct out_pkt_flow *flow;
    size_t nflow, capflow;
    size_t lines;
    struct out_pkt_burst burst;
};

struct out_pkt *
out_pkt_new(int host, const struct tcp_settings *cfg)
{
    if (host < 0 || host > 1 || !cfg)
        return NULL;
    struct out_pkt *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->host = host;
    p->cfg = cfg;
    p->next_fd = OUT_PKT_FIRST_FD;
    return p;
}

void
out_pkt_free(struct out_pkt *p)
{
    if (!p)
        return;
    out_sbuf_free(&p->body);
    out_sbuf_free(&p->notes);
    free(p->sock);
    free(p->flow);
    free(p);
}

size_t
out_pkt_lines(const struct out_pkt *p)
{
    return p->lines;
}

/* A note for the header, once. */
static void
out_pkt_note(struct out_pkt *p, const char *text)
{
    if (p->notes.s && strstr(p->notes.s, text))
        return;
    out_sbuf_printf(&p->notes, OUT_PKT_MAX, "// - %s\n", text);
}

/* Start a line at time 't': "0" for the first, then "+seconds" since the previous line
   (from microseconds, so the small rounding never adds up). */
static void
out_pkt_time(struct out_pkt *p, clk_time t)
{
    uint64_t us = t < 0 ? 0 : (uint64_t)t / 1000u;
    if (!p->started) {
        p->started = true;
        p->last_us = us;
        out_sbuf_printf(&p->body, OUT_PKT_MAX, "0   ");
        return;
    }
    uint64_t d = us >= p->last_us ? us - p->last_us : 0;
    p->last_us = us;
    if (d == 0) {
        out_sbuf_printf(&p->body, OUT_PKT_MAX, "+0  ");
        return;
    }
    char frac[8];
    snprintf(frac, sizeof frac, "%06llu", (unsigned long long)(d % 1000000u));
    for (int i = 5; i > 0 && frac[i] == '0'; i--) /* +0.1, not +0.100000 */
        frac[i] = '\0';
    out_sbuf_printf(&p->body, OUT_PKT_MAX, "+%llu%s%s ", (unsigned long long)(d / 1000000u),
                    strcmp(frac, "0") ? "." : "", strcmp(frac, "0") ? frac : "");
}

static void out_pkt_line(struct out_pkt *p, clk_time t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void out_pkt_flush(struct out_pkt *p);

#include <stdarg.h>
static void
out_pkt_line(struct out_pkt *p, clk_time t, const char *fmt, ...)
{
    out_pkt_flush(p);
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    out_pkt_time(p, t);
    out_sbuf_printf(&p->body, OUT_PKT_MAX, "%s\n", text);
    p->lines++;
}

/* ---- sockets ------------------------------------------------------------------------------ */

static struct out_pkt_sock *
out_pkt_sock_find(struct out_pkt *p, uint32_t conn)
{
    for (size_t i = p->nsock; i-- > 0;) /* the newest first: a conn id is never reused */
        if (p->sock[i].conn == conn)
            return &p->sock[i];
    return NULL;
}

static struct out_pkt_sock *
out_pkt_sock_add(struct out_pkt *p, uint32_t conn)
{
    if (p->nsock == p->capsock) {
        size_t ncap = p->capsock ? p->capsock * 2 : 8;
        struct out_pkt_sock *n = realloc(p->sock, ncap * sizeof *n);
        if (!n)
            return NULL;
        p->sock = n;
        p->capsock = ncap;
    }
    struct out_pkt_sock *s = &p->sock[p->nsock++];
    *s = (struct out_pkt_sock){.conn = conn, .fd = p->next_fd++};
    return s;
}

/* Linux's errno for a tcpsim error, with strerror's text, as packetdrill prints them. */
static const char *
out_pkt_errno(enum tcp_err e)
{
    switch (e) {
    case TCP_ENOTCONN: return "ENOTCONN (Transport endpoint is not connected)";
    case TCP_EISCONN: return "EISCONN (Transport endpoint is already connected)";
    case TCP_EPIPE: return "EPIPE (Broken pipe)";
    case TCP_ESHUTDOWN: return "ESHUTDOWN (Cannot send after transport endpoint shutdown)";
    case TCP_ECONNRESET: return "ECONNRESET (Connection reset by peer)";
    case TCP_ECONNREFUSED: return "ECONNREFUSED (Connection refused)";
    case TCP_ETIMEDOUT: return "ETIMEDOUT (Connection timed out)";
    case TCP_ECONNABORTED: return "ECONNABORTED (Software caused connection abort)";
    case TCP_EADDRINUSE: return "EADDRINUSE (Address already in use)";
    /* a full send buffer: a non-blocking write(2) says "try again" */
    case TCP_ENOBUFS: return "EAGAIN (Resource temporarily unavailable)";
    case TCP_EINVAL: return "EINVAL (Invalid argument)";
    case TCP_EOPNOTSUPP: return "EOPNOTSUPP (Operation not supported)";
    case TCP_EMFILE: return "EMFILE (Too many open files)";
    case TCP_EADDRNOTAVAIL: return "EADDRNOTAVAIL (Cannot assign requested address)";
    case TCP_OK:
    case TCP_EOF:
    case TCP_ERR_COUNT:
        break;
    }
    return "EINVAL (Invalid argument)";
}

/* The new socket's first lines: socket(), non-blocking, the host's own socket defaults. */
static struct out_pkt_sock *
out_pkt_socket(struct out_pkt *p, const struct trace_event *ev, uint32_t conn)
{
    struct out_pkt_sock *s = out_pkt_sock_add(p, conn);
    if (!s)
        return NULL;
    out_pkt_line(p, ev->t, "socket(..., SOCK_STREAM, IPPROTO_TCP) = %d", s->fd);
    out_pkt_line(p, ev->t, "fcntl(%d, F_SETFL, O_RDWR|O_NONBLOCK) = 0", s->fd);
    /* tcpsim has no Nagle algorithm (docs/deviations.md): a kernel socket without it */
    out_pkt_line(p, ev->t, "setsockopt(%d, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0", s->fd);
    if (p->cfg->keepalive)
        out_pkt_line(p, ev->t, "setsockopt(%d, SOL_SOCKET, SO_KEEPALIVE, [1], 4) = 0", s->fd);
    if (p->cfg->user_timeout > 0)
        out_pkt_line(p, ev->t, "setsockopt(%d, IPPROTO_TCP, TCP_USER_TIMEOUT, [%lld], 4) = 0", s->fd,
                     (long long)(p->cfg->user_timeout / 1000000));
    if (p->cfg->mss != 1460) /* what Linux announces on a 1500-octet link such as packetdrill's */
        out_pkt_line(p, ev->t, "setsockopt(%d, IPPROTO_TCP, TCP_MAXSEG, [%d], 4) = 0", s->fd, p->cfg->mss);
    return s;
}

/* "setsockopt NAME value" (lsim_sockopt.c) as the C call. */
static void
out_pkt_setsockopt(struct out_pkt *p, const struct trace_event *ev, const struct out_pkt_sock *s, const char *arg)
{
    char name[32], val[32];
    if (sscanf(arg, "%31s %31s", name, val) != 2) {
        out_pkt_note(p, "a setsockopt the export could not read was left out");
        return;
    }
    char res[80] = "0";
    if (ev->err != TCP_OK)
        snprintf(res, sizeof res, "-1 %s", out_pkt_errno(ev->err));
    double v = strcmp(val, "on") == 0 ? 1 : strcmp(val, "off") == 0 ? 0 : strtod(val, NULL);
    if (strcmp(name, "SO_LINGER") == 0) {
        bool on = strcmp(val, "off") != 0;
        out_pkt_line(p, ev->t, "setsockopt(%d, SOL_SOCKET, SO_LINGER, {onoff=%d, linger=%d}, 8) = %s", s->fd, on,
                     on ? (int)v : 0, res);
        return;
    }
    const char *level = strncmp(name, "SO_", 3) == 0 ? "SOL_SOCKET" : "IPPROTO_TCP";
    long long n = (long long)v;
    if (strcmp(name, "TCP_USER_TIMEOUT") == 0)
        n = (long long)(v * 1000 + 0.5); /* Linux counts it in milliseconds */
    else if (strcmp(name, "TCP_KEEPIDLE") == 0 || strcmp(name, "TCP_KEEPINTVL") == 0) {
        n = (long long)(v + 0.5);
        if ((double)n != v || n < 1)
            out_pkt_note(p, "a keep-alive time that is not whole seconds was rounded: Linux counts them in seconds");
        if (n < 1)
            n = 1;
    } else if (strcmp(name, "TCP_NODELAY") == 0 && v == 0)
        out_pkt_note(p, "TCP_NODELAY off turns the kernel's Nagle algorithm on, which tcpsim does not have");
    else if (strcmp(name, "SO_RCVBUF") == 0 || strcmp(name, "SO_SNDBUF") == 0)
        out_pkt_note(p, "SO_RCVBUF/SO_SNDBUF: Linux doubles the value and keeps overhead in it, so its window differs");
    out_pkt_line(p, ev->t, "setsockopt(%d, %s, %s, [%lld], 4) = %s", s->fd, level, name, n, res);
}

/* A socket call of the endpoint. */
static void
out_pkt_call(struct out_pkt *p, const struct trace_event *ev)
{
    const char *t = ev->text ? ev->text : "";
    struct out_pkt_sock *s = ev->conn ? out_pkt_sock_find(p, ev->conn) : NULL;
    unsigned port = 0, lport = 0, backlog = 0;
    size_t n = 0, q = 0;
    if (sscanf(t, "listen %u", &port) == 1) {
        /* a failed listen has no socket in tcpsim; the script's fails at bind */
        struct out_pkt_sock *l = out_pkt_socket(p, ev, ev->conn ? ev->conn : UINT32_MAX);
        if (!l)
            return;
        for (size_t i = 0; i + 1 < p->nsock; i++)
            if (p->sock[i].listener && p->sock[i].lport != port)
                out_pkt_note(p, "listeners on more than one port: packetdrill binds every socket to its one port");
        l->listener = true;
        l->lport = (uint16_t)port;
        l->closed = ev->err != TCP_OK;
        if (strstr(t, "reuseaddr"))
            out_pkt_line(p, ev->t, "setsockopt(%d, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0", l->fd);
        if (ev->err != TCP_OK) {
            out_pkt_line(p, ev->t, "bind(%d, ..., ...) = -1 %s", l->fd, out_pkt_errno(ev->err));
            return;
        }
        const char *b = strstr(t, "backlog ");
        if (!b || sscanf(b, "backlog %u", &backlog) != 1)
            backlog = (unsigned)p->cfg->backlog;
        out_pkt_line(p, ev->t, "bind(%d, ..., ...) = 0", l->fd);
        out_pkt_line(p, ev->t, "listen(%d, %u) = 0", l->fd, backlog);
    } else if (strncmp(t, "connect ", 8) == 0) {
        struct out_pkt_sock *c = out_pkt_socket(p, ev, ev->conn ? ev->conn : UINT32_MAX);
        if (!c)
            return;
        const char *from = strstr(t, " from port ");
        if (from && sscanf(from, " from port %u", &lport) == 1)
            for (size_t i = 0; i < p->nflow; i++) /* a new socket: packetdrill counts afresh */
                if (p->flow[i].xport == lport) {
                    p->flow[i].has_x = p->flow[i].has_p = false;
                    out_pkt_note(p, "a connect from a local port used before: the kernel picks a fresh ephemeral "
                                    "port for each connect, so what a port still held would do is not reproduced");
                }
        c->closed = ev->err != TCP_OK;
        out_pkt_line(p, ev->t, "connect(%d, ..., ...) = -1 %s", c->fd,
                     ev->err == TCP_OK ? "EINPROGRESS (Operation now in progress)" : out_pkt_errno(ev->err));
    } else if (sscanf(t, "accept on port %u", &port) == 1) {
        int lfd = -1;
        for (size_t i = p->nsock; i-- > 0 && lfd < 0;)
            if (p->sock[i].listener && !p->sock[i].closed && p->sock[i].lport == port)
                lfd = p->sock[i].fd;
        struct out_pkt_sock *c = out_pkt_sock_add(p, ev->conn); /* may move p->sock */
        if (lfd >= 0 && c) {
            out_pkt_line(p, ev->t, "accept(%d, ..., ...) = %d", lfd, c->fd);
            /* accept(2) does not pass O_NONBLOCK on */
            out_pkt_line(p, ev->t, "fcntl(%d, F_SETFL, O_RDWR|O_NONBLOCK) = 0", c->fd);
        }
    } else if (!s) {
        if (strcmp(t, "crash") == 0)
            out_pkt_note(p, "the host crashed: a kernel cannot be made to forget its connections from a script, "
                            "so what followed differs");
        else if (strncmp(t, "transfer", 8) != 0) /* sim:transfer's writes are traced one by one */
            out_pkt_note(p, "a call on a socket the script does not know was left out");
    } else if (sscanf(t, "send %zu bytes", &n) == 1) {
        if (strstr(t, "zero-copy"))
            out_pkt_note(p, "zero-copy sends are written as plain writes");
        const char *qt = strchr(t, '(');
        if (qt)
            (void)sscanf(qt, "(%zu queued)", &q);
        if (ev->err != TCP_OK)
            out_pkt_line(p, ev->t, "write(%d, ..., %zu) = -1 %s", s->fd, n, out_pkt_errno(ev->err));
        else if (q == 0 && n > 0)
            out_pkt_line(p, ev->t, "write(%d, ..., %zu) = -1 %s", s->fd, n, out_pkt_errno(TCP_ENOBUFS));
        else
            out_pkt_line(p, ev->t, "write(%d, ..., %zu) = %zu", s->fd, n, q);
    } else if (sscanf(t, "receive %zu bytes", &n) == 1) {
        if (ev->err == TCP_EOF)
            out_pkt_line(p, ev->t, "read(%d, ..., 1000) = 0", s->fd);
        else if (ev->err != TCP_OK)
            out_pkt_line(p, ev->t, "read(%d, ..., 1000) = -1 %s", s->fd, out_pkt_errno(ev->err));
        else
            out_pkt_line(p, ev->t, "read(%d, ..., %zu) = %zu", s->fd, n, n);
    } else if (strcmp(t, "close (SO_LINGER 0)") == 0) {
        s->abort_follows = true;
        s->closed = true;
        out_pkt_line(p, ev->t, "close(%d) = 0", s->fd);
    } else if (strcmp(t, "abort") == 0) {
        if (s->abort_follows) {
            s->abort_follows = false;
            return;
        }
        if (s->closed)
            return;
        s->closed = true;
        out_pkt_line(p, ev->t, "setsockopt(%d, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0", s->fd);
        out_pkt_line(p, ev->t, "close(%d) = 0", s->fd);
    } else if (strcmp(t, "close") == 0) {
        /* close(2) of an open descriptor always succeeds; tcpsim's "connection does not
           exist" is the RFC's CLOSE on a CLOSED connection */
        if (s->closed) {
            out_pkt_note(p, "a second close of a socket was left out (close(2) would fail with EBADF)");
            return;
        }
        s->closed = true;
        out_pkt_line(p, ev->t, "close(%d) = 0", s->fd);
    } else if (strcmp(t, "shutdown") == 0 || strcmp(t, "shutdown read") == 0) {
        const char *how = t[8] ? "SHUT_RD" : "SHUT_WR";
        if (ev->err != TCP_OK)
            out_pkt_line(p, ev->t, "shutdown(%d, %s) = -1 %s", s->fd, how, out_pkt_errno(ev->err));
        else
            out_pkt_line(p, ev->t, "shutdown(%d, %s) = 0", s->fd, how);
    } else if (strncmp(t, "setsockopt ", 11) == 0) {
        out_pkt_setsockopt(p, ev, s, t + 11);
    } else if (strncmp(t, "transfer from", 13) == 0) {
        out_pkt_note(p, "sim:transfer's reads are summed up in the trace, not written: the kernel's "
                        "receive buffer fills, which can shrink the window it offers");
    } else if (strncmp(t, "transfer", 8) != 0) {
        out_pkt_note(p, "a call the export does not know was left out");
    }
}

/* ---- segments ----------------------------------------------------------------------------- */

static struct out_pkt_flow *
out_pkt_flow(struct out_pkt *p, uint16_t xport, uint16_t pport)
{
    for (size_t i = 0; i < p->nflow; i++)
        if (p->flow[i].xport == xport && p->flow[i].pport == pport)
            return &p->flow[i];
    if (p->nflow == p->capflow) {
        size_t ncap = p->capflow ? p->capflow * 2 : 4;
        struct out_pkt_flow *n = realloc(p->flow, ncap * sizeof *n);
        if (!n)
            return NULL;
        p->flow = n;
        p->capflow = ncap;
    }
    struct out_pkt_flow *f = &p->flow[p->nflow++];
    *f = (struct out_pkt_flow){.xport = xport, .pport = pport};
    if (p->nflow == 2)
        out_pkt_note(p, "the endpoint talks on more than one port pair: packetdrill plays one peer port, so "
                        "the kernel sees the segments of every connection as one's");
    return f;
}

/* The options, in the order and layout Linux writes them (numbers-and-names.md), "" when
   none. */
static void
out_pkt_opts(const struct tcp_seg *s, uint32_t sack_base, char *buf, size_t cap)
{
    struct out_sbuf b = {0};
    unsigned pr = s->opt.present;
    bool syn = s->flags & TCP_SYN;
    if (s->mss)
        out_sbuf_printf(&b, cap, "mss %u", (unsigned)s->mss);
    if (syn && (pr & TCP_OPT_SACK_OK))
        out_sbuf_printf(&b, cap, "%s%s", b.len ? "," : "", (pr & TCP_OPT_TS) ? "sackOK" : "nop,nop,sackOK");
    if (pr & TCP_OPT_TS)
        out_sbuf_printf(&b, cap, "%s%sTS val %u ecr %u", b.len ? "," : "",
                        syn && (pr & TCP_OPT_SACK_OK) ? "" : "nop,nop,", (unsigned)s->opt.tsval, (unsigned)s->opt.tsecr);
    if (syn && (pr & TCP_OPT_WSCALE))
        out_sbuf_printf(&b, cap, "%snop,wscale %u", b.len ? "," : "", (unsigned)s->opt.wscale);
    if (!syn && (pr & TCP_OPT_SACK) && s->opt.nsack) {
        out_sbuf_printf(&b, cap, "%snop,nop,sack", b.len ? "," : "");
        for (unsigned i = 0; i < s->opt.nsack && i < TCP_SACK_MAX; i++)
            out_sbuf_printf(&b, cap, " %u:%u", (unsigned)(s->opt.sack[i].left - sack_base),
                            (unsigned)(s->opt.sack[i].right - sack_base));
    }
    snprintf(buf, cap, "%s%s%s", b.len ? " <" : "", b.len ? b.s : "", b.len ? ">" : "");
    out_sbuf_free(&b);
}

/* One segment the endpoint sent (`>`) or received (`<`). */
static void
out_pkt_segment(struct out_pkt *p, const struct trace_event *ev, bool inbound)
{
    const struct tcp_seg *s = &ev->seg;
    struct out_pkt_flow *f = out_pkt_flow(p, inbound ? s->dport : s->sport, inbound ? s->sport : s->dport);
    if (!f)
        return;
    /* packetdrill numbers each side from its first SYN; before one, the numbers stand as
       they are (a segment to a port with no socket) */
    if ((s->flags & TCP_SYN) && inbound) {
        if (f->has_p && s->seq != f->syn_p)
            f->new_syn_p = true;
        if (!f->has_p)
            f->has_p = true, f->base_p = s->seq;
        f->syn_p = s->seq;
    }
    if ((s->flags & TCP_SYN) && !inbound) {
        /* a new connection on the pair (not the SYN again): its ISN is the kernel's choice,
           which packetdrill cannot learn, unless it is TIME-WAIT's old SND.NXT + 65537 */
        bool again = f->has_x && s->seq == f->syn_x && f->nxt_x == f->syn_x + 1 && !f->new_syn_p;
        f->new_syn_p = false;
        if (f->has_x && !again && s->seq != f->nxt_x + 65537u)
            out_pkt_note(p, "a second connection on a port pair starts from a new ISN of the kernel's choosing, "
                            "which packetdrill cannot learn: its sequence numbers differ from there on");
        if (!f->has_x)
            f->has_x = true, f->base_x = s->seq;
        f->syn_x = s->seq;
        f->nxt_x = s->seq + 1;
    } else if (!inbound && f->has_x && seq_gt(s->seq + tcp_seg_len(s), f->nxt_x))
        f->nxt_x = s->seq + tcp_seg_len(s);
    uint32_t seq_base = inbound ? (f->has_p ? f->base_p : 0) : (f->has_x ? f->base_x : 0);
    uint32_t ack_base = inbound ? (f->has_x ? f->base_x : 0) : (f->has_p ? f->base_p : 0);
    uint32_t seq = s->seq - seq_base;
    char flags[8], opts[160], ack[24] = "", win[24] = "";
    if (s->flags == 0)
        snprintf(flags, sizeof flags, "-");
    else
        out_tcpdump_flags(s->flags, flags, sizeof flags);
    if (s->flags & TCP_ACK)
        snprintf(ack, sizeof ack, " ack %u", (unsigned)(s->ack - ack_base));
    if (inbound)
        snprintf(win, sizeof win, " win %u", (unsigned)s->wnd);
    out_pkt_opts(s, ack_base, opts, sizeof opts);
    if (s->flags & TCP_URG)
        out_pkt_note(p, "the urgent pointer is not written");
    uint32_t rack = s->ack - ack_base;
    struct out_pkt_burst *b = &p->burst;
    if (!inbound && s->len > 0 && !(s->flags & (TCP_SYN | TCP_RST)) && !(s->opt.present & TCP_OPT_SACK)) {
        if (b->held && b->t == ev->t && b->seq + b->len == seq && b->ack == rack && !(b->flags & TCP_FIN)
            && strcmp(b->opts, opts) == 0) {
            b->len += s->len;
            b->flags = s->flags;
            return;
        }
        out_pkt_flush(p);
        *b = (struct out_pkt_burst){true, ev->t, s->flags, seq, s->len, rack, ""};
        snprintf(b->opts, sizeof b->opts, "%s", opts);
        return;
    }
    out_pkt_line(p, ev->t, "%s %s %u:%u(%u)%s%s%s", inbound ? "<" : ">", flags, (unsigned)seq, (unsigned)(seq + s->len),
                 (unsigned)s->len, ack, win, opts);
}

/* Write the held outbound burst as one line. */
static void
out_pkt_flush(struct out_pkt *p)
{
    struct out_pkt_burst b = p->burst;
    if (!b.held)
        return;
    p->burst.held = false;
    if (b.len > 10u * (uint32_t)p->cfg->mss)
        out_pkt_note(p, "tcpsim has no congestion control (docs/deviations.md): it sent more than 10 segments at "
                        "once, where Linux's first flight is 10 and the rest follows the ACKs");
    char flags[8], ack[24] = "";
    out_tcpdump_flags(b.flags, flags, sizeof flags);
    if (b.flags & TCP_ACK)
        snprintf(ack, sizeof ack, " ack %u", (unsigned)b.ack);
    out_pkt_line(p, b.t, "> %s %u:%u(%u)%s%s", flags, (unsigned)b.seq, (unsigned)(b.seq + b.len), (unsigned)b.len, ack,
                 b.opts);
}

void
out_pkt_observe(const struct trace_event *ev, void *ctx)
{
    struct out_pkt *p = ctx;
    switch (ev->kind) {
    case TRACE_CALL:
        if (ev->host == p->host)
            out_pkt_call(p, ev);
        return;
    case TRACE_SEND:
        if (ev->from == p->host && (ev->marks & WIRE_MARK_INJECTED))
            out_pkt_note(p, "segments the scenario injected in the endpoint's name are left out: the kernel "
                            "would not send them");
        else if (ev->from == p->host)
            out_pkt_segment(p, ev, false);
        return;
    case TRACE_DELIVER:
        if (ev->to == p->host)
            out_pkt_segment(p, ev, true);
        return;
    case TRACE_DROP:
    case TRACE_DUP:
    case TRACE_DELAY:
    case TRACE_STATE:
    case TRACE_RULE:
    case TRACE_TIMER_ARM:
    case TRACE_TIMER_CANCEL:
    case TRACE_TIMER_FIRE:
    case TRACE_SAY:
    case TRACE_KIND_COUNT:
        return;
    }
}

/* ---- the header ----------------------------------------------------------------------------- */

/* tcpsim's settings that are Linux sysctls, with the factor from tcpsim's unit (seconds for
   durations) to the sysctl's. */
static const struct {
    const char *setting, *sysctl;
    double scale;
} out_pkt_sysctls[] = {
    {"tcp_syn_retries", "net.ipv4.tcp_syn_retries", 1},
    {"tcp_syn_linear_timeouts", "net.ipv4.tcp_syn_linear_timeouts", 1},
    {"tcp_synack_retries", "net.ipv4.tcp_synack_retries", 1},
    {"tcp_retries1", "net.ipv4.tcp_retries1", 1},
    {"tcp_retries2", "net.ipv4.tcp_retries2", 1},
    {"tcp_orphan_retries", "net.ipv4.tcp_orphan_retries", 1},
    {"tcp_early_retrans", "net.ipv4.tcp_early_retrans", 1},
    {"tcp_fin_timeout", "net.ipv4.tcp_fin_timeout", 1},
    {"tcp_keepalive_time", "net.ipv4.tcp_keepalive_time", 1},
    {"tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_intvl", 1},
    {"tcp_keepalive_probes", "net.ipv4.tcp_keepalive_probes", 1},
    {"tcp_rfc1337", "net.ipv4.tcp_rfc1337", 1},
    {"tcp_syncookies", "net.ipv4.tcp_syncookies", 1},
    {"tcp_max_syn_backlog", "net.ipv4.tcp_max_syn_backlog", 1},
    {"tcp_invalid_ratelimit", "net.ipv4.tcp_invalid_ratelimit", 1000},
    {"tcp_challenge_ack_limit", "net.ipv4.tcp_challenge_ack_limit", 1},
    {"somaxconn", "net.core.somaxconn", 1},
    {"rto_min", "net.ipv4.tcp_rto_min_us", 1e6},
    {"rto_max", "net.ipv4.tcp_rto_max_ms", 1000},
    {"tcp_window_scaling", "net.ipv4.tcp_window_scaling", 1},
    {"tcp_timestamps", "net.ipv4.tcp_timestamps", 1},
    {"tcp_sack", "net.ipv4.tcp_sack", 1},
    {"tcp_tw_reuse", "net.ipv4.tcp_tw_reuse", 1},
    {"tcp_rmem", "net.ipv4.tcp_rmem", 1},
    {"tcp_wmem", "net.ipv4.tcp_wmem", 1},
};

/* Settings that change nothing packetdrill can see (port numbers and ISNs are its own), or
   that are written into the socket calls (out_pkt_socket, listen's backlog). */
static const char *const out_pkt_unseen[] = {"isn", "port_lo", "port_hi", "header_prediction", "keepalive",
                                             "user_timeout", "mss", "backlog"};

/* Linux sysctls that change the wire and that tcpsim has no setting for: written as off,
   so the kernel's segments carry what tcpsim's carry. */
static const char *const out_pkt_unmodelled[] = {"tcp_timestamps", "tcp_sack", "tcp_window_scaling"};

/* The sysctl lines and the notes on the settings no sysctl can set. */
static void
out_pkt_settings(struct out_pkt *p, struct out_sbuf *sys)
{
    for (size_t i = 0; i < sizeof out_pkt_unmodelled / sizeof out_pkt_unmodelled[0]; i++)
        if (!tcp_setting_find(out_pkt_unmodelled[i]))
            out_sbuf_printf(sys, OUT_PKT_MAX, "%s`sysctl -q net.ipv4.%s=0`\n", sys->len ? "+0  " : "0   ",
                            out_pkt_unmodelled[i]);
    for (size_t i = 0; i < tcp_setting_count; i++) {
        const struct tcp_setting_info *info = &tcp_setting_table[i];
        double v = tcp_setting_get(p->cfg, info);
        const int *l3 = tcp_setting_preset3(info, TCP_PRESET_LINUX);
        if (l3) { /* "min default max": a quoted triple when any of the three differs */
            char now[64], lin[64];
            tcp_setting_str(p->cfg, info, now, sizeof now);
            snprintf(lin, sizeof lin, "%d %d %d", l3[0], l3[1], l3[2]);
            if (strcmp(now, lin) != 0)
                out_sbuf_printf(sys, OUT_PKT_MAX, "%s`sysctl -q net.ipv4.%s=\"%s\"`\n", sys->len ? "+0  " : "0   ",
                                info->name, now);
            continue;
        }
        if (v == info->linux_value)
            continue;
        if (strcmp(info->name, "tcp_orphan_retries") == 0 && v < 0) /* no limit of its own: retries2's */
            v = p->cfg->retries2;
        bool unseen = false;
        for (size_t j = 0; j < sizeof out_pkt_unseen / sizeof out_pkt_unseen[0]; j++)
            unseen |= strcmp(info->name, out_pkt_unseen[j]) == 0;
        if (unseen)
            continue;
        const char *sysctl = NULL;
        double scale = 1;
        for (size_t j = 0; j < sizeof out_pkt_sysctls / sizeof out_pkt_sysctls[0]; j++)
            if (strcmp(info->name, out_pkt_sysctls[j].setting) == 0)
                sysctl = out_pkt_sysctls[j].sysctl, scale = out_pkt_sysctls[j].scale;
        double sv = v * scale;
        long long n = (long long)(sv < 0 ? sv - 0.5 : sv + 0.5);
        char note[200];
        if (sysctl && (double)n == sv) {
            out_sbuf_printf(sys, OUT_PKT_MAX, "%s`sysctl -q %s=%lld`\n", sys->len ? "+0  " : "0   ", sysctl, n);
            continue;
        }
        if (sysctl) {
            out_sbuf_printf(sys, OUT_PKT_MAX, "%s`sysctl -q %s=%lld`\n", sys->len ? "+0  " : "0   ", sysctl, n);
            snprintf(note, sizeof note, "%s = %g is not a whole number for %s: written as %lld", info->name, v, sysctl, n);
        } else
            snprintf(note, sizeof note, "%s = %g (Linux: %g) has no sysctl: the kernel keeps its own", info->name, v,
                     info->linux_value);
        out_pkt_note(p, note);
    }
}

int
out_pkt_finish(struct out_pkt *p, FILE *f, const char *title)
{
    out_pkt_flush(p);
    struct out_sbuf sys = {0};
    out_pkt_settings(p, &sys);
    const char *me = out_host_name(p->host), *peer = out_host_name(1 - p->host);
    fprintf(f, "// %s\n", title && *title ? title : "a tcpsim run");
    fprintf(f, "// Written by tcpsim (tcpsim run --packetdrill): host %s is the system under test, the\n"
               "// script plays %s: %s's segments are injected (<) as they arrived at %s, %s's own are\n"
               "// expected (>) at the times tcpsim sent them. Windows of %s's segments are not checked.\n",
            me, peer, peer, me, me, me);
    if (p->notes.len)
        fprintf(f, "// What this script cannot say:\n%s", p->notes.s);
    fprintf(f, "--tolerance_usecs=%d\n\n", OUT_PKT_TOLERANCE_US);
    if (sys.len)
        fputs(sys.s, f);
    /* after the shell commands, which take real time, the first event counts from their end */
    if (p->body.len)
        fprintf(f, "%s%s", sys.len ? "+0" : "0 ", p->body.s + 2);
    out_sbuf_free(&sys);
    return ferror(f) ? -1 : 0;
}
