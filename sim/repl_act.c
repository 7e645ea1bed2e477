/*
 * repl_act.c - the commands that act on the world: the socket calls (connect, listen, accept,
 * send, recv, close/shutdown/abort, keepalive, crash: RFC 9293 §3.10.1-§3.10.6 through tcp.h),
 * sysctl, and the wire (drop, delay, dup, inject, net).
 *
 * Each is a handler of repl_cmds[] (repl_cmds.c) marked 'acts': repl_exec calls it, and its
 * line is journaled and performed again when `back` rebuilds the world. A refused call prints
 * the error as the socket API names it ("connect: address already in use (EADDRINUSE)").
 *
 * Entry points (all through repl_cmds[]): repl_cmd_connect, repl_cmd_listen, repl_cmd_accept,
 * repl_cmd_send, repl_cmd_recv, repl_cmd_close, repl_cmd_keepalive, repl_cmd_crash,
 * repl_cmd_sysctl, repl_cmd_pkt, repl_cmd_inject, repl_cmd_net.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "repl_internal.h"

/* ---- arguments --------------------------------------------------------------------------------- */

/* The socket named by argv[1] of a command that takes one socket and nothing else ('more'
   further arguments allowed), or NULL after an error: its usage when the name is missing. */
static struct tcp_conn *
repl_sockarg(struct repl *r, int argc, char **argv, int more, const char *usage)
{
    if (argc < 2) {
        repl_err(r, "usage: %s (status lists the sockets)", usage);
        return NULL;
    }
    if (repl_no_more(r, argc, argv, 2 + more) != REPL_OK)
        return NULL;
    return repl_socket(r, argv[1]);
}

/* Every "key=value" or flag word from argv[from] on is one of 'keys' ("lport=", "reuse"):
   REPL_OK, or an error naming the first that is not. */
static enum repl_status
repl_opts_known(struct repl *r, int argc, char **argv, int from, const char *const *keys)
{
    for (int i = from; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        bool ok = false;
        for (const char *const *k = keys; *k && !ok; k++) {
            size_t kl = strlen(*k);
            if ((*k)[kl - 1] == '=')
                ok = eq && (size_t)(eq - argv[i]) + 1 == kl && strncasecmp(argv[i], *k, kl) == 0;
            else
                ok = !eq && strcasecmp(argv[i], *k) == 0;
        }
        if (!ok) {
            char list[160];
            size_t m = 0;
            list[0] = '\0';
            for (const char *const *k = keys; *k && m < sizeof list; k++)
                m += (size_t)snprintf(list + m, sizeof list - m, "%s%s", m ? ", " : "", *k);
            return repl_err(r, "%s: unknown %s \"%s\" (it takes %s)", argv[0], eq ? "option" : "argument", argv[i], list);
        }
    }
    return REPL_OK;
}

static struct tcp_host *
repl_hostarg(struct repl *r, const char *name)
{
    struct tcp_host *h = name ? world_host(r->w, name) : NULL;
    if (!h)
        repl_err(r, "no host \"%s\": the hosts are A (10.0.0.1) and B (10.0.0.2)", name ? name : "");
    return h;
}

/* "key=value" options after the positional arguments: the value of 'key', or NULL. */
static const char *
repl_opt(int argc, char **argv, int from, const char *key)
{
    size_t k = strlen(key);
    for (int i = from; i < argc; i++)
        if (strncasecmp(argv[i], key, k) == 0 && argv[i][k] == '=')
            return argv[i] + k + 1;
    return NULL;
}

/* "connect: address already in use (EADDRINUSE)": the words first, the errno after. */
static enum repl_status
repl_call_result(struct repl *r, const char *call, enum tcp_err e)
{
    if (e == TCP_OK)
        return REPL_OK;
    return repl_err(r, "%s: %s (%s)", call, tcp_err_text(e), tcp_err_name(e));
}

/* ---- socket calls ------------------------------------------------------------------------------ */

