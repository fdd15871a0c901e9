// A bounded load test of the demo server (scripts/serve.mjs), on loopback only. It serves a
// scratch site (index.html, www/main.js, a large www/data/big.bin and a src/ file that must stay
// hidden) from a child process. A probe thread fetches index.html every 100 ms on a fresh
// connection throughout: first with the server alone (3 s, "quiet"), then while slow readers
// (request big.bin, never read) and slow-header connections (one more header line a second, the
// head never done) are held and a fixed number of ordinary and malformed requests are sent, a
// hundred at once ("load"), then until the server has closed the slow connections ("draining").
// It stops by itself (the slow connections closed, or a deadline passed) and prints the figures:
// the server's peak memory (resident set), the probe's answer times per phase beside the server's
// own event-loop delay and CPU time, what every request got, and when the slow connections closed.
//
// Usage: node scripts/load-serve.mjs [--requests 2000] [--concurrency 100] [--slow-readers 150]
//          [--slow-headers 150] [--file-mib 21] [--json]
// Exits non-zero if the server stopped answering, a probe failed, an answer was wrong or lacked
// the security headers, a slow connection stayed open or its peak memory reached 200 MiB. Answer
// times are reported, never judged here (they depend on the machine, whose load average is
// printed); docs/engine.md ("The demo server under load") has the figures of one run.
// tests/serve-load.test.mjs runs a small load with the same code and asserts the same bounds.
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const SELF = fileURLToPath(import.meta.url);
export const MEMORY_LIMIT = 200 * 2 ** 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Splits an HTTP answer into its status, headers (lower-case names) and body. */
export function parseAnswer(bytes) {
  const text = bytes.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return null;
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m) return null;
  const headers = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(m[1]), headers, body: bytes.subarray(Buffer.byteLength(text.slice(0, split + 4), 'latin1')) };
}

/**
 * Sends `text` as is on a new connection to 127.0.0.1:`port` (half-closing it after if
 * `halfClose`) and resolves when the server closes it (or after `timeoutMs`) with the parsed
 * answer (null if none) and whether the server closed the connection. (A server closes a
 * connection after its answer to `Connection: close` or to a request it refused. Node's server
 * drops a streamed file's answer if the client half-closes before it starts: browsers do not.)
 */
