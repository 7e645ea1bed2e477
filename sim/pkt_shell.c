/*
 * pkt_shell.c - the commands in a packetdrill script's backticks: sysctl lines (and
 * set_sysctls.py, and the lines of the common defaults.sh include) set the SUT host's
 * settings of those names; `sleep` lets the clock run; a queueing discipline, an MTU or a
 * program that opens sockets of its own (a local client) makes the script unsupported; anything else is ignored with a warning, since tcpsim runs no shell.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_internal.h"

/* ---- backtick commands ------------------------------------------------------------------------ */

/* The unit a Linux sysctl's value is in, for a tcpsim time setting: most are seconds,
   tcp_invalid_ratelimit is milliseconds. */
static double
pkt_sysctl_scale(const char *name)
{
    return strcmp(name, "tcp_invalid_ratelimit") == 0 ? 0.001 : 1.0;
}

/* Shell arithmetic of a sysctl value, "$((15*1024*1024))": integers with + - * /, the usual
   precedence. false when it is anything else. */
static bool
pkt_arith(const char **p, long long *out, int level)
{
    long long v = 0;
    while (**p == ' ')
        (*p)++;
    if (level == 2) {
        if (**p == '(') {
            (*p)++;
            if (!pkt_arith(p, &v, 0) || **p != ')')
                return false;
            (*p)++;
        } else {
            char *end;
            v = strtoll(*p, &end, 10);
            if (end == *p || v > (1LL << 40))
                return false;
            *p = end;
        }
        while (**p == ' ')
            (*p)++;
        *out = v;
        return true;
    }
    if (!pkt_arith(p, &v, level + 1))
        return false;
    for (;;) {
        char op = **p;
        if (!(level == 0 ? op == '+' || op == '-' : op == '*' || op == '/'))
            break;
        (*p)++;
        long long w;
        if (!pkt_arith(p, &w, level + 1) || (op == '/' && w == 0))
            return false;
        v = op == '+' ? v + w : op == '-' ? v - w : op == '*' ? v * w : v / w;
        if (v > (1LL << 40) || v < -(1LL << 40))
            return false;
    }
    *out = v;
    return true;
}

/* 'val' with each $((...)) replaced by its value, into 'out'; false when one is not simple
   arithmetic. */
static bool
pkt_expand(const char *val, char *out, size_t cap)
{
    size_t at = 0;
    while (*val && at + 1 < cap) {
        if (strncmp(val, "$((", 3) == 0) {
            const char *p = val + 3;
            long long v;
            if (!pkt_arith(&p, &v, 0) || strncmp(p, "))", 2) != 0)
                return false;
            int m = snprintf(out + at, cap - at, "%lld", v);
            if (m < 0 || (size_t)m >= cap - at)
                return false;
            at += (size_t)m;
            val = p + 2;
        } else if (*val == '$' || *val == '`') {
            return false;
        } else {
            out[at++] = *val++;
        }
    }
    out[at] = '\0';
    return *val == '\0';
}

static void
pkt_sysctl(struct pkt_runner *r, int line, const char *assign)
{
    char name[96], raw[192], val[192];
    const char *eq = strchr(assign, '=');
    if (!eq || (size_t)(eq - assign) >= sizeof name) {
        pkt_warn(r, line, "ignored sysctl argument '%s'", assign);
        return;
    }
    memcpy(name, assign, (size_t)(eq - assign));
    name[eq - assign] = '\0';
    snprintf(raw, sizeof raw, "%s", eq + 1);
    /* unquote "4096 87380 6291456" */
    size_t vl = strlen(raw);
    if (vl >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw[vl - 1] == raw[0]) {
        memmove(raw, raw + 1, vl - 2);
        raw[vl - 2] = '\0';
    }
    /* /proc/sys/net/ipv4/tcp_x (set_sysctls.py) and net/ipv4/tcp_x are net.ipv4.tcp_x */
    if (strncmp(name, "/proc/sys/", 10) == 0)
        memmove(name, name + 10, strlen(name + 10) + 1);
    for (char *c = name; *c; c++)
        if (*c == '/')
            *c = '.';
    const char *key = NULL;
    if (strncmp(name, "net.ipv4.tcp_", 13) == 0)
        key = name + 9;
    else if (strcmp(name, "net.core.somaxconn") == 0)
        key = "somaxconn";
    const struct tcp_setting_info *info = key ? tcp_setting_find(key) : NULL;
    if (info) {
        if (!pkt_expand(raw, val, sizeof val)) {
            pkt_warn(r, line, "sysctl %s: cannot read the value '%s'", name, raw);
            return;
        }
        enum tcp_err te;
        if (info->kind == TCP_SET_TIME) {
            /* Linux's unit: seconds, or milliseconds for tcp_invalid_ratelimit */
            char *end;
            double v = strtod(val, &end);
            te = *end || end == val ? TCP_EINVAL : tcp_setting_set(&r->sut->cfg, info, v * pkt_sysctl_scale(key));
        } else {
            te = tcp_setting_parse(&r->sut->cfg, info, val);
        }
        if (te != TCP_OK)
            pkt_warn(r, line, "sysctl %s=%s is not a value tcpsim takes for %s; ignored", name, val, key);
        return;
    }
    for (int i = 0; i < r->nwarned; i++)
        if (strcmp(r->warned[i], name) == 0)
            return;
    if (r->nwarned < PKT_MAX_WARN) {
        char *copy = malloc(strlen(name) + 1);
        if (copy) {
            strcpy(copy, name);
            r->warned[r->nwarned++] = copy;
        }
    }
    pkt_warn(r, line, "sysctl %s is not a setting tcpsim models; ignored", name);
}

