/*
 * pkt_run.c - a packetdrill script run against tcpsim: host A is the system under test, host B
 * is scripted (its TCP switched off, wire.c) and speaks only the script's '<' segments.
 *
 * The events are played in order on the virtual clock, as packetdrill plays them on the wall
 * clock (its run.c, run_packet.c, run_system_call.c, read for the semantics only):
 *   - an inbound segment is injected at its time, its ACK and SACK numbers moved from the
 *     script's space (the SUT's ISN as the script wrote it) to the live one (pkt_packet.c);
 *   - an outbound segment is the next one the SUT sent, sniffed from the trace; several
 *     segments in a row make up one line longer than the MSS (Linux's TSO hands packetdrill
 *     one large packet), with the flags of the last; each field is compared in packetdrill's
 *     order, then the time, within the tolerance (pkt_packet.c);
 *   - a system call is made on the SUT (pkt_sys.c); one written "START...END" blocks while
 *     later events play, and must return at END;
 *   - a command in backticks sets settings or is ignored (pkt_shell.c).
 * Relative times follow packetdrill: from the moment the previous event finished, except that
 * an inbound segment after an inbound segment counts from that one's script time.
 *
 * Messages and exit statuses are packetdrill's: "FILE:LINE: error handling packet: ...",
 * "FILE:LINE: runtime error in CALL call: ...", "FILE:LINE: timing error: ...".
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_internal.h"

/* ---- verdicts ---------------------------------------------------------------------------------- */

static void
pkt_verdict(struct pkt_runner *r, enum pkt_verdict v, int line, const char *fmt, va_list ap)
{
    if (r->done)
        return;
    r->done = true;
    r->res.verdict = v;
    r->res.line = line;
    int n = 0;
    if (v == PKT_UNSUPPORTED)
        n = snprintf(r->res.msg, sizeof r->res.msg, "%s:%d: unsupported: ", r->s->path, line);
    else if (line > 0)
        n = snprintf(r->res.msg, sizeof r->res.msg, "%s:%d: ", r->s->path, line);
    if (n < 0 || (size_t)n >= sizeof r->res.msg)
        return;
    vsnprintf(r->res.msg + n, sizeof r->res.msg - (size_t)n, fmt, ap);
}

void
pkt_fail(struct pkt_runner *r, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pkt_verdict(r, PKT_FAIL, line, fmt, ap);
    va_end(ap);
}

void
pkt_unsupported_at(struct pkt_runner *r, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pkt_verdict(r, PKT_UNSUPPORTED, line, fmt, ap);
    va_end(ap);
}

void
pkt_warn(struct pkt_runner *r, int line, const char *fmt, ...)
{
    if (!r->log)
        return;
    fprintf(r->log, "%s:%d: warning: ", r->s->path, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->log, fmt, ap);
    va_end(ap);
    fputc('\n', r->log);
}

int64_t
pkt_now_us(const struct pkt_runner *r)
{
    return (r->w->clk.now + 500) / 1000;
}

/* ---- flows ---------------------------------------------------------------------------------- */

int
pkt_flow_get(struct pkt_runner *r, uint16_t sut_port, uint16_t peer_port, bool passive)
{
    for (int i = 0; i < r->nflows; i++)
        if (r->flow[i].sut_port == sut_port && r->flow[i].peer_port == peer_port)
            return i;
    if (r->nflows == PKT_MAX_FLOWS)
        return -1;
    struct pkt_flow *f = &r->flow[r->nflows];
    memset(f, 0, sizeof *f);
    f->sut_port = sut_port;
    f->peer_port = peer_port;
    f->passive = passive;
    return r->nflows++;
}

int
pkt_flow_find(const struct pkt_runner *r, uint16_t sut_port, uint16_t peer_port)
{
    for (int i = 0; i < r->nflows; i++)
        if (r->flow[i].sut_port == sut_port && r->flow[i].peer_port == peer_port)
            return i;
    return -1;
}

/* ---- sniffing ---------------------------------------------------------------------------------- */

