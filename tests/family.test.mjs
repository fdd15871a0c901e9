// Issue 18 in the page: weight perturbation (wp) and the forward gradients (fgw, fga) in the
// grouped rule menu, trained in the page with the command-line runner's checksum, walked through
// in slow motion and shown in the noise panel, and the two lessons that set them beside NP.
// Same harness as the other page tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, settled, text, waitForStep, cliChecksum } from './page.mjs';

const h = harness();
const open = (...a) => h.open(...a);

/** The sub-steps of the walk through the last step: title and narration of each. */
async function walkTitles(page) {
  await page.click('[data-testid=walk]');
  await page.waitForSelector('#walk-bar:not([hidden])');
  await page.click('#walk-pause');
  const count = await page.evaluate(() => Number(document.getElementById('walk-count').textContent.match(/of (\d+)/)[1]));
  const steps = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await page.click('#walk-next');
    await page.waitForFunction((n) => document.getElementById('walk-count').textContent.includes(`${n} of`), i + 1);
    steps.push({
      title: (await page.textContent('#walk-count')).split(' · ')[0],
      narration: await text(page, 'walk-narration'),
      legend: await page.textContent('#legend'),
    });
  }
  return steps;
}

test('the rule menu groups the rules, each group explained in the control\'s help', async () => {
  const page = await open('#v=1&data=xor');
  const groups = await page.evaluate(() => [...document.querySelectorAll('#rule optgroup')].map((g) => ({
    label: g.label, title: g.title, rules: [...g.querySelectorAll('option')].map((o) => o.value),
  })));
  assert.deepEqual(groups.map((g) => g.label), ['perturbation of units', 'perturbation of weights', 'exact derivatives', 'backprop']);
  assert.deepEqual(groups.map((g) => g.rules), [['np', 'dnp', 'inp', 'dinp', 'anp', 'danp'], ['wp', 'dwp'], ['fgw', 'dfgw', 'fga', 'dfga'], ['bp', 'dbp']]);
  assert.ok(groups.every((g) => g.title.length > 20), 'every group has its explanation');
  assert.equal(await page.evaluate(() => document.querySelectorAll('#rule > option').length), 0, 'no rule outside a group');
  // The control's help names every group with its explanation.
  await page.hover('[data-key=rule]');
  await page.waitForSelector('#help:not([hidden])');
  const help = await page.textContent('#help');
  for (const g of groups) assert.ok(help.includes(g.title), `the help explains ${g.label}`);
  // Step units: the forward gradients are greyed out with the reason, as BP is; wp is not.
  const step = await open('#v=1&data=xor&act=step');
  const disabled = await step.evaluate(() => Object.fromEntries([...document.querySelectorAll('#rule option')].map((o) => [o.value, o.disabled ? o.title : ''])));
  for (const r of ['fgw', 'fga', 'bp']) assert.match(disabled[r], /cannot train step units/, r);
  assert.equal(disabled.wp, '');
  assert.equal(disabled.np, '');
});

for (const [rule, extra] of [['wp', '&sigma=0.01'], ['fga', '']]) {
  test(`${rule} trains in the page with the command-line runner's checksum`, async () => {
    const config = `v=1&data=xor&rule=${rule}&hidden=6,6${extra}`;
    const page = await open(`#${config}&at=60`);
    await waitForStep(page, 60);
    await settled(page);
    assert.equal(await page.inputValue('#rule'), rule);
    assert.match(await text(page, 'train-loss'), /^\d+\.\d+$/);
    assert.equal(await text(page, 'checksum'), cliChecksum(config, 60));
    // A step more: the step advances and the loss is shown.
    await page.click('#step');
    await waitForStep(page, 61);
    await settled(page);
    assert.match(await text(page, 'train-loss'), /^\d+\.\d+$/);
  });
}

test('the walk for wp jitters the links, runs the noisy pass and moves every weight along its noise', async () => {
  const page = await open('#v=1&data=xor&rule=wp&hidden=5&sigma=0.05&at=10');
  await settled(page);
  const steps = await walkTitles(page);
  assert.deepEqual(steps.map((s) => s.title), ['clean pass', 'weight noise', 'noisy pass', 'loss change', 'update along ξ', 'this sample\'s share', 'estimate G', 'step applied']);
  assert.match(steps[1].legend, /links: weight noise ξ/);
  assert.match(steps[3].narration, /WP uses only the minibatch's mean, dL = \S+ over the B = 10 samples/);
  assert.match(steps[4].narration, /No backward pass is needed/);
  assert.match(steps[5].narration, /B = 10/);
  // The noise panel shows the weight noise and the minibatch's dL.
  assert.match(await page.textContent('#probe .probe-dl'), /^draw 1: this sample's loss change dL = \S+, the minibatch's = \S+ \(the one dL the update uses\)$/);
  const labels = await page.locator('#probe .probe-layer').first().locator('.strip-label').allTextContents();
  assert.ok(labels.some((l) => /^weight noise ξ \(5×2, draw 1\)$/.test(l)), labels.join(' | '));
  assert.ok(labels.includes('bias noise ξ, draw 1'), labels.join(' | '));
});

test('the walks for fgw and fga show the tangent, the forward wave and d; the panel their probes', async () => {
  const fgw = await open('#v=1&data=xor&rule=fgw&hidden=5&at=10');
  await settled(fgw);
  const w = await walkTitles(fgw);
  assert.deepEqual(w.map((s) => s.title), ['clean pass', 'tangent', 'forward wave', 'derivative d', 'update along v', 'this sample\'s share', 'estimate G', 'step applied']);
  assert.match(w[1].legend, /links: tangent v/);
  assert.match(w[2].legend, /nodes: derivative ȧ along v/);
  assert.ok((await fgw.locator('#probe .probe-layer').first().locator('.strip-label').allTextContents()).includes('forward wave ȧ, draw 1'));
  const fga = await open('#v=1&data=xor&rule=fga&hidden=5&at=10');
  await settled(fga);
  const a = await walkTitles(fga);
  assert.deepEqual(a.map((s) => s.title), ['clean pass', 'tangent', 'forward wave', 'derivative d', 'credit', 'this sample\'s share', 'estimate G', 'step applied']);
  assert.match(a[3].narration, /what NP's dL\/σ tends to as σ → 0/);
  const labels = await fga.locator('#probe .probe-layer').first().locator('.strip-label').allTextContents();
  assert.deepEqual(labels.slice(0, 3), ['clean a', 'tangent u, draw 1', 'forward wave ȧ, draw 1']);
  assert.match(await fga.textContent('#probe .probe-dl'), /^draw 1: this sample's exact derivative d = \S+$/);
});

for (const [id, title, compare] of [['nodes-weights', /Why nodes, not weights/, 'wp'], ['exact', /Noise against the exact derivative/, 'fga']]) {
  test(`#lesson=${id} opens its chapter and its run`, async () => {
    const page = await open(`#lesson=${id}`);
    await page.waitForFunction((c) => location.hash.includes(`compare=${c}`), compare);
    await page.waitForSelector('[data-testid=lesson]:not([hidden])');
    assert.match(await page.textContent('#lesson-title'), title);
    assert.match(page.url(), new RegExp(`lesson=${id}`));
    await page.waitForSelector('.lesson-focus', { timeout: 20000 });
  });
}
