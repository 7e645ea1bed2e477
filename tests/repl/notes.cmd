# Messages in plain words first and the rule id after; what status and why tell about the
# accept queue, a refused connect, a port pair taken over from TIME-WAIT and an RST that cuts
# TIME-WAIT short (TIME-WAIT assassination).
sysctl A isn 100
sysctl B isn 300
B listen 80
A connect B 81
run
status
A connect B 80 lport=40000
step
status
run
status
accept B1
status
close A2
run 0.01
close B2
run 0.01
status
A connect B 80 lport=40000 reuse
why A2
run 0.01
accept B1
close A3
run 0.01
close B3
run 0.01
status
inject B3 RST
step
why A3
back 2
