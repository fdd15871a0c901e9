//! Forward gradient in weight space (FG-W; with decorrelation DFG-W), after Baydin, Pearlmutter,
//! Syme, Wood & Torr (2022), "Gradients without backpropagation".
//!
//! Each of the `K` draws takes a tangent `v_k ~ N(0, I)` over every weight and bias, shared by
//! the minibatch, and computes the exact directional derivative of the minibatch's mean loss
//! `d_k = grad(L) . v_k` by one forward-mode (tangent) pass beside the clean pass: no finite
//! difference and no backward pass. With `x_0`'s tangent zero,
//!
//! `da_l = x_{l-1} dW_l^T + db_l + dx_{l-1} W_l^T`, `dx_{l-1} = (f'(a_{l-1}) * da_{l-1}) R_l^T`,
//! `d_k = mean_b (dL_b/da_L) . da_{L,k,b}`, and `G = (1/K) sum_k d_k v_k`.
//!
//! Unbiased (`E[v v^T] = I`); its variance grows with the number of weights, as WP's does, but it
//! has no finite-difference error. It needs `f'`, so like BP it cannot train step units.

use ndarray::Array2;

use crate::kernels;
use crate::network::{Network, Trace};
use crate::rng::Rng;

use super::Grads;

/// Draws the tangents `probes[k] = v_k ~ N(0, I)` for `k = 0..draws`: draw by draw, layer by
/// layer, the weights (row-major) then the biases.
pub fn draw_probes(net: &Network, probes: &mut Vec<Grads>, draws: usize, rng: &mut Rng) {
    super::wp::draw_probes(net, probes, draws, 1.0, rng);
}

/// The tangent pass of every draw at the clean pass of `trace`: `tangent_a[l]` `(K*B, n_l)`, row
/// `k*B + b` the tangent of sample `b`'s pre-activation `a_l` along `v_k`.
pub fn tangent_pass(
    net: &Network,
    trace: &Trace,
    probes: &[Grads],
    tangent_a: &mut Vec<Array2<f32>>,
    scratch: &mut Vec<f32>,
    tmp: &mut Vec<f32>,
) {
    let bsz = trace.batch;
    let rows = probes.len() * bsz;
    super::fga::size_tangents(net, rows, tangent_a);
    let mut unused = Vec::new();
    for (l, layer) in net.layers.iter().enumerate() {
        let (n_in, n_out) = (layer.n_in(), layer.n_out());
        let (below, cur) = tangent_a.split_at_mut(l);
        let da = cur[0].as_slice_mut().unwrap();
        if l == 0 {
            da.fill(0.0);
        } else {
            net.tangent_through(trace, l, below[l - 1].as_slice().unwrap(), da, scratch);
        }
        let x = trace.pass_rows(&trace.layers[l].x, 0);
        tmp.resize(bsz * n_out, 0.0);
        for (k, v) in probes.iter().enumerate() {
            let (dw, db) = (v.w[l].as_slice().unwrap(), v.b[l].as_slice().unwrap());
            kernels::gemm_nt_bias(x, dw, Some(db), tmp, bsz, n_out, n_in, &mut unused);
            for (d, &t) in da[k * bsz * n_out..(k + 1) * bsz * n_out].iter_mut().zip(tmp.iter()) {
                *d += t;
            }
        }
    }
}

/// `directional[k] = d_k = mean_b g_b . da_{L,k,b}` with `g_b = dL_b/da_L` (`g`, `(B, n_L)`, from
/// [`super::fga::output_grads`]), and `grads = (1/K) sum_k d_k v_k`.
pub fn update(
    trace: &Trace,
    g: &[f32],
    probes: &[Grads],
    tangent_a: &[Array2<f32>],
    directional: &mut Vec<f32>,
    grads: &mut Grads,
) {
    let bsz = trace.batch;
    let draws = probes.len();
    let per_sample = super::fga::per_sample_directional(bsz, g, tangent_a.last().unwrap().as_slice().unwrap(), draws);
    directional.clear();
    grads.zero();
    for (k, v) in probes.iter().enumerate() {
        let d = (per_sample[k * bsz..(k + 1) * bsz].iter().map(|&x| x as f64).sum::<f64>() / bsz as f64) as f32;
        directional.push(d);
        grads.add_scaled(d / draws as f32, v);
    }
}
