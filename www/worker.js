// The training worker: owns the trainers (Rust, in this worker's own wasm instance), runs steps in
// slices and posts snapshots when the page asks for one (so traffic never outruns drawing).
// In a comparison, several trainers with the identical seed run in lockstep. Nothing here
// computes: it only schedules and copies buffers.
import init, { Trainer, DataStore, manifest } from './pkg/np_playground.js';
import { MSG } from './protocol.js';

const SLOW_MS = 500;      // slow motion: one step every half second
const FRAME_MS = 16;      // one animation frame
const MAX_SLICE_MS = 30;  // "as fast as it goes": come up for messages at least this often
const TEST_SAMPLES = 12;  // digits shown with their predictions

const state = {
  runs: [],          // [{rule, trainer}], the page's own run first
  store: null,       // the digits and the uploaded table the trainers are built from
  views: null,       // the manifest's caps of the live views
  playing: false, speed: '10', target: null, sample: 0, timer: null,
  wanted: true,      // the page has taken the last snapshot and wants the next
  dirty: false,      // something changed since the last snapshot
  pointsSent: false, // the data points of the current runs went with a snapshot
};

const main = () => state.runs[0]?.trainer;
const running = () => state.playing || state.target !== null;

function snapshot() {
  const t = main();
  const sizes = Array.from(t.layerSizes());
  const now = performance.now();
  const plane2d = sizes[0] === 2;
  const res = plane2d ? t.planeResolution() : 0;
  const runs = state.runs.map(({ rule, trainer }) => ({
    rule,
    summary: JSON.parse(trainer.summary(now, running())),
    historySteps: trainer.historySteps(),
    historyValues: trainer.historyValues(),
    historyColumns: trainer.historyColumns(),
    plane: plane2d ? trainer.plane(res) : null,
  }));
  const unitRes = Math.min(res, state.views.unit_resolution);
  const unitsPerLayer = t.unitMapsPerLayer();
  const units = plane2d ? t.unitMaps(unitRes, unitsPerLayer) : null;
  const points = state.pointsSent ? null : t.points();
  state.pointsSent = true;
  const activations = [];
  for (let l = 1; l < sizes.length; l++) activations.push(t.activations(l));
  const probeJson = t.probe(state.sample);
  const msg = {
    type: MSG.SNAPSHOT, runs, sizes, res, unitRes, units, unitsPerLayer, activations, points,
    probe: probeJson ? JSON.parse(probeJson) : null,
    samples: sizes[0] === 2 ? null : t.testSamples(TEST_SAMPLES),
    playing: running(), config: t.config(),
  };
  const buffers = [...activations.map((a) => a.buffer)];
  for (const r of runs) {
    buffers.push(r.historySteps.buffer, r.historyValues.buffer);
    if (r.plane) buffers.push(r.plane.buffer);
  }
  if (units) buffers.push(units.buffer);
  if (points) buffers.push(points.buffer);
  if (msg.samples) buffers.push(msg.samples.buffer);
  postMessage(msg, buffers);
}

function post() {
  if (state.wanted && main()) {
    state.wanted = false;
    state.dirty = false;
    snapshot();
  } else {
    state.dirty = true;
  }
}

function stop() {
  state.playing = false;
  state.target = null;
  clearTimeout(state.timer);
}

// Runs `n` steps on every trainer in lockstep; on divergence pauses (summaries carry the message).
function runSteps(n) {
  let ok = true;
  for (const { trainer } of state.runs) {
    try {
      trainer.run(n);
    } catch {
      ok = false;
    }
  }
  if (!ok) stop();
  return ok;
}

function tick() {
  if (!main() || !running()) return;
  const started = performance.now();
  let delay = 0;
  if (state.target !== null) {
    // Exactly up to the target step, in slices so snapshots keep coming.
    while (main().steps() < state.target && performance.now() - started < MAX_SLICE_MS) {
      if (!runSteps(Math.min(100, state.target - main().steps()))) break;
    }
    if (main().steps() >= state.target) stop();
  } else if (state.speed === 'slow') {
    runSteps(1);
    delay = SLOW_MS;
  } else if (state.speed === 'max') {
    while (performance.now() - started < MAX_SLICE_MS && state.playing) {
      if (!runSteps(10)) break;
    }
  } else {
    runSteps(Number(state.speed));
    delay = Math.max(0, FRAME_MS - (performance.now() - started));
  }
  post();
  if (running()) state.timer = setTimeout(tick, delay);
}

function handle(msg) {
  switch (msg.type) {
    case MSG.DIGITS:
      state.store.setDigits(new Uint8Array(msg.bytes));
      break;
    case MSG.UPLOAD:
      state.store.setUpload(msg.csv);
      break;
    case MSG.INIT: {
      stop();
      for (const r of state.runs) r.trainer.free();
      state.runs = [];
      try {
        const own = { label: msg.label, config: msg.config };
        for (const { label, config } of [own, ...(msg.compare ?? [])]) {
          const trainer = new Trainer(config, label, state.store);
          trainer.setDiagnostics(msg.diagnostics ?? true);
          state.runs.push({ rule: label, trainer });
        }
      } catch (e) {
        for (const r of state.runs) r.trainer.free();
        state.runs = [];
        postMessage({ type: MSG.ERROR, message: String(e.message ?? e) });
        return;
      }
      state.wanted = true;
      state.pointsSent = false;
      post();
      break;
    }
    case MSG.PLAY:
      state.speed = msg.speed ?? state.speed;
      if (!state.playing) {
        state.playing = true;
        tick();
      }
      break;
    case MSG.PAUSE:
      stop();
      post();
      break;
    case MSG.STEP:
      stop();
      runSteps(1);
      post();
      break;
    case MSG.RUN_TO:
      stop();
      state.target = msg.at;
      tick();
      break;
    case MSG.SPEED:
      state.speed = msg.speed;
      break;
    case MSG.DIAGNOSTICS:
      for (const { trainer } of state.runs) trainer.setDiagnostics(msg.on);
      break;
    case MSG.PROBE:
      state.sample = msg.sample;
      if (!running()) post();
      break;
    case MSG.WANT:
      state.wanted = true;
      if (state.dirty && !running()) post();
      break;
  }
}

const queue = [];
let ready = false;
onmessage = (e) => (ready ? handle(e.data) : queue.push(e.data));
init().then(() => {
  state.store = new DataStore();
  state.views = JSON.parse(manifest()).views;
  ready = true;
  postMessage({ type: MSG.READY });
  queue.splice(0).forEach(handle);
});
