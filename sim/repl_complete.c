/*
 * repl_complete.c - Tab completion at the REPL's prompt (GNU readline).
 *
 * The first word completes to a command or a host (`A connect ...`); each further word by the
 * kind its command's table entry names in 'args' (repl_cmds.c): a socket, a host, a state, a
 * setting, a timer, a file name (readline's own completion). `break seg` and `break timer`
 * complete their own words. `status` does not offer the sockets, which may be thousands.
 * readline's callbacks take no context: the session is the one reading a line now
 * (repl_reading, repl.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <readline/readline.h>

#include "repl_internal.h"

void
repl_cand_clear(struct repl *r)
{
    for (size_t i = 0; i < r->ncand; i++)
        free(r->cand[i]);
    free(r->cand);
    r->cand = NULL;
    r->ncand = r->candi = 0;
}

static void
repl_cand_add(struct repl *r, const char *text, const char *word)
{
    if (strncasecmp(word, text, strlen(text)) != 0)
        return;
    for (size_t i = 0; i < r->ncand; i++)
        if (strcmp(r->cand[i], word) == 0)
            return;
    char **n = realloc(r->cand, (r->ncand + 1) * sizeof *n);
    if (!n)
        return;
    r->cand = n;
    r->cand[r->ncand] = strdup(word);
    if (r->cand[r->ncand])
        r->ncand++;
}

/* Candidates of kind 'k' (see struct repl_cmd's 'args') that start with 'text'. */
static void
repl_cand_kind(struct repl *r, char k, const char *text)
{
    switch (k) {
    case 'c':
    case 'H': /* after a host: the commands that take one first */
        for (size_t i = 0; i < repl_ncmds; i++)
            if (!strchr(repl_cmds[i].name, ' ') && (k == 'c' || repl_cmds[i].args[0] == 'h'))
                repl_cand_add(r, text, repl_cmds[i].name);
        break;
    case 'a':
        repl_cand_kind(r, 's', text);
        repl_cand_kind(r, 'h', text);
        break;
    case 's':
        for (uint32_t i = 0; i < r->w->nconns; i++)
            repl_cand_add(r, text, r->w->conns[i]->name);
        break;
    case 'h':
        for (int i = 0; i < WORLD_HOSTS; i++)
            repl_cand_add(r, text, r->w->host[i].name);
        break;
    case 'S':
        for (int s = 0; s < TCP_STATE_COUNT; s++)
            repl_cand_add(r, text, tcp_state_bsd((enum tcp_state)s));
        break;
    case 'k':
        for (size_t i = 0; i < tcp_setting_count; i++)
            repl_cand_add(r, text, tcp_setting_table[i].name);
        break;
    case 'F': /* status: not the sockets, which may be thousands (`status A1` works typed) */
        repl_cand_kind(r, 'S', text);
        repl_cand_kind(r, 'h', text);
        repl_cand_add(r, text, "port");
        repl_cand_add(r, text, "closed");
        repl_cand_add(r, text, "all");
        repl_cand_add(r, text, "summary");
        break;
    case 'T':
        for (int t = 0; t < TCP_TIMER_COUNT; t++)
            repl_cand_add(r, text, tcp_timer_name((enum tcp_timer)t));
        break;
    case 'b':
        repl_cand_add(r, text, "seg");
        repl_cand_add(r, text, "timer");
        repl_cand_add(r, text, "at");
        repl_cand_kind(r, 'a', text);
        repl_cand_kind(r, 'S', text);
        break;
    default:
        break;
    }
}

/* The words after `break seg` and `break timer`: flags and senders, timers and sockets. */
static void
repl_cand_break(struct repl *r, const char *form, const char *prev, const char *text)
{
    static const char *const flags[] = {"SYN", "SYN,ACK", "ACK", "FIN", "FIN,ACK", "RST", "RST,ACK", "PSH,ACK", "URG"};
    if (strcasecmp(form, "seg") == 0 || strcasecmp(form, "segment") == 0) {
        if (strcasecmp(prev, "from") == 0) {
            repl_cand_kind(r, 'h', text);
            return;
        }
        for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
            repl_cand_add(r, text, flags[i]);
        repl_cand_add(r, text, "from");
        repl_cand_add(r, text, "A>B");
        repl_cand_add(r, text, "B>A");
    } else if (strcasecmp(form, "timer") == 0) {
        repl_cand_kind(r, 'T', text);
        repl_cand_kind(r, 'a', text);
    } else if (strcasecmp(form, "at") != 0) {
        repl_cand_kind(r, 'S', text); /* break A1 <Tab>: a state */
    }
}

static char *
repl_cand_next(const char *text, int state)
{
    struct repl *r = repl_reading();
    (void)text;
    if (!r)
        return NULL;
    if (state == 0)
        r->candi = 0;
    if (r->candi >= r->ncand)
        return NULL;
    return strdup(r->cand[r->candi++]);
}

/* readline's completion: the first word is a command (or a host, `A connect ...`); each
   further word is completed by its command's 'args'. */
char **
repl_complete(const char *text, int start, int end)
{
    struct repl *r = repl_reading();
    char *head = strndup(rl_line_buffer, (size_t)start), *argv[REPL_MAX_ARGS];
    (void)end;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    if (!r || !head) {
        free(head);
        return NULL;
    }
    repl_cand_clear(r);
    int argc = repl_split(head, argv, REPL_MAX_ARGS), idx = argc;
    const struct repl_cmd *c = NULL;
    if (argc >= 2 && world_host(r->w, argv[0]) && (c = repl_cmd_find_host(argv[1]))) {
        idx--; /* `A connect B 80`: the host comes first, the command second */
    } else if (argc >= 1) {
        c = repl_cmd_find(argv[0], NULL); /* `b timer ...` is break, not host B */
    }
    if (argc <= 0) {
        repl_cand_kind(r, 'c', text);
        repl_cand_kind(r, 'h', text);
    } else if (argc == 1 && world_host(r->w, argv[0])) {
        repl_cand_kind(r, 'H', text);
    } else if (c && c->fn == repl_cmd_break && idx >= 2) {
        repl_cand_break(r, argv[1], argv[argc - 1], text);
    } else if (c && c->args && *c->args) {
        size_t n = strlen(c->args), i = (size_t)idx - 1;
        char k = c->args[i < n ? i : n - 1];
        if (k == 'f') { /* a file name: readline's own completion */
            free(head);
            return rl_completion_matches(text, rl_filename_completion_function);
        }
        repl_cand_kind(r, k, text);
    }
    free(head);
    if (r->ncand == 0)
        return NULL;
    return rl_completion_matches(text, repl_cand_next);
}
