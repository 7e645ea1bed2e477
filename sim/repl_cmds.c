/*
 * repl_cmds.c - the one table of commands, how a line finds its command, and the handlers
 * of pictures, Lua, help and quit.
 *
 * `help`, tab completion and unique prefixes all read repl_cmds[]. repl_exec() splits a line
 * into words, turns `A connect B 80` into `connect A B 80`, finds the command (name, alias or
 * unique prefix) and calls its handler. Commands marked 'acts' change the world: their line is
 * journaled (when it succeeded, or failed in the engine: a refused call is still an event) and
 * performed again when `back` rebuilds the world.
 *
 * Handlers here: ladder, diagram, lua, help, quit. The socket calls (RFC 9293 §3.10.1-§3.10.6
 * through tcp.h), sysctl and the wire (drop, delay, dup, inject, net) are in repl_act.c,
 * stepping and breakpoints in repl_run.c, the views in repl_view.c, load, where, list,
 * forward, save, explain and set in repl_session.c.
 *
 * Lines as they come: a paste of several lines (readline hands a bracketed paste over in one
 * piece) runs line by line, and a `lua` or `=` line whose chunk is unfinished ("... near
 * <eof>", as lua.c tells) waits for its next lines, joined with newlines, before it runs.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "repl_internal.h"

/* ---- arguments --------------------------------------------------------------------------------- */

int
repl_num(struct repl *r, const char *s, uint64_t max, const char *what, uint64_t *out)
{
    char *end;
    if (!s || !isdigit((unsigned char)s[0]))
        return repl_err(r, "bad %s \"%s\": want a number", what, s ? s : ""), -1;
    /* decimal, or hexadecimal with 0x; never octal: 010 is ten */
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    errno = 0;
    unsigned long long v = strtoull(s, &end, hex ? 16 : 10);
    if (*end || end == s + (hex ? 2 : 0))
        return repl_err(r, "bad %s \"%s\": want a number", what, s), -1;
    if (errno == ERANGE || v > max)
        return repl_err(r, "bad %s \"%s\": too large, %llu at most", what, s, (unsigned long long)max), -1;
    *out = v;
    return 0;
}

enum repl_status
repl_no_more(struct repl *r, int argc, char **argv, int max)
{
    if (argc <= max)
        return REPL_OK;
    return repl_err(r, "%s: unexpected \"%s\" (help %s)", argv[0], argv[max], argv[0]);
}

struct tcp_conn *
repl_socket(struct repl *r, const char *name)
{
    struct tcp_conn *c = name ? world_conn_by_name(r->w, name) : NULL;
    if (!c)
        repl_err(r, "no socket \"%s\" (status lists them)", name ? name : "");
    return c;
}

int
repl_split(char *line, char **argv, int max)
{
    int argc = 0;
    char *p = line, *o;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (argc == max - 1)
            return -1;
        argv[argc++] = o = p;
        while (*p && !isspace((unsigned char)*p)) {
            char q = *p;
            if (q != '"' && q != '\'') {
                *o++ = *p++;
                continue;
            }
            for (p++; *p && *p != q; p++) {
                if (q == '"' && *p == '\\' && p[1]) {
                    p++;
                    *o++ = *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p == 't' ? '\t' : *p;
                } else {
                    *o++ = *p;
                }
            }
            if (*p != q)
                return -1;
            p++;
        }
        if (*p)
            p++;
        *o = '\0';
    }
    argv[argc] = NULL;
    return argc;
}

static const struct repl_cmd *repl_cmd_prefix_of(const char *name, bool host_first);

/* ---- pictures, Lua, help, quit ------------------------------------------------------------------- */

static enum repl_status
repl_cmd_ladder(struct repl *r, int argc, char **argv)
{
    struct out_ladder_opts o = OUT_LADDER_OPTS_DEFAULT;
    if (repl_no_more(r, argc, argv, 1) != REPL_OK)
        return REPL_ERR;
    o.absolute_seq = !r->rel;
    o.columns = repl_width(r);
    if (out_ladder(r->out, &r->log, &o) != 0)
        return repl_err(r, "ladder: out of memory");
    return REPL_OK;
}

