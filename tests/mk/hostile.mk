# make hostile: the hostile Lua scenarios of tests/hostile (syntax and runtime errors, endless
# loops, memory and string bombs, sandbox escapes, bad arguments, coroutine and pcall tricks)
# each end with exit status 1 and a message naming the file and line, with no sanitizer report,
# and the batch runner goes through all of them. Runs the sanitized program build/san/tcpsim.
.PHONY: hostile

hostile: build/san/tcpsim
	@sh tests/hostile/check.sh ./build/san/tcpsim tests/hostile

EXTRA_CHECKS += hostile
