// The run pool: the page's runs (a compare's rules, each rule's seeds) over several training
// workers (one per core the browser reports, `workers=N` in the link overrides). The runs are
// split in their order (rule by rule, seed by seed) into contiguous shares, one a worker. The
// page's own worker (main.js, "primary") keeps the first and smallest share, the page's own run
// first, with every view of that run; each further worker (the same worker.js, "secondary")
// sends only what the page draws for compared runs and seeds (figures, curves, boundaries,
// checksums). A rule whose seeds are split over workers has its workers send each run's curves,
// and merge() makes its mean and band over seeds with the engine's arithmetic (Session::curve:
// the finite values summed in f64 in run order, the mean rounded to f32, min and max, over the
// shortest run's points), so the page shows the numbers it shows with one worker. Lockstep: no
// worker goes past a common step `cap`, raised only as far as the slowest worker got plus a
// window of about a fifth of a second of steps, so the slowest run sets the pace. Pause, Stop
// and Step while training ask every worker where it stopped and bring all to the furthest of
// those steps (a warning or a divergence: to the cap), so paused runs show the checksums of one
// step, each the same as with one worker (a run's bits never depend on which worker trains it).
// With one worker, or a single run, nothing changes: the primary gets the messages as they
// were. Nothing here trains: it splits, relays and merges.
import { MSG } from './protocol.js';

const WINDOW_MS = 200; // the cap runs this far (in the slowest worker's steps) ahead of it
const WANT_MS = 40;    // a secondary's next snapshot is asked for this long after one arrives

