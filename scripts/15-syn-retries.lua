scenario { title = "SYN retries exhausted",
  summary = "No answer at all: SYNs at 0, 1, 3, 7, 15, 31, 63 s, then ETIMEDOUT at 127 s (linux, tcp_syn_retries 6)" }

sim:config { preset = "linux" }   -- the numbers below are Linux's defaults

say("A firewall silently drops every SYN to B. A cannot tell silence from a slow network,")
say("so it retransmits (3.8.1), doubling the timeout each time (RFC 6298 5.5), starting from 1 s.")
B:listen(80)
net:drop { from = A, flags = "SYN", count = 100 }
expect(A.sysctl.tcp_syn_retries == 6, "linux default: 6 retries")
local c = A:connect(B, 80)

sim:run(126.9)
expect_state(c, "SYN_SENT")
local times = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "A" and e.flags == "SYN" then times[#times + 1] = e.t end
end
say("SYNs left A at t = " .. table.concat(times, ", ") .. " s")
local want = { 0, 1, 3, 7, 15, 31, 63 }
expect(#times == #want, "one SYN and six retransmissions, got " .. #times)
for i, t in ipairs(want) do expect(math.abs(times[i] - t) < 1e-6, "SYN " .. i .. " at " .. t .. " s") end

say("After the sixth retransmission A waits one more RTO (64 s) and gives up: 1+2+4+...+64 = 127 s.")
sim:run(0.2)
expect_state(c, "CLOSED")
expect_error(c, "ETIMEDOUT")
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.to == "CLOSED" and e.host == "A" then
    expect(math.abs(e.t - 127) < 1e-6, "gave up at 127 s")
    expect(e.rule_id == "TIMER_SYN_GIVE_UP", "by the SYN give-up rule (RFC 1122 4.2.3.5)")
  end
end
say("connect() fails with ETIMEDOUT. RFC 1122 4.2.3.5 asks a SYN to be retried for at least")
say("3 minutes; Linux's 127 s is shorter. Try: A.sysctl.tcp_syn_retries = 7 gives up at 255 s.")
