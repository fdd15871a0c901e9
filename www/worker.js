// The training worker: owns the session of runs (Rust, in this worker's own wasm instance) and
// advances it in slices with a deadline, posting snapshots when the page asks for one (so traffic
// never outruns drawing). The engine works in bounded units (a step, a chunk of an evaluation),
// so a slice ends within one unit of its deadline and every message (Pause, Reset, a new
// configuration) is read within one unit, whatever the networks. A command that moves training on
// abandons a long evaluation under way (the engine's `preempt`); while paused, a long evaluation
// only posts its progress until its figures are ready; the costly views (noise probe, test
// digits, plane maps) are recomputed while training runs only within a share of the time. A
// link's replay to its step (`at=`) cannot be overrun: Play, Step and Pause wait until it lands,
// Stop ends it. Nothing here computes: it only schedules and copies buffers. docs/engine.md
// ("The worker's schedule") has the whole policy. A worker of the page's pool (pool.js) trains
// sweep cells instead, one at a time, in slices of the same length (see `cellWork`). On the run
// pool (runpool.js) a training worker holds some of the page's runs and never trains past the
// step the page allows (`cap`), reporting how far it is (STEPS).
import init, { Session, DataStore, SweepPlan, manifest, testPanic } from './pkg/np_playground.js';
import { MSG } from './protocol.js';

const SLOW_MS = 500;      // slow motion: one step every half second
const FRAME_MS = 16;      // one animation frame
const SLICE_MS = 30;      // a slice of work ends this soon (plus one unit of work)
const SNAP_SHARE = 0.04;  // at full speed, snapshots take at most this share of the worker's time
const TEST_SAMPLES = 12;  // digits shown with their predictions
const PART_SHARE = 0.1;   // while training runs, each costly view takes at most this share of the time
const INLINE_MS = 40;     // a view that takes longer is computed in a turn of its own, then sent
const PROGRESS_MS = 100;  // progress (a long evaluation, a replay) is posted at most this often
const ETA_AFTER_MS = 500; // a replay's time left is estimated after this long

const state = {
  session: null,     // the runs, the page's own first
  store: null,       // the digits and the uploaded table the sessions are built from
  labels: [],        // the runs' labels, in order
  groups: [],        // the rules: [{label, runs: [indices of its seeds' runs]}], the page's own first
  xaxis: 'steps',    // what the curves are plotted against
  playing: false, speed: '10', target: null, sample: 0, timer: null, diagnostics: true,
  seq: 0,            // sequence number of the latest command read
  wanted: true,      // the page has taken the last snapshot and wants the next
  dirty: false,      // something changed since the last snapshot
  pointsSent: false, // the data points of the current runs went with a snapshot
  snapAt: -Infinity, // when the last snapshot was posted
  snapMs: 0,         // how long a snapshot takes (a moving average)
  replay: null,      // a link's replay to its step: {at, from, started}; Play, Step, Pause wait for it
  parts: {},         // the costly views: {name: {key, at, ms, ready}} (see view())
  later: new Set(),  // costly views to compute in turns of their own
  sent: { revision: -1, seq: -1 }, // what the last snapshot showed
  forced: false,     // a snapshot is due whatever changed (a new probe sample, a new x axis)
  progressAt: -Infinity, // when progress was last posted
  // On the run pool (runpool.js, compared rules over several workers): no run goes past `cap`
  // steps, which the page raises when every worker has caught up, so the runs stay in lockstep.
  cap: Infinity,
  compareMode: false, // the runs are some of a compare's rules: curves by rule even for one rule
  split: new Set(),   // the rules whose seeds are partly on other workers: curves sent per run
  secondary: false,   // a second worker of the pool: only what the page draws for compared runs
  stepsAt: -Infinity, // when the steps were last posted to the pool
};

const running = () => state.playing || state.target !== null;

/** A long evaluation under way ({step, done, total} samples), or null. */
function evaluating() {
  const e = state.session.evaluating();
  return e ? { step: e[0], done: e[1], total: e[2] } : null;
}

