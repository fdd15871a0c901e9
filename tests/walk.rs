//! One update in slow motion: the walk's sub-steps for every kind of rule, read from the step's
//! own buffers, with the numbers the rules use, down to the two numbers every link ends with:
//! the rule's estimate G (the batch mean, 1/B included) and the change the optimiser applied
//! (exactly `w_after - w_before`). Every sentence the walk and the noise panel's explanation
//! (`explain()` in www/noise.js) say is checked here where it can be checked: the numbers are the
//! engine's, the signs and the sub-steps are what the rule does. (The decorrelation sentence, "a
//! local rule updates R to push the off-diagonal of the batch's mean x x^T toward zero", is backed
//! by tests/decorrelation.rs.)

use np_playground::network::Network;
use np_playground::rng::{Rng, Stream};
use np_playground::rules::update_direction;
use np_playground::view::live::LiveRun;
use np_playground::view::walk::{self, Quantity, Walk, g};
use np_playground::{RunConfig, Trainer};

fn trainer(config: &str) -> Trainer {
    Trainer::new(RunConfig::parse(config).unwrap()).unwrap()
}

fn walked(config: &str, sample: usize) -> (LiveRun, Walk) {
    let mut run = LiveRun::new(trainer(config), "run");
    assert!(run.walk(0).is_none(), "nothing to walk before the first step");
    run.run(3).unwrap();
    let w = run.walk(sample).unwrap();
    (run, w)
}

fn titles(w: &Walk) -> Vec<&str> {
    w.steps.iter().map(|s| s.title.as_str()).collect()
}

fn sub<'a>(w: &'a Walk, title: &str) -> &'a walk::SubStep {
    w.steps.iter().find(|s| s.title == title).unwrap_or_else(|| panic!("no {title:?} in {:?}", titles(w)))
}

/// `f(j, i)` on the diagram's shown links of weight layer `l`, row-major.
fn shown(t: &Trainer, l: usize, f: impl Fn(usize, usize) -> f32) -> Vec<f32> {
    let d = np_playground::view::diagram::diagram(t);
    d.shown[l + 1].iter().flat_map(|&j| d.shown[l].iter().map(move |&i| (j, i))).map(|(j, i)| f(j, i)).collect()
}

const RULES: [&str; 13] = [
    "rule=wp&hidden=5,4&sigma=0.05",
    "rule=wp&hidden=5,4&draws=3",
    "rule=fgw&hidden=5,4",
    "rule=fgw&hidden=5,4&draws=2",
    "rule=fga&hidden=5,4&draws=2",
    "rule=dfga&hidden=5",
    "rule=np&hidden=5,4",
    "rule=inp&hidden=5,4&draws=2",
    "rule=anp&hidden=5,4",
    "rule=anp&mode=blind&draws=3&hidden=5,4",
    "rule=bp&hidden=5,4",
    "rule=dnp&hidden=5",
    "rule=danp&mode=blind&hidden=5",
];

