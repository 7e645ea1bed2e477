/*
 * repl_run.c - moving through time: step, next, run/continue, until, advance, back, rewind,
 * and the breakpoints that stop them.
 *
 * Every move goes through repl_go(), which steps one event at a time (a scenario's step while
 * the scenario runs, then the world's next clock event), so
 * Ctrl-C and breakpoints are checked between events), journals each step and each clock move
 * for `back`, and says why it stopped. Events are printed as they happen by repl_on_event(),
 * the session's observer, which also notices state changes and breakpoint hits.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "repl_internal.h"

enum repl_stop {
    REPL_STOP_COUNT,  /* performed the events asked for */
    REPL_STOP_LIMIT,  /* reached the time asked for */
    REPL_STOP_CHANGE, /* a state changed (`next`) */
    REPL_STOP_BREAK,  /* a breakpoint */
    REPL_STOP_INTR,   /* Ctrl-C */
    REPL_STOP_IDLE,   /* nothing is scheduled */
    REPL_STOP_PAUSE,  /* the scenario called pause(text) */
    REPL_STOP_END,    /* the scenario ended or failed (the world stays live) */
    REPL_STOP_RESTORED /* this process was resumed from a checkpoint: the command is over */
};

static void repl_undo_keep(struct repl *r, size_t i);

/* ---- breakpoints ------------------------------------------------------------------------------ */

static bool
repl_bp_who(const struct repl_bp *b, const struct trace_event *ev)
{
    if (b->sock[0]) /* a socket named before it existed */
        return ev->conn_name && strcasecmp(ev->conn_name, b->sock) == 0;
    return (b->conn == 0 || b->conn == ev->conn) && (b->host < 0 || b->host == ev->host);
}

static bool
repl_bp_match(const struct repl_bp *b, const struct trace_event *ev)
{
    switch (b->kind) {
    case REPL_BP_STATE:
        return ev->kind == TRACE_STATE && (int)ev->to_state == b->state && repl_bp_who(b, ev);
    case REPL_BP_CHANGE:
        return ev->kind == TRACE_STATE && repl_bp_who(b, ev);
    case REPL_BP_SEGMENT:
        return ev->kind == TRACE_SEND && (ev->seg.flags & b->flags) == b->flags &&
               (b->host < 0 || b->host == ev->from);
    case REPL_BP_TIMER:
        return ev->kind == TRACE_TIMER_FIRE && (b->timer < 0 || b->timer == (int)ev->timer) &&
               repl_bp_who(b, ev);
    case REPL_BP_TIME:
        return false; /* repl_go() watches the clock */
    }
    return false;
}

/* The session's observer: print the event, note state changes and breakpoint hits. */
void
repl_on_event(const struct trace_event *ev, void *ctx)
{
    struct repl *r = ctx;
    /* the session's log observes first, so 'ev' is its last event */
    if (r->replaying && r->log.len && r->log.len - 1 < r->quiet_below) {
        out_text_learn(r->printer, ev); /* replayed, and too far back for `back` to show */
    } else if (r->log.len && trace_log_n(&r->log, r->log.len - 1) == ev->n) {
        repl_print_event(r, r->printer, r->evbuf, r->log.len - 1);
        repl_print_after(r, r->printer, r->log.len - 1);
        repl_undo_keep(r, r->log.len - 1);
    } else {
        out_text_observe(ev, r->printer);
    }
    repl_flush_events(r);
    if (ev->kind == TRACE_STATE)
        r->state_changed = true;
    for (size_t i = 0; i < r->nbp && !r->bp_hit; i++)
        if (repl_bp_match(&r->bp[i], ev))
            r->bp_hit = r->bp[i].id;
}

/* The first time breakpoint in (lo, hi], or NULL. */
static struct repl_bp *
repl_bp_time(struct repl *r, clk_time lo, clk_time hi)
{
    struct repl_bp *best = NULL;
    for (size_t i = 0; i < r->nbp; i++) {
        struct repl_bp *b = &r->bp[i];
        if (b->kind == REPL_BP_TIME && b->t > lo && b->t <= hi && (!best || b->t < best->t))
            best = b;
    }
    return best;
}

