scenario { title = "Half-open connection: the peer crashed",
  summary = "RFC 9293 3.5.2, Figure 11: B crashes and forgets; A's next segment draws a reset" }

B.sysctl.isn = 300
local l = B:listen(80)
local c = A:connect(B, 80, { port = 40000, isn = 100 })
sim:run(0.01)
local s = l:accept()

say("B crashes: it loses every TCB at once and sends nothing (3.5.2). A does not know;")
say("from A's side the connection is still ESTABLISHED. It is 'half-open'.")
B:crash()
expect_state(s, "CLOSED")
expect_state(c, "ESTABLISHED")
sim:run(30)
expect_state(c, "ESTABLISHED")
say("Thirty quiet seconds later, A still believes in the connection: silence proves nothing.")

local mark = #sim:trace()
say("A sends data. B has no TCB for it, so B is CLOSED for this segment (3.10.7.1):")
say("'If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>'.")
c:send("are you there?")
sim:run(0.01)

local rst
local trace = sim:trace()
for i = mark + 1, #trace do
  local e = trace[i]
  if e.kind == "send" and e.from == "B" then rst = e end
end
expect(rst and rst.flags == "RST" and rst.seq == 301, "B resets with <SEQ=301><CTL=RST>")
say("The RST's SEQ is A's own ACK, 301, exactly RCV.NXT at A: A accepts it (RFC 5961 3.2)")
say("and aborts: 'connection reset', CLOSED.")
expect_state(c, "CLOSED")
expect_error(c, "ECONNRESET")
local d, err = c:recv()
expect(d == nil and err == "ECONNRESET", "A's application learns it from its next call")
