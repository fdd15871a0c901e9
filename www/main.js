// Wiring: the link <-> the runs, the controls, the training worker, the lessons, the slow-motion
// walk, and drawing on animation frames. Every figure and every check comes from the engine
// (Rust): this module only passes messages and puts things on the page.
import { loadEngine, recreateEngine, panicked, wasm, readLink, memoryBytes } from './engine.js';
import { MSG } from './protocol.js';
import { buildControls, drawThumbnails, showValues, readValues, splitConfig, joinConfig } from './controls.js';
import { CURVE_CHARTS, drawCharts, hoverText, setText, drawBoundary, drawPoints, drawActivations, drawDigits, alignmentRows, putGrid, fit, planeLegend, regressionScale } from './charts.js';
import { renderProbe, explain } from './noise.js';
import { drawDiagram, hitTest, colour, paintDigit, moveCursor, CURSOR_KEYS, legendEntries, nodeReadout, linkReadout, biasReadout } from './diagram.js';
import { showLayerTools, showFeatures } from './netedit.js'; // issue 20: the diagram's + and −, features
import { wireEditor } from './edit.js'; // issue 20: weights edited by hand
import { WalkPlayer } from './walk.js';
import { count, showReplay, showEvaluating } from './progress.js';
import { wireLessons } from './lessons.js';
import { wireUserData } from './userdata.js';
import { Pool, poolSize } from './pool.js';
import { wireSweep } from './sweep.js';
import { RunPool } from './runpool.js';

const $ = (id) => document.getElementById(id);
const playButton = $('play');
const configError = $('config-error');
const controlError = $('control-error');
const divergedBanner = $('diverged');
const engineError = $('engine-error');
// A note on what a change did, beside the setting changed (placeBeside).
const controlNote = (text) => placeBeside($('control-note'), text);
/** Messages about earlier actions go when the learner starts afresh (Reset, an import). */
function clearMessages() {
  controlError.textContent = '';
  $('control-note').textContent = '';
  $('data-problems').replaceChildren();
}
const DIGIT_SETS = ['mnist', 'mnist14'];
/** What the engine decides and the page must know (keys, limits, caps, lessons): read once. */
let M = null;
/** The lessons' panel and links (lessons.js), once the manifest is read. */
let lessons = null;
/** The weight editor (edit.js). */
let editor = null;
// ---- the pool of workers and the Sweep view (pool.js, sweep.js) ----
/** The link's `workers=` (null: one per core the browser reports), and the pool, made on first use. */
let workersAsked = null;
let pool = null;
const thePool = () => (pool ??= new Pool(poolSize(workersAsked), async () => {
  await loadDigits();
  return state.digitsBytes;
}));
/** Compare's rules over the pool's size of training workers (runpool.js). */
const runPool = new RunPool({
  show: () => showSnapshot(),
  crashed: (message) => replaceWorker(message),
  warning: (msg) => onWarning(msg),
  error: (msg) => onError(msg),
  digits: () => state.digitsBytes,
  tables: () => [...state.tables.values()],
});
/** The Sweep view (sweep.js), once the manifest is read. */
let sweepView = null;
/** What the written link carries for the pool and the sweep. */
const poolKeys = () => `${sweepView?.keys() ?? ''}${workersAsked ? `&workers=${workersAsked}` : ''}`;
// ----

const state = {
  values: null,      // current config as {key: value}
  config: '',        // canonical config string of the page's own run
  label: '',         // the run's own label (its rule)
  compare: [],       // [{label, config}] rules beside the page's own
  runs: [],          // [{label, config}] every run the worker builds (rules over seeds)
  view: { seeds: 1, xaxis: 'steps', hide: [], embed: false, lesson: null },
  worker: null,
  snap: null,        // latest snapshot from the worker
  points: null,      // data points of the current runs (2-D sets)
  digitsLoaded: null, // promise of the MNIST file, once asked for
  drawPending: false,
  playing: false,
  replay: null,      // a link's replay to its step: {at, step, msPerStep, etaMs} (the worker's figures)
  maps: {},          // chart x-maps for the crosshair and read-outs
  panelTurn: 0,      // which panel the next frame redraws while training runs
  layerTurn: 0,      // which layer's activations that panel redraws
  drawn: [],         // points being drawn: [x, y, label, ...] (the source of truth while drawing)
  drawingStarted: false, // points are being drawn that are not yet a run (fewer than the minimum)
  pointsUndo: [],    // earlier sets of drawn points, the last first out (Undo)
  lessonFocus: null, // a chapter whose part of the page is not shown yet (pointed at once it is)
  userData: null,    // the own-data controls (userdata.js)
  tables: new Map(), // uploaded tables the worker keeps, by id: {bytes, dim, name} (bytes: to hand a
                     // replacement worker; dim: 2 draws the plane; null until a snapshot says)
  asks: new Map(),   // questions to the worker awaiting their answer, by id: {ok, fail}
  askId: 0,
  imported: null,    // an imported run on its way to its step: {step, checksums, name}, to compare
  digitsBytes: null, // the MNIST file, kept to hand a replacement worker
  seq: 0,            // sequence number of the latest command to the worker
  good: null,        // the last runs the worker built: {config, label, compare, runs}
  pending: null,     // the runs asked for and not yet confirmed by a snapshot
  layout: null,      // where the diagram's nodes are (hit-testing)
  hover: null,       // the diagram's node or link under the pointer
  walkAfterStep: false, // walk the next step once it arrives (Step at slow-motion speed)
  writtenHash: '',   // the fragment this page wrote last (a different one was edited by hand)
};

// Counters read by the benchmark, the soak test and the page tests.
const stats = (window.npStats = { snapshots: 0, bytes: 0, frames: 0, readyAt: null, drawMs: {}, walks: 0 });

/** Runs one part of a redraw, keeping the longest time it took (read by the benchmark). */
function timed(part, f) {
  const start = performance.now();
  f();
  const ms = performance.now() - start;
  stats.drawMs[part] = Math.max(stats.drawMs[part] ?? 0, ms);
}

function payloadBytes(snap) {
  let bytes = JSON.stringify(snap.probe ?? null).length + JSON.stringify(snap.diagram ?? null).length;
  for (const r of snap.runs) bytes += JSON.stringify(r.summary).length + (r.plane?.byteLength ?? 0);
  for (const list of Object.values(snap.curves)) for (const s of list) bytes += (s.x?.byteLength ?? 0) * (s.lo ? 4 : 2);
  for (const v of [snap.nodes, snap.samples, ...snap.activations]) bytes += v?.byteLength ?? 0;
  return bytes;
}

const speed = () => $('speed').value;
const fmt = (v, digits) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

/** The page keys that persist in the written link (play, speed and at are one-shot), of `view`
 *  with the compare items `labels` (the page's own by default). */
function pageKeys(view = state.view, labels = state.compare.map((c) => c.label)) {
  let s = labels.length ? `&compare=${labels.join(',')}` : '';
  if (view.seeds > 1) s += `&seeds=${view.seeds}`;
  if (view.xaxis !== 'steps') s += `&xaxis=${view.xaxis}`;
  if (view.hide.length) s += `&hide=${view.hide.join(',')}`;
  if (view.embed) s += '&embed=1';
  if (view.lesson) s += `&lesson=${view.lesson}`;
  if (view.discretize) s += '&discretize=1';
  return s;
}

/** The link of the current runs, as the engine writes it (no empty pts, canonical keys). */
function fragment(extra = '') {
  const f = readLink(`${state.config}${pageKeys()}${extra}`).fragment;
  // issue 20: discretize=1 stays in the link even where the engine's link does not write it back.
  return state.view.discretize && !/(^|&)discretize=1(&|$)/.test(f) ? `${f}&discretize=1` : f;
}

