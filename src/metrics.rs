//! Evaluation (always one clean pass: no noise, `R` fixed) and the numbers reported per step.

use crate::data::Samples;
use crate::loss::argmax;
use crate::network::{Network, Trace};

/// Loss and accuracy of the network on a set of samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    pub loss: f32,
    pub accuracy: f32,
}

/// Rows per evaluation chunk (bounds the evaluation buffers).
const CHUNK: usize = 256;

/// Mean loss and accuracy over `samples`, in chunks through `trace`.
pub fn score(net: &Network, samples: &Samples, trace: &mut Trace) -> Score {
    score_first(net, samples, usize::MAX, trace)
}

/// Like [`score`], over at most `max` samples spread evenly over the set (sample
/// `i * len / max`): a fixed subset that covers every class even when the set is ordered by
/// class, for live curves on large data sets.
pub fn score_first(net: &Network, samples: &Samples, max: usize, trace: &mut Trace) -> Score {
    let len = samples.len();
    let n = len.min(max);
    let d = samples.dim();
    let n_out = net.layers.last().unwrap().n_out();
    let (mut loss, mut correct) = (0.0f64, 0usize);
    let xs = samples.x.as_slice().unwrap();
    let index = |k: usize| if n == len { k } else { k * len / n };
    let mut chunk = Vec::with_capacity(CHUNK * d);
    let mut start = 0;
    while start < n {
        let rows = CHUNK.min(n - start);
        let input: &[f32] = if n == len {
            &xs[start * d..(start + rows) * d]
        } else {
            chunk.clear();
            for k in start..start + rows {
                chunk.extend_from_slice(samples.row(index(k)));
            }
            &chunk
        };
        net.forward(input, rows, trace);
        let logits = trace.logits(0);
        for b in 0..rows {
            let z = &logits[b * n_out..(b + 1) * n_out];
            let y = samples.y[index(start + b)];
            loss += net.loss.value(z, y) as f64;
            correct += (argmax(z) == y) as usize;
        }
        start += rows;
    }
    Score { loss: (loss / n as f64) as f32, accuracy: correct as f32 / n as f32 }
}

/// Full evaluation of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    pub train: Score,
    pub test: Score,
}

/// Means of the per-step numbers over a window of steps (one report interval, one history
/// point): single-batch alignment and `dL` are noisy, their window means are what a curve shows.
#[derive(Clone, Debug, Default)]
pub struct StepMeans {
    steps: u32,
    batch_loss: f64,
    d_loss: f64,
    d_loss_steps: u32,
    alignment: Vec<f64>,
    alignment_all: f64,
    aligned_steps: u32,
}

impl StepMeans {
    pub fn add(&mut self, s: &crate::train::StepStats) {
        self.steps += 1;
        self.batch_loss += s.batch_loss as f64;
        if let Some(d) = s.d_loss {
            self.d_loss += d as f64;
            self.d_loss_steps += 1;
        }
        if let (Some(a), Some(all)) = (&s.alignment, s.alignment_all) {
            self.alignment.resize(a.len(), 0.0);
            for (acc, &v) in self.alignment.iter_mut().zip(a) {
                *acc += v as f64;
            }
            self.alignment_all += all as f64;
            self.aligned_steps += 1;
        }
    }
    pub fn steps(&self) -> u32 {
        self.steps
    }
    pub fn batch_loss(&self) -> Option<f32> {
        (self.steps > 0).then(|| (self.batch_loss / self.steps as f64) as f32)
    }
    pub fn d_loss(&self) -> Option<f32> {
        (self.d_loss_steps > 0).then(|| (self.d_loss / self.d_loss_steps as f64) as f32)
    }
    pub fn alignment(&self) -> Option<Vec<f32>> {
        (self.aligned_steps > 0)
            .then(|| self.alignment.iter().map(|&v| (v / self.aligned_steps as f64) as f32).collect())
    }
    pub fn alignment_all(&self) -> Option<f32> {
        (self.aligned_steps > 0).then(|| (self.alignment_all / self.aligned_steps as f64) as f32)
    }
}

/// Exponential moving averages of the per-step numbers, for live curves: `[batch loss, dL,
/// overall alignment, alignment per layer...]`, each averaged over about `1 / alpha` steps.
/// A value that a step does not report (alignment with diagnostics off, `dL` for BP) becomes NaN,
/// so the curve shows a gap rather than a stale flat line.
#[derive(Clone, Debug)]
pub struct Smoothed {
    alpha: f32,
    values: Vec<f32>,
}

impl Smoothed {
    pub fn new(n_layers: usize, alpha: f32) -> Self {
        Smoothed { alpha, values: vec![f32::NAN; 3 + n_layers] }
    }

    pub fn add(&mut self, s: &crate::train::StepStats) {
        let n_layers = self.values.len() - 3;
        let mut put = |i: usize, v: Option<f32>| {
            let old = self.values[i];
            self.values[i] = match v {
                Some(v) if old.is_finite() => old + self.alpha * (v - old),
                Some(v) => v,
                None => f32::NAN,
            };
        };
        put(0, Some(s.batch_loss));
        put(1, s.d_loss);
        put(2, s.alignment_all);
        for l in 0..n_layers {
            put(3 + l, s.alignment.as_ref().map(|a| a[l]));
        }
    }

    pub fn values(&self) -> &[f32] {
        &self.values
    }
}
