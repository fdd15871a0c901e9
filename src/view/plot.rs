//! Line charts for the page, generic over plotters' `DrawingBackend` (a canvas in the browser).

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf32;
use plotters::prelude::*;

/// One curve: name, colour, its points `(xs[i], ys[i])`, and an optional band `lo..hi` around it
/// (the range over seeds; empty for none).
pub struct Series<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    pub xs: &'a [f32],
    pub ys: &'a [f32],
    pub lo: &'a [f32],
    pub hi: &'a [f32],
}

/// A line chart's axes.
#[derive(Clone, Copy, Debug)]
pub struct LineAxes<'a> {
    pub title: &'a str,
    pub x_title: &'a str,
    pub y_title: &'a str,
    pub log_y: bool,
    /// Fixed y range (accuracy 0..1); else fitted to the data (bands included).
    pub y_range: Option<(f32, f32)>,
    /// Font scale (the canvas's device pixel ratio), so text keeps its size on screen.
    pub scale: f64,
}

/// Where the plotting area sits, so the page can map a mouse position to a step:
/// `[left pixel, right pixel, first x, last x]`.
pub type XMap = [f64; 4];

pub const PALETTE: [RGBColor; 8] = [
    RGBColor(8, 119, 189),
    RGBColor(245, 147, 34),
    RGBColor(46, 160, 67),
    RGBColor(200, 60, 60),
    RGBColor(130, 80, 190),
    RGBColor(120, 120, 120),
    RGBColor(20, 170, 170),
    RGBColor(190, 150, 20),
];

/// The page's curve colours: TensorFlow Playground's blue and orange, then near-black and a
/// reddish purple, chosen so that the first four stay apart (CIE76 distance at least 20) in normal
/// vision and under simulated deuteranopia, protanopia and tritanopia (tests/charts.rs).
pub const LINES: [RGBColor; 8] = [
    RGBColor(8, 119, 189),
    RGBColor(245, 147, 34),
    RGBColor(40, 40, 40),
    RGBColor(170, 51, 119),
    RGBColor(0, 158, 115),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(190, 150, 20),
];

/// Largest magnitude a chart draws: beyond it a value is left out (a gap in its curve), so a
/// blown-up run (a loss of 1e38 is finite) never reaches plotters, whose axes overflow or loop
/// on ranges near the f32 limit.
pub const PLOT_MAX: f32 = 1e30;
/// Smallest positive value a log axis draws.
pub const PLOT_MIN_LOG: f32 = 1e-30;

/// Whether `v` is drawn (finite, within [`PLOT_MAX`], positive on a log axis).
pub fn plottable(v: f32, log: bool) -> bool {
    v.is_finite() && v.abs() <= PLOT_MAX && (!log || v >= PLOT_MIN_LOG)
}

/// The runs of consecutive drawable points of a curve: a value that cannot be drawn leaves a gap.
pub fn segments(xs: &[f32], ys: &[f32], log: bool) -> Vec<Vec<(f32, f32)>> {
    let mut out: Vec<Vec<(f32, f32)>> = vec![Vec::new()];
    for (&x, &y) in xs.iter().zip(ys) {
        if plottable(y, log) && x.is_finite() {
            out.last_mut().unwrap().push((x, y));
        } else if !out.last().unwrap().is_empty() {
            out.push(Vec::new());
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The y range of a chart from the drawable values (or `fixed`), computed in f64 and kept within
/// [`PLOT_MAX`]: `(lo, hi)` with `lo < hi`; on a log axis whole decades.
pub fn y_range(values: impl Iterator<Item = f32>, log: bool, fixed: Option<(f32, f32)>) -> (f32, f32) {
    let (mut lo, mut hi) = match fixed {
        Some((a, b)) => (a as f64, b as f64),
        None => values
            .filter(|&v| plottable(v, log))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v as f64), b.max(v as f64))),
    };
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = if log { (0.01, 1.0) } else { (0.0, 1.0) };
    }
    let max = PLOT_MAX as f64;
    if log {
        // Whole decades, so the axis always has labelled powers of ten (a hair below the lower
        // one, so its label is inside the axis and drawn).
        let lo_dec = lo.max(PLOT_MIN_LOG as f64).log10().floor().clamp(-30.0, 29.0);
        let hi_dec = hi.min(max).log10().ceil().clamp(lo_dec + 1.0, 30.0);
        return ((10f64.powf(lo_dec) * 0.98) as f32, 10f64.powf(hi_dec) as f32);
    }
    (lo, hi) = (lo.clamp(-max, max), hi.clamp(-max, max));
    if hi <= lo {
        hi = lo + lo.abs().max(1.0);
    }
    if fixed.is_none() {
        let pad = (hi - lo) * 0.05;
        (lo, hi) = (lo - pad, hi + pad);
    }
    (lo as f32, hi as f32)
}

