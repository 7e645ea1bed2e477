scenario { title = "tcp_tw_reuse: a client reuses a port TIME_WAIT holds",
  summary = "Linux tcp_twsk_unique: with timestamps, connect() may take over a TIME_WAIT pair after 1 s; without, it may not" }

say("A is a client with a single ephemeral port (ip_local_port_range 50000 50000), so every")
say("connection to B:80 uses the same port pair. A closes first, so A holds TIME_WAIT for 60 s.")
A.sysctl.port_lo = 50000
A.sysctl.port_hi = 50000
local l = B:listen(80)

local function connect_close()   -- one short connection; A closes first
  local c = assert(A:connect(B, 80))
  sim:wait_for(function() return c:is("ESTABLISHED") end, 5)
  local s
  sim:wait_for(function() s = l:accept(); return s ~= nil end, 5)
  c:close(); sim:run(0.01)
  s:close(); sim:run(0.01)
  expect_state(c, "TIME_WAIT")
  return c
end

say("1. With timestamps (tcp_timestamps 1) and Linux's default tcp_tw_reuse 2, reuse is for")
say("   loopback connections only; A and B are two hosts: connect() finds no port.")
local tw = connect_close()
expect(tw:tcb().ts_ok, "the connection used timestamps")
local c, err = A:connect(B, 80)
expect(c == nil, "no port: " .. tostring(err))

say("2. tcp_tw_reuse 1: the pair may be taken once TIME_WAIT's last timestamp is more than 1 s old.")
A.sysctl.tcp_tw_reuse = 1
c, err = A:connect(B, 80)
expect(c == nil, "at once: still refused (" .. tostring(err) .. ")")
sim:run(1.1)
local old_nxt = tw:tcb().snd_nxt
c = A:connect(B, 80)
expect(c ~= nil, "after 1 s: connect() succeeds")
expect_state(tw, "CLOSED")
expect(c:tcb().iss == (old_nxt + 65537) % 2^32, "the new ISS is the old SND.NXT + 65537, above the old data")
say("Why safe: the new SYN's TSval comes from the same per-pair clock, 1 s later than anything the")
say("old connection sent, so B's PAWS (RFC 7323 5) drops any old duplicate that might still arrive.")
sim:wait_for(function() return c:is("ESTABLISHED") end, 5)
local s
sim:wait_for(function() s = l:accept(); return s ~= nil end, 5)
c:close(); sim:run(0.01); s:close()
sim:run(61)   -- the TIME_WAIT this left behind runs out

say("3. Without timestamps nothing tells an old segment from a new one: tcp_tw_reuse 1 does not help.")
A.sysctl.tcp_timestamps = 0
tw = connect_close()
expect(not tw:tcb().ts_ok, "no timestamps on this connection")
sim:run(2)
c, err = A:connect(B, 80)
expect(c == nil, "refused even after 2 s: " .. tostring(err))
say("A must wait out TIME_WAIT's 60 s (RFC 9293 3.4.2's 2 MSL), or use another port.")
