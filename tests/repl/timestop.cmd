# Every time stop stops at exactly its time, also inside the scenario's own sim:run(61),
# which then goes on where it was.
run 0.5
status
until 0.75
advance 0.25
break at 1.5
continue
info break
delete
run 30
back 1
continue
status
