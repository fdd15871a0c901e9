//! The learning rules. Every rule turns one (stacked) forward pass into a per-sample *signal*
//! `S_l (batch, n_l)` for each layer; the update direction is then the same for all of them:
//!
//! `G_l = S_l^T X_l / B` (weights, `(n_l, n_{l-1})`) and `g_l = mean_b S_l[b]` (biases),
//!
//! with `X_l (batch, n_{l-1})` the layer's input `x_{l-1} = R_l h_{l-1}` in pass 0 (clean, or the
//! reference pass in blind mode). For BP the signal is `delta_l = dL/da_l`; for the perturbation
//! rules it is the loss change times the (injected or measured) perturbation, suitably scaled;
//! for FG-A (`fga`) it is the exact directional derivative times the tangent. The two
//! weight-space rules (`wp`, `fgw`) probe every weight at once with one direction shared by the
//! minibatch, so their update is a sum of whole-network directions, not `S^T X / B`: they write
//! `grads` directly and leave the signals at zero.
//!
//! ## Where each rule keeps its probes (read after a step from [`UpdateBuffers`])
//!
//! With `K` draws and a batch of `B` samples:
//!
//! - **np, inp, anp** (and D-variants): the noise `eps_l` of pass `p` is in
//!   `trace.layers[l].eps`, rows `p*B..(p+1)*B`; the per-pass losses in `losses[p*B + b]`.
//! - **wp / dwp**: `probes[k]` (`k = 0..K`) is the weight noise `xi_k` itself (`N(0, sigma^2)`,
//!   the shapes of `W` and `b`, every layer); `directional[k]` is its minibatch-mean loss change
//!   `dL_k`. The trace holds `1 + K` passes: pass 0 clean, pass `k + 1` run with `W + xi_k` (its
//!   layer inputs `x` too, from layer 1 on; the input layer's is pass 0's). `trace.layers[l].eps`
//!   is unused (zero). `losses[p*B + b]` as for NP.
//! - **fgw / dfgw**: `probes[k]` is the tangent `v_k ~ N(0, I)` over every weight and bias;
//!   `directional[k]` is the exact directional derivative `d_k = grad(L) . v_k` of the minibatch's
//!   mean loss. `tangent_a[l]` `(K*B, n_l)` holds the forward wave: the tangent of the clean
//!   pre-activation `da_l` of draw `k`, sample `b` in row `k*B + b`. The trace holds the clean pass
//!   only.
//! - **fga / dfga**: `unit_tangents[l]` `(K*B, n_l)` holds the tangent `u_{l,k,b} ~ N(0, I)` put on
//!   every pre-activation (row `k*B + b`); `tangent_a[l]` the resulting `da_l` (`u_l` plus what the
//!   layers below propagated), same rows; `directional[k*B + b]` is the per-sample exact
//!   directional derivative `d_{k,b} = sum_l (dL_b/da_l) . u_{l,k,b}`. `probes` is empty; the
//!   trace holds the clean pass only.
//!
//! Every other rule leaves `probes`, `directional`, `unit_tangents` and `tangent_a` empty.

pub mod anp;
pub mod bp;
pub mod fga;
pub mod fgw;
pub mod inp;
pub mod np;
mod update;
pub mod wp;

pub use update::{UpdateBuffers, UpdateSpec, compute_update, update_direction};

use ndarray::{Array1, Array2};

use crate::activation::Activation;

use crate::kernels;
use crate::network::{Network, Trace};

/// The rule families: backprop, the three node-perturbation rules, weight perturbation and the
/// two forward gradients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Bp,
    Np,
    Inp,
    Anp,
    /// Weight perturbation (finite differences in weight space, SPSA / MeZO).
    Wp,
    /// Forward gradient in weight space (Baydin et al. 2022).
    Fgw,
    /// Forward gradient in activity space (Ren et al. 2023, FG-A).
    Fga,
}

/// A learning rule: a family, plain or with layer-wise input decorrelation (the D variants).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub method: Method,
    pub decorrelated: bool,
}