/** The replay's progress: the step it heads for, the step reached, and the time left estimated
 *  from the time per step measured so far (null until it can be measured). */
function replayState() {
  const r = state.replay;
  if (!r) return null;
  const step = state.session.steps();
  const elapsed = performance.now() - r.started;
  const msPerStep = step > r.from && elapsed >= ETA_AFTER_MS ? elapsed / (step - r.from) : null;
  return { at: r.at, step, msPerStep, etaMs: msPerStep === null ? null : (r.at - step) * msPerStep };
}

const nodeResolution = (s) => Math.min(s.planeResolution(), state.views.unit_resolution);

/** The costly views of a snapshot: what each shows now (its key) and how to compute it. */
const VIEWS = {
  planes: {
    key: (s) => `${s.revision()}:${s.planeResolution()}`,
    // (Not of a rule whose first seed is on another worker: the page shows that worker's.)
    compute: (s) => state.groups.map((g) => (s.planeResolution() && !laterSeeds(g) ? s.plane(g.runs[0], s.planeResolution()) : null)),
  },
  nodes: {
    key: (s) => `${s.steps()}:${nodeResolution(s)}`,
    compute: (s) => (s.planeResolution() ? s.nodeMaps(nodeResolution(s)) : null),
  },
  probe: {
    key: (s) => `${s.steps()}:${state.sample}`,
    compute: (s) => {
      const json = s.probe(state.sample);
      return json ? JSON.parse(json) : null;
    },
  },
  samples: {
    key: (s) => `${s.steps()}`,
    compute: (s) => (s.layerSizes()[0] === 2 ? null : s.testSamples(TEST_SAMPLES)),
  },
};

/** Computes view `name` now, timing it. */
function compute(name) {
  const p = state.parts[name];
  const started = performance.now();
  const value = VIEWS[name].compute(state.session);
  p.ms = performance.now() - started;
  p.at = started;
  return value;
}

/** View `name` for a snapshot when what it shows changed (while training runs, at most a
 *  PART_SHARE of the time): at once when it is quick, else in a turn of its own after this
 *  snapshot, so that no message waits for it (it goes with the next snapshot). Undefined when
 *  not sent: listed in `kept`, the page keeps the one it has. */
function view(name, kept) {
  const s = state.session;
  const p = (state.parts[name] ??= { key: null, at: -Infinity, ms: 0, ready: null });
  const key = VIEWS[name].key(s);
  if (p.ready) {
    // Computed in its own turn: newer than what the page has, if not of this very step (paused,
    // the current one follows).
    const ready = p.ready;
    p.ready = null;
    p.key = ready.key;
    if (ready.key !== key && !running()) state.later.add(name);
    return ready.value;
  }
  const due = p.key !== key && (p.key === null || !running() || performance.now() - p.at >= p.ms / PART_SHARE);
  if (due && p.ms <= INLINE_MS) {
    p.key = key;
    return compute(name);
  }
  if (due) state.later.add(name);
  kept.push(name);
  return undefined;
}

/** Computes one costly view asked for by the last snapshot (in a turn of its own); true if
 *  there was one. */
function computeLater() {
  const name = state.later.values().next().value;
  if (name === undefined) return false;
  state.later.delete(name);
  const p = state.parts[name];
  const key = VIEWS[name].key(state.session);
  if (p.key !== key) {
    p.ready = { key, value: compute(name) };
    state.forced = true;
  }
  return true;
}
const clock = () => performance.now();

/** Whether group `g` holds only later seeds of its rule (its first is on another worker). */
const laterSeeds = (g) => / #\d+$/.test(state.labels[g.runs[0]]);

/** Each run's curve of `column` (x and y, each of its own length; lo and hi are its y): for a rule
 *  whose seeds are split over the pool, which merges them with the other workers' (runpool.js). */
const perRun = (s, g, column, xaxis) => g.runs.map((i) => {
  const v = s.curve(Uint32Array.of(i), column, xaxis);
  const n = v.length / 4;
  return { x: v.subarray(0, n), y: v.subarray(n, 2 * n) };
});

