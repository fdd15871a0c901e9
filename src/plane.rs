//! The network's view of the 2-D input plane: class-1 probability at every grid cell (the
//! decision boundary) and every hidden unit's output (TensorFlow Playground's neuron thumbnails),
//! plus colour maps that turn such grids into RGBA pixel buffers.

use crate::network::{Network, Trace};

/// The plane shown in the page: `[-EXTENT, EXTENT]^2`.
pub const EXTENT: f32 = 1.5;

/// Outputs over a `res x res` grid spanning `[-EXTENT, EXTENT]^2`, row 0 at the top (y = +EXTENT).
#[derive(Clone, Debug, Default)]
pub struct PlaneView {
    pub res: usize,
    /// `(res * res)`: probability of class 1 (softmax of the logits; for MSE, of the outputs too).
    pub prob: Vec<f32>,
    /// `(hidden units, res * res)`: each hidden unit's activation, layer by layer.
    pub units: Vec<f32>,
}

/// Grid coordinate of cell index `i` of `res`.
pub fn coord(i: usize, res: usize) -> f32 {
    -EXTENT + (i as f32 + 0.5) * (2.0 * EXTENT / res as f32)
}

pub fn view(net: &Network, res: usize, trace: &mut Trace) -> PlaneView {
    assert_eq!(net.layers[0].n_in(), 2, "the plane view needs 2-D inputs");
    let n = res * res;
    let mut input = Vec::with_capacity(2 * n);
    for r in 0..res {
        for c in 0..res {
            input.push(coord(c, res));
            input.push(coord(res - 1 - r, res));
        }
    }
    net.forward(&input, n, trace);
    let n_out = net.layers.last().unwrap().n_out();
    let logits = trace.logits(0);
    let prob = (0..n)
        .map(|i| {
            let z = &logits[i * n_out..(i + 1) * n_out];
            let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let e: Vec<f32> = z.iter().map(|v| libm::expf(v - m)).collect();
            e[1.min(n_out - 1)] / e.iter().sum::<f32>()
        })
        .collect();
    let mut units = Vec::new();
    for lt in &trace.layers[..net.n_layers() - 1] {
        let w = lt.h.ncols();
        let h = &lt.h.as_slice().unwrap()[..n * w];
        for j in 0..w {
            units.extend((0..n).map(|i| h[i * w + j]));
        }
    }
    PlaneView { res, prob, units }
}

/// TensorFlow Playground's diverging map: orange (-1) through white (0) to blue (+1).
pub fn diverging(v: f32) -> [u8; 3] {
    let t = v.clamp(-1.0, 1.0);
    let (orange, white, blue) = ([245.0, 147.0, 34.0], [232.0, 234.0, 235.0], [8.0, 119.0, 189.0]);
    let (a, b, s) = if t < 0.0 { (white, orange, -t) } else { (white, blue, t) };
    [0, 1, 2].map(|k| (a[k] + (b[k] - a[k]) * s) as u8)
}

/// RGBA pixels of a grid of values in [-1, 1] (NaN shows as magenta so it is never mistaken for 0).
pub fn rgba(values: &[f32], out: &mut Vec<u8>) {
    out.clear();
    for &v in values {
        let [r, g, b] = if v.is_finite() { diverging(v) } else { [255, 0, 255] };
        out.extend_from_slice(&[r, g, b, 255]);
    }
}
