scenario { title = "FIN_WAIT_2 timeout",
  summary = "A closes; B never does. Linux drops A's orphaned FIN_WAIT_2 after tcp_fin_timeout (60 s)" }

sim:config { preset = "linux" }   -- the numbers below are Linux's defaults

local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.01)
local s = l:accept()

say("A's application closes its socket: FIN, ACK, and A waits in FIN_WAIT_2 for B's FIN.")
c:close()
sim:run(0.01)
expect_state(c, "FIN_WAIT_2")
expect_state(s, "CLOSE_WAIT")
local t0 = sim.now

say("The RFC would wait for that FIN forever (3.10.7.4). But A's application has closed: nobody")
say("can read from this socket any more. Linux gives an orphaned FIN_WAIT_2 tcp_fin_timeout = "
  .. A.sysctl.tcp_fin_timeout .. " s.")
sim:run(A.sysctl.tcp_fin_timeout - 0.1)
expect_state(c, "FIN_WAIT_2")
sim:run(0.2)
expect_state(c, "CLOSED")
local rule
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "A" and e.to == "CLOSED" then
    rule = e.rule_id
    expect(math.abs(e.t - t0 - 60) < 0.02, "about 60 s after FIN_WAIT_2 began")
  end
end
expect(rule == "TIMER_FIN_WAIT_2", "ended by tcp_fin_timeout, got " .. tostring(rule))
say("A deleted the TCB quietly: nothing was sent. B has no idea, and stays in CLOSE_WAIT.")
expect_state(s, "CLOSE_WAIT")

say("When B finally writes, A has no TCB: it answers with a RST (3.10.7.1). B is in CLOSE_WAIT,")
say("and Linux reports a reset there as a broken pipe: B's next call gets EPIPE (the rfc preset")
say("says ECONNRESET, 3.10.7.4's 'connection reset').")
local mark = #sim:trace()
s:send("too late")
sim:run(0.01)
local rst
local trace = sim:trace()
for i = mark + 1, #trace do
  if trace[i].kind == "send" and trace[i].from == "A" then rst = trace[i] end
end
expect(rst and rst.flags == "RST", "A resets")
expect_state(s, "CLOSED")
expect_error(s, "EPIPE")
local ok, err = s:send("again")
expect(ok == nil and err == "EPIPE", "B's next send: EPIPE")
say("A socket only shut down (shutdown(SHUT_WR)) is not orphaned and would wait: see 04.")