static enum repl_status
repl_cmd_diagram(struct repl *r, int argc, char **argv)
{
    struct tcp_conn *c = NULL;
    if (repl_no_more(r, argc, argv, 2) != REPL_OK || (argc >= 2 && !(c = repl_socket(r, argv[1]))))
        return REPL_ERR;
    if (out_dot(r->out, &r->log, c ? c->id : 0) != 0)
        return repl_err(r, "diagram: out of memory");
    return REPL_OK;
}

/* `lua CODE` and `=EXPR`: 'code' is the rest of 'line', as typed. An unfinished chunk typed
   at the prompt is kept in r->lua_pending for the lines that finish it; *wait says so. */
static enum repl_status
repl_lua(struct repl *r, const char *line, const char *code, bool *wait)
{
    char *out = NULL;
    int rc = lsim_eval(r->lsim, code, &out);
    enum repl_status st = REPL_OK;
    *wait = false;
    if (rc != 0 && !r->replaying && repl_lua_unfinished(out) && (r->lua_pending = strdup(line)) != NULL) {
        *wait = true; /* nothing ran: a chunk that does not compile */
        free(out);
        return REPL_OK;
    }
    if (rc != 0)
        st = repl_err(r, "%s", out ? out : "Lua error");
    else if (out && *out)
        fprintf(r->out, "%s\n", out);
    free(out);
    return st;
}

static enum repl_status
repl_cmd_lua(struct repl *r, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return repl_err(r, "usage: lua CODE, or =EXPR");
}

static enum repl_status
repl_cmd_help(struct repl *r, int argc, char **argv)
{
    if (repl_no_more(r, argc, argv, 2) != REPL_OK)
        return REPL_ERR;
    if (argc >= 2) {
        int n = 0;
        const struct repl_cmd *c = repl_cmd_find(argv[1], &n);
        if (!c && n == 1)
            c = repl_cmd_prefix_of(argv[1], false); /* help only looks: `help lis` may guess */
        if (!c)
            return repl_err(r, "help: %s command \"%s\"", n > 1 ? "ambiguous" : "no", argv[1]);
        fprintf(r->out, "%s\n  %s\n", c->usage, c->summary);
        if (c->alias)
            fprintf(r->out, "  Also: %s\n", c->alias);
        return REPL_OK;
    }
    const char *group = NULL;
    for (size_t i = 0; i < repl_ncmds; i++) {
        const struct repl_cmd *c = &repl_cmds[i];
        if (!group || strcmp(group, c->group) != 0) {
            fprintf(r->out, "%s%s:\n", group ? "\n" : "", c->group);
            group = c->group;
        }
        fprintf(r->out, "  %-34s %s\n", c->usage, c->summary);
    }
    fprintf(r->out, "\nSockets are named A1, B2 ...; times are seconds (1.5) or 200ms, 2min.\n"
                    "Commands may be shortened to any unique prefix; help COMMAND for one.\n");
    return REPL_OK;
}

static enum repl_status
repl_cmd_quit(struct repl *r, int argc, char **argv)
{
    if (repl_no_more(r, argc, argv, 1) != REPL_OK)
        return REPL_ERR;
    return REPL_EXIT;
}

/* ---- the table ------------------------------------------------------------------------------------ */

