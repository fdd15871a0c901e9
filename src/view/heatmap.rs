//! A sweep's phase diagram: one heat map per rule, a cell per setting coloured by the sweep's
//! metric on a colour scale shared by every rule's map (the legend says which end is better),
//! diverged cells marked with a cross, cells not finished yet left pale. Drawn with plotters'
//! primitives only (rectangles and text on the root area), generic over the backend, so native
//! tests draw it to SVG.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One rule's map: `values[row * columns + column]` (rows over `rows`, the second key's values,
/// top to bottom; columns over `columns`, the first key's, left to right). A NaN value is a cell
/// not finished; `diverged[i]` marks a cell whose run diverged.
pub struct Heatmap<'a> {
    pub title: &'a str,
    /// The metric's name ("test accuracy").
    pub metric: &'a str,
    pub higher_is_better: bool,
    pub column_key: &'a str,
    pub columns: &'a [String],
    /// Empty with one key: one row.
    pub row_key: &'a str,
    pub rows: &'a [String],
    pub values: &'a [f32],
    pub diverged: &'a [bool],
    /// The colour scale's ends (every rule's map shares them); drawn on a log scale when `log`.
    pub lo: f32,
    pub hi: f32,
    pub log: bool,
    /// Font scale (the canvas's device pixel ratio).
    pub scale: f64,
}

/// Where the grid sits: `[left px, top px, cell width px, cell height px]`, for the page's cell
/// elements over it.
pub type GridMap = [f64; 4];

/// Stops of a sequential map from worse (dark purple) to better (yellow): viridis at 0, 1/4, 1/2,
/// 3/4 and 1, readable in every common colour vision deficiency.
const STOPS: [[f32; 3]; 5] =
    [[68.0, 1.0, 84.0], [59.0, 82.0, 139.0], [33.0, 145.0, 140.0], [94.0, 201.0, 98.0], [253.0, 231.0, 37.0]];
/// A cell not finished yet.
pub const PENDING: RGBColor = RGBColor(236, 236, 236);
/// A diverged cell.
pub const DIVERGED: RGBColor = RGBColor(150, 150, 150);

/// The colour of `t` in [0, 1] (0 worse, 1 better).
pub fn colour(t: f32) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 } * (STOPS.len() - 1) as f32;
    let i = (t as usize).min(STOPS.len() - 2);
    let s = t - i as f32;
    let c = |k: usize| (STOPS[i][k] + (STOPS[i + 1][k] - STOPS[i][k]) * s).round() as u8;
    RGBColor(c(0), c(1), c(2))
}

/// Where `v` falls on the scale `lo..hi` (on log10 of the values when `log`), 0 at the worse end.
pub fn position(v: f32, lo: f32, hi: f32, log: bool, higher_is_better: bool) -> f32 {
    let f = |x: f32| if log { libm::log10f(x.max(f32::MIN_POSITIVE)) } else { x };
    let (a, b) = (f(lo), f(hi));
    let t = if b > a { (f(v) - a) / (b - a) } else { 0.5 };
    if higher_is_better { t } else { 1.0 - t }
}

/// The colour scale for `values` (finite ones only, non-finite and blown-up ones left out):
/// `(lo, hi, log)`, on a log scale when every value is positive and they span more than a decade.
pub fn scale_of(values: impl Iterator<Item = f32>) -> (f32, f32, bool) {
    let ok: Vec<f32> = values.filter(|v| v.is_finite() && v.abs() <= super::plot::PLOT_MAX).collect();
    if ok.is_empty() {
        return (0.0, 1.0, false);
    }
    let lo = ok.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = ok.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    (lo, hi, lo > 0.0 && hi > 10.0 * lo)
}

