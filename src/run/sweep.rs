//! Sweeps: one configuration trained over a grid of settings, for a phase diagram.
//!
//! A sweep is a base configuration, one or more rules, up to two keys with a list of values each
//! (any numeric key of the codec, `hidden1`..`hidden8` for one hidden layer's width, `width` for
//! every hidden layer's), a list of seeds, a step budget and the metric the diagram colours by.
//! Its cells come in one fixed order: rules outermost, then the first key's values, the second
//! key's, then the seeds ([`Sweep::cells`]); the CLI, its shards and the page iterate the same
//! list, and every cell is a normal run whose configuration string is the codec's canonical one,
//! so its checksum is that of `np-playground run` of the string.
//!
//! The link form is `sweep=lr:0.003,0.01,0.03;sigma:0.001,0.01,0.1` (`;` between items, `:` after
//! the key, `,` between values) with `sweep_steps=N` and `sweep_metric=...`; two more items name
//! the rules (`rules:np,bp`, compare items such as `anp:blind` or `np:k4` too) and the seeds
//! (`seeds:1,2,3`). Without them the rules are the link's rule and its compared ones, and the
//! seeds the link's seed and the next `seeds=` ones. The CLI's flags (`--grid 'lr=...'`,
//! `--rules`, `--seeds`) build the same sweep. A bad item or value is reported by name and left
//! out, the rest applies (the page); the CLI refuses on the first ([`Sweep::parse_strict`]).
//!
//! A cell's result ([`CellResult`], one JSON line) carries the fields of `run --json`'s last line
//! (the window of its means is the whole run), the cell's place in the sweep and the sweep's
//! canonical link ([`Sweep::fragment`]) and id, so shards can be joined and checked
//! ([`merge`]) and a `.jsonl` opened in the page without anything else.

use std::fmt;

use serde::Serialize;

use super::codec::{Control, KEYS};
use super::config::compare_variant;
use super::config::{ConfigError, MAX_HIDDEN_LAYERS, MAX_SEED, MAX_WIDTH, RunConfig, err, shown};
use super::cost::{self, Shape};
use super::figures::RunFigures;
use super::stats::StepMeans;
use super::trainer::Trainer;
use crate::data::Sources;

/// Most keys a sweep varies together.
pub const MAX_KEYS: usize = 2;
/// Most values of one key.
pub const MAX_VALUES: usize = 32;
/// Most rules of one sweep.
pub const MAX_RULES: usize = 8;
/// Most seeds of one sweep.
pub const MAX_SWEEP_SEEDS: usize = 32;
/// Most cells of one sweep (rules x values x values x seeds).
pub const MAX_CELLS: usize = 10_000;
/// Most steps of one cell.
pub const MAX_SWEEP_STEPS: u64 = 1_000_000;
/// Steps of a cell when the link does not say.
pub const DEFAULT_SWEEP_STEPS: u64 = 1_000;
/// The work of a whole sweep the page runs, in the cost model's multiply-add equivalents (every
/// cell's steps and its final evaluation): about 200 s of one worker on the largest networks,
/// minutes on a laptop's cores. The CLI is not held to it (a grid that outgrows it is what
/// shards are for); each cell is held to the per-run limits everywhere.
pub const MAX_SWEEP_WORK: u64 = 1_000_000_000_000;
/// Most cells of a sweep the page runs (a heat map of 32 x 32 for each of four rules).
pub const MAX_PAGE_CELLS: usize = 4096;

/// What the phase diagram colours a cell by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    TestAccuracy,
    TestLoss,
    TrainLoss,
    /// The mean over every step of the cosine between the rule's update and the gradient.
    Alignment,
}

impl Metric {
    pub const ALL: [Metric; 4] = [Metric::TestAccuracy, Metric::TestLoss, Metric::TrainLoss, Metric::Alignment];
    pub fn key(self) -> &'static str {
        match self {
            Metric::TestAccuracy => "test_accuracy",
            Metric::TestLoss => "test_loss",
            Metric::TrainLoss => "train_loss",
            Metric::Alignment => "alignment",
        }
    }
    pub fn from_key(s: &str) -> Option<Metric> {
        match s {
            "test_accuracy" => Some(Metric::TestAccuracy),
            "test_loss" => Some(Metric::TestLoss),
            "train_loss" => Some(Metric::TrainLoss),
            "alignment" => Some(Metric::Alignment),
            _ => None,
        }
    }
    /// Whether a higher value is better (accuracy, alignment) or a lower one (losses).
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::TestAccuracy | Metric::Alignment)
    }
}

