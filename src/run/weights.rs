//! Export of a run's weights (issue 20): one JSON object with the run's config string, step and
//! checksum, and every layer's `W`, `b` and, for the decorrelated rules, `R`. Written by hand
//! (no serde in the page's module), numbers in their shortest form that reads back to the same
//! `f32` (a non-finite value, only in a diverged run, as `null`).
//!
//! ```json
//! {"format":"np-playground-weights","version":1,"config":"v=1&data=circle&...","step":1200,
//!  "checksum":"0123456789abcdef","inputs":["x1","x2"],"activation":"tanh","loss":"ce",
//!  "layers":[{"layer":1,"shape":[8,2],"W":[[...],...],"b":[...],"R":null}, ...]}
//! ```
//!
//! `W` is `(units, inputs)` row by row (`a = W x + b`, with `x = R h` when `R` is there);
//! `inputs` names the network's inputs for 2-D data (its features) and is null otherwise.

use std::fmt::Write;

use super::Trainer;
use crate::network::Network;

/// The `format` field.
pub const FORMAT: &str = "np-playground-weights";
/// The `version` field.
pub const VERSION: u32 = 1;

/// `v` in its shortest form that reads back the same, or `null` when it is not finite.
fn number(out: &mut String, v: f32) {
    if v.is_finite() {
        let _ = write!(out, "{v}");
    } else {
        out.push_str("null");
    }
}

/// `values` as rows of `cols` numbers: `[[..],[..]]`.
fn matrix(out: &mut String, values: &[f32], cols: usize) {
    out.push('[');
    for (i, row) in values.chunks(cols.max(1)).enumerate() {
        if i > 0 {
            out.push(',');
        }
        vector(out, row);
    }
    out.push(']');
}

fn vector(out: &mut String, values: &[f32]) {
    out.push('[');
    for (i, &v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        number(out, v);
    }
    out.push(']');
}

/// `s` as a JSON string: the canonical config string and the feature keys hold only characters
/// that need no escape (keys, numbers, `&`, `=`, `,`, `:` and base64url), so it is quoted as is.
fn string(out: &mut String, s: &str) {
    debug_assert!(!s.contains(['"', '\\']) && !s.contains(char::is_control));
    out.push('"');
    out.push_str(s);
    out.push('"');
}

/// The layers of `net` as the `layers` array.
fn layers(out: &mut String, net: &Network) {
    out.push('[');
    for (l, layer) in net.layers.iter().enumerate() {
        if l > 0 {
            out.push(',');
        }
        let _ = write!(out, "{{\"layer\":{},\"shape\":[{},{}],\"W\":", l + 1, layer.n_out(), layer.n_in());
        matrix(out, layer.w.as_slice().unwrap(), layer.n_in());
        out.push_str(",\"b\":");
        vector(out, layer.b.as_slice().unwrap());
        out.push_str(",\"R\":");
        match &layer.r {
            Some(r) => matrix(out, r.as_slice().unwrap(), r.ncols()),
            None => out.push_str("null"),
        }
        out.push('}');
    }
    out.push(']');
}

/// The weights of `trainer`'s run at its current step (see the module documentation).
pub fn weights_json(trainer: &Trainer) -> String {
    let config = trainer.config();
    let net = trainer.network();
    let mut out = String::with_capacity(64 + 12 * net.layers.iter().map(|l| l.w.len() + l.b.len()).sum::<usize>());
    let _ = write!(out, "{{\"format\":\"{FORMAT}\",\"version\":{VERSION},\"config\":");
    string(&mut out, &config.to_string());
    let _ = write!(out, ",\"step\":{},\"checksum\":\"{:016x}\",\"inputs\":", trainer.steps(), trainer.checksum());
    if trainer.is_planar() {
        out.push('[');
        for (i, k) in config.features.keys().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(&mut out, k);
        }
        out.push(']');
    } else {
        out.push_str("null");
    }
    let _ =
        write!(out, ",\"activation\":\"{}\",\"loss\":\"{}\",\"layers\":", config.activation.key(), config.loss.key());
    layers(&mut out, net);
    out.push('}');
    out
}
