scenario { title = "PAWS: timestamps reject an old duplicate",
  summary = "RFC 7323 5: scenario 10's old segment, caught by its old TSval instead of corrupting the new connection" }

A.sysctl.isn = 100   -- fixed ISNs, as in 10: each incarnation numbers its bytes the same way
B.sysctl.isn = 300
A.sysctl.msl = 0.01  -- TIME_WAIT of 20 ms: far too short for this network
say("As in 10: A's MSL is 10 ms, so its TIME_WAIT ends long before old segments die. This time")
say("both hosts use RFC 7323 timestamps, as Linux does (tcp_timestamps 1, the linux preset).")
local l = B:listen(80)
local c = A:connect(B, 80, { port = 40000 })
sim:run(0.01)
local s = l:accept()
expect(c:tcb().ts_ok and s:tcb().ts_ok, "both SYNs carried TS: timestamps agreed")
net:delay { from = B, flags = "PSH", by = 5 }
s:send("old data")
sim:run(1.5)
expect(c:recv() == "old data", "the retransmitted copy got through; one copy is still held back")
local old_ts
for _, e in ipairs(sim:trace("delay")) do old_ts = e.tsval end
say(string.format("The copy held back carries B's TSval %d: B's clock when it was first sent.", old_ts))
c:close()
sim:run(0.01)
s:close()
sim:run(0.1)
expect_state(c, "CLOSED")

say("A new incarnation, same port pair, same ISNs. Linux ticks one timestamp clock per address")
say("pair, so B's new TSvals continue from the old ones: they are larger.")
local c2 = A:connect(B, 80, { port = 40000 })
sim:run(0.01)
local s2 = l:accept()
expect_state(c2, "ESTABLISHED")
local recent = c2:tcb().ts_recent
say(string.format("A's TS.Recent for the new connection: %d (B's SYN,ACK).", recent))
expect(recent > old_ts, "the new connection's TS.Recent is newer than the old copy's TSval")

local mark = #sim:trace()
say("At t = 5 s the old copy <SEQ=301> 'old data' arrives: SEQ = RCV.NXT, acceptable by sequence")
say("number alone (in 10 it was taken as data). RFC 7323 5.3 R1 checks the timestamp first:")
say("SEG.TSval < TS.Recent, so the segment is an old duplicate: drop it, send an ACK.")
sim:run(5)
local paws
for _, e in ipairs(sim:trace({ kind = "rule", from = mark })) do
  if e.rule_id == "PAWS_REJECT" then paws = e end
end
expect(paws ~= nil, "A applied PAWS_REJECT")
expect(c2:tcb().rcv_nxt == 301, "RCV.NXT did not move")
expect(c2:recv() == "", "nothing to read: the old bytes stayed out")
s2:send("NEW DATA")
sim:run(0.1)
expect(c2:recv() == "NEW DATA", "the new incarnation's own bytes arrive, at the same sequence numbers")
say("Timestamps extend the sequence space (RFC 7323 5.2): a segment must be new in both to count.")
