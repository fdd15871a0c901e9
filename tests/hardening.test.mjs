// No link, upload or diverging run can freeze or break the page: the reproducers of the
// hardening issue, each a test. Same harness as the page tests (console errors, uncaught
// exceptions and CSP violations fail a test unless it expects them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, inked, settled, stopped, text, waitForStep } from './page.mjs';

const h = harness();
const open = (...a) => h.open(...a);

test('a link asking for gigabytes and minutes per step is refused at once, naming the setting', async () => {
  const started = Date.now();
  const page = await open('#v=1&n=10000&hidden=1024,1024,1024,1024,1024,1024,1024,1024&rule=dnp&draws=64&batch=31&at=10000000');
  const error = await text(page, 'config-error');
  assert.match(error, /too large/);
  assert.match(error, /limit/);
  assert.match(error, /hidden=1024|batch=31|draws=64/);
  assert.ok(Date.now() - started < 10000, `ready in ${Date.now() - started} ms`);
  // The rest of the link applies (a small network at its own defaults) and the page trains.
  assert.doesNotMatch(page.url(), /hidden=1024/);
  // (Its at=10000000 replays the default run: Stop ends the replay, which Reset would restart.)
  await page.click('#replay-stop');
  await page.click('#reset');
  await page.click('#step');
  await waitForStep(page, 1);
  const big = await open('#v=1&data=mnist&hidden=1,1,1,1,1,1,1,1&rule=inp&draws=64&batch=1024&at=2');
  await waitForStep(big, 2);
});

test('the slowest accepted run obeys Pause and a new configuration within a step', async () => {
  // 784-768-768-10, batch 100, alignment on: just under the work limit (np-playground cost).
  const page = await open('#v=1&data=mnist&rule=np&hidden=768,768');
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 3, null, { timeout: 60000 });
  const t0 = Date.now();
  await page.click('#play'); // pause
  await stopped(page, 20000);
  const paused = Date.now() - t0;
  await settled(page, 60000);
  const evaluated = Date.now() - t0;
  const step = Number(await text(page, 'step'));
  // A new configuration replaces the runs just as fast.
  const t1 = Date.now();
  await page.click('#reset');
  await waitForStep(page, 0);
  const reset = Date.now() - t1;
  console.log(`slowest accepted run: training stopped ${paused} ms after Pause (at step ${step}), its evaluation of that step done after ${evaluated} ms; reset in ${reset} ms`);
  assert.ok(paused < 1000, `pause took ${paused} ms`);
  assert.ok(reset < 3000, `reset took ${reset} ms`);
});

test('the largest accepted run stays within the memory limit in the worker', async () => {
  // 2-1024x8-2 with decorrelation, batch 2: about 225 MB by the cost model (np-playground cost),
  // the most memory any single accepted link asks for. Its plane view is skipped (too large to
  // map), which on wasm32 once overflowed and mapped a 64 x 64 grid through it (515 MiB more).
  const page = await open('#v=1&data=circle&rule=dinp&hidden=1024,1024,1024,1024,1024,1024,1024,1024&batch=2');
  assert.equal(await text(page, 'config-error'), '');
  await page.click('#step');
  await waitForStep(page, 1);
  const memory = await page.evaluate(() => window.npStats.memory.worker);
  const limit = 512 * 2 ** 20; // cost::MAX_BYTES
  console.log(`largest accepted run: worker wasm memory ${(memory / 2 ** 20).toFixed(0)} MiB`);
  assert.ok(memory > 100 * 2 ** 20 && memory <= limit, `worker memory ${memory} bytes`);
});

test('a finite blow-up (loss 1e38 on a log axis) pauses with the banner and every chart still draws', async () => {
  const page = await open('#v=1&loss=mse&act=tanh&rule=bp&opt=sgd&lr=3&seed=2&at=20');
  // The loss first climbs (a warning: the link's replay goes on), then leaves 1e6 (it stops).
  await page.waitForFunction(() => /above 1e6|blew up/.test(document.querySelector('[data-testid=diverged]').textContent), null, { timeout: 20000 });
  await settled(page);
  assert.equal(await page.isChecked('#log-scale'), true);
  for (const id of ['loss-chart', 'accuracy-chart', 'alignment-chart']) assert.ok(await inked(page, id) > 500, `${id} drew`);
  // The linear axis too.
  await page.uncheck('#log-scale');
  assert.ok(await inked(page, 'loss-chart') > 500);
  // Nothing is stuck: a new run trains.
  await page.click('#new-seed');
  await page.click('#step');
  await waitForStep(page, 1);
});

