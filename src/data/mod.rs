//! The data a run trains on: the 2-D sets generated from the seed ([`generators`]), the MNIST
//! subset ([`mnist`]), points drawn by the learner ([`points`], carried in the link) and uploaded
//! tables ([`csv`]). Everything here is independent of the run's configuration format: a run
//! describes its data with a [`DataSpec`].

pub mod csv;
pub mod features;
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
    /// Regression (TensorFlow Playground's "plane"): the target is `0.6 (x1 + x2)`.
    Plane,
    /// Regression (TensorFlow Playground's "multi Gaussian"): six signed bumps.
    Multigauss,
}

impl DataSet {
    pub const ALL: [DataSet; 12] = [
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
        DataSet::Plane,
        DataSet::Multigauss,
    ];
    /// The 2-D sets generated from the seed (the two regression sets last).
    pub const PLANE: [DataSet; 8] = [
        DataSet::Circle,
        DataSet::Xor,
        DataSet::Gauss,
        DataSet::Spiral,
        DataSet::Moons,
        DataSet::Checker,
        DataSet::Plane,
        DataSet::Multigauss,
    ];

    pub fn is_digits(self) -> bool {
        matches!(self, DataSet::Mnist | DataSet::Mnist14)
    }
    /// The regression sets: one real-valued target per point, one linear output.
    pub fn is_regression(self) -> bool {
        matches!(self, DataSet::Plane | DataSet::Multigauss)
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
            DataSet::Plane => "plane",
            DataSet::Multigauss => "multigauss",
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
    /// What the network reads of a 2-D point (`x1,x2`: the point itself).
    pub features: features::Features,
}

/// Data that does not come from the seed: the MNIST subset and an uploaded table.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sources<'a> {
    pub digits: Option<&'a mnist::Digits>,
    pub table: Option<&'a csv::Table>,
}

/// Samples `x (n, d)` with labels `y (n)` in `0..classes`; for regression (`classes == 1`) each
/// label carries the sample's real target, `crate::loss::target_label(t)`.
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
    /// Classes, one output each; 1 for regression (one linear output, real targets).
    pub classes: usize,
    /// The points of the training and test sets on the plane, when the network's inputs `x` are
    /// features computed from them ([`features::Features::map`]); None when `x` is the point
    /// itself or the data is not 2-D.
    pub plane: Option<[Array2<f32>; 2]>,
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

    /// Regression data: one real target per sample (`classes == 1`).
    pub fn is_regression(&self) -> bool {
        self.classes == 1
    }

    /// Whether the samples are points of the plane (the network reads them, or features of them).
    pub fn is_planar(&self) -> bool {
        self.plane.is_some() || self.dim() == 2
    }

    /// The label of sample `i` of `set` as a number: its class, or its target for regression.
    pub fn label_value(&self, set: &Samples, i: usize) -> f32 {
        if self.is_regression() { crate::loss::label_target(set.y[i]) } else { set.y[i] as f32 }
    }

    /// The samples of 2-D data as `[x, y, label, is_test]` quadruples, training samples first
    /// (the label is the target for regression); the points on the plane also when the network
    /// reads features of them.
    pub fn plane_points(&self) -> Vec<f32> {
        let mut v = Vec::with_capacity(4 * (self.train.len() + self.test.len()));
        for (k, (set, flag)) in [(&self.train, 0.0), (&self.test, 1.0)].into_iter().enumerate() {
            for i in 0..set.len() {
                let r = match &self.plane {
                    Some(p) => &p[k].as_slice().unwrap()[2 * i..2 * i + 2],
                    None => set.row(i),
                };
                v.extend_from_slice(&[r[0], r[1], self.label_value(set, i), flag]);
            }
        }
        v
    }

    /// The data with its points replaced by their `features` (the points kept in `plane`);
    /// unchanged for `x1,x2`. An error when the data is not 2-D.
    pub fn with_features(mut self, features: features::Features) -> Result<Dataset, String> {
        if features.is_identity() {
            return Ok(self);
        }
        if self.dim() != 2 {
            return Err(format!(
                "features apply to 2-D points; this data has {} columns (use features=x1,x2)",
                self.dim()
            ));
        }
        let map = |s: &Samples| {
            let x = features.map_rows(s.x.as_slice().unwrap());
            Array2::from_shape_vec((s.len(), features.count()), x).expect("one row of features per point")
        };
        let (train, test) = (map(&self.train), map(&self.test));
        let plane = [std::mem::replace(&mut self.train.x, train), std::mem::replace(&mut self.test.x, test)];
        self.plane = Some(plane);
        Ok(self)
    }

    /// The data set of `spec`: generated from the data stream `rng` for the 2-D sets, the fixed
    /// split of the digits for mnist / mnist14, the drawn points or the uploaded table, shuffled
    /// and split by the train fraction (an error names what is missing).
    pub fn build(spec: &DataSpec, sources: &Sources, rng: &mut Rng) -> Result<Dataset, String> {
        Self::build_points(spec, sources, rng)?.with_features(spec.features)
    }

    fn build_points(spec: &DataSpec, sources: &Sources, rng: &mut Rng) -> Result<Dataset, String> {
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
        Dataset { train: take(&order[..n_train]), test: take(&order[n_train..]), classes, plane: None }
    }
}
