/*
 * tcpsim's web page, 2 of 3 (sim/html/views.js): the pictures, each drawn once and then only
 * re-marked when the cursor moves (an object with update(p)): the ladder diagram, the state
 * diagram of RFC 9293, each socket's states and timers over time, the time-sequence graph.
 */

/* ---- the ladder (SVG) ------------------------------------------------------------------ */

const LAD = { xa: 150, lane: 340, row: 22, top: 46 };
LAD.xb = LAD.xa + LAD.lane;
LAD.notes = LAD.xb + 150;

function buildLadder() {
    /* a row for every event but timers set and cancelled (the timeline shows those) */
    const rowOf = new Array(N);
    let rows = 0;
    EV.forEach(function (e, i) {
        rowOf[i] = e.k === 'timer_arm' || e.k === 'timer_cancel' ? Math.max(rows - 1, 0) : rows++;
    });
    const y = function (i) { return LAD.top + rowOf[i] * LAD.row; };
    let longest = 0;
    const s = svg('svg', { role: 'img', 'aria-label': 'Ladder diagram: hosts A and B, one arrow per segment' });
    const back = svg('g'), fore = svg('g');
    s.appendChild(back);
    s.appendChild(fore);
    const cursor = svg('rect', { class: 'row-cursor', x: 0, y: -100, width: 10, height: LAD.row });
    back.appendChild(cursor);
    fore.appendChild(svg('text', { x: LAD.xa, y: 16, 'text-anchor': 'middle', 'font-weight': 'bold' }, 'A'));
    fore.appendChild(svg('text', { x: LAD.xb, y: 16, 'text-anchor': 'middle', 'font-weight': 'bold' }, 'B'));
    const bottom = LAD.top + Math.max(rows, 1) * LAD.row;
    fore.appendChild(svg('line', { class: 'lifeline', x1: LAD.xa, y1: 24, x2: LAD.xa, y2: bottom }));
    fore.appendChild(svg('line', { class: 'lifeline', x1: LAD.xb, y1: 24, x2: LAD.xb, y2: bottom }));
    const marks = []; /* [element, index of the event it starts at] */
    const rowEvent = [];
    EV.forEach(function (e, i) {
        if (rowEvent[rowOf[i]] === undefined) rowEvent[rowOf[i]] = i;
        const yy = y(i) + 4;
        let text = null, x = LAD.notes, anchor = 'start', cls = 'note';
        if (e.k === 'state') {
            text = e.s + ' ' + stateName(e.ts);
            cls = 'state-note';
            if (e.h === 'A') { x = LAD.xa - 8; anchor = 'end'; } else x = LAD.xb + 8;
        } else if (e.k === 'call') text = e.s + ': ' + e.text + (e.err === 'OK' ? '' : ' \u2192 ' + e.err);
        else if (e.k === 'say') { text = e.text; cls = 'note say'; }
        else if (e.k === 'rule') text = e.s ? e.s + ': ' + e.rule + ' (' + e.cite + ')' : e.rule + ' (' + e.cite + ')';
        else if (e.k === 'timer_fire') text = e.s + ': ' + e.timer + ' timer expires';
        else if (e.k === 'delay') text = 'wire: delays ' + e.label;
        else if (e.k === 'gap') { text = gapText(e); cls = 'note gap'; }
        if (text === null) return;
        const t = svg('text', { x: x, y: yy, 'text-anchor': anchor, class: cls }, text);
        if (cls === 'state-note') t.classList.add('st-label');
        fore.appendChild(t);
        marks.push([t, i]);
        if (x === LAD.notes) longest = Math.max(longest, text.length);
    });
    segs.forEach(function (g, id) {
        const e = EV[g.i];
        const fromA = e.from === 'A';
        const x1 = fromA ? LAD.xa : LAD.xb, x2 = fromA ? LAD.xb : LAD.xa;
        const y1 = y(g.i);
        let xe = x2, ye;
        if (g.end >= 0 && !g.lost) ye = y(g.end);
        else if (g.end >= 0) { ye = Math.max(y(g.end), y1 + LAD.row); xe = x1 + (x2 - x1) * 0.6; }
        else { ye = y1 + LAD.row; xe = x1 + (x2 - x1) * 0.5; }
        const a = svg('g', { class: 'arrow clickable from-' + e.from + (g.lost ? ' lost' : '') + (g.rexmit ? ' rexmit' : '') +
            (g.end < 0 ? ' open' : ''), 'data-id': id, 'data-n': e.n });
        a.appendChild(svg('line', { x1: x1, y1: y1, x2: xe, y2: ye }));
        const ang = Math.atan2(ye - y1, xe - x1);
        if (g.lost) {
            const c = 6;
            a.appendChild(svg('path', { class: 'cross', d: 'M' + (xe - c) + ' ' + (ye - c) + 'L' + (xe + c) + ' ' + (ye + c) +
                'M' + (xe - c) + ' ' + (ye + c) + 'L' + (xe + c) + ' ' + (ye - c) }));
        } else if (g.end >= 0) {
            const h = 8, w = 0.4;
            a.appendChild(svg('path', { d: 'M' + xe + ' ' + ye + 'L' + (xe - h * Math.cos(ang - w)) + ' ' + (ye - h * Math.sin(ang - w)) +
                'M' + xe + ' ' + ye + 'L' + (xe - h * Math.cos(ang + w)) + ' ' + (ye - h * Math.sin(ang + w)) }));
        }
        /* the label on its own arrow: along it, a third of the way from its start, when
           the arrow is nearly level; else level, on the line just past its start, where
           the arrows of a burst (a row apart) leave room for each one's label */
        const label = e.label + (g.rexmit ? ' (rexmit)' : '') + (g.lost ? ' (lost)' : '') +
            (g.injected ? ' (injected)' : '');
        let lx, ly, deg = 0, anchor = 'middle';
        if (Math.abs(Math.sin(ang)) < 0.3 && !g.lost && g.end >= 0) {
            lx = x1 + (xe - x1) * 0.35;
            ly = y1 + (ye - y1) * 0.35 - 4;
            deg = ang * 180 / Math.PI + (fromA ? 0 : 180);
        } else {
            const k = 14 / Math.abs(Math.sin(ang)) / (LAD.lane || 1);
            lx = x1 + (xe - x1) * Math.min(k, 0.3) + (fromA ? 4 : -4);
            ly = y1 + 4;
            anchor = fromA ? 'start' : 'end';
        }
        a.appendChild(svg('text', { class: 'label', x: lx, y: ly, 'text-anchor': anchor,
            transform: 'rotate(' + deg.toFixed(1) + ' ' + lx.toFixed(1) + ' ' + (ly + 4).toFixed(1) + ')' }, label));
        tip(a, describe(e) + (g.lost ? ' \u2014 lost' : '') + (g.end < 0 ? ' \u2014 still in flight at the end' : ''));
        a.addEventListener('click', function () { setCursor(g.i + 1); });
        fore.appendChild(a);
        marks.push([a, g.i]);
    });
    /* a click on a row's empty space moves the cursor there */
    const hit = svg('rect', { x: 0, y: LAD.top - LAD.row / 2, width: '100%', height: rows * LAD.row, fill: 'transparent', class: 'clickable' });
    hit.addEventListener('click', function (ev) {
        const r = Math.floor((ev.offsetY - LAD.top + LAD.row / 2) / LAD.row);
        if (rowEvent[r] !== undefined) setCursor(rowEvent[r] + 1);
    });
    back.appendChild(hit);
    const width = LAD.notes + Math.max(longest, 20) * 7.3 + 20;
    s.setAttribute('width', width);
    s.setAttribute('height', bottom + 10);
    s.setAttribute('viewBox', '0 0 ' + width + ' ' + (bottom + 10));
    cursor.setAttribute('width', width);
    document.getElementById('ladder').appendChild(s);
    return {
        update: function (p) {
            marks.forEach(function (m) { m[0].classList.toggle('future', m[1] >= p); });
            if (p > 0) cursor.setAttribute('y', y(p - 1) - LAD.row / 2 - 1);
            else cursor.setAttribute('y', -100);
        },
        rowY: function (p) { return p > 0 ? y(p - 1) : 0; },
    };
}