static struct repl_bp *
repl_bp_by_id(struct repl *r, int id)
{
    for (size_t i = 0; i < r->nbp; i++)
        if (r->bp[i].id == id)
            return &r->bp[i];
    return NULL;
}

/* ---- the one way time moves ------------------------------------------------------------------ */

static void
repl_clock_to(struct repl *r, clk_time t)
{
    if (t <= world_now(r->w))
        return;
    world_run_until_time(r->w, t); /* callers made sure no event is due before 't' */
    repl_journal(r, REPL_OP_CLOCK, NULL);
}

/* One step of a running scenario: REPL_STOP_COUNT when it went on as asked, else why not.
   The script decides what happens next; a time stop (the limit, a `break at`) is its horizon,
   so a sim:run(60) of the script stops the clock there exactly and goes on from there later. */
static enum repl_stop
repl_go_script(struct repl *r, clk_time limit, bool breaks)
{
    clk_time before = world_now(r->w);
    if (before >= limit)
        return REPL_STOP_LIMIT;
    struct repl_bp *tb = breaks ? repl_bp_time(r, before, limit) : NULL;
    repl_step_to(r, tb ? tb->t : limit);
    repl_journal(r, REPL_OP_STEP, NULL);
    tb = breaks ? repl_bp_time(r, before, world_now(r->w)) : NULL;
    if (tb && !r->bp_hit)
        r->bp_hit = tb->id;
    if (r->pkr && !repl_script_active(r))
        return REPL_STOP_END; /* the packetdrill script's verdict is in */
    switch (r->pkr ? LSIM_RUNNING : lsim_status(r->lsim)) {
    case LSIM_PAUSED: return REPL_STOP_PAUSE;
    case LSIM_DONE:
    case LSIM_FAILED:
    case LSIM_EMPTY: return REPL_STOP_END;
    case LSIM_READY:
    case LSIM_RUNNING: break;
    }
    if (breaks && r->bp_hit)
        return REPL_STOP_BREAK;
    return REPL_STOP_COUNT;
}

/*
 * Perform events until 'max' of them (0: no limit) have happened, the clock would pass
 * 'limit' (it is then moved to 'limit'), a state changes (when 'to_change'), a breakpoint is
 * hit (when 'breaks'), Ctrl-C, or nothing is left to do.
 */
static enum repl_stop
repl_go(struct repl *r, uint64_t max, clk_time limit, bool to_change, bool breaks)
{
    uint64_t n = 0;
    r->bp_hit = 0;
    r->state_changed = false;
    for (;;) {
        if (max && n >= max)
            return REPL_STOP_COUNT;
        if (repl_interrupted())
            return REPL_STOP_INTR;
        if (repl_script_active(r)) {
            enum repl_stop why = repl_go_script(r, limit, breaks);
            if (repl_ckpt_maybe(r))
                return REPL_STOP_RESTORED;
            if (why != REPL_STOP_COUNT)
                return why;
            n++;
            if (to_change && r->state_changed)
                return REPL_STOP_CHANGE;
            continue;
        }
        clk_time now = world_now(r->w), next = world_next_time(r->w);
        struct repl_bp *tb = breaks ? repl_bp_time(r, now, next < limit ? next : limit) : NULL;
        if (tb && tb->t < next) {
            repl_clock_to(r, tb->t);
            r->bp_hit = tb->id;
            return REPL_STOP_BREAK;
        }
        if (next > limit) {
            repl_clock_to(r, limit);
            return REPL_STOP_LIMIT;
        }
        if (next == CLK_NEVER)
            return REPL_STOP_IDLE;
        world_step(r->w);
        repl_journal(r, REPL_OP_STEP, NULL);
        if (repl_ckpt_maybe(r))
            return REPL_STOP_RESTORED;
        n++;
        if (tb && !r->bp_hit)
            r->bp_hit = tb->id;
        if (breaks && r->bp_hit)
            return REPL_STOP_BREAK;
        if (to_change && r->state_changed)
            return REPL_STOP_CHANGE;
    }
}

