//! The report: `results.md` with its tables, the plots (SVG, plotters), and the checks of the
//! reference's expectations, all computed from the measured [`Results`].

use std::fmt::Write as _;
use std::path::Path;

use plotters::prelude::*;

use np_playground::plot::{Axes, Band, PALETTE, band_chart};

use super::align::{AlignCell, METHODS};
use super::runs::{Inputs, Point, RunResult};
use super::{RULES, Results, Settings};

/// One expectation of `learning-rules.md` against what was measured.
pub struct Check {
    pub expectation: String,
    pub measured: String,
    /// None when the suite has no data to judge it.
    pub pass: Option<bool>,
    /// `--quick` fails when this one does not hold.
    pub quick_enforced: bool,
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 { v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (m, var.sqrt())
}

fn pct(v: f64) -> String {
    format!("{v:.1}")
}

fn signed(v: f64) -> String {
    format!("{v:+.1}")
}

fn epoch_str(e: f64) -> String {
    if (e - e.round()).abs() < 1e-9 { format!("{}", e as i64) } else { format!("{e}") }
}

/// The `epoch 0.5 | epoch 1 | ...` header cells of a table over `marks`.
fn epoch_cells(marks: &[f64]) -> String {
    marks.iter().map(|e| format!("epoch {}", epoch_str(*e))).collect::<Vec<_>>().join(" | ")
}

fn family_color(rule: &str) -> RGBColor {
    match rule.trim_start_matches('d').trim_end_matches("-blind") {
        "bp" => RGBColor(70, 70, 70),
        "np" => PALETTE[0],
        "inp" => PALETTE[2],
        "anp" => PALETTE[1],
        _ => PALETTE[5],
    }
}

fn method_color(m: &str) -> RGBColor {
    if m == "anp-blind" { PALETTE[4] } else { family_color(m) }
}

fn upper(rule: &str) -> String {
    rule.to_uppercase()
}

fn layer_name(i: usize) -> &'static str {
    ["hidden 1", "hidden 2", "output", "all layers"][i]
}

/// Date `YYYY-MM-DD` (UTC) of Unix seconds.
fn date(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    format!("{y:04}-{m:02}-{d:02}")
}

struct View<'a> {
    s: &'a Settings,
    r: &'a Results,
}

/// A curve over seeds: epochs, mean, min and max (percent), from the first half epoch on.
struct Curve {
    xs: Vec<f32>,
    mean: Vec<f32>,
    lo: Vec<f32>,
    hi: Vec<f32>,
}

/// What a curve shows.
#[derive(Clone, Copy)]
enum Metric {
    TestAcc,
    TrainLoss,
    TrainAcc,
}

impl Metric {
    fn of(self, p: &Point) -> f64 {
        match self {
            Metric::TestAcc => 100.0 * p.test_acc as f64,
            Metric::TrainLoss => p.train_loss as f64,
            Metric::TrainAcc => 100.0 * p.train_acc as f64,
        }
    }
    fn desc(self) -> &'static str {
        match self {
            Metric::TestAcc => "test accuracy (%)",
            Metric::TrainLoss => "training loss",
            Metric::TrainAcc => "training accuracy (%)",
        }
    }
}

impl<'a> View<'a> {
    fn runs(&self, group: &str, rule: &str, pred: impl Fn(&RunResult) -> bool) -> Vec<&'a RunResult> {
        self.r.runs.iter().filter(|r| r.job.group == group && r.job.rule == rule && pred(r)).collect()
    }
    fn main(&self, rule: &str) -> Vec<&'a RunResult> {
        self.runs("main", rule, |_| true)
    }
    /// Runs of decorrelated `d` at its plain version's learning rate: the extra "samelr" runs,
    /// or the main runs when both chose the same rate.
    fn same_lr(&self, d: &str) -> Vec<&'a RunResult> {
        let extra = self.runs("samelr", d, |_| true);
        if !extra.is_empty() {
            return extra;
        }
        if self.lr(d).is_some() && self.lr(d) == self.lr(&d[1..]) { self.main(d) } else { Vec::new() }
    }
    fn lr(&self, rule: &str) -> Option<f32> {
        self.r.chosen_lr(rule)
    }

    /// Per-seed test accuracies (percent) at `epoch`; None if any run lacks it.
    fn accs(runs: &[&RunResult], epoch: f64) -> Option<Vec<f64>> {
        if runs.is_empty() {
            return None;
        }
        runs.iter().map(|r| r.acc_at(epoch).map(|a| 100.0 * a)).collect()
    }
    fn acc_mean(runs: &[&RunResult], epoch: f64) -> Option<f64> {
        Self::accs(runs, epoch).map(|v| mean_sd(&v).0)
    }
    /// "mean ± sd" at `epoch`, or why not.
    /// A table of test accuracy over `marks` with two rows per rule: its main runs, labelled
    /// `base`, and its runs of `group`, labelled `label`; `column` names the second column.
    fn paired_table(
        &self,
        o: &mut String,
        rules: &[&str],
        marks: &[f64],
        (column, base, group, label): (&str, &str, &str, &str),
    ) {
        let _ = writeln!(o, "| rule | {column} | {} |\n|---|---|{}", epoch_cells(marks), "---|".repeat(marks.len()));
        for &rule in rules {
            for (name, runs) in [(base, self.main(rule)), (label, self.runs(group, rule, |_| true))] {
                let cells: Vec<String> = marks.iter().map(|&e| Self::acc_cell(&runs, e)).collect();
                let _ = writeln!(o, "| {} | {name} | {} |", upper(rule), cells.join(" | "));
            }
        }
    }

    fn acc_cell(runs: &[&RunResult], epoch: f64) -> String {
        if runs.is_empty() {
            return "—".into();
        }
        match Self::accs(runs, epoch) {
            Some(v) if v.len() > 1 => {
                let (m, sd) = mean_sd(&v);
                format!("{m:.1} ± {sd:.1}")
            }
            Some(v) => pct(v[0]),
            None => {
                let diverged = runs.iter().filter(|r| r.error.is_some() && r.acc_at(epoch).is_none()).count();
                if diverged > 0 { format!("diverged ({diverged}/{})", runs.len()) } else { "—".into() }
            }
        }
    }
    fn curve(runs: &[&RunResult], max_epoch: f64, metric: Metric) -> Curve {
        let longest = runs.iter().max_by_key(|r| r.points.len());
        let mut c = Curve { xs: vec![], mean: vec![], lo: vec![], hi: vec![] };
        let Some(longest) = longest else { return c };
        for p in &longest.points {
            if p.epoch <= 0.0 || p.epoch > max_epoch + 1e-9 {
                continue;
            }
            let v: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.points.iter().find(|q| (q.epoch - p.epoch).abs() < 1e-9))
                .map(|q| metric.of(q))
                .filter(|x| x.is_finite())
                .collect();
            if v.is_empty() {
                continue;
            }
            let (m, _) = mean_sd(&v);
            c.xs.push(p.epoch as f32);
            c.mean.push(m as f32);
            c.lo.push(v.iter().cloned().fold(f64::INFINITY, f64::min) as f32);
            c.hi.push(v.iter().cloned().fold(f64::NEG_INFINITY, f64::max) as f32);
        }
        c
    }

    fn cell(&self, method: &str, w: usize, b: usize, k: usize) -> Option<&'a AlignCell> {
        self.r.align.iter().find(|c| c.method == method && c.width == w && c.batch == b && c.draws == k)
    }
    /// Mean over every cell of the grid of entry `i` (0..3 layers, 3 = all).
    fn grid_mean(&self, method: &str, i: usize) -> f64 {
        let v: Vec<f64> = self.r.align.iter().filter(|c| c.method == method).map(|c| c.mean[i]).collect();
        mean_sd(&v).0
    }
    fn ref_width(&self) -> usize {
        *self.s.align.widths.iter().max().unwrap()
    }
    fn ref_batch(&self) -> usize {
        let b = &self.s.align.batches;
        *b.iter().min_by_key(|&&x| (x as i64 - 32).abs()).unwrap()
    }
    fn k_min(&self) -> usize {
        *self.s.align.draws.iter().min().unwrap()
    }
    fn k_max(&self) -> usize {
        *self.s.align.draws.iter().max().unwrap()
    }
    fn b_min(&self) -> usize {
        *self.s.align.batches.iter().min().unwrap()
    }
    fn b_max(&self) -> usize {
        *self.s.align.batches.iter().max().unwrap()
    }
    /// Accuracy columns up to `max` epochs.
    fn marks(max: f64) -> Vec<f64> {
        [0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 50.0].into_iter().filter(|&e| e <= max + 1e-9).collect()
    }
    fn secs_per_epoch(&self, rule: &str) -> Option<f64> {
        let t = self.r.timing.iter().find(|t| t.rule == rule)?;
        Some(8000.0 / t.samples_per_s)
    }
}

// ---- plots ----

