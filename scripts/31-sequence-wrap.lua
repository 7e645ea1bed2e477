scenario { title = "Sequence numbers wrap around",
  summary = "RFC 9293 3.4: sequence space is modulo 2^32; a connection that starts just below 2^32 works across the wrap" }

say("Sequence numbers are 32 bits and 'all arithmetic ... must be performed modulo 2**32' (3.4).")
say("A starts at ISN 2^32 - 100 and B at 2^32 - 10: both counters wrap past 0 within the first bytes.")
B.sysctl.isn = 4294967286
local l = B:listen(80)
local c = A:connect(B, 80, { isn = 4294967196 })
sim:run(0.01)
local s = l:accept()
expect_state(s, "ESTABLISHED")

local up = string.rep("0123456789", 300)      -- 3000 bytes: A's numbers wrap after 99
local down = string.rep("abcdefghij", 50)      -- 500 bytes: B's wrap after 9
c:send(up)
s:send(down)
local got_up, got_down = {}, {}
sim:run_until(function()
  got_up[#got_up + 1] = s:recv() or ""
  got_down[#got_down + 1] = c:recv() or ""
  return #table.concat(got_up) >= #up and #table.concat(got_down) >= #down
end, 60)
expect(table.concat(got_up) == up and table.concat(got_down) == down, "both streams intact")

local wrapped = false
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "A" and e.len > 0 and e.seq + e.len > 4294967296 then
    wrapped = true
    say(string.format("A's segment <SEQ=%d> with %d bytes ends past 2^32: its last byte is number %d.",
      e.seq, e.len, (e.seq + e.len - 1) % 4294967296))
  end
end
expect(wrapped, "a segment straddles the wrap")
local t = c:tcb()
say(string.format("A's SND.NXT is now %d, B's RCV.NXT is %d: small numbers after the wrap.", t.snd_nxt, s:tcb().rcv_nxt))
expect(t.snd_nxt == (4294967196 + 1 + #up) % 4294967296, "SND.NXT = ISS + 1 + 3000, mod 2^32")

say("Closing works the same across the wrap: A's FIN; B's FIN, which carries the ACK of A's")
say("(B held that ACK back, as Linux does, and closed within 40 ms); A's ACK.")
c:close()
sim:run(0.01)
s:close()
sim:run(0.01)
expect_state(c, "TIME_WAIT")
expect_state(s, "CLOSED")