/// A tick label for an x value: whole numbers with thousands separators ("1,500", never
/// "1500.0"), fractions (seconds) with up to two decimals.
pub fn x_label(v: f32) -> String {
    if (v - v.round()).abs() < 1e-3 * v.abs().max(1.0) {
        let n = v.round() as i64;
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A tick label for a y value of a linear axis spanning `span`.
fn y_label(v: f32, span: f32) -> String {
    if span >= 100.0 {
        x_label(v.round())
    } else if span >= 5.0 {
        format!("{v:.1}")
    } else if span >= 0.5 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Draws `series`, each against its own x values, with an axis title on each axis and the legend
/// in a row above the plotting area (never on the curves). With `log_y`, values <= 0 are left
/// out. Values that cannot be drawn (NaN, infinite, beyond [`PLOT_MAX`]) leave gaps. Returns the
/// plotting area's `[left px, right px, first x, last x]` for hover read-outs.
pub fn line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    axes: &LineAxes,
    series: &[Series],
) -> Result<XMap, String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let k = axes.scale.max(0.5);
    let px = |v: f64| (v * k).round() as i32;
    let font = |size: f64| ("sans-serif", size * k);
    let xs_ok = || series.iter().flat_map(|s| s.xs.iter().copied()).filter(|x| x.is_finite() && x.abs() <= PLOT_MAX);
    let x0 = xs_ok().fold(f32::INFINITY, f32::min);
    let x1 = xs_ok().fold(f32::NEG_INFINITY, f32::max);
    let (x0, x1) = if x0.is_finite() { (x0, x1.max(x0 + 1.0)) } else { (0.0, 1.0) };
    // Steps and passes are whole numbers: their axis has only whole ticks ("0", "1", never "0.50").
    let integral = xs_ok().all(|x| x.fract() == 0.0);
    let x_ticks = if integral { ((x1 - x0) as usize + 1).clamp(2, 5) } else { 5 };
    let xl = |v: &f32| if integral && v.fract() != 0.0 { String::new() } else { x_label(*v) };
    let values = series.iter().flat_map(|s| s.ys.iter().chain(s.lo).chain(s.hi).copied());
    let (lo, hi) = self::y_range(values, axes.log_y, axes.y_range);
    // Title on the left of the top row, the legend on its right: both above the plotting area; a
    // legend that does not fit beside the title gets a row of its own.
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(axes.title.to_string(), (px(6.0), px(4.0)), font(13.0).into_font().color(&BLACK)))
        .map_err(e)?;
    let label_w = |s: &Series| px(7.0) * s.name.chars().count() as i32 + px(22.0);
    let legend_w: i32 = series.iter().map(label_w).sum();
    let title_w = px(7.0) * axes.title.chars().count() as i32 + px(16.0);
    let second_row = title_w + legend_w > w as i32;
    let legend_y = if second_row { px(21.0) } else { px(4.0) };
    let mut x = w as i32 - px(8.0);
    for s in series.iter().rev() {
        x -= label_w(s);
        root.draw(&Rectangle::new([(x, legend_y + px(5.0)), (x + px(12.0), legend_y + px(8.0))], s.color.filled()))
            .map_err(e)?;
        root.draw(&Text::new(s.name.to_string(), (x + px(15.0), legend_y), font(12.0).into_font().color(&BLACK)))
            .map_err(e)?;
    }
    let mut builder = ChartBuilder::on(root);
    builder
        .margin_top(if second_row { px(39.0) } else { px(22.0) })
        .margin_right(px(20.0)) // room for half the last x label ("1,500")
        .margin_left(px(4.0))
        .margin_bottom(px(2.0))
        .x_label_area_size(px(34.0))
        .y_label_area_size(px(58.0));
    let band = |s: &Series, log: bool| -> Vec<(f32, f32)> {
        if s.lo.len() != s.xs.len() || s.hi.len() != s.xs.len() {
            return Vec::new();
        }
        let ok = |i: usize| plottable(s.lo[i], log) && plottable(s.hi[i], log) && s.xs[i].is_finite();
        let idx: Vec<usize> = (0..s.xs.len()).filter(|&i| ok(i)).collect();
        let mut poly: Vec<(f32, f32)> = idx.iter().map(|&i| (s.xs[i], s.lo[i])).collect();
        poly.extend(idx.iter().rev().map(|&i| (s.xs[i], s.hi[i])));
        poly
    };
    // Both scales draw through one coordinate type (a linear axis with our own key points; on
    // the log scale over log10 of the values), so plotters' generic code is compiled once.
    let log = axes.log_y;
    let ty = |y: f32| if log { libm::log10f(y) } else { y };
    let (ylo, yhi) = (ty(lo), ty(hi));
    let (bold, light) = if log { log_key_points(ylo, yhi) } else { linear_key_points(ylo, yhi, 5) };
    let y_axis = KeyAxis::new(ylo, yhi, bold, light);
    let mut chart = builder.build_cartesian_2d(x0..x1, y_axis).map_err(e)?;
    let span = hi - lo;
    let yl = |v: &f32| if log { log_label(*v) } else { y_label(*v, span) };
    chart
        .configure_mesh()
        .x_labels(x_ticks)
        .x_label_formatter(&xl)
        .y_label_formatter(&yl)
        .x_desc(axes.x_title)
        .y_desc(axes.y_title)
        .label_style(font(12.0))
        .axis_desc_style(font(12.0))
        .draw()
        .map_err(e)?;
    for s in series {
        let poly: Vec<(f32, f32)> = band(s, log).into_iter().map(|(x, y)| (x, ty(y))).collect();
        if poly.len() >= 3 {
            chart.draw_series(std::iter::once(Polygon::new(poly, s.color.mix(0.18).filled()))).map_err(e)?;
            // The band's edges in the curve's colour, so overlapping bands stay told apart.
            for edge in [s.lo, s.hi] {
                for seg in segments(s.xs, edge, log) {
                    let seg: Vec<(f32, f32)> = seg.into_iter().map(|(x, y)| (x, ty(y))).collect();
                    chart
                        .draw_series(LineSeries::new(seg, s.color.mix(0.6).stroke_width(px(1.0).max(1) as u32)))
                        .map_err(e)?;
                }
            }
        }
        for seg in segments(s.xs, s.ys, log) {
            let seg: Vec<(f32, f32)> = seg.into_iter().map(|(x, y)| (x, ty(y))).collect();
            // A curve of a point or two (the first evaluations) shows as dots.
            if seg.len() < 3 {
                chart.draw_series(seg.iter().map(|&p| Circle::new(p, px(3.0), s.color.filled()))).map_err(e)?;
            }
            chart.draw_series(LineSeries::new(seg, s.color.stroke_width(px(2.0) as u32))).map_err(e)?;
        }
    }
    let (pr, _) = chart.plotting_area().get_pixel_range();
    Ok([pr.start as f64, pr.end as f64, x0 as f64, x1 as f64])
}

