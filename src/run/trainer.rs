//! The trainer: one run of one configuration, stepped one minibatch at a time.
//!
//! One step: take the next minibatch; run the stacked forward pass of the rule (clean pass plus
//! noisy passes); turn it into update directions; update every `R_l` (D-variants); step the
//! optimiser. Evaluation is separate and always a clean pass.

use std::fmt;

use super::checks::check_batch;
use super::config::{ConfigError, RunConfig};
use super::cost::Shape;
use super::diagnostics::{self, DiagnosticBuffers};
use super::edits;
use super::evaluation::{self, Evaluation};
use super::stats::StepStats;
use crate::data::{Dataset, Sources};
use crate::decorrelation;
use crate::network::{Network, Passes, Trace};
use crate::optimizer::OptState;
use crate::rng::{Rng, Stream};
use crate::rules::{self, Grads, Method, UpdateBuffers, compute_update};

/// A minibatch loss above this counts as divergence: no learning run comes near it (losses start
/// near ln(classes) for cross-entropy and 1 for squared error), while a blow-up passes it long
/// before it becomes non-finite (a finite loss of 1e38 still breaks every chart's axis).
pub const MAX_LOSS: f32 = 1e6;

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

/// Buffers of one step, allocated on the first step and reused after: the update's own (read
/// by the noise panel, so it shows exactly what trained the network), the diagnostics', the
/// decorrelation update's and the evaluation's.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    pub update: UpdateBuffers,
    diagnostics: DiagnosticBuffers,
    decor: decorrelation::Scratch,
    eval: Trace,
}

