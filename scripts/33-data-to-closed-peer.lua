scenario { title = "Data sent to a closed peer",
  summary = "A closes; B keeps sending. A answers with a RST (RFC 1122 4.2.2.13); B's first send seems to work, the next one fails" }

-- Runs under either preset: what differs (the error a reset in CLOSE_WAIT gives) is read from
-- B's setting close_wait_rst_epipe. Checked against Linux 6.18.44: tests/linux/close-*.pkt.

local port = 8000
local function pair()            -- a fresh ESTABLISHED connection A -> B on its own port
  port = port + 1
  local l = B:listen(port)
  local c = A:connect(B, port)
  sim:run(0.05)
  return c, l:accept()
end
local function sent_by(host, since)   -- the segments 'host' sent on this pair's port after
  local out, trace = {}, sim:trace()   -- trace index 'since'
  for i = since + 1, #trace do
    local e = trace[i]
    if e.kind == "send" and e.from == host and (e.sport == port or e.dport == port) then
      out[#out + 1] = e
    end
  end
  return out
end
local function closewait_error()      -- what a reset in CLOSE_WAIT reports, on this host
  return B.sysctl.close_wait_rst_epipe == 1 and "EPIPE" or "ECONNRESET"
end

say("1. A's application is done: it calls close(). A FIN goes out, B moves to CLOSE_WAIT.")
local c, s = pair()
c:close()
sim:run(0.2)
expect_state(c, "FIN_WAIT_2")
expect_state(s, "CLOSE_WAIT")
say("To B a FIN only means 'A will send no more' (half-close, see 04). B goes on sending.")
local mark = #sim:trace()
local n = s:send("reply, part 1")
expect(n == 13, "B's send succeeds: the data is queued and sent")
sim:run(0.2)
say("But A did not shut down one direction: it closed the socket, and nobody will read this.")
say("RFC 1122 4.2.2.13: 'if new data is received after CLOSE is called, its TCP SHOULD send a")
say("RST to show that data was lost'. An ACK would tell B its data was delivered.")
local a = sent_by("A", mark)
expect(#a == 1 and a[1].flags == "RST", "A answers the data with a RST, and nothing else")
local data = sent_by("B", mark)[1]
expect(a[1].seq == data.ack, "the RST's SEQ is the data's ACK field: <SEQ=SEG.ACK><CTL=RST>")
expect_state(c, "CLOSED")
say("A's connection is gone. The RST's SEQ is B's RCV.NXT, so B accepts it: B is reset too.")
expect_state(s, "CLOSED")

local err = closewait_error()
say("B's application does not know yet. Its next call tells it: " .. err .. ".")
local ok, e = s:send("reply, part 2")
expect(ok == nil and e == err, "the next send fails with " .. err .. ", got " .. tostring(e))
ok, e = s:send("reply, part 3")
expect(ok == nil and e == "EPIPE", "the error is reported once; then every send is EPIPE")
ok, e = s:recv()
expect(ok == nil and e == "EOF", "and a receive is end of stream, got " .. tostring(e))
if err == "EPIPE" then
  say("Linux reports a reset in CLOSE_WAIT as EPIPE, a broken pipe (tcp_reset): the classic")
  say("'write to a socket whose peer has gone', where a program without a handler dies of SIGPIPE.")
else
  say("RFC 9293 3.10.7.4 calls a reset in CLOSE_WAIT 'connection reset': ECONNRESET, once.")
end
say("The first send after A's close 'worked': TCP only finds out one round trip later.")

say("2. The same with shutdown() instead of close(): A only stops sending. B's data is ACKed and")
say("A reads it: no RST. close() throws the receiving direction away; shutdown() keeps it.")
c, s = pair()
c:shutdown()
sim:run(0.2)
expect_state(s, "CLOSE_WAIT")
s:send("reply")
sim:run(0.1)
expect(c:recv() == "reply", "A reads B's reply")
expect_state(c, "FIN_WAIT_2")
expect_state(s, "CLOSE_WAIT")

say("3. Now A's FIN is lost on the way, so B is still ESTABLISHED when it sends.")
c, s = pair()
net:drop { from = A, flags = "FIN" }
c:close()
sim:run(0.05)                          -- (before A's retransmission timer sends the FIN again)
expect_state(c, "FIN_WAIT_1")
expect_state(s, "ESTABLISHED")
mark = #sim:trace()
s:send("request 2")
sim:run(0.05)
a = sent_by("A", mark)
expect(#a == 1 and a[1].flags == "RST", "A, closed, answers B's data with a RST")
expect_state(c, "CLOSED")
expect_state(s, "CLOSED")
ok, e = s:send("request 3")
expect(ok == nil and e == "ECONNRESET", "a reset in ESTABLISHED: the next call gets ECONNRESET, got " .. tostring(e))
ok, e = s:recv()
expect(ok == nil and e == "EOF", "reported once: then a receive is end of stream")
ok, e = s:send("request 4")
expect(ok == nil and e == "EPIPE", "and a send EPIPE")
expect_error(s, "ECONNRESET")
say("sock.error still shows what ended the connection; the calls report it only once, as")
say("SO_ERROR does.")

say("4. The other reading of a reset in CLOSE_WAIT, set on B: close_wait_rst_epipe = "
  .. (1 - B.sysctl.close_wait_rst_epipe) .. ".")
B.sysctl.close_wait_rst_epipe = 1 - B.sysctl.close_wait_rst_epipe
c, s = pair()
c:close()
sim:run(0.2)
s:send("reply, part 1")
sim:run(0.05)
expect_state(s, "CLOSED")
ok, e = s:send("reply, part 2")
expect(ok == nil and e == closewait_error(), "now the next send gets " .. closewait_error())
ok, e = s:send("reply, part 3")
expect(ok == nil and e == "EPIPE", "then EPIPE")
