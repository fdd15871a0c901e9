//! A page link: a run's configuration plus the keys only the page reads.
//!
//! - `at=N` trains N steps and pauses there; `play=1` starts training at once; `speed=` sets the
//!   speed menu (slow, 1, 10, 100, 1000, max).
//! - `compare=inp,anp:blind,np:k4` runs up to three more rule variants beside the page's own run,
//!   in lockstep from the identical seed; `seeds=N` (up to 5) runs every rule over N seeds (the
//!   link's seed and the next ones) and draws their mean and range; `xaxis=` plots the curves
//!   against steps, forward passes or seconds.
//! - `sweep=lr:0.003,0.01;sigma:0.001,0.01` with `sweep_steps=N` and `sweep_metric=` asks for a
//!   sweep ([`super::sweep`]): its rules are the link's own and compared ones, its seeds the link's
//!   `seeds=`, unless its `rules:` and `seeds:` items say; `workers=N` (1 to 16) sets the page's
//!   pool of workers.
//! - `hide=rule,compare` hides groups of controls (a classroom link); `embed=1` shows the compact
//!   view for an iframe; `lesson=start` (or a chapter's id) opens a lesson.
//!
//! A link is read leniently: a key or a compare item that cannot be accepted is reported and left
//! out, and the rest of the link applies (a typo in a classroom link must not discard it).

pub use super::config::compare_variant;
use super::config::{ConfigError, RunConfig, err, shown};
use super::cost::{self, Shape};
use super::sweep::{Sweep, SweepItems};
use crate::data::Sources;

/// Keys a link may carry besides the configuration's.
pub const PAGE_KEYS: [&str; 14] = [
    "at",
    "compare",
    "seeds",
    "xaxis",
    "play",
    "speed",
    "hide",
    "embed",
    "lesson",
    "sweep",
    "sweep_steps",
    "sweep_metric",
    "workers",
    "discretize",
];
/// Most workers of the page's pool (`workers=`).
pub const MAX_WORKERS: usize = 16;
/// Largest `at`.
pub const MAX_AT: u64 = 10_000_000;
/// Most runs beside the page's own.
pub const MAX_COMPARE: usize = 3;
/// Most seeds per rule.
pub const MAX_SEEDS: usize = 5;
/// The speed menu's values, slowest first.
pub const SPEEDS: [&str; 6] = ["slow", "1", "10", "100", "1000", "max"];
/// What the curves can be plotted against.
pub const XAXES: [&str; 3] = ["steps", "passes", "seconds"];
/// Groups of the page a classroom link can hide, with what each holds.
pub const HIDE_GROUPS: [(&str, &str); 12] = [
    ("intro", "the introduction"),
    ("lessons", "the lessons and presets"),
    ("share", "the share and copy buttons"),
    ("data", "the data set choice and your own data"),
    ("network", "the hidden layers, activation and loss"),
    ("rule", "the learning rule and its noise settings"),
    ("settings", "all of the settings column"),
    ("compare", "the comparison of rules"),
    ("diagram", "the network diagram"),
    ("noise", "the noise panel"),
    ("curves", "the loss, accuracy and alignment curves"),
    ("activations", "the layer activations"),
];

/// One run beside the page's own: its `compare` item and its configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRun {
    pub label: String,
    pub config: RunConfig,
}

/// The page keys that shape the view rather than the runs.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    /// Start training at once.
    pub play: bool,
    /// The speed menu's value, one of [`SPEEDS`].
    pub speed: Option<&'static str>,
    /// Groups to hide, from [`HIDE_GROUPS`], in the link's order.
    pub hide: Vec<&'static str>,
    /// The compact view for an iframe.
    pub embed: bool,
    /// The lesson chapter to open (`start` for the first).
    pub lesson: Option<String>,
    /// Seeds per rule (1 to [`MAX_SEEDS`]).
    pub seeds: usize,
    /// The curves' x axis, one of [`XAXES`].
    pub xaxis: &'static str,
    /// The page's pool of workers (1 to [`MAX_WORKERS`]); None: one per core the browser reports.
    pub workers: Option<usize>,
    /// `discretize=1`: the boundary drawn in two colours (the view only, not the run).
    pub discretize: bool,
}

