scenario { title = "Blind reset attack and the challenge ACK",
  summary = "RFC 5961 3.2: an RST inside the window but not at RCV.NXT draws an ACK, not an abort" }

B.sysctl.isn = 300
local l = B:listen(80)
local c = A:connect(B, 80, { port = 40000, isn = 100 })
sim:run(0.01)
local s = l:accept()
local function after(mark, host)   -- segments 'host' sent since trace position 'mark'
  local out, trace = {}, sim:trace()
  for i = mark + 1, #trace do
    if trace[i].kind == "send" and trace[i].from == host then out[#out + 1] = trace[i] end
  end
  return out
end

say("An attacker who knows the ports forges RSTs from B. RFC 793 accepted any RST in the window,")
say("so guessing within 65535 of RCV.NXT (301) was enough. Here: SEQ = 301 + 1000.")
net:inject { from = B, sport = 80, dport = 40000, seq = 1301, flags = "RST" }
local mark = #sim:trace()    -- after the injection: only the answers count
sim:run(0.01)
expect_state(c, "ESTABLISHED")
local ch = after(mark, "A")
expect(#ch == 1 and ch[1].flags == "ACK" and ch[1].seq == 101 and ch[1].ack == 301,
  "A sends one challenge ACK <SEQ=SND.NXT=101><ACK=RCV.NXT=301>")
say("A does not abort; it asks the real B with a challenge ACK. B, alive, sees a duplicate ACK")
say("and ignores it. The attack failed; the connection carries on:")
expect(#after(mark, "B") == 0, "the live B stays silent")
c:send("still here")
sim:run(0.01)
expect(s:recv() == "still here", "data still flows")

say("An RST outside the window is simply dropped (3.10.7.4, first check): no ACK at all.")
net:inject { from = B, sport = 80, dport = 40000, seq = 301 + 70000, flags = "RST" }
mark = #sim:trace()
sim:run(0.01)
expect(#after(mark, "A") == 0, "nothing sent")
expect_state(c, "ESTABLISHED")

say("A SYN on a synchronized connection also gets a challenge ACK (RFC 5961 4.2), not a reset.")
say("But not at once: each forged segment would make A send a segment, so RFC 5961 7 asks")
say("for throttling, and Linux sends at most one challenge ACK per connection every 500 ms")
say("(tcp_invalid_ratelimit). The first one went out 30 ms ago: this SYN gets nothing.")
net:inject { from = B, sport = 80, dport = 40000, seq = 5000, flags = "SYN" }
mark = #sim:trace()
sim:run(0.01)
expect(#after(mark, "A") == 0, "no challenge ACK within 500 ms of the last")
local limited, trace = false, sim:trace()
for i = mark + 1, #trace do
  if trace[i].rule_id == "ACK_RATE_LIMITED" then limited = true end
end
expect(limited, "rule ACK_RATE_LIMITED held it back")
sim:run(0.5)
say("Half a second later the same SYN draws the challenge ACK:")
net:inject { from = B, sport = 80, dport = 40000, seq = 5000, flags = "SYN" }
mark = #sim:trace()
sim:run(0.01)
local syn_ch = after(mark, "A")
expect(#syn_ch == 1 and syn_ch[1].flags == "ACK", "one challenge ACK")
expect_state(c, "ESTABLISHED")
sim:run(0.5)

say("Now suppose the reset was genuine: B really crashed, and its RST arrived with a wrong SEQ.")
say("The challenge ACK then reaches a B with no TCB, which answers <SEQ=SEG.ACK><CTL=RST>:")
say("SEG.ACK is A's RCV.NXT, so this second RST is exact, and A resets. Nothing is lost but a round trip.")
B:crash()
net:inject { from = B, sport = 80, dport = 40000, seq = 2000, flags = "RST" }
sim:run(0.01)
expect_state(c, "CLOSED")
expect_error(c, "ECONNRESET")
