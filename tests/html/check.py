#!/usr/bin/env python3
"""check.py - the web pages of runs (issue #18), checked in a real browser, headless Chromium.

    python3 tests/html/check.py TCPSIM OUTDIR SCENARIO... [FILE.pkt...]

For every SCENARIO: `tcpsim run --trace=jsonl --timers --html` writes the page and the JSON
trace of the same run; the page must be under 1 MB, and in the browser, after its JavaScript
ran, (1) the console shows no error and no exception was thrown, (2) the ladder has one arrow
per segment put on the wire (send and dup events), (3) at several cursor positions (the start,
every state change, the end), reached through the address (#event=N), each socket's state shown
equals the trace's. On two pages (01-handshake, 25-lossy-transfer) the controls are driven as a
user would: buttons clicked, keys pressed, the slider moved, a trace line clicked, play; a
screenshot of each is kept in OUTDIR. Last, `tcpsim test --html` writes a page per scenario
and an index linking them all, which must load without errors too. A packetdrill script
(FILE.pkt) is run by `tcpsim pkt --trace=jsonl --html` and its page checked as a scenario's.

A long run's page (more events than the writer's budget, out_html.c) holds the first and the
last events and one "gap" event for the rest: the page must hold exactly those (the numbers of
its trace lines against the JSON trace), its arrows are counted over the segments it holds,
and its states are checked at the positions it holds (the gap, numbered as the last event
left out, included), for the sockets it shows; at each, every socket whose state change the
page holds in that part, and past the gap every socket it lists, must be shown.

The browser is driven over the DevTools protocol by tests/html/cdp.py (stdlib only).
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

MAX_PAGE = 1 << 20
BUDGET = 1500  # OUT_HTML_EVENTS (include/tcpsim/out.h)
CONTROL_PAGES = ("01-handshake", "25-lossy-transfer")
failures = []


def fail(page, what):
    failures.append("%s: %s" % (page, what))
    print("FAIL %s: %s" % (page, what))


def run_scenario(tcpsim, script, outdir):
    pkt = script.endswith(".pkt")
    name = os.path.basename(script)[:-4]
    page = os.path.join(outdir, name + ".html")
    cmd = ["pkt", "--trace=jsonl"] if pkt else ["run", "--trace=jsonl", "--timers"]
    r = subprocess.run([tcpsim] + cmd + ["--html", page, script],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        fail(name, "tcpsim run exited %d: %s" % (r.returncode, r.stderr.strip()[-300:]))
        return name, page, None
    events = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    return name, page, events


def expected_states(events, n):
    """Each socket's state after the events numbered up to n, from the JSON trace."""
    st = {}
    for e in events:
        if e["n"] > n:
            break
        if e["kind"] == "state":
            st[e["sock"]] = e["to_state"]
    return st


def shown_states(b):
    return b.eval("Array.from(document.querySelectorAll('#sockets li[data-sock]'))"
                  ".map(function (l) { return [l.dataset.sock, l.dataset.state]; })")


def cursor(b):
    return int(b.eval("document.body.dataset.cursor"))


def go(b, n):
    want = "#event=%d" % n
    b.eval("location.hash = '%s'" % want)
    deadline = time.monotonic() + 20  # a long page on a busy machine (returns when there)
    while cursor(b) != n and time.monotonic() < deadline:
        time.sleep(0.02)
        # seen once in a while on 41-port-exhaustion after 40-sack: the address back at the
        # previous position, the hashchange lost (cause not found); set it again
        if cursor(b) != n and b.eval("location.hash") != want:
            b.eval("location.hash = '%s'" % want)


def page_events(b):
    return b.eval("JSON.parse(document.getElementById('tcpsim-events').textContent)"
                  ".map(function (e) { return e.k === 'gap' ? {n: e.n, k: 'gap', socks: e.socks.map(function (g) { return g.s; })}"
                  " : {n: e.n, k: e.k, s: e.s || null}; })")


def expected_held(events):
    """The event numbers a page holds: every one, or the first and last halves of the budget
    with the gap, numbered as the last event left out, between them."""
    ns = [e["n"] for e in events]
    if len(ns) <= BUDGET:
        return ns, None
    head, tail = BUDGET // 2, BUDGET - BUDGET // 2
    return ns[:head] + [ns[-tail - 1]] + ns[-tail:], ns[-tail - 1]


def check_states(b, name, events, held):
    """States at the positions the page holds; 'held' is the page's events (page_events)."""
    gap = next((e for e in held if e["k"] == "gap"), None)
    changes = [e["n"] for e in held if e["k"] in ("state", "gap")]
    for n in [0] + changes + [events[-1]["n"]]:
        go(b, n)
        if cursor(b) != n:
            fail(name, "#event=%d: the cursor is at %d" % (n, cursor(b)))
            continue
        want = expected_states(events, n)
        got = dict(shown_states(b))
        if gap is None:
            must = set(want)
        elif n < gap["n"]:
            must = {e["s"] for e in held if e["k"] == "state" and e["n"] <= n}
        else:
            must = set(gap["socks"])
        for sock in must:
            if got.get(sock) != want.get(sock, "CLOSED"):
                fail(name, "at event %d socket %s shows %s, the trace says %s" % (n, sock, got.get(sock), want.get(sock)))
        for sock, state in got.items():
            if sock not in must and want.get(sock, "CLOSED") != state:
                fail(name, "at event %d socket %s shows %s, the trace says %s" % (n, sock, state, want.get(sock)))


