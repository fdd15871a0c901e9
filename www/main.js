// Wiring: URL <-> config, controls, the training worker, and drawing on animation frames.
import { loadEngine, recreateEngine, panicked, wasm, memoryBytes } from './engine.js';
import { MSG } from './protocol.js';
import { buildControls, drawThumbnails, showValues, readValues, splitConfig, joinConfig } from './controls.js';
import { drawCharts, hoverText, drawBoundary, drawUnits, drawActivations, drawDigits, alignmentRows } from './charts.js';
import { renderProbe, explain } from './noise.js';
import { PRESETS } from './presets.js';

const $ = (id) => document.getElementById(id);
const playButton = $('play');
const configError = $('config-error');
const controlError = $('control-error');
const divergedBanner = $('diverged');
const engineError = $('engine-error');
const DIGIT_SETS = ['mnist', 'mnist14'];
/** What the engine decides and the page must know (keys, limits, caps): read once at start-up. */
let M = null;

const state = {
  values: null,      // current config as {key: value}
  config: '',        // canonical config string of the running trainers
  label: '',         // the run's own label (its rule)
  compare: [],       // [{label, config}] runs beside the page's own
  worker: null,
  snap: null,        // latest snapshot from the worker
  points: null,      // data points of the current config (2-D sets)
  digitsLoaded: null, // promise of the MNIST file, once asked for
  drawPending: false,
  playing: false,
  maps: {},          // chart x-maps for hover read-outs
  probeDrawn: { step: -1, at: 0 },
  panelTurn: 0,      // which panel the next frame redraws while training runs
  layerTurn: 0,      // which layer's activations that panel redraws
  drawn: [],         // points being drawn: [x, y, label, ...] (the source of truth while drawing)
  uploadCsv: null,   // the uploaded CSV text, for data=upload and Export run
  digitsBytes: null, // the MNIST file, kept to hand a replacement worker
  seq: 0,            // sequence number of the latest command to the worker
  good: null,        // the last runs the worker built: {config, label, compare}
  pending: null,     // the runs asked for and not yet confirmed by a snapshot
};

// Counters read by the benchmark and the page tests: snapshots received, their payload bytes,
// frames drawn, and when the page became ready.
const stats = (window.npStats = { snapshots: 0, bytes: 0, frames: 0, readyAt: null, drawMs: {} });

/** Runs one part of a redraw, keeping the longest time it took (read by the benchmark). */
function timed(part, f) {
  const start = performance.now();
  f();
  const ms = performance.now() - start;
  stats.drawMs[part] = Math.max(stats.drawMs[part] ?? 0, ms);
}

function payloadBytes(snap) {
  let bytes = JSON.stringify(snap.probe ?? null).length;
  for (const r of snap.runs) {
    bytes += JSON.stringify(r.summary).length;
    for (const v of [r.historySteps, r.historyValues, r.plane]) bytes += v?.byteLength ?? 0;
  }
  for (const v of [snap.units, snap.samples, ...snap.activations]) bytes += v?.byteLength ?? 0;
  return bytes;
}

function speed() {
  return $('speed').value;
}

function fragment() {
  const compare = state.compare.map((c) => c.label).join(',');
  return `${state.config}${compare ? `&compare=${compare}` : ''}`;
}

function writeUrl() {
  history.replaceState(null, '', `#${fragment()}`);
}

function showConfigError(err) {
  configError.textContent = `The link's setting ${err.key}=${err.value} was not accepted: ${err.message}. The page loaded the defaults instead.`;
  configError.hidden = false;
}

/** Fetches the MNIST file once and hands it to the worker (a copy: a replacement worker gets
 *  one too). */
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

