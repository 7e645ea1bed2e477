#!/usr/bin/env python3
"""make_seeds.py - writes the hand-made part of the seed corpus, tests/fuzz/corpus/seed-*.

One small program per starting state and ISN choice, in the opcode encoding of fuzz_tcp.c:
a few sends, receives, in-window segments, closes and clock runs. Rerun after changing the
encoding; inputs found by the fuzzer (make fuzz-merge) sit beside these under their hashes.
"""
import os
import struct

STATES = ["closed", "listen", "syn-sent", "syn-received", "established", "fin-wait-1",
          "fin-wait-2", "close-wait", "closing", "last-ack", "time-wait"]
FOCUS = 0x00
RUN_MS, RUN_100MS, RUN_S, RUN_30S = 0x00, 0x40, 0x80, 0xC0


def run(amount):
    return bytes([9, amount])


def send(n):
    return bytes([3, FOCUS]) + struct.pack(">H", n)


def receive(n):
    return bytes([4, FOCUS]) + struct.pack(">H", n)


def close(kind):  # 0 close, 1 shutdown, 2 abort
    return bytes([5 + 14 * kind, FOCUS])


def inject(flags, seqmode, seqd, ackmode, ackd, wnd, data):
    # fz_op_inject: pick, how, flags, seq (mode, delta), ack (mode, delta), wnd, [mss], len, data
    out = bytes([0, FOCUS, 0, flags, seqmode]) + struct.pack(">h", seqd)
    out += bytes([ackmode]) + struct.pack(">h", ackd) + struct.pack(">H", wnd)
    if flags & 0x02:
        out += struct.pack(">H", 1460)
    return out + struct.pack(">H", len(data)) + data


PROGRAMS = {
    "idle": run(RUN_S | 5) + run(RUN_30S | 40),
    "data": send(300) + run(RUN_MS | 10) + receive(4000) + run(RUN_S | 2),
    "inject-data": inject(0x18, 0, 0, 0, 0, 65535, b"hello") + receive(100) + run(RUN_MS | 5),
    "inject-ooo": inject(0x18, 0, 10, 0, 0, 65535, b"later") + inject(0x18, 0, 0, 0, 0, 65535, b"0123456789")
                  + receive(100),
    "inject-rst": inject(0x04, 0, 0, 0, 0, 0, b"") + run(RUN_MS | 5),
    "inject-syn": inject(0x02, 0, 0, 0, 0, 65535, b"") + run(RUN_MS | 5),
    "inject-fin": inject(0x11, 0, 0, 0, 0, 65535, b"") + run(RUN_MS | 5) + close(0) + run(RUN_30S | 5),
    "close": close(0) + run(RUN_S | 3) + run(RUN_30S | 3),
    "shutdown": close(1) + run(RUN_MS | 10) + receive(10),
    "abort": close(2) + run(RUN_MS | 10),
    "crash": bytes([11]) + run(RUN_S | 5) + send(100) + run(RUN_30S | 40),
    "lossy": send(3000) + bytes([12, 0, 0]) + run(RUN_S | 3) + send(3000) + bytes([12, 2, 1]) + run(RUN_S | 3),
}


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(here, exist_ok=True)
    names = list(PROGRAMS)
    rest = [p for p in names if p not in ("data", "inject-ooo", "close")]
    for s, name in enumerate(STATES):
        # three programs for every state, one more in turn, and the wrap for a few states
        chosen = [("data", 0), ("inject-ooo", 0), ("close", 0), (rest[s % len(rest)], 0)]
        if s % 3 == 1:
            chosen.append(("inject-data", 1))
        for prog, isn in chosen:
            path = os.path.join(here, "seed-%02d-%s-%s%s" % (s, name, prog, "-wrap" if isn else ""))
            with open(path, "wb") as f:
                f.write(bytes([s, isn]) + PROGRAMS[prog])


if __name__ == "__main__":
    main()
