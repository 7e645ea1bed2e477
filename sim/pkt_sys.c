/*
 * pkt_sys.c - the system calls of a packetdrill script, made on the SUT (host A): sockets by
 * the script's fd numbers over tcpsim's user calls (RFC 9293 3.10.1-3.10.6, tcp_user.c), with
 * the results and errno values a Linux program sees; and backtick commands (sysctl).
 *
 * The symbols (SOCK_STREAM, SO_LINGER, POLLIN, ECONNRESET ...) have their Linux values, so an
 * expected result written as a number or a name compares the same. A call or an option tcpsim
 * does not model makes the script "unsupported", never a silent success.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_internal.h"

/* ---- symbols ------------------------------------------------------------------------------ */

struct pkt_sym {
    const char *name;
    int64_t value;
};

#define E(x) {#x, x}
static const struct pkt_sym pkt_errnos[] = {
    E(EPERM), E(ENOENT), E(EINTR), E(EIO), E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT),
    E(EBUSY), E(EEXIST), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOSPC), E(EPIPE), E(ERANGE),
    E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT),
    E(EOPNOTSUPP), E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH),
    E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ESHUTDOWN),
    E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS), E(ENODATA),
};
#undef E

/* The Linux values (include/uapi/linux/..., asm-generic/socket.h, tcp.h, poll.h, fcntl.h). */
static const struct pkt_sym pkt_syms[] = {
    {"AF_INET", 2}, {"AF_INET6", 10}, {"PF_INET", 2}, {"PF_INET6", 10},
    {"SOCK_STREAM", 1}, {"SOCK_DGRAM", 2}, {"SOCK_NONBLOCK", 04000},
    {"IPPROTO_IP", 0}, {"IPPROTO_TCP", 6}, {"IPPROTO_UDP", 17}, {"IPPROTO_IPV6", 41},
    {"SOL_SOCKET", 1}, {"SOL_TCP", 6}, {"SOL_IP", 0},
    {"SO_DEBUG", 1}, {"SO_REUSEADDR", 2}, {"SO_TYPE", 3}, {"SO_ERROR", 4}, {"SO_DONTROUTE", 5},
    {"SO_BROADCAST", 6}, {"SO_SNDBUF", 7}, {"SO_RCVBUF", 8}, {"SO_KEEPALIVE", 9}, {"SO_OOBINLINE", 10},
    {"SO_PRIORITY", 12}, {"SO_LINGER", 13}, {"SO_REUSEPORT", 15}, {"SO_RCVLOWAT", 18},
    {"SO_SNDLOWAT", 19}, {"SO_RCVTIMEO", 20}, {"SO_SNDTIMEO", 21}, {"SO_TIMESTAMPING", 37},
    {"SO_MAX_PACING_RATE", 47}, {"SO_ZEROCOPY", 60},
    {"TCP_NODELAY", 1}, {"TCP_MAXSEG", 2}, {"TCP_CORK", 3}, {"TCP_KEEPIDLE", 4}, {"TCP_KEEPINTVL", 5},
    {"TCP_KEEPCNT", 6}, {"TCP_SYNCNT", 7}, {"TCP_LINGER2", 8}, {"TCP_DEFER_ACCEPT", 9},
    {"TCP_WINDOW_CLAMP", 10}, {"TCP_INFO", 11}, {"TCP_QUICKACK", 12}, {"TCP_CONGESTION", 13},
    {"TCP_MD5SIG", 14}, {"TCP_THIN_LINEAR_TIMEOUTS", 16}, {"TCP_USER_TIMEOUT", 18},
    {"TCP_REPAIR", 19}, {"TCP_FASTOPEN", 23}, {"TCP_TIMESTAMP", 24}, {"TCP_NOTSENT_LOWAT", 25},
    {"TCP_CC_INFO", 26}, {"TCP_SAVE_SYN", 27}, {"TCP_FASTOPEN_CONNECT", 30}, {"TCP_INQ", 36},
    {"F_GETFD", 1}, {"F_SETFD", 2}, {"F_GETFL", 3}, {"F_SETFL", 4},
    {"O_RDONLY", 0}, {"O_WRONLY", 1}, {"O_RDWR", 2}, {"O_NONBLOCK", 04000},
    {"SHUT_RD", 0}, {"SHUT_WR", 1}, {"SHUT_RDWR", 2},
    {"POLLIN", 0x1}, {"POLLPRI", 0x2}, {"POLLOUT", 0x4}, {"POLLERR", 0x8}, {"POLLHUP", 0x10},
    {"POLLNVAL", 0x20}, {"POLLRDNORM", 0x40}, {"POLLRDBAND", 0x80}, {"POLLWRNORM", 0x100},
    {"POLLWRBAND", 0x200}, {"POLLRDHUP", 0x2000},
    {"MSG_OOB", 0x1}, {"MSG_PEEK", 0x2}, {"MSG_TRUNC", 0x20}, {"MSG_DONTWAIT", 0x40}, {"MSG_EOR", 0x80},
    {"MSG_WAITALL", 0x100}, {"MSG_ERRQUEUE", 0x2000}, {"MSG_NOSIGNAL", 0x4000}, {"MSG_MORE", 0x8000},
    {"MSG_ZEROCOPY", 0x4000000}, {"MSG_FASTOPEN", 0x20000000},
    {"TCP_ESTABLISHED", 1}, {"TCP_SYN_SENT", 2}, {"TCP_SYN_RECV", 3}, {"TCP_FIN_WAIT1", 4},
    {"TCP_FIN_WAIT2", 5}, {"TCP_TIME_WAIT", 6}, {"TCP_CLOSE", 7}, {"TCP_CLOSE_WAIT", 8},
    {"TCP_LAST_ACK", 9}, {"TCP_LISTEN", 10}, {"TCP_CLOSING", 11},
    {"TCP_CA_Open", 0}, {"TCP_CA_Disorder", 1}, {"TCP_CA_CWR", 2}, {"TCP_CA_Recovery", 3}, {"TCP_CA_Loss", 4},
    {"NULL", 0},
};

