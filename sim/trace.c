/*
 * trace.c - the event stream's vocabulary, and trace_log, the observer that remembers it.
 *
 * The world calls observers with a borrowed event; trace_log copies each one (texts included,
 * payload excluded) so a script, the REPL or an output writer can read the run afterwards,
 * keeping a window of the recent events so that a long run's memory stays flat (trace.h).
 * Each event is packed into a record of about half its size, since copying it in (and once
 * more when the window drops the older half) is most of what keeping a log costs.
 */
#include <stdlib.h>
#include <string.h>

#include "tcpsim/trace.h"

static const char *const trace_kind_names[TRACE_KIND_COUNT] = {
    [TRACE_SEND] = "send",
    [TRACE_DELIVER] = "deliver",
    [TRACE_DROP] = "drop",
    [TRACE_DUP] = "dup",
    [TRACE_DELAY] = "delay",
    [TRACE_STATE] = "state",
    [TRACE_RULE] = "rule",
    [TRACE_TIMER_ARM] = "timer_arm",
    [TRACE_TIMER_CANCEL] = "timer_cancel",
    [TRACE_TIMER_FIRE] = "timer",
    [TRACE_CALL] = "call",
    [TRACE_SAY] = "say",
};

const char *
trace_kind_name(enum trace_kind k)
{
    return (unsigned)k < TRACE_KIND_COUNT ? trace_kind_names[k] : "?";
}

_Static_assert(sizeof(struct trace_rec) <= 112, "a record stays compact");
_Static_assert(TCP_RULE_COUNT <= UINT16_MAX && TCP_STATE_COUNT <= UINT8_MAX &&
                   TRACE_KIND_COUNT <= UINT8_MAX && TCP_TIMER_COUNT <= UINT8_MAX,
               "a record's small fields hold every value");

void
trace_log_init(struct trace_log *log)
{
    memset(log, 0, sizeof *log);
    log->keep_tcb = true;
}

/* Free the interned texts and their table. */
static void
trace_texts_free(char **texts, size_t cap)
{
    for (size_t i = 0; i < cap; i++)
        free(texts[i]);
    free(texts);
}

static void
trace_text_cache_clear(struct trace_log *log)
{
    log->last = NULL;
    log->last_conn = 0;
    log->last_conn_src = log->last_conn_name = NULL;
}

void
trace_log_clear(struct trace_log *log)
{
    trace_texts_free(log->texts, log->captexts);
    log->texts = NULL;
    log->ntexts = log->captexts = 0;
    trace_text_cache_clear(log);
    log->head = log->len = 0;
    log->xs.len = log->tcbs.len = 0;
    log->dropped = 0;
    memset(log->seen, 0, sizeof log->seen);
}

void
trace_log_fini(struct trace_log *log)
{
    trace_log_clear(log);
    free(log->rec);
    free(log->xs.a);
    free(log->tcbs.a);
    memset(log, 0, sizeof *log);
}

/* The length at which trace_log_next must act again. */
static void
trace_log_set_room(struct trace_log *log)
{
    log->room = log->window && 2 * log->window < log->cap ? 2 * log->window : log->cap;
}

void
trace_log_set_window(struct trace_log *log, size_t window)
{
    log->window = window;
    trace_log_set_room(log);
}

void
trace_log_set_keep_tcb(struct trace_log *log, bool keep)
{
    log->keep_tcb = keep;
}

