/*
 * out_ladder.h - the ladder diagram's layout, shared by its two renderers: the text ladder
 * (out_ladder.c) and the SVG one (out_ladder_svg.c). The spool (out_ladder_spool.c) turns a
 * run's events, as they come, into rows (one per instant that has events) and arrows (one per
 * segment, from its SEND row to its DELIVER or DROP row) kept in a temporary file; each
 * renderer reads them back through a window of what is still in flight.
 */
#ifndef TCPSIM_OUT_LADDER_H
#define TCPSIM_OUT_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpsim/out.h"
#include "out_track.h"

struct lad_row {
    clk_time t;                 /* when its first event happened */
    struct out_sbuf side[2];    /* beside A's and B's lifeline: states, timer expiries */
    struct out_sbuf note;       /* in the margin: calls, rules, wire actions, narration */
    bool ends;                  /* an arrow starts or ends here */
    bool say;                   /* the note is narration */
    bool spacer;                /* text only: a row added to give a label room, no event */
};

enum lad_end { LAD_OPEN, LAD_DELIVERED, LAD_DROPPED };

struct lad_arrow {
    uint64_t id;                /* wire id */
    int from;                   /* sending host */
    size_t r0, r1;              /* rows of its start and its end */
    enum lad_end end;
    size_t seq;                 /* its number, in the order the segments were sent */
    char label[64];             /* "SYN,ACK 0 ack 1" */
    size_t span, lw, lk;        /* text only: see lad_cols() */
};

/*
 * Rows and arrows in memory: the whole run (lad_layout), or the text ladder's window, rows
 * rbase.. of the run, whose arrows keep the run's row numbers (r0, r1 count from the run's
 * first row, not the window's).
 */
struct lad {
    struct lad_row *row;
    size_t nrow, caprow;
    struct lad_arrow *arr;
    size_t narr, caparr;
    size_t rbase;               /* the run's number of row[0] */
};

/* A segment in flight while the spool is written: its wire id and its arrow's number. */
struct lad_fly {
    uint64_t id;
    size_t seq;
};

/* The first pass: rows and arrows to a temporary file as the events come. */
struct lad_spool {
    FILE *rows;
    struct lad_row cur;         /* the row being filled: texts of the same instant join it */
    bool has_cur;
    bool start, ended;          /* an arrow starts (st), ends (end_seq, end) on it */
    struct lad_arrow st;
    size_t end_seq;
    enum lad_end end;
    size_t nrow, narr;          /* so far */
    struct lad_fly *fly;        /* the segments in flight */
    size_t nfly, capfly;
    size_t maxlabel, maxchars;  /* the longest label, in bytes and in characters */
    clk_time tlast;             /* the last row's time */
    struct out_track tr;
    bool absolute;
    bool failed;                /* ENOMEM or a file error: no diagram rather than a wrong one */
};

/* A row read back, with the arrow starting on it (a: id, from, label) and the one ending on it. */
struct lad_rec {
    struct lad_row row;
    bool start, ended;
    struct lad_arrow a;
    size_t end_seq;
    enum lad_end end;
};

/* 0, or -1 (no temporary file: lad_spool_fini done). */
int lad_spool_init(struct lad_spool *S, bool absolute);
void lad_spool_event(struct lad_spool *S, const struct trace_event *ev);
/* The run is over: the last row written, the file rewound for reading. 0, or -1. */
int lad_spool_end(struct lad_spool *S);
/* The next row, in order (the caller owns its texts); 1, 0 at the end, -1 on a bad file. */
int lad_spool_read(struct lad_spool *S, struct lad_rec *r);
void lad_spool_fini(struct lad_spool *S);

/* The diagram being drawn from a run (out.h): its options and its spool. */
struct out_ladder {
    struct out_ladder_opts o;
    struct lad_spool S;
};

void lad_free(struct lad *L);
/* Free a row's texts and clear it. */
void lad_row_clear(struct lad_row *r);
/* Room for one more row, arrow; 0, or -1 on ENOMEM. */
int lad_grow_rows(struct lad *L);
int lad_grow_arrows(struct lad *L);

#endif