const struct repl_cmd repl_cmds[] = {
    {"Moving through time", "step", "s", "step [N]", "perform the next N events (1): a segment arrives, a timer expires", repl_cmd_step, false, "-"},
    {"Moving through time", "next", "n", "next [N]", "run until a socket changes state (N times)", repl_cmd_next, false, "-"},
    {"Moving through time", "run", NULL, "run [DURATION]", "run until a breakpoint, nothing is left, or DURATION passed", repl_cmd_run, false, "-"},
    {"Moving through time", "continue", "c", "continue", "run until a breakpoint or nothing is left to do", repl_cmd_continue, false, "-"},
    {"Moving through time", "until", NULL, "until TIME", "run until the clock reads TIME (stops at breakpoints)", repl_cmd_until, false, "-"},
    {"Moving through time", "advance", NULL, "advance DURATION", "move virtual time on, through breakpoints (watch 2MSL expire)", repl_cmd_advance, false, "-"},
    {"Moving through time", "back", NULL, "back [N]", "undo the last N events and commands, by replaying the run", repl_cmd_back, false, "-"},
    {"Moving through time", "forward", "redo", "forward [N]", "redo the last N events and commands that back or rewind undid", repl_cmd_forward, false, "-"},
    {"Moving through time", "rewind", NULL, "rewind TIME|#N", "go back to TIME, or to when segment #N was sent, by replaying", repl_cmd_rewind, false, "-"},
    {"Breakpoints", "break", "b", "break [SOCK|HOST] [STATE]", "stop when a socket enters STATE (or changes state at all)", repl_cmd_break, false, "b"},
    {"Breakpoints", "break seg", NULL, "break seg [FLAGS] [A>B]", "stop when a segment with FLAGS enters the wire", repl_cmd_break, false, "-"},
    {"Breakpoints", "break timer", NULL, "break timer [NAME] [SOCK]", "stop when a timer expires", repl_cmd_break, false, "-"},
    {"Breakpoints", "break at", NULL, "break at TIME", "stop when the clock reaches TIME", repl_cmd_break, false, "-"},
    {"Breakpoints", "info", NULL, "info break", "list the breakpoints", repl_cmd_info, false, "-"},
    {"Breakpoints", "delete", NULL, "delete [N]", "delete breakpoint N (all without N)", repl_cmd_delete, false, "-"},
    {"Seeing", "status", "netstat", "status [FILTER]... [all|summary]", "the sockets as netstat -at; many: counts as ss -s (FILTER: STATE, A, A1, port N, closed)", repl_view_status, false, "F"},
    {"Seeing", "tcb", NULL, "tcb SOCK", "every TCB variable of a socket, its buffers and timers", repl_view_tcb, false, "s"},
    {"Seeing", "wire", NULL, "wire", "the segments in flight, with their ids", repl_view_wire, false, "-"},
    {"Seeing", "why", NULL, "why [SOCK]", "the rule behind the socket's last state change, and what triggered it", repl_view_why, false, "s"},
    {"Seeing", "waiting", NULL, "waiting [SOCK]", "what the socket waits for now, and which timer fires next", repl_view_waiting, false, "s"},
    {"Seeing", "trace", NULL, "trace [N]", "the last N lines of the trace (20)", repl_view_trace, false, "-"},
    {"Seeing", "ladder", NULL, "ladder", "the sequence diagram of the run so far", repl_cmd_ladder, false, "-"},
    {"Seeing", "diagram", NULL, "diagram [SOCK]", "the state diagram (Graphviz DOT) with the socket's path", repl_cmd_diagram, false, "s"},
    {"Seeing", "explain", NULL, "explain [STATE]", "what a state means, who gets there, what it waits for (CLOSE_WAIT)", repl_cmd_explain, false, "S"},
    {"The scenario", "load", NULL, "load FILE", "start over with the scenario (or .pkt script) FILE, paused at its start", repl_cmd_load, false, "f"},
    {"The scenario", "where", NULL, "where", "the scenario's current line, and the calls that led there", repl_cmd_where, false, "-"},
    {"The scenario", "list", NULL, "list [LINE]", "ten lines around the scenario's current line (again: the next ten)", repl_cmd_list, false, "-"},
    {"Sockets", "connect", NULL, "A connect B PORT [lport=N] [isn=N]", "active OPEN from host A to host B (RFC 9293 3.10.1)", repl_cmd_connect, true, "hh-"},
    {"Sockets", "listen", NULL, "B listen PORT [backlog=N]", "passive OPEN on host B", repl_cmd_listen, true, "h-"},
    {"Sockets", "accept", NULL, "accept SOCK", "take the next established connection of a listener", repl_cmd_accept, true, "s"},
    {"Sockets", "send", NULL, "send SOCK TEXT", "SEND: queue TEXT (quotes and \\n allowed)", repl_cmd_send, true, "s-"},
    {"Sockets", "recv", NULL, "recv SOCK [N]", "RECEIVE: read what has arrived", repl_cmd_recv, true, "s-"},
    {"Sockets", "close", NULL, "close SOCK", "CLOSE: FIN after the data (RFC 9293 3.10.4)", repl_cmd_close, true, "s"},
    {"Sockets", "shutdown", NULL, "shutdown SOCK", "shut the sending side: FIN, and keep receiving", repl_cmd_close, true, "s"},
    {"Sockets", "abort", NULL, "abort SOCK", "ABORT: send RST, forget the connection (RFC 9293 3.10.5)", repl_cmd_close, true, "s"},
    {"Sockets", "keepalive", NULL, "keepalive SOCK on|off", "SO_KEEPALIVE for one socket", repl_cmd_keepalive, true, "s-"},
    {"Sockets", "crash", NULL, "crash HOST", "the host forgets every connection, sending nothing", repl_cmd_crash, true, "h"},
    {"Sockets", "sysctl", NULL, "sysctl HOST [NAME [VALUE]]", "show or change a host's settings (durations in seconds)", repl_cmd_sysctl, true, "hk-"},
    {"The wire", "drop", NULL, "drop ID", "lose a segment in flight", repl_cmd_pkt, true, "-"},
    {"The wire", "delay", NULL, "delay ID DURATION", "hold a segment in flight back a while longer", repl_cmd_pkt, true, "-"},
    {"The wire", "dup", NULL, "dup ID", "duplicate a segment in flight", repl_cmd_pkt, true, "-"},
    {"The wire", "inject", NULL, "inject SOCK|HOST FLAGS [seq= ack= ...]", "send a crafted segment (from a socket: its ports, SND.NXT, RCV.NXT)", repl_cmd_inject, true, "a-"},
    {"The wire", "net", NULL, "net [set [A>B] delay= loss= ...]", "show or change the wire: delay, jitter, loss, dup, reorder, bandwidth", repl_cmd_net, true, "-"},
    {"Session", "lua", "=", "lua CODE  |  =EXPR", "run Lua in the scenario's environment", repl_cmd_lua, true, "-"},
    {"Session", "save", NULL, "save pcap|trace|ladder|html FILE, save packetdrill FILE A|B", "write what the session did so far (a .svg FILE: an SVG ladder; html: a web page to step through; packetdrill: a script from that host's view)", repl_cmd_save, false, "-f"},
    {"Session", "set", NULL, "set [width N|auto] [rel on|off] [checkpoints N|off]", "output width (narrow: compact), SEQ/ACK relative to the ISNs, events between checkpoints", repl_cmd_set, false, "-"},
    {"Session", "help", "?", "help [COMMAND]", "this list, or one command", repl_cmd_help, false, "c"},
    {"Session", "quit", "exit", "quit", "leave (Ctrl-D too)", repl_cmd_quit, false, "-"},
};
const size_t repl_ncmds = sizeof repl_cmds / sizeof repl_cmds[0];

