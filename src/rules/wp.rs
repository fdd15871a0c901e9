//! Weight perturbation (WP; with decorrelation DWP): finite differences in weight space, as in
//! SPSA and MeZO (Malladi et al. 2023, "Fine-tuning language models with just forward passes").
//!
//! Each of the `K` draws adds `xi_k ~ N(0, sigma^2 I)` to every weight and bias of every layer,
//! shared by all samples of the minibatch; one clean pass and `K` passes with `W + xi_k` (`R` is
//! not perturbed: no rule trains it). With `dL_k = mean_b (L~_{k,b} - L_b)`, the minibatch-mean
//! loss change of draw `k`:
//!
//! `G = (1/K) sum_k (dL_k / sigma^2) xi_k` (every weight and bias at once).
//!
//! To first order `E[G]` is the gradient of the minibatch loss, but one probe serves the whole
//! minibatch and its variance grows with the number of weights (NP's with the number of units).

use crate::kernels;
use crate::network::{Network, Trace};
use crate::rng::Rng;

use super::Grads;

/// Draws `probes[k] = xi_k` for `k = 0..draws` from `rng`: draw by draw, layer by layer, the
/// weights (row-major) then the biases.
pub fn draw_probes(net: &Network, probes: &mut Vec<Grads>, draws: usize, sigma: f32, rng: &mut Rng) {
    if probes.len() != draws || probes.first().is_some_and(|p| p.w.len() != net.n_layers()) {
        *probes = (0..draws).map(|_| Grads::zeros_like(net)).collect();
    }
    for xi in probes.iter_mut() {
        for (w, b) in xi.w.iter_mut().zip(xi.b.iter_mut()) {
            rng.fill_normal(w.as_slice_mut().unwrap(), sigma);
            rng.fill_normal(b.as_slice_mut().unwrap(), sigma);
        }
    }
}

/// The clean pass 0 and pass `k + 1` with weights `W + xi_k` for every probe, into `trace`
/// (prepared for `Passes::all_layers(L, K, false)`: every pass differs from layer 0 on, whose
/// input is shared). `wb` holds one layer's perturbed weights and biases.
pub fn forward(net: &Network, trace: &mut Trace, probes: &[Grads], wb: &mut Vec<f32>) {
    let bsz = trace.batch;
    let passes = 1 + probes.len();
    let mut unused = Vec::new();
    for (l, layer) in net.layers.iter().enumerate() {
        let (n_in, n_out) = (layer.n_in(), layer.n_out());
        let rows_x = if l == 0 { bsz } else { passes * bsz };
        let (prev, cur) = trace.layers.split_at_mut(l);
        let lt = &mut cur[0];
        {
            let h_prev: &[f32] = if l == 0 {
                &trace.input.as_slice().unwrap()[..bsz * n_in]
            } else {
                &prev[l - 1].h.as_slice().unwrap()[..rows_x * n_in]
            };
            let x = &mut lt.x.as_slice_mut().unwrap()[..rows_x * n_in];
            match &layer.r {
                Some(r) => {
                    kernels::gemm_nt_bias(h_prev, r.as_slice().unwrap(), None, x, rows_x, n_in, n_in, &mut unused)
                }
                None => x.copy_from_slice(h_prev),
            }
        }
        let x = lt.x.as_slice().unwrap();
        let a = lt.a.as_slice_mut().unwrap();
        let (w, b) = (layer.w.as_slice().unwrap(), layer.b.as_slice().unwrap());
        kernels::gemm_nt_bias(&x[..bsz * n_in], w, Some(b), &mut a[..bsz * n_out], bsz, n_out, n_in, &mut unused);
        wb.resize(n_out * n_in + n_out, 0.0);
        for (k, xi) in probes.iter().enumerate() {
            let p = k + 1;
            let (wk, bk) = wb.split_at_mut(n_out * n_in);
            sum_into(wk, w, xi.w[l].as_slice().unwrap());
            sum_into(bk, b, xi.b[l].as_slice().unwrap());
            let xp = if l == 0 { &x[..bsz * n_in] } else { &x[p * bsz * n_in..(p + 1) * bsz * n_in] };
            let ap = &mut a[p * bsz * n_out..(p + 1) * bsz * n_out];
            kernels::gemm_nt_bias(xp, wk, Some(bk), ap, bsz, n_out, n_in, &mut unused);
        }
        let rows_a = passes * bsz * n_out;
        net.act_of(l).apply(&a[..rows_a], &mut lt.h.as_slice_mut().unwrap()[..rows_a]);
    }
}

/// `out = a + b`, value by value.
#[inline(never)]
fn sum_into(out: &mut [f32], a: &[f32], b: &[f32]) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = x + y;
    }
}

/// `directional[k] = dL_k` (the minibatch-mean loss change of probe `k`, each sample's change
/// summed in f64) and `grads = (1/K) sum_k (dL_k / sigma^2) xi_k`, from the per-pass losses
/// `losses[p * batch + b]`.
pub fn update(
    batch: usize,
    losses: &[f32],
    probes: &[Grads],
    sigma: f32,
    directional: &mut Vec<f32>,
    grads: &mut Grads,
) {
    let draws = probes.len();
    directional.clear();
    grads.zero();
    for (k, xi) in probes.iter().enumerate() {
        let p = k + 1;
        let change: f64 = (0..batch).map(|b| (losses[p * batch + b] - losses[b]) as f64).sum();
        let dl = (change / batch as f64) as f32;
        directional.push(dl);
        grads.add_scaled(dl / (sigma * sigma) / draws as f32, xi);
    }
}
