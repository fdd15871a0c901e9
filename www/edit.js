// Editing a weight or a bias by hand (TensorFlow Playground's click on a link), as part of the
// run: while paused, a click on a link or a bias marker (or Enter on it from the keyboard) opens a
// field; Enter applies, Escape cancels. The edit goes into the link as an `edit=` item
// STEP:LAYER:ROW:COL:VALUE at the current step: the worker makes it in the paused runs at once
// (the engine's Session.edit; each run's config then carries it), so the page and the CLI give
// the same checksum for the link. Before that, the worker measures what the edit does on the
// current minibatch (the engine's editEffect): the loss change and the credit a perturbation rule
// would read from it, said under the diagram.
import { num, hitTest, biasReadout, linkReadout } from './diagram.js';
import { joinConfig, splitConfig } from './controls.js';
import { wasm } from './engine.js';

const $ = (id) => document.getElementById(id);

/** The `edit=` item of `hit` (a link or a bias as the diagram's hit-test reports it) set to
 *  `value` (text, as typed) at step `step`. */
export function editItem(hit, step, value) {
  const col = hit.kind === 'bias' ? 'b' : String(hit.in);
  const row = hit.kind === 'bias' ? hit.unit : hit.out;
  return `${step}:${hit.layer}:${row}:${col}:${value}`;
}

/** The effect of an edit in words (`e`: the engine's EditEffect as JSON; `what`: the weight's
 *  name). Every figure is the engine's. */
export function effectText(e, what, lr) {
  const parts = [
    `${what}: ${num(e.before)} → ${num(e.before + e.delta)} (Δ ${num(e.delta)}).`,
    `On the current minibatch the loss went from ${num(e.loss_before)} to ${num(e.loss_after)}: dL = ${num(e.d_loss)} (${e.d_loss < 0 ? 'the edit helped' : e.d_loss > 0 ? 'the edit hurt' : 'no change'}).`,
  ];
  if (e.credit !== null && e.credit !== undefined) {
    parts.push(`NP's credit for this perturbation made by hand: dL/Δ = ${num(e.credit)}${e.gradient !== null && e.gradient !== undefined ? ` (the true gradient dL/dw: ${num(e.gradient)})` : ''}; plain SGD at lr ${lr} would change it by ${num(e.sgd_change)}.`);
  }
  return parts.join(' ');
}

/** The file name of the weights' export: the run's data set, rule, seed and step. */
export function weightsFileName(values, step) {
  const safe = (v) => String(v ?? '').replace(/[^A-Za-z0-9_.-]/g, '');
  return `np-playground-weights-${safe(values.data)}-${safe(values.rule)}-seed${safe(values.seed)}-step${step}.json`;
}

/** Downloads the own run's weights as the engine writes them (every layer's W, b and, for the
 *  decorrelated rules, R, with the run's config and checksum). */
async function exportWeights(deps) {
  const { state } = deps;
  const step = state.snap?.runs[0].summary.step ?? 0;
  const note = $('edit-effect');
  let text;
  try {
    text = await deps.ask('exportWeights');
  } catch (e) {
    note.textContent = `Export weights failed: ${e.message}`;
    note.hidden = false;
    return;
  }
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  a.download = weightsFileName(state.values, step);
  a.click();
  URL.revokeObjectURL(a.href);
}

/** The runs now carry an edit (their configs, in the worker's order): the page's runs and its
 *  link follow. False when the answer does not fit the runs the page has. */
function adopt(deps, configs) {
  const { state } = deps;
  if (configs.length !== state.runs.length || !state.good) return false;
  const runs = state.runs.map((r, i) => ({ ...r, config: configs[i] }));
  const compare = state.compare.map((c) => ({ ...c, config: runs.find((r) => r.label === c.label)?.config ?? c.config }));
  Object.assign(state, { config: configs[0], runs, compare, values: splitConfig(configs[0]) });
  state.good = { config: state.config, label: state.label, compare, runs };
  deps.showValues();
  deps.writeUrl();
  return true;
}

/** The link or bias under a click on the diagram, if any (a finger covers more than a pointer:
 *  a bias is found within 24 px of it). */
function clicked(state, canvas, e) {
  if (!state.snap?.diagram || !state.layout) return null;
  const k = canvas.width / canvas.clientWidth;
  const reach = matchMedia('(pointer: coarse)').matches ? 24 * k : 0;
  return hitTest(state.layout, state.snap.diagram, e.offsetX * k, e.offsetY * k, reach);
}

/** The name of a link or a bias, as its read-out gives it. */
const nameOf = (hit, diagram) => (hit.kind === 'bias' ? biasReadout(hit, diagram) : linkReadout(hit, diagram)).split(':')[0];