/// The reproducer: under Adam every weight moved by about lr at step 1 while the walk showed
/// -lr*credit*x of one sample (two links with the wrong sign); under SGD the 1/B was missing.
/// Now the walk's applied change of every link and bias is exactly the parameter change of the
/// step, and G is exactly what the optimiser received; the samples' shares add up to G.
#[test]
fn applied_change_is_exactly_the_parameter_change_and_g_the_rules_update() {
    for opt in ["adam", "sgd"] {
        for seed in 1..=3 {
            for rule in RULES {
                let config = format!("data=xor&{rule}&opt={opt}&seed={seed}&batch=8");
                let mut t = trainer(&config);
                t.run(2).unwrap();
                let before: Network = t.network().clone();
                t.step().unwrap();
                let after = t.network();
                let w = walk::walk(&t, 1).unwrap();
                let applied = w.applied.as_ref().expect("the step reached the optimiser");
                let grads = &t.last_update().grads;
                let full = t.last_applied().unwrap();
                for (l, (la, lb)) in after.layers.iter().zip(&before.layers).enumerate() {
                    // Every parameter: the optimiser's record is the change, bit for bit.
                    for ((&a, &b), &d) in la.w.iter().zip(&lb.w).zip(&full.w[l]) {
                        assert_eq!(d.to_bits(), (a - b).to_bits(), "{config}: layer {l}");
                    }
                    for ((&a, &b), &d) in la.b.iter().zip(&lb.b).zip(&full.b[l]) {
                        assert_eq!(d.to_bits(), (a - b).to_bits(), "{config}: bias of layer {l}");
                    }
                    // The walk's links and nodes.
                    let want = shown(&t, l, |j, i| la.w[[j, i]] - lb.w[[j, i]]);
                    assert_eq!(applied[l], want, "{config}: applied change of layer {l}");
                    let d = np_playground::view::diagram::diagram(&t);
                    let want_b: Vec<f32> = d.shown[l + 1].iter().map(|&j| la.b[j] - lb.b[j]).collect();
                    assert_eq!(w.bias_applied.as_ref().unwrap()[l], want_b, "{config}: bias change of layer {l}");
                    assert_eq!(w.estimate[l], shown(&t, l, |j, i| grads.w[l][[j, i]]), "{config}: G of layer {l}");
                    // The sub-steps show the same numbers.
                    assert_eq!(sub(&w, "estimate G").links.as_ref().unwrap()[l], w.estimate[l]);
                    assert_eq!(sub(&w, "step applied").links.as_ref().unwrap()[l], applied[l]);
                    if opt == "sgd" {
                        // SGD: the change is -lr G (up to the rounding of w - lr G), against G.
                        let weights = shown(&t, l, |j, i| lb.w[[j, i]]);
                        for ((&dw, &gv), &wb) in applied[l].iter().zip(&w.estimate[l]).zip(&weights) {
                            assert!(dw * gv <= 0.0, "{config}: SGD moved a link along its G");
                            // Within the rounding of w - lr G (half an ulp of w, and of the result).
                            let ulp = f32::EPSILON * wb.abs().max((wb + dw).abs()).max(1e-3);
                            assert!((dw + 0.01 * gv).abs() <= ulp, "{config}: {dw} vs -lr G = {}", -0.01 * gv);
                        }
                    }
                }
                // G is the mean over the batch: the samples' shares add up to it (the 1/B).
                let shares: Vec<Walk> = (0..8).map(|b| walk::walk(&t, b).unwrap()).collect();
                for l in 0..after.layers.len() {
                    let scale = w.estimate[l].iter().fold(0.0f32, |m, v| m.max(v.abs()));
                    for (k, &gv) in w.estimate[l].iter().enumerate() {
                        let sum: f32 = shares.iter().map(|s| s.share[l][k]).sum();
                        assert!(
                            (sum - gv).abs() <= 1e-4 * scale + 1e-7,
                            "{config}: layer {l} link {k}: {sum} vs G {gv}"
                        );
                    }
                }
            }
        }
    }
}

/// G is what the rule computes from the batch and the network before the step: the first step's
/// G again from the initial network, the batch and a fresh noise stream, bit for bit.
#[test]
fn g_is_what_the_rule_computes_from_the_batch() {
    for seed in [4, 5] {
        for rule in RULES {
            let cfg = RunConfig::parse(&format!("data=xor&{rule}&seed={seed}")).unwrap();
            let mut t = Trainer::new(cfg.clone()).unwrap();
            let initial = t.network().clone();
            t.step().unwrap();
            let buf = t.last_update();
            let x = buf.trace.input.as_slice().unwrap().to_vec();
            let again =
                update_direction(&initial, &x, &buf.labels, &cfg.update_spec(), &mut Rng::stream(seed, Stream::Noise));
            let w = walk::walk(&t, 0).unwrap();
            for l in 0..initial.layers.len() {
                assert_eq!(w.estimate[l], shown(&t, l, |j, i| again.w[l][[j, i]]), "{rule}: layer {l}");
            }
        }
    }
}

