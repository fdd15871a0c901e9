//! One update direction of any rule: the stacked forward pass the rule asks for, the per-pass
//! losses, the rule's per-sample signals and `G_l = S_l^T X_l / B`. The trainer calls this once
//! a step; alignment studies and tests call [`update_direction`] on a batch of their own.

use ndarray::Array2;

use super::{Grads, Method, anp, bp, fga, fgw, inp, np, wp};
use crate::network::{Network, Passes, Trace};
use crate::rng::Rng;

/// What a rule needs to know to compute one update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UpdateSpec {
    pub method: Method,
    /// `sigma`: standard deviation of the injected noise.
    pub sigma: f32,
    /// `K`: noise draws averaged per step.
    pub draws: usize,
    /// Inaccessible noise: the reference pass is noisy too.
    pub blind: bool,
}

impl UpdateSpec {
    /// The passes this rule runs on a network of `n_layers` layers.
    pub fn passes(&self, n_layers: usize) -> Passes {
        match self.method {
            Method::Bp => Passes::clean(),
            Method::Np | Method::Anp => Passes::all_layers(n_layers, self.draws, self.blind),
            Method::Inp => Passes::per_layer(n_layers, self.draws),
            // Every pass runs with its own weights, so each differs from layer 0 on (no
            // activity noise is added: see `wp::forward`).
            Method::Wp => Passes::all_layers(n_layers, self.draws, false),
            // The clean pass only; the tangents run beside it (`UpdateBuffers::tangent_a`).
            Method::Fgw | Method::Fga => Passes::clean(),
        }
    }
}

/// The buffers of one update, reused from step to step: the stacked trace, the batch's labels,
/// the per-pass losses `losses[p * batch + b]`, the signals `S_l (batch, n_l)` and the update
/// `grads`; for the weight-perturbation and forward-gradient rules their probes (where each rule
/// keeps what: the module documentation of [`crate::rules`]).
#[derive(Clone, Debug, Default)]
pub struct UpdateBuffers {
    pub trace: Trace,
    pub labels: Vec<usize>,
    pub losses: Vec<f32>,
    pub signals: Vec<Array2<f32>>,
    pub grads: Grads,
    pub scratch: Vec<f32>,
    /// One draw's update (blind ANP with several draws sums them).
    pub draw_grads: Grads,
    /// wp: the weight noises `xi_k`; fgw: the tangents `v_k` (`K` entries; empty otherwise).
    pub probes: Vec<Grads>,
    /// wp: `dL_k`; fgw: `d_k` (`K` values); fga: `d_{k,b}` at `k*B + b` (empty otherwise).
    pub directional: Vec<f32>,
    /// fga: the unit tangents `u_l`, `(K*B, n_l)` per layer, row `k*B + b` (empty otherwise).
    pub unit_tangents: Vec<Array2<f32>>,
    /// fgw and fga: the tangent of the clean pre-activation `da_l`, `(K*B, n_l)` per layer, row
    /// `k*B + b` (empty otherwise).
    pub tangent_a: Vec<Array2<f32>>,
    /// The forward gradients' temporaries: `dL_b/da_L` of the batch, one draw's product.
    pub tangent_scratch: Vec<f32>,
}

impl UpdateBuffers {
    /// Bytes held by the buffers.
    pub fn bytes(&self) -> usize {
        self.trace.bytes()
            + 8 * self.labels.capacity()
            + 4 * (self.losses.capacity() + self.scratch.capacity())
            + 4 * self.signals.iter().map(|s| s.len()).sum::<usize>()
            + self.grads.bytes()
            + self.probes.iter().map(Grads::bytes).sum::<usize>()
            + 4 * (self.directional.capacity() + self.tangent_scratch.capacity())
            + 4 * self.unit_tangents.iter().chain(&self.tangent_a).map(|t| t.len()).sum::<usize>()
    }
}

