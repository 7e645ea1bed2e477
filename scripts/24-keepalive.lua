scenario { title = "Keep-alive finds a dead peer",
  summary = "RFC 1122 4.2.3.6: an idle connection probes its peer; unanswered probes end it with a reset and ETIMEDOUT" }

say("Keep-alive is off by default (RFC 1122: 'MUST default to off') and its idle time is two hours.")
say("We turn it on for A and shorten the times: idle 10 s, then 3 probes 2 s apart.")
A.sysctl.keepalive = 1
A.sysctl.tcp_keepalive_time = 10
A.sysctl.tcp_keepalive_intvl = 2
A.sysctl.tcp_keepalive_probes = 3
local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.01)
local s = l:accept()
local t0 = sim.now
local function probes_since(t)   -- keep-alive probes A sent after time 't'
  local n = {}
  for _, e in ipairs(sim:trace()) do
    if e.kind == "send" and e.from == "A" and e.t > t and e.len == 0 and e.flags == "ACK" then n[#n + 1] = e end
  end
  return n
end

say("1. B is alive. After 10 idle seconds A sends a probe <SEQ=SND.NXT-1><CTL=ACK>: a byte B already")
say("has, so B must answer with an ACK (3.10.7.4, first check). The answer resets the idle timer.")
sim:run(10.5)
local p = probes_since(t0)
expect(#p == 1, "one probe after 10 s, got " .. #p)
expect(p[1].seq == c:tcb().snd_nxt - 1, "probe at SND.NXT - 1")
expect_state(c, "ESTABLISHED")

say("2. B's power is cut: it neither receives nor sends anything any more.")
net:drop { from = B, count = 1000 }
net:drop { from = A, count = 1000 }
local t1 = sim.now
sim:run_until(function() return c.state == "CLOSED" end, 100)
local q = probes_since(t1)
local times = {}
for i, e in ipairs(q) do times[i] = string.format("%.1f", e.t - t1) end
say("Probes at +" .. table.concat(times, ", +") .. " s after the cut; none answered.")
expect(#q == 3, "tcp_keepalive_probes = 3 probes, got " .. #q)
expect_state(c, "CLOSED")
expect_error(c, "ETIMEDOUT")
local rule
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "A" and e.to == "CLOSED" then rule = e.rule_id end
end
expect(rule == "TIMER_KEEPALIVE_GIVE_UP", "ended by the keep-alive rule, got " .. tostring(rule))
local last
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "A" then last = e end
end
say("One interval after the last probe A gives up, and says so: a reset, RST,ACK in Linux")
say("(tcp_keepalive_timer), in case B is alive but cannot be heard. B never gets it.")
expect(last.flags == "RST,ACK" and last.seq == c:tcb().snd_nxt, "A's last segment: RST,ACK at SND.NXT")
expect(math.abs(last.t - q[#q].t - 2) < 1e-9, "the reset one interval after the last probe")
say("Idle 10 s, then 3 probes x 2 s: declared dead. Without keep-alive, A would wait forever")
say("on a silent peer: the half-open connection of 12 would never be found.")
expect_state(s, "ESTABLISHED")
