//! The perturbation family beside NP (issue 18): weight perturbation (wp), the forward gradient
//! in weight space (fgw) and in activity space (fga), and their D-variants. Oracles in f64: the
//! forward gradients' directional derivatives against central finite differences of an
//! independent f64 forward pass; all three unbiased (the mean of many updates is BP's gradient);
//! NP tending to FG-A as sigma shrinks until float32 rounding of the loss change takes over; the
//! refusals; training; a link's checksum equal to the CLI's.

mod common;

use np_playground::activation::{Activation, LEAKY_SLOPE};
use np_playground::loss::Loss;
use np_playground::network::Network;
use np_playground::rng::Rng;
use np_playground::rules::{Grads, Method, UpdateBuffers, UpdateSpec, compute_update, update_direction};
use np_playground::run::link::Link;
use np_playground::{RunConfig, Trainer};

const NEW_RULES: [&str; 6] = ["wp", "dwp", "fgw", "dfgw", "fga", "dfga"];

// ---------------------------------------------------------------------------------------------
// An independent forward pass in f64.

fn act64(act: Activation, a: f64) -> f64 {
    match act {
        Activation::Tanh => a.tanh(),
        Activation::Relu => a.max(0.0),
        Activation::LeakyRelu => {
            if a > 0.0 {
                a
            } else {
                LEAKY_SLOPE as f64 * a
            }
        }
        Activation::Sigmoid => 1.0 / (1.0 + (-a).exp()),
        Activation::Linear => a,
        Activation::Step => panic!("no derivative"),
    }
}

fn loss64(loss: Loss, a: &[f64], y: usize) -> f64 {
    match loss {
        Loss::CrossEntropy => {
            let m = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            a.iter().map(|v| (v - m).exp()).sum::<f64>().ln() + m - a[y]
        }
        Loss::MeanSquared => {
            a.iter().enumerate().map(|(k, v)| (v - if k == y { 1.0 } else { 0.0 }).powi(2)).sum::<f64>()
                / a.len() as f64
        }
        Loss::Regression => (a[0] - np_playground::loss::label_target(y) as f64).powi(2),
    }
}

