/*
 * pkt_sys.c - the system calls of a packetdrill script, made on the SUT (host A): sockets by
 * the script's fd numbers over tcpsim's user calls (RFC 9293 3.10.1-3.10.6, tcp_user.c), with
 * the results and errno values a Linux program sees (pkt_sym.c); the socket options and poll
 * are in pkt_sockopt.c.
 *
 * A call that blocks is started once (pkt_sys_start) and tried again after each event of the
 * world (pkt_sys_resume) until it returns. A call or an option tcpsim does not model makes the
 * script "unsupported", never a silent success.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_internal.h"

/* ---- sockets -------------------------------------------------------------------------------- */

struct pkt_fd *
pkt_fd_of(struct pkt_runner *r, int64_t fd)
{
    return fd >= 0 && fd < PKT_MAX_FDS && r->fd[fd].used ? &r->fd[fd] : NULL;
}

struct tcp_conn *
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

/* bind() to packetdrill's port: refused where Linux's is (EADDRINUSE), not only at listen(), so
   that a script sees the error on the line the kernel gives it. A port held by the host's
   listeners and connections follows tcpsim's rules (tcp_port_check); one only bound by another
   of the script's sockets is shared when both asked for SO_REUSEADDR (inet_csk_bind_conflict). */
static enum pkt_sys_status
pkt_sys_bind(struct pkt_runner *r, struct pkt_fd *f, int64_t *ret, int *err)
{
    if (f->port || f->conn)
        return PKT_RET(-1, EINVAL);
    if (tcp_port_check(r->sut, PKT_SUT_PORT, f->reuseaddr) != TCP_OK)
        return PKT_RET(-1, EADDRINUSE);
    for (int i = 0; i < PKT_MAX_FDS; i++) {
        const struct pkt_fd *o = &r->fd[i];
        if (o != f && o->used && !o->conn && o->port == PKT_SUT_PORT && !(o->reuseaddr && f->reuseaddr))
            return PKT_RET(-1, EADDRINUSE);
    }
    f->port = PKT_SUT_PORT;
    return PKT_RET(0, 0);
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
    if (f->opts.rcvbuf) {
        /* the SYN's window and scale would come from it, and tcp_open_active sends the SYN
           with the host's buffer (tcp_negotiate.c) */
        pkt_unsupported_at(r, e->line, "SO_RCVBUF set before connect()");
        return PKT_SYS_STOP;
    }
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    o.lport = f->port;
    o.reuseaddr = f->reuseaddr;
    enum tcp_err te = tcp_open_active(r->sut, r->peer->addr, PKT_PEER_PORT, &o, &c);
    if (te != TCP_OK)
        return PKT_RET(-1, pkt_errno(te));
    int sndbuf = f->opts.sndbuf;
    pkt_fd_apply(f, c);
    c->opts.sndbuf = 0;
    if (sndbuf && tcp_set_bufsize(c, false, (uint32_t)sndbuf) != TCP_OK)
        return PKT_RET(-1, ENOBUFS);
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
    if (strcmp(n, "bind") == 0)
        return pkt_sys_bind(r, f, ret, err);
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
