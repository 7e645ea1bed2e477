-- hostile: sim:run_until called from inside a run_until predicate, and expect from inside too
local l = B:listen(80)
A:connect(B, 80)
sim:run_until(function()
  sim:run_until(function() return false end, 1)
  expect(false, "expectation failed inside a predicate")
  return true
end, 5)