/// Per-sample losses in f64 of `net` with its weights and biases moved by `t * dir` (when given),
/// and `t * u(l, b, j)` added to every pre-activation.
fn losses64(
    net: &Network,
    x: &[f32],
    y: &[usize],
    dir: Option<&Grads>,
    t: f64,
    u: &dyn Fn(usize, usize, usize) -> f64,
) -> Vec<f64> {
    let n0 = net.layers[0].n_in();
    (0..y.len())
        .map(|b| {
            let mut h: Vec<f64> = x[b * n0..(b + 1) * n0].iter().map(|&v| v as f64).collect();
            for (l, layer) in net.layers.iter().enumerate() {
                let (n_in, n_out) = (layer.n_in(), layer.n_out());
                let xin: Vec<f64> = match &layer.r {
                    Some(r) => (0..n_in).map(|i| (0..n_in).map(|j| r[[i, j]] as f64 * h[j]).sum()).collect(),
                    None => h.clone(),
                };
                let mut a = vec![0.0f64; n_out];
                for (o, av) in a.iter_mut().enumerate() {
                    let mut s = layer.b[o] as f64 + dir.map_or(0.0, |d| t * d.b[l][o] as f64);
                    for (i, &xi) in xin.iter().enumerate() {
                        let w = layer.w[[o, i]] as f64 + dir.map_or(0.0, |d| t * d.w[l][[o, i]] as f64);
                        s += w * xi;
                    }
                    *av = s + t * u(l, b, o);
                }
                h = a.iter().map(|&v| act64(net.act_of(l), v)).collect();
            }
            loss64(net.loss, &h, y[b])
        })
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// A small network with random biases (ReLU-family units away from their kink) and, when
/// decorrelated, a non-identity `R`, so every term of the tangent pass is exercised.
fn test_net(sizes: &[usize], act: Activation, loss: Loss, decorrelated: bool, seed: u64) -> Network {
    let mut net = common::net(sizes, act, loss, decorrelated, seed);
    let mut rng = Rng::new(seed + 1000);
    for layer in &mut net.layers {
        layer.b.iter_mut().for_each(|v| *v = 0.3 * rng.normal());
        if let Some(r) = layer.r.as_mut() {
            r.iter_mut().for_each(|v| *v += 0.2 * rng.normal());
        }
    }
    net
}

/// One update of `method` on a batch, with its buffers (probes, tangents, directional
/// derivatives).
fn one_update(net: &Network, x: &[f32], y: &[usize], spec: &UpdateSpec, seed: u64) -> UpdateBuffers {
    let plan = spec.passes(net.n_layers());
    let mut buf = UpdateBuffers::default();
    buf.trace.prepare(net, y.len(), &plan);
    buf.trace.input_mut().copy_from_slice(x);
    buf.labels = y.to_vec();
    compute_update(net, spec, &plan, &mut buf, &mut Rng::new(seed));
    buf
}

fn spec(method: Method, sigma: f32, draws: usize) -> UpdateSpec {
    UpdateSpec { method, sigma, draws, blind: false }
}

const CASES: [(Activation, Loss, bool); 4] = [
    (Activation::Tanh, Loss::CrossEntropy, false),
    (Activation::LeakyRelu, Loss::MeanSquared, true),
    (Activation::Sigmoid, Loss::CrossEntropy, true),
    (Activation::Relu, Loss::CrossEntropy, false),
];

#[test]
fn fgw_directional_derivative_is_the_f64_central_difference_along_its_tangent() {
    for (i, &(act, loss, decorrelated)) in CASES.iter().enumerate() {
        let net = test_net(&[3, 5, 4, 3], act, loss, decorrelated, 7 + i as u64);
        let (x, y) = common::batch(&mut Rng::new(99), 6, 3, 3);
        let buf = one_update(&net, &x, &y, &spec(Method::Fgw, 0.01, 3), 5);
        assert_eq!((buf.probes.len(), buf.directional.len()), (3, 3));
        let h = 1e-5;
        let none = |_: usize, _: usize, _: usize| 0.0;
        for (k, v) in buf.probes.iter().enumerate() {
            let fd = (mean(&losses64(&net, &x, &y, Some(v), h, &none))
                - mean(&losses64(&net, &x, &y, Some(v), -h, &none)))
                / (2.0 * h);
            let d = buf.directional[k] as f64;
            println!("{act:?} {loss:?} decorrelated={decorrelated} draw {k}: d {d:.7}, f64 difference {fd:.7}");
            assert!((d - fd).abs() < 1e-4 + 1e-3 * fd.abs(), "{act:?} draw {k}: fgw {d} vs finite difference {fd}");
        }
        // G = (1/K) sum_k d_k v_k.
        let mut want = Grads::zeros_like(&net);
        for (k, v) in buf.probes.iter().enumerate() {
            want.add_scaled(buf.directional[k] / 3.0, v);
        }
        assert!(common::cos(&common::flat(&want, 0..3), &common::flat(&buf.grads, 0..3)) > 0.999_999);
    }
}

#[test]
fn fga_directional_derivative_is_the_f64_central_difference_along_u_for_each_sample() {
    for (i, &(act, loss, decorrelated)) in CASES.iter().enumerate() {
        let net = test_net(&[3, 5, 4, 3], act, loss, decorrelated, 17 + i as u64);
        let (bsz, draws) = (6, 2);
        let (x, y) = common::batch(&mut Rng::new(98), bsz, 3, 3);
        let buf = one_update(&net, &x, &y, &spec(Method::Fga, 0.01, draws), 6);
        assert_eq!(buf.directional.len(), draws * bsz);
        assert!(buf.probes.is_empty());
        let h = 1e-5;
        for k in 0..draws {
            let u = |l: usize, b: usize, j: usize| buf.unit_tangents[l][[k * bsz + b, j]] as f64;
            let up = losses64(&net, &x, &y, None, h, &u);
            let down = losses64(&net, &x, &y, None, -h, &u);
            for b in 0..bsz {
                let fd = (up[b] - down[b]) / (2.0 * h);
                let d = buf.directional[k * bsz + b] as f64;
                assert!(
                    (d - fd).abs() < 1e-4 + 1e-3 * fd.abs(),
                    "{act:?} {loss:?} draw {k} sample {b}: fga {d} vs finite difference {fd}"
                );
            }
        }
        // The tangent of the first layer's pre-activation is u itself.
        assert_eq!(buf.tangent_a[0], buf.unit_tangents[0]);
    }
}

/// Cosine and scale (`mean . g / |g|^2`) of the mean update of `repeats` updates against BP's
/// gradient `g`.
fn mean_against_bp(method: Method, sigma: f32, draws: usize, repeats: usize) -> (f64, f64) {
    let net = test_net(&[4, 8, 3], Activation::Tanh, Loss::CrossEntropy, false, 3);
    let (x, y) = common::batch(&mut Rng::new(4), 16, 4, 3);
    let g = common::flat(&common::bp_grads(&net, &x, &y), 0..2);
    let mut sum = vec![0.0f64; g.len()];
    let mut rng = Rng::new(11);
    for _ in 0..repeats {
        let u = common::flat(&update_direction(&net, &x, &y, &spec(method, sigma, draws), &mut rng), 0..2);
        sum.iter_mut().zip(&u).for_each(|(s, v)| *s += v);
    }
    let m: Vec<f64> = sum.iter().map(|s| s / repeats as f64).collect();
    let gg: f64 = g.iter().map(|v| v * v).sum();
    let scale = m.iter().zip(&g).map(|(a, b)| a * b).sum::<f64>() / gg;
    (common::cos(&m, &g), scale)
}

#[test]
fn the_mean_update_of_each_new_rule_is_the_bp_gradient() {
    for (method, sigma, repeats) in [(Method::Wp, 1e-3, 200), (Method::Fgw, 0.01, 200), (Method::Fga, 0.01, 40)] {
        let (cos, scale) = mean_against_bp(method, sigma, 64, repeats);
        println!("{method:?}: mean of {} updates: cosine {cos:.4}, scale {scale:.4}", 64 * repeats);
        assert!(cos > 0.99, "{method:?}: cosine {cos}");
        assert!((scale - 1.0).abs() < 0.05, "{method:?}: scale {scale}");
    }
}

/// NP with `eps = sigma u` against FG-A with the same `u` (both draw from the same stream in the
/// same order, K = 1): relative distance of the updates, per sigma, median over batches.
fn np_to_fga_distance(sigmas: &[f32]) -> Vec<f64> {
    let mut out = Vec::new();
    for &sigma in sigmas {
        let mut d: Vec<f64> = (0..7u64)
            .map(|s| {
                let net = test_net(&[4, 16, 16, 3], Activation::Tanh, Loss::CrossEntropy, false, 30 + s);
                let (x, y) = common::batch(&mut Rng::new(40 + s), 16, 4, 3);
                let np = one_update(&net, &x, &y, &spec(Method::Np, sigma, 1), 50 + s);
                let fga = one_update(&net, &x, &y, &spec(Method::Fga, sigma, 1), 50 + s);
                // The same tangents: NP's noise is sigma u, bit for bit.
                for l in 0..3 {
                    let eps = np.trace.pass_rows(&np.trace.layers[l].eps, 1);
                    let u = fga.unit_tangents[l].as_slice().unwrap();
                    assert!(eps.iter().zip(u).all(|(e, u)| *e == sigma * u));
                }
                let (a, b) = (common::flat(&np.grads, 0..3), common::flat(&fga.grads, 0..3));
                let diff: f64 = a.iter().zip(&b).map(|(p, q)| (p - q).powi(2)).sum::<f64>().sqrt();
                diff / b.iter().map(|q| q * q).sum::<f64>().sqrt()
            })
            .collect();
        d.sort_by(f64::total_cmp);
        out.push(d[d.len() / 2]);
    }
    out
}

#[test]
fn np_tends_to_fga_as_sigma_shrinks_until_float32_rounding_takes_over() {
    let sigmas = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6];
    let d = np_to_fga_distance(&sigmas);
    for (s, e) in sigmas.iter().zip(&d) {
        println!("sigma {s:e}: |G_np - G_fga| / |G_fga| = {e:.3e}");
    }
    let best = (0..d.len()).min_by(|&a, &b| d[a].total_cmp(&d[b])).unwrap();
    println!("closest at sigma {:e}", sigmas[best]);
    // Curvature: the distance falls as sigma shrinks from 0.1 (about in proportion).
    assert!(d[2] < 0.3 * d[0] && d[4] < 0.3 * d[2], "{d:?}");
    // Rounding: below the best sigma it grows again, and at 1e-6 it is far from the best.
    assert!(best > 2 && best < sigmas.len() - 2, "closest at sigma {}: {d:?}", sigmas[best]);
    assert!(d[sigmas.len() - 1] > 10.0 * d[best], "{d:?}");
}

