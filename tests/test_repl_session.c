/*
 * test_repl_session.c - the REPL commands a gdb user expects (load, where, list, forward,
 * rewind #N, breakpoints on sockets still to come, save, explain), Lua typed or pasted at the
 * prompt (locals kept for the session, tables printed with their contents, pasted lines each
 * run, an unfinished chunk continued), and narrow terminals (set width, set rel).
 *
 * Each test drives a session through memory streams, as tests/test_repl.c does, and checks
 * what a person would see, or the world the session left behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpsim/repl.h"
#include "tcpsim/world.h"
#include "repl_internal.h"
#include "repl_fx.h"

static const char handshake[] = "sysctl B isn 300\nB listen 80\nA connect B 80 isn=100\n";

/* The longest line of 'text', in columns (every character printed here is ASCII). */
static size_t
longest_line(const char *text)
{
    size_t best = 0, n = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            n = 0;
            continue;
        }
        if (++n > best)
            best = n;
    }
    return best;
}

/* ---- Lua at the prompt ------------------------------------------------------------------ */

static void
test_repl_lua_local_is_kept_for_the_session(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    const char *out = session_run(&s, "lua local x = 41\n=x + 1");
    assert_string_equal(out, "42\n");
    out = session_run(&s, "lua local function sq(n) return n * n end\n=sq(x)");
    assert_string_equal(out, "1681\n");
    out = session_run(&s, "lua local a, b <const> = 1, 2\n=a + b");
    assert_string_equal(out, "3\n");
    /* the right-hand side sees the old value, as a new local would; `local y` is nil */
    out = session_run(&s, "lua local x = x + 1\n=x\nlua local y\n=y");
    assert_string_equal(out, "42\nnil\n");
    /* a local inside a block stays a local of the block */
    out = session_run(&s, "lua do local inner = 5 end\n=inner");
    assert_string_equal(out, "nil\n");
    /* a session local is not a global of the scenario */
    out = session_run(&s, "=rawget(_G, 'x')");
    assert_string_equal(out, "nil\n");
    session_close(&s);
}

static void
test_repl_lua_table_prints_its_contents(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    const char *out = session_run(&s, "={1, 2, 3, name = 'x', sub = {ok = true}, ['two words'] = 2.5}");
    assert_string_equal(out, "{ 1, 2, 3, name = \"x\", sub = { ok = true }, [\"two words\"] = 2.5 }\n");
    out = session_run(&s, "={}");
    assert_string_equal(out, "{}\n");
    /* a cycle is marked, never followed */
    out = session_run(&s, "lua t = {}; t.self = t; t.list = {t}\n=t");
    assert_string_equal(out, "<1>{ list = { <table 1> }, self = <table 1> }\n");
    /* too long for a line: one item per line, nested tables indented */
    out = session_run(&s, "={alpha = string.rep('a', 30), beta = string.rep('b', 30), gamma = {1, 2}}");
    assert_string_equal(out, "{\n"
                             "  alpha = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\n"
                             "  beta = \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\n"
                             "  gamma = { 1, 2 }\n"
                             "}\n");
    /* top-level strings stay bare, as lua.c prints them; sockets print as themselves */
    out = session_run(&s, "B listen 80\n={sock('B1').state, 'x'}");
    assert_non_null(strstr(out, "{ \"LISTEN\", \"x\" }\n"));
    session_close(&s);
}

static void
test_repl_local_at_the_prompt_hints_lua(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    const char *out = session_run(&s, "local c = A:connect(B, 80)");
    assert_non_null(strstr(out, "error:"));
    assert_non_null(strstr(out, "lua local c = A:connect(B, 80)"));
    out = session_run(&s, "c:close()");
    assert_non_null(strstr(out, "lua c:close()"));
    assert_int_equal(repl_world(s.r)->nconns, 0); /* nothing ran */
    session_close(&s);
}

static void
test_repl_pasted_lines_each_run(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    const char *out = session_paste(&s, "lua x = 1\nlua y = 2\n=x + y\nB listen 80\n");
    assert_non_null(strstr(out, "3\n"));
    assert_non_null(strstr(out, "B1 listen 80 = OK"));
    assert_null(strstr(out, "error"));
    session_close(&s);
}

