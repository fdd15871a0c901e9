//! The dense MLP, its parameters and the forward pass.
//!
//! Shapes: weights `W_l (n_l, n_{l-1})`, biases `b_l (n_l)`, decorrelation matrices
//! `R_l (n_{l-1}, n_{l-1})`; batches are `(rows, features)`. In batch (row) form a layer computes
//! `x = h R^T`, `a = x W^T + b`, `h' = f(a)`; the output layer is linear (`h_L = a_L`, the logits).

use ndarray::{Array1, Array2};

use crate::activation::Activation;
use crate::kernels;
use crate::loss::Loss;
use crate::rng::Rng;

/// One weight layer.
#[derive(Clone, Debug)]
pub struct Layer {
    /// `W (n_out, n_in)`.
    pub w: Array2<f32>,
    /// `b (n_out)`.
    pub b: Array1<f32>,
    /// `R (n_in, n_in)`, present only in decorrelated networks; identity at start.
    pub r: Option<Array2<f32>>,
}

impl Layer {
    pub fn n_in(&self) -> usize {
        self.w.ncols()
    }
    pub fn n_out(&self) -> usize {
        self.w.nrows()
    }
}

#[derive(Clone, Debug)]
pub struct Network {
    pub layers: Vec<Layer>,
    /// Nonlinearity of every hidden unit.
    pub act: Activation,
    pub loss: Loss,
}

impl Network {
    /// A network with layer sizes `sizes = [n_0, n_1, ..., n_L]`, weights drawn from `rng`
    /// (He or Xavier by activation; the output layer is linear and uses Xavier), zero biases,
    /// and identity `R` in front of every layer when `decorrelated`.
    pub fn new(sizes: &[usize], act: Activation, loss: Loss, decorrelated: bool, rng: &mut Rng) -> Self {
        assert!(sizes.len() >= 2, "a network needs an input and an output size");
        let n_layers = sizes.len() - 1;
        let layers = (0..n_layers)
            .map(|l| {
                let (n_in, n_out) = (sizes[l], sizes[l + 1]);
                let is_output = l + 1 == n_layers;
                let std = if is_output { Activation::Linear.init_std(n_in, n_out) } else { act.init_std(n_in, n_out) };
                let mut w = Array2::<f32>::zeros((n_out, n_in));
                rng.fill_normal(w.as_slice_mut().unwrap(), std);
                Layer { w, b: Array1::zeros(n_out), r: decorrelated.then(|| Array2::eye(n_in)) }
            })
            .collect();
        Network { layers, act, loss }
    }

