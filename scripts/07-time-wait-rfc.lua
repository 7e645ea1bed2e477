scenario { title = "TIME_WAIT lasts 2MSL: the RFC's figure",
  summary = "Under the rfc preset MSL is 2 minutes, so TIME_WAIT lasts 4 minutes (RFC 9293 3.4.2)" }

sim:config { preset = "rfc" }
say("RFC 9293 3.4.2: 'MSL ... is 2 minutes'. A TIME_WAIT of 2MSL then lasts 240 s, four times Linux's.")
expect(A.sysctl.msl == 120, "rfc preset: msl 120 s")

say("This time the server B closes first, so the TIME_WAIT is B's: it belongs to whoever sends")
say("the first FIN, client or server.")
local l = B:listen(80)
local a = A:connect(B, 80)
sim:run(0.01)
local c = l:accept()          -- c: B's end of the connection, the one that will wait
c:close()
sim:run_until(function() return c.state == "FIN_WAIT_2" end)
a:close()
sim:run_until(function() return c.state == "TIME_WAIT" end)
local entered = sim.now
sim:run(0.01)
expect_state(a, "CLOSED")

say("At 60 s, where Linux would already have let go, the RFC's TIME_WAIT still holds on.")
sim:run(60)
expect_state(c, "TIME_WAIT")
sim:run(180 - 0.011)
expect_state(c, "TIME_WAIT")
sim:run(0.002)
expect_state(c, "CLOSED")

local closed_at
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "B" and e.to == "CLOSED" then
    closed_at = e.t
    say("B left TIME_WAIT by rule " .. e.rule)
    expect(e.rule_id == "TIMER_TIME_WAIT", "the 2MSL timer, not anything else, ended TIME_WAIT")
  end
end
expect(math.abs(closed_at - entered - 240) < 1e-6, "TIME_WAIT lasted 240 s")

say("Why so long? 2MSL guarantees that every segment of this incarnation has died in the network")
say("before the same pair of sockets can be used again (see 09 and 10), and that a lost last ACK")
say("can be sent again (see 08). A shorter MSL trades that safety for fewer sockets in TIME_WAIT.")
