/*
 * world.c - the owner of everything in a run: clock, PRNG, wire, the two hosts, every
 * connection, and the observers of the event stream.
 *
 * Entry points in the order a run uses them: world_new, world_observe, (tcp_* user calls),
 * world_step / world_run_until_time / world_run_idle, world_free.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tcpsim/world.h"
#include "tcp_internal.h"

static int
world_host_init(struct world *w, int i)
{
    struct tcp_host *h = &w->host[i];
    memset(h, 0, sizeof *h);
    h->index = i;
    h->name[0] = (char)('A' + i);
    h->addr = (10u << 24) | (uint32_t)(i + 1); /* 10.0.0.1, 10.0.0.2 */
    h->world = w;
    tcp_settings_preset(&h->cfg, w->preset);
    h->next_port = h->cfg.port_lo;
    h->challenge_second = -1;
    return tcp_hash_init(h);
}

struct world *
world_new(const struct world_config *cfg)
{
    struct world *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->seed = cfg ? cfg->seed : 1;
    w->preset = cfg ? cfg->preset : TCP_PRESET_LINUX;
    clk_init(&w->clk);
    for (int t = 0; t < TCP_TIMER_BLOCK; t++) /* never armed: the timers of deleted connections */
        clk_event_init(&w->timers_none.t[t].ev, tcp_timer_fire, &w->timers_none.t[t]);
    rng_seed(&w->rng, w->seed);
    wire_init(w);
    for (int i = 0; i < WORLD_HOSTS; i++) {
        if (world_host_init(w, i) != 0) {
            world_free(w);
            return NULL;
        }
    }
    return w;
}

void
world_free(struct world *w)
{
    if (!w)
        return;
    /* Segments kept by receive queues go back to the wire while the wire still takes them. */
    for (uint32_t i = 0; i < w->nconns; i++)
        if (w->conns[i])
            tcp_rcvq_release(w->conns[i]);
    wire_fini(w); /* first: segments in flight may point into the connections' send queues */
    for (int i = 0; i < WORLD_HOSTS; i++) { /* the TIME-WAITs in their small form (tcp_tw.c) */
        struct tcp_link *l = w->host[i].conns;
        while (l) {
            struct tcp_link *next = l->next;
            if (l->tw)
                tcp_tw_free(tcp_link_tw(l));
            l = next;
        }
    }
    for (uint32_t i = 0; i < w->nconns; i++)
        tcp_conn_destroy(w->conns[i]);
    free(w->conns);
    free(w->recs);
    free(w->retire);
    for (int i = 0; i < WORLD_HOSTS; i++) {
        tcp_hash_free(&w->host[i]);
        free(w->serials[i].id);
    }
    tcp_pool_fini(&w->pool);
    tcp_timers_pool_fini(w);
    clk_fini(&w->clk);
    free(w);
}

void
world_set_preset(struct world *w, enum tcp_preset p)
{
    w->preset = p;
    for (int i = 0; i < WORLD_HOSTS; i++) {
        tcp_settings_preset(&w->host[i].cfg, p);
        w->host[i].next_port = w->host[i].cfg.port_lo;
    }
}

void
world_set_seed(struct world *w, uint64_t seed)
{
    w->seed = seed;
    rng_seed(&w->rng, seed);
}

/* A scenario's log alone listens: wire_event may then skip the event (trace_log_seg). */
static void
world_log_only_update(struct world *w)
{
    w->log_only = w->nobs == 1 && w->obs[0].fn == trace_log_observe && !w->obs[0].tcb ? w->obs[0].ctx : NULL;
}

static int
world_observe_as(struct world *w, trace_fn fn, void *ctx, bool tcb)
{
    if (w->nobs == WORLD_MAX_OBSERVERS)
        return -1;
    w->obs[w->nobs] = (struct trace_observer){.fn = fn, .ctx = ctx, .tcb = tcb};
    w->nobs++;
    w->nobs_tcb += tcb;
    world_log_only_update(w);
    wire_replan(w); /* an observed wire tells of every packet (wire_plain) */
    return 0;
}

