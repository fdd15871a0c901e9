//! A run's figures at a step ([`RunFigures`]), as `run --json` and a sweep's cells report them.

use serde::Serialize;

use super::evaluation::Evaluation;
use super::stats::StepMeans;
use super::trainer::Trainer;

/// A run's figures at a step, as `run --json` and a sweep's cells report them: the evaluation on
/// the whole sets, the means of the per-step numbers over `means`' window, and the checksum.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunFigures {
    pub steps: u64,
    pub epoch: f64,
    pub train_loss: f32,
    pub test_loss: f32,
    pub train_accuracy: f32,
    pub test_accuracy: f32,
    pub batch_loss: f32,
    pub d_loss: Option<f32>,
    pub alignment: Option<Vec<f32>>,
    pub alignment_all: Option<f32>,
    pub input_correlation: Vec<f32>,
    pub checksum: String,
}

impl RunFigures {
    /// The figures of `t` evaluated as `ev`, with the window means `means`.
    pub fn of(t: &Trainer, ev: &Evaluation, means: &StepMeans) -> RunFigures {
        RunFigures {
            steps: t.steps(),
            epoch: (t.epoch() * 1000.0).round() / 1000.0,
            train_loss: ev.train.loss,
            test_loss: ev.test.loss,
            train_accuracy: ev.train.accuracy,
            test_accuracy: ev.test.accuracy,
            batch_loss: t.last_stats().batch_loss,
            d_loss: means.d_loss(),
            alignment: means.alignment(),
            alignment_all: means.alignment_all(),
            input_correlation: t.input_correlation(),
            checksum: format!("{:016x}", t.checksum()),
        }
    }
}
