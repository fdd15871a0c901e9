//! Weights edited by hand (TensorFlow Playground's click on a link): the `edit=` key's items
//! `STEP:LAYER:ROW:COL:VALUE`, part of the run and of its checksum, and what an edit does to the
//! loss on the current minibatch ([`EditEffect`], computed by `Trainer::edit_effect`).
//!
//! - `STEP` is the step counter when the edit is made: the edit applies once `STEP` steps are
//!   done, before the next step is taken (`0` edits the initial weights), so a run stopped at
//!   `STEP` already has it.
//! - `LAYER` counts the weight matrices from 1 (`W_1` reads the inputs); `ROW` is the unit of that
//!   layer and `COL` the input of the layer, both counted from 0, or `b` for the unit's bias.
//! - `VALUE` is the new value of that weight or bias (finite, at most [`MAX_VALUE`] in size).
//!
//! Edits at the same step apply in the order written; the string keeps that order.

use crate::network::Network;

/// Largest edited value in size.
pub const MAX_VALUE: f32 = 1e4;
/// Most edits a run carries.
pub const MAX_EDITS: usize = 200;
/// Largest `STEP` (the page's largest `at`).
pub const MAX_STEP: u64 = 10_000_000;

/// An item for a message: itself when short and plain ASCII, else `...`.
fn shown(v: &str) -> &str {
    if v.len() <= 40 && v.bytes().all(|b| b.is_ascii_graphic()) { v } else { "..." }
}

/// One hand edit of a weight or a bias.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edit {
    /// Applied once this many steps are done.
    pub step: u64,
    /// The weight matrix, from 1.
    pub layer: usize,
    /// The unit (row of `W_layer`), from 0.
    pub row: usize,
    /// The input (column of `W_layer`), from 0; None for the bias.
    pub col: Option<usize>,
    pub value: f32,
}

impl std::fmt::Display for Edit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let col = self.col.map_or("b".to_string(), |c| c.to_string());
        write!(f, "{}:{}:{}:{col}:{}", self.step, self.layer, self.row, self.value)
    }
}

/// Reads one `STEP:LAYER:ROW:COL:VALUE` item.
pub fn parse_edit(item: &str) -> Result<Edit, String> {
    let parts: Vec<&str> = item.split(':').collect();
    let [step, layer, row, col, value] = parts[..] else {
        return Err("expected STEP:LAYER:ROW:COL:VALUE, e.g. 0:1:0:b:0.5".into());
    };
    let whole = |v: &str, what: &str, lo: u64| match v.parse::<u64>() {
        Ok(n) if n >= lo && n <= MAX_STEP => Ok(n),
        _ => Err(format!("{what} must be a whole number from {lo} to {MAX_STEP}")),
    };
    let value_ok = value.parse::<f32>().ok().filter(|v| v.is_finite() && v.abs() <= MAX_VALUE);
    Ok(Edit {
        step: whole(step, "STEP", 0)?,
        layer: whole(layer, "LAYER (the weight matrix, from 1)", 1)? as usize,
        row: whole(row, "ROW (the unit, from 0)", 0)? as usize,
        col: if col == "b" { None } else { Some(whole(col, "COL (the input from 0, or b for the bias)", 0)? as usize) },
        value: value_ok.ok_or(format!("VALUE must be a number from -{MAX_VALUE} to {MAX_VALUE}"))?,
    })
}

