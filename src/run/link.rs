//! A page link: a run's configuration plus the keys only the page reads.
//!
//! - `at=N` trains N steps and pauses there; `play=1` starts training at once; `speed=` sets the
//!   speed menu (slow, 1, 10, 100, 1000, max).
//! - `compare=inp,anp:blind,np:k4` runs up to three more rule variants beside the page's own run,
//!   in lockstep from the identical seed; `seeds=N` (up to 5) runs every rule over N seeds (the
//!   link's seed and the next ones) and draws their mean and range; `xaxis=` plots the curves
//!   against steps, forward passes or seconds.
//! - `hide=rule,compare` hides groups of controls (a classroom link); `embed=1` shows the compact
//!   view for an iframe; `lesson=start` (or a chapter's id) opens a lesson.
//!
//! A link is read leniently: a key or a compare item that cannot be accepted is reported and left
//! out, and the rest of the link applies (a typo in a classroom link must not discard it).

use super::config::{ConfigError, MAX_DRAWS, RunConfig, err, shown};
use super::cost::{self, Shape};
use crate::data::Sources;
use crate::rules::{NoiseMode, Rule};

/// Keys a link may carry besides the configuration's.
pub const PAGE_KEYS: [&str; 9] = ["at", "compare", "seeds", "xaxis", "play", "speed", "hide", "embed", "lesson"];
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
}

impl Default for View {
    fn default() -> Self {
        View { play: false, speed: None, hide: Vec::new(), embed: false, lesson: None, seeds: 1, xaxis: "steps" }
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
            problems: lenient.problems,
        };
        let mut compare_value = None;
        for (key, value) in lenient.extras {
            let bad = |m: String| err(&key, &shown(&value), m);
            let flag = |v: &str| match v {
                "1" | "true" => Ok(true),
                "0" | "false" => Ok(false),
                _ => Err(bad("expected 1 or 0".into())),
            };
            let outcome = match key.as_str() {
                "at" => match value.parse::<u64>() {
                    Ok(n) if n <= MAX_AT => {
                        link.at = Some(n);
                        Ok(())
                    }
                    _ => Err(bad(format!("expected a whole number of steps from 0 to {MAX_AT}"))),
                },
                "compare" => {
                    compare_value = Some(value.clone());
                    Ok(())
                }
                "seeds" => match value.parse::<usize>() {
                    Ok(n) if (1..=MAX_SEEDS).contains(&n) => {
                        link.view.seeds = n;
                        Ok(())
                    }
                    _ => Err(bad(format!("expected a whole number of seeds from 1 to {MAX_SEEDS}"))),
                },
                "xaxis" => match XAXES.iter().find(|x| **x == value) {
                    Some(x) => {
                        link.view.xaxis = x;
                        Ok(())
                    }
                    None => Err(bad(format!("expected one of {}", XAXES.join(", ")))),
                },
                "play" => flag(&value).map(|f| link.view.play = f),
                "embed" => flag(&value).map(|f| link.view.embed = f),
                "speed" => match SPEEDS.iter().find(|s| **s == value) {
                    Some(s) => {
                        link.view.speed = Some(s);
                        Ok(())
                    }
                    None => Err(bad(format!("expected one of {}", SPEEDS.join(", ")))),
                },
                "hide" => {
                    for name in value.split(',').filter(|s| !s.is_empty()) {
                        match HIDE_GROUPS.iter().find(|(g, _)| *g == name) {
                            Some((g, _)) if !link.view.hide.contains(g) => link.view.hide.push(g),
                            Some(_) => {}
                            None => link.problems.push(err(
                                "hide",
                                &shown(name),
                                format!(
                                    "not a group of the page; expected some of {}",
                                    HIDE_GROUPS.map(|(g, _)| g).join(", ")
                                ),
                            )),
                        }
                    }
                    Ok(())
                }
                "lesson" => {
                    if value.is_empty()
                        || value.len() > 40
                        || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    {
                        Err(bad("expected a lesson chapter, e.g. lesson=start".into()))
                    } else {
                        link.view.lesson = Some(value.clone());
                        Ok(())
                    }
                }
                _ => Ok(()),
            };
            if let Err(e) = outcome {
                link.problems.push(e);
            }
        }
        if let Some(value) = compare_value {
            link.compare = parse_compare(&link.config, &value, &mut link.problems);
        }
        // All runs together must fit (each alone was checked when parsed): compared runs are
        // left out from the last until they do. An upload's shape is known only with its table.
        if let Some(shape) = Shape::of(&link.config, &Sources::default()) {
            loop {
                let runs: Vec<(&RunConfig, Shape)> = link.all_configs().into_iter().map(|c| (c, shape)).collect();
                let Err(e) = cost::check(&runs) else { break };
                match link.compare.pop() {
                    Some(r) => link.problems.push(err("compare", &r.label, format!("left out: {}", e.message))),
                    None if link.view.seeds > 1 => {
                        link.problems.push(err("seeds", &link.view.seeds.to_string(), e.message));
                        link.view.seeds = 1;
                    }
                    None => break,
                }
            }
        }
        link
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

