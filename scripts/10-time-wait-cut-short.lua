scenario { title = "Without TIME_WAIT, an old duplicate corrupts a new connection",
  summary = "MSL cut to 10 ms: a delayed segment of the old incarnation is taken as data of the new one" }

A.sysctl.isn = 100   -- fixed ISNs: each incarnation numbers its bytes the same way
B.sysctl.isn = 300
A.sysctl.msl = 0.01  -- TIME_WAIT of 20 ms: far shorter than the life of a segment in this network
A.sysctl.tcp_timestamps = 0  -- RFC 9293 alone: with RFC 7323 timestamps PAWS would catch the
                             -- old copy by its old TSval (see 37-paws.lua)
say("Same start as 09, but A's MSL is 10 ms, so TIME_WAIT ends long before old segments die.")
local l = B:listen(80)
local c = A:connect(B, 80, { port = 40000 })
sim:run(0.01)
local s = l:accept()
net:delay { from = B, flags = "PSH", by = 5 }
s:send("old data")
sim:run(1.5)
expect(c:recv() == "old data", "the retransmitted copy got through; one copy is still held back")
c:close()
sim:run(0.01)
s:close()
sim:run(0.1)
expect_state(c, "CLOSED")
say("A's TIME_WAIT is already over: the same port pair is free, and a new incarnation starts.")

local c2 = A:connect(B, 80, { port = 40000 })
sim:run(0.01)
local s2 = l:accept()
expect_state(c2, "ESTABLISHED")
expect(c2:tcb().rcv_nxt == 301, "the new connection again expects B's byte 301")

say("At t = 5 s the old copy <SEQ=301><ACK=101> 'old data' arrives. For the new connection it is")
say("perfectly acceptable: SEQ = RCV.NXT, and ACK 101 = SND.NXT (3.10.7.4). A delivers it.")
sim:run_until(function() return c2:tcb().rcv_nxt ~= 301 end)
local got = c2:recv()
say("A's application reads: '" .. got .. "' -- bytes the new B never sent.")
expect(got == "old data", "the old duplicate was accepted as new data")

say("Now the new B sends its first 8 bytes, 'NEW DATA', numbered 301 to 308 like the old ones.")
s2:send("NEW DATA")
sim:run(0.1)
local more = c2:recv()
say("A already has bytes 301 to 308: it drops them as a duplicate (3.10.7.4, first check) and ACKs 309,")
say("which tells B they arrived.")
expect(more == "", "B's real bytes, at the same sequence numbers, are discarded as duplicates")
expect(s2:tcb().snd_una == 309, "and B believes A received them")
say("The stream is silently corrupted: A holds 'old data' where B sent 'NEW DATA'.")

say("This is what 2MSL of TIME_WAIT prevents (3.4.2), and why ISNs should not repeat (3.4.1).")
