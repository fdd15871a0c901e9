// Benchmark page: runs NP Playground's workloads in a module worker (as the app does) and the same
// networks with TensorFlow.js in a second worker, one after the other; collects JSON results in
// window.benchResults and sets body[data-done] when finished. `?quick` shortens every timing.
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
  await runWorker(new URL('./tfjs-worker.js', import.meta.url), {}, { quick });
  window.benchResults.push({ kind: 'meta', user_agent: navigator.userAgent, seconds: (performance.now() - started) / 1000 });
  document.body.dataset.done = 'true';
}

main().catch((e) => {
  log.textContent += `FAILED: ${e.message}\n`;
  window.benchError = e.message;
  document.body.dataset.done = 'true';
});
