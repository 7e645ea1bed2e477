# tcpsim - plain GNU make. Objects in build/, dependencies tracked with -MMD -MP.
#
#   make          libtcpsim.a and the tcpsim program (build/tcpsim)
#   make demo     set up, build, and run a scenario a newcomer learns from
#   make test     set up, then build everything with ASan+UBSan and run every test (with a
#                 few seconds of each fuzz target, built with clang: tests/mk/fuzz.mk)
#   make deps     install missing Debian packages (apt-get, through sudo when not root)
#   make bench    the performance benchmark (-O2 -flto; docs/performance.md)
#   make bench-ns3  the same transfer in ns-3 beside ours, when libns3-dev is installed
#   make clean

CC       ?= cc
PKGS     := lua5.4 readline cmocka
DEBS     := build-essential pkg-config liblua5.4-dev libreadline-dev libcmocka-dev tshark \
            clang libclang-rt-dev
WARN     := -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wswitch-enum -Wvla
PKG_CFLAGS = $(shell pkg-config --cflags lua5.4 readline 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs lua5.4 readline 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)
CPPFLAGS += -Iinclude -Isim -D_POSIX_C_SOURCE=200809L
CFLAGS   ?= -O2 -g
ALL_CFLAGS = $(WARN) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP
# float-cast-overflow: clang's -fsanitize=undefined has it, gcc's does not ("run 1e9h" in the
# REPL converted 3.6e21 ns to int64 unseen by gcc's UBSan: docs/reliability.md)
SAN      := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CFLAGS = $(WARN) -O1 -g $(SAN) $(PKG_CFLAGS) -MMD -MP
# `make V=1` shows the full commands
Q := $(if $(V),,@)

LIB_SRC  := $(filter-out sim/main.c,$(wildcard sim/*.c))
LIB_OBJ  := $(LIB_SRC:sim/%.c=build/obj/%.o)
SAN_OBJ  := $(LIB_SRC:sim/%.c=build/san/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=build/san/tests/%)

.PHONY: all demo test deps check-deps unit scenarios bench clean
.DEFAULT_GOAL := all

all: build/tcpsim

build/libtcpsim.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)$(AR) rcs $@ $^

build/obj/%.o: sim/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

build/tcpsim: build/obj/main.o build/libtcpsim.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# --- set-up -------------------------------------------------------------------------------
# Does nothing when pkg-config finds every library, tshark is on the PATH and clang links a
# libFuzzer target (the fuzz targets are built in make test: libFuzzer's runtime is in
# libclang-rt-dev, which clang only recommends). A fresh machine's package lists are empty,
# so apt-get update runs before apt-get install.
deps:
	@missing=0; \
	for p in $(PKGS); do pkg-config --exists $$p 2>/dev/null || missing=1; done; \
	command -v pkg-config >/dev/null 2>&1 || missing=1; \
	command -v cc >/dev/null 2>&1 || missing=1; \
	command -v tshark >/dev/null 2>&1 || missing=1; \
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n > 1 ? 0 : 0; }\n' | \
	  clang -x c -fsanitize=fuzzer,address,undefined -o /dev/null - >/dev/null 2>&1 || missing=1; \
	if [ $$missing = 1 ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  echo "make deps: installing $(DEBS)"; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBS); \
	else echo "make deps: all dependencies present"; fi

demo: deps
	$(MAKE) --no-print-directory build/tcpsim
	./build/tcpsim run scripts/00-tour.lua

# --- tests (AddressSanitizer + UndefinedBehaviorSanitizer) --------------------------------
build/san/%.o: sim/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC san  $<")
	$(Q)$(CC) $(CPPFLAGS) $(SAN_CFLAGS) -c $< -o $@

build/san/libtcpsim.a: $(SAN_OBJ)
	$(Q)$(AR) rcs $@ $^

build/san/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC san  $<")
	$(Q)$(CC) $(CPPFLAGS) -Itests $(SAN_CFLAGS) $(shell pkg-config --cflags cmocka 2>/dev/null) -c $< -o $@

build/san/tests/%: build/san/tests/%.o build/san/tests/fixture.o build/san/libtcpsim.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(SAN) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS) -lm

build/san/tcpsim: build/san/main.o build/san/libtcpsim.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(SAN) -o $@ $^ $(PKG_LIBS) -lm

test: deps
	$(MAKE) --no-print-directory unit

# Other checks (scenarios, captures, fuzz corpus, ...) come from tests/mk/*.mk: each
# fragment defines a target and appends its name to EXTRA_CHECKS, run after the cmocka tests.
EXTRA_CHECKS :=
include $(sort $(wildcard tests/mk/*.mk))

unit: $(TEST_BIN) build/san/tcpsim
	@export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1; fail=0; \
	for t in $(TEST_BIN); do echo "== $$t"; $$t || fail=1; done; \
	for c in $(EXTRA_CHECKS); do echo "== make $$c"; $(MAKE) --no-print-directory $$c || fail=1; done; \
	if [ $$fail = 0 ]; then echo "make test: all tests passed"; else echo "make test: FAILED"; exit 1; fi

clean:
	rm -rf build

-include $(wildcard build/obj/*.d build/san/*.d build/san/tests/*.d build/*/*/*.d)
.SECONDARY:
