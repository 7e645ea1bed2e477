/*
 * pkt_sockopt.c - the socket options of a packetdrill script (setsockopt, getsockopt with
 * TCP_INFO's fields tcpsim knows) and poll(), on the SUT's sockets (struct tcp_sockopts), in
 * Linux's units. An option tcpsim does not model makes the script unsupported.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_internal.h"

/* ---- socket options --------------------------------------------------------------------------- */


/* Linux's limits on SO_RCVBUF and SO_SNDBUF: the value asked is capped at net.core.rmem_max or
   wmem_max (4 MB by default on the machine's 6.18.44, which tcpsim does not model as settings),
   then doubled "to allow room for bookkeeping overhead" (socket(7); sock_setsockopt), and
   raised to at least SOCK_MIN_RCVBUF or SOCK_MIN_SNDBUF (2304 and 4608 octets on x86-64, as
   getsockopt returns them; tests/packetdrill/sockopt-bufs-bind-in-use.pkt). */
enum { PKT_MEM_MAX = 4194304, PKT_MIN_RCVBUF = 2304, PKT_MIN_SNDBUF = 4608 };

/* setsockopt SO_RCVBUF ('rcv') or SO_SNDBUF: the doubled size, as tcpsim's buffer (a socket's
   buffer is counted in the units of tcp_rmem and tcp_wmem, which are Linux's sk_rcvbuf's). */
static enum pkt_sys_status
pkt_set_bufsize(struct pkt_runner *r, const struct pkt_event *e, struct pkt_fd *f, struct tcp_conn *c, bool rcv,
                int64_t *ret, int *err)
{
    int64_t v;
    if (pkt_eval(pkt_arg(e, 3), &v) != 0) {
        pkt_call_fail(r, e, "the option's value must be [N]");
        return PKT_SYS_STOP;
    }
    /* the kernel compares as u32: a negative value is a huge one */
    uint32_t asked = (uint32_t)v > PKT_MEM_MAX ? PKT_MEM_MAX : (uint32_t)v;
    uint32_t size = asked * 2 < (rcv ? PKT_MIN_RCVBUF : PKT_MIN_SNDBUF) ? (rcv ? PKT_MIN_RCVBUF : PKT_MIN_SNDBUF)
                                                                      : asked * 2;
    if (!c) {
        *(rcv ? &f->opts.rcvbuf : &f->opts.sndbuf) = (int)size;
        return PKT_RET(0, 0);
    }
    enum tcp_err te = tcp_set_bufsize(c, rcv, size);
    if (te == TCP_EINVAL) {
        /* Linux shrinks the limit and lets the queue drain; tcpsim's ring cannot hold more */
        pkt_unsupported_at(r, e->line, "a buffer made smaller than the data it holds");
        return PKT_SYS_STOP;
    }
    return te == TCP_OK ? PKT_RET(0, 0) : PKT_RET(-1, ENOBUFS);
}

