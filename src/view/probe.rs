//! "Noise made visible": what the last training step did to one sample of its minibatch, read
//! straight from the step's own buffers (nothing is recomputed, so it is exactly what trained the
//! network): per layer the clean pre-activations, the noise each pass injected, the noisy
//! pre-activations, each pass's loss change `dL` against its own reference pass (pass 0, or in
//! blind mode the first pass of its draw's pair), the resulting per-sample signal, and the layer's
//! weight update `G_l` for the whole batch.

use serde::Serialize;

use crate::decorrelation;
use crate::loss::{Loss, label_target};
use crate::rules::{Method, NoiseMode, anp};
use crate::run::Trainer;

/// Largest matrix side sent to the page; bigger matrices are sampled on an even grid of rows and
/// columns (the page says so), which keeps a probe of a 784-256-256-10 network small.
pub const MAX_SIDE: usize = 64;

/// `m (rows, cols)` sampled to at most `MAX_SIDE` rows and columns: `(values, rows, cols)`.
pub fn thumbnail(m: &[f32], rows: usize, cols: usize) -> (Vec<f32>, usize, usize) {
    let pick = |n: usize| -> Vec<usize> {
        if n <= MAX_SIDE { (0..n).collect() } else { (0..MAX_SIDE).map(|i| i * n / MAX_SIDE).collect() }
    };
    let (ri, ci) = (pick(rows), pick(cols));
    let v = ri.iter().flat_map(|&r| ci.iter().map(move |&c| m[r * cols + c])).collect();
    (v, ri.len(), ci.len())
}

/// A matrix for the page, sampled to at most `MAX_SIDE` rows and columns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub full_rows: usize,
    pub full_cols: usize,
    pub values: Vec<f32>,
}

impl Matrix {
    fn of(m: &[f32], rows: usize, cols: usize) -> Matrix {
        let (values, r, c) = thumbnail(m, rows, cols);
        Matrix { rows: r, cols: c, full_rows: rows, full_cols: cols, values }
    }
}

/// One pass at one layer, for the probed sample.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PassView {
    /// Whether this pass injects noise at this layer.
    pub noised: bool,
    /// The injected noise `eps` (`n_out`), when noised.
    pub eps: Option<Vec<f32>>,
    /// The pass's pre-activation `a` (`n_out`); equal to pass 0's where the pass has not yet
    /// diverged from it.
    pub a: Vec<f32>,
}

/// One layer, for the probed sample.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerView {
    pub n_in: usize,
    pub n_out: usize,
    /// The layer's input `x_{l-1} = R_l h_{l-1}` of pass 0 (`n_in`): what the update multiplies.
    pub x: Vec<f32>,
    /// Pre-activations of pass 0 (clean, or the reference pass in blind mode).
    pub clean_a: Vec<f32>,
    /// Activations of pass 0, `h_l = f(a_l)` (the logits for the output layer).
    pub clean_h: Vec<f32>,
    pub passes: Vec<PassView>,
    /// The per-sample signal that multiplies the layer input (the credit per unit; `delta` for
    /// BP).
    pub signal: Vec<f32>,
    /// The layer's update `G_l` for the whole batch.
    pub update: Matrix,
    /// The layer input's correlation matrix over the batch (decorrelated networks).
    pub input_correlation: Option<Matrix>,
    /// wp: draw 1's weight noise `xi` of this layer's weights; fgw: draw 1's tangent `v`.
    pub weight_probe: Option<Matrix>,
    /// The same for the layer's biases (`n_out`).
    pub bias_probe: Option<Vec<f32>>,
    /// fga: draw 1's tangent `u` on this layer's pre-activations, for the probed sample.
    pub unit_tangent: Option<Vec<f32>>,
    /// fgw, fga: the forward wave, draw 1's derivative of each pre-activation along the
    /// tangent, for the probed sample.
    pub tangent_a: Option<Vec<f32>>,
}

