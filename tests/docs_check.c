/*
 * docs_check.c - the reference pages stay true to the code they describe.
 *
 *   docs/rfc-map.md   one row per rule of include/tcpsim/tcp_rules.h, with the rule's section
 *                     and text, the functions of sim/tcp_*.c that apply it (every function
 *                     that names TCP_RULE_<id>) and the tests that check it (every test_*
 *                     function of tests/test_*.c that names it).
 *   docs/settings.md  one row per setting of tcp_setting_table, with both presets' defaults.
 *   docs/lua-api.md   the table of every rule id and what it means (for a scenario's rule_id
 *                     checks and a goals file's rule = "..." goals), between the lines
 *                     RULE_TABLE_BEGIN and RULE_TABLE_END: one row per rule in the header's
 *                     order, its id, where a reader finds it, and its text.
 *
 * usage: docs_check            check, from the repository's top; exit 1 on any difference
 *        docs_check --write    rewrite rfc-map.md's generated columns (and add a row for a new
 *                              rule after the row of the rule before it in the header) and
 *                              lua-api.md's rule table
 * Run by `make docs-check` (part of make test); `make rfc-map` (or `make rule-table`) writes.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/tcp.h"
#include "tcpsim/tcp_rules.h"

#define RFC_MAP "docs/rfc-map.md"
#define SETTINGS "docs/settings.md"
#define LUA_API "docs/lua-api.md"
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
            perror("docs_check");
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

/* The whole of file 'path', NUL-terminated; exits when it cannot be read. */
static char *
read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "docs_check: cannot read %s (run from the repository's top)\n", path);
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

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The files of 'dir' whose names start with 'prefix' and end in ".c", sorted. */
static size_t
list_c_files(const char *dir, const char *prefix, char ***out)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "docs_check: cannot open %s/\n", dir);
        exit(2);
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || len < 2 || strcmp(e->d_name + len - 2, ".c") != 0)
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    *out = names;
    return n;
}

static bool
ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Does 'line' name TCP_RULE_<id> as a whole word? */
static bool
names_rule(const char *line, size_t len, const char *id)
{
    char word[80];
    snprintf(word, sizeof word, "TCP_RULE_%s", id);
    size_t wl = strlen(word);
    for (size_t i = 0; i + wl <= len; i++) {
        if (memcmp(line + i, word, wl) == 0 && (i + wl == len || !ident_char(line[i + wl]))
            && (i == 0 || !ident_char(line[i - 1])))
            return true;
    }
    return false;
}

/* The cell listing the functions of 'dir'/'prefix'*.c that name rule 'id', each once, in file
   order then line order: "`tcp_close` (tcp_user.c), ...", or "—". A function is found by
   its definition's name at the start of a line (the project's style: the type on the line
   before). With 'only_tests', only functions named test_*. */
static void
cell_for(const char *dir, const char *prefix, const char *id, bool only_tests, struct buf *cell)
{
    char **files;
    size_t nf = list_c_files(dir, prefix, &files);
    cell->len = 0;
    for (size_t i = 0; i < nf; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        char *text = read_all(path);
        char func[128] = "", last_added[128] = "";
        for (char *line = text; *line;) {
            char *end = strchr(line, '\n');
            size_t len = end ? (size_t)(end - line) : strlen(line);
            if (ident_char(line[0]) && !(line[0] >= '0' && line[0] <= '9')) {
                size_t k = 0;
                while (k < len && ident_char(line[k]))
                    k++;
                if (k < len && line[k] == '(' && k < sizeof func) {
                    memcpy(func, line, k);
                    func[k] = '\0';
                }
            }
            if (func[0] && names_rule(line, len, id) && strcmp(func, last_added) != 0
                && (!only_tests || strncmp(func, "test_", 5) == 0) && strcmp(func, "main") != 0) {
                char item[300];
                snprintf(item, sizeof item, "%s`%s` (%s)", cell->len ? ", " : "", func, files[i]);
                buf_str(cell, item);
                snprintf(last_added, sizeof last_added, "%s", func);
            }
            line += len + (end ? 1 : 0);
        }
        free(text);
        free(files[i]);
    }
    free(files);
    if (cell->len == 0)
        buf_str(cell, "—");
}

