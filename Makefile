# tcpsim - plain GNU make. Objects in build/, dependencies tracked with -MMD -MP.
#
#   make          libtcpsim.a and the tcpsim program (build/tcpsim)
#   make demo     set up, build, and run a scenario a newcomer learns from
#   make test     set up, then build everything with ASan+UBSan and run every test (with a
#                 few seconds of each fuzz target, built with clang: tests/mk/fuzz.mk)
#   make deps     install missing Debian packages (apt-get, through sudo when not root);
#                 make test-deps adds those only the tests need
#   make bench    the performance benchmark (-O2 -flto; docs/performance.md)
#   make bench-ns3  the same transfer in ns-3 beside ours, when libns3-dev is installed
#   make install [PREFIX=/usr/local] [DESTDIR=...]   and make uninstall (see below)
#   make clean

CC       ?= cc
PKGS     := lua5.4 readline cmocka
DEBS     := build-essential pkg-config liblua5.4-dev libreadline-dev libcmocka-dev tshark
# Only make test needs these (make cli-check renders the man pages; the fuzz targets build with
# clang, whose libFuzzer runtime is in libclang-rt-dev, which clang only recommends; make
# html-check drives headless chromium from python3; make repl-check drives a terminal through
# tmux), so make demo stays light.
TEST_DEBS := groff-base man-db clang libclang-rt-dev chromium python3 tmux
WARN     := -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wswitch-enum -Wvla
PKG_CFLAGS = $(shell pkg-config --cflags lua5.4 readline 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs lua5.4 readline 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)
CPPFLAGS += -Iinclude -Isim -Ibuild/gen -D_POSIX_C_SOURCE=200809L
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

.PHONY: all demo test deps test-deps check-deps unit scenarios bench clean install uninstall
.DEFAULT_GOAL := all

all: build/tcpsim

build/libtcpsim.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)$(AR) rcs $@ $^

build/obj/%.o: sim/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

# The web page's own files (out_html.c), embedded as byte arrays: every build of
# out_html_assets.c (here, sanitized, fuzz, valgrind, bench) waits for them.
HTML_ASSETS := sim/html/page.css sim/html/page.html sim/html/model.js sim/html/views.js sim/html/page.js
build/gen/html_assets.inc: $(HTML_ASSETS) sim/html/embed.sh
	@mkdir -p $(@D)
	$(Q)sh sim/html/embed.sh $(HTML_ASSETS) >$@.tmp && mv $@.tmp $@

build/tcpsim: build/obj/main.o build/libtcpsim.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# --- set-up -------------------------------------------------------------------------------
# Does nothing when pkg-config finds every library and tshark is on the PATH. A fresh machine's
# package lists are empty, so apt-get update runs before apt-get install. test-deps adds what
# only the tests need (TEST_DEBS), when groff, man, python3 or chromium is missing or clang
# does not link a libFuzzer program; after deps, so that two apt-get never run at once under make -j.
deps:
	@missing=0; \
	for p in $(PKGS); do pkg-config --exists $$p 2>/dev/null || missing=1; done; \
	command -v pkg-config >/dev/null 2>&1 || missing=1; \
	command -v cc >/dev/null 2>&1 || missing=1; \
	command -v tshark >/dev/null 2>&1 || missing=1; \
	if [ $$missing = 1 ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  echo "make deps: installing $(DEBS)"; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBS); \
	else echo "make deps: all dependencies present"; fi

test-deps: deps
	@missing=0; \
	command -v groff >/dev/null 2>&1 || missing=1; \
	command -v man >/dev/null 2>&1 || missing=1; \
	command -v python3 >/dev/null 2>&1 || missing=1; \
	command -v chromium >/dev/null 2>&1 || missing=1; \
	command -v tmux >/dev/null 2>&1 || missing=1; \
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n > 1 ? 0 : 0; }\n' | \
	  clang -x c -fsanitize=fuzzer,address,undefined -o /dev/null - >/dev/null 2>&1 || missing=1; \
	if [ $$missing = 0 ]; then :; else \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  echo "make test-deps: installing $(TEST_DEBS)"; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(TEST_DEBS); fi

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

test: test-deps
	$(MAKE) --no-print-directory unit

