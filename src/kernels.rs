//! Matrix kernels on row-major slices with a FIXED summation order and no fused multiply-add,
//! so that a product gives the same bits on every CPU and in WebAssembly. (A CPU-dispatched
//! product such as ndarray's `dot` picks its blocking and FMA use at run time; its results differ
//! between an x86 machine and the wasm build.)
//!
//! One packed, cache-blocked kernel serves every product. Each output element is the plain
//! sequential sum `((0 + A_i0 B_0j) + A_i1 B_1j) + ...` over `p = 0..k`, then the epilogue
//! (`+ bias` or `* scale`). The register tiles compute with explicit vectors across output
//! columns ([`simd`]: f32x4 with SSE or `simd128`, f32x8 where the CPU has AVX), one multiply then
//! one add per term, never fused and never reassociated, so the result does not depend on the
//! path, the tiling or the CPU.
//!
//! Blocking: `B` is packed, `KC` rows at a time, into a contiguous column panel (8 columns on the
//! portable path, 16 on the AVX path) that stays in L1 while every row tile of `A` (4 or 6 rows)
//! runs over it. Column panels are the outer loop, k-blocks the middle one, row tiles the inner
//! one. Between k-blocks a tile's partial sums are stored (in a contiguous side buffer, or in `c`
//! for very tall products) and reloaded (an f32 store and load is exact), and the epilogue is
//! applied after the last k-block only, so blocking over `k` keeps every sum in order. `B` is read
//! through strides, so the forward product packs straight from the weights `(n_out, n_in)`.

use std::cell::RefCell;

/// Rows of `c` per register tile on the portable path.
const MR: usize = 4;
/// f32 vectors per row of a register tile on the portable path (two f32x4: 8 columns).
const NV: usize = 2;
/// Rows of `c` per register tile on the AVX path.
#[cfg(target_arch = "x86_64")]
const MR_AVX: usize = 6;
/// f32 vectors per row of a register tile on the AVX path (two 256-bit vectors: 16 columns).
#[cfg(target_arch = "x86_64")]
const NV_AVX: usize = 2;
/// Rows of `B` per k-block: a packed panel is `KC x 16` floats on the AVX path.
const KC: usize = 256;
/// The widest panel any path packs.
const NR_MAX: usize = 16;
/// Rows of partial sums kept between k-blocks in [`PANEL`]'s second part (taller products keep
/// them in `c`).
const PART_ROWS: usize = 1024;

/// What happens to a finished sum before it is stored: nothing, `sum + bias[j]`, or `sum * scale`.
#[derive(Clone, Copy)]
enum Epilogue<'a> {
    Store,
    AddBias(&'a [f32]),
    Scale(f32),
}

/// A matrix read through strides: element `(i, j)` is `data[i * rs + j * cs]`.
#[derive(Clone, Copy)]
struct Strided<'a> {
    data: &'a [f32],
    rs: usize,
    cs: usize,
}

impl Strided<'_> {
    /// Panics unless every element of a `rows x cols` matrix lies inside `data`.
    fn check(&self, rows: usize, cols: usize) {
        if rows > 0 && cols > 0 {
            assert!((rows - 1) * self.rs + (cols - 1) * self.cs < self.data.len(), "strided matrix out of bounds");
        }
    }
}

/// Which code runs a product: the portable kernel (SSE2 natively, f32x4 `simd128` in wasm) or,
/// natively on x86_64 CPUs that have it, the same kernel compiled for 256-bit AVX vectors.
/// Both give the same bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    Portable,
    Avx,
}

/// Set by [`Path::set_portable_only`]: every product takes the portable path.
static PORTABLE_ONLY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl Path {
    /// The path the products take on this machine (AVX when the CPU has it, natively on x86_64,
    /// unless [`Path::set_portable_only`] asked for the portable one).
    pub fn detect() -> Path {
        #[cfg(target_arch = "x86_64")]
        if !PORTABLE_ONLY.load(std::sync::atomic::Ordering::Relaxed) && std::arch::is_x86_feature_detected!("avx") {
            return Path::Avx;
        }
        Path::Portable
    }

    /// Makes every product of this process take the portable path (the benchmark's comparison of
    /// the browser with native code running the same 128-bit kernel). Same bits either way.
    pub fn set_portable_only(on: bool) {
        PORTABLE_ONLY.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn name(self) -> &'static str {
        match self {
            Path::Portable => "portable",
            Path::Avx => "avx",
        }
    }
}

