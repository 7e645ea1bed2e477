# make html-check: the web pages of runs (issue #18) in a real browser, headless Chromium,
# driven over the DevTools protocol by tests/html/check.py (Python 3 stdlib; tests/html/cdp.py):
# every scenario of the library exports, each page under 1 MB; from the page's DOM after its
# JavaScript ran, the state shown per socket at every state change equals the JSON trace's, the
# ladder has one arrow per segment, the console shows no error; the controls (buttons, keys,
# slider, trace lines, play) move the cursor; tcpsim test --html writes the pages and an index.
# Screenshots of two pages are kept in build/html/ (01-handshake.png, 25-lossy-transfer.png).
# Three packetdrill scripts of tests/linux/ go through tcpsim pkt --html and the same checks.
# Part of make test (make test-deps installs chromium and python3).
.PHONY: html-check
HTML_PKT := tests/linux/close-data-after-close-fin-wait-1.pkt tests/linux/close-keepalive-give-up-rst-ack.pkt \
            tests/linux/challenge-ack-ratelimit.pkt

html-check: build/san/tcpsim
	@rm -rf build/html/test
	@ASAN_OPTIONS=detect_leaks=1 python3 tests/html/check.py ./build/san/tcpsim build/html $(sort $(wildcard scripts/*.lua)) \
	    $(HTML_PKT)

EXTRA_CHECKS += html-check
