//! Training runs on the MNIST subset: one job = one configuration string trained for a number of
//! epochs with diagnostics off, evaluated on a fixed schedule.

use std::time::Instant;

use serde::{Deserialize, Deserializer, Serialize};

use np_playground::data::mnist::Digits;
use np_playground::data::{Dataset, Samples, Sources};
use np_playground::network::Trace;
use np_playground::run::evaluation;
use np_playground::run::trainer::initial_network;
use np_playground::{RunConfig, Trainer};

/// JSON has no NaN: the cache writes a non-finite figure (a diverged run's) as null and reads
/// null back as NaN.
pub fn nan_if_null<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
    Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
}

/// Which version of the digits a run trains on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Inputs {
    /// Raw grey levels in [0, 1], the fixed 8,000 / 2,000 split (`Trainer::with_sources`).
    Raw,
    /// The same digits with the training-set mean of every pixel subtracted (train and test).
    Centred,
    /// Raw digits; every 8th training digit (1,000 of 8,000) held out as the evaluation set (for
    /// choosing the learning rate without looking at the test set).
    Holdout,
}

impl Inputs {
    pub fn key(self) -> &'static str {
        match self {
            Inputs::Raw => "raw",
            Inputs::Centred => "centred",
            Inputs::Holdout => "holdout",
        }
    }
}

/// The data sets every job draws from, built once.
pub struct Sets {
    pub centred: Dataset,
    pub holdout: Dataset,
}

impl Sets {
    pub fn new(digits: &Digits, pool: bool, holdout: usize) -> Sets {
        let raw = digits.dataset(pool);
        let d = raw.dim();
        let n = raw.train.len();
        let mut mean = vec![0.0f64; d];
        for i in 0..n {
            for (m, &v) in mean.iter_mut().zip(raw.train.row(i)) {
                *m += v as f64;
            }
        }
        let mean: Vec<f32> = mean.iter().map(|m| (m / n as f64) as f32).collect();
        let centre = |s: &Samples| {
            let mut x = s.x.clone();
            for mut row in x.rows_mut() {
                for (v, m) in row.iter_mut().zip(&mean) {
                    *v -= m;
                }
            }
            Samples { x, y: s.y.clone() }
        };
        let centred = Dataset { train: centre(&raw.train), test: centre(&raw.test), classes: raw.classes, plane: None };
        // The file is sorted by class, so the held-out digits are every `stride`-th training
        // digit (balanced over classes), not the last ones.
        let stride = (n / holdout.max(1)).max(2);
        let (kept, held): (Vec<usize>, Vec<usize>) = (0..n).partition(|i| i % stride != stride - 1);
        let take = |idx: &[usize]| Samples {
            x: raw.train.x.select(ndarray::Axis(0), idx),
            y: idx.iter().map(|&i| raw.train.y[i]).collect(),
        };
        let holdout = Dataset { train: take(&kept), test: take(&held), classes: raw.classes, plane: None };
        Sets { centred, holdout }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// "select" (learning-rate choice), "main", "samelr" (a D-variant at its plain version's rate),
    /// "blind", "centred", "decor".
    pub group: String,
    pub rule: String,
    pub seed: u64,
    pub lr: f32,
    pub decor_lr: f32,
    pub blind: bool,
    pub inputs: Inputs,
    pub epochs: f64,
}

impl Job {
    pub fn config_string(&self, data: &str) -> String {
        format!(
            "v=1&data={data}&rule={}&lr={}&decor_lr={}&seed={}{}",
            self.rule,
            self.lr,
            self.decor_lr,
            self.seed,
            if self.blind { "&mode=blind" } else { "" }
        )
    }
    /// Relative cost, for scheduling (the D-variants' `R` products make a step about 4.5x dearer).
    pub fn cost(&self) -> f64 {
        self.epochs * if self.rule.starts_with('d') { 4.5 } else { 1.0 }
    }
    pub fn label(&self) -> String {
        format!(
            "{} {}{} lr={} decor_lr={} seed={} {}",
            self.group,
            self.rule,
            if self.blind { "(blind)" } else { "" },
            self.lr,
            self.decor_lr,
            self.seed,
            self.inputs.key()
        )
    }
}

/// One evaluation: test numbers over the whole test set; training numbers over a fixed probe of
/// every 4th training digit (2,000 of 8,000, all classes) before the end and over all training
/// digits at the final point.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub epoch: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub test_acc: f32,
    #[serde(deserialize_with = "nan_if_null")]
    pub test_loss: f32,
    #[serde(deserialize_with = "nan_if_null")]
    pub train_loss: f32,
    #[serde(deserialize_with = "nan_if_null")]
    pub train_acc: f32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub job: Job,
    pub points: Vec<Point>,
    /// Seconds spent in training steps (evaluation excluded).
    pub train_secs: f64,
    pub eval_secs: f64,
    pub steps: u64,
    pub error: Option<String>,
}

impl RunResult {
    /// Test accuracy at `epoch` (linear interpolation between evaluations; None past the end).
    pub fn acc_at(&self, epoch: f64) -> Option<f64> {
        interpolate(&self.points, epoch, |p| p.test_acc as f64)
    }
    pub fn final_point(&self) -> Option<&Point> {
        self.points.last()
    }
    /// First epoch (interpolated) at which the test accuracy reaches `target`.
    pub fn epochs_to(&self, target: f64) -> Option<f64> {
        let p = &self.points;
        for i in 0..p.len() {
            let a = p[i].test_acc as f64;
            if a >= target {
                if i == 0 {
                    return Some(p[0].epoch);
                }
                let a0 = p[i - 1].test_acc as f64;
                let f = (target - a0) / (a - a0);
                return Some(p[i - 1].epoch + f * (p[i].epoch - p[i - 1].epoch));
            }
        }
        None
    }
}

