# Close, break on a state and on a segment, drop a FIN, watch TIME-WAIT, go back in time.
sysctl B isn 300
B listen 80
A connect B 80 isn=100
run
accept B1
break B2 CLOSE_WAIT
break seg FIN from B
info break
close A1
continue
waiting B2
close B2
wire
drop 6
continue
why A1
waiting B2
continue
status
waiting A1
rewind 0.1
status
delete 2
info break
advance 61s
status
back 1
status
