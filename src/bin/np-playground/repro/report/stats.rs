//! The numbers the report derives from runs: mean and standard deviation, test accuracy over
//! seeds at an epoch and the gain of one set of runs over another, and curves over seeds.

use super::super::runs::{Point, RunResult};

/// Mean and sample standard deviation (0 for a single value).
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 { v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (m, var.sqrt())
}

/// Per-seed test accuracies (percent) at `epoch`; None if any run lacks it.
pub fn accs(runs: &[&RunResult], epoch: f64) -> Option<Vec<f64>> {
    if runs.is_empty() {
        return None;
    }
    runs.iter().map(|r| r.acc_at(epoch).map(|a| 100.0 * a)).collect()
}

/// Mean test accuracy (percent) over `runs` at `epoch`.
pub fn acc_mean(runs: &[&RunResult], epoch: f64) -> Option<f64> {
    accs(runs, epoch).map(|v| mean_sd(&v).0)
}

/// Points of test accuracy `runs` are ahead of `base` at `epoch` (means over seeds).
pub fn acc_gain(runs: &[&RunResult], base: &[&RunResult], epoch: f64) -> Option<f64> {
    acc_mean(runs, epoch).zip(acc_mean(base, epoch)).map(|(a, b)| a - b)
}

/// What a curve shows.
#[derive(Clone, Copy)]
pub enum Metric {
    TestAcc,
    TrainLoss,
    TrainAcc,
}

impl Metric {
    fn of(self, p: &Point) -> f64 {
        match self {
            Metric::TestAcc => 100.0 * p.test_acc as f64,
            Metric::TrainLoss => p.train_loss as f64,
            Metric::TrainAcc => 100.0 * p.train_acc as f64,
        }
    }
    pub fn desc(self) -> &'static str {
        match self {
            Metric::TestAcc => "test accuracy (%)",
            Metric::TrainLoss => "training loss",
            Metric::TrainAcc => "training accuracy (%)",
        }
    }
}

/// A curve over seeds: epochs, mean, min and max (percent), from the first half epoch on.
pub struct Curve {
    pub xs: Vec<f32>,
    pub mean: Vec<f32>,
    pub lo: Vec<f32>,
    pub hi: Vec<f32>,
}

impl Curve {
    /// `metric` of `runs` at every evaluation of the longest run up to `max_epoch`.
    pub fn over(runs: &[&RunResult], max_epoch: f64, metric: Metric) -> Curve {
        let longest = runs.iter().max_by_key(|r| r.points.len());
        let mut c = Curve { xs: vec![], mean: vec![], lo: vec![], hi: vec![] };
        let Some(longest) = longest else { return c };
        for p in &longest.points {
            if p.epoch <= 0.0 || p.epoch > max_epoch + 1e-9 {
                continue;
            }
            let v: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.points.iter().find(|q| (q.epoch - p.epoch).abs() < 1e-9))
                .map(|q| metric.of(q))
                .filter(|x| x.is_finite())
                .collect();
            if v.is_empty() {
                continue;
            }
            let (m, _) = mean_sd(&v);
            c.xs.push(p.epoch as f32);
            c.mean.push(m as f32);
            c.lo.push(v.iter().cloned().fold(f64::INFINITY, f64::min) as f32);
            c.hi.push(v.iter().cloned().fold(f64::NEG_INFINITY, f64::max) as f32);
        }
        c
    }

    /// The highest mean and its epoch (the first of equal highs).
    pub fn peak(&self) -> Option<(f32, f32)> {
        self.mean.iter().zip(&self.xs).fold(None, |best: Option<(f32, f32)>, (&m, &x)| match best {
            Some((bm, _)) if bm >= m => best,
            _ => Some((m, x)),
        })
    }
}
