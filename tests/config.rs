//! The config codec: round trips (property test), defaults, and every bad-input case.

use np_playground::RunConfig;
use np_playground::activation::Activation;
use np_playground::data::DataSet;
use np_playground::loss::Loss;
use np_playground::optimizer::Optimizer;
use np_playground::rules::{NoiseMode, Rule};
use np_playground::run::codec::KEYS;
use proptest::prelude::*;

fn arb_config() -> impl Strategy<Value = RunConfig> {
    (
        (0..8usize, 20..2000usize, 0.0f32..1.0, 0.1f32..0.9, prop::collection::vec(1..64usize, 0..4)),
        (0..6usize, any::<bool>(), 0..8usize, 1e-4f32..1.0, 1..8usize, any::<bool>()),
        (any::<bool>(), 1e-5f32..1.0, 1..10usize, 0.0f32..0.1, 0..=np_playground::run::config::MAX_SEED),
    )
        .prop_map(
            |((d, n, noise, train, hidden), (act, mse, rule, sigma, draws, blind), (sgd, lr, batch, decor, seed))| {
                RunConfig {
                    data: DataSet::ALL[d],
                    points: n,
                    data_noise: noise,
                    train_fraction: train,
                    hidden_sizes: hidden,
                    activation: Activation::ALL[act],
                    loss: if mse { Loss::MeanSquared } else { Loss::CrossEntropy },
                    rule: Rule::ALL[rule],
                    noise_std: sigma,
                    draws,
                    mode: if blind { NoiseMode::Blind } else { NoiseMode::Clean },
                    optimizer: if sgd { Optimizer::Sgd } else { Optimizer::Adam },
                    learning_rate: lr,
                    batch_size: batch,
                    decor_learning_rate: decor,
                    seed,
                    drawn_points: String::new(),
                }
            },
        )
        .prop_filter("valid combinations", |c| c.validate().is_ok())
}

proptest! {
    #[test]
    fn encode_then_parse_is_identity(c in arb_config()) {
        let s = c.to_string();
        prop_assert!(s.starts_with("v=1&"));
        prop_assert_eq!(RunConfig::parse(&s).unwrap(), c);
    }

    #[test]
    fn parse_never_panics(s in ".{0,200}") {
        let _ = RunConfig::parse(&s);
    }

    #[test]
    fn key_order_does_not_matter(c in arb_config()) {
        let s = c.to_string();
        let mut parts: Vec<&str> = s.split('&').collect();
        parts.reverse();
        prop_assert_eq!(RunConfig::parse(&parts.join("&")).unwrap(), c);
    }
}

#[test]
fn missing_keys_take_defaults_and_fragment_prefix_is_ignored() {
    assert_eq!(RunConfig::parse("").unwrap(), RunConfig::default());
    assert_eq!(RunConfig::parse("#v=1").unwrap(), RunConfig::default());
    let c = RunConfig::parse("?data=xor&hidden=16%2C4").unwrap();
    assert_eq!(c.data, DataSet::Xor);
    assert_eq!(c.hidden_sizes, vec![16, 4]);
    assert_eq!(RunConfig::parse("hidden=").unwrap().hidden_sizes, Vec::<usize>::new());
}

#[test]
fn every_bad_input_names_its_key_and_value() {
    let cases: &[(&str, &str, &str)] = &[
        ("v=2", "v", "2"),
        ("color=red", "color", "red"),
        ("data=mnist9", "data", "mnist9"),
        ("n=5", "n", "5"),
        ("n=100000", "n", "100000"),
        ("n=abc", "n", "abc"),
        ("noise=-1", "noise", "-1"),
        ("noise=NaN", "noise", "NaN"),
        ("train=1", "train", "1"),
        ("hidden=8,,8", "hidden", "8,,8"),
        ("hidden=0", "hidden", "0"),
        ("hidden=2000", "hidden", "2000"),
        ("hidden=1,1,1,1,1,1,1,1,1", "hidden", "1,1,1,1,1,1,1,1,1"),
        ("act=gelu", "act", "gelu"),
        ("loss=hinge", "loss", "hinge"),
        ("rule=fa", "rule", "fa"),
        ("sigma=0", "sigma", "0"),
        ("sigma=inf", "sigma", "inf"),
        ("draws=0", "draws", "0"),
        ("draws=65", "draws", "65"),
        ("mode=dark", "mode", "dark"),
        ("opt=rmsprop", "opt", "rmsprop"),
        ("lr=0", "lr", "0"),
        ("lr=11", "lr", "11"),
        ("batch=0", "batch", "0"),
        ("batch=5000", "batch", "5000"),
        ("batch=300", "batch", "300"), // larger than the 200 training points
        ("decor_lr=2", "decor_lr", "2"),
        ("seed=-1", "seed", "-1"),
        ("seed=9007199254740992", "seed", "9007199254740992"),
        ("seed=1&seed=2", "seed", "2"),
        ("lr", "lr", ""),
        ("n=%zz", "n", "%zz"),
        ("rule=np&mode=blind", "mode", "blind"),
        ("rule=bp&act=step", "rule", "bp"),
        // too large: the setting whose halving helps most is named
        ("hidden=1024,1024,1024&draws=64&rule=inp&batch=200", "hidden", "1024,1024,1024"),
        ("pts=1!!!!", "pts", "1!!!!"),
        ("pts=2AAAA", "pts", "2AAAA"),
        ("data=points", "pts", ""),
        ("data=mnist&batch=9000", "batch", "9000"),
    ];
    for &(input, key, value) in cases {
        let e = RunConfig::parse(input).expect_err(input);
        assert_eq!((e.key.as_str(), e.value.as_str()), (key, value), "{input}: {e}");
        assert!(!e.message.is_empty());
        let shown = e.to_string();
        assert!(shown.contains(key), "{input}: message {shown:?} does not name the key");
    }
}

#[test]
fn long_values_are_cut_in_messages_and_huge_strings_refused() {
    let long = format!("data={}", "x".repeat(500));
    let e = RunConfig::parse(&long).unwrap_err();
    assert!(e.value.len() < 50, "{e}");
    assert!(RunConfig::parse(&"&".repeat(10_000)).is_err());
}

#[test]
fn every_key_has_help_and_an_encoding() {
    let d = RunConfig::default();
    for k in KEYS {
        assert!(!k.help.is_empty());
        assert!(d.get(k.key).is_some());
    }
}
