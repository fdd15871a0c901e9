//! [`View`]: the report's access to what was run and measured — the runs of a rule and group,
//! the learning rates chosen, the alignment cells and the reference cell the text quotes, the
//! configuration the training runs share, and the epochs the tables show.

use np_playground::RunConfig;

use super::super::align::AlignCell;
use super::super::runs::RunResult;
use super::super::{Results, Settings};
use super::stats::mean_sd;

/// The settings of the suite and its measurements, as the report reads them.
pub struct View<'a> {
    pub s: &'a Settings,
    pub r: &'a Results,
}

impl<'a> View<'a> {
    /// The runs of `rule` in `group` ("main", "samelr", "blind", "centred", "decor") that satisfy
    /// `pred`.
    pub fn runs(&self, group: &str, rule: &str, pred: impl Fn(&RunResult) -> bool) -> Vec<&'a RunResult> {
        self.r.runs.iter().filter(|r| r.job.group == group && r.job.rule == rule && pred(r)).collect()
    }
    pub fn main(&self, rule: &str) -> Vec<&'a RunResult> {
        self.runs("main", rule, |_| true)
    }
    /// Runs of decorrelated `d` at its plain version's learning rate: the extra "samelr" runs,
    /// or the main runs when both chose the same rate.
    pub fn same_lr(&self, d: &str) -> Vec<&'a RunResult> {
        let extra = self.runs("samelr", d, |_| true);
        if !extra.is_empty() {
            return extra;
        }
        if self.lr(d).is_some() && self.lr(d) == self.lr(&d[1..]) { self.main(d) } else { Vec::new() }
    }
    pub fn lr(&self, rule: &str) -> Option<f32> {
        self.r.chosen_lr(rule)
    }

    /// The configuration every training run starts from: the data set's defaults (network,
    /// batch size, noise, draws), which the runs' configuration strings do not override.
    pub fn train_config(&self) -> RunConfig {
        let config = format!("v=1&data={}", self.s.data);
        RunConfig::parse(&config).unwrap_or_else(|e| panic!("the suite's data set does not parse ({config}): {e}"))
    }
    /// Training digits (the fixed split of the digits).
    pub fn train_digits(&self) -> usize {
        self.train_config().train_count().expect("the digits' split is fixed")
    }
    /// Steps in one epoch of training.
    pub fn steps_per_epoch(&self) -> usize {
        (self.train_digits() / self.train_config().batch_size).max(1)
    }
    /// Seconds one epoch of `rule` takes single-threaded (from the timing after the suite).
    pub fn secs_per_epoch(&self, rule: &str) -> Option<f64> {
        let t = self.r.timing.iter().find(|t| t.rule == rule)?;
        Some(self.train_digits() as f64 / t.samples_per_s)
    }

    pub fn cell(&self, method: &str, w: usize, b: usize, k: usize) -> Option<&'a AlignCell> {
        self.r.align.iter().find(|c| c.method == method && c.width == w && c.batch == b && c.draws == k)
    }
    /// Mean over every cell of the grid of entry `i` (0..3 layers, 3 = all).
    pub fn grid_mean(&self, method: &str, i: usize) -> f64 {
        let v: Vec<f64> = self.r.align.iter().filter(|c| c.method == method).map(|c| c.mean[i]).collect();
        mean_sd(&v).0
    }
    /// The cell the text quotes is the widest network, at the batch size nearest 32 and the
    /// fewest draws ([`View::k_min`]).
    pub fn ref_width(&self) -> usize {
        *self.s.align.widths.iter().max().unwrap()
    }
    pub fn ref_batch(&self) -> usize {
        let b = &self.s.align.batches;
        *b.iter().min_by_key(|&&x| (x as i64 - 32).abs()).unwrap()
    }
    pub fn k_min(&self) -> usize {
        *self.s.align.draws.iter().min().unwrap()
    }
    pub fn k_max(&self) -> usize {
        *self.s.align.draws.iter().max().unwrap()
    }
    pub fn w_min(&self) -> usize {
        *self.s.align.widths.iter().min().unwrap()
    }
    pub fn b_min(&self) -> usize {
        *self.s.align.batches.iter().min().unwrap()
    }
    pub fn b_max(&self) -> usize {
        *self.s.align.batches.iter().max().unwrap()
    }

    /// Accuracy columns up to `max` epochs.
    pub fn marks(max: f64) -> Vec<f64> {
        [0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 50.0].into_iter().filter(|&e| e <= max + 1e-9).collect()
    }
}