/// `c (m, n) = A (m, k) * B (k, n)`, then the epilogue, on the path the CPU allows; products at
/// most 8 columns wide take the portable path (its 8-wide panels waste less on padding).
fn gemm(a: Strided, b: Strided, c: &mut [f32], m: usize, n: usize, k: usize, epi: Epilogue) {
    let path = if n <= NV * 4 { Path::Portable } else { Path::detect() };
    gemm_on(path, a, b, c, m, n, k, epi)
}

/// [`gemm`] on a chosen path (tests force each one).
#[allow(clippy::too_many_arguments)]
fn gemm_on(path: Path, a: Strided, b: Strided, c: &mut [f32], m: usize, n: usize, k: usize, epi: Epilogue) {
    a.check(m, k);
    b.check(k, n);
    assert_eq!(c.len(), m * n);
    if let Epilogue::AddBias(bias) = epi {
        assert_eq!(bias.len(), n);
    }
    PANEL.with_borrow_mut(|buf| match path {
        #[cfg(target_arch = "x86_64")]
        Path::Avx => {
            assert!(std::arch::is_x86_feature_detected!("avx"), "the AVX path needs a CPU with AVX");
            // SAFETY: the CPU has AVX (checked just above).
            unsafe { gemm_avx(a, b, c, m, n, k, epi, buf) }
        }
        _ => gemm_blocked::<MR, NV, simd::Portable>(a, b, c, m, n, k, epi, buf),
    })
}

thread_local! {
    /// [`gemm_blocked`]'s packed panel (`KC x NR_MAX` floats) and partial sums (`PART_ROWS x
    /// NR_MAX`), reused by every product on this thread: no allocation and no large stack frame
    /// per call.
    static PANEL: RefCell<[f32; (KC + PART_ROWS) * NR_MAX]> = const { RefCell::new([0.0; (KC + PART_ROWS) * NR_MAX]) };
}

/// The blocked kernel compiled for AVX: the same body, so the same arithmetic in the same order,
/// on 256-bit vectors (adds and multiplies, never fused: "fma" is not enabled and no intrinsic
/// used fuses).
///
/// # Safety
/// The CPU must support AVX.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_avx(
    a: Strided,
    b: Strided,
    c: &mut [f32],
    m: usize,
    n: usize,
    k: usize,
    epi: Epilogue,
    buf: &mut [f32],
) {
    gemm_blocked::<MR_AVX, NV_AVX, simd::Avx>(a, b, c, m, n, k, epi, buf)
}

/// The packed, cache-blocked product in register tiles of `T` rows by `VW` vectors of `V`
/// (`W = VW * V::LANES` columns); bounds already checked by [`gemm_on`].
///
/// For each `W`-wide column panel of `c`, for each k-block of up to `KC` rows of `B` (the blocks
/// of equal depth): pack that block of the panel (zero-padded past column `n`) into `buf` (the
/// reused thread-local [`PANEL`]), then run every `T`-row tile of `A` over it.
/// Each element's sum runs over `p` in order: k-blocks follow each other, and inside one the
/// register tile adds `A_ip B_pj` for `p` in order. Padded columns are computed and dropped, edge
/// rows use a tile with fewer rows: neither changes any kept element's arithmetic.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn gemm_blocked<const T: usize, const VW: usize, V: simd::Lanes>(
    a: Strided,
    b: Strided,
    c: &mut [f32],
    m: usize,
    n: usize,
    k: usize,
    epi: Epilogue,
    buf: &mut [f32],
) {
    let wf = VW * V::LANES;
    assert!(wf <= NR_MAX);
    // k-blocks of equal depth (784 = 4 x 196, not 3 x 256 + 16).
    let kc_even = k.div_ceil(k.div_ceil(KC).max(1)).max(1);
    let (buf, part) = buf.split_at_mut(KC * NR_MAX);
    // Between k-blocks the partial sums go to a contiguous side buffer when it is tall enough:
    // rows of `c` a multiple of 4 KiB apart would alias in the store buffer when reloaded.
    let part = if m <= PART_ROWS { &mut part[..m * wf] } else { &mut [][..] };
    let mut j0 = 0;
    while j0 < n {
        let w = wf.min(n - j0);
        let mut p0 = 0;
        loop {
            let kc = kc_even.min(k - p0);
            let panel = pack(b, p0, kc, j0, w, wf, buf);
            let block = Block { a, p0, panel, j0, w, n, first: p0 == 0, last: p0 + kc == k, epi };
            block.rows::<T, VW, V>(c, part, m);
            p0 += kc;
            if p0 >= k {
                break;
            }
        }
        j0 += wf;
    }
}

