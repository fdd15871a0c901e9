//! `np-playground sweep`: trains every cell of a sweep (or of one shard of it) and writes one JSON
//! line per cell to stdout, in the sweep's cell order; `sweep --merge` joins shards.
//!
//! The cells run on `--jobs` threads of our own (`std::thread::scope`): each takes the next cell
//! (an atomic counter) and sends its result to the main thread, which writes the lines in cell
//! order as soon as the next one is there. A cell is seconds to minutes of work, so the pool
//! needs no work stealing (rayon's strength), while writing in order as results come is what
//! rayon's ordered collect does not do without waiting for every cell.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

#[cfg(not(target_arch = "wasm32"))]
use indicatif::ProgressBar;

/// The bar on stderr when it is a terminal (hidden otherwise): `total_steps` steps over `cells`
/// cells.
#[cfg(not(target_arch = "wasm32"))]
fn progress_bar(total_steps: u64, cells: usize) -> ProgressBar {
    use indicatif::{ProgressDrawTarget, ProgressStyle};
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::with_draw_target(Some(total_steps), ProgressDrawTarget::stderr_with_hz(4));
    b.set_style(
        ProgressStyle::with_template(
            "{bar:24} {msg} cells, {percent}% of the steps, {elapsed} elapsed, about {eta} left",
        )
        .expect("the template is valid"),
    );
    b.set_message(format!("0/{cells}"));
    b
}

/// No bar where indicatif is not built (the binary compiled for wasm32 by `cargo test --target
/// wasm32-unknown-unknown`, never run there).
#[cfg(target_arch = "wasm32")]
struct ProgressBar;

#[cfg(target_arch = "wasm32")]
impl ProgressBar {
    fn inc(&self, _: u64) {}
    fn set_message(&self, _: String) {}
    fn finish_and_clear(&self) {}
}

#[cfg(target_arch = "wasm32")]
fn progress_bar(_: u64, _: usize) -> ProgressBar {
    ProgressBar
}

use np_playground::RunConfig;
use np_playground::data::{DataSet, Sources};
use np_playground::run::sweep::{self, CellRun, Sweep, SweepItems};

use super::run::{load_digits, read_table};

pub const SWEEP_USAGE: &str = "\
USAGE:
    np-playground sweep '<config>' --grid 'KEY=V,V,...' [--grid 'KEY=V,...'] [--rules R,R] [--seeds S,S]
                        --steps N [--metric M] [--jobs J] [--shard I/N] [--data FILE.csv]
    np-playground sweep --merge A.jsonl B.jsonl ...

    --grid KEY=V,...  a key and its values (at most two keys): lr, sigma, draws, batch, decor_lr, seed,
                      n, noise, train, hidden1..hidden8 (one hidden layer's width), width (every one's)
    --rules R,...     rules, as compare items (np, bp, anp:blind, np:k4); default: the config's rule
    --seeds S,...     seeds; default: the config's seed
    --steps N         steps of every cell
    --metric M        test_accuracy (default), test_loss, train_loss or alignment (the mean cosine
                      with the gradient; measured only for this metric)
    --jobs J          cells trained at once (default: the cores available)
    --shard I/N       only every N-th cell from the I-th (1 <= I <= N), for fanning out
    --merge FILES     join shards' lines in cell order, refusing other sweeps, missing or twice-run cells