/// One key a sweep varies, with its values in canonical form (as the codec writes them).
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: Vec<String>,
}

/// A sweep (see the module documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// The configuration every cell starts from (its rule and seed are the first cell's).
    pub base: RunConfig,
    /// The rules, as compare items (`np`, `bp`, `anp:blind`, `np:k4`).
    pub rules: Vec<String>,
    /// Zero to [`MAX_KEYS`] keys.
    pub axes: Vec<Axis>,
    pub seeds: Vec<u64>,
    /// Steps of every cell.
    pub steps: u64,
    pub metric: Metric,
}

/// One cell: a run of the sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Its place in [`Sweep::cells`].
    pub index: usize,
    /// The rule's compare item.
    pub rule: String,
    /// One value per axis, canonical.
    pub values: Vec<String>,
    pub seed: u64,
    pub config: RunConfig,
}

impl Cell {
    /// `np, lr=0.01, sigma=0.001, seed 1`: how messages name a cell.
    pub fn describe(&self, axes: &[Axis]) -> String {
        let mut s = self.rule.clone();
        for (a, v) in axes.iter().zip(&self.values) {
            s += &format!(", {}={v}", a.key);
        }
        s + &format!(", seed {}", self.seed)
    }
}

/// Whether `key` can be swept: a numeric key of the codec, `hidden1`..`hidden8` or `width`.
pub fn is_sweep_key(key: &str) -> bool {
    hidden_layer(key).is_some()
        || key == "width"
        || KEYS.iter().any(|k| k.key == key && matches!(k.control, Control::Number { .. }))
}

/// The keys a sweep may vary, for messages.
pub const SWEEP_KEYS: &str = "lr, sigma, draws, batch, decor_lr, seed, n, noise, train, reg_rate, hidden1 to hidden8 (one hidden layer's width), width (every hidden layer's)";

/// `hidden3` -> Some(2) (the index of the hidden layer).
fn hidden_layer(key: &str) -> Option<usize> {
    let n: usize = key.strip_prefix("hidden")?.parse().ok()?;
    (1..=MAX_HIDDEN_LAYERS).contains(&n).then(|| n - 1)
}

/// `config` with `key` set to `value`, checked as any configuration string is (bounds, the
/// combination, the per-run limits); the value comes back canonical.
#[inline(never)] // called from several places: one copy keeps the page's module small
pub fn with_key(config: &RunConfig, key: &str, value: &str) -> Result<(RunConfig, String), String> {
    let layer = hidden_layer(key);
    let (codec_key, codec_value) = if key == "width" || layer.is_some() {
        let w: usize = match value.parse() {
            Ok(w) if (1..=MAX_WIDTH).contains(&w) => w,
            _ => return Err(format!("expected a width from 1 to {MAX_WIDTH}")),
        };
        let mut c = config.clone();
        let n = c.hidden_sizes.len();
        match layer {
            _ if n == 0 => return Err("the network has no hidden layer (set hidden= first)".into()),
            Some(l) if l >= n => {
                return Err(format!(
                    "the network has {n} hidden layer(s) (hidden={})",
                    config.get("hidden").unwrap_or_default()
                ));
            }
            Some(l) => c.hidden_sizes[l] = w,
            None => c.hidden_sizes.fill(w),
        }
        ("hidden", c.get("hidden").unwrap_or_default())
    } else if is_sweep_key(key) {
        (key, value.to_string())
    } else {
        return Err(format!("not a key a sweep can vary; expected one of {SWEEP_KEYS}"));
    };
    // The canonical string holds every key once: its value is replaced.
    let old = format!("&{codec_key}={}&", config.get(codec_key).unwrap_or_default());
    let s = (config.to_string() + "&").replacen(&old, &format!("&{codec_key}={codec_value}&"), 1);
    let c = RunConfig::parse(s.trim_end_matches('&'))
        .map_err(|e| if e.key == codec_key { e.message } else { e.to_string() })?;
    let canonical = match layer {
        Some(l) => c.hidden_sizes[l].to_string(),
        None if key == "width" => c.hidden_sizes[0].to_string(),
        None => c.get(key).unwrap_or_default(),
    };
    Ok((c, canonical))
}

