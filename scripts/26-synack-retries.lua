scenario { title = "SYN,ACK retries: the embryonic connection gives up",
  summary = "The client's ACK never arrives: the server resends its SYN,ACK 5 times (tcp_synack_retries), then drops it at 63 s" }

B.sysctl.isn = 300
local l = B:listen(80)
say("Every ACK A sends is lost (six of them). A believes the handshake done; B never learns it.")
net:drop { from = A, flags = "ACK", count = 6 }
local c = A:connect(B, 80, { port = 40000, isn = 100 })
sim:run(1)
expect_state(c, "ESTABLISHED")
expect(l:accept() == nil, "B has nothing to accept: its connection is still SYN_RCVD")

say("B's retransmission timer resends the SYN,ACK: 1, 2, 4, 8, 16 s apart (RFC 6298 5.5).")
say("A, ESTABLISHED, finds each copy old (below RCV.NXT) and ACKs it again -- into the void.")
sim:run(70)
local synacks = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "B" and e.flags == "SYN,ACK" then
    synacks[#synacks + 1] = string.format("%.0f", e.t)
    expect(e.seq == 300 and e.ack == 101, "the same SYN,ACK each time")
  end
end
say("SYN,ACKs at t = " .. table.concat(synacks, ", ") .. " s")
expect(table.concat(synacks, " ") == "0 1 3 7 15 31", "1 + 5 retransmissions")

local gone
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "B" and e.from == "SYN_RCVD" then gone = e end
end
expect(gone and gone.to == "CLOSED" and gone.rule_id == "TIMER_SYNACK_GIVE_UP", "B dropped the embryo")
say(string.format("At t = %.0f s (1+2+4+8+16+32) B drops the embryonic connection, silently.", gone.t))
expect(math.abs(gone.t - 63.001) < 0.01, "at 63 s after the SYN arrived")
expect_state(l, "LISTEN")

say("A only finds out when it speaks: its data reaches B's listener, which resets any ACK (3.10.7.2).")
c:send("hello?")
sim:run(0.01)
expect_state(c, "CLOSED")
expect_error(c, "ECONNRESET")
