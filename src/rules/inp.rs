//! Iterative node perturbation (INP; with decorrelation DINP).
//!
//! One clean pass, then for each layer `l` its own `K` noisy passes with noise in layer `l` only
//! (later layers see the propagated change). With `dL^(l)_b` the loss change of such a pass:
//!
//! `G_l = mean_b (1/K) sum_k dL^(l,k)_b (n_l / ||eps_{l,k,b}||^2) eps_{l,k,b} x_{l-1,b}^T`
//!
//! There is no cross-talk between layers. Passes are stacked as `1 + l*K + k` (see
//! `Passes::per_layer`).

use ndarray::Array2;

use crate::network::Trace;

pub fn signals(trace: &Trace, losses: &[f32], draws: usize, signals: &mut [Array2<f32>]) {
    let bsz = trace.batch;
    for (l, s) in signals.iter_mut().enumerate() {
        let n = s.ncols();
        let s = s.as_slice_mut().unwrap();
        s.fill(0.0);
        for k in 0..draws {
            let p = 1 + l * draws + k;
            let eps = trace.pass_rows(&trace.layers[l].eps, p);
            for b in 0..bsz {
                let e = &eps[b * n..(b + 1) * n];
                let norm2: f32 = e.iter().map(|v| v * v).sum();
                if norm2 == 0.0 {
                    continue;
                }
                let c = (losses[p * bsz + b] - losses[b]) * n as f32 / norm2 / draws as f32;
                for j in 0..n {
                    s[b * n + j] += c * e[j];
                }
            }
        }
    }
}
