//! The cost model (`run::cost`) against what runs really do: its memory within a quarter of the
//! bytes a trainer holds after a step and a full evaluation (data, parameters, optimiser state,
//! every buffer), its work growing as the products do, and its limits refusing what the hardening
//! issue found (a 1.85 GB allocation, minutes per step) with a message that names the setting.

use np_playground::data::Sources;
use np_playground::run::cost::{self, MAX_BYTES, MAX_WORK, Shape};
use np_playground::{RunConfig, Trainer};

fn cost_of(config: &str) -> cost::Cost {
    let c = RunConfig::parse_unvalidated(config).unwrap();
    cost::cost(&c, &Shape::of(&c, &Sources::default()).unwrap())
}

#[test]
fn memory_matches_what_a_trainer_holds() {
    for config in [
        "data=xor&rule=np",
        "data=xor&rule=inp&draws=8&hidden=64,64",
        "data=spiral&rule=danp&hidden=128,128&batch=50",
        "data=moons&rule=anp&mode=blind&hidden=256&batch=100&n=2000",
        "data=checker&rule=dbp&hidden=300,200,100&opt=sgd&batch=64&n=1000",
        "data=gauss&rule=dinp&draws=4&hidden=512&batch=200&n=2000",
    ] {
        let cfg = RunConfig::parse(config).unwrap();
        let mut t = Trainer::new(cfg.clone()).unwrap();
        t.step().unwrap();
        t.evaluate();
        let real = t.bytes() as f64;
        let model = cost_of(config).bytes as f64;
        println!("{config}: model {model} bytes, trainer {real} bytes ({:.2})", model / real);
        assert!((0.75..=1.35).contains(&(model / real)), "{config}: model {model} bytes, trainer holds {real}");
    }
}

#[test]
fn work_follows_the_products() {
    let w = |c: &str| cost_of(c).work as f64;
    // Twice the batch, about twice the work.
    let r = w("data=xor&rule=np&hidden=256,256&batch=200") / w("data=xor&rule=np&hidden=256,256&batch=100");
    assert!((1.8..=2.1).contains(&r), "batch x2: {r}");
    // INP runs a noisy pass per layer: more work than NP, and K draws multiply the noisy passes.
    assert!(w("data=xor&rule=inp&hidden=256,256&batch=100") > w("data=xor&rule=np&hidden=256,256&batch=100"));
    let k = w("data=xor&rule=np&draws=8&hidden=256,256&batch=100") / w("data=xor&rule=np&hidden=256,256&batch=100");
    assert!(k > 2.0, "8 draws: {k}");
    // Decorrelation adds O(B d^2) per layer.
    assert!(w("data=mnist&rule=dnp") > 3.0 * w("data=mnist&rule=np"));
}

#[test]
fn the_limits_refuse_the_reproducers_and_name_what_to_lower() {
    let e = RunConfig::parse("v=1&n=10000&hidden=1024,1024,1024,1024,1024,1024,1024,1024&rule=dnp&draws=64&batch=31")
        .unwrap_err();
    assert!(e.message.starts_with("too large") && e.message.contains("limit"), "{e}");
    assert!(["hidden", "batch", "draws"].contains(&e.key.as_str()), "{e}");
    // The 1.85 GB allocation came from the input layer's buffer for every pass; it holds one now.
    let c = cost_of("v=1&data=mnist&hidden=1,1,1,1,1,1,1,1&rule=inp&draws=64&batch=1024");
    assert!(c.bytes < MAX_BYTES && c.work < MAX_WORK, "{c:?}");
    // The digits at their defaults, with every rule and a comparison, fit.
    for config in ["data=mnist&rule=np", "data=mnist&rule=dnp", "data=mnist&rule=danp", "data=mnist&rule=inp&draws=4"] {
        RunConfig::parse(config).unwrap_or_else(|e| panic!("{config}: {e}"));
    }
    let link = np_playground::run::link::Link::parse_strict("data=mnist&rule=np&compare=dnp").unwrap();
    assert_eq!(link.compare.len(), 1);
    // Four decorrelated runs on the digits together are too much: compare is named.
    let e = np_playground::run::link::Link::parse_strict("data=mnist&rule=dnp&compare=danp,dinp,dbp").unwrap_err();
    assert!(e.key == "compare" && e.message.contains("left out") && e.message.contains("runs"), "{e}");
}

