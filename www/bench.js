// Benchmark page: runs NP Playground's matrix product (the engine's kernel and the reference kernel)
// and workloads in a module worker (as the app does), then the same networks with TensorFlow.js in a
// second worker; collects JSON results in window.benchResults and sets body[data-done] when finished.
// `?quick` shortens every timing.
const log = document.getElementById('log');
const quick = new URLSearchParams(location.search).has('quick');
window.benchResults = [];

function runWorker(url, options, message) {
  return new Promise((resolve, reject) => {
    const w = new Worker(url, options);
    w.onmessage = (e) => {
      if (e.data.type === 'result') {
        window.benchResults.push(e.data.result);
        log.textContent += JSON.stringify(e.data.result) + '\n';
      } else if (e.data.type === 'done') {
        w.terminate();
        resolve();
      } else if (e.data.type === 'error') {
        w.terminate();
        reject(new Error(e.data.message));
      }
    };
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage(message);
  });
}

async function main() {
  const started = performance.now();
  await runWorker(new URL('./bench-worker.js', import.meta.url), { type: 'module' }, { quick });
  // TF.js failing (it needs to evaluate strings, which a Content-Security-Policy may forbid) does
  // not lose NP Playground's figures: the failure is recorded as a result of kind "error".
  try {
    await runWorker(new URL('./tfjs-worker.js', import.meta.url), {}, { quick });
  } catch (e) {
    log.textContent += `TF.js FAILED: ${e.message}\n`;
    window.benchResults.push({ kind: 'error', part: 'tfjs-worker.js', message: e.message });
  }
  window.benchResults.push({ kind: 'meta', user_agent: navigator.userAgent, seconds: (performance.now() - started) / 1000 });
  document.body.dataset.done = 'true';
}

main().catch((e) => {
  log.textContent += `FAILED: ${e.message}\n`;
  window.benchError = e.message;
  document.body.dataset.done = 'true';
});
