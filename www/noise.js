// The "noise made visible" panel: renders the probe of the last step (computed in Rust) for one
// sample. Text goes in with textContent only.
import { putGrid } from './charts.js';

const EXPLAIN = {
  bp: 'BP computes the exact gradient with a backward pass: no noise is injected. Pick a perturbation rule to see noise at work.',
  np: 'NP: one clean pass, then one noisy pass with noise ε in every layer at once. The loss change dL, divided by σ², times each unit\'s own ε, is that unit\'s credit; times the clean layer input it becomes the weight update. Every layer\'s credit also carries the loss change caused by all other layers\' noise.',
  inp: 'INP: one clean pass, then one noisy pass per layer, each with noise in that layer only. Each layer is credited only with the loss change its own noise caused: no cross-talk, at the cost of one pass per layer.',
  anp: 'ANP: the same two passes as NP, but the credit uses the measured change of each pre-activation, Δa = ã − a (the injected noise plus what earlier layers\' noise propagated), normalised by the squared change of the whole network for this sample (a network-wide quantity). The injected noise itself is never used.',
};

/** A number for display; non-finite values (null in JSON) show as "–". */
function fx(v, digits, exp = false) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  return exp ? v.toExponential(digits) : v.toFixed(digits);
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The largest size of every value of a quantity, over all layers: one colour scale each, so
 *  strips of the same quantity can be compared across layers. */
function scaleOf(lists) {
  let m = 0;
  for (const values of lists) for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m || 1;
}

/** One strip: a value per unit, coloured on the quantity's shared scale; hovering a cell shows
 *  its value. */
function strip(label, values, title, scale, readout) {
  const row = el('div', 'strip');
  row.append(el('span', 'strip-label', label));
  const c = el('canvas');
  c.width = Math.min(values.length * 14, 420);
  c.height = 14;
  c.title = title;
  putGrid(c, Float32Array.from(values, (v) => v ?? NaN), values.length, 1, scale);
  c.addEventListener('mousemove', (e) => {
    const i = Math.min(values.length - 1, Math.floor((e.offsetX / c.clientWidth) * values.length));
    readout.textContent = `${label}, unit ${i + 1}: ${fx(values[i], 3, Math.abs(values[i]) < 0.01)}`;
  });
  row.append(c);
  return row;
}

function matrix(label, values, rows, cols, title) {
  const wrap = el('div', 'matrix');
  wrap.append(el('div', 'strip-label', label));
  const c = el('canvas');
  c.width = Math.min(Math.max(cols * 8, 40), 200);
  c.height = Math.min(Math.max(rows * 8, 40), 200);
  c.title = title;
  let scale = 0;
  for (const v of values) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  putGrid(c, Float32Array.from(values, (v) => v ?? NaN), cols, rows, scale || 1);
  wrap.append(c);
  return wrap;
}

export function explain(rule, mode) {
  const base = EXPLAIN[rule.replace(/^d(?=bp|np|inp|anp)/, '')] ?? '';
  const decor = rule.startsWith('d') ? ' Decorrelated variant: each layer first multiplies its input by its own matrix R, which a local rule drives toward uncorrelated inputs; its input correlation is shown per layer.' : '';
  const blind = mode === 'blind' ? ' Blind mode: both passes are noisy and the noise is never observed; dL and Δa are differences between the two noisy passes.' : '';
  return base + decor + blind;
}