/** Wires the editor and the weights' export. `deps`: {state, ask, openFragment, pageKeys,
 *  writeUrl, showValues (shows state.values in the settings), paused, askRuns (asks every worker
 *  that holds runs: their answers in run order)}. */
export function wireEditor(deps) {
  const form = $('weight-edit');
  const input = $('weight-value');
  const effect = $('edit-effect');
  let target = null; // {hit, step, name}
  const close = () => {
    form.hidden = true;
    target = null;
  };
  const open = (hit, name) => {
    const snap = deps.state.snap;
    if (!snap) return;
    if (!deps.paused()) {
      $('network-hover').textContent = `${name}: pause training to edit it.`;
      return;
    }
    target = { hit, step: snap.runs[0].summary.step, name };
    $('weight-edit-name').textContent = `${name} =`;
    input.value = String(hit.kind === 'bias' ? hit.bias : hit.weight);
    input.setAttribute('aria-label', `new value of the ${name}`);
    form.hidden = false;
    input.focus();
    input.select();
    form.scrollIntoView({ block: 'nearest' });
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!target) return;
    const text = input.value.trim();
    const value = Number(text);
    const { state } = deps;
    if (text === '' || !Number.isFinite(value)) {
      effect.textContent = `"${text}" is not a number: type the ${target.name}'s new value, e.g. 0.5.`;
      effect.hidden = false;
      return;
    }
    const { hit, step, name } = target;
    const item = editItem(hit, step, text);
    const now = item.slice(item.indexOf(':') + 1); // LAYER:ROW:COL:VALUE, made at the run's step
    const values = { ...state.values, edit: state.values.edit ? `${state.values.edit},${item}` : item };
    const link = `${joinConfig(values)}${deps.pageKeys()}`;
    // The codec checks the item first (its range, the weight it names).
    const r = JSON.parse(wasm().parseFragment(link));
    const problem = r.problems.find((p) => p.key === 'edit');
    if (problem) {
      effect.textContent = `edit=${item}: ${problem.message}. Nothing was changed.`;
      effect.hidden = false;
      return;
    }
    close();
    // What the edit does on the current minibatch, measured before it is made.
    let said;
    try {
      said = effectText(JSON.parse(await deps.ask('editEffect', { item: now })), name, state.values.lr);
    } catch (err) {
      said = `${name}: its effect could not be measured (${err.message}).`;
    }
    // The edit, made now in every run (the same weight: the runs share the network's shape), on
    // every worker that holds runs; each run's config then carries it, as the link does. If a
    // worker cannot, or the runs were not on one step, the link with the edit is replayed to this
    // step instead (the same weights, by the edit's definition).
    let configs = null;
    try {
      configs = (await deps.askRuns('edit', { item: now })).flatMap((a) => JSON.parse(a));
      const items = new Set(configs.map((c) => c.match(/(?:^|&)edit=([^&]*)/)?.[1]));
      if (items.size !== 1) configs = null;
    } catch {
      configs = null;
    }
    if (configs?.length && adopt(deps, configs)) {
      effect.textContent = said;
      effect.hidden = false;
      return;
    }
    deps.state.editEffect = { step, text: said };
    effect.textContent = `Editing: the run replays to step ${step} with the edit…`;
    effect.hidden = false;
    await deps.openFragment(`${link}${step ? `&at=${step}` : ''}`);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
      $('network').focus();
    }
  });
  $('weight-cancel').addEventListener('click', close);
  $('export-weights').addEventListener('click', () => exportWeights(deps));
  $('network').addEventListener('click', (e) => {
    const hit = clicked(deps.state, e.currentTarget, e);
    if (hit?.kind === 'link' || hit?.kind === 'bias') open(hit, nameOf(hit, deps.state.snap.diagram));
  });
  $('network').addEventListener('keydown', (e) => {
    const hit = deps.state.hover;
    if (e.key === 'Enter' && (hit?.kind === 'link' || hit?.kind === 'bias')) {
      e.preventDefault();
      open(hit, nameOf(hit, deps.state.snap.diagram));
    }
  });
  return {
    /** A snapshot arrived: once the edited run is back at its step, say what the edit did. */
    onSnapshot(snap) {
      const pending = deps.state.editEffect;
      if (!pending || snap.config !== deps.state.config || snap.runs[0].summary.step !== pending.step || snap.replay) return;
      deps.state.editEffect = null;
      effect.textContent = pending.text;
      effect.hidden = false;
    },
    /** New runs that are not an edit's: the last edit's note goes. */
    clear() {
      if (!deps.state.editEffect) effect.hidden = true;
      close();
    },
  };
}