function writeUrl() {
  state.writtenHash = `#${fragment(poolKeys())}`;
  // Only a new link is written (writing the same one costs Chromium a few milliseconds).
  if (location.hash !== state.writtenHash) history.replaceState(null, '', state.writtenHash);
}

/** Says what a link left out; `text` is the link, so the parts left out can be copied whole
 *  (the message quotes at most 40 characters of each). `note` adds what was kept instead. */
function showLinkProblems(problems, text = '', note = '') {
  if (!problems.length) {
    configError.hidden = true;
    return;
  }
  const each = problems.map((p) => `${p.key}=${p.value} (${p.message})`).join('; ');
  const raw = text.replace(/^#/, '').split('&').filter((kv) => problems.some((p) => kv.split('=')[0] === p.key));
  const button = document.createElement('button');
  button.className = 'link';
  button.textContent = 'copy what was left out';
  button.addEventListener('click', () => copy(raw.join('&'), 'what was left out'));
  configError.replaceChildren(`Parts of the link were left out: ${each}. The rest of the link applies.${note ? ` ${note}` : ''} `, ...(raw.length ? [button] : []));
  configError.hidden = false;
}

/** Fetches the MNIST file once and hands the worker a copy (a replacement worker gets one too). */
function loadDigits() {
  state.digitsLoaded ??= fetch(new URL('data/mnist.bin', import.meta.url))
    .then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.arrayBuffer();
    })
    .then((buf) => {
      state.digitsBytes = buf;
      const copy = buf.slice(0);
      state.worker.postMessage({ type: MSG.DIGITS, bytes: copy }, [copy]);
    })
    .catch((e) => {
      state.digitsLoaded = null;
      throw new Error(`The MNIST file www/data/mnist.bin could not be loaded (${e.message}); ./scripts/demo builds it.`);
    });
  return state.digitsLoaded;
}

/** Sends a command that changes what the worker does (build, play, pause, step, run to): each
 *  gets a sequence number that the worker's snapshots echo, so a snapshot made before the worker
 *  read the latest command never overrides it (a Pause clicked while a snapshot was in flight). */
function command(msg) {
  state.seq += 1;
  runPool.command({ ...msg, seq: state.seq }, (m) => state.worker.postMessage(m));
  // New runs end a replay (a refused build keeps it: the worker's next snapshot says so).
  if (msg.type === MSG.INIT && state.replay) {
    state.replay = null;
    showTransport();
  }
}

/** Starts fresh runs for a parsed link `r` (also Reset: the same link gives the same runs). */
async function restart(r) {
  const values = splitConfig(r.config);
  if (DIGIT_SETS.includes(values.data)) {
    try {
      await loadDigits();
    } catch (e) {
      controlError.textContent = e.message;
      return false;
    }
  }
  if (values.data === 'upload' && !(values.table ? state.tables.has(values.table) : state.tables.size)) {
    sayBeside('This link names an uploaded table, which a link cannot carry: the table travels in the file that Export run saves (open it with Import run), or upload the CSV again.', 'data');
    if (state.good) return false;
    // Nothing runs yet (the page was opened on such a link): go on with the link's other settings
    // on the default data set, so the page works while the message says what is missing.
    for (const k of ['data', 'table', ...M.data_defaulted]) delete values[k];
    const fallback = JSON.parse(wasm().parseFragment(joinConfig(values)));
    return restart(fallback);
  }
  walker.stop();
  editor?.clear();
  // Drawn points are the learner's work: a run that replaces them keeps them for Undo.
  const before = state.values;
  if (!state.undoing && before?.data === 'points' && before.pts && (values.data !== 'points' || values.pts !== before.pts)) {
    state.pointsUndo.push(Array.from(wasm().decodePoints(before.pts)));
  }
  state.config = r.config;
  state.label = r.label;
  state.compare = r.compare;
  state.runs = r.runs;
  state.view = { seeds: r.seeds, xaxis: r.xaxis, hide: r.hide, embed: r.embed, lesson: r.lesson, discretize: r.discretize ?? Boolean(state.view.discretize) };
  $('discretize').checked = state.view.discretize;
  state.values = values;
  if (values.data === 'points') {
    state.drawn = Array.from(wasm().decodePoints(values.pts ?? ''));
    state.drawingStarted = false;
  }
  // Points drawn but still too few to train on stay, over the plane, whatever else changes.
  const pending = state.drawingStarted && values.data !== 'points';
  if (values.data !== 'points' && state.batchBeforePoints && values.batch !== state.batchBeforePoints) state.batchBeforePoints = null;
  const digits = DIGIT_SETS.includes(values.data);
  // An uploaded table's plane is drawn when it has two features (known from its report, or from
  // the first snapshot for a table that came in a run file).
  const table = values.data === 'upload' ? state.tables.get(values.table) ?? [...state.tables.values()].at(-1) : null;
  const plane = !digits && (!table || table.dim === 2);
  // The data points for the plane come with the worker's first snapshot of the new runs.
  state.points = null;
  $('data-note').textContent = values.data === 'upload'
    ? 'This run uses an uploaded table too large for a link: Export run saves it with the settings; Import run opens it again.'
    : values.data === 'points' ? `${state.drawn.length / 3} points of your own; the rings are the test points (train fraction ${values.train}).`
      : pending ? state.userData.pendingNote() : '';
  $('undo-points').disabled = !state.pointsUndo.length;
  $('show-test').checked = values.data === 'points' || $('show-test').checked;
  $('plane-panel').hidden = !plane;
  $('digits-panel').hidden = !digits;
  showValues(state.values, (...a) => wasm().ruleUnavailable(...a), state.compare);
  $('seeds').value = String(state.view.seeds);
  $('xaxis').value = state.view.xaxis;
  $('noise-explain').textContent = explain(state.values.rule, state.values.mode);
  applyView();
  divergedBanner.hidden = true;
  setPlaying(false);
  state.snap = null;
  state.raw = null;
  state.pending = { config: r.config, label: r.label, compare: r.compare, runs: r.runs };
  command({ type: MSG.INIT, config: r.config, runs: r.runs, xaxis: state.view.xaxis, diagnostics: $('diagnostics').checked });
  writeUrl();
  lessons.showLesson();
  return true;
}

/** Puts `message` in `el` beside the control it is about (setting `key`'s field, else the setting
 *  being worked on), and brings it into view: a message below the fold is
 *  a message not read. With neither, `el` goes back to its place in the rule's group. */
function placeBeside(el, message, key = null) {
  el.textContent = message;
  const controls = $('controls');
  const byKey = key === 'compare' ? $('compare') : key === 'data' ? $('datasets') : key && controls.querySelector(`[data-key="${key}"]`);
  // The setting being worked on: the one with the focus, else the one changed in the last seconds.
  const recent = state.changed && performance.now() - state.changed.at < 5000 ? state.changed.el : null;
  const working = controls.contains(document.activeElement) ? document.activeElement : recent;
  const focused = working?.isConnected ? working.closest('#datasets, #compare, [data-key], label') : null;
  const anchor = [byKey, focused].find((a) => a && controls.contains(a) && a.getClientRects().length);
  if (!anchor) {
    $('diagnostics').closest('label').before(el);
    return;
  }
  if (!message) return;
  if (anchor.nextElementSibling !== el) anchor.after(el);
  el.scrollIntoView({ block: 'nearest' });
}

/** A refusal, said beside its field (see placeBeside). */
function sayBeside(message, key = null) {
  placeBeside(controlError, message, key);
}

/** The worker could not build the runs asked for: say why and go back to the runs it kept. */
function refused(message) {
  state.pending = null;
  const good = state.good;
  sayBeside(`${message}. The run keeps its previous settings.`);
  if (!good) return;
  Object.assign(state, { config: good.config, label: good.label, compare: good.compare, runs: good.runs });
  state.values = splitConfig(good.config);
  showValues(state.values, (...a) => wasm().ruleUnavailable(...a), state.compare);
  writeUrl();
}

