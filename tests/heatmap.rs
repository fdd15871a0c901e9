//! The sweep's heat map drawn natively to SVG (the page draws the same code into a canvas): cells
//! in the metric's colours, diverged cells marked, the legend with both ends of the scale, and
//! total on hostile values.

use np_playground::view::heatmap::{self, Heatmap};
use plotters::prelude::*;

fn svg(map: &Heatmap) -> (String, [f64; 4]) {
    let mut out = String::new();
    let grid;
    {
        let root = SVGBackend::with_string(&mut out, (520, 300)).into_drawing_area();
        grid = heatmap::heatmap(&root, map).expect("the heat map draws");
        root.present().unwrap();
    }
    (out, grid)
}

fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// Whether the SVG has a text element reading `text`.
fn shows(svg: &str, text: &str) -> bool {
    svg.contains(&format!(">\n{text}\n</text>"))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_heat_map_draws_its_cells_marks_and_legend() {
    let columns = strings(&["0.003", "0.01", "0.03"]);
    let rows = strings(&["0.001", "0.01"]);
    let values = [0.5, 0.7, 0.95, 0.6, f32::NAN, f32::NAN];
    let diverged = [false, false, false, false, false, true];
    let (lo, hi, log) = heatmap::scale_of(values.iter().copied());
    let map = Heatmap {
        title: "np",
        metric: "test accuracy",
        higher_is_better: true,
        column_key: "lr",
        columns: &columns,
        row_key: "sigma",
        rows: &rows,
        values: &values,
        diverged: &diverged,
        lo,
        hi,
        log,
        scale: 1.0,
    };
    let (svg, grid) = svg(&map);
    // Not blank: the best cell in the scale's best colour, the worst in its worst, a pending cell
    // pale, a diverged one grey with its cross (in the cell and the legend).
    let best = hex(heatmap::colour(1.0));
    let worst = hex(heatmap::colour(0.0));
    assert!(svg.contains(&best) && svg.contains(&worst), "the cells' colours are drawn");
    assert!(svg.contains(&hex(heatmap::PENDING)) && svg.contains(&hex(heatmap::DIVERGED)));
    // The legend: the metric, both ends of the scale, the marks; the keys and their values.
    for text in
        ["test accuracy", "0.950", "0.500", "better", "diverged", "running", "lr", "sigma", "0.003", "0.03", "\u{d7}"]
    {
        assert!(shows(&svg, text), "the SVG shows {text}");
    }
    // The grid sits inside the picture, cells of a size the page can point at.
    let [left, top, cw, ch] = grid;
    assert!(left > 0.0 && top > 0.0 && cw >= 40.0 && ch >= 20.0, "{grid:?}");
    assert!(left + 3.0 * cw <= 520.0 && top + 2.0 * ch <= 300.0, "{grid:?}");
}

#[test]
fn a_loss_map_puts_the_lowest_loss_at_the_better_end_on_a_log_scale() {
    let columns = strings(&["1", "2", "4", "8"]);
    let values = [0.01, 0.1, 1.0, f32::INFINITY];
    let (lo, hi, log) = heatmap::scale_of(values.iter().copied());
    assert_eq!((lo, hi, log), (0.01, 1.0, true));
    assert_eq!(heatmap::colour(heatmap::position(0.01, lo, hi, log, false)), heatmap::colour(1.0));
    assert!((heatmap::position(0.1, lo, hi, log, false) - 0.5).abs() < 1e-6, "the middle decade is mid-scale");
    let map = Heatmap {
        title: "bp",
        metric: "test loss",
        higher_is_better: false,
        column_key: "batch",
        columns: &columns,
        row_key: "",
        rows: &[],
        values: &values,
        diverged: &[false, false, false, true],
        lo,
        hi,
        log,
        scale: 2.0,
    };
    let (svg, _) = svg(&map);
    assert!(shows(&svg, "test loss") && shows(&svg, "0.010") && shows(&svg, "1.00"));
}

#[test]
fn heat_maps_are_total() {
    let columns = strings(&["a"; 12]);
    let rows = strings(&["b"; 9]);
    for v in [0.0, 1e38, f32::MAX, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, -1e38, 1e-45] {
        let values = vec![v; 108];
        let (lo, hi, log) = heatmap::scale_of(values.iter().copied());
        let map = Heatmap {
            title: "t",
            metric: "m",
            higher_is_better: v > 0.0,
            column_key: "x",
            columns: &columns,
            row_key: "y",
            rows: &rows,
            values: &values,
            diverged: &[],
            lo,
            hi,
            log,
            scale: 1.0,
        };
        svg(&map);
    }
}