/* ---- the state diagram ------------------------------------------------------------------ */

/* RFC 9293 Figure 5's layout: opening at the top, ESTABLISHED in the middle, the active
   close down the left, the passive close down the right. By enum tcp_state. */
const FSM_POS = [
    [270, 28], [270, 100], [440, 180], [100, 180], [270, 265], [100, 350],
    [40 + 30, 440], [440, 350], [215, 440], [440, 440], [150, 525],
];
const BOX = { w: 118, h: 30 };

function boxEdge(from, to) {
    /* where the line from the centre of 'from' towards 'to' leaves its box */
    const dx = to[0] - from[0], dy = to[1] - from[1];
    const sx = dx ? (BOX.w / 2) / Math.abs(dx) : Infinity, sy = dy ? (BOX.h / 2) / Math.abs(dy) : Infinity;
    const k = Math.min(sx, sy, 1);
    return [from[0] + dx * k, from[1] + dy * k];
}

function buildFsm() {
    const W = 560, H = 560;
    const s = svg('svg', { width: '100%', viewBox: '0 0 ' + W + ' ' + H, role: 'img', style: 'max-width: ' + W + 'px',
        'aria-label': 'The TCP state diagram of RFC 9293, with the path the sockets took' });
    const edgesG = svg('g'), takenG = svg('g'), nodesG = svg('g');
    s.appendChild(edgesG); s.appendChild(takenG); s.appendChild(nodesG);
    function curve(f, t, bend) {
        const a = FSM_POS[f], b = FSM_POS[t];
        const mx = (a[0] + b[0]) / 2, my = (a[1] + b[1]) / 2;
        const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
        const cx = mx + bend * (b[1] - a[1]) / len, cy = my - bend * (b[0] - a[0]) / len;
        const p = boxEdge(a, [cx, cy]), q = boxEdge(b, [cx, cy]);
        return { d: 'M' + p[0] + ' ' + p[1] + 'Q' + cx + ' ' + cy + ' ' + q[0] + ' ' + q[1], cx: cx, cy: cy, q: q, c: [cx, cy] };
    }
    const drawn = {};
    META.edges.forEach(function (e) {
        const c = curve(e.from, e.to, 14);
        drawn[e.from + '-' + e.to] = e;
        tip(edgesG.appendChild(svg('path', { class: 'edge' + (e.fig ? '' : ' extra'), d: c.d })),
            stateName(e.from) + ' \u2192 ' + stateName(e.to) + ': ' + e.event + (e.action ? ' / ' + e.action : ''));
    });
    const nodes = STATES.map(function (st, i) {
        const g = svg('g', { class: 'node', 'data-state': st.bsd });
        const p = FSM_POS[i];
        g.appendChild(svg('rect', { x: p[0] - BOX.w / 2, y: p[1] - BOX.h / 2, width: BOX.w, height: BOX.h, rx: 6 }));
        g.appendChild(svg('text', { x: p[0], y: p[1] + 4, 'text-anchor': 'middle' }, st.rfc));
        const who = svg('text', { class: 'who', x: p[0] + BOX.w / 2 + 4, y: p[1] + 4 });
        if (p[0] > 400) who.setAttribute('x', p[0] - BOX.w / 2 - 4), who.setAttribute('text-anchor', 'end');
        g.appendChild(who);
        nodesG.appendChild(g);
        return { g: g, who: who };
    });
    document.getElementById('fsm').appendChild(s);
    return {
        update: function (p, stateAt) {
            while (takenG.firstChild) takenG.removeChild(takenG.firstChild);
            const count = {};
            for (let i = 0; i < p; i++) {
                const e = EV[i];
                if (e.k !== 'state') continue;
                const k = e.fs + '-' + e.ts;
                (count[k] = count[k] || []).push(e.s);
            }
            Object.keys(count).forEach(function (k) {
                const ft = k.split('-').map(Number);
                const c = curve(ft[0], ft[1], 14);
                const path = svg('path', { class: 'edge taken', d: c.d });
                tip(path, stateName(ft[0]) + ' \u2192 ' + stateName(ft[1]) + ' taken by ' + count[k].join(', ') +
                    (drawn[k] ? '' : ' (no edge of the diagram)'));
                takenG.appendChild(path);
                if (count[k].length > 1)
                    takenG.appendChild(svg('text', { class: 'step', x: c.cx, y: c.cy }, '\u00d7' + count[k].length));
            });
            const at = {};
            stateAt.forEach(function (v) { if (v.shown) (at[v.state] = at[v.state] || []).push(v.sock.name); });
            nodes.forEach(function (n, i) {
                const names = at[i] || [];
                n.g.classList.toggle('current', names.length > 0);
                n.who.textContent = names.length > 4 ? names.slice(0, 4).join(' ') + ' +' + (names.length - 4) : names.join(' ');
                n.g.classList.toggle('visited', false);
            });
            for (const k in count) nodes[Number(k.split('-')[1])].g.classList.add('visited');
        },
    };
}

