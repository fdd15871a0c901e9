//! The string form of a [`RunConfig`]: `v=1&data=circle&n=400&...`, the same string the page
//! keeps in its URL fragment and the CLI takes as its argument.
//!
//! The codec is a table of keys ([`KEYS`]): each key has a default, a parser with bounds, a
//! one-line help text and the kind of control the page shows for it. Parsing is strict: unknown
//! keys, repeated keys, bad values and out-of-range numbers are errors that name the key and the
//! value. Sizes are bounded so that no string can make the engine allocate without limit.

use std::fmt;

use super::config::DEFAULT_REG_RATE;
use super::config::{
    ConfigError, MAX_BATCH, MAX_DRAWS, MAX_HIDDEN_LAYERS, MAX_POINTS, MAX_SEED, MAX_WIDTH, MIN_POINTS, RunConfig, err,
    shown,
};
use super::edits;
use crate::activation::Activation;
use crate::data::features::{self, Features};
use crate::data::{DataSet, csv, points};
use crate::loss::Loss;
use crate::optimizer::{Optimizer, Regularization};
use crate::rules::{NoiseMode, Rule};

/// The current schema version, written first in every encoded string.
pub const VERSION: u32 = 1;

/// Longest string accepted at all (a real one is under 300 characters; a link with 400 drawn
/// points about 1,800).
pub const MAX_STRING: usize = 4096;

/// One entry of the key table.
pub struct KeySpec {
    pub key: &'static str,
    /// Shown in `--help`, in the README and as the control's explanation in the page.
    pub help: &'static str,
    /// What kind of value the key takes, for the page's control.
    pub control: Control,
    set: fn(&mut RunConfig, &str) -> Result<(), String>,
    get: fn(&RunConfig) -> String,
}