/// Lesson 1's link (`#v=1&data=gauss&hidden=2&rule=np&sigma=0.05`), step 1 under Adam: every
/// weight moved by about lr against its G, and the narration gives the range and the signs.
#[test]
fn adam_moves_every_weight_by_about_lr_at_the_first_step_and_says_so() {
    for seed in 1..=4 {
        let config = format!("v=1&data=gauss&hidden=2&rule=np&sigma=0.05&seed={seed}");
        let mut t = trainer(&config);
        let before = t.network().clone();
        t.step().unwrap();
        let w = walk::walk(&t, 0).unwrap();
        let applied: Vec<f32> = w.applied.as_ref().unwrap().iter().flatten().copied().collect();
        let estimate: Vec<f32> = w.estimate.iter().flatten().copied().collect();
        for (&dw, &gv) in applied.iter().zip(&estimate) {
            assert!(dw * gv < 0.0, "{config}: a link moved along its G ({dw} vs {gv})");
            assert!((dw.abs() - 0.01).abs() < 1e-4, "{config}: |dw| = {dw}");
        }
        // The range in the narration is the actual changes'.
        let changes: Vec<f32> = t
            .network()
            .layers
            .iter()
            .zip(&before.layers)
            .flat_map(|(a, b)| a.w.iter().zip(&b.w).map(|(x, y)| (x - y).abs()).collect::<Vec<_>>())
            .collect();
        let lo = changes.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = changes.iter().copied().fold(0.0, f32::max);
        let s = sub(&w, "step applied");
        assert!(s.narration.contains(&format!("runs from {} to {}", g(lo), g(hi))), "{}", s.narration);
        assert!(s.narration.contains("Every shown link moved against its G."), "{}", s.narration);
        assert_eq!(s.link_label.as_deref(), Some("change \u{394}w applied by Adam"));
        assert_eq!(s.link_quantity, Some(Quantity::Applied));
    }
    // Later steps: Adam's running average can move a link along its G; the count is right.
    let mut t = trainer("v=1&data=gauss&hidden=2&rule=np&sigma=0.05&seed=1");
    let mut seen_along = false;
    for _ in 0..40 {
        t.step().unwrap();
        let w = walk::walk(&t, 0).unwrap();
        let along = w
            .applied
            .as_ref()
            .unwrap()
            .iter()
            .flatten()
            .zip(w.estimate.iter().flatten())
            .filter(|(a, e)| **a * **e > 0.0)
            .count();
        let s = sub(&w, "step applied");
        if along == 0 {
            assert!(s.narration.contains("Every shown link moved against its G."), "{}", s.narration);
        } else {
            seen_along = true;
            let n: usize = w.estimate.iter().map(|l| l.len()).sum();
            assert!(
                s.narration.contains(&format!("{along} of {n} shown links moved the same way as their G")),
                "{}",
                s.narration
            );
        }
    }
    assert!(seen_along, "in 40 noisy steps some link moves along its G under Adam");
}

#[test]
fn np_walk_shows_noise_the_noisy_pass_loss_credit_and_the_update() {
    let (run, w) = walked("data=xor&rule=np&hidden=5,4&sigma=0.05", 2);
    assert_eq!(
        titles(&w),
        [
            "clean pass",
            "noise",
            "noisy pass",
            "loss change",
            "credit",
            "this sample's share",
            "estimate G",
            "step applied"
        ]
    );
    let t = run.trainer();
    let probe = run.probe(2).unwrap();
    let buf = t.last_update();
    let bsz = buf.trace.batch;
    let (l0, l1) = (buf.losses[2], buf.losses[bsz + 2]);
    let d_loss = l1 - l0;
    // The credit on every node is dL * eps / sigma^2 of this sample, from the step's buffers.
    let credit = sub(&w, "credit");
    assert_eq!(credit.node_quantity, Quantity::Credit);
    for (l, layer) in probe.layers.iter().enumerate() {
        let eps = layer.passes[1].eps.as_ref().unwrap();
        for (k, &v) in credit.nodes[l + 1].iter().enumerate() {
            let want = d_loss / (0.05 * 0.05) * eps[k];
            assert!((v - want).abs() <= 1e-4 * want.abs().max(1.0), "layer {l} node {k}: {v} vs {want}");
        }
    }
    // NP uses only the noisy pass's loss: the noisy pass shows its activations, not da.
    let noisy = sub(&w, "noisy pass");
    assert_eq!(noisy.node_quantity, Quantity::NoisyActivation);
    assert!(!noisy.narration.contains('\u{394}'), "{}", noisy.narration);
    for l in 0..2 {
        let n = buf.trace.layers[l].h.ncols();
        let h = &buf.trace.pass_rows(&buf.trace.layers[l].h, 1)[2 * n..3 * n];
        assert_eq!(noisy.nodes[l + 1], h.to_vec());
    }
    // The meter and the narration hold the two losses and their difference.
    let loss = sub(&w, "loss change");
    let m = loss.meter.unwrap();
    assert_eq!((m.reference, m.noisy, m.d_loss), (l0, l1, d_loss));
    for v in [l0, l1, d_loss] {
        assert!(loss.narration.contains(&g(v)), "{} lacks {}", loss.narration, g(v));
    }
    assert!(
        credit.narration.contains(&format!("{}\u{b7}\u{3b5}/{}", g(d_loss), g(0.05 * 0.05))),
        "{}",
        credit.narration
    );
    // The share of one link is credit * x / B (B = 10).
    let share = sub(&w, "this sample's share");
    let x = &probe.layers[1].x;
    let want = probe.layers[1].signal[0] * x[0] / 10.0;
    assert!((share.links.as_ref().unwrap()[1][0] - want).abs() <= 1e-6 * want.abs().max(1e-3));
    assert!(share.narration.contains("B = 10"), "{}", share.narration);
    assert!(sub(&w, "clean pass").narration.contains(&g(l0)));
    assert!(sub(&w, "noise").narration.contains(&format!("\u{3c3} = {}", g(0.05))));
    for s in &w.steps {
        assert!(s.narration.ends_with('.') && s.narration.len() > 30, "{}", s.narration);
        assert!(!s.node_label.is_empty());
        assert_eq!(s.links.is_some(), s.link_label.is_some(), "{}", s.title);
    }
}

