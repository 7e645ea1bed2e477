/*
 * pkt_parse.c - the packetdrill script language, the subset tcpsim runs (docs/packetdrill-run.md).
 *
 * A recursive-descent parser for packetdrill's grammar (its parser.y/lexer.l, read for the
 * syntax only), on the scanner of pkt_lex.c; the segment lines are in pkt_parse_seg.c. A
 * script is options lines (--tolerance_usecs=N), an optional init command in backticks, then
 * events, each a time and an action:
 *
 *   time    := ['+'] T | ['+'] T '~' ['+'] T | '*'          T = seconds, integer or decimal
 *   action  := ('<' | '>') FLAGS SEQ:END(LEN) [ack N] [win N] [<options> | <...>]
 *            | ['...' T] NAME '(' args ')' '=' expr [ERRNO ['(' note ')']]
 *            | '`' shell text '`'
 *
 * What the grammar has and tcpsim cannot model (IPv6, UDP, ICMP, ECN bits, urgent data, the
 * TCP options tcpsim does not know, inline Python) is parsed past and recorded as the script's
 * first unsupported feature: the runner then reports "unsupported", never a pass.
 *
 * Every error is "PATH:LINE: error: what"; a malformed script never crashes the parser (it is
 * fuzzed: tests/fuzz/fuzz_pkt.c). Everything allocated lives in one arena, freed at once.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_parse.h"

/* ---- times ---------------------------------------------------------------------------------- */

/* Seconds, integer or decimal, into microseconds. */
static bool
pkt_time_value(struct pkt_parser *ps, int64_t *us)
{
    pkt_peek(ps);
    char buf[64];
    if (ps->tok != TK_NUM) {
        pkt_error(ps, ps->tline, "expected a time in seconds but found %s", pkt_tok_desc(ps, buf, sizeof buf));
        return false;
    }
    if (!ps->num_ok || ps->fnum > 1e9) {
        pkt_error(ps, ps->tline, "time %.*s is out of range", (int)(ps->tlen > 40 ? 40 : ps->tlen), ps->text);
        return false;
    }
    *us = ps->is_float ? (int64_t)(ps->fnum * 1e6 + 0.5) : ps->inum * 1000000;
    pkt_next(ps);
    return true;
}

static bool
pkt_parse_time(struct pkt_parser *ps, struct pkt_event *e)
{
    e->line = ps->tline;
    if (pkt_is_punct(ps, '*')) {
        pkt_next(ps);
        e->time = PKT_TIME_ANY;
        return true;
    }
    bool rel = pkt_is_punct(ps, '+');
    if (rel)
        pkt_next(ps);
    if (!pkt_time_value(ps, &e->us))
        return false;
    e->time = rel ? PKT_TIME_REL : PKT_TIME_ABS;
    if (pkt_is_punct(ps, '~')) {
        pkt_next(ps);
        bool rel2 = pkt_is_punct(ps, '+');
        if (rel2)
            pkt_next(ps);
        if (rel != rel2) {
            pkt_error(ps, ps->tline, "a time range is both absolute or both relative (a~b or +a~+b)");
            return false;
        }
        if (!pkt_time_value(ps, &e->us_end))
            return false;
        if (e->us_end < e->us) {
            pkt_error(ps, e->line, "time range is backwards");
            return false;
        }
        e->time = rel ? PKT_TIME_REL_RANGE : PKT_TIME_ABS_RANGE;
    }
    return true;
}

/* ---- system calls --------------------------------------------------------------------------- */

static struct pkt_expr *pkt_parse_expr(struct pkt_parser *ps, int depth);

static struct pkt_expr *
pkt_new_expr(struct pkt_parser *ps, enum pkt_expr_kind kind)
{
    struct pkt_expr *x = pkt_alloc(&ps->s->arena, sizeof *x);
    if (!x)
        pkt_error(ps, ps->tline, "out of memory");
    else
        x->kind = kind;
    return x;
}

/* Append 'kid' to 'x's kids (growing by copy: lists are short). */
static bool
pkt_add_kid(struct pkt_parser *ps, struct pkt_expr *x, struct pkt_expr *kid)
{
    struct pkt_expr **k = pkt_alloc(&ps->s->arena, (x->nkids + 1) * sizeof *k);
    if (!k) {
        pkt_error(ps, ps->tline, "out of memory");
        return false;
    }
    if (x->nkids)
        memcpy(k, x->kids, x->nkids * sizeof *k);
    k[x->nkids++] = kid;
    x->kids = k;
    return true;
}

