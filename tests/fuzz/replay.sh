#!/bin/sh
# tests/fuzz/replay.sh NAME SEEDS CRASHES - part of make test: replay the seed corpus SEEDS and
# the fixed crashes CRASHES/*.fixed through build/san/fuzz/replay-NAME (gcc, ASan+UBSan, no
# libFuzzer). A crash is kept as CRASHES/NAME.open while its bug is open: while it still
# crashes, the corpus replay is skipped (nearly every input passes through the same code) and
# this says so; once it no longer crashes, this says to rename it .fixed.
set -u
name=$1 seeds=$2 crashes=$3
bin=./build/san/fuzz/replay-$name
open=0
for f in "$crashes"/*.open; do
    [ -e "$f" ] || continue
    if "$bin" "$f" >/dev/null 2>&1; then
        echo "fuzz-replay: $f no longer crashes: rename it to .fixed"
    else
        echo "fuzz-replay: $name SKIPPED, bug still open: $f"
        open=1
    fi
done
[ $open = 0 ] || exit 0
set -- "$seeds"
for f in "$crashes"/*.fixed; do
    [ -e "$f" ] && set -- "$@" "$f"
done
printf 'fuzz-replay: %s: ' "$name"
exec "$bin" "$@"
