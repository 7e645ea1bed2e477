# make pkt-upstream PACKETDRILL_TESTS=DIR: packetdrill's own scripts (DIR: its gtests/net),
# run unmodified by tcpsim pkt from where they lie, never copied here (tests/pkt/upstream.sh);
# PKT_UPSTREAM_ALL=1 for every script, not only those about connection states. Not part of
# make test: the scripts are not in this tree. The counts go into docs/packetdrill-run.md.
.PHONY: pkt-upstream
PACKETDRILL_TESTS ?=

pkt-upstream: build/tcpsim
	@sh tests/pkt/upstream.sh "$(PACKETDRILL_TESTS)" ./build/tcpsim