/* [a, b] or {f=v, ...}: items up to 'close'. */
static struct pkt_expr *
pkt_parse_group(struct pkt_parser *ps, char close, int depth)
{
    struct pkt_expr *x = pkt_new_expr(ps, close == ']' ? PKT_X_LIST : PKT_X_STRUCT);
    if (!x)
        return NULL;
    pkt_next(ps);
    while (!pkt_is_punct(ps, close)) {
        struct pkt_expr *item = NULL;
        pkt_peek(ps);
        if (close == '}' && ps->tok == TK_WORD) {
            /* name=value, or name(...)=value (packetdrill's msg_name(...)=...) */
            const char *name = pkt_strndup(&ps->s->arena, ps->text, ps->tlen);
            struct pkt_parser save = *ps;
            pkt_next(ps);
            if (pkt_is_punct(ps, '(')) {
                int nest = 0;
                do {
                    if (pkt_is_punct(ps, '('))
                        nest++;
                    else if (pkt_is_punct(ps, ')'))
                        nest--;
                    pkt_next(ps);
                } while (nest > 0 && !ps->failed && (pkt_peek(ps), ps->tok != TK_EOF));
            }
            if (pkt_is_punct(ps, '=')) {
                pkt_next(ps);
                item = pkt_new_expr(ps, PKT_X_FIELD);
                struct pkt_expr *v = pkt_parse_expr(ps, depth + 1);
                if (!item || !v || !pkt_add_kid(ps, item, v))
                    return NULL;
                item->name = name;
            } else {
                *ps = save;
            }
        }
        if (!item)
            item = pkt_parse_expr(ps, depth + 1);
        if (!item || !pkt_add_kid(ps, x, item))
            return NULL;
        if (!pkt_is_punct(ps, ','))
            break;
        pkt_next(ps);
    }
    if (!pkt_expect_punct(ps, close, close == ']' ? "to close the list" : "to close the structure"))
        return NULL;
    return x;
}

static struct pkt_expr *
pkt_parse_term(struct pkt_parser *ps, int depth)
{
    char buf[64];
    pkt_peek(ps);
    if (depth > 32) {
        pkt_error(ps, ps->tline, "expressions nested too deeply");
        return NULL;
    }
    struct pkt_expr *x = NULL;
    bool neg = false;
    if (pkt_is_punct(ps, '-')) {
        pkt_next(ps);
        pkt_peek(ps);
        neg = true;
        if (ps->tok != TK_NUM) {
            pkt_error(ps, ps->tline, "expected a number after '-' but found %s", pkt_tok_desc(ps, buf, sizeof buf));
            return NULL;
        }
    }
    switch (ps->tok) {
    case TK_NUM:
        if (ps->is_float || !ps->num_ok) {
            pkt_error(ps, ps->tline, "expected an integer but found %s", pkt_tok_desc(ps, buf, sizeof buf));
            return NULL;
        }
        if ((x = pkt_new_expr(ps, PKT_X_INT)))
            x->num = neg ? -ps->inum : ps->inum;
        pkt_next(ps);
        return x;
    case TK_WORD:
        if ((x = pkt_new_expr(ps, PKT_X_SYM)))
            x->name = pkt_strndup(&ps->s->arena, ps->text, ps->tlen);
        pkt_next(ps);
        /* sizeof(...), htonl(...) and the like: function-like expressions tcpsim does not evaluate */
        if (pkt_is_punct(ps, '(')) {
            pkt_unsupported(ps, ps->tline, "a function call inside a system call's arguments");
            int nest = 0;
            do {
                if (pkt_is_punct(ps, '('))
                    nest++;
                else if (pkt_is_punct(ps, ')'))
                    nest--;
                pkt_next(ps);
            } while (nest > 0 && !ps->failed && (pkt_peek(ps), ps->tok != TK_EOF));
        }
        return x;
    case TK_ELLIPSIS:
        pkt_next(ps);
        return pkt_new_expr(ps, PKT_X_ELLIPSIS);
    case TK_STR:
        if ((x = pkt_new_expr(ps, PKT_X_STR)))
            x->name = pkt_strndup(&ps->s->arena, ps->text, ps->tlen);
        pkt_next(ps);
        if (pkt_peek(ps), ps->tok == TK_ELLIPSIS)
            pkt_next(ps); /* "abc"... */
        return x;
    case TK_PUNCT:
        if (ps->punct == '[')
            return pkt_parse_group(ps, ']', depth);
        if (ps->punct == '{')
            return pkt_parse_group(ps, '}', depth);
        break;
    case TK_EOF:
    case TK_SHELL:
    case TK_OPTION:
    case TK_CODE:
        break;
    }
    pkt_error(ps, ps->tline, "expected an expression but found %s", pkt_tok_desc(ps, buf, sizeof buf));
    return NULL;
}