enum repl_status
repl_cmd_connect(struct repl *r, int argc, char **argv)
{
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    struct tcp_host *h, *peer;
    struct tcp_conn *c;
    uint64_t port, v;
    const char *s;
    static const char *const keys[] = {"lport=", "isn=", "reuse", NULL};
    if (argc < 4)
        return repl_err(r, "usage: A connect B PORT [lport=N] [isn=N] [reuse]");
    if (!(h = repl_hostarg(r, argv[1])) || !(peer = repl_hostarg(r, argv[2])) ||
        repl_num(r, argv[3], 65535, "port", &port) != 0 || repl_opts_known(r, argc, argv, 4, keys) != REPL_OK)
        return REPL_ERR;
    /* The wire joins A and B only: a SYN "to itself" would travel to the other host, which
       would answer for an address not its own. The Lua API refuses it too. */
    if (h == peer)
        return repl_err(r, "connect: %s cannot connect to itself here: the wire joins A and B only (%s connect %s %llu)",
                        h->name, h->name, r->w->host[1 - h->index].name, (unsigned long long)port);
    if ((s = repl_opt(argc, argv, 4, "lport"))) {
        if (repl_num(r, s, 65535, "lport", &v) != 0)
            return REPL_ERR;
        o.lport = (int)v;
    }
    if ((s = repl_opt(argc, argv, 4, "isn"))) {
        if (repl_num(r, s, UINT32_MAX, "isn", &v) != 0)
            return REPL_ERR;
        o.isn = (int64_t)v;
    }
    for (int i = 4; i < argc; i++)
        if (strcasecmp(argv[i], "reuse") == 0)
            o.reuseaddr = true;
    return repl_call_result(r, "connect", tcp_open_active(h, peer->addr, (uint16_t)port, &o, &c));
}

enum repl_status
repl_cmd_listen(struct repl *r, int argc, char **argv)
{
    struct tcp_open_opts o = TCP_OPEN_OPTS_DEFAULT;
    struct tcp_host *h;
    struct tcp_conn *c;
    uint64_t port, v;
    const char *s;
    static const char *const keys[] = {"backlog=", "isn=", NULL};
    if (argc < 3)
        return repl_err(r, "usage: B listen PORT [backlog=N] [isn=N]");
    if (!(h = repl_hostarg(r, argv[1])) || repl_num(r, argv[2], 65535, "port", &port) != 0 ||
        repl_opts_known(r, argc, argv, 3, keys) != REPL_OK)
        return REPL_ERR;
    if ((s = repl_opt(argc, argv, 3, "backlog"))) {
        if (repl_num(r, s, 65535, "backlog", &v) != 0)
            return REPL_ERR;
        o.backlog = (int)v;
    }
    if ((s = repl_opt(argc, argv, 3, "isn"))) {
        if (repl_num(r, s, UINT32_MAX, "isn", &v) != 0)
            return REPL_ERR;
        o.isn = (int64_t)v;
    }
    return repl_call_result(r, "listen", tcp_open_passive(h, (uint16_t)port, &o, &c));
}

enum repl_status
repl_cmd_accept(struct repl *r, int argc, char **argv)
{
    struct tcp_conn *l = repl_sockarg(r, argc, argv, 0, "accept SOCK"), *c = NULL;
    if (!l)
        return REPL_ERR;
    enum tcp_err e = tcp_accept(l, &c);
    if (e == TCP_OK && !c)
        fprintf(r->out, "%s: no connection is ready to be accepted yet\n", l->name);
    return repl_call_result(r, "accept", e);
}

enum repl_status
repl_cmd_send(struct repl *r, int argc, char **argv)
{
    char buf[4096];
    size_t n = 0, queued = 0;
    if (argc < 3)
        return repl_err(r, "usage: send SOCK TEXT (quotes and \\n allowed)");
    struct tcp_conn *c = repl_socket(r, argv[1]);
    if (!c)
        return REPL_ERR;
    for (int i = 2; i < argc; i++) {
        int k = snprintf(buf + n, sizeof buf - n, "%s%s", i > 2 ? " " : "", argv[i]);
        if (k < 0 || (size_t)k >= sizeof buf - n)
            return repl_err(r, "send: text too long (%zu octets at most)", sizeof buf - 1);
        n += (size_t)k;
    }
    enum tcp_err e = tcp_send(c, buf, n, &queued);
    if (e == TCP_OK && queued < n)
        fprintf(r->out, "%s: the send buffer took %zu of %zu octets\n", c->name, queued, n);
    return repl_call_result(r, "send", e);
}

