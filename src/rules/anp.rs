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
//! mode): then every draw `k` has its own pair of noisy passes, `da` and `dL` are differences
//! between the two, and the layer input is taken from the pair's first pass:
//! `G_l = mean_b (1/K) sum_k N dL_{k,b} da_{l,k,b} x_{l-1,k,b}^T / ||da_{k,b}||^2` (`2K` passes).

use ndarray::Array2;

use crate::network::Trace;

/// The pairs of passes `(reference, other)` of the draws: `(0, k)` for `k = 1..=K` with a clean
/// reference pass, `(2k, 2k + 1)` for `k = 0..K` in blind mode (every draw its own pair).
pub fn pairs(passes: usize, blind: bool) -> Vec<(usize, usize)> {
    if blind { (0..passes / 2).map(|k| (2 * k, 2 * k + 1)).collect() } else { (1..passes).map(|k| (0, k)).collect() }
}

/// `S_l[b] = (1/K) sum_k N dL_{k,b} da_{l,k,b} / ||da_{k,b}||^2` over the draws `pairs` (each
/// `(reference pass, other pass)`; `K` = `draws`, which may be more than `pairs.len()` when the
/// caller handles the draws one at a time).
pub fn signals(
    trace: &Trace,
    losses: &[f32],
    pairs: &[(usize, usize)],
    draws: usize,
    signals: &mut [Array2<f32>],
    norms: &mut Vec<f32>,
) {
    let bsz = trace.batch;
    let n_units: usize = signals.iter().map(|s| s.ncols()).sum();
    // ||da_{k,b}||^2 over all layers, for every draw and sample.
    norms.clear();
    norms.resize(pairs.len() * bsz, 0.0);
    for lt in &trace.layers {
        let n = lt.a.ncols();
        for (k, &(r, q)) in pairs.iter().enumerate() {
            let reference = trace.pass_rows(&lt.a, r);
            let noisy = trace.pass_rows(&lt.a, q);
            for b in 0..bsz {
                let mut s = 0.0f32;
                for j in b * n..(b + 1) * n {
                    let d = noisy[j] - reference[j];
                    s += d * d;
                }
                norms[k * bsz + b] += s;
            }
        }
    }
    for (l, s) in signals.iter_mut().enumerate() {
        let n = s.ncols();
        let s = s.as_slice_mut().unwrap();
        s.fill(0.0);
        let a = &trace.layers[l].a;
        for (k, &(r, q)) in pairs.iter().enumerate() {
            let reference = trace.pass_rows(a, r);
            let noisy = trace.pass_rows(a, q);
            for b in 0..bsz {
                let norm2 = norms[k * bsz + b];
                if norm2 == 0.0 {
                    continue;
                }
                let c = n_units as f32 * (losses[q * bsz + b] - losses[r * bsz + b]) / norm2 / draws as f32;
                for j in b * n..(b + 1) * n {
                    s[j] += c * (noisy[j] - reference[j]);
                }
            }
        }
    }
}