static void
test_repl_lua_continues_an_unfinished_chunk(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    const char *out = session_run(&s, "lua function f()\n  return 42\nend\n=f()");
    assert_string_equal(out, "42\n");
    /* the same pasted in one piece */
    out = session_paste(&s, "lua local function g(n)\n  return n + 1\nend\n=g(1)");
    assert_string_equal(out, "2\n");
    /* a real syntax error is reported at once */
    out = session_run(&s, "lua x = = 1\n=1");
    assert_non_null(strstr(out, "error:"));
    assert_non_null(strstr(out, "1\n"));
    session_close(&s);
}

/* ---- explain -------------------------------------------------------------------------------- */

/* 'text' with markdown's ** and ` removed and the doc's typography made ASCII. */
static void
doc_plain(const char *text, char *buf, size_t cap)
{
    static const struct { const char *from, *to; } sub[] = {
        {"**", ""}, {"`", ""}, {"\xe2\x80\x94", "-"}, {"\xc3\x97", "x"}, {"\xc2\xa7", "section "},
    };
    size_t n = 0;
    while (*text && n + 1 < cap) {
        size_t k;
        for (k = 0; k < sizeof sub / sizeof sub[0]; k++)
            if (strncmp(text, sub[k].from, strlen(sub[k].from)) == 0)
                break;
        if (k < sizeof sub / sizeof sub[0]) {
            for (const char *t = sub[k].to; *t && n + 1 < cap; t++)
                buf[n++] = *t;
            text += strlen(sub[k].from);
        } else if (*text == '\n') {
            buf[n++] = ' ';
            text++;
        } else {
            buf[n++] = *text++;
        }
    }
    buf[n] = '\0';
}

static void
test_repl_explain_agrees_with_states_md(void **state)
{
    (void)state;
    FILE *f = fopen("docs/states.md", "r");
    assert_non_null(f);
    char *doc = NULL;
    size_t cap = 0;
    assert_true(getdelim(&doc, &cap, '\0', f) > 0);
    fclose(f);
    assert_int_equal(repl_nexplain, TCP_STATE_COUNT);
    for (int st = 0; st < TCP_STATE_COUNT; st++) {
        const struct repl_explain *e = repl_explain_find((enum tcp_state)st);
        char heading[64], means[2048];
        assert_non_null(e);
        snprintf(heading, sizeof heading, "\n### %s\n**Means:** ", tcp_state_rfc((enum tcp_state)st));
        const char *h = strstr(doc, heading);
        if (!h)
            fail_msg("docs/states.md has no heading \"### %s\" with a Means line", tcp_state_rfc((enum tcp_state)st));
        const char *start = h + strlen(heading), *end = strstr(start, "\n\n");
        char para[2048];
        snprintf(para, sizeof para, "%.*s", (int)(end - start), start);
        doc_plain(para, means, sizeof means);
        if (strncmp(means, e->means, strlen(e->means)) != 0)
            fail_msg("explain %s says \"%s\"; docs/states.md says \"%s\"", tcp_state_rfc((enum tcp_state)st),
                     e->means, means);
    }
    free(doc);
}

static void
test_repl_explain_close_wait_is_not_time_wait(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    const char *out = session_run(&s, "explain close_wait");
    assert_non_null(strstr(out, "CLOSE-WAIT"));
    assert_non_null(strstr(out, "our application"));
    assert_non_null(strstr(out, "not TIME-WAIT"));
    out = session_run(&s, "explain TIME-WAIT");
    assert_non_null(strstr(out, "2MSL"));
    assert_non_null(strstr(out, "not CLOSE-WAIT"));
    out = session_run(&s, "explain");
    for (int st = 0; st < TCP_STATE_COUNT; st++)
        assert_non_null(strstr(out, tcp_state_rfc((enum tcp_state)st)));
    out = session_run(&s, "explain SYN_RECV"); /* Linux's spelling */
    assert_non_null(strstr(out, "SYN-RECEIVED"));
    out = session_run(&s, "explain LINGER");
    assert_non_null(strstr(out, "error: explain: no state \"LINGER\""));
    session_close(&s);
}

/* ---- the scenario: load, where, list ---------------------------------------------------- */