enum repl_status
repl_cmd_recv(struct repl *r, int argc, char **argv)
{
    struct tcp_conn *c = repl_sockarg(r, argc, argv, 1, "recv SOCK [N]");
    uint8_t buf[4096];
    uint64_t max = sizeof buf;
    size_t got = 0;
    if (!c || (argc >= 3 && repl_num(r, argv[2], sizeof buf, "length", &max) != 0))
        return REPL_ERR;
    if (max == 0)
        return repl_err(r, "recv: a length of 0 reads nothing (recv %s alone reads what is there)", c->name);
    enum tcp_err e = tcp_receive(c, buf, (size_t)max, &got);
    if (e == TCP_EOF) {
        fprintf(r->out, "%s: end of stream (the peer sent FIN and everything before it was read)\n", c->name);
        return REPL_OK;
    }
    if (e == TCP_OK) {
        fprintf(r->out, "%s: %zu octets \"", c->name, got);
        for (size_t i = 0; i < got; i++)
            fprintf(r->out, isprint(buf[i]) && buf[i] != '"' && buf[i] != '\\' ? "%c" : "\\x%02x", buf[i]);
        fprintf(r->out, "\"\n");
    }
    return repl_call_result(r, "recv", e);
}

enum repl_status
repl_cmd_close(struct repl *r, int argc, char **argv)
{
    char usage[32];
    snprintf(usage, sizeof usage, "%s SOCK", argv[0]);
    struct tcp_conn *c = repl_sockarg(r, argc, argv, 0, usage);
    if (!c)
        return REPL_ERR;
    switch (argv[0][0]) {
    case 's': return repl_call_result(r, "shutdown", tcp_shutdown(c));
    case 'a': return repl_call_result(r, "abort", tcp_abort(c));
    default: return repl_call_result(r, "close", tcp_close(c));
    }
}

enum repl_status
repl_cmd_keepalive(struct repl *r, int argc, char **argv)
{
    if (argc < 3 || (strcasecmp(argv[2], "on") != 0 && strcasecmp(argv[2], "off") != 0))
        return repl_err(r, "usage: keepalive SOCK on|off");
    struct tcp_conn *c = repl_sockarg(r, argc, argv, 1, "keepalive SOCK on|off");
    if (!c)
        return REPL_ERR;
    return repl_call_result(r, "keepalive", tcp_set_keepalive(c, strcasecmp(argv[2], "on") == 0));
}

enum repl_status
repl_cmd_crash(struct repl *r, int argc, char **argv)
{
    if (argc < 2)
        return repl_err(r, "usage: crash HOST (A or B)");
    struct tcp_host *h = repl_no_more(r, argc, argv, 2) == REPL_OK ? repl_hostarg(r, argv[1]) : NULL;
    if (!h)
        return REPL_ERR;
    tcp_host_crash(h);
    fprintf(r->out, "%s crashed: every TCB forgotten, nothing sent (RFC 9293 3.5.2)\n", h->name);
    return REPL_OK;
}

static void
repl_sysctl_show(struct repl *r, const struct tcp_host *h, const struct tcp_setting_info *s)
{
    char v[64];
    fprintf(r->out, "%s %-22s %-10s %s\n", h->name, s->name, tcp_setting_str(&h->cfg, s, v, sizeof v), s->doc);
}

