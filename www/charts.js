// Draws a snapshot's charts: the curves through plotters (Rust, the main thread's engine), each
// sized to its canvas on screen so chart text keeps its size; dense images (the decision boundary,
// heatmaps) as pixel buffers coloured in Rust and put on a canvas in one call. The curves arrive
// computed (mean and range over seeds, against the chosen x axis): nothing here computes them.
import { wasm } from './engine.js';

/** Fixed y ranges: accuracy is a share, alignment a cosine (rarely far below 0). */
const ACCURACY = [0, 1];
const COSINE = [-0.2, 1];
const X_TITLES = { steps: 'step', passes: 'forward passes', seconds: 'training time (s)' };

/** Sets an element's text only when it changes: a running page rewrites its figures every frame,
 *  and each needless text node is layout work and garbage. */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** Sizes the canvas's pixels to its size on screen (times the device pixel ratio); returns the
 *  ratio, the scale of the chart's text. */
export function fit(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(50, Math.round(canvas.clientWidth * dpr));
  const h = Math.max(50, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  return dpr;
}

/** What a curve chart shows now, in words (its text alternative): every series' latest value and
 *  where it is, e.g. "loss chart: train 0.3100, test 0.3500 at step 400". */
export function describeChart(title, series, xaxis) {
  // Each series' latest measured point (a measurement made every few steps leaves gaps).
  const last = (s) => {
    let i = s.y.length - 1;
    while (i >= 0 && !Number.isFinite(s.y[i])) i--;
    return i;
  };
  const shown = series.filter((s) => last(s) >= 0);
  if (!shown.length) return `${title} chart: nothing measured yet`;
  const f = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 0.001 || v === 0 ? v.toFixed(4) : v.toExponential(2)) : 'not a number');
  const values = shown.map((s) => `${s.name} ${f(s.y[last(s)])}${s.lo ? ` (range ${f(s.lo[last(s)])} to ${f(s.hi[last(s)])})` : ''}`);
  const x = shown[0].x[last(shown[0])];
  const where = xaxis === 'seconds' ? `after ${x.toFixed(2)} s` : `at ${xaxis === 'passes' ? 'forward passes' : 'step'} ${Math.round(x).toLocaleString('en-US')}`;
  return `${title} chart: ${values.join(', ')} ${where}`;
}

/** Sets an attribute only when it changes (see setText). */
function setLabel(el, text) {
  if (el.getAttribute('aria-label') !== text) el.setAttribute('aria-label', text);
}

/** One chart from its series ([{name, x, y, lo, hi}]); its text alternative says what it shows. */
function chart(canvas, title, yTitle, series, xaxis, logY, range = [undefined, undefined], xNote = '') {
  setLabel(canvas, describeChart(title, series, xaxis));
  const dpr = fit(canvas);
  const n = series.reduce((a, s) => a + s.x.length, 0);
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  const banded = series.some((s) => s.lo);
  const lo = banded ? new Float32Array(n) : new Float32Array(0);
  const hi = banded ? new Float32Array(n) : new Float32Array(0);
  let at = 0;
  for (const s of series) {
    xs.set(s.x, at);
    ys.set(s.y, at);
    if (banded) {
      lo.set(s.lo ?? s.y, at);
      hi.set(s.hi ?? s.y, at);
    }
    at += s.x.length;
  }
  const xTitle = (X_TITLES[xaxis] ?? 'step') + (xNote ? ` (${xNote})` : '');
  return wasm().drawChart(canvas.id, title, xTitle, yTitle, logY, range[0], range[1], dpr,
    series.map((s) => s.name), Uint32Array.from(series.map((s) => s.x.length)), xs, ys, lo, hi);
}

/** How the alignment curve is measured: every step, or on a schedule for costly networks (said
 * under the x axis, where it fits even in a narrow column). */
function alignmentNote(snap) {
  // Step units: no true gradient exists to compare with, so the chart stays empty; say why.
  const empty = !snap.curves.alignment.some((s) => s.x.length);
  if (empty && /(^|&)act=step(&|$)/.test(snap.runs[0].configs?.[0] ?? '')) return 'empty: step units have no gradient to compare with';
  return snap.alignEvery > 1 ? `alignment measured every ${snap.alignEvery} steps` : '';
}

