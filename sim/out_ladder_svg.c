/*
 * out_ladder_svg.c - the ladder diagram as a standalone SVG, for slides: the rows and arrows
 * of out_ladder.h (the spool, out_ladder_spool.c), drawn to scale. Each label sits beside its
 * own line near the arrow's start, moved along that line only to get clear of other lines and
 * labels (svg_place_label); notes are wrapped, and the picture is as wide as its widest text.
 *
 * In memory that does not grow with the run: the spool is read through a window of the
 * arrows a label still to be placed can meet (struct svg_win). The document's size is known
 * only at the end and comes first, and its three layers (lines, then labels over them, then
 * the texts of the rows) each come in order: each layer is written to a temporary file as
 * it goes, and the three are copied after the header at the end. (An SVG without a declared
 * size would not need it, but would no longer be the same file; nor would a viewer size it.)
 *
 * Entry points: out_ladder_svg(f, log, opts); out_ladder_finish_svg(d, f) for a diagram drawn
 * from a run as it went (out_ladder_new, out_ladder_observe).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_ladder.h"

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

static void
lad_svg_textn(FILE *f, double x, double y, const char *anchor, const char *cls, const char *s, size_t n)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor, cls);
    out_xml_text(f, s, n);
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

/* An arrow in the window: its line, its label's box once placed, and what it needs to be drawn. */
struct svg_arr {
    struct svg_seg seg;
    struct svg_box lab;
    enum lad_end end;
    size_t seq;
    char label[64];
};

/*
 * The window: the arrows a label not yet placed can meet (within 30 px of its line, or their
 * drop's X), the geometry that is fixed by the whole run (the lane, from the longest label;
 * with svg_by_time, the scale, from the number of rows and the last time), and the running
 * state of the rows (where the next one goes, the widest text so far).
 */
struct svg_win {
    struct svg_arr *arr;
    size_t narr, caparr, nplaced, nread;
    double xa, xb, xnote, width;
    bool by_time;
    double height;              /* by time: the picture's height for the whole run */
    clk_time tmax;
    size_t row;                 /* rows read */
    double y, free_y, last_time; /* the last row's height; where text may go next */
    const struct lad_row *last; /* the last row read, for the bottom */
    size_t last_lines;
    FILE *lines, *labels, *texts; /* the three layers, in order */
    /* scratch for svg_place_label */
    struct svg_seg *seg;
    struct svg_box *taken;
    size_t *near, *near_taken;
    size_t capscratch;
};

/* The height of the next row, 'row', and the picture's width with its texts. */
static double
svg_row_y(struct svg_win *w, const struct lad_row *row)
{
    size_t lines = row->note.len ? svg_note_lines(row->note.s) : 1;
    const char *s = row->note.len ? row->note.s : "", *next;
    for (size_t n; *s && (n = svg_wrap(s, &next)) > 0; s = next)
        if (w->xnote + (double)(svg_chars(s, n) + 2) * SVG_CW + 20 > w->width)
            w->width = w->xnote + (double)(svg_chars(s, n) + 2) * SVG_CW + 20;
    if (row->side[1].len && w->xb + 10 + (double)svg_chars(row->side[1].s, row->side[1].len) * SVG_CW + 20 > w->width)
        w->width = w->xb + 10 + (double)svg_chars(row->side[1].s, row->side[1].len) * SVG_CW + 20;
    /* down: each row as tall as its note; by time, as far down as its time says, but never
       so close to the last row with text that their texts would meet */
    double y;
    if (!w->by_time || w->tmax <= 0) {
        y = w->row ? w->free_y : SVG_TOP;
        w->free_y = y + SVG_ROW_H + (double)(lines - 1) * SVG_LINE_H;
    } else {
        y = SVG_TOP + w->height * (double)row->t / (double)w->tmax;
        if (w->row && y < w->y)
            y = w->y;
        if (row->note.len || row->side[0].len || row->side[1].len) {
            if (y < w->free_y)
                y = w->free_y;
            w->free_y = y + (double)lines * SVG_LINE_H;
        }
    }
    w->y = y;
    w->last_lines = lines;
    w->row++;
    return y;
}