/** The rules of `runs` ([{label, config}], seeds labelled "inp #2"...) as groups of run indices. */
function groups(runs) {
  const out = [];
  runs.forEach((r, i) => {
    const rule = r.label.replace(/ #\d+$/, '');
    const g = out.find((x) => x.rule === rule);
    if (g) g.runs.push(i);
    else out.push({ rule, runs: [i] });
  });
  return out;
}

/** The rules' runs of every worker, in order, with a rule split over workers made one again: the
 *  figures and boundary of its first seed (on the first of those workers), every seed's checksum
 *  and config. */
function mergeRuns(list) {
  const out = [];
  for (const r of list) {
    const last = out.at(-1);
    if (last?.rule === r.rule) out[out.length - 1] = { ...last, checksums: [...last.checksums, ...r.checksums], configs: [...last.configs, ...r.configs] };
    else out.push(r);
  }
  return out;
}

/** The mean, least and greatest of the finite values `arrays[r][i]` over the runs r, as
 *  Session::curve makes them: summed in f64 in run order (from -0, as Rust's sum), the mean then
 *  rounded to f32; NaN where no value is finite. */
function point(arrays, i) {
  let sum = -0;
  let k = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    const v = a[i];
    if (!Number.isFinite(v)) continue;
    sum += v;
    k += 1;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return k ? { mean: Math.fround(sum / k), lo, hi } : { mean: NaN, lo: NaN, hi: NaN };
}

/** One chart's series from every worker, in order: a rule split over workers ({name, rule, runs:
 *  [{x, y}]} from each) becomes one series with its mean and band over the first n points, n the
 *  shortest run's (none when a run has none); x: the first run's, or the runs' mean seconds. */
function mergeSeries(lists, xaxis) {
  const out = [];
  const split = new Map();
  for (const s of lists.flat()) {
    if (!s.runs) {
      out.push(s);
      continue;
    }
    const key = `${s.rule}\n${s.name}`;
    if (!split.has(key)) {
      split.set(key, { name: s.name, runs: [] });
      out.push(split.get(key));
    }
    split.get(key).runs.push(...s.runs);
  }
  return out.flatMap((s) => {
    if (!s.runs) return [s];
    const n = Math.min(...s.runs.map((r) => r.y.length));
    if (!n) return [];
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    const lo = new Float32Array(n);
    const hi = new Float32Array(n);
    const xs = s.runs.map((r) => r.x);
    const ys = s.runs.map((r) => r.y);
    for (let i = 0; i < n; i++) {
      x[i] = xaxis === 'seconds' ? point(xs, i).mean : xs[0][i];
      ({ mean: y[i], lo: lo[i], hi: hi[i] } = point(ys, i));
    }
    return [{ name: s.name, x, y, lo, hi }];
  });
}

/** Each rule's last mean alignment per layer from every worker: a rule split over workers
 *  ({rule, runs: [[y of each column] of each run]}) gets the mean at the last point all its runs
 *  have, as Session::curve's last point. */
function mergeLayers(lists) {
  const out = [];
  for (const e of lists.flat()) {
    const last = out.at(-1);
    if (e.runs && last?.runs && last.rule === e.rule) last.runs.push(...e.runs);
    else out.push(e.runs ? { rule: e.rule, runs: [...e.runs] } : e);
  }
  return out.map((e) => {
    if (!e.runs) return e;
    return {
      rule: e.rule,
      values: e.runs[0].map((_, c) => {
        const n = Math.min(...e.runs.map((r) => r[c].length));
        return n ? point(e.runs.map((r) => r[c]), n - 1).mean : NaN;
      }),
    };
  });
}

export class RunPool {
  /** `hooks`: {show() (a secondary's snapshot arrived: draw the merged one), crashed(message),
   *  warning(msg), error(msg), digits() (the MNIST bytes or null), tables() ([{runFile} |
   *  {bytes}] the page keeps)}. */
  constructor(hooks) {
    this.hooks = hooks;
    this.size = 1;
    this.workers = [];  // secondaries: {worker, snap, initSeq, digits, tables: Set, timer}
    this.active = 0;    // how many secondaries the current runs use (0: the primary has them all)
    this.held = [];     // how many runs each worker holds (primary first; a test hook reads it)
    this.asks = new Map(); // questions to secondaries (see ask) by id: {ok, fail}
    this.askId = 0;     // (a feed's questions go unanswered, with id -1)
    this.steps = [];    // each worker's steps (primary first), as last reported
    this.cap = Infinity;
    this.mode = 'paused'; // 'play' (the cap slides) or 'paused'
    this.window = 1;    // steps the cap runs ahead of the slowest worker
    this.limit = Infinity; // the cap never passes this (a replay's step)
    this.rate = null;   // {min, at}: the slowest worker's steps and when, to size the window
  }

  /** The pool's size (the page's `workers=`, or one per core). */
  setSize(n) {
    this.size = Math.max(1, n);
  }

  spawn() {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    const w = { worker, snap: null, initSeq: Infinity, digits: false, tables: new Set(), timer: null };
    worker.onmessage = (e) => this.message(w, e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      if (this.workers.indexOf(w) >= this.active) return this.lost(w);
      this.lost(w);
      this.hooks.crashed(e.message || 'a training worker stopped');
    };
    return w;
  }

  /** A secondary crashed: it is replaced, and the page starts its runs again (as for its own). */
  lost(w) {
    const i = this.workers.indexOf(w);
    if (i < 0) return;
    w.worker.terminate();
    clearTimeout(w.timer);
    this.workers[i] = this.spawn();
    this.active = 0;
    for (const ask of this.asks.values()) ask.fail(new Error('a training worker stopped'));
    this.asks.clear();
  }

  message(w, msg) {
    const i = this.workers.indexOf(w);
    if (i < 0 || i >= this.active) return;
    if (msg.type === MSG.SNAPSHOT) {
      if (msg.seq < w.initSeq) return; // of runs built before the current ones
      // The planes it did not recompute: it keeps the ones it sent.
      if (msg.kept?.includes('planes')) msg.runs.forEach((r, k) => { r.plane = w.snap?.runs[k]?.plane ?? null; });
      w.snap = msg;
      clearTimeout(w.timer);
      w.timer = setTimeout(() => w.worker.postMessage({ type: MSG.WANT }), WANT_MS);
      this.hooks.show();
    } else if (msg.type === MSG.STEPS) {
      this.reported(i + 1, msg);
    } else if (msg.type === MSG.WARNING) {
      this.hooks.warning(msg);
    } else if (msg.type === MSG.ERROR) {
      this.hooks.error(msg);
    } else if (msg.type === MSG.ANSWER) {
      const ask = this.asks.get(msg.id);
      this.asks.delete(msg.id);
      if (msg.error === null) ask?.ok(msg.result);
      else ask?.fail(new Error(msg.error));
    } else if (msg.type === MSG.CRASH) {
      const message = msg.message;
      this.lost(w);
      this.hooks.crashed(message);
    }
  }

  /** Asks every secondary of the current runs what the page asks its own worker (MSG.ASK, e.g.
   *  an edit made in every run): promises of their answers, in the workers' order, which is the
   *  runs' order after the primary's. */
  ask(what, fields = {}) {
    return this.workers.slice(0, this.active).map((w) => new Promise((ok, fail) => {
      const id = ++this.askId;
      this.asks.set(id, { ok, fail });
      w.worker.postMessage({ type: MSG.ASK, id, what, ...fields });
    }));
  }

  /** Worker `i` (0: the primary) reports its steps: the cap follows the slowest; a worker that
   *  stopped by itself (a divergence, a warning) pauses the others at the cap. */
  reported(i, msg) {
    if (!this.active) return;
    this.steps[i] = msg.steps;
    if (this.mode === 'halting' && msg.seq === this.halting.seq) {
      // Pause or Stop: every worker says where it stopped; all then go to the furthest step (a
      // worker replaying ignored Pause: the replay goes on).
      if (msg.playing) {
        this.mode = 'play';
        return;
      }
      this.halting.at.set(i, msg.steps);
      if (this.halting.at.size === this.active + 1) {
        this.mode = 'paused';
        this.setCap(Math.max(...this.halting.at.values()) + this.halting.extra);
        this.each({ type: MSG.STEP, to: this.cap, seq: this.seq });
      }
      return;
    }
    if (this.mode !== 'play') return;
    // (A report made before the worker read the latest command says nothing about it.)
    if (!msg.playing && msg.steps < this.cap && msg.seq === this.seq) {
      this.pauseAll();
      return;
    }
    const min = Math.min(...this.steps);
    const now = performance.now();
    // The window: the slowest worker's mean rate since Play times WINDOW_MS, once measured over
    // 100 ms; doubled whenever the slowest worker waits at the cap (the window held it back).
    this.rate ??= { min, at: now };
    const ms = now - this.rate.at;
    if (ms >= 100) this.window = Math.max(1, Math.round((min - this.rate.min) / ms * WINDOW_MS));
    if (min >= this.cap) this.window = Math.min(this.window * 2, 1e6);
    const cap = Math.min(min + this.window, this.limit);
    if (cap > this.cap) this.setCap(cap);
  }

  setCap(cap, send = null) {
    this.cap = cap;
    this.each({ type: MSG.CAP, cap }, send);
  }

  /** Sends `msg` to the secondaries in use (and to the primary through `send`, if given). */
  each(msg, send = null) {
    (send ?? this.primary)?.(msg);
    for (const w of this.workers.slice(0, this.active)) w.worker.postMessage(msg);
  }

  pauseAll(send = null, seq = undefined) {
    this.mode = 'paused';
    this.each({ type: MSG.STEP, to: this.cap, seq }, send);
  }

  /** Relays a command (INIT, PLAY, PAUSE, STEP, RUN_TO, STOP, with its seq) to the workers:
   *  `send` posts to the primary. */
  command(msg, send) {
    this.primary = send;
    this.seq = msg.seq;
    if (msg.type === MSG.INIT) return this.init(msg, send);
    if (!this.active) return send(msg);
    switch (msg.type) {
      case MSG.PLAY:
      case MSG.RUN_TO:
        // A replay's cap never passes its step, so no worker stops short of the cap there.
        this.mode = 'play';
        this.rate = null;
        this.limit = msg.type === MSG.RUN_TO ? msg.at : Infinity;
        this.setCap(Math.max(this.cap, Math.min(Math.min(...this.steps) + this.window, this.limit)), send);
        this.each(msg, send);
        break;
      case MSG.PAUSE:
      case MSG.STOP:
        this.mode = 'halting';
        this.halting = { seq: msg.seq, at: new Map(), extra: 0 };
        this.each(msg, send);
        break;
      case MSG.STEP:
        // Paused, every worker is at the cap: one step past it; while a Pause is being settled,
        // one step past the step it settles on.
        if (this.mode === 'halting') {
          this.halting.extra += 1;
          break;
        }
        // Step while training: a Pause, then one step past where it settles.
        if (this.mode === 'play') {
          this.mode = 'halting';
          this.halting = { seq: msg.seq, at: new Map(), extra: 1 };
          this.each({ type: MSG.PAUSE, seq: msg.seq }, send);
          break;
        }
        this.mode = 'paused';
        this.setCap(this.cap + 1, send);
        this.each({ ...msg, to: this.cap }, send);
        break;
      default:
        this.each(msg, send);
    }
  }

  /** New runs: split over the pool when there are several runs and workers. */
  init(msg, send) {
    const parts = Math.min(this.size, msg.runs.length);
    for (const w of this.workers) {
      w.snap = null;
      w.initSeq = Infinity;
    }
    if (parts <= 1) {
      // The secondaries' old runs stop where they are (their sessions go with the next split).
      this.forward({ type: MSG.PAUSE });
      this.active = 0;
      this.held = [msg.runs.length];
      this.cap = Infinity;
      return send(msg);
    }
    // Contiguous shares of the runs, the primary's first (it also computes the page's own views:
    // the smaller); `owner`: each run's worker.
    const shares = [];
    const owner = [];
    for (let k = 0, from = 0; k < parts; k++) {
      const n = Math.floor((msg.runs.length + k) / parts);
      shares.push(msg.runs.slice(from, from + n));
      for (let i = 0; i < n; i++) owner.push(k);
      from += n;
    }
    // Curves by rule when comparing (even on a worker holding one rule); the rules whose seeds are
    // on several workers send their runs' curves, merged here.
    const rules = groups(msg.runs);
    const compare = rules.length > 1;
    const split = rules.filter((g) => new Set(g.runs.map((i) => owner[i])).size > 1).map((g) => g.rule);
    while (this.workers.length < parts - 1) this.workers.push(this.spawn());
    this.active = parts - 1;
    this.held = shares.map((share) => share.length);
    this.cap = 0;
    this.mode = 'paused';
    this.window = 1;
    this.steps = shares.map(() => 0);
    send({ ...msg, runs: shares[0], cap: 0, compare, split });
    shares.slice(1).forEach((share, k) => {
      const w = this.workers[k];
      this.feed(w);
      w.initSeq = msg.seq;
      w.worker.postMessage({ ...msg, runs: share, cap: 0, compare, split, secondary: true });
    });
  }

  /** Hands a secondary the digits and the tables the page keeps, once each. */
  feed(w) {
    const digits = this.hooks.digits();
    if (digits && !w.digits) {
      const copy = digits.slice(0);
      w.worker.postMessage({ type: MSG.DIGITS, bytes: copy }, [copy]);
      w.digits = true;
    }
    for (const t of this.hooks.tables()) {
      if (w.tables.has(t)) continue;
      w.tables.add(t);
      if (t.runFile) {
        w.worker.postMessage({ type: MSG.ASK, id: -1, what: 'readRunFile', text: t.runFile });
      } else {
        const copy = t.bytes.slice(0);
        w.worker.postMessage({ type: MSG.ASK, id: -1, what: 'loadTable', bytes: copy }, [copy]);
      }
    }
  }

  /** A message that does not move training (SPEED, DIAGNOSTICS, XAXIS) to every secondary. */
  forward(msg) {
    for (const w of this.workers.slice(0, this.active)) w.worker.postMessage(msg);
  }

  /** The primary's snapshot `p` with the secondaries' runs and curves after its own, in the
   *  order of the runs (a rule split over workers made one again); null until every secondary
   *  sent one of the current runs. */
  merge(p) {
    if (!this.active) return p;
    const snaps = this.workers.slice(0, this.active).map((w) => w.snap);
    if (snaps.some((s) => !s)) return null;
    const all = [p, ...snaps];
    const curves = { ...p.curves };
    for (const name of ['loss', 'accuracy', 'alignment', 'correlation']) {
      curves[name] = mergeSeries(all.map((s) => s.curves[name] ?? []), p.xaxis);
    }
    if (p.curves.alignmentLayers) curves.alignmentLayers = mergeLayers(all.map((s) => s.curves.alignmentLayers ?? []));
    return {
      ...p,
      runs: mergeRuns(all.flatMap((s) => s.runs)),
      curves,
      // Current only when every worker read the latest command; training while any trains.
      seq: Math.min(...all.map((s) => s.seq)),
      playing: all.some((s) => s.playing),
      busy: all.some((s) => s.busy),
      // Workers settling on one step after a pause: a snapshot still shows one of them before it
      // got there (a diverged run stops where it diverged, so then the steps may differ).
      settling: new Set(all.map((s) => s.runs[0]?.summary.step)).size > 1 && !all.some((s) => s.runs.some((r) => r.summary.diverged)),
      replay: all.find((s) => s.replay)?.replay ?? null,
    };
  }

  terminate() {
    for (const w of this.workers) w.worker.terminate();
    this.workers = [];
    this.active = 0;
  }
}