/// The kind of value a key takes: what the page builds a control from.
#[derive(Clone, Copy)]
pub enum Control {
    /// One of several named values: `(value, label)` pairs in menu order.
    Choice(&'static [(&'static str, &'static str)]),
    /// A number from `min` to `max` in steps of `step` (the input's bounds; the parser checks).
    Number { min: f64, max: f64, step: f64 },
    /// Comma-separated hidden-layer widths.
    Widths,
    /// The drawn points' string.
    Points,
    /// An uploaded table's id: set by the page, not a control.
    Table,
    /// Some of several named values, comma-separated: `(value, label)` pairs in input order.
    Features(&'static [(&'static str, &'static str)]),
    /// Hand edits of weights (`edit=`): set by the page's diagram, not a control.
    Edits,
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

/// Menu labels of the choice keys' values, in menu order.
pub const DATA_SETS: &[(&str, &str)] = &[
    ("circle", "circle"),
    ("xor", "xor"),
    ("gauss", "two Gaussians"),
    ("spiral", "spiral"),
    ("moons", "moons"),
    ("checker", "checkerboard"),
    ("mnist", "digits 28x28"),
    ("mnist14", "digits 14x14"),
    ("plane", "regression: plane"),
    ("multigauss", "regression: multi Gaussian"),
    ("points", "your points"),
    ("upload", "uploaded table"),
];
pub const ACTIVATIONS: &[(&str, &str)] = &[
    ("tanh", "tanh"),
    ("relu", "ReLU"),
    ("leaky_relu", "leaky ReLU"),
    ("sigmoid", "sigmoid"),
    ("linear", "linear"),
    ("step", "step (sign)"),
];
pub const LOSSES: &[(&str, &str)] = &[("ce", "cross-entropy"), ("mse", "mean squared error")];
pub const RULES: &[(&str, &str)] = &[
    ("bp", "BP (backprop)"),
    ("dbp", "DBP (decorrelated BP)"),
    ("np", "NP (node perturbation)"),
    ("dnp", "DNP (decorrelated NP)"),
    ("inp", "INP (iterative NP)"),
    ("dinp", "DINP (decorrelated INP)"),
    ("anp", "ANP (activity-based NP)"),
    ("danp", "DANP (decorrelated ANP)"),
    ("wp", "WP (weight perturbation)"),
    ("dwp", "DWP (decorrelated WP)"),
    ("fgw", "FG-W (forward gradient, weights)"),
    ("dfgw", "DFG-W (decorrelated FG-W)"),
    ("fga", "FG-A (forward gradient, activity)"),
    ("dfga", "DFG-A (decorrelated FG-A)"),
];
pub const NOISE_MODES: &[(&str, &str)] = &[("clean", "clean (noise observed)"), ("blind", "blind (noise unobserved)")];
pub const OPTIMIZERS: &[(&str, &str)] = &[("adam", "Adam"), ("sgd", "SGD")];
pub const REGULARIZATIONS: &[(&str, &str)] = &[("none", "none"), ("l1", "L1"), ("l2", "L2")];
/// Menus of sensible values for number keys (TensorFlow Playground's where it has one; the
/// field still accepts any value in range): `(key, values)`.
pub const MENUS: &[(&str, &[&str])] = &[
    ("lr", &["0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"]),
    ("reg_rate", &["0", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"]),
    ("sigma", &["0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1"]),
    ("train", &["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"]),
    ("noise", &["0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4", "0.45", "0.5"]),
    ("batch", &["1", "2", "5", "10", "20", "30", "50", "100", "200", "500", "1000"]),
];
/// Largest penalty rate.
pub const MAX_REG_RATE: f32 = 100.0;

/// Keys whose default depends on the data set (see [`RunConfig::apply_data_defaults`]): a page
/// that changes the data set drops them so the new set's defaults apply.
pub const DATA_DEFAULTED: [&str; 4] = ["hidden", "lr", "batch", "loss"];

/// The key table, in encoding order (the version key `v` is handled before it).
pub const KEYS: &[KeySpec] = &[
    KeySpec {
        key: "data",
        help: "data set: circle, xor, gauss (two Gaussians), spiral, moons, checker (2-D, generated from the seed), plane / multigauss (regression: a real target per point, one linear output, loss mse; TensorFlow Playground's two), mnist / mnist14 (10,000 real digits, 28x28 or pooled to 14x14, fixed 8,000/2,000 split), points (your own points, in pts) or upload (an uploaded table, kept by the page)",
        control: Control::Choice(DATA_SETS),
        set: |c, v| {
            c.data = choices(v, &DataSet::ALL, DataSet::key)?;
            Ok(())
        },
        get: |c| c.data.key().into(),
    },
    KeySpec {
        key: "n",
        help: "number of points, train and test together (20 to 10000; ignored for the digits)",
        control: Control::Number { min: MIN_POINTS as f64, max: MAX_POINTS as f64, step: 10.0 },
        set: |c, v| {
            c.points = parse_usize_in(v, MIN_POINTS, MAX_POINTS)?;
            Ok(())
        },
        get: |c| c.points.to_string(),
    },
    KeySpec {
        key: "noise",
        help: "data noise: standard deviation of the jitter added to each point (0 to 1; before it the points lie within -1..1, all but the tails of the two Gaussians, and the plane shown spans -1.5..1.5; for plane and multigauss the target is read at the point moved by up to noise on each axis, uniformly; ignored for the digits)",
        control: Control::Number { min: 0.0, max: 1.0, step: 0.05 },
        set: |c, v| {
            c.data_noise = parse_f32_in(v, 0.0, 1.0, false)?;
            Ok(())
        },
        get: |c| c.data_noise.to_string(),
    },
    KeySpec {
        key: "train",
        help: "fraction of the points used for training; the rest is the test set (0.1 to 0.9; the digits always use their fixed split)",
        control: Control::Number { min: 0.1, max: 0.9, step: 0.1 },
        set: |c, v| {
            c.train_fraction = parse_f32_in(v, 0.1, 0.9, false)?;
            Ok(())
        },
        get: |c| c.train_fraction.to_string(),
    },
    KeySpec {
        key: "hidden",
        help: "hidden layer widths, comma-separated, e.g. 8,8 (empty for none; up to 8 layers of 1 to 1024 units)",
        control: Control::Widths,
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
        control: Control::Choice(ACTIVATIONS),
        set: |c, v| {
            c.activation = choices(v, &Activation::ALL, Activation::key)?;
            Ok(())
        },
        get: |c| c.activation.key().into(),
    },
    KeySpec {
        key: "loss",
        help: "loss on the linear output: ce (softmax cross-entropy) or mse (mean squared error to one-hot); the regression sets plane and multigauss take mse, the squared error to the target",
        control: Control::Choice(LOSSES),
        set: |c, v| {
            c.loss = choices(v, &[Loss::CrossEntropy, Loss::MeanSquared], Loss::key)?;
            Ok(())
        },
        get: |c| c.loss.key().into(),
    },
    KeySpec {
        key: "rule",
        help: "learning rule: bp, np, inp, anp, wp (weight perturbation), fgw or fga (forward gradients in weight or activity space), or a decorrelated version dbp, dnp, dinp, danp, dwp, dfgw, dfga",
        control: Control::Choice(RULES),
        set: |c, v| {
            c.rule = choices(v, &Rule::ALL, Rule::key)?;
            Ok(())
        },
        get: |c| c.rule.key().into(),
    },
    KeySpec {
        key: "sigma",
        help: "standard deviation of the noise injected into every pre-activation (into every weight and bias for wp; unused by fgw and fga) (0.0001 to 1)",
        control: Control::Number { min: 1e-4, max: 1.0, step: 0.001 },
        set: |c, v| {
            c.noise_std = parse_f32_in(v, 1e-4, 1.0, false)?;
            Ok(())
        },
        get: |c| c.noise_std.to_string(),
    },
    KeySpec {
        key: "draws",
        help: "noise draws K per step, averaged (1 to 64): more draws align the update better with the gradient, and each draw adds forward passes while the clean pass is shared: a step runs 1 + K forward passes for np and anp (2K for anp in blind mode), 1 + K\u{b7}L for inp with L layers; 1 + K for wp; fgw and fga run one clean pass and K tangent passes",
        control: Control::Number { min: 1.0, max: MAX_DRAWS as f64, step: 1.0 },
        set: |c, v| {
            c.draws = parse_usize_in(v, 1, MAX_DRAWS)?;
            Ok(())
        },
        get: |c| c.draws.to_string(),
    },
    KeySpec {
        key: "mode",
        help: "noise mode: clean (one clean pass and a noisy one per draw) or blind (two noisy passes per draw, the noise unobserved; anp/danp only)",
        control: Control::Choice(NOISE_MODES),
        set: |c, v| {
            c.mode = choices(v, &NoiseMode::ALL, NoiseMode::key)?;
            Ok(())
        },
        get: |c| c.mode.key().into(),
    },
    KeySpec {
        key: "opt",
        help: "optimiser: adam or sgd",
        control: Control::Choice(OPTIMIZERS),
        set: |c, v| {
            c.optimizer = choices(v, &Optimizer::ALL, Optimizer::key)?;
            Ok(())
        },
        get: |c| c.optimizer.key().into(),
    },
    KeySpec {
        key: "lr",
        help: "learning rate of the optimiser (above 0, at most 10)",
        control: Control::Number { min: 1e-5, max: 10.0, step: 0.001 },
        set: |c, v| {
            c.learning_rate = parse_f32_in(v, 0.0, 10.0, true)?;
            Ok(())
        },
        get: |c| c.learning_rate.to_string(),
    },
    KeySpec {
        key: "batch",
        help: "minibatch size (1 to 1024, at most the number of training points)",
        control: Control::Number { min: 1.0, max: MAX_BATCH as f64, step: 1.0 },
        set: |c, v| {
            c.batch_size = parse_usize_in(v, 1, MAX_BATCH)?;
            Ok(())
        },
        get: |c| c.batch_size.to_string(),
    },
    KeySpec {
        key: "decor_lr",
        help: "learning rate of the decorrelation matrices R in the D-variants (0 to 1)",
        control: Control::Number { min: 0.0, max: 1.0, step: 0.0005 },
        set: |c, v| {
            c.decor_learning_rate = parse_f32_in(v, 0.0, 1.0, false)?;
            Ok(())
        },
        get: |c| c.decor_learning_rate.to_string(),
    },
    KeySpec {
        key: "pts",
        help: "your own points for data=points: pick a class and click or tap the plane to add a point, at most 400, kept in the link as a compact string",
        control: Control::Points,
        set: |c, v| {
            let points = points::decode_points_or_empty(v)?;
            if points.len() > points::MAX_URL_POINTS {
                return Err(format!("at most {} points", points::MAX_URL_POINTS));
            }
            c.drawn_points = if points.is_empty() { String::new() } else { points::encode_points(&points) };
            Ok(())
        },
        get: |c| c.drawn_points.clone(),
    },
    KeySpec {
        key: "table",
        help: "the uploaded table a data=upload run trains on: 16 hex digits, a hash of the table's numbers and classes (the page sets it on upload; the CLI checks it against --data; ignored for other data)",
        control: Control::Table,
        set: |c, v| {
            c.table = if v.is_empty() {
                None
            } else {
                Some(
                    csv::parse_table_id(v)
                        .ok_or("expected the table's id: 16 hex digits (set when a table is uploaded)")?,
                )
            };
            Ok(())
        },
        get: |c| c.table.map(|t| format!("{t:016x}")).unwrap_or_default(),
    },
    KeySpec {
        key: "seed",
        help: "seed of the run: data, initial weights, batch order and noise each derive their own stream from it",
        control: Control::Number { min: 0.0, max: MAX_SEED as f64, step: 1.0 },
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
    // Issue 20's keys (TensorFlow Playground parity); each is left out of the string at its
    // default, so no earlier link changes.
    KeySpec {
        key: "features",
        help: "what the network reads of a 2-D point, comma-separated: x1, x2, x1sq, x2sq (squares), x1x2 (product), sinx1, sinx2 (sines); each is an input node (default x1,x2; 2-D data only: generated sets, your points, two-column tables)",
        control: Control::Features(&features::ALL),
        set: |c, v| {
            c.features = Features::parse(v)?;
            Ok(())
        },
        get: |c| c.features.to_string(),
    },
    KeySpec {
        key: "reg",
        help: "weight penalty: none, l1 (rate \u{d7} sum |w|) or l2 (rate/2 \u{d7} sum w\u{b2}) on every weight, not on biases; its gradient (rate \u{d7} sign w, or rate \u{d7} w) needs only the weight itself, so every rule adds it to its own estimate without a backward pass; the losses shown are the data's, without the penalty",
        control: Control::Choice(REGULARIZATIONS),
        set: |c, v| {
            c.reg = choices(v, &Regularization::ALL, Regularization::key)?;
            Ok(())
        },
        get: |c| c.reg.key().into(),
    },
    KeySpec {
        key: "reg_rate",
        help: "rate of the weight penalty reg (0 to 100; TensorFlow Playground offers 0.001 to 10)",
        control: Control::Number { min: 0.0, max: MAX_REG_RATE as f64, step: 0.001 },
        set: |c, v| {
            c.reg_rate = parse_f32_in(v, 0.0, MAX_REG_RATE, false)?;
            Ok(())
        },
        get: |c| c.reg_rate.to_string(),
    },
    KeySpec {
        key: "edit",
        help: "weights set by hand, comma-separated STEP:LAYER:ROW:COL:VALUE items: once STEP steps are done (0: the initial weights), weight matrix LAYER (from 1) gets VALUE at unit ROW and input COL (both from 0; COL b for the unit's bias); part of the run and its checksum",
        control: Control::Edits,
        set: |c, v| {
            c.edits = edits::parse_edits(v)?;
            Ok(())
        },
        get: |c| edits::encode_edits(&c.edits),
    },
];

/// Whether `key` is at its default in `c` and left out of the canonical string: the keys added
/// after the first links were shared (issue 20), so every earlier string stays the same.
fn omitted(c: &RunConfig, key: &str) -> bool {
    match key {
        "table" => c.data != DataSet::Upload || c.table.is_none(),
        "features" => c.features.is_identity(),
        "reg" => c.reg == Regularization::None,
        "reg_rate" => c.reg_rate == DEFAULT_REG_RATE,
        "edit" => c.edits.is_empty(),
        _ => false,
    }
}

/// Decodes `%XX` escapes and `+` (as a space would be meaningless in every value, `+` is kept).
pub fn percent_decode(s: &str) -> Option<String> {
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

/// One `key=value` of a string: a configuration key with its value, or a key of the caller's.
enum Part {
    Key(&'static KeySpec, String),
    Extra(String, String),
}

/// What [`RunConfig::parse_lenient`] makes of a string.
#[derive(Clone, Debug, PartialEq)]
pub struct Lenient {
    pub config: RunConfig,
    /// The caller's keys, as `(key, value)`.
    pub extras: Vec<(String, String)>,
    /// Every key left out, with why.
    pub problems: Vec<ConfigError>,
}

/// Splits `key=value&...` (a leading `#` or `?` is ignored) into its parts, each decoded and
/// checked on its own: a malformed escape, a missing `=`, an empty, unknown or repeated key, a
/// version this build does not read. Only an over-long string fails as a whole.
fn split(s: &str, extras: &[&str]) -> Result<Vec<Result<Part, ConfigError>>, ConfigError> {
    if s.len() > MAX_STRING {
        return Err(err("(string)", &shown(s), format!("longer than {MAX_STRING} characters")));
    }
    let s = s.trim();
    let s = s.strip_prefix('#').or_else(|| s.strip_prefix('?')).unwrap_or(s);
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for part in s.split('&').filter(|p| !p.is_empty()) {
        out.push(
            (|| {
                let (raw_key, raw_value) = part.split_once('=').unwrap_or((part, ""));
                let name = |k: &str| if k.is_empty() { "(no key)".to_string() } else { shown(k) };
                let key = percent_decode(raw_key)
                    .ok_or_else(|| err(&name(raw_key), &shown(raw_value), "malformed %-escape in the key"))?;
                let value = percent_decode(raw_value)
                    .ok_or_else(|| err(&name(&key), &shown(raw_value), "malformed %-escape in the value"))?;
                if !part.contains('=') {
                    return Err(err(&name(&key), "", "expected key=value"));
                }
                if key.is_empty() {
                    return Err(err(&name(&key), &shown(&value), "a setting without a name: expected key=value"));
                }
                if seen.contains(&key) {
                    return Err(err(&shown(&key), &shown(&value), "this key appears more than once"));
                }
                seen.push(key.clone());
                if key == "v" {
                    return if value == VERSION.to_string() {
                        Ok(None)
                    } else {
                        Err(err("v", &shown(&value), format!("unsupported version; this build reads v={VERSION}")))
                    };
                }
                if extras.contains(&key.as_str()) {
                    return Ok(Some(Part::Extra(key, value)));
                }
                let spec = KEYS.iter().find(|k| k.key == key).ok_or_else(|| {
                    let names: Vec<&str> =
                        std::iter::once("v").chain(KEYS.iter().map(|k| k.key)).chain(extras.iter().copied()).collect();
                    err(&shown(&key), &shown(&value), format!("unknown key; known keys are {}", names.join(", ")))
                })?;
                Ok(Some(Part::Key(spec, value)))
            })()
            .transpose(),
        );
    }
    Ok(out.into_iter().flatten().collect())
}

impl RunConfig {
    /// Parses `key=value&...` (a leading `#` or `?` is ignored). Missing keys take their defaults.
    pub fn parse(s: &str) -> Result<RunConfig, ConfigError> {
        Self::parse_with_extras(s, &[]).map(|(c, _)| c)
    }

    /// Like [`RunConfig::parse`], but the keys in `extras` (such as the page's `at`) are accepted
    /// and returned as `(key, value)` pairs instead of being rejected.
    pub fn parse_with_extras(s: &str, extras: &[&str]) -> Result<(RunConfig, Vec<(String, String)>), ConfigError> {
        let (cfg, extra_out) = Self::parse_keys(s, extras)?;
        cfg.validate()?;
        Ok((cfg, extra_out))
    }

    /// Every key read and checked on its own, but not the combinations nor the limits
    /// ([`RunConfig::validate`]): for tools that cost a configuration over the limits.
    pub fn parse_unvalidated(s: &str) -> Result<RunConfig, ConfigError> {
        Self::parse_keys(s, &[]).map(|(c, _)| c)
    }

    fn parse_keys(s: &str, extras: &[&str]) -> Result<(RunConfig, Vec<(String, String)>), ConfigError> {
        let parts = split(s, extras)?;
        let mut cfg = RunConfig::default();
        let mut given: Vec<String> = Vec::new();
        let mut extra_out = Vec::new();
        for part in parts {
            match part? {
                Part::Extra(k, v) => extra_out.push((k, v)),
                Part::Key(spec, v) => {
                    (spec.set)(&mut cfg, &v).map_err(|m| err(spec.key, &shown(&v), m))?;
                    given.push(spec.key.to_string());
                }
            }
        }
        cfg.apply_data_defaults(|k| given.iter().any(|g| g == k));
        Ok((cfg, extra_out))
    }

    /// The page's reading of a link: every key that can be accepted is, and every one that cannot
    /// (malformed, unknown, out of range, or making the combination invalid or too large) is
    /// reported in `problems` and left out, its default applying instead.
    pub fn parse_lenient(s: &str, extras: &[&str]) -> Lenient {
        let mut problems = Vec::new();
        let mut pairs: Vec<(&'static KeySpec, String)> = Vec::new();
        let mut extra_out = Vec::new();
        match split(s, extras) {
            Err(e) => problems.push(e),
            Ok(parts) => {
                for part in parts {
                    match part {
                        Err(e) => problems.push(e),
                        Ok(Part::Extra(k, v)) => extra_out.push((k, v)),
                        Ok(Part::Key(spec, v)) => match (spec.set)(&mut RunConfig::default(), &v) {
                            Ok(()) => pairs.push((spec, v)),
                            Err(m) => problems.push(err(spec.key, &shown(&v), m)),
                        },
                    }
                }
            }
        }
        // Drop the keys that make the combination invalid, one at a time, until it is valid.
        loop {
            let mut cfg = RunConfig::default();
            for (spec, v) in &pairs {
                (spec.set)(&mut cfg, v).expect("checked above");
            }
            cfg.apply_data_defaults(|k| pairs.iter().any(|(spec, _)| spec.key == k));
            match cfg.validate() {
                Ok(()) => return Lenient { config: cfg, extras: extra_out, problems },
                Err(e) => {
                    let at = pairs.iter().rposition(|(spec, _)| spec.key == e.key).or(pairs.len().checked_sub(1));
                    problems.push(e);
                    match at {
                        Some(i) => {
                            pairs.remove(i);
                        }
                        None => return Lenient { config: RunConfig::default(), extras: extra_out, problems },
                    }
                }
            }
        }
    }

    /// Keys whose default depends on the data set, for keys the string did not give: the digits
    /// get a network and optimiser suited to them (784-256-256-10, batch 100, lr 0.001; 196-128-128-10
    /// for mnist14).
    pub fn apply_data_defaults(&mut self, given: impl Fn(&str) -> bool) {
        // The keys set here are those of DATA_DEFAULTED.
        let defaults: &[(&str, &str)] = match self.data {
            DataSet::Mnist => &[("hidden", "256,256"), ("lr", "0.001"), ("batch", "100")],
            DataSet::Mnist14 => &[("hidden", "128,128"), ("lr", "0.001"), ("batch", "100")],
            DataSet::Plane | DataSet::Multigauss => &[("loss", "mse")],
            _ => &[],
        };
        for (key, value) in defaults {
            if !given(key) {
                let spec = KEYS.iter().find(|k| k.key == *key).unwrap();
                (spec.set)(self, value).expect("data-set defaults are valid");
            }
        }
        // Only an upload has a table: for other data `table` is ignored, as it is not written.
        if self.data != DataSet::Upload {
            self.table = None;
        }
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
            // The table's id only for an upload that names its table, so no other string changes.
            if omitted(self, k.key) {
                continue;
            }
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
