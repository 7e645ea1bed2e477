/*
 * tcp.h - the TCP endpoint: states, errors, settings, the TCB and the user calls.
 *
 * RFC 9293 §3.3.2 gives the states, §3.3.1 the TCB variables, §3.10 the event processing.
 * Each connection belongs to one host; the world owns every connection and keeps its record
 * (state CLOSED, last error) after the TCB is deleted, so a handle held by a script or the REPL
 * stays valid for the whole run.
 *
 * Where the code lives:
 *   tcp_fsm.c      tcp_set_state(): the only writer of conn->state (§3.3.2)
 *   tcp_user.c     OPEN, SEND, RECEIVE, CLOSE, ABORT, STATUS, shutdown (§3.10.1-§3.10.6)
 *   tcp_input.c    SEGMENT ARRIVES (§3.10.7), step by step in the RFC's order
 *   tcp_output.c   what a TCB sends: data, FIN, ACK, RST (§3.8, §3.10.7 replies)
 *   tcp_timer.c    retransmission (RFC 6298), 2MSL, FIN-WAIT-2, persist, keep-alive (§3.10.8)
 *   tcp_settings.c the per-host settings with their Linux names and the two presets
 *   tcp_syncookie.c SYN cookies (RFC 4987 3.6): a listener's stateless answer to a SYN flood
 *   tcp_rec.c      a closed connection's record; tcp_tw.c a closed TIME-WAIT's small form
 */
#ifndef TCPSIM_TCP_H
#define TCPSIM_TCP_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpsim/clk.h"
#include "tcpsim/seg.h"
#include "tcpsim/tcp_rules.h"
#include "tcpsim/wire.h"

struct world;

/* RFC 9293 §3.3.2, in the RFC's order. */
enum tcp_state {
    TCP_CLOSED,
    TCP_LISTEN,
    TCP_SYN_SENT,
    TCP_SYN_RECEIVED,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_LAST_ACK,
    TCP_TIME_WAIT,
    TCP_STATE_COUNT
};

const char *tcp_state_rfc(enum tcp_state s);   /* "SYN-RECEIVED" */
const char *tcp_state_bsd(enum tcp_state s);   /* "SYN_RCVD" (netstat, our sock.state) */
const char *tcp_state_linux(enum tcp_state s); /* "SYN_RECV" (/proc/net/tcp) */
const char *tcp_state_ss(enum tcp_state s);    /* "SYN-RECV" (ss) */
/* Any of the spellings above, case-insensitive; -1 when unknown. */
int tcp_state_parse(const char *name);

/* An edge of the state diagram (tcp_fsm.c holds the one table). */
struct tcp_edge {
    enum tcp_state from, to;
    const char *event;  /* what causes it: "rcv SYN", "CLOSE" */
    const char *action; /* what TCP does: "snd SYN,ACK", "delete TCB", "" */
    bool in_figure;     /* drawn in the RFC's Figure 5 (false: ABORT/RST/timeout edges) */
};

/* The table: one row per (from, to) pair, Figure 5's edges first. */
extern const struct tcp_edge tcp_edges[];
extern const size_t tcp_nedges;
/* The row for 'from' -> 'to', or -1 when the diagram has no such edge. */
int tcp_edge_find(enum tcp_state from, enum tcp_state to);
/* Is 'from' -> 'to' an edge of the RFC 9293 state diagram (plus the ABORT/RST/timeout edges)? */
bool tcp_state_edge_ok(enum tcp_state from, enum tcp_state to);

/* The RFC's error conditions (§3.10) under the errno names a socket programmer knows. */
enum tcp_err {
    TCP_OK = 0,
    TCP_ENOTCONN,     /* "connection does not exist" */
    TCP_EISCONN,      /* "connection already exists" */
    TCP_EPIPE,        /* "connection closing" (SEND after CLOSE) */
    TCP_ESHUTDOWN,    /* "connection closing" (CLOSE again) */
    TCP_ECONNRESET,   /* "connection reset" */
    TCP_ECONNREFUSED, /* "connection refused" */
    TCP_ETIMEDOUT,    /* "connection aborted due to user timeout" / retries exhausted */
    TCP_ECONNABORTED, /* "connection aborted" (our ABORT) */
    TCP_EADDRINUSE,   /* the local port is held (by TIME-WAIT or a listener) */
    TCP_ENOBUFS,      /* "insufficient resources" */
    TCP_EINVAL,       /* "foreign socket unspecified" and other bad arguments */
    TCP_EOPNOTSUPP,   /* the call makes no sense for this socket (accept on a non-listener) */
    TCP_EMFILE,       /* the host's open-socket limit (nofile, ulimit -n) is reached */
    TCP_EADDRNOTAVAIL,/* no ephemeral port left towards that destination (ip_local_port_range) */
    TCP_EOF,          /* RECEIVE after the peer's FIN and all its data: end of stream */
    TCP_ERR_COUNT
};
const char *tcp_err_name(enum tcp_err e); /* "ECONNRESET" */
const char *tcp_err_text(enum tcp_err e); /* "connection reset" */

/*
 * Settings, per host, named after /proc/sys/net/ipv4 where Linux has one. Durations are in
 * clk_time. tcp_settings.c holds the table of names, presets and sources.
 */