/* Every segment the SUT sends is queued for the next '>' lines. */
static void
pkt_observe(const struct trace_event *ev, void *ctx)
{
    struct pkt_runner *r = ctx;
    if (ev->kind != TRACE_SEND || ev->from != 0)
        return;
    if (r->qhead + r->qlen == r->qcap) {
        if (r->qhead > 0) {
            memmove(r->q, r->q + r->qhead, r->qlen * sizeof *r->q);
            r->qhead = 0;
        } else {
            size_t cap = r->qcap ? r->qcap * 2 : 64;
            struct pkt_sniffed *q = cap < (1u << 24) ? realloc(r->q, cap * sizeof *q) : NULL;
            if (!q) {
                r->oom = true;
                return;
            }
            r->q = q;
            r->qcap = cap;
        }
    }
    struct pkt_sniffed *s = &r->q[r->qhead + r->qlen++];
    s->seg = ev->seg;
    s->seg.data = NULL;
    s->t = ev->t;
    /* the SUT's ISN, from its SYN or SYN,ACK */
    if (ev->seg.flags & TCP_SYN) {
        int fl = pkt_flow_find(r, ev->seg.sport, ev->seg.dport);
        if (fl >= 0 && !r->flow[fl].live_isn_known) {
            r->flow[fl].live_isn_known = true;
            r->flow[fl].live_isn = ev->seg.seq;
        }
    }
}

/* ---- the clock -------------------------------------------------------------------------------- */

/* Play the world up to 'until' (clk_time), trying the blocked call after each step. Stops
   early when 'stop_on_sniff' and the SUT has sent something, or at a verdict. */
void
pkt_advance(struct pkt_runner *r, clk_time until, bool stop_on_sniff)
{
    while (!r->done) {
        if (stop_on_sniff && r->qlen > 0)
            return;
        clk_time nt = world_next_time(r->w);
        clk_time wake = r->pend.on ? r->pend.wake : CLK_NEVER;
        if (wake != CLK_NEVER && wake <= nt && wake <= until) {
            world_run_until_time(r->w, wake);
            r->pend.wake = CLK_NEVER;
            pkt_pending_check(r, true);
            continue;
        }
        if (nt > until || nt == CLK_NEVER)
            break;
        if (r->o.max_steps && r->w->steps >= r->o.max_steps) {
            pkt_fail(r, r->next > 0 ? r->s->ev[r->next - 1].line : 0, "the run took more than %llu clock events",
                     (unsigned long long)r->o.max_steps);
            return;
        }
        world_step(r->w);
        if (r->pend.on)
            pkt_pending_check(r, false);
    }
    if (!r->done && until != CLK_NEVER && r->w->clk.now < until && !(stop_on_sniff && r->qlen > 0))
        world_run_until_time(r->w, until);
}

void
pkt_sleep(struct pkt_runner *r, double secs)
{
    pkt_advance(r, r->w->clk.now + clk_from_sec(secs), false);
}

double
pkt_secs(int64_t us)
{
    return (double)us / 1e6;
}

/* packetdrill's verify_time: 'actual' against the expected time or range, within the
   tolerance (the larger of --tolerance_usecs and --tolerance_percent of the gap since the
   previous event); false with the message in 'err'. */
bool
pkt_time_ok(const struct pkt_runner *r, enum pkt_time_kind kind, int64_t exp, int64_t exp_end, int64_t offset,
            int64_t actual, int64_t last, const char *what, char *err, size_t cap)
{
    if (kind == PKT_TIME_ANY)
        return true;
    int64_t tol = r->s->tolerance_us;
    if (last >= 0 && r->s->tolerance_percent > 0) {
        int64_t dyn = (exp - last) * r->s->tolerance_percent / 100;
        if (dyn > tol)
            tol = dyn;
    }
    if (kind == PKT_TIME_ABS_RANGE || kind == PKT_TIME_REL_RANGE) {
        if (actual >= exp - tol && actual <= exp_end + tol)
            return true;
        if (kind == PKT_TIME_ABS_RANGE)
            snprintf(err, cap, "timing error: expected %s in time range %.6f~%.6f sec but happened at %.6f sec", what,
                     pkt_secs(exp), pkt_secs(exp_end), pkt_secs(actual));
        else
            snprintf(err, cap, "timing error: expected %s in relative time range +%.6f~+%.6f sec but happened at %+.6f sec",
                     what, pkt_secs(exp - offset), pkt_secs(exp_end - offset), pkt_secs(actual - offset));
        return false;
    }
    if (actual >= exp - tol && actual <= exp + tol)
        return true;
    snprintf(err, cap, "timing error: expected %s at %.6f sec but happened at %.6f sec; tolerance %.6f sec", what,
             pkt_secs(exp), pkt_secs(actual), pkt_secs(tol));
    return false;
}

