// The exported static folder (scripts/export.mjs) works from another static server under a
// sub-path: Python's http.server serves a folder holding the export at /class/np/, and the page
// loads, trains, loads the digits and walks through a step there, with no console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { launch } from './browser.mjs';

let dir, server, browser, base;

/** A free port on 127.0.0.1. */
function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'np-hosted-'));
  execFileSync('node', [new URL('../scripts/export.mjs', import.meta.url).pathname, join(dir, 'class/np')], { stdio: 'inherit' });
  const port = await freePort();
  server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
  base = `http://127.0.0.1:${port}/class/np/`;
  // Wait until the server answers.
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

test('the exported folder works under a sub-path of another static server', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}#v=1&data=mnist14&rule=np&at=5`);
  await page.waitForSelector('body[data-ready]', { timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('[data-testid=step]').textContent === '5', null, { timeout: 30000 });
  assert.equal(await page.locator('#digits figure').count(), 12, 'the digits loaded from the sub-path');
  await page.click('[data-testid=walk]');
  await page.waitForFunction(() => document.querySelector('[data-testid=walk-narration]').textContent.length > 20);
  // And a 2-D run with a comparison.
  await page.goto(`${base}#v=1&data=xor&rule=np&compare=inp&at=30`);
  await page.waitForFunction(() => document.querySelector('[data-testid=step]').textContent === '30', null, { timeout: 30000 });
  assert.match(page.url(), /\/class\/np\/#/);
  assert.deepEqual(errors, []);
});
