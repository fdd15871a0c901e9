//! The figures (SVG, plotters) in `results/`: alignment against batch size and against width,
//! test accuracy over epochs, the decorrelation panels (raw against centred inputs, the
//! decorrelation rate) and clean against blind noise.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use np_playground::view::plot::{Axes, Band, PALETTE, band_chart};

use super::super::RULES;
use super::super::align::{AlignCell, METHODS};
use super::super::runs::RunResult;
use super::stats::{Curve, Metric};
use super::style::{epoch_str, family_color, layer_name, method_color, upper};
use super::view::View;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Writes every figure the measurements allow into `dir`.
pub fn write_all(v: &View, dir: &Path) -> Result<(), String> {
    if !v.r.align.is_empty() {
        alignment(v, dir)?;
    }
    training(v, dir)?;
    decorrelation(v, dir)?;
    blind(v, dir)
}

/// An SVG of `size` split into a `grid` of panels, each drawn by `draw(index, panel)`.
fn svg_panels(
    path: &Path,
    size: (u32, u32),
    grid: (usize, usize),
    draw: impl Fn(usize, &Area) -> Result<(), String>,
) -> Result<(), String> {
    let root = SVGBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let panels = root.split_evenly(grid);
    for (i, p) in panels.iter().enumerate() {
        draw(i, p)?;
    }
    root.present().map_err(|e| format!("{}: {e}", path.display()))
}

// ---- alignment ----

/// One method's alignment along an axis of the grid: mean and mean ∓ one standard error.
struct AlignSeries {
    name: String,
    key: &'static str,
    mean: Vec<f32>,
    lo: Vec<f32>,
    hi: Vec<f32>,
}

/// The bands of one alignment panel: for every method, entry `layer` (0..3 layers, 3 = all) of
/// the cells `cell_at(method, x)` for `x` along `axis` (cells that were not measured are left
/// out).
fn align_series<'a>(
    axis: &[usize],
    layer: usize,
    cell_at: impl Fn(&str, usize) -> Option<&'a AlignCell>,
) -> Vec<AlignSeries> {
    METHODS
        .iter()
        .map(|&(key, _, _)| {
            let cells: Vec<&AlignCell> = axis.iter().filter_map(|&x| cell_at(key, x)).collect();
            AlignSeries {
                name: upper(key),
                key,
                mean: cells.iter().map(|c| c.mean[layer] as f32).collect(),
                lo: cells.iter().map(|c| (c.mean[layer] - c.se(layer)) as f32).collect(),
                hi: cells.iter().map(|c| (c.mean[layer] + c.se(layer)) as f32).collect(),
            }
        })
        .collect()
}

/// One alignment panel over `axis` (log2 scale, y from 0 to `y_top`).
fn align_panel<'a>(
    area: &Area,
    (title, x_desc, y_desc): (&str, &str, &str),
    y_top: f32,
    axis: &[usize],
    layer: usize,
    cell_at: impl Fn(&str, usize) -> Option<&'a AlignCell>,
) -> Result<(), String> {
    let xs: Vec<f32> = axis.iter().map(|&x| x as f32).collect();
    let series = align_series(axis, layer, cell_at);
    let bands: Vec<Band> = series
        .iter()
        .map(|s| Band {
            name: &s.name,
            color: method_color(s.key),
            dashed: s.key.ends_with("blind"),
            xs: &xs,
            mean: &s.mean,
            lo: &s.lo,
            hi: &s.hi,
        })
        .collect();
    band_chart(
        area,
        &Axes { title, x_desc, y_desc, log2_x: true, y_range: Some((0.0, y_top)), markers: true, legend_upper: true },
        &bands,
    )
}