/// Packs rows `p0..p0 + kc` of columns `j0..j0 + w` of `b` into `buf` as `panel[p * wf + q]`,
/// zero from `w` to the panel width `wf`, and returns the packed `kc * wf` floats.
#[inline(always)]
fn pack<'p>(b: Strided, p0: usize, kc: usize, j0: usize, w: usize, wf: usize, buf: &'p mut [f32]) -> &'p [f32] {
    let out = &mut buf[..kc * wf];
    if b.cs == 1 && w == wf {
        for (p, row) in out.chunks_exact_mut(wf).enumerate() {
            row.copy_from_slice(&b.data[(p0 + p) * b.rs + j0..][..wf]);
        }
    } else if b.rs == 1 {
        // Columns of `B` are contiguous (the weights `(n, k)` read as their transpose).
        for q in 0..wf {
            if q < w {
                let src = &b.data[(j0 + q) * b.cs + p0..][..kc];
                for (p, &v) in src.iter().enumerate() {
                    out[p * wf + q] = v;
                }
            } else {
                for p in 0..kc {
                    out[p * wf + q] = 0.0;
                }
            }
        }
    } else {
        for (p, row) in out.chunks_exact_mut(wf).enumerate() {
            for (q, o) in row.iter_mut().enumerate() {
                *o = if q < w { b.data[(p0 + p) * b.rs + (j0 + q) * b.cs] } else { 0.0 };
            }
        }
    }
    out
}

/// `$body` once for each row `$r` in `0..$rows` (at most 8), with `$r` a constant: a loop over
/// the rows of a tile unrolled by hand, so the accumulators are only ever indexed by constants
/// and stay in registers whatever LLVM's unrolling heuristics decide.
macro_rules! each_row {
    ($rows:expr, $r:ident => $body:block) => {
        each_row!(@ $rows, $r, $body, 0 1 2 3 4 5 6 7)
    };
    (@ $rows:expr, $r:ident, $body:block, $($i:literal)*) => {
        $(
            if $i < $rows {
                let $r: usize = $i;
                $body
            }
        )*
    };
}

/// One packed k-block of one column panel, and what its tiles need to know.
#[derive(Clone, Copy)]
struct Block<'a> {
    a: Strided<'a>,
    p0: usize,
    /// `kc x wf` floats, `panel[p * wf + q] = B[p0 + p][j0 + q]`.
    panel: &'a [f32],
    j0: usize,
    /// Columns of the panel inside `c` (the rest is padding).
    w: usize,
    n: usize,
    /// The first k-block starts from 0; later ones reload the partial sums the previous one
    /// stored (in the side buffer, or in `c`).
    first: bool,
    /// The last k-block applies the epilogue.
    last: bool,
    epi: Epilogue<'a>,
}

