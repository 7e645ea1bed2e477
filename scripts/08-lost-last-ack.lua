scenario { title = "The lost last ACK",
  summary = "B's FIN is retransmitted into A's TIME_WAIT, which ACKs it again and restarts 2MSL" }

B.sysctl.isn = 300
local l = B:listen(80)
local c = A:connect(B, 80, { port = 40000, isn = 100 })
sim:run(0.01)
local s = l:accept()
c:close()
sim:run(0.01)
say("A closed first and sits in FIN_WAIT_2. B now closes: its FIN goes out, B waits in LAST_ACK.")
s:close()
say("The wire will lose A's answer, the last ACK of the connection.")
net:drop { from = A, flags = "ACK" }
sim:run(0.01)
expect_state(c, "TIME_WAIT")
expect_state(s, "LAST_ACK")
local first = sim.now

say("B never hears the ACK: its retransmission timer fires and it sends the FIN again (3.8.1).")
say("This is reason one for TIME_WAIT (3.10.8): A is still there to answer it.")
sim:run_until(function() return s.state == "CLOSED" end)
expect_state(s, "CLOSED")
expect(s.error == nil, "B closed normally, it did not time out")

local fins, acks, restarted = 0, 0, nil
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "B" and e.flags == "FIN,ACK" then
    fins = fins + 1
    expect(e.seq == 301 and e.ack == 102, "the same FIN both times: <SEQ=301><ACK=102>")
  elseif e.kind == "send" and e.from == "A" and e.flags == "ACK" and e.t > first - 0.01 then
    acks = acks + 1
    expect(e.seq == 102 and e.ack == 302, "A's ACK of the FIN: <SEQ=102><ACK=302>")
    restarted = e.t
  end
end
expect(fins == 2, "B sent its FIN twice, got " .. fins)
expect(acks == 2, "A ACKed it twice (the first one was lost), got " .. acks)
say(string.format("The repeated FIN arrived at t = %.3f s; A re-ACKed it and restarted the 2MSL timer", restarted))
say("('TIME-WAIT STATE: ... Acknowledge it, and restart the 2 MSL timeout', 3.10.7.4 eighth).")

say("So TIME_WAIT now ends 2MSL after the second ACK, not after the first.")
sim:run(first + 2 * A.sysctl.msl + 0.05 - sim.now)
expect_state(c, "TIME_WAIT")
sim:run(restarted + 2 * A.sysctl.msl + 0.001 - sim.now)
expect_state(c, "CLOSED")
