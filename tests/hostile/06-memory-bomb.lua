-- hostile: a table that grows without end; the memory limit must stop it
local t = {}
local i = 0
while true do
  i = i + 1
  t[i] = { i, i, i, i, i, i, i, i, tostring(i) }
end
