/*
 * repl_ckpt.c - checkpoints: `back` and `rewind` at the cost of the distance moved.
 *
 * The journal (repl.c) rebuilds any moment of a session by replaying it from the start, at a
 * cost that grows with the length of the history: a million events replayed to undo one. A
 * checkpoint is the whole session at one moment (the world, the scenario's Lua state, the log,
 * the outputs), kept as gdb's `checkpoint` keeps one: fork() makes a copy of the process, and
 * the copy waits, paused, until it is needed. The snapshot is exact (the same memory), not a
 * reconstruction, so restoring it and replaying the journal from there gives the same trace as
 * an uninterrupted run; tests/repl/run.sh checks it on the transcripts.
 *
 * Which process waits. The parent does, and its child goes on as the session: the first
 * process, the one the shell waits for, stays alive to the end, and it is the oldest
 * checkpoint. A paused process reads its pipe: "resume" with the session's state as it is now
 * (the journal after the checkpoint, the breakpoints, the settings, the history), or "exit".
 *
 * Restoring checkpoint k: the session tells the later ones to exit, hands its state to k and
 * exits; k takes a new checkpoint at once (so that k stays available), then replays the
 * journal from its moment to the target, quietly, as a replay from the start would.
 *
 * Where a checkpoint is taken: between two commands, and between two steps of the commands
 * that move time (run, step, next...), where no Lua code is running (the scenario's coroutine
 * has yielded) and no event is half done. A process resumed there unwinds the command that was
 * running when the copy was made (repl_go returns REPL_STOP_RESTORED), and repl_loop finishes
 * the restore (repl_ckpt_resumed). Checkpoints are only taken under repl_loop with a real input
 * file descriptor (tcpsim repl): a process switch must find its input where the other left
 * it, so that input is read unbuffered. Up to REPL_CKPT_MAX are kept: when one more is needed,
 * the one whose neighbours are closest goes, so they thin out towards the past.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <readline/history.h>

#include "cli.h"
#include "repl_internal.h"

enum repl_ckpt_kind { REPL_CKPT_RESUME = 1, REPL_CKPT_EXIT };

/* What a paused process reads first. */
struct repl_ckpt_msg {
    int kind;            /* enum repl_ckpt_kind */
    int status;          /* EXIT: the session's exit status */
    size_t keep;         /* RESUME: journal entries to end with */
    clk_time then;       /* ... and the time to move the clock to (rewind TIME), or 0 */
    size_t jbase, njr;   /* the journal entries [jbase, jbase + njr) that follow */
    size_t nbp;          /* breakpoints that follow */
    int next_bp, width_set;
    bool rel, last_failed;
    int list_next, list_anchor;
    uint64_t ckpt_every;
    size_t last_line;    /* its length + 1, 0 for none */
    size_t nhist;        /* history lines that follow (a terminal's session) */
    int nalive;          /* RESUME: the checkpoints before this one that are still there: the
                            copy's own list may name some let go since it paused */
    pid_t alive[REPL_CKPT_MAX];
};

/* What the process that handed over sent, kept until repl_ckpt_resumed applies it. */
struct repl_handoff {
    struct repl_ckpt_msg m;
    struct repl_jent *jr;
    struct repl_bp *bp;
    char *last_line;
    char **hist;
};

static int
repl_ckpt_put(int fd, const void *p, size_t n)
{
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN; /* a copy that is gone fails the write, not this process */
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old);
    int rc = cli_write_all(fd, p, n);
    sigaction(SIGPIPE, &old, NULL);
    return rc;
}

static int
repl_ckpt_get(int fd, void *p, size_t n)
{
    return cli_read_all(fd, p, n);
}

/* A string with its length first (0: NULL). */
static int
repl_ckpt_put_str(int fd, const char *s)
{
    size_t n = s ? strlen(s) + 1 : 0;
    return repl_ckpt_put(fd, &n, sizeof n) | (n ? repl_ckpt_put(fd, s, n) : 0);
}

