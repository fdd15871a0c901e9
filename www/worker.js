// The training worker: owns one trainer (Rust, in this worker's own wasm instance), runs steps in
// slices and posts snapshots. Nothing here computes: it only schedules and copies buffers.
import init, { Trainer } from './pkg/np_playground.js';
import { MSG } from './protocol.js';

const PLANE_RES = 64;
const SLOW_MS = 500;      // slow motion: one step every half second
const FRAME_MS = 16;      // one animation frame
const MAX_SLICE_MS = 30;  // "as fast as it goes": post at least this often

const state = { trainer: null, playing: false, speed: '10', target: null, sample: 0, timer: null };

function snapshot() {
  const t = state.trainer;
  const summary = JSON.parse(t.summary());
  const sizes = Array.from(t.layerSizes());
  let plane = null, units = null;
  if (sizes[0] === 2) {
    plane = t.plane(PLANE_RES);
    units = t.unitMaps();
  }
  const activations = [];
  for (let l = 1; l < sizes.length; l++) activations.push(t.activations(l));
  const probeJson = t.probe(state.sample);
  const probe = probeJson ? JSON.parse(probeJson) : null;
  const msg = {
    type: MSG.SNAPSHOT, summary, sizes, res: PLANE_RES, plane, units, activations,
    probe, playing: state.playing, config: t.config(),
    historySteps: t.historySteps(), historyValues: t.historyValues(), historyWidth: t.historyWidth(),
  };
  const buffers = [msg.historySteps.buffer, msg.historyValues.buffer, ...activations.map((a) => a.buffer)];
  if (plane) buffers.push(plane.buffer, units.buffer);
  postMessage(msg, buffers);
}

function stop() {
  state.playing = false;
  state.target = null;
  clearTimeout(state.timer);
}

// Runs `n` steps; on divergence pauses and reports (the summary carries the message).
function runSteps(n) {
  try {
    state.trainer.run(n);
    return true;
  } catch (e) {
    stop();
    return false;
  }
}

function tick() {
  if (!state.trainer || (!state.playing && state.target === null)) return;
  const started = performance.now();
  let delay = 0;
  if (state.target !== null) {
    // Exactly up to the target step, in slices so snapshots keep coming.
    while (state.trainer.steps() < state.target && performance.now() - started < MAX_SLICE_MS) {
      if (!runSteps(Math.min(100, state.target - state.trainer.steps()))) break;
    }
    if (state.trainer.steps() >= state.target) stop();
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
  snapshot();
  if (state.playing || state.target !== null) state.timer = setTimeout(tick, delay);
}

function handle(msg) {
  switch (msg.type) {
    case MSG.INIT:
      stop();
      state.trainer?.free();
      try {
        state.trainer = new Trainer(msg.config);
      } catch (e) {
        postMessage({ type: MSG.ERROR, message: String(e.message ?? e) });
        return;
      }
      state.trainer.setDiagnostics(msg.diagnostics ?? true);
      snapshot();
      break;
    case MSG.PLAY:
      state.speed = msg.speed ?? state.speed;
      if (!state.playing) {
        state.playing = true;
        tick();
      }
      break;
    case MSG.PAUSE:
      stop();
      snapshot();
      break;
    case MSG.STEP:
      stop();
      runSteps(1);
      snapshot();
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
      state.trainer?.setDiagnostics(msg.on);
      break;
    case MSG.PROBE:
      state.sample = msg.sample;
      if (!state.playing) snapshot();
      break;
  }
}

const queue = [];
let ready = false;
onmessage = (e) => (ready ? handle(e.data) : queue.push(e.data));
init().then(() => {
  ready = true;
  postMessage({ type: MSG.READY });
  queue.splice(0).forEach(handle);
});
