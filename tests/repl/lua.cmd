# Lua at the prompt: a hint for Lua typed without `lua`, locals kept for the session, tables
# shown with their contents, an unfinished chunk continued on the next lines.
local c = A:connect(B, 80)
c:close()
lua local l = B:listen(80)
lua local c = A:connect(B, 80, { port = 40000 })
=l.state, c.state
lua sim:run(0.01)
=c.state
lua local t = { 1, 2, 3, state = c.state, peer = { host = "B", port = 80 } }
=t
lua t.self = t
=t
lua function count(n)
  local s = 0
  for i = 1, n do s = s + i end
  return s
end
=count(10)
=rawget(_G, "t"), rawget(_G, "count") ~= nil
lua x = = 1
