//! The main thread's side, besides charts: links, the manifest, drawn points, whether an upload
//! fits the link's runs, the CLI command and fresh seeds (run files are read and written by the
//! worker's `DataStore`).

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::{js_err, json};
use crate::activation::Activation;
use crate::data::{DataSet, generators, points};
use crate::rules::{NoiseMode, Rule};
use crate::run::cost::{self, Shape};
use crate::run::{RunConfig, config::MAX_SEED, link};
use crate::view::manifest;

/// Parses a URL fragment for the page: `{"ok":true,"config","label","at","compare":[{label,
/// config}]}` or `{"ok":false,"key","value","message"}` (see `run::link::Reply`).
#[wasm_bindgen(js_name = parseFragment)]
pub fn parse_fragment(fragment: &str) -> String {
    json(&link::reply(fragment))
}

/// Everything the page needs to know that the engine decides (see `view::manifest`), as JSON.
#[wasm_bindgen]
pub fn manifest() -> String {
    json(&manifest::manifest())
}

/// Why `rule` cannot run with activation `act` and noise mode `mode`, if it cannot.
#[wasm_bindgen(js_name = ruleUnavailable)]
pub fn rule_unavailable(rule: &str, act: &str, mode: &str) -> Option<String> {
    let rule = Rule::from_key(rule)?;
    let act = Activation::from_key(act)?;
    rule.unavailable_reason(act, NoiseMode::from_key(mode).unwrap_or(NoiseMode::Clean))
}

/// The point string for `[x, y, label, ...]` triples (what `pts` holds).
#[wasm_bindgen(js_name = encodePoints)]
pub fn encode_points(triples: &[f32]) -> Result<String, JsError> {
    let pts: Vec<points::Point> =
        triples.chunks_exact(3).map(|t| points::Point { x: t[0], y: t[1], label: (t[2] > 0.5) as u8 }).collect();
    if pts.len() > points::MAX_URL_POINTS {
        return Err(JsError::new(&format!("at most {} points fit in a link", points::MAX_URL_POINTS)));
    }
    Ok(if pts.is_empty() { String::new() } else { points::encode_points(&pts) })
}

/// `[x, y, label, ...]` triples of a point string (what `pts` holds), in its order.
#[wasm_bindgen(js_name = decodePoints)]
pub fn decode_points(pts: &str) -> Result<Vec<f32>, JsError> {
    let decoded = points::decode_points_or_empty(pts).map_err(js_err)?;
    Ok(decoded.iter().flat_map(|p| [p.x, p.y, p.label as f32]).collect())
}

/// Why the page's link `fragment` (with `data=upload`) cannot run on an uploaded table of `rows`
/// rows, `dim` features and `classes` classes (the figures of the worker's `loadTable` report),
/// if it cannot: too few rows, a batch larger than the training share, or all its runs too large
/// together; the message says what to change. The table itself stays in the worker.
#[wasm_bindgen(js_name = checkTableFits)]
pub fn check_table_fits(fragment: &str, rows: usize, dim: usize, classes: usize) -> Option<String> {
    let link = link::Link::parse(fragment);
    if let Some(e) = link.problems.first() {
        return Some(e.to_string());
    }
    if let Err(e) = link.config.check_features(dim) {
        return Some(e.to_string());
    }
    let shape = Shape { inputs: link.config.input_dim(dim), classes, samples: rows };
    if let Err(e) = link.config.check_data(&shape) {
        return Some(e.to_string());
    }
    let runs = link.runs();
    let with: Vec<(&RunConfig, Shape)> = runs.iter().map(|(_, c)| (c, shape)).collect();
    cost::check(&with).err().map(|e| e.to_string())
}

/// `[x, y, label, is_test]` quadruples of `n` points of a generated 2-D set, for its thumbnail.
#[wasm_bindgen(js_name = datasetPreview)]
pub fn dataset_preview(name: &str, n: usize) -> Result<Float32Array, JsError> {
    let set = DataSet::from_key(name)
        .filter(|s| DataSet::PLANE.contains(s))
        .ok_or_else(|| JsError::new(&format!("{name} is not a generated 2-D data set")))?;
    Ok(Float32Array::from(&generators::preview(set, n)[..]))
}

/// The CLI command that replays `config` for `steps` steps.
#[wasm_bindgen(js_name = cliCommand)]
pub fn cli_command(config: &str, steps: f64) -> String {
    // The canonical string, without an empty `pts` (and never a quote that would end the argument).
    let config = config.replace('\'', "").replace("&pts=&", "&");
    let config = config.strip_suffix("&pts=").unwrap_or(&config);
    format!("cargo run --release -- run '{config}' --steps {} --json", steps as u64)
}

/// A fresh seed from the platform's entropy (crypto.getRandomValues): a 32-bit number, short in
/// a link; the seed goes into the link, so the run it starts stays reproducible.
#[wasm_bindgen(js_name = newSeed)]
pub fn new_seed() -> Result<f64, JsError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(js_err)?;
    Ok((u32::from_le_bytes(bytes) as u64).min(MAX_SEED) as f64)
}
