/*
 * out_ladder_spool.c - the ladder's first pass: a run's events, as they come, turned into the
 * rows (one per instant that has events) and arrows (one per segment, from its SEND row to
 * its DELIVER or DROP row) of out_ladder.h, written to a temporary file instead of kept.
 *
 * Why a spool and not the diagram row by row as the run goes: every row of the text ladder is
 * drawn with widths that depend on the longest label of the whole run (the label rows' width,
 * and the distance between the lifelines), so no row can be drawn before the run is over.
 * The spool keeps memory flat (the row being filled and the segments in flight); the second
 * pass (out_ladder.c) reads it back through a window that holds only what is still in flight.
 *
 * One record a row, in a process's own byte order (the file lives and dies with one run): its
 * time, its flags, its three texts, then the arrow starting on it (wire id, sender, label)
 * and the one ending on it (its number in sending order, how it ended), when there are.
 * Written once, in order, never rewritten: the arrows in flight wait in memory.
 */
#include <stdlib.h>
#include <string.h>

#include "out_ladder.h"

#define LAD_TEXT_MAX 4096

int
lad_spool_init(struct lad_spool *S, bool absolute)
{
    memset(S, 0, sizeof *S);
    S->absolute = absolute;
    out_track_init(&S->tr);
    S->rows = tmpfile();
    if (!S->rows) {
        lad_spool_fini(S);
        return -1;
    }
    return 0;
}

void
lad_row_clear(struct lad_row *r)
{
    out_sbuf_free(&r->side[0]);
    out_sbuf_free(&r->side[1]);
    out_sbuf_free(&r->note);
    memset(r, 0, sizeof *r);
}

void
lad_spool_fini(struct lad_spool *S)
{
    if (S->rows)
        fclose(S->rows);
    S->rows = NULL;
    lad_row_clear(&S->cur);
    free(S->fly);
    S->fly = NULL;
    out_track_fini(&S->tr);
}

static void
lad_put(struct lad_spool *S, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, S->rows) != n)
        S->failed = true;
}

static void
lad_put_str(struct lad_spool *S, const char *s, size_t n)
{
    uint32_t len = (uint32_t)n;
    lad_put(S, &len, sizeof len);
    lad_put(S, s, n);
}

/* The row being filled, to the file. */
static void
lad_flush_row(struct lad_spool *S)
{
    if (!S->has_cur)
        return;
    uint8_t flags = (uint8_t)(S->cur.ends | S->cur.say << 1 | S->start << 2 | S->ended << 3);
    lad_put(S, &S->cur.t, sizeof S->cur.t);
    lad_put(S, &flags, 1);
    for (int i = 0; i < 3; i++) {
        const struct out_sbuf *b = i < 2 ? &S->cur.side[i] : &S->cur.note;
        lad_put_str(S, b->s, b->len);
    }
    if (S->start) {
        uint8_t from = (uint8_t)S->st.from;
        lad_put(S, &S->st.id, sizeof S->st.id);
        lad_put(S, &from, 1);
        lad_put_str(S, S->st.label, strlen(S->st.label));
    }
    if (S->ended) {
        uint8_t end = (uint8_t)S->end;
        lad_put(S, &S->end_seq, sizeof S->end_seq);
        lad_put(S, &end, 1);
    }
    lad_row_clear(&S->cur);
    S->has_cur = S->start = S->ended = false;
}

/* A new row at time 't', the one being filled from now on. */
static struct lad_row *
lad_spool_row(struct lad_spool *S, clk_time t)
{
    lad_flush_row(S);
    S->cur.t = S->tlast = t;
    S->has_cur = true;
    S->nrow++;
    return &S->cur;
}

/* The row for a piece of text: the row being filled when it is at the same instant and that
   slot is free (so a state change shares the row of the arrival that caused it), else a new
   one. */
static struct out_sbuf *
lad_slot(struct lad_spool *S, clk_time t, int side)
{
    struct out_sbuf *b = side < 0 ? &S->cur.note : &S->cur.side[side];
    if (!S->has_cur || S->cur.t != t || b->len) {
        struct lad_row *r = lad_spool_row(S, t);
        b = side < 0 ? &r->note : &r->side[side];
    }
    return b;
}

