#!/bin/sh
# tests/fuzz/smoke.sh NAME SECONDS SEEDS CRASHES [LIBFUZZER-OPTION...] - part of make test:
# fuzz build/fuzz/fuzz_NAME for SECONDS from the seed corpus SEEDS. New inputs and any crash
# stay in build/fuzz/smoke-NAME/ (CRASHES is where a crash is to be kept, for the message).
# libFuzzer's own limits bound the run (-max_total_time; -timeout for an input that hangs);
# `timeout` bounds it again should libFuzzer itself hang. Exit 0 when nothing was found.
set -u
name=$1 secs=$2 seeds=$3 crashes=$4
shift 4
d=build/fuzz/smoke-$name
rm -rf "$d"
mkdir -p "$d/new" "$d/crash"
start=$(date +%s)
if timeout -k 5 $((secs + 120)) "./build/fuzz/fuzz_$name" -max_len=4096 -timeout=10 \
     -rss_limit_mb=2048 -max_total_time="$secs" -print_final_stats=1 \
     -artifact_prefix="$d/crash/" "$@" "$d/new" "$seeds" >"$d/log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log")
    echo "fuzz-smoke: $name ok, $runs inputs in $(($(date +%s) - start)) s"
    exit 0
fi
tail -n 40 "$d/log"
echo "fuzz-smoke: $name FAILED (the log: $d/log; the input: $d/crash/; keep it in $crashes/ as NAME.open, then .fixed)"
exit 1
