//! Per-sample losses on the output layer's pre-activations (logits) `a_L`, each beside its
//! gradient `dL/da_L`. Targets are class labels; mean squared error compares against one-hot.
//! Regression carries its real target in the same `usize` label ([`target_label`]), so batches,
//! rules and evaluation pass labels along unchanged and only [`Loss::Regression`] reads them as
//! numbers.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Softmax cross-entropy: `L = -log softmax(a)[y]`.
    CrossEntropy,
    /// Mean squared error against the one-hot target: `L = (1/n) sum_k (a_k - t_k)^2`.
    MeanSquared,
    /// Squared error against a real target, for regression (one output): `L = (a_0 - t)^2` with
    /// `t = label_target(y)`. The network of a run with `loss=mse` on a regression set has it.
    Regression,
}

/// A real target carried as a label: its bits (every `f32` fits a `usize`, also on wasm32).
pub fn target_label(t: f32) -> usize {
    t.to_bits() as usize
}

/// The real target a label carries (the inverse of [`target_label`]).
pub fn label_target(y: usize) -> f32 {
    f32::from_bits(y as u32)
}

impl Loss {
    pub fn key(self) -> &'static str {
        match self {
            Loss::CrossEntropy => "ce",
            Loss::MeanSquared | Loss::Regression => "mse",
        }
    }

    pub fn from_key(s: &str) -> Option<Self> {
        match s {
            "ce" => Some(Loss::CrossEntropy),
            "mse" => Some(Loss::MeanSquared),
            _ => None,
        }
    }

    /// Loss of one sample with logits `a` (length n_L) and label `y`.
    pub fn value(self, a: &[f32], y: usize) -> f32 {
        match self {
            Loss::CrossEntropy => {
                let m = max(a);
                let mut s = 0.0f32;
                for &v in a {
                    s += libm::expf(v - m);
                }
                libm::logf(s) + m - a[y]
            }
            Loss::MeanSquared => {
                let mut s = 0.0f32;
                for (k, &v) in a.iter().enumerate() {
                    let d = v - if k == y { 1.0 } else { 0.0 };
                    s += d * d;
                }
                s / a.len() as f32
            }
            Loss::Regression => {
                let d = a[0] - label_target(y);
                d * d
            }
        }
    }

    /// Writes `dL/da` for one sample into `grad` and returns the loss.
    pub fn value_and_grad(self, a: &[f32], y: usize, grad: &mut [f32]) -> f32 {
        debug_assert_eq!(a.len(), grad.len());
        match self {
            Loss::CrossEntropy => {
                let m = max(a);
                let mut s = 0.0f32;
                for (g, &v) in grad.iter_mut().zip(a) {
                    *g = libm::expf(v - m);
                    s += *g;
                }
                for g in grad.iter_mut() {
                    *g /= s;
                }
                grad[y] -= 1.0;
                libm::logf(s) + m - a[y]
            }
            Loss::MeanSquared => {
                let n = a.len() as f32;
                let mut s = 0.0f32;
                for (k, (g, &v)) in grad.iter_mut().zip(a).enumerate() {
                    let d = v - if k == y { 1.0 } else { 0.0 };
                    s += d * d;
                    *g = 2.0 * d / n;
                }
                s / n
            }
            Loss::Regression => {
                let d = a[0] - label_target(y);
                grad[0] = 2.0 * d;
                d * d
            }
        }
    }
}

fn max(a: &[f32]) -> f32 {
    a.iter().copied().fold(f32::NEG_INFINITY, f32::max)
}

/// Index of the largest logit (the predicted class); ties go to the lower index.
pub fn argmax(a: &[f32]) -> usize {
    let mut best = 0;
    for (k, &v) in a.iter().enumerate() {
        if v > a[best] {
            best = k;
        }
    }
    best
}