/* The rule's text as the page writes it: '<' as &lt; (a Markdown table would take it for HTML). */
static void
rule_text_md(enum tcp_rule r, struct buf *out)
{
    out->len = 0;
    for (const char *p = tcp_rule_text(r); *p; p++) {
        if (*p == '<')
            buf_str(out, "&lt;");
        else
            buf_add(out, p, 1);
    }
    if (!out->s)
        buf_add(out, "", 0);
}

/* The row that rfc-map.md should have for rule 'r'. */
static void
rfc_map_row(enum tcp_rule r, struct buf *row)
{
    const char *id = tcp_rule_name(r);
    struct buf text = {0}, applied = {0}, tests = {0};
    rule_text_md(r, &text);
    cell_for("sim", "tcp_", id, false, &applied);
    cell_for("tests", "test_", id, true, &tests);
    row->len = 0;
    buf_str(row, "| ");
    buf_str(row, tcp_rule_section(r));
    buf_str(row, " | `");
    buf_str(row, id);
    buf_str(row, "` | ");
    buf_str(row, text.s);
    buf_str(row, " | ");
    buf_str(row, applied.s);
    buf_str(row, " | ");
    buf_str(row, tests.s);
    buf_str(row, " |");
    free(text.s);
    free(applied.s);
    free(tests.s);
}

