// Page tests of issue 20 (TensorFlow Playground parity): the biases on the diagram, the + and −
// buttons, the menus of values, the features picker, the weight editor's round trip to the CLI,
// regression's colouring, discretize and the weights' export. Playwright against the served page,
// as tests/page.mjs sets it up (the wasm build in www/pkg, the release CLI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, settled, text, cliChecksum, SHOTS } from './page.mjs';

const h = harness();
const open = (...a) => h.open(...a);

/** The link's value of `key` in the page's URL. */
const key = (page, k) => new URL(page.url()).hash.slice(1).split('&').find((kv) => kv.startsWith(`${k}=`))?.slice(k.length + 1);
const waitKey = (page, k, value) => page.waitForFunction(([k, v]) => location.hash.slice(1).split('&').includes(`${k}=${v}`), [k, value], { timeout: 10000 })
  .catch(() => assert.fail(`the link has ${k}=${value}: ${page.url()}`));

/** Where bias marker `k` of layer `l` is on screen (CSS px, the page's coordinates), and the
 *  colour drawn at its centre. */
async function biasMarker(page, l, k) {
  return page.evaluate(async ([l, k]) => {
    const d = await import(new URL('www/diagram.js', document.baseURI).href);
    const { layout, diagram } = window.npTest.diagram();
    const n = layout.nodes[l][k];
    const box = d.biasBox(n, diagram.biases[l - 1][k], d.biasScale(diagram));
    const canvas = document.getElementById('network');
    const scale = canvas.width / canvas.clientWidth;
    const r = canvas.getBoundingClientRect();
    const cx = box.x + box.side / 2;
    const cy = box.y + box.side / 2;
    const px = canvas.getContext('2d').getImageData(Math.round(cx), Math.round(cy), 1, 1).data;
    return { x: r.left + canvas.clientLeft + cx / scale, y: r.top + canvas.clientTop + cy / scale, rgb: [px[0], px[1], px[2]], value: diagram.biases[l - 1][k] };
  }, [l, k]);
}

test('every node shows its bias: a marker in its colour, its value on hover and by keyboard', async () => {
  const page = await open('#v=1&data=xor&rule=np&hidden=4,3&at=30');
  await settled(page);
  const m = await biasMarker(page, 1, 0);
  assert.ok(m.value !== 0, 'after 30 steps the bias has moved from 0');
  // Painted in the diverging colours: blue for a positive bias, orange for a negative one.
  const [r, , b] = m.rgb;
  assert.ok(m.value > 0 ? b > r : r > b, `the marker's colour ${m.rgb} follows the sign of ${m.value}`);
  await page.mouse.move(m.x, m.y);
  await page.waitForFunction(() => /^bias of layer 1 unit 1: b = /.test(document.getElementById('network-hover').textContent));
  const shown = Number((await page.textContent('#network-hover')).match(/b = (\S+)/)[1]);
  assert.ok(Math.abs(shown - m.value) < 1e-4, `hover shows ${shown}, the engine's bias is ${m.value}`);
  // The output's bias too; and from a node, B moves the keyboard's cursor onto its bias.
  const out = await biasMarker(page, 3, 1);
  await page.mouse.move(out.x, out.y);
  await page.waitForFunction(() => /^bias of output 2: b = /.test(document.getElementById('network-hover').textContent));
  await page.mouse.move(1, 1);
  await page.focus('#network');
  for (const k of ['ArrowRight', 'ArrowRight', 'b']) await page.keyboard.press(k);
  assert.match(await page.textContent('#network-hover'), /^bias of layer 1 unit 1: b = /);
  assert.match(await page.textContent('#legend'), /bias/);
});

