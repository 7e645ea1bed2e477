scenario { title = "Recovery from an old duplicate SYN",
  summary = "RFC 9293 3.5, Figure 8: a stale SYN reaches B first; A's reset sends B back to LISTEN" }

B.sysctl.isn = 300
-- Linux also sends its SYN again 8 ms after an unacceptable ACK (synsent_bad_ack_resend, checked
-- on a 6.18 kernel); the figure's A waits for its own timer
A.sysctl.synsent_bad_ack_resend = 0
local l = B:listen(80)
say("A connects with ISN 100, but its SYN is slow: the wire holds it back 10 ms.")
net:delay { from = A, flags = "SYN", by = 0.01 }
local c = A:connect(B, 80, { port = 40000, isn = 100 })
say("Meanwhile an old duplicate SYN of an earlier connection, <SEQ=90><CTL=SYN>, arrives first.")
net:inject { from = A, sport = 40000, dport = 80, seq = 90, flags = "SYN" }
sim:run(0.0015)
say("B cannot tell it is old: it answers <SEQ=300><ACK=91><CTL=SYN,ACK> from SYN_RCVD (line 4).")
sim:run(0.001)
say("A, in SYN_SENT, sees ACK 91 <= ISS 100: 'unacceptable, send <SEQ=SEG.ACK><CTL=RST>' (3.10.7.3).")
expect_state(c, "SYN_SENT")
B.sysctl.isn = 400   -- the figure's B picks 400 for the real connection
sim:run(0.001)
say("The RST is at B's RCV.NXT (91): 'if passive OPEN, return to LISTEN' (3.10.7.4, second, line 5).")
expect(l:accept() == nil, "nothing to accept: the bogus connection is gone")

sim:run_until(function() return c.state == "ESTABLISHED" end)
sim:run(0.01)
local s = l:accept()
expect_state(s, "ESTABLISHED")
say("Then A's real SYN arrives and the handshake completes normally (lines 6 to 8).")

local want = {
  "A SYN 90 -", "B SYN,ACK 300 91", "A RST 91 -",
  "A SYN 100 -", "B SYN,ACK 400 101", "A ACK 101 401" }
local got = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "deliver" then
    local ack = e.flags:find("ACK", 1, true) and tostring(e.ack) or "-"
    got[#got + 1] = string.format("%s %s %d %s", e.from, e.flags, e.seq, ack)
  end
end
say("Segments in order of arrival: " .. table.concat(got, " | "))
expect(table.concat(got, " | ") == table.concat(want, " | "), "Figure 8, line by line")

local path = {}
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.host == "B" then path[#path + 1] = e.to .. "/" .. e.rule_id end
end
say("B: " .. table.concat(path, " "))
expect(table.concat(path, " "):find("SYN_RCVD/LISTEN_SYN CLOSED/RST_TO_LISTEN SYN_RCVD/LISTEN_SYN ESTABLISHED"),
  "B's first SYN_RCVD was reset back to the listener, the second one succeeded")
