# make cli-check: the command line as users of GNU tools expect it (tests/cli/options.sh): options
# parsed by getopt_long (--seed=5 and --seed 5 alike), --help and --version, bad values refused
# with status 2 and a message naming the option and the value. Runs the sanitized program.
# Part of make test.
.PHONY: cli-check

cli-check: build/san/tcpsim
	@sh tests/cli/options.sh ./build/san/tcpsim

EXTRA_CHECKS += cli-check