/// A value as a cell or the legend shows it: three significant digits.
pub fn label(v: f32) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if a != 0.0 && !(0.001..10_000.0).contains(&a) {
        format!("{v:.1e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Draws `map`; returns where its grid sits.
pub fn heatmap<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, map: &Heatmap) -> Result<GridMap, String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let k = map.scale.max(0.5);
    let px = |v: f64| (v * k).round() as i32;
    // Every text and box goes through these two (one instance of plotters' code each).
    let text = |s: String, at: (i32, i32), size: f64, ink: RGBColor, pos: Pos| {
        root.draw(&Text::new(s, at, ("sans-serif", size * k).into_font().color(&ink).pos(pos))).map_err(e)
    };
    let rect =
        |a: (i32, i32), b: (i32, i32), fill: RGBColor| root.draw(&Rectangle::new([a, b], fill.filled())).map_err(e);
    let top_left = Pos::new(HPos::Left, VPos::Top);
    let centre = Pos::new(HPos::Center, VPos::Center);
    let top_centre = Pos::new(HPos::Center, VPos::Top);
    let left_middle = Pos::new(HPos::Left, VPos::Center);
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let ncol = map.columns.len().max(1) as i32;
    let nrow = map.rows.len().max(1) as i32;
    // The title on top, the row labels on the left, the column labels and the key below, the
    // legend on the right.
    text(map.title.to_string(), (px(6.0), px(4.0)), 13.0, BLACK, top_left)?;
    let longest = map.rows.iter().map(|s| s.chars().count()).max().unwrap_or(0).max(map.row_key.chars().count().min(8));
    let left = px(10.0) + px(7.0) * longest as i32 + if map.rows.is_empty() { 0 } else { px(16.0) };
    let top = px(24.0);
    let right = w - px(78.0);
    let bottom = h - px(38.0);
    let cw = ((right - left) / ncol).max(1);
    let ch = ((bottom - top) / nrow).max(1);
    let n = map.columns.len() * map.rows.len().max(1);
    for i in 0..n {
        let (r, c) = ((i / map.columns.len()) as i32, (i % map.columns.len()) as i32);
        let (x0, y0) = (left + c * cw, top + r * ch);
        let v = map.values.get(i).copied().unwrap_or(f32::NAN);
        let diverged = map.diverged.get(i).copied().unwrap_or(false);
        let t = position(v, map.lo, map.hi, map.log, map.higher_is_better);
        let fill = if diverged {
            DIVERGED
        } else if v.is_finite() {
            colour(t)
        } else {
            PENDING
        };
        rect((x0, y0), (x0 + cw - 1, y0 + ch - 1), fill)?;
        let (cx, cy) = (x0 + cw / 2, y0 + ch / 2);
        if diverged {
            text("\u{d7}".into(), (cx, cy), (cw.min(ch) as f64 / k / 2.0).clamp(12.0, 28.0), BLACK, centre)?;
        } else if v.is_finite() && cw >= px(40.0) && ch >= px(18.0) {
            // The value in the cell, dark on the light end of the scale and white on the dark.
            text(label(v), (cx, cy), 12.0, if t > 0.55 { BLACK } else { WHITE }, centre)?;
        }
    }
    // Column labels under the grid, the key's name below them; row labels at the left.
    let every = |count: i32, room: i32, widest: i32| ((widest + px(6.0)) / room.max(1) + 1).max(1).min(count);
    let widest_col = map.columns.iter().map(|s| s.chars().count()).max().unwrap_or(1) as i32 * px(7.0);
    let stride = every(ncol, cw, widest_col);
    for (c, s) in map.columns.iter().enumerate().filter(|(c, _)| *c as i32 % stride == 0) {
        text(s.clone(), (left + c as i32 * cw + cw / 2, bottom + px(4.0)), 12.0, BLACK, top_centre)?;
    }
    text(map.column_key.to_string(), (left + (right - left) / 2, bottom + px(20.0)), 12.0, BLACK, top_centre)?;
    if !map.rows.is_empty() {
        let rstride = every(nrow, ch, px(14.0));
        for (r, s) in map.rows.iter().enumerate().filter(|(r, _)| *r as i32 % rstride == 0) {
            text(s.clone(), (px(6.0), top + r as i32 * ch + ch / 2), 12.0, BLACK, left_middle)?;
        }
        text(map.row_key.to_string(), (px(6.0), bottom + px(20.0)), 12.0, BLACK, top_left)?;
    }
    // The legend: the colour bar from better (top) to worse, with both ends' values, the
    // metric's name, and the two marks.
    let (bx, bw) = (right + px(10.0), px(14.0));
    let tx = bx + bw + px(4.0);
    let (by0, by1) = (top + px(14.0), (bottom - px(40.0)).max(top + px(40.0)));
    text(map.metric.to_string(), (right + px(4.0), top - px(2.0)), 11.0, BLACK, top_left)?;
    let steps = (by1 - by0).max(1);
    for y in by0..by1 {
        rect((bx, y), (bx + bw, y + 1), colour(1.0 - (y - by0) as f32 / steps as f32))?;
    }
    let (best, worst) = if map.higher_is_better { (map.hi, map.lo) } else { (map.lo, map.hi) };
    text(label(best), (tx, by0 - px(2.0)), 11.0, BLACK, top_left)?;
    text(label(worst), (tx, by1 - px(10.0)), 11.0, BLACK, top_left)?;
    text("better".into(), (tx, by0 + px(10.0)), 10.0, BLACK, top_left)?;
    for (y, fill, name) in [(by1 + px(6.0), DIVERGED, "diverged"), (by1 + px(22.0), PENDING, "running")] {
        rect((bx, y), (bx + bw, y + px(12.0)), fill)?;
        text(name.into(), (tx, y), 11.0, BLACK, top_left)?;
    }
    text("\u{d7}".into(), (bx + bw / 2, by1 + px(12.0)), 11.0, BLACK, centre)?;
    Ok([left as f64, top as f64, cw as f64, ch as f64])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_better_end_is_yellow_whichever_way_the_metric_points() {
        assert_eq!(colour(position(0.9, 0.5, 0.9, false, true)), colour(1.0));
        assert_eq!(colour(position(0.1, 0.1, 2.0, false, false)), colour(1.0));
        assert_eq!(colour(1.0), RGBColor(253, 231, 37));
        assert_eq!(colour(f32::NAN), colour(0.0));
    }

    #[test]
    fn the_scale_leaves_out_what_cannot_be_drawn_and_goes_log_over_a_decade() {
        assert_eq!(scale_of([0.2, f32::NAN, 0.8, f32::INFINITY, 1e38].into_iter()), (0.2, 0.8, false));
        assert_eq!(scale_of([0.01, 2.0].into_iter()), (0.01, 2.0, true));
        assert_eq!(scale_of(std::iter::empty()), (0.0, 1.0, false));
    }
}
