//! Classic node perturbation (NP; with decorrelation DNP).
//!
//! One clean pass (loss `L_b`) and `K` noisy passes with noise `eps_l ~ N(0, sigma^2 I)` in every
//! layer at once (loss `L~_b`), `dL_b = L~_b - L_b`:
//!
//! `G_l = mean_b (1/K) sum_k (dL_{k,b} / sigma^2) eps_{l,k,b} x_{l-1,b}^T`
//!
//! with `x_{l-1}` the CLEAN input. Each layer's update also carries the loss change caused by the
//! other layers' noise, so its variance grows with the network's size.

use ndarray::Array2;

use crate::network::Trace;

/// `S_l[b] = (1/K) sum_k (dL_{k,b} / sigma^2) eps_{l,k,b}`; passes `1..=K` are the noisy ones.
pub fn signals(trace: &Trace, losses: &[f32], sigma: f32, signals: &mut [Array2<f32>]) {
    let bsz = trace.batch;
    let draws = trace.passes - 1;
    let inv_var = 1.0 / (sigma * sigma);
    for (l, s) in signals.iter_mut().enumerate() {
        let n = s.ncols();
        let s = s.as_slice_mut().unwrap();
        s.fill(0.0);
        for k in 1..=draws {
            let eps = trace.pass_rows(&trace.layers[l].eps, k);
            for b in 0..bsz {
                let c = (losses[k * bsz + b] - losses[b]) * inv_var / draws as f32;
                for j in 0..n {
                    s[b * n + j] += c * eps[b * n + j];
                }
            }
        }
    }
}
