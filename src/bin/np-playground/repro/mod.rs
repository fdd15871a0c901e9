//! `np-playground repro [--quick]`: the reproduction report.
//!
//! Measures, on the MNIST subset, (a) the alignment of NP, INP and ANP (and blind ANP) with the
//! true gradient at initialisation over batch sizes, noise draws K and widths; (b) test accuracy
//! over epochs of all eight methods at their best learning rate from a small grid, several seeds;
//! (c) ANP and DANP with clean against blind noise; (d) the time every rule takes; and what
//! decorrelation's speed-up depends on (mean-centred against raw inputs, the decorrelation rate).
//!
//! The full suite writes `docs/results.md` and `docs/results/*.svg`; `--quick` runs a small
//! version (mnist14, one seed, two epochs) into `target/repro-quick/` and fails if an ordering
//! that the full report confirms does not hold. The measured numbers are also cached (in
//! `target/repro/data.json` or `target/repro-quick/data.json`) so `--render-only` can rewrite the
//! report without training again.

mod align;
mod pool;
mod report;
mod runs;

use std::path::{Path, PathBuf};
use std::time::Instant;

use align::{AlignCell, AlignSettings};
use runs::{Ctx, Inputs, Job, RunResult, Sets, Timing};

pub const RULES: [&str; 8] = ["bp", "dbp", "np", "dnp", "inp", "dinp", "anp", "danp"];
/// The perturbation family beside NP (issue 18), trained like the main rules (learning-rate
/// selection, the main runs over every seed, the timing) and reported in their own section.
pub const FAMILY: [&str; 3] = ["wp", "fgw", "fga"];

/// Everything the suite runs; a function of `--quick` only.
#[derive(Clone, Debug)]
pub struct Settings {
    pub quick: bool,
    pub data: &'static str,
    pub pool: bool,
    pub hidden: usize,
    pub align: AlignSettings,
    pub lr_grid: Vec<f32>,
    pub select_epochs: f64,
    pub select_seed: u64,
    pub holdout: usize,
    pub seeds: Vec<u64>,
    pub epochs: f64,
    pub long_epochs: f64,
    pub long_rules: Vec<&'static str>,
    pub blind_rules: Vec<&'static str>,
    pub blind_epochs: f64,
    pub centred_rules: Vec<&'static str>,
    pub centred_epochs: f64,
    pub decor_default: f32,
    /// Decorrelation rates tried besides the default (whose runs are the main runs).
    pub decor_rates: Vec<f32>,
    pub decor_rules: Vec<&'static str>,
    pub decor_epochs: f64,
    pub out_dir: PathBuf,
    pub cache: PathBuf,
    /// `--family`: NP and the perturbation family only, reported on their own.
    pub family_only: bool,
}

impl Settings {
    pub fn new(quick: bool) -> Settings {
        let decor_default = np_playground::RunConfig::default().decor_learning_rate;
        let sigma = np_playground::RunConfig::default().noise_std;
        if quick {
            Settings {
                quick,
                data: "mnist14",
                pool: true,
                hidden: 128,
                align: AlignSettings {
                    widths: vec![16, 64],
                    batches: vec![8, 128],
                    draws: vec![1, 16],
                    trials: 12,
                    sigma,
                },
                lr_grid: vec![1e-3, 3e-3],
                select_epochs: 0.5,
                select_seed: 100,
                holdout: 1000,
                seeds: vec![1],
                epochs: 2.0,
                long_epochs: 2.0,
                long_rules: vec![],
                blind_rules: vec!["anp", "danp"],
                blind_epochs: 2.0,
                centred_rules: vec!["anp", "danp"],
                centred_epochs: 1.0,
                decor_default,
                decor_rates: vec![1e-2],
                decor_rules: vec!["danp"],
                decor_epochs: 1.0,
                out_dir: PathBuf::from("target/repro-quick"),
                cache: PathBuf::from("target/repro-quick/data.json"),
                family_only: false,
            }
        } else {
            Settings {
                quick,
                data: "mnist",
                pool: false,
                hidden: 256,
                align: AlignSettings {
                    widths: vec![16, 64, 256],
                    batches: vec![8, 32, 128],
                    draws: vec![1, 4, 16],
                    trials: 100,
                    sigma,
                },
                lr_grid: vec![3e-4, 1e-3, 3e-3],
                select_epochs: 3.0,
                select_seed: 100,
                holdout: 1000,
                seeds: vec![1, 2, 3],
                epochs: 20.0,
                long_epochs: 50.0,
                long_rules: vec!["np", "dnp", "anp", "danp"],
                blind_rules: vec!["anp", "danp"],
                blind_epochs: 20.0,
                centred_rules: vec!["np", "dnp", "anp", "danp"],
                centred_epochs: 10.0,
                decor_default,
                decor_rates: vec![1e-4, 1e-2],
                decor_rules: vec!["dnp", "danp"],
                decor_epochs: 10.0,
                out_dir: PathBuf::from("docs"),
                cache: PathBuf::from("target/repro/data.json"),
                family_only: false,
            }
        }
    }

