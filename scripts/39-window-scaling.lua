scenario { title = "Window scaling: more than 64 KB per round trip",
  summary = "RFC 7323 2: a 16-bit window caps a connection at 65535 octets per round trip; the window scale option lifts the cap" }

say("A long fat network: 100 ms round trip, no loss. B's receive buffer holds 1 MiB, A's send buffer 4 MiB.")
net:set { delay = 0.05 }
B.sysctl.tcp_rmem = "4096 1048576 33554432"
A.sysctl.tcp_wmem = "4096 4194304 4194304"
local l = B:listen(80)
local bytes = 2 * 1024 * 1024

local function run(scaling)
  A.sysctl.tcp_window_scaling = scaling
  local c = A:connect(B, 80)
  sim:wait_for(function() return c:is("ESTABLISHED") end, 5)
  local s
  sim:wait_for(function() s = l:accept(); return s ~= nil end, 5)
  local syn
  for _, e in ipairs(sim:trace("send")) do
    if e.sock == c.name and e.flags == "SYN" then syn = e end
  end
  say(string.format("%s's SYN: <%s>", c.name, syn.options))
  local n, secs = sim:transfer { from = c, to = s, bytes = bytes }
  expect(n == bytes, "every octet arrived")
  local t = c:tcb()
  say(string.format("window scaling %s: A's SND.WND = %d octets (shift %d); %d octets in %.2f s, %.0f KB per round trip",
    scaling == 1 and "on " or "off", t.snd_wnd, t.snd_wscale, n, secs, n / secs * 0.1 / 1000))
  c:close(); s:close(); sim:run(0.5)
  return secs, t
end

say("1. A offers no window scale: B may not scale either (RFC 7323 2.2: both SYNs must carry it).")
say("   Each SEG.WND is 16 bits, so at most 65535 octets are in flight: one window per 100 ms.")
local slow, t1 = run(0)
expect(t1.snd_wnd <= 65535, "without scaling SND.WND stays at most 65535")
expect(t1.snd_wscale == 0 and not t1.ws_ok, "no scaling agreed")

say("2. Both SYNs carry wscale: B announces shift 10 (the smallest that lets tcp_rmem's 32 MiB max")
say("   be offered, as Linux picks it), and A reads each SEG.WND << 10. B offers its window as Linux")
say("   does: first about 64 KB, growing by two segments with each segment that arrives (tcp_grow_window)")
say("   towards the share of its buffer the data may fill (about 600 KB of the 1 MiB).")
local fast, t2 = run(1)
expect(t2.ws_ok and t2.snd_wscale == 10, "scaling agreed, B's shift is 10")
expect(t2.snd_wnd > 65535, "SND.WND above 64 KiB: " .. t2.snd_wnd)
expect(fast < slow / 6, string.format("the transfer is much faster: %.2f s against %.2f s", fast, slow))
say("The bandwidth-delay product, not the link, set the pace: a window is what a round trip can carry.")
