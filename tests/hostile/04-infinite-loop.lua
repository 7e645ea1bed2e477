-- hostile: a loop that never ends; the instruction limit must stop it
local n = 0
while true do
  n = n + 1
end
