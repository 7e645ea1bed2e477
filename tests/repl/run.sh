#!/bin/sh
# tests/repl/run.sh PROGRAM... - the REPL's transcript tests and its terminal test.
#
# PROGRAM is how to start `tcpsim repl` (e.g. "build/san/tcpsim repl"). Each tests/repl/*.cmd is
# fed on standard input (no terminal: no prompt, no history, no colour) with --echo, so the
# transcript shows each command after its prompt; it must equal the *.out beside it. A
# scenario (*.lua) or a packetdrill script (*.pkt) of the same name is loaded with it.
# REPL_UPDATE=1 rewrites the *.out files instead (check the diff before committing).
# Then each transcript that goes back in time (back, rewind, forward) runs again twice, with a
# checkpoint after every event or command (`set checkpoints 1`: back and rewind restore paused
# copies of the process, sim/repl_ckpt.c) and with none (they replay from the start): both
# must print the same, byte for byte, and end with the same status.
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
for cmd in "$dir"/*.cmd; do
    grep -qE '^(back|rewind|forward)' "$cmd" || continue
    scen=""
    [ -f "${cmd%.cmd}.lua" ] && scen="${cmd%.cmd}.lua"
    { echo "set checkpoints off"; cat "$cmd"; } > "$tmp.cmd"
    NO_COLOR=1 "$@" --echo $scen < "$tmp.cmd" > "$tmp.raw" 2>&1
    off=$?
    sed 1,2d "$tmp.raw" > "$tmp.off"
    { echo "set checkpoints 1"; cat "$cmd"; } > "$tmp.cmd"
    NO_COLOR=1 "$@" --echo $scen < "$tmp.cmd" > "$tmp.raw" 2>&1
    on=$?
    sed 1,2d "$tmp.raw" > "$tmp.on"
    if [ $on = $off ] && cmp -s "$tmp.off" "$tmp.on"; then
        echo "repl: $(basename "$cmd") with checkpoints: the same"
    else
        diff -u "$tmp.off" "$tmp.on"
        echo "repl: $(basename "$cmd") FAILED with checkpoints (the diff above: - replayed, + restored)"
        fail=1
    fi
done
rm -f "$tmp" "$tmp.off" "$tmp.on" "$tmp.cmd" "$tmp.raw"
sh "$dir/tmux.sh" "$@" || fail=1
exit $fail
