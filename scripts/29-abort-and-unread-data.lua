scenario { title = "Abort, and closing with unread data",
  summary = "ABORT sends a RST at SND.NXT (3.10.5; Linux's also ACKs RCV.NXT); CLOSE with unread data resets too (RFC 1122 4.2.2.13)" }

sim:config { preset = "linux" }   -- the resets below are Linux's (RST,ACK)

local l = B:listen(80)
local function connected()
  local c = A:connect(B, 80)
  sim:run(0.01)
  return c, l:accept()
end
local function last_from(host)
  local last
  for _, e in ipairs(sim:trace()) do
    if e.kind == "send" and e.from == host then last = e end
  end
  return last
end

say("1. A aborts: no FIN handshake, no TIME_WAIT, just a RST at SND.NXT, and the TCB is gone.")
say("3.10.5 writes it <SEQ=SND.NXT><CTL=RST>; Linux's reset also acknowledges what it received,")
say("<SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> (tcp_send_active_reset; the setting active_reset_ack).")
local c, s = connected()
local nxt, rcv = c:tcb().snd_nxt, c:tcb().rcv_nxt
c:abort()
expect_state(c, "CLOSED")
local rst = last_from("A")
expect(rst.flags == "RST,ACK" and rst.seq == nxt and rst.ack == rcv, "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>")
sim:run(0.01)
say("B's TCB sees a RST at RCV.NXT: 'connection reset' (3.10.7.4, second check).")
expect_state(s, "CLOSED")
expect_error(s, "ECONNRESET")
local ok, err = s:send("x")
expect(ok == nil and err == "ECONNRESET", "B's next send fails with ECONNRESET")
ok, err = s:send("x")
expect(ok == nil and err == "EPIPE", "the error is reported once: the send after it gets EPIPE")

say("2. B sent a request; A's application closes WITHOUT reading it. RFC 1122 4.2.2.13:")
say("'If ... CLOSE is called while received data is still pending, a RST should be sent'.")
c, s = connected()
s:send("request nobody reads")
sim:run(0.01)
c:close()
expect_state(c, "CLOSED")
expect(last_from("A").flags == "RST,ACK", "A sends RST, not FIN")
sim:run(0.01)
expect_error(s, "ECONNRESET")
say("B learns its data was never read: a FIN would have claimed an orderly end.")

say("3. With the data read first, the same close is an orderly FIN.")
c, s = connected()
s:send("request")
sim:run(0.01)
expect(c:recv() == "request", "A reads it")
c:close()
expect_state(c, "FIN_WAIT_1")
expect(last_from("A").flags == "FIN,ACK", "A sends a FIN")
