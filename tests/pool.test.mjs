// The page's pool of workers (www/pool.js), driven with fake workers that answer the worker's
// protocol: how cells are handed out (a second cell held only while one per worker still waits),
// Cancel (every cell held is dropped in its worker), a worker lost (the cell it held goes to
// another), and the order of the results. The real workers are tested in tests/sweep.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MSG } from '../www/protocol.js';

/** A fake worker.js: records what it is sent; `ready()` and `done(id)` answer as the worker does. */
class FakeWorker {
  static all = [];
  constructor() {
    this.sent = [];
    this.terminated = false;
    FakeWorker.all.push(this);
  }
  postMessage(msg) {
    this.sent.push(msg);
  }
  terminate() {
    this.terminated = true;
  }
  answer(msg) {
    this.onmessage({ data: msg });
  }
  ready() {
    this.answer({ type: MSG.READY });
  }
  /** The cells sent and not cancelled, in the order sent. */
  cells() {
    const cancelled = new Set(this.sent.filter((m) => m.type === MSG.CELL_CANCEL).map((m) => m.id));
    return this.sent.filter((m) => m.type === MSG.CELL && !cancelled.has(m.id));
  }
  done(id) {
    this.answer({ type: MSG.CELL_DONE, id, line: `{"id":${id}}`, error: null });
  }
}
globalThis.Worker = FakeWorker;
const { Pool } = await import('../www/pool.js');

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A pool of `size` fake workers, all started, with `n` cells queued; returns the pool, the
 *  workers and the results so far (cell index -> line, or 'error: ...'). */
async function started(size, n) {
  FakeWorker.all = [];
  const pool = new Pool(size, async () => new ArrayBuffer(8));
  const results = new Map();
  const jobs = Array.from({ length: n }, (_, i) =>
    pool.run({ sweep: 's', cell: i, digits: false }).then((line) => results.set(i, line), (e) => results.set(i, `error: ${e.message}`)));
  for (const w of FakeWorker.all) w.ready();
  await tick();
  return { pool, workers: FakeWorker.all, results, jobs };
}

test('each worker trains one cell and holds the next while at least one cell per worker waits', async () => {
  const { workers } = await started(2, 9);
  assert.equal(workers.length, 2);
  // Cells 0 and 1 first, then one held each (2 and 3): five cells still wait, at least two.
  assert.deepEqual(workers.map((w) => w.cells().map((m) => m.cell)), [[0, 2], [1, 3]]);
  // Worker 0 finishes cell 0 (it starts 2 itself): it is given 4 to hold at once.
  workers[0].done(workers[0].cells()[0].id);
  await tick();
  assert.deepEqual(workers[0].cells().map((m) => m.cell), [0, 2, 4]);
});

test('the last cells go only to idle workers: none waits behind another cell', async () => {
  const { workers, results } = await started(2, 5);
  // 5 cells: 0 and 1 trained, 2 and 3 held (three waited, at least two); 4 waits in the queue.
  assert.deepEqual(workers.map((w) => w.cells().map((m) => m.cell)), [[0, 2], [1, 3]]);
  workers[0].done(workers[0].cells()[0].id); // worker 0 starts its held cell 2
  await tick();
  // One cell waits, fewer than the workers: it is not held behind cell 2.
  assert.deepEqual(workers[0].cells().map((m) => m.cell), [0, 2]);
  workers[1].done(workers[1].cells()[0].id);
  await tick();
  assert.deepEqual(workers[1].cells().map((m) => m.cell), [1, 3]);
  // Worker 0 finishes cell 2 and is idle: the last cell is its.
  workers[0].done(workers[0].cells()[1].id);
  await tick();
  assert.deepEqual(workers[0].cells().map((m) => m.cell), [0, 2, 4]);
  for (const w of workers) for (const m of w.cells()) if (![0, 1, 2].includes(m.cell)) w.done(m.id);
  await tick();
  assert.deepEqual([...results.keys()].sort(), [0, 1, 2, 3, 4]);
  assert.equal(results.get(4), `{"id":${workers[0].cells()[2].id}}`);
});

test('Cancel drops every cell a worker holds, in the worker too, and rejects each', async () => {
  const { pool, workers, results } = await started(2, 9);
  pool.cancel();
  await tick();
  for (const w of workers) {
    const sent = w.sent.filter((m) => m.type === MSG.CELL).map((m) => m.id);
    const dropped = w.sent.filter((m) => m.type === MSG.CELL_CANCEL).map((m) => m.id);
    assert.deepEqual(dropped, sent, 'the worker is told to drop the cell it trains and the one it holds');
  }
  assert.equal(results.size, 9);
  assert.ok([...results.values()].every((r) => r === 'error: cancelled'));
  // A late answer of a cancelled cell is ignored; the next sweep's cells start at once.
  workers[0].done(workers[0].sent.find((m) => m.type === MSG.CELL).id);
  const again = pool.run({ sweep: 't', cell: 0, digits: false });
  await tick();
  const cell = workers[0].cells().find((m) => m.sweep === 't');
  assert.ok(cell, 'an idle worker takes the new cell');
  workers[0].done(cell.id);
  assert.equal(await again, `{"id":${cell.id}}`);
});

test('a worker lost fails the cell it trained; the cell it held is trained by another', async () => {
  const { workers, results } = await started(2, 4);
  const [w0] = workers;
  const [trained, held] = w0.cells();
  w0.answer({ type: MSG.CRASH, message: 'a test panic' });
  await tick();
  assert.ok(w0.terminated);
  assert.match(results.get(trained.cell), /error: the worker stopped: a test panic/);
  // A new worker takes the lost one's place and, once started, the cell it held.
  const fresh = FakeWorker.all[2];
  assert.ok(fresh, 'a new worker was started');
  fresh.ready();
  await tick();
  assert.deepEqual(fresh.cells().map((m) => m.cell), [held.cell]);
});

test('digits are sent once per worker, before its first cell on the digits, however many it holds', async () => {
  FakeWorker.all = [];
  let asked = 0;
  const pool = new Pool(1, async () => {
    asked += 1;
    return new ArrayBuffer(16);
  });
  const runs = [0, 1, 2].map((i) => pool.run({ sweep: 'd', cell: i, digits: true }));
  const [w] = FakeWorker.all;
  w.ready();
  await tick();
  await tick();
  const types = w.sent.map((m) => m.type);
  assert.deepEqual(types, [MSG.DIGITS, MSG.CELL, MSG.CELL]);
  assert.equal(asked, 1);
  for (const m of w.cells()) w.done(m.id);
  await tick();
  w.done(w.cells()[2].id);
  assert.equal((await Promise.all(runs)).length, 3);
});