/* Cell 'k' (0-based) of the table row at 'line' into 'out', trimmed. */
static void
row_cell(const char *line, size_t len, int k, char *out, size_t cap)
{
    const char *p = line, *end = line + len;
    for (int i = 0; i <= k && p < end; i++) {
        p = memchr(p, '|', (size_t)(end - p));
        if (!p)
            break;
        p++;
    }
    out[0] = '\0';
    if (!p || p >= end)
        return;
    const char *q = memchr(p, '|', (size_t)(end - p));
    if (!q)
        q = end;
    while (p < q && *p == ' ')
        p++;
    while (q > p && q[-1] == ' ')
        q--;
    size_t n = (size_t)(q - p) < cap - 1 ? (size_t)(q - p) : cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* The table row of rule 'id' in 'doc' (its second cell is `ID`): where it starts and its
   length; '*count' says how many rows name the rule. */
static bool
find_row(const char *doc, const char *id, size_t *at, size_t *len, int *count)
{
    char want[96], cell[96];
    snprintf(want, sizeof want, "`%s`", id);
    *count = 0;
    for (const char *line = doc; *line;) {
        const char *end = strchr(line, '\n');
        size_t l = end ? (size_t)(end - line) : strlen(line);
        if (line[0] == '|') {
            row_cell(line, l, 1, cell, sizeof cell);
            if (strcmp(cell, want) == 0 && (*count)++ == 0) {
                *at = (size_t)(line - doc);
                *len = l;
            }
        }
        line += l + (end ? 1 : 0);
    }
    return *count > 0;
}

/* Rows naming a rule the header no longer has: an error, or with 'write' removed. */
static int
stale_rows(char **docp, bool write)
{
    int bad = 0;
    struct buf kept = {0};
    for (const char *line = *docp; *line;) {
        const char *end = strchr(line, '\n');
        size_t l = end ? (size_t)(end - line) : strlen(line);
        bool stale = false;
        char cell[96];
        if (line[0] == '|') {
            row_cell(line, l, 1, cell, sizeof cell);
            size_t n = strlen(cell);
            bool id = n > 2 && cell[0] == '`' && cell[n - 1] == '`';
            for (size_t i = 1; id && i + 1 < n; i++)
                id = (cell[i] >= 'A' && cell[i] <= 'Z') || (cell[i] >= '0' && cell[i] <= '9') || cell[i] == '_';
            if (id) {
                cell[n - 1] = '\0';
                stale = true;
                for (int r = 0; r < TCP_RULE_COUNT && stale; r++)
                    stale = strcmp(cell + 1, tcp_rule_name((enum tcp_rule)r)) != 0;
            }
        }
        if (stale && !write) {
            fprintf(stderr, "%s: a row names rule %s, which tcp_rules.h no longer has\n", RFC_MAP, cell + 1);
            bad++;
        }
        if (!stale)
            buf_add(&kept, line, l + (end ? 1 : 0));
        line += l + (end ? 1 : 0);
    }
    if (!kept.s)
        buf_add(&kept, "", 0);
    free(*docp);
    *docp = kept.s;
    return bad;
}

static int
check_rfc_map(bool write)
{
    char *doc = read_all(RFC_MAP);
    int bad = 0;
    struct buf row = {0};
    for (int r = 1; r < TCP_RULE_COUNT; r++) { /* NONE has no row: no code applies it */
        const char *id = tcp_rule_name((enum tcp_rule)r);
        rfc_map_row((enum tcp_rule)r, &row);
        size_t at = 0, len = 0;
        int count = 0;
        bool found = find_row(doc, id, &at, &len, &count);
        if (count > 1) {
            fprintf(stderr, "%s: rule %s has %d rows\n", RFC_MAP, id, count);
            bad++;
            continue;
        }
        if (found && len == row.len && memcmp(doc + at, row.s, len) == 0)
            continue;
        if (!write) {
            if (!found)
                fprintf(stderr, "%s: no row for rule %s; it should read:\n%s\n", RFC_MAP, id, row.s);
            else
                fprintf(stderr, "%s: the row of rule %s is out of date; it should read:\n%s\n", RFC_MAP, id, row.s);
            bad++;
            continue;
        }
        if (!found) {
            /* after the row of the rule before it, which exists: rules go in header order */
            size_t pat = 0, plen = 0;
            int pc = 0;
            if (!find_row(doc, tcp_rule_name((enum tcp_rule)(r - 1)), &pat, &plen, &pc)) {
                fprintf(stderr, "%s: cannot place rule %s: add its row by hand\n", RFC_MAP, id);
                bad++;
                continue;
            }
            at = pat + plen + 1;
            len = 0;
            buf_str(&row, "\n");
        }
        struct buf next = {0};
        buf_add(&next, doc, at);
        buf_add(&next, row.s, row.len);
        buf_str(&next, doc + at + len);
        free(doc);
        doc = next.s;
    }
    free(row.s);
    bad += stale_rows(&doc, write);
    if (write) {
        FILE *f = fopen(RFC_MAP, "wb");
        if (!f || fputs(doc, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "docs_check: cannot write %s\n", RFC_MAP);
            bad++;
        }
    }
    free(doc);
    return bad;
}

/* A default as settings.md writes it: %.15g, with a true minus sign. */
static void
setting_value_md(double v, char *out, size_t cap)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.15g", v);
    if (tmp[0] == '-')
        snprintf(out, cap, "\u2212%s", tmp + 1);
    else
        snprintf(out, cap, "%s", tmp);
}

