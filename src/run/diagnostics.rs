//! What a step can measure besides training: the alignment of the rule's update with the exact
//! backprop gradient on the same batch, and how correlated each layer's input is. Neither ever
//! changes the run: they read the step's buffers and write only their own.

use ndarray::Array2;

use super::config::RunConfig;
use super::stats::StepStats;
use crate::decorrelation;
use crate::network::{Network, Passes, Trace};
use crate::rules::{self, Grads, NoiseMode, UpdateBuffers};

/// Buffers of the alignment measurement: a clean pass of its own (blind mode), BP's signals and
/// gradient.
#[derive(Clone, Debug, Default)]
pub struct DiagnosticBuffers {
    clean: Trace,
    signals: Vec<Array2<f32>>,
    grads: Grads,
    scratch: Vec<f32>,
}

impl DiagnosticBuffers {
    pub fn bytes(&self) -> usize {
        self.clean.bytes()
            + 4 * (self.signals.iter().map(|s| s.len()).sum::<usize>() + self.scratch.capacity())
            + self.grads.bytes()
    }

    pub fn new(net: &Network, batch: usize) -> Self {
        DiagnosticBuffers {
            signals: rules::signal_buffers(net, batch),
            grads: Grads::zeros_like(net),
            ..Default::default()
        }
    }
}

/// Alignment with the exact BP gradient (same batch, same `R`, clean pass): the cosine per layer
/// and over all layers, written into `stats`. Undefined (left out) for step units, whose true
/// gradient is zero.
pub fn alignment(
    net: &Network,
    config: &RunConfig,
    update: &UpdateBuffers,
    buf: &mut DiagnosticBuffers,
    stats: &mut StepStats,
) {
    let bsz = config.batch_size;
    let clean_trace = if config.mode == NoiseMode::Blind {
        // Pass 0 is noisy in blind mode: the true gradient needs its own clean pass.
        buf.clean.prepare(net, bsz, &Passes::clean());
        let n = bsz * net.layers[0].n_in();
        buf.clean.input_mut().copy_from_slice(&update.trace.input.as_slice().unwrap()[..n]);
        net.forward_passes(&mut buf.clean, &Passes::clean(), None);
        &buf.clean
    } else {
        &update.trace
    };
    if !net.act.has_useful_gradient() && net.n_layers() > 1 {
        return; // the "true gradient" of step units is zero: alignment is undefined
    }
    rules::bp::signals(net, clean_trace, &update.labels, &mut buf.signals, &mut buf.scratch);
    rules::grads_from_signals(net, clean_trace, &buf.signals, &mut buf.grads);
    let n = net.n_layers();
    stats.alignment = Some((0..n).map(|l| rules::cosine(&update.grads, &buf.grads, l..l + 1)).collect());
    stats.alignment_all = Some(rules::cosine(&update.grads, &buf.grads, 0..n));
}

/// Per-layer mean absolute off-diagonal correlation of the layer input `x = R h` over the
/// minibatch in `trace` (pass 0; in blind mode the first layer's input is clean, later ones carry
/// the reference pass's noise). It costs `O(B d^2)` per layer, so it is computed on request, not
/// every step. Empty when the trace holds no step of this network.
pub fn input_correlation(net: &Network, trace: &Trace) -> Vec<f32> {
    if trace.layers.len() != net.n_layers() || trace.batch == 0 {
        return Vec::new();
    }
    net.layers
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            decorrelation::mean_abs_offdiag_correlation(
                trace.pass_rows(&trace.layers[l].x, 0),
                trace.batch,
                layer.n_in(),
            )
        })
        .collect()
}