test('the diagram\'s + and − change hidden= (layers above the diagram, neurons above each column), within the bounds', async () => {
  const page = await open('#v=1&data=xor&rule=np&hidden=4,3');
  await page.click('[aria-label="add a neuron to hidden layer 1"]');
  await waitKey(page, 'hidden', '5,3');
  await page.click('[aria-label="remove a neuron from hidden layer 2"]');
  await waitKey(page, 'hidden', '5,2');
  await page.click('#net-layers [aria-label="add a hidden layer"]');
  await waitKey(page, 'hidden', '5,2,2');
  await page.click('#net-layers [aria-label="remove a hidden layer"]');
  await waitKey(page, 'hidden', '5,2');
  // The diagram follows, and says how many layers it has.
  await page.waitForFunction(() => document.getElementById('network-note').textContent.startsWith('2-5-2-2'));
  assert.match(await page.textContent('#net-layers'), /2 layers/);
  assert.equal(await page.getAttribute('#net-layers', 'aria-label'), 'hidden layers');
  // Each pair sits above its own column: left to right, inside the diagram's width.
  const xs = await page.$$eval('#layer-tools .neurons', (gs) => gs.map((g) => g.getBoundingClientRect()).map((r) => r.left + r.width / 2));
  const net = await page.$eval('#network', (c) => c.getBoundingClientRect().toJSON());
  assert.equal(xs.length, 2);
  assert.ok(xs[0] > net.left + net.width * 0.15 && xs[0] < xs[1] && xs[1] < net.right - net.width * 0.15, `columns at ${xs} in ${net.left}..${net.right}`);
  // The bounds: one neuron cannot lose its last, eight layers take no ninth.
  const small = await open('#v=1&data=xor&rule=np&hidden=1,1,1,1,1,1,1,1');
  assert.ok(await small.isDisabled('[aria-label="remove a neuron from hidden layer 1"]'));
  assert.ok(await small.isDisabled('#net-layers [aria-label="add a hidden layer"]'));
  await small.click('[aria-label="add a neuron to hidden layer 8"]');
  await waitKey(small, 'hidden', '1,1,1,1,1,1,1,2');
  // A classroom link that hides the network's settings hides these buttons and the features too.
  const locked = await open('#v=1&data=xor&rule=np&hidden=4,3&hide=network');
  await settled(locked);
  assert.ok(await locked.isHidden('#net-layers') && await locked.isHidden('#neurons') && await locked.isHidden('#features'));
});

test('the numeric settings offer menus of values and still take an exact value', async () => {
  const page = await open('#v=1&data=xor&rule=np');
  for (const k of ['lr', 'sigma', 'train', 'noise', 'batch']) {
    const options = await page.$$eval(`[data-key="${k}"] input[list] + datalist option`, (os) => os.map((o) => Number(o.value)));
    assert.ok(options.length >= 5, `${k} offers a menu: ${options}`);
    const [min, max] = await page.$eval(`[data-key="${k}"] input`, (i) => [Number(i.min), Number(i.max)]);
    assert.ok(options.every((v) => v >= min && v <= max), `${k}'s menu within ${min}..${max}: ${options}`);
  }
  const lrs = await page.$$eval('#lr-values option', (os) => os.map((o) => Number(o.value)));
  assert.ok(lrs.includes(0.003) && lrs.includes(0.03) && lrs.includes(0.3), `TensorFlow Playground's rates: ${lrs}`);
  await page.fill('#lr', '0.003');
  await page.press('#lr', 'Enter');
  await waitKey(page, 'lr', '0.003');
  await page.fill('#lr', '0.0123');
  await page.press('#lr', 'Enter');
  await waitKey(page, 'lr', '0.0123');
  await page.fill('#batch', '16');
  await page.press('#batch', 'Enter');
  await waitKey(page, 'batch', '16');
  // The penalty and its rate: a menu of TensorFlow Playground's rates, and any value in range.
  assert.equal(await page.inputValue('#reg'), 'none', 'a key left out of the link shows its default');
  const rates = await page.$$eval('[data-key="reg_rate"] datalist option', (os) => os.map((o) => Number(o.value)));
  assert.ok(rates.includes(0.001) && rates.includes(0.03) && rates.includes(10), `${rates}`);
  await page.selectOption('#reg', 'l2');
  await waitKey(page, 'reg', 'l2');
  await page.fill('#reg_rate', '0.03');
  await page.press('#reg_rate', 'Enter');
  await waitKey(page, 'reg_rate', '0.03');
});

