# make linux-check: run our packetdrill scripts (tests/linux/*.pkt and the corpus
# tests/packetdrill/*.pkt) against this machine's Linux kernel, the oracle of the `linux` preset (docs/linux-checks.md). Not part of make test: it
# needs root and a packetdrill binary the project does not build (PACKETDRILL_BIN); without
# them it says so and passes.
.PHONY: linux-check

linux-check:
	@tests/linux/run.sh