    /// `[n_0, n_1, ..., n_L]`.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = vec![self.layers[0].n_in()];
        s.extend(self.layers.iter().map(|l| l.n_out()));
        s
    }

    pub fn n_layers(&self) -> usize {
        self.layers.len()
    }

    pub fn is_decorrelated(&self) -> bool {
        self.layers[0].r.is_some()
    }

    /// Total number of perturbed units `N = n_1 + ... + n_L` (output units included).
    pub fn n_units(&self) -> usize {
        self.layers.iter().map(|l| l.n_out()).sum()
    }

    /// Activation of layer `l` (0-indexed): the hidden nonlinearity, or linear for the output.
    pub fn act_of(&self, l: usize) -> Activation {
        if l + 1 == self.layers.len() { Activation::Linear } else { self.act }
    }

    /// 64-bit FNV-1a hash over the bit patterns of every parameter (W, b, and R where present),
    /// layer by layer: identical bits give identical checksums on every platform.
    pub fn checksum(&self) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |v: f32| {
            for byte in v.to_bits().to_le_bytes() {
                hash ^= byte as u64;
                hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
            }
        };
        for layer in &self.layers {
            layer.w.iter().for_each(|&v| eat(v));
            layer.b.iter().for_each(|&v| eat(v));
            if let Some(r) = &layer.r {
                r.iter().for_each(|&v| eat(v));
            }
        }
        hash
    }

    /// Bytes of the parameters (W, b and R).
    pub fn bytes(&self) -> usize {
        4 * self.layers.iter().map(|l| l.w.len() + l.b.len() + l.r.as_ref().map_or(0, |r| r.len())).sum::<usize>()
    }

    /// Whether every parameter is finite.
    pub fn is_finite(&self) -> bool {
        self.layers.iter().all(|l| {
            kernels::all_finite(l.w.as_slice().unwrap())
                && kernels::all_finite(l.b.as_slice().unwrap())
                && l.r.as_ref().is_none_or(|r| kernels::all_finite(r.as_slice().unwrap()))
        })
    }

    /// A clean forward pass of `input (rows, n_0)` into `trace` (resized as needed).
    pub fn forward(&self, input: &[f32], rows: usize, trace: &mut Trace) {
        trace.prepare(self, rows, &Passes::clean());
        trace.input_mut().copy_from_slice(input);
        self.forward_passes(trace, &Passes::clean(), None);
    }

    /// The forward pass over all passes of `trace` (see [`Passes`]). Each noisy pass `p` diverges
    /// from the clean pass 0 at its first noised layer; before that it is not computed at all, so
    /// the input layer's product `x_0 W_1^T` is computed once for every pass (the input carries no
    /// noise) and INP's pass for layer `l` costs only the layers from `l` on.
    ///
    /// `noise(pass, layer, eps_rows)` fills the noise of one pass at one layer when the plan says
    /// that layer of that pass is perturbed.
    pub fn forward_passes(&self, trace: &mut Trace, plan: &Passes, mut noise: Option<NoiseFill<'_>>) {
        let bsz = trace.batch;
        let n_layers = self.layers.len();
        for l in 0..n_layers {
            let layer = &self.layers[l];
            let (n_in, n_out) = (layer.n_in(), layer.n_out());
            // Passes already running at this layer (diverged before it) are computed by product;
            // pass 0 always is.
            let computed = plan.computed_at(l);
            let active = plan.active_at(l);
            let rows_c = computed * bsz;
            let (prev, cur) = trace.layers.split_at_mut(l);
            let lt = &mut cur[0];
            // x_{l-1} = h_{l-1} R^T (or h_{l-1}) over the computed rows.
            {
                let h_prev: &[f32] = if l == 0 {
                    &trace.input.as_slice().unwrap()[..rows_c * n_in]
                } else {
                    &prev[l - 1].h.as_slice().unwrap()[..rows_c * n_in]
                };
                let x = &mut lt.x.as_slice_mut().unwrap()[..rows_c * n_in];
                match &layer.r {
                    Some(r) => kernels::gemm_nt_bias(
                        h_prev,
                        r.as_slice().unwrap(),
                        None,
                        x,
                        rows_c,
                        n_in,
                        n_in,
                        &mut trace.scratch,
                    ),
                    None => x.copy_from_slice(h_prev),
                }
            }
            {
                let x = &lt.x.as_slice().unwrap()[..rows_c * n_in];
                let a = &mut lt.a.as_slice_mut().unwrap()[..rows_c * n_out];
                kernels::gemm_nt_bias(
                    x,
                    layer.w.as_slice().unwrap(),
                    Some(layer.b.as_slice().unwrap()),
                    a,
                    rows_c,
                    n_out,
                    n_in,
                    &mut trace.scratch,
                );
            }
            // Passes that diverge at this layer start from the clean pre-activation (and input).
            // (Their layer input is never read: updates use pass 0's input.)
            let a = lt.a.as_slice_mut().unwrap();
            for p in computed..active {
                a.copy_within(0..bsz * n_out, p * bsz * n_out);
            }
            // Add the noise of every active pass perturbed at this layer.
            let eps = lt.eps.as_slice_mut().unwrap();
            for p in 0..active {
                if plan.noised(p, l) {
                    let rows = p * bsz * n_out..(p + 1) * bsz * n_out;
                    if let Some(noise) = noise.as_deref_mut() {
                        noise(p, l, &mut eps[rows.clone()]);
                    }
                    for (av, &e) in a[rows.clone()].iter_mut().zip(&eps[rows]) {
                        *av += e;
                    }
                }
            }
            let act = self.act_of(l);
            let rows_a = active * bsz * n_out;
            act.apply(&a[..rows_a], &mut lt.h.as_slice_mut().unwrap()[..rows_a]);
        }
    }
}

