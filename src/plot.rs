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

/// Draws `series` against `xs` (steps). With `log_y`, values <= 0 are left out of the curve.
/// `y_range` fixes the y axis (e.g. accuracy 0..1); otherwise it fits the data.
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
    let x0 = xs.first().copied().unwrap_or(0.0);
    let x1 = xs.last().copied().unwrap_or(1.0).max(x0 + 1.0);
    let finite = series.iter().flat_map(|s| s.ys.iter().copied()).filter(|v| v.is_finite() && (!log_y || *v > 0.0));
    let (mut lo, mut hi) = finite.fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if let Some((a, b)) = y_range {
        lo = a;
        hi = b;
    }
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = if log_y { (0.01, 1.0) } else { (0.0, 1.0) };
    }
    if hi <= lo {
        hi = lo + if log_y { lo.max(1e-6) } else { 1.0 };
    }
    if log_y {
        // Whole decades, so the axis always has labelled powers of ten.
        lo = libm::powf(10.0, libm::floorf(libm::log10f(lo)));
        hi = libm::powf(10.0, libm::ceilf(libm::log10f(hi)));
    }
    let mut builder = ChartBuilder::on(root);
    builder.caption(title, ("sans-serif", 14)).margin(6).x_label_area_size(22).y_label_area_size(48);
    let xmap;
    if log_y {
        let mut chart = builder.build_cartesian_2d(x0..x1, (lo..hi).log_scale()).map_err(e)?;
        chart.configure_mesh().x_labels(5).y_labels(10).label_style(("sans-serif", 11)).draw().map_err(e)?;
        for s in series {
            let pts = xs.iter().zip(s.ys).filter(|(_, y)| y.is_finite() && **y > 0.0).map(|(x, y)| (*x, *y));
            chart.draw_series(LineSeries::new(pts, s.color.stroke_width(2))).map_err(e)?;
        }
        let (px, _) = chart.plotting_area().get_pixel_range();
        xmap = [px.start as f64, px.end as f64, x0 as f64, x1 as f64];
    } else {
        let pad = if y_range.is_some() { 0.0 } else { (hi - lo) * 0.05 };
        let mut chart = builder.build_cartesian_2d(x0..x1, lo - pad..hi + pad).map_err(e)?;
        chart.configure_mesh().x_labels(5).y_labels(5).label_style(("sans-serif", 11)).draw().map_err(e)?;
        for s in series {
            let pts = xs.iter().zip(s.ys).filter(|(_, y)| y.is_finite()).map(|(x, y)| (*x, *y));
            chart.draw_series(LineSeries::new(pts, s.color.stroke_width(2))).map_err(e)?;
        }
        let (px, _) = chart.plotting_area().get_pixel_range();
        xmap = [px.start as f64, px.end as f64, x0 as f64, x1 as f64];
    }
    // Legend: coloured names along the top right.
    let (w, _) = root.dim_in_pixel();
    let mut x = w as i32 - 10;
    for s in series.iter().rev() {
        let label_w = 7 * s.name.len() as i32 + 18;
        x -= label_w;
        root.draw(&Rectangle::new([(x, 30), (x + 10, 36)], s.color.filled())).map_err(e)?;
        root.draw(&Text::new(s.name.to_string(), (x + 13, 27), ("sans-serif", 11).into_font().color(&BLACK))).map_err(e)?;
    }
    Ok(xmap)
}

/// A histogram of `values` in `bins` equal bins over their range.
pub fn histogram<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, title: &str, values: &[f32], bins: usize, color: RGBColor) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let finite: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let (mut lo, mut hi) = finite.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        (lo, hi) = (-1.0, 1.0);
    }
    if hi - lo < 1e-6 {
        lo -= 0.5;
        hi += 0.5;
    }
    let width = (hi - lo) / bins as f32;
    let mut counts = vec![0u32; bins];
    for v in &finite {
        counts[(((v - lo) / width) as usize).min(bins - 1)] += 1;
    }
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