/** Starts fresh trainers for `config` (also Reset: the same config gives the same run). */
async function restart(config, compare = state.compare, label = state.label) {
  const values = splitConfig(config);
  if (DIGIT_SETS.includes(values.data)) {
    try {
      await loadDigits();
    } catch (e) {
      controlError.textContent = e.message;
      return false;
    }
  }
  if (values.data === 'upload' && !state.uploadCsv) {
    controlError.textContent = 'This run uses an uploaded table, which a link cannot carry: open the file saved with Export run (Import run), or upload the CSV again.';
    return false;
  }
  state.config = config;
  state.label = label;
  state.compare = compare;
  state.values = values;
  if (values.data === 'points') state.drawn = Array.from(wasm().decodePoints(values.pts));
  state.drawingStarted = false;
  const digits = DIGIT_SETS.includes(values.data);
  const plane = !digits && (values.data !== 'upload' || JSON.parse(wasm().csvReport(state.uploadCsv)).dim === 2);
  // The data points for the plane come with the worker's first snapshot of the new runs.
  state.points = null;
  $('data-note').textContent = values.data === 'upload'
    ? 'This run uses an uploaded table too large for a link: Export run saves it with the settings; Import run opens it again.'
    : values.data === 'points' ? `${state.drawn.length / 3} points of your own.` : '';
  $('plane-panel').hidden = !plane;
  $('digits-panel').hidden = !digits;
  showValues(state.values, (...a) => wasm().ruleUnavailable(...a), state.compare);
  $('noise-explain').textContent = explain(state.values.rule, state.values.mode);
  divergedBanner.hidden = true;
  setPlaying(false);
  state.snap = null;
  state.probeDrawn = { step: -1, at: 0 };
  state.pending = { config, label, compare };
  command({ type: MSG.INIT, config, label, compare, diagnostics: $('diagnostics').checked });
  writeUrl();
  return true;
}

/** The worker could not build the runs asked for: say why and go back to the runs it kept. */
function refused(message) {
  controlError.textContent = `${message}. The run keeps its previous settings.`;
  state.pending = null;
  const good = state.good;
  if (!good) return;
  state.config = good.config;
  state.label = good.label;
  state.compare = good.compare;
  state.values = splitConfig(good.config);
  showValues(state.values, (...a) => wasm().ruleUnavailable(...a), state.compare);
  writeUrl();
}

/** Validates values (and a compare list) through the Rust codec; applies them if valid. */
function apply(values, compareLabels = state.compare.map((c) => c.label)) {
  const text = joinConfig(values) + (compareLabels.length ? `&compare=${compareLabels.join(',')}` : '');
  const result = JSON.parse(wasm().parseFragment(text));
  if (!result.ok) {
    controlError.textContent = `${result.key}=${result.value}: ${result.message}. The run keeps its previous settings.`;
    // Show what was asked for, so the menus can say which choices conflict.
    showValues(values, (...a) => wasm().ruleUnavailable(...a), state.compare);
    return;
  }
  controlError.textContent = '';
  if (result.config !== state.config || JSON.stringify(result.compare) !== JSON.stringify(state.compare)) {
    restart(result.config, result.compare, result.label);
  }
}

function applyControls() {
  apply(readValues(state.values));
}

/** Sends a command that changes what the worker does (build, play, pause, step, run to): each
 *  gets a sequence number that the worker's snapshots echo, so a snapshot made before the worker
 *  read the latest command never overrides it (a Pause clicked while a snapshot was in flight). */
function command(msg) {
  state.seq += 1;
  state.worker.postMessage({ ...msg, seq: state.seq });
}

function setPlaying(on) {
  state.playing = on;
  playButton.textContent = on ? '❚❚ Pause' : '▶ Play';
}

function onSnapshot(snap) {
  if (state.pending?.config === snap.config) {
    state.good = state.pending;
    state.pending = null;
  }
  if (snap.points) state.points = snap.points;
  state.snap = snap;
  // Ask for the next one now, so the worker prepares it while this one is drawn; at most one
  // snapshot is ever in flight, so traffic stays bounded by what the page takes.
  state.worker.postMessage({ type: MSG.WANT });
  stats.snapshots += 1;
  stats.bytes += payloadBytes(snap);
  stats.memory = { worker: snap.memory, main: memoryBytes() };
  // A snapshot made before the worker read the latest command says nothing about it.
  const current = snap.seq === state.seq;
  // Test hooks: whether the worker is training, and whether its figures are still being
  // evaluated ("false" and "false" once a pause has settled).
  document.body.dataset.running = String(snap.playing || !current);
  document.body.dataset.busy = String(snap.busy);
  if (current && !snap.playing && state.playing) setPlaying(false);
  if (!document.body.dataset.ready) {
    stats.readyAt = performance.now();
    document.body.dataset.ready = 'true';
  }
  requestDraw();
}

