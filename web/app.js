// kc-web's page: plain JavaScript, no build step, no network but this
// server.  Four tabs over the JSON API described in kc-web(1).
'use strict';

const $ = (sel, el = document) => el.querySelector(sel);
const SVG = 'http://www.w3.org/2000/svg';

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

async function api(path, opts = {}) {
  const init = { method: opts.method || 'GET', headers: {} };
  if (opts.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  const r = await fetch('/api' + path, init);
  let j = null;
  try { j = await r.json(); } catch (e) { j = null; }
  if (!r.ok) throw new Error((j && j.error) || r.status + ' ' + r.statusText);
  return j;
}

function hms(s) {
  if (s === null || s === undefined || !isFinite(s)) return '–';
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
  const p = n => String(n).padStart(2, '0');
  return h ? `${h}:${p(m)}:${p(x)}` : `${m}:${p(x)}`;
}

const fmt = (v, d = 2) => (v === null || v === undefined) ? '–' : Number(v).toFixed(d);
const starText = n => n ? '★'.repeat(n) + '☆'.repeat(5 - n) : 'unrated';

// ---- tabs ------------------------------------------------------------------
const loaders = {};
let current = null;

function show(tab) {
  if (!loaders[tab]) tab = 'generate';
  current = tab;
  for (const b of document.querySelectorAll('nav [data-tab]')) {
    b.setAttribute('aria-selected', b.dataset.tab === tab);
    $('#' + b.dataset.tab).hidden = b.dataset.tab !== tab;
  }
  for (const v of document.querySelectorAll('video'))
    if (!v.closest('#' + tab)) v.pause();
  loaders[tab]();
}

// ---- Generate --------------------------------------------------------------
// Three kinds of job show here: generate (analyse and cut), analyse (then
// pick, nudge and cut: the pick list below) and cut (the picked ones).
let jobId = null, pollTimer = null, shownKey = null, pickJob = null, playerJob = null;

// --format / --vertical from the form's output choice, into o.
function formatOptions(o) {
  const f = $('#g-form');
  if (f.format.value !== 'vertical') return o;
  const m = f.vmode.value, r = f.vrect.value.replace(/\s+/g, '');
  o.format = 'vertical';
  o.vertical = m === 'crop' ? (r ? 'crop:' + r : 'crop') : m === 'stack' ? 'stack:' + r : m;
  return o;
}

function jobOptions(analyse) {
  const f = $('#g-form'), o = { url: f.url.value.trim(), type: f.type.value };
  for (const k of ['clip_duration', 'min_gap', 'max_audio_clips',
                   'max_video_clips', 'max_chat_clips', 'start_minute',
                   'end_minute']) {
    const v = f[k].value.trim();
    if (v !== '') o[k] = Number(v);
  }
  // the chat: a log file, none at all, or (neither) what kc-clip finds
  if (f.no_chat.checked) o.no_chat = true;
  else if (f.chat.value.trim() !== '') o.chat = f.chat.value.trim();
  return analyse ? { ...o, analyse: true } : formatOptions(o);
}

// The vertical mode's pixels: none for fit, an optional x for crop, the
// facecam's X,Y,W,H for stack.
function checkFormat() {
  const f = $('#g-form'), vertical = f.format.value === 'vertical', m = f.vmode.value;
  f.vmode.disabled = !vertical;
  f.vrect.disabled = !vertical || m === 'fit';
  f.vrect.placeholder = m === 'stack' ? 'facecam X,Y,W,H' : m === 'crop' ? 'centre (or x)' : '';
  const r = f.vrect.value.replace(/\s+/g, '');
  f.vrect.setCustomValidity(f.vrect.disabled ? '' :
    m === 'stack' && !/^\d+,\d+,\d+,\d+$/.test(r) ? 'stack wants the facecam as X,Y,W,H (pixels)' :
    m === 'crop' && r && !/^\d+$/.test(r) ? 'crop wants the x of the crop\'s centre (pixels), or nothing' : '');
}

async function startJob(ev, analyse = false) {
  ev.preventDefault();
  if (!$('#g-form').reportValidity()) return;
  $('#g-start').disabled = $('#g-analyse').disabled = true;
  try {
    follow(await api('/jobs', { method: 'POST', body: jobOptions(analyse) }));
  } catch (e) {
    $('#g-job').hidden = false;
    setStatus('error', 'Could not start: ' + e.message);
    $('#g-start').disabled = $('#g-analyse').disabled = false;
  }
}

// Shows job j (just started or found) and polls it while it runs.
function follow(j) {
  jobId = j.id;
  shownKey = null;
  $('#g-results').hidden = true;
  if (j.kind !== 'cut') $('#g-pick').hidden = true;
  renderJob(j);
  poll();
}

function setStatus(cls, text) {
  const s = $('#g-status');
  s.className = 'status ' + cls;
  s.textContent = text;
}

async function poll() {
  clearTimeout(pollTimer);
  if (jobId === null) return;
  try {
    const j = await api('/jobs/' + jobId);
    if (j.id !== jobId) return;
    renderJob(j);
    if (j.status === 'running') pollTimer = setTimeout(poll, 250);
  } catch (e) {
    setStatus('error', e.message);
  }
}

const plural = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;

function runningText(j) {
  // live: the stream record says so, or (before it comes) no total is known
  const p = j.progress, live = j.stream ? j.stream.live : p && p.total === null;
  if (j.kind === 'cut')
    return `Cutting ${plural((j.options.highlights || []).length, 'highlight')} and storing them… ` +
      `${j.clips_n}/${(j.options.highlights || []).length} done`;
  if (live)
    return `Following the live stream: ${hms(p ? p.done : 0)} analysed · ` +
      `${plural(j.clips_n, 'clip')} cut so far`;
  if (p && p.total && p.done >= p.total)
    return j.kind === 'analyse' ? 'Analysed · choosing the highlights…' :
      'Analysed · cutting clips and storing them…';
  if (p)
    return `Analysing: ${fmt(p.percent, 1)}% · ${fmt(p.speed, 1)}× realtime · ETA ${hms(p.eta)}`;
  return 'Starting…';
}

function renderJob(j) {
  $('#g-job').hidden = false;
  const running = j.status === 'running', p = j.progress;
  $('#g-start').disabled = $('#g-analyse').disabled = running;
  $('#g-cancel').disabled = !running;
  // the picks stay: another cut of them can follow this one
  if (picks.length) {
    if (running) $('#g-cut').disabled = true;
    else countPicks();
  }
  // a cut of picked highlights: the share of them stored so far
  const nh = j.kind === 'cut' ? (j.options.highlights || []).length : 0;
  const pct = nh ? 100 * Math.min(j.clips_n, nh) / nh :
    p && p.percent !== null && j.kind !== 'cut' ? p.percent : null;
  $('#g-bar').style.width = (running ? pct ?? 0 : 100) + '%';
  // no percent known (a live stream): the bar says "busy"
  $('#g-bar').className = j.status + (running && pct === null ? ' busy' : '');
  let text;
  if (running) {
    text = runningText(j);
    if (j.options && j.options.url) text += ' — ' + j.options.url;
  } else if (j.status === 'done') {
    text = j.kind === 'analyse' ?
      `Analysed: ${plural(j.clips_n, 'highlight')} in ${fmt(j.elapsed, 1)} s — tick the ones to cut, ` +
        'nudge their start and end, then Cut selected' :
      `Done: ${plural(j.clips_n, 'clip')} in ${fmt(j.elapsed, 1)} s`;
  } else if (j.status === 'partial') {
    const nf = (j.failed || []).length;
    text = `Partly done: ${j.clips_n} clips stored, ${nf} cut${nf === 1 ? '' : 's'} failed ` +
      '(marked in the table; Generate again to retry them)';
  } else if (j.status === 'cancelled') {
    text = 'Cancelled; nothing of this run was stored.';
  } else {
    const last = (j.log || []).filter(l => !/wrote|added/.test(l)).pop();
    text = `Failed (exit ${j.exit})` + (last ? ': ' + last : '');
  }
  setStatus(j.status, text);
  if (j.log) $('#g-log').textContent = j.log.join('\n');
  if (!j.clips) return;  // a short answer (POST): the next poll has them
  if (j.kind === 'analyse') {
    if (j.status === 'done' && pickJob !== j.id) renderPick(j);
    return;
  }
  // clips as they come (a live stream's), and once more at the end
  const key = [j.id, j.status, j.clips.length, j.curves.length, (j.failed || []).length].join(':');
  if (key !== shownKey) {
    shownKey = key;
    renderResults(j);
  }
}

async function cancelJob() {
  if (jobId === null) return;
  $('#g-cancel').disabled = true;
  try { renderJob(await api(`/jobs/${jobId}/cancel`, { method: 'POST', body: {} })); }
  catch (e) { setStatus('error', e.message); }
}

function renderResults(j) {
  const failed = j.failed || [];
  $('#g-results').hidden = !(j.clips.length || j.curves.length || failed.length);
  drawTimeline($('#timeline'), j.curves, j.clips.concat(failed));
  const tb = $('#g-table tbody');
  tb.replaceChildren();
  // the failed cuts are listed in their place, marked, with the reason
  const clips = j.clips.concat(failed.map(f => ({ ...f, failed: f.message || 'cut failed' })))
    .sort((a, b) => a.t0 - b.t0);
  clips.forEach((c, i) => {
    const tr = el('tr', { 'data-id': c.id, class: c.kind + (c.failed ? ' failed' : '') },
      el('td', { text: c.failed ? '–' : c.id !== undefined ? c.id : i + 1 }),
      el('td', {}, el('span', { class: 'kind ' + c.kind, text: c.kind })),
      el('td', { text: hms(c.t0) }),
      el('td', { text: fmt(c.t1 - c.t0, 1) + ' s' }),
      el('td', { text: fmt(c.score) }),
      el('td', { text: c.rank ?? '–' }),
      el('td', {}, c.failed ? el('span', { class: 'cut-failed', title: c.failed, text: 'cut failed: ' + c.failed })
        : c.src ? el('button', { class: 'small', text: '▶ play', onclick: () => playResult(c, tr) }) : '',
        c.vertical_src && !c.failed ? el('button', { class: 'small v-play', text: '▶ 9:16',
          title: 'the 1080×1920 copy', onclick: () => playResult(c, tr, true, true) }) : ''));
    tb.append(tr);
  });
  // the first clip in the player, once per job (not again at each new one)
  const first = clips.findIndex(c => c.src && !c.failed);
  if (first >= 0 && playerJob !== j.id) {
    playerJob = j.id;
    playResult(clips[first], tb.children[first], false);
  }
}

function playResult(c, tr, autoplay = true, vertical = false) {
  const v = $('#g-video');
  v.poster = c.poster_src || '';
  v.src = vertical ? c.vertical_src : c.src;
  v.classList.toggle('vertical', vertical);
  $('#g-now').textContent = `${c.kind} clip at ${hms(c.t0)}${vertical ? ' (9:16)' : ''} · score ${fmt(c.score)}`;
  for (const r of document.querySelectorAll('#g-table tr.sel')) r.classList.remove('sel');
  if (tr) tr.classList.add('sel');
  if (autoplay) v.play().catch(() => {});
}

// ---- Generate: pick, nudge, cut ---------------------------------------------
// An analysis's highlights, each with its window as edited (t0, t1) and
// whether it is ticked; the timeline's handles and the table's buttons
// move a window's start and end (keys on a handle: arrows ±1 s, with
// Shift ±0.1 s).
let picks = [], pickLimits = [0, 0], pickFrom = null;

// Seconds with a tenth, for edited times: 1:02.5.
function hmsf(s) {
  const t = Math.max(0, Math.round(s * 10) / 10), whole = Math.floor(t);
  return hms(whole) + '.' + Math.round((t - whole) * 10);
}

function renderPick(j) {
  pickJob = pickFrom = j.id;
  const st = j.stream || {}, hs = j.clips.filter(h => h.type === 'highlight');
  let end = st.end ?? st.duration;
  if (!(end > 0)) end = Math.max(...hs.map(h => h.t1), ...j.curves.map(c => c.t0 + c.hop * c.values.length));
  pickLimits = [st.start ?? 0, end];
  picks = hs.map(h => ({ ...h, on: false, w0: h.t0, w1: h.t1 }));
  $('#g-results').hidden = true;
  $('#g-pick').hidden = false;
  const tb = $('#g-picks tbody');
  tb.replaceChildren();
  for (const p of picks) {
    const n = p.i + 1, what = `highlight ${n} (${p.kind} at ${hms(p.t0)})`;
    const nudge = (which, d, label) => el('button', { type: 'button', class: 'small nudge',
      'data-nudge': which + (d > 0 ? '+' : '-'), 'aria-label': `${which === 't0' ? 'start' : 'end'} of ${what} ${label}`,
      text: (d > 0 ? '+' : '−') + '1 s', onclick: () => nudgePick(p, which, d) });
    p.row = el('tr', { 'data-i': p.i, class: p.kind },
      el('td', {}, el('input', { type: 'checkbox', 'aria-label': 'cut ' + what,
        onchange: ev => tickPick(p, ev.target.checked) })),
      el('td', { text: n }),
      el('td', {}, el('span', { class: 'kind ' + p.kind, text: p.kind })),
      el('td', { class: 'edit' }, nudge('t0', -1, 'one second earlier'),
        el('output', { class: 't0' }), nudge('t0', 1, 'one second later')),
      el('td', { class: 'edit' }, nudge('t1', -1, 'one second earlier'),
        el('output', { class: 't1' }), nudge('t1', 1, 'one second later')),
      el('td', { class: 'len' }),
      el('td', { text: fmt(p.score) }));
    tb.append(p.row);
    showPick(p);
  }
  drawPickTimeline(j);
  countPicks();
}

function countPicks() {
  const n = picks.filter(p => p.on).length;
  $('#g-pick-count').textContent = `${n} of ${picks.length} ticked`;
  $('#g-cut').disabled = n === 0;
  $('#g-cut').textContent = n ? `Cut ${plural(n, 'clip')}` : 'Cut selected';
}

function tickPick(p, on) {
  p.on = on;
  p.row.querySelector('input[type=checkbox]').checked = on;
  p.row.classList.toggle('on', on);
  drawPickTimeline();
  countPicks();
}

// Moves p's start or end (which: 't0' or 't1') to t, within the
// analysed range, a clip at least 1 s and at most 600 s long.
function setPick(p, which, t) {
  const [lo, hi] = pickLimits;
  t = Math.round(t * 10) / 10;
  if (which === 't0') p.t0 = Math.min(Math.max(t, lo, p.t1 - 600), p.t1 - 1);
  else p.t1 = Math.max(Math.min(t, hi, p.t0 + 600), p.t0 + 1);
  showPick(p);
}

function nudgePick(p, which, d) { setPick(p, which, p[which] + d); }

// p's window in its row and on the timeline, in place (a handle keeps
// the focus and the pointer while it moves).
function showPick(p) {
  p.row.querySelector('output.t0').textContent = hmsf(p.t0);
  p.row.querySelector('output.t1').textContent = hmsf(p.t1);
  p.row.querySelector('.len').textContent = fmt(p.t1 - p.t0, 1) + ' s';
  p.row.dataset.t0 = p.t0;
  p.row.dataset.t1 = p.t1;
  p.row.querySelector('output.t0').classList.toggle('moved', p.t0 !== p.w0);
  p.row.querySelector('output.t1').classList.toggle('moved', p.t1 !== p.w1);
  if (p.band) placePick(p);
}

let pickScale = null;

function drawPickTimeline(j) {
  if (j) pickScale = drawTimeline($('#pick-timeline'), j.curves, picks, { pick: true });
  if (!pickScale) return;
  const layer = pickScale.layer;
  layer.replaceChildren();
  for (const p of picks) {
    p.band = svg('rect', { class: 'band', y: pickScale.top, height: pickScale.height });
    const g = svg('g', { class: 'hl pick ' + p.kind + (p.on ? ' on' : ''), 'data-i': p.i });
    g.append(p.band, svg('title', {}, `highlight ${p.i + 1}: ${p.kind}, score ${fmt(p.score)}` +
      (p.on ? '' : ' (click to tick)')));
    p.band.addEventListener('click', () => tickPick(p, !p.on));
    p.handles = [];
    if (p.on) for (const which of ['t0', 't1']) {
      const h = svg('rect', { class: 'handle ' + which, y: pickScale.top, height: pickScale.height, width: 8,
        tabindex: 0, role: 'slider', 'data-which': which,
        'aria-label': `${which === 't0' ? 'start' : 'end'} of highlight ${p.i + 1}`,
        'aria-valuemin': Math.round(pickLimits[0]), 'aria-valuemax': Math.round(pickLimits[1]) });
      h.addEventListener('keydown', ev => {
        const d = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -5, PageUp: 5 }[ev.key];
        if (!d) return;
        ev.preventDefault();
        nudgePick(p, which, ev.shiftKey && Math.abs(d) === 1 ? d / 10 : d);
      });
      h.addEventListener('pointerdown', ev => {
        ev.preventDefault();
        h.setPointerCapture(ev.pointerId);
        h.focus();
        h.classList.add('drag');
      });
      h.addEventListener('pointermove', ev => {
        if (h.hasPointerCapture(ev.pointerId)) setPick(p, which, pickScale.time(ev.clientX));
      });
      const up = ev => {
        if (h.hasPointerCapture(ev.pointerId)) h.releasePointerCapture(ev.pointerId);
        h.classList.remove('drag');
      };
      h.addEventListener('pointerup', up);
      h.addEventListener('pointercancel', up);
      p.handles.push(h);
      g.append(h);
    }
    layer.append(g);
    placePick(p);
  }
}