struct tcp_settings {
    int syn_retries;          /* tcp_syn_retries */
    int syn_linear_timeouts;  /* tcp_syn_linear_timeouts: SYN timeouts before the backoff doubles */
    int synack_retries;       /* tcp_synack_retries */
    int retries1;             /* tcp_retries1 */
    int retries2;             /* tcp_retries2 */
    int orphan_retries;       /* tcp_orphan_retries: 0 = 8; -1 = no own limit (tcp_retries2) */
    int retries_by_time;      /* retry limits are times, as Linux counts them (retransmits_timed_out) */
    int early_retrans;        /* tcp_early_retrans: 3 or 4 = tail loss probe (RFC 8985 7) */
    clk_time fin_timeout;     /* tcp_fin_timeout: FIN-WAIT-2 of an orphaned socket; 0 = never */
    int keepalive;            /* SO_KEEPALIVE for new sockets (off by default, RFC 1122) */
    clk_time keepalive_time;  /* tcp_keepalive_time */
    clk_time keepalive_intvl; /* tcp_keepalive_intvl */
    int keepalive_probes;     /* tcp_keepalive_probes */
    int rfc1337;              /* tcp_rfc1337: TIME-WAIT ignores RST */
    clk_time msl;             /* maximum segment lifetime; TIME-WAIT lasts 2*msl */
    clk_time rto_initial;     /* RFC 6298 2.1 */
    clk_time rto_min;         /* RFC 6298 2.4 */
    clk_time rto_max;         /* RFC 6298 2.5 */
    clk_time user_timeout;    /* RFC 9293 3.8.3 / TCP_USER_TIMEOUT; 0 = off */
    int mss;                  /* our MSS, announced on SYNs */
    int rmem[3];              /* tcp_rmem: min, default (the receive buffer), max (sets the window
                                 scale); "rcv_buf" names the default */
    int wmem[3];              /* tcp_wmem: min, default (the send buffer), max; "snd_buf" too */
    int adv_win_scale;        /* tcp_adv_win_scale: the share of a buffer offered as window
                                 (Linux tcp_win_from_space): 1 half, 0 all of it */
    int rcv_window_linux;     /* the window chosen as Linux's tcp_select_initial_window and
                                 tcp_select_window: rounded to the MSS or the scale, never shrunk */
    int rcv_truesize;         /* the memory Linux charges a received segment (skb->truesize),
                                 which teaches it the share of its buffer data fills; 0: not learnt */
    int window_scaling;       /* tcp_window_scaling: offer and accept RFC 7323 window scaling */
    int timestamps;           /* tcp_timestamps: offer and accept RFC 7323 timestamps */
    int sack;                 /* tcp_sack: offer and accept SACK-permitted (RFC 2018) */
    int tw_reuse;             /* tcp_tw_reuse: connect() may take a pair TIME-WAIT holds (0, 1, 2) */
    int64_t isn;              /* initial sequence number; -1 = from the PRNG */
    int backlog;              /* default listen backlog */
    int somaxconn;            /* net.core.somaxconn: listen() caps its backlog at this */
    int syncookies;           /* tcp_syncookies: 0 never, 1 when the SYN queue is full, 2 always */
    int max_syn_backlog;      /* tcp_max_syn_backlog (counts only without SYN cookies) */
    int port_lo, port_hi;     /* ip_local_port_range */
    int nofile;               /* RLIMIT_NOFILE (ulimit -n): sockets the host's program may hold open */
    int max_tw_buckets;       /* tcp_max_tw_buckets: TIME-WAIT connections the host keeps at most */
    int tw_reuse_syn;         /* TIME-WAIT accepts a new SYN above RCV.NXT (RFC 9293 / Linux) */
    int tw_reopen_restore;    /* ... and goes on if that SYN proves an old duplicate (RFC 9293 3.6.1) */
    int tw_linux;             /* TIME-WAIT answers as Linux's tcp_timewait_state_process */
    clk_time invalid_ratelimit; /* tcp_invalid_ratelimit: ACKs answering unacceptable segments */
    int challenge_ack_limit;  /* tcp_challenge_ack_limit: challenge ACKs per second, host-wide */
    int delayed_ack;          /* enum tcp_delack_mode: how ACKs of in-order data are delayed */
    clk_time delack_timeout;  /* the ACK delay; Linux's first ACK timeout (TCP_ATO_MIN 40 ms) */
    int header_prediction;    /* the fast path for plain ESTABLISHED segments (tcp_predicted) */
    int active_reset_ack;     /* our own resets carry ACK (Linux tcp_send_active_reset) */
    int close_wait_rst_epipe; /* a RST in CLOSE-WAIT is reported as EPIPE (Linux tcp_reset) */
    int dsack;                /* tcp_dsack: report duplicates in a SACK block (RFC 2883) */
    int recovery;             /* tcp_recovery: how a SACK sender finds lost segments (tcp_recovery.c):
                                 1 Linux's RACK (RFC 8985), 0 RFC 6675's IsLost */
    clk_time synsent_bad_ack_resend; /* SYN-SENT, a bad ACK: the SYN again this soon; 0 = off */
};

/* Values of the delayed_ack setting (RFC 9293 3.8.6.3). */
enum tcp_delack_mode {
    TCP_DELACK_OFF,     /* every segment ACKed at once */
    TCP_DELACK_RFC1122, /* RFC 1122 4.2.3.2: an ACK per two full-sized segments, or delack_timeout */
    TCP_DELACK_LINUX,   /* Linux's way: quick ACKs, interactive mode, adaptive timeout (tcp_delack.c) */
};

/* TCP_SET_TRIPLE: Linux's "min default max" in octets (tcp_rmem, tcp_wmem); as a number it is the
   default, and tcp_setting_parse reads all three. */
enum tcp_preset { TCP_PRESET_LINUX, TCP_PRESET_RFC };

