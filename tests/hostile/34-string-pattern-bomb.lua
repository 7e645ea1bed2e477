-- hostile: a pattern match with catastrophic backtracking on a long subject
local subject = string.rep("a", 5000)
local n = 0
while true do
  n = n + 1
  string.find(subject, string.rep("a*", 40) .. "b")
end
