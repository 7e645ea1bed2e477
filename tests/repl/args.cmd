# Bad arguments are errors that say what is wrong, and change nothing.
B listen 80
step 0
next 0
back 0
step 2x
net set A>C loss=1
net set A>A loss=1
net set
advance 1e12
until 1e12
run abc
break seg SYN from C
break seg SYN A>C
break timer rexmit nosuch
break at 0
break B1 LISTEN extra
close
close B1 B2
accept
crash
tcb
A connect A 80
A connect B 80 lprt=5
B listen 81 backlog=x
inject B1 SYN foo=1
clo B1
lis 81
B lis 81
A conn B 80
A status
help conn
st
status
trace 2