/** The series of one chart: for every rule (over its seeds) the named columns' curves; a rule
 *  whose seeds are split over the pool sends its runs' curves instead ({name, rule, runs}). */
function series(s, columns, names) {
  const out = [];
  for (const g of state.groups) {
    columns.forEach((column, c) => {
      if (state.split.has(g.label)) {
        // (Sent even when empty: the merged curve is left out when a run has no point, as here.)
        out.push({ name: names(g, c), rule: g.label, runs: perRun(s, g, column, state.xaxis) });
        return;
      }
      const v = s.curve(Uint32Array.from(g.runs), column, state.xaxis);
      if (!v.length) return;
      const n = v.length / 4;
      out.push({
        name: names(g, c), x: v.subarray(0, n), y: v.subarray(n, 2 * n),
        lo: g.runs.length > 1 ? v.subarray(2 * n, 3 * n) : null, hi: g.runs.length > 1 ? v.subarray(3 * n) : null,
      });
    });
  }
  return out;
}

/** The curves of every chart: one rule's columns, or one column per rule when comparing. */
function curves(s, layers) {
  const perLayer = (prefix) => Array.from({ length: layers }, (_, l) => `${prefix}_${l + 1}`);
  const layerName = (l) => (l + 1 === layers ? 'output' : `layer ${l + 1}`);
  if (state.groups.length === 1 && !state.compareMode) {
    return {
      loss: series(s, ['train_loss', 'test_loss'], (_, c) => ['train', 'test'][c]),
      accuracy: series(s, ['train_accuracy', 'test_accuracy'], (_, c) => ['train', 'test'][c]),
      alignment: series(s, ['alignment_all', ...perLayer('alignment')], (_, c) => (c === 0 ? 'all' : layerName(c - 1))),
      correlation: series(s, perLayer('correlation'), (_, c) => `input of ${layerName(c)}`),
    };
  }
  const byRule = (g) => g.label;
  return {
    loss: series(s, ['train_loss'], byRule),
    accuracy: series(s, ['test_accuracy'], byRule),
    alignment: series(s, ['alignment_all'], byRule),
    correlation: series(s, [`correlation_${Math.min(2, layers)}`], byRule),
    // Each rule's last mean alignment per layer; split over the pool: each run's y of each layer
    // ({rule, runs: [[y of each column] of each run]}), merged by the pool.
    alignmentLayers: state.groups.map((g) => {
      const columns = perLayer('alignment').concat('alignment_all');
      if (state.split.has(g.label)) return { rule: g.label, runs: g.runs.map((i) => columns.map((c) => perRun(s, { runs: [i] }, c, 'steps')[0].y.slice())) };
      return {
        rule: g.label,
        values: columns.map((c) => {
          const v = s.curve(Uint32Array.from(g.runs), c, 'steps');
          return v.length ? v[v.length / 4 * 2 - 1] : NaN;
        }),
      };
    }),
  };
}

