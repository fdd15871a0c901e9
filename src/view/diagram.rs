//! The network diagram, in TensorFlow Playground's grammar: a column of nodes per layer (inputs,
//! hidden units, outputs), links coloured by the sign of their weight and as wide as its size. A
//! wide layer shows a fixed subset of its units, chosen the same way every time (evenly spaced,
//! first and last included), and says so ("16 of 256").

use serde::Serialize;

use crate::run::Trainer;

/// Most nodes a layer shows.
pub const MAX_NODES: usize = 16;

/// The units of a layer of `n` the diagram shows: all of them up to [`MAX_NODES`], else
/// [`MAX_NODES`] evenly spaced ones, the first and the last included.
pub fn shown(n: usize) -> Vec<usize> {
    if n <= MAX_NODES { (0..n).collect() } else { (0..MAX_NODES).map(|i| i * (n - 1) / (MAX_NODES - 1)).collect() }
}

/// The diagram of a network: for every layer `0..=L` its size and the units shown, and for every
/// weight layer the shown links' weights and the biases of the shown units. (The last step's
/// update on those links is the slow-motion walk's: `view::walk`.)
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagram {
    /// `[n_0, n_1, ..., n_L]`.
    pub sizes: Vec<usize>,
    /// Per layer `0..=L`, the indices of the units shown.
    pub shown: Vec<Vec<usize>>,
    /// Per weight layer `l = 1..=L` (index `l - 1`), `W_l[j][i]` for the shown `j` of layer `l` and
    /// the shown `i` of layer `l - 1`, row-major `(shown[l], shown[l - 1])`.
    pub weights: Vec<Vec<f32>>,
    /// Per weight layer, the shown units' biases.
    pub biases: Vec<Vec<f32>>,
    /// The largest `|w|` over the shown links (the widest link).
    pub max_weight: f32,
    /// Whether each layer has a decorrelation matrix `R` in front of it.
    pub decorrelated: bool,
}

/// The diagram of `t`'s network now.
pub fn diagram(t: &Trainer) -> Diagram {
    let net = t.network();
    let sizes = net.sizes();
    let shown: Vec<Vec<usize>> = sizes.iter().map(|&n| self::shown(n)).collect();
    let pick = |m: &ndarray::Array2<f32>, l: usize| -> Vec<f32> {
        shown[l + 1].iter().flat_map(|&j| shown[l].iter().map(move |&i| m[[j, i]])).collect()
    };
    let weights: Vec<Vec<f32>> = net.layers.iter().enumerate().map(|(l, layer)| pick(&layer.w, l)).collect();
    let max_weight = weights.iter().flatten().fold(0.0f32, |m, w| if w.is_finite() { m.max(w.abs()) } else { m });
    Diagram {
        biases: net
            .layers
            .iter()
            .enumerate()
            .map(|(l, layer)| shown[l + 1].iter().map(|&j| layer.b[j]).collect())
            .collect(),
        weights,
        max_weight,
        decorrelated: net.is_decorrelated(),
        sizes,
        shown,
    }
}
