-- hostile: table.unpack and string.rep with huge counts and separators
pcall(table.unpack, {}, 1, 1 << 40)
pcall(string.rep, "ab", 1 << 30, string.rep("c", 1 << 20))
local s = table.concat(setmetatable({}, { __index = function() return "x" end }), "", 1, 1 << 40)
say(#s)
