# A 60-column terminal: the compact trace, status and ladder; sequence numbers relative to
# each side's ISN.
set width 60
set rel on
set
sysctl B isn 300
B listen 80
A connect B 80 isn=100 lport=40000
run 5ms
accept B1
send A1 "hello"
close A1
step 3
status
ladder
wire
set width 0
set rel off
step