static void
test_repl_load_starts_a_scenario_from_the_prompt(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    session_run(&s, "B listen 80");
    const char *out = session_run(&s, "load tests/repl/scenario.lua");
    assert_non_null(strstr(out, "tests/repl/scenario.lua"));
    assert_int_equal(repl_world(s.r)->nconns, 0); /* a fresh world */
    out = session_run(&s, "run");
    assert_non_null(strstr(out, "-- paused at 0.010000: the handshake is done"));
    /* a file that does not load leaves the session as it was */
    out = session_run(&s, "load tests/repl/nosuch.lua\nstatus");
    assert_non_null(strstr(out, "error:"));
    assert_non_null(strstr(out, "nosuch.lua"));
    assert_non_null(strstr(out, "ESTABLISHED"));
    assert_int_equal(world_now(repl_world(s.r)), CLK_MSEC(10));
    /* back goes back within the loaded scenario */
    out = session_run(&s, "back 1\nwhere");
    assert_non_null(strstr(out, "tests/repl/scenario.lua:6"));
    session_close(&s);
}

static void
test_repl_where_and_list_show_the_scenario_line(void **state)
{
    struct session s;
    (void)state;
    session_open_on(&s, "tests/repl/scenario.lua");
    const char *out = session_run(&s, "where");
    assert_non_null(strstr(out, "not started"));
    out = session_run(&s, "step 2\nwhere");
    assert_non_null(strstr(out, "tests/repl/scenario.lua:5"));
    out = session_run(&s, "list");
    assert_non_null(strstr(out, "=>  5  local c = A:connect(B, 80, { port = 40000, isn = 100 })"));
    assert_non_null(strstr(out, "    4  local l = B:listen(80)"));
    assert_null(strstr(out, "listen PORT")); /* not a prefix of listen */
    out = session_run(&s, "run\nwhere");
    assert_non_null(strstr(out, "tests/repl/scenario.lua:7"));
    assert_non_null(strstr(out, "pause"));
    out = session_run(&s, "list 10");
    assert_non_null(strstr(out, "   10  say(\"A is in FIN_WAIT_2 now\")"));
    out = session_run(&s, "continue\nwhere");
    assert_non_null(strstr(out, "ended"));
    session_close(&s);
    session_open(&s);
    out = session_run(&s, "where\nlist");
    assert_non_null(strstr(out, "no scenario"));
    session_close(&s);
}

/* ---- time travel: forward, rewind #N ------------------------------------------------------ */

static void
test_repl_forward_redoes_what_back_undid(void **state)
{
    struct session s;
    size_t n;
    (void)state;
    session_open(&s);
    session_run(&s, handshake);
    session_run(&s, "step 2\nsend A1 hello\nstep 2");
    struct trace_event *snap = log_snapshot(s.r, &n);
    clk_time now = world_now(repl_world(s.r));
    session_run(&s, "back 3");
    assert_true(repl_log(s.r)->len < n);
    session_run(&s, "status\n=sock('A1').state"); /* looking keeps what can be redone */
    const char *out = session_run(&s, "forward 3");
    assert_non_null(strstr(out, "A1 send")); /* it is shown happening again */
    assert_log_equal(repl_log(s.r), snap, n);
    assert_int_equal(world_now(repl_world(s.r)), now);
    out = session_run(&s, "forward");
    assert_non_null(strstr(out, "error: forward: nothing to redo"));
    /* a new action after back forgets what was undone, as an editor's redo does */
    session_run(&s, "back 1\nB listen 81");
    out = session_run(&s, "redo");
    assert_non_null(strstr(out, "nothing to redo"));
    free(snap);
    session_close(&s);
}

static void
test_repl_rewind_to_segment_number(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    session_run(&s, handshake);
    session_run(&s, "run\naccept B1\nclose A1\nrun");
    const char *out = session_run(&s, "rewind #2");
    assert_non_null(strstr(out, "-- back at 0.001000"));
    out = session_run(&s, "wire");
    assert_non_null(strstr(out, "  2  B>A   SYN,ACK"));
    /* the segment can now be dropped, and the run goes another way */
    out = session_run(&s, "drop 2\nrun 0.5");
    assert_null(strstr(out, "#2 arrives"));
    out = session_run(&s, "rewind #99");
    assert_non_null(strstr(out, "error: rewind: no segment #99"));
    session_close(&s);
}

/* ---- breakpoints on sockets that do not exist yet ----------------------------------------- */

