// dagger dashboard: renders the runtime's live state (server-sent events from
// /events) or one embedded snapshot (window.DAGGER_REPORT, a report file).
// No network access other than the page's own server.
(function () {
  'use strict';

  var MAX_SPANS = 50000;       // spans kept in memory (the oldest are dropped)
  var LIVE_WINDOW_S = 10;      // time range of the task stream in live mode
  var HISTORY_S = 300;         // samples kept for the charts
  var CHART_INTERVAL_MS = 500; // charts are redrawn at most this often (live)
  var STREAM_INTERVAL_MS = 50; // the stream is redrawn at most this often (live)

  var CAT_COMPUTE = 0, CAT_MOVE = 1, CAT_COMM = 2, CAT_SPILL = 3, CAT_SCHED = 4;
  var CAT_NAMES = ['compute', 'move', 'comm', 'spill', 'scheduler'];
  var MOVE_COLOR = '#9aa0a6';
  var COMM_COLOR = '#f28e2b';
  var COMM_OUTLINE = '#9a4d00';
  var SPILL_COLOR = '#d62728';

  // Colours for functions (index into the function list), chosen to stay
  // apart from the fixed transfer colours (grey, orange, red).
  var PALETTE = ['#4e79a7', '#59a14f', '#b07aa1', '#76b7b2', '#edc948',
    '#9c755f', '#1f77b4', '#8cd17d', '#d4a6c8', '#499894', '#b6992d', '#6b5b95',
    '#a0cbe8', '#2ca02c', '#e377c2', '#17becf'];
  var SERIES_COLORS = ['#4e79a7', '#e15759', '#59a14f', '#f28e2b', '#b07aa1',
    '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#17becf', '#bcbd22', '#7f7f7f'];

  function fnColor(i) {
    if (i == null || i < 0) return '#8d8d8d';
    if (i < PALETTE.length) return PALETTE[i];
    var hue = (i * 137.508) % 360;
    var light = 42 + (i % 3) * 9;
    return 'hsl(' + hue.toFixed(1) + ',55%,' + light + '%)';
  }
  function seriesColor(i) { return SERIES_COLORS[i % SERIES_COLORS.length]; }

  // ---- formatting -------------------------------------------------------
  function fmtBytes(v) {
    if (v == null || !isFinite(v)) return '–';
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    var neg = v < 0; v = Math.abs(v);
    var u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    var s = u === 0 ? String(Math.round(v)) : (v >= 100 ? v.toFixed(0) : v.toFixed(1));
    return (neg ? '-' : '') + s + ' ' + units[u];
  }
  function fmtRate(v) { return fmtBytes(v) + '/s'; }
  function fmtDuration(s) {
    if (s == null || !isFinite(s)) return '–';
    if (s < 0) s = 0;
    if (s < 1e-3) return (s * 1e6).toFixed(0) + ' µs';
    if (s < 1) return (s * 1e3).toFixed(s < 0.01 ? 2 : 1) + ' ms';
    if (s < 60) return s.toFixed(s < 10 ? 2 : 1) + ' s';
    var m = Math.floor(s / 60), r = s - m * 60;
    if (m < 60) return m + ' min ' + r.toFixed(0) + ' s';
    var h = Math.floor(m / 60);
    return h + ' h ' + (m % 60) + ' min';
  }
  function fmtUptime(s) {
    if (!isFinite(s) || s < 0) s = 0;
    if (s < 60) return s.toFixed(1) + ' s';
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = Math.floor(s % 60);
    function two(n) { return n < 10 ? '0' + n : String(n); }
    return (h > 0 ? h + ':' + two(m) : String(m)) + ':' + two(r);
  }
  function fmtCount(n) { return Number(n || 0).toLocaleString('en-US'); }

  // ---- DOM helpers ------------------------------------------------------
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function setText(e, text) { if (e.textContent !== text) e.textContent = text; }
  function setAttr(e, name, value) {
    value = String(value);
    if (e.getAttribute(name) !== value) e.setAttribute(name, value);
  }
  function num(v) { v = Number(v); return isFinite(v) ? v : 0; }

  // ---- state ------------------------------------------------------------
  var state = {
    mode: 'live',
    connection: 'connecting',
    t: 0,                // server time of the last message
    recvAt: 0,           // performance.now() when it arrived
    shownT: 0,           // time at the right edge of the stream (live)
    processors: [],
    procRow: new Map(),  // processor id -> row index
    functions: [],
    spans: [],           // [proc, fn, cat, start, end, bytes, id]
    tasks: 0,            // compute spans received (since the last full message)
    transfers: 0,        // move / comm / spill spans received
    computations: [],
    failures: [],
    memory: [],
    workers: [],
    recomputed: 0,
    graph: null,         // {computation, nodes}
    ready: false,
  };
  var dirty = { stream: true, legend: true, charts: true };
  var els = {};

  // ---- samples for the charts (one per message) -------------------------
  function Series() { this.clear(); }
  Series.prototype.clear = function () {
    this.times = []; this.names = []; this.values = new Map();
    this.device = new Map(); // name -> true for a device's memory (its own axis)
  };
  Series.prototype.add = function (t, pairs) {
    // pairs: [[name, value], ...]
    if (this.times.length && t < this.times[this.times.length - 1]) this.clear();
    var n = this.times.length;
    this.times.push(t);
    var seen = new Set();
    for (var i = 0; i < pairs.length; i++) {
      var name = pairs[i][0];
      if (seen.has(name)) continue;
      seen.add(name);
      if (pairs[i][2]) this.device.set(name, true);
      var arr = this.values.get(name);
      if (!arr) {
        arr = new Array(n).fill(null);
        this.values.set(name, arr);
        this.names.push(name);
      }
      arr.push(pairs[i][1]);
    }
    var self = this;
    this.values.forEach(function (arr, name) { if (!seen.has(name)) arr.push(null); });
    // keep the last HISTORY_S seconds
    var cut = 0;
    while (cut < this.times.length && this.times[cut] < t - HISTORY_S) cut++;
    if (cut > 0) {
      this.times.splice(0, cut);
      this.values.forEach(function (arr) { arr.splice(0, cut); });
    }
    // forget series that are all empty now
    this.names = this.names.filter(function (name) {
      var arr = self.values.get(name);
      for (var k = 0; k < arr.length; k++) if (arr[k] != null) return true;
      self.values.delete(name);
      return false;
    });
  };
  var memSamples = new Series();
  var rateSamples = new Series();

  // ---- applying a message -----------------------------------------------
  function apply(msg) {
    if (!msg || typeof msg !== 'object') return;
    var full = !!msg.full;
    if (full) {
      state.spans = [];
      state.tasks = 0;
      state.transfers = 0;
      state.graph = null;
      memSamples.clear();
      rateSamples.clear();
      resetGraph();
    }
    if (typeof msg.t === 'number') {
      state.t = msg.t;
      state.recvAt = performance.now();
    }
    if (Array.isArray(msg.processors)) {
      state.processors = msg.processors;
      state.procRow = new Map();
      for (var i = 0; i < msg.processors.length; i++) state.procRow.set(msg.processors[i].id, i);
    }
    if (Array.isArray(msg.functions)) {
      if (msg.functions.join('\u0000') !== state.functions.join('\u0000')) dirty.legend = true;
      state.functions = msg.functions;
    }
    if (msg.graph && Array.isArray(msg.graph.nodes)) {
      state.graph = msg.graph;
      buildGraph();
    } else if (full) {
      buildGraph();
    }
    if (Array.isArray(msg.spans)) addSpans(msg.spans);
    if (Array.isArray(msg.computations)) state.computations = msg.computations;
    if (Array.isArray(msg.failures)) state.failures = msg.failures;
    if (Array.isArray(msg.memory)) state.memory = msg.memory;
    if (Array.isArray(msg.workers)) state.workers = msg.workers;
    if (msg.recomputed != null) state.recomputed = num(msg.recomputed);

    memSamples.add(state.t, state.memory.map(function (m) { return [String(m.process), num(m.resident), !!m.device]; }));
    rateSamples.add(state.t, state.workers.map(function (w) {
      return [String(w.name), num(w.sent_rate) + num(w.received_rate)];
    }));

    renderHeader();
    renderProgress();
    renderMemoryTable();
    renderWorkersTable();
    dirty.stream = true;
    dirty.charts = true;
    if (!state.ready) {
      state.ready = true;
      document.body.setAttribute('data-ready', '1');
    }
  }

  function addSpans(spans) {
    var kept = state.spans;
    for (var i = 0; i < spans.length; i++) {
      var s = spans[i];
      if (!Array.isArray(s) || s.length < 5) continue;
      var cat = s[2] | 0;
      if (cat === CAT_COMPUTE) {
        state.tasks++;
        if (s.length > 6) markGraphDone(s[6]);
      } else if (cat >= CAT_MOVE && cat <= CAT_SPILL) {
        state.transfers++;
      } else {
        continue; // scheduler spans are neither drawn nor kept
      }
      kept.push(s);
    }
    if (kept.length > MAX_SPANS + MAX_SPANS / 10) kept.splice(0, kept.length - MAX_SPANS);
  }

  // ---- header -----------------------------------------------------------
  function setConnection(s) {
    state.connection = s;
    setAttr(els.connection, 'data-state', s);
    setText(els.connection, s);
  }
  function currentT() {
    if (state.mode !== 'live' || state.connection !== 'live') return state.t;
    return state.t + (performance.now() - state.recvAt) / 1000;
  }
  function renderHeader() {
    var t = currentT();
    setAttr(els.uptime, 'data-t', state.t.toFixed(3));
    setText(els.uptime, fmtUptime(t));
    setAttr(els.totalTasks, 'data-count', state.tasks);
    setText(els.totalTasks, fmtCount(state.tasks));
    setAttr(els.stream, 'data-tasks', state.tasks);
    setAttr(els.stream, 'data-transfers', state.transfers);
  }

  // ---- task stream --------------------------------------------------------
  var stripe = null;  // canvas pattern for spills
  var hits = [];      // [x0, x1, y0, y1, span] of the last drawing
  var mouse = null;   // {x, y, cx, cy} over the canvas, or null

  function spillPattern(ctx) {
    if (stripe) return stripe;
    var c = document.createElement('canvas');
    c.width = 6; c.height = 6;
    var g = c.getContext('2d');
    g.fillStyle = '#f4b6b6';
    g.fillRect(0, 0, 6, 6);
    g.strokeStyle = SPILL_COLOR;
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(-1, 7); g.lineTo(7, -1);
    g.moveTo(-1, 1); g.lineTo(1, -1);
    g.moveTo(5, 7); g.lineTo(7, 5);
    g.stroke();
    stripe = ctx.createPattern(c, 'repeat');
    return stripe;
  }

  function niceStep(raw) {
    if (!(raw > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  function fmtTick(v, step) {
    var digits = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step)));
    return v.toFixed(digits) + ' s';
  }

  function streamRange() {
    if (state.mode === 'live') {
      var now = currentT();
      // never step back in time by a little (late messages), but follow a reset
      if (now < state.shownT && now > state.shownT - 1) now = state.shownT;
      state.shownT = now;
      if (now < LIVE_WINDOW_S) return [0, LIVE_WINDOW_S];
      return [now - LIVE_WINDOW_S, now];
    }
    var lo = Infinity, hi = -Infinity;
    for (var i = 0; i < state.spans.length; i++) {
      var s = state.spans[i];
      if (s[3] < lo) lo = s[3];
      if (s[4] > hi) hi = s[4];
    }
    if (!(hi > lo)) { lo = 0; hi = Math.max(state.t, 1); }
    var pad = (hi - lo) * 0.01;
    return [lo - pad, hi + pad];
  }

  function drawStream() {
    var canvas = els.canvas;
    var wrap = canvas.parentElement;
    var cssW = Math.max(200, wrap.clientWidth);
    var procs = state.processors;
    var nrows = Math.max(1, procs.length);
    var rowH = nrows <= 16 ? 24 : Math.max(10, Math.floor(400 / nrows));
    var axisH = 22;
    var cssH = nrows * rowH + axisH + 2;
    var dpr = window.devicePixelRatio || 1;
    var pw = Math.round(cssW * dpr), ph = Math.round(cssH * dpr);
    if (canvas.width !== pw || canvas.height !== ph) {
      canvas.width = pw; canvas.height = ph;
      canvas.style.height = cssH + 'px';
    }
    var ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);

    var labelW = Math.round(Math.min(240, Math.max(130, cssW * 0.17)));
    var x0 = labelW + 6, x1 = cssW - 8, plotW = Math.max(10, x1 - x0);
    var range = streamRange();
    var t0 = range[0], t1 = range[1], span = t1 - t0 || 1;
    var scale = plotW / span;
    function X(t) { return x0 + (t - t0) * scale; }

    // rows: shaded by process so the threads of one process read as a group
    ctx.font = (rowH >= 18 ? 12 : 10) + 'px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    var prevProcess = null, shade = false;
    for (var r = 0; r < procs.length; r++) {
      var p = procs[r];
      if (p.process !== prevProcess) { shade = !shade; prevProcess = p.process; }
      var y = r * rowH;
      ctx.fillStyle = shade ? '#f5f7fa' : '#ffffff';
      ctx.fillRect(0, y, cssW, rowH);
      ctx.fillStyle = '#333';
      var label = String(p.name != null ? p.name : ('processor ' + p.id));
      if (p.kind && p.kind !== 'cpu') label += ' [' + p.kind + ']';
      ctx.fillText(fitText(ctx, label, labelW - 4), 4, y + rowH / 2);
    }
    ctx.strokeStyle = '#d9dde3';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x0 - 0.5, 0); ctx.lineTo(x0 - 0.5, nrows * rowH);
    ctx.stroke();

    // grid and time axis
    var step = niceStep(span / Math.max(2, plotW / 110));
    var axisY = nrows * rowH;
    ctx.fillStyle = '#555';
    ctx.textBaseline = 'top';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.beginPath();
    for (var tk = Math.ceil(t0 / step) * step; tk <= t1; tk += step) {
      var tx = Math.round(X(tk)) + 0.5;
      ctx.moveTo(tx, 0); ctx.lineTo(tx, axisY + 4);
      var tl = fmtTick(tk, step), half = ctx.measureText(tl).width / 2;
      ctx.fillText(tl, Math.min(cssW - half - 2, Math.max(x0 + half, tx)), axisY + 6);
    }
    ctx.strokeStyle = '#e6e9ee';
    ctx.stroke();
    ctx.textAlign = 'left';

    // spans
    hits = [];
    var computeH = Math.max(4, Math.round(rowH * 0.58));
    var moveTop = 2 + computeH + 1;
    var moveH = Math.max(3, rowH - moveTop - 2);
    var spans = state.spans;
    var pat = spillPattern(ctx);
    // Rectangles are collected per fill (one path per colour, drawn at the
    // end). A span narrower than a pixel that falls on pixels already covered
    // on its lane is not added again: many short tasks per pixel stay cheap.
    var batches = new Map();   // fill -> [x, y, w, h, ...]
    var outlines = [[], []];   // comm, spill: [x, y, w, h, ...]
    var coverStart = new Float64Array(nrows * 2).fill(Infinity);
    var coverEnd = new Float64Array(nrows * 2).fill(-Infinity);
    for (var i = 0; i < spans.length; i++) {
      var s = spans[i];
      if (s[4] < t0 || s[3] > t1) continue;
      var row = state.procRow.get(s[0]);
      if (row === undefined) continue;
      var a = Math.max(x0 - 1, X(s[3])), b = Math.min(x1 + 1, X(s[4]));
      var w = Math.max(1, b - a);
      var cat = s[2];
      var compute = cat === CAT_COMPUTE;
      var yy = compute ? row * rowH + 2 : row * rowH + moveTop;
      var hh = compute ? computeH : moveH;
      hits.push([a - 1, a + w + 1, yy, yy + hh, s]);
      var lane = row * 2 + (compute ? 0 : 1);
      var pa = Math.floor(a), pb = Math.ceil(a + w);
      if (w <= 1.5 && pa >= coverStart[lane] && pb <= coverEnd[lane]) continue;
      if (pa <= coverEnd[lane] && pb >= coverStart[lane]) {
        if (pa < coverStart[lane]) coverStart[lane] = pa;
        if (pb > coverEnd[lane]) coverEnd[lane] = pb;
      } else {
        coverStart[lane] = pa; coverEnd[lane] = pb;
      }
      var fill = compute ? fnColor(s[1]) : cat === CAT_MOVE ? MOVE_COLOR : cat === CAT_COMM ? COMM_COLOR : 'spill';
      var list = batches.get(fill);
      if (!list) { list = []; batches.set(fill, list); }
      list.push(a, yy, w, hh);
      if ((cat === CAT_COMM || cat === CAT_SPILL) && w >= 3) outlines[cat === CAT_COMM ? 0 : 1].push(a, yy, w, hh);
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(x0, 0, plotW, axisY);
    ctx.clip();
    batches.forEach(function (list, fill) {
      ctx.fillStyle = fill === 'spill' ? pat : fill;
      ctx.beginPath();
      for (var k = 0; k < list.length; k += 4) ctx.rect(list[k], list[k + 1], list[k + 2], list[k + 3]);
      ctx.fill();
    });
    ctx.lineWidth = 0.8;
    for (var o = 0; o < 2; o++) {
      var ol = outlines[o];
      if (!ol.length) continue;
      ctx.strokeStyle = o === 0 ? COMM_OUTLINE : SPILL_COLOR;
      ctx.beginPath();
      for (var q = 0; q < ol.length; q += 4) ctx.rect(ol[q] + 0.4, ol[q + 1] + 0.4, ol[q + 2] - 0.8, ol[q + 3] - 0.8);
      ctx.stroke();
    }
    ctx.restore();

    if (!spans.length) {
      ctx.fillStyle = '#888';
      ctx.textBaseline = 'middle';
      ctx.font = '13px system-ui, sans-serif';
      ctx.fillText(procs.length ? 'no tasks yet' : 'waiting for data', x0 + 10, Math.min(axisY, rowH * 2) / 2);
    }
    setText(els.streamRange, state.mode === 'live'
      ? 'last ' + LIVE_WINDOW_S + ' s'
      : 'whole run, ' + fmtDuration(Math.max(0, t1 - t0)));
    if (mouse) updateStreamTooltip();
  }

  function fitText(ctx, text, maxW) {
    if (ctx.measureText(text).width <= maxW) return text;
    var lo = 0, hi = text.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(text.slice(0, mid) + '…').width <= maxW) lo = mid; else hi = mid - 1;
    }
    return text.slice(0, lo) + '…';
  }

  function spanAt(x, y) {
    var best = null, bestD = Infinity;
    for (var i = hits.length - 1; i >= 0; i--) {
      var h = hits[i];
      if (y < h[2] - 1 || y > h[3] + 1 || x < h[0] || x > h[1]) continue;
      var d = Math.abs(x - (h[0] + h[1]) / 2) / Math.max(1, h[1] - h[0]);
      if (d < bestD) { best = h[4]; bestD = d; }
    }
    return best;
  }

  function updateStreamTooltip() {
    var s = mouse ? spanAt(mouse.x, mouse.y) : null;
    if (!s) { hideTooltip(); return; }
    var cat = s[2];
    var fname = s[1] >= 0 && s[1] < state.functions.length ? state.functions[s[1]] : null;
    var row = state.procRow.get(s[0]);
    var proc = row !== undefined ? state.processors[row] : null;
    var lines = [];
    lines.push([cat === CAT_COMPUTE ? 'function' : CAT_NAMES[cat], cat === CAT_COMPUTE ? (fname || '(unknown)') : (fname || '')]);
    lines.push(['processor', proc ? String(proc.name) + (proc.process ? ' (' + proc.process + ')' : '') : String(s[0])]);
    lines.push(['duration', fmtDuration(s[4] - s[3])]);
    if (num(s[5]) > 0 || cat !== CAT_COMPUTE) lines.push(['bytes', fmtBytes(num(s[5]))]);
    lines.push(['start', s[3].toFixed(3) + ' s']);
    if (s.length > 6 && s[6] != null && s[6] >= 0) lines.push([cat === CAT_COMPUTE ? 'task' : 'id', String(s[6])]);
    showTooltip(lines, mouse.cx, mouse.cy);
  }

  // ---- tooltip ----------------------------------------------------------
  function showTooltip(lines, cx, cy) {
    var tip = els.tooltip;
    tip.textContent = '';
    for (var i = 0; i < lines.length; i++) {
      var row = el('div', 'tip-row');
      row.appendChild(el('span', 'tip-key', lines[i][0]));
      row.appendChild(el('span', 'tip-val', lines[i][1]));
      tip.appendChild(row);
    }
    tip.hidden = false;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var x = cx + 14, y = cy + 14;
    if (x + w > window.innerWidth - 4) x = cx - w - 10;
    if (y + h > window.innerHeight - 4) y = cy - h - 10;
    tip.style.left = Math.max(4, x) + 'px';
    tip.style.top = Math.max(4, y) + 'px';
  }
  function hideTooltip() { els.tooltip.hidden = true; }

  // ---- legend -----------------------------------------------------------
  function renderLegend() {
    var lg = els.legend;
    lg.textContent = '';
    for (var i = 0; i < state.functions.length; i++) {
      var item = el('span', 'legend-item');
      item.setAttribute('data-function', state.functions[i]);
      var sw = el('i', 'swatch');
      sw.style.background = fnColor(i);
      item.appendChild(sw);
      item.appendChild(document.createTextNode(state.functions[i]));
      lg.appendChild(item);
    }
    var cats = [['move', 'move (between memories of a process)'],
      ['comm', 'comm (between processes)'], ['spill', 'spill (to / from disk)']];
    for (var k = 0; k < cats.length; k++) {
      var it = el('span', 'legend-item legend-cat');
      it.setAttribute('data-cat', cats[k][0]);
      it.appendChild(el('i', 'swatch swatch-' + cats[k][0]));
      it.appendChild(document.createTextNode(cats[k][1]));
      lg.appendChild(it);
    }
  }

  // ---- progress -----------------------------------------------------------
  function fnName(i) {
    return i >= 0 && i < state.functions.length ? String(state.functions[i]) : 'function ' + i;
  }

  function renderProgress() {
    var list = els.computations;
    var comps = state.computations.slice().sort(function (a, b) { return num(b.id) - num(a.id); });
    var existing = new Map();
    for (var c = list.firstElementChild; c; c = c.nextElementSibling) existing.set(c.getAttribute('data-id'), c);
    var now = currentT();
    var want = [];
    for (var i = 0; i < comps.length; i++) {
      var comp = comps[i];
      var key = String(comp.id);
      var block = existing.get(key);
      if (!block) block = makeComputation(key);
      existing.delete(key);
      updateComputation(block, comp, now);
      want.push(block);
    }
    existing.forEach(function (b) { b.remove(); });
    for (var j = 0; j < want.length; j++) {
      if (list.children[j] !== want[j]) list.insertBefore(want[j], list.children[j] || null);
    }
    els.noComputations.hidden = comps.length > 0;
    renderFailures();
  }

  function makeComputation(key) {
    var b = el('div', 'computation');
    b.setAttribute('data-id', key);
    var head = el('div', 'comp-head');
    head.appendChild(el('span', 'comp-label'));
    head.appendChild(el('span', 'comp-kind'));
    head.appendChild(el('span', 'status'));
    head.appendChild(el('span', 'comp-count'));
    head.appendChild(el('span', 'elapsed'));
    b.appendChild(head);
    var err = el('div', 'error');
    err.hidden = true;
    b.appendChild(err);
    b.appendChild(el('div', 'fn-rows'));
    return b;
  }

  function updateComputation(b, comp, now) {
    var status = String(comp.status || 'running');
    setAttr(b, 'data-status', status);
    var head = b.firstElementChild;
    setText(head.querySelector('.comp-label'), String(comp.label || ('computation ' + comp.id)));
    setText(head.querySelector('.comp-kind'), comp.kind ? String(comp.kind) : '');
    var st = head.querySelector('.status');
    setText(st, status);
    setAttr(st, 'data-status', status);
    var started = num(comp.started);
    var finished = comp.finished == null ? null : num(comp.finished);
    var elapsed = (finished != null ? finished : Math.max(started, now)) - started;
    setText(head.querySelector('.elapsed'), (finished != null ? 'took ' : 'running for ') + fmtDuration(elapsed));
    var fns = Array.isArray(comp.functions) ? comp.functions : [];
    var sumDone = 0, sumTotal = 0, sumFailed = 0;
    for (var i = 0; i < fns.length; i++) {
      sumDone += num(fns[i].done); sumTotal += num(fns[i].total); sumFailed += num(fns[i].failed);
    }
    setText(head.querySelector('.comp-count'), sumTotal ? fmtCount(sumDone) + ' / ' + fmtCount(sumTotal) + ' tasks' : '');

    var err = b.querySelector('.error');
    var errText = comp.error ? String(comp.error) : '';
    if (status === 'failed' && !errText) errText = 'failed';
    err.hidden = !errText;
    setText(err, errText);

    var rows = b.querySelector('.fn-rows');
    var existing = new Map();
    for (var r = rows.firstElementChild; r; r = r.nextElementSibling) existing.set(r.getAttribute('data-fn'), r);
    var want = [];
    for (var k = 0; k < fns.length; k++) {
      var f = fns[k];
      var key = String(f.fn);
      var row = existing.get(key);
      if (!row) row = makeFnRow(key);
      existing.delete(key);
      updateFnRow(row, f);
      want.push(row);
    }
    existing.forEach(function (x) { x.remove(); });
    for (var j = 0; j < want.length; j++) {
      if (rows.children[j] !== want[j]) rows.insertBefore(want[j], rows.children[j] || null);
    }
  }

  function makeFnRow(key) {
    var row = el('div', 'fn-row');
    row.setAttribute('data-fn', key);
    var name = el('span', 'fn-name');
    name.appendChild(el('i', 'swatch'));
    name.appendChild(el('span', 'fn-label'));
    row.appendChild(name);
    var bar = el('div', 'bar');
    bar.appendChild(el('div', 'bar-done'));
    bar.appendChild(el('div', 'bar-failed'));
    row.appendChild(bar);
    row.appendChild(el('span', 'fn-count'));
    row.appendChild(el('span', 'fn-failed'));
    return row;
  }

  function updateFnRow(row, f) {
    var idx = num(f.fn), done = num(f.done), total = num(f.total), failed = num(f.failed);
    var name = fnName(idx);
    setAttr(row, 'data-function', name);
    setAttr(row, 'data-done', done);
    setAttr(row, 'data-total', total);
    setAttr(row, 'data-failed', failed);
    row.querySelector('.swatch').style.background = fnColor(idx);
    setText(row.querySelector('.fn-label'), name);
    row.title = name;
    var pd = total > 0 ? Math.min(100, 100 * done / total) : 0;
    var pf = total > 0 ? Math.min(100 - pd, 100 * failed / total) : 0;
    row.querySelector('.bar-done').style.width = pd.toFixed(2) + '%';
    var bf = row.querySelector('.bar-failed');
    bf.style.left = pd.toFixed(2) + '%';
    bf.style.width = pf.toFixed(2) + '%';
    setText(row.querySelector('.fn-count'), fmtCount(done) + ' / ' + fmtCount(total));
    setText(row.querySelector('.fn-failed'), failed ? fmtCount(failed) + ' failed' : '');
  }

  var failuresKey = '';
  function renderFailures() {
    var fl = state.failures;
    var key = JSON.stringify(fl);
    if (key === failuresKey) return;
    failuresKey = key;
    var ul = els.failures;
    ul.textContent = '';
    for (var i = fl.length - 1; i >= 0; i--) {
      var f = fl[i] || {};
      var li = el('li');
      if (f.computation != null) li.setAttribute('data-computation', f.computation);
      if (f.task != null) li.setAttribute('data-task', f.task);
      li.setAttribute('data-function', String(f['function'] || ''));
      var head = el('div', 'fail-head');
      head.appendChild(el('span', 'fail-fn', String(f['function'] || '(unknown function)')));
      var where = [];
      if (f.computation != null) where.push('computation ' + f.computation);
      if (f.task != null) where.push('task ' + f.task);
      if (where.length) head.appendChild(el('span', 'fail-where', where.join(', ')));
      li.appendChild(head);
      li.appendChild(el('div', 'fail-error', String(f.error || '')));
      ul.appendChild(li);
    }
    els.noFailures.hidden = fl.length > 0;
  }

  // ---- memory -------------------------------------------------------------
  function renderMemoryTable() {
    var tbody = els.memoryBody;
    var mem = state.memory;
    var existing = new Map();
    var rows = Array.prototype.slice.call(tbody.children);
    for (var r = 0; r < rows.length; r++) {
      if (rows[r].hasAttribute('data-process')) existing.set(rows[r].getAttribute('data-process'), rows[r]); else rows[r].remove();
    }
    var want = [];
    for (var i = 0; i < mem.length; i++) {
      var m = mem[i];
      var key = String(m.process);
      var tr = existing.get(key);
      if (!tr) tr = makeRow(7);
      existing.delete(key);
      var resident = num(m.resident), spilled = num(m.spilled), limit = num(m.limit);
      setAttr(tr, 'data-process', key);
      setAttr(tr, 'data-device', m.device ? 1 : 0);
      setAttr(tr, 'data-resident', resident);
      setAttr(tr, 'data-spilled', spilled);
      setAttr(tr, 'data-limit', limit);
      setAttr(tr, 'data-peak', num(m.peak));
      var c = tr.children;
      c[0].textContent = '';
      c[0].appendChild(el('span', 'proc-name', key));
      if (m.device) c[0].appendChild(el('span', 'tag', 'device'));
      setCell(c[1], fmtBytes(resident), 'num');
      setCell(c[2], fmtBytes(spilled), 'num');
      setCell(c[3], limit > 0 ? fmtBytes(limit) : 'none', 'num');
      setCell(c[4], fmtBytes(num(m.peak)), 'num');
      setCell(c[5], fmtCount(m.spills) + ' / ' + fmtCount(m.reloads), 'num');
      usageCell(c[6], resident, limit);
      want.push(tr);
    }
    existing.forEach(function (x) { x.remove(); });
    for (var j = 0; j < want.length; j++) {
      if (tbody.children[j] !== want[j]) tbody.insertBefore(want[j], tbody.children[j] || null);
    }
    if (!mem.length) tbody.appendChild(makeEmptyRow(7, 'no memory spaces reported'));
  }

  function makeRow(ncells) {
    var tr = el('tr');
    for (var i = 0; i < ncells; i++) tr.appendChild(el('td'));
    return tr;
  }
  function makeEmptyRow(colspan, text) {
    var tr = el('tr', 'empty-row');
    var td = el('td', 'empty', text);
    td.colSpan = colspan;
    tr.appendChild(td);
    return tr;
  }
  function setCell(td, text, cls) {
    setText(td, text);
    if (cls && td.className !== cls) td.className = cls;
  }
  function usageCell(td, used, limit) {
    var bar = td.firstElementChild;
    if (!bar || !bar.classList.contains('usage')) {
      td.textContent = '';
      td.className = 'usage-cell';
      bar = el('div', 'usage');
      bar.appendChild(el('div', 'usage-fill'));
      td.appendChild(bar);
      td.appendChild(el('span', 'usage-pct'));
    }
    var fill = bar.firstElementChild;
    var pct = limit > 0 ? 100 * used / limit : 0;
    fill.style.width = Math.min(100, pct).toFixed(1) + '%';
    fill.className = 'usage-fill' + (pct >= 90 ? ' high' : pct >= 70 ? ' mid' : '');
    setText(td.lastElementChild, limit > 0 ? pct.toFixed(0) + '%' : '–');
  }

  // ---- workers ------------------------------------------------------------
  function renderWorkersTable() {
    var tbody = els.workersBody;
    var ws = state.workers;
    var existing = new Map();
    var rows = Array.prototype.slice.call(tbody.children);
    for (var r = 0; r < rows.length; r++) {
      if (rows[r].hasAttribute('data-worker')) existing.set(rows[r].getAttribute('data-worker'), rows[r]); else rows[r].remove();
    }
    var want = [];
    for (var i = 0; i < ws.length; i++) {
      var w = ws[i];
      var key = String(w.name);
      var tr = existing.get(key);
      if (!tr) tr = makeRow(8);
      existing.delete(key);
      var st = String(w.state || 'joined');
      setAttr(tr, 'data-worker', key);
      setAttr(tr, 'data-state', st);
      setAttr(tr, 'data-live-chunks', num(w.live_chunks));
      setAttr(tr, 'data-sent', num(w.sent_bytes));
      setAttr(tr, 'data-received', num(w.received_bytes));
      tr.className = st === 'lost' ? 'lost' : '';
      var c = tr.children;
      setCell(c[0], key, 'name');
      setCell(c[1], String(w.host || ''), 'host');
      setCell(c[2], w.pid != null ? String(w.pid) : '', 'num');
      setCell(c[3], w.threads != null ? String(w.threads) : '', 'num');
      c[4].className = 'state';
      c[4].textContent = '';
      c[4].appendChild(el('span', 'state-' + (st === 'lost' ? 'lost' : 'ok'), st));
      if (w.reason) c[4].appendChild(el('span', 'reason', String(w.reason)));
      setCell(c[5], fmtCount(w.live_chunks), 'num');
      setCell(c[6], fmtBytes(num(w.sent_bytes)) + ' / ' + fmtBytes(num(w.received_bytes)), 'num');
      setCell(c[7], fmtRate(num(w.sent_rate)) + ' / ' + fmtRate(num(w.received_rate)), 'num');
      want.push(tr);
    }
    existing.forEach(function (x) { x.remove(); });
    for (var j = 0; j < want.length; j++) {
      if (tbody.children[j] !== want[j]) tbody.insertBefore(want[j], tbody.children[j] || null);
    }
    if (!ws.length) tbody.appendChild(makeEmptyRow(8, 'no worker processes'));
    setAttr(els.recomputed, 'data-count', state.recomputed);
    setText(els.recomputed, 'recomputed tasks: ' + fmtCount(state.recomputed));
    els.recomputed.classList.toggle('nonzero', state.recomputed > 0);
  }

  // ---- charts (uPlot) -----------------------------------------------------
  function Chart(container, valueFmt, emptyEl, emptyText) {
    this.container = container;
    this.valueFmt = valueFmt;
    this.emptyEl = emptyEl;
    this.emptyText = emptyText;
    this.plot = null;
    this.key = '';
    this.hover = false;
    var self = this;
    container.addEventListener('mouseenter', function () { self.hover = true; });
    container.addEventListener('mouseleave', function () { self.hover = false; self.showLatest(); });
  }
  Chart.prototype.width = function () { return Math.max(240, Math.floor(this.container.clientWidth || 600)); };
  Chart.prototype.update = function (samples) {
    var names = samples.names;
    var minSamples = state.mode === 'report' ? 2 : 1;
    var hasData = names.length > 0 && samples.times.length >= minSamples;
    this.emptyEl.hidden = hasData;
    this.container.hidden = !hasData;
    if (!hasData) {
      setText(this.emptyEl, names.length ? 'one sample only (t = ' + fmtUptime(state.t) + '): see the table above'
        : this.emptyText);
      if (this.plot) { this.plot.destroy(); this.plot = null; this.key = ''; }
      return;
    }
    var data = [samples.times.slice()];
    for (var i = 0; i < names.length; i++) data.push(samples.values.get(names[i]).slice());
    var dev = names.map(function (n) { return samples.device.get(n) === true; });
    var twoAxes = dev.indexOf(true) >= 0 && dev.indexOf(false) >= 0;
    var key = names.join('\u0000') + '|' + (twoAxes ? dev.join(',') : '');
    if (!this.plot || key !== this.key) {
      if (this.plot) this.plot.destroy();
      this.container.textContent = '';
      this.key = key;
      this.plot = new uPlot(this.options(names, twoAxes ? dev : null), data, this.container);
    } else {
      this.plot.setData(data);
    }
    this.showLatest();
  };
  Chart.prototype.showLatest = function () {
    if (this.plot && !this.hover && this.plot.data[0].length) this.plot.setLegend({ idx: this.plot.data[0].length - 1 });
  };
  // dev: null, or per series whether it is a device's (drawn on a second
  // axis on the right, so host memory is not flattened by a large GPU)
  Chart.prototype.options = function (names, dev) {
    var fmt = this.valueFmt;
    var series = [{ label: 't', value: function (u, v) { return v == null ? '–' : v.toFixed(1) + ' s'; } }];
    for (var i = 0; i < names.length; i++) {
      series.push({
        label: names[i] + (dev && dev[i] ? ' (right axis)' : ''),
        scale: dev && dev[i] ? 'dev' : 'y',
        stroke: seriesColor(i),
        width: 1.5,
        dash: dev && dev[i] ? [6, 3] : undefined,
        spanGaps: false,
        value: function (u, v) { return v == null ? '–' : fmt(v); },
      });
    }
    function fromZero(u, lo, hi) { return [0, hi > 0 ? hi * 1.08 : 1]; }
    function fmtAll(u, vals) { return vals.map(function (v) { return fmt(v); }); }
    var incrs = [];  // tick steps of 1, 2, 5, ... 512 B, KiB, MiB, ...
    for (var k = 0, unit = 1; k < 6; k++, unit *= 1024) {
      [1, 2, 5, 10, 20, 50, 100, 200, 500].forEach(function (m) { if (m < 1000) incrs.push(m * unit); });
      incrs.push(256 * unit, 512 * unit);
    }
    incrs.sort(function (a, b) { return a - b; });
    var axes = [
      { values: function (u, vals) { return vals.map(function (v) { return v + ' s'; }); }, stroke: '#555', grid: { stroke: '#eceff3' } },
      { scale: 'y', values: fmtAll, incrs: incrs, size: 78, stroke: '#555', grid: { stroke: '#eceff3' } },
    ];
    var scales = { x: { time: false }, y: { range: fromZero } };
    if (dev) {
      scales.dev = { range: fromZero };
      axes.push({ scale: 'dev', side: 1, values: fmtAll, incrs: incrs, size: 78, stroke: '#6b5b95', grid: { show: false } });
    }
    return {
      width: this.width(),
      height: 190,
      scales: scales,
      series: series,
      axes: axes,
      cursor: { points: { size: 6 } },
      legend: { live: true },
    };
  };
  Chart.prototype.resize = function () {
    if (this.plot) this.plot.setSize({ width: this.width(), height: 190 });
  };

  var memChart, rateChart;
  function renderCharts() {
    if (typeof uPlot === 'undefined') return;
    memChart.update(memSamples);
    rateChart.update(rateSamples);
  }

  // ---- graph --------------------------------------------------------------
  var graphNodes = null;   // Map id -> circle element
  var graphDoneIds = null; // Set of done ids of the current graph
  var graphWidth = 0;

  function resetGraph() {
    graphNodes = null;
    graphDoneIds = null;
  }

  function markGraphDone(id) {
    if (!graphDoneIds || !graphNodes || !graphNodes.has(id) || graphDoneIds.has(id)) return;
    graphDoneIds.add(id);
    var c = graphNodes.get(id);
    c.setAttribute('data-done', '1');
    c.setAttribute('fill', c.getAttribute('stroke'));
    updateGraphInfo();
  }

  function updateGraphInfo() {
    var g = state.graph;
    if (!g) { setText(els.graphInfo, ''); return; }
    var n = graphNodes ? graphNodes.size : 0;
    setText(els.graphInfo, 'computation ' + g.computation + ': ' + fmtCount(n) + ' nodes, ' +
      fmtCount(graphDoneIds ? graphDoneIds.size : 0) + ' done, ' + graphLayers + ' layers');
  }
  var graphLayers = 0;

  function layoutGraph(nodes) {
    // layer = longest path from a source; order in a layer by id
    var n = nodes.length;
    var index = new Map();
    for (var i = 0; i < n; i++) index.set(nodes[i][0], i);
    var indeg = new Int32Array(n);
    var children = new Array(n);
    var deps = new Array(n);
    for (var a = 0; a < n; a++) {
      var ds = Array.isArray(nodes[a][2]) ? nodes[a][2] : [];
      var list = [];
      for (var k = 0; k < ds.length; k++) {
        var j = index.get(ds[k]);
        if (j === undefined || j === a) continue;
        list.push(j);
        indeg[a]++;
        (children[j] || (children[j] = [])).push(a);
      }
      deps[a] = list;
    }
    var layer = new Int32Array(n);
    var queue = [];
    for (var q = 0; q < n; q++) if (indeg[q] === 0) queue.push(q);
    var seen = 0;
    for (var h = 0; h < queue.length; h++) {
      var u = queue[h];
      seen++;
      var ch = children[u];
      if (!ch) continue;
      for (var c = 0; c < ch.length; c++) {
        var v = ch[c];
        if (layer[u] + 1 > layer[v]) layer[v] = layer[u] + 1;
        if (--indeg[v] === 0) queue.push(v);
      }
    }
    var maxLayer = 0;
    for (var z = 0; z < n; z++) if (layer[z] > maxLayer) maxLayer = layer[z];
    if (seen < n) { // a cycle: put what is left on a last layer
      maxLayer++;
      for (var y = 0; y < n; y++) if (indeg[y] > 0) layer[y] = maxLayer;
    }
    var layers = [];
    for (var L = 0; L <= maxLayer; L++) layers.push([]);
    for (var m = 0; m < n; m++) layers[layer[m]].push(m);
    for (var L2 = 0; L2 < layers.length; L2++) {
      layers[L2].sort(function (p, r) { return nodes[p][0] - nodes[r][0]; });
    }
    layers = layers.filter(function (l) { return l.length > 0; });
    return { layers: layers, deps: deps };
  }

  function buildGraph() {
    var svg = els.graphSvg;
    var g = state.graph;
    graphNodes = null;
    graphDoneIds = null;
    if (!g || !Array.isArray(g.nodes) || !g.nodes.length) {
      svg.innerHTML = '';
      svg.setAttribute('height', '0');
      els.noGraph.hidden = false;
      graphLayers = 0;
      updateGraphInfo();
      return;
    }
    els.noGraph.hidden = true;
    var nodes = g.nodes;
    var lay = layoutGraph(nodes);
    var layers = lay.layers;
    graphLayers = layers.length;
    var W = Math.max(300, Math.floor(els.graphWrap.clientWidth || 900));
    graphWidth = W;
    var pad = 14;
    // Node spacing: the largest that fits in about 640 px of height, where a
    // layer wider than the page wraps onto more rows; one row per layer is
    // preferred while the nodes stay at least 10 px apart.
    var candidates = [28, 22, 17, 13, 10, 8, 6, 5, 4];
    var widest = 0;
    for (var lw = 0; lw < layers.length; lw++) widest = Math.max(widest, layers[lw].length);
    var s, cap, rowsTotal, H;
    var picked = -1;
    for (var ci = 0; ci < candidates.length; ci++) {
      s = candidates[ci];
      cap = Math.max(1, Math.floor((W - 2 * pad) / s));
      rowsTotal = 0;
      for (var l = 0; l < layers.length; l++) rowsTotal += Math.ceil(layers[l].length / cap);
      H = rowsTotal * s * 1.15 + (layers.length - 1) * s * 1.1 + 2 * pad;
      if (H > 640) continue;
      if (picked < 0) picked = ci;
      if (widest <= cap || s < 10) { picked = ci; break; }
      if (ci + 1 < candidates.length && candidates[ci + 1] < 10) break;
    }
    if (picked < 0) picked = candidates.length - 1;
    s = candidates[picked];
    cap = Math.max(1, Math.floor((W - 2 * pad) / s));
    rowsTotal = 0;
    for (var l2 = 0; l2 < layers.length; l2++) rowsTotal += Math.ceil(layers[l2].length / cap);
    var rowStep = s * 1.15;
    // spare height spreads the layers apart (up to 44 px between them)
    var layerGap = layers.length > 1
      ? Math.max(s * 1.1, Math.min(44, (640 - 2 * pad - rowsTotal * rowStep) / (layers.length - 1)))
      : s * 1.1;
    var radius = Math.max(1.6, s * 0.3);
    var px = new Float64Array(nodes.length), py = new Float64Array(nodes.length);
    var y = pad + radius;
    for (var li = 0; li < layers.length; li++) {
      var members = layers[li];
      var rows = Math.ceil(members.length / cap);
      var perRow = Math.ceil(members.length / rows);
      for (var r = 0; r < rows; r++) {
        var from = r * perRow, to = Math.min(members.length, from + perRow);
        var cnt = to - from;
        var step = Math.min(s * 1.6, (W - 2 * pad) / Math.max(1, cnt));
        var startX = W / 2 - (cnt - 1) * step / 2;
        for (var k = from; k < to; k++) {
          px[members[k]] = startX + (k - from) * step;
          py[members[k]] = y;
        }
        y += rowStep;
      }
      y += layerGap;
    }
    var height = Math.ceil(y - layerGap - rowStep + radius + pad);
    var parts = [];
    var d = [];
    for (var a = 0; a < nodes.length; a++) {
      var ds = lay.deps[a];
      for (var e = 0; e < ds.length; e++) {
        var b = ds[e];
        d.push('M' + px[b].toFixed(1) + ' ' + py[b].toFixed(1) + 'L' + px[a].toFixed(1) + ' ' + py[a].toFixed(1));
      }
    }
    var edgeW = s >= 13 ? 1 : 0.6;
    parts.push('<path class="edges" fill="none" stroke="#9aa3ad" stroke-opacity="' + (nodes.length > 800 ? 0.35 : 0.6) +
      '" stroke-width="' + edgeW + '" d="' + d.join('') + '"/>');
    var sw = radius >= 4 ? 1.6 : 1;
    for (var m = 0; m < nodes.length; m++) {
      var id = Number(nodes[m][0]), fn = Number(nodes[m][1]);
      var col = fnColor(fn);
      parts.push('<circle class="node" data-id="' + id + '" data-fn="' + fn + '" data-done="0" cx="' +
        px[m].toFixed(1) + '" cy="' + py[m].toFixed(1) + '" r="' + radius.toFixed(1) + '" stroke="' + col +
        '" stroke-width="' + sw + '" fill="#fff"/>');
    }
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + height);
    svg.setAttribute('height', String(height));
    svg.innerHTML = parts.join('');
    graphNodes = new Map();
    graphDoneIds = new Set();
    var circles = svg.querySelectorAll('circle.node');
    for (var i = 0; i < circles.length; i++) graphNodes.set(Number(circles[i].getAttribute('data-id')), circles[i]);
    // nodes whose compute span already arrived
    var spans = state.spans;
    for (var si = 0; si < spans.length; si++) {
      var sp = spans[si];
      if (sp[2] === CAT_COMPUTE && sp.length > 6) markGraphDone(sp[6]);
    }
    updateGraphInfo();
  }

  function relayoutGraphIfNeeded() {
    if (!state.graph) return;
    var W = Math.floor(els.graphWrap.clientWidth || 0);
    if (W > 0 && Math.abs(W - graphWidth) > 40) {
      var done = graphDoneIds;
      buildGraph();
      if (done) done.forEach(markGraphDone);
    }
  }

  function graphTooltip(ev) {
    var t = ev.target;
    if (!t || !t.getAttribute || !t.hasAttribute('data-id')) { hideTooltip(); return; }
    var id = Number(t.getAttribute('data-id'));
    var fn = Number(t.getAttribute('data-fn'));
    var deps = 0;
    var nodes = state.graph ? state.graph.nodes : [];
    for (var i = 0; i < nodes.length; i++) {
      if (Number(nodes[i][0]) === id) { deps = Array.isArray(nodes[i][2]) ? nodes[i][2].length : 0; break; }
    }
    showTooltip([['task', String(id)], ['function', fnName(fn)], ['dependencies', String(deps)],
      ['state', t.getAttribute('data-done') === '1' ? 'done' : 'pending']], ev.clientX, ev.clientY);
  }

  // ---- frame loop ---------------------------------------------------------
  var lastStream = 0, lastCharts = 0, lastHeader = 0, streamInterval = STREAM_INTERVAL_MS;
  function frame(ts) {
    var live = state.mode === 'live';
    if (dirty.legend) { dirty.legend = false; renderLegend(); }
    var scrolling = live && state.connection === 'live';
    if ((dirty.stream || scrolling) && ts - lastStream >= streamInterval) {
      dirty.stream = false;
      lastStream = ts;
      var d0 = performance.now();
      drawStream();
      // back off when drawing is slow, so the page never eats a whole core
      streamInterval = Math.max(STREAM_INTERVAL_MS, Math.min(1000, 4 * (performance.now() - d0)));
    }
    if (dirty.charts && ts - lastCharts >= (live ? CHART_INTERVAL_MS : 0)) {
      dirty.charts = false;
      lastCharts = ts;
      renderCharts();
    }
    if (live && ts - lastHeader >= 200) {
      lastHeader = ts;
      setText(els.uptime, fmtUptime(currentT()));
      var now = currentT();
      var blocks = els.computations.children;
      for (var i = 0; i < blocks.length; i++) {
        if (blocks[i].getAttribute('data-status') !== 'running') continue;
        var comp = findComputation(blocks[i].getAttribute('data-id'));
        if (comp && comp.finished == null) {
          setText(blocks[i].querySelector('.elapsed'), 'running for ' + fmtDuration(Math.max(0, now - num(comp.started))));
        }
      }
    }
    requestAnimationFrame(frame);
  }
  function findComputation(id) {
    for (var i = 0; i < state.computations.length; i++) if (String(state.computations[i].id) === id) return state.computations[i];
    return null;
  }

  // ---- connection -------------------------------------------------------
  function tokenQuery() {
    var token = null;
    try { token = new URLSearchParams(window.location.search).get('token'); } catch (e) { token = null; }
    return token ? '?token=' + encodeURIComponent(token) : '';
  }

  function connect() {
    var q = tokenQuery();
    var es = new EventSource('events' + q);
    es.onopen = function () { setConnection('live'); };
    es.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (state.connection !== 'live') setConnection('live');
      apply(msg);
    };
    es.onerror = function () {
      setConnection('disconnected');
      dirty.stream = true;
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        setTimeout(connect, 3000);
      }
    };
  }

  // ---- start --------------------------------------------------------------
  function init() {
    els.title = $('title');
    els.connection = $('connection');
    els.uptime = $('uptime');
    els.totalTasks = $('total-tasks');
    els.snapshot = $('snapshot-link');
    els.stream = $('stream');
    els.streamRange = $('stream-range');
    els.canvas = $('stream-canvas');
    els.legend = $('legend');
    els.computations = $('computations');
    els.noComputations = $('no-computations');
    els.failures = $('failures');
    els.noFailures = $('no-failures');
    els.memoryBody = document.querySelector('#memory-table tbody');
    els.workersBody = document.querySelector('#workers-table tbody');
    els.recomputed = $('recomputed');
    els.graphSvg = $('graph-svg');
    els.graphWrap = els.graphSvg.parentElement;
    els.graphInfo = $('graph-info');
    els.noGraph = $('no-graph');
    els.tooltip = $('tooltip');

    memChart = new Chart($('memory-chart'), fmtBytes, $('no-memory-chart'), 'no memory data yet');
    rateChart = new Chart($('workers-chart'), fmtRate, $('no-worker-chart'), 'no worker processes');

    els.canvas.addEventListener('mousemove', function (ev) {
      var rect = els.canvas.getBoundingClientRect();
      mouse = { x: ev.clientX - rect.left, y: ev.clientY - rect.top, cx: ev.clientX, cy: ev.clientY };
      updateStreamTooltip();
    });
    els.canvas.addEventListener('mouseleave', function () { mouse = null; hideTooltip(); });
    els.graphSvg.addEventListener('mousemove', graphTooltip);
    els.graphSvg.addEventListener('mouseleave', hideTooltip);

    var resizeTimer = 0;
    window.addEventListener('resize', function () {
      dirty.stream = true;
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () {
        memChart.resize();
        rateChart.resize();
        relayoutGraphIfNeeded();
        dirty.stream = true;
      }, 150);
    });

    renderLegend();
    renderWorkersTable();
    renderMemoryTable();

    var report = window.DAGGER_REPORT;
    if (report && typeof report === 'object') {
      state.mode = 'report';
      document.body.setAttribute('data-mode', 'report');
      document.title = 'dagger report';
      els.title.textContent = 'dagger report';
      els.snapshot.hidden = true;
      setConnection('report');
      report.full = true;
      apply(report);
      setText(els.uptime, fmtUptime(state.t));
      dirty.legend = false;
      renderLegend();
      drawStream();
      renderCharts();
      document.body.setAttribute('data-ready', '1');
    } else {
      els.snapshot.setAttribute('href', 'api/state' + tokenQuery());
      connect();
    }
    requestAnimationFrame(frame);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
