// A minimal static file server for the page, bound to 127.0.0.1 only.
// Usage: node scripts/serve.mjs [port] [root]   (root: the folder to serve, the repository by default)
//
// It serves only files inside the root (a path that resolves outside it, or any path segment
// starting with a dot such as .git, is not found), answers only requests whose Host is
// 127.0.0.1 or localhost (so a DNS-rebinding page cannot read it), and sends the page's security
// headers with every response (the worker script gets its Content-Security-Policy from them).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
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
const TFJS_WORKER = join('www', 'tfjs-worker.js');
const HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-cache',
};
const HOSTS = new Set(['127.0.0.1', 'localhost']);

/** The file a URL path names inside `root`, or null when it names none it may serve. */
export function resolvePath(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const segments = path.split(/[\\/]+/).filter(Boolean);
  if (segments.some((s) => s.startsWith('.'))) return null; // .git, .env, .., .
  const file = resolve(join(root, ...segments));
  return file === root || file.startsWith(root + sep) ? file : null;
}

/** Whether the Host header names this machine (any port). */
export function allowedHost(host) {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return HOSTS.has(name.toLowerCase());
}

export function startServer(port = 0, root = REPO) {
  root = resolve(root);
  const server = createServer(async (req, res) => {
    const fail = (status, text) => {
      res.writeHead(status, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
    };
    if (!allowedHost(req.headers.host)) return fail(421, 'wrong host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'method not allowed');
    let file = resolvePath(root, new URL(req.url, 'http://127.0.0.1').pathname);
    if (!file) return fail(404, 'not found');
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const csp = file === join(root, TFJS_WORKER) ? TFJS_CSP : CSP;
      res.writeHead(200, { ...HEADERS, 'content-security-policy': csp, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      fail(404, 'not found');
    }
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 8000);
  const server = await startServer(port, process.argv[3] ?? REPO);
  console.log(`NP Playground is served at http://127.0.0.1:${server.address().port}/  (Ctrl-C stops it)`);
}
