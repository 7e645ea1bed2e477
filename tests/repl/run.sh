#!/bin/sh
# tests/repl/run.sh PROGRAM... - the REPL's transcript tests and its terminal test.
#
# PROGRAM is how to start `tcpsim repl` (e.g. "build/san/tcpsim repl"). Each tests/repl/*.cmd is
# fed on standard input (no terminal: no prompt, no history, no colour) with --echo, so the
# transcript shows each command after its prompt; it must equal the *.out beside it. A
# scenario (*.lua) or a packetdrill script (*.pkt) of the same name is loaded with it.
# REPL_UPDATE=1 rewrites the *.out files instead (check the diff before committing).
# Then tests/repl/tmux.sh drives a real terminal.
set -u
dir=$(dirname "$0")
fail=0
tmp=$(mktemp)
for cmd in "$dir"/*.cmd; do
    want="${cmd%.cmd}.out"
    scen=""
    [ -f "${cmd%.cmd}.lua" ] && scen="${cmd%.cmd}.lua"
    [ -f "${cmd%.cmd}.pkt" ] && scen="${cmd%.cmd}.pkt"
    NO_COLOR=1 "$@" --echo $scen < "$cmd" > "$tmp" 2>&1
    if [ "${REPL_UPDATE:-0}" = 1 ]; then
        cp "$tmp" "$want"
        echo "repl: wrote $want"
    elif diff -u "$want" "$tmp"; then
        echo "repl: $(basename "$cmd") ok"
    else
        echo "repl: $(basename "$cmd") FAILED (the diff above: - expected, + got)"
        fail=1
    fi
done
rm -f "$tmp"
sh "$dir/tmux.sh" "$@" || fail=1
exit $fail