/// The stacked forward pass, the per-pass losses and the rule's update `buf.grads`, for the batch
/// already in `buf.trace.input` / `buf.labels` (the trace prepared for `plan`). Noise comes from
/// `noise_rng` in a fixed order (layer by layer, pass by pass).
pub fn compute_update(net: &Network, spec: &UpdateSpec, plan: &Passes, buf: &mut UpdateBuffers, noise_rng: &mut Rng) {
    let bsz = buf.trace.batch;
    let sigma = spec.sigma;
    if spec.method == Method::Wp {
        wp::draw_probes(net, &mut buf.probes, spec.draws, sigma, noise_rng);
        wp::forward(net, &mut buf.trace, &buf.probes, &mut buf.scratch);
    } else {
        let mut draw = |_p: usize, _l: usize, eps: &mut [f32]| noise_rng.fill_normal(eps, sigma);
        net.forward_passes(&mut buf.trace, plan, Some(&mut draw));
    }
    buf.losses.resize(plan.count() * bsz, 0.0);
    super::all_pass_losses(net, &buf.trace, &buf.labels, &mut buf.losses);
    if buf.signals.len() != net.n_layers() || buf.signals[0].nrows() != bsz {
        buf.signals = super::signal_buffers(net, bsz);
        buf.grads = Grads::zeros_like(net);
    }
    match spec.method {
        Method::Bp => {
            bp::signals(net, &buf.trace, &buf.labels, &mut buf.signals, &mut buf.scratch);
        }
        Method::Np => np::signals(&buf.trace, &buf.losses, sigma, &mut buf.signals),
        Method::Inp => inp::signals(&buf.trace, &buf.losses, spec.draws, &mut buf.signals),
        Method::Anp if spec.blind && spec.draws > 1 => {
            // Every draw has its own noisy reference pass, whose input its signals multiply: one
            // product per draw, summed; the signals kept for display are the draws' average.
            let pairs = anp::pairs(plan.count(), true);
            buf.grads.zero();
            let mut one = std::mem::take(&mut buf.draw_grads);
            if one.w.len() != net.n_layers() {
                one = Grads::zeros_like(net);
            }
            for &(r, q) in &pairs {
                anp::signals(&buf.trace, &buf.losses, &[(r, q)], spec.draws, &mut buf.signals, &mut buf.scratch);
                super::grads_from_signals_at(net, &buf.trace, plan, &buf.signals, r, &mut one);
                buf.grads.add(&one);
            }
            buf.draw_grads = one;
            anp::signals(&buf.trace, &buf.losses, &pairs, spec.draws, &mut buf.signals, &mut buf.scratch);
            return;
        }
        Method::Anp => {
            let pairs = anp::pairs(plan.count(), spec.blind);
            anp::signals(&buf.trace, &buf.losses, &pairs, spec.draws, &mut buf.signals, &mut buf.scratch)
        }
        // The weight-space rules write the update directly (the signals stay zero).
        Method::Wp => {
            wp::update(bsz, &buf.losses, &buf.probes, sigma, &mut buf.directional, &mut buf.grads);
            return;
        }
        Method::Fgw => {
            fgw::draw_probes(net, &mut buf.probes, spec.draws, noise_rng);
            let mut tmp = std::mem::take(&mut buf.tangent_scratch);
            fgw::tangent_pass(net, &buf.trace, &buf.probes, &mut buf.tangent_a, &mut buf.scratch, &mut tmp);
            fga::output_grads(net, &buf.trace, &buf.labels, &mut tmp);
            fgw::update(&buf.trace, &tmp, &buf.probes, &buf.tangent_a, &mut buf.directional, &mut buf.grads);
            buf.tangent_scratch = tmp;
            return;
        }
        Method::Fga => {
            fga::draw_tangents(net, bsz, spec.draws, &mut buf.unit_tangents, noise_rng);
            fga::tangent_pass(net, &buf.trace, &buf.unit_tangents, &mut buf.tangent_a, &mut buf.scratch);
            fga::output_grads(net, &buf.trace, &buf.labels, &mut buf.tangent_scratch);
            fga::signals(
                bsz,
                &buf.tangent_scratch,
                &buf.unit_tangents,
                &buf.tangent_a,
                &mut buf.directional,
                &mut buf.signals,
            );
        }
    }
    super::grads_from_signals(net, &buf.trace, &buf.signals, &mut buf.grads);
}

/// One update direction of a rule on the batch `x (batch, n_0)`, `y (batch)`, without changing
/// the network (for alignment studies and tests).
pub fn update_direction(net: &Network, x: &[f32], y: &[usize], spec: &UpdateSpec, noise_rng: &mut Rng) -> Grads {
    let plan = spec.passes(net.n_layers());
    let mut buf = UpdateBuffers::default();
    buf.trace.prepare(net, y.len(), &plan);
    buf.trace.input_mut().copy_from_slice(x);
    buf.labels = y.to_vec();
    compute_update(net, spec, &plan, &mut buf, noise_rng);
    buf.grads
}