int
pkt_symbol(const char *name, int64_t *out)
{
    for (size_t i = 0; i < sizeof pkt_errnos / sizeof pkt_errnos[0]; i++)
        if (strcmp(name, pkt_errnos[i].name) == 0)
            return *out = pkt_errnos[i].value, 0;
    if (strcmp(name, "EWOULDBLOCK") == 0)
        return *out = EAGAIN, 0;
    for (size_t i = 0; i < sizeof pkt_syms / sizeof pkt_syms[0]; i++)
        if (strcmp(name, pkt_syms[i].name) == 0)
            return *out = pkt_syms[i].value, 0;
    return -1;
}

const char *
pkt_errno_name(int e)
{
    for (size_t i = 0; i < sizeof pkt_errnos / sizeof pkt_errnos[0]; i++)
        if (pkt_errnos[i].value == e)
            return pkt_errnos[i].name;
    return NULL;
}

/* Linux's tcpi_state numbers (include/net/tcp_states.h), by RFC 9293 state. */
static int
pkt_linux_state(enum tcp_state s)
{
    static const int v[TCP_STATE_COUNT] = {
        [TCP_CLOSED] = 7, [TCP_LISTEN] = 10, [TCP_SYN_SENT] = 2, [TCP_SYN_RECEIVED] = 3,
        [TCP_ESTABLISHED] = 1, [TCP_FIN_WAIT_1] = 4, [TCP_FIN_WAIT_2] = 5, [TCP_CLOSE_WAIT] = 8,
        [TCP_CLOSING] = 11, [TCP_LAST_ACK] = 9, [TCP_TIME_WAIT] = 6,
    };
    return (unsigned)s < TCP_STATE_COUNT ? v[s] : 7;
}

/* The errno a Linux program sees for a tcpsim error. */
static int
pkt_errno(enum tcp_err e)
{
    switch (e) {
    case TCP_OK: return 0;
    case TCP_ENOTCONN: return ENOTCONN;
    case TCP_EISCONN: return EISCONN;
    case TCP_EPIPE: return EPIPE;
    case TCP_ESHUTDOWN: return EPIPE;
    case TCP_ECONNRESET: return ECONNRESET;
    case TCP_ECONNREFUSED: return ECONNREFUSED;
    case TCP_ETIMEDOUT: return ETIMEDOUT;
    case TCP_ECONNABORTED: return ECONNABORTED;
    case TCP_EADDRINUSE: return EADDRINUSE;
    case TCP_ENOBUFS: return ENOBUFS;
    case TCP_EINVAL: return EINVAL;
    case TCP_EOPNOTSUPP: return EOPNOTSUPP;
    case TCP_EOF: return 0;
    case TCP_ERR_COUNT: break;
    }
    return EINVAL;
}

/* ---- arguments -------------------------------------------------------------------------------- */

static const struct pkt_expr *
pkt_arg(const struct pkt_event *e, size_t i)
{
    return i < e->call.nargs ? e->call.args[i] : NULL;
}

