# status with many sockets: ss -s style counts, and filters to list the few one is after
B listen 80
lua cs = {} for i = 1, 11 do cs[i] = A:connect(B, 80) end
run 0.01
lua for i = 1, 4 do cs[i]:close() end
run 0.01
status
status FIN_WAIT2
status close_wait b
status port 80
status A5
status port 32770 all
status summary
status frobnicate
status port
status port 70000