/* setsockopt(fd, level, name, value, len) */
enum pkt_sys_status
pkt_sys_setsockopt(struct pkt_runner *r, const struct pkt_event *e, struct pkt_fd *f, int64_t *ret, int *err)
{
    int64_t level, name, v = 0;
    if (!pkt_nargs(r, e, 5, 5) || !pkt_int_arg(r, e, 1, "level", &level) || !pkt_int_arg(r, e, 2, "optname", &name))
        return PKT_SYS_STOP;
    struct tcp_conn *c = pkt_conn_of(r, f);
    struct tcp_sockopts *o = c ? &c->opts : &f->opts;
    const struct pkt_expr *val = pkt_arg(e, 3);
    if (level == PKT_SOL_SOCKET && name == 13) { /* SO_LINGER {onoff=1, linger=0} */
        int64_t on = 0, secs = 0;
        if (pkt_eval(pkt_field(val, "onoff"), &on) != 0 || pkt_eval(pkt_field(val, "linger"), &secs) != 0) {
            pkt_call_fail(r, e, "SO_LINGER takes {onoff=N, linger=N}");
            return PKT_SYS_STOP;
        }
        o->linger = on ? (int)(secs < 0 ? 0 : secs > 32767 ? 32767 : secs) : -1;
        if (on && secs > 0)
            pkt_warn(r, e->line, "SO_LINGER with a timeout: tcpsim's close() does not block for it");
        return PKT_RET(0, 0);
    }
    if (level == PKT_SOL_SOCKET && (name == 7 || name == 8)) /* SO_SNDBUF, SO_RCVBUF */
        return pkt_set_bufsize(r, e, f, c, name == 8, ret, err);
    static const int64_t known[][2] = {{PKT_SOL_SOCKET, 2}, {PKT_SOL_SOCKET, 9}, {PKT_SOL_TCP, 4}, {PKT_SOL_TCP, 5},
                                       {PKT_SOL_TCP, 6},      {PKT_SOL_TCP, 18},    {PKT_SOL_TCP, 1}, {PKT_SOL_TCP, 12}};
    bool is_known = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        is_known = is_known || (known[i][0] == level && known[i][1] == name);
    if (!is_known) {
        const struct pkt_expr *nx = pkt_arg(e, 2);
        pkt_unsupported_at(r, e->line, "the socket option %s", nx && nx->kind == PKT_X_SYM ? nx->name : "(by number)");
        return PKT_SYS_STOP;
    }
    if (pkt_eval(val, &v) != 0) {
        pkt_call_fail(r, e, "the option's value must be [N]");
        return PKT_SYS_STOP;
    }
    if (level == PKT_SOL_SOCKET && name == 2) { /* SO_REUSEADDR */
        f->reuseaddr = v != 0;
        if (c)
            c->reuseaddr = v != 0;
    } else if (level == PKT_SOL_SOCKET && name == 9) { /* SO_KEEPALIVE */
        f->keepalive = v != 0;
        if (c)
            (void)tcp_set_keepalive(c, v != 0);
    } else if (level == PKT_SOL_TCP && (name == 4 || name == 5)) { /* TCP_KEEPIDLE, TCP_KEEPINTVL (s) */
        if (v < 1 || v > 32767)
            return PKT_RET(-1, EINVAL);
        *(name == 4 ? &o->keepidle : &o->keepintvl) = CLK_SEC(v);
        if (name == 4 && c && c->keepalive && c->state != TCP_CLOSED)
            (void)tcp_set_keepalive(c, true); /* re-armed, as Linux's tcp_sock_set_keepidle_locked */
    } else if (level == PKT_SOL_TCP && name == 6) { /* TCP_KEEPCNT */
        if (v < 1 || v > 127)
            return PKT_RET(-1, EINVAL);
        o->keepcnt = (int)v;
    } else if (level == PKT_SOL_TCP && name == 18) { /* TCP_USER_TIMEOUT, ms */
        if (v < 0)
            return PKT_RET(-1, EINVAL);
        o->user_timeout = CLK_MSEC(v);
    } else if (level == PKT_SOL_TCP && name == 1) { /* TCP_NODELAY */
        o->nodelay = v != 0;
    } else { /* TCP_QUICKACK */
        o->quickack = v != 0;
    }
    return PKT_RET(0, 0);
}

/* Compare one getsockopt value with what the script expects ('...' matches any). */
static bool
pkt_optval_ok(struct pkt_runner *r, const struct pkt_event *e, const struct pkt_expr *want, int64_t actual)
{
    int64_t v;
    int rc = pkt_eval(want, &v);
    if (rc == 1)
        return true;
    if (rc != 0) {
        pkt_call_fail(r, e, "the expected value must be [N]");
        return false;
    }
    if (v != actual) {
        pkt_call_fail(r, e, "Bad getsockopt optval: expected: %lld actual: %lld", (long long)v, (long long)actual);
        return false;
    }
    return true;
}

/* TCP_INFO: the fields tcpsim knows, each compared when the script names it. */
static bool
pkt_tcp_info(struct pkt_runner *r, const struct pkt_event *e, const struct tcp_conn *c, const struct pkt_expr *want)
{
    if (!want || want->kind == PKT_X_ELLIPSIS)
        return true;
    if (want->kind != PKT_X_STRUCT) {
        pkt_call_fail(r, e, "TCP_INFO takes {tcpi_NAME=VALUE, ...}");
        return false;
    }
    for (size_t i = 0; i < want->nkids; i++) {
        const struct pkt_expr *fx = want->kids[i];
        if (fx->kind != PKT_X_FIELD || fx->nkids != 1)
            continue;
        const char *n = fx->name;
        int64_t a;
        if (strcmp(n, "tcpi_state") == 0)
            a = pkt_linux_state(c->state);
        else if (strcmp(n, "tcpi_retransmits") == 0 || strcmp(n, "tcpi_backoff") == 0)
            a = c->retransmits;
        else if (strcmp(n, "tcpi_probes") == 0)
            a = c->probes;
        else if (strcmp(n, "tcpi_rto") == 0)
            a = c->rto / 1000;
        else if (strcmp(n, "tcpi_snd_mss") == 0)
            a = c->snd_mss;
        else if (strcmp(n, "tcpi_total_retrans") == 0)
            a = (int64_t)c->total_retransmits;
        else if (strcmp(n, "tcpi_bytes_acked") == 0)
            a = (int64_t)c->bytes_acked;
        else if (strcmp(n, "tcpi_bytes_received") == 0)
            a = (int64_t)c->bytes_received;
        else if (strcmp(n, "tcpi_segs_out") == 0)
            a = (int64_t)c->segs_sent;
        else if (strcmp(n, "tcpi_segs_in") == 0)
            a = (int64_t)c->segs_received;
        else {
            pkt_unsupported_at(r, e->line, "the TCP_INFO field %s", n);
            return false;
        }
        int64_t v;
        int rc = pkt_eval(fx->kids[0], &v);
        if (rc < 0) {
            pkt_call_fail(r, e, "%s must be an integer", n);
            return false;
        }
        if (rc == 0 && v != a) {
            pkt_call_fail(r, e, "Bad getsockopt TCP_INFO %s: expected: %lld actual: %lld", n, (long long)v, (long long)a);
            return false;
        }
    }
    return true;
}

