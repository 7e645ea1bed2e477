#!/bin/sh
# tests/cli/options.sh PROGRAM - the command line as a user of GNU tools expects it (make
# cli-check, part of make test):
#   - options parsed by getopt_long: `--seed=5` and `--seed 5` alike, options after the FILE,
#     `--` ending the options, unique prefixes of long options;
#   - `--help` (and -h, and `tcpsim help CMD`) on every command: usage and the exit statuses on
#     stdout in lines of at most 79 columns, nothing on stderr, status 0; `--version` and
#     `tcpsim version`: the version of include/tcpsim/tcpsim.h, status 0;
#   - a bad option or value: status 2, nothing on stdout, one message on stderr naming the
#     option and the value, then "Try 'tcpsim CMD --help'".
set -u
bin=${1:-./build/san/tcpsim}
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
scen=scripts/01-handshake.lua
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
bad() { echo "cli: FAIL $*"; fail=1; }

# run ARGS...: the program's status in $rc, its stdout in $t/out, its stderr in $t/err
run() { "$bin" "$@" >"$t/out" 2>"$t/err"; rc=$?; }

# --- the same run, however the options are written --------------------------------------
run run --seed 5 "$scen"; cp "$t/out" "$t/ref"
[ $rc = 0 ] || bad "run --seed 5 $scen: status $rc"
grep -q "(seed 5, preset linux)" "$t/ref" || bad "run --seed 5: the run does not say seed 5"
for form in "--seed=5 $scen" "$scen --seed 5" "$scen --seed=5" "--see=5 $scen" "--seed=5 -- $scen"; do
    # shellcheck disable=SC2086 # the words of $form are the arguments
    run run $form
    if [ $rc != 0 ] || ! cmp -s "$t/out" "$t/ref"; then
        bad "run $form: status $rc or output differs from run --seed 5 $scen"; sed 's/^/    /' "$t/err" | head -3
    fi
done
run run --preset=rfc --trace=tcpdump --rel "$scen"
if [ $rc != 0 ] || ! grep -q "preset rfc" "$t/out"; then bad "run --preset=rfc --trace=tcpdump --rel: status $rc"; fi
# the SVG ladder numbers segments as the text ladder does: as on the wire, or with --rel
# relative to each side's ISN (scripts/05: ISNs 100 and 300, the FINs cross)
run run --trace=none --ladder --ladder-svg="$t/abs.svg" scripts/05-simultaneous-close.lua
for f in "$t/out" "$t/abs.svg"; do
    grep -q "FIN,ACK 101 ack 301" "$f" || bad "run --ladder --ladder-svg: $(basename "$f") lacks A's FIN as on the wire"
done
run run --trace=none --rel --ladder --ladder-svg="$t/rel.svg" scripts/05-simultaneous-close.lua
for f in "$t/out" "$t/rel.svg"; do
    grep -q "FIN,ACK 1 ack 1" "$f" || bad "run --rel --ladder --ladder-svg: $(basename "$f") lacks A's FIN relative"
done
# --events streams the whole run as the jsonl trace with timers, beside any trace on stdout
run run --trace=jsonl --timers scripts/05-simultaneous-close.lua; cp "$t/out" "$t/jsonl"
run run --events="$t/events.jsonl" scripts/05-simultaneous-close.lua
if [ $rc != 0 ] || ! cmp -s "$t/events.jsonl" "$t/jsonl" || ! grep -q "passed" "$t/out"; then
    bad "run --events=FILE: status $rc, or FILE is not the --trace=jsonl --timers trace"
fi
run run --trace=none --events="$t/nodir/x.jsonl" "$scen"
if [ $rc != 1 ] || ! grep -q "nodir/x.jsonl" "$t/err"; then bad "run --events=FILE in no folder: status $rc, not 1 naming FILE"; fi
run test -j2 --filter=01-hand scripts
if [ $rc != 0 ] || ! grep -q "^1 passed, 0 failed" "$t/out"; then bad "test -j2 --filter=01-hand scripts: status $rc"; fi
run test --jobs=2 --timeout=60 --filter 01-hand
if [ $rc != 0 ] || ! grep -q "^1 passed, 0 failed" "$t/out"; then bad "test --jobs=2 --timeout=60 --filter 01-hand: status $rc"; fi
printf 'status\n' >"$t/cmd"
"$bin" repl --seed=7 --preset=rfc <"$t/cmd" >"$t/out" 2>&1
grep -q "seed 7" "$t/out" || bad "repl --seed=7: status does not say seed 7"

