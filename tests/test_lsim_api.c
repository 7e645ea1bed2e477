/*
 * test_lsim_api.c - the API a scenario sees (docs/lua-api.md): hosts, sockets, sysctl, net,
 * sim, the trace table, and the conventions: a call that fails returns nil, "ERRNO"; a wrong
 * argument raises "bad argument #n to 'f'". Each test is a Lua chunk that checks itself with
 * expect(); the C side asserts it ran to the end (and, where it matters, what it left behind).
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lsim_fx.h"
#include "tcpsim/world.h"

/* The RFC 9293 Figure 6 handshake, ISNs 100 and 300, then data both ways. */
static const char handshake[] =
    "B.sysctl.isn = 300\n"
    "local l = B:listen(80)\n"
    "expect(l.state == 'LISTEN', 'listener state ' .. tostring(l.state))\n"
    "local c = A:connect(B, 80, { port = 40000, isn = 100 })\n"
    "expect(c.state == 'SYN_SENT')\n"
    "expect(c['local'] == '10.0.0.1:40000' and c.remote == '10.0.0.2:80', c['local'] .. ' ' .. c.remote)\n"
    "expect(l:accept() == nil, 'nothing to accept yet')\n"
    "expect(sim:run_until(function() return c.state == 'ESTABLISHED' end) == true)\n";

static void
test_established_send_recv_returns_bytes(void **state)
{
    (void)state;
    char code[4096];
    snprintf(code, sizeof code, "%s%s", handshake,
             "sim:run(0.01)\n"
             "local s = l:accept()\n"
             "expect(s and s.state == 'ESTABLISHED' and s.name == 'B2', 'accepted')\n"
             "expect(s.error == nil)\n"
             "expect(c:send('hello') == 5)\n"
             "expect(s:recv() == '', 'nothing before the segment arrives')\n"
             "sim:run(0.2)\n"
             "expect(s:recv(2) == 'he')\n"
             "expect(s:discard(1) == 1, 'discard counts what it consumes')\n"
             "expect(s:recv() == 'lo', 'the stream goes on after the discarded byte')\n"
             "expect(s:discard() == 0, 'nothing left')\n"
             "local t = c:tcb()\n"
             "expect(t.iss == 100 and t.snd_una == 106 and t.snd_nxt == 106, 'tcb snd')\n"
             "expect(t.irs == 300 and t.rcv_nxt == 301, 'tcb rcv')\n"
             "expect(type(t.srtt) == 'number' and t.rto > 0 and t.retransmits == 0)\n"
             "expect(#t.timers == 0, 'no timer pending')\n"
             "c:close()\n"
             "sim:run(0.1)\n"
             "expect(s.state == 'CLOSE_WAIT')\n"
             "local d, e = s:recv()\n"
             "expect(d == nil and e == 'EOF', 'EOF after FIN')\n"
             "expect(c.state == 'FIN_WAIT_2')\n"
             "local ok, err = c:send('x')\n"
             "expect(ok == nil and err == 'EPIPE', 'send after close: ' .. tostring(err))\n"
             "s:close()\n"
             "sim:run(0.1)\n"
             "expect_state(c, 'TIME-WAIT')\n"
             "local tw = c:tcb().timers\n"
             "expect(#tw == 1 and tw[1].name == '2msl' and tw[1].left > 59, 'the 2MSL timer')\n"
             "sim:run(2 * A.sysctl.msl)\n"
             "expect(c.state == 'CLOSED' and s.state == 'CLOSED')\n");
    assert_int_equal(lfx_run(code, NULL, 0), LSIM_DONE);
}

static void
test_listen_port_in_use_returns_eaddrinuse(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("local l = B:listen(80)\n"
                             "local x, e = B:listen(80)\n"
                             "expect(x == nil and e == 'EADDRINUSE', tostring(e))\n"
                             "expect(#B:sockets() == 1 and B:sockets()[1] == l, 'one socket')\n"
                             "local a, e2 = l:accept()\n"
                             "expect(a == nil and e2 == nil)\n"
                             "local c = A:connect('10.0.0.2', 80)\n"
                             "local r, e3 = c:accept()\n"
                             "expect(r == nil and e3 == 'EOPNOTSUPP', tostring(e3))\n"
                             "local r2, e4 = c:shutdown()\n"
                             "expect(r2 == nil and e4 == 'ENOTCONN', tostring(e4))\n",
                             NULL, 0),
                     LSIM_DONE);
}

static void
test_closed_connect_refused_sets_error(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("local c = A:connect(B, 81)\n"
                             "sim:run(0.1)\n"
                             "expect_state(c, 'CLOSED')\n"
                             "expect_error(c, 'ECONNREFUSED')\n"
                             "expect(c.error == 'ECONNREFUSED')\n"
                             "local ok, e = c:close()\n"
                             "expect(ok == nil and e == 'ECONNREFUSED', tostring(e))\n",
                             NULL, 0),
                     LSIM_DONE);
}

static void
test_established_crash_forgets_connections(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("local l = B:listen(80)\n"
                             "local c = A:connect(B, 80)\n"
                             "sim:run(0.1)\n"
                             "local s = l:accept()\n"
                             "B:crash()\n"
                             "expect(s.state == 'CLOSED' and l.state == 'CLOSED')\n"
                             "expect(c.state == 'ESTABLISHED', 'A does not know')\n"
                             "expect(#net:inflight() == 0, 'a crash sends nothing')\n",
                             NULL, 0),
                     LSIM_DONE);
}

static void
test_sysctl_names_aliases_and_ranges(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("expect(A.sysctl.tcp_fin_timeout == 60 and A.sysctl.fin_timeout == 60)\n"
                             "A.sysctl.fin_timeout = 30\n"
                             "expect(A.sysctl.tcp_fin_timeout == 30 and B.sysctl.tcp_fin_timeout == 60)\n"
                             "expect(A.sysctl.msl == 30 and math.type(A.sysctl.tcp_syn_retries) == 'integer')\n"
                             "A.sysctl.tcp_rfc1337 = true\n"
                             "expect(A.sysctl.rfc1337 == 1)\n"
                             "local ok, e = pcall(function() return A.sysctl.nonsense end)\n"
                             "expect(not ok and e:find(\"unknown setting 'nonsense'\"), e)\n"
                             "ok, e = pcall(function() A.sysctl.tcp_syn_retries = 0 end)\n"
                             "expect(not ok and e:find('out of range'), e)\n"
                             "sim:config { preset = 'rfc', seed = 3 }\n"
                             "expect(A.sysctl.msl == 120, 'the rfc preset')\n"
                             "expect(A.sysctl.tcp_fin_timeout == 30, 'the script\\'s setting survives the preset')\n"
                             "expect(sim:seed() == 3 and sim.preset == 'rfc')\n"
                             "expect(A.name == 'A' and B.addr == '10.0.0.2')\n"
                             "B:listen(80)\n"
                             "ok, e = pcall(sim.config, sim, { seed = 4 })\n"
                             "expect(not ok and e:find('before the first socket'), e)\n",
                             NULL, 0),
                     LSIM_DONE);
}