def check_page(b, name, page, events):
    size = os.path.getsize(page)
    if size >= MAX_PAGE:
        fail(name, "the page is %d bytes, not under 1 MB (not opened)" % size)
        return
    b.errors.clear()
    b.navigate("file://" + os.path.abspath(page))
    if b.eval("document.body.dataset.ready") != "1":
        fail(name, "the page's script did not finish")
        return
    held = page_events(b)
    want_ns, gap_n = expected_held(events)
    timers = any(e["kind"] == "timer_arm" for e in events)  # the pkt trace prints no timer set
    if not timers:  # so the page holds more events than the trace shows: those it shows
        ns = {e["n"] for e in events}
        want_ns, gap_n = [e["n"] for e in held if e["n"] in ns], None
        held = [e for e in held if e["n"] in ns]
    if [e["n"] for e in held] != want_ns:
        fail(name, "the page holds %d events, not the %d expected (%s)" % (len(held), len(want_ns), "the first and last halves" if gap_n is not None else "all"))
        return
    if (gap_n is None) != all(e["k"] != "gap" for e in held):
        fail(name, "the page's gap is %s" % ("missing" if gap_n is not None else "there, but nothing was left out"))
    kept = set(want_ns) - ({gap_n} if gap_n is not None else set())
    arrows = b.eval("document.querySelectorAll('#ladder g.arrow').length")
    segments = sum(1 for e in events if e["kind"] in ("send", "dup") and e["n"] in kept)
    if arrows != segments:
        fail(name, "the ladder has %d arrows for %d segments" % (arrows, segments))
    lines = b.eval("document.querySelectorAll('#trace li').length")
    if timers and lines != len(held):
        fail(name, "the trace has %d lines for %d events" % (lines, len(held)))
    if gap_n is not None:
        said = b.eval("document.getElementById('cut').hidden ? '' : document.getElementById('cut').textContent")
        if str(len(events)) not in said or "--html-events" not in said:
            fail(name, "the page does not say what it left out: %r" % said)
    socks = b.eval("document.querySelectorAll('#pick option').length")
    rows = b.eval("document.querySelectorAll('#timeline text.sock-name').length")
    if socks > 8 and rows != 1 or socks == 0 and rows > 8:  # model.js DETAIL: many sockets, one chosen
        fail(name, "%d sockets to choose from, and the timeline draws %d" % (socks, rows))
    if socks > 8:  # choose the last socket: the timeline draws it, the cursor stays
        at = cursor(b)
        last = b.eval("(function () { var p = document.getElementById('pick'); p.selectedIndex = p.options.length - 1; "
                      "p.dispatchEvent(new Event('change')); return p.options[p.selectedIndex].textContent; })()")
        drawn = b.eval("Array.from(document.querySelectorAll('#timeline text.sock-name')).map(function (t) { return t.textContent; })")
        if drawn != [last] or cursor(b) != at:
            fail(name, "socket %s chosen: the timeline draws %s, the cursor is at %d (was %d)" % (last, drawn, cursor(b), at))
    check_states(b, name, events, held)
    if b.errors:
        fail(name, "the console says: " + "; ".join(b.errors))


