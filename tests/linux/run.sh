#!/bin/sh
# Run our packetdrill scripts against this machine's Linux kernel, each in a fresh network
# namespace, and say which the kernel passed: tests/linux/*.pkt, the evidence behind
# docs/linux-checks.md (what the kernel did, which tcpsim's tests then hold tcpsim to), and
# the corpus tests/packetdrill/*.pkt (which make test also runs in tcpsim; its links to
# tests/linux/ are run once, from there).
# Needs root and a packetdrill binary ($PACKETDRILL_BIN, default /tmp/packetdrill-bin), which
# the project neither ships nor builds: without one, nothing runs and the exit status is 0.
# usage: tests/linux/run.sh [FILE.pkt ...]   (paths from the current folder)
pd=${PACKETDRILL_BIN:-/tmp/packetdrill-bin}
if [ ! -x "$pd" ]; then
    echo "linux-check: skipped: no packetdrill at $pd (set PACKETDRILL_BIN)"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "linux-check: skipped: network namespaces need root"
    exit 0
fi
here=$(dirname "$0")
if [ $# = 0 ]; then
    set -- "$here"/*.pkt
    for f in "$here"/../packetdrill/*.pkt; do
        [ -L "$f" ] || set -- "$@" "$f"
    done
fi
log=/tmp/linux-check.$$.log
pass=0 fail=0
for f in "$@"; do
    # packetdrill reads a script's includes from its folder
    if (cd "$(dirname "$f")" && unshare -n sh -c 'ip link set lo up; exec "$1" --send_omit_free --ip_version=ipv4 \
            --local_ip=192.168.0.1 --gateway_ip=192.168.0.1 --netmask_ip=255.255.0.0 --remote_ip=192.0.2.1 "$2"' \
            sh "$pd" "$(basename "$f")") >"$log" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $f"
        sed 's/^/    /' "$log"
    fi
done
rm -f "$log"
echo "linux-check: kernel $(uname -r): $pass passed, $fail failed"
[ "$fail" = 0 ]
