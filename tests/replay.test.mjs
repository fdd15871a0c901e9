// A replay you can see, and heavy links that answer: the reproducers of issue 16 (4) and issue
// 17 (4, 5) as page tests. A link with `at=N` shows where it heads while it replays; Play, Step
// and Reset pressed meanwhile never overrun or lose it (it lands on N, pauses and shows the
// command-line runner's checksum); Stop ends it at once; a link whose evaluation takes tens of
// seconds still obeys every command within a second or two and says how far the evaluation is.
// Bounds on time here are generous and about responsiveness, never speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, cliChecksum, settled, stopped, text, waitForStep, SHOTS } from './page.mjs';

const h = harness();
const open = (...a) => h.open(...a);

const EIGHT = 'hidden=1024,1024,1024,1024,1024,1024,1024,1024';
const replayShown = (page) => page.isVisible('[data-testid=replay]');
const stepNow = async (page) => Number(await text(page, 'step'));
/** A click that reaches a button even while it is disabled (as a impatient learner's would:
 *  the browser drops it) and one dispatched to its listeners regardless. */
async function pressAnyway(page, selector) {
  await page.click(selector, { force: true });
  await page.$eval(selector, (b) => b.dispatchEvent(new MouseEvent('click', { bubbles: true })));
}

test('a replay shows where it heads and lands on N with the CLI\'s checksum; Play pressed meanwhile never overruns it', async () => {
  // The reproducer: Play during this replay went on to 53,869 and never showed the checksum.
  const config = 'v=1&data=circle&rule=np&seed=7';
  const at = 52146;
  const page = await open(`#${config}&compare=bp,inp,anp&seeds=3&xaxis=passes&at=${at}`);
  assert.ok(await replayShown(page), 'the indicator is up while the replay runs');
  assert.match(await text(page, 'replay'), /replaying to step 52,146/);
  assert.doesNotMatch(await text(page, 'play'), /Play/, 'the button never reads Play while training runs');
  assert.ok(await page.isDisabled('#play') && await page.isDisabled('#step'));
  assert.match(await page.getAttribute('#play', 'title'), /replays its run to step 52,146 first/);
  // The time left, once measured.
  await page.waitForFunction(() => /about \d+ (s|min) left/.test(document.getElementById('replay-text').textContent), null, { timeout: 30000 });
  await pressAnyway(page, '#play');
  await page.keyboard.press('Space');
  await waitForStep(page, at, 120000);
  await settled(page, 60000);
  assert.equal(await text(page, 'step'), String(at), 'it landed on N and stayed there');
  assert.equal(await text(page, 'checksum'), cliChecksum(config, at));
  assert.equal(await replayShown(page), false, 'the indicator is gone once the replay landed');
  assert.match(await text(page, 'play'), /Play/);
  assert.ok(!(await page.isDisabled('#play')));
  // After landing Play goes on as usual.
  await page.click('#play');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=step]').textContent) > n, at);
  await page.click('#play');
  await stopped(page);
});

test('Step and Reset pressed during a replay: the run still lands on N with the CLI\'s checksum', async () => {
  const config = 'v=1&data=spiral&rule=danp&hidden=16,16&draws=2';
  const at = 100000;
  const page = await open(`#${config}&at=${at}`);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) > 2000, null, { timeout: 60000 });
  assert.ok(await replayShown(page), 'still replaying');
  await pressAnyway(page, '#step');
  const before = await stepNow(page);
  assert.ok(before < at, `still replaying at ${before}`);
  // Reset starts the link again: back to the start, and on to the same step.
  await page.click('#reset');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=step]').textContent) < n, before, { timeout: 20000 });
  assert.ok(await replayShown(page), 'the replay goes on after Reset');
  assert.match(await text(page, 'replay'), /replaying to step 100,000/);
  await waitForStep(page, at, 120000);
  await settled(page, 60000);
  assert.equal(await text(page, 'checksum'), cliChecksum(config, at));
  assert.equal(await replayShown(page), false);
  assert.match(page.url(), /danp/);
  // Reset after the replay landed goes back to step 0 as always.
  await page.click('#reset');
  await waitForStep(page, 0);
  await settled(page);
  assert.equal(await replayShown(page), false);
});