/// Splits `key:v,v;key:v,v` into `(key, values)` items; an item without `:` is reported and left
/// out.
fn split_items(value: &str, problems: &mut Vec<ConfigError>) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for item in value.split(';') {
        let item = item.trim();
        match item.split_once(':') {
            _ if item.is_empty() => {}
            Some((k, vs)) if !k.trim().is_empty() => out.push((k.trim().to_string(), list(vs))),
            _ => problems.push(err(
                "sweep",
                &shown(item),
                "expected key:value,value (e.g. lr:0.003,0.01,0.03), items separated by ;",
            )),
        }
    }
    out
}

/// `a, b,,c` -> `[a, b, c]`.
fn list(values: &str) -> Vec<String> {
    let mut out = Vec::new();
    for v in values.split(',') {
        if !v.trim().is_empty() {
            out.push(v.trim().to_string());
        }
    }
    out
}

/// A `--grid 'lr=0.003,0.01'` flag as a sweep item.
pub fn parse_grid_flag(flag: &str) -> Result<(String, Vec<String>), String> {
    let Some((k, vs)) = flag.split_once('=').or_else(|| flag.split_once(':')) else {
        return Err(format!("--grid {}: expected key=value,value (e.g. lr=0.003,0.01)", shown(flag)));
    };
    let values = list(vs);
    if values.is_empty() {
        return Err(format!("--grid {}: no values", shown(flag)));
    }
    Ok((k.trim().to_string(), values))
}

/// Reports a bad item of `sweep=` (one copy of the message's making, not one per call).
#[inline(never)]
fn push_bad(problems: &mut Vec<ConfigError>, value: &str, message: String) {
    problems.push(err("sweep", &shown(value), message));
}

/// What a sweep is built from before it is checked: the items as given.
#[derive(Clone, Debug, Default)]
pub struct SweepItems {
    /// Compare items; empty: the base's rule.
    pub rules: Vec<String>,
    /// `(key, values)` in order.
    pub axes: Vec<(String, Vec<String>)>,
    /// Seeds as given; empty: the base's seed.
    pub seeds: Vec<String>,
    pub steps: Option<String>,
    pub metric: Option<String>,
}

impl SweepItems {
    /// Items from a link's `sweep=` value (`rules:` and `seeds:` items included).
    pub fn from_value(value: &str, problems: &mut Vec<ConfigError>) -> SweepItems {
        let mut items = SweepItems::default();
        for (k, vs) in split_items(value, problems) {
            match k.as_str() {
                "rules" | "rule" => items.rules.extend(vs),
                "seeds" => items.seeds.extend(vs),
                _ => items.axes.push((k, vs)),
            }
        }
        items
    }
}

