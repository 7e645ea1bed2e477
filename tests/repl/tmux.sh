#!/bin/sh
# tests/repl/tmux.sh PROGRAM... - drive `tcpsim repl` in a real terminal through tmux: tab
# completion of a command, of a socket name, of a timer after `break timer` and of flags after
# `break seg`, a step, Ctrl-C stopping a long `lua sim:run(...)` (the session goes on), the
# history file. Skipped (success) when tmux is not installed.
set -u
if ! command -v tmux >/dev/null 2>&1; then
    echo "repl: tmux not installed, terminal test skipped"
    exit 0
fi
home=$(mktemp -d)
sock="tcpsim-repl-$$"
t() { tmux -L "$sock" "$@"; }
# The program in a 120x40 terminal, with a HOME of its own for the history file.
t new-session -d -x 120 -y 40 "env HOME=$home NO_COLOR=1 ASAN_OPTIONS=detect_leaks=0 $*; sleep 30"
wait_for() { # wait until the screen shows $1 (up to 10 s)
    i=0
    while [ $i -lt 100 ]; do
        t capture-pane -p | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
fail=0
check() {
    if wait_for "$1"; then :; else
        echo "repl tmux: the screen never showed: $1"
        fail=1
    fi
}
check "Type help"
t send-keys 'B lis' Tab '80' Enter                # "lis" completes to "listen"
check "B1 listen 80 = OK"
t send-keys 'A conn' Tab 'B 80' Enter               # "conn" completes to "connect "
check "A1 connect 10.0.0.2:80"
t send-keys 'ste' Tab Enter                          # "step"
check "#1 arrives"
t send-keys 'tcb B' Tab Tab                          # B1 and B2: the second Tab lists them
check "B1  B2"
t send-keys '2' Enter
check "B2  10.0.0.2:80 -> 10.0.0.1"
t send-keys 'break timer re' Tab Enter               # timer names after `break timer`
check "breakpoint 1: stop when rexmit timer expires"
t send-keys 'break seg FIN,' Tab Enter               # flags after `break seg`
check "breakpoint 2: stop when a segment with FIN,ACK enters the wire"
t send-keys -l 'delete'                              # -l: not tmux's Delete key
t send-keys Enter
check "all breakpoints deleted"
# Ctrl-C stops a long `lua` line (keep-alive probes every second: a million events to go)
t send-keys 'sysctl A tcp_keepalive_time 1' Enter
t send-keys 'sysctl A tcp_keepalive_intvl 1' Enter
t send-keys 'keepalive A1 on' Enter
check "keepalive A1 on"
t send-keys 'lua sim:run(900000)' Enter
sleep 1
t send-keys C-c
check "error: eval:1: interrupted"
t send-keys '=string.rep("ok", 3)' Enter             # and the session goes on
check "okokok"
t send-keys C-d
i=0
while [ $i -lt 50 ] && [ ! -s "$home/.tcpsim_history" ]; do sleep 0.1; i=$((i + 1)); done
if ! grep -qx 'B listen 80' "$home/.tcpsim_history" 2>/dev/null; then
    echo "repl tmux: ~/.tcpsim_history does not hold the commands"
    fail=1
fi
[ $fail = 0 ] || { echo "repl tmux: the screen was:"; t capture-pane -p; }
t kill-server 2>/dev/null
rm -rf "$home"
[ $fail = 0 ] && echo "repl: terminal test through tmux ok"
exit $fail
