# make docs-check: docs/rfc-map.md has one row per rule of tcp_rules.h, naming the functions
# that apply it and the tests that name it; docs/settings.md has one row per setting with both
# presets' defaults (tests/docs_check.c). Part of make test. make rfc-map rewrites rfc-map.md's
# generated columns, and adds the row of a new rule after the rule before it.
.PHONY: docs-check rfc-map

build/san/docs_check: tests/docs_check.c build/san/libtcpsim.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(SAN_CFLAGS) -o $@ $< build/san/libtcpsim.a $(PKG_LIBS) -lm

docs-check: build/san/docs_check
	@./build/san/docs_check

rfc-map: build/san/docs_check
	@./build/san/docs_check --write

EXTRA_CHECKS += docs-check