function snapshot() {
  const s = state.session;
  const sizes = Array.from(s.layerSizes());
  const res = s.planeResolution();
  // Every run's summary (each evaluates when due); the page shows each rule's first seed.
  const summaries = state.labels.map((_, i) => JSON.parse(s.summary(i, running())));
  // The costly views, when due (`kept`: the page keeps the ones it has).
  const kept = [];
  const planes = view('planes', kept);
  const runs = state.groups.map((g, k) => ({
    rule: g.label,
    summary: summaries[g.runs[0]],
    checksums: g.runs.map((i) => summaries[i].checksum),
    configs: g.runs.map((i) => s.config(i)),
    plane: planes?.[k],
  }));
  // A second worker of the pool sends only what the page draws for compared runs.
  const own = !state.secondary;
  const nodeRes = nodeResolution(s);
  const nodes = own ? view('nodes', kept) : null;
  const points = state.pointsSent || !own ? null : s.points();
  // issue 20: the input nodes' maps (the features over the plane), once a session like the points.
  const inputMaps = state.pointsSent || !nodeRes || !own ? null : s.featureMaps(nodeRes);
  state.pointsSent = true;
  const activations = [];
  for (let l = 1; own && l < sizes.length; l++) activations.push(s.activations(l));
  const probe = own ? view('probe', kept) : null;
  const samples = own ? view('samples', kept) : null;
  const c = curves(s, sizes.length - 1);
  const msg = {
    type: MSG.SNAPSHOT, runs, sizes, res, nodeRes, nodes, activations, points, inputMaps, curves: c,
    diagram: own ? JSON.parse(s.diagram()) : null,
    probe, samples, kept,
    alignEvery: s.alignmentEvery(),
    xaxis: state.xaxis,
    playing: running(),
    seq: state.seq,     // the latest command this snapshot reflects
    // An evaluation (or a view) is under way: the figures are not yet all of the current step.
    busy: s.busy() || state.later.size > 0,
    evaluating: evaluating(), // a long one, with its progress
    replay: replayState(),
    memory: state.memory?.buffer.byteLength ?? 0, // the worker's wasm memory (the soak test reads it)
    config: s.config(0),
  };
  const buffers = new Set(activations.map((a) => a.buffer));
  for (const r of runs) if (r.plane) buffers.add(r.plane.buffer);
  for (const list of [c.loss, c.accuracy, c.alignment, c.correlation]) {
    for (const x of list) for (const r of x.runs ?? [x]) buffers.add(r.x.buffer);
  }
  if (nodes) buffers.add(nodes.buffer);
  if (points?.length) buffers.add(points.buffer);
  if (inputMaps?.length) buffers.add(inputMaps.buffer);
  if (msg.samples) buffers.add(msg.samples.buffer);
  postMessage(msg, [...buffers]);
}

/** Posts a snapshot when the page wants one and something it shows changed (while training
 *  runs: always, at full speed or replaying at most a SNAP_SHARE of the time); otherwise the
 *  progress of a long evaluation or a replay, which costs nothing to make. */
function post() {
  const s = state.session;
  if (!s) return;
  const changed = running() || state.forced || s.revision() !== state.sent.revision || state.seq !== state.sent.seq;
  const fast = state.speed === 'max' || state.replay !== null;
  const capped = running() && fast && performance.now() - state.snapAt < state.snapMs / SNAP_SHARE;
  if (changed && state.wanted && !capped) {
    state.snapAt = performance.now();
    state.wanted = false;
    state.dirty = false;
    state.forced = false;
    state.sent = { revision: s.revision(), seq: state.seq };
    snapshot();
    state.progressAt = performance.now();
    state.snapMs = 0.8 * state.snapMs + 0.2 * (performance.now() - state.snapAt);
    // Asking for the summary may have started an evaluation (or a checksum), and a costly view
    // may wait for its own turn: see them through.
    if ((s.busy() || state.later.size) && state.timer === null) schedule(0);
  } else {
    if (changed) state.dirty = true;
    progress();
  }
}

/** The progress of a long evaluation and of a replay, at most every PROGRESS_MS. */
function progress() {
  const now = performance.now();
  if (now - state.progressAt < PROGRESS_MS) return;
  const evaluation = evaluating();
  if (!evaluation && !state.replay) return;
  state.progressAt = now;
  postMessage({ type: MSG.PROGRESS, seq: state.seq, evaluating: evaluation, replay: replayState(), playing: running() });
}

function stop() {
  state.playing = false;
  state.target = null;
  state.replay = null;
}

/** A command moves training on: a long evaluation under way is abandoned, not waited for. */
function moveOn() {
  state.session?.preempt();
}

