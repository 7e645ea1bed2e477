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
    REPL_STOP_END     /* the scenario ended or failed (the world stays live) */
};

/* ---- breakpoints ------------------------------------------------------------------------------ */

static bool
repl_bp_who(const struct repl_bp *b, const struct trace_event *ev)
{
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
    out_text_observe(ev, r->printer);
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
   The script decides what happens next, so time limits are checked after the step. */
static enum repl_stop
repl_go_script(struct repl *r, clk_time limit, bool breaks)
{
    clk_time before = world_now(r->w);
    if (before >= limit)
        return REPL_STOP_LIMIT;
    repl_step1(r);
    repl_journal(r, REPL_OP_STEP, NULL);
    struct repl_bp *tb = breaks ? repl_bp_time(r, before, world_now(r->w)) : NULL;
    if (tb && !r->bp_hit)
        r->bp_hit = tb->id;
    switch (lsim_status(r->lsim)) {
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
        if (lsim_status(r->lsim) == LSIM_FAILED)
            fprintf(r->out, "%s-- the scenario failed at %s: %s%s\n", repl_color(r, "\033[1;31m"), t,
                    lsim_message(r->lsim), repl_color(r, "\033[0m"));
        else
            fprintf(r->out, "-- the scenario has ended at %s; the world stays live\n", t);
        break;
    }
}

/* ---- stepping commands ------------------------------------------------------------------------- */

static int
repl_count_arg(struct repl *r, int argc, char **argv, uint64_t *n)
{
    *n = 1;
    if (argc < 2)
        return 0;
    if (repl_num(r, argv[1], 1000000000, "count", n) != 0)
        return -1;
    if (*n == 0)
        *n = 1;
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
    if (argc < 2)
        return repl_run_to(r, CLK_NEVER, true);
    clk_time d = repl_parse_time(argv[1]), t;
    if (d < 0)
        return repl_err(r, "run: bad duration \"%s\" (try 5s, 200ms, 2min)", argv[1]);
    if (!repl_later(r, d, &t))
        return repl_err(r, "run: %s would take the clock past 1e9 s", argv[1]);
    return repl_run_to(r, t, true);
}

enum repl_status
repl_cmd_continue(struct repl *r, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return repl_run_to(r, CLK_NEVER, true);
}

enum repl_status
repl_cmd_until(struct repl *r, int argc, char **argv)
{
    clk_time t = argc >= 2 ? repl_parse_time(argv[1]) : -1;
    if (t < 0)
        return repl_err(r, "until: want a time, e.g. until 1.5 or until 60s");
    if (t < world_now(r->w))
        return repl_err(r, "until: %s is in the past (use rewind)", argv[1]);
    return repl_run_to(r, t, true);
}

enum repl_status
repl_cmd_advance(struct repl *r, int argc, char **argv)
{
    clk_time d = argc >= 2 ? repl_parse_time(argv[1]) : -1, t;
    if (d < 0)
        return repl_err(r, "advance: want a duration, e.g. advance 60s");
    if (!repl_later(r, d, &t))
        return repl_err(r, "advance: %s would take the clock past 1e9 s", argv[1]);
    return repl_run_to(r, t, false);
}

/* ---- time travel ----------------------------------------------------------------------------- */

static enum repl_status
repl_travel(struct repl *r, size_t keep, clk_time then)
{
    char t[32];
    if (repl_replay(r, keep) != 0)
        return repl_err(r, "out of memory while rebuilding the world");
    if (then > world_now(r->w))
        repl_clock_to(r, then);
    fprintf(r->out, "-- back at %s, after %llu events (%zu steps and commands replayed)\n",
            out_time_str(world_now(r->w), t, sizeof t), (unsigned long long)r->w->nevents, r->jlen);
    return REPL_OK;
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

enum repl_status
repl_cmd_rewind(struct repl *r, int argc, char **argv)
{
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

/* Who a breakpoint watches: a socket ("A1") or a host ("B"). 1 when 'word' named one. */
static int
repl_bp_target(struct repl *r, const char *word, struct repl_bp *b)
{
    struct tcp_host *h = world_host(r->w, word);
    struct tcp_conn *c = h ? NULL : world_conn_by_name(r->w, word);
    if (h)
        b->host = h->index;
    else if (c)
        b->conn = c->id;
    return h || c;
}

static enum repl_status
repl_bp_parse(struct repl *r, int argc, char **argv, struct repl_bp *b)
{
    const char *what = argv[1];
    if (strcasecmp(what, "at") == 0) {
        b->kind = REPL_BP_TIME;
        b->t = argc >= 3 ? repl_parse_time(argv[2]) : -1;
        if (b->t < 0)
            return repl_err(r, "break at: want a time, e.g. break at 60s");
        snprintf(b->desc, sizeof b->desc, "the clock reaches %s", argv[2]);
        return REPL_OK;
    }
    if (strcasecmp(what, "seg") == 0 || strcasecmp(what, "segment") == 0) {
        b->kind = REPL_BP_SEGMENT;
        for (int i = 2; i < argc; i++) {
            const char *a = argv[i];
            struct tcp_host *h = world_host(r->w, a);
            if (strcasecmp(a, "from") == 0 && i + 1 < argc && world_host(r->w, argv[i + 1]))
                b->host = world_host(r->w, argv[++i])->index;
            else if (strlen(a) == 3 && a[1] == '>' && world_host(r->w, (char[]){a[0], '\0'}))
                b->host = world_host(r->w, (char[]){a[0], '\0'})->index; /* "A>B" */
            else if (h)
                b->host = h->index;
            else if (tcp_flags_parse(a, &b->flags) != 0)
                return repl_err(r, "break seg: \"%s\" is neither flags (SYN,ACK) nor a direction (A>B)", a);
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
            if (t >= 0)
                b->timer = t;
            else if (!repl_bp_target(r, argv[i], b))
                return repl_err(r, "break timer: \"%s\" is not a timer, socket or host", argv[i]);
        }
        snprintf(b->desc, sizeof b->desc, "%s timer expires%s%s",
                 b->timer >= 0 ? tcp_timer_name((enum tcp_timer)b->timer) : "a",
                 argc > 2 && b->timer < 0 ? " on " : "", argc > 2 && b->timer < 0 ? argv[2] : "");
        return REPL_OK;
    }
    /* break [SOCKET|HOST] [STATE] */
    int i = 1;
    if (repl_bp_target(r, argv[1], b))
        i++;
    if (i < argc) {
        b->state = tcp_state_parse(argv[i]);
        if (b->state < 0)
            return repl_err(r, "break: \"%s\" is not a socket, host or state (try help break)", argv[i]);
        b->kind = REPL_BP_STATE;
        snprintf(b->desc, sizeof b->desc, "%s enters %s", i == 2 ? argv[1] : "a socket",
                 tcp_state_rfc((enum tcp_state)b->state));
    } else {
        b->kind = REPL_BP_CHANGE;
        snprintf(b->desc, sizeof b->desc, "%s changes state", argv[1]);
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
    return REPL_OK;
}

enum repl_status
repl_cmd_info(struct repl *r, int argc, char **argv)
{
    if (argc < 2 || strncasecmp(argv[1], "breakpoints", strlen(argv[1])) != 0)
        return repl_err(r, "info: try info break");
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
