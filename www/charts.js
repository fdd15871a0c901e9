// Draws a snapshot: curves through plotters (Rust, main-thread wasm instance), dense images as
// pixel buffers coloured in Rust and put on a canvas in one call.
import { wasm } from './engine.js';

/** Fixed y ranges: accuracy is a share, alignment a cosine (rarely far below 0). */
const ACCURACY = [0, 1];
const COSINE = [-0.2, 1];

/** Index of the named column in a run's history (names from the engine: historyColumns). */
function col(run, name) {
  const i = run.historyColumns.indexOf(name);
  if (i < 0) throw new Error(`no history column ${name}`);
  return i;
}

/** The named alignment columns of a run: all layers, then per layer. */
function alignmentNames(layers) {
  return ['alignment_all', ...Array.from({ length: layers }, (_, l) => `alignment_${l + 1}`)];
}

/** Value of the named column at history point `i`. */
function at(run, i, name) {
  return run.historyValues[i * run.historyColumns.length + col(run, name)];
}

/** Pulls named columns out of a run's row-major history. */
function columns(run, names) {
  const w = run.historyColumns.length;
  const cols = names.map((n) => col(run, n));
  const v = run.historyValues;
  const n = v.length / w;
  const out = new Float32Array(n * cols.length);
  for (let i = 0; i < n; i++) cols.forEach((c, j) => { out[i * cols.length + j] = v[i * w + c]; });
  return out;
}

/** Several runs' named column over the first run's steps (the runs step in lockstep). */
function acrossRuns(runs, name) {
  const n = Math.min(...runs.map((r) => r.historySteps.length));
  const out = new Float32Array(n * runs.length);
  runs.forEach((r, j) => {
    const c = col(r, name), w = r.historyColumns.length;
    for (let i = 0; i < n; i++) out[i * runs.length + j] = r.historyValues[i * w + c];
  });
  return { steps: runs[0].historySteps.subarray(0, n), values: out };
}

/** Draws the three curve charts; returns their x-maps for hover read-outs. */
export function drawCharts(snap, logScale) {
  const maps = {};
  const runs = snap.runs;
  const layers = snap.sizes.length - 1;
  if (runs.length === 1) {
    const run = runs[0];
    const steps = run.historySteps;
    maps.loss = wasm().drawCurves('loss-chart', 'loss', steps, columns(run, ['train_loss', 'test_loss']), ['train', 'test'], logScale);
    maps.accuracy = wasm().drawCurves('accuracy-chart', 'accuracy', steps, columns(run, ['train_accuracy', 'test_accuracy']), ['train', 'test'], false, ...ACCURACY);
    const names = ['all', ...Array.from({ length: layers }, (_, l) => (l + 1 === layers ? 'output' : `layer ${l + 1}`))];
    maps.alignment = wasm().drawCurves('alignment-chart', 'alignment with the true gradient (cosine, ~30-step average)', steps, columns(run, alignmentNames(layers)), names, false, ...COSINE);
  } else {
    const names = runs.map((r) => r.rule);
    let d = acrossRuns(runs, 'train_loss');
    maps.loss = wasm().drawCurves('loss-chart', 'train loss', d.steps, d.values, names, logScale);
    d = acrossRuns(runs, 'test_accuracy');
    maps.accuracy = wasm().drawCurves('accuracy-chart', 'test accuracy', d.steps, d.values, names, false, ...ACCURACY);
    d = acrossRuns(runs, 'alignment_all');
    maps.alignment = wasm().drawCurves('alignment-chart', 'alignment with the true gradient, all layers (~30-step average)', d.steps, d.values, names, false, ...COSINE);
  }
  return maps;
}

