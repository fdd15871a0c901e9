// The Sweep view: a phase diagram, one heat map per rule (drawn by the engine with plotters on
// this thread), each cell a run of the sweep trained on the page's pool of workers (pool.js).
// The sweep comes from the link (`sweep=`, `sweep_steps=`, `sweep_metric=`) or from the form,
// whose link the engine reads as it reads any link (bad items are reported and left out); its
// cells, in their fixed order, are the engine's (parseFragment's reply). A `.jsonl` written by
// `np-playground sweep` opens here too: its lines are checked against the sweep they name.
// Nothing read from a link or a file is inserted as HTML.
import { fit, setText } from './charts.js';
import { count } from './progress.js';

const METRICS = {
  test_accuracy: { name: 'test accuracy', higher: true },
  test_loss: { name: 'test loss', higher: false },
  train_loss: { name: 'train loss', higher: false },
  alignment: { name: 'alignment', higher: true },
};
const ETA_AFTER_MS = 500; // the time left is estimated after this long

/** The sweep's own keys of a canonical sweep link (what the page's link carries besides its run). */
export function sweepKeys(fragment) {
  return fragment.split('&').filter((kv) => /^sweep(_steps|_metric)?=/.test(kv)).map((kv) => `&${kv}`).join('');
}

/** A readable number: what the heat map's cells show. */
const show = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : Math.abs(v) >= 100 || (Math.abs(v) < 0.001 && v !== 0) ? v.toPrecision(3) : v.toFixed(3));

/**
 * Wires the Sweep panel. `deps`: wasm() (the main thread's engine), pool() (the pool of workers,
 * created on first use), base() ({config, keys}: the page's run and its page keys without the
 * sweep), linkChanged() (the page writes its link again), digits() (whether the MNIST file is
 * needed is the pool's question: a promise of its bytes).
 */
