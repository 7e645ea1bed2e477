scenario { title = "Simultaneous open",
  summary = "RFC 9293 3.5, Figure 7: both ends send a SYN at once; four segments, no listener" }

say("Nobody listens. A (port 4000) and B (port 5000) both connect to each other at the same instant.")
say("Each SYN crosses the other on the wire; each side is in SYN_SENT when the other's SYN arrives.")
local a = A:connect(B, 5000, { port = 4000, isn = 100 })
local b = B:connect(A, 4000, { port = 5000, isn = 300 })
expect_state(a, "SYN_SENT")
expect_state(b, "SYN_SENT")

sim:run(0.0015)
say("3.10.7.3: a SYN without an ACK in SYN_SENT means a simultaneous open: enter SYN_RCVD and send")
say("<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> -- the same SYN again, now acknowledging the peer's.")
expect_state(a, "SYN_RCVD")
expect_state(b, "SYN_RCVD")

sim:run(0.01)
say("Each SYN,ACK acknowledges the SYN it answers: both ends go to ESTABLISHED. No final ACK is needed.")
expect_state(a, "ESTABLISHED")
expect_state(b, "ESTABLISHED")

local sent = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" then
    sent[#sent + 1] = string.format("%s:%s:%d:%s", e.from, e.flags, e.seq, e.ack or "-")
  end
end
local got = table.concat(sent, " ")
say("On the wire: " .. got)
expect(#sent == 4, "exactly four segments (Figure 7 lines 2, 3, 5, 6), got " .. #sent)
expect(got:find("A:SYN:100:", 1, true) and got:find("B:SYN:300:", 1, true), "two SYNs")
expect(got:find("A:SYN,ACK:100:301", 1, true), "A's SYN,ACK <SEQ=100><ACK=301>")
expect(got:find("B:SYN,ACK:300:101", 1, true), "B's SYN,ACK <SEQ=300><ACK=101>")

local rules = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "A" then rules[#rules + 1] = e.to .. "(" .. e.rule_id .. ")" end
end
say("A went through: " .. table.concat(rules, " "))
expect(table.concat(rules, " "):find("SYN_SENT.*SYN_RCVD.*ESTABLISHED"), "A: SYN_SENT, SYN_RCVD, ESTABLISHED")

say("Data works in both directions on the one connection.")
a:send("ping")
b:send("pong")
sim:run(0.01)
expect(b:recv() == "ping" and a:recv() == "pong", "each side reads the other's bytes")