/* Say why a run stopped (nothing when it did just what was asked). */
static void
repl_report(struct repl *r, enum repl_stop why, bool quiet_limit)
{
    char t[32];
    out_time_str(world_now(r->w), t, sizeof t);
    switch (why) {
    case REPL_STOP_COUNT:
    case REPL_STOP_CHANGE:
    case REPL_STOP_RESTORED:
        break;
    case REPL_STOP_LIMIT:
        if (!quiet_limit)
            fprintf(r->out, "-- now at %s\n", t);
        break;
    case REPL_STOP_BREAK: {
        struct repl_bp *b = repl_bp_by_id(r, r->bp_hit);
        if (b)
            b->hits++;
        fprintf(r->out, "%s-- breakpoint %d at %s: %s%s\n", repl_color(r, "\033[1;33m"), r->bp_hit,
                t, b ? b->desc : "?", repl_color(r, "\033[0m"));
        break;
    }
    case REPL_STOP_INTR:
        fprintf(r->out, "-- interrupted at %s\n", t);
        break;
    case REPL_STOP_IDLE:
        fprintf(r->out, "-- nothing is scheduled at %s: no segment in flight, no timer armed\n", t);
        break;
    case REPL_STOP_PAUSE:
        fprintf(r->out, "%s-- paused at %s: %s%s\n", repl_color(r, "\033[1;36m"), t, lsim_message(r->lsim),
                repl_color(r, "\033[0m"));
        break;
    case REPL_STOP_END:
        if (r->pkr) {
            const struct pkt_result *res = pkt_runner_result(r->pkr);
            if (res->verdict == PKT_PASS)
                fprintf(r->out, "-- the script passed at %s; the world stays live\n", t);
            else
                fprintf(r->out, "%s-- the script %s at %s: %s%s\n", repl_color(r, "\033[1;31m"),
                        res->verdict == PKT_UNSUPPORTED ? "stopped" : "failed", t, res->msg, repl_color(r, "\033[0m"));
        } else if (lsim_status(r->lsim) == LSIM_FAILED)
            fprintf(r->out, "%s-- the scenario failed at %s: %s%s\n", repl_color(r, "\033[1;31m"), t,
                    lsim_message(r->lsim), repl_color(r, "\033[0m"));
        else
            fprintf(r->out, "-- the scenario has ended at %s; the world stays live\n", t);
        break;
    }
}

/* ---- stepping commands ------------------------------------------------------------------------- */

/* The optional count N of `step N`, `next N`, `back N`: 1 without it; 0 is an error, not 1. */
static int
repl_count_arg(struct repl *r, int argc, char **argv, uint64_t *n)
{
    *n = 1;
    if (repl_no_more(r, argc, argv, 2) != REPL_OK)
        return -1;
    if (argc < 2)
        return 0;
    if (repl_num(r, argv[1], 1000000000, "count", n) != 0)
        return -1;
    if (*n == 0)
        return repl_err(r, "%s 0 would do nothing: the count is 1 or more (%s alone is %s 1)", argv[0], argv[0], argv[0]),
               -1;
    return 0;
}

enum repl_status
repl_cmd_step(struct repl *r, int argc, char **argv)
{
    uint64_t n;
    if (repl_count_arg(r, argc, argv, &n) != 0)
        return REPL_ERR;
    repl_report(r, repl_go(r, n, CLK_NEVER, false, n > 1), true);
    return REPL_OK;
}

enum repl_status
repl_cmd_next(struct repl *r, int argc, char **argv)
{
    uint64_t n;
    if (repl_count_arg(r, argc, argv, &n) != 0)
        return REPL_ERR;
    for (uint64_t i = 0; i < n; i++) {
        enum repl_stop why = repl_go(r, 0, CLK_NEVER, true, true);
        if (why != REPL_STOP_CHANGE) {
            repl_report(r, why, true);
            break;
        }
    }
    return REPL_OK;
}

/* now + 'd' into '*t'; false when that passes REPL_TIME_MAX ("advance 1e9", ten times). */
static bool
repl_later(const struct repl *r, clk_time d, clk_time *t)
{
    if (d > REPL_TIME_MAX - world_now(r->w))
        return false;
    *t = world_now(r->w) + d;
    return true;
}

static enum repl_status
repl_run_to(struct repl *r, clk_time limit, bool breaks)
{
    repl_report(r, repl_go(r, 0, limit, false, breaks), false);
    return REPL_OK;
}

