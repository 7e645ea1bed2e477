scenario { title = "Delayed ACK",
  summary = "With delayed_ack on, B ACKs every second full-sized segment, or after 40 ms (RFC 9293 3.8.6.3)" }

sim:config { preset = "linux" }

local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.01)
local s = l:accept()
B.sysctl.delayed_ack = 1
say("B now delays its ACKs, as Linux always does: RFC 9293 3.8.6.3 says a TCP SHOULD, but")
say("never more than 0.5 s, and at least one ACK for every second full-sized segment.")

-- The number the next event will get.
local function next_n()
  local t = sim:trace { timers = true }
  return #t > 0 and t[#t].n + 1 or 1
end

-- ACKs B sends from event 'from' on (pure ACKs: no data).
local function acks_from(from)
  local n, last = 0, nil
  for _, e in ipairs(sim:trace { kind = "send", from = from }) do
    if e.from == "B" and e.len == 0 then n, last = n + 1, e end
  end
  return n, last
end

local mark = next_n()
local t0 = sim.now
c:send("one small segment")
sim:run(0.03)
expect(acks_from(mark) == 0, "no ACK yet, 30 ms after the segment")
expect(s:tcb().ack_owed == 17, "B owes the ACK of 17 octets")
say("One small segment: B holds its ACK back (rule ACK_DELAYED) and arms the delack timer.")
sim:run(0.02)
local n, ack = acks_from(mark)
expect(n == 1, "one ACK, sent by the delack timer")
say(string.format("The delack timer sent it %.0f ms after the segment left A (delack_timeout %.0f ms).",
  (ack.t - t0) * 1000, B.sysctl.delack_timeout * 1000))
expect(math.abs(ack.t - t0 - 0.041) < 1e-9, "1 ms on the wire + 40 ms delack_timeout")

mark = next_n()
c:send(string.rep("x", 4 * 1460))
sim:run(0.01)
n = acks_from(mark)
say("Four full-sized segments: B ACKs the second and the fourth at once, " .. n .. " ACKs in all.")
expect(n == 2, "one ACK per two full-sized segments, got " .. n)
expect(s:recv() ~= nil, "the data arrived")

goals {
  { rule = "ACK_DELAYED" },
  { rule = "TIMER_DELACK" },
}