# --- help and version --------------------------------------------------------------------
version=$(sed -n 's/^#define TCPSIM_VERSION "\(.*\)"/\1/p' include/tcpsim/tcpsim.h)
for cmd in "" demo run test pkt repl; do
    for h in --help -h; do
        # shellcheck disable=SC2086 # $cmd is empty or one word
        run $cmd $h
        if [ $rc != 0 ] || [ -s "$t/err" ] || ! grep -q "^Usage: tcpsim ${cmd:+$cmd }" "$t/out"; then
            bad "tcpsim${cmd:+ $cmd} $h: status $rc, want 0 and 'Usage: tcpsim${cmd:+ $cmd}' on stdout, nothing on stderr"
            sed 's/^/    /' "$t/err" | head -3
        fi
        grep -q "^Exit status:" "$t/out" || bad "tcpsim${cmd:+ $cmd} $h: the exit statuses are not listed"
        awk 'length > 79 { n++ } END { exit n > 0 }' "$t/out" || bad "tcpsim${cmd:+ $cmd} $h: lines wider than 79 columns"
    done
    cp "$t/out" "$t/help"
    # shellcheck disable=SC2086
    run help $cmd
    if [ $rc != 0 ] || ! cmp -s "$t/out" "$t/help"; then bad "tcpsim help${cmd:+ $cmd} differs from tcpsim${cmd:+ $cmd} --help"; fi
done
for v in --version version; do
    run $v
    if [ $rc != 0 ] || [ "$(head -n 1 "$t/out")" != "tcpsim $version" ]; then
        bad "tcpsim $v: status $rc, first line '$(head -n 1 "$t/out")', want 'tcpsim $version'"
    fi
done

# --- bad usage: status 2, a message naming the option and the value ------------------------
# Each case: the arguments, '|', the words the message must contain.
while IFS='|' read -r args want; do
    [ -n "$args" ] || continue
    # shellcheck disable=SC2086
    run $args
    cmd=${args%% *}
    case "$cmd" in run|test|pkt|repl|demo) ;; *) cmd= ;; esac
    if [ $rc != 2 ] || [ -s "$t/out" ]; then
        bad "tcpsim $args: status $rc, want 2 and nothing on stdout"
    fi
    for w in $want; do
        grep -qF -- "$w" "$t/err" || { bad "tcpsim $args: the message does not name $w"; sed 's/^/    /' "$t/err"; }
    done
    grep -qF "Try 'tcpsim ${cmd:+$cmd }--help'" "$t/err" || bad "tcpsim $args: no \"Try 'tcpsim ${cmd:+$cmd }--help'\""
done <<EOF
run --seed abc $scen|--seed 'abc'
run --seed -1 $scen|--seed '-1'
run --seed=-1 $scen|--seed '-1'
run --seed= $scen|--seed ''
run --seed 18446744073709551616 $scen|--seed '18446744073709551616'
run --seed 0x10 $scen|--seed '0x10'
run --preset bsd $scen|--preset 'bsd'
run --trace=xml $scen|--trace 'xml'
run --bogus $scen|--bogus
run $scen --seed|--seed
run|FILE
run $scen $scen|$scen
demo --seed abc|--seed 'abc'
test -j 0|-j '0'
test -j65|-j '65'
test --jobs=abc|--jobs 'abc'
test --timeout -5|--timeout '-5'
test --frobnicate|--frobnicate
pkt --seed abc x.pkt|--seed 'abc'
pkt --preset bsd x.pkt|--preset 'bsd'
pkt --trace=xml x.pkt|--trace 'xml'
pkt --tolerance-usecs=-1 x.pkt|--tolerance-usecs '-1'
pkt --bogus x.pkt|--bogus
pkt|FILE
repl --seed abc|--seed 'abc'
repl --seed -1|--seed '-1'
repl --preset bsd|--preset 'bsd'
repl --format xml|--format 'xml'
repl --bogus|--bogus
repl $scen $scen|$scen
frobnicate|frobnicate
--frobnicate|--frobnicate
EOF

[ $fail = 0 ] && echo "cli: getopt_long options, --help and --version on every command, bad values (exit 2)"
exit $fail
