// The "noise made visible" panel: renders the probe of the last step (computed in Rust) for one
// sample. Text goes in with textContent only.
import { putGrid, setText } from './charts.js';

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

/** The panel's elements are built on the first render of a probe's structure and reused by
 *  later renders of the same structure (a running page redraws the panel every few frames, and
 *  rebuilding it made dozens of canvases of garbage each time): `made(create, update)` returns
 *  the next element, created on the first render, and updates it; a render makes its calls in
 *  the same order for the same structure. */
function builder(reuse) {
  const fresh = !reuse;
  const list = reuse ?? [];
  let i = 0;
  const made = (create, update) => {
    const e = fresh ? create() : list[i];
    if (fresh) list.push(e);
    i += 1;
    update(e);
    return e;
  };
  return {
    list,
    fresh,
    /** An element whose text changes from render to render. */
    text: (tag, cls, text) => made(() => el(tag, cls), (e) => setText(e, text)),
    /** A container of `children` (already made), filled once. */
    group: (tag, cls, children) => made(() => {
      const e = el(tag, cls);
      e.append(...children);
      return e;
    }, () => {}),
    made,
  };
}

/** One strip: a value per unit, coloured on the quantity's shared scale; hovering a cell shows
 *  its value. */
function strip(b, label, values, title, scale, readout) {
  return b.made(() => {
    const row = el('div', 'strip');
    row.append(el('span', 'strip-label', label));
    const c = el('canvas');
    c.width = Math.min(values.length * 14, 420);
    c.height = 14;
    c.title = title;
    c.addEventListener('mousemove', (e) => {
      const v = c.values;
      const i = Math.min(v.length - 1, Math.floor((e.offsetX / c.clientWidth) * v.length));
      readout.textContent = `${label}, unit ${i + 1}: ${fx(v[i], 3, Math.abs(v[i]) < 0.01)}`;
    });
    row.append(c);
    return row;
  }, (row) => {
    const c = row.lastChild;
    c.values = values;
    putGrid(c, Float32Array.from(values, (v) => v ?? NaN), values.length, 1, scale);
  });
}

function matrix(b, label, values, rows, cols, title) {
  return b.made(() => {
    const wrap = el('div', 'matrix');
    wrap.append(el('div', 'strip-label', label));
    const c = el('canvas');
    c.width = Math.min(Math.max(cols * 8, 40), 200);
    c.height = Math.min(Math.max(rows * 8, 40), 200);
    c.title = title;
    wrap.append(c);
    return wrap;
  }, (wrap) => {
    let scale = 0;
    for (const v of values) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    putGrid(wrap.lastChild, Float32Array.from(values, (v) => v ?? NaN), cols, rows, scale || 1);
  });
}

/** What decides the panel's elements (not their values): a probe of the same shape reuses them. */
function probeShape(probe) {
  const dims = (m) => m && [m.rows, m.cols, m.full_rows, m.full_cols];
  return JSON.stringify([probe.method, probe.blind, probe.losses.length, probe.input.length <= 8,
    probe.layers.map((l) => [l.n_out, l.clean_a.length, l.signal.length, l.passes.map((p) => [p.noised, Boolean(p.eps), p.a.length]),
      dims(l.update), dims(l.input_correlation)])]);
}

const views = new WeakMap();

export function explain(rule, mode) {
  const base = EXPLAIN[rule.replace(/^d(?=bp|np|inp|anp)/, '')] ?? '';
  const decor = rule.startsWith('d') ? ' Decorrelated variant: each layer first multiplies its input by its own matrix R, which a local rule drives toward uncorrelated inputs; its input correlation is shown per layer.' : '';
  const blind = mode === 'blind' ? ' Blind mode: both passes are noisy and the noise is never observed; dL and Δa are differences between the two noisy passes.' : '';
  return base + decor + blind;
}

