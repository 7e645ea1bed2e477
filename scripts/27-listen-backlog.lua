scenario { title = "A full listen backlog",
  summary = "When the backlog is full, Linux drops new SYNs silently; the clients retry until there is room" }

say("B listens with backlog 2 and is slow to call accept().")
local l = B:listen(80, { backlog = 2 })
local c = {}
for i = 1, 3 do c[i] = A:connect(B, 80) end
sim:run(0.5)

say("Two connections complete and wait in the accept queue. The third SYN finds the backlog full:")
say("it is dropped without an answer (3.10.7.2 lets TCP refuse; Linux stays silent so the client retries).")
expect_state(c[1], "ESTABLISHED")
expect_state(c[2], "ESTABLISHED")
expect_state(c[3], "SYN_SENT")
local full = 0
for _, e in ipairs(sim:trace()) do
  if e.kind == "rule" and e.rule_id == "LISTEN_BACKLOG_FULL" then full = full + 1 end
end
expect(full == 1, "one SYN dropped for a full backlog, got " .. full)
local resets = 0
for _, e in ipairs(sim:trace()) do
  if e.kind == "send" and e.from == "B" and e.flags:find("RST", 1, true) then resets = resets + 1 end
end
expect(resets == 0, "no RST: a full backlog is not a refusal")

say("The server accepts one connection, making room. A's SYN is retransmitted 1 s after the first")
say("and now gets in.")
expect(l:accept() ~= nil, "accept the first")
sim:run(1)
expect_state(c[3], "ESTABLISHED")
expect(l:accept() ~= nil and l:accept() ~= nil, "two more ready")
expect(l:accept() == nil, "and no more")
