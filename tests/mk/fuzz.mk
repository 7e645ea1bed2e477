# The fuzz targets (docs/reliability.md), each a libFuzzer entry point in tests/fuzz/fuzz_T.c:
#   tcp    segments, calls, clock and wire against the engine, with invariant checks
#   repl   command lines typed at the REPL's prompt
#   lua    calls of the Lua API with arguments of every type, generated from the input
#   pkt    packetdrill scripts, parsed and run (tcpsim pkt)
# Each has a seed corpus (tests/fuzz/corpus for tcp, tests/fuzz/corpus-T for the others) and a
# folder of saved crashes (tests/fuzz/crashes, tests/fuzz/crashes-T).
#
#   make fuzz            every target for FUZZ_TIME seconds (60) under libFuzzer, built with
#                        clang and ASan+UBSan; make fuzz-T for one. New inputs go to
#                        build/fuzz/corpus-T, crashes to the target's crash folder.
#   make fuzz-merge-T    copy the new inputs that add coverage into the seed corpus
#   make fuzz-replay     (part of make test) the seed corpora and the fixed crashes, replayed
#                        with gcc and the same sanitizers, without libFuzzer
#   make fuzz-smoke      (part of make test) builds every target with clang and libFuzzer and
#                        fuzzes each for FUZZ_SMOKE_TIME seconds (4): a target that no longer
#                        builds, or a crash found in those seconds, fails the test
FUZZ_CC    ?= clang
FUZZ_TIME  ?= 60
FUZZ_JOBS  ?= 1
FUZZ_SMOKE_TIME ?= 4
FUZZ_TARGETS := tcp repl lua pkt
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = $(WARN) -O1 -g $(FUZZ_SAN) $(PKG_CFLAGS) -MMD -MP
FUZZ_OBJ   := $(LIB_SRC:sim/%.c=build/fuzz/%.o)
FUZZ_ARGS  := -max_len=4096 -timeout=20 -rss_limit_mb=2048

FUZZ_CORPUS_tcp  := tests/fuzz/corpus
FUZZ_CORPUS_repl := tests/fuzz/corpus-repl
FUZZ_CORPUS_lua  := tests/fuzz/corpus-lua
FUZZ_CORPUS_pkt  := tests/fuzz/corpus-pkt
FUZZ_CRASHES_tcp  := tests/fuzz/crashes
FUZZ_CRASHES_repl := tests/fuzz/crashes-repl
FUZZ_CRASHES_lua  := tests/fuzz/crashes-lua
FUZZ_CRASHES_pkt  := tests/fuzz/crashes-pkt
# The REPL target bounds the work of an input by standing in for two of the REPL's functions
# (see tests/fuzz/fuzz_repl.c).
FUZZ_LDFLAGS_repl := -Wl,--wrap=repl_interrupted -Wl,--wrap=lsim_new
FUZZ_DICT_repl := -dict=tests/fuzz/repl.dict
FUZZ_DICT_pkt := -dict=tests/fuzz/pkt.dict

.PHONY: fuzz fuzz-replay fuzz-smoke $(FUZZ_TARGETS:%=fuzz-%) $(FUZZ_TARGETS:%=fuzz-merge-%)

build/fuzz/%.o: sim/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC fuzz $<")
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzz/libtcpsim.a: $(FUZZ_OBJ)
	$(Q)$(AR) rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h build/fuzz/libtcpsim.a
	@$(if $(Q),echo "  FUZZER  $@")
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    build/fuzz/libtcpsim.a $(FUZZ_LDFLAGS_$*) $(PKG_LIBS) -lm

fuzz: $(FUZZ_TARGETS:%=fuzz-%)

$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: build/fuzz/fuzz_%
	@mkdir -p build/fuzz/corpus-$* $(FUZZ_CRASHES_$*)
	./build/fuzz/fuzz_$* $(FUZZ_ARGS) $(FUZZ_DICT_$*) -artifact_prefix=$(FUZZ_CRASHES_$*)/ \
	    -max_total_time=$(FUZZ_TIME) -jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) \
	    build/fuzz/corpus-$* $(FUZZ_CORPUS_$*)

$(FUZZ_TARGETS:%=fuzz-merge-%): fuzz-merge-%: build/fuzz/fuzz_%
	./build/fuzz/fuzz_$* $(FUZZ_ARGS) -merge=1 $(FUZZ_CORPUS_$*) build/fuzz/corpus-$*

# Part of make test (tests/fuzz/smoke.sh): every target built and fuzzed a few seconds.
fuzz-smoke: $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
	@fail=0; \
	$(foreach t,$(FUZZ_TARGETS),sh tests/fuzz/smoke.sh $t $(FUZZ_SMOKE_TIME) $(FUZZ_CORPUS_$t) \
	    $(FUZZ_CRASHES_$t) $(FUZZ_DICT_$t) || fail=1;) \
	exit $$fail

build/san/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC san  $<")
	$(Q)$(CC) $(CPPFLAGS) $(SAN_CFLAGS) -c $< -o $@

build/san/fuzz/replay-%: build/san/fuzz/replay.o build/san/fuzz/fuzz_%.o build/san/libtcpsim.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(SAN) -o $@ $^ $(FUZZ_LDFLAGS_$*) $(PKG_LIBS) -lm

# Crashes are kept in each target's crash folder: NAME.open while the bug is open, NAME.fixed
# once fixed, then replayed as regression inputs. While an .open input still crashes, that
# target's corpus replay is skipped (nearly every input passes through the same code).
fuzz-replay: $(FUZZ_TARGETS:%=build/san/fuzz/replay-%)
	@export ASAN_OPTIONS=detect_leaks=1; fail=0; \
	$(foreach t,$(FUZZ_TARGETS),sh tests/fuzz/replay.sh $t $(FUZZ_CORPUS_$t) $(FUZZ_CRASHES_$t) || fail=1;) \
	exit $$fail

EXTRA_CHECKS += fuzz-replay fuzz-smoke
-include $(FUZZ_OBJ:.o=.d) $(FUZZ_TARGETS:%=build/fuzz/fuzz_%.d) build/san/fuzz/*.d
