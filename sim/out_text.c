/*
 * out_text.c - the live traces: each event printed as it happens, in one of three formats.
 *
 *   rfc      laid out as the figures of RFC 9293 §3.5: host A's column on the left, B's on the
 *            right, the segment between them as <SEQ=..><ACK=..><CTL=..>, and each state
 *            change on its own line with the rule (section and text) that caused it;
 *   tcpdump  a SEND is printed as tcpdump prints a packet; every other event is a '#' line;
 *   jsonl    one JSON object per event, every field its kind has, for tools.
 *
 * With a width (a narrow terminal), a line longer than the width is folded at spaces, its
 * further lines indented under its text, and below OUT_TEXT_WIDE columns the rfc format's
 * segment lines put the segment's number and fate first and drop the padding that lines the
 * RFC's columns up: "#2 sent  A <-- B SYN-RECEIVED  <SEQ=300><ACK=101><CTL=SYN,ACK>".
 *
 * Entry points: out_text_new() -> world_observe(w, out_text_observe, t) -> out_text_free();
 * or out_text_log() for a recorded run. Everything printed comes from the event and from what
 * out_track learnt from earlier events, never from the engine's structures.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tcpsim/out.h"
#include "tcpsim/wire.h"
#include "out_track.h"

struct out_text {
    FILE *f;                 /* borrowed */
    struct out_text_opts o;
    struct out_track track;  /* states and ISNs seen so far */
};

static const char *const out_format_names[OUT_FMT_COUNT] = {
    [OUT_FMT_RFC] = "rfc",
    [OUT_FMT_TCPDUMP] = "tcpdump",
    [OUT_FMT_JSONL] = "jsonl",
};

int
out_format_parse(const char *name)
{
    for (int i = 0; name && i < OUT_FMT_COUNT; i++)
        if (strcasecmp(name, out_format_names[i]) == 0)
            return i;
    return -1;
}

const char *
out_format_name(enum out_format f)
{
    return (unsigned)f < OUT_FMT_COUNT ? out_format_names[f] : "?";
}

struct out_text *
out_text_new(FILE *f, const struct out_text_opts *o)
{
    struct out_text *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    static const struct out_text_opts defaults = OUT_TEXT_OPTS_DEFAULT;
    t->f = f;
    t->o = o ? *o : defaults;
    out_track_init(&t->track);
    return t;
}

void
out_text_configure(struct out_text *t, const struct out_text_opts *o)
{
    t->o = *o;
}

void
out_text_free(struct out_text *t)
{
    if (!t)
        return;
    out_track_fini(&t->track);
    free(t);
}

/* ---- shared pieces ------------------------------------------------------------------------ */

/* ANSI colours by kind of event: state changes stand out, drops alarm, narration is calm. */
static const char *
out_text_color(const struct trace_event *ev)
{
    switch (ev->kind) {
    case TRACE_STATE: return "\033[1;32m";
    case TRACE_DROP: return "\033[1;31m";
    case TRACE_SAY: return "\033[1;36m";
    case TRACE_RULE:
    case TRACE_DUP:
    case TRACE_DELAY: return "\033[33m";
    case TRACE_TIMER_ARM:
    case TRACE_TIMER_CANCEL:
    case TRACE_TIMER_FIRE: return "\033[35m";
    case TRACE_CALL: return "\033[1m";
    case TRACE_SEND:
    case TRACE_DELIVER:
    case TRACE_KIND_COUNT: break;
    }
    return NULL;
}

/* Who did it: the socket's name, else the host's. */
static const char *
out_text_actor(const struct trace_event *ev)
{
    return ev->conn_name ? ev->conn_name : out_host_name(ev->host);
}

/* "RFC 9293 3.10.7.2: LISTEN, third check ..." for a rule. */
static void
out_text_rule(char *buf, size_t cap, enum tcp_rule r)
{
    char cite[64];
    snprintf(buf, cap, "%s: %s", out_rule_cite(r, cite, sizeof cite), tcp_rule_text(r));
}

/* The segment's SEQ and ACK as the options ask: relative to the ISNs, or absolute. */
static void
out_text_seqs(const struct out_text *t, const struct tcp_seg *s, uint32_t *seq, uint32_t *ack)
{
    bool rs, ra;
    if (t->o.absolute_seq) {
        *seq = s->seq;
        *ack = s->ack;
        return;
    }
    out_track_relative(&t->track, s, seq, ack, &rs, &ra);
}

