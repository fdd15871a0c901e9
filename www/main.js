// Wiring: URL <-> config, controls, the training worker, and drawing on animation frames.
import init, { Trainer, parseFragment, configKeys, ruleUnavailable, cliCommand } from './pkg/np_playground.js';
import { MSG } from './protocol.js';
import { buildControls, drawThumbnails, showValues, readValues, splitConfig, joinConfig, MAX_LAYERS } from './controls.js';
import { drawCharts, hoverText, drawBoundary, drawUnits, drawActivations } from './charts.js';
import { renderProbe, explain } from './noise.js';

const $ = (id) => document.getElementById(id);
const playButton = $('play');
const configError = $('config-error');
const controlError = $('control-error');
const divergedBanner = $('diverged');

const state = {
  values: null,      // current config as {key: value}
  config: '',        // canonical config string of the running trainer
  worker: null,
  snap: null,        // latest snapshot from the worker
  points: null,      // data points of the current config
  drawPending: false,
  playing: false,
  maps: {},          // chart x-maps for hover read-outs
};

// Counters read by the benchmark and the page tests: snapshots received, their payload bytes,
// frames drawn, and when the page became ready.
const stats = (window.npStats = { snapshots: 0, bytes: 0, frames: 0, readyAt: null });

function payloadBytes(snap) {
  let bytes = JSON.stringify(snap.summary).length + JSON.stringify(snap.probe ?? null).length;
  for (const v of [snap.historySteps, snap.historyValues, snap.plane, snap.units, ...snap.activations]) bytes += v?.byteLength ?? 0;
  return bytes;
}

function speed() {
  return $('speed').value;
}

function writeUrl() {
  history.replaceState(null, '', `#${state.config}`);
}

function showConfigError(err) {
  configError.textContent = `The link's setting ${err.key}=${err.value} was not accepted: ${err.message}. The page loaded the defaults instead.`;
  configError.hidden = false;
}

/** Starts a fresh trainer for `config` (also Reset: the same config gives the same run). */
function restart(config) {
  state.config = config;
  state.values = splitConfig(config);
  // Data points for the plane, from a throwaway trainer in the main-thread instance.
  const t = new Trainer(config);
  state.points = t.points();
  t.free();
  showValues(state.values, ruleUnavailable);
  $('noise-explain').textContent = explain(state.values.rule, state.values.mode);
  divergedBanner.hidden = true;
  setPlaying(false);
  state.worker.postMessage({ type: MSG.INIT, config, diagnostics: $('diagnostics').checked });
  writeUrl();
}

/** Validates the controls through the Rust codec; applies them if valid. */
function applyControls() {
  const values = readValues(state.values);
  const result = JSON.parse(parseFragment(joinConfig(values)));
  if (!result.ok) {
    controlError.textContent = `${result.key}=${result.value}: ${result.message}. The run keeps its previous settings.`;
    showValues({ ...values, rule: values.rule }, ruleUnavailable);
    return;
  }
  controlError.textContent = '';
  if (result.config !== state.config) restart(result.config);
}

function setPlaying(on) {
  state.playing = on;
  playButton.textContent = on ? '❚❚ Pause' : '▶ Play';
}

function onSnapshot(snap) {
  state.snap = snap;
  stats.snapshots += 1;
  stats.bytes += payloadBytes(snap);
  if (!snap.playing && state.playing) setPlaying(false);
  if (!document.body.dataset.ready) {
    stats.readyAt = performance.now();
    document.body.dataset.ready = 'true';
  }
  if (!state.drawPending) {
    state.drawPending = true;
    requestAnimationFrame(draw);
  }
}

