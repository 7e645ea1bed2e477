# A bare world: B listens, A connects, step through the handshake and look around.
B listen 80
A connect B 80 isn=100
sysctl B isn 300
wire
step
why
waiting A1
next
status
tcb A1
st
frobnicate
close Z9
accept B1
send A1 "hello\n"
step
recv B2
trace 3