/* " (dup, delayed)" from WIRE_MARK_* bits, or "". */
static void
out_text_marks(char *buf, size_t cap, unsigned marks)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        {WIRE_MARK_DUP, "dup"}, {WIRE_MARK_DELAYED, "delayed"},
        {WIRE_MARK_REORDERED, "reordered"}, {WIRE_MARK_INJECTED, "injected"},
    };
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(marks & names[i].bit))
            continue;
        int k = snprintf(buf + n, cap - n, "%s%s", n ? ", " : " (", names[i].name);
        if (k < 0 || (size_t)k >= cap - n)
            return;
        n += (size_t)k;
    }
    if (n)
        snprintf(buf + n, cap - n, ")");
}

/* The description of a non-segment event: the same words in the rfc and tcpdump formats. */
static void
out_text_describe(const struct out_text *t, const struct trace_event *ev, char *buf, size_t cap)
{
    char rule[320], when[32];
    switch (ev->kind) {
    case TRACE_STATE:
        out_text_rule(rule, sizeof rule, ev->rule);
        snprintf(buf, cap, "%s %s -> %s  [%s]", out_text_actor(ev),
                 tcp_state_rfc(ev->from_state), tcp_state_rfc(ev->to_state), rule);
        return;
    case TRACE_RULE:
        out_text_rule(rule, sizeof rule, ev->rule);
        snprintf(buf, cap, "%s %s: %s  [%s]", out_text_actor(ev),
                 tcp_state_rfc(ev->to_state), tcp_rule_name(ev->rule), rule);
        return;
    case TRACE_TIMER_ARM:
        snprintf(buf, cap, "%s timer %s armed, expires at %s", out_text_actor(ev), tcp_timer_name(ev->timer), out_time_str(ev->when, when, sizeof when));
        return;
    case TRACE_TIMER_CANCEL:
        snprintf(buf, cap, "%s timer %s cancelled", out_text_actor(ev),
                 tcp_timer_name(ev->timer));
        return;
    case TRACE_TIMER_FIRE:
        snprintf(buf, cap, "%s timer %s fires", out_text_actor(ev),
                 tcp_timer_name(ev->timer));
        return;
    case TRACE_CALL:
        snprintf(buf, cap, "%s %s = %s", out_text_actor(ev),
                 ev->text ? ev->text : "?", tcp_err_name(ev->err));
        return;
    case TRACE_SAY:
        snprintf(buf, cap, "# %s", ev->text ? ev->text : "");
        return;
    case TRACE_SEND:
    case TRACE_DELIVER:
    case TRACE_DROP:
    case TRACE_DUP:
    case TRACE_DELAY:
    case TRACE_KIND_COUNT:
        break;
    }
    (void)t;
    snprintf(buf, cap, "%s", trace_kind_name(ev->kind));
}

/* The columns before an event's text ("%10s  ": the time), and the further indent of the rest
   of a folded line. */
#define OUT_TEXT_LEFT 12
#define OUT_OPT_TEXT 192 /* the longest options in tcpdump notation: four SACK blocks and more */
#define OUT_TEXT_HANG 2

/*
 * Where to fold the text at 'p' to fit 'room' columns: the length of its first piece (at the
 * last space that fits, or cut hard when no space does), and in '*skip' the spaces after it.
 */
static size_t
out_text_fold(const char *p, size_t room, size_t *skip)
{
    size_t n = strcspn(p, "\n"), cut = 0;
    *skip = 0;
    if (n <= room)
        return n;
    for (size_t i = 1; i <= room; i++)
        if (p[i] == ' ' && p[i - 1] != ' ')
            cut = i;
    if (cut == 0)
        return room;
    while (p[cut + *skip] == ' ')
        (*skip)++;
    return cut;
}

/* Print 'line' (may hold newlines: each further line is indented under the first), folded to
   the width when there is one. */
static void
out_text_emit(struct out_text *t, const struct trace_event *ev, const char *line)
{
    char time[32];
    const char *col = t->o.color ? out_text_color(ev) : NULL;
    size_t room = 0, hang = 0;
    if (t->o.width > 0)
        room = (size_t)t->o.width > OUT_TEXT_LEFT + OUT_TEXT_HANG + 20 ? (size_t)t->o.width - OUT_TEXT_LEFT : 20 + OUT_TEXT_HANG;
    out_time_str(ev->t, time, sizeof time);
    fprintf(t->f, "%10s  %s", time, col ? col : "");
    for (const char *p = line; *p;) {
        size_t skip = 0, n = room ? out_text_fold(p, room - hang, &skip) : strcspn(p, "\n");
        fwrite(p, 1, n, t->f);
        p += n + skip;
        if (*p == '\n') {
            p++;
            hang = 0;
        } else if (*p) {
            hang = OUT_TEXT_HANG; /* folded: the rest a little further in */
        } else {
            break;
        }
        fprintf(t->f, "%s\n%*s%s", col ? "\033[0m" : "", (int)(OUT_TEXT_LEFT + hang), "", col ? col : "");
    }
    fprintf(t->f, "%s\n", col ? "\033[0m" : "");
}

