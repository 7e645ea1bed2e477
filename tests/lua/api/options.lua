-- TCP options in the Lua API (issue 15): expect_segment's options, net:inject's options and
-- raw_options, the trace's option fields, tcb(). Run by test_lsim_api.c.
scenario { title = "TCP options: expect_segment, net:inject, the trace" }
net:script(B)
local c = A:connect(B, 80, { port = 40000, isn = 100 })
local syn = expect_segment { from = A, flags = "SYN", options = "<mss 1460,sackOK,TS val * ecr 0,nop,wscale 10>" }
expect(syn.options:find("^mss 1460,sackOK,TS val %d+ ecr 0,nop,wscale 10$"), syn.options)
expect(syn.tsecr == 0 and syn.wscale == 10 and syn.tsval > 0, "the trace event has the values")
expect(c:tcb().ws_ok and c:tcb().ts_ok and c:tcb().sack_ok, "before the SYN,ACK: what A offers")

-- the peer's SYN,ACK offers timestamps only: only timestamps are agreed
net:inject { from = B, sport = 80, dport = 40000, seq = 300, ack = 101, flags = "SYN,ACK",
             options = "<mss 1000,nop,nop,TS val 7000 ecr " .. syn.tsval .. ">" }
local ack = expect_segment { from = A, flags = "ACK", seq = 1, ack = 1, within = 0.002,
                             options = "nop,nop,TS val * ecr 7000" }
expect(ack.win == 64240, "no scaling: the SYN's 64240 (half the 131072 buffer, rounded to the MSS), never shrunk")
local t = c:tcb()
expect(t.ts_ok and not t.ws_ok and not t.sack_ok, "timestamps agreed, the rest not")
expect(t.snd_wscale == 0 and t.rcv_wscale == 0, "no scaling: both shifts 0")
expect(t.ts_recent == 7000 and t.snd_mss == 1000, "TS.Recent and SND.MSS from the SYN,ACK")
expect(c:info().options[1] == "timestamps" and #c:info().options == 1, "info().options")

-- "<...>" is any options; "" none
c:send("x")
expect_segment { from = A, flags = "PSH,ACK", len = 1, options = "<...>" }
local ok, err = pcall(expect_segment, { from = A, flags = "PSH,ACK", len = 1, options = "", within = 0.3 })
expect(not ok and err:find("TS val"), "a mismatch prints the options sent: " .. tostring(err))

-- PAWS: an old timestamp is dropped with an ACK
local mark = #sim:trace()
net:inject { from = B, sport = 80, dport = 40000, seq = 301, ack = 102, flags = "PSH,ACK", data = "old",
             options = "<nop,nop,TS val 6000 ecr 0>" }
sim:run(0.01)
local paws = false
for _, e in ipairs(sim:trace({ kind = "rule", from = mark })) do paws = paws or e.rule_id == "PAWS_REJECT" end
expect(paws and c:recv() == "", "PAWS dropped the old segment")

-- raw octets, read as Linux reads them: MSS 1200, then a timestamp cut short (ignored)
local l = A:listen(81)
net:inject { from = B, sport = 5000, dport = 81, seq = 1, flags = "SYN", raw_options = "\2\4\4\176\8\10\0\0" }
sim:run(0.01)
local synack
for _, e in ipairs(sim:trace("send")) do if e.flags == "SYN,ACK" then synack = e end end
expect(synack and synack.options == "mss 1460", "the SYN,ACK offers only the MSS: " .. tostring(synack and synack.options))

-- bad notation is an error naming the option
ok, err = pcall(net.inject, net, { from = B, sport = 80, dport = 40000, options = "<mss 1460,bogus>" })
expect(not ok and err:find("unknown TCP option \"bogus\""), tostring(err))
ok, err = pcall(expect_segment, { from = A, options = "<wscale 300>" })
expect(not ok and err:find("bad TCP option"), tostring(err))