/* One command line: "sysctl -q A=1 B=2", a defaults.sh include, or anything else (ignored). */
static void pkt_shell_text(struct pkt_runner *r, int line, const char *text, int depth);

static void
pkt_shell_line(struct pkt_runner *r, int line, char *cmd, int depth)
{
    while (*cmd == ' ' || *cmd == '\t')
        cmd++;
    size_t n = strlen(cmd);
    while (n && (cmd[n - 1] == ' ' || cmd[n - 1] == '\t' || cmd[n - 1] == '\r'))
        cmd[--n] = '\0';
    if (!*cmd || *cmd == '#')
        return;
    /* a comment at the end of the line */
    char *hash = strstr(cmd, " #");
    if (hash)
        *hash = '\0';
    const char *helper = strstr(cmd, "set_sysctls.py ");
    if (strncmp(cmd, "sysctl ", 7) == 0 || helper) {
        char *save = NULL;
        char *tok = strtok_r(helper ? (char *)helper + 15 : cmd + 7, " \t", &save);
        for (; tok; tok = strtok_r(NULL, " \t", &save)) {
            if (tok[0] == '-')
                continue; /* -q, -w, -e */
            if (tok[0] == '>' || strcmp(tok, "2>&1") == 0)
                break;
            /* a quoted value with blanks: glue it back */
            char buf[192];
            const char *eq = strchr(tok, '=');
            if (eq && (eq[1] == '"' || eq[1] == '\'') && (strlen(eq + 1) < 2 || tok[strlen(tok) - 1] != eq[1])) {
                snprintf(buf, sizeof buf, "%s", tok);
                char *more;
                while ((more = strtok_r(NULL, " \t", &save))) {
                    size_t bl = strlen(buf);
                    snprintf(buf + bl, sizeof buf - bl, " %s", more);
                    if (more[strlen(more) - 1] == eq[1])
                        break;
                }
                pkt_sysctl(r, line, buf);
            } else {
                pkt_sysctl(r, line, tok);
            }
        }
        return;
    }
    /* the device and the route: tcpsim's wire has no MTU and no queueing discipline; pfifo,
       which packetdrill's defaults.sh installs, is what the wire does anyway, but not one
       with a limit ("pfifo limit 0" drops every segment before it leaves the host) */
    if (strncmp(cmd, "tc ", 3) == 0 && strstr(cmd, "qdisc") && (!strstr(cmd, "pfifo") || strstr(cmd, " limit "))) {
        pkt_unsupported_at(r, line, "queueing disciplines (%s)", cmd);
        return;
    }
    if (strncmp(cmd, "ip ", 3) == 0 && strstr(cmd, " mtu ")) {
        pkt_unsupported_at(r, line, "the route's or the device's MTU (%s)", cmd);
        return;
    }
    if (strncmp(cmd, "sleep ", 6) == 0) {
        /* the command takes that long: the clock goes on meanwhile, as on the kernel */
        char *end;
        double secs = strtod(cmd + 6, &end);
        while (*end == ' ')
            end++;
        if (*end || !(secs >= 0 && secs <= 3600)) {
            pkt_warn(r, line, "shell command ignored: %s", cmd);
            return;
        }
        pkt_sleep(r, secs);
        return;
    }
    const char *base = strrchr(cmd, '/');
    base = base ? base + 1 : cmd;
    if (strcmp(base, "defaults.sh") == 0 && depth == 0) {
        /* the common include: its file beside the script's folder, read as the script's own lines */
        char path[4096];
        const char *slash = strrchr(r->s->path, '/');
        if (cmd[0] == '/')
            snprintf(path, sizeof path, "%s", cmd);
        else
            snprintf(path, sizeof path, "%.*s%s", slash ? (int)(slash - r->s->path + 1) : 0, r->s->path, cmd);
        FILE *fp = fopen(path, "r");
        if (!fp) {
            pkt_warn(r, line, "cannot read %s (%s); its settings are not applied", path, strerror(errno));
            return;
        }
        char *buf = malloc(65536);
        size_t got = buf ? fread(buf, 1, 65535, fp) : 0;
        fclose(fp);
        if (!buf)
            return;
        buf[got] = '\0';
        pkt_shell_text(r, line, buf, depth + 1);
        free(buf);
        return;
    }
    pkt_warn(r, line, "shell command ignored: %s", cmd);
}