static int
repl_ckpt_get_str(int fd, char **s)
{
    size_t n;
    *s = NULL;
    if (repl_ckpt_get(fd, &n, sizeof n) != 0 || n > (1u << 30))
        return -1;
    if (n == 0)
        return 0;
    if (!(*s = malloc(n)) || repl_ckpt_get(fd, *s, n) != 0 || (*s)[n - 1] != '\0')
        return -1;
    return 0;
}

static void
repl_handoff_free(struct repl_handoff *h)
{
    if (!h)
        return;
    for (size_t i = 0; h->jr && i < h->m.njr; i++)
        free(h->jr[i].line);
    for (size_t i = 0; h->hist && i < h->m.nhist; i++)
        free(h->hist[i]);
    free(h->jr);
    free(h->bp);
    free(h->last_line);
    free(h->hist);
    free(h);
}

/* Read the session's state after a RESUME message; NULL when the pipe broke. */
static struct repl_handoff *
repl_handoff_read(int fd, const struct repl_ckpt_msg *m)
{
    struct repl_handoff *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->m = *m;
    h->jr = calloc(m->njr ? m->njr : 1, sizeof *h->jr);
    h->bp = calloc(m->nbp ? m->nbp : 1, sizeof *h->bp);
    h->hist = calloc(m->nhist ? m->nhist : 1, sizeof *h->hist);
    int rc = !h->jr || !h->bp || !h->hist;
    for (size_t i = 0; !rc && i < m->njr; i++)
        rc = repl_ckpt_get(fd, &h->jr[i], sizeof h->jr[i]) || repl_ckpt_get_str(fd, &h->jr[i].line);
    rc = rc || repl_ckpt_get(fd, h->bp, m->nbp * sizeof *h->bp) || repl_ckpt_get_str(fd, &h->last_line);
    for (size_t i = 0; !rc && i < m->nhist; i++)
        rc = repl_ckpt_get_str(fd, &h->hist[i]);
    if (rc) {
        h->m.njr = h->m.nhist = 0; /* only what was read is freed */
        repl_handoff_free(h);
        return NULL;
    }
    return h;
}

/* Send the session's state (RESUME) to the checkpoint on 'fd'. */
static int
repl_handoff_send(struct repl *r, int k, size_t keep, clk_time then)
{
    int fd = r->ckpt[k].fd;
    size_t jbase = r->ckpt[k].jlen;
    HIST_ENTRY **hl = r->o.tty ? history_list() : NULL;
    struct repl_ckpt_msg m = {
        .kind = REPL_CKPT_RESUME, .keep = keep, .then = then, .jbase = jbase, .njr = r->jtop - jbase,
        .nbp = r->nbp, .next_bp = r->next_bp, .width_set = r->width_set, .rel = r->rel,
        .last_failed = r->last_failed, .list_next = r->list_next, .list_anchor = r->list_anchor,
        .ckpt_every = r->ckpt_every, .nalive = k,
    };
    for (int i = 0; i < k; i++)
        m.alive[i] = r->ckpt[i].pid;
    while (hl && hl[m.nhist])
        m.nhist++;
    int rc = repl_ckpt_put(fd, &m, sizeof m);
    for (size_t i = jbase; !rc && i < r->jtop; i++) {
        struct repl_jent e = r->jr[i];
        e.line = NULL;
        rc = repl_ckpt_put(fd, &e, sizeof e) || repl_ckpt_put_str(fd, r->jr[i].line);
    }
    rc = rc || repl_ckpt_put(fd, r->bp, r->nbp * sizeof *r->bp) || repl_ckpt_put_str(fd, r->last_line);
    for (size_t i = 0; !rc && i < m.nhist; i++)
        rc = repl_ckpt_put_str(fd, hl[i]->line);
    return rc;
}

