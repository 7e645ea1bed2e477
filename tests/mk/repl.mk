# make repl-check: the REPL's transcripts (tests/repl/*.cmd against *.out) and a terminal test
# through tmux. Until sim/main.c dispatches `tcpsim repl`, a two-line driver stands in for it.
build/san/repl_driver: tests/repl/driver.c build/san/libtcpsim.a
	$(CC) $(CPPFLAGS) $(SAN_CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

repl-check: build/san/repl_driver
	@sh tests/repl/run.sh build/san/repl_driver

EXTRA_CHECKS += repl-check
