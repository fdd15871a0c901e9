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
const TEST_SAMPLES = 12;  // digits shown with their predictions

const state = {
  session: null,     // the runs, the page's own first
  store: null,       // the digits and the uploaded table the sessions are built from
  labels: [],        // the runs' labels, in order
  playing: false, speed: '10', target: null, sample: 0, timer: null, diagnostics: true,
  seq: 0,            // sequence number of the latest command read
  wanted: true,      // the page has taken the last snapshot and wants the next
  dirty: false,      // something changed since the last snapshot
  pointsSent: false, // the data points of the current runs went with a snapshot
};

const running = () => state.playing || state.target !== null;

function snapshot() {
  const s = state.session;
  const sizes = Array.from(s.layerSizes());
  const now = performance.now();
  const res = s.planeResolution();
  const runs = state.labels.map((rule, i) => ({
    rule,
    summary: JSON.parse(s.summary(i, now, running())),
    historySteps: s.historySteps(i),
    historyValues: s.historyValues(i),
    historyColumns: s.historyColumns(i),
    checksum: s.checksum(i),
    plane: res ? s.plane(i, res) : null,
  }));
  const unitRes = Math.min(res, state.views.unit_resolution);
  const unitsPerLayer = s.unitMapsPerLayer();
  const units = res ? s.unitMaps(unitRes, unitsPerLayer) : null;
  const points = state.pointsSent ? null : s.points();
  state.pointsSent = true;
  const activations = [];
  for (let l = 1; l < sizes.length; l++) activations.push(s.activations(l));
  const probeJson = s.probe(state.sample);
  const msg = {
    type: MSG.SNAPSHOT, runs, sizes, res, unitRes, units, unitsPerLayer, activations, points,
    probe: probeJson ? JSON.parse(probeJson) : null,
    samples: sizes[0] === 2 ? null : s.testSamples(TEST_SAMPLES),
    playing: running(),
    seq: state.seq,     // the latest command this snapshot reflects
    // An evaluation is under way: the figures are not yet those of the current step.
    busy: s.busy(),
    memory: state.memory?.buffer.byteLength ?? 0, // the worker's wasm memory (the soak test reads it)
    config: s.config(0),
  };
  const buffers = [...activations.map((a) => a.buffer)];
  for (const r of runs) {
    buffers.push(r.historySteps.buffer, r.historyValues.buffer);
    if (r.plane) buffers.push(r.plane.buffer);
  }
  if (units) buffers.push(units.buffer);
  if (points?.length) buffers.push(points.buffer);
  if (msg.samples) buffers.push(msg.samples.buffer);
  postMessage(msg, buffers);
}

function post() {
  if (state.wanted && state.session) {
    state.wanted = false;
    state.dirty = false;
    snapshot();
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

function schedule(delay) {
  clearTimeout(state.timer);
  state.timer = setTimeout(tick, delay);
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
  const outcome = s.advance(target, SLICE_MS);
  if (outcome === 2) stop();
  if (state.target !== null && s.steps() >= state.target && !s.busy()) stop();
  if (state.playing && state.speed === 'slow' && outcome === 0) delay = SLOW_MS;
  else if (state.playing && state.speed !== 'max' && outcome === 0) delay = Math.max(0, FRAME_MS - (performance.now() - started));
  post();
  if (running() || s.busy()) schedule(delay);
}

/** Builds a session for the runs; on failure keeps the current one and reports why. */
function build(msg) {
  const runs = [{ label: msg.label, config: msg.config }, ...(msg.compare ?? [])];
  let session;
  try {
    session = new Session(JSON.stringify(runs), state.store);
  } catch (e) {
    postMessage({ type: MSG.ERROR, message: String(e.message ?? e), config: msg.config });
    return;
  }
  stop();
  state.session?.free();
  state.session = session;
  state.labels = runs.map((r) => r.label);
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
