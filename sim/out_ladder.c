/*
 * out_ladder.c - the ladder (sequence) diagram of a recorded run: host A's lifeline on the
 * left, B's on the right, time going down, one row per event. Each segment is an arrow from
 * its SEND row to its DELIVER row, so it slants with its delay and two segments in flight at
 * once cross; a dropped segment stops half-way (or just past its label) at an X on its DROP
 * row; states are written beside the lifeline at every change; timer expiries, calls, rules,
 * wire actions and narration go in the margin.
 *
 * Every label is drawn beside its own arrow, never on another's: in the text inside its own
 * line, on the row of the arrow's start when that row has room (else its end, else a row in
 * between, else a spacer row added for it); in the SVG beside its own line near the arrow's
 * start, moved along that line only to get clear of other lines and labels.
 *
 * One layout pass (lad_layout) feeds two renderers: text (ASCII, or Unicode box drawing, see
 * lad_place) and a standalone SVG for slides (see svg_place_label).
 *
 * Entry points: out_ladder(f, log, opts), out_ladder_svg(f, log, opts).
 */
#include <stdlib.h>
#include <string.h>

#include "tcpsim/out.h"
#include "out_track.h"

#define LAD_SIDE 16     /* width of the state column beside each lifeline */
#define LAD_SIDE_COMPACT 12 /* the same in a compact ladder: the longest state, SYN-RECEIVED */
#define LAD_TEXT_MAX 4096

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

static void
lad_free(struct lad *L)
{
    for (size_t i = 0; i < L->nrow; i++) {
        out_sbuf_free(&L->row[i].side[0]);
        out_sbuf_free(&L->row[i].side[1]);
        out_sbuf_free(&L->row[i].note);
    }
    free(L->row);
    free(L->arr);
    free(L->by_id);
}

/* A new row at time 't'; its index, or SIZE_MAX on ENOMEM. */
static size_t
lad_new_row(struct lad *L, clk_time t)
{
    if (L->nrow == L->caprow) {
        size_t ncap = L->caprow ? L->caprow * 2 : 64;
        struct lad_row *nr = realloc(L->row, ncap * sizeof *nr);
        if (!nr) {
            L->failed = true;
            return SIZE_MAX;
        }
        L->row = nr;
        L->caprow = ncap;
    }
    memset(&L->row[L->nrow], 0, sizeof L->row[0]);
    L->row[L->nrow].t = t;
    return L->nrow++;
}

/* The row for a piece of text: the last row when it is at the same instant and that slot is
   free (so a state change shares the row of the arrival that caused it), else a new one. */
static struct out_sbuf *
lad_slot(struct lad *L, clk_time t, int side)
{
    struct lad_row *last = L->nrow ? &L->row[L->nrow - 1] : NULL;
    struct out_sbuf *b = last ? (side < 0 ? &last->note : &last->side[side]) : NULL;
    if (!last || last->t != t || b->len) {
        size_t r = lad_new_row(L, t);
        if (r == SIZE_MAX)
            return NULL;
        b = side < 0 ? &L->row[r].note : &L->row[r].side[side];
    }
    return b;
}

static struct lad_arrow *
lad_new_arrow(struct lad *L, uint64_t id, int from, size_t r0)
{
    if (L->narr == L->caparr) {
        size_t ncap = L->caparr ? L->caparr * 2 : 64;
        struct lad_arrow *na = realloc(L->arr, ncap * sizeof *na);
        if (!na)
            return NULL;
        L->arr = na;
        L->caparr = ncap;
    }
    if (id >= L->nby_id) {
        size_t n = L->nby_id ? L->nby_id : 64;
        while (n <= id)
            n *= 2;
        size_t *nb = realloc(L->by_id, n * sizeof *nb);
        if (!nb)
            return NULL;
        memset(nb + L->nby_id, 0, (n - L->nby_id) * sizeof *nb);
        L->by_id = nb;
        L->nby_id = n;
    }
    struct lad_arrow *a = &L->arr[L->narr];
    memset(a, 0, sizeof *a);
    a->id = id;
    a->from = from == 1 ? 1 : 0;
    a->r0 = a->r1 = r0;
    L->by_id[id] = ++L->narr;
    return a;
}

static struct lad_arrow *
lad_arrow_of(const struct lad *L, uint64_t id)
{
    return id < L->nby_id && L->by_id[id] ? &L->arr[L->by_id[id] - 1] : NULL;
}

/* "PSH,ACK 1:6 ack 1": the arrow's label, with the options' sequence numbers. */
static void
lad_label(const struct out_track *tr, const struct trace_event *ev, bool absolute, char *buf, size_t cap)
{
    const struct tcp_seg *s = &ev->seg;
    uint32_t seq = s->seq, ack = s->ack;
    bool rs, ra;
    char flags[48], range[24] = "", acks[24] = "";
    if (!absolute)
        out_track_relative(tr, s, &seq, &ack, &rs, &ra);
    if (s->len)
        snprintf(range, sizeof range, ":%u", (unsigned)(seq + s->len));
    if (s->flags & TCP_ACK)
        snprintf(acks, sizeof acks, " ack %u", (unsigned)ack);
    snprintf(buf, cap, "%s %u%s%s%s", tcp_flags_str(s->flags, flags, sizeof flags), (unsigned)seq, range, acks,
             ev->kind == TRACE_DUP ? " (dup)" : "");
}

