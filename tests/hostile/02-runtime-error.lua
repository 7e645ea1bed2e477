-- hostile: calling a nil value at the top level
local l = B:listen(80)
local t = nil
t.field()