impl Default for View {
    fn default() -> Self {
        View {
            play: false,
            speed: None,
            hide: Vec::new(),
            embed: false,
            lesson: None,
            seeds: 1,
            xaxis: "steps",
            workers: None,
            discretize: false,
        }
    }
}

/// A parsed page link.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub config: RunConfig,
    /// Train this many steps on load, then pause.
    pub at: Option<u64>,
    pub compare: Vec<CompareRun>,
    pub view: View,
    /// The sweep the link asks for (`sweep=`), checked against the page's limit on a grid.
    pub sweep: Option<Sweep>,
    /// What was left out of the link, and why (key, value, message).
    pub problems: Vec<ConfigError>,
}

impl Link {
    /// Reads a URL fragment leniently (see the module documentation): what cannot be accepted is
    /// in `problems`, and the rest applies.
    pub fn parse(fragment: &str) -> Link {
        let lenient = RunConfig::parse_lenient(fragment, &PAGE_KEYS);
        let mut link = Link {
            config: lenient.config,
            at: None,
            compare: Vec::new(),
            view: View::default(),
            sweep: None,
            problems: lenient.problems,
        };
        let mut compare_value = None;
        let mut sweep_items: [Option<String>; 3] = [None, None, None];
        for (key, value) in lenient.extras {
            if key == "compare" {
                compare_value = Some(value);
            } else if let Some(i) = ["sweep", "sweep_steps", "sweep_metric"].iter().position(|k| *k == key) {
                sweep_items[i] = Some(value);
            } else if let Err(e) = link.apply_page_key(&key, &value) {
                link.problems.push(e);
            }
        }
        if let Some(value) = compare_value {
            link.compare = parse_compare(&link.config, value.split(','), &mut link.problems);
        }
        link.fit(&Sources::default());
        link.read_sweep(sweep_items);
        link
    }

    /// Builds the link's sweep from `sweep`, `sweep_steps` and `sweep_metric` (in that order):
    /// its rules and seeds default to the link's runs; a bad item is reported and left out, a
    /// grid over the page's limit is refused with the figures.
    fn read_sweep(&mut self, [value, steps, metric]: [Option<String>; 3]) {
        let Some(value) = value else {
            for (key, v) in [("sweep_steps", steps), ("sweep_metric", metric)] {
                if let Some(v) = v {
                    self.problems.push(err(key, &shown(&v), "no sweep= in the link for it to apply to"));
                }
            }
            return;
        };
        let mut items = SweepItems::from_value(&value, &mut self.problems);
        if items.rules.is_empty() {
            items.rules =
                std::iter::once(self.label().to_string()).chain(self.compare.iter().map(|r| r.label.clone())).collect();
        }
        if items.seeds.is_empty() {
            items.seeds = (0..self.view.seeds as u64)
                .map(|k| ((self.config.seed + k) % (super::config::MAX_SEED + 1)).to_string())
                .collect();
        }
        items.steps = steps;
        items.metric = metric;
        self.sweep = Sweep::build(&self.config, items, &mut self.problems).and_then(|s| {
            match s.check_page(&Sources::default()) {
                Ok(()) => Some(s),
                Err(e) => {
                    self.problems.push(e);
                    None
                }
            }
        });
    }

