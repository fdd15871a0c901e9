//! Activity-based node perturbation (ANP; with decorrelation DANP).
//!
//! The same passes as NP, but the update uses the MEASURED change of each pre-activation,
//! `da_l = a~_l - a_l` (the injected noise plus what earlier layers' noise propagated), normalised
//! over the whole network per sample (a network-wide quantity, not a local one):
//!
//! `G_l = mean_b (1/K) sum_k N dL_{k,b} da_{l,k,b} x_{l-1,b}^T / ||da_{k,b}||^2`,
//! `||da_{k,b}||^2 = sum_l ||da_{l,k,b}||^2`, `N = n_1 + ... + n_L`.
//!
//! The injected noise never enters, so it also runs when the noise cannot be observed (blind
//! mode): then pass 0 is itself noisy, and `da` and `dL` are differences between two noisy passes,
//! with the layer input taken from pass 0.

use ndarray::Array2;

use crate::network::Trace;

pub fn signals(trace: &Trace, losses: &[f32], signals: &mut [Array2<f32>], norms: &mut Vec<f32>) {
    let bsz = trace.batch;
    let draws = trace.passes - 1;
    let n_units: usize = signals.iter().map(|s| s.ncols()).sum();
    // ||da_{k,b}||^2 over all layers, for every noisy pass and sample.
    norms.clear();
    norms.resize(draws * bsz, 0.0);
    for lt in &trace.layers {
        let n = lt.a.ncols();
        let clean = trace.pass_rows(&lt.a, 0);
        for k in 1..=draws {
            let noisy = trace.pass_rows(&lt.a, k);
            for b in 0..bsz {
                let mut s = 0.0f32;
                for j in b * n..(b + 1) * n {
                    let d = noisy[j] - clean[j];
                    s += d * d;
                }
                norms[(k - 1) * bsz + b] += s;
            }
        }
    }
    for (l, s) in signals.iter_mut().enumerate() {
        let n = s.ncols();
        let s = s.as_slice_mut().unwrap();
        s.fill(0.0);
        let a = &trace.layers[l].a;
        let clean = trace.pass_rows(a, 0);
        for k in 1..=draws {
            let noisy = trace.pass_rows(a, k);
            for b in 0..bsz {
                let norm2 = norms[(k - 1) * bsz + b];
                if norm2 == 0.0 {
                    continue;
                }
                let c = n_units as f32 * (losses[k * bsz + b] - losses[b]) / norm2 / draws as f32;
                for j in b * n..(b + 1) * n {
                    s[j] += c * (noisy[j] - clean[j]);
                }
            }
        }
    }
}