/* One event into rows and arrows. */
static void
lad_event(struct lad *L, const struct out_track *tr, const struct trace_event *ev, bool absolute)
{
    struct out_sbuf *b;
    struct lad_arrow *a;
    char when[32], cite[64];
    const char *who = ev->conn_name ? ev->conn_name : out_host_name(ev->host);
    int side = ev->host == 1 ? 1 : 0;
    size_t r;
    switch (ev->kind) {
    case TRACE_SEND:
    case TRACE_DUP:
        if ((r = lad_new_row(L, ev->t)) == SIZE_MAX)
            return;
        L->row[r].ends = true;
        if (!(a = lad_new_arrow(L, ev->pkt_id, ev->from, r))) {
            L->failed = true;
            return;
        }
        lad_label(tr, ev, absolute, a->label, sizeof a->label);
        if (ev->kind == TRACE_DUP)
            out_sbuf_printf(&L->row[r].note, LAD_TEXT_MAX, "#%llu: the wire duplicates #%llu",
                            (unsigned long long)ev->pkt_id, (unsigned long long)ev->orig_id);
        return;
    case TRACE_DELIVER:
    case TRACE_DROP:
        if ((r = lad_new_row(L, ev->t)) == SIZE_MAX)
            return;
        L->row[r].ends = true;
        if ((a = lad_arrow_of(L, ev->pkt_id)) == NULL) { /* arrived unseen: a one-row arrow */
            if (!(a = lad_new_arrow(L, ev->pkt_id, ev->from, r))) {
                L->failed = true;
                return;
            }
            lad_label(tr, ev, absolute, a->label, sizeof a->label);
        }
        a->r1 = r;
        a->end = ev->kind == TRACE_DROP ? LAD_DROPPED : LAD_DELIVERED;
        if (ev->kind == TRACE_DROP)
            out_sbuf_printf(&L->row[r].note, LAD_TEXT_MAX, "#%llu dropped: %s", (unsigned long long)ev->pkt_id,
                            ev->text ? ev->text : "lost");
        return;
    case TRACE_DELAY:
        if ((b = lad_slot(L, ev->t, -1)))
            out_sbuf_printf(b, LAD_TEXT_MAX, "#%llu delayed, due at %s", (unsigned long long)ev->pkt_id,
                            out_time_str(ev->when, when, sizeof when));
        return;
    case TRACE_STATE:
        if ((b = lad_slot(L, ev->t, side)))
            out_sbuf_printf(b, LAD_TEXT_MAX, "%s", tcp_state_rfc(ev->to_state));
        return;
    case TRACE_TIMER_FIRE:
        if ((b = lad_slot(L, ev->t, side)))
            out_sbuf_printf(b, LAD_TEXT_MAX, "(%s fires)", tcp_timer_name(ev->timer));
        return;
    case TRACE_RULE:
        if ((b = lad_slot(L, ev->t, -1)))
            out_sbuf_printf(b, LAD_TEXT_MAX, "%s: %s (%s)", who, tcp_rule_name(ev->rule),
                            out_rule_cite(ev->rule, cite, sizeof cite));
        return;
    case TRACE_CALL:
        if ((b = lad_slot(L, ev->t, -1)))
            out_sbuf_printf(b, LAD_TEXT_MAX, "%s %s = %s", who, ev->text ? ev->text : "?", tcp_err_name(ev->err));
        return;
    case TRACE_SAY:
        if ((b = lad_slot(L, ev->t, -1))) {
            out_sbuf_printf(b, LAD_TEXT_MAX, "# %s", ev->text ? ev->text : "");
            L->row[L->nrow - 1].say = true;
        }
        return;
    case TRACE_TIMER_ARM:
    case TRACE_TIMER_CANCEL:
    case TRACE_KIND_COUNT:
        return;
    }
}

static int
lad_layout(struct lad *L, const struct trace_log *log, bool absolute)
{
    struct out_track tr;
    memset(L, 0, sizeof *L);
    out_track_init(&tr);
    for (size_t i = 0; i < log->len && !L->failed; i++) {
        out_track_event(&tr, &log->ev[i]);
        lad_event(L, &tr, &log->ev[i], absolute);
    }
    out_track_fini(&tr);
    /* a segment still in flight at the end runs to the last row, without a head */
    for (size_t i = 0; i < L->narr; i++)
        if (L->arr[i].end == LAD_OPEN && L->nrow)
            L->arr[i].r1 = L->nrow - 1;
    return L->failed ? -1 : 0;
}

/* ---- text ---------------------------------------------------------------------------------- */

/*
 * The text grid. An arrow from row r0 to r1 (n rows) crosses 'span' columns, counted from its
 * sender's lifeline: W, or about half of it for a drop. One of its rows, row 'lk' of its own,
 * carries the label: that row gets 'lw' columns, enough for "- label -" and a corner, so the
 * label sits inside its own arrow's line with a dash of that line on each side; the other n-1
 * rows share the rest of the span in order, so the arrow still slants with the events that
 * happened while it was in flight. Which row carries the label is chosen so that the label
 * is clear of every other arrow (see lad_place); the nearer the arrow's start, the better.
 */
enum lad_cell { CELL_FREE, CELL_LINE, CELL_LABEL };

