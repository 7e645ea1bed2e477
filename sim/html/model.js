/*
 * tcpsim's web page, 1 of 3 (sim/html/model.js): the run, from the events out_html.c wrote
 * inline (#tcpsim-events, one object per event, each with the TCB of the socket it names) and
 * the run's facts (#tcpsim-meta: title, verdict, the names of the states, the edges of RFC
 * 9293's state diagram): its sockets, their state changes, each segment's fate (delivered,
 * lost; a retransmission or not), and the trace as text. No framework, nothing fetched: the
 * page works from a file, offline.
 *
 * The three files (model.js, views.js, page.js) run in this order as one script, inside one
 * block that out_html.c opens in strict mode, so they share their declarations.
 */

const SVGNS = 'http://www.w3.org/2000/svg';
const EV = JSON.parse(document.getElementById('tcpsim-events').textContent);
const META = JSON.parse(document.getElementById('tcpsim-meta').textContent);
const STATES = META.states;
const MARK_INJECTED = 8; /* WIRE_MARK_INJECTED (wire.h) */

/* ---- small helpers ------------------------------------------------------------------ */

function html(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
}

function svg(tag, attrs, text) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
}

function tip(e, text) {
    e.appendChild(svg('title', {}, text));
    return e;
}

function secs(t) {
    return t.toFixed(t < 10 ? 3 : 1) + ' s';
}

function stateName(s) {
    return STATES[s] ? STATES[s].rfc : '?';
}

/* RFC 1982 serial arithmetic on 32 bits: is a after b? */
function seqAfter(a, b) {
    return ((a - b) | 0) > 0;
}

/* ---- the model: sockets, their states, segments ------------------------------------- */

const N = EV.length;
const tEnd = N ? EV[N - 1].t : 0;
const socks = new Map(); /* conn id -> {id, name, host, first, changes: [event index]} */

function sockOf(e, i) {
    if (!e.c || !e.s) return null;
    let s = socks.get(e.c);
    if (!s) {
        s = { id: e.c, name: e.s, host: e.s.charAt(0), first: i, changes: [], after: false, gapState: 0 };
        socks.set(e.c, s);
    }
    return s;
}

/* A long run's page (out_html.c, docs/outputs.md): the events between the first and the
   last ones the page holds are one 'gap' event, with the state there of every socket the
   events after it name that had a state before them. Past the gap the page shows the sockets
   named after it only. */
const GAP = EV.findIndex(function (e) { return e.k === 'gap'; });

/* Sockets are named by events that concern them; segment events name the sender (an
   arrival may name either end), so only those that are sure count. */
EV.forEach(function (e, i) {
    if (e.k === 'gap') {
        e.socks.forEach(function (g) {
            const s = sockOf(g, i);
            s.after = true;
            s.gapState = g.st;
            s.changes.push(i);
        });
        return;
    }
    if (e.k === 'deliver' || e.k === 'drop' || e.k === 'dup' || e.k === 'delay') return;
    const s = sockOf(e, i);
    if (s && GAP >= 0 && i > GAP) s.after = true;
    if (s && e.k === 'state') s.changes.push(i);
});
const sockList = Array.from(socks.values()).sort(function (a, b) { return a.id - b.id; });
const stateChanges = [];
EV.forEach(function (e, i) { if (e.k === 'state' || e.k === 'gap') stateChanges.push(i); });

/* With many sockets (a server's thousands of clients) the views drawn per socket (timeline,
   TCB, time-sequence graph) show the one chosen (#pick), not hundreds; the list of sockets
   at the cursor names them all, with a count per state. */
const DETAIL = 8;
const MANY = sockList.length > DETAIL;
let picked = MANY && sockList.length ? sockList[0].id : null;
function isPicked(s) {
    return picked === null || s.id === picked;
}

/* What the page left out, in words; '' when it holds the whole run. */
function gapText(e) {
    return '\u2026 ' + e.skipped + ' events left out (' + e.from + ' to ' + e.n + ', ' + e.t0.toFixed(6) +
        ' s to ' + e.t.toFixed(6) + ' s): this page holds the first and the last of the run\'s ' + META.events +
        ' events, ' + META.budget + ' in all; `tcpsim run --html-events=N` holds N (0: every event)';
}

