//! Benchmark workloads shared by the native runner (`np-playground bench`) and the browser
//! benchmark page: the same networks, batches and rules, on synthetic data (speed does not depend
//! on the data's values). Timing is the caller's (std's clock natively, `performance.now()` in
//! the browser): the core has no clock.

use ndarray::Array2;

use super::config::RunConfig;
use super::trainer::{Trainer, initial_network};
use crate::data::{Dataset, Samples};
use crate::rng::{Rng, Stream};

/// A network shape and batch size to measure.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: &'static str,
    pub sizes: &'static [usize],
    pub batch: usize,
}

pub const CASES: &[Case] = &[
    Case { name: "2-8-8-2", sizes: &[2, 8, 8, 2], batch: 10 },
    Case { name: "64-32-10", sizes: &[64, 32, 10], batch: 32 },
    Case { name: "784-256-256-10", sizes: &[784, 256, 256, 10], batch: 100 },
    Case { name: "784-1024-1024-1024-10", sizes: &[784, 1024, 1024, 1024, 10], batch: 100 },
];

/// (label, config keys) of the rules measured.
pub const RULES: &[(&str, &str)] = &[
    ("BP", "rule=bp"),
    ("NP", "rule=np"),
    ("INP", "rule=inp"),
    ("ANP", "rule=anp"),
    ("DNP", "rule=dnp"),
    ("DANP", "rule=danp"),
    ("blind ANP", "rule=anp&mode=blind"),
    ("NP K=4", "rule=np&draws=4"),
    ("WP", "rule=wp"),
    ("FG-W", "rule=fgw"),
    ("FG-A", "rule=fga"),
];

/// A trainer for `case` and the rule keys `rule` (e.g. `rule=np&draws=4`) on Gaussian inputs
/// with random labels, diagnostics off (as when alignment is not shown).
pub fn trainer(case: &Case, rule: &str) -> Result<Trainer, String> {
    let mut cfg = RunConfig::parse(rule).map_err(|e| e.to_string())?;
    cfg.hidden_sizes = case.sizes[1..case.sizes.len() - 1].to_vec();
    cfg.batch_size = case.batch;
    let d = case.sizes[0];
    let classes = *case.sizes.last().unwrap();
    let n = (4 * case.batch).max(256);
    let mut rng = Rng::stream(cfg.seed, Stream::Data);
    let samples = |rng: &mut Rng| Samples {
        x: Array2::from_shape_fn((n, d), |_| rng.normal()),
        y: (0..n).map(|_| rng.below(classes)).collect(),
    };
    let data = Dataset { train: samples(&mut rng), test: samples(&mut rng), classes, plane: None };
    let net = initial_network(&cfg, d, classes);
    let mut t = Trainer::from_parts(cfg, net, data).map_err(|e| e.to_string())?;
    t.set_diagnostics(false);
    Ok(t)
}

/// Multiply-adds of one forward pass of one sample (the matrix products only).
pub fn forward_macs(sizes: &[usize]) -> usize {
    sizes.windows(2).map(|w| w[0] * w[1]).sum()
}