/* FNV-1a: the texts are short ("A1", "send 65536"). */
static size_t
trace_text_hash(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

/* The slot of 's' in a table of 'cap' (a power of two) slots: where it is, or the empty slot
   where it goes. */
static char **
trace_text_slot(char **texts, size_t cap, const char *s)
{
    size_t i = trace_text_hash(s) & (cap - 1);
    while (texts[i] && strcmp(texts[i], s) != 0)
        i = (i + 1) & (cap - 1);
    return &texts[i];
}

/* Double the table (or make the first); 0, or -1 on ENOMEM. */
static int
trace_texts_grow(struct trace_log *log)
{
    size_t ncap = log->captexts ? log->captexts * 2 : 64;
    char **nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (size_t i = 0; i < log->captexts; i++)
        if (log->texts[i])
            *trace_text_slot(nt, ncap, log->texts[i]) = log->texts[i];
    free(log->texts);
    log->texts = nt;
    log->captexts = ncap;
    return 0;
}

/* The log's copy of 's', made the first time it is seen; NULL stays NULL (and so does a copy
   that cannot be made). */
static const char *
trace_log_keep(struct trace_log *log, const char *s)
{
    if (!s)
        return NULL;
    if (log->last && strcmp(log->last, s) == 0)
        return log->last;
    /* at most half full, so that a probe meets an empty slot soon */
    if (2 * (log->ntexts + 1) > log->captexts && trace_texts_grow(log) != 0)
        return NULL;
    char **slot = trace_text_slot(log->texts, log->captexts, s);
    if (!*slot) {
        size_t n = strlen(s) + 1;
        if (!(*slot = malloc(n)))
            return NULL;
        memcpy(*slot, s, n);
        log->ntexts++;
    }
    return log->last = *slot;
}

/* The log's copy of a connection's name. A connection's name never changes and its id is
   never reused, so the same id with the same name given is the name kept last, with no text
   compared: most events name the connection the one before named. */
static const char *
trace_log_keep_conn(struct trace_log *log, uint32_t conn, const char *name)
{
    if (conn != 0 && conn == log->last_conn && name == log->last_conn_src)
        return log->last_conn_name;
    const char *kept = trace_log_keep(log, name);
    if (conn != 0 && kept) {
        log->last_conn = conn;
        log->last_conn_src = name;
        log->last_conn_name = kept;
    }
    return kept;
}

/* Room for one more element of 'size' octets in 's': its address, or NULL on ENOMEM. */
static void *
trace_side_push(struct trace_side *s, size_t size)
{
    if (s->len == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        void *na = realloc(s->a, ncap * size);
        if (!na)
            return NULL;
        s->a = na;
        s->cap = ncap;
    }
    return (char *)s->a + size * s->len++;
}

/* The record of the event at index 'i', to write. */
static struct trace_rec *
trace_log_slot(struct trace_log *log, size_t i)
{
    return &log->rec[(log->head + i) & (log->cap - 1)];
}

static struct trace_event *
trace_log_x(const struct trace_log *log, const struct trace_rec *r)
{
    return &((struct trace_event *)log->xs.a)[r->x - 1];
}

static bool
trace_kind_is_seg(enum trace_kind k)
{
    return k == TRACE_SEND || k == TRACE_DELIVER || k == TRACE_DROP || k == TRACE_DUP || k == TRACE_DELAY;
}

static bool
trace_kind_is_timer(enum trace_kind k)
{
    return k == TRACE_TIMER_ARM || k == TRACE_TIMER_CANCEL || k == TRACE_TIMER_FIRE;
}

/* Intern the kept events' texts afresh, so that the texts only dropped events used are freed:
   a run whose texts differ (a connection's name each) keeps as many as its window needs. */
static void
trace_log_retext(struct trace_log *log)
{
    char **old = log->texts;
    size_t oldcap = log->captexts;
    log->texts = NULL;
    log->ntexts = log->captexts = 0;
    trace_text_cache_clear(log);
    for (size_t i = 0; i < log->len; i++) {
        struct trace_rec *r = trace_log_slot(log, i);
        r->conn_name = trace_log_keep(log, r->conn_name);
        if (!r->x && !trace_kind_is_seg((enum trace_kind)r->kind))
            r->u.other.text = trace_log_keep(log, r->u.other.text);
    }
    struct trace_event *xs = log->xs.a;
    for (size_t i = 0; i < log->xs.len; i++) {
        xs[i].text = trace_log_keep(log, xs[i].text);
        xs[i].conn_name = trace_log_keep(log, xs[i].conn_name);
    }
    trace_texts_free(old, oldcap);
}

/* Drop the elements of 's' before the one the kept records name first (field 'at' of each,
   1 + an index, 0: none) and renumber what the kept records name. */
static void
trace_side_trim(struct trace_log *log, struct trace_side *s, size_t size, size_t at)
{
    if (s->len == 0)
        return;
    size_t first = 0;
    uint32_t base = 0; /* the index kept first, plus one */
    for (; first < log->len && base == 0; first++)
        base = *(uint32_t *)((char *)trace_log_slot(log, first) + at);
    if (base == 0) {
        s->len = 0;
        return;
    }
    size_t drop = base - 1;
    memmove(s->a, (char *)s->a + drop * size, (s->len - drop) * size);
    s->len -= drop;
    for (size_t i = first - 1; i < log->len; i++) {
        uint32_t *ix = (uint32_t *)((char *)trace_log_slot(log, i) + at);
        if (*ix)
            *ix -= (uint32_t)drop;
    }
}

/* Move the ring into 'ncap' (a power of two, at least log->len) records, oldest first; 0, or
   -1 on ENOMEM (the ring stays as it was). */
static int
trace_log_resize(struct trace_log *log, size_t ncap)
{
    struct trace_rec *nr = malloc(ncap * sizeof *nr);
    if (!nr)
        return -1;
    size_t first = log->cap ? log->cap - log->head : 0; /* records from head to the end */
    if (first > log->len)
        first = log->len;
    if (log->len) {
        memcpy(nr, log->rec + log->head, first * sizeof *nr);
        memcpy(nr + first, log->rec, (log->len - first) * sizeof *nr);
    }
    free(log->rec);
    log->rec = nr;
    log->cap = ncap;
    log->head = 0;
    return 0;
}

/* The smallest power of two that is at least 'n' (n >= 1). */
static size_t
trace_pow2(size_t n)
{
    size_t p = 1;
    while (p < n)
        p *= 2;
    return p;
}

/* Drop all but the last 'window' events: the ring's head moves on, nothing is copied. */
static void
trace_log_trim(struct trace_log *log)
{
    size_t drop = log->len - log->window;
    log->head = (log->head + drop) & (log->cap - 1);
    log->len = log->window;
    log->dropped += drop;
    trace_side_trim(log, &log->xs, sizeof(struct trace_event), offsetof(struct trace_rec, x));
    trace_side_trim(log, &log->tcbs, sizeof(struct trace_tcb), offsetof(struct trace_rec, tcb));
    if (log->cap > trace_pow2(2 * log->window)) /* the window was made smaller */
        (void)trace_log_resize(log, trace_pow2(2 * log->window));
    /* each kept event holds at most two texts: more than that, and some belong to dropped ones */
    if (log->ntexts > 2 * log->window + 64)
        trace_log_retext(log);
}

/* What the whole run did, for goals and coverage, whatever the window drops. */
static void
trace_log_see_rule(struct trace_log *log, enum trace_kind kind, int host, enum tcp_rule rule,
                   enum tcp_state from, enum tcp_state to)
{
    if ((kind != TRACE_STATE && kind != TRACE_RULE) || host < 0 || host >= TRACE_LOG_HOSTS)
        return;
    struct trace_seen *s = &log->seen[host];
    if ((unsigned)rule < TCP_RULE_COUNT)
        s->rule[rule] = true;
    if (kind == TRACE_STATE && (unsigned)from < TCP_STATE_COUNT && (unsigned)to < TCP_STATE_COUNT)
        s->edge[from][to] = true;
}

static void
trace_log_see(struct trace_log *log, const struct trace_event *ev)
{
    trace_log_see_rule(log, ev->kind, ev->host, ev->rule, ev->from_state, ev->to_state);
}

/* Whether a record holds all of 'ev' (but its TCB, kept apart, and its payload, not kept):
   the fields every event has fit their small slots, and the fields of another kind than its
   own, and the rare ones (SACK blocks, a copy's original), are zero. */
static bool
trace_rec_fits(const struct trace_event *ev)
{
    /* one test for the small fields, one for the rare ones: this runs for every event */
    unsigned small = ev->marks | (unsigned)(ev->host - INT8_MIN) | (unsigned)(ev->from - INT8_MIN) |
                     (unsigned)(ev->to - INT8_MIN);
    if ((unsigned)ev->kind >= TRACE_KIND_COUNT || (unsigned)ev->from_state >= TCP_STATE_COUNT ||
        (unsigned)ev->to_state >= TCP_STATE_COUNT || (unsigned)ev->rule >= TCP_RULE_COUNT ||
        (unsigned)ev->timer >= TCP_TIMER_COUNT || small > UINT8_MAX || (ev->orig_id | ev->seg.opt.nsack))
        return false;
    const struct tcp_seg *s = &ev->seg;
    if (trace_kind_is_seg(ev->kind))
        return !((uint64_t)ev->when | (uintptr_t)ev->text | (unsigned)ev->err);
    bool seg_zero = !(s->saddr | s->daddr | s->sport | s->dport | s->seq | s->ack | s->flags | s->wnd | s->up |
                      s->mss | s->opt.present | s->opt.wscale | s->opt.tsval | s->opt.tsecr | s->len) &&
                    !(ev->pkt_id | (uint64_t)ev->sent_at | (uint64_t)ev->arrive_at);
    return seg_zero && (trace_kind_is_timer(ev->kind) || ev->when == 0);
}

/* What every event has, packed, with nothing beside it yet ('x', 'tcb'); the name is the
   caller's to intern. */
static inline void
trace_rec_pack_head(struct trace_rec *r, const struct trace_head *h)
{
    r->n = h->n;
    r->t = h->t;
    r->conn = h->conn;
    r->x = r->tcb = 0;
    r->kind = (uint8_t)h->kind;
    r->host = (int8_t)h->host;
}

/* A segment event's own fields, packed: shared by trace_rec_pack and trace_log_seg. */
static inline void
trace_rec_pack_seg(struct trace_rec *r, const struct tcp_seg *s, uint64_t pkt_id, clk_time sent_at,
                   clk_time arrive_at)
{
    r->flags = s->flags;
    r->u.seg = (struct trace_rec_seg){
        .pkt_id = pkt_id, .sent_at = sent_at, .arrive_at = arrive_at, .saddr = s->saddr, .daddr = s->daddr,
        .sport = s->sport, .dport = s->dport, .seq = s->seq, .ack = s->ack, .tsval = s->opt.tsval,
        .tsecr = s->opt.tsecr, .len = s->len, .wnd = s->wnd, .up = s->up, .mss = s->mss,
        .present = s->opt.present, .wscale = s->opt.wscale,
    };
}

/* Pack 'ev' into 'r' (trace_rec_fits holds, or r->x is set and only the common fields are
   read back from the record). */
static void
trace_rec_pack(struct trace_rec *r, const struct trace_event *ev)
{
    trace_rec_pack_head(r, &(struct trace_head){.kind = ev->kind, .n = ev->n, .t = ev->t, .host = ev->host,
                                                .conn = ev->conn});
    r->rule = (uint16_t)ev->rule;
    r->from_state = (uint8_t)ev->from_state;
    r->to_state = (uint8_t)ev->to_state;
    r->timer = (uint8_t)ev->timer;
    r->marks = (uint8_t)ev->marks;
    r->from = (int8_t)ev->from;
    r->to = (int8_t)ev->to;
    if (trace_kind_is_seg(ev->kind)) {
        trace_rec_pack_seg(r, &ev->seg, ev->pkt_id, ev->sent_at, ev->arrive_at);
    } else {
        r->flags = ev->seg.flags;
        r->u.other.when = ev->when;
        r->u.other.text = NULL; /* interned by the caller */
        r->u.other.err = (int32_t)ev->err;
    }
}

struct trace_event
trace_log_get(const struct trace_log *log, size_t i)
{
    const struct trace_rec *r = trace_log_rec(log, i);
    struct trace_event ev;
    if (r->x) {
        ev = *trace_log_x(log, r);
    } else {
        ev = (struct trace_event){
            .kind = (enum trace_kind)r->kind, .n = r->n, .t = r->t, .host = r->host, .conn = r->conn,
            .conn_name = r->conn_name, .from = r->from, .to = r->to, .marks = r->marks,
            .from_state = (enum tcp_state)r->from_state, .to_state = (enum tcp_state)r->to_state,
            .rule = (enum tcp_rule)r->rule, .timer = (enum tcp_timer)r->timer,
        };
        if (trace_kind_is_seg(ev.kind)) {
            ev.pkt_id = r->u.seg.pkt_id;
            ev.sent_at = r->u.seg.sent_at;
            ev.arrive_at = r->u.seg.arrive_at;
            ev.seg = (struct tcp_seg){
                .saddr = r->u.seg.saddr, .daddr = r->u.seg.daddr, .sport = r->u.seg.sport,
                .dport = r->u.seg.dport, .seq = r->u.seg.seq, .ack = r->u.seg.ack, .flags = r->flags,
                .wnd = r->u.seg.wnd, .up = r->u.seg.up, .mss = r->u.seg.mss, .len = r->u.seg.len,
                .opt = {.present = r->u.seg.present, .wscale = r->u.seg.wscale, .tsval = r->u.seg.tsval,
                        .tsecr = r->u.seg.tsecr},
            };
        } else {
            ev.when = r->u.other.when;
            ev.text = r->u.other.text;
            ev.err = (enum tcp_err)r->u.other.err;
        }
    }
    if (r->tcb) {
        ev.has_tcb = true;
        ev.tcb = ((const struct trace_tcb *)log->tcbs.a)[r->tcb - 1];
    } else {
        ev.has_tcb = false;
        memset(&ev.tcb, 0, sizeof ev.tcb);
    }
    return ev;
}

/* Drop the window's older half if it is full, and grow the ring if it is full (to twice its
   size, its window's at most); 0, or -1 on ENOMEM. Apart from trace_log_next, which runs for
   every event, as it runs a few times a window. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static int
trace_log_make_room(struct trace_log *log)
{
    if (log->window && log->len >= 2 * log->window)
        trace_log_trim(log);
    if (log->len == log->cap) {
        /* a log with a window starts at the ring it will have (memory the events not yet
           logged leave untouched), not at 256 records doubled five times for the default
           window, each time with a copy */
        size_t ncap = log->cap ? log->cap * 2 : log->window ? trace_pow2(2 * log->window) : 256;
        if (log->window && ncap > trace_pow2(2 * log->window))
            ncap = trace_pow2(2 * log->window);
        if (ncap <= log->len)
            ncap = trace_pow2(log->len + 1);
        if (trace_log_resize(log, ncap) != 0)
            return -1;
    }
    trace_log_set_room(log);
    return 0;
}

