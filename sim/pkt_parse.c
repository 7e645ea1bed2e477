/*
 * pkt_parse.c - the packetdrill script language, the subset tcpsim runs (docs/packetdrill-run.md).
 *
 * A hand-written scanner and recursive-descent parser for packetdrill's grammar (its
 * parser.y/lexer.l, read for the syntax only): options lines (--tolerance_usecs=N), an
 * optional init command in backticks, then events, each a time and an action:
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

#include "tcpsim/pkt.h"

/* ---- arena ------------------------------------------------------------------------------------- */

struct pkt_arena {
    struct pkt_arena *next;
    size_t used, cap;
    max_align_t data[];
};

static void *
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

static char *
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

enum pkt_tok {
    TK_EOF,
    TK_NUM,      /* 12, 0.5, .01, 0x10 */
    TK_WORD,     /* SOCK_STREAM, ack, connect */
    TK_STR,      /* "text" */
    TK_ELLIPSIS, /* ... */
    TK_SHELL,    /* `text` */
    TK_OPTION,   /* --name=value at the start of a line */
    TK_CODE,     /* %{ python }% */
    TK_PUNCT,    /* one character: + < > ( ) [ ] { } , = : | * ~ - . ; */
};

struct pkt_parser {
    const char *start, *p, *end;
    int line;
    const char *path;
    struct pkt_script *s;
    /* the current token */
    bool have;
    enum pkt_tok tok;
    int tline;               /* its line */
    const char *text;        /* its text, 'tlen' octets (TK_STR, TK_SHELL: the inside) */
    size_t tlen;
    char punct;
    bool is_float;
    double fnum;
    int64_t inum;
    bool num_ok;             /* the number fits */
    /* the error */
    char *err;
    size_t errcap;
    bool failed;
};

