# make valgrind: every cmocka test, built WITHOUT sanitizers (-O1 -g, objects in build/vg/),
# under valgrind's memcheck; any error or definite leak fails. Slow, so not part of make test.
VG_CFLAGS  = $(WARN) -O1 -g $(PKG_CFLAGS) -MMD -MP
VG_OBJ    := $(LIB_SRC:sim/%.c=build/vg/%.o)
VG_BIN    := $(TEST_SRC:tests/%.c=build/vg/tests/%)
VALGRIND  ?= valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite -q

.PHONY: valgrind

build/vg/%.o: sim/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(VG_CFLAGS) -c $< -o $@

build/vg/libtcpsim.a: $(VG_OBJ)
	$(AR) rcs $@ $^

build/vg/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests $(VG_CFLAGS) $(shell pkg-config --cflags cmocka 2>/dev/null) -c $< -o $@

build/vg/tests/%: build/vg/tests/%.o build/vg/tests/fixture.o build/vg/libtcpsim.a
	$(CC) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS) -lm

valgrind: $(VG_BIN)
	@fail=0; for t in $(VG_BIN); do echo "== valgrind $$t"; \
	  $(VALGRIND) $$t >build/vg/last.log 2>&1 || { fail=1; tail -30 build/vg/last.log; }; \
	  grep -h '^\[  \(PASSED\|FAILED\) *\]' build/vg/last.log | head -2; \
	done; \
	if [ $$fail = 0 ]; then echo "make valgrind: clean"; else echo "make valgrind: FAILED"; exit 1; fi

-include $(VG_OBJ:.o=.d) $(VG_BIN:=.d)
