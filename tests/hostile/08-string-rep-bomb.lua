-- hostile: string.rep asked for a petabyte
local s = string.rep("x", 1 << 50)
say(#s)
