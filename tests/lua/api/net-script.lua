-- net:script(B): B's own TCP is off. A's SYN reaches B and goes no further; B answers only
-- with what the scenario injects, as packetdrill's remote end does. Run by test_lsim_api.c
-- (every tests/lua/api/*.lua must pass).
scenario { title = "net:script: a handshake written by hand" }
net:script(B)
local c = A:connect(B, 80, { port = 40000, isn = 100 })
expect_segment { from = A, flags = "SYN", seq = 0, len = 0 }
sim:run(0.01)
local arrived = sim:trace("deliver")
expect(#arrived == 1 and arrived[1].to == "B" and arrived[1].flags == "SYN", "the SYN reached B")
expect(#sim:trace("send") == 1, "B's TCP answered nothing")
expect(#B:sockets() == 0, "B made no socket for it")
net:inject { from = B, sport = 80, dport = 40000, seq = 300, ack = 101, flags = "SYN,ACK" }
expect_segment { from = A, flags = "ACK", seq = 1, ack = 1, within = 0.002 }
expect_state(c, "ESTABLISHED")
c:send("hi")
expect_segment { from = A, flags = "PSH,ACK", seq = 1, ack = 1, len = 2 }
-- nobody acknowledges it: A retransmits after its RTO (200 ms floor, Linux)
expect_segment { from = A, flags = "PSH,ACK", seq = 1, ack = 1, len = 2, within = 0.3 }
net:inject { from = B, sport = 80, dport = 40000, seq = 301, ack = 103, flags = "ACK" }
sim:run(0.01)
expect(c:tcb().snd_una == 103, "the injected ACK took the data")
local ok, err = pcall(function() return B:listen(80) end)
expect(not ok and err:find("B is scripted %(net:script%): its TCP is switched off"), err)
net:script(B, false)
expect(B:listen(81), "B's TCP is back")
ok, err = pcall(function() net:script(B) end)
expect(not ok and err:find("B has open sockets"), err)
