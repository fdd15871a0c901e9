//! `RunConfig`: everything that defines a run, and its codec to and from the URL-ready string
//! `v=1&data=circle&n=400&...` (the same string the page keeps in its URL fragment and the CLI
//! takes as its argument).
//!
//! The codec is a table of keys ([`KEYS`]): each key has a default, a parser with bounds, and a
//! one-line help text. Parsing is strict: unknown keys, repeated keys, bad values and out-of-range
//! numbers are errors that name the key and the value. Sizes are bounded so that no string can make
//! the engine allocate without limit.

use std::fmt;

use crate::activation::Activation;
use crate::loss::Loss;

/// The current schema version, written first in every encoded string.
pub const VERSION: u32 = 1;

/// Bounds on sizes (so no configuration string can make the engine allocate without limit).
pub const MAX_POINTS: usize = 10_000;
pub const MAX_HIDDEN_LAYERS: usize = 8;
pub const MAX_WIDTH: usize = 1024;
pub const MAX_BATCH: usize = 1024;
pub const MAX_DRAWS: usize = 64;
/// Upper bound on activations held by one step: (passes x batch x units of all layers).
pub const MAX_STEP_ACTIVATIONS: usize = 16 << 20;
/// Largest seed: 2^53 - 1, so it survives a round trip through a JavaScript number.
pub const MAX_SEED: u64 = (1 << 53) - 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataSet {
    Circle,
    Xor,
    Gauss,
    Spiral,
    Moons,
    Checker,
    /// The 10,000-digit MNIST subset, 28x28 (784 inputs, 10 classes, fixed 8,000/2,000 split).
    Mnist,
    /// The same digits 2x2-average-pooled to 14x14 (196 inputs), for speed.
    Mnist14,
    /// Points drawn by the learner (or a small 2-D upload), carried in the `pts` key.
    Points,
    /// An uploaded table too large for a link: the page keeps it and exports it with the run.
    Upload,
}

impl DataSet {
    pub const ALL: [DataSet; 10] = [
        DataSet::Circle,
        DataSet::Xor,
        DataSet::Gauss,
        DataSet::Spiral,
        DataSet::Moons,
        DataSet::Checker,
        DataSet::Mnist,
        DataSet::Mnist14,
        DataSet::Points,
        DataSet::Upload,
    ];
    /// The 2-D sets generated from the seed.
    pub const PLANE: [DataSet; 6] =
        [DataSet::Circle, DataSet::Xor, DataSet::Gauss, DataSet::Spiral, DataSet::Moons, DataSet::Checker];

    pub fn is_digits(self) -> bool {
        matches!(self, DataSet::Mnist | DataSet::Mnist14)
    }
    pub fn key(self) -> &'static str {
        match self {
            DataSet::Circle => "circle",
            DataSet::Xor => "xor",
            DataSet::Gauss => "gauss",
            DataSet::Spiral => "spiral",
            DataSet::Moons => "moons",
            DataSet::Checker => "checker",
            DataSet::Mnist => "mnist",
            DataSet::Mnist14 => "mnist14",
            DataSet::Points => "points",
            DataSet::Upload => "upload",
        }
    }
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.key() == s)
    }
}

/// The four rule families.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Bp,
    Np,
    Inp,
    Anp,
}

/// A learning rule: a family, plain or with layer-wise input decorrelation (the D variants).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub method: Method,
    pub decorrelated: bool,
}

