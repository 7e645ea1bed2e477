/*
 * repl_session.c - the commands around the run, as a gdb user expects them: load a scenario
 * from the prompt, where and list (the scenario's current line and its neighbours), forward
 * (do again what back undid), save (the capture, trace or ladder of the session so far),
 * explain (a state's meaning, as docs/states.md gives it), set (the output's width, relative
 * sequence numbers); and the hint for Lua typed without `lua`.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "repl_internal.h"

/* ---- printing to the width ------------------------------------------------------------------ */

/*
 * "  means      text ..." with 'text' folded at spaces to the session's width (78 when it has
 * none), each further line indented under the first word of 'text'.
 */
static void
repl_field(struct repl *r, const char *label, const char *text)
{
    int width = repl_width(r) ? repl_width(r) : 78;
    int indent = 13, col = fprintf(r->out, "  %-10s ", label);
    const char *p = text;
    while (*p) {
        const char *sp = strchr(p, ' ');
        int len = sp ? (int)(sp - p) : (int)strlen(p);
        if (col > indent && col + 1 + len > width) {
            fprintf(r->out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', r->out);
            col++;
        }
        col += fprintf(r->out, "%.*s", len, p);
        p += len;
        while (*p == ' ')
            p++;
    }
    fputc('\n', r->out);
}

/* ---- explain -------------------------------------------------------------------------------- */

/*
 * One entry per state, in enum tcp_state's order. 'means' is docs/states.md's "Means:" line
 * (its start, made plain ASCII); tests/test_repl_session.c checks that they agree. The rest
 * answers what students ask: who ends up here, what for, how it ends, and what it is not.
 */
const struct repl_explain repl_explains[] = {
    {TCP_CLOSED, "no connection - \"no connection state at all\"",
     "every socket before OPEN, and every connection after its end",
     "nothing: a segment for no connection is answered with a RST (RFC 9293 3.10.7.1)",
     "OPEN: passive (listen) -> LISTEN, active (connect) -> SYN-SENT with a SYN sent", NULL},
    {TCP_LISTEN, "waiting for a connection request from any remote socket",
     "a server socket after listen()",
     "a SYN on its port: each one makes a new socket in SYN-RECEIVED (the listener stays in LISTEN)",
     "CLOSE or ABORT -> CLOSED", NULL},
    {TCP_SYN_SENT, "we sent a SYN (active OPEN) and wait for the peer's SYN",
     "the client, right after connect()",
     "a SYN,ACK acknowledging our SYN; the SYN is retransmitted, the RTO doubling each time",
     "SYN,ACK -> ESTABLISHED; a SYN alone (simultaneous open) -> SYN-RECEIVED; RST -> CLOSED "
     "(ECONNREFUSED); tcp_syn_retries unanswered -> CLOSED (ETIMEDOUT)", NULL},
    {TCP_SYN_RECEIVED, "we have received the peer's SYN and sent our SYN,ACK; we wait for the ACK of our SYN",
     "the server's new socket (a connection in the listener's backlog, not yet accepted)",
     "the ACK of our SYN,ACK, which is retransmitted until then",
     "ACK -> ESTABLISHED, ready for accept(); RST -> CLOSED; tcp_synack_retries unanswered -> CLOSED",
     NULL},
    {TCP_ESTABLISHED, "the connection is open in both directions; data flows both ways",
     "both sides, once the three-way handshake is done",
     "data, and the calls of the application; nothing has to happen",
     "CLOSE or shutdown() -> FIN-WAIT-1 (we close first); the peer's FIN -> CLOSE-WAIT (the peer "
     "closes first); RST -> CLOSED", NULL},
    {TCP_FIN_WAIT_1, "we have closed our sending side (CLOSE or shutdown); our FIN is queued or sent and not "
                     "yet acknowledged. We may still receive",
     "the active closer: the side that closes first",
     "the ACK of our FIN",
     "the ACK of our FIN -> FIN-WAIT-2; the peer's FIN first -> CLOSING (simultaneous close); both "
     "in one segment -> TIME-WAIT", NULL},
    {TCP_FIN_WAIT_2, "our FIN is acknowledged; we wait for the peer's FIN. The connection is half-closed: "
                     "the peer may still send data, and we still receive it",
     "the active closer, once its FIN is ACKed",
     "the peer's FIN, which comes when the peer's application closes; Linux gives a closed (orphaned) "
     "socket tcp_fin_timeout (60 s) for it",
     "the peer's FIN -> TIME-WAIT; tcp_fin_timeout of an orphaned socket -> CLOSED",
     "CLOSE-WAIT is the other side of the same moment: FIN-WAIT-2 waits for the peer, CLOSE-WAIT for "
     "its own application"},
    {TCP_CLOSE_WAIT, "the peer has closed its sending side and we have ACKed its FIN (or, under the linux "
                     "preset, will: Linux holds that ACK back for up to 40 ms, so that our FIN can carry it "
                     "- the three-segment close of a Linux capture); we wait for our application to close. "
                     "We may still send",
     "the passive closer: the side that received the first FIN",
     "our application to call close() or shutdown(): no timer runs, so a program that never closes "
     "keeps the socket in CLOSE-WAIT for ever (the classic leak)",
     "CLOSE -> LAST-ACK, sending our FIN; RST -> CLOSED",
     "not TIME-WAIT: CLOSE-WAIT waits for our own application and lasts as long as it likes; "
     "TIME-WAIT is the other side's, after both FINs, and ends by a 2MSL timer"},
    {TCP_CLOSING, "both sides closed at once: we sent our FIN, received the peer's FIN before the ACK of "
                  "ours, and ACKed it. We wait for the ACK of our FIN",
     "both sides of a simultaneous close",
     "the ACK of our FIN",
     "the ACK of our FIN -> TIME-WAIT", NULL},
    {TCP_LAST_ACK, "the peer closed first, then we closed; we wait for the ACK of our FIN. When it comes "
                   "the connection is gone - the passive closer never enters TIME-WAIT",
     "the passive closer, after its application closed in CLOSE-WAIT",
     "the ACK of our FIN, which is retransmitted until then",
     "the ACK of our FIN -> CLOSED", NULL},
    {TCP_TIME_WAIT, "both directions are closed and our last ACK is sent; we wait 2xMSL before forgetting "
                    "the connection",
     "the active closer, the side that sent the first FIN (both sides after a simultaneous close)",
     "a timer: 2MSL (60 s under linux, 240 s under rfc); the port pair stays taken meanwhile "
     "(EADDRINUSE without reuse)",
     "the 2MSL timer -> CLOSED; a RST -> CLOSED unless tcp_rfc1337 (TIME-WAIT assassination); a new "
     "SYN above RCV.NXT may reopen the pair",
     "not CLOSE-WAIT: TIME-WAIT is after both FINs and ends by itself, re-ACKing a lost last ACK and "
     "letting old duplicates die out; CLOSE-WAIT is the other side's, waiting for its application"},
};
const size_t repl_nexplain = sizeof repl_explains / sizeof repl_explains[0];

const struct repl_explain *
repl_explain_find(enum tcp_state s)
{
    for (size_t i = 0; i < repl_nexplain; i++)
        if (repl_explains[i].state == s)
            return &repl_explains[i];
    return NULL;
}

enum repl_status
repl_cmd_explain(struct repl *r, int argc, char **argv)
{
    if (argc < 2) {
        for (size_t i = 0; i < repl_nexplain; i++)
            fprintf(r->out, "%-12s %s\n", tcp_state_rfc(repl_explains[i].state), repl_explains[i].means);
        fprintf(r->out, "explain STATE tells more (any spelling: TIME_WAIT, time-wait, SYN_RECV)\n");
        return REPL_OK;
    }
    int st = tcp_state_parse(argv[1]);
    const struct repl_explain *e = st >= 0 ? repl_explain_find((enum tcp_state)st) : NULL;
    if (!e)
        return repl_err(r, "explain: no state \"%s\" (explain lists them)", argv[1]);
    fprintf(r->out, "%s (netstat %s, ss %s, /proc/net/tcp %s)\n", tcp_state_rfc(e->state), tcp_state_bsd(e->state),
            tcp_state_ss(e->state), tcp_state_linux(e->state));
    repl_field(r, "means", e->means);
    repl_field(r, "who", e->who);
    repl_field(r, "waits for", e->waits);
    repl_field(r, "leaves", e->leaves);
    if (e->unlike)
        repl_field(r, "unlike", e->unlike);
    repl_field(r, "more", "docs/states.md; waiting SOCK says what a socket in it waits for now");
    return REPL_OK;
}

/* ---- set -------------------------------------------------------------------------------------- */

static void
repl_set_show(struct repl *r, const char *name)
{
    if (!name || strcmp(name, "width") == 0) {
        if (r->width_set >= 0)
            fprintf(r->out, "width  %d%s\n", r->width_set, r->width_set ? "" : " (no limit)");
        else if (r->term_width)
            fprintf(r->out, "width  auto (%d, the terminal's)\n", r->term_width);
        else
            fprintf(r->out, "width  auto (no limit: the output is no terminal)\n");
    }
    if (!name || strcmp(name, "rel") == 0)
        fprintf(r->out, "rel    %s\n", r->rel ? "on (SEQ and ACK relative to each side's ISN)"
                                              : "off (SEQ and ACK as on the wire)");
    if (!name || strcmp(name, "checkpoints") == 0) {
        if (!r->in_loop)
            fprintf(r->out, "checkpoints  none (back and rewind replay from the start)\n");
        else if (r->ckpt_every)
            fprintf(r->out, "checkpoints  every %llu events (%d kept now)\n", (unsigned long long)r->ckpt_every,
                    r->nckpt);
        else
            fprintf(r->out, "checkpoints  off (back and rewind replay from the start)\n");
    }
}

enum repl_status
repl_cmd_set(struct repl *r, int argc, char **argv)
{
    if (argc < 2) {
        repl_set_show(r, NULL);
        return REPL_OK;
    }
    if (strcasecmp(argv[1], "width") == 0) {
        uint64_t n;
        if (argc < 3) {
            repl_set_show(r, "width");
            return REPL_OK;
        }
        if (strcasecmp(argv[2], "auto") == 0) {
            r->width_set = -1;
        } else {
            if (repl_num(r, argv[2], 10000, "width", &n) != 0)
                return REPL_ERR;
            if (n != 0 && n < 40)
                return repl_err(r, "set width: %llu columns are too few (40 at least; 0 for no limit)",
                                (unsigned long long)n);
            r->width_set = (int)n;
        }
    } else if (strcasecmp(argv[1], "rel") == 0) {
        if (argc < 3) {
            repl_set_show(r, "rel");
            return REPL_OK;
        }
        if (strcasecmp(argv[2], "on") != 0 && strcasecmp(argv[2], "off") != 0)
            return repl_err(r, "set rel: want on or off, not \"%s\"", argv[2]);
        r->rel = strcasecmp(argv[2], "on") == 0;
    } else if (strcasecmp(argv[1], "checkpoints") == 0) {
        uint64_t n = 0;
        if (argc < 3) {
            repl_set_show(r, "checkpoints");
            return REPL_OK;
        }
        if (strcasecmp(argv[2], "off") != 0 && repl_num(r, argv[2], 1000000000, "set checkpoints", &n) != 0)
            return REPL_ERR;
        if (!r->in_loop)
            return repl_err(r, "set checkpoints: this session keeps none (tcpsim repl reading its commands does)");
        r->ckpt_every = n; /* those kept stay usable */
        repl_set_show(r, "checkpoints");
        return REPL_OK;
    } else {
        return repl_err(r, "set: no setting \"%s\" (width, rel, checkpoints; sysctl changes a host's TCP)", argv[1]);
    }
    repl_printer_update(r);
    repl_set_show(r, strcasecmp(argv[1], "rel") == 0 ? "rel" : "width");
    return REPL_OK;
}

/* ---- load --------------------------------------------------------------------------------------- */

enum repl_status
repl_cmd_load(struct repl *r, int argc, char **argv)
{
    if (argc != 2)
        return repl_err(r, "usage: load FILE (a Lua scenario, or a packetdrill script FILE.pkt)");
    char *path = strdup(argv[1]), *old = r->scenario;
    const char *old_scenario = r->o.scenario;
    struct repl_jent *jr = r->jr;
    size_t jlen = r->jlen, jtop = r->jtop, jcap = r->jcap;
    if (!path)
        return repl_err(r, "out of memory");
    /* a fresh world with the new scenario and an empty journal; on failure, the old ones */
    r->scenario = path;
    r->o.scenario = path;
    repl_ckpt_drop_all(r, -1); /* a new world: the paused copies are of the old one */
    r->jr = NULL;
    r->jlen = r->jtop = r->jcap = 0;
    if (repl_replay(r, 0) != 0 || (r->pkr ? !repl_script_active(r) : lsim_status(r->lsim) != LSIM_READY)) {
        free(path);
        r->scenario = old;
        r->o.scenario = old_scenario;
        r->jr = jr;
        r->jlen = jlen;
        r->jtop = jtop;
        r->jcap = jcap;
        if (repl_replay(r, jlen) != 0)
            return repl_err(r, "load: out of memory while rebuilding the world");
        r->last_failed = true;
        return REPL_ERR; /* the load's own error was printed */
    }
    for (size_t i = 0; i < jtop; i++)
        free(jr[i].line);
    free(jr);
    free(old);
    free(r->lua_pending);
    r->lua_pending = NULL;
    r->list_next = r->list_anchor = 0;
    const char *title = r->pkr ? "a packetdrill script, host A its system under test" : lsim_title(r->lsim);
    fprintf(r->out, "loaded %s%s%s%s: a fresh world, paused before its first line "
                    "(breakpoints kept; back cannot go before this)\n",
            path, title ? " (" : "", title ? title : "", title ? ")" : "");
    return REPL_OK;
}

/* ---- where and list ------------------------------------------------------------------------------ */

#define REPL_FRAMES 16

/* Print line 'n' of 'file' after 'prefix' (nothing when there is no such line). */
static bool
repl_source_line(struct repl *r, const char *file, int n, const char *prefix)
{
    FILE *f = fopen(file, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = 0;
    bool found = false;
    for (int i = 1; f && (len = getline(&line, &cap, f)) >= 0; i++) {
        if (i == n) {
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = '\0';
            fprintf(r->out, "%s%s\n", prefix, line);
            found = true;
            break;
        }
    }
    free(line);
    if (f)
        fclose(f);
    return found;
}

enum repl_status
repl_cmd_where(struct repl *r, int argc, char **argv)
{
    struct lsim_frame f[REPL_FRAMES];
    (void)argc;
    (void)argv;
    if (!r->o.scenario) {
        fprintf(r->out, "where: no scenario (load FILE loads one)\n");
        return REPL_OK;
    }
    if (r->pkr) {
        /* a packetdrill script: the line the next step plays, or the verdict */
        const struct pkt_event *e = pkt_runner_next(r->pkr);
        const struct pkt_result *res = pkt_runner_result(r->pkr);
        size_t n = 0;
        const char *l = e ? pkt_script_line(r->pkt, e->line, &n) : NULL;
        if (e)
            fprintf(r->out, "%s:%d: next: %.*s\n", r->o.scenario, e->line, l ? (int)n : 0, l ? l : "");
        else if (res->verdict == PKT_PASS)
            fprintf(r->out, "%s: the script has ended (it passed); the world stays live\n", r->o.scenario);
        else
            fprintf(r->out, "%s\n", res->msg);
        return REPL_OK;
    }
    switch (lsim_status(r->lsim)) {
    case LSIM_READY:
        fprintf(r->out, "%s: not started; step runs its first line\n", r->o.scenario);
        return REPL_OK;
    case LSIM_DONE:
        fprintf(r->out, "%s: the scenario has ended (it passed); the world stays live\n", r->o.scenario);
        return REPL_OK;
    case LSIM_FAILED:
        fprintf(r->out, "%s: the scenario failed: %s\n", r->o.scenario, lsim_message(r->lsim));
        return REPL_OK;
    case LSIM_EMPTY:
    case LSIM_RUNNING:
    case LSIM_PAUSED:
        break;
    }
    int n = lsim_backtrace(r->lsim, f, REPL_FRAMES);
    if (n == 0) {
        fprintf(r->out, "%s: running, in no line of a file\n", r->o.scenario);
        return REPL_OK;
    }
    for (int i = 0; i < n; i++) {
        char line[32];
        fprintf(r->out, "#%d  %s%s at %s:%d%s%s\n", i, f[i].func[0] ? "in " : "", f[i].func[0] ? f[i].func : "main chunk",
                f[i].file, f[i].line, f[i].calls[0] ? ", calling " : "", f[i].calls);
        snprintf(line, sizeof line, "%8d  ", f[i].line);
        repl_source_line(r, f[i].file, f[i].line, line);
    }
    if (lsim_status(r->lsim) == LSIM_PAUSED)
        fprintf(r->out, "paused: %s\n", lsim_message(r->lsim));
    return REPL_OK;
}

/* `list [LINE]`: ten lines around LINE or the current line; `list` again goes on. */
enum repl_status
repl_cmd_list(struct repl *r, int argc, char **argv)
{
    struct lsim_frame f[1];
    const char *file = r->o.scenario;
    int cur = 0, from;
    uint64_t want = 0;
    if (argc >= 2 && repl_num(r, argv[1], 1000000, "line", &want) != 0)
        return REPL_ERR;
    if (!file) {
        fprintf(r->out, "list: no scenario (load FILE loads one)\n");
        return REPL_OK;
    }
    if (r->pkr) {
        const struct pkt_event *e = pkt_runner_next(r->pkr);
        cur = e ? e->line : 0; /* the line the next step plays */
    } else if (lsim_backtrace(r->lsim, f, 1) == 1) {
        file = f[0].file;
        cur = f[0].line;
    }
    if (want)
        from = (int)want > 5 ? (int)want - 5 : 1;
    else if (r->list_next && r->list_anchor == cur)
        from = r->list_next;
    else
        from = cur > 5 ? cur - 5 : 1;
    int width = snprintf(NULL, 0, "%d", from + 9), shown = 0;
    for (int n = from; n < from + 10; n++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "%s %*d  ", n == cur ? "=>" : "  ", width, n);
        if (!repl_source_line(r, file, n, prefix))
            break;
        shown++;
    }
    if (shown == 0)
        return repl_err(r, "list: %s has no line %d", file, from);
    r->list_next = from + shown;
    r->list_anchor = cur;
    return REPL_OK;
}

/* ---- forward ------------------------------------------------------------------------------------- */

enum repl_status
repl_cmd_forward(struct repl *r, int argc, char **argv)
{
    uint64_t n = 1;
    char t[32];
    if (argc >= 2 && repl_num(r, argv[1], 1000000000, "count", &n) != 0)
        return REPL_ERR;
    if (r->jlen == r->jtop)
        return repl_err(r, "forward: nothing to redo (back and rewind leave something to redo)");
    if (n == 0)
        n = 1;
    /* take the undone entries off the journal, perform the first 'n' again (each journals
       itself anew), and put the rest back after them */
    size_t ntail = r->jtop - r->jlen, done = n < ntail ? (size_t)n : ntail;
    struct repl_jent *tail = malloc(ntail * sizeof *tail);
    if (!tail)
        return repl_err(r, "out of memory");
    memcpy(tail, r->jr + r->jlen, ntail * sizeof *tail);
    r->jtop = r->jlen;
    for (size_t i = 0; i < done; i++) {
        const struct repl_jent *e = &tail[i];
        switch (e->op) {
        case REPL_OP_STEP:
            repl_step1(r);
            repl_journal(r, REPL_OP_STEP, NULL);
            break;
        case REPL_OP_CLOCK:
            world_run_until_time(r->w, e->t);
            repl_journal(r, REPL_OP_CLOCK, NULL);
            break;
        case REPL_OP_CMD:
            fprintf(r->out, "-- forward: %s\n", e->line);
            repl_exec_one(r, e->line);
            break;
        }
        free(e->line);
    }
    size_t rest = ntail - done;
    if (r->jlen + rest > r->jcap) {
        struct repl_jent *grown = realloc(r->jr, (r->jlen + rest) * sizeof *grown);
        if (!grown) {
            rest = 0; /* what is left to redo is lost, never wrong */
            for (size_t i = done; i < ntail; i++)
                free(tail[i].line);
        } else {
            r->jr = grown;
            r->jcap = r->jlen + rest;
        }
    }
    memcpy(r->jr + r->jlen, tail + done, rest * sizeof *tail);
    r->jtop = r->jlen + rest;
    free(tail);
    fprintf(r->out, "-- forward to %s: %zu step%s and command%s redone, %zu more to redo\n",
            out_time_str(world_now(r->w), t, sizeof t), done, done == 1 ? "" : "s", done == 1 ? "" : "s", rest);
    return REPL_OK;
}

/* ---- save ---------------------------------------------------------------------------------------- */

static bool
repl_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* `save packetdrill FILE A|B`: the session so far as a packetdrill script from that host's
   view, replayed from the session's log into a fresh writer (out_pkt.c). */
static enum repl_status
repl_save_packetdrill(struct repl *r, int argc, char **argv)
{
    if (argc != 4)
        return repl_err(r, "usage: save packetdrill FILE A|B (the host whose view the script is)");
    int h = strcasecmp(argv[3], "A") == 0 ? 0 : strcasecmp(argv[3], "B") == 0 ? 1 : -1;
    if (h < 0)
        return repl_err(r, "save packetdrill: \"%s\" is not A or B", argv[3]);
    struct out_pkt *p = out_pkt_new(h, &r->w->host[h].cfg);
    if (!p)
        return repl_err(r, "save packetdrill: out of memory");
    for (size_t i = 0; i < r->log.len; i++) {
        const struct trace_event ev = trace_log_get(&r->log, i);
        out_pkt_observe(&ev, p);
    }
    errno = 0;
    FILE *f = fopen(argv[2], "w");
    int rc = f ? out_pkt_finish(p, f, "a tcpsim REPL session") : -1;
    size_t lines = out_pkt_lines(p);
    out_pkt_free(p);
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc != 0)
        return repl_err(r, "save: %s: %s", argv[2], errno ? strerror(errno) : "write error");
    fprintf(r->out, "wrote %s: %zu lines of a packetdrill script from %s's view, from time 0 to %s\n", argv[2],
            lines, h ? "B" : "A", out_time_str(world_now(r->w), (char[32]){0}, 32));
    return REPL_OK;
}