static void
pkt_call_fail(struct pkt_runner *r, const struct pkt_event *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
pkt_call_fail(struct pkt_runner *r, const struct pkt_event *e, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pkt_fail(r, e->line, "runtime error in %s call: %s", e->call.name, msg);
}

/* The value of 'x': an integer, a symbol, a|b, or [v] (a one-element list). 1 when it is '...'
   (any), 0 with the value, -1 when it is none of those. */
static int
pkt_eval(const struct pkt_expr *x, int64_t *v)
{
    if (!x)
        return -1;
    switch (x->kind) {
    case PKT_X_INT:
        *v = x->num;
        return 0;
    case PKT_X_SYM:
        return pkt_symbol(x->name, v);
    case PKT_X_ELLIPSIS:
        return 1;
    case PKT_X_OR: {
        int64_t a, b;
        if (x->nkids != 2 || pkt_eval(x->kids[0], &a) != 0 || pkt_eval(x->kids[1], &b) != 0)
            return -1;
        *v = a | b;
        return 0;
    }
    case PKT_X_LIST:
        return x->nkids == 1 ? pkt_eval(x->kids[0], v) : -1;
    case PKT_X_STR:
    case PKT_X_STRUCT:
    case PKT_X_FIELD:
        break;
    }
    return -1;
}

/* Argument 'i' as an integer; false after a verdict naming it. */
static bool
pkt_int_arg(struct pkt_runner *r, const struct pkt_event *e, size_t i, const char *what, int64_t *v)
{
    const struct pkt_expr *x = pkt_arg(e, i);
    int rc = pkt_eval(x, v);
    if (rc == 0)
        return true;
    if (x && x->kind == PKT_X_SYM && rc < 0)
        pkt_unsupported_at(r, e->line, "the symbol %s (in %s)", x->name, e->call.name);
    else
        pkt_call_fail(r, e, "argument %zu (%s) must be an integer", i + 1, what);
    return false;
}

/* A field of a {name=value} structure, or NULL. */
static const struct pkt_expr *
pkt_field(const struct pkt_expr *x, const char *name)
{
    if (!x || x->kind != PKT_X_STRUCT)
        return NULL;
    for (size_t i = 0; i < x->nkids; i++)
        if (x->kids[i]->kind == PKT_X_FIELD && strcmp(x->kids[i]->name, name) == 0 && x->kids[i]->nkids == 1)
            return x->kids[i]->kids[0];
    return NULL;
}

static bool
pkt_nargs(struct pkt_runner *r, const struct pkt_event *e, size_t lo, size_t hi)
{
    if (e->call.nargs >= lo && e->call.nargs <= hi)
        return true;
    pkt_call_fail(r, e, "Expected %zu args but got %zu", lo, e->call.nargs);
    return false;
}

/* ---- sockets -------------------------------------------------------------------------------- */

static struct pkt_fd *
pkt_fd_of(struct pkt_runner *r, int64_t fd)
{
    return fd >= 0 && fd < PKT_MAX_FDS && r->fd[fd].used ? &r->fd[fd] : NULL;
}

static struct tcp_conn *
pkt_conn_of(struct pkt_runner *r, const struct pkt_fd *f)
{
    return f && f->conn ? world_conn(r->w, f->conn) : NULL;
}

/* A new fd for a socket: the number the script expects when it is free (packetdrill maps its
   script's fds onto the live ones), else the lowest from 3. -1 when none is left. */
static int
pkt_fd_new(struct pkt_runner *r, const struct pkt_event *e)
{
    int64_t want;
    if (pkt_eval(e->call.result, &want) == 0 && want >= 3 && want < PKT_MAX_FDS && !r->fd[want].used) {
        memset(&r->fd[want], 0, sizeof r->fd[want]);
        r->fd[want].used = true;
        r->fd[want].opts.user_timeout = -1;
        r->fd[want].opts.linger = -1;
        return (int)want;
    }
    for (int i = 3; i < PKT_MAX_FDS; i++)
        if (!r->fd[i].used) {
            memset(&r->fd[i], 0, sizeof r->fd[i]);
            r->fd[i].used = true;
            r->fd[i].opts.user_timeout = -1;
            r->fd[i].opts.linger = -1;
            return i;
        }
    return -1;
}

/* Options set before the socket had a connection, given to it now. */
static void
pkt_fd_apply(struct pkt_fd *f, struct tcp_conn *c)
{
    struct tcp_sockopts keep = c->opts;
    c->opts = f->opts;
    if (c->opts.user_timeout < 0)
        c->opts.user_timeout = keep.user_timeout;
    c->reuseaddr = f->reuseaddr;
    if (f->keepalive)
        (void)tcp_set_keepalive(c, true);
}

#define PKT_RET(v, e) (*ret = (v), *err = (e), PKT_SYS_DONE)

static enum pkt_sys_status
pkt_sys_socket(struct pkt_runner *r, const struct pkt_event *e, int64_t *ret, int *err)
{
    int64_t dom = 2, type = 1, proto = 6;
    if (!pkt_nargs(r, e, 3, 3))
        return PKT_SYS_STOP;
    if (pkt_eval(pkt_arg(e, 0), &dom) < 0 || pkt_eval(pkt_arg(e, 1), &type) < 0 || pkt_eval(pkt_arg(e, 2), &proto) < 0) {
        pkt_call_fail(r, e, "bad arguments");
        return PKT_SYS_STOP;
    }
    if (dom != 2) {
        pkt_unsupported_at(r, e->line, "IPv6 sockets");
        return PKT_SYS_STOP;
    }
    if ((type & ~(int64_t)04000) != 1 || (proto != 6 && proto != 0)) {
        pkt_unsupported_at(r, e->line, "sockets other than TCP");
        return PKT_SYS_STOP;
    }
    int fd = pkt_fd_new(r, e);
    if (fd < 0)
        return PKT_RET(-1, EMFILE);
    r->fd[fd].nonblock = (type & 04000) != 0;
    r->cur = -1; /* the new socket is the one under test */
    return PKT_RET(fd, 0);
}

static enum pkt_sys_status
pkt_sys_listen(struct pkt_runner *r, const struct pkt_event *e, struct pkt_fd *f, int64_t *ret, int *err)
{
    int64_t backlog;
    if (!pkt_nargs(r, e, 2, 2) || !pkt_int_arg(r, e, 1, "backlog", &backlog))
        return PKT_SYS_STOP;
    struct tcp_conn *l = pkt_conn_of(r, f);
    if (l && f->listening && l->state == TCP_LISTEN) {
        /* listen() again: a new backlog, capped as the first (Linux inet_listen) */
        int b = backlog < 0 ? 0 : backlog > r->sut->cfg.somaxconn ? r->sut->cfg.somaxconn : (int)backlog;
        l->backlog = b;
        return PKT_RET(0, 0);
    }
    if (f->conn)
        return PKT_RET(-1, EINVAL);
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.reuseaddr = f->reuseaddr;
    /* Linux: a backlog <= 0 is taken as is and capped at somaxconn; tcpsim's 0 means "the host's
       default", so 0 is passed as the smallest queue */
    o.backlog = backlog < 1 ? 1 : backlog > 65535 ? 65535 : (int)backlog;
    struct tcp_conn *c = NULL;
    enum tcp_err te = tcp_open_passive(r->sut, f->port ? f->port : PKT_SUT_PORT, &o, &c);
    if (te != TCP_OK)
        return PKT_RET(-1, pkt_errno(te));
    pkt_fd_apply(f, c);
    f->conn = c->id;
    f->listening = true;
    f->port = c->lport;
    r->cur = -1; /* the next SYN is for the listener */
    return PKT_RET(0, 0);
}

/* The result of a connect in progress, or PKT_SYS_BLOCK. */
static enum pkt_sys_status
pkt_connect_done(struct pkt_runner *r, struct pkt_fd *f, int64_t *ret, int *err)
{
    struct tcp_conn *c = pkt_conn_of(r, f);
    if (!c)
        return PKT_RET(-1, EBADF);
    if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED)
        return PKT_SYS_BLOCK;
    if (c->state == TCP_CLOSED && c->error != TCP_OK) {
        c->error_reported = true;
        return PKT_RET(-1, pkt_errno(c->error));
    }
    return PKT_RET(0, 0);
}