static struct pkt_expr *
pkt_parse_expr(struct pkt_parser *ps, int depth)
{
    struct pkt_expr *x = pkt_parse_term(ps, depth);
    while (x && pkt_is_punct(ps, '|')) {
        pkt_next(ps);
        struct pkt_expr *o = pkt_new_expr(ps, PKT_X_OR);
        struct pkt_expr *r = pkt_parse_term(ps, depth + 1);
        if (!o || !r || !pkt_add_kid(ps, o, x) || !pkt_add_kid(ps, o, r))
            return NULL;
        x = o;
    }
    return x;
}

static bool
pkt_parse_syscall(struct pkt_parser *ps, struct pkt_event *e)
{
    struct pkt_syscall *c = &e->call;
    char buf[64];
    if (ps->tok == TK_ELLIPSIS) {
        pkt_next(ps);
        if (!pkt_time_value(ps, &c->end_us))
            return false;
        c->blocking = true;
    }
    pkt_peek(ps);
    if (ps->tok != TK_WORD) {
        pkt_error(ps, ps->tline, "expected a system call's name but found %s", pkt_tok_desc(ps, buf, sizeof buf));
        return false;
    }
    c->name = pkt_strndup(&ps->s->arena, ps->text, ps->tlen);
    pkt_next(ps);
    if (!pkt_expect_punct(ps, '(', "after the system call's name"))
        return false;
    struct pkt_expr args = {0};
    while (!pkt_is_punct(ps, ')')) {
        struct pkt_expr *a = pkt_parse_expr(ps, 0);
        if (!a || !pkt_add_kid(ps, &args, a))
            return false;
        if (!pkt_is_punct(ps, ','))
            break;
        pkt_next(ps);
    }
    if (!pkt_expect_punct(ps, ')', "to close the arguments") || !pkt_expect_punct(ps, '=', "before the result"))
        return false;
    c->args = args.kids;
    c->nargs = args.nkids;
    if (!(c->result = pkt_parse_expr(ps, 0)))
        return false;
    pkt_peek(ps);
    if (ps->tok == TK_WORD) { /* only an errno name follows a result */
        c->err = pkt_strndup(&ps->s->arena, ps->text, ps->tlen);
        int line = ps->tline;
        pkt_next(ps);
        int64_t v;
        if (pkt_symbol(c->err, &v) != 0 || !pkt_errno_name((int)v)) {
            pkt_error(ps, line, "unknown errno name '%s'", c->err);
            return false;
        }
    }
    /* the note: "(Connection refused)", "(flags O_RDWR)": any text up to ')' on the line */
    if (!ps->have) {
        while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
            ps->p++;
        if (ps->p < ps->end && *ps->p == '(') {
            while (ps->p < ps->end && *ps->p != ')' && *ps->p != '\n')
                ps->p++;
            if (ps->p < ps->end && *ps->p == ')')
                ps->p++;
        }
    } else if (pkt_is_punct(ps, '(')) {
        ps->have = false;
        while (ps->p < ps->end && *ps->p != ')' && *ps->p != '\n')
            ps->p++;
        if (ps->p < ps->end && *ps->p == ')')
            ps->p++;
    }
    return true;
}

/* ---- the script ------------------------------------------------------------------------------ */

static struct pkt_event *
pkt_new_event(struct pkt_parser *ps)
{
    struct pkt_script *s = ps->s;
    if (s->nev == s->capev) {
        size_t cap = s->capev ? 2 * s->capev : 32;
        struct pkt_event *v = realloc(s->ev, cap * sizeof *v);
        if (!v) {
            pkt_error(ps, ps->tline, "out of memory");
            return NULL;
        }
        s->ev = v;
        s->capev = cap;
    }
    struct pkt_event *e = &s->ev[s->nev++];
    memset(e, 0, sizeof *e);
    return e;
}

