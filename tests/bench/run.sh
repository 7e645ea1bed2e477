#!/bin/sh
# make bench: run the benchmarks and print a table, then the same figures as JSON.
set -u
b=./build/bench
out=$(mktemp)
trap 'rm -f "$out"' EXIT
$b transfer 100000000 0 5 >>"$out" || echo "bench: transfer with 0% loss did not complete" >&2
$b transfer 100000000 0.01 5 >>"$out" || echo "bench: transfer with 1% loss did not complete" >&2
# The same transfer, 1 GB, driven from Lua (sim:transfer) with the scenario's event log: what a
# user's scenario costs per data segment, and its peak RSS (a process of its own).
$b lua tests/bench/lua-transfer.lua >>"$out" || echo "bench: the Lua transfer did not complete" >&2
# `back 1` at the end of a REPL session of a million events: a checkpoint restored and the
# events after it replayed, timed from outside as a user waits for it.
$b back ./build/tcpsim tests/bench/repl-back.lua >>"$out" || echo "bench: the REPL session did not complete" >&2
if command -v valgrind >/dev/null 2>&1; then
    # Instructions per data segment: callgrind counts instructions, which repeat exactly.
    # Only bench_transfer is counted (world, handshake and transfer): not the process start-up.
    # glibc copies above a few KB with "rep movsb", which callgrind counts as one instruction
    # per octet; the tunable makes every copy use the vector loop that small copies use, so a
    # copy counts what it costs whatever its size (it changes nothing else).
    # The sender's zero-copy sends (the headline), and at 0% loss its copying sends too: the
    # one copy a copying send makes, from the application into the send queue.
    for run in "0 zerocopy" "0.01 zerocopy" "0 copy"; do
        set -- $run
        loss=$1 send=$2
        cg=$(mktemp)
        GLIBC_TUNABLES=glibc.cpu.x86_rep_movsb_threshold=2147483647 \
        valgrind --tool=callgrind --callgrind-out-file="$cg" --toggle-collect='bench_transfer*' \
            $b transfer 10000000 $loss 1 $send >"$cg.json" 2>"$cg.err"
        ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$cg.err")
        segs=$(sed -n 's/.*"data_segments":\([0-9]*\).*/\1/p' "$cg.json")
        if [ -n "$ir" ] && [ -n "$segs" ]; then
            echo "{\"bench\":\"callgrind\",\"send\":\"$send\",\"bytes\":10000000,\"loss\":$loss,\"instructions\":$ir,\"data_segments\":$segs,\"instructions_per_segment\":$((ir / segs))}" >>"$out"
        fi
        rm -f "$cg" "$cg.json" "$cg.err"
    done
fi
# Many connections driven from Lua (issue 17), the event log not kept, one process each so that
# the peak resident memory is the run's own.
for run in "seq 1000" "seq 10000" "seq 100000" "conc 10000" "conc 100000"; do
    set -- $run
    $b conns $1 $2 >>"$out" || echo "bench: conns $1 $2 did not complete" >&2
done
if [ -d scripts ] && ls scripts/*.lua >/dev/null 2>&1; then
    # Each scenario run in the benchmark's own process (the fastest of 5 runs): the time the
    # simulation takes, without a process start-up.
    for f in scripts/*.lua; do
        $b scenario "$f" 5 >>"$out" || echo "bench: $f did not finish" >&2
    done
    # What a user waits for: the batch run of the library, processes and all.
    s=$(date +%s%N)
    ./build/tcpsim test scripts >/dev/null 2>&1
    e=$(date +%s%N)
    echo "{\"bench\":\"library\",\"runner\":\"tcpsim test scripts\",\"wall_ms\":$(( (e - s) / 1000000 ))}" >>"$out"
fi
echo "benchmark                      segments/s    events/s   wall s  virtual s  peak KB  instr/seg"
awk -F'[:,{}"]+' '
/"bench":"transfer"/ { for (i = 1; i < NF; i++) v[$i] = $(i + 1);
  if (v["loss"] == 0) c_us = v["wall_s"] * 1e6 / v["data_segments"];
  printf "transfer %4.0f MB loss %4.1f%% %12.0f %11.0f %8.4f %10.3f %8d\n", v["bytes"] / 1e6, v["loss"] * 100,
         v["segments_per_s"], v["events_per_s"], v["wall_s"], v["virtual_s"], v["peak_rss_kb"] }
/"bench":"lua"/ { for (i = 1; i < NF; i++) v[$i] = $(i + 1);
  printf "lua transfer 1000 MB (sim:transfer): %.3f us per data segment (%.1f times the transfer from C), wall %.3f s, peak %d KB\n",
         v["us_per_segment"], c_us ? v["us_per_segment"] / c_us : 0, v["wall_s"], v["peak_rss_kb"] }
/"bench":"back"/ { for (i = 1; i < NF; i++) v[$i] = $(i + 1);
  printf "back 1 at the end of a %d-event REPL session (%.1f s): %.1f ms (median of 5; %.1f to %.1f)\n",
         v["events"], v["run_s"], v["back_ms_median"], v["back_ms_min"], v["back_ms_max"] }
/"bench":"callgrind"/ { for (i = 1; i < NF; i++) v[$i] = $(i + 1);
  printf "callgrind %3.0f MB loss %4.1f%% %-8s                                             %9d\n", v["bytes"] / 1e6, v["loss"] * 100, v["send"], v["instructions_per_segment"] }
/"bench":"scenario"/ { for (i = 1; i < NF; i++) v[$i] = $(i + 1); n++; tot += v["wall_us"];
  printf "scenario %-40s %9.1f us wall %10.1f s virtual %5d events\n", v["file"], v["wall_us"], v["virtual_s"], v["events"];
  if (v["virtual_s"] > lv) { lv = v["virtual_s"]; lw = v["wall_us"]; lf = v["file"]; lr = v["peak_rss_kb"] } }
/"bench":"conns"/ { for (i = 1; i < NF; i++) v[$i] = $(i + 1);
  printf "conns %-4s %6d from Lua: %7.3f s wall, %6.2f us a connection, %8.0f events/s, peak %6d KB, %5.0f bytes a connection, TIME-WAIT peak %d\n",
         v["mode"], v["n"], v["wall_s"], v["us_per_conn"], v["events_per_s"], v["peak_rss_kb"], v["bytes_per_conn"], v["time_wait_peak"];
  us[v["mode"] v["n"]] = v["us_per_conn"] }
/"bench":"library"/ { for (i = 1; i < NF; i++) v[$i] = $(i + 1); printf "batch run of the library (tcpsim test scripts, processes and all): %d ms\n", v["wall_ms"] }
END { if (us["seq1000"] && us["seq100000"])
        printf "conns: time a connection at 100k / at 1k = %.2f (target <= 1.5); 100k/10k wall ratio %.1f (linear: 10)\n",
               us["seq100000"] / us["seq1000"], us["seq100000"] * 10 / us["seq10000"];
      if (n) { printf "scenario library: %d scenarios, %.2f ms of simulation in total\n", n, tot / 1000;
               printf "longest in virtual time: %s, %.1f virtual s in %.1f us: %.0f virtual s per wall s, peak %d KB\n", lf, lv, lw, lv / (lw / 1e6), lr } }' "$out"
echo "--- json"
cat "$out"