enum tcp_setting_kind { TCP_SET_INT, TCP_SET_BOOL, TCP_SET_TIME, TCP_SET_BYTES, TCP_SET_ISN, TCP_SET_TRIPLE };

struct tcp_setting_info {
    const char *name;    /* "tcp_fin_timeout" */
    enum tcp_setting_kind kind;
    size_t offset;       /* into struct tcp_settings */
    double linux_value;  /* default in the linux preset (seconds for TIME) */
    double rfc_value;    /* default in the rfc preset */
    double min, max;     /* accepted range */
    const char *doc;     /* what it does */
    const char *source;  /* where the default comes from */
};
/* A triple's three values in a preset (its table row has the default alone); NULL when 'info'
   is no triple. */
const int *tcp_setting_preset3(const struct tcp_setting_info *info, enum tcp_preset p);

extern const struct tcp_setting_info tcp_setting_table[];
extern const size_t tcp_setting_count;
void tcp_settings_preset(struct tcp_settings *s, enum tcp_preset p);
int tcp_preset_parse(const char *name); /* "linux" / "rfc"; -1 when unknown */
const struct tcp_setting_info *tcp_setting_find(const char *name); /* NULL when unknown */
/* Read a setting as a double (seconds for durations). */
double tcp_setting_get(const struct tcp_settings *s, const struct tcp_setting_info *info);
/* Set one; TCP_EINVAL when out of range. A triple's number is its default (the middle value);
   its min and max widen to hold it. */
enum tcp_err tcp_setting_set(struct tcp_settings *s, const struct tcp_setting_info *info, double v);
/* Set one from text: a number, or for a triple also "min default max" ("4096 131072 6291456",
   each in range, min <= default <= max). TCP_EINVAL on bad text or out of range. */
enum tcp_err tcp_setting_parse(struct tcp_settings *s, const struct tcp_setting_info *info, const char *text);
/* Set a triple's three values (each in range, min <= default <= max); TCP_EINVAL if not. */
enum tcp_err tcp_setting_set3(struct tcp_settings *s, const struct tcp_setting_info *info, const int v[3]);
/* The value as text: "%g", or "min default max" for a triple. */
const char *tcp_setting_str(const struct tcp_settings *s, const struct tcp_setting_info *info, char *buf, size_t cap);

/* Free ring memory of a world, by size, for the next connection (tcp_ring.c). */
#define TCP_POOL_SIZES 4
struct tcp_pool {
    struct {
        uint32_t cap;
        void *head;
    } cls[TCP_POOL_SIZES];
    size_t bytes;  /* held in all classes */
};

/* A byte ring, used for the send and receive buffers. It has its size from the start, its
   memory from the first octet pushed (tcp_ring.c): 'cap' non-zero means the connection has
   its buffers, 'buf' NULL that none of them is used yet. */
struct tcp_ring {
    uint8_t *buf;
    struct tcp_pool *pool; /* where 'buf' comes from and goes back to */
    uint32_t cap;  /* its size in bytes */
    uint32_t head; /* index of the first byte */
    uint32_t len;  /* bytes held */
};

/* Octets queued by a zero-copy send (tcp_send_zerocopy): the send queue counts them, their
   bytes stay in the user's memory until the connection is done with them (tcp_sndq.c). */
struct tcp_zc {
    struct tcp_zc *next;  /* the next extent, later in the stream */
    uint64_t at;          /* the stream number of its first octet (see tcp_conn.bytes_acked) */
    uint32_t len;
    const uint8_t *data;
};

/* An out-of-order segment held for reassembly (§3.10.7.4, seventh): its text is the kept
   segment's payload from 'off' on (tcp_rcvq.c), or, when the wire could not let it be kept,
   a copy in 'data'. */
struct tcp_ooo {
    struct tcp_ooo *next; /* sorted by seq */
    uint32_t seq;
    uint32_t len;
    bool fin;
    struct wire_pkt *kept; /* the segment itself, or NULL */
    uint32_t off;          /* where the text starts in its payload */
    bool copy;             /* allocated with room for a copy in 'data' */
    uint8_t data[];
};

enum tcp_timer {
    TCP_TIMER_REXMIT,   /* retransmission, RFC 6298 (SYN, SYN,ACK, data, FIN) */
    TCP_TIMER_PERSIST,  /* zero-window probe, §3.8.6.1 */
    TCP_TIMER_TIMEWAIT, /* 2MSL, §3.10.8 */
    TCP_TIMER_FINWAIT2, /* Linux tcp_fin_timeout */
    TCP_TIMER_KEEPALIVE,/* RFC 1122 4.2.3.6 */
    TCP_TIMER_DELACK,   /* delayed ACK, RFC 9293 3.8.6.3 (setting delayed_ack) */
    TCP_TIMER_TLP,      /* tail loss probe, RFC 8985 7 (setting tcp_early_retrans); armed in
                           place of rexmit, whose deadline it never passes */
    TCP_TIMER_REORDER,  /* RACK's reordering window, RFC 8985 6.3 (tcp_recovery 1) */
    TCP_TIMER_COUNT
};
const char *tcp_timer_name(enum tcp_timer t); /* "rexmit", "persist", "2msl", ... */

struct tcp_host;

/* The peer's SACKed ranges a sender keeps at most (tcp_sack.c): when more holes than this
   are open, the lowest range is forgotten and the data there may be resent for nothing. */
#define TCP_SACK_BOARD 16

struct tcp_conn_timer {
    struct clk_event ev;
    struct tcp_conn *conn;
    enum tcp_timer which;
};