    pub fn n_inputs(&self) -> usize {
        if self.pool { 196 } else { 784 }
    }
    pub fn net_desc(&self) -> String {
        format!("{}-{}-{}-10", self.n_inputs(), self.hidden, self.hidden)
    }
    pub fn command(&self) -> &'static str {
        if self.quick { "cargo run --release -- repro --quick" } else { "cargo run --release -- repro" }
    }
}

/// Everything measured.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Results {
    pub align: Vec<AlignCell>,
    pub runs: Vec<RunResult>,
    pub timing: Vec<Timing>,
    pub phases: Vec<(String, f64)>,
    pub total_secs: f64,
    pub threads: usize,
    /// Seconds since the Unix epoch when the suite started.
    pub started: u64,
    /// Share of the training inputs' uncentred second moment carried by their mean,
    /// `||mean||^2 / E||x||^2` (computed from the digits, not cached).
    #[serde(skip)]
    pub mean_share: f64,
}

impl Results {
    /// The learning rate chosen for `rule` (highest held-out accuracy at the end of its selection
    /// run; a diverged run never wins; ties go to the smaller rate).
    pub fn chosen_lr(&self, rule: &str) -> Option<f32> {
        let mut best: Option<(f32, f32)> = None;
        for r in self.runs.iter().filter(|r| r.job.group == "select" && r.job.rule == rule && r.error.is_none()) {
            let acc = r.final_point().map_or(f32::NAN, |p| p.test_acc);
            if !acc.is_finite() {
                continue;
            }
            let better = match best {
                None => true,
                Some((a, lr)) => acc > a || (acc == a && r.job.lr < lr),
            };
            if better {
                best = Some((acc, r.job.lr));
            }
        }
        best.map(|b| b.1)
    }
}

fn parse_args(args: &[String]) -> Result<(bool, usize, bool, bool), String> {
    let (mut quick, mut threads, mut render_only, mut family) = (false, 2usize, false, false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--family" => family = true,
            "--render-only" => render_only = true,
            "--threads" => {
                threads = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n: &usize| (1..=64).contains(&n))
                    .ok_or("--threads expects a whole number from 1 to 64")?
            }
            other => {
                return Err(format!(
                    "repro: unknown option {other} (usage: np-playground repro [--quick] [--family] [--threads N] [--render-only])"
                ));
            }
        }
    }
    Ok((quick, threads, render_only, family))
}