function fmt(v, digits) {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

function draw() {
  state.drawPending = false;
  stats.frames += 1;
  const snap = state.snap;
  if (!snap) return;
  const s = snap.summary;
  $('step-count').textContent = String(s.step);
  $('epoch').textContent = s.epoch.toFixed(2);
  $('checksum').textContent = s.checksum;
  $('train-loss').textContent = fmt(s.train_loss, 4);
  $('test-loss').textContent = fmt(s.test_loss, 4);
  $('train-accuracy').textContent = fmt(s.train_accuracy, 3);
  $('test-accuracy').textContent = fmt(s.test_accuracy, 3);
  if (s.diverged) {
    divergedBanner.textContent = s.diverged;
    divergedBanner.hidden = false;
    setPlaying(false);
  }
  state.maps = drawCharts(snap, $('log-scale').checked);
  if (snap.plane && state.points) {
    drawBoundary($('boundary'), snap, state.points, $('show-test').checked);
    drawUnits($('units'), snap);
  }
  drawActivations($('activations'), snap);
  renderProbe($('probe'), snap.probe);
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

function wire() {
  playButton.addEventListener('click', () => {
    if (state.playing) {
      state.worker.postMessage({ type: MSG.PAUSE });
      setPlaying(false);
    } else {
      state.worker.postMessage({ type: MSG.PLAY, speed: speed() });
      setPlaying(true);
    }
  });
  $('step').addEventListener('click', () => {
    setPlaying(false);
    state.worker.postMessage({ type: MSG.STEP });
  });
  $('reset').addEventListener('click', () => restart(state.config));
  $('new-seed').addEventListener('click', () => {
    const seed = crypto.getRandomValues(new Uint32Array(1))[0];
    $('seed').value = String(seed);
    applyControls();
  });
  $('speed').addEventListener('change', () => state.worker.postMessage({ type: MSG.SPEED, speed: speed() }));
  $('diagnostics').addEventListener('change', (e) => state.worker.postMessage({ type: MSG.DIAGNOSTICS, on: e.target.checked }));
  $('controls').addEventListener('change', (e) => {
    if (e.target.id !== 'diagnostics') applyControls();
  });
  $('datasets').addEventListener('click', (e) => {
    const button = e.target.closest('[data-dataset]');
    if (!button) return;
    $('datasets').dataset.pick = button.dataset.dataset;
    state.values = { ...state.values, data: button.dataset.dataset };
    showValues(state.values, ruleUnavailable);
    applyControls();
  });
  $('layer-add').addEventListener('click', () => {
    const widths = state.values.hidden === '' ? [] : state.values.hidden.split(',');
    if (widths.length >= MAX_LAYERS) return;
    state.values = { ...state.values, hidden: [...widths, widths.at(-1) ?? '4'].join(',') };
    showValues(state.values, ruleUnavailable);
    applyControls();
  });
  $('layer-remove').addEventListener('click', () => {
    const widths = state.values.hidden === '' ? [] : state.values.hidden.split(',');
    state.values = { ...state.values, hidden: widths.slice(0, -1).join(',') };
    showValues(state.values, ruleUnavailable);
    applyControls();
  });
  $('log-scale').addEventListener('change', draw);
  $('show-test').addEventListener('change', draw);
  $('probe-sample').addEventListener('change', (e) => {
    const sample = Math.max(0, Math.min(Number(e.target.value) || 0, Number(state.values.batch) - 1));
    e.target.value = String(sample);
    state.worker.postMessage({ type: MSG.PROBE, sample });
  });
  $('copy-link').addEventListener('click', () => {
    const step = state.snap?.summary.step ?? 0;
    const url = `${location.origin}${location.pathname}#${state.config}${step ? `&at=${step}` : ''}`;
    copy(url, 'link');
  });
  $('copy-cli').addEventListener('click', () => copy(cliCommand(state.config, state.snap?.summary.step ?? 0), 'command'));
  // Every control explains itself on hover and on keyboard focus.
  const explainControl = (e) => {
    const el = e.target.closest('[data-key], [title]');
    if (el?.title) $('help').textContent = el.title;
  };
  $('controls').addEventListener('focusin', explainControl);
  $('controls').addEventListener('mouseover', explainControl);
  hover('loss-chart', 'loss');
  hover('accuracy-chart', 'accuracy');
  hover('alignment-chart', 'alignment');
  document.addEventListener('keydown', (e) => {
    if (e.code === 'Space' && e.target === document.body) {
      e.preventDefault();
      playButton.click();
    }
  });
}

async function main() {
  await init();
  const keys = JSON.parse(configKeys());
  buildControls(keys);
  drawThumbnails((data) => {
    const t = new Trainer(`data=${data}&n=200&noise=0.05`);
    const p = t.points();
    t.free();
    return p;
  });
  const parsed = JSON.parse(parseFragment(decodeURIComponent(location.hash.slice(1))));
  let config = parsed.ok ? parsed.config : JSON.parse(parseFragment('')).config;
  if (!parsed.ok) showConfigError(parsed);
  const at = parsed.ok ? parsed.at : null;

  state.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  state.worker.onmessage = (e) => {
    const msg = e.data;
    if (msg.type === MSG.READY) {
      restart(config);
      if (at) {
        state.worker.postMessage({ type: MSG.RUN_TO, at });
      }
    } else if (msg.type === MSG.SNAPSHOT) {
      onSnapshot(msg);
    } else if (msg.type === MSG.ERROR) {
      controlError.textContent = msg.message;
    }
  };
  state.worker.onerror = (e) => {
    controlError.textContent = `The training worker failed: ${e.message}`;
  };
  wire();
}

main();
