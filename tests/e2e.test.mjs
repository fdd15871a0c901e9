// End-to-end tests of the page: Playwright driving Debian's Chromium against the page served on
// 127.0.0.1. Needs the wasm build in www/pkg and the release CLI (scripts/test builds both).
// Tests wait for states (a step count, a settled pause, a URL), never for a fixed time, and every
// test fails on a console error, uncaught exception or CSP violation of any page it opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, settled, text, num, cliChecksum, waitForStep, SHOTS } from './page.mjs';

const h = harness();
const open = (...a) => h.open(...a);

test('play advances the step counter and the loss falls; screenshot mid-run', async () => {
  const page = await open('#v=1&data=xor&rule=inp');
  assert.equal(await text(page, 'step'), '0');
  const initialLoss = await num(page, 'train-loss');
  assert.ok(Number.isFinite(initialLoss), `initial loss shown: ${initialLoss}`);
  await page.selectOption('#speed', '100');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 1500, null, { timeout: 30000 });
  await page.screenshot({ path: `${SHOTS}page-mid-run.png`, fullPage: true });
  await page.click('#play'); // pause
  await settled(page);
  const loss = await num(page, 'train-loss');
  assert.ok(loss < 0.6 * initialLoss, `loss fell from ${initialLoss} to ${loss}`);
  assert.ok(await num(page, 'test-accuracy') > 0.8);
  // Paused means paused: a step now moves the count by exactly one.
  const stopped = Number(await text(page, 'step'));
  await page.click('#step');
  await waitForStep(page, stopped + 1);
  // The plots are not blank: the boundary canvas has both colours.
  const colours = await page.evaluate(() => {
    const c = document.getElementById('boundary');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let blue = 0, orange = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 2] > 150 && d[i] < 100) blue++;
      if (d[i] > 200 && d[i + 2] < 100) orange++;
    }
    return { blue, orange };
  });
  assert.ok(colours.blue > 1000 && colours.orange > 1000, JSON.stringify(colours));
});

test('at=N pauses at step N with the command-line runner\'s checksum', async () => {
  const config = 'v=1&data=spiral&rule=danp&hidden=8,8&draws=2';
  const page = await open(`#${config}&at=250`);
  await waitForStep(page, 250);
  await settled(page);
  assert.equal(await text(page, 'step'), '250', 'stays paused at N');
  assert.equal(await text(page, 'checksum'), cliChecksum(config, 250));
});

test('reset gives the same initial weights, new seed a new run; single step steps once', async () => {
  const page = await open('#v=1&data=circle&rule=anp');
  const initial = await text(page, 'checksum');
  await page.click('#step');
  await waitForStep(page, 1);
  assert.notEqual(await text(page, 'checksum'), initial);
  // The panel is drawn on the next animation frame after the step's snapshot.
  await page.waitForFunction(() => document.querySelectorAll('#probe .probe-layer').length === 3, null, { timeout: 5000 })
    .catch(() => assert.fail('the noise panel shows every layer after a step'));
  // The next step updates the panel in place: the same canvases, repainted, and the new figures.
  const first = await page.evaluate(() => {
    const c = document.querySelector('#probe .strip canvas');
    c.dataset.mark = 'kept';
    return { head: document.querySelector('#probe .probe-head').textContent, pixels: c.toDataURL() };
  });
  await page.click('#step');
  await waitForStep(page, 2);
  await page.waitForFunction((h) => document.querySelector('#probe .probe-head').textContent !== h, first.head);
  const second = await page.evaluate(() => {
    const c = document.querySelector('#probe .strip canvas');
    return { mark: c.dataset.mark, pixels: c.toDataURL() };
  });
  assert.equal(second.mark, 'kept', 'the noise panel keeps its elements from step to step');
  assert.notEqual(second.pixels, first.pixels, 'and repaints them with the new step');
  await page.click('#reset');
  await waitForStep(page, 0);
  assert.equal(await text(page, 'checksum'), initial);
  await page.click('#new-seed');
  await page.waitForFunction((c) => document.querySelector('[data-testid=checksum]').textContent !== c, initial);
  assert.match(page.url(), /seed=\d+/);
  assert.doesNotMatch(page.url(), /seed=1(&|$)/);
});

test('a reload of the copied link gives the same checksum', async () => {
  const page = await open('#v=1&data=moons&rule=dnp&seed=7');
  await page.selectOption('#speed', '10');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 120);
  await page.click('#play');
  await settled(page);
  const step = await text(page, 'step');
  const checksum = await text(page, 'checksum');
  await page.click('#copy-link');
  const url = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(url, new RegExp(`at=${step}$`));
  const again = await open(url.slice(h.base.length));
  await waitForStep(again, Number(step));
  assert.equal(await text(again, 'checksum'), checksum);
  await page.click('#copy-cli');
  const cmd = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(cmd, /^# dnp: checksum [0-9a-f]{16} at step \d+\ncargo run --release -- run 'v=1&data=moons&.*rule=dnp.*' --steps \d+ --json$/);
  assert.doesNotMatch(cmd, /pts=&/, 'no empty pts');
});

