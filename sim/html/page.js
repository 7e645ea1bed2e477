/*
 * tcpsim's web page, 3 of 3 (sim/html/page.js): the panel "At the cursor", the cursor and the
 * controls, and the start; model.js and views.js come first.
 *
 * One cursor in time drives every view. The cursor is a count p of events applied (0: before
 * the first); "event N" in the address (#event=N) is the event numbered N in the trace, so p
 * is its index + 1. Views drawn once (the ladder, the diagrams, the trace) only change their
 * marks when the cursor moves; the panel "At the cursor" is redrawn.
 *
 * For the browser test (tests/html/check.py) the page exposes what it shows in the DOM:
 * body[data-cursor] is the event number at the cursor, #sockets li[data-sock][data-state]
 * each socket's state there (BSD spelling, as the JSON trace writes it), and the ladder has
 * one g.arrow per segment put on the wire.
 */

/* ---- the panel "At the cursor" ------------------------------------------------------------ */

const TCB_ROWS = [
    ['SND.UNA', 'snd_una'], ['SND.NXT', 'snd_nxt'], ['SND.WND', 'snd_wnd'], ['ISS', 'iss'],
    ['RCV.NXT', 'rcv_nxt'], ['RCV.WND', 'rcv_wnd'], ['IRS', 'irs'], ['RTO', 'rto'], ['SRTT', 'srtt'],
];

/* What each socket is at cursor p: its state, the last change, its TCB. */
function stateAt(p) {
    const out = new Map();
    sockList.forEach(function (s) {
        out.set(s.id, { sock: s, shown: s.first < p && (GAP < 0 || p <= GAP || s.after), state: 0, change: -1, tcb: null, tcbPrev: null });
    });
    for (let i = 0; i < p; i++) {
        const e = EV[i];
        if (i === GAP) { /* past the gap: its states; the TCBs before it are old news */
            out.forEach(function (v) { v.tcb = v.tcbPrev = null; v.change = -1; });
            e.socks.forEach(function (g) { out.get(g.c).state = g.st; });
            continue;
        }
        const v = out.get(e.c);
        if (!v) continue;
        if (e.k === 'state' && e.c === v.sock.id) {
            v.state = e.ts;
            v.change = i;
        }
        if (e.tcb && (e.k !== 'deliver' || e.s === v.sock.name)) {
            v.tcbPrev = v.tcb;
            v.tcb = e.tcb;
        }
    }
    return out;
}

function tcbValue(k, v) {
    return k === 'rto' || k === 'srtt' ? (v ? (v * 1000).toFixed(1) + ' ms' : '\u2014') : String(v);
}

function updateNow(p, at) {
    const ul = document.getElementById('sockets');
    ul.textContent = '';
    const shown = [];
    at.forEach(function (v) {
        if (!v.shown) return;
        shown.push(v);
        const st = STATES[v.state];
        const li = html('li', { class: 'host-' + v.sock.host, 'data-sock': v.sock.name, 'data-state': st.bsd });
        li.appendChild(document.createTextNode(v.sock.name + ' (host ' + v.sock.host + '): '));
        li.appendChild(html('span', { class: 'state' }, st.rfc));
        if (v.change >= 0) {
            const e = EV[v.change];
            li.appendChild(document.createTextNode(' since ' + e.t.toFixed(6) + ' s, by ' + e.rule + ' (' + e.cite + ')'));
        }
        ul.appendChild(li);
    });
    if (!shown.length) ul.appendChild(html('li', {}, 'No socket yet.'));
    const count = {};
    shown.forEach(function (v) { count[v.state] = (count[v.state] || 0) + 1; });
    document.getElementById('counts').textContent = MANY ? shown.length + ' sockets: ' + Object.keys(count).map(function (st) {
        return count[st] + ' ' + stateName(Number(st));
    }).join(', ') : '';
    /* the rule of the last transition, and the narration */
    let last = -1, say = -1;
    for (let i = p - 1; i >= 0 && (last < 0 || say < 0); i--) {
        if (last < 0 && EV[i].k === 'state') last = i;
        if (say < 0 && EV[i].k === 'say') say = i;
    }
    const rule = document.getElementById('rule');
    if (last >= 0) {
        const e = EV[last];
        rule.textContent = 'Last transition: ' + e.s + ' ' + stateName(e.fs) + ' \u2192 ' + stateName(e.ts) +
            ', rule ' + e.rule + ' (' + e.cite + '): ' + e.why;
    } else rule.textContent = 'No transition yet.';
    document.getElementById('narration').textContent = say >= 0 ? 'Narration: \u201c' + EV[say].text + '\u201d' : '';
    /* the TCB of every socket shown that has one */
    const withTcb = shown.filter(function (v) { return v.tcb && isPicked(v.sock); });
    const table = document.getElementById('tcb');
    const thead = table.tHead, tbody = table.tBodies[0];
    thead.textContent = '';
    tbody.textContent = '';
    table.hidden = withTcb.length === 0;
    const hr = html('tr');
    hr.appendChild(html('th', { scope: 'col' }, 'variable'));
    withTcb.forEach(function (v) { hr.appendChild(html('th', { scope: 'col' }, v.sock.name + ' ' + STATES[v.state].rfc)); });
    thead.appendChild(hr);
    TCB_ROWS.forEach(function (r) {
        const tr = html('tr');
        tr.appendChild(html('th', { scope: 'row' }, r[0]));
        withTcb.forEach(function (v) {
            const td = html('td', { 'data-sock': v.sock.name, 'data-var': r[1] }, tcbValue(r[1], v.tcb[r[1]]));
            if (v.tcbPrev && v.tcbPrev[r[1]] !== v.tcb[r[1]]) {
                td.classList.add('changed');
                td.title = 'changed (was ' + tcbValue(r[1], v.tcbPrev[r[1]]) + ')';
            }
            tr.appendChild(td);
        });
        tbody.appendChild(tr);
    });
}

