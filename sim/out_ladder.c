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
 * Entry points: out_ladder(f, log, opts) here; out_ladder_svg(f, log, opts) in out_ladder_svg.c,
 * which shares the layout through out_ladder.h.
 */
#include <stdlib.h>
#include <string.h>

#include "tcpsim/out.h"
#include "out_track.h"
#include "out_ladder.h"

#define LAD_SIDE 16     /* width of the state column beside each lifeline */
#define LAD_SIDE_COMPACT 12 /* the same in a compact ladder: the longest state, SYN-RECEIVED */
#define LAD_TEXT_MAX 4096

void
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
        out_seg_label(tr, ev, absolute, a->label, sizeof a->label);
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
            out_seg_label(tr, ev, absolute, a->label, sizeof a->label);
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

int
lad_layout(struct lad *L, const struct trace_log *log, bool absolute)
{
    struct out_track tr;
    memset(L, 0, sizeof *L);
    out_track_init(&tr);
    for (size_t i = 0; i < log->len && !L->failed; i++) {
        const struct trace_event ev = trace_log_get(log, i);
        out_track_event(&tr, &ev);
        lad_event(L, &tr, &ev, absolute);
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