#[test]
fn each_rule_has_its_own_sub_steps() {
    let update = ["this sample's share", "estimate G", "step applied"];
    let with_update = |head: &[&str]| -> Vec<String> { head.iter().chain(&update).map(|s| s.to_string()).collect() };
    let cases: [(&str, &[&str]); 12] = [
        // WP: the links jittered by xi, the noisy pass, the minibatch's dL, the update along xi.
        ("data=xor&rule=wp", &["clean pass", "weight noise", "noisy pass", "loss change", "update along \u{3be}"]),
        (
            "data=xor&rule=dwp",
            &["decorrelation", "clean pass", "weight noise", "noisy pass", "loss change", "update along \u{3be}"],
        ),
        // The forward gradients: the tangent, its forward wave beside the clean pass, d.
        ("data=xor&rule=fgw", &["clean pass", "tangent", "forward wave", "derivative d", "update along v"]),
        ("data=xor&rule=fga&draws=2", &["clean pass", "tangent", "forward wave", "derivative d", "credit"]),
        ("data=xor&rule=np", &["clean pass", "noise", "noisy pass", "loss change", "credit"]),
        ("data=xor&rule=anp", &["clean pass", "noise", "noisy pass", "loss change", "credit"]),
        (
            "data=xor&rule=inp&hidden=6,6",
            &["clean pass", "noise in one layer", "noise in one layer", "noise in one layer", "credit"],
        ),
        // Blind: two noisy passes, and the noise is never shown (it is never observed).
        ("data=xor&rule=anp&mode=blind", &["first noisy pass", "second noisy pass", "loss change", "credit"]),
        ("data=xor&rule=anp&mode=blind&draws=3", &["first noisy pass", "second noisy pass", "loss change", "credit"]),
        // D-variants: R in front of each layer first.
        ("data=xor&rule=dnp", &["decorrelation", "clean pass", "noise", "noisy pass", "loss change", "credit"]),
        // BP: the forward pass, the output error, then the backward wave down to the first layer.
        ("data=xor&rule=bp&hidden=4,4", &["forward pass", "output error", "backward wave", "backward wave"]),
        ("data=xor&rule=dbp&hidden=4", &["decorrelation", "forward pass", "output error", "backward wave"]),
    ];
    for (config, head) in cases {
        for opt in ["adam", "sgd"] {
            let (_, w) = walked(&format!("{config}&opt={opt}"), 0);
            assert_eq!(titles(&w), with_update(head), "{config}");
            if config.contains("blind") {
                assert!(w.steps.iter().all(|s| s.node_quantity != Quantity::Noise), "{config}");
            }
            let applied = sub(&w, "step applied");
            let name = if opt == "adam" { "Adam" } else { "SGD" };
            assert_eq!(applied.link_label.as_deref(), Some(format!("change \u{394}w applied by {name}").as_str()));
            assert!(applied.narration.starts_with(&format!("The step applied: {name} moved every weight")));
            assert_eq!(sub(&w, "estimate G").link_label.as_deref(), Some("G, the rule's estimate"));
        }
    }
    // ANP's noisy pass shows the measured change, which ANP uses; its credit the network-wide norm.
    let (_, w) = walked("data=xor&rule=anp", 0);
    assert_eq!(sub(&w, "noisy pass").node_quantity, Quantity::Change);
    assert!(sub(&w, "credit").narration.contains("\u{2016}\u{394}a\u{2016}"));
    // More draws: the narration says which draw is shown.
    let (_, w) = walked("data=xor&rule=np&draws=4", 0);
    assert!(w.steps[1].narration.contains("draw 1 of K = 4"));
    assert!(sub(&w, "credit").narration.contains("mean over the K = 4 draws"));
}