static enum pkt_sys_status
pkt_sys_connect(struct pkt_runner *r, const struct pkt_event *e, struct pkt_fd *f, int64_t *ret, int *err)
{
    if (!pkt_nargs(r, e, 3, 3))
        return PKT_SYS_STOP;
    struct tcp_conn *c = pkt_conn_of(r, f);
    if (c && f->listening)
        return PKT_RET(-1, EISCONN);
    if (c && (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED))
        return PKT_RET(-1, f->nonblock ? EALREADY : EALREADY);
    if (c && c->state != TCP_CLOSED)
        return PKT_RET(-1, EISCONN);
    if (c && c->state == TCP_CLOSED) {
        /* a non-blocking connect that failed: the error once, as Linux's connect() reports it */
        if (!c->error_reported && c->error != TCP_OK) {
            c->error_reported = true;
            return PKT_RET(-1, pkt_errno(c->error));
        }
        return PKT_RET(-1, ECONNABORTED);
    }
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = f->port;
    o.reuseaddr = f->reuseaddr;
    enum tcp_err te = tcp_open_active(r->sut, r->peer->addr, PKT_PEER_PORT, &o, &c);
    if (te != TCP_OK)
        return PKT_RET(-1, pkt_errno(te));
    pkt_fd_apply(f, c);
    f->conn = c->id;
    f->port = c->lport;
    int fl = pkt_flow_get(r, c->lport, PKT_PEER_PORT, false);
    if (fl >= 0)
        r->cur = fl;
    if (f->nonblock)
        return PKT_RET(-1, EINPROGRESS);
    return pkt_connect_done(r, f, ret, err);
}

static enum pkt_sys_status
pkt_accept_try(struct pkt_runner *r, const struct pkt_event *e, struct pkt_fd *f, int64_t *ret, int *err)
{
    struct tcp_conn *l = pkt_conn_of(r, f);
    if (!l || !f->listening)
        return PKT_RET(-1, EINVAL);
    struct tcp_conn *c = NULL;
    enum tcp_err te = tcp_accept(l, &c);
    if (te != TCP_OK)
        return PKT_RET(-1, pkt_errno(te));
    if (!c)
        return f->nonblock ? PKT_RET(-1, EAGAIN) : PKT_SYS_BLOCK;
    int fd = pkt_fd_new(r, e);
    if (fd < 0)
        return PKT_RET(-1, EMFILE);
    r->fd[fd].conn = c->id;
    r->fd[fd].port = c->lport;
    return PKT_RET(fd, 0);
}

/* The octets a write-like call sends: its length argument, or the iovec's. */
static bool
pkt_write_len(struct pkt_runner *r, const struct pkt_event *e, int64_t *len)
{
    const char *n = e->call.name;
    if (strcmp(n, "sendmsg") == 0 || strcmp(n, "recvmsg") == 0 || strcmp(n, "writev") == 0 || strcmp(n, "readv") == 0) {
        const struct pkt_expr *iov = strstr(n, "msg") ? pkt_field(pkt_arg(e, 1), "msg_iov") : pkt_arg(e, 1);
        if (!iov || iov->kind != PKT_X_LIST || iov->nkids != 1 || iov->kids[0]->kind != PKT_X_STRUCT ||
            iov->kids[0]->nkids < 1) {
            pkt_unsupported_at(r, e->line, "%s with other than one buffer", n);
            return false;
        }
        const struct pkt_expr *last = iov->kids[0]->kids[iov->kids[0]->nkids - 1];
        if (last->kind == PKT_X_FIELD && last->nkids == 1)
            last = last->kids[0];
        if (pkt_eval(last, len) != 0) {
            pkt_call_fail(r, e, "the buffer's length must be an integer");
            return false;
        }
    } else if (!pkt_int_arg(r, e, 2, "count", len)) {
        return false;
    }
    if (*len < 0 || *len > (1 << 26)) {
        pkt_call_fail(r, e, "a length of %lld is out of range", (long long)*len);
        return false;
    }
    return true;
}

/* The flags argument of send/recv (0 for write/read); MSG_DONTWAIT makes the call non-blocking. */
static bool
pkt_msg_flags(struct pkt_runner *r, const struct pkt_event *e, bool *dontwait)
{
    const char *n = e->call.name;
    size_t at = strcmp(n, "sendmsg") == 0 || strcmp(n, "recvmsg") == 0 ? 2
                : strcmp(n, "send") == 0 || strcmp(n, "recv") == 0 || strcmp(n, "sendto") == 0 ||
                        strcmp(n, "recvfrom") == 0
                    ? 3
                    : 99;
    int64_t fl = 0;
    if (at < e->call.nargs && pkt_eval(pkt_arg(e, at), &fl) < 0) {
        pkt_call_fail(r, e, "bad flags");
        return false;
    }
    if (fl & ~(int64_t)(0x40 | 0x4000)) {
        pkt_unsupported_at(r, e->line, "%s with flags other than MSG_DONTWAIT, MSG_NOSIGNAL%s", n,
                           (fl & 0x20000000) ? " (MSG_FASTOPEN: TCP fast open)"
                           : (fl & 0x4000000) ? " (MSG_ZEROCOPY)"
                                              : "");
        return false;
    }
    *dontwait = (fl & 0x40) != 0;
    return true;
}

