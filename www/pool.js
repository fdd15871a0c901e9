// The page's pool of workers: one per core the browser reports (`workers=N` in the link
// overrides), each its own wasm instance (worker.js). Sweep cells queue over the pool, one cell
// per worker at a time; a worker that finishes takes the next. Nothing here computes: it hands
// out cells and passes their results on.
import { MSG } from './protocol.js';

/** The pool's size: `asked` (the link's `workers=`) or one per core the browser reports. */
export function poolSize(asked) {
  const n = asked ?? navigator.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(16, Math.floor(n) || 1));
}

let nextId = 0;

export class Pool {
  /** `digits()`: a promise of the MNIST file's bytes (an ArrayBuffer, copied for each worker),
   *  asked for only when a cell trains on the digits. */
  constructor(size, digits) {
    this.size = size;
    this.digits = digits;
    this.workers = []; // {worker, ready: Promise, job: null | {id, ...}, digits: bool}
    this.queue = [];   // jobs waiting for a worker
  }

  /** Grows or shrinks the pool to `size` workers (idle ones go; busy ones finish their cell). */
  resize(size) {
    this.size = size;
    while (this.workers.length > size) {
      const i = this.workers.findIndex((w) => !w.job);
      if (i < 0) break;
      this.workers[i].worker.terminate();
      this.workers.splice(i, 1);
    }
    this.pump();
  }

  spawn() {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    const w = { worker, job: null, digits: false };
    w.ready = new Promise((resolve) => {
      worker.onmessage = (e) => {
        const msg = e.data;
        if (msg.type === MSG.READY) {
          w.started = true;
          resolve();
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

  /** Hands queued cells to idle workers, starting workers up to the pool's size. */
  pump() {
    while (this.queue.length) {
      let w = this.workers.find((x) => !x.job);
      if (!w && this.workers.length < this.size) w = this.spawn();
      if (!w) return;
      const job = this.queue.shift();
      w.job = job;
      this.send(w, job);
    }
  }

  async send(w, job) {
    // A started worker gets its cell at once, in this task: awaiting here would let the view's
    // handlers of the cell just finished (drawing the maps) run first and the worker wait for them.
    if (w.started && (!job.digits || w.digits)) {
      w.worker.postMessage({ type: MSG.CELL, id: job.id, sweep: job.sweep, cell: job.cell });
      return;
    }
    await w.ready;
    if (job.digits && !w.digits) {
      try {
        const bytes = (await this.digits()).slice(0);
        w.worker.postMessage({ type: MSG.DIGITS, bytes }, [bytes]);
        w.digits = true;
      } catch (e) {
        this.finish(w, null, e.message);
        return;
      }
    }
    if (w.job !== job) return; // cancelled meanwhile
    w.worker.postMessage({ type: MSG.CELL, id: job.id, sweep: job.sweep, cell: job.cell });
  }

  message(w, msg) {
    const job = w.job;
    if (msg.type === MSG.CELL_PROGRESS) {
      if (job?.id === msg.id) job.onProgress?.(msg.step);
    } else if (msg.type === MSG.CELL_DONE) {
      if (job?.id === msg.id) this.finish(w, msg.line, msg.error);
    } else if (msg.type === MSG.CRASH || msg.type === MSG.ERROR) {
      this.lost(w, msg.message);
    }
  }

  finish(w, line, error) {
    const job = w.job;
    w.job = null;
    if (job) {
      if (error === null) job.resolve(line);
      else job.reject(new Error(error));
    }
    // The pool was made smaller while this worker was busy: it goes now.
    if (this.workers.length > this.size && this.workers.includes(w)) {
      w.worker.terminate();
      this.workers.splice(this.workers.indexOf(w), 1);
    }
    this.pump();
  }

  /** A worker whose engine panicked (or that died): its cell fails with the message, a new
   *  worker takes its place for the next. */
  lost(w, message) {
    w.worker.terminate();
    this.workers.splice(this.workers.indexOf(w), 1);
    this.finish(w, null, `the worker stopped: ${message}`);
  }

  /** Drops every queued cell and stops the ones being trained (each rejects as cancelled). */
  cancel() {
    for (const job of this.queue.splice(0)) job.reject(new Error('cancelled'));
    for (const w of this.workers) {
      if (!w.job) continue;
      w.worker.postMessage({ type: MSG.CELL_CANCEL, id: w.job.id });
      const job = w.job;
      w.job = null;
      job.reject(new Error('cancelled'));
    }
  }
}
