-- hostile: a wire that duplicates everything, and a long run: the event limit must stop it
net:set { dup = 1, reorder = 1, delay = 0 }
local l = B:listen(80)
local c = A:connect(B, 80)
c:send(string.rep("x", 100000))
sim:run(1e5)
error("the storm ended")
