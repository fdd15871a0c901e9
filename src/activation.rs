//! Hidden-unit nonlinearities `h = f(a)`, each beside its derivative `f'(a)`.
//! Transcendentals come from `libm` so the native and WebAssembly builds agree bit for bit.

/// `tanh(x)` as a rational function (Eigen's 13/6 minimax approximation), evaluated with `+`,
/// `*` and `/` only, in a fixed order and without fused multiply-add: IEEE 754 makes every one of
/// those operations exact-rounded, so the result is bit-identical on every platform, like `libm`,
/// and it vectorises, unlike `libm::tanhf` (a branchy `expm1f`), which made the activations the
/// largest cost of an NP step after the matrix products. Maximum absolute error against
/// `libm::tanhf` is below 5e-7, about 4 ulp near 1 (see the test); it saturates to exactly +-1 beyond |x| = 9.
#[inline(always)]
// The coefficients keep the digits they were fitted with; their f32 values are what count.
#[allow(clippy::excessive_precision)]
pub fn tanh(x: f32) -> f32 {
    const CLAMP: f32 = 7.905_311;
    const A1: f32 = 4.893_524_6e-3;
    const A3: f32 = 6.372_619_3e-4;
    const A5: f32 = 1.485_722_4e-5;
    const A7: f32 = 5.122_297e-8;
    const A9: f32 = -8.604_671_5e-11;
    const A11: f32 = 2.000_187_9e-13;
    const A13: f32 = -2.760_768_5e-16;
    const B0: f32 = 4.893_525_2e-3;
    const B2: f32 = 2.268_434_7e-3;
    const B4: f32 = 1.185_347_1e-4;
    const B6: f32 = 1.198_258_4e-6;
    let x = x.clamp(-CLAMP, CLAMP);
    let x2 = x * x;
    let mut p = x2 * A13 + A11;
    p = x2 * p + A9;
    p = x2 * p + A7;
    p = x2 * p + A5;
    p = x2 * p + A3;
    p = x2 * p + A1;
    p *= x;
    let mut q = x2 * B6 + B4;
    q = x2 * q + B2;
    q = x2 * q + B0;
    (p / q).clamp(-1.0, 1.0)
}

/// Slope of leaky ReLU for negative inputs.
pub const LEAKY_SLOPE: f32 = 0.01;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Tanh,
    Relu,
    LeakyRelu,
    Sigmoid,
    Linear,
    /// Hard step, `sign(a)` with `f(0) = 1`: its derivative is zero almost everywhere, so
    /// backpropagation cannot train it while perturbation methods can.
    Step,
}

impl Activation {
    pub const ALL: [Activation; 6] = [
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Sigmoid,
        Activation::Linear,
        Activation::Step,
    ];

    /// The name used in configuration strings.
    pub fn key(self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Linear => "linear",
            Activation::Step => "step",
        }
    }

    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == s)
    }

    /// `f(a)`.
    #[inline]
    pub fn f(self, a: f32) -> f32 {
        match self {
            Activation::Tanh => tanh(a),
            Activation::Relu => {
                if a > 0.0 {
                    a
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if a > 0.0 {
                    a
                } else {
                    LEAKY_SLOPE * a
                }
            }
            Activation::Sigmoid => 1.0 / (1.0 + libm::expf(-a)),
            Activation::Linear => a,
            Activation::Step => {
                if a >= 0.0 {
                    1.0
                } else {
                    -1.0
                }
            }
        }
    }

    /// `f'(a)`, given `a` and `h = f(a)` (whichever is cheaper).
    #[inline]
    pub fn df(self, a: f32, h: f32) -> f32 {
        match self {
            Activation::Tanh => 1.0 - h * h,
            Activation::Relu => {
                if a > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if a > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            Activation::Sigmoid => h * (1.0 - h),
            Activation::Linear => 1.0,
            Activation::Step => 0.0,
        }
    }

    /// Applies `f` elementwise: `h[i] = f(a[i])`.
    pub fn apply(self, a: &[f32], h: &mut [f32]) {
        debug_assert_eq!(a.len(), h.len());
        match self {
            // Separate loops so the cheap cases vectorise.
            Activation::Relu => h.iter_mut().zip(a).for_each(|(h, &a)| *h = if a > 0.0 { a } else { 0.0 }),
            Activation::Linear => h.copy_from_slice(a),
            Activation::Tanh => h.iter_mut().zip(a).for_each(|(h, &a)| *h = tanh(a)),
            _ => h.iter_mut().zip(a).for_each(|(h, &a)| *h = self.f(a)),
        }
    }

    /// Weight initialisation suited to the unit: He (variance 2 / fan_in) for the ReLU family,
    /// Xavier/Glorot (variance 2 / (fan_in + fan_out)) otherwise.
    pub fn init_std(self, fan_in: usize, fan_out: usize) -> f32 {
        match self {
            Activation::Relu | Activation::LeakyRelu => libm::sqrtf(2.0 / fan_in as f32),
            _ => libm::sqrtf(2.0 / (fan_in + fan_out) as f32),
        }
    }

    /// Whether backpropagation can train a network with these hidden units.
    pub fn has_useful_gradient(self) -> bool {
        self != Activation::Step
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivative_matches_finite_difference() {
        for act in Activation::ALL {
            if act == Activation::Step {
                continue;
            }
            for &a in &[-1.7f32, -0.3, 0.2, 0.9, 2.1] {
                let e = 1e-3;
                let fd = (act.f(a + e) as f64 - act.f(a - e) as f64) / (2.0 * e as f64);
                let d = act.df(a, act.f(a)) as f64;
                assert!((fd - d).abs() < 2e-3, "{act:?} at {a}: fd {fd} vs df {d}");
            }
        }
    }

    #[test]
    fn rational_tanh_matches_libm() {
        let mut worst = 0.0f32;
        for i in -200_000..=200_000 {
            let x = i as f32 * 1e-4; // -20 .. 20
            let err = (tanh(x) - libm::tanhf(x)).abs();
            worst = worst.max(err);
            assert!(tanh(x) == -tanh(-x), "odd at {x}");
        }
        assert!(worst < 5e-7, "max abs error {worst}");
        assert_eq!(tanh(30.0), 1.0);
        assert_eq!(tanh(-30.0), -1.0);
        assert_eq!(tanh(0.0), 0.0);
        assert!(tanh(f32::NAN).is_nan(), "NaN must stay visible");
        // Monotone on a fine grid, within the approximation error.
        let mut prev = -1.0f32;
        for i in -90_000..=90_000 {
            let y = tanh(i as f32 * 1e-4);
            assert!(y >= prev - 5e-7, "not monotone at {}", i as f32 * 1e-4);
            prev = prev.max(y);
        }
    }

    #[test]
    fn keys_round_trip() {
        for act in Activation::ALL {
            assert_eq!(Activation::from_key(act.key()), Some(act));
        }
    }
}