#define LAD_MIN_WIDTH 48
#define LAD_COST_LABEL 1024   /* a label on another label: worse than any number of lines */
#define LAD_MAX_SPACERS 256   /* spacer rows in one diagram, at most */

static size_t
lad_nrows(const struct lad_arrow *a)
{
    return a->r1 - a->r0 + 1;
}

/* Columns [lo, hi) of the arrow's row k, from its sender's lifeline. */
static void
lad_cols(const struct lad_arrow *a, size_t k, size_t *lo, size_t *hi)
{
    size_t m = lad_nrows(a) - 1, rest = a->span - a->lw;
    if (m == 0) {
        *lo = 0;
        *hi = a->span;
    } else if (k == a->lk) {
        *lo = rest * k / m;
        *hi = *lo + a->lw;
    } else {
        size_t j = k < a->lk ? k : k - 1, base = k < a->lk ? 0 : a->lw;
        *lo = base + rest * j / m;
        *hi = base + rest * (j + 1) / m;
    }
}

/* The columns of the label's text with its two blanks, [*s, *s + *len), on row lk: centred,
   with a dash of the line on each side and the row's last column left for its corner or
   head. Cut short when a caller's narrow width leaves no room; *len is 0 when none at all. */
static void
lad_label_cols(const struct lad_arrow *a, size_t *s, size_t *len)
{
    size_t lo, hi, want = strlen(a->label) + 2;
    lad_cols(a, a->lk, &lo, &hi);
    size_t width = hi - lo, off;
    *s = lo;
    *len = 0;
    if (width < 6)
        return;
    *len = want <= width - 3 ? want : width - 3;
    off = (width - *len + 1) / 2;
    if (off + *len > width - 2)
        off = width - 2 - *len;
    *s = lo + (off ? off : 1);
}

/*
 * The arrow's span, and its label's row when on row k. Every label row is 'lw' wide, the
 * same for all arrows (wide enough for the longest label), so that arrows sent one after
 * another stay parallel: each next label fits under the turn of the arrow before.
 */
static void
lad_shape(struct lad_arrow *a, size_t W, size_t k, size_t lw)
{
    size_t n = lad_nrows(a), need = strlen(a->label) + 5;
    a->span = W;
    if (a->end == LAD_DROPPED) /* half-way, or as far as its label needs */
        a->span = need <= W / 2 ? W / 2 : need < W ? need + 1 : W;
    a->lk = k;
    a->lw = (a->span + n - 1) / n;
    if (a->lw < lw)
        a->lw = lw;
    /* the rows after the label's must keep a column, for the head */
    size_t cap = a->span - (k + 1 < n ? 1 : 0);
    if (a->lw > cap)
        a->lw = cap;
}

/* Call fn(row, col, label, ctx) for each cell arrow 'a' covers in a W-wide grid. */
static void
lad_cells(const struct lad_arrow *a, size_t W, void (*fn)(size_t, size_t, bool, void *), void *ctx)
{
    size_t n = lad_nrows(a), ls, llen;
    bool right = a->from == 0;
    lad_label_cols(a, &ls, &llen);
#define LAD_COL(c) (right ? (c) : W - 1 - (c))
    for (size_t k = 0; k < n; k++) {
        size_t lo, hi;
        lad_cols(a, k, &lo, &hi);
        if (hi == lo) {
            fn(a->r0 + k, LAD_COL(lo ? lo - 1 : 0), false, ctx);
            continue;
        }
        if (k > 0 && lo > 0)
            fn(a->r0 + k, LAD_COL(lo - 1), false, ctx);
        for (size_t c = lo; c < hi; c++)
            fn(a->r0 + k, LAD_COL(c), k == a->lk && c >= ls && c < ls + llen, ctx);
    }
#undef LAD_COL
}

struct lad_cost {
    const uint8_t *occ;
    size_t W;
    size_t cost;
};

static void
lad_cost_cell(size_t r, size_t c, bool label, void *ctx)
{
    struct lad_cost *k = ctx;
    uint8_t o = k->occ[r * k->W + c];
    /* a label over a line, or a line through someone else's label, hides a piece of line;
       a label over a label garbles both */
    k->cost += label ? (o == CELL_LABEL ? LAD_COST_LABEL : o == CELL_LINE) : o == CELL_LABEL;
}

struct lad_mark {
    uint8_t *occ;
    size_t W;
};

static void
lad_mark_cell(size_t r, size_t c, bool label, void *ctx)
{
    struct lad_mark *m = ctx;
    uint8_t *o = &m->occ[r * m->W + c];
    if (label || *o == CELL_FREE)
        *o = label ? CELL_LABEL : CELL_LINE;
}

/*
 * A spacer row before row 'at': no event, only the lines of the arrows in flight across it
 * (they get one row more); arrows 0..placed-1 keep their label on the same row as before.
 * 0, or -1 on ENOMEM.
 */