function placePick(p) {
  const x = pickScale.x, x0 = x(p.t0), x1 = x(p.t1);
  p.band.setAttribute('x', x0);
  p.band.setAttribute('width', Math.max(1, x1 - x0));
  for (const h of p.handles || []) {
    const t = p[h.dataset.which];
    h.setAttribute('x', x(t) - 4);
    h.setAttribute('aria-valuenow', t);
    h.setAttribute('aria-valuetext', hmsf(t));
  }
}

async function cutPicks() {
  const chosen = picks.filter(p => p.on).map(p => ({ i: p.i, t0: p.t0, t1: p.t1 }));
  if (!chosen.length || pickFrom === null) return;
  $('#g-cut').disabled = true;
  try {
    const j = await api(`/jobs/${pickFrom}/cut`, { method: 'POST',
      body: formatOptions({ highlights: chosen }) });
    follow(j);
  } catch (e) {
    setStatus('error', 'Could not cut: ' + e.message);
    $('#g-cut').disabled = false;
  }
}

// The median of a non-empty array of numbers.
function median(a) {
  const b = [...a].sort((p, q) => p - q), m = b.length >> 1;
  return b.length % 2 ? b[m] : (b[m - 1] + b[m]) / 2;
}

// The timeline's y-axis in "× typical": ticks at multiples of the median
// hop's height above the quietest hop (lo), a dashed line at "typical".
// When the median is (almost) the quietest score, there is no such unit:
// then only "typical" and "peak" are marked, and the title says "score".
function yAxis(s, values, lo, hi, y, x0, x1) {
  const med = values.length ? median(values) : lo, unit = med - lo;
  const tick = (v, text) => {
    s.append(svg('line', { x1: x0 - 4, x2: x0, y1: y(v), y2: y(v), class: 'tick' }));
    s.append(svg('text', { x: x0 - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis ytick' }, text));
  };
  s.append(svg('line', { x1: x0, x2: x1, y1: y(med), y2: y(med), class: 'typical' }));
  let title = '× typical';
  if (unit < (hi - lo) / 10) {
    title = 'score';
    tick(med, 'typical');
    tick(hi, 'peak');
  } else {
    const top = (hi - lo) / unit;
    const step = [0.5, 1, 2].find(st => top / st <= 5);
    for (let k = 0; k <= top + 1e-9; k += step)
      if (Math.abs(k - 1) > 1e-9) tick(lo + k * unit, k ? `${k}×` : '0');
    tick(med, 'typical');
  }
  const mid = (y(lo) + y(hi)) / 2, g = svg('g', { class: 'yaxis' });
  g.append(svg('text', { x: 12, y: mid, 'text-anchor': 'middle', class: 'axis axis-title',
    transform: `rotate(-90 12 ${mid})` }, title));
  g.append(svg('title', {}, 'Stream-relative: 0 is the quietest moment drawn, typical the ' +
    "stream's median hop score; 2× typical is twice as far above the quietest as the median"));
  s.append(g);
}

// The timeline: each kind's hop scores over the whole stream, the chosen
// highlights as bands.  The scores are z-like (about -3…3), which says
// little to a reader, so the y-axis is stream-relative: 0 is the quietest
// hop drawn, "typical" the median hop score, and N× typical a hop N times
// as far above the quietest as the median one.  With opts.pick the
// highlights are not drawn: the caller draws them, with handles, into the
// layer returned (with the scale: x(t), time(clientX), top, height).
// A live job's curves come in pieces (kc-score --live --curve): one curve
// per kind, the pieces in their places, null where none was.
function joinCurves(curves) {
  const by = new Map();
  for (const c of curves) {
    if (!by.has(c.kind)) by.set(c.kind, []);
    by.get(c.kind).push(c);
  }
  return [...by.values()].map(cs => {
    if (cs.length === 1) return cs[0];
    const hop = cs[0].hop, t0 = Math.min(...cs.map(c => c.t0)), values = [];
    for (const c of cs)
      c.values.forEach((v, i) => { values[Math.round((c.t0 - t0) / hop) + i] = v; });
    return { kind: cs[0].kind, t0, hop, values: Array.from(values, v => v ?? null) };
  });
}

function drawTimeline(box, curves, clips, opts = {}) {
  box.replaceChildren();
  curves = joinCurves(curves);
  const W = 960, H = 220, L = 58, R = 20, T = 14, B = 28;
  const s = svg('svg', opts.pick ?
    { viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': 'the highlights over the stream: tick one to move its start and end' } :
    { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'excitement of each kind over the stream' });
  let t0 = Infinity, t1 = -Infinity, lo = Infinity, hi = -Infinity;
  const all = [];
  for (const c of curves) {
    t0 = Math.min(t0, c.t0);
    t1 = Math.max(t1, c.t0 + c.hop * c.values.length);
    for (const v of c.values) if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); all.push(v); }
  }
  for (const c of clips) { t0 = Math.min(t0, c.t0); t1 = Math.max(t1, c.t1); }
  if (opts.pick) { t0 = Math.min(t0, pickLimits[0]); t1 = Math.max(t1, pickLimits[1]); }
  if (!isFinite(t0) || t1 <= t0) { box.textContent = 'No timeline for this run.'; return null; }
  if (!isFinite(lo)) { lo = 0; hi = 1; }
  if (hi - lo < 1e-6) hi = lo + 1;
  const x = t => L + (t - t0) / (t1 - t0) * (W - L - R);
  const y = v => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  s.append(svg('rect', { x: L, y: T, width: W - L - R, height: H - T - B, class: 'plot' }));
  if (all.length) yAxis(s, all, lo, hi, y, L, W - R);
  for (const c of opts.pick ? [] : clips) {
    const isFailed = c.type === 'error';
    const g = svg('g', { class: 'hl ' + c.kind + (isFailed ? ' failed' : '') });
    g.append(svg('rect', { x: x(c.t0), y: T, width: Math.max(1, x(c.t1) - x(c.t0)), height: H - T - B }));
    g.append(svg('title', {}, `${c.kind} highlight ${hms(c.t0)}–${hms(c.t1)}, score ${fmt(c.score)}` +
      (isFailed ? ` (cut failed: ${c.message})` : '')));
    if (c.src) g.addEventListener('click', () => {
      const tr = document.querySelector(`#g-table tr[data-id="${c.id}"]`);
      playResult(c, tr);
    });
    s.append(g);
  }
  // axes: a tick every "nice" interval
  const span = t1 - t0, steps = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
  const step = steps.find(st => span / st <= 10) || 14400;
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    s.append(svg('line', { x1: x(t), x2: x(t), y1: H - B, y2: H - B + 4, class: 'tick' }));
    s.append(svg('text', { x: x(t), y: H - 8, 'text-anchor': 'middle', class: 'axis' }, hms(t)));
  }
  for (const c of curves) {
    let d = '';
    c.values.forEach((v, i) => {
      if (v === null) return;
      d += (d ? 'L' : 'M') + x(c.t0 + c.hop * (i + 0.5)).toFixed(1) + ',' + y(v).toFixed(1);
    });
    s.append(svg('path', { d, class: 'curve ' + c.kind }));
  }
  const kinds = [...new Set(curves.map(c => c.kind))];
  kinds.forEach((k, i) => {
    s.append(svg('rect', { x: L + 8 + i * 90, y: T + 4, width: 12, height: 4, class: 'key ' + k }));
    s.append(svg('text', { x: L + 24 + i * 90, y: T + 10, class: 'axis' }, k));
  });
  const layer = svg('g', { class: 'picks' });
  s.append(layer);
  box.append(s);
  // a pointer's place in stream time (the drawing may be scaled)
  const time = cx => {
    const m = s.getScreenCTM(), pt = s.createSVGPoint();
    pt.x = cx;
    pt.y = 0;
    return t0 + (pt.matrixTransform(m.inverse()).x - L) / (W - L - R) * (t1 - t0);
  };
  return { x, time, layer, top: T, height: H - T - B };
}

loaders.generate = () => {
  if (jobId !== null) return;
  // a job started earlier (another tab, a reload): show the latest of
  // this tab's (a 9:16 export is Browse's)
  api('/jobs').then(r => {
    const j = r.jobs.find(x => x.kind !== 'vertical');
    if (j && jobId === null) follow(j);
  }).catch(() => {});
};


// ---- Rate ------------------------------------------------------------------
let queue = [], rateIdx = 0, rating = false, rated = 0;

async function loadQueue() {
  try {
    // the clips whose stars would teach the model most first (kc-db list
    // --sort informative: unlike what is rated, likely to be seen)
    const r = await api('/clips?rating=unrated&sort=informative');
    queue = r.clips.filter(c => c.src);
    rateIdx = 0;
    showRateClip();
  } catch (e) { $('#r-count').textContent = e.message; }
}

function showRateClip() {
  const c = queue[rateIdx];
  const left = queue.length - rateIdx;
  $('#r-count').textContent = (c ? `${left} clip${left === 1 ? '' : 's'} to rate` : '') +
      (c && rated ? ' · ' : '') + (rated ? `${rated} rated this session` : '');
  $('#r-empty').hidden = !!c;
  $('#r-main').hidden = !c;
  if (!c) { $('#r-video').removeAttribute('src'); return; }
  const v = $('#r-video');
  // the poster frame: the clip's first frame is often black
  if (c.poster_src) v.poster = c.poster_src;
  else v.removeAttribute('poster');
  v.src = c.src;
  v.play().catch(() => {});
  $('#r-main').dataset.id = c.id;
  $('#r-info').replaceChildren(
    el('strong', { text: `#${c.id} · ${c.kind}` }),
    el('br'), document.createTextNode(`${c.title || c.stream || ''}`),
    el('br'), document.createTextNode(`at ${hms(c.t0)} · ${fmt(c.t1 - c.t0, 1)} s · score ${fmt(c.score)}`));
}

async function rate(stars) {
  const c = queue[rateIdx];
  if (!c || rating) return;
  rating = true;
  const btn = $(`#r-stars [data-stars="${stars}"]`);
  btn.classList.add('hit');
  try {
    const r = await api(`/clips/${c.id}/rate`, { method: 'POST', body: { stars } });
    rated++;
    $('#r-last').textContent = `#${c.id} rated ${starText(stars)}`;
    const said = (r.note || '').replace(/^kc-db: (rate: )?/, '').replace(/: \/\S*$/, '');
    if (r.retrained) note('Model retrained — ' + (said || 'a new generation'), 'ok');
    else if (said) note(said, 'info');
    rateIdx++;
    showRateClip();
  } catch (e) {
    note('Rating failed: ' + e.message, 'error');
  } finally {
    rating = false;
    setTimeout(() => btn.classList.remove('hit'), 200);
  }
}

function note(text, cls) {
  const n = $('#r-note');
  n.textContent = text;
  n.className = 'note ' + cls;
  n.hidden = false;
  clearTimeout(note.t);
  note.t = setTimeout(() => { n.hidden = true; }, 15000);
}

loaders.rate = () => { loadQueue(); };

// ---- Browse ----------------------------------------------------------------
// A card per clip: its poster, a strip of frames scrubbed by the pointer,
// the player on demand; stars to re-rate and Undo to take a rating back;
// download; a 9:16 copy made on request (a job: kc-cut --export-vertical,
// stored by kc-db add); delete.
let streamsSeen = new Map(), browseSeq = 0;

async function loadBrowse() {
  const my = ++browseSeq;  // only the latest request may draw the grid
  const q = new URLSearchParams();
  for (const [k, id] of [['kind', '#b-kind'], ['rating', '#b-rating'],
                         ['stream', '#b-stream'], ['sort', '#b-sort']]) {
    const v = $(id).value;
    if (v) q.set(k, v);
  }
  try {
    const r = await api('/clips?' + q);
    if (my !== browseSeq) return;
    if (!q.has('stream')) updateStreams(r.clips);
    renderGrid(r.clips);
  } catch (e) { $('#b-count').textContent = e.message; }
}

function updateStreams(clips) {
  for (const c of clips)
    if (c.stream && !streamsSeen.has(c.stream)) streamsSeen.set(c.stream, c.title || c.stream);
  const sel = $('#b-stream'), keep = sel.value;
  sel.replaceChildren(el('option', { value: '', text: 'all' }));
  for (const [id, title] of streamsSeen)
    sel.append(el('option', { value: id, text: title.length > 40 ? title.slice(0, 39) + '…' : title }));
  sel.value = keep;
}

function renderGrid(clips) {
  $('#b-count').textContent = `${clips.length} clip${clips.length === 1 ? '' : 's'}`;
  const g = $('#b-grid');
  g.replaceChildren(...clips.map(c => card(c)));
}

// The picture of a card: the poster with its strip over it, or, without
// a poster (an older clip), the player itself.
function thumb(c) {
  if (!c.poster_src)
    return el('video', { src: c.src, controls: true, preload: 'metadata' });
  const img = el('img', { class: 'poster', src: c.poster_src, alt: '', loading: 'lazy' });
  const strip = el('div', { class: 'strip', hidden: true });
  const t = el('div', { class: 'thumb' }, img, strip,
    el('button', { class: 'play', 'aria-label': `play clip #${c.id}`, text: '▶',
      onclick: () => play(t, c.src, c.poster_src) }));
  if (c.strip_src) scrubber(t, img, strip, c);
  return t;
}

// The hover strip: strip_frames tiles of equal width in one image (when
// the record does not say how many, the strip's width over a tile's, a
// tile being the poster's shape); the pointer's place across the card
// picks the tile.
function scrubber(t, img, strip, c) {
  let n = c.strip_frames || 0;
  const tiles = () => {
    if (n) return n;
    const s = strip.kcImage;
    if (!s || !s.naturalWidth || !img.naturalWidth) return 0;
    n = Math.max(1, Math.round((s.naturalWidth / s.naturalHeight) /
                               (img.naturalWidth / img.naturalHeight)));
    return n;
  };
  t.addEventListener('pointerenter', () => {
    if (!strip.kcImage) {
      strip.kcImage = new Image();
      strip.kcImage.src = c.strip_src;
      strip.style.backgroundImage = `url("${c.strip_src}")`;
    }
  });
  t.addEventListener('pointermove', ev => {
    const k = tiles();
    if (!k || ev.target.closest('button')) { strip.hidden = true; return; }
    const r = t.getBoundingClientRect();
    const i = Math.min(k - 1, Math.max(0, Math.floor((ev.clientX - r.left) / r.width * k)));
    strip.style.backgroundSize = `${k * 100}% 100%`;
    strip.style.backgroundPosition = `${k > 1 ? i / (k - 1) * 100 : 0}% 0`;
    strip.dataset.tile = i;
    strip.hidden = false;
  });
  t.addEventListener('pointerleave', () => { strip.hidden = true; });
}

// The player in place of thumbnail t.
function play(t, src, poster) {
  const v = el('video', { src, poster: poster || null, controls: true, autoplay: true, preload: 'auto' });
  t.replaceWith(v);
  v.play().catch(() => {});
  return v;
}

function card(c) {
  const k = el('article', { class: 'card', 'data-id': c.id });
  const starBtns = [1, 2, 3, 4, 5].map(n => el('button', {
    class: 'star' + (c.rating >= n ? ' on' : ''), 'data-stars': n, 'aria-pressed': String(c.rating === n),
    'aria-label': `rate clip #${c.id} ${n} star${n === 1 ? '' : 's'}`, text: '★',
    onclick: () => reRate(c, k, n) }));
  k.append(thumb(c),
    el('div', { class: 'meta' },
      el('span', { class: 'kind ' + c.kind, text: c.kind }),
      el('span', { class: 'stars-text' + (c.rating ? '' : ' muted'), text: starText(c.rating) }),
      el('span', { class: 'score', text: 'score ' + fmt(c.score) })),
    el('div', { class: 'rerate' },
      el('span', { class: 'stars small-stars', role: 'group', 'aria-label': 'rating' }, ...starBtns),
      el('button', { class: 'small undo', text: 'Undo rating', disabled: !c.rating,
        title: 'take back the latest rating: the one before it comes back', onclick: () => undoRate(c, k) })),
    el('div', { class: 'sub muted', text: `#${c.id} · ${hms(c.t0)} · ${c.title || c.stream || ''}` }),
    el('div', { class: 'row' },
      el('a', { class: 'button small', href: c.src + '?download=1', download: '', text: 'Download' }),
      c.vertical_src ? el('button', { class: 'small v-play', text: '▶ 9:16',
        onclick: () => playVertical(k, c) }) : '',
      c.vertical_src ? el('a', { class: 'button small v-dl', href: c.vertical_src + '?download=1', download: '',
        text: 'Download 9:16' }) : '',
      el('button', { class: 'small v-make', text: c.vertical_src ? 'Again as 9:16' : 'Export 9:16',
        title: 'a 1080×1920 copy for TikTok, Shorts and Reels (the mode above the grid)',
        onclick: () => exportVertical(c, k) }),
      el('button', { class: 'small danger', text: 'Delete', onclick: () => delClip(c, k) })),
    el('p', { class: 'vstatus muted', role: 'status', hidden: true }));
  return k;
}

// Card k drawn again from clip c as the server has it now.
async function refreshCard(c, k) {
  try {
    const n = card(await api('/clips/' + c.id));
    k.replaceWith(n);
    return n;
  } catch (e) { return k; }
}

function playVertical(k, c) {
  const t = k.querySelector('.thumb, video');
  const v = play(t, c.vertical_src, c.poster_src);
  v.classList.add('vertical');
}

function cardNote(k, text, cls = '') {
  const s = k.querySelector('.vstatus');
  s.textContent = text;
  s.className = 'vstatus ' + (cls || 'muted');
  s.hidden = !text;
}

async function reRate(c, k, stars) {
  try {
    await api(`/clips/${c.id}/rate`, { method: 'POST', body: { stars } });
    const n = await refreshCard(c, k);
    n.querySelector(`.star[data-stars="${stars}"]`).focus();
  } catch (e) { cardNote(k, 'Rating failed: ' + e.message, 'error'); }
}

async function undoRate(c, k) {
  try {
    const now = await api(`/clips/${c.id}/undo`, { method: 'POST', body: {} });
    const n = card(now);
    k.replaceWith(n);
    cardNote(n, now.rating ? `Back to ${starText(now.rating)}` : 'Back to unrated');
    n.querySelector('.undo').disabled ? n.querySelector('.star').focus() : n.querySelector('.undo').focus();
  } catch (e) { cardNote(k, 'Undo failed: ' + e.message, 'error'); }
}

// The 9:16 mode chosen above the grid, as kc-cut --vertical takes it.
function browseVertical() {
  const m = $('#b-vmode').value, r = $('#b-vrect').value.replace(/\s+/g, '');
  return m === 'stack' ? 'stack:' + r : m === 'crop' && r ? 'crop:' + r : m;
}

async function exportVertical(c, k) {
  const btn = k.querySelector('.v-make');
  btn.disabled = true;
  cardNote(k, 'Exporting as 9:16…');
  let j;
  try {
    j = await api(`/clips/${c.id}/vertical`, { method: 'POST', body: { vertical: browseVertical() } });
    while (j.status === 'running') {
      await new Promise(r => setTimeout(r, 300));
      j = await api('/jobs/' + j.id);
      // kc-cut's own words on its progress (a percent when it gives one)
      const last = (j.log || []).slice(-1)[0] || '', pc = last.match(/(\d+(?:\.\d+)?)\s*%/);
      if (j.status === 'running') cardNote(k, 'Exporting as 9:16…' + (pc ? ` ${pc[1]}%` : ''));
    }
  } catch (e) {
    btn.disabled = false;
    cardNote(k, 'Export failed: ' + e.message, 'error');
    return;
  }
  if (j.status !== 'done') {
    btn.disabled = false;
    const last = (j.log || []).filter(l => !/added|updated/.test(l)).pop();
    cardNote(k, `Export ${j.status}` + (last ? ': ' + last : ''), 'error');
    return;
  }
  const n = await refreshCard(c, k);
  cardNote(n, 'Exported as 9:16: play it or download it.', 'ok');
  const p = n.querySelector('.v-play');
  if (p) p.focus();
}

async function delClip(c, card) {
  if (!confirm(`Delete clip #${c.id} and its file?`)) return;
  try {
    await api('/clips/' + c.id, { method: 'DELETE' });
    card.remove();
    loadBrowse();
  } catch (e) { alert('Delete failed: ' + e.message); }
}

loaders.browse = () => { loadBrowse(); };

// ---- Stats -----------------------------------------------------------------
// What the fields of kc-db stats --json (docs/records.md, "stats") are
// called on the page; a field not listed here (a later kc-db's) is shown
// with its snake_case name turned into words.
const LABELS = {
  generation: 'Generation',
  created: 'Trained (UTC)',
  objective: 'Learner',
  train_size: 'Ratings learned from',
  streams: 'Streams',
  folds: 'Cross-validation folds',
  spearman: 'Model vs your ratings (Spearman)',
  ndcg: "Model's top 10 vs your ratings (NDCG@10)",
  heuristic_spearman: 'Heuristic vs your ratings (Spearman)',
  heuristic_ndcg: "Heuristic's top 10 vs your ratings (NDCG@10)",
  weight: "Model's weight in the blend",
};
const OBJECTIVES = { knn: 'nearest neighbours', stars: 'trees (stars)',
                     rank: 'trees (ranking)', linear: 'ridge regression' };

function label(k) {
  if (Object.hasOwn(LABELS, k)) return LABELS[k];
  const w = String(k).replace(/_+/g, ' ').trim();
  return w.charAt(0).toUpperCase() + w.slice(1);
}

// The model generations in kc-db stats --json: a "models" (or
// "generations") array of objects, wherever it is.
function findGenerations(o, depth = 0) {
  if (!o || typeof o !== 'object' || depth > 3) return null;
  for (const k of ['models', 'generations'])
    if (Array.isArray(o[k]) && o[k].every(g => g && typeof g === 'object')) return o[k];
  for (const v of Object.values(o)) {
    const g = (v && typeof v === 'object' && !Array.isArray(v)) ? findGenerations(v, depth + 1) : null;
    if (g) return g;
  }
  return null;
}

function statTable(rows, cols) {
  const t = [el('tr', {}, ...cols.map(c => el('th', { text: c[0] })))];
  for (const r of rows) t.push(el('tr', {}, ...cols.map(c => el('td', { text: c[1](r) }))));
  return t;
}

function histogram(stars) {
  const W = 360, H = 160, n = [1, 2, 3, 4, 5].map(k => (stars && stars[k]) || 0);
  const max = Math.max(1, ...n), s = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'hist', role: 'img', 'aria-label': 'ratings histogram' });
  n.forEach((v, i) => {
    const h = v / max * (H - 40), x = 20 + i * 66;
    s.append(svg('rect', { x, y: H - 22 - h, width: 50, height: Math.max(h, 1), class: 'bar' }));
    s.append(svg('text', { x: x + 25, y: H - 26 - h, 'text-anchor': 'middle', class: 'axis' }, String(v)));
    s.append(svg('text', { x: x + 25, y: H - 6, 'text-anchor': 'middle', class: 'axis' }, (i + 1) + '★'));
  });
  return s;
}

