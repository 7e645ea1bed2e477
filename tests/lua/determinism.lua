-- determinism.lua: a lossy transfer whose every choice comes from the seeded PRNG
-- (ISNs, loss, jitter, math.random); two runs with the same seed must trace the same bytes.
net:set { delay = 0.02, jitter = 0.01, loss = 0.1 }
local l = B:listen(80)
local c = A:connect(B, 80)
local s
sim:run_until(function() s = s or l:accept(); return s ~= nil end, 30)
local chunk = string.rep("x", math.random(100, 2000))
for _ = 1, 20 do c:send(chunk) end
say("random " .. math.random(1, 1000000))
sim:run(30)
local got = 0
while true do
  local d = s:recv()
  if not d or d == "" then break end
  got = got + #d
end
expect(got == 20 * #chunk, "every byte arrived: " .. got)
