# make bench: the performance figures of docs/performance.md, built with -O2 and link-time
# optimization over the library's sources, so calls between the engine's files (wire -> clock,
# input -> output) can be inlined as if they were one file.
BENCH_CFLAGS := $(WARN) -O2 -g -flto=auto $(PKG_CFLAGS)

build/bench: tests/bench/bench.c $(LIB_SRC) $(wildcard include/tcpsim/*.h sim/*.h)
	@mkdir -p $(@D)
	@echo "  LTO     $@"
	$(Q)$(CC) $(CPPFLAGS) $(BENCH_CFLAGS) -o $@ tests/bench/bench.c $(LIB_SRC) $(PKG_LIBS) -lm

bench: build/bench build/tcpsim
	@sh tests/bench/run.sh