/// The initial network of a run on data of `n_inputs` features and `n_classes` classes, from
/// the run's own initialisation stream.
pub fn initial_network(config: &RunConfig, n_inputs: usize, n_classes: usize) -> Network {
    Network::new(
        &config.layer_sizes(n_inputs, n_classes),
        config.activation,
        config.network_loss(),
        config.rule.decorrelated,
        &mut Rng::stream(config.seed, Stream::Init),
    )
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
    /// A new run on data generated from the seed (or drawn points): data, initial weights, batch
    /// order and noise each from their own stream of `config.seed`.
    pub fn new(config: RunConfig) -> Result<Trainer, ConfigError> {
        Self::with_sources(config, &Sources::default())
    }

    /// A new run; `sources` supplies the data that does not come from the seed (the digits, an
    /// uploaded table) when the config asks for it.
    pub fn with_sources(config: RunConfig, sources: &Sources) -> Result<Trainer, ConfigError> {
        config.validate()?;
        if config.data == crate::data::DataSet::Upload
            && let Some(t) = sources.table
        {
            config.check_features(t.dim)?;
        }
        if let Some(shape) = Shape::of(&config, sources) {
            config.check_data(&shape)?;
        }
        let data = Dataset::build(&config.data_spec(), sources, &mut Rng::stream(config.seed, Stream::Data))
            .map_err(|message| ConfigError { key: "data".into(), value: config.data.key().into(), message })?;
        let net = initial_network(&config, data.dim(), data.classes);
        Self::from_parts(config, net, data)
    }

    /// A run on given data and initial network (tests, benchmarks, data that is not generated).
    pub fn from_parts(config: RunConfig, mut net: Network, data: Dataset) -> Result<Trainer, ConfigError> {
        check_batch(config.batch_size, data.train.len())?;
        config.check_edits_of(&net.sizes())?;
        for e in config.edits_at(0) {
            edits::apply(&mut net, e);
        }
        let plan = config.update_spec().passes(net.n_layers());
        let mut batch_rng = Rng::stream(config.seed, Stream::Batches);
        let mut order: Vec<usize> = (0..data.train.len()).collect();
        batch_rng.shuffle(&mut order);
        let opt = OptState::new(config.optimizer, config.learning_rate, &net);
        let ws = Workspace {
            update: UpdateBuffers {
                signals: rules::signal_buffers(&net, config.batch_size),
                grads: Grads::zeros_like(&net),
                ..UpdateBuffers::default()
            },
            diagnostics: DiagnosticBuffers::new(&net, config.batch_size),
            ..Workspace::default()
        };
        Ok(Trainer {
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
        })
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
    /// Bytes this run holds: its data, parameters, optimiser state and every buffer of a step
    /// (what `run::cost` predicts before the run exists).
    pub fn bytes(&self) -> usize {
        let data = |s: &crate::data::Samples| 4 * s.x.len() + 8 * s.y.len();
        data(&self.data.train)
            + data(&self.data.test)
            + self.net.bytes()
            + self.opt.bytes()
            + self.ws.update.bytes()
            + self.ws.diagnostics.bytes()
            + self.ws.decor.bytes()
            + self.ws.eval.bytes()
    }

    /// The buffers of the last step's update (what the noise panel shows).
    pub fn last_update(&self) -> &UpdateBuffers {
        &self.ws.update
    }
    /// The change the optimiser applied to every parameter in the last step, exactly
    /// `w_after - w_before` (Adam's or SGD's step, not the rule's `G`); None before the first step
    /// and once the run diverged (a diverged step may not have reached the optimiser).
    pub fn last_applied(&self) -> Option<&Grads> {
        (self.steps > 0 && self.diverged.is_none()).then(|| self.opt.applied())
    }
    pub fn plan(&self) -> &Passes {
        &self.plan
    }
    pub fn diverged(&self) -> Option<&TrainError> {
        self.diverged.as_ref()
    }
    /// Alignment costs an extra backward pass per step; switch it off for speed. It never
    /// changes the run itself.
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
        let buf = &mut self.ws.update;
        let d = self.data.dim();
        buf.trace.prepare(&self.net, bsz, &self.plan);
        buf.labels.clear();
        {
            let input = buf.trace.input_mut();
            for (b, &i) in self.order[batch].iter().enumerate() {
                input[b * d..(b + 1) * d].copy_from_slice(self.data.train.row(i));
                buf.labels.push(self.data.train.y[i]);
            }
        }
        let spec = self.config.update_spec();
        compute_update(&self.net, &spec, &self.plan, buf, &mut self.noise_rng);

        let mut stats =
            StepStats { batch_loss: buf.losses[..bsz].iter().sum::<f32>() / bsz as f32, ..StepStats::default() };
        // The loss change of the noisy passes (the forward gradients run none: they measure a
        // derivative, not a change).
        if spec.method != Method::Bp && buf.losses.len() > bsz {
            let noisy = &buf.losses[bsz..];
            let mut s = 0.0f32;
            for (i, &l) in noisy.iter().enumerate() {
                s += l - buf.losses[i % bsz];
            }
            stats.d_loss = Some(s / noisy.len() as f32);
        }
        if self.diagnostics {
            diagnostics::alignment(&self.net, &self.config, buf, &mut self.ws.diagnostics, &mut stats);
        }

        let step = self.steps + 1;
        if !stats.batch_loss.is_finite() {
            return Err(self.diverge(step, format!("the minibatch loss became {}", stats.batch_loss)));
        }
        if stats.batch_loss > MAX_LOSS {
            return Err(self.diverge(
                step,
                format!("the minibatch loss reached {:e}, above {MAX_LOSS:e} (it blew up)", stats.batch_loss),
            ));
        }
        // The weight penalty's gradient, local to each weight (nothing for reg=none).
        self.config.reg.add_gradient(self.config.reg_rate, &self.net, &mut self.ws.update.grads);
        let buf = &self.ws.update;
        if !buf.grads.is_finite() {
            return Err(self.diverge(step, "the weight update became non-finite".into()));
        }
        // Order inside a step: updates computed above, then every R, then the optimiser.
        if self.config.rule.decorrelated {
            for (l, layer) in self.net.layers.iter_mut().enumerate() {
                let r = layer.r.as_mut().expect("decorrelated network has R");
                let x = buf.trace.pass_rows(&buf.trace.layers[l].x, 0);
                decorrelation::update(r, x, bsz, self.config.decor_learning_rate, &mut self.ws.decor);
            }
        }
        self.opt.step(&mut self.net, &buf.grads);
        self.steps = step;
        for e in self.config.edits.iter().filter(|e| e.step == step) {
            edits::apply(&mut self.net, e);
        }
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

    /// Per-layer mean absolute off-diagonal correlation of the layer input `x = R h` over the last
    /// minibatch (see [`diagnostics::input_correlation`]); empty before the first step.
    pub fn input_correlation(&self) -> Vec<f32> {
        if self.steps == 0 {
            return Vec::new();
        }
        diagnostics::input_correlation(&self.net, &self.ws.update.trace)
    }

    /// Loss and accuracy on the whole train and test sets (clean pass).
    pub fn evaluate(&mut self) -> Evaluation {
        self.evaluate_first(usize::MAX)
    }

    /// Loss and accuracy on at most `max` samples of each set, spread evenly (the whole sets when
    /// they are smaller): what the page's live curves show on large data sets.
    pub fn evaluate_first(&mut self, max: usize) -> Evaluation {
        Evaluation {
            train: evaluation::score_first(&self.net, &self.data.train, max, &mut self.ws.eval),
            test: evaluation::score_first(&self.net, &self.data.test, max, &mut self.ws.eval),
        }
    }

    /// The predicted classes of test samples `rows`, in one forward pass (a batch costs little
    /// more than one sample: the product packs the weights once).
    pub fn predict_test_rows(&mut self, rows: &[usize]) -> Vec<usize> {
        let x: Vec<f32> = rows.iter().flat_map(|&i| self.data.test.row(i).iter().copied()).collect();
        self.net.forward(&x, rows.len(), &mut self.ws.eval);
        let n_out = self.net.layers.last().map_or(1, |l| l.n_out());
        self.ws.eval.logits(0).chunks(n_out).map(crate::loss::argmax).collect()
    }

    /// The current minibatch `(x, labels)`: the last step's, or before the first step the first
    /// step's (what an edit's effect is measured on, see [`Trainer::edit_effect`]).
    pub fn current_batch(&self) -> (Vec<f32>, Vec<usize>) {
        let bsz = self.config.batch_size;
        if self.steps > 0 {
            let buf = &self.ws.update;
            let d = self.data.dim();
            (buf.trace.input.as_slice().unwrap()[..bsz * d].to_vec(), buf.labels[..bsz].to_vec())
        } else {
            let rows = &self.order[..bsz];
            let x = rows.iter().flat_map(|&i| self.data.train.row(i).iter().copied()).collect();
            (x, rows.iter().map(|&i| self.data.train.y[i]).collect())
        }
    }

    /// Applies a hand edit now (its step must be the current step) and keeps it in the run's
    /// configuration, so the config string replays it: what the page does when a weight is
    /// edited while paused. An error names an edit outside the network or at another step.
    pub fn apply_edit(&mut self, e: edits::Edit) -> Result<(), ConfigError> {
        if e.step != self.steps {
            return Err(super::config::err(
                "edit",
                &e.to_string(),
                format!("this edit is for step {}, and the run is at step {}", e.step, self.steps),
            ));
        }
        check_edit(&e, &self.net)?;
        if self.config.edits.len() >= edits::MAX_EDITS {
            return Err(super::config::err("edit", &e.to_string(), format!("at most {} edits", edits::MAX_EDITS)));
        }
        edits::apply(&mut self.net, &e);
        self.config.edits.push(e);
        Ok(())
    }

    /// What setting the weight `e` names would do (its step is ignored) on the current
    /// minibatch ([`Trainer::current_batch`]), clean passes, without changing the run: the
    /// minibatch's data loss before and after, and the credit `dL / delta` a perturbation rule
    /// reads from it beside the exact gradient (see [`edits::EditEffect`]). An error names an
    /// edit outside the network.
    pub fn edit_effect(&self, e: &edits::Edit) -> Result<edits::EditEffect, ConfigError> {
        let net = &self.net;
        check_edit(e, net)?;
        let (x, y) = self.current_batch();
        let loss = |n: &Network| {
            let mut trace = crate::network::Trace::default();
            n.forward(&x, y.len(), &mut trace);
            let mut out = vec![0.0; y.len()];
            crate::network::pass_losses(n, &trace, 0, &y, &mut out);
            out.iter().map(|&l| l as f64).sum::<f64>() / y.len() as f64
        };
        let before = edits::current(net, e);
        let mut edited = net.clone();
        edits::apply(&mut edited, e);
        let delta = e.value - before;
        let (l0, l1) = (loss(net), loss(&edited));
        let d_loss = (l1 - l0) as f32;
        let credit = (delta != 0.0).then(|| d_loss / delta);
        let config = &self.config;
        let gradient = config.activation.has_useful_gradient().then(|| {
            let spec = rules::UpdateSpec { method: Method::Bp, blind: false, ..config.update_spec() };
            let g = rules::update_direction(net, &x, &y, &spec, &mut Rng::stream(config.seed, Stream::Noise));
            match e.col {
                Some(c) => g.w[e.layer - 1][[e.row, c]],
                None => g.b[e.layer - 1][e.row],
            }
        });
        Ok(edits::EditEffect {
            before,
            delta,
            loss_before: l0 as f32,
            loss_after: l1 as f32,
            d_loss,
            credit,
            gradient,
            sgd_change: credit.map(|c| -config.learning_rate * c),
        })
    }

    /// Whether the network reads points of the plane (or features of them), so the plane views
    /// apply.
    pub fn is_planar(&self) -> bool {
        self.data.is_planar()
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

/// Checks that the edit `e` names a weight of `net`.
fn check_edit(e: &edits::Edit, net: &Network) -> Result<(), ConfigError> {
    edits::check_edits(std::slice::from_ref(e), &net.sizes()).map_err(|(item, m)| super::config::err("edit", &item, m))
}