int
world_observe(struct world *w, trace_fn fn, void *ctx)
{
    return world_observe_as(w, fn, ctx, true);
}

int
world_observe_no_tcb(struct world *w, trace_fn fn, void *ctx)
{
    return world_observe_as(w, fn, ctx, false);
}

void
world_unobserve(struct world *w, trace_fn fn, void *ctx)
{
    for (int i = 0; i < w->nobs; i++) {
        if (w->obs[i].fn == fn && w->obs[i].ctx == ctx) {
            w->nobs_tcb -= w->obs[i].tcb;
            memmove(&w->obs[i], &w->obs[i + 1], (size_t)(w->nobs - i - 1) * sizeof w->obs[0]);
            w->nobs--;
            world_log_only_update(w);
            wire_replan(w);
            return;
        }
    }
}

void
world_emit(struct world *w, struct trace_event *ev)
{
    ev->t = w->clk.now;
    ev->n = ++w->nevents;
    /* the TCB (RFC 9293 3.3.1) rides with the event, so the outputs that show it at any
       point of the run (the web page) need no look into the engine; copied only when one of
       them listens, since a scenario's log alone does not read it */
    const struct tcp_conn *c = w->nobs_tcb ? world_conn(w, ev->conn) : NULL;
    ev->has_tcb = c != NULL;
    if (c)
        ev->tcb = (struct trace_tcb){
            .snd_una = c->snd_una, .snd_nxt = c->snd_nxt, .snd_wnd = c->snd_wnd, .iss = c->iss,
            .rcv_nxt = c->rcv_nxt, .rcv_wnd = c->rcv_wnd, .irs = c->irs, .rto = c->rto, .srtt = c->srtt,
        };
    for (int i = 0; i < w->nobs; i++)
        w->obs[i].fn(ev, w->obs[i].ctx);
}

void
world_say(struct world *w, const char *text)
{
    if (!world_traced(w))
        return;
    struct trace_event ev = {.kind = TRACE_SAY, .host = -1, .text = text};
    world_emit(w, &ev);
}

bool
world_step(struct world *w)
{
    struct clk_event *e = clk_pop(&w->clk);
    if (!e)
        return false;
    w->steps++;
    e->fire(e, e->ctx);
    return true;
}

clk_time
world_next_time(const struct world *w)
{
    const struct clk_event *e = clk_peek(&w->clk);
    return e ? e->when : CLK_NEVER;
}

void
world_run_until_time(struct world *w, clk_time until)
{
    while (world_next_time(w) <= until)
        world_step(w);
    if (until > w->clk.now)
        clk_advance(&w->clk, until);
}

uint64_t
world_run_idle(struct world *w, clk_time limit)
{
    uint64_t n = 0;
    while (world_next_time(w) <= limit && world_step(w))
        n++;
    return n;
}

/* A record (id valid, its TCB gone): the reader gets its TCB, CLOSED, until the next
   world_retire; or a TIME-WAIT in its small form (tcp_tw.c): its TCB, in TIME-WAIT. */
struct tcp_conn *
world_conn_reopen(struct world *w, uint32_t id)
{
    const struct tcp_rec *r = &w->recs[id - 1];
    if (r->tw) {
        struct tcp_tw *tw = tcp_tw_find(w, id);
        return tw ? tcp_tw_open(tw) : NULL;
    }
    struct tcp_conn *c = tcp_rec_open(r, &w->host[r->host], id);
    if (c) {
        w->conns[id - 1] = c;
        world_retire_later(w, c);
    }
    return c;
}

/* A name is its host's name and the connection's serial in decimal, without leading zeros
   (tcp_conn_create): "A12", matched without regard to case as names are everywhere. */