impl Rule {
    pub const ALL: [Rule; 14] = [
        Rule { method: Method::Bp, decorrelated: false },
        Rule { method: Method::Bp, decorrelated: true },
        Rule { method: Method::Np, decorrelated: false },
        Rule { method: Method::Np, decorrelated: true },
        Rule { method: Method::Inp, decorrelated: false },
        Rule { method: Method::Inp, decorrelated: true },
        Rule { method: Method::Anp, decorrelated: false },
        Rule { method: Method::Anp, decorrelated: true },
        Rule { method: Method::Wp, decorrelated: false },
        Rule { method: Method::Wp, decorrelated: true },
        Rule { method: Method::Fgw, decorrelated: false },
        Rule { method: Method::Fgw, decorrelated: true },
        Rule { method: Method::Fga, decorrelated: false },
        Rule { method: Method::Fga, decorrelated: true },
    ];
    pub fn key(self) -> &'static str {
        match (self.method, self.decorrelated) {
            (Method::Bp, false) => "bp",
            (Method::Bp, true) => "dbp",
            (Method::Np, false) => "np",
            (Method::Np, true) => "dnp",
            (Method::Inp, false) => "inp",
            (Method::Inp, true) => "dinp",
            (Method::Anp, false) => "anp",
            (Method::Anp, true) => "danp",
            (Method::Wp, false) => "wp",
            (Method::Wp, true) => "dwp",
            (Method::Fgw, false) => "fgw",
            (Method::Fgw, true) => "dfgw",
            (Method::Fga, false) => "fga",
            (Method::Fga, true) => "dfga",
        }
    }
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == s)
    }
    /// Why this rule cannot run with these settings, if it cannot.
    pub fn unavailable_reason(self, act: Activation, mode: NoiseMode) -> Option<String> {
        let name = self.key();
        if mode == NoiseMode::Blind && self.method != Method::Anp {
            return Some(match self.method {
                Method::Bp => format!(
                    "{name} injects no noise, so mode=blind (noise that cannot be observed) does not apply; use mode=clean"
                ),
                Method::Fgw | Method::Fga => format!(
                    "{name} computes an exact derivative by a tangent pass and injects no noise, so mode=blind (noise that cannot be observed) does not apply; use mode=clean"
                ),
                Method::Wp => format!(
                    "{name} cannot run with mode=blind: its update multiplies the loss change by the weight noise xi against a clean pass, and blind mode has no clean pass; anp and danp use the measured activity change instead"
                ),
                _ => format!(
                    "{name} cannot run with mode=blind: its update multiplies the loss change by the injected noise eps, which blind mode cannot observe; anp and danp use the measured activity change instead"
                ),
            });
        }
        if self.method == Method::Bp && !act.has_useful_gradient() {
            return Some(format!(
                "{name} cannot train step units: the step function's derivative is zero almost everywhere (and undefined where the sign flips), so backpropagation would only ever see zero gradients; perturbation rules (np, inp, anp) can train them"
            ));
        }
        if matches!(self.method, Method::Fgw | Method::Fga) && !act.has_useful_gradient() {
            return Some(format!(
                "{name} cannot train step units: its tangent pass multiplies by the units' derivative f', which for the step function is zero almost everywhere, so the directional derivative would only ever be zero below the output layer; perturbation rules (np, inp, anp, wp) can train them"
            ));
        }
        None
    }
}

/// Whether the noise can be observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoiseMode {
    /// One clean pass and noisy passes: the noise is observed.
    Clean,
    /// Inaccessible noise: every pass is noisy with independent noise (noisy hardware).
    Blind,
}

impl NoiseMode {
    pub const ALL: [NoiseMode; 2] = [NoiseMode::Clean, NoiseMode::Blind];
    pub fn key(self) -> &'static str {
        match self {
            NoiseMode::Clean => "clean",
            NoiseMode::Blind => "blind",
        }
    }
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.key() == s)
    }
}

impl Method {
    pub fn key(self) -> &'static str {
        match self {
            Method::Bp => "bp",
            Method::Np => "np",
            Method::Inp => "inp",
            Method::Anp => "anp",
            Method::Wp => "wp",
            Method::Fgw => "fgw",
            Method::Fga => "fga",
        }
    }

    /// The forward gradients (exact directional derivatives by a tangent pass): they need `f'`.
    pub fn is_forward_gradient(self) -> bool {
        matches!(self, Method::Fgw | Method::Fga)
    }
}

/// Update directions for every layer: `w[l] (n_l, n_{l-1})`, `b[l] (n_l)`.
#[derive(Clone, Debug, Default)]
pub struct Grads {
    pub w: Vec<Array2<f32>>,
    pub b: Vec<Array1<f32>>,
}

impl Grads {
    pub fn zeros_like(net: &Network) -> Self {
        Grads {
            w: net.layers.iter().map(|l| Array2::zeros(l.w.dim())).collect(),
            b: net.layers.iter().map(|l| Array1::zeros(l.b.len())).collect(),
        }
    }

    /// Sets every value to zero.
    pub fn zero(&mut self) {
        self.w.iter_mut().for_each(|w| w.fill(0.0));
        self.b.iter_mut().for_each(|b| b.fill(0.0));
    }

