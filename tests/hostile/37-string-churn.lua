-- hostile: a megabyte string made and dropped again and again. Memory never fills (each is
-- garbage at once) and the loop runs a handful of VM instructions a turn: the work is in Lua's
-- C string code, which the instruction limit must charge. (Found by tests/fuzz/fuzz_lua.c.)
for i = 1, 1e9 do
  local s = string.rep("x", 1000000)
end
