scenario { title = "A new SYN reopens TIME_WAIT",
  summary = "RFC 9293 3.6.1: the new incarnation's ISS lies above the old SND.NXT; an old duplicate SYN" }

sim:config { preset = "linux" }
A.sysctl.isn = 100   -- fixed ISNs: the worst case for old duplicates (RFC 9293 3.4.1)
B.sysctl.isn = 300
local l = B:listen(80)
local function closed_by(sock)   -- the rule that took 'sock' to CLOSED
  local how
  for _, e in ipairs(sim:trace()) do
    if e.kind == "state" and e.sock == sock.name and e.to == "CLOSED" then how = e.rule_id end
  end
  return how
end
local function seen_since(mark, pred)   -- the last trace event after 'mark' that 'pred' accepts
  local trace, found = sim:trace(), nil
  for i = mark + 1, #trace do if pred(trace[i]) then found = trace[i] end end
  return found
end

say("1. The server B closes first, so B holds the port pair in TIME_WAIT, not the client.")
local c = A:connect(B, 80, { port = 40000 })
sim:run(0.01)
local s = l:accept()
say("B sends 'old data' (301..308). The wire holds this copy back 5 s; B's retransmission gets through.")
net:delay { from = B, flags = "PSH", by = 5 }
s:send("old data")
sim:run(1.5)
expect(c:recv() == "old data", "A reads the retransmitted copy")
s:close(); sim:run(0.01)
c:close(); sim:run(0.01)
expect_state(s, "TIME_WAIT")
expect_state(c, "CLOSED")
local old_nxt = s:tcb().snd_nxt
say(string.format("B in TIME_WAIT: SND.NXT = %d, RCV.NXT = %d.", old_nxt, s:tcb().rcv_nxt))

say("A reconnects from the same port 40000, its SYN numbered 5000: above B's RCV.NXT, so it cannot")
say("be an old segment of the closed connection. RFC 9293 3.6.1 lets B reopen the pair at once")
say("(MAY-2) 'if it assigns its initial sequence number for the new connection to be larger than")
say("the largest sequence number it used on the previous connection incarnation'. Linux takes")
say("the old SND.NXT + 65537, whatever its ISN generator (here: B's fixed isn 300) would say.")
local c2 = A:connect(B, 80, { port = 40000, isn = 5000 })
sim:run(0.01)
local s2 = l:accept()
expect_state(c2, "ESTABLISHED")
expect_state(s, "CLOSED")
expect(closed_by(s) == "TIME_WAIT_REOPEN", "B's TIME_WAIT ended by TIME_WAIT_REOPEN")
expect(s2:tcb().iss == old_nxt + 65537, "the new ISS is the old SND.NXT + 65537 = " .. (old_nxt + 65537))

local mark = #sim:trace()
say("At t = 5 s the delayed copy <SEQ=301> 'old data' arrives at the new A. With ISS 300 again it")
say("would sit exactly at RCV.NXT and be read as the new stream's first bytes (compare 10). Here")
say(string.format("RCV.NXT is %d: the copy is far below it, not acceptable; A re-ACKs and drops it.", c2:tcb().rcv_nxt))
sim:run(5)
expect(seen_since(mark, function(e) return e.kind == "deliver" and e.to == "A" and e.seq == 301 and e.len > 0 end),
  "the old copy did arrive")
expect(c2:recv() == "", "A has nothing to read: the old bytes stayed out of the new stream")
s2:send("new data")
sim:run(0.01)
expect(c2:recv() == "new data", "the new incarnation carries only its own bytes")

say("2. An old duplicate SYN. Again B holds a pair (port 40001) in TIME_WAIT; then a SYN of some")
say("earlier connection, long delayed, arrives with SEQ above RCV.NXT. B cannot tell it is old.")
local function server_time_wait(port)
  local cc = A:connect(B, 80, { port = port })
  sim:run(0.01)
  local ss = l:accept()
  ss:close(); sim:run(0.01)
  cc:close(); sim:run(0.01)
  expect_state(ss, "TIME_WAIT")
  return ss
end
local tw = server_time_wait(40001)
net:inject { from = A, sport = 40001, dport = 80, seq = 90000, flags = "SYN" }
sim:run(0.0015)
say("B answers with a SYN,ACK; A has no such connection and resets it, <SEQ=90001><CTL=RST>,")
say("and the new incarnation goes (back to LISTEN, as in Figure 8).")
sim:run(0.01)
expect(l:accept() == nil, "nothing to accept")
say("Linux has already deleted its TIME_WAIT socket, so the pair is free although old segments")
say("may still be in flight: its source says it violates the RFC here. The RFC's second")
say("condition is that B 'returns to TIME-WAIT state if the SYN turns out to be an old")
say("duplicate'. tw_reopen_restore = 1 (the rfc preset's value) does that:")
expect_state(tw, "CLOSED")

B.sysctl.tw_reopen_restore = 1
local tw2 = server_time_wait(40002)
net:inject { from = A, sport = 40002, dport = 80, seq = 90000, flags = "SYN" }
sim:run(0.0015)
expect_state(tw2, "TIME_WAIT")
say("While the new incarnation is in SYN_RCVD, the old TCB waits aside, still in TIME_WAIT.")
sim:run(0.01)
expect(seen_since(0, function(e) return e.kind == "rule" and e.rule_id == "TIME_WAIT_RESTORED" end),
  "rule TIME_WAIT_RESTORED")
expect_state(tw2, "TIME_WAIT")
say("The RST came, the SYN was old: B is back in TIME_WAIT, its 2MSL timer where it was.")
net:inject { from = A, sport = 40002, dport = 80, seq = 101, ack = 302, flags = "FIN,ACK" }
mark = #sim:trace()
sim:run(0.01)
local reack = seen_since(mark, function(e) return e.kind == "send" and e.from == "B" end)
expect(reack and reack.flags == "ACK" and reack.ack == 102, "a late FIN of the old connection is ACKed from TIME_WAIT")
