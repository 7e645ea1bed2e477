/*
 * pkt.h - packetdrill scripts in tcpsim: the script language (pkt_parse.c) and a runner that
 * plays the script as the peer of one tcpsim host, the system under test (pkt_run.c,
 * pkt_sys.c). docs/packetdrill-run.md lists the subset and how it maps onto tcpsim.
 *
 * A script is a list of events, each at a time: a system call the SUT's program makes, a
 * segment the script injects ('<', inbound to the SUT), a segment it expects the SUT to send
 * ('>', outbound), or a shell command in backticks (sysctl lines set the SUT host's settings).
 * Times are microseconds, as packetdrill counts them.
 *
 * Life cycle: pkt_parse(text) -> pkt_run(script) -> pkt_script_free(). The script owns
 * everything it points to (one arena).
 */
#ifndef TCPSIM_PKT_H
#define TCPSIM_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpsim/seg.h"
#include "tcpsim/tcp.h"
#include "tcpsim/trace.h"

/* An event's time, as written (packetdrill's event_time). */
enum pkt_time_kind {
    PKT_TIME_ABS,       /* 0.100 */
    PKT_TIME_REL,       /* +0.100: after the previous event */
    PKT_TIME_ANY,       /* *: any time (outbound packets only) */
    PKT_TIME_ABS_RANGE, /* 0.1~0.2 (outbound packets only) */
    PKT_TIME_REL_RANGE, /* +0.1~+0.2 (outbound packets only) */
};

/* An argument or result of a system call: packetdrill's expression. */
enum pkt_expr_kind {
    PKT_X_INT,      /* 1000, -1 */
    PKT_X_SYM,      /* SOCK_STREAM, O_NONBLOCK, ECONNRESET */
    PKT_X_ELLIPSIS, /* ... (any value, or a buffer) */
    PKT_X_STR,      /* "text" */
    PKT_X_LIST,     /* [a, b] */
    PKT_X_STRUCT,   /* {name=value, ...}: kids are PKT_X_FIELD */
    PKT_X_FIELD,    /* name=value: one kid */
    PKT_X_OR,       /* a|b: two kids */
};

struct pkt_expr {
    enum pkt_expr_kind kind;
    int64_t num;               /* PKT_X_INT */
    const char *name;          /* PKT_X_SYM, PKT_X_STR, PKT_X_FIELD */
    struct pkt_expr **kids;
    size_t nkids;
};

/* A segment line: '<' or '>' FLAGS SEQ:END(LEN) [ack N] [win N] [<options>]. */
enum pkt_opts_mode {
    PKT_OPTS_NONE,  /* no options written: the segment carries none */
    PKT_OPTS_ANY,   /* <...>: any options */
    PKT_OPTS_LIST,  /* <mss 1460,...> */
};

struct pkt_packet {
    bool outbound;             /* '>': the SUT sends it */
    bool has_ports;            /* "< 40001>8080 S ...": the script's port, then the SUT's */
    uint16_t peer_port, sut_port;
    uint8_t flags;             /* TCP_SYN | ... */
    uint32_t seq, end, len;    /* as written: relative to the ISN of the sender */
    bool has_ack;
    uint32_t ack;
    bool has_win;
    uint32_t win;
    enum pkt_opts_mode opts_mode;
    uint16_t mss;              /* the MSS option (TCP_OPT_MSS in opt.present) */
    struct tcp_opts opt;       /* the other options, as written */
    uint8_t kinds[40];         /* the options' kinds in the order written, nop (1) and eol (0)
                                  too: packetdrill compares the layout kind by kind */
    int nkinds;
};

struct pkt_syscall {
    const char *name;          /* "connect" */
    struct pkt_expr **args;
    size_t nargs;
    bool blocking;             /* written with ...END: returns at 'end_us' */
    int64_t end_us;            /* as written (relative when the event's time is) */
    struct pkt_expr *result;
    const char *err;           /* the errno name written after the result, or NULL */
};

enum pkt_event_kind { PKT_EV_PACKET, PKT_EV_SYSCALL, PKT_EV_SHELL };

struct pkt_event {
    enum pkt_event_kind kind;
    int line;
    enum pkt_time_kind time;
    int64_t us, us_end;        /* as written; us_end for the ranges */
    struct pkt_packet pkt;     /* PKT_EV_PACKET */
    struct pkt_syscall call;   /* PKT_EV_SYSCALL */
    const char *shell;         /* PKT_EV_SHELL: the text between the backticks */
};

struct pkt_arena;

