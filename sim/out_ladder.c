/*
 * out_ladder.c - the ladder (sequence) diagram of a run: host A's lifeline on the left, B's
 * on the right, time going down, one row per event. Each segment is an arrow from its SEND
 * row to its DELIVER row, so it slants with its delay and two segments in flight at once
 * cross; a dropped segment stops half-way (or just past its label) at an X on its DROP row;
 * states are written beside the lifeline at every change; timer expiries, calls, rules, wire
 * actions and narration go in the margin.
 *
 * Every label is drawn beside its own arrow, never on another's: in the text inside its own
 * line, on the row of the arrow's start when that row has room (else its end, else a row in
 * between, else a spacer row added for it); in the SVG beside its own line near the arrow's
 * start, moved along that line only to get clear of other lines and labels.
 *
 * Two passes, in memory that does not grow with the run: the spool (out_ladder_spool.c) takes
 * the events as they come (out_ladder_observe); at the end the text is drawn from it through a
 * window (struct lad_win) that holds only the rows whose arrows are not all placed, and each
 * row is written as soon as nothing later can change it. A recorded run is fed to the same
 * observer (out_ladder). The SVG (out_ladder_svg.c) reads the same spool through its own window.
 */
#include <stdlib.h>
#include <string.h>

#include "tcpsim/out.h"
#include "out_track.h"
#include "out_ladder.h"

#define LAD_SIDE 16     /* width of the state column beside each lifeline */
#define LAD_SIDE_COMPACT 12 /* the same in a compact ladder: the longest state, SYN-RECEIVED */

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
    const uint8_t *occ;         /* the window's rows, from row 'base' of the run */
    size_t W, base;
    size_t cost;
};

static void
lad_cost_cell(size_t r, size_t c, bool label, void *ctx)
{
    struct lad_cost *k = ctx;
    if (r < k->base) /* written already: nothing there can be in the way */
        return;
    uint8_t o = k->occ[(r - k->base) * k->W + c];
    /* a label over a line, or a line through someone else's label, hides a piece of line;
       a label over a label garbles both */
    k->cost += label ? (o == CELL_LABEL ? LAD_COST_LABEL : o == CELL_LINE) : o == CELL_LABEL;
}

struct lad_mark {
    uint8_t *occ;
    size_t W, base;
};

static void
lad_mark_cell(size_t r, size_t c, bool label, void *ctx)
{
    struct lad_mark *m = ctx;
    if (r < m->base)
        return;
    uint8_t *o = &m->occ[(r - m->base) * m->W + c];
    if (label || *o == CELL_FREE)
        *o = label ? CELL_LABEL : CELL_LINE;
}

/*
 * A spacer row before row 'at' (the run's number): no event, only the lines of the arrows in
 * flight across it (they get one row more); arrows 0..placed-1 keep their label on the same
 * row as before. 0, or -1 on ENOMEM.
 */
static int
lad_insert_row(struct lad *L, size_t at, size_t placed)
{
    size_t last = L->rbase + L->nrow - 1, rel = at - L->rbase;
    if (lad_grow_rows(L) != 0)
        return -1;
    memmove(&L->row[rel + 1], &L->row[rel], (L->nrow - rel) * sizeof L->row[0]);
    L->nrow++;
    memset(&L->row[rel], 0, sizeof L->row[0]);
    L->row[rel].t = L->row[rel - 1].t;
    L->row[rel].spacer = true;
    for (size_t i = 0; i < L->narr; i++) {
        struct lad_arrow *a = &L->arr[i];
        size_t lrow = a->r0 + a->lk;
        bool open = a->end == LAD_OPEN && a->r1 == last;
        a->r0 += a->r0 >= at;
        a->r1 = open ? L->rbase + L->nrow - 1 : a->r1 + (a->r1 >= at);
        if (i < placed)
            a->lk = lrow + (lrow >= at) - a->r0;
    }
    return 0;
}

/*
 * The text ladder's second pass: the window of rows and arrows, and what placing the labels
 * needs to know of it.
 */
struct lad_win {
    struct lad L;
    size_t W, lw;               /* columns between the lifelines; a label row's width */
    int side;                   /* the state columns' width */
    bool compact, unicode;
    int columns;
    uint8_t *occ;               /* the window's rows x W: enum lad_cell */
    size_t capocc;              /* rows of room in occ */
    size_t nplaced;             /* arrows 0..nplaced-1 have their label row */
    size_t spacers;             /* added so far, in the whole diagram */
    FILE *notes;                /* compact: the notes, listed under the diagram */
    bool any_note;
};

