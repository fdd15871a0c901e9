//! Deterministic random numbers: xoshiro256++ seeded through SplitMix64, Gaussian samples by
//! Marsaglia & Tsang's ziggurat (tables and the rare slow path computed with `libm`), so every
//! stream gives the same numbers natively and in WebAssembly. The ziggurat needs one 32-bit draw,
//! a multiply and a compare for about 99% of samples, which matters: a step of NP draws one
//! noise value per unit per sample.
//!
//! Randomness is always an explicit `&mut Rng` argument, never global. A run derives one
//! independent stream per purpose from its seed ([`Stream`]), so changing, say, the learning rule
//! (which changes how much noise is drawn) never shifts the data, the initial weights or the
//! minibatch order.

/// The purposes that get their own random stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Data = 1,
    Init = 2,
    Batches = 3,
    Noise = 4,
}

/// xoshiro256++ (Blackman & Vigna), a small, fast generator with a 2^256 period.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

/// Ziggurat tables for the standard normal, 128 layers (Marsaglia & Tsang 2000, "RNOR").
struct Ziggurat {
    kn: [u32; 128],
    wn: [f32; 128],
    fn_: [f32; 128],
}

/// Right edge of the base layer.
const ZIG_R: f64 = 3.442619855899;

fn ziggurat() -> &'static Ziggurat {
    static TABLES: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let m1 = 2147483648.0f64;
        let vn = 9.91256303526217e-3f64;
        let mut dn = ZIG_R;
        let mut tn = dn;
        let q = vn / libm::exp(-0.5 * dn * dn);
        let mut z = Ziggurat { kn: [0; 128], wn: [0.0; 128], fn_: [0.0; 128] };
        z.kn[0] = ((dn / q) * m1) as u32;
        z.kn[1] = 0;
        z.wn[0] = (q / m1) as f32;
        z.wn[127] = (dn / m1) as f32;
        z.fn_[0] = 1.0;
        z.fn_[127] = libm::exp(-0.5 * dn * dn) as f32;
        for i in (1..=126).rev() {
            dn = libm::sqrt(-2.0 * libm::log(vn / dn + libm::exp(-0.5 * dn * dn)));
            z.kn[i + 1] = ((dn / tn) * m1) as u32;
            tn = dn;
            z.fn_[i] = libm::exp(-0.5 * dn * dn) as f32;
            z.wn[i] = (dn / m1) as f32;
        }
        z
    })
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator whose whole state comes from `seed` through SplitMix64.
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let s = [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        Rng { s }
    }

    /// The stream for one purpose of a run with seed `seed`.
    pub fn stream(seed: u64, stream: Stream) -> Self {
        // Mix the purpose into the seed with a different odd constant per stream.
        let mut sm = seed ^ (stream as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
        let derived = splitmix64(&mut sm);
        Rng::new(derived)
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 24 random bits.
    pub fn uniform(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u64 << 24) as f32)
    }

    /// Uniform in [lo, hi).
    pub fn uniform_range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in 0..n (n > 0), by rejection so there is no modulo bias.
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        let n = n as u64;
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let v = self.next_u64();
            if v < zone {
                return (v % n) as usize;
            }
        }
    }

    /// Uniform in (0, 1], so that its logarithm is finite.
    fn uniform_open(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 + 1.0) * (1.0 / (1u64 << 24) as f32)
    }

    /// Standard normal sample (ziggurat).
    #[inline]
    pub fn normal(&mut self) -> f32 {
        self.normal_with(ziggurat())
    }

    #[inline]
    fn normal_with(&mut self, z: &Ziggurat) -> f32 {
        loop {
            let hz = (self.next_u64() >> 32) as u32 as i32;
            let iz = (hz & 127) as usize;
            if hz.unsigned_abs() < z.kn[iz] {
                return hz as f32 * z.wn[iz];
            }
            if iz == 0 {
                // The tail beyond ZIG_R (Marsaglia's method).
                let r = ZIG_R as f32;
                loop {
                    let x = -libm::logf(self.uniform_open()) / r;
                    let y = -libm::logf(self.uniform_open());
                    if y + y >= x * x {
                        return if hz > 0 { r + x } else { -r - x };
                    }
                }
            }
            // The wedge between layers: accept under the density.
            let x = hz as f32 * z.wn[iz];
            if z.fn_[iz] + self.uniform() * (z.fn_[iz - 1] - z.fn_[iz]) < libm::expf(-0.5 * x * x) {
                return x;
            }
        }
    }

    /// Fills `out` with N(0, std^2) samples.
    pub fn fill_normal(&mut self, out: &mut [f32], std: f32) {
        let z = ziggurat();
        for v in out.iter_mut() {
            *v = std * self.normal_with(z);
        }
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64's published outputs: from state 0 (Vigna's splitmix64.c) and from 1234567 (the
    /// test vector of Java's SplittableRandom and of the PRNG shoot-out page).
    #[test]
    fn splitmix64_known_answers() {
        let mut s = 0u64;
        let from_zero: Vec<u64> = (0..4).map(|_| splitmix64(&mut s)).collect();
        assert_eq!(from_zero, [0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f, 0xf88bb8a8724c81ec]);
        let mut s = 1234567u64;
        let got: Vec<u64> = (0..5).map(|_| splitmix64(&mut s)).collect();
        assert_eq!(
            got,
            [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821]
        );
    }

    /// xoshiro256++ from the state [1, 2, 3, 4]: the outputs of Blackman & Vigna's reference C
    /// code (the test vector of the rand_xoshiro crate).
    #[test]
    fn xoshiro256plusplus_known_answers() {
        let mut r = Rng { s: [1, 2, 3, 4] };
        let got: Vec<u64> = (0..10).map(|_| r.next_u64()).collect();
        assert_eq!(
            got,
            [
                41943041,
                58720359,
                3588806011781223,
                3591011842654386,
                9228616714210784205,
                9973669472204895162,
                14011001112246962877,
                12406186145184390807,
                15849039046786891736,
                10450023813501588000
            ]
        );
    }

    /// `Rng::new` seeds the four words of state from SplitMix64, as the xoshiro authors advise.
    #[test]
    fn new_seeds_the_state_through_splitmix64() {
        let mut s = 0u64;
        let want = [splitmix64(&mut s), splitmix64(&mut s), splitmix64(&mut s), splitmix64(&mut s)];
        assert_eq!(Rng::new(0).s, want);
    }

    #[test]
    fn streams_differ_and_repeat() {
        let a: Vec<u64> = (0..4).map(|_| Rng::stream(7, Stream::Data).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]), "same stream, same numbers");
        let mut d = Rng::stream(7, Stream::Data);
        let mut n = Rng::stream(7, Stream::Noise);
        assert_ne!(d.next_u64(), n.next_u64());
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut r = Rng::new(3);
        let n = 200_000;
        let (mut s, mut s2) = (0.0f64, 0.0f64);
        for _ in 0..n {
            let z = r.normal() as f64;
            s += z;
            s2 += z * z;
        }
        let mean = s / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "var {var}");
    }

    #[test]
    fn normal_has_gaussian_tails_and_shape() {
        let mut r = Rng::new(5);
        let n = 1_000_000;
        let (mut beyond1, mut beyond3, mut beyond4) = (0, 0, 0);
        let mut kurt = 0.0f64;
        for _ in 0..n {
            let z = r.normal();
            let a = z.abs();
            beyond1 += (a > 1.0) as u32;
            beyond3 += (a > 3.0) as u32;
            beyond4 += (a > 4.0) as u32;
            kurt += (z as f64).powi(4);
        }
        let p1 = beyond1 as f64 / n as f64;
        let p3 = beyond3 as f64 / n as f64;
        // P(|Z| > 1) = 0.3173, P(|Z| > 3) = 0.0027, P(|Z| > 4) = 6.3e-5, E[Z^4] = 3.
        assert!((p1 - 0.3173).abs() < 0.003, "P(|z|>1) = {p1}");
        assert!((p3 - 0.0027).abs() < 0.0003, "P(|z|>3) = {p3}");
        assert!((20..=120).contains(&beyond4), "{beyond4} beyond 4");
        assert!((kurt / n as f64 - 3.0).abs() < 0.05, "kurtosis {}", kurt / n as f64);
    }

    #[test]
    fn below_stays_in_range_and_covers() {
        let mut r = Rng::new(11);
        let mut seen = [0usize; 5];
        for _ in 0..5000 {
            seen[r.below(5)] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800), "{seen:?}");
    }
}