function fmt(v, digits) {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

function draw() {
  state.drawPending = false;
  if (state.recovering) return;
  stats.frames += 1;
  const snap = state.snap;
  if (!snap) return;
  const s = snap.runs[0].summary;
  $('step-count').textContent = String(s.step);
  $('epoch').textContent = s.epoch.toFixed(2);
  $('checksum').textContent = s.checksum;
  $('train-loss').textContent = fmt(s.train_loss, 4);
  $('test-loss').textContent = fmt(s.test_loss, 4);
  $('train-accuracy').textContent = fmt(s.train_accuracy, 3);
  $('test-accuracy').textContent = fmt(s.test_accuracy, 3);
  $('eval-note').textContent = s.eval_train < s.train_size
    ? `(train figures on a fixed sample of ${s.eval_train} of the ${s.train_size} training samples, spread evenly; evaluated at step ${s.evaluated_at})`
    : `(evaluated at step ${s.evaluated_at})`;
  const diverged = snap.runs.map((r) => r.summary.diverged && `${r.rule}: ${r.summary.diverged}`).filter(Boolean);
  if (diverged.length) {
    divergedBanner.textContent = diverged.join(' · ');
    divergedBanner.hidden = false;
    setPlaying(false);
  }
  // While training runs, each frame redraws one panel in turn so no frame's work grows long;
  // when paused (or after a single step) everything is drawn at once.
  const parts = PANELS.filter((p) => p.applies(snap));
  const chosen = snap.playing ? [parts[state.panelTurn++ % parts.length]] : parts;
  for (const part of chosen) {
    try {
      timed(part.name, () => part.draw(snap));
    } catch (e) {
      if (!panicked()) throw e;
      recoverEngine();
      return;
    }
  }
}

function requestDraw() {
  if (!state.drawPending) {
    state.drawPending = true;
    requestAnimationFrame(draw);
  }
}

/** Adds a point where the plane was clicked (shift: the orange class) and restarts on it. */
function addPoint(e) {
  const canvas = $('boundary');
  const extent = M.views.plane_extent;
  const x = (e.offsetX / canvas.clientWidth) * 2 * extent - extent;
  const y = extent - (e.offsetY / canvas.clientHeight) * 2 * extent;
  if (state.values.data !== 'points' && !state.drawingStarted) {
    state.drawn = [];
    state.drawingStarted = true;
  }
  if (state.drawn.length / 3 >= M.limits.max_link_points) {
    $('data-note').textContent = `At most ${M.limits.max_link_points} drawn points fit in a link.`;
    return;
  }
  state.drawn.push(x, y, e.shiftKey ? 0 : 1);
  usePoints();
}

function usePoints() {
  const n = state.drawn.length / 3;
  const min = M.limits.min_drawn_points;
  if (n < min) {
    drawPending();
    $('data-note').textContent = `${n} point${n === 1 ? '' : 's'} drawn: add ${min - n} more to start training on them.`;
    return;
  }
  const pts = wasm().encodePoints(Float32Array.from(state.drawn));
  // A handful of points cannot fill a large batch: cap it at the training share.
  const trainCount = Math.max(1, Math.round(n * Number(state.values.train)));
  const batch = String(Math.min(Number(state.values.batch), Math.min(trainCount, n - 1)));
  apply({ ...state.values, data: 'points', pts, batch }, []);
}

/** Points drawn before there are enough to train on, over an empty plane. */
function drawPending() {
  const canvas = $('boundary');
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#e8eaeb';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const pts = [];
  for (let i = 0; i < state.drawn.length; i += 3) pts.push(state.drawn[i], state.drawn[i + 1], state.drawn[i + 2], 0);
  drawBoundary(canvas, 1, new Float32Array([0.5]), Float32Array.from(pts), false, M.views.plane_extent);
}

function showProblems(problems) {
  $('data-problems').replaceChildren(...problems.map((p) => {
    const li = document.createElement('li');
    li.textContent = p.line ? `line ${p.line}: ${p.message}` : p.message;
    return li;
  }));
}

async function uploadCsv(file) {
  showProblems([]);
  const limit = M.limits.max_csv_bytes;
  if (file.size > limit) {
    showProblems([{ line: 0, message: `${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the limit is ${limit / 1e6} MB` }]);
    return;
  }
  const text = await file.text();
  const r = JSON.parse(wasm().csvReport(text));
  if (!r.ok) {
    showProblems([{ line: 0, message: `${file.name} was not loaded:` }, ...r.problems, ...moreProblems(r.more)]);
    return;
  }
  if (r.fits_in_url) {
    $('data-note').textContent = `${file.name}: ${r.rows} points, 2 classes, now in the link.`;
    apply({ ...state.values, data: 'points', pts: r.pts }, []);
    return;
  }
  const values = { ...state.values, data: 'upload' };
  for (const k of M.data_defaulted) if (k !== 'hidden') delete values[k];
  if (!useTable(file.name, text, values)) return;
  apply(values, []);
}

/** "and N more problems", when the report left some out. */
function moreProblems(n) {
  return n ? [{ line: 0, message: `and ${n} more problem${n === 1 ? '' : 's'}` }] : [];
}

/** Checks the table against the settings `values` (rows, batch, size) before anything is
 *  replaced; keeps it (page and worker) only when it can run. */
function useTable(name, text, values) {
  const parsed = JSON.parse(wasm().parseFragment(joinConfig(values)));
  const problem = parsed.ok ? wasm().checkUpload(parsed.config, text) : `${parsed.key}=${parsed.value}: ${parsed.message}`;
  if (problem) {
    showProblems([{ line: 0, message: `${name} was not used: ${problem}. The run keeps its data.` }]);
    return false;
  }
  state.uploadCsv = text;
  state.worker.postMessage({ type: MSG.UPLOAD, csv: text });
  return true;
}

function exportRun() {
  const run = {
    format: 'np-playground-run', version: 1,
    config: state.config, compare: state.compare.map((c) => c.label),
    step: state.snap?.runs[0].summary.step ?? 0,
    checksum: state.snap?.runs[0].summary.checksum ?? null,
    csv: state.values.data === 'upload' ? state.uploadCsv : null,
  };
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([JSON.stringify(run)], { type: 'application/json' }));
  a.download = `np-playground-run-${run.step}.json`;
  a.click();
  URL.revokeObjectURL(a.href);
}

