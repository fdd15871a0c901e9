// The page-test harness shared by the Playwright suites: a server and a browser per suite, pages
// opened with their console errors, uncaught exceptions and Content-Security-Policy violations
// collected, and every page a test opened closed after it, failing the test if any of those
// occurred. Helpers wait for states (a step count, a settled pause), never for a fixed time.
import { before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { launch, serve } from './browser.mjs';

export const CLI = new URL('../target/release/np-playground', import.meta.url).pathname;
export const SHOTS = new URL('../artifacts/', import.meta.url).pathname;

/** Registers the suite's hooks; returns the helpers. `options.root` serves another folder,
 *  `options.path` is the page's path under the server. */
export function harness(options = {}) {
  const h = { browser: null, server: null, base: null };
  /** Pages the running test opened, each with what went wrong in it. */
  let opened = [];
  before(async () => {
    ({ server: h.server, base: h.base } = await serve(options.root));
    h.base += options.path ?? '';
    h.browser = await launch();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await h.browser?.close();
    h.server?.close();
  });
  afterEach(async () => {
    const pages = opened;
    opened = [];
    const errors = [];
    for (const p of pages) {
      errors.push(...p.errors);
      const csp = await p.page.evaluate(() => window.npCspViolations ?? []).catch(() => []);
      errors.push(...csp.map((v) => `${p.fragment}: CSP violation: ${v}`));
    }
    await Promise.all(pages.map((p) => p.page.context().close()));
    assert.deepEqual(errors.filter((e) => !pages.some((p) => p.allow?.test(e))), [], 'console errors, uncaught exceptions or CSP violations');
  });

  /** Opens the page at `fragment`; `allow` (a RegExp) lets expected errors through; `context`
   *  adds options to the browser context (`hasTouch`, or `bypassCSP` for a test that injects a
   *  script). */
  h.open = async (fragment = '', { viewport = { width: 1400, height: 1000 }, allow = null, ready = true, context: extra = {} } = {}) => {
    const context = await h.browser.newContext({ viewport, ...extra });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(h.base).origin });
    const page = await context.newPage();
    const entry = { page, fragment, allow, errors: [] };
    opened.push(entry);
    await page.addInitScript(() => {
      window.npCspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.npCspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    page.on('console', (m) => { if (m.type() === 'error') entry.errors.push(`${fragment}: ${m.text()}`); });
    let failed;
    const thrown = new Promise((_, reject) => { failed = reject; });
    thrown.catch(() => {});
    page.on('pageerror', (e) => {
      entry.errors.push(`${fragment}: ${e.message}`);
      if (!allow?.test(e.message)) failed(new Error(`the page threw: ${e.message}`));
    });
    await page.goto(`${h.base}${fragment}`);
    if (ready) await Promise.race([page.waitForSelector('body[data-ready]', { timeout: 20000 }), thrown]);
    return page;
  };
  return h;
}

/** Waits until the worker has acknowledged a pause and finished its evaluations (its last
 *  snapshot says it is not running), so the figures shown are final. */
export async function settled(page, timeout = 20000) {
  await page.waitForFunction(() => document.body.dataset.running === 'false' && document.body.dataset.busy === 'false', null, { timeout });
}

/** Waits until the worker has acknowledged a pause: it trains no more (its evaluation of the
 *  step it stopped at may still be under way). */
export async function stopped(page, timeout = 20000) {
  await page.waitForFunction(() => document.body.dataset.running === 'false', null, { timeout });
}

export const text = (page, id) => page.textContent(`[data-testid=${id}]`);
export const num = async (page, id) => Number(await text(page, id));

export function cliChecksum(config, steps) {
  const out = execFileSync(CLI, ['run', config, '--steps', String(steps), '--json', '--no-alignment'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').at(-1)).checksum;
}

export async function waitForStep(page, at, timeout = 30000) {
  await page.waitForFunction((n) => document.querySelector('[data-testid=step]').textContent === String(n), at, { timeout });
}

/** Pixels of canvas `id` darker than `below` in some channel (what a chart or diagram drew on
 *  its white background). */
export async function inked(page, id, below = 200) {
  return page.evaluate(([id, below]) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < below || d[i + 1] < below || d[i + 2] < below)) n++;
    return n;
  }, [id, below]);
}
