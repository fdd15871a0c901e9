// Seeded random request targets and requests for the demo server (scripts/serve.mjs): the
// counterpart of tests/fuzz.rs for its request parsing and path resolution. No target makes the
// path check throw or name a file outside the page; a disguised spelling of a page path (escapes,
// doubled or back slashes, a query) names the same file; and over live connections every random
// request gets an answer with the security headers, a file only when the check allows it, never a
// hidden one, and the server keeps answering. A CI run takes a few seconds;
// `NP_FUZZ=full node --test tests/serve-fuzz.test.mjs` runs a hundred times more targets and fifty times more requests (a few minutes);
// NP_FUZZ_SEED=n picks another seed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { startServer, targetSegments, resolvePath } from '../scripts/serve.mjs';
import { rawRequest, hasSecurityHeaders } from '../scripts/load-serve.mjs';

const FULL = process.env.NP_FUZZ === 'full';
const SEED = Number(process.env.NP_FUZZ_SEED ?? 17);
const PURE = FULL ? 2_000_000 : 20_000;
const LIVE = FULL ? 20_000 : 400;

/** A small seeded generator (mulberry32): the same inputs on every run with the same seed. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    next,
    below: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

const PIECES = ['/', '/', '/', '//', '\\', '.', '..', '%2e', '%2E', '%2e%2e', '%2f', '%2F', '%5c', '%5C', '%00', '%', '%zz', '%e0%a4%a',
  '%C3%A9', 'é', '日本', '~', 'www', 'www', 'index.html', 'main.js', 'data', 'd.bin', 'pkg', 'm.wasm', 'src', 'lib.rs', 'node_modules',
  'x', 'dist', 'y.js', '.git', 'config', '.env', 'link.js', 'site-secret', 'file.txt', '?', '#', ':', '@', ';', '=', '&', '+', ' ',
  '\t', '\0', '\r', '\n', '\x7f', 'http:', 'ws:', '*', '\u2028', '%0a', '%7f', 'A', '-'];

/** The pieces that keep a request line well-formed (no white space or control character). */
const PRINTABLE = PIECES.filter((p) => !/[\s\0-\x1f\x7f\u2028]/.test(p));

/** A random request target: pieces of paths, escapes, separators and junk (`pieces`). */
function randomTarget(r, pieces = PIECES) {
  let t = r.chance(0.8) ? '/' : '';
  const n = 1 + r.below(12);
  for (let i = 0; i < n; i++) t += r.pick(pieces);
  if (r.chance(0.01)) t += 'a'.repeat(r.below(5000));
  return t;
}

/** The page paths the live fixture serves (segments -> content). */
const SERVED = {
  'index.html': '<!doctype html><p>page</p>',
  'www/main.js': 'export const a = 1;',
  'www/data/d.bin': 'digits',
  'www/pkg/m.wasm': 'wasm',
  'www/é.js': 'accent',
  'node_modules/x/dist/y.js': 'extra',
};

