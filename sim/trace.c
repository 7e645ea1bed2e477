/*
 * trace.c - the event stream's vocabulary, and trace_log, the observer that remembers it.
 *
 * The world calls observers with a borrowed event; trace_log copies each one (texts included,
 * payload excluded) so a script, the REPL or an output writer can read the run afterwards.
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

void
trace_log_clear(struct trace_log *log)
{
    for (size_t i = 0; i < log->ntexts; i++)
        free(log->texts[i]);
    log->ntexts = 0;
    log->len = 0;
}

void
trace_log_fini(struct trace_log *log)
{
    trace_log_clear(log);
    free(log->texts);
    free(log->ev);
    memset(log, 0, sizeof *log);
}

/* Keep a private copy of 's'; NULL stays NULL (and so does a copy that cannot be made). */
static const char *
trace_log_keep(struct trace_log *log, const char *s)
{
    if (!s)
        return NULL;
    if (log->ntexts == log->captexts) {
        size_t ncap = log->captexts ? log->captexts * 2 : 64;
        char **nt = realloc(log->texts, ncap * sizeof *nt);
        if (!nt)
            return NULL;
        log->texts = nt;
        log->captexts = ncap;
    }
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (!copy)
        return NULL;
    memcpy(copy, s, n);
    log->texts[log->ntexts++] = copy;
    return copy;
}

void
trace_log_observe(const struct trace_event *ev, void *ctx)
{
    struct trace_log *log = ctx;
    if (log->len == log->cap) {
        size_t ncap = log->cap ? log->cap * 2 : 256;
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