async function importRun(file) {
  showProblems([]);
  // The size is checked before the file is read.
  if (file.size > M.limits.max_import_bytes) {
    showProblems([{ line: 0, message: `${file.name} is ${(file.size / 1e6).toFixed(1)} MB; a run file is at most ${M.limits.max_import_bytes / 1e6} MB` }]);
    return;
  }
  let run;
  try {
    run = JSON.parse(await file.text());
  } catch (e) {
    showProblems([{ line: 0, message: `${file.name} is not JSON: ${e.message}` }]);
    return;
  }
  const bad = (m) => showProblems([{ line: 0, message: `${file.name}: ${m}` }]);
  if (run?.format !== 'np-playground-run' || run.version !== 1) return bad('not a run exported by NP Playground (format np-playground-run, version 1)');
  if (typeof run.config !== 'string' || !Array.isArray(run.compare) || !Number.isInteger(run.step) || run.step < 0) return bad('config, compare or step is missing or malformed');
  if (run.csv !== null && run.csv !== undefined) {
    if (typeof run.csv !== 'string') return bad('csv must be text');
    const r = JSON.parse(wasm().csvReport(run.csv));
    if (!r.ok) return showProblems([{ line: 0, message: `${file.name}: its table was not loaded:` }, ...r.problems, ...moreProblems(r.more)]);
    if (!useTable(file.name, run.csv, splitConfig(run.config))) return;
  }
  const compare = run.compare.length ? `&compare=${run.compare.join(',')}` : '';
  await openFragment(`${run.config}${compare}${run.step ? `&at=${run.step}` : ''}`);
}

