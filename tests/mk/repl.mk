# make repl-check: the REPL's transcripts (tests/repl/*.cmd against *.out, a scenario *.lua
# beside a .cmd is loaded with it) and a terminal test through tmux, on the sanitized program.
repl-check: build/san/tcpsim
	@sh tests/repl/run.sh build/san/tcpsim repl

EXTRA_CHECKS += repl-check
