// The demo server under a small bounded load (scripts/load-serve.mjs at CI size, loopback only):
// slow readers of a large file, slow-header connections and a few hundred ordinary and malformed
// requests at once. The server must answer every probe and every request as it should, with the
// security headers, keep its peak memory under 200 MiB and close the slow connections. Answer
// times are printed, not asserted (a shared machine's speed drifts); the full-size run and its
// figures: `node scripts/load-serve.mjs`, docs/engine.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad, problems, MEMORY_LIMIT } from '../scripts/load-serve.mjs';

test('under slow readers, slow headers and 300 requests the server answers, holds its memory and closes the slow connections', async () => {
  const f = await runLoad({
    requests: 300, concurrency: 50, slowReaders: 40, slowHeaders: 40, fileMiB: 8, quietMs: 300,
    limits: { headersMs: 1000, idleMs: 1000 },
  });
  const mib = (b) => (b / 2 ** 20).toFixed(1);
  console.log(`peak ${mib(f.peakRss)} MiB (at rest ${mib(f.restRss)}); probes ${JSON.stringify(f.probeByPhase)}; requests ${JSON.stringify(f.statuses)}`);
  assert.equal(f.exited, null, 'the server exited');
  assert.equal(f.answersAfter, 200);
  assert.ok(f.probe.count > 0 && f.probe.failed === 0, `probes: ${JSON.stringify(f.probe)}`);
  assert.deepEqual(f.unexpected, []);
  assert.equal(f.statuses[200] + f.statuses[400] + f.statuses[404], 300);
  assert.equal(f.missingHeaders, 0);
  assert.equal(f.leaked, 0);
  assert.ok(f.peakRss < MEMORY_LIMIT, `peak memory ${mib(f.peakRss)} MiB`);
  assert.equal(f.connectionsLeft, 0, 'slow connections left open');
  assert.deepEqual(f.slowHeaders.statuses, { 408: 40 });
  assert.equal(f.slowHeaders.withHeaders, 40);
  assert.deepEqual(problems(f), []);
});
