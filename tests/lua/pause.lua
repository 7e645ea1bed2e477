-- pause.lua: pause() stops a driven run with its text, between two steps
local l = B:listen(80)
local c = A:connect(B, 80)
pause("connecting")
sim:run(0.01)
local here = "a local the REPL can read"
pause("connected")
expect(c.state == "ESTABLISHED", "connected after the pause")