enum repl_status
repl_cmd_run(struct repl *r, int argc, char **argv)
{
    clk_time d;
    if (repl_no_more(r, argc, argv, 2) != REPL_OK)
        return REPL_ERR;
    if (argc < 2)
        return repl_run_to(r, CLK_NEVER, true);
    if (repl_time_arg(r, "run", argv[1], "run 5s", &d) != 0)
        return REPL_ERR;
    clk_time t;
    if (!repl_later(r, d, &t))
        return repl_err(r, "run: %s would take the clock past 1e9 s", argv[1]);
    return repl_run_to(r, t, true);
}

enum repl_status
repl_cmd_continue(struct repl *r, int argc, char **argv)
{
    if (repl_no_more(r, argc, argv, 1) != REPL_OK)
        return REPL_ERR;
    return repl_run_to(r, CLK_NEVER, true);
}

enum repl_status
repl_cmd_until(struct repl *r, int argc, char **argv)
{
    clk_time t;
    if (repl_no_more(r, argc, argv, 2) != REPL_OK ||
        repl_time_arg(r, "until", argc >= 2 ? argv[1] : NULL, "until 1.5 or until 60s", &t) != 0)
        return REPL_ERR;
    if (t < world_now(r->w))
        return repl_err(r, "until: %s is in the past (use rewind)", argv[1]);
    return repl_run_to(r, t, true);
}

enum repl_status
repl_cmd_advance(struct repl *r, int argc, char **argv)
{
    clk_time d, t;
    if (repl_no_more(r, argc, argv, 2) != REPL_OK ||
        repl_time_arg(r, "advance", argc >= 2 ? argv[1] : NULL, "advance 60s", &d) != 0)
        return REPL_ERR;
    if (!repl_later(r, d, &t))
        return repl_err(r, "advance: %s would take the clock past 1e9 s", argv[1]);
    return repl_run_to(r, t, false);
}

/* ---- time travel ----------------------------------------------------------------------------- */

/* The first line of the 'b' - 'a' octets at 'mem + a', without its leading spaces, into 'buf'
   ("" if none). */
static void
repl_undone_line(const char *mem, size_t a, size_t b, char *buf, size_t cap)
{
    while (a < b && mem[a] == ' ')
        a++;
    size_t n = 0;
    /* one line, its columns' padding squeezed to one space */
    for (; a < b && mem[a] != '\n' && n + 1 < cap; a++)
        if (mem[a] != ' ' || (n > 0 && buf[n - 1] != ' '))
            buf[n++] = mem[a];
    buf[n] = '\0';
}

/* Keep the first line event 'i' printed (in the printer's buffer now) for repl_say_undone. */
static void
repl_undo_keep(struct repl *r, size_t i)
{
    struct repl_undo_line *u = &r->undo[i % REPL_UNDO_LINES];
    fflush(r->evbuf);
    u->idx = i;
    u->gen = r->undo_gen;
    u->printed = r->evlen > 0;
    repl_undone_line(r->evmem, 0, r->evlen, u->text, sizeof u->text);
}

/* The events [from, to) of the log as printed, for repl_say_undone: from the lines kept as
   they were printed when all are there (a `back` of a few steps costs what they printed,
   not the whole run printed again), else printed anew. 0, or -1 on ENOMEM. */
static int
repl_undone_text(struct repl *r, size_t from, size_t to, char **mem, size_t **off)
{
    bool kept = to - from <= REPL_UNDO_LINES;
    for (size_t k = from; kept && k < to; k++)
        kept = r->undo[k % REPL_UNDO_LINES].idx == k && r->undo[k % REPL_UNDO_LINES].gen == r->undo_gen;
    if (!kept)
        return repl_render_log(r, mem, off);
    size_t len = 0, n = r->log.len;
    FILE *f;
    *mem = NULL;
    if (!(*off = calloc(n + 1, sizeof **off)) || !(f = open_memstream(mem, &len))) {
        free(*off);
        return -1;
    }
    for (size_t k = from; k < to; k++) {
        const struct repl_undo_line *u = &r->undo[k % REPL_UNDO_LINES];
        fflush(f);
        (*off)[k] = len;
        if (u->printed)
            fprintf(f, "%s\n", u->text);
    }
    fclose(f);
    for (size_t k = to; k <= n; k++)
        (*off)[k] = len;
    return 0;
}