fn svg_panels(
    path: &Path,
    size: (u32, u32),
    grid: (usize, usize),
    draw: impl Fn(usize, &DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<(), String>,
) -> Result<(), String> {
    let root = SVGBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let panels = root.split_evenly(grid);
    for (i, p) in panels.iter().enumerate() {
        draw(i, p)?;
    }
    root.present().map_err(|e| format!("{}: {e}", path.display()))
}

fn plot_alignment(v: &View, dir: &Path) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    // One y range for every panel: 0 to the largest mean + se, rounded up to a tenth.
    let top = v.r.align.iter().flat_map(|c| (0..4).map(move |i| c.mean[i] + c.se(i))).fold(0.0f64, f64::max);
    let y_top = ((top * 10.0).ceil() / 10.0).clamp(0.1, 1.0) as f32;
    let w = v.ref_width();
    let draws = v.s.align.draws.clone();
    let batches: Vec<f32> = v.s.align.batches.iter().map(|&b| b as f32).collect();
    let name = "alignment_batch.svg";
    svg_panels(&dir.join(name), (360 * draws.len() as u32, 340), (1, draws.len()), |i, area| {
        let k = draws[i];
        let data: Vec<(String, Vec<f32>, Vec<f32>, Vec<f32>)> = METHODS
            .iter()
            .map(|(m, _, _)| {
                let cells: Vec<&AlignCell> = v.s.align.batches.iter().filter_map(|&b| v.cell(m, w, b, k)).collect();
                let mean = cells.iter().map(|c| c.mean[3] as f32).collect();
                let lo = cells.iter().map(|c| (c.mean[3] - c.se(3)) as f32).collect();
                let hi = cells.iter().map(|c| (c.mean[3] + c.se(3)) as f32).collect();
                (upper(m), mean, lo, hi)
            })
            .collect();
        let bands: Vec<Band> = data
            .iter()
            .zip(METHODS)
            .map(|((n, m, lo, hi), (key, _, _))| Band {
                name: n,
                color: method_color(key),
                dashed: key.ends_with("blind"),
                xs: &batches,
                mean: m,
                lo,
                hi,
            })
            .collect();
        let title = format!("width {w}, K = {k}");
        band_chart(
            area,
            &Axes {
                title: &title,
                x_desc: "batch size",
                y_desc: "cosine with BP (all layers)",
                log2_x: true,
                y_range: Some((0.0, y_top)),
                markers: true,
                legend_upper: true,
            },
            &bands,
        )
    })?;
    files.push(name.to_string());

    let name = "alignment_width.svg";
    let b = v.ref_batch();
    let k = v.k_min();
    let widths: Vec<f32> = v.s.align.widths.iter().map(|&w| w as f32).collect();
    svg_panels(&dir.join(name), (1200, 330), (1, 4), |layer, area| {
        let data: Vec<(String, Vec<f32>, Vec<f32>, Vec<f32>)> = METHODS
            .iter()
            .map(|(m, _, _)| {
                let cells: Vec<&AlignCell> = v.s.align.widths.iter().filter_map(|&w| v.cell(m, w, b, k)).collect();
                (
                    upper(m),
                    cells.iter().map(|c| c.mean[layer] as f32).collect(),
                    cells.iter().map(|c| (c.mean[layer] - c.se(layer)) as f32).collect(),
                    cells.iter().map(|c| (c.mean[layer] + c.se(layer)) as f32).collect(),
                )
            })
            .collect();
        let bands: Vec<Band> = data
            .iter()
            .zip(METHODS)
            .map(|((n, m, lo, hi), (key, _, _))| Band {
                name: n,
                color: method_color(key),
                dashed: key.ends_with("blind"),
                xs: &widths,
                mean: m,
                lo,
                hi,
            })
            .collect();
        let title = format!("{} (batch {b}, K = {k})", layer_name(layer));
        band_chart(
            area,
            &Axes {
                title: &title,
                x_desc: "hidden width",
                y_desc: "cosine with BP",
                log2_x: true,
                y_range: Some((0.0, y_top)),
                markers: true,
                legend_upper: true,
            },
            &bands,
        )
    })?;
    files.push(name.to_string());
    Ok(files)
}

/// Curves of `(label, rule-for-colour, dashed, runs)` in one panel.
fn curve_panel(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    title: &str,
    max_epoch: f64,
    lines: &[(String, RGBColor, bool, Vec<&RunResult>)],
) -> Result<(), String> {
    metric_panel(area, title, max_epoch, lines, Metric::TestAcc)
}

fn metric_panel(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    title: &str,
    max_epoch: f64,
    lines: &[(String, RGBColor, bool, Vec<&RunResult>)],
    metric: Metric,
) -> Result<(), String> {
    let curves: Vec<Curve> = lines.iter().map(|(_, _, _, runs)| View::curve(runs, max_epoch, metric)).collect();
    let bands: Vec<Band> = lines
        .iter()
        .zip(&curves)
        .filter(|(_, c)| !c.xs.is_empty())
        .map(|((name, color, dashed, _), c)| Band {
            name,
            color: *color,
            dashed: *dashed,
            xs: &c.xs,
            mean: &c.mean,
            lo: &c.lo,
            hi: &c.hi,
        })
        .collect();
    let legend_upper = matches!(metric, Metric::TrainLoss);
    band_chart(
        area,
        &Axes {
            title,
            x_desc: "epoch",
            y_desc: metric.desc(),
            log2_x: false,
            y_range: None,
            markers: false,
            legend_upper,
        },
        &bands,
    )
}

fn plot_training(v: &View, dir: &Path) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    let s = v.s;
    let lines = |rules: &[&str], max: f64| -> Vec<(String, RGBColor, bool, Vec<&RunResult>)> {
        rules
            .iter()
            .filter(|r| v.main(r).iter().all(|x| x.job.epochs >= max - 1e-9))
            .map(|&r| (upper(r), family_color(r), !r.starts_with('d'), v.main(r)))
            .collect()
    };
    let name = "accuracy.svg";
    let early = 5.0f64.min(s.epochs);
    svg_panels(&dir.join(name), (1200, 440), (1, 2), |i, area| {
        let max = if i == 0 { early } else { s.epochs };
        let title = if i == 0 {
            format!("first {} epochs", epoch_str(early))
        } else {
            format!("{} epochs, mean and min-max over {} seeds", epoch_str(s.epochs), s.seeds.len())
        };
        curve_panel(area, &title, max, &lines(&RULES, max))
    })?;
    files.push(name.to_string());
    if !s.long_rules.is_empty() && s.long_epochs > s.epochs {
        let name = "accuracy_long.svg";
        let fams: Vec<&str> = ["np", "inp", "anp", "bp"].into_iter().filter(|f| s.long_rules.contains(f)).collect();
        let fam_lines = |f: &str| -> Vec<(String, RGBColor, bool, Vec<&RunResult>)> {
            let d = format!("d{f}");
            let mut l =
                vec![(format!("{} lr={}", upper(f), v.lr(f).unwrap_or(f32::NAN)), family_color(f), true, v.main(f))];
            if s.long_rules.contains(&d.as_str()) {
                l.push((
                    format!("{} lr={}", upper(&d), v.lr(&d).unwrap_or(f32::NAN)),
                    family_color(f),
                    false,
                    v.main(&d),
                ));
                let same = v.runs("samelr", &d, |_| true);
                if !same.is_empty() {
                    l.push((format!("{} lr={}", upper(&d), same[0].job.lr), PALETTE[3], false, same));
                }
            }
            l
        };
        let cols = fams.len().max(1);
        svg_panels(&dir.join(name), (600 * cols as u32, 800), (2, cols), |i, area| {
            let (row, col) = (i / cols, i % cols);
            let Some(f) = fams.get(col) else { return Ok(()) };
            let lines = fam_lines(f);
            let names = lines.iter().map(|l| l.0.split(' ').next().unwrap_or("").to_string()).collect::<Vec<_>>();
            let mut uniq = names.clone();
            uniq.dedup();
            let what = if row == 0 { "test accuracy" } else { "training loss" };
            let title = format!("{}: {what}, {} epochs", uniq.join(" / "), epoch_str(s.long_epochs));
            metric_panel(
                area,
                &title,
                s.long_epochs,
                &lines,
                if row == 0 { Metric::TestAcc } else { Metric::TrainLoss },
            )
        })?;
        files.push(name.to_string());
    }
    Ok(files)
}

fn plot_decorrelation(v: &View, dir: &Path) -> Result<Vec<String>, String> {
    let s = v.s;
    let mut panels: Vec<(String, f64, Vec<(String, RGBColor, bool, Vec<&RunResult>)>)> = Vec::new();
    for fam in ["np", "inp", "anp", "bp"] {
        let d = format!("d{fam}");
        if !(s.centred_rules.contains(&fam) && s.centred_rules.contains(&d.as_str())) {
            continue;
        }
        let teal = PALETTE[6];
        let lines = vec![
            (format!("{} raw", upper(fam)), family_color(fam), true, v.main(fam)),
            (format!("{} raw", upper(&d)), family_color(fam), false, v.main(&d)),
            (format!("{} centred", upper(fam)), teal, true, v.runs("centred", fam, |_| true)),
            (format!("{} centred", upper(&d)), teal, false, v.runs("centred", &d, |_| true)),
        ];
        panels.push((format!("{} / {}: raw vs mean-centred inputs", upper(fam), upper(&d)), s.centred_epochs, lines));
    }
    for &rule in &s.decor_rules {
        let plain = rule.trim_start_matches('d');
        let mut rates: Vec<f32> = s.decor_rates.clone();
        rates.push(s.decor_default);
        rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let colors = [PALETTE[0], RGBColor(30, 30, 30), PALETTE[3], PALETTE[4], PALETTE[6]];
        let mut lines = vec![(format!("{} (no R)", upper(plain)), RGBColor(150, 150, 150), true, v.main(plain))];
        for (i, &rate) in rates.iter().enumerate() {
            let runs =
                if rate == s.decor_default { v.main(rule) } else { v.runs("decor", rule, |r| r.job.decor_lr == rate) };
            lines.push((format!("{} decor_lr={rate}", upper(rule)), colors[i % colors.len()], false, runs));
        }
        panels.push((format!("{}: decorrelation rate", upper(rule)), s.decor_epochs, lines));
    }
    if panels.is_empty() {
        return Ok(vec![]);
    }
    let name = "decorrelation.svg";
    let cols = 2.min(panels.len());
    let rows = panels.len().div_ceil(cols);
    svg_panels(&dir.join(name), (600 * cols as u32, 400 * rows as u32), (rows, cols), |i, area| match panels.get(i) {
        Some((title, max, lines)) => curve_panel(area, title, *max, lines),
        None => Ok(()),
    })?;
    Ok(vec![name.to_string()])
}

fn plot_blind(v: &View, dir: &Path) -> Result<Vec<String>, String> {
    let s = v.s;
    if s.blind_rules.is_empty() {
        return Ok(vec![]);
    }
    let mut lines = Vec::new();
    for &rule in &s.blind_rules {
        lines.push((format!("{} clean", upper(rule)), family_color(rule), !rule.starts_with('d'), v.main(rule)));
        lines.push((
            format!("{} blind", upper(rule)),
            PALETTE[4],
            !rule.starts_with('d'),
            v.runs("blind", rule, |_| true),
        ));
    }
    let name = "blind.svg";
    svg_panels(&dir.join(name), (800, 440), (1, 1), |_, area| {
        curve_panel(area, "clean vs blind noise", s.blind_epochs, &lines)
    })?;
    Ok(vec![name.to_string()])
}

// ---- checks ----