/* ---- the cursor and the controls ------------------------------------------------------------- */

let cur = 0, views = [], traceItems = [], timer = null;
const slider = document.getElementById('time');
const position = document.getElementById('position');

function setCursor(p, fromAddress) {
    p = Math.max(0, Math.min(N, p | 0));
    const old = traceItems[cur - 1];
    if (old) old.classList.remove('current');
    cur = p;
    const at = stateAt(p);
    views.forEach(function (v) { v.update(p, at); });
    updateNow(p, at);
    traceItems.forEach(function (li, i) { li.classList.toggle('future', i >= p); });
    const item = traceItems[p - 1];
    if (item) {
        item.classList.add('current');
        const ol = item.parentNode;
        if (item.offsetTop < ol.scrollTop || item.offsetTop > ol.scrollTop + ol.clientHeight - 20)
            ol.scrollTop = item.offsetTop - ol.clientHeight / 2;
    }
    const ladder = document.getElementById('ladder');
    const ly = views[0] ? views[0].rowY(p) : 0;
    if (ly && (ly < ladder.scrollTop + 30 || ly > ladder.scrollTop + ladder.clientHeight - 30))
        ladder.scrollTop = ly - ladder.clientHeight / 2;
    const n = p > 0 ? EV[p - 1].n : 0;
    document.body.setAttribute('data-cursor', n);
    slider.value = p > 0 ? EV[p - 1].t : 0;
    position.textContent = p > 0 ? 'event ' + n + ' (' + p + ' of ' + N + '), t = ' + EV[p - 1].t.toFixed(6) + ' s, ' + EV[p - 1].k
        : 'start (0 of ' + N + ' events)';
    if (!fromAddress && window.history && history.replaceState) {
        try {
            history.replaceState(null, '', '#event=' + n + (document.body.classList.contains('plain') ? '&plain' : ''));
        } catch (err) {
            /* some browsers refuse replaceState on file: pages; the position is then not kept */
        }
    }
}

function nextState(dir) {
    if (dir > 0) {
        for (let k = 0; k < stateChanges.length; k++) if (stateChanges[k] + 1 > cur) return setCursor(stateChanges[k] + 1);
        return setCursor(N);
    }
    for (let k = stateChanges.length - 1; k >= 0; k--) if (stateChanges[k] + 1 < cur) return setCursor(stateChanges[k] + 1);
    return setCursor(0);
}

function play(on) {
    const btn = document.getElementById('play');
    if (timer) clearInterval(timer);
    timer = null;
    if (on) {
        if (cur >= N) setCursor(0);
        timer = setInterval(function () {
            if (cur >= N) return play(false);
            setCursor(cur + 1);
        }, 1000 / Number(document.getElementById('speed').value));
    }
    btn.textContent = on ? '\u275A\u275A pause' : '\u25B6 play';
    btn.setAttribute('aria-label', on ? 'Pause' : 'Play');
    document.body.classList.toggle('playing', on);
}

