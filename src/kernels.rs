//! Matrix kernels on row-major slices with a FIXED summation order and no fused multiply-add,
//! so that a product gives the same bits on every CPU and in WebAssembly. (A CPU-dispatched
//! product such as ndarray's `dot` picks its blocking and FMA use at run time; its results differ
//! between an x86 machine and the wasm build.)
//!
//! One register-tiled kernel serves every product: each output element is the plain sequential
//! sum over `k`, so LLVM vectorises across output columns (f32x4 with `simd128`) without ever
//! reassociating a sum.

/// Rows of `c` per register tile.
const MR: usize = 4;
/// Columns of `c` per register tile (two f32x4 vectors).
const NR: usize = 8;

/// What happens to a finished sum before it is stored.
#[derive(Clone, Copy)]
enum Epilogue<'a> {
    Store,
    AddBias(&'a [f32]),
    Scale(f32),
}

impl Epilogue<'_> {
    #[inline(always)]
    fn apply(self, sum: f32, j: usize) -> f32 {
        match self {
            Epilogue::Store => sum,
            Epilogue::AddBias(b) => sum + b[j],
            Epilogue::Scale(s) => sum * s,
        }
    }
}

/// `c (m, n) = A (m, k) * b (k, n)` where `A[i][p] = a[i * rs + p * cs]`, then the epilogue.
///
/// Register-tiled: each `MR x NR` block of `c` is accumulated in registers over `p = 0..k` IN
/// ORDER, so every element is the plain sequential sum `((0 + A_i0 b_0j) + A_i1 b_1j) + ...`
/// whatever the tile; edge tiles do the same arithmetic one element at a time. The result does
/// not depend on the tiling, the CPU or the SIMD width.
#[allow(clippy::too_many_arguments)]
fn gemm(a: &[f32], rs: usize, cs: usize, b: &[f32], c: &mut [f32], m: usize, n: usize, k: usize, epi: Epilogue) {
    debug_assert_eq!(b.len(), k * n);
    debug_assert_eq!(c.len(), m * n);
    let full_n = n - n % NR;
    let mut i0 = 0;
    while i0 + MR <= m {
        let mut j0 = 0;
        while j0 < full_n {
            let mut acc = [[0.0f32; NR]; MR];
            for p in 0..k {
                let bp: &[f32; NR] = b[p * n + j0..p * n + j0 + NR].try_into().unwrap();
                for r in 0..MR {
                    let av = a[(i0 + r) * rs + p * cs];
                    for q in 0..NR {
                        acc[r][q] += av * bp[q];
                    }
                }
            }
            for r in 0..MR {
                for q in 0..NR {
                    c[(i0 + r) * n + j0 + q] = epi.apply(acc[r][q], j0 + q);
                }
            }
            j0 += NR;
        }
        for i in i0..i0 + MR {
            edge(a, rs, cs, b, c, i, full_n..n, n, k, epi);
        }
        i0 += MR;
    }
    for i in i0..m {
        edge(a, rs, cs, b, c, i, 0..n, n, k, epi);
    }
}

/// Row `i`, columns `cols` of [`gemm`], one element at a time in the same order.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn edge(
    a: &[f32],
    rs: usize,
    cs: usize,
    b: &[f32],
    c: &mut [f32],
    i: usize,
    cols: std::ops::Range<usize>,
    n: usize,
    k: usize,
    epi: Epilogue,
) {
    if cols.is_empty() {
        return;
    }
    let mut acc = [0.0f32; 64];
    let mut j = cols.start;
    while j < cols.end {
        let w = (cols.end - j).min(64);
        acc[..w].fill(0.0);
        for p in 0..k {
            let av = a[i * rs + p * cs];
            for (q, accq) in acc[..w].iter_mut().enumerate() {
                *accq += av * b[p * n + j + q];
            }
        }
        for q in 0..w {
            c[i * n + j + q] = epi.apply(acc[q], j + q);
        }
        j += w;
    }
}

/// `c (m, n) = a (m, k) * b (k, n)`. Used for `delta_{l-1} = delta_l W_l` and `X R`.
pub fn gemm_nn(a: &[f32], b: &[f32], c: &mut [f32], m: usize, n: usize, k: usize) {
    debug_assert_eq!(a.len(), m * k);
    gemm(a, k, 1, b, c, m, n, k, Epilogue::Store);
}

/// `c (m, n) = a (m, k) * b (k, n) + bias (n)`: the forward product with transposed weights.
pub fn gemm_nn_bias(a: &[f32], b: &[f32], bias: &[f32], c: &mut [f32], m: usize, n: usize, k: usize) {
    debug_assert_eq!(a.len(), m * k);
    debug_assert_eq!(bias.len(), n);
    gemm(a, k, 1, b, c, m, n, k, Epilogue::AddBias(bias));
}

/// `c (m, n) = scale * a (k, m)^T * b (k, n)`, summing over the `k` rows in order.
/// The weight update `G = S^T X / B` with per-sample signals `S (B, n_out)` and inputs `X (B, n_in)`.
pub fn gemm_tn(a: &[f32], b: &[f32], c: &mut [f32], m: usize, n: usize, k: usize, scale: f32) {
    debug_assert_eq!(a.len(), k * m);
    gemm(a, 1, m, b, c, m, n, k, if scale == 1.0 { Epilogue::Store } else { Epilogue::Scale(scale) });
}