/* The same for an event's own time: a verdict "FILE:LINE: timing error: ..." when late. */
static bool
pkt_check_time(struct pkt_runner *r, int line, enum pkt_time_kind kind, int64_t exp, int64_t actual, int64_t last,
               const char *what)
{
    char err[256];
    if (pkt_time_ok(r, kind, exp, 0, 0, actual, last, what, err, sizeof err))
        return true;
    pkt_fail(r, line, "%s", err);
    return false;
}

/* ---- system calls ------------------------------------------------------------------------------ */

static bool
pkt_check_result(struct pkt_runner *r, const struct pkt_event *e, int64_t ret, int err)
{
    int64_t want = 0;
    int rc = 0;
    const struct pkt_expr *x = e->call.result;
    if (x->kind == PKT_X_ELLIPSIS)
        rc = 1;
    else if (x->kind == PKT_X_INT)
        want = x->num;
    else if (x->kind == PKT_X_SYM && pkt_symbol(x->name, &want) == 0)
        rc = 0;
    else {
        pkt_fail(r, e->line, "runtime error in %s call: bad result expression", e->call.name);
        return false;
    }
    bool fd_call = strcmp(e->call.name, "socket") == 0 || strcmp(e->call.name, "accept") == 0;
    if (rc == 0 && fd_call && want >= 0) {
        if (ret < 0) {
            pkt_fail(r, e->line, "runtime error in %s call: Expected non-negative result but got %lld with errno %d (%s)",
                     e->call.name, (long long)ret, err, strerror(err));
            return false;
        }
    } else if (rc == 0 && ret != want) {
        pkt_fail(r, e->line, "runtime error in %s call: Expected result %lld but got %lld with errno %d (%s)", e->call.name,
                 (long long)want, (long long)ret, err, strerror(err));
        return false;
    }
    if (e->call.err) {
        int64_t we = 0;
        (void)pkt_symbol(e->call.err, &we);
        if (we != err) {
            pkt_fail(r, e->line, "runtime error in %s call: Expected errno %d (%s) but got %d (%s)", e->call.name, (int)we,
                     strerror((int)we), err, strerror(err));
            return false;
        }
    }
    return true;
}

void
pkt_pending_check(struct pkt_runner *r, bool timed_out)
{
    const struct pkt_event *e = &r->s->ev[r->pend.ev];
    int64_t ret;
    int err;
    enum pkt_sys_status st = pkt_sys_resume(r, e, timed_out, &ret, &err);
    if (st == PKT_SYS_BLOCK || st == PKT_SYS_STOP)
        return;
    r->pend.on = false;
    if (r->o.verbose && r->log)
        fprintf(r->log, "%s syscall: %9.6f\n", e->call.name, pkt_secs(pkt_now_us(r)));
    if (!pkt_check_result(r, e, ret, err))
        return;
    if (e->call.blocking)
        (void)pkt_check_time(r, e->line, PKT_TIME_ABS, r->pend.end_us, pkt_now_us(r), r->pend.start_us,
                             "system call return");
}

/* Wait for the blocked call to return (packetdrill's await_idle_thread). */
static void
pkt_await_idle(struct pkt_runner *r, int line)
{
    while (r->pend.on && !r->done) {
        clk_time nt = world_next_time(r->w);
        if (nt == CLK_NEVER && r->pend.wake == CLK_NEVER) {
            const struct pkt_event *e = &r->s->ev[r->pend.ev];
            pkt_fail(r, e->line, "runtime error in %s call: the call blocks and nothing will wake it (line %d waits for it)",
                     e->call.name, line);
            return;
        }
        pkt_advance(r, nt < r->pend.wake ? nt : r->pend.wake, false);
    }
}

