//! Hidden-unit nonlinearities `h = f(a)`, each beside its derivative `f'(a)`.
//! Transcendentals come from `libm` so the native and WebAssembly builds agree bit for bit.

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
            Activation::Tanh => libm::tanhf(a),
            Activation::Relu => {
                if a > 0.0 { a } else { 0.0 }
            }
            Activation::LeakyRelu => {
                if a > 0.0 { a } else { LEAKY_SLOPE * a }
            }
            Activation::Sigmoid => 1.0 / (1.0 + libm::expf(-a)),
            Activation::Linear => a,
            Activation::Step => {
                if a >= 0.0 { 1.0 } else { -1.0 }
            }
        }
    }

    /// `f'(a)`, given `a` and `h = f(a)` (whichever is cheaper).
    #[inline]
    pub fn df(self, a: f32, h: f32) -> f32 {
        match self {
            Activation::Tanh => 1.0 - h * h,
            Activation::Relu => {
                if a > 0.0 { 1.0 } else { 0.0 }
            }
            Activation::LeakyRelu => {
                if a > 0.0 { 1.0 } else { LEAKY_SLOPE }
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
    fn keys_round_trip() {
        for act in Activation::ALL {
            assert_eq!(Activation::from_key(act.key()), Some(act));
        }
    }
}
