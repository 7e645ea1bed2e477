# make determinism: every bundled scenario (scripts/*.lua) run twice gives byte-identical
# traces (rfc and jsonl) and pcapng captures. Part of make test.
.PHONY: determinism

determinism: build/tcpsim
	@t=$$(mktemp -d); fail=0; n=0; \
	for f in scripts/*.lua; do \
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
	rmdir "$$t"; \
	if [ $$fail = 0 ]; then echo "determinism: $$n scenarios, traces and captures identical across runs"; fi; \
	exit $$fail

EXTRA_CHECKS += determinism
