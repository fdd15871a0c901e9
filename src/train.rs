//! The trainer: one run of one configuration, stepped one minibatch at a time.
//!
//! One step: take the next minibatch; run the stacked forward pass of the rule (clean pass plus
//! noisy passes); turn it into update directions; update every `R_l` (D-variants); step the
//! optimiser. Evaluation is separate and always a clean pass.

use std::fmt;

use crate::config::{Method, NoiseMode, RunConfig};
use crate::data::Dataset;
use crate::decorrelation;
use crate::metrics::{self, Evaluation};
use crate::network::{Network, Passes, Trace};
use crate::optimizer::OptState;
use crate::rng::{Rng, Stream};
use crate::rules::{self, Grads};

/// What a step measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepStats {
    /// Mean loss of the minibatch in the clean pass (in blind mode: the reference pass).
    pub batch_loss: f32,
    /// Mean loss change `dL` over the minibatch and the noisy passes (None for BP).
    pub d_loss: Option<f32>,
    /// Per-layer cosine between the rule's update and the exact BP gradient on the same batch
    /// and the same `R` (None when diagnostics are off or BP has no useful gradient).
    pub alignment: Option<Vec<f32>>,
    /// The same cosine over all layers together.
    pub alignment_all: Option<f32>,
}

/// Why training stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainError {
    /// A loss, update or parameter became non-finite at `step`.
    Diverged { step: u64, what: String },
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::Diverged { step, what } => write!(
                f,
                "diverged at step {step}: {what}. Try a smaller learning rate (lr), a smaller noise (sigma) or, for the D-variants, a smaller decorrelation rate (decor_lr)"
            ),
        }
    }
}

impl std::error::Error for TrainError {}

/// What a rule needs to know to compute one update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UpdateSpec {
    pub method: Method,
    pub sigma: f32,
    pub draws: usize,
    pub blind: bool,
}

impl UpdateSpec {
    pub fn of(c: &RunConfig) -> Self {
        UpdateSpec { method: c.rule.method, sigma: c.noise_std, draws: c.draws, blind: c.mode == NoiseMode::Blind }
    }

    /// The passes this rule runs on a network of `n_layers` layers.
    pub fn passes(&self, n_layers: usize) -> Passes {
        match self.method {
            Method::Bp => Passes::clean(),
            Method::Np | Method::Anp => Passes::all_layers(n_layers, self.draws, self.blind),
            Method::Inp => Passes::per_layer(n_layers, self.draws),
        }
    }
}

/// The stacked forward pass, the per-pass losses and the rule's update `ws.grads`, for the batch
/// already in `ws.trace.input` / `ws.labels` (the trace prepared for `plan`). Noise comes from
/// `noise_rng` in a fixed order (layer by layer, pass by pass).
pub fn compute_update(net: &Network, spec: &UpdateSpec, plan: &Passes, ws: &mut Workspace, noise_rng: &mut Rng) {
    let bsz = ws.trace.batch;
    let sigma = spec.sigma;
    let mut draw = |_p: usize, _l: usize, eps: &mut [f32]| noise_rng.fill_normal(eps, sigma);
    net.forward_passes(&mut ws.trace, plan, Some(&mut draw));
    ws.losses.resize(plan.count() * bsz, 0.0);
    rules::all_pass_losses(net, &ws.trace, &ws.labels, &mut ws.losses);
    if ws.signals.len() != net.n_layers() || ws.signals[0].nrows() != bsz {
        ws.signals = rules::signal_buffers(net, bsz);
        ws.grads = Grads::zeros_like(net);
    }
    match spec.method {
        Method::Bp => {
            rules::bp::signals(net, &ws.trace, &ws.labels, &mut ws.signals, &mut ws.scratch);
        }
        Method::Np => rules::np::signals(&ws.trace, &ws.losses, sigma, &mut ws.signals),
        Method::Inp => rules::inp::signals(&ws.trace, &ws.losses, spec.draws, &mut ws.signals),
        Method::Anp => rules::anp::signals(&ws.trace, &ws.losses, &mut ws.signals, &mut ws.scratch),
    }
    rules::grads_from_signals(net, &ws.trace, &ws.signals, &mut ws.grads);
}