/* Mark arrows 0..n-1 in the window's 'occ' (cleared first). */
static void
lad_mark_all(struct lad_win *w, size_t n)
{
    struct lad_mark m = {w->occ, w->W, w->L.rbase};
    memset(w->occ, 0, w->L.nrow * w->W);
    for (size_t i = 0; i < n; i++)
        lad_cells(&w->L.arr[i], w->W, lad_mark_cell, &m);
}

/* Room in 'occ' for every row of the window; 0, or -1 on ENOMEM. */
static int
lad_occ_fit(struct lad_win *w)
{
    if (w->L.nrow > w->capocc) {
        size_t ncap = w->capocc ? w->capocc * 2 : 64;
        while (ncap < w->L.nrow)
            ncap *= 2;
        uint8_t *no = realloc(w->occ, ncap * w->W + 1);
        if (!no)
            return -1;
        w->occ = no;
        w->capocc = ncap;
    }
    return 0;
}

/*
 * Choose arrow i's label row (arrows are placed in the order they were sent): its first row
 * (the label at the arrow's start), else its last (beside its head), else the first row in
 * between, where the label touches no other arrow and the arrow's line crosses no label
 * already placed; when every row has some (a crowded run), the row with the fewest. A long
 * flight tries its first rows and a sample of the others. When every row would put the label
 * on another label, a spacer row under the arrow's start gives it room. 0, or -1 on ENOMEM.
 */
