//! A run as the page shows it live: the trainer plus a bounded history of evaluated figures, the
//! moving averages of the per-step numbers, the evaluation schedule, and the views drawn from the
//! network (plane, unit maps, test digits, activations, probe). Everything here is pure: the
//! page's worker holds one `LiveRun` per run behind a thin handle and passes it the time.

use serde::Serialize;

use super::history::History;
use super::plane::{self, PlaneView};
use super::probe::{self, Probe};
use crate::network::Trace;
use crate::run::evaluation::{self, Scorer};
use crate::run::stats::Smoothed;
use crate::run::{TrainError, Trainer};

/// Points kept per curve (older points are thinned as the run grows).
pub const HISTORY_POINTS: usize = 600;
/// Live curves evaluate on at most this many samples of each set (a fixed subset spread evenly).
pub const EVAL_MAX: usize = 2000;
/// Weight of the newest step in the moving averages of the step statistics (about 30 steps).
pub const SMOOTHING: f32 = 1.0 / 30.0;
/// While training runs, the figures above the curves are re-evaluated at most this often.
pub const FRESH_MS: f64 = 500.0;
/// A history point costs about `eval / batch` steps' forward work: where one point costs more
/// than this (in flops) the history records only every that-many steps.
const CHEAP_EVAL_FLOPS: usize = 2_000_000;

/// History columns before the per-layer alignment (`alignment_1 .. alignment_L` follow).
pub const COLUMNS: [&str; 7] =
    ["train_loss", "test_loss", "train_accuracy", "test_accuracy", "batch_loss", "d_loss", "alignment_all"];

/// When to evaluate: on the history's stride, and for the figures above the curves at most every
/// [`FRESH_MS`] while training runs (at once when paused).
#[derive(Clone, Debug)]
pub struct EvalSchedule {
    fresh_at: Option<f64>,
}

impl EvalSchedule {
    pub fn new() -> Self {
        EvalSchedule { fresh_at: None }
    }

    /// Whether the figures should be re-evaluated now (`now_ms` on any monotonic clock); when it
    /// says yes it counts the evaluation as done.
    pub fn fresh_due(&mut self, now_ms: f64, running: bool) -> bool {
        let due = !running || self.fresh_at.is_none_or(|t| now_ms - t > FRESH_MS);
        if due {
            self.fresh_at = Some(now_ms);
        }
        due
    }
}

impl Default for EvalSchedule {
    fn default() -> Self {
        Self::new()
    }
}

/// Stride of the history of a run: 1 when an evaluation is cheap, else about the number of steps
/// whose forward work equals one evaluation (a power of two).
pub fn history_stride(trainer: &Trainer) -> u64 {
    let data = trainer.data();
    let eval = data.train.len().min(EVAL_MAX) + data.test.len().min(EVAL_MAX);
    let macs: usize = trainer.network().sizes().windows(2).map(|w| w[0] * w[1]).sum();
    if 2 * eval * macs <= CHEAP_EVAL_FLOPS {
        1
    } else {
        ((eval / trainer.config().batch_size).max(1) as u64).next_power_of_two()
    }
}

/// The small summary the page shows above its curves.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub step: u64,
    pub epoch: f64,
    pub checksum: String,
    pub train_loss: f32,
    pub test_loss: f32,
    pub train_accuracy: f32,
    pub test_accuracy: f32,
    pub batch_loss: f32,
    pub d_loss: f32,
    pub alignment_all: f32,
    /// Step of the evaluation these figures come from.
    pub evaluated_at: u64,
    /// Training samples the figures are computed on (at most [`EVAL_MAX`]).
    pub eval_train: usize,
    pub train_size: usize,
    /// The last step's alignment per layer.
    pub alignment: Option<Vec<f32>>,
    /// Why the run stopped, if it diverged.
    pub diverged: Option<String>,
}

/// An evaluation under way: the step it belongs to and its two scores, computed a chunk at a
/// time; training waits until it is done, so it describes exactly that step's network.
#[derive(Clone, Debug)]
struct PendingEval {
    step: u64,
    train: Scorer,
    test: Scorer,
}

/// What one unit of work did (see [`LiveRun::work_unit`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// One chunk of an evaluation (`true`: the evaluation is complete).
    Evaluated(bool),
    /// One training step.
    Stepped,
    /// A step diverged; the run stops there.
    Diverged,
    /// Nothing to do: the target is reached (or the run diverged) and no evaluation is pending.
    Idle,
}

#[derive(Clone, Debug)]
pub struct LiveRun {
    trainer: Trainer,
    label: String,
    history: History,
    smoothed: Smoothed,
    schedule: EvalSchedule,
    /// The latest evaluated row (the history's columns).
    latest: Vec<f32>,
    evaluated_at: u64,
    pending: Option<PendingEval>,
    eval_rows: usize,
    /// Steps whose work about equals one evaluation's (the history's initial stride).
    stride: u64,
    view_trace: Trace,
}

impl LiveRun {
    /// A live run of `trainer`, shown under `label` (its rule, or its compare item); its
    /// evaluation at step 0 is the first work it does.
    pub fn new(trainer: Trainer, label: &str) -> Self {
        let n_layers = trainer.network().n_layers();
        let stride = history_stride(&trainer);
        let eval_rows = evaluation::chunk_rows(trainer.network());
        let mut run = LiveRun {
            trainer,
            label: label.to_string(),
            history: History::with_stride(COLUMNS.len() + n_layers, HISTORY_POINTS, stride),
            smoothed: Smoothed::new(n_layers, SMOOTHING),
            schedule: EvalSchedule::new(),
            latest: vec![f32::NAN; COLUMNS.len() + n_layers],
            evaluated_at: u64::MAX,
            pending: None,
            eval_rows,
            stride,
            view_trace: Trace::default(),
        };
        run.start_evaluation();
        run
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }
    pub fn trainer_mut(&mut self) -> &mut Trainer {
        &mut self.trainer
    }
    pub fn label(&self) -> &str {
        &self.label
    }
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Names of the history's columns: [`COLUMNS`], then `alignment_1 .. alignment_L`.
    pub fn history_columns(&self) -> Vec<String> {
        let n_layers = self.trainer.network().n_layers();
        COLUMNS.iter().map(|c| c.to_string()).chain((1..=n_layers).map(|l| format!("alignment_{l}"))).collect()
    }

    /// One unit of work toward `target` steps: a chunk of the pending evaluation if there is
    /// one (training waits for it), else one training step (starting an evaluation when the
    /// history wants a point at the new step, or when the step diverged). Every unit is bounded:
    /// a step by the cost model (`run::cost`), a chunk by [`evaluation::CHUNK_WORK`].
    pub fn work_unit(&mut self, target: u64) -> Unit {
        if let Some(p) = &mut self.pending {
            let net = self.trainer.network();
            let data = self.trainer.data();
            let done = if !p.train.done() {
                p.train.advance(net, &data.train, self.eval_rows, &mut self.view_trace);
                false
            } else {
                p.test.advance(net, &data.test, self.eval_rows, &mut self.view_trace)
            };
            if done {
                self.finish_evaluation();
            }
            return Unit::Evaluated(done);
        }
        if self.trainer.diverged().is_some() || self.trainer.steps() >= target {
            return Unit::Idle;
        }
        match self.trainer.step() {
            Ok(s) => {
                self.smoothed.add(s);
                if self.history.wants(self.trainer.steps()) {
                    self.start_evaluation();
                }
                Unit::Stepped
            }
            Err(_) => {
                self.start_evaluation();
                Unit::Diverged
            }
        }
    }

