-- required by tests/lua/api/require.lua: fails while it loads
local x = nil
return x.field
