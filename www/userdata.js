// The learner's own data: points drawn on the plane (they travel in the link), CSV uploads (checked
// by the engine before anything is replaced), and runs exported to and imported from a file. Every
// message names what is wrong and nothing the user typed is inserted as HTML.
import { wasm } from './engine.js';
import { drawBoundary } from './charts.js';
import { joinConfig } from './controls.js';

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

  /** Keeps an uploaded table's bytes (or the run file it came in) and shape on the page (the
   *  worker keeps it parsed): they go to a replacement worker, and the shape decides whether the
   *  plane is drawn. Only the table in use and the newest are kept, as in the worker. */
  function keepTable(id, entry) {
    const inUse = state.values?.data === 'upload' ? state.values.table : null;
    for (const k of [...state.tables.keys()]) if (k !== inUse && k !== id) state.tables.delete(k);
    state.tables.set(id, entry);
  }

  /** An uploaded CSV: read as bytes and parsed once by the worker (never on this thread); a
   *  small two-class table becomes drawn points in the link, a larger one runs as data=upload
   *  with its id in the configuration, so each table is a run of its own. */
  async function uploadCsv(file) {
    showProblems([]);
    const limit = app.M().limits.max_csv_bytes;
    if (file.size > limit) {
      showProblems([{ line: 0, message: `${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the limit is ${limit / 1e6} MB` }]);
      return;
    }
    const bytes = await file.arrayBuffer();
    const copy = bytes.slice(0);
    let r;
    try {
      r = JSON.parse(await app.ask('loadTable', { bytes: copy }, [copy]));
    } catch (e) {
      showProblems([{ line: 0, message: `${file.name} was not loaded: ${e.message}` }]);
      return;
    }
    if (!r.ok) {
      showProblems([{ line: 0, message: `${file.name} was not loaded${r.summary ? ` (${r.summary})` : ''}:` }, ...r.problems, ...moreProblems(r.more)]);
      return;
    }
    const note = r.note ? ` ${r.note}` : '';
    if (r.fits_in_url) {
      if (app.apply({ ...state.values, data: 'points', pts: r.pts }, [])) {
        $('data-note').textContent = `${file.name}: ${r.rows} points, 2 classes, now in the link.${note}`;
      }
      return;
    }
    const values = { ...state.values, data: 'upload', table: r.table };
    for (const k of app.M().data_defaulted) if (k !== 'hidden') delete values[k];
    const config = joinConfig(values);
    const parsed = JSON.parse(wasm().parseFragment(config));
    const problem = parsed.problems.length
      ? parsed.problems.map((p) => `${p.key}=${p.value}: ${p.message}`).join('; ')
      : wasm().checkTableFits(config, r.rows, r.dim, r.classes);
    if (problem) {
      showProblems([{ line: 0, message: `${file.name} was not used: ${problem}. The run keeps its data.` }]);
      return;
    }
    keepTable(r.table, { bytes, dim: r.dim, name: file.name });
    if (app.apply(values, [])) {
      $('data-note').textContent = `${file.name}: ${r.rows} rows, ${r.dim} features, ${r.classes} classes (table ${r.table}).${note} ${$('data-note').textContent}`;
    }
  }

  /** Saves everything the link carries (compare, seeds, x axis, view keys, drawn points, the
   *  table's id and its text), the step and every run's checksum, as the engine writes it. */
  async function exportRun() {
    const step = state.snap?.runs[0].summary.step ?? 0;
    const runs = (state.good ?? state).runs;
    const checksums = (state.snap?.runs.flatMap((g) => g.checksums) ?? []).map((c) => (step && c ? c : ''));
    let text;
    try {
      text = await app.ask('writeRunFile', { fragment: `${state.config}${app.pageKeys()}`, step, labels: runs.map((r) => r.label), checksums: runs.map((_, i) => checksums[i] ?? '') });
    } catch (e) {
      showProblems([{ line: 0, message: `Export run failed: ${e.message}` }]);
      return;
    }
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    a.download = `np-playground-run-${step}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  /** Opens a run file: the worker checks every field as the link's own reader does (a file that
   *  cannot be opened changes nothing); after the replay its checksums are compared. */
  async function importRun(file) {
    app.clearMessages();
    // The size is checked before the file is read.
    if (file.size > app.M().limits.max_import_bytes) {
      showProblems([{ line: 0, message: `${file.name} is ${(file.size / 1e6).toFixed(1)} MB; a run file is at most ${app.M().limits.max_import_bytes / 1e6} MB` }]);
      return;
    }
    const text = await file.text();
    let r;
    try {
      r = JSON.parse(await app.ask('readRunFile', { text }));
    } catch (e) {
      showProblems([{ line: 0, message: `${file.name} was not opened: ${e.message}. Nothing changed.` }]);
      return;
    }
    const problems = r.problems.map((p) => ({ line: 0, message: `${p.field}: ${p.message}` }));
    if (!r.ok) {
      showProblems([{ line: 0, message: `${file.name} was not opened; nothing changed:` }, ...problems]);
      return;
    }
    if (problems.length) showProblems([{ line: 0, message: `${file.name} opened without these parts:` }, ...problems]);
    if (r.table) keepTable(r.table, { runFile: text, dim: null, name: file.name });
    await app.openFragment(r.fragment);
    state.imported = r.step ? { step: r.step, checksums: r.checksums, name: file.name } : null;
    $('data-note').textContent = r.step ? `${file.name}: replaying to step ${r.step}, then its checksums are compared with the file's.` : `${file.name} opened.`;
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