fn checks(v: &View) -> Vec<Check> {
    let mut out = Vec::new();
    let s = v.s;
    if !v.r.align.is_empty() {
        let g = |m: &str, i: usize| v.grid_mean(m, i);
        let (w, b, k) = (v.ref_width(), v.ref_batch(), v.k_min());
        let at = |m: &str, i: usize| v.cell(m, w, b, k).map_or(f64::NAN, |c| c.mean[i]);
        for m in ["inp", "anp"] {
            out.push(Check {
                expectation: format!("{} better aligned than NP at initialisation", upper(m)),
                measured: format!(
                    "all layers, mean over the grid: {} {:.3} vs NP {:.3}; at width {w}, batch {b}, K={k}: {:.3} vs {:.3}",
                    upper(m),
                    g(m, 3),
                    g("np", 3),
                    at(m, 3),
                    at("np", 3)
                ),
                pass: Some(g(m, 3) > g("np", 3)),
                quick_enforced: true,
            });
        }
        let hidden_ok = (0..2).all(|l| g("inp", l) > g("anp", l) && g("inp", l) > g("np", l));
        out.push(Check {
            expectation: "INP best on the hidden layers".into(),
            measured: format!(
                "grid means hidden 1: INP {:.3}, ANP {:.3}, NP {:.3}; hidden 2: INP {:.3}, ANP {:.3}, NP {:.3}",
                g("inp", 0),
                g("anp", 0),
                g("np", 0),
                g("inp", 1),
                g("anp", 1),
                g("np", 1)
            ),
            pass: Some(hidden_ok),
            quick_enforced: true,
        });
        let out_ok = g("anp", 2) > g("inp", 2) && g("anp", 2) > g("np", 2);
        out.push(Check {
            expectation: "ANP best on the output layer".into(),
            measured: format!(
                "grid means output layer: ANP {:.3}, INP {:.3}, NP {:.3}",
                g("anp", 2),
                g("inp", 2),
                g("np", 2)
            ),
            pass: Some(out_ok),
            quick_enforced: false,
        });
        // Growth with batch size and with K, per method (means over the other grid axes).
        let axis_mean = |m: &str, f: &dyn Fn(&AlignCell) -> bool| {
            let v: Vec<f64> = v.r.align.iter().filter(|c| c.method == m && f(c)).map(|c| c.mean[3]).collect();
            mean_sd(&v).0
        };
        let names = ["np", "inp", "anp"];
        let (bl, bh) = (v.b_min(), v.b_max());
        let grow_b: Vec<(f64, f64)> =
            names.iter().map(|m| (axis_mean(m, &|c| c.batch == bl), axis_mean(m, &|c| c.batch == bh))).collect();
        out.push(Check {
            expectation: "alignment grows with batch size".into(),
            measured: names
                .iter()
                .zip(&grow_b)
                .map(|(m, (a, z))| format!("{} {a:.3} (batch {bl}) -> {z:.3} (batch {bh})", upper(m)))
                .collect::<Vec<_>>()
                .join("; "),
            pass: Some(grow_b.iter().all(|(a, z)| z > a)),
            quick_enforced: true,
        });
        let (kl, kh) = (v.k_min(), v.k_max());
        let grow_k: Vec<(f64, f64)> =
            names.iter().map(|m| (axis_mean(m, &|c| c.draws == kl), axis_mean(m, &|c| c.draws == kh))).collect();
        out.push(Check {
            expectation: "alignment grows with the number of draws K".into(),
            measured: names
                .iter()
                .zip(&grow_k)
                .map(|(m, (a, z))| format!("{} {a:.3} (K={kl}) -> {z:.3} (K={kh})", upper(m)))
                .collect::<Vec<_>>()
                .join("; "),
            pass: Some(grow_k.iter().all(|(a, z)| z > a)),
            quick_enforced: true,
        });
        let (wl, wh) = (*s.align.widths.iter().min().unwrap(), w);
        let fall: Vec<(f64, f64)> = names
            .iter()
            .map(|m| {
                (
                    v.cell(m, wl, b, k).map_or(f64::NAN, |c| c.mean[3]),
                    v.cell(m, wh, b, k).map_or(f64::NAN, |c| c.mean[3]),
                )
            })
            .collect();
        out.push(Check {
            expectation: "alignment falls with width (the issue's question; not stated in the reference)".into(),
            measured: names
                .iter()
                .zip(&fall)
                .map(|(m, (a, z))| format!("{} {a:.3} (width {wl}) -> {z:.3} (width {wh})", upper(m)))
                .collect::<Vec<_>>()
                .join("; "),
            pass: Some(fall.iter().all(|(a, z)| z < a)),
            quick_enforced: true,
        });
    }

    let has_main = RULES.iter().all(|r| !v.main(r).is_empty());
    if has_main {
        let diverged: Vec<String> =
            v.r.runs.iter().filter(|r| r.job.group == "main" && r.error.is_some()).map(|r| r.job.label()).collect();
        out.push(Check {
            expectation: "every rule trains without diverging at its chosen learning rate".into(),
            measured: if diverged.is_empty() {
                "no main run diverged".into()
            } else {
                format!("diverged: {}", diverged.join(", "))
            },
            pass: Some(diverged.is_empty()),
            quick_enforced: true,
        });
        let e_early = if s.epochs >= 2.5 { 2.5 } else { 1.0 };
        let gains: Vec<(String, Option<f64>)> = ["np", "inp", "anp"]
            .iter()
            .map(|f| {
                let d = format!("d{f}");
                let g =
                    View::acc_mean(&v.main(&d), e_early).zip(View::acc_mean(&v.main(f), e_early)).map(|(a, b)| a - b);
                (upper(&d), g)
            })
            .collect();
        out.push(Check {
            expectation: format!(
                "decorrelated variants ahead of their plain versions early on raw pixels (after {} epochs)",
                epoch_str(e_early)
            ),
            measured: gains
                .iter()
                .map(|(n, g)| format!("{n} {}", g.map_or("—".into(), |g| format!("{} points", signed(g)))))
                .collect::<Vec<_>>()
                .join(", "),
            pass: gains
                .iter()
                .map(|(_, g)| g.map(|g| g > 0.0))
                .collect::<Option<Vec<bool>>>()
                .map(|v| v.iter().all(|&b| b)),
            quick_enforced: true,
        });
        let same: Vec<(String, Option<f64>, f32)> = ["np", "inp", "anp"]
            .iter()
            .map(|f| {
                let d = format!("d{f}");
                let runs = v.same_lr(&d);
                let g = View::acc_mean(&runs, e_early).zip(View::acc_mean(&v.main(f), e_early)).map(|(a, b)| a - b);
                (upper(&d), g, runs.first().map_or(f32::NAN, |r| r.job.lr))
            })
            .collect();
        out.push(Check {
            expectation: format!(
                "... also at the same learning rate as the plain version (after {} epochs)",
                epoch_str(e_early)
            ),
            measured: same
                .iter()
                .map(|(n, g, lr)| {
                    format!("{n} (lr {lr}) {}", g.map_or("—".into(), |g| format!("{} points", signed(g))))
                })
                .collect::<Vec<_>>()
                .join(", "),
            pass: same
                .iter()
                .map(|(_, g, _)| g.map(|g| g > 0.0))
                .collect::<Option<Vec<bool>>>()
                .map(|v| v.iter().all(|&b| b)),
            quick_enforced: false,
        });
        let gap =
            |e: f64| View::acc_mean(&v.main("danp"), e).zip(View::acc_mean(&v.main("anp"), e)).map(|(a, b)| a - b);
        let same_gap = |e: f64| {
            let runs = v.same_lr("danp");
            let lr = runs.first().map(|r| r.job.lr);
            View::acc_mean(&runs, e)
                .zip(View::acc_mean(&v.main("anp"), e))
                .zip(lr)
                .map(|((a, b), lr)| format!("; at ANP's rate (lr {lr}) {} points", signed(a - b)))
        };
        if s.epochs >= 2.5 {
            let g = gap(2.5);
            let sg = same_gap(2.5).unwrap_or_default();
            out.push(Check {
                expectation: "DANP about 7 points ahead of ANP after 2.5 epochs (reference)".into(),
                measured: g.map_or("—".into(), |g| format!("{} points at the chosen rates{sg}", signed(g))),
                pass: g.map(|g| (3.5..=14.0).contains(&g)),
                quick_enforced: false,
            });
        }
        if s.epochs >= 10.0 {
            let g = gap(10.0);
            let sg = same_gap(10.0).unwrap_or_default();
            out.push(Check {
                expectation: "DANP about 2 points ahead of ANP after 10 epochs (reference)".into(),
                measured: g.map_or("—".into(), |g| format!("{} points at the chosen rates{sg}", signed(g))),
                pass: g.map(|g| (1.0..=4.0).contains(&g)),
                quick_enforced: false,
            });
        }
        let e_end = s.epochs;
        let beat: Vec<(String, Option<f64>)> = ["dnp", "dinp", "danp"]
            .iter()
            .map(|d| {
                (
                    upper(d),
                    View::acc_mean(&v.main(d), e_end).zip(View::acc_mean(&v.main("np"), e_end)).map(|(a, b)| a - b),
                )
            })
            .collect();
        out.push(Check {
            expectation: format!("decorrelated variants clearly beat plain NP (after {} epochs)", epoch_str(e_end)),
            measured: beat
                .iter()
                .map(|(n, g)| format!("{n} {}", g.map_or("—".into(), |g| format!("{} points", signed(g)))))
                .collect::<Vec<_>>()
                .join(", "),
            pass: beat
                .iter()
                .map(|(_, g)| g.map(|g| g > 1.0))
                .collect::<Option<Vec<bool>>>()
                .map(|v| v.iter().all(|&b| b)),
            quick_enforced: false,
        });
        let bp = View::acc_mean(&v.main("bp"), e_end);
        let np = View::acc_mean(&v.main("np"), e_end);
        out.push(Check {
            expectation: format!("BP above plain NP (after {} epochs)", epoch_str(e_end)),
            measured: format!("BP {}, NP {}", bp.map_or("—".into(), pct), np.map_or("—".into(), pct)),
            pass: bp.zip(np).map(|(a, b)| a > b),
            quick_enforced: true,
        });
        if s.long_epochs >= 50.0 && !s.long_rules.is_empty() {
            let vals: Vec<(String, Option<f64>)> =
                s.long_rules.iter().map(|r| (upper(r), View::acc_mean(&v.main(r), 50.0))).collect();
            let extra: Vec<String> = s
                .long_rules
                .iter()
                .filter_map(|r| {
                    let runs = v.runs("samelr", r, |_| true);
                    let lr = runs.first()?.job.lr;
                    Some(format!("{} at lr {lr} {}%", upper(r), View::acc_mean(&runs, 50.0).map_or("—".into(), pct)))
                })
                .collect();
            out.push(Check {
                expectation: "rules near 90-92% test accuracy after 50 epochs (reference)".into(),
                measured: format!(
                    "at the chosen rates {}{}",
                    vals.iter()
                        .map(|(n, a)| format!("{n} {}%", a.map_or("—".into(), pct)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if extra.is_empty() { String::new() } else { format!("; {}", extra.join(", ")) }
                ),
                pass: vals
                    .iter()
                    .map(|(_, a)| a.map(|a| (88.5..=93.5).contains(&a)))
                    .collect::<Option<Vec<bool>>>()
                    .map(|v| v.iter().all(|&b| b)),
                quick_enforced: false,
            });
        }
    }
    if s.centred_rules.contains(&"anp") && s.centred_rules.contains(&"danp") {
        let e = if s.centred_epochs >= 2.5 { 2.5 } else { s.centred_epochs.min(1.0) };
        let raw = View::acc_mean(&v.main("danp"), e).zip(View::acc_mean(&v.main("anp"), e)).map(|(a, b)| a - b);
        let cen = View::acc_mean(&v.runs("centred", "danp", |_| true), e)
            .zip(View::acc_mean(&v.runs("centred", "anp", |_| true), e))
            .map(|(a, b)| a - b);
        out.push(Check {
            expectation: format!(
                "almost no gain from decorrelation once inputs are mean-centred (DANP - ANP after {} epochs)",
                epoch_str(e)
            ),
            measured: format!(
                "raw {}, centred {}",
                raw.map_or("—".into(), |g| format!("{} points", signed(g))),
                cen.map_or("—".into(), |g| format!("{} points", signed(g)))
            ),
            pass: raw.zip(cen).map(|(r, c)| c < (0.5 * r).max(1.0)),
            quick_enforced: false,
        });
    }
    for &rule in &s.blind_rules {
        let e = s.blind_epochs;
        let clean = View::acc_mean(&v.main(rule), e);
        let blind = View::acc_mean(&v.runs("blind", rule, |_| true), e);
        out.push(Check {
            expectation: format!(
                "{} still learns with blind noise (within 5 points of clean after {} epochs)",
                upper(rule),
                epoch_str(e)
            ),
            measured: format!("clean {}, blind {}", clean.map_or("—".into(), pct), blind.map_or("—".into(), pct)),
            pass: clean.zip(blind).map(|(c, b)| b >= c - 5.0),
            quick_enforced: false,
        });
    }
    out
}

// ---- the markdown ----

pub fn write(s: &Settings, r: &Results) -> Result<Vec<Check>, String> {
    let v = View { s, r };
    let dir = s.out_dir.join("results");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut plots = Vec::new();
    if !r.align.is_empty() {
        plots.extend(plot_alignment(&v, &dir)?);
    }
    plots.extend(plot_training(&v, &dir)?);
    plots.extend(plot_decorrelation(&v, &dir)?);
    plots.extend(plot_blind(&v, &dir)?);
    let checks = checks(&v);
    let md = markdown(&v, &checks);
    let path = s.out_dir.join("results.md");
    std::fs::write(&path, md).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(checks)
}

fn verdict(p: Option<bool>) -> &'static str {
    match p {
        Some(true) => "as expected",
        Some(false) => "**differs**",
        None => "no data",
    }
}

fn markdown(v: &View, checks: &[Check]) -> String {
    let s = v.s;
    let r = v.r;
    let mut o = String::new();
    let minutes = r.total_secs / 60.0;
    let _ = writeln!(o, "# Reproduction report{}\n", if s.quick { " (quick)" } else { "" });
    let _ = writeln!(
        o,
        "Generated by `{}` on {} ({} worker threads on a {}-core machine). Total run time **{:.1} min** ({:.0} s): {}.\n",
        s.command(),
        date(r.started),
        r.threads,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        minutes,
        r.total_secs,
        r.phases.iter().map(|(n, t)| format!("{n} {t:.0} s")).collect::<Vec<_>>().join(", ")
    );
    if s.quick {
        let _ = writeln!(
            o,
            "This is the small CI version (`--quick`): {} digits pooled to 14x14, one seed, a few epochs. It only checks orderings; the full report is `docs/results.md`.\n",
            s.data
        );
    }
    let _ = writeln!(
        o,
        "Reference: `learning-rules.md` (the team's restatement of Dalm, van Gerven & Ahmad, arXiv 2310.00965). Everything below is measured by this command; `--render-only` rewrites this file and the plots from the cached measurements (`{}`) without training.\n",
        s.cache.display()
    );
    let _ = writeln!(o, "## Setup\n");
    let _ = writeln!(
        o,
        "- **Data**: the MNIST subset `www/data/mnist.bin` (10,000 real digits, fixed split: 8,000 training, 2,000 test), `data={}`{}. Inputs are raw grey levels in [0, 1] unless stated (mean-centred runs subtract the training-set mean of every pixel from train and test).",
        s.data,
        if s.pool { " (2x2-pooled to 14x14)" } else { "" }
    );
    let _ = writeln!(
        o,
        "- **Network**: {} tanh, linear output, softmax cross-entropy, Xavier init; Adam, batch 100, sigma {}, K = 1, decorrelation rate `decor_lr` {} unless stated. Config strings are `v=1&data={}&rule=RULE&lr=LR&decor_lr=D&seed=SEED` (all other keys at their defaults).",
        s.net_desc(),
        s.align.sigma,
        s.decor_default,
        s.data
    );
    let _ = writeln!(
        o,
        "- **Seeds**: {} for every training curve (each seed fixes the initial weights, batch order and noise); learning-rate selection used seed {}.",
        s.seeds.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "),
        s.select_seed
    );
    let _ = writeln!(
        o,
        "- **Learning rate**: grid lr ∈ {{{}}}; for each rule the rate with the best accuracy on {} held-out training digits (every 8th; trained on the other {}) after {} epoch(s) of seed {}; the test set is not used for the choice.",
        s.lr_grid.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "),
        s.holdout,
        8000 - s.holdout,
        epoch_str(s.select_epochs),
        s.select_seed
    );
    let _ = writeln!(
        o,
        "- **Epochs**: {} for every rule{}; evaluated every half epoch up to 5 epochs, then every epoch (test accuracy on all 2,000 test digits; the training loss over all 8,000 training digits at the end).",
        epoch_str(s.epochs),
        if s.long_rules.is_empty() {
            String::new()
        } else {
            format!(
                ", {} for {} (the budget does not allow 50 for all eight)",
                epoch_str(s.long_epochs),
                s.long_rules.iter().map(|r| upper(r)).collect::<Vec<_>>().join(", ")
            )
        }
    );
    let _ = writeln!(
        o,
        "- **Alignment grid**: widths {{{}}}, batch sizes {{{}}}, K ∈ {{{}}}, {} initialisations per cell (each with its own random batch of training digits, shared by all methods, batch sizes and K), sigma {}.",
        s.align.widths.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "),
        s.align.batches.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "),
        s.align.draws.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "),
        s.align.trials,
        s.align.sigma
    );
    let _ = writeln!(
        o,
        "- Numbers are mean ± standard deviation over seeds (accuracy, %), or mean ± standard error over initialisations (alignment). Shaded bands in the plots: min–max over seeds, ± one standard error for alignment.\n"
    );

    // Summary of checks.
    let _ = writeln!(o, "## The expectations, point by point\n");
    let _ = writeln!(o, "| expectation (learning-rules.md) | measured | verdict |\n|---|---|---|");
    for c in checks {
        let _ = writeln!(o, "| {} | {} | {} |", c.expectation, c.measured, verdict(c.pass));
    }
    let _ = writeln!(o);
    discussion(v, &mut o);

    // (a)
    if !r.align.is_empty() {
        let (w, b, k) = (v.ref_width(), v.ref_batch(), v.k_min());
        let _ = writeln!(o, "## (a) Alignment with the true gradient at initialisation\n");
        let _ = writeln!(
            o,
            "Cosine between each rule's update (`train::update_direction`) and the exact BP gradient on the same batch of real digits, per layer (weights and biases together) and over all layers, for {}-w-w-10 tanh networks at initialisation. `ANP-BLIND` is ANP with `mode=blind` (two noisy passes; noise never observed).\n",
            s.n_inputs()
        );
        let _ = writeln!(
            o,
            "![alignment against batch size](results/alignment_batch.svg)\n\n![alignment against width](results/alignment_width.svg)\n"
        );
        let _ = writeln!(
            o,
            "Width {w}, batch {b}, K = {k}:\n\n| method | hidden 1 | hidden 2 | output | all layers |\n|---|---|---|---|---|"
        );
        for (m, _, _) in METHODS {
            if let Some(c) = v.cell(m, w, b, k) {
                let _ = writeln!(
                    o,
                    "| {} | {} |",
                    upper(m),
                    (0..4).map(|i| format!("{:.3} ± {:.3}", c.mean[i], c.se(i))).collect::<Vec<_>>().join(" | ")
                );
            }
        }
        let _ = writeln!(o, "\nAll layers at width {w}, by batch size and K:\n");
        let _ = writeln!(
            o,
            "| method | K | {} |\n|---|---|{}",
            s.align.batches.iter().map(|b| format!("batch {b}")).collect::<Vec<_>>().join(" | "),
            "---|".repeat(s.align.batches.len())
        );
        for (m, _, _) in METHODS {
            for &k in &s.align.draws {
                let cells: Vec<String> = s
                    .align
                    .batches
                    .iter()
                    .map(|&b| v.cell(m, w, b, k).map_or("—".into(), |c| format!("{:.3}", c.mean[3])))
                    .collect();
                let _ = writeln!(o, "| {} | {k} | {} |", upper(m), cells.join(" | "));
            }
        }
        let _ = writeln!(o, "\nBy width (batch {b}, K = {k}), per layer:\n");
        let _ = writeln!(
            o,
            "| method | layer | {} |\n|---|---|{}",
            s.align.widths.iter().map(|w| format!("width {w}")).collect::<Vec<_>>().join(" | "),
            "---|".repeat(s.align.widths.len())
        );
        for (m, _, _) in METHODS {
            for i in 0..4 {
                let cells: Vec<String> = s
                    .align
                    .widths
                    .iter()
                    .map(|&w| v.cell(m, w, b, k).map_or("—".into(), |c| format!("{:.3}", c.mean[i])))
                    .collect();
                let _ = writeln!(o, "| {} | {} | {} |", upper(m), layer_name(i), cells.join(" | "));
            }
        }
        let _ = writeln!(
            o,
            "\n<details><summary>The whole grid (mean over initialisations)</summary>\n\n| method | width | batch | K | hidden 1 | hidden 2 | output | all |\n|---|---|---|---|---|---|---|---|"
        );
        for c in &r.align {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |",
                upper(&c.method),
                c.width,
                c.batch,
                c.draws,
                c.mean[0],
                c.mean[1],
                c.mean[2],
                c.mean[3]
            );
        }
        let _ = writeln!(o, "\n</details>\n");
    }

    // (b)
    let _ = writeln!(o, "## (b) Test accuracy over epochs\n");
    let _ = writeln!(
        o,
        "Learning-rate selection: accuracy (%) on the {} held-out training digits after {} epoch(s), seed {}; the chosen rate in bold.\n",
        s.holdout,
        epoch_str(s.select_epochs),
        s.select_seed
    );
    let _ = writeln!(
        o,
        "| rule | {} |\n|---|{}",
        s.lr_grid.iter().map(|l| format!("lr {l}")).collect::<Vec<_>>().join(" | "),
        "---|".repeat(s.lr_grid.len())
    );
    for rule in RULES {
        let chosen = v.lr(rule);
        let cells: Vec<String> = s
            .lr_grid
            .iter()
            .map(|&lr| {
                let run = r.runs.iter().find(|x| x.job.group == "select" && x.job.rule == rule && x.job.lr == lr);
                let txt = match run {
                    Some(x) if x.error.is_some() => "diverged".to_string(),
                    Some(x) => x.final_point().map_or("—".into(), |p| pct(100.0 * p.test_acc as f64)),
                    None => "—".into(),
                };
                if Some(lr) == chosen { format!("**{txt}**") } else { txt }
            })
            .collect();
        let _ = writeln!(o, "| {} | {} |", upper(rule), cells.join(" | "));
    }
    let max_e = RULES.iter().flat_map(|r| v.main(r)).map(|x| x.job.epochs).fold(0.0, f64::max);
    let marks = View::marks(max_e);
    let _ = writeln!(
        o,
        "\nTest accuracy (%), mean ± sd over {} seed(s), each rule at its chosen learning rate:\n",
        s.seeds.len()
    );
    let _ = writeln!(
        o,
        "| rule | lr | {} | peak (epoch) | final train loss / accuracy |\n|---|---|{}---|---|",
        epoch_cells(&marks),
        "---|".repeat(marks.len())
    );
    let mut rows: Vec<(String, Vec<&RunResult>)> = RULES
        .iter()
        .map(|r| (format!("{} | {}", upper(r), v.lr(r).map_or("—".into(), |l| l.to_string())), v.main(r)))
        .collect();
    for rule in RULES.iter().filter(|r| r.starts_with('d')) {
        let extra = v.runs("samelr", rule, |_| true);
        if let Some(first) = extra.first() {
            rows.push((format!("{} (at {}'s rate) | {}", upper(rule), upper(&rule[1..]), first.job.lr), extra));
        }
    }
    for (label, runs) in rows {
        let cells: Vec<String> = marks.iter().map(|&e| View::acc_cell(&runs, e)).collect();
        let fin: Vec<(f64, f64)> = runs
            .iter()
            .filter_map(|x| x.final_point())
            .map(|p| (p.train_loss as f64, 100.0 * p.train_acc as f64))
            .collect();
        let fin = if fin.is_empty() {
            "—".into()
        } else {
            let l: Vec<f64> = fin.iter().map(|x| x.0).collect();
            let a: Vec<f64> = fin.iter().map(|x| x.1).collect();
            format!("{:.3} / {:.1}%", mean_sd(&l).0, mean_sd(&a).0)
        };
        let c = View::curve(&runs, f64::INFINITY, Metric::TestAcc);
        let peak = c.mean.iter().zip(&c.xs).fold(None, |best: Option<(f32, f32)>, (&m, &x)| match best {
            Some((bm, _)) if bm >= m => best,
            _ => Some((m, x)),
        });
        let peak = peak.map_or("—".into(), |(m, x)| format!("{m:.1} ({})", epoch_str(x as f64)));
        let _ = writeln!(o, "| {label} | {} | {peak} | {fin} |", cells.join(" | "));
    }
    let _ = writeln!(
        o,
        "\n\"peak\" is the best mean-over-seeds test accuracy at any evaluation and when it happened; the final training loss and accuracy are over all 8,000 training digits."
    );
    let _ = writeln!(o, "\n![test accuracy over epochs](results/accuracy.svg)\n");
    if !s.long_rules.is_empty() && s.long_epochs > s.epochs {
        let _ = writeln!(o, "![test accuracy over {} epochs](results/accuracy_long.svg)\n", epoch_str(s.long_epochs));
    }

    // Decorrelation.
    let _ = writeln!(o, "## How much decorrelation speeds up NP on digits, and what makes the difference\n");
    let fams = ["bp", "np", "inp", "anp"];
    let m_short = View::marks(s.epochs);
    let _ = writeln!(
        o,
        "Gain of the decorrelated variant over its plain version (test accuracy points, raw pixels, each at its own chosen learning rate; mean over seeds):\n"
    );
    let _ = writeln!(o, "| pair | {} |\n|---|{}", epoch_cells(&m_short), "---|".repeat(m_short.len()));
    for f in fams {
        let d = format!("d{f}");
        let cells: Vec<String> = m_short
            .iter()
            .map(|&e| {
                View::acc_mean(&v.main(&d), e)
                    .zip(View::acc_mean(&v.main(f), e))
                    .map_or("—".into(), |(a, b)| signed(a - b))
            })
            .collect();
        let _ = writeln!(o, "| {} − {} | {} |", upper(&d), upper(f), cells.join(" | "));
        let extra = v.runs("samelr", &d, |_| true);
        if let Some(first) = extra.first() {
            let cells: Vec<String> = m_short
                .iter()
                .map(|&e| {
                    View::acc_mean(&extra, e)
                        .zip(View::acc_mean(&v.main(f), e))
                        .map_or("—".into(), |(a, b)| signed(a - b))
                })
                .collect();
            let _ = writeln!(o, "| {} at lr {} − {} | {} |", upper(&d), first.job.lr, upper(f), cells.join(" | "));
        }
    }
    // Epochs and seconds to reach targets.
    let targets = [80.0, 85.0, 90.0];
    let _ = writeln!(
        o,
        "\nEpochs to first reach a test accuracy (mean over seeds; \"—\" if a seed never reached it within its run), and the single-threaded training time that takes (from the timing in (d)):\n"
    );
    let _ = writeln!(
        o,
        "| rule | {} |\n|---|{}",
        targets.iter().map(|t| format!("{t}%: epochs (s)")).collect::<Vec<_>>().join(" | "),
        "---|".repeat(targets.len())
    );
    let mut rows: Vec<(String, &str, Vec<&RunResult>)> = RULES.iter().map(|r| (upper(r), *r, v.main(r))).collect();
    for rule in RULES.iter().filter(|r| r.starts_with('d')) {
        let extra = v.runs("samelr", rule, |_| true);
        if let Some(first) = extra.first() {
            rows.push((format!("{} at lr {}", upper(rule), first.job.lr), *rule, extra));
        }
    }
    for (label, rule, runs) in rows {
        let cells: Vec<String> = targets
            .iter()
            .map(|&t| {
                let e: Option<Vec<f64>> = runs.iter().map(|x| x.epochs_to(t / 100.0)).collect();
                match e {
                    Some(e) if !e.is_empty() => {
                        let m = mean_sd(&e).0;
                        let secs = v.secs_per_epoch(rule).map_or(String::new(), |spe| format!(" ({:.1} s)", m * spe));
                        format!("{m:.1}{secs}")
                    }
                    _ => "—".into(),
                }
            })
            .collect();
        let _ = writeln!(o, "| {label} | {} |", cells.join(" | "));
    }
    if !s.centred_rules.is_empty() {
        let mc = View::marks(s.centred_epochs);
        let _ =
            writeln!(o, "\nRaw against mean-centred inputs (same seeds, same learning rates, same initial weights):\n");
        v.paired_table(&mut o, &s.centred_rules, &mc, ("inputs", "raw", "centred", "centred"));
        for f in ["np", "inp", "anp", "bp"] {
            let d = format!("d{f}");
            if !(s.centred_rules.contains(&f) && s.centred_rules.contains(&d.as_str())) {
                continue;
            }
            let g = |inputs: Inputs, e: f64| -> Option<f64> {
                let get =
                    |rule: &str| if inputs == Inputs::Raw { v.main(rule) } else { v.runs("centred", rule, |_| true) };
                View::acc_mean(&get(&d), e).zip(View::acc_mean(&get(f), e)).map(|(a, b)| a - b)
            };
            let raw: Vec<String> = mc.iter().map(|&e| g(Inputs::Raw, e).map_or("—".into(), signed)).collect();
            let cen: Vec<String> = mc.iter().map(|&e| g(Inputs::Centred, e).map_or("—".into(), signed)).collect();
            let _ = writeln!(o, "| {} − {} | raw | {} |", upper(&d), upper(f), raw.join(" | "));
            let _ = writeln!(o, "| {} − {} | centred | {} |", upper(&d), upper(f), cen.join(" | "));
        }
    }
    if !s.decor_rules.is_empty() {
        let md = View::marks(s.decor_epochs);
        let mut rates = s.decor_rates.clone();
        rates.push(s.decor_default);
        rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let _ =
            writeln!(o, "\nThe decorrelation rate (raw pixels; `decor_lr` = {} is the main runs):\n", s.decor_default);
        let _ = writeln!(o, "| rule | decor_lr | {} |\n|---|---|{}", epoch_cells(&md), "---|".repeat(md.len()));
        for &rule in &s.decor_rules {
            let plain = rule.trim_start_matches('d');
            let cells: Vec<String> = md.iter().map(|&e| View::acc_cell(&v.main(plain), e)).collect();
            let _ = writeln!(o, "| {} | (none) | {} |", upper(plain), cells.join(" | "));
            for &rate in &rates {
                let runs = if rate == s.decor_default {
                    v.main(rule)
                } else {
                    v.runs("decor", rule, |x| x.job.decor_lr == rate)
                };
                let cells: Vec<String> = md.iter().map(|&e| View::acc_cell(&runs, e)).collect();
                let err = runs.iter().find_map(|x| x.error.clone()).map(|e| format!(" ({e})")).unwrap_or_default();
                let _ = writeln!(o, "| {} | {rate}{err} | {} |", upper(rule), cells.join(" | "));
            }
        }
    }
    if plots_exist(s, "decorrelation.svg") {
        let _ = writeln!(
            o,
            "\n![decorrelation: raw vs centred inputs and the decorrelation rate](results/decorrelation.svg)\n"
        );
    }

    // (c)
    if !s.blind_rules.is_empty() {
        let _ = writeln!(o, "## (c) ANP with clean against blind noise\n");
        let _ = writeln!(
            o,
            "`mode=blind`: both copies of the batch are noisy, the noise is never observed; ANP uses the measured activity difference between the two passes. Same seeds and learning rates as the clean runs.\n"
        );
        let mb = View::marks(s.blind_epochs);
        v.paired_table(&mut o, &s.blind_rules, &mb, ("noise", "clean", "blind", "blind"));
        if !r.align.is_empty() {
            let w = v.ref_width();
            let k = v.k_min();
            let _ = writeln!(
                o,
                "\nAlignment at initialisation (all layers, width {w}, K = {k}): {}.\n",
                s.align
                    .batches
                    .iter()
                    .map(|&b| {
                        let c = v.cell("anp", w, b, k).map_or(f64::NAN, |c| c.mean[3]);
                        let bl = v.cell("anp-blind", w, b, k).map_or(f64::NAN, |c| c.mean[3]);
                        format!("batch {b}: clean {c:.3}, blind {bl:.3}")
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        let _ = writeln!(o, "![clean against blind noise](results/blind.svg)\n");
    }

    // (d)
    let _ = writeln!(o, "## (d) Time per rule\n");
    let _ = writeln!(
        o,
        "Training speed measured single-threaded after the suite (one epoch of {} steps after 5 warm-up steps, seed 1, diagnostics off), one full evaluation of all 10,000 digits, and the training seconds each rule used in the suite (all its runs, two at a time in parallel, evaluation excluded).\n",
        8000 / 100
    );
    let _ = writeln!(
        o,
        "| rule | samples/s | s per epoch | × BP's time | evaluation (s) | suite training time (s) | runs |\n|---|---|---|---|---|---|---|"
    );
    let bp_sps = r.timing.iter().find(|t| t.rule == "bp").map(|t| t.samples_per_s);
    for t in &r.timing {
        let runs: Vec<&RunResult> = r.runs.iter().filter(|x| x.job.rule == t.rule).collect();
        let secs: f64 = runs.iter().map(|x| x.train_secs).sum();
        let _ = writeln!(
            o,
            "| {} | {:.0} | {:.2} | {} | {:.2} | {:.0} | {} |",
            upper(&t.rule),
            t.samples_per_s,
            8000.0 / t.samples_per_s,
            bp_sps.map_or("—".into(), |b| format!("{:.2}", b / t.samples_per_s)),
            t.eval_secs,
            secs,
            runs.len()
        );
    }
    let _ = writeln!(o);
    o
}

fn plots_exist(s: &Settings, name: &str) -> bool {
    s.out_dir.join("results").join(name).exists()
}

/// Prose that ties the numbers together. Every number is computed from the measurements and
/// every comparative word is chosen by them.
fn discussion(v: &View, o: &mut String) {
    let s = v.s;
    let r = v.r;
    let f1 = |x: Option<f64>| x.map_or("—".to_string(), pct);
    let g1 = |x: Option<f64>| x.map_or("—".to_string(), signed);
    let acc = |runs: &[&RunResult], e: f64| View::acc_mean(runs, e);
    let gain = |d: &[&RunResult], p: &[&RunResult], e: f64| acc(d, e).zip(acc(p, e)).map(|(a, b)| a - b);
    let _ = writeln!(o, "## What the measurements say\n");

    if !r.align.is_empty() {
        let (w, b, k) = (v.ref_width(), v.ref_batch(), v.k_min());
        let at = |m: &str, i: usize| v.cell(m, w, b, k).map_or(f64::NAN, |c| c.mean[i]);
        let cells = |m: &str| -> Vec<&AlignCell> { r.align.iter().filter(|c| c.method == m).collect() };
        let wins = |m: &str| {
            cells(m)
                .iter()
                .filter(|c| v.cell("np", c.width, c.batch, c.draws).is_some_and(|n| c.mean[3] > n.mean[3]))
                .count()
        };
        let n_cells = cells("np").len();
        let _ = writeln!(
            o,
            "**Alignment.** At width {w}, batch {b}, K = {k} the overall cosines with the true gradient are NP {:.3}, INP {:.3}, ANP {:.3}; per layer (hidden 1 / hidden 2 / output) NP {:.2} / {:.2} / {:.2}, INP {:.2} / {:.2} / {:.2}, ANP {:.2} / {:.2} / {:.2}. INP is above NP in {} of the {n_cells} cells of the grid, ANP in {} of {n_cells}.\n",
            at("np", 3),
            at("inp", 3),
            at("anp", 3),
            at("np", 0),
            at("np", 1),
            at("np", 2),
            at("inp", 0),
            at("inp", 1),
            at("inp", 2),
            at("anp", 0),
            at("anp", 1),
            at("anp", 2),
            wins("inp"),
            wins("anp")
        );
        let wl = *s.align.widths.iter().min().unwrap();
        let cw = |m: &str, width: usize, i: usize| v.cell(m, width, b, k).map_or(f64::NAN, |c| c.mean[i]);
        let n_units = 2 * w + 10;
        let _ = writeln!(
            o,
            "The levels are far below the reference's small simulation (about 0.23 for NP, 0.39 for INP and ANP; engine.md measured 0.16 / 0.31 / 0.24 on 8-16-16-4) because these networks perturb many more units (N = {n_units} at width {w}, 784 inputs): from width {wl} to {w} the overall cosine falls {:.3} → {:.3} (NP), {:.3} → {:.3} (INP), {:.3} → {:.3} (ANP) — by {:.1}x, {:.1}x and {:.1}x for a {}x wider network — while the output layer's does not fall (NP {:.2} → {:.2}, INP {:.2} → {:.2}, ANP {:.2} → {:.2}): the hidden layers' estimates get noisier with width, the output layer's do not.\n",
            cw("np", wl, 3),
            cw("np", w, 3),
            cw("inp", wl, 3),
            cw("inp", w, 3),
            cw("anp", wl, 3),
            cw("anp", w, 3),
            cw("np", wl, 3) / cw("np", w, 3),
            cw("inp", wl, 3) / cw("inp", w, 3),
            cw("anp", wl, 3) / cw("anp", w, 3),
            w / wl,
            cw("np", wl, 2),
            cw("np", w, 2),
            cw("inp", wl, 2),
            cw("inp", w, 2),
            cw("anp", wl, 2),
            cw("anp", w, 2)
        );
        let (gi, ga, gn) = (v.grid_mean("inp", 2), v.grid_mean("anp", 2), v.grid_mean("np", 2));
        let out_word = if ga > gi {
            "ANP is ahead, as the reference expects"
        } else if gi - ga < 0.05 {
            "INP is slightly ahead, so ANP is level with INP there rather than best"
        } else {
            "INP is clearly ahead, unlike the reference's expectation"
        };
        let _ = writeln!(
            o,
            "On the output layer both beat NP clearly (grid means INP {gi:.3}, ANP {ga:.3}, NP {gn:.3}) and {out_word}. {}\n",
            if v.grid_mean("anp", 0) < 1.15 * v.grid_mean("np", 0) {
                format!(
                    "ANP's first hidden layer is no better than NP's (grid means {:.3} vs {:.3}): the measured change there is exactly the injected noise, and its loss change carries every layer's noise as NP's does, so ANP's advantage lies in the later layers.",
                    v.grid_mean("anp", 0),
                    v.grid_mean("np", 0)
                )
            } else {
                String::new()
            }
        );
        let ratio = |m: &str, f: &dyn Fn(&AlignCell) -> bool, g: &dyn Fn(&AlignCell) -> bool| {
            let a: Vec<f64> = cells(m).iter().filter(|c| f(c)).map(|c| c.mean[3]).collect();
            let z: Vec<f64> = cells(m).iter().filter(|c| g(c)).map(|c| c.mean[3]).collect();
            mean_sd(&z).0 / mean_sd(&a).0
        };
        let (kl, kh, bl, bh) = (v.k_min(), v.k_max(), v.b_min(), v.b_max());
        let kr: Vec<String> = ["np", "inp", "anp"]
            .iter()
            .map(|m| format!("{:.1}x", ratio(m, &|c| c.draws == kl, &|c| c.draws == kh)))
            .collect();
        let br: Vec<String> = ["np", "inp", "anp"]
            .iter()
            .map(|m| format!("{:.1}x", ratio(m, &|c| c.batch == bl, &|c| c.batch == bh)))
            .collect();
        let _ = writeln!(
            o,
            "Going from K = {kl} to K = {kh} draws multiplies the overall cosine (mean over the grid) by {} for NP, INP and ANP (sqrt({}) = {:.0} is the small-signal limit), and going from batch {bl} to {bh} by {}.\n",
            kr.join(", "),
            kh / kl,
            ((kh / kl) as f64).sqrt(),
            br.join(", ")
        );
        let blind1 = v.cell("anp-blind", w, b, kl).map_or(f64::NAN, |c| c.mean[3]);
        let clean1 = v.cell("anp", w, b, kl).map_or(f64::NAN, |c| c.mean[3]);
        let blindk = v.cell("anp-blind", w, b, kh).map_or(f64::NAN, |c| c.mean[3]);
        let cleank = v.cell("anp", w, b, kh).map_or(f64::NAN, |c| c.mean[3]);
        let _ = writeln!(
            o,
            "Blind ANP is as well aligned as clean ANP with one draw ({blind1:.3} vs {clean1:.3} at width {w}, batch {b}){}\n",
            if blindk < 0.8 * cleank {
                format!(
                    ", but gains much less from more draws (K = {kh}: {blindk:.3} vs {cleank:.3}): with K draws the engine compares every draw with one noisy reference pass (engine.md), whose own noise is common to all K estimates and does not average out."
                )
            } else {
                format!(" and with K = {kh} draws ({blindk:.3} vs {cleank:.3}).")
            }
        );
    }

    let has_main = RULES.iter().all(|x| !v.main(x).is_empty());
    if has_main {
        let e = s.epochs;
        let mut rank: Vec<(&str, f64)> = RULES.iter().filter_map(|x| acc(&v.main(x), e).map(|a| (*x, a))).collect();
        rank.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap());
        let _ = writeln!(
            o,
            "**Accuracy.** After {} epochs, at each rule's chosen rate: {}.\n",
            epoch_str(e),
            rank.iter().map(|(x, a)| format!("{} {a:.1}%", upper(x))).collect::<Vec<_>>().join(", ")
        );
        if s.long_epochs > s.epochs && !s.long_rules.is_empty() {
            let le = s.long_epochs;
            let peak = |runs: &[&RunResult]| -> Option<(f64, f64)> {
                let c = View::curve(runs, f64::INFINITY, Metric::TestAcc);
                c.mean.iter().zip(&c.xs).fold(None, |best: Option<(f64, f64)>, (&m, &x)| match best {
                    Some((bm, _)) if bm >= m as f64 => best,
                    _ => Some((m as f64, x as f64)),
                })
            };
            let describe = |label: String, runs: &[&RunResult]| -> String {
                match (acc(runs, le), peak(runs)) {
                    (Some(a), Some((p, pe))) if p - a > 1.0 => {
                        format!("{label} {a:.1}% (peak {p:.1}% at epoch {})", epoch_str(pe))
                    }
                    (Some(a), _) => format!("{label} {a:.1}%"),
                    _ => format!("{label} —"),
                }
            };
            let mut parts: Vec<String> = s
                .long_rules
                .iter()
                .map(|x| describe(format!("{} (lr {})", upper(x), v.lr(x).unwrap_or(f32::NAN)), &v.main(x)))
                .collect();
            for x in s.long_rules.iter().filter(|x| x.starts_with('d')) {
                let extra = v.runs("samelr", x, |_| true);
                if let Some(f) = extra.first() {
                    parts.push(describe(format!("{} at lr {}", upper(x), f.job.lr), &extra));
                }
            }
            let _ = writeln!(
                o,
                "After {} epochs: {}. The reference saw all rules near 90-92% after 50 epochs.\n",
                epoch_str(le),
                parts.join(", ")
            );
            // A late decline: does the training loss rise again (the optimisation degrades) or does
            // the gap between training and test accuracy grow (overfitting)?
            for x in s.long_rules.iter().filter(|x| x.starts_with('d')) {
                let runs = v.main(x);
                let te = View::curve(&runs, f64::INFINITY, Metric::TestAcc);
                let ta = View::curve(&runs, f64::INFINITY, Metric::TrainAcc);
                let tl = View::curve(&runs, f64::INFINITY, Metric::TrainLoss);
                let n = te.mean.len();
                if n < 2 || ta.mean.len() != n || tl.mean.len() != n {
                    continue;
                }
                let pi = (0..n).max_by(|&a, &b| te.mean[a].partial_cmp(&te.mean[b]).unwrap()).unwrap();
                let last = n - 1;
                if te.mean[pi] - te.mean[last] < 1.0 {
                    continue;
                }
                let min_loss = tl.mean[pi..].iter().cloned().fold(f32::INFINITY, f32::min);
                let (gap_p, gap_e) = (ta.mean[pi] - te.mean[pi], ta.mean[last] - te.mean[last]);
                let what = if tl.mean[last] > 1.1 * min_loss {
                    "the training loss rises again too, so the optimisation itself degrades"
                } else if gap_e - gap_p > 2.0 {
                    "the training loss does not rise while the gap between training and test accuracy widens: overfitting, not divergence"
                } else {
                    "neither the training loss nor the train-test gap explains it clearly"
                };
                let _ = writeln!(
                    o,
                    "{} at lr {} peaks at {:.1}% (epoch {}) and ends at {:.1}%; from the peak to the end its training accuracy goes {:.1}% → {:.1}% and its training loss {:.3} → {:.3}, the train-test gap {:.1} → {:.1} points: {what}.\n",
                    upper(x),
                    v.lr(x).unwrap_or(f32::NAN),
                    te.mean[pi],
                    epoch_str(te.xs[pi] as f64),
                    te.mean[last],
                    ta.mean[pi],
                    ta.mean[last],
                    tl.mean[pi],
                    tl.mean[last],
                    gap_p,
                    gap_e
                );
            }
            let same: Vec<String> = s
                .long_rules
                .iter()
                .filter(|x| x.starts_with('d'))
                .filter_map(|x| {
                    let extra = v.runs("samelr", x, |_| true);
                    let lr = extra.first()?.job.lr;
                    Some(format!(
                        "{} at lr {lr} ends at {} (at lr {}: {}; {}: {})",
                        upper(x),
                        f1(acc(&extra, le)),
                        v.lr(x).unwrap_or(f32::NAN),
                        f1(acc(&v.main(x), le)),
                        upper(&x[1..]),
                        f1(acc(&v.main(&x[1..]), le))
                    ))
                })
                .collect();
            if !same.is_empty() {
                // Where the plain long runs and the D-variants at the plain rate end.
                let mut ends: Vec<f64> =
                    s.long_rules.iter().filter(|x| !x.starts_with('d')).filter_map(|x| acc(&v.main(x), le)).collect();
                ends.extend(s.long_rules.iter().filter_map(|x| acc(&v.runs("samelr", x, |_| true), le)));
                let (lo, hi) =
                    (ends.iter().cloned().fold(f64::INFINITY, f64::min), ends.iter().cloned().fold(0.0, f64::max));
                let versus = if hi < 90.0 {
                    format!("{:.1}–{:.1} points under the reference's 90-92%", 90.0 - hi, 90.0 - lo)
                } else if lo >= 90.0 {
                    "within the reference's 90-92%".to_string()
                } else {
                    "at the lower edge of the reference's 90-92%".to_string()
                };
                let _ = writeln!(
                    o,
                    "At the plain rules' smaller rate the decorrelated variants {}: {}. The rate that wins a 3-epoch race is not the one to train {} epochs with. At a rate that does not overfit, these runs end between {lo:.1}% and {hi:.1}% after {} epochs, {versus}.\n",
                    if s.long_rules.iter().filter(|x| x.starts_with('d')).all(|x| {
                        acc(&v.runs("samelr", x, |_| true), le).zip(acc(&v.main(x), le)).is_some_and(|(a, b)| a > b)
                    }) {
                        "end higher than at their chosen rate"
                    } else {
                        "do not end higher"
                    },
                    same.join(", "),
                    epoch_str(le),
                    epoch_str(le)
                );
            }
        }
        let _ = writeln!(o);

        // Decorrelation.
        let pairs = ["np", "inp", "anp"];
        let mut to85 = Vec::new();
        let mut secs85: Vec<(f64, f64)> = Vec::new();
        for f in pairs {
            let d = format!("d{f}");
            let ep = |runs: &[&RunResult]| -> Option<f64> {
                runs.iter().map(|x| x.epochs_to(0.85)).collect::<Option<Vec<f64>>>().map(|v| mean_sd(&v).0)
            };
            if let (Some(a), Some(b)) = (ep(&v.main(f)), ep(&v.main(&d))) {
                if let Some((sf, sd)) = v.secs_per_epoch(f).zip(v.secs_per_epoch(&d)) {
                    secs85.push((a * sf, b * sd));
                }
                let secs = v
                    .secs_per_epoch(f)
                    .zip(v.secs_per_epoch(&d))
                    .map(|(sf, sd)| format!(", {:.1} s against {:.1} s single-threaded", b * sd, a * sf))
                    .unwrap_or_default();
                to85.push(format!(
                    "{} needs {b:.1} epochs against {}'s {a:.1} ({:.1}x fewer{secs})",
                    upper(&d),
                    upper(f),
                    a / b
                ));
            }
        }
        let m = |x: &str| v.main(x);
        let _ = writeln!(
            o,
            "**Decorrelation on digits.** On raw pixels the decorrelated variants learn much faster at first and the lead shrinks with training: DANP − ANP is {} points after half an epoch, {} after 2.5 (reference: about 7), {} after 10 (reference: about 2) and {} after {}; DNP − NP {}, {}, {}, {}; DINP − INP {}, {}, {}, {}. To reach 85% test accuracy {}. A decorrelated step costs about {} times a plain one here (see (d)), {}",
            g1(gain(&m("danp"), &m("anp"), 0.5)),
            g1(gain(&m("danp"), &m("anp"), 2.5)),
            g1(gain(&m("danp"), &m("anp"), 10.0)),
            g1(gain(&m("danp"), &m("anp"), s.epochs)),
            epoch_str(s.epochs),
            g1(gain(&m("dnp"), &m("np"), 0.5)),
            g1(gain(&m("dnp"), &m("np"), 2.5)),
            g1(gain(&m("dnp"), &m("np"), 10.0)),
            g1(gain(&m("dnp"), &m("np"), s.epochs)),
            g1(gain(&m("dinp"), &m("inp"), 0.5)),
            g1(gain(&m("dinp"), &m("inp"), 2.5)),
            g1(gain(&m("dinp"), &m("inp"), 10.0)),
            g1(gain(&m("dinp"), &m("inp"), s.epochs)),
            if to85.is_empty() { "—".into() } else { to85.join("; ") },
            v.secs_per_epoch("danp")
                .zip(v.secs_per_epoch("anp"))
                .map_or("—".into(), |(a, b)| format!("{:.1}", a / b)),
            if secs85.is_empty() {
                "so compare the seconds, not only the epochs.".to_string()
            } else if secs85.iter().all(|(p, d)| *d < 0.5 * p) {
                "and still the decorrelated variants reach 85% in less than half the wall-clock time.".to_string()
            } else if secs85.iter().all(|(p, d)| *d > 1.5 * p) {
                "so in wall-clock time the plain rules reach 85% first: the price of the 784x784 R outweighs the faster learning per step.".to_string()
            } else {
                "so in wall-clock time to 85% the two are roughly even: the faster learning per step is about used up by the price of the 784x784 R."
                    .to_string()
            }
        );
        let same: Vec<String> = pairs
            .iter()
            .filter_map(|f| {
                let d = format!("d{f}");
                let runs = v.same_lr(&d);
                let lr = runs.first()?.job.lr;
                Some(format!(
                    "{} at lr {lr} is {} points ahead after 2.5 epochs",
                    upper(&d),
                    g1(gain(&runs, &m(f), 2.5))
                ))
            })
            .collect();
        let same_ok = pairs.iter().all(|f| {
            let d = format!("d{f}");
            gain(&v.same_lr(&d), &m(f), 2.5).is_some_and(|g| g > 1.0)
        });
        if !same.is_empty() {
            let lead = if same_ok {
                "The lead is not an artefact of the learning-rate choice"
            } else {
                "Part of the lead comes from the learning-rate choice"
            };
            let _ = writeln!(
                o,
                "{lead} (the D-variants chose a larger rate than the plain rules where the table says so): at the plain rules' own rate {}.",
                same.join(", ")
            );
        }
        if s.centred_rules.contains(&"anp") && s.centred_rules.contains(&"danp") {
            let c = |x: &str| v.runs("centred", x, |_| true);
            let explains = gain(&c("danp"), &c("anp"), 2.5)
                .zip(gain(&m("danp"), &m("anp"), 2.5))
                .is_some_and(|(cg, rg)| cg < 0.5 * rg);
            let _ = writeln!(
                o,
                "\n**What makes the difference: centring.** {} after 2.5 epochs NP reaches {} on centred digits against {} on raw (DNP on raw: {}), ANP {} against {} (DANP on raw: {}). With centred inputs the gain of decorrelation after 2.5 epochs drops from {} to {} points (NP) and from {} to {} (ANP){}; in the first half epoch {} / {} points remain (raw: {} / {}). Centring changes the decorrelated rules themselves much less (DANP after 2.5 epochs {} centred, {} raw). {}",
                if explains {
                    "Subtracting the training-set mean of every pixel does most of decorrelation's work for the plain rules:"
                } else {
                    "Subtracting the training-set mean of every pixel:"
                },
                f1(acc(&c("np"), 2.5)),
                f1(acc(&m("np"), 2.5)),
                f1(acc(&m("dnp"), 2.5)),
                f1(acc(&c("anp"), 2.5)),
                f1(acc(&m("anp"), 2.5)),
                f1(acc(&m("danp"), 2.5)),
                g1(gain(&m("dnp"), &m("np"), 2.5)),
                g1(gain(&c("dnp"), &c("np"), 2.5)),
                g1(gain(&m("danp"), &m("anp"), 2.5)),
                g1(gain(&c("danp"), &c("anp"), 2.5)),
                if explains { ", close to the reference's \"almost no gain\"" } else { "" },
                g1(gain(&c("dnp"), &c("np"), 0.5)),
                g1(gain(&c("danp"), &c("anp"), 0.5)),
                g1(gain(&m("dnp"), &m("np"), 0.5)),
                g1(gain(&m("danp"), &m("anp"), 0.5)),
                f1(acc(&c("danp"), 2.5)),
                f1(acc(&m("danp"), 2.5)),
                if explains {
                    format!(
                        "The reading: raw grey levels are non-negative with a large common mean (the mean digit carries {:.0}% of the inputs' uncentred second moment, ||mean||² / E||x||²), so the uncentred second moments of the input — what the first layer's updates are conditioned by and what R's rule removes — are dominated by one shared direction, the mean digit. Removing that direction, by R or by subtracting the mean, is most of what speeds learning up; the remaining correlations between pixels matter much less (they still help in the first half epoch).",
                        100.0 * r.mean_share
                    )
                } else {
                    "Centring does not explain the gain here: decorrelation keeps most of its lead on centred inputs, so the correlations between pixels themselves, not only their common mean, slow the plain rules down.".to_string()
                }
            );
        }
        if !s.decor_rules.is_empty() {
            let mut rates = s.decor_rates.clone();
            rates.push(s.decor_default);
            rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let de = s.decor_epochs;
            let mut parts = Vec::new();
            let mut verdicts = Vec::new();
            for &x in &s.decor_rules {
                let plain = &x[1..];
                let row: Vec<String> = rates
                    .iter()
                    .map(|&rate| {
                        let runs = if rate == s.decor_default {
                            v.main(x)
                        } else {
                            v.runs("decor", x, |q| q.job.decor_lr == rate)
                        };
                        let div = runs.iter().filter(|q| q.error.is_some()).count();
                        if div > 0 {
                            format!("{rate}: diverged in {div} of {} runs", runs.len())
                        } else {
                            format!(
                                "{rate}: {} / {} / {}",
                                g1(gain(&runs, &m(plain), 0.5)),
                                g1(gain(&runs, &m(plain), 2.5)),
                                g1(gain(&runs, &m(plain), de))
                            )
                        }
                    })
                    .collect();
                parts.push(format!("{} − {}: {}", upper(x), upper(plain), row.join("; ")));
                let runs_at = |rate: f32| {
                    if rate == s.decor_default { v.main(x) } else { v.runs("decor", x, |q| q.job.decor_lr == rate) }
                };
                let (lo, hi) = (rates[0], rates[rates.len() - 1]);
                let g = |rate: f32, e: f64| gain(&runs_at(rate), &m(plain), e);
                let d = s.decor_default;
                let slow = lo < d && g(lo, 0.5).zip(g(d, 0.5)).is_some_and(|(a, b)| a < b);
                let fast_start = hi > d && g(hi, 0.5).zip(g(d, 0.5)).is_some_and(|(a, b)| a > b);
                let fast_plateau = hi > d && g(hi, de).zip(g(d, de)).is_some_and(|(a, b)| a < b);
                let best_end = rates.iter().filter_map(|&rt| g(rt, de).map(|x| (rt, x))).fold(
                    None,
                    |bst: Option<(f32, f64)>, c| match bst {
                        Some(b) if b.1 >= c.1 => Some(b),
                        _ => Some(c),
                    },
                );
                verdicts.push((slow, fast_start, fast_plateau, best_end.map(|b| b.0)));
            }
            let all =
                |f: &dyn Fn(&(bool, bool, bool, Option<f32>)) -> bool| !verdicts.is_empty() && verdicts.iter().all(f);
            let mut reading = Vec::new();
            if all(&|x| x.0) {
                reading.push(format!("the slowest rate ({}) gives R too little time to act early", rates[0]));
            }
            if all(&|x| x.1 && x.2) {
                reading.push(format!(
                    "the fastest ({}) gives the largest start but a lower plateau",
                    rates[rates.len() - 1]
                ));
            } else if all(&|x| x.1) {
                reading.push(format!("the fastest ({}) gives the largest start", rates[rates.len() - 1]));
            }
            let best: Vec<String> = verdicts
                .iter()
                .zip(&s.decor_rules)
                .filter_map(|(x, r)| x.3.map(|b| format!("{b} for {}", upper(r))))
                .collect();
            let reading = format!(
                "{}{}Best after {} epochs: {}.",
                reading.join("; "),
                if reading.is_empty() { "" } else { ". " },
                epoch_str(de),
                best.join(", ")
            );
            let _ = writeln!(
                o,
                "\n**What makes the difference: the decorrelation rate.** Gain over the plain rule after 0.5 / 2.5 / {} epochs for each `decor_lr`: {}. {} No rate diverged unless stated.\n",
                epoch_str(de),
                parts.join(". "),
                reading[..1].to_uppercase() + &reading[1..]
            );
        }
    }

    if !s.blind_rules.is_empty() && has_main {
        let mb = View::marks(s.blind_epochs);
        let mut behind = 0.0f64;
        let mut ahead = 0.0f64;
        let parts: Vec<String> = s
            .blind_rules
            .iter()
            .map(|x| {
                let c = v.main(x);
                let b = v.runs("blind", x, |_| true);
                let worst = mb
                    .iter()
                    .filter_map(|&e| gain(&b, &c, e))
                    .fold(0.0f64, |w, g| if g.abs() > w.abs() { g } else { w });
                for g in mb.iter().filter_map(|&e| gain(&b, &c, e)) {
                    behind = behind.min(g);
                    ahead = ahead.max(g);
                }
                format!(
                    "{} blind {} against clean {} after {} epochs (largest difference at any mark {} points)",
                    upper(x),
                    f1(acc(&b, s.blind_epochs)),
                    f1(acc(&c, s.blind_epochs)),
                    epoch_str(s.blind_epochs),
                    signed(worst)
                )
            })
            .collect();
        let lead = if behind > -2.0 {
            format!(
                "Not observing the noise costs nothing measurable at K = 1 (at no evaluation is blind more than {:.1} points behind clean; at most {ahead:.1} ahead)",
                -behind
            )
        } else {
            format!("Not observing the noise costs up to {:.1} points at K = 1", -behind)
        };
        let _ = writeln!(o, "**Blind noise.** {lead}: {}.\n", parts.join("; "));
    }
    if !r.timing.is_empty() {
        let sps = |x: &str| r.timing.iter().find(|t| t.rule == x).map_or(f64::NAN, |t| t.samples_per_s);
        let plain: Vec<f64> = ["np", "inp", "anp"].iter().map(|x| sps("bp") / sps(x)).collect();
        let dec: Vec<f64> = ["dbp", "dnp", "dinp", "danp"].iter().map(|x| sps("bp") / sps(x)).collect();
        let (pmin, pmax) =
            (plain.iter().cloned().fold(f64::INFINITY, f64::min), plain.iter().cloned().fold(0.0, f64::max));
        let (dmin, dmax) = (dec.iter().cloned().fold(f64::INFINITY, f64::min), dec.iter().cloned().fold(0.0, f64::max));
        let _ = writeln!(
            o,
            "**Time.** NP, INP and ANP take {pmin:.2}–{pmax:.2}x BP's time per step ({:.0}–{:.0} samples/s single-threaded); every decorrelated variant takes {dmin:.1}–{dmax:.1}x, because the {}x{} R in front of the first layer is applied in every pass and updated every step.\n",
            ["np", "inp", "anp"].iter().map(|x| sps(x)).fold(f64::INFINITY, f64::min),
            ["np", "inp", "anp"].iter().map(|x| sps(x)).fold(0.0, f64::max),
            s.n_inputs(),
            s.n_inputs()
        );
    }
}