/* A new arrow from the row being filled; it is in flight until it ends. */
static void
lad_spool_arrow(struct lad_spool *S, const struct trace_event *ev)
{
    if (S->nfly == S->capfly) {
        size_t ncap = S->capfly ? S->capfly * 2 : 16;
        struct lad_fly *nf = realloc(S->fly, ncap * sizeof *nf);
        if (!nf) {
            S->failed = true;
            return;
        }
        S->fly = nf;
        S->capfly = ncap;
    }
    memset(&S->st, 0, sizeof S->st);
    S->st.id = ev->pkt_id;
    S->st.from = ev->from == 1 ? 1 : 0;
    S->st.seq = S->narr++;
    out_seg_label(&S->tr, ev, S->absolute, S->st.label, sizeof S->st.label);
    size_t chars = 0;
    for (const char *c = S->st.label; *c; c++)
        chars += ((unsigned char)*c & 0xc0) != 0x80;
    if (strlen(S->st.label) > S->maxlabel)
        S->maxlabel = strlen(S->st.label);
    if (chars > S->maxchars)
        S->maxchars = chars;
    S->start = true;
    S->fly[S->nfly++] = (struct lad_fly){S->st.id, S->st.seq};
}

/* The in-flight arrow of wire id 'id', or SIZE_MAX. */
static size_t
lad_fly_of(const struct lad_spool *S, uint64_t id)
{
    for (size_t i = S->nfly; i-- > 0;)
        if (S->fly[i].id == id)
            return i;
    return SIZE_MAX;
}

/* One event into rows and arrows. */
void
lad_spool_event(struct lad_spool *S, const struct trace_event *ev)
{
    struct out_sbuf *b;
    struct lad_row *row;
    char when[32], cite[64];
    const char *who = ev->conn_name ? ev->conn_name : out_host_name(ev->host);
    int side = ev->host == 1 ? 1 : 0;
    size_t k;
    if (S->failed)
        return;
    out_track_event(&S->tr, ev);
    switch (ev->kind) {
    case TRACE_SEND:
    case TRACE_DUP:
        row = lad_spool_row(S, ev->t);
        row->ends = true;
        lad_spool_arrow(S, ev);
        if (ev->kind == TRACE_DUP)
            out_sbuf_printf(&row->note, LAD_TEXT_MAX, "#%llu: the wire duplicates #%llu",
                            (unsigned long long)ev->pkt_id, (unsigned long long)ev->orig_id);
        return;
    case TRACE_DELIVER:
    case TRACE_DROP:
        row = lad_spool_row(S, ev->t);
        row->ends = true;
        if ((k = lad_fly_of(S, ev->pkt_id)) == SIZE_MAX) { /* arrived unseen: a one-row arrow */
            lad_spool_arrow(S, ev);
            if (S->failed)
                return;
            k = S->nfly - 1;
        }
        S->ended = true;
        S->end_seq = S->fly[k].seq;
        S->end = ev->kind == TRACE_DROP ? LAD_DROPPED : LAD_DELIVERED;
        S->fly[k] = S->fly[--S->nfly]; /* its story is over */
        if (ev->kind == TRACE_DROP)
            out_sbuf_printf(&row->note, LAD_TEXT_MAX, "#%llu dropped: %s", (unsigned long long)ev->pkt_id,
                            ev->text ? ev->text : "lost");
        return;
    case TRACE_DELAY:
        b = lad_slot(S, ev->t, -1);
        out_sbuf_printf(b, LAD_TEXT_MAX, "#%llu delayed, due at %s", (unsigned long long)ev->pkt_id,
                        out_time_str(ev->when, when, sizeof when));
        return;
    case TRACE_STATE:
        b = lad_slot(S, ev->t, side);
        out_sbuf_printf(b, LAD_TEXT_MAX, "%s", tcp_state_rfc(ev->to_state));
        return;
    case TRACE_TIMER_FIRE:
        b = lad_slot(S, ev->t, side);
        out_sbuf_printf(b, LAD_TEXT_MAX, "(%s fires)", tcp_timer_name(ev->timer));
        return;
    case TRACE_RULE:
        b = lad_slot(S, ev->t, -1);
        out_sbuf_printf(b, LAD_TEXT_MAX, "%s: %s (%s)", who, tcp_rule_name(ev->rule),
                        out_rule_cite(ev->rule, cite, sizeof cite));
        return;
    case TRACE_CALL:
        b = lad_slot(S, ev->t, -1);
        out_sbuf_printf(b, LAD_TEXT_MAX, "%s %s = %s", who, ev->text ? ev->text : "?", tcp_err_name(ev->err));
        return;
    case TRACE_SAY:
        b = lad_slot(S, ev->t, -1);
        out_sbuf_printf(b, LAD_TEXT_MAX, "# %s", ev->text ? ev->text : "");
        S->cur.say = true;
        return;
    case TRACE_TIMER_ARM:
    case TRACE_TIMER_CANCEL:
    case TRACE_KIND_COUNT:
        return;
    }
}

