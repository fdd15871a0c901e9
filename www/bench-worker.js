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
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    let n = 0;
    while (n < 2 || performance.now() - start < minMs) {
      f();
      n++;
    }
    out.push((n * work) / ((performance.now() - start) / 1000));
  }
  return out;
}

function summary(result, key, r) {
  return { ...result, [`${key}_median`]: median(r), [`${key}_min`]: Math.min(...r), [`${key}_max`]: Math.max(...r), reps: r.length };
}

onmessage = async (e) => {
  try {
    await init();
    const { quick } = e.data;
    const [reps, minMs] = quick ? [3, 50] : [5, 300];
    for (const [m, k, n] of [[100, 784, 256], [200, 256, 256], [100, 1024, 1024]]) {
      const mm = new MatmulBench(m, k, n);
      const r = rates(reps, minMs, (2 * m * n * k) / 1e9, () => mm.run(1));
      postMessage({ type: 'result', result: summary({ kind: 'matmul', engine: 'np-playground-wasm', shape: `${m}x${k}x${n}` }, 'gflops', r) });
      mm.free();
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