void
out_text_note(struct out_text *t, const struct trace_event *ev, const char *text)
{
    char line[640];
    if (t->o.format == OUT_FMT_JSONL)
        return;
    snprintf(line, sizeof line, "%s%s", t->o.format == OUT_FMT_TCPDUMP ? "# " : "", text);
    out_text_emit(t, ev, line);
}

/* ---- rfc ---------------------------------------------------------------------------------- */

/* <SEQ=100><ACK=301><CTL=SYN,ACK><DATA=5>, as RFC 9293 §3.5 writes segments. */
static void
out_text_rfc_seg(const struct out_text *t, const struct tcp_seg *s, char *buf, size_t cap)
{
    uint32_t seq, ack;
    char flags[48];
    size_t n = 0;
    out_text_seqs(t, s, &seq, &ack);
    n += (size_t)snprintf(buf, cap, "<SEQ=%u>", (unsigned)seq);
    if ((s->flags & TCP_ACK) && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "<ACK=%u>", (unsigned)ack);
    if (s->flags && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "<CTL=%s>", tcp_flags_str(s->flags, flags, sizeof flags));
    if (s->wnd == 0 && !(s->flags & TCP_RST) && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "<WND=0>");
    if (s->len && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "<DATA=%u>", (unsigned)s->len);
    if ((s->mss || s->opt.present) && n < cap) {
        char opts[OUT_OPT_TEXT];
        snprintf(buf + n, cap - n, "<OPT=%s>", tcp_opt_str(s, opts, sizeof opts));
    }
}

/* "A SYN-SENT": a host and, when known, the state of its socket. */
static void
out_text_side(const struct out_text *t, int host, uint32_t conn, char *buf, size_t cap)
{
    int st = out_track_state(&t->track, conn);
    snprintf(buf, cap, "%s%s%s", out_host_name(host), st >= 0 ? " " : "",
             st >= 0 ? tcp_state_rfc((enum tcp_state)st) : "");
}

/*
 * A segment event as a line of the RFC's figures. A's column is always on the left and B's on
 * the right; a SEND shows the sender's state, a DELIVER the receiver's state on arrival (the
 * change it causes follows on its own line, with its rule), a DROP ends in X.
 */
static void
out_text_rfc_segment(struct out_text *t, const struct trace_event *ev)
{
    char seg[400], left[32], right[32], tag[96], marks[64], when[32], line[720];
    bool a_to_b = ev->from == 0;
    const char *arrow = a_to_b ? "-->" : "<--";
    const char *a1 = arrow, *a2 = arrow;
    out_text_rfc_seg(t, &ev->seg, seg, sizeof seg);
    out_text_marks(marks, sizeof marks, ev->marks);
    snprintf(left, sizeof left, "A");
    snprintf(right, sizeof right, "B");
    char *sender = a_to_b ? left : right, *receiver = a_to_b ? right : left;
    switch (ev->kind) {
    case TRACE_SEND:
        out_text_side(t, ev->from, ev->conn, sender, sizeof left);
        snprintf(tag, sizeof tag, "#%llu sent%s", (unsigned long long)ev->pkt_id, marks);
        break;
    case TRACE_DELIVER:
        out_text_side(t, ev->to, out_track_receiver(&t->track, ev), receiver, sizeof left);
        snprintf(tag, sizeof tag, "#%llu arrives%s", (unsigned long long)ev->pkt_id, marks);
        break;
    case TRACE_DROP:
        if (a_to_b)
            a2 = "--X";
        else
            a1 = "X--";
        snprintf(tag, sizeof tag, "#%llu dropped: %s", (unsigned long long)ev->pkt_id,
                 ev->text ? ev->text : "lost");
        break;
    case TRACE_DUP:
        snprintf(tag, sizeof tag, "#%llu duplicate of #%llu", (unsigned long long)ev->pkt_id,
                 (unsigned long long)ev->orig_id);
        break;
    case TRACE_DELAY:
        snprintf(tag, sizeof tag, "#%llu delayed, arrives at %s", (unsigned long long)ev->pkt_id,
                 out_time_str(ev->when, when, sizeof when));
        break;
    case TRACE_STATE:
    case TRACE_RULE:
    case TRACE_TIMER_ARM:
    case TRACE_TIMER_CANCEL:
    case TRACE_TIMER_FIRE:
    case TRACE_CALL:
    case TRACE_SAY:
    case TRACE_KIND_COUNT:
        return;
    }
    if (t->o.width > 0 && t->o.width < OUT_TEXT_WIDE) /* compact: what happened first, no padding */
        snprintf(line, sizeof line, "%s  %s %s %s  %s", tag, left, a_to_b ? a2 : a1, right, seg);
    else
        snprintf(line, sizeof line, "%-16s %s %-34s %s %-16s %s", left, a1, seg, a2, right, tag);
    out_text_emit(t, ev, line);
}