    /// Whether an evaluation is under way.
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Runs `n` steps and every evaluation they call for, at once (tests and the CLI-like
    /// uses; the page's worker goes a unit at a time through a [`super::session::Session`]).
    pub fn run(&mut self, n: u64) -> Result<(), TrainError> {
        let target = self.trainer.steps() + n;
        loop {
            match self.work_unit(target) {
                Unit::Idle => break,
                Unit::Diverged => {
                    while self.busy() {
                        self.work_unit(target);
                    }
                    break;
                }
                _ => {}
            }
        }
        match self.trainer.diverged() {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Starts evaluating the current step (unless it is evaluated or being evaluated).
    fn start_evaluation(&mut self) {
        let step = self.trainer.steps();
        if self.evaluated_at == step || self.pending.as_ref().is_some_and(|p| p.step == step) {
            return;
        }
        let data = self.trainer.data();
        self.pending = Some(PendingEval {
            step,
            train: Scorer::new(&data.train, EVAL_MAX),
            test: Scorer::new(&data.test, EVAL_MAX),
        });
    }

    /// Records the finished evaluation: the figures shown, and a history point on the stride.
    fn finish_evaluation(&mut self) {
        let Some(p) = self.pending.take() else { return };
        let (train, test) = (p.train.score(), p.test.score());
        let mut row = vec![train.loss, test.loss, train.accuracy, test.accuracy];
        row.extend_from_slice(self.smoothed.values());
        self.history.record(p.step, &row);
        self.latest = row;
        self.evaluated_at = p.step;
    }

    /// The summary of the latest finished evaluation. When the schedule says the figures are
    /// due (`now_ms` on any monotonic clock; `running`: whether training is under way) and they
    /// are not of the current step, an evaluation is started: the next summaries show it.
    pub fn summary(&mut self, now_ms: f64, running: bool) -> Summary {
        // While training runs, an evaluation of its own costs about `stride` steps of work: it
        // is due only when at least that many steps went by (the history's points already
        // come that often), so evaluating never takes more than about half the time.
        let steps = self.trainer.steps();
        let cheap_enough = !running || steps.saturating_sub(self.evaluated_at.min(steps)) >= self.stride;
        if cheap_enough && self.schedule.fresh_due(now_ms, running) && self.evaluated_at != steps {
            self.start_evaluation();
        }
        let t = &self.trainer;
        let v = |i: usize| self.latest.get(i).copied().unwrap_or(f32::NAN);
        Summary {
            step: t.steps(),
            epoch: t.epoch(),
            checksum: format!("{:016x}", t.checksum()),
            train_loss: v(0),
            test_loss: v(1),
            train_accuracy: v(2),
            test_accuracy: v(3),
            batch_loss: v(4),
            d_loss: v(5),
            alignment_all: v(6),
            evaluated_at: self.evaluated_at,
            eval_train: t.data().train.len().min(EVAL_MAX),
            train_size: t.data().train.len(),
            alignment: t.last_stats().alignment.clone(),
            diverged: t.diverged().map(|e| e.to_string()),
        }
    }

    /// Activations `h_l` of the last minibatch's clean pass, `(batch, n_l)`, for layer `l`
    /// (1-based like the math: 1..=L); empty before the first step.
    pub fn activations(&self, layer: usize) -> &[f32] {
        let t = &self.trainer.last_update().trace;
        match t.layers.get(layer.wrapping_sub(1)) {
            Some(lt) if t.batch > 0 => t.pass_rows(&lt.h, 0),
            _ => &[],
        }
    }

    /// Whether the network reads the 2-D plane (so the plane views apply).
    pub fn is_planar(&self) -> bool {
        self.trainer.network().layers[0].n_in() == 2
    }

    /// The grid resolution of the decision boundary (see [`plane::resolution`]); None when the
    /// network is too large to map the plane for every snapshot.
    pub fn plane_resolution(&self) -> Option<usize> {
        if self.is_planar() { plane::resolution(self.trainer.network()) } else { None }
    }

    /// The network over a `res x res` grid of the plane (res clamped to 4..=256) with the first
    /// `max_units` units of every hidden layer; None for data that is not 2-D.
    pub fn plane(&mut self, res: usize, max_units: usize) -> Option<PlaneView> {
        if !self.is_planar() {
            return None;
        }
        Some(plane::view(self.trainer.network(), res.clamp(4, 256), max_units, &mut self.view_trace))
    }

    /// Hidden-unit thumbnails shown per layer (see [`plane::unit_maps_per_layer`]).
    pub fn unit_maps_per_layer(&self) -> usize {
        plane::unit_maps_per_layer(self.trainer.network().n_layers() - 1)
    }

    /// `count` test samples spread evenly over the test set (which is ordered by class for the
    /// digits), as `[label, predicted, features...]` records.
    pub fn test_samples(&mut self, count: usize) -> Vec<f32> {
        let total = self.trainer.data().test.len();
        let n = count.min(total);
        let mut v = Vec::new();
        for k in 0..n {
            let i = k * total / n + (total / n) / 2;
            let label = self.trainer.data().test.y[i] as f32;
            let predicted = self.trainer.predict_test(i) as f32;
            v.push(label);
            v.push(predicted);
            v.extend_from_slice(self.trainer.data().test.row(i));
        }
        v
    }

    /// Data points of 2-D data as `[x, y, label, is_test]` quadruples (empty for other data).
    pub fn points(&self) -> Vec<f32> {
        if !self.is_planar() {
            return Vec::new();
        }
        self.trainer.data().plane_points()
    }

    /// What the last step did to sample `sample` of its minibatch.
    pub fn probe(&self, sample: usize) -> Option<Probe> {
        probe::probe(&self.trainer, sample)
    }
}