enum repl_status
repl_cmd_save(struct repl *r, int argc, char **argv)
{
    static const char *const kinds[] = {"pcap", "trace", "ladder", "html"};
    int kind = -1, rc = 0;
    char what[96];
    if (argc >= 2 && strcasecmp(argv[1], "packetdrill") == 0)
        return repl_save_packetdrill(r, argc, argv);
    if (argc != 3)
        return repl_err(r, "usage: save pcap|trace|ladder|html FILE (a ladder FILE ending in .svg is SVG), or save packetdrill FILE A|B");
    for (int i = 0; i < 4; i++)
        if (strcasecmp(argv[1], kinds[i]) == 0)
            kind = i;
    if (kind < 0)
        return repl_err(r, "save: \"%s\" is not pcap, trace, ladder, html or packetdrill", argv[1]);
    errno = 0;
    FILE *f = fopen(argv[2], "w");
    if (!f)
        return repl_err(r, "save: %s: %s", argv[2], strerror(errno));
    if (kind == 0) {
        rc = r->pcap ? out_pcap_finish(r->pcap, f) : -1;
        snprintf(what, sizeof what, "%zu segments as pcapng", r->pcap ? out_pcap_count(r->pcap) : 0);
    } else if (kind == 1) {
        struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
        o.format = r->o.format;
        o.absolute_seq = !r->rel;
        rc = out_text_log(f, &r->log, &o);
        snprintf(what, sizeof what, "%zu events, as the %s trace", r->log.len, out_format_name(r->o.format));
    } else if (kind == 3) {
        /* the session so far as a web page; its verdict is the scenario's, when one is loaded */
        enum lsim_status st = lsim_status(r->lsim);
        struct out_html_meta m = {
            .title = lsim_title(r->lsim) ? lsim_title(r->lsim) : "tcpsim REPL session", .summary = lsim_summary(r->lsim),
            .seed = r->w->seed, .preset = r->w->preset, .passed = st != LSIM_FAILED,
            .message = st == LSIM_FAILED || st == LSIM_PAUSED ? lsim_message(r->lsim) : NULL,
        };
        rc = out_html_log(f, &r->log, &m);
        snprintf(what, sizeof what, "%zu events, as a web page", r->log.len);
    } else {
        struct out_ladder_opts o = OUT_LADDER_OPTS_DEFAULT;
        bool svg = repl_ends_with(argv[2], ".svg");
        o.absolute_seq = !r->rel;
        rc = svg ? out_ladder_svg(f, &r->log, &o) : out_ladder(f, &r->log, &o);
        snprintf(what, sizeof what, "the ladder diagram%s", svg ? ", as SVG" : "");
    }
    if (ferror(f))
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    if (rc != 0)
        return repl_err(r, "save: %s: %s", argv[2], errno ? strerror(errno) : "write error");
    fprintf(r->out, "wrote %s: %s, from time 0 to %s\n", argv[2], what,
            out_time_str(world_now(r->w), (char[32]){0}, 32));
    return REPL_OK;
}

