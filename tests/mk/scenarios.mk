# make scenarios: every scenario of the library (scripts/) passes, run by the batch runner of
# the sanitized program with two workers (each scenario in a fresh Lua state and world, under
# the runner's limits; a worker that crashes costs only its scenario).
# Part of make test.
.PHONY: scenarios

scenarios: build/san/tcpsim
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./build/san/tcpsim test -j2 scripts

EXTRA_CHECKS += scenarios
