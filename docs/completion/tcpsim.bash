# bash completion for tcpsim(1): the commands, each command's options and their values, and
# file names (Lua scenarios and folders where a scenario is expected, packetdrill scripts
# after pkt and test, any file after --pcap, --events, --dot, --ladder-svg and run's --html,
# folders after test's --html).
#
# make install puts it in $(PREFIX)/share/bash-completion/completions/tcpsim, where the
# bash-completion package loads it the first time <TAB> follows "tcpsim"; without that
# package, source it from ~/.bashrc. It needs nothing but bash.
#
# Kept in step with the program by make cli-check (tests/cli/complete.sh): every long option
# of every command's --help must be offered here.

# The options of each command; a trailing '=' marks one that takes a value.
_tcpsim_opts_run='--seed= --preset= --trace= --abs --rel --timers --ladder --ladder-svg= --dot= --pcap= --events= --html= --html-events= --packetdrill= --endpoint= --set= --settings= --help'
_tcpsim_opts_test='-j --jobs= --filter= --tap --goals= --coverage --timeout= --set= --settings= --html= --help'
_tcpsim_opts_repl='--seed= --preset= --format= --echo --color --rel --help'
_tcpsim_opts_pkt='--seed= --preset= --tolerance-usecs= --trace= --html= -v --verbose --help'
_tcpsim_commands='demo run test pkt repl help version'

# Add to COMPREPLY what `compgen ARGS... -- "$cur"` finds, one per line.
_tcpsim_add()
{
    mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen "$@" -- "$cur")
}

# Add to COMPREPLY the files and folders under "$cur" whose names match $1 (a glob such as
# '*.lua'), or every file when $1 is empty.
_tcpsim_files()
{
    compopt -o filenames 2>/dev/null
    if [[ -n $1 ]]; then
        _tcpsim_add -d
        _tcpsim_add -f -X "!$1"
    else
        _tcpsim_add -f
    fi
}

_tcpsim()
{
    local cur=${COMP_WORDS[COMP_CWORD]} cword=$COMP_CWORD opt='' cmd='' i
    COMPREPLY=()

    # The option whose value is being completed: "--preset r" or, "=" being a word break of
    # bash's, "--preset = r" and "--preset =" (and "--preset=r" when it is not).
    if [[ $cur == '=' ]]; then
        opt=${COMP_WORDS[cword - 1]}
        cur=
    elif ((cword >= 2)) && [[ ${COMP_WORDS[cword - 1]} == '=' ]]; then
        opt=${COMP_WORDS[cword - 2]}
    elif [[ $cur == --*=* ]]; then
        opt=${cur%%=*}
        cur=${cur#*=}
    elif ((cword >= 1)); then
        case ${COMP_WORDS[cword - 1]} in
        --seed | --preset | --trace | --ladder-svg | --dot | --pcap | --events | --html | --html-events | --packetdrill | \
            --endpoint | -j | --jobs | --filter | --goals | --timeout | --format | --set | --settings | \
            --tolerance-usecs)
            opt=${COMP_WORDS[cword - 1]}
            ;;
        esac
    fi

    # The command: the first word after "tcpsim" that is not an option
    for ((i = 1; i < cword; i++)); do
        case ${COMP_WORDS[i]} in
        -*) ;;
        *)
            cmd=${COMP_WORDS[i]}
            break
            ;;
        esac
    done

    if [[ -n $opt ]]; then
        case $opt in
        --preset) _tcpsim_add -W 'linux rfc' ;;
        --trace) _tcpsim_add -W 'rfc tcpdump jsonl none' ;;
        --format) _tcpsim_add -W 'rfc tcpdump jsonl' ;;
        --goals) _tcpsim_files '*.lua' ;;
        --endpoint) _tcpsim_add -W 'A B' ;;
        --ladder-svg | --dot | --pcap | --events | --packetdrill | --settings) _tcpsim_files '' ;;
        --html)
            # run: the page's file; test: the folder of the pages
            if [[ $cmd == test ]]; then
                compopt -o filenames 2>/dev/null
                _tcpsim_add -d
            else
                _tcpsim_files ''
            fi
            ;;
        esac
        return 0 # --seed, --jobs, --filter, --timeout, --tolerance-usecs, --html-events: a number or a pattern
    fi

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            _tcpsim_add -W '--help --version'
        else
            _tcpsim_add -W "$_tcpsim_commands"
            # tcpsim FILE -i
            ((${#COMPREPLY[@]})) || _tcpsim_files '*.lua'
        fi
        return 0
    fi

    # After "--" every word is an operand.
    local opts=''
    case $cmd in
    run | demo) opts=$_tcpsim_opts_run ;;
    test) opts=$_tcpsim_opts_test ;;
    repl) opts=$_tcpsim_opts_repl ;;
    pkt) opts=$_tcpsim_opts_pkt ;;
    esac
    for ((i = 1; i < cword; i++)); do
        [[ ${COMP_WORDS[i]} == -- ]] && opts=
    done

    if [[ $cur == -* && -n $opts ]]; then
        _tcpsim_add -W "$opts"
        # "--seed=": the value comes next, without a space
        [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
        return 0
    fi
    case $cmd in
    run | demo | repl) _tcpsim_files '*.lua' ;;
    test)
        _tcpsim_files '*.lua'
        _tcpsim_add -f -X '!*.pkt'
        ;;
    pkt) _tcpsim_files '*.pkt' ;;
    help) _tcpsim_add -W 'demo run test pkt repl' ;;
    esac
    # tcpsim FILE -i
    if [[ $cmd == *.lua && $cword == 2 ]]; then
        _tcpsim_add -W '-i'
    fi
    return 0
}

complete -F _tcpsim tcpsim
