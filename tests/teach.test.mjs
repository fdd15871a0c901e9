// The teaching issue, item by item: the network at the centre, one update in slow motion, the
// introduction and lessons, classroom links, a projectable and responsive page, the charts'
// polish, drawn points, comparisons over seeds and axes. Same harness as the page tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, inked, settled, text, waitForStep, cliChecksum } from './page.mjs';

const h = harness();
const open = (...a) => h.open(...a);

/** Whether the element's box lies inside the viewport (at least its top `part` of it). */
async function inView(page, selector, part = 0.6) {
  return page.evaluate(([sel, part]) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    return r.width > 0 && r.top >= 0 && r.top + part * r.height <= innerHeight && r.right <= innerWidth + 1;
  }, [selector, part]);
}

async function walkTitles(page) {
  await page.click('[data-testid=walk]');
  await page.waitForSelector('#walk-bar:not([hidden])');
  await page.click('#walk-pause');
  const count = await page.evaluate(() => Number(document.getElementById('walk-count').textContent.match(/of (\d+)/)[1]));
  const titles = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await page.click('#walk-next');
    await page.waitForFunction((n) => document.getElementById('walk-count').textContent.includes(`${n} of`), i + 1);
    titles.push({
      title: (await page.textContent('#walk-count')).split(' · ')[0],
      narration: await text(page, 'walk-narration'),
      meter: await page.isVisible('#walk-meter'),
    });
  }
  return titles;
}

test('1. the network at the centre: live, labelled subsets, hover values, the big plot shows a unit', async () => {
  const page = await open('#v=1&data=xor&rule=np&hidden=6,6&at=40', { viewport: { width: 1280, height: 800 } });
  await settled(page);
  assert.ok(await inView(page, '[data-testid=network]', 1), 'the diagram is above the fold at 1280x800');
  assert.ok(await inked(page, 'network', 220) > 3000, 'the diagram is drawn');
  assert.ok(await page.isVisible('#legend'));
  // Hover a hidden node: its value, and its map in the big plot.
  const box = await page.locator('#network').boundingBox();
  const node = await page.evaluate(() => {
    const c = document.getElementById('network');
    return { w: c.width / c.clientWidth };
  });
  // Scan for a node of layer 1 (the second column).
  let found = false;
  for (let y = 30; y < box.height - 10 && !found; y += 6) {
    await page.mouse.move(box.x + box.width * 0.37, box.y + y);
    found = /layer 1, unit/.test(await page.textContent('#network-hover'));
  }
  assert.ok(found, 'hovering a node of layer 1 names it');
  assert.match(await page.textContent('#network-hover'), /value -?\d\.\d{4} for sample 0/);
  assert.match(await page.textContent('#boundary-title'), /layer 1, unit \d+ \(hover\)/);
  // Hover between columns: a link and its weight.
  let link = false;
  for (let y = 30; y < box.height - 10 && !link; y += 3) {
    await page.mouse.move(box.x + box.width * 0.5, box.y + y);
    link = /weight from layer 1 unit \d+ to layer 2 unit \d+: w = -?\d/.test(await page.textContent('#network-hover'));
  }
  assert.ok(link, `hovering a link gives its weight (${node.w})`);
  // A wide layer shows a fixed, labelled subset.
  const digits = await open('#v=1&data=mnist14&rule=np&at=2');
  await settled(digits);
  assert.match(await digits.textContent('#network-note'), /196-128-128-10.*16 evenly spaced/);
  assert.ok(await digits.isVisible('#sample-box'), 'the probed digit is shown');
});

