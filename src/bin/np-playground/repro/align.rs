//! Alignment with the true gradient at initialisation: the cosine between a rule's update
//! (`np_playground::rules::update_direction`) and the exact BP gradient on the same batch and
//! network, per layer and over all layers, as `tests/estimators.rs` measures it — here on real
//! digits (raw grey levels) and tanh networks `n_0-w-w-10`.

use serde::{Deserialize, Deserializer, Serialize};

use np_playground::activation::Activation;
use np_playground::data::Samples;
use np_playground::loss::Loss;
use np_playground::network::Network;
use np_playground::rng::{Rng, Stream};
use np_playground::rules::{self, Grads};
use np_playground::rules::{Method, UpdateSpec, update_direction};

use super::pool;

/// The estimators compared: name, family, blind (noise not observed).
pub const METHODS: [(&str, Method, bool); 4] = [
    ("np", Method::Np, false),
    ("inp", Method::Inp, false),
    ("anp", Method::Anp, false),
    ("anp-blind", Method::Anp, true),
];

/// The perturbation family beside NP (issue 18): weight perturbation and the two forward
/// gradients. They draw from a noise stream of their own, so the methods above draw exactly what
/// they drew before these were added (and their cells keep their values).
pub const FAMILY_METHODS: [(&str, Method, bool); 3] =
    [("wp", Method::Wp, false), ("fgw", Method::Fgw, false), ("fga", Method::Fga, false)];

#[derive(Clone, Debug)]
pub struct AlignSettings {
    pub widths: Vec<usize>,
    pub batches: Vec<usize>,
    pub draws: Vec<usize>,
    /// Independent initialisations (each with its own random batch of digits) per width.
    pub trials: usize,
    pub sigma: f32,
}

/// Mean and standard deviation over the trials of the cosine in hidden layer 1, hidden layer 2,
/// the output layer, and all layers together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlignCell {
    pub method: String,
    pub width: usize,
    pub batch: usize,
    pub draws: usize,
    pub n: usize,
    #[serde(deserialize_with = "nans_if_null")]
    pub mean: [f64; 4],
    #[serde(deserialize_with = "nans_if_null")]
    pub sd: [f64; 4],
}

/// Reads four numbers, null (how JSON writes NaN) as NaN.
fn nans_if_null<'de, D: Deserializer<'de>>(d: D) -> Result<[f64; 4], D::Error> {
    Ok(<[Option<f64>; 4]>::deserialize(d)?.map(|v| v.unwrap_or(f64::NAN)))
}

impl AlignCell {
    /// Standard error of the mean of entry `i`.
    pub fn se(&self, i: usize) -> f64 {
        self.sd[i] / (self.n as f64).sqrt()
    }
}

/// Per-layer and overall cosine of `g` with `bp` (a three-layer network).
fn cosines(g: &Grads, bp: &Grads) -> [f64; 4] {
    [
        rules::cosine(g, bp, 0..1) as f64,
        rules::cosine(g, bp, 1..2) as f64,
        rules::cosine(g, bp, 2..3) as f64,
        rules::cosine(g, bp, 0..3) as f64,
    ]
}

/// The whole grid: every method x width x batch x draws, `trials` initialisations each.
/// With `np_only`, of [`METHODS`] only NP runs (beside the family).
pub fn study(train: &Samples, s: &AlignSettings, threads: usize, np_only: bool) -> Vec<AlignCell> {
    let d = train.dim();
    let max_batch = *s.batches.iter().max().unwrap();
    // One job per (width, trial); inside it every batch size, K and method on the same network
    // and the same digits (paired comparisons).
    let jobs: Vec<(usize, usize)> = s.widths.iter().flat_map(|&w| (0..s.trials).map(move |t| (w, t))).collect();
    let costs: Vec<f64> = jobs.iter().map(|&(w, _)| (w * w + d * w) as f64).collect();
    let order = pool::longest_first(&costs);
    let per_job = pool::run(&jobs, &order, threads, |_, &(width, trial)| {
        let seed = 1000 + trial as u64;
        let net = Network::new(
            &[d, width, width, 10],
            Activation::Tanh,
            Loss::CrossEntropy,
            false,
            &mut Rng::stream(seed, Stream::Init),
        );
        let mut idx: Vec<usize> = (0..train.len()).collect();
        Rng::stream(seed, Stream::Batches).shuffle(&mut idx);
        let mut noise = Rng::stream(seed ^ ((width as u64) << 20), Stream::Noise);
        let mut family_noise = Rng::stream(seed ^ ((width as u64) << 20) ^ (1 << 40), Stream::Noise);
        let mut out = Vec::new();
        for &b in &s.batches {
            let mut x = Vec::with_capacity(b * d);
            let mut y = Vec::with_capacity(b);
            for &i in &idx[..b.min(max_batch)] {
                x.extend_from_slice(train.row(i));
                y.push(train.y[i]);
            }
            let bp_spec = UpdateSpec { method: Method::Bp, sigma: s.sigma, draws: 1, blind: false };
            let bp = update_direction(&net, &x, &y, &bp_spec, &mut noise);
            for &k in &s.draws {
                for (m, &(name, method, blind)) in METHODS.iter().enumerate() {
                    if np_only && name != "np" {
                        continue;
                    }
                    let spec = UpdateSpec { method, sigma: s.sigma, draws: k, blind };
                    let g = update_direction(&net, &x, &y, &spec, &mut noise);
                    out.push((m, b, k, cosines(&g, &bp)));
                }
                for (j, &(_, method, blind)) in FAMILY_METHODS.iter().enumerate() {
                    let spec = UpdateSpec { method, sigma: s.sigma, draws: k, blind };
                    let g = update_direction(&net, &x, &y, &spec, &mut family_noise);
                    out.push((METHODS.len() + j, b, k, cosines(&g, &bp)));
                }
            }
        }
        out
    });
    let mut cells = Vec::new();
    for (m, &(name, _, _)) in METHODS.iter().chain(&FAMILY_METHODS).enumerate() {
        for &w in &s.widths {
            for &b in &s.batches {
                for &k in &s.draws {
                    let vals: Vec<[f64; 4]> = jobs
                        .iter()
                        .zip(&per_job)
                        .filter(|((jw, _), _)| *jw == w)
                        .flat_map(|(_, r)| r.iter().filter(|(rm, rb, rk, _)| (*rm, *rb, *rk) == (m, b, k)).map(|r| r.3))
                        .collect();
                    let n = vals.len();
                    if n == 0 {
                        continue;
                    }
                    let mut mean = [0.0; 4];
                    let mut sd = [0.0; 4];
                    for i in 0..4 {
                        mean[i] = vals.iter().map(|v| v[i]).sum::<f64>() / n as f64;
                        let var = vals.iter().map(|v| (v[i] - mean[i]).powi(2)).sum::<f64>() / (n.max(2) - 1) as f64;
                        sd[i] = var.sqrt();
                    }
                    cells.push(AlignCell { method: name.to_string(), width: w, batch: b, draws: k, n, mean, sd });
                }
            }
        }
    }
    cells
}
