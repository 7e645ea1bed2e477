scenario { title = "A SYN flood, and SYN cookies",
  summary = "Spoofed SYNs fill the SYN queue: with tcp_syncookies 0 a real client gets no answer; with 1 it gets a SYN cookie and connects, while the flood costs the server nothing" }

sim:config { preset = "linux" }

-- A SYN from a made-up address 203.0.113.i, port 1024 + i. The attacker sits on A's side of
-- the wire; the SYN,ACKs go to addresses nobody has, and are lost.
local flooded = 0
local function flood(n)
  for _ = 1, n do
    flooded = flooded + 1
    net:inject { from = A, src = "203.0.113." .. (flooded % 250 + 1), sport = 1024 + flooded,
                 dport = 80, seq = 1000 * flooded, flags = "SYN", mss = 1460 }
  end
end
-- How often rule 'id' acted since time 'since' (in a rule event, or a state change's).
local function count_rule(id, since)
  local n = 0
  for _, e in ipairs(sim:trace()) do
    if (e.kind == "rule" or e.kind == "state") and e.rule_id == id and e.t >= since then n = n + 1 end
  end
  return n
end

say("B serves port 80 with listen(fd, 8), SYN cookies off for now (tcp_syncookies 0).")
B.sysctl.tcp_syncookies = 0
local l = B:listen(80, { backlog = 8 })

say("An attacker sends SYNs from forged source addresses. Each one makes B open an embryonic")
say("connection (SYN-RECEIVED), answer with a SYN,ACK, and wait for an ACK that never comes:")
say("the SYN,ACK goes to an address nobody has. Were the address a live host's, that host would")
say("answer the SYN,ACK with a RST and free the place; so attackers forge unused ones.")
flood(20)
sim:run(0.1)
local t = l:tcb()
say("B's SYN queue holds backlog + 1 = " .. (t.backlog + 1) .. " embryonic connections; it now holds "
    .. t.syn_queue .. ".")
expect(t.syn_queue == 9, "the SYN queue is full: " .. t.syn_queue)
expect(count_rule("LISTEN_SYN_QUEUE_FULL", 0) == 11, "the other 11 SYNs were dropped")
say("The other 11 SYNs were dropped unanswered (LISTEN_SYN_QUEUE_FULL), and B keeps sending its")
say("SYN,ACKs into the void: each embryonic connection lives for tcp_synack_retries (63 s).")

say("Now a real client, A, connects. The attacker keeps sending, a few SYNs a second.")
local start = sim.now
local c = A:connect(B, 80)
for _ = 1, 40 do
  flood(1)
  sim:run(0.25)
end
expect_state(c, "SYN_SENT")
local syns = 0
for _, e in ipairs(sim:trace("send")) do
  if e.from == "A" and e.flags == "SYN" and e.text ~= "injected" and e.t >= start then syns = syns + 1 end
end
say("After 10 s A has sent its SYN " .. syns .. " times, and not one was answered: the SYN queue")
say("is full of the attacker's connections. To A, B looks dead. This is the denial of service.")
expect(syns >= 4, "A's SYN and its retransmissions: " .. syns)
for _, e in ipairs(sim:trace("send")) do
  if e.from == "B" and e.t >= start and e.dport == tonumber(c["local"]:match(":(%d+)$")) then
    expect(false, "B answered A")
  end
end

say("Turn SYN cookies on (Linux's default, tcp_syncookies 1). With the SYN queue full, B now")
say("answers every SYN with a SYN cookie: a SYN,ACK whose ISS encodes the connection (a keyed")
say("hash of the addresses, ports and A's ISN, a minute counter, and A's MSS), and keeps nothing.")
B.sysctl.tcp_syncookies = 1
local before = #B:sockets()
local cookie_at = sim.now
for _ = 1, 120 do
  flood(1)
  sim:run(0.25)
  if c.state == "ESTABLISHED" then break end
end
sim:run(0.01) -- A's ACK reaches B
expect_state(c, "ESTABLISHED")
expect(count_rule("LISTEN_SYN_COOKIE", cookie_at) >= 1, "B sent SYN cookies")
expect(count_rule("LISTEN_COOKIE_ACK", cookie_at) == 1, "one cookie came back")
say("A's next SYN got a cookie; A's ACK carried it back (SEG.ACK - 1 = the cookie), B checked it")
say("and only then built the connection: SYN-RECEIVED and ESTABLISHED in the same instant")
say("(LISTEN_COOKIE_ACK, then SYN_RCVD_ACKED). The attacker's SYNs got cookies too, but their")
say("SYN,ACKs went nowhere and cost B no memory: B made exactly one new socket.")
expect(#B:sockets() == before + 1, "one socket made: A's")

local s = l:accept()
expect(s ~= nil, "A's connection waits in the accept queue")
expect(s:tcb().iss == s:tcb().snd_una - 1, "its ISS was the cookie")
say("A cookie's SYN,ACK is never sent again (no timer, no state). The one thing it loses is")
say("options: the peer's MSS survives only as one of 536, 1300, 1440, 1460 (A's 1460 does).")
expect(s:tcb().snd_mss == 1460, "the MSS the cookie kept: " .. s:tcb().snd_mss)
c:send("GET / HTTP/1.0\r\n\r\n")
sim:run(0.1)
expect(s:recv() == "GET / HTTP/1.0\r\n\r\n", "B reads A's request")
expect(l:tcb().syn_queue == 9, "the flood still fills the SYN queue")
say("The connection works like any other, while the flood still fills the SYN queue.")