/// `alignment_batch.svg` (all layers against batch size, one panel per K, widest network) and
/// `alignment_width.svg` (every layer against width, at the reference batch and the fewest draws).
fn alignment(v: &View, dir: &Path) -> Result<(), String> {
    // One y range for every panel: 0 to the largest mean + se, rounded up to a tenth.
    let top = v.r.align.iter().flat_map(|c| (0..4).map(move |i| c.mean[i] + c.se(i))).fold(0.0f64, f64::max);
    let y_top = ((top * 10.0).ceil() / 10.0).clamp(0.1, 1.0) as f32;
    let a = &v.s.align;

    let w = v.ref_width();
    let draws = &a.draws;
    svg_panels(&dir.join("alignment_batch.svg"), (360 * draws.len() as u32, 340), (1, draws.len()), |i, area| {
        let k = draws[i];
        let title = format!("width {w}, K = {k}");
        let texts = (title.as_str(), "batch size", "cosine with BP (all layers)");
        align_panel(area, texts, y_top, &a.batches, 3, |m, b| v.cell(m, w, b, k))
    })?;

    let b = v.ref_batch();
    let k = v.k_min();
    svg_panels(&dir.join("alignment_width.svg"), (1200, 330), (1, 4), |layer, area| {
        let title = format!("{} (batch {b}, K = {k})", layer_name(layer));
        let texts = (title.as_str(), "hidden width", "cosine with BP");
        align_panel(area, texts, y_top, &a.widths, layer, |m, w| v.cell(m, w, b, k))
    })
}

// ---- curves over epochs ----

/// One curve of a panel: the mean over `runs` (a band from their min to max), in `color`.
struct Line<'a> {
    label: String,
    color: RGBColor,
    dashed: bool,
    runs: Vec<&'a RunResult>,
}

fn line(label: String, color: RGBColor, dashed: bool, runs: Vec<&RunResult>) -> Line<'_> {
    Line { label, color, dashed, runs }
}

/// Test accuracy of `lines` up to `max_epoch` in one panel.
fn curve_panel(area: &Area, title: &str, max_epoch: f64, lines: &[Line]) -> Result<(), String> {
    metric_panel(area, title, max_epoch, lines, Metric::TestAcc)
}

