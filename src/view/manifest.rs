//! Everything the page needs to know that the engine decides: the keys with their defaults, help
//! texts and controls, the keys whose default follows the data set, the limits, the plane's
//! extent and the live views' caps. The page reads it once at start-up, so no value is written
//! twice (once in Rust, once in JavaScript).

use serde::Serialize;

use super::{lessons, live, plane};
use crate::data::{csv, points};
use crate::run::codec::{self, Control, KEYS};
use crate::run::config::{self, RunConfig};
use crate::run::link;

/// One key of the configuration.
#[derive(Clone, Debug, Serialize)]
pub struct Key {
    pub key: &'static str,
    pub help: &'static str,
    pub default: String,
    /// `choice`, `number`, `widths`, `points` or `table` (set by the page, no control).
    pub control: &'static str,
    /// For a choice: `[value, label]` pairs in menu order.
    pub options: Vec<[&'static str; 2]>,
    /// For a number: the input's bounds and step.
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub step: Option<f64>,
}

/// Limits the page enforces before asking the engine (the engine checks them again).
#[derive(Clone, Debug, Serialize)]
pub struct Limits {
    pub max_hidden_layers: usize,
    pub max_width: usize,
    pub max_link_points: usize,
    pub min_drawn_points: usize,
    pub max_csv_bytes: usize,
    /// Largest run file (Export run) the page reads: its table plus JSON escaping.
    pub max_import_bytes: usize,
    pub max_compare: usize,
    pub max_at: u64,
    pub max_seed: u64,
}

/// Caps of the live views.
#[derive(Clone, Debug, Serialize)]
pub struct Views {
    /// The plane spans `[-plane_extent, plane_extent]^2`.
    pub plane_extent: f32,
    pub unit_resolution: usize,
    /// Most nodes a layer of the network diagram shows.
    pub max_nodes: usize,
    pub history_points: usize,
    pub eval_max: usize,
    /// History columns before the per-layer alignment.
    pub history_columns: Vec<&'static str>,
}

/// The page keys' choices.
#[derive(Clone, Debug, Serialize)]
pub struct PageKeys {
    pub keys: Vec<&'static str>,
    pub speeds: Vec<&'static str>,
    pub xaxes: Vec<&'static str>,
    /// `[group, what it holds]`.
    pub hide_groups: Vec<[&'static str; 2]>,
    pub max_seeds: usize,
}

/// A group of the rule menu: its name, one line on what its rules do, and its rules' keys.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct RuleGroup {
    pub label: &'static str,
    pub help: &'static str,
    /// The group's rule keys, separated by spaces.
    pub rules: &'static str,
}

/// The rule menu's groups, in menu order: every rule of the `rule` key is in exactly one
/// (`tests/claims.rs` checks each line against the rules' passes, probes and refusals).
pub const RULE_GROUPS: &[RuleGroup] = &[
    RuleGroup {
        label: "perturbation of units",
        help: "noise on the units' pre-activations, its own draw for every sample; the update comes from the loss changes it causes, with no backward pass",
        rules: "np dnp inp dinp anp danp",
    },
    RuleGroup {
        label: "perturbation of weights",
        help: "noise on every weight and bias, one draw shared by the whole minibatch; the update comes from the minibatch's loss change, with no backward pass",
        rules: "wp dwp",
    },
    RuleGroup {
        label: "exact derivatives",
        help: "a random direction and the loss's exact derivative along it, from a forward-mode (tangent) pass beside the clean pass: no noise, no backward pass, but like backprop they need f\u{2032}, so not step units",
        rules: "fgw dfgw fga dfga",
    },
    RuleGroup { label: "backprop", help: "the exact gradient, by a backward pass", rules: "bp dbp" },
];

#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    pub version: u32,
    pub keys: Vec<Key>,
    /// The rule menu's groups.
    pub rule_groups: &'static [RuleGroup],
    pub page: PageKeys,
    pub lessons: &'static [lessons::Chapter],
    pub data_defaulted: Vec<&'static str>,
    pub limits: Limits,
    pub views: Views,
}

pub fn manifest() -> Manifest {
    let d = RunConfig::default();
    let keys = KEYS
        .iter()
        .map(|k| {
            let mut key = Key {
                key: k.key,
                help: k.help,
                default: d.get(k.key).unwrap_or_default(),
                control: "",
                options: Vec::new(),
                min: None,
                max: None,
                step: None,
            };
            match k.control {
                Control::Choice(options) => {
                    key.control = "choice";
                    key.options = options.iter().map(|&(v, l)| [v, l]).collect();
                }
                Control::Number { min, max, step } => {
                    key.control = "number";
                    (key.min, key.max, key.step) = (Some(min), Some(max), Some(step));
                }
                Control::Widths => key.control = "widths",
                Control::Points => key.control = "points",
                Control::Table => key.control = "table",
                Control::Features(options) => {
                    key.control = "features";
                    key.options = options.iter().map(|&(v, l)| [v, l]).collect();
                }
                Control::Edits => key.control = "edits",
            }
            key
        })
        .collect();
    Manifest {
        version: codec::VERSION,
        keys,
        rule_groups: RULE_GROUPS,
        page: PageKeys {
            keys: link::PAGE_KEYS.to_vec(),
            speeds: link::SPEEDS.to_vec(),
            xaxes: link::XAXES.to_vec(),
            hide_groups: link::HIDE_GROUPS.iter().map(|&(g, w)| [g, w]).collect(),
            max_seeds: link::MAX_SEEDS,
        },
        lessons: lessons::CHAPTERS,
        data_defaulted: codec::DATA_DEFAULTED.to_vec(),
        limits: Limits {
            max_hidden_layers: config::MAX_HIDDEN_LAYERS,
            max_width: config::MAX_WIDTH,
            max_link_points: points::MAX_URL_POINTS,
            min_drawn_points: config::MIN_DRAWN_POINTS,
            max_csv_bytes: csv::MAX_CSV_BYTES,
            max_import_bytes: 2 * csv::MAX_CSV_BYTES,
            max_compare: link::MAX_COMPARE,
            max_at: link::MAX_AT,
            max_seed: config::MAX_SEED,
        },
        views: Views {
            plane_extent: plane::EXTENT,
            unit_resolution: plane::UNIT_RESOLUTION,
            max_nodes: super::diagram::MAX_NODES,
            history_points: live::HISTORY_POINTS,
            eval_max: live::EVAL_MAX,
            history_columns: live::COLUMNS.to_vec(),
        },
    }
}