impl Network {
    /// Forward mode (a tangent, or JVP, step) through layer `l >= 1` at the clean pass 0 of
    /// `trace`: from a tangent of the layer below's pre-activation `da_{l-1}` (row `r` belongs to
    /// sample `r % B`, so several draws stack as blocks of `B` rows), the part of `da_l` it causes,
    /// `dx W_l^T` with `dx = (f'(a_{l-1}) * da_{l-1}) R_l^T` (`R` is not perturbed), written into
    /// `out (rows, n_l)`. `scratch` is resized as needed.
    pub fn tangent_through(&self, trace: &Trace, l: usize, da_prev: &[f32], out: &mut [f32], scratch: &mut Vec<f32>) {
        assert!(l >= 1, "the input layer has no tangent below it");
        let layer = &self.layers[l];
        let (n_in, n_out) = (layer.n_in(), layer.n_out());
        let rows = da_prev.len() / n_in;
        debug_assert_eq!(out.len(), rows * n_out);
        let bn = trace.batch * n_in;
        let below = &trace.layers[l - 1];
        let a = trace.pass_rows(&below.a, 0);
        let h = trace.pass_rows(&below.h, 0);
        let act = self.act_of(l - 1);
        scratch.resize(2 * rows * n_in, 0.0);
        let (dh, dx) = scratch.split_at_mut(rows * n_in);
        for (dh, da) in dh.chunks_mut(bn).zip(da_prev.chunks(bn)) {
            for (((d, &t), &a), &h) in dh.iter_mut().zip(da).zip(a).zip(h) {
                *d = act.df(a, h) * t;
            }
        }
        let mut unused = Vec::new();
        let dx: &[f32] = match &layer.r {
            Some(r) => {
                kernels::gemm_nt_bias(dh, r.as_slice().unwrap(), None, dx, rows, n_in, n_in, &mut unused);
                dx
            }
            None => dh,
        };
        kernels::gemm_nt_bias(dx, layer.w.as_slice().unwrap(), None, out, rows, n_out, n_in, &mut unused);
    }
}

/// Fills the noise `eps` of one pass at one layer: `noise(pass, layer, eps_rows)`.
pub type NoiseFill<'a> = &'a mut dyn FnMut(usize, usize, &mut [f32]);

/// Which passes a stacked forward pass runs. Pass 0 is the reference (clean, or noisy in blind
/// mode); passes are ordered by the layer at which they first differ from pass 0, so the passes
/// running at any layer form a prefix of the stacked batch.
#[derive(Clone, Debug, PartialEq)]
pub struct Passes {
    /// For each pass, the layers that receive noise (sorted); empty for a clean pass.
    pub noised: Vec<Vec<usize>>,
}

impl Passes {
    pub fn clean() -> Self {
        Passes { noised: vec![vec![]] }
    }

    /// NP/ANP: a clean pass and `draws` passes with noise in every layer. In `blind` mode no pass
    /// is clean: every draw has its own pair of noisy passes (`2 * draws` passes: pass `2k` is draw
    /// `k`'s reference, pass `2k + 1` its other pass), so no reference's noise is shared by the draws.
    pub fn all_layers(n_layers: usize, draws: usize, blind: bool) -> Self {
        let all: Vec<usize> = (0..n_layers).collect();
        if blind {
            return Passes { noised: (0..2 * draws).map(|_| all.clone()).collect() };
        }
        let mut noised = vec![vec![]];
        noised.extend((0..draws).map(|_| all.clone()));
        Passes { noised }
    }

    /// INP: a clean pass, then for each layer `l` in order, `draws` passes with noise in `l` only.
    pub fn per_layer(n_layers: usize, draws: usize) -> Self {
        let mut noised = vec![vec![]];
        for l in 0..n_layers {
            noised.extend((0..draws).map(|_| vec![l]));
        }
        Passes { noised }
    }

    pub fn count(&self) -> usize {
        self.noised.len()
    }

    pub fn noised(&self, pass: usize, layer: usize) -> bool {
        self.noised[pass].contains(&layer)
    }

    /// Layer at which pass `p` first differs from pass 0 (`usize::MAX` for a clean copy).
    fn first(&self, p: usize) -> usize {
        if p == 0 { 0 } else { self.noised[p].first().copied().unwrap_or(usize::MAX) }
    }

    /// Passes computed by product at layer `l`: pass 0 and every pass that diverged before `l`.
    pub fn computed_at(&self, l: usize) -> usize {
        1 + (1..self.count()).filter(|&p| self.first(p) < l).count()
    }

