// The benchmark driver behind scripts/bench: runs the native benchmark, the browser benchmark page
// and the live page, then writes docs/performance.md with every number side by side.
//
// `--baseline DIR --baseline-rev REV` (BASELINE=REV ./scripts/bench builds DIR, a
// git worktree of REV with its own CLI and browser bench module) also runs that revision's native
// benchmark and its benchmark page (served from DIR) in the same session, each right after this
// tree's, and puts its figures beside this tree's with the ratio new / baseline.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cpus, totalmem } from 'node:os';
import { launch, serve } from '../tests/browser.mjs';
import { BENCH_EXTRA } from './serve.mjs';

const quick = process.argv.includes('--quick');
const POOL_WARMUP = quick ? 2 : 10; // sweeps run on each started pool before the timed ones
const POOL_RUNS = quick ? 3 : 15;   // timed sweeps on each

const argValue = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const root = new URL('..', import.meta.url).pathname;
const baselineDir = argValue('--baseline');
const baselineRoot = baselineDir ? resolve(root, baselineDir) : undefined;
const baselineRev = argValue('--baseline-rev') ?? baselineDir;
const baselineCommit = baselineRoot ? execFileSync('git', ['-C', baselineRoot, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim() : undefined;
const started = Date.now();
const log = (m) => console.error(`[bench] ${m}`);

// The run pool's two links: four rules compared, one rule over four seeds.
const COMPARE_LINK = 'v=1&data=spiral&hidden=16,16&rule=np&compare=inp,anp,bp';
const SEEDS_LINK = 'v=1&data=spiral&hidden=16,16&rule=np&seeds=4';

// `--pool-compare` (the four-rule compare) and `--pool-seeds` (one rule over four seeds, whose
// copies the run pool splits): only that link's steps per second with 1 and 2 workers, the two
// alternating over four rounds (stepsPerSecond below), printed, nothing written.
const onlyLink = process.argv.includes('--pool-compare') ? COMPARE_LINK : process.argv.includes('--pool-seeds') ? SEEDS_LINK : null;
if (onlyLink) {
  const b = await launch();
  const { server: s, base: u } = await serve();
  const rounds = [];
  for (let round = 0; round < 4; round++) {
    const r = {};
    for (const workers of [1, 2]) r[`stepsPerS${workers}`] = await stepsPerSecond(b, u, onlyLink, workers, 5000);
    rounds.push(r);
    log(`round ${round + 1}: ${fmt(r.stepsPerS1)} and ${fmt(r.stepsPerS2)} steps/s: ${fmt(r.stepsPerS2 / r.stepsPerS1, 2)}x`);
  }
  await b.close();
  s.close();
  const load = execFileSync('uptime', { encoding: 'utf8' }).trim();
  console.log(JSON.stringify({ link: onlyLink, rounds, load }, null, 1));
  process.exit(0);
}

// `--pool`: only the pool of workers' rows (measurePool below), printed, nothing written.
if (process.argv.includes('--pool')) {
  const b = await launch();
  const { server: s, base: u } = await serve();
  const pool = await measurePool(b, u);
  await b.close();
  s.close();
  console.log(JSON.stringify(pool, null, 1));
  console.log(poolLines(pool).join('\n'));
  process.exit(0);
}

// 1. Native (this tree, then the baseline's CLI right after it).
function nativeBench(cli) {
  const lines = execFileSync(cli, ['bench', ...(quick ? ['--quick'] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return lines.trim().split('\n').map((l) => JSON.parse(l));
}
log('native benchmark (np-playground bench)');
const native = nativeBench(`${root}target/release/np-playground`);
let baseNative = [];
if (baselineRoot) {
  log(`native benchmark of the baseline ${baselineRev} (${baselineCommit})`);
  baseNative = nativeBench(`${baselineRoot}/target/release/np-playground`);
}

// 2. Browser: the benchmark page (this tree's, then the baseline's served from its worktree), then
// the live app at full speed.
const browser = await launch();
const chromiumVersion = browser.version();

/** Runs `www/bench.html` of the tree at `dir` (served from there, with its TensorFlow.js) and
 *  returns its results. */
async function benchPage(dir) {
  const { server: s, base: b } = await serve(dir, { extra: BENCH_EXTRA });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.goto(`${b}www/bench.html${quick ? '?quick' : ''}`);
    await page.waitForSelector('body[data-done]', { timeout: 3_000_000 });
    const benchError = await page.evaluate(() => window.benchError);
    const results = await page.evaluate(() => window.benchResults);
    await page.close();
    if (benchError) {
      // An older page stops at the first failing worker: keep NP Playground's figures if they came.
      if (!results.some((x) => x.kind === 'train' && x.engine === 'np-playground-wasm')) throw new Error(`browser benchmark of ${dir} failed: ${benchError}`);
      results.push({ kind: 'error', part: 'page', message: benchError });
    }
    for (const e of results.filter((x) => x.kind === 'error')) log(`browser benchmark of ${dir}: ${e.part} failed: ${e.message}`);
    return results;
  } finally {
    s.close();
  }
}
log(`browser benchmark in Chromium ${chromiumVersion}`);
const web = await benchPage(root);
let baseWeb = [];
if (baselineRoot) {
  log(`browser benchmark of the baseline ${baselineRev} (${baselineCommit})`);
  baseWeb = await benchPage(baselineRoot);
}
const { server, base } = await serve();

log('live page at full speed');
const live = await measureLivePage('#v=1&data=spiral&rule=inp&hidden=16,16,16');
const liveBig = await measureLivePage('#v=1&data=xor&rule=danp&hidden=256,256&batch=100&n=2000');
const liveDigits = await measureLivePage('#v=1&data=mnist&rule=np');
log('a slow-motion walk on the digits page');
const walk = await measureWalk('#v=1&data=mnist&rule=np&at=3');
log('the pool of workers: a sweep and a compare with 1 and 2 workers');
const pool = await measurePool(browser, base);
await browser.close();
server.close();

// 3. Sizes.
const wasm = readFileSync(`${root}www/pkg/np_playground_bg.wasm`);
const sizes = { raw: wasm.length, gzip: gzipSync(wasm, { level: 9 }).length, js: statSync(`${root}www/pkg/np_playground.js`).size };

writeFileSync(`${root}docs/performance.md`, report());
log(`wrote docs/performance.md in ${((Date.now() - started) / 1000).toFixed(0)} s`);

// ---- the pool of workers (issue 19) ----
/** The pool's figures, with 1 and 2 workers alternating (two rounds, so drift shows): the
 *  9-cell sweep's time from the link's opening to its last cell, a four-rule compare's steps per
 *  second at full speed, and frames per second and the main thread's long tasks while a long
 *  sweep runs on 2 workers. */
async function measurePool(b, u) {
  const POOL_SWEEP = '#v=1&data=spiral&hidden=16,16&rule=np&sweep=lr:0.003,0.01,0.03;sigma:0.001,0.01,0.1&sweep_steps=3000';
  const POOL_LONG = '#v=1&data=spiral&hidden=16,16&rule=np&sweep=lr:0.003,0.01,0.03;sigma:0.001,0.01,0.1&sweep_steps=1000000&workers=2';
  const open = async (fragment) => {
    const context = await b.newContext({ viewport: { width: 1400, height: 1000 } });
    const p = await context.newPage();
    p.on('pageerror', (e) => log(`page error: ${e.message}`));
    await p.goto(`${u}${fragment}`);
    await p.waitForSelector('body[data-ready]', { timeout: 30000 });
    return { p, context };
  };
  // The harness waits by polling every 100 ms, not every frame (Playwright's default): a frame
  // drawn for the harness is main-thread work taken from the two cores the workers train on.
  const sweepDone = (p) => p.waitForFunction(() => document.querySelector('[data-testid=sweep]').dataset.elapsedMs, null, { timeout: 600000, polling: 100 });
  const sweepTimes = (p) => p.evaluate(() => {
    const d = document.querySelector('[data-testid=sweep]').dataset;
    return { elapsed: Number(d.elapsedMs), doneAt: Number(d.doneAtMs) };
  });
  const rounds = [];
  for (let round = 0; round < (quick ? 1 : 2); round++) {
    const r = {};
    for (const workers of [1, 2]) {
      const { p, context } = await open(`${POOL_SWEEP}&workers=${workers}`);
      await sweepDone(p);
      const t = await sweepTimes(p);
      r[`sweepMs${workers}`] = t.elapsed;
      r[`sweepDoneAt${workers}`] = t.doneAt;
      await context.close();
      r[`compareStepsPerS${workers}`] = await stepsPerSecond(b, u, COMPARE_LINK, workers, quick ? 3000 : 6000);
      r[`seedsStepsPerS${workers}`] = await stepsPerSecond(b, u, SEEDS_LINK, workers, quick ? 3000 : 6000);
    }
    rounds.push(r);
  }
  // The sweep's own time on pools already started: two pages (1 and 2 workers) open side by
  // side, Run sweep on each in turn (clicked by the page's own click(), without Playwright's
  // checks of the button), the median of each.
  const pages = [];
  for (const workers of [1, 2]) {
    const o = await open(`${POOL_SWEEP}&workers=${workers}`);
    await sweepDone(o.p);
    pages.push(o);
  }
  // The first runs of each page are not counted: the engine's code is still being compiled to
  // its faster tier (V8 compiles a function again once it has run enough), a cost of the first
  // sweeps only. Then the pages run in turn, POOL_RUNS times each.
  const warm = [[], []];
  for (let k = -POOL_WARMUP; k < POOL_RUNS; k++) {
    for (const [i, o] of pages.entries()) {
      await o.p.evaluate(() => document.getElementById('sweep-run').click());
      await sweepDone(o.p);
      if (k >= 0) warm[i].push((await sweepTimes(o.p)).elapsed);
    }
  }
  for (const o of pages) await o.context.close();
  const { p, context } = await open(POOL_LONG);
  await watchFrames(p);
  const before = await p.evaluate(() => ({ raf: window.rafCount, t: performance.now() }));
  await p.waitForTimeout(quick ? 3000 : 8000);
  const after = await p.evaluate(() => ({ raf: window.rafCount, t: performance.now(), longTasks: window.longTasks, status: document.getElementById('sweep-status').textContent }));
  await context.close();
  const load = execFileSync('uptime', { encoding: 'utf8' }).trim();
  return { rounds, warm, long: POOL_LONG, fps: (after.raf - before.raf) / ((after.t - before.t) / 1000), longTasks: after.longTasks.map(Math.round), status: after.status, load };
}

/** The steps per second of `link` at full speed with `workers` workers, over `ms` after a
 *  second's warm-up (the step shown: the page's own run, in lockstep with every other). */
async function stepsPerSecond(b, u, link, workers, ms) {
  const context = await b.newContext({ viewport: { width: 1400, height: 1000 } });
  const p = await context.newPage();
  p.on('pageerror', (e) => log(`page error: ${e.message}`));
  await p.goto(`${u}#${link}&workers=${workers}`);
  await p.waitForSelector('body[data-ready]', { timeout: 30000 });
  await p.selectOption('#speed', 'max');
  await p.click('#play');
  await p.waitForTimeout(1000);
  const at = () => p.evaluate(() => ({ step: Number(document.querySelector('[data-testid=step]').textContent), t: performance.now() }));
  const before = await at();
  await p.waitForTimeout(ms);
  const after = await at();
  await context.close();
  return (after.step - before.step) / ((after.t - before.t) / 1000);
}

function poolLines(pool) {
  const lines = ['## The pool of workers', ''];
  lines.push(`Ratios only compare within one round (the machine's speed drifts); \`uptime\` after the runs: ${pool.load}. The harness waits by polling every 100 ms, not every frame (a frame drawn for the harness is main-thread work taken from the cores the workers train on). \`node scripts/bench.mjs --pool\` measures this section alone, \`--pool-compare\` and \`--pool-seeds\` one of its links over four rounds.`, '');
  lines.push('The 9-cell sweep opened from its link: the time from the link\'s reading to its last cell (the pool\'s workers start with the page and load the engine while it does), and in brackets from the page\'s opening. The compare\'s and the seeds\' runs are split over the workers, in lockstep.', '');
  lines.push(`| round | 9-cell sweep, 3,000 steps, from the link: 1 worker | 2 workers | speed-up | four-rule compare (\`${COMPARE_LINK}\`) steps/s: 1 worker | 2 workers | ratio | one rule over four seeds (\`${SEEDS_LINK}\`) steps/s: 1 worker | 2 workers | ratio |`, '|---|---|---|---|---|---|---|---|---|---|');
  pool.rounds.forEach((r, i) => {
    lines.push(`| ${i + 1} | ${fmt(r.sweepMs1)} ms (${fmt(r.sweepDoneAt1)}) | ${fmt(r.sweepMs2)} ms (${fmt(r.sweepDoneAt2)}) | ${fmt(r.sweepMs1 / r.sweepMs2, 2)}x | ${fmt(r.compareStepsPerS1)} | ${fmt(r.compareStepsPerS2)} | ${fmt(r.compareStepsPerS2 / r.compareStepsPerS1, 2)}x | ${fmt(r.seedsStepsPerS1)} | ${fmt(r.seedsStepsPerS2)} | ${fmt(r.seedsStepsPerS2 / r.seedsStepsPerS1, 2)}x |`);
  });
  const [w1, w2] = pool.warm.map(median);
  const pairs = median(pool.warm[0].map((v, i) => v / pool.warm[1][i]));
  lines.push('', `The same sweep with Run sweep on started pools, after ${POOL_WARMUP} runs each not counted (the engine's code is still being compiled to its faster tier), the two pages in turn, ${pool.warm[0].length} times each: 1 worker ${pool.warm[0].join(', ')} ms (median ${fmt(w1)}), 2 workers ${pool.warm[1].join(', ')} ms (median ${fmt(w2)}): ${fmt(w1 / w2, 2)}x (the median of the ${pool.warm[0].length} side-by-side ratios: ${fmt(pairs, 2)}x). What bounds it: docs/sweeps.md, "What bounds the page's speed-up".`);
  lines.push('', `While a long sweep runs on 2 workers (\`${pool.long}\`): ${fmt(pool.fps, 1)} frames/s, main-thread tasks over 50 ms: ${pool.longTasks.length ? pool.longTasks.join(', ') + ' ms' : 'none'}.`, '');
  return lines;
}

/** Frame rate and long tasks while the walk through one update plays on the network diagram. */
async function measureWalk(fragment) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const p = await context.newPage();
  await p.goto(`${base}${fragment}`);
  await p.waitForSelector('body[data-ready]', { timeout: 30000 });
  await p.waitForFunction(() => document.querySelector('[data-testid=step]').textContent === '3' && document.body.dataset.busy !== 'true', null, { timeout: 60000 });
  await watchFrames(p);
  const before = await p.evaluate(() => ({ raf: window.rafCount, t: performance.now() }));
  await p.click('[data-testid=walk]');
  const seen = new Set();
  const end = Date.now() + (quick ? 3000 : 8000);
  while (Date.now() < end) {
    seen.add(await p.textContent('#walk-count'));
    await p.waitForTimeout(100);
  }
  const after = await p.evaluate(() => ({ raf: window.rafCount, t: performance.now(), longTasks: window.longTasks }));
  await context.close();
  return { fragment, seconds: (after.t - before.t) / 1000, fps: (after.raf - before.raf) / ((after.t - before.t) / 1000), longTasks: after.longTasks.map(Math.round), subSteps: seen.size };
}

/** Starts counting the page's animation frames (window.rafCount) and its main-thread long tasks
 *  (window.longTasks, durations in ms). */
async function watchFrames(p) {
  await p.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longTasks.push(e.duration); }).observe({ type: 'longtask' });
    window.rafCount = 0;
    const tick = () => { window.rafCount++; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
}

async function measureLivePage(fragment) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const p = await context.newPage();
  const navStart = Date.now();
  await p.goto(`${base}${fragment}`);
  await p.waitForSelector('body[data-ready]', { timeout: 30000 });
  const readyMs = await p.evaluate(() => window.npStats.readyAt);
  const wallReady = Date.now() - navStart;
  await watchFrames(p);
  await p.selectOption('#speed', 'max');
  await p.click('#play');
  await p.waitForTimeout(1000);
  const before = await p.evaluate(() => ({ ...window.npStats, raf: window.rafCount, step: Number(document.querySelector('[data-testid=step]').textContent), t: performance.now() }));
  await p.waitForTimeout(quick ? 3000 : 10000);
  const after = await p.evaluate(() => ({ ...window.npStats, raf: window.rafCount, step: Number(document.querySelector('[data-testid=step]').textContent), t: performance.now(), longTasks: window.longTasks, drawMs: window.npStats.drawMs }));
  await context.close();
  const s = (after.t - before.t) / 1000;
  return {
    fragment, readyMs, wallReady, seconds: s,
    stepsPerS: (after.step - before.step) / s,
    fps: (after.raf - before.raf) / s,
    drawsPerS: (after.frames - before.frames) / s,
    snapshotsPerS: (after.snapshots - before.snapshots) / s,
    kbPerS: (after.bytes - before.bytes) / s / 1024,
    longTasks: after.longTasks.map(Math.round),
    drawMs: after.drawMs,
  };
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function find(list, pred) {
  return list.find(pred);
}

/** `v` as a ratio "1.23x", or "–" when it is not a number. */
function times(v, d = 2) {
  return Number.isFinite(v) ? `${fmt(v, d)}x` : '–';
}

function fmt(v, d = 0) {
  if (v === undefined || v === null || !Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
}

function report() {
  const cpu = cpus()[0]?.model ?? 'unknown';
  const when = new Date().toISOString().slice(0, 10);
  const cases = [...new Set(native.filter((r) => r.kind === 'train').map((r) => r.case))];
  const rules = [...new Set(native.filter((r) => r.kind === 'train').map((r) => r.rule))];
  const nat = (c, r) => find(native, (x) => x.kind === 'train' && x.case === c && x.rule === r);
  const wb = (c, r, engine = 'np-playground-wasm') => find(web, (x) => x.kind === 'train' && x.case === c && x.rule === r && x.engine === engine);
  const mmWeb = find(web, (x) => x.kind === 'matmul' && x.shape === '100x784x256');
  const mmNative = find(native, (x) => x.kind === 'matmul' && x.shape === '100x784x256');
  const tfEnv = find(web, (x) => x.kind === 'tfjs-env') ?? {};
  const profile = find(native, (x) => x.kind === 'profile');
  const cell = (r, key = 'samples_per_s') => (r ? `${fmt(r[`${key}_median`])} (${fmt(r[`${key}_min`])}–${fmt(r[`${key}_max`])})` : '–');

  // NP on 784-256-256-10: matrix-product FLOPs per sample (clean pass + noisy pass from layer 2 on + update).
  const sizes784 = [784, 256, 256, 10];
  const macs = (s) => s.slice(1).reduce((t, n, i) => t + s[i] * n, 0);
  const npFlops = 2 * (macs(sizes784) + macs(sizes784.slice(1)) + macs(sizes784));
  const limit = (mmWeb?.gflops_median ?? NaN) * 1e9 / npFlops;
  const np784 = wb('784-256-256-10', 'NP')?.samples_per_s_median;
  const tfStock784 = wb('784-256-256-10', 'BP', 'tfjs-trainOnBatch')?.samples_per_s_median;
  const tfMin784 = wb('784-256-256-10', 'BP', 'tfjs-minimize')?.samples_per_s_median;
  const tfHand784 = wb('784-256-256-10', 'BP', 'tfjs-handwritten')?.samples_per_s_median;
  const np2 = wb('2-8-8-2', 'NP')?.samples_per_s_median;
  const tfStock2 = wb('2-8-8-2', 'BP', 'tfjs-trainOnBatch')?.samples_per_s_median;
  const np784native = nat('784-256-256-10', 'NP')?.samples_per_s_median;
  const inpRatio = np784 / wb('784-256-256-10', 'INP')?.samples_per_s_median;
  const decorMs = 100 * 1000 / wb('784-256-256-10', 'DNP')?.samples_per_s_median - 100 * 1000 / np784;
  const decorMsNative = 100 * 1000 / nat('784-256-256-10', 'DNP')?.samples_per_s_median - 100 * 1000 / np784native;
  const check = (ok) => (ok ? 'met' : '**missed**');
  // TF.js's figures may be missing (its worker failed): its targets are then not measured.
  const tfErrors = web.filter((x) => x.kind === 'error');
  const tfCheck = (ok) => (tfHand784 === undefined ? 'not measured' : check(ok));
  const mm = (list, shape) => find(list, (x) => x.kind === 'matmul' && x.shape === shape);
  const rate = (r, key = 'gflops') => r?.[`${key}_median`];
  // x's rate over y's: the median of the ratios repetition by repetition when both rows carry
  // their repetitions (timed in turn, so each ratio is taken at one moment of the machine's drift),
  // the ratio of the medians otherwise (a baseline's older output).
  const ratio = (x, xKey, y, yKey) => {
    const [a, b] = [x?.[`${xKey}_all`], y?.[`${yKey}_all`]];
    if (a && b && a.length === b.length) return median(a.map((v, i) => v / b[i]));
    return rate(x, xKey) / rate(y, yKey);
  };
  const ratio1024 = (list) => ratio(mm(list, '100x1024x1024'), 'gflops', mm(list, '100x784x256'), 'gflops');
  const baseNat = (c, r) => find(baseNative, (x) => x.kind === 'train' && x.case === c && x.rule === r);
  const baseWb = (c, r, engine = 'np-playground-wasm') => find(baseWeb, (x) => x.kind === 'train' && x.case === c && x.rule === r && x.engine === engine);
  const np784baseNative = baseNat('784-256-256-10', 'NP')?.samples_per_s_median;
  const nativePath = mmNative?.path ?? '?';
  // The live digits page against the headless benchmark of the same network and rule.
  const liveMatch = {
    '#v=1&data=mnist&rule=np': { case: '784-256-256-10', rule: 'NP', batch: 100 },
  };
  const liveShare = (l) => {
    const m = liveMatch[l.fragment];
    const w = m && wb(m.case, m.rule);
    return w ? (l.stepsPerS * m.batch) / w.samples_per_s_median : undefined;
  };

  const lines = [];
  lines.push('# Performance', '');
  lines.push(`Written by \`./scripts/bench\`${quick ? ' (QUICK=1: short timings, no 784-1024-1024-1024-10 row)' : ''} on ${when}. Machine: ${cpu}, ${cpus().length} cores, ${fmt(totalmem() / 2 ** 30, 0)} GiB; Chromium ${chromiumVersion} headless (one thread: the page is not cross-origin isolated, so no wasm threads); node ${process.version}. ${tfEnv.version ? `TensorFlow.js ${tfEnv.version}, backend ${tfEnv.backend ?? '?'}, SIMD ${tfEnv.simd}, threads ${tfEnv.threads}.` : 'TensorFlow.js did not run.'}`, '');
  lines.push('Every figure is the median of several timed repetitions (' + (quick ? 'each at least 0.05 s, 3 repetitions' : 'each at least 0.3 s, 5 repetitions') + '; min–max in brackets), training samples per second, alignment diagnostics off (as when the alignment chart is hidden). The machine\'s speed drifts (up to 2x within minutes on a shared machine): compare ratios of figures measured side by side in one run, not figures from different runs. NP Playground runs in a module Web Worker exactly as the app does; TF.js runs the same MLPs (tanh hidden layers, linear output, softmax cross-entropy, SGD, backprop) in a second worker: `model.trainOnBatch` and `optimizer.minimize` are its stock APIs; "hand-written" are explicit forward/backward layers whose products are all plain `matMul` (transposes done as separate ops). Data are synthetic Gaussian inputs with random labels: speed does not depend on the values.', '');

  for (const e of tfErrors) {
    lines.push(`**TF.js did not run in this session**: \`${e.part}\` failed with: ${e.message.trim()} Every TF.js figure below is "–" and the targets against TF.js are not measured.`, '');
  }
  lines.push('## Targets', '');
  lines.push('| target | measured | |', '|---|---|---|');
  lines.push(`| 784-256-256-10 NP in the browser ≥ 70% of the limit implied by the measured matrix-product rate | ${fmt(np784)} samples/s = ${fmt(100 * np784 / limit, 1)}% of ${fmt(limit)} (matmul ${fmt(mmWeb?.gflops_median, 1)} GFLOP/s, ${fmt(npFlops / 1e6, 2)} MFLOP per sample) | ${check(np784 >= 0.7 * limit)} |`);
  lines.push(`| … ≥ 5x TF.js stock backprop (trainOnBatch) | ${times(np784 / tfStock784, 1)} (minimize: ${times(np784 / tfMin784, 1)}) | ${tfCheck(np784 >= 5 * tfStock784)} |`);
  lines.push(`| … ahead of the hand-written TF.js layers | ${times(np784 / tfHand784)} | ${tfCheck(np784 > tfHand784)} |`);
  lines.push(`| … ≥ 1.2x the hand-written TF.js layers | ${times(np784 / tfHand784)} | ${tfCheck(np784 >= 1.2 * tfHand784)} |`);
  lines.push(`| 100x1024x1024 product within 15% of the 100x784x256 one's GFLOP/s (native, ${nativePath} path) | ${fmt(100 * ratio1024(native), 0)}% (browser: ${fmt(100 * ratio1024(web), 0)}%) | ${check(ratio1024(native) >= 0.85)} |`);
  lines.push(baselineRoot
    ? `| native NP on 784-256-256-10 ≥ 1.7x the baseline's (${baselineRev}, measured in the same run) | ${times(np784native / np784baseNative)} (${fmt(np784native)} vs ${fmt(np784baseNative)} samples/s) | ${check(np784native >= 1.7 * np784baseNative)} |`
    : '| native NP on 784-256-256-10 ≥ 1.7x the baseline\'s | needs `BASELINE=<revision> ./scripts/bench` | – |');
  lines.push(`| 2-8-8-2 batch 10 NP ≥ 20x TF.js stock backprop | ${times(np2 / tfStock2, 1)} | ${tfStock2 === undefined ? 'not measured' : check(np2 >= 20 * tfStock2)} |`);
  {
    // Natively the kernel may run on 256-bit AVX, which wasm cannot: the browser is compared with
    // native code running the same 128-bit kernel (the CLI bench's "portable" row), and the ratio
    // to the AVX figure is shown beside it.
    const portable = find(native, (x) => x.kind === 'train' && x.case === '784-256-256-10' && x.rule === 'NP' && x.path === 'portable')?.samples_per_s_median ?? (nativePath === 'portable' ? np784native : undefined);
    lines.push(`| browser ≥ 60% of native with the same 128-bit kernel (784-256-256-10 NP) | ${fmt(100 * np784 / portable, 0)}% of ${fmt(portable)} samples/s (of the ${nativePath} path's ${fmt(np784native)}: ${fmt(100 * np784 / np784native, 0)}%) | ${check(np784 >= 0.6 * portable)} |`);
  }
  lines.push(`| INP costs about (1 + L)/2 = 2x NP per step, not more (784-256-256-10) | ${fmt(inpRatio, 2)}x | ${check(inpRatio <= 2)} |`);
  lines.push(`| decorrelation cost per step on 784 inputs (DNP − NP) | ${fmt(decorMs, 2)} ms in the browser, ${fmt(decorMsNative, 2)} ms natively | reported |`);
  {
    const share = liveShare(liveDigits);
    lines.push(`| the digits page (\`${liveDigits.fragment}\`, every panel, alignment on) ≥ 80% of the headless rate | ${share === undefined ? '–' : fmt(100 * share, 0) + '%'} (${fmt(liveDigits.stepsPerS * 100)} samples/s) | ${share === undefined ? 'not measured' : check(share >= 0.8)} |`);
  }
  for (const l of [live, liveBig, liveDigits]) {
    const longest = Math.max(0, ...l.longTasks);
    lines.push(`| live page at full speed, \`${l.fragment}\`: no main-thread task over 50 ms | ${l.longTasks.length ? `${l.longTasks.length} over 50 ms, longest ${fmt(longest)} ms` : 'none over 50 ms'} | ${check(longest <= 50)} |`);
    lines.push(`| … at least 50 frames/s | ${fmt(l.fps, 1)} frames/s | ${check(l.fps >= 50)} |`);
  }
  {
    const longest = Math.max(0, ...walk.longTasks);
    lines.push(`| slow-motion walk on the digits page (\`${walk.fragment}\`, ${walk.subSteps} sub-steps seen): no main-thread task over 50 ms | ${walk.longTasks.length ? `${walk.longTasks.length} over 50 ms, longest ${fmt(longest)} ms` : 'none over 50 ms'} | ${check(longest <= 50)} |`);
    lines.push(`| … at least 50 frames/s | ${fmt(walk.fps, 1)} frames/s | ${check(walk.fps >= 50)} |`);
  }
  lines.push('');

  lines.push('## Training throughput, samples/s', '');
  lines.push('"Step / NP\'s" is the time of one step over NP\'s on the same network, from the medians of the same run (native, browser).', '');
  lines.push('| network, batch | rule | native | browser (wasm) | browser / native | step / NP\'s (native, browser) |', '|---|---|---|---|---|---|');
  for (const c of cases) {
    const batch = { '2-8-8-2': 10, '64-32-10': 32, '784-256-256-10': 100, '784-1024-1024-1024-10': 100 }[c];
    for (const r of rules) {
      const n = nat(c, r), w = wb(c, r);
      const perNp = (x, np) => (x && np ? fmt(np.samples_per_s_median / x.samples_per_s_median, 2) + 'x' : '–');
      lines.push(`| ${c}, ${batch} | ${r} | ${cell(n)} | ${cell(w)} | ${w && n ? fmt(100 * w.samples_per_s_median / n.samples_per_s_median, 0) + '%' : '–'} | ${perNp(n, nat(c, 'NP'))}, ${perNp(w, wb(c, 'NP'))} |`);
    }
  }
  lines.push('');
  lines.push('## TensorFlow.js in the same browser run (backprop), samples/s', '');
  lines.push('| network, batch | trainOnBatch | optimizer.minimize | hand-written | NP Playground NP / trainOnBatch | NP Playground BP / trainOnBatch |', '|---|---|---|---|---|---|');
  for (const c of cases) {
    const a = wb(c, 'BP', 'tfjs-trainOnBatch'), b = wb(c, 'BP', 'tfjs-minimize'), h = wb(c, 'BP', 'tfjs-handwritten');
    lines.push(`| ${c} | ${cell(a)} | ${cell(b)} | ${cell(h)} | ${a ? fmt(wb(c, 'NP')?.samples_per_s_median / a.samples_per_s_median, 1) + 'x' : '–'} | ${a ? fmt(wb(c, 'BP')?.samples_per_s_median / a.samples_per_s_median, 1) + 'x' : '–'} |`);
  }
  lines.push('');
  lines.push('## The matrix product, GFLOP/s', '');
  lines.push(`\`c = a b + bias\` (m x k times k x n). The engine's kernel is packed and cache-blocked: B is packed 256 rows at a time into contiguous column panels that stay in L1 while every row tile of A runs over them; each element is the plain in-order sum over k (partial sums are stored and reloaded between k-blocks, the bias added after the last), no FMA, so every path gives the same bits. Natively it takes the **${nativePath}** path (6 x 16 tiles of 256-bit vectors where the CPU has AVX, 4 x 8 tiles of f32x4 otherwise); in the browser 4 x 8 tiles of f32x4 (\`simd128\`). The reference is the straightforward packed kernel (\`kernels::gemm_nn_bias_reference\`: all of B packed once into 8-wide panels, 4 x 8 f32x4 tiles over the whole of k, no k-blocking, no AVX), timed alternately with the engine's in the same process. Each repetition times the three shapes and both kernels in turn; the ratios ("engine / reference", "vs 100x784x256": the shape's engine rate over the 100x784x256 engine rate) are medians of the ratios taken repetition by repetition.`, '');
  lines.push('| shape (m x k x n) | native | native reference | native / reference | browser | browser reference | browser / reference | vs 100x784x256 (native, browser) |', '|---|---|---|---|---|---|---|---|');
  for (const shape of ['100x784x256', '200x256x256', '100x1024x1024']) {
    const n = mm(native, shape), w = mm(web, shape);
    const vs = (list) => fmt(100 * ratio(mm(list, shape), 'gflops', mm(list, '100x784x256'), 'gflops'), 0) + '%';
    lines.push(`| ${shape} | ${cell(n, 'gflops')} | ${cell(n, 'reference_gflops')} | ${times(ratio(n, 'gflops', n, 'reference_gflops'))} | ${cell(w, 'gflops')} | ${cell(w, 'reference_gflops')} | ${times(ratio(w, 'gflops', w, 'reference_gflops'))} | ${vs(native)}, ${vs(web)} |`);
  }
  lines.push('');
  if (baselineRoot) {
    lines.push(`## Against the baseline ${baselineRev} (${baselineCommit}), same run`, '');
    lines.push(`The baseline is checked out in a git worktree outside this tree (so this tree's cargo configuration does not apply to it) with its own CLI and browser bench module; its native benchmark ran right after this tree's, its benchmark page (served from the worktree) right after this tree's page, in the same browser. TF.js is the same code in both pages: its two figures show how much the machine drifted between the two page runs. "This tree" is the working tree as it is: every change since the baseline, not only the matrix kernel's.`, '');
    lines.push(`| figure | this tree | baseline ${baselineRev} | new / baseline |`, '|---|---|---|---|');
    const row = (label, a, b, d = 0) => lines.push(`| ${label} | ${fmt(a, d)} | ${fmt(b, d)} | ${times(a / b)} |`);
    for (const shape of ['100x784x256', '200x256x256', '100x1024x1024']) row(`matmul ${shape}, native GFLOP/s`, rate(mm(native, shape)), rate(mm(baseNative, shape)), 1);
    for (const shape of ['100x784x256', '200x256x256', '100x1024x1024']) row(`matmul ${shape}, browser GFLOP/s`, rate(mm(web, shape)), rate(mm(baseWeb, shape)), 1);
    row('100x1024x1024 / 100x784x256, native', ratio1024(native), ratio1024(baseNative), 2);
    row('100x1024x1024 / 100x784x256, browser', ratio1024(web), ratio1024(baseWeb), 2);
    for (const c of cases) {
      for (const r of ['NP', 'BP']) {
        row(`${c} ${r}, native samples/s`, nat(c, r)?.samples_per_s_median, baseNat(c, r)?.samples_per_s_median);
        row(`${c} ${r}, browser samples/s`, wb(c, r)?.samples_per_s_median, baseWb(c, r)?.samples_per_s_median);
      }
    }
    row('784-256-256-10 TF.js hand-written, browser samples/s (unchanged code: drift check)', tfHand784, baseWb('784-256-256-10', 'BP', 'tfjs-handwritten')?.samples_per_s_median);
    const baseProfile = find(baseNative, (x) => x.kind === 'profile');
    if (profile && baseProfile) {
      for (const [k, label] of [['step_ms', 'NP step (784-256-256-10), native ms'], ['forward_ms', 'forward, native ms'], ['update_ms', 'update, native ms']]) {
        lines.push(`| ${label} | ${fmt(profile[k], 2)} | ${fmt(baseProfile[k], 2)} | ${fmt(baseProfile[k] / profile[k], 2)}x faster |`);
      }
    }
    lines.push('');
  }
  if (profile) {
    lines.push('## Where an NP step goes (784-256-256-10, batch 100, native)', '');
    lines.push('Each phase timed alone (`np-playground bench`, last line).', '');
    lines.push('| phase | ms |', '|---|---|');
    lines.push(`| whole step | ${fmt(profile.step_ms, 2)} |`);
    lines.push(`| forward, clean + noisy pass stacked (products, activations) | ${fmt(profile.forward_ms, 2)} |`);
    lines.push(`| update G = S^T X / B and biases | ${fmt(profile.update_ms, 2)} |`);
    lines.push(`| noise generation (ziggurat) | ${fmt(profile.noise_ms, 2)} |`);
    lines.push(`| optimiser (Adam) | ${fmt(profile.optimiser_ms, 2)} |`);
    lines.push(`| per-sample losses | ${fmt(profile.losses_ms, 3)} |`);
    lines.push(`| matrix products alone at the measured native rate | ${fmt(npFlops * 100 / (mmNative?.gflops_median * 1e9) * 1000, 2)} |`);
    lines.push('');
  }
  lines.push('## The live page at full speed', '');
  lines.push('Speed "as fast as it goes", every plot visible, measured over the run after a 1 s warm-up.', '');
  lines.push('While training runs the page redraws one panel per animation frame in turn (charts, plane, unit maps or digits, activations, noise panel), and the worker prepares the next snapshot only when the page has taken the last one, so traffic follows what the page can draw.', '');
  lines.push('"Share of the headless rate" is the page\'s samples/s (steps/s x batch) over the headless benchmark page\'s samples/s for the same network and rule, measured earlier in this run: for `#v=1&data=mnist&rule=np` (784-256-256-10, batch 100, NP) against the benchmark\'s 784-256-256-10 NP figure. The page computes the alignment diagnostics (an extra backward pass) because its alignment chart is shown, the benchmark does not, and the page also snapshots and draws, so 100% is not expected. The other runs have no benchmark counterpart (–).', '');
  lines.push('| run | steps/s | share of the headless rate | frames/s (rAF) | redraws/s | snapshots/s | snapshot traffic | main-thread long tasks (ms) | longest redraw per panel (ms) | navigation to data-ready |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const l of [live, liveBig, liveDigits]) {
    const parts = Object.entries(l.drawMs ?? {}).map(([k, v]) => `${k} ${fmt(v, 0)}`).join(', ');
    const share = liveShare(l);
    lines.push(`| \`${l.fragment}\` | ${fmt(l.stepsPerS)} | ${share === undefined ? '–' : fmt(100 * share, 0) + '%'} | ${fmt(l.fps, 1)} | ${fmt(l.drawsPerS, 1)} | ${fmt(l.snapshotsPerS, 1)} | ${fmt(l.kbPerS, 0)} KiB/s | ${l.longTasks.length ? l.longTasks.join(', ') : 'none'} | ${parts} | ${fmt(l.readyMs, 0)} ms |`);
  }
  lines.push('');
  lines.push(...poolLines(pool));
  lines.push(`WebAssembly module: ${fmt(sizes.raw / 1024, 0)} KiB raw, ${fmt(sizes.gzip / 1024, 0)} KiB gzip (-9); JS glue ${fmt(sizes.js / 1024, 0)} KiB.`, '');
  lines.push('## What was done', '');
  lines.push('- One packed, cache-blocked matrix kernel for every product (B packed 256 rows at a time into column panels kept in L1; the forward product packs straight from the weights read through strides, with no transposed copy); each output element is the plain in-order sum, so the browser and the native runner stay bit-identical (the determinism tests compare both with the same golden checksums). Natively the same kernel body is also compiled for AVX (6 x 16 tiles of 256-bit vectors, no FMA) and chosen at run time when the CPU has it.');
  lines.push('- The clean and noisy passes are one stacked pass; the input layer\'s product is computed once and copied into every noisy pass (the input carries no noise); INP\'s pass for layer l starts at layer l.');
  lines.push('- No allocation in a training step: every buffer lives in the trainer\'s workspace and is resized only when a shape changes; the kernel packs into a reused thread-local buffer.');
  lines.push('- Noise from a ziggurat (one 32-bit draw, a multiply and a compare for ~99% of samples) instead of Box-Muller\'s log, sin and cos.');
  lines.push('- Decorrelation: `C R` as `X^T (X R) / B - diag(M) R`, O(B d^2) instead of O(d^3), and `x = R h` computed for the clean pass only in the input layer (noise enters later).');
  lines.push('- Alignment (an extra backward pass) runs only when shown, and on large networks on a schedule (every few steps, at most 3% of the work; the chart says how often); Adam uses the correctly rounded hardware square root.');
  lines.push('- The live page: while training runs, the figures above the curves come from the history\'s evaluations (each budgeted at 5% of the work), not from evaluations of their own; the checksum is computed when paused; at full speed snapshots take at most 4% of the worker\'s time; slices follow each other through a MessageChannel (a nested `setTimeout(0)` waits 4 ms).');
  lines.push("- The page's module is built for size at little cost in speed: LLVM's inline threshold 50 for wasm32 (the hot loops are `#[inline(always)]` kernels, closures and iterator adapters, which keep their inlining) and `wasm-opt -Oz`; the charts draw both y scales through one plotters coordinate type, and the module reads no JSON. Side by side with the revision before (d93a4ed, `BASELINE=d93a4ed QUICK=1 ./scripts/bench`): matmul 1.02x, 784-256-256-10 NP 0.99x, 64-32-10 NP 1.09x, 2-8-8-2 NP 0.92x in the browser; `opt-level = \"s\"` was measured and rejected (browser matmul 0.47x).");
  lines.push("- Per frame at full speed the page redraws one panel (each curve chart is a panel of its own), updates the noise panel's elements in place, reuses one scratch canvas per size, strokes the network's links as one path per quantised style and sets texts only when they change: main-thread busy time 116-150 ms/s against 181-183 ms/s before (CDP Performance.getMetrics, the soak's two-run spiral page, alternating runs).");
  lines.push('');
  return lines.join('\n');
}
