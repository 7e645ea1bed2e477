/*
 * test_out_text.c - the live traces (out_text.c): rfc, tcpdump and jsonl lines for the
 * synthetic handshake, drop and close of out_synth.h, checked line by line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpsim/out.h"
#include "out_synth.h"

/* The whole trace of the synthetic run in format 'o', as one string (caller frees). */
static char *
text_run(const struct out_text_opts *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct out_text *t = out_text_new(f, o);
    assert_non_null(t);
    synth_run(out_text_observe, t);
    out_text_free(t);
    fclose(f);
    return buf;
}

/* Line 'n' (from 0) of 'text' into 'line'; false when there is none. */
static bool
text_line(const char *text, int n, char *line, size_t cap)
{
    const char *p = text;
    for (int i = 0; i < n; i++) {
        p = strchr(p, '\n');
        if (!p)
            return false;
        p++;
    }
    if (!*p)
        return false;
    size_t l = strcspn(p, "\n");
    if (l >= cap)
        l = cap - 1;
    memcpy(line, p, l);
    line[l] = '\0';
    return true;
}

/* The first line containing 'needle' (assert there is one). */
static void
text_find(const char *text, const char *needle, char *line, size_t cap)
{
    char l[1024];
    for (int i = 0; text_line(text, i, l, sizeof l); i++) {
        if (strstr(l, needle)) {
            snprintf(line, cap, "%s", l);
            return;
        }
    }
    fail_msg("no line contains \"%s\"", needle);
}

static int
text_count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void
test_format_parse_names_roundtrip(void **state)
{
    (void)state;
    assert_int_equal(out_format_parse("rfc"), OUT_FMT_RFC);
    assert_int_equal(out_format_parse("TCPDUMP"), OUT_FMT_TCPDUMP);
    assert_int_equal(out_format_parse("jsonl"), OUT_FMT_JSONL);
    assert_int_equal(out_format_parse("json"), -1);
    assert_int_equal(out_format_parse(NULL), -1);
    assert_string_equal(out_format_name(OUT_FMT_TCPDUMP), "tcpdump");
}

static void
test_rfc_handshake_exact_lines(void **state)
{
    (void)state;
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    char *out = text_run(&o);
    char l[1024];
    assert_true(text_line(out, 4, l, sizeof l));
    assert_string_equal(l, "  0.000000  A SYN-SENT       --> <SEQ=0><CTL=SYN><OPT=mss 1460>     --> B                #1 sent");
    assert_true(text_line(out, 5, l, sizeof l));
    assert_string_equal(l, "  0.050000  A                --> <SEQ=0><CTL=SYN><OPT=mss 1460>     --> B LISTEN         #1 arrives");
    assert_true(text_line(out, 6, l, sizeof l));
    assert_string_equal(l, "  0.050000  B2 LISTEN -> SYN-RECEIVED  [RFC 9293 3.10.7.2: LISTEN, third check for a SYN: "
                           "new TCB in SYN-RECEIVED, send SYN,ACK]");
    assert_true(text_line(out, 7, l, sizeof l));
    assert_string_equal(l, "  0.050000  A                <-- <SEQ=0><ACK=1><CTL=SYN,ACK><OPT=mss 1460> <-- B SYN-RECEIVED   #2 sent");
    text_find(out, "#3 sent", l, sizeof l);
    assert_string_equal(l, "  0.100000  A ESTABLISHED    --> <SEQ=1><ACK=1><CTL=ACK>            --> B                #3 sent");
    free(out);
}

static void
test_rfc_absolute_option_prints_iss(void **state)
{
    (void)state;
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    o.absolute_seq = true;
    char *out = text_run(&o);
    char l[1024];
    text_find(out, "#2 sent", l, sizeof l);
    assert_non_null(strstr(l, "<-- <SEQ=300><ACK=101><CTL=SYN,ACK>"));
    free(out);
}