/** `path` spelled another way that must name the same file. */
function disguise(r, segments) {
  const sepOf = () => r.pick(['/', '/', '//', '\\', '%2f', '%2F', '%5c', '/%2F']);
  const spell = (s) => [...s].map((c) => {
    if (!r.chance(0.3)) return encodeURIComponent(c) === c ? c : encodeURIComponent(c);
    const hex = [...Buffer.from(c)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    return r.chance(0.5) ? hex.toUpperCase() : hex;
  }).join('');
  let t = (r.chance(0.5) ? '/' : r.pick(['//', '/\\', '/%2f'])) + segments.map(spell).join(sepOf());
  if (r.chance(0.3)) t += sepOf();
  if (r.chance(0.3)) t += r.pick(['?', '?v=1', '?a=/../src', '#x', '?%zz']);
  return t;
}

test(`no target makes the path check throw or leave the page (${PURE} targets, seed ${SEED})`, () => {
  const r = rng(SEED);
  const root = join(sep, 'srv', 'site');
  for (let i = 0; i < PURE; i++) {
    const target = randomTarget(r);
    const extra = r.chance(0.5) ? ['node_modules/x/dist'] : [];
    const what = `seed ${SEED}, input ${i}: ${JSON.stringify(target)} ${JSON.stringify(extra)}`;
    let segments, file;
    try {
      segments = targetSegments(target, extra);
      file = resolvePath(root, target, extra);
    } catch (e) {
      assert.fail(`${what} threw ${e.message}`);
    }
    if (segments === null) {
      assert.equal(file, null, what);
      continue;
    }
    for (const s of segments) {
      assert.ok(s.length > 0 && !/[\\/]/.test(s) && !s.startsWith('.') && !/[\0-\x1f\x7f]/.test(s), `${what}: segment ${JSON.stringify(s)}`);
    }
    const inPage = (segments.length === 1 && segments[0] === 'index.html') || (segments.length >= 2 && segments[0] === 'www')
      || (extra.length > 0 && segments.length > 3 && segments.slice(0, 3).join('/') === extra[0]);
    assert.ok(inPage, `${what}: names ${segments.join('/')}`);
    assert.equal(file, join(root, ...segments), what);
    assert.ok(!relative(root, file).startsWith('..') && file.startsWith(root + sep), what);
  }
});

test(`a disguised spelling of a page path names the same file, one with a dot-segment none (${PURE / 10} targets, seed ${SEED})`, () => {
  const r = rng(SEED + 1);
  const paths = Object.keys(SERVED).map((p) => p.split('/'));
  for (let i = 0; i < PURE / 10; i++) {
    const segments = r.pick(paths);
    const extra = ['node_modules/x/dist'];
    const target = disguise(r, segments);
    assert.deepEqual(targetSegments(target, extra), segments, `seed ${SEED + 1}, input ${i}: ${JSON.stringify(target)}`);
    // A detour through a dot-segment is refused, whatever it would resolve to.
    const at = 1 + r.below(segments.length);
    const detour = [...segments.slice(0, at), r.pick(['..', '.', '.git']), ...segments.slice(at)]; // spelled with escapes or not
    const bad = disguise(r, detour);
    assert.equal(targetSegments(bad, extra), null, `seed ${SEED + 1}, input ${i}: ${JSON.stringify(bad)}`);
  }
});

let dir, site, server, port;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'np-serve-fuzz-'));
  site = join(dir, 'site');
  for (const d of ['www/data', 'www/pkg', 'src', '.git', 'node_modules/x/dist', 'node_modules/other']) mkdirSync(join(site, d), { recursive: true });
  for (const [p, text] of Object.entries(SERVED)) writeFileSync(join(site, p), text);
  for (const p of ['src/lib.rs', '.git/config', '.env', 'README.md', 'node_modules/other/y.js']) writeFileSync(join(site, p), 'SECRET');
  mkdirSync(join(dir, 'site-secret'));
  writeFileSync(join(dir, 'site-secret/file.txt'), 'SECRET');
  symlinkSync('../src/lib.rs', join(site, 'www/link.js'));
  server = await startServer(0, site, { extra: ['node_modules/x/dist'], headersMs: 500 });
  port = server.address().port;
});
after(() => {
  server?.close();
  server?.closeAllConnections();
  rmSync(dir, { recursive: true, force: true });
});

