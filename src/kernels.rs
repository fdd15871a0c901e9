//! Matrix kernels on row-major slices with a FIXED summation order and no fused multiply-add,
//! so that a product gives the same bits on every CPU and in WebAssembly. (A CPU-dispatched
//! product such as ndarray's `dot` picks its blocking and FMA use at run time; its results differ
//! between an x86 machine and the wasm build.)
//!
//! Each kernel is written so LLVM can vectorise it without reassociating floating-point sums:
//! independent lanes (`gemm_nt`) or an axpy over the output row (`gemm_nn`, `gemm_tn`).

/// Number of independent partial sums in a dot product. Part of the numerical definition of the
/// engine: changing it changes every checksum.
const LANES: usize = 8;

/// `sum_p x[p] * y[p]` in a fixed order: 8 strided partial sums combined as a balanced tree,
/// then the tail in order.
#[inline]
pub fn dot(x: &[f32], y: &[f32]) -> f32 {
    debug_assert_eq!(x.len(), y.len());
    let n = x.len();
    let chunks = n / LANES;
    let mut acc = [0.0f32; LANES];
    for c in 0..chunks {
        let xs = &x[c * LANES..c * LANES + LANES];
        let ys = &y[c * LANES..c * LANES + LANES];
        for l in 0..LANES {
            acc[l] += xs[l] * ys[l];
        }
    }
    let mut s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for p in chunks * LANES..n {
        s += x[p] * y[p];
    }
    s
}

/// `c (m, n) = a (m, k) * b (n, k)^T + bias (n)`, i.e. `c[i][j] = bias[j] + dot(a[i], b[j])`.
/// The forward product `a_l = x_{l-1} W_l^T + b_l` with weights `(n_out, n_in)`.
pub fn gemm_nt_bias(a: &[f32], b: &[f32], bias: Option<&[f32]>, c: &mut [f32], m: usize, n: usize, k: usize) {
    debug_assert_eq!(a.len(), m * k);
    debug_assert_eq!(b.len(), n * k);
    debug_assert_eq!(c.len(), m * n);
    for i in 0..m {
        let ai = &a[i * k..(i + 1) * k];
        let ci = &mut c[i * n..(i + 1) * n];
        for j in 0..n {
            let s = dot(ai, &b[j * k..(j + 1) * k]);
            ci[j] = match bias {
                Some(bias) => s + bias[j],
                None => s,
            };
        }
    }
}

/// `c (m, n) = a (m, k) * b (k, n)`, summing over `p` in order.
/// Used for `delta_{l-1} = delta_l W_l` and `X R`.
pub fn gemm_nn(a: &[f32], b: &[f32], c: &mut [f32], m: usize, n: usize, k: usize) {
    debug_assert_eq!(a.len(), m * k);
    debug_assert_eq!(b.len(), k * n);
    debug_assert_eq!(c.len(), m * n);
    for i in 0..m {
        let ci = &mut c[i * n..(i + 1) * n];
        ci.fill(0.0);
        for p in 0..k {
            let aip = a[i * k + p];
            let bp = &b[p * n..(p + 1) * n];
            for (cv, &bv) in ci.iter_mut().zip(bp) {
                *cv += aip * bv;
            }
        }
    }
}

/// `c (m, n) = scale * a (k, m)^T * b (k, n)`, summing over the `k` rows in order.
/// The weight update `G = S^T X / B` with per-sample signals `S (B, n_out)` and inputs `X (B, n_in)`.
pub fn gemm_tn(a: &[f32], b: &[f32], c: &mut [f32], m: usize, n: usize, k: usize, scale: f32) {
    debug_assert_eq!(a.len(), k * m);
    debug_assert_eq!(b.len(), k * n);
    debug_assert_eq!(c.len(), m * n);
    c.fill(0.0);
    for p in 0..k {
        let ap = &a[p * m..(p + 1) * m];
        let bp = &b[p * n..(p + 1) * n];
        for i in 0..m {
            let aip = ap[i];
            if aip == 0.0 {
                continue; // exact: adding 0 * finite changes nothing
            }
            let ci = &mut c[i * n..(i + 1) * n];
            for (cv, &bv) in ci.iter_mut().zip(bp) {
                *cv += aip * bv;
            }
        }
    }
    if scale != 1.0 {
        for v in c.iter_mut() {
            *v *= scale;
        }
    }
}

/// Column means of `a (m, n)`, in row order: `out[j] = scale * sum_i a[i][j]`.
pub fn col_sums(a: &[f32], out: &mut [f32], m: usize, n: usize, scale: f32) {
    debug_assert_eq!(a.len(), m * n);
    out.fill(0.0);
    for i in 0..m {
        for (o, &v) in out.iter_mut().zip(&a[i * n..(i + 1) * n]) {
            *o += v;
        }
    }
    for o in out.iter_mut() {
        *o *= scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, n: usize, k: usize) -> Vec<f64> {
        let mut c = vec![0.0f64; m * n];
        for i in 0..m {
            for j in 0..n {
                for p in 0..k {
                    c[i * n + j] += a[i * k + p] as f64 * b[p * n + j] as f64;
                }
            }
        }
        c
    }

    fn transpose(a: &[f32], r: usize, c: usize) -> Vec<f32> {
        let mut t = vec![0.0; r * c];
        for i in 0..r {
            for j in 0..c {
                t[j * r + i] = a[i * c + j];
            }
        }
        t
    }

    #[test]
    fn kernels_agree_with_naive_product() {
        let (m, n, k) = (5, 7, 19);
        let a: Vec<f32> = (0..m * k).map(|i| ((i * 37 % 11) as f32 - 5.0) * 0.1).collect();
        let b: Vec<f32> = (0..k * n).map(|i| ((i * 17 % 13) as f32 - 6.0) * 0.05).collect();
        let want = naive(&a, &b, m, n, k);
        let close = |c: &[f32]| c.iter().zip(&want).all(|(x, y)| (*x as f64 - y).abs() < 1e-5);

        let mut c = vec![0.0; m * n];
        gemm_nn(&a, &b, &mut c, m, n, k);
        assert!(close(&c), "gemm_nn {c:?} vs {want:?}");

        let bt = transpose(&b, k, n);
        gemm_nt_bias(&a, &bt, None, &mut c, m, n, k);
        assert!(close(&c), "gemm_nt {c:?} vs {want:?}");

        let at = transpose(&a, m, k);
        gemm_tn(&at, &b, &mut c, m, n, k, 1.0);
        assert!(close(&c), "gemm_tn {c:?} vs {want:?}");
    }
}