/** Validates values (and a compare list) through the engine's codec; applies them if accepted. */
function apply(values, compareLabels = state.compare.map((c) => c.label), keys = null) {
  const result = JSON.parse(wasm().parseFragment(joinConfig(values) + pageKeys(keys ?? state.view, compareLabels)));
  if (result.problems.length) {
    const p = result.problems[0];
    // The fields go back to the values in force (a refused value left in its field would claim a
    // setting the run does not have); the message beside the field says what was refused.
    showValues(state.values, (...a) => wasm().ruleUnavailable(...a), state.compare);
    const kept = p.key in state.values ? `${p.key}=${state.values[p.key]}` : 'its previous settings';
    sayBeside(`${p.key}=${p.value}: ${p.message}. The run keeps ${kept}.`, p.key);
    return false;
  }
  controlError.textContent = '';
  if (result.config !== state.config || JSON.stringify(result.runs) !== JSON.stringify(state.runs)) {
    sweepView.unlink(result.runs.filter((r) => !/ #\d+$/.test(r.label)).map((r) => r.label));
    restart(result);
  }
  return true;
}

function applyControls() {
  controlNote('');
  const values = readValues(state.values);
  apply(values, compareApart(values, state.compare.map((c) => c.label)));
}

/** The compare list for the page's own run set to `values`: an item that now names the same run
 *  (lesson 5: choose noise mode blind beside `anp:blind`) gives its place to the settings the
 *  page's run had, so both runs stay side by side instead of the change being refused. */
function compareApart(values, labels) {
  const own = joinConfig(values);
  const same = (label) => JSON.parse(wasm().parseFragment(`${own}&compare=${label}`)).problems
    .some((p) => p.key === 'compare' && p.message.includes("the run's own settings"));
  const i = labels.findIndex(same);
  if (i < 0 || !state.values) return labels;
  // The previous settings as a compare item: its rule, and its noise mode and draws if they differ.
  const before = state.values;
  let label = before.rule;
  if (before.mode !== values.mode) label += `:${before.mode}`;
  if (before.draws !== values.draws) label += `:k${before.draws}`;
  const r = JSON.parse(wasm().parseFragment(`${own}&compare=${label}`));
  const fits = !r.problems.length && r.compare[0]?.config === state.config && !labels.includes(label);
  const out = labels.slice();
  if (fits) out[i] = label;
  else out.splice(i, 1);
  controlNote(fits
    ? `${labels[i]} is now this run's own setting; the run beside it is ${label}, the settings it had.`
    : `${labels[i]} is now this run's own setting, so it is no longer compared.`);
  return out;
}

function setPlaying(on) {
  state.playing = on;
  showTransport();
}

/** The transport while a link replays to its step: Play, Step and the walk wait (the run lands
 *  on the link's step, pauses and shows its checksum; the button never reads Play while training
 *  runs), and the indicator says where the replay heads, how far it is and the time left; its
 *  Stop ends the replay where it is. Otherwise the Play button reads Play or Pause. */
function showTransport() {
  const r = state.replay;
  const why = r ? `The link replays its run to step ${count(r.at)} first, then pauses there with its checksum; Stop (beside the step counter) ends the replay where it is` : null;
  for (const b of [playButton, $('step'), $('walk')]) {
    b.dataset.title ??= b.title;
    b.disabled = Boolean(r);
    b.title = why ?? b.dataset.title;
  }
  playButton.textContent = r ? 'Replaying…' : state.playing ? '❚❚ Pause' : '▶ Play';
  showReplay(r);
}

/** The worker's progress between snapshots (a long evaluation, a replay). */
function onProgress(msg) {
  if (msg.seq !== state.seq) return;
  state.replay = msg.replay;
  showTransport();
  showEvaluating(msg.evaluating, msg.playing);
}

/** Hide groups and the compact view, as the link asks; the layout closes the gaps they leave. */
function applyView() {
  const hide = new Set(state.view.hide);
  for (const el of document.querySelectorAll('[data-group]')) el.hidden = hide.has(el.dataset.group);
  // A settings column whose every group is hidden is hidden whole; a column or panel that is gone
  // leaves no empty track behind (the layout's classes say which are gone).
  if (['data', 'network', 'rule', 'compare'].every((g) => hide.has(g))) $('controls').hidden = true;
  const layout = document.querySelector('.layout');
  layout.classList.toggle('no-settings', $('controls').hidden);
  const noMid = $('network-panel').hidden && $('curves-panel').hidden;
  layout.classList.toggle('no-mid', noMid);
  document.querySelector('.col-mid').hidden = noMid;
  layout.classList.toggle('no-curves', $('curves-panel').hidden);
  layout.classList.toggle('no-noise', $('noise-panel').hidden);
  layout.classList.toggle('no-acts', $('acts-panel').hidden);
  // On a phone the header sticks with only its rows from Play down on screen (style.css): how far
  // up it may go follows its wrapping.
  if (!state.headerWatched) {
    state.headerWatched = true;
    const header = document.querySelector('header');
    new ResizeObserver(() => header.style.setProperty('--header-above-play', `${Math.max(0, playButton.offsetTop - 2)}px`)).observe(header);
  }
  // A lesson's panel takes the introduction's place (its first chapter says the same, and more).
  if (state.view.lesson || state.introClosed) $('intro').hidden = true;
  document.body.classList.toggle('embed', state.view.embed);
}

function onSnapshot(snap) {
  if (state.pending?.config === snap.config) {
    state.good = state.pending;
    state.pending = null;
  }
  // A table that came in a run file: its plane is drawn if it has two features.
  const table = state.values?.data === 'upload' ? state.tables.get(state.values.table) : null;
  if (table && table.dim === null && snap.config === state.config) {
    table.dim = snap.sizes[0];
    $('plane-panel').hidden = table.dim !== 2;
  }
  if (snap.points) state.points = snap.points;
  if (snap.points) state.inputMaps = snap.inputMaps; // issue 20: sent with the points, once a session
  // The costly views the worker did not recompute: the page keeps the ones it has (on the run
  // pool the page's own worker has the first rules: a prefix of the merged runs).
  const previous = state.snap;
  for (const name of snap.kept ?? []) {
    if (name === 'planes') snap.runs.forEach((r, i) => { r.plane = previous?.runs[i]?.plane ?? null; });
    else snap[name] = previous?.[name] ?? null;
  }
  state.raw = snap;
  // Ask for the next one now, so the worker prepares it while this one is drawn; at most one
  // snapshot is ever in flight, so traffic stays bounded by what the page takes.
  state.worker.postMessage({ type: MSG.WANT });
  stats.snapshots += 1;
  stats.bytes += payloadBytes(snap);
  stats.memory = { worker: snap.memory, main: memoryBytes() };
  showSnapshot();
}

/** Shows the latest snapshot, merged with the other workers' runs on the run pool (once each
 *  sent one of the current runs). */
function showSnapshot() {
  if (!state.raw) return;
  const snap = runPool.merge(state.raw);
  if (!snap) return;
  checkImported(snap);
  const previousStep = state.snap?.runs[0].summary.step;
  state.snap = snap;
  showFigures(snap);
  // A snapshot made before the worker read the latest command says nothing about it.
  const current = snap.seq === state.seq;
  // Test hooks: whether the worker is training, and whether its figures are still being
  // evaluated ("false" and "false" once a pause has settled).
  document.body.dataset.running = String(snap.playing || !current || Boolean(snap.settling));
  document.body.dataset.busy = String(snap.busy);
  if (current) {
    state.replay = snap.replay;
    showTransport();
    editor?.onSnapshot(snap);
  }
  if (current && !snap.playing && state.playing) setPlaying(false);
  if (!document.body.dataset.ready) {
    stats.readyAt = performance.now();
    document.body.dataset.ready = 'true';
  }
  // Step at slow-motion speed: walk through the step that just arrived.
  if (state.walkAfterStep && current && snap.runs[0].summary.step !== previousStep && !snap.playing) {
    state.walkAfterStep = false;
    requestWalk();
  }
  requestDraw();
}

/** An imported run that reached its step: its checksums against the file's, said either way. */
function checkImported(snap) {
  const want = state.imported;
  if (!want || snap.config !== state.config || snap.runs[0].summary.step !== want.step) return;
  const got = snap.runs.flatMap((g) => g.checksums);
  if (got.some((c) => !c)) return;
  state.imported = null;
  const labels = (state.good ?? state).runs.map((r) => r.label);
  const differ = want.checksums.filter((c) => c.checksum && labels.includes(c.label) && got[labels.indexOf(c.label)] !== c.checksum);
  const checked = want.checksums.filter((c) => c.checksum && labels.includes(c.label)).length;
  $('data-note').textContent = differ.length
    ? `${want.name}: at step ${want.step} this replay differs from the file: ${differ.map((c) => `${c.label} gives ${got[labels.indexOf(c.label)]}, the file says ${c.checksum}`).join('; ')}. The file was changed, or made by another version.`
    : checked ? `${want.name}: replayed to step ${want.step}; ${checked === 1 ? 'its checksum matches' : `all ${checked} checksums match`} the file's.` : `${want.name}: replayed to step ${want.step} (the file holds no checksum to compare).`;
}

/** The header's figures (step, checksum, losses): set with every snapshot as it arrives, so the
 *  test hooks (data-running, data-busy) never describe a step the page does not show yet. */
function showFigures(snap) {
  const s = snap.runs[0].summary;
  setText($('step-count'), String(s.step));
  setText($('epoch'), s.epoch.toFixed(2));
  setText($('checksum'), s.checksum ?? '…');
  setText($('train-loss'), fmt(s.train_loss, 4));
  setText($('test-loss'), fmt(s.test_loss, 4));
  setText($('train-accuracy'), fmt(s.train_accuracy, 3));
  setText($('test-accuracy'), fmt(s.test_accuracy, 3));
  showEvaluating(snap.evaluating, snap.playing);
}

function requestDraw() {
  if (!state.drawPending) {
    state.drawPending = true;
    requestAnimationFrame(draw);
  }
}

function draw() {
  state.drawPending = false;
  if (state.recovering) return;
  stats.frames += 1;
  const snap = state.snap;
  if (!snap) return;
  showFigures(snap);
  const s = snap.runs[0].summary;
  // issue 20: regression has a loss and no accuracy (its chart is hidden, its figures read –).
  const regression = snap.sizes.at(-1) === 1;
  $('accuracy-chart').parentElement.hidden = regression;
  setText($('eval-note'), (s.eval_train < s.train_size
    ? `Train figures on a fixed sample of ${s.eval_train} of the ${s.train_size} training samples, spread evenly; evaluated at step ${s.evaluated_at}.`
    : `Evaluated at step ${s.evaluated_at}.`) + (regression ? ' Regression: the loss is the mean squared error; there is no accuracy.' : ''));
  drawIntro(snap);
  const diverged = snap.runs.map((r) => r.summary.diverged && `${r.rule}: ${r.summary.diverged}`).filter(Boolean);
  if (diverged.length) {
    divergedBanner.textContent = diverged.join(' · ');
    divergedBanner.hidden = false;
    setPlaying(false);
  }
  // While training runs fast, each frame redraws one panel in turn so no frame's work grows
  // long; when paused, in slow motion or after a single step everything is drawn at once.
  const parts = PANELS.filter((p) => p.applies(snap) && !p.hidden());
  const all = !snap.playing || speed() === 'slow';
  const chosen = all ? parts : [parts[state.panelTurn++ % parts.length]];
  for (const part of chosen) {
    try {
      timed(part.name, () => part.draw(snap, all));
    } catch (e) {
      if (!panicked()) throw e;
      recoverEngine();
      return;
    }
  }
  // Pointed at once the panels are drawn (they set the layout: the Sweep view sits below them).
  if (state.lessonFocus && snap.config === state.config) lessons.pointAtLesson(state.lessonFocus);
}

/** The introduction's live figure: how far this run's update is from the gradient. */
function drawIntro(snap) {
  const s = snap.runs[0].summary;
  const rule = snap.runs[0].rule;
  const el = $('intro-live');
  if (rule.replace(/^d/, '') === 'bp') {
    setText(el, 'this run is backprop, whose update is the gradient itself (cosine 1); compare it with NP to see the difference');
  } else if (Number.isFinite(s.alignment_all)) {
    const value = s.alignment_all.toFixed(2);
    const b = el.querySelector('b');
    if (b) {
      setText(b, value);
    } else {
      const nb = document.createElement('b');
      nb.textContent = value;
      el.replaceChildren(`right now this run's update and the true gradient have a cosine of `, nb, ' (backprop: 1; see the alignment chart)');
    }
  } else {
    setText(el, 'press Play or Step to measure how much (the alignment chart)');
  }
}

/** Whether a run decorrelates its inputs (the correlation chart applies). */
const decorrelated = () => state.runs.some((r) => /rule=d(?:np|inp|anp|bp)/.test(r.config));

const panelHidden = (id) => () => $(id).hidden || $(id).closest('[hidden]') !== null;

const PANELS = [
  // The curve charts are a panel each, so a running page redraws one chart per frame.
  ...CURVE_CHARTS.map((name) => ({
    name: `${name} chart`,
    applies: () => name !== 'correlation' || decorrelated(),
    hidden: panelHidden('curves-panel'),
    draw: (snap) => {
      $('correlation-box').hidden = !decorrelated();
      Object.assign(state.maps, drawCharts(snap, $('log-scale').checked, decorrelated(), name));
      if (name === 'alignment') drawAlignmentTable(snap);
    },
  })),
  {
    name: 'network', applies: (snap) => Boolean(snap.diagram), hidden: panelHidden('network-panel'),
    draw: (snap) => paintDiagram(snap),
  },
  {
    name: 'plane', applies: (snap) => Boolean(snap.runs[0].plane && state.points), hidden: panelHidden('plane-panel'),
    draw: (snap) => {
      if (!state.hoverNode) paintBoundary(snap);
      drawCompareBoundaries(snap);
    },
  },
  {
    name: 'digits', applies: (snap) => Boolean(snap.samples), hidden: panelHidden('digits-panel'),
    draw: (snap) => drawDigits($('digits'), snap.samples, snap.sizes[0] === 196 ? 14 : 28),
  },
  {
    name: 'activations', applies: () => true, hidden: panelHidden('acts-panel'),
    draw: (snap, all) => drawActivations($('activations'), snap, all ? null : state.layerTurn++ % (snap.sizes.length - 1)),
  },
  {
    name: 'noise panel', applies: () => true, hidden: panelHidden('noise-panel'),
    draw: (snap) => renderProbe($('probe'), snap.probe, $('noise-scales')),
  },
];

function paintBoundary(snap) {
  const canvas = $('boundary');
  if (state.drawingStarted && state.values.data !== 'points') {
    state.userData.drawPending();
    return;
  }
  // issue 20: regression's plane (the predicted value) and the discretized output.
  const view = planeView(snap);
  drawBoundary(canvas, snap.res, snap.runs[0].plane, state.points, $('show-test').checked, M.views.plane_extent, undefined, view);
  planeLegend($('plane-legend'), view, regressionScale(state.points));
  const compare = snap.runs.length > 1;
  setText($('boundary-title'), `${view.regression ? 'Predicted value' : 'Decision boundary'}: ${snap.runs[0].rule}${compare ? ' (this run)' : ''}`);
  setText($('boundary-note'), state.values.data === 'points'
    ? `${matchMedia('(any-pointer: fine)').matches ? 'Click to add a point of the chosen class (shift: the other one)' : 'Tap to add a point of the chosen class'}. Rings are test points.`
    : view.regression ? 'Colour: the network\'s predicted value (the legend\'s scale: the targets\' largest size); dots: training points in the colour of their targets.'
      : 'Colour: the probability of the blue class; dots: training points.');
}

/** The features the network reads (issue 20; the link leaves out the default). */
const features = () => state.values.features ?? M.keys.find((k) => k.key === 'features')?.default ?? 'x1,x2';

/** How the plane is drawn (issue 20): regression (one output: the predicted value), discretized. */
function planeView(snap) {
  return { regression: snap.sizes.at(-1) === 1, discretize: Boolean(state.view.discretize) };
}

function paintDiagram(snap) {
  const canvas = $('network');
  fit(canvas);
  const frame = walker.current();
  state.layout = drawDiagram(canvas, {
    diagram: snap.diagram, nodeMaps: snap.nodes, nodeRes: snap.nodeRes, probe: snap.probe, frame, hover: state.hover,
    inputMaps: state.inputMaps,
  });
  // issue 20: + and − above the diagram's columns, the features beside its inputs.
  // A classroom link that hides the network's settings (hide=network) hides these too.
  const locked = state.view.hide.includes('network');
  const hidden = state.values.hidden === '' ? [] : state.values.hidden.split(',');
  $('net-layers').hidden = $('neurons').hidden = locked;
  showLayerTools($('net-layers'), $('neurons'), canvas, state.layout, hidden, M.limits, (h) => withValues({ hidden: h }));
  showFeatures($('features'), features(), !locked && M.keys.some((k) => k.key === 'features') && !$('plane-panel').hidden, (f) => withValues({ features: f }));
  const sizes = snap.diagram.sizes;
  const digits = sizes[0] > 2 && snap.probe && $('plane-panel').hidden; // issue 20: features are not pixels
  $('sample-box').hidden = !digits;
  if (digits) paintDigit($('network-sample'), snap.probe.input);
  const subset = snap.diagram.shown.some((s, l) => s.length < sizes[l]);
  setText($('network-note'), `${sizes.join('-')}${subset ? ' (wide layers: 16 evenly spaced units shown)' : ''}`);
  const legend = $('legend');
  const mode = frame ? `${frame.node_label}|${frame.link_label}` : 'weights';
  if (!legend.childElementCount || legend.dataset.mode !== mode) {
    legend.dataset.mode = mode;
    legend.replaceChildren(...legendEntries(frame).map(([cls, text]) => {
      if (!cls) return document.createTextNode(text);
      const span = document.createElement('span');
      const box = document.createElement('span');
      box.className = `swatch ${cls}`;
      span.append(box, ` ${text}`);
      return span;
    }));
  }
}

/** The compared runs' boundaries, two to a row across the plane's column, each drawn at its size
 *  on screen (with the test points when the big plot shows them). */
function drawCompareBoundaries(snap) {
  const box = $('boundaries');
  const others = snap.runs.slice(1);
  if (box.childElementCount !== others.length) {
    box.replaceChildren(...others.map(() => {
      const fig = document.createElement('figure');
      const c = document.createElement('canvas');
      c.setAttribute('role', 'img');
      fig.append(c, document.createElement('figcaption'));
      return fig;
    }));
  }
  box.querySelectorAll('figure').forEach((fig, i) => {
    const canvas = fig.querySelector('canvas');
    fit(canvas);
    if (others[i].plane) drawBoundary(canvas, snap.res, others[i].plane, state.points, $('show-test').checked, M.views.plane_extent, `decision boundary of ${others[i].rule}`, planeView(snap));
    setText(fig.querySelector('figcaption'), `${others[i].rule} · step ${others[i].summary.step}${others[i].summary.checksum ? ` · ${others[i].summary.checksum.slice(0, 8)}` : ''}`);
    fig.title = `${others[i].rule}: checksum ${others[i].checksums.join(', ')}`;
  });
}

function drawAlignmentTable(snap) {
  const table = $('alignment-table');
  const rows = alignmentRows(snap);
  const layers = snap.sizes.length - 1;
  const head = ['rule', ...Array.from({ length: layers }, (_, l) => (l + 1 === layers ? 'output' : `layer ${l + 1}`)), 'all'];
  const tr = (cells, tag) => {
    const r = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement(tag);
      td.textContent = typeof c === 'number' ? fmt(c, 2) : c;
      r.append(td);
    }
    return r;
  };
  // Rebuilt only when a figure changes (a running page calls this every few frames).
  const key = JSON.stringify([head, rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c, 2) : c)))]);
  if (table.dataset.key !== key) {
    table.dataset.key = key;
    table.replaceChildren(tr(head, 'th'), ...rows.map((r) => tr(r, 'td')));
  }
  // Every run's checksum (each rule's seeds too): what the CLI prints for the same link and step.
  setText($('runs-note'), (snap.runs.length > 1 || snap.runs[0].checksums.length > 1) && snap.runs[0].checksums[0]
    ? `Checksums at step ${snap.runs[0].summary.step}: ${snap.runs.map((r) => `${r.rule} ${r.checksums.join(', ')}`).join('; ')}.`
    : '');
}