/** Text for the hover read-out at canvas x position `px`. */
export function hoverText(snap, map, px, chart) {
  const [left, right, x0, x1] = map;
  const base = snap.runs[0];
  if (px < left || px > right || base.historySteps.length === 0) return '';
  const step = x0 + ((px - left) / (right - left)) * (x1 - x0);
  let best = 0;
  base.historySteps.forEach((s, i) => { if (Math.abs(s - step) < Math.abs(base.historySteps[best] - step)) best = i; });
  const f = (v, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const where = `step ${base.historySteps[best]}`;
  const row = (run, name) => at(run, best, name);
  if (snap.runs.length > 1) {
    const name = { loss: 'train_loss', accuracy: 'test_accuracy', alignment: 'alignment_all' }[chart];
    return `${where}: ${snap.runs.map((r) => `${r.rule} ${f(row(r, name), chart === 'loss' ? 4 : 3)}`).join(', ')}`;
  }
  if (chart === 'loss') return `${where}: train ${f(row(base, 'train_loss'))}, test ${f(row(base, 'test_loss'))}`;
  if (chart === 'accuracy') return `${where}: train ${f(row(base, 'train_accuracy'), 3)}, test ${f(row(base, 'test_accuracy'), 3)}`;
  const [all, ...per] = alignmentNames(snap.sizes.length - 1);
  return `${where}: all ${f(row(base, all), 3)}; per layer ${per.map((n) => f(row(base, n), 2)).join(', ')}`;
}

/** Per-rule, per-layer alignment now (the latest history point), as a small table's rows. */
export function alignmentRows(snap) {
  const layers = snap.sizes.length - 1;
  return snap.runs.map((r) => {
    const n = r.historySteps.length;
    const v = (name) => (n ? at(r, n - 1, name) : NaN);
    const [all, ...per] = alignmentNames(layers);
    return [r.rule, ...per.map(v), v(all)];
  });
}

/** Puts a `w x h` grid of values on a canvas, scaled up without smoothing. */
export function putGrid(canvas, values, w, h, scale = 1) {
  const image = new ImageData(wasm().rgba(values, scale), w, h);
  const ctx = canvas.getContext('2d');
  if (canvas.width === w && canvas.height === h) {
    ctx.putImageData(image, 0, 0);
    return;
  }
  const tmp = new OffscreenCanvas(w, h);
  tmp.getContext('2d').putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
}

/** Decision boundary: probability of class 1 mapped to [-1, 1], then the points on top; the
 *  plane spans [-extent, extent]^2. */
export function drawBoundary(canvas, res, plane, points, showTest, extent) {
  const centred = plane.map((p) => 2 * p - 1);
  putGrid(canvas, centred, res, res);
  const ctx = canvas.getContext('2d');
  const toPx = (v) => ((v + extent) / (2 * extent)) * canvas.width;
  for (let i = 0; i < points.length; i += 4) {
    const isTest = points[i + 3] > 0.5;
    if (isTest && !showTest) continue;
    ctx.beginPath();
    ctx.arc(toPx(points[i]), canvas.height - toPx(points[i + 1]), canvas.width > 200 ? 3 : 1.5, 0, 2 * Math.PI);
    ctx.fillStyle = points[i + 2] > 0.5 ? '#0877bd' : '#f59322';
    ctx.strokeStyle = isTest ? '#000' : '#fff';
    ctx.lineWidth = 1;
    if (!isTest) ctx.fill();
    ctx.stroke();
  }
}

/** One thumbnail per hidden unit (its output over the plane), grouped by layer. */
export function drawUnits(box, snap) {
  const { unitRes: res, units, sizes, unitsPerLayer } = snap;
  const cells = res * res;
  const hidden = sizes.slice(1, -1);
  const shown = hidden.map((n) => Math.min(n, unitsPerLayer));
  if (box.dataset.shape !== hidden.join(',')) {
    box.replaceChildren(...hidden.map((n, l) => {
      const row = document.createElement('div');
      row.className = 'unit-row';
      const label = document.createElement('span');
      label.textContent = `layer ${l + 1}`;
      row.append(label);
      for (let j = 0; j < shown[l]; j++) {
        const c = document.createElement('canvas');
        c.width = c.height = 40;
        c.title = `layer ${l + 1}, unit ${j + 1}: its output over the input plane (blue positive, orange negative)`;
        row.append(c);
      }
      return row;
    }));
    box.dataset.shape = hidden.join(',');
  }
  const canvases = box.querySelectorAll('canvas');
  // The worker sends the first `unitsPerLayer` units of each layer, layer by layer: one per canvas.
  canvases.forEach((c, u) => putGrid(c, units.subarray(u * cells, (u + 1) * cells), res, res));
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
    fig.querySelector('canvas').getContext('2d').putImageData(img, 0, 0);
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
      const hist = document.createElement('canvas');
      hist.width = 200; hist.height = 100;
      hist.id = `hist-${l}`;
      wrap.append(heat, hist);
      return wrap;
    }));
    box.dataset.shape = snap.sizes.join(',') + ':' + snap.activations[0].length;
  }
  box.querySelectorAll('.act-layer').forEach((wrap, l) => {
    if (only !== null && l !== only) return;
    const values = snap.activations[l];
    const n = snap.sizes[l + 1];
    const rows = values.length / n;
    if (!rows) return;
    let scale = 0;
    for (const v of values) scale = Math.max(scale, Math.abs(v));
    putGrid(wrap.querySelector('.heat'), values, n, rows, scale || 1);
    wasm().drawHistogram(`hist-${l}`, l + 1 === layers ? 'output logits' : `layer ${l + 1}`, values, 20);
  });
}
