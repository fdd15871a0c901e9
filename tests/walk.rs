//! One update in slow motion: the walk's sub-steps for every kind of rule, read from the step's
//! own buffers, with the numbers the rules use.

use np_playground::view::live::LiveRun;
use np_playground::view::walk::{Quantity, Walk};
use np_playground::{RunConfig, Trainer};

fn walked(config: &str, sample: usize) -> (LiveRun, Walk) {
    let cfg = RunConfig::parse(config).unwrap();
    let mut run = LiveRun::new(Trainer::new(cfg).unwrap(), "run");
    assert!(run.walk(0).is_none(), "nothing to walk before the first step");
    run.run(3).unwrap();
    let w = run.walk(sample).unwrap();
    (run, w)
}

fn titles(w: &Walk) -> Vec<&str> {
    w.steps.iter().map(|s| s.title.as_str()).collect()
}

#[test]
fn np_walk_shows_noise_change_loss_credit_and_weight_changes() {
    let (run, w) = walked("data=xor&rule=np&hidden=5,4&sigma=0.05", 2);
    assert_eq!(
        titles(&w),
        ["clean pass", "noise", "noisy pass", "loss change", "credit", "weight change", "batch average"]
    );
    let probe = run.probe(2).unwrap();
    // The credit on every node is dL * eps / sigma^2 of this sample, from the step's buffers.
    let credit = &w.steps[4];
    assert_eq!(credit.node_quantity, Quantity::Credit);
    let d_loss = probe.losses[1] - probe.losses[0];
    for (l, layer) in probe.layers.iter().enumerate() {
        let eps = layer.passes[1].eps.as_ref().unwrap();
        for (k, &v) in credit.nodes[l + 1].iter().enumerate() {
            let want = d_loss / (0.05 * 0.05) * eps[k];
            assert!((v - want).abs() <= 1e-4 * want.abs().max(1.0), "layer {l} node {k}: {v} vs {want}");
        }
    }
    // The meter holds the two losses.
    let m = w.steps[3].meter.unwrap();
    assert_eq!((m.reference, m.noisy, m.d_loss), (probe.losses[0], probe.losses[1], d_loss));
    // A link's change for the sample is -lr * credit * x.
    let dw = w.steps[5].links.as_ref().unwrap();
    let x = &probe.layers[1].x;
    let want = -0.01 * probe.layers[1].signal[0] * x[0];
    assert!((dw[1][0] - want).abs() <= 1e-6, "{} vs {want}", dw[1][0]);
    // The batch average is -G, what the optimiser received.
    let g = &run.trainer().last_update().grads.w[0];
    assert_eq!(w.steps[6].links.as_ref().unwrap()[0][0], -g[[0, 0]]);
    for s in &w.steps {
        assert!(s.narration.ends_with('.') && s.narration.len() > 30, "{}", s.narration);
    }
}

#[test]
fn each_rule_has_its_own_sub_steps() {
    // INP: one noisy pass per layer (three weight layers).
    let (_, w) = walked("data=xor&rule=inp&hidden=6,6", 0);
    assert_eq!(titles(&w).iter().filter(|t| **t == "noise in one layer").count(), 3);
    // ANP: the measured change and the network-wide norm.
    let (_, w) = walked("data=xor&rule=anp", 0);
    assert!(w.steps.iter().any(|s| s.narration.contains("\u{2016}\u{394}a\u{2016}")));
    // Blind: two noisy passes, and the noise is never shown (it is never observed).
    let (_, w) = walked("data=xor&rule=anp&mode=blind", 1);
    assert_eq!(&titles(&w)[..2], ["first noisy pass", "second noisy pass"]);
    assert!(w.steps.iter().all(|s| s.node_quantity != Quantity::Noise), "{:?}", titles(&w));
    // D-variants: R in front of each layer first.
    let (_, w) = walked("data=xor&rule=dnp", 0);
    assert_eq!(titles(&w)[0], "decorrelation");
    // BP: the forward pass, the output error, then the backward wave down to the first layer.
    let (_, w) = walked("data=xor&rule=bp&hidden=4,4", 0);
    assert_eq!(
        titles(&w),
        ["forward pass", "output error", "backward wave", "backward wave", "weight change", "batch average"]
    );
    // More draws: the narration says which draw is shown.
    let (_, w) = walked("data=xor&rule=np&draws=4", 0);
    assert!(w.steps[1].narration.contains("draw 1 of K = 4"));
}