// The next slice: at once through a message to ourselves (setTimeout(0) is clamped to 4 ms when
// nested, a tenth of a 30 ms slice), or after `delay` ms.
const wake = new MessageChannel();
let wakeId = 0;
wake.port1.onmessage = (e) => {
  if (e.data === 'cell') cellTick();
  else if (state.timer === 'now' && e.data === wakeId) tick();
};
function schedule(delay) {
  if (typeof state.timer === 'number') clearTimeout(state.timer);
  if (delay > 0) {
    state.timer = setTimeout(tick, delay);
  } else {
    state.timer = 'now';
    wake.port2.postMessage(++wakeId);
  }
}


// One slice: work toward the current target until it is reached or the slice's time is up; a
// divergence stops the session (the summaries carry the message). Pending evaluations are
// finished even when paused, so the figures shown settle on the current step.
function work() {
  state.timer = null;
  const s = state.session;
  if (!s) return;
  // A costly view the last snapshot left for later: this turn is its own.
  if (computeLater()) {
    post();
    schedule(0);
    return;
  }
  const started = performance.now();
  let delay = 0;
  let target = s.steps();
  if (state.target !== null) {
    target = state.target;
  } else if (state.playing) {
    if (state.speed === 'max') target = Infinity;
    else if (state.speed === 'slow') target = s.steps() + 1;
    else target = s.steps() + Number(state.speed);
  }
  target = Math.min(target, state.cap);
  const outcome = s.advance(target, SLICE_MS, clock);
  if (outcome === 2) stop();
  // A loss climbing far above its start: pause and say so (Play goes on). A link's replay to its
  // `at` step goes on, so that the link still reproduces its checksum; the warning is shown.
  const warning = s.takeWarning();
  if (warning) {
    const paused = state.target === null;
    if (paused) stop();
    postMessage({ type: MSG.WARNING, message: warning, paused });
  }
  // At the target (every run: the runs step in turn), training stops at once; the evaluation of
  // that step goes on paused, and the snapshot shows the checksum.
  if (state.target !== null && s.reached(state.target)) stop();
  if (state.playing && state.speed === 'slow' && outcome === 0) delay = SLOW_MS;
  else if (state.playing && state.speed !== 'max' && outcome === 0) delay = Math.max(0, FRAME_MS - (performance.now() - started));
  post();
  // On the pool: at the cap, wait for the page to raise it (CAP) rather than spin.
  const waiting = state.cap !== Infinity && running() && !s.busy() && s.reached(state.cap);
  if (state.cap !== Infinity) postSteps(waiting);
  if ((running() || s.busy()) && !waiting) schedule(delay);
}

/** On the pool: how far this worker's runs are, for the page to raise the cap (at most every
 *  few milliseconds, and at once when `now`: it waits at the cap, or a command stopped it). */
function postSteps(now_) {
  const now = performance.now();
  if (!now_ && running() && now - state.stepsAt < 10) return;
  state.stepsAt = now;
  postMessage({ type: MSG.STEPS, steps: state.session.steps(), playing: running(), seq: state.seq });
}

// ---- a pool worker: one sweep cell at a time ----

/** The cell being trained: {id, run, progressAt, batch}; the cells held next (their messages, in
 *  order: the pool sends the next cell before this one ends); the plan of the last sweep is kept,
 *  so its cells are not rebuilt for each cell. */
const cell = { job: null, held: [], plans: new Map(), timer: false };

function holdCell(msg) {
  cell.held.push(msg);
  if (!cell.job) startCell();
}

/** Starts the next cell held, if any (a cell that cannot be built is answered at once). */
function startCell() {
  while (!cell.job && cell.held.length) {
    const msg = cell.held.shift();
    let plan = cell.plans.get(msg.sweep);
    try {
      if (!plan) {
        for (const p of cell.plans.values()) p.free();
        cell.plans.clear();
        plan = new SweepPlan(msg.sweep);
        cell.plans.set(msg.sweep, plan);
      }
      const run = plan.run(msg.cell, state.store);
      cell.job = { id: msg.id, run, progressAt: performance.now(), batch: 1 };
    } catch (e) {
      if (self.npPanic) throw e;
      postMessage({ type: MSG.CELL_DONE, id: msg.id, line: null, error: String(e.message ?? e) });
    }
  }
  if (cell.job) wakeCell();
}