static int
lad_place(struct lad_win *w, size_t i)
{
    struct lad *L = &w->L;
    size_t W = w->W;
    for (;;) {
        struct lad_arrow *a = &L->arr[i];
        size_t n = lad_nrows(a), best = 0, best_cost = SIZE_MAX;
        for (size_t j = 0; j < n && best_cost > 0; j += j < 32 ? 1 : (n + 31) / 32) {
            /* j-th candidate: 0, n-1, 1, 2, ... */
            size_t k = j == 0 ? 0 : j == 1 ? n - 1 : j - 1;
            struct lad_cost c = {w->occ, W, L->rbase, 0};
            lad_shape(a, W, k, w->lw);
            lad_cells(a, W, lad_cost_cell, &c);
            if (c.cost < best_cost) {
                best_cost = c.cost;
                best = k;
            }
        }
        if (best_cost >= LAD_COST_LABEL && w->spacers < LAD_MAX_SPACERS) {
            if (lad_insert_row(L, a->r0 + 1, i) != 0 || lad_occ_fit(w) != 0)
                return -1;
            for (size_t k = 0; k < i; k++)
                lad_shape(&L->arr[k], W, L->arr[k].lk, w->lw);
            lad_mark_all(w, i);
            w->spacers++;
            continue; /* place it again, with the new row */
        }
        lad_shape(a, W, best, w->lw);
        struct lad_mark m = {w->occ, W, L->rbase};
        lad_cells(a, W, lad_mark_cell, &m);
        return 0;
    }
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
lad_draw_arrow(uint32_t *grid, size_t W, size_t lo_row, size_t hi_row, const struct lad_arrow *a, bool unicode,
               bool end)
{
    bool right = a->from == 0;
    size_t n = lad_nrows(a);
    for (size_t k = 0; k < n; k++) {
        if (a->r0 + k < lo_row || a->r0 + k >= hi_row) /* grid holds rows [lo_row, hi_row) */
            continue;
        uint32_t *row = grid + (a->r0 + k - lo_row) * W;
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
lad_draw_label(uint32_t *grid, size_t W, size_t lo_row, size_t hi_row, const struct lad_arrow *a)
{
    size_t s, len;
    lad_label_cols(a, &s, &len);
    if (len == 0 || a->r0 + a->lk < lo_row || a->r0 + a->lk >= hi_row)
        return;
    uint32_t *row = grid + (a->r0 + a->lk - lo_row) * W;
    size_t start = a->from == 0 ? s : W - s - len;
    for (size_t i = 0; i < len; i++)
        row[start + i] = (i == 0 || i == len - 1) ? ' ' : (unsigned char)a->label[i - 1];
}

/* A compact ladder's note, listed under it: "    time  note", folded at spaces to 'columns'. */
static void
lad_note(FILE *f, const struct lad_row *row, int columns, bool *any)
{
    char time[32];
    if (!row->note.len)
        return;
    if (!*any)
        fprintf(f, "\n%10s  notes\n", "");
    *any = true;
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

/* One row of the diagram: its time, states, the grid's cells 'cells' and its note. */
static void
lad_print_row(FILE *f, const struct lad_win *w, const struct lad_row *row, const uint32_t *cells)
{
    char time[32], line[64];
    int side = w->side;
    if (row->spacer)
        time[0] = '\0';
    else
        out_time_str(row->t, time, sizeof time);
    snprintf(line, sizeof line, "%s", row->side[0].len ? row->side[0].s : "");
    fprintf(f, "%10s  %*.*s ", time, side, side, line);
    lad_put_utf8(f, lad_glyph(G_LIFE, true, w->unicode));
    for (size_t c = 0; c < w->W; c++)
        lad_put_utf8(f, cells[c] ? cells[c] : ' ');
    lad_put_utf8(f, lad_glyph(G_LIFE, true, w->unicode));
    if (w->compact) {
        if (row->side[1].len) /* the notes go under the diagram */
            fprintf(f, " %.*s", side, row->side[1].s);
    } else if (row->note.len)
        fprintf(f, " %-*.*s %s", LAD_SIDE, LAD_SIDE, row->side[1].len ? row->side[1].s : "", row->note.s);
    else if (row->side[1].len)
        fprintf(f, " %.*s", LAD_SIDE, row->side[1].s);
    fputc('\n', f);
}

/*
 * Write the window's rows that nothing to come can change, and forget them. A row can change
 * while an arrow over it may still get a row more: a spacer goes under the start of an arrow
 * not yet placed ('next' is the first one's start), so every arrow reaching past 'next' holds
 * its rows back. 'all': the run is over and every arrow is placed. 0, or -1 on ENOMEM.
 */
static int
lad_emit(FILE *f, struct lad_win *w, bool all)
{
    struct lad *L = &w->L;
    size_t end = L->rbase + L->nrow, next = w->nplaced < L->narr ? L->arr[w->nplaced].r0 : end, upto = next;
    if (all)
        upto = end;
    for (size_t i = 0; !all && i < w->nplaced; i++)
        if (L->arr[i].r1 > next && L->arr[i].r0 < upto)
            upto = L->arr[i].r0;
    if (upto <= L->rbase)
        return 0;
    size_t n = upto - L->rbase;
    uint32_t *grid = calloc(n * w->W + 1, sizeof *grid);
    if (!grid)
        return -1;
    /* the ends after every line, so that no other line hides where a segment went */
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < w->nplaced; i++) {
            if (pass < 2)
                lad_draw_arrow(grid, w->W, L->rbase, upto, &L->arr[i], w->unicode, pass == 1);
            else
                lad_draw_label(grid, w->W, L->rbase, upto, &L->arr[i]);
        }
    for (size_t r = 0; r < n; r++) {
        lad_print_row(f, w, &L->row[r], grid + r * w->W);
        if (w->compact)
            lad_note(w->notes, &L->row[r], w->columns, &w->any_note);
        lad_row_clear(&L->row[r]);
    }
    free(grid);
    memmove(L->row, L->row + n, (L->nrow - n) * sizeof L->row[0]);
    memmove(w->occ, w->occ + n * w->W, (L->nrow - n) * w->W);
    L->nrow -= n;
    L->rbase = upto;
    /* the placed arrows wholly written are done with */
    size_t k = 0;
    for (size_t i = 0; i < L->narr; i++) {
        if (i < w->nplaced && L->arr[i].r1 < upto)
            continue;
        L->arr[k++] = L->arr[i];
    }
    w->nplaced -= L->narr - k;
    L->narr = k;
    return 0;
}

/* Place every arrow, in sending order, whose rows are all in the window ('all': the run is
   over, every one). 0, or -1 on ENOMEM. */
static int
lad_place_ready(struct lad_win *w, bool all)
{
    struct lad *L = &w->L;
    for (; w->nplaced < L->narr; w->nplaced++) {
        const struct lad_arrow *a = &L->arr[w->nplaced];
        if (!all && (a->end == LAD_OPEN || a->r1 >= L->rbase + L->nrow))
            return 0;
        if (lad_place(w, w->nplaced) != 0)
            return -1;
    }
    return 0;
}

/* The window's arrow number 'seq', or NULL (arrows are kept in sending order). */
static struct lad_arrow *
lad_win_arrow(struct lad *L, size_t seq)
{
    size_t lo = 0, hi = L->narr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (L->arr[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < L->narr && L->arr[lo].seq == seq ? &L->arr[lo] : NULL;
}

/* The second pass: the spool's rows through the window to 'f'. 0, or -1. */
static int
lad_draw(FILE *f, struct lad_spool *S, struct lad_win *w)
{
    struct lad *L = &w->L;
    size_t narr = 0; /* arrows read */
    int more;
    uint32_t life = lad_glyph(G_LIFE, true, w->unicode);
    fprintf(f, "%10s  %*s ", "", w->side, "A 10.0.0.1");
    lad_put_utf8(f, life);
    fprintf(f, "%*s", (int)w->W, "");
    lad_put_utf8(f, life);
    fprintf(f, " B 10.0.0.2\n");
    for (;;) {
        struct lad_rec r;
        if ((more = lad_spool_read(S, &r)) <= 0)
            break;
        if (lad_grow_rows(L) != 0 || lad_grow_arrows(L) != 0) {
            lad_row_clear(&r.row);
            return -1;
        }
        L->row[L->nrow++] = r.row;
        if (lad_occ_fit(w) != 0)
            return -1;
        memset(w->occ + (L->nrow - 1) * w->W, 0, w->W);
        size_t at = L->rbase + L->nrow - 1; /* the diagram's numbering: spacers included */
        if (r.start) {
            r.a.seq = narr++;
            r.a.r0 = r.a.r1 = at;
            L->arr[L->narr++] = r.a;
        }
        struct lad_arrow *a = r.ended ? lad_win_arrow(L, r.end_seq) : NULL;
        if (a) {
            a->r1 = at;
            a->end = r.end;
        }
        if (lad_place_ready(w, false) != 0 || lad_emit(f, w, false) != 0)
            return -1;
    }
    if (more < 0)
        return -1;
    /* a segment still in flight at the end runs to the last row, without a head */
    for (size_t i = 0; i < L->narr && L->nrow; i++)
        if (L->arr[i].end == LAD_OPEN)
            L->arr[i].r1 = L->rbase + L->nrow - 1;
    return lad_place_ready(w, true) != 0 || lad_emit(f, w, true) != 0 ? -1 : 0;
}

struct out_ladder *
out_ladder_new(const struct out_ladder_opts *o)
{
    static const struct out_ladder_opts defaults = OUT_LADDER_OPTS_DEFAULT;
    struct out_ladder *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->o = o ? *o : defaults;
    if (lad_spool_init(&d->S, d->o.absolute_seq) != 0) {
        free(d);
        return NULL;
    }
    return d;
}

void
out_ladder_free(struct out_ladder *d)
{
    if (!d)
        return;
    lad_spool_fini(&d->S);
    free(d);
}

void
out_ladder_observe(const struct trace_event *ev, void *ctx)
{
    struct out_ladder *d = ctx;
    lad_spool_event(&d->S, ev);
}

int
out_ladder_finish(struct out_ladder *d, FILE *f)
{
    const struct out_ladder_opts *o = &d->o;
    struct lad_win w;
    char *notes = NULL;
    size_t notes_len = 0;
    memset(&w, 0, sizeof w);
    if (lad_spool_end(&d->S) != 0)
        return -1;
    /* compact: "%10s  " time, the two state columns and lifelines, the arrows in what is left */
    w.compact = o->columns > 0 && o->columns < OUT_TEXT_WIDE;
    w.side = w.compact ? LAD_SIDE_COMPACT : LAD_SIDE;
    w.unicode = o->unicode;
    w.columns = o->columns;
    /* the caller's width; a narrow terminal's; or wide enough for the longest label and some
       room to slant */
    w.W = o->width > 8 ? (size_t)o->width : LAD_MIN_WIDTH;
    if (w.compact && o->width <= 8)
        w.W = o->columns - 16 - 2 * w.side > 12 ? (size_t)(o->columns - 16 - 2 * w.side) : 12;
    if (o->width <= 8 && !w.compact && d->S.narr && d->S.maxlabel + 5 + 12 > w.W)
        w.W = d->S.maxlabel + 5 + 12;
    w.lw = d->S.narr ? d->S.maxlabel + 5 : 0;
    if (w.compact && !(w.notes = open_memstream(&notes, &notes_len)))
        return -1;
    int rc = lad_draw(f, &d->S, &w);
    if (w.notes) {
        fclose(w.notes);
        if (rc == 0)
            fwrite(notes, 1, notes_len, f);
        free(notes);
    }
    free(w.occ);
    lad_free(&w.L);
    return rc;
}

int
out_ladder(FILE *f, const struct trace_log *log, const struct out_ladder_opts *o)
{
    struct out_ladder *d = out_ladder_new(o);
    if (!d)
        return -1;
    for (size_t i = 0; i < log->len; i++) {
        const struct trace_event ev = trace_log_get(log, i);
        out_ladder_observe(&ev, d);
    }
    int rc = out_ladder_finish(d, f);
    out_ladder_free(d);
    return rc;
}
