//! A page link: a run's configuration plus the keys only the page reads. `at=N` trains N steps
//! and pauses there; `compare=inp,anp:blind,np:k4` runs up to three more rule variants beside the
//! page's own run, in lockstep from the identical seed.

use super::config::{ConfigError, MAX_DRAWS, RunConfig, err, shown};
use super::cost::{self, Shape};
use crate::data::Sources;
use crate::rules::{NoiseMode, Rule};

/// Keys a link may carry besides the configuration's.
pub const PAGE_KEYS: [&str; 2] = ["at", "compare"];
/// Largest `at`.
pub const MAX_AT: u64 = 10_000_000;
/// Most runs beside the page's own.
pub const MAX_COMPARE: usize = 3;

/// One run beside the page's own: its `compare` item and its configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRun {
    pub label: String,
    pub config: RunConfig,
}

/// A parsed page link.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub config: RunConfig,
    /// Train this many steps on load, then pause.
    pub at: Option<u64>,
    pub compare: Vec<CompareRun>,
}

impl Link {
    /// Parses a URL fragment (a leading `#` is ignored): the configuration keys, `at` and
    /// `compare`. The first problem is returned, naming the key and the value.
    pub fn parse(fragment: &str) -> Result<Link, ConfigError> {
        let (config, extras) = RunConfig::parse_with_extras(fragment, &PAGE_KEYS)?;
        let mut link = Link { config, at: None, compare: Vec::new() };
        for (key, value) in extras {
            match key.as_str() {
                "at" => match value.parse::<u64>() {
                    Ok(n) if n <= MAX_AT => link.at = Some(n),
                    _ => {
                        return Err(err(
                            "at",
                            &shown(&value),
                            format!("expected a whole number of steps from 0 to {MAX_AT}"),
                        ));
                    }
                },
                _ => link.compare = parse_compare(&link.config, &value)?,
            }
        }
        // All runs together must fit (each alone was checked when parsed); an upload's shape is
        // known only once its table is there.
        if let Some(shape) = Shape::of(&link.config, &Sources::default())
            && !link.compare.is_empty()
        {
            let runs: Vec<(&RunConfig, Shape)> = link.configs().map(|c| (c, shape)).collect();
            cost::check(&runs)?;
        }
        Ok(link)
    }

    /// The run's own label: its rule's key.
    pub fn label(&self) -> &'static str {
        self.config.rule.key()
    }

    /// Every run's configuration, the page's own first.
    pub fn configs(&self) -> impl Iterator<Item = &RunConfig> {
        std::iter::once(&self.config).chain(self.compare.iter().map(|r| &r.config))
    }
}

/// The `compare` list: at most [`MAX_COMPARE`] distinct variants, none equal to the run itself.
fn parse_compare(config: &RunConfig, value: &str) -> Result<Vec<CompareRun>, ConfigError> {
    let mut runs: Vec<CompareRun> = Vec::new();
    for item in value.split(',').filter(|s| !s.is_empty()) {
        let variant = compare_variant(config, item).map_err(|m| err("compare", &shown(value), m))?;
        if variant == *config || runs.iter().any(|r| r.config == variant) {
            return Err(err(
                "compare",
                &shown(value),
                format!("{} is listed twice (the run's own settings are always shown)", shown(item)),
            ));
        }
        runs.push(CompareRun { label: item.to_string(), config: variant });
    }
    if runs.len() > MAX_COMPARE {
        return Err(err("compare", &shown(value), "at most three runs besides the page's own"));
    }
    Ok(runs)
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

/// A link as the page receives it: the canonical configuration, the run's label, `at` and the
/// compared runs; or the problem, naming the key and the value (cut to 40 characters).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Reply {
    Ok { ok: bool, config: String, label: String, at: Option<u64>, compare: Vec<ReplyRun> },
    Refused { ok: bool, key: String, value: String, message: String },
}

/// A compared run of a [`Reply`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ReplyRun {
    pub label: String,
    pub config: String,
}

/// Parses `fragment` for the page (see [`Reply`]).
pub fn reply(fragment: &str) -> Reply {
    match Link::parse(fragment) {
        Ok(link) => Reply::Ok {
            ok: true,
            config: link.config.to_string(),
            label: link.label().to_string(),
            at: link.at,
            compare: link
                .compare
                .iter()
                .map(|r| ReplyRun { label: r.label.clone(), config: r.config.to_string() })
                .collect(),
        },
        Err(e) => {
            Reply::Refused { ok: false, key: e.key, value: e.value.chars().take(40).collect(), message: e.message }
        }
    }
}