/* Tell checkpoint 'i' to exit with 'status', and forget it. */
static void
repl_ckpt_release(struct repl *r, int i, int status)
{
    struct repl_ckpt_msg m = {.kind = REPL_CKPT_EXIT, .status = status};
    (void)repl_ckpt_put(r->ckpt[i].fd, &m, sizeof m);
    close(r->ckpt[i].fd);
    memmove(&r->ckpt[i], &r->ckpt[i + 1], (size_t)(r->nckpt - i - 1) * sizeof r->ckpt[0]);
    r->nckpt--;
}

/* The process that made checkpoint 'i' children it no longer waits for: reap them. */
static void
repl_ckpt_reap(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

/* This process is the paused copy: wait on 'fd' until told to resume (true) or to exit. */
static bool
repl_ckpt_pause(struct repl *r, int fd)
{
    struct sigaction ign, old;
    struct repl_ckpt_msg m;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN; /* Ctrl-C is for the live session, not the copies */
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, &ign, &old);
    if (repl_ckpt_get(fd, &m, sizeof m) != 0 || m.kind != REPL_CKPT_RESUME)
        _exit(m.kind == REPL_CKPT_EXIT ? m.status : 1); /* the session ended (or died) */
    r->handoff = repl_handoff_read(fd, &m);
    close(fd);
    sigaction(SIGINT, &old, NULL);
    if (!r->handoff)
        _exit(1);
    /* forget the older checkpoints let go while this one waited */
    int n = 0;
    for (int i = 0; i < r->nckpt; i++) {
        bool alive = false;
        for (int j = 0; j < m.nalive && !alive; j++)
            alive = m.alive[j] == r->ckpt[i].pid;
        if (alive)
            r->ckpt[n++] = r->ckpt[i];
        else
            close(r->ckpt[i].fd);
    }
    r->nckpt = n;
    repl_ckpt_reap();
    return true;
}

/* Make room for one more: the checkpoint (neither the first nor the last) whose neighbours
   are closest goes. */
static void
repl_ckpt_thin(struct repl *r)
{
    int best = 1;
    for (int i = 2; i < r->nckpt - 1; i++)
        if (r->ckpt[i + 1].nevents - r->ckpt[i - 1].nevents <
            r->ckpt[best + 1].nevents - r->ckpt[best - 1].nevents)
            best = i;
    repl_ckpt_release(r, best, 0);
}

/* Take a checkpoint now; true when this process is the copy, just resumed. */
static bool
repl_ckpt_take(struct repl *r)
{
    int p[2];
    if (r->nckpt == REPL_CKPT_MAX)
        repl_ckpt_thin(r);
    fflush(r->o.out);
    fflush(stdout);
    fflush(stderr);
    if (pipe(p) != 0)
        return false;
    pid_t self = getpid(), child = fork();
    if (child < 0) {
        close(p[0]);
        close(p[1]);
        r->ckpt_every = 0; /* no more: `back` replays from the start, as without them */
        return false;
    }
    r->ckpt_at = r->w->nevents;
    if (child > 0) { /* the parent keeps this moment */
        close(p[1]);
        return repl_ckpt_pause(r, p[0]);
    }
    close(p[0]);
    r->ckpt[r->nckpt++] = (struct repl_ckpt){.pid = self, .fd = p[1], .jlen = r->jlen, .nevents = r->w->nevents};
    return false;
}

/* Let go of the checkpoints taken after the journal's first 'keep' entries: the journal will
   differ there. The first process stays paused (the shell waits for it), of no use. */
static void
repl_ckpt_forget_after(struct repl *r, size_t keep)
{
    while (r->nckpt > 1 && r->ckpt[r->nckpt - 1].jlen > keep)
        repl_ckpt_release(r, r->nckpt - 1, 0);
    if (r->nckpt == 1 && r->ckpt[0].jlen > keep)
        r->ckpt[0].jlen = SIZE_MAX;
}

