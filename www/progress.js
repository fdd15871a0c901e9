// The progress of long work, beside the step counter and the figures: a link's replay to its
// step (where it heads, how far it is, the time left; for a replay over a minute also the time of a
// step) and a long evaluation of a paused step. Only shows what the worker reports.
import { setText } from './charts.js';

const $ = (id) => document.getElementById(id);

// One formatter for every count (toLocaleString builds a new one with each call).
const COUNT = new Intl.NumberFormat('en');
export const count = (n) => COUNT.format(Math.round(n));

/** A time span in words, to the unit that reads best (seconds to years). */
function duration(ms) {
  const s = ms / 1000;
  const units = [[60, 's', 90], [60, 'min', 90], [24, 'hours', 48], [365, 'days', 730]];
  let v = s;
  for (const [per, unit, upTo] of units) {
    if (v < upTo) return `${Math.max(1, Math.round(v))} ${unit}`;
    v /= per;
  }
  return `${Math.round(v)} years`;
}

/** The time of one step, in the unit that reads best. */
const perStep = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toPrecision(2)} ms`);

/** A share as a percentage that moves visibly even when tiny. */
const percent = (f) => (f >= 0.1 ? `${Math.floor(100 * f)}%` : f >= 0.001 ? `${(100 * f).toFixed(1)}%` : f > 0 ? `${(100 * f).toPrecision(2)}%` : '0%');

/** The replay indicator for the worker's replay report `r` ({at, step, msPerStep, etaMs}), or
 *  hidden when no replay runs. */
export function showReplay(r) {
  const box = $('replay');
  box.hidden = !r;
  if (!r) return;
  const step = r.step ?? 0;
  let left = 'measuring the time left';
  if (r.etaMs !== null && r.etaMs !== undefined) {
    left = `about ${duration(r.etaMs)} left`;
    // A replay longer than a minute says what it costs: it can be stopped at once.
    if (r.etaMs > 60000) left += ` (${perStep(r.msPerStep)} a step)`;
  }
  setText($('replay-text'), `replaying to step ${count(r.at)}: ${percent(step / r.at)} · ${left}`);
  $('replay-bar').value = Math.min(1, step / r.at);
}

/** A long evaluation's progress beside the figures (the figures are of an earlier step until it
 *  is done; training waits for it while running). */
export function showEvaluating(e, playing) {
  const el = $('eval-progress');
  el.hidden = !e;
  if (e) setText(el, `evaluating step ${count(e.step)}: ${percent(e.done / e.total)}${playing ? ' (training waits for it)' : ''}`);
}

