# make determinism: every bundled scenario (scripts/*.lua) and tests/lua/stable.lua (tables,
# functions and sockets printed, pairs and next over every kind of key, string.format, 2,000
# records sorted by a key with ties) run twice give byte-identical traces (rfc and jsonl) and
# pcapng captures; every hostile script (tests/hostile/*.lua, which fail on purpose) run twice
# with --seed 1 gives byte-identical output, stdout and stderr together. Two processes differ
# in their ASLR layout, in Lua's string hash seed and in the clock table.sort would draw its
# pivots from, so this catches an address, a hash order or a pivot reaching the output
# (sim/lsim_stable.c). Part of make test.
.PHONY: determinism

determinism: build/tcpsim
	@t=$$(mktemp -d); fail=0; n=0; h=0; \
	for f in scripts/*.lua tests/lua/stable.lua; do \
	  n=$$((n + 1)); \
	  for i in 1 2; do \
	    ./build/tcpsim run "$$f" --trace jsonl --pcap "$$t/$$i.pcapng" >"$$t/$$i.jsonl" 2>&1; \
	    ./build/tcpsim run "$$f" --trace rfc >"$$t/$$i.rfc" 2>&1; \
	  done; \
	  for k in jsonl rfc pcapng; do \
	    if ! cmp -s "$$t/1.$$k" "$$t/2.$$k"; then \
	      echo "determinism: FAIL $$f: two runs differ in their $$k output"; fail=1; fi; \
	  done; \
	  rm -f "$$t"/*; \
	done; \
	for f in tests/hostile/*.lua; do \
	  h=$$((h + 1)); \
	  for i in 1 2; do timeout 60 ./build/tcpsim run --seed 1 "$$f" >"$$t/$$i.out" 2>&1; done; \
	  if ! cmp -s "$$t/1.out" "$$t/2.out"; then \
	    echo "determinism: FAIL $$f: two runs differ in their output"; \
	    diff "$$t/1.out" "$$t/2.out" | head -4 | sed 's/^/    /'; fail=1; fi; \
	  rm -f "$$t"/*; \
	done; \
	rmdir "$$t"; \
	if [ $$fail = 0 ]; then echo "determinism: $$n scenarios (traces and captures) and $$h hostile scripts (output) identical across runs"; fi; \
	exit $$fail

EXTRA_CHECKS += determinism
