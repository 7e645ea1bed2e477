# make bench-ns3: the transfer of make bench (100 MB A -> B, MSS 1460, 5 ms one way, window
# 65535, no loss) run in ns-3 (tests/bench/ns3/bulk.cc) beside tcpsim, with the ratio.
# Optional: it needs libns3-dev (sudo apt-get install libns3-dev) and a C++ compiler, and looks
# for them only when it runs, so no other target needs ns-3; without them it says so and
# succeeds. Not part of make test.
#   make bench-ns3 [NS3_BYTES=100000000] [NS3_RUNS=3] [NS3_CALLGRIND=1]
# NS3_RUNS: each side runs that many times, the fastest run counts. NS3_CALLGRIND=1 (needs
# valgrind) adds instructions per data segment on a 10 MB transfer, both sides.
NS3_BYTES     ?= 100000000
NS3_RUNS      ?= 3
NS3_CALLGRIND ?=
NS3_MODULES   := ns3-core ns3-network ns3-internet ns3-point-to-point ns3-applications \
                 ns3-traffic-control
# Debian's .pc files (3.37) carry a stray "-I/usr\;" and absolute paths to libgsl.so, which
# only libgsl-dev provides: keep -I, -L and -l (the shared libraries name what they need).
# Expanded only when build/bench-ns3 is built.
NS3_CXXFLAGS   = $(shell pkg-config --cflags $(NS3_MODULES) 2>/dev/null | tr -d ';\\')
NS3_LIBS       = $(filter -L% -l%,$(shell pkg-config --libs $(NS3_MODULES) 2>/dev/null))

.PHONY: bench-ns3

build/bench-ns3: tests/bench/ns3/bulk.cc
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CXX     $@")
	$(Q)$(CXX) -std=c++17 -O2 -Wall -Wextra $(NS3_CXXFLAGS) -o $@ $< $(NS3_LIBS)

bench-ns3:
	$(Q)if ! pkg-config --exists $(NS3_MODULES) 2>/dev/null; then \
	  echo "bench-ns3: ns-3 is not installed, nothing to compare with (sudo apt-get install libns3-dev)"; \
	elif ! command -v $(CXX) >/dev/null 2>&1; then \
	  echo "bench-ns3: no C++ compiler ($(CXX)) to build the ns-3 side (sudo apt-get install g++)"; \
	else \
	  $(MAKE) $(if $(Q),-s) --no-print-directory build/bench build/bench-ns3 && \
	  NS3_BYTES='$(NS3_BYTES)' NS3_RUNS='$(NS3_RUNS)' NS3_CALLGRIND='$(NS3_CALLGRIND)' \
	  NS3_VERSION="$$(pkg-config --modversion ns3-core)" sh tests/bench/ns3/run.sh; \
	fi
