// What a large uploaded table costs the page's main thread (issue 17, item 3): uploads a CSV of
// about 19 MB (10,000 rows, the most a table may have, of 380 features and 2 classes), then
// presses Reset, New seed and changes a setting, and prints the longest main-thread task (PerformanceObserver
// 'longtask') during each, and how long until the page showed the new run.
// Usage: node scripts/upload-cost.mjs [rows=10000] [features=380]   (after ./scripts/demo has built the page)
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../tests/browser.mjs';
import { startServer } from './serve.mjs';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const rows = Number(process.argv[2] ?? 10_000);
const features = Number(process.argv[3] ?? 380);
const lines = [[...Array.from({ length: features }, (_, j) => `x${j}`), 'label'].join(',')];
for (let i = 0; i < rows; i++) {
  const x = Array.from({ length: features }, (_, j) => (0.5 + 0.5 * Math.sin(i * 0.37 + j * 1.3)).toFixed(2));
  lines.push(`${x.join(',')},${Math.sin(i * 0.37) > 0 ? 'up' : 'down'}`);
}
const csv = Buffer.from(lines.join('\n'));
// From a file on disk, so the browser reads it as a user's upload would (a buffer handed to
// Playwright is rebuilt inside the page by script, a long task of its own).
const file = join(mkdtempSync(join(tmpdir(), 'np-upload-')), 'big.csv');
writeFileSync(file, csv);
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
  await page.waitForFunction(done, null, { timeout: 120_000 }).catch(async (e) => {
    const seen = await page.evaluate(() => ({ hash: location.hash.slice(0, 120), busy: document.body.dataset.busy, problems: document.getElementById('data-problems').textContent, error: document.getElementById('control-error').textContent }));
    throw new Error(`${name}: not shown within 120 s: ${JSON.stringify(seen)}`, { cause: e });
  });
  await page.waitForTimeout(300);
  const r = await page.evaluate(() => ({ ms: performance.now() - window.t0, longest: Math.max(0, ...window.longTasks), count: window.longTasks.length }));
  console.log(`${name}: shown after ${Math.round(r.ms)} ms; main-thread tasks over 50 ms: ${r.count}, the longest ${Math.round(r.longest)} ms`);
}

console.log(`a table of ${rows.toLocaleString('en-US')} rows and ${features} features, ${(csv.length / 1e6).toFixed(1)} MB`);
await measure('upload', () => page.setInputFiles('#csv-file', file),
  () => location.hash.includes('data=upload') && document.body.dataset.busy === 'false');
await measure('Reset', () => page.click('#reset'), () => document.querySelector('[data-testid=step]').textContent === '0' && document.body.dataset.busy === 'false');
await measure('New seed', () => page.click('#new-seed'), () => !location.hash.includes('seed=1&') && document.body.dataset.busy === 'false');
await measure('a setting (lr 0.02)', async () => { await page.fill('#lr', '0.02'); await page.press('#lr', 'Enter'); },
  () => location.hash.includes('lr=0.02') && document.body.dataset.busy === 'false');
await browser.close();
server.close();
rmSync(dirname(file), { recursive: true, force: true });