impl Rule {
    pub const ALL: [Rule; 8] = [
        Rule { method: Method::Bp, decorrelated: false },
        Rule { method: Method::Bp, decorrelated: true },
        Rule { method: Method::Np, decorrelated: false },
        Rule { method: Method::Np, decorrelated: true },
        Rule { method: Method::Inp, decorrelated: false },
        Rule { method: Method::Inp, decorrelated: true },
        Rule { method: Method::Anp, decorrelated: false },
        Rule { method: Method::Anp, decorrelated: true },
    ];
    pub fn key(self) -> &'static str {
        match (self.method, self.decorrelated) {
            (Method::Bp, false) => "bp",
            (Method::Bp, true) => "dbp",
            (Method::Np, false) => "np",
            (Method::Np, true) => "dnp",
            (Method::Inp, false) => "inp",
            (Method::Inp, true) => "dinp",
            (Method::Anp, false) => "anp",
            (Method::Anp, true) => "danp",
        }
    }
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == s)
    }
    /// Why this rule cannot run with these settings, if it cannot.
    pub fn unavailable_reason(self, act: Activation, mode: NoiseMode) -> Option<String> {
        let name = self.key();
        if mode == NoiseMode::Blind && self.method != Method::Anp {
            return Some(match self.method {
                Method::Bp => format!(
                    "{name} injects no noise, so mode=blind (noise that cannot be observed) does not apply; use mode=clean"
                ),
                _ => format!(
                    "{name} cannot run with mode=blind: its update multiplies the loss change by the injected noise eps, which blind mode cannot observe; anp and danp use the measured activity change instead"
                ),
            });
        }
        if self.method == Method::Bp && !act.has_useful_gradient() {
            return Some(format!(
                "{name} cannot train step units: the step function's derivative is zero everywhere, so backpropagation would only ever see zero gradients; perturbation rules (np, inp, anp) can train them"
            ));
        }
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoiseMode {
    /// One clean pass and noisy passes: the noise is observed.
    Clean,
    /// Inaccessible noise: every pass is noisy with independent noise (noisy hardware).
    Blind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Optimizer {
    Adam,
    Sgd,
}

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
    /// Drawn points (`data=points`), in the compact string of [`crate::userdata::encode_points`].
    pub drawn_points: String,
}

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
        }
    }
}

/// A configuration string that could not be accepted: which key, which value, and why.
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

fn err(key: &str, value: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { key: key.to_string(), value: value.to_string(), message: message.into() }
}

/// One entry of the key table.
pub struct KeySpec {
    pub key: &'static str,
    /// Shown in `--help`, in the README and as the control's explanation in the page.
    pub help: &'static str,
    set: fn(&mut RunConfig, &str) -> Result<(), String>,
    get: fn(&RunConfig) -> String,
}

fn parse_num<T: std::str::FromStr>(v: &str, what: &str) -> Result<T, String> {
    v.parse::<T>().map_err(|_| format!("expected {what}"))
}

fn parse_f32_in(v: &str, lo: f32, hi: f32, lo_open: bool) -> Result<f32, String> {
    let x: f32 = parse_num(v, "a number")?;
    let ok = x.is_finite() && (if lo_open { x > lo } else { x >= lo }) && x <= hi;
    if ok { Ok(x) } else { Err(format!("expected a number in {}{lo}, {hi}]", if lo_open { "(" } else { "[" })) }
}

fn parse_usize_in(v: &str, lo: usize, hi: usize) -> Result<usize, String> {
    let x: usize = parse_num(v, &format!("a whole number from {lo} to {hi}"))?;
    if (lo..=hi).contains(&x) { Ok(x) } else { Err(format!("expected a whole number from {lo} to {hi}")) }
}

fn choices<T: Copy>(v: &str, all: &[T], key: fn(T) -> &'static str) -> Result<T, String> {
    all.iter().copied().find(|&t| key(t) == v).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|&t| key(t)).collect();
        format!("expected one of {}", names.join(", "))
    })
}