test('a replay that would take days says how long and Stop ends it at once, on a real step', async () => {
  // Issue 17's link: it trained for days while the button read Play.
  const config = `v=1&data=circle&rule=dinp&${EIGHT}&batch=2`;
  const page = await open(`#${config}&at=10000000`, { viewport: { width: 1440, height: 900 } });
  assert.ok(await replayShown(page));
  assert.match(await text(page, 'replay'), /replaying to step 10,000,000/);
  await page.waitForFunction(() => /about \d+ (days|years|hours) left \([\d.]+ m?s a step\)/.test(document.getElementById('replay-text').textContent), null, { timeout: 60000 });
  assert.doesNotMatch(await text(page, 'play'), /Play/);
  await page.locator('header').screenshot({ path: `${SHOTS}replay-long-1440.png` });
  const t0 = Date.now();
  await page.click('#replay-stop');
  await stopped(page, 10000);
  const ms = Date.now() - t0;
  console.log(`Stop during the 8 x 1,024 replay obeyed after ${ms} ms`);
  assert.ok(ms < 3000, `Stop took ${ms} ms`);
  assert.equal(await replayShown(page), false);
  assert.match(await text(page, 'play'), /Play/);
  const step = await stepNow(page);
  assert.ok(step > 0 && step < 1000, `stopped at step ${step}`);
  await page.waitForFunction(() => /^[0-9a-f]{16}$/.test(document.querySelector('[data-testid=checksum]').textContent));
  assert.equal(await text(page, 'checksum'), cliChecksum(config, step), 'Stop lands on a step the CLI reproduces');
  // It stays stopped: a Step now moves it by exactly one.
  await page.click('#step');
  await waitForStep(page, step + 1, 20000);
});

test('the heaviest digits link answers Pause, Play and Step within seconds and shows the evaluation\'s progress', async () => {
  // 784-1024x8-10 with R, batch 1: evaluating its 4,000 samples takes tens of seconds; Pause
  // took 62-72 s to settle, Play 12-15 s and each Step 8-9 s to show a step.
  const page = await open(`#v=1&data=mnist&rule=dinp&${EIGHT}&batch=1`);
  const progress = page.locator('#eval-progress');
  await page.waitForFunction(() => /evaluating step 0: [\d.]+%/.test(document.getElementById('eval-progress').textContent) && !document.getElementById('eval-progress').hidden, null, { timeout: 30000 });
  let t0 = Date.now();
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 1, null, { timeout: 30000 });
  const play = Date.now() - t0;
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 3, null, { timeout: 60000 });
  t0 = Date.now();
  await page.click('#play');
  await stopped(page, 10000);
  const pause = Date.now() - t0;
  // Paused, the current step is evaluated: the page says how far it is.
  await page.waitForFunction(() => /evaluating step \d+: [\d.]+%/.test(document.getElementById('eval-progress').textContent) && !document.getElementById('eval-progress').hidden, null, { timeout: 10000 });
  assert.match(await progress.textContent(), /evaluating step [\d,]+: [\d.]+%$/);
  const step = await stepNow(page);
  t0 = Date.now();
  await page.click('#step');
  await waitForStep(page, step + 1, 10000);
  const stepped = Date.now() - t0;
  console.log(`8 x 1,024 digits: Play showed a step after ${play} ms, Pause obeyed after ${pause} ms, Step after ${stepped} ms`);
  assert.ok(pause < 2000, `Pause took ${pause} ms`);
  assert.ok(play < 5000, `Play took ${play} ms to show a step`);
  assert.ok(stepped < 5000, `Step took ${stepped} ms`);
  // The evaluation of the step shown finishes in the end (paused), and its progress goes away.
  await settled(page, 240000);
  assert.ok(await progress.isHidden());
  assert.match(await text(page, 'test-loss'), /^\d+\.\d{4}$/);
});

test('the replay indicator at 1440x900 and 390x844', async () => {
  for (const [width, height] of [[1440, 900], [390, 844]]) {
    const page = await open('#v=1&data=circle&rule=np&at=10000000', { viewport: { width, height } });
    await page.waitForFunction(() => /about \d+ \w+ left/.test(document.getElementById('replay-text').textContent), null, { timeout: 30000 });
    const box = await page.locator('[data-testid=replay]').boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= width && box.y < height, `indicator within the viewport at ${width}: ${JSON.stringify(box)}`);
    const stop = await page.locator('#replay-stop').boundingBox();
    assert.ok(stop.width >= 24 && stop.height >= 24 || width > 600, `Stop is a large enough target at ${width}: ${JSON.stringify(stop)}`);
    await page.screenshot({ path: `${SHOTS}replay-${width}.png` });
    await page.click('#replay-stop');
    await stopped(page);
  }
});
