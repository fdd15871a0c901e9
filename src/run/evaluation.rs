//! Evaluation: loss and accuracy on a set of samples, always one clean pass (no noise, `R` fixed).

use crate::data::Samples;
use crate::loss::{Loss, argmax};
use crate::network::{Network, Trace};

/// Loss and accuracy of the network on a set of samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    pub loss: f32,
    /// Share of samples whose largest output is their class; NaN for regression (no classes:
    /// the JSON writers give null).
    pub accuracy: f32,
}

/// Rows per evaluation chunk (bounds the evaluation buffers).
pub const CHUNK: usize = 256;
/// Multiply-adds one evaluation chunk may cost: half the work limit of a step, so a chunk never
/// takes longer than a step of the slowest accepted run (a live run evaluates large networks in
/// smaller chunks, so the page's worker reads its messages in between). Chunks much smaller than
/// this would be slow: every chunk streams all the weights through the cache.
pub const CHUNK_WORK: usize = (crate::run::cost::MAX_WORK / 2) as usize;

/// Rows per chunk for `net`: as many as [`CHUNK_WORK`] allows, 16 to [`CHUNK`].
pub fn chunk_rows(net: &Network) -> usize {
    let macs: usize = net.layers.iter().map(|l| l.w.len() + l.r.as_ref().map_or(0, |r| r.len())).sum();
    (CHUNK_WORK / macs.max(1)).clamp(16, CHUNK)
}

/// Mean loss and accuracy over `samples`, in chunks through `trace`.
pub fn score(net: &Network, samples: &Samples, trace: &mut Trace) -> Score {
    score_first(net, samples, usize::MAX, trace)
}

/// Like [`score`], over at most `max` samples spread evenly over the set (sample
/// `i * len / max`): a fixed subset that covers every class even when the set is ordered by
/// class, for live curves on large data sets.
pub fn score_first(net: &Network, samples: &Samples, max: usize, trace: &mut Trace) -> Score {
    let mut s = Scorer::new(samples, max);
    while !s.advance(net, samples, CHUNK, trace) {}
    s.score()
}

/// A score computed a chunk at a time ([`Scorer::advance`]), so a long evaluation can be
/// interleaved with other work. Each row's forward pass is independent of the others in its
/// chunk and the losses are summed in sample order, so the result does not depend on the chunks.
#[derive(Clone, Debug)]
pub struct Scorer {
    len: usize,
    n: usize,
    next: usize,
    loss: f64,
    correct: usize,
    chunk: Vec<f32>,
    regression: bool,
}

impl Scorer {
    /// A score over at most `max` samples of `samples`, spread evenly (see [`score_first`]).
    pub fn new(samples: &Samples, max: usize) -> Scorer {
        let len = samples.len();
        Scorer { len, n: len.min(max), next: 0, loss: 0.0, correct: 0, chunk: Vec::new(), regression: false }
    }

    /// Whether every sample has been scored.
    pub fn done(&self) -> bool {
        self.next >= self.n
    }

    /// Samples scored so far and in all: `(done, total)`.
    pub fn progress(&self) -> (usize, usize) {
        (self.next.min(self.n), self.n)
    }

    /// Scores up to `rows` more samples; returns whether the score is complete.
    pub fn advance(&mut self, net: &Network, samples: &Samples, rows: usize, trace: &mut Trace) -> bool {
        if self.done() {
            return true;
        }
        let (len, n, start) = (self.len, self.n, self.next);
        let d = samples.dim();
        let n_out = net.layers.last().unwrap().n_out();
        let index = |k: usize| if n == len { k } else { k * len / n };
        let rows = rows.max(1).min(n - start);
        let input: &[f32] = if n == len {
            &samples.x.as_slice().unwrap()[start * d..(start + rows) * d]
        } else {
            self.chunk.clear();
            for k in start..start + rows {
                self.chunk.extend_from_slice(samples.row(index(k)));
            }
            &self.chunk
        };
        net.forward(input, rows, trace);
        self.regression = net.loss == Loss::Regression;
        let logits = trace.logits(0);
        for b in 0..rows {
            let z = &logits[b * n_out..(b + 1) * n_out];
            let y = samples.y[index(start + b)];
            self.loss += net.loss.value(z, y) as f64;
            self.correct += (argmax(z) == y) as usize;
        }
        self.next += rows;
        self.done()
    }

    /// The mean loss and accuracy (of the samples scored so far; NaN before any).
    pub fn score(&self) -> Score {
        let n = self.next.min(self.n);
        let accuracy = if self.regression { f32::NAN } else { self.correct as f32 / n as f32 };
        Score { loss: (self.loss / n as f64) as f32, accuracy }
    }
}

/// Full evaluation of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    pub train: Score,
    pub test: Score,
}