static void
test_rfc_drop_line_ends_in_x(void **state)
{
    (void)state;
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    char *out = text_run(&o);
    char l[1024];
    text_find(out, "dropped", l, sizeof l);
    assert_string_equal(l, "  0.200000  A                --> <SEQ=1><ACK=1><CTL=PSH,ACK><DATA=5> --X B                #4 dropped: loss");
    text_find(out, "duplicate", l, sizeof l);
    assert_non_null(strstr(l, "#7 duplicate of #6"));
    text_find(out, "# A says", l, sizeof l);
    assert_string_equal(l, "  0.150000  # A says \"hello\"; the wire loses it");
    text_find(out, "fires", l, sizeof l);
    assert_string_equal(l, "  1.200000  A1 timer rexmit fires");
    free(out);
}

static void
test_rfc_timer_arm_hidden_by_default_shown_on_request(void **state)
{
    (void)state;
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    char *out = text_run(&o);
    assert_int_equal(text_count(out, "armed"), 0);
    assert_int_equal(text_count(out, "cancelled"), 0);
    assert_int_equal(text_count(out, "fires"), 1);
    free(out);
    o.show_timers = true;
    out = text_run(&o);
    assert_int_equal(text_count(out, "A1 timer rexmit armed, expires at 1.000000"), 1);
    assert_int_equal(text_count(out, "A1 timer rexmit cancelled"), 1);
    free(out);
}

static void
test_rfc_color_state_lines_green_and_reset(void **state)
{
    (void)state;
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    char *out = text_run(&o);
    assert_null(strchr(out, '\033'));
    free(out);
    o.color = true;
    out = text_run(&o);
    char l[1024];
    text_find(out, "LISTEN -> SYN-RECEIVED", l, sizeof l);
    assert_non_null(strstr(l, "\033[1;32mB2 LISTEN"));
    assert_int_equal(strcmp(l + strlen(l) - 4, "\033[0m"), 0);
    text_find(out, "dropped", l, sizeof l);
    assert_non_null(strstr(l, "\033[1;31m"));
    free(out);
}

static void
test_tcpdump_handshake_exact_lines(void **state)
{
    (void)state;
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    o.format = OUT_FMT_TCPDUMP;
    char *out = text_run(&o);
    char l[1024];
    text_find(out, "Flags [S]", l, sizeof l);
    assert_string_equal(l, "  0.000000  IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 100, win 65535, "
                           "options [mss 1460], length 0");
    text_find(out, "Flags [S.]", l, sizeof l);
    assert_string_equal(l, "  0.050000  IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [S.], seq 300, ack 101, win 65535, "
                           "options [mss 1460], length 0");
    text_find(out, "Flags [.], ack 1,", l, sizeof l);
    assert_string_equal(l, "  0.100000  IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [.], ack 1, win 65535, length 0");
    text_find(out, "Flags [P.]", l, sizeof l);
    assert_string_equal(l, "  0.200000  IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 1:6, ack 1, win 65535, length 5");
    text_find(out, "Flags [F.]", l, sizeof l);
    assert_string_equal(l, "  1.300000  IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [F.], seq 6, ack 1, win 65535, length 0");
    text_find(out, "dropped", l, sizeof l);
    assert_string_equal(l, "  0.200000  # dropped (loss): IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 1:6, "
                           "ack 1, win 65535, length 5");
    text_find(out, "LAST-ACK -> CLOSED", l, sizeof l);
    assert_string_equal(l, "  1.460000  # B2 LAST-ACK -> CLOSED  [RFC 9293 3.10.7.4: fifth, LAST-ACK: our FIN is ACKed, "
                           "delete the TCB]");
    free(out);
}

static void
test_tcpdump_absolute_option_keeps_raw_numbers(void **state)
{
    (void)state;
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    o.format = OUT_FMT_TCPDUMP;
    o.absolute_seq = true;
    char *out = text_run(&o);
    char l[1024];
    text_find(out, "Flags [P.]", l, sizeof l);
    assert_non_null(strstr(l, "seq 101:106, ack 301,"));
    free(out);
}

/* ---- a small JSON checker (RFC 8259), enough to validate one line --------------------------- */

struct js {
    const char *p;
    char key[64];        /* the top-level key being looked for */
    char found[512];     /* its value, when it is a string */
    bool has;
    int depth;
};

static bool js_value(struct js *j);

