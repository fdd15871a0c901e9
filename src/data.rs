//! Data sets generated from a seed. Every 2-D set lives on the plane `[-1, 1]^2` (plus jitter),
//! has two classes in equal numbers, and is split into train and test sets by a shuffle of the
//! data stream.

use ndarray::Array2;

use crate::config::{DataSet, RunConfig};
use crate::rng::Rng;

/// Data that does not come from the seed: the MNIST subset and an uploaded table.
#[derive(Clone, Copy, Debug, Default)]
pub struct External<'a> {
    pub digits: Option<&'a crate::mnist::Digits>,
    pub table: Option<&'a crate::userdata::Table>,
}

/// Samples `x (n, d)` with labels `y (n)` in `0..classes`.
#[derive(Clone, Debug)]
pub struct Samples {
    pub x: Array2<f32>,
    pub y: Vec<usize>,
}

impl Samples {
    pub fn len(&self) -> usize {
        self.y.len()
    }
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
    pub fn dim(&self) -> usize {
        self.x.ncols()
    }
    pub fn row(&self, i: usize) -> &[f32] {
        let d = self.dim();
        &self.x.as_slice().unwrap()[i * d..(i + 1) * d]
    }
}

#[derive(Clone, Debug)]
pub struct Dataset {
    pub train: Samples,
    pub test: Samples,
    pub classes: usize,
}

impl Dataset {
    pub fn dim(&self) -> usize {
        self.train.dim()
    }

    /// The configured data set: generated from the data stream `rng` for the 2-D sets, the fixed
    /// split of the digits for mnist / mnist14, the drawn points or the uploaded table, shuffled
    /// and split by `train` (an error names what is missing).
    pub fn build(cfg: &RunConfig, external: &External, rng: &mut Rng) -> Result<Dataset, String> {
        let digits = external.digits;
        match cfg.data {
            DataSet::Points => {
                let points = crate::userdata::decode_points_or_empty(&cfg.drawn_points)?;
                let x: Vec<f32> = points.iter().flat_map(|p| [p.x, p.y]).collect();
                let y: Vec<usize> = points.iter().map(|p| p.label as usize).collect();
                Self::split_table(cfg, x, y, 2, 2, rng)
            }
            DataSet::Upload => {
                let t = external.table.ok_or("data=upload needs the uploaded table: load the run's exported file again (Import run), or upload the CSV")?;
                Self::split_table(cfg, t.x.clone(), t.y.clone(), t.dim, t.classes, rng)
            }
            DataSet::Mnist | DataSet::Mnist14 => {
                let d = digits.ok_or_else(|| {
                    format!("data={} needs the MNIST digits file ({}; `./scripts/demo` or `node scripts/mnist.mjs` builds it)", cfg.data.key(), crate::mnist::DEFAULT_PATH)
                })?;
                let set = d.dataset(cfg.data == DataSet::Mnist14);
                if cfg.batch_size > set.train.len() {
                    return Err(format!(
                        "batch={} is larger than the {} training digits",
                        cfg.batch_size,
                        set.train.len()
                    ));
                }
                Ok(set)
            }
            _ => Ok(Self::generate(cfg, rng)),
        }
    }

