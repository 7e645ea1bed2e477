scenario { title = "A reset in each synchronized state",
  summary = "RFC 9293 3.10.7.4, second check: an RST at RCV.NXT aborts in every state; which error the user sees" }

sim:config { preset = "linux" }   -- the numbers below are Linux's defaults

local port = 1000
local function pair()            -- a fresh ESTABLISHED connection A -> B on its own port
  port = port + 1
  local l = B:listen(port)
  local c = A:connect(B, port)
  sim:run(0.01)
  return c, l:accept()
end
local function reset(sock, peer) -- the peer sends <SEQ=RCV.NXT><CTL=RST> to 'sock'
  local lport = tonumber(sock["local"]:match(":(%d+)$"))
  local rport = tonumber(sock.remote:match(":(%d+)$"))
  net:inject { from = peer, sport = rport, dport = lport, seq = sock:tcb().rcv_nxt, flags = "RST" }
  sim:run(0.0015)
end
local function check(sock, state, err, why)
  expect_state(sock, state)
  reset(sock, sock["local"]:find("10.0.0.1", 1, true) and B or A)
  expect_state(sock, "CLOSED")
  expect(sock.error == err, state .. ": error " .. tostring(err) .. ", got " .. tostring(sock.error))
  say(string.format("  %-11s + RST -> CLOSED, the user sees %s%s", state, err or "nothing", why))
end

say("For each state we build a connection in it and have the peer send <SEQ=RCV.NXT><CTL=RST>.")
local c, s = pair()
check(c, "ESTABLISHED", "ECONNRESET", " ('connection reset')")

c, s = pair()
net:drop { from = A, flags = "FIN" }     -- A's FIN is lost: A stays in FIN_WAIT_1
c:close()
check(c, "FIN_WAIT_1", "ECONNRESET", "")

c, s = pair()
c:close(); sim:run(0.01)               -- FIN ACKed: A in FIN_WAIT_2, B in CLOSE_WAIT
check(c, "FIN_WAIT_2", "ECONNRESET", "")
check(s, "CLOSE_WAIT", "EPIPE", " (Linux: after the peer's FIN a reset is a broken pipe; rfc: ECONNRESET)")

c, s = pair()
c:close(); s:close()                   -- both FINs cross...
net:drop { from = B, flags = "ACK" }   -- ...and B's ACK of A's FIN is lost: A stays in CLOSING
sim:run(0.0015)
check(c, "CLOSING", nil, " (it had closed already: 'enter CLOSED', no error)")
sim:run(0.01)
check(s, "TIME_WAIT", nil, " (TIME-WAIT assassination, see 22)")

c, s = pair()
c:close(); sim:run(0.01)
net:drop { from = B, flags = "FIN" }   -- B's FIN is lost: B stays in LAST_ACK
s:close()
check(s, "LAST_ACK", nil, "")

say("Every one of these resets carried SEQ = RCV.NXT exactly. RFC 5961 makes that exactness")
say("the condition: an RST merely inside the window only draws a challenge ACK (see 21).")
