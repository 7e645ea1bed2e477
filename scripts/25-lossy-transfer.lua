scenario { title = "A lossy network, a perfect stream",
  summary = "10% of segments lost each way; retransmission and reassembly still deliver every byte in order" }

sim:config { seed = 7 }
say("The wire now loses one segment in ten, in both directions, at random (seed 7: repeatable).")
net:set { loss = 0.1, delay = 0.01 }
local l = B:listen(80)
local c = A:connect(B, 80)
local s
expect(sim:run_until(function() s = s or l:accept(); return s ~= nil end, 120), "connected despite loss")

local parts = {}
for i = 1, 2000 do parts[i] = string.format("line %04d of the report\n", i) end
local data = table.concat(parts)
say(string.format("A sends %d bytes (about %d segments of %d bytes).", #data, #data // 1460 + 1, 1460))
local queued = c:send(data)
expect(queued == #data, "all queued in the send buffer")
c:close()

local got = {}
local done = sim:run_until(function()
  local d = s:recv()
  if d then got[#got + 1] = d end
  return d == nil
end, 3000)
expect(done, "B reached the end of the stream")
got = table.concat(got)
say(string.format("B read %d bytes, then EOF, at t = %.2f s.", #got, sim.now))
expect(got == data, "every byte arrived, in order, exactly once")

local lost, rexmit, seen = 0, 0, {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "drop" then lost = lost + 1 end
  if e.kind == "send" and e.from == "A" and e.len > 0 then
    if seen[e.seq] then rexmit = rexmit + 1 end
    seen[e.seq] = true
  end
end
say(string.format("Along the way the wire lost %d segments and A retransmitted %d data segments.", lost, rexmit))
expect(lost > 0 and rexmit > 0, "the loss was real, and repaired")
say("Out-of-order segments were held for reassembly (3.10.7.4, seventh) and the gaps filled by")
say("retransmissions: on timeout (RFC 6298) or after three duplicate ACKs (RFC 5681 fast retransmit).")
s:close()
sim:run_until(function() return c.state == "CLOSED" or c.state == "TIME_WAIT" end, 600)
