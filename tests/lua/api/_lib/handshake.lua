-- A helper module of the kind an instructor writes once and requires from every lab:
-- required by tests/lua/api/require.lua as require("_lib.handshake").
loads = (loads or 0) + 1 -- a global: the module runs in the scenario's own environment
local M = {}

-- Open a connection from A to B's port and run until both ends are established; returns
-- the client and the accepted server socket.
function M.connect(port)
  local l = B:listen(port)
  local c = A:connect(B, port)
  local s
  sim:wait_for(function() s = s or l:accept(); return s ~= nil end, 1)
  return c, s
end

M.random = math.random(1000) -- the world's PRNG, as the scenario's own calls
return M