static void pkt_error(struct pkt_parser *ps, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
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
static void
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
static void
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

static void
pkt_peek(struct pkt_parser *ps)
{
    if (!ps->have)
        pkt_lex(ps);
}

static bool
pkt_is_punct(struct pkt_parser *ps, char c)
{
    pkt_peek(ps);
    return ps->tok == TK_PUNCT && ps->punct == c;
}

static bool
pkt_is_word(struct pkt_parser *ps, const char *w)
{
    pkt_peek(ps);
    return ps->tok == TK_WORD && ps->tlen == strlen(w) && memcmp(ps->text, w, ps->tlen) == 0;
}

static void
pkt_next(struct pkt_parser *ps)
{
    pkt_peek(ps);
    ps->have = false;
}

/* What the current token is, for "expected X but found Y". */
static const char *
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

static bool
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
static bool
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

/* ---- times ---------------------------------------------------------------------------------- */

/* Seconds, integer or decimal, into microseconds. */
static bool
pkt_time_value(struct pkt_parser *ps, int64_t *us)
{
    pkt_peek(ps);
    char buf[64];
    if (ps->tok != TK_NUM) {
        pkt_error(ps, ps->tline, "expected a time (seconds) but found %s", pkt_tok_desc(ps, buf, sizeof buf));
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

/* ---- packets ---------------------------------------------------------------------------------- */

/* The flags word right after '<' or '>', read from the text itself: '.' is ACK here, which
   the scanner would take for a number's point. */
static bool
pkt_parse_flags(struct pkt_parser *ps, struct pkt_packet *k, int line, bool *skipped)
{
    *skipped = false;
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
        ps->p++;
    if (ps->p < ps->end && *ps->p == '[') {
        pkt_unsupported(ps, line, "IP header fields in [ ] (ECN, TOS, TTL, flow label)");
        while (ps->p < ps->end && *ps->p != ']' && *ps->p != '\n')
            ps->p++;
        if (ps->p < ps->end && *ps->p == ']')
            ps->p++;
        while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
            ps->p++;
    }
    if (ps->p < ps->end && isdigit((unsigned char)*ps->p)) {
        /* explicit ports: the source, '>', the destination (packetdrill's opt_port_info) */
        unsigned long v[2] = {0, 0};
        for (int i = 0; i < 2; i++) {
            const char *b = ps->p;
            while (ps->p < ps->end && isdigit((unsigned char)*ps->p) && ps->p - b < 6)
                v[i] = v[i] * 10 + (unsigned long)(*ps->p++ - '0');
            if (ps->p == b || v[i] == 0 || v[i] > 65535 || (i == 0 && (ps->p >= ps->end || *ps->p != '>'))) {
                pkt_error(ps, line, "bad ports (SOURCE>DESTINATION, each from 1 to 65535)");
                return false;
            }
            if (i == 0)
                ps->p++;
        }
        k->has_ports = true;
        k->peer_port = (uint16_t)(k->outbound ? v[1] : v[0]);
        k->sut_port = (uint16_t)(k->outbound ? v[0] : v[1]);
        while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
            ps->p++;
    }
    const char *b = ps->p;
    while (ps->p < ps->end && strchr("FSRP.EWUA", *ps->p) && *ps->p)
        ps->p++;
    size_t n = (size_t)(ps->p - b);
    if (ps->p < ps->end && (isalnum((unsigned char)*ps->p) || *ps->p == '_')) {
        /* udp, icmp, gre, ... */
        const char *w = b;
        while (ps->p < ps->end && (isalnum((unsigned char)*ps->p) || *ps->p == '_'))
            ps->p++;
        size_t wn = (size_t)(ps->p - w);
        static const char *const other[] = {"udp", "icmp", "gre", "mpls", "encap", "psp", "udplite", NULL};
        const char *what = NULL;
        for (size_t i = 0; other[i] && !what; i++)
            if (wn == strlen(other[i]) && memcmp(w, other[i], wn) == 0)
                what = i == 0 || i == 6 ? "UDP packets" : i == 1 ? "ICMP packets" : "tunnelled or encapsulated packets";
        if (what) {
            pkt_unsupported(ps, line, what);
            /* skip the rest of the line: tcpsim will not run it */
            while (ps->p < ps->end && *ps->p != '\n')
                ps->p++;
            ps->have = false;
            k->flags = 0;
            *skipped = true;
            return true;
        }
        pkt_error(ps, line, "bad TCP flags '%.*s' (the flags are F S R P . E W U A)", (int)(wn > 40 ? 40 : wn), w);
        return false;
    }
    if (n == 0 && ps->p < ps->end && *ps->p == '-') {
        ps->p++; /* "-": no flags at all */
        ps->have = false;
        return true;
    }
    if (n == 0) {
        pkt_error(ps, line, "expected TCP flags (S, S., ., P., F., R, R. ..., or - for none) after '%c'",
                  k->outbound ? '>' : '<');
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        switch (b[i]) {
        case 'F': k->flags |= TCP_FIN; break;
        case 'S': k->flags |= TCP_SYN; break;
        case 'R': k->flags |= TCP_RST; break;
        case 'P': k->flags |= TCP_PSH; break;
        case '.': k->flags |= TCP_ACK; break;
        case 'U': k->flags |= TCP_URG; pkt_unsupported(ps, line, "urgent data (URG)"); break;
        case 'E':
        case 'W':
        case 'A': pkt_unsupported(ps, line, "ECN (flags E, W, A)"); break;
        default: break;
        }
    }
    ps->have = false;
    return true;
}

/* One option of a <...> list. */
static bool
pkt_parse_option(struct pkt_parser *ps, struct pkt_packet *k)
{
    int64_t v = 0, v2 = 0;
    int line = ps->tline;
    char buf[64];
    if (k->nkinds == (int)sizeof k->kinds) {
        pkt_error(ps, line, "more TCP options than fit in a header");
        return false;
    }
    /* the kind (RFC 9293 3.2, RFC 7323, RFC 2018), for the layout; 0xff for one not modelled */
    static const struct {
        const char *name;
        uint8_t kind;
    } kinds[] = {{"eol", 0}, {"nop", 1}, {"mss", 2}, {"wscale", 3}, {"sackOK", 4}, {"sack", 5}, {"TS", 8}};
    k->kinds[k->nkinds] = 0xff;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (pkt_is_word(ps, kinds[i].name))
            k->kinds[k->nkinds] = kinds[i].kind;
    k->nkinds++;
    if (pkt_is_word(ps, "nop") || pkt_is_word(ps, "eol")) {
        pkt_next(ps);
    } else if (pkt_is_word(ps, "mss")) {
        pkt_next(ps);
        if (!pkt_expect_uint(ps, 65535, "the MSS", &v))
            return false;
        k->mss = (uint16_t)v;
        k->opt.present |= TCP_OPT_MSS;
    } else if (pkt_is_word(ps, "wscale")) {
        pkt_next(ps);
        if (!pkt_expect_uint(ps, 255, "the window scale", &v))
            return false;
        k->opt.wscale = (uint8_t)v;
        k->opt.present |= TCP_OPT_WSCALE;
    } else if (pkt_is_word(ps, "sackOK")) {
        pkt_next(ps);
        k->opt.present |= TCP_OPT_SACK_OK;
    } else if (pkt_is_word(ps, "sack")) {
        pkt_next(ps);
        k->opt.present |= TCP_OPT_SACK;
        while ((pkt_peek(ps), ps->tok == TK_NUM)) {
            if (!pkt_expect_uint(ps, UINT32_MAX, "a SACK block's start", &v) ||
                !pkt_expect_punct(ps, ':', "in a SACK block") ||
                !pkt_expect_uint(ps, UINT32_MAX, "a SACK block's end", &v2))
                return false;
            if (k->opt.nsack == TCP_SACK_MAX) {
                pkt_error(ps, line, "more than %d SACK blocks", TCP_SACK_MAX);
                return false;
            }
            k->opt.sack[k->opt.nsack].left = (uint32_t)v;
            k->opt.sack[k->opt.nsack].right = (uint32_t)v2;
            k->opt.nsack++;
        }
    } else if (pkt_is_word(ps, "TS")) {
        pkt_next(ps);
        if (!pkt_is_word(ps, "val")) {
            pkt_error(ps, ps->tline, "expected 'val' after TS but found %s", pkt_tok_desc(ps, buf, sizeof buf));
            return false;
        }
        pkt_next(ps);
        if (!pkt_expect_uint(ps, UINT32_MAX, "TS val", &v))
            return false;
        if (!pkt_is_word(ps, "ecr")) {
            pkt_error(ps, ps->tline, "expected 'ecr' after TS val but found %s", pkt_tok_desc(ps, buf, sizeof buf));
            return false;
        }
        pkt_next(ps);
        if (!pkt_expect_uint(ps, UINT32_MAX, "TS ecr", &v2))
            return false;
        k->opt.tsval = (uint32_t)v;
        k->opt.tsecr = (uint32_t)v2;
        k->opt.present |= TCP_OPT_TS;
    } else if (ps->tok == TK_WORD) {
        /* FO (fast open), md5, mptcp, exp, ...: not modelled; skip to the next ',' or '>' */
        static const char *const names[] = {"FO", "FOEXP", "md5", "mptcp", "exp", "tarr", "acc", "ao"};
        const char *what = "a TCP option tcpsim does not model";
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (pkt_is_word(ps, names[i]))
                what = i < 2 ? "TCP fast open (option FO)" : i == 2 ? "TCP MD5 signatures" : i == 3 ? "MPTCP" : what;
        pkt_unsupported(ps, line, what);
        while (!ps->failed && !pkt_is_punct(ps, ',') && !pkt_is_punct(ps, '>') && ps->tok != TK_EOF && ps->tline == line)
            pkt_next(ps);
    } else {
        pkt_error(ps, ps->tline, "expected a TCP option (nop, mss, wscale, sackOK, sack, TS) but found %s",
                  pkt_tok_desc(ps, buf, sizeof buf));
        return false;
    }
    return true;
}

static bool
pkt_parse_packet(struct pkt_parser *ps, struct pkt_event *e, bool *skipped)
{
    struct pkt_packet *k = &e->pkt;
    k->outbound = ps->punct == '>';
    int line = ps->tline;
    pkt_next(ps);
    if (!pkt_parse_flags(ps, k, line, skipped))
        return false;
    if (*skipped)
        return true; /* a UDP/ICMP line */
    int64_t seq = 0, end = 0, len = 0, v = 0;
    if (!pkt_expect_uint(ps, UINT32_MAX, "the sequence number", &seq) ||
        !pkt_expect_punct(ps, ':', "between the sequence numbers (SEQ:END(LEN))") ||
        !pkt_expect_uint(ps, UINT32_MAX, "the end sequence number", &end) ||
        !pkt_expect_punct(ps, '(', "before the length (SEQ:END(LEN))") ||
        !pkt_expect_uint(ps, 1 << 30, "the payload length", &len) || !pkt_expect_punct(ps, ')', "after the length"))
        return false;
    if ((uint32_t)(end - seq) != (uint32_t)len) {
        pkt_error(ps, line, "inconsistent segment: %lld:%lld is %lld octets, not %lld", (long long)seq, (long long)end,
                  (long long)(uint32_t)(end - seq), (long long)len);
        return false;
    }
    k->seq = (uint32_t)seq;
    k->end = (uint32_t)end;
    k->len = (uint32_t)len;
    for (;;) {
        pkt_peek(ps);
        if (ps->tline != line && ps->tok != TK_PUNCT)
            break;
        if (pkt_is_word(ps, "ack")) {
            pkt_next(ps);
            if (!pkt_expect_uint(ps, UINT32_MAX, "the ACK number", &v))
                return false;
            k->has_ack = true;
            k->ack = (uint32_t)v;
        } else if (pkt_is_word(ps, "win")) {
            pkt_next(ps);
            if (!pkt_expect_uint(ps, 65535, "the window", &v))
                return false;
            k->has_win = true;
            k->win = (uint32_t)v;
        } else if (pkt_is_word(ps, "urg")) {
            pkt_next(ps);
            if (!pkt_expect_uint(ps, 65535, "the urgent pointer", &v))
                return false;
            pkt_unsupported(ps, line, "urgent data (urg)");
        } else if (pkt_is_punct(ps, '<') && ps->tline == line) {
            pkt_next(ps);
            if (k->opts_mode != PKT_OPTS_NONE) {
                pkt_error(ps, line, "two option lists");
                return false;
            }
            pkt_peek(ps);
            if (ps->tok == TK_ELLIPSIS) {
                pkt_next(ps);
                k->opts_mode = PKT_OPTS_ANY;
            } else {
                k->opts_mode = PKT_OPTS_LIST;
                for (;;) {
                    if (!pkt_parse_option(ps, k))
                        return false;
                    if (!pkt_is_punct(ps, ','))
                        break;
                    pkt_next(ps);
                }
            }
            if (!pkt_expect_punct(ps, '>', "after the TCP options"))
                return false;
        } else if (pkt_is_punct(ps, '(') && ps->tline == line) {
            /* packetdrill's (ecn ...) / (flowlabel ...) annotations */
            pkt_unsupported(ps, line, "IP header annotations in ( )");
            while (!ps->failed && !pkt_is_punct(ps, ')') && ps->tok != TK_EOF)
                pkt_next(ps);
            pkt_next(ps);
        } else {
            break;
        }
    }
    if (!k->has_win && !k->outbound) {
        pkt_error(ps, line, "window must be specified for inbound packets");
        return false;
    }
    return !ps->failed;
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
    if (ps.failed) {
        pkt_script_free(s);
        return -1;
    }
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
