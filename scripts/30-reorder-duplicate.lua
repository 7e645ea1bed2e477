scenario { title = "Reordering and duplication",
  summary = "Segments overtake each other and arrive twice; sequence numbers put the stream back together" }

sim:config { seed = 3 }
say("The wire now duplicates 20% of segments and holds back 30% so that the next one passes it.")
net:set { dup = 0.2, reorder = 0.3 }
local l = B:listen(80)
local c = A:connect(B, 80)
sim:run_until(function() return c.state == "ESTABLISHED" end, 30)
sim:run(0.1)
local s = l:accept()
expect(s ~= nil, "connected")

local words = {}
for i = 1, 400 do words[i] = string.format("<%03d>", i) end
local data = table.concat(words, "", 1, 400)
for i = 0, 9 do c:send(data:sub(i * 200 + 1, i * 200 + 200)); sim:run(0.0002) end

local got = {}
sim:run_until(function()
  got[#got + 1] = s:recv() or ""
  return #table.concat(got) >= #data
end, 120)
got = table.concat(got)
expect(got == data, "the stream arrives intact and in order")

local ooo, dups = 0, 0
for _, e in ipairs(sim:trace()) do
  if e.kind == "rule" and e.rule_id == "SEQ_OUT_OF_ORDER" then ooo = ooo + 1 end
  if e.kind == "rule" and e.rule_id == "SEQ_NOT_ACCEPTABLE" and e.host == "B" then dups = dups + 1 end
end
say(string.format("B held %d segments that came early (3.10.7.4, seventh: 'held for later processing')", ooo))
say(string.format("and dropped %d that came twice, answering each with an ACK of RCV.NXT (first check).", dups))
expect(ooo > 0, "some segments arrived out of order")
say("The application never sees any of this: TCP delivers a byte stream, not packets (3.1).")
