/*
 * pkt_internal.h - what the packetdrill runner (pkt_run.c) and its system calls (pkt_sys.c)
 * share: the runner's state, the script's sockets and flows.
 */
#ifndef TCPSIM_PKT_INTERNAL_H
#define TCPSIM_PKT_INTERNAL_H

#include <stdio.h>

#include "tcpsim/pkt.h"
#include "tcpsim/world.h"

#define PKT_MAX_FDS 64
#define PKT_MAX_FLOWS 64
#define PKT_MAX_WARN 32
/* packetdrill's ports: the SUT binds 8080 and connects to 8080 (its live_bind_port and
   live_connect_port); the script's own end of a passive connection takes a fresh port. */
#define PKT_SUT_PORT 8080
#define PKT_PEER_PORT 8080
#define PKT_PEER_EPHEMERAL 48000

/* A socket of the SUT's program, by the script's fd number. */
struct pkt_fd {
    bool used;
    bool nonblock;             /* fcntl O_NONBLOCK */
    bool listening;
    uint16_t port;             /* bound (bind) or the connection's */
    uint32_t conn;             /* the connection's id, 0 before listen/connect */
    bool reuseaddr, keepalive;
    struct tcp_sockopts opts;  /* set before there is a connection */
    bool eof_seen;             /* a read returned 0 */
};

/* A connection as the script sees it (packetdrill's "socket"): its ports and the two ISNs
   that relate the script's sequence numbers of the SUT's side to the live ones. */
struct pkt_flow {
    uint16_t sut_port, peer_port;
    bool passive;              /* born of an inbound segment to a listener */
    bool anon;                 /* only named by lines with explicit ports ("< 40001>8080 S"):
                                  its segments go to the current connection's numbering, and
                                  the SUT's answers are not sniffed, as packetdrill knows no
                                  socket for them */
    bool live_isn_known;
    uint32_t live_isn;         /* the SUT's ISN, from its SYN or SYN,ACK */
    uint32_t script_isn;       /* the script's number for it (the seq of its '>' SYN line) */
    bool script_isn_known;     /* both are learnt once: a later incarnation on the same ports
                                  keeps the numbering, as packetdrill's does */
    /* Timestamps: the SUT's TSval in the script's space, as packetdrill maps them: each TSval
       the script wrote for an outbound segment, with the live one, and the first pair as the
       base for the rest (an inbound TSecr is moved to the live clock with them). */
    bool ts_found;
    uint32_t ts_first_script, ts_first_live;
    struct {
        uint32_t script, live;
    } ts_map[32];
    int nts_map;
};

/* A sniffed segment of the SUT. */
struct pkt_sniffed {
    struct tcp_seg seg;        /* data NULL: packetdrill compares no payload bytes */
    clk_time t;
};

/* A system call in progress: a blocking one the script wrote with ...END, or one that blocks
   without, which the runner waits for. */
struct pkt_pending {
    bool on;
    size_t ev;                 /* its event */
    int64_t start_us, end_us;  /* its start, and the end the script expects (blocking ...END) */
    clk_time wake;             /* a timeout (poll): complete then; CLK_NEVER for none */
    int64_t progress;          /* write: octets queued so far */
};

struct pkt_runner {
    const struct pkt_script *s;
    struct pkt_run_opts o;
    FILE *log;
    struct world *w;
    bool own_world;              /* pkt_runner_new's: freed with the runner */
    struct tcp_host *sut, *peer;
    size_t next;                 /* the next event */
    struct pkt_result res;
    bool done;
    int64_t last_us;             /* the previous event's script time (its start) */
    bool last_inbound;           /* ... and it was an inbound packet (anchors the next one) */
    bool started;
    struct pkt_sniffed *q;       /* segments the SUT sent, not yet matched */
    size_t qhead, qlen, qcap;
    bool oom;
    struct pkt_fd fd[PKT_MAX_FDS];
    struct pkt_flow flow[PKT_MAX_FLOWS];
    int nflows, cur;             /* the flows, and the script's current one (packetdrill's
                                    socket under test); -1 after socket() or listen(): the next
                                    SYN starts a new connection */
    uint16_t next_peer_port;
    struct pkt_pending pend;
    char *warned[PKT_MAX_WARN];  /* sysctl names reported unknown, once each */
    int nwarned;
};