fn metric_panel(area: &Area, title: &str, max_epoch: f64, lines: &[Line], metric: Metric) -> Result<(), String> {
    let curves: Vec<Curve> = lines.iter().map(|l| Curve::over(&l.runs, max_epoch, metric)).collect();
    let bands: Vec<Band> = lines
        .iter()
        .zip(&curves)
        .filter(|(_, c)| !c.xs.is_empty())
        .map(|(l, c)| Band {
            name: &l.label,
            color: l.color,
            dashed: l.dashed,
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

/// `accuracy.svg` (every rule, the first epochs and the whole run) and, when some rules ran
/// longer, `accuracy_long.svg` (test accuracy and training loss per family).
fn training(v: &View, dir: &Path) -> Result<(), String> {
    let s = v.s;
    let lines = |rules: &[&str], max: f64| -> Vec<Line> {
        rules
            .iter()
            .filter(|r| v.main(r).iter().all(|x| x.job.epochs >= max - 1e-9))
            .map(|&r| line(upper(r), family_color(r), !r.starts_with('d'), v.main(r)))
            .collect()
    };
    let early = 5.0f64.min(s.epochs);
    svg_panels(&dir.join("accuracy.svg"), (1200, 440), (1, 2), |i, area| {
        let max = if i == 0 { early } else { s.epochs };
        let title = if i == 0 {
            format!("first {} epochs", epoch_str(early))
        } else {
            format!("{} epochs, mean and min-max over {} seeds", epoch_str(s.epochs), s.seeds.len())
        };
        curve_panel(area, &title, max, &lines(&RULES, max))
    })?;
    if !s.long_rules.is_empty() && s.long_epochs > s.epochs {
        let fams: Vec<&str> = ["np", "inp", "anp", "bp"].into_iter().filter(|f| s.long_rules.contains(f)).collect();
        let fam_lines = |f: &str| -> Vec<Line> {
            let d = format!("d{f}");
            let mut l = vec![line(
                format!("{} lr={}", upper(f), v.lr(f).unwrap_or(f32::NAN)),
                family_color(f),
                true,
                v.main(f),
            )];
            if s.long_rules.contains(&d.as_str()) {
                l.push(line(
                    format!("{} lr={}", upper(&d), v.lr(&d).unwrap_or(f32::NAN)),
                    family_color(f),
                    false,
                    v.main(&d),
                ));
                let same = v.runs("samelr", &d, |_| true);
                if !same.is_empty() {
                    l.push(line(format!("{} lr={}", upper(&d), same[0].job.lr), PALETTE[3], false, same));
                }
            }
            l
        };
        let cols = fams.len().max(1);
        svg_panels(&dir.join("accuracy_long.svg"), (600 * cols as u32, 800), (2, cols), |i, area| {
            let (row, col) = (i / cols, i % cols);
            let Some(f) = fams.get(col) else { return Ok(()) };
            let lines = fam_lines(f);
            let names = lines.iter().map(|l| l.label.split(' ').next().unwrap_or("").to_string()).collect::<Vec<_>>();
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
    }
    Ok(())
}

/// `decorrelation.svg`: raw against mean-centred inputs per family, and the decorrelation rate
/// per rule.
fn decorrelation(v: &View, dir: &Path) -> Result<(), String> {
    let s = v.s;
    let mut panels: Vec<(String, f64, Vec<Line>)> = Vec::new();
    for fam in ["np", "inp", "anp", "bp"] {
        let d = format!("d{fam}");
        if !(s.centred_rules.contains(&fam) && s.centred_rules.contains(&d.as_str())) {
            continue;
        }
        let teal = PALETTE[6];
        let lines = vec![
            line(format!("{} raw", upper(fam)), family_color(fam), true, v.main(fam)),
            line(format!("{} raw", upper(&d)), family_color(fam), false, v.main(&d)),
            line(format!("{} centred", upper(fam)), teal, true, v.runs("centred", fam, |_| true)),
            line(format!("{} centred", upper(&d)), teal, false, v.runs("centred", &d, |_| true)),
        ];
        panels.push((format!("{} / {}: raw vs mean-centred inputs", upper(fam), upper(&d)), s.centred_epochs, lines));
    }
    for &rule in &s.decor_rules {
        let plain = rule.trim_start_matches('d');
        let mut rates: Vec<f32> = s.decor_rates.clone();
        rates.push(s.decor_default);
        rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let colors = [PALETTE[0], RGBColor(30, 30, 30), PALETTE[3], PALETTE[4], PALETTE[6]];
        let mut lines = vec![line(format!("{} (no R)", upper(plain)), RGBColor(150, 150, 150), true, v.main(plain))];
        for (i, &rate) in rates.iter().enumerate() {
            let runs =
                if rate == s.decor_default { v.main(rule) } else { v.runs("decor", rule, |r| r.job.decor_lr == rate) };
            lines.push(line(format!("{} decor_lr={rate}", upper(rule)), colors[i % colors.len()], false, runs));
        }
        panels.push((format!("{}: decorrelation rate", upper(rule)), s.decor_epochs, lines));
    }
    if panels.is_empty() {
        return Ok(());
    }
    let cols = 2.min(panels.len());
    let rows = panels.len().div_ceil(cols);
    let size = (600 * cols as u32, 400 * rows as u32);
    svg_panels(&dir.join("decorrelation.svg"), size, (rows, cols), |i, area| match panels.get(i) {
        Some((title, max, lines)) => curve_panel(area, title, *max, lines),
        None => Ok(()),
    })
}

/// `blind.svg`: every blind rule with clean and with blind noise.
fn blind(v: &View, dir: &Path) -> Result<(), String> {
    let s = v.s;
    if s.blind_rules.is_empty() {
        return Ok(());
    }
    let mut lines = Vec::new();
    for &rule in &s.blind_rules {
        lines.push(line(format!("{} clean", upper(rule)), family_color(rule), !rule.starts_with('d'), v.main(rule)));
        lines.push(line(
            format!("{} blind", upper(rule)),
            PALETTE[4],
            !rule.starts_with('d'),
            v.runs("blind", rule, |_| true),
        ));
    }
    svg_panels(&dir.join("blind.svg"), (800, 440), (1, 1), |_, area| {
        curve_panel(area, "clean vs blind noise", s.blind_epochs, &lines)
    })
}