static void
test_wrong_argument_types_raise_bad_argument(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("local function err(f) local ok, e = pcall(f); expect(not ok); return e end\n"
                             "local e = err(function() A:listen('x') end)\n"
                             "expect(e:find(\"bad argument #1 to 'listen' %(number expected, got string%)\"), e)\n"
                             "e = err(function() A:connect(42, 80) end)\n"
                             "expect(e:find(\"bad argument #1 to 'connect' %(host expected\"), e)\n"
                             "e = err(function() A:connect(B, 80, { prot = 1 }) end)\n"
                             "expect(e:find(\"bad argument #3 to 'connect' %(unknown option 'prot' %(did you mean 'port'%?%)%)\"), e)\n"
                             "e = err(function() net:drop { flags = 'XYZ' } end)\n"
                             "expect(e:find(\"bad argument #1 to 'drop'\"), e)\n"
                             "e = err(function() net:set { loss = 2 } end)\n"
                             "expect(e:find(\"bad argument #1 to 'set'\"), e)\n"
                             "e = err(function() sim:run('soon') end)\n"
                             "expect(e:find(\"bad argument #1 to 'run'\"), e)\n"
                             "local l = B:listen(80)\n"
                             "e = err(function() l:send({}) end)\n"
                             "expect(e:find(\"bad argument #1 to 'send' %(string expected, got table%)\"), e)\n"
                             "e = err(function() expect_state(l, 'NOWHERE') end)\n"
                             "expect(e:find(\"bad argument #2 to 'expect_state' %(unknown state 'NOWHERE'; the states are CLOSED, LISTEN,\"), e)\n"
                             "e = err(function() l.state = 'CLOSED' end)\n"
                             "expect(e:find('read%-only'), e)\n"
                             "e = err(function() sim.now = 5 end)\n"
                             "expect(e:find('cannot set sim.now'), e)\n",
                             NULL, 0),
                     LSIM_DONE);
}

static void
test_net_rules_drop_and_list(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("local l = B:listen(80)\n"
                             "local c = A:connect(B, 80)\n"
                             "sim:run(0.1)\n"
                             "local s = l:accept()\n"
                             "local id = net:drop { from = A, flags = 'FIN' }\n"
                             "local r = net:rules()\n"
                             "expect(#r == 1 and r[1].id == id and r[1].action == 'drop' and r[1].from == 'A' and r[1].flags == 'FIN')\n"
                             "c:close()\n"
                             "sim:run(0.1)\n"
                             "expect(s.state == 'ESTABLISHED', 'the FIN was dropped')\n"
                             "expect(c.state == 'FIN_WAIT_1')\n"
                             "local drops = sim:trace('drop')\n"
                             "expect(#drops == 1 and drops[1].flags == 'FIN,ACK' and drops[1].from == 'A')\n"
                             "expect(net:rules()[1].count == 0)\n"
                             "expect(net:unrule(id) == true and #net:rules() == 0)\n"
                             "local x, e = net:unrule(id)\n"
                             "expect(x == nil and e == 'EINVAL')\n"
                             "sim:run(5)\n"
                             "expect(s.state == 'CLOSE_WAIT', 'the retransmitted FIN arrived')\n",
                             NULL, 0),
                     LSIM_DONE);
}

static void
test_net_inflight_by_id(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("net:set { delay = 0.05 }\n"
                             "expect(net:link(A).delay == 0.05 and net:link(B).delay == 0.05)\n"
                             "net:set { from = B, loss = 0.5 }\n"
                             "expect(net:link(B).loss == 0.5 and net:link(A).loss == 0)\n"
                             "net:set { from = B, loss = 0 }\n"
                             "local l = B:listen(80)\n"
                             "local c = A:connect(B, 80, { isn = 7 })\n"
                             "local f = net:inflight()\n"
                             "expect(#f == 1 and f[1].flags == 'SYN' and f[1].seq == 7 and f[1].from == 'A' and f[1].to == 'B')\n"
                             "expect(f[1].arrive == 0.05 and f[1].age == 0 and f[1].dport == 80)\n"
                             "local copy = net:dup_id(f[1].id)\n"
                             "expect(copy and #net:inflight() == 2)\n"
                             "expect(net:delay_id(copy, 1) == true)\n"
                             "expect(net:drop_id(f[1].id) == true and #net:inflight() == 1)\n"
                             "local x, e = net:drop_id(999)\n"
                             "expect(x == nil and e == 'EINVAL')\n"
                             "x, e = net:delay_id(999, 1)\n"
                             "expect(x == nil and e == 'EINVAL')\n"
                             "x, e = net:dup_id(999)\n"
                             "expect(x == nil and e == 'EINVAL')\n"
                             "sim:run(1.2)\n"
                             "expect(c.state == 'ESTABLISHED', 'the delayed copy made it')\n",
                             NULL, 0),
                     LSIM_DONE);
}

static void
test_listen_inject_syn_gets_synack(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("B.sysctl.isn = 300\n"
                             "local l = B:listen(80)\n"
                             "local id = net:inject { from = A, sport = 40000, dport = 80, seq = 100, flags = 'SYN' }\n"
                             "expect(math.type(id) == 'integer')\n"
                             "sim:run(0.01)\n"
                             "local sent = sim:trace('send')\n"
                             "expect(#sent == 3, 'SYN, SYN,ACK, then A answers RST: ' .. #sent)\n"
                             "expect(sent[1].text == 'injected' and sent[1].seq == 100)\n"
                             "expect(sent[2].from == 'B' and sent[2].flags == 'SYN,ACK' and sent[2].seq == 300 and sent[2].ack == 101)\n"
                             "expect(sent[3].from == 'A' and sent[3].flags == 'RST')\n",
                             NULL, 0),
                     LSIM_DONE);
}

