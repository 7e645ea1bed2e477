-- hostile: unbounded recursion (not a tail call)
local function f(n)
  return 1 + f(n + 1)
end
f(1)