    /// Every run the page builds: each rule over its seeds (see [`Link::runs`]).
    fn all_configs(&self) -> Vec<&RunConfig> {
        let n = self.view.seeds;
        self.configs().flat_map(|c| std::iter::repeat_n(c, n)).collect()
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
        if let Some(at) = self.at {
            s += &format!("&at={at}");
        }
        s
    }
}

/// The `compare` list: at most [`MAX_COMPARE`] distinct variants, none equal to the run itself;
/// an item that cannot be accepted is reported and left out.
fn parse_compare(config: &RunConfig, value: &str, problems: &mut Vec<ConfigError>) -> Vec<CompareRun> {
    let mut runs: Vec<CompareRun> = Vec::new();
    for item in value.split(',').filter(|s| !s.is_empty()) {
        let problem = match compare_variant(config, item) {
            Err(m) => m,
            Ok(variant) if variant == *config || runs.iter().any(|r| r.config == variant) => {
                format!("{} is listed twice (the run's own settings are always shown)", shown(item))
            }
            Ok(_) if runs.len() == MAX_COMPARE => "at most three runs besides the page's own".into(),
            Ok(variant) => {
                runs.push(CompareRun { label: item.to_string(), config: variant });
                continue;
            }
        };
        problems.push(err("compare", &shown(item), problem));
    }
    runs
}

/// One `compare` item, `rule[:blind|:clean][:kN]` (e.g. `inp`, `anp:blind`, `np:k4`): the run's
/// config with that rule, noise mode and number of draws, validated like any config.
pub fn compare_variant(config: &RunConfig, item: &str) -> Result<RunConfig, String> {
    let mut parts = item.split(':');
    let name = parts.next().unwrap_or_default();
    let mut c = config.clone();
    c.rule = Rule::from_key(name)
        .ok_or_else(|| format!("{} is not a rule; expected e.g. inp, anp:blind or np:k4", shown(name)))?;
    for p in parts {
        match p {
            "blind" => c.mode = NoiseMode::Blind,
            "clean" => c.mode = NoiseMode::Clean,
            k if k.starts_with('k') => {
                c.draws = k[1..]
                    .parse()
                    .ok()
                    .filter(|d| (1..=MAX_DRAWS).contains(d))
                    .ok_or_else(|| format!("{}: expected k1 to k{MAX_DRAWS}", shown(p)))?;
            }
            _ => return Err(format!("{}: expected blind, clean or kN after the rule", shown(p))),
        }
    }
    // The decorrelation matrices exist only in D-variants, so the run is rebuilt from its string.
    RunConfig::parse(&c.to_string()).map_err(|e| format!("{}: {}", shown(item), e.message))
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
    /// The link as the page writes it back.
    pub fragment: String,
    pub problems: Vec<Problem>,
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
