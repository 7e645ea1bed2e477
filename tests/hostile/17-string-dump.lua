-- hostile: string.dump, the way to binary chunks
local code = string.dump(function() return 1 end)
say(#code)
