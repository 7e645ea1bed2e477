-- goals_student.lua: a student's scenario, graded by goals.lua
local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.1)
local s = l:accept()
c:close()
sim:run(0.1)
