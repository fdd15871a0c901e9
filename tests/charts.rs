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

/// The tick labels of a chart drawn to SVG, in order of appearance.
fn labels(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim().to_string()))
        .filter(|t| !t.is_empty())
        .collect()
}

fn line_svg(ys: Vec<f32>, log_y: bool) -> String {
    let xs: Vec<f32> = (0..ys.len()).map(|i| i as f32 * 100.0).collect();
    svg(|root| {
        let series = [Series { name: "np", color: PALETTE[0], xs: &xs, ys: &ys, lo: &[], hi: &[] }];
        let axes = LineAxes { title: "Loss", x_title: "step", y_title: "loss", log_y, y_range: None, scale: 1.0 };
        plot::line_chart(root, &axes, &series).map(|_| ())
    })
    .unwrap()
}

#[test]
fn log_axes_are_labelled_at_1_2_and_5_times_a_power_of_ten() {
    // Within one decade: 0.1, 0.2, 0.5 and 1 (nothing at 0.3 or 0.30000001).
    let l = labels(&line_svg(vec![0.9, 0.6, 0.4, 0.25, 0.15], true));
    for want in ["0.1", "0.2", "0.5", "1"] {
        assert!(l.iter().any(|s| s == want), "{want} not in {l:?}");
    }
    assert!(!l.iter().any(|s| s.starts_with("0.3") || s.contains("0000")), "{l:?}");
    // Over six decades: the powers of ten only.
    let l = labels(&line_svg(vec![900.0, 20.0, 0.5, 0.004], true));
    for want in ["0.001", "0.01", "0.1", "1", "10", "100", "1000"] {
        assert!(l.iter().any(|s| s == want), "{want} not in {l:?}");
    }
    assert!(!l.iter().any(|s| s == "0.2" || s == "50"), "{l:?}");
    // The labels themselves, and the grid: a line at each 1..9 times a power within a decade.
    assert_eq!(plot::log_label(libm::log10f(0.02)), "0.02");
    assert_eq!(plot::log_label(libm::log10f(500.0)), "500");
    assert_eq!(plot::log_label(libm::log10f(3.0)), "");
    let (bold, light) = plot::log_key_points(libm::log10f(0.098), 0.0);
    assert_eq!((bold.len(), light.len()), (10, 0), "{bold:?}");
    let (bold, light) = plot::log_key_points(-3.01, 3.0);
    assert_eq!((bold.len(), light.len()), (7, 8 * 6), "{bold:?}");
    // More than ten decades: every second power labelled.
    let (bold, _) = plot::log_key_points(-10.01, 10.0);
    assert_eq!(bold.len(), 11, "{bold:?}");
}

#[test]
fn linear_axes_are_labelled_at_round_values() {
    let l = labels(&line_svg(vec![2.0, 1.5, 1.0, 0.8, 0.7], false));
    for want in ["1.00", "1.50", "2.00"] {
        assert!(l.iter().any(|s| s == want), "{want} not in {l:?}");
    }
    let (bold, light) = plot::linear_key_points(0.0, 1.0, 5);
    assert_eq!(bold, vec![0.0, 0.5, 1.0]);
    assert!(light.len() > bold.len() && light.iter().all(|v| !bold.contains(v)), "{light:?}");
}

/// CIE L*a*b* of an sRGB colour (D65).
fn lab(c: [f64; 3]) -> [f64; 3] {
    let [r, g, b] = c.map(linear);
    let (x, y, z) = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    );
    let f = |t: f64| if t > 0.008856 { t.cbrt() } else { 7.787 * t + 16.0 / 116.0 };
    [116.0 * f(y) - 16.0, 500.0 * (f(x) - f(y)), 200.0 * (f(y) - f(z))]
}

fn linear(c: f64) -> f64 {
    let c = c / 255.0;
    if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
}

/// `c` as seen with a colour-vision deficiency: Machado, Oliveira and Fernandes (2009), severity 1,
/// applied to linear RGB.
fn simulate(c: [f64; 3], m: &[[f64; 3]; 3]) -> [f64; 3] {
    let l = c.map(linear);
    let back = |v: f64| {
        let v = v.clamp(0.0, 1.0);
        255.0 * if v <= 0.0031308 { 12.92 * v } else { 1.055 * v.powf(1.0 / 2.4) - 0.055 }
    };
    [0, 1, 2].map(|i| back(m[i][0] * l[0] + m[i][1] * l[1] + m[i][2] * l[2]))
}

#[test]
fn the_first_four_curve_colours_stay_apart_in_every_common_colour_vision() {
    let identity = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    let deutan = [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]];
    let protan = [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]];
    let tritan = [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]];
    let colours: Vec<[f64; 3]> = plot::LINES[..4].iter().map(|c| [c.0 as f64, c.1 as f64, c.2 as f64]).collect();
    for (vision, m) in [("normal", identity), ("deuteranopia", deutan), ("protanopia", protan), ("tritanopia", tritan)]
    {
        let seen: Vec<[f64; 3]> = colours.iter().map(|&c| lab(simulate(c, &m))).collect();
        for i in 0..4 {
            for j in i + 1..4 {
                let d = (0..3).map(|k| (seen[i][k] - seen[j][k]).powi(2)).sum::<f64>().sqrt();
                assert!(d >= 20.0, "{vision}: curve colours {i} and {j} are {d:.1} apart (CIE76), under 20");
            }
        }
    }
}

#[test]
fn a_band_over_seeds_is_edged_in_its_curves_colour() {
    let xs: Vec<f32> = (0..20).map(|i| i as f32).collect();
    let ys: Vec<f32> = xs.iter().map(|x| 1.0 / (1.0 + x)).collect();
    let lo: Vec<f32> = ys.iter().map(|y| y * 0.8).collect();
    let hi: Vec<f32> = ys.iter().map(|y| y * 1.2).collect();
    let lines = |banded: bool| {
        let out = svg(|root| {
            let (l, h): (&[f32], &[f32]) = if banded { (&lo, &hi) } else { (&[], &[]) };
            let series = [Series { name: "np", color: plot::LINES[3], xs: &xs, ys: &ys, lo: l, hi: h }];
            let axes =
                LineAxes { title: "loss", x_title: "step", y_title: "loss", log_y: false, y_range: None, scale: 1.0 };
            plot::line_chart(root, &axes, &series).map(|_| ())
        })
        .unwrap();
        out.split("<polyline")
            .skip(1)
            .filter(|p| p.split_once('>').is_some_and(|(tag, _)| tag.contains("stroke=\"#AA3377\"")))
            .count()
    };
    assert_eq!(lines(false), 1, "the curve alone");
    assert_eq!(lines(true), 3, "the curve and the band's two edges");
}
