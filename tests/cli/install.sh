#!/bin/sh
# tests/cli/install.sh - make install and make uninstall, round trip (make install-check):
#   1. make install DESTDIR=STAGE PREFIX=/usr/local puts every file where it belongs under
#      STAGE, with the right modes, and nothing that names STAGE (tcpsim.pc and the man pages
#      say /usr/local); the staged program runs, and from a folder without scripts/ its demo
#      and test find the installed scenario library; the installed man pages render without
#      warnings; the installed completion registers itself when sourced. make uninstall
#      DESTDIR=STAGE leaves no file behind.
#   2. make install PREFIX=DIR (a real prefix, no DESTDIR): a C program compiled and linked
#      with nothing but `pkg-config --cflags --libs tcpsim` (PKG_CONFIG_PATH=DIR/lib/pkgconfig)
#      against the installed libtcpsim.a and headers runs; the man pages name DIR's folders;
#      make uninstall PREFIX=DIR leaves no file behind.
set -u
make=${MAKE:-make}
export ASAN_OPTIONS=detect_leaks=1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
bad() { echo "install: FAIL $*"; fail=1; }
version=$(sed -n 's/^#define TCPSIM_VERSION "\(.*\)"/\1/p' include/tcpsim/tcpsim.h)

# --- 1. staged with DESTDIR --------------------------------------------------------------
stage=$t/stage
p=$stage/usr/local
$make --no-print-directory -s install DESTDIR="$stage" PREFIX=/usr/local >"$t/log" 2>&1 \
    || { bad "make install DESTDIR=$stage failed:"; sed 's/^/    /' "$t/log"; exit 1; }

# mode path: the file must exist with that mode
want() {
    if [ ! -f "$2" ]; then bad "not installed: ${2#"$stage"}"
    elif [ "$(stat -c %a "$2")" != "$1" ]; then bad "${2#"$stage"} has mode $(stat -c %a "$2"), want $1"; fi
}
want 755 "$p/bin/tcpsim"
want 644 "$p/lib/libtcpsim.a"
for h in include/tcpsim/*.h; do want 644 "$p/$h"; done
want 644 "$p/lib/pkgconfig/tcpsim.pc"
for s in scripts/*.lua; do want 644 "$p/share/tcpsim/$s"; done
want 644 "$p/share/man/man1/tcpsim.1"
want 644 "$p/share/man/man7/tcpsim-lua.7"
want 644 "$p/share/bash-completion/completions/tcpsim"
want 644 "$p/share/doc/tcpsim/README.md"
for d in docs/*.md; do want 644 "$p/share/doc/tcpsim/${d#docs/}"; done
for d in docs/img/*.png; do want 644 "$p/share/doc/tcpsim/${d#docs/}"; done
if grep -rl -- "$stage" "$stage" >"$t/leak" 2>/dev/null; then
    bad "installed files name the staging folder: $(tr '\n' ' ' <"$t/leak")"
fi
grep -qx 'prefix=/usr/local' "$p/lib/pkgconfig/tcpsim.pc" || bad "tcpsim.pc: no 'prefix=/usr/local'"
grep -qx "Version: $version" "$p/lib/pkgconfig/tcpsim.pc" || bad "tcpsim.pc: no 'Version: $version'"

[ "$("$p/bin/tcpsim" --version | head -n 1)" = "tcpsim $version" ] || bad "the installed tcpsim --version"
mkdir "$t/elsewhere"
(cd "$t/elsewhere" && "$p/bin/tcpsim" demo --trace=none) >"$t/out" 2>&1
tour=$(sed -n 's/.*title = "\([^"]*\)".*/\1/p' scripts/00-tour.lua | head -n 1)
grep -qF -- "-- passed: $tour (" "$t/out" \
    || { bad "tcpsim demo, run outside the source tree, did not run the installed tour:"; sed 's/^/    /' "$t/out" | tail -3; }
