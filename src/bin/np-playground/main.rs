//! Command-line runner: trains a configuration headless, with the same config string as the
//! page's URL fragment, so any shared run can be replayed and its checksum verified.

use std::process::ExitCode;

mod bench;
mod repro;
mod run;
mod sweep;

use np_playground::RunConfig;
use np_playground::run::codec::KEYS;

pub const USAGE: &str = "\
np-playground: train small networks with node perturbation (NP, INP, ANP, their decorrelated
versions), weight perturbation (WP), forward gradients (FG-W, FG-A) or backprop, headless. The
config string is the one the page keeps in its URL.

USAGE:
    np-playground run '<config>' (--steps N | --epochs E) [--json] [--every M] [--no-alignment] [--data FILE.csv] [--weights FILE.json]
    np-playground sweep '<config>' --grid 'lr=0.003,0.01' [--grid ...] --steps N [--rules R,R] [--seeds S,S] [--jobs J] [--shard I/N]
                              every cell of a grid, one JSON line each (`np-playground sweep --help`)
    np-playground sweep --merge A.jsonl B.jsonl ...   join a sweep's shards in cell order
    np-playground keys        list the config keys, their defaults and meanings
    np-playground cost '<config>'   the memory and work per step the cost model gives it, and the limits
    np-playground bench [--quick]   training throughput per rule and network, as JSON lines
    np-playground repro [--quick] [--family]   the reproduction report: docs/results.md and its plots (--family: NP, WP, FG-W and FG-A only, into target/repro-family/)
    np-playground help

OPTIONS:
    --steps N        train N minibatch steps
    --epochs E       train E passes over the training set (may be fractional)
    --json           print one JSON object per report on stdout, the last with \"final\": true
    --every M        report every M steps (default: a tenth of the run)
    --no-alignment   skip the alignment and input-correlation diagnostics (faster; same weights)
    --data FILE.csv  the table for data=upload (feature columns, then a label column)
    --weights FILE.json  write every layer's W, b and R (decorrelated rules) at the last step,
                     with the config and checksum

EXAMPLE:
    np-playground run 'v=1&data=xor&rule=danp' --steps 2000 --json
";

/// Prints what the cost model gives a configuration (checked against the limits or not: a
/// configuration over them is still costed, so a researcher sees by how much).
fn cost(config: &str) -> Result<(), String> {
    use np_playground::run::cost::{self, Shape};
    let cfg = RunConfig::parse_unvalidated(config).map_err(|e| e.to_string())?;
    let shape = Shape::of(&cfg, &Default::default()).ok_or("data=upload: the cost depends on the table")?;
    let c = cost::cost(&cfg, &shape);
    let line = serde_json::json!({
        "bytes": c.bytes, "work": c.work, "max_bytes": cost::MAX_BYTES, "max_work": cost::MAX_WORK,
    });
    println!("{line}");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => match run::run(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err((code, msg)) => {
                eprintln!("error: {msg}");
                ExitCode::from(code)
            }
        },
        Some("sweep") if matches!(args.get(1).map(String::as_str), Some("--help" | "-h")) => {
            print!("{}", sweep::SWEEP_USAGE);
            ExitCode::SUCCESS
        }
        Some("sweep") => match sweep::run(&args[1..]) {
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
        Some("cost") => match cost(args.get(1).map_or("", String::as_str)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("error: {msg}");
                ExitCode::from(2)
            }
        },
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
