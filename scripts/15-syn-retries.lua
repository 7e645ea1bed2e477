scenario { title = "SYN retries exhausted",
  summary = "No answer at all: SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s, then ETIMEDOUT at 131 s (linux: tcp_syn_retries 6, tcp_syn_linear_timeouts 4, Linux 6.5 and later)" }

sim:config { preset = "linux" }   -- the numbers below are Linux's defaults

say("A firewall silently drops every SYN to B. A cannot tell silence from a slow network,")
say("so it retransmits (3.8.1), starting from an RTO of 1 s (RFC 6298 2.1).")
B:listen(80)
net:drop { from = A, flags = "SYN", count = 100 }
expect(A.sysctl.tcp_syn_retries == 6, "linux default: 6 retries")
expect(A.sysctl.tcp_syn_linear_timeouts == 4, "linux default since 6.5: 4 linear timeouts")
local c = A:connect(B, 80)

sim:run(130.9)
expect_state(c, "SYN_SENT")
local times = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "A" and e.flags == "SYN" then times[#times + 1] = e.t end
end
say("SYNs left A at t = " .. table.concat(times, ", ") .. " s")
say("Since Linux 6.5 (2023) the first tcp_syn_linear_timeouts = 4 timeouts do not double the RTO:")
say("five retransmissions go 1 s apart, then the backoff doubles as RFC 6298 5.5 says (2, 4, 8, 16 s).")
local want = { 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 }
expect(#times == #want, "one SYN and ten retransmissions, got " .. #times)
for i, t in ipairs(want) do expect(math.abs(times[i] - t) < 1e-6, "SYN " .. i .. " at " .. t .. " s") end

say("Ten retransmissions for tcp_syn_retries = 6? Linux counts the limit as time: the 1 + 2 + 4")
say("+ ... + 64 = 127 s that 6 retries take when the RTO starts at 1 s and doubles. The timeout due")
say("64 s after the last SYN, at 131 s, is the first one past 127 s: A gives up there.")
sim:run(0.2)
expect_state(c, "CLOSED")
expect_error(c, "ETIMEDOUT")
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.to == "CLOSED" and e.host == "A" then
    expect(math.abs(e.t - 131) < 1e-6, "gave up at 131 s")
    expect(e.rule_id == "TIMER_SYN_GIVE_UP", "by the SYN give-up rule (RFC 1122 4.2.3.5)")
  end
end
say("connect() fails with ETIMEDOUT, as a Linux 6.18 kernel measured it. Kernels before 6.5, the")
say("textbooks, and A.sysctl.tcp_syn_linear_timeouts = 0 give the classic 0, 1, 3, 7, 15, 31, 63 s")
say("and ETIMEDOUT at 127 s: scenario 34 shows both side by side. RFC 1122 4.2.3.5 asks a SYN to")
say("be retried for at least 3 minutes; Linux's 131 s is shorter.")