function wakeCell() {
  if (cell.timer) return;
  cell.timer = true;
  wake.port2.postMessage('cell');
}

/** One slice of the cell: steps until the slice's time is up (Cancel is read between slices);
 *  its result when done, and the next cell held starts. */
function cellWork() {
  cell.timer = false;
  const job = cell.job;
  if (!job) return;
  const deadline = performance.now() + SLICE_MS;
  let done = false;
  // Steps in batches of about a millisecond (a small network's step takes microseconds), so the
  // clock is read once a batch and the slice still ends within a millisecond of its deadline.
  while (!done && performance.now() < deadline) {
    const t = performance.now();
    done = job.run.advance(job.batch);
    const ms = performance.now() - t;
    if (ms < 0.5) job.batch *= 2;
    else if (ms > 2 && job.batch > 1) job.batch = Math.ceil(job.batch / 2);
  }
  if (done) {
    cell.job = null;
    const line = job.run.finish();
    job.run.free();
    postMessage({ type: MSG.CELL_DONE, id: job.id, line, error: null });
    startCell();
    return;
  }
  if (performance.now() - job.progressAt >= PROGRESS_MS) {
    job.progressAt = performance.now();
    postMessage({ type: MSG.CELL_PROGRESS, id: job.id, step: job.run.steps() });
  }
  wakeCell();
}

/** Cancel: a cell held is dropped; the one being trained stops and the next held starts. */
function cancelCell(id) {
  cell.held = cell.held.filter((m) => m.id !== id);
  if (cell.job?.id !== id) return;
  cell.job.run.free();
  cell.job = null;
  startCell();
}

