//! The data a run trains on: the 2-D sets generated from the seed ([`generators`]), the MNIST
//! subset ([`mnist`]), points drawn by the learner ([`points`], carried in the link) and uploaded
//! tables ([`csv`]). Everything here is independent of the run's configuration format: a run
//! describes its data with a [`DataSpec`].

pub mod csv;
pub mod generators;
pub mod mnist;
pub mod points;

use ndarray::Array2;

use crate::rng::Rng;

/// Half the side of the input plane `[-PLANE_EXTENT, PLANE_EXTENT]^2` that 2-D data, drawn
/// points and the decision-boundary view share (the generators keep their points within
/// `[-1, 1]^2` plus jitter).
pub const PLANE_EXTENT: f32 = 1.5;

/// Which data set a run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataSet {
    Circle,
    Xor,
    Gauss,
    Spiral,
    Moons,
    Checker,
    /// The 10,000-digit MNIST subset, 28x28 (784 inputs, 10 classes, fixed 8,000/2,000 split).
    Mnist,
    /// The same digits 2x2-average-pooled to 14x14 (196 inputs), for speed.
    Mnist14,
    /// Points drawn by the learner (or a small 2-D upload), carried in the `pts` key.
    Points,
    /// An uploaded table too large for a link: the page keeps it and exports it with the run.
    Upload,
}

impl DataSet {
    pub const ALL: [DataSet; 10] = [
        DataSet::Circle,
        DataSet::Xor,
        DataSet::Gauss,
        DataSet::Spiral,
        DataSet::Moons,
        DataSet::Checker,
        DataSet::Mnist,
        DataSet::Mnist14,
        DataSet::Points,
        DataSet::Upload,
    ];
    /// The 2-D sets generated from the seed.
    pub const PLANE: [DataSet; 6] =
        [DataSet::Circle, DataSet::Xor, DataSet::Gauss, DataSet::Spiral, DataSet::Moons, DataSet::Checker];

    pub fn is_digits(self) -> bool {
        matches!(self, DataSet::Mnist | DataSet::Mnist14)
    }
    pub fn key(self) -> &'static str {
        match self {
            DataSet::Circle => "circle",
            DataSet::Xor => "xor",
            DataSet::Gauss => "gauss",
            DataSet::Spiral => "spiral",
            DataSet::Moons => "moons",
            DataSet::Checker => "checker",
            DataSet::Mnist => "mnist",
            DataSet::Mnist14 => "mnist14",
            DataSet::Points => "points",
            DataSet::Upload => "upload",
        }
    }
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.key() == s)
    }
}

/// What a run asks of its data: which set, and for the generated sets how many points, how much
/// jitter and which share trains; drawn points come in their link string.
#[derive(Clone, Debug, PartialEq)]
pub struct DataSpec {
    pub set: DataSet,
    /// Points of a generated set, train and test together.
    pub points: usize,
    /// Standard deviation of the jitter added to generated points.
    pub noise: f32,
    /// Share of the samples that trains (generated sets, drawn points, uploads).
    pub train_fraction: f32,
    /// Drawn points (`DataSet::Points`) in the string of [`points::encode_points`].
    pub drawn_points: String,
}

/// Data that does not come from the seed: the MNIST subset and an uploaded table.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sources<'a> {
    pub digits: Option<&'a mnist::Digits>,
    pub table: Option<&'a csv::Table>,
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

/// Training share of `n` samples: `round(n * train)`, at least 1 and leaving at least 1 to test
/// (0 when there are fewer than 2 samples).
pub fn split_count(n: usize, train: f32) -> usize {
    if n < 2 {
        return 0;
    }
    (libm::roundf(n as f32 * train) as usize).clamp(1, n - 1)
}

impl Dataset {
    pub fn dim(&self) -> usize {
        self.train.dim()
    }

    /// The samples of 2-D data as `[x, y, label, is_test]` quadruples, training samples first.
    pub fn plane_points(&self) -> Vec<f32> {
        let mut v = Vec::with_capacity(4 * (self.train.len() + self.test.len()));
        for (set, flag) in [(&self.train, 0.0), (&self.test, 1.0)] {
            for i in 0..set.len() {
                let r = set.row(i);
                v.extend_from_slice(&[r[0], r[1], set.y[i] as f32, flag]);
            }
        }
        v
    }

    /// The data set of `spec`: generated from the data stream `rng` for the 2-D sets, the fixed
    /// split of the digits for mnist / mnist14, the drawn points or the uploaded table, shuffled
    /// and split by the train fraction (an error names what is missing).
    pub fn build(spec: &DataSpec, sources: &Sources, rng: &mut Rng) -> Result<Dataset, String> {
        match spec.set {
            DataSet::Points => {
                let points = points::decode_points_or_empty(&spec.drawn_points)?;
                let x: Vec<f32> = points.iter().flat_map(|p| [p.x, p.y]).collect();
                let y: Vec<usize> = points.iter().map(|p| p.label as usize).collect();
                Self::split_table(spec.train_fraction, x, y, 2, 2, rng)
            }
            DataSet::Upload => {
                let t = sources.table.ok_or(
                    "data=upload needs the uploaded table: load the run's exported file again (Import run), or upload the CSV",
                )?;
                Self::split_table(spec.train_fraction, t.x.clone(), t.y.clone(), t.dim, t.classes, rng)
            }
            DataSet::Mnist | DataSet::Mnist14 => {
                let d = sources.digits.ok_or_else(|| {
                    format!(
                        "data={} needs the MNIST digits file ({}; `./scripts/demo` or `node scripts/mnist.mjs` builds it)",
                        spec.set.key(),
                        mnist::DEFAULT_PATH
                    )
                })?;
                Ok(d.dataset(spec.set == DataSet::Mnist14))
            }
            _ => Ok(generators::generate(spec, rng)),
        }
    }

    /// Shuffles `(x (n, dim), y)` with the data stream and splits it by `train`.
    fn split_table(
        train: f32,
        x: Vec<f32>,
        y: Vec<usize>,
        dim: usize,
        classes: usize,
        rng: &mut Rng,
    ) -> Result<Dataset, String> {
        let n = y.len();
        let n_train = split_count(n, train);
        if n_train == 0 {
            return Err(format!("{n} samples are too few to train and test on"));
        }
        let mut order: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut order);
        Ok(Self::take(&x, &y, dim, &order, n_train, classes))
    }

    /// The rows `order[..n_train]` as the training set and the rest as the test set.
    pub(crate) fn take(x: &[f32], y: &[usize], dim: usize, order: &[usize], n_train: usize, classes: usize) -> Dataset {
        let take = |idx: &[usize]| Samples {
            x: Array2::from_shape_fn((idx.len(), dim), |(r, c)| x[dim * idx[r] + c]),
            y: idx.iter().map(|&i| y[i]).collect(),
        };
        Dataset { train: take(&order[..n_train]), test: take(&order[n_train..]), classes }
    }
}