/* A connection's timers, one block from its world's pool while its TCB lives (tcp_timer.c):
   a closed connection's record does not carry them. The 2MSL timer is not in it but in the
   TCB (tw_timer), so that a TIME-WAIT gives the block back: timer t sits in slot
   tcp_timer_slot(t), t itself for those before TCP_TIMER_TIMEWAIT, t - 1 after it. */
#define TCP_TIMER_BLOCK (TCP_TIMER_COUNT - 1)
static inline int tcp_timer_slot(enum tcp_timer t) { return (int)t - (t > TCP_TIMER_TIMEWAIT); }
struct tcp_timers {
    struct tcp_conn_timer t[TCP_TIMER_BLOCK];
    struct tcp_timers *next_free; /* in the pool */
};

/* Options a program sets on one socket with setsockopt(2) (tcp_sockopt_*; lsim's
   sock:setsockopt). Each wins over its host's setting for this socket alone; a connection a
   listener accepts starts with the listener's, as Linux's sk_clone_lock copies the socket. */
struct tcp_sockopts {
    clk_time keepidle;        /* TCP_KEEPIDLE; 0: the host's tcp_keepalive_time */
    clk_time keepintvl;       /* TCP_KEEPINTVL; 0: the host's tcp_keepalive_intvl */
    int keepcnt;              /* TCP_KEEPCNT; 0: the host's tcp_keepalive_probes */
    clk_time user_timeout;    /* TCP_USER_TIMEOUT; 0: off; -1: the host's user_timeout */
    int linger;               /* SO_LINGER in seconds; -1: off (a close with 0 is an abort) */
    int rcvbuf, sndbuf;       /* SO_RCVBUF, SO_SNDBUF in octets; 0: the host's rcv_buf, snd_buf */
    bool nodelay;             /* TCP_NODELAY: kept only, tcpsim has no Nagle algorithm */
    bool quickack;            /* TCP_QUICKACK: kept only (docs/lua-api.md) */
};

/* How many ends of pushed segments in flight a connection remembers (psh_end): a retransmission
   of an older one goes without PSH (docs/deviations.md). */
#define TCP_PSH_MARKS 8

/* pred_wnd while header prediction is off: one more than any SEG.WND the 16-bit field can
   carry, so that no segment's window matches it and the comparison alone says "off" (a
   zero window is never predicted either: tcp_fast_path_check requires an open one). */
#define TCP_PRED_OFF 0x10000u

/* What a host's list of live connections and its table (tcp_hash.c) hold: a TCB, or a
   TIME-WAIT in its small form (struct tcp_tw, tcp_tw.c), which takes the TCB's place in both
   without changing the order of either. */
struct tcp_link {
    struct tcp_link *next, *prev;   /* the host's list, newest first */
    struct tcp_link *hash_next;     /* the next in its bucket of the host's table */
    bool tw;                        /* a struct tcp_tw, not a struct tcp_conn */
};

struct tcp_conn {
    uint32_t id;              /* socket number, unique in the world, never reused */
    char name[16];            /* "A1", "B2": how traces and the REPL name it */
    enum tcp_err error;       /* the error that closed the connection, TCP_OK if none (here,
                                 in the 4 octets before 'host', so that 'world' costs none) */
    struct tcp_host *host;
    struct world *world;      /* host->world, read from the TCB itself: the clock (tcp_now,
                                 tcp_tsval) and the wire (tcp_world) are asked several times a
                                 segment, one load less each (docs/performance.md) */
    enum tcp_state state;
    enum tcp_rule last_rule;  /* the rule of the last transition (`why`) */
    clk_time last_change;     /* when it happened */
    bool error_reported;      /* 'error' already returned by a call: reported once (SO_ERROR) */

    /* The connection's socket pair. */
    uint32_t laddr, raddr;
    uint16_t lport, rport;

    /* Send sequence variables, RFC 9293 §3.3.1 */
    uint32_t snd_una, snd_nxt, snd_wnd, snd_up, snd_wl1, snd_wl2, iss;
    /* Receive sequence variables (SND.UP and RCV.UP stay 0: URG is not modelled) */
    uint32_t rcv_nxt, rcv_wnd, rcv_up, irs;
    /* Linux's window bookkeeping (rcv_window_linux, tcp_output.c): the right edge our last
       segment offered (RCV.NXT + RCV.WND then: Linux's rcv_wup + rcv_wnd), and rcv_ssthresh,
       the most the window may offer (the initial window; it does not grow here) */
    uint32_t rcv_adv, rcv_ssthresh;
    uint32_t window_clamp;    /* Linux window_clamp: the most the window may grow to */
    uint16_t rcv_ratio;       /* Linux scaling_ratio: the share of the buffer offered, in 256ths */
    /* ... measured last from a segment of this length (0: not measured since the share was
       set) with this rcv_truesize: a segment of the same length under the same setting finds
       the same share (tcp_rcv_window_data) */
    uint16_t rcv_ratio_len;
    int rcv_ratio_truesize;
    bool rcv_wnd_idle;        /* the last window was offered with nothing held: while nothing
                                 arrives it stays the same (a sender's ACK-less data segments);
                                 cleared wherever RCV.NXT moves (tcp_input.c, tcp_input_open.c),
                                 so that it alone answers */