/// What the last step did to one sample of its minibatch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Probe {
    pub step: u64,
    pub sample: usize,
    pub batch: usize,
    /// The sample's class; for regression the bits of its real target (see `target`).
    pub label: usize,
    /// The sample's real target, for regression (`loss::label_target` of the label).
    pub target: Option<f32>,
    pub method: &'static str,
    pub blind: bool,
    /// The rule's key (`danp`), the noise `sigma`, the draws `K` and the learning rate: what the
    /// slow-motion walk narrates with.
    pub rule: &'static str,
    pub sigma: f32,
    pub draws: usize,
    pub learning_rate: f32,
    pub optimizer: &'static str,
    pub input: Vec<f32>,
    /// Per-pass loss of the sample.
    pub losses: Vec<f32>,
    /// Per pass, its loss change against its own reference pass, `losses[q] - losses[r]` for its
    /// pair `(r, q)` (see [`Probe::pairs`]); NaN (null in JSON) for a reference pass. A pass's
    /// reference is the nearest reference pass before it (the page finds it that way).
    pub d_loss: Vec<f32>,
    /// wp: per draw, the minibatch's mean loss change `dL_k`; fgw: per draw, the minibatch's
    /// exact directional derivative `d_k`; empty for the other rules.
    pub batch_d: Vec<f32>,
    /// fgw, fga: per draw, this sample's exact directional derivative `d_{k,b}`; wp: per draw,
    /// this sample's loss change; empty for the other rules.
    pub sample_d: Vec<f32>,
    pub layers: Vec<LayerView>,
}

impl Probe {
    /// The draws' pairs of passes `(reference, other)`: `(0, p)` for every noisy pass `p` with a
    /// clean reference, `(2k, 2k + 1)` in blind mode (every draw its own pair); empty for BP.
    pub fn pairs(&self) -> Vec<(usize, usize)> {
        if self.method == Method::Bp.key() { Vec::new() } else { anp::pairs(self.losses.len(), self.blind) }
    }
}

