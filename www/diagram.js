// The network diagram on a canvas, in TensorFlow Playground's grammar: a column per layer (inputs,
// hidden units, outputs), each node a square that shows its unit (its output over the input plane
// on 2-D data, else its value for the probed sample), links coloured by the sign of the weight
// (blue positive, orange negative) and as wide as its size. During the slow-motion walk, nodes and
// links show the sub-step's quantity instead. Everything shown comes from the engine (the diagram,
// the node maps, the probe, the walk); this module only lays out and paints.
import { wasm } from './engine.js';
import { scratchCanvas } from './charts.js';

const BLUE = [8, 119, 189];
const ORANGE = [245, 147, 34];
const WHITE = [232, 234, 235];

/** Diverging colour of `v` in [-1, 1] (orange negative, blue positive), as a CSS colour. */
export function colour(v, alpha = 1) {
  if (!Number.isFinite(v)) return `rgba(200,200,200,${alpha})`;
  const t = Math.max(-1, Math.min(1, v));
  const [a, b] = t < 0 ? [WHITE, ORANGE] : [WHITE, BLUE];
  const s = Math.abs(t);
  const c = a.map((x, k) => Math.round(x + (b[k] - x) * s));
  return `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
}

function maxAbs(values) {
  let m = 0;
  for (const v of values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

/** Where every node sits: columns evenly spread, nodes centred in each column. */
export function layout(canvas, diagram) {
  const w = canvas.width;
  const h = canvas.height;
  const cols = diagram.shown.length;
  const most = Math.max(...diagram.shown.map((s) => s.length));
  const pad = 22 * (w / canvas.clientWidth || 1);
  const size = Math.max(8, Math.min(38 * (w / canvas.clientWidth || 1), (h - 2 * pad) / most - 4));
  const xs = diagram.shown.map((_, l) => pad + (l * (w - 2 * pad - size)) / Math.max(1, cols - 1));
  const nodes = diagram.shown.map((units, l) => {
    const gap = Math.min(size * 0.35, (h - 2 * pad - units.length * size) / Math.max(1, units.length - 1));
    const height = units.length * size + (units.length - 1) * gap;
    const top = (h - height) / 2 + 6;
    return units.map((unit, k) => ({ layer: l, k, unit, x: xs[l], y: top + k * (size + gap), size }));
  });
  return { nodes, size };
}

/** Paints the diagram. `view`: {diagram, nodeMaps, nodeRes, inputMaps (the input nodes' maps on
 *  2-D data), probe, frame (a walk sub-step or null), hover}. Returns the layout for hit-testing. */
export function drawDiagram(canvas, view) {
  const ctx = canvas.getContext('2d');
  const { diagram, frame } = view;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!diagram) return null;
  const lay = layout(canvas, diagram);
  const k = canvas.width / (canvas.clientWidth || canvas.width);
  // Links.
  const linkValues = frame?.links ?? null;
  const linkScale = linkValues ? maxAbs(linkValues.flat()) || 1 : diagram.max_weight || 1;
  // Each link's colour and width come from its value quantised to 1/32 of the scale; links of the
  // same style go into one path and one stroke (hundreds of strokes a frame were the panel's cost).
  const LEVELS = 32;
  const paths = new Map();
  for (let l = 1; l < lay.nodes.length; l++) {
    const values = linkValues ? linkValues[l - 1] : diagram.weights[l - 1];
    const ins = lay.nodes[l - 1];
    const outs = lay.nodes[l];
    const dim = frame && !frame.focus.includes(l);
    outs.forEach((o, j) => ins.forEach((i, q) => {
      const v = values[j * ins.length + q];
      if (!Number.isFinite(v)) return;
      const level = Math.round(Math.min(1, Math.abs(v / linkScale)) * LEVELS);
      const key = `${v >= 0 ? 1 : -1},${level},${dim ? 1 : 0}`;
      let style = paths.get(key);
      if (!style) {
        const t = level / LEVELS;
        style = { path: new Path2D(), colour: colour(v >= 0 ? 1 : -1, dim ? 0.15 : 0.25 + 0.65 * t), width: Math.max(0.4, 5 * t) * k };
        paths.set(key, style);
      }
      const path = style.path;
      const x0 = i.x + i.size;
      const y0 = i.y + i.size / 2;
      const x1 = o.x;
      const y1 = o.y + o.size / 2;
      const mx = (x0 + x1) / 2;
      path.moveTo(x0, y0);
      path.bezierCurveTo(mx, y0, mx, y1, x1, y1);
    }));
  }
  for (const { path, colour: c, width } of paths.values()) {
    ctx.strokeStyle = c;
    ctx.lineWidth = width;
    ctx.stroke(path);
  }
  // Nodes.
  const res = view.nodeRes;
  const maps = frame ? null : view.nodeMaps;
  let mapOffset = 0;
  const nodeScale = frame ? frame.nodes.map((layer) => maxAbs(layer) || 1) : null;
  lay.nodes.forEach((layer, l) => layer.forEach((n) => {
    let drawn = false;
    if (maps && res) {
      if (l === 0 && view.inputMaps?.length === diagram.sizes[0] * res * res) {
        // An input node on 2-D data: its feature over the plane (the engine's), on its own scale.
        paintMap(ctx, n, view.inputMaps.subarray(n.unit * res * res, (n.unit + 1) * res * res), res, null);
        drawn = true;
      } else if (l > 0) {
        const cells = res * res;
        const values = maps.subarray(mapOffset, mapOffset + cells);
        mapOffset += cells;
        if (values.length === cells) {
          paintMap(ctx, n, values, res, l === lay.nodes.length - 1 ? null : 1);
          drawn = true;
        }
      }
    }
    if (!drawn) {
      let v = NaN;
      let scale = 1;
      if (frame) {
        v = frame.nodes[l][n.k];
        scale = nodeScale[l];
      } else if (view.probe) {
        const values = l === 0 ? view.probe.input : view.probe.layers[l - 1].clean_h;
        v = values[n.unit];
        scale = l === lay.nodes.length - 1 ? maxAbs(values) || 1 : l === 0 ? 1 : 1;
      }
      ctx.fillStyle = colour(v / scale);
      ctx.fillRect(n.x, n.y, n.size, n.size);
    }
    const focus = frame && frame.focus.includes(l);
    ctx.strokeStyle = focus ? '#0b57d0' : '#888';
    ctx.lineWidth = (focus ? 2.5 : 1) * k;
    ctx.strokeRect(n.x, n.y, n.size, n.size);
    if (view.hover?.kind === 'node' && view.hover.layer === l && view.hover.k === n.k) {
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2.5 * k;
      ctx.strokeRect(n.x - 2 * k, n.y - 2 * k, n.size + 4 * k, n.size + 4 * k);
    }
  }));
  paintBiases(ctx, lay, diagram, view.hover, k);
  paintLinkFocus(ctx, lay, view.hover, k);
  // Column captions: what the layer is, and "16 of 256" when only a subset is shown.
  ctx.fillStyle = '#444';
  ctx.font = `${12 * k}px sans-serif`;
  // Columns closer than a caption's width get only their sizes.
  const crowded = lay.nodes.length > 1 && (lay.nodes[1][0].x - lay.nodes[0][0].x) / k < 84;
  lay.nodes.forEach((layer, l) => {
    const n = diagram.sizes[l];
    const last = l === lay.nodes.length - 1;
    const name = l === 0 ? 'inputs' : last ? 'outputs' : `layer ${l}`;
    const shown = layer.length < n ? `${layer.length} of ${n}` : `${n}`;
    if (crowded) {
      ctx.textAlign = l === 0 ? 'left' : last ? 'right' : 'center';
      ctx.fillText(l === 0 ? `in ${n}` : last ? `out ${n}` : `${n}`, l === 0 ? 2 * k : last ? canvas.width - 2 * k : layer[0].x + layer[0].size / 2, 13 * k);
      return;
    }
    const x = layer[0].x + layer[0].size / 2;
    // The first and last captions are aligned to the canvas's edges, so they are never cut.
    ctx.textAlign = l === 0 ? 'left' : last ? 'right' : 'center';
    ctx.fillText(`${name} (${shown})`, l === 0 ? 2 * k : last ? canvas.width - 2 * k : x, 13 * k);
    ctx.textAlign = 'center';
    if (diagram.decorrelated && !last) ctx.fillText('R', x + (lay.nodes[l + 1][0].x - x) / 2, 28 * k);
  });
  return lay;
}

/** The probed digit (its grey levels `input`) on its own small canvas. */
export function paintDigit(canvas, input) {
  const side = Math.round(Math.sqrt(input.length));
  if (side * side !== input.length) return;
  const ctx = canvas.getContext('2d');
  const [x, y, size] = [0, 0, canvas.width];
  const img = new ImageData(side, side);
  for (let p = 0; p < input.length; p++) {
    const v = 255 - Math.round(Math.max(0, Math.min(1, input[p])) * 255);
    img.data.set([v, v, v, 255], 4 * p);
  }
  const tmp = scratchCanvas(side, side);
  tmp.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, x, y, size, size);
}

/** A node's map over the plane (values divided by `scale`, or by their largest size). */
function paintMap(ctx, n, values, res, scale) {
  const s = scale ?? (maxAbs(values) || 1);
  const img = new ImageData(wasm().rgba(values, s), res, res);
  const tmp = scratchCanvas(res, res);
  tmp.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, n.x, n.y, n.size, n.size);
}

/** Where the bias marker of node `n` sits (layers 1..L): a square just left of the node's
 *  bottom-left corner (as in TensorFlow Playground), at most `biasMax` wide; `scale` is the
 *  largest |b| shown, so its side follows |b|. */
export function biasBox(n, b, scale) {
  const most = Math.max(4, n.size * 0.42);
  const t = Number.isFinite(b) ? Math.min(1, Math.abs(b) / (scale || 1)) : 1;
  const side = Math.max(3, most * (0.35 + 0.65 * Math.sqrt(t)));
  return { x: n.x - side - Math.max(1.5, n.size * 0.06), y: n.y + n.size - side, side, most };
}

/** The largest |b| of the shown biases (the biggest marker). */
export function biasScale(diagram) {
  return maxAbs(diagram.biases.flat()) || 1;
}

/** Every node's bias (layers 1..L): a square marker coloured by its sign and size, its side
 *  following |b|; the one under the pointer or the cursor outlined. */
function paintBiases(ctx, lay, diagram, hover, k) {
  const scale = biasScale(diagram);
  for (let l = 1; l < lay.nodes.length; l++) {
    lay.nodes[l].forEach((n, j) => {
      const b = diagram.biases[l - 1][j];
      const box = biasBox(n, b, scale);
      ctx.fillStyle = colour(b / scale);
      ctx.fillRect(box.x, box.y, box.side, box.side);
      const on = hover?.kind === 'bias' && hover.layer === l && hover.k === j;
      ctx.strokeStyle = on ? '#000' : '#666';
      ctx.lineWidth = (on ? 2 : 0.75) * k;
      ctx.strokeRect(box.x, box.y, box.side, box.side);
    });
  }
}

/** The node, bias or link under (x, y) in canvas pixels, if any. A bias marker is small: the
 *  pointer finds it within the largest marker's square around it (at least `reach` pixels). */
export function hitTest(lay, diagram, x, y, reach = 0) {
  if (!lay) return null;
  const scale = biasScale(diagram);
  for (let l = 1; l < lay.nodes.length; l++) {
    for (const n of lay.nodes[l]) {
      const b = diagram.biases[l - 1][n.k];
      const box = biasBox(n, b, scale);
      const half = Math.max(box.most, reach) / 2;
      const cx = box.x + box.side / 2;
      const cy = box.y + box.side / 2;
      if (Math.abs(x - cx) <= half && Math.abs(y - cy) <= half && x < n.x) return { kind: 'bias', layer: l, k: n.k, unit: n.unit, bias: b };
    }
  }
  for (const layer of lay.nodes) {
    for (const n of layer) {
      if (x >= n.x && x <= n.x + n.size && y >= n.y && y <= n.y + n.size) return { kind: 'node', layer: n.layer, k: n.k, unit: n.unit };
    }
  }
  // Links: the closest one at this x, if within a few pixels of its curve.
  for (let l = 1; l < lay.nodes.length; l++) {
    const ins = lay.nodes[l - 1];
    const outs = lay.nodes[l];
    const x0 = ins[0].x + ins[0].size;
    const x1 = outs[0].x;
    if (x < x0 || x > x1) continue;
    const t = (x - x0) / (x1 - x0);
    // The bezier's y at parameter t is close to a smoothstep between its ends.
    const s = t * t * (3 - 2 * t);
    let best = null;
    outs.forEach((o, j) => ins.forEach((i, q) => {
      const yy = i.y + i.size / 2 + (o.y + o.size / 2 - i.y - i.size / 2) * s;
      const d = Math.abs(yy - y);
      if (d < 5 && (!best || d < best.d)) best = { d, kind: 'link', layer: l, j, q, out: o.unit, in: i.unit, weight: diagram.weights[l - 1][j * ins.length + q] };
    }));
    if (best) return best;
  }
  return null;
}

/** The link from node `q` of column `l - 1` to node `j` of column `l`, as hitTest reports one. */
function linkHit(lay, diagram, l, j, q, dir) {
  const ins = lay.nodes[l - 1];
  return { kind: 'link', layer: l, j, q, out: lay.nodes[l][j].unit, in: ins[q].unit, weight: diagram.weights[l - 1][j * ins.length + q], dir };
}

function nodeHit(lay, l, k) {
  const n = lay.nodes[l][k];
  return { kind: 'node', layer: l, k, unit: n.unit };
}

function biasHit(lay, diagram, l, k) {
  const n = lay.nodes[l][k];
  return { kind: 'bias', layer: l, k, unit: n.unit, bias: diagram.biases[l - 1][k] };
}

/** The keys that move the diagram's keyboard cursor (b: a node's bias, and back). */
export const CURSOR_KEYS = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'b', 'B'];

/** Where the keyboard cursor goes from `at` (a node or link as hitTest reports them, or null)
 *  on `key`: on a node, up and down move within its column, right onto its first outgoing link,
 *  left onto its first incoming one; on a link, up and down move among the links of the node it
 *  was entered from, right and left onto the node at that end. Home and End: the column's first
 *  and last node. */
export function moveCursor(lay, diagram, at, key) {
  const cols = lay.nodes;
  const valid = at && at.layer < cols.length && (at.kind === 'node' || at.kind === 'bias'
    ? at.k < cols[at.layer].length && (at.kind === 'node' || at.layer > 0)
    : at.layer > 0 && at.j < cols[at.layer].length && at.q < cols[at.layer - 1].length);
  if (!valid) return nodeHit(lay, 0, 0);
  const wrap = (i, n) => (i + n) % n;
  if (at.kind === 'bias') {
    const n = cols[at.layer].length;
    switch (key) {
      case 'ArrowUp': return biasHit(lay, diagram, at.layer, wrap(at.k - 1, n));
      case 'ArrowDown': return biasHit(lay, diagram, at.layer, wrap(at.k + 1, n));
      case 'Home': return biasHit(lay, diagram, at.layer, 0);
      case 'End': return biasHit(lay, diagram, at.layer, n - 1);
      case 'ArrowLeft': return linkHit(lay, diagram, at.layer, at.k, 0, 'in');
      default: return nodeHit(lay, at.layer, at.k);
    }
  }
  if (at.kind === 'node') {
    const n = cols[at.layer].length;
    switch (key) {
      case 'b': case 'B': return at.layer > 0 ? biasHit(lay, diagram, at.layer, at.k) : at;
      case 'ArrowUp': return nodeHit(lay, at.layer, wrap(at.k - 1, n));
      case 'ArrowDown': return nodeHit(lay, at.layer, wrap(at.k + 1, n));
      case 'Home': return nodeHit(lay, at.layer, 0);
      case 'End': return nodeHit(lay, at.layer, n - 1);
      case 'ArrowRight': return at.layer + 1 < cols.length ? linkHit(lay, diagram, at.layer + 1, 0, at.k, 'out') : at;
      case 'ArrowLeft': return at.layer > 0 ? linkHit(lay, diagram, at.layer, at.k, 0, 'in') : at;
      default: return at;
    }
  }
  const { layer: l, j, q } = at;
  if (key === 'b' || key === 'B') return at;
  const step = { ArrowUp: -1, ArrowDown: 1 }[key];
  if (step) {
    return at.dir === 'in'
      ? linkHit(lay, diagram, l, j, wrap(q + step, cols[l - 1].length), 'in')
      : linkHit(lay, diagram, l, wrap(j + step, cols[l].length), q, 'out');
  }
  if (key === 'ArrowRight') return nodeHit(lay, l, j);
  if (key === 'ArrowLeft') return nodeHit(lay, l - 1, q);
  if (key === 'Home' || key === 'End') return nodeHit(lay, at.dir === 'in' ? l : l - 1, key === 'Home' ? 0 : cols[at.dir === 'in' ? l : l - 1].length - 1);
  return at;
}

/** The link under the pointer or the keyboard's cursor, drawn over the others (dark, outlined). */
function paintLinkFocus(ctx, lay, hover, k) {
  if (hover?.kind !== 'link' || !lay.nodes[hover.layer]?.[hover.j] || !lay.nodes[hover.layer - 1]?.[hover.q]) return;
  const i = lay.nodes[hover.layer - 1][hover.q];
  const o = lay.nodes[hover.layer][hover.j];
  const x0 = i.x + i.size;
  const y0 = i.y + i.size / 2;
  const x1 = o.x;
  const y1 = o.y + o.size / 2;
  const mx = (x0 + x1) / 2;
  const path = new Path2D();
  path.moveTo(x0, y0);
  path.bezierCurveTo(mx, y0, mx, y1, x1, y1);
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 5 * k;
  ctx.stroke(path);
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 2.5 * k;
  ctx.stroke(path);
}

// ---- the legend and the hover read-outs (what a node or a link shows, in words) ----

/** A number for a read-out, as the walk's narration writes it: 4 decimals between 0.01 and
 *  1000, 5 between 0.001 and 0.01, else 3 significant digits. */
export function num(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (v === 0) return '0';
  if (a >= 0.01 && a < 1000) return v.toFixed(4);
  return a >= 0.001 && a < 0.01 ? v.toFixed(5) : v.toExponential(2);
}

/** The legend's entries as [swatch class or null, text]: what the nodes and links show now (a
 *  walk sub-step's quantities, labelled by the engine, or the weights). */
export function legendEntries(frame) {
  return [
    ['neg', '−'], ['pos', '+'],
    ['grad', frame ? `nodes: ${frame.node_label}` : 'nodes: output'],
    [null, frame?.links ? `links: ${frame.link_label}` : 'links: weight (width |w|)'],
    ['bias', 'bias'],
  ];
}

const optimiserName = (walk) => (walk.optimizer === 'adam' ? 'Adam' : 'SGD');

/** The hovered node, in words: its name and the value it shows (a walk sub-step's quantity, or
 *  its activation for the probed sample); in a walk's update sub-steps also its bias's G and
 *  the change applied to it. */
export function nodeReadout(hit, diagram, probe, walk, frame, features = null) {
  const n = diagram.sizes.length - 1;
  const feature = features && features.length === diagram.sizes[0] && features.join(',') !== 'x1,x2' ? ` (${features[hit.unit]})` : '';
  const name = hit.layer === 0 ? `input ${hit.unit + 1}${feature}` : hit.layer === n ? `output ${hit.unit + 1}` : `layer ${hit.layer}, unit ${hit.unit + 1} of ${diagram.sizes[hit.layer]}`;
  let value;
  if (frame) {
    // In the update's sub-steps a node also stands for its bias: its G and the change applied.
    const update = walk && frame.links && hit.layer > 0;
    const parts = [];
    if (!update || frame.link_quantity === 'sample_share') parts.push(`${frame.node_label} ${num(frame.nodes[hit.layer][hit.k])}`);
    if (update) {
      const l = hit.layer - 1;
      parts.push(`bias G ${num(walk.bias_estimate[l][hit.k])} (the rule's estimate)`);
      if (walk.bias_applied) parts.push(`change Δb ${num(walk.bias_applied[l][hit.k])} applied by ${optimiserName(walk)}`);
    }
    value = parts.join('; ');
  } else if (probe) {
    const v = hit.layer === 0 ? probe.input[hit.unit] : probe.layers[hit.layer - 1].clean_h[hit.unit];
    value = `value ${Number.isFinite(v) ? v.toFixed(4) : '–'} for sample ${probe.sample}`;
  } else {
    value = 'press Step to see its value for a sample';
  }
  return `${name}: ${value}${diagram.sizes[0] === 2 && hit.layer > 0 ? '; the big plot shows it over the plane' : ''}`;
}