/// A diverged step may not have reached the optimiser: the walk shows no applied step then.
#[test]
fn a_diverged_run_shows_no_applied_step() {
    let mut t = trainer("v=1&loss=mse&act=tanh&rule=bp&opt=sgd&lr=3&seed=2");
    assert!(t.run(20).is_err());
    let w = walk::walk(&t, 0).unwrap();
    assert!(w.applied.is_none() && !titles(&w).contains(&"step applied"), "{:?}", titles(&w));
}

/// INP names its layers as the diagram does ("layer 1", ..., "the outputs"), and says the
/// layers above see the noise only where there are any.
#[test]
fn inp_names_the_layers_as_the_diagram() {
    let (_, w) = walked("data=xor&rule=inp&hidden=4,4", 0);
    let noise: Vec<&str> =
        w.steps.iter().filter(|s| s.title == "noise in one layer").map(|s| s.narration.as_str()).collect();
    assert!(noise[0].contains("only in layer 1's pre-activations"), "{}", noise[0]);
    assert!(noise[2].contains("only in the outputs' pre-activations"), "{}", noise[2]);
    assert!(!noise[2].contains("layer 3") && !noise[2].contains("layers above"), "{}", noise[2]);
    assert!(noise[1].contains("the layers above see its effect"));
}

/// BP's backward wave: DBP's error passes through R (x = R h), BP's does not.
#[test]
fn the_backward_wave_formula_has_r_for_dbp() {
    let (_, w) = walked("data=xor&rule=dbp&hidden=4,4", 0);
    assert!(sub(&w, "backward wave").narration.contains("((\u{3b4}\u{2032} W) R) \u{2299} f\u{2032}(a)"));
    let (_, w) = walked("data=xor&rule=bp&hidden=4,4", 0);
    let s = &sub(&w, "backward wave").narration;
    assert!(s.contains("(\u{3b4}\u{2032} W) \u{2299} f\u{2032}(a)") && !s.contains(" R"), "{s}");
    // BP's G is the exact gradient: no alignment sentence for it.
    assert!(!sub(&w, "estimate G").narration.contains("cosine"));
}

/// "No backward pass is needed: the one number dL reaches every node, which combines it with its
/// own noise": each node's credit is dL (one number per pass and sample) times a vector of its
/// own; checked for NP (K draws), INP and ANP against the formulas of docs/learning-rules.md.
#[test]
fn the_credit_is_one_number_dl_times_the_nodes_own_noise() {
    let k = 3usize;
    for rule in ["np", "inp", "anp", "anp&mode=blind"] {
        let (run, w) = walked(&format!("data=xor&rule={rule}&hidden=5,4&draws={k}&sigma=0.05"), 1);
        assert!(sub(&w, "credit").narration.contains("No backward pass is needed"), "{rule}");
        let t = run.trainer();
        let buf = t.last_update();
        let bsz = buf.trace.batch;
        let loss = |p: usize| buf.losses[p * bsz + 1];
        let row = |m: &ndarray::Array2<f32>, p: usize| {
            let n = m.ncols();
            buf.trace.pass_rows(m, p)[n..2 * n].to_vec()
        };
        let layers = &buf.trace.layers;
        let n_total: usize = layers.iter().map(|l| l.a.ncols()).sum();
        for (l, lt) in layers.iter().enumerate() {
            let n = lt.a.ncols();
            let mut want = vec![0.0f32; n];
            for d in 0..k {
                let (c, v): (f32, Vec<f32>) = match rule {
                    "np" => ((loss(1 + d) - loss(0)) / (0.05 * 0.05), row(&lt.eps, 1 + d)),
                    "inp" => {
                        let p = 1 + l * k + d;
                        let e = row(&lt.eps, p);
                        let norm2: f32 = e.iter().map(|v| v * v).sum();
                        ((loss(p) - loss(0)) * n as f32 / norm2, e)
                    }
                    _ => {
                        let (r, q) = if rule == "anp" { (0, 1 + d) } else { (2 * d, 2 * d + 1) };
                        let da = |lt: &np_playground::network::LayerTrace| -> Vec<f32> {
                            row(&lt.a, q).iter().zip(row(&lt.a, r)).map(|(a, b)| a - b).collect()
                        };
                        let norm2: f32 = layers.iter().map(|lt| da(lt).iter().map(|v| v * v).sum::<f32>()).sum();
                        (n_total as f32 * (loss(q) - loss(r)) / norm2, da(lt))
                    }
                };
                for (w, v) in want.iter_mut().zip(v) {
                    *w += c * v / k as f32;
                }
            }
            let got = buf.signals[l].row(1);
            for (j, (&a, &b)) in got.iter().zip(&want).enumerate() {
                assert!((a - b).abs() <= 1e-4 * b.abs().max(1.0), "{rule} layer {l} node {j}: {a} vs {b}");
            }
        }
    }
}