static int
lad_insert_row(struct lad *L, size_t at, size_t placed)
{
    size_t last = L->nrow - 1;
    if (lad_new_row(L, 0) == SIZE_MAX)
        return -1;
    memmove(&L->row[at + 1], &L->row[at], (L->nrow - 1 - at) * sizeof L->row[0]);
    memset(&L->row[at], 0, sizeof L->row[0]);
    L->row[at].t = L->row[at - 1].t;
    L->row[at].spacer = true;
    for (size_t i = 0; i < L->narr; i++) {
        struct lad_arrow *a = &L->arr[i];
        size_t lrow = a->r0 + a->lk;
        bool open = a->end == LAD_OPEN && a->r1 == last;
        a->r0 += a->r0 >= at;
        a->r1 = open ? L->nrow - 1 : a->r1 + (a->r1 >= at);
        if (i < placed)
            a->lk = lrow + (lrow >= at) - a->r0;
    }
    return 0;
}

/* Mark arrows 0..n-1 in 'occ' (nrow x W, cleared first). */
static void
lad_mark_all(const struct lad *L, size_t W, uint8_t *occ, size_t n)
{
    struct lad_mark m = {occ, W};
    memset(occ, 0, L->nrow * W);
    for (size_t i = 0; i < n; i++)
        lad_cells(&L->arr[i], W, lad_mark_cell, &m);
}

/*
 * Choose each arrow's label row, in the order the arrows were sent: its first row (the label
 * at the arrow's start), else its last (beside its head), else the first row in between,
 * where the label touches no other arrow and the arrow's line crosses no label already
 * placed; when every row has some (a crowded run), the row with the fewest. A long flight
 * tries its first rows and a sample of the others. When every row would put the label on
 * another label, a spacer row under the arrow's start gives it room.
 */
static int
lad_place(struct lad *L, size_t W)
{
    uint8_t *occ = calloc(L->nrow * W + 1, 1);
    size_t lw = 0, spacers = 0;
    if (!occ)
        return -1;
    for (size_t i = 0; i < L->narr; i++)
        if (strlen(L->arr[i].label) + 5 > lw)
            lw = strlen(L->arr[i].label) + 5;
    for (size_t i = 0; i < L->narr; i++) {
        struct lad_arrow *a = &L->arr[i];
        size_t n = lad_nrows(a), best = 0, best_cost = SIZE_MAX;
        for (size_t j = 0; j < n && best_cost > 0; j += j < 32 ? 1 : (n + 31) / 32) {
            /* j-th candidate: 0, n-1, 1, 2, ... */
            size_t k = j == 0 ? 0 : j == 1 ? n - 1 : j - 1;
            struct lad_cost c = {occ, W, 0};
            lad_shape(a, W, k, lw);
            lad_cells(a, W, lad_cost_cell, &c);
            if (c.cost < best_cost) {
                best_cost = c.cost;
                best = k;
            }
        }
        if (best_cost >= LAD_COST_LABEL && spacers < LAD_MAX_SPACERS) {
            uint8_t *nocc = realloc(occ, (L->nrow + 1) * W + 1);
            if (!nocc || lad_insert_row(L, a->r0 + 1, i) != 0) {
                free(nocc ? nocc : occ);
                return -1;
            }
            occ = nocc;
            for (size_t k = 0; k < i; k++)
                lad_shape(&L->arr[k], W, L->arr[k].lk, lw);
            lad_mark_all(L, W, occ, i);
            spacers++;
            i--; /* place it again, with the new row */
            continue;
        }
        lad_shape(a, W, best, lw);
        struct lad_mark m = {occ, W};
        lad_cells(a, W, lad_mark_cell, &m);
    }
    free(occ);
    return 0;
}

enum lad_glyph { G_DASH, G_END_CORNER, G_START_CORNER, G_TIP, G_DROP, G_STEEP, G_LIFE };

/* The character for a glyph, drawn by an arrow going right (A to B) or left. */
static uint32_t
lad_glyph(enum lad_glyph g, bool right, bool unicode)
{
    switch (g) {
    case G_DASH: return unicode ? 0x2500 : '-';
    case G_END_CORNER: return unicode ? (right ? 0x256e : 0x256d) : '.';
    case G_START_CORNER: return unicode ? (right ? 0x2570 : 0x256f) : (right ? '`' : '\'');
    case G_TIP: return unicode ? (right ? 0x25b6 : 0x25c0) : (right ? '>' : '<');
    case G_DROP: return unicode ? 0x2715 : 'X';
    case G_STEEP: return unicode ? 0x2502 : '|';
    case G_LIFE: return unicode ? 0x2502 : '|';
    }
    return '?';
}

static void
lad_put_utf8(FILE *f, uint32_t c)
{
    if (c < 0x80) {
        fputc((int)c, f);
    } else if (c < 0x800) {
        fputc((int)(0xc0 | c >> 6), f);
        fputc((int)(0x80 | (c & 0x3f)), f);
    } else {
        fputc((int)(0xe0 | c >> 12), f);
        fputc((int)(0x80 | ((c >> 6) & 0x3f)), f);
        fputc((int)(0x80 | (c & 0x3f)), f);
    }
}

/* Draw arrow 'a' into 'grid' (nrow x W cells): its line (dashes, and the corners where it
   steps down a row), or else its end: a head, an X for a drop, nothing when still in flight.
   The ends are drawn after every line, so that no other line hides where a segment went. */