impl Block<'_> {
    /// Every row of `c` (`m` of them) in tiles of `T` rows; the last `m % T` rows in one smaller
    /// tile.
    ///
    /// `part` holds the partial sums between k-blocks (`m` rows of the panel width), or is empty
    /// and they stay in `c`.
    #[inline(always)]
    fn rows<const T: usize, const VW: usize, V: simd::Lanes>(&self, c: &mut [f32], part: &mut [f32], m: usize) {
        const { assert!(T <= 8) };
        let mut i0 = 0;
        while i0 + T <= m {
            self.tile::<T, VW, V>(c, part, i0);
            i0 += T;
        }
        match m - i0 {
            7 if T > 7 => self.tile::<7, VW, V>(c, part, i0),
            6 if T > 6 => self.tile::<6, VW, V>(c, part, i0),
            5 if T > 5 => self.tile::<5, VW, V>(c, part, i0),
            4 if T > 4 => self.tile::<4, VW, V>(c, part, i0),
            3 if T > 3 => self.tile::<3, VW, V>(c, part, i0),
            2 if T > 2 => self.tile::<2, VW, V>(c, part, i0),
            1 => self.tile::<1, VW, V>(c, part, i0),
            _ => {}
        }
    }

    /// Rows `i0..i0 + R`, columns `j0..j0 + w` of `c`: the sums over this k-block, in `R x VW`
    /// vector registers. Lane `q` of every vector does exactly the scalar arithmetic of column
    /// `j0 + q`: `acc + a * b` as a multiply then an add, then the epilogue's add or multiply.
    /// Starts from zero (first k-block) or from the partial sums in `part` (or `c`); ends by
    /// storing the partial sums there, or (last k-block) the finished elements in `c`. The partial
    /// panel at the right edge goes through a zero-padded row buffer.
    #[inline(always)]
    fn tile<const R: usize, const VW: usize, V: simd::Lanes>(&self, c: &mut [f32], part: &mut [f32], i0: usize) {
        let (n, j0, w, l) = (self.n, self.j0, self.w, V::LANES);
        let wf = VW * l;
        let mut acc = [[V::splat(0.0); VW]; R];
        if !self.first && !part.is_empty() {
            each_row!(R, r => {
                let row = &part[(i0 + r) * wf..][..wf];
                for (v, x) in acc[r].iter_mut().enumerate() {
                    *x = V::load(&row[v * l..]);
                }
            });
        } else if !self.first {
            each_row!(R, r => {
                let row = &c[(i0 + r) * n + j0..][..w];
                let mut tmp = [0.0f32; NR_MAX];
                let src = if w == wf {
                    row
                } else {
                    tmp[..w].copy_from_slice(row);
                    &tmp[..]
                };
                for (v, x) in acc[r].iter_mut().enumerate() {
                    *x = V::load(&src[v * l..]);
                }
            });
        }
        let (rs, cs) = (self.a.rs, self.a.cs);
        let a0 = i0 * rs + self.p0 * cs;
        for (p, bp) in self.panel.chunks_exact(wf).enumerate() {
            let bv: [V; VW] = std::array::from_fn(|v| V::load(&bp[v * l..]));
            each_row!(R, r => {
                // SAFETY: `gemm_on` checked that `(m - 1) * rs + (k - 1) * cs` is inside `a`, and
                // here `i0 + r < m`, `p0 + p < k`.
                let av = V::splat(unsafe { *self.a.data.get_unchecked(a0 + r * rs + p * cs) });
                for (x, &b) in acc[r].iter_mut().zip(&bv) {
                    *x = x.add(av.mul(b));
                }
            });
        }
        if !self.last && !part.is_empty() {
            each_row!(R, r => {
                let row = &mut part[(i0 + r) * wf..][..wf];
                for (v, x) in acc[r].iter().enumerate() {
                    x.store(&mut row[v * l..]);
                }
            });
            return;
        }
        each_row!(R, r => {
            let mut out = acc[r];
            if self.last {
                match self.epi {
                    Epilogue::Store => {}
                    Epilogue::AddBias(bias) => {
                        let mut tmp = [0.0f32; NR_MAX];
                        let bias = if w == wf {
                            &bias[j0..j0 + wf]
                        } else {
                            tmp[..w].copy_from_slice(&bias[j0..j0 + w]);
                            &tmp[..]
                        };
                        for (v, x) in out.iter_mut().enumerate() {
                            *x = x.add(V::load(&bias[v * l..]));
                        }
                    }
                    Epilogue::Scale(s) => {
                        let s = V::splat(s);
                        for x in out.iter_mut() {
                            *x = x.mul(s);
                        }
                    }
                }
            }
            let row = &mut c[(i0 + r) * n + j0..][..w];
            if w == wf {
                for (v, x) in out.iter().enumerate() {
                    x.store(&mut row[v * l..]);
                }
            } else {
                let mut tmp = [0.0f32; NR_MAX];
                for (v, x) in out.iter().enumerate() {
                    x.store(&mut tmp[v * l..]);
                }
                row.copy_from_slice(&tmp[..w]);
            }
        });
    }
}

/// The vectors the register tiles compute with: lane-wise IEEE single-precision adds and
/// multiplies, never fused, so every lane computes exactly what scalar code would.
mod simd {
    /// `LANES` f32 lanes and the few operations a register tile needs.
    pub trait Lanes: Copy {
        const LANES: usize;
        fn splat(x: f32) -> Self;
        /// The first `LANES` floats of `s` (panics if `s` is shorter).
        fn load(s: &[f32]) -> Self;
        /// Into the first `LANES` floats of `s` (panics if `s` is shorter).
        fn store(self, s: &mut [f32]);
        fn add(self, o: Self) -> Self;
        fn mul(self, o: Self) -> Self;
    }

    /// The portable path's vector: SSE's f32x4 on x86_64 (always present there), `simd128`'s
    /// f32x4 in WebAssembly, four plain floats elsewhere.
    #[cfg(target_arch = "x86_64")]
    pub type Portable = Sse;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub type Portable = Simd128;
    #[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
    pub type Portable = Scalar4;

