// Writes a self-contained static copy of the page (the page, its scripts and styles, the
// WebAssembly module and the digits) into a folder that works from any static host, at its root
// or under a sub-path: every URL in the page is relative. Needs the built page (www/pkg and
// www/data/mnist.bin); `./scripts/export DIR` builds them first.
// Usage: node scripts/export.mjs <folder>
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/export.mjs <folder>');
  process.exit(2);
}
for (const need of ['www/pkg/np_playground.js', 'www/pkg/np_playground_bg.wasm', 'www/data/mnist.bin']) {
  if (!existsSync(join(root, need))) {
    console.error(`${need} is missing: build the page first (./scripts/export builds it)`);
    process.exit(1);
  }
}
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'www/pkg'), { recursive: true });
mkdirSync(join(out, 'www/data'), { recursive: true });
cpSync(join(root, 'index.html'), join(out, 'index.html'));
// The page's own modules and styles; the benchmark page and its workers stay behind.
for (const f of readdirSync(join(root, 'www'))) {
  if ((f.endsWith('.js') || f.endsWith('.css')) && !f.startsWith('bench') && !f.startsWith('tfjs')) {
    cpSync(join(root, 'www', f), join(out, 'www', f));
  }
}
for (const f of ['np_playground.js', 'np_playground_bg.wasm']) cpSync(join(root, 'www/pkg', f), join(out, 'www/pkg', f));
cpSync(join(root, 'www/data/mnist.bin'), join(out, 'www/data/mnist.bin'));
console.log(`NP Playground written to ${out}: copy the folder to any static host (it may live under a sub-path).`);