/// "The noise happened to help (dL < 0), so this sample's share of -G pushes each node's
/// pre-activation toward its noise" (ANP: toward its measured change), and away when it hurt:
/// the change of each pre-activation that the sample's share of -G makes, -(share_w x + share_b),
/// has the sign of -dL times the node's noise.
#[test]
fn the_loss_change_says_which_way_the_share_pushes() {
    let mut helped = [false, false];
    for seed in 1..=8 {
        for rule in ["np", "anp", "anp&mode=blind"] {
            let config = format!("data=xor&rule={rule}&hidden=5&seed={seed}");
            let (run, w) = walked(&config, 0);
            let probe = run.probe(0).unwrap();
            let (r, q) = probe.pairs()[0];
            let d_loss = probe.losses[q] - probe.losses[r];
            helped[usize::from(d_loss < 0.0)] = true;
            let s = sub(&w, "loss change");
            assert_eq!(s.narration.contains("happened to help"), d_loss < 0.0, "{config}: {}", s.narration);
            let toward = if rule == "np" { "toward its noise" } else { "toward its measured change" };
            let away = if rule == "np" { "away from its noise" } else { "away from its measured change" };
            assert!(s.narration.contains(if d_loss < 0.0 { toward } else { away }), "{config}: {}", s.narration);
            for (l, layer) in probe.layers.iter().enumerate() {
                let push: Vec<f32> = if rule == "np" {
                    layer.passes[q].eps.clone().unwrap()
                } else {
                    layer.passes[q].a.iter().zip(&layer.passes[r].a).map(|(a, b)| a - b).collect()
                };
                let n_in = layer.n_in;
                for (j, &e) in push.iter().enumerate() {
                    let wj = &w.share[l][j * n_in..(j + 1) * n_in];
                    let bias = layer.signal[j] / probe.batch as f32;
                    let da = -(wj.iter().zip(&layer.x).map(|(a, b)| a * b).sum::<f32>() + bias);
                    if e != 0.0 && d_loss != 0.0 {
                        assert!(da * e * d_loss < 0.0 || da == 0.0, "{config}: layer {l} node {j}: {da} {e} {d_loss}");
                    }
                }
            }
        }
    }
    assert!(helped[0] && helped[1], "both signs of dL were seen");
}

/// The estimate's narration gives this step's measured alignment, and what a negative cosine
/// means; with no measurement it says nothing.
#[test]
fn the_estimate_gives_the_steps_alignment_and_reads_negative_cosines() {
    let mut t = trainer("data=xor&rule=np&hidden=5");
    let mut negative = false;
    for _ in 0..30 {
        t.step().unwrap();
        let c = t.last_stats().alignment_all.unwrap();
        negative |= c < 0.0;
        let s = walk::walk(&t, 0).unwrap();
        let n = &sub(&s, "estimate G").narration;
        assert!(n.contains(&format!("cosine {c:.2} with the exact gradient")), "{n}");
        assert!(n.contains("below 0 G points away from it"), "{n}");
    }
    assert!(negative, "a single NP step's cosine is sometimes negative");
    t.set_diagnostics(false);
    t.step().unwrap();
    assert!(!sub(&walk::walk(&t, 0).unwrap(), "estimate G").narration.contains("cosine"));
}

/// Blind mode with K draws: every draw has its own pair of noisy passes, its dL and da are
/// measured within the pair (not against pass 0), and its credit multiplies the input of its
/// pair's first pass (the samples' shares, computed that way, add up to G: checked above).
#[test]
fn blind_draws_are_measured_within_their_own_pairs() {
    let (run, w) = walked("data=xor&rule=anp&mode=blind&draws=3&hidden=5", 4);
    let p = run.probe(4).unwrap();
    assert_eq!(p.pairs(), [(0, 1), (2, 3), (4, 5)]);
    for (r, q) in p.pairs() {
        // The page finds a pass's reference as the nearest pass before it whose dL is null.
        assert!(p.d_loss[r].is_nan(), "pass {r} is a reference");
        assert_eq!(p.d_loss[q], p.losses[q] - p.losses[r]);
    }
    assert_ne!(p.d_loss[3], p.losses[3] - p.losses[0], "not against pass 0");
    assert!(sub(&w, "this sample's share").narration.contains("its own first pass"));
    // With a clean reference, every noisy pass is measured against pass 0.
    let (run, _) = walked("data=xor&rule=anp&draws=3&hidden=5", 4);
    let p = run.probe(4).unwrap();
    assert_eq!(p.pairs(), [(0, 1), (0, 2), (0, 3)]);
    assert!(p.d_loss[0].is_nan());
    assert_eq!(p.d_loss[1..], [p.losses[1] - p.losses[0], p.losses[2] - p.losses[0], p.losses[3] - p.losses[0]]);
}

