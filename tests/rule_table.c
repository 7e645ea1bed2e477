/*
 * rule_table.c - the table of every rule id and what it means in docs/lua-api.md, for a
 * scenario's rule_id checks and a goals file's rule = "..." goals, kept true to
 * include/tcpsim/tcp_rules.h: one row per rule in the header's order (NONE left out: no code
 * applies it), its id, where a reader finds it, and its text.
 *
 * The table sits between the lines RULE_TABLE_BEGIN and RULE_TABLE_END of the page.
 *
 * usage: rule_table            check, from the repository's top; exit 1 when it differs
 *        rule_table --write    rewrite the table
 * Run by `make rule-table-check` (part of make test); `make rule-table` writes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/tcp_rules.h"

#define PAGE "docs/lua-api.md"
#define RULE_TABLE_BEGIN "<!-- rule table: make rule-table writes it from include/tcpsim/tcp_rules.h -->\n"
#define RULE_TABLE_END "<!-- end of rule table -->\n"

/* A growable string. */
struct buf {
    char *s;
    size_t len, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s) {
            perror("rule_table");
            exit(2);
        }
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* Markdown text: '<' would open a tag ("<SEQ=ISS>"), '|' would end a cell. */
static void
buf_md(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            buf_str(b, "&lt;");
        else if (*s == '|')
            buf_str(b, "\\|");
        else
            buf_add(b, s, 1);
    }
}

/* The whole of 'path', NUL-terminated; exits when it cannot be read. */
static char *
read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "rule_table: cannot read %s (run from the repository's top)\n", path);
        exit(2);
    }
    struct buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    if (!b.s)
        buf_add(&b, "", 0);
    return b.s;
}

/* The table, from the rules compiled into the library. */
static void
rule_table(struct buf *b)
{
    buf_str(b, "| Rule id | Where | What it says |\n|---|---|---|\n");
    for (int r = 1; r < TCP_RULE_COUNT; r++) {
        const char *section = tcp_rule_section((enum tcp_rule)r);
        buf_str(b, "| `");
        buf_str(b, tcp_rule_name((enum tcp_rule)r));
        buf_str(b, "` | ");
        if (section[0] >= '0' && section[0] <= '9')
            buf_str(b, "RFC 9293 "); /* a bare section number is RFC 9293's */
        buf_md(b, section);
        buf_str(b, " | ");
        buf_md(b, tcp_rule_text((enum tcp_rule)r));
        buf_str(b, " |\n");
    }
}

int
main(int argc, char **argv)
{
    bool write = argc > 1 && strcmp(argv[1], "--write") == 0;
    char *page = read_all(PAGE);
    char *begin = strstr(page, RULE_TABLE_BEGIN);
    char *end = begin ? strstr(begin, RULE_TABLE_END) : NULL;
    if (!begin || !end) {
        fprintf(stderr, "rule_table: %s has no rule table (the lines %.*s and %.*s)\n", PAGE,
                (int)strlen(RULE_TABLE_BEGIN) - 1, RULE_TABLE_BEGIN, (int)strlen(RULE_TABLE_END) - 1, RULE_TABLE_END);
        return 1;
    }
    begin += strlen(RULE_TABLE_BEGIN);
    struct buf table = {0};
    rule_table(&table);
    bool same = (size_t)(end - begin) == table.len && memcmp(begin, table.s, table.len) == 0;
    int rc = 0;
    if (write && !same) {
        FILE *f = fopen(PAGE, "wb");
        if (!f || fwrite(page, 1, (size_t)(begin - page), f) != (size_t)(begin - page) ||
            fwrite(table.s, 1, table.len, f) != table.len || fputs(end, f) == EOF || fclose(f) != 0) {
            fprintf(stderr, "rule_table: could not write %s\n", PAGE);
            rc = 2;
        } else {
            printf("rule_table: %s: the rule table rewritten (%d rules)\n", PAGE, TCP_RULE_COUNT - 1);
        }
    } else if (!same) {
        fprintf(stderr, "rule_table: FAIL %s: the rule table differs from include/tcpsim/tcp_rules.h "
                        "(make rule-table rewrites it)\n", PAGE);
        rc = 1;
    } else {
        printf("rule_table: %s lists the %d rules of tcp_rules.h\n", PAGE, TCP_RULE_COUNT - 1);
    }
    free(table.s);
    free(page);
    return rc;
}