/* Say what going back to the first 'keep' journal entries undoes, before the replay (the log
   still holds the events): each step with the first event it printed, each command line, each
   move of the clock; a tally when there are more than five. */
static void
repl_say_undone(struct repl *r, size_t keep)
{
    char *mem = NULL, line[256], t1[32], t2[32];
    size_t *off = NULL, steps = 0, cmds = 0, clocks = 0, shown = 0;
    size_t first = keep ? r->jr[keep - 1].nlog : 0;
    /* the lines are needed for five entries at most; more are tallied */
    if (keep >= r->jlen ||
        (r->jlen - keep <= 5 ? repl_undone_text(r, first, r->log.len, &mem, &off)
                             : repl_undone_text(r, r->log.len, r->log.len, &mem, &off)) != 0)
        return;
    for (size_t i = keep; i < r->jlen; i++) {
        const struct repl_jent *e = &r->jr[i];
        size_t from = i ? r->jr[i - 1].nlog : 0, to = e->nlog, printed = 0, head = to;
        for (size_t k = from; r->jlen - keep <= 5 && k < to && k < r->log.len; k++)
            if (off[k + 1] > off[k] && printed++ == 0)
                head = k;
        steps += e->op == REPL_OP_STEP;
        cmds += e->op == REPL_OP_CMD;
        clocks += e->op == REPL_OP_CLOCK;
        if (r->jlen - keep > 5)
            continue;
        switch (e->op) {
        case REPL_OP_STEP:
            if (head < to) {
                repl_undone_line(mem, off[head], off[head + 1], line, sizeof line);
                fprintf(r->out, "-- undid a step: %s", line);
                if (printed > 1)
                    fprintf(r->out, " (and %zu more event%s)", printed - 1, printed == 2 ? "" : "s");
                fputc('\n', r->out);
            } else if (e->t > (i ? r->jr[i - 1].t : 0)) {
                fprintf(r->out, "-- undid a step of the scenario: the clock's move from %s to %s\n",
                        out_time_str(i ? r->jr[i - 1].t : 0, t1, sizeof t1), out_time_str(e->t, t2, sizeof t2));
            } else {
                fprintf(r->out, "-- undid a step of the scenario\n");
            }
            break;
        case REPL_OP_CMD:
            fprintf(r->out, "-- undid `%s`", e->line ? e->line : "?");
            if (printed)
                fprintf(r->out, " (%zu event%s)", printed, printed == 1 ? "" : "s");
            fputc('\n', r->out);
            break;
        case REPL_OP_CLOCK:
            fprintf(r->out, "-- undid the clock's move from %s to %s\n",
                    out_time_str(i ? r->jr[i - 1].t : 0, t1, sizeof t1), out_time_str(e->t, t2, sizeof t2));
            break;
        }
    }
    if (r->jlen - keep > 5) {
        fprintf(r->out, "-- undid %zu step%s, %zu command%s", steps, steps == 1 ? "" : "s", cmds, cmds == 1 ? "" : "s");
        for (size_t i = keep; i < r->jlen && shown < 4; i++) {
            if (r->jr[i].op != REPL_OP_CMD)
                continue;
            fprintf(r->out, "%s`%s`", shown ? ", " : " (", r->jr[i].line ? r->jr[i].line : "?");
            if (++shown == 4 && cmds > 4)
                fprintf(r->out, ", ...");
        }
        fprintf(r->out, "%s and %zu move%s of the clock: %zu events", shown ? ")" : "", clocks, clocks == 1 ? "" : "s",
                r->log.len - first);
        if (r->log.len > first)
            fprintf(r->out, " from %s to %s", out_time_str(trace_log_t(&r->log, first), t1, sizeof t1),
                    out_time_str(trace_log_t(&r->log, r->log.len - 1), t2, sizeof t2));
        fputc('\n', r->out);
    }
    free(mem);
    free(off);
}

enum repl_status
repl_travel_arrive(struct repl *r, clk_time then)
{
    char t[32];
    if (then > world_now(r->w)) {
        /* no event is due before 'then' (the next one was undone), so what `forward` redoes
           stays as it was */
        world_run_until_time(r->w, then);
        repl_journal_keep(r, REPL_OP_CLOCK, NULL);
    }
    fprintf(r->out, "-- back at %s, after %llu events (%zu steps and commands replayed)\n",
            out_time_str(world_now(r->w), t, sizeof t), (unsigned long long)r->w->nevents, r->jlen);
    return REPL_OK;
}

