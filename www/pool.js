// The page's pool of workers: one per core the browser reports (`workers=N` in the link
// overrides), each its own wasm instance (worker.js). Sweep cells queue over the pool; a worker
// holds the cell it trains and, while at least one cell per worker waits, the next one too, so it
// starts that cell the moment it finishes one instead of waiting for this thread (busy drawing)
// to answer. Nothing here computes: it hands out cells and passes their results on.
import { MSG } from './protocol.js';

/** The pool's size: `asked` (the link's `workers=`) or one per core the browser reports. */
export function poolSize(asked) {
  const n = asked ?? navigator.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(16, Math.floor(n) || 1));
}

let nextId = 0;
const HELD = 2; // cells a worker holds at most: the one it trains and the next

export class Pool {
  /** `digits()`: a promise of the MNIST file's bytes (an ArrayBuffer, copied for each worker),
   *  asked for only when a cell trains on the digits. */
  constructor(size, digits) {
    this.size = size;
    this.digits = digits;
    // {worker, ready: Promise, started, jobs: [{id, ...}] (in the worker's order), digitsSent,
    // waiting: cells in its chain (see send), chain}
    this.workers = [];
    this.queue = [];   // jobs waiting for a worker
  }

  /** Grows or shrinks the pool to `size` workers (idle ones go; busy ones finish their cell). */
  resize(size) {
    this.size = size;
    while (this.workers.length > size) {
      const i = this.workers.findIndex((w) => !w.jobs.length);
      if (i < 0) break;
      this.workers[i].worker.terminate();
      this.workers.splice(i, 1);
    }
    this.pump();
  }

  /** Starts the pool's workers before any cell is queued (a link with a sweep: they load the
   *  engine while the page does). */
  warm() {
    while (this.workers.length < this.size) this.spawn();
  }

  spawn() {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    const w = { worker, jobs: [], digitsSent: false, waiting: 0, chain: Promise.resolve() };
    w.ready = new Promise((resolve) => {
      worker.onmessage = (e) => {
        const msg = e.data;
        if (msg.type === MSG.READY) {
          w.started = true;
          resolve();
          this.pump(); // it may hold its next cell now
        }
        else this.message(w, msg);
      };
    });
    worker.onerror = (e) => {
      e.preventDefault();
      this.lost(w, e.message || 'the worker stopped');
    };
    this.workers.push(w);
    return w;
  }

  /** Queues a cell: `job` = {sweep, cell, digits (bool), onProgress(step)}; resolves with its
   *  result line (JSON text), rejects with why it could not run (or was cancelled). */
  run(job) {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...job, id: ++nextId, resolve, reject });
      this.pump();
    });
  }

  /** Hands queued cells to idle workers, starting workers up to the pool's size; then, while at
   *  least one cell per worker still waits, a second cell to each worker that trains one (the
   *  last cells go only to idle workers, so none waits behind another's). */
  pump() {
    while (this.queue.length) {
      let w = this.workers.find((x) => !x.jobs.length);
      if (!w && this.workers.length < this.size) w = this.spawn();
      if (!w) w = this.queue.length >= this.size ? this.workers.find((x) => x.jobs.length < HELD && x.started) : null;
      if (!w) return;
      const job = this.queue.shift();
      w.jobs.push(job);
      this.send(w, job);
    }
  }

  /** Sends `job` to `w`. A started worker gets its cell at once, in this task: waiting would let
   *  the view's handlers of the cell just finished run first and the worker wait for them. Cells
   *  that must wait (for the worker's start, for the digits) wait in a chain of their worker's,
   *  and so do the ones after them: a worker gets its cells in the order they were given. */
  send(w, job) {
    const post = () => w.worker.postMessage({ type: MSG.CELL, id: job.id, sweep: job.sweep, cell: job.cell });
    if (!w.waiting && w.started && (!job.digits || w.digitsSent)) return post();
    w.waiting += 1;
    w.chain = w.chain.then(async () => {
      await w.ready;
      if (job.digits && !w.digitsSent) {
        // One copy of the digits per worker, however many of its cells wait for them.
        try {
          const bytes = (await this.digits()).slice(0);
          w.worker.postMessage({ type: MSG.DIGITS, bytes }, [bytes]);
          w.digitsSent = true;
        } catch (e) {
          if (w.jobs.includes(job)) this.finish(w, job, null, e.message);
          return;
        }
      }
      if (w.jobs.includes(job)) post(); // else cancelled meanwhile
    }).finally(() => {
      w.waiting -= 1;
    });
  }

  message(w, msg) {
    const job = w.jobs.find((j) => j.id === msg.id);
    if (msg.type === MSG.CELL_PROGRESS) {
      job?.onProgress?.(msg.step);
    } else if (msg.type === MSG.CELL_DONE) {
      if (job) this.finish(w, job, msg.line, msg.error);
    } else if (msg.type === MSG.CRASH || msg.type === MSG.ERROR) {
      this.lost(w, msg.message);
    }
  }

  finish(w, job, line, error) {
    const k = w.jobs.indexOf(job);
    if (k >= 0) w.jobs.splice(k, 1);
    if (error === null) job.resolve(line);
    else job.reject(new Error(error));
    // The pool was made smaller while this worker was busy: it goes now.
    if (!w.jobs.length && this.workers.length > this.size && this.workers.includes(w)) {
      w.worker.terminate();
      this.workers.splice(this.workers.indexOf(w), 1);
    }
    this.pump();
  }

  /** A worker whose engine panicked (or that died): the cell it trained fails with the message,
   *  the one it held goes back to the queue, and a new worker takes its place. */
  lost(w, message) {
    w.worker.terminate();
    this.workers.splice(this.workers.indexOf(w), 1);
    const [job, ...held] = w.jobs.splice(0);
    this.queue.unshift(...held);
    if (job) this.finish(w, job, null, `the worker stopped: ${message}`);
    else this.pump();
  }

  /** Drops every queued cell and stops the ones being trained (each rejects as cancelled). */
  cancel() {
    for (const job of this.queue.splice(0)) job.reject(new Error('cancelled'));
    for (const w of this.workers) {
      for (const job of w.jobs.splice(0)) {
        w.worker.postMessage({ type: MSG.CELL_CANCEL, id: job.id });
        job.reject(new Error('cancelled'));
      }
    }
  }
}