/*
 * repl_cmd_find, among the commands that take a host first when 'host_first'.
 * A word that only begins a command's name is taken for it when no other command begins so,
 * and when the command only looks or moves the clock: one that changes the world (connect,
 * listen, close, crash, drop ...) must be typed in full, so that `lis` or `clo` never opens
 * a socket or closes one by a guess. (Tab completes any command.)
 */
static const struct repl_cmd *
repl_cmd_lookup(const char *name, int *nmatch, bool host_first)
{
    const struct repl_cmd *found = NULL;
    int n = 0;
    size_t len = strlen(name);
    for (size_t i = 0; i < repl_ncmds; i++) {
        const struct repl_cmd *c = &repl_cmds[i];
        if (strchr(c->name, ' '))
            continue; /* "break seg": a help line for a form of `break` */
        if (host_first && c->args[0] != 'h')
            continue;
        if (strcasecmp(c->name, name) == 0 || (c->alias && strcasecmp(c->alias, name) == 0)) {
            if (nmatch)
                *nmatch = 1;
            return c;
        }
        if (len && strncasecmp(c->name, name, len) == 0) {
            found = c;
            n++;
        }
    }
    if (nmatch)
        *nmatch = n;
    return n == 1 && !found->acts ? found : NULL;
}

/* The one command 'name' is a prefix of (see repl_cmd_lookup), even one that acts; or NULL. */
static const struct repl_cmd *
repl_cmd_prefix_of(const char *name, bool host_first)
{
    const struct repl_cmd *found = NULL;
    for (size_t i = 0; i < repl_ncmds; i++) {
        const struct repl_cmd *c = &repl_cmds[i];
        if (strchr(c->name, ' ') || (host_first && c->args[0] != 'h') || strncasecmp(c->name, name, strlen(name)) != 0)
            continue;
        if (found)
            return NULL;
        found = c;
    }
    return found;
}

