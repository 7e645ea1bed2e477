scenario { title = "Data retransmission gives up",
  summary = "The path dies mid-connection: a tail loss probe, 15 timeouts with backoff, ETIMEDOUT after 924.8 s (tcp_retries2: 924.6 s)" }

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

say("First comes a tail loss probe (RFC 8985 7, tcp_early_retrans = 3): no ACK within 2 x SRTT")
say("+ 200 ms, cut to the RTO, so at 0.2 s A sends the segment again and restarts the RTO from there.")
say("Then each time the retransmission timer expires A sends the segment again and doubles the RTO")
say("(RFC 6298 5.5): 0.2, 0.4, 0.8 ... until it reaches rto_max, 120 s.")
sim:run_until(function() return c.state == "CLOSED" end, 2000)
local sent = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "A" and e.len == 9 then sent[#sent + 1] = e.t - t0 end
end
local gaps = {}
for i = 2, #sent do gaps[#gaps + 1] = string.format("%.1f", sent[i] - sent[i - 1]) end
say("Gaps between the copies: " .. table.concat(gaps, " "))
expect(#sent == 17, "the original, the probe and 15 timeouts, got " .. #sent)
expect(gaps[1] == "0.2" and gaps[2] == "0.2", "the probe, then the RTO not backed off")
expect(gaps[11] == "102.4" and gaps[12] == "120.0", "doubling, then capped at rto_max")

local gave_up = sim.now - t0
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "A" and e.to == "CLOSED" then
    gave_up = e.t - t0
    expect(e.rule_id == "TIMER_DATA_GIVE_UP", "ended by the retries2 rule, got " .. e.rule_id)
  end
end
say("Linux counts tcp_retries2 = 15 as a time: what 15 retries take from 200 ms doubling,")
say("0.2 x (2^10 - 1) + 6 x 120 = 924.6 s. It gives up at the first timeout past that.")
say(string.format("Here that is %.1f s after the send (the probe moved every timeout 0.2 s later).", gave_up))
expect(math.abs(gave_up - 924.8) < 1e-6, "gave up at 924.8 s")
expect_error(c, "ETIMEDOUT")
say("RFC 1122 4.2.3.5 asks R2 to be at least 100 s; Linux's tcp_retries2 = 15 makes it 15 minutes.")
say("No RST is sent: there is no reason to believe it would get through. B never noticed a thing:")
expect_state(s, "ESTABLISHED")