    #[cfg(target_arch = "x86_64")]
    pub use x86::{Avx, Sse};

    #[cfg(target_arch = "x86_64")]
    mod x86 {
        use super::Lanes;
        use std::arch::x86_64::*;

        /// SSE's f32x4 (part of the x86_64 baseline).
        #[derive(Clone, Copy)]
        pub struct Sse(__m128);

        impl Lanes for Sse {
            const LANES: usize = 4;
            #[inline(always)]
            fn splat(x: f32) -> Self {
                // SAFETY: SSE is part of the x86_64 baseline.
                Sse(unsafe { _mm_set1_ps(x) })
            }
            #[inline(always)]
            fn load(s: &[f32]) -> Self {
                assert!(s.len() >= 4);
                // SAFETY: four floats are readable at `s` (an unaligned load).
                Sse(unsafe { _mm_loadu_ps(s.as_ptr()) })
            }
            #[inline(always)]
            fn store(self, s: &mut [f32]) {
                assert!(s.len() >= 4);
                // SAFETY: four floats are writable at `s` (an unaligned store).
                unsafe { _mm_storeu_ps(s.as_mut_ptr(), self.0) }
            }
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                // SAFETY: as above.
                Sse(unsafe { _mm_add_ps(self.0, o.0) })
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                // SAFETY: as above.
                Sse(unsafe { _mm_mul_ps(self.0, o.0) })
            }
        }

        /// AVX's f32x8. Only `gemm_avx` (compiled with AVX, called only when the CPU has it)
        /// makes and uses these: the AVX intrinsics below are inlined into it.
        #[derive(Clone, Copy)]
        pub struct Avx(__m256);

        // SAFETY (every block below): an `Avx` value exists only inside `gemm_avx`, which runs
        // only on CPUs with AVX; loads and stores check their length first.
        impl Lanes for Avx {
            const LANES: usize = 8;
            #[inline(always)]
            fn splat(x: f32) -> Self {
                Avx(unsafe { _mm256_set1_ps(x) })
            }
            #[inline(always)]
            fn load(s: &[f32]) -> Self {
                assert!(s.len() >= 8);
                Avx(unsafe { _mm256_loadu_ps(s.as_ptr()) })
            }
            #[inline(always)]
            fn store(self, s: &mut [f32]) {
                assert!(s.len() >= 8);
                unsafe { _mm256_storeu_ps(s.as_mut_ptr(), self.0) }
            }
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                Avx(unsafe { _mm256_add_ps(self.0, o.0) })
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                Avx(unsafe { _mm256_mul_ps(self.0, o.0) })
            }
        }
    }

    /// `simd128`'s f32x4.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[derive(Clone, Copy)]
    pub struct Simd128(core::arch::wasm32::v128);

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    impl Lanes for Simd128 {
        const LANES: usize = 4;
        #[inline(always)]
        fn splat(x: f32) -> Self {
            Simd128(core::arch::wasm32::f32x4_splat(x))
        }
        #[inline(always)]
        fn load(s: &[f32]) -> Self {
            assert!(s.len() >= 4);
            // SAFETY: four floats are readable at `s` (wasm loads need no alignment).
            Simd128(unsafe { core::arch::wasm32::v128_load(s.as_ptr().cast()) })
        }
        #[inline(always)]
        fn store(self, s: &mut [f32]) {
            assert!(s.len() >= 4);
            // SAFETY: four floats are writable at `s`.
            unsafe { core::arch::wasm32::v128_store(s.as_mut_ptr().cast(), self.0) }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            Simd128(core::arch::wasm32::f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            Simd128(core::arch::wasm32::f32x4_mul(self.0, o.0))
        }
    }

    /// Four plain floats, for targets without a vector type here.
    #[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
    #[derive(Clone, Copy)]
    pub struct Scalar4([f32; 4]);

    #[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
    impl Lanes for Scalar4 {
        const LANES: usize = 4;
        #[inline(always)]
        fn splat(x: f32) -> Self {
            Scalar4([x; 4])
        }
        #[inline(always)]
        fn load(s: &[f32]) -> Self {
            Scalar4(s[..4].try_into().unwrap())
        }
        #[inline(always)]
        fn store(self, s: &mut [f32]) {
            s[..4].copy_from_slice(&self.0);
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            Scalar4(std::array::from_fn(|i| self.0[i] + o.0[i]))
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            Scalar4(std::array::from_fn(|i| self.0[i] * o.0[i]))
        }
    }
}