test('a panic in the worker is shown and the worker replaced; a panic in the chart engine too', async () => {
  const page = await open('#v=1&data=xor&rule=np', { allow: /test panic|engine panic|unreachable/ });
  await page.click('#step');
  await waitForStep(page, 1);
  await page.evaluate(() => window.npTest.panicWorker());
  await page.waitForSelector('#engine-error:not([hidden])');
  assert.match(await page.textContent('#engine-error'), /training engine stopped.*test panic in the worker.*restarted/s);
  await waitForStep(page, 0);
  await page.click('#step');
  await waitForStep(page, 1);
  await page.evaluate(() => window.npTest.panicCharts());
  await page.waitForFunction(() => /chart engine stopped/.test(document.getElementById('engine-error').textContent));
  // The re-created instance draws.
  await page.click('#step');
  await waitForStep(page, 2);
  await settled(page);
  assert.ok(await inked(page, 'loss-chart') > 500);
});

test('a stray % in the fragment is refused with the usual message, and %25 is decoded once', async () => {
  for (const fragment of ['#%', '#%E0%A4%A', '#v=1&data=xor%']) {
    const page = await open(fragment);
    assert.match(await text(page, 'config-error'), /%-escape/, fragment);
    await page.click('#step');
    await waitForStep(page, 1);
  }
  const page = await open('#v=1&seed=%2531');
  assert.match(await text(page, 'config-error'), /seed=%31/);
});

test('uploads that cannot run are refused with what to change; the run keeps its data', async () => {
  const page = await open('#v=1&data=xor');
  const rows = ['x,label'];
  for (let i = 0; i < 40; i++) rows.push(`${i / 40},${i % 2 ? 'a' : 'b'}`);
  await page.setInputFiles('#csv-file', { name: 'one.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await page.waitForSelector('#data-problems li');
  assert.match(await page.textContent('#data-problems'), /only one feature column.*at least 2/);
  // 12 rows of 3 features: 6 train, a batch of 10 cannot fit.
  const small = ['a,b,c,label'];
  for (let i = 0; i < 12; i++) small.push(`${i},${i * 2},${i % 3},${i % 2 ? 'u' : 'v'}`);
  await page.fill('#batch', '10');
  await page.press('#batch', 'Enter');
  await page.waitForFunction(() => location.hash.includes('batch=10'));
  await page.setInputFiles('#csv-file', { name: 'small.csv', mimeType: 'text/csv', buffer: Buffer.from(small.join('\n')) });
  await page.waitForFunction(() => /small.csv was not used/.test(document.getElementById('data-problems').textContent));
  assert.match(await page.textContent('#data-problems'), /batch=10.*6 training samples.*lower batch/);
  assert.match(page.url(), /data=xor/, 'the run keeps its data');
  // Many bad lines: the first 20 and a count.
  const bad = ['x,y,label', ...Array.from({ length: 50 }, () => '1,oops,a')];
  await page.setInputFiles('#csv-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad.join('\n')) });
  await page.waitForFunction(() => /more problems/.test(document.getElementById('data-problems').textContent));
  assert.equal(await page.locator('#data-problems li').count(), 1 + 20 + 1);
  // A run file over the size limit is refused before it is read.
  const huge = Buffer.alloc(41_000_000, 32);
  await page.setInputFiles('#import-file', { name: 'huge.json', mimeType: 'application/json', buffer: huge });
  await page.waitForFunction(() => /huge.json is 41.0 MB/.test(document.getElementById('data-problems').textContent));
});

test('the page runs under its Content-Security-Policy, and a violation would fail the test', async () => {
  const page = await open('#v=1&data=xor&rule=danp&compare=inp', { allow: /inline script/ });
  const csp = await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /object-src 'none'/);
  await page.click('#step');
  await waitForStep(page, 1);
  await settled(page);
  assert.ok(await inked(page, 'loss-chart') > 500, 'charts draw under the policy');
  // The harness sees violations: an inline script is refused and recorded.
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.injected = 1';
    document.body.append(s);
  });
  assert.equal(await page.evaluate(() => window.injected), undefined);
  const violations = await page.evaluate(() => window.npCspViolations.splice(0));
  assert.ok(violations.some((v) => /script-src/.test(v)), JSON.stringify(violations));
});
