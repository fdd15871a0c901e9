// A minimal static file server for the page, bound to 127.0.0.1 only.
// Usage: node scripts/serve.mjs [port=8000] [root]   (root: the checkout to serve, this one by default)
//
// What it serves: the page and nothing else. `/` and `/index.html` are the root's index.html;
// `/www/...` the files under www/ (the page's modules, its WebAssembly module in www/pkg, the digits
// in www/data). Every other path (src/, target/, node_modules/, tests/, docs/, a dot-path such as
// .git, a directory, a path that leaves the set) is not found. A caller that needs more names the
// extra folders (`extra`: the benchmark page's TensorFlow.js, BENCH_EXTRA). Symbolic links are
// never followed: a file is served only if the path opened is the file's own path (the root and
// the extra folders themselves are resolved once, at start).
//
// It answers only requests whose Host is 127.0.0.1 or localhost (so a DNS-rebinding page cannot
// read it), and sends the page's security headers with every answer, including the ones for
// requests Node's parser refuses (400, 408, 431): the worker script gets its Content-Security-Policy
// from them. Files over 64 KiB are streamed (a client that does not read holds one buffer, not the
// file); the request head must arrive within LIMITS.headersMs, a connection that moves nothing
// for LIMITS.idleMs is closed, and so is a response not done in graceMs plus its size at
// minBytesPerSecond. No request, however malformed, stops the server.
import { createServer, STATUS_CODES } from 'node:http';
import { closeSync, constants, createReadStream, fstatSync, openSync, readlinkSync, readSync, realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.md': 'text/plain; charset=utf-8',
};
/** The same policy as the page's <meta> tag, for every response (workers read it from here). */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'";
/** The benchmark's TensorFlow.js worker only: TF.js compiles code with `eval`, which the page's
 * policy forbids. It is the comparison's library, never loaded by the page. */
export const TFJS_CSP = CSP.replace("script-src 'self' 'wasm-unsafe-eval'", "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'");
const TFJS_WORKER = 'www/tfjs-worker.js';
/** The folders the benchmark page (www/bench.html) loads TensorFlow.js from, besides the page. */
export const BENCH_EXTRA = ['node_modules/@tensorflow/tfjs/dist', 'node_modules/@tensorflow/tfjs-backend-wasm/dist'];
export const HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-cache',
};
/** The server's time limits and connection cap (each can be given to startServer). */
export const LIMITS = {
  headersMs: 10_000, // the whole request head must arrive within this
  idleMs: 15_000, // a connection that sends and receives nothing for this long is closed
  graceMs: 30_000, // a response must be done within this plus its size at minBytesPerSecond
  minBytesPerSecond: 64 * 1024,
  maxConnections: 1000,
};
const HOSTS = new Set(['127.0.0.1', 'localhost']);
/** Files up to this size are read whole (the size of a file stream's buffer); larger ones stream. */
const SMALL_FILE = 64 * 1024;

/**
 * The path segments (relative to the root) that a request target names, or null when it names
 * nothing the server may serve: a target that is not a path (`http://...`, `*`, `ws://...`), a
 * malformed escape, a NUL, a segment starting with a dot, or a path outside the page (index.html,
 * www/...) and the `extra` folders. Never throws: any string is a possible request target.
 */