    /// Applies one page key other than `compare` (the link's and the run file's reader share
    /// it): `at`, `seeds`, `xaxis`, `play`, `embed`, `speed`, `hide` (a bad group is reported in
    /// `problems`, the others kept) or `lesson`; a value that cannot be accepted is refused
    /// with a message and the key keeps its value.
    pub(crate) fn apply_page_key(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let bad = |m: String| err(key, &shown(value), m);
        let flag = |v: &str| match v {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(bad("expected 1 or 0".into())),
        };
        match key {
            "at" => match value.parse::<u64>() {
                Ok(n) if n <= MAX_AT => {
                    self.at = Some(n);
                    Ok(())
                }
                _ => Err(bad(format!("expected a whole number of steps from 0 to {MAX_AT}"))),
            },
            "seeds" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_SEEDS).contains(&n) => {
                    self.view.seeds = n;
                    Ok(())
                }
                _ => Err(bad(format!("expected a whole number of seeds from 1 to {MAX_SEEDS}"))),
            },
            "xaxis" => match XAXES.iter().find(|x| **x == value) {
                Some(x) => {
                    self.view.xaxis = x;
                    Ok(())
                }
                None => Err(bad(format!("expected one of {}", XAXES.join(", ")))),
            },
            "workers" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_WORKERS).contains(&n) => {
                    self.view.workers = Some(n);
                    Ok(())
                }
                _ => Err(bad(format!("expected a whole number of workers from 1 to {MAX_WORKERS}"))),
            },
            "play" => flag(value).map(|f| self.view.play = f),
            "embed" => flag(value).map(|f| self.view.embed = f),
            "discretize" => flag(value).map(|f| self.view.discretize = f),
            "speed" => match SPEEDS.iter().find(|s| **s == value) {
                Some(s) => {
                    self.view.speed = Some(s);
                    Ok(())
                }
                None => Err(bad(format!("expected one of {}", SPEEDS.join(", ")))),
            },
            "hide" => {
                let mut unknown: Vec<&str> = Vec::new();
                for name in value.split(',').filter(|s| !s.is_empty()) {
                    match HIDE_GROUPS.iter().find(|(g, _)| *g == name) {
                        Some((g, _)) if !self.view.hide.contains(g) => self.view.hide.push(g),
                        Some(_) => {}
                        None if !unknown.contains(&name) => unknown.push(name),
                        None => {}
                    }
                }
                // Each unknown name once, and at most a few of them.
                for name in unknown.iter().take(MAX_ITEM_PROBLEMS) {
                    self.problems.push(err(
                        "hide",
                        &shown(name),
                        format!("not a group of the page; expected some of {}", HIDE_GROUPS.map(|(g, _)| g).join(", ")),
                    ));
                }
                if unknown.len() > MAX_ITEM_PROBLEMS {
                    let rest = unknown.len() - MAX_ITEM_PROBLEMS;
                    self.problems.push(err(
                        "hide",
                        "",
                        format!("and {rest} more names that are not groups of the page"),
                    ));
                }
                Ok(())
            }
            "lesson" => {
                if value.is_empty() || value.len() > 40 || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                {
                    Err(bad("expected a lesson chapter, e.g. lesson=start".into()))
                } else {
                    self.view.lesson = Some(value.to_string());
                    Ok(())
                }
            }
            _ => Err(bad("not a page key".into())),
        }
    }

    /// Every run of `rules` (the page's own first, then compared ones) over `seeds` seeds, on
    /// data of `shape`, fits the limits together.
    fn fits_together(rules: &[&RunConfig], seeds: usize, shape: Shape) -> bool {
        let runs: Vec<(&RunConfig, Shape)> =
            rules.iter().flat_map(|c| std::iter::repeat_n((*c, shape), seeds)).collect();
        cost::fits(&runs)
    }

    /// Makes every run fit the limits together (each alone was checked when parsed): the seeds
    /// are lowered to the most the page's own rule fits, then each compared rule is kept in
    /// order when it fits beside those kept, and left out when it does not, with a message that
    /// names the limit exceeded, both figures, and the change that would fit every rule of the
    /// link (checked with the same model). An upload's shape comes with its table (`sources`).
    pub(crate) fn fit(&mut self, sources: &Sources) {
        let Some(shape) = Shape::of(&self.config, sources) else { return };
        let all: Vec<&RunConfig> = self.configs().collect();
        let seeds = self.view.seeds;
        if Self::fits_together(&all, seeds, shape) {
            return;
        }
        // What would fit the whole link as written: a lower batch or narrower layers in every
        // rule, or fewer seeds.
        let runs: Vec<(&RunConfig, Shape)> = all.iter().flat_map(|c| std::iter::repeat_n((*c, shape), seeds)).collect();
        let mut changes = cost::fitting_changes(&runs);
        if seeds > 1
            && let Some(s) = (1..seeds).rev().find(|&s| Self::fits_together(&all, s, shape))
        {
            changes.push(("seeds", s.to_string()));
        }
        let whole = if changes.is_empty() {
            String::new()
        } else {
            format!("; {} would fit every run", cost::either(&changes))
        };
        let runs_of = |rules: usize, seeds: usize| {
            let n = rules * seeds;
            if n == 1 { "this run".to_string() } else { format!("these {n} runs") }
        };
        // The own rule over its seeds.
        if !Self::fits_together(&[&self.config], seeds, shape) {
            let s = (1..seeds).rev().find(|&s| Self::fits_together(&[&self.config], s, shape)).unwrap_or(1);
            let need = cost::total(&vec![(&self.config, shape); seeds]);
            self.problems.push(err(
                "seeds",
                &seeds.to_string(),
                format!("lowered to {s}: {} would need {}{whole}", runs_of(1, seeds), cost::exceeded(need, ""),),
            ));
            self.view.seeds = s;
        }
        let seeds = self.view.seeds;
        let mut kept: Vec<CompareRun> = Vec::new();
        let mut left: Vec<CompareRun> = Vec::new();
        for r in std::mem::take(&mut self.compare) {
            let rules: Vec<&RunConfig> =
                std::iter::once(&self.config).chain(kept.iter().map(|k| &k.config)).chain([&r.config]).collect();
            if Self::fits_together(&rules, seeds, shape) {
                kept.push(r);
            } else {
                left.push(r);
            }
        }
        // Each run left out: what the runs kept would need with it.
        let kept_labels: Vec<&str> =
            std::iter::once(self.config.rule.key()).chain(kept.iter().map(|k| k.label.as_str())).collect();
        let kept_text = match kept_labels.len() {
            1 => kept_labels[0].to_string(),
            n => format!("{} and {}", kept_labels[..n - 1].join(", "), kept_labels[n - 1]),
        };
        for r in &left {
            let rules: Vec<&RunConfig> =
                std::iter::once(&self.config).chain(kept.iter().map(|k| &k.config)).chain([&r.config]).collect();
            let runs: Vec<(&RunConfig, Shape)> =
                rules.iter().flat_map(|c| std::iter::repeat_n((*c, shape), seeds)).collect();
            self.problems.push(err(
                "compare",
                &shown(&r.label),
                format!(
                    "left out: beside {kept_text}, {} would need {}{whole}",
                    runs_of(rules.len(), seeds),
                    cost::exceeded(cost::total(&runs), ""),
                ),
            ));
        }
        self.compare = kept;
    }

    /// Like [`Link::parse`], but the first problem refuses the whole link (tests, tools).
    pub fn parse_strict(fragment: &str) -> Result<Link, ConfigError> {
        let link = Link::parse(fragment);
        match link.problems.first() {
            Some(e) => Err(e.clone()),
            None => Ok(link),
        }
    }

    /// The run's own label: its rule's key.
    pub fn label(&self) -> &'static str {
        self.config.rule.key()
    }

    /// Every rule's configuration, the page's own first (one seed each).
    pub fn configs(&self) -> impl Iterator<Item = &RunConfig> {
        std::iter::once(&self.config).chain(self.compare.iter().map(|r| &r.config))
    }

    /// Every run the page builds, as `(label, config)`: each rule (the page's own first, then the
    /// compared ones), over `seeds` seeds each: the link's seed, then the next ones (the extra
    /// runs' labels say which seed: `inp #2`).
    pub fn runs(&self) -> Vec<(String, RunConfig)> {
        let own = std::iter::once((self.label().to_string(), &self.config));
        let rules = own.chain(self.compare.iter().map(|r| (r.label.clone(), &r.config)));
        rules
            .flat_map(|(label, c)| {
                (0..self.view.seeds).map(move |k| {
                    let mut c = c.clone();
                    c.seed = (c.seed + k as u64) % (super::config::MAX_SEED + 1);
                    (if k == 0 { label.clone() } else { format!("{label} #{}", k + 1) }, c)
                })
            })
            .collect()
    }

    /// The link as the page writes it back: the canonical configuration and every page key that
    /// differs from its default (no empty `pts`, no `compare=`).
    pub fn fragment(&self) -> String {
        let mut s = self.config.to_string().replace("&pts=&", "&");
        if s.ends_with("&pts=") {
            s.truncate(s.len() - 5);
        }
        if !self.compare.is_empty() {
            let labels: Vec<&str> = self.compare.iter().map(|r| r.label.as_str()).collect();
            s += &format!("&compare={}", labels.join(","));
        }
        let v = &self.view;
        if v.seeds > 1 {
            s += &format!("&seeds={}", v.seeds);
        }
        if v.xaxis != "steps" {
            s += &format!("&xaxis={}", v.xaxis);
        }
        if let Some(speed) = v.speed {
            s += &format!("&speed={speed}");
        }
        if v.play {
            s += "&play=1";
        }
        if !v.hide.is_empty() {
            s += &format!("&hide={}", v.hide.join(","));
        }
        if v.embed {
            s += "&embed=1";
        }
        if let Some(l) = &v.lesson {
            s += &format!("&lesson={l}");
        }
        if let Some(w) = v.workers {
            s += &format!("&workers={w}");
        }
        if let Some(sw) = &self.sweep {
            s += &format!("&sweep={}&sweep_steps={}&sweep_metric={}", sw.value(), sw.steps, sw.metric.key());
        }
        if let Some(at) = self.at {
            s += &format!("&at={at}");
        }
        s
    }
}