/* The texts of a row at height 'y': its time, states and note. */
static void
svg_row_texts(struct svg_win *w, const struct lad_row *row, double y)
{
    FILE *f = w->texts;
    char time[32];
    if (y - w->last_time >= SVG_LINE_H - 2) { /* by time, rows at one height show it once */
        lad_svg_text(f, 10, y + 4, "start", "time", out_time_str(row->t, time, sizeof time));
        w->last_time = y;
    }
    if (row->side[0].len)
        lad_svg_text(f, w->xa - 10, y + 4, "end", "state", row->side[0].s);
    if (row->side[1].len)
        lad_svg_text(f, w->xb + 10, y + 4, "start", "state", row->side[1].s);
    const char *s = row->note.len ? row->note.s : "", *next;
    double yl = y + 4;
    for (size_t n; *s && (n = svg_wrap(s, &next)) > 0; s = next, yl += SVG_LINE_H) {
        /* continued lines are indented past the "# " of narration */
        double indent = s != row->note.s && row->say ? 2 * SVG_CW : s != row->note.s ? SVG_CW : 0;
        lad_svg_textn(f, w->xnote + indent, yl, "start", row->say ? "say" : "note", s, n);
    }
}

/* Room for 'n' arrows in the scratch arrays; 0, or -1 on ENOMEM. */
static int
svg_scratch(struct svg_win *w, size_t n)
{
    if (n <= w->capscratch)
        return 0;
    size_t ncap = w->capscratch ? w->capscratch * 2 : 64;
    while (ncap < n)
        ncap *= 2;
    struct svg_seg *seg = realloc(w->seg, ncap * sizeof *seg);
    if (seg)
        w->seg = seg;
    struct svg_box *taken = realloc(w->taken, 2 * ncap * sizeof *taken);
    if (taken)
        w->taken = taken;
    size_t *near = realloc(w->near, ncap * sizeof *near);
    if (near)
        w->near = near;
    size_t *nt = realloc(w->near_taken, 2 * ncap * sizeof *nt);
    if (nt)
        w->near_taken = nt;
    if (!seg || !taken || !near || !nt)
        return -1;
    w->capscratch = ncap;
    return 0;
}

/* Place arrow i's label (every arrow within reach of it is in the window and has ended) and
   draw its line and its label into their layers. 0, or -1 on ENOMEM. */
static int
svg_place(struct svg_win *w, size_t i)
{
    if (svg_scratch(w, w->narr) != 0)
        return -1;
    /* the drops' X first, then the labels placed before it */
    size_t ntaken = 0;
    for (size_t k = 0; k < w->narr; k++) {
        w->seg[k] = w->arr[k].seg;
        if (w->arr[k].end == LAD_DROPPED)
            w->taken[ntaken++] = (struct svg_box){w->seg[k].x1 - 7, w->seg[k].y1 - 8, w->seg[k].x1 + 7, w->seg[k].y1 + 8};
    }
    for (size_t k = 0; k < i; k++)
        w->taken[ntaken++] = w->arr[k].lab;
    /* what is within reach of a label beside this arrow: from 30 px above its start to 30 px
       below its end (the list keeps a long run from costing n^2 of the tests) */
    double lo = w->seg[i].y0 - 30, hi = w->seg[i].y1 + 30;
    size_t nn = 0, nt = 0;
    for (size_t k = 0; k < w->narr; k++)
        if (k != i && w->seg[k].y1 >= lo && w->seg[k].y0 <= hi)
            w->near[nn++] = k;
    for (size_t k = 0; k < ntaken; k++)
        if (w->taken[k].y1 >= lo && w->taken[k].y0 <= hi)
            w->near_taken[nt++] = k;
    struct svg_arr *a = &w->arr[i];
    double wd = (double)svg_chars(a->label, strlen(a->label)) * SVG_CW + 6;
    a->lab = svg_place_label(w->seg, w->near, nn, i, w->taken, w->near_taken, nt, wd, w->xa, w->xb);
    fprintf(w->lines, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-width=\"1.5\"%s%s/>\n",
            a->seg.x0, a->seg.y0, a->seg.x1, a->seg.y1, a->end == LAD_DELIVERED ? " marker-end=\"url(#head)\"" : "",
            a->end == LAD_OPEN ? " stroke-dasharray=\"4 3\"" : "");
    if (a->end == LAD_DROPPED)
        lad_svg_text(w->lines, a->seg.x1, a->seg.y1 + 6, "middle", "drop", "X");
    /* labels over every line, each on a light background in case a crowd left no clear place */
    fprintf(w->labels, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"labelbg\"/>\n", a->lab.x0,
            a->lab.y0, a->lab.x1 - a->lab.x0, a->lab.y1 - a->lab.y0);
    lad_svg_text(w->labels, a->lab.x0 + 3, a->lab.y1 - 4, "start", "label", a->label);
    return 0;
}

