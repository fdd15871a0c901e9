//! Command-line runner: trains a configuration headless, with the same config string as the
//! page's URL fragment, so any shared run can be replayed and its checksum verified.

use std::process::ExitCode;
use std::time::Instant;

mod bench;
mod repro;

use np_playground::config::KEYS;
use np_playground::metrics::StepMeans;
use np_playground::{RunConfig, Trainer};

const USAGE: &str = "\
np-playground: train small networks with node perturbation (NP, INP, ANP, their decorrelated
versions) or backprop, headless. The config string is the one the page keeps in its URL.

USAGE:
    np-playground run '<config>' (--steps N | --epochs E) [--json] [--every M] [--no-alignment] [--data FILE.csv]
    np-playground keys        list the config keys, their defaults and meanings
    np-playground bench [--quick]   training throughput per rule and network, as JSON lines
    np-playground repro [--quick]   the reproduction report: docs/results.md and its plots
    np-playground help

OPTIONS:
    --steps N        train N minibatch steps
    --epochs E       train E passes over the training set (may be fractional)
    --json           print one JSON object per report on stdout, the last with \"final\": true
    --every M        report every M steps (default: a tenth of the run)
    --no-alignment   skip the alignment and input-correlation diagnostics (faster; same weights)
    --data FILE.csv  the table for data=upload (feature columns, then a label column)

EXAMPLE:
    np-playground run 'v=1&data=xor&rule=danp' --steps 2000 --json
";

struct Args {
    config: String,
    steps: Option<u64>,
    epochs: Option<f64>,
    json: bool,
    every: Option<u64>,
    diagnostics: bool,
    data: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut it = args.iter();
    let config = it.next().ok_or("missing the config string (use '' for all defaults)")?.clone();
    let mut a = Args { config, steps: None, epochs: None, json: false, every: None, diagnostics: true, data: None };
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
            "--no-alignment" => a.diagnostics = false,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if a.steps.is_some() == a.epochs.is_some() {
        return Err("give exactly one of --steps N or --epochs E".into());
    }
    Ok(a)
}

/// A JSON number, or null for NaN and infinities.
fn num(v: f64) -> String {
    if v.is_finite() { format!("{v}") } else { "null".into() }
}

/// An f32 in its shortest exact form.
fn num32(v: f32) -> String {
    if v.is_finite() { format!("{v}") } else { "null".into() }
}

fn list(v: &Option<Vec<f32>>) -> String {
    match v {
        Some(v) => format!("[{}]", v.iter().map(|&x| num32(x)).collect::<Vec<_>>().join(",")),
        None => "null".into(),
    }
}

/// JSON string literal (the config string is plain ASCII after parsing, but escape anyway).
fn string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn report(t: &mut Trainer, w: &StepMeans, json: bool, is_final: bool, started: Instant, error: Option<&str>) {
    let ev = t.evaluate();
    let stats = t.last_stats().clone();
    if json {
        println!(
            "{{\"steps\":{},\"epoch\":{},\"train_loss\":{},\"test_loss\":{},\"train_accuracy\":{},\"test_accuracy\":{},\"batch_loss\":{},\"d_loss\":{},\"alignment\":{},\"alignment_all\":{},\"input_correlation\":{},\"checksum\":\"{:016x}\",\"seconds\":{},\"config\":{},\"final\":{}{}}}",
            t.steps(),
            num((t.epoch() * 1000.0).round() / 1000.0),
            num32(ev.train.loss),
            num32(ev.test.loss),
            num32(ev.train.accuracy),
            num32(ev.test.accuracy),
            num32(stats.batch_loss),
            w.d_loss().map_or("null".into(), num32),
            list(&w.alignment()),
            w.alignment_all().map_or("null".into(), num32),
            list(&Some(t.input_correlation())),
            t.checksum(),
            num((started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0),
            string(&t.config().to_string()),
            is_final,
            error.map(|e| format!(",\"error\":{}", string(e))).unwrap_or_default(),
        );
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

fn run(args: &[String]) -> Result<(), (u8, String)> {
    let a = parse_args(args).map_err(|e| (2, format!("{e}\n\n{USAGE}")))?;
    let config = RunConfig::parse(&a.config).map_err(|e| (2, format!("bad config: {e}")))?;
    let digits = if config.data.is_digits() { Some(load_digits().map_err(|e| (2, e))?) } else { None };
    let table = match &a.data {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| (2, format!("cannot read {path}: {e}")))?;
            Some(np_playground::userdata::parse_csv(&text).map_err(|e| (2, format!("{path}: {e}")))?)
        }
        None => None,
    };
    let external = np_playground::data::External { digits: digits.as_ref(), table: table.as_ref() };
    let mut t = Trainer::with_external(config, &external).map_err(|e| (2, format!("bad config: {e}")))?;
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
                return Err((3, msg));
            }
        }
        if t.steps() % every == 0 && t.steps() < total {
            report(&mut t, &window, a.json, false, started, None);
            window = StepMeans::default();
        }
    }
    report(&mut t, &window, a.json, true, started, None);
    Ok(())
}

/// The MNIST subset from `NP_MNIST` or `www/data/mnist.bin` (relative to the working directory).
pub fn load_digits() -> Result<np_playground::mnist::Digits, String> {
    let path = std::env::var("NP_MNIST").unwrap_or_else(|_| np_playground::mnist::DEFAULT_PATH.to_string());
    let bytes = std::fs::read(&path).map_err(|e| {
        format!("cannot read the MNIST file {path}: {e}. Build it with `node scripts/mnist.mjs` (after `npm ci`), or point NP_MNIST at it")
    })?;
    np_playground::mnist::parse(&bytes).map_err(|e| format!("{path}: {e}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => match run(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err((code, msg)) => {
                eprintln!("error: {msg}");
                ExitCode::from(code)
            }
        },
        Some("repro") => match repro::run(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("error: {msg}");
                ExitCode::from(2)
            }
        },
        Some("bench") => {
            bench::run(args.get(1).map(String::as_str) == Some("--quick"));
            ExitCode::SUCCESS
        }
        Some("keys") => {
            let d = RunConfig::default();
            println!("v        version of the string format (only 1)");
            for k in KEYS {
                println!("{:<8} default {:<8} {}", k.key, d.get(k.key).unwrap_or_default(), k.help);
            }
            ExitCode::SUCCESS
        }
        Some("help") | Some("--help") | Some("-h") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