enum repl_status
repl_cmd_sysctl(struct repl *r, int argc, char **argv)
{
    if (argc < 2)
        return repl_err(r, "usage: sysctl HOST [NAME [VALUE]]");
    /* a triple (tcp_rmem, tcp_wmem) takes three values: sysctl A tcp_rmem 4096 131072 6291456 */
    const struct tcp_setting_info *s = argc == 6 ? tcp_setting_find(argv[2]) : NULL;
    bool three = s && s->kind == TCP_SET_TRIPLE;
    struct tcp_host *h = repl_no_more(r, argc, argv, three ? 6 : 4) == REPL_OK ? repl_hostarg(r, argv[1]) : NULL;
    if (!h)
        return REPL_ERR;
    if (argc == 2) {
        for (size_t i = 0; i < tcp_setting_count; i++)
            repl_sysctl_show(r, h, &tcp_setting_table[i]);
        return REPL_OK;
    }
    if (!(s = tcp_setting_find(argv[2])))
        return repl_err(r, "sysctl: no setting \"%s\" (sysctl %s lists them)", argv[2], h->name);
    if (three) {
        char text[96];
        snprintf(text, sizeof text, "%s %s %s", argv[3], argv[4], argv[5]);
        if (tcp_setting_parse(&h->cfg, s, text) != TCP_OK)
            return repl_err(r, "sysctl: %s wants min default max, in order, each in [%g, %g]", s->name, s->min, s->max);
    } else if (argc >= 4) {
        char *end;
        double v = strtod(argv[3], &end);
        if (*end || end == argv[3])
            return repl_err(r, "sysctl: bad value \"%s\" (durations in seconds)", argv[3]);
        if (tcp_setting_set(&h->cfg, s, v) != TCP_OK)
            return repl_err(r, "sysctl: %s must lie in [%g, %g]", s->name, s->min, s->max);
    }
    repl_sysctl_show(r, h, s);
    return REPL_OK;
}

/* ---- the wire --------------------------------------------------------------------------------- */

enum repl_status
repl_cmd_pkt(struct repl *r, int argc, char **argv)
{
    uint64_t id;
    bool delay = strcmp(argv[0], "delay") == 0;
    if (argc < (delay ? 3 : 2))
        return repl_err(r, "usage: %s ID%s (wire lists the ids)", argv[0], delay ? " DURATION" : "");
    if (repl_no_more(r, argc, argv, delay ? 3 : 2) != REPL_OK ||
        repl_num(r, argv[1], UINT64_MAX, "segment id", &id) != 0)
        return REPL_ERR;
    if (!wire_find(r->w, id))
        return repl_err(r, "%s: no segment #%llu in flight (wire lists them)", argv[0], (unsigned long long)id);
    if (strcmp(argv[0], "drop") == 0) {
        wire_drop_id(r->w, id, "dropped at the prompt");
    } else if (strcmp(argv[0], "dup") == 0) {
        uint64_t copy = wire_dup_id(r->w, id);
        if (!copy)
            return repl_err(r, "dup: out of memory");
    } else {
        clk_time d;
        if (repl_time_arg(r, "delay", argv[2], "delay 3 2s", &d) != 0)
            return REPL_ERR;
        wire_delay_id(r->w, id, d);
    }
    return REPL_OK;
}

enum repl_status
repl_cmd_inject(struct repl *r, int argc, char **argv)
{
    struct tcp_seg seg;
    struct tcp_host *h = argc >= 2 ? world_host(r->w, argv[1]) : NULL;
    struct tcp_conn *c = argc >= 2 && !h ? world_conn_by_name(r->w, argv[1]) : NULL;
    static const char *const keys[] = {"seq", "ack", "win", "sport", "dport"};
    static const char *const known[] = {"seq=", "ack=", "win=", "sport=", "dport=", "data=", NULL};
    uint64_t v[5];
    const char *s;
    if (argc < 3)
        return repl_err(r, "usage: inject SOCK|HOST FLAGS [seq=N] [ack=N] [win=N] [sport=N] [dport=N] [data=TEXT]");
    if (!h && !c)
        return repl_err(r, "inject: \"%s\" is neither a socket (status lists them) nor a host (A, B)", argv[1]);
    if (repl_opts_known(r, argc, argv, 3, known) != REPL_OK)
        return REPL_ERR;
    memset(&seg, 0, sizeof seg);
    if (tcp_flags_parse(argv[2], &seg.flags) != 0)
        return repl_err(r, "inject: bad flags \"%s\" (e.g. SYN, RST,ACK, S.)", argv[2]);
    if (c) {
        h = c->host;
        seg = (struct tcp_seg){.saddr = c->laddr, .daddr = c->raddr, .sport = c->lport, .dport = c->rport,
                               .seq = c->snd_nxt, .ack = c->rcv_nxt, .wnd = (uint16_t)tcp_rcv_window(c),
                               .flags = seg.flags};
    } else {
        seg.saddr = h->addr;
        seg.daddr = r->w->host[1 - h->index].addr;
        seg.wnd = 65535;
    }
    uint64_t def[5] = {seg.seq, seg.ack, seg.wnd, seg.sport, seg.dport};
    uint64_t max[5] = {UINT32_MAX, UINT32_MAX, 65535, 65535, 65535};
    for (int k = 0; k < 5; k++) {
        v[k] = def[k];
        if ((s = repl_opt(argc, argv, 3, keys[k])) && repl_num(r, s, max[k], keys[k], &v[k]) != 0)
            return REPL_ERR;
    }
    if (!c && (!repl_opt(argc, argv, 3, "sport") || !repl_opt(argc, argv, 3, "dport")))
        return repl_err(r, "inject from a host needs sport= and dport= (or name a socket)");
    seg.seq = (uint32_t)v[0];
    seg.ack = (uint32_t)v[1];
    seg.wnd = (uint16_t)v[2];
    seg.sport = (uint16_t)v[3];
    seg.dport = (uint16_t)v[4];
    if ((s = repl_opt(argc, argv, 3, "data"))) {
        seg.data = (const uint8_t *)s;
        seg.len = (uint32_t)strlen(s);
    }
    uint64_t id = wire_inject(r->w, h->index, &seg);
    fprintf(r->out, "injected #%llu from %s\n", (unsigned long long)id, h->name);
    return REPL_OK;
}