impl Sweep {
    /// Builds and checks a sweep: every bad item or value is reported in `problems` and left out,
    /// the rest kept; None when nothing sweepable is left (no values at all, or a cell that
    /// cannot run, or too many cells).
    pub fn build(base: &RunConfig, items: SweepItems, problems: &mut Vec<ConfigError>) -> Option<Sweep> {
        let steps = match items.steps.as_deref() {
            None => DEFAULT_SWEEP_STEPS,
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (1..=MAX_SWEEP_STEPS).contains(&n) => n,
                _ => {
                    problems.push(err(
                        "sweep_steps",
                        &shown(v),
                        "expected a whole number of steps from 1 to 1000000; 1000 used",
                    ));
                    DEFAULT_SWEEP_STEPS
                }
            },
        };
        let metric = match items.metric.as_deref() {
            None => Metric::TestAccuracy,
            Some(m) => Metric::from_key(m).unwrap_or_else(|| {
                problems.push(err(
                    "sweep_metric",
                    &shown(m),
                    "expected one of test_accuracy, test_loss, train_loss, alignment; test_accuracy used",
                ));
                Metric::TestAccuracy
            }),
        };
        let mut bad = |value: &str, message: String| push_bad(problems, value, message);
        // Rules: each a compare item that can run on the base, each once.
        let mut rules: Vec<String> = Vec::new();
        let mut variants: Vec<RunConfig> = Vec::new();
        let given_rules = if items.rules.is_empty() { vec![base.rule.key().to_string()] } else { items.rules };
        for r in given_rules {
            let c = match compare_variant(base, &r) {
                Ok(c) if !variants.contains(&c) && rules.len() < MAX_RULES => c,
                Ok(_) if rules.len() < MAX_RULES => {
                    bad(
                        &r,
                        format!("rules: {} is listed twice (or is the same run as another); it runs once", shown(&r)),
                    );
                    continue;
                }
                Ok(_) => {
                    bad(&r, "rules: at most 8 rules; left out".into());
                    continue;
                }
                Err(m) => {
                    bad(&r, format!("rules: {m}"));
                    continue;
                }
            };
            rules.push(r);
            variants.push(c);
        }
        // Seeds.
        let given_seeds = if items.seeds.is_empty() { vec![base.seed.to_string()] } else { items.seeds };
        let mut seeds: Vec<u64> = Vec::new();
        for s in given_seeds {
            match s.parse::<u64>() {
                Ok(n) if n <= MAX_SEED && !seeds.contains(&n) && seeds.len() < MAX_SWEEP_SEEDS => seeds.push(n),
                Ok(n) if n <= MAX_SEED => bad(&s, "seeds: listed twice, or more than 32 seeds; left out".into()),
                _ => bad(&s, format!("seeds: expected a whole number from 0 to {MAX_SEED}")),
            }
        }
        // Keys: at most two, each swept once, each value accepted by every rule.
        let mut axes: Vec<Axis> = Vec::new();
        for (key, values) in items.axes {
            let refused = if !is_sweep_key(&key) {
                Some(format!("not a key a sweep can vary; expected one of {SWEEP_KEYS}"))
            } else if axes.iter().any(|a| a.key == key) {
                Some("this key is swept twice; the first list is kept".into())
            } else if axes.len() == MAX_KEYS {
                Some("at most 2 keys at once; left out".into())
            } else if key == "seed" && seeds.len() > 1 {
                Some("the seeds are swept already (seeds:); left out".into())
            } else {
                None
            };
            if let Some(m) = refused {
                bad(&key, m);
                continue;
            }
            let mut kept: Vec<String> = Vec::new();
            for v in values {
                let mut canonical = Ok(String::new());
                for (r, c) in rules.iter().zip(&variants) {
                    canonical = with_key(c, &key, &v).map(|(_, cv)| cv).map_err(|m| (r, m));
                    if canonical.is_err() {
                        break;
                    }
                }
                match canonical {
                    Err((r, m)) => {
                        let with = if rules.len() > 1 { format!(" (with {r})") } else { String::new() };
                        bad(&v, format!("{key}={}: {m}{with}", shown(&v)));
                    }
                    Ok(cv) if kept.contains(&cv) || kept.len() == MAX_VALUES => {
                        bad(&v, format!("{key}: {} is listed twice, or more than 32 values; left out", shown(&v)))
                    }
                    Ok(cv) => kept.push(cv),
                }
            }
            if kept.is_empty() {
                bad(&key, format!("{key}: no value left; the key is left out"));
            } else {
                axes.push(Axis { key, values: kept });
            }
        }
        let n = rules.len() * axes.iter().map(|a| a.values.len()).product::<usize>() * seeds.len();
        let left_out = if n == 0 || (axes.is_empty() && n == 1) {
            Some("nothing to sweep (no key, one rule, one seed): the sweep is left out".to_string())
        } else if n > MAX_CELLS {
            Some(format!("{n} cells, more than {MAX_CELLS}: the sweep is left out (use fewer values, rules or seeds)"))
        } else {
            None
        };
        if let Some(m) = left_out {
            bad("", m);
            return None;
        }
        let mut base = variants[0].clone();
        base.seed = seeds[0];
        let sweep = Sweep { base, rules, axes, seeds, steps, metric };
        // Every cell must run (a combination of two keys can break it, e.g. batch and n).
        if let Err(e) = sweep.try_cells() {
            bad("", e.message);
            return None;
        }
        Some(sweep)
    }

    /// Like [`Sweep::build`], but the first problem refuses the whole sweep (the CLI, `--merge`).
    pub fn build_strict(base: &RunConfig, items: SweepItems) -> Result<Sweep, ConfigError> {
        let mut problems = Vec::new();
        let sweep = Sweep::build(base, items, &mut problems);
        match (problems.into_iter().next(), sweep) {
            (Some(e), _) => Err(e),
            (None, Some(s)) => Ok(s),
            (None, None) => Err(err("sweep", "", "nothing to sweep")),
        }
    }

    /// A sweep from its link form (a configuration with `sweep=`, `sweep_steps=`,
    /// `sweep_metric=`), strictly and without the page's limit on a grid: what
    /// [`CellResult::sweep`] holds. Rules and seeds are the link's own unless its sweep names them.
    pub fn parse_strict(fragment: &str) -> Result<Sweep, ConfigError> {
        let keys = ["sweep", "sweep_steps", "sweep_metric"];
        let (base, extras) = RunConfig::parse_with_extras(fragment, &keys)?;
        let value = |k: &str| extras.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let mut problems = Vec::new();
        let mut items = SweepItems::from_value(&value("sweep").unwrap_or_default(), &mut problems);
        items.steps = value("sweep_steps");
        items.metric = value("sweep_metric");
        match problems.into_iter().next() {
            Some(e) => Err(e),
            None => Sweep::build_strict(&base, items),
        }
    }

    /// The number of cells.
    pub fn cell_count(&self) -> usize {
        self.rules.len() * self.axes.iter().map(|a| a.values.len()).product::<usize>() * self.seeds.len()
    }

    #[inline(never)]
    fn try_cells(&self) -> Result<Vec<Cell>, ConfigError> {
        let mut cells = Vec::with_capacity(self.cell_count());
        let v0: Vec<Option<&String>> = match self.axes.first() {
            Some(a) => a.values.iter().map(Some).collect(),
            None => vec![None],
        };
        let v1: Vec<Option<&String>> = match self.axes.get(1) {
            Some(a) => a.values.iter().map(Some).collect(),
            None => vec![None],
        };
        for rule in &self.rules {
            let with_rule = compare_variant(&self.base, rule).map_err(|m| err("sweep", &shown(rule), m))?;
            for a in &v0 {
                for b in &v1 {
                    let mut c = with_rule.clone();
                    let mut values = Vec::new();
                    for (axis, v) in self.axes.iter().zip([a, b].into_iter().flatten()) {
                        let (next, cv) = with_key(&c, &axis.key, v).map_err(|m| {
                            let mut cell = rule.clone();
                            for (x, w) in self.axes.iter().zip([a, b].into_iter().flatten()) {
                                cell += &format!(", {}={w}", x.key);
                            }
                            err("sweep", "", format!("the cell {cell} cannot run: {m}; the sweep is left out"))
                        })?;
                        c = next;
                        values.push(cv);
                    }
                    for &seed in &self.seeds {
                        let mut cfg = c.clone();
                        if !self.axes.iter().any(|a| a.key == "seed") {
                            cfg.seed = seed;
                        }
                        let cell = Cell {
                            index: cells.len(),
                            rule: rule.clone(),
                            values: values.clone(),
                            seed: cfg.seed,
                            config: cfg,
                        };
                        let shape = Shape::of(&cell.config, &Sources::default());
                        let fits = |s: Shape| cell.config.check_data(&s);
                        cell.config.validate().and_then(|()| shape.map_or(Ok(()), fits)).map_err(|e| {
                            err(
                                "sweep",
                                "",
                                format!(
                                    "the cell {} cannot run: {e}; the sweep is left out",
                                    cell.describe(&self.axes)
                                ),
                            )
                        })?;
                        cells.push(cell);
                    }
                }
            }
        }
        Ok(cells)
    }

    /// Every cell, in the sweep's order: rules outermost, then the first key's values, the
    /// second key's, then the seeds.
    pub fn cells(&self) -> Vec<Cell> {
        // A built sweep's cells were checked (`Sweep::build`).
        self.try_cells().unwrap_or_default()
    }

    /// The cells of shard `i` of `n` (1-based): every n-th cell from the i-th, so each shard gets
    /// a share of every rule and value (cells of one rule cost alike, other rules do not).
    pub fn shard(&self, i: usize, n: usize) -> Vec<Cell> {
        self.cells().into_iter().filter(|c| c.index % n == i - 1).collect()
    }

    /// The value of the `sweep=` key: `rules:..;key:..;key:..;seeds:..`, all explicit.
    pub fn value(&self) -> String {
        let mut items = vec![format!("rules:{}", self.rules.join(","))];
        items.extend(self.axes.iter().map(|a| format!("{}:{}", a.key, a.values.join(","))));
        let seeds: Vec<String> = self.seeds.iter().map(u64::to_string).collect();
        items.push(format!("seeds:{}", seeds.join(",")));
        items.join(";")
    }

    /// The sweep's canonical link: the base configuration, `sweep=` (every item explicit),
    /// `sweep_steps` and `sweep_metric`. It names the sweep: shards of one sweep carry the same.
    pub fn fragment(&self) -> String {
        format!("{}&sweep={}&sweep_steps={}&sweep_metric={}", self.base, self.value(), self.steps, self.metric.key())
    }

    /// 16 hex digits of a 64-bit FNV-1a hash of [`Sweep::fragment`].
    pub fn id(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.fragment().bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        format!("{h:016x}")
    }

    /// Whether the cells measure the alignment (only for the alignment metric: it costs about one
    /// more pass a step, and never changes a run).
    pub fn diagnostics(&self) -> bool {
        self.metric == Metric::Alignment
    }

    /// What the whole grid costs on data of the base's shape: the largest cell's memory, and the
    /// work of every cell's steps and its final evaluation. None for an upload without its table.
    pub fn cost(&self, sources: &Sources) -> Option<GridCost> {
        let shape = Shape::of(&self.base, sources)?;
        let mut g =
            GridCost { cells: self.cell_count(), steps: self.steps, bytes: 0, step_work: 0, eval_work: 0, work: 0 };
        for c in self.cells() {
            let one = cost::cost(&c.config, &shape);
            let step = if self.diagnostics() { one.work } else { one.work - one.alignment };
            let eval = cost::forward_work(&c.config, &shape) * shape.samples as u64;
            g.bytes = g.bytes.max(one.bytes);
            g.step_work = g.step_work.saturating_add(step);
            g.eval_work = g.eval_work.saturating_add(eval);
        }
        g.work = g.step_work.saturating_mul(self.steps).saturating_add(g.eval_work);
        Some(g)
    }

    /// Whether the page may run the grid ([`MAX_SWEEP_WORK`]); the message gives both figures and
    /// the steps per cell that would fit.
    pub fn check_page(&self, sources: &Sources) -> Result<(), ConfigError> {
        let n = self.cell_count();
        if n > MAX_PAGE_CELLS {
            return Err(err(
                "sweep",
                &n.to_string(),
                format!(
                    "too many cells for the page: {n}, at most {MAX_PAGE_CELLS}; use fewer values, rules or seeds (the command line runs any grid: np-playground sweep)"
                ),
            ));
        }
        let Some(g) = self.cost(sources) else { return Ok(()) };
        if g.work <= MAX_SWEEP_WORK {
            return Ok(());
        }
        let fit = MAX_SWEEP_WORK.saturating_sub(g.eval_work) / g.step_work.max(1);
        let hint = if fit >= 1 { format!("sweep_steps={fit} would fit, or ") } else { String::new() };
        Err(err(
            "sweep",
            &g.cells.to_string(),
            format!(
                "too large for the page: {} cells of {} steps would need {} multiply-adds, over the sweep limit of {}; {hint}use fewer values, rules or seeds (the command line runs any grid: np-playground sweep)",
                g.cells,
                self.steps,
                cost::human_count(g.work),
                cost::human_count(MAX_SWEEP_WORK)
            ),
        ))
    }
}