#[test]
fn forward_gradients_refuse_step_units_and_every_new_rule_refuses_blind_mode() {
    for rule in ["fgw", "dfgw", "fga", "dfga"] {
        let e = RunConfig::parse(&format!("rule={rule}&act=step")).unwrap_err();
        assert_eq!((e.key.as_str(), e.value.as_str()), ("rule", rule), "{e}");
        assert!(e.message.contains("cannot train step units") && e.message.contains("derivative"), "{e}");
    }
    // Weight perturbation needs no derivative: it trains step units like NP.
    for rule in ["wp", "dwp"] {
        RunConfig::parse(&format!("rule={rule}&act=step")).unwrap();
    }
    for rule in NEW_RULES {
        let e = RunConfig::parse(&format!("rule={rule}&mode=blind")).unwrap_err();
        assert_eq!(e.key, "mode", "{e}");
        assert!(e.message.contains("blind") && e.message.contains(rule), "{e}");
    }
    // The page's lenient reading drops the rule (as it does bp's with step units) and says why.
    let l = Link::parse("rule=fga&act=step");
    assert_eq!((l.config.rule.key(), l.config.activation), ("np", Activation::Step));
    assert_eq!((l.problems.len(), l.problems[0].key.as_str()), (1, "rule"));
    assert!(l.problems[0].message.contains("cannot train step units"), "{:?}", l.problems);
}

