// Compare's rules on the run pool (issue 19): with `workers=2` a compare's rules train on two
// workers, and every run's checksum is the same as with one worker and as the command line's;
// a link's replay lands on the CLI's checksums; Pause, Step and Reset keep every run on the same
// step; the curves of every compared rule are drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, cliChecksum, settled, text, waitForStep } from './page.mjs';

const h = harness();
const open = (...a) => h.open(...a);

const BASE = 'v=1&data=spiral&hidden=8,8&rule=np&seed=3';
const COMPARE = `${BASE}&compare=inp,anp,bp&seeds=2`;

/** Every run of the page (rules over seeds, in order): {rule, step, checksum, config}. */
const runs = (page) => page.evaluate(() => window.npTest.runs());
/** How many workers train the page's runs (1: the page's own alone). */
const workers = (page) => page.evaluate(() => window.npTest.workers());

async function checksumsAt(workersN, at) {
  const page = await open(`#${COMPARE}&workers=${workersN}&at=${at}`);
  await waitForStep(page, at);
  await settled(page);
  const got = await runs(page);
  const n = await workers(page);
  await page.context().close();
  return { got, n };
}

test('a compare over seeds on two workers gives every run the checksum of one worker and of the CLI', async () => {
  const at = 137;
  const one = await checksumsAt(1, at);
  const two = await checksumsAt(2, at);
  assert.equal(one.n, 1);
  assert.equal(two.n, 2, 'the rules are split over two workers');
  assert.equal(two.got.length, 8, 'four rules, two seeds each');
  assert.deepEqual(two.got, one.got);
  for (const r of two.got) {
    assert.equal(r.step, at, `${r.rule} landed on ${at}`);
    assert.equal(r.checksum, cliChecksum(r.config, at), `${r.rule}: ${r.config}`);
  }
});

test('Pause, Step and Reset keep every run on the same step on two workers; every rule\'s curve is drawn', async () => {
  const page = await open(`#${COMPARE}&workers=2`);
  await page.click('[data-testid=play]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) > 300);
  await page.click('[data-testid=play]');
  await settled(page);
  let got = await runs(page);
  const step = got[0].step;
  assert.ok(step > 300);
  assert.deepEqual(got.map((r) => r.step), got.map(() => step), 'paused: every run on one step');
  assert.equal(await text(page, 'step'), String(step));
  for (const r of [got[0], got[got.length - 1]]) assert.equal(r.checksum, cliChecksum(r.config, step), r.rule);
  // Step: one more step for every run.
  await page.click('#step');
  await waitForStep(page, step + 1);
  await settled(page);
  got = await runs(page);
  assert.deepEqual(got.map((r) => r.step), got.map(() => step + 1));
  assert.equal(got.at(-1).checksum, cliChecksum(got.at(-1).config, step + 1));
  // The curves of every compared rule: one loss series per rule.
  const names = await page.evaluate(() => window.npTest.lossCurves());
  assert.deepEqual(names, ['np', 'inp', 'anp', 'bp']);
  // Reset: every run back at step 0, then Step keeps them together.
  await page.click('#reset');
  await waitForStep(page, 0);
  await settled(page);
  await page.click('#step');
  await waitForStep(page, 1);
  await settled(page);
  got = await runs(page);
  assert.deepEqual(got.map((r) => r.step), got.map(() => 1));
  assert.equal(await workers(page), 2);
});

test('Stop during a compare\'s replay on two workers leaves every run on one step with the CLI\'s checksum', async () => {
  const page = await open(`#${COMPARE}&workers=2&at=10000000`);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) > 500, null, { timeout: 30000 });
  await page.click('#replay-stop');
  await settled(page);
  const got = await runs(page);
  const step = got[0].step;
  assert.ok(step > 500 && step < 10000000);
  assert.deepEqual(got.map((r) => r.step), got.map(() => step), 'every run on one step');
  assert.equal(await text(page, 'step'), String(step));
  for (const r of [got[0], got[3], got[got.length - 1]]) assert.equal(r.checksum, cliChecksum(r.config, step), r.rule);
  // Step while training: every run stops on one step.
  await page.click('[data-testid=play]');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=step]').textContent) > n + 200, step);
  await page.click('#step');
  await settled(page);
  const after = await runs(page);
  assert.deepEqual(after.map((r) => r.step), after.map(() => after[0].step));
  assert.ok(after[0].step > step + 200);
});

// Seeds' copies on the run pool: the runs are split run by run, so one rule's seeds (or a rule of
// a compare) may train on two workers; the page merges their curves into the ones it shows with
// one worker, number for number.

/** Every chart's series as drawn ({name, x, y, lo, hi} as plain arrays, so NaN equals NaN and -0
 *  is not 0 under deepStrictEqual) and each rule's last alignment per layer when comparing. */