/* The record the next event goes in; NULL on ENOMEM: the log falls silent rather than lie. */
static inline struct trace_rec *
trace_log_next(struct trace_log *log)
{
    if (log->len >= log->room && trace_log_make_room(log) != 0)
        return NULL;
    return trace_log_slot(log, log->len);
}

void
trace_log_observe(const struct trace_event *ev, void *ctx)
{
    struct trace_log *log = ctx;
    trace_log_see(log, ev);
    struct trace_rec *r = trace_log_next(log);
    if (!r)
        return;
    trace_rec_pack(r, ev);
    r->conn_name = trace_log_keep_conn(log, ev->conn, ev->conn_name);
    if (!trace_kind_is_seg(ev->kind) && ev->text)
        r->u.other.text = trace_log_keep(log, ev->text);
    if (!trace_rec_fits(ev)) {
        struct trace_event *x = trace_side_push(&log->xs, sizeof *x);
        if (!x)
            return;
        *x = *ev;
        x->seg.data = NULL; /* the payload is not kept */
        x->text = trace_log_keep(log, ev->text);
        x->conn_name = r->conn_name;
        x->has_tcb = false;
        r->x = (uint32_t)log->xs.len;
    }
    if (log->keep_tcb && ev->has_tcb) {
        struct trace_tcb *b = trace_side_push(&log->tcbs, sizeof *b);
        if (!b)
            return;
        *b = ev->tcb;
        r->tcb = (uint32_t)log->tcbs.len;
    }
    log->len++;
}