static void
pkt_do_syscall(struct pkt_runner *r, const struct pkt_event *e, int64_t t, int64_t offset)
{
    pkt_await_idle(r, e->line);
    if (r->done)
        return;
    int64_t ret;
    int err;
    enum pkt_sys_status st = pkt_sys_start(r, e, &ret, &err);
    if (st == PKT_SYS_STOP)
        return;
    if (st == PKT_SYS_DONE) {
        if (r->o.verbose && r->log)
            fprintf(r->log, "%s syscall: %9.6f\n", e->call.name, pkt_secs(pkt_now_us(r)));
        if (pkt_check_result(r, e, ret, err) && e->call.blocking)
            (void)pkt_check_time(r, e->line, PKT_TIME_ABS, e->call.end_us + (e->time == PKT_TIME_REL ? offset : 0),
                                 pkt_now_us(r), t, "system call return");
        return;
    }
    r->pend.on = true;
    r->pend.ev = (size_t)(e - r->s->ev);
    r->pend.start_us = t;
    r->pend.end_us = e->call.end_us + (e->time == PKT_TIME_REL ? offset : 0);
    if (!e->call.blocking)
        pkt_await_idle(r, e->line); /* the main thread waits for it, as packetdrill's does */
}

/* ---- the events ------------------------------------------------------------------------------- */

/* The script time of event 'e' (and of its range's end), as packetdrill's
   adjust_relative_event_times sets it; 'offset' is what a relative time counts from. */
static void
pkt_event_time(const struct pkt_runner *r, const struct pkt_event *e, int64_t *t, int64_t *t_end, int64_t *offset)
{
    bool inbound = e->kind == PKT_EV_PACKET && !e->pkt.outbound;
    *offset = 0;
    if (e->time == PKT_TIME_REL || e->time == PKT_TIME_REL_RANGE || e->time == PKT_TIME_ANY)
        *offset = r->last_inbound && inbound ? r->last_us : pkt_now_us(r);
    *t = (e->time == PKT_TIME_ANY ? 0 : e->us) + *offset;
    *t_end = e->time == PKT_TIME_REL_RANGE ? e->us_end + *offset : e->us_end;
}

/* The end of the script: packetdrill does not wait for a call still blocked; a feature
   tcpsim does not model after the last event (a cleanup command) is still no pass. */
static void
pkt_finish(struct pkt_runner *r)
{
    if (r->pend.on)
        pkt_fail(r, r->s->ev[r->pend.ev].line, "runtime error: exiting while a blocking system call is in progress");
    if (!r->done && r->s->unsupported)
        pkt_unsupported_at(r, r->s->unsupported_line, "%s", r->s->unsupported);
    r->done = true;
}

/* The script's line beside the trace, for whoever watches it: what the peer does or expects
   next, at its time. */
static void
pkt_say_line(struct pkt_runner *r, const struct pkt_event *e)
{
    if (!r->o.narrate)
        return;
    size_t n = 0;
    const char *l = pkt_script_line(r->s, e->line, &n);
    while (l && n && (*l == ' ' || *l == '\t'))
        l++, n--;
    char say[200];
    snprintf(say, sizeof say, "%s:%d: %.*s", r->s->path, e->line, l ? (int)(n > 150 ? 150 : n) : 0, l ? l : "");
    world_say(r->w, say);
}

bool
pkt_runner_step(struct pkt_runner *r)
{
    if (r->done)
        return false;
    if (r->next == r->s->nev) {
        pkt_finish(r);
        return false;
    }
    const struct pkt_event *e = &r->s->ev[r->next++];
    if (r->s->unsupported && e->line >= r->s->unsupported_line) {
        pkt_unsupported_at(r, r->s->unsupported_line, "%s", r->s->unsupported);
        return false;
    }
    int64_t t, t_end, offset;
    pkt_event_time(r, e, &t, &t_end, &offset);
    if (e->kind == PKT_EV_PACKET && e->pkt.outbound) {
        pkt_say_line(r, e);
        pkt_do_outbound(r, e, t, t_end, offset);
    } else {
        /* packetdrill's wait_for_event: the clock runs to the event's time; it is late if the
           clock had passed it already. The event plays ahead of a timer of the SUT due at that
           very instant: the kernel's timers fire late (HZ), never early, so an injected
           segment or a call written at a timer's time comes first. */
        pkt_advance(r, t * 1000 - 1, false);
        if (!r->done && r->w->clk.now < t * 1000)
            r->w->clk.now = t * 1000; /* as world_run_until_time leaves it, events at t still due */
        pkt_say_line(r, e);
        const char *what = e->kind == PKT_EV_PACKET ? "inbound packet" : e->kind == PKT_EV_SHELL ? "command" : "system call start";
        if (!r->done && pkt_check_time(r, e->line, PKT_TIME_ABS, t, pkt_now_us(r), r->last_us, what)) {
            if (e->kind == PKT_EV_PACKET)
                pkt_do_inbound(r, e);
            else if (e->kind == PKT_EV_SHELL)
                pkt_sys_shell(r, e);
            else
                pkt_do_syscall(r, e, t, offset);
        }
    }
    if (r->oom && !r->done)
        pkt_fail(r, e->line, "out of memory");
    r->last_us = t;
    r->last_inbound = e->kind == PKT_EV_PACKET && !e->pkt.outbound;
    if (!r->done && r->next == r->s->nev)
        pkt_finish(r);
    return !r->done;
}

