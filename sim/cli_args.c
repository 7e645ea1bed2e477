/*
 * cli_args.c - what the program's commands share: options parsed by getopt_long, as users of
 * GNU tools expect (--seed=5 and --seed 5 alike, options before or after the operands, "--"
 * ending the options, unique prefixes of long names), values checked strictly, errors worded
 * as GNU tools word them, --version, finding the installed scenario library, and whole reads
 * and writes on a file descriptor.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tcpsim/tcpsim.h"

int
cli_args_init(struct cli_args *a, const char *prog, const struct option *longopts, int argc, char **argv)
{
    *a = (struct cli_args){.prog = prog, .longopts = longopts, .argc = argc + 1, .longindex = -1};
    a->argv = calloc((size_t)argc + 2, sizeof *a->argv);
    if (!a->argv)
        return -1;
    /* getopt_long names the program by argv[0] in its messages, and permutes argv (the
       pointers, never the strings), so it works on a copy */
    a->argv[0] = (char *)prog;
    for (int i = 0; i < argc; i++)
        a->argv[i + 1] = argv[i];
    /* glibc: optind = 0 starts a new scan, forgetting a previous command's state */
    optind = 0;
    opterr = 1;
    return 0;
}

void
cli_args_free(struct cli_args *a)
{
    free(a->argv);
    a->argv = NULL;
}

int
cli_args_next(struct cli_args *a, const char *shortopts)
{
    a->longindex = -1;
    return getopt_long(a->argc, a->argv, shortopts, a->longopts, &a->longindex);
}

int
cli_try_help(const struct cli_args *a)
{
    fprintf(stderr, "Try '%s --help' for more information.\n", a->prog);
    return CLI_EXIT_USAGE;
}

int
cli_usage_error(const struct cli_args *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", a->prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return cli_try_help(a);
}

int
cli_bad_value(const struct cli_args *a, const char *expected)
{
    /* The option as written: the word before a separate value ("--seed abc"), else the word
       holding it ("--seed=abc", "-j0"); a long one by its full name, even when abbreviated. */
    const char *word = a->argv[optind - 1];
    if (word == optarg && optind >= 2)
        word = a->argv[optind - 2];
    char name[64];
    if (strncmp(word, "--", 2) == 0 && a->longindex >= 0)
        snprintf(name, sizeof name, "--%s", a->longopts[a->longindex].name);
    else
        snprintf(name, sizeof name, "%.2s", word);
    fprintf(stderr, "%s: invalid %s '%s': expected %s\n", a->prog, name, optarg ? optarg : "", expected);
    return cli_try_help(a);
}

int
cli_seed_arg(const struct cli_args *a, unsigned long long *seed)
{
    if (cli_parse_u64(optarg, 0, ULLONG_MAX, seed) != 0)
        return cli_bad_value(a, "an integer from 0 to 18446744073709551615");
    return -1;
}

int
cli_preset_arg(const struct cli_args *a, enum tcp_preset *preset)
{
    int v = tcp_preset_parse(optarg);
    if (v < 0)
        return cli_bad_value(a, "linux or rfc");
    *preset = (enum tcp_preset)v;
    return -1;
}

int
cli_parse_u64(const char *s, unsigned long long min, unsigned long long max, unsigned long long *out)
{
    /* strtoull alone would take " 5", "+5", "-1" (as 2^64-1) and clamp an overflow */
    if (!s || !*s || strspn(s, "0123456789") != strlen(s))
        return -1;
    errno = 0;
    unsigned long long n = strtoull(s, NULL, 10);
    if (errno == ERANGE || n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

void
cli_version(FILE *f)
{
    fprintf(f, "tcpsim %s\n"
               "License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n"
               "This is free software: you are free to change and redistribute it.\n"
               "There is NO WARRANTY, to the extent permitted by law.\n",
            TCPSIM_VERSION);
}

const char *
cli_library(const char *rel, char *buf, size_t cap)
{
    if (access(rel, R_OK) == 0)
        return rel;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    /* BIN/tcpsim -> BIN/../share/tcpsim/REL */
    int len = snprintf(buf, cap, "%s/../share/tcpsim/%s", exe, rel);
    if (len < 0 || (size_t)len >= cap || access(buf, R_OK) != 0)
        return NULL;
    return buf;
}

bool
cli_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

char *
cli_path_join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s%s%s", dir, cli_ends_with(dir, "/") ? "" : "/", name);
    return p;
}

const char *
cli_scenario_name(const char *path, char *buf, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (cli_ends_with(base, ".lua") || cli_ends_with(base, ".pkt"))
        n -= 4;
    snprintf(buf, cap, "%.*s", (int)n, base);
    return buf;
}

/* The loop of cli_write_all and cli_read_all. */
static int
cli_fd_all(int fd, char *c, size_t n, bool rd)
{
    while (n > 0) {
        ssize_t k = rd ? read(fd, c, n) : write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

int
cli_write_all(int fd, const void *p, size_t n)
{
    return cli_fd_all(fd, (char *)(uintptr_t)p, n, false);
}

int
cli_read_all(int fd, void *p, size_t n)
{
    return cli_fd_all(fd, p, n, true);
}
