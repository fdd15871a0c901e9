// How long the page takes to answer each command on a heavy link: Play from a fresh load, Pause
// (until the worker says it stopped), Play again and Step (until the next step is shown), Reset
// (until step 0 is shown and training has stopped). With ROOTS=a,b the same link is measured on
// two builds of the page side by side (alternating, so the machine's drift hits both alike).
// Usage: node scripts/latency.mjs '<fragment>' [rounds]     (after build_web)
//        ROOTS=/tmp/old-page,. node scripts/latency.mjs '<fragment>'
import { launch, serve } from '../tests/browser.mjs';

const fragment = process.argv[2] ?? 'v=1&data=mnist&rule=dinp&hidden=1024,1024,1024,1024,1024,1024,1024,1024&batch=1';
const rounds = Number(process.argv[3] ?? 1);
const CAP = 120000; // give up waiting after two minutes (reported as >120000)
const roots = (process.env.ROOTS ?? '.').split(',');
const servers = await Promise.all(roots.map((r) => serve(r)));
const browser = await launch();

const stepOf = (page) => page.evaluate(() => Number(document.querySelector('[data-testid=step]').textContent));
async function timed(page, click, until, arg) {
  const t0 = Date.now();
  await click();
  try {
    await page.waitForFunction(until, arg, { timeout: CAP, polling: 20 });
    return Date.now() - t0;
  } catch {
    return `>${CAP}`;
  }
}
const stopped = () => document.body.dataset.running === 'false';

async function measure(base) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${base}#${fragment}`);
  await page.waitForSelector('body[data-ready]', { timeout: CAP });
  const r = {};
  r.play = await timed(page, () => page.click('#play'), () => Number(document.querySelector('[data-testid=step]').textContent) >= 1);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 2, null, { timeout: CAP }).catch(() => {});
  r.pause = await timed(page, () => page.click('#play'), stopped);
  let s = await stepOf(page);
  r.playAgain = await timed(page, () => page.click('#play'), (n) => Number(document.querySelector('[data-testid=step]').textContent) > n, s);
  await page.click('#play');
  await page.waitForFunction(stopped, null, { timeout: CAP }).catch(() => {});
  s = await stepOf(page);
  r.step = await timed(page, () => page.click('#step'), (n) => Number(document.querySelector('[data-testid=step]').textContent) > n, s);
  r.step2 = await timed(page, () => page.click('#step'), (n) => Number(document.querySelector('[data-testid=step]').textContent) > n + 1, s);
  r.reset = await timed(page, () => page.click('#reset'), () => document.querySelector('[data-testid=step]').textContent === '0' && document.body.dataset.running === 'false');
  await page.close();
  return r;
}

for (let i = 0; i < rounds; i++) {
  for (const [k, { base }] of servers.entries()) {
    console.log(JSON.stringify({ root: roots[k], fragment, ms: await measure(base) }));
  }
}
await browser.close();
for (const { server } of servers) server.close();
