//! Every chart is total: drawn to plotters' SVG backend with zeros, blown-up but finite values
//! (1e38, 3.4e38), infinities and NaN, alone and mixed with ordinary values, each returns without
//! error and in bounded time (plotters loops forever on a linear axis near the f32 limit and
//! overflows on a log axis whose top rounds to infinity; the charts never hand it such a range).

use std::sync::mpsc;
use std::time::Duration;

use np_playground::view::plot::{self, Axes, Band, LineAxes, PALETTE, Series};
use plotters::prelude::*;

const HOSTILE: [f32; 9] = [0.0, 1e38, 3.4e38, f32::MAX, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, -1e38, 1e-45];

/// Runs `f` on another thread; fails if it takes more than 10 s (a chart that loops).
fn within_10s(what: String, f: impl FnOnce() -> Result<String, String> + Send + 'static) -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Ok(svg)) => svg,
        Ok(Err(e)) => panic!("{what}: error {e}"),
        Err(_) => panic!("{what}: did not return within 10 s"),
    }
}

fn svg(
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<(), String>,
) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (460, 190)).into_drawing_area();
        draw(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Series made of one hostile value alone, and of it among ordinary values.
fn cases() -> Vec<(String, Vec<f32>)> {
    let mut out = Vec::new();
    for v in HOSTILE {
        out.push((format!("all {v}"), vec![v; 30]));
        out.push((
            format!("{v} among ordinary values"),
            (0..30).map(|i| if i % 7 == 3 { v } else { 1.0 / (1.0 + i as f32) }).collect(),
        ));
        out.push((format!("a blow-up to {v}"), (0..30).map(|i| if i < 20 { 0.5 } else { v }).collect()));
    }
    out
}

#[test]
fn line_charts_are_total() {
    let xs: Vec<f32> = (0..30).map(|i| i as f32 * 10.0).collect();
    for (name, ys) in cases() {
        for log in [false, true] {
            for fixed in [None, Some((0.0, 1.0))] {
                let (xs, ys) = (xs.clone(), ys.clone());
                let what = format!("line chart, {name}, log {log}, fixed {fixed:?}");
                let out = within_10s(what.clone(), move || {
                    let mut map = [0.0; 4];
                    let s = svg(|root| {
                        let series = [Series { name: "train", color: PALETTE[0], xs: &xs, ys: &ys, lo: &ys, hi: &ys }];
                        let axes = LineAxes {
                            title: "loss",
                            x_title: "step",
                            y_title: "loss",
                            log_y: log,
                            y_range: fixed,
                            scale: 2.0,
                        };
                        map = plot::line_chart(root, &axes, &series)?;
                        Ok(())
                    })?;
                    assert!(map.iter().all(|v| v.is_finite()), "{map:?}");
                    Ok(s)
                });
                assert!(out.contains("<svg"), "{what}");
            }
        }
    }
}

#[test]
fn histograms_are_total() {
    for (name, values) in cases() {
        within_10s(format!("histogram, {name}"), move || {
            svg(|root| plot::histogram(root, "layer 1", &values, 20, PALETTE[0], 1.0))
        });
    }
}

#[test]
fn band_charts_are_total() {
    for (name, ys) in cases() {
        within_10s(format!("band chart, {name}"), move || {
            let xs: Vec<f32> = (0..ys.len()).map(|i| i as f32).collect();
            svg(|root| {
                let axes = Axes {
                    title: "t",
                    x_desc: "x",
                    y_desc: "y",
                    log2_x: false,
                    y_range: None,
                    markers: true,
                    legend_upper: false,
                };
                let band = Band { name: "a", color: PALETTE[0], dashed: false, xs: &xs, mean: &ys, lo: &ys, hi: &ys };
                plot::band_chart(root, &axes, &[band])
            })
        });
    }
}

#[test]
fn values_that_cannot_be_drawn_leave_gaps() {
    let xs = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    let ys = [1.0, f32::NAN, 2.0, 3.0, 1e38, 4.0];
    let segs = plot::segments(&xs, &ys, false);
    assert_eq!(segs, vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)], vec![(5.0, 4.0)]]);
    // On a log axis zero and negative values are gaps too.
    assert_eq!(plot::segments(&xs[..3], &[1.0, 0.0, -1.0], true), vec![vec![(0.0, 1.0)]]);
    // The axis range stays finite and ordered, within the drawable magnitude.
    for (lo, hi) in [
        plot::y_range([1e38f32, 3.4e38].into_iter(), false, None),
        plot::y_range([1e38f32, 3.4e38].into_iter(), true, None),
        plot::y_range([5.0f32; 3].into_iter(), false, None),
        plot::y_range([1e29f32, 1e30].into_iter(), true, None),
        plot::y_range(std::iter::empty(), true, None),
    ] {
        assert!(lo.is_finite() && hi.is_finite() && lo < hi, "{lo} {hi}");
    }
}