/** The hovered bias, in words: its value now (and in a walk's update, its G and change). */
export function biasReadout(hit, diagram, walk, frame) {
  const last = diagram.sizes.length - 1;
  const name = `bias of ${hit.layer === last ? 'output' : `layer ${hit.layer} unit`} ${hit.unit + 1}`;
  let text = `${name}: b = ${num(hit.bias)}`;
  if (walk && frame?.links) {
    const l = hit.layer - 1;
    text += ` after step ${walk.step}; G ${num(walk.bias_estimate[l][hit.k])} (the rule's estimate)`;
    if (walk.bias_applied) text += `; change Δb ${num(walk.bias_applied[l][hit.k])} applied by ${optimiserName(walk)}`;
  }
  return text;
}

/** The hovered link, in words: its weight now, and during a walk this sample's share of G (when
 *  the links show it), the rule's estimate G and the change the optimiser applied. */
export function linkReadout(hit, diagram, walk, frame) {
  const last = diagram.sizes.length - 1;
  const name = `weight from ${hit.layer === 1 ? 'input' : `layer ${hit.layer - 1} unit`} ${hit.in + 1} to ${hit.layer === last ? 'output' : `layer ${hit.layer} unit`} ${hit.out + 1}`;
  let text = `${name}: w = ${num(hit.weight)}`;
  if (walk && frame) {
    const l = hit.layer - 1;
    const i = hit.j * diagram.shown[l].length + hit.q;
    const parts = [];
    if (frame.link_quantity === 'sample_share') parts.push(`this sample's share of G ${num(walk.share[l][i])}`);
    parts.push(`G ${num(walk.estimate[l][i])} (the rule's estimate)`);
    if (walk.applied) parts.push(`change Δw ${num(walk.applied[l][i])} applied by ${optimiserName(walk)}`);
    text += ` after step ${walk.step}; ${parts.join('; ')}`;
  }
  return text;
}