/// Reads the `edit=` value: comma-separated items (empty for none). The message names the item.
pub fn parse_edits(v: &str) -> Result<Vec<Edit>, String> {
    if v.is_empty() {
        return Ok(Vec::new());
    }
    let items: Vec<&str> = v.split(',').collect();
    if items.len() > MAX_EDITS {
        return Err(format!("at most {MAX_EDITS} edits"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_edit(item.trim()).map_err(|m| format!("item {} ({}): {m}", i + 1, shown(item))))
        .collect()
}

/// The `edit=` value of `edits`.
pub fn encode_edits(edits: &[Edit]) -> String {
    edits.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(",")
}

/// Checks that every edit names a weight of a network of layer sizes `sizes` (`[n_0, ..., n_L]`);
/// the error is the bad item and a message that names it and the range.
pub fn check_edits(edits: &[Edit], sizes: &[usize]) -> Result<(), (String, String)> {
    let n_layers = sizes.len() - 1;
    for (i, e) in edits.iter().enumerate() {
        let bad = |m: String| (e.to_string(), format!("item {} ({e}): {m}", i + 1));
        if e.layer > n_layers {
            return Err(bad(format!(
                "LAYER {} is past the last weight matrix ({n_layers} layers: 1 to {n_layers})",
                e.layer
            )));
        }
        let (n_in, n_out) = (sizes[e.layer - 1], sizes[e.layer]);
        if e.row >= n_out {
            return Err(bad(format!("ROW {} is past layer {}'s {n_out} units (0 to {})", e.row, e.layer, n_out - 1)));
        }
        if let Some(c) = e.col
            && c >= n_in
        {
            return Err(bad(format!(
                "COL {c} is past layer {}'s {n_in} inputs (0 to {}, or b for the bias)",
                e.layer,
                n_in - 1
            )));
        }
    }
    Ok(())
}

/// Sets the weight or bias `e` names (checked by [`check_edits`]).
pub fn apply(net: &mut Network, e: &Edit) {
    let layer = &mut net.layers[e.layer - 1];
    match e.col {
        Some(c) => layer.w[[e.row, c]] = e.value,
        None => layer.b[e.row] = e.value,
    }
}

/// The value `e` would replace.
pub fn current(net: &Network, e: &Edit) -> f32 {
    let layer = &net.layers[e.layer - 1];
    match e.col {
        Some(c) => layer.w[[e.row, c]],
        None => layer.b[e.row],
    }
}

/// What an edit does on the current minibatch, a perturbation made by hand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EditEffect {
    /// The value before and the change `delta = value - before`.
    pub before: f32,
    pub delta: f32,
    /// Mean loss of the minibatch before and after the edit (clean passes; the data loss, no
    /// penalty), and their difference `dL = after - before`.
    pub loss_before: f32,
    pub loss_after: f32,
    pub d_loss: f32,
    /// The credit a perturbation rule reads from it: `dL / delta`, the loss change per unit of the
    /// perturbation (NP's `dL eps / sigma^2` with the noise `eps` replaced by the edit `delta`
    /// and its variance by `delta^2`; weight perturbation's estimate from this one probe). To
    /// first order it is the gradient `dL/dw`; None when `delta` is 0.
    pub credit: Option<f32>,
    /// The exact gradient `dL/dw` of the minibatch loss before the edit (backpropagation), to set
    /// the credit beside; None for step units (no gradient).
    pub gradient: Option<f32>,
    /// What plain SGD at the run's learning rate would do with the credit: `-lr * credit`.
    pub sgd_change: Option<f32>,
}

impl EditEffect {
    /// As JSON, written by hand: `{"before","delta","loss_before","loss_after","d_loss",
    /// "credit","gradient","sgd_change"}`, null where a value is None or not finite.
    pub fn to_json(&self) -> String {
        let fields = [
            ("before", Some(self.before)),
            ("delta", Some(self.delta)),
            ("loss_before", Some(self.loss_before)),
            ("loss_after", Some(self.loss_after)),
            ("d_loss", Some(self.d_loss)),
            ("credit", self.credit),
            ("gradient", self.gradient),
            ("sgd_change", self.sgd_change),
        ];
        let mut out = String::from("{");
        for (i, (k, v)) in fields.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(k);
            out.push_str("\":");
            match v.filter(|v| v.is_finite()) {
                Some(v) => out.push_str(&v.to_string()),
                None => out.push_str("null"),
            }
        }
        out.push('}');
        out
    }
}

/// Reads `LAYER:ROW:COL:VALUE`, an edit made now, at step `step` (what the page sends).
pub fn parse_edit_at(step: u64, item: &str) -> Result<Edit, String> {
    parse_edit(&format!("{step}:{item}")).map_err(|m| format!("edit {}: {m}", shown(item)))
}
