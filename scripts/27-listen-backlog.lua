scenario { title = "A full listen backlog",
  summary = "listen(fd, 2) holds backlog + 1 = 3 connections; while the accept queue is full Linux drops new SYNs silently, and the client's retry gets in once accept() makes room" }

sim:config { preset = "linux" }

say("B listens with backlog 2 and is slow to call accept(). Four clients connect, one after another.")
local l = B:listen(80, { backlog = 2 })
local c = {}
for i = 1, 4 do
  c[i] = A:connect(B, 80)
  sim:run(0.01)
end
sim:run(0.5)

say("Linux gives a listener two queues: embryonic connections wait in the SYN queue, those that")
say("completed the handshake wait in the accept queue for accept(). Each holds backlog + 1: three")
say("handshakes complete (a Linux 6.18 kernel with listen(fd, 2) holds three as well).")
for i = 1, 3 do expect_state(c[i], "ESTABLISHED") end
say("The fourth SYN finds the accept queue full: dropped without an answer. Not a refusal (no RST):")
say("the client cannot tell it from a lost SYN, and retries. SYN cookies do not help here; they")
say("answer for a full SYN queue, never for a full accept queue.")
expect_state(c[4], "SYN_SENT")
local full = 0
for _, e in ipairs(sim:trace()) do
  if e.kind == "rule" and e.rule_id == "LISTEN_ACCEPT_QUEUE_FULL" then full = full + 1 end
end
expect(full == 1, "one SYN dropped for a full accept queue, got " .. full)
local resets = 0
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "B" and e.flags:find("RST", 1, true) then resets = resets + 1 end
end
expect(resets == 0, "no RST: a full backlog is not a refusal")

say("The server accepts one connection, making room. A's SYN is retransmitted 1 s after the first")
say("and now gets in.")
expect(l:accept() ~= nil, "accept the first")
sim:run(1)
expect_state(c[4], "ESTABLISHED")
for i = 1, 3 do expect(l:accept() ~= nil, "another one ready") end
expect(l:accept() == nil, "and no more")
