scenario { title = "A server's TIME_WAIT table fills up",
  summary = "the side that closes first keeps TIME_WAIT; past tcp_max_tw_buckets Linux skips it: 'time wait bucket table overflow'" }

sim:config { preset = "linux" }
say("A web server (B) that closes its connections first, after each reply, keeps every one of them")
say("in TIME_WAIT for 60 s. At 2,000 requests a second that is 120,000 sockets. Linux caps them at")
say("tcp_max_tw_buckets (131072 on a 24 GiB machine; the kernel sizes it with the memory): past the")
say("cap a closing connection skips TIME_WAIT and is gone at once, and the kernel counts a")
say("TCPTimeWaitOverflow (older kernels logged 'TCP: time wait bucket table overflow').")
say("Here the cap is 8, to see it with a dozen clients.")
B.sysctl.tcp_max_tw_buckets = 8
expect(B.sysctl.tcp_max_tw_buckets == 8, "the cap is set")
local l = B:listen(80)

-- One request: A connects, B replies and closes first, then A closes. Returns B's socket.
local function request()
  local c = A:connect(B, 80)
  local s
  sim:run_until(function() s = s or l:accept(); return s ~= nil and c:is("ESTABLISHED") end, 1)
  s:send("HTTP/1.0 200 OK\r\n\r\nhello")
  s:close()
  sim:run_until(function() return c:is("CLOSE_WAIT") end, 1)
  expect(c:recv() ~= nil, "the client reads the reply")
  c:close()
  sim:run(0.01)
  return s
end

local socks = {}
for i = 1, 12 do
  socks[i] = request()
  local ss = B:ss()
  say(string.format("request %2d: B's socket %s is %-10s  B:ss() TIME_WAIT %d, closed %d", i, socks[i].name,
    socks[i].state, ss.TIME_WAIT, ss.CLOSED))
end
for i = 1, 8 do expect_state(socks[i], "TIME_WAIT") end
for i = 9, 12 do expect_state(socks[i], "CLOSED") end
expect(B:ss().TIME_WAIT == 8, "TIME_WAIT stops at tcp_max_tw_buckets")
expect(A:ss().TIME_WAIT == 0, "the client, which closed second, has none")
local overflows = 0
for _, e in ipairs(sim:trace()) do
  if e.kind == "state" and e.rule_id == "TIME_WAIT_OVERFLOW" then overflows = overflows + 1 end
end
expect(overflows == 4, "four connections skipped TIME_WAIT: " .. overflows)
say("The trace shows TIME_WAIT_OVERFLOW for requests 9 to 12: their last ACK sent, they closed at")
say("once. The cost: nothing guards those port pairs against a late segment of the old connection,")
say("nor resends the last ACK if it is lost (then the client's LAST_ACK retransmits its FIN into a")
say("connection B has forgotten, and gets a RST).")
say("After 60 s the first eight TIME_WAITs end, and the table has room again.")
sim:run(60)
expect(B:ss().TIME_WAIT == 0, "the TIME_WAITs are over")
local s = request()
expect_state(s, "TIME_WAIT")
say("The cures: close first on the client side where you can (HTTP/1.1 keep-alive lets the client")
say("close), or let the server's TIME_WAITs be reused (lesson 41); raising tcp_max_tw_buckets only")
say("trades memory (about 500 bytes a TIME_WAIT socket in Linux) for the protection TIME_WAIT gives.")