static void
js_ws(struct js *j)
{
    while (*j->p == ' ' || *j->p == '\t')
        j->p++;
}

/* A string; its decoded text goes to 'out' when not NULL. */
static bool
js_string(struct js *j, char *out, size_t cap)
{
    size_t n = 0;
    if (*j->p != '"')
        return false;
    j->p++;
    while (*j->p != '"') {
        unsigned char c = (unsigned char)*j->p;
        char dec;
        if (c < 0x20)
            return false; /* raw control characters are not allowed */
        if (c == '\\') {
            j->p++;
            switch (*j->p) {
            case '"': dec = '"'; break;
            case '\\': dec = '\\'; break;
            case '/': dec = '/'; break;
            case 'n': dec = '\n'; break;
            case 't': dec = '\t'; break;
            case 'r': dec = '\r'; break;
            case 'b': dec = '\b'; break;
            case 'f': dec = '\f'; break;
            case 'u': {
                unsigned v;
                if (sscanf(j->p + 1, "%4x", &v) != 1)
                    return false;
                dec = (char)v;
                j->p += 4;
                break;
            }
            default: return false;
            }
        } else {
            dec = (char)c;
        }
        if (out && n + 1 < cap)
            out[n++] = dec;
        j->p++;
    }
    if (out)
        out[n] = '\0';
    j->p++;
    return true;
}

static bool
js_number(struct js *j)
{
    const char *s = j->p;
    if (*j->p == '-')
        j->p++;
    if (*j->p < '0' || *j->p > '9')
        return false;
    if (*j->p == '0' && j->p[1] >= '0' && j->p[1] <= '9')
        return false;
    while (*j->p >= '0' && *j->p <= '9')
        j->p++;
    if (*j->p == '.') {
        j->p++;
        if (*j->p < '0' || *j->p > '9')
            return false;
        while (*j->p >= '0' && *j->p <= '9')
            j->p++;
    }
    return j->p > s;
}

static bool
js_object(struct js *j)
{
    j->p++;
    j->depth++;
    js_ws(j);
    if (*j->p == '}') {
        j->p++;
        j->depth--;
        return true;
    }
    for (;;) {
        char key[64];
        js_ws(j);
        if (!js_string(j, key, sizeof key))
            return false;
        js_ws(j);
        if (*j->p++ != ':')
            return false;
        js_ws(j);
        if (j->depth == 1 && strcmp(key, j->key) == 0) {
            j->has = true;
            if (*j->p == '"') {
                if (!js_string(j, j->found, sizeof j->found))
                    return false;
                goto next;
            }
            const char *start = j->p;
            if (!js_value(j))
                return false;
            snprintf(j->found, sizeof j->found, "%.*s", (int)(j->p - start), start);
            goto next;
        }
        if (!js_value(j))
            return false;
    next:
        js_ws(j);
        if (*j->p == ',') {
            j->p++;
            continue;
        }
        if (*j->p++ != '}')
            return false;
        j->depth--;
        return true;
    }
}

static bool
js_array(struct js *j)
{
    j->p++;
    js_ws(j);
    if (*j->p == ']') {
        j->p++;
        return true;
    }
    for (;;) {
        js_ws(j);
        if (!js_value(j))
            return false;
        js_ws(j);
        if (*j->p == ',') {
            j->p++;
            continue;
        }
        return *j->p++ == ']';
    }
}

static bool
js_value(struct js *j)
{
    switch (*j->p) {
    case '{': return js_object(j);
    case '[': return js_array(j);
    case '"': return js_string(j, NULL, 0);
    case 't': return strncmp(j->p, "true", 4) == 0 && (j->p += 4);
    case 'f': return strncmp(j->p, "false", 5) == 0 && (j->p += 5);
    case 'n': return strncmp(j->p, "null", 4) == 0 && (j->p += 4);
    default: return js_number(j);
    }
}

/* Is 'line' one JSON object and nothing else? Its top-level 'key' (a string or the raw text
   of another value) goes to 'val' (empty when absent). */