// ---- the network: hover, and the slow-motion walk ----

/** What the network's read-out says with nothing pointed at (a touch screen has no hover). */
const networkPrompt = () => (matchMedia('(any-hover: hover)').matches
  ? 'Hover a node or a link for its value, or focus the diagram and move with the arrow keys.'
  : 'Tap a node or a link for its value.');

function wireNetwork() {
  const canvas = $('network');
  const readout = $('network-hover');
  readout.textContent = networkPrompt();
  // The node or link under the pointer or the keyboard's cursor: highlighted, read out (the
  // read-out is a live region, so a screen reader announces it), a node's map in the big plot.
  const show = (hit, snap) => {
    state.hover = hit;
    state.hoverNode = hit?.kind === 'node' && hit.layer > 0 && snap.nodes ? hit : null;
    if (!hit) {
      readout.textContent = networkPrompt();
    } else if (hit.kind === 'node') {
      readout.textContent = nodeReadout(hit, snap.diagram, snap.probe, walker.walk, walker.current(), features().split(','));
      if (state.hoverNode) showNodeOnPlane(snap, hit);
    } else if (hit.kind === 'bias') {
      readout.textContent = biasReadout(hit, snap.diagram, walker.walk, walker.current());
    } else {
      readout.textContent = linkReadout(hit, snap.diagram, walker.walk, walker.current());
    }
    paintDiagram(snap);
  };
  canvas.addEventListener('mousemove', (e) => {
    const snap = state.snap;
    if (!snap?.diagram || !state.layout) return;
    const k = canvas.width / canvas.clientWidth;
    show(hitTest(state.layout, snap.diagram, e.offsetX * k, e.offsetY * k), snap);
  });
  // The keyboard: up and down move within a column (or among a node's links), right and left
  // from a node onto its links and from a link onto the node at its end.
  canvas.addEventListener('keydown', (e) => {
    const snap = state.snap;
    if (!snap?.diagram || !state.layout || !CURSOR_KEYS.includes(e.key)) return;
    e.preventDefault();
    show(moveCursor(state.layout, snap.diagram, state.hover, e.key), snap);
  });
  canvas.addEventListener('focus', () => {
    const snap = state.snap;
    if (snap?.diagram && state.layout && !state.hover && canvas.matches(':focus-visible')) show(moveCursor(state.layout, snap.diagram, null, 'Home'), snap);
  });
  canvas.addEventListener('blur', () => canvas.dispatchEvent(new MouseEvent('mouseleave')));
  // issue 20: a click (or Enter) on a link or a bias edits it while paused.
  editor = wireEditor({
    state, ask, openFragment, pageKeys, writeUrl,
    // Every worker that holds runs (the page's own, then the run pool's), answers in run order.
    askRuns: (what, fields) => Promise.all([ask(what, fields), ...runPool.ask(what, fields)]),
    paused: () => !state.playing && !state.replay,
    showValues: () => showValues(state.values, (...a) => wasm().ruleUnavailable(...a), state.compare),
  });
  canvas.addEventListener('mouseleave', () => {
    state.hover = null;
    state.hoverNode = null;
    if (state.snap) {
      paintDiagram(state.snap);
      if (state.snap.runs[0].plane && state.points) paintBoundary(state.snap);
    }
  });
}