export function renderProbe(box, probe, scalesBox) {
  if (!probe) {
    box.replaceChildren(el('p', 'note', 'Nothing to show yet: press Step (or Walk through this step) to see what one update does to one sample.'));
    scalesBox.replaceChildren();
    return;
  }
  const readout = el('p', 'note readout', 'Hover a strip for a unit\'s value.');
  // One colour scale per quantity, shared by every layer.
  const noisy = probe.layers.flatMap((l) => l.passes.filter((p) => p.noised));
  const scales = {
    a: scaleOf(probe.layers.flatMap((l) => [l.clean_a, ...l.passes.map((p) => p.a)])),
    eps: scaleOf(noisy.map((p) => p.eps ?? [])),
    da: scaleOf(probe.layers.flatMap((l) => l.passes.slice(1).map((p) => p.a.map((v, j) => v - l.passes[0].a[j])))),
    signal: scaleOf(probe.layers.map((l) => l.signal)),
  };
  const scaleText = [['pre-activations a', scales.a], ['noise \u03b5', scales.eps], ['measured \u0394a', scales.da], [probe.method === 'bp' ? '\u03b4' : 'credit', scales.signal]]
    .map(([name, v]) => `${name}: \u00b1${v.toPrecision(3)}`);
  scalesBox.replaceChildren(el('span', '', 'Colour scales (orange negative, blue positive, one per quantity, shared by every layer):'), ...scaleText.map((t) => el('span', '', t)));
  const parts = [readout];
  const passes = probe.losses.length;
  parts.push(el('p', 'probe-head', `step ${probe.step}, sample ${probe.sample} of ${probe.batch} (class ${probe.label}), ${probe.input.length <= 8 ? `input (${probe.input.map((v) => fx(v, 2)).join(', ')})` : `${probe.input.length} inputs`}. ` +
    `Loss of the ${probe.blind ? 'reference noisy' : 'clean'} pass: ${fx(probe.losses[0], 5)}.`));
  if (probe.method !== 'bp') {
    const dl = probe.d_loss.slice(1).map((d, k) => `pass ${k + 1}: dL = ${fx(d, 2, true)}`).join(' · ');
    parts.push(el('p', 'probe-dl', dl));
  }
  probe.layers.forEach((layer, l) => {
    const last = l + 1 === probe.layers.length;
    const box2 = el('div', 'probe-layer');
    box2.append(el('h4', '', `${last ? 'output layer' : `hidden layer ${l + 1}`} (${layer.n_out} units)`));
    box2.append(strip(probe.blind ? 'reference a' : 'clean a', layer.clean_a, 'pre-activations of the clean pass', scales.a, readout));
    layer.passes.forEach((p, k) => {
      if (k === 0 && !probe.blind) return;
      if (!p.noised && probe.method === 'inp') return;
      const tag = probe.method === 'inp' ? `pass ${k} (perturbs this layer)` : `pass ${k}`;
      if (p.eps && !probe.blind) box2.append(strip(`noise ε, ${tag}`, p.eps, 'the noise injected into these pre-activations', scales.eps, readout));
      box2.append(strip(`noisy ã, ${tag}`, p.a, 'pre-activations of the noisy pass', scales.a, readout));
      if (probe.method === 'anp') {
        box2.append(strip(`measured Δa, ${tag}`, p.a.map((v, j) => v - layer.passes[0].a[j]), 'ã − a: what ANP uses instead of ε', scales.da, readout));
      }
    });
    if (passes > 1 && probe.method === 'inp') {
      const own = layer.passes.findIndex((p) => p.noised);
      if (own > 0) box2.append(el('p', 'note', `pass ${own} perturbs only this layer; its dL = ${fx(probe.d_loss[own], 2, true)}`));
    }
    box2.append(strip(probe.method === 'bp' ? 'δ = dL/da' : 'credit per unit', layer.signal, 'the per-sample signal that multiplies the layer input', scales.signal, readout));
    const mats = el('div', 'mats');
    const sampled = (m) => (m.rows < m.full_rows || m.cols < m.full_cols ? `, ${m.rows}×${m.cols} sampled` : '');
    const u = layer.update;
    mats.append(matrix(`update G (${u.full_rows}×${u.full_cols}, whole batch${sampled(u)})`, u.values, u.rows, u.cols, 'the update direction handed to the optimiser'));
    const c = layer.input_correlation;
    if (c) {
      mats.append(matrix(`input correlation (${c.full_rows}×${c.full_cols}${sampled(c)})`, c.values, c.rows, c.cols, 'normalised second moments of this layer\'s decorrelated input over the batch: decorrelation drives the off-diagonal to 0'));
    }
    box2.append(mats);
    parts.push(box2);
  });
  box.replaceChildren(...parts);
}
