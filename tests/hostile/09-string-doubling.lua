-- hostile: a string doubled until memory runs out
local s = "tcp"
while true do
  s = s .. s
end
