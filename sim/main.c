/*
 * main.c - the tcpsim program: argument handling only.
 *
 *   tcpsim demo      a built-in handshake and simultaneous close, printed event by event
 */
#include <stdio.h>
#include <string.h>

#include "tcpsim/tcpsim.h"

/* A plain line per event; the trace formats of out_text.c replace it where available. */
static void
main_print_event(const struct trace_event *ev, void *ctx)
{
    FILE *out = ctx;
    char flags[32], ack[24] = "";
    const char *host = ev->host == 0 ? "A" : ev->host == 1 ? "B" : "-";
    if (ev->kind == TRACE_TIMER_ARM || ev->kind == TRACE_TIMER_CANCEL)
        return;
    fprintf(out, "%10.6f  %s  ", clk_to_sec(ev->t), host);
    switch (ev->kind) {
    case TRACE_SEND:
    case TRACE_DELIVER:
    case TRACE_DROP:
    case TRACE_DUP:
    case TRACE_DELAY:
        if (ev->seg.flags & TCP_ACK)
            snprintf(ack, sizeof ack, "<ACK=%u>", (unsigned)ev->seg.ack);
        fprintf(out, "%-7s #%llu %u -> %u <SEQ=%u>%s<CTL=%s> len %u%s%s\n", trace_kind_name(ev->kind),
                (unsigned long long)ev->pkt_id, (unsigned)ev->seg.sport, (unsigned)ev->seg.dport,
                (unsigned)ev->seg.seq, ack, tcp_flags_str(ev->seg.flags, flags, sizeof flags),
                (unsigned)ev->seg.len, ev->text ? " " : "", ev->text ? ev->text : "");
        break;
    case TRACE_STATE:
        fprintf(out, "state   %s %s -> %s  [RFC 9293 %s: %s]\n", ev->conn_name, tcp_state_rfc(ev->from_state),
                tcp_state_rfc(ev->to_state), tcp_rule_section(ev->rule), tcp_rule_text(ev->rule));
        break;
    case TRACE_RULE:
        fprintf(out, "rule    %s [%s: %s]\n", ev->conn_name ? ev->conn_name : "-", tcp_rule_section(ev->rule),
                tcp_rule_text(ev->rule));
        break;
    case TRACE_TIMER_ARM:
    case TRACE_TIMER_CANCEL:
        break;
    case TRACE_TIMER_FIRE:
        fprintf(out, "timer   %s %s expired\n", ev->conn_name, tcp_timer_name(ev->timer));
        break;
    case TRACE_CALL:
        fprintf(out, "call    %s %s -> %s\n", ev->conn_name ? ev->conn_name : "-", ev->text, tcp_err_name(ev->err));
        break;
    case TRACE_SAY:
        fprintf(out, "# %s\n", ev->text);
        break;
    case TRACE_KIND_COUNT:
        break;
    }
}

static int
main_demo(void)
{
    struct world_config cfg = {.seed = 1, .preset = TCP_PRESET_LINUX};
    struct world *w = world_new(&cfg);
    if (!w) {
        fprintf(stderr, "tcpsim: out of memory\n");
        return 1;
    }
    world_observe(w, main_print_event, stdout);
    struct tcp_open_opts lo = TCP_OPEN_OPTS_DEFAULT, co = TCP_OPEN_OPTS_DEFAULT;
    struct tcp_conn *l, *c, *s;
    world_say(w, "A three-way handshake (RFC 9293 3.5, Figure 6), ISNs 100 and 300");
    w->host[1].cfg.isn = 300;
    co.isn = 100;
    co.lport = 40000;
    tcp_open_passive(&w->host[1], 80, &lo, &l);
    tcp_open_active(&w->host[0], w->host[1].addr, 80, &co, &c);
    world_run_until_time(w, CLK_MSEC(10));
    tcp_accept(l, &s);
    world_say(w, "Both ends close at once: simultaneous close through CLOSING (Figure 13)");
    tcp_close(c);
    if (s)
        tcp_close(s);
    world_run_until_time(w, CLK_SEC(1));
    world_say(w, "Both sides wait 2MSL in TIME-WAIT (msl = 30 s under the linux preset)");
    world_run_idle(w, CLK_SEC(1000));
    world_free(w);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "demo") == 0)
        return main_demo();
    fprintf(stderr, "usage: tcpsim demo\n");
    return 2;
}
