-- hostile: a plain find over ten megabytes, again and again: no allocation, few VM
-- instructions, all the work in C, which the instruction limit must charge.
local s = string.rep("x", 10000000)
for i = 1, 1e9 do
  s:find("y", 1, true)
end
