//! Line charts for the page, generic over plotters' `DrawingBackend` (a canvas in the browser).

use plotters::coord::Shift;
use plotters::prelude::*;

/// One curve: name, colour, y values (x values are shared).
pub struct Series<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    pub ys: &'a [f32],
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

/// Draws `series` against `xs` (steps). With `log_y`, values <= 0 are left out of the curve.
/// `y_range` fixes the y axis (e.g. accuracy 0..1); otherwise it fits the data. Values that
/// cannot be drawn (NaN, infinite, beyond [`PLOT_MAX`]) leave gaps.
pub fn line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    xs: &[f32],
    series: &[Series],
    log_y: bool,
    y_range: Option<(f32, f32)>,
) -> Result<XMap, String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let xs_ok = || xs.iter().copied().filter(|x| x.is_finite() && x.abs() <= PLOT_MAX);
    let x0 = xs_ok().next().unwrap_or(0.0);
    let x1 = xs_ok().next_back().unwrap_or(1.0).max(x0 + 1.0);
    let (lo, hi) = self::y_range(series.iter().flat_map(|s| s.ys.iter().copied()), log_y, y_range);
    let mut builder = ChartBuilder::on(root);
    builder.caption(title, ("sans-serif", 14)).margin(6).x_label_area_size(22).y_label_area_size(48);
    let xmap = if log_y {
        let mut chart = builder.build_cartesian_2d(x0..x1, (lo..hi).log_scale()).map_err(e)?;
        // Ten key points per decade, labelled only at 1, 2 and 5 times a power of ten.
        let label = |v: &f32| {
            let m = *v / libm::powf(10.0, libm::floorf(libm::log10f(*v) + 1e-6));
            if [1.0f32, 2.0, 5.0].iter().any(|k| (m - k).abs() < 0.05) { format!("{v}") } else { String::new() }
        };
        chart
            .configure_mesh()
            .x_labels(5)
            .y_labels(10)
            .y_label_formatter(&label)
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(e)?;
        for s in series {
            for seg in segments(xs, s.ys, true) {
                chart.draw_series(LineSeries::new(seg, s.color.stroke_width(2))).map_err(e)?;
            }
        }
        let (px, _) = chart.plotting_area().get_pixel_range();
        [px.start as f64, px.end as f64, x0 as f64, x1 as f64]
    } else {
        let mut chart = builder.build_cartesian_2d(x0..x1, lo..hi).map_err(e)?;
        chart.configure_mesh().x_labels(5).y_labels(5).label_style(("sans-serif", 11)).draw().map_err(e)?;
        for s in series {
            for seg in segments(xs, s.ys, false) {
                chart.draw_series(LineSeries::new(seg, s.color.stroke_width(2))).map_err(e)?;
            }
        }
        let (px, _) = chart.plotting_area().get_pixel_range();
        [px.start as f64, px.end as f64, x0 as f64, x1 as f64]
    };
    // Legend: coloured names along the top right.
    let (w, _) = root.dim_in_pixel();
    let mut x = w as i32 - 10;
    for s in series.iter().rev() {
        let label_w = 7 * s.name.len() as i32 + 18;
        x -= label_w;
        root.draw(&Rectangle::new([(x, 30), (x + 10, 36)], s.color.filled())).map_err(e)?;
        root.draw(&Text::new(s.name.to_string(), (x + 13, 27), ("sans-serif", 11).into_font().color(&BLACK)))
            .map_err(e)?;
    }
    Ok(xmap)
}

/// A histogram of `values` in `bins` equal bins over their range.
pub fn histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    values: &[f32],
    bins: usize,
    color: RGBColor,
) -> Result<(), String> {
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
    let top = counts.iter().copied().max().unwrap_or(1).max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 12))
        .margin(4)
        .x_label_area_size(18)
        .y_label_area_size(30)
        .build_cartesian_2d(lo..hi, 0u32..top)
        .map_err(e)?;
    chart.configure_mesh().x_labels(3).y_labels(3).label_style(("sans-serif", 10)).disable_mesh().draw().map_err(e)?;
    chart
        .draw_series(counts.iter().enumerate().map(|(i, &c)| {
            let x = lo + i as f32 * width;
            Rectangle::new([(x, 0), (x + width, c)], color.filled())
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
