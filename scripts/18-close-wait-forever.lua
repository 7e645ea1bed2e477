scenario { title = "CLOSE_WAIT lasts as long as the application wants",
  summary = "A server that never calls close() keeps its connections in CLOSE_WAIT forever: no timer ends it" }

sim:config { preset = "linux" }   -- the numbers below are Linux's defaults

say("CLOSE_WAIT means: the peer has closed and we ACKed its FIN; now we wait for OUR application")
say("to close (3.10.7.4, eighth). The TCP has no timer for it. This is not TIME_WAIT!")
local l = B:listen(80)
local clients, servers = {}, {}
for i = 1, 3 do
  clients[i] = A:connect(B, 80)
  sim:run(0.01)
  servers[i] = l:accept()
end

say("Three clients each finish and close. The buggy server reads nothing and never calls close().")
for i = 1, 3 do clients[i]:close() end
sim:run(0.01)

say("Ten hours later, all three are still in CLOSE_WAIT: a slow leak of sockets and memory.")
sim:run(36000)
for i = 1, 3 do expect_state(servers[i], "CLOSE_WAIT") end
say("No timer is pending on them (tcb().timers is empty); the clients' sockets, by contrast,")
say("were reaped by tcp_fin_timeout after 60 s.")
for i = 1, 3 do expect(#servers[i]:tcb().timers == 0, "no timer runs in CLOSE_WAIT") end
for i = 1, 3 do expect_state(clients[i], "CLOSED") end

say("The application could have known at once: recv() returns EOF once the peer's FIN arrived.")
local d, err = servers[1]:recv()
expect(d == nil and err == "EOF", "recv() says EOF")

say("Fixed and restarted, the server closes them: FIN, LAST_ACK. But the clients forgot long ago:")
say("A answers each FIN with a RST, and a RST in LAST_ACK closes the connection (3.10.7.4, second).")
for i = 1, 3 do servers[i]:close() end
for i = 1, 3 do expect_state(servers[i], "LAST_ACK") end
sim:run(0.01)
local rules = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "B" and e.from == "LAST_ACK" then rules[#rules + 1] = e.rule_id end
end
expect(#rules == 3, "three LAST_ACK endings")
for i = 1, 3 do
  expect_state(servers[i], "CLOSED")
  expect(rules[i] == "RST_CLOSE", "closed by the peer's reset, got " .. tostring(rules[i]))
end
