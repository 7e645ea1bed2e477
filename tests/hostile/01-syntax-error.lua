-- hostile: a syntax error; the load must fail with this file's name and line 4
local l = B:listen(80)
if l then
  local x = = 1
end