    /// Adds `c * other` (of the same shapes) value by value.
    pub fn add_scaled(&mut self, c: f32, other: &Grads) {
        let pairs = self
            .w
            .iter_mut()
            .map(|a| a.as_slice_mut().unwrap())
            .chain(self.b.iter_mut().map(|a| a.as_slice_mut().unwrap()));
        let others = other.w.iter().map(|a| a.as_slice().unwrap()).chain(other.b.iter().map(|a| a.as_slice().unwrap()));
        for (a, b) in pairs.zip(others) {
            for (x, &y) in a.iter_mut().zip(b) {
                *x += c * y;
            }
        }
    }

    /// Number of values (every weight and bias).
    pub fn len(&self) -> usize {
        self.w.iter().map(|w| w.len()).sum::<usize>() + self.b.iter().map(|b| b.len()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `other` (of the same shapes) value by value.
    pub fn add(&mut self, other: &Grads) {
        for (a, b) in self.w.iter_mut().zip(&other.w) {
            *a += b;
        }
        for (a, b) in self.b.iter_mut().zip(&other.b) {
            *a += b;
        }
    }

    /// Bytes of the update's values.
    pub fn bytes(&self) -> usize {
        4 * (self.w.iter().map(|w| w.len()).sum::<usize>() + self.b.iter().map(|b| b.len()).sum::<usize>())
    }

    pub fn is_finite(&self) -> bool {
        self.w.iter().all(|w| kernels::all_finite(w.as_slice().unwrap()))
            && self.b.iter().all(|b| kernels::all_finite(b.as_slice().unwrap()))
    }
}

/// Per-layer signal buffers `S_l (batch, n_l)`.
pub fn signal_buffers(net: &Network, batch: usize) -> Vec<Array2<f32>> {
    net.layers.iter().map(|l| Array2::zeros((batch, l.n_out()))).collect()
}

/// `G_l = S_l^T X_l / B`, `g_l = mean_b S_l[b]` from the signals and pass 0's layer inputs.
pub fn grads_from_signals(net: &Network, trace: &Trace, signals: &[Array2<f32>], grads: &mut Grads) {
    let bsz = trace.batch;
    for (l, layer) in net.layers.iter().enumerate() {
        let (n_in, n_out) = (layer.n_in(), layer.n_out());
        let s = signals[l].as_slice().unwrap();
        debug_assert_eq!(s.len(), bsz * n_out);
        let x = trace.pass_rows(&trace.layers[l].x, 0);
        let inv_b = 1.0 / bsz as f32;
        kernels::gemm_tn(s, x, grads.w[l].as_slice_mut().unwrap(), n_out, n_in, bsz, inv_b);
        kernels::col_sums(s, grads.b[l].as_slice_mut().unwrap(), bsz, n_out, inv_b);
    }
}

/// Like [`grads_from_signals`], with the layer inputs of pass `pass` (at a layer before the pass
/// diverged from pass 0, its input is pass 0's).
pub fn grads_from_signals_at(
    net: &Network,
    trace: &Trace,
    plan: &crate::network::Passes,
    signals: &[Array2<f32>],
    pass: usize,
    grads: &mut Grads,
) {
    let bsz = trace.batch;
    for (l, layer) in net.layers.iter().enumerate() {
        let (n_in, n_out) = (layer.n_in(), layer.n_out());
        let s = signals[l].as_slice().unwrap();
        let p = if pass < plan.computed_at(l) { pass } else { 0 };
        let x = trace.pass_rows(&trace.layers[l].x, p);
        let inv_b = 1.0 / bsz as f32;
        kernels::gemm_tn(s, x, grads.w[l].as_slice_mut().unwrap(), n_out, n_in, bsz, inv_b);
        kernels::col_sums(s, grads.b[l].as_slice_mut().unwrap(), bsz, n_out, inv_b);
    }
}

/// Per-sample losses of every pass: `losses[p * batch + b]`.
pub fn all_pass_losses(net: &Network, trace: &Trace, labels: &[usize], losses: &mut [f32]) {
    let bsz = trace.batch;
    for p in 0..trace.passes {
        crate::network::pass_losses(net, trace, p, labels, &mut losses[p * bsz..(p + 1) * bsz]);
    }
}

/// Cosine between two update directions over the given layers (weights and biases together).
pub fn cosine(a: &Grads, b: &Grads, layers: std::ops::Range<usize>) -> f32 {
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for l in layers {
        let pairs = a.w[l].iter().zip(b.w[l].iter()).chain(a.b[l].iter().zip(b.b[l].iter()));
        for (&x, &y) in pairs {
            ab += x as f64 * y as f64;
            aa += x as f64 * x as f64;
            bb += y as f64 * y as f64;
        }
    }
    if aa == 0.0 || bb == 0.0 { 0.0 } else { (ab / (aa.sqrt() * bb.sqrt())) as f32 }
}