/// Issue 16: `compare=inp,dnp,bp` on the digits dropped two runs and cited "175 MiB (limit 512
/// MiB)", under the limit, beside the real one. The message names the limit exceeded with both
/// figures, and the change it suggests fits: the link with it keeps every run.
#[test]
fn a_dropped_run_names_the_limit_exceeded_and_a_change_that_fits() {
    use np_playground::run::link::Link;
    let l = Link::parse("#v=1&data=mnist&rule=np&compare=inp,dnp,bp");
    println!("{:#?}", l.problems);
    // Only the run that does not fit is left out: np, inp and bp fit together.
    let kept: Vec<&str> = l.compare.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(kept, ["inp", "bp"]);
    assert_eq!(l.problems.len(), 1);
    let p = &l.problems[0];
    assert_eq!((p.key.as_str(), p.value.as_str()), ("compare", "dnp"));
    let m = &p.message;
    assert!(m.contains("over the work limit of 500 M"), "{m}");
    assert!(!m.contains("over the memory limit"), "memory is within its limit: {m}");
    assert!(m.contains("the memory, ") && m.contains("is within the limit of 512 MiB"), "{m}");
    assert!(m.contains("beside np, inp and bp, these 4 runs would need"), "{m}");
    // The need it cites is the real total of the four runs, and over the limit.
    let runs: Vec<RunConfig> =
        ["np", "inp", "dnp", "bp"].iter().map(|r| RunConfig::parse(&format!("data=mnist&rule={r}")).unwrap()).collect();
    let shape = Shape::of(&runs[0], &Sources::default()).unwrap();
    let total = cost::total(&runs.iter().map(|c| (c, shape)).collect::<Vec<_>>());
    assert!(total.work > MAX_WORK && total.bytes < MAX_BYTES);
    assert!(m.contains(&format!("{} multiply-adds per step", cost::human_count(total.work))), "{m}");
    assert!(m.contains(&format!("the memory, {},", cost::human_bytes(total.bytes))), "{m}");
    // Each change it suggests, applied to the link, keeps all four runs.
    let changes = suggested(m);
    assert!(!changes.is_empty() && changes[0].starts_with("batch="), "{m}");
    for change in changes {
        let l = Link::parse(&format!("#v=1&data=mnist&rule=np&compare=inp,dnp,bp&{change}"));
        assert!(l.problems.is_empty() && l.compare.len() == 3, "{change}: {:?}", l.problems);
    }
}

/// The `key=value` changes a message suggests (`... batch=50, hidden=128,128 or draws=2 would
/// fit ...`).
fn suggested(m: &str) -> Vec<String> {
    let Some(end) = m.find(" would fit") else { return Vec::new() };
    let start = m[..end].rfind(['(', ';']).map_or(0, |i| i + 1);
    m[start..end].trim().split(" or ").flat_map(|s| s.split(", ")).map(str::to_string).collect()
}

/// A run too large alone: the message names the limit exceeded (memory, work or both) with both
/// figures, and each value it suggests makes the run fit.
#[test]
fn a_run_too_large_names_its_limit_and_values_that_fit() {
    for (config, memory, work) in [
        ("data=mnist&hidden=1024,1024,1024,1024,1024,1024,1024,1024&rule=dnp&batch=64&draws=64", true, true),
        ("v=1&n=10000&hidden=1024,1024,1024,1024,1024,1024,1024,1024&rule=dnp&draws=64&batch=31", false, true),
        ("data=mnist&rule=dnp&batch=400", false, true),
        ("data=mnist&rule=inp&draws=16&hidden=1024,1024&batch=300", false, true),
    ] {
        let e = RunConfig::parse(config).unwrap_err();
        let c = cost_of(config);
        assert_eq!((c.bytes > MAX_BYTES, c.work > MAX_WORK), (memory, work), "{config}: {c:?}");
        let m = &e.message;
        println!("{config}: {e}");
        assert!(m.starts_with("too large"), "{m}");
        assert_eq!(m.contains("over the memory limit of 512 MiB"), memory, "{m}");
        assert_eq!(m.contains("over the work limit of 500 M"), work, "{m}");
        if !memory {
            assert!(
                m.contains(&format!("the memory, {}, is within the limit of 512 MiB", cost::human_bytes(c.bytes))),
                "{m}"
            );
        }
        let changes = suggested(m);
        assert!(!changes.is_empty(), "{m}");
        for change in changes {
            let fixed = with(config, &change);
            RunConfig::parse(&fixed).unwrap_or_else(|e| panic!("{config} with {change}: {e}"));
        }
    }
}

/// `config` with `change` (`key=value`) in place of its own value of that key.
fn with(config: &str, change: &str) -> String {
    let key = change.split('=').next().unwrap();
    let mut parts: Vec<String> =
        config.split('&').filter(|p| p.split('=').next() != Some(key)).map(str::to_string).collect();
    parts.push(change.to_string());
    parts.join("&")
}

/// Runs over the memory limit only (many small runs of the digits): the message says memory, with
/// its figures, and that the work is within its limit; the seeds it suggests fit.
#[test]
fn runs_over_memory_only_say_so() {
    use np_playground::run::link::Link;
    let link = "data=mnist&batch=1&compare=inp,anp,bp&seeds=5";
    let l = Link::parse(link);
    println!("{:#?}", l.problems);
    assert!(!l.problems.is_empty());
    for p in &l.problems {
        assert!(p.message.contains("over the memory limit of 512 MiB"), "{p}");
        assert!(p.message.contains("the work per step, ") && p.message.contains("is within the limit of 500 M"), "{p}");
        assert!(!p.message.contains("over the work limit"), "{p}");
        let changes = suggested(&p.message);
        assert!(changes.iter().any(|c| c.starts_with("seeds=")), "{p}");
        for change in changes {
            let l = Link::parse(&with(link, &change));
            assert!(l.problems.is_empty() && l.compare.len() == 3, "{change}: {:?}", l.problems);
        }
    }
}