/*
 * Place the labels whose surroundings are known, in the order the segments were sent: an
 * arrow that has ended, when every arrow that starts within reach of its label (or of a drop's
 * X there) has ended too and the rows have gone past that reach ('all': the run is over).
 * Then forget the arrows no label to come can reach. 0, or -1 on ENOMEM.
 */
static int
svg_place_ready(struct svg_win *w, bool all)
{
    for (; w->nplaced < w->narr; w->nplaced++) {
        const struct svg_arr *a = &w->arr[w->nplaced];
        double reach = a->seg.y1 + 30 + 8;
        bool ready = all || (a->end != LAD_OPEN && w->y > reach);
        for (size_t k = w->nplaced + 1; ready && !all && k < w->narr && w->arr[k].seg.y0 <= reach; k++)
            ready = w->arr[k].end != LAD_OPEN;
        if (!ready)
            break;
        if (svg_place(w, w->nplaced) != 0)
            return -1;
    }
    /* a label to come reaches 30 px above its start; a placed label, its X or its line lie
       within 20 px of its own line's ends */
    double from = w->nplaced < w->narr ? w->arr[w->nplaced].seg.y0 : w->y;
    size_t k = 0;
    for (size_t i = 0; i < w->narr; i++) {
        if (i < w->nplaced && w->arr[i].seg.y1 + 64 < from - 30)
            continue;
        w->arr[k++] = w->arr[i];
    }
    w->nplaced -= w->narr - k;
    w->narr = k;
    return 0;
}

/* The window's arrow number 'seq', or NULL (kept in sending order). */
static struct svg_arr *
svg_arrow(struct svg_win *w, size_t seq)
{
    size_t lo = 0, hi = w->narr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->arr[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->narr && w->arr[lo].seq == seq ? &w->arr[lo] : NULL;
}

/* Copy the rest of 'from' (rewound) to 'to'; 0, or -1. */
static int
svg_copy(FILE *to, FILE *from)
{
    char buf[65536];
    size_t n;
    if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0)
        return -1;
    while ((n = fread(buf, 1, sizeof buf, from)) > 0)
        if (fwrite(buf, 1, n, to) != n)
            return -1;
    return ferror(from) ? -1 : 0;
}