export function renderProbe(box, probe, scalesBox) {
  if (!probe) {
    views.delete(box);
    box.replaceChildren(el('p', 'note', 'Nothing to show yet: press Step (or Walk through this step) to see what one update does to one sample.'));
    scalesBox.replaceChildren();
    return;
  }
  const shape = probeShape(probe);
  const view = views.get(box);
  const b = builder(view?.shape === shape ? view.list : null);
  const readout = b.made(() => el('p', 'note readout', 'Hover a strip for a unit\'s value.'), () => {});
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
  if (scalesBox.childElementCount === scaleText.length + 1) {
    scaleText.forEach((t, i) => setText(scalesBox.children[i + 1], t));
  } else {
    scalesBox.replaceChildren(el('span', '', 'Colour scales (orange negative, blue positive, one per quantity, shared by every layer):'), ...scaleText.map((t) => el('span', '', t)));
  }
  const parts = [readout];
  const passes = probe.losses.length;
  parts.push(b.text('p', 'probe-head', `step ${probe.step}, sample ${probe.sample} of ${probe.batch} (class ${probe.label}), ${probe.input.length <= 8 ? `input (${probe.input.map((v) => fx(v, 2)).join(', ')})` : `${probe.input.length} inputs`}. ` +
    `Loss of the ${probe.blind ? 'reference noisy' : 'clean'} pass: ${fx(probe.losses[0], 5)}.`));
  if (probe.method !== 'bp') {
    const dl = probe.d_loss.slice(1).map((d, k) => `pass ${k + 1}: dL = ${fx(d, 2, true)}`).join(' · ');
    parts.push(b.text('p', 'probe-dl', dl));
  }
  probe.layers.forEach((layer, l) => {
    const last = l + 1 === probe.layers.length;
    const items = [b.text('h3', '', `${last ? 'output layer' : `hidden layer ${l + 1}`} (${layer.n_out} units)`)];
    items.push(strip(b, probe.blind ? 'reference a' : 'clean a', layer.clean_a, 'pre-activations of the clean pass', scales.a, readout));
    layer.passes.forEach((p, k) => {
      if (k === 0 && !probe.blind) return;
      if (!p.noised && probe.method === 'inp') return;
      const tag = probe.method === 'inp' ? `pass ${k} (perturbs this layer)` : `pass ${k}`;
      if (p.eps && !probe.blind) items.push(strip(b, `noise ε, ${tag}`, p.eps, 'the noise injected into these pre-activations', scales.eps, readout));
      items.push(strip(b, `noisy ã, ${tag}`, p.a, 'pre-activations of the noisy pass', scales.a, readout));
      if (probe.method === 'anp') {
        items.push(strip(b, `measured Δa, ${tag}`, p.a.map((v, j) => v - layer.passes[0].a[j]), 'ã − a: what ANP uses instead of ε', scales.da, readout));
      }
    });
    if (passes > 1 && probe.method === 'inp') {
      const own = layer.passes.findIndex((p) => p.noised);
      if (own > 0) items.push(b.text('p', 'note', `pass ${own} perturbs only this layer; its dL = ${fx(probe.d_loss[own], 2, true)}`));
    }
    items.push(strip(b, probe.method === 'bp' ? 'δ = dL/da' : 'credit per unit', layer.signal, 'the per-sample signal that multiplies the layer input', scales.signal, readout));
    const sampled = (m) => (m.rows < m.full_rows || m.cols < m.full_cols ? `, ${m.rows}×${m.cols} sampled` : '');
    const u = layer.update;
    const mats = [matrix(b, `update G (${u.full_rows}×${u.full_cols}, whole batch${sampled(u)})`, u.values, u.rows, u.cols, 'the update direction handed to the optimiser')];
    const c = layer.input_correlation;
    if (c) {
      mats.push(matrix(b, `input correlation (${c.full_rows}×${c.full_cols}${sampled(c)})`, c.values, c.rows, c.cols, 'normalised second moments of this layer\'s decorrelated input over the batch: decorrelation drives the off-diagonal to 0'));
    }
    items.push(b.group('div', 'mats', mats));
    parts.push(b.group('div', 'probe-layer', items));
  });
  if (b.fresh) {
    box.replaceChildren(...parts);
    views.set(box, { shape, list: b.list });
  }
}
