-- A scenario for the REPL's time stops: its own sim:run spans a minute, and `run 0.5`,
-- `until`, `advance` and `break at` must stop inside it at exactly their time.
scenario { title = "time stops", summary = "a close, then a sim:run through TIME-WAIT" }
B.sysctl.isn = 300
local l = B:listen(80)
local c = A:connect(B, 80, { port = 40000, isn = 100 })
sim:run(0.01)
local s = l:accept()
c:close()
s:close()
sim:run(2 * A.sysctl.msl + 1)
say("2MSL has passed: both sockets are gone")
