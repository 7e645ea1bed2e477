-- hostile: dofile
dofile("/etc/passwd")
