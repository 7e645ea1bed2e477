/*
 * pkt_parse.h - what the parts of the packetdrill script parser share: the scanner
 * (pkt_lex.c), the segment lines (pkt_parse_seg.c) and the rest of the grammar (pkt_parse.c).
 */
#ifndef TCPSIM_PKT_PARSE_H
#define TCPSIM_PKT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpsim/pkt.h"

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

/* The script's memory: 'n' zeroed octets, or a copy of 's' with a NUL; NULL when out of
   memory. */
void *pkt_alloc(struct pkt_arena **a, size_t n);
char *pkt_strndup(struct pkt_arena **a, const char *s, size_t n);

/* "PATH:LINE: error: ..." into the parser's message (the first one only). */
void pkt_error(struct pkt_parser *ps, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Record the first thing the script needs that tcpsim does not model. */
void pkt_unsupported(struct pkt_parser *ps, int line, const char *what);

/* The scanner: the current token (scanned when needed), its kind and text. */
void pkt_lex(struct pkt_parser *ps);
void pkt_peek(struct pkt_parser *ps);
bool pkt_is_punct(struct pkt_parser *ps, char c);
bool pkt_is_word(struct pkt_parser *ps, const char *w);
void pkt_next(struct pkt_parser *ps);
/* What the current token is, for "expected X but found Y". */
const char *pkt_tok_desc(struct pkt_parser *ps, char *buf, size_t cap);
bool pkt_expect_punct(struct pkt_parser *ps, char c, const char *where);
/* An unsigned integer up to 'max' ('what' names it in the error). */
bool pkt_expect_uint(struct pkt_parser *ps, int64_t max, const char *what, int64_t *out);

/* pkt_parse_seg.c: the segment line after its time, the current token being '<' or '>';
   '*skipped' when it is no TCP segment (a UDP or ICMP line, recorded as unsupported). */
bool pkt_parse_packet(struct pkt_parser *ps, struct pkt_event *e, bool *skipped);

#endif
