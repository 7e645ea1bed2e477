-- hostile: error objects that are not strings (a table, nil, a level-0 string without position)
local ok = pcall(error, { code = 1 })
assert(not ok)
error(setmetatable({}, { __tostring = function() error("tostring fails too") end }))
