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
