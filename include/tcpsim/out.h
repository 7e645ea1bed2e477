/*
 * out.h - the outputs: traces, ladder diagram, state diagram, capture file, coverage.
 *
 * Every output is drawn from the one event stream (trace.h), never from engine internals, so
 * two outputs of the same run never disagree. Two shapes:
 *   - live observers (out_text, out_pcap, out_pkt, out_coverage, out_dot, out_ladder): register with world_observe(), they
 *     see each event as it happens (and may copy what they need, e.g. payloads);
 *   - after-the-run renderers (out_ladder_svg, out_coverage_add; out_dot and out_ladder feed
 *     the log to their observer): they read a struct trace_log.
 *
 * Files: out_text.c (rfc, tcpdump, jsonl), out_html.c (the run as a web page), out_ladder_spool.c, out_ladder.c and out_ladder_svg.c (ASCII/Unicode and SVG),
 * out_dot.c (RFC 9293 §3.3.2 state diagram, and the one table of its edges), out_pcap.c
 * (pcapng), out_pkt.c (a packetdrill script), out_coverage.c, out_track.c (what every output needs to remember about sockets).
 */
#ifndef TCPSIM_OUT_H
#define TCPSIM_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpsim/tcp.h"
#include "tcpsim/trace.h"

/* ---- The edges of the RFC 9293 §3.3.2 state diagram (out_dot.c) ------------------------- */

/* The state diagram's edges: struct tcp_edge, tcp_edges[] and tcp_edge_find() in tcp.h. */

/* ---- Live text traces (out_text.c) --------------------------------------------------------- */

enum out_format {
    OUT_FMT_RFC,     /* RFC 9293 §3.5 figures: A SYN-SENT --> <SEQ=100><CTL=SYN> --> B */
    OUT_FMT_TCPDUMP, /* tcpdump's line: 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 100, ... */
    OUT_FMT_JSONL,   /* one JSON object per event */
    OUT_FMT_COUNT
};

/* "rfc", "tcpdump", "jsonl" (case-insensitive); -1 when unknown. */
int out_format_parse(const char *name);
const char *out_format_name(enum out_format f);

struct out_text_opts {
    enum out_format format;
    bool absolute_seq; /* false: relative to each direction's ISN, as tcpdump prints them */
    bool show_timers;  /* also print timer arm/cancel events (expiries are always printed) */
    bool color;        /* ANSI colours: the caller decides (isatty, NO_COLOR) */
    int width;         /* columns a line may take (a terminal's); 0 = no limit. A longer line
                          is folded at spaces, under its text; below OUT_TEXT_WIDE the rfc
                          format's segments are written compactly. jsonl ignores it. */
};
#define OUT_TEXT_OPTS_DEFAULT { OUT_FMT_RFC, false, false, false, 0 }
/* The columns the rfc format's segment lines (and the REPL's status) need laid out wide. */
#define OUT_TEXT_WIDE 100

struct out_text;

/* A trace printer writing to 'f' (borrowed; the caller closes it). NULL on ENOMEM. */
struct out_text *out_text_new(FILE *f, const struct out_text_opts *o);
void out_text_free(struct out_text *t);
/* Print the next events with options 'o' (what was learnt of the run so far is kept). */
void out_text_configure(struct out_text *t, const struct out_text_opts *o);
/* The observer callback, for world_observe(w, out_text_observe, t). */
void out_text_observe(const struct trace_event *ev, void *ctx);
/* Learn from 'ev' what out_text_observe learns (states, names, ISNs), printing nothing: the
   REPL's quiet replay of events nobody will see printed. */
void out_text_learn(struct out_text *t, const struct trace_event *ev);
/* Print 'text' as a line of event 'ev' (its time and colour, folded to the width; "# " first in
   the tcpdump format; nothing in jsonl), in place of or after the printer's own line: the
   REPL's rule notes in plain words. The printer learns nothing from it. */
void out_text_note(struct out_text *t, const struct trace_event *ev, const char *text);
/* Print a recorded run with a fresh printer; 0, or -1 on ENOMEM. */
int out_text_log(FILE *f, const struct trace_log *log, const struct out_text_opts *o);

/* ---- Ladder diagram (out_ladder.c) ------------------------------------------------------ */