    uint32_t snd_mss;         /* min(our mss, the peer's MSS option or 536) */
    /* Where our segments sent with PSH ended, oldest first, those above SND.UNA that fit
       (tcp_output.c): a retransmission keeps the PSH, as Linux resends a segment with its
       flags. */
    uint32_t psh_end[TCP_PSH_MARKS];
    uint8_t psh_marks;
    /* Header prediction's precomputed word (Linux's pred_flags, tcp_fast_path_on): the SEG.WND
       a predicted segment carries, SND.WND >> Snd.Wind.Shift, while the connection allows
       prediction (ESTABLISHED, out of recovery, no segment held out of order, a window that
       is open and says SND.WND exactly, the persist timer idle); TCP_PRED_OFF while it does
       not, from the TCB's creation on. Kept by tcp_fast_path_check (tcp_input.c) wherever
       those change. */
    uint32_t pred_wnd;

    /* Buffers: sndq holds the octets from SND.UNA on (sent-unacked and not yet sent);
       rcvq holds in-order octets the user has not read yet. */
    struct tcp_ring sndq;
    struct wire_lender lent;   /* our data segments in flight, pointing into sndq */
    /* Zero-copy sends still in sndq, oldest first (tcp_sndq.c), and how many octets of
       zero-copy sends the connection has given back to the user (tcp_zerocopy_done). */
    struct tcp_zc *zc_head, *zc_tail;
    uint64_t zc_done;
    struct tcp_ring rcvq;
    /* In-order segments rcvq holds as they arrived instead of copying them (tcp_rcvq.c):
       their octets count in rcvq.len, their bytes stay in the segment. Oldest first. */
    struct wire_pkt *kept_head, *kept_tail;
    uint64_t rcv_taken;       /* octets the user has taken from rcvq, since the start */
    struct tcp_ooo *ooo;      /* out-of-order segments, sorted */
    struct tcp_ooo *ooo_last; /* ... and the last of them */
    struct tcp_ooo *ooo_spare; /* nodes without room for a copy, freed, for reuse */
    uint32_t ooo_bytes;

    /* Closing. */
    bool fin_queued;          /* the user closed or shut down: send FIN after the data */
    bool fin_sent;            /* our FIN has a sequence number: fin_seq */
    uint32_t fin_seq;
    bool fin_rcvd;            /* the peer's FIN is in sequence: EOF after rcvq drains */
    bool orphaned;            /* the user closed (not shutdown): nobody reads any more */
    bool rd_shut;             /* shutdown(SHUT_RD): the user reads no more (tcp_shutdown_read) */
    bool passive;             /* born from a LISTEN (SYN-RECEIVED returns there on RST) */
    bool reuseaddr;
    bool keepalive;
    struct tcp_sockopts opts;

    /* Listening: Linux's two queues. The SYN queue holds the embryonic connections (born from
       this listener, not yet ESTABLISHED), the accept queue those that reached ESTABLISHED and
       wait for accept(), whatever happened to them since (a reset one stays until accepted).
       Each holds backlog + 1 at most (tcp_input_listen). */
    struct tcp_conn *listener;       /* for an embryonic or unaccepted connection */
    int backlog;                     /* listen()'s, capped at somaxconn */
    int synq_len;                    /* embryonic connections of this listener */
    int acceptq_len;                 /* connections in its accept queue */
    struct tcp_conn *acceptq_head;   /* the accept queue, oldest first */
    struct tcp_conn *acceptq_tail;
    struct tcp_conn *acceptq_next;
    bool in_acceptq;
    bool accepted;
    bool cookie_sent;                /* this listener has answered a SYN with a cookie ... */
    clk_time cookie_last;            /* ... the last one at this time (ACKs are checked for 2 min) */

    /* Round-trip time, RFC 6298. */
    clk_time srtt, rttvar, rto;      /* srtt 0 = no sample yet */
    bool rtt_timing;                 /* a segment is being timed (Karn: never a retransmitted one) */
    uint32_t rtt_seq;                /* ... the one ending at this sequence number */
    clk_time rtt_start;
    int retransmits;                 /* consecutive timeouts of the current segment */
    uint64_t total_retransmits;      /* over the connection's life */
    clk_time first_unacked_at;       /* for the user timeout */
    clk_time rexmit_start;           /* when the retransmission timer last started afresh (a
                                        segment into an empty pipe, new data acknowledged, a
                                        window probe answered): retry limits counted as time
                                        run from here (Linux's retrans_stamp) */
    clk_time rto_deadline;           /* when the RTO falls due; the tlp timer, armed in place of
                                        rexmit, never passes it */
    bool tlp_out;                    /* a tail loss probe is unanswered (RFC 8985 TLP.end_seq) */
    uint32_t tlp_high;               /* ... SND.NXT when it was sent */
    bool tlp_one;                    /* the probe timeout last computed was for one segment */
    int probes;                      /* keep-alive or persist probes sent without answer */
    int dupacks;                     /* duplicate ACKs in a row (fast retransmit) */
    uint32_t ack_owed;               /* sequence numbers (octets, a FIN) received in order since our
                                        last ACK: its ACK is held back (delayed ACK) */
    /* Linux's delayed-ACK engine (delayed_ack TCP_DELACK_LINUX, tcp_delack.c) */
    uint32_t rcv_mss;                /* the peer's full-sized segment, as seen (icsk_ack.rcv_mss) */
    clk_time ato;                    /* the ACK timeout; 0 until the first data (icsk_ack.ato) */
    clk_time data_rcvd_at;           /* the last in-order data's arrival (icsk_ack.lrcvtime) */
    int quickacks;                   /* ACKs still sent at once (icsk_ack.quick) */
    bool interactive;                /* ping-pong: ACKs wait for our reply (icsk_ack.pingpong) */
    uint8_t ack_pushed;              /* held-back segments small or pushed: 0, 1, 2 or more
                                        (ICSK_ACK_PUSHED, ICSK_ACK_PUSHED2) */
    bool in_recovery;                /* after a loss: each partial ACK resends the next hole */
    uint32_t recover;                /* ... until SND.UNA passes this (RFC 6582 "recover") */
    /* SACK, receiving (tcp_sack.c): the blocks our ACKs report, most recent first (RFC 2018 4),
       and a duplicate to report once (RFC 2883) */
    struct tcp_sack_block rcv_sack[TCP_SACK_MAX];
    uint8_t rcv_nsack;
    bool dsack_due;
    bool sack_report;                /* rcv_nsack > 0 or dsack_due: our ACKs carry blocks (one
                                        test on the per-segment path, tcp_output.c) */
    struct tcp_sack_block dsack;
    /* SACK, sending: the scoreboard (RFC 6675 3), the peer's SACKed ranges above SND.UNA,
       sorted and apart; HighRxt, the end of what this recovery has resent; the D-SACKs heard */
    struct tcp_sack_block board[TCP_SACK_BOARD];
    uint8_t nboard;
    uint32_t high_rxt;
    bool rto_recovery;               /* the recovery began with a timeout: every hole is lost */
    uint32_t dsacks_rcvd;
    clk_time rtt_min;                /* the smallest RTT sample (RACK's reordering window) */
    clk_time last_heard;             /* last segment received, for keep-alive */
    bool oow_sent;                   /* an ACK for an unacceptable segment or a challenge ACK left ... */
    clk_time oow_last;               /* ... last at this time (tcp_invalid_ratelimit) */
    /* A SYN reopened TIME-WAIT and tw_reopen_restore keeps the old TCB until the new
       incarnation is synchronized (RFC 9293 3.6.1): each names the other meanwhile. */
    struct tcp_conn *tw_old;         /* on the new incarnation: the TIME-WAIT it reopened */
    struct tcp_conn *tw_new;         /* on the TIME-WAIT: the incarnation that reopened it */
    int64_t isn_opt;                 /* a listener's fixed ISN for its connections; -1: none */