Writes one JSON line per cell to stdout, in cell order (rules, then the first key's values, the
second's, then the seeds), with the fields of `run --json` and the sweep it belongs to.
";

struct Args {
    config: String,
    items: SweepItems,
    jobs: usize,
    shard: Option<(usize, usize)>,
    data: Option<String>,
}

fn list(flag: &str, v: &str) -> Result<Vec<String>, String> {
    let items: Vec<String> = v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    if items.is_empty() { Err(format!("{flag} needs a comma-separated list")) } else { Ok(items) }
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut it = args.iter();
    let config = it.next().ok_or("missing the config string (use '' for all defaults)")?.clone();
    if config.starts_with("--") {
        return Err(format!("the config string comes first, before {config}"));
    }
    let mut a = Args { config, items: SweepItems::default(), jobs: 0, shard: None, data: None };
    let mut steps = None;
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match flag.as_str() {
            "--grid" => a.items.axes.push(sweep::parse_grid_flag(&value("--grid")?)?),
            "--rules" => a.items.rules.extend(list("--rules", &value("--rules")?)?),
            "--seeds" => a.items.seeds.extend(list("--seeds", &value("--seeds")?)?),
            "--steps" => steps = Some(value("--steps")?),
            "--metric" => a.items.metric = Some(value("--metric")?),
            "--jobs" => {
                a.jobs = value("--jobs")?
                    .parse()
                    .ok()
                    .filter(|&j| j >= 1)
                    .ok_or("--jobs expects a whole number of at least 1")?
            }
            "--shard" => a.shard = Some(sweep::parse_shard(&value("--shard")?)?),
            "--data" => a.data = Some(value("--data")?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    a.items.steps = Some(steps.ok_or("give the steps of every cell: --steps N")?);
    if a.jobs == 0 {
        a.jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    }
    Ok(a)
}

pub fn run(args: &[String]) -> Result<(), (u8, String)> {
    if args.first().map(String::as_str) == Some("--merge") {
        return merge(&args[1..]).map_err(|e| (2, e));
    }
    let usage = |e: String| (2, format!("{e}\n\n{SWEEP_USAGE}"));
    let a = parse_args(args).map_err(usage)?;
    let mut base = RunConfig::parse(&a.config).map_err(|e| (2, format!("bad config: {e}")))?;
    let digits = if base.data.is_digits() { Some(load_digits().map_err(|e| (2, e))?) } else { None };
    let table = match &a.data {
        Some(path) => Some(read_table(path).map_err(|e| (2, e))?),
        None => None,
    };
    if base.data == DataSet::Upload
        && let Some(t) = &table
    {
        base.check_table(Some(t)).map_err(|e| (2, format!("bad config: {e}")))?;
        base.table = Some(t.id);
    }
    let sources = Sources { digits: digits.as_ref(), table: table.as_ref() };
    let sweep = Sweep::build_strict(&base, a.items).map_err(|e| (2, format!("bad sweep: {e}")))?;
    let cells = match a.shard {
        Some((i, n)) => sweep.shard(i, n),
        None => sweep.cells(),
    };
    let grid = sweep.cost(&sources);
    eprintln!(
        "sweep {}: {} cells of {} steps{}{}, {} at once",
        sweep.id(),
        sweep.cell_count(),
        sweep.steps,
        a.shard.map(|(i, n)| format!(", shard {i}/{n}: {} of them", cells.len())).unwrap_or_default(),
        grid.map(|g| format!(
            " (the whole grid about {} multiply-adds)",
            np_playground::run::cost::human_count(g.work)
        ))
        .unwrap_or_default(),
        a.jobs.min(cells.len().max(1))
    );
    let total_steps = cells.len() as u64 * sweep.steps;
    let bar = progress_bar(total_steps, cells.len());

    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, Result<String, String>)>();
    let out = std::thread::scope(|s| {
        for _ in 0..a.jobs.clamp(1, cells.len().max(1)) {
            let tx = tx.clone();
            let (cells, sweep, sources, bar, next, stop) = (&cells, &sweep, &sources, &bar, &next, &stop);
            s.spawn(move || {
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    if k >= cells.len() || stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let cell = &cells[k];
                    let mut r = match CellRun::new(sweep, cell, sources) {
                        Ok(r) => r,
                        Err(e) => {
                            let _ =
                                tx.send((k, Err(format!("cell {} ({}): {e}", cell.index, cell.describe(&sweep.axes)))));
                            return;
                        }
                    };
                    let mut done = 0;
                    // Progress every 64 steps (and what a diverged cell did not train, at its end).
                    while !r.advance(64) {
                        bar.inc(r.steps() - done);
                        done = r.steps();
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                    }
                    bar.inc(sweep.steps - done);
                    let line = r.finish(sweep, cell).json_line();
                    if tx.send((k, Ok(line))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        // Lines in cell order, each as soon as it and those before it are done.
        let mut pending: Vec<Option<String>> = vec![None; cells.len()];
        let mut written = 0;
        let stdout = std::io::stdout();
        let mut outl = stdout.lock();
        for (k, line) in rx {
            match line {
                Ok(line) => pending[k] = Some(line),
                Err(e) => {
                    stop.store(true, Ordering::SeqCst);
                    return Err((2u8, e));
                }
            }
            while written < cells.len()
                && let Some(l) = pending[written].take()
            {
                if writeln!(outl, "{l}").and_then(|_| outl.flush()).is_err() {
                    stop.store(true, Ordering::SeqCst);
                    return Err((3u8, "cannot write to stdout (closed?); stopped".to_string()));
                }
                written += 1;
                bar.set_message(format!("{written}/{}", cells.len()));
            }
        }
        Ok(written)
    });
    bar.finish_and_clear();
    let written = out?;
    eprintln!("sweep {}: {written} cells in {:.1} s", sweep.id(), started.elapsed().as_secs_f64());
    Ok(())
}

fn merge(files: &[String]) -> Result<(), String> {
    if files.is_empty() {
        return Err(format!("--merge needs the shards' files\n\n{SWEEP_USAGE}"));
    }
    let mut shards = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read {f}: {e}"))?;
        shards.push((f.clone(), text));
    }
    let merged = sweep::merge(&shards)?;
    std::io::stdout().write_all(merged.as_bytes()).map_err(|e| format!("cannot write to stdout: {e}"))
}
