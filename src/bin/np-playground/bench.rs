//! `np-playground bench`: native training throughput for the benchmark workloads, the matrix
//! product's rate (the engine's kernel and the benchmark's reference kernel), and a profile of one
//! NP step, printed as JSON lines (one object per result).

use std::time::Instant;

use serde_json::{Value, json};

use np_playground::kernels;
use np_playground::network::Passes;
use np_playground::optimizer::{OptState, Optimizer};
use np_playground::rng::Rng;
use np_playground::rules::{self, Grads};
use np_playground::run::workloads::{self as bench, CASES, RULES};

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Repetitions of `f` (each one timed over at least `min_s` seconds): per-second rates of `work`.
fn rates(reps: usize, min_s: f64, work: f64, mut f: impl FnMut()) -> Vec<f64> {
    f(); // warm-up
    (0..reps).map(|_| timed(min_s, work, &mut f)).collect()
}

/// `f` repeated for at least `min_s` seconds (and at least twice): its per-second rate of `work`.
fn timed(min_s: f64, work: f64, f: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while n < 2 || start.elapsed().as_secs_f64() < min_s {
        f();
        n += 1;
    }
    n as f64 * work / start.elapsed().as_secs_f64()
}

/// Buffers for one matrix-product shape `c (m, n) = a (m, k) b (k, n) + bias`.
struct Product {
    shape: (usize, usize, usize),
    a: Vec<f32>,
    b: Vec<f32>,
    bias: Vec<f32>,
    c: Vec<f32>,
    c_ref: Vec<f32>,
    packed: Vec<f32>,
}

impl Product {
    fn new(m: usize, k: usize, n: usize) -> Product {
        Product {
            shape: (m, k, n),
            a: (0..m * k).map(|i| (i % 13) as f32 * 0.01).collect(),
            b: (0..k * n).map(|i| (i % 7) as f32 * 0.01).collect(),
            bias: vec![0.0; n],
            c: vec![0.0; m * n],
            c_ref: vec![0.0; m * n],
            packed: Vec::new(),
        }
    }

    fn gflop(&self) -> f64 {
        let (m, k, n) = self.shape;
        2.0 * (m * n * k) as f64 / 1e9
    }

    fn engine(&mut self) {
        let (m, k, n) = self.shape;
        kernels::gemm_nn_bias(&self.a, &self.b, &self.bias, &mut self.c, m, n, k);
    }

    fn reference(&mut self) {
        let (m, k, n) = self.shape;
        kernels::gemm_nn_bias_reference(&self.a, &self.b, &self.bias, &mut self.c_ref, m, n, k, &mut self.packed);
    }
}

/// `o` with the median, minimum and maximum of the rates `r` as `{key}_median` etc.
fn summary(mut o: Value, key: &str, mut r: Vec<f64>) -> Value {
    let (lo, hi) = (r.iter().cloned().fold(f64::INFINITY, f64::min), r.iter().cloned().fold(0.0, f64::max));
    o[format!("{key}_median")] = json!(median(&mut r));
    o[format!("{key}_min")] = json!(lo);
    o[format!("{key}_max")] = json!(hi);
    o["reps"] = json!(r.len());
    o
}