struct tcp_conn *
world_conn_by_name(struct world *w, const char *name)
{
    if (!name || !name[0] || !name[1] || name[1] == '0')
        return NULL;
    for (int i = 0; i < WORLD_HOSTS; i++) {
        const struct tcp_host *h = &w->host[i];
        size_t len = strlen(h->name);
        if (strncasecmp(name, h->name, len) != 0)
            continue;
        const char *d = name + len;
        uint64_t serial = 0;
        size_t nd = strspn(d, "0123456789");
        if (nd == 0 || nd > 10 || d[nd] != '\0' || d[0] == '0')
            continue;
        for (size_t k = 0; k < nd; k++)
            serial = serial * 10 + (uint64_t)(d[k] - '0');
        if (serial == 0 || serial > w->serials[i].n)
            continue;
        return world_conn(w, w->serials[i].id[serial - 1]);
    }
    return NULL;
}

/* Room for one more id in host h's serials (before the connection takes its serial). */
static int
world_serial_room(struct world *w, const struct tcp_host *h)
{
    struct world_serials *s = &w->serials[h->index];
    if (s->n < s->cap)
        return 0;
    uint32_t ncap = s->cap ? s->cap * 2 : 16;
    uint32_t *nid = realloc(s->id, ncap * sizeof *nid);
    if (!nid)
        return -1;
    s->id = nid;
    s->cap = ncap;
    return 0;
}

struct tcp_host *
world_host(struct world *w, const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < WORLD_HOSTS; i++) {
        char addr[16];
        struct tcp_host *h = &w->host[i];
        snprintf(addr, sizeof addr, "10.0.0.%u", (unsigned)(h->addr & 0xff));
        if (strcasecmp(name, h->name) == 0 || strcmp(name, addr) == 0)
            return h;
    }
    return NULL;
}

struct tcp_conn *
world_conn_new(struct world *w, struct tcp_host *h)
{
    if (w->nconns == UINT32_MAX)
        return NULL; /* ids are 32 bits */
    if (w->nconns == w->capconns) {
        uint32_t ncap = w->capconns ? w->capconns * 2 : 16;
        struct tcp_conn **nc = realloc(w->conns, ncap * sizeof *nc);
        if (!nc)
            return NULL;
        w->conns = nc;
        if (w->compact) {
            struct tcp_rec *nr = realloc(w->recs, ncap * sizeof *nr);
            if (!nr)
                return NULL;
            w->recs = nr;
        }
        w->capconns = ncap;
    }
    if (world_serial_room(w, h) != 0)
        return NULL;
    struct tcp_conn *c = tcp_conn_create(h, w->nconns + 1);
    if (!c)
        return NULL;
    struct world_serials *s = &w->serials[h->index];
    s->id[s->n++] = c->id;
    assert(s->n == (uint32_t)h->serial); /* the name's number is the index here */
    w->conns[w->nconns++] = c;
    return c;
}

/* ---- closed connections as records (tcp_rec.c) ----------------------------------------- */

int
world_compact(struct world *w)
{
    if (w->compact)
        return 0;
    struct tcp_rec *r = malloc((w->capconns ? w->capconns : 1) * sizeof *r);
    if (!r)
        return -1;
    w->recs = r;
    w->compact = true;
    return 0;
}

void
world_retire_later(struct world *w, const struct tcp_conn *c)
{
    if (!w->compact)
        return;
    if (w->nretire == w->capretire) {
        uint32_t ncap = w->capretire ? w->capretire * 2 : 64;
        uint32_t *n = realloc(w->retire, ncap * sizeof *n);
        if (!n)
            return; /* the TCB stays: a record is only a saving */
        w->retire = n;
        w->capretire = ncap;
    }
    w->retire[w->nretire++] = c->id;
}

void
world_retire(struct world *w)
{
    for (uint32_t i = 0; i < w->nretire; i++) {
        uint32_t id = w->retire[i];
        struct tcp_conn *c = w->conns[id - 1];
        if (c && tcp_tw_ready(c)) { /* a TIME-WAIT its program has closed: the small form */
            tcp_tw_shrink(c);
            continue;
        }
        if (!c || !tcp_rec_ready(c))
            continue; /* listed again when it is released or deleted */
        tcp_rec_keep(c, &w->recs[id - 1]);
        w->conns[id - 1] = NULL;
        tcp_conn_destroy(c);
    }
    w->nretire = 0;
}