pub fn run(args: &[String]) -> Result<(), String> {
    let (quick, threads, render_only, family) = parse_args(args)?;
    let mut s = Settings::new(quick);
    if family {
        // Only NP and the perturbation family (issue 18): the alignment grid of NP, WP, FG-W and
        // FG-A, their learning-rate selection, main runs and timing, into a report of their own.
        s.family_only = true;
        s.out_dir = PathBuf::from(if quick { "target/repro-family-quick" } else { "target/repro-family" });
        s.cache = s.out_dir.join("data.json");
        s.long_rules.clear();
        s.blind_rules.clear();
        s.centred_rules.clear();
        s.decor_rules.clear();
    }
    let s = s;
    if !quick && !s.family_only && !Path::new("docs").is_dir() {
        return Err("repro writes docs/results.md: run it from the repository root (no docs/ directory here)".into());
    }
    let digits = crate::run::load_digits()?;
    let mut results = if render_only {
        let text = std::fs::read_to_string(&s.cache).map_err(|e| {
            format!("--render-only needs the cached measurements {}: {e}; run the suite first", s.cache.display())
        })?;
        load(&text)?
    } else {
        let r = execute(&s, &digits, threads)?;
        if let Some(dir) = s.cache.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&s.cache, save(&r)).map_err(|e| format!("cannot write {}: {e}", s.cache.display()))?;
        r
    };
    results.mean_share = mean_share(&digits.dataset(s.pool).train);
    let checks = report::write(&s, &results)?;
    let md = s.out_dir.join("results.md");
    eprintln!("repro: wrote {} and its plots in {}", md.display(), s.out_dir.join("results").display());
    let mut failed = Vec::new();
    for c in &checks {
        let verdict = match c.pass {
            Some(true) => "ok",
            Some(false) => "DIFFERS",
            None => "n/a",
        };
        eprintln!("  [{verdict}] {}: {}", c.expectation, c.measured);
        if quick && c.quick_enforced && c.pass != Some(true) {
            failed.push(format!("{} (measured: {})", c.expectation, c.measured));
        }
    }
    if !failed.is_empty() {
        return Err(format!(
            "repro --quick: {} expected ordering(s) failed:\n  - {}",
            failed.len(),
            failed.join("\n  - ")
        ));
    }
    Ok(())
}

/// `||mean||^2 / E||x||^2` over the samples.
fn mean_share(x: &np_playground::data::Samples) -> f64 {
    let d = x.dim();
    let mut mean = vec![0.0f64; d];
    let mut sq = 0.0f64;
    for i in 0..x.len() {
        for (m, &v) in mean.iter_mut().zip(x.row(i)) {
            *m += v as f64;
            sq += (v as f64) * (v as f64);
        }
    }
    let n = x.len() as f64;
    let mm: f64 = mean.iter().map(|m| (m / n) * (m / n)).sum();
    mm / (sq / n)
}