export function targetSegments(target, extra = []) {
  if (typeof target !== 'string' || !target.startsWith('/')) return null;
  const end = target.search(/[?#]/);
  let path;
  try {
    path = decodeURIComponent(end < 0 ? target : target.slice(0, end));
  } catch {
    return null;
  }
  if (/[\0-\x1f\x7f]/.test(path)) return null;
  const segments = path.split(/[\\/]+/).filter(Boolean);
  if (segments.some((s) => s.startsWith('.'))) return null; // .git, .env, .., .
  if (segments.length === 0) return ['index.html'];
  if (segments.length === 1 && segments[0] === 'index.html') return segments;
  if (segments.length >= 2 && segments[0] === 'www') return segments;
  for (const folder of extra) {
    const prefix = folder.split('/').filter(Boolean);
    if (segments.length > prefix.length && prefix.every((p, i) => segments[i] === p)) return segments;
  }
  return null;
}

/** The file a request target names inside `root`, or null when it names none it may serve. */
export function resolvePath(root, target, extra = []) {
  const segments = targetSegments(target, extra);
  return segments ? join(root, ...segments) : null;
}

/** Whether the Host header names this machine (any port). */
export function allowedHost(host) {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return HOSTS.has(name.toLowerCase());
}

/** A complete answer written straight to a socket (for requests Node's parser refused). */
function rawAnswer(status, text) {
  const body = `${text}\n`;
  const headers = { ...HEADERS, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' };
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;
}

/** The path of an open file as the system sees it (every link resolved). */
function openedPath(fd, file) {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return realpathSync(file);
  }
}

/**
 * Serves `root` (this checkout by default) on 127.0.0.1:`port` (0: any free port); resolves with
 * the listening server. `options.extra`: folders under the root served besides the page (e.g.
 * BENCH_EXTRA); any key of LIMITS overrides that limit.
 */
export async function startServer(port = 0, root = REPO, options = {}) {
  const limits = { ...LIMITS, ...options };
  const base = await realpath(resolve(root));
  // Where each served prefix lives, resolved once: the page's own files, then each extra folder.
  const folders = [];
  for (const folder of options.extra ?? []) {
    const prefix = folder.split('/').filter(Boolean);
    const dir = await realpath(join(base, ...prefix)).catch(() => null);
    if (dir) folders.push({ prefix, dir });
  }
  const extra = folders.map((f) => f.prefix.join('/'));
  /** The file the segments name, as it must be (no link on the way). */
  const fileOf = (segments) => {
    const f = folders.find((x) => x.prefix.every((p, i) => segments[i] === p));
    return f ? join(f.dir, ...segments.slice(f.prefix.length)) : join(base, ...segments);
  };

  const busy = new WeakSet(); // sockets with a response under way
  const server = createServer({
    headersTimeout: limits.headersMs,
    requestTimeout: limits.headersMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.headersMs / 4)),
    requireHostHeader: false, // answered below, with the headers
  }, (req, res) => {
    busy.add(req.socket);
    res.on('close', () => busy.delete(req.socket));
    handle(req, res).catch(() => {
      if (!res.headersSent) fail(res, 500, 'server error');
      else res.destroy();
    });
  });
  server.timeout = limits.idleMs;
  server.keepAliveTimeout = Math.min(5000, limits.idleMs);
  server.maxConnections = limits.maxConnections;

  function fail(res, status, text) {
    res.writeHead(status, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  }

  async function handle(req, res) {
    if (!req.headers.host) return fail(res, 400, 'no Host header');
    if (!allowedHost(req.headers.host)) return fail(res, 421, 'wrong host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'method not allowed');
    if (!req.url.startsWith('/')) return fail(res, 400, 'the request target is not a path');
    const segments = targetSegments(req.url, extra);
    if (!segments) return fail(res, 404, 'not found');
    const file = fileOf(segments);
    // The file's checks and a small file's bytes are read synchronously: a few system calls on a
    // local file, microseconds, where the asynchronous calls each waited in the thread pool behind
    // every large download's reads (a page request took seconds under 150 slow readers; see
    // docs/engine.md). Only large files are read asynchronously, streamed.
    let fd = -1;
    try {
      fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
      const info = fstatSync(fd);
      if (!info.isFile() || openedPath(fd, file) !== file) throw new Error('not a plain file');
      // A small file (most of the page) whole: it holds no more memory than a stream's buffer.
      let body = null;
      if (req.method === 'GET' && info.size <= SMALL_FILE) {
        body = Buffer.allocUnsafe(info.size);
        let n = 0;
        for (let got = 1; n < body.length && got > 0; n += got) got = readSync(fd, body, n, body.length - n, n);
        body = body.subarray(0, n);
      }
      const head = {
        ...HEADERS,
        'content-security-policy': segments.join('/') === TFJS_WORKER ? TFJS_CSP : CSP,
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body ? body.length : info.size,
      };
      const deadline = setTimeout(() => res.destroy(), limits.graceMs + (info.size / limits.minBytesPerSecond) * 1000);
      res.on('close', () => clearTimeout(deadline));
      if (req.method === 'HEAD' || body) {
        closeSync(fd);
        fd = -1;
        res.writeHead(200, head);
        res.end(body ?? undefined);
        return;
      }
      res.writeHead(200, head);
      const stream = createReadStream(null, { fd, end: info.size - 1 });
      fd = -1; // the stream closes it
      pipeline(stream, res, () => {});
    } catch {
      if (fd >= 0) closeSync(fd);
      if (!res.headersSent) fail(res, 404, 'not found');
      else res.destroy();
    }
  }

  // Requests Node refuses before they reach the handler: answer them with the headers too.
  server.on('clientError', (err, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable || busy.has(socket)) return socket.destroy();
    const status = { HPE_HEADER_OVERFLOW: 431, HPE_CHUNK_EXTENSIONS_OVERFLOW: 413, ERR_HTTP_REQUEST_TIMEOUT: 408 }[err.code] ?? 400;
    // As Node does: the answer, then the connection closes (a client that keeps sending cannot
    // keep it open).
    socket.end(rawAnswer(status, status === 408 ? 'request timeout' : 'bad request'), () => socket.destroy());
  });
  server.on('checkExpectation', (req, res) => fail(res, 417, 'expectation failed'));
  server.on('connect', (req, socket) => socket.end(rawAnswer(405, 'method not allowed'), () => socket.destroy()));

  await new Promise((ok, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      ok();
    });
  });
  // After start, an error (say, out of file descriptors on accept) must not stop the server.
  server.on('error', (e) => console.error(`serve.mjs: ${e.message}`));
  return server;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve.mjs: the port must be a whole number from 0 to 65535, not "${process.argv[2]}"`);
    process.exit(2);
  }
  const server = await startServer(port, process.argv[3] ?? REPO).catch((e) => {
    console.error(`serve.mjs: cannot serve on 127.0.0.1:${port}: ${e.message}`);
    process.exit(1);
  });
  console.log(`NP Playground is served at http://127.0.0.1:${server.address().port}/  (Ctrl-C stops it)`);
}