static void pkt_finish(struct pkt_runner *r);

/* The runner's state on world 'w' (its own when 'own'). 0, or -1 when out of memory. */
static int
pkt_runner_init(struct pkt_runner *r, const struct pkt_script *s, const struct pkt_run_opts *o, struct world *w,
                bool own)
{
    r->s = s;
    struct pkt_run_opts def = PKT_RUN_OPTS_DEFAULT;
    r->o = o ? *o : def;
    r->log = r->o.log;
    r->w = w;
    r->own_world = own;
    if (!r->w || world_observe(r->w, pkt_observe, r) != 0 ||
        (r->o.observe && world_observe(r->w, r->o.observe, r->o.observe_ctx) != 0))
        return -1;
    r->sut = &r->w->host[0];
    r->peer = &r->w->host[1];
    r->peer->scripted = true;
    /* the script's segments reach the SUT at the times written, and the SUT's are sniffed as
       they leave: no delay on the wire (packetdrill's tun device) */
    for (int i = 0; i < 2; i++) {
        struct wire_link k = r->w->wire.link[i];
        k.delay = 0;
        k.jitter = 0;
        wire_link_set(r->w, i, &k);
    }
    r->cur = -1;
    r->next_peer_port = PKT_PEER_EPHEMERAL;
    r->pend.wake = CLK_NEVER;
    r->res.verdict = PKT_PASS;
    if (s->nev == 0)
        pkt_finish(r);
    return 0;
}

struct pkt_runner *
pkt_runner_new(const struct pkt_script *s, const struct pkt_run_opts *o)
{
    struct pkt_runner *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    struct pkt_run_opts def = PKT_RUN_OPTS_DEFAULT;
    const struct pkt_run_opts *ro = o ? o : &def;
    struct world_config cfg = {ro->seed, ro->preset};
    if (pkt_runner_init(r, s, ro, world_new(&cfg), true) != 0) {
        pkt_runner_free(r);
        return NULL;
    }
    return r;
}

struct pkt_runner *
pkt_runner_attach(const struct pkt_script *s, const struct pkt_run_opts *o, struct world *w)
{
    struct pkt_runner *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (pkt_runner_init(r, s, o, w, false) != 0) {
        pkt_runner_free(r);
        return NULL;
    }
    return r;
}

void
pkt_runner_free(struct pkt_runner *r)
{
    if (!r)
        return;
    if (r->w && r->own_world) {
        world_free(r->w);
    } else if (r->w) {
        world_unobserve(r->w, pkt_observe, r);
        if (r->o.observe)
            world_unobserve(r->w, r->o.observe, r->o.observe_ctx);
    }
    for (int i = 0; i < r->nwarned; i++)
        free(r->warned[i]);
    free(r->q);
    free(r);
}

struct world *
pkt_runner_world(struct pkt_runner *r)
{
    return r->w;
}

const struct pkt_event *
pkt_runner_next(const struct pkt_runner *r)
{
    return !r->done && r->next < r->s->nev ? &r->s->ev[r->next] : NULL;
}


const struct pkt_result *
pkt_runner_result(const struct pkt_runner *r)
{
    return &r->res;
}

void
pkt_run(const struct pkt_script *s, const struct pkt_run_opts *o, struct pkt_result *res)
{
    struct pkt_runner *r = pkt_runner_new(s, o);
    if (!r) {
        memset(res, 0, sizeof *res);
        res->verdict = PKT_FAIL;
        snprintf(res->msg, sizeof res->msg, "%s: out of memory", s->path);
        return;
    }
    while (pkt_runner_step(r))
        ;
    *res = r->res;
    pkt_runner_free(r);
}