# Other checks (scenarios, captures, fuzz corpus, ...) come from tests/mk/*.mk: each
# fragment defines a target and appends its name to EXTRA_CHECKS, run after the cmocka tests.
EXTRA_CHECKS :=
include $(sort $(wildcard tests/mk/*.mk))

unit: $(TEST_BIN) build/san/tcpsim
	@export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1; failed=; \
	for t in $(TEST_BIN); do echo "== $$t"; $$t || failed="$$failed $${t##*/}"; done; \
	for c in $(EXTRA_CHECKS); do echo "== make $$c"; $(MAKE) --no-print-directory $$c || failed="$$failed $$c"; done; \
	if [ -z "$$failed" ]; then echo "make test: all tests passed"; else echo "make test: FAILED:$$failed"; exit 1; fi

clean:
	rm -rf build

# --- install --------------------------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=...]: the program, libtcpsim.a with its headers
# (include/tcpsim/) and a pkg-config file (tcpsim.pc) for C programs, the scenario library
# (scripts/ to share/tcpsim/scripts, where `tcpsim demo` and `tcpsim test` find it), the man
# pages tcpsim(1) and tcpsim-lua(7), bash completion, and the documentation (README, docs/ and
# its pictures, docs/img/).
# DESTDIR stages the files for a package; PREFIX is where they will live, and is what
# tcpsim.pc and the man pages' paths name. make uninstall removes the same files.
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
DATADIR      ?= $(PREFIX)/share
MANDIR       ?= $(DATADIR)/man
DOCDIR       ?= $(DATADIR)/doc/tcpsim
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR  ?= $(DATADIR)/bash-completion/completions
INSTALL      ?= install
VERSION      := $(shell sed -n 's/.*TCPSIM_VERSION "\(.*\)"/\1/p' include/tcpsim/tcpsim.h)
INST_HDR     := $(notdir $(wildcard include/tcpsim/*.h))
INST_LUA     := $(notdir $(wildcard scripts/*.lua))
INST_DOC     := $(notdir $(wildcard docs/*.md))
INST_IMG     := $(notdir $(wildcard docs/img/*.png))
# The man pages are written for PREFIX=/usr/local; installed, they name the real folders.
INST_MAN_SED := sed -e 's|/usr/local/share/doc/tcpsim|$(DOCDIR)|g' -e 's|/usr/local/share|$(DATADIR)|g'
# tcpsim.pc's folders relative to ${prefix} when they are under it, so pkg-config's
# --define-variable=prefix=... can move them.
pc_dir = $(patsubst $(PREFIX)%,$${prefix}%,$(1))

install: build/tcpsim build/libtcpsim.a
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/tcpsim \
	    $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(DATADIR)/tcpsim/scripts $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DOCDIR)/img
	$(INSTALL) -m 755 build/tcpsim $(DESTDIR)$(BINDIR)/tcpsim
	$(INSTALL) -m 644 build/libtcpsim.a $(DESTDIR)$(LIBDIR)/libtcpsim.a
	$(INSTALL) -m 644 $(addprefix include/tcpsim/,$(INST_HDR)) $(DESTDIR)$(INCLUDEDIR)/tcpsim
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(call pc_dir,$(LIBDIR))' \
	    'includedir=$(call pc_dir,$(INCLUDEDIR))' '' 'Name: tcpsim' \
	    'Description: TCP state-machine teaching simulator (RFC 9293): engine, Lua scenarios, REPL' \
	    'Version: $(VERSION)' 'Requires: lua5.4 readline' 'Libs: -L$${libdir} -ltcpsim -lm' \
	    'Cflags: -I$${includedir}' >$(DESTDIR)$(PKGCONFIGDIR)/tcpsim.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/tcpsim.pc
	$(INSTALL) -m 644 $(addprefix scripts/,$(INST_LUA)) $(DESTDIR)$(DATADIR)/tcpsim/scripts
	$(INST_MAN_SED) docs/man/tcpsim.1 >$(DESTDIR)$(MANDIR)/man1/tcpsim.1
	$(INST_MAN_SED) docs/man/tcpsim-lua.7 >$(DESTDIR)$(MANDIR)/man7/tcpsim-lua.7
	chmod 644 $(DESTDIR)$(MANDIR)/man1/tcpsim.1 $(DESTDIR)$(MANDIR)/man7/tcpsim-lua.7
	$(INSTALL) -m 644 docs/completion/tcpsim.bash $(DESTDIR)$(BASHCOMPDIR)/tcpsim
	$(INSTALL) -m 644 README.md LICENSE $(addprefix docs/,$(INST_DOC)) $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 644 $(addprefix docs/img/,$(INST_IMG)) $(DESTDIR)$(DOCDIR)/img

# Only what install put there; the folders that are tcpsim's own go too when they are empty.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tcpsim $(DESTDIR)$(LIBDIR)/libtcpsim.a \
	    $(addprefix $(DESTDIR)$(INCLUDEDIR)/tcpsim/,$(INST_HDR)) $(DESTDIR)$(PKGCONFIGDIR)/tcpsim.pc \
	    $(addprefix $(DESTDIR)$(DATADIR)/tcpsim/scripts/,$(INST_LUA)) \
	    $(DESTDIR)$(MANDIR)/man1/tcpsim.1 $(DESTDIR)$(MANDIR)/man7/tcpsim-lua.7 \
	    $(DESTDIR)$(BASHCOMPDIR)/tcpsim \
	    $(addprefix $(DESTDIR)$(DOCDIR)/,README.md LICENSE $(INST_DOC)) $(addprefix $(DESTDIR)$(DOCDIR)/img/,$(INST_IMG))
	rmdir $(DESTDIR)$(INCLUDEDIR)/tcpsim $(DESTDIR)$(DATADIR)/tcpsim/scripts $(DESTDIR)$(DATADIR)/tcpsim \
	    $(DESTDIR)$(DOCDIR)/img $(DESTDIR)$(DOCDIR) 2>/dev/null || :

$(foreach d,obj san fuzz vg,build/$(d)/out_html_assets.o) build/bench: build/gen/html_assets.inc

-include $(wildcard build/obj/*.d build/san/*.d build/san/tests/*.d build/*/*/*.d)
.SECONDARY:
