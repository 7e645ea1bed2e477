-- hostile: reaching the sandbox through the string metatable and the globals
local mt = getmetatable("")
local idx = mt.__index
assert(idx.dump == nil, "string.dump reachable through the string metatable")
local g = _G
assert(rawget(g, "load") == nil and rawget(g, "require") == nil, "a removed function is back")
error("the sandbox held")