/** Builds a session for the runs; on failure keeps the current one and reports why. */
function build(msg) {
  const runs = msg.runs;
  let session;
  try {
    session = new Session(runs.map((r) => r.label), runs.map((r) => r.config), state.store);
  } catch (e) {
    postMessage({ type: MSG.ERROR, message: String(e.message ?? e), config: msg.config });
    return;
  }
  stop();
  state.session?.free();
  state.session = session;
  state.labels = runs.map((r) => r.label);
  // Runs of one rule over several seeds are labelled "inp", "inp #2", ...: one group each rule.
  state.groups = [];
  state.labels.forEach((label, i) => {
    const rule = label.replace(/ #\d+$/, '');
    const g = state.groups.find((x) => x.label === rule);
    if (g) g.runs.push(i);
    else state.groups.push({ label: rule, runs: [i] });
  });
  state.xaxis = msg.xaxis ?? 'steps';
  state.cap = msg.cap ?? Infinity;
  state.compareMode = Boolean(msg.compare);
  state.secondary = Boolean(msg.secondary);
  state.split = new Set(msg.split ?? []);
  session.setDiagnostics(msg.diagnostics ?? state.diagnostics);
  state.wanted = true;
  state.pointsSent = false;
  state.parts = {};
  state.later.clear();
  state.sent = { revision: -1, seq: -1 };
  tick();
}

function handle(msg) {
  if (msg.seq !== undefined) state.seq = msg.seq;
  switch (msg.type) {
    case MSG.DIGITS:
      state.store.setDigits(new Uint8Array(msg.bytes));
      break;
    case MSG.ASK: {
      // Uploaded tables are parsed here, once, off the page's thread, and kept by their id.
      let result = null;
      let error = null;
      try {
        if (msg.what === 'loadTable') result = state.store.loadTable(new Uint8Array(msg.bytes));
        else if (msg.what === 'writeRunFile') result = state.store.writeRunFile(msg.fragment, msg.step, msg.labels, msg.checksums);
        else if (msg.what === 'readRunFile') result = state.store.readRunFile(msg.text);
        // issue 20: what an edit does on the current minibatch, and the weights' export (own run).
        else if (msg.what === 'editEffect') result = state.session.editEffect(0, msg.item);
        else if (msg.what === 'edit') result = JSON.stringify(state.labels.map((_, i) => state.session.edit(i, msg.item)));
        else if (msg.what === 'exportWeights') result = state.session.weights(0);
        else error = `unknown question ${msg.what}`;
      } catch (e) {
        if (self.npPanic) throw e;
        error = String(e.message ?? e);
      }
      postMessage({ type: MSG.ANSWER, id: msg.id, result, error });
      // An edit changed the runs: a snapshot follows the answer (the page knows the new configs).
      if (msg.what === 'edit' && result !== null) {
        state.forced = true;
        if (!running()) post();
      }
      break;
    }
    case MSG.INIT:
      build(msg);
      break;
    // During a replay, Play, Pause and Step wait: the run lands on the link's step first (the
    // page disables them and says so); Stop ends a replay where it is.
    case MSG.PLAY:
      state.speed = msg.speed ?? state.speed;
      if (state.replay) break;
      moveOn();
      state.target = null;
      state.playing = true;
      schedule(0);
      break;
    case MSG.PAUSE:
      if (state.replay) {
        if (state.cap !== Infinity && state.session) postSteps(true);
        break;
      }
      stop();
      if (state.cap !== Infinity && state.session) postSteps(true);
      schedule(0);
      break;
    case MSG.STEP:
      if (state.replay) break;
      stop();
      moveOn();
      // `to`: on the pool, every worker steps to the same step (Pause, Step, Stop).
      if (state.session) state.target = msg.to ?? state.session.steps() + 1;
      schedule(0);
      break;
    case MSG.CAP:
      state.cap = msg.cap;
      if (running()) schedule(0);
      break;
    case MSG.RUN_TO:
      stop();
      if (state.session) {
        moveOn();
        state.target = msg.at;
        state.replay = { at: msg.at, from: state.session.steps(), started: performance.now() };
      }
      schedule(0);
      break;
    case MSG.STOP:
      stop();
      // On the pool: where it stopped, so that every worker goes to the same step.
      if (state.cap !== Infinity && state.session) postSteps(true);
      schedule(0);
      break;
    case MSG.SPEED:
      state.speed = msg.speed;
      break;
    case MSG.DIAGNOSTICS:
      state.diagnostics = msg.on;
      state.session?.setDiagnostics(msg.on);
      break;
    case MSG.PROBE:
      state.sample = msg.sample;
      state.forced = true;
      if (!running()) post();
      break;
    case MSG.WALK: {
      const walk = state.session?.walk(msg.sample ?? state.sample);
      postMessage({ type: MSG.WALK, walk: walk ? JSON.parse(walk) : null });
      break;
    }
    case MSG.XAXIS:
      state.xaxis = msg.xaxis;
      state.forced = true;
      if (!running()) post();
      break;
    case MSG.WANT:
      state.wanted = true;
      if (state.dirty && !running()) post();
      break;
    case MSG.CELL:
      holdCell(msg);
      break;
    case MSG.CELL_CANCEL:
      cancelCell(msg.id);
      break;
    case MSG.TEST_PANIC:
      testPanic('a test panic in the worker (test hook)');
      break;
  }
}

/** A panic in the engine leaves this instance unusable: report it and stop; the page replaces
 *  the worker. Other errors are reported as they are. */
function guarded(f) {
  return (...args) => {
    try {
      f(...args);
    } catch (e) {
      if (self.npPanic) {
        postMessage({ type: MSG.CRASH, message: self.npPanic });
        self.close();
      } else {
        postMessage({ type: MSG.ERROR, message: `the training worker failed: ${e.message ?? e}` });
      }
    }
  };
}
const tick = guarded(work);
const cellTick = guarded(cellWork);

const queue = [];
let ready = false;
const onMessage = guarded(handle);
onmessage = (e) => (ready ? onMessage(e.data) : queue.push(e.data));
init().then((exports) => {
  state.memory = exports.memory;
  state.store = new DataStore();
  state.views = JSON.parse(manifest()).views;
  ready = true;
  postMessage({ type: MSG.READY });
  queue.splice(0).forEach(onMessage);
});