    /// Shuffles `(x (n, dim), y)` with the data stream and splits it by `train`.
    fn split_table(
        cfg: &RunConfig,
        x: Vec<f32>,
        y: Vec<usize>,
        dim: usize,
        classes: usize,
        rng: &mut Rng,
    ) -> Result<Dataset, String> {
        let n = y.len();
        let n_train = crate::config::split_count(n, cfg.train_fraction);
        if n_train == 0 {
            return Err(format!("{n} samples are too few to train and test on"));
        }
        if cfg.batch_size > n_train {
            return Err(format!("batch={} is larger than the {n_train} training samples", cfg.batch_size));
        }
        let mut order: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut order);
        let take = |idx: &[usize]| Samples {
            x: Array2::from_shape_fn((idx.len(), dim), |(r, c)| x[dim * idx[r] + c]),
            y: idx.iter().map(|&i| y[i]).collect(),
        };
        Ok(Dataset { train: take(&order[..n_train]), test: take(&order[n_train..]), classes })
    }

    /// Generates the configured 2-D data set from `rng` (the run's data stream).
    pub fn generate(cfg: &RunConfig, rng: &mut Rng) -> Dataset {
        let n = cfg.points;
        let mut x = Vec::with_capacity(2 * n);
        let mut y = Vec::with_capacity(n);
        for i in 0..n {
            // Alternate the classes: exactly balanced (n/2 each, the extra one to class 0).
            let label = i % 2;
            let (px, py) = point(cfg.data, label, rng);
            let j = cfg.data_noise;
            x.push(px + j * rng.normal());
            x.push(py + j * rng.normal());
            y.push(label);
        }
        let mut order: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut order);
        let n_train = cfg.train_count();
        let take = |idx: &[usize]| Samples {
            x: Array2::from_shape_fn((idx.len(), 2), |(r, c)| x[2 * idx[r] + c]),
            y: idx.iter().map(|&i| y[i]).collect(),
        };
        Dataset { train: take(&order[..n_train]), test: take(&order[n_train..]), classes: 2 }
    }
}

/// One noise-free point of class `label` from the generator of `set`.
fn point(set: DataSet, label: usize, rng: &mut Rng) -> (f32, f32) {
    use core::f32::consts::PI;
    match set {
        // Class 0 inside a disc of radius 0.5, class 1 on a ring from 0.7 to 1.
        DataSet::Circle => {
            let r = if label == 0 { 0.5 * libm::sqrtf(rng.uniform()) } else { rng.uniform_range(0.7, 1.0) };
            let t = rng.uniform_range(0.0, 2.0 * PI);
            (r * libm::cosf(t), r * libm::sinf(t))
        }
        // Quadrants: class 0 where x*y > 0. Points keep a small margin from the axes.
        DataSet::Xor => {
            let mut c = || {
                let v = rng.uniform_range(0.05, 1.0);
                if rng.uniform() < 0.5 { v } else { -v }
            };
            let (a, b) = (c(), c());
            let same_sign = (a > 0.0) == (b > 0.0);
            if (label == 0) == same_sign { (a, b) } else { (a, -b) }
        }
        // Two Gaussian blobs centred at (-0.5, -0.5) and (0.5, 0.5).
        DataSet::Gauss => {
            let c = if label == 0 { -0.5 } else { 0.5 };
            (c + 0.25 * rng.normal(), c + 0.25 * rng.normal())
        }
        // Two interleaved arms of 1.75 turns.
        DataSet::Spiral => {
            let t = rng.uniform();
            let r = 0.05 + 0.9 * t;
            let angle = 1.75 * 2.0 * PI * t + if label == 0 { 0.0 } else { PI };
            (r * libm::cosf(angle), r * libm::sinf(angle))
        }
        // Two interleaved half circles.
        DataSet::Moons => {
            let t = rng.uniform_range(0.0, PI);
            if label == 0 {
                (0.5 * libm::cosf(t) - 0.25, 0.5 * libm::sinf(t) - 0.1)
            } else {
                (0.25 - 0.5 * libm::cosf(t), 0.1 - 0.5 * libm::sinf(t))
            }
        }
        DataSet::Mnist | DataSet::Mnist14 | DataSet::Points | DataSet::Upload => {
            unreachable!("only the 2-D sets are generated")
        }
        // A 4x4 checkerboard over the plane; draws until the cell has the wanted colour.
        DataSet::Checker => loop {
            let (a, b) = (rng.uniform_range(-1.0, 1.0), rng.uniform_range(-1.0, 1.0));
            let cell = (libm::floorf((a + 1.0) * 2.0) as i32 + libm::floorf((b + 1.0) * 2.0) as i32) as usize % 2;
            if cell == label {
                return (a, b);
            }
        },
    }
}
