// The Sweep view and the pool of workers (issue 19): a sweep from a link fills every cell, each
// with the checksum `np-playground run` gives its configuration (diverged cells too, marked);
// the pool's size never changes a cell; a cell opens as a run of its own; bad items are reported
// and left out; a .jsonl written by `np-playground sweep` opens; Cancel stops a sweep while the
// page stays responsive. Needs `cargo build --release --bin np-playground` and build_web.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { harness, CLI, settled, waitForStep, inked, text, SHOTS } from './page.mjs';

const h = harness();

/** The checksum `np-playground run` prints last for `config` after `steps` steps (a run that
 *  diverges exits with an error, its last line still carries the checksum). */
function runChecksum(config, steps) {
  const out = spawnSync(CLI, ['run', config, '--steps', String(steps), '--json', '--no-alignment'], { encoding: 'utf8' });
  const last = out.stdout.trim().split('\n').at(-1);
  return JSON.parse(last).checksum;
}

/** Waits until every cell of the sweep on show is done; returns {cells, done, checksums by config}. */
async function finished(page, timeout = 40000) {
  await page.waitForFunction(() => {
    const s = document.querySelector('[data-testid=sweep]');
    return Number(s.dataset.cells) > 0 && s.dataset.done === s.dataset.cells;
  }, null, { timeout });
  return page.evaluate(() => {
    const s = document.querySelector('[data-testid=sweep]');
    const cells = [...document.querySelectorAll('[data-testid=sweep-cell]')].map((a) => ({
      config: a.dataset.config, checksum: a.dataset.checksum ?? null, diverged: a.dataset.diverged === 'true', title: a.title, href: a.getAttribute('href'),
    }));
    return { cells: Number(s.dataset.cells), done: Number(s.dataset.done), list: cells };
  });
}

// ReLU with plain SGD: lr 10 blows up within a few steps, lr 0.01 trains.
const DIVERGING = 'v=1&data=spiral&hidden=16,16&act=relu&opt=sgd&rule=np&compare=bp';

test('a sweep from a link fills every cell with the CLI\'s checksum of its config; diverged cells are marked', async () => {
  const steps = 120;
  const page = await h.open(`#${DIVERGING}&sweep=lr:0.01,10;sigma:0.001,0.01&sweep_steps=${steps}&sweep_metric=test_loss&workers=2`);
  const r = await finished(page);
  // Two rules (the link's own and its compared one) times two values of each key.
  assert.equal(r.cells, 8);
  assert.equal(r.list.length, 8);
  for (const c of r.list) {
    assert.match(c.checksum ?? '', /^[0-9a-f]{16}$/, `${c.config} has its checksum`);
    assert.equal(c.checksum, runChecksum(c.config, steps), `${c.config}: the page's cell and np-playground run agree`);
  }
  const diverged = r.list.filter((c) => c.diverged);
  assert.ok(diverged.length >= 2 && diverged.every((c) => /lr=10&/.test(c.config) && /diverged at step/.test(c.title)), 'the lr=10 cells diverged and say so');
  assert.ok(r.list.filter((c) => !c.diverged).every((c) => /test loss \d/.test(c.title)), 'the others give their figures');
  // The heat maps are drawn (one per rule), the sweep is in the page's link, the status says so.
  assert.equal(await page.locator('#sweep-maps canvas').count(), 2);
  assert.ok(await inked(page, 'sweep-canvas-0') > 1000, 'the first heat map is drawn');
  assert.match(await page.evaluate(() => location.hash), /&sweep=rules:np,bp;lr:0.01,10;sigma:0.001,0.01;seeds:1&sweep_steps=120&sweep_metric=test_loss/);
  assert.match(await page.textContent('#sweep-status'), /^8 of 8 cells done, \d diverged/);
  // Hover reads a cell out.
  await page.hover('[data-testid=sweep-cell] >> nth=0');
  assert.match(await page.textContent('#sweep-readout'), /^np, lr=0\.01, sigma=0\.001: test accuracy .*checksum [0-9a-f]{16} at step 120/);
});