/* ---- the timeline: states and timers per socket ------------------------------------------ */

/* The timeline's time axis: to scale, or one equal step per instant at which something
   happened (a handshake of milliseconds then shows beside a TIME-WAIT of a minute). */
function axisOf(mode, times, tMax, x0, x1) {
    if (mode !== 'events')
        return { x: function (t) { return x0 + (x1 - x0) * t / tMax; }, ticks: null };
    const T = Array.from(new Set(times.concat([0, tMax]))).filter(function (t) { return t <= tMax; })
        .sort(function (a, b) { return a - b; });
    const step = (x1 - x0) / Math.max(T.length - 1, 1);
    const x = function (t) {
        let lo = 0, hi = T.length - 1;
        while (lo < hi) { const m = (lo + hi + 1) >> 1; if (T[m] <= t) lo = m; else hi = m - 1; }
        const frac = lo + 1 < T.length && T[lo + 1] > T[lo] ? (t - T[lo]) / (T[lo + 1] - T[lo]) : 0;
        return x0 + step * (lo + Math.min(Math.max(frac, 0), 1));
    };
    const every = Math.max(1, Math.ceil(T.length / 10));
    return { x: x, ticks: T.filter(function (t, i) { return i % every === 0; }) };
}

function buildTimeline(mode) {
    const W = Math.max(800, document.getElementById('timeline').clientWidth - 10);
    const left = 60, right = 20, stateH = 20, laneH = 13, gap = 10;
    /* the timers of each socket: from set to expiry, cancel or a new setting */
    const rows = sockList.filter(isPicked).map(function (s) {
        const open = {}, bars = [];
        EV.forEach(function (e, i) {
            if (e.c !== s.id || !e.timer) return;
            if (open[e.timer]) {
                const b = open[e.timer];
                b.stop = e.t;
                b.fired = e.k === 'timer_fire';
                b.endI = i;
                delete open[e.timer];
            }
            if (e.k === 'timer_arm') open[e.timer] = { name: e.timer, start: e.t, when: e.when, i: i, stop: null };
            if (open[e.timer]) bars.push(open[e.timer]);
        });
        const lanes = [];
        bars.forEach(function (b) { if (lanes.indexOf(b.name) < 0) lanes.push(b.name); });
        return { sock: s, bars: bars, lanes: lanes };
    });
    let tMax = tEnd;
    rows.forEach(function (r) { r.bars.forEach(function (b) { if (b.stop !== null) tMax = Math.max(tMax, b.stop); }); });
    tMax = Math.max(tMax, 1e-3);
    const times = EV.map(function (e) { return e.t; });
    rows.forEach(function (r) { r.bars.forEach(function (b) { times.push(b.stop === null ? Math.min(b.when, tMax) : b.stop); }); });
    const axis = axisOf(mode, times, tMax, left, W - right);
    const x = axis.x;
    let h = 24;
    rows.forEach(function (r) { r.y = h; h += stateH + r.lanes.length * laneH + gap; });
    const s = svg('svg', { width: '100%', viewBox: '0 0 ' + W + ' ' + (h + 10), role: 'img',
        'aria-label': 'Each socket\'s states over virtual time, with its timers as bars' });
    /* the time axis */
    const step = niceStep(tMax / 8);
    const ticks = axis.ticks || [];
    if (!axis.ticks) for (let t = 0; t <= tMax + 1e-9; t += step) ticks.push(t);
    ticks.forEach(function (t) {
        s.appendChild(svg('line', { x1: x(t), x2: x(t), y1: 14, y2: h, stroke: '#ccc' }));
        s.appendChild(svg('text', { x: x(t), y: 11, 'text-anchor': 'middle' }, axis.ticks ? secs(t) : fmtTick(t, step)));
    });
    rows.forEach(function (r) {
        const sk = r.sock;
        s.appendChild(svg('text', { class: 'sock-name', x: 4, y: r.y + 14 }, sk.name));
        /* the state bars: from each change to the next */
        let st = 0, from = EV[sk.first].t;
        const segsOf = [];
        sk.changes.forEach(function (i) {
            const gap = i === GAP; /* the state is unknown over what the page left out */
            segsOf.push([st, from, gap ? EV[i].t0 : EV[i].t]);
            st = gap ? sk.gapState : EV[i].ts;
            from = EV[i].t;
        });
        segsOf.push([st, from, GAP >= 0 && !sk.after ? EV[GAP].t0 : tEnd]);
        segsOf.forEach(function (b) {
            const w = Math.max(x(b[2]) - x(b[1]), 1);
            const g = svg('g');
            g.appendChild(svg('rect', { class: 'state-bar st-' + b[0], x: x(b[1]), y: r.y, width: w, height: stateH }));
            const name = stateName(b[0]);
            if (w > name.length * 7.3 + 4) g.appendChild(svg('text', { x: x(b[1]) + 3, y: r.y + 14 }, name));
            tip(g, sk.name + ' ' + name + ' from ' + b[1].toFixed(6) + ' s to ' + b[2].toFixed(6) + ' s');
            s.appendChild(g);
        });
        r.bars.forEach(function (b) {
            const yy = r.y + stateH + 2 + r.lanes.indexOf(b.name) * laneH;
            const stop = b.stop === null ? b.when : b.stop;
            const w = Math.max(x(Math.min(stop, tMax)) - x(b.start), 2);
            const g = svg('g');
            g.appendChild(svg('rect', { class: 'timer-bar' + (b.fired ? ' fired' : ''), x: x(b.start), y: yy, width: w, height: laneH - 2 }));
            const label = b.name + ' ' + secs(b.when - b.start);
            if (w > label.length * 5.6 + 4) g.appendChild(svg('text', { class: 'timer-text', x: x(b.start) + 2, y: yy + 8.5 }, label));
            tip(g, sk.name + ' timer ' + b.name + ': set at ' + b.start.toFixed(6) + ' s for ' + b.when.toFixed(6) + ' s, ' +
                (b.stop === null ? 'still running at the end' : (b.fired ? 'expired' : 'cancelled or set again') + ' at ' + b.stop.toFixed(6) + ' s'));
            s.appendChild(g);
        });
    });
    const cursor = svg('line', { class: 'cursor', x1: left, x2: left, y1: 14, y2: h });
    s.appendChild(cursor);
    document.getElementById('timeline').appendChild(s);
    return {
        update: function (p) {
            const t = p > 0 ? EV[p - 1].t : 0;
            cursor.setAttribute('x1', x(t));
            cursor.setAttribute('x2', x(t));
        },
    };
}

