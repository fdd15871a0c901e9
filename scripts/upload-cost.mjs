// What a large uploaded table costs the page's main thread (issue 17, item 3): uploads a CSV of
// about 19 MB (200,000 rows of 8 features and 2 classes), then presses Reset, New seed and
// changes a setting, and prints the longest main-thread task (PerformanceObserver
// 'longtask') during each, and how long until the page showed the new run.
// Usage: node scripts/upload-cost.mjs [rows=200000]   (after ./scripts/demo has built the page)
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../tests/browser.mjs';
import { startServer } from './serve.mjs';

const rows = Number(process.argv[2] ?? 200_000);
const lines = ['a,b,c,d,e,f,g,h,label'];
for (let i = 0; i < rows; i++) {
  const x = Array.from({ length: 8 }, (_, j) => Math.sin(i * 0.37 + j * 1.3).toFixed(6));
  lines.push(`${x.join(',')},${Math.sin(i * 0.37) > 0 ? 'up' : 'down'}`);
}
const csv = Buffer.from(lines.join('\n'));
const server = await startServer(0);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(`http://127.0.0.1:${server.address().port}/#v=1&data=xor`);
await page.waitForSelector('body[data-ready]');
await page.evaluate(() => {
  window.longTasks = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push(e.duration); }).observe({ type: 'longtask' });
});

/** Runs `act`, waits until `done` holds in the page, and reports the longest main-thread task. */
async function measure(name, act, done) {
  await page.evaluate(() => { window.longTasks.length = 0; window.t0 = performance.now(); });
  await act();
  await page.waitForFunction(done, null, { timeout: 120_000 });
  await page.waitForTimeout(300);
  const r = await page.evaluate(() => ({ ms: performance.now() - window.t0, longest: Math.max(0, ...window.longTasks), count: window.longTasks.length }));
  console.log(`${name}: shown after ${Math.round(r.ms)} ms; main-thread tasks over 50 ms: ${r.count}, the longest ${Math.round(r.longest)} ms`);
}

console.log(`a table of ${rows.toLocaleString('en-US')} rows, ${(csv.length / 1e6).toFixed(1)} MB`);
await measure('upload', () => page.setInputFiles('#csv-file', { name: 'big.csv', mimeType: 'text/csv', buffer: csv }),
  () => location.hash.includes('data=upload') && document.body.dataset.busy === 'false');
await measure('Reset', () => page.click('#reset'), () => document.querySelector('[data-testid=step]').textContent === '0' && document.body.dataset.busy === 'false');
await measure('New seed', () => page.click('#new-seed'), () => !location.hash.includes('seed=1&') && document.body.dataset.busy === 'false');
await measure('a setting (lr 0.02)', async () => { await page.fill('#lr', '0.02'); await page.press('#lr', 'Enter'); },
  () => location.hash.includes('lr=0.02') && document.body.dataset.busy === 'false');
await browser.close();
server.close();
