scenario { title = "A first tour of TCP",
  summary = "Open a connection, send a greeting, close it, and watch TIME_WAIT: the life of one TCP connection" }

say("Two computers, A (10.0.0.1) and B (10.0.0.2), are joined by a wire that takes 1 ms each way.")
say("TCP gives them a reliable stream of bytes over it. Every line below is one event of the simulation.")
say("Each host keeps a small record per connection (the TCB) whose 'state' says where it stands (RFC 9293 3.3.2).")

say("1. B is a server: it listens on port 80. Its socket is in state LISTEN.")
B.sysctl.isn = 300
local l = B:listen(80)

say("2. A connects. Nothing is sent yet but a SYN ('synchronize'): 'my bytes will be numbered from 100'.")
local c = A:connect(B, 80, { port = 40000, isn = 100 })
say("   B answers SYN,ACK ('got your 100; mine start at 300'), A answers ACK: the three-way handshake (3.5).")
sim:run_until(function() return c.state == "ESTABLISHED" end)
sim:run(0.01)
local s = l:accept()
expect_state(c, "ESTABLISHED")
expect_state(s, "ESTABLISHED")

say("3. A sends 'hello'. The segment carries sequence number 101: the bytes are numbered.")
c:send("hello")
sim:run(0.01)
say("   B acknowledged with ACK=106: 'I have every byte before 106' (3.4).")
expect(s:recv() == "hello", "B reads what A sent")

say("4. A is done and closes: it sends a FIN, 'no more data from me', and enters FIN_WAIT_1.")
c:close()
expect_state(c, "FIN_WAIT_1")
sim:run(0.01)
say("   B acknowledged the FIN. A waits in FIN_WAIT_2; B is in CLOSE_WAIT: waiting for its own application.")
expect_state(c, "FIN_WAIT_2")
expect_state(s, "CLOSE_WAIT")
local data, err = s:recv()
expect(data == nil and err == "EOF", "B's application sees the end of the stream")

say("5. B's application closes too: B sends its own FIN and waits in LAST_ACK for the answer.")
s:close()
sim:run(0.01)
expect_state(s, "CLOSED")
say("   A acknowledged B's FIN and is now in TIME_WAIT. B got that ACK and forgot the connection.")
expect_state(c, "TIME_WAIT")

say("6. Why wait? If A's last ACK were lost, B would send its FIN again and A must still be there to answer.")
say("   And stray old segments of this connection must die out before the same ports are used again.")
say("   TIME_WAIT lasts twice the Maximum Segment Lifetime: 2 x " .. A.sysctl.msl .. " s here (3.4.2).")
sim:run(2 * A.sysctl.msl - 1)
expect_state(c, "TIME_WAIT")
sim:run(2)
expect_state(c, "CLOSED")
say("7. One virtual minute later the connection is gone. That is the whole life of a connection.")
say("   Next: scripts/01-handshake.lua looks at the handshake segment by segment.")