/// The noise panel's explanations (`explain()` in www/noise.js) count the passes: NP and ANP
/// "one clean pass, then a noisy pass (one per draw)", INP "a noisy pass per layer (and draw)",
/// blind mode "no pass is clean ... every draw has its own pair of noisy passes (2K passes)".
#[test]
fn the_panels_explanations_count_the_passes_right() {
    for (config, passes, clean) in [
        ("data=xor&rule=np&draws=3&hidden=5,4", 4, true),
        ("data=xor&rule=anp&draws=3&hidden=5,4", 4, true),
        ("data=xor&rule=inp&draws=2&hidden=5,4", 1 + 2 * 3, true),
        ("data=xor&rule=anp&mode=blind&draws=3&hidden=5,4", 6, false),
        ("data=xor&rule=bp&hidden=5,4", 1, true),
    ] {
        let t = trainer(config);
        let plan = t.plan();
        assert_eq!(plan.count(), passes, "{config}");
        assert_eq!(plan.noised[0].is_empty(), clean, "{config}: pass 0 clean");
        if config.contains("rule=inp") {
            // Each noisy pass perturbs one layer only.
            assert!(plan.noised[1..].iter().all(|n| n.len() == 1), "{config}");
        } else if passes > 1 {
            // Every other pass perturbs every layer at once.
            assert!(plan.noised[1..].iter().all(|n| n.len() == 3), "{config}");
        }
    }
}

/// WP's walk: the links of "weight noise" are draw 1's xi (the nodes their bias's), the same for
/// every sample; the loss change gives this sample's dL and the minibatch's, the one number WP
/// uses; "update along xi" is that number over sigma^2 times xi (G itself with one draw), and its
/// sign sentence is right.
#[test]
fn wp_walk_shows_the_weight_noise_the_minibatch_dl_and_the_update_along_it() {
    let mut signs = [false, false];
    for seed in 1..=6 {
        for draws in [1, 3] {
            let config = format!("data=xor&rule=wp&hidden=5,4&sigma=0.05&draws={draws}&seed={seed}");
            let (run, w) = walked(&config, 2);
            let t = run.trainer();
            let buf = t.last_update();
            let bsz = buf.trace.batch;
            let xi = &buf.probes[0];
            let noise = sub(&w, "weight noise");
            assert_eq!(noise.node_quantity, Quantity::WeightNoise);
            for l in 0..3 {
                assert_eq!(noise.links.as_ref().unwrap()[l], shown(t, l, |j, i| xi.w[l][[j, i]]), "{config}");
            }
            // The same network for every sample: the walk of another sample shows the same xi.
            let other = run.walk(5).unwrap();
            assert_eq!(sub(&other, "weight noise").links, noise.links);
            // dL: the sample's and the minibatch's mean, which the rule used.
            let sample_dl = buf.losses[bsz + 2] - buf.losses[2];
            let mean_dl: f32 = (0..bsz).map(|b| buf.losses[bsz + b] - buf.losses[b]).sum::<f32>() / bsz as f32;
            let dl = buf.directional[0];
            assert!((dl - mean_dl).abs() <= 1e-5 * mean_dl.abs().max(1e-4), "{config}: {dl} vs {mean_dl}");
            let loss = sub(&w, "loss change");
            assert!(loss.narration.contains(&format!("this sample's dL = {}", g(sample_dl))), "{}", loss.narration);
            assert!(
                loss.narration.contains(&format!("dL = {} over the B = {bsz} samples", g(dl))),
                "{}",
                loss.narration
            );
            let up = sub(&w, "update along \u{3be}");
            let c = dl / (0.05 * 0.05);
            assert!(
                up.narration.contains(&format!("G = dL\u{b7}\u{3be}/\u{3c3}\u{b2} = {}\u{b7}\u{3be}", g(c))),
                "{}",
                up.narration
            );
            signs[usize::from(dl < 0.0)] = true;
            assert_eq!(up.narration.contains("happened to help"), dl < 0.0, "{}", up.narration);
            assert_eq!(up.narration.contains("points every weight along its noise"), dl < 0.0, "{}", up.narration);
            for l in 0..3 {
                let term = &up.links.as_ref().unwrap()[l];
                if draws == 1 {
                    // One draw: the term is G.
                    for (&a, &b) in term.iter().zip(&w.estimate[l]) {
                        assert!((a - b).abs() <= 1e-5 * b.abs().max(1e-3), "{config}: {a} vs G {b}");
                    }
                }
                // -G moves every weight along xi when dL < 0: the term is c xi / K.
                for (&a, &x) in term.iter().zip(&noise.links.as_ref().unwrap()[l]) {
                    assert!((a - c * x / draws as f32).abs() <= 1e-6 * (c * x).abs().max(1e-6));
                }
            }
            assert!(!titles(&w).contains(&"noise"), "no activity noise in WP");
            assert!(run.probe(2).unwrap().layers.iter().all(|l| l.passes.iter().all(|p| p.eps.is_none())));
        }
    }
    assert!(signs[0] && signs[1], "both signs of dL were seen");
}

