# make bench: the performance figures of docs/performance.md, built with -O2 and link-time
# optimization over the library's sources, so calls between the engine's files (wire -> clock,
# input -> output) can be inlined as if they were one file.
BENCH_CFLAGS := $(WARN) -O2 -g -flto=auto $(PKG_CFLAGS)

build/bench: tests/bench/bench.c $(LIB_SRC) $(wildcard include/tcpsim/*.h sim/*.h) tests/mk/bench.mk
	@mkdir -p $(@D)
	@echo "  LTO     $@"
	$(Q)$(CC) $(CPPFLAGS) $(BENCH_CFLAGS) -o $@ tests/bench/bench.c $(LIB_SRC) $(PKG_LIBS) -lm

bench: build/bench build/tcpsim
	@sh tests/bench/run.sh

# Part of make test: the benchmark still builds and does what it measures (a lossy transfer
# delivers every octet, a scenario runs to its end). No speed is asserted here: speed is
# what `make bench` reports.
.PHONY: bench-check
bench-check: build/bench
	@out=$$(./build/bench transfer 2000000 0.01 2) && echo "$$out" | grep -q '"received":2000000,' \
	  || { echo "bench-check: FAIL the transfer did not deliver 2000000 octets: $$out"; exit 1; }; \
	out=$$(./build/bench transfer 2000000 0.01 1 copy) && echo "$$out" | grep -q '"received":2000000,' \
	  || { echo "bench-check: FAIL the copying transfer did not deliver 2000000 octets: $$out"; exit 1; }; \
	out=$$(./build/bench scenario scripts/09-old-duplicate-time-wait.lua 2) && echo "$$out" | grep -q '"status":"done"' \
	  || { echo "bench-check: FAIL the scenario did not run to its end: $$out"; exit 1; }; \
	out=$$(./build/bench conns seq 1000) && echo "$$out" | grep -q '"status":"done"' \
	  && out=$$(./build/bench conns conc 1000) && echo "$$out" | grep -q '"status":"done"' \
	  || { echo "bench-check: FAIL the connection benchmarks did not run to their end: $$out"; exit 1; }; \
	out=$$(./build/bench lua tests/bench/lua-transfer.lua) && echo "$$out" | grep -q '"status":"done"' \
	  || { echo "bench-check: FAIL the 1 GB transfer from Lua did not run to its end: $$out"; exit 1; }; \
	echo "bench-check: the benchmark builds, lossy transfers (zero-copy and copying sends) deliver every octet, a scenario runs, 1,000 connections from Lua run, the 1 GB transfer from Lua runs"

EXTRA_CHECKS += bench-check