/* getsockopt(fd, level, name, value, len) */
enum pkt_sys_status
pkt_sys_getsockopt(struct pkt_runner *r, const struct pkt_event *e, struct pkt_fd *f, int64_t *ret, int *err)
{
    int64_t level, name;
    if (!pkt_nargs(r, e, 5, 5) || !pkt_int_arg(r, e, 1, "level", &level) || !pkt_int_arg(r, e, 2, "optname", &name))
        return PKT_SYS_STOP;
    struct tcp_conn *c = pkt_conn_of(r, f);
    const struct tcp_settings *s = &r->sut->cfg;
    const struct tcp_sockopts *o = c ? &c->opts : &f->opts;
    const struct pkt_expr *want = pkt_arg(e, 3);
    int64_t a;
    if (level == PKT_SOL_TCP && name == 11) { /* TCP_INFO */
        if (!c) {
            pkt_unsupported_at(r, e->line, "TCP_INFO of a socket without a connection");
            return PKT_SYS_STOP;
        }
        return pkt_tcp_info(r, e, c, want) ? PKT_RET(0, 0) : PKT_SYS_STOP;
    }
    if (level == PKT_SOL_SOCKET && name == 4) { /* SO_ERROR: the pending error, cleared */
        a = 0;
        if (c && c->error != TCP_OK && !c->error_reported && c->state == TCP_CLOSED) {
            a = pkt_errno(c->error);
            c->error_reported = true;
        }
    } else if (level == PKT_SOL_SOCKET && name == 2) {
        a = c ? c->reuseaddr : f->reuseaddr;
    } else if (level == PKT_SOL_SOCKET && name == 9) {
        a = c ? c->keepalive : f->keepalive;
    } else if (level == PKT_SOL_SOCKET && name == 8) { /* SO_RCVBUF: the doubled size (pkt_set_bufsize) */
        a = o->rcvbuf ? o->rcvbuf : c && c->rcvq.cap ? (int64_t)c->rcvq.cap : s->rmem[1];
    } else if (level == PKT_SOL_SOCKET && name == 7) {
        a = o->sndbuf ? o->sndbuf : c && c->sndq.cap ? (int64_t)c->sndq.cap : s->wmem[1];
    } else if (level == PKT_SOL_TCP && name == 1) {
        a = o->nodelay;
    } else if (level == PKT_SOL_TCP && name == 4) {
        a = (o->keepidle > 0 ? o->keepidle : s->keepalive_time) / CLK_NSEC_PER_SEC;
    } else if (level == PKT_SOL_TCP && name == 5) {
        a = (o->keepintvl > 0 ? o->keepintvl : s->keepalive_intvl) / CLK_NSEC_PER_SEC;
    } else if (level == PKT_SOL_TCP && name == 6) {
        a = o->keepcnt > 0 ? o->keepcnt : s->keepalive_probes;
    } else if (level == PKT_SOL_TCP && name == 18) {
        a = (o->user_timeout >= 0 ? o->user_timeout : s->user_timeout) / 1000000;
    } else if (level == PKT_SOL_TCP && name == 2) {
        /* TCP_MAXSEG: SND.MSS once synchronized; before, Linux's mss_cache starts at 536 */
        a = c && c->snd_mss && !f->listening && c->state != TCP_SYN_SENT ? c->snd_mss : 536;
    } else {
        const struct pkt_expr *nx = pkt_arg(e, 2);
        pkt_unsupported_at(r, e->line, "getsockopt of %s", nx && nx->kind == PKT_X_SYM ? nx->name : "(by number)");
        return PKT_SYS_STOP;
    }
    return pkt_optval_ok(r, e, want, a) ? PKT_RET(0, 0) : PKT_SYS_STOP;
}