static enum pkt_sys_status
pkt_write_try(struct pkt_runner *r, const struct pkt_event *e, struct pkt_fd *f, int64_t len, bool nonblock,
              int64_t *ret, int *err)
{
    struct tcp_conn *c = pkt_conn_of(r, f);
    if (!c || f->listening)
        return PKT_RET(-1, EPIPE); /* a listener too: sk_stream_wait_connect (a 6.18 kernel) */
    if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED)
        return nonblock ? PKT_RET(-1, EAGAIN) : PKT_SYS_BLOCK; /* Linux waits for the connection */
    if (c->state == TCP_CLOSED && c->error != TCP_OK && !c->error_reported) {
        c->error_reported = true;
        return PKT_RET(-1, pkt_errno(c->error));
    }
    int64_t left = len - r->pend.progress;
    uint8_t *buf = left > 0 ? calloc(1, (size_t)left) : NULL;
    if (left > 0 && !buf) {
        r->oom = true;
        return PKT_RET(-1, ENOMEM);
    }
    size_t queued = 0;
    enum tcp_err te = tcp_send(c, buf, (size_t)left, &queued);
    free(buf);
    (void)e;
    if (te != TCP_OK)
        return r->pend.progress > 0 ? PKT_RET(r->pend.progress, 0) : PKT_RET(-1, pkt_errno(te));
    r->pend.progress += (int64_t)queued;
    if (r->pend.progress == len)
        return PKT_RET(len, 0);
    if (nonblock)
        return r->pend.progress ? PKT_RET(r->pend.progress, 0) : PKT_RET(-1, EAGAIN);
    return PKT_SYS_BLOCK;
}

static enum pkt_sys_status
pkt_read_try(struct pkt_runner *r, struct pkt_fd *f, int64_t len, bool nonblock, int64_t *ret, int *err)
{
    struct tcp_conn *c = pkt_conn_of(r, f);
    if (!c || f->listening)
        return PKT_RET(-1, ENOTCONN);
    if ((c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) && !nonblock)
        return PKT_SYS_BLOCK;
    size_t got = 0;
    enum tcp_err te = tcp_receive(c, NULL, (size_t)len, &got);
    if (te == TCP_EOF)
        return PKT_RET(0, 0);
    if (te != TCP_OK)
        return PKT_RET(-1, pkt_errno(te));
    if (got > 0 || len == 0)
        return PKT_RET((int64_t)got, 0);
    return nonblock ? PKT_RET(-1, EAGAIN) : PKT_SYS_BLOCK;
}

static enum pkt_sys_status
pkt_sys_close(struct pkt_runner *r, struct pkt_fd *f, int64_t *ret, int *err)
{
    struct tcp_conn *c = pkt_conn_of(r, f);
    /* close() never fails for a valid fd: RFC 9293's CLOSE, or with SO_LINGER 0 an abort, as
       Linux's tcp_close does */
    if (c && c->state != TCP_CLOSED) {
        if (c->opts.linger == 0)
            (void)tcp_abort(c);
        else
            (void)tcp_close(c);
    } else if (c && c->state == TCP_CLOSED) {
        c->orphaned = true;
    }
    f->used = false;
    return PKT_RET(0, 0);
}

static enum pkt_sys_status
pkt_sys_shutdown(struct pkt_runner *r, const struct pkt_event *e, struct pkt_fd *f, int64_t *ret, int *err)
{
    int64_t how;
    if (!pkt_nargs(r, e, 2, 2) || !pkt_int_arg(r, e, 1, "how", &how))
        return PKT_SYS_STOP;
    if (how < 0 || how > 2)
        return PKT_RET(-1, EINVAL);
    struct tcp_conn *c = pkt_conn_of(r, f);
    if (!c || c->state == TCP_CLOSED || c->state == TCP_SYN_SENT)
        return PKT_RET(-1, ENOTCONN);
    enum tcp_err te = TCP_OK;
    if (f->listening) {
        /* Linux: shutdown of a listener closes it (tcp_disconnect) */
        (void)tcp_close(c);
        return PKT_RET(0, 0);
    }
    if (how != 1)
        te = tcp_shutdown_read(c);
    if (te == TCP_OK && how != 0)
        te = tcp_shutdown(c);
    /* a second SHUT_WR is no error in Linux */
    if (te == TCP_ESHUTDOWN || te == TCP_EPIPE)
        te = TCP_OK;
    return te == TCP_OK ? PKT_RET(0, 0) : PKT_RET(-1, pkt_errno(te));
}