/* What trace_log_observe does with a segment event that fits a record (trace_rec_fits: the
   same tests, on the fields a segment event can carry), with nothing else to do: a segment
   event names no rule for trace_log_see, carries no text, and no TCB while the log is the
   only observer. */
bool
trace_log_seg(struct trace_log *log, const struct trace_seg_event *e)
{
    unsigned small = e->marks | (unsigned)(e->h.host - INT8_MIN) | (unsigned)(e->from - INT8_MIN) |
                     (unsigned)(e->to - INT8_MIN);
    if (!trace_kind_is_seg(e->h.kind) || small > UINT8_MAX || (unsigned)e->state >= TCP_STATE_COUNT ||
        e->seg->opt.nsack)
        return false;
    struct trace_rec *r = trace_log_next(log);
    if (!r)
        return true;
    trace_rec_pack_head(r, &e->h);
    r->rule = 0;
    r->from_state = r->to_state = (uint8_t)e->state;
    r->timer = 0;
    r->marks = (uint8_t)e->marks;
    r->from = (int8_t)e->from;
    r->to = (int8_t)e->to;
    trace_rec_pack_seg(r, e->seg, e->pkt_id, e->sent_at, e->arrive_at);
    r->conn_name = trace_log_keep_conn(log, e->h.conn, e->h.conn_name);
    log->len++;
    return true;
}

