// The "noise made visible" panel: renders the probe of the last step (computed in Rust) for one
// sample. Text goes in with textContent only.
import { putGrid, setText } from './charts.js';

// Every sentence here is a claim about what the engine computes; tests/walk.rs backs each one
// (the credit formulas, the passes of each rule, the blind pairs, what R drives toward zero).
const EXPLAIN = {
  bp: 'BP computes the exact gradient of the batch\'s mean loss with a backward pass: no noise is injected. Pick a perturbation rule to see noise at work.',
  np: 'NP: one clean pass, then a noisy pass (one per draw) with noise ε in every layer at once. The loss change dL, divided by σ², times each unit\'s own ε, is that unit\'s credit: no backward pass is needed, because the one number dL reaches every unit, which combines it with its own noise. The credit times the unit\'s clean layer input x, averaged over the batch (and the draws), is the rule\'s estimate G, which the optimiser turns into the step. Every layer\'s credit also carries the loss change caused by all other layers\' noise.',
  inp: 'INP: one clean pass, then a noisy pass per layer (and draw), each with noise in that layer only. Each layer is credited only with the loss change its own noise caused, dL·n·ε/‖ε‖² per unit (n: the layer\'s units): no cross-talk, and no backward pass, at the cost of one pass per layer.',
  anp: 'ANP: the same passes as NP, but the credit uses the measured change of each pre-activation, Δa = ã − a (the injected noise plus what earlier layers\' noise propagated), times N·dL and divided by the squared change of the whole network for this sample, ‖Δa‖² (N units; a network-wide quantity). The injected noise itself is never used.',
  wp: 'WP: one clean pass, then a noisy pass (one per draw) through the weights jittered by noise ξ on every weight and bias, one draw shared by the whole minibatch. The minibatch\'s mean loss change dL, divided by σ², times each weight\'s own ξ, is the rule\'s estimate G: no backward pass, and one probe per draw for the whole minibatch, where NP has one per sample.',
  fgw: 'FG-W: a random tangent v over every weight and bias (one per draw), shared by the whole minibatch. Beside the clean pass, a forward-mode (tangent) pass carries each pre-activation\'s exact derivative along v, ȧ, up the network to the minibatch loss\'s exact derivative d along v; G = d·v (averaged over the draws). No noise, no finite difference, no backward pass.',
  fga: 'FG-A: a random tangent u on every unit\'s pre-activation, its own for every sample (and draw). Beside the clean pass, a forward-mode (tangent) pass carries it up the network, ȧ = u + W ẋ, to each sample\'s exact derivative d along u. A unit\'s credit is d·u; times the clean layer input x, averaged over the batch (and the draws), it is the rule\'s estimate G: NP\'s update with d in place of dL/σ, without a finite difference\'s error.',
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

/** The finite values' least, greatest and the index of the largest in size (-1: none). */
function extent(values) {
  let lo = Infinity;
  let hi = -Infinity;
  let at = -1;
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    if (at < 0 || Math.abs(v) > Math.abs(values[at])) at = i;
  });
  return { lo, hi, at };
}

const said = (v) => fx(v, 3, Math.abs(v) < 0.01 && v !== 0);

/** What a strip shows, in words (its canvas's text alternative, renewed with every drawing): how
 *  many units, the range of their values and the unit of the largest magnitude. */
function stripWords(label, title, values) {
  const { lo, hi, at } = extent(values);
  const n = `${values.length} unit${values.length === 1 ? '' : 's'}`;
  if (at < 0) return `${label} (${title}): ${n}, no value yet`;
  return `${label} (${title}): ${n}, from ${said(lo)} to ${said(hi)}; the largest in size at unit ${at + 1}: ${said(values[at])}`;
}

/** One strip: a value per unit, coloured on the quantity's shared scale; hovering a cell shows
 *  its value; its words (stripWords) are the canvas's text alternative. */
function strip(b, label, values, title, scale, readout) {
  return b.made(() => {
    const row = el('div', 'strip');
    row.append(el('span', 'strip-label', label));
    const c = el('canvas');
    c.width = Math.min(values.length * 14, 420);
    c.height = 14;
    c.title = title;
    c.setAttribute('role', 'img');
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
    c.setAttribute('aria-label', stripWords(label, title, values));
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
    c.setAttribute('role', 'img');
    wrap.append(c);
    return wrap;
  }, (wrap) => {
    const { lo, hi, at } = extent(values);
    const scale = at < 0 ? 0 : Math.abs(values[at]); // the largest in size
    wrap.lastChild.setAttribute('aria-label', `${label} (${title}): ${rows} × ${cols} values shown${at < 0 ? '' : `, from ${said(lo)} to ${said(hi)}`}`);
    putGrid(wrap.lastChild, Float32Array.from(values, (v) => v ?? NaN), cols, rows, scale || 1);
  });
}

/** The pass that pass `k` is measured against: the nearest reference pass before it (the
 *  engine's d_loss is null exactly for the reference passes: pass 0, or in blind mode the first
 *  pass of every draw's pair), or null when `k` is a reference pass itself. */