bool
repl_ckpt_maybe(struct repl *r)
{
    if (!r->o.checkpoints || !r->ckpt_every || r->replaying || !r->in_loop ||
        r->w->nevents - r->ckpt_at < r->ckpt_every)
        return false;
    repl_ckpt_reap();
    if (repl_ckpt_take(r))
        r->restored = true;
    return r->restored;
}

void
repl_ckpt_restore(struct repl *r, size_t keep, clk_time then)
{
    int k = r->nckpt - 1;
    while (k >= 0 && r->ckpt[k].jlen > keep)
        k--;
    repl_ckpt_forget_after(r, keep);
    if (k < 0)
        return; /* before the first checkpoint: the caller replays from the start */
    fflush(r->out);
    fflush(r->o.out);
    if (repl_handoff_send(r, k, keep, then) != 0)
        return; /* the copy is gone: replay from the start */
    _exit(0); /* the checkpoint is the session now */
}

/* Put the journal, breakpoints and settings the other process sent in place of ours. */
static void
repl_handoff_apply(struct repl *r, struct repl_handoff *h)
{
    for (size_t i = h->m.jbase; i < r->jtop; i++)
        free(r->jr[i].line);
    r->jlen = r->jtop = h->m.jbase;
    if (h->m.jbase + h->m.njr > r->jcap) {
        struct repl_jent *n = realloc(r->jr, (h->m.jbase + h->m.njr) * sizeof *n);
        if (!n) {
            for (size_t i = 0; i < h->m.njr; i++)
                free(h->jr[i].line);
            h->m.njr = 0; /* the journal ends here: never wrong, only shorter */
        } else {
            r->jr = n;
            r->jcap = h->m.jbase + h->m.njr;
        }
    }
    memcpy(r->jr + r->jtop, h->jr, h->m.njr * sizeof *h->jr);
    r->jtop += h->m.njr;
    h->m.njr = 0; /* the lines are the journal's now */
    struct repl_bp *bp = h->m.nbp ? malloc(h->m.nbp * sizeof *bp) : NULL;
    if (bp || !h->m.nbp) {
        if (bp)
            memcpy(bp, h->bp, h->m.nbp * sizeof *bp);
        free(r->bp);
        r->bp = bp;
        r->nbp = r->capbp = h->m.nbp;
    }
    r->next_bp = h->m.next_bp;
    r->width_set = h->m.width_set;
    r->rel = h->m.rel;
    r->last_failed = h->m.last_failed;
    r->list_next = h->m.list_next;
    r->list_anchor = h->m.list_anchor;
    r->ckpt_every = h->m.ckpt_every;
    free(r->last_line);
    r->last_line = h->last_line;
    h->last_line = NULL;
    if (r->o.tty) {
        clear_history();
        for (size_t i = 0; i < h->m.nhist; i++)
            add_history(h->hist[i]);
    }
    repl_printer_update(r);
}

void
repl_ckpt_resumed(struct repl *r)
{
    struct repl_handoff *h;
    while ((h = r->handoff) != NULL) {
        r->handoff = NULL;
        r->restored = false;
        repl_handoff_apply(r, h);
        size_t keep = h->m.keep;
        clk_time then = h->m.then;
        repl_handoff_free(h);
        /* this moment again, for the next `back`: when that copy is resumed in its turn, it
           goes round this loop with what it is sent */
        if (r->ckpt_every && repl_ckpt_take(r))
            continue;
        r->last_failed = repl_replay_from(r, r->jlen, keep) != 0; /* the `back` itself, as it ends */
        if (r->last_failed)
            repl_err(r, "out of memory while rebuilding the world");
        else
            repl_travel_arrive(r, then);
        fflush(r->o.out);
    }
}

void
repl_ckpt_drop_all(struct repl *r, int status)
{
    while (r->nckpt > (status < 0 ? 1 : 0))
        repl_ckpt_release(r, r->nckpt - 1, status < 0 ? 0 : status);
    if (r->nckpt == 1)
        r->ckpt[0].jlen = SIZE_MAX;
    r->ckpt_at = r->w ? r->w->nevents : 0;
}