/* ---- poll ------------------------------------------------------------------------------------ */

/* The events poll() reports for a socket now, as Linux's tcp_poll reckons them. */
static int64_t
pkt_revents(struct pkt_runner *r, const struct pkt_fd *f)
{
    enum { IN = 0x1, OUT = 0x4, ERR = 0x8, HUP = 0x10, RDNORM = 0x40, WRNORM = 0x100, RDHUP = 0x2000 };
    struct tcp_conn *c = pkt_conn_of(r, f);
    if (!f)
        return 0x20; /* POLLNVAL */
    if (!c)
        return OUT | WRNORM | HUP;
    if (f->listening)
        return c->acceptq_head ? IN | RDNORM : 0;
    int64_t m = 0;
    bool rd_shut = c->fin_rcvd || c->rd_shut || c->state == TCP_CLOSED;
    bool wr_shut = c->fin_queued || c->state == TCP_CLOSED;
    if (c->state == TCP_CLOSED || (rd_shut && wr_shut))
        m |= HUP;
    if (rd_shut)
        m |= IN | RDNORM | RDHUP;
    if (c->state != TCP_SYN_SENT && c->state != TCP_SYN_RECEIVED) {
        if (tcp_readable(c) > 0)
            m |= IN | RDNORM;
        if (!wr_shut) {
            if (tcp_writable(c) > 0)
                m |= OUT | WRNORM;
        } else {
            m |= OUT | WRNORM;
        }
    }
    if (c->state == TCP_CLOSED && c->error != TCP_OK && !c->error_reported)
        m |= ERR;
    return m;
}

/* poll([{fd=N, events=E, revents=R}, ...], nfds, timeout): ready count, or block. */
enum pkt_sys_status
pkt_poll_try(struct pkt_runner *r, const struct pkt_event *e, bool timed_out, int64_t *ret, int *err)
{
    const struct pkt_expr *list = pkt_arg(e, 0);
    int64_t n = 0, tmo = 0;
    if (!pkt_nargs(r, e, 3, 3) || !pkt_int_arg(r, e, 1, "nfds", &n) || !pkt_int_arg(r, e, 2, "timeout", &tmo))
        return PKT_SYS_STOP;
    if (!list || list->kind != PKT_X_LIST || (int64_t)list->nkids != n) {
        pkt_call_fail(r, e, "poll takes [{fd=N, events=E, revents=R}, ...] and their number");
        return PKT_SYS_STOP;
    }
    int64_t ready = 0;
    int64_t got[16] = {0};
    if (n > 16) {
        pkt_unsupported_at(r, e->line, "poll of more than 16 sockets");
        return PKT_SYS_STOP;
    }
    for (size_t i = 0; i < list->nkids; i++) {
        int64_t fd, ev;
        if (pkt_eval(pkt_field(list->kids[i], "fd"), &fd) != 0 || pkt_eval(pkt_field(list->kids[i], "events"), &ev) != 0) {
            pkt_call_fail(r, e, "each pollfd needs fd=N and events=E");
            return PKT_SYS_STOP;
        }
        int64_t m = pkt_revents(r, pkt_fd_of(r, fd));
        got[i] = m & (ev | 0x8 | 0x10 | 0x20);
        ready += got[i] != 0;
    }
    if (ready == 0 && tmo != 0 && !timed_out) {
        if (r->pend.wake == CLK_NEVER && tmo > 0)
            r->pend.wake = r->w->clk.now + CLK_MSEC(tmo);
        return PKT_SYS_BLOCK;
    }
    for (size_t i = 0; i < list->nkids; i++) {
        const struct pkt_expr *want = pkt_field(list->kids[i], "revents");
        int64_t v;
        int rc = want ? pkt_eval(want, &v) : 1;
        if (rc < 0) {
            pkt_call_fail(r, e, "revents must be an integer");
            return PKT_SYS_STOP;
        }
        if (rc == 0 && v != got[i]) {
            pkt_call_fail(r, e, "Expected revents of 0x%llx but got 0x%llx for pollfd %zu", (unsigned long long)v,
                          (unsigned long long)got[i], i);
            return PKT_SYS_STOP;
        }
    }
    return PKT_RET(ready, 0);
}
