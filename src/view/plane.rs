//! The network's view of the 2-D input plane: class-1 probability at every grid cell (the
//! decision boundary) and every hidden unit's output (TensorFlow Playground's neuron thumbnails),
//! with the policy that picks the grid's resolution.

use crate::data::features::Features;
use crate::network::{Network, Trace};

/// The plane shown in the page: `[-EXTENT, EXTENT]^2` (the plane the data lives on).
pub const EXTENT: f32 = crate::data::PLANE_EXTENT;
/// The grids of the decision boundary, finest first.
pub const RESOLUTIONS: [usize; 4] = [64, 32, 16, 8];
/// Node thumbnails of the network diagram are drawn about 40 px wide: a 32 x 32 grid is plenty.
pub const UNIT_RESOLUTION: usize = 32;
/// Forward-pass work the boundary grid may cost, in flops (about 128 MFLOP: about 10 ms in wasm;
/// the worker computes it once per snapshot and run).
const GRID_FLOPS: u64 = 128_000_000;

/// Every feature of `features` over a `res x res` grid of the plane (row 0 at the top), one
/// `res * res` block per feature in input order: the input nodes' maps.
pub fn feature_maps(features: Features, res: usize) -> Vec<f32> {
    let (d, n) = (features.count(), res * res);
    let mut out = vec![0.0; d * n];
    let mut f = vec![0.0; d];
    for i in 0..n {
        features.map(coord(i % res, res), coord(res - 1 - i / res, res), &mut f);
        for (k, v) in f.iter().enumerate() {
            out[k * n + i] = *v;
        }
    }
    out
}

/// The grid resolution the plane view should use for `net`: 64 x 64 unless the network is so
/// large that the grid's forward pass would cost more than [`GRID_FLOPS`] (then 32, 16 or 8);
/// None when even the 8 x 8 grid would (the page then says the map is not drawn).
pub fn resolution(net: &Network) -> Option<usize> {
    // In u64: on wasm32 a usize product overflows for the largest networks (8 layers of 1,024
    // with R: 64 x 64 x 16.8 M x 2 wraps to a small number, and a 64 x 64 grid took 515 MiB).
    let params: u64 = net.layers.iter().map(|l| (l.w.len() + l.r.as_ref().map_or(0, |r| r.len())) as u64).sum();
    RESOLUTIONS.into_iter().find(|&r| (r * r) as u64 * params * 2 <= GRID_FLOPS)
}

/// Outputs over a `res x res` grid spanning `[-EXTENT, EXTENT]^2`, row 0 at the top (y = +EXTENT).
#[derive(Clone, Debug, Default)]
pub struct PlaneView {
    pub res: usize,
    /// `(res * res)`: probability of class 1 (softmax of the logits; for MSE, of the outputs too);
    /// for a network of one output (regression) the predicted value itself.
    pub prob: Vec<f32>,
    /// `(nodes, res * res)`: the output over the plane of every node asked for, layer by layer
    /// (hidden units' activations, then the output units' logits).
    pub units: Vec<f32>,
}

/// Grid coordinate of cell index `i` of `res`.
pub fn coord(i: usize, res: usize) -> f32 {
    -EXTENT + (i as f32 + 0.5) * (2.0 * EXTENT / res as f32)
}

/// The network over a `res x res` grid: the class-1 probability, and for every layer
/// `l = 1..=L` the units `nodes[l - 1]` (indices into the layer; the output layer's values are
/// its logits). The network reads each cell's `features` ([`Features::map`], as the data does).
pub fn view(net: &Network, features: Features, res: usize, nodes: &[Vec<usize>], trace: &mut Trace) -> PlaneView {
    assert_eq!(net.layers[0].n_in(), features.count(), "the plane view needs the network to read the plane's features");
    let n = res * res;
    let mut input = Vec::with_capacity(2 * n);
    for r in 0..res {
        for c in 0..res {
            input.push(coord(c, res));
            input.push(coord(res - 1 - r, res));
        }
    }
    let input = if features.is_identity() { input } else { features.map_rows(&input) };
    net.forward(&input, n, trace);
    let n_out = net.layers.last().unwrap().n_out();
    let logits = trace.logits(0);
    let prob = if n_out == 1 { logits[..n].to_vec() } else { class_one(logits, n, n_out) };
    let mut units = Vec::new();
    for (lt, chosen) in trace.layers.iter().zip(nodes) {
        let w = lt.h.ncols();
        let h = &lt.h.as_slice().unwrap()[..n * w];
        for &j in chosen.iter().filter(|&&j| j < w) {
            units.extend((0..n).map(|i| h[i * w + j]));
        }
    }
    PlaneView { res, prob, units }
}

/// The softmax probability of class 1 of each of `n` rows of `n_out` logits.
fn class_one(logits: &[f32], n: usize, n_out: usize) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let z = &logits[i * n_out..(i + 1) * n_out];
            let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let e: Vec<f32> = z.iter().map(|v| libm::expf(v - m)).collect();
            e[1] / e.iter().sum::<f32>()
        })
        .collect()
}