static int
check_settings(void)
{
    char *doc = read_all(SETTINGS);
    int bad = 0;
    for (size_t i = 0; i < tcp_setting_count; i++) {
        const struct tcp_setting_info *s = &tcp_setting_table[i];
        char key[96];
        snprintf(key, sizeof key, "| `%s` |", s->name);
        int rows = 0;
        for (const char *line = doc; *line;) {
            const char *end = strchr(line, '\n');
            size_t l = end ? (size_t)(end - line) : strlen(line);
            if (strncmp(line, key, strlen(key)) == 0) {
                rows++;
                char lv[64], rv[64], want_l[64], want_r[64];
                row_cell(line, l, 3, lv, sizeof lv);
                row_cell(line, l, 4, rv, sizeof rv);
                setting_value_md(s->linux_value, want_l, sizeof want_l);
                setting_value_md(s->rfc_value, want_r, sizeof want_r);
                const int *l3 = tcp_setting_preset3(s, TCP_PRESET_LINUX), *r3 = tcp_setting_preset3(s, TCP_PRESET_RFC);
                if (l3 && r3) { /* a triple: "min default max" */
                    snprintf(want_l, sizeof want_l, "%d %d %d", l3[0], l3[1], l3[2]);
                    snprintf(want_r, sizeof want_r, "%d %d %d", r3[0], r3[1], r3[2]);
                }
                if (strcmp(lv, want_l) != 0 || strcmp(rv, want_r) != 0) {
                    fprintf(stderr, "%s: %s: the table says linux %s, rfc %s; the code has %s, %s\n", SETTINGS,
                            s->name, lv, rv, want_l, want_r);
                    bad++;
                }
            }
            line += l + (end ? 1 : 0);
        }
        if (rows != 1) {
            fprintf(stderr, "%s: setting %s has %d rows in the table (want 1)\n", SETTINGS, s->name, rows);
            bad++;
        }
    }
    free(doc);
    return bad;
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

/* lua-api.md's rule table, from the rules compiled into the library. */
static int
check_rule_table(bool write)
{
    char *page = read_all(LUA_API);
    char *begin = strstr(page, RULE_TABLE_BEGIN);
    char *end = begin ? strstr(begin, RULE_TABLE_END) : NULL;
    if (!begin || !end) {
        fprintf(stderr, "%s: no rule table (the lines %.*s and %.*s)\n", LUA_API, (int)strlen(RULE_TABLE_BEGIN) - 1,
                RULE_TABLE_BEGIN, (int)strlen(RULE_TABLE_END) - 1, RULE_TABLE_END);
        free(page);
        return 1;
    }
    begin += strlen(RULE_TABLE_BEGIN);
    struct buf table = {0};
    buf_str(&table, "| Rule id | Where | What it says |\n|---|---|---|\n");
    for (int r = 1; r < TCP_RULE_COUNT; r++) {
        const char *section = tcp_rule_section((enum tcp_rule)r);
        buf_str(&table, "| `");
        buf_str(&table, tcp_rule_name((enum tcp_rule)r));
        buf_str(&table, "` | ");
        if (section[0] >= '0' && section[0] <= '9')
            buf_str(&table, "RFC 9293 "); /* a bare section number is RFC 9293's */
        buf_md(&table, section);
        buf_str(&table, " | ");
        buf_md(&table, tcp_rule_text((enum tcp_rule)r));
        buf_str(&table, " |\n");
    }
    int bad = 0;
    bool same = (size_t)(end - begin) == table.len && memcmp(begin, table.s, table.len) == 0;
    if (!same && write) {
        FILE *f = fopen(LUA_API, "wb");
        if (!f || fwrite(page, 1, (size_t)(begin - page), f) != (size_t)(begin - page)
            || fwrite(table.s, 1, table.len, f) != table.len || fputs(end, f) == EOF || fclose(f) != 0) {
            fprintf(stderr, "docs_check: cannot write %s\n", LUA_API);
            bad++;
        }
    } else if (!same) {
        fprintf(stderr, "%s: the rule table differs from include/tcpsim/tcp_rules.h\n", LUA_API);
        bad++;
    }
    free(table.s);
    free(page);
    return bad;
}

int
main(int argc, char **argv)
{
    bool write = argc > 1 && strcmp(argv[1], "--write") == 0;
    if (argc > 2 || (argc == 2 && !write)) {
        fprintf(stderr, "usage: docs_check [--write]\n");
        return 2;
    }
    int bad = check_rfc_map(write) + check_settings() + check_rule_table(write);
    if (bad) {
        fprintf(stderr, "docs_check: %d difference%s between the docs and the code%s\n", bad, bad == 1 ? "" : "s",
                write ? "" : " (make rfc-map rewrites rfc-map.md's generated columns and lua-api.md's rule table)");
        return 1;
    }
    printf("docs_check: %s, %s and %s's rule table agree with the code\n", RFC_MAP, SETTINGS, LUA_API);
    return 0;
}
