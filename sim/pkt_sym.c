/*
 * pkt_sym.c - the values of a packetdrill script's system calls: the symbols (SOCK_STREAM,
 * SO_LINGER, POLLIN, ECONNRESET ...) with their Linux values, tcpsim's errors as the errno a
 * Linux program sees, and the arguments of a call as integers, lists and structures.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
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
int
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
int
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
    case TCP_EMFILE: return EMFILE;
    case TCP_EADDRNOTAVAIL: return EADDRNOTAVAIL;
    case TCP_EOF: return 0;
    case TCP_ERR_COUNT: break;
    }
    return EINVAL;
}

/* ---- arguments -------------------------------------------------------------------------------- */

const struct pkt_expr *
pkt_arg(const struct pkt_event *e, size_t i)
{
    return i < e->call.nargs ? e->call.args[i] : NULL;
}

void
pkt_call_fail(struct pkt_runner *r, const struct pkt_event *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void
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
int
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
bool
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
const struct pkt_expr *
pkt_field(const struct pkt_expr *x, const char *name)
{
    if (!x || x->kind != PKT_X_STRUCT)
        return NULL;
    for (size_t i = 0; i < x->nkids; i++)
        if (x->kids[i]->kind == PKT_X_FIELD && strcmp(x->kids[i]->name, name) == 0 && x->kids[i]->nkids == 1)
            return x->kids[i]->kids[0];
    return NULL;
}

bool
pkt_nargs(struct pkt_runner *r, const struct pkt_event *e, size_t lo, size_t hi)
{
    if (e->call.nargs >= lo && e->call.nargs <= hi)
        return true;
    pkt_call_fail(r, e, "Expected %zu args but got %zu", lo, e->call.nargs);
    return false;
}