    /* Options agreed in the handshake (tcp_negotiate.c). Before the peer's SYN or SYN,ACK
       they hold what we offer; after it, what both sides offered. */
    bool ws_ok;                      /* window scaling, RFC 7323 2 */
    bool ts_ok;                      /* timestamps, RFC 7323 3 */
    bool sack_ok;                    /* SACK, RFC 2018 (and tcp_sack on) */
    uint8_t snd_wscale;              /* Snd.Wind.Shift: the peer's SEG.WND << this = SND.WND */
    uint8_t rcv_wscale;              /* Rcv.Wind.Shift: our window >> this = the SEG.WND we send */
    uint32_t ts_off;                 /* our TSval = the clock in ms + this (Linux ts_off) */
    uint32_t ts_recent;              /* TS.Recent, RFC 7323 4.3: the TSval we echo */
    clk_time ts_recent_stamp;        /* when TS.Recent was last set (PAWS, tcp_tw_reuse) */

    struct tcp_timers *timers;       /* its own while the TCB lives; in TIME-WAIT and once it is
                                        deleted, its world's timers_none, never armed (tcp_timer.c) */
    struct tcp_conn_timer tw_timer;  /* the 2MSL timer (TCP_TIMER_TIMEWAIT), the one timer a
                                        TIME-WAIT keeps: it gives the block back (tcp_timer.c) */

    struct tcp_link link;                   /* on the host's list and in its table */
    bool live;                              /* on the host's list (not CLOSED) */
    bool bound;                             /* its local port was not chosen by connect() (tcp_hash.c) */
    bool has_fd;                            /* the program holds it open: counts against nofile */

    /* statistics; bytes_acked also counts the octets that have left sndq, which makes it the
       stream number of sndq's first octet (tcp_sndq.c) */
    uint64_t bytes_sent, bytes_acked, bytes_received, segs_sent, segs_received;
};

/* What a connection leaves behind once its TCB is deleted and its program has closed it
   (tcp_rec.c): the record a handle, the REPL or a trace reads after the end, about a tenth of
   the TCB. Linux frees such a socket; tcpsim keeps this much so that a script's handle still
   answers (state CLOSED, the error, the socket pair, the last sequence numbers, the
   statistics). What it does not keep reads as a new socket's value. */
struct tcp_rec {
    clk_time last_change;
    clk_time srtt, rttvar, rto;
    uint64_t total_retransmits;
    uint64_t bytes_sent, bytes_acked, bytes_received, segs_sent, segs_received;
    uint32_t serial;          /* the number in its name: "A12" is host A's 12th */
    uint32_t laddr, raddr;
    uint16_t lport, rport;
    uint32_t iss, irs, snd_una, snd_nxt, rcv_nxt, snd_wnd, rcv_wnd, snd_mss, fin_seq, ts_recent;
    uint16_t last_rule;       /* enum tcp_rule */
    uint8_t error;            /* enum tcp_err */
    uint8_t host;             /* its host's index */
    uint8_t snd_wscale, rcv_wscale;
    bool error_reported, orphaned, passive, accepted, bound, reuseaddr, keepalive;
    bool fin_queued, fin_sent, fin_rcvd, rd_shut, ws_ok, ts_ok, sack_ok;
    bool tw;                  /* not closed: a TIME-WAIT in its small form (struct tcp_tw) */
};

