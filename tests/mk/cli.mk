# make cli-check: the command line as users of GNU tools expect it, on the sanitized program.
#   tests/cli/options.sh   options parsed by getopt_long (--seed=5 and --seed 5 alike), --help
#                          and --version, bad values refused with status 2 and a message
#                          naming the option and the value
#   tests/cli/docs.sh      the man pages (docs/man/) render without warnings and describe every
#                          option, REPL command and Lua API name
#   tests/cli/complete.sh  the bash completion (docs/completion/tcpsim.bash) parses, registers
#                          itself and completes commands, options, values and files
# make install-check: make install and make uninstall, round trip, with DESTDIR and with a
# PREFIX; a C program built with pkg-config against the installed library (tests/cli/install.sh).
# Both are part of make test.
.PHONY: cli-check install-check

cli-check: build/san/tcpsim
	@sh tests/cli/options.sh ./build/san/tcpsim
	@ASAN_OPTIONS=detect_leaks=1 sh tests/cli/docs.sh ./build/san/tcpsim
	@ASAN_OPTIONS=detect_leaks=1 bash tests/cli/complete.sh docs/completion/tcpsim.bash ./build/san/tcpsim

install-check: build/tcpsim build/libtcpsim.a
	@MAKE='$(MAKE)' sh tests/cli/install.sh

EXTRA_CHECKS += cli-check install-check