/// A linear axis whose grid lines and labels are given (plotters' own `WithKeyPoints` loses the
/// f32 label formatter): every chart of the page draws its y axis through it, so plotters'
/// generic mesh and series code is compiled for one coordinate type.
pub struct KeyAxis {
    inner: RangedCoordf32,
    bold: Vec<f32>,
    light: Vec<f32>,
}

impl KeyAxis {
    pub fn new(lo: f32, hi: f32, bold: Vec<f32>, light: Vec<f32>) -> Self {
        KeyAxis { inner: (lo..hi).into(), bold, light }
    }
}

impl Ranged for KeyAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f32;

    fn map(&self, value: &f32, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f32> {
        if hint.weight().allow_light_points() { self.light.clone() } else { self.bold.clone() }
    }

    fn range(&self) -> std::ops::Range<f32> {
        self.inner.range()
    }
}

/// Key points of a linear axis over `lo..hi`: about `n` labelled ("bold") ones at round values,
/// and the unlabelled ("light") grid lines between them, as plotters would place them.
pub fn linear_key_points(lo: f32, hi: f32, n: usize) -> (Vec<f32>, Vec<f32>) {
    let axis: RangedCoordf32 = (lo..hi).into();
    let bold = axis.key_points(n);
    let light = axis.key_points(n * 10).into_iter().filter(|v| !bold.contains(v)).collect();
    (bold, light)
}

