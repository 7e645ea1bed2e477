# make pkt-corpus: tcpsim pkt runs our packetdrill corpus, tests/packetdrill/*.pkt (each also
# checked on a Linux kernel by make linux-check); every script must pass.
# make pkt-roundtrip: every scenario of scripts/ exported from each endpoint (tcpsim run
# --packetdrill) and run back through tcpsim pkt (tests/packetdrill/roundtrip.sh): each passes
# unless its header says what packetdrill cannot express.
# Both are part of make test (docs/packetdrill.md).
.PHONY: pkt-corpus pkt-roundtrip

pkt-corpus: build/san/tcpsim
	@out=$$(ASAN_OPTIONS=detect_leaks=1 ./build/san/tcpsim pkt tests/packetdrill/*.pkt 2>&1); rc=$$?; \
	printf '%s\n' "$$out" | grep -v -e ': warning: ' -e '^$$'; \
	echo "pkt-corpus: $$(ls tests/packetdrill/*.pkt | wc -l) scripts, tcpsim pkt exit status $$rc"; [ $$rc = 0 ]

pkt-roundtrip: build/san/tcpsim
	@ASAN_OPTIONS=detect_leaks=1 sh tests/packetdrill/roundtrip.sh ./build/san/tcpsim

EXTRA_CHECKS += pkt-corpus pkt-roundtrip