/* pkt_run.c */
int64_t pkt_now_us(const struct pkt_runner *r);
/* The clock runs on 'secs' (a shell command's sleep), the world with it. */
void pkt_sleep(struct pkt_runner *r, double secs);
void pkt_fail(struct pkt_runner *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void pkt_unsupported_at(struct pkt_runner *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void pkt_warn(struct pkt_runner *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The flow for the SUT's port 'sut_port' and the script's 'peer_port', made when new;
   -1 when there are too many. */
int pkt_flow_get(struct pkt_runner *r, uint16_t sut_port, uint16_t peer_port, bool passive);

/* The flow of these ports, or -1. */
int pkt_flow_find(const struct pkt_runner *r, uint16_t sut_port, uint16_t peer_port);
/* Play the world up to 'until', trying a blocked call after each event; stop early when
   'stop_on_sniff' and the SUT has sent something, or at a verdict. */
void pkt_advance(struct pkt_runner *r, clk_time until, bool stop_on_sniff);
/* The blocked system call, tried again; a verdict when it returns wrong. */
void pkt_pending_check(struct pkt_runner *r, bool timed_out);
double pkt_secs(int64_t us);
/* packetdrill's verify_time: false with "timing error: ..." in 'err'. */
bool pkt_time_ok(const struct pkt_runner *r, enum pkt_time_kind kind, int64_t exp, int64_t exp_end, int64_t offset,
                 int64_t actual, int64_t last, const char *what, char *err, size_t cap);

/* pkt_packet.c: an inbound line, injected now; an outbound line at script time 't' (its range
   to 't_end'; 'offset': what a relative time counts from), matched against what the SUT sent. */
void pkt_do_inbound(struct pkt_runner *r, const struct pkt_event *e);
void pkt_do_outbound(struct pkt_runner *r, const struct pkt_event *e, int64_t t, int64_t t_end, int64_t offset);

/* pkt_sys.c: what a system call did. */
enum pkt_sys_status {
    PKT_SYS_DONE,   /* returned: '*ret' and '*err' (errno, 0 for none) */
    PKT_SYS_BLOCK,  /* would block: call pkt_sys_resume until it is done */
    PKT_SYS_STOP,   /* the runner has a verdict (unsupported, a bad argument) */
};
/* Start system call 'e'. */
enum pkt_sys_status pkt_sys_start(struct pkt_runner *r, const struct pkt_event *e, int64_t *ret, int *err);
/* Try again to finish the blocked call 'e'; 'timed_out' when its timeout (pend.wake) came. */
enum pkt_sys_status pkt_sys_resume(struct pkt_runner *r, const struct pkt_event *e, bool timed_out, int64_t *ret,
                                   int *err);
#define PKT_RET(v, e) (*ret = (v), *err = (e), PKT_SYS_DONE)
enum { PKT_SOL_SOCKET = 1, PKT_SOL_TCP = 6 }; /* Linux's levels */

/* pkt_sys.c: the script's fd 'fd', NULL when it is not open; its connection, or NULL. */
struct pkt_fd *pkt_fd_of(struct pkt_runner *r, int64_t fd);
struct tcp_conn *pkt_conn_of(struct pkt_runner *r, const struct pkt_fd *f);

/* pkt_sockopt.c */
enum pkt_sys_status pkt_sys_setsockopt(struct pkt_runner *r, const struct pkt_event *e, struct pkt_fd *f,
                                       int64_t *ret, int *err);
enum pkt_sys_status pkt_sys_getsockopt(struct pkt_runner *r, const struct pkt_event *e, struct pkt_fd *f,
                                       int64_t *ret, int *err);
/* poll(): the ready count, or PKT_SYS_BLOCK until an event or its timeout ('timed_out'). */
enum pkt_sys_status pkt_poll_try(struct pkt_runner *r, const struct pkt_event *e, bool timed_out, int64_t *ret,
                                 int *err);

/* pkt_sym.c */
int pkt_linux_state(enum tcp_state s);   /* Linux's tcpi_state number */
int pkt_errno(enum tcp_err e);           /* the errno a Linux program sees (0 for none) */
const struct pkt_expr *pkt_arg(const struct pkt_event *e, size_t i); /* argument i, or NULL */
/* "runtime error in CALL call: ..." as the verdict. */
void pkt_call_fail(struct pkt_runner *r, const struct pkt_event *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An expression's integer value: 0 with it, 1 for '...' (any), -1 when it has none. */
int pkt_eval(const struct pkt_expr *x, int64_t *v);
/* Argument i as an integer; false after a verdict naming it. */
bool pkt_int_arg(struct pkt_runner *r, const struct pkt_event *e, size_t i, const char *what, int64_t *v);
/* The value of field 'name' of a {name=value} structure, or NULL. */
const struct pkt_expr *pkt_field(const struct pkt_expr *x, const char *name);
/* lo <= number of arguments <= hi, else false after a verdict. */
bool pkt_nargs(struct pkt_runner *r, const struct pkt_event *e, size_t lo, size_t hi);

/* pkt_shell.c: a backtick command: sysctl lines set the SUT's settings, the rest is ignored
   with a warning. */
void pkt_sys_shell(struct pkt_runner *r, const struct pkt_event *e);

#endif
