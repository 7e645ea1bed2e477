#!/bin/sh
# tests/repl/tmux.sh PROGRAM... - drive `tcpsim repl` in a real terminal through tmux: tab
# completion of a command and of a socket name, a step, the history file, a paste of several
# lines (bracketed, as terminals paste), completion of a state after `status`, of a timer after
# `break timer` and of flags after `break seg`, Ctrl-C stopping a long `lua sim:run(...)` (the
# session goes on); then in a 60-column terminal, the compact trace, status and ladder (no
# line wider than the terminal); then `tcpsim repl | tee log` (no escape code in the log,
# though its input is a terminal).
# Skipped (success) when tmux is not installed.
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
why="$home/why" # the reasons, said again at the end, after any screen dump
bad() {
    echo "repl tmux: $*"
    echo "$*" >>"$why"
    fail=1
}
check() {
    if wait_for "$1"; then :; else
        bad "the screen never showed: $1"
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
t send-keys 'status TIME_W' Tab Enter                # a state after `status`
check "sockets match: 0 open, 0 closed"
# A paste of several lines, Lua among them: each line runs, the unfinished chunk waits for
# the lines that end it. paste-buffer -p brackets it, as terminals do.
t set-buffer "$(printf 'lua x = 1\nlua y = 2\n=x * 1000 + y\nlua function f(n)\n  return n * 7\nend\n=f(6) + 1000')"
t paste-buffer -p
t send-keys Enter
check "1002"
check "1042"
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
# Ctrl-C once the run is under way; again, a second apart, if one came too early to stop it
i=0
while [ $i -lt 10 ]; do
    sleep 1
    t send-keys C-c
    t capture-pane -p | grep -qF "error: eval:1: interrupted" && break
    i=$((i + 1))
done
check "error: eval:1: interrupted"
t send-keys '=string.rep("ok", 3)' Enter             # and the session goes on
check "okokok"
t send-keys C-d
i=0
while [ $i -lt 50 ] && [ ! -s "$home/.tcpsim_history" ]; do sleep 0.1; i=$((i + 1)); done
if ! grep -qx 'B listen 80' "$home/.tcpsim_history" 2>/dev/null; then
    bad "~/.tcpsim_history does not hold the commands"
fi
[ $fail = 0 ] || { echo "repl tmux: the screen was (blank lines left out):"; t capture-pane -p | sed '/^ *$/d'; }
t kill-server 2>/dev/null

# A 60-column terminal (150 rows: every segment carries its options, so the session is long):
# every line the session prints fits (-J joins what the terminal
# wrapped, so a wrapped line shows as the long line it was). Each part has a tmux server of
# its own: one just killed may still hold its socket.
sock="tcpsim-repl-$$-narrow"
t new-session -d -x 60 -y 150 "env HOME=$home NO_COLOR=1 ASAN_OPTIONS=detect_leaks=0 $*; sleep 30"
check "Type help"
t send-keys 'B listen 80' Enter 'A connect B 80 lport=40000' Enter 'run 5ms' Enter
check "now at 0.005000"
t send-keys 'status' Enter
check "Sock Recv-Q Send-Q Local          Foreign        State"
t send-keys 'ladder' Enter
check "notes"
# The first segment's line, which a long ladder may have scrolled off the 50-row screen (a
# trace line wraps to three rows now that segments show their options): the scrollback too.
t capture-pane -p -J -S - | grep -qF -- "#1 sent  A SYN-SENT --> B" \
    || bad "the session never showed: #1 sent  A SYN-SENT --> B"
t capture-pane -p -J -S - >"$home/screen"
wide=$(sed 's/ *$//' "$home/screen" | awk 'length($0) > 60' | head -3)
[ -z "$wide" ] || bad "wider than 60 columns: $wide"
[ $fail = 0 ] || { echo "repl tmux: the 60-column screen was (blank lines left out):"; sed '/^ *$/d' "$home/screen"; }
t kill-server 2>/dev/null

# `tcpsim repl | tee log` from a terminal: readline still edits the line, but nothing it
# writes into the log is an escape code (no bracketed paste, no cursor movement, no colour).
sock="tcpsim-repl-$$-tee"
t new-session -d -x 120 -y 40 "env HOME=$home ASAN_OPTIONS=detect_leaks=0 $* | tee $home/log; sleep 30"
check "Type help"
t send-keys 'B listen 80' Enter 'statx' BSpace Left Right Enter 'tc' Tab ' B' Tab Enter
check "LISTEN since"
t send-keys C-d
i=0
while [ $i -lt 50 ] && ! grep -q "LISTEN since" "$home/log" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
if grep -q "$(printf '\033')" "$home/log"; then
    cat -v "$home/log"
    bad "the log of tcpsim repl | tee holds escape codes (above)"
fi
grep -q "B1 listen 80 = OK" "$home/log" || bad "the log of tcpsim repl | tee misses the session"
t kill-server 2>/dev/null

if [ $fail = 0 ]; then
    echo "repl: terminal test through tmux ok"
else
    echo "repl: terminal test through tmux FAILED: $(tr '\n' ';' <"$why")"
fi
rm -rf "$home"
exit $fail
