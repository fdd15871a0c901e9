// The learner's own data: points drawn on the plane (they travel in the link), CSV uploads (checked
// by the engine before anything is replaced), and runs exported to and imported from a file. Every
// message names what is wrong and nothing the user typed is inserted as HTML.
import { wasm } from './engine.js';
import { MSG } from './protocol.js';
import { drawBoundary } from './charts.js';
import { joinConfig, splitConfig } from './controls.js';

const $ = (id) => document.getElementById(id);

/** Wires the own-data controls. `app`: {state, M(), apply(values, compare), openFragment(text),
 *  worker(), showProblems} */
export function wireUserData(app) {
  const { state } = app;

  /** Adds a point where the plane was clicked (the class chosen in the picker; shift: the other
   *  one) and restarts on the points. The first point replaces the data set, as the hint says. */
  function addPoint(e) {
    if (state.hoverNode) return;
    const canvas = $('boundary');
    const extent = app.M().views.plane_extent;
    const x = (e.offsetX / canvas.clientWidth) * 2 * extent - extent;
    const y = extent - (e.offsetY / canvas.clientHeight) * 2 * extent;
    if (state.values.data !== 'points' && !state.drawingStarted) {
      state.drawn = [];
      state.drawingStarted = true;
      // The batch is cut to fit a handful of points: remember it to give it back later.
      state.batchBeforePoints = state.values.batch;
    }
    if (state.drawn.length / 3 >= app.M().limits.max_link_points) {
      $('data-note').textContent = `At most ${app.M().limits.max_link_points} drawn points fit in a link.`;
      return;
    }
    const picked = Number(document.querySelector('input[name=draw-class]:checked').value);
    if (state.values.data !== 'points') state.pointsUndo.push(state.drawn.slice());
    state.drawn.push(x, y, e.shiftKey ? 1 - picked : picked);
    usePoints();
  }

  /** What the note says while too few points are drawn to train on. */
  function pendingNote() {
    const n = state.drawn.length / 3;
    const min = app.M().limits.min_drawn_points;
    return `${n} point${n === 1 ? '' : 's'} drawn: add ${min - n} more to start training on them.`;
  }

  function usePoints() {
    const n = state.drawn.length / 3;
    const min = app.M().limits.min_drawn_points;
    if (n < min) {
      // Not a run yet: the points wait over an empty plane (and survive any other change).
      state.drawingStarted = true;
      drawPending();
      $('data-note').textContent = pendingNote();
      $('undo-points').disabled = !state.pointsUndo.length;
      return;
    }
    const pts = wasm().encodePoints(Float32Array.from(state.drawn));
    // A handful of points cannot fill a large batch: cap it at the training share.
    const trainCount = Math.max(1, Math.round(n * Number(state.values.train)));
    const batch = String(Math.min(Number(state.batchBeforePoints ?? state.values.batch), Math.min(trainCount, n - 1)));
    app.apply({ ...state.values, data: 'points', pts, batch }, []);
  }

  /** Points drawn before there are enough to train on, over an empty plane. */
  function drawPending() {
    const canvas = $('boundary');
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#e8eaeb';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const pts = [];
    for (let i = 0; i < state.drawn.length; i += 3) pts.push(state.drawn[i], state.drawn[i + 1], state.drawn[i + 2], 0);
    drawBoundary(canvas, 1, new Float32Array([0.5]), Float32Array.from(pts), false, app.M().views.plane_extent);
  }

  function showProblems(problems) {
    $('data-problems').replaceChildren(...problems.map((p) => {
      const li = document.createElement('li');
      li.textContent = p.line ? `line ${p.line}: ${p.message}` : p.message;
      return li;
    }));
  }
  app.showProblems = showProblems;

  /** "and N more problems", when the report left some out. */
  function moreProblems(n) {
    return n ? [{ line: 0, message: `and ${n} more problem${n === 1 ? '' : 's'}` }] : [];
  }

  /** Checks the table against the settings `values` (rows, batch, size) before anything is
   *  replaced; keeps it (page and worker) only when it can run. */
  function useTable(name, text, values) {
    const parsed = JSON.parse(wasm().parseFragment(joinConfig(values)));
    const problem = parsed.problems.length
      ? parsed.problems.map((p) => `${p.key}=${p.value}: ${p.message}`).join('; ')
      : wasm().checkUpload(parsed.config, text);
    if (problem) {
      showProblems([{ line: 0, message: `${name} was not used: ${problem}. The run keeps its data.` }]);
      return false;
    }
    state.uploadCsv = text;
    app.worker().postMessage({ type: MSG.UPLOAD, csv: text });
    return true;
  }

  async function uploadCsv(file) {
    showProblems([]);
    const limit = app.M().limits.max_csv_bytes;
    if (file.size > limit) {
      showProblems([{ line: 0, message: `${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the limit is ${limit / 1e6} MB` }]);
      return;
    }
    const text = await file.text();
    const r = JSON.parse(wasm().csvReport(text));
    if (!r.ok) {
      showProblems([{ line: 0, message: `${file.name} was not loaded:` }, ...r.problems, ...moreProblems(r.more)]);
      return;
    }
    if (r.fits_in_url) {
      $('data-note').textContent = `${file.name}: ${r.rows} points, 2 classes, now in the link.`;
      app.apply({ ...state.values, data: 'points', pts: r.pts }, []);
      return;
    }
    const values = { ...state.values, data: 'upload' };
    for (const k of app.M().data_defaulted) if (k !== 'hidden') delete values[k];
    if (!useTable(file.name, text, values)) return;
    app.apply(values, []);
  }

  function exportRun() {
    const run = {
      format: 'np-playground-run', version: 1,
      config: state.config, compare: state.compare.map((c) => c.label),
      step: state.snap?.runs[0].summary.step ?? 0,
      checksum: state.snap?.runs[0].summary.checksum ?? null,
      csv: state.values.data === 'upload' ? state.uploadCsv : null,
    };
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([JSON.stringify(run)], { type: 'application/json' }));
    a.download = `np-playground-run-${run.step}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  async function importRun(file) {
    showProblems([]);
    // The size is checked before the file is read.
    if (file.size > app.M().limits.max_import_bytes) {
      showProblems([{ line: 0, message: `${file.name} is ${(file.size / 1e6).toFixed(1)} MB; a run file is at most ${app.M().limits.max_import_bytes / 1e6} MB` }]);
      return;
    }
    let run;
    try {
      run = JSON.parse(await file.text());
    } catch (e) {
      showProblems([{ line: 0, message: `${file.name} is not JSON: ${e.message}` }]);
      return;
    }
    const bad = (m) => showProblems([{ line: 0, message: `${file.name}: ${m}` }]);
    if (run?.format !== 'np-playground-run' || run.version !== 1) return bad('not a run exported by NP Playground (format np-playground-run, version 1)');
    if (typeof run.config !== 'string' || !Array.isArray(run.compare) || !Number.isInteger(run.step) || run.step < 0) return bad('config, compare or step is missing or malformed');
    if (run.csv !== null && run.csv !== undefined) {
      if (typeof run.csv !== 'string') return bad('csv must be text');
      const r = JSON.parse(wasm().csvReport(run.csv));
      if (!r.ok) return showProblems([{ line: 0, message: `${file.name}: its table was not loaded:` }, ...r.problems, ...moreProblems(r.more)]);
      if (!useTable(file.name, run.csv, splitConfig(run.config))) return;
    }
    const compare = run.compare.length ? `&compare=${run.compare.join(',')}` : '';
    await app.openFragment(`${run.config}${compare}${run.step ? `&at=${run.step}` : ''}`);
  }

  $('boundary').addEventListener('click', addPoint);
  $('clear-points').addEventListener('click', () => {
    if (state.drawn.length) state.pointsUndo.push(state.drawn.slice());
    $('undo-points').disabled = !state.pointsUndo.length;
    state.drawn = [];
    state.drawingStarted = false;
    if (state.values.data === 'points') {
      const values = { ...state.values, data: 'circle', pts: '' };
      for (const k of app.M().data_defaulted) delete values[k];
      // The batch the points cut down comes back.
      if (state.batchBeforePoints) values.batch = state.batchBeforePoints;
      state.batchBeforePoints = null;
      app.apply(values, []);
    }
    $('data-note').textContent = 'Points cleared (Undo brings them back).';
  });
  // Undo: the drawn points as they were before the last change (a point added, Clear, a data set,
  // a link or an import that replaced them).
  $('undo-points').addEventListener('click', () => {
    const previous = state.pointsUndo.pop();
    $('undo-points').disabled = !state.pointsUndo.length;
    if (!previous) return;
    state.drawn = previous;
    if (!previous.length) {
      state.drawingStarted = false;
      $('data-note').textContent = 'No drawn points before that.';
      app.requestDraw?.();
      return;
    }
    if (state.values.data !== 'points') state.batchBeforePoints ??= state.values.batch;
    // Restoring is no new change: the set it replaces is not kept for another Undo.
    state.undoing = true;
    try {
      usePoints();
    } finally {
      state.undoing = false;
    }
  });
  $('csv-file').addEventListener('change', (e) => e.target.files[0] && uploadCsv(e.target.files[0]));
  $('import-file').addEventListener('change', (e) => e.target.files[0] && importRun(e.target.files[0]));
  $('export-run').addEventListener('click', exportRun);
  return { drawPending, pendingNote };
}