int
lad_spool_end(struct lad_spool *S)
{
    lad_flush_row(S);
    if (fflush(S->rows) != 0 || fseek(S->rows, 0, SEEK_SET) != 0)
        S->failed = true;
    return S->failed ? -1 : 0;
}

static int
lad_get(FILE *f, void *p, size_t n)
{
    return fread(p, 1, n, f) == n ? 0 : -1;
}

/* A string of at most 'max' bytes into a fresh buffer '*s'; 0, or -1. */
static int
lad_get_str(FILE *f, char **s, size_t *len, size_t max)
{
    uint32_t n;
    *s = NULL;
    *len = 0;
    if (lad_get(f, &n, sizeof n) != 0 || n > max)
        return -1;
    if (n == 0)
        return 0;
    if (!(*s = malloc((size_t)n + 1)) || lad_get(f, *s, n) != 0)
        return -1;
    (*s)[n] = '\0';
    *len = n;
    return 0;
}

static int
lad_get_text(FILE *f, struct out_sbuf *b)
{
    int rc = lad_get_str(f, &b->s, &b->len, SIZE_MAX);
    b->cap = b->s ? b->len + 1 : 0;
    return rc;
}

int
lad_spool_read(struct lad_spool *S, struct lad_rec *r)
{
    uint8_t flags, from, end;
    memset(r, 0, sizeof *r);
    if (fread(&r->row.t, sizeof r->row.t, 1, S->rows) != 1)
        return ferror(S->rows) ? -1 : 0;
    if (lad_get(S->rows, &flags, 1) != 0 || lad_get_text(S->rows, &r->row.side[0]) != 0
        || lad_get_text(S->rows, &r->row.side[1]) != 0 || lad_get_text(S->rows, &r->row.note) != 0)
        goto bad;
    r->row.ends = flags & 1;
    r->row.say = (flags >> 1) & 1;
    r->start = (flags >> 2) & 1;
    r->ended = (flags >> 3) & 1;
    if (r->start) {
        char *label = NULL;
        size_t n = 0;
        if (lad_get(S->rows, &r->a.id, sizeof r->a.id) != 0 || lad_get(S->rows, &from, 1) != 0
            || lad_get_str(S->rows, &label, &n, sizeof r->a.label - 1) != 0) {
            free(label);
            goto bad;
        }
        r->a.from = from;
        memcpy(r->a.label, label ? label : "", n + 1);
        free(label);
    }
    if (r->ended) {
        if (lad_get(S->rows, &r->end_seq, sizeof r->end_seq) != 0 || lad_get(S->rows, &end, 1) != 0)
            goto bad;
        r->end = (enum lad_end)end;
    }
    return 1;
bad:
    lad_row_clear(&r->row);
    return -1;
}

/* ---- rows and arrows in memory ------------------------------------------------------------ */

void
lad_free(struct lad *L)
{
    for (size_t i = 0; i < L->nrow; i++)
        lad_row_clear(&L->row[i]);
    free(L->row);
    free(L->arr);
}

/* Room for one more row in 'L'; 0, or -1 on ENOMEM. */
int
lad_grow_rows(struct lad *L)
{
    if (L->nrow < L->caprow)
        return 0;
    size_t ncap = L->caprow ? L->caprow * 2 : 64;
    struct lad_row *nr = realloc(L->row, ncap * sizeof *nr);
    if (!nr)
        return -1;
    L->row = nr;
    L->caprow = ncap;
    return 0;
}

/* Room for one more arrow in 'L'; 0, or -1 on ENOMEM. */
int
lad_grow_arrows(struct lad *L)
{
    if (L->narr < L->caparr)
        return 0;
    size_t ncap = L->caparr ? L->caparr * 2 : 64;
    struct lad_arrow *na = realloc(L->arr, ncap * sizeof *na);
    if (!na)
        return -1;
    L->arr = na;
    L->caparr = ncap;
    return 0;
}
