-- hostile: 131,070 sockets: the run must end cleanly, its memory bounded (lsim's guard of a
-- million sockets made, each host's nofile, the port space: the loop ends before any of them)
local all = {}
for port = 1, 65535 do
  all[#all + 1] = B:listen(port)
  all[#all + 1] = A:connect(B, port)
end
error("opened " .. #all .. " sockets")
