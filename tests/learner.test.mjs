// A learner's work and a lesson's promises: a lesson link opens its chapter (cold and by editing
// the fragment), a lesson's "Try" works as written, drawn points survive every change and can be
// brought back, a link naming an uploaded table keeps the page working. Same harness as the other
// page tests (issues 16 and 17).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { harness, settled, waitForStep } from './page.mjs';

const h = harness();
const open = (...a) => h.open(...a);
const hash = (page) => page.evaluate(() => decodeURIComponent(location.hash));

/** Clicks the plane at (x, y) in plane coordinates (it spans -1.5..1.5). */
async function drawPoint(page, x, y) {
  const box = await page.locator('#boundary').boundingBox();
  await page.locator('#boundary').click({ position: { x: ((x + 1.5) / 3) * box.width, y: ((1.5 - y) / 3) * box.height } });
}
const SPOTS = [[-1, -1], [-1, 0], [-1, 1], [-0.8, 0.5], [1, -1], [1, 0], [1, 1]];

test('a lesson link opens its chapter: cold, and when the fragment is edited', async () => {
  const page = await open('#lesson=noise');
  await page.waitForFunction(() => location.hash.includes('data=gauss'));
  const first = await hash(page);
  assert.match(first, /hidden=2(&|$)/, 'lesson 1 runs its own two-unit network');
  assert.match(first, /lesson=noise/);
  assert.match(await page.textContent('#lesson-title'), /One update, by noise/);
  // The fragment edited by hand to another chapter opens that chapter's run.
  await page.evaluate(() => { location.hash = '#lesson=blind'; });
  await page.waitForFunction(() => location.hash.includes('compare=anp:blind') || location.hash.includes('compare=anp%3Ablind'));
  assert.match(await hash(page), /rule=anp/);
  assert.match(await page.textContent('#lesson-title'), /Noise you cannot see/);
  // A link that sets the run as well keeps its settings (the page writes such links itself).
  await page.evaluate(() => { location.hash = '#v=1&data=xor&rule=inp&lesson=noise'; });
  await page.waitForFunction(() => location.hash.includes('data=xor'));
  assert.match(await hash(page), /rule=inp/);
});

test("lesson 5's try: the page's own run switches to blind noise, the compared run keeps the clean one", async () => {
  const page = await open('#lesson=blind');
  await page.waitForFunction(() => /compare=anp(:|%3A)blind/.test(location.hash));
  await settled(page);
  await page.selectOption('#mode', 'blind');
  await page.waitForFunction(() => location.hash.includes('mode=blind'));
  assert.equal(await page.textContent('#control-error'), '', 'nothing refused');
  assert.match(await hash(page), /compare=anp:clean/, 'the clean run stays beside it');
  assert.equal(await page.inputValue('#mode'), 'blind');
  assert.match(await page.textContent('#control-note'), /anp:blind is now this run's own setting/);
});

test('points drawn but too few to train on survive a setting change, and a fourth starts the run', async () => {
  const page = await open('#v=1&data=xor');
  for (const [x, y] of SPOTS.slice(0, 3)) await drawPoint(page, x, y);
  assert.match(await page.textContent('#data-note'), /3 points drawn: add 1 more/);
  await page.fill('#lr', '0.02');
  await page.press('#lr', 'Enter');
  await page.waitForFunction(() => location.hash.includes('lr=0.02'));
  assert.match(await page.textContent('#data-note'), /3 points drawn: add 1 more/, 'the change kept the points');
  await page.click('#reset');
  await settled(page);
  assert.match(await page.textContent('#data-note'), /3 points drawn/, 'Reset kept them');
  await drawPoint(page, ...SPOTS[3]);
  await page.waitForFunction(() => location.hash.includes('data=points'));
  assert.match(await page.textContent('#data-note'), /4 points of your own/);
});

test('a slip in pts= while editing the fragment keeps the drawn points, and what was left out can be copied whole', async () => {
  const page = await open('#v=1&data=xor');
  for (const [x, y] of SPOTS) await drawPoint(page, x, y);
  await page.waitForFunction(() => location.hash.includes('data=points'));
  const before = await hash(page);
  const pts = before.match(/pts=([^&]*)/)[1];
  const slipped = before.replace(`pts=${pts}`, `pts=${pts.slice(0, 5)}!${pts.slice(6)}`);
  await page.evaluate((f) => { location.hash = f; }, slipped.slice(1));
  await page.waitForFunction(() => !document.querySelector('[data-testid=config-error]').hidden);
  assert.match(await page.textContent('[data-testid=config-error]'), /pts=.*Your 7 drawn points are kept/);
  await page.waitForFunction((p) => decodeURIComponent(location.hash).includes(`pts=${p}`), pts);
  assert.match(await page.textContent('#data-note'), /7 points of your own/);
  await page.click('[data-testid=config-error] button');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `pts=${pts.slice(0, 5)}!${pts.slice(6)}`, 'the refused value, whole');
});

