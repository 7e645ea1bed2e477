/*
 * out_ladder_svg.c - the ladder diagram as a standalone SVG, for slides: the layout of
 * out_ladder.h (lad_layout), drawn to scale. Each label sits beside its own line near the
 * arrow's start, moved along that line only to get clear of other lines and labels
 * (svg_place_label); notes are wrapped, and the picture is as wide as its widest text.
 *
 * Entry point: out_ladder_svg(f, log, opts).
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