/** The hovered node's output over the plane, in the big plot (with the points). */
function showNodeOnPlane(snap, hit) {
  const res = snap.nodeRes;
  const cells = res * res;
  // The node maps are every shown unit of layers 1..L, layer by layer.
  let offset = 0;
  for (let l = 1; l < hit.layer; l++) offset += snap.diagram.shown[l].length;
  offset += hit.k;
  const values = snap.nodes.subarray(offset * cells, (offset + 1) * cells);
  let scale = 0;
  for (const v of values) scale = Math.max(scale, Math.abs(v));
  const canvas = $('boundary');
  putGrid(canvas, values, res, res, hit.layer === snap.diagram.sizes.length - 1 ? scale || 1 : 1);
  drawPoints(canvas, state.points, false, M.views.plane_extent, planeView(snap).regression ? regressionScale(state.points) : 0);
  $('boundary-title').textContent = `Over the plane: ${hit.layer === snap.diagram.sizes.length - 1 ? `output ${hit.unit + 1}` : `layer ${hit.layer}, unit ${hit.unit + 1}`} (hover)`;
}

const walker = new WalkPlayer(showSubStep, () => {
  $('walk-bar').hidden = true;
  if (state.snap) paintDiagram(state.snap);
});

function showSubStep(sub, index, count, playing) {
  $('walk-bar').hidden = false;
  $('walk-count').textContent = `${sub.title} · ${index + 1} of ${count}`;
  $('walk-narration').textContent = sub.narration;
  $('walk-pause').textContent = playing ? '❚❚' : '▶▶';
  const meter = $('walk-meter');
  if (sub.meter) {
    const m = sub.meter;
    const scale = Math.max(Math.abs(m.d_loss), 1e-12);
    const fill = document.createElement('span');
    fill.className = 'fill';
    const half = 50;
    const width = Math.min(half, 4 + half * Math.min(1, Math.abs(m.d_loss) / scale));
    fill.style.left = m.d_loss < 0 ? `${half - width}%` : `${half}%`;
    fill.style.width = `${width}%`;
    fill.style.background = colour(m.d_loss < 0 ? 1 : -1);
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.append(fill);
    meter.replaceChildren(`dL ${m.d_loss < 0 ? '< 0: the noise helped' : '> 0: the noise hurt'}`, bar, `${m.reference.toFixed(5)} → ${m.noisy.toFixed(5)}`);
    meter.hidden = false;
  } else {
    meter.hidden = true;
  }
  if (state.snap) paintDiagram(state.snap);
}

