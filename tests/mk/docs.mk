# make docs-check: the reference pages against the code (tests/docs_check.c): docs/rfc-map.md
# has one row per rule of tcp_rules.h, naming the functions that apply it and the tests that
# name it; docs/settings.md one row per setting with both presets' defaults; docs/lua-api.md's
# rule table lists every rule. Part of make test. make rfc-map (or make rule-table) rewrites the
# generated parts: rfc-map.md's last three columns (a new rule's row goes after the rule before
# it, a gone rule's row is removed) and the rule table.
.PHONY: docs-check rfc-map rule-table

build/san/docs_check: tests/docs_check.c build/san/libtcpsim.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(SAN_CFLAGS) -o $@ $< build/san/libtcpsim.a $(PKG_LIBS) -lm

docs-check: build/san/docs_check
	@./build/san/docs_check

rfc-map rule-table: build/san/docs_check
	@./build/san/docs_check --write

EXTRA_CHECKS += docs-check