// Model quality per generation: every numeric field but the counters,
// each as a line over the generations.
function generationChart(gens) {
  // counts would squash the quality figures: they stay in the table
  const skip = /^(generation|gen|id|n|version|folds|streams|ratings|count)$|_(size|count|n)$/;
  const keys = [...new Set(gens.flatMap(g => Object.keys(g).filter(k =>
    typeof g[k] === 'number' && !skip.test(k))))];
  const W = 720, H = 220, L = 44, R = 10, T = 12, B = 28;
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'gens', role: 'img', 'aria-label': 'model quality per generation' });
  let lo = Infinity, hi = -Infinity;
  for (const g of gens) for (const k of keys) if (typeof g[k] === 'number') { lo = Math.min(lo, g[k]); hi = Math.max(hi, g[k]); }
  if (!isFinite(lo)) { lo = 0; hi = 1; }
  if (hi - lo < 1e-9) { hi += 0.5; lo -= 0.5; }
  const n = gens.length, x = i => L + (n > 1 ? i / (n - 1) : 0.5) * (W - L - R);
  const y = v => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  s.append(svg('rect', { x: L, y: T, width: W - L - R, height: H - T - B, class: 'plot' }));
  gens.forEach((g, i) => s.append(svg('text', { x: x(i), y: H - 8, 'text-anchor': 'middle', class: 'axis' },
    String(g.generation ?? g.gen ?? g.id ?? i + 1))));
  for (const v of [lo, hi]) s.append(svg('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, fmt(v, 2)));
  keys.forEach((k, ki) => {
    let d = '';
    gens.forEach((g, i) => { if (typeof g[k] === 'number') d += (d ? 'L' : 'M') + x(i).toFixed(1) + ',' + y(g[k]).toFixed(1); });
    s.append(svg('path', { d, class: 'series s' + (ki % 6) }));
    gens.forEach((g, i) => { if (typeof g[k] === 'number') s.append(svg('circle', { cx: x(i), cy: y(g[k]), r: 3, class: 'series s' + (ki % 6) })); });
  });
  // the key in HTML, below: the labels are long, and wrap on a phone
  const key = el('ul', { class: 'legend' }, ...keys.map((k, ki) =>
    el('li', {}, el('span', { class: 'swatch s' + (ki % 6) }), label(k))));
  return el('div', {}, s, key);
}

async function loadStats() {
  let st;
  try { st = await api('/stats'); } catch (e) { $('#s-cards').textContent = e.message; return; }
  const cards = $('#s-cards');
  cards.replaceChildren();
  const card = (label, v) => cards.append(el('div', { class: 'stat' }, el('b', { text: v }), el('span', { text: label })));
  card('clips', st.clips); card('rated', st.rated); card('unrated', st.unrated);
  card('streams', st.streams); card('mean stars', fmt(st.mean));
  // any other top-level number (fields later versions add)
  const known = new Set(['clips', 'rated', 'unrated', 'streams', 'mean']);
  for (const [k, v] of Object.entries(st)) if (typeof v === 'number' && !known.has(k)) card(label(k), fmt(v, Number.isInteger(v) ? 0 : 3));
  $('#s-hist').replaceChildren(histogram(st.stars));
  const kinds = Object.entries(st.kinds || {}).map(([k, v]) => ({ kind: k, ...v }));
  const cols = [['clips', r => r.clips], ['rated', r => r.rated], ['mean', r => fmt(r.mean)],
                ['stars 1–5', r => [1, 2, 3, 4, 5].map(i => (r.stars || {})[i] || 0).join(' / ')]];
  $('#s-kinds').replaceChildren(...statTable(kinds, [['kind', r => r.kind], ...cols]));
  $('#s-channels').replaceChildren(...statTable(st.channels || [],
    [['channel', r => r.channel || '(none)'], ['streams', r => r.streams], ...cols]));
  const model = $('#s-model');
  model.replaceChildren();
  const gens = findGenerations(st);
  if (gens && gens.length) {
    model.append(el('h2', { text: `Model: ${gens.length} generation${gens.length === 1 ? '' : 's'}` }),
                 generationChart(gens));
    const keys = [...new Set(gens.flatMap(g => Object.keys(g)))].filter(k => typeof gens[0][k] !== 'object');
    const real = k => gens.some(g => typeof g[k] === 'number' && !Number.isInteger(g[k]));
    const cell = (r, k) => typeof r[k] === 'number' && real(k) ? fmt(r[k], 3) :
      k === 'objective' && Object.hasOwn(OBJECTIVES, r[k]) ? OBJECTIVES[r[k]] : (r[k] ?? '–');
    model.append(el('div', { class: 'scroll' }, el('table', { class: 'clips', id: 's-gens' },
      ...statTable(gens, keys.map(k => [label(k), r => cell(r, k)])))));
  } else {
    model.append(el('p', { class: 'muted', text: 'No learned model yet: scores are the heuristic alone.' }));
  }
  $('#s-raw').textContent = JSON.stringify(st, null, 2);
}

loaders.stats = () => { loadStats(); };

// ---- wiring ----------------------------------------------------------------
document.addEventListener('DOMContentLoaded', () => {
  for (const b of document.querySelectorAll('nav [data-tab]'))
    b.addEventListener('click', () => { location.hash = b.dataset.tab; });
  window.addEventListener('hashchange', () => show(location.hash.slice(1)));
  $('#g-form').addEventListener('submit', startJob);
  $('#g-analyse').addEventListener('click', ev => startJob(ev, true));
  $('#g-cancel').addEventListener('click', cancelJob);
  for (const id of ['#g-format', '#g-vmode', '#g-vrect'])
    $(id).addEventListener('input', checkFormat);
  checkFormat();
  // "No chat" leaves no chat log to name
  $('#g-no-chat').addEventListener('change', e => { $('#g-chat').disabled = e.target.checked; });
  $('#g-cut').addEventListener('click', cutPicks);
  $('#g-pick-all').addEventListener('click', () => picks.forEach(p => tickPick(p, true)));
  $('#g-pick-none').addEventListener('click', () => picks.forEach(p => tickPick(p, false)));
  const starBtns = [...document.querySelectorAll('#r-stars [data-stars]')];
  for (const b of starBtns) {
    b.addEventListener('click', () => rate(Number(b.dataset.stars)));
    b.addEventListener('mouseenter', () => starBtns.forEach(x =>
      x.classList.toggle('on', Number(x.dataset.stars) <= Number(b.dataset.stars))));
  }
  $('#r-stars').addEventListener('mouseleave', () => starBtns.forEach(x => x.classList.remove('on')));
  for (const id of ['#b-kind', '#b-rating', '#b-stream', '#b-sort'])
    $(id).addEventListener('change', loadBrowse);
  $('#b-filters').addEventListener('submit', ev => ev.preventDefault());
  $('#b-vmode').addEventListener('input', () => {
    const m = $('#b-vmode').value;
    $('#b-vrect-box').hidden = m === 'fit';
    $('#b-vrect').placeholder = m === 'stack' ? 'facecam X,Y,W,H' : 'centre (or x)';
  });
  document.addEventListener('keydown', ev => {
    if (current !== 'rate' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName)) return;
    if (ev.key >= '1' && ev.key <= '5') { ev.preventDefault(); rate(Number(ev.key)); }
    else if (ev.key === 's' || ev.key === 'S') { rateIdx++; showRateClip(); }
  });
  show(location.hash.slice(1) || 'generate');
});
