// The training worker: owns the session of runs (Rust, in this worker's own wasm instance) and
// advances it in slices with a deadline, posting snapshots when the page asks for one (so traffic
// never outruns drawing). The engine works in bounded units (a step, a chunk of an evaluation),
// so a slice ends within one unit of its deadline and every message (Pause, Reset, a new
// configuration) is read within about 100 ms, whatever the networks. Nothing here computes: it
// only schedules and copies buffers.
import init, { Session, DataStore, manifest, testPanic } from './pkg/np_playground.js';
import { MSG } from './protocol.js';

const SLOW_MS = 500;      // slow motion: one step every half second
const FRAME_MS = 16;      // one animation frame
const SLICE_MS = 30;      // a slice of work ends this soon (plus one unit of work)
const SNAP_SHARE = 0.04;  // at full speed, snapshots take at most this share of the worker's time
const TEST_SAMPLES = 12;  // digits shown with their predictions

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
};

const running = () => state.playing || state.target !== null;
const clock = () => performance.now();

/** The series of one chart: for every rule (over its seeds) the named columns' curves. */
function series(s, columns, names) {
  const out = [];
  for (const g of state.groups) {
    columns.forEach((column, c) => {
      const v = s.curve(Uint32Array.from(g.runs), column, state.xaxis);
      if (!v.length) return;
      const n = v.length / 4;
      out.push({
        name: names(g, c), x: v.subarray(0, n), y: v.subarray(n, 2 * n),
        lo: g.runs.length > 1 ? v.subarray(2 * n, 3 * n) : null, hi: g.runs.length > 1 ? v.subarray(3 * n) : null,
        buffer: v.buffer,
      });
    });
  }
  return out;
}

/** The curves of every chart: one rule's columns, or one column per rule when comparing. */
function curves(s, layers) {
  const perLayer = (prefix) => Array.from({ length: layers }, (_, l) => `${prefix}_${l + 1}`);
  const layerName = (l) => (l + 1 === layers ? 'output' : `layer ${l + 1}`);
  if (state.groups.length === 1) {
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
    alignmentLayers: state.groups.map((g) => ({
      rule: g.label,
      values: perLayer('alignment').concat('alignment_all').map((c) => {
        const v = s.curve(Uint32Array.from(g.runs), c, 'steps');
        return v.length ? v[v.length / 4 * 2 - 1] : NaN;
      }),
    })),
  };
}

function snapshot() {
  const s = state.session;
  const sizes = Array.from(s.layerSizes());
  const now = performance.now();
  const res = s.planeResolution();
  // Every run's summary (each evaluates when due); the page shows each rule's first seed.
  const summaries = state.labels.map((_, i) => JSON.parse(s.summary(i, running())));
  const runs = state.groups.map((g) => ({
    rule: g.label,
    summary: summaries[g.runs[0]],
    checksums: g.runs.map((i) => summaries[i].checksum),
    configs: g.runs.map((i) => s.config(i)),
    plane: res ? s.plane(g.runs[0], res) : null,
  }));
  const nodeRes = Math.min(res, state.views.unit_resolution);
  const nodes = res ? s.nodeMaps(nodeRes) : null;
  const points = state.pointsSent ? null : s.points();
  state.pointsSent = true;
  const activations = [];
  for (let l = 1; l < sizes.length; l++) activations.push(s.activations(l));
  const probeJson = s.probe(state.sample);
  const c = curves(s, sizes.length - 1);
  const msg = {
    type: MSG.SNAPSHOT, runs, sizes, res, nodeRes, nodes, activations, points, curves: c,
    diagram: JSON.parse(s.diagram()),
    probe: probeJson ? JSON.parse(probeJson) : null,
    samples: sizes[0] === 2 ? null : s.testSamples(TEST_SAMPLES),
    alignEvery: s.alignmentEvery(),
    xaxis: state.xaxis,
    playing: running(),
    seq: state.seq,     // the latest command this snapshot reflects
    // An evaluation is under way: the figures are not yet those of the current step.
    busy: s.busy(),
    memory: state.memory?.buffer.byteLength ?? 0, // the worker's wasm memory (the soak test reads it)
    config: s.config(0),
  };
  const buffers = new Set(activations.map((a) => a.buffer));
  for (const r of runs) if (r.plane) buffers.add(r.plane.buffer);
  for (const list of [c.loss, c.accuracy, c.alignment, c.correlation]) for (const x of list) buffers.add(x.buffer);
  if (nodes) buffers.add(nodes.buffer);
  if (points?.length) buffers.add(points.buffer);
  if (msg.samples) buffers.add(msg.samples.buffer);
  for (const list of [c.loss, c.accuracy, c.alignment, c.correlation]) for (const x of list) delete x.buffer;
  postMessage(msg, [...buffers]);
}

function post() {
  const capped = running() && state.speed === 'max' && performance.now() - state.snapAt < state.snapMs / SNAP_SHARE;
  if (state.wanted && state.session && !capped) {
    state.snapAt = performance.now();
    state.wanted = false;
    state.dirty = false;
    snapshot();
    state.snapMs = 0.8 * state.snapMs + 0.2 * (performance.now() - state.snapAt);
    // Asking for the summary may have started an evaluation: see it through.
    if (state.session.busy() && state.timer === null) schedule(0);
  } else {
    state.dirty = true;
  }
}

function stop() {
  state.playing = false;
  state.target = null;
}

// The next slice: at once through a message to ourselves (setTimeout(0) is clamped to 4 ms when
// nested, a tenth of a 30 ms slice), or after `delay` ms.
const wake = new MessageChannel();
let wakeId = 0;
wake.port1.onmessage = (e) => {
  if (state.timer === 'now' && e.data === wakeId) tick();
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
  if (state.target !== null && s.steps() >= state.target && !s.busy()) stop();
  if (state.playing && state.speed === 'slow' && outcome === 0) delay = SLOW_MS;
  else if (state.playing && state.speed !== 'max' && outcome === 0) delay = Math.max(0, FRAME_MS - (performance.now() - started));
  post();
  if (running() || s.busy()) schedule(delay);
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
  session.setDiagnostics(msg.diagnostics ?? state.diagnostics);
  state.wanted = true;
  state.pointsSent = false;
  tick();
}

function handle(msg) {
  if (msg.seq !== undefined) state.seq = msg.seq;
  switch (msg.type) {
    case MSG.DIGITS:
      state.store.setDigits(new Uint8Array(msg.bytes));
      break;
    case MSG.UPLOAD:
      state.store.setUpload(msg.csv);
      break;
    case MSG.INIT:
      build(msg);
      break;
    case MSG.PLAY:
      state.speed = msg.speed ?? state.speed;
      state.target = null;
      state.playing = true;
      schedule(0);
      break;
    case MSG.PAUSE:
      stop();
      schedule(0);
      break;
    case MSG.STEP:
      stop();
      if (state.session) state.target = state.session.steps() + 1;
      schedule(0);
      break;
    case MSG.RUN_TO:
      stop();
      state.target = msg.at;
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
      if (!running()) post();
      break;
    case MSG.WALK: {
      const walk = state.session?.walk(msg.sample ?? state.sample);
      postMessage({ type: MSG.WALK, walk: walk ? JSON.parse(walk) : null });
      break;
    }
    case MSG.XAXIS:
      state.xaxis = msg.xaxis;
      if (!running()) post();
      break;
    case MSG.WANT:
      state.wanted = true;
      if (state.dirty && !running()) post();
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