/* net:inject's 'src' spoofs the source address: B answers an address no host has, and its
   SYN,ACK is lost on the wire (nobody answers it with a RST, as A did above). */
static void
test_listen_inject_spoofed_syn_synack_lost(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("local l = B:listen(80)\n"
                             "net:inject { from = A, src = '203.0.113.7', sport = 40000, dport = 80, seq = 100, flags = 'SYN' }\n"
                             "sim:run(0.01)\n"
                             "local sent = sim:trace('send')\n"
                             "expect(#sent == 2, 'SYN and SYN,ACK, no RST: ' .. #sent)\n"
                             "local drops = sim:trace('drop')\n"
                             "expect(#drops == 1 and drops[1].flags == 'SYN,ACK', 'the SYN,ACK is lost')\n"
                             "expect(drops[1].text == 'no host has address 203.0.113.7', drops[1].text)\n"
                             "local ok, e = pcall(function() net:inject { from = A, src = '203.0.113', sport = 1, dport = 80 } end)\n"
                             "expect(not ok and e:find(\"field 'src' must be an IPv4 address\"), e)\n"
                             "ok, e = pcall(function() net:inject { from = A, src = '1.2.3.256', sport = 1, dport = 80 } end)\n"
                             "expect(not ok, 'an octet above 255')\n",
                             NULL, 0),
                     LSIM_DONE);
}

static void
test_trace_events_carry_their_fields(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("say('hello')\n"
                             "local l = B:listen(80)\n"
                             "local c = A:connect(B, 80, { isn = 100 })\n"
                             "sim:run(0.01)\n"
                             "local t = sim:trace()\n"
                             "expect(t[1].kind == 'say' and t[1].text == 'hello' and t[1].t == 0)\n"
                             "local st = sim:trace('state')\n"
                             "expect(st[1].host == 'B' and st[1].sock == 'B1' and st[1].from == 'CLOSED' and st[1].to == 'LISTEN')\n"
                             "expect(st[1].rule_id == 'OPEN_PASSIVE' and st[1].rule:find('^3.10.1: '), st[1].rule)\n"
                             "local calls = sim:trace('call')\n"
                             "expect(calls[1].text == 'listen 80' and calls[1].result == 'OK')\n"
                             "local d = sim:trace('deliver')[1]\n"
                             "expect(d.from == 'A' and d.to == 'B' and d.flags == 'SYN' and d.seq == 100 and d.len == 0 and d.win > 0)\n"
                             "for i = 2, #t do expect(t[i].t >= t[i - 1].t and t[i].n > t[i - 1].n) end\n"
                             "expect(#sim:trace { kind = 'timer_arm' } > 0 and #sim:trace('timer_arm') > 0)\n"
                             "expect(#sim:trace { from = t[#t].n } == 1 and sim:trace { from = t[#t].n }[1].n == t[#t].n)\n"
                             "for _, e in ipairs(t) do expect(e.kind ~= 'timer_arm', 'arm events only on request') end\n",
                             NULL, 0),
                     LSIM_DONE);
}

static void
test_sim_step_and_run_until(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("expect(sim:step() == nil, 'nothing scheduled')\n"
                             "local l = B:listen(80)\n"
                             "local c = A:connect(B, 80)\n"
                             "local e = sim:step()\n"
                             "expect(e.kind == 'deliver' and e.to == 'B' and e.flags == 'SYN', e.kind)\n"
                             "expect(#e.events >= 3 and e.events[1].kind == 'deliver')\n"
                             "expect(sim.now == 0.001)\n"
                             "local ok = sim:run_until(function() return false end, 2)\n"
                             "expect(ok == false and sim.now == 2.001, 'false after the limit, at the limit')\n"
                             "expect(sim:run_until(function() return c.state == 'ESTABLISHED' end) == true)\n",
                             NULL, 0),
                     LSIM_DONE);
}