/* A TIME-WAIT the program has closed, in a world that keeps many connections (world_compact),
   keeps only what TIME-WAIT needs, as Linux's timewait socket does (inet_timewait_sock,
   tcp_timewait_sock): its record (struct tcp_rec: the socket pair, SND.NXT, RCV.NXT, RCV.WND,
   the scales, TS.Recent, the rule that put it there), this, and its place in the host's table.
   It answers nothing itself: a segment, a reader or the 2MSL timer makes the TCB again from it
   (tcp_tw.c), in TIME-WAIT, and RFC 9293 3.10.7's code runs on that. */
struct tcp_tw {
    struct tcp_link link;     /* in the host's list and table, where the TCB was */
    struct clk_event timer;   /* the 2MSL timer (TCP_TIMER_TIMEWAIT), still armed */
    struct tcp_host *host;
    uint32_t id;              /* its record: the world's recs[id - 1] */
    uint32_t raddr;           /* the socket pair, as the table and bind() look at it */
    uint16_t lport, rport;
    /* what the ACKs it sends and the segments it tests read, beyond the record */
    uint32_t snd_wl1, snd_wl2, rcv_adv, rcv_ssthresh, window_clamp, rcv_mss, ts_off;
    uint32_t rcv_cap, snd_cap;  /* the rings' sizes (their memory went back at TIME-WAIT) */
    int rcvbuf, sndbuf;         /* SO_RCVBUF, SO_SNDBUF */
    uint32_t dsacks_rcvd;
    clk_time ts_recent_stamp, oow_last, last_heard, rtt_min;
    uint64_t rcv_taken, zc_done;
    uint16_t rcv_ratio;
    bool rcv_wnd_idle, oow_sent, ts_ok, reuseaddr;
};
/* What a small TIME-WAIT costs: itself, its record (the world's recs[id - 1]), its slot in the
   world's conns, and its share of its host's table, at most two buckets (the table doubles
   when it holds as many as it has buckets): 424 bytes on x86-64, against the TCB's 1,048. */
#define TCP_TW_BYTES                                                                          \
    (sizeof(struct tcp_tw) + sizeof(struct tcp_rec) + sizeof(struct tcp_conn *) +             \
     2 * sizeof(struct tcp_link *))

/* The TCB or the small TIME-WAIT a host's list or table holds at 'l' (l->tw says which). */
static inline struct tcp_conn *tcp_link_conn(struct tcp_link *l)
{
    assert(!l->tw);
    return (struct tcp_conn *)(void *)((char *)l - offsetof(struct tcp_conn, link));
}
static inline const struct tcp_conn *tcp_link_conn_const(const struct tcp_link *l)
{
    assert(!l->tw);
    return (const struct tcp_conn *)(const void *)((const char *)l - offsetof(struct tcp_conn, link));
}
static inline struct tcp_tw *tcp_link_tw(struct tcp_link *l)
{
    assert(l->tw);
    return (struct tcp_tw *)(void *)((char *)l - offsetof(struct tcp_tw, link));
}
static inline const struct tcp_tw *tcp_link_tw_const(const struct tcp_link *l)
{
    assert(l->tw);
    return (const struct tcp_tw *)(const void *)((const char *)l - offsetof(struct tcp_tw, link));
}

/* How a host's local port is used (tcp_hash.c). */
struct tcp_port_use {
    uint32_t users;           /* live connections with this local port */
    uint32_t bound;           /* ... of which listeners, accepted ones, or bound by hand */
};

struct tcp_host {
    int index;                /* 0 for A, 1 for B */
    char name[4];             /* "A", "B" */
    uint32_t addr;            /* 10.0.0.1, 10.0.0.2 */
    struct tcp_settings cfg;
    bool cookie_keyed;        /* the SYN cookie secrets are drawn (at the first cookie) */
    uint64_t cookie_secret[2];
    bool ts_keyed;            /* the timestamp offset secret is drawn (at the first use) */
    uint64_t ts_secret;       /* keys each address pair's ts_off (Linux secure_tcp_ts_off) */
    struct tcp_link *conns;   /* live connections (not CLOSED), newest first: TCBs and small
                                 TIME-WAITs (tcp_tw.c) */
    /* Demultiplexing (tcp_hash.c): live connections hashed by (lport, raddr, rport), a listener
       under (lport, 0, 0); per local port, how many live connections use it and how many of
       those were not given it by connect(). */
    struct tcp_link **hash;
    uint32_t hash_mask, hash_count;
    struct tcp_conn *demux_last; /* the connection the last segment was for (tcp_demux) */
    struct tcp_port_use *ports; /* 65536 entries, or NULL before the first connection */
    uint64_t port_releases;   /* connections that left the table: a port may be free again */
    struct tcp_port_memo {    /* the last destination connect() found every port held for */
        uint32_t raddr;
        uint16_t rport;
        int lo, hi;
        uint64_t releases;    /* ... as of this many releases (valid while it is unchanged) */
        clk_time now;         /* ... at this time (under tcp_tw_reuse, valid at this time only) */
        bool valid;
    } exhausted;
    int next_port;            /* next ephemeral port to try */
    int nfiles;               /* sockets its program holds open (has_fd), against cfg.nofile */
    uint32_t nstate[TCP_STATE_COUNT]; /* its connections in each state, CLOSED ones not counted */
    uint32_t tw_peak;         /* the most TIME-WAIT connections it has held at once */
    int serial;               /* connections made so far: names A1, A2, ... */
    /* The host-wide challenge ACK budget (tcp_challenge_ack_limit), per second of the clock. */
    int64_t challenge_second; /* the second the budget was drawn for; -1: none yet */
    uint32_t challenge_left;  /* challenge ACKs it may still send in that second */
    struct world *world;
    bool scripted;            /* its TCP is switched off: segments reach it and go no further,
                                 it sends only what a script injects (packetdrill's remote) */
};