const PANELS = [
  {
    name: 'charts', applies: () => true,
    draw: (snap) => {
      state.maps = drawCharts(snap, $('log-scale').checked);
      drawAlignmentTable(snap);
    },
  },
  {
    name: 'plane', applies: (snap) => Boolean(snap.runs[0].plane && state.points),
    draw: (snap) => {
      drawBoundary($('boundary'), snap.res, snap.runs[0].plane, state.points, $('show-test').checked, M.views.plane_extent);
      drawCompareBoundaries(snap);
    },
  },
  { name: 'units', applies: (snap) => Boolean(snap.units && state.points), draw: (snap) => drawUnits($('units'), snap) },
  { name: 'digits', applies: (snap) => Boolean(snap.samples), draw: (snap) => drawDigits($('digits'), snap.samples, snap.sizes[0] === 196 ? 14 : 28) },
  {
    name: 'activations', applies: () => true,
    draw: (snap) => drawActivations($('activations'), snap, snap.playing ? state.layerTurn++ % (snap.sizes.length - 1) : null),
  },
  {
    name: 'noise panel', applies: (snap) => (snap.probe?.step ?? -1) !== state.probeDrawn.step,
    draw: (snap) => {
      renderProbe($('probe'), snap.probe);
      state.probeDrawn = { step: snap.probe?.step ?? -1, at: performance.now() };
    },
  },
];

function drawCompareBoundaries(snap) {
  const box = $('boundaries');
  const others = snap.runs.slice(1);
  if (box.childElementCount !== others.length) {
    box.replaceChildren(...others.map(() => {
      const fig = document.createElement('figure');
      const c = document.createElement('canvas');
      c.width = c.height = 140;
      fig.append(c, document.createElement('figcaption'));
      return fig;
    }));
  }
  box.querySelectorAll('figure').forEach((fig, i) => {
    drawBoundary(fig.querySelector('canvas'), snap.res, others[i].plane, state.points, false, M.views.plane_extent);
    fig.querySelector('figcaption').textContent = `${others[i].rule} (step ${others[i].summary.step})`;
  });
  if (others.length) $('boundary').title = `${snap.runs[0].rule}: the network's probability of the blue class over the input plane`;
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
  table.replaceChildren(tr(head, 'th'), ...rows.map((r) => tr(r, 'td')));
}

