//! `RunConfig`: everything that defines a run. Its string form `v=1&data=circle&n=400&...` (the
//! same string the page keeps in its URL fragment and the CLI takes as its argument) is the
//! business of [`super::codec`]; this file holds the settings, their bounds and the checks that
//! span several keys.

use std::fmt;

use super::edits::Edit;
use crate::activation::Activation;
use crate::data::csv::Table;
use crate::data::features::Features;
use crate::data::{DataSet, DataSpec, mnist, points, split_count};
use crate::loss::Loss;
use crate::optimizer::{Optimizer, Regularization};
use crate::rules::{Method, NoiseMode, Rule, UpdateSpec};

/// Bounds on sizes (so no configuration string can make the engine allocate without limit).
pub const MAX_POINTS: usize = 10_000;
pub const MIN_POINTS: usize = 20;
pub const MAX_HIDDEN_LAYERS: usize = 8;
pub const MAX_WIDTH: usize = 1024;
pub const MAX_BATCH: usize = 1024;
pub const MAX_DRAWS: usize = 64;
/// Largest seed: 2^53 - 1, so it survives a round trip through a JavaScript number.
pub const MAX_SEED: u64 = (1 << 53) - 1;
/// Fewest drawn points a run trains on (`data=points`).
pub const MIN_DRAWN_POINTS: usize = 4;

#[derive(Clone, Debug, PartialEq)]
pub struct RunConfig {
    pub data: DataSet,
    pub points: usize,
    pub data_noise: f32,
    pub train_fraction: f32,
    pub hidden_sizes: Vec<usize>,
    pub activation: Activation,
    pub loss: Loss,
    pub rule: Rule,
    pub noise_std: f32,
    pub draws: usize,
    pub mode: NoiseMode,
    pub optimizer: Optimizer,
    pub learning_rate: f32,
    pub batch_size: usize,
    pub decor_learning_rate: f32,
    pub seed: u64,
    /// Drawn points (`data=points`), in the compact string of [`points::encode_points`].
    pub drawn_points: String,
    /// The uploaded table's id ([`crate::data::csv::Table::id`]) for `data=upload`: the run names
    /// the table it trains on. `None` for other data, and in links written before the key existed
    /// (such a run takes the table it is given).
    pub table: Option<u64>,
    // Issue 20 (TensorFlow Playground parity): features, weight penalty, hand edits.
    /// What the network reads of a 2-D point (`x1,x2`: the point itself).
    pub features: Features,
    /// The weight penalty and its rate `lambda`.
    pub reg: Regularization,
    pub reg_rate: f32,
    /// Weights set by hand during the run (`edit=`), in the order written.
    pub edits: Vec<Edit>,
}

/// The default penalty rate (used once `reg` is l1 or l2).
pub const DEFAULT_REG_RATE: f32 = 0.001;

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            data: DataSet::Circle,
            points: 400,
            data_noise: 0.1,
            train_fraction: 0.5,
            hidden_sizes: vec![8, 8],
            activation: Activation::Tanh,
            loss: Loss::CrossEntropy,
            rule: Rule { method: Method::Np, decorrelated: false },
            noise_std: 0.01,
            draws: 1,
            mode: NoiseMode::Clean,
            optimizer: Optimizer::Adam,
            learning_rate: 0.01,
            batch_size: 10,
            decor_learning_rate: 0.001,
            seed: 1,
            drawn_points: String::new(),
            table: None,
            features: Features::default(),
            reg: Regularization::None,
            reg_rate: DEFAULT_REG_RATE,
            edits: Vec::new(),
        }
    }
}

/// A configuration that could not be accepted: which key, which value, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub key: String,
    pub value: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}: {}", self.key, self.value, self.message)
    }
}

impl std::error::Error for ConfigError {}

pub(crate) fn err(key: &str, value: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { key: key.to_string(), value: value.to_string(), message: message.into() }
}

/// A user-supplied value for display in a message: control characters escaped (`\u{7f}`), cut
/// to 40 characters.
pub(crate) fn shown(v: &str) -> String {
    let escaped: String =
        v.chars().map(|c| if c.is_control() { c.escape_debug().to_string() } else { c.to_string() }).collect();
    if escaped.chars().count() > 40 { format!("{}...", escaped.chars().take(40).collect::<String>()) } else { escaped }
}

impl RunConfig {
    /// Number of training samples where the configuration alone knows it: `round(n * train)`,
    /// at least 1 and leaving at least 1 for testing; 8,000 for the digits (their fixed split);
    /// `None` for an uploaded table (known once the table is there).
    pub fn train_count(&self) -> Option<usize> {
        match self.data {
            DataSet::Mnist | DataSet::Mnist14 => Some(mnist::TRAIN_DIGITS),
            DataSet::Points => Some(split_count(points::point_count(&self.drawn_points), self.train_fraction)),
            DataSet::Upload => None,
            _ => Some(split_count(self.points, self.train_fraction)),
        }
    }

    /// The network's inputs for data of `raw` columns: the features' count for 2-D data.
    pub fn input_dim(&self, raw: usize) -> usize {
        if raw == 2 { self.features.count() } else { raw }
    }

    /// The loss the network computes: the configured one, or squared error against the real
    /// target on a regression set (`loss=mse`, the only loss such a set accepts).
    pub fn network_loss(&self) -> Loss {
        if self.data.is_regression() { Loss::Regression } else { self.loss }
    }

    /// Layer sizes `[n_0, hidden..., n_L]` for the data set's input and class counts.
    pub fn layer_sizes(&self, n_inputs: usize, n_classes: usize) -> Vec<usize> {
        let mut s = vec![n_inputs];
        s.extend(&self.hidden_sizes);
        s.push(n_classes);
        s
    }

    /// What the data set needs to know of this configuration.
    pub fn data_spec(&self) -> DataSpec {
        DataSpec {
            set: self.data,
            points: self.points,
            noise: self.data_noise,
            train_fraction: self.train_fraction,
            drawn_points: self.drawn_points.clone(),
            features: self.features,
        }
    }

    /// Checks that `table`, the table given for an upload, is the one this configuration names
    /// (when it names one): the message names both ids.
    pub fn check_table(&self, table: Option<&Table>) -> Result<(), ConfigError> {
        match (self.data, self.table, table) {
            (DataSet::Upload, Some(want), Some(t)) if t.id != want => Err(err(
                "table",
                &format!("{want:016x}"),
                format!(
                    "this run trains on table {want:016x}, but the table given is {} (a different table): give the run's own table (its exported run file holds it), or leave table= out to run on this one",
                    t.id_hex()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The edits of this configuration at step `step`, in the order written.
    pub fn edits_at(&self, step: u64) -> impl Iterator<Item = &Edit> {
        self.edits.iter().filter(move |e| e.step == step)
    }

    /// Every hand edit names a weight of a network of layer sizes `sizes` (the message names the
    /// item and the range).
    pub fn check_edits_of(&self, sizes: &[usize]) -> Result<(), ConfigError> {
        super::edits::check_edits(&self.edits, sizes).map_err(|(item, m)| err("edit", &item, m))
    }

    /// What the rule needs to know of this configuration.
    pub fn update_spec(&self) -> UpdateSpec {
        UpdateSpec {
            method: self.rule.method,
            sigma: self.noise_std,
            draws: self.draws,
            blind: self.mode == NoiseMode::Blind,
        }
    }
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
