//! A run is a pure function of its configuration.

mod golden;

use np_playground::rng::{Rng, Stream};
use np_playground::{RunConfig, Trainer};

#[test]
fn golden_checksums_match_natively() {
    for &(config, steps, want) in golden::RUNS {
        let got = golden::checksum_after(config, steps);
        assert_eq!(got, want, "{config} after {steps} steps: got {got:016x}, golden {want:016x}");
    }
}

#[test]
fn same_config_twice_gives_the_same_checksum_and_diagnostics_do_not_change_it() {
    let cfg = RunConfig::parse("data=spiral&rule=dinp&draws=3&hidden=8,8,8").unwrap();
    let mut a = Trainer::new(cfg.clone()).unwrap();
    let mut b = Trainer::new(cfg).unwrap();
    b.set_diagnostics(false);
    a.run(200).unwrap();
    b.run(200).unwrap();
    assert_eq!(a.checksum(), b.checksum());
    let c = Trainer::new(RunConfig::parse("data=spiral&rule=dinp&draws=3&hidden=8,8,8&seed=2").unwrap()).unwrap();
    assert_ne!(a.checksum(), c.checksum(), "another seed must give another run");
}

#[test]
fn streams_are_independent_of_each_other() {
    // Changing the rule (which changes how much noise is drawn) keeps data and initial weights.
    let a = Trainer::new(RunConfig::parse("rule=np&seed=5").unwrap()).unwrap();
    let b = Trainer::new(RunConfig::parse("rule=inp&draws=4&sigma=0.1&seed=5").unwrap()).unwrap();
    assert_eq!(a.data().train.x, b.data().train.x);
    assert_eq!(a.checksum(), b.checksum(), "same seed and sizes: same initial weights");
    // Changing the data's noise keeps the initial weights.
    let c = Trainer::new(RunConfig::parse("rule=np&seed=5&noise=0.3").unwrap()).unwrap();
    assert_eq!(a.checksum(), c.checksum());
    assert_ne!(a.data().train.x, c.data().train.x);
    // The derived streams differ from each other.
    let first = |s| Rng::stream(5, s).next_u64();
    let all = [first(Stream::Data), first(Stream::Init), first(Stream::Batches), first(Stream::Noise)];
    for i in 0..4 {
        for j in i + 1..4 {
            assert_ne!(all[i], all[j]);
        }
    }
}

#[test]
fn reset_means_rebuilding_from_the_config() {
    let cfg = RunConfig::parse("rule=anp").unwrap();
    let mut t = Trainer::new(cfg.clone()).unwrap();
    let initial = t.checksum();
    t.run(50).unwrap();
    assert_ne!(t.checksum(), initial, "training must change the weights");
    assert_eq!(Trainer::new(cfg).unwrap().checksum(), initial);
}
