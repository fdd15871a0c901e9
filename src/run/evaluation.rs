//! Evaluation: loss and accuracy on a set of samples, always one clean pass (no noise, `R` fixed).

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
