#!/usr/bin/env python3
"""make_seeds_lua.py - writes the hand-made seeds of the Lua API fuzzer, tests/fuzz/corpus-lua/seed-*.

Each seed is a small scenario in the byte encoding of fuzz_lua.c (see its comment): a
handshake, data, a close, the wire's rules and injections, settings, the trace, goals.
FZ_DEBUG=1 ./build/fuzz/fuzz_lua FILE shows the Lua a seed makes. Rerun after changing the
encoding; inputs found by the fuzzer sit beside these under their hashes.
"""
import os

import re

HERE = os.path.dirname(os.path.abspath(__file__))


def c_array(name):
    """The strings of 'static const char *const NAME[] = {...}' in fuzz_lua.c, in order."""
    src = open(os.path.join(HERE, "fuzz_lua.c")).read()
    body = re.search(r"\b%s\[\][^=]*=\s*\{(.*?)\};" % re.escape(name), src, re.S).group(1)
    return [bytes(m, "ascii").decode("unicode_escape") for m in re.findall(r'"((?:[^"\\]|\\.)*)"', body)]


HOST, SOCK, NET, SIM = 0, 1, 2, 3
NAMES = {HOST: c_array("fz_known_host"), SOCK: c_array("fz_known_sock"),
         NET: c_array("fz_known_net"), SIM: c_array("fz_known_sim")}
API = c_array("fz_known_api")
INTS = c_array("ints")
FLOATS = c_array("floats")
KEYS = c_array("fz_keys")
STRINGS = c_array("fz_strings")
RUNS = c_array("runs")


# values
def i(text):
    return bytes([2, INTS.index(text)])


def f(text):
    return bytes([4, FLOATS.index(text)])


def s(text):
    return bytes([5, 0, STRINGS.index(text)])


def raw(data):
    return bytes([5, 2, len(data)]) + data


def host(name):  # the objects A, B
    return bytes([8, "AB".index(name)])


def slot(n):
    return bytes([7, n - 1])


def nil():
    return bytes([0])


def table(**fields):
    out = bytes([9, len(fields)])
    for k, v in fields.items():
        out += bytes([KEYS.index(k)]) + v
    return out


def receiver(cls, obj):
    if cls == HOST:
        return bytes(["AB".index(obj)])
    if cls == SOCK:
        return bytes([obj - 5])
    return bytes([0])


# statements: each a list of one encoded statement, so that a seed is a list of statements
def call(cls, obj, name, *args, keep=0):
    dest = 0 if keep == 0 else 64 + (keep - 5)
    return [bytes([0, cls, NAMES[cls].index(name), dest]) + receiver(cls, obj) + bytes([0])
            + receiver(cls, obj) + bytes([len(args)]) + b"".join(args)]


def gcall(name, *args, keep=0):
    dest = 0 if keep == 0 else 64 + (keep - 5)
    return [bytes([5, 0, dest, API.index(name), len(args)]) + b"".join(args)]


def run(t):
    return [bytes([7, RUNS.index(t)])]


def sysctl(h, setting_index, value):
    return [bytes([8, "AB".index(h), setting_index]) + value]


def loop(count_index, stmt):
    return [bytes([10, count_index]) + stmt[0]]


HANDSHAKE = (call(HOST, "B", "listen", i("80"), keep=5)
             + call(HOST, "A", "connect", host("B"), i("80"), keep=6)
             + run("0.1") + call(SOCK, 5, "accept", keep=7))

SEEDS = {
    "handshake-close": HANDSHAKE + call(SOCK, 6, "send", s("SYN,ACK")) + run("0.1")
    + call(SOCK, 7, "recv") + call(SOCK, 6, "close") + call(SOCK, 7, "close") + run("200"),
    "refused": call(HOST, "A", "connect", host("B"), i("81"), keep=6) + run("1")
    + gcall("expect_error", slot(6), s("A")),
    "options": call(HOST, "B", "listen", i("80"), table(backlog=i("1"), reuseaddr=i("1")), keep=5)
    + call(HOST, "A", "connect", host("B"), i("80"), table(port=i("40000"), isn=i("4294967295")), keep=6)
    + call(HOST, "A", "connect", host("B"), i("80"), table(bogus=i("1"))) + run("1"),
    "net-rules": call(NET, None, "set", table(delay=f("0.001"), loss=f("0.5"), **{"from": host("A")}))
    + call(NET, None, "drop", table(flags=s("SYN,ACK"), count=i("2")))
    + call(NET, None, "delay", table(by=f("0.5"), nth=i("2")))
    + call(NET, None, "dup", table(flags=s("FIN"))) + HANDSHAKE
    + call(NET, None, "inflight", keep=8) + call(NET, None, "rules", keep=9)
    + call(NET, None, "unrule", i("1")) + call(SOCK, 6, "close") + run("10"),
    "inject": HANDSHAKE + call(NET, None, "inject", table(flags=s("RST"), sport=i("80"), dport=i("40000"),
                                                          **{"from": host("B")}))
    + call(NET, None, "inject", table(flags=s("SYN"), data=raw(b"xyz\0"), mss=i("1460"), **{"from": s("A")}))
    + run("1") + call(SIM, None, "trace", s("state"), keep=8),
    "ids": HANDSHAKE + call(SOCK, 6, "send", raw(b"0123456789")) + call(NET, None, "drop_id", i("7"))
    + call(NET, None, "delay_id", i("7"), f("1.5")) + call(NET, None, "dup_id", i("7")) + run("10"),
    "sysctl": sysctl("A", 0, i("2")) + sysctl("B", 1, f("0.5")) + sysctl("A", 2, bytes([4, 200]) + bytes(8))
    + HANDSHAKE + call(SOCK, 6, "keepalive") + run("3600") + call(SOCK, 6, "tcb", keep=9),
    "step-trace": HANDSHAKE + loop(2, call(SIM, None, "step")) + call(SIM, None, "trace", keep=8)
    + call(SIM, None, "config", table(seed=i("7"))) + call(SIM, None, "seed"),
    "crash": HANDSHAKE + call(HOST, "B", "crash") + call(SOCK, 6, "send", s("A")) + run("200")
    + call(HOST, "A", "sockets", keep=9) + gcall("expect_state", slot(6), s("CLOSED")),
    "narration": gcall("scenario", table(title=s("A"), summary=i("1"))) + gcall("say", s("B"))
    + gcall("pause", s("A")) + gcall("goals", bytes([11]) + table(name=s("A"), state=s("TIME_WAIT")) + nil())
    + HANDSHAKE,
}


def main():
    out = os.path.join(HERE, "corpus-lua")
    os.makedirs(out, exist_ok=True)
    for name, prog in SEEDS.items():
        # run straight through; the same in slices with evals (mode 2); with a goals file (mode 3)
        # mode 2: after each slice of 4 steps, an eval of `M(0, A, "sockets", A)` (or nothing
        # once the scenario has ended); mode 3: a goals file with one goal, state = "TIME_WAIT"
        evals = bytes([3, 0, 0, 3, 0, 0, 0, 0, 0]) * 4
        goals = bytes([1, 0, 0, 0, 0, 0, STRINGS.index("TIME_WAIT"), 0])
        for mode, tail in ((0, b""), (2, evals), (3, goals)):
            data = bytes([mode, 1, len(prog)]) + b"".join(prog) + tail
            with open(os.path.join(out, "seed-%s-%d" % (name, mode)), "wb") as fp:
                fp.write(data)


if __name__ == "__main__":
    main()
