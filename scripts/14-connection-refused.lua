scenario { title = "Connection refused",
  summary = "A SYN to a port nobody listens on is answered <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK> (3.10.7.1)" }

say("B listens on port 80 only. A connects to port 81.")
B:listen(80)
local c = A:connect(B, 81, { port = 40000, isn = 100 })
sim:run(0.01)

say("For port 81 B has no TCB: it is CLOSED, and 'an incoming segment not containing a RST")
say("causes a RST to be sent in response' (3.10.7.1). The SYN had no ACK bit, so the reset is")
say("<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>: the SYN counts as one in SEG.LEN.")
local rst
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "B" then
    expect(rst == nil, "B sends exactly one segment")
    rst = e
  end
end
expect(rst.flags == "RST,ACK" and rst.seq == 0 and rst.ack == 101, "<SEQ=0><ACK=101><CTL=RST,ACK>")
expect(rst.sport == 81 and rst.dport == 40000, "from the port A tried")

say("A, in SYN_SENT, sees an RST whose ACK acknowledges its SYN: 'the connection was refused'")
say("(3.10.7.3, second check). It goes straight to CLOSED; connect() fails with ECONNREFUSED.")
expect_state(c, "CLOSED")
expect_error(c, "ECONNREFUSED")
local path = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "A" then path[#path + 1] = e.to .. "/" .. e.rule_id end
end
expect(table.concat(path, " ") == "SYN_SENT/OPEN_ACTIVE CLOSED/SYN_SENT_RST_REFUSED", table.concat(path, " "))

say("An RST that does NOT acknowledge the SYN is ignored: a blind attacker cannot refuse for B.")
local c2 = A:connect(B, 81, { port = 40001, isn = 500 })
net:drop { from = B, flags = "RST" }   -- B's genuine refusal is lost...
net:inject { from = B, sport = 81, dport = 40001, seq = 0, ack = 9999, flags = "RST,ACK" }
sim:run(0.0015)
expect_state(c2, "SYN_SENT")
say("The forged RST (ACK 9999, not 501) was dropped (3.10.7.3, first check); A will try again.")
sim:run(2)
expect_error(c2, "ECONNREFUSED")
say("A sends its SYN again at once (Linux: 8 ms after an unacceptable ACK, in case B missed it), and that SYN gets the real refusal.")