/// `c (m, n) = a (m, k) * b (k, n)`. Used for `delta_{l-1} = delta_l W_l` and `X R`.
pub fn gemm_nn(a: &[f32], b: &[f32], c: &mut [f32], m: usize, n: usize, k: usize) {
    debug_assert_eq!(a.len(), m * k);
    debug_assert_eq!(b.len(), k * n);
    gemm(Strided { data: a, rs: k, cs: 1 }, Strided { data: b, rs: n, cs: 1 }, c, m, n, k, Epilogue::Store);
}

/// `c (m, n) = a (m, k) * b (k, n) + bias (n)`: the forward product with transposed weights.
pub fn gemm_nn_bias(a: &[f32], b: &[f32], bias: &[f32], c: &mut [f32], m: usize, n: usize, k: usize) {
    debug_assert_eq!(a.len(), m * k);
    debug_assert_eq!(b.len(), k * n);
    gemm(Strided { data: a, rs: k, cs: 1 }, Strided { data: b, rs: n, cs: 1 }, c, m, n, k, Epilogue::AddBias(bias));
}

/// `c (m, n) = scale * a (k, m)^T * b (k, n)`, summing over the `k` rows in order.
/// The weight update `G = S^T X / B` with per-sample signals `S (B, n_out)` and inputs `X (B, n_in)`.
pub fn gemm_tn(a: &[f32], b: &[f32], c: &mut [f32], m: usize, n: usize, k: usize, scale: f32) {
    debug_assert_eq!(a.len(), k * m);
    debug_assert_eq!(b.len(), k * n);
    let epi = if scale == 1.0 { Epilogue::Store } else { Epilogue::Scale(scale) };
    gemm(Strided { data: a, rs: 1, cs: m }, Strided { data: b, rs: n, cs: 1 }, c, m, n, k, epi);
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

/// `c (m, n) = a (m, k) * b (n, k)^T (+ bias (n))`: the forward product `a_l = x_{l-1} W_l^T + b_l`
/// with weights `(n_out, n_in)`. The kernel packs its panels straight from `b` read through
/// strides, so no transposed copy is made: `scratch` is not used (it stays in the signature for
/// the callers that pass one).
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
    let _ = scratch;
    debug_assert_eq!(a.len(), m * k);
    debug_assert_eq!(b.len(), n * k);
    let epi = match bias {
        Some(bias) => Epilogue::AddBias(bias),
        None => Epilogue::Store,
    };
    gemm(Strided { data: a, rs: k, cs: 1 }, Strided { data: b, rs: 1, cs: k }, c, m, n, k, epi);
}

