/*
 * repl_fx.h - a REPL session for the cmocka tests (test_repl.c, test_repl_session.c): a repl
 * printing into memory, fed command lines as a user types them (session_run) or a paste read
 * as one line (session_paste); what it printed comes back as a string. Include it after
 * cmocka.h (it asserts).
 */
#ifndef TCPSIM_TEST_REPL_FX_H
#define TCPSIM_TEST_REPL_FX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/repl.h"
#include "tcpsim/trace.h"

struct session {
    struct repl *r;
    FILE *out;
    char *mem;
    size_t len;
};

static inline void
session_open_on(struct session *s, const char *scenario)
{
    struct repl_opts o;
    memset(s, 0, sizeof *s);
    s->out = open_memstream(&s->mem, &s->len);
    assert_non_null(s->out);
    repl_opts_default(&o, stdin, s->out);
    o.scenario = scenario;
    s->r = repl_new(&o);
    assert_non_null(s->r);
}

static inline void
session_open(struct session *s)
{
    session_open_on(s, NULL);
}

/* Run 'lines' one repl_exec() each (newline separated); returns what was printed, valid until
   the next call. */
static inline const char *
session_run(struct session *s, const char *lines)
{
    char *copy = strdup(lines), *save = NULL;
    rewind(s->out);
    fflush(s->out);
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        repl_exec(s->r, l);
    free(copy);
    fputc('\0', s->out);
    fflush(s->out);
    return s->mem;
}

/* One repl_exec() of 'text' as it is, newlines and all (a paste read by readline as one). */
static inline const char *
session_paste(struct session *s, const char *text)
{
    rewind(s->out);
    fflush(s->out);
    repl_exec(s->r, text);
    fputc('\0', s->out);
    fflush(s->out);
    return s->mem;
}

/* A copy of the events in the log of 'r' (the caller frees it), for log_equal after going
   back; '*n' is how many. */
static inline struct trace_event *
log_snapshot(const struct repl *r, size_t *n)
{
    const struct trace_log *log = repl_log(r);
    struct trace_event *snap = malloc(log->len * sizeof *snap + 1);
    assert_non_null(snap);
    for (size_t k = 0; k < log->len; k++)
        snap[k] = trace_log_get(log, k);
    *n = log->len;
    return snap;
}

/* The log holds the 'n' events of 'snap', field for field that matters. */
static inline void
assert_log_equal(const struct trace_log *log, const struct trace_event *snap, size_t n)
{
    assert_int_equal(log->len, n);
    for (size_t i = 0; i < n; i++) {
        const struct trace_event ev = trace_log_get(log, i);
        assert_int_equal(ev.kind, snap[i].kind);
        assert_int_equal(ev.t, snap[i].t);
        assert_int_equal(ev.conn, snap[i].conn);
        assert_int_equal(ev.seg.seq, snap[i].seg.seq);
        assert_int_equal(ev.seg.ack, snap[i].seg.ack);
        assert_int_equal(ev.seg.flags, snap[i].seg.flags);
        assert_int_equal(ev.to_state, snap[i].to_state);
        assert_int_equal(ev.pkt_id, snap[i].pkt_id);
    }
}

static inline void
session_close(struct session *s)
{
    repl_free(s->r);
    fclose(s->out);
    free(s->mem);
}

#endif