/// Most messages about single items of a list (`compare`, `hide`); the rest are counted in one.
pub const MAX_ITEM_PROBLEMS: usize = 5;

/// The `compare` list: at most [`MAX_COMPARE`] distinct variants, none equal to the run itself;
/// an item that cannot be accepted is reported and left out. An item listed several times is
/// reported once, with the count; the items beyond the cap in one message.
pub(crate) fn parse_compare<'a>(
    config: &RunConfig,
    items: impl Iterator<Item = &'a str>,
    problems: &mut Vec<ConfigError>,
) -> Vec<CompareRun> {
    // Distinct items in order of first appearance, with how often each is listed.
    let mut distinct: Vec<(&str, usize)> = Vec::new();
    for item in items.filter(|s| !s.is_empty()) {
        match distinct.iter_mut().find(|(d, _)| *d == item) {
            Some((_, n)) => *n += 1,
            None => distinct.push((item, 1)),
        }
    }
    let times = |n: usize| if n == 2 { "twice".to_string() } else { format!("{n} times") };
    let mut runs: Vec<CompareRun> = Vec::new();
    let mut over: Vec<&str> = Vec::new();
    let mut refused: Vec<ConfigError> = Vec::new();
    for (item, n) in distinct {
        let problem = match compare_variant(config, item) {
            Err(m) if n > 1 => format!("{m} (listed {})", times(n)),
            Err(m) => m,
            Ok(variant) if variant == *config => {
                format!("{} is listed {} (the run's own settings are always shown)", shown(item), times(n + 1))
            }
            Ok(variant) => match runs.iter().find(|r| r.config == variant) {
                Some(r) => format!("{} is listed twice: it is the same run as {}", shown(item), shown(&r.label)),
                None if runs.len() == MAX_COMPARE => {
                    over.push(item);
                    continue;
                }
                None => {
                    runs.push(CompareRun { label: item.to_string(), config: variant });
                    if n > 1 {
                        refused.push(err(
                            "compare",
                            &shown(item),
                            format!("{} is listed {}; it runs once", shown(item), times(n)),
                        ));
                    }
                    continue;
                }
            },
        };
        refused.push(err("compare", &shown(item), problem));
    }
    let extra = refused.len().saturating_sub(MAX_ITEM_PROBLEMS);
    problems.extend(refused.into_iter().take(MAX_ITEM_PROBLEMS));
    if extra > 0 {
        problems.push(err("compare", "", format!("and {extra} more items left out")));
    }
    if !over.is_empty() {
        let named: Vec<String> = over.iter().take(MAX_ITEM_PROBLEMS).map(|i| shown(i)).collect();
        let more = over.len().saturating_sub(MAX_ITEM_PROBLEMS);
        problems.push(err(
            "compare",
            &shown(&over.join(",")),
            format!(
                "at most three runs besides the page's own: left out {}{}",
                named.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            ),
        ));
    }
    runs
}