/// One update direction of a rule on the batch `x (batch, n_0)`, `y (batch)`, without changing
/// the network (for alignment studies and tests).
pub fn update_direction(net: &Network, x: &[f32], y: &[usize], spec: &UpdateSpec, noise_rng: &mut Rng) -> Grads {
    let plan = spec.passes(net.n_layers());
    let mut ws = Workspace::default();
    ws.trace.prepare(net, y.len(), &plan);
    ws.trace.input_mut().copy_from_slice(x);
    ws.labels = y.to_vec();
    compute_update(net, spec, &plan, &mut ws, noise_rng);
    ws.grads
}

/// Buffers of one step, allocated on the first step and reused after.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    pub trace: Trace,
    pub labels: Vec<usize>,
    pub losses: Vec<f32>,
    pub signals: Vec<ndarray::Array2<f32>>,
    pub grads: Grads,
    bp_trace: Trace,
    bp_signals: Vec<ndarray::Array2<f32>>,
    bp_grads: Grads,
    scratch: Vec<f32>,
    decor: decorrelation::Scratch,
    eval: Trace,
}

#[derive(Clone, Debug)]
pub struct Trainer {
    config: RunConfig,
    net: Network,
    data: Dataset,
    opt: OptState,
    plan: Passes,
    batch_rng: Rng,
    noise_rng: Rng,
    order: Vec<usize>,
    cursor: usize,
    epochs_done: u64,
    steps: u64,
    diagnostics: bool,
    last: StepStats,
    diverged: Option<TrainError>,
    ws: Workspace,
}

impl Trainer {
    /// A new run: data, initial weights, batch order and noise each from their own stream of
    /// `config.seed`.
    pub fn new(config: RunConfig) -> Result<Trainer, crate::config::ConfigError> {
        Self::with_digits(config, None)
    }

    /// A new run; `digits` supplies the MNIST subset when the config asks for it.
    pub fn with_digits(
        config: RunConfig,
        digits: Option<&crate::mnist::Digits>,
    ) -> Result<Trainer, crate::config::ConfigError> {
        Self::with_external(config, &crate::data::External { digits, table: None })
    }

    /// A new run with the data that does not come from the seed (digits, an uploaded table).
    pub fn with_external(
        config: RunConfig,
        external: &crate::data::External,
    ) -> Result<Trainer, crate::config::ConfigError> {
        config.validate()?;
        let data =
            Dataset::build(&config, external, &mut Rng::stream(config.seed, Stream::Data)).map_err(|message| {
                crate::config::ConfigError { key: "data".into(), value: config.data.key().into(), message }
            })?;
        let sizes = config.layer_sizes(data.dim(), data.classes);
        let net = Network::new(
            &sizes,
            config.activation,
            config.loss,
            config.rule.decorrelated,
            &mut Rng::stream(config.seed, Stream::Init),
        );
        Ok(Self::from_parts(config, net, data))
    }

    /// A run on given data and initial network (used by tests and by data that is not generated).
    pub fn from_parts(config: RunConfig, net: Network, data: Dataset) -> Trainer {
        let plan = UpdateSpec::of(&config).passes(net.n_layers());
        let mut batch_rng = Rng::stream(config.seed, Stream::Batches);
        let mut order: Vec<usize> = (0..data.train.len()).collect();
        batch_rng.shuffle(&mut order);
        let opt = OptState::new(config.optimizer, config.learning_rate, &net);
        let ws = Workspace {
            signals: rules::signal_buffers(&net, config.batch_size),
            grads: Grads::zeros_like(&net),
            bp_signals: rules::signal_buffers(&net, config.batch_size),
            bp_grads: Grads::zeros_like(&net),
            ..Workspace::default()
        };
        Trainer {
            noise_rng: Rng::stream(config.seed, Stream::Noise),
            config,
            net,
            data,
            opt,
            plan,
            batch_rng,
            order,
            cursor: 0,
            epochs_done: 0,
            steps: 0,
            diagnostics: true,
            last: StepStats::default(),
            diverged: None,
            ws,
        }
    }

