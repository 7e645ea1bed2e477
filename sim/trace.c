/*
 * trace.c - the event stream's vocabulary, and trace_log, the observer that remembers it.
 *
 * The world calls observers with a borrowed event; trace_log copies each one (texts included,
 * payload excluded) so a script, the REPL or an output writer can read the run afterwards,
 * keeping a window of the recent events so that a long run's memory stays flat (trace.h).
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

void
trace_log_init(struct trace_log *log)
{
    memset(log, 0, sizeof *log);
}

/* Free the interned texts and their table. */
static void
trace_texts_free(char **texts, size_t cap)
{
    for (size_t i = 0; i < cap; i++)
        free(texts[i]);
    free(texts);
}

void
trace_log_clear(struct trace_log *log)
{
    trace_texts_free(log->texts, log->captexts);
    log->texts = NULL;
    log->ntexts = log->captexts = 0;
    log->last = NULL;
    log->len = 0;
    log->dropped = 0;
    memset(log->seen, 0, sizeof log->seen);
}

void
trace_log_fini(struct trace_log *log)
{
    trace_log_clear(log);
    free(log->ev);
    memset(log, 0, sizeof *log);
}

void
trace_log_set_window(struct trace_log *log, size_t window)
{
    log->window = window;
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

/* Intern the kept events' texts afresh, so that the texts only dropped events used are freed:
   a run whose texts differ (a connection's name each) keeps as many as its window needs. */
static void
trace_log_retext(struct trace_log *log)
{
    char **old = log->texts;
    size_t oldcap = log->captexts;
    log->texts = NULL;
    log->ntexts = log->captexts = 0;
    log->last = NULL;
    for (size_t i = 0; i < log->len; i++) {
        struct trace_event *e = &log->ev[i];
        e->text = trace_log_keep(log, e->text);
        e->conn_name = trace_log_keep(log, e->conn_name);
    }
    trace_texts_free(old, oldcap);
}

/* Drop all but the last 'window' events. */
static void
trace_log_trim(struct trace_log *log)
{
    size_t drop = log->len - log->window;
    memmove(log->ev, log->ev + drop, log->window * sizeof *log->ev);
    log->len = log->window;
    log->dropped += drop;
    if (log->cap > 2 * log->window) { /* the window was made smaller */
        struct trace_event *ne = realloc(log->ev, 2 * log->window * sizeof *ne);
        if (ne) {
            log->ev = ne;
            log->cap = 2 * log->window;
        }
    }
    /* each kept event holds at most two texts: more than that, and some belong to dropped ones */
    if (log->ntexts > 2 * log->window + 64)
        trace_log_retext(log);
}

/* What the whole run did, for goals and coverage, whatever the window drops. */
static void
trace_log_see(struct trace_log *log, const struct trace_event *ev)
{
    if ((ev->kind != TRACE_STATE && ev->kind != TRACE_RULE) || ev->host < 0 || ev->host >= TRACE_LOG_HOSTS)
        return;
    struct trace_seen *s = &log->seen[ev->host];
    if ((unsigned)ev->rule < TCP_RULE_COUNT)
        s->rule[ev->rule] = true;
    if (ev->kind == TRACE_STATE && (unsigned)ev->from_state < TCP_STATE_COUNT &&
        (unsigned)ev->to_state < TCP_STATE_COUNT)
        s->edge[ev->from_state][ev->to_state] = true;
}

void
trace_log_observe(const struct trace_event *ev, void *ctx)
{
    struct trace_log *log = ctx;
    trace_log_see(log, ev);
    if (log->window && log->len >= 2 * log->window)
        trace_log_trim(log);
    if (log->len == log->cap) {
        size_t ncap = log->cap ? log->cap * 2 : 256;
        if (log->window && ncap > 2 * log->window)
            ncap = log->len < 2 * log->window ? 2 * log->window : log->len + 1;
        struct trace_event *ne = realloc(log->ev, ncap * sizeof *ne);
        if (!ne)
            return; /* out of memory: the log falls silent rather than lie */
        log->ev = ne;
        log->cap = ncap;
    }
    struct trace_event *copy = &log->ev[log->len++];
    *copy = *ev;
    copy->seg.data = NULL; /* the payload is not kept */
    copy->text = trace_log_keep(log, ev->text);
    copy->conn_name = trace_log_keep(log, ev->conn_name);
}
