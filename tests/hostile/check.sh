#!/bin/sh
# check.sh - every hostile scenario in tests/hostile must end cleanly (make hostile):
#   - `tcpsim run FILE` exits with status 1: not 0, not a signal, not killed by `timeout 20`;
#   - its message names the file and a line ("06-memory-bomb.lua:4:");
#   - no AddressSanitizer / UndefinedBehaviorSanitizer report (the binary is build/san/tcpsim);
# and `tcpsim test tests/hostile` goes through all of them: status 1, one FAIL per file.
# Usage: check.sh [TCPSIM] [DIR]
set -u
bin=${1:-./build/san/tcpsim}
dir=${2:-tests/hostile}
if ! "$bin" help 2>&1 | grep -q "tcpsim run"; then
    echo "hostile: SKIPPED, $bin has no 'run' command yet (the Lua binding is not wired in)"
    exit 0
fi
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0
n=0
for f in "$dir"/*.lua; do
    n=$((n + 1))
    name=$(basename "$f")
    timeout 20 "$bin" run "$f" >"$out" 2>&1
    rc=$?
    why=
    if [ $rc = 124 ]; then why="timed out after 20 s"
    elif [ $rc -gt 128 ]; then why="killed by signal $((rc - 128))"
    elif [ $rc != 1 ]; then why="exit status $rc, not 1"
    fi
    if grep -q 'Sanitizer\|runtime error:' "$out"; then why="${why:+$why; }sanitizer report"; fi
    if ! grep -q "$name:[0-9][0-9]*" "$out"; then why="${why:+$why; }no '$name:LINE' in the message"; fi
    if [ -n "$why" ]; then
        echo "hostile: FAIL $f: $why"
        tail -5 "$out" | sed 's/^/    /'
        fail=1
    else
        echo "hostile: ok   $f: $(grep -m1 "$name:[0-9]" "$out" | cut -c1-110)"
    fi
done
timeout 600 "$bin" test "$dir" --timeout 20 >"$out" 2>&1
rc=$?
fails=$(grep -c 'FAIL' "$out")
if [ $rc != 1 ] || grep -q 'Sanitizer\|runtime error:' "$out" || [ "$fails" -lt "$n" ]; then
    echo "hostile: FAIL tcpsim test $dir: status $rc, $fails FAIL lines for $n scenarios"
    tail -5 "$out" | sed 's/^/    /'
    fail=1
else
    echo "hostile: ok   tcpsim test $dir: status 1, every one of the $n scenarios reported FAIL"
fi
exit $fail
