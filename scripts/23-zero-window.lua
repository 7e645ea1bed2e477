scenario { title = "Zero window and persist probes",
  summary = "A receiver that does not read closes its window; the sender probes it (3.8.6.1) until it opens" }

say("B's receive buffer holds only 1000 bytes, and B's application does not read for a while.")
local l = B:listen(80)
l:setsockopt("SO_RCVBUF", 1000)     -- its connections' buffer; small enough for window scale 0
local c = A:connect(B, 80)
sim:run(0.01)
local s = l:accept()
local msg = {}
for i = 1, 300 do msg[i] = string.format("%09d\n", i) end
msg = table.concat(msg)             -- 3000 bytes, every line numbered
c:send(msg)
sim:run(0.01)

say("A sent what the window allowed: 1000 bytes. B's ACK of them advertises a window of 0.")
local zero
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "B" and e.win == 0 then zero = zero or e end
end
expect(zero ~= nil, "B advertises window 0")
local in_flight = c:tcb()
expect(in_flight.snd_wnd == 0, "A's SND.WND is 0")

say("A must not send into a zero window, but must not just wait either: the ACK that reopens it")
say("could be lost. So A keeps probing with one byte (3.8.6.1), backing off like a retransmission.")
sim:run(30)
local probes = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "A" and e.len == 1 then probes[#probes + 1] = e.t end
end
local gaps = {}
for i = 2, #probes do gaps[#gaps + 1] = string.format("%.1f", probes[i] - probes[i - 1]) end
say(#probes .. " probes in 30 s; gaps: " .. table.concat(gaps, " "))
expect(#probes >= 5, "A probes repeatedly")
expect(probes[#probes] - probes[#probes - 1] > probes[2] - probes[1], "with growing gaps")
say("B answers each probe with an ACK still showing window 0; the connection stays up: the peer")
say("is alive, only slow. (Compare 16, where silence ends the connection.)")
expect_state(c, "ESTABLISHED")

say("B's application finally reads. Its window reopens and B says so (a window update).")
local got = {}
sim:run_until(function()
  got[#got + 1] = s:recv()
  return #table.concat(got) >= #msg
end, 600)
got = table.concat(got)
expect(#got == #msg and got == msg, "all 3000 bytes arrive, in order, none twice")
say(string.format("All %d bytes delivered by t = %.1f s.", #got, sim.now))
