// What a configuration costs in the page: for each fragment, the time per step at full speed
// with every panel on (over five steps), the worker's wasm memory, and how long after Pause the
// page shows Play again. docs/engine.md ("The cost model") has the figures for the slowest and
// the largest accepted runs. Usage (after ./scripts/demo has built the page):
//   node scripts/cost-page.mjs 'v=1&data=mnist&rule=np&hidden=768,768' ...
import { launch, serve } from '../tests/browser.mjs';

const { server, base } = await serve();
const browser = await launch();
for (const fragment of process.argv.slice(2)) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${base}#${fragment}`);
  await page.waitForSelector('body[data-ready]');
  const error = await page.textContent('[data-testid=config-error]');
  await page.selectOption('#speed', 'max');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 2, null, { timeout: 120000 });
  const a = await page.evaluate(() => [Number(document.querySelector('[data-testid=step]').textContent), performance.now()]);
  await page.waitForFunction((s) => Number(document.querySelector('[data-testid=step]').textContent) >= s + 5, a[0], { timeout: 300000 });
  const b = await page.evaluate(() => [Number(document.querySelector('[data-testid=step]').textContent), performance.now(), window.npStats.memory]);
  const t0 = Date.now();
  await page.click('#play');
  await page.waitForFunction(() => document.querySelector('[data-testid=play]').textContent.includes('Play'));
  console.log(JSON.stringify({
    fragment, error, msPerStep: Math.round((b[1] - a[1]) / (b[0] - a[0])),
    workerMiB: Math.round(b[2].worker / 2 ** 20), pauseMs: Date.now() - t0,
  }));
  await page.close();
}
await browser.close();
server.close();
