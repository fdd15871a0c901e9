//! Optimisers that apply an update direction `G` (from any rule) to the parameters.
//! SGD: `w <- w - eta G`. Adam (Kingma & Ba, defaults beta1 0.9, beta2 0.999, eps 1e-8):
//! `m <- b1 m + (1-b1) G`, `v <- b2 v + (1-b2) G^2`,
//! `w <- w - eta sqrt(1-b2^t)/(1-b1^t) m / (sqrt(v) + eps)`.
//! Every step also keeps the change it applied to each parameter, `w_after - w_before` (what
//! the slow-motion walk shows beside the rule's `G`); keeping it never changes the parameters.

use crate::network::Network;
use crate::rules::Grads;

/// Which optimiser applies the updates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Optimizer {
    Adam,
    Sgd,
}

impl Optimizer {
    pub const ALL: [Optimizer; 2] = [Optimizer::Adam, Optimizer::Sgd];
    pub fn key(self) -> &'static str {
        match self {
            Optimizer::Adam => "adam",
            Optimizer::Sgd => "sgd",
        }
    }
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.key() == s)
    }
}

const BETA1: f32 = 0.9;
const BETA2: f32 = 0.999;
const EPS: f32 = 1e-8;

#[derive(Clone, Debug)]
pub struct OptState {
    kind: Optimizer,
    learning_rate: f32,
    m: Grads,
    v: Grads,
    /// The last step's change of every parameter, `w_after - w_before`, computed from the same
    /// two values the step wrote and read (zeros before the first step).
    applied: Grads,
    /// `b1^t` and `b2^t`, kept as running products.
    b1t: f32,
    b2t: f32,
}

impl OptState {
    /// Bytes of the optimiser's state (Adam's moments).
    pub fn bytes(&self) -> usize {
        self.m.bytes() + self.v.bytes() + self.applied.bytes()
    }

    /// The last step's change of every parameter, exactly `w_after - w_before` (zeros before
    /// the first step).
    pub fn applied(&self) -> &Grads {
        &self.applied
    }

    pub fn new(kind: Optimizer, learning_rate: f32, net: &Network) -> Self {
        let zeros = || if kind == Optimizer::Adam { Grads::zeros_like(net) } else { Grads::default() };
        OptState { kind, learning_rate, m: zeros(), v: zeros(), applied: Grads::zeros_like(net), b1t: 1.0, b2t: 1.0 }
    }

    pub fn step(&mut self, net: &mut Network, g: &Grads) {
        match self.kind {
            Optimizer::Sgd => {
                for (l, layer) in net.layers.iter_mut().enumerate() {
                    let d = &mut self.applied;
                    sgd(
                        layer.w.as_slice_mut().unwrap(),
                        g.w[l].as_slice().unwrap(),
                        d.w[l].as_slice_mut().unwrap(),
                        self.learning_rate,
                    );
                    sgd(
                        layer.b.as_slice_mut().unwrap(),
                        g.b[l].as_slice().unwrap(),
                        d.b[l].as_slice_mut().unwrap(),
                        self.learning_rate,
                    );
                }
            }
            Optimizer::Adam => {
                self.b1t *= BETA1;
                self.b2t *= BETA2;
                let lr_t = self.learning_rate * libm::sqrtf(1.0 - self.b2t) / (1.0 - self.b1t);
                for (l, layer) in net.layers.iter_mut().enumerate() {
                    adam(
                        layer.w.as_slice_mut().unwrap(),
                        g.w[l].as_slice().unwrap(),
                        self.m.w[l].as_slice_mut().unwrap(),
                        self.v.w[l].as_slice_mut().unwrap(),
                        self.applied.w[l].as_slice_mut().unwrap(),
                        lr_t,
                    );
                    adam(
                        layer.b.as_slice_mut().unwrap(),
                        g.b[l].as_slice().unwrap(),
                        self.m.b[l].as_slice_mut().unwrap(),
                        self.v.b[l].as_slice_mut().unwrap(),
                        self.applied.b[l].as_slice_mut().unwrap(),
                        lr_t,
                    );
                }
            }
        }
    }
}

/// `w <- w - lr g`; `d` gets the change made, `w_after - w_before`.
fn sgd(w: &mut [f32], g: &[f32], d: &mut [f32], lr: f32) {
    for ((w, &g), d) in w.iter_mut().zip(g).zip(d) {
        let before = *w;
        *w = before - lr * g;
        *d = *w - before;
    }
}

/// One Adam step of `w`; `d` gets the change made, `w_after - w_before`.
fn adam(w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], d: &mut [f32], lr_t: f32) {
    for i in 0..w.len() {
        let gi = g[i];
        m[i] = BETA1 * m[i] + (1.0 - BETA1) * gi;
        v[i] = BETA2 * v[i] + (1.0 - BETA2) * gi * gi;
        // f32::sqrt is correctly rounded (IEEE 754) on every platform, like libm::sqrtf, and vectorises.
        let before = w[i];
        w[i] = before - lr_t * m[i] / (v[i].sqrt() + EPS);
        d[i] = w[i] - before;
    }
}

/// Weight penalty (TensorFlow Playground's regularisation): `none`, `l1` (`lambda sum |w|`) or
/// `l2` (`lambda/2 sum w^2`), over every weight matrix `W_l`; biases and `R` are not penalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Regularization {
    None,
    L1,
    L2,
}

impl Regularization {
    pub const ALL: [Regularization; 3] = [Regularization::None, Regularization::L1, Regularization::L2];
    pub fn key(self) -> &'static str {
        match self {
            Regularization::None => "none",
            Regularization::L1 => "l1",
            Regularization::L2 => "l2",
        }
    }

    /// The penalty's value for `net` at rate `lambda`: `lambda sum |w|` or `lambda/2 sum w^2`.
    pub fn penalty(self, lambda: f32, net: &Network) -> f32 {
        let sum = |f: fn(f32) -> f32| net.layers.iter().flat_map(|l| l.w.iter()).map(|&w| f(w)).sum::<f32>();
        match self {
            Regularization::None => 0.0,
            Regularization::L1 => lambda * sum(f32::abs),
            Regularization::L2 => lambda * 0.5 * sum(|w| w * w),
        }
    }

    /// Adds the penalty's gradient to the update direction `g` of every weight: `lambda sign(w)`
    /// (0 at `w = 0`) or `lambda w`. Each weight's term needs only that weight, so every rule adds
    /// it to its own estimate without a backward pass. Biases are left alone. `None` changes
    /// nothing (not even by adding zero).
    pub fn add_gradient(self, lambda: f32, net: &Network, g: &mut Grads) {
        if self == Regularization::None {
            return;
        }
        for (layer, gw) in net.layers.iter().zip(&mut g.w) {
            for (gi, &w) in gw.iter_mut().zip(layer.w.iter()) {
                *gi += match self {
                    Regularization::L1 if w > 0.0 => lambda,
                    Regularization::L1 if w < 0.0 => -lambda,
                    Regularization::L1 => 0.0,
                    _ => lambda * w,
                };
            }
        }
    }
}
