scenario { title = "Half-close: data keeps flowing after a FIN",
  summary = "A shuts down its sending side; B goes on sending from CLOSE_WAIT until it is done" }

say("A FIN means 'I will send no more', not 'stop talking to me' (RFC 9293 3.6; shutdown(SHUT_WR)).")
local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.01)
local s = l:accept()

say("A sends its whole request, then shuts down its sending side: FIN after the data.")
c:send("GET /report")
c:shutdown()
expect_state(c, "FIN_WAIT_1")
local ok, err = c:send("more")
expect(ok == nil and err == "EPIPE", "no sending after shutdown: 'connection closing' (3.10.2)")
sim:run(0.01)
say("B ACKed the request at once, the FIN not yet: Linux delays the ACK of a FIN, for its own FIN to carry.")
expect_state(c, "FIN_WAIT_1")
sim:run(0.04)
expect_state(c, "FIN_WAIT_2")
expect_state(s, "CLOSE_WAIT")

say("B reads the request, then the end of the stream: A has nothing more to say.")
expect(s:recv() == "GET /report", "B reads the request")
local d, e = s:recv()
expect(d == nil and e == "EOF", "then EOF")

say("In CLOSE_WAIT B may still SEND (3.10.2): the answer flows to A, which is in FIN_WAIT_2.")
local answer = {}
for i = 1, 5 do
  s:send("part " .. i .. ";")
  sim:run(0.5)
  answer[#answer + 1] = c:recv()
  expect_state(c, "FIN_WAIT_2")
end
expect(table.concat(answer) == "part 1;part 2;part 3;part 4;part 5;", "A receives every part")

say("A only shut down, it did not close: no tcp_fin_timeout applies, it waits for B's FIN as long as needed.")
sim:run(120)
expect_state(c, "FIN_WAIT_2")

say("B is done: its FIN ends the stream in the other direction. LAST_ACK at B, TIME_WAIT at A.")
s:close()
sim:run(0.01)
local d2, e2 = c:recv()
expect(d2 == nil and e2 == "EOF", "A reads EOF after B's FIN")
expect_state(c, "TIME_WAIT")
expect_state(s, "CLOSED")
c:close()
sim:run(2 * A.sysctl.msl)
expect_state(c, "CLOSED")