export function rawRequest(port, text, { timeoutMs = 5000, halfClose = false } = {}) {
  return new Promise((ok) => {
    const chunks = [];
    const socket = connect(port, '127.0.0.1');
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const bytes = Buffer.concat(chunks);
      ok({ answer: parseAnswer(bytes), bytes, closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('connect', () => (halfClose ? socket.end(text) : socket.write(text)));
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

/** The security headers every answer must carry (the names; the values are scripts/serve.mjs's). */
export const SECURITY_HEADERS = ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'cross-origin-opener-policy'];
export const hasSecurityHeaders = (answer) => SECURITY_HEADERS.every((h) => answer.headers[h]);

/**
 * Starts scripts/serve.mjs's server in a child process serving `root` with `limits`; resolves with
 * its port, `stats()` (resident set now and at its peak, open connections) and `stop()`.
 */
export async function startChild(root, limits = {}) {
  const child = fork(SELF, ['--serve', root, JSON.stringify(limits)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  let exited = null;
  const port = await new Promise((ok, fail) => {
    child.once('message', (m) => ok(m.port));
    child.once('exit', (code) => fail(new Error(`the server exited (${code}) before listening`)));
  });
  child.on('message', (m) => { if (m.stats) waiting.shift()?.(m.stats); });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    for (const w of waiting.splice(0)) w(null);
  });
  return {
    port,
    child,
    exited: () => exited,
    /** The child's memory and connections, or null once it has exited. */
    stats: () => new Promise((ok) => {
      if (exited) return ok(null);
      waiting.push(ok);
      child.send('stats');
    }),
    stop: () => new Promise((ok) => {
      if (exited) return ok(exited);
      child.once('exit', (code, signal) => ok({ code, signal }));
      child.kill();
    }),
  };
}

/** A scratch site: the page's shape, a large file to stream and files that must stay hidden. */
export function makeSite(fileMiB) {
  const dir = mkdtempSync(join(tmpdir(), 'np-load-'));
  for (const d of ['site/www/data', 'site/src']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'site/index.html'), `<!doctype html><title>load</title>${'<p>page</p>'.repeat(200)}`);
  writeFileSync(join(dir, 'site/www/main.js'), `export const x = '${'x'.repeat(40_000)}';\n`);
  writeFileSync(join(dir, 'site/www/data/big.bin'), Buffer.alloc(Math.round(fileMiB * 2 ** 20), 7));
  writeFileSync(join(dir, 'site/src/secret.rs'), 'SECRET');
  return { dir, root: join(dir, 'site'), bigSize: Math.round(fileMiB * 2 ** 20) };
}

const PROBE = `
import { parentPort, workerData } from 'node:worker_threads';
import { request } from 'node:http';
const { port, everyMs } = workerData;
let stop = false;
parentPort.on('message', () => { stop = true; });
function once() {
  return new Promise((ok) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path: '/index.html', agent: false, headers: { host: '127.0.0.1' }, timeout: 30000 }, (res) => {
      res.resume();
      res.on('end', () => ok({ ms: performance.now() - t0, status: res.statusCode }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => ok({ ms: performance.now() - t0, status: 0, error: e.message }));
    req.end();
  });
}
while (!stop) {
  const t = performance.now();
  parentPort.postMessage(await once());
  const wait = everyMs - (performance.now() - t);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
parentPort.postMessage('done');
`;

/** Requests of the ordinary mix: [target, expected status, extra header lines]. */
const MIX = [
  ['/', 200], ['/index.html', 200], ['/www/main.js', 200], ['/www/main.js?v=1', 200], ['//', 200],
  ['/www/missing.js', 404], ['/src/secret.rs', 404], ['/www/../src/secret.rs', 404], ['/%2e%2e/x', 404],
  ['http://', 400], ['ws://', 400], ['http://a:-1/', 400], ['*', 400],
];

/**
 * Runs the load against a fresh child server; resolves with the figures. Options: requests,
 * concurrency, slowReaders, slowHeaders, fileMiB, limits (scripts/serve.mjs LIMITS overrides),
 * probeMs, log (a function for progress lines).
 */
export async function runLoad(o = {}) {
  const opts = { requests: 2000, concurrency: 100, slowReaders: 150, slowHeaders: 150, fileMiB: 21, limits: {}, probeMs: 100, quietMs: 3000, log: () => {}, ...o };
  const { LIMITS } = await import('./serve.mjs');
  const limits = { ...LIMITS, ...opts.limits };
  const site = makeSite(opts.fileMiB);
  const server = await startChild(site.root, opts.limits);
  const started = performance.now();
  const load1 = loadavg()[0];
  const figures = {
    options: { requests: opts.requests, concurrency: opts.concurrency, slowReaders: opts.slowReaders, slowHeaders: opts.slowHeaders, fileMiB: opts.fileMiB },
    statuses: {}, unexpected: [], missingHeaders: 0, leaked: 0,
    probes: [], memory: [], peakRss: 0,
  };
  let phase = 'quiet';
  const sample = async () => {
    const s = await server.stats();
    if (s) {
      figures.memory.push({ t: performance.now() - started, phase, ...s });
      figures.peakRss = Math.max(figures.peakRss, s.maxRss);
    }
    return s;
  };
  const sampler = setInterval(sample, 250);
  const probe = new Worker(PROBE, { eval: true, workerData: { port: server.port, everyMs: opts.probeMs } });
  const probeDone = new Promise((ok) => probe.on('message', (m) => (m === 'done' ? ok() : figures.probes.push({ t: performance.now() - started, phase, ...m }))));
  const open = new Set();
  try {
    const baseline = await sample();
    opts.log(`server pid ${server.child.pid}: ${(baseline.rss / 2 ** 20).toFixed(1)} MiB at rest; probing it alone for ${opts.quietMs} ms`);
    // At least quietMs, and three answers, before the load starts.
    const quietEnd = performance.now() + opts.quietMs;
    while (performance.now() < quietEnd || figures.probes.length < 3) await sleep(20);
    phase = 'load';

    // Slow readers: ask for the large file, then read nothing.
    const t0 = performance.now();
    for (let i = 0; i < opts.slowReaders; i++) {
      const s = connect(server.port, '127.0.0.1');
      s.on('error', () => {});
      s.on('connect', () => {
        s.write('GET /www/data/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        s.pause();
      });
      open.add(s);
    }
    // Slow headers: the head never ends; one more header line each second.
    const headerClosed = [];
    for (let i = 0; i < opts.slowHeaders; i++) {
      const s = connect(server.port, '127.0.0.1');
      const chunks = [];
      let tick;
      s.on('connect', () => {
        s.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        tick = setInterval(() => s.write(`X-Slow-${i}: 1\r\n`), 1000);
      });
      s.on('data', (c) => chunks.push(c));
      s.on('error', () => {});
      s.on('close', () => {
        clearInterval(tick);
        open.delete(s);
        const a = parseAnswer(Buffer.concat(chunks));
        headerClosed.push({ ms: performance.now() - t0, status: a?.status ?? 0, headers: a ? hasSecurityHeaders(a) : false });
      });
      open.add(s);
    }
    // Until the server holds them all (at most 30 s).
    const held = performance.now() + 30_000;
    for (let st = await sample(); st && st.connections < opts.slowReaders + opts.slowHeaders && performance.now() < held; st = await sample()) await sleep(20);
    opts.log(`${opts.slowReaders} slow readers and ${opts.slowHeaders} slow-header connections open`);

    // The ordinary and malformed requests, `concurrency` at a time.
    let next = 0;
    const worker = async () => {
      while (next < opts.requests) {
        const i = next++;
        const [target, want] = MIX[i % MIX.length];
        const r = await rawRequest(server.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, { timeoutMs: 30_000 });
        const status = r.answer?.status ?? 0;
        figures.statuses[status] = (figures.statuses[status] ?? 0) + 1;
        if (status !== want) figures.unexpected.push(`${target}: ${status} (expected ${want})`);
        if (r.answer && !hasSecurityHeaders(r.answer)) figures.missingHeaders++;
        if (r.bytes.includes('SECRET')) figures.leaked++;
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    figures.requestsMs = performance.now() - t0;
    phase = 'draining';
    opts.log(`${opts.requests} requests answered in ${(figures.requestsMs / 1000).toFixed(1)} s`);

    // Wait for the server to close the slow connections: the headers' deadline and the idle
    // timeout, plus the server's check interval and some slack.
    const deadline = performance.now() + Math.max(limits.headersMs, limits.idleMs) + 15_000;
    let s = await sample();
    while (s && s.connections > 1 && performance.now() < deadline) {
      await sleep(250);
      s = await sample();
    }
    figures.slowClosedMs = performance.now() - t0;
    figures.connectionsLeft = s ? Math.max(0, s.connections - 1) : null; // less the probe's
    figures.slowHeaders = {
      closed: headerClosed.length,
      lastMs: headerClosed.length ? Math.max(...headerClosed.map((h) => h.ms)) : null,
      statuses: headerClosed.reduce((m, h) => ({ ...m, [h.status]: (m[h.status] ?? 0) + 1 }), {}),
      withHeaders: headerClosed.filter((h) => h.headers).length,
    };
    // After the load: the server still answers.
    const after = await rawRequest(server.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    figures.answersAfter = after.answer?.status ?? 0;
  } finally {
    clearInterval(sampler);
    probe.postMessage('stop');
    let late;
    await Promise.race([probeDone, new Promise((ok) => { late = setTimeout(ok, 35_000); })]);
    clearTimeout(late);
    await probe.terminate();
    for (const s of open) s.destroy();
    figures.exited = server.exited();
    await server.stop();
    rmSync(site.dir, { recursive: true, force: true });
  }
  figures.durationMs = performance.now() - started;
  figures.loadavg = [load1, loadavg()[0]]; // the machine's 1-minute load average, before and after
  /** The probe's answer times over some of its requests. */
  const times = (probes) => {
    const ms = probes.filter((p) => p.status === 200).map((p) => p.ms).sort((a, b) => a - b);
    const q = (f) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(f * ms.length))] : null);
    return {
      count: probes.length,
      failed: probes.filter((p) => p.status !== 200).length,
      medianMs: q(0.5), p99Ms: q(0.99), maxMs: ms.length ? ms[ms.length - 1] : null,
      over100Ms: ms.filter((x) => x > 100).length,
    };
  };
  figures.probe = times(figures.probes);
  figures.probeByPhase = Object.fromEntries(['quiet', 'load', 'draining'].map((ph) => [ph, times(figures.probes.filter((p) => p.phase === ph))]));
  // The server's own side of each phase: how late its event loop ran at worst, its CPU time.
  figures.serverByPhase = Object.fromEntries(['quiet', 'load', 'draining'].map((ph) => {
    const m = figures.memory.filter((x) => x.phase === ph);
    const before = figures.memory[figures.memory.indexOf(m[0]) - 1];
    return [ph, {
      lagMaxMs: m.length ? Math.max(...m.map((x) => x.lagMaxMs)) : null,
      cpuMs: m.length ? m[m.length - 1].cpuMs - (before ?? m[0]).cpuMs : null,
      peakRss: m.length ? Math.max(...m.map((x) => x.rss)) : null,
    }];
  }));
  figures.restRss = figures.memory[0]?.rss ?? null;
  return figures;
}

/** What is wrong with a run's figures (empty when it kept every bound that is not a time). */
export function problems(f) {
  const out = [];
  if (f.exited) out.push(`the server exited: ${JSON.stringify(f.exited)}`);
  if (f.answersAfter !== 200) out.push(`after the load, / answered ${f.answersAfter}`);
  if (f.probe.failed) out.push(`${f.probe.failed} of ${f.probe.count} probes failed`);
  if (f.probe.count === 0) out.push('no probe was answered');
  if (f.unexpected.length) out.push(`${f.unexpected.length} unexpected answers, e.g. ${f.unexpected.slice(0, 3).join('; ')}`);
  if (f.missingHeaders) out.push(`${f.missingHeaders} answers without the security headers`);
  if (f.leaked) out.push(`${f.leaked} answers showed a hidden file`);
  if (f.peakRss >= MEMORY_LIMIT) out.push(`peak memory ${(f.peakRss / 2 ** 20).toFixed(0)} MiB, over 200 MiB`);
  if (f.connectionsLeft) out.push(`${f.connectionsLeft} slow connections still open after ${(f.slowClosedMs / 1000).toFixed(0)} s`);
  if (f.slowHeaders.withHeaders < f.slowHeaders.closed) out.push('a slow-header connection was closed without an answer carrying the security headers');
  return out;
}

if (process.argv[2] === '--serve') {
  // The child: the server, answering the parent's questions about its memory.
  const { startServer } = await import('./serve.mjs');
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const server = await startServer(0, process.argv[3], JSON.parse(process.argv[4] ?? '{}'));
  // How late the server's event loop runs, since the previous question (its own delay, apart from
  // the client's).
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  process.on('message', (m) => {
    if (m !== 'stats') return;
    server.getConnections((err, connections) => {
      const mem = process.memoryUsage();
      const cpu = process.cpuUsage();
      process.send({ stats: {
        rss: mem.rss, maxRss: process.resourceUsage().maxRSS * 1024, heapUsed: mem.heapUsed, external: mem.external,
        connections: err ? -1 : connections, cpuMs: (cpu.user + cpu.system) / 1000, lagMaxMs: lag.max / 1e6,
      } });
      lag.reset();
    });
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ port: server.address().port });
} else if (process.argv[1] === SELF) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const f = await runLoad({
    requests: arg('--requests', 2000), concurrency: arg('--concurrency', 100),
    slowReaders: arg('--slow-readers', 150), slowHeaders: arg('--slow-headers', 150), fileMiB: arg('--file-mib', 21),
    log: (m) => console.error(`[load] ${m}`),
  });
  const mib = (b) => (b / 2 ** 20).toFixed(1);
  if (process.argv.includes('--json')) console.log(JSON.stringify({ ...f, probes: undefined, memory: undefined }));
  else {
    const o = f.options;
    console.log(`load: ${o.requests} requests (${o.concurrency} at once), ${o.slowReaders} slow readers of a ${o.fileMiB} MiB file, ${o.slowHeaders} slow-header connections, ${(f.durationMs / 1000).toFixed(1)} s in all`);
    console.log(`machine: load average ${f.loadavg.map((x) => x.toFixed(1)).join(' -> ')} on ${availableParallelism()} cores`);
    console.log(`server memory (resident): ${mib(f.restRss)} MiB at rest, peak ${mib(f.peakRss)} MiB (limit 200 MiB)`);
    const ms = (x) => (x == null ? '-' : x.toFixed(1));
    console.log('probe (GET /index.html every 100 ms on a new connection, from its own thread), answer times in ms:');
    for (const [ph, p] of Object.entries(f.probeByPhase)) {
      const sv = f.serverByPhase[ph];
      console.log(`  ${ph.padEnd(8)} ${String(p.count).padStart(4)} probes, ${p.failed} failed; median ${ms(p.medianMs)}, p99 ${ms(p.p99Ms)}, max ${ms(p.maxMs)}; ${p.over100Ms} over 100 ms`
        + ` | server: event loop late by ${ms(sv.lagMaxMs)} ms at most, ${ms(sv.cpuMs)} ms CPU`);
    }
    console.log(`requests: ${JSON.stringify(f.statuses)} by status, ${f.unexpected.length} unexpected, ${f.missingHeaders} without the security headers; all answered in ${(f.requestsMs / 1000).toFixed(1)} s`);
    console.log(`slow headers: ${f.slowHeaders.closed} closed by the server, the last after ${(f.slowHeaders.lastMs / 1000).toFixed(1)} s, answers ${JSON.stringify(f.slowHeaders.statuses)}; slow connections left open: ${f.connectionsLeft} after ${(f.slowClosedMs / 1000).toFixed(1)} s`);
  }
  const bad = problems(f);
  for (const p of bad) console.error(`load-serve: ${p}`);
  process.exit(bad.length ? 1 : 0);
}