static enum pkt_sys_status
pkt_sys_fcntl(struct pkt_runner *r, const struct pkt_event *e, struct pkt_fd *f, int64_t *ret, int *err)
{
    int64_t cmd, v = 0;
    if (!pkt_nargs(r, e, 2, 3) || !pkt_int_arg(r, e, 1, "cmd", &cmd))
        return PKT_SYS_STOP;
    if (cmd == 3) /* F_GETFL */
        return PKT_RET(2 | (f->nonblock ? 04000 : 0), 0);
    if (cmd == 4) { /* F_SETFL */
        if (!pkt_int_arg(r, e, 2, "flags", &v))
            return PKT_SYS_STOP;
        f->nonblock = (v & 04000) != 0;
        return PKT_RET(0, 0);
    }
    pkt_unsupported_at(r, e->line, "fcntl commands other than F_GETFL and F_SETFL");
    return PKT_SYS_STOP;
}

/* ---- socket options --------------------------------------------------------------------------- */

enum { PKT_SOL_SOCKET = 1, PKT_SOL_TCP = 6 };

/* setsockopt(fd, level, name, value, len) */
static enum pkt_sys_status
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
static enum pkt_sys_status
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
static enum pkt_sys_status
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

/* ---- dispatch ------------------------------------------------------------------------------- */

static bool
pkt_is(const struct pkt_event *e, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (strcmp(e->call.name, names[i]) == 0)
            return true;
    return false;
}

static const char *const pkt_writes[] = {"write", "send", "sendto", "sendmsg", "writev", NULL};
static const char *const pkt_reads[] = {"read", "recv", "recvfrom", "recvmsg", "readv", NULL};

static enum pkt_sys_status
pkt_sys_call(struct pkt_runner *r, const struct pkt_event *e, bool first, bool timed_out, int64_t *ret, int *err)
{
    const char *n = e->call.name;
    if (strcmp(n, "socket") == 0)
        return pkt_sys_socket(r, e, ret, err);
    if (strcmp(n, "poll") == 0)
        return pkt_poll_try(r, e, timed_out, ret, err);
    static const char *const known[] = {"bind", "listen", "accept", "connect", "close", "shutdown", "fcntl",
                                        "setsockopt", "getsockopt", NULL};
    if (!pkt_is(e, known) && !pkt_is(e, pkt_writes) && !pkt_is(e, pkt_reads)) {
        pkt_unsupported_at(r, e->line, "the system call %s", n);
        return PKT_SYS_STOP;
    }
    int64_t fdn;
    if (e->call.nargs < 1 || !pkt_int_arg(r, e, 0, "fd", &fdn))
        return e->call.nargs < 1 ? (pkt_call_fail(r, e, "Argument list too short"), PKT_SYS_STOP) : PKT_SYS_STOP;
    struct pkt_fd *f = pkt_fd_of(r, fdn);
    if (!f)
        return PKT_RET(-1, EBADF);
    if (strcmp(n, "bind") == 0) {
        if (f->port || f->conn)
            return PKT_RET(-1, EINVAL);
        f->port = PKT_SUT_PORT;
        return PKT_RET(0, 0);
    }
    if (strcmp(n, "listen") == 0)
        return pkt_sys_listen(r, e, f, ret, err);
    if (strcmp(n, "accept") == 0)
        return pkt_accept_try(r, e, f, ret, err);
    if (strcmp(n, "connect") == 0)
        return first ? pkt_sys_connect(r, e, f, ret, err) : pkt_connect_done(r, f, ret, err);
    if (strcmp(n, "close") == 0)
        return pkt_sys_close(r, f, ret, err);
    if (strcmp(n, "shutdown") == 0)
        return pkt_sys_shutdown(r, e, f, ret, err);
    if (strcmp(n, "fcntl") == 0)
        return pkt_sys_fcntl(r, e, f, ret, err);
    if (strcmp(n, "setsockopt") == 0)
        return pkt_sys_setsockopt(r, e, f, ret, err);
    if (strcmp(n, "getsockopt") == 0)
        return pkt_sys_getsockopt(r, e, f, ret, err);
    int64_t len;
    bool dontwait;
    if (!pkt_write_len(r, e, &len) || !pkt_msg_flags(r, e, &dontwait))
        return PKT_SYS_STOP;
    const struct pkt_expr *buf = pkt_arg(e, 1);
    if (buf && ((buf->kind == PKT_X_SYM && strcmp(buf->name, "NULL") == 0) || (buf->kind == PKT_X_INT && buf->num == 0)) &&
        len > 0)
        return PKT_RET(-1, EFAULT); /* a bad buffer address, as the kernel's copy from user finds it */
    if (pkt_is(e, pkt_writes))
        return pkt_write_try(r, e, f, len, f->nonblock || dontwait, ret, err);
    return pkt_read_try(r, f, len, f->nonblock || dontwait, ret, err);
}

enum pkt_sys_status
pkt_sys_start(struct pkt_runner *r, const struct pkt_event *e, int64_t *ret, int *err)
{
    r->pend.progress = 0;
    r->pend.wake = CLK_NEVER;
    *ret = 0;
    *err = 0;
    return pkt_sys_call(r, e, true, false, ret, err);
}

enum pkt_sys_status
pkt_sys_resume(struct pkt_runner *r, const struct pkt_event *e, bool timed_out, int64_t *ret, int *err)
{
    *ret = 0;
    *err = 0;
    return pkt_sys_call(r, e, false, timed_out, ret, err);
}

/* ---- backtick commands ------------------------------------------------------------------------ */

/* The unit a Linux sysctl's value is in, for a tcpsim time setting: most are seconds,
   tcp_invalid_ratelimit is milliseconds. */
static double
pkt_sysctl_scale(const char *name)
{
    return strcmp(name, "tcp_invalid_ratelimit") == 0 ? 0.001 : 1.0;
}