/* The spool's rows and arrows through the window into the layers; then the document. */
static int
svg_draw(FILE *f, struct lad_spool *S, struct svg_win *w)
{
    struct lad_row last = {0};
    int more;
    for (;;) {
        struct lad_rec r;
        if ((more = lad_spool_read(S, &r)) <= 0)
            break;
        double y = svg_row_y(w, &r.row);
        svg_row_texts(w, &r.row, y);
        if (r.start) {
            if (w->narr == w->caparr) {
                size_t ncap = w->caparr ? w->caparr * 2 : 64;
                struct svg_arr *na = realloc(w->arr, ncap * sizeof *na);
                if (!na) {
                    lad_row_clear(&r.row);
                    return -1;
                }
                w->arr = na;
                w->caparr = ncap;
            }
            struct svg_arr *a = &w->arr[w->narr++];
            memset(a, 0, sizeof *a);
            a->seq = w->nread++;
            a->end = LAD_OPEN;
            memcpy(a->label, r.a.label, sizeof a->label);
            a->seg.x0 = r.a.from == 0 ? w->xa : w->xb;
            a->seg.x1 = r.a.from == 0 ? w->xb : w->xa;
            a->seg.y0 = a->seg.y1 = y;
        }
        struct svg_arr *a = r.ended ? svg_arrow(w, r.end_seq) : NULL;
        if (a) {
            a->seg.y1 = y;
            a->end = r.end;
            if (r.end == LAD_DROPPED)
                a->seg.x1 = (a->seg.x0 + a->seg.x1) / 2;
        }
        lad_row_clear(&last);
        last = r.row;
        if (svg_place_ready(w, false) != 0) {
            lad_row_clear(&last);
            return -1;
        }
    }
    /* a segment still in flight at the end runs to the last row, without a head */
    for (size_t i = 0; i < w->narr; i++)
        if (w->arr[i].end == LAD_OPEN)
            w->arr[i].seg.y1 = w->y;
    double bottom = (w->row ? w->y : SVG_TOP) + 20;
    if (w->row && last.note.len)
        bottom += (double)(w->last_lines - 1) * SVG_LINE_H;
    lad_row_clear(&last);
    if (more < 0 || svg_place_ready(w, true) != 0)
        return -1;

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
            w->width, bottom + 20, w->width, bottom + 20);
    fputs("<style>text{font-family:monospace;font-size:13px}.host{font-size:16px;font-weight:bold}"
          ".state{fill:#1a7f37;font-weight:bold}.note{fill:#555}.say{fill:#0a5c8a;font-style:italic}"
          ".label{fill:#222}.labelbg{fill:#fff;fill-opacity:0.7}.time{fill:#888}"
          ".drop{fill:#c62828;font-weight:bold;font-size:18px}</style>\n"
          "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
          "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker></defs>\n"
          "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", f);
    lad_svg_text(f, w->xa, SVG_TOP - 30, "middle", "host", "A 10.0.0.1");
    lad_svg_text(f, w->xb, SVG_TOP - 30, "middle", "host", "B 10.0.0.2");
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-width=\"2\"/>\n", w->xa,
            SVG_TOP - 15, w->xa, bottom);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-width=\"2\"/>\n", w->xb,
            SVG_TOP - 15, w->xb, bottom);
    if (svg_copy(f, w->lines) != 0 || svg_copy(f, w->labels) != 0 || svg_copy(f, w->texts) != 0)
        return -1;
    fputs("</svg>\n", f);
    return 0;
}

int
out_ladder_finish_svg(struct out_ladder *d, FILE *f)
{
    struct svg_win w;
    memset(&w, 0, sizeof w);
    if (lad_spool_end(&d->S) != 0)
        return -1;
    /* across: the lane as wide as the longest label needs, notes after B's state column */
    double lane = SVG_LANE;
    if (d->S.narr && (double)d->S.maxchars * SVG_CW + 60 > lane)
        lane = (double)d->S.maxchars * SVG_CW + 60;
    w.xa = SVG_XA;
    w.xb = w.xa + lane;
    w.xnote = w.xb + 10 + SVG_SIDE * SVG_CW;
    w.width = w.xnote + 20;
    w.by_time = d->o.svg_by_time;
    w.tmax = d->S.nrow ? d->S.tlast : 0;
    w.height = (double)d->S.nrow * SVG_ROW_H;
    w.free_y = SVG_TOP;
    w.last_time = -1e9;
    w.lines = tmpfile();
    w.labels = tmpfile();
    w.texts = tmpfile();
    int rc = w.lines && w.labels && w.texts ? svg_draw(f, &d->S, &w) : -1;
    FILE *layer[3] = {w.lines, w.labels, w.texts};
    for (int i = 0; i < 3; i++)
        if (layer[i] && (ferror(layer[i]) | fclose(layer[i])) != 0)
            rc = -1;
    free(w.arr);
    free(w.seg);
    free(w.taken);
    free(w.near);
    free(w.near_taken);
    return rc ? -1 : 0;
}

int
out_ladder_svg(FILE *f, const struct trace_log *log, const struct out_ladder_opts *o)
{
    struct out_ladder *d = out_ladder_new(o);
    if (!d)
        return -1;
    for (size_t i = 0; i < log->len; i++) {
        const struct trace_event ev = trace_log_get(log, i);
        out_ladder_observe(&ev, d);
    }
    int rc = out_ladder_finish_svg(d, f);
    out_ladder_free(d);
    return rc;
}
