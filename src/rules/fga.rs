//! Forward gradient in activity space (FG-A; with decorrelation DFG-A), after Ren, Kornblith,
//! Liao & Hinton (ICLR 2023), "Scaling forward gradient with local losses"; the NP paper's latest
//! version calls NP an "activity-perturbed forward gradient".
//!
//! Each of the `K` draws puts a tangent `u_{l,k,b} ~ N(0, I)` on every unit's pre-activation of
//! every sample (every layer, output included) and one tangent pass carries it forward:
//! `da_1 = u_1`, `da_l = (f'(a_{l-1}) * da_{l-1}) R_l^T W_l^T + u_l`. The exact per-sample
//! directional derivative is `d_{k,b} = (dL_b/da_L) . da_{L,k,b} = sum_l (dL_b/da_l) . u_{l,k,b}`,
//! and
//!
//! `G_l = mean_b (1/K) sum_k d_{k,b} u_{l,k,b} x_{l-1,b}^T` (the signal `S_l[b] = (1/K) sum_k
//! d_{k,b} u_{l,k,b}`).
//!
//! NP with `eps = sigma u` tends to it as `sigma -> 0` (its `dL_b / sigma^2 * eps` is `d_b u` to
//! first order), until float32 rounding of `L~ - L` takes over. It needs `f'`, so like BP it
//! cannot train step units.

use ndarray::Array2;

use crate::network::{Network, Trace};
use crate::rng::Rng;

/// Sizes `t[l]` to `(rows, n_l)` for every layer (no allocation when unchanged).
pub fn size_tangents(net: &Network, rows: usize, t: &mut Vec<Array2<f32>>) {
    t.resize_with(net.n_layers(), Default::default);
    for (m, layer) in t.iter_mut().zip(&net.layers) {
        if m.dim() != (rows, layer.n_out()) {
            *m = Array2::zeros((rows, layer.n_out()));
        }
    }
}

/// Draws `u[l] (K*B, n_l) ~ N(0, I)`, layer by layer (each layer's rows draw by draw, sample by
/// sample).
pub fn draw_tangents(net: &Network, batch: usize, draws: usize, u: &mut Vec<Array2<f32>>, rng: &mut Rng) {
    size_tangents(net, draws * batch, u);
    for m in u.iter_mut() {
        rng.fill_normal(m.as_slice_mut().unwrap(), 1.0);
    }
}

/// The tangent pass at the clean pass of `trace`: `tangent_a[l] (K*B, n_l)` from the unit
/// tangents `u`.
pub fn tangent_pass(
    net: &Network,
    trace: &Trace,
    u: &[Array2<f32>],
    tangent_a: &mut Vec<Array2<f32>>,
    scratch: &mut Vec<f32>,
) {
    size_tangents(net, u[0].nrows(), tangent_a);
    for l in 0..net.n_layers() {
        let (below, cur) = tangent_a.split_at_mut(l);
        let da = cur[0].as_slice_mut().unwrap();
        let ul = u[l].as_slice().unwrap();
        if l == 0 {
            da.copy_from_slice(ul);
        } else {
            net.tangent_through(trace, l, below[l - 1].as_slice().unwrap(), da, scratch);
            for (d, &t) in da.iter_mut().zip(ul) {
                *d += t;
            }
        }
    }
}

/// `g (B, n_L)`: the per-sample loss gradient with respect to the logits of the clean pass.
pub fn output_grads(net: &Network, trace: &Trace, labels: &[usize], g: &mut Vec<f32>) {
    let n_out = net.layers.last().unwrap().n_out();
    let logits = trace.logits(0);
    g.resize(trace.batch * n_out, 0.0);
    for (b, &y) in labels.iter().enumerate().take(trace.batch) {
        let rows = b * n_out..(b + 1) * n_out;
        net.loss.value_and_grad(&logits[rows.clone()], y, &mut g[rows]);
    }
}

/// `d[k*B + b] = g_b . da_L[k*B + b]` for `draws` stacked draws of the output layer's tangent.
pub fn per_sample_directional(batch: usize, g: &[f32], da_out: &[f32], draws: usize) -> Vec<f32> {
    let n_out = g.len() / batch;
    let mut d = Vec::with_capacity(draws * batch);
    for k in 0..draws {
        for b in 0..batch {
            let r = (k * batch + b) * n_out;
            d.push(g[b * n_out..(b + 1) * n_out].iter().zip(&da_out[r..r + n_out]).map(|(x, y)| x * y).sum());
        }
    }
    d
}

/// `directional[k*B + b] = d_{k,b}` and the signals `S_l[b] = (1/K) sum_k d_{k,b} u_{l,k,b}`.
pub fn signals(
    batch: usize,
    g: &[f32],
    u: &[Array2<f32>],
    tangent_a: &[Array2<f32>],
    directional: &mut Vec<f32>,
    signals: &mut [Array2<f32>],
) {
    let draws = u[0].nrows() / batch;
    *directional = per_sample_directional(batch, g, tangent_a.last().unwrap().as_slice().unwrap(), draws);
    for (l, s) in signals.iter_mut().enumerate() {
        let n = s.ncols();
        let s = s.as_slice_mut().unwrap();
        s.fill(0.0);
        let ul = u[l].as_slice().unwrap();
        for k in 0..draws {
            for b in 0..batch {
                let c = directional[k * batch + b] / draws as f32;
                let r = (k * batch + b) * n;
                for j in 0..n {
                    s[b * n + j] += c * ul[r + j];
                }
            }
        }
    }
}
