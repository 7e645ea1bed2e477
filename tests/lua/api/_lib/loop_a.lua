-- required by tests/lua/api/require.lua: requires loop_b, which requires this one again
return { b = require("_lib.loop_b") }
