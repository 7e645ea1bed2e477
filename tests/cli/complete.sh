#!/bin/bash
# tests/cli/complete.sh COMPLETION PROGRAM - the bash completion of tcpsim (make cli-check):
#   - the file parses (bash -n) and, sourced, registers itself: complete -p tcpsim;
#   - COMPREPLY for a list of command lines, split into words as bash splits them ("=" is a
#     word break: "--preset=r" arrives as "--preset" "=" "r"): commands, options, values,
#     scenarios and folders;
#   - every long option of every command's `PROGRAM CMD --help` is offered;
#   - when tmux is installed, a real interactive bash completes "tcpsim r" and
#     "tcpsim run --preset=r" on <TAB>.
set -u
comp=$1
bin=$2
fail=0
bad() { echo "completion: FAIL $*"; fail=1; }

bash -n "$comp" || bad "$comp does not parse (bash -n)"
# shellcheck source=/dev/null
source "$comp"
complete -p tcpsim 2>/dev/null | grep -q -- '-F _tcpsim' || bad "sourcing $comp does not register 'complete -F _tcpsim tcpsim'"

# A folder to complete file names in: a scenario, another file, a folder.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
touch a.lua b.txt p.pkt
mkdir sub

# expect "WANT..." WORD... : the completions offered when the cursor ends the last WORD
expect() {
    local want=$1
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _tcpsim tcpsim "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    local got
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
    # shellcheck disable=SC2086 # the words of $want, one per line
    want=$(printf '%s\n' $want | sort | tr '\n' ' ' | sed 's/ $//')
    [[ $got == "$want" ]] || bad "tcpsim ${*:2}<TAB>: offered '$got', want '$want'"
}

expect "run repl" tcpsim r
expect "demo run test pkt repl help version" tcpsim ""
expect "--help --version" tcpsim --
expect "test" tcpsim te
expect "a.lua" tcpsim a            # tcpsim FILE -i
expect "-i" tcpsim a.lua -
expect "a.lua sub" tcpsim run ""
expect "a.lua sub" tcpsim run --seed 5 ""
expect "a.lua b.txt p.pkt sub" tcpsim run --pcap ""
expect "a.lua b.txt p.pkt sub" tcpsim run --pcap = ""
expect "--ladder --ladder-svg=" tcpsim run --la
expect "--seed=" tcpsim run --see
expect "linux rfc" tcpsim run --preset ""
expect "linux rfc" tcpsim run --preset =
expect "rfc" tcpsim run --preset = r
expect "rfc tcpdump jsonl none" tcpsim run --trace =
expect "rfc tcpdump jsonl" tcpsim repl --format ""
expect "" tcpsim run --seed ""
expect "-j --jobs= --filter= --tap --goals= --coverage --timeout= --set= --settings= --html= --help" tcpsim test -
expect "a.lua b.txt p.pkt sub" tcpsim run --html ""
expect "sub" tcpsim test --html ""
expect "A B" tcpsim run --endpoint ""
expect "a.lua sub" tcpsim test --goals ""
expect "" tcpsim run -- -
expect "a.lua sub" tcpsim run -- ""
expect "demo run test pkt repl" tcpsim help ""
expect "p.pkt sub" tcpsim pkt ""
expect "a.lua p.pkt sub" tcpsim test ""
expect "--tolerance-usecs=" tcpsim pkt --tol

cd - >/dev/null || exit 1
for cmd in demo run test pkt repl; do
    for opt in $("$bin" "$cmd" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
        cd "$dir" || exit 1
        COMP_WORDS=(tcpsim "$cmd" "$opt")
        COMP_CWORD=2
        COMPREPLY=()
        _tcpsim tcpsim "$opt" "$cmd"
        cd - >/dev/null || exit 1
        printf '%s\n' "${COMPREPLY[@]}" | grep -qx -- "$opt=\\{0,1\\}" \
            || bad "tcpsim $cmd $opt<TAB> does not offer $opt (it is in tcpsim $cmd --help)"
    done
done

# A real interactive bash in a terminal: bash itself splits the line and inserts the answer.
if command -v tmux >/dev/null 2>&1; then
    sock="tcpsim-complete-$$"
    t() { tmux -L "$sock" "$@"; }
    t new-session -d -x 100 -y 20 -c "$dir" "env -i HOME=$dir HISTFILE= TERM=xterm PS1='$ ' bash --norc --noprofile -i"
    t send-keys "source $(realpath "$comp")" Enter
    # wait_for LINE: until a line of the screen reads LINE with the cursor at its end, as bash
    # left it after <TAB> (so "--preset=rfc " with its space, "--seed=" without), up to 5 s
    wait_for() {
        local i
        for ((i = 0; i < 50; i++)); do
            if t capture-pane -p | grep -qxF -- "${1% }" && [[ $(t display -p '#{cursor_x}') == "${#1}" ]]; then
                return 0
            fi
            sleep 0.1
        done
        bad "in a terminal, no line read '$1' with the cursor at its end:"
        t capture-pane -p | sed '/^$/d; s/^/    /'
    }
    wait_for '$ '
    t send-keys "source $(realpath "$comp"); clear" Enter
    wait_for '$ '
    t send-keys "tcpsim te" Tab
    wait_for '$ tcpsim test '
    t send-keys C-u "tcpsim run --preset=r" Tab
    wait_for '$ tcpsim run --preset=rfc '
    t send-keys C-u "tcpsim run --see" Tab
    wait_for '$ tcpsim run --seed='
    t send-keys C-u "tcpsim run s" Tab
    wait_for '$ tcpsim run sub/'
    t kill-server 2>/dev/null
else
    echo "completion: tmux not installed, the terminal test is skipped"
fi

[[ $fail == 0 ]] && echo "completion: parses, registers, offers commands, options, values and files (every option of every --help)"
exit $fail