/* ---- tcpdump ------------------------------------------------------------------------------ */

/* tcpdump's packet line: "IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 100, ..." */
static void
out_text_tcpdump_line(const struct out_text *t, const struct tcp_seg *s, char *buf, size_t cap)
{
    char src[16], dst[16], flags[16];
    uint32_t seq, ack;
    size_t n;
    /* tcpdump prints a SYN's numbers absolute and the rest relative to them */
    if (s->flags & TCP_SYN) {
        seq = s->seq;
        ack = s->ack;
    } else {
        out_text_seqs(t, s, &seq, &ack);
    }
    n = (size_t)snprintf(buf, cap, "IP %s.%u > %s.%u: Flags [%s]", out_addr_str(s->saddr, src, sizeof src),
                         (unsigned)s->sport, out_addr_str(s->daddr, dst, sizeof dst), (unsigned)s->dport,
                         out_tcpdump_flags(s->flags, flags, sizeof flags));
    if (n < cap && s->len)
        n += (size_t)snprintf(buf + n, cap - n, ", seq %u:%u", (unsigned)seq, (unsigned)(seq + s->len));
    else if (n < cap && (s->flags & (TCP_SYN | TCP_FIN | TCP_RST)))
        n += (size_t)snprintf(buf + n, cap - n, ", seq %u", (unsigned)seq);
    if (n < cap && (s->flags & TCP_ACK))
        n += (size_t)snprintf(buf + n, cap - n, ", ack %u", (unsigned)ack);
    if (n < cap)
        n += (size_t)snprintf(buf + n, cap - n, ", win %u", (unsigned)s->wnd);
    if (n < cap && (s->flags & TCP_URG))
        n += (size_t)snprintf(buf + n, cap - n, ", urg %u", (unsigned)s->up);
    if (n < cap && (s->mss || s->opt.present)) {
        char opts[OUT_OPT_TEXT];
        n += (size_t)snprintf(buf + n, cap - n, ", options [%s]", tcp_opt_str(s, opts, sizeof opts));
    }
    if (n < cap)
        snprintf(buf + n, cap - n, ", length %u", (unsigned)s->len);
}

static void
out_text_tcpdump(struct out_text *t, const struct trace_event *ev)
{
    char body[512], line[900], when[32];
    switch (ev->kind) {
    case TRACE_SEND:
        out_text_tcpdump_line(t, &ev->seg, line, sizeof line);
        break;
    case TRACE_DELIVER:
        out_text_tcpdump_line(t, &ev->seg, body, sizeof body);
        snprintf(line, sizeof line, "# %s receives %s", out_host_name(ev->to), body);
        break;
    case TRACE_DROP:
        out_text_tcpdump_line(t, &ev->seg, body, sizeof body);
        snprintf(line, sizeof line, "# dropped (%s): %s", ev->text ? ev->text : "lost", body);
        break;
    case TRACE_DUP:
        out_text_tcpdump_line(t, &ev->seg, body, sizeof body);
        snprintf(line, sizeof line, "# duplicated: %s", body);
        break;
    case TRACE_DELAY:
        out_text_tcpdump_line(t, &ev->seg, body, sizeof body);
        snprintf(line, sizeof line, "# delayed to %s: %s", out_time_str(ev->when, when, sizeof when), body);
        break;
    case TRACE_SAY:
        out_text_describe(t, ev, line, sizeof line);
        break;
    case TRACE_STATE:
    case TRACE_RULE:
    case TRACE_TIMER_ARM:
    case TRACE_TIMER_CANCEL:
    case TRACE_TIMER_FIRE:
    case TRACE_CALL:
    case TRACE_KIND_COUNT:
        out_text_describe(t, ev, body, sizeof body);
        snprintf(line, sizeof line, "# %s", body);
        break;
    }
    out_text_emit(t, ev, line);
}