impl fmt::Display for Sweep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fragment())
    }
}

/// What a whole sweep costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GridCost {
    pub cells: usize,
    pub steps: u64,
    /// The largest cell's memory (a worker holds one cell at a time).
    pub bytes: u64,
    /// One step of every cell together.
    pub step_work: u64,
    /// Every cell's final evaluation together.
    pub eval_work: u64,
    /// Every cell's steps and evaluation together.
    pub work: u64,
}

/// One cell's result: the fields of `run --json`'s final line (without `seconds`, so a sweep's
/// output is the same on every machine, and shards merge to it byte for byte), the metric's
/// value, and where the cell is in which sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CellResult {
    /// The sweep's canonical link ([`Sweep::fragment`]).
    pub sweep: String,
    pub sweep_id: String,
    pub cell: usize,
    pub cells: usize,
    pub rule: String,
    /// The swept keys and the cell's values (numbers).
    pub keys: Vec<String>,
    pub values: Vec<f64>,
    pub seed: u64,
    pub metric: &'static str,
    /// The metric's value; None for a diverged cell (or alignment where it is undefined).
    pub value: Option<f32>,
    pub diverged: bool,
    /// `run --json`'s figures, in its order.
    #[serde(flatten)]
    pub figures: RunFigures,
    pub config: String,
    #[serde(rename = "final")]
    pub is_final: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CellResult {
    /// The result as one line of JSON (no newline).
    pub fn json_line(&self) -> String {
        serde_json::to_string(self).expect("a result serialises")
    }
}

