// Draws a snapshot: curves through plotters (Rust, main-thread wasm instance), dense images as
// pixel buffers coloured in Rust and put on a canvas in one call.
import { drawCurves, drawHistogram, rgba } from './pkg/np_playground.js';

const $ = (id) => document.getElementById(id);
const COLUMNS = { trainLoss: 0, testLoss: 1, trainAcc: 2, testAcc: 3, dLoss: 5, alignAll: 6 };

/** Pulls columns out of the row-major history. */
function columns(snap, cols) {
  const { historyValues: v, historyWidth: w } = snap;
  const n = v.length / w;
  const out = new Float32Array(n * cols.length);
  for (let i = 0; i < n; i++) cols.forEach((c, j) => { out[i * cols.length + j] = v[i * w + c]; });
  return out;
}

/** Draws the three curve charts; returns their x-maps for hover read-outs. */
export function drawCharts(snap, logScale) {
  const steps = snap.historySteps;
  const maps = {};
  maps.loss = drawCurves('loss-chart', 'loss', steps, columns(snap, [COLUMNS.trainLoss, COLUMNS.testLoss]), ['train', 'test'], logScale, false);
  maps.accuracy = drawCurves('accuracy-chart', 'accuracy', steps, columns(snap, [COLUMNS.trainAcc, COLUMNS.testAcc]), ['train', 'test'], false, true);
  const layers = snap.sizes.length - 1;
  const alignCols = [COLUMNS.alignAll, ...Array.from({ length: layers }, (_, l) => 7 + l)];
  const names = ['all', ...Array.from({ length: layers }, (_, l) => (l + 1 === layers ? 'output' : `layer ${l + 1}`))];
  maps.alignment = drawCurves('alignment-chart', 'alignment with the true gradient (cosine, ~30-step average)', steps, columns(snap, alignCols), names, false, true);
  return maps;
}

/** Text for the hover read-out at canvas x position `px`. */
export function hoverText(snap, map, px, chart) {
  const [left, right, x0, x1] = map;
  if (px < left || px > right || snap.historySteps.length === 0) return '';
  const step = x0 + ((px - left) / (right - left)) * (x1 - x0);
  let best = 0;
  snap.historySteps.forEach((s, i) => { if (Math.abs(s - step) < Math.abs(snap.historySteps[best] - step)) best = i; });
  const row = (c) => snap.historyValues[best * snap.historyWidth + c];
  const f = (v, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const at = `step ${snap.historySteps[best]}`;
  if (chart === 'loss') return `${at}: train ${f(row(0))}, test ${f(row(1))}`;
  if (chart === 'accuracy') return `${at}: train ${f(row(2), 3)}, test ${f(row(3), 3)}`;
  const layers = snap.sizes.length - 1;
  const per = Array.from({ length: layers }, (_, l) => f(row(7 + l), 2)).join(', ');
  return `${at}: all ${f(row(6), 3)}; per layer ${per}`;
}

/** Puts a `w x h` grid of values on a canvas, scaled up without smoothing. */
export function putGrid(canvas, values, w, h, scale = 1) {
  const image = new ImageData(rgba(values, scale), w, h);
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

/** Decision boundary: probability of class 1 mapped to [-1, 1], then the points on top. */
export function drawBoundary(canvas, snap, points, showTest) {
  const { res, plane } = snap;
  const centred = plane.map((p) => 2 * p - 1);
  putGrid(canvas, centred, res, res);
  const ctx = canvas.getContext('2d');
  const extent = 1.5;
  const toPx = (v) => ((v + extent) / (2 * extent)) * canvas.width;
  for (let i = 0; i < points.length; i += 4) {
    const isTest = points[i + 3] > 0.5;
    if (isTest && !showTest) continue;
    ctx.beginPath();
    ctx.arc(toPx(points[i]), canvas.height - toPx(points[i + 1]), 3, 0, 2 * Math.PI);
    ctx.fillStyle = points[i + 2] > 0.5 ? '#0877bd' : '#f59322';
    ctx.strokeStyle = isTest ? '#000' : '#fff';
    ctx.lineWidth = 1;
    if (!isTest) ctx.fill();
    ctx.stroke();
  }
}

/** One thumbnail per hidden unit (its output over the plane), grouped by layer. */
export function drawUnits(box, snap) {
  const { res, units, sizes } = snap;
  const cells = res * res;
  const hidden = sizes.slice(1, -1);
  if (box.dataset.shape !== hidden.join(',')) {
    box.replaceChildren(...hidden.map((n, l) => {
      const row = document.createElement('div');
      row.className = 'unit-row';
      const label = document.createElement('span');
      label.textContent = `layer ${l + 1}`;
      row.append(label);
      for (let j = 0; j < n; j++) {
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
  canvases.forEach((c, u) => {
    if (u >= 64) return; // keep the page light for very wide layers
    putGrid(c, units.subarray(u * cells, (u + 1) * cells), res, res);
  });
}

/** Heatmap (samples x units) and histogram per layer of the minibatch's activations. */
export function drawActivations(box, snap) {
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
    const values = snap.activations[l];
    const n = snap.sizes[l + 1];
    const rows = values.length / n;
    if (!rows) return;
    let scale = 0;
    for (const v of values) scale = Math.max(scale, Math.abs(v));
    putGrid(wrap.querySelector('.heat'), values, n, rows, scale || 1);
    drawHistogram(`hist-${l}`, l + 1 === layers ? 'output logits' : `layer ${l + 1}`, values, 20);
  });
}
