-- sock:tcb()'s and sock:info()'s SACK fields: the receiver's blocks, the sender's scoreboard,
-- the recovery they drive. Run by test_lsim_api.c.
scenario { title = "SACK fields" }
net:set { delay = 0.05 }
local l = B:listen(80)
local c = A:connect(B, 80)
local s
sim:wait_for(function() s = s or l:accept(); return s ~= nil end, 1)
expect(c:tcb().sack_ok and s:tcb().sack_ok, "agreed in the handshake (linux preset)")
local t = c:tcb()
expect(#t.scoreboard == 0 and #t.sack_blocks == 0 and t.sacked_bytes == 0 and not t.in_recovery)

-- the 2nd of five segments lost: B reports what it holds after the hole
net:drop { from = A, len = 1460, nth = 2 }
c:send(string.rep("x", 5 * 1460))
sim:run(0.06) -- the flight has arrived, B's ACKs are on their way
local sb = s:tcb().sack_blocks
local iss = t.iss
expect(#sb == 1 and sb[1].left == iss + 1 + 2 * 1460 and sb[1].right == iss + 1 + 5 * 1460,
  "B's block: segments 3-5")
sim:run(0.05) -- B's ACKs have arrived at A
t = c:tcb()
expect(#t.scoreboard == 1 and t.scoreboard[1].left == iss + 1 + 2 * 1460, "A's scoreboard")
expect(t.sacked_bytes == 3 * 1460 and c:info().sacked == 3, "three segments SACKed")
expect(t.in_recovery and t.recover == iss + 1 + 5 * 1460 and t.high_rxt == iss + 1 + 2 * 1460,
  "in recovery: the hole resent (HighRxt at its end)")
sim:run(0.2)
t = c:tcb()
expect(#t.scoreboard == 0 and not t.in_recovery and c:info().total_retrans == 1, "repaired, once")

-- a duplicate: B's D-SACK reaches A's count
net:dup { from = A, len = 10 }
c:send("0123456789")
sim:run(0.2)
expect(c:tcb().dsacks == 1 and c:info().dsack_dups == 1, "one D-SACK heard, not " .. c:tcb().dsacks)