const struct repl_cmd *
repl_cmd_find(const char *name, int *nmatch)
{
    return repl_cmd_lookup(name, nmatch, false);
}

const struct repl_cmd *
repl_cmd_find_host(const char *name)
{
    return repl_cmd_lookup(name, NULL, true);
}

/* "ambiguous: delay delete diagram" */
static enum repl_status
repl_ambiguous(struct repl *r, const char *name)
{
    char list[256];
    size_t n = 0;
    list[0] = '\0';
    for (size_t i = 0; i < repl_ncmds && n < sizeof list; i++)
        if (!strchr(repl_cmds[i].name, ' ') && strncasecmp(repl_cmds[i].name, name, strlen(name)) == 0)
            n += (size_t)snprintf(list + n, sizeof list - n, " %s", repl_cmds[i].name);
    return repl_err(r, "\"%s\" is ambiguous:%s", name, list);
}

/* Lines that start with a Lua keyword are never commands (`for` would be taken for
   `forward`): the hint at once. */
static bool
repl_lua_keyword_first(const char *line)
{
    static const char *const kw[] = {"local", "function", "for", "while", "if", "repeat", "do", "return"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++) {
        size_t k = strlen(kw[i]);
        if (strncmp(line, kw[i], k) == 0 && !isalnum((unsigned char)line[k]) && line[k] != '_')
            return true;
    }
    return false;
}

enum repl_status
repl_exec(struct repl *r, const char *line)
{
    if (strchr(line, '\n')) {
        /* several lines at once: a paste. Each runs as if typed; blank ones only inside an
           unfinished Lua chunk (never "repeat the last step") */
        char *copy = strdup(line), *save = NULL;
        enum repl_status st = REPL_OK;
        if (!copy)
            return repl_err(r, "out of memory");
        /* a checkpoint resumed inside one of them: the lines after it belong to the past */
        for (char *l = strtok_r(copy, "\n", &save); l && st != REPL_EXIT && !r->restored;
             l = strtok_r(NULL, "\n", &save)) {
            size_t n = strlen(l);
            if (n && l[n - 1] == '\r')
                l[--n] = '\0';
            if (!r->lua_pending && strspn(l, " \t") == n)
                continue;
            st = repl_exec(r, l);
        }
        free(copy);
        return st;
    }
    if (r->lua_pending) {
        /* the next line of an unfinished Lua chunk */
        char *full = malloc(strlen(r->lua_pending) + strlen(line) + 2);
        if (!full)
            return repl_err(r, "out of memory");
        sprintf(full, "%s\n%s", r->lua_pending, line);
        free(r->lua_pending);
        r->lua_pending = NULL;
        enum repl_status st = repl_exec_one(r, full);
        free(full);
        return st;
    }
    return repl_exec_one(r, line);
}