#[test]
fn each_new_rule_trains_on_a_small_problem_over_three_seeds() {
    for rule in NEW_RULES {
        for seed in 1..=3 {
            let cfg = format!("v=1&data=circle&rule={rule}&seed={seed}");
            let mut t = Trainer::new(RunConfig::parse(&cfg).unwrap()).unwrap();
            t.set_diagnostics(false);
            let before = t.evaluate().train.loss;
            t.run(3000).unwrap_or_else(|e| panic!("{cfg}: {e}"));
            let after = t.evaluate();
            println!("{cfg}: loss {before:.3} -> {:.3}, test accuracy {:.3}", after.train.loss, after.test.accuracy);
            assert!(after.train.loss < 0.7 * before, "{cfg}: loss {before} -> {}", after.train.loss);
        }
    }
}

#[test]
fn diagnostics_measure_the_new_rules_and_never_change_them() {
    for rule in NEW_RULES {
        let cfg = RunConfig::parse(&format!("v=1&data=xor&rule={rule}&draws=4")).unwrap();
        let (mut on, mut off) = (Trainer::new(cfg.clone()).unwrap(), Trainer::new(cfg).unwrap());
        off.set_diagnostics(false);
        for _ in 0..20 {
            on.step().unwrap();
            off.step().unwrap();
        }
        assert_eq!(on.checksum(), off.checksum(), "{rule}");
        let s = on.last_stats();
        let all = s.alignment_all.unwrap();
        assert!(all.is_finite() && all > 0.0, "{rule}: alignment {all}");
        assert_eq!(s.alignment.as_ref().unwrap().len(), 3);
        // A loss change only where there are noisy passes.
        assert_eq!(s.d_loss.is_some(), rule.ends_with("wp"), "{rule}: {:?}", s.d_loss);
        // The probes are where rules/mod.rs says.
        let u = on.last_update();
        match &rule[rule.len() - 2..] {
            "wp" => assert!(u.probes.len() == 4 && u.directional.len() == 4 && u.tangent_a.is_empty()),
            "gw" => assert!(u.probes.len() == 4 && u.directional.len() == 4 && u.tangent_a.len() == 3),
            _ => assert!(u.probes.is_empty() && u.directional.len() == 40 && u.unit_tangents[0].nrows() == 40),
        }
    }
}

