#!/bin/sh
# Run our packetdrill scripts (tests/linux/*.pkt) against this machine's Linux kernel, each in a
# fresh network namespace, and say which the kernel passed. They are the evidence behind
# docs/linux-checks.md: what the kernel did, which tcpsim's tests then hold tcpsim to.
# Needs root and a packetdrill binary ($PACKETDRILL_BIN, default /tmp/packetdrill-bin), which
# the project neither ships nor builds: without one, nothing runs and the exit status is 0.
# usage: tests/linux/run.sh [FILE.pkt ...]
pd=${PACKETDRILL_BIN:-/tmp/packetdrill-bin}
if [ ! -x "$pd" ]; then
    echo "linux-check: skipped: no packetdrill at $pd (set PACKETDRILL_BIN)"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "linux-check: skipped: network namespaces need root"
    exit 0
fi
cd "$(dirname "$0")" || exit 2
[ $# -gt 0 ] || set -- *.pkt
pass=0 fail=0
for f in "$@"; do
    f=$(basename "$f")
    if unshare -n sh -c 'ip link set lo up; exec "$1" --send_omit_free --ip_version=ipv4 --local_ip=192.168.0.1 \
            --gateway_ip=192.168.0.1 --netmask_ip=255.255.0.0 --remote_ip=192.0.2.1 "$2"' \
            sh "$pd" "$f" >"/tmp/linux-check.$$.log" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $f"
        sed 's/^/    /' "/tmp/linux-check.$$.log"
    fi
done
rm -f "/tmp/linux-check.$$.log"
echo "linux-check: kernel $(uname -r): $pass passed, $fail failed"
[ "$fail" = 0 ]
