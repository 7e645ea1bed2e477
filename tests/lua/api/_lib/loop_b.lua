-- required by tests/lua/api/_lib/loop_a.lua
return { a = require("_lib.loop_a") }