/* ---- Lua typed without `lua` ----------------------------------------------------------------------- */

bool
repl_lua_unfinished(const char *msg)
{
    static const char eof[] = "<eof>";
    size_t n = msg ? strlen(msg) : 0;
    return n >= sizeof eof - 1 && strcmp(msg + n - (sizeof eof - 1), eof) == 0;
}

bool
repl_lua_hint(struct repl *r, const char *line)
{
    static const char *const keywords[] = {"local", "function", "for", "while", "if", "repeat", "do", "return",
                                           "print", "expect", "expect_state", "say", "pause", "sock"};
    size_t n = 0;
    while (line[n] && (isalnum((unsigned char)line[n]) || line[n] == '_'))
        n++;
    bool lua = false;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strlen(keywords[i]) == n && strncmp(line, keywords[i], n) == 0)
            lua = true;
    /* a name followed by a call, a method, a field, an index or an assignment */
    const char *p = line + n;
    while (*p == ' ' || *p == '\t')
        p++;
    if (n && (line[n] == '(' || line[n] == ':' || line[n] == '.' || line[n] == '[' || (*p == '=' && p[1] != '=')))
        lua = true;
    if (!lua)
        return false;
    repl_err(r, "\"%.*s\" is Lua, not a command: type  lua %s  (or =EXPR to see a value)", (int)n, line, line);
    return true;
}