test('workers=2 gives every cell the checksum of workers=1 (two rules over two seeds)', async () => {
  const link = '#v=1&data=xor&hidden=8&rule=np&sweep=rules:np,inp;lr:0.01,0.03;seeds:1,2&sweep_steps=150';
  const one = await finished(await h.open(`${link}&workers=1`));
  const two = await finished(await h.open(`${link}&workers=2`));
  assert.equal(one.cells, 8);
  const sums = (r) => Object.fromEntries(r.list.map((c) => [c.config, c.checksum]));
  assert.deepEqual(sums(two), sums(one));
  assert.ok(one.list.every((c) => /^[0-9a-f]{16}$/.test(c.checksum)));
  assert.equal(new Set(one.list.map((c) => c.config)).size, 8, 'every cell a run of its own (seeds too)');
});

test('a sweep on the digits over two workers (the digits reach each worker before its cells): every cell the CLI\'s checksum', async () => {
  const steps = 15;
  const page = await h.open(`#v=1&data=mnist&hidden=16&rule=np&sweep=lr:0.01,0.03,0.1;sigma:0.01,0.1&sweep_steps=${steps}&workers=2`);
  const r = await finished(page, 60000);
  assert.equal(r.cells, 6);
  for (const c of r.list) {
    assert.match(c.checksum ?? '', /^[0-9a-f]{16}$/, `${c.config} has its checksum (${c.title})`);
    assert.equal(c.checksum, runChecksum(c.config, steps), `${c.config}: the page's cell and np-playground run agree`);
  }
});

test('clicking a cell opens it as a run of its own, replayed to the sweep\'s step with the cell\'s checksum; Back keeps the sweep', async () => {
  const page = await h.open('#v=1&data=circle&hidden=8&rule=np&sweep=lr:0.003,0.03&sweep_steps=200&workers=2');
  const r = await finished(page);
  const cell = r.list[1];
  assert.equal(cell.href, `#${cell.config}&at=200`);
  await page.click('[data-testid=sweep-cell] >> nth=1');
  await waitForStep(page, 200);
  await settled(page);
  assert.equal(await text(page, 'checksum'), cell.checksum);
  assert.match(await page.evaluate(() => location.hash), /lr=0\.03&/);
  assert.doesNotMatch(await page.evaluate(() => location.hash), /sweep=/, 'the cell\'s link is a run\'s link');
  // Back to the sweep's link: the results on show stay (nothing runs again), and Reset keeps
  // the sweep in the link.
  await page.goBack();
  await page.waitForFunction(() => /sweep=/.test(location.hash));
  const again = await page.evaluate(() => document.querySelector('[data-testid=sweep]').dataset.done);
  assert.equal(again, '2');
  await page.click('#reset');
  await waitForStep(page, 0);
  assert.match(await page.evaluate(() => location.hash), /&workers=2&sweep=rules:np;lr:0.003,0.03;seeds:1&sweep_steps=200/);
  assert.equal(await page.evaluate(() => document.querySelector('[data-testid=sweep]').dataset.done), '2');
});