function niceStep(raw) {
    const p = Math.pow(10, Math.floor(Math.log10(raw || 1e-3)));
    const m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function fmtTick(t, step) {
    const d = Math.max(0, -Math.floor(Math.log10(step)));
    return t.toFixed(Math.min(d, 6)) + ' s';
}

/* ---- the time-sequence graph (tcptrace's view), one per socket that sent data -------------- */

function buildTsg() {
    const box = document.getElementById('tsg');
    const senders = sockList.filter(function (s) {
        return isPicked(s) && EV.some(function (e) { return e.k === 'send' && e.c === s.id && e.len > 0; });
    });
    if (!senders.length) {
        box.appendChild(html('p', { class: 'hint' }, 'No data moved in this run: no time-sequence graph.'));
        return { update: function () {} };
    }
    const cursors = [];
    senders.forEach(function (sk) {
        const data = [], acks = [];
        let ports = null, t0 = Infinity, t1 = 0, yMax = 1;
        EV.forEach(function (e, i) {
            if (e.k === 'send' && e.c === sk.id && (e.len > 0 || e.flags.indexOf('FIN') >= 0)) {
                const y0 = e.rseq !== undefined ? e.rseq : e.seq;
                const g = segs.get(e.id);
                data.push({ t: e.t, y0: y0, y1: y0 + Math.max(e.len, 1), rexmit: g.rexmit, lost: g.lost, i: i, e: e });
                ports = [e.sport, e.dport];
                t0 = Math.min(t0, e.t); t1 = Math.max(t1, e.t);
                yMax = Math.max(yMax, y0 + e.len);
            }
        });
        EV.forEach(function (e) {
            /* the peer's ACKs as they reach the sender */
            if (e.k === 'deliver' && ports && e.sport === ports[1] && e.dport === ports[0] && e.to === sk.host &&
                e.flags.indexOf('ACK') >= 0 && e.rack !== undefined && e.t >= t0) {
                acks.push({ t: e.t, ack: e.rack, win: e.rack + e.win });
                t1 = Math.max(t1, e.t);
            }
        });
        const W = Math.max(600, box.clientWidth - 10), H = 300, L = 70, B = 30, T = 24;
        const yTop = yMax * 1.15 + 1;
        if (t1 <= t0) t1 = t0 + 1e-3;
        const pad = (t1 - t0) * 0.03;
        const ta = t0 - pad, tb = t1 + pad;
        const x = function (t) { return L + (W - L - 10) * (t - ta) / (tb - ta); };
        const y = function (v) { return T + (H - T - B) * (1 - Math.min(v, yTop) / yTop); };
        const s = svg('svg', { width: '100%', viewBox: '0 0 ' + W + ' ' + H, role: 'img',
            'aria-label': 'Time-sequence graph of the data ' + sk.name + ' sent: sequence number against time' });
        s.appendChild(svg('text', { x: L, y: 14 }, sk.name + ' \u2192 peer: relative sequence number against time' +
            ' (vertical bars: segments; purple: retransmissions; \u00d7: lost; green: ACK; dashed: window)'));
        const ys = niceStep(yTop / 6);
        for (let v = 0; v <= yTop; v += ys) {
            s.appendChild(svg('line', { class: 'grid', x1: L, x2: W - 10, y1: y(v), y2: y(v) }));
            s.appendChild(svg('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
        }
        const xs = niceStep((tb - ta) / 8);
        for (let t = Math.ceil(ta / xs) * xs; t <= tb; t += xs) {
            s.appendChild(svg('line', { class: 'grid', x1: x(t), x2: x(t), y1: T, y2: H - B }));
            s.appendChild(svg('text', { x: x(t), y: H - B + 14, 'text-anchor': 'middle' }, fmtTick(t, xs)));
        }
        s.appendChild(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
        s.appendChild(svg('line', { class: 'axis', x1: L, x2: W - 10, y1: H - B, y2: H - B }));
        function steps(key) {
            let d = '';
            acks.forEach(function (a, k) {
                d += (k ? 'H' + x(a.t) + 'V' : 'M' + x(a.t) + ' ') + y(a[key]);
            });
            return d + (acks.length ? 'H' + x(tb) : '');
        }
        if (acks.length) {
            s.appendChild(svg('path', { class: 'winline', d: steps('win') }));
            s.appendChild(svg('path', { class: 'ackline', d: steps('ack') }));
        }
        data.forEach(function (d) {
            const l = svg('line', { class: 'seg clickable' + (d.rexmit ? ' rexmit' : '') + (d.lost ? ' lost' : ''),
                x1: x(d.t), x2: x(d.t), y1: y(d.y0), y2: y(d.y1) });
            tip(l, describe(d.e) + (d.lost ? ' \u2014 lost' : ''));
            l.addEventListener('click', function () { setCursor(d.i + 1); });
            s.appendChild(l);
            if (d.lost) s.appendChild(svg('text', { x: x(d.t), y: y(d.y1) - 2, 'text-anchor': 'middle', fill: 'currentColor' }, '\u00d7'));
        });
        const cur = svg('line', { class: 'cursor', x1: 0, x2: 0, y1: T, y2: H - B });
        s.appendChild(cur);
        box.appendChild(s);
        cursors.push({ line: cur, x: x, ta: ta, tb: tb });
    });
    return {
        update: function (p) {
            const t = p > 0 ? EV[p - 1].t : 0;
            cursors.forEach(function (c) {
                const xx = c.x(Math.max(c.ta, Math.min(c.tb, t)));
                c.line.setAttribute('x1', xx);
                c.line.setAttribute('x2', xx);
            });
        },
    };
}