/// The benchmark's reference: a straightforward packed product `c (m, n) = a (m, k) * b (k, n) +
/// bias (n)`, with the same sums in the same order (so the same bits) as [`gemm_nn_bias`].
///
/// All of `b` is packed once into 8-wide column panels (into `packed`, resized as needed), and for
/// each panel every 4 x 8 register tile sums over the whole of `k`: no k-blocking and no AVX (the
/// portable kernel's f32x4 vectors). `np-playground bench` and the benchmark page report its rate
/// beside the engine's, to show what the blocking and the wider vectors add.
#[allow(clippy::too_many_arguments)]
pub fn gemm_nn_bias_reference(
    a: &[f32],
    b: &[f32],
    bias: &[f32],
    c: &mut [f32],
    m: usize,
    n: usize,
    k: usize,
    packed: &mut Vec<f32>,
) {
    assert_eq!(a.len(), m * k);
    assert_eq!(b.len(), k * n);
    assert_eq!(bias.len(), n);
    assert_eq!(c.len(), m * n);
    // 4 x 8 tiles of two f32x4 vectors, whatever the engine's portable tile.
    const W: usize = 8;
    let panels = n.div_ceil(W);
    packed.clear();
    packed.resize(panels * k * W, 0.0);
    for (jp, panel) in packed.chunks_exact_mut((k * W).max(1)).enumerate().take(panels) {
        let (j0, w) = (jp * W, W.min(n - jp * W));
        for (p, row) in panel.chunks_exact_mut(W).enumerate() {
            row[..w].copy_from_slice(&b[p * n + j0..][..w]);
        }
    }
    let a = Strided { data: a, rs: k, cs: 1 };
    for jp in 0..panels {
        let (j0, w) = (jp * W, W.min(n - jp * W));
        let panel = &packed[jp * k * W..(jp + 1) * k * W];
        let block = Block { a, p0: 0, panel, j0, w, n, first: true, last: true, epi: Epilogue::AddBias(bias) };
        block.rows::<4, 2, simd::Portable>(c, &mut [], m);
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

/// The bit-identity tests also run in WebAssembly (`cargo test --target wasm32-unknown-unknown
/// --release --lib kernels`, in node), on the `simd128` kernel.
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

    /// Values spread over several binades with both signs, so that any other summation order
    /// (or a fused multiply-add) changes the low bits of most sums.
    fn values(len: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                let mant = (s >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
                mant * [1.0, 0.01, 3.0, 1e-3, 0.3][(s % 5) as usize]
            })
            .collect()
    }

    /// The contract: `epi(((0 + A_i0 B_0j) + A_i1 B_1j) + ...)`, in f32, one element at a time.
    fn in_order(a: Strided, b: Strided, m: usize, n: usize, k: usize, epi: Epilogue) -> Vec<f32> {
        let mut c = vec![0.0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0f32;
                for p in 0..k {
                    s += a.data[i * a.rs + p * a.cs] * b.data[p * b.rs + j * b.cs];
                }
                c[i * n + j] = match epi {
                    Epilogue::Store => s,
                    Epilogue::AddBias(bias) => s + bias[j],
                    Epilogue::Scale(scale) => s * scale,
                };
            }
        }
        c
    }

    fn paths() -> Vec<Path> {
        let mut v = vec![Path::Portable];
        if Path::detect() == Path::Avx {
            v.push(Path::Avx);
        } else {
            eprintln!("no AVX on this CPU (or not x86_64): the AVX path is not tested");
        }
        v
    }

    fn assert_same_bits(got: &[f32], want: &[f32], what: &str) {
        assert_eq!(got.len(), want.len());
        for (e, (g, w)) in got.iter().zip(want).enumerate() {
            assert_eq!(g.to_bits(), w.to_bits(), "{what}: element {e}: {g} vs {w}");
        }
    }

    /// Shapes with m, n, k on and off the tiles, k = 0, k over several k-blocks, and m over the
    /// side buffer's rows.
    const SHAPES: &[(usize, usize, usize)] = &[
        (1, 1, 1),
        (4, 8, 1),
        (4, 16, 7),
        (5, 7, 19),
        (9, 17, 3),
        (3, 5, 0),
        (8, 33, 0),
        (13, 70, 33),
        (11, 27, 37),
        (7, 9, KC),
        (6, 23, KC + 1),
        (4, 16, 2 * KC),
        (10, 31, 2 * KC + 3),
        (17, 40, 3 * KC + 77),
        (2, 3, 1000),
        // Taller than the side buffer: the partial sums go through `c`.
        (PART_ROWS + 7, 21, KC + 9),
    ];

    /// Every element of every path, both layouts of `A` and of `B`, every epilogue, equals the
    /// plain in-order sum bit for bit.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn every_path_gives_the_in_order_sum_bit_for_bit() {
        for path in paths() {
            for &(m, n, k) in SHAPES {
                let a_rm = values(m * k, 1 + m as u64);
                let a_cm = transpose_vec(&a_rm, m, k);
                let b_rm = values(k * n, 2 + n as u64);
                let b_cm = transpose_vec(&b_rm, k, n);
                let bias = values(n, 3);
                let a_views = [Strided { data: &a_rm, rs: k, cs: 1 }, Strided { data: &a_cm, rs: 1, cs: m }];
                let b_views = [Strided { data: &b_rm, rs: n, cs: 1 }, Strided { data: &b_cm, rs: 1, cs: k }];
                let epis = [Epilogue::Store, Epilogue::AddBias(&bias), Epilogue::Scale(0.37)];
                for (ai, &a) in a_views.iter().enumerate() {
                    for (bi, &b) in b_views.iter().enumerate() {
                        for (ei, &epi) in epis.iter().enumerate() {
                            let want = in_order(a, b, m, n, k, epi);
                            let mut c = vec![f32::NAN; m * n];
                            gemm_on(path, a, b, &mut c, m, n, k, epi);
                            let what = format!("{path:?} {m}x{k}x{n} A layout {ai} B layout {bi} epilogue {ei}");
                            assert_same_bits(&c, &want, &what);
                        }
                    }
                }
            }
        }
    }

    /// The test data tell summation orders apart: the in-order sums differ from the same sums
    /// taken in reverse, and from sums of two halves, in many elements.
    #[test]
    fn the_data_would_expose_another_summation_order() {
        let (m, n, k) = (6, 23, 2 * KC + 3);
        let (a, b) = (values(m * k, 7), values(k * n, 8));
        let mut c = vec![0.0; m * n];
        gemm_nn(&a, &b, &mut c, m, n, k);
        let (mut reversed, mut halves) = (0, 0);
        for i in 0..m {
            for j in 0..n {
                let t = |p: usize| a[i * k + p] * b[p * n + j];
                let rev = (0..k).rev().fold(0.0f32, |s, p| s + t(p));
                let h = (0..k / 2).fold(0.0f32, |s, p| s + t(p)) + (k / 2..k).fold(0.0f32, |s, p| s + t(p));
                reversed += (rev.to_bits() != c[i * n + j].to_bits()) as usize;
                halves += (h.to_bits() != c[i * n + j].to_bits()) as usize;
            }
        }
        assert!(reversed > m * n / 2 && halves > m * n / 4, "{reversed} and {halves} of {}", m * n);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_reference_kernel_gives_the_in_order_sum_bit_for_bit() {
        let mut packed = Vec::new();
        for &(m, n, k) in SHAPES {
            let (a, b, bias) = (values(m * k, 4), values(k * n, 5), values(n, 6));
            let want = in_order(
                Strided { data: &a, rs: k, cs: 1 },
                Strided { data: &b, rs: n, cs: 1 },
                m,
                n,
                k,
                Epilogue::AddBias(&bias),
            );
            let mut c = vec![f32::NAN; m * n];
            gemm_nn_bias_reference(&a, &b, &bias, &mut c, m, n, k, &mut packed);
            assert_same_bits(&c, &want, &format!("reference {m}x{k}x{n}"));
            gemm_nn_bias(&a, &b, &bias, &mut c, m, n, k);
            assert_same_bits(&c, &want, &format!("gemm_nn_bias {m}x{k}x{n}"));
        }
    }

    /// The public products, on the path this machine takes, against the in-order sum.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn public_products_give_the_in_order_sum_bit_for_bit() {
        for &(m, n, k) in SHAPES {
            let (a, b, bias) = (values(m * k, 9), values(k * n, 10), values(n, 11));
            let (at, bt) = (transpose_vec(&a, m, k), transpose_vec(&b, k, n));
            let (av, bv) = (Strided { data: &a, rs: k, cs: 1 }, Strided { data: &b, rs: n, cs: 1 });
            let mut c = vec![f32::NAN; m * n];
            gemm_nn(&a, &b, &mut c, m, n, k);
            assert_same_bits(&c, &in_order(av, bv, m, n, k, Epilogue::Store), "gemm_nn");
            gemm_nn_bias(&a, &b, &bias, &mut c, m, n, k);
            assert_same_bits(&c, &in_order(av, bv, m, n, k, Epilogue::AddBias(&bias)), "gemm_nn_bias");
            gemm_tn(&at, &b, &mut c, m, n, k, 0.01);
            assert_same_bits(&c, &in_order(av, bv, m, n, k, Epilogue::Scale(0.01)), "gemm_tn");
            gemm_tn(&at, &b, &mut c, m, n, k, 1.0);
            assert_same_bits(&c, &in_order(av, bv, m, n, k, Epilogue::Store), "gemm_tn scale 1");
            gemm_nt_bias(&a, &bt, Some(&bias), &mut c, m, n, k, &mut Vec::new());
            assert_same_bits(&c, &in_order(av, bv, m, n, k, Epilogue::AddBias(&bias)), "gemm_nt_bias");
            gemm_nt_bias(&a, &bt, None, &mut c, m, n, k, &mut Vec::new());
            assert_same_bits(&c, &in_order(av, bv, m, n, k, Epilogue::Store), "gemm_nt");
        }
    }

    #[test]
    fn kernels_agree_with_naive_product() {
        for (m, n, k) in [(5, 7, 19), (9, 17, 3), (4, 8, 1), (13, 70, 33)] {
            check(m, n, k);
        }
    }

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

    /// Every element equals the plain in-order sum, bit for bit, whatever tile it falls in.
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

    #[test]
    fn transpose_transposes() {
        let (r, c) = (19, 37);
        let m = values(r * c, 12);
        let mut t = vec![0.0; r * c];
        transpose(&m, &mut t, r, c);
        assert_eq!(t, transpose_vec(&m, r, c));
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
