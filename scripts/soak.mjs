// The soak test: trains the page at full speed for a chosen time with every panel on, a third of
// it each on a comparison, on drawn points and on an uploaded table, and records each minute the WebAssembly memory of the worker and of the main
// thread, the JS heap, the frame rate, the training rate and the main thread's long tasks.
// Usage: node scripts/soak.mjs [minutes=60] [fragment]   (after ./scripts/demo has built the page)
// Prints a Markdown table per panel (as in docs/engine.md) and exits non-zero if memory grew or a
// main-thread task took over 50 ms.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../tests/browser.mjs';
import { startServer } from './serve.mjs';

const minutes = Number(process.argv[2] ?? 60);
// Three panels in turn, a third of the time each: a comparison (or the fragment given), a run on
// points drawn by clicking the plane, and a run on an uploaded table (issue 17: the learner's own
// data must hold up as long as the generated sets).
const given = process.argv[3];
const PANELS = given ? [{ name: given, fragment: given }] : [
  { name: 'comparison', fragment: '#v=1&data=spiral&rule=dinp&hidden=32,32&compare=anp' },
  { name: 'drawn points', fragment: '#v=1&data=xor&hidden=16,16&rule=np', setup: drawPoints },
  { name: 'uploaded table', fragment: '#v=1&data=xor&rule=anp&compare=np', setup: uploadTable },
];
const server = await startServer(0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
});
const errors = [];
const mb = (b) => (b / 2 ** 20).toFixed(1);

/** Twelve points of two classes, clicked on the plane. */
async function drawPoints(page) {
  const box = await page.locator('#boundary').boundingBox();
  for (let i = 0; i < 12; i++) {
    if (i === 6) await page.check('input[name=draw-class][value="0"]');
    const x = (i < 6 ? -0.8 : 0.8) + 0.1 * (i % 3);
    const y = -0.9 + 0.35 * (i % 6);
    await page.locator('#boundary').click({ position: { x: ((x + 1.5) / 3) * box.width, y: ((1.5 - y) / 3) * box.height } });
  }
  await page.waitForFunction(() => location.hash.includes('data=points'));
}

/** A table of 2,000 rows, 3 features and 3 classes, uploaded. */
async function uploadTable(page) {
  const lines = ['a,b,c,label'];
  for (let i = 0; i < 2000; i++) lines.push(`${Math.sin(i)},${Math.cos(1.7 * i)},${Math.sin(0.3 * i) * Math.cos(i)},k${i % 3}`);
  await page.setInputFiles('#csv-file', { name: 'soak.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await page.waitForFunction(() => location.hash.includes('data=upload'));
}

let failed = false;
for (const panel of PANELS) {
  const span = Math.max(1, Math.round(minutes / PANELS.length));
  const rows = await soak(panel, span);
  failed = report(panel, rows) || failed;
}
await browser.close();
server.close();
process.exit(failed ? 1 : 0);

async function soak(panel, minutes) {
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
page.on('pageerror', (e) => errors.push(e.message));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
await page.goto(`${base}${panel.fragment}`);
await page.waitForSelector('body[data-ready]');
await panel.setup?.(page);
await page.evaluate(() => {
  window.soak = { longTasks: [], frames: 0 };
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.soak.longTasks.push(e.duration); }).observe({ type: 'longtask' });
  const tick = () => { window.soak.frames++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
});
await page.selectOption('#speed', 'max');
await page.click('#play');
const sample = () => page.evaluate(() => ({
  t: performance.now(),
  step: Number(document.querySelector('[data-testid=step]').textContent),
  frames: window.soak.frames,
  worker: window.npStats.memory?.worker ?? 0,
  main: window.npStats.memory?.main ?? 0,
  heap: performance.memory?.usedJSHeapSize ?? 0,
  longTasks: window.soak.longTasks.splice(0),
}));
const rows = [];
let last = await sample();
console.error(`soak: ${minutes} min of ${panel.name} (${panel.fragment})`);
for (let m = 1; m <= minutes; m++) {
  await page.waitForTimeout(60_000);
  const now = await sample();
  const s = (now.t - last.t) / 1000;
  const row = {
    minute: m, step: now.step, stepsPerS: (now.step - last.step) / s, fps: (now.frames - last.frames) / s,
    worker: now.worker, main: now.main, heap: now.heap, longest: Math.max(0, ...now.longTasks), long: now.longTasks.length,
  };
  rows.push(row);
  console.error(`minute ${m}: ${JSON.stringify(row)}`);
  last = now;
}
await page.close();
return rows;
}

function report(panel, rows) {
console.log(`\n### ${panel.name}\n\n| minute | step | steps/s | frames/s | worker wasm MiB | main wasm MiB | JS heap MiB | main-thread tasks over 50 ms (longest ms) |`);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.minute} | ${r.step.toLocaleString('en-US')} | ${Math.round(r.stepsPerS).toLocaleString('en-US')} | ${r.fps.toFixed(1)} | ${mb(r.worker)} | ${mb(r.main)} | ${mb(r.heap)} | ${r.long ? `${r.long} (${Math.round(r.longest)})` : 'none'} |`);
}
const first = rows[Math.min(1, rows.length - 1)];
const end = rows.at(-1);
// The JS heap is a sawtooth (allocation, then collection): two single samples can differ 10x on
// a flat heap, so it is compared by its floor, the lowest sample of the first and of the last
// sixth of the run (minute 1, the start-up, left out).
const span = Math.max(1, Math.floor(rows.length / 6));
const floor = (part) => Math.min(...part.map((r) => r.heap));
const heapStart = floor(rows.slice(1, 1 + span).length ? rows.slice(1, 1 + span) : rows);
const heapEnd = floor(rows.slice(-span));
const grew = end.worker > first.worker || end.main > first.main || heapEnd > 1.5 * heapStart;
const long = rows.some((r) => r.long > 0);
console.log(`\nWorker wasm memory ${mb(first.worker)} -> ${mb(end.worker)} MiB, main ${mb(first.main)} -> ${mb(end.main)} MiB, JS heap floor ${mb(heapStart)} -> ${mb(heapEnd)} MiB (lowest of the first and last ${span} minute${span > 1 ? 's' : ''}); ${long ? 'long tasks seen' : 'no main-thread task over 50 ms'}; ${errors.length} page errors.`);
return grew || long || errors.length > 0;
}