function hover(canvasId, chart) {
  const canvas = $(canvasId);
  const label = $(`${chart}-hover`);
  canvas.addEventListener('mousemove', (e) => {
    if (!state.snap || !state.maps[chart]) return;
    const px = (e.offsetX * canvas.width) / canvas.clientWidth;
    label.textContent = hoverText(state.snap, state.maps[chart], px, chart);
  });
  canvas.addEventListener('mouseleave', () => { label.textContent = ''; });
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
    if (state.playing) {
      command({ type: MSG.PAUSE });
      setPlaying(false);
    } else {
      command({ type: MSG.PLAY, speed: speed() });
      setPlaying(true);
    }
  });
  $('step').addEventListener('click', () => {
    setPlaying(false);
    command({ type: MSG.STEP });
  });
  $('reset').addEventListener('click', () => restart(state.config));
  $('new-seed').addEventListener('click', () => {
    $('seed').value = String(wasm().newSeed());
    applyControls();
  });
  $('speed').addEventListener('change', () => state.worker.postMessage({ type: MSG.SPEED, speed: speed() }));
  $('diagnostics').addEventListener('change', (e) => state.worker.postMessage({ type: MSG.DIAGNOSTICS, on: e.target.checked }));
  $('controls').addEventListener('change', (e) => {
    if (e.target.type === 'file') return;
    if (e.target.closest('#compare')) {
      const labels = [...$('compare').querySelectorAll('input:checked')].map((i) => i.value);
      apply(readValues(state.values), labels);
    } else if (e.target.id !== 'diagnostics') {
      applyControls();
    }
  });
  $('datasets').addEventListener('click', (e) => {
    const button = e.target.closest('[data-dataset]');
    if (!button || button.dataset.dataset === state.values.data) return;
    // The network and optimiser defaults depend on the data set: take the new set's.
    const values = { ...state.values, data: button.dataset.dataset };
    for (const k of M.data_defaulted) delete values[k];
    const result = JSON.parse(wasm().parseFragment(joinConfig(values)));
    if (result.ok) {
      controlError.textContent = '';
      restart(result.config, [], result.label);
    } else {
      controlError.textContent = `${result.key}=${result.value}: ${result.message}`;
    }
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
  $('boundary').addEventListener('click', addPoint);
  $('clear-points').addEventListener('click', () => {
    state.drawn = [];
    if (state.values.data === 'points') {
      const values = { ...state.values, data: 'circle', pts: '' };
      for (const k of M.data_defaulted) delete values[k];
      apply(values, []);
    }
    $('data-note').textContent = 'Points cleared.';
  });
  $('csv-file').addEventListener('change', (e) => e.target.files[0] && uploadCsv(e.target.files[0]));
  $('import-file').addEventListener('change', (e) => e.target.files[0] && importRun(e.target.files[0]));
  $('export-run').addEventListener('click', exportRun);
  $('log-scale').addEventListener('change', draw);
  $('show-test').addEventListener('change', draw);
  $('probe-sample').addEventListener('change', (e) => {
    const sample = Math.max(0, Math.min(Number(e.target.value) || 0, Number(state.values.batch) - 1));
    e.target.value = String(sample);
    state.worker.postMessage({ type: MSG.PROBE, sample });
  });
  $('copy-link').addEventListener('click', () => {
    const step = state.snap?.runs[0].summary.step ?? 0;
    const url = `${location.origin}${location.pathname}#${fragment()}${step ? `&at=${step}` : ''}`;
    copy(url, 'link');
  });
  $('copy-cli').addEventListener('click', () => copy(wasm().cliCommand(state.config, state.snap?.runs[0].summary.step ?? 0), 'command'));
  hover('loss-chart', 'loss');
  hover('accuracy-chart', 'accuracy');
  hover('alignment-chart', 'alignment');
  // Every control explains itself on hover and on keyboard focus.
  const explainControl = (e) => {
    const el = e.target.closest('[data-key], [title]');
    if (el?.title) $('help').textContent = el.title;
  };
  $('controls').addEventListener('focusin', explainControl);
  $('controls').addEventListener('mouseover', explainControl);
  document.addEventListener('keydown', (e) => {
    if (e.code === 'Space' && e.target === document.body) {
      e.preventDefault();
      playButton.click();
    }
  });
}

function buildPresets() {
  $('presets').replaceChildren(...PRESETS.map((p) => {
    const div = document.createElement('div');
    div.className = 'preset';
    const a = document.createElement('a');
    a.href = `#${p.fragment}`;
    a.textContent = p.name;
    a.addEventListener('click', (e) => {
      e.preventDefault();
      openFragment(p.fragment);
    });
    const text = document.createElement('p');
    text.className = 'note';
    text.textContent = p.text;
    div.append(a, text);
    return div;
  }));
}

/** Loads a fragment (from the URL or a preset): returns false and shows why if it is bad. */
async function openFragment(text) {
  const parsed = JSON.parse(wasm().parseFragment(text));
  if (!parsed.ok) {
    showConfigError(parsed);
    const defaults = JSON.parse(wasm().parseFragment(''));
    await restart(defaults.config, [], defaults.label);
    return;
  }
  configError.hidden = true;
  if (await restart(parsed.config, parsed.compare, parsed.label) && parsed.at) {
    command({ type: MSG.RUN_TO, at: parsed.at });
  }
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
    } else if (msg.type === MSG.ERROR) {
      if (msg.config) refused(msg.message);
      else controlError.textContent = msg.message;
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

/** The worker's engine panicked (or the worker died): show why, and go on with a new worker on
 *  the last runs it had built (from step 0: the old worker's state is gone). */
function replaceWorker(message) {
  state.worker.terminate();
  engineError.textContent = `The training engine stopped with an error (${message}). It was restarted: the run starts again from step 0.`;
  engineError.hidden = false;
  setPlaying(false);
  startWorker(() => {
    if (state.digitsBytes) {
      const copy = state.digitsBytes.slice(0);
      state.worker.postMessage({ type: MSG.DIGITS, bytes: copy }, [copy]);
    }
    if (state.uploadCsv) state.worker.postMessage({ type: MSG.UPLOAD, csv: state.uploadCsv });
    const g = state.good ?? { config: state.config, label: state.label, compare: state.compare };
    restart(g.config, g.compare, g.label);
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

async function main() {
  await loadEngine();
  M = JSON.parse(wasm().manifest());
  buildControls(M);
  buildPresets();
  drawThumbnails((data) => wasm().datasetPreview(data, 200));
  // The fragment goes to the engine's codec as it is: the codec decodes %-escapes (once) and
  // refuses malformed ones with the usual message.
  const initial = location.hash.slice(1);
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
  };
}

main();