(cd "$t/elsewhere" && "$p/bin/tcpsim" test -j2) >"$t/out" 2>&1
n=$(find scripts -maxdepth 1 -name '*.lua' | wc -l)
grep -q "^$n passed, 0 failed" "$t/out" \
    || { bad "tcpsim test, run outside the source tree, did not pass the $n installed scenarios:"; tail -3 "$t/out" | sed 's/^/    /'; }

for page in "$p/share/man/man1/tcpsim.1" "$p/share/man/man7/tcpsim-lua.7"; do
    MANWIDTH=80 man --warnings -l "$page" >"$t/out" 2>"$t/warn" || bad "${page#"$stage"}: man -l failed"
    [ -s "$t/warn" ] && { bad "${page#"$stage"} warns:"; sed 's/^/    /' "$t/warn"; }
    grep -q "tcpsim" "$t/out" || bad "${page#"$stage"} renders empty"
done
MANPATH=$p/share/man man -w tcpsim-lua >/dev/null 2>&1 || bad "man -w tcpsim-lua does not find the installed page in MANPATH=$p/share/man"
bash -c "source '$p/share/bash-completion/completions/tcpsim' && complete -p tcpsim" 2>&1 | grep -q -- '-F _tcpsim tcpsim' \
    || bad "the installed completion does not register itself when sourced"

$make --no-print-directory -s uninstall DESTDIR="$stage" PREFIX=/usr/local >"$t/log" 2>&1 \
    || { bad "make uninstall DESTDIR=$stage failed:"; sed 's/^/    /' "$t/log"; }
left=$(find "$stage" ! -type d | sed "s|^$stage||")
for d in "$p/include/tcpsim" "$p/share/tcpsim" "$p/share/doc/tcpsim"; do
    [ -d "$d" ] && left="$left ${d#"$stage"}/"
done
if [ -n "$left" ]; then bad "make uninstall left: $left"
else echo "install: DESTDIR install: every file in place with its mode, nothing naming the stage; the installed demo, test, man pages and completion work; uninstall leaves nothing"; fi

# --- 2. a real PREFIX, and a C program built with pkg-config ------------------------------
prefix=$t/prefix
$make --no-print-directory -s install PREFIX="$prefix" >"$t/log" 2>&1 \
    || { bad "make install PREFIX=$prefix failed:"; sed 's/^/    /' "$t/log"; exit 1; }
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
if ! flags=$(pkg-config --cflags --libs tcpsim 2>"$t/err"); then
    bad "pkg-config --cflags --libs tcpsim: $(cat "$t/err")"
elif [ "$(pkg-config --modversion tcpsim)" != "$version" ]; then
    bad "pkg-config --modversion tcpsim is not $version"
else
    # shellcheck disable=SC2086 # $flags are words for the compiler
    if ! ${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -Werror tests/cli/hello.c -o "$t/hello" $flags 2>"$t/err"; then
        bad "tests/cli/hello.c does not build with \`pkg-config --cflags --libs tcpsim\` ($flags):"; sed 's/^/    /' "$t/err"
    elif [ "$("$t/hello")" != "A ESTABLISHED, B ESTABLISHED; scenario done" ]; then
        bad "tests/cli/hello.c, built against the installed library, printed '$("$t/hello")'"
    fi
fi
grep -q "$prefix/share/tcpsim/scripts" "$prefix/share/man/man1/tcpsim.1" \
    || bad "the installed tcpsim(1) does not name $prefix/share/tcpsim/scripts"
grep -q "/usr/local" "$prefix/share/man/man1/tcpsim.1" "$prefix/share/man/man7/tcpsim-lua.7" \
    && bad "the man pages installed with PREFIX=$prefix still name /usr/local"
$make --no-print-directory -s uninstall PREFIX="$prefix" >"$t/log" 2>&1 || bad "make uninstall PREFIX=$prefix failed"
left=$(find "$prefix" ! -type d | sed "s|^$prefix||")
if [ -n "$left" ]; then bad "make uninstall PREFIX=$prefix left: $left"
else echo "install: PREFIX install: a C program built with pkg-config --cflags --libs tcpsim against the installed libtcpsim.a runs; uninstall leaves nothing"; fi
exit $fail
