/*
 * out_ladder.h - the ladder diagram's layout, shared by its two renderers: the text ladder
 * (out_ladder.c) and the SVG one (out_ladder_svg.c). lad_layout turns a recorded run into rows
 * (one per instant that has events) and arrows (one per segment, from its SEND row to its
 * DELIVER or DROP row).
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
    char label[64];             /* "SYN,ACK 0 ack 1" */
    size_t span, lw, lk;        /* text only: see lad_cols() */
};

struct lad {
    struct lad_row *row;
    size_t nrow, caprow;
    struct lad_arrow *arr;
    size_t narr, caparr;
    size_t *by_id;              /* wire id -> arrow index + 1 */
    size_t nby_id;
    bool failed;                /* ENOMEM somewhere: no diagram rather than a wrong one */
};

/* Lay out 'log' into 'L' (numbers absolute or relative to the ISNs); 0, or -1 when out of
   memory. The caller frees 'L' with lad_free in either case. */
int lad_layout(struct lad *L, const struct trace_log *log, bool absolute);
void lad_free(struct lad *L);

#endif