static bool
js_line(const char *line, const char *key, char *val, size_t cap)
{
    struct js j;
    memset(&j, 0, sizeof j);
    j.p = line;
    snprintf(j.key, sizeof j.key, "%s", key);
    if (*j.p != '{' || !js_object(&j) || *j.p != '\0')
        return false;
    snprintf(val, cap, "%s", j.has ? j.found : "");
    return true;
}

static void
test_jsonl_every_line_valid_with_kind(void **state)
{
    (void)state;
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    o.format = OUT_FMT_JSONL;
    o.show_timers = true;
    char *out = text_run(&o);
    char l[2048], v[512];
    int n;
    for (n = 0; text_line(out, n, l, sizeof l); n++) {
        assert_true(js_line(l, "kind", v, sizeof v));
        assert_true(v[0] != '\0');
        assert_true(js_line(l, "t", v, sizeof v));
        assert_non_null(strchr(v, '.'));
        assert_int_equal(strlen(strchr(v, '.')), 7); /* six decimals */
    }
    assert_int_equal(n, 43); /* every event of the run, timers included */
    assert_true(text_line(out, 4, l, sizeof l));
    assert_true(js_line(l, "flags", v, sizeof v));
    assert_string_equal(v, "SYN");
    assert_true(js_line(l, "mss", v, sizeof v));
    assert_string_equal(v, "1460");
    text_find(out, "\"LISTEN_SYN\"", l, sizeof l);
    assert_true(js_line(l, "to_state", v, sizeof v));
    assert_string_equal(v, "SYN_RCVD");
    assert_true(js_line(l, "section", v, sizeof v));
    assert_string_equal(v, "3.10.7.2");
    text_find(out, "\"dup\",", l, sizeof l);
    assert_true(js_line(l, "orig_id", v, sizeof v));
    assert_string_equal(v, "6");
    free(out);
}

static void
test_jsonl_say_text_escaped(void **state)
{
    (void)state;
    const char *nasty = "quote \" back \\ tab \t nl \n bell \a end";
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TRACE_SAY;
    ev.n = 1;
    ev.host = -1;
    ev.text = nasty;
    struct out_text_opts o = OUT_TEXT_OPTS_DEFAULT;
    o.format = OUT_FMT_JSONL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct out_text *t = out_text_new(f, &o);
    out_text_observe(&ev, t);
    out_text_free(t);
    fclose(f);
    char l[512], v[512];
    assert_int_equal(text_count(buf, "\n"), 1); /* one line, the newline escaped */
    assert_true(text_line(buf, 0, l, sizeof l));
    assert_true(js_line(l, "text", v, sizeof v));
    assert_string_equal(v, nasty);
    assert_true(js_line(l, "host", v, sizeof v));
    assert_string_equal(v, ""); /* no host: no key */
    free(buf);
}

static void
test_jsonl_checker_rejects_broken_lines(void **state)
{
    (void)state;
    char v[64];
    /* the checker itself must be able to fail, or the tests above prove nothing */
    assert_false(js_line("{\"a\":\"x\ty\"}", "a", v, sizeof v));
    assert_false(js_line("{\"a\":1,}", "a", v, sizeof v));
    assert_false(js_line("{\"a\":01}", "a", v, sizeof v));
    assert_false(js_line("{\"a\":1} x", "a", v, sizeof v));
    assert_true(js_line("{\"a\":[1,\"b\"],\"c\":{\"d\":null}}", "c", v, sizeof v));
    assert_string_equal(v, "{\"d\":null}");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_parse_names_roundtrip),
        cmocka_unit_test(test_rfc_handshake_exact_lines),
        cmocka_unit_test(test_rfc_absolute_option_prints_iss),
        cmocka_unit_test(test_rfc_drop_line_ends_in_x),
        cmocka_unit_test(test_rfc_timer_arm_hidden_by_default_shown_on_request),
        cmocka_unit_test(test_rfc_color_state_lines_green_and_reset),
        cmocka_unit_test(test_tcpdump_handshake_exact_lines),
        cmocka_unit_test(test_tcpdump_absolute_option_keeps_raw_numbers),
        cmocka_unit_test(test_jsonl_every_line_valid_with_kind),
        cmocka_unit_test(test_jsonl_say_text_escaped),
        cmocka_unit_test(test_jsonl_checker_rejects_broken_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