static void
test_expect_failure_reports_file_and_line(void **state)
{
    (void)state;
    char msg[512];
    assert_int_equal(lfx_run("local x = 1\n\nexpect(x == 2, 'x should be 2')\n", msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:3: x should be 2");
    assert_int_equal(lfx_run("local l = B:listen(80)\nexpect_state(l, 'ESTABLISHED')\n", msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:2: expected B1 in ESTABLISHED, but it is in LISTEN");
    assert_int_equal(lfx_run("local l = B:listen(80)\nexpect_error(l, 'ECONNRESET')\n", msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:2: expected B1's error to be ECONNRESET, but it is none");
    assert_int_equal(lfx_run("\nerror('plain')\n", msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:2: plain");
    assert_int_equal(lfx_run("\n\nerror('no position', 0)\n", msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:3: no position");
    assert_int_equal(lfx_run("assert(false)\n", msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:1: assertion failed!");
}

static void
test_scenario_sets_title(void **state)
{
    (void)state;
    struct lsim *l = lfx_new("scenario { title = 'T', summary = 'S' }\n");
    assert_non_null(l);
    assert_null(lsim_title(l));
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    assert_string_equal(lsim_title(l), "T");
    assert_string_equal(lsim_summary(l), "S");
    lsim_free(l);
    char msg[256];
    assert_int_equal(lfx_run("scenario { titel = 'x' }\n", msg, sizeof msg), LSIM_FAILED);
    assert_non_null(strstr(msg, "unknown option 'titel'"));
}

static void
test_sockets_limit_returns_enobufs(void **state)
{
    (void)state;
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    o.max_sockets = 2;
    struct lsim *l = lsim_new(&o);
    assert_int_equal(lsim_load_string(l,
                                      "B:listen(1) B:listen(2)\n"
                                      "local x, e = B:listen(3)\n"
                                      "expect(x == nil and e == 'ENOBUFS')\n"
                                      "x, e = A:connect(B, 1)\n"
                                      "expect(x == nil and e == 'ENOBUFS')\n",
                                      "@t.lua"),
                     0);
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    assert_int_equal(lsim_world(l)->nconns, 2);
    lsim_free(l);
}

/* host:ss() counts per state as the connections move; sysctl.nofile gives EMFILE and a full
   ephemeral range EADDRNOTAVAIL, under those names. */
static void
test_host_ss_counts_and_socket_errors(void **state)
{
    (void)state;
    char msg[256];
    assert_int_equal(lfx_run("local l = B:listen(80)\n"
                             "A.sysctl.port_lo = 40000 A.sysctl.port_hi = 40001\n"
                             "local c1, c2 = A:connect(B, 80), A:connect(B, 80)\n"
                             "local x, e = A:connect(B, 80)\n"
                             "expect(x == nil and e == 'EADDRNOTAVAIL', tostring(e))\n"
                             "sim:run(1)\n"
                             "local s = A:ss()\n"
                             "expect(s.ESTABLISHED == 2 and s.total == 2 and s.files == 2 and s.CLOSED == 0)\n"
                             "expect(s.TIME_WAIT == 0 and s.LISTEN == 0 and B:ss().LISTEN == 1)\n"
                             "expect(B:ss().files == 1 and B:ss().ESTABLISHED == 2)\n"
                             "c1:close() c2:close() sim:run(1)\n"
                             "s = A:ss()\n"
                             "expect(s.FIN_WAIT_2 == 2 and s.files == 0 and B:ss().CLOSE_WAIT == 2)\n"
                             "B.sysctl.nofile = 1\n"
                             "x, e = B:listen(81)\n"
                             "expect(x == nil and e == 'EMFILE', tostring(e))\n"
                             "x, e = l:accept()\n"
                             "expect(x == nil and e == 'EMFILE', tostring(e))\n",
                             msg, sizeof msg),
                     LSIM_DONE);
}

/* docs/lua-api.md promises that an unknown key in an options table raises: net:drop{flag=}
   used to drop A's next segment of any kind, whatever its flags. */
static void
test_net_unknown_keys_raise(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("local function err(f) local ok, e = pcall(f); expect(not ok, 'no error'); return e end\n"
                             "local e = err(function() net:drop { flag = 'FIN' } end)\n"
                             "expect(e:find(\"bad argument #1 to 'drop' %(unknown option 'flag' %(did you mean 'flags'%?%)%)\"), e)\n"
                             "e = err(function() net:delay { from = A, flags = 'SYN', by = 1, cout = 2 } end)\n"
                             "expect(e:find(\"bad argument #1 to 'delay' %(unknown option 'cout' %(did you mean 'count'%?%)%)\"), e)\n"
                             "e = err(function() net:dup { from = A, by = 1 } end)\n"
                             "expect(e:find(\"unknown option 'by' %(the options are from, flags, exact, seq, len, count, nth%)\"), e)\n"
                             "e = err(function() net:set { dealy = 0.05 } end)\n"
                             "expect(e:find(\"bad argument #1 to 'set' %(unknown option 'dealy' %(did you mean 'delay'%?%)%)\"), e)\n"
                             "e = err(function() net:inject { from = A, sport = 1, dport = 80, flag = 'SYN' } end)\n"
                             "expect(e:find(\"bad argument #1 to 'inject' %(unknown option 'flag'\"), e)\n"
                             "expect(#net:rules() == 0 and #net:inflight() == 0, 'nothing was installed or sent')\n"
                             "expect(net:link(A).delay == 0.001, 'the link is unchanged')\n",
                             NULL, 0),
                     LSIM_DONE);
}

/* sock.state reads TIME_WAIT, the trace prints TIME-WAIT: sock:is compares in any spelling,
   and a spelling that is no state's is an error naming the right ones. */
static void
test_time_wait_is_any_spelling(void **state)
{
    (void)state;
    char msg[1024];
    assert_int_equal(lfx_run("local l = B:listen(80)\n"
                             "local c = A:connect(B, 80)\n"
                             "sim:run(0.1)\n"
                             "local s = l:accept()\n"
                             "c:close(); sim:run(0.1); s:close(); sim:run(0.1)\n"
                             "expect(c.state == 'TIME_WAIT' and c.state ~= 'TIME-WAIT', 'sock.state is the BSD spelling')\n"
                             "for _, n in ipairs { 'TIME-WAIT', 'TIME_WAIT', 'time-wait', 'TIME-WAIT', 'TIME_WAIT' } do\n"
                             "  expect(c:is(n) == true, n)\n"
                             "end\n"
                             "expect(c:is('ESTABLISHED') == false and s:is('CLOSED') and l:is('LISTEN') and l:is('listen'))\n"
                             "expect(c:is('ESTAB') == false and s:is('SYN-RECV') == false, 'ss spellings')\n"
                             "local ok, e = pcall(function() return c:is('TIME_WAT') end)\n"
                             "expect(not ok and e:find(\"bad argument #1 to 'is' %(unknown state 'TIME_WAT' %(did you mean TIME_WAIT%?%); the states are CLOSED, LISTEN, SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT, spelled as\"), e)\n"
                             "ok, e = pcall(expect_error, c, 'ECONNRESTE')\n"
                             "expect(not ok and e:find(\"unknown error name 'ECONNRESTE' %(did you mean ECONNRESET%?%); the errors are ENOTCONN,\"), e)\n",
                             NULL, 0),
                     LSIM_DONE);
    assert_int_equal(lfx_run("local l = B:listen(80)\n\nexpect_state(l, 'LISTENING')\n", msg, sizeof msg), LSIM_FAILED);
    assert_non_null(strstr(msg, "t.lua:3: bad argument #2 to 'expect_state' (unknown state 'LISTENING' (did you mean "
                                "LISTEN?); the states are CLOSED, LISTEN, SYN_SENT"));
}

/* A run_until whose condition never held says so in the trace at that moment; wait_for is
   the form that fails, at the caller's line. */
static void
test_run_until_timeout_is_traced_wait_for_fails(void **state)
{
    (void)state;
    char msg[512];
    assert_int_equal(lfx_run("local c = A:connect(B, 81)\n"
                             "local ok = sim:run_until(function() return c.state == 'ESTABLISHED' end, 5)\n"
                             "expect(ok == false and sim.now == 5)\n"
                             "local says = sim:trace('say')\n"
                             "expect(#says == 1 and says[1].t == 5, 'one note, at the moment it gave up')\n"
                             "expect(says[1].text == 'sim:run_until (t.lua:2) timed out: the condition did not hold within 5 s', says[1].text)\n"
                             "local l = B:listen(80)\n"
                             "local d = A:connect(B, 80)\n"
                             "expect(sim:wait_for(function() return d:is('ESTABLISHED') end, 1) == true)\n"
                             "expect(#sim:trace('say') == 1, 'no note when the condition holds')\n",
                             NULL, 0),
                     LSIM_DONE);
    assert_int_equal(lfx_run("local c = A:connect(B, 81)\n"
                             "local function refused() return c.error == 'ECONNREFUSED' end\n"
                             "sim:wait_for(refused)\n"
                             "\n"
                             "sim:wait_for(function() return c:is('ESTABLISHED') end, 3)\n",
                             msg, sizeof msg),
                     LSIM_FAILED);
    assert_string_equal(msg, "t.lua:5: sim:wait_for: the condition did not hold within 3 s (now 3.002 s)");
}

/* A loop that polls a socket without letting time pass hits the instruction limit: the
   message says what to do instead. */
static void
test_polling_loop_limit_says_call_sim_run(void **state)
{
    (void)state;
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    o.max_instructions = 2000000;
    char msg[1024];
    struct lsim *l = lsim_new(&o);
    assert_int_equal(lsim_load_string(l,
                                      "local l = B:listen(80)\n"
                                      "local c = A:connect(B, 80)\n"
                                      "sim:run(0.0015)\n"
                                      "while c.state ~= 'ESTABLISHED' do end\n",
                                      "@t.lua"),
                     0);
    assert_int_equal(lfx_finish(l), LSIM_FAILED);
    snprintf(msg, sizeof msg, "%s", lsim_message(l));
    lsim_free(l);
    assert_non_null(strstr(msg, "t.lua:4: instruction limit (2000000) exceeded: the script looked at its sockets "
                                "or the clock "));
    assert_non_null(strstr(msg, " times while the clock stood still at 0.0015 s; a loop that waits for the network "
                                "must let time pass: call sim:run(seconds), sim:step() or sim:run_until(fn)"));
    /* a loop that computes, or that lets time pass, is not blamed for polling */
    l = lsim_new(&o);
    assert_int_equal(lsim_load_string(l, "local n = 0\nwhile true do n = n + 1 end\n", "@t.lua"), 0);
    assert_int_equal(lfx_finish(l), LSIM_FAILED);
    assert_string_equal(lsim_message(l), "t.lua:2: instruction limit (2000000) exceeded");
    lsim_free(l);
    l = lsim_new(&o);
    assert_int_equal(lsim_load_string(l, "while true do sim:run(1e-6); local x = sim.now end\n", "@t.lua"), 0);
    assert_int_equal(lfx_finish(l), LSIM_FAILED);
    assert_string_equal(lsim_message(l), "t.lua:1: instruction limit (2000000) exceeded");
    lsim_free(l);
}

/* A scenario deep in a folder tree: every FAIL message names its whole path, where Lua's
   own short_src would cut it from the left ("...c/d/x.lua:3:"). */
static void
test_fail_message_keeps_whole_path(void **state)
{
    (void)state;
    char dir[] = "/tmp/tcpsim-a-rather-long-folder-name-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/for-the-lab-of-week-three/scenario-with-a-long-name.lua", dir);
    char sub[512];
    snprintf(sub, sizeof sub, "%s/for-the-lab-of-week-three", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    static const char *const bodies[] = {
        "local x = 1\n\nexpect(x == 2, 'x should be 2')\n",
        "local t = nil\n\nlocal y = t.field\n",
        "local l = B:listen(80)\n\nl:send({})\n",
        "\n\nerror('plain')\n",
        "local l = B:listen(80)\n\nexpect_state(l, 'CLOSED')\n",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(bodies[i], f);
        fclose(f);
        struct lsim *l = lsim_new(NULL);
        assert_int_equal(lsim_load(l, path), 0);
        assert_int_equal(lfx_finish(l), LSIM_FAILED);
        char want[600];
        snprintf(want, sizeof want, "%s:3: ", path);
        if (strncmp(lsim_message(l), want, strlen(want)) != 0)
            fail_msg("case %zu: '%s' does not start with '%s'", i, lsim_message(l), want);
        lsim_free(l);
    }
    remove(path);
    /* an error in a goal's check names the goals file whole too */
    snprintf(path, sizeof path, "%s/for-the-lab-of-week-three/the-goals-of-the-lab.goals.lua", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("goals {\n  { name = 'x', check = function() error('boom') end },\n}\n", f);
    fclose(f);
    struct lsim *l = lfx_new("B:listen(80)\n");
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    struct lsim_goal *g = NULL;
    size_t n = 0;
    char *err = NULL, want[600];
    assert_int_equal(lsim_goals(l, path, &g, &n, &err), 0);
    snprintf(want, sizeof want, "%s:2: boom", path);
    assert_int_equal(n, 1);
    assert_string_equal(g[0].detail, want);
    lsim_goals_free(g, n);
    lsim_free(l);
    remove(path);
    rmdir(sub);
    rmdir(dir);
}

/* expect_segment: the next segment a host sends, field by field, numbers relative to the
   ISNs as packetdrill writes them; a failure says what was sent instead. */
static void
test_expect_segment_checks_next_segment(void **state)
{
    (void)state;
    char msg[512];
    static const char close_both[] =
        "local l = B:listen(80)\n"
        "local c = A:connect(B, 80)\n"
        "expect_segment { from = A, flags = 'SYN', seq = 0, len = 0 }\n"
        "expect_segment { from = B, flags = 'SYN,ACK', seq = 0, ack = 1, within = 0.004 }\n"
        "expect_segment { from = A, flags = 'ACK', seq = 1, ack = 1, within = 0.004 }\n"
        "sim:run(0.01)\n"
        "local s = l:accept()\n"
        "c:close(); s:close()\n";
    char code[2048];
    snprintf(code, sizeof code, "%s%s", close_both,
             "local e = expect_segment { from = A, flags = 'FIN,ACK', seq = 1, ack = 1, len = 0, within = 0.004 }\n"
             "expect(e.kind == 'send' and e.from == 'A' and e.seq == c:tcb().iss + 1, 'the trace event, absolute')\n"
             "expect_segment { from = B, flags = 'FIN,ACK', seq = 1, ack = 1, len = 0 }\n"
             "expect_segment { from = A, flags = 'ACK', seq = 2, ack = 2, within = 0.004 }\n"
             "expect_segment { from = B, flags = 'ACK', seq = s:tcb().iss + 2, ack = c:tcb().iss + 2, abs = true }\n"
             "local ok, err = pcall(expect_segment, { from = A, flag = 'FIN' })\n"
             "expect(not ok and err:find(\"unknown option 'flag' %(did you mean 'flags'%?%)\"), err)\n");
    assert_int_equal(lfx_run(code, NULL, 0), LSIM_DONE);
    snprintf(code, sizeof code, "%s%s", close_both,
             "expect_segment { from = A, flags = 'FIN,ACK', seq = 1, ack = 1 }\n"
             "expect_segment { from = A, flags = 'ACK', seq = 2, ack = 2, within = 0.0005 }\n");
    assert_int_equal(lfx_run(code, msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:10: expected A to send ACK seq 2 ack 2 (numbers relative to the ISNs), "
                             "but it sent nothing (by 0.0125 s)");
    snprintf(code, sizeof code, "%s%s", close_both, "c:send('x')\n");
    assert_int_equal(lfx_run(code, NULL, 0), LSIM_DONE);
    assert_int_equal(lfx_run("local l = B:listen(80)\n"
                             "local c = A:connect(B, 80)\n"
                             "sim:run(0.01)\n"
                             "c:send('hello')\n"
                             "expect_segment { from = A, flags = 'FIN,ACK', seq = 1, ack = 1, len = 0 }\n",
                             msg, sizeof msg),
                     LSIM_FAILED);
    assert_string_equal(msg, "t.lua:5: expected A to send FIN,ACK seq 1 ack 1 len 0, but it sent PSH,ACK seq 1 ack 1 "
                             "len 5 win 63 (#4 at 0.01 s) (numbers relative to the ISNs)");
}

/* setsockopt and getsockopt know the options by their C names: an unknown name is an error
   that names the option meant, a value out of range raises, a failure is nil, errno. */
static void
test_setsockopt_unknown_option_names_it(void **state)
{
    (void)state;
    assert_int_equal(lfx_run("local l = B:listen(80)\n"
                             "local function err(f) local ok, e = pcall(f); expect(not ok, 'no error'); return e end\n"
                             "local e = err(function() l:setsockopt('SO_LINGR', 0) end)\n"
                             "expect(e:find(\"bad argument #1 to 'setsockopt' %(unknown socket option 'SO_LINGR' %(did you mean SO_LINGER%?%); the options are SO_KEEPALIVE, SO_LINGER,\"), e)\n"
                             "e = err(function() return l:getsockopt('tcp_nodelay') end)\n"
                             "expect(e:find(\"unknown socket option 'tcp_nodelay' %(did you mean TCP_NODELAY%?%)\"), e)\n"
                             "e = err(function() l:setsockopt('IP_TTL', 1) end)\n"
                             "expect(e:find(\"unknown socket option 'IP_TTL'; the options are\"), e)\n"
                             "e = err(function() l:setsockopt('TCP_KEEPCNT', 0) end)\n"
                             "expect(e:find('TCP_KEEPCNT takes an integer in %[1'), e)\n"
                             "e = err(function() l:setsockopt('SO_RCVBUF', 2147483647) end)\n"
                             "expect(e:find('SO_RCVBUF takes an integer in %[1.*1073741824'), e)\n"
                             "e = err(function() l:setsockopt('SO_LINGER', 'yes') end)\n"
                             "expect(e:find('SO_LINGER takes seconds'), e)\n"
                             "e = err(function() l:setsockopt('TCP_NODELAY', 'on') end)\n"
                             "expect(e:find('TCP_NODELAY takes true or false'), e)\n"
                             "expect(l:setsockopt('TCP_KEEPIDLE', 0.5) == true and l:getsockopt('TCP_KEEPIDLE') == 0.5)\n"
                             "local calls = sim:trace('call')\n"
                             "expect(calls[#calls].text == 'setsockopt TCP_KEEPIDLE 0.5', calls[#calls].text)\n",
                             NULL, 0),
                     LSIM_DONE);
}

/* Write 'text' to file 'path'. */
static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A goals file is checked as it loads: every mistake is an error at the goal's own line of
   the goals file (its name's), instead of a goal that is silently never reached. */
static void
test_goals_file_checked_when_loaded(void **state)
{
    (void)state;
    static const struct {
        const char *goal, *error;
    } cases[] = {
        {"{ name = 'g', state = 'TIME_WAT' }", "goal 'g': unknown state 'TIME_WAT' (did you mean TIME_WAIT?)"},
        {"{ name = 'g', rule = 'RST_CHALENGE' }", "goal 'g': unknown rule 'RST_CHALENGE' (did you mean RST_CHALLENGE?)"},
        {"{ name = 'g', state = 'CLOSED', host = 'C' }", "goal 'g': unknown host 'C' (A, B, 10.0.0.1 or 10.0.0.2)"},
        {"{ name = 'g', stat = 'CLOSED' }", "goal 'g': unknown field 'stat' (did you mean 'state'?)"},
        {"{ name = 'g', edge = { 'LISTEN' } }", "goal 'g': field 'edge' must be two states, { \"FROM\", \"TO\" }"},
        {"{ name = 'g', edge = { 'LISTEN', 'ESTABLISHED' } }",
         "goal 'g': LISTEN -> ESTABLISHED is no transition of the state diagram"},
        {"{ name = 'g', edge = { 'LISTEN', 'ESTABLISH' } }", "goal 'g': unknown state 'ESTABLISH'"},
        {"{ name = 'g', state = 'CLOSED', rule = 'RST_RESET' }",
         "goal 'g': needs exactly one of check, state, edge, rule, setting, changed"},
        {"{ name = 'g', setting = { tcp_syn_retry = 7 } }", "goal 'g': unknown setting 'tcp_syn_retry' (did you mean tcp_syn_retries?)"},
        {"{ name = 'g', setting = { tcp_syn_retries = 0 } }", "goal 'g': setting tcp_syn_retries: 0 is no value it can take"},
        {"{ name = 'g', changed = { 'msl', 'nonsense' } }", "goal 'g': unknown setting 'nonsense'"},
        {"{ name = 'g', check = 'yes' }", "goal 'g': field 'check' must be a function, not a string"},
        {"{ state = 'CLOSING', host = 'D' }", "goal 2: unknown host 'D'"},
    };
    char path[] = "/tmp/tcpsim-goals-XXXXXX", file[128], text[512], want[512];
    assert_non_null(mkdtemp(path));
    snprintf(file, sizeof file, "%s/lab.goals.lua", path);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        /* the goal in question on line 4, after a sound one */
        snprintf(text, sizeof text, "-- lab\ngoals {\n  { name = 'fine', state = 'TIME_WAIT' },\n  %s,\n}\n",
                 cases[i].goal);
        write_file(file, text);
        size_t n = 99;
        char *err = NULL;
        assert_int_equal(lsim_goals_check(file, &n, &err), -1);
        /* an unnamed goal is placed at the goals{} call */
        snprintf(want, sizeof want, "%s:%d: %s", file, strstr(cases[i].goal, "name") ? 4 : 2, cases[i].error);
        if (strncmp(err, want, strlen(want)) != 0)
            fail_msg("case %zu: '%s' does not start with '%s'", i, err, want);
        free(err);
    }
    write_file(file, "-- no goals here\nlocal x = 1\n");
    size_t n = 0;
    char *err = NULL;
    assert_int_equal(lsim_goals_check(file, &n, &err), -1);
    assert_non_null(strstr(err, "lab.goals.lua: no goals"));
    free(err);
    assert_int_equal(lsim_goals_check("tests/lua/goals.lua", &n, &err), 0);
    assert_int_equal(n, 6);
    assert_int_equal(lsim_goals_check("tests/lua/goals/bad-state.goals.lua", &n, &err), -1);
    assert_non_null(strstr(err, "tests/lua/goals/bad-state.goals.lua:5: goal 'time-wait': unknown state 'TIME_WAT'"));
    free(err);
    unlink(file);
    rmdir(path);
}

/* A goals file is recognised by its name and never run as a scenario; goals{} in a scenario
   are the scenario's own. */
static void
test_goals_file_never_run_as_scenario(void **state)
{
    (void)state;
    char msg[512];
    struct lsim *l = lsim_new(NULL);
    assert_int_equal(lsim_load(l, "tests/lua/goals/bad-state.goals.lua"), -1);
    assert_non_null(strstr(lsim_message(l), "bad-state.goals.lua is a goals file (by its name, NAME.goals.lua), "
                                            "not a scenario: give it to tcpsim test --goals"));
    lsim_free(l);
    assert_true(lsim_is_goals_file("labs/x.goals.lua"));
    assert_false(lsim_is_goals_file("labs/goals.lua") || lsim_is_goals_file(".goals.lua"));
    /* in a scenario, goals{} are its own goals, checked when it ends: a goals file run as a
       scenario by accident fails instead of passing by doing nothing */
    assert_int_equal(lfx_run("\ngoals {\n  { name = 'listen', state = 'LISTEN' },\n"
                             "  { name = 'time-wait', state = 'TIME_WAIT' },\n}\nB:listen(80)\n",
                             msg, sizeof msg),
                     LSIM_FAILED);
    /* (a chunk from a string has no file to find the goal's own line in: the goals{} call's) */
    assert_string_equal(msg, "t.lua:2: goal 'time-wait' not reached");
    assert_int_equal(lfx_run("goals { { name = 'listen', state = 'LISTEN' } }\nB:listen(80)\n", msg, sizeof msg),
                     LSIM_DONE);
    assert_int_equal(lfx_run("\ngoals { { name = 'x', state = 'CLOSNG' } }\n", msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:2: goal 'x': unknown state 'CLOSNG' (did you mean CLOSING?); the states are "
                             "CLOSED, LISTEN, SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, "
                             "CLOSING, LAST_ACK, TIME_WAIT, spelled as the RFC (TIME-WAIT), BSD (TIME_WAIT), Linux "
                             "or ss do");
}

/* Settings fixed from outside (tcpsim test --set): they win over the scenario's own writes
   (which the trace says were ignored) and over a preset chosen later; goals check them. */
static void
test_fixed_setting_wins_and_goals_check_it(void **state)
{
    (void)state;
    char err[256];
    struct lsim *l = lsim_new(NULL);
    assert_int_equal(lsim_fix_setting(l, "tcp_syn_retries = 7", err, sizeof err), 0);
    assert_int_equal(lsim_fix_setting(l, "B.msl=10", err, sizeof err), 0);
    assert_int_equal(lsim_fix_setting(l, "tcp_syn_retrie=7", err, sizeof err), -1);
    assert_string_equal(err, "unknown setting 'tcp_syn_retrie' (did you mean tcp_syn_retries?) (docs/settings.md lists them)");
    assert_int_equal(lsim_fix_setting(l, "tcp_syn_retries=0", err, sizeof err), -1);
    assert_string_equal(err, "tcp_syn_retries = 0: out of range [1, 127]");
    assert_int_equal(lsim_fix_setting(l, "msl=soon", err, sizeof err), -1);
    assert_string_equal(err, "msl: 'soon' is not a number");
    assert_int_equal(lsim_load_string(l,
                                      "A.sysctl.tcp_syn_retries = 3\n"
                                      "sim:config { preset = 'rfc' }\n"
                                      "expect(A.sysctl.tcp_syn_retries == 7 and B.sysctl.tcp_syn_retries == 7)\n"
                                      "expect(B.sysctl.msl == 10 and A.sysctl.msl == 120, 'B only; the rfc preset')\n"
                                      "local says = sim:trace('say')\n"
                                      "expect(#says == 1 and says[1].text == 'A.sysctl.tcp_syn_retries = 3 is ignored: "
                                      "tcp_syn_retries is fixed to 7 from outside (--set)', says[1].text)\n",
                                      "@t.lua"),
                     0);
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    char dir[] = "/tmp/tcpsim-grade-XXXXXX", file[128];
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof file, "%s/one.goals.lua", dir);
    write_file(file, "goals {\n"
                     "  { name = 'seven', setting = { tcp_syn_retries = 7 } },\n"
                     "  { name = 'msl on B', setting = { msl = 10 }, host = B },\n"
                     "  { name = 'msl on both', setting = { msl = 10 } },\n"
                     "  { name = 'changed one', changed = { 'tcp_syn_retries' } },\n"
                     "  { name = 'changed two', changed = { 'msl', 'tcp_syn_retries' } },\n"
                     "}\n");
    struct lsim_goal *g = NULL;
    size_t n = 0;
    char *e = NULL;
    assert_int_equal(lsim_goals(l, file, &g, &n, &e), 0);
    assert_int_equal(n, 5);
    assert_true(g[0].reached && g[1].reached && !g[2].reached && !g[3].reached && g[4].reached);
    assert_string_equal(g[2].detail, "msl is 120 on A, not 10");
    assert_string_equal(g[3].detail, "the settings given from outside are msl, tcp_syn_retries");
    lsim_goals_free(g, n);
    lsim_free(l);
    /* a file of them: one a line, comments, the file's line in an error */
    snprintf(file, sizeof file, "%s/answer.conf", dir);
    write_file(file, "# the student's answer\n\nA.tcp_syn_retries = 7  # one more\ntcp_fin_timout = 5\n");
    l = lsim_new(NULL);
    assert_int_equal(lsim_fix_settings_file(l, file, err, sizeof err), -1);
    char want[256];
    snprintf(want, sizeof want, "%s:4: unknown setting 'tcp_fin_timout' (did you mean tcp_fin_timeout?)", file);
    assert_non_null(strstr(err, want));
    assert_int_equal(lsim_world(l)->host[0].cfg.syn_retries, 7);
    assert_int_equal(lsim_world(l)->host[1].cfg.syn_retries, 6);
    lsim_free(l);
    unlink(file);
    snprintf(file, sizeof file, "%s/one.goals.lua", dir);
    unlink(file);
    rmdir(dir);
}

/* Every scenario in tests/lua/api (one per feature of the API, each checking itself with
   expect) passes; a file that fails prints its message. */
static void
test_lua_api_scenarios_pass(void **state)
{
    (void)state;
    DIR *d = opendir("tests/lua/api");
    assert_non_null(d);
    char *names[64];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL && n < 64;) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".lua") == 0 && e->d_name[0] != '_')
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    assert_true(n >= 1);
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "tests/lua/api/%s", names[i]);
        struct lsim *l = lsim_new(NULL);
        assert_non_null(l);
        enum lsim_status s = lsim_load(l, path) == 0 ? lfx_finish(l) : LSIM_FAILED;
        if (s != LSIM_DONE) {
            fprintf(stderr, "FAIL %s\n", lsim_message(l));
            failed++;
        }
        lsim_free(l);
        free(names[i]);
    }
    assert_int_equal(failed, 0);
}

/* A connection over and closed by its program keeps only its record in lsim's world (Linux
   frees the socket): its handle still answers (state, error, name, the last sequence numbers,
   the statistics), sock(name) and host:sockets() still find it, and the record is small. */
static void
test_closed_handle_answers_from_record(void **state)
{
    (void)state;
    struct lsim *l = lfx_new("local l = B:listen(80)\n"
                             "local c = A:connect(B, 80)\n"
                             "local s\n"
                             "sim:run_until(function() s = s or l:accept(); return s ~= nil and c.state == 'ESTABLISHED' end)\n"
                             "expect(c:send('hello') == 5)\n"
                             "sim:run(0.1)\n"
                             "expect(s:recv() == 'hello')\n"
                             "local iss, irs = c:tcb().iss, c:tcb().irs\n"
                             "c:close()\n"
                             "sim:run(0.1)\n"
                             "s:close()\n"
                             "sim:run(2 * A.sysctl.msl + 1)\n"
                             "local r = A:connect(B, 81)\n"
                             "sim:run(0.1)\n"
                             "expect(r.error == 'ECONNREFUSED')\n"
                             "r:close()\n"
                             "A:connect(B, 80)\n"
                             "sim:run(0.1) -- an event or more: the TCBs give way to their records\n"
                             "expect(c.state == 'CLOSED' and s.state == 'CLOSED' and r.state == 'CLOSED')\n"
                             "expect(c.name == 'A1' and s.name == 'B2' and r.name == 'A2', c.name .. s.name .. r.name)\n"
                             "expect(c.error == nil and r.error == 'ECONNREFUSED', tostring(r.error))\n"
                             "local t = c:tcb()\n"
                             "expect(t.iss == iss and t.snd_nxt == iss + 7 and t.rcv_nxt == irs + 2, 'SYN, 5 octets, FIN')\n"
                             "expect(c.remote == '10.0.0.2:80', c.remote)\n"
                             "expect(sock('a1') == c and sock('B2') == s, 'by name')\n"
                             "local all = A:sockets()\n"
                             "expect(#all == 3 and all[1] == c and all[2] == r, 'the host lists them')\n");
    assert_non_null(l);
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    struct world *w = lsim_world(l);
    uint32_t records = 0;
    for (uint32_t i = 0; i < w->nconns; i++)
        records += w->conns[i] == NULL;
    assert_int_equal(records, 0); /* the last lines read them: TCBs again until the next event */
    world_retire(w);
    for (uint32_t i = 0; i < w->nconns; i++)
        records += w->conns[i] == NULL;
    assert_int_equal(records, 3); /* A1, B2, A2; not the listener, not the new connection */
    assert_true(sizeof(struct tcp_rec) <= 192);
    const struct tcp_conn *a1 = world_conn_by_name(w, "A1"); /* a TCB again, from the record */
    assert_int_equal(a1->state, TCP_CLOSED);
    assert_int_equal(a1->bytes_sent, 5);
    assert_int_equal(a1->rport, 80);
    assert_int_equal(world_conn_by_name(w, "A2")->error, TCP_ECONNREFUSED);
    lsim_free(l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_established_send_recv_returns_bytes),
        cmocka_unit_test(test_listen_port_in_use_returns_eaddrinuse),
        cmocka_unit_test(test_closed_connect_refused_sets_error),
        cmocka_unit_test(test_established_crash_forgets_connections),
        cmocka_unit_test(test_sysctl_names_aliases_and_ranges),
        cmocka_unit_test(test_wrong_argument_types_raise_bad_argument),
        cmocka_unit_test(test_net_rules_drop_and_list),
        cmocka_unit_test(test_net_inflight_by_id),
        cmocka_unit_test(test_listen_inject_syn_gets_synack),
        cmocka_unit_test(test_listen_inject_spoofed_syn_synack_lost),
        cmocka_unit_test(test_trace_events_carry_their_fields),
        cmocka_unit_test(test_sim_step_and_run_until),
        cmocka_unit_test(test_expect_failure_reports_file_and_line),
        cmocka_unit_test(test_scenario_sets_title),
        cmocka_unit_test(test_sockets_limit_returns_enobufs),
        cmocka_unit_test(test_net_unknown_keys_raise),
        cmocka_unit_test(test_time_wait_is_any_spelling),
        cmocka_unit_test(test_run_until_timeout_is_traced_wait_for_fails),
        cmocka_unit_test(test_polling_loop_limit_says_call_sim_run),
        cmocka_unit_test(test_fail_message_keeps_whole_path),
        cmocka_unit_test(test_expect_segment_checks_next_segment),
        cmocka_unit_test(test_setsockopt_unknown_option_names_it),
        cmocka_unit_test(test_goals_file_checked_when_loaded),
        cmocka_unit_test(test_goals_file_never_run_as_scenario),
        cmocka_unit_test(test_fixed_setting_wins_and_goals_check_it),
        cmocka_unit_test(test_lua_api_scenarios_pass),
        cmocka_unit_test(test_host_ss_counts_and_socket_errors),
        cmocka_unit_test(test_closed_handle_answers_from_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