/* Options for OPEN. */
struct tcp_open_opts {
    int lport;                /* 0: an ephemeral port (active) */
    int64_t isn;              /* -1: from the host's setting */
    bool reuseaddr;           /* allow a port that TIME-WAIT holds */
    int backlog;              /* passive; 0: the host's default */
};
#define TCP_OPEN_OPTS_DEFAULT { 0, -1, false, 0 }

/* The user calls, RFC 9293 §3.10.1-§3.10.6 (tcp_user.c). Each call that can change the
   connection reports a TRACE_CALL event, and so does a tcp_receive that took octets or met
   the end or an error; tcp_set_keepalive, an empty receive and an accept that finds nothing do
   not (a polling loop would flood the trace). */
/* Could a new socket of host 'h' bind local port 'port' now? TCP_EADDRINUSE when a listener or
   a connection holds it (the rules of OPEN below; Linux's bind(), inet_csk_bind_conflict),
   else TCP_OK. Reports nothing: the OPEN that follows does. */
enum tcp_err tcp_port_check(const struct tcp_host *h, uint16_t port, bool reuseaddr);
enum tcp_err tcp_open_passive(struct tcp_host *h, uint16_t port, const struct tcp_open_opts *o,
                              struct tcp_conn **out);
enum tcp_err tcp_open_active(struct tcp_host *h, uint32_t raddr, uint16_t rport,
                             const struct tcp_open_opts *o, struct tcp_conn **out);
/* Queue up to 'len' octets; '*queued' gets how many fit in the send buffer. */
enum tcp_err tcp_send(struct tcp_conn *c, const void *data, size_t len, size_t *queued);
/* The same without copying (Linux's MSG_ZEROCOPY): the send queue refers to 'data' itself,
   which must stay as it is until tcp_zerocopy_done() has counted those octets. */
enum tcp_err tcp_send_zerocopy(struct tcp_conn *c, const void *data, size_t len, size_t *queued);
/* Take up to 'cap' octets into 'buf'; '*got' = 0 means nothing yet. TCP_EOF at end of stream.
   'buf' NULL: the octets are consumed and thrown away, not copied (what Linux's recv(2) does
   with MSG_TRUNC on a TCP socket): a sink that does not look at the data. */
enum tcp_err tcp_receive(struct tcp_conn *c, void *buf, size_t cap, size_t *got);
/* The same without its CALL event: the reads inside sim:transfer, whose trace sums them up. */
enum tcp_err tcp_receive_quiet(struct tcp_conn *c, void *buf, size_t cap, size_t *got);
enum tcp_err tcp_close(struct tcp_conn *c);
enum tcp_err tcp_shutdown(struct tcp_conn *c);
/* shutdown(SHUT_RD): the receiving side. Nothing is sent; an empty read is then the end of the
   stream, and new data in FIN-WAIT-1/2 is answered with a RST (Linux; tcp_user.c). */
enum tcp_err tcp_shutdown_read(struct tcp_conn *c);
enum tcp_err tcp_abort(struct tcp_conn *c);
/* The next established connection of listener 'l', or NULL (with TCP_OK: none ready yet). */
enum tcp_err tcp_accept(struct tcp_conn *l, struct tcp_conn **out);
/* Turn keep-alive on or off for one socket (SO_KEEPALIVE). */
enum tcp_err tcp_set_keepalive(struct tcp_conn *c, bool on);
/* Resize one socket's receive ('rcv') or send buffer (SO_RCVBUF, SO_SNDBUF) to 'size' octets,
   now if it has its buffers, else for the connections it will accept; TCP_EINVAL when the
   buffer holds more than that now. */
enum tcp_err tcp_set_bufsize(struct tcp_conn *c, bool rcv, uint32_t size);
/* The host forgets every connection at once, sending nothing (§3.5.2 half-open). */
void tcp_host_crash(struct tcp_host *h);

/* Segment arrival at host 'h' (tcp_input.c): demultiplex and run §3.10.7. */
void tcp_input(struct tcp_host *h, const struct tcp_seg *seg);
/* The connection of 'h' that 'seg' is for (an exact socket pair, else a listener), or NULL:
   the lookup tcp_input starts with, without side effects but one: a TIME-WAIT in its small
   form gets its TCB again (tcp_tw.c), as world_conn gives a record one. */
struct tcp_conn *tcp_demux(struct tcp_host *h, const struct tcp_seg *seg);

/* Time left on a pending timer, or -1 when it is not armed. */
clk_time tcp_timer_left(const struct tcp_conn *c, enum tcp_timer t);
/* The receive window we would advertise now. */
uint32_t tcp_rcv_window(const struct tcp_conn *c);
/* Octets the user may read now. */
static inline uint32_t tcp_readable(const struct tcp_conn *c) { return c->rcvq.len; }
/* Room in the send buffer now: what tcp_send would take (0 before OPEN made the buffers). */
static inline uint32_t tcp_writable(const struct tcp_conn *c) { return c->sndq.cap - c->sndq.len; }
/* Octets of this connection's zero-copy sends, counted in the order they were queued, whose
   memory it will not read again: the user may reuse the first tcp_zerocopy_done() of them. */
static inline uint64_t tcp_zerocopy_done(const struct tcp_conn *c) { return c->zc_done; }
/* "10.0.0.1:40000" into buf. */
const char *tcp_endpoint_str(uint32_t addr, uint16_t port, char *buf, size_t cap);

#endif
