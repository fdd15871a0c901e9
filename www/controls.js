// DOM <-> config values. The config itself is only ever parsed and validated by the Rust codec
// (parseFragment); here values are plain strings keyed like the config string. Which keys exist,
// their options, bounds and help texts come from the engine's manifest (buildControls).
/** Data sets that get a thumbnail button (drawn points and uploads come from the plane and files). */
const THUMBNAIL_SETS = (options) => options.map(([v]) => v).filter((v) => v !== 'points' && v !== 'upload');

const $ = (id) => document.getElementById(id);

/** Menus of values for the numeric settings (TensorFlow Playground's where it has one; log-spaced
 *  where the value spans decades), offered as the input's list: any exact value can still be
 *  typed. Values outside the key's bounds (from the manifest) are left out. */
export const MENUS = {
  lr: [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  reg_rate: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  sigma: [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1],
  train: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
  noise: [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5],
  batch: [1, 2, 4, 8, 10, 16, 20, 25, 30, 32, 50, 64, 100, 128, 256],
};
/** Filled by buildControls from the manifest: {choice key: [values]}, number keys, rules. */
const ui = { options: {}, inputs: [], rules: [], maxWidth: 0, defaults: {} };

/** Splits a canonical config string into {key: value}. */
export function splitConfig(config) {
  const values = {};
  for (const part of config.split('&')) {
    const i = part.indexOf('=');
    values[part.slice(0, i)] = part.slice(i + 1);
  }
  return values;
}

/** Joins values into a config string, version first. */
export function joinConfig(values) {
  return Object.entries(values).map(([k, v]) => `${k}=${v}`).join('&');
}

/** Builds selects, number bounds and help texts once, from the manifest `m`. */
export function buildControls(m) {
  const keys = m.keys;
  ui.maxWidth = m.limits.max_width;
  for (const k of keys) {
    ui.defaults[k.key] = k.default;
    // A key the page has no field for (set elsewhere: the diagram's features, drawn points).
    if ((k.control === 'choice' || k.control === 'number') && !$(k.key)) continue;
    if (k.control === 'choice' && k.key !== 'data') {
      ui.options[k.key] = k.options.map(([v]) => v);
      const select = $(k.key);
      const option = ([value, label]) => {
        const o = document.createElement('option');
        o.value = value;
        o.textContent = label;
        return o;
      };
      if (k.key === 'rule') {
        // The rules in their groups (<optgroup>), each group explained in the control's help.
        const grouped = new Set(m.rule_groups.flatMap((g) => g.rules.split(' ')));
        for (const g of m.rule_groups) {
          const group = document.createElement('optgroup');
          group.label = g.label;
          group.title = g.help;
          group.append(...k.options.filter(([v]) => g.rules.split(' ').includes(v)).map(option));
          if (group.childElementCount) select.append(group);
        }
        select.append(...k.options.filter(([v]) => !grouped.has(v)).map(option));
      } else {
        select.append(...k.options.map(option));
      }
    } else if (k.control === 'number') {
      ui.inputs.push(k.key);
      const input = $(k.key);
      input.min = String(k.min);
      input.max = String(k.max);
      input.step = String(k.step);
      const menu = (k.menu ?? MENUS[k.key] ?? []).map(Number).filter((v) => v >= k.min && v <= k.max);
      if (menu.length) {
        const list = document.createElement('datalist');
        list.id = `${k.key}-values`;
        list.append(...menu.map((v) => {
          const o = document.createElement('option');
          o.value = String(v);
          return o;
        }));
        input.after(list);
        input.setAttribute('list', list.id);
      }
    }
  }
  // Settings of keys this engine does not have stay hidden.
  const known = new Set([...keys.map((k) => k.key), ...m.page.keys]);
  for (const el of document.querySelectorAll('#controls [data-key]')) if (!known.has(el.dataset.key)) el.hidden = true;
  ui.rules = ui.options.rule;
  const speedLabel = { slow: 'slow motion (2 steps/s)', max: 'as fast as it goes' };
  const options = (select, values, label, selected) => {
    for (const v of values) {
      const o = document.createElement('option');
      o.value = v;
      o.textContent = label(v);
      o.selected = v === selected;
      select.append(o);
    }
  };
  options($('speed'), m.page.speeds, (v) => speedLabel[v] ?? `${v} step${v === '1' ? '' : 's'}/frame`, '10');
  options($('seeds'), Array.from({ length: m.page.max_seeds }, (_, i) => String(i + 1)), (v) => v, '1');
  options($('xaxis'), m.page.xaxes, (v) => ({ steps: 'steps', passes: 'forward passes', seconds: 'seconds' })[v] ?? v, 'steps');
  for (const { key, help: text } of keys) {
    const help = key === 'rule' ? ruleHelp(text, m.rule_groups) : text;
    for (const el of document.querySelectorAll(`[data-key="${key}"]`)) {
      el.title = help;
      el.querySelector('input, select')?.setAttribute('aria-description', help);
    }
  }
  const group = $('datasets');
  for (const name of THUMBNAIL_SETS(keys.find((k) => k.key === 'data').options)) {
    const button = document.createElement('button');
    button.className = 'thumb';
    button.dataset.dataset = name;
    button.setAttribute('role', 'radio');
    button.tabIndex = -1;
    button.title = keys.find((k) => k.key === 'data')?.help ?? name;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 48;
    canvas.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.textContent = name;
    button.append(canvas, label);
    group.append(button);
  }
}

/** A regression target's colour on a thumbnail: orange (-1) through grey (0) to blue (+1). */
function targetColour(v) {
  const t = Math.max(-1, Math.min(1, v));
  const [a, b] = t < 0 ? [[200, 200, 200], [245, 147, 34]] : [[200, 200, 200], [8, 119, 189]];
  const c = a.map((x, k) => Math.round(x + (b[k] - x) * Math.abs(t)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The rule control's help: the key's own, then one line per group of the menu. */
export function ruleHelp(help, groups) {
  return [`${help}.`, ...groups.map((g) => `${g.label[0].toUpperCase()}${g.label.slice(1)} (${g.rules.split(' ').join(', ')}): ${g.help}.`)].join('\n');
}

/** Draws a thumbnail of each data set from its generator's points. */
export function drawThumbnails(pointsOf) {
  for (const button of document.querySelectorAll('[data-dataset]')) {
    const canvas = button.querySelector('canvas');
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#f4f5f6';
    ctx.fillRect(0, 0, 48, 48);
    if (button.dataset.dataset.startsWith('mnist')) {
      ctx.fillStyle = '#333';
      ctx.font = 'bold 15px sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(button.dataset.dataset === 'mnist' ? '28²' : '14²', 24, 22);
      ctx.font = '13px sans-serif';
      ctx.fillText('0–9', 24, 38);
      continue;
    }
    const pts = pointsOf(button.dataset.dataset);
    // A regression set's labels are its targets (issue 20): each point in its target's colour.
    let regression = false;
    for (let i = 2; i < pts.length; i += 4) if (pts[i] !== 0 && pts[i] !== 1) regression = true;
    for (let i = 0; i < pts.length; i += 4) {
      ctx.fillStyle = regression ? targetColour(pts[i + 2]) : pts[i + 2] > 0.5 ? '#0877bd' : '#f59322';
      ctx.fillRect(24 + pts[i] * 16 - 1, 24 - pts[i + 1] * 16 - 1, 2, 2);
    }
  }
}

/** Shows `values` (and the compare list) in the controls. */
export function showValues(values, ruleUnavailable, compare = []) {
  // A key at its default may be left out of the link (issue 20's keys): its field shows the default.
  for (const key of ui.inputs) $(key).value = values[key] ?? ui.defaults[key];
  for (const key of Object.keys(ui.options)) $(key).value = values[key] ?? ui.defaults[key];
  for (const button of document.querySelectorAll('[data-dataset]')) {
    const on = button.dataset.dataset === values.data;
    button.classList.toggle('selected', on);
    button.setAttribute('aria-checked', String(on));
    // A radio group: one stop in the tab order (the chosen set, or the first), arrows move.
    const first = !document.querySelector('[data-dataset].selected') && button === document.querySelector('[data-dataset]');
    button.tabIndex = on || first ? 0 : -1;
  }
  const widths = values.hidden === '' ? [] : values.hidden.split(',');
  $('layer-count').textContent = ` ${widths.length} `;
  const box = $('layer-widths');
  box.replaceChildren(...widths.map((w, i) => {
    const input = document.createElement('input');
    input.type = 'number';
    input.min = '1';
    input.max = String(ui.maxWidth);
    input.value = w;
    input.dataset.layer = String(i);
    input.title = `units in hidden layer ${i + 1}`;
    input.setAttribute('aria-label', `units in hidden layer ${i + 1}`);
    return input;
  }));
  // Rules that cannot run with these settings are shown, disabled, with the reason.
  let note = '';
  for (const option of $('rule').options) {
    const reason = ruleUnavailable(option.value, values.act, values.mode);
    option.disabled = Boolean(reason);
    option.title = reason ?? '';
    if (reason && option.value === values.rule) note = reason;
  }
  $('rule-note').textContent = note;
  $('decor_lr').disabled = !values.rule.startsWith('d');
  const digits = values.data.startsWith('mnist');
  const own = values.data === 'points' || values.data === 'upload';
  for (const key of ['n', 'noise']) $(key).disabled = digits || own;
  $('train').disabled = digits;
  // Compare: one box per other rule, plus any variant from the URL (e.g. anp:blind, np:k4).
  const labels = compare.map((c) => c.label);
  const items = [...new Set([...ui.rules.filter((r) => r !== values.rule), ...labels])];
  $('compare').replaceChildren(...items.map((item) => {
    const label = document.createElement('label');
    label.className = 'check';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = item;
    box.checked = labels.includes(item);
    const reason = ruleUnavailable(item.split(':')[0], values.act, item.includes(':blind') ? 'blind' : values.mode);
    box.disabled = Boolean(reason) && !box.checked;
    label.title = reason ?? `run ${item} beside ${values.rule} from the identical seed`;
    label.append(box, ` ${item}`);
    return label;
  }));
}

/** Reads the controls into a values object (strings, as typed). */
export function readValues(previous) {
  const values = { ...previous };
  for (const key of ui.inputs) values[key] = $(key).value.trim();
  for (const key of Object.keys(ui.options)) values[key] = $(key).value;
  values.hidden = [...$('layer-widths').querySelectorAll('input')].map((i) => i.value.trim()).join(',');
  return values;
}