/// The key table, in encoding order (the version key `v` is handled before it).
pub const KEYS: &[KeySpec] = &[
    KeySpec {
        key: "data",
        help: "data set: circle, xor, gauss (two Gaussians), spiral, moons, checker (2-D, generated from the seed), mnist / mnist14 (10,000 real digits, 28x28 or pooled to 14x14, fixed 8,000/2,000 split), points (your own points, in pts) or upload (an uploaded table, kept by the page)",
        set: |c, v| Ok(c.data = choices(v, &DataSet::ALL, DataSet::key)?),
        get: |c| c.data.key().into(),
    },
    KeySpec {
        key: "n",
        help: "number of points, train and test together (20 to 10000; ignored for mnist)",
        set: |c, v| Ok(c.points = parse_usize_in(v, 20, MAX_POINTS)?),
        get: |c| c.points.to_string(),
    },
    KeySpec {
        key: "noise",
        help: "data noise: standard deviation of the jitter added to each point (0 to 1; the plane spans -1..1; ignored for mnist)",
        set: |c, v| Ok(c.data_noise = parse_f32_in(v, 0.0, 1.0, false)?),
        get: |c| c.data_noise.to_string(),
    },
    KeySpec {
        key: "train",
        help: "fraction of the points used for training; the rest is the test set (0.1 to 0.9; mnist always uses its fixed split)",
        set: |c, v| Ok(c.train_fraction = parse_f32_in(v, 0.1, 0.9, false)?),
        get: |c| c.train_fraction.to_string(),
    },
    KeySpec {
        key: "hidden",
        help: "hidden layer widths, comma-separated, e.g. 8,8 (empty for none; up to 8 layers of 1 to 1024 units)",
        set: |c, v| {
            let sizes: Vec<usize> = if v.is_empty() {
                vec![]
            } else {
                v.split(',')
                    .map(|s| parse_usize_in(s.trim(), 1, MAX_WIDTH))
                    .collect::<Result<_, _>>()
                    .map_err(|_| format!("expected comma-separated widths from 1 to {MAX_WIDTH}, e.g. 8,8"))?
            };
            if sizes.len() > MAX_HIDDEN_LAYERS {
                return Err(format!("at most {MAX_HIDDEN_LAYERS} hidden layers"));
            }
            c.hidden_sizes = sizes;
            Ok(())
        },
        get: |c| c.hidden_sizes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(","),
    },
    KeySpec {
        key: "act",
        help: "hidden activation: tanh, relu, leaky_relu, sigmoid, linear, step (sign; only perturbation rules can train it)",
        set: |c, v| Ok(c.activation = choices(v, &Activation::ALL, Activation::key)?),
        get: |c| c.activation.key().into(),
    },
    KeySpec {
        key: "loss",
        help: "loss on the linear output: ce (softmax cross-entropy) or mse (mean squared error to one-hot)",
        set: |c, v| Ok(c.loss = choices(v, &[Loss::CrossEntropy, Loss::MeanSquared], Loss::key)?),
        get: |c| c.loss.key().into(),
    },
    KeySpec {
        key: "rule",
        help: "learning rule: bp, np, inp, anp, or a decorrelated version dbp, dnp, dinp, danp",
        set: |c, v| Ok(c.rule = choices(v, &Rule::ALL, Rule::key)?),
        get: |c| c.rule.key().into(),
    },
    KeySpec {
        key: "sigma",
        help: "standard deviation of the noise injected into every pre-activation (0.0001 to 1)",
        set: |c, v| Ok(c.noise_std = parse_f32_in(v, 1e-4, 1.0, false)?),
        get: |c| c.noise_std.to_string(),
    },
    KeySpec {
        key: "draws",
        help: "noise draws K per step, averaged (1 to 64): better gradient estimates at K times the cost",
        set: |c, v| Ok(c.draws = parse_usize_in(v, 1, MAX_DRAWS)?),
        get: |c| c.draws.to_string(),
    },
    KeySpec {
        key: "mode",
        help: "noise mode: clean (a clean pass and a noisy one) or blind (two noisy passes, noise unobserved; anp/danp only)",
        set: |c, v| {
            Ok(c.mode = choices(v, &[NoiseMode::Clean, NoiseMode::Blind], |m| match m {
                NoiseMode::Clean => "clean",
                NoiseMode::Blind => "blind",
            })?)
        },
        get: |c| match c.mode {
            NoiseMode::Clean => "clean".into(),
            NoiseMode::Blind => "blind".into(),
        },
    },
    KeySpec {
        key: "opt",
        help: "optimiser: adam or sgd",
        set: |c, v| {
            Ok(c.optimizer = choices(v, &[Optimizer::Adam, Optimizer::Sgd], |o| match o {
                Optimizer::Adam => "adam",
                Optimizer::Sgd => "sgd",
            })?)
        },
        get: |c| match c.optimizer {
            Optimizer::Adam => "adam".into(),
            Optimizer::Sgd => "sgd".into(),
        },
    },
    KeySpec {
        key: "lr",
        help: "learning rate of the optimiser (above 0, at most 10)",
        set: |c, v| Ok(c.learning_rate = parse_f32_in(v, 0.0, 10.0, true)?),
        get: |c| c.learning_rate.to_string(),
    },
    KeySpec {
        key: "batch",
        help: "minibatch size (1 to 1024, at most the number of training points)",
        set: |c, v| Ok(c.batch_size = parse_usize_in(v, 1, MAX_BATCH)?),
        get: |c| c.batch_size.to_string(),
    },
    KeySpec {
        key: "decor_lr",
        help: "learning rate of the decorrelation matrices R in the D-variants (0 to 1)",
        set: |c, v| Ok(c.decor_learning_rate = parse_f32_in(v, 0.0, 1.0, false)?),
        get: |c| c.decor_learning_rate.to_string(),
    },
    KeySpec {
        key: "pts",
        help: "your own points for data=points: click the plane to add one (shift-click: the other class), at most 400, in a compact string",
        set: |c, v| {
            let points = crate::userdata::decode_points_or_empty(v)?;
            if points.len() > crate::userdata::MAX_URL_POINTS {
                return Err(format!("at most {} points", crate::userdata::MAX_URL_POINTS));
            }
            c.drawn_points = if points.is_empty() { String::new() } else { crate::userdata::encode_points(&points) };
            Ok(())
        },
        get: |c| c.drawn_points.clone(),
    },
    KeySpec {
        key: "seed",
        help: "seed of the run: data, initial weights, batch order and noise each derive their own stream from it",
        set: |c, v| {
            let s: u64 = parse_num(v, &format!("a whole number from 0 to {MAX_SEED}"))?;
            if s > MAX_SEED {
                return Err(format!("expected a whole number from 0 to {MAX_SEED}"));
            }
            c.seed = s;
            Ok(())
        },
        get: |c| c.seed.to_string(),
    },
];

