// The local server (scripts/serve.mjs): it serves the page (index.html, www/) and nothing else,
// never a dot-path or through a symbolic link, answers only 127.0.0.1/localhost, sends the page's
// security headers with every answer (also those for requests Node's parser refuses), survives any
// request target, and closes slow and idle connections.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// A namespace import, so that a missing export fails only the tests that use it.
import * as serve from '../scripts/serve.mjs';
import { rawRequest, hasSecurityHeaders } from '../scripts/load-serve.mjs';

const { startServer, resolvePath, allowedHost, CSP, TFJS_CSP } = serve;
const SERVE = new URL('../scripts/serve.mjs', import.meta.url).pathname;
const BIG = 32 * 2 ** 20; // larger than what the kernel's socket buffers take on loopback
let server, port, dir, site;

before(async () => {
  // A root "site" shaped like the checkout, with a sibling whose name starts with the root's.
  dir = mkdtempSync(join(tmpdir(), 'np-serve-'));
  site = join(dir, 'site');
  for (const d of ['site/.git', 'site/www/data', 'site/www/pkg', 'site/www/sub', 'site/src', 'site/target/release', 'site/tests',
    'site/docs', 'site/node_modules/@tensorflow/tfjs/dist', 'site/node_modules/other', 'site-secret']) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  const files = {
    'site/index.html': '<!doctype html><p>hello</p>',
    'site/www/main.js': 'export const a = 1;',
    'site/www/sub/a.js': 'export const b = 2;',
    'site/www/tfjs-worker.js': '',
    'site/www/worker.js': '',
    'site/www/data/d.bin': 'digits',
    'site/www/pkg/m.wasm': 'wasm',
    'site/node_modules/@tensorflow/tfjs/dist/tf.min.js': 'tf',
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  for (const f of ['site/.git/config', 'site/.env', 'site/src/lib.rs', 'site/target/release/np-playground', 'site/tests/a.test.mjs',
    'site/docs/engine.md', 'site/README.md', 'site/Cargo.toml', 'site/package.json', 'site/node_modules/other/x.js', 'site-secret/file.txt']) {
    writeFileSync(join(dir, f), 'SECRET');
  }
  writeFileSync(join(site, 'www/data/big.bin'), Buffer.alloc(BIG, 1));
  // Links inside www/: to a file and a folder outside the page, to a file outside the root, and
  // to a file of the page itself. None is followed.
  symlinkSync('../src/lib.rs', join(site, 'www/link.js'));
  symlinkSync('../src', join(site, 'www/linkdir'));
  symlinkSync(join(dir, 'site-secret/file.txt'), join(site, 'www/abs.txt'));
  symlinkSync('main.js', join(site, 'www/alias.js'));
  server = await startServer(0, site);
  port = server.address().port;
});
after(() => {
  server?.close();
  server?.closeAllConnections();
  rmSync(dir, { recursive: true, force: true });
});

/** GET `path` (sent as is, not normalised) with a Host header. */
function get(path, { host = `127.0.0.1:${port}`, method = 'GET', to = port } = {}) {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: to, path, method, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** Resolves with `promise`'s value, or with `fallback` after `ms`. */
function within(promise, ms, fallback = false) {
  let timer;
  return Promise.race([promise, new Promise((ok) => { timer = setTimeout(() => ok(fallback), ms); })]).finally(() => clearTimeout(timer));
}

/** Resolves once `server` has no open connection, or with false after `ms`. */
async function drained(srv, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const n = await new Promise((ok) => srv.getConnections((e, c) => ok(e ? -1 : c)));
    if (n === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

test('serves the page inside the root with the security headers', async () => {
  for (const path of ['/', '/index.html', '/www/main.js', '/www/sub/a.js', '/www/data/d.bin', '/www/pkg/m.wasm', '/www/main.js?v=2']) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-security-policy'], CSP);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  }
  assert.equal((await get('/')).body, '<!doctype html><p>hello</p>');
  assert.match((await get('/www/main.js')).headers['content-type'], /javascript/);
  assert.equal((await get('/www/pkg/m.wasm')).headers['content-type'], 'application/wasm');
  const head = await get('/www/data/d.bin', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '6');
  assert.equal(head.body, '');
  // Only the benchmark's TensorFlow.js worker may eval (TF.js needs it); the page's worker may not.
  assert.equal((await get('/www/tfjs-worker.js')).headers['content-security-policy'], TFJS_CSP);
  assert.match(TFJS_CSP, /'unsafe-eval'/);
  assert.doesNotMatch(CSP, /'unsafe-eval'/);
  assert.equal((await get('/www/worker.js')).headers['content-security-policy'], CSP);
  assert.equal((await get('/www/%74fjs-worker.js')).headers['content-security-policy'], TFJS_CSP);
});

test('serves only the page: not src/, target/, node_modules/, tests/, docs/ or any other file of the checkout', async () => {
  for (const path of ['/src/lib.rs', '/target/release/np-playground', '/node_modules/other/x.js', '/node_modules/@tensorflow/tfjs/dist/tf.min.js',
    '/tests/a.test.mjs', '/docs/engine.md', '/README.md', '/Cargo.toml', '/package.json', '/www', '/www/', '/www/sub', '/www/data/',
    '/www%2f..%2fsrc/lib.rs', '/www/..%5csrc%5clib.rs', '//src//lib.rs', '/\\src\\lib.rs']) {
    const r = await get(path);
    assert.equal(r.status, 404, `${path}: ${r.status}`);
    assert.doesNotMatch(r.body, /SECRET/, path);
    assert.ok(hasSecurityHeaders({ headers: r.headers }), path);
  }
});

test('serves extra folders only when asked: the benchmark gets TensorFlow.js, nobody else does', async () => {
  assert.deepEqual(serve.BENCH_EXTRA, ['node_modules/@tensorflow/tfjs/dist', 'node_modules/@tensorflow/tfjs-backend-wasm/dist']);
  const bench = await startServer(0, site, { extra: ['node_modules/@tensorflow/tfjs/dist'] });
  try {
    const to = bench.address().port;
    const tf = await get('/node_modules/@tensorflow/tfjs/dist/tf.min.js', { host: '127.0.0.1', to });
    assert.equal(tf.status, 200);
    assert.equal(tf.body, 'tf');
    assert.equal((await get('/', { host: '127.0.0.1', to })).status, 200);
    for (const path of ['/node_modules/other/x.js', '/node_modules/@tensorflow/tfjs/dist', '/node_modules/@tensorflow/tfjs/dist/../../../other/x.js', '/src/lib.rs']) {
      assert.equal((await get(path, { host: '127.0.0.1', to })).status, 404, path);
    }
  } finally {
    bench.close();
  }
});

test('never follows a symbolic link, inside the page or out of it', async () => {
  for (const path of ['/www/link.js', '/www/linkdir/lib.rs', '/www/abs.txt', '/www/alias.js']) {
    const r = await get(path);
    assert.equal(r.status, 404, `${path}: ${r.status}`);
    assert.doesNotMatch(r.body, /SECRET/, path);
  }
  assert.equal((await get('/www/main.js')).status, 200, 'the file the link names is served by its own path');
});

test('answers a special file (a FIFO) with not found instead of waiting on it', { skip: process.platform === 'win32' }, async () => {
  execFileSync('mkfifo', [join(site, 'www/fifo.js')]);
  const r = await rawRequest(port, 'GET /www/fifo.js HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', { timeoutMs: 5000 });
  assert.equal(r.answer?.status, 404);
});

test('never serves outside the root, a dot-path or a sibling folder sharing its prefix', async () => {
  for (const path of [
    '/..%2fsite-secret/file.txt', '/../site-secret/file.txt', '/%2e%2e/site-secret/file.txt', '/www/../../site-secret/file.txt',
    '/.git/config', '/.env', '/www/../.git/config', '/%2egit/config', '/www/%2e%2e/%2e%2e/site-secret/file.txt',
    '/..%5csite-secret%5cfile.txt', '/%', '/a%00b', '/www/a%00b', '/www/missing.html', '/www/.hidden',
  ]) {
    const r = await get(path);
    assert.equal(r.status, 404, `${path}: ${r.status}`);
    assert.doesNotMatch(r.body, /SECRET/, path);
  }
});

test('answers only requests for 127.0.0.1 or localhost', async () => {
  assert.equal((await get('/', { host: `localhost:${port}` })).status, 200);
  for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1.evil.example', 'localhost.evil.example:80']) {
    assert.equal((await get('/', { host })).status, 421, host);
  }
});

test('sends the security headers with every answer, also those for requests Node refuses itself', async () => {
  const cases = [
    ['a missing file', 'GET /www/missing.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 404],
    ['another method', 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n', 405],
    ['a foreign host', 'GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n', 421],
    ['no Host header', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['a 20 KiB header', `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['not HTTP at all', 'GARBAGE\r\n\r\n', 400],
    ['a space in the target', 'GET /a b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400],
    ['a bad Content-Length', 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n', 400],
    ['an unknown expectation', 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: magic\r\n\r\n', 417],
    ['CONNECT', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 405],
  ];
  for (const [what, text, status] of cases) {
    const r = await rawRequest(port, text.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'), { timeoutMs: 5000 });
    assert.ok(r.answer, `${what}: no answer (${JSON.stringify(r.bytes.toString().slice(0, 80))})`);
    assert.equal(r.answer.status, status, what);
    assert.ok(hasSecurityHeaders(r.answer), `${what}: ${JSON.stringify(r.answer.headers)}`);
    assert.equal(r.answer.headers['content-security-policy'], CSP, what);
  }
});

test('no request target stops the server: the one a browser sends for http://127.0.0.1:8000// gets the page', async () => {
  // The demo's own entry point, in its own process, so that a crash shows as a dead process.
  const child = spawn(process.execPath, [SERVE, '0', site], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  try {
    const to = await new Promise((ok, fail) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        const m = /127\.0\.0\.1:(\d+)/.exec(out);
        if (m) ok(Number(m[1]));
      });
      child.on('exit', (code) => fail(new Error(`the server exited (${code}): ${stderr}`)));
    });
    const targets = ['//', '///', '/\\', '\\', 'http://', 'ws://', 'http://a:-1/', 'https://x', 'http://[::1/', 'http://127.0.0.1/',
      'ws://127.0.0.1/', 'file:///etc/passwd', 'javascript:alert(1)', '*', '?', '#', '//evil.example/', '//%', '/%', '/%00', '/%zz',
      '%', 'a', '/..', '/./', '/?', '/#', '/www\\main.js', '//www//main.js', 'http://127.0.0.1:99999999/', '//:'];
    for (const target of targets) {
      const r = await rawRequest(to, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, { timeoutMs: 5000 });
      assert.ok(r.answer, `${target}: no answer; the server's stderr: ${stderr}`);
      assert.ok([200, 400, 404].includes(r.answer.status), `${target}: ${r.answer.status}`);
      assert.ok(hasSecurityHeaders(r.answer), target);
      assert.equal(child.exitCode, null, `${target} stopped the server: ${stderr}`);
    }
    // What a browser sends for http://127.0.0.1:8000// and the page's relative links from there.
    const page = await rawRequest(to, 'GET // HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.equal(page.answer.status, 200);
    assert.match(page.answer.body.toString(), /hello/);
    const script = await rawRequest(to, 'GET //www/main.js HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.equal(script.answer.status, 200);
    // Not a path: refused as a bad request.
    assert.equal((await rawRequest(to, 'GET http://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).answer.status, 400);
    assert.equal((await get('/', { host: '127.0.0.1', to })).status, 200);
    assert.equal(child.exitCode, null);
  } finally {
    child.kill();
  }
});

test('closes a connection whose request head is not done in time, with a 408 that carries the headers', async () => {
  const slow = await startServer(0, site, { headersMs: 500, idleMs: 60_000 });
  const to = slow.address().port;
  try {
    const socket = connect(to, '127.0.0.1');
    const chunks = [];
    let tick;
    socket.on('connect', () => {
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      let n = 0;
      tick = setInterval(() => socket.write(`X-Slow-${n++}: 1\r\n`), 100); // never idle, never done
    });
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {});
    const closed = await within(new Promise((ok) => socket.on('close', () => ok(true))), 8000);
    clearInterval(tick);
    socket.destroy();
    assert.ok(closed, 'still open 8 s after a 0.5 s limit on the request head');
    const { parseAnswer } = await import('../scripts/load-serve.mjs');
    const answer = parseAnswer(Buffer.concat(chunks));
    assert.equal(answer?.status, 408);
    assert.ok(hasSecurityHeaders(answer));
  } finally {
    slow.close();
    slow.closeAllConnections();
  }
});

test('closes an idle connection, and one whose reader stopped reading', async () => {
  const slow = await startServer(0, site, { idleMs: 300, headersMs: 60_000 });
  const to = slow.address().port;
  const sockets = [];
  try {
    // One that says nothing, one that asks for the large file and never reads it.
    const quiet = connect(to, '127.0.0.1');
    const reader = connect(to, '127.0.0.1', () => {
      reader.write('GET /www/data/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      reader.pause();
    });
    sockets.push(quiet, reader);
    for (const s of sockets) s.on('error', () => {});
    const quietClosed = new Promise((ok) => quiet.on('close', () => ok(true)));
    await within(new Promise((ok) => reader.once('readable', ok)), 5000); // the answer has started
    assert.ok(await drained(slow, 8000), 'connections still open 8 s after a 0.3 s idle limit');
    assert.ok(await within(quietClosed, 5000), 'the connection that said nothing is still open');
    // What the stopped reader got is less than the file: the server gave up on it.
    let got = 0;
    reader.on('data', (c) => { got += c.length; });
    reader.resume();
    await within(new Promise((ok) => reader.on('close', ok)), 5000);
    assert.ok(got < BIG, `the stopped reader got the whole file (${got} bytes)`);
  } finally {
    for (const s of sockets) s.destroy();
    slow.close();
    slow.closeAllConnections();
  }
});

test('closes a response that a reader takes too long over, even while it reads a little now and then', async () => {
  // The deadline: graceMs, plus the size at minBytesPerSecond (negligible here).
  const slow = await startServer(0, site, { idleMs: 60_000, headersMs: 60_000, graceMs: 500, minBytesPerSecond: 2 ** 40 });
  const to = slow.address().port;
  let got = 0;
  const reader = connect(to, '127.0.0.1', () => {
    reader.write('GET /www/data/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    reader.pause();
  });
  reader.on('error', () => {});
  // One chunk every 100 ms: never idle, far slower than the file needs.
  reader.on('data', (c) => { got += c.length; reader.pause(); });
  const tick = setInterval(() => reader.resume(), 100);
  try {
    await within(new Promise((ok) => reader.once('data', ok)), 5000); // the answer has started
    assert.ok(await drained(slow, 8000), 'the trickling reader is still connected 8 s after a 0.5 s deadline');
    assert.ok(got < BIG, `it got the whole file (${got} bytes)`);
  } finally {
    clearInterval(tick);
    reader.destroy();
    slow.close();
    slow.closeAllConnections();
  }
});

test('the path and host checks on their own', () => {
  const root = '/srv/site';
  assert.equal(resolvePath(root, '/www/b.js'), '/srv/site/www/b.js');
  assert.equal(resolvePath(root, '/'), '/srv/site/index.html');
  assert.equal(resolvePath(root, '//'), '/srv/site/index.html');
  assert.equal(resolvePath(root, '/index.html?x=1'), '/srv/site/index.html');
  assert.equal(resolvePath(root, '/a/b.js'), null, 'outside the page');
  assert.equal(resolvePath(root, '/www'), null, 'a folder');
  assert.equal(resolvePath(root, '/..%2fsite-secret/x'), null);
  assert.equal(resolvePath(root, '/www/.hidden'), null);
  assert.equal(resolvePath(root, '/www/%E0%A4%A'), null, 'a malformed escape');
  assert.equal(resolvePath(root, 'http://127.0.0.1/'), null, 'not a path');
  assert.equal(resolvePath(root, '/node_modules/x/dist/y.js'), null);
  assert.equal(resolvePath(root, '/node_modules/x/dist/y.js', ['node_modules/x/dist']), '/srv/site/node_modules/x/dist/y.js');
  assert.ok(allowedHost('localhost') && allowedHost('127.0.0.1:8000') && allowedHost('LOCALHOST:1'));
  assert.ok(!allowedHost(undefined) && !allowedHost('example.com'));
});