/* Back to the journal's first 'keep' entries, then on to 'then' if later: through the
   nearest checkpoint (in another process, which says where it arrived), else by replaying
   from the start. */
static enum repl_status
repl_travel(struct repl *r, size_t keep, clk_time then)
{
    repl_say_undone(r, keep);
    repl_ckpt_restore(r, keep, then); /* returns when no checkpoint serves */
    if (repl_replay(r, keep) != 0)
        return repl_err(r, "out of memory while rebuilding the world");
    return repl_travel_arrive(r, then);
}

enum repl_status
repl_cmd_back(struct repl *r, int argc, char **argv)
{
    uint64_t n;
    if (repl_count_arg(r, argc, argv, &n) != 0)
        return REPL_ERR;
    if (r->jlen == 0)
        return repl_err(r, "back: nothing to undo, this is the beginning");
    return repl_travel(r, n >= r->jlen ? 0 : r->jlen - (size_t)n, 0);
}

/* `rewind #N`: back to the step in which segment #N (the number the trace prints) was sent,
   so that it is on the wire again, to be dropped, delayed or duplicated. */
static enum repl_status
repl_rewind_segment(struct repl *r, const char *arg)
{
    uint64_t id;
    if (repl_num(r, arg + 1, UINT64_MAX, "segment number", &id) != 0)
        return REPL_ERR;
    size_t i = 0;
    while (i < r->log.len && !(trace_log_kind(&r->log, i) == TRACE_SEND && trace_log_get(&r->log, i).pkt_id == id))
        i++;
    if (i == r->log.len)
        return repl_err(r, "rewind: no segment #%llu was sent in this run (the trace numbers them: #1 sent)",
                        (unsigned long long)id);
    size_t keep = 0;
    while (keep < r->jlen && r->jr[keep].nlog <= i)
        keep++;
    return repl_travel(r, keep + 1 <= r->jlen ? keep + 1 : r->jlen, 0);
}

enum repl_status
repl_cmd_rewind(struct repl *r, int argc, char **argv)
{
    if (argc >= 2 && argv[1][0] == '#')
        return repl_rewind_segment(r, argv[1]);
    clk_time t = argc >= 2 ? repl_parse_time(argv[1]) : -1;
    if (t < 0)
        return repl_err(r, "rewind: want a time, e.g. rewind 0.002");
    if (t > world_now(r->w))
        return repl_err(r, "rewind: %s is in the future (use until)", argv[1]);
    size_t keep = 0;
    while (keep < r->jlen && r->jr[keep].t <= t)
        keep++;
    return repl_travel(r, keep, t);
}

/* ---- breakpoint commands --------------------------------------------------------------------- */

/* Who a breakpoint watches: a socket ("A1") or a host ("B"). 1 when 'word' named one. A
   socket may be one still to come ("B2" before A connects): a host's name and a number. */
static int
repl_bp_target(struct repl *r, const char *word, struct repl_bp *b)
{
    struct tcp_host *h = world_host(r->w, word);
    struct tcp_conn *c = h ? NULL : world_conn_by_name(r->w, word);
    size_t n = strlen(word);
    if (h)
        b->host = h->index;
    else if (c)
        b->conn = c->id;
    else if (n >= 2 && n < sizeof b->sock && strspn(word + 1, "0123456789") == n - 1 && word[1] != '0' &&
             world_host(r->w, (char[]){word[0], '\0'})) {
        snprintf(b->sock, sizeof b->sock, "%s", word);
        b->sock[0] = (char)toupper((unsigned char)b->sock[0]);
        return 1;
    }
    return h || c;
}

/* "A>B": the sending host of a direction, or -1 after an error naming the host that is not
   one. -2 when 'word' is not of the form X>Y at all. */
