/*
 * out_ladder.c - the ladder (sequence) diagram of a recorded run: host A's lifeline on the
 * left, B's on the right, time going down, one row per event. Each segment is an arrow from
 * its SEND row to its DELIVER row, so it slants with its delay and two segments in flight at
 * once cross; a dropped segment stops half-way at an X on its DROP row; states are written
 * beside the lifeline at every change; timer expiries, calls, rules, wire actions and
 * narration go in the margin.
 *
 * One layout pass (out_ladder_layout) feeds two renderers: text (ASCII, or Unicode box
 * drawing) and a standalone SVG for slides.
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
};

enum lad_end { LAD_OPEN, LAD_DELIVERED, LAD_DROPPED };

struct lad_arrow {
    uint64_t id;                /* wire id */
    int from;                   /* sending host */
    size_t r0, r1;              /* rows of its start and its end */
    enum lad_end end;
    char label[64];             /* "SYN,ACK 0 ack 1" */
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

/*
 * Draw arrow 'a' into 'grid' (nrow x W cells). Its rows share the horizontal distance: row k
 * of n covers columns [W*k/n, W*(k+1)/n), joined to the next row by a corner, so the arrow
 * slants with the number of events that happened while it was in flight. A drop stops at
 * half the width.
 */
static void
lad_draw_arrow(uint32_t *grid, size_t W, const struct lad_arrow *a, bool unicode)
{
    bool right = a->from == 0;
    size_t n = a->r1 - a->r0 + 1;
    size_t span = a->end == LAD_DROPPED ? W / 2 : W;
    for (size_t k = 0; k < n; k++) {
        uint32_t *row = grid + (a->r0 + k) * W;
        size_t lo = span * k / n, hi = span * (k + 1) / n;
#define LAD_AT(c) row[right ? (c) : W - 1 - (c)]
        if (hi == lo) { /* steeper than one column per row */
            LAD_AT(lo < W ? lo : W - 1) = lad_glyph(G_STEEP, right, unicode);
            continue;
        }
        for (size_t c = lo; c < hi; c++)
            LAD_AT(c) = lad_glyph(G_DASH, right, unicode);
        if (k > 0 && lo > 0)
            LAD_AT(lo - 1) = lad_glyph(G_START_CORNER, right, unicode);
        if (k + 1 < n)
            LAD_AT(hi - 1) = lad_glyph(G_END_CORNER, right, unicode);
        else if (a->end == LAD_DELIVERED)
            LAD_AT(hi - 1) = lad_glyph(G_TIP, right, unicode);
        else if (a->end == LAD_DROPPED)
            LAD_AT(hi - 1) = lad_glyph(G_DROP, right, unicode);
#undef LAD_AT
    }
}

/* The label on the arrow's middle row, centred on that row's stretch of the line. */
static void
lad_draw_label(uint32_t *grid, size_t W, const struct lad_arrow *a)
{
    size_t n = a->r1 - a->r0 + 1, k = (n - 1) / 2;
    size_t span = a->end == LAD_DROPPED ? W / 2 : W;
    size_t lo = span * k / n, hi = span * (k + 1) / n;
    size_t len = strlen(a->label) + 2, mid = (lo + hi) / 2;
    if (a->from == 1)
        mid = W - 1 - mid;
    size_t start = mid > len / 2 ? mid - len / 2 : 0;
    if (start + len > W)
        start = len > W ? 0 : W - len;
    uint32_t *row = grid + (a->r0 + k) * W;
    for (size_t i = 0; i < len && start + i < W; i++)
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
    size_t W = o->width > 8 ? (size_t)o->width : 48;
    /* compact: "%10s  " time, the two state columns and lifelines, the arrows in what is left */
    bool compact = o->columns > 0 && o->columns < OUT_TEXT_WIDE;
    int side = compact ? LAD_SIDE_COMPACT : LAD_SIDE;
    if (compact)
        W = o->columns - 16 - 2 * side > 12 ? (size_t)(o->columns - 16 - 2 * side) : 12;
    if (lad_layout(&L, log, o->absolute_seq) != 0) {
        lad_free(&L);
        return -1;
    }
    uint32_t *grid = calloc(L.nrow * W + 1, sizeof *grid);
    if (!grid) {
        lad_free(&L);
        return -1;
    }
    for (size_t i = 0; i < L.narr; i++)
        lad_draw_arrow(grid, W, &L.arr[i], o->unicode);
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

static void
lad_xml(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void
lad_svg_text(FILE *f, double x, double y, const char *anchor, const char *cls, const char *s)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor, cls);
    lad_xml(f, s);
    fputs("</text>\n", f);
}

