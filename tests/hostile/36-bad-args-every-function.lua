-- hostile: wrong argument types and counts to every function of the API, each inside pcall.
-- Every call must come back (an error or a result), never crash; the script then fails on
-- purpose at its last line.
local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.01)
local s = l:accept()
local co = coroutine.create(function() end)
local values = { nil, true, false, -1, 0, 0 / 0, -math.huge, 2 ^ 63, "", "x", string.rep("y", 10000),
  {}, { from = "C", flags = 12, seq = -5, by = -1 }, function() end, co, A, B, l }
local function calls(owner, name, f)
  local n = 0
  local function try(...)
    n = n + 1
    pcall(f, ...)
  end
  try()
  try(owner)
  for i = 1, #values + 1 do
    local v = values[i] -- values[#values + 1] is nil
    try(owner, v)
    try(v)
    try(owner, v, v)
    try(owner, v, v, v, v, v, v, v, v)
    try(v, owner)
  end
  return n
end
local total = 0
local objects = { net = net, sim = sim, A = A, B = B, socket = c, accepted = s, listener = l }
local names = {}
for oname in pairs(objects) do names[#names + 1] = oname end
table.sort(names) -- never depend on hash order
for _, oname in ipairs(names) do
  local obj = objects[oname]
  for _, fname in ipairs({ "set", "link", "drop", "delay", "dup", "inject", "inflight", "drop_id",
      "delay_id", "dup_id", "rules", "unrule", "config", "step", "trace", "seed", "send", "recv",
      "close", "shutdown", "abort", "accept", "tcb", "keepalive", "listen", "connect", "crash",
      "sockets", "goals", "script", "wait_for", "transfer", "is", "info", "setsockopt", "getsockopt" }) do
    local ok, f = pcall(function() return obj[fname] end)
    if ok and type(f) == "function" then total = total + calls(obj, fname, f) end
  end
end
for _, gname in ipairs({ "expect", "expect_state", "expect_error", "say", "scenario", "sock", "print",
    "expect_segment", "require" }) do
  local f = rawget(_G, gname)
  if type(f) == "function" then total = total + calls(nil, gname, f) end
end
-- the settings tables: wrong types and out-of-range values
for _, key in ipairs({ "isn", "msl", "tcp_fin_timeout", "rcv_buf", "nonexistent", 1, true }) do
  for _, v in ipairs({ "x", -1, 0 / 0, 1e300, {}, true }) do
    pcall(function() A.sysctl[key] = v end)
    pcall(function() return B.sysctl[key] end)
    total = total + 2
  end
end
error(string.format("%d hostile calls returned", total))
