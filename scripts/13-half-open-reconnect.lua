scenario { title = "Half-open connection: the crashed side reconnects",
  summary = "RFC 9293 3.5.2, Figure 10: A restarts and reconnects from the same port; B's stale TCB is reset" }

B.sysctl.isn = 300
local l = B:listen(80)
local c = A:connect(B, 80, { port = 40000, isn = 100 })
sim:run(0.01)
local s = l:accept()
say("A crashes and reboots (line 1). B still holds the connection in ESTABLISHED (line 2).")
A:crash()
expect_state(c, "CLOSED")
local mark = #sim:trace()

say("A's application reconnects from the same port with a new ISN, 400 (line 3).")
local c2 = A:connect(B, 80, { port = 40000, isn = 400 })
say("B gets a SYN on a synchronized connection. RFC 5961 4.2: answer with a challenge ACK")
say("<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> = <SEQ=301><ACK=101> (line 4), do not reset.")
sim:run(0.0015)
say("A, in SYN_SENT, finds ACK 101 <= ISS 400 unacceptable: <SEQ=101><CTL=RST> (line 5).")
sim:run(0.001)
say("That RST lands exactly on B's RCV.NXT (101): B aborts the stale connection (line 6).")
sim:run(0.001)
expect_state(s, "CLOSED")
expect_error(s, "ECONNRESET")
expect_state(c2, "SYN_SENT")

say("A's SYN is retransmitted after its RTO (1 s) and now meets the listener (line 7).")
sim:run_until(function() return c2.state == "ESTABLISHED" end)
sim:run(0.01)
local s2 = l:accept()
expect(s2 ~= nil, "a fresh connection is accepted")

local got = {}
local trace = sim:trace()
for i = mark + 1, #trace do
  local e = trace[i]
  if e.kind == "send" then got[#got + 1] = string.format("%s %s %d", e.from, e.flags, e.seq) end
end
say("On the wire: " .. table.concat(got, " | "))
expect(table.concat(got, " | ") ==
  "A SYN 400 | B ACK 301 | A RST 101 | A SYN 400 | B SYN,ACK 300 | A ACK 401", "Figure 10 and the retry")
local rules = {}
for i = mark + 1, #trace do
  if trace[i].kind == "state" then rules[#rules + 1] = trace[i].host .. ":" .. trace[i].rule_id end
end
expect(table.concat(rules, " "):find("B:RST_RESET"), "B's stale TCB ended by rule RST_RESET")
