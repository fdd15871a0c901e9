// The soak test: trains the page at full speed for a chosen time with every panel on and one
// compared run, and records each minute the WebAssembly memory of the worker and of the main
// thread, the JS heap, the frame rate, the training rate and the main thread's long tasks.
// Usage: node scripts/soak.mjs [minutes=60] [fragment]   (after ./scripts/demo has built the page)
// Prints a Markdown table (the one in docs/engine.md) and exits non-zero if memory grew or a
// main-thread task took over 50 ms.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../tests/browser.mjs';
import { startServer } from './serve.mjs';

const minutes = Number(process.argv[2] ?? 60);
const fragment = process.argv[3] ?? '#v=1&data=spiral&rule=dinp&hidden=32,32&compare=anp';
const server = await startServer(0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
await page.goto(`${base}${fragment}`);
await page.waitForSelector('body[data-ready]');
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
const mb = (b) => (b / 2 ** 20).toFixed(1);
const rows = [];
let last = await sample();
console.error(`soak: ${minutes} min of ${fragment}`);
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
await browser.close();
server.close();

console.log(`| minute | step | steps/s | frames/s | worker wasm MiB | main wasm MiB | JS heap MiB | main-thread tasks over 50 ms (longest ms) |`);
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
process.exit(grew || long || errors.length ? 1 : 0);