function referenceOf(probe, k) {
  if (probe.d_loss[k] === null || k === 0) return null;
  let r = k - 1;
  while (r > 0 && probe.d_loss[r] !== null) r -= 1;
  return r;
}

/** Pass `k`'s measured change against its own reference pass, `a~ - a` (blind mode: against
 *  the first pass of its draw's pair, not pass 0). */
function measured(probe, layer, k) {
  const ref = layer.passes[referenceOf(probe, k)].a;
  return layer.passes[k].a.map((v, j) => v - ref[j]);
}

/** What decides the panel's elements (not their values): a probe of the same shape reuses them. */
function probeShape(probe) {
  const dims = (m) => m && [m.rows, m.cols, m.full_rows, m.full_cols];
  return JSON.stringify([probe.method, probe.blind, probe.losses.length, probe.input.length <= 8,
    probe.layers.map((l) => [l.n_out, l.clean_a.length, l.signal.length, l.passes.map((p) => [p.noised, Boolean(p.eps), p.a.length]),
      dims(l.update), dims(l.input_correlation), dims(l.weight_probe), Boolean(l.unit_tangent), Boolean(l.tangent_a), Boolean(l.bias_probe)])]);
}

const views = new WeakMap();

export function explain(rule, mode) {
  const base = EXPLAIN[rule.replace(/^d(?=bp|np|inp|anp|wp|fgw|fga)/, '')] ?? '';
  const decor = rule.startsWith('d') ? ' Decorrelated variant: each layer first multiplies its input by its own matrix R (x = R h); after every step a local rule updates R to push the off-diagonal of the batch\'s mean x xᵀ toward zero. The panel shows that matrix per layer, normalised by its diagonal.' : '';
  const blind = mode === 'blind' ? ' Blind mode: no pass is clean and the noise is never observed; every draw has its own pair of noisy passes (2K passes), dL and Δa are differences within each pair, and the layer input x is taken from the pair\'s first pass.' : '';
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
    da: scaleOf(probe.layers.flatMap((l) => l.passes.map((_, k) => k).filter((k) => referenceOf(probe, k) !== null).map((k) => measured(probe, l, k)))),
    signal: scaleOf(probe.layers.map((l) => l.signal)),
    tangent: scaleOf(probe.layers.flatMap((l) => [l.unit_tangent ?? [], l.tangent_a ?? []])),
  };
  const forward = probe.method === 'fgw' || probe.method === 'fga';
  const weightSpace = probe.method === 'wp' || probe.method === 'fgw';
  // The quantities this rule's strips show (wp's noise is on the weights: its own scale per strip).
  const own = forward ? [['tangent u, ȧ', scales.tangent]] : probe.method === 'wp' ? [] : [['noise \u03b5', scales.eps], ['measured \u0394a', scales.da]];
  const scaleText = [['pre-activations a', scales.a], ...own, ...(weightSpace ? [] : [[probe.method === 'bp' ? '\u03b4' : 'credit', scales.signal]])]
    .map(([name, v]) => `${name}: \u00b1${v.toPrecision(3)}`);
  if (scalesBox.childElementCount === scaleText.length + 1) {
    scaleText.forEach((t, i) => setText(scalesBox.children[i + 1], t));
  } else {
    scalesBox.replaceChildren(el('span', '', 'Colour scales (orange negative, blue positive, one per quantity, shared by every layer):'), ...scaleText.map((t) => el('span', '', t)));
  }
  const parts = [readout];
  const passes = probe.losses.length;
  const input = probe.input.length <= 8 ? `input (${probe.input.map((v) => fx(v, 2)).join(', ')})` : `${probe.input.length} inputs`;
  const pairs = probe.losses.map((_, k) => [referenceOf(probe, k), k]).filter(([r]) => r !== null);
  const loss = probe.blind
    ? `Blind mode: ${pairs.length} pair${pairs.length > 1 ? 's' : ''} of noisy passes, no clean pass; each draw's first pass is its reference.`
    : `Loss of the clean pass: ${fx(probe.losses[0], 5)}.`;
  parts.push(b.text('p', 'probe-head', `step ${probe.step}, sample ${probe.sample} of ${probe.batch} (${probe.target != null ? `target ${fx(probe.target, 3)}` : `class ${probe.label}`}), ${input}. ${loss}`));
  if (probe.method === 'wp' || forward) {
    // The one number per draw: the minibatch's (wp, fgw) and this sample's.
    const per = probe.method === 'wp' ? 'loss change dL' : 'exact derivative d';
    const lines = probe.sample_d.map((v, k) => `draw ${k + 1}: this sample's ${per} = ${fx(v, 2, true)}${probe.batch_d.length ? `, the minibatch's = ${fx(probe.batch_d[k], 2, true)} (the one ${probe.method === 'wp' ? 'dL' : 'd'} the update uses)` : ''}`);
    parts.push(b.text('p', 'probe-dl', lines.join(' · ')));
  } else if (probe.method !== 'bp') {
    // Every draw's loss change against its own reference pass.
    const dl = pairs.map(([r, q], k) => (probe.blind
      ? `draw ${k + 1}: pass ${q} against pass ${r}, dL = ${fx(probe.d_loss[q], 2, true)}`
      : `pass ${q}: dL = ${fx(probe.d_loss[q], 2, true)}`)).join(' · ');
    parts.push(b.text('p', 'probe-dl', dl));
  }
  probe.layers.forEach((layer, l) => {
    const last = l + 1 === probe.layers.length;
    const items = [b.text('h3', '', `${last ? 'output layer' : `hidden layer ${l + 1}`} (${layer.n_out} units)`)];
    if (!probe.blind) items.push(strip(b, 'clean a', layer.clean_a, 'pre-activations of the clean pass', scales.a, readout));
    if (layer.unit_tangent) items.push(strip(b, 'tangent u, draw 1', layer.unit_tangent, 'the tangent put on these pre-activations (nothing is added to them)', scales.tangent, readout));
    if (layer.tangent_a) items.push(strip(b, 'forward wave ȧ, draw 1', layer.tangent_a, 'each pre-activation\'s exact derivative along the tangent', scales.tangent, readout));
    if (layer.bias_probe) {
      const what = probe.method === 'wp' ? 'bias noise ξ, draw 1' : 'bias tangent v, draw 1';
      items.push(strip(b, what, layer.bias_probe, probe.method === 'wp' ? 'the noise added to the biases, shared by the whole minibatch' : 'the tangent over the biases, shared by the whole minibatch', scaleOf([layer.bias_probe]), readout));
    }
    layer.passes.forEach((p, k) => {
      if (k === 0 && !probe.blind) return;
      if (!p.noised && probe.method === 'inp') return;
      if (probe.blind) {
        // Pass 2d is draw d+1's reference, pass 2d+1 its other pass.
        const draw = Math.floor(k / 2) + 1;
        const ref = referenceOf(probe, k);
        if (ref === null) {
          items.push(strip(b, `draw ${draw}: a, pass ${k}`, p.a, 'pre-activations of the draw\'s first (reference) noisy pass', scales.a, readout));
        } else {
          items.push(strip(b, `draw ${draw}: a, pass ${k}`, p.a, 'pre-activations of the draw\'s second noisy pass', scales.a, readout));
          items.push(strip(b, `draw ${draw}: Δa`, measured(probe, layer, k), `pass ${k} − pass ${ref}: what ANP uses (the noise itself is never observed)`, scales.da, readout));
        }
        return;
      }
      const tag = probe.method === 'inp' ? `pass ${k} (perturbs this layer)` : `pass ${k}`;
      if (p.eps) items.push(strip(b, `noise ε, ${tag}`, p.eps, 'the noise injected into these pre-activations', scales.eps, readout));
      items.push(strip(b, `noisy ã, ${tag}`, p.a, 'pre-activations of the noisy pass', scales.a, readout));
      if (probe.method === 'anp') {
        items.push(strip(b, `measured Δa, ${tag}`, measured(probe, layer, k), 'ã − a: what ANP uses instead of ε', scales.da, readout));
      }
    });
    if (passes > 1 && probe.method === 'inp') {
      const own = layer.passes.findIndex((p) => p.noised);
      if (own > 0) items.push(b.text('p', 'note', `pass ${own} perturbs only this layer; its dL = ${fx(probe.d_loss[own], 2, true)}`));
    }
    const signalTitle = probe.blind && pairs.length > 1
      ? 'the per-sample credit averaged over the draws (each draw\'s credit multiplies the layer input of its own first pass)'
      : 'the per-sample signal that multiplies the layer input';
    if (!weightSpace) items.push(strip(b, probe.method === 'bp' ? 'δ = dL/da' : 'credit per unit', layer.signal, signalTitle, scales.signal, readout));
    const sampled = (m) => (m.rows < m.full_rows || m.cols < m.full_cols ? `, ${m.rows}×${m.cols} sampled` : '');
    const u = layer.update;
    const mats = [matrix(b, `update G (${u.full_rows}×${u.full_cols}, whole batch${sampled(u)})`, u.values, u.rows, u.cols, 'the update direction handed to the optimiser')];
    const w = layer.weight_probe;
    if (w) {
      const name = probe.method === 'wp' ? 'weight noise ξ' : 'weight tangent v';
      mats.push(matrix(b, `${name} (${w.full_rows}×${w.full_cols}, draw 1${sampled(w)})`, w.values, w.rows, w.cols, `${name}: shared by the whole minibatch`));
    }
    const c = layer.input_correlation;
    if (c) {
      mats.push(matrix(b, `input correlation (${c.full_rows}×${c.full_cols}${sampled(c)})`, c.values, c.rows, c.cols, 'normalised second moments of this layer\'s decorrelated input over the batch: the decorrelation rule pushes its off-diagonal toward 0'));
    }
    items.push(b.group('div', 'mats', mats));
    parts.push(b.group('div', 'probe-layer', items));
  });
  if (b.fresh) {
    box.replaceChildren(...parts);
    views.set(box, { shape, list: b.list });
  }
}