/// Key points of a log axis drawn as a linear axis over log10 values `lo..hi`, as plotters'
/// log scale places them: within one decade a labelled point at every 1..9 times its power of
/// ten (labelled by [`log_label`] at 1, 2 and 5 times it); over more, the powers of ten (every
/// k-th when there are more than ten decades), with light grid lines between.
pub fn log_key_points(lo: f32, hi: f32) -> (Vec<f32>, Vec<f32>) {
    let decades = libm::roundf(hi - lo).max(1.0) as i32;
    let stride = (decades + 9) / 10;
    let (mut bold, mut light) = (Vec::new(), Vec::new());
    for d in libm::floorf(lo) as i32..=libm::ceilf(hi) as i32 {
        for m in 1..=9 {
            let t = libm::log10f(m as f32) + d as f32;
            if t < lo || t > hi {
                continue;
            }
            if decades == 1 || (m == 1 && d.rem_euclid(stride) == 0) {
                bold.push(t);
            } else if m == 1 || decades <= 10 {
                light.push(t);
            }
        }
    }
    (bold, light)
}

/// The label of a log axis's key point `t` (log10 of the value): "0.02", "1", "500" at 1, 2 and
/// 5 times a power of ten, nothing elsewhere.
pub fn log_label(t: f32) -> String {
    let d = libm::floorf(t + 1e-4);
    let m = libm::roundf(libm::powf(10.0, t - d));
    if ![1.0f32, 2.0, 5.0].contains(&m) {
        return String::new();
    }
    let d = d as i32;
    if d >= 0 {
        format!("{}", m as u64 * 10u64.pow(d.min(19) as u32))
    } else {
        format!("{:.*}", (-d) as usize, m as f64 * 10f64.powi(d))
    }
}

/// A histogram of `values` in `bins` equal bins over their range (fonts scaled by `scale`).
pub fn histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    values: &[f32],
    bins: usize,
    color: RGBColor,
    scale: f64,
) -> Result<(), String> {
    let k = scale.max(0.5);
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let finite: Vec<f32> = values.iter().copied().filter(|&v| plottable(v, false)).collect();
    let (mut lo, mut hi) =
        finite.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v as f64), b.max(v as f64)));
    if !lo.is_finite() {
        (lo, hi) = (-1.0, 1.0);
    }
    if hi - lo < 1e-6 * hi.abs().max(1.0) {
        let half = 0.5 * hi.abs().max(1.0);
        lo -= half;
        hi += half;
    }
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u32; bins];
    for &v in &finite {
        counts[(((v as f64 - lo) / width) as usize).min(bins - 1)] += 1;
    }
    let (lo, hi, width) = (lo as f32, hi as f32, width as f32);
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f32;
    // Counts on the line charts' coordinate type (see [`KeyAxis`]), whole numbers only.
    let (mut bold, _) = linear_key_points(0.0, top, 3);
    bold.retain(|v| v.fract() == 0.0);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 12.0 * k))
        .margin((4.0 * k) as i32)
        .x_label_area_size((20.0 * k) as i32)
        .y_label_area_size((32.0 * k) as i32)
        .build_cartesian_2d(lo..hi, KeyAxis::new(0.0, top, bold, Vec::new()))
        .map_err(e)?;
    let count = |v: &f32| format!("{}", *v as u32);
    chart
        .configure_mesh()
        .x_labels(3)
        .y_label_formatter(&count)
        .label_style(("sans-serif", 12.0 * k))
        .disable_mesh()
        .draw()
        .map_err(e)?;
    chart
        .draw_series(counts.iter().enumerate().map(|(i, &c)| {
            let x = lo + i as f32 * width;
            Rectangle::new([(x, 0.0), (x + width, c as f32)], color.filled())
        }))
        .map_err(e)?;
    Ok(())
}

/// One curve of [`band_chart`]: a mean line over its own `xs`, with an optional shaded band
/// `lo..hi` (e.g. the spread over seeds; leave `lo`/`hi` empty for none).
pub struct Band<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    /// Dashed line (e.g. the plain rule next to its decorrelated version in the same colour).
    pub dashed: bool,
    pub xs: &'a [f32],
    pub mean: &'a [f32],
    pub lo: &'a [f32],
    pub hi: &'a [f32],
}

