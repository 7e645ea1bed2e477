scenario { title = "Simultaneous close",
  summary = "RFC 9293 3.6, Figure 13: both FINs cross; both ends pass through CLOSING into TIME_WAIT" }

B.sysctl.isn = 300
local l = B:listen(80)
local c = A:connect(B, 80, { port = 40000, isn = 100 })
sim:run(0.01)
local s = l:accept()
local mark = #sim:trace()

say("Both applications close at the same instant: each sends a FIN and enters FIN_WAIT_1.")
c:close()
s:close()
expect_state(c, "FIN_WAIT_1")
expect_state(s, "FIN_WAIT_1")

sim:run(0.0015)
say("Each FIN arrives while the receiver's own FIN is not yet acknowledged (3.10.7.4, eighth):")
say("'otherwise, enter the CLOSING state'. Each ACKs the other's FIN.")
expect_state(c, "CLOSING")
expect_state(s, "CLOSING")

sim:run(0.001)
say("The ACKs arrive: 'if the ACK acknowledges our FIN then enter the TIME-WAIT state' (fifth step).")
expect_state(c, "TIME_WAIT")
expect_state(s, "TIME_WAIT")

local got = {}
local trace = sim:trace()
for i = mark + 1, #trace do
  local e = trace[i]
  if e.kind == "send" then got[#got + 1] = string.format("%s %s %d %d", e.from, e.flags, e.seq, e.ack) end
end
table.sort(got)  -- the two FINs leave at the same instant, as do the two ACKs
say("On the wire: " .. table.concat(got, " | "))
expect(table.concat(got, " | ") == "A ACK 102 302 | A FIN,ACK 101 301 | B ACK 302 102 | B FIN,ACK 301 101",
  "Figure 13: <SEQ=100><ACK=300><CTL=FIN,ACK> crossing, then <SEQ=101><ACK=301><CTL=ACK> (our ISNs are +1)")

for _, host in ipairs({ "A", "B" }) do
  local path = {}
  for _, e in ipairs(trace) do
    if e.kind == "state" and e.host == host then path[#path + 1] = e.to .. "/" .. e.rule_id end
  end
  local p = table.concat(path, " ")
  say(host .. ": " .. p)
  expect(p:find("FIN_WAIT_1/%S+ CLOSING/FIN_CLOSING TIME_WAIT/CLOSING_ACKED"), host .. " went through CLOSING")
end

say("Both ends now hold TIME_WAIT for 2MSL; with no one left to wait for, both vanish together.")
sim:run(2 * A.sysctl.msl + 0.01)
expect_state(c, "CLOSED")
expect_state(s, "CLOSED")