static void
lad_draw_arrow(uint32_t *grid, size_t W, const struct lad_arrow *a, bool unicode, bool end)
{
    bool right = a->from == 0;
    size_t n = lad_nrows(a);
    for (size_t k = 0; k < n; k++) {
        uint32_t *row = grid + (a->r0 + k) * W;
        size_t lo, hi;
        lad_cols(a, k, &lo, &hi);
#define LAD_AT(c) row[right ? (c) : W - 1 - (c)]
        if (end) {
            if (k + 1 == n && a->end != LAD_OPEN)
                LAD_AT(hi - 1) = lad_glyph(a->end == LAD_DELIVERED ? G_TIP : G_DROP, right, unicode);
            continue;
        }
        if (hi == lo) { /* steeper than one column per row: straight down under the corner */
            LAD_AT(lo ? lo - 1 : 0) = lad_glyph(G_STEEP, right, unicode);
            continue;
        }
        for (size_t c = lo; c < hi; c++)
            LAD_AT(c) = lad_glyph(G_DASH, right, unicode);
        if (k > 0 && lo > 0)
            LAD_AT(lo - 1) = lad_glyph(G_START_CORNER, right, unicode);
        if (k + 1 < n)
            LAD_AT(hi - 1) = lad_glyph(G_END_CORNER, right, unicode);
#undef LAD_AT
    }
}

/* The label inside its own line, on the row lad_place chose; cut short only when a caller's
   narrow width leaves no room for all of it. */
static void
lad_draw_label(uint32_t *grid, size_t W, const struct lad_arrow *a)
{
    size_t s, len;
    lad_label_cols(a, &s, &len);
    if (len == 0)
        return;
    uint32_t *row = grid + (a->r0 + a->lk) * W;
    size_t start = a->from == 0 ? s : W - s - len;
    for (size_t i = 0; i < len; i++)
        row[start + i] = (i == 0 || i == len - 1) ? ' ' : (unsigned char)a->label[i - 1];
}

/* A compact ladder's notes, under it: "    time  note", folded at spaces to 'columns'. */
static void
lad_notes(FILE *f, const struct lad *L, int columns)
{
    bool any = false;
    for (size_t r = 0; r < L->nrow; r++) {
        const struct lad_row *row = &L->row[r];
        char time[32];
        if (!row->note.len)
            continue;
        if (!any)
            fprintf(f, "\n%10s  notes\n", "");
        any = true;
        int col = fprintf(f, "%10s ", out_time_str(row->t, time, sizeof time));
        for (const char *p = row->note.s; *p;) {
            size_t n = strcspn(p, " ");
            if (col > 13 && col + 1 + (int)n > columns) {
                fprintf(f, "\n%13s", "");
                col = 13;
            }
            col += fprintf(f, " %.*s", (int)n, p);
            p += n;
            while (*p == ' ')
                p++;
        }
        fputc('\n', f);
    }
}

int
out_ladder(FILE *f, const struct trace_log *log, const struct out_ladder_opts *o)
{
    static const struct out_ladder_opts defaults = OUT_LADDER_OPTS_DEFAULT;
    struct lad L;
    if (!o)
        o = &defaults;
    /* compact: "%10s  " time, the two state columns and lifelines, the arrows in what is left */
    bool compact = o->columns > 0 && o->columns < OUT_TEXT_WIDE;
    int side = compact ? LAD_SIDE_COMPACT : LAD_SIDE;
    if (lad_layout(&L, log, o->absolute_seq) != 0) {
        lad_free(&L);
        return -1;
    }
    /* the caller's width; a narrow terminal's; or wide enough for the longest label and some
       room to slant */
    size_t W = o->width > 8 ? (size_t)o->width : LAD_MIN_WIDTH;
    if (compact && o->width <= 8)
        W = o->columns - 16 - 2 * side > 12 ? (size_t)(o->columns - 16 - 2 * side) : 12;
    for (size_t i = 0; o->width <= 8 && !compact && i < L.narr; i++)
        if (strlen(L.arr[i].label) + 5 + 12 > W)
            W = strlen(L.arr[i].label) + 5 + 12;
    uint32_t *grid = NULL;
    if (lad_place(&L, W) != 0 || !(grid = calloc(L.nrow * W + 1, sizeof *grid))) {
        lad_free(&L);
        return -1;
    }
    for (size_t i = 0; i < L.narr; i++)
        lad_draw_arrow(grid, W, &L.arr[i], o->unicode, false);
    for (size_t i = 0; i < L.narr; i++)
        lad_draw_arrow(grid, W, &L.arr[i], o->unicode, true);
    for (size_t i = 0; i < L.narr; i++)
        lad_draw_label(grid, W, &L.arr[i]);

    uint32_t life = lad_glyph(G_LIFE, true, o->unicode);
    fprintf(f, "%10s  %*s ", "", side, "A 10.0.0.1");
    lad_put_utf8(f, life);
    fprintf(f, "%*s", (int)W, "");
    lad_put_utf8(f, life);
    fprintf(f, " B 10.0.0.2\n");
    for (size_t r = 0; r < L.nrow; r++) {
        const struct lad_row *row = &L.row[r];
        char time[32], line[64];
        if (row->spacer)
            time[0] = '\0';
        else
            out_time_str(row->t, time, sizeof time);
        snprintf(line, sizeof line, "%s", row->side[0].len ? row->side[0].s : "");
        fprintf(f, "%10s  %*.*s ", time, side, side, line);
        lad_put_utf8(f, life);
        for (size_t c = 0; c < W; c++)
            lad_put_utf8(f, grid[r * W + c] ? grid[r * W + c] : ' ');
        lad_put_utf8(f, life);
        if (compact) {
            if (row->side[1].len) /* the notes go under the diagram */
                fprintf(f, " %.*s", side, row->side[1].s);
        } else if (row->note.len)
            fprintf(f, " %-*.*s %s", LAD_SIDE, LAD_SIDE, row->side[1].len ? row->side[1].s : "", row->note.s);
        else if (row->side[1].len)
            fprintf(f, " %.*s", LAD_SIDE, row->side[1].s);
        fputc('\n', f);
    }
    if (compact)
        lad_notes(f, &L, o->columns);
    free(grid);
    lad_free(&L);
    return 0;
}