test('the features picker writes features= and the input nodes follow (the plane\'s data only)', async () => {
  const page = await open('#v=1&data=circle&rule=np&hidden=2');
  const pressed = () => page.$$eval('#features button[aria-pressed=true]', (bs) => bs.map((b) => b.dataset.feature));
  assert.equal(await page.locator('#features button').count(), 7, 'the seven features of TensorFlow Playground');
  assert.deepEqual(await pressed(), ['x1', 'x2']);
  await page.click('#features [data-feature=x1sq]');
  await waitKey(page, 'features', 'x1,x2,x1sq');
  await page.waitForFunction(() => document.getElementById('network-note').textContent.startsWith('3-2-2'));
  await page.click('#features [data-feature=x2sq]');
  await page.click('#features [data-feature=x1]');
  await waitKey(page, 'features', 'x2,x1sq,x2sq');
  await page.click('#features [data-feature=x2]');
  await waitKey(page, 'features', 'x1sq,x2sq');
  assert.deepEqual(await pressed(), ['x1sq', 'x2sq']);
  await settled(page);
  // The input node reads its feature: hovering it names it.
  const { x, y } = await page.evaluate(() => {
    const { layout } = window.npTest.diagram();
    const c = document.getElementById('network');
    const k = c.width / c.clientWidth;
    const r = c.getBoundingClientRect();
    const n = layout.nodes[0][1];
    return { x: r.left + c.clientLeft + (n.x + n.size / 2) / k, y: r.top + c.clientTop + (n.y + n.size / 2) / k };
  });
  await page.mouse.move(x, y);
  await page.waitForFunction(() => /^input 2 \(x2sq\)/.test(document.getElementById('network-hover').textContent));
  // The last feature stays: it cannot be left out.
  await page.click('#features [data-feature=x1sq]');
  await waitKey(page, 'features', 'x2sq');
  assert.ok(await page.isDisabled('#features [data-feature=x2sq]'));
  // The digits have no plane: no features picker.
  const digits = await open('#v=1&data=mnist14&rule=bp');
  assert.ok(!await digits.isVisible('#features'));
});

/** A point of the link from node `q` of column `l - 1` to node `j` of column `l` on screen (a
 *  third of the way along, where links rarely cross), with the units it joins. */
async function linkMiddle(page, l, j, q) {
  return page.evaluate(([l, j, q]) => {
    const { layout } = window.npTest.diagram();
    const c = document.getElementById('network');
    const k = c.width / c.clientWidth;
    const r = c.getBoundingClientRect();
    const i = layout.nodes[l - 1][q];
    const o = layout.nodes[l][j];
    // The curve's y at a third of its width is close to a smoothstep between its ends.
    const t = 0.3;
    const x = i.x + i.size + t * (o.x - i.x - i.size);
    const y = i.y + i.size / 2 + (o.y - i.y) * t * t * (3 - 2 * t);
    return { x: r.left + c.clientLeft + x / k, y: r.top + c.clientTop + y / k, in: i.unit, out: o.unit };
  }, [l, j, q]);
}

