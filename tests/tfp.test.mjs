// Page tests of issue 20 (TensorFlow Playground parity): the biases on the diagram, the + and −
// buttons, the menus of values, the features picker, the weight editor's round trip to the CLI,
// regression's colouring, discretize and the weights' export. Playwright against the served page,
// as tests/page.mjs sets it up (the wasm build in www/pkg, the release CLI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, settled, text, cliChecksum } from './page.mjs';

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
  await page.click('#layer-tools [aria-label="add a hidden layer"]');
  await waitKey(page, 'hidden', '5,2,2');
  await page.click('#layer-tools [aria-label="remove a hidden layer"]');
  await waitKey(page, 'hidden', '5,2');
  // The diagram follows, and says how many layers it has.
  await page.waitForFunction(() => document.getElementById('network-note').textContent.startsWith('2-5-2-2'));
  assert.match(await page.textContent('#layer-tools'), /2 hidden layers/);
  // Each pair sits above its own column: left to right, inside the diagram's width.
  const xs = await page.$$eval('#layer-tools .neurons', (gs) => gs.map((g) => g.getBoundingClientRect()).map((r) => r.left + r.width / 2));
  const net = await page.$eval('#network', (c) => c.getBoundingClientRect().toJSON());
  assert.equal(xs.length, 2);
  assert.ok(xs[0] > net.left + net.width * 0.15 && xs[0] < xs[1] && xs[1] < net.right - net.width * 0.15, `columns at ${xs} in ${net.left}..${net.right}`);
  // The bounds: one neuron cannot lose its last, eight layers take no ninth.
  const small = await open('#v=1&data=xor&rule=np&hidden=1,1,1,1,1,1,1,1');
  assert.ok(await small.isDisabled('[aria-label="remove a neuron from hidden layer 1"]'));
  assert.ok(await small.isDisabled('#layer-tools [aria-label="add a hidden layer"]'));
  await small.click('[aria-label="add a neuron to hidden layer 8"]');
  await waitKey(small, 'hidden', '1,1,1,1,1,1,1,2');
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
});
