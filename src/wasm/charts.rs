//! Charts for the main thread: plotters drawing into page canvases, and colour maps for pixel
//! buffers. The chart code itself is in `view::plot` (native tests draw it to SVG).

use js_sys::Uint8ClampedArray;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;

use super::js_err;
use crate::view::plot::{self, LINES, LineAxes, PALETTE, Series};
use crate::view::{color, heatmap};

fn canvas(id: &str) -> Result<CanvasBackend, JsError> {
    CanvasBackend::new(id).ok_or_else(|| JsError::new(&format!("no canvas with id {id}")))
}

/// Draws a line chart into canvas `id`: the series `names[i]`, whose points are the next
/// `lengths[i]` values of `xs` and `ys` (and of `lo` and `hi`, the band around each curve, when
/// those are as long as `xs`); the y axis on a log scale (`log_y`) or fixed to `y_lo..y_hi` when
/// both are given (else fitted); fonts scaled by `scale` (the device pixel ratio). Returns
/// `[left px, right px, first x, last x]` for hover read-outs.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = drawChart)]
pub fn draw_chart(
    id: &str,
    title: &str,
    x_title: &str,
    y_title: &str,
    log_y: bool,
    y_lo: Option<f64>,
    y_hi: Option<f64>,
    scale: f64,
    names: Vec<String>,
    lengths: Vec<u32>,
    xs: &[f32],
    ys: &[f32],
    lo: &[f32],
    hi: &[f32],
) -> Result<Vec<f64>, JsError> {
    let total: usize = lengths.iter().map(|&n| n as usize).sum();
    if names.len() != lengths.len() || xs.len() != total || ys.len() != total {
        return Err(JsError::new("drawChart: names, lengths, xs and ys do not match"));
    }
    let banded = lo.len() == total && hi.len() == total;
    let mut start = 0;
    let series: Vec<Series> = names
        .iter()
        .zip(&lengths)
        .enumerate()
        .map(|(i, (n, &len))| {
            let r = start..start + len as usize;
            start += len as usize;
            Series {
                name: n,
                color: LINES[i % LINES.len()],
                xs: &xs[r.clone()],
                ys: &ys[r.clone()],
                lo: if banded { &lo[r.clone()] } else { &[] },
                hi: if banded { &hi[r] } else { &[] },
            }
        })
        .collect();
    let root = canvas(id)?.into_drawing_area();
    let axes =
        LineAxes { title, x_title, y_title, log_y, y_range: y_lo.zip(y_hi).map(|(a, b)| (a as f32, b as f32)), scale };
    let map = plot::line_chart(&root, &axes, &series).map_err(js_err)?;
    root.present().map_err(js_err)?;
    Ok(map.to_vec())
}

/// Draws a histogram of `values` into canvas `id` (fonts scaled by `scale`).
#[wasm_bindgen(js_name = drawHistogram)]
pub fn draw_histogram(id: &str, title: &str, values: &[f32], bins: usize, scale: f64) -> Result<(), JsError> {
    let root = canvas(id)?.into_drawing_area();
    plot::histogram(&root, title, values, bins.clamp(2, 100), PALETTE[0], scale).map_err(js_err)?;
    root.present().map_err(js_err)?;
    Ok(())
}

/// Colours a grid of values (divided by `scale`, so `scale` maps to full colour) as RGBA pixels.
#[wasm_bindgen]
pub fn rgba(values: &[f32], scale: f32) -> Uint8ClampedArray {
    let s = if scale > 0.0 { 1.0 / scale } else { 1.0 };
    let scaled: Vec<f32> = values.iter().map(|v| v * s).collect();
    let mut out = Vec::new();
    color::rgba(&scaled, &mut out);
    Uint8ClampedArray::from(&out[..])
}

/// Draws one rule's heat map of a sweep into canvas `id` (see `view::heatmap::Heatmap`): cell
/// `i` is `values[i]` (NaN: not finished) and `diverged[i] != 0` marks a diverged run; `columns`
/// and `rows` are the two keys' values (`rows` empty with one key); the colour scale runs from
/// the least to the largest of `shared` (every rule's values, so the maps compare; on log10 when
/// they are positive and span more than a decade). Returns `[left px, top px, cell width px, cell height px]`.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = drawHeatmap)]
pub fn draw_heatmap(
    id: &str,
    title: &str,
    metric: &str,
    higher_is_better: bool,
    column_key: &str,
    columns: Vec<String>,
    row_key: &str,
    rows: Vec<String>,
    values: &[f32],
    diverged: &[u8],
    shared: &[f32],
    scale: f64,
) -> Result<Vec<f64>, JsError> {
    let diverged: Vec<bool> = diverged.iter().map(|&d| d != 0).collect();
    let (lo, hi, log) = heatmap::scale_of(shared.iter().copied());
    let map = heatmap::Heatmap {
        title,
        metric,
        higher_is_better,
        column_key,
        columns: &columns,
        row_key,
        rows: &rows,
        values,
        diverged: &diverged,
        lo,
        hi,
        log,
        scale,
    };
    let root = canvas(id)?.into_drawing_area();
    let grid = heatmap::heatmap(&root, &map).map_err(js_err)?;
    root.present().map_err(js_err)?;
    Ok(grid.to_vec())
}
