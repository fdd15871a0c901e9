// Editing the network on its diagram, as TensorFlow Playground places the controls: + and − for
// the number of hidden layers above the diagram, + and − for the neurons of each hidden layer above
// its column, and the feature inputs as toggles in a column left of the input nodes. Every button
// only writes the link's `hidden=` or `features=` (through `change`, which the codec validates);
// the bounds come from the engine's manifest.

/** The width after + on a layer of `w` units: one more up to 16 (the diagram shows 16 units of
 *  a layer at most), then doubling, never past `max`. */
export function wider(w, max) {
  return Math.min(max, w < 16 ? w + 1 : w * 2);
}

/** The width after − on a layer of `w` units (the inverse steps of `wider`, never below 1). */
export function narrower(w) {
  return Math.max(1, w <= 16 ? w - 1 : Math.max(16, Math.ceil(w / 2)));
}

function button(text, label, onClick, disabled) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.title = label;
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}

/** The + and − buttons for `widths` (the hidden layers of the link, strings): for the number of
 *  layers in `count` (the diagram's heading), and each layer's pair in `box` centred over its
 *  column of `lay` (the diagram's layout on `canvas`). `change(widths)` applies new widths.
 *  Rebuilt only when the widths or the columns move. */
export function showLayerTools(count, box, canvas, lay, widths, limits, change) {
  const k = canvas.width / (canvas.clientWidth || canvas.width);
  const cols = lay && lay.nodes.length === widths.length + 2 ? lay.nodes : null;
  const left = canvas.getBoundingClientRect().left - box.getBoundingClientRect().left + canvas.clientLeft;
  const xs = cols ? cols.slice(1, -1).map((c) => Math.round((c[0].x + c[0].size / 2) / k + left)) : [];
  const key = `${widths.join(',')}|${xs.join(',')}|${box.clientWidth}`;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  const set = (w) => change(w.join(','));
  const n = widths.length;
  const word = document.createElement('span');
  word.textContent = `${n} layer${n === 1 ? '' : 's'}`;
  word.title = `${n} hidden layer${n === 1 ? '' : 's'}`;
  count.replaceChildren(
    button('+', 'add a hidden layer', () => set([...widths, widths.at(-1) ?? '4']), n >= limits.max_hidden_layers),
    button('−', 'remove a hidden layer', () => set(widths.slice(0, -1)), n === 0),
    word,
  );
  // Columns closer than two buttons side by side get them stacked.
  const gap = xs.length > 1 ? xs[1] - xs[0] : Infinity;
  const row = box.parentElement;
  row.classList.toggle('stacked', gap < 64);
  const groups = widths.map((w, i) => {
    const g = document.createElement('div');
    g.className = `neurons${gap < 64 ? ' stacked' : ''}`;
    g.style.left = `${xs[i] ?? 0}px`;
    g.hidden = !cols;
    const v = Number(w);
    const edit = (nw) => set(widths.map((x, j) => (j === i ? String(nw) : x)));
    g.append(
      button('+', `add a neuron to hidden layer ${i + 1}`, () => edit(wider(v, limits.max_width)), v >= limits.max_width),
      button('−', `remove a neuron from hidden layer ${i + 1}`, () => edit(narrower(v)), v <= 1),
    );
    return g;
  });
  box.replaceChildren(...groups);
  // The layers' count (left) and the row's other buttons (right) share the row with the neurons'
  // pairs where they fit; else the pairs go to a row of their own.
  row.classList.remove('two-rows');
  const shown = groups.filter((g) => !g.hidden).map((g) => g.getBoundingClientRect());
  const others = [...row.children].filter((el) => el !== box && el.offsetParent).map((el) => el.getBoundingClientRect());
  const hits = (a, b) => a.left < b.right + 6 && b.left < a.right + 6;
  row.classList.toggle('two-rows', shown.some((g) => others.some((o) => hits(g, o))));
  // The diagram gives the buttons' row its height (style.css: --tools-h).
  row.closest('section')?.style.setProperty('--tools-h', `${row.offsetHeight}px`);
}

/** The feature inputs of TensorFlow Playground, in its order, with their names as shown. */
export const FEATURES = [
  ['x1', 'x₁'], ['x2', 'x₂'], ['x1sq', 'x₁²'], ['x2sq', 'x₂²'], ['x1x2', 'x₁x₂'], ['sinx1', 'sin x₁'], ['sinx2', 'sin x₂'],
];

/** The features picker: one toggle (aria-pressed) per feature, the chosen ones (`features`, the
 *  link's value) pressed; `change(list)` applies a new list. At least one stays chosen. Hidden
 *  when `enabled` is false (the digits, wider uploads: features apply to the plane only). */
export function showFeatures(box, features, enabled, change) {
  box.hidden = !enabled;
  const key = `${features}|${enabled}`;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  const on = features.split(',').filter(Boolean);
  box.replaceChildren(...FEATURES.map(([f, shown]) => {
    const pressed = on.includes(f);
    const b = button(shown, `input feature ${shown}`, () => {
      const next = FEATURES.map(([g]) => g).filter((g) => (g === f ? !pressed : on.includes(g)));
      if (!next.length) return;
      change(next.join(','));
      // Shown at once (and the toggles' lists renewed), not at the diagram's next paint: a quick
      // second click reads this list, and a refused list is put back by that paint.
      showFeatures(box, next.join(','), enabled, change);
    }, pressed && on.length === 1);
    b.dataset.feature = f;
    b.setAttribute('aria-pressed', String(pressed));
    b.title = pressed ? `${shown} is an input; click to leave it out (features=)` : `click to add ${shown} as an input (features=)`;
    return b;
  }));
}
