-- hostile: a wrong argument type, not caught: the standard "bad argument" message, this line
A:connect("nowhere", "eighty")
