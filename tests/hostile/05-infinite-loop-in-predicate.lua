-- hostile: a predicate that never returns
local l = B:listen(80)
sim:run_until(function()
  while true do end
end, 10)
