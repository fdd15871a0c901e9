// TensorFlow.js side of the browser benchmark (a classic worker: TF.js ships UMD bundles).
// The same MLPs (tanh hidden layers, linear output, softmax cross-entropy, SGD) trained with
// backprop three ways: model.trainOnBatch, optimizer.minimize, and hand-written layers that avoid
// transposed matrix products (which the wasm backend's fast kernels do not cover).
importScripts('../node_modules/@tensorflow/tfjs/dist/tf.min.js', '../node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js');

const CASES = [
  { name: '2-8-8-2', sizes: [2, 8, 8, 2], batch: 10 },
  { name: '64-32-10', sizes: [64, 32, 10], batch: 32 },
  { name: '784-256-256-10', sizes: [784, 256, 256, 10], batch: 100 },
  { name: '784-1024-1024-1024-10', sizes: [784, 1024, 1024, 1024, 10], batch: 100 },
];
const LR = 0.01;

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function rates(reps, minMs, work, f) {
  await f();
  const out = [];
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    let n = 0;
    while (n < 2 || performance.now() - start < minMs) {
      await f();
      n++;
    }
    out.push((n * work) / ((performance.now() - start) / 1000));
  }
  return out;
}

function data(c) {
  const x = tf.randomNormal([c.batch, c.sizes[0]]);
  const labels = tf.randomUniform([c.batch], 0, c.sizes.at(-1), 'int32');
  const y = tf.oneHot(labels, c.sizes.at(-1)).toFloat();
  return { x, y };
}

function stockModel(c) {
  const model = tf.sequential();
  c.sizes.slice(1).forEach((n, i) => {
    const last = i === c.sizes.length - 2;
    model.add(tf.layers.dense({ units: n, activation: last ? 'linear' : 'tanh', inputShape: i === 0 ? [c.sizes[0]] : undefined }));
  });
  model.compile({ optimizer: tf.train.sgd(LR), loss: (y, z) => tf.losses.softmaxCrossEntropy(y, z) });
  return model;
}

function variables(c) {
  return c.sizes.slice(1).map((n, i) => ({
    w: tf.variable(tf.randomNormal([c.sizes[i], n], 0, Math.sqrt(2 / (c.sizes[i] + n)))),
    b: tf.variable(tf.zeros([n])),
  }));
}

function forward(layers, x) {
  let h = x;
  layers.forEach((l, i) => {
    const a = tf.add(tf.matMul(h, l.w), l.b);
    h = i === layers.length - 1 ? a : tf.tanh(a);
  });
  return h;
}

/** Backprop by hand with explicit transposes, so every product is a plain matMul. */
function handStep(layers, wt, x, y) {
  tf.tidy(() => {
    const hs = [x];
    const as = [];
    layers.forEach((l, i) => {
      const a = tf.add(tf.matMul(hs[i], l.w), l.b);
      as.push(a);
      hs.push(i === layers.length - 1 ? a : tf.tanh(a));
    });
    let delta = tf.div(tf.sub(tf.softmax(hs.at(-1)), y), x.shape[0]);
    for (let i = layers.length - 1; i >= 0; i--) {
      const dw = tf.matMul(tf.transpose(hs[i]), delta);
      const db = tf.sum(delta, 0);
      if (i > 0) {
        const dh = tf.matMul(delta, wt[i]);
        delta = tf.mul(dh, tf.sub(1, tf.square(hs[i])));
      }
      layers[i].w.assign(tf.sub(layers[i].w, tf.mul(dw, LR)));
      wt[i].assign(tf.sub(wt[i], tf.mul(tf.transpose(dw), LR)));
      layers[i].b.assign(tf.sub(layers[i].b, tf.mul(db, LR)));
    }
  });
}

onmessage = async (e) => {
  try {
    const { quick } = e.data;
    const [reps, minMs] = quick ? [3, 50] : [5, 300];
    tf.wasm.setWasmPaths(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
    await tf.setBackend('wasm');
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    postMessage({ type: 'result', result: { kind: 'tfjs-env', version: tf.version.tfjs, backend: tf.getBackend(), simd, threads } });
    for (const c of CASES) {
      if (quick && c.sizes.length > 4) continue;
      const { x, y } = data(c);
      const model = stockModel(c);
      const r1 = await rates(reps, minMs, c.batch, () => model.trainOnBatch(x, y));
      postMessage({ type: 'result', result: { kind: 'train', engine: 'tfjs-trainOnBatch', case: c.name, rule: 'BP', samples_per_s_median: median(r1), samples_per_s_min: Math.min(...r1), samples_per_s_max: Math.max(...r1), reps: r1.length } });
      model.dispose();

      const layers = variables(c);
      const opt = tf.train.sgd(LR);
      const r2 = await rates(reps, minMs, c.batch, () => {
        const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(layers, x)), true);
        loss.dataSync();
        loss.dispose();
      });
      postMessage({ type: 'result', result: { kind: 'train', engine: 'tfjs-minimize', case: c.name, rule: 'BP', samples_per_s_median: median(r2), samples_per_s_min: Math.min(...r2), samples_per_s_max: Math.max(...r2), reps: r2.length } });

      const wt = layers.map((l) => tf.variable(tf.transpose(l.w)));
      const r3 = await rates(reps, minMs, c.batch, () => {
        handStep(layers, wt, x, y);
        layers[0].b.dataSync();
      });
      postMessage({ type: 'result', result: { kind: 'train', engine: 'tfjs-handwritten', case: c.name, rule: 'BP', samples_per_s_median: median(r3), samples_per_s_min: Math.min(...r3), samples_per_s_max: Math.max(...r3), reps: r3.length } });
      layers.forEach((l) => { l.w.dispose(); l.b.dispose(); });
      wt.forEach((w) => w.dispose());
      x.dispose();
      y.dispose();
    }
    postMessage({ type: 'done' });
  } catch (err) {
    postMessage({ type: 'error', message: String(err.message ?? err) });
  }
};