export function wireSweep(deps) {
  const $ = (id) => document.getElementById(id);
  const panel = $('sweep-panel');
  const box = $('sweep-box');
  const maps = $('sweep-maps');
  const status = $('sweep-status');
  const problems = $('sweep-problems');
  const readout = $('sweep-readout');
  const bar = $('sweep-bar');
  // The sweep on show: {plan (the engine's reply.sweep), results: [parsed line | null], progress:
  // [steps per cell], started, running, linked (the page's link carries it), source}.
  let current = null;
  let drawFrame = false;  // a frame is asked for, to draw in
  let drawTimer = null;   // while a sweep runs: the timer that asks for the next frame
  let drawnAt = -Infinity;
  // Cells whose words (title, label) wait for the next drawing: while a sweep runs, a changed
  // title costs the page a style pass and a frame (Chromium's style rules read titles), taken
  // from the cores that train the cells; the test hooks change at once.
  const stale = new Set();
  // What the last drawing showed: each rule's squares (as text) and where the grid was, so a
  // drawing redoes only the maps whose squares changed and moves the cells only when the grid moved.
  let drawn = { squares: [], grid: [] };
  const DRAW_EVERY_MS = 200; // while a sweep runs, the maps are redrawn at most this often
  // A sweep's first drawing comes this long after its start, within the 100 ms a click's answer
  // may take: a sweep done sooner shows its results in one drawing, with no empty map drawn
  // first while every core trains (the page's frames take time from the workers' cores).
  const FIRST_DRAW_MS = 100;

  const metricOf = (plan) => METRICS[plan.metric] ?? METRICS.test_accuracy;
  const dims = (plan) => ({
    n1: plan.values[0]?.length ?? 1,
    n2: plan.values[1]?.length ?? 1,
    ns: plan.seeds.length,
  });
  /** Cell `i`'s place: rule, column (first key), row (second key), seed. */
  const place = (plan, i) => {
    const { n1, n2, ns } = dims(plan);
    return { s: i % ns, y: Math.floor(i / ns) % n2, x: Math.floor(i / (ns * n2)) % n1, r: Math.floor(i / (ns * n2 * n1)) };
  };

  function say(text) {
    setText(status, text);
  }

  /** The link's sweep problems (and the form's), said in the panel; nothing is inserted as HTML. */
  function showProblems(list) {
    problems.replaceChildren(...list.map((p) => {
      const li = document.createElement('li');
      li.textContent = p.text ?? `${p.key}=${p.value}: ${p.message}`;
      return li;
    }));
  }

  /** Fills the form with a sweep's items. */
  function showForm(plan) {
    // A field is written only when it differs: each write is a form change the browser reacts to
    // (autofill's tracking took Chromium 7 ms on this thread, while the pool starts the cells).
    const set = (id, value) => {
      if ($(id).value !== value) $(id).value = value;
    };
    set('sweep-grid', plan.keys.map((k, a) => `${k}:${plan.values[a].join(',')}`).join(';'));
    set('sweep-rules', plan.rules.join(','));
    set('sweep-steps', String(plan.steps));
    set('sweep-metric', plan.metric);
  }

  /** Opens the panel on `plan`: its maps and cells, the form set to it, the progress. */
  function openOn(plan) {
    box.hidden = false;
    box.open = true;
    // The same sweep again (Run sweep twice): its figures and cells stay; only what they show
    // changes (a rebuild costs this thread a new layout while the pool's workers start).
    if (maps.dataset.plan === plan.id) {
      for (const a of maps.querySelectorAll('a')) cellChanged(Number(a.dataset.index), a);
    } else build(plan);
    showForm(plan);
    showProgress();
  }

  /** Builds the heat maps' figures and the cells' elements for `plan`. */
  function build(plan) {
    const { n1, n2, ns } = dims(plan);
    maps.replaceChildren(...plan.rules.map((rule, r) => {
      const fig = document.createElement('figure');
      fig.className = 'sweep-map';
      const canvas = document.createElement('canvas');
      canvas.id = `sweep-canvas-${r}`;
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `phase diagram of ${rule}`);
      const overlay = document.createElement('div');
      overlay.className = 'sweep-cells';
      for (let x = 0; x < n1; x++) {
        for (let y = 0; y < n2; y++) {
          for (let s = 0; s < ns; s++) {
            const i = ((r * n1 + x) * n2 + y) * ns + s;
            const cell = plan.cells[i];
            const a = document.createElement('a');
            a.dataset.testid = 'sweep-cell';
            a.dataset.config = cell.config;
            a.dataset.index = String(i);
            a.href = `#${cell.config}&at=${plan.steps}`;
            overlay.append(a);
          }
        }
      }
      fig.append(canvas, overlay);
      return fig;
    }));
    for (const a of maps.querySelectorAll('a')) describeCell(plan, Number(a.dataset.index), a);
    maps.dataset.plan = plan.id;
    drawn = { squares: [], grid: [] };
  }

  /** What cell `i` is and how it went, as its element's label and title (hover and screen
   *  readers read the same words). */
  function describeCell(plan, i, a) {
    const cell = plan.cells[i];
    const what = [cell.rule, ...plan.keys.map((k, j) => `${k}=${cell.values[j]}`), ...(plan.seeds.length > 1 ? [`seed ${cell.seed}`] : [])].join(', ');
    const res = current?.results[i];
    let how;
    if (!res) {
      const step = current?.progress[i] ?? 0;
      how = step ? `training, step ${count(step)} of ${count(plan.steps)}` : current?.running ? 'waiting' : 'not run';
    } else if (res.error && !res.diverged) {
      how = `could not run: ${res.error}`;
    } else {
      const figures = `test accuracy ${show(res.test_accuracy)}, test loss ${show(res.test_loss)}, train loss ${show(res.train_loss)}${res.alignment_all != null ? `, alignment ${show(res.alignment_all)}` : ''}`;
      how = `${res.diverged ? `diverged at step ${count(res.steps)} (${res.error}); ` : ''}${figures}; checksum ${res.checksum} at step ${count(res.steps)}`;
    }
    const label = `${what}: ${how}. Opens this run.`;
    if (a.title !== label) {
      a.title = label;
      a.setAttribute('aria-label', label);
    }
    stale.delete(i);
    markCell(i, a);
  }

  /** Cell `i`'s test hooks: its checksum and whether it diverged, once it has finished (none
   *  while it waits or trains, also when the same sweep runs again). */
  function markCell(i, a) {
    const res = current?.results[i];
    if (res?.checksum) {
      if (a.dataset.checksum !== res.checksum) a.dataset.checksum = res.checksum;
    } else if (a.dataset.checksum !== undefined) delete a.dataset.checksum;
    if (res?.diverged) a.dataset.diverged = 'true';
    else if (a.dataset.diverged !== undefined) delete a.dataset.diverged;
  }

  /** A drawing at the next frame; while a sweep runs, at most every DRAW_EVERY_MS (a drawing
   *  asked for when the sweep ends is not held back by the wait). */
  function requestDraw() {
    if (drawFrame) return;
    const wait = current?.running ? Math.max(0, drawnAt + DRAW_EVERY_MS - performance.now()) : 0;
    if (drawTimer !== null) {
      if (wait > 0) return;
      clearTimeout(drawTimer);
      drawTimer = null;
    }
    const ask = () => {
      drawTimer = null;
      drawFrame = true;
      requestAnimationFrame(draw);
    };
    if (wait > 0) drawTimer = setTimeout(ask, wait);
    else ask();
  }

  /** Cell `i`'s element. */
  const cellAt = (i) => maps.querySelector(`a[data-index="${i}"]`);

  /** Cell `i` (element `a`) changed (a result, how far it is, or the sweep started again): its
   *  test hooks at once, its words at once when no sweep runs, else with the next drawing. */
  function cellChanged(i, a = cellAt(i)) {
    if (!a) return;
    markCell(i, a);
    if (current.running) stale.add(i);
    else describeCell(current.plan, i, a);
  }

  /** The words of the cells that changed since the last drawing. */
  function describeStale() {
    for (const i of stale) {
      const a = cellAt(i);
      if (a) describeCell(current.plan, i, a);
    }
    stale.clear();
  }

  /** Draws every rule's heat map (the colour scale shared by all) and places the cells over it. */
  function draw() {
    drawFrame = false;
    drawnAt = performance.now();
    sayProgress();
    if (!current) return;
    describeStale();
    if (box.hidden) return;
    const { plan, results } = current;
    const { n1, n2, ns } = dims(plan);
    const m = metricOf(plan);
    const value = (res) => (res && !res.diverged && res.value !== null && res.value !== undefined ? res.value : NaN);
    const rows = plan.values[1] ? plan.values[1].slice().reverse() : [];
    // One square per setting, rows bottom-up (the second key grows upward); over seeds: the mean
    // of the seeds that did not diverge, crossed when every seed diverged.
    const squares = plan.rules.map((_, r) => {
      const values = new Float32Array(n1 * n2).fill(NaN);
      const diverged = new Uint8Array(n1 * n2);
      for (let x = 0; x < n1; x++) {
        for (let y = 0; y < n2; y++) {
          let sum = 0;
          let n = 0;
          let gone = 0;
          for (let s = 0; s < ns; s++) {
            const res = results[((r * n1 + x) * n2 + y) * ns + s];
            if (res?.diverged) gone += 1;
            else if (Number.isFinite(value(res))) { sum += value(res); n += 1; }
          }
          const k = (n2 - 1 - y) * n1 + x;
          if (n) values[k] = sum / n;
          diverged[k] = gone === ns ? 1 : 0;
        }
      }
      return { values, diverged };
    });
    // The colour scale is shared by every rule's map, so their colours compare.
    const shared = new Float32Array(squares.flatMap((q) => Array.from(q.values)));
    const scale = `${Math.min(...shared.filter(Number.isFinite))}:${Math.max(...shared.filter(Number.isFinite))}`;
    maps.querySelectorAll('figure').forEach((fig, r) => {
      const canvas = fig.querySelector('canvas');
      const dpr = fit(canvas);
      const { values, diverged } = squares[r];
      const key = `${canvas.width}x${canvas.height}|${scale}|${values.join()}|${diverged.join()}`;
      if (drawn.squares[r] === key) return;
      drawn.squares[r] = key;
      let grid;
      try {
        grid = deps.wasm().drawHeatmap(canvas.id, plan.rules[r], m.name, m.higher, plan.keys[0] ?? '', plan.values[0] ?? [''], plan.keys[1] ?? '', rows, values, diverged, shared, dpr);
      } catch (e) {
        deps.failed(e);
        return;
      }
      const [left, top, cw, ch] = Array.from(grid, (v) => v / dpr);
      const where = grid.join();
      if (drawn.grid[r] === where) return;
      drawn.grid[r] = where;
      fig.querySelectorAll('a').forEach((a) => {
        const { x, y, s } = place(plan, Number(a.dataset.index));
        a.style.left = `${left + x * cw + (s * cw) / ns}px`;
        a.style.top = `${top + (n2 - 1 - y) * ch}px`;
        a.style.width = `${cw / ns}px`;
        a.style.height = `${ch}px`;
      });
    });
  }

  /** Progress: cells done (the test hooks at once) and the bar and the words with the time left,
   *  estimated from the steps trained so far: at once when no sweep runs, else with the next
   *  drawing (at most every DRAW_EVERY_MS: each change costs the page a new frame, taken from
   *  the cores that train the cells). */
  function showProgress() {
    if (!current) return;
    const { plan, results } = current;
    panel.dataset.cells = String(plan.cells.length);
    panel.dataset.done = String(results.filter(Boolean).length);
    if (!current.running) sayProgress();
    requestDraw();
  }

  function sayProgress() {
    if (!current) return;
    const { plan, results, progress, started } = current;
    const done = results.filter(Boolean).length;
    bar.max = plan.cells.length;
    bar.value = done;
    const stepsDone = progress.reduce((a, b) => a + b, 0);
    const stepsAll = plan.cells.length * plan.steps;
    const elapsed = performance.now() - started;
    const diverged = results.filter((r) => r?.diverged).length;
    const failed = results.filter((r) => r?.error && !r.diverged).length;
    let text = `${done} of ${plan.cells.length} cells done`;
    if (diverged) text += `, ${diverged} diverged`;
    if (failed) text += `, ${failed} could not run`;
    if (current.running && stepsDone && elapsed >= ETA_AFTER_MS) {
      const left = ((stepsAll - stepsDone) * elapsed) / stepsDone / 1000;
      text += `; about ${left < 60 ? `${Math.ceil(left)} s` : `${Math.ceil(left / 60)} min`} left`;
    }
    if (current.running) text += ` (${deps.pool().size} worker${deps.pool().size === 1 ? '' : 's'})`;
    else if (current.cancelled) text += '; cancelled';
    else if (current.source) text += ` (from ${current.source})`;
    else if (done === plan.cells.length) text += ` in ${(elapsed / 1000).toFixed(1)} s`;
    say(text);
    $('sweep-cancel').disabled = !current.running;
  }

  /** Runs every cell of `plan` on the pool, in the sweep's order. */
  function run(plan) {
    cancel(false);
    if (/(^|&)data=upload(&|$)/.test(plan.fragment)) {
      // The pool's workers hold no uploaded table (the training worker keeps it).
      showProblems([{ text: 'A sweep trains on the data a link carries: an uploaded table is not sent to the pool\'s workers, so this sweep does not run. Choose a generated data set, your own points or the digits.' }]);
      return;
    }
    const needsDigits = /(^|&)data=mnist/.test(plan.fragment);
    const sweep = {
      plan, results: plan.cells.map(() => null), progress: plan.cells.map(() => 0),
      started: performance.now(), running: true, linked: true, source: null, cancelled: false,
    };
    current = sweep;
    drawnAt = sweep.started + FIRST_DRAW_MS - DRAW_EVERY_MS;
    delete panel.dataset.elapsedMs;
    let left = plan.cells.length;
    plan.cells.forEach((cell, i) => {
      deps.pool().run({
        sweep: plan.fragment, cell: i, digits: needsDigits,
        onProgress: (step) => {
          if (current !== sweep) return;
          sweep.progress[i] = step;
          cellChanged(i);
          showProgress();
        },
      }).then((line) => {
        if (current !== sweep) return;
        sweep.results[i] = JSON.parse(line);
        sweep.progress[i] = sweep.results[i].steps;
      }, (e) => {
        if (current !== sweep || sweep.cancelled) return;
        sweep.results[i] = { error: e.message, diverged: false, value: null };
        sweep.progress[i] = plan.steps;
      }).finally(() => {
        if (current !== sweep) return;
        cellChanged(i);
        left -= 1;
        if (!left) {
          sweep.running = false;
          describeStale();
          // How long the whole sweep took (read by the benchmark).
          panel.dataset.elapsedMs = String(Math.round(performance.now() - sweep.started));
          panel.dataset.doneAtMs = String(Math.round(performance.now()));
        }
        showProgress();
      });
    });
    // The panel after the cells: the workers start on them while this thread lays it out.
    openOn(plan);
  }

  /** Cancel: the cells queued are dropped, the ones training stop; the finished ones stay. */
  function cancel(show = true) {
    if (!current?.running) return;
    current.running = false;
    current.cancelled = true;
    deps.pool().cancel();
    if (show) {
      for (const a of maps.querySelectorAll('a')) describeCell(current.plan, Number(a.dataset.index), a);
      showProgress();
    }
  }

  /** Starts the sweep of the form: the page's run with the form's items, read by the engine. */
  function fromForm() {
    const { config, keys } = deps.base();
    const grid = $('sweep-grid').value.trim();
    const rules = $('sweep-rules').value.trim();
    const value = [rules ? `rules:${rules}` : '', grid].filter(Boolean).join(';');
    const text = `${config}${keys}&sweep=${encodeURIComponent(value).replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%3B/g, ';')}&sweep_steps=${encodeURIComponent($('sweep-steps').value)}&sweep_metric=${encodeURIComponent($('sweep-metric').value)}`;
    const r = JSON.parse(deps.wasm().parseFragment(text));
    const mine = r.problems.filter((p) => /^sweep/.test(p.key));
    showProblems(mine);
    if (!r.sweep) {
      say(mine.length ? 'Nothing to sweep: every item was left out (see above).' : 'Nothing to sweep.');
      return;
    }
    run(r.sweep);
    deps.linkChanged();
  }

  /** Opens a `.jsonl` written by `np-playground sweep` (or merged shards): every line must be a
   *  cell of one sweep, the sweep the first line names, with the configuration that sweep gives
   *  it; a line that is not is reported by its number and left out. */
  async function openFile(file) {
    const text = await file.text();
    const lines = text.split('\n').map((l, k) => [k + 1, l.trim()]).filter(([, l]) => l);
    const bad = [];
    let plan = null;
    const results = [];
    for (const [n, line] of lines) {
      let v;
      try {
        v = JSON.parse(line);
      } catch {
        bad.push({ text: `line ${n}: not a line of JSON: ${line.slice(0, 40)}` });
        continue;
      }
      if (typeof v?.sweep !== 'string' || !Number.isInteger(v.cell)) {
        bad.push({ text: `line ${n}: not a cell of a sweep (no sweep or cell)` });
        continue;
      }
      if (!plan) {
        const r = JSON.parse(deps.wasm().parseFragment(v.sweep));
        if (!r.sweep || r.problems.length) {
          const why = r.problems[0] ? `${r.problems[0].key}=${r.problems[0].value}: ${r.problems[0].message}` : 'no sweep in it';
          showProblems([{ text: `${file.name} line ${n}: its sweep cannot be read (${why})` }]);
          say(`${file.name} was not opened.`);
          return;
        }
        plan = r.sweep;
      }
      const cell = plan.cells[v.cell];
      const at = `line ${n}: cell ${v.cell}`;
      if (v.sweep_id !== plan.id) bad.push({ text: `${at}: a cell of another sweep (${String(v.sweep_id).slice(0, 16)}) than the first line's (${plan.id})` });
      else if (!cell) bad.push({ text: `${at}: the sweep has ${plan.cells.length} cells` });
      else if (v.config !== cell.config) bad.push({ text: `${at}: its configuration is not the one its sweep gives it` });
      else if (results[v.cell]) bad.push({ text: `${at}: a cell seen on an earlier line` });
      else if (typeof v.checksum !== 'string' || !/^[0-9a-f]{16}$/.test(v.checksum)) bad.push({ text: `${at}: its checksum is not 16 hex digits` });
      else results[v.cell] = v;
    }
    if (!plan) {
      showProblems(bad);
      say(`${file.name}: no cell of a sweep in it.`);
      return;
    }
    cancel(false);
    current = {
      plan, results: plan.cells.map((_, i) => results[i] ?? null), progress: plan.cells.map((_, i) => (results[i] ? plan.steps : 0)),
      started: performance.now(), running: false, linked: false, source: file.name, cancelled: false,
    };
    const missing = plan.cells.length - results.filter(Boolean).length;
    if (missing) bad.push({ text: `${file.name}: ${missing} of the sweep's ${plan.cells.length} cells are not in it (left blank)` });
    showProblems(bad);
    openOn(plan);
  }

  // Hovering or focusing a cell reads it out; the elements' own labels say the same.
  // (Words held back for the next drawing are brought up to date first.)
  const readOut = (e) => {
    const a = e.target.closest('a[data-testid="sweep-cell"]');
    if (!a) return;
    const i = Number(a.dataset.index);
    if (current && stale.has(i)) describeCell(current.plan, i, a);
    setText(readout, a.title);
  };
  maps.addEventListener('mouseover', readOut);
  maps.addEventListener('focusin', readOut);
  $('sweep-run').addEventListener('click', fromForm);
  $('sweep-cancel').addEventListener('click', () => cancel());
  $('sweep-file').addEventListener('change', (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (file) openFile(file);
  });
  box.addEventListener('toggle', () => {
    if (!box.open) return;
    requestDraw();
    // The pool's workers start as the panel opens: a first Run sweep need not wait for them.
    deps.pool().warm();
  });
  window.addEventListener('resize', requestDraw);
  $('sweep-metric').replaceChildren(...Object.entries(METRICS).map(([key, m]) => {
    const o = document.createElement('option');
    o.value = key;
    o.textContent = m.name;
    return o;
  }));

  return {
    /** A link was opened (`r`: the engine's reply): its sweep runs, unless it is the one on
     *  show (the page came back to the sweep's link from one of its cells); its problems with
     *  the sweep's keys are said in the panel too. */
    fromLink(r) {
      showProblems(r.problems.filter((p) => /^sweep/.test(p.key)));
      if (!r.sweep) {
        if (current) current.linked = false;
        return;
      }
      if (current && current.plan.id === r.sweep.id && !current.cancelled) {
        current.linked = true;
        return;
      }
      run(r.sweep);
    },
    /** The sweep's keys for the page's link ('' when the link does not carry one). */
    keys() {
      return current?.linked ? sweepKeys(current.plan.fragment) : '';
    },
    /** The page's run changed by its controls: the link no longer carries the sweep on show
     *  (its results stay on show). The form's rules follow the page's when it has none yet. */
    unlink(rules) {
      if (current) current.linked = false;
      if (!current) $('sweep-rules').value = rules.join(',');
    },
  };
}