test('2. one update in slow motion, for every kind of rule, from the step\'s own buffers', async () => {
  const page = await open('#v=1&data=xor&rule=np&hidden=5&sigma=0.05&at=10');
  await settled(page);
  const np = await walkTitles(page);
  assert.deepEqual(np.map((s) => s.title), ['clean pass', 'noise', 'noisy pass', 'loss change', 'credit', 'this sample\'s share', 'estimate G', 'step applied']);
  assert.match(np[3].narration, /dL = /);
  assert.deepEqual(np.map((s) => s.meter), [false, false, false, true, false, false, false, false], 'the dL meter at the loss change');
  assert.match(np[4].narration, /dL·ε\/σ²/);
  assert.match(np[4].narration, /No backward pass is needed/);
  // The last sub-step is the step Adam applied: the legend says so, and a link's read-out gives
  // both the rule's estimate G and the change applied.
  assert.match(np[7].narration, /^The step applied: Adam moved every weight/);
  assert.match(await page.textContent('#legend'), /nodes: bias change Δb.*links: change Δw applied by Adam/);
  const box = await page.locator('#network').boundingBox();
  let readout = '';
  for (let y = 30; y < box.height - 10 && !/weight from/.test(readout); y += 3) {
    await page.mouse.move(box.x + box.width * 0.27, box.y + y);
    readout = await page.textContent('#network-hover');
  }
  assert.match(readout, /weight from input \d to layer 1 unit \d: w = \S+ after step 10; G \S+ \(the rule's estimate\); change Δw \S+ applied by Adam/);
  await page.click('#walk-prev');
  await page.waitForFunction(() => document.getElementById('walk-count').textContent.startsWith('estimate G'));
  assert.match(await page.textContent('#legend'), /nodes: bias's G.*links: G, the rule's estimate/);
  await page.click('#walk-prev');
  await page.waitForFunction(() => document.getElementById('walk-count').textContent.startsWith('this sample'));
  assert.match(await page.textContent('#legend'), /links: this sample's share of G/);
  // The noise panel shows the same sample's numbers (the engine's buffers, one colour scale per
  // quantity); changing the sample while paused refreshes it.
  assert.match(await page.textContent('#noise-scales'), /noise ε: ±/);
  const before = await page.textContent('#probe .probe-head');
  await page.fill('#probe-sample', '3');
  await page.press('#probe-sample', 'Enter');
  await page.waitForFunction((b) => document.querySelector('#probe .probe-head').textContent !== b, before);
  assert.match(await page.textContent('#probe .probe-head'), /sample 3 of 10/);
  for (const [fragment, check] of [
    ['#v=1&data=xor&rule=inp&hidden=4,4&at=5', (t) => t.filter((s) => s.title === 'noise in one layer').length === 3],
    ['#v=1&data=xor&rule=anp&mode=blind&at=5', (t) => t[0].title === 'first noisy pass' && !t.some((s) => s.title === 'noise')],
    ['#v=1&data=xor&rule=danp&at=5', (t) => t[0].title === 'decorrelation' && t.some((s) => /‖Δa‖²/.test(s.narration))],
    ['#v=1&data=xor&rule=bp&hidden=4,4&at=5', (t) => t.filter((s) => s.title === 'backward wave').length === 2],
  ]) {
    const p = await open(fragment);
    await settled(p);
    const titles = await walkTitles(p);
    assert.ok(check(titles), `${fragment}: ${titles.map((s) => s.title).join(', ')}`);
  }
  // Blind mode with two draws: the noise panel measures each draw within its own pair of passes.
  const blind = await open('#v=1&data=xor&rule=anp&mode=blind&draws=2&at=3');
  await settled(blind);
  assert.match(await blind.textContent('#probe .probe-dl'), /^draw 1: pass 1 against pass 0, dL = \S+ · draw 2: pass 3 against pass 2, dL = \S+$/);
  const labels = await blind.locator('#probe .probe-layer').first().locator('.strip-label').allTextContents();
  assert.deepEqual(labels.slice(0, 6), ['draw 1: a, pass 0', 'draw 1: a, pass 1', 'draw 1: Δa', 'draw 2: a, pass 2', 'draw 2: a, pass 3', 'draw 2: Δa']);
  // Step at slow-motion speed is walked through.
  const slow = await open('#v=1&data=xor&rule=np&speed=slow');
  assert.equal(await slow.inputValue('[data-testid=speed]'), 'slow');
  await slow.click('#step');
  await slow.waitForSelector('#walk-bar:not([hidden])');
  assert.match(await text(slow, 'walk-narration'), /Clean pass/);
});

test('3. the introduction on the first screen, and lessons with Next and Back', async () => {
  const page = await open('', { viewport: { width: 1440, height: 900 } });
  assert.ok(await inView(page, '#intro', 1), 'the introduction is on the first screen');
  await page.click('#step');
  await waitForStep(page, 1);
  await page.waitForFunction(() => /cosine of -?\d\.\d\d/.test(document.getElementById('intro-live').textContent));
  const lesson = await open('#lesson=start');
  await lesson.waitForSelector('[data-testid=lesson]:not([hidden])');
  assert.match(await lesson.textContent('#lesson-title'), /^1\./);
  assert.match(lesson.url(), /lesson=noise/);
  await lesson.click('#lesson-next');
  await lesson.waitForFunction(() => location.hash.includes('lesson=np-vs-bp') && location.hash.includes('compare=bp'));
  assert.match(await lesson.textContent('#lesson-title'), /^2\./);
  // The controls stay live.
  await lesson.click('#step');
  await waitForStep(lesson, 1);
  await lesson.click('#lesson-back');
  await lesson.waitForFunction(() => location.hash.includes('lesson=noise'));
});

test('4. classroom links: hidden groups, speed and play, embed, the share dialog, lenient links, hashchange', async () => {
  const page = await open('#v=1&data=xor&rule=NP&lr=0.05&hide=rule,compare&speed=max&play=1&play_hide=true');
  assert.match(await text(page, 'config-error'), /rule=NP.*play_hide=true.*The rest of the link applies/);
  assert.match(page.url(), /lr=0.05/);
  assert.ok(await page.isHidden('[data-group=rule]') && await page.isHidden('[data-group=compare]'));
  assert.ok(await page.isVisible('[data-group=data]'));
  assert.equal(await page.inputValue('[data-testid=speed]'), 'max');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) > 50);
  // BP beside step units: BP is left out with its reason, NP runs.
  const step = await open('#v=1&data=xor&rule=np&act=step&compare=bp');
  assert.match(await text(step, 'config-error'), /bp cannot train step units/);
  // The share dialog builds the link.
  await page.click('#play');
  await page.click('#share-class');
  await page.check('#share-hide input[value=settings]');
  await page.selectOption('#share-speed', 'slow');
  await page.check('#share-play');
  await page.check('#share-embed');
  const link = await page.inputValue('#share-link');
  assert.match(link, /hide=rule,compare,settings|hide=settings,rule,compare|hide=rule,settings,compare/);
  assert.match(link, /speed=slow/);
  assert.match(link, /play=1/);
  assert.match(link, /embed=1/);
  assert.doesNotMatch(link, /pts=/);
  await page.click('#share-close');
  // The compact view fits a 960x540 iframe: network, boundary and one chart.
  const embed = await open(`#${link.split('#')[1]}`, { viewport: { width: 960, height: 540 } });
  for (const sel of ['[data-testid=network]', '#boundary', '#loss-chart']) assert.ok(await inView(embed, sel, 0.9), `${sel} visible in the embed`);
  assert.ok(await embed.evaluate(() => document.documentElement.scrollWidth <= 960));
  // Editing the fragment in the same tab applies it.
  await page.evaluate(() => { location.hash = '#v=1&data=moons&rule=anp'; });
  await page.waitForFunction(() => document.querySelector('[data-dataset=moons]').classList.contains('selected'));
  assert.equal(await page.inputValue('#rule'), 'anp');
  // Copy CLI command covers every compared run; each shows its checksum.
  const cmp = await open('#v=1&data=xor&rule=np&compare=inp,anp&at=20');
  await waitForStep(cmp, 20);
  await settled(cmp);
  await cmp.click('#copy-cli');
  const cli = await cmp.evaluate(() => navigator.clipboard.readText());
  assert.equal(cli.match(/cargo run --release -- run/g).length, 3);
  assert.match(cli, /# inp: checksum [0-9a-f]{16} at step 20/);
  assert.match(await cmp.textContent('#runs-note'), /np [0-9a-f]{16}; inp [0-9a-f]{16}; anp [0-9a-f]{16}/);
});

test('5. projectable and responsive: 1024x768, 390 px, keyboard', async () => {
  // With a compared run its boundary thumbnail makes the plane column taller: the curves still
  // sit right under the network.
  const page = await open('#v=1&data=xor&rule=np&compare=inp&at=30', { viewport: { width: 1024, height: 768 } });
  await settled(page);
  for (const sel of ['[data-testid=network]', '#boundary']) assert.ok(await inView(page, sel, 1), `${sel} fully visible at 1024x768`);
  assert.ok(await inView(page, '#loss-chart', 0.8), 'the loss chart is visible at 1024x768');
  assert.ok(await page.evaluate(() => document.querySelector('header').getBoundingClientRect().height <= 0.15 * innerHeight), 'the header');
  // Chart text is drawn at the canvas's size on screen: 12 px fonts stay 12 px.
  const ratio = await page.evaluate(() => { const c = document.getElementById('loss-chart'); return c.width / c.clientWidth; });
  assert.ok(Math.abs(ratio - (await page.evaluate(() => devicePixelRatio))) < 0.05, `canvas pixels per CSS pixel ${ratio}`);
  // The lessons menu opens as a small box, not over half the screen.
  await page.click('#lessons-box summary');
  const menu = await page.evaluate(() => { const r = document.getElementById('lessons').getBoundingClientRect(); return r.width * r.height / (innerWidth * innerHeight); });
  assert.ok(menu < 0.2, `the lessons menu covers ${menu}`);
  await page.click('#lessons-box summary');
  // 390 px: no sideways scrolling, and a tap adds an orange point.
  const phone = await open('#v=1&data=xor', { viewport: { width: 390, height: 844 } });
  assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling at 390 px');
  await phone.check('input[name=draw-class][value="0"]');
  await phone.locator('#boundary').click({ position: { x: 40, y: 40 } });
  assert.match(await phone.textContent('#data-note'), /1 point drawn/);
  // Keyboard: the upload is reachable, the data sets move with the arrows, focus is visible.
  const kb = await open('#v=1&data=circle');
  await kb.focus('[data-dataset=circle]');
  await kb.keyboard.press('ArrowRight');
  await kb.waitForFunction(() => location.hash.includes('data=xor'));
  assert.ok(await kb.evaluate(() => getComputedStyle(document.activeElement).outlineStyle !== 'none'), 'focus is visible');
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await kb.keyboard.press('Tab');
    reached = await kb.evaluate(() => document.activeElement?.id === 'csv-file');
  }
  assert.ok(reached, 'Upload CSV is reachable by Tab');
});

test('6. charts: read-outs above the chart, the rule on every boundary, empty states, a warning before divergence', async () => {
  const page = await open('#v=1&data=xor&rule=np&compare=inp&at=30');
  await settled(page);
  assert.match(await page.textContent('#boundary-title'), /np \(this run\)/);
  assert.match(await page.textContent('#boundaries figcaption'), /^inp · step 30 · [0-9a-f]{8}/);
  const box = await page.locator('#loss-chart').boundingBox();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  assert.match(await page.textContent('#curve-readout'), /^step \d+: np \d\.\d{4}, inp \d\.\d{4}$/);
  const readout = await page.locator('#curve-readout').boundingBox();
  assert.ok(readout.y + readout.height <= box.y, 'the read-out sits above the chart, off its axes');
  assert.ok(await page.isVisible('.chart .crosshair'));
  assert.doesNotMatch(page.url(), /pts=/);
  // Empty states say what to press.
  const fresh = await open('#v=1&data=xor');
  assert.match(await fresh.textContent('#probe'), /press Step/);
  assert.match(await fresh.textContent('#activations'), /press Step or Play/);
  // A loss climbing far above its start while finite: a warning, and the run pauses.
  const climb = await open('#v=1&loss=mse&act=tanh&rule=bp&opt=sgd&lr=1&seed=2&speed=1&play=1');
  await climb.waitForSelector('[data-testid=diverged]:not([hidden])', { timeout: 20000 });
  assert.match(await text(climb, 'diverged'), /Paused: .*climbed to .* times its start/);
  await settled(climb);
  assert.equal(await climb.textContent('[data-testid=play]'), '▶ Play');
  // The same climb inside a link's replay to `at`: warned, and the replay still reaches its step
  // with the command-line runner's checksum.
  const replay = await open('#v=1&loss=mse&act=tanh&rule=bp&opt=sgd&lr=1&seed=2&at=9');
  await waitForStep(replay, 9);
  await settled(replay);
  assert.match(await text(replay, 'diverged'), /^Warning: .*climbed to .* times its start.*replay goes on/);
  assert.equal(await text(replay, 'checksum'), cliChecksum('v=1&loss=mse&act=tanh&rule=bp&opt=sgd&lr=1&seed=2', 9));
});

test('7. drawn points: the first click is announced, test points ringed, the batch comes back', async () => {
  const page = await open('#v=1&data=xor&batch=25');
  assert.match(await page.textContent('#draw-hint'), /first click replaces the current data set/);
  const box = await page.locator('#boundary').boundingBox();
  const at = (x, y) => ({ x: ((x + 1.5) / 3) * box.width, y: ((1.5 - y) / 3) * box.height });
  for (const [x, y] of [[-1, -1], [-1, 0], [-1, 1], [-0.8, 0.5], [-0.7, -0.5], [1, -1], [1, 0], [1, 1]]) {
    if (x > 0) await page.check('input[name=draw-class][value="0"]');
    await page.locator('#boundary').click({ position: at(x, y) });
  }
  await page.waitForFunction(() => location.hash.includes('data=points'));
  assert.match(await page.textContent('#data-note'), /rings are the test points/);
  assert.ok(await page.isChecked('#show-test'), 'test points shown for drawn data');
  assert.doesNotMatch(page.url(), /batch=25/, 'the batch is cut to the points');
  await page.click('#clear-points');
  await page.waitForFunction(() => location.hash.includes('data=circle') && location.hash.includes('batch=25'));
});

test('8. research depth: seeds with bands, the x axis, input correlation over time', async () => {
  const page = await open('#v=1&data=xor&rule=np&compare=dnp&seeds=3&xaxis=passes&at=40');
  await waitForStep(page, 40);
  await settled(page);
  assert.equal(await page.inputValue('#seeds'), '3');
  assert.match(await page.textContent('#runs-note'), /np [0-9a-f]{16}, [0-9a-f]{16}, [0-9a-f]{16}; dnp/);
  assert.ok(await page.isVisible('#correlation-chart'), 'the D-variant brings the input-correlation chart');
  assert.ok(await inked(page, 'correlation-chart', 220) > 500);
  const box = await page.locator('#loss-chart').boundingBox();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.5);
  assert.match(await page.textContent('#curve-readout'), /^passes \d+: np \d\.\d{4} \(\d\.\d{4}–\d\.\d{4}\), dnp/);
  await page.selectOption('#xaxis', 'seconds');
  await page.waitForFunction(() => location.hash.includes('xaxis=seconds'));
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.6);
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.5);
  await page.waitForFunction(() => /^\d+\.\d\d s: np/.test(document.getElementById('curve-readout').textContent));
});