static int
repl_direction(struct repl *r, const char *cmd, const char *word)
{
    const char *gt = strchr(word, '>');
    if (!gt)
        return -2;
    char from[16], to[16];
    snprintf(from, sizeof from, "%.*s", (int)(gt - word < 15 ? gt - word : 15), word);
    snprintf(to, sizeof to, "%s", gt + 1);
    struct tcp_host *a = world_host(r->w, from), *b = world_host(r->w, to);
    if (!a || !b)
        return repl_err(r, "%s: no host \"%s\" in %s: the hosts are A and B (A>B or B>A)", cmd, !a ? from : to, word),
               -1;
    if (a == b)
        return repl_err(r, "%s: %s goes nowhere: the wire joins A and B (A>B or B>A)", cmd, word), -1;
    return a->index;
}

static enum repl_status
repl_bp_parse(struct repl *r, int argc, char **argv, struct repl_bp *b)
{
    const char *what = argv[1];
    char who[64] = "";
    if (strcasecmp(what, "at") == 0) {
        b->kind = REPL_BP_TIME;
        if (repl_no_more(r, argc, argv, 3) != REPL_OK ||
            repl_time_arg(r, "break at", argc >= 3 ? argv[2] : NULL, "break at 60s", &b->t) != 0)
            return REPL_ERR;
        if (b->t <= world_now(r->w))
            return repl_err(r, "break at: the clock is already at %s (%s is not ahead)", out_time_str(world_now(r->w), who, sizeof who),
                            argv[2]);
        snprintf(b->desc, sizeof b->desc, "the clock reaches %s", argv[2]);
        return REPL_OK;
    }
    if (strcasecmp(what, "seg") == 0 || strcasecmp(what, "segment") == 0) {
        b->kind = REPL_BP_SEGMENT;
        bool flags = false;
        for (int i = 2; i < argc; i++) {
            const char *a = argv[i];
            int dir;
            if (strcasecmp(a, "from") == 0) {
                struct tcp_host *h = i + 1 < argc ? world_host(r->w, argv[i + 1]) : NULL;
                if (!h)
                    return i + 1 < argc
                               ? repl_err(r, "break seg: no host \"%s\" after from: the hosts are A and B", argv[i + 1])
                               : repl_err(r, "break seg: from what? (break seg FIN from B)");
                b->host = h->index;
                i++;
            } else if ((dir = repl_direction(r, "break seg", a)) != -2) {
                if (dir < 0)
                    return REPL_ERR;
                b->host = dir;
            } else if (world_host(r->w, a)) {
                b->host = world_host(r->w, a)->index;
            } else if (!flags && tcp_flags_parse(a, &b->flags) == 0) {
                flags = true;
            } else {
                return repl_err(r, "break seg: \"%s\" is neither flags (SYN,ACK) nor a sender (from A, A>B)", a);
            }
        }
        char fl[32];
        snprintf(b->desc, sizeof b->desc, "a segment%s%s%s%s enters the wire", b->flags ? " with " : "",
                 b->flags ? tcp_flags_str(b->flags, fl, sizeof fl) : "", b->host >= 0 ? " from " : "",
                 b->host >= 0 ? r->w->host[b->host].name : "");
        return REPL_OK;
    }
    if (strcasecmp(what, "timer") == 0) {
        b->kind = REPL_BP_TIMER;
        for (int i = 2; i < argc; i++) {
            int t = -1;
            for (int k = 0; k < TCP_TIMER_COUNT; k++)
                if (strcasecmp(argv[i], tcp_timer_name((enum tcp_timer)k)) == 0)
                    t = k;
            if (t >= 0 && b->timer >= 0)
                return repl_err(r, "break timer: one timer at a time (%s, then %s)",
                                tcp_timer_name((enum tcp_timer)b->timer), argv[i]);
            if (t >= 0) {
                b->timer = t;
            } else if (who[0]) {
                return repl_err(r, "break timer: one socket or host at a time (%s, then %s)", who, argv[i]);
            } else if (repl_bp_target(r, argv[i], b)) {
                snprintf(who, sizeof who, "%s", argv[i]);
            } else {
                char names[128];
                size_t n = 0;
                names[0] = '\0';
                for (int k = 0; k < TCP_TIMER_COUNT && n < sizeof names; k++)
                    n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", k ? ", " : "",
                                          tcp_timer_name((enum tcp_timer)k));
                return repl_err(r, "break timer: \"%s\" is neither a timer (%s) nor a socket or host", argv[i], names);
            }
        }
        snprintf(b->desc, sizeof b->desc, "%s timer expires%s%s",
                 b->timer >= 0 ? tcp_timer_name((enum tcp_timer)b->timer) : "a", who[0] ? " on " : "", who);
        return REPL_OK;
    }
    /* break [state] [SOCKET|HOST] [STATE] */
    int i = 1;
    if (strcasecmp(argv[1], "state") == 0 && argc > 2) {
        argv++;
        argc--;
    }
    if (repl_bp_target(r, argv[1], b))
        i++;
    if (repl_no_more(r, argc, argv, i + 1) != REPL_OK)
        return REPL_ERR;
    if (i < argc) {
        b->state = tcp_state_parse(argv[i]);
        if (b->state < 0)
            return repl_err(r, "break: \"%s\" is not a %sstate (try help break)", argv[i],
                            i == 1 ? "socket, host or " : "");
        b->kind = REPL_BP_STATE;
        snprintf(b->desc, sizeof b->desc, "%s enters %s", i == 2 ? (b->sock[0] ? b->sock : argv[1]) : "a socket",
                 tcp_state_rfc((enum tcp_state)b->state));
    } else {
        b->kind = REPL_BP_CHANGE;
        snprintf(b->desc, sizeof b->desc, "%s changes state", b->sock[0] ? b->sock : argv[1]);
    }
    return REPL_OK;
}

