#!/bin/sh
# The round trip of issue #16: every scenario of scripts/ written as a packetdrill script from
# each endpoint's view (tcpsim run --packetdrill F --endpoint A|B) and run back through
# tcpsim pkt. An export must pass, unless its header says what the script cannot express
# ("What this script cannot say": a host crash, segments the scenario injected, more than one
# connection, a setting with no sysctl...): such a one is counted and listed, never failed, and
# never counted as a pass. One that says nothing and fails is a failure of the check.
# usage: tests/packetdrill/roundtrip.sh TCPSIM [SCENARIO.lua ...]   (default: scripts/*.lua)
tcpsim=${1:?usage: roundtrip.sh TCPSIM [SCENARIO.lua ...]}
shift
[ $# -gt 0 ] || set -- scripts/*.lua
dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT
pass=0 lossy=0 fail=0 lossy_pass=0
for lua in "$@"; do
    name=$(basename "$lua" .lua)
    for e in A B; do
        pkt="$dir/$name-$e.pkt"
        # a scenario that fails still has a run to export: make scenarios reports it
        "$tcpsim" run --trace=none --packetdrill="$pkt" --endpoint=$e "$lua" >/dev/null 2>&1
        if [ ! -s "$pkt" ]; then
            echo "FAIL $name from $e: no script written"
            fail=$((fail + 1))
            continue
        fi
        "$tcpsim" pkt "$pkt" >"$dir/out" 2>&1
        rc=$?
        if grep -q '^// What this script cannot say' "$pkt"; then
            lossy=$((lossy + 1))
            if [ $rc = 0 ]; then
                lossy_pass=$((lossy_pass + 1))
            else
                echo "not expressible: $name from $e ($(grep -c '^// - ' "$pkt") notes; tcpsim pkt: $(grep -v warning "$dir/out" | head -1 | sed 's/^[^:]*:[0-9]*: //' | cut -c1-80))"
            fi
        elif [ $rc = 0 ]; then
            pass=$((pass + 1))
        else
            echo "FAIL $name from $e: tcpsim pkt says:"
            sed 's/^/    /' "$dir/out"
            echo "    the script:"
            grep -v '^//' "$pkt" | sed 's/^/    /'
            fail=$((fail + 1))
        fi
    done
done
echo "pkt-roundtrip: $pass exports passed; $lossy say what they cannot express ($lossy_pass of them passed all the same); $fail failed"
[ $fail = 0 ]