const curvesOf = (page) => page.evaluate(() => {
  const c = window.npTest.curves();
  const plain = (v) => (v ? Array.from(v) : null);
  const out = {};
  for (const name of ['loss', 'accuracy', 'alignment', 'correlation']) {
    out[name] = c[name].map((s) => ({ name: s.name, x: plain(s.x), y: plain(s.y), lo: plain(s.lo), hi: plain(s.hi) }));
  }
  out.alignmentLayers = c.alignmentLayers ?? null;
  return out;
});

/** The page at `fragment` with `workers=N`, replayed to step `at` and paused there: its runs,
 *  curves, and how many runs each worker holds. */
async function pausedAt(fragment, workersN, at) {
  const page = await open(`#${fragment}&workers=${workersN}&at=${at}`);
  await waitForStep(page, at);
  await settled(page);
  const out = { runs: await runs(page), curves: await curvesOf(page), held: await page.evaluate(() => window.npTest.held()) };
  await page.context().close();
  return out;
}

/** The same page with one worker and with two: every run's checksum the CLI's, the curves equal. */
async function sameOnTwo(fragment, at, held) {
  const one = await pausedAt(fragment, 1, at);
  const two = await pausedAt(fragment, 2, at);
  assert.deepEqual(one.held, [held[0] + held[1]], 'one worker holds every run');
  assert.deepEqual(two.held, held, 'the runs are split over two workers');
  assert.deepEqual(two.runs, one.runs);
  for (const r of two.runs) {
    assert.equal(r.step, at, `${r.rule} landed on ${at}`);
    assert.equal(r.checksum, cliChecksum(r.config, at), `${r.rule}: ${r.config}`);
  }
  assert.ok(one.curves.loss.length && one.curves.loss.every((s) => s.x.length > 5 && s.lo), 'bands over seeds');
  assert.deepStrictEqual(two.curves, one.curves);
  return one;
}

test('one rule over four seeds on two workers: each holds two seeds; checksums and curves (mean and band) as with one worker', async () => {
  const one = await sameOnTwo('v=1&data=spiral&hidden=8,8&rule=np&seed=3&seeds=4', 137, [2, 2]);
  assert.deepEqual(one.runs.map((r) => r.rule), ['np', 'np', 'np', 'np']);
  assert.deepEqual(one.curves.loss.map((s) => s.name), ['train', 'test']);
  assert.ok(one.curves.alignment.length > 1, 'the alignment of every layer');
});

test('a compare over three seeds on two workers splits a rule\'s seeds; checksums, curves and last alignments as with one worker', async () => {
  const one = await sameOnTwo('v=1&data=spiral&hidden=8,8&rule=np&seed=3&compare=inp,bp&seeds=3&xaxis=passes', 137, [4, 5]);
  assert.deepEqual(one.curves.loss.map((s) => s.name), ['np', 'inp', 'bp']);
  assert.equal(one.curves.alignmentLayers.length, 3);
  assert.ok(one.curves.alignmentLayers.every((r) => r.values.some(Number.isFinite)));
});

test('one rule\'s seeds on two workers: Play, Pause and Step settle every seed on one step; the curves then equal a one-worker replay to that step', async () => {
  const fragment = 'v=1&data=spiral&hidden=8,8&rule=np&seed=3&seeds=4';
  const page = await open(`#${fragment}&workers=2`);
  assert.deepEqual(await page.evaluate(() => window.npTest.held()), [2, 2]);
  await page.click('[data-testid=play]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) > 300);
  await page.click('[data-testid=play]');
  await settled(page);
  const step = Number(await text(page, 'step')) + 1;
  assert.ok(step > 300);
  await page.click('#step');
  await waitForStep(page, step);
  await settled(page);
  const got = await runs(page);
  assert.deepEqual(got.map((r) => r.step), got.map(() => step), 'paused: every seed on one step');
  assert.equal(await text(page, 'step'), String(step));
  assert.equal(got.at(-1).checksum, cliChecksum(got.at(-1).config, step), 'the last seed, on the second worker');
  // The page's own run keeps its views on the page's own worker.
  assert.ok(await page.evaluate(() => Boolean(window.npTest.diagram().diagram)), 'the network diagram of the page\'s own run');
  const curves = await curvesOf(page);
  const one = await pausedAt(fragment, 1, step);
  assert.deepEqual(one.runs, got);
  assert.deepStrictEqual(curves, one.curves);
});

test('a compare on the digits over two workers: the other worker gets the digits; every run the CLI\'s checksum', async () => {
  const at = 12;
  const two = await pausedAt('v=1&data=mnist&hidden=16&rule=np&compare=bp', 2, at);
  assert.deepEqual(two.held, [1, 1]);
  assert.equal(two.runs.length, 2);
  for (const r of two.runs) {
    assert.equal(r.step, at, `${r.rule} landed on ${at}`);
    assert.equal(r.checksum, cliChecksum(r.config, at), `${r.rule}: ${r.config}`);
  }
});
