# make bench: the performance figures of docs/performance.md, built with -O2 and link-time
# optimization over the engine's sources (the benchmark links only the engine: no Lua, no
# readline), so calls between the engine's files (wire -> clock, input -> output) can be
# inlined as if they were one file.
BENCH_CFLAGS := $(WARN) -O2 -g -flto $(PKG_CFLAGS)
BENCH_SRC := $(filter sim/clk.c sim/rng.c sim/seg.c sim/trace.c sim/world.c sim/wire.c sim/tcp_%.c,$(LIB_SRC))

build/bench: tests/bench/bench.c $(BENCH_SRC) $(wildcard include/tcpsim/*.h sim/*.h)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(BENCH_CFLAGS) -o $@ tests/bench/bench.c $(BENCH_SRC) -lm

bench: build/bench build/tcpsim
	@sh tests/bench/run.sh