function fromAddress() {
    const h = window.location.hash.replace(/^#/, '');
    const params = {};
    h.split('&').forEach(function (kv) {
        const m = kv.split('=');
        if (m[0]) params[m[0]] = m.length > 1 ? m[1] : '';
    });
    if ('plain' in params) setPlain(true);
    if ('event' in params) {
        const n = parseInt(params.event, 10);
        if (n === 0) return setCursor(0, true);
        const i = indexOfNumber(n);
        if (i >= 0) setCursor(i + 1, true);
    }
}

function setPlain(on) {
    document.body.classList.toggle('plain', on);
    document.getElementById('plain').checked = on;
}

function wire() {
    const on = function (id, fn) { document.getElementById(id).addEventListener('click', fn); };
    on('first', function () { play(false); setCursor(0); });
    on('prev', function () { play(false); setCursor(cur - 1); });
    on('next', function () { play(false); setCursor(cur + 1); });
    on('last', function () { play(false); setCursor(N); });
    on('prev-state', function () { play(false); nextState(-1); });
    on('next-state', function () { play(false); nextState(1); });
    on('play', function () { play(!timer); });
    document.getElementById('axis').addEventListener('change', function (ev) {
        document.getElementById('timeline').textContent = '';
        views[2] = buildTimeline(ev.target.value);
        setCursor(cur, true);
    });
    const pick = document.getElementById('pick');
    if (MANY) {
        document.getElementById('pick-box').hidden = false;
        sockList.forEach(function (sk) { pick.appendChild(html('option', { value: sk.id }, sk.name)); });
        pick.addEventListener('change', function () {
            picked = Number(pick.value);
            document.getElementById('timeline').textContent = '';
            document.getElementById('tsg').textContent = '';
            views[2] = buildTimeline(document.getElementById('axis').value);
            views[3] = buildTsg();
            setCursor(cur, true);
        });
    }
    document.getElementById('speed').addEventListener('change', function () { if (timer) play(true); });
    document.getElementById('plain').addEventListener('change', function (ev) { setPlain(ev.target.checked); setCursor(cur); });
    slider.max = tEnd > 0 ? tEnd : 1;
    slider.addEventListener('input', function () {
        const v = Number(slider.value);
        let p = 0;
        while (p < N && EV[p].t <= v) p++;
        play(false);
        setCursor(p);
    });
    window.addEventListener('hashchange', fromAddress);
    document.addEventListener('keydown', function (ev) {
        const tag = ev.target && ev.target.tagName;
        if (ev.altKey || ev.ctrlKey || ev.metaKey || tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
        let done = true;
        switch (ev.key) {
        case 'ArrowRight': play(false); if (ev.shiftKey) nextState(1); else setCursor(cur + 1); break;
        case 'ArrowLeft': play(false); if (ev.shiftKey) nextState(-1); else setCursor(cur - 1); break;
        case 'ArrowDown': play(false); nextState(1); break;
        case 'ArrowUp': play(false); nextState(-1); break;
        case 'Home': play(false); setCursor(0); break;
        case 'End': play(false); setCursor(N); break;
        case ' ':
        case 'k':
            if (tag === 'BUTTON' || tag === 'A') { done = false; break; }
            play(!timer);
            break;
        default: done = false;
        }
        if (done) ev.preventDefault();
    });
}

/* ---- the page ----------------------------------------------------------------------------- */

function header() {
    document.title = (META.title || 'tcpsim run') + ' \u2014 tcpsim';
    document.getElementById('title').textContent = META.title || 'tcpsim run';
    document.getElementById('summary').textContent = META.summary || '';
    const facts = document.getElementById('facts');
    facts.textContent = (META.file ? META.file + ' \u00b7 ' : '') + 'seed ' + META.seed + ' \u00b7 preset ' + META.preset +
        ' \u00b7 ' + N + ' events over ' + tEnd.toFixed(6) + ' s of virtual time \u00b7 ';
    const v = html('span', { class: META.passed ? 'verdict-pass' : 'verdict-fail' },
        META.passed ? 'passed' : 'FAILED' + (META.message ? ': ' + META.message : ''));
    facts.appendChild(v);
    if (GAP >= 0) {
        const cut = document.getElementById('cut');
        cut.hidden = false;
        cut.textContent = 'A long run: this page shows ' + (N - 1) + ' of its ' + META.events + ' events in detail, the first and the last; the ' +
            EV[GAP].skipped + ' between them are one line of the trace and one row of the ladder, where each socket still named after them gets its state there. ' +
            'At the end of the run the ' + sockTotal() + ' sockets were: ' + META.count.map(function (c, st) { return c ? c + ' ' + stateName(st) : ''; })
                .filter(Boolean).join(', ') + '. For more detail: tcpsim run FILE --html-events=N --html PAGE (0: every event), or --events FILE (every event as JSON lines).';
    }
}

function sockTotal() {
    return META.count.reduce(function (a, b) { return a + b; }, 0);
}

header();
traceItems = buildTrace();
views = [buildLadder(), buildFsm(), buildTimeline('linear'), buildTsg()];
wire();
setCursor(0, true);
fromAddress();
document.body.setAttribute('data-ready', '1');