test('a malformed key is reported and left out, the rest of the link applies, and it trains', async () => {
  const page = await open('#v=1&data=xor&sigma=banana');
  const error = await text(page, 'config-error');
  assert.match(error, /sigma=banana/);
  assert.match(error, /left out/);
  assert.ok(await page.isVisible('[data-testid=config-error]'));
  assert.match(page.url(), /data=xor/, 'the rest of the link applies');
  assert.match(page.url(), /sigma=0.01/, 'the bad key takes its default');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) > 20);
});

test('hostile fragment text is shown as text, never inserted as HTML', async () => {
  const page = await open('#data=%3Cimg%20src%3Dx%20onerror%3D%22window.pwned%3D1%22%3E');
  assert.match(await text(page, 'config-error'), /<img src=x/);
  // The banner holds its text and the page's own "copy what was left out" button, nothing else.
  assert.equal(await page.locator('header img, #config-error *:not(button.link)').count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
});

test('controls write the URL; rules that cannot run say why', async () => {
  const page = await open('#v=1&data=xor&rule=np');
  await page.fill('#lr', '0.02');
  await page.press('#lr', 'Enter');
  await page.waitForFunction(() => location.hash.includes('lr=0.02'));
  await page.selectOption('#mode', 'blind');
  assert.match(await page.textContent('#control-error'), /mode=blind/);
  assert.doesNotMatch(page.url(), /mode=blind/, 'the invalid setting is not applied');
  assert.equal(await page.inputValue('#mode'), 'clean', 'the menu goes back to the mode in force');
  await page.selectOption('#rule', 'anp');
  await page.waitForFunction(() => location.hash.includes('rule=anp'));
  await page.selectOption('#mode', 'blind');
  await page.waitForFunction(() => location.hash.includes('rule=anp') && location.hash.includes('mode=blind'));
  assert.equal(await page.locator('#rule option[value=np]').isDisabled(), true);
  assert.match(await page.locator('#rule option[value=np]').getAttribute('title'), /eps/);
  await page.selectOption('#act', 'step');
  assert.equal(await page.locator('#rule option[value=bp]').isDisabled(), true);
  // +/- hidden layers.
  await page.click('#layer-add');
  await page.waitForFunction(() => location.hash.includes('hidden=8,8,8'));
  await page.click('#layer-remove');
  await page.click('#layer-remove');
  await page.waitForFunction(() => location.hash.includes('hidden=8&'));
  // Every control explains itself on focus.
  await page.focus('#sigma');
  assert.match(await page.textContent('#help'), /noise injected/);
});

test('divergence pauses the run and says what to try', async () => {
  const page = await open('#v=1&rule=bp&opt=sgd&lr=10&loss=mse&act=linear&hidden=32,32,32');
  await page.click('#play');
  await page.waitForSelector('[data-testid=diverged]:not([hidden])', { timeout: 20000 });
  assert.match(await text(page, 'diverged'), /learning rate/);
  assert.equal(await page.textContent('#play'), '▶ Play');
});

test('the main thread stays responsive while training at full speed', async () => {
  const page = await open('#v=1&data=spiral&rule=inp&hidden=16,16,16');
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longTasks.push(e.duration); }).observe({ type: 'longtask' });
    window.maxGap = 0;
    let last = performance.now();
    window.beat = setInterval(() => { const now = performance.now(); window.maxGap = Math.max(window.maxGap, now - last); last = now; }, 10);
  });
  await page.selectOption('#speed', 'max');
  const started = Date.now();
  await page.click('#play');
  // Measured over the first 3,000 steps at full speed.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 3000, null, { timeout: 30000 });
  const { longTasks, maxGap, step } = await page.evaluate(() => ({ longTasks: window.longTasks, maxGap: window.maxGap, step: Number(document.querySelector('[data-testid=step]').textContent) }));
  await page.click('#play');
  console.log(`full speed: ${step} steps in ${Date.now() - started} ms; main-thread long tasks ${JSON.stringify(longTasks.map(Math.round))}; largest timer gap ${Math.round(maxGap)} ms`);
  assert.ok(maxGap < 250, `a 10 ms timer waited ${maxGap} ms`);
  assert.ok(longTasks.every((d) => d < 250), `long tasks ${longTasks}`);
});


test('a comparison from the URL runs every rule from the identical seed', async () => {
  const base = 'v=1&data=xor&rule=np&hidden=8';
  const page = await open(`#${base}&compare=inp,anp:blind&at=120`);
  await waitForStep(page, 120);
  assert.equal(await page.locator('#boundaries figure').count(), 2, 'one extra decision boundary per compared rule');
  assert.match(await page.textContent('#boundaries'), /anp:blind/);
  assert.equal(await page.locator('#alignment-table tr').count(), 4, 'a header and three rules');
  // The page's own run is unchanged by the comparison beside it.
  assert.equal(await text(page, 'checksum'), cliChecksum(base, 120));
  assert.match(page.url(), /compare=inp,anp:blind/);
  await page.locator('#compare input[value=inp]').uncheck();
  await page.waitForFunction(() => location.hash.includes('compare=anp:blind') && !location.hash.includes('inp,'));
});