test('Undo brings back points that Clear or another data set replaced', async () => {
  const page = await open('#v=1&data=xor');
  for (const [x, y] of SPOTS.slice(0, 5)) await drawPoint(page, x, y);
  await page.waitForFunction(() => location.hash.includes('data=points'));
  const pts = (await hash(page)).match(/pts=([^&]*)/)[1];
  await page.click('#clear-points');
  await page.waitForFunction(() => location.hash.includes('data=circle'));
  await page.click('#undo-points');
  await page.waitForFunction((p) => decodeURIComponent(location.hash).includes(`pts=${p}`), pts);
  // A data set chosen over the points: Undo again brings them back.
  await page.click('[data-dataset=spiral]');
  await page.waitForFunction(() => location.hash.includes('data=spiral'));
  await page.click('#undo-points');
  await page.waitForFunction((p) => decodeURIComponent(location.hash).includes(`pts=${p}`), pts);
  // Undo after a point was added takes that point away.
  await drawPoint(page, 0.5, 0.5);
  await page.waitForFunction(() => /6 points of your own/.test(document.getElementById('data-note').textContent));
  await page.click('#undo-points');
  await page.waitForFunction((p) => decodeURIComponent(location.hash).includes(`pts=${p}`), pts);
});

test('a link naming an uploaded table says what is missing and the page keeps working', async () => {
  const page = await open('#v=1&data=upload&rule=inp');
  assert.match(await page.textContent('#control-error'), /uploaded table.*Export run.*Import run/);
  assert.match(await hash(page), /rule=inp/, 'the rest of the link applies');
  await page.click('#step');
  await waitForStep(page, 1);
  await page.click('[data-dataset=xor]');
  await page.waitForFunction(() => location.hash.includes('data=xor'));
});

test('every chapter outlines the part of the page it talks about, in view beside the lesson text at 1024x768', async () => {
  const first = await open('#lesson=start', { viewport: { width: 1024, height: 768 } });
  const chapters = await first.evaluate(() => [...document.querySelectorAll('#lessons a')].map((a) => new URLSearchParams(a.getAttribute('href').slice(1)).get('lesson')));
  assert.equal(chapters.length, 10);
  for (const id of chapters) {
    const page = await open(`#lesson=${id}`, { viewport: { width: 1024, height: 768 } });
    await page.waitForSelector('.lesson-focus', { timeout: 20000 });
    const seen = await page.evaluate(() => {
      const visible = (el) => {
        const r = el.getBoundingClientRect();
        return Math.min(r.bottom, innerHeight) - Math.max(r.top, 0);
      };
      const focus = document.querySelector('.lesson-focus');
      return { lesson: visible(document.getElementById('lesson-look')), focus: visible(focus), height: focus.getBoundingClientRect().height };
    });
    assert.ok(seen.lesson > 10, `${id}: the lesson's "look for" is on screen (${seen.lesson} px)`);
    assert.ok(seen.focus >= Math.min(60, seen.height - 1), `${id}: the part it talks about is on screen (${seen.focus} of ${seen.height} px)`);
    await page.context().close();
  }
});

/** A CSV of `rows` rows with `features` feature columns and `classes` classes, from a seed. */
function table(rows, features, classes, seed = 1) {
  const lines = [[...Array.from({ length: features }, (_, j) => `f${j}`), 'label'].join(',')];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: features }, (_, j) => Math.sin(seed * 7.1 + i * 1.3 + j * 2.7).toFixed(4));
    lines.push([...x, `c${(i * 7 + seed) % classes}`].join(','));
  }
  return { name: `t${features}x${classes}.csv`, mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) };
}

