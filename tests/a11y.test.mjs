// Issue 16, items 5, 6, 7 and 10: settings that answer where one looks, readable pictures, the
// classroom and the phone, and accessibility (axe-core, text alternatives, the network by
// keyboard). Same harness as the other page tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { harness, settled, text, waitForStep } from './page.mjs';

const h = harness();
const open = (...a) => h.open(...a);
const AXE = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const PHONE = { viewport: { width: 390, height: 844 }, context: { hasTouch: true } };

/** Every axe-core violation on the page as it is now (any impact; the target-size rule of WCAG
 *  2.2, off by default, on). Needs a page opened with the CSP bypassed, to inject axe. */
async function violations(page) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'], rules: { 'target-size': { enabled: true } } }));
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(' ')} ${n.any[0]?.message ?? ''}`).join('; ')}`);
}

/** The element's box in CSS px, relative to the viewport. */
const box = (page, selector) => page.evaluate((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height };
}, selector);

// ---- 10. accessible ----

for (const [width, height] of [[1440, 900], [390, 844]]) {
  const options = { viewport: { width, height }, context: { bypassCSP: true, hasTouch: width < 600 } };
  test(`axe-core finds no violation at ${width}x${height}: the default page, a lesson, a walk, the share dialog`, async () => {
    const page = await open('', options);
    assert.deepEqual(await violations(page), [], 'the default page');
    const lesson = await open('#lesson=noise', options);
    await lesson.waitForSelector('[data-testid=lesson]:not([hidden])');
    // With a step taken the noise panel shows its layers (their headings are checked too).
    await lesson.click('#step');
    await lesson.waitForSelector('#probe .probe-layer');
    assert.deepEqual(await violations(lesson), [], 'a lesson open');
    const walk = await open('', options);
    await walk.click('[data-testid=walk]');
    await walk.waitForSelector('#walk-bar:not([hidden])');
    assert.deepEqual(await violations(walk), [], 'during a walk');
    const share = await open('', options);
    await share.click('#share-class');
    await share.waitForSelector('#share-dialog[open]');
    assert.deepEqual(await violations(share), [], 'the share dialog open');
  });
}