/* ---- SVG ----------------------------------------------------------------------------------- */

/*
 * The SVG's geometry. Text is monospace 13 px: a character is 0.6 em wide (7.8 px), counted
 * as 8 so that a font a little wider still fits. Margin notes are wrapped to SVG_NOTE_COLS
 * characters, and a row is as tall as its note; the picture is as wide as its widest text.
 */
#define SVG_CW 8.0          /* width of a character */
#define SVG_LINE_H 16.0     /* height of a line of text */
#define SVG_ROW_H 28.0      /* height of a row of one line */
#define SVG_TOP 70.0
#define SVG_XA 260.0        /* A's lifeline */
#define SVG_LANE 400.0      /* from A's lifeline to B's, at least */
#define SVG_SIDE 18         /* characters of the state column right of B's lifeline */
#define SVG_NOTE_COLS 64

/* Characters (UTF-8 code points) in s[0..n). */
static size_t
svg_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

/*
 * The next line of a note wrapped at SVG_NOTE_COLS characters: its length in bytes from 's',
 * breaking at the last blank that fits (or inside a word longer than a line); '*next' is
 * where the following line starts. 0 at the end.
 */
static size_t
svg_wrap(const char *s, const char **next)
{
    size_t n = 0, chars = 0, brk = 0;
    for (; s[n]; n++) {
        if (((unsigned char)s[n] & 0xc0) != 0x80 && ++chars > SVG_NOTE_COLS)
            break;
        if (s[n] == ' ')
            brk = n;
    }
    if (s[n] && brk > 0)
        n = brk;
    *next = s + n;
    while (**next == ' ')
        (*next)++;
    return n;
}

static size_t
svg_note_lines(const char *s)
{
    size_t lines = 0;
    const char *next;
    while (*s && svg_wrap(s, &next) > 0) {
        lines++;
        s = next;
    }
    return lines;
}

/* Text for XML: the five special characters escaped, control characters as blanks. */
static void
lad_xml(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        switch (s[i]) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc((unsigned char)s[i] < 0x20 ? ' ' : s[i], f);
        }
    }
}

static void
lad_svg_textn(FILE *f, double x, double y, const char *anchor, const char *cls, const char *s, size_t n)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor, cls);
    lad_xml(f, s, n);
    fputs("</text>\n", f);
}

static void
lad_svg_text(FILE *f, double x, double y, const char *anchor, const char *cls, const char *s)
{
    lad_svg_textn(f, x, y, anchor, cls, s, strlen(s));
}

struct svg_box {
    double x0, y0, x1, y1;
};

struct svg_seg {
    double x0, y0, x1, y1;
};

/* Does segment 's' pass through box 'b'? (Liang-Barsky clipping.) */
static bool
svg_hits(const struct svg_seg *s, const struct svg_box *b)
{
    double t0 = 0, t1 = 1, dx = s->x1 - s->x0, dy = s->y1 - s->y0;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {s->x0 - b->x0, b->x1 - s->x0, s->y0 - b->y0, b->y1 - s->y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return false;
            continue;
        }
        double r = q[i] / p[i];
        if (p[i] < 0 && r > t0)
            t0 = r;
        if (p[i] > 0 && r < t1)
            t1 = r;
        if (t0 > t1)
            return false;
    }
    return true;
}

