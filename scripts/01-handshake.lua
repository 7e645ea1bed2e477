scenario { title = "Three-way handshake",
  summary = "RFC 9293 3.5, Figure 6: SYN, SYN,ACK, ACK with ISNs 100 and 300" }

say("B, a server, opens port 80 passively: it waits in LISTEN for a SYN (3.10.1).")
B.sysctl.isn = 300
local l = B:listen(80)
expect_state(l, "LISTEN")

say("A opens actively: it picks its ISN (100), sends <SEQ=100><CTL=SYN> and enters SYN_SENT.")
local c = A:connect(B, 80, { port = 40000, isn = 100 })
expect_state(c, "SYN_SENT")

sim:run_until(function() return c.state == "ESTABLISHED" end)
sim:run(0.01)
local s = l:accept()
expect(s ~= nil, "accept() returns the new connection once it is ESTABLISHED")
expect_state(s, "ESTABLISHED")
expect_state(l, "LISTEN")   -- the listener stays, ready for the next SYN

say("Each SYN occupies one sequence number, so each side ACKs the other's ISN + 1 (3.3.1):")
local want = {
  { from = "A", flags = "SYN",     seq = 100, ack = nil },
  { from = "B", flags = "SYN,ACK", seq = 300, ack = 101 },
  { from = "A", flags = "ACK",     seq = 101, ack = 301 },
}
local got = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" then got[#got + 1] = e end
end
expect(#got == #want, "exactly three segments, got " .. #got)
for i, w in ipairs(want) do
  local e = got[i]
  say(string.format("  %s sends <SEQ=%d>%s<CTL=%s>", e.from, e.seq,
      w.ack and ("<ACK=" .. e.ack .. ">") or "", e.flags))
  expect(e.from == w.from and e.flags == w.flags and e.seq == w.seq, "segment " .. i)
  if w.ack then expect(e.ack == w.ack, "segment " .. i .. " acknowledges " .. w.ack) end
end

say("The states each side went through, and the rule that moved it:")
local seen = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" then
    seen[#seen + 1] = e.host .. ":" .. e.to
    say(string.format("  %s %s -> %s  (%s)", e.host, e.from, e.to, e.rule))
  end
end
expect(table.concat(seen, " ") ==
  "B:LISTEN A:SYN_SENT B:SYN_RCVD A:ESTABLISHED B:ESTABLISHED", table.concat(seen, " "))

local t = c:tcb()
expect(t.snd_nxt == 101 and t.rcv_nxt == 301 and t.iss == 100 and t.irs == 300,
  "A's TCB: SND.NXT 101, RCV.NXT 301")
say("Both ends are ESTABLISHED: data can flow both ways.")