/** The curve charts, in the order a running page redraws them one per frame. */
export const CURVE_CHARTS = ['loss', 'accuracy', 'alignment', 'correlation'];

/** Draws the curve charts (only chart `only` of CURVE_CHARTS, when given, so a running page can
 *  spread them over frames); returns the x-maps of those drawn (for the crosshair and read-outs). */
export function drawCharts(snap, logScale, showCorrelation, only = null) {
  const c = snap.curves;
  const x = snap.xaxis;
  const compare = snap.runs.length > 1;
  const seeds = snap.runs[0].checksums.length > 1 ? `, mean and range over ${snap.runs[0].checksums.length} seeds` : '';
  const $ = (id) => document.getElementById(id);
  const maps = {};
  const want = (name) => only === null || only === name;
  if (want('loss')) maps.loss = chart($('loss-chart'), `${compare ? 'train loss' : 'loss'}${seeds}`, 'loss', c.loss, x, logScale);
  if (want('accuracy')) maps.accuracy = chart($('accuracy-chart'), `${compare ? 'test accuracy' : 'accuracy'}${seeds}`, 'accuracy', c.accuracy, x, false, ACCURACY);
  if (want('alignment')) maps.alignment = chart($('alignment-chart'), 'alignment with the true gradient', 'cosine', c.alignment, x, false, COSINE, alignmentNote(snap));
  if (showCorrelation && want('correlation')) {
    maps.correlation = chart($('correlation-chart'), compare ? `input correlation of layer ${Math.min(2, snap.sizes.length - 1)} (mean |off-diagonal|)` : 'input correlation per layer (mean |off-diagonal|)', 'correlation', c.correlation, x, false, [0, 1]);
  }
  return maps;
}

/** The read-out at canvas x position `px`: the nearest point's x and every series' value. */
export function hoverText(snap, map, px, chart) {
  const [left, right, x0, x1] = map;
  const series = snap.curves[chart];
  if (px < left || px > right || !series?.length || !series[0].x.length) return '';
  const x = x0 + ((px - left) / (right - left)) * (x1 - x0);
  const f = (v, d) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const digits = chart === 'loss' ? 4 : 3;
  const parts = series.map((s) => {
    let best = 0;
    for (let i = 1; i < s.x.length; i++) if (Math.abs(s.x[i] - x) < Math.abs(s.x[best] - x)) best = i;
    const range = s.lo ? ` (${f(s.lo[best], digits)}–${f(s.hi[best], digits)})` : '';
    return `${s.name} ${f(s.y[best], digits)}${range}`;
  });
  const s0 = series[0];
  let best = 0;
  for (let i = 1; i < s0.x.length; i++) if (Math.abs(s0.x[i] - x) < Math.abs(s0.x[best] - x)) best = i;
  const unit = { steps: 'step', passes: 'passes', seconds: 's' }[snap.xaxis] ?? 'step';
  const where = snap.xaxis === 'seconds' ? `${f(s0.x[best], 2)} s` : `${unit} ${Math.round(s0.x[best]).toLocaleString('en-US')}`;
  return `${where}: ${parts.join(', ')}`;
}

/** Per-rule, per-layer alignment now, as a small table's rows. */
export function alignmentRows(snap) {
  const layers = snap.sizes.length - 1;
  if (snap.curves.alignmentLayers) return snap.curves.alignmentLayers.map((r) => [r.rule, ...r.values]);
  const last = (s) => (s.y.length ? s.y[s.y.length - 1] : NaN);
  const a = snap.curves.alignment;
  return [[snap.runs[0].rule, ...Array.from({ length: layers }, (_, l) => last(a[l + 1] ?? { y: [] })), last(a[0] ?? { y: [] })]];
}

const scratch = new Map();

/** A scratch canvas of `w x h` pixels to scale an image through, one per size and reused: a new
 *  canvas per call (every heatmap and node map, every frame) is garbage the browser collects in
 *  long pauses. */
export function scratchCanvas(w, h) {
  const key = `${w}x${h}`;
  let c = scratch.get(key);
  if (!c) {
    if (scratch.size >= 16) scratch.clear();
    c = new OffscreenCanvas(w, h);
    scratch.set(key, c);
  }
  return c;
}