pub fn run(quick: bool) {
    let (reps, min_s) = if quick { (3, 0.05) } else { (5, 0.3) };
    // The matrix product at the shapes of the 784-256-256-10 network (and one wider): the
    // engine's kernel (on the path this CPU takes, "avx" or "portable") beside the benchmark's
    // reference kernel (`kernels::gemm_nn_bias_reference`: B packed whole into 4 x 8 panels, no
    // k-blocking, no AVX). Each repetition times every shape and both kernels in turn, so that the
    // machine's drift hits all of them alike and their ratios hold within the run.
    let path = kernels::Path::detect().name();
    let mut products: Vec<Product> =
        [(100, 784, 256), (200, 256, 256), (100, 1024, 1024)].iter().map(|&(m, k, n)| Product::new(m, k, n)).collect();
    let mut rates_of = vec![(Vec::new(), Vec::new()); products.len()];
    for pr in products.iter_mut() {
        pr.engine(); // warm-up
        pr.reference();
        assert!(
            pr.c.iter().zip(&pr.c_ref).all(|(x, y)| x.to_bits() == y.to_bits()),
            "the kernels disagree at {:?}",
            pr.shape
        );
    }
    // More repetitions than the training rows: they are short, and the ratios between shapes are
    // taken repetition by repetition (`gflops_all`).
    for _ in 0..reps + 4 {
        for (pr, (r, r_ref)) in products.iter_mut().zip(rates_of.iter_mut()) {
            let work = pr.gflop();
            r.push(timed(min_s, work, &mut || pr.engine()));
            r_ref.push(timed(min_s, work, &mut || pr.reference()));
        }
    }
    for (pr, (r, r_ref)) in products.iter().zip(rates_of) {
        let (m, k, n) = pr.shape;
        let o = json!({"kind": "matmul", "shape": format!("{m}x{k}x{n}"), "path": path, "gflops_all": r, "reference_gflops_all": r_ref});
        println!("{}", summary(summary(o, "gflops", r), "reference_gflops", r_ref));
    }
    for case in CASES {
        if quick && case.sizes.len() > 4 {
            continue;
        }
        for &(label, rule) in RULES {
            let mut t = bench::trainer(case, rule).expect("bench config");
            let r = rates(reps, min_s, case.batch as f64, || {
                t.step().expect("bench step");
            });
            println!(
                "{}",
                summary(json!({"kind": "train", "case": case.name, "rule": label, "path": path}), "samples_per_s", r)
            );
        }
    }
    // NP on 784-256-256-10 once more on the portable path (the 128-bit kernel the browser runs),
    // so the browser can be compared with native code running the same kernel.
    if path != "portable" {
        kernels::Path::set_portable_only(true);
        let case = &CASES[2];
        let mut t = bench::trainer(case, "rule=np").expect("bench config");
        let r = rates(reps, min_s, case.batch as f64, || {
            t.step().expect("bench step");
        });
        println!(
            "{}",
            summary(json!({"kind": "train", "case": case.name, "rule": "NP", "path": "portable"}), "samples_per_s", r)
        );
        kernels::Path::set_portable_only(false);
    }
    profile(reps, min_s);
}

/// Where one NP step's time goes on 784-256-256-10, batch 100: each phase timed alone.
fn profile(reps: usize, min_s: f64) {
    let case = &CASES[2];
    let mut t = bench::trainer(case, "rule=np").unwrap();
    let step = median(&mut rates(reps, min_s, 1.0, || {
        t.step().unwrap();
    }));
    let net = t.network().clone();
    let plan = Passes::all_layers(net.n_layers(), 1, false);
    let mut ws = t.last_update().clone();
    let mut rng = Rng::new(1);
    let eps_len: usize = net.layers.iter().map(|l| l.n_out() * case.batch).sum();
    let mut eps = vec![0.0; eps_len];
    let noise = median(&mut rates(reps, min_s, 1.0, || rng.fill_normal(&mut eps, 0.01)));
    let forward = median(&mut rates(reps, min_s, 1.0, || net.forward_passes(&mut ws.trace, &plan, None)));
    let losses =
        median(&mut rates(reps, min_s, 1.0, || rules::all_pass_losses(&net, &ws.trace, &ws.labels, &mut ws.losses)));
    let rule = median(&mut rates(reps, min_s, 1.0, || {
        rules::np::signals(&ws.trace, &ws.losses, 0.01, &mut ws.signals);
        rules::grads_from_signals(&net, &ws.trace, &ws.signals, &mut ws.grads);
    }));
    let mut opt_net = net.clone();
    let mut opt = OptState::new(Optimizer::Adam, 1e-9, &opt_net);
    let g = Grads::zeros_like(&opt_net);
    let optimiser = median(&mut rates(reps, min_s, 1.0, || opt.step(&mut opt_net, &g)));
    let ms = |per_s: f64| 1000.0 / per_s;
    println!(
        "{}",
        json!({
            "kind": "profile",
            "case": case.name,
            "rule": "NP",
            "step_ms": ms(step),
            "forward_ms": ms(forward),
            "noise_ms": ms(noise),
            "losses_ms": ms(losses),
            "update_ms": ms(rule),
            "optimiser_ms": ms(optimiser),
        })
    );
}