struct out_ladder_opts {
    bool unicode;      /* box drawing characters instead of plain ASCII */
    bool absolute_seq; /* labels with absolute sequence numbers */
    int width;         /* columns between the two lifelines; 0 = 48 */
    bool svg_by_time;  /* SVG only: y proportional to virtual time, not to event order */
    int columns;       /* text only: the columns a line may take (a terminal's), 0 = no limit.
                          Below OUT_TEXT_WIDE the ladder is compact: narrower state columns,
                          the lifelines as far apart as fits, the notes listed under it */
};
#define OUT_LADDER_OPTS_DEFAULT { false, false, 0, false, 0 }

/* The two-column sequence diagram of 'log' on 'f': its events fed to the observer below.
   0, or -1 on ENOMEM (or no temporary file). */
int out_ladder(FILE *f, const struct trace_log *log, const struct out_ladder_opts *o);

/*
 * The same diagram drawn from a run as it goes, in memory that does not grow with the run:
 * the events become rows in a temporary file (the widths of every row depend on the longest
 * label of the whole run, known only at its end), drawn at out_ladder_finish through a window
 * that holds only what is still in flight. NULL on ENOMEM or no temporary file.
 */
struct out_ladder;

struct out_ladder *out_ladder_new(const struct out_ladder_opts *o);
void out_ladder_free(struct out_ladder *d);
/* The observer callback, for world_observe(w, out_ladder_observe, d). */
void out_ladder_observe(const struct trace_event *ev, void *ctx);
/* Draw the diagram of the run on 'f', as text or as SVG (o->svg_by_time, o->absolute_seq
   apply; the text ones are ignored). Call one of them, once. 0, or -1 on ENOMEM or a file
   error. */
int out_ladder_finish(struct out_ladder *d, FILE *f);
int out_ladder_finish_svg(struct out_ladder *d, FILE *f);
/* The same diagram as a standalone SVG document (the events fed to the observer below). 0, or
   -1 on ENOMEM. */
int out_ladder_svg(FILE *f, const struct trace_log *log, const struct out_ladder_opts *o);

/* ---- State diagram (out_dot.c) ---------------------------------------------------------- */

/*
 * The RFC 9293 state diagram as Graphviz DOT, with the transitions socket 'conn' went through
 * (0: every socket) highlighted and numbered in order, and its current state marked.
 * 0, or -1 on ENOMEM. A recorded run: the events of 'log' fed to the observer below.
 */
int out_dot(FILE *f, const struct trace_log *log, uint32_t conn);

/* The same diagram drawn as the run goes: it keeps the edges taken and a few bytes per socket,
   never the events. NULL on ENOMEM. */
struct out_dot;

struct out_dot *out_dot_new(uint32_t conn);
void out_dot_free(struct out_dot *d);
/* The observer callback, for world_observe(w, out_dot_observe, d). */
void out_dot_observe(const struct trace_event *ev, void *ctx);
/* Write the diagram of the run so far to 'f'; 0, or -1 when memory ran out during the run. */
int out_dot_finish(struct out_dot *d, FILE *f);

/* ---- Capture file (out_pcap.c) ----------------------------------------------------------- */

/*
 * A pcapng writer. Capture point: one packet per TRACE_SEND, the segment as it entered the
 * wire, stamped with the send time; its comment tells what happened to it afterwards (the
 * wire's fate, the receiver's state and the rule applied on arrival), so a packet is written
 * once its story is over: all at out_pcap_finish(), or, streaming, as the run goes.
 */
struct out_pcap;

struct out_pcap *out_pcap_new(void);
void out_pcap_free(struct out_pcap *p);
/* Stream to 'f' (borrowed) from now on, before the first packet: the headers at once, then
   each packet as soon as every copy of it arrived or was lost and its receiver is done with
   it, in send order; it is then forgotten, so memory follows the segments in flight, not the
   length of the run. out_pcap_finish() writes the packets left. 0, or -1 (a write error). */
int out_pcap_stream(struct out_pcap *p, FILE *f);
/* The observer callback, for world_observe(w, out_pcap_observe, p). Copies payloads. */
void out_pcap_observe(const struct trace_event *ev, void *ctx);
/* Write the capture so far to 'f' (may be called again later). Streaming: write the packets
   still held to the stream ('f' unused) and flush it. 0, or -1 on a write error (streaming:
   any since out_pcap_stream). */
int out_pcap_finish(struct out_pcap *p, FILE *f);
/* Packets captured so far; those held in memory (streaming: not yet written). */
size_t out_pcap_count(const struct out_pcap *p);
size_t out_pcap_held(const struct out_pcap *p);

/* Internet checksum (RFC 1071) of 'len' octets, folded, not complemented; 'sum' carries on. */
uint32_t out_cksum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t out_cksum_fold(uint32_t sum);

