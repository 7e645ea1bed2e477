-- hostile: the trace copied into a new table again and again; the tables are garbage at once,
-- and building them is C work the instruction limit must charge.
local l = B:listen(80)
local c = A:connect(B, 80)
c:keepalive(true)
A.sysctl.tcp_keepalive_time = 1
A.sysctl.tcp_keepalive_intvl = 1
sim:run(3000)
for i = 1, 1e9 do
  local t = sim:trace { timers = true }
end