/// Axes of [`band_chart`].
pub struct Axes<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    /// Place x on a log2 scale (the values in `xs` stay raw; ticks are labelled with powers of 2).
    pub log2_x: bool,
    /// Fixed y range; otherwise fitted to the data (bands included).
    pub y_range: Option<(f32, f32)>,
    /// Draw a dot at every point (for short sweeps rather than training curves).
    pub markers: bool,
    /// Legend in the upper right corner instead of the lower right.
    pub legend_upper: bool,
}

/// Curves with shaded bands, axis descriptions and a legend inside the plot.
pub fn band_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    axes: &Axes,
    bands: &[Band],
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let tx = |x: f32| if axes.log2_x { libm::log2f(x.max(f32::MIN_POSITIVE)) } else { x };
    let xs_all = bands.iter().flat_map(|b| b.xs.iter().copied()).filter(|&v| plottable(v, false)).map(tx);
    let (mut x0, mut x1) = xs_all.fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !x0.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if axes.log2_x || axes.markers {
        // A little room so the end markers are not cut.
        let pad = (x1 - x0) * 0.04;
        x0 -= pad;
        x1 += pad;
    }
    let (mut lo, mut hi) = match axes.y_range {
        Some(r) => r,
        None => {
            let ys = bands
                .iter()
                .flat_map(|b| b.mean.iter().chain(b.lo).chain(b.hi).copied())
                .filter(|&v| plottable(v, false));
            ys.fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)))
        }
    };
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    if axes.y_range.is_none() {
        let pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
    }
    let mut chart = ChartBuilder::on(root)
        .caption(axes.title, ("sans-serif", 15))
        .margin(8)
        .x_label_area_size(38)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, lo..hi)
        .map_err(e)?;
    let log2 = axes.log2_x;
    let fmt_x = move |x: &f32| {
        if log2 {
            if (x - x.round()).abs() < 1e-3 { format!("{}", libm::exp2f(x.round()) as u64) } else { String::new() }
        } else if (x - x.round()).abs() < 1e-3 {
            format!("{}", x.round() as i64)
        } else {
            format!("{x:.1}")
        }
    };
    let span = hi - lo;
    let fmt_y = move |y: &f32| {
        if span >= 10.0 {
            format!("{y:.0}")
        } else if span >= 1.0 {
            format!("{y:.1}")
        } else {
            format!("{y:.2}")
        }
    };
    let n_x_labels = if log2 { ((x1 - x0).ceil() as usize + 1).max(2) } else { 6 };
    chart
        .configure_mesh()
        .x_labels(n_x_labels)
        .y_labels(6)
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .x_desc(axes.x_desc)
        .y_desc(axes.y_desc)
        .label_style(("sans-serif", 12))
        .axis_desc_style(("sans-serif", 13))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(e)?;
    for b in bands {
        let pts = |ys: &'_ [f32]| -> Vec<(f32, f32)> {
            b.xs.iter()
                .zip(ys)
                .filter(|(x, y)| plottable(**x, false) && plottable(**y, false))
                .map(|(x, y)| (tx(*x), *y))
                .collect()
        };
        if !b.lo.is_empty() && b.lo.len() == b.hi.len() {
            let mut poly = pts(b.lo);
            let mut top = pts(b.hi);
            top.reverse();
            poly.extend(top);
            if poly.len() >= 3 {
                chart.draw_series(std::iter::once(Polygon::new(poly, b.color.mix(0.16).filled()))).map_err(e)?;
            }
        }
        let line = pts(b.mean);
        let color = b.color;
        let anno = if b.dashed {
            chart.draw_series(DashedLineSeries::new(line.clone(), 6, 4, color.stroke_width(2))).map_err(e)?
        } else {
            chart.draw_series(LineSeries::new(line.clone(), color.stroke_width(2))).map_err(e)?
        };
        if b.dashed {
            anno.label(b.name).legend(move |(x, y)| {
                plotters::element::DashedPathElement::new(vec![(x, y), (x + 18, y)], 5, 3, color.stroke_width(2))
            });
        } else {
            anno.label(b.name).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
        }
        if axes.markers {
            chart.draw_series(line.iter().map(|&p| Circle::new(p, 3, color.filled()))).map_err(e)?;
        }
    }
    chart
        .configure_series_labels()
        .position(if axes.legend_upper { SeriesLabelPosition::UpperRight } else { SeriesLabelPosition::LowerRight })
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(190, 190, 190))
        .label_font(("sans-serif", 12))
        .margin(8)
        .draw()
        .map_err(e)?;
    Ok(())
}
