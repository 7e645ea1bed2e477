-- hostile: thousands of sockets; the socket limit (or the port space) must stop it
local all = {}
for port = 1, 65535 do
  all[#all + 1] = B:listen(port)
  all[#all + 1] = A:connect(B, port)
end
error("opened " .. #all .. " sockets")
