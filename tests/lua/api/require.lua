-- require: an instructor's helper modules from the scenario's own folder, run once in the
-- same sandbox (globals, limits, the world's PRNG). Run by test_lsim_api.c.
scenario { title = "require: helper modules from the scenario's folder" }
sim:config { seed = 3 }
local h = require("_lib.handshake")
expect(require("_lib.handshake") == h, "a second require returns the same module")
expect(loads == 1, "the module ran once and set a global of the scenario")
expect(type(h.random) == "number", "math.random works inside a module")
local c, s = h.connect(80)
expect(c:is("ESTABLISHED") and s:is("ESTABLISHED"), "the helper's sim:wait_for ran the world")

local function fails(name, pattern)
  local ok, err = pcall(require, name)
  expect(not ok and tostring(err):find(pattern), name .. ": " .. tostring(err))
end
fails("_lib.nothing", "module '_lib.nothing' not found: no file tests/lua/api/_lib/nothing.lua")
fails("../../etc/passwd", "is not a module name")
fails("/etc/passwd", "is not a module name")
fails("_lib..handshake", "is not a module name")
fails("os", "module 'os' not found")
fails("_lib.broken", "tests/lua/api/_lib/broken.lua:3: attempt to index a nil value")
fails("_lib.broken", "tests/lua/api/_lib/broken.lua:3: attempt to index a nil value") -- not a "loop" now
fails("_lib.loop_a", "require '_lib.loop_a': a loop, the module is being loaded already")
