// Screenshots to look at: the first screen at 1440x900, 1024x768 and 390x844, every sub-step of
// the slow-motion walk (NP, INP, blind ANP, DNP and BP), every lesson chapter, and the embedded
// view at 960x540. Usage: node scripts/screenshots.mjs [folder=artifacts/screenshots] (after
// ./scripts/demo or ./scripts/test has built the page). Prints every file it writes.
import { mkdirSync } from 'node:fs';
import { launch, serve } from '../tests/browser.mjs';

const out = process.argv[2] ?? new URL('../artifacts/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const { server, base } = await serve();
const browser = await launch();
const errors = [];

async function open(fragment, width, height) {
  const page = await browser.newPage({ viewport: { width, height } });
  page.on('pageerror', (e) => errors.push(`${fragment}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${fragment}: ${m.text()}`); });
  await page.goto(`${base}#${fragment}`);
  await page.waitForSelector('body[data-ready]', { timeout: 30000 });
  return page;
}

async function settle(page) {
  await page.waitForFunction(() => document.body.dataset.running === 'false' && document.body.dataset.busy === 'false', null, { timeout: 60000 });
  // Two frames, so the last snapshot is drawn.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function shot(page, name) {
  const path = `${out}${name}.png`;
  await page.screenshot({ path });
  console.log(path);
}

// The first screen.
for (const [w, h] of [[1440, 900], [1024, 768], [390, 844]]) {
  const page = await open('v=1&data=spiral&rule=np&hidden=8,8&compare=inp&at=400', w, h);
  await settle(page);
  await shot(page, `first-screen-${w}x${h}`);
  await page.close();
}

// Every sub-step of the walk, for each kind of rule.
for (const [name, fragment] of [
  ['np', 'v=1&data=xor&rule=np&hidden=6,6&sigma=0.05&at=20'],
  ['inp', 'v=1&data=xor&rule=inp&hidden=6,6&at=20'],
  ['anp-blind', 'v=1&data=xor&rule=anp&mode=blind&hidden=6,6&at=20'],
  ['dnp', 'v=1&data=xor&rule=dnp&hidden=6,6&at=20'],
  ['bp', 'v=1&data=xor&rule=bp&hidden=6,6&at=20'],
  ['np-digits', 'v=1&data=mnist14&rule=np&at=20'],
]) {
  const page = await open(fragment, 1440, 900);
  await settle(page);
  await page.click('#walk');
  await page.waitForSelector('#walk-bar:not([hidden])');
  await page.click('#walk-pause'); // step by hand
  const count = await page.evaluate(() => Number(document.getElementById('walk-count').textContent.match(/of (\d+)/)[1]));
  for (let i = 0; i < count; i++) {
    if (i > 0) await page.click('#walk-next');
    await page.waitForFunction((n) => document.getElementById('walk-count').textContent.includes(`${n} of`), i + 1);
    await shot(page, `walk-${name}-${String(i + 1).padStart(2, '0')}`);
  }
  await page.close();
}

// Every lesson chapter.
const page = await open('lesson=start', 1440, 900);
for (let i = 0; ; i++) {
  await page.waitForSelector('[data-testid=lesson]:not([hidden])');
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 150, null, { timeout: 60000 });
  await page.click('#play');
  await settle(page);
  await shot(page, `lesson-${String(i + 1).padStart(2, '0')}`);
  if (await page.isDisabled('#lesson-next')) break;
  const before = page.url();
  await page.click('#lesson-next');
  await page.waitForFunction((u) => location.href !== u, before);
  await page.waitForFunction(() => document.querySelector('[data-testid=step]').textContent === '0');
}
await page.close();

// The embedded view.
const embed = await open('v=1&data=circle&rule=np&embed=1&at=200', 960, 540);
await settle(embed);
await shot(embed, 'embed-960x540');
await embed.close();

await browser.close();
server.close();
if (errors.length) {
  console.error(errors.join('\n'));
  process.exit(1);
}
