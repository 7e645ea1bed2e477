where
list
step
step
where
next
status
tcb A1
back 2
where
run
where
step
