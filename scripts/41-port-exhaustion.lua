scenario { title = "Ephemeral port exhaustion by TIME_WAIT",
  summary = "a client that closes first holds a port per connection for 60 s: connect() fails with EADDRNOTAVAIL; the cures" }

sim:config { preset = "linux" }
say("A client (A) opens short connections to one server (B:80) and closes each first, as an HTTP")
say("client does. Each connection needs a port of A's ip_local_port_range, and the side that closes")
say("first keeps the port pair in TIME_WAIT for 2 MSL (60 s on Linux). 28,232 ports (32768-60999)")
say("at one connection every 2 ms run out after 56 s. To see it quickly A gets 10 ports here.")
A.sysctl.port_lo = 50000
A.sysctl.port_hi = 50009
local l = B:listen(80)

-- One short connection from A to B:port; 'first' closes first. Returns A's socket.
local function cycle(first, port)
  local c, err = A:connect(B, port or 80)
  if not c then return nil, err end
  local s
  sim:run_until(function() s = s or l:accept(); return s ~= nil and c:is("ESTABLISHED") end, 5)
  local a, b = c, s
  if first == "server" then a, b = s, c end
  a:close()
  sim:run_until(function() return b:is("CLOSE_WAIT") end, 1)
  b:close()
  sim:run(0.002)
  return c, s
end

say("1. Ten connections, the client closing first: ten pairs in TIME_WAIT on A.")
for _ = 1, 10 do cycle("client") end
local ss = A:ss()
expect(ss.TIME_WAIT == 10, "A holds 10 connections in TIME_WAIT")
say(string.format("A:ss(): TIME_WAIT %d, ESTABLISHED %d, closed %d.", ss.TIME_WAIT, ss.ESTABLISHED, ss.CLOSED))
local c, err = A:connect(B, 80)
expect(c == nil and err == "EADDRNOTAVAIL", "the 11th connect() to B:80 fails: EADDRNOTAVAIL")
say("The 11th connect() to B:80 fails with EADDRNOTAVAIL ('Cannot assign requested address'):")
say("every port is held towards that destination. Another destination still has all its ports:")
say("a port is unique per (local port, remote address, remote port), not per host.")
local l81 = B:listen(81)
local c81 = A:connect(B, 81)
expect(c81 ~= nil, "connect() to B:81 gets a port")
c81:abort()
l81:close()
say("After 60 s the TIME_WAITs end and the ports are free again.")
sim:run(60)
expect(A:ss().TIME_WAIT == 0, "TIME_WAIT over")

say("2. Cure one: the server closes first. TIME_WAIT is then on B, under B's port 80 and each")
say("client's port: A's port is free the moment B's FIN is ACKed. Twenty connections in ten ports:")
local t0 = sim.now
for i = 1, 20 do
  local cc, e = cycle("server")
  expect(cc ~= nil and cc.error == nil, "connection " .. i .. " gets a port: " .. tostring(e))
end
expect(A:ss().TIME_WAIT == 0 and B:ss().TIME_WAIT > 0, "TIME_WAIT on B, none on A")
say(string.format("A in TIME_WAIT: %d; B in TIME_WAIT: %d, after %.3f s. A reused each port while B still", A:ss().TIME_WAIT,
  B:ss().TIME_WAIT, sim.now - t0))
say("held its pair: B took a SYN numbered above the old connection's RCV.NXT as a new connection")
say("(RFC 9293 3.6.1, Linux too); a SYN below it got an ACK, which A answered with a RST that ended")
say("B's TIME_WAIT, and A's SYN, sent again a second later, got through. Busy servers close first")
say("all the time (HTTP/1.0, an idle keep-alive timeout) and carry the TIME_WAITs: lesson 42.")
sim:run(60)

say("3. Cure two, Linux's tcp_tw_reuse: connect() may take over a pair in TIME_WAIT when TCP")
say("timestamps prove that old segments cannot be mistaken for new ones (RFC 7323 PAWS): both ends")
say("used timestamps, and the TIME_WAIT's last one is more than a second old (lesson 38).")
for _ = 1, 10 do cycle("client") end
expect(A:ss().TIME_WAIT == 10, "the ports are in TIME_WAIT again")
c, err = A:connect(B, 80)
expect(c == nil and err == "EADDRNOTAVAIL", "full again: " .. tostring(err))
A.sysctl.tcp_tw_reuse = 1
c, err = A:connect(B, 80)
expect(c == nil and err == "EADDRNOTAVAIL", "with tcp_tw_reuse 1, not at once: the timestamps are too recent")
sim:run(1.1)
for i = 1, 10 do
  local cc, e = cycle("client")
  expect(cc ~= nil, "connection " .. i .. " takes over a TIME_WAIT pair: " .. tostring(e))
end
say("A second later, ten more connections: each took over a pair from TIME_WAIT (OPEN_TW_REUSE);")
say(string.format("A holds %d TIME_WAITs, the new ones. Linux's default, tcp_tw_reuse 2, allows this on", A:ss().TIME_WAIT))
say("loopback only; on the network it stays off unless set, and without timestamps it never applies.")
A.sysctl.tcp_tw_reuse = 2
sim:run(60)

say("4. Cure three, SO_LINGER with a zero timeout: close() sends a RST instead of a FIN, and")
say("the connection skips TIME_WAIT altogether.")
for i = 1, 20 do
  local cc = A:connect(B, 80)
  expect(cc ~= nil, "connection " .. i .. " gets a port")
  local s
  sim:run_until(function() s = s or l:accept(); return s ~= nil end, 1)
  cc:setsockopt("SO_LINGER", 0)
  cc:close()
  sim:run(0.002)
  expect_state(cc, "CLOSED")
  expect(s.error == "ECONNRESET" or s:recv() == nil, "B sees the reset")
end
expect(A:ss().TIME_WAIT == 0, "no TIME_WAIT at all")
say("The danger: a RST throws away what is still queued, on both sides, and the peer reads")
say("ECONNRESET instead of the end of the stream. And without TIME_WAIT nothing protects the")
say("next connection on that pair from a delayed segment of this one (lesson 10).")
local cc = A:connect(B, 80)
local s
sim:run_until(function() s = s or l:accept(); return s ~= nil end, 1)
s:send("the last reply")
cc:setsockopt("SO_LINGER", 0)
cc:close()
sim:run(0.01)
local data, e = s:recv()
expect(data == nil and e == "ECONNRESET", "the server's recv() reports ECONNRESET: " .. tostring(e))
say("B's recv(): " .. tostring(e) .. ". Its reply was never read.")