    pub fn config(&self) -> &RunConfig {
        &self.config
    }
    pub fn network(&self) -> &Network {
        &self.net
    }
    pub fn data(&self) -> &Dataset {
        &self.data
    }
    pub fn steps(&self) -> u64 {
        self.steps
    }
    /// Epochs of training data seen, fractional.
    pub fn epoch(&self) -> f64 {
        self.epochs_done as f64 + self.cursor as f64 / self.data.train.len() as f64
    }
    pub fn checksum(&self) -> u64 {
        self.net.checksum()
    }
    pub fn last_stats(&self) -> &StepStats {
        &self.last
    }
    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }
    pub fn plan(&self) -> &Passes {
        &self.plan
    }
    pub fn diverged(&self) -> Option<&TrainError> {
        self.diverged.as_ref()
    }
    /// Alignment and input correlation cost an extra backward pass and a `d x d` product per
    /// layer; switch them off for speed. They never change the run itself.
    pub fn set_diagnostics(&mut self, on: bool) {
        self.diagnostics = on;
    }
    pub fn diagnostics(&self) -> bool {
        self.diagnostics
    }

    /// The next minibatch's indices into the training set: a fresh shuffle every epoch, the
    /// remainder that does not fill a batch dropped.
    fn next_batch(&mut self) -> std::ops::Range<usize> {
        let bsz = self.config.batch_size;
        if self.cursor + bsz > self.order.len() {
            self.batch_rng.shuffle(&mut self.order);
            self.cursor = 0;
            self.epochs_done += 1;
        }
        let r = self.cursor..self.cursor + bsz;
        self.cursor += bsz;
        r
    }

    /// One training step.
    pub fn step(&mut self) -> Result<&StepStats, TrainError> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        let bsz = self.config.batch_size;
        let batch = self.next_batch();
        let ws = &mut self.ws;
        let d = self.data.dim();
        ws.trace.prepare(&self.net, bsz, &self.plan);
        ws.labels.clear();
        {
            let input = ws.trace.input_mut();
            for (b, &i) in self.order[batch].iter().enumerate() {
                input[b * d..(b + 1) * d].copy_from_slice(self.data.train.row(i));
                ws.labels.push(self.data.train.y[i]);
            }
        }
        let spec = UpdateSpec::of(&self.config);
        compute_update(&self.net, &spec, &self.plan, ws, &mut self.noise_rng);
        let method = spec.method;

        let mut stats =
            StepStats { batch_loss: ws.losses[..bsz].iter().sum::<f32>() / bsz as f32, ..StepStats::default() };
        if method != Method::Bp {
            let noisy = &ws.losses[bsz..];
            let mut s = 0.0f32;
            for (i, &l) in noisy.iter().enumerate() {
                s += l - ws.losses[i % bsz];
            }
            stats.d_loss = Some(s / noisy.len() as f32);
        }
        if self.diagnostics {
            Self::diagnose(&self.net, &self.config, ws, &mut stats);
        }

        let step = self.steps + 1;
        if !stats.batch_loss.is_finite() {
            return Err(self.diverge(step, format!("the minibatch loss became {}", stats.batch_loss)));
        }
        if !ws.grads.is_finite() {
            return Err(self.diverge(step, "the weight update became non-finite".into()));
        }
        // Order inside a step: updates computed above, then every R, then the optimiser.
        if self.config.rule.decorrelated {
            for (l, layer) in self.net.layers.iter_mut().enumerate() {
                let r = layer.r.as_mut().expect("decorrelated network has R");
                let x = ws.trace.pass_rows(&ws.trace.layers[l].x, 0);
                decorrelation::update(r, x, bsz, self.config.decor_learning_rate, &mut ws.decor);
            }
        }
        self.opt.step(&mut self.net, &ws.grads);
        self.steps = step;
        if !self.net.is_finite() {
            let what = if self.net.layers.iter().any(|l| l.r.as_ref().is_some_and(|r| r.iter().any(|v| !v.is_finite())))
            {
                "a decorrelation matrix R became non-finite"
            } else {
                "a weight became non-finite"
            };
            return Err(self.diverge(step, what.into()));
        }
        self.last = stats;
        Ok(&self.last)
    }

    fn diverge(&mut self, step: u64, what: String) -> TrainError {
        let e = TrainError::Diverged { step, what };
        self.diverged = Some(e.clone());
        e
    }

    /// Alignment with the exact BP gradient (same batch, same `R`, clean pass).
    fn diagnose(net: &Network, config: &RunConfig, ws: &mut Workspace, stats: &mut StepStats) {
        let bsz = config.batch_size;
        let clean_trace = if config.mode == NoiseMode::Blind {
            // Pass 0 is noisy in blind mode: the true gradient needs its own clean pass.
            ws.bp_trace.prepare(net, bsz, &Passes::clean());
            let n = bsz * net.layers[0].n_in();
            ws.bp_trace.input_mut().copy_from_slice(&ws.trace.input.as_slice().unwrap()[..n]);
            net.forward_passes(&mut ws.bp_trace, &Passes::clean(), None);
            &ws.bp_trace
        } else {
            &ws.trace
        };
        if !net.act.has_useful_gradient() && net.n_layers() > 1 {
            return; // the "true gradient" of step units is zero: alignment is undefined
        }
        rules::bp::signals(net, clean_trace, &ws.labels, &mut ws.bp_signals, &mut ws.scratch);
        rules::grads_from_signals(net, clean_trace, &ws.bp_signals, &mut ws.bp_grads);
        let n = net.n_layers();
        stats.alignment = Some((0..n).map(|l| rules::cosine(&ws.grads, &ws.bp_grads, l..l + 1)).collect());
        stats.alignment_all = Some(rules::cosine(&ws.grads, &ws.bp_grads, 0..n));
    }

    /// Per-layer mean absolute off-diagonal correlation of the layer input `x = R h` over the last
    /// minibatch (pass 0; in blind mode the first layer's input is clean, later ones carry the
    /// reference pass's noise). It costs `O(B d^2)` per layer, so it is computed on request, not
    /// every step. Empty before the first step.
    pub fn input_correlation(&self) -> Vec<f32> {
        let t = &self.ws.trace;
        if self.steps == 0 || t.layers.len() != self.net.n_layers() {
            return Vec::new();
        }
        self.net
            .layers
            .iter()
            .enumerate()
            .map(|(l, layer)| {
                decorrelation::mean_abs_offdiag_correlation(t.pass_rows(&t.layers[l].x, 0), t.batch, layer.n_in())
            })
            .collect()
    }

    /// Loss and accuracy on the whole train and test sets (clean pass).
    pub fn evaluate(&mut self) -> Evaluation {
        Evaluation {
            train: metrics::score(&self.net, &self.data.train, &mut self.ws.eval),
            test: metrics::score(&self.net, &self.data.test, &mut self.ws.eval),
        }
    }

    /// Loss and accuracy on at most `max` samples of each set, spread evenly (the whole sets when
    /// they are smaller): what the page's live curves show on large data sets.
    pub fn evaluate_first(&mut self, max: usize) -> Evaluation {
        Evaluation {
            train: metrics::score_first(&self.net, &self.data.train, max, &mut self.ws.eval),
            test: metrics::score_first(&self.net, &self.data.test, max, &mut self.ws.eval),
        }
    }

    /// Predicted class of test sample `i`.
    pub fn predict_test(&mut self, i: usize) -> usize {
        let x = self.data.test.row(i).to_vec();
        self.net.forward(&x, 1, &mut self.ws.eval);
        crate::loss::argmax(self.ws.eval.logits(0))
    }

    /// Runs `n` steps, stopping at the first error.
    pub fn run(&mut self, n: u64) -> Result<(), TrainError> {
        for _ in 0..n {
            self.step()?;
        }
        Ok(())
    }

    /// Steps needed for `epochs` passes over the training data (rounded up).
    pub fn steps_for_epochs(&self, epochs: f64) -> u64 {
        let per_epoch = (self.data.train.len() / self.config.batch_size).max(1);
        (epochs * per_epoch as f64).ceil() as u64
    }
}