/* Shell arithmetic of a sysctl value, "$((15*1024*1024))": integers with + - * /, the usual
   precedence. false when it is anything else. */
static bool
pkt_arith(const char **p, long long *out, int level)
{
    long long v = 0;
    while (**p == ' ')
        (*p)++;
    if (level == 2) {
        if (**p == '(') {
            (*p)++;
            if (!pkt_arith(p, &v, 0) || **p != ')')
                return false;
            (*p)++;
        } else {
            char *end;
            v = strtoll(*p, &end, 10);
            if (end == *p || v > (1LL << 40))
                return false;
            *p = end;
        }
        while (**p == ' ')
            (*p)++;
        *out = v;
        return true;
    }
    if (!pkt_arith(p, &v, level + 1))
        return false;
    for (;;) {
        char op = **p;
        if (!(level == 0 ? op == '+' || op == '-' : op == '*' || op == '/'))
            break;
        (*p)++;
        long long w;
        if (!pkt_arith(p, &w, level + 1) || (op == '/' && w == 0))
            return false;
        v = op == '+' ? v + w : op == '-' ? v - w : op == '*' ? v * w : v / w;
        if (v > (1LL << 40) || v < -(1LL << 40))
            return false;
    }
    *out = v;
    return true;
}

/* 'val' with each $((...)) replaced by its value, into 'out'; false when one is not simple
   arithmetic. */
static bool
pkt_expand(const char *val, char *out, size_t cap)
{
    size_t at = 0;
    while (*val && at + 1 < cap) {
        if (strncmp(val, "$((", 3) == 0) {
            const char *p = val + 3;
            long long v;
            if (!pkt_arith(&p, &v, 0) || strncmp(p, "))", 2) != 0)
                return false;
            int m = snprintf(out + at, cap - at, "%lld", v);
            if (m < 0 || (size_t)m >= cap - at)
                return false;
            at += (size_t)m;
            val = p + 2;
        } else if (*val == '$' || *val == '`') {
            return false;
        } else {
            out[at++] = *val++;
        }
    }
    out[at] = '\0';
    return *val == '\0';
}

static void
pkt_sysctl(struct pkt_runner *r, int line, const char *assign)
{
    char name[96], raw[192], val[192];
    const char *eq = strchr(assign, '=');
    if (!eq || (size_t)(eq - assign) >= sizeof name) {
        pkt_warn(r, line, "ignored sysctl argument '%s'", assign);
        return;
    }
    memcpy(name, assign, (size_t)(eq - assign));
    name[eq - assign] = '\0';
    snprintf(raw, sizeof raw, "%s", eq + 1);
    /* unquote "4096 87380 6291456" */
    size_t vl = strlen(raw);
    if (vl >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw[vl - 1] == raw[0]) {
        memmove(raw, raw + 1, vl - 2);
        raw[vl - 2] = '\0';
    }
    /* /proc/sys/net/ipv4/tcp_x (set_sysctls.py) and net/ipv4/tcp_x are net.ipv4.tcp_x */
    if (strncmp(name, "/proc/sys/", 10) == 0)
        memmove(name, name + 10, strlen(name + 10) + 1);
    for (char *c = name; *c; c++)
        if (*c == '/')
            *c = '.';
    const char *key = NULL;
    if (strncmp(name, "net.ipv4.tcp_", 13) == 0)
        key = name + 9;
    else if (strcmp(name, "net.core.somaxconn") == 0)
        key = "somaxconn";
    const struct tcp_setting_info *info = key ? tcp_setting_find(key) : NULL;
    if (info) {
        if (!pkt_expand(raw, val, sizeof val)) {
            pkt_warn(r, line, "sysctl %s: cannot read the value '%s'", name, raw);
            return;
        }
        enum tcp_err te;
        if (info->kind == TCP_SET_TIME) {
            /* Linux's unit: seconds, or milliseconds for tcp_invalid_ratelimit */
            char *end;
            double v = strtod(val, &end);
            te = *end || end == val ? TCP_EINVAL : tcp_setting_set(&r->sut->cfg, info, v * pkt_sysctl_scale(key));
        } else {
            te = tcp_setting_parse(&r->sut->cfg, info, val);
        }
        if (te != TCP_OK)
            pkt_warn(r, line, "sysctl %s=%s is not a value tcpsim takes for %s; ignored", name, val, key);
        return;
    }
    for (int i = 0; i < r->nwarned; i++)
        if (strcmp(r->warned[i], name) == 0)
            return;
    if (r->nwarned < PKT_MAX_WARN) {
        char *copy = malloc(strlen(name) + 1);
        if (copy) {
            strcpy(copy, name);
            r->warned[r->nwarned++] = copy;
        }
    }
    pkt_warn(r, line, "sysctl %s is not a setting tcpsim models; ignored", name);
}

/* One command line: "sysctl -q A=1 B=2", a defaults.sh include, or anything else (ignored). */
static void pkt_shell_text(struct pkt_runner *r, int line, const char *text, int depth);

