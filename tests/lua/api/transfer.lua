-- sim:transfer: moving data without boilerplate, and a trace that summarises the sends.
-- Run by test_lsim_api.c.
scenario { title = "sim:transfer" }
local l = B:listen(80)
local c = A:connect(B, 80)
sim:wait_for(function() return c:is("ESTABLISHED") end, 1)
sim:run(0.01)
local s = l:accept()

local mark = #sim:trace()
local n, secs = sim:transfer { from = c, to = s, bytes = 100000 }
expect(n == 100000 and secs > 0 and secs < 0.1, "100 KB in " .. tostring(secs) .. " s")
expect(s:info().bytes_received == 100000, "it returns once the receiver has read them all")
sim:run(0.01)
expect(c:info().bytes_acked == 100000, "the last ACK was still on its way")
local calls = sim:trace { kind = "call", from = sim:trace()[mark + 1].n }
expect(#calls <= 4, #calls .. " call lines for 100 KB, not one per kilobyte")
expect(calls[1].sock == "A1" and calls[1].text == "transfer 100000 bytes to B2", calls[1].text)
expect(calls[#calls].sock == "B2" and calls[#calls].text:find("^transfer from A1: 100000 bytes arrived in "),
  calls[#calls].text)
-- the zeros it sends live as long as the program: they are lent to the send queue (a zero-copy
-- send, Linux's MSG_ZEROCOPY), not copied into it
expect(calls[2].sock == "A1" and calls[2].text:find("^send %d+ bytes zero%-copy %(%d+ queued%)$"), calls[2].text)

-- a lossy link: every octet still arrives, later
net:set { loss = 0.05 }
n, secs = sim:transfer { from = s, to = c, bytes = 300000 }
expect(n == 300000 and c:info().bytes_received == 300000 and s:info().total_retrans > 0)
net:set { loss = 0 }

-- a time limit: nil, ETIMEDOUT, and the trace says how far it got
net:set { from = A, delay = 10 }
local x, err = sim:transfer { from = c, to = s, bytes = 1000, within = 1 }
expect(x == nil and err == "ETIMEDOUT", tostring(err))
local last = sim:trace("call")
expect(last[#last].text:find("^transfer from A1: 0 of 1000 bytes arrived in 1 s, then ETIMEDOUT"), last[#last].text)
net:set { from = A, delay = 0.001 }
sim:run(30)

-- the receiver goes away: nil and its error
s:abort()
x, err = sim:transfer { from = c, to = s, bytes = 1000 }
expect(x == nil and err ~= nil, "a transfer to an aborted socket fails: " .. tostring(err))

local function fails(t, pattern)
  local ok, e = pcall(function() return sim:transfer(t) end)
  expect(not ok and e:find(pattern), e)
end
fails({ from = c, to = s }, "field 'bytes' must be an integer")
fails({ from = c, to = c, bytes = 1 }, "the same socket")
fails({ from = c, to = "B2", bytes = 1 }, "field 'to' must be a socket")
fails({ from = c, to = s, bytes = 1, byte = 2 }, "unknown option 'byte'")