/// A link as the page receives it: the canonical configuration, the run's label, the runs to
/// build (every rule over its seeds), the page keys, and what was left out.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Reply {
    pub config: String,
    pub label: String,
    pub at: Option<u64>,
    /// The compared rules (their `compare` items and configurations).
    pub compare: Vec<ReplyRun>,
    /// Every run the page builds, the page's own first.
    pub runs: Vec<ReplyRun>,
    pub seeds: usize,
    pub xaxis: &'static str,
    pub play: bool,
    pub speed: Option<&'static str>,
    pub hide: Vec<&'static str>,
    pub embed: bool,
    pub lesson: Option<String>,
    /// The pool's size the link asks for (`workers=`).
    pub workers: Option<usize>,
    /// The link's sweep, with every cell.
    pub sweep: Option<SweepReply>,
    /// The link as the page writes it back.
    pub fragment: String,
    pub problems: Vec<Problem>,
}

/// A sweep of a [`Reply`]: its items, canonical link and id, and every cell in order.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SweepReply {
    pub fragment: String,
    pub id: String,
    pub rules: Vec<String>,
    pub keys: Vec<String>,
    /// Each key's values (canonical text).
    pub values: Vec<Vec<String>>,
    pub seeds: Vec<u64>,
    pub steps: u64,
    pub metric: &'static str,
    pub cells: Vec<SweepReplyCell>,
}