/* Each segment put on the wire (send, dup) and what became of it. A retransmission is a
   segment whose end is not past what its direction already sent (serial arithmetic, so
   a wrapped sequence space is no retransmission); a new SYN starts a new stream. */
const segs = new Map(); /* wire id -> {i: its send's index, end: index of its delivery or loss, lost, rexmit} */
const streams = new Map();
EV.forEach(function (e, i) {
    if (e.k === 'send' || e.k === 'dup') {
        const g = { i: i, end: -1, lost: false, rexmit: false, injected: (e.marks & MARK_INJECTED) !== 0 };
        segs.set(e.id, g);
        if (e.k !== 'send' || g.injected) return;
        const key = e.from + ':' + e.sport + '>' + e.dport;
        const syn = e.flags.indexOf('SYN') >= 0, fin = e.flags.indexOf('FIN') >= 0;
        const end = (e.seq + e.len + (syn ? 1 : 0) + (fin ? 1 : 0)) >>> 0;
        let st = streams.get(key);
        if (syn && (!st || st.syn !== e.seq)) {
            streams.set(key, { syn: e.seq, high: end });
            return;
        }
        if (!st) {
            streams.set(key, { syn: null, high: end });
            return;
        }
        if (end !== e.seq && !seqAfter(end, st.high)) g.rexmit = true;
        if (seqAfter(end, st.high)) st.high = end;
    } else if (e.k === 'deliver' || e.k === 'drop') {
        const g = segs.get(e.id);
        if (g && g.end < 0) {
            g.end = i;
            g.lost = e.k === 'drop';
        }
    }
});

/* The event index of event number n (the address's #event=n), -1 when none. */
function indexOfNumber(n) {
    for (let i = 0; i < N; i++) if (EV[i].n === n) return i;
    return -1;
}

/* ---- the trace, as text --------------------------------------------------------------- */

function describe(e) {
    const who = e.s || e.h || '';
    switch (e.k) {
    case 'send': return who + ' sends ' + e.from + ' \u2192 ' + e.to + '  ' + e.label + ' win ' + e.win +
        (e.len ? ' len ' + e.len : '') + (segs.get(e.id).rexmit ? '  (retransmission)' : '') +
        ((e.marks & MARK_INJECTED) ? '  (injected)' : '');
    case 'deliver': return e.to + ' receives  ' + e.label;
    case 'drop': return 'lost  ' + e.label + (e.text ? '  (' + e.text + ')' : '');
    case 'dup': return 'the wire duplicates  ' + e.label;
    case 'delay': return 'the wire delays  ' + e.label + ' until ' + e.when.toFixed(6);
    case 'state': return who + '  ' + stateName(e.fs) + ' \u2192 ' + stateName(e.ts) + '  [' + e.rule + ', ' + e.cite + ']';
    case 'rule': return who + '  ' + e.rule + ' [' + e.cite + ']: ' + e.why;
    case 'timer_arm': return who + '  timer ' + e.timer + ' set, expires at ' + e.when.toFixed(6);
    case 'timer_cancel': return who + '  timer ' + e.timer + ' cancelled';
    case 'timer_fire': return who + '  timer ' + e.timer + ' expires';
    case 'call': return who + '  ' + e.text + ' \u2192 ' + (e.err === 'OK' ? 'ok' : e.err);
    case 'say': return '\u201c' + e.text + '\u201d';
    case 'gap': return gapText(e);
    default: return e.k;
    }
}

function buildTrace() {
    const ol = document.getElementById('trace');
    const items = [];
    EV.forEach(function (e) {
        const li = html('li', { value: e.n, class: 'k-' + e.k, 'data-n': e.n });
        li.appendChild(html('a', { href: '#event=' + e.n }, e.t.toFixed(6) + '  ' + describe(e)));
        ol.appendChild(li);
        items.push(li);
    });
    return items;
}
