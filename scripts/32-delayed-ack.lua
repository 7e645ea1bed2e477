scenario { title = "Delayed ACK",
  summary = "Linux ACKs the first 16 segments at once, then every second one or after 40 ms; a FIN's ACK waits for the reply" }

sim:config { preset = "linux" }

local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.01)
local s = l:accept()
say("RFC 9293 3.8.6.3: a TCP SHOULD delay its ACKs (less than 0.5 s, at least one for every")
say("second full-sized segment): fewer segments, and the ACK may ride on a reply. Linux always")
say("delays them, its own way (delayed_ack = " .. B.sysctl.delayed_ack .. ", the linux preset's default).")

-- The number the next event will get.
local function next_n()
  local t = sim:trace { timers = true }
  return #t > 0 and t[#t].n + 1 or 1
end

-- B's segments from event 'from' on: pure ACKs, and all.
local function b_sent(from)
  local acks, all = 0, 0
  for _, e in ipairs(sim:trace { kind = "send", from = from }) do
    if e.from == "B" then
      all = all + 1
      if e.len == 0 and e.flags == "ACK" then acks = acks + 1 end
    end
  end
  return acks, all
end

say("1. Quick ACKs. A sends 24 full-sized segments in one write, over a slow link (one every")
say("   10 ms); B's application reads whatever arrives, at once.")
net:set { bandwidth = 1200000, from = "A" }
-- tcpsim has no congestion window, so A puts all 24 segments on the slow link at once and their
-- ACKs come later than A's tail loss probe expects (2 x SRTT: 4 ms here); a Linux sender would
-- pace them by its congestion window. The probe's spurious copy would reach B as a duplicate and
-- bring B's quick ACKs back, so this lesson switches it off.
A.sysctl.tcp_early_retrans = 0
local mark = next_n()
c:send(string.rep("x", 24 * 1460))
local got = 0
while got < 24 * 1460 do
  sim:step()
  got = got + #s:recv()
end
net:set { bandwidth = 0, from = "A" }
local acks = b_sent(mark)
say("   " .. acks .. " ACKs for 24 segments. The first 22 were ACKed the moment they arrived (rule")
say("   ACK_QUICK): a new connection's sender is in slow start, and waits for ACKs to send more.")
say("   Linux gives 16 such quick ACKs, and one more for each segment that lets it grow the window")
say("   it offers (its rcv_ssthresh, tcp_grow_window: 6 here), to announce the larger window at")
say("   once; the kernel did the same (tests/linux/delack-quick-acks-1460.pkt: 22). Then one ACK")
say("   for every second segment, as RFC 1122 asks, while B's application keeps up.")
expect(acks == 23, "22 quick ACKs (16 and 6 window growths), then 1 for the last 2 segments, got " .. acks)

say("2. A lone segment now waits: no second one comes, and B's application does not read it.")
mark = next_n()
local t0 = sim.now
c:send("a lone request")
sim:run(0.03)
expect(b_sent(mark) == 0, "no ACK yet, 30 ms after the segment")
expect(s:tcb().ack_owed == 14, "B owes the ACK of 14 octets")
sim:run(0.02)
local n = b_sent(mark)
expect(n == 1, "one ACK, sent by the delack timer")
local ack_t
for _, e in ipairs(sim:trace { kind = "send", from = mark }) do
  if e.from == "B" then ack_t = e.t end
end
say(string.format("   The delack timer sent it %.0f ms after the segment left A: 1 ms on the wire and the", (ack_t - t0) * 1000))
say("   ACK timeout, 40 ms (delack_timeout). Each time the timer has to send the ACK, the timeout")
say("   doubles, up to the round-trip time: this peer sends nothing more for a while.")
expect(math.abs(ack_t - t0 - 0.041) < 1e-9, "1 ms on the wire + 40 ms")
expect(s:recv() == "a lone request", "B reads it")

say("3. Requests and replies. A sends a short request; B's application reads it 4 ms later and answers.")
mark = next_n()
c:send("GET /1")
sim:run(0.005)
expect(s:recv() == "GET /1", "B reads the request")
s:send("200 OK")
sim:run(0.005)
local a, all = b_sent(mark)
expect(a == 1 and all == 2, "an ACK, then the reply")
say("   The read of a short request (or of one with PSH) sends the ACK held back (rule ACK_ON_READ),")
say("   then the reply goes. But B answered within the ACK timeout: the connection is now")
say("   interactive (rule ACK_INTERACTIVE), and B's ACKs wait for its replies to carry them:")
expect(c:recv() == "200 OK", "A reads the reply")
mark = next_n()
c:send("GET /2")
sim:run(0.005)
expect(s:recv() == "GET /2", "B reads the second request")
s:send("200 OK")
sim:run(0.005)
a, all = b_sent(mark)
expect(a == 0 and all == 1, "B sent one segment: the reply, which acknowledges the request")
expect(c:recv() == "200 OK", "A reads the second reply")

say("4. The close. A closes; B's ACK of the FIN waits too, and B's application closes 10 ms")
say("   later: B's FIN carries the ACK. Three segments end the connection, not four.")
mark = next_n()
c:close()
sim:run(0.011)
expect(b_sent(mark) == 0, "B has not ACKed A's FIN yet")
expect_state(c, "FIN_WAIT_1")
expect(select(2, s:recv()) == "EOF", "B's application reads the end of the stream")
s:close()
sim:run(0.01)
a, all = b_sent(mark)
expect(a == 0 and all == 1, "B sent only its FIN, which acknowledges A's")
expect_state(c, "TIME_WAIT")

say("RFC 1122's rule as written (delayed_ack = 1) ACKs every second full-sized segment from the")
say("start and a FIN at once; delayed_ack = 0 ACKs every segment at once (the rfc preset).")

goals {
  { rule = "ACK_QUICK" },
  { rule = "ACK_DELAYED" },
  { rule = "TIMER_DELACK" },
  { rule = "ACK_INTERACTIVE" },
}