/** Asks the worker for the walk through the last step (after a step if there is none yet). */
function requestWalk() {
  if (!state.snap) return;
  if (state.playing) {
    command({ type: MSG.PAUSE });
    setPlaying(false);
  }
  if (!state.snap.probe) {
    state.walkAfterStep = true;
    command({ type: MSG.STEP });
    return;
  }
  state.worker.postMessage({ type: MSG.WALK, sample: Number($('probe-sample').value) || 0 });
}

// ---- the worker: start, replace after a crash ----

/** A message that does not move training, to every training worker. */
function toWorkers(msg) {
  state.worker.postMessage(msg);
  runPool.forward(msg);
}

/** Asks the worker about the data it keeps (see MSG.ASK): a promise of the answer. */
function ask(what, fields = {}, transfer = []) {
  const id = ++state.askId;
  return new Promise((ok, fail) => {
    state.asks.set(id, { ok, fail });
    state.worker.postMessage({ type: MSG.ASK, id, what, ...fields }, transfer);
  });
}

/** Starts a training worker; `onReady` runs once its engine is up. */
function startWorker(onReady) {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (e) => {
    const msg = e.data;
    if (msg.type === MSG.READY) {
      onReady();
    } else if (msg.type === MSG.SNAPSHOT) {
      onSnapshot(msg);
    } else if (msg.type === MSG.ANSWER) {
      const ask = state.asks.get(msg.id);
      state.asks.delete(msg.id);
      if (msg.error === null) ask?.ok(msg.result);
      else ask?.fail(new Error(msg.error));
    } else if (msg.type === MSG.PROGRESS) {
      onProgress(msg);
    } else if (msg.type === MSG.WALK) {
      if (msg.walk) {
        stats.walks += 1;
        walker.start(msg.walk);
      }
    } else if (msg.type === MSG.WARNING) {
      onWarning(msg);
    } else if (msg.type === MSG.ERROR) {
      onError(msg);
    } else if (msg.type === MSG.STEPS) {
      runPool.reported(0, msg);
    } else if (msg.type === MSG.CRASH) {
      replaceWorker(msg.message);
    }
  };
  worker.onerror = (e) => {
    e.preventDefault();
    replaceWorker(e.message);
  };
  state.worker = worker;
}

function onWarning(msg) {
  divergedBanner.textContent = msg.paused ? `Paused: ${msg.message}.` : `Warning: ${msg.message}. The link's replay goes on to its step.`;
  divergedBanner.hidden = false;
  if (msg.paused) setPlaying(false);
}

function onError(msg) {
  if (msg.config) refused(msg.message);
  else controlError.textContent = msg.message;
}

/** The worker's engine panicked (or the worker died): show why, and go on with a new worker on
 *  the last runs it had built (from step 0: the old worker's state is gone). */
function replaceWorker(message) {
  state.worker.terminate();
  for (const a of state.asks.values()) a.fail(new Error('the training engine was restarted'));
  state.asks.clear();
  engineError.textContent = `The training engine stopped with an error (${message}). It was restarted: the run starts again from step 0.`;
  engineError.hidden = false;
  setPlaying(false);
  startWorker(() => {
    if (state.digitsBytes) {
      const copy = state.digitsBytes.slice(0);
      state.worker.postMessage({ type: MSG.DIGITS, bytes: copy }, [copy]);
    }
    // The tables the old worker kept, read again by the new one, before the runs are built.
    const tables = [...state.tables.values()].map((t) => {
      if (t.runFile) return ask('readRunFile', { text: t.runFile });
      const copy = t.bytes.slice(0);
      return ask('loadTable', { bytes: copy }, [copy]);
    });
    Promise.allSettled(tables).then(() => openFragment(`${(state.good ?? state).config}${pageKeys()}${poolKeys()}`));
  });
}

/** The main thread's engine panicked while drawing: show why, replace it, draw again. */
async function recoverEngine() {
  if (state.recovering) return;
  state.recovering = true;
  engineError.textContent = `The chart engine stopped with an error (${panicked()}). It was restarted.`;
  engineError.hidden = false;
  try {
    await recreateEngine();
  } finally {
    state.recovering = false;
  }
  requestDraw();
}

// ---- sharing ----

