//! Every rule lowers the loss; the D-variants do not diverge at the defaults; bad settings are
//! refused with a message that says why; divergence is reported, not hidden.

use np_playground::rules::{NoiseMode, Rule};
use np_playground::{RunConfig, TrainError, Trainer};

fn trained(config: &str, steps: u64) -> (f32, f32, Trainer) {
    let mut t = Trainer::new(RunConfig::parse(config).unwrap()).unwrap();
    t.set_diagnostics(false);
    let before = t.evaluate().train.loss;
    t.run(steps).unwrap_or_else(|e| panic!("{config}: {e}"));
    let after = t.evaluate().train.loss;
    (before, after, t)
}

#[test]
fn every_rule_lowers_the_loss_on_xor_and_circle() {
    for data in ["xor", "circle"] {
        for rule in Rule::ALL {
            let cfg = format!("v=1&data={data}&rule={}", rule.key());
            let (before, after, mut t) = trained(&cfg, 3000);
            let acc = t.evaluate().test.accuracy;
            println!("{cfg}: train loss {before:.3} -> {after:.3}, test accuracy {acc:.3}");
            assert!(after < 0.6 * before, "{cfg}: loss {before} -> {after}");
            assert!(acc > 0.7, "{cfg}: test accuracy {acc} (chance is 0.5)");
        }
    }
}

#[test]
fn blind_anp_learns_and_step_units_train_with_np() {
    for cfg in [
        "v=1&data=circle&rule=anp&mode=blind",
        "v=1&data=circle&rule=danp&mode=blind",
        "v=1&data=xor&rule=np&act=step&hidden=16&sigma=0.1&lr=0.01",
    ] {
        let (before, after, _) = trained(cfg, 2000);
        println!("{cfg}: {before:.3} -> {after:.3}");
        assert!(after < 0.7 * before, "{cfg}: loss {before} -> {after}");
    }
}

#[test]
fn decorrelated_variants_do_not_diverge_at_defaults() {
    for data in ["circle", "xor", "gauss", "spiral", "moons", "checker"] {
        for rule in ["dbp", "dnp", "dinp", "danp"] {
            let cfg = format!("v=1&data={data}&rule={rule}");
            let (_, after, t) = trained(&cfg, 1500);
            assert!(after.is_finite() && t.network().is_finite(), "{cfg} diverged");
            let r = t.network().layers[0].r.as_ref().unwrap();
            assert!(r.iter().all(|v| v.abs() < 100.0), "{cfg}: R grew to {r:?}");
        }
    }
}

#[test]
fn rules_that_cannot_run_say_why() {
    let e = RunConfig::parse("rule=bp&act=step").unwrap_err();
    assert_eq!(e.key, "rule");
    assert!(e.message.contains("derivative is zero"), "{e}");
    for rule in ["np", "dnp", "inp", "dinp", "bp"] {
        let e = RunConfig::parse(&format!("rule={rule}&mode=blind")).unwrap_err();
        assert_eq!(e.key, "mode", "{e}");
        assert!(e.message.contains(rule), "{e}");
    }
    assert!(
        Rule::from_key("anp")
            .unwrap()
            .unavailable_reason(np_playground::activation::Activation::Step, NoiseMode::Blind)
            .is_none()
    );
}

#[test]
fn divergence_is_reported_and_stops_the_run() {
    // SGD with a huge learning rate on MSE blows the weights up.
    let mut t =
        Trainer::new(RunConfig::parse("rule=bp&opt=sgd&lr=10&loss=mse&act=linear&hidden=32,32,32").unwrap()).unwrap();
    let err = t.run(5000).unwrap_err();
    let TrainError::Diverged { step, what } = &err;
    println!("{err}");
    assert!(*step > 0 && !what.is_empty());
    assert!(err.to_string().contains("learning rate"));
    // The trainer stays stopped rather than producing NaN steps.
    assert_eq!(t.step().unwrap_err(), err);
}

/// A blow-up that stays finite (the loss of this run reaches 1e7 at step 6 and 1e38 by step 20) is
/// divergence too: it would break every chart long before it became infinite.
#[test]
fn a_finite_blow_up_counts_as_divergence() {
    let mut t = Trainer::new(RunConfig::parse("v=1&loss=mse&act=tanh&rule=bp&opt=sgd&lr=3&seed=2").unwrap()).unwrap();
    let err = t.run(20).unwrap_err();
    let TrainError::Diverged { step, what } = &err;
    assert!(*step <= 20 && what.contains("above 1e6"), "{err}");
    assert!(t.step().is_err(), "stays stopped");
}

#[test]
fn diagnostics_report_alignment_and_correlation() {
    let mut t = Trainer::new(RunConfig::parse("rule=inp&hidden=8,8").unwrap()).unwrap();
    let s = t.step().unwrap().clone();
    let a = s.alignment.unwrap();
    assert_eq!(a.len(), 3);
    assert!(a.iter().all(|c| (-1.0..=1.0).contains(c)));
    assert_eq!(t.input_correlation().len(), 3);
    assert!(s.d_loss.is_some());
    t.set_diagnostics(false);
    assert!(t.step().unwrap().alignment.is_none());
}
