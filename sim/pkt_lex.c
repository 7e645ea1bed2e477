/*
 * pkt_lex.c - the scanner of packetdrill scripts (pkt_parse.c is the grammar): numbers (a
 * '.' that starts "..." is not a decimal point), words, strings, commands in backticks,
 * option lines (--name=value at the start of a line), Python blocks, punctuation; comments
 * (//, C comments, #) skipped. And the script's memory: one arena, freed at once.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_parse.h"

/* ---- arena ------------------------------------------------------------------------------------- */

struct pkt_arena {
    struct pkt_arena *next;
    size_t used, cap;
    max_align_t data[];
};

void *
pkt_alloc(struct pkt_arena **a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!*a || (*a)->cap - (*a)->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        struct pkt_arena *c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = *a;
        c->used = 0;
        c->cap = cap;
        *a = c;
    }
    void *p = (char *)(*a)->data + (*a)->used;
    (*a)->used += n;
    memset(p, 0, n);
    return p;
}

char *
pkt_strndup(struct pkt_arena **a, const char *s, size_t n)
{
    char *d = pkt_alloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void
pkt_script_free(struct pkt_script *s)
{
    if (!s)
        return;
    struct pkt_arena *a = s->arena;
    free(s->ev);
    free(s);
    while (a) {
        struct pkt_arena *n = a->next;
        free(a);
        a = n;
    }
}

/* ---- scanner --------------------------------------------------------------------------------- */


void
pkt_error(struct pkt_parser *ps, int line, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = true;
    int n = snprintf(ps->err, ps->errcap, "%s:%d: error: ", ps->path, line);
    if (n < 0 || (size_t)n >= ps->errcap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err + n, ps->errcap - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Record the first thing the script needs that tcpsim does not model. */
void
pkt_unsupported(struct pkt_parser *ps, int line, const char *what)
{
    if (!ps->s->unsupported) {
        ps->s->unsupported = what;
        ps->s->unsupported_line = line;
    }
}

/* Skip blanks, newlines and comments (// to the end of the line, C comments, # lines). */
static void
pkt_skip_space(struct pkt_parser *ps)
{
    while (ps->p < ps->end) {
        char c = *ps->p;
        if (c == '\n') {
            ps->line++;
            ps->p++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            ps->p++;
        } else if (c == '/' && ps->end - ps->p > 1 && ps->p[1] == '/') {
            while (ps->p < ps->end && *ps->p != '\n')
                ps->p++;
        } else if (c == '#') {
            while (ps->p < ps->end && *ps->p != '\n')
                ps->p++;
        } else if (c == '/' && ps->end - ps->p > 1 && ps->p[1] == '*') {
            ps->p += 2;
            while (ps->p < ps->end && !(*ps->p == '*' && ps->end - ps->p > 1 && ps->p[1] == '/')) {
                if (*ps->p == '\n')
                    ps->line++;
                ps->p++;
            }
            ps->p = ps->end - ps->p > 1 ? ps->p + 2 : ps->end;
        } else {
            break;
        }
    }
}

static bool
pkt_at_line_start(const struct pkt_parser *ps, const char *begin)
{
    const char *q = ps->p;
    while (q > begin && (q[-1] == ' ' || q[-1] == '\t'))
        q--;
    return q == begin || q[-1] == '\n';
}

/* A number: decimal digits with at most one '.' (not one that starts "..."), or 0x hex. */
static void
pkt_lex_number(struct pkt_parser *ps)
{
    const char *b = ps->p;
    bool dot = false;
    if (ps->end - ps->p > 2 && ps->p[0] == '0' && (ps->p[1] == 'x' || ps->p[1] == 'X') && isxdigit((unsigned char)ps->p[2])) {
        ps->p += 2;
        while (ps->p < ps->end && isxdigit((unsigned char)*ps->p))
            ps->p++;
    } else {
        while (ps->p < ps->end) {
            char c = *ps->p;
            if (isdigit((unsigned char)c)) {
                ps->p++;
            } else if (c == '.' && !dot && !(ps->end - ps->p > 1 && ps->p[1] == '.')) {
                dot = true;
                ps->p++;
            } else {
                break;
            }
        }
    }
    char buf[64];
    size_t n = (size_t)(ps->p - b);
    ps->tok = TK_NUM;
    ps->text = b;
    ps->tlen = n;
    ps->is_float = dot;
    ps->num_ok = n < sizeof buf;
    if (!ps->num_ok)
        return;
    memcpy(buf, b, n);
    buf[n] = '\0';
    errno = 0;
    if (dot) {
        ps->fnum = strtod(buf, NULL);
        ps->num_ok = errno == 0 && ps->fnum < 1e12;
    } else {
        unsigned long long v = strtoull(buf, NULL, 0);
        ps->num_ok = errno == 0 && v <= (unsigned long long)INT64_MAX;
        ps->inum = (int64_t)v;
        ps->fnum = (double)v;
    }
}

/* Scan the next token into the parser's current one. */
void
pkt_lex(struct pkt_parser *ps)
{
    pkt_skip_space(ps);
    ps->have = true;
    ps->tline = ps->line;
    ps->text = ps->p;
    ps->tlen = 0;
    if (ps->p >= ps->end) {
        ps->tok = TK_EOF;
        return;
    }
    char c = *ps->p;
    if (isdigit((unsigned char)c) || (c == '.' && ps->end - ps->p > 1 && isdigit((unsigned char)ps->p[1]))) {
        pkt_lex_number(ps);
    } else if (isalpha((unsigned char)c) || c == '_') {
        const char *b = ps->p;
        while (ps->p < ps->end && (isalnum((unsigned char)*ps->p) || *ps->p == '_'))
            ps->p++;
        ps->tok = TK_WORD;
        ps->text = b;
        ps->tlen = (size_t)(ps->p - b);
    } else if (c == '.' && ps->end - ps->p > 2 && ps->p[1] == '.' && ps->p[2] == '.') {
        ps->p += 3;
        ps->tok = TK_ELLIPSIS;
    } else if (c == '"' || c == '`') {
        const char *b = ++ps->p;
        while (ps->p < ps->end && *ps->p != c) {
            if (*ps->p == '\\' && ps->end - ps->p > 1 && c == '"')
                ps->p++;
            if (*ps->p == '\n')
                ps->line++;
            ps->p++;
        }
        if (ps->p >= ps->end) {
            pkt_error(ps, ps->tline, "unterminated %s", c == '"' ? "string" : "command (no closing `)");
            ps->tok = TK_EOF;
            return;
        }
        ps->tok = c == '"' ? TK_STR : TK_SHELL;
        ps->text = b;
        ps->tlen = (size_t)(ps->p - b);
        ps->p++;
    } else if (c == '-' && ps->end - ps->p > 2 && ps->p[1] == '-' && isalpha((unsigned char)ps->p[2]) &&
               pkt_at_line_start(ps, ps->start)) {
        const char *b = ps->p;
        while (ps->p < ps->end && !isspace((unsigned char)*ps->p))
            ps->p++;
        ps->tok = TK_OPTION;
        ps->text = b;
        ps->tlen = (size_t)(ps->p - b);
    } else if (c == '%' && ps->end - ps->p > 1 && ps->p[1] == '{') {
        ps->p += 2;
        while (ps->p < ps->end && !(*ps->p == '}' && ps->end - ps->p > 1 && ps->p[1] == '%')) {
            if (*ps->p == '\n')
                ps->line++;
            ps->p++;
        }
        ps->p = ps->end - ps->p > 1 ? ps->p + 2 : ps->end;
        ps->tok = TK_CODE;
    } else if (strchr("+<>()[]{},=:|*~-.;!&/", c)) {
        ps->p++;
        ps->tok = TK_PUNCT;
        ps->punct = c;
        ps->tlen = 1;
    } else {
        pkt_error(ps, ps->line, "unexpected character '%s%c'", isprint((unsigned char)c) ? "" : "\\x",
                  isprint((unsigned char)c) ? c : '?');
        ps->tok = TK_EOF;
    }
}

void
pkt_peek(struct pkt_parser *ps)
{
    if (!ps->have)
        pkt_lex(ps);
}

bool
pkt_is_punct(struct pkt_parser *ps, char c)
{
    pkt_peek(ps);
    return ps->tok == TK_PUNCT && ps->punct == c;
}

bool
pkt_is_word(struct pkt_parser *ps, const char *w)
{
    pkt_peek(ps);
    return ps->tok == TK_WORD && ps->tlen == strlen(w) && memcmp(ps->text, w, ps->tlen) == 0;
}

void
pkt_next(struct pkt_parser *ps)
{
    pkt_peek(ps);
    ps->have = false;
}

/* What the current token is, for "expected X but found Y". */
const char *
pkt_tok_desc(struct pkt_parser *ps, char *buf, size_t cap)
{
    pkt_peek(ps);
    switch (ps->tok) {
    case TK_EOF:
        return "the end of the script";
    case TK_NUM:
    case TK_WORD:
        snprintf(buf, cap, "'%.*s'", (int)(ps->tlen > 40 ? 40 : ps->tlen), ps->text);
        return buf;
    case TK_STR:
        return "a string";
    case TK_ELLIPSIS:
        return "'...'";
    case TK_SHELL:
        return "a command in backticks";
    case TK_OPTION:
        return "an option line";
    case TK_CODE:
        return "a %{ code }% block";
    case TK_PUNCT:
        snprintf(buf, cap, "'%c'", ps->punct);
        return buf;
    }
    return "?";
}

bool
pkt_expect_punct(struct pkt_parser *ps, char c, const char *where)
{
    if (pkt_is_punct(ps, c)) {
        pkt_next(ps);
        return true;
    }
    char buf[64];
    pkt_error(ps, ps->tline, "expected '%c' %s but found %s", c, where, pkt_tok_desc(ps, buf, sizeof buf));
    return false;
}

/* An unsigned integer that fits in 'max'. A name in its place is one of packetdrill's
   --define symbols, which tcpsim does not have: unsupported, read as 0. */
bool
pkt_expect_uint(struct pkt_parser *ps, int64_t max, const char *what, int64_t *out)
{
    pkt_peek(ps);
    char buf[64];
    if (ps->tok == TK_WORD) {
        pkt_unsupported(ps, ps->tline, "symbols defined on packetdrill's command line (--define)");
        *out = 0;
        pkt_next(ps);
        return true;
    }
    if (ps->tok != TK_NUM || ps->is_float) {
        pkt_error(ps, ps->tline, "expected %s (an integer) but found %s", what, pkt_tok_desc(ps, buf, sizeof buf));
        return false;
    }
    if (!ps->num_ok || ps->inum > max) {
        pkt_error(ps, ps->tline, "%s %.*s is out of range (at most %lld)", what, (int)(ps->tlen > 40 ? 40 : ps->tlen),
                  ps->text, (long long)max);
        return false;
    }
    *out = ps->inum;
    pkt_next(ps);
    return true;
}

const char *
pkt_script_line(const struct pkt_script *s, int line, size_t *len)
{
    const char *p = s->text, *end = s->text + s->text_len;
    for (int l = 1; p && p < end && l < line; l++) {
        p = memchr(p, '\n', (size_t)(end - p));
        p = p ? p + 1 : NULL;
    }
    if (!p || p >= end || line < 1)
        return NULL;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *len = (size_t)((nl ? nl : end) - p);
    return p;
}
