-- hostile: reaching the file system through io
local f = io.open("/etc/passwd")
say(f:read("a"))