test('a bad compare item is named and left out; the rest compares', async () => {
  const page = await open('#v=1&data=xor&rule=anp&compare=np:blind,inp');
  assert.match(await text(page, 'config-error'), /compare=np:blind/);
  await page.waitForFunction(() => document.querySelectorAll('#boundaries figure').length === 1);
  assert.match(page.url(), /compare=inp(&|$)/);
});

test('lesson chapters are one click each from the menu and shareable', async () => {
  const page = await open('');
  await page.click('#lessons-box summary');
  await page.click('#lessons >> text=Noise you cannot see');
  await page.waitForFunction(() => location.hash.includes('compare=anp:blind') && location.hash.includes('lesson=blind'));
  await page.waitForFunction(() => document.querySelectorAll('#boundaries figure').length === 1);
  assert.ok(await page.isVisible('[data-testid=lesson]'));
  await page.click('#lessons-box summary');
  await page.click('#lessons >> text=Units only perturbation can train');
  await page.waitForFunction(() => location.hash.includes('act=step'));
  assert.equal(await page.locator('#rule option[value=bp]').isDisabled(), true);
});

test('data=mnist trains in the page and shows test digits with predictions', async () => {
  const page = await open('#v=1&data=mnist14&rule=bp&at=100');
  await waitForStep(page, 100);
  assert.ok(await page.isVisible('#digits-panel'));
  assert.ok(await page.isHidden('#plane-panel'));
  assert.equal(await page.locator('#digits figure').count(), 12);
  const acc = await num(page, 'test-accuracy');
  assert.ok(acc > 0.6, `BP on 14x14 digits after 100 steps: test accuracy ${acc}`);
  assert.match(page.url(), /hidden=128,128/, 'the digits get their own default network');
  assert.equal(await text(page, 'checksum'), cliChecksum('v=1&data=mnist14&rule=bp', 100));
});

test('drawn points train, travel in the link and come back', async () => {
  const page = await open('#v=1&data=xor');
  const box = await page.locator('#boundary').boundingBox();
  const at = (x, y) => ({ x: ((x + 1.5) / 3) * box.width, y: ((1.5 - y) / 3) * box.height });
  // Blue on the left, orange on the right.
  for (const [x, y] of [[-1, -1], [-1, 0], [-1, 1], [-0.8, 0.5], [-0.7, -0.5]]) await page.click('#boundary', { position: at(x, y) });
  assert.match(await page.textContent('#data-note'), /5 points of your own/);
  for (const [x, y] of [[1, -1], [1, 0], [1, 1], [0.8, 0.5], [0.7, -0.5]]) await page.click('#boundary', { position: at(x, y), modifiers: ['Shift'] });
  await page.waitForFunction(() => location.hash.includes('data=points') && /pts=1[A-Za-z0-9_-]+/.test(location.hash));
  assert.match(page.url(), /batch=[1-5]&/, 'the batch is capped at the training points');
  await page.click('#step');
  await waitForStep(page, 1);
  const url = page.url();
  const again = await open(url.slice(h.base.length));
  assert.equal(await text(again, 'config-error'), '');
  assert.equal(await again.evaluate(() => window.npStats.snapshots > 0), true);
  assert.match(again.url(), /data=points/);
  assert.equal(await text(again, 'checksum'), cliChecksum(new URL(url).hash.slice(1), 0));
  await page.click('#clear-points');
  await page.waitForFunction(() => location.hash.includes('data=circle'));
});

test('a malformed CSV gets a message per bad line; a large one exports and imports', async () => {
  const page = await open('#v=1&data=xor');
  await page.setInputFiles('#csv-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('x,y,label\n1,2,a\n3,oops,b\n4,5\n') });
  await page.waitForSelector('#data-problems li');
  const problems = await page.locator('#data-problems li').allTextContents();
  assert.ok(problems.some((p) => /line 3/.test(p) && /oops/.test(p)), problems.join(' | '));
  assert.ok(problems.some((p) => /line 4/.test(p)), problems.join(' | '));
  assert.match(page.url(), /data=xor/, 'the run keeps its data');
  // Three features: too much for a link.
  const rows = ['a,b,c,label'];
  for (let i = 0; i < 300; i++) rows.push(`${Math.sin(i)},${Math.cos(i)},${(i % 7) / 7},${Math.sin(i) > 0 ? 'up' : 'down'}`);
  await page.setInputFiles('#csv-file', { name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await page.waitForFunction(() => location.hash.includes('data=upload'));
  assert.match(await page.textContent('#data-note'), /too large for a link/);
  await page.click('#step');
  await waitForStep(page, 1);
  await page.click('#step');
  await waitForStep(page, 2);
  const checksum = await text(page, 'checksum');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-run')]);
  const file = await download.path();
  const other = await open('#v=1&data=circle');
  await other.setInputFiles('#import-file', file);
  await waitForStep(other, 2);
  assert.equal(await text(other, 'checksum'), checksum);
  await other.setInputFiles('#import-file', { name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"something"}') });
  await other.waitForSelector('#data-problems li');
  assert.match(await other.locator('#data-problems').textContent(), /not a run exported by NP Playground/);
});