test('a weight edited on the diagram goes into the link (edit=) and the CLI replays it to the same checksum', async () => {
  const config = 'v=1&data=xor&rule=np&hidden=4,3';
  const page = await open(`#${config}&at=20`);
  await settled(page);
  const before = await text(page, 'checksum');
  const link = await linkMiddle(page, 2, 1, 2);
  await page.mouse.click(link.x, link.y);
  await page.waitForSelector('#weight-edit:not([hidden])');
  assert.match(await page.textContent('#weight-edit-name'), /^weight from layer 1 unit 3 to layer 2 unit 2 =/);
  assert.ok(await page.evaluate(() => document.activeElement.id === 'weight-value'), 'the field has the focus');
  // Escape cancels: nothing changes.
  await page.keyboard.press('Escape');
  assert.ok(await page.isHidden('#weight-edit'));
  assert.equal(key(page, 'edit'), undefined);
  // A value that is not a number is refused with a reason; Enter applies a number.
  await page.mouse.click(link.x, link.y);
  await page.fill('#weight-value', 'abc');
  await page.press('#weight-value', 'Enter');
  assert.match(await page.textContent('#edit-effect'), /"abc" is not a number/);
  await page.fill('#weight-value', '1.5');
  await page.press('#weight-value', 'Enter');
  await waitKey(page, 'edit', `20:2:${link.out}:${link.in}:1.5`);
  await page.waitForFunction(() => /dL = /.test(document.getElementById('edit-effect').textContent), null, { timeout: 20000 });
  await settled(page);
  assert.equal(await text(page, 'step'), '20');
  const edited = await text(page, 'checksum');
  assert.notEqual(edited, before, 'the edit changed the weights');
  const run = new URL(page.url()).hash.slice(1).split('&').filter((kv) => !kv.startsWith('at=')).join('&');
  assert.equal(edited, cliChecksum(run, 20), 'the CLI replays the edited link to the page\'s checksum');
  // The effect: the loss before and after on the current minibatch, their difference, and the
  // credit NP would read from it (dL over the change), every figure the engine's.
  const said = await page.textContent('#edit-effect');
  const n = (re) => Number(said.match(re)[1]);
  const [l0, l1, dl] = [n(/loss went from (\S+) to/), n(/to (\S+?): dL/), n(/dL = (\S+) \(/)];
  assert.ok(Math.abs(l1 - l0 - dl) < 2e-4, `dL ${dl} = ${l1} - ${l0}`);
  const delta = n(/Δ (\S+)\)/);
  assert.ok(Math.abs(n(/dL\/Δ = (\S+?)[; ]/) - dl / delta) < 1e-3 * Math.max(1, Math.abs(dl / delta)), `the credit is dL/Δ: ${said}`);
  // A bias, from the keyboard: Enter on it edits it; a second edit is appended, and a step on
  // still gives the CLI's checksum.
  await page.focus('#network');
  for (const k of ['ArrowRight', 'ArrowRight', 'b', 'Enter']) await page.keyboard.press(k);
  await page.waitForSelector('#weight-edit:not([hidden])');
  assert.match(await page.textContent('#weight-edit-name'), /^bias of layer 1 unit 1 =/);
  await page.fill('#weight-value', '-0.25');
  await page.press('#weight-value', 'Enter');
  await waitKey(page, 'edit', `20:2:${link.out}:${link.in}:1.5,20:1:0:b:-0.25`);
  await settled(page);
  await page.click('#step');
  await page.waitForFunction(() => document.querySelector('[data-testid=step]').textContent === '21');
  await settled(page);
  const run2 = new URL(page.url()).hash.slice(1).split('&').filter((kv) => !kv.startsWith('at=')).join('&');
  assert.equal(await text(page, 'checksum'), cliChecksum(run2, 21));
  // While training runs, a click does not edit: it says to pause.
  await page.click('#play');
  const again = await linkMiddle(page, 2, 1, 2);
  await page.mouse.click(again.x, again.y);
  await page.waitForFunction(() => /pause training to edit it/.test(document.getElementById('network-hover').textContent));
  assert.ok(await page.isHidden('#weight-edit'));
  await page.click('#play');
});

