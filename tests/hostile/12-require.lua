-- hostile: loading a module
local m = require("os")
m.exit(0)
