scenario { title = "TIME-WAIT assassination, and RFC 1337's cure",
  summary = "An old duplicate draws an ACK from TIME_WAIT, the peer answers RST, the RST ends TIME_WAIT early" }

sim:config { preset = "linux" }   -- the numbers below are Linux's defaults

A.sysctl.isn = 100
B.sysctl.isn = 300
local l = B:listen(80)
local function closed_connection(port)   -- A closes first and ends in TIME_WAIT; B is CLOSED
  local c = A:connect(B, 80, { port = port })
  sim:run(0.01)
  local s = l:accept()
  c:close(); sim:run(0.01)
  s:close(); sim:run(0.01)
  expect_state(c, "TIME_WAIT")
  return c
end

say("1. tcp_rfc1337 = 0 (Linux's default). A waits in TIME_WAIT; B has forgotten the connection.")
local c = closed_connection(40000)
say("An old duplicate from B, <SEQ=301><ACK=101><CTL=ACK>, arrives late. It is below RCV.NXT (302),")
say("so A answers it with an ACK (3.10.7.4, first check). B has no TCB: its listener resets")
say("the ACK with <SEQ=SEG.ACK=302><CTL=RST> (3.10.7.2) -- exactly A's RCV.NXT.")
net:inject { from = B, sport = 80, dport = 40000, seq = 301, ack = 101, flags = "ACK" }
sim:run(0.01)
say("RFC 9293 (second check, TIME-WAIT): 'If the RST bit is set, then enter the CLOSED state'.")
expect_state(c, "CLOSED")
local how
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "A" and e.from == "TIME_WAIT" then how = e.rule_id end
end
expect(how == "RST_CLOSE", "TIME_WAIT ended by the RST, not by 2MSL: " .. tostring(how))
say(string.format("TIME_WAIT was assassinated at t = %.3f s, nearly 60 s early: the port pair is open", sim.now))
say("to a new incarnation while old segments may still be in flight (RFC 1337 hazards H1-H3).")

say("2. tcp_rfc1337 = 1: 'ignore RST segments in TIME-WAIT state' (RFC 1337 section 3).")
A.sysctl.tcp_rfc1337 = 1
local c2 = closed_connection(40001)
local t0 = sim.now
net:inject { from = B, sport = 80, dport = 40001, seq = 301, ack = 101, flags = "ACK" }
sim:run(0.01)
expect_state(c2, "TIME_WAIT")
local ignored = false
for _, e in ipairs(sim:trace()) do
  if e.kind == "rule" and e.rule_id == "RST_RFC1337_IGNORE" then ignored = true end
end
expect(ignored, "the RST was seen and ignored by rule RST_RFC1337_IGNORE")
say("The same exchange happened, but A ignored the RST and stays in TIME_WAIT for the full 2MSL.")
sim:run(2 * A.sysctl.msl - 0.05)
expect_state(c2, "TIME_WAIT")
sim:run(0.1)
expect_state(c2, "CLOSED")
expect(sim.now - t0 > 59.9, "TIME_WAIT lasted its whole 60 s")
