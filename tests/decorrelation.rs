//! The decorrelation rule drives the off-diagonal correlation of a layer's input toward zero.

use ndarray::Array2;
use np_playground::decorrelation::{self, Scratch};
use np_playground::kernels;
use np_playground::rng::Rng;

/// Batches of strongly correlated 6-D inputs: a shared factor plus a little private noise.
fn correlated_batch(rng: &mut Rng, batch: usize, d: usize) -> Vec<f32> {
    let mut x = Vec::with_capacity(batch * d);
    for _ in 0..batch {
        let common = rng.normal();
        for i in 0..d {
            x.push(common * (0.5 + 0.1 * i as f32) + 0.3 * rng.normal());
        }
    }
    x
}

#[test]
fn decorrelation_drives_offdiagonal_correlation_to_zero() {
    let d = 6;
    let batch = 64;
    let mut rng = Rng::new(1);
    let mut r = Array2::<f32>::eye(d);
    let mut scratch = Scratch::default();
    let mut xr = vec![0.0; batch * d];
    let measure = |r: &Array2<f32>, rng: &mut Rng, xr: &mut Vec<f32>| {
        let h = correlated_batch(rng, 2000, d);
        xr.resize(2000 * d, 0.0);
        kernels::gemm_nt_bias(&h, r.as_slice().unwrap(), None, xr, 2000, d, d, &mut Vec::new());
        decorrelation::mean_abs_offdiag_correlation(xr, 2000, d)
    };
    let before = measure(&r, &mut rng, &mut xr);
    for _ in 0..3000 {
        let h = correlated_batch(&mut rng, batch, d);
        // x = h R^T, then R <- R - eta C R
        xr.resize(batch * d, 0.0);
        kernels::gemm_nt_bias(&h, r.as_slice().unwrap(), None, &mut xr, batch, d, d, &mut Vec::new());
        decorrelation::update(&mut r, &xr, batch, 0.01, &mut scratch);
    }
    let after = measure(&r, &mut rng, &mut xr);
    println!("mean |off-diagonal correlation|: before {before:.3}, after {after:.3}");
    assert!(before > 0.7, "the test data should be correlated: {before}");
    assert!(after < 0.05, "decorrelation left {after} (from {before})");
    assert!(r.iter().all(|v| v.is_finite()));
}

#[test]
fn correlation_matrix_has_unit_diagonal() {
    let mut rng = Rng::new(2);
    let x = correlated_batch(&mut rng, 100, 4);
    let c = decorrelation::correlation_matrix(&x, 100, 4);
    for i in 0..4 {
        assert!((c[i * 4 + i] - 1.0).abs() < 1e-5);
        for j in 0..4 {
            assert!(c[i * 4 + j].abs() <= 1.0 + 1e-5);
        }
    }
}
