# A scenario starts paused at time 0: step through its actions, run to its pause, use Lua.
step
step
status
run
=c.state
=A
lua x = 1 + 1
=x
=nosuch.field
back 2
status
continue
status
step
A connect B 80