/* ---- jsonl -------------------------------------------------------------------------------- */

static void
out_json_key_str(FILE *f, const char *key, const char *val)
{
    fprintf(f, ",\"%s\":", key);
    out_json_str(f, val, false);
}

static void
out_json_segment(const struct out_text *t, const struct trace_event *ev)
{
    FILE *f = t->f;
    const struct tcp_seg *s = &ev->seg;
    char a[16], flags[48], when[32];
    static const struct { unsigned bit; const char *name; } marks[] = {
        {WIRE_MARK_DUP, "dup"}, {WIRE_MARK_DELAYED, "delayed"},
        {WIRE_MARK_REORDERED, "reordered"}, {WIRE_MARK_INJECTED, "injected"},
    };
    fprintf(f, ",\"id\":%llu", (unsigned long long)ev->pkt_id);
    out_json_key_str(f, "from", out_host_name(ev->from));
    out_json_key_str(f, "to", out_host_name(ev->to));
    out_json_key_str(f, "src", out_addr_str(s->saddr, a, sizeof a));
    fprintf(f, ",\"sport\":%u", (unsigned)s->sport);
    out_json_key_str(f, "dst", out_addr_str(s->daddr, a, sizeof a));
    fprintf(f, ",\"dport\":%u,\"seq\":%u,\"ack\":%u", (unsigned)s->dport, (unsigned)s->seq, (unsigned)s->ack);
    if (!t->o.absolute_seq) {
        uint32_t rseq, rack;
        bool rs, ra;
        out_track_relative(&t->track, s, &rseq, &rack, &rs, &ra);
        if (rs)
            fprintf(f, ",\"rseq\":%u", (unsigned)rseq);
        if (ra)
            fprintf(f, ",\"rack\":%u", (unsigned)rack);
    }
    out_json_key_str(f, "flags", tcp_flags_str(s->flags, flags, sizeof flags));
    fprintf(f, ",\"len\":%u,\"win\":%u", (unsigned)s->len, (unsigned)s->wnd);
    if (s->flags & TCP_URG)
        fprintf(f, ",\"up\":%u", (unsigned)s->up);
    if (s->mss)
        fprintf(f, ",\"mss\":%u", (unsigned)s->mss);
    if (s->mss || s->opt.present) {
        char opts[OUT_OPT_TEXT];
        out_json_key_str(f, "options", tcp_opt_str(s, opts, sizeof opts));
    }
    if (s->opt.present & TCP_OPT_WSCALE)
        fprintf(f, ",\"wscale\":%u", (unsigned)s->opt.wscale);
    if (s->opt.present & TCP_OPT_SACK_OK)
        fputs(",\"sack_ok\":true", f);
    if (s->opt.present & TCP_OPT_TS)
        fprintf(f, ",\"tsval\":%u,\"tsecr\":%u", (unsigned)s->opt.tsval, (unsigned)s->opt.tsecr);
    if ((s->opt.present & TCP_OPT_SACK) && s->opt.nsack) {
        fputs(",\"sack\":[", f);
        for (unsigned i = 0; i < s->opt.nsack; i++)
            fprintf(f, "%s[%u,%u]", i ? "," : "", (unsigned)s->opt.sack[i].left, (unsigned)s->opt.sack[i].right);
        fputc(']', f);
    }
    fprintf(f, ",\"sent_at\":%s", out_time_str(ev->sent_at, when, sizeof when));
    fprintf(f, ",\"arrive_at\":%s", out_time_str(ev->arrive_at, when, sizeof when));
    fputs(",\"marks\":[", f);
    for (size_t i = 0, n = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (ev->marks & marks[i].bit)
            fprintf(f, "%s\"%s\"", n++ ? "," : "", marks[i].name);
    fputc(']', f);
    if (ev->kind == TRACE_DUP)
        fprintf(f, ",\"orig_id\":%llu", (unsigned long long)ev->orig_id);
    if (ev->kind == TRACE_DELAY)
        fprintf(f, ",\"when\":%s", out_time_str(ev->when, when, sizeof when));
    if (ev->kind == TRACE_DROP)
        out_json_key_str(f, "text", ev->text);
}

static void
out_json_rule(FILE *f, enum tcp_rule r)
{
    out_json_key_str(f, "rule", tcp_rule_name(r));
    out_json_key_str(f, "section", tcp_rule_section(r));
    out_json_key_str(f, "rule_text", tcp_rule_text(r));
}

static void
out_text_jsonl(struct out_text *t, const struct trace_event *ev)
{
    FILE *f = t->f;
    char time[32];
    fprintf(f, "{\"n\":%llu,\"t\":%s", (unsigned long long)ev->n, out_time_str(ev->t, time, sizeof time));
    out_json_key_str(f, "kind", trace_kind_name(ev->kind));
    if (ev->host >= 0)
        out_json_key_str(f, "host", out_host_name(ev->host));
    if (ev->conn)
        fprintf(f, ",\"conn\":%u", (unsigned)ev->conn);
    if (ev->conn_name)
        out_json_key_str(f, "sock", ev->conn_name);
    switch (ev->kind) {
    case TRACE_SEND:
    case TRACE_DELIVER:
    case TRACE_DROP:
    case TRACE_DUP:
    case TRACE_DELAY:
        out_json_segment(t, ev);
        break;
    case TRACE_STATE:
        out_json_key_str(f, "from_state", tcp_state_bsd(ev->from_state));
        out_json_key_str(f, "to_state", tcp_state_bsd(ev->to_state));
        out_json_rule(f, ev->rule);
        break;
    case TRACE_RULE:
        out_json_key_str(f, "state", tcp_state_bsd(ev->to_state));
        out_json_rule(f, ev->rule);
        break;
    case TRACE_TIMER_ARM:
        out_json_key_str(f, "timer", tcp_timer_name(ev->timer));
        fprintf(f, ",\"when\":%s", out_time_str(ev->when, time, sizeof time));
        break;
    case TRACE_TIMER_CANCEL:
    case TRACE_TIMER_FIRE:
        out_json_key_str(f, "timer", tcp_timer_name(ev->timer));
        break;
    case TRACE_CALL:
        out_json_key_str(f, "text", ev->text);
        out_json_key_str(f, "err", tcp_err_name(ev->err));
        break;
    case TRACE_SAY:
        out_json_key_str(f, "text", ev->text);
        break;
    case TRACE_KIND_COUNT:
        break;
    }
    fputs("}\n", f);
}

/* ---- the observer ------------------------------------------------------------------------- */

void
out_text_learn(struct out_text *t, const struct trace_event *ev)
{
    out_track_event(&t->track, ev);
}

void
out_text_observe(const struct trace_event *ev, void *ctx)
{
    struct out_text *t = ctx;
    bool timer_noise = ev->kind == TRACE_TIMER_ARM || ev->kind == TRACE_TIMER_CANCEL;
    /* learn first: a SYN's own SEQ is then shown relative (0), and a DELIVER's receiver state
       is the one before this event, since only STATE events change it */
    out_track_event(&t->track, ev);
    if (timer_noise && !t->o.show_timers)
        return;
    switch (t->o.format) {
    case OUT_FMT_RFC:
        switch (ev->kind) {
        case TRACE_SEND:
        case TRACE_DELIVER:
        case TRACE_DROP:
        case TRACE_DUP:
        case TRACE_DELAY:
            out_text_rfc_segment(t, ev);
            return;
        case TRACE_STATE:
        case TRACE_RULE:
        case TRACE_TIMER_ARM:
        case TRACE_TIMER_CANCEL:
        case TRACE_TIMER_FIRE:
        case TRACE_CALL:
        case TRACE_SAY:
        case TRACE_KIND_COUNT: {
            char line[512];
            out_text_describe(t, ev, line, sizeof line);
            out_text_emit(t, ev, line);
            return;
        }
        }
        return;
    case OUT_FMT_TCPDUMP:
        out_text_tcpdump(t, ev);
        return;
    case OUT_FMT_JSONL:
        out_text_jsonl(t, ev);
        return;
    case OUT_FMT_COUNT:
        return;
    }
}

int
out_text_log(FILE *f, const struct trace_log *log, const struct out_text_opts *o)
{
    struct out_text *t = out_text_new(f, o);
    if (!t)
        return -1;
    for (size_t i = 0; i < log->len; i++) {
        const struct trace_event ev = trace_log_get(log, i);
        out_text_observe(&ev, t);
    }
    out_text_free(t);
    return 0;
}