static bool
svg_overlap(const struct svg_box *a, const struct svg_box *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

/*
 * Where arrow i's label goes. The label reads horizontally beside its own line, never on
 * it: just above the line and after a point of it (toward the head), or just below and
 * before it; the own line slants away from the box either way. The points tried go from the
 * arrow's start to its end, and the label stays at the start unless something is in the way
 * there: then it goes to the place nearest the start that is clear, where no other line
 * passes through the box nor within 6 px of it (the eye would give the label to that line),
 * and no label nor a drop's X is. In a crowd with no clear place it stays near the start,
 * where a reader looks for it, over as few lines as it can (they show through its light
 * background). It never goes on another label when any other place is left, and never
 * beyond a lifeline.
 */
static struct svg_box
svg_place_label(const struct svg_seg *seg, const size_t *near_seg, size_t nnear, size_t i,
                const struct svg_box *taken, const size_t *near_taken, size_t nnear_taken, double w, double xa,
                double xb)
{
    const struct svg_seg *own = &seg[i];
    bool right = own->x1 > own->x0;
    struct svg_box best = {0, 0, 0, 0};
    double best_cost = -1;
    for (int step = 0; step <= 40 && best_cost != 0; step++) {
        double t = step / 40.0;
        double px = own->x0 + t * (own->x1 - own->x0), py = own->y0 + t * (own->y1 - own->y0);
        for (int below = 0; below < 2 && best_cost != 0; below++) {
            struct svg_box b;
            bool after = below ? !right : right; /* above: toward the head; below: back */
            b.x0 = after ? px + 6 : px - 6 - w;
            b.x1 = b.x0 + w;
            b.y0 = below ? py + 3 : py - 3 - SVG_LINE_H;
            b.y1 = b.y0 + SVG_LINE_H;
            if (b.x0 < xa + 4 || b.x1 > xb - 4 || b.y0 < SVG_TOP - 10)
                continue;
            struct svg_box near = {b.x0 - 6, b.y0 - 6, b.x1 + 6, b.y1 + 6};
            double cost = 0, through = 0;
            for (size_t j = 0; j < nnear; j++) {
                if (svg_hits(&seg[near_seg[j]], &b))
                    through++;
                else if (svg_hits(&seg[near_seg[j]], &near))
                    cost += 6;
            }
            for (size_t j = 0; j < nnear_taken; j++)
                cost += svg_overlap(&taken[near_taken[j]], &near) ? 4096 : 0;
            /* a clear place anywhere beats any place with a line through; in a crowd with no
               clear place, the start beats a far place that has fewer lines through */
            cost += through > 0 ? 256 + 8 * through + 64 * t : 3 * t;
            if (best_cost < 0 || cost < best_cost) {
                best_cost = cost;
                best = b;
            }
        }
    }
    if (best_cost < 0) { /* a label wider than the lane: at the start, over the line */
        best.x0 = right ? own->x0 + 6 : own->x0 - 6 - w;
        best.x1 = best.x0 + w;
        best.y0 = own->y0 - 3 - SVG_LINE_H;
        best.y1 = own->y0 - 3;
    }
    return best;
}

int
out_ladder_svg(FILE *f, const struct trace_log *log, const struct out_ladder_opts *o)
{
    static const struct out_ladder_opts defaults = OUT_LADDER_OPTS_DEFAULT;
    struct lad L;
    if (!o)
        o = &defaults;
    if (lad_layout(&L, log, o->absolute_seq) != 0) {
        lad_free(&L);
        return -1;
    }
    double *y = malloc((L.nrow + 1) * sizeof *y);
    struct svg_seg *seg = malloc((L.narr + 1) * sizeof *seg);
    struct svg_box *lab = malloc((L.narr + 1) * sizeof *lab), *taken = malloc((2 * L.narr + 1) * sizeof *taken);
    size_t *near = malloc((L.narr + 1) * sizeof *near), *near_taken = malloc((2 * L.narr + 1) * sizeof *near_taken);
    if (!y || !seg || !lab || !taken || !near || !near_taken) {
        free(y);
        free(seg);
        free(lab);
        free(taken);
        free(near);
        free(near_taken);
        lad_free(&L);
        return -1;
    }

    /* across: the lane as wide as the longest label needs, notes after B's state column */
    double lane = SVG_LANE;
    for (size_t i = 0; i < L.narr; i++)
        if (svg_chars(L.arr[i].label, strlen(L.arr[i].label)) * SVG_CW + 60 > lane)
            lane = (double)svg_chars(L.arr[i].label, strlen(L.arr[i].label)) * SVG_CW + 60;
    const double xa = SVG_XA, xb = xa + lane, xnote = xb + 10 + SVG_SIDE * SVG_CW;
    double width = xnote + 20;
    for (size_t r = 0; r < L.nrow; r++) {
        const char *s = L.row[r].note.len ? L.row[r].note.s : "", *next;
        for (size_t n; *s && (n = svg_wrap(s, &next)) > 0; s = next)
            if (xnote + (double)(svg_chars(s, n) + 2) * SVG_CW + 20 > width)
                width = xnote + (double)(svg_chars(s, n) + 2) * SVG_CW + 20;
        if (L.row[r].side[1].len && xb + 10 + (double)svg_chars(L.row[r].side[1].s, L.row[r].side[1].len) * SVG_CW + 20 > width)
            width = xb + 10 + (double)svg_chars(L.row[r].side[1].s, L.row[r].side[1].len) * SVG_CW + 20;
    }

    /* down: each row as tall as its note; by time, as far down as its time says, but never
       so close to the last row with text that their texts would meet */
    clk_time tmax = L.nrow ? L.row[L.nrow - 1].t : 0;
    double height = (double)L.nrow * SVG_ROW_H, free_y = SVG_TOP;
    for (size_t r = 0; r < L.nrow; r++) {
        const struct lad_row *row = &L.row[r];
        size_t lines = row->note.len ? svg_note_lines(row->note.s) : 1;
        if (!o->svg_by_time || tmax <= 0) {
            y[r] = r ? free_y : SVG_TOP;
            free_y = y[r] + SVG_ROW_H + (double)(lines - 1) * SVG_LINE_H;
            continue;
        }
        y[r] = SVG_TOP + height * (double)row->t / (double)tmax;
        if (r && y[r] < y[r - 1])
            y[r] = y[r - 1];
        if (row->note.len || row->side[0].len || row->side[1].len) {
            if (y[r] < free_y)
                y[r] = free_y;
            free_y = y[r] + (double)lines * SVG_LINE_H;
        }
    }
    double bottom = (L.nrow ? y[L.nrow - 1] : SVG_TOP) + 20;
    if (L.nrow && L.row[L.nrow - 1].note.len)
        bottom += (double)(svg_note_lines(L.row[L.nrow - 1].note.s) - 1) * SVG_LINE_H;

    for (size_t i = 0; i < L.narr; i++) {
        const struct lad_arrow *a = &L.arr[i];
        seg[i].x0 = a->from == 0 ? xa : xb;
        seg[i].x1 = a->from == 0 ? xb : xa;
        seg[i].y0 = y[a->r0];
        seg[i].y1 = y[a->r1];
        if (a->end == LAD_DROPPED)
            seg[i].x1 = (seg[i].x0 + seg[i].x1) / 2;
    }
    /* the drops' X first, then the labels in the order the segments were sent */
    size_t ntaken = 0;
    for (size_t i = 0; i < L.narr; i++)
        if (L.arr[i].end == LAD_DROPPED)
            taken[ntaken++] = (struct svg_box){seg[i].x1 - 7, seg[i].y1 - 8, seg[i].x1 + 7, seg[i].y1 + 8};
    for (size_t i = 0; i < L.narr; i++) {
        /* what is within reach of a label beside this arrow: from 30 px above its start to
           30 px below its end (the list keeps a long run from costing n^2 of the tests) */
        double lo = seg[i].y0 - 30, hi = seg[i].y1 + 30;
        size_t nn = 0, nt = 0;
        for (size_t k = 0; k < L.narr; k++)
            if (k != i && seg[k].y1 >= lo && seg[k].y0 <= hi)
                near[nn++] = k;
        for (size_t k = 0; k < ntaken; k++)
            if (taken[k].y1 >= lo && taken[k].y0 <= hi)
                near_taken[nt++] = k;
        double w = (double)svg_chars(L.arr[i].label, strlen(L.arr[i].label)) * SVG_CW + 6;
        lab[i] = svg_place_label(seg, near, nn, i, taken, near_taken, nt, w, xa, xb);
        taken[ntaken++] = lab[i];
    }

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
            width, bottom + 20, width, bottom + 20);
    fputs("<style>text{font-family:monospace;font-size:13px}.host{font-size:16px;font-weight:bold}"
          ".state{fill:#1a7f37;font-weight:bold}.note{fill:#555}.say{fill:#0a5c8a;font-style:italic}"
          ".label{fill:#222}.labelbg{fill:#fff;fill-opacity:0.7}.time{fill:#888}"
          ".drop{fill:#c62828;font-weight:bold;font-size:18px}</style>\n"
          "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
          "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker></defs>\n"
          "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", f);
    lad_svg_text(f, xa, SVG_TOP - 30, "middle", "host", "A 10.0.0.1");
    lad_svg_text(f, xb, SVG_TOP - 30, "middle", "host", "B 10.0.0.2");
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-width=\"2\"/>\n", xa,
            SVG_TOP - 15, xa, bottom);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-width=\"2\"/>\n", xb,
            SVG_TOP - 15, xb, bottom);
    for (size_t i = 0; i < L.narr; i++) {
        const struct lad_arrow *a = &L.arr[i];
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-width=\"1.5\"%s%s/>\n",
                seg[i].x0, seg[i].y0, seg[i].x1, seg[i].y1, a->end == LAD_DELIVERED ? " marker-end=\"url(#head)\"" : "",
                a->end == LAD_OPEN ? " stroke-dasharray=\"4 3\"" : "");
        if (a->end == LAD_DROPPED)
            lad_svg_text(f, seg[i].x1, seg[i].y1 + 6, "middle", "drop", "X");
    }
    /* labels over every line, each on a light background in case a crowd left no clear place */
    for (size_t i = 0; i < L.narr; i++) {
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"labelbg\"/>\n", lab[i].x0,
                lab[i].y0, lab[i].x1 - lab[i].x0, lab[i].y1 - lab[i].y0);
        lad_svg_text(f, lab[i].x0 + 3, lab[i].y1 - 4, "start", "label", L.arr[i].label);
    }
    double last_time = -1e9;
    for (size_t r = 0; r < L.nrow; r++) {
        const struct lad_row *row = &L.row[r];
        char time[32];
        if (y[r] - last_time >= SVG_LINE_H - 2) { /* by time, rows at one height show it once */
            lad_svg_text(f, 10, y[r] + 4, "start", "time", out_time_str(row->t, time, sizeof time));
            last_time = y[r];
        }
        if (row->side[0].len)
            lad_svg_text(f, xa - 10, y[r] + 4, "end", "state", row->side[0].s);
        if (row->side[1].len)
            lad_svg_text(f, xb + 10, y[r] + 4, "start", "state", row->side[1].s);
        const char *s = row->note.len ? row->note.s : "", *next;
        double yl = y[r] + 4;
        for (size_t n; *s && (n = svg_wrap(s, &next)) > 0; s = next, yl += SVG_LINE_H) {
            /* continued lines are indented past the "# " of narration */
            double indent = s != row->note.s && row->say ? 2 * SVG_CW : s != row->note.s ? SVG_CW : 0;
            lad_svg_textn(f, xnote + indent, yl, "start", row->say ? "say" : "note", s, n);
        }
    }
    fputs("</svg>\n", f);
    free(y);
    free(seg);
    free(lab);
    free(taken);
    free(near);
    free(near_taken);
    lad_free(&L);
    return 0;
}