/// The forward gradients' walks: FG-W's links show v and its forward wave the tangent of every
/// pre-activation; a sample's d (from the wave at the logits) averages over the minibatch to the
/// d the rule used. FG-A's nodes show u, then the wave, d is the rule's d_{k,b} and the credit is
/// d times u (averaged over the draws), as docs/learning-rules.md writes it.
#[test]
fn forward_gradient_walks_show_the_tangent_the_wave_and_d() {
    for seed in 1..=3 {
        let config = format!("data=xor&rule=fgw&hidden=5,4&draws=2&seed={seed}");
        let (run, w) = walked(&config, 1);
        let t = run.trainer();
        let buf = t.last_update();
        let bsz = buf.trace.batch;
        let tangent = sub(&w, "tangent");
        for l in 0..3 {
            assert_eq!(tangent.links.as_ref().unwrap()[l], shown(t, l, |j, i| buf.probes[0].w[l][[j, i]]));
            let wave = &sub(&w, "forward wave").nodes[l + 1];
            let n = buf.tangent_a[l].ncols();
            assert_eq!(wave, &buf.tangent_a[l].as_slice().unwrap()[n..2 * n].to_vec(), "sample 1, draw 1");
        }
        for k in 0..2 {
            let mean: f32 =
                (0..bsz).map(|b| np_playground::view::probe::fgw_sample_d(t, k, b)).sum::<f32>() / bsz as f32;
            let d = buf.directional[k];
            assert!((mean - d).abs() <= 1e-4 * d.abs().max(1e-3), "{config}: draw {k}: {mean} vs {d}");
        }
        let p = run.probe(1).unwrap();
        let dn = &sub(&w, "derivative d").narration;
        assert!(dn.contains(&format!("d = {}", g(p.sample_d[0]))) && dn.contains(&g(buf.directional[0])), "{dn}");

        let config = format!("data=xor&rule=fga&hidden=5,4&draws=2&seed={seed}");
        let (run, w) = walked(&config, 1);
        let t = run.trainer();
        let buf = t.last_update();
        let bsz = buf.trace.batch;
        let dn = &sub(&w, "derivative d").narration;
        assert!(dn.contains(&format!("d = {}", g(buf.directional[1]))), "{dn}");
        for l in 0..3 {
            let n = buf.unit_tangents[l].ncols();
            let u = |k: usize| &buf.unit_tangents[l].as_slice().unwrap()[(k * bsz + 1) * n..(k * bsz + 2) * n];
            assert_eq!(sub(&w, "tangent").nodes[l + 1], u(0).to_vec());
            let credit = &sub(&w, "credit").nodes[l + 1];
            for (j, &c) in credit.iter().enumerate() {
                let want = (buf.directional[1] * u(0)[j] + buf.directional[bsz + 1] * u(1)[j]) / 2.0;
                assert!((c - want).abs() <= 1e-5 * want.abs().max(1e-3), "{config}: {c} vs {want}");
            }
        }
    }
}

/// The noise panel's explanations of the new rules count their passes: wp "one clean pass, then
/// a noisy pass (one per draw)"; fgw and fga one clean pass and a tangent pass beside it (no
/// noisy pass).
#[test]
fn the_panels_explanations_of_the_new_rules_count_their_passes() {
    for (config, passes) in
        [("data=xor&rule=wp&draws=3", 4), ("data=xor&rule=fgw&draws=3", 1), ("data=xor&rule=fga&draws=3", 1)]
    {
        let mut t = trainer(config);
        assert_eq!(t.plan().count(), passes, "{config}");
        t.step().unwrap();
        assert_eq!(t.last_update().losses.len(), passes * t.last_update().trace.batch, "{config}");
    }
}
