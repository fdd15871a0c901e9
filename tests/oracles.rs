//! Known answers and independent oracles for the pieces the rules are built from: the optimisers
//! against their textbook formulas worked in f64, the forward product's bias step against the plain
//! in-order sum, and the fast decorrelation update `X^T (X R) / B - diag(M) R` against the
//! explicit `R - eta offdiag(C) R`.

use ndarray::{Array1, Array2};
use np_playground::activation::Activation;
use np_playground::decorrelation::{self, Scratch};
use np_playground::kernels;
use np_playground::loss::Loss;
use np_playground::network::Network;
use np_playground::optimizer::{OptState, Optimizer};
use np_playground::rng::Rng;
use np_playground::rules::Grads;

/// A 1-input, 3-output network with zero weights and biases, and an update `g` on its weights.
fn tiny(w: [f32; 3]) -> (Network, Grads) {
    let mut net = Network::new(&[1, 3], Activation::Tanh, Loss::CrossEntropy, false, &mut Rng::new(1));
    net.layers[0].w.fill(0.0);
    let mut g = Grads::zeros_like(&net);
    g.w[0] = Array2::from_shape_vec((3, 1), w.to_vec()).unwrap();
    g.b[0] = Array1::from(vec![0.0; 3]);
    (net, g)
}

#[test]
fn sgd_subtracts_the_scaled_update() {
    let (mut net, g) = tiny([2.0, -0.5, 0.0]);
    net.layers[0].w.fill(1.0);
    let mut opt = OptState::new(Optimizer::Sgd, 0.25, &net);
    opt.step(&mut net, &g);
    assert_eq!(net.layers[0].w.as_slice().unwrap(), &[0.5, 1.125, 1.0]);
    opt.step(&mut net, &g);
    assert_eq!(net.layers[0].w.as_slice().unwrap(), &[0.0, 1.25, 1.0]);
}

/// Adam (Kingma & Ba, beta1 0.9, beta2 0.999, eps 1e-8) worked in f64 for a constant gradient:
/// after t steps `m = (1 - 0.9^t) g`, `v = (1 - 0.999^t) g^2`, and each step moves the weight by
/// `lr sqrt(1 - 0.999^t) / (1 - 0.9^t) m / (sqrt(v) + eps)`, which is about `lr sign(g)`.
#[test]
fn adam_matches_the_formula_worked_in_f64() {
    let grads = [2.0f32, -0.5, 1e-3];
    let (mut net, g) = tiny(grads);
    let lr = 0.01f64;
    let mut opt = OptState::new(Optimizer::Adam, lr as f32, &net);
    let mut want = [0.0f64; 3];
    for t in 1..=5 {
        opt.step(&mut net, &g);
        let (b1t, b2t) = (0.9f64.powi(t), 0.999f64.powi(t));
        for (i, &gi) in grads.iter().enumerate() {
            let gi = gi as f64;
            let (m, v) = ((1.0 - b1t) * gi, (1.0 - b2t) * gi * gi);
            want[i] -= lr * (1.0 - b2t).sqrt() / (1.0 - b1t) * m / (v.sqrt() + 1e-8);
        }
        let got = net.layers[0].w.as_slice().unwrap();
        for i in 0..3 {
            assert!((got[i] as f64 - want[i]).abs() < 1e-6, "step {t}, weight {i}: got {}, want {}", got[i], want[i]);
        }
    }
    // Five steps of a constant gradient move each weight by about 5 lr against its sign.
    let w = net.layers[0].w.as_slice().unwrap();
    assert!((w[0] + 0.05).abs() < 1e-4 && (w[1] - 0.05).abs() < 1e-4, "{w:?}");
    // A zero gradient leaves its weight (and the bias) alone.
    assert!(net.layers[0].b.iter().all(|&b| b == 0.0));
}

/// The forward product adds the bias after the in-order sum over k: `c_ij = (sum_k a_ik b_kj) + bias_j`,
/// bit for bit, in full tiles and at the edges.
#[test]
fn bias_is_added_after_the_in_order_sum() {
    let (m, n, k) = (9, 19, 23);
    let a: Vec<f32> = (0..m * k).map(|i| ((i * 7919 % 1000) as f32 - 500.0) * 1e-3).collect();
    let b: Vec<f32> = (0..k * n).map(|i| ((i * 104729 % 997) as f32 - 498.0) * 1e-2).collect();
    let bias: Vec<f32> = (0..n).map(|j| (j as f32 - 9.0) * 0.37).collect();
    let mut c = vec![0.0; m * n];
    kernels::gemm_nn_bias(&a, &b, &bias, &mut c, m, n, k);
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f32;
            for p in 0..k {
                s += a[i * k + p] * b[p * n + j];
            }
            assert_eq!(c[i * n + j].to_bits(), (s + bias[j]).to_bits(), "({i},{j})");
        }
    }
}

/// `R <- R - eta offdiag(X^T X / B) R`, computed explicitly in f64, against the fast update.
#[test]
fn fast_decorrelation_update_matches_the_explicit_rule() {
    let mut rng = Rng::new(5);
    for (batch, d) in [(7, 5), (32, 12), (3, 9)] {
        let x: Vec<f32> = (0..batch * d).map(|i| rng.normal() + 0.3 * (i % d) as f32).collect();
        let r0: Vec<f32> = (0..d * d).map(|i| if i % (d + 1) == 0 { 1.0 } else { 0.1 * rng.normal() }).collect();
        let eta = 0.05f32;
        let mut r = Array2::from_shape_vec((d, d), r0.clone()).unwrap();
        decorrelation::update(&mut r, &x, batch, eta, &mut Scratch::default());

        // C = offdiag(mean_b x_b x_b^T)
        let mut c = vec![0.0f64; d * d];
        for bi in 0..batch {
            for i in 0..d {
                for j in 0..d {
                    if i != j {
                        c[i * d + j] += x[bi * d + i] as f64 * x[bi * d + j] as f64 / batch as f64;
                    }
                }
            }
        }
        for i in 0..d {
            for j in 0..d {
                let cr: f64 = (0..d).map(|p| c[i * d + p] * r0[p * d + j] as f64).sum();
                let want = r0[i * d + j] as f64 - eta as f64 * cr;
                let got = r[[i, j]] as f64;
                assert!((got - want).abs() < 1e-5 * (1.0 + want.abs()), "B={batch} d={d} R[{i},{j}]: {got} vs {want}");
            }
        }
    }
}

/// With `eta = 0` the matrix is left exactly as it was.
#[test]
fn decorrelation_with_zero_rate_changes_nothing() {
    let x: Vec<f32> = (0..40).map(|i| i as f32 * 0.1).collect();
    let mut r = Array2::from_shape_fn((4, 4), |(i, j)| (i * 4 + j) as f32);
    let before = r.clone();
    decorrelation::update(&mut r, &x, 10, 0.0, &mut Scratch::default());
    assert_eq!(r, before);
}
