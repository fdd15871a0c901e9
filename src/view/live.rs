//! A run as the page shows it live: the trainer plus a bounded history of evaluated figures, the
//! moving averages of the per-step numbers, the evaluation schedule, and the views drawn from the
//! network (plane, unit maps, test digits, activations, probe). Everything here is pure: the
//! page's worker holds one `LiveRun` per run behind a thin handle and passes it the time.

use serde::Serialize;

use super::diagram::{self, Diagram};
use super::history::History;
use super::plane::{self, PlaneView};
use super::probe::{self, Probe};
use super::walk::{self, Walk};
use crate::network::{Network, Trace};
use crate::run::cost::{self, Shape};
use crate::run::evaluation::{self, Scorer};
use crate::run::stats::Smoothed;
use crate::run::{TrainError, Trainer};

/// Points kept per curve (older points are thinned as the run grows).
pub const HISTORY_POINTS: usize = 600;
/// Live curves evaluate on at most this many samples of each set (a fixed subset spread evenly).
pub const EVAL_MAX: usize = 2000;
/// Weight of the newest step in the moving averages of the step statistics (about 30 steps).
pub const SMOOTHING: f32 = 1.0 / 30.0;
/// An evaluation or alignment cheaper than this (multiply-adds; well under a millisecond) may
/// happen every step.
const CHEAP_EVAL: u64 = 1_000_000;
/// The share of a live run's work that evaluation and the alignment measurement may each take:
/// beyond it they are done on a schedule (every so many steps) instead of every step.
const OVERHEAD: f64 = 0.05;
/// The alignment's budget is smaller, and its cost counted twice: the cost model counts its
/// multiply-adds (BP's backward pass, about half of an NP step's), but measured it takes about as
/// long as a whole step (784-256-256-10 NP: 1.8 to 2.0 times the model's share natively).
const ALIGN_OVERHEAD: f64 = 0.03;
const ALIGN_COST_FACTOR: f64 = 2.0;
/// Measure the alignment at least every this many steps.
const MAX_ALIGN_EVERY: u64 = 32;
/// An evaluation is long when it costs more than this (multiply-adds: four times the work limit
/// of a step, about 0.4 s in a browser by the cost model's figure): the page then shows its
/// progress, and a command that moves training on abandons it rather than wait (see
/// [`LiveRun::preempt`]). The digits' default network (784-256-256-10) evaluates its 4,000
/// samples in about 1.1 G; its decorrelated version in 4 G, 8 layers of 1,024 with `R` in 68 G.
pub const LONG_EVAL: u64 = 4 * cost::MAX_WORK;
/// Parameters hashed per unit of work toward a paused page's checksum (about 8 MB: a few tens of
/// milliseconds in a browser): a network up to this size gets its checksum at once, a larger one
/// a unit at a time (17 M parameters of 8 layers of 1,024 with `R` took a quarter of a second
/// natively, up to 0.65 s in the page, in one piece).
pub const CHECKSUM_CHUNK: usize = 1 << 21;

/// History columns before the per-layer ones: `alignment_1 .. alignment_L` (the smoothed
/// alignment of each layer), then `correlation_1 .. correlation_L` (each layer input's mean
/// absolute off-diagonal correlation over the last batch), follow. `seconds` is the training
/// time so far on the caller's clock (for the seconds axis; it never touches the run).
pub const COLUMNS: [&str; 8] =
    ["train_loss", "test_loss", "train_accuracy", "test_accuracy", "batch_loss", "d_loss", "alignment_all", "seconds"];
/// A training loss this many times its value at step 0 pauses the page with a warning (a run
/// that climbs while still finite, before it diverges).
pub const WARN_FACTOR: f32 = 10.0;

/// Stride of the history of a run (a power of two): 1 when an evaluation is cheap, else enough
/// steps that evaluating takes at most [`OVERHEAD`] of the work (the cost model's figures).
pub fn history_stride(trainer: &Trainer) -> u64 {
    let data = trainer.data();
    let shape = Shape::of_dataset(data);
    let eval = (data.train.len().min(EVAL_MAX) + data.test.len().min(EVAL_MAX)) as u64;
    let eval_work = eval * cost::forward_work(trainer.config(), &shape);
    if eval_work <= CHEAP_EVAL {
        return 1;
    }
    let c = cost::cost(trainer.config(), &shape);
    let step = (c.work - c.alignment).max(1) as f64;
    ((eval_work as f64 / (OVERHEAD * step)).ceil().max(1.0) as u64).next_power_of_two()
}

