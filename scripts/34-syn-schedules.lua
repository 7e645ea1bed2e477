scenario { title = "SYN schedules, modern and classic",
  summary = "Two unanswered connects side by side: a Linux 6.5+ host (tcp_syn_linear_timeouts 4: SYNs 1 s apart five times, ETIMEDOUT at 131 s) and an older one (0: 1, 2, 4 ... s apart, ETIMEDOUT at 127 s)" }

sim:config { preset = "linux" }

say("A and B both try to connect to a port behind a firewall that drops every SYN. Both have")
say("Linux's tcp_syn_retries = 6. A runs a current kernel: since Linux 6.5 (2023) the first")
say("tcp_syn_linear_timeouts = 4 timeouts keep the initial RTO of 1 s. B is set as kernels before")
say("6.5 were, and as the textbooks and RFC 6298 5.5 describe: the RTO doubles on every timeout.")
A.sysctl.tcp_syn_linear_timeouts = 4
B.sysctl.tcp_syn_linear_timeouts = 0
expect(A.sysctl.tcp_syn_retries == 6 and B.sysctl.tcp_syn_retries == 6, "6 retries each")
net:drop { flags = "SYN", count = 1000 }
local a = A:connect(B, 80)
local b = B:connect(A, 81)

-- Times at which 'host' sent a SYN, as text.
local function syn_times(host)
  local t = {}
  for _, e in ipairs(sim:trace { kind = "send" }) do
    if e.from == host and e.flags == "SYN" then t[#t + 1] = string.format("%g", e.t) end
  end
  return t
end

-- When 'host''s connection closed, and by which rule.
local function closed(host)
  for _, e in ipairs(sim:trace { kind = "state" }) do
    if e.host == host and e.to == "CLOSED" then return e.t, e.rule_id end
  end
end

sim:run(20)
say("After 20 s A has sent " .. #syn_times("A") .. " SYNs, B " .. #syn_times("B") .. ": the modern schedule")
say("tries harder early on, so a path that recovers after a few seconds connects sooner")
say("(the kernel's commit cites macOS and iOS, which have retried this way for a decade).")
expect(#syn_times("A") == 9 and #syn_times("B") == 5, "9 SYNs against 5 by 20 s")

sim:run(120)
local ta, tb = syn_times("A"), syn_times("B")
say("A (linear 4): SYNs at " .. table.concat(ta, ", ") .. " s")
say("B (linear 0): SYNs at " .. table.concat(tb, ", ") .. " s")
expect(table.concat(ta, " ") == "0 1 2 3 4 5 7 11 19 35 67", "the 6.18 kernel's schedule")
expect(table.concat(tb, " ") == "0 1 3 7 15 31 63", "the classic schedule")

local ca, ra = closed("A")
local cb, rb = closed("B")
expect_error(a, "ETIMEDOUT")
expect_error(b, "ETIMEDOUT")
expect(ra == "TIMER_SYN_GIVE_UP" and rb == "TIMER_SYN_GIVE_UP", "both by the SYN give-up rule")
say(string.format("B gives up at %g s: 1 + 2 + 4 + 8 + 16 + 32 + 64, six retries and one more RTO.", cb))
say(string.format("A gives up at %g s, after ten retransmissions, not six: Linux measures", ca))
say("tcp_syn_retries as the time it would take from 1 s doubling (127 s), and gives up at the first")
say("timeout past it, 64 s after the SYN of 67 s. Both figures were measured on a Linux 6.18 kernel.")
expect(math.abs(cb - 127) < 1e-6 and math.abs(ca - 131) < 1e-6, "127 s and 131 s")
say("Try A.sysctl.tcp_syn_retries = 2: A then gives up at 7 s, after five SYNs 1 s apart.")