/* --name=value lines before the events. */
static bool
pkt_parse_option_line(struct pkt_parser *ps)
{
    char line[128];
    size_t n = ps->tlen < sizeof line - 1 ? ps->tlen : sizeof line - 1;
    memcpy(line, ps->text, n);
    line[n] = '\0';
    int l = ps->tline;
    pkt_next(ps);
    char *eq = strchr(line, '=');
    const char *val = eq ? eq + 1 : "";
    if (eq)
        *eq = '\0';
    char *endp;
    if (strcmp(line, "--tolerance_usecs") == 0 || strcmp(line, "--tolerance_percent") == 0) {
        errno = 0;
        long long v = strtoll(val, &endp, 10);
        if (!*val || *endp || errno || v < 0 || v > 100000000) {
            pkt_error(ps, l, "bad value '%s' for %s (an integer)", val, line);
            return false;
        }
        if (line[12] == 'u')
            ps->s->tolerance_us = v;
        else
            ps->s->tolerance_percent = (int)(v > 1000 ? 1000 : v);
    } else if (strcmp(line, "--ip_version") == 0) {
        if (strcmp(val, "ipv4") != 0)
            pkt_unsupported(ps, l, strcmp(val, "ipv6") == 0 ? "IPv6" : "IPv4-mapped IPv6");
    } else if (strcmp(line, "--mss") == 0 || strcmp(line, "--mtu") == 0 || strcmp(line, "--tso") == 0 ||
               strcmp(line, "--gso") == 0) {
        pkt_unsupported(ps, l, "the device's MTU, TSO or GSO (--mtu, --mss, --tso, --gso)");
    } else if (strcmp(line, "--tcp_ts_tick_usecs") == 0) {
        errno = 0;
        long long v = strtoll(val, &endp, 10);
        if (!*val || *endp || errno || v < 0 || v > 100000000) {
            pkt_error(ps, l, "bad value '%s' for %s (an integer)", val, line);
            return false;
        }
        ps->s->ts_tick_us = v;
    } else if (strcmp(line, "--strict_segments") == 0 || strcmp(line, "--verbose") == 0 ||
               strcmp(line, "--wait_before_close") == 0 || strcmp(line, "--send_omit_free") == 0 ||
               strcmp(line, "--local_ip") == 0 || strcmp(line, "--remote_ip") == 0 ||
               strcmp(line, "--tcp_ts_ecr_scaled") == 0) {
        /* knobs of packetdrill itself, and the addresses, which no line of the script names */
    } else {
        char *what = pkt_alloc(&ps->s->arena, strlen(line) + 40);
        if (what)
            sprintf(what, "the packetdrill option %s", line);
        pkt_unsupported(ps, l, what ? what : "a packetdrill option");
    }
    return true;
}

