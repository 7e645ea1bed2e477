-- stable.lua: every way a table's address, Lua's string hash order or table.sort's pivots
-- (drawn from the clock) could reach a trace (sim/lsim_stable.c). make determinism runs it in
-- two processes, with their own ASLR layout and hash seed, and compares the traces byte for
-- byte.
local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.1)
local s = l:accept()
local t, f = {}, function() end
print(t, f, coroutine.running(), net, sim, A.sysctl, c, s)
say(tostring(t) .. " " .. tostring({}) .. " " .. string.format("%s|%-12s|%%|%5.1f", t, f, 2.5))
local words = {}
for i = 1, 40 do words["w" .. (i * 37) % 101] = i end
local order = {}
for k, v in pairs(words) do order[#order + 1] = k .. "=" .. v end
say(table.concat(order, " "))
-- keys of every kind; the objects here are named by address order as pairs meets them
local mixed = { [1.5] = "f", [-3] = "i", x = "s", [true] = "b", [{}] = "t1", [{}] = "t2",
  [function() end] = "fn", [c] = "sock", [coroutine.create(print)] = "co" }
order = {}
for k, v in pairs(mixed) do order[#order + 1] = tostring(k) .. "=" .. v end
say(table.concat(order, " "))
order = {}
local k, v = next(words)
while k ~= nil do order[#order + 1] = k; k, v = next(words, k) end
say(table.concat(order, " "))
local tcb = c:tcb()
order = {}
for name, value in pairs(tcb) do order[#order + 1] = name .. "=" .. tostring(value) end
say(table.concat(order, " "))
local ev = sim:trace("state")[1]
order = {}
for name in pairs(ev) do order[#order + 1] = name end
say(table.concat(order, " "))
-- table.sort: 2,000 records, ten to a key, keys descending. Lua's quicksort picked pivots from
-- the clock for such a list and printed the ties in another order on every run.
local recs = {}
for i = 1, 2000 do recs[i] = { t = (2000 - i) // 10, id = i } end
local calls = 0
table.sort(recs, function(a, b) calls = calls + 1; return a.t < b.t end)
say("table.sort: " .. calls .. " comparator calls")
for i = 1, #recs, 200 do
  order = {}
  for j = i, i + 199 do order[#order + 1] = recs[j].t .. ":" .. recs[j].id end
  say(table.concat(order, " "))
end
