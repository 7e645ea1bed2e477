scenario { title = "TIME_WAIT stops an old duplicate",
  summary = "A segment of a closed connection, delayed in the network, arrives during TIME_WAIT and is rejected" }

A.sysctl.isn = 100   -- fixed ISNs: every incarnation numbers its bytes the same way,
B.sysctl.isn = 300   -- the worst case for old duplicates (RFC 9293 3.4.1)
A.sysctl.tcp_rfc1337 = 1  -- see 22: without it, B's RST to A's re-ACK would end TIME_WAIT early
local l = B:listen(80)
local c = A:connect(B, 80, { port = 40000 })
sim:run(0.01)
local s = l:accept()

say("B sends 'old data'. The wire holds this one copy back for 5 s (a slow path, a router queue).")
net:delay { from = B, flags = "PSH", by = 5 }
s:send("old data")
sim:run(1.5)
say("B's retransmission timer fired and a second copy got through: A has the bytes, B has its ACK.")
expect(c:recv() == "old data", "A reads the retransmitted copy")

say("The connection closes normally; A closed first, so A holds the port pair in TIME_WAIT.")
c:close()
sim:run(0.01)
s:close()
sim:run(0.01)
expect_state(c, "TIME_WAIT")

say("A new incarnation of 10.0.0.1:40000 -> 10.0.0.2:80 is refused while TIME_WAIT lasts:")
local c2, err = A:connect(B, 80, { port = 40000 })
expect(c2 == nil and err == "EADDRINUSE", "connect from port 40000 fails with EADDRINUSE")

local mark = #sim:trace()
say("At t = 5 s the delayed copy finally arrives, <SEQ=301><ACK=101> 'old data', at A in TIME_WAIT.")
sim:run(5)
local acked
local trace = sim:trace()
for i = mark + 1, #trace do
  local e = trace[i]
  if e.kind == "deliver" and e.to == "A" and e.len > 0 then expect(e.seq == 301 and e.len == 8, "the old copy arrives") end
  if e.kind == "send" and e.from == "A" then acked = e end
end
say("Its sequence number is below RCV.NXT (310): not acceptable (3.10.7.4, first check).")
say("A answers with an ACK of what it really expects and drops it: nobody reads it.")
expect(acked and acked.flags == "ACK" and acked.ack == 310, "A re-ACKs RCV.NXT = 310")
expect_state(c, "TIME_WAIT")
local left
for _, tm in ipairs(c:tcb().timers) do if tm.name == "2msl" then left = tm.left end end
say("Linux also starts TIME_WAIT's 60 s over when it arrives, as for any segment with the ACK bit:")
say(string.format("%.1f s are left now, 1.5 s later (without the restart: 55 s).", left))
expect(left and left > 57, "TIME_WAIT restarted by the old segment (tcp_timewait_state_process)")

say("Only after 2MSL, when every old segment must have died, can the pair be used again.")
sim:run(2 * A.sysctl.msl)
local c3 = A:connect(B, 80, { port = 40000 })
sim:run(0.01)
expect_state(c3, "ESTABLISHED")
local s3 = l:accept()
s3:send("new data")
sim:run(0.01)
expect(c3:recv() == "new data", "the new incarnation sees only its own bytes")