/* ---- The run as a web page (out_html.c) ------------------------------------------------ */

/*
 * One self-contained HTML file (docs/outputs.md): the page's CSS and JavaScript (sim/html/,
 * embedded at build time) and the run's events as inline JSON, each with the TCB of the
 * connection it names. A live observer: the page's head is written by out_html_new, each
 * event as it happens, and the rest (title, verdict, the script) by out_html_finish, so the
 * run is never kept in memory for it.
 */
struct out_html;

/* What the page says about the run besides its events; any text may be NULL. */
struct out_html_meta {
    const char *title;    /* scenario{title=}, else the file's name */
    const char *summary;  /* scenario{summary=} */
    const char *file;     /* the scenario's path */
    uint64_t seed;
    enum tcp_preset preset;
    bool passed;          /* the verdict */
    const char *message;  /* why it failed, or a pause's text */
};

/* A page writer on 'f' (borrowed; the caller closes it), its head written now. NULL on
   ENOMEM. */
struct out_html *out_html_new(FILE *f);
/* The events a page holds in detail unless told (out_html_set_events): about 0.7 MB of page
   at the library's densest events (docs/outputs.md, "A long run's page"). */
#define OUT_HTML_EVENTS 1500
/* Hold at most 'events' events in detail, the first half and the last half of the run, the
   rest summarised as one gap; 0: every event. Before the first event only; 0, or -1 (after
   it, or ENOMEM). */
int out_html_set_events(struct out_html *h, size_t events);
/* The observer callback, for world_observe(w, out_html_observe, h). */
void out_html_observe(const struct trace_event *ev, void *ctx);
/* End the page with 'm'; 0, or -1 when a write failed (at any point). Call once. */
int out_html_finish(struct out_html *h, const struct out_html_meta *m);
void out_html_free(struct out_html *h);
/* A recorded run as a page (the REPL's `save html`); 0, or -1 on ENOMEM or a write error. */
int out_html_log(FILE *f, const struct trace_log *log, const struct out_html_meta *m);

/* One scenario on the index page of `tcpsim test --html DIR`. */
struct out_html_entry {
    const char *page;     /* its page, relative to the index ("01-handshake.html") */
    const char *name;     /* "01-handshake" */
    const char *path;     /* the scenario's file */
    bool passed;
    const char *text;     /* its title when it passed, why it failed when not */
};
/* The index page of 'n' scenarios' pages: a table with links, results and a count. 0, or -1
   on a write error. */
int out_html_index(FILE *f, const struct out_html_entry *e, size_t n);

/* ---- packetdrill script (out_pkt.c) -------------------------------------------------------- */

/*
 * The run as a packetdrill script from host 'host''s view (0 A, 1 B): its socket calls with
 * their results, the peer's segments as they arrived (`<`), its own as sent (`>`), relative
 * times and sequence numbers, the sysctls of its settings 'cfg' (borrowed, read as sockets
 * open and at out_pkt_finish) that differ from Linux's defaults. NULL on ENOMEM or a bad host.
 */
struct out_pkt;

struct out_pkt *out_pkt_new(int host, const struct tcp_settings *cfg);
void out_pkt_free(struct out_pkt *p);
/* The observer callback, for world_observe(w, out_pkt_observe, p). */
void out_pkt_observe(const struct trace_event *ev, void *ctx);
/* Write the script to 'f', 'title' in its first comment. 0, or -1 on a write error. */
int out_pkt_finish(struct out_pkt *p, FILE *f, const char *title);
/* Event lines written so far. */
size_t out_pkt_lines(const struct out_pkt *p);

/* ---- Coverage (out_coverage.c) ------------------------------------------------------------ */

struct out_coverage {
    uint64_t edge[TCP_STATE_COUNT][TCP_STATE_COUNT]; /* transitions seen, by (from, to) */
    uint64_t rule[TCP_RULE_COUNT];                   /* rules seen (STATE and RULE events) */
    unsigned runs;                                   /* trace_logs added */
};

void out_coverage_init(struct out_coverage *c);
/* Count one event; usable as an observer (ctx = the out_coverage). */
void out_coverage_observe(const struct trace_event *ev, void *ctx);
/* Count every event of one run. */
void out_coverage_add(struct out_coverage *c, const struct trace_log *log);
/* Covered and not covered edges and rules, with totals. */
void out_coverage_report(FILE *f, const struct out_coverage *c);

#endif