test('a sweep run again starts blank (no checksum from the last run); its last drawing follows its last cell at once', async () => {
  const link = '#v=1&data=spiral&hidden=16,16&rule=np&sweep=lr:0.003,0.01,0.03;sigma:0.001,0.01,0.1&sweep_steps=3000&workers=1';
  const page = await h.open(link);
  const first = await finished(page);
  // Run the same sweep again: in the click's own task no cell is done yet, so none carries a
  // checksum (the finished cells' hooks were not left over); hovering a cell then reads that it
  // waits or trains, not the last run's figures.
  const atClick = await page.evaluate(() => {
    document.getElementById('sweep-run').click();
    const cells = [...document.querySelectorAll('[data-testid=sweep-cell]')];
    const last = cells.at(-1);
    last.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    return { checksums: cells.filter((a) => a.dataset.checksum).length, done: document.querySelector('[data-testid=sweep]').dataset.done, readout: document.getElementById('sweep-readout').textContent };
  });
  assert.equal(atClick.checksums, 0);
  assert.equal(atClick.done, '0');
  assert.match(atClick.readout, /: (waiting|training, step [\d,]+ of 3,000)\. Opens this run\.$/);
  // The frames after the last cell's result: the map shows that cell's colour within two (its
  // square was the "running" grey, or blank, before; the drawing is not held back by the
  // drawings' pace while the sweep ran).
  const frames = await page.evaluate(() => new Promise((resolve) => {
    const panel = document.querySelector('[data-testid=sweep]');
    const last = document.querySelector('[data-testid=sweep-cell][data-index="8"]');
    const canvas = document.getElementById('sweep-canvas-0');
    const coloured = () => {
      const k = canvas.width / canvas.getBoundingClientRect().width;
      const x = Math.round((parseFloat(last.style.left) + 3) * k);
      const y = Math.round((parseFloat(last.style.top) + 3) * k);
      const [r, g, b, a] = canvas.getContext('2d').getImageData(x, y, 1, 1).data;
      return a > 0 && !(r === 236 && g === 236 && b === 236) && !(r === 255 && g === 255 && b === 255);
    };
    let n = null;
    const frame = () => {
      if (n === null && panel.dataset.done === panel.dataset.cells) n = 0;
      else if (n !== null) n += 1;
      if (n !== null && coloured()) return resolve(n);
      if (n !== null && n > 30) return resolve(n);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }));
  assert.ok(frames <= 2, `the last drawing came ${frames} frames after the last cell`);
  const again = await finished(page);
  assert.deepEqual(again.list.map((c) => c.checksum), first.list.map((c) => c.checksum), 'the same sweep gives the same checksums');
  assert.ok(again.list.every((c) => /checksum [0-9a-f]{16} at step 3,000\. Opens this run\.$/.test(c.title)), 'every cell\'s words give its result once the sweep is done');
});

test('bad sweep items are reported by name and left out; the rest of the sweep runs', async () => {
  const page = await h.open('#v=1&data=xor&hidden=8&rule=np&sweep=lr:0.01,abc;bogus:1,2&sweep_steps=60&sweep_metric=nope&workers=1');
  const r = await finished(page);
  assert.equal(r.cells, 1, 'lr=0.01 alone is left');
  const problems = await page.textContent('#sweep-problems');
  assert.match(problems, /abc/);
  assert.match(problems, /bogus/);
  assert.match(problems, /nope/);
  assert.match(await text(page, 'config-error'), /sweep/);
  // The form: a sweep over a key that cannot be swept is refused by name, nothing runs.
  await page.fill('#sweep-grid', 'act:1,2');
  await page.click('#sweep-run');
  await page.waitForFunction(() => /act/.test(document.getElementById('sweep-problems').textContent));
  assert.match(await page.textContent('#sweep-status'), /Nothing to sweep/);
});

test('a .jsonl from np-playground sweep opens and draws its phase diagram; bad lines are reported, never inserted as HTML', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'np-sweep-'));
  const out = execFileSync(CLI, ['sweep', 'v=1&data=xor&hidden=8&rule=np', '--grid', 'lr=0.003,0.01,0.03', '--grid', 'sigma=0.001,0.01', '--rules', 'np,bp', '--steps', '80'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 12);
  const tampered = JSON.parse(lines[3]);
  tampered.config = tampered.config.replace('seed=1', 'seed=2');
  const file = join(dir, 'grid.jsonl');
  writeFileSync(file, [...lines.slice(0, 3), JSON.stringify(tampered), ...lines.slice(4), '<img src=x onerror="window.pwned=1">', ''].join('\n'));
  const page = await h.open('#v=1&data=circle&rule=np&workers=2');
  assert.equal(await page.evaluate(() => window.npTest.sweepWorkers()), 0, 'no sweep: the pool has not started');
  await page.click('#sweep-box > summary');
  // Opening the panel starts the pool's workers (a first Run sweep need not wait for them).
  await page.waitForFunction(() => window.npTest.sweepWorkers() === 2, null, { timeout: 20000 });
  await page.setInputFiles('#sweep-file', file);
  await page.waitForFunction(() => document.querySelector('[data-testid=sweep]').dataset.cells === '12');
  const r = await page.evaluate(() => ({
    done: document.querySelector('[data-testid=sweep]').dataset.done,
    checksums: [...document.querySelectorAll('[data-testid=sweep-cell]')].map((a) => [Number(a.dataset.index), a.dataset.checksum ?? null]),
    problems: document.getElementById('sweep-problems').textContent,
    images: document.querySelectorAll('#sweep-panel img').length,
    status: document.getElementById('sweep-status').textContent,
  }));
  assert.equal(r.done, '11', 'every good line is a cell on show');
  for (const [i, sum] of r.checksums) assert.equal(sum, i === 3 ? null : JSON.parse(lines[i]).checksum);
  assert.match(r.problems, /line 4: cell 3: its configuration is not the one its sweep gives it/);
  assert.match(r.problems, /line 13: not a line of JSON: <img src=x/);
  assert.equal(r.images, 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.match(r.status, /11 of 12 cells done \(from grid\.jsonl\)/);
  assert.ok(await inked(page, 'sweep-canvas-1') > 1000, 'the second rule\'s map is drawn');
});

