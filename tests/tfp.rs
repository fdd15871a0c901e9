//! Issue 20, TensorFlow Playground parity, the engine's side: the weight penalty, the feature
//! inputs, the regression sets, hand edits of weights (replayed by the CLI, and their effect on
//! the minibatch), the weights' export and the refusals.

use std::process::Command;

use np_playground::data::features::{self, Features};
use np_playground::data::{DataSet, Sources, csv, generators};
use np_playground::loss::{Loss, label_target};
use np_playground::network::Trace;
use np_playground::optimizer::Regularization;
use np_playground::rules::{Grads, Rule};
use np_playground::run::edits::{self, Edit};
use np_playground::run::link::Link;
use np_playground::run::weights;
use np_playground::view::live::LiveRun;
use np_playground::view::plane;
use np_playground::{RunConfig, Trainer};

fn cfg(s: &str) -> RunConfig {
    RunConfig::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn trainer(s: &str) -> Trainer {
    Trainer::new(cfg(s)).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn refusal(s: &str) -> String {
    match RunConfig::parse(s) {
        Ok(_) => panic!("{s} was accepted"),
        Err(e) => e.to_string(),
    }
}

// ---------------------------------------------------------------- the penalty

#[test]
fn the_penalty_gradient_matches_a_finite_difference_of_the_penalty() {
    let t = trainer("v=1&hidden=5,4&seed=3");
    let net = t.network().clone();
    for (reg, lambda) in [(Regularization::L2, 0.3f32), (Regularization::L1, 0.07)] {
        let mut g = Grads::zeros_like(&net);
        reg.add_gradient(lambda, &net, &mut g);
        for l in 0..net.layers.len() {
            assert!(g.b[l].iter().all(|&v| v == 0.0), "{reg:?}: biases are not penalised");
            for (i, &w) in net.layers[l].w.iter().enumerate() {
                if w.abs() < 1e-2 {
                    continue; // |w| has no derivative at 0
                }
                let h = 1e-3f32;
                let at = |d: f32| {
                    let mut n = net.clone();
                    n.layers[l].w.as_slice_mut().unwrap()[i] = w + d;
                    reg.penalty(lambda, &n) as f64
                };
                let fd = (at(h) - at(-h)) / (2.0 * h as f64);
                let got = g.w[l].as_slice().unwrap()[i] as f64;
                assert!(
                    (fd - got).abs() < 2e-3 * lambda as f64 + 1e-4,
                    "{reg:?} layer {l} weight {i}: {got} against {fd}"
                );
            }
        }
    }
    // none adds nothing.
    let mut g = Grads::zeros_like(&net);
    Regularization::None.add_gradient(1.0, &net, &mut g);
    assert!(g.w.iter().all(|w| w.iter().all(|&v| v == 0.0)));
}

/// With SGD, one step with the penalty differs from the same step without it by exactly
/// `-lr * lambda * w` on every weight and by nothing on the biases: every rule adds the local
/// gradient to its own estimate (same seed, so the same noise).
#[test]
fn every_rule_adds_the_penalty_to_its_own_estimate() {
    for rule in Rule::ALL {
        let base = format!("v=1&hidden=6&opt=sgd&lr=0.1&rule={}&seed=5", rule.key());
        let mut plain = trainer(&base);
        let mut l2 = trainer(&format!("{base}&reg=l2&reg_rate=0.5"));
        let w0 = plain.network().clone();
        plain.step().unwrap();
        l2.step().unwrap();
        for l in 0..w0.layers.len() {
            for i in 0..w0.layers[l].w.len() {
                let w = w0.layers[l].w.as_slice().unwrap()[i];
                let a = plain.network().layers[l].w.as_slice().unwrap()[i];
                let b = l2.network().layers[l].w.as_slice().unwrap()[i];
                let want = -0.1 * 0.5 * w;
                assert!((b - a - want).abs() < 1e-5, "{}: layer {l} weight {i}: {} against {want}", rule.key(), b - a);
            }
            assert_eq!(plain.network().layers[l].b, l2.network().layers[l].b, "{}: biases", rule.key());
        }
    }
}

#[test]
fn the_penalty_shrinks_the_weights_and_the_reported_loss_is_the_datas() {
    let sum = |t: &Trainer| t.network().layers.iter().flat_map(|l| l.w.iter()).map(|w| w.abs()).sum::<f32>();
    let mut plain = trainer("v=1&data=xor&rule=np&seed=2");
    let mut l1 = trainer("v=1&data=xor&rule=np&seed=2&reg=l1&reg_rate=0.01");
    plain.run(500).unwrap();
    l1.run(500).unwrap();
    assert!(sum(&l1) < 0.8 * sum(&plain), "L1 shrinks the weights: {} against {}", sum(&l1), sum(&plain));
    // The evaluated loss is the data's alone: the network's loss at its own weights.
    let ev = l1.evaluate();
    let mut trace = Trace::default();
    let score = np_playground::run::evaluation::score(l1.network(), &l1.data().test, &mut trace);
    assert_eq!(ev.test.loss, score.loss);
}

// ---------------------------------------------------------------- features

#[test]
fn each_feature_has_its_value() {
    let (x1, x2) = (0.3f32, -0.7f32);
    let want = [x1, x2, x1 * x1, x2 * x2, x1 * x2, x1.sin(), x2.sin()];
    for (i, (key, _)) in features::ALL.iter().enumerate() {
        let f = Features::parse(key).unwrap();
        let mut out = [0.0];
        f.map(x1, x2, &mut out);
        assert!((out[0] - want[i]).abs() < 1e-6, "{key}: {} against {}", out[0], want[i]);
    }
    // All together, in input order whatever the order written.
    let all = Features::parse("sinx2,x1x2,x1,sinx1,x2sq,x2,x1sq").unwrap();
    assert_eq!(all.to_string(), "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2");
    let mut out = [0.0; 7];
    all.map(x1, x2, &mut out);
    for i in 0..7 {
        assert!((out[i] - want[i]).abs() < 1e-6);
    }
    assert!(Features::default().is_identity());
    assert!(Features::parse("x1,x1").unwrap_err().contains("x1 is named twice"));
    assert!(Features::parse("x3").unwrap_err().contains("x3 is not a feature"));
}

#[test]
fn the_network_reads_the_features_of_the_data_and_of_the_planes_grid() {
    let t = trainer("v=1&data=circle&features=x1sq,x2sq,x1x2&hidden=3&seed=4");
    assert_eq!(t.network().sizes(), vec![3, 3, 2]);
    assert_eq!(t.config().to_string().matches("features=x1sq,x2sq,x1x2").count(), 1);
    // Every sample's inputs are the features of its point on the plane.
    let pts = t.data().plane_points();
    let f = t.config().features;
    for i in 0..t.data().train.len() {
        let mut want = [0.0; 3];
        f.map(pts[4 * i], pts[4 * i + 1], &mut want);
        assert_eq!(t.data().train.row(i), &want[..]);
    }
    // Points stay in the plane and keep their classes.
    assert!(pts.chunks(4).all(|p| p[0].abs() < 1.5 && p[1].abs() < 1.5 && (p[2] == 0.0 || p[2] == 1.0)));
    // The plane's grid: the probability at a cell is the network's on that cell's features.
    let res = 8;
    let v = plane::view(t.network(), f, res, &[], &mut Trace::default());
    let (r, c) = (2, 5);
    let (x, y) = (plane::coord(c, res), plane::coord(res - 1 - r, res));
    let mut input = [0.0; 3];
    f.map(x, y, &mut input);
    let mut trace = Trace::default();
    t.network().forward(&input, 1, &mut trace);
    let z = trace.logits(0);
    let p1 = 1.0 / (1.0 + (z[0] - z[1]).exp());
    assert!((v.prob[r * res + c] - p1).abs() < 1e-5, "{} against {p1}", v.prob[r * res + c]);
    // The live run still draws the plane with features that are not two.
    let mut live = LiveRun::new(trainer("v=1&data=xor&features=x1x2&hidden=2"), "np");
    assert!(live.plane(8).is_some() && !live.points().is_empty());
}

/// The circle is linear in the squares: with `features=x1sq,x2sq` NP with two hidden units
/// reaches 95% test accuracy within 600 steps on three seeds (measured: steps 200, 100 and 275,
/// evaluated every 25), while on the plain coordinates the same network is far from it.
#[test]
fn np_learns_the_circle_quickly_from_the_squares() {
    for seed in 1..=3 {
        let mut t = trainer(&format!("v=1&data=circle&features=x1sq,x2sq&hidden=2&rule=np&seed={seed}"));
        t.set_diagnostics(false);
        let mut reached = None;
        while t.steps() < 600 {
            t.run(25).unwrap();
            if t.evaluate().test.accuracy >= 0.95 {
                reached = Some(t.steps());
                break;
            }
        }
        eprintln!("seed {seed}: 95% test accuracy at step {reached:?}");
        assert!(reached.is_some(), "seed {seed}: not at 95% test accuracy after 600 steps");
        let mut plain = trainer(&format!("v=1&data=circle&hidden=2&rule=np&seed={seed}"));
        plain.set_diagnostics(false);
        plain.run(600).unwrap();
        assert!(plain.evaluate().test.accuracy < 0.9, "seed {seed}: the plain coordinates too");
    }
}

// ---------------------------------------------------------------- regression

#[test]
fn the_regression_generators_follow_tensorflow_playground() {
    for set in [DataSet::Plane, DataSet::Multigauss] {
        let s = format!("v=1&data={}&n=300&noise=0&train=0.6&seed=7", set.key());
        let t = trainer(&s);
        let d = t.data();
        assert_eq!((d.classes, d.dim(), d.train.len(), d.test.len()), (1, 2, 180, 120));
        assert!(d.is_regression());
        assert_eq!(t.network().sizes(), vec![2, 8, 8, 1]);
        assert_eq!(t.config().loss, Loss::MeanSquared, "mse by default");
        let pts = d.plane_points();
        for p in pts.chunks(4) {
            assert!(p[0].abs() <= 1.0 && p[1].abs() <= 1.0, "points on [-1, 1]^2");
            // Without noise the target is the generator's at the point itself.
            assert_eq!(p[2], generators::regression_target(set, p[0], p[1]));
        }
        let targets: Vec<f32> = pts.chunks(4).map(|p| p[2]).collect();
        let (lo, hi) = targets.iter().fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        match set {
            DataSet::Plane => assert!(lo >= -1.2 && hi <= 1.2 && lo < -0.8 && hi > 0.8, "{lo}..{hi}"),
            _ => assert!(lo >= -1.0 && hi <= 1.0 && lo < -0.7 && hi > 0.7, "{lo}..{hi}"),
        }
        // The labels carry the targets.
        assert_eq!(label_target(d.train.y[0]), pts[2]);
        // Deterministic from the seed, and another seed gives other points.
        assert_eq!(trainer(&s).data().plane_points(), pts);
        assert_ne!(trainer(&s.replace("seed=7", "seed=8")).data().plane_points(), pts);
        // With noise, the target is read at a moved point: the points are the same, targets differ.
        let noisy = trainer(&s.replace("noise=0", "noise=0.2")).data().plane_points();
        assert_ne!(noisy, pts);
    }
    // The generators' values: TensorFlow Playground's (x + y) / 10 on [-6, 6], and its bumps.
    assert!((generators::regression_target(DataSet::Plane, 0.5, 0.25) - 0.45).abs() < 1e-6);
    assert_eq!(generators::regression_target(DataSet::Multigauss, -4.0 / 6.0, 2.5 / 6.0), 1.0);
    assert_eq!(generators::regression_target(DataSet::Multigauss, 0.0, 2.5 / 6.0), -1.0);
    assert_eq!(generators::regression_target(DataSet::Multigauss, 0.0, -2.5 / 6.0), 1.0);
    assert!((generators::regression_target(DataSet::Multigauss, 1.0 / 6.0, -2.5 / 6.0) - 0.5).abs() < 1e-6);
    assert_eq!(generators::regression_target(DataSet::Multigauss, 0.0, 0.0), 0.0);
}

/// On `data=plane&rule=np` the test loss falls below a tenth of its start: the median of the
/// evaluations at steps 500, 550, ..., 1000 on three seeds (measured 2026-12-06 on seeds 1-6: below
/// a tenth within 30 steps; the median of steps 1500-2000 0.0036-0.0055 against starts 0.070-0.71).
#[test]
fn np_fits_the_plane() {
    for seed in 1..=3 {
        let mut t = trainer(&format!("v=1&data=plane&rule=np&seed={seed}"));
        t.set_diagnostics(false);
        let start = t.evaluate().test.loss;
        t.run(500).unwrap();
        let mut losses = vec![t.evaluate().test.loss];
        for _ in 0..10 {
            t.run(50).unwrap();
            losses.push(t.evaluate().test.loss);
        }
        losses.sort_by(f32::total_cmp);
        let median = losses[losses.len() / 2];
        eprintln!("seed {seed}: test loss {start} at the start, median {median} over steps 500-1000");
        assert!(median < start / 10.0, "seed {seed}: {median} against a start of {start}");
        assert!(t.evaluate().test.accuracy.is_nan(), "no accuracy for regression");
    }
}

#[test]
fn every_rule_trains_on_both_regression_sets() {
    for set in ["plane", "multigauss"] {
        for rule in Rule::ALL {
            let mut t = trainer(&format!("v=1&data={set}&rule={}&seed=3", rule.key()));
            let start = t.evaluate().train.loss;
            t.run(600).unwrap_or_else(|e| panic!("{set} {}: {e}", rule.key()));
            let ev = t.evaluate();
            assert!(
                ev.train.loss.is_finite() && ev.train.loss < start,
                "{set} {}: {} from {start}",
                rule.key(),
                ev.train.loss
            );
            assert!(ev.train.accuracy.is_nan() && ev.test.accuracy.is_nan());
        }
    }
}

#[test]
fn the_cli_reports_no_accuracy_for_regression() {
    let out = Command::new(env!("CARGO_BIN_EXE_np-playground"))
        .args(["run", "v=1&data=multigauss&rule=inp", "--steps", "20", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let last = String::from_utf8(out.stdout).unwrap().lines().last().unwrap().to_string();
    assert!(last.contains("\"train_accuracy\":null,\"test_accuracy\":null"), "{last}");
}

// ---------------------------------------------------------------- edits

fn cli_checksum(config: &str, steps: u64) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_np-playground"))
        .args(["run", config, "--steps", &steps.to_string(), "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last = stdout.lines().last().unwrap();
    let at = last.find("\"checksum\":\"").unwrap() + 12;
    last[at..at + 16].to_string()
}

/// The page edits a weight while paused (a live run), and its link carries the edit: the CLI
/// replaying the link lands on the page's checksum, and the edit changed the run.
#[test]
fn an_edit_made_in_the_page_is_replayed_by_the_cli() {
    let base = "v=1&data=xor&hidden=4&rule=dnp&seed=9";
    let mut page = LiveRun::new(trainer(base), "dnp");
    page.run(30).unwrap();
    let e = edits::parse_edit_at(30, "1:2:b:0.75").unwrap();
    assert!(edits::parse_edit_at(30, "1:2").unwrap_err().starts_with("edit 1:2: expected STEP:LAYER:ROW:COL:VALUE"));
    page.edit(e).unwrap();
    let e = edits::parse_edit_at(30, "2:1:3:-1.5").unwrap();
    page.edit(e).unwrap();
    page.run(20).unwrap();
    let link = page.trainer().config().to_string();
    assert!(link.ends_with("&edit=30:1:2:b:0.75,30:2:1:3:-1.5"), "{link}");
    let page_sum = format!("{:016x}", page.checksum());
    assert_eq!(cli_checksum(&link, 50), page_sum, "the CLI replays the page's edits");
    assert_ne!(cli_checksum(base, 50), page_sum, "the edits changed the run");
    // The library replays the link the same way, and a run stopped at the edit's step has it.
    let mut lib = trainer(&link);
    lib.run(30).unwrap();
    assert_eq!(lib.network().layers[0].b[2], 0.75);
    assert_eq!(lib.network().layers[1].w[[1, 3]], -1.5);
    lib.run(20).unwrap();
    assert_eq!(format!("{:016x}", lib.checksum()), page_sum);
    // Step 0 edits the initial weights; the page's own link reader keeps the key.
    let t = trainer(&format!("{base}&edit=0:1:0:1:2.5"));
    assert_eq!(t.network().layers[0].w[[0, 1]], 2.5);
    assert_eq!(Link::parse(&format!("{base}&edit=0:1:0:1:2.5")).config.edits.len(), 1);
    // An edit for another step than the current one is refused.
    let mut live = LiveRun::new(trainer(base), "dnp");
    let err = live.edit(Edit { step: 3, layer: 1, row: 0, col: None, value: 1.0 }).unwrap_err().to_string();
    assert!(err.contains("for step 3, and the run is at step 0"), "{err}");
}

/// An edit's effect on the current minibatch: `dL` is the minibatch loss after minus before,
/// and the credit `dL / delta` tends to the exact gradient as the edit shrinks.
#[test]
fn an_edits_effect_is_the_loss_change_and_its_credit_tends_to_the_gradient() {
    let mut t = trainer("v=1&data=spiral&hidden=6,5&rule=np&seed=4");
    t.run(40).unwrap();
    let (x, y) = t.current_batch();
    assert_eq!(y.len(), 10);
    let mean_loss = |net: &np_playground::network::Network| {
        let mut trace = Trace::default();
        net.forward(&x, y.len(), &mut trace);
        let mut l = vec![0.0; y.len()];
        np_playground::network::pass_losses(net, &trace, 0, &y, &mut l);
        l.iter().map(|&v| v as f64).sum::<f64>() / y.len() as f64
    };
    for (layer, row, col) in [(1, 3, Some(1)), (2, 0, None), (3, 1, Some(4))] {
        let w = {
            let l = &t.network().layers[layer - 1];
            col.map_or(l.b[row], |c| l.w[[row, c]])
        };
        let big = Edit { step: 40, layer, row, col, value: w + 0.5 };
        let fx = t.edit_effect(&big).unwrap();
        let mut edited = t.network().clone();
        edits::apply(&mut edited, &big);
        assert!((fx.d_loss as f64 - (mean_loss(&edited) - mean_loss(t.network()))).abs() < 1e-5);
        assert_eq!((fx.before, fx.delta), (w, 0.5));
        let small = t.edit_effect(&Edit { value: w + 1e-3, ..big }).unwrap();
        let (credit, gradient) = (small.credit.unwrap(), small.gradient.unwrap());
        assert!(
            (credit - gradient).abs() < 0.02 * gradient.abs().max(0.05),
            "layer {layer} row {row} col {col:?}: credit {credit}, gradient {gradient}"
        );
        assert_eq!(small.sgd_change, Some(-0.01 * credit));
    }
    // The trainer is unchanged, and a weight outside the network is named.
    let before = t.checksum();
    let err = t.edit_effect(&Edit { step: 40, layer: 2, row: 5, col: Some(0), value: 1.0 }).unwrap_err();
    assert!(err.to_string().contains("ROW 5 is past layer 2's 5 units (0 to 4)"), "{err}");
    assert_eq!(t.checksum(), before);
    let json = t.edit_effect(&Edit { step: 40, layer: 1, row: 0, col: None, value: 0.0 }).unwrap().to_json();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    for k in ["before", "delta", "loss_before", "loss_after", "d_loss", "credit", "gradient", "sgd_change"] {
        assert!(v.get(k).is_some(), "{k} in {json}");
    }
}

#[test]
fn bad_edits_and_features_are_refused_with_the_problem_named() {
    let e = refusal("v=1&hidden=8&edit=0:3:0:0:1");
    assert!(e.contains("item 1 (0:3:0:0:1): LAYER 3 is past the last weight matrix (2 layers: 1 to 2)"), "{e}");
    let e = refusal("v=1&hidden=8&edit=0:1:0:0:1,5:1:8:0:1");
    assert!(e.contains("item 2 (5:1:8:0:1): ROW 8 is past layer 1's 8 units (0 to 7)"), "{e}");
    let e = refusal("v=1&hidden=8&edit=0:1:0:2:1");
    assert!(e.contains("COL 2 is past layer 1's 2 inputs (0 to 1, or b for the bias)"), "{e}");
    // With features the first layer has more inputs.
    assert!(RunConfig::parse("v=1&hidden=8&features=x1,x2,x1x2&edit=0:1:0:2:1").is_ok());
    let e = refusal("v=1&edit=0:1:0");
    assert!(e.starts_with("edit=0:1:0: item 1 (0:1:0): expected STEP:LAYER:ROW:COL:VALUE"), "{e}");
    let e = refusal("v=1&edit=0:1:0:x:1");
    assert!(e.contains("COL (the input from 0, or b for the bias)"), "{e}");
    let e = refusal("v=1&edit=0:0:0:b:1");
    assert!(e.contains("LAYER (the weight matrix, from 1)"), "{e}");
    let e = refusal("v=1&edit=0:1:0:b:nan");
    assert!(e.contains("VALUE must be a number"), "{e}");
    // Features: the digits refuse them, a table wider than two columns too.
    let e = refusal("v=1&data=mnist14&features=x1sq");
    assert!(e.starts_with("features=x1sq: features are functions of a 2-D point; the digits are 14x14 pixels"), "{e}");
    let e = refusal("v=1&features=x1,y");
    assert!(e.contains("y is not a feature"), "{e}");
    let table =
        csv::parse_csv_bytes(b"a,b,c,label\n0,0,1,x\n1,0,0,y\n0,1,1,x\n1,1,0,y\n0,0.5,1,x\n1,0.5,0,y\n").unwrap();
    let config = cfg("v=1&data=upload&features=x1sq&batch=2");
    let e = Trainer::with_sources(config.clone(), &Sources { table: Some(&table), ..Default::default() })
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("this table has 3 feature columns"), "{e}");
    // A two-column table takes them.
    let two = csv::parse_csv_bytes(b"a,b,label\n0,0,x\n1,0,y\n0,1,x\n1,1,y\n0,0.5,x\n1,0.5,y\n").unwrap();
    let t = Trainer::with_sources(config, &Sources { table: Some(&two), ..Default::default() }).unwrap();
    assert_eq!(t.network().sizes()[0], 1);
    // Regression needs mse; the link reader falls back to it.
    let e = refusal("v=1&data=plane&loss=ce");
    assert!(e.contains("data=plane is regression (a real target per point): it needs loss=mse"), "{e}");
    assert_eq!(Link::parse("v=1&data=plane&loss=ce").config.loss, Loss::MeanSquared);
    // The new keys' values.
    assert!(refusal("v=1&reg=l3").contains("expected one of none, l1, l2"));
    assert!(refusal("v=1&reg_rate=-1").contains("expected a number in [0, 100]"));
}

// ---------------------------------------------------------------- strings, export, page key

#[test]
fn the_new_keys_round_trip_and_are_left_out_at_their_defaults() {
    let d = RunConfig::default().to_string();
    for k in ["features=", "reg=", "reg_rate=", "edit="] {
        assert!(!d.contains(k), "{k} in {d}");
    }
    let s = "v=1&data=xor&features=sinx1,x1&reg=l1&reg_rate=0.03&edit=0:1:0:b:0.5,7:2:1:0:-2";
    let c = cfg(s);
    assert_eq!(c.reg, Regularization::L1);
    assert_eq!(c.reg_rate, 0.03);
    assert_eq!(c.edits.len(), 2);
    let canonical = c.to_string();
    assert!(canonical.ends_with("&features=x1,sinx1&reg=l1&reg_rate=0.03&edit=0:1:0:b:0.5,7:2:1:0:-2"), "{canonical}");
    assert_eq!(cfg(&canonical), c);
    assert!(Link::parse("v=1&discretize=1").view.discretize);
    assert!(!Link::parse("v=1").view.discretize);
    assert!(Link::parse("v=1&discretize=2").problems[0].to_string().contains("expected 1 or 0"));
}

#[test]
fn the_weights_export_holds_every_layer_the_config_and_the_checksum() {
    let mut t = trainer("v=1&data=circle&hidden=3&rule=dnp&features=x1,x2,x1x2&seed=2");
    t.run(25).unwrap();
    let json = weights::weights_json(&t);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["format"], "np-playground-weights");
    assert_eq!(v["config"], t.config().to_string());
    assert_eq!(v["step"], 25);
    assert_eq!(v["checksum"], format!("{:016x}", t.checksum()));
    assert_eq!(v["inputs"], serde_json::json!(["x1", "x2", "x1x2"]));
    let layers = v["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    for (l, layer) in layers.iter().enumerate() {
        let net = &t.network().layers[l];
        let w = layer["W"].as_array().unwrap();
        assert_eq!((w.len(), w[0].as_array().unwrap().len()), (net.n_out(), net.n_in()));
        assert_eq!(w[1][2].as_f64().unwrap() as f32, net.w[[1, 2]]);
        assert_eq!(layer["b"][0].as_f64().unwrap() as f32, net.b[0]);
        let r = layer["R"].as_array().unwrap();
        assert_eq!(r[0][0].as_f64().unwrap() as f32, net.r.as_ref().unwrap()[[0, 0]]);
    }
    // A plain rule has no R.
    let v: serde_json::Value = serde_json::from_str(&weights::weights_json(&trainer("v=1&rule=np"))).unwrap();
    assert!(v["layers"][0]["R"].is_null());
    // The CLI writes the same file at its last step.
    let path = std::env::temp_dir().join(format!("tfp-weights-{}.json", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_np-playground"))
        .args(["run", "v=1&data=circle&hidden=3&rule=dnp&features=x1,x2,x1x2&seed=2", "--steps", "25"])
        .args(["--weights", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), json);
    let _ = std::fs::remove_file(path);
}

#[test]
fn the_plane_shows_a_regressions_predicted_value_and_each_features_map() {
    let mut live = LiveRun::new(trainer("v=1&data=multigauss&hidden=4&seed=2"), "np");
    live.run(5).unwrap();
    let res = 8;
    let v = live.plane(res).unwrap();
    let (r, c) = (1, 6);
    let mut trace = Trace::default();
    live.trainer().network().forward(&[plane::coord(c, res), plane::coord(res - 1 - r, res)], 1, &mut trace);
    assert_eq!(v.prob[r * res + c], trace.logits(0)[0], "the predicted value, not a probability");
    // The walk names the sample's target, not a class.
    let w = serde_json::to_string(&live.walk(0).unwrap()).unwrap();
    assert!(w.contains("(target "), "{}", &w[..w.len().min(400)]);
    // The input nodes' maps: each feature at each cell.
    let f = Features::parse("x2,x1x2,sinx1").unwrap();
    let maps = plane::feature_maps(f, res);
    assert_eq!(maps.len(), 3 * res * res);
    let (x, y) = (plane::coord(c, res), plane::coord(res - 1 - r, res));
    let i = r * res + c;
    assert_eq!([maps[i], maps[res * res + i]], [y, x * y]);
    assert!((maps[2 * res * res + i] - x.sin()).abs() < 1e-6);
}

/// The noise panel's probe of a regression sample names its real target, not the label's bits;
/// a classification sample has no target.
#[test]
fn a_regression_probe_carries_the_samples_real_target() {
    let mut t = trainer("v=1&data=plane&rule=np&seed=2");
    t.run(3).unwrap();
    let targets: Vec<f32> = t.data().train.y.iter().map(|&y| label_target(y)).collect();
    let lo = targets.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = targets.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for sample in [0, 3] {
        let p = np_playground::view::probe::probe(&t, sample).expect("a probe after a step");
        let target = p.target.expect("a regression probe has a target");
        assert_eq!(target, label_target(p.label));
        assert!(target.is_finite() && (lo..=hi).contains(&target), "{target} outside {lo}..{hi}");
    }
    let mut c = trainer("v=1&data=circle&rule=np&seed=2");
    c.run(3).unwrap();
    let p = np_playground::view::probe::probe(&c, 0).unwrap();
    assert_eq!(p.target, None);
    assert!(p.label < 2);
}
