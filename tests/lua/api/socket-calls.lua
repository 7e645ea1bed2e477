-- Socket calls as a socket programmer knows them: shutdown("rd"|"wr"|"rdwr"),
-- setsockopt/getsockopt per socket, info() (TCP_INFO). Run by test_lsim_api.c.
scenario { title = "shutdown, setsockopt, getsockopt, info" }
local function pair(port)
  local l = B:listen(port)
  local c = A:connect(B, port)
  sim:wait_for(function() return c:is("ESTABLISHED") end, 1)
  sim:run(0.01)
  return c, l:accept(), l
end

-- shutdown("rd"): an empty read is the end at once; data that arrives later is still
-- ACKed and can be read (Linux's tcp_recvmsg)
local c, s = pair(80)
expect(c:recv() == "", "nothing yet, not the end")
expect(c:shutdown("rd") == true)
local d, e = c:recv()
expect(d == nil and e == "EOF", "an empty read after SHUT_RD is the end: " .. tostring(e))
s:send("late")
expect_segment { from = A, flags = "ACK", seq = 1, ack = 5, within = 0.01 }
expect(c:recv() == "late", "later data is still readable")
expect(select(2, c:recv()) == "EOF")
expect(c:is("ESTABLISHED"), "SHUT_RD sends nothing")

-- shutdown("rdwr") then FIN-WAIT-2: new data draws a RST, the read says ECONNRESET
c, s = pair(81)
expect(c:shutdown("rdwr") == true)
expect_segment { from = A, flags = "FIN,ACK", seq = 1, ack = 1 }
sim:run(0.01)
expect_state(c, "FIN_WAIT_2")
s:send("too late")
expect_segment { from = A, flags = "RST", seq = 2, within = 0.01 }
expect_state(c, "CLOSED")
expect(select(2, c:recv()) == "ECONNRESET")
sim:run(0.01)
expect_state(s, "CLOSED")

-- shutdown() and shutdown("wr") are the half-close, as before; "SHUT_WR" works too
c, s = pair(82)
expect(c:shutdown("SHUT_WR") == true)
sim:run(0.01)
expect_state(c, "FIN_WAIT_2")
s:send("more")
sim:run(0.01)
expect(c:recv() == "more", "half-closed: receiving goes on")
local ok, err = pcall(function() return c:shutdown("both") end)
expect(not ok and err:find("invalid option 'both'"), err)

-- SO_LINGER 0: close is an abort, a RST,ACK under linux (Linux tcp_close -> tcp_disconnect,
-- tcp_send_active_reset)
c, s = pair(83)
expect(c:getsockopt("SO_LINGER") == false, "off by default")
expect(c:setsockopt("SO_LINGER", 0) == true and c:getsockopt("SO_LINGER") == 0)
c:close()
expect_segment { from = A, flags = "RST,ACK", seq = 1, ack = 1 }
sim:run(0.01)
expect_error(s, "ECONNRESET")
-- linger on with a time, then off again: close sends a FIN (tcpsim's calls never block)
c, s = pair(84)
c:setsockopt("SO_LINGER", 5)
expect(c:getsockopt("SO_LINGER") == 5)
c:setsockopt("SO_LINGER", false)
c:close()
expect_segment { from = A, flags = "FIN,ACK", seq = 1, ack = 1 }

-- keep-alive per socket: idle 10 s, then every 2 s, 3 probes, while the host says 2 hours
c, s = pair(85)
expect(c:getsockopt("TCP_KEEPIDLE") == A.sysctl.tcp_keepalive_time, "the host's by default")
c:setsockopt("SO_KEEPALIVE", true)
c:setsockopt("TCP_KEEPIDLE", 10)
c:setsockopt("TCP_KEEPINTVL", 2)
c:setsockopt("TCP_KEEPCNT", 3)
expect(c:getsockopt("SO_KEEPALIVE") == true and c:getsockopt("TCP_KEEPIDLE") == 10)
expect(c:getsockopt("TCP_KEEPINTVL") == 2 and c:getsockopt("TCP_KEEPCNT") == 3)
net:drop { from = B, count = -1 }
local t0 = sim.now
sim:wait_for(function() return c:is("CLOSED") end, 20)
expect(math.abs(sim.now - t0 - 16) < 1e-9, "10 + 3 * 2 s: " .. (sim.now - t0))
expect_error(c, "ETIMEDOUT")
net:unrule(net:rules()[1].id)

-- TCP_USER_TIMEOUT, in seconds (Linux takes milliseconds)
c, s = pair(86)
c:setsockopt("TCP_USER_TIMEOUT", 3)
expect(c:getsockopt("TCP_USER_TIMEOUT") == 3)
local rule = net:drop { from = A, count = -1 }
c:send("x")
t0 = sim.now
sim:wait_for(function() return c:is("CLOSED") end, 10)
expect(math.abs(sim.now - t0 - 3) < 1e-9 and c.error == "ETIMEDOUT", "aborted after 3 s")
net:unrule(rule)

-- options kept only: TCP_NODELAY (tcpsim has no Nagle algorithm), TCP_QUICKACK, SO_REUSEADDR
c, s = pair(87)
for _, name in ipairs { "TCP_NODELAY", "TCP_QUICKACK", "SO_REUSEADDR" } do
  expect(c:getsockopt(name) == false, name)
  expect(c:setsockopt(name, 1) == true and c:getsockopt(name) == true, name)
end

-- buffers: SO_RCVBUF is the window offered; a listener's options pass to what it accepts
local l = B:listen(88)
l:setsockopt("SO_RCVBUF", 1000)
l:setsockopt("TCP_NODELAY", true)
c = A:connect(B, 88)
local synack = expect_segment { from = B, flags = "SYN,ACK", within = 0.01 }
-- the linux preset offers half of it (tcp_adv_win_scale 1; Linux doubles SO_RCVBUF first and so
-- offers 1000: docs/deviations.md)
expect(synack.win == 500, "the SYN,ACK offers half the listener's SO_RCVBUF: " .. synack.win)
sim:run(0.01)
s = l:accept()
expect(s:getsockopt("SO_RCVBUF") == 1000 and s:getsockopt("TCP_NODELAY") == true)
expect(c:getsockopt("SO_SNDBUF") == A.sysctl.snd_buf)
c:send("0123456789")
sim:run(0.01)
local r, why = s:setsockopt("SO_RCVBUF", 5)
expect(r == nil and why == "EINVAL", "smaller than what it holds: " .. tostring(why))
expect(s:setsockopt("SO_RCVBUF", 3000) == true and s:getsockopt("SO_RCVBUF") == 3000)

-- info(): TCP_INFO's fields tcpsim knows (after one retransmission timeout: the tail loss
-- probe, which would come first, is switched off, and so is SACK, whose RACK would resend the
-- two lost segments once the third is SACKed)
A.sysctl.tcp_early_retrans = 0
A.sysctl.tcp_sack = 0
c, s = pair(89)
local rule2 = net:drop { from = A, count = 2 }
c:send(string.rep("x", 3000))
local i = c:info()
expect(i.state == "ESTABLISHED" and i.unacked == 3 and i.retrans == 0 and i.snd_mss == 1460)
expect(i.notsent_bytes == 0 and i.bytes_sent == 3000 and i.segs_out >= 4)
sim:run(0.2)
i = c:info()
expect(i.retransmits == 1 and i.backoff == 1 and i.retrans == 1 and i.unacked == 3, "after one timeout")
expect(math.abs(i.rto - 2 * 0.2) < 1e-9 and i.total_retrans == 1, "rto doubled: " .. i.rto)
sim:run(1)
i = c:info()
expect(i.unacked == 0 and i.retrans == 0 and i.retransmits == 0 and i.bytes_acked == 3000)
expect(s:info().bytes_received == 3000 and s:info().rcv_mss == 1460 and i.rtt > 0 and i.rttvar > 0)
expect(i.sacked == 0 and i.dsack_dups == 0)
net:unrule(rule2)
A.sysctl.tcp_sack = 1

-- a port or backlog beyond its range is refused before it is cut to a C int (2^32 + 40000 was
-- taken as port 40000)
local okc, ec = pcall(function() return A:connect(B, 90, { port = 2^32 + 40000 }) end)
expect(not okc and ec:find("option 'port' out of range"), tostring(ec))
local okl, el = pcall(function() return B:listen(91, { backlog = 2^32 + 5 }) end)
expect(not okl and el:find("option 'backlog' out of range"), tostring(el))