/* One piece of a command line; inside an if ... fi (skipping > 0) nothing runs: tcpsim
   cannot tell which branch the shell would take. */
static void
pkt_shell_piece(struct pkt_runner *r, int line, char *piece, int depth, int *skipping)
{
    while (*piece == ' ' || *piece == '\t')
        piece++;
    if (strncmp(piece, "if ", 3) == 0 || strncmp(piece, "while ", 6) == 0 || strncmp(piece, "for ", 4) == 0) {
        if ((*skipping)++ == 0)
            pkt_warn(r, line, "shell command ignored: %s ...", piece);
        return;
    }
    if (*skipping > 0) {
        if (strncmp(piece, "fi", 2) == 0 || strncmp(piece, "done", 4) == 0)
            (*skipping)--;
        return;
    }
    pkt_shell_line(r, line, piece, depth);
}

/* Does the command 'text' run a program of its own that opens sockets, a local client of the
   SUT (a Python one-liner, nc)? The script's segments then meet connections tcpsim never
   makes: without them it tests something else, so it is unsupported, not run half
   (tests/linux/listen-accept-queue-full-third-ack.pkt fills the accept queue that way). */
static bool
pkt_shell_client(struct pkt_runner *r, int line, const char *text)
{
    static const char *const tools[] = {"nc ", "ncat ", "socat ", "telnet ", NULL};
    const char *at = NULL;
    const char *py = strstr(text, "python");
    if (py && strstr(py, "socket"))
        at = py;
    for (size_t i = 0; tools[i] && !at; i++) {
        const char *p = strstr(text, tools[i]);
        if (p && (p == text || strchr(" \t\n;&|(`", p[-1])))
            at = p;
    }
    if (!at)
        return false;
    size_t len = strcspn(at, "\n;&|");
    pkt_unsupported_at(r, line, "a program run from the shell that opens sockets (%.*s)", (int)(len > 60 ? 60 : len), at);
    return true;
}

static void
pkt_shell_text(struct pkt_runner *r, int line, const char *text, int depth)
{
    if (pkt_shell_client(r, line, text))
        return;
    size_t n = strlen(text);
    char *copy = malloc(n + 1);
    if (!copy)
        return;
    memcpy(copy, text, n + 1);
    /* a backslash at the end of a line continues it */
    for (char *c = copy; (c = strstr(c, "\\\n"));)
        c[0] = c[1] = ' ';
    int skipping = 0;
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n;", &save); l && !r->done; l = strtok_r(NULL, "\n;", &save)) {
        /* "a && b", and "a & b" (a in the background) */
        char *amp;
        while ((amp = strchr(l, '&'))) {
            if (amp > l && amp[-1] == '>') { /* 2>&1 */
                amp[0] = ' ';
                continue;
            }
            *amp = '\0';
            pkt_shell_piece(r, line, l, depth, &skipping);
            l = amp + (amp[1] == '&' ? 2 : 1);
        }
        pkt_shell_piece(r, line, l, depth, &skipping);
    }
    free(copy);
}

void
pkt_sys_shell(struct pkt_runner *r, const struct pkt_event *e)
{
    pkt_shell_text(r, e->line, e->shell, 0);
}