/* `net set [A>B|B>A] delay=1ms jitter=0 loss=0.1 dup=0 reorder=0 bandwidth=0` */
enum repl_status
repl_cmd_net(struct repl *r, int argc, char **argv)
{
    int lo = 0, hi = 1, first = 2;
    if (argc < 2)
        return repl_view_net(r, argc, argv);
    if (strcasecmp(argv[1], "set") != 0)
        return repl_err(r, "usage: net | net set [A>B|B>A] delay= jitter= loss= dup= reorder= bandwidth=");
    if (argc > 2 && strchr(argv[2], '>')) {
        /* "A>B": one direction; "A>C" names no host, and is an error, not B>A */
        const char *gt = strchr(argv[2], '>');
        char a[16];
        snprintf(a, sizeof a, "%.*s", (int)(gt - argv[2] < 15 ? gt - argv[2] : 15), argv[2]);
        struct tcp_host *from = world_host(r->w, a), *to = world_host(r->w, gt + 1);
        if (!from || !to)
            return repl_err(r, "net set: no host \"%s\" in %s: the hosts are A and B (A>B or B>A)", !from ? a : gt + 1,
                            argv[2]);
        if (from == to)
            return repl_err(r, "net set: %s goes nowhere: the wire joins A and B (A>B or B>A)", argv[2]);
        lo = hi = from->index;
        first = 3;
    }
    if (argc <= first)
        return repl_err(r, "net set: what to set? (net set delay=5ms loss=0.1)");
    for (int i = first; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            return repl_err(r, "net set: \"%s\" is not key=value", argv[i]);
        *eq = '\0';
        const char *k = argv[i], *val = eq + 1;
        char *end;
        double p = strtod(val, &end);
        clk_time t = repl_parse_time(val);
        for (int d = lo; d <= hi; d++) {
            struct wire_link s = r->w->wire.link[d], *l = &s;
            bool prob = !*end && p >= 0 && p <= 1;
            if (strcmp(k, "delay") == 0 && t >= 0)
                l->delay = t;
            else if (strcmp(k, "jitter") == 0 && t >= 0)
                l->jitter = t;
            else if (strcmp(k, "loss") == 0 && prob)
                l->loss = p;
            else if (strcmp(k, "dup") == 0 && prob)
                l->dup = p;
            else if (strcmp(k, "reorder") == 0 && prob)
                l->reorder = p;
            else if (strcmp(k, "bandwidth") == 0 && !*end && p >= 0)
                l->bandwidth = (uint64_t)p;
            else
                return repl_err(r, "net set: bad %s=%s (delay/jitter: 5ms; loss/dup/reorder: 0..1; bandwidth: bit/s)", k, val);
            wire_link_set(r->w, d, l);
        }
    }
    return repl_view_net(r, 1, argv);
}
