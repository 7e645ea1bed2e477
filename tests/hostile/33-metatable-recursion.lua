-- hostile: __index chains that recurse without end, in C (the C stack must not overflow)
local t = setmetatable({}, {})
getmetatable(t).__index = function(self, k) return self[k] end
local _ = t.missing