test('a second upload is a run of its own; export writes the table in use with its checksums; a restarted worker gets the table back', async () => {
  const page = await open('#v=1&data=xor');
  await page.setInputFiles('#csv-file', table(300, 5, 2));
  await page.waitForFunction(() => location.hash.includes('data=upload'));
  const first = (await hash(page)).match(/table=([0-9a-f]{16})/)[1];
  for (let i = 1; i <= 3; i++) {
    await page.click('#step');
    await waitForStep(page, i);
  }
  await page.setInputFiles('#csv-file', table(300, 3, 3, 2));
  await page.waitForFunction((t) => /table=[0-9a-f]{16}/.test(location.hash) && !location.hash.includes(`table=${t}`), first);
  await waitForStep(page, 0);
  await settled(page);
  await page.waitForFunction(() => document.getElementById('network-note').textContent.startsWith('3-8-8-3'), null, { timeout: 10000 })
    .catch(async () => assert.fail(`the network has the second table's 3 inputs and 3 classes: ${await page.textContent('#network-note')}`));
  await page.click('#step');
  await waitForStep(page, 1);
  await page.click('#step');
  await waitForStep(page, 2);
  await settled(page);
  const checksum = await page.textContent('[data-testid=checksum]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-run')]);
  const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.match(saved.config, new RegExp(`table=${(await hash(page)).match(/table=([0-9a-f]{16})/)[1]}`), 'the file names the table in use');
  assert.equal(saved.step, 2);
  // Opened elsewhere: the same step and checksum, and the page says the checksums match.
  const other = await open('#v=1&data=circle', { allow: /a test panic in the worker/ });
  await other.setInputFiles('#import-file', await download.path());
  await waitForStep(other, 2);
  await settled(other);
  assert.equal(await other.textContent('[data-testid=checksum]'), checksum);
  await other.waitForFunction(() => /checksums? match/.test(document.getElementById('data-note').textContent));
  // The worker's engine fails: the new worker gets the table back and the run starts again.
  await other.evaluate(() => window.npTest.panicWorker());
  await other.waitForFunction(() => /restarted/.test(document.getElementById('engine-error').textContent));
  await waitForStep(other, 0);
  await settled(other);
  assert.match(await hash(other), /data=upload&.*table=[0-9a-f]{16}/);
  await other.click('#step');
  await waitForStep(other, 1);
});

test('an import is checked field by field: page keys cannot be smuggled in, a forged checksum is named, a bad file changes nothing', async () => {
  const page = await open('#v=1&data=xor');
  for (const [x, y] of SPOTS.slice(0, 5)) await drawPoint(page, x, y);
  await page.waitForFunction(() => location.hash.includes('data=points'));
  const pts = (await hash(page)).match(/pts=([^&]*)/)[1];
  const file = (run) => ({ name: 'run.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(run)) });
  // A file that cannot be opened leaves the drawn points and the run as they are.
  await page.setInputFiles('#import-file', file({ format: 'np-playground-run', version: 1, config: 'v=1&data=bogus', compare: [], step: 0 }));
  await page.waitForFunction(() => /not opened; nothing changed/.test(document.getElementById('data-problems').textContent));
  assert.ok((await hash(page)).includes(`pts=${pts}`), 'the drawn points stay');
  await page.setInputFiles('#import-file', file({ format: 'np-playground-run', version: 1, config: 'v=1&data=xor&' + 'n=400&'.repeat(700), compare: [], step: 0 }));
  await page.waitForFunction(() => /not opened; nothing changed/.test(document.getElementById('data-problems').textContent));
  assert.ok((await hash(page)).includes(`pts=${pts}`), 'the drawn points stay');
  // Smuggled page keys in a compare item are named and left out; the forged checksum is named.
  await page.setInputFiles('#import-file', file({ format: 'np-playground-run', version: 1, config: 'v=1&data=xor', compare: ['inp&at=10000000&play=1'], step: 3, checksum: 'deadbeefdeadbeef', csv: null }));
  await page.waitForFunction(() => /compare/.test(document.getElementById('data-problems').textContent));
  await waitForStep(page, 3);
  await page.waitForFunction(() => /differs from the file/.test(document.getElementById('data-note').textContent), null, { timeout: 20000 });
  assert.match(await page.textContent('#data-note'), /deadbeefdeadbeef/);
  assert.doesNotMatch(await hash(page), /at=10000000|play=1|compare=/);
  // Undo brings back the points the import replaced.
  await page.click('#undo-points');
  await page.waitForFunction((p) => decodeURIComponent(location.hash).includes(`pts=${p}`), pts);
});
