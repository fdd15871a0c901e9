//! TensorFlow Playground's feature inputs: the network of a 2-D run reads chosen functions of the
//! point `(x1, x2)` instead of the point itself (`features=x1sq,x2sq` makes the circle linearly
//! separable). The one map from a point to its features is [`Features::map`]: the data, the
//! plane's grid and every view that feeds the plane to the network use it.
//!
//! The features are taken literally on this project's plane (`[-1.5, 1.5]^2`, data within
//! `[-1, 1]^2`): `sin x1` is nearly linear there. (TensorFlow Playground's plane spans `[-6, 6]`,
//! where the sines wrap around.)

/// Every feature, in the order the network's inputs take them: `(key, label)`.
pub const ALL: [(&str, &str); 7] = [
    ("x1", "x\u{2081}"),
    ("x2", "x\u{2082}"),
    ("x1sq", "x\u{2081}\u{b2}"),
    ("x2sq", "x\u{2082}\u{b2}"),
    ("x1x2", "x\u{2081}x\u{2082}"),
    ("sinx1", "sin(x\u{2081})"),
    ("sinx2", "sin(x\u{2082})"),
];

/// A set of features: bit `i` set when feature `ALL[i]` is an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features(u8);

impl Default for Features {
    /// The point itself: `x1,x2`.
    fn default() -> Self {
        Features(0b11)
    }
}

impl Features {
    /// Whether this is the point itself (`x1,x2`): the data and the plane are used as they are.
    pub fn is_identity(self) -> bool {
        self == Features::default()
    }

    /// Number of inputs the network gets.
    pub fn count(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether feature `i` (of [`ALL`]) is chosen.
    pub fn has(self, i: usize) -> bool {
        self.0 >> i & 1 == 1
    }

    /// The keys of the chosen features, in input order.
    pub fn keys(self) -> Vec<&'static str> {
        (0..ALL.len()).filter(|&i| self.has(i)).map(|i| ALL[i].0).collect()
    }

    /// Reads `x1,x1sq,...`: at least one feature, each known and named once. The inputs take the
    /// order of [`ALL`] whatever the order written.
    pub fn parse(s: &str) -> Result<Features, String> {
        let names: Vec<&str> = ALL.iter().map(|(k, _)| *k).collect();
        let mut bits = 0u8;
        for name in s.split(',').map(str::trim) {
            let i = names.iter().position(|k| *k == name).ok_or_else(|| {
                if name.is_empty() {
                    format!("an empty feature name; expected comma-separated features from {}", names.join(", "))
                } else {
                    format!("{name} is not a feature; expected comma-separated features from {}", names.join(", "))
                }
            })?;
            if bits >> i & 1 == 1 {
                return Err(format!("{name} is named twice"));
            }
            bits |= 1 << i;
        }
        Ok(Features(bits))
    }

    /// The features of the point `(x1, x2)`, written into `out` (length [`Features::count`]).
    pub fn map(self, x1: f32, x2: f32, out: &mut [f32]) {
        let mut k = 0;
        for i in 0..ALL.len() {
            if self.has(i) {
                out[k] = match i {
                    0 => x1,
                    1 => x2,
                    2 => x1 * x1,
                    3 => x2 * x2,
                    4 => x1 * x2,
                    5 => libm::sinf(x1),
                    _ => libm::sinf(x2),
                };
                k += 1;
            }
        }
    }

    /// The features of every point of `points` (row-major `(n, 2)`), row-major `(n, count)`.
    pub fn map_rows(self, points: &[f32]) -> Vec<f32> {
        let d = self.count();
        let mut out = vec![0.0; points.len() / 2 * d];
        for (p, o) in points.chunks_exact(2).zip(out.chunks_exact_mut(d)) {
            self.map(p[0], p[1], o);
        }
        out
    }
}

impl std::fmt::Display for Features {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.keys().join(","))
    }
}
