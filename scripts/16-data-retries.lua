scenario { title = "Data retransmission gives up",
  summary = "The path dies mid-connection: 15 retransmissions with backoff, ETIMEDOUT after about 924.6 s (tcp_retries2)" }

sim:config { preset = "linux" }   -- the numbers below are Linux's defaults

local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.01)
local s = l:accept()
say("The handshake measured a 2 ms round trip, so A's RTO is the floor, rto_min = " .. A.sysctl.rto_min .. " s (RFC 6298 2.4).")
expect(math.abs(c:tcb().rto - 0.2) < 1e-9, "RTO 0.2 s")

say("Now the path from A to B goes dead: every segment A sends is lost.")
net:drop { from = A, count = 1000 }
local t0 = sim.now
c:send("important")

say("Each time the retransmission timer expires A sends the segment again and doubles the RTO")
say("(RFC 6298 5.5): 0.2, 0.4, 0.8 ... until it reaches rto_max, 120 s.")
sim:run_until(function() return c.state == "CLOSED" end, 2000)
local sent = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "A" and e.len == 9 then sent[#sent + 1] = e.t - t0 end
end
local gaps = {}
for i = 2, #sent do gaps[#gaps + 1] = string.format("%.1f", sent[i] - sent[i - 1]) end
say("Gaps between the copies: " .. table.concat(gaps, " "))
expect(#sent == 16, "the original and tcp_retries2 = 15 retransmissions, got " .. #sent)
expect(gaps[10] == "102.4" and gaps[11] == "120.0", "doubling, then capped at rto_max")

local gave_up = sim.now - t0
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "A" and e.to == "CLOSED" then
    gave_up = e.t - t0
    expect(e.rule_id == "TIMER_DATA_GIVE_UP", "ended by the retries2 rule, got " .. e.rule_id)
  end
end
say(string.format("A gave up %.1f s after the send: 0.2 x (2^10 - 1) + 6 x 120 = 924.6 s.", gave_up))
expect(math.abs(gave_up - 924.6) < 1e-6, "gave up at 924.6 s")
expect_error(c, "ETIMEDOUT")
say("RFC 1122 4.2.3.5 asks R2 to be at least 100 s; Linux's tcp_retries2 = 15 makes it 15 minutes.")
say("No RST is sent: there is no reason to believe it would get through. B never noticed a thing:")
expect_state(s, "ESTABLISHED")
