//! The 2-D data sets, generated from the run's data stream. Every set lives on the plane
//! `[-1, 1]^2` (plus jitter), has two classes in equal numbers, and is split into train and test
//! sets by a shuffle of the data stream. The two regression sets ([`regression_target`]) have a
//! real target per point instead of a class.

use super::{DataSet, DataSpec, Dataset, split_count};
use crate::rng::Rng;

/// Generates the 2-D data set of `spec` from `rng` (the run's data stream).
pub fn generate(spec: &DataSpec, rng: &mut Rng) -> Dataset {
    if spec.set.is_regression() {
        return regression(spec, rng);
    }
    let n = spec.points;
    let mut x = Vec::with_capacity(2 * n);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        // Alternate the classes: exactly balanced (n/2 each, the extra one to class 0).
        let label = i % 2;
        let (px, py) = point(spec.set, label, rng);
        let j = spec.noise;
        x.push(px + j * rng.normal());
        x.push(py + j * rng.normal());
        y.push(label);
    }
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    Dataset::take(&x, &y, 2, &order, split_count(n, spec.train_fraction), 2)
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
        DataSet::Plane | DataSet::Multigauss => unreachable!("the regression sets have no classes"),
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

/// A regression set, after TensorFlow Playground's `regressPlane` and `regressGaussian`
/// (github.com/tensorflow/playground, src/dataset.ts) scaled from its plane `[-6, 6]^2` to
/// `[-1, 1]^2`: every point uniform on `[-1, 1]^2`; its target is [`regression_target`] at the
/// point moved by the jitter (the point itself is not moved, as there): uniform in
/// `[-noise, noise]` on each axis (there `noise` times the plane's radius).
fn regression(spec: &DataSpec, rng: &mut Rng) -> Dataset {
    let n = spec.points;
    let mut x = Vec::with_capacity(2 * n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let (px, py) = (rng.uniform_range(-1.0, 1.0), rng.uniform_range(-1.0, 1.0));
        let j = spec.noise;
        let (jx, jy) = (rng.uniform_range(-j, j), rng.uniform_range(-j, j));
        x.extend_from_slice(&[px, py]);
        y.push(crate::loss::target_label(regression_target(spec.set, px + jx, py + jy)));
    }
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    Dataset::take(&x, &y, 2, &order, split_count(n, spec.train_fraction), 1)
}

/// The noise-free target of the regression set `set` at `(x1, x2)`:
/// - `plane`: `0.6 (x1 + x2)` (there `(X + Y) / 10` with `X = 6 x1`), from -1.2 to 1.2;
/// - `multigauss`: six bumps at `(-2/3, 5/12)`, `(0, 5/12)`, `(2/3, 5/12)` with signs `+ - +` and
///   at `(-2/3, -5/12)`, `(0, -5/12)`, `(2/3, -5/12)` with signs `- + -`, each
///   `sign * max(0, 1 - 3 d)` at distance `d` from its centre (there `1 - D / 2` clamped, `D = 6 d`);
///   the target is the bump of largest magnitude (the first one wins a tie), from -1 to 1.
pub fn regression_target(set: DataSet, x1: f32, x2: f32) -> f32 {
    match set {
        DataSet::Plane => 0.6 * (x1 + x2),
        DataSet::Multigauss => {
            const BUMPS: [(f32, f32, f32); 6] = [
                (-4.0, 2.5, 1.0),
                (0.0, 2.5, -1.0),
                (4.0, 2.5, 1.0),
                (-4.0, -2.5, -1.0),
                (0.0, -2.5, 1.0),
                (4.0, -2.5, -1.0),
            ];
            let mut label = 0.0f32;
            for (cx, cy, sign) in BUMPS {
                let (dx, dy) = (x1 - cx / 6.0, x2 - cy / 6.0);
                let v = sign * (1.0 - 3.0 * libm::sqrtf(dx * dx + dy * dy)).max(0.0);
                if v.abs() > label.abs() {
                    label = v;
                }
            }
            label
        }
        _ => panic!("{} is not a regression set", set.key()),
    }
}

/// `[x, y, label, is_test]` quadruples of `n` points of the 2-D set `set` with little jitter,
/// from seed 1's data stream: the data set's thumbnail.
pub fn preview(set: DataSet, n: usize) -> Vec<f32> {
    let spec = DataSpec {
        set,
        points: n,
        noise: 0.05,
        train_fraction: 0.5,
        drawn_points: String::new(),
        features: Default::default(),
    };
    generate(&spec, &mut Rng::stream(1, crate::rng::Stream::Data)).plane_points()
}