/** Puts a `w x h` grid of values on a canvas, scaled up without smoothing. */
export function putGrid(canvas, values, w, h, scale = 1) {
  const image = new ImageData(wasm().rgba(values, scale), w, h);
  const ctx = canvas.getContext('2d');
  if (canvas.width === w && canvas.height === h) {
    ctx.putImageData(image, 0, 0);
    return;
  }
  const tmp = scratchCanvas(w, h);
  tmp.getContext('2d').putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
}

/** The boundary's colours are drawn at this share of full strength, so the points (full
 *  strength, outlined) stand out even where the network is sure. */
export const BOUNDARY_STRENGTH = 0.6;
const CLASS_COLOUR = ['#f59322', '#0877bd'];
const OUTLINE = '#1f1f1f';

/** Decision boundary: probability of class 1 mapped to [-1, 1], then the points on top; the
 *  plane spans [-extent, extent]^2. Its text alternative says what it shows (`label` names it).
 *  `view.regression`: the plane holds the predicted value, coloured on the targets' scale
 *  (`regressionScale`), the points by their targets; `view.discretize`: two colours only, each
 *  side of the boundary (class 1 above one half; for regression, the sign of the value). */
export function drawBoundary(canvas, res, plane, points, showTest, extent, label = 'decision boundary', view = {}) {
  if (view.regression) {
    const scale = regressionScale(points);
    const values = view.discretize ? plane.map((v) => (v >= 0 ? scale : -scale)) : plane;
    putGrid(canvas, values, res, res, scale / BOUNDARY_STRENGTH);
    drawPoints(canvas, points, showTest, extent, scale);
    setLabel(canvas, describeRegression(label, plane, points, scale, view.discretize));
    return;
  }
  const centred = view.discretize ? plane.map((p) => (p > 0.5 ? 1 : -1)) : plane.map((p) => 2 * p - 1);
  putGrid(canvas, centred, res, res, 1 / BOUNDARY_STRENGTH);
  drawPoints(canvas, points, showTest, extent);
  setLabel(canvas, describeBoundary(label, res, plane, points, showTest, extent));
}

/** The colour scale of a regression plane: the largest |target| of the data (so a point and
 *  the plane under it share a colour when the prediction is right). */
export function regressionScale(points) {
  let m = 0;
  for (let i = 2; i < points.length; i += 4) if (Number.isFinite(points[i])) m = Math.max(m, Math.abs(points[i]));
  return m || 1;
}

/** The plane's colour legend: for regression the scale of the predicted value (±`scale`), for
 *  a discretized boundary its two colours; none for the plain boundary (its note says it). */
export function planeLegend(box, view, scale) {
  const key = `${view.regression}|${view.discretize}|${scale}`;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.hidden = !view.regression && !view.discretize;
  const ramp = document.createElement('span');
  ramp.className = `ramp${view.discretize ? ' two' : ''}`;
  const span = (t) => {
    const el = document.createElement('span');
    el.textContent = t;
    return el;
  };
  if (view.regression) {
    const f = (v) => (Math.abs(v) >= 0.01 ? v.toFixed(2) : v.toExponential(1));
    box.replaceChildren(span('predicted value'), span(view.discretize ? '< 0' : f(-scale)), ramp, span(view.discretize ? '≥ 0' : `+${f(scale)}`));
  } else {
    box.replaceChildren(span('output, discretized:'), span('orange class'), ramp, span('blue class'));
  }
}

/** A regression plane in words: the predicted values' range over the plane and the targets'. */
export function describeRegression(label, plane, points, scale, discretize) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of plane) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const f = (v) => v.toFixed(3);
  const range = lo <= hi ? `predicted value over the plane from ${f(lo)} to ${f(hi)}` : 'no prediction yet';
  return `${label}: ${range}${discretize ? ' (drawn as two colours: its sign)' : ''}; colour scale ±${f(scale)} (orange negative, blue positive); ${points.length / 4} points coloured by their targets`;
}

/** The boundary in words: how much of the plane is blue, and how many points lie on their own
 *  class's colour (train, and test when shown), read off the grid as drawn. */