struct pkt_script {
    const char *path;          /* for messages: "FILE" of "FILE:LINE: error" */
    struct pkt_event *ev;
    size_t nev, capev;
    int64_t tolerance_us;      /* --tolerance_usecs (packetdrill's default 4000) */
    int tolerance_percent;     /* --tolerance_percent (default 0: none) */
    int64_t ts_tick_us;        /* --tcp_ts_tick_usecs: check outbound TSvals (0: not checked) */
    /* The first feature tcpsim cannot model ("IPv6", "TCP option FO"), with its line; the
       script is then reported as unsupported, never run as if the feature were not there. */
    const char *unsupported;
    int unsupported_line;
    const char *text;          /* the script's text (for showing a line beside the trace) */
    size_t text_len;
    struct pkt_arena *arena;
};

/* Parse 'len' octets of 'text' (need not end in NUL). 0, or -1 with "PATH:LINE: error: ..."
   in 'err'. On success '*out' is the script (pkt_script_free); 'path' is copied. */
int pkt_parse(const char *text, size_t len, const char *path, struct pkt_script **out, char *err,
              size_t errcap);
/* Read and parse a file; as pkt_parse, with "PATH: <strerror>" when it cannot be read. */
int pkt_parse_file(const char *path, struct pkt_script **out, char *err, size_t errcap);
void pkt_script_free(struct pkt_script *s);
/* Line 'line' (from 1) of the script's text, without its newline: a pointer into s->text and
   its length in '*len'; NULL when there is no such line. */
const char *pkt_script_line(const struct pkt_script *s, int line, size_t *len);

/* Symbols of the system calls (SOCK_STREAM, SOL_SOCKET, ECONNRESET...): their Linux values.
   0, or -1 when unknown. */
int pkt_symbol(const char *name, int64_t *out);
/* The errno name of a Linux errno value ("ECONNRESET"), or NULL. */
const char *pkt_errno_name(int e);

/* ---- running (pkt_run.c) ---------------------------------------------------------------------- */

enum pkt_verdict {
    PKT_PASS,          /* every event as the script says */
    PKT_FAIL,          /* an event differed: 'msg' says where and how, as packetdrill does */
    PKT_UNSUPPORTED,   /* the script needs what tcpsim does not model: 'msg' says what */
    PKT_ERROR,         /* the script is malformed: 'msg' is the parse error */
};

struct pkt_run_opts {
    enum tcp_preset preset;    /* the SUT host's settings before the script's sysctls */
    uint64_t seed;
    bool verbose;              /* packetdrill's -v: each packet, sniffed or injected, on 'log' */
    void *log;                 /* FILE *: warnings and -v output (NULL: none) */
    trace_fn observe;          /* an observer of the world's events (a trace printer), or NULL */
    void *observe_ctx;
    uint64_t max_steps;        /* clock events the run may take before it fails; 0: no limit */
    bool narrate;              /* each script line into the trace at its time (world_say) */
};
#define PKT_RUN_OPTS_DEFAULT { TCP_PRESET_LINUX, 1, false, NULL, NULL, NULL, 0, false }

struct pkt_result {
    enum pkt_verdict verdict;
    char msg[1024];
    int line;                  /* the event concerned, 0 for none */
};

/* Run script 's' against a fresh world: host A is the SUT, host B the script's peer. */
void pkt_run(const struct pkt_script *s, const struct pkt_run_opts *o, struct pkt_result *r);

/* A stepping run (the REPL's): one event at a time. */
struct pkt_runner;
struct world;
/* A runner on a world of its own (o->seed, o->preset); NULL when out of memory. */
struct pkt_runner *pkt_runner_new(const struct pkt_script *s, const struct pkt_run_opts *o);
/* A runner on world 'w', fresh, which the caller owns and observes: host A becomes the SUT,
   host B scripted, the wire without delay. NULL when out of memory. */
struct pkt_runner *pkt_runner_attach(const struct pkt_script *s, const struct pkt_run_opts *o, struct world *w);
/* Frees the runner, and its world unless it was attached to the caller's. */
void pkt_runner_free(struct pkt_runner *r);
struct world *pkt_runner_world(struct pkt_runner *r);
/* The event the next pkt_runner_step will play, or NULL at the end (the verdict is then
   final). */
const struct pkt_event *pkt_runner_next(const struct pkt_runner *r);
/* Play one event; true while the script goes on (no verdict yet). */
bool pkt_runner_step(struct pkt_runner *r);
/* The verdict so far (PKT_PASS while running and at a good end). */
const struct pkt_result *pkt_runner_result(const struct pkt_runner *r);

#endif