function shareLink() {
  const hide = [...$('share-hide').querySelectorAll('input:checked')].map((i) => i.value);
  let extra = '';
  if ($('share-speed').value) extra += `&speed=${$('share-speed').value}`;
  if ($('share-play').checked) extra += '&play=1';
  const keys = pageKeys({ ...state.view, hide, embed: $('share-embed').checked, lesson: $('share-lesson').checked ? state.view.lesson : null });
  const f = JSON.parse(wasm().parseFragment(`${state.config}${keys}${extra}`)).fragment;
  return `${location.origin}${location.pathname}#${f}`;
}

function buildShareDialog() {
  $('share-hide').append(...M.page.hide_groups.map(([group, what]) => {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = group;
    // Named by what they hide ("network" alone could be the diagram or its settings).
    label.title = `hide=${group} in the link`;
    label.append(box, ` ${what}`);
    return label;
  }));
  $('share-speed').append(...['', ...M.page.speeds].map((s) => {
    const o = document.createElement('option');
    o.value = s;
    o.textContent = s ? s : '(as the students choose)';
    return o;
  }));
  const update = () => { $('share-link').value = shareLink(); };
  $('share-dialog').addEventListener('change', update);
  $('share-class').addEventListener('click', () => {
    $('share-lesson').disabled = !state.view.lesson;
    for (const box of $('share-hide').querySelectorAll('input')) box.checked = state.view.hide.includes(box.value);
    update();
    $('share-dialog').showModal();
  });
  $('share-copy').addEventListener('click', () => copy($('share-link').value, 'classroom link'));
  $('share-close').addEventListener('click', () => $('share-dialog').close());
}

// ---- controls ----

function wireChartHover(canvasId, chart, readoutId) {
  const canvas = $(canvasId);
  const line = canvas.parentElement.querySelector('.crosshair');
  canvas.addEventListener('mousemove', (e) => {
    const map = state.maps[chart];
    if (!state.snap || !map) return;
    const dpr = canvas.width / canvas.clientWidth;
    const px = e.offsetX * dpr;
    const text = hoverText(state.snap, map, px, chart);
    $(readoutId).textContent = text;
    line.hidden = !text;
    line.style.left = `${e.offsetX}px`;
  });
  canvas.addEventListener('mouseleave', () => {
    $(readoutId).textContent = '';
    line.hidden = true;
  });
}

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    $('copied').textContent = `${what} copied`;
  } catch {
    $('copied').textContent = `${what}: ${text}`;
  }
}

function withValues(change) {
  state.values = { ...state.values, ...change };
  showValues(state.values, (...a) => wasm().ruleUnavailable(...a), state.compare);
  applyControls();
}

function wire() {
  playButton.addEventListener('click', () => {
    if (state.replay) return; // disabled: the replay lands on its step first
    walker.stop();
    if (state.playing) {
      command({ type: MSG.PAUSE });
      setPlaying(false);
    } else {
      command({ type: MSG.PLAY, speed: speed() });
      setPlaying(true);
    }
  });
  $('step').addEventListener('click', () => {
    if (state.replay) return; // disabled: the replay lands on its step first
    walker.stop();
    setPlaying(false);
    // At slow-motion speed a step is walked through.
    state.walkAfterStep = speed() === 'slow';
    command({ type: MSG.STEP });
  });
  $('walk').addEventListener('click', requestWalk);
  $('walk-next').addEventListener('click', () => walker.next());
  $('walk-prev').addEventListener('click', () => walker.prev());
  $('walk-pause').addEventListener('click', () => walker.togglePause());
  $('walk-close').addEventListener('click', () => walker.stop());
  // Reset during a replay starts the link again: the run replays to the same step.
  $('reset').addEventListener('click', () => {
    clearMessages();
    openFragment(`${state.config}${pageKeys()}${poolKeys()}${state.replay ? `&at=${state.replay.at}` : ''}`);
  });
  $('replay-stop').addEventListener('click', () => {
    command({ type: MSG.STOP });
    state.replay = null;
    setPlaying(false);
  });
  $('new-seed').addEventListener('click', () => {
    $('seed').value = String(wasm().newSeed());
    applyControls();
  });
  $('speed').addEventListener('change', () => toWorkers({ type: MSG.SPEED, speed: speed() }));
  $('diagnostics').addEventListener('change', (e) => toWorkers({ type: MSG.DIAGNOSTICS, on: e.target.checked }));
  $('controls').addEventListener('change', (e) => {
    if (e.target.type === 'file' || e.target.name === 'draw-class') return;
    if (e.target.id === 'seeds') {
      apply(readValues(state.values), undefined, { ...state.view, seeds: Number(e.target.value) });
    } else if (e.target.id === 'xaxis') {
      state.view.xaxis = e.target.value;
      toWorkers({ type: MSG.XAXIS, xaxis: state.view.xaxis });
      writeUrl();
    } else if (e.target.closest('#compare')) {
      const labels = [...$('compare').querySelectorAll('input:checked')].map((i) => i.value);
      apply(readValues(state.values), labels);
    } else if (e.target.id !== 'diagnostics') {
      applyControls();
    }
  });
  const chooseDataSet = (name) => {
    if (name === state.values.data) return;
    // The network and optimiser defaults depend on the data set: take the new set's (and the
    // batch the drawn points cut down comes back).
    // Points drawn but not yet a run give way to the chosen set (Undo brings them back).
    if (state.drawingStarted) {
      state.pointsUndo.push(state.drawn.slice());
      state.drawn = [];
      state.drawingStarted = false;
    }
    const values = { ...state.values, data: name };
    for (const k of M.data_defaulted) delete values[k];
    if (state.values.data === 'points' && state.batchBeforePoints) values.batch = state.batchBeforePoints;
    state.batchBeforePoints = null;
    apply(values, []);
  };
  $('datasets').addEventListener('click', (e) => {
    const button = e.target.closest('[data-dataset]');
    if (button) chooseDataSet(button.dataset.dataset);
  });
  // The data sets are a radio group: arrow keys move the choice.
  $('datasets').addEventListener('keydown', (e) => {
    const buttons = [...$('datasets').querySelectorAll('[data-dataset]')];
    const i = buttons.indexOf(document.activeElement);
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
    if (i < 0 || !step) return;
    e.preventDefault();
    const next = buttons[(i + step + buttons.length) % buttons.length];
    next.focus();
    chooseDataSet(next.dataset.dataset);
  });
  $('layer-add').addEventListener('click', () => {
    const widths = state.values.hidden === '' ? [] : state.values.hidden.split(',');
    if (widths.length >= M.limits.max_hidden_layers) return;
    withValues({ hidden: [...widths, widths.at(-1) ?? '4'].join(',') });
  });
  $('layer-remove').addEventListener('click', () => {
    const widths = state.values.hidden === '' ? [] : state.values.hidden.split(',');
    withValues({ hidden: widths.slice(0, -1).join(',') });
  });
  $('log-scale').addEventListener('change', requestDraw);
  // issue 20: discretize=1 draws the output in two colours (the view only: the run is unchanged).
  $('discretize').addEventListener('change', (e) => {
    state.view.discretize = e.target.checked;
    writeUrl();
    requestDraw();
  });
  $('show-test').addEventListener('change', requestDraw);
  $('probe-sample').addEventListener('change', (e) => {
    const sample = Math.max(0, Math.min(Number(e.target.value) || 0, Number(state.values.batch) - 1));
    e.target.value = String(sample);
    state.worker.postMessage({ type: MSG.PROBE, sample });
    if (walker.active) state.worker.postMessage({ type: MSG.WALK, sample });
  });
  $('copy-link').addEventListener('click', () => {
    const step = state.snap?.runs[0].summary.step ?? 0;
    copy(`${location.origin}${location.pathname}#${fragment(step ? `&at=${step}` : '')}`, 'link');
  });
  $('copy-cli').addEventListener('click', () => {
    const step = state.snap?.runs[0].summary.step ?? 0;
    // One command per run: the page's own, then every compared one (and every seed).
    const lines = (state.good?.runs ?? state.runs).map((r, i) => {
      const checksum = state.snap?.runs.flatMap((g) => g.checksums)[i];
      return `# ${r.label}${checksum && step ? `: checksum ${checksum} at step ${step}` : ''}\n${wasm().cliCommand(r.config, step)}`;
    });
    copy(lines.join('\n'), 'command');
  });
  $('intro-close').addEventListener('click', () => { state.introClosed = true; applyView(); });
  $('intro-lessons').addEventListener('click', () => lessons.openChapter(0));
  $('lesson-next').addEventListener('click', () => lessons.openChapter(lessons.chapterIndex(state.view.lesson) + 1));
  $('lesson-back').addEventListener('click', () => lessons.openChapter(lessons.chapterIndex(state.view.lesson) - 1));
  $('lesson-close').addEventListener('click', () => {
    state.view.lesson = null;
    lessons.showLesson();
    writeUrl();
  });
  wireChartHover('loss-chart', 'loss', 'curve-readout');
  wireChartHover('accuracy-chart', 'accuracy', 'curve-readout');
  wireChartHover('correlation-chart', 'correlation', 'curve-readout');
  wireChartHover('alignment-chart', 'alignment', 'curve-readout');
  wireNetwork();
  // Every control explains itself on hover and on keyboard focus, in a box just under (or, near
  // the bottom of the window, just over) that control, so the help is where the eye is.
  const controls = $('controls');
  const help = $('help');
  const explain = (el) => {
    if (!el?.title) {
      help.hidden = true;
      return;
    }
    setText(help, el.title);
    help.hidden = false;
    const box = el.getBoundingClientRect();
    const panel = controls.getBoundingClientRect();
    const below = box.bottom + 4 + help.offsetHeight <= innerHeight;
    help.style.top = `${(below ? box.bottom + 4 : box.top - 4 - help.offsetHeight) - panel.top}px`;
  };
  const explained = (target) => target.closest?.('[data-key], [title]');
  controls.addEventListener('focusin', (e) => explain(explained(e.target)));
  // The setting changed last, for a message about that change (placeBeside); before it applies.
  controls.addEventListener('change', (e) => { state.changed = { el: e.target, at: performance.now() }; }, true);
  controls.addEventListener('focusout', (e) => {
    if (!controls.contains(e.relatedTarget)) help.hidden = true;
  });
  controls.addEventListener('mouseover', (e) => explain(explained(e.target)));
  controls.addEventListener('mouseleave', () => {
    const focused = controls.contains(document.activeElement) ? explained(document.activeElement) : null;
    explain(focused);
  });
  document.addEventListener('keydown', (e) => {
    if (e.code === 'Space' && e.target === document.body) {
      e.preventDefault();
      playButton.click();
    }
  });
  // A fragment edited by hand in the same tab applies at once.
  window.addEventListener('hashchange', () => {
    if (location.hash !== state.writtenHash) openFragment(location.hash.slice(1));
  });
  // The lesson text sits just below the sticky header (style.css): keep its height known.
  const measureHeader = () => document.documentElement.style.setProperty('--header-h', `${document.querySelector('header').offsetHeight}px`);
  new ResizeObserver(measureHeader).observe(document.querySelector('header'));
  window.addEventListener('resize', requestDraw);
}

