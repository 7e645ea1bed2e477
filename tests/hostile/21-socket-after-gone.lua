-- hostile: using sockets after their connection is gone (closed, reset, crashed host)
local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.01)
local s = l:accept()
c:abort()
sim:run(0.01)
l:close()
A:crash()
B:crash()
sim:run(200)
for _, sock in ipairs({ c, s, l }) do
  pcall(sock.send, sock, "after the end")
  pcall(sock.recv, sock)
  pcall(sock.close, sock)
  pcall(sock.shutdown, sock)
  pcall(sock.abort, sock)
  pcall(sock.accept, sock)
  pcall(sock.tcb, sock)
  pcall(sock.keepalive, sock, true)
  local _ = sock.state, sock.error
end
c:send("one more time") -- whatever this returns, the script then fails on the next line
error("sockets of vanished connections answered cleanly")