/* What trace_log_observe does with an event of a connection without segment or text that fits
   a record (trace_rec_fits' tests, on the fields such an event can carry). */
bool
trace_log_conn(struct trace_log *log, const struct trace_conn_event *e)
{
    bool timer = trace_kind_is_timer(e->h.kind);
    if (!(timer || e->h.kind == TRACE_STATE || e->h.kind == TRACE_RULE) ||
        (unsigned)(e->h.host - INT8_MIN) > UINT8_MAX || (unsigned)e->from_state >= TCP_STATE_COUNT ||
        (unsigned)e->to_state >= TCP_STATE_COUNT || (unsigned)e->rule >= TCP_RULE_COUNT ||
        (unsigned)e->timer >= TCP_TIMER_COUNT || !(timer || e->when == 0))
        return false;
    trace_log_see_rule(log, e->h.kind, e->h.host, e->rule, e->from_state, e->to_state);
    struct trace_rec *r = trace_log_next(log);
    if (!r)
        return true;
    trace_rec_pack_head(r, &e->h);
    r->rule = (uint16_t)e->rule;
    r->from_state = (uint8_t)e->from_state;
    r->to_state = (uint8_t)e->to_state;
    r->timer = (uint8_t)e->timer;
    r->marks = r->flags = 0;
    r->from = r->to = 0;
    r->u.other.when = e->when;
    r->u.other.text = NULL;
    r->u.other.err = TCP_OK;
    r->conn_name = trace_log_keep_conn(log, e->h.conn, e->h.conn_name);
    log->len++;
    return true;
}