test('each chart canvas says in words what it shows now, and follows the run', async () => {
  const page = await open('#v=1&data=xor&rule=np&compare=inp&at=30');
  await waitForStep(page, 30);
  await settled(page);
  const label = (id) => page.getAttribute(`#${id}`, 'aria-label');
  // The curve charts are redrawn one per frame (and the compared rule's runs may come from
  // another worker's snapshot): their words reach step 30 within a few frames of the pause.
  await page.waitForFunction(() => ['loss-chart', 'accuracy-chart', 'alignment-chart']
    .every((id) => /at step 30$/.test(document.getElementById(id).getAttribute('aria-label') ?? '')));
  assert.match(await label('loss-chart'), /^train loss chart: np \d\.\d{4}, inp \d\.\d{4} at step 30$/);
  assert.match(await label('accuracy-chart'), /^test accuracy chart: np \d\.\d{4}, inp \d\.\d{4} at step 30$/);
  assert.match(await label('alignment-chart'), /^alignment with the true gradient chart: np -?\d\.\d{4}, inp -?\d\.\d{4} at step 30$/);
  for (const id of ['loss-chart', 'accuracy-chart', 'alignment-chart', 'boundary']) {
    assert.equal(await page.getAttribute(`#${id}`, 'role'), 'img', `${id} is an image with a text alternative`);
  }
  // The boundaries: how much of the plane is blue, and how many points lie on their colour.
  assert.match(await label('boundary'), /^decision boundary: \d+% of the plane blue .*; \d+ of 200 training points on their own class's colour$/);
  assert.match(await page.getAttribute('#boundaries canvas', 'aria-label'), /^decision boundary of inp: \d+% of the plane blue/);
  assert.match(await label('hist-0'), /^histogram of hidden layer 1's activations over this minibatch: \d+ values from -?\d\.\d{3} to -?\d\.\d{3}$/);
  // One more step: the words follow.
  await page.click('#step');
  await waitForStep(page, 31);
  await settled(page);
  await page.waitForFunction(() => /at step 31$/.test(document.getElementById('loss-chart').getAttribute('aria-label')));
  const single = await open('#v=1&data=xor&rule=np&at=5');
  await waitForStep(single, 5);
  await settled(single);
  const loss = await single.getAttribute('#loss-chart', 'aria-label');
  const figures = loss.match(/^loss chart: train (\d\.\d{4}), test (\d\.\d{4}) at step 5$/);
  assert.ok(figures, loss);
  // The chart's last point is the step's evaluation: the same figures as the page's.
  assert.equal(Number(figures[1]).toFixed(4), await text(single, 'train-loss'));
  assert.equal(Number(figures[2]).toFixed(4), await text(single, 'test-loss'));
});

test('the noise panel\'s strips and matrices say in words what they show: units, range, the largest value and where', async () => {
  const page = await open('#v=1&data=circle&hidden=6&rule=np&at=3');
  await waitForStep(page, 3);
  await settled(page);
  await page.waitForFunction(() => document.querySelectorAll('#probe .strip canvas').length > 3, null, { timeout: 10000 });
  const strips = await page.evaluate(() => [...document.querySelectorAll('#probe .strip canvas')].map((c) => ({
    role: c.getAttribute('role'), label: c.getAttribute('aria-label'), values: Array.from(c.values, (v) => v ?? NaN),
  })));
  for (const s of strips) {
    assert.equal(s.role, 'img');
    const finite = s.values.filter(Number.isFinite);
    const at = s.values.reduce((best, v, i) => (Number.isFinite(v) && (best < 0 || Math.abs(v) > Math.abs(s.values[best])) ? i : best), -1);
    assert.match(s.label, new RegExp(`: ${s.values.length} units?, from -?[\\d.e+-]+ to -?[\\d.e+-]+; the largest in size at unit ${at + 1}: `), s.label);
    const [lo, hi] = s.label.match(/from (\S+) to (\S+);/).slice(1).map(Number);
    assert.ok(Math.abs(lo - Math.min(...finite)) <= 1e-3 * Math.max(1, Math.abs(lo)) && Math.abs(hi - Math.max(...finite)) <= 1e-3 * Math.max(1, Math.abs(hi)), `${s.label} against ${Math.min(...finite)}..${Math.max(...finite)}`);
  }
  assert.ok(strips.some((s) => /^noise ε/.test(s.label)), 'the noise strips are among them');
  const matrices = await page.evaluate(() => [...document.querySelectorAll('#probe .matrix canvas')].map((c) => c.getAttribute('aria-label')));
  assert.ok(matrices.length && matrices.every((l) => /: \d+ × \d+ values shown, from /.test(l)), matrices.join('\n'));
  // The next step renews the words with the new values.
  const before = strips.map((s) => s.label).join('\n');
  await page.click('#step');
  await waitForStep(page, 4);
  await page.waitForFunction((b) => [...document.querySelectorAll('#probe .strip canvas')].map((c) => c.getAttribute('aria-label')).join('\n') !== b, before, { timeout: 10000 });
});

test('the network diagram is explored by keyboard: arrows move between nodes and links, the read-out is a live region', async () => {
  const page = await open('#v=1&data=xor&rule=np&hidden=3,2&at=10');
  await settled(page);
  const readout = () => page.textContent('#network-hover');
  assert.equal(await page.getAttribute('#network-hover', 'aria-live'), 'polite');
  await page.focus('#network');
  await page.keyboard.press('ArrowDown');
  assert.match(await readout(), /^input 2: value -?\d\.\d{4} for sample 0$/);
  await page.keyboard.press('ArrowUp');
  assert.match(await readout(), /^input 1: /);
  // Right: onto the first link leaving input 1; down: the next link leaving it.
  await page.keyboard.press('ArrowRight');
  assert.match(await readout(), /^weight from input 1 to layer 1 unit 1: w = -?\d\.\d{4}$/);
  await page.keyboard.press('ArrowDown');
  assert.match(await readout(), /^weight from input 1 to layer 1 unit 2: w = /);
  // The weight read out is the network's own (the diagram's weights from the engine).
  const w = Number((await readout()).match(/w = (-?\d\.\d{4})/)[1]);
  // Right again: the node at the link's end, in the big plot too.
  await page.keyboard.press('ArrowRight');
  assert.match(await readout(), /^layer 1, unit 2 of 3: value -?\d\.\d{4} for sample 0/);
  assert.match(await page.textContent('#boundary-title'), /layer 1, unit 2/);
  // Left: onto a link entering it; up and down move among those; left: the node it comes from.
  await page.keyboard.press('ArrowLeft');
  assert.match(await readout(), /^weight from input 1 to layer 1 unit 2: w = /);
  assert.equal(Number((await readout()).match(/w = (-?\d\.\d{4})/)[1]), w, 'the same link, entered from its other end');
  await page.keyboard.press('ArrowDown');
  assert.match(await readout(), /^weight from input 2 to layer 1 unit 2: /);
  await page.keyboard.press('ArrowLeft');
  assert.match(await readout(), /^input 2: /);
  // Through to the outputs, and End: the column's last node.
  for (const key of ['ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'End']) await page.keyboard.press(key);
  assert.match(await readout(), /^output 2: /);
  // The keys did not scroll the page.
  assert.equal(await page.evaluate(() => scrollY), 0);
});

// ---- 5. settings that answer where one looks ----

test('a refused value goes back to the value in force, with the message right under its field', async () => {
  const page = await open('#v=1&data=xor&rule=np&sigma=0.2', { viewport: { width: 1440, height: 900 } });
  await page.fill('#sigma', '-1');
  await page.press('#sigma', 'Enter');
  await page.waitForFunction(() => /sigma=-1/.test(document.getElementById('control-error').textContent));
  assert.equal(await page.inputValue('#sigma'), '0.2', 'the field shows the value the run keeps');
  assert.match(await page.textContent('#control-error'), /^sigma=-1: .*The run keeps sigma=0\.2\.$/);
  assert.match(page.url(), /sigma=0.2/);
  const field = await box(page, '[data-key=sigma]');
  const message = await box(page, '#control-error');
  assert.ok(message.top >= field.bottom - 1 && message.top - field.bottom < 12, `the message ${JSON.stringify(message)} sits right under the field ${JSON.stringify(field)}`);
  assert.ok(message.top >= 0 && message.bottom <= 901, `the message is on screen: ${JSON.stringify(message)}`);
  // A choice refused in a menu: the menu goes back too, and says why beside it.
  await page.selectOption('#mode', 'blind');
  await page.waitForFunction(() => /mode=blind/.test(document.getElementById('control-error').textContent));
  assert.equal(await page.inputValue('#mode'), 'clean');
  const mode = await box(page, '[data-key=mode]');
  const moved = await box(page, '#control-error');
  assert.ok(moved.top >= mode.bottom - 1 && moved.top - mode.bottom < 12, 'the message moved under the menu');
  // An accepted value clears it.
  await page.fill('#sigma', '0.05');
  await page.press('#sigma', 'Enter');
  await page.waitForFunction(() => location.hash.includes('sigma=0.05'));
  assert.equal(await page.isVisible('#control-error'), false);
  // A note on what a change did sits beside the setting changed too (lesson 5's try: blind noise
  // beside a compared anp:blind swaps the two).
  const blind = await open('#lesson=blind', { viewport: { width: 1440, height: 900 } });
  await blind.waitForFunction(() => /compare=anp(:|%3A)blind/.test(location.hash));
  await blind.selectOption('#mode', 'blind');
  await blind.waitForFunction(() => location.hash.includes('mode=blind'));
  assert.match(await blind.textContent('#control-note'), /anp:blind/);
  const blindMode = await box(blind, '[data-key=mode]');
  const note = await box(blind, '#control-note');
  assert.ok(note.top >= blindMode.bottom - 1 && note.top - blindMode.bottom < 12 && note.bottom <= 901, `the note ${JSON.stringify(note)} sits under the menu ${JSON.stringify(blindMode)}`);
});

test('a setting\'s help appears beside the setting pointed at or focused, on screen', async () => {
  const page = await open('#v=1&data=xor&rule=np', { viewport: { width: 1440, height: 900 } });
  assert.equal(await page.isVisible('#help'), false, 'no help box before a setting is pointed at');
  // A setting low in the column (the page scrolls to it): the help is beside it, not at the top.
  await page.locator('#seed').scrollIntoViewIfNeeded();
  await page.hover('#seed');
  await page.waitForSelector('#help:not([hidden])');
  assert.match(await page.textContent('#help'), /seed/);
  const seed = await box(page, '[data-key=seed]');
  const help = await box(page, '#help');
  assert.ok(help.top >= 0 && help.bottom <= 900, `the help ${JSON.stringify(help)} is on screen`);
  assert.ok(Math.min(Math.abs(help.top - seed.bottom), Math.abs(seed.top - help.bottom)) < 10, `the help ${JSON.stringify(help)} touches the setting ${JSON.stringify(seed)}`);
  // Keyboard focus: the same.
  await page.mouse.move(700, 300);
  await page.focus('#batch');
  assert.match(await page.textContent('#help'), /batch|samples/i);
  const batch = await box(page, '[data-key=batch]');
  const help2 = await box(page, '#help');
  assert.ok(Math.min(Math.abs(help2.top - batch.bottom), Math.abs(batch.top - help2.bottom)) < 10, 'beside the focused setting');
  // Near the bottom of the window the help opens above the setting, never below the fold.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.hover('[data-key=lr]');
  const lr = await box(page, '[data-key=lr]');
  const help3 = await box(page, '#help');
  assert.ok(help3.bottom <= 900 && help3.top >= 0, `the help ${JSON.stringify(help3)} is on screen (setting at ${lr.top})`);
});

// ---- 6. readable pictures ----

test('points keep their class readable on a saturated boundary; test points are rings', async () => {
  const page = await open('#v=1&data=xor&rule=np');
  // The plane's own drawing code on a canvas of 100 x 100 px, filled with the boundary's most
  // saturated blue; one blue training point at its centre, one blue test point beside it.
  const px = await page.evaluate(async () => {
    const { drawBoundary } = await import('./www/charts.js');
    const c = document.createElement('canvas');
    c.width = c.height = 100;
    c.style.width = c.style.height = '100px';
    document.body.append(c);
    const points = new Float32Array([0, 0, 1, 0, 0.5, 0, 1, 1]);
    drawBoundary(c, 2, new Float32Array([1, 1, 1, 1]), points, true, 1);
    const d = c.getContext('2d').getImageData(0, 0, 100, 100).data;
    const at = (x, y) => Array.from(d.slice(4 * (y * 100 + x), 4 * (y * 100 + x) + 3));
    const around = (cx, cy, r0, r1) => {
      const out = [];
      for (let y = cy - r1; y <= cy + r1; y++) for (let x = cx - r1; x <= cx + r1; x++) {
        const r = Math.hypot(x - cx, y - cy);
        if (r >= r0 && r <= r1) out.push(at(x, y));
      }
      return out;
    };
    c.remove();
    return { background: at(5, 5), centre: at(50, 50), rim: around(50, 50, 2.5, 5), testCentre: at(75, 50), testRing: around(75, 50, 3, 6) };
  });
  const BLUE = [8, 119, 189];
  const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  const lum = (c) => c.map((v) => v / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const contrast = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
  assert.ok(dist(px.centre, BLUE) < 10, `the training point is filled with its class's blue: ${px.centre}`);
  assert.ok(dist(px.background, BLUE) > 60, `the boundary under it is lighter than the point: ${px.background}`);
  assert.ok(px.rim.some((c) => contrast(c, px.background) >= 3), 'the point has an outline that stands out from the boundary');
  assert.ok(dist(px.testCentre, px.background) < 10, `the test point is a ring (hollow): ${px.testCentre}`);
  assert.ok(px.testRing.some((c) => dist(c, BLUE) < 10), 'the ring is in its class\'s colour');
  assert.ok(px.testRing.some((c) => contrast(c, px.background) >= 3), 'the ring is outlined');
});

test('compared boundaries are large enough to compare; chart text is at least 12 CSS px', async () => {
  const page = await open('#v=1&data=xor&rule=np&compare=inp,anp&at=20', { viewport: { width: 1440, height: 900 } });
  await page.evaluate(() => {
    // Every text drawn on a page canvas, with its size on screen.
    window.npFonts = [];
    const fill = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (...a) {
      const c = this.canvas;
      const size = Number(this.font.match(/([\d.]+)px/)?.[1]);
      if (c.clientWidth) window.npFonts.push({ id: c.id || c.className || c.parentElement?.className, text: a[0], css: (size * c.clientWidth) / c.width });
      return fill.apply(this, a);
    };
  });
  await waitForStep(page, 20);
  await settled(page);
  // Redraw everything with the recorder in place (a resize redraws the charts; the thumbnails are
  // drawn once at start, so draw them again the page's way).
  await page.setViewportSize({ width: 1439, height: 900 });
  await page.click('#step');
  await waitForStep(page, 21);
  await settled(page);
  await page.evaluate(async () => {
    const { drawThumbnails } = await import('./www/controls.js');
    const { wasm } = await import('./www/engine.js');
    drawThumbnails((d) => wasm().datasetPreview(d, 200));
  });
  const fonts = await page.evaluate(() => window.npFonts);
  for (const want of ['loss-chart', 'accuracy-chart', 'alignment-chart', 'network', 'hist-0']) {
    assert.ok(fonts.some((f) => f.id === want), `${want} drew text`);
  }
  assert.ok(fonts.some((f) => f.id === 'thumb'), 'the thumbnails drew text');
  const small = fonts.filter((f) => f.css < 11.95);
  assert.deepEqual(small, [], 'chart text smaller than 12 CSS px');
  const sizes = await page.evaluate(() => [...document.querySelectorAll('#boundaries canvas')].map((c) => c.getBoundingClientRect().width));
  assert.equal(sizes.length, 2);
  for (const s of sizes) assert.ok(s >= 150, `a compared boundary is ${s} px wide`);
});

// ---- 7. the classroom and the phone ----

test('a classroom link hiding the settings leaves no empty column; the share dialog names what each box hides', async () => {
  const page = await open('#v=1&data=xor&rule=np&hide=settings,data,network,rule,compare&at=5', { viewport: { width: 1440, height: 900 } });
  await settled(page);
  const layout = await box(page, '.layout');
  const network = await box(page, '#network-panel');
  assert.ok(network.left - layout.left <= 13, `the network panel starts at the layout's edge (${network.left - layout.left} px in)`);
  const side = await box(page, '#plane-panel');
  assert.ok(layout.right - side.right <= 13, 'the plane column reaches the right edge');
  // Hiding the settings' groups alone closes the column too, and so do the lower panels.
  const groups = await open('#v=1&data=xor&rule=np&hide=data,network,rule,compare,noise', { viewport: { width: 1440, height: 900 } });
  assert.ok((await box(groups, '#network-panel')).left - (await box(groups, '.layout')).left <= 13, 'no empty settings column');
  const acts = await box(groups, '#acts-panel');
  assert.ok(acts.left - (await box(groups, '.layout')).left <= 13, 'the activations take the whole bottom row');
  // The network and the curves hidden: the plane's column moves up to the settings.
  const mid = await open('#v=1&data=xor&rule=np&hide=diagram,curves', { viewport: { width: 1440, height: 900 } });
  const gap = (await box(mid, '#plane-panel')).left - (await box(mid, '#controls')).right;
  assert.ok(gap <= 11, `${gap} px between the settings and the plane`);
  // The share dialog: one box per group, each named by what it hides, no two alike.
  const dialog = await open('#v=1&data=xor&rule=np', { viewport: { width: 1440, height: 900 } });
  await dialog.click('#share-class');
  const names = await dialog.$$eval('#share-hide label', (ls) => ls.map((l) => l.textContent.trim()));
  assert.equal(new Set(names).size, names.length, `${names}`);
  assert.ok(names.includes('the network diagram') && names.includes('the hidden layers, activation and loss'), `${names}`);
  await dialog.check('#share-hide input[value=network]');
  assert.match(await dialog.inputValue('#share-link'), /hide=network(&|$)/);
});

test('390x844 with touch: every control at least 24x24 px, the class picker by the plane, Play always reachable, no keyboard-only instructions', async () => {
  const page = await open('#v=1&data=xor&rule=np&compare=inp&at=10', PHONE);
  await settled(page);
  const small = await page.evaluate(() => {
    const controls = [...document.querySelectorAll('button, select, input, textarea, summary, a[href], [tabindex="0"], label.file')]
      .filter((el) => !el.classList.contains('visually-hidden') && el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden');
    return {
      count: controls.length,
      small: controls.map((el) => ({ el: el.id || el.name || el.value || el.textContent.trim().slice(0, 20), r: el.getBoundingClientRect() }))
        .filter(({ r }) => r.width < 24 || r.height < 24).map(({ el, r }) => `${el} ${Math.round(r.width)}x${Math.round(r.height)}`),
    };
  });
  assert.ok(small.count > 50, `${small.count} controls measured`);
  assert.deepEqual(small.small, [], 'controls smaller than 24x24 CSS px');
  // The class picker sits right under the plane.
  const plane = await box(page, '#boundary');
  const picker = await box(page, '.class-pick');
  assert.ok(picker.top >= plane.bottom && picker.top - plane.bottom < 80, `the picker is ${picker.top - plane.bottom} px below the plane`);
  // Scrolled to the bottom of the page: Play is on screen and takes a tap.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const play = await box(page, '[data-testid=play]');
  assert.ok(play.top >= 0 && play.bottom <= 844, `Play at ${JSON.stringify(play)}`);
  assert.ok(await page.evaluate(() => document.documentElement.scrollHeight > 3 * innerHeight), 'the page was scrolled far');
  await page.tap('[data-testid=play]');
  assert.equal(await text(page, 'play'), '❚❚ Pause');
  await page.tap('[data-testid=play]');
  assert.ok((await box(page, 'header')).height < 0.15 * 844 || (await box(page, 'header')).bottom <= 0.15 * 844, 'what stays of the header is small');
  // No instruction that needs a keyboard or a mouse.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.tap('#boundary', { position: { x: 40, y: 40 } });
  for (let i = 0; i < 5; i++) await page.tap('#boundary', { position: { x: 60 + 30 * i, y: 200 } });
  await page.waitForFunction(() => location.hash.includes('data=points'));
  await page.waitForFunction(() => document.getElementById('boundary-note').textContent !== '');
  for (const id of ['boundary-note', 'network-hover', 'draw-hint']) {
    assert.doesNotMatch(await page.textContent(`#${id}`), /shift|hover|arrow key/i, `#${id}`);
  }
  // The radio for orange takes a first tap.
  await page.tap('input[name=draw-class][value="0"]');
  assert.ok(await page.isChecked('input[name=draw-class][value="0"]'));
});
