//! `np-playground bench`: native training throughput for the benchmark workloads, the matrix
//! product's rate, and a profile of one NP step, printed as JSON lines (one object per result).

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
    (0..reps)
        .map(|_| {
            let start = Instant::now();
            let mut n = 0u64;
            while n < 2 || start.elapsed().as_secs_f64() < min_s {
                f();
                n += 1;
            }
            n as f64 * work / start.elapsed().as_secs_f64()
        })
        .collect()
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
    // The matrix product at the shapes of the 784-256-256-10 network.
    for &(m, k, n) in &[(100usize, 784usize, 256usize), (200, 256, 256), (100, 1024, 1024)] {
        let a: Vec<f32> = (0..m * k).map(|i| (i % 13) as f32 * 0.01).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 * 0.01).collect();
        let bias = vec![0.0; n];
        let mut c = vec![0.0; m * n];
        let r = rates(reps, min_s, 2.0 * (m * n * k) as f64 / 1e9, || {
            kernels::gemm_nn_bias(&a, &b, &bias, &mut c, m, n, k)
        });
        println!("{}", summary(json!({"kind": "matmul", "shape": format!("{m}x{k}x{n}")}), "gflops", r));
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
            println!("{}", summary(json!({"kind": "train", "case": case.name, "rule": label}), "samples_per_s", r));
        }
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
