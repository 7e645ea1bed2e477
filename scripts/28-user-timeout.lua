scenario { title = "The user timeout",
  summary = "RFC 9293 3.8.3: the application bounds how long data may stay unacknowledged (TCP_USER_TIMEOUT)" }

sim:config { preset = "linux" }   -- the numbers below are Linux's defaults

say("Waiting 15 minutes (tcp_retries2, see 16) is too long for many applications. RFC 9293 3.8.3")
say("gives the user a USER TIMEOUT: if data is not acknowledged within it, the connection is aborted.")
A.sysctl.user_timeout = 10
local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.01)
l:accept()

say("The path to B dies; A sends, and retransmits at 0.2, 0.6, 1.4, 3.0, 6.2, 12.6 s ...")
net:drop { from = A, count = 1000 }
local t0 = sim.now
c:send("urgent")
sim:run_until(function() return c.state == "CLOSED" end, 100)
local dt = sim.now - t0
local rule
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "A" and e.to == "CLOSED" then rule, dt = e.rule_id, e.t - t0 end
end
say(string.format("A gave up %.1f s after the send, by rule %s.", dt, tostring(rule)))
expect(rule == "TIMER_USER_TIMEOUT", "the user timeout, not tcp_retries2")
expect_error(c, "ETIMEDOUT")
expect(dt >= 10 and dt < 13, "at the first retransmission timeout after 10 s")
say("tcpsim checks the user timeout when the retransmission timer fires, so the abort comes at the")
say("first expiry past 10 s (12.6 s here). RFC 9293: 'connection aborted due to user timeout'.")
