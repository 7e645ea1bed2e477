#!/bin/sh
# tests/pkt/upstream.sh DIR [TCPSIM] - make pkt-upstream: packetdrill's own scripts, run
# unmodified by `tcpsim pkt` from where they are (never copied into this tree). DIR is
# packetdrill's gtests/net (or a folder under it). Without PKT_UPSTREAM_ALL=1, only the kinds
# issue #16 names, about connection states: the close, shutdown, blocking and user_timeout
# folders, and every script whose name says reset, rst, retrans, retries, time-wait or
# timeout. Prints one line per script (PASS, FAIL, UNSUPPORTED with the first line of the
# reason), then the counts; the same into build/pkt-upstream.txt. Each passing script is run
# again with the flags of its last '>' line changed, from a copy beside it that is removed at
# once: it must then fail at that line, else the PASS is marked as possibly false. Exit 0
# always: a FAIL is a finding for docs/packetdrill-run.md, not a broken build.
set -u
dir=${1:-}
bin=${2:-./build/tcpsim}
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "pkt-upstream: PACKETDRILL_TESTS='$dir' is not a folder; point it at packetdrill's gtests/net,"
    echo "  e.g. git -C /work/.mirror/google+packetdrill/repo archive HEAD gtests/net | tar x -C /tmp"
    echo "       make pkt-upstream PACKETDRILL_TESTS=/tmp/gtests/net"
    exit 0
fi
out=build/pkt-upstream.txt
mkdir -p build
: >"$out"
if [ "${PKT_UPSTREAM_ALL:-0}" = 1 ]; then
    find "$dir" -name '*.pkt'
else
    find "$dir" -name '*.pkt' \( -path '*/close/*' -o -path '*/shutdown/*' -o -path '*/blocking/*' \
        -o -path '*/user_timeout/*' -o -iname '*reset*' -o -iname '*rst*' -o -iname '*retrans*' \
        -o -iname '*retr*' -o -iname '*time*wait*' -o -iname '*timeout*' \)
fi | LC_ALL=C sort >build/pkt-upstream.list
pass=0 fail=0 unsup=0 false=0
abs=$(realpath "$bin")
while read -r f; do
    # each script from its own folder, as packetdrill runs it (its ../common includes)
    (cd "$(dirname "$f")" && timeout 60 "$abs" pkt "$(basename "$f")" >/dev/null 2>"$OLDPWD/build/pkt-upstream.err")
    st=$?
    err=$(grep -v ': warning: ' build/pkt-upstream.err | head -n 1)
    case $st in
    0)
        v=PASS pass=$((pass + 1))
        # no false pass: the same script with the flags of its last expected segment changed
        # (R. for anything else, . for a reset) must fail, at that line
        n=$(grep -nE '^[[:space:]]*[-+*0-9.~]+[[:space:]]+>[[:space:]]' "$f" | tail -n 1 | cut -d: -f1)
        if [ -n "$n" ]; then
            m="$(dirname "$f")/.pkt-upstream-$$-$(basename "$f")"
            awk -v n="$n" 'NR == n { if ($0 ~ />[ \t]+R/) sub(/>[ \t]+[FSRP.EWUA]+/, "> ."); else sub(/>[ \t]+[FSRP.EWUA]+/, "> R.") } { print }' "$f" >"$m"
            merr=$(cd "$(dirname "$m")" && timeout 60 "$abs" pkt "$(basename "$m")" 2>&1 >/dev/null | grep -v ': warning: ' | head -n 1)
            rm -f "$m"
            case $merr in
            *":$n: error handling packet"*) ;;
            *) v="PASS (FALSE? changed at line $n: ${merr:-passed})" false=$((false + 1)) ;;
            esac
        fi
        ;;
    3) v=UNSUPPORTED unsup=$((unsup + 1)) ;;
    *) v=FAIL fail=$((fail + 1)) ;;
    esac
    echo "$v ${f#"$dir"/}${err:+: $err}" | tee -a "$out"
done <build/pkt-upstream.list
echo "pkt-upstream: $pass passed ($false of them still passing when changed), $fail failed, $unsup unsupported ($(wc -l <build/pkt-upstream.list) scripts of $dir)" | tee -a "$out"
exit 0
