-- hostile: compiling code at run time (and binary chunks)
local f = load("return 1")
f()
