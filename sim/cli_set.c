/*
 * cli_set.c - settings given on the command line, for grading "change exactly one setting":
 * the instructor owns the scenario, the student supplies only overrides.
 *
 *   --set NAME=VALUE      both hosts (A.NAME=VALUE, B.NAME=VALUE: one), NAME as in sysctl
 *   --settings FILE       one assignment a line, '#' comments
 *
 * Kept apart from the option parsing of cli_run.c and cli_test.c, which only hand each of
 * these options to cli_settings_add; the settings are applied to every scenario's runner in
 * the order given (lsim_fix_setting: they win over the scenario's own writes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

bool
cli_settings_option(const char *opt)
{
    return strcmp(opt, "--set") == 0 || strcmp(opt, "--settings") == 0;
}

int
cli_settings_add(struct cli_settings *s, const char *opt, const char *value)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? 2 * s->cap : 8;
        struct cli_setting *n = realloc(s->v, ncap * sizeof *n);
        if (!n)
            return -1;
        s->v = n;
        s->cap = ncap;
    }
    s->v[s->n++] = (struct cli_setting){value, strcmp(opt, "--settings") == 0};
    return 0;
}

int
cli_settings_apply(const struct cli_settings *s, struct lsim *l, char *err, size_t cap)
{
    for (size_t i = 0; i < s->n; i++) {
        int rc = s->v[i].file ? lsim_fix_settings_file(l, s->v[i].text, err, cap)
                              : lsim_fix_setting(l, s->v[i].text, err, cap);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int
cli_settings_check(const struct cli_settings *s, const char *prog)
{
    char err[600];
    if (s->n == 0)
        return 0;
    struct lsim *l = lsim_new(NULL);
    int rc = l ? cli_settings_apply(s, l, err, sizeof err) : -1;
    if (rc != 0)
        fprintf(stderr, "%s: %s\n", prog, l ? err : "out of memory");
    lsim_free(l);
    return rc;
}

void
cli_settings_free(struct cli_settings *s)
{
    free(s->v);
    *s = (struct cli_settings){0};
}