test('Cancel stops a sweep at once; the page\'s own run plays meanwhile', async () => {
  const page = await h.open('#v=1&data=spiral&hidden=32,32&rule=np&sweep=lr:0.001,0.003,0.01,0.03&sweep_steps=1000000&workers=2');
  await page.waitForFunction(() => /left/.test(document.getElementById('sweep-status').textContent), null, { timeout: 20000 });
  // While its first cells train, the map is drawn (empty: no cell is done) and says so.
  assert.ok(await inked(page, 'sweep-canvas-0') > 1000, 'the map is drawn before any cell is done');
  assert.match(await page.textContent('#sweep-status'), /^0 of 4 cells done; about/);
  // The page answers while the sweep runs: its own run plays.
  await page.click('[data-testid=play]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 50, null, { timeout: 20000 });
  await page.click('#sweep-cancel');
  await page.waitForFunction(() => /cancelled/.test(document.getElementById('sweep-status').textContent));
  const s = await page.evaluate(() => document.querySelector('[data-testid=sweep]').dataset);
  assert.equal(s.cells, '4');
  assert.equal(s.done, '0');
  assert.ok(await page.isDisabled('#sweep-cancel'));
  await page.click('[data-testid=play]');
  await settled(page);
});

test('the Sweep view at 1440x900, 1024x768 and 390x844', async () => {
  for (const [width, height] of [[1440, 900], [1024, 768], [390, 844]]) {
    const page = await h.open('#v=1&data=spiral&hidden=16,16&rule=np&compare=bp&sweep=lr:0.003,0.01,0.03;sigma:0.001,0.01,0.1&sweep_steps=300&workers=2', { viewport: { width, height } });
    await finished(page);
    await page.locator('#sweep-panel').scrollIntoViewIfNeeded();
    // Every cell sits over its heat map, inside the window's width.
    const { boxes, inner } = await page.evaluate(() => ({ boxes: [...document.querySelectorAll('[data-testid=sweep-cell]')].map((a) => a.getBoundingClientRect().toJSON()), inner: innerWidth }));
    assert.ok(boxes.every((b) => b.width >= 8 && b.height >= 8 && b.left >= 0 && b.right <= inner + 0.5), `${width}px: cells of a size to point at`);
    assert.ok(await inked(page, 'sweep-canvas-0') > 1000);
    await page.screenshot({ path: `${SHOTS}sweep-${width}.png` });
  }
});

test('the Sweep view has no accessibility violations (axe-core, target size on) and its cells are read out', async () => {
  const page = await h.open('#v=1&data=xor&hidden=8&rule=np&compare=bp&sweep=lr:0.003,0.03;sigma:0.001,0.1&sweep_steps=50&workers=2', { context: { bypassCSP: true } });
  await finished(page);
  await page.addScriptTag({ content: readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8') });
  const found = await page.evaluate(() => window.axe.run('#sweep-box', { resultTypes: ['violations'], rules: { 'target-size': { enabled: true } } }));
  assert.deepEqual(found.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`), []);
  // Each cell is a link whose name says what it is and how it went.
  const name = await page.getAttribute('[data-testid=sweep-cell] >> nth=0', 'aria-label');
  assert.match(name, /^np, lr=0\.003, sigma=0\.001: test accuracy [\d.]+, .* checksum [0-9a-f]{16} at step 50\. Opens this run\.$/);
});

test('a compare over seeds has the same checksums with workers=2 as with workers=1', async () => {
  const link = '#v=1&data=xor&hidden=8&rule=np&compare=inp,bp&seeds=2&at=40';
  const sums = async (workers) => {
    const page = await h.open(`${link}&workers=${workers}`);
    await waitForStep(page, 40);
    await settled(page);
    await page.waitForFunction(() => /Checksums at step 40/.test(document.getElementById('runs-note').textContent));
    assert.equal(await page.isHidden('[data-testid=config-error]'), true, 'workers= is a key of the link');
    return page.textContent('#runs-note');
  };
  const one = await sums(1);
  assert.match(one, /np [0-9a-f]{16}, [0-9a-f]{16}; inp [0-9a-f]{16}, [0-9a-f]{16}; bp [0-9a-f]{16}, [0-9a-f]{16}/);
  assert.equal(await sums(2), one);
});