test('a weight edited while the runs are split over two workers is made in every run at once (no replay), each with the CLI\'s checksum', async () => {
  const page = await open('#v=1&data=xor&rule=np&hidden=4,3&compare=bp&seeds=2&workers=2&at=20');
  await settled(page);
  assert.deepEqual(await page.evaluate(() => window.npTest.held()), [2, 2], 'the four runs are split over two workers');
  // Every step the page shows from now on: a replay would start the runs again from step 0.
  await page.evaluate(() => {
    window.stepsSeen = [];
    const el = document.querySelector('[data-testid=step]');
    new MutationObserver(() => window.stepsSeen.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
  });
  const link = await linkMiddle(page, 2, 1, 2);
  await page.mouse.click(link.x, link.y);
  await page.waitForSelector('#weight-edit:not([hidden])');
  await page.fill('#weight-value', '1.5');
  await page.press('#weight-value', 'Enter');
  await waitKey(page, 'edit', `20:2:${link.out}:${link.in}:1.5`);
  await page.waitForFunction(() => /dL = /.test(document.getElementById('edit-effect').textContent), null, { timeout: 20000 });
  await settled(page);
  const runs = await page.evaluate(() => window.npTest.runs());
  assert.equal(runs.length, 4);
  for (const r of runs) {
    assert.equal(r.step, 20);
    assert.match(r.config, new RegExp(`edit=20:2:${link.out}:${link.in}:1\\.5`), `${r.rule}: the edit is in its config`);
    assert.equal(r.checksum, cliChecksum(r.config, 20), `${r.rule}: ${r.config}`);
  }
  assert.deepEqual([...new Set(await page.evaluate(() => window.stepsSeen))].filter((s) => s !== '20'), [], 'no replay: the page stayed on step 20');
  // A step on: every run, on both workers, goes on from its edited weights.
  await page.click('#step');
  await page.waitForFunction(() => document.querySelector('[data-testid=step]').textContent === '21');
  await settled(page);
  for (const r of await page.evaluate(() => window.npTest.runs())) assert.equal(r.checksum, cliChecksum(r.config, 21), `${r.rule} at 21`);
});

test('regression: the plane coloured by the predicted value with its legend, no accuracy', async () => {
  const page = await open('#v=1&data=plane&rule=np&at=60');
  await settled(page);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.match(await page.textContent('#boundary-title'), /^Predicted value: np/);
  assert.ok(await page.isVisible('#plane-legend'));
  assert.match(await page.textContent('#plane-legend'), /predicted value\s*-\d\.\d+.*\+\d\.\d+/);
  assert.equal(await text(page, 'test-accuracy'), '–');
  assert.ok(await page.isHidden('#accuracy-chart'), 'no accuracy chart for regression');
  assert.match(await page.textContent('#eval-note'), /no accuracy/);
  // The plane is not blank and not one colour: the plane's value rises toward the top right, so
  // the bottom-left corner is orange and the top-right blue.
  const corners = await page.evaluate(() => {
    const c = document.getElementById('boundary');
    const ctx = c.getContext('2d');
    const at = (x, y) => Array.from(ctx.getImageData(Math.round(x * c.width), Math.round(y * c.height), 1, 1).data.slice(0, 3));
    return { bl: at(0.03, 0.97), tr: at(0.97, 0.03) };
  });
  assert.ok(corners.bl[0] > corners.bl[2] + 40, `bottom left orange: ${corners.bl}`);
  assert.ok(corners.tr[2] > corners.tr[0] + 40, `top right blue: ${corners.tr}`);
  assert.match(await page.getAttribute('#boundary', 'aria-label'), /predicted value over the plane from -\d/);
  // The noise panel names the sample's real target (not a class).
  await page.waitForFunction(() => /\(target -?\d\.\d{3}\)/.test(document.querySelector('#probe .probe-head')?.textContent ?? ''), null, { timeout: 10000 })
    .catch(async () => assert.fail(`the probe names the target: ${await page.textContent('#probe .probe-head').catch(() => 'no probe')}`));
  assert.doesNotMatch(await page.textContent('#probe .probe-head'), /class/);
});

test('discretize=1 draws the output in two colours and leaves the run alone (same checksum)', async () => {
  const page = await open('#v=1&data=circle&rule=np&at=40');
  await settled(page);
  const checksum = await text(page, 'checksum');
  // The share of the plane's pixels in its two most common colours.
  const twoColours = () => page.evaluate(() => {
    const c = document.getElementById('boundary');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const count = new Map();
    for (let i = 0; i < d.length; i += 4) {
      const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
      count.set(k, (count.get(k) ?? 0) + 1);
    }
    const top = [...count.values()].sort((a, b) => b - a);
    return (top[0] + (top[1] ?? 0)) / (d.length / 4);
  });
  const smooth = await twoColours();
  await page.check('#discretize');
  await waitKey(page, 'discretize', '1');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const two = await twoColours();
  assert.ok(two > 0.85 && smooth < 0.6, `two colours cover ${two} of the plane discretized, ${smooth} before`);
  assert.equal(await text(page, 'checksum'), checksum, 'the view only');
  assert.ok(await page.isVisible('#plane-legend'));
  // The link opens discretized.
  const again = await open(`#v=1&data=circle&rule=np&discretize=1&at=40`);
  await settled(again);
  assert.ok(await again.isChecked('#discretize'));
  assert.equal(await text(again, 'checksum'), checksum);
});

test('Export weights downloads every layer\'s W and b as JSON, named after the run', async () => {
  const page = await open('#v=1&data=xor&rule=dnp&hidden=4&at=10');
  await settled(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-weights')]);
  assert.equal(download.suggestedFilename(), 'np-playground-weights-xor-dnp-seed1-step10.json');
  const { readFile } = await import('node:fs/promises');
  const json = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(json.checksum, await text(page, 'checksum'));
  assert.match(json.config, /rule=dnp/);
  assert.equal(json.layers.length, 2);
  const [l1, l2] = json.layers;
  assert.deepEqual([l1.W.length, l1.W[0].length, l1.b.length], [4, 2, 4]);
  assert.deepEqual([l2.W.length, l2.W[0].length, l2.b.length], [2, 4, 2]);
  assert.ok(Array.isArray(l1.R), 'a decorrelated rule exports R');
  // The biases drawn are the ones exported.
  const shown = await page.evaluate(() => window.npTest.diagram().diagram.biases[0]);
  shown.forEach((b, i) => assert.ok(Math.abs(b - l1.b[i]) < 1e-6));
});

test('the diagram\'s controls at 1440, 1024 and 390 wide: targets of at least 24 x 24 px that do not overlap; screenshots', async () => {
  for (const [width, height] of [[1440, 900], [1024, 768], [390, 844]]) {
    const page = await open('#v=1&data=multigauss&rule=np&hidden=6,6,4&features=x1,x2,x1x2&at=30', { viewport: { width, height } });
    await settled(page);
    const boxes = await page.$$eval('#net-layers button, #layer-tools button, #features button, #export-weights', (bs) => bs.map((b) => ({ name: b.getAttribute('aria-label') ?? b.textContent, ...b.getBoundingClientRect().toJSON() })));
    assert.equal(boxes.length, 2 + 3 * 2 + 7 + 1);
    for (const b of boxes) assert.ok(b.width >= 24 && b.height >= 24, `${width}: ${b.name} is ${b.width} x ${b.height}`);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const overlap = a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
        assert.ok(!overlap, `${width}: ${a.name} overlaps ${b.name}`);
      }
    }
    await page.screenshot({ path: `${SHOTS}tfp-regression-${width}x${height}.png` });
    const link = await linkMiddle(page, 2, 0, 1);
    await page.mouse.click(link.x, link.y);
    await page.waitForSelector('#weight-edit:not([hidden])');
    await page.locator('#network-panel').screenshot({ path: `${SHOTS}tfp-edit-${width}x${height}.png` });
  }
});