static void
test_repl_break_on_a_socket_still_to_come(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    const char *out = session_run(&s, "break B2 ESTABLISHED\nbreak state A1 TIME-WAIT");
    assert_null(strstr(out, "error"));
    assert_non_null(strstr(out, "breakpoint 1: stop when B2 enters ESTABLISHED"));
    assert_non_null(strstr(out, "breakpoint 2: stop when A1 enters TIME-WAIT"));
    session_run(&s, handshake);
    out = session_run(&s, "continue");
    assert_non_null(strstr(out, "-- breakpoint 1 at 0.003000"));
    out = session_run(&s, "accept B1\nclose A1\nclose B2\ncontinue");
    assert_non_null(strstr(out, "-- breakpoint 2 at"));
    assert_int_equal(world_conn_by_name(repl_world(s.r), "A1")->state, TCP_TIME_WAIT);
    /* not every word is a socket to come */
    out = session_run(&s, "break C1 LISTEN");
    assert_non_null(strstr(out, "error:"));
    session_close(&s);
}

/* ---- save --------------------------------------------------------------------------------- */

/* The file's bytes, NUL-terminated. */
static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(1 << 20);
    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void
test_repl_save_writes_what_the_session_did(void **state)
{
    struct session s;
    char dir[] = "/tmp/tcpsim-save-XXXXXX", cmd[512], path[256];
    size_t len;
    (void)state;
    assert_non_null(mkdtemp(dir));
    session_open(&s);
    session_run(&s, handshake);
    session_run(&s, "run\nsend A1 hello\nstep");
    snprintf(cmd, sizeof cmd, "save pcap %s/run.pcapng\nsave trace %s/run.txt\nsave ladder %s/run.ladder\n"
                              "save ladder %s/run.svg\nsave html %s/run.html", dir, dir, dir, dir, dir);
    const char *out = session_run(&s, cmd);
    assert_null(strstr(out, "error"));
    assert_non_null(strstr(out, "wrote"));
    snprintf(path, sizeof path, "%s/run.pcapng", dir);
    char *b = slurp(path, &len);
    assert_true(len > 64);
    assert_memory_equal(b, "\x0a\x0d\x0d\x0a", 4); /* a pcapng section header */
    free(b);
    snprintf(path, sizeof path, "%s/run.txt", dir);
    b = slurp(path, &len);
    assert_non_null(strstr(b, "#1 sent"));
    assert_non_null(strstr(b, "#4 arrives"));
    free(b);
    snprintf(path, sizeof path, "%s/run.ladder", dir);
    b = slurp(path, &len);
    assert_non_null(strstr(b, "A 10.0.0.1"));
    free(b);
    snprintf(path, sizeof path, "%s/run.svg", dir);
    b = slurp(path, &len);
    assert_non_null(strstr(b, "<svg"));
    free(b);
    snprintf(path, sizeof path, "%s/run.html", dir);
    b = slurp(path, &len);
    assert_int_equal(strncmp(b, "<!DOCTYPE html>", 15), 0);
    assert_non_null(strstr(b, "{\"n\":4,"));
    assert_non_null(strstr(b, "\"title\":\"tcpsim REPL session\""));
    assert_non_null(strstr(b, "</html>\n"));
    free(b);
    /* after back, the files hold the run as it is now */
    session_run(&s, "back 1");
    snprintf(cmd, sizeof cmd, "save trace %s/back.txt", dir);
    session_run(&s, cmd);
    snprintf(path, sizeof path, "%s/back.txt", dir);
    b = slurp(path, &len);
    assert_non_null(strstr(b, "#4 sent"));
    assert_null(strstr(b, "#4 arrives"));
    free(b);
    out = session_run(&s, "save movie x\nsave trace /nonexistent/dir/x");
    assert_non_null(strstr(out, "error: save: \"movie\" is not pcap, trace, ladder, html or packetdrill"));
    assert_non_null(strstr(out, "error: save: /nonexistent/dir/x:"));
    /* a packetdrill script from one endpoint's view (docs/packetdrill.md) */
    snprintf(cmd, sizeof cmd, "save packetdrill %s/a.pkt A\nsave packetdrill %s/b.pkt b", dir, dir);
    out = session_run(&s, cmd);
    assert_null(strstr(out, "error"));
    snprintf(path, sizeof path, "%s/a.pkt", dir);
    b = slurp(path, &len);
    assert_non_null(strstr(b, "connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n+0  > S 0:0(0) <"));
    free(b);
    snprintf(path, sizeof path, "%s/b.pkt", dir);
    b = slurp(path, &len);
    assert_non_null(strstr(b, "listen(3, 128) = 0\n"));
    assert_non_null(strstr(b, " < S 0:0(0) win "));
    free(b);
    out = session_run(&s, "save packetdrill x.pkt\nsave packetdrill x.pkt C");
    assert_non_null(strstr(out, "error: usage: save packetdrill FILE A|B"));
    assert_non_null(strstr(out, "error: save packetdrill: \"C\" is not A or B"));
    session_close(&s);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- narrow terminals ---------------------------------------------------------------------- */

static void
test_repl_width_60_keeps_every_line_in_60_columns(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    const char *out = session_run(&s, "set width 60");
    assert_null(strstr(out, "error"));
    session_run(&s, handshake);
    out = session_run(&s, "run 5ms\naccept B1\nsend A1 hello\nclose A1\nstep 3");
    assert_true(longest_line(out) <= 60);
    assert_non_null(strstr(out, "#1 arrives"));
    out = session_run(&s, "trace 100"); /* trace N: N lines, and folded lines count */
    assert_true(longest_line(out) <= 60);
    assert_non_null(strstr(out, "[RFC 9293 3.10.7.2"));
    out = session_run(&s, "status");
    assert_true(longest_line(out) <= 60);
    assert_non_null(strstr(out, "FIN_WAIT_1"));
    assert_non_null(strstr(out, "timer:(tlp")); /* the FIN's tail loss probe */
    out = session_run(&s, "ladder");
    assert_true(longest_line(out) <= 60);
    assert_non_null(strstr(out, "SYN-RECEIVED"));
    assert_non_null(strstr(out, "B1 listen 80 = OK")); /* the narration is kept, below */
    /* wide again */
    out = session_run(&s, "set width 0\nstatus");
    assert_non_null(strstr(out, "Sock Proto Recv-Q Send-Q Local Address"));
    out = session_run(&s, "set width 10");
    assert_non_null(strstr(out, "error:"));
    session_close(&s);
}

static void
test_repl_set_rel_numbers_from_each_isn(void **state)
{
    struct session s;
    (void)state;
    session_open(&s);
    const char *out = session_run(&s, "set rel on");
    assert_null(strstr(out, "error"));
    session_run(&s, handshake);
    out = session_run(&s, "step\nwire");
    assert_non_null(strstr(out, "<SEQ=0><ACK=1><CTL=SYN,ACK>"));
    assert_non_null(strstr(out, "  2  B>A   SYN,ACK    0           1  "));
    out = session_run(&s, "trace 4");
    assert_non_null(strstr(out, "<SEQ=0><CTL=SYN>"));
    out = session_run(&s, "set rel off\ntrace 4");
    assert_non_null(strstr(out, "<SEQ=100><CTL=SYN>"));
    out = session_run(&s, "set\nset rel maybe");
    assert_non_null(strstr(out, "rel"));
    assert_non_null(strstr(out, "width"));
    assert_non_null(strstr(out, "error: set rel: want on or off"));
    session_close(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repl_lua_local_is_kept_for_the_session),
        cmocka_unit_test(test_repl_lua_table_prints_its_contents),
        cmocka_unit_test(test_repl_local_at_the_prompt_hints_lua),
        cmocka_unit_test(test_repl_pasted_lines_each_run),
        cmocka_unit_test(test_repl_lua_continues_an_unfinished_chunk),
        cmocka_unit_test(test_repl_explain_agrees_with_states_md),
        cmocka_unit_test(test_repl_explain_close_wait_is_not_time_wait),
        cmocka_unit_test(test_repl_load_starts_a_scenario_from_the_prompt),
        cmocka_unit_test(test_repl_where_and_list_show_the_scenario_line),
        cmocka_unit_test(test_repl_forward_redoes_what_back_undid),
        cmocka_unit_test(test_repl_rewind_to_segment_number),
        cmocka_unit_test(test_repl_break_on_a_socket_still_to_come),
        cmocka_unit_test(test_repl_save_writes_what_the_session_did),
        cmocka_unit_test(test_repl_width_60_keeps_every_line_in_60_columns),
        cmocka_unit_test(test_repl_set_rel_numbers_from_each_isn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
