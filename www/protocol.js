// Message names between the page (main.js) and the training worker (worker.js).
export const MSG = Object.freeze({
  // page -> worker
  INIT: 'init',        // {config, runs: [{label, config}], xaxis, diagnostics}: build new runs (also reset);
                       //   on the run pool also {cap, compare, secondary} (see runpool.js)
  PLAY: 'play',        // {speed}: run continuously
  PAUSE: 'pause',
  STEP: 'step',        // run exactly one step ({to}: on the run pool, run to step `to`, then pause)
  CAP: 'cap',          // {cap}: on the run pool (runpool.js), no run goes past this step
  RUN_TO: 'runTo',     // {at}: replay a link to step `at`, then pause (Play, Pause, Step wait until then)
  STOP: 'stop',        // end a replay where it is (paused)
  SPEED: 'speed',      // {speed}
  DIAGNOSTICS: 'diagnostics', // {on}
  PROBE: 'probe',      // {sample}
  WALK: 'walk',        // {sample}: the last step in slow motion; the worker answers {walk}
  XAXIS: 'xaxis',      // {xaxis}: steps, passes or seconds
  WANT: 'want',        // the page drew the last snapshot and is ready for the next
  DIGITS: 'digits',    // {bytes}: the MNIST file, fetched by the page
  ASK: 'ask',          // {id, what, ...}: a question about data the worker keeps; answered by ANSWER {id}:
                       //   loadTable {bytes}: parse an uploaded file once, keep its table -> the report (JSON)
                       //   writeRunFile {fragment, step, labels, checksums} -> the run file (JSON text)
                       //   readRunFile {text}: validate a run file, keep its table -> the reply (JSON)
  TEST_PANIC: 'testPanic', // test hook: make the worker's engine panic
  // page -> a pool worker (pool.js): one sweep cell at a time, trained in slices
  CELL: 'cell',        // {id, sweep (the sweep's canonical link), cell (its index)}: train it
  CELL_CANCEL: 'cellCancel', // {id}: drop that cell (Cancel)
  // worker -> page
  READY: 'ready',      // the wasm module is up
  SNAPSHOT: 'snapshot',
  ERROR: 'error',      // {message, config?}: the runs could not be built (the previous ones go on)
  ANSWER: 'answer',    // {id, result, error}: the answer to ASK {id} (error: the message when it failed)
  CRASH: 'crash',      // {message}: the engine panicked; the page replaces the worker
  WARNING: 'warning',  // {message, paused}: a loss climbed far above its start; training paused unless replaying to `at`
  CELL_PROGRESS: 'cellProgress', // {id, step}: how far the cell is (at most every 100 ms)
  CELL_DONE: 'cellDone', // {id, line, error}: the cell's result (one JSON line, as the CLI writes it) or why it could not run
  STEPS: 'steps',      // {steps, playing, seq}: on the run pool, how far this worker's runs are
  PROGRESS: 'progress', // {seq, evaluating: {step, done, total} | null, replay: {at, step, msPerStep, etaMs} | null, playing}
});