const METHODS = ['HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'get', 'BREW', 'G ET', ''];
const VERSIONS = ['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.x', 'http/1.1', ''];
const HOSTS = ['127.0.0.1', '127.0.0.1', `localhost:${0}`, 'LOCALHOST', 'evil.example', '127.0.0.1.evil.example', '', null];
const JUNK = ['X-A: b', 'Transfer-Encoding: chunked', 'Content-Length: 5', 'Content-Length: -1', 'Content-Length: 1, 2',
  'Connection: upgrade\r\nUpgrade: websocket', 'X-\x01: y', ': nameless', 'X-Unicode: é', 'Cookie: a=b', 'Range: bytes=0-1',
  'Host: evil.example', 'If-None-Match: *', `X-Long: ${'a'.repeat(20_000)}`, 'no colon at all', 'X-Folded: a\r\n b'];

test(`every random request gets an answer with the security headers, and a file only as the check allows (${LIVE} requests, seed ${SEED})`, async () => {
  const r = rng(SEED + 2);
  const requests = [];
  for (let i = 0; i < LIVE; i++) {
    // Mostly well-formed GETs (of a random or a disguised page path), the rest anything.
    const method = r.chance(0.7) ? 'GET' : r.pick(METHODS);
    const target = r.chance(0.25) ? disguise(r, r.pick(Object.keys(SERVED)).split('/')) : randomTarget(r, r.chance(0.8) ? PRINTABLE : PIECES);
    const version = r.chance(0.8) ? 'HTTP/1.1' : r.pick(VERSIONS);
    const host = r.chance(0.8) ? '127.0.0.1' : r.pick(HOSTS);
    const junk = Array.from({ length: r.chance(0.2) ? 1 + r.below(3) : 0 }, () => r.pick(JUNK));
    const truncated = r.chance(0.03);
    const lines = [`${method} ${target} ${version}`, ...(host === null ? [] : [`Host: ${host}`]), ...junk, 'Connection: close'];
    const text = `${lines.join('\r\n')}\r\n${truncated ? '' : '\r\n'}`;
    const clean = method === 'GET' && version === 'HTTP/1.1' && ['127.0.0.1', 'localhost:0', 'LOCALHOST'].includes(host)
      && junk.length === 0 && !truncated && /^[\x21-\x7e]+$/.test(target); // printable ASCII only
    requests.push({ i, method, target, text, clean });
  }
  const statuses = {};
  const check = async ({ i, method, target, text, clean }) => {
    const what = `seed ${SEED + 2}, request ${i}: ${JSON.stringify(text.slice(0, 300))}`;
    const { answer, bytes } = await rawRequest(port, text, { timeoutMs: 10_000 });
    assert.ok(answer, `${what}: no answer (${JSON.stringify(bytes.toString('latin1').slice(0, 100))})`);
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    assert.ok(hasSecurityHeaders(answer), `${what}: ${JSON.stringify(answer.headers)}`);
    assert.ok([200, 400, 404, 405, 408, 413, 417, 421, 431].includes(answer.status), `${what}: ${answer.status}`);
    assert.ok(!bytes.includes('SECRET'), `${what}: a hidden file`);
    const segments = targetSegments(target, ['node_modules/x/dist']);
    const name = segments?.join('/');
    if (answer.status === 200) {
      if (/^[\x21-\x7e]+$/.test(target)) {
        assert.ok(['GET', 'HEAD'].includes(method) && name in SERVED, `${what}: 200 for ${name}`);
        if (method === 'GET') assert.equal(answer.body.toString(), SERVED[name], what);
      } else if (answer.body.length > 0) {
        // White space or a control character in the line: Node's parser may read a shorter target
        // (`GET /\n...` is a request for /). Whatever it read, the answer is a page file.
        assert.ok(Object.values(SERVED).includes(answer.body.toString()), `${what}: 200 with ${JSON.stringify(answer.body.toString().slice(0, 80))}`);
      }
    }
    if (clean && name in SERVED) assert.equal(answer.status, 200, what);
    if (clean && !(name in SERVED)) assert.equal(answer.status, target.startsWith('/') ? 404 : 400, what);
  };
  for (let k = 0; k < requests.length; k += 40) await Promise.all(requests.slice(k, k + 40).map(check));
  console.log(`answers by status: ${JSON.stringify(statuses)}; ${requests.filter((q) => q.clean).length} well-formed GETs`);
  const after = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  assert.equal(after.answer?.status, 200, 'the server still answers');
});
