-- hostile: running a command through os
os.execute("echo escaped > /tmp/tcpsim-escaped")
