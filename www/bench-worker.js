// NP Playground's side of the browser benchmark: the same wasm module and the same stepping as
// the app's worker, timed with performance.now().
import init, { BenchRun, MatmulBench, benchPlan } from './pkg-bench/np_playground.js';

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Rates of `work` per second over `reps` repetitions of at least `minMs` each. */
function rates(reps, minMs, work, f) {
  f();
  const out = [];
  for (let r = 0; r < reps; r++) out.push(timed(minMs, work, f));
  return out;
}

/** `f` repeated for at least `minMs` (and at least twice): its per-second rate of `work`. */
function timed(minMs, work, f) {
  const start = performance.now();
  let n = 0;
  while (n < 2 || performance.now() - start < minMs) {
    f();
    n++;
  }
  return (n * work) / ((performance.now() - start) / 1000);
}

function summary(result, key, r) {
  return { ...result, [`${key}_median`]: median(r), [`${key}_min`]: Math.min(...r), [`${key}_max`]: Math.max(...r), reps: r.length };
}

onmessage = async (e) => {
  try {
    await init();
    const { quick } = e.data;
    const [reps, minMs] = quick ? [3, 50] : [5, 300];
    // The engine's kernel beside the benchmark's reference kernel (B packed whole into 4 x 8
    // panels, no k-blocking). Each repetition times every shape and both kernels in turn, so that
    // the machine's drift hits all of them alike.
    const shapes = [[100, 784, 256], [200, 256, 256], [100, 1024, 1024]].map(([m, k, n]) => ({ m, k, n, mm: new MatmulBench(m, k, n), r: [], rRef: [] }));
    for (const s of shapes) {
      s.mm.run(1);
      s.mm.runReference(1);
    }
    // More repetitions than the training rows: they are short, and the ratios between shapes are
    // taken repetition by repetition (`gflops_all`).
    for (let rep = 0; rep < reps + 4; rep++) {
      for (const s of shapes) {
        const work = (2 * s.m * s.n * s.k) / 1e9;
        s.r.push(timed(minMs, work, () => s.mm.run(1)));
        s.rRef.push(timed(minMs, work, () => s.mm.runReference(1)));
      }
    }
    for (const s of shapes) {
      const result = summary({ kind: 'matmul', engine: 'np-playground-wasm', shape: `${s.m}x${s.k}x${s.n}`, path: MatmulBench.path(), gflops_all: s.r, reference_gflops_all: s.rRef }, 'gflops', s.r);
      postMessage({ type: 'result', result: summary(result, 'reference_gflops', s.rRef) });
      s.mm.free();
    }
    const plan = JSON.parse(benchPlan());
    plan.cases.forEach((c, ci) => {
      if (quick && c.sizes.length > 4) return;
      plan.rules.forEach((rule, ri) => {
        const run = new BenchRun(ci, ri);
        const r = rates(reps, minMs, c.batch, () => run.run(1));
        run.free();
        postMessage({ type: 'result', result: summary({ kind: 'train', engine: 'np-playground-wasm', case: c.name, rule }, 'samples_per_s', r) });
      });
    });
    postMessage({ type: 'done' });
  } catch (err) {
    postMessage({ type: 'error', message: String(err.message ?? err) });
  }
};
