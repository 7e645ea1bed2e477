#!/bin/sh
# make bench: run the benchmarks and print a table, then the same figures as JSON.
set -u
b=./build/bench
out=$(mktemp)
trap 'rm -f "$out"' EXIT
$b transfer 100000000 0 >>"$out" || echo "bench: transfer with 0% loss did not complete" >&2
$b transfer 100000000 0.01 >>"$out" || echo "bench: transfer with 1% loss did not complete" >&2
if command -v valgrind >/dev/null 2>&1; then
    # Instructions per data segment: callgrind counts instructions, which repeat exactly.
    cg=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$cg" $b transfer 10000000 0 >"$cg.json" 2>"$cg.err"
    ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$cg.err")
    segs=$(sed -n 's/.*"data_segments":\([0-9]*\).*/\1/p' "$cg.json")
    if [ -n "$ir" ] && [ -n "$segs" ]; then
        echo "{\"bench\":\"callgrind\",\"bytes\":10000000,\"instructions\":$ir,\"data_segments\":$segs,\"instructions_per_segment\":$((ir / segs))}" >>"$out"
    fi
    rm -f "$cg" "$cg.json" "$cg.err"
fi
if [ -d scripts ] && ls scripts/*.lua >/dev/null 2>&1; then
    tr=$(mktemp)
    for f in scripts/*.lua; do
        s=$(date +%s%N)
        ./build/tcpsim run --trace jsonl "$f" >"$tr" 2>/dev/null
        e=$(date +%s%N)
        # the virtual time the scenario reached: the last event's "t"
        vt=$(tail -n 1 "$tr" | sed -n 's/.*"t":\([0-9.]*\).*/\1/p')
        echo "{\"bench\":\"scenario\",\"file\":\"$f\",\"wall_us\":$(( (e - s) / 1000 )),\"virtual_s\":${vt:-0}}" >>"$out"
    done
    rm -f "$tr"
    s=$(date +%s%N)
    ./build/tcpsim test scripts >/dev/null 2>&1
    e=$(date +%s%N)
    echo "{\"bench\":\"library\",\"runner\":\"tcpsim test scripts\",\"wall_ms\":$(( (e - s) / 1000000 ))}" >>"$out"
fi
echo "benchmark                      segments/s    events/s   wall s  virtual s  peak KB  instr/seg"
awk -F'[:,{}"]+' '
/"bench":"transfer"/ { for (i = 1; i < NF; i++) v[$i] = $(i + 1);
  printf "transfer %4.0f MB loss %4.1f%% %12.0f %11.0f %8.4f %10.3f %8d\n", v["bytes"] / 1e6, v["loss"] * 100,
         v["segments_per_s"], v["events_per_s"], v["wall_s"], v["virtual_s"], v["peak_rss_kb"] }
/"bench":"callgrind"/ { for (i = 1; i < NF; i++) v[$i] = $(i + 1);
  printf "callgrind %3.0f MB                                                                 %9d\n", v["bytes"] / 1e6, v["instructions_per_segment"] }
/"bench":"scenario"/ { for (i = 1; i < NF; i++) v[$i] = $(i + 1); n++; tot += v["wall_us"];
  printf "scenario %-40s %8.2f ms wall %10.1f s virtual\n", v["file"], v["wall_us"] / 1000, v["virtual_s"];
  if (v["virtual_s"] > lv) { lv = v["virtual_s"]; lw = v["wall_us"]; lf = v["file"] } }
/"bench":"library"/ { for (i = 1; i < NF; i++) v[$i] = $(i + 1); printf "batch run of the library (tcpsim test scripts): %d ms\n", v["wall_ms"] }
END { if (n) { printf "scenario library: %d scenarios, %.1f ms in total (each a whole tcpsim process)\n", n, tot / 1000;
               printf "longest in virtual time: %s, %.1f virtual s in %.2f ms: %.0f virtual s per wall s\n", lf, lv, lw / 1000, lv / (lw / 1e6) } }' "$out"
echo "--- json"
cat "$out"