static bool
pkt_parse_events(struct pkt_parser *ps)
{
    bool any = false;
    for (;;) {
        pkt_peek(ps);
        if (ps->failed)
            return false;
        if (ps->tok == TK_EOF)
            return true;
        if (ps->tok == TK_OPTION && !any) {
            if (!pkt_parse_option_line(ps))
                return false;
            continue;
        }
        if (ps->tok == TK_SHELL) {
            /* the init command before the events, or the cleanup command after them */
            struct pkt_event *e = pkt_new_event(ps);
            if (!e)
                return false;
            e->kind = PKT_EV_SHELL;
            e->line = ps->tline;
            e->time = any ? PKT_TIME_REL : PKT_TIME_ABS;
            if (!(e->shell = pkt_strndup(&ps->s->arena, ps->text, ps->tlen)))
                return false;
            pkt_next(ps);
            continue;
        }
        if (ps->tok == TK_CODE) {
            pkt_unsupported(ps, ps->tline, "Python code blocks %{ }%");
            pkt_next(ps);
            continue;
        }
        struct pkt_event *e = pkt_new_event(ps);
        if (!e || !pkt_parse_time(ps, e))
            return false;
        any = true;
        pkt_peek(ps);
        char buf[64];
        if (ps->tok == TK_PUNCT && (ps->punct == '<' || ps->punct == '>')) {
            e->kind = PKT_EV_PACKET;
            bool skipped;
            if (!pkt_parse_packet(ps, e, &skipped))
                return false;
            if (skipped) {
                ps->s->nev--; /* not TCP */
                continue;
            }
        } else if (ps->tok == TK_WORD || ps->tok == TK_ELLIPSIS) {
            e->kind = PKT_EV_SYSCALL;
            if (!pkt_parse_syscall(ps, e))
                return false;
        } else if (ps->tok == TK_SHELL) {
            e->kind = PKT_EV_SHELL;
            if (!(e->shell = pkt_strndup(&ps->s->arena, ps->text, ps->tlen)))
                return false;
            pkt_next(ps);
        } else if (ps->tok == TK_CODE) {
            pkt_unsupported(ps, ps->tline, "Python code blocks %{ }%");
            pkt_next(ps);
            ps->s->nev--;
            continue;
        } else {
            pkt_error(ps, ps->tline, "expected a packet (< or >), a system call or a command after the time, but found %s",
                      pkt_tok_desc(ps, buf, sizeof buf));
            return false;
        }
        bool range = e->time == PKT_TIME_ANY || e->time == PKT_TIME_ABS_RANGE || e->time == PKT_TIME_REL_RANGE;
        if (range && !(e->kind == PKT_EV_PACKET && e->pkt.outbound)) {
            pkt_error(ps, e->line, "event time %s can only be used with outbound packets",
                      e->time == PKT_TIME_ANY ? "<star>" : "range");
            return false;
        }
    }
}

int
pkt_parse(const char *text, size_t len, const char *path, struct pkt_script **out, char *err, size_t errcap)
{
    *out = NULL;
    if (errcap)
        err[0] = '\0';
    struct pkt_script *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errcap, "%s: out of memory", path);
        return -1;
    }
    s->tolerance_us = 4000; /* packetdrill's default --tolerance_usecs */
    struct pkt_parser ps = {.start = text, .p = text, .end = text + len, .line = 1, .path = path, .s = s, .err = err, .errcap = errcap};
    s->path = pkt_strndup(&s->arena, path, strlen(path));
    if (!s->path) {
        snprintf(err, errcap, "%s: out of memory", path);
        pkt_script_free(s);
        return -1;
    }
    if (memchr(text, '\0', len)) {
        int line = 1;
        for (const char *q = text; *q; q++)
            line += *q == '\n';
        pkt_error(&ps, line, "a NUL character in the script");
    } else if (pkt_parse_events(&ps)) {
        /* the first event is at time 0, as packetdrill requires */
        size_t i = 0;
        while (i < s->nev && s->ev[i].kind == PKT_EV_SHELL && s->ev[i].time == PKT_TIME_ABS && s->ev[i].us == 0)
            i++;
        if (i < s->nev && s->ev[i].time == PKT_TIME_ABS && s->ev[i].us != 0)
            pkt_error(&ps, s->ev[i].line, "first event should be at time 0");
        int64_t last = -1;
        for (size_t j = 0; j < s->nev && !ps.failed; j++) {
            const struct pkt_event *e = &s->ev[j];
            if (e->time == PKT_TIME_ABS || e->time == PKT_TIME_ABS_RANGE) {
                if (e->us < last && e->kind != PKT_EV_SHELL)
                    pkt_error(&ps, e->line, "time goes backward in script from %lld usec to %lld usec", (long long)last,
                              (long long)e->us);
                last = e->us;
            }
        }
    }
    if (!ps.failed && !(s->text = pkt_strndup(&s->arena, text, len)))
        pkt_error(&ps, 1, "out of memory");
    if (ps.failed) {
        pkt_script_free(s);
        return -1;
    }
    s->text_len = len;
    *out = s;
    return 0;
}


int
pkt_parse_file(const char *path, struct pkt_script **out, char *err, size_t errcap)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    for (size_t got = 1; buf && got > 0;) {
        if (n == cap) {
            char *nb = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (!buf || bad) {
        snprintf(err, errcap, "%s: %s", path, !buf ? "too large or out of memory" : "read error");
        free(buf);
        return -1;
    }
    int rc = pkt_parse(buf, n, path, out, err, errcap);
    free(buf);
    return rc;
}