/// The probe of sample `sample` of the last step, or None before the first step or for a sample
/// outside the batch.
pub fn probe(t: &Trainer, sample: usize) -> Option<Probe> {
    let buf = t.last_update();
    let trace = &buf.trace;
    if t.steps() == 0 || sample >= trace.batch || buf.labels.len() != trace.batch {
        return None;
    }
    let bsz = trace.batch;
    let plan = t.plan();
    let net = t.network();
    let cfg = t.config();
    let losses: Vec<f32> = (0..plan.count()).map(|p| buf.losses[p * bsz + sample]).collect();
    let blind = cfg.mode == NoiseMode::Blind;
    let mut d_loss = vec![f32::NAN; losses.len()];
    if cfg.rule.method != Method::Bp {
        for (r, q) in anp::pairs(losses.len(), blind) {
            d_loss[q] = losses[q] - losses[r];
        }
    }
    let method = cfg.rule.method;
    let weight_space = matches!(method, Method::Wp | Method::Fgw);
    let (batch_d, sample_d) = match method {
        Method::Wp => (buf.directional.clone(), (1..losses.len()).map(|p| losses[p] - losses[0]).collect()),
        Method::Fgw => {
            (buf.directional.clone(), (0..buf.directional.len()).map(|k| fgw_sample_d(t, k, sample)).collect())
        }
        Method::Fga => (Vec::new(), (0..cfg.draws).map(|k| buf.directional[k * bsz + sample]).collect()),
        _ => (Vec::new(), Vec::new()),
    };
    // Draw 1's row of the tangent buffers for the probed sample.
    let tangent_row = |m: &[ndarray::Array2<f32>], l: usize| {
        m.get(l).map(|m| m.as_slice().unwrap()[sample * m.ncols()..(sample + 1) * m.ncols()].to_vec())
    };
    let row = |m: &ndarray::Array2<f32>, p: usize| -> Vec<f32> {
        let w = m.ncols();
        m.as_slice().unwrap()[(p * bsz + sample) * w..(p * bsz + sample + 1) * w].to_vec()
    };
    let layers = net
        .layers
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            let lt = &trace.layers[l];
            // Passes running at this layer (the others equal pass 0 here).
            let active = plan.active_at(l);
            let passes = (0..plan.count())
                .map(|p| {
                    // WP runs its noisy passes with jittered weights, not activity noise.
                    let noised = plan.noised(p, l) && method != Method::Wp;
                    PassView {
                        noised,
                        eps: noised.then(|| row(&lt.eps, p)),
                        a: row(&lt.a, if p < active { p } else { 0 }),
                    }
                })
                .collect();
            let x = trace.pass_rows(&lt.x, 0);
            let input_correlation = layer.r.as_ref().map(|_| {
                Matrix::of(&decorrelation::correlation_matrix(x, bsz, layer.n_in()), layer.n_in(), layer.n_in())
            });
            LayerView {
                n_in: layer.n_in(),
                n_out: layer.n_out(),
                x: x[sample * layer.n_in()..(sample + 1) * layer.n_in()].to_vec(),
                clean_a: row(&lt.a, 0),
                clean_h: row(&lt.h, 0),
                passes,
                signal: buf.signals[l].row(sample).to_vec(),
                update: Matrix::of(buf.grads.w[l].as_slice().unwrap(), layer.n_out(), layer.n_in()),
                input_correlation,
                weight_probe: weight_space
                    .then(|| buf.probes.first())
                    .flatten()
                    .map(|g| Matrix::of(g.w[l].as_slice().unwrap(), layer.n_out(), layer.n_in())),
                bias_probe: weight_space
                    .then(|| buf.probes.first())
                    .flatten()
                    .map(|g| g.b[l].as_slice().unwrap().to_vec()),
                unit_tangent: if method == Method::Fga { tangent_row(&buf.unit_tangents, l) } else { None },
                tangent_a: if method.is_forward_gradient() { tangent_row(&buf.tangent_a, l) } else { None },
            }
        })
        .collect();
    let d = trace.input.ncols();
    Some(Probe {
        step: t.steps(),
        sample,
        batch: bsz,
        label: buf.labels[sample],
        target: (net.loss == Loss::Regression).then(|| label_target(buf.labels[sample])),
        method: cfg.rule.method.key(),
        blind,
        rule: cfg.rule.key(),
        sigma: cfg.noise_std,
        draws: cfg.draws,
        learning_rate: cfg.learning_rate,
        optimizer: cfg.optimizer.key(),
        input: trace.input.as_slice().unwrap()[sample * d..(sample + 1) * d].to_vec(),
        losses,
        d_loss,
        batch_d,
        sample_d,
        layers,
    })
}

/// fgw: sample `b`'s exact directional derivative along draw `k`'s tangent, `d_{k,b}`: the
/// loss's derivative at the clean logits times the forward wave's tangent of the logits (the
/// minibatch's `d_k` is the mean of these over the samples).
pub fn fgw_sample_d(t: &Trainer, k: usize, b: usize) -> f32 {
    let buf = t.last_update();
    let net = t.network();
    let n = net.layers[net.n_layers() - 1].n_out();
    let logits = &buf.trace.logits(0)[b * n..(b + 1) * n];
    let mut grad = vec![0.0; n];
    net.loss.value_and_grad(logits, buf.labels[b], &mut grad);
    let tangent = buf.tangent_a[net.n_layers() - 1].row(k * buf.trace.batch + b);
    grad.iter().zip(tangent).map(|(g, v)| g * v).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_keep_small_matrices_and_sample_large_ones() {
        let m: Vec<f32> = (0..6).map(|v| v as f32).collect();
        assert_eq!(thumbnail(&m, 2, 3), (m.clone(), 2, 3));
        let big: Vec<f32> = (0..256 * 784).map(|v| v as f32).collect();
        let (v, r, c) = thumbnail(&big, 256, 784);
        assert_eq!((r, c, v.len()), (64, 64, 4096));
        assert_eq!(v[0], 0.0);
        assert_eq!(v[1], (784 / 64) as f32, "columns sampled evenly");
        assert_eq!(v[64], (4 * 784) as f32, "rows sampled evenly");
    }
}