def check_controls(b, name, events, outdir):
    """The controls move the cursor, as a user moves them."""
    ns = [e["n"] for e in events]
    changes = [e["n"] for e in events if e["kind"] == "state"]
    b.errors.clear()

    def expect(what, want):
        got = cursor(b)
        if got != want:
            fail(name, "%s: the cursor is at %d, expected %d" % (what, got, want))

    def click(sel):
        b.eval("document.querySelector('%s').click()" % sel)

    click("#first")
    expect("the start button", 0)
    click("#next")
    expect("the next-event button", ns[0])
    b.key("ArrowRight")
    expect("the Right key", ns[1])
    b.key("ArrowLeft")
    expect("the Left key", ns[0])
    click("#next-state")
    expect("the next-state button", changes[0])
    b.key("ArrowDown")
    expect("the Down key", changes[1])
    b.key("ArrowLeft", shift=True)
    expect("Shift+Left", changes[0])
    click("#prev-state")
    expect("the previous-state button", 0)
    b.key("End")
    expect("the End key", ns[-1])
    b.key("Home")
    expect("the Home key", 0)
    click("#last")
    expect("the end button", ns[-1])
    click("#prev")
    expect("the previous-event button", ns[-2])
    if b.eval("location.hash") != "#event=%d" % ns[-2]:
        fail(name, "the address does not keep the position: %s" % b.eval("location.hash"))
    # the slider, moved to the time of an event in the middle
    mid = events[len(events) // 2]
    last_at = max(e["n"] for e in events if e["t"] <= mid["t"])
    b.eval("(function () { var s = document.getElementById('time'); s.value = %r; "
           "s.dispatchEvent(new Event('input', {bubbles: true})); })()" % mid["t"])
    expect("the slider at %s s" % mid["t"], last_at)
    # a line of the trace
    b.eval("document.querySelectorAll('#trace li a')[4].click()")
    deadline = time.monotonic() + 5
    while cursor(b) != ns[4] and time.monotonic() < deadline:
        time.sleep(0.02)
    expect("a click on the fifth trace line", ns[4])
    # play at 25 events a second, then pause
    b.key("Home")
    b.eval("document.getElementById('speed').value = '25'")
    b.eval("document.activeElement && document.activeElement.blur()")
    b.key(" ")
    time.sleep(0.6)
    b.key(" ")
    moved = cursor(b)
    if moved == 0 or b.eval("document.body.classList.contains('playing')"):
        fail(name, "Space did not play and pause (cursor %d)" % moved)
    # the timeline's other time axis: drawn again, the cursor kept
    bars = b.eval("document.querySelectorAll('#timeline rect.state-bar').length")
    b.eval("(function () { var a = document.getElementById('axis'); a.value = 'events'; "
           "a.dispatchEvent(new Event('change')); })()")
    if b.eval("document.querySelectorAll('#timeline rect.state-bar').length") != bars or cursor(b) != moved:
        fail(name, "the timeline's axis 'one step per instant' lost bars or the cursor")
    # the plain mode, for printing
    click("#plain")
    if not b.eval("document.body.classList.contains('plain')"):
        fail(name, "the plain mode did not switch on")
    click("#plain")
    # keyboard reachable: every control is a focusable element
    n = b.eval("document.querySelectorAll('nav button, nav select, nav input').length")
    if n < 10:
        fail(name, "only %d controls can take the focus" % n)
    go(b, changes[min(len(changes) - 1, 5)])
    b.eval("window.scrollTo(0, 0)")
    b.screenshot(os.path.join(outdir, name + ".png"))
    if b.errors:
        fail(name, "the console says: " + "; ".join(b.errors))


def check_index(b, tcpsim, scripts, outdir):
    """`tcpsim test --html DIR`: a page per scenario and an index linking them."""
    d = os.path.join(outdir, "test")
    r = subprocess.run([tcpsim, "test", "-j2", "--html", d] + scripts, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        fail("test --html", "exited %d: %s" % (r.returncode, (r.stdout + r.stderr)[-400:]))
        return
    b.errors.clear()
    b.navigate("file://" + os.path.abspath(os.path.join(d, "index.html")))
    links = b.eval("Array.from(document.querySelectorAll('#scenarios a')).map(function (a) { return a.getAttribute('href'); })")
    if len(links) != len(scripts):
        fail("test --html", "the index links %d pages for %d scenarios" % (len(links), len(scripts)))
    for link in links:
        if not os.path.exists(os.path.join(d, link)):
            fail("test --html", "the index links %s, which is not there" % link)
    if links:
        b.navigate("file://" + os.path.abspath(os.path.join(d, links[0])))
        if b.eval("document.body.dataset.ready") != "1":
            fail("test --html", links[0] + ": the page's script did not finish")
    if b.errors:
        fail("test --html", "the console says: " + "; ".join(b.errors))


def check_errors(tcpsim, script, outdir):
    """An output that cannot be written is an error naming it, before anything runs."""
    r = subprocess.run([tcpsim, "run", "--html", "/nonexistent/dir/x.html", script],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 1 or "/nonexistent/dir/x.html" not in r.stderr or r.stdout:
        fail("run --html", "an unwritable FILE: exit %d, %r" % (r.returncode, r.stderr))
    notdir = os.path.join(outdir, "not-a-folder")
    open(notdir, "w").close()
    r = subprocess.run([tcpsim, "test", "--html", notdir, script],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 2 or "not a folder" not in r.stderr:
        fail("test --html", "a DIR that is a file: exit %d, %r" % (r.returncode, r.stderr))


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    tcpsim, outdir, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    scripts = [f for f in files if not f.endswith(".pkt")]
    os.makedirs(outdir, exist_ok=True)
    chromium = cdp.find_chromium()
    if not chromium:
        print("html-check: no chromium on the PATH (make test-deps installs it)")
        return 1
    b = cdp.Browser(chromium)
    try:
        b.open_page()
        for script in files:
            name, page, events = run_scenario(tcpsim, script, outdir)
            if events is None:
                continue
            if not events:
                fail(name, "the JSON trace has no events")
                continue
            try:
                check_page(b, name, page, events)
                if name in CONTROL_PAGES:
                    check_controls(b, name, events, outdir)
            except cdp.CDPError as err:  # a page the browser choked on: say so, go on afresh
                fail(name, "the browser: %s" % err)
                b.close()
                b = cdp.Browser(chromium)
                b.open_page()
        check_index(b, tcpsim, scripts, outdir)
        check_errors(tcpsim, scripts[0], outdir)
    finally:
        b.close()
    print("html-check: %d scenario pages, %d packetdrill pages, %s" % (len(scripts), len(files) - len(scripts), "%d failures" % len(failures) if failures else "all good"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
