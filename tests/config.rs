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
        (
            any::<bool>(),
            1e-5f32..1.0,
            1..10usize,
            0.0f32..0.1,
            0..=np_playground::run::config::MAX_SEED,
            any::<Option<u64>>(),
        ),
    )
        .prop_map(
            |(
                (d, n, noise, train, hidden),
                (act, mse, rule, sigma, draws, blind),
                (sgd, lr, batch, decor, seed, table),
            )| {
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
                    // Only an upload names a table.
                    table: table.filter(|_| DataSet::ALL[d] == DataSet::Upload),
                    ..RunConfig::default()
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

/// Issue 17: every `data=upload` run had the same string, so a second upload was not a new run.
/// The `table` key names the table; no other string changes.
#[test]
fn the_table_key_names_an_upload_and_changes_no_other_string() {
    // The default's canonical string, as before the key existed (the goldens' strings hold too:
    // tests/determinism.rs).
    assert_eq!(
        RunConfig::default().to_string(),
        "v=1&data=circle&n=400&noise=0.1&train=0.5&hidden=8,8&act=tanh&loss=ce&rule=np&sigma=0.01&draws=1&mode=clean&opt=adam&lr=0.01&batch=10&decor_lr=0.001&pts=&seed=1"
    );
    // Ignored (and not written) for other data.
    let c = RunConfig::parse("data=xor&table=0123456789abcdef").unwrap();
    assert_eq!(c.table, None);
    assert!(!c.to_string().contains("table"));
    // An upload naming none (a link from before the key) still parses, and writes none.
    let old = RunConfig::parse("v=1&data=upload").unwrap();
    assert_eq!(old.table, None);
    assert!(!old.to_string().contains("table"), "{old}");
    // Two tables, two strings.
    let a = RunConfig::parse("data=upload&table=0123456789ABCDEF").unwrap();
    assert_eq!(a.table, Some(0x0123_4567_89ab_cdef));
    assert!(a.to_string().contains("&table=0123456789abcdef&"), "{a}");
    let b = RunConfig::parse("data=upload&table=0123456789abcdee").unwrap();
    assert_ne!(a.to_string(), b.to_string());
    assert_eq!(RunConfig::parse(&a.to_string()).unwrap(), a);
    for bad in ["123", "0123456789abcdefg", "zz23456789abcdef", "-123456789abcdef"] {
        let e = RunConfig::parse(&format!("data=upload&table={bad}")).unwrap_err();
        assert_eq!((e.key.as_str(), e.value.as_str()), ("table", bad));
        assert!(e.message.contains("16 hex digits"), "{e}");
    }
    // The check a run makes of the table it is given: the message names both ids.
    let table = np_playground::data::csv::parse_csv("x,y,l\n1,2,a\n3,4,b\n").unwrap();
    let e = a.check_table(Some(&table)).unwrap_err();
    assert!(e.message.contains("0123456789abcdef") && e.message.contains(&table.id_hex()), "{e}");
    let named = RunConfig { table: Some(table.id), ..a.clone() };
    assert!(named.check_table(Some(&table)).is_ok() && old.check_table(Some(&table)).is_ok());
}

/// Issue 17: `compare=inp` listed 300 times gave 299 messages; one now, with the count.
#[test]
fn a_repeated_compare_item_is_reported_once_with_its_count() {
    use np_playground::run::link::Link;
    let l = Link::parse(&format!("data=xor&compare={}", vec!["inp"; 300].join(",")));
    assert_eq!(l.compare.len(), 1, "inp runs once");
    assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
    assert!(l.problems[0].message.contains("listed 300 times"), "{:?}", l.problems);
    // Junk repeated: one message with its count; many items over the cap: one message.
    let l = Link::parse(&format!("data=xor&compare={}", vec!["zz"; 200].join(",")));
    assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
    assert!(l.problems[0].message.contains("not a rule") && l.problems[0].message.contains("200 times"));
    let l = Link::parse("data=xor&compare=inp,anp,bp,dnp,dinp,danp,dbp");
    assert_eq!(l.compare.len(), 3);
    assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
    assert!(l.problems[0].message.contains("left out dnp, dinp, danp, dbp"), "{:?}", l.problems);
    // Many different bad items: a few named, the rest counted.
    let many: Vec<String> = (0..50).map(|i| format!("x{i}")).collect();
    let l = Link::parse(&format!("data=xor&compare={}", many.join(",")));
    assert_eq!(l.problems.len(), np_playground::run::link::MAX_ITEM_PROBLEMS + 1, "{:?}", l.problems);
    assert!(l.problems.last().unwrap().message.contains("and 45 more"), "{:?}", l.problems);
    // A hide list repeated: each unknown name once.
    let l = Link::parse(&format!("data=xor&hide={}", vec!["nope"; 100].join(",")));
    assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
}