/// How often a live run measures the alignment (every that many steps): every step where it is
/// cheap, else often enough to cost at most [`ALIGN_OVERHEAD`] of the work, and at least every
/// [`MAX_ALIGN_EVERY`] steps. The chart says so; the run itself never changes.
pub fn alignment_every(trainer: &Trainer) -> u64 {
    let c = cost::cost(trainer.config(), &Shape::of_dataset(trainer.data()));
    if c.alignment <= CHEAP_EVAL {
        return 1;
    }
    let step = (c.work - c.alignment).max(1) as f64;
    ((ALIGN_COST_FACTOR * c.alignment as f64 / (ALIGN_OVERHEAD * step)).ceil() as u64).clamp(1, MAX_ALIGN_EVERY)
}

/// The small summary the page shows above its curves.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub step: u64,
    pub epoch: f64,
    /// The parameters' checksum; None while training runs (hashing every parameter for every
    /// snapshot would cost a few percent of the training time, and it changes every step), and
    /// paused until a network larger than [`CHECKSUM_CHUNK`] is hashed (a unit at a time).
    pub checksum: Option<String>,
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
    /// Forward passes per step (for the passes axis).
    pub passes_per_step: usize,
}

/// An evaluation under way: the step it belongs to and its two scores, computed a chunk at a
/// time; training waits until it is done (or abandons it, see [`LiveRun::preempt`]), so it
/// describes exactly that step's network.
#[derive(Clone, Debug)]
struct PendingEval {
    step: u64,
    train: Scorer,
    test: Scorer,
}

impl PendingEval {
    /// Samples scored so far and in all, train and test together.
    fn progress(&self) -> (usize, usize) {
        let (a, n) = self.train.progress();
        let (b, m) = self.test.progress();
        (a + b, n + m)
    }
}

/// The checksum of a step computed a chunk at a time: 64-bit FNV-1a over every parameter's bit
/// pattern in the order of `Network::checksum` (each layer's `W`, `b`, then `R`), resumable.
#[derive(Clone, Debug)]
struct PendingChecksum {
    step: u64,
    hash: u64,
    /// The next block (`3 l + k`: layer `l`'s `W`, `b`, `R` for `k` = 0, 1, 2) and offset in it.
    block: usize,
    offset: usize,
}

impl PendingChecksum {
    fn new(step: u64) -> Self {
        PendingChecksum { step, hash: 0xcbf2_9ce4_8422_2325, block: 0, offset: 0 }
    }

    /// Hashes up to `budget` more parameters of `net`; the checksum once every one is hashed.
    fn advance(&mut self, net: &Network, mut budget: usize) -> Option<u64> {
        while let Some(layer) = net.layers.get(self.block / 3) {
            let data = match self.block % 3 {
                0 => Some(layer.w.as_slice()),
                1 => Some(layer.b.as_slice()),
                _ => layer.r.as_ref().map(|r| r.as_slice()),
            };
            let Some(data) = data else {
                self.block += 1;
                continue;
            };
            // Parameters not laid out in one piece (never made by the trainer): all at once.
            let Some(data) = data else { return Some(net.checksum()) };
            if budget == 0 {
                return None;
            }
            let end = data.len().min(self.offset + budget);
            for &v in &data[self.offset..end] {
                for byte in v.to_bits().to_le_bytes() {
                    self.hash ^= byte as u64;
                    self.hash = self.hash.wrapping_mul(0x0000_0100_0000_01B3);
                }
            }
            budget -= end - self.offset;
            if end == data.len() {
                self.block += 1;
                self.offset = 0;
            } else {
                self.offset = end;
            }
        }
        Some(self.hash)
    }
}

/// How far the evaluation under way has got (see [`LiveRun::evaluation`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvalProgress {
    /// The step whose network is evaluated.
    pub step: u64,
    /// Samples scored so far and in all (train and test together).
    pub done: usize,
    pub total: usize,
    /// Multiply-adds still to do, and in all.
    pub remaining: u64,
    pub work: u64,
}

