// The local server (scripts/serve.mjs): it serves only files inside its root, never a dot-path,
// answers only 127.0.0.1/localhost, and sends the page's security headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, resolvePath, allowedHost, CSP, TFJS_CSP } from '../scripts/serve.mjs';

let server, port, dir;

before(async () => {
  // A root "site" with a sibling whose name starts with the root's: "site-secret".
  dir = mkdtempSync(join(tmpdir(), 'np-serve-'));
  for (const d of ['site', 'site/.git', 'site/sub', 'site/www', 'site-secret']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'site/index.html'), '<!doctype html><p>hello</p>');
  writeFileSync(join(dir, 'site/sub/a.js'), 'export const a = 1;');
  writeFileSync(join(dir, 'site/www/tfjs-worker.js'), '');
  writeFileSync(join(dir, 'site/www/worker.js'), '');
  writeFileSync(join(dir, 'site/.git/config'), '[core] secret');
  writeFileSync(join(dir, 'site/.env'), 'TOKEN=secret');
  writeFileSync(join(dir, 'site-secret/file.txt'), 'secret');
  server = await startServer(0, join(dir, 'site'));
  port = server.address().port;
});
after(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** GET `path` (sent as is, not normalised) with a Host header. */
function get(path, host = `127.0.0.1:${port}`) {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('serves files inside the root with the security headers', async () => {
  for (const path of ['/', '/index.html', '/sub/a.js']) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-security-policy'], CSP);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  }
  assert.match((await get('/sub/a.js')).headers['content-type'], /javascript/);
  // Only the benchmark's TensorFlow.js worker may eval (TF.js needs it); the page's worker may not.
  assert.equal((await get('/www/tfjs-worker.js')).headers['content-security-policy'], TFJS_CSP);
  assert.match(TFJS_CSP, /'unsafe-eval'/);
  assert.doesNotMatch(CSP, /'unsafe-eval'/);
  assert.equal((await get('/www/worker.js')).headers['content-security-policy'], CSP);
  assert.equal((await get('/www/%74fjs-worker.js')).headers['content-security-policy'], TFJS_CSP);
});

test('never serves outside the root, a dot-path or a sibling folder sharing its prefix', async () => {
  for (const path of [
    '/..%2fsite-secret/file.txt', '/../site-secret/file.txt', '/%2e%2e/site-secret/file.txt',
    '/.git/config', '/.env', '/sub/../.git/config', '/%2egit/config', '/sub/%2e%2e/%2e%2e/site-secret/file.txt',
    '/..%5csite-secret%5cfile.txt', '/%', '/a%00b', '/missing.html',
  ]) {
    const r = await get(path);
    assert.equal(r.status, 404, `${path}: ${r.status}`);
    assert.doesNotMatch(r.body, /secret/, path);
  }
});

test('answers only requests for 127.0.0.1 or localhost', async () => {
  assert.equal((await get('/', `localhost:${port}`)).status, 200);
  for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1.evil.example', 'localhost.evil.example:80']) {
    assert.equal((await get('/', host)).status, 421, host);
  }
});

test('the path and host checks on their own', () => {
  const root = '/srv/site';
  assert.equal(resolvePath(root, '/a/b.js'), '/srv/site/a/b.js');
  assert.equal(resolvePath(root, '/'), '/srv/site');
  assert.equal(resolvePath(root, '/..%2fsite-secret/x'), null);
  assert.equal(resolvePath(root, '/a/.hidden'), null);
  assert.equal(resolvePath(root, '/%E0%A4%A'), null, 'a malformed escape');
  assert.ok(allowedHost('localhost') && allowedHost('127.0.0.1:8000') && allowedHost('LOCALHOST:1'));
  assert.ok(!allowedHost(undefined) && !allowedHost('example.com'));
});