/** Loads a link (from the URL, a lesson, an import): what cannot be accepted is reported and
 *  left out, the rest applies; `at`, `play` and `speed` act once. */
async function openFragment(text) {
  let r = readLink(text);
  // Drawn points are the learner's work: a link whose points cannot be read (a slip while editing
  // the fragment) keeps the points the page has.
  let note = '';
  const own = state.values?.data === 'points' ? state.values.pts : '';
  if (own && r.problems.some((p) => p.key === 'pts')) {
    const kept = JSON.parse(wasm().parseFragment(text.replace(/(^|&)pts=[^&]*/, `$1pts=${own}`)));
    if (!kept.problems.some((p) => p.key === 'pts')) {
      note = `Your ${wasm().decodePoints(own).length / 3} drawn points are kept.`;
      r = { ...kept, problems: r.problems };
    }
  }
  r.discretize ??= /(^|&)discretize=1(&|$)/.test(text); // issue 20 (a page key of the view only)
  showLinkProblems(r.problems, text, note);
  // lesson= alone (or with view keys) opens the chapter's own configuration, as the menu does,
  // whether the page was opened on it or the fragment was edited.
  const i = lessons.chapterIndex(r.lesson);
  if (i >= 0 && (r.lesson === 'start' || !lessons.namesRunKeys(text))) return lessons.openChapter(i, r);
  if (r.speed) {
    $('speed').value = r.speed;
    toWorkers({ type: MSG.SPEED, speed: r.speed });
  }
  workersAsked = r.workers ?? null;
  pool?.resize(poolSize(workersAsked));
  runPool.setSize(poolSize(workersAsked));
  sweepView.fromLink(r);
  if (!await restart(r)) return;
  if (r.at) {
    command({ type: MSG.RUN_TO, at: r.at });
    state.replay = { at: r.at, step: 0, msPerStep: null, etaMs: null };
    showTransport();
  } else if (r.play) {
    command({ type: MSG.PLAY, speed: speed() });
    setPlaying(true);
  }
}

async function main() {
  await loadEngine();
  M = JSON.parse(wasm().manifest());
  lessons = wireLessons({ state, M, openFragment });
  buildControls(M);
  lessons.buildLessonsList();
  buildShareDialog();
  drawThumbnails((data) => wasm().datasetPreview(data, 200));
  sweepView = wireSweep({
    wasm, pool: thePool, base: () => ({ config: state.config, keys: pageKeys() }), linkChanged: writeUrl,
    failed: (e) => {
      if (!panicked()) throw e;
      recoverEngine();
    },
  });
  state.userData = wireUserData({
    state, M: () => M, apply, openFragment, worker: () => state.worker, requestDraw, clearMessages, ask, pageKeys,
  });
  // The fragment goes to the engine's codec as it is: the codec decodes %-escapes (once) and
  // refuses malformed ones with the usual message.
  const initial = location.hash.slice(1);
  // A link with a sweep: the pool's workers start now, loading the engine while the page does.
  const first = readLink(initial);
  if (first.sweep) {
    workersAsked = first.workers ?? null;
    thePool().warm();
  }
  startWorker(() => openFragment(initial));
  wire();
  // Test hooks: make either engine panic, to prove the page survives it.
  window.npTest = {
    panicCharts: () => {
      try {
        wasm().testPanic('a test panic in the chart engine (test hook)');
      } catch {
        recoverEngine();
      }
    },
    panicWorker: () => state.worker.postMessage({ type: MSG.TEST_PANIC }),
    // Every run's rule, step, checksum and config, and how many workers train them (run pool).
    runs: () => state.snap?.runs.flatMap((r) => r.checksums.map((checksum, i) => ({ rule: r.rule, step: r.summary.step, checksum, config: r.configs[i] }))) ?? [],
    workers: () => runPool.active + 1,
    lossCurves: () => state.snap?.curves.loss.map((s) => s.name) ?? [],
    curves: () => state.snap?.curves ?? null, // every chart's series as drawn (run pool: merged)
    held: () => runPool.held, // how many runs each worker of the run pool holds
    sweepWorkers: () => pool?.workers.filter((w) => w.started).length ?? 0, // the sweep pool's, started
    // issue 20: where the diagram's nodes are, and what it shows (the page tests find a bias).
    diagram: () => ({ layout: state.layout, diagram: state.snap?.diagram }),
  };
}

main();