export function describeBoundary(label, res, plane, points, showTest, extent) {
  if (res < 2) return `${label}: ${points.length / 4} points, no boundary yet`;
  let blue = 0;
  for (const p of plane) if (p > 0.5) blue++;
  const count = { train: [0, 0], test: [0, 0] };
  const cell = (v) => Math.min(res - 1, Math.max(0, Math.floor(((v + extent) / (2 * extent)) * res)));
  for (let i = 0; i < points.length; i += 4) {
    const c = count[points[i + 3] > 0.5 ? 'test' : 'train'];
    const p = plane[(res - 1 - cell(points[i + 1])) * res + cell(points[i])];
    c[1] += 1;
    if ((p > 0.5) === (points[i + 2] > 0.5)) c[0] += 1;
  }
  const on = ([right, all], what) => `${right} of ${all} ${what} points on their own class's colour`;
  return `${label}: ${Math.round((100 * blue) / plane.length)}% of the plane blue (the blue class more likely), the rest orange; ${on(count.train, 'training')}${showTest && count.test[1] ? `; ${on(count.test, 'test')}` : ''}`;
}

/** The data points over whatever the plane canvas shows, in their class's colour at full
 *  strength with a dark outline (readable on either colour of the boundary): training points as
 *  dots, test points as rings. One path per kind and class. */
export function drawPoints(canvas, points, showTest, extent, regression = 0) {
  if (regression) {
    drawTargets(canvas, points, showTest, extent, regression);
    return;
  }
  const ctx = canvas.getContext('2d');
  const k = canvas.width / (canvas.clientWidth || canvas.width);
  const r = ((canvas.clientWidth || canvas.width) >= 200 ? 3.5 : 2.8) * k;
  const toPx = (v) => ((v + extent) / (2 * extent)) * canvas.width;
  const paths = [[new Path2D(), new Path2D()], [new Path2D(), new Path2D()]];
  for (let i = 0; i < points.length; i += 4) {
    const isTest = points[i + 3] > 0.5 ? 1 : 0;
    if (isTest && !showTest) continue;
    const x = toPx(points[i]);
    const y = canvas.height - toPx(points[i + 1]);
    const radius = isTest ? r + k : r;
    const path = paths[isTest][points[i + 2] > 0.5 ? 1 : 0];
    path.moveTo(x + radius, y);
    path.arc(x, y, radius, 0, 2 * Math.PI);
  }
  paths[0].forEach((path, cls) => {
    ctx.fillStyle = CLASS_COLOUR[cls];
    ctx.fill(path);
    ctx.strokeStyle = OUTLINE;
    ctx.lineWidth = k;
    ctx.stroke(path);
  });
  // A ring: a dark band with the class's colour inside it, hollow in the middle.
  paths[1].forEach((path, cls) => {
    ctx.strokeStyle = OUTLINE;
    ctx.lineWidth = 3.4 * k;
    ctx.stroke(path);
    ctx.strokeStyle = CLASS_COLOUR[cls];
    ctx.lineWidth = 1.8 * k;
    ctx.stroke(path);
  });
}

/** Regression's points, each in the colour of its target on the scale ±`scale` (the engine's
 *  diverging map at full strength), outlined; test points as rings. */
function drawTargets(canvas, points, showTest, extent, scale) {
  const ctx = canvas.getContext('2d');
  const k = canvas.width / (canvas.clientWidth || canvas.width);
  const r = ((canvas.clientWidth || canvas.width) >= 200 ? 3.5 : 2.8) * k;
  const toPx = (v) => ((v + extent) / (2 * extent)) * canvas.width;
  const n = points.length / 4;
  const targets = new Float32Array(n);
  for (let i = 0; i < n; i++) targets[i] = points[4 * i + 2];
  const rgba = wasm().rgba(targets, scale);
  for (let i = 0; i < n; i++) {
    const isTest = points[4 * i + 3] > 0.5;
    if (isTest && !showTest) continue;
    const x = toPx(points[4 * i]);
    const y = canvas.height - toPx(points[4 * i + 1]);
    const fill = `rgb(${rgba[4 * i]},${rgba[4 * i + 1]},${rgba[4 * i + 2]})`;
    ctx.beginPath();
    ctx.arc(x, y, isTest ? r + k : r, 0, 2 * Math.PI);
    if (isTest) {
      ctx.strokeStyle = OUTLINE;
      ctx.lineWidth = 3.4 * k;
      ctx.stroke();
      ctx.strokeStyle = fill;
      ctx.lineWidth = 1.8 * k;
      ctx.stroke();
    } else {
      ctx.fillStyle = fill;
      ctx.fill();
      ctx.strokeStyle = OUTLINE;
      ctx.lineWidth = k;
      ctx.stroke();
    }
  }
}