enum repl_status
repl_exec_one(struct repl *r, const char *line)
{
    char *copy, *argv[REPL_MAX_ARGS];
    int n = 0;
    while (isspace((unsigned char)*line))
        line++;
    if (!*line || line[0] == '#') {
        if (*line || !r->o.tty || !r->last_line)
            return REPL_OK;
        line = r->last_line; /* an empty line repeats `step` or `next`, as in gdb */
    }
    if (line[0] == '=' || (strncmp(line, "lua", 3) == 0 && isspace((unsigned char)line[3]))) {
        uint64_t events = r->w->nevents;
        bool wait;
        enum repl_status st = repl_lua(r, line, line[0] == '=' ? line + 1 : line + 4, &wait);
        (void)repl_interrupted(); /* a Ctrl-C that stopped the line, or came too late to */
        if (!wait && line[0] == '=' && st == REPL_OK && r->w->nevents == events) {
            repl_journal_keep(r, REPL_OP_CMD, line); /* a look: what forward redoes stays */
        } else if (!wait && (st == REPL_OK || r->w->nevents != events)) {
            size_t before = r->jlen;
            repl_journal(r, REPL_OP_CMD, line);
            if (r->jlen > before) /* replayed, it stops where Ctrl-C stopped it */
                r->jr[r->jlen - 1].stop = lsim_eval_interrupted(r->lsim);
        }
        r->last_failed = st == REPL_ERR;
        return st;
    }
    if (repl_lua_keyword_first(line) && repl_lua_hint(r, line)) {
        r->last_failed = true;
        return REPL_ERR;
    }
    if (!(copy = strdup(line)))
        return repl_err(r, "out of memory");
    int argc = repl_split(copy, argv, REPL_MAX_ARGS);
    if (argc <= 0) {
        free(copy);
        return r->last_failed = true, repl_err(r, "unbalanced quotes or too many words");
    }
    /* `A connect B 80`: a host first, then a command that takes a host */
    bool hostfirst = argc >= 2 && world_host(r->w, argv[0]);
    int n2 = 0;
    /* after a host, only the commands that take one: `B lis 80` is about listen, not list */
    const struct repl_cmd *c2 = hostfirst ? repl_cmd_lookup(argv[1], &n2, true) : NULL, *c = NULL;
    if (hostfirst && !c2 && n2 == 0) /* `A status`: a command, but not one after a host */
        c2 = repl_cmd_find(argv[1], &n2);
    const char *word = argv[0];
    if (c2 && c2->args[0] == 'h') {
        char *h = argv[0];
        argv[0] = argv[1];
        argv[1] = h;
        c = c2;
    } else if (hostfirst && n2 > 0) {
        word = argv[1]; /* `B lis 80`, `A status`: a command word second, not `b` (break) first */
        n = n2;
    } else if (!(c = repl_cmd_find(argv[0], &n)) && hostfirst) {
        word = argv[1]; /* `A frob`: about "frob", not about "A" */
        n = n2;
    }
    enum repl_status st;
    const struct repl_cmd *guess = !c && n == 1 ? repl_cmd_prefix_of(word, word != argv[0]) : NULL;
    if (!c && c2) {
        st = repl_err(r, "%s does not start with a host (help %s)", c2->name, c2->name);
    } else if (!c && n <= 1 && repl_lua_hint(r, line)) {
        st = REPL_ERR; /* `c:close()`, `x = 1`: Lua typed without `lua` */
    } else if (!c && guess) {
        st = repl_err(r, "unknown command \"%s\" (%s changes the world, so it is never abbreviated: type it in full)",
                      word, guess->name);
    } else if (!c) {
        st = n > 1 ? repl_ambiguous(r, word) : repl_err(r, "unknown command \"%s\" (help lists them)", word);
    } else {
        argv[0] = (char *)c->name; /* handlers that serve several commands look at argv[0] */
        uint64_t events = r->w->nevents;
        st = c->fn(r, argc, argv);
        /* journaled when it reached the world: a refused call is an event, a typo is not */
        if (c->acts && (st == REPL_OK || r->w->nevents != events))
            repl_journal(r, REPL_OP_CMD, line);
        if ((c->fn == repl_cmd_step || c->fn == repl_cmd_next) && line != r->last_line) {
            free(r->last_line);
            r->last_line = strdup(line);
        }
    }
    free(copy);
    r->last_failed = st == REPL_ERR;
    return st;
}
