-- A scenario for the REPL's transcript test: a handshake, a pause, a close.
scenario { title = "repl test", summary = "handshake, pause, close" }
B.sysctl.isn = 300
local l = B:listen(80)
local c = A:connect(B, 80, { port = 40000, isn = 100 })
sim:run(0.01)
pause("the handshake is done")
c:close()
sim:run(0.01)
say("A is in FIN_WAIT_2 now")