pub fn interpolate(points: &[Point], epoch: f64, f: impl Fn(&Point) -> f64) -> Option<f64> {
    for w in points.windows(2) {
        if (w[0].epoch..=w[1].epoch).contains(&epoch) {
            let t = if w[1].epoch > w[0].epoch { (epoch - w[0].epoch) / (w[1].epoch - w[0].epoch) } else { 0.0 };
            return Some(f(&w[0]) + t * (f(&w[1]) - f(&w[0])));
        }
    }
    points.iter().find(|p| (p.epoch - epoch).abs() < 1e-9).map(f)
}

/// Everything a job needs.
pub struct Ctx<'a> {
    pub data: &'static str,
    pub digits: &'a Digits,
    pub sets: &'a Sets,
}

/// A trainer on given data with the same initial weights, batch order and noise as
/// `Trainer::with_sources` would draw for this configuration.
fn trainer_on(cfg: RunConfig, data: Dataset) -> Result<Trainer, String> {
    let net = initial_network(&cfg, data.dim(), data.classes);
    Trainer::from_parts(cfg, net, data).map_err(|e| e.to_string())
}

pub fn make_trainer(job: &Job, ctx: &Ctx) -> Result<Trainer, String> {
    let config = job.config_string(ctx.data);
    let cfg = RunConfig::parse(&config).map_err(|e| format!("bad config {config}: {e}"))?;
    let mut t = match job.inputs {
        Inputs::Raw => Trainer::with_sources(cfg, &Sources { digits: Some(ctx.digits), table: None })
            .map_err(|e| format!("{config}: {e}"))?,
        Inputs::Centred => trainer_on(cfg, ctx.sets.centred.clone())?,
        Inputs::Holdout => trainer_on(cfg, ctx.sets.holdout.clone())?,
    };
    t.set_diagnostics(false);
    Ok(t)
}

/// Steps at which a run is evaluated: the start, every half epoch up to 5 epochs, then every
/// epoch, and the end. Learning-rate selection runs are evaluated at the end only.
fn schedule(per_epoch: u64, total: u64, end_only: bool) -> Vec<u64> {
    if end_only {
        return vec![total];
    }
    let half = (per_epoch / 2).max(1);
    let mut at = vec![0];
    let mut s = half;
    while s < total {
        at.push(s);
        s += if s < 5 * per_epoch { half } else { per_epoch };
    }
    at.push(total);
    at.dedup();
    at
}

pub fn run_job(job: &Job, ctx: &Ctx) -> RunResult {
    let mut res =
        RunResult { job: job.clone(), points: Vec::new(), train_secs: 0.0, eval_secs: 0.0, steps: 0, error: None };
    let mut t = match make_trainer(job, ctx) {
        Ok(t) => t,
        Err(e) => {
            res.error = Some(e);
            return res;
        }
    };
    let per_epoch = t.steps_for_epochs(1.0);
    let total = t.steps_for_epochs(job.epochs);
    let mut eval_trace = Trace::default();
    // The training digits are stored by class: a strided probe covers every class.
    let probe = {
        let train = &t.data().train;
        let idx: Vec<usize> = (0..train.len()).step_by(4).collect();
        Samples { x: train.x.select(ndarray::Axis(0), &idx), y: idx.iter().map(|&i| train.y[i]).collect() }
    };
    'outer: for at in schedule(per_epoch, total, job.group == "select") {
        let start = Instant::now();
        while t.steps() < at {
            if let Err(e) = t.step() {
                res.train_secs += start.elapsed().as_secs_f64();
                res.error = Some(e.to_string());
                break 'outer;
            }
        }
        res.train_secs += start.elapsed().as_secs_f64();
        let start = Instant::now();
        let (test, train) = if at == total {
            let ev = t.evaluate();
            (ev.test, ev.train)
        } else {
            (
                evaluation::score(t.network(), &t.data().test, &mut eval_trace),
                evaluation::score(t.network(), &probe, &mut eval_trace),
            )
        };
        res.eval_secs += start.elapsed().as_secs_f64();
        res.points.push(Point {
            epoch: at as f64 / per_epoch as f64,
            test_acc: test.accuracy,
            test_loss: test.loss,
            train_loss: train.loss,
            train_acc: train.accuracy,
        });
    }
    res.steps = t.steps();
    res
}

/// Single-threaded training speed of one rule: samples per second over one epoch of steps
/// (after a few warm-up steps), and the seconds of one full evaluation (10,000 digits).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub rule: String,
    pub samples_per_s: f64,
    pub eval_secs: f64,
}

pub fn time_rule(job: &Job, ctx: &Ctx) -> Result<Timing, String> {
    let mut t = make_trainer(job, ctx)?;
    t.run(5).map_err(|e| e.to_string())?;
    let steps = t.steps_for_epochs(1.0);
    let start = Instant::now();
    t.run(steps).map_err(|e| e.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    let start = Instant::now();
    t.evaluate();
    let eval_secs = start.elapsed().as_secs_f64();
    Ok(Timing {
        rule: job.rule.clone(),
        samples_per_s: (steps as usize * t.config().batch_size) as f64 / secs,
        eval_secs,
    })
}