enum repl_status
repl_cmd_break(struct repl *r, int argc, char **argv)
{
    struct repl_bp b;
    if (argc < 2)
        return repl_cmd_info(r, 2, (char *[]){"info", "break", NULL});
    memset(&b, 0, sizeof b);
    b.host = -1;
    b.timer = -1;
    b.state = -1;
    if (repl_bp_parse(r, argc, argv, &b) != REPL_OK)
        return REPL_ERR;
    if (r->nbp == r->capbp) {
        size_t ncap = r->capbp ? r->capbp * 2 : 8;
        struct repl_bp *n = realloc(r->bp, ncap * sizeof *n);
        if (!n)
            return repl_err(r, "out of memory");
        r->bp = n;
        r->capbp = ncap;
    }
    b.id = r->next_bp++;
    r->bp[r->nbp++] = b;
    fprintf(r->out, "breakpoint %d: stop when %s\n", b.id, b.desc);
    if (b.sock[0])
        fprintf(r->out, "  (there is no socket %s yet: the breakpoint waits for it)\n", b.sock);
    return REPL_OK;
}

enum repl_status
repl_cmd_info(struct repl *r, int argc, char **argv)
{
    if (argc < 2 || strncasecmp(argv[1], "breakpoints", strlen(argv[1])) != 0)
        return repl_err(r, "info: try info break");
    if (repl_no_more(r, argc, argv, 2) != REPL_OK)
        return REPL_ERR;
    if (r->nbp == 0) {
        fprintf(r->out, "no breakpoints\n");
        return REPL_OK;
    }
    fprintf(r->out, "Num  Hits  Stop when\n");
    for (size_t i = 0; i < r->nbp; i++)
        fprintf(r->out, "%-4d %4u  %s\n", r->bp[i].id, r->bp[i].hits, r->bp[i].desc);
    return REPL_OK;
}

enum repl_status
repl_cmd_delete(struct repl *r, int argc, char **argv)
{
    uint64_t id;
    if (repl_no_more(r, argc, argv, 2) != REPL_OK)
        return REPL_ERR;
    if (argc < 2) {
        r->nbp = 0;
        fprintf(r->out, "all breakpoints deleted\n");
        return REPL_OK;
    }
    if (repl_num(r, argv[1], 1000000, "breakpoint", &id) != 0)
        return REPL_ERR;
    for (size_t i = 0; i < r->nbp; i++) {
        if ((uint64_t)r->bp[i].id == id) {
            memmove(&r->bp[i], &r->bp[i + 1], (r->nbp - i - 1) * sizeof r->bp[0]);
            r->nbp--;
            fprintf(r->out, "breakpoint %llu deleted\n", (unsigned long long)id);
            return REPL_OK;
        }
    }
    return repl_err(r, "delete: no breakpoint %llu (info break lists them)", (unsigned long long)id);
}
