//! Helpers shared by the native integration tests.
#![allow(dead_code)]

use np_playground::activation::Activation;
use np_playground::loss::Loss;
use np_playground::network::{Network, Trace};
use np_playground::rng::Rng;
use np_playground::rules::{self, Grads};

/// A random batch `(batch, d)` with labels in `0..classes`.
pub fn batch(rng: &mut Rng, batch: usize, d: usize, classes: usize) -> (Vec<f32>, Vec<usize>) {
    let x = (0..batch * d).map(|_| rng.normal()).collect();
    let y = (0..batch).map(|_| rng.below(classes)).collect();
    (x, y)
}

/// Mean loss of a clean pass, accumulated in f64.
pub fn mean_loss(net: &Network, x: &[f32], y: &[usize]) -> f64 {
    let mut t = Trace::default();
    net.forward(x, y.len(), &mut t);
    let n_out = net.layers.last().unwrap().n_out();
    let logits = t.logits(0);
    y.iter().enumerate().map(|(b, &yb)| net.loss.value(&logits[b * n_out..(b + 1) * n_out], yb) as f64).sum::<f64>()
        / y.len() as f64
}

/// Exact BP gradient of the mean loss.
pub fn bp_grads(net: &Network, x: &[f32], y: &[usize]) -> Grads {
    let mut t = Trace::default();
    net.forward(x, y.len(), &mut t);
    let mut s = rules::signal_buffers(net, y.len());
    let mut scratch = Vec::new();
    rules::bp::signals(net, &t, y, &mut s, &mut scratch);
    let mut g = Grads::zeros_like(net);
    rules::grads_from_signals(net, &t, &s, &mut g);
    g
}

pub fn net(sizes: &[usize], act: Activation, loss: Loss, decorrelated: bool, seed: u64) -> Network {
    Network::new(sizes, act, loss, decorrelated, &mut Rng::new(seed))
}

/// Flattened update over the given layers (weights, then biases, layer by layer).
pub fn flat(g: &Grads, layers: std::ops::Range<usize>) -> Vec<f64> {
    let mut v = Vec::new();
    for l in layers {
        v.extend(g.w[l].iter().map(|&x| x as f64));
        v.extend(g.b[l].iter().map(|&x| x as f64));
    }
    v
}

pub fn cos(a: &[f64], b: &[f64]) -> f64 {
    let ab: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let aa: f64 = a.iter().map(|x| x * x).sum();
    let bb: f64 = b.iter().map(|x| x * x).sum();
    ab / (aa.sqrt() * bb.sqrt())
}
