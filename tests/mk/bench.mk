# make bench: the performance figures of docs/performance.md, built with -O2.
BENCH_CFLAGS := $(WARN) -O2 -g $(PKG_CFLAGS)

build/bench: tests/bench/bench.c build/libtcpsim.a
	$(CC) $(CPPFLAGS) $(BENCH_CFLAGS) -o $@ $^ -lm

bench: build/bench build/tcpsim
	@sh tests/bench/run.sh
