//! Layer-wise input decorrelation (the D in DNP, DINP, DANP, DBP).
//!
//! Once per minibatch, from pass 0's layer input `X (batch, d)` (with `x = R h` already applied),
//! every decorrelated layer updates its own `R (d, d)`:
//!
//! `C = offdiag(mean_b x_b x_b^T)` (diagonal zeroed, no mean-centring), `R <- R - eta_R C R`,
//!
//! computed as `C R = X^T (X R) / B - diag(mean_b x_b^2) R`, which costs `O(B d^2)` rather than
//! the `O(d^3)` of forming `C` and multiplying.

use ndarray::Array2;

use crate::kernels;

/// Scratch buffers for [`update`], reused between steps.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    xr: Vec<f32>,
    cr: Vec<f32>,
    diag: Vec<f32>,
}

impl Scratch {
    pub fn bytes(&self) -> usize {
        4 * (self.xr.capacity() + self.cr.capacity() + self.diag.capacity())
    }
}

/// `R <- R - eta C R` from the layer input `x (batch, d)`.
pub fn update(r: &mut Array2<f32>, x: &[f32], batch: usize, eta: f32, scratch: &mut Scratch) {
    let d = r.nrows();
    debug_assert_eq!(r.dim(), (d, d));
    debug_assert_eq!(x.len(), batch * d);
    if eta == 0.0 {
        return;
    }
    scratch.xr.resize(batch * d, 0.0);
    scratch.cr.resize(d * d, 0.0);
    scratch.diag.resize(d, 0.0);
    let rs = r.as_slice_mut().unwrap();
    // X R (batch, d)
    kernels::gemm_nn(x, rs, &mut scratch.xr, batch, d, d);
    // X^T (X R) / B = M R (d, d)
    kernels::gemm_tn(x, &scratch.xr, &mut scratch.cr, d, d, batch, 1.0 / batch as f32);
    // diag(M)_i = mean_b x_bi^2
    scratch.diag.fill(0.0);
    for b in 0..batch {
        for i in 0..d {
            let v = x[b * d + i];
            scratch.diag[i] += v * v;
        }
    }
    for i in 0..d {
        let m_ii = scratch.diag[i] / batch as f32;
        for j in 0..d {
            let cr = scratch.cr[i * d + j] - m_ii * rs[i * d + j];
            rs[i * d + j] -= eta * cr;
        }
    }
}

/// Second-moment matrix `M = X^T X / B` (d, d) of a layer input `x (batch, d)`.
pub fn second_moments(x: &[f32], batch: usize, d: usize) -> Vec<f32> {
    let mut m = vec![0.0; d * d];
    kernels::gemm_tn(x, x, &mut m, d, d, batch, 1.0 / batch as f32);
    m
}

/// Normalised second moments `M_ij / sqrt(M_ii M_jj)` (d, d): the correlation the rule drives to
/// zero (uncentred, like the rule itself). Units that are always zero get 0.
pub fn correlation_matrix(x: &[f32], batch: usize, d: usize) -> Vec<f32> {
    let m = second_moments(x, batch, d);
    let mut c = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            let den = libm::sqrtf(m[i * d + i] * m[j * d + j]);
            c[i * d + j] = if den > 0.0 { m[i * d + j] / den } else { 0.0 };
        }
    }
    c
}

/// Mean absolute off-diagonal entry of [`correlation_matrix`]; 0 for a single input.
pub fn mean_abs_offdiag_correlation(x: &[f32], batch: usize, d: usize) -> f32 {
    if d < 2 {
        return 0.0;
    }
    let c = correlation_matrix(x, batch, d);
    let mut s = 0.0f64;
    for i in 0..d {
        for j in 0..d {
            if i != j {
                s += c[i * d + j].abs() as f64;
            }
        }
    }
    (s / (d * (d - 1)) as f64) as f32
}