/// A cell being trained, a few steps at a time (the page's worker runs it in slices).
pub struct CellRun {
    trainer: Trainer,
    means: StepMeans,
    total: u64,
    error: Option<String>,
}

impl CellRun {
    pub fn new(sweep: &Sweep, cell: &Cell, sources: &Sources) -> Result<CellRun, ConfigError> {
        let mut trainer = Trainer::with_sources(cell.config.clone(), sources)?;
        trainer.set_diagnostics(sweep.diagnostics());
        Ok(CellRun { trainer, means: StepMeans::default(), total: sweep.steps, error: None })
    }

    /// Trains up to `n` more steps; true once the cell is done (its steps run, or diverged).
    pub fn advance(&mut self, n: u64) -> bool {
        let mut left = n;
        while left > 0 && !self.done() {
            match self.trainer.step() {
                Ok(s) => {
                    let s = s.clone();
                    self.means.add(&s);
                }
                Err(e) => self.error = Some(e.to_string()),
            }
            left -= 1;
        }
        self.done()
    }

    pub fn done(&self) -> bool {
        self.error.is_some() || self.trainer.steps() >= self.total
    }

    pub fn steps(&self) -> u64 {
        self.trainer.steps()
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// The result, evaluated on the whole train and test sets (as `run --json`).
    pub fn finish(mut self, sweep: &Sweep, cell: &Cell) -> CellResult {
        let t = &mut self.trainer;
        let ev = t.evaluate();
        let diverged = self.error.is_some();
        let w = &self.means;
        let value = if diverged {
            None
        } else {
            match sweep.metric {
                Metric::TestAccuracy => Some(ev.test.accuracy),
                Metric::TestLoss => Some(ev.test.loss),
                Metric::TrainLoss => Some(ev.train.loss),
                Metric::Alignment => w.alignment_all(),
            }
        };
        CellResult {
            sweep: sweep.fragment(),
            sweep_id: sweep.id(),
            cell: cell.index,
            cells: sweep.cell_count(),
            rule: cell.rule.clone(),
            keys: sweep.axes.iter().map(|a| a.key.clone()).collect(),
            values: cell.values.iter().map(|v| v.parse().unwrap_or(f64::NAN)).collect(),
            seed: cell.seed,
            metric: sweep.metric.key(),
            value,
            diverged,
            figures: RunFigures::of(t, &ev, w),
            config: t.config().to_string(),
            is_final: true,
            error: self.error.clone(),
        }
    }
}

/// Trains one cell for the sweep's steps.
pub fn run_cell(sweep: &Sweep, cell: &Cell, sources: &Sources) -> Result<CellResult, ConfigError> {
    let mut r = CellRun::new(sweep, cell, sources)?;
    r.advance(sweep.steps);
    Ok(r.finish(sweep, cell))
}

/// `I/N` (1 <= I <= N) of `--shard`.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--shard {}: expected I/N with 1 <= I <= N, e.g. 1/4", shown(s));
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if i == 0 || n == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

/// Joins the lines of shards (`(name, text)`, e.g. a file's name and contents) into the sweep's
/// output in cell order, each line as it was. Refused, with a message naming the file and line:
/// a line that is not a cell of a sweep, lines of different sweeps, a cell whose configuration is
/// not the one its sweep gives it, a cell twice, a cell missing.
pub fn merge(shards: &[(String, String)]) -> Result<String, String> {
    struct Line<'a> {
        file: &'a str,
        number: usize,
        text: &'a str,
    }
    let mut sweep: Option<(Sweep, String, String)> = None; // the sweep, its id, where it was first seen
    let mut cells: Vec<Option<Line>> = Vec::new();
    let mut all: Vec<Cell> = Vec::new();
    for (file, text) in shards {
        for (k, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let at = format!("{file} line {}", k + 1);
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| format!("{at}: not a line of JSON ({e})"))?;
            let field = |name: &str| v.get(name).ok_or_else(|| format!("{at}: not a cell of a sweep (no {name})"));
            let id = field("sweep_id")?.as_str().ok_or_else(|| format!("{at}: sweep_id is not a string"))?;
            match &sweep {
                None => {
                    let fragment = field("sweep")?.as_str().ok_or_else(|| format!("{at}: sweep is not a string"))?;
                    let s =
                        Sweep::parse_strict(fragment).map_err(|e| format!("{at}: its sweep cannot be read: {e}"))?;
                    if s.id() != id {
                        return Err(format!("{at}: its sweep_id {id} is not its sweep's ({})", s.id()));
                    }
                    all = s.cells();
                    cells = (0..all.len()).map(|_| None).collect();
                    sweep = Some((s, id.to_string(), at.clone()));
                }
                Some((_, first, where_)) if first != id => {
                    return Err(format!(
                        "{at} is a cell of another sweep (sweep_id {id}) than {where_} (sweep_id {first}): shards of different sweeps cannot be merged"
                    ));
                }
                Some(_) => {}
            }
            let (s, _, _) = sweep.as_ref().expect("set above");
            let i = field("cell")?.as_u64().ok_or_else(|| format!("{at}: cell is not a number"))? as usize;
            let Some(expected) = all.get(i) else {
                return Err(format!("{at}: cell {i}, but the sweep has {} cells (0 to {})", all.len(), all.len() - 1));
            };
            let config = field("config")?.as_str().unwrap_or_default();
            let want = expected.config.to_string();
            if config != want {
                // The first key that differs, both ways.
                let (mut ran, mut should) = (shown(config), want.clone());
                for (a, b) in config.split('&').zip(want.split('&')) {
                    if a != b {
                        (ran, should) = (shown(a), b.to_string());
                        break;
                    }
                }
                return Err(format!(
                    "{at}: cell {i} ({}) ran {ran}, where the sweep has {should}",
                    expected.describe(&s.axes)
                ));
            }
            if let Some(prev) = &cells[i] {
                let same = if prev.file == file.as_str() { " (the same file given twice?)" } else { "" };
                return Err(format!(
                    "cell {i} ({}) is twice: {} line {} and {at}{same}",
                    expected.describe(&s.axes),
                    prev.file,
                    prev.number
                ));
            }
            cells[i] = Some(Line { file, number: k + 1, text: line });
        }
    }
    let Some((s, _, _)) = &sweep else {
        return Err("no cells: the files hold no lines".into());
    };
    let missing: Vec<usize> = (0..cells.len()).filter(|&i| cells[i].is_none()).collect();
    if !missing.is_empty() {
        let named: Vec<String> =
            missing.iter().take(5).map(|&i| format!("{i} ({})", all[i].describe(&s.axes))).collect();
        let more = if missing.len() > 5 { format!(" and {} more", missing.len() - 5) } else { String::new() };
        return Err(format!(
            "{} of {} cells missing: {}{more} (is a shard missing or unfinished?)",
            missing.len(),
            cells.len(),
            named.join(", ")
        ));
    }
    let mut out = String::new();
    for l in cells.into_iter().flatten() {
        out += l.text;
        out.push('\n');
    }
    Ok(out)
}
