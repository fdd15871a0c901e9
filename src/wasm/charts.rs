//! Charts for the main thread: plotters drawing into page canvases, and colour maps for pixel
//! buffers. The chart code itself is in `view::plot` (native tests draw it to SVG).

use js_sys::Uint8ClampedArray;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;

use super::js_err;
use crate::view::color;
use crate::view::plot::{self, PALETTE, Series};

fn canvas(id: &str) -> Result<CanvasBackend, JsError> {
    CanvasBackend::new(id).ok_or_else(|| JsError::new(&format!("no canvas with id {id}")))
}

/// Draws named curves `(points, series)` row-major against `steps` into canvas `id`, the y axis
/// on a log scale (`log_y`) or fixed to `y_lo..y_hi` when both are given (else fitted); returns
/// `[left px, right px, first step, last step]` for hover read-outs.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = drawCurves)]
pub fn draw_curves(
    id: &str,
    title: &str,
    steps: &[f32],
    values: &[f32],
    names: Vec<String>,
    log_y: bool,
    y_lo: Option<f64>,
    y_hi: Option<f64>,
) -> Result<Vec<f64>, JsError> {
    let width = names.len().max(1);
    let columns: Vec<Vec<f32>> = (0..width).map(|j| values.iter().skip(j).step_by(width).copied().collect()).collect();
    let series: Vec<Series> = names
        .iter()
        .zip(&columns)
        .enumerate()
        .map(|(i, (n, ys))| Series { name: n, color: PALETTE[i % PALETTE.len()], ys })
        .collect();
    let root = canvas(id)?.into_drawing_area();
    let range = y_lo.zip(y_hi).map(|(lo, hi)| (lo as f32, hi as f32));
    let map = plot::line_chart(&root, title, steps, &series, log_y, range).map_err(js_err)?;
    root.present().map_err(js_err)?;
    Ok(map.to_vec())
}

/// Draws a histogram of `values` into canvas `id`.
#[wasm_bindgen(js_name = drawHistogram)]
pub fn draw_histogram(id: &str, title: &str, values: &[f32], bins: usize) -> Result<(), JsError> {
    let root = canvas(id)?.into_drawing_area();
    plot::histogram(&root, title, values, bins.clamp(2, 100), PALETTE[0]).map_err(js_err)?;
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