/// Decodes `%XX` escapes and `+` (as a space would be meaningless in every value, `+` is kept).
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Longest string accepted at all (a real one is under 300 characters).
pub const MAX_STRING: usize = 4096;

/// Training share of `n` samples: `round(n * train)`, at least 1 and leaving at least 1 to test
/// (0 when there are fewer than 2 samples).
pub fn split_count(n: usize, train: f32) -> usize {
    if n < 2 {
        return 0;
    }
    (libm::roundf(n as f32 * train) as usize).clamp(1, n - 1)
}

/// Cuts a user-supplied value for display in a message.
fn shown(v: &str) -> String {
    if v.chars().count() > 40 { format!("{}...", v.chars().take(40).collect::<String>()) } else { v.to_string() }
}

impl RunConfig {
    /// Parses `key=value&...` (a leading `#` or `?` is ignored). Missing keys take their defaults.
    pub fn parse(s: &str) -> Result<RunConfig, ConfigError> {
        Self::parse_with_extras(s, &[]).map(|(c, _)| c)
    }

    /// Like [`RunConfig::parse`], but the keys in `extras` (such as the page's `at`) are accepted
    /// and returned as `(key, value)` pairs instead of being rejected.
    pub fn parse_with_extras(s: &str, extras: &[&str]) -> Result<(RunConfig, Vec<(String, String)>), ConfigError> {
        if s.len() > MAX_STRING {
            return Err(err("(string)", &shown(s), format!("longer than {MAX_STRING} characters")));
        }
        let s = s.trim();
        let s = s.strip_prefix('#').or_else(|| s.strip_prefix('?')).unwrap_or(s);
        let mut cfg = RunConfig::default();
        let mut seen: Vec<String> = Vec::new();
        let mut extra_out = Vec::new();
        for part in s.split('&').filter(|p| !p.is_empty()) {
            let (raw_key, raw_value) = part.split_once('=').unwrap_or((part, ""));
            let key = percent_decode(raw_key)
                .ok_or_else(|| err(&shown(raw_key), raw_value, "malformed %-escape in the key"))?;
            let value = percent_decode(raw_value)
                .ok_or_else(|| err(&shown(&key), &shown(raw_value), "malformed %-escape in the value"))?;
            if !part.contains('=') {
                return Err(err(&shown(&key), "", "expected key=value"));
            }
            if seen.contains(&key) {
                return Err(err(&shown(&key), &shown(&value), "this key appears more than once"));
            }
            seen.push(key.clone());
            if key == "v" {
                if value != VERSION.to_string() {
                    return Err(err("v", &shown(&value), format!("unsupported version; this build reads v={VERSION}")));
                }
                continue;
            }
            if extras.contains(&key.as_str()) {
                extra_out.push((key, value));
                continue;
            }
            let spec = KEYS.iter().find(|k| k.key == key).ok_or_else(|| {
                let names: Vec<&str> = std::iter::once("v").chain(KEYS.iter().map(|k| k.key)).collect();
                err(&shown(&key), &shown(&value), format!("unknown key; known keys are {}", names.join(", ")))
            })?;
            (spec.set)(&mut cfg, &value).map_err(|m| err(&key, &shown(&value), m))?;
        }
        cfg.apply_data_defaults(|k| seen.iter().any(|s| s == k));
        cfg.validate()?;
        Ok((cfg, extra_out))
    }

