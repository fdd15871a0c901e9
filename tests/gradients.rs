//! BP gradients equal central finite differences of the loss, for every activation that has a
//! derivative, both losses, with and without a (non-identity) decorrelation matrix.

mod common;

use np_playground::activation::Activation;
use np_playground::loss::Loss;
use np_playground::network::{Network, Trace};
use np_playground::rng::Rng;

/// Parameter `i` of layer `l`: the weights in row-major order, then the biases.
fn param(net: &mut Network, l: usize, i: usize) -> &mut f32 {
    let n_w = net.layers[l].w.len();
    if i < n_w { &mut net.layers[l].w.as_slice_mut().unwrap()[i] } else { &mut net.layers[l].b[i - n_w] }
}

#[test]
fn bp_matches_central_finite_differences() {
    for act in Activation::ALL.into_iter().filter(|a| a.has_useful_gradient()) {
        for loss in [Loss::CrossEntropy, Loss::MeanSquared] {
            for decorrelated in [false, true] {
                let mut net = common::net(&[3, 5, 4, 3], act, loss, decorrelated, 7);
                let mut rng = Rng::new(99);
                if decorrelated {
                    // A non-trivial R so the chain rule through x = R h is exercised.
                    for layer in &mut net.layers {
                        let r = layer.r.as_mut().unwrap();
                        for v in r.iter_mut() {
                            *v += 0.2 * rng.normal();
                        }
                    }
                }
                for layer in &mut net.layers {
                    for v in layer.b.iter_mut() {
                        *v = 0.3 * rng.normal(); // keep ReLU units away from the kink at 0
                    }
                }
                let (x, y) = common::batch(&mut rng, 6, 3, 3);
                let g = common::bp_grads(&net, &x, &y);
                let h = 1e-3f32;
                let (mut checked, mut skipped) = (0, 0);
                for l in 0..net.n_layers() {
                    let n_w = net.layers[l].w.len();
                    for i in 0..n_w + net.layers[l].b.len() {
                        let orig = *param(&mut net, l, i);
                        *param(&mut net, l, i) = orig + h;
                        let up = common::mean_loss(&net, &x, &y);
                        let signs_up = hidden_signs(&net, &x, y.len());
                        *param(&mut net, l, i) = orig - h;
                        let down = common::mean_loss(&net, &x, &y);
                        let signs_down = hidden_signs(&net, &x, y.len());
                        *param(&mut net, l, i) = orig;
                        if signs_up != signs_down {
                            // A ReLU kink lies between the two probes: the difference quotient
                            // is not the derivative there, so this parameter cannot be checked.
                            skipped += 1;
                            continue;
                        }
                        checked += 1;
                        let fd = (up - down) / (2.0 * h as f64);
                        let bp = if i < n_w { g.w[l].as_slice().unwrap()[i] } else { g.b[l][i - n_w] } as f64;
                        let tol = 2e-3 + 2e-2 * fd.abs().max(bp.abs());
                        assert!(
                            (fd - bp).abs() < tol,
                            "{act:?} {loss:?} decorrelated={decorrelated} layer {l} param {i}: finite difference {fd:.6} vs BP {bp:.6}"
                        );
                    }
                }
                assert!(
                    skipped * 10 <= checked,
                    "{act:?}: {skipped} parameters skipped at kinks, only {checked} checked"
                );
            }
        }
    }
}

/// Which hidden pre-activations are positive (where a piecewise-linear unit changes slope).
fn hidden_signs(net: &Network, x: &[f32], rows: usize) -> Vec<bool> {
    let mut t = Trace::default();
    net.forward(x, rows, &mut t);
    t.layers[..net.n_layers() - 1].iter().flat_map(|lt| lt.a.iter().map(|&a| a > 0.0).collect::<Vec<_>>()).collect()
}