/// A cell of a [`SweepReply`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SweepReplyCell {
    pub index: usize,
    pub rule: String,
    pub values: Vec<String>,
    pub seed: u64,
    pub config: String,
}

impl SweepReply {
    pub fn of(s: &Sweep) -> SweepReply {
        SweepReply {
            fragment: s.fragment(),
            id: s.id(),
            rules: s.rules.clone(),
            keys: s.axes.iter().map(|a| a.key.clone()).collect(),
            values: s.axes.iter().map(|a| a.values.clone()).collect(),
            seeds: s.seeds.clone(),
            steps: s.steps,
            metric: s.metric.key(),
            cells: s
                .cells()
                .into_iter()
                .map(|c| SweepReplyCell {
                    index: c.index,
                    rule: c.rule,
                    values: c.values,
                    seed: c.seed,
                    config: c.config.to_string(),
                })
                .collect(),
        }
    }
}

/// A run of a [`Reply`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ReplyRun {
    pub label: String,
    pub config: String,
}

/// What was left out of a link: the key, its value (cut to 40 characters) and why.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Problem {
    pub key: String,
    pub value: String,
    pub message: String,
}

/// Reads `fragment` for the page (see [`Reply`]).
pub fn reply(fragment: &str) -> Reply {
    let link = Link::parse(fragment);
    let run = |(label, c): (String, &RunConfig)| ReplyRun { label, config: c.to_string() };
    Reply {
        config: link.config.to_string(),
        label: link.label().to_string(),
        at: link.at,
        compare: link.compare.iter().map(|r| run((r.label.clone(), &r.config))).collect(),
        runs: link.runs().iter().map(|(l, c)| run((l.clone(), c))).collect(),
        seeds: link.view.seeds,
        xaxis: link.view.xaxis,
        play: link.view.play,
        speed: link.view.speed,
        hide: link.view.hide.clone(),
        embed: link.view.embed,
        lesson: link.view.lesson.clone(),
        workers: link.view.workers,
        sweep: link.sweep.as_ref().map(SweepReply::of),
        fragment: link.fragment(),
        problems: link
            .problems
            .iter()
            .map(|e| Problem {
                key: e.key.clone(),
                value: e.value.chars().take(40).collect(),
                message: e.message.clone(),
            })
            .collect(),
    }
}