    /// Keys whose default depends on the data set, for keys the string did not give: the digits
    /// get a network and optimiser suited to them (784-256-256-10, batch 100, lr 0.001; 196-128-128-10
    /// for mnist14).
    pub fn apply_data_defaults(&mut self, given: impl Fn(&str) -> bool) {
        let defaults: &[(&str, &str)] = match self.data {
            DataSet::Mnist => &[("hidden", "256,256"), ("lr", "0.001"), ("batch", "100")],
            DataSet::Mnist14 => &[("hidden", "128,128"), ("lr", "0.001"), ("batch", "100")],
            _ => &[],
        };
        for (key, value) in defaults {
            if !given(key) {
                let spec = KEYS.iter().find(|k| k.key == *key).unwrap();
                (spec.set)(self, value).expect("data-set defaults are valid");
            }
        }
    }

    /// Checks the combinations that single keys cannot: rules that cannot run with these settings,
    /// a batch larger than the training set, and the memory one step would need.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(reason) = self.rule.unavailable_reason(self.activation, self.mode) {
            let key = if self.mode == NoiseMode::Blind { "mode" } else { "rule" };
            let value = if key == "mode" { "blind".to_string() } else { self.rule.key().to_string() };
            return Err(err(key, &value, reason));
        }
        if self.data == DataSet::Points {
            let n = crate::userdata::point_count(&self.drawn_points);
            if n < 4 {
                return Err(err(
                    "pts",
                    &shown(&self.drawn_points),
                    format!("data=points needs at least 4 points (it has {n}): click the plane to add some"),
                ));
            }
        }
        let n_train = self.train_count();
        if self.batch_size > n_train {
            return Err(err(
                "batch",
                &self.batch_size.to_string(),
                format!("larger than the training set ({n_train} training points)"),
            ));
        }
        let units: usize = self.hidden_sizes.iter().sum::<usize>() + if self.data.is_digits() { 10 } else { 2 };
        let passes = 1 + self.draws * if self.rule.method == Method::Inp { self.hidden_sizes.len() + 1 } else { 1 };
        let need = passes.saturating_mul(self.batch_size).saturating_mul(units);
        if need > MAX_STEP_ACTIVATIONS {
            return Err(err(
                "batch",
                &self.batch_size.to_string(),
                format!(
                    "one step would hold {need} activations ({passes} passes x batch x {units} units); the limit is {MAX_STEP_ACTIVATIONS}: lower batch, draws or the widths"
                ),
            ));
        }
        Ok(())
    }

    /// Number of training points: `round(n * train)`, at least 1 and leaving at least 1 for
    /// testing; 8,000 for the digits (their fixed split).
    pub fn train_count(&self) -> usize {
        match self.data {
            DataSet::Mnist | DataSet::Mnist14 => crate::mnist::TRAIN_DIGITS,
            DataSet::Points => split_count(crate::userdata::point_count(&self.drawn_points), self.train_fraction),
            // Known once the table is there; checked when the data set is built.
            DataSet::Upload => usize::MAX,
            _ => split_count(self.points, self.train_fraction),
        }
    }

    /// Layer sizes `[n_0, hidden..., n_L]` for the data set's input and class counts.
    pub fn layer_sizes(&self, n_inputs: usize, n_classes: usize) -> Vec<usize> {
        let mut s = vec![n_inputs];
        s.extend(&self.hidden_sizes);
        s.push(n_classes);
        s
    }

    /// The value of one key as it is encoded.
    pub fn get(&self, key: &str) -> Option<String> {
        if key == "v" {
            return Some(VERSION.to_string());
        }
        KEYS.iter().find(|k| k.key == key).map(|k| (k.get)(self))
    }
}

impl fmt::Display for RunConfig {
    /// The canonical string: every key, version first, in table order. Numbers are written in
    /// their shortest form that parses back to the same value, so `parse(to_string())` is exact.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v={VERSION}")?;
        for k in KEYS {
            write!(f, "&{}={}", k.key, (k.get)(self))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips() {
        let c = RunConfig::default();
        assert_eq!(RunConfig::parse(&c.to_string()).unwrap(), c);
        assert_eq!(RunConfig::parse("").unwrap(), c);
    }
}
