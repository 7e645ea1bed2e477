-- hostile: a runtime error inside a callback the engine calls (the run_until predicate)
local l = B:listen(80)
A:connect(B, 80)
sim:run_until(function()
  local s = l:accept()
  return s.nothing.there -- indexes nil once the socket exists, or nil at once
end, 10)