static void
pkt_shell_line(struct pkt_runner *r, int line, char *cmd, int depth)
{
    while (*cmd == ' ' || *cmd == '\t')
        cmd++;
    size_t n = strlen(cmd);
    while (n && (cmd[n - 1] == ' ' || cmd[n - 1] == '\t' || cmd[n - 1] == '\r'))
        cmd[--n] = '\0';
    if (!*cmd || *cmd == '#')
        return;
    /* a comment at the end of the line */
    char *hash = strstr(cmd, " #");
    if (hash)
        *hash = '\0';
    const char *helper = strstr(cmd, "set_sysctls.py ");
    if (strncmp(cmd, "sysctl ", 7) == 0 || helper) {
        char *save = NULL;
        char *tok = strtok_r(helper ? (char *)helper + 15 : cmd + 7, " \t", &save);
        for (; tok; tok = strtok_r(NULL, " \t", &save)) {
            if (tok[0] == '-')
                continue; /* -q, -w, -e */
            if (tok[0] == '>' || strcmp(tok, "2>&1") == 0)
                break;
            /* a quoted value with blanks: glue it back */
            char buf[192];
            const char *eq = strchr(tok, '=');
            if (eq && (eq[1] == '"' || eq[1] == '\'') && (strlen(eq + 1) < 2 || tok[strlen(tok) - 1] != eq[1])) {
                snprintf(buf, sizeof buf, "%s", tok);
                char *more;
                while ((more = strtok_r(NULL, " \t", &save))) {
                    size_t bl = strlen(buf);
                    snprintf(buf + bl, sizeof buf - bl, " %s", more);
                    if (more[strlen(more) - 1] == eq[1])
                        break;
                }
                pkt_sysctl(r, line, buf);
            } else {
                pkt_sysctl(r, line, tok);
            }
        }
        return;
    }
    /* the device and the route: tcpsim's wire has no MTU and no queueing discipline; pfifo,
       which packetdrill's defaults.sh installs, is what the wire does anyway */
    if (strncmp(cmd, "tc ", 3) == 0 && strstr(cmd, "qdisc") && !strstr(cmd, "pfifo")) {
        pkt_unsupported_at(r, line, "queueing disciplines (%s)", cmd);
        return;
    }
    if (strncmp(cmd, "ip ", 3) == 0 && strstr(cmd, " mtu ")) {
        pkt_unsupported_at(r, line, "the route's or the device's MTU (%s)", cmd);
        return;
    }
    if (strncmp(cmd, "sleep ", 6) == 0) {
        /* the command takes that long: the clock goes on meanwhile, as on the kernel */
        char *end;
        double secs = strtod(cmd + 6, &end);
        while (*end == ' ')
            end++;
        if (*end || !(secs >= 0 && secs <= 3600)) {
            pkt_warn(r, line, "shell command ignored: %s", cmd);
            return;
        }
        pkt_sleep(r, secs);
        return;
    }
    const char *base = strrchr(cmd, '/');
    base = base ? base + 1 : cmd;
    if (strcmp(base, "defaults.sh") == 0 && depth == 0) {
        /* the common include: its file beside the script's folder, read as the script's own lines */
        char path[4096];
        const char *slash = strrchr(r->s->path, '/');
        if (cmd[0] == '/')
            snprintf(path, sizeof path, "%s", cmd);
        else
            snprintf(path, sizeof path, "%.*s%s", slash ? (int)(slash - r->s->path + 1) : 0, r->s->path, cmd);
        FILE *fp = fopen(path, "r");
        if (!fp) {
            pkt_warn(r, line, "cannot read %s (%s); its settings are not applied", path, strerror(errno));
            return;
        }
        char *buf = malloc(65536);
        size_t got = buf ? fread(buf, 1, 65535, fp) : 0;
        fclose(fp);
        if (!buf)
            return;
        buf[got] = '\0';
        pkt_shell_text(r, line, buf, depth + 1);
        free(buf);
        return;
    }
    pkt_warn(r, line, "shell command ignored: %s", cmd);
}

/* One piece of a command line; inside an if ... fi (skipping > 0) nothing runs: tcpsim
   cannot tell which branch the shell would take. */
static void
pkt_shell_piece(struct pkt_runner *r, int line, char *piece, int depth, int *skipping)
{
    while (*piece == ' ' || *piece == '\t')
        piece++;
    if (strncmp(piece, "if ", 3) == 0 || strncmp(piece, "while ", 6) == 0 || strncmp(piece, "for ", 4) == 0) {
        if ((*skipping)++ == 0)
            pkt_warn(r, line, "shell command ignored: %s ...", piece);
        return;
    }
    if (*skipping > 0) {
        if (strncmp(piece, "fi", 2) == 0 || strncmp(piece, "done", 4) == 0)
            (*skipping)--;
        return;
    }
    pkt_shell_line(r, line, piece, depth);
}

static void
pkt_shell_text(struct pkt_runner *r, int line, const char *text, int depth)
{
    size_t n = strlen(text);
    char *copy = malloc(n + 1);
    if (!copy)
        return;
    memcpy(copy, text, n + 1);
    /* a backslash at the end of a line continues it */
    for (char *c = copy; (c = strstr(c, "\\\n"));)
        c[0] = c[1] = ' ';
    int skipping = 0;
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n;", &save); l && !r->done; l = strtok_r(NULL, "\n;", &save)) {
        /* "a && b", and "a & b" (a in the background) */
        char *amp;
        while ((amp = strchr(l, '&'))) {
            if (amp > l && amp[-1] == '>') { /* 2>&1 */
                amp[0] = ' ';
                continue;
            }
            *amp = '\0';
            pkt_shell_piece(r, line, l, depth, &skipping);
            l = amp + (amp[1] == '&' ? 2 : 1);
        }
        pkt_shell_piece(r, line, l, depth, &skipping);
    }
    free(copy);
}

void
pkt_sys_shell(struct pkt_runner *r, const struct pkt_event *e)
{
    pkt_shell_text(r, e->line, e->shell, 0);
}
