-- make bench: the transfer of `bench transfer` (MSS 1460, 5 ms one way, window 65535, delayed
-- ACKs as Linux sends them), 1 GB driven from Lua by sim:transfer, as a user's scenario would
-- drive it: the event log on, in its default window. `bench lua FILE` runs it and reports
-- the wall time per data segment and the peak RSS beside the transfer driven from C.
scenario { title = "1 GB from Lua (make bench)" }
net:set { delay = 0.005 }
for _, h in ipairs { A, B } do
  h.sysctl.mss = 1460
  h.sysctl.rcv_buf = 65535
end
local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.02) -- the handshake: two one-way delays
local s = l:accept()
local n = sim:transfer { from = c, to = s, bytes = 1000000000, within = 10000 }
expect(n == 1000000000, "every octet arrived")
