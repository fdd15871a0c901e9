// Shared Playwright helpers for the page tests: Debian's Chromium, headless, no network.
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.mjs';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Serves the page of `root` (the repository by default) on a free port of 127.0.0.1;
 *  `options` go to startServer (e.g. `extra` folders). */
export async function serve(root, options) {
  const server = await startServer(0, root, options);
  return { server, base: `http://127.0.0.1:${server.address().port}/` };
}