fn execute(s: &Settings, digits: &np_playground::data::mnist::Digits, threads: usize) -> Result<Results, String> {
    let started = Instant::now();
    let mut res = Results {
        threads,
        started: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        ..Results::default()
    };
    let sets = Sets::new(digits, s.pool, s.holdout);
    let ctx = Ctx { data: s.data, digits, sets: &sets };

    // (a) Alignment at initialisation.
    let t = Instant::now();
    eprintln!("repro: alignment at initialisation ({} trials per cell)...", s.align.trials);
    let raw_train = digits.dataset(s.pool).train;
    res.align = align::study(&raw_train, &s.align, threads, s.family_only);
    drop(raw_train);
    res.phases.push(("alignment at initialisation".into(), t.elapsed().as_secs_f64()));
    eprintln!("repro: alignment done in {:.1} s", t.elapsed().as_secs_f64());

    // (b) Learning-rate selection on held-out training digits.
    let t = Instant::now();
    let rules: Vec<&'static str> = if s.family_only {
        std::iter::once("np").chain(FAMILY).collect()
    } else {
        RULES.into_iter().chain(FAMILY).collect()
    };
    let select: Vec<Job> = rules
        .iter()
        .flat_map(|&rule| {
            s.lr_grid.iter().map(move |&lr| Job {
                group: "select".into(),
                rule: rule.into(),
                seed: s.select_seed,
                lr,
                decor_lr: s.decor_default,
                blind: false,
                inputs: Inputs::Holdout,
                epochs: s.select_epochs,
            })
        })
        .collect();
    res.runs.extend(run_jobs(&select, &ctx, threads));
    res.phases.push(("learning-rate selection".into(), t.elapsed().as_secs_f64()));
    let lr = |rule: &str| {
        res.chosen_lr(rule).ok_or(format!("every learning rate diverged for {rule} in the selection runs"))
    };
    let mut chosen = Vec::new();
    for &rule in &rules {
        chosen.push((rule, lr(rule)?));
    }
    let lr_of = |rule: &str| chosen.iter().find(|c| c.0 == rule).unwrap().1;
    eprintln!("repro: chosen learning rates {chosen:?}");

    // Main runs, blind, centred and decorrelation-rate runs, all in one pool.
    let t = Instant::now();
    let mut jobs = Vec::new();
    let job = |group: &str, rule: &str, seed, blind, inputs, decor_lr, epochs| Job {
        group: group.into(),
        rule: rule.into(),
        seed,
        lr: lr_of(rule),
        decor_lr,
        blind,
        inputs,
        epochs,
    };
    for &seed in &s.seeds {
        for &rule in &rules {
            let epochs = if s.long_rules.contains(&rule) { s.long_epochs } else { s.epochs };
            jobs.push(job("main", rule, seed, false, Inputs::Raw, s.decor_default, epochs));
        }
        // Decorrelated variants whose chosen rate differs from their plain version's also run at
        // the plain version's rate, so the comparison is not only one of learning rates.
        for rule in rules.iter().filter(|r| r.starts_with('d')) {
            let plain = &rule[1..];
            if lr_of(rule) != lr_of(plain) {
                let epochs = if s.long_rules.contains(rule) { s.long_epochs } else { s.epochs };
                jobs.push(Job {
                    lr: lr_of(plain),
                    ..job("samelr", rule, seed, false, Inputs::Raw, s.decor_default, epochs)
                });
            }
        }
        for &rule in &s.blind_rules {
            jobs.push(job("blind", rule, seed, true, Inputs::Raw, s.decor_default, s.blind_epochs));
        }
        for &rule in &s.centred_rules {
            jobs.push(job("centred", rule, seed, false, Inputs::Centred, s.decor_default, s.centred_epochs));
        }
        for &rule in &s.decor_rules {
            for &d in &s.decor_rates {
                jobs.push(job("decor", rule, seed, false, Inputs::Raw, d, s.decor_epochs));
            }
        }
    }
    res.runs.extend(run_jobs(&jobs, &ctx, threads));
    res.phases.push(("training runs".into(), t.elapsed().as_secs_f64()));

    // (d) Single-threaded speed of every rule.
    let t = Instant::now();
    for &rule in &rules {
        let j = job("time", rule, 1, false, Inputs::Raw, s.decor_default, 1.0);
        res.timing.push(runs::time_rule(&j, &ctx)?);
    }
    res.phases.push(("timing (single thread)".into(), t.elapsed().as_secs_f64()));
    res.total_secs = started.elapsed().as_secs_f64();
    eprintln!("repro: suite finished in {:.0} s", res.total_secs);
    Ok(res)
}

fn run_jobs(jobs: &[Job], ctx: &Ctx, threads: usize) -> Vec<RunResult> {
    let costs: Vec<f64> = jobs.iter().map(Job::cost).collect();
    let order = pool::longest_first(&costs);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let n = jobs.len();
    pool::run(jobs, &order, threads, |_, j| {
        let r = runs::run_job(j, ctx);
        let k = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let last = r.final_point().map_or("-".to_string(), |p| format!("{:.2}%", 100.0 * p.test_acc));
        eprintln!(
            "repro: [{k}/{n}] {} -> test acc {last} ({:.1} s train, {:.1} s eval){}",
            j.label(),
            r.train_secs,
            r.eval_secs,
            r.error.as_ref().map(|e| format!(" ERROR: {e}")).unwrap_or_default()
        );
        r
    })
}

// ---- cache: the measurements as JSON ----

fn save(r: &Results) -> String {
    serde_json::to_string(r).expect("the measurements serialise")
}

fn load(text: &str) -> Result<Results, String> {
    serde_json::from_str(text).map_err(|e| format!("the cached measurements are malformed: {e}"))
}
