-- hostile: loadfile
local f = loadfile("/etc/passwd")
f()