int
out_ladder_svg(FILE *f, const struct trace_log *log, const struct out_ladder_opts *o)
{
    static const struct out_ladder_opts defaults = OUT_LADDER_OPTS_DEFAULT;
    const double xa = 260, xb = 660, top = 70, rowh = 28, xnote = 800;
    struct lad L;
    if (!o)
        o = &defaults;
    if (lad_layout(&L, log, o->absolute_seq) != 0) {
        lad_free(&L);
        return -1;
    }
    double *y = malloc((L.nrow + 1) * sizeof *y);
    if (!y) {
        lad_free(&L);
        return -1;
    }
    clk_time tmax = L.nrow ? L.row[L.nrow - 1].t : 0;
    double height = (double)L.nrow * rowh;
    for (size_t r = 0; r < L.nrow; r++)
        y[r] = top + (o->svg_by_time && tmax > 0 ? height * (double)L.row[r].t / (double)tmax : (double)r * rowh);
    double bottom = top + height + 20;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1300\" height=\"%.0f\" viewBox=\"0 0 1300 %.0f\">\n",
            bottom + 20, bottom + 20);
    fputs("<style>text{font-family:monospace;font-size:13px}.host{font-size:16px;font-weight:bold}"
          ".state{fill:#1a7f37;font-weight:bold}.note{fill:#555}.say{fill:#0a5c8a;font-style:italic}"
          ".label{fill:#222;paint-order:stroke;stroke:#fff;stroke-width:4px}.time{fill:#888}"
          ".drop{fill:#c62828;font-weight:bold;font-size:18px}</style>\n"
          "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
          "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker></defs>\n"
          "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", f);
    lad_svg_text(f, xa, top - 30, "middle", "host", "A 10.0.0.1");
    lad_svg_text(f, xb, top - 30, "middle", "host", "B 10.0.0.2");
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-width=\"2\"/>\n", xa,
            top - 15, xa, bottom);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-width=\"2\"/>\n", xb,
            top - 15, xb, bottom);
    for (size_t i = 0; i < L.narr; i++) {
        const struct lad_arrow *a = &L.arr[i];
        double x0 = a->from == 0 ? xa : xb, x1 = a->from == 0 ? xb : xa;
        double y0 = y[a->r0], y1 = y[a->r1];
        if (a->end == LAD_DROPPED)
            x1 = (x0 + x1) / 2;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-width=\"1.5\"%s%s/>\n",
                x0, y0, x1, y1, a->end == LAD_DELIVERED ? " marker-end=\"url(#head)\"" : "",
                a->end == LAD_OPEN ? " stroke-dasharray=\"4 3\"" : "");
        if (a->end == LAD_DROPPED)
            lad_svg_text(f, x1, y1 + 6, "middle", "drop", "X");
        lad_svg_text(f, (x0 + x1) / 2, (y0 + y1) / 2 - 4, "middle", "label", a->label);
    }
    for (size_t r = 0; r < L.nrow; r++) {
        const struct lad_row *row = &L.row[r];
        char time[32];
        lad_svg_text(f, 10, y[r] + 4, "start", "time", out_time_str(row->t, time, sizeof time));
        if (row->side[0].len)
            lad_svg_text(f, xa - 10, y[r] + 4, "end", "state", row->side[0].s);
        if (row->side[1].len)
            lad_svg_text(f, xb + 10, y[r] + 4, "start", "state", row->side[1].s);
        if (row->note.len)
            lad_svg_text(f, xnote, y[r] + 4, "start", row->say ? "say" : "note", row->note.s);
    }
    fputs("</svg>\n", f);
    free(y);
    lad_free(&L);
    return 0;
}
