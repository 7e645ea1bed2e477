#!/bin/sh
# make bench-ns3 (tests/mk/ns3.mk): one bulk transfer in tcpsim (build/bench) and in ns-3
# (build/bench-ns3, tests/bench/ns3/bulk.cc), each run NS3_RUNS times and the fastest run
# kept; prints a table with the ratio, then the JSON lines. NS3_CALLGRIND=1 adds instructions
# per data segment on 10 MB: tcpsim's whole process, ns-3's Simulator::Run() only (its start-up
# registers hundreds of types, which is not per-segment work).
set -u
bytes=${NS3_BYTES:-100000000}
runs=${NS3_RUNS:-3}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# ns3_field NAME: the value of "NAME" in the JSON line on standard input
ns3_field() {
    sed -n "s/.*\"$1\":\"*\([^,\"}]*\).*/\1/p"
}

# ns3_best CMD...: runs CMD $runs times; prints the JSON line of the run with the least wall_s
ns3_best() {
    best="" best_wall=""
    i=0
    while [ "$i" -lt "$runs" ]; do
        line=$("$@") || return 1
        wall=$(printf '%s\n' "$line" | ns3_field wall_s)
        if [ -z "$best_wall" ] || awk "BEGIN { exit !($wall < $best_wall) }"; then
            best=$line best_wall=$wall
        fi
        i=$((i + 1))
    done
    printf '%s\n' "$best"
}

# ns3_callgrind SIDE FUNCTION CMD...: instructions per data segment of CMD under callgrind,
# counted only inside FUNCTION when it is not empty
ns3_callgrind() {
    side=$1 fn=$2
    shift 2
    cg=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$cg" ${fn:+"--toggle-collect=$fn"} "$@" \
        >"$cg.json" 2>"$cg.err"
    ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$cg.err")
    segs=$(ns3_field data_segments <"$cg.json")
    if [ -n "$ir" ] && [ -n "$segs" ] && [ "$segs" -gt 0 ]; then
        echo "{\"bench\":\"callgrind\",\"side\":\"$side\",\"bytes\":10000000,\"instructions\":$ir,\"data_segments\":$segs,\"instructions_per_segment\":$((ir / segs))}" >>"$out"
    else
        echo "bench-ns3: callgrind of $side gave no count" >&2
    fi
    rm -f "$cg" "$cg.json" "$cg.err"
}

ns3_best ./build/bench transfer "$bytes" 0 >>"$out" || echo "bench-ns3: the tcpsim transfer did not complete" >&2
ns3_best ./build/bench-ns3 --bytes="$bytes" >>"$out" || echo "bench-ns3: the ns-3 transfer did not complete" >&2
if [ "${NS3_CALLGRIND:-}" = 1 ]; then
    if command -v valgrind >/dev/null 2>&1; then
        ns3_callgrind tcpsim "" ./build/bench transfer 10000000 0
        ns3_callgrind ns3 "ns3::Simulator::Run()" ./build/bench-ns3 --bytes=10000000
    else
        echo "bench-ns3: NS3_CALLGRIND=1 needs valgrind (sudo apt-get install valgrind)" >&2
    fi
fi

echo "bench-ns3: $((bytes / 1000000)) MB A -> B, MSS 1460, 5 ms one way, window 65535, no loss; fastest of $runs runs"
awk -F'[:,{}"]+' -v version="${NS3_VERSION:-}" '
function get(k) { for (i = 1; i < NF; i++) if ($i == k) return $(i + 1); return "" }
/"bench":"transfer"/ { ts = get("segments_per_s"); tn = get("data_segments"); tw = get("wall_s"); te = get("events") }
/"bench":"ns3"/      { ns = get("segments_per_s"); nn = get("data_segments"); nw = get("wall_s"); ne = get("events") }
/"side":"tcpsim"/    { ti = get("instructions_per_segment") }
/"side":"ns3"/       { ni = get("instructions_per_segment") }
END {
    printf "%-10s %13s %10s %9s %12s %11s %10s\n", "", "data segments", "events/seg", "wall s", "segments/s", "us/segment", "instr/seg"
    if (ts) printf "%-10s %13d %10.1f %9.4f %12.0f %11.3f %10s\n", "tcpsim", tn, te / tn, tw, ts, 1e6 / ts, ti
    if (ns) printf "%-10s %13d %10.1f %9.4f %12.0f %11.3f %10s\n", "ns-3 " version, nn, ne / nn, nw, ns, 1e6 / ns, ni
    if (ts && ns) printf "ratio: tcpsim moves a data segment %.0f times faster than ns-3 (wall time)\n", ts / ns
    if (ti && ni) printf "ratio: ns-3 spends %.0f times the instructions per data segment\n", ni / ti
}' "$out"
echo "--- json"
cat "$out"