#[test]
fn a_link_with_the_new_rules_gives_the_clis_checksums() {
    let link = Link::parse("#v=1&data=moons&rule=fga&hidden=6,6&compare=wp,dfgw:k3");
    assert!(link.problems.is_empty(), "{:?}", link.problems);
    let mut configs = vec![link.config.clone()];
    configs.extend(link.compare.iter().map(|r| r.config.clone()));
    assert_eq!(configs.len(), 3);
    for cfg in configs {
        let text = cfg.to_string();
        let mut t = Trainer::new(cfg).unwrap();
        t.run(200).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_np-playground"))
            .args(["run", &text, "--steps", "200", "--json", "--every", "200"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.contains(&format!("\"checksum\":\"{:016x}\"", t.checksum())), "{text}: {stdout}");
    }
}

#[test]
fn the_cost_model_counts_the_probes_and_the_tangent_passes() {
    use np_playground::data::Sources;
    use np_playground::run::cost::{self, Shape};
    let cost_of = |config: &str| {
        let c = RunConfig::parse_unvalidated(config).unwrap();
        cost::cost(&c, &Shape::of(&c, &Sources::default()).unwrap())
    };
    // Memory: within a quarter of what a trainer holds after a step and an evaluation.
    for config in [
        "data=xor&rule=wp&draws=8&hidden=64,64",
        "data=spiral&rule=dwp&hidden=128,128&batch=50",
        "data=xor&rule=fgw&draws=4&hidden=64,64",
        "data=gauss&rule=dfgw&hidden=256&batch=100&n=2000",
        "data=moons&rule=fga&draws=8&hidden=128,128&batch=50",
        "data=checker&rule=dfga&hidden=300,200,100&opt=sgd&batch=64&n=1000",
    ] {
        let mut t = Trainer::new(RunConfig::parse(config).unwrap()).unwrap();
        t.step().unwrap();
        t.evaluate();
        let (model, real) = (cost_of(config).bytes as f64, t.bytes() as f64);
        println!("{config}: model {model} bytes, trainer {real} bytes ({:.2})", model / real);
        assert!((0.75..=1.35).contains(&(model / real)), "{config}: model {model} bytes, trainer holds {real}");
    }
    // Work: WP's K weight noises and K full passes cost more than NP's K noisy passes on a wide
    // network; a forward gradient's tangent pass costs about a forward pass per draw (FG-W two
    // products a layer), so K draws multiply it.
    let w = |c: &str| cost_of(c).work as f64;
    let net = "data=xor&hidden=256,256&batch=100";
    assert!(w(&format!("{net}&rule=wp")) > w(&format!("{net}&rule=np")));
    assert!(w(&format!("{net}&rule=fgw")) > w(&format!("{net}&rule=fga")));
    assert!(w(&format!("{net}&rule=fga")) > w(&format!("{net}&rule=bp")));
    for rule in ["wp", "fgw", "fga"] {
        let r = w(&format!("{net}&rule={rule}&draws=8")) / w(&format!("{net}&rule={rule}"));
        println!("{rule}: 8 draws cost {r:.2} times one");
        assert!(r > 2.5, "{rule}: 8 draws cost {r} times one");
    }
}
