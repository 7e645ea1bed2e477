#!/bin/sh
# tests/cli/docs.sh PROGRAM - the man pages (docs/man/) against the program (make cli-check):
#   - each renders without a single warning (groff -man -ww; man -l --warnings), and its NAME
#     line is one apropos can index (lexgrog);
#   - each names the version of include/tcpsim/tcpsim.h in its title line;
#   - tcpsim(1) describes every long option of every command's --help, and every command of
#     the REPL's `help` (as a tagged paragraph whose tag starts with the command);
#   - tcpsim-lua(7) has an entry (a tagged paragraph naming it) for every name of the headings
#     of docs/lua-api.md, the full reference.
set -u
bin=${1:-./build/san/tcpsim}
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
man1=docs/man/tcpsim.1
man7=docs/man/tcpsim-lua.7
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
bad() { echo "man: FAIL $*"; fail=1; }

for tool in groff man lexgrog; do
    command -v $tool >/dev/null 2>&1 || { echo "man: FAIL $tool is not installed (make deps installs groff-base and man-db)"; exit 1; }
done

version=$(sed -n 's/^#define TCPSIM_VERSION "\(.*\)"/\1/p' include/tcpsim/tcpsim.h)
for page in "$man1" "$man7"; do
    groff -man -Tutf8 -ww -z "$page" >"$t/warn" 2>&1 || bad "$page: groff failed"
    [ -s "$t/warn" ] && { bad "$page: groff -man -ww warns:"; sed 's/^/    /' "$t/warn"; }
    MANWIDTH=80 man --warnings -l "$page" >/dev/null 2>"$t/warn" || bad "$page: man -l failed"
    [ -s "$t/warn" ] && { bad "$page: man --warnings -l warns:"; sed 's/^/    /' "$t/warn"; }
    lexgrog "$page" >/dev/null 2>&1 || bad "$page: lexgrog finds no NAME line apropos could index"
    grep -q "^\\.TH .* \"tcpsim $version\"" "$page" || bad "$page: the .TH line does not name tcpsim $version"
done

# The tags of a page: the line after each .TP
tags() { awk 'tp { print; tp = 0 } /^\.T[PQ]/ { tp = 1 }' "$1"; }
tags "$man1" >"$t/tags1"
tags "$man7" >"$t/tags7"

for cmd in demo run test pkt repl; do
    for opt in $("$bin" "$cmd" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
        roff=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
        grep -q -- "$roff\\([^a-z\\\\]\\|\\\\f\\|$\\)" "$t/tags1" || bad "$man1 has no entry for tcpsim $cmd $opt"
    done
done

# The REPL's commands, from its own help: "  step [N]   ...", "  A connect B PORT ..."
echo help | "$bin" repl 2>&1 | sed -n 's/^  \([A-Z] \)\{0,1\}\([a-z][a-z]*\).*/\2/p' | sort -u >"$t/cmds"
[ -s "$t/cmds" ] || bad "the REPL's help lists no commands"
while read -r c; do
    grep -qE "^\\.(B|BI|BR) \"?([A-Z] )?$c([^a-z_]|\$)" "$t/tags1" || bad "$man1 has no entry for the REPL command '$c'"
done <"$t/cmds"

# The names of docs/lua-api.md's headings: `host:listen(port [, opts])` -> host:listen, and
# `goals { ... }` of a section heading.
{
    # shellcheck disable=SC2016 # backquotes, not a command
    grep '^### ' docs/lua-api.md | grep -o '`[^`]*`'
    # shellcheck disable=SC2016
    grep '^## ' docs/lua-api.md | grep -o '`[A-Za-z_:.]* *[({][^`]*`'
} | sed -n 's/^`\([A-Za-z_][A-Za-z0-9_]*\([:.][A-Za-z_][A-Za-z0-9_]*\)\{0,1\}\).*/\1/p' | sort -u >"$t/names"
[ -s "$t/names" ] || bad "no names found in the headings of docs/lua-api.md"
while read -r name; do
    re=$(printf '%s' "$name" | sed 's/[.]/\\./g')
    grep -qE "(^\\.[A-Z]+ \"?|[^A-Za-z0-9_.:])$re([^A-Za-z0-9_]|\$)" "$t/tags7" \
        || bad "$man7 has no entry for '$name' (a heading of docs/lua-api.md)"
done <"$t/names"

[ $fail = 0 ] && echo "man: tcpsim(1) and tcpsim-lua(7) render without warnings, name tcpsim $version, and cover every option, REPL command and Lua API name ($(wc -l <"$t/names") names)"
exit $fail