/** Test digits with the network's answers: records of [label, predicted, pixels...]. */
export function drawDigits(box, samples, side) {
  const size = side * side;
  const count = samples.length / (2 + size);
  if (box.childElementCount !== count) {
    box.replaceChildren(...Array.from({ length: count }, () => {
      const fig = document.createElement('figure');
      const c = document.createElement('canvas');
      c.width = c.height = side;
      c.setAttribute('role', 'img');
      const cap = document.createElement('figcaption');
      fig.append(c, cap);
      return fig;
    }));
  }
  box.querySelectorAll('figure').forEach((fig, i) => {
    const rec = samples.subarray(i * (2 + size), (i + 1) * (2 + size));
    const [label, predicted] = rec;
    const img = new ImageData(side, side);
    for (let p = 0; p < size; p++) {
      const v = 255 - Math.round(rec[2 + p] * 255);
      img.data.set([v, v, v, 255], 4 * p);
    }
    const canvas = fig.querySelector('canvas');
    canvas.getContext('2d').putImageData(img, 0, 0);
    setLabel(canvas, `test digit ${label}`);
    const cap = fig.querySelector('figcaption');
    cap.textContent = `${predicted}`;
    cap.title = `true digit ${label}, the network says ${predicted}`;
    fig.className = label === predicted ? 'right' : 'wrong';
  });
}

/** Heatmap (samples x units) and histogram per layer of the minibatch's activations (only layer
 *  `only`, when given, so a running page can spread the work over frames). */
export function drawActivations(box, snap, only = null) {
  const layers = snap.sizes.length - 1;
  if (box.dataset.shape !== snap.sizes.join(',') + ':' + snap.activations[0].length) {
    box.replaceChildren(...Array.from({ length: layers }, (_, l) => {
      const wrap = document.createElement('div');
      wrap.className = 'act-layer';
      const heat = document.createElement('canvas');
      heat.width = 160; heat.height = 100;
      heat.className = 'heat';
      heat.title = `${l + 1 === layers ? 'output logits' : `hidden layer ${l + 1}`}: one row per sample of the minibatch, one column per unit`;
      heat.setAttribute('role', 'img');
      heat.setAttribute('aria-label', heat.title);
      const hist = document.createElement('canvas');
      hist.className = 'hist';
      hist.id = `hist-${l}`;
      hist.setAttribute('role', 'img');
      hist.setAttribute('aria-label', `histogram of ${l + 1 === layers ? 'the output logits' : `hidden layer ${l + 1}'s activations`}: no minibatch yet`);
      wrap.append(heat, hist);
      return wrap;
    }));
    box.dataset.shape = snap.sizes.join(',') + ':' + snap.activations[0].length;
  }
  const empty = !snap.activations[0].length;
  box.dataset.empty = String(empty);
  if (empty) {
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = 'No minibatch yet: press Step or Play to see the activations of the batch the network trains on.';
    if (!box.querySelector('p.note')) box.prepend(p);
  } else {
    box.querySelector('p.note')?.remove();
  }
  box.querySelectorAll('.act-layer').forEach((wrap, l) => {
    if (only !== null && l !== only) return;
    const values = snap.activations[l];
    const n = snap.sizes[l + 1];
    const rows = values.length / n;
    if (!rows) return;
    const hist = wrap.querySelector('.hist');
    const dpr = fit(hist);
    let scale = 0;
    for (const v of values) scale = Math.max(scale, Math.abs(v));
    putGrid(wrap.querySelector('.heat'), values, n, rows, scale || 1);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    setLabel(hist, `histogram of ${l + 1 === layers ? 'the output logits' : `hidden layer ${l + 1}'s activations`} over this minibatch: ${values.length} values${lo <= hi ? ` from ${lo.toFixed(3)} to ${hi.toFixed(3)}` : ''}`);
    wasm().drawHistogram(`hist-${l}`, l + 1 === layers ? 'output logits' : `layer ${l + 1}`, values, 20, dpr);
  });
}