impl EvalProgress {
    /// Whether it is long (see [`LONG_EVAL`]): the page shows its progress.
    pub fn long(&self) -> bool {
        self.work > LONG_EVAL
    }
}

/// What one unit of work did (see [`LiveRun::work_unit`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// One chunk of an evaluation (`true`: the evaluation is complete).
    Evaluated(bool),
    /// One chunk of the checksum a paused page asked for (`true`: it is complete).
    Hashed(bool),
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
    /// The latest evaluated row (the history's columns).
    latest: Vec<f32>,
    evaluated_at: u64,
    pending: Option<PendingEval>,
    eval_rows: usize,
    /// Whether the alignment is measured at all (the page's switch), and how often.
    alignment: bool,
    align_every: u64,
    /// Training time so far on the caller's clock (milliseconds).
    train_ms: f64,
    /// The first evaluated training loss and its step (step 0 unless that evaluation was
    /// abandoned), and the warning once the loss climbed far above it (`warned` until the page
    /// has taken it).
    baseline: Option<(u64, f32)>,
    warning: Option<String>,
    warned: bool,
    view_trace: Trace,
    /// Multiply-adds of one sample's forward pass (what an evaluation costs per sample).
    row_work: u64,
    /// Evaluations and checksums finished in units of work so far (with the steps: the run's
    /// revision).
    finished: u64,
    /// The checksum of the parameters at a step (computed once per step), and one under way.
    checksum: std::cell::Cell<Option<(u64, u64)>>,
    pending_checksum: Option<PendingChecksum>,
}

impl LiveRun {
    /// A live run of `trainer`, shown under `label` (its rule, or its compare item); its
    /// evaluation at step 0 is the first work it does.
    pub fn new(trainer: Trainer, label: &str) -> Self {
        let n_layers = trainer.network().n_layers();
        let stride = history_stride(&trainer);
        let eval_rows = evaluation::chunk_rows(trainer.network());
        let align_every = alignment_every(&trainer);
        let row_work = cost::forward_work(trainer.config(), &Shape::of_dataset(trainer.data()));
        let mut run = LiveRun {
            trainer,
            label: label.to_string(),
            history: History::with_stride(COLUMNS.len() + 2 * n_layers, HISTORY_POINTS, stride),
            smoothed: Smoothed::new(n_layers, SMOOTHING),
            latest: vec![f32::NAN; COLUMNS.len() + 2 * n_layers],
            evaluated_at: u64::MAX,
            pending: None,
            eval_rows,
            alignment: true,
            align_every: 1,
            train_ms: 0.0,
            baseline: None,
            warning: None,
            warned: false,
            view_trace: Trace::default(),
            row_work,
            finished: 0,
            checksum: std::cell::Cell::new(None),
            pending_checksum: None,
        };
        run.align_every = align_every;
        run.start_evaluation();
        run
    }

    /// Switches the alignment measurement on or off (it never changes the run).
    pub fn set_alignment(&mut self, on: bool) {
        self.alignment = on;
    }

    /// How often the alignment is measured while on: every that many steps.
    pub fn alignment_every(&self) -> u64 {
        self.align_every
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }
    pub fn trainer_mut(&mut self) -> &mut Trainer {
        self.checksum.set(None);
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
        COLUMNS
            .iter()
            .map(|c| c.to_string())
            .chain((1..=n_layers).map(|l| format!("alignment_{l}")))
            .chain((1..=n_layers).map(|l| format!("correlation_{l}")))
            .collect()
    }

