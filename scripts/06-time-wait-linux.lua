scenario { title = "TIME_WAIT lasts 2MSL: Linux",
  summary = "Under the linux preset MSL is 30 s, so TIME_WAIT lasts exactly 60 s (TCP_TIMEWAIT_LEN)" }

sim:config { preset = "linux" }
say("RFC 9293 3.4.2 calls the Maximum Segment Lifetime 'an engineering choice'. Linux fixes TIME_WAIT")
say("at 60 s (TCP_TIMEWAIT_LEN), which is an MSL of 30 s. Here A.sysctl.msl = " .. A.sysctl.msl .. " s.")
expect(A.sysctl.msl == 30, "linux preset: msl 30 s")

local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.01)
local s = l:accept()
c:close()
sim:run(0.01)
s:close()
sim:run_until(function() return c.state == "TIME_WAIT" end)
local entered = sim.now
say(string.format("A entered TIME_WAIT at t = %.3f s and armed the 2MSL timer.", entered))

local timers = c:tcb().timers
expect(#timers == 1 and timers[1].name == "2msl", "one timer is pending: 2msl")
say(string.format("tcb() lists one pending timer: %s, %.3f s left.", timers[1].name, timers[1].left))

sim:run(2 * A.sysctl.msl - 0.001)
say("One millisecond before 2MSL: still TIME_WAIT; the port pair is still held.")
expect_state(c, "TIME_WAIT")
sim:run(0.002)
expect_state(c, "CLOSED")

local closed_at
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "A" and e.to == "CLOSED" then closed_at = e.t end
end
say(string.format("The time-wait timeout fired at t = %.3f s: 'delete the TCB, enter the CLOSED state' (3.10.8).", closed_at))
expect(math.abs(closed_at - entered - 60) < 1e-6, "TIME_WAIT lasted 60 s")
