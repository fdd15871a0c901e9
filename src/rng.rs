//! Deterministic random numbers: xoshiro256++ seeded through SplitMix64, Gaussian samples by
//! Box-Muller with `libm`, so every stream gives the same numbers natively and in WebAssembly.
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
    /// Second Box-Muller value kept for the next call.
    spare: Option<f32>,
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
        Rng { s, spare: None }
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

    /// Standard normal sample (Box-Muller; the second value of each pair is kept for the next call).
    pub fn normal(&mut self) -> f32 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        // u1 in (0, 1] so that ln(u1) is finite.
        let u1 = ((self.next_u64() >> 40) as f32 + 1.0) * (1.0 / (1u64 << 24) as f32);
        let u2 = self.uniform();
        let r = libm::sqrtf(-2.0 * libm::logf(u1));
        let theta = 2.0 * core::f32::consts::PI * u2;
        self.spare = Some(r * libm::sinf(theta));
        r * libm::cosf(theta)
    }

    /// Fills `out` with N(0, std^2) samples.
    pub fn fill_normal(&mut self, out: &mut [f32], std: f32) {
        for v in out.iter_mut() {
            *v = std * self.normal();
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
    fn below_stays_in_range_and_covers() {
        let mut r = Rng::new(11);
        let mut seen = [0usize; 5];
        for _ in 0..5000 {
            seen[r.below(5)] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800), "{seen:?}");
    }
}