    /// One unit of work toward `target` steps: a chunk of the pending evaluation if there is
    /// one (training waits for it), else one training step (starting an evaluation when the
    /// history wants a point at the new step, or when the step diverged). Every unit is bounded:
    /// a step by the cost model (`run::cost`), a chunk by [`evaluation::CHUNK_WORK`].
    pub fn work_unit(&mut self, target: u64) -> Unit {
        if let Some(c) = &mut self.pending_checksum {
            let sum = c.advance(self.trainer.network(), CHECKSUM_CHUNK);
            if let Some(sum) = sum {
                self.checksum.set(Some((c.step, sum)));
                self.pending_checksum = None;
                self.finished += 1;
            }
            return Unit::Hashed(sum.is_some());
        }
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
        // The alignment on its schedule: a step that skips it leaves the averages as they were.
        let measure = self.alignment && (self.trainer.steps() + 1).is_multiple_of(self.align_every);
        self.trainer.set_diagnostics(measure);
        match self.trainer.step() {
            Ok(s) => {
                if measure || !self.alignment {
                    self.smoothed.add(s);
                } else {
                    self.smoothed.add_without_alignment(s);
                }
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

    /// Whether an evaluation (or a paused page's checksum) is under way.
    pub fn busy(&self) -> bool {
        self.pending.is_some() || self.pending_checksum.is_some()
    }

    /// The evaluation under way, if any: its step and how far it has got.
    pub fn evaluation(&self) -> Option<EvalProgress> {
        self.pending.as_ref().map(|p| {
            let (done, total) = p.progress();
            let work = |n: usize| n as u64 * self.row_work;
            EvalProgress { step: p.step, done, total, remaining: work(total - done), work: work(total) }
        })
    }

    /// Abandons the evaluation under way if what is left of it is long (more than [`LONG_EVAL`]
    /// multiply-adds), so that a command moving training on (Play, Step, a link's replay) is
    /// obeyed at once instead of after it. The figures stay those of the last finished
    /// evaluation; a history point it was computing is missing from the curves. Returns whether
    /// one was abandoned. A short evaluation is kept: it is done within a unit or two.
    pub fn preempt(&mut self) -> bool {
        // A checksum under way is of the step training leaves: it goes too.
        self.pending_checksum = None;
        let long = self.evaluation().is_some_and(|e| e.remaining > LONG_EVAL);
        if long {
            self.pending = None;
        }
        long
    }

    /// Applies a hand edit at the current step (see [`Trainer::apply_edit`]): the figures, the
    /// checksum and the views are then those of the edited network.
    pub fn edit(&mut self, e: crate::run::edits::Edit) -> Result<(), crate::run::ConfigError> {
        self.trainer.apply_edit(e)?;
        self.checksum.set(None);
        self.pending_checksum = None;
        self.pending = None;
        self.evaluated_at = u64::MAX;
        self.finished += 1;
        Ok(())
    }

    /// Changes whenever what the page shows of this run may have changed: a step taken or an
    /// evaluation finished (it only grows).
    pub fn revision(&self) -> u64 {
        self.trainer.steps() + self.finished
    }

    /// The parameters' checksum (computed once per step).
    pub fn checksum(&self) -> u64 {
        let step = self.trainer.steps();
        match self.checksum.get() {
            Some((at, sum)) if at == step => sum,
            _ => {
                let sum = self.trainer.checksum();
                self.checksum.set(Some((step, sum)));
                sum
            }
        }
    }

    /// The checksum for a paused page: at once for a network of up to [`CHECKSUM_CHUNK`]
    /// parameters, else None until the units of work that follow have hashed the rest.
    fn checksum_soon(&mut self) -> Option<u64> {
        let step = self.trainer.steps();
        if let Some((at, sum)) = self.checksum.get()
            && at == step
        {
            return Some(sum);
        }
        let c = self.pending_checksum.get_or_insert_with(|| PendingChecksum::new(step));
        if c.step != step {
            *c = PendingChecksum::new(step);
        }
        let sum = c.advance(self.trainer.network(), CHECKSUM_CHUNK)?;
        self.checksum.set(Some((step, sum)));
        self.pending_checksum = None;
        Some(sum)
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
        let n_layers = self.trainer.network().n_layers();
        let smoothed = self.smoothed.values();
        let mut row = vec![train.loss, test.loss, train.accuracy, test.accuracy];
        row.extend_from_slice(&smoothed[..3]);
        row.push((self.train_ms / 1000.0) as f32);
        row.extend_from_slice(&smoothed[3..]);
        let correlation = self.trainer.input_correlation();
        row.extend((0..n_layers).map(|l| correlation.get(l).copied().unwrap_or(f32::NAN)));
        // On the history's schedule, or the step a paused page asked for (drawn too, so the
        // curves reach the step shown).
        if self.history.wants(p.step) {
            self.history.record(p.step, &row);
        } else {
            self.history.record_off_schedule(p.step, &row);
        }
        self.latest = row;
        self.evaluated_at = p.step;
        self.finished += 1;
        // A loss climbing far above its start while still finite: warn once, before it diverges.
        // The start is step 0's loss, or the first one evaluated if that evaluation was abandoned.
        match self.baseline {
            None => self.baseline = Some((p.step, train.loss)),
            Some((at, start))
                if self.warning.is_none()
                    && train.loss.is_finite()
                    && start.is_finite()
                    && train.loss > WARN_FACTOR * start =>
            {
                let what =
                    if at == 0 { "its start".to_string() } else { format!("its first evaluated value, at step {at}") };
                self.warning = Some(format!(
                    "{}: the training loss climbed to {:.4e} at step {}, {:.0} times {what} ({:.4}); it may be about to diverge. Try a smaller learning rate (lr), or press Play to go on",
                    self.label,
                    train.loss,
                    p.step,
                    train.loss / start,
                    start
                ));
                self.warned = true;
            }
            _ => {}
        }
    }

    /// Adds training time (milliseconds on the caller's clock) for the seconds axis.
    pub fn add_train_time(&mut self, ms: f64) {
        self.train_ms += ms;
    }

    /// Whether a warning waits to be shown.
    pub fn has_warning(&self) -> bool {
        self.warned
    }

    /// A warning not yet shown: the loss climbed far above its start (see [`WARN_FACTOR`]).
    pub fn take_warning(&mut self) -> Option<String> {
        if self.warned {
            self.warned = false;
            self.warning.clone()
        } else {
            None
        }
    }

    /// Forward passes per step (BP's backward pass counted as one): the passes axis.
    pub fn passes_per_step(&self) -> usize {
        let t = &self.trainer;
        if t.config().rule.method == crate::rules::Method::Bp { 2 } else { t.plan().count() }
    }

    /// The summary of the latest finished evaluation. Paused (`running` false), when the figures
    /// are not of the current step, an evaluation of it is started: the next summaries show it.
    pub fn summary(&mut self, running: bool) -> Summary {
        // While training runs, the figures come from the history's evaluations (on its stride,
        // at most [`OVERHEAD`] of the work); paused, the current step is evaluated.
        if !running && self.evaluated_at != self.trainer.steps() {
            self.start_evaluation();
        }
        let checksum = if running { None } else { self.checksum_soon() };
        let t = &self.trainer;
        let v = |i: usize| self.latest.get(i).copied().unwrap_or(f32::NAN);
        Summary {
            step: t.steps(),
            epoch: t.epoch(),
            checksum: checksum.map(|c| format!("{c:016x}")),
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
            passes_per_step: self.passes_per_step(),
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
        self.trainer.is_planar()
    }

    /// The grid resolution of the decision boundary (see [`plane::resolution`]); None when the
    /// network is too large to map the plane for every snapshot.
    pub fn plane_resolution(&self) -> Option<usize> {
        if self.is_planar() { plane::resolution(self.trainer.network()) } else { None }
    }

    /// The network over a `res x res` grid of the plane (res clamped to 4..=256) with the first
    /// `max_units` units of every hidden layer; None for data that is not 2-D.
    pub fn plane(&mut self, res: usize) -> Option<PlaneView> {
        self.plane_with(res, &[])
    }

    /// The diagram's nodes over a `res x res` grid of the plane: every shown unit of layers
    /// `1..=L` (see [`diagram::shown`]), layer by layer; None for data that is not 2-D.
    pub fn node_maps(&mut self, res: usize) -> Option<PlaneView> {
        let nodes: Vec<Vec<usize>> = self.trainer.network().sizes()[1..].iter().map(|&n| diagram::shown(n)).collect();
        self.plane_with(res, &nodes)
    }

    /// The network diagram (see [`diagram::diagram`]).
    pub fn diagram(&self) -> Diagram {
        diagram::diagram(&self.trainer)
    }

    fn plane_with(&mut self, res: usize, nodes: &[Vec<usize>]) -> Option<PlaneView> {
        if !self.is_planar() {
            return None;
        }
        let features = self.trainer.config().features;
        Some(plane::view(self.trainer.network(), features, res.clamp(4, 256), nodes, &mut self.view_trace))
    }

    /// `count` test samples spread evenly over the test set (which is ordered by class for the
    /// digits), as `[label, predicted, features...]` records.
    pub fn test_samples(&mut self, count: usize) -> Vec<f32> {
        let total = self.trainer.data().test.len();
        let n = count.min(total);
        let rows: Vec<usize> = (0..n).map(|k| k * total / n + (total / n) / 2).collect();
        let predicted = self.trainer.predict_test_rows(&rows);
        let mut v = Vec::new();
        for (&i, &p) in rows.iter().zip(&predicted) {
            v.push(self.trainer.data().label_value(&self.trainer.data().test, i));
            v.push(p as f32);
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

    /// One update in slow motion: the walk through the last step for `sample` (see
    /// [`walk::walk`]); None before the first step or for a sample outside the batch.
    pub fn walk(&self, sample: usize) -> Option<Walk> {
        walk::walk(&self.trainer, sample)
    }

    /// What the last step did to sample `sample` of its minibatch.
    pub fn probe(&self, sample: usize) -> Option<Probe> {
        probe::probe(&self.trainer, sample)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RunConfig;

    #[test]
    fn the_warning_compares_with_the_first_evaluated_loss_when_step_0_was_abandoned() {
        // The loss of this run climbs past ten times its start within a few steps.
        let config = RunConfig::parse("v=1&loss=mse&act=tanh&rule=bp&opt=sgd&lr=1&seed=2").unwrap();
        let mut run = LiveRun::new(Trainer::new(config.clone()).unwrap(), "bp");
        run.run(9).unwrap();
        let from_start = run.take_warning().expect("a warning");
        assert!(from_start.contains("times its start"), "{from_start}");
        // Step 0's evaluation abandoned (a command moved on): the first evaluated loss is the base.
        let mut run = LiveRun::new(Trainer::new(config).unwrap(), "bp");
        run.pending = None;
        run.run(9).unwrap();
        let warning = run.take_warning().expect("a warning");
        assert!(warning.contains("times its first evaluated value, at step 1"), "{warning}");
    }

    #[test]
    fn a_large_networks_checksum_comes_a_unit_at_a_time_and_equals_the_whole_hash() {
        // 2-1024-1024-1024-2 with R: 5.2 M parameters, three chunks.
        let config = RunConfig::parse("v=1&data=xor&hidden=1024,1024,1024&rule=dnp").unwrap();
        let mut run = LiveRun::new(Trainer::new(config).unwrap(), "dnp");
        run.run(1).unwrap();
        let s = run.summary(false);
        assert_eq!(s.checksum, None, "not at once");
        assert!(run.busy());
        let mut units = vec![];
        while run.busy() {
            units.push(run.work_unit(1));
        }
        assert_eq!(units.first(), Some(&Unit::Hashed(false)), "{units:?}");
        assert!(units.contains(&Unit::Hashed(true)), "{units:?}");
        let want = format!("{:016x}", run.trainer().checksum());
        assert_eq!(run.summary(false).checksum, Some(want));
        // A small network's checksum is there at once (and each block boundary is hashed right).
        for config in ["v=1&data=xor&rule=np", "v=1&data=xor&rule=dnp&hidden=3,5"] {
            let mut run = LiveRun::new(Trainer::new(RunConfig::parse(config).unwrap()).unwrap(), "np");
            run.run(2).unwrap();
            let want = format!("{:016x}", run.trainer().checksum());
            assert_eq!(run.summary(false).checksum, Some(want));
            let mut c = PendingChecksum::new(2);
            let mut chunks = 0;
            let sum = loop {
                chunks += 1;
                if let Some(sum) = c.advance(run.trainer().network(), 7) {
                    break sum;
                }
            };
            assert!(chunks > 3);
            assert_eq!(sum, run.trainer().checksum(), "{config} in chunks of 7");
        }
    }

    #[test]
    fn the_checksum_is_computed_once_per_step_and_follows_the_run() {
        let config = RunConfig::parse("v=1&data=xor&rule=np").unwrap();
        let mut run = LiveRun::new(Trainer::new(config).unwrap(), "np");
        assert_eq!(run.checksum(), run.trainer().checksum());
        run.run(3).unwrap();
        assert_eq!(run.checksum(), run.trainer().checksum());
        assert_eq!(run.checksum.get(), Some((3, run.trainer().checksum())));
    }
}