/// `t (cols, rows) = m (rows, cols)^T`.
/// In 16 x 16 blocks, so reads and writes both stay within a few cache lines.
pub fn transpose(m: &[f32], t: &mut [f32], rows: usize, cols: usize) {
    debug_assert_eq!(m.len(), rows * cols);
    debug_assert_eq!(t.len(), rows * cols);
    const BLOCK: usize = 16;
    for i0 in (0..rows).step_by(BLOCK) {
        for j0 in (0..cols).step_by(BLOCK) {
            for i in i0..(i0 + BLOCK).min(rows) {
                for j in j0..(j0 + BLOCK).min(cols) {
                    t[j * rows + i] = m[i * cols + j];
                }
            }
        }
    }
}

/// `c (m, n) = a (m, k) * b (n, k)^T (+ bias (n))`, via a transposed copy of `b` kept in
/// `scratch`. The forward product `a_l = x_{l-1} W_l^T + b_l` with weights `(n_out, n_in)`.
#[allow(clippy::too_many_arguments)]
pub fn gemm_nt_bias(
    a: &[f32],
    b: &[f32],
    bias: Option<&[f32]>,
    c: &mut [f32],
    m: usize,
    n: usize,
    k: usize,
    scratch: &mut Vec<f32>,
) {
    debug_assert_eq!(b.len(), n * k);
    scratch.resize(n * k, 0.0);
    transpose(b, scratch, n, k);
    match bias {
        Some(bias) => gemm_nn_bias(a, scratch, bias, c, m, n, k),
        None => gemm_nn(a, scratch, c, m, n, k),
    }
}

/// Whether every value is finite, in one vectorisable pass: `x - x` is 0 for a finite `x` and
/// NaN otherwise, summed in 8 independent lanes.
#[allow(clippy::eq_op)] // `x - x` is the point: 0 for finite x, NaN for NaN and infinities
pub fn all_finite(xs: &[f32]) -> bool {
    let mut acc = [0.0f32; 8];
    let chunks = xs.chunks_exact(8);
    let tail = chunks.remainder();
    for c in chunks {
        for l in 0..8 {
            acc[l] += c[l] - c[l];
        }
    }
    for &x in tail {
        acc[0] += x - x;
    }
    acc.iter().all(|&a| a == 0.0)
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

    fn transpose_vec(a: &[f32], r: usize, c: usize) -> Vec<f32> {
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
        for (m, n, k) in [(5, 7, 19), (9, 17, 3), (4, 8, 1), (13, 70, 33)] {
            check(m, n, k);
        }
    }

    /// Every element equals the plain in-order sum, bit for bit, whatever tile it falls in.
    #[test]
    fn all_finite_finds_any_nan_or_infinity() {
        let mut v = vec![1.5f32; 37];
        assert!(all_finite(&v));
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for i in [0, 7, 8, 36] {
                let keep = v[i];
                v[i] = bad;
                assert!(!all_finite(&v), "{bad} at {i}");
                v[i] = keep;
            }
        }
    }

    #[test]
    fn tiles_and_edges_sum_in_the_same_order() {
        let (m, n, k) = (11, 27, 37);
        let a: Vec<f32> = (0..m * k).map(|i| ((i * 7919 % 1000) as f32 - 500.0) * 1e-3).collect();
        let b: Vec<f32> = (0..k * n).map(|i| ((i * 104729 % 997) as f32 - 498.0) * 1e-2).collect();
        let mut c = vec![0.0; m * n];
        gemm_nn(&a, &b, &mut c, m, n, k);
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0f32;
                for p in 0..k {
                    s += a[i * k + p] * b[p * n + j];
                }
                assert_eq!(c[i * n + j].to_bits(), s.to_bits(), "({i},{j})");
            }
        }
    }

    fn check(m: usize, n: usize, k: usize) {
        let a: Vec<f32> = (0..m * k).map(|i| ((i * 37 % 11) as f32 - 5.0) * 0.1).collect();
        let b: Vec<f32> = (0..k * n).map(|i| ((i * 17 % 13) as f32 - 6.0) * 0.05).collect();
        let want = naive(&a, &b, m, n, k);
        let close = |c: &[f32]| c.iter().zip(&want).all(|(x, y)| (*x as f64 - y).abs() < 1e-5);

        let mut c = vec![0.0; m * n];
        gemm_nn(&a, &b, &mut c, m, n, k);
        assert!(close(&c), "gemm_nn {c:?} vs {want:?}");

        let bt = transpose_vec(&b, k, n);
        gemm_nt_bias(&a, &bt, None, &mut c, m, n, k, &mut Vec::new());
        assert!(close(&c), "gemm_nt {c:?} vs {want:?}");

        let at = transpose_vec(&a, m, k);
        gemm_tn(&at, &b, &mut c, m, n, k, 1.0);
        assert!(close(&c), "gemm_tn {c:?} vs {want:?}");
    }
}