    /// Passes alive at layer `l`: those computed plus those that diverge at `l`.
    pub fn active_at(&self, l: usize) -> usize {
        1 + (1..self.count()).filter(|&p| self.first(p) <= l).count()
    }
}

/// Everything one (stacked) forward pass computed, per layer: the layer input `x = R h`, the
/// pre-activation `a`, the activation `h` and the injected noise `eps`, each `(passes * batch,
/// width)`, pass `p` occupying rows `p*batch .. (p+1)*batch`. Rows of a pass that is not yet
/// running at a layer are stale. Buffers grow on demand and are reused from step to step.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub batch: usize,
    pub passes: usize,
    /// `(batch, n_0)`: the input samples.
    pub input: Array2<f32>,
    pub layers: Vec<LayerTrace>,
    /// Transposed weights for the forward products (reused).
    pub scratch: Vec<f32>,
}

#[derive(Clone, Debug, Default)]
pub struct LayerTrace {
    /// `(computed rows, n_in)`: the layer's (decorrelated) input `x_{l-1}`, for the passes that
    /// run before this layer (pass 0 first; see [`Passes::computed_at`]).
    pub x: Array2<f32>,
    /// `(rows, n_out)`: pre-activations `a_l` (noise included).
    pub a: Array2<f32>,
    /// `(rows, n_out)`: activations `h_l = f(a_l)` (the logits for the output layer).
    pub h: Array2<f32>,
    /// `(rows, n_out)`: the noise `eps_l` added to `a_l` (meaningful where the pass is noised).
    pub eps: Array2<f32>,
}

fn ensure(m: &mut Array2<f32>, rows: usize, cols: usize) {
    if m.dim() != (rows, cols) {
        *m = Array2::zeros((rows, cols));
    }
}

impl Trace {
    /// Bytes held by the trace's buffers.
    pub fn bytes(&self) -> usize {
        let layers: usize = self.layers.iter().map(|l| l.x.len() + l.a.len() + l.h.len() + l.eps.len()).sum();
        4 * (self.input.len() + layers + self.scratch.capacity())
    }

    /// Sizes the buffers for `batch` samples and the plan's passes (no allocation when unchanged).
    pub fn prepare(&mut self, net: &Network, batch: usize, plan: &Passes) {
        self.batch = batch;
        self.passes = plan.count();
        let rows = batch * plan.count();
        ensure(&mut self.input, batch, net.layers[0].n_in());
        self.layers.resize_with(net.layers.len(), LayerTrace::default);
        for (l, (lt, layer)) in self.layers.iter_mut().zip(&net.layers).enumerate() {
            // The layer input is computed (and read) only for the passes already running before
            // this layer; a pass that diverges here reuses pass 0's input.
            ensure(&mut lt.x, batch * plan.computed_at(l), layer.n_in());
            ensure(&mut lt.a, rows, layer.n_out());
            ensure(&mut lt.h, rows, layer.n_out());
            ensure(&mut lt.eps, rows, layer.n_out());
        }
    }

    /// The first `batch` rows of the input buffer, to be filled with the samples.
    pub fn input_mut(&mut self) -> &mut [f32] {
        let n = self.batch * self.input.ncols();
        &mut self.input.as_slice_mut().unwrap()[..n]
    }

    /// Rows of pass `p` in a `(rows, width)` buffer.
    pub fn pass_rows<'a>(&self, m: &'a Array2<f32>, p: usize) -> &'a [f32] {
        let w = m.ncols();
        &m.as_slice().unwrap()[p * self.batch * w..(p + 1) * self.batch * w]
    }

    /// The logits of pass `p`, `(batch, n_L)`.
    pub fn logits(&self, p: usize) -> &[f32] {
        let last = self.layers.last().unwrap();
        self.pass_rows(&last.h, p)
    }
}

/// Per-sample losses of pass `p` into `out (batch)`.
pub fn pass_losses(net: &Network, trace: &Trace, p: usize, labels: &[usize], out: &mut [f32]) {
    let logits = trace.logits(p);
    let n_out = net.layers.last().unwrap().n_out();
    for (b, (o, &y)) in out.iter_mut().zip(labels).enumerate() {
        *o = net.loss.value(&logits[b * n_out..(b + 1) * n_out], y);
    }
}
