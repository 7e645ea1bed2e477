-- make bench: a REPL session of a million events (a 330 MB transfer, stepped through by
-- `continue`), at the end of which `bench back` times `back 1`: restoring the nearest
-- checkpoint and replaying from there (sim/repl_ckpt.c), not the million events before.
local l = B:listen(80)
local c = A:connect(B, 80)
sim:run(0.01)
local s = l:accept()
sim:transfer { from = c, to = s, bytes = 330000000 }
