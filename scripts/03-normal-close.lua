scenario { title = "Normal close",
  summary = "RFC 9293 3.6, Figure 12: FIN, ACK, FIN, ACK; the side that closes first waits in TIME_WAIT" }

B.sysctl.isn = 300
local l = B:listen(80)
local c = A:connect(B, 80, { port = 40000, isn = 100 })
sim:run(0.01)
local s = l:accept()
say("Established with SND.NXT = 101 at A and 301 at B, as in the RFC's figure.")
local mark = #sim:trace()

say("A's application calls CLOSE (3.10.4): A queues a FIN after its data and enters FIN_WAIT_1.")
c:close()
expect_state(c, "FIN_WAIT_1")
sim:run(0.0015)
say("B takes the FIN (3.10.7.4, eighth): RCV.NXT passes over it, B ACKs it and enters CLOSE_WAIT.")
expect_state(s, "CLOSE_WAIT")
sim:run(0.001)
say("A's FIN is acknowledged: FIN_WAIT_2. A can still receive; it waits for B's FIN.")
expect_state(c, "FIN_WAIT_2")

say("B's application reads the end of the stream, then closes: FIN, and LAST_ACK.")
local d, err = s:recv()
expect(d == nil and err == "EOF", "recv() reports EOF after the peer's FIN")
s:close()
expect_state(s, "LAST_ACK")
sim:run(0.01)
say("A ACKs B's FIN and enters TIME_WAIT; the ACK reaches B, which deletes its TCB (CLOSED).")
expect_state(c, "TIME_WAIT")
expect_state(s, "CLOSED")
expect(s.error == nil, "B closed cleanly, no error")

local want = { "A FIN,ACK 101 301", "B ACK 301 102", "B FIN,ACK 301 102", "A ACK 102 302" }
local got = {}
local trace = sim:trace()
for i = mark + 1, #trace do
  local e = trace[i]
  if e.kind == "send" then got[#got + 1] = string.format("%s %s %d %d", e.from, e.flags, e.seq, e.ack) end
end
say("On the wire: " .. table.concat(got, " | "))
expect(table.concat(got, " | ") == table.concat(want, " | "), "Figure 12's four segments")

local path = {}
for _, e in ipairs(trace) do
  if e.kind == "state" and e.host == "B" then path[#path + 1] = e.to end
end
expect(table.concat(path, " "):find("ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED$"),
  "B: ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSED")

sim:run(2 * A.sysctl.msl)
expect_state(c, "CLOSED")
say("After 2MSL A's TIME_WAIT ends too (3.10.8, time-wait timeout).")
