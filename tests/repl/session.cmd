# The commands a gdb user expects: load, where, list, explain, break on a socket still to
# come, rewind to a segment, back and forward, save.
where
load tests/repl/scenario.lua
where
break B2 ESTABLISHED
step 2
where
list
continue
explain SYN_RCVD
explain close_wait
run
where
rewind #2
wire
back 2
forward 2
forward
save movie x
save ladder /nonexistent/x
