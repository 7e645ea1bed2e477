# make rule-table-check: docs/lua-api.md's table of every rule id and what it means (for
# rule_id checks and rule = "..." goals) lists the rules of include/tcpsim/tcp_rules.h, in
# its order (tests/rule_table.c). Part of make test. make rule-table rewrites the table.
.PHONY: rule-table-check rule-table

build/san/rule_table: tests/rule_table.c build/san/libtcpsim.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(SAN_CFLAGS) -o $@ $< build/san/libtcpsim.a $(PKG_LIBS) -lm

rule-table-check: build/san/rule_table
	@./build/san/rule_table

rule-table: build/san/rule_table
	@./build/san/rule_table --write

EXTRA_CHECKS += rule-table-check
