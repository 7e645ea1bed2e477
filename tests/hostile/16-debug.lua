-- hostile: debug.sethook would remove the instruction limit
debug.sethook()
while true do end
