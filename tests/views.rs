//! What the page shows, tested natively: the live run (history, smoothing, the evaluation
//! schedule, the summary's JSON), the plane view, the noise probe read from the step's own
//! buffers, the page link's grammar and JSON, the manifest, the upload report, and the charts
//! drawn to plotters' SVG backend.

use np_playground::data::csv;
use np_playground::run::codec::KEYS;
use np_playground::run::link::{self, Link};
use np_playground::run::stats::{Smoothed, StepStats};
use np_playground::view::history::History;
use np_playground::view::live::{self, LiveRun};
use np_playground::view::plot::{self, LineAxes, PALETTE, Series};
use np_playground::view::{manifest, plane};
use np_playground::{RunConfig, Trainer};
use plotters::prelude::*;
use serde_json::Value;

fn live(config: &str) -> LiveRun {
    let cfg = RunConfig::parse(config).unwrap();
    let label = cfg.rule.key();
    LiveRun::new(Trainer::new(cfg).unwrap(), label)
}

fn json(v: &impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap()
}

#[test]
fn smoothing_averages_and_leaves_gaps_for_missing_values() {
    let mut s = Smoothed::new(2, 0.5);
    assert!(s.values().iter().all(|v| v.is_nan()), "nothing measured yet");
    let step = |loss: f32, d: Option<f32>, align: Option<Vec<f32>>| StepStats {
        batch_loss: loss,
        d_loss: d,
        alignment_all: align.as_ref().map(|a| a.iter().sum::<f32>() / a.len() as f32),
        alignment: align,
    };
    s.add(&step(1.0, Some(0.2), Some(vec![0.4, 0.8])));
    assert_eq!(s.values(), &[1.0, 0.2, (0.4f32 + 0.8) / 2.0, 0.4, 0.8]);
    s.add(&step(3.0, Some(0.4), Some(vec![0.0, 0.0])));
    assert_eq!(&s.values()[..2], &[2.0, 0.3], "halfway to the new value at alpha 0.5");
    // A step that does not measure alignment (diagnostics off) leaves a gap, not a stale line.
    s.add(&step(3.0, None, None));
    assert!(s.values()[1..].iter().all(|v| v.is_nan()), "{:?}", s.values());
    assert_eq!(s.values()[0], 2.5);
    // The next measurement starts afresh.
    s.add(&step(3.0, Some(1.0), Some(vec![0.5, 0.5])));
    assert_eq!(&s.values()[1..], &[1.0, 0.5, 0.5, 0.5]);
}

#[test]
fn history_with_a_stride_records_on_it_and_the_powers_of_two_below_and_doubles_when_full() {
    let mut h = History::with_stride(1, 8, 4);
    for s in 0..=40u64 {
        if h.wants(s) {
            h.record(s, &[s as f32]);
        }
    }
    assert!(h.len() <= 8);
    // 0, 1, 2, 4, 8, ..., 20 filled it; then every other point went and the stride became 8.
    assert_eq!(h.steps(), &[1.0, 4.0, 12.0, 20.0, 24.0, 32.0, 40.0]);
    assert_eq!(h.series(0), h.steps());
    // A step off the schedule is not recorded even when offered, unless asked for explicitly
    // (and only after the last point).
    h.record(41, &[41.0]);
    assert_eq!(h.steps().last(), Some(&40.0));
    h.record_off_schedule(43, &[43.0]);
    h.record_off_schedule(42, &[42.0]);
    assert_eq!(h.steps(), &[1.0, 4.0, 12.0, 20.0, 24.0, 32.0, 40.0, 43.0]);
    // A wide stride keeps only its last three powers of two below it.
    let mut h = History::with_stride(1, 600, 512);
    for s in 0..=1024u64 {
        if h.wants(s) {
            h.record(s, &[s as f32]);
        }
    }
    assert_eq!(h.steps(), &[0.0, 64.0, 128.0, 256.0, 512.0, 1024.0]);
}

#[test]
fn live_run_records_history_on_its_stride_and_names_its_columns() {
    let mut run = live("data=xor&rule=anp&hidden=8,8");
    assert_eq!(live::history_stride(run.trainer()), 1, "a small net is cheap to evaluate");
    assert!(run.busy() && run.history().is_empty(), "its evaluation at step 0 is its first work");
    // A small set is scored in one chunk each: the training set, then the test set.
    assert_eq!(run.work_unit(0), live::Unit::Evaluated(false));
    assert_eq!(run.work_unit(0), live::Unit::Evaluated(true));
    assert_eq!(run.history().len(), 1, "evaluated at step 0");
    assert_eq!(run.work_unit(0), live::Unit::Idle, "at the target and nothing pending");
    run.run(25).unwrap();
    assert_eq!(run.history().len(), 26);
    let cols = run.history_columns();
    assert_eq!(cols.len(), run.history().width());
    assert_eq!(&cols[..2], &["train_loss", "test_loss"]);
    assert_eq!(
        &cols[cols.len() - 6..],
        &["alignment_1", "alignment_2", "alignment_3", "correlation_1", "correlation_2", "correlation_3"]
    );
    let last = &run.history().values()[25 * cols.len()..];
    assert!(last[..4].iter().all(|v| v.is_finite()), "{last:?}");
    // The digits' network is costly to evaluate: its history keeps every 64th step or so.
    let cfg = RunConfig::parse("data=mnist14").unwrap();
    let digits = np_playground::data::mnist::parse(&tiny_digits(60)).unwrap();
    let sources = np_playground::data::Sources { digits: Some(&digits), table: None };
    let mut cfg = cfg;
    cfg.batch_size = 10;
    let t = Trainer::with_sources(cfg, &sources).unwrap();
    assert!(live::history_stride(&t).is_power_of_two());
}

/// A tiny digits file in the real format: `count` digits of 28x28.
fn tiny_digits(count: usize) -> Vec<u8> {
    let mut b = b"NPMNIST1".to_vec();
    b.extend_from_slice(&(count as u32).to_le_bytes());
    b.extend_from_slice(&[28, 28]);
    for i in 0..count {
        b.push((i % 10) as u8);
        b.extend((0..784).map(|p| ((i * 7 + p) % 256) as u8));
    }
    b
}

#[test]
fn summary_json_has_the_figures_and_re_evaluates_when_due() {
    let mut run = live("data=circle&rule=np");
    run.run(10).unwrap();
    assert!(!run.busy());
    let s = json(&run.summary(false));
    assert_eq!(s["step"], 10);
    assert_eq!(s["evaluated_at"], 10, "paused: evaluated now");
    assert_eq!(s["checksum"].as_str().unwrap().len(), 16);
    assert_eq!(s["checksum"].as_str().unwrap(), format!("{:016x}", run.trainer().checksum()));
    for k in ["train_loss", "test_loss", "train_accuracy", "test_accuracy", "batch_loss"] {
        assert!(s[k].as_f64().is_some_and(f64::is_finite), "{k}: {}", s[k]);
    }
    assert!(s["diverged"].is_null());
    assert_eq!(s["alignment"].as_array().unwrap().len(), 3);
    run.run(5).unwrap();
    // A cheap run's history evaluates every step, so its figures are always current.
    let running = json(&run.summary(true));
    assert_eq!(running["evaluated_at"], 15);
    assert!(running["checksum"].is_null(), "no checksum while running (it is shown when paused)");
    // A costly run's figures come from its history while it runs (on its schedule); paused, the
    // current step is evaluated, and drawn in the curves too.
    let mut wide = live("data=xor&rule=np&hidden=256,256&batch=100&n=2000");
    assert!(live::history_stride(wide.trainer()) > 64);
    wide.run(6).unwrap();
    assert_eq!(json(&wide.summary(true))["evaluated_at"], 0);
    assert!(!wide.busy(), "running: no evaluation of its own");
    wide.summary(false);
    assert!(wide.busy(), "paused: the current step is evaluated");
    wide.run(0).unwrap();
    assert_eq!(json(&wide.summary(false))["evaluated_at"], 6);
    assert_eq!(wide.history().steps(), &[0.0, 6.0]);
}

#[test]
fn plane_view_is_a_probability_grid_with_capped_unit_maps() {
    let mut run = live("data=xor&rule=np&hidden=6,3");
    let v = run.plane(8).unwrap();
    assert_eq!((v.res, v.prob.len()), (8, 64));
    assert!(v.prob.iter().all(|p| (0.0..=1.0).contains(p)));
    assert!(v.units.is_empty());
    let nodes = run.node_maps(8).unwrap();
    assert_eq!(nodes.units.len(), (6 + 3 + 2) * 64, "every unit of layers 1..=L, layer by layer");
    // A wide layer shows 16 units, evenly spaced, first and last included, the same every time.
    assert_eq!(np_playground::view::diagram::shown(256).len(), 16);
    assert_eq!(np_playground::view::diagram::shown(256)[..2], [0, 17]);
    assert_eq!(np_playground::view::diagram::shown(256)[15], 255);
    assert_eq!(np_playground::view::diagram::shown(5), vec![0, 1, 2, 3, 4]);
    // Row 0 is the top of the plane (y = +extent), column 0 its left edge.
    assert!(plane::coord(0, 8) < 0.0 && plane::coord(7, 8) > 0.0);
    assert_eq!(plane::coord(0, 2), -plane::EXTENT / 2.0);
    // The grid shrinks for large networks.
    assert_eq!(plane::resolution(run.trainer().network()), Some(64));
    let big = live("data=xor&rule=np&hidden=256,256,256&batch=10");
    assert!(plane::resolution(big.trainer().network()).is_some_and(|r| r < 64));
    // A network too large to map every snapshot gets no map (the page says so).
    let huge = live("data=xor&rule=np&hidden=1024,1024,1024&batch=10");
    assert_eq!(huge.plane_resolution(), None);
    // Digits have no plane.
    let cfg = RunConfig::parse("data=upload").unwrap();
    let t = csv::parse_csv("a,b,c,label\n1,2,3,x\n4,5,6,y\n7,8,9,x\n1,1,1,y\n").unwrap();
    let sources = np_playground::data::Sources { digits: None, table: Some(&t) };
    let mut cfg = cfg;
    cfg.batch_size = 1;
    let mut run3d = LiveRun::new(Trainer::with_sources(cfg, &sources).unwrap(), "np");
    assert!(run3d.plane(8).is_none() && run3d.points().is_empty());
}

#[test]
fn probe_reads_the_steps_own_buffers() {
    let mut run = live("data=xor&rule=np&hidden=5&sigma=0.05");
    assert!(run.probe(0).is_none(), "nothing before the first step");
    run.run(3).unwrap();
    let p = run.probe(2).unwrap();
    assert!(run.probe(10).is_none(), "the batch has 10 samples: 0 to 9");
    assert_eq!((p.step, p.sample, p.batch, p.method, p.blind), (3, 2, 10, "np", false));
    assert_eq!(p.losses.len(), 2, "a clean and a noisy pass");
    assert_eq!(p.pairs(), [(0, 1)]);
    assert!(p.d_loss[0].is_nan(), "pass 0 is the reference");
    assert_eq!(p.d_loss[1], p.losses[1] - p.losses[0]);
    let h = &p.layers[0];
    assert_eq!((h.n_in, h.n_out), (2, 5));
    let eps = h.passes[1].eps.as_ref().expect("the noisy pass is noised");
    // The first layer's noisy pre-activation is the clean one plus the noise, exactly.
    for (j, e) in eps.iter().enumerate() {
        assert_eq!(h.passes[1].a[j], h.clean_a[j] + e, "unit {j}");
    }
    // NP's credit per unit is dL / sigma^2 times the unit's own noise.
    let sigma = 0.05f32;
    for (j, e) in eps.iter().enumerate() {
        let want = p.d_loss[1] / (sigma * sigma) * e;
        assert!((h.signal[j] - want).abs() <= 1e-5 * want.abs().max(1.0), "unit {j}: {} vs {want}", h.signal[j]);
    }
    // G is the whole batch's update, as the optimiser received it.
    let g = &run.trainer().last_update().grads.w[0];
    assert_eq!(h.update.values, g.as_slice().unwrap().to_vec());
    let v = json(&p);
    assert!(v["layers"][0]["passes"][0]["eps"].is_null(), "the clean pass has no noise");
    assert!(v["layers"][0]["input_correlation"].is_null(), "no R in a plain network");
}

#[test]
fn link_grammar_and_its_json_reply() {
    let l = Link::parse_strict("#v=1&data=xor&at=50&compare=inp,anp:blind,np:k4").unwrap();
    assert_eq!(l.at, Some(50));
    assert_eq!(l.label(), "np");
    let labels: Vec<&str> = l.compare.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["inp", "anp:blind", "np:k4"]);
    assert_eq!(l.compare[2].config.draws, 4);
    assert_eq!(l.compare[1].config.mode, np_playground::rules::NoiseMode::Blind);
    for (bad, key, what) in [
        ("compare=np", "compare", "listed twice"),
        ("compare=inp,inp", "compare", "listed twice"),
        ("compare=inp,anp,dnp,dinp", "compare", "at most three"),
        ("compare=xyz", "compare", "not a rule"),
        ("compare=np:k99", "compare", "k1 to k64"),
        ("compare=np:blind", "compare", "blind"),
        ("at=-1", "at", "whole number"),
        ("at=10000001", "at", "whole number"),
        ("seeds=6", "seeds", "1 to 5"),
        ("speed=fast", "speed", "expected one of"),
        ("hide=rules", "hide", "not a group"),
        ("xaxis=time", "xaxis", "expected one of"),
        ("play=yes", "play", "1 or 0"),
    ] {
        let e = Link::parse_strict(bad).unwrap_err();
        assert_eq!(e.key, key, "{bad}: {e}");
        assert!(e.message.contains(what), "{bad}: {e}");
    }
    let ok = json(&link::reply("data=xor&at=7"));
    assert_eq!((ok["at"].as_u64(), ok["label"].as_str()), (Some(7), Some("np")));
    assert_eq!(ok["config"].as_str().unwrap(), RunConfig::parse("data=xor").unwrap().to_string());
    assert!(ok["problems"].as_array().unwrap().is_empty());
    let refused = json(&link::reply(&format!("sigma={}", "9".repeat(60))));
    assert_eq!(refused["problems"][0]["key"], "sigma");
    assert_eq!(refused["problems"][0]["value"].as_str().unwrap().chars().count(), 40, "long values are cut");
}

/// A classroom link with a typo keeps the rest: the bad key (or compare item) is reported and
/// left out; a combination that cannot run drops the key that breaks it.
#[test]
fn links_are_read_leniently() {
    let l = Link::parse("v=1&data=xor&rule=NP&lr=0.05&hide=rule,compare&play_hide=true&speed=max&play=1");
    assert_eq!(l.config.learning_rate, 0.05, "the rest applies");
    assert_eq!(l.config.rule.key(), "np", "the bad rule takes its default");
    assert_eq!(l.view.hide, ["rule", "compare"]);
    assert_eq!((l.view.speed, l.view.play), (Some("max"), true));
    let keys: Vec<&str> = l.problems.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["rule", "play_hide"]);
    // BP beside step units: the compared BP is left out with its reason, NP runs.
    let l = Link::parse("#v=1&data=xor&rule=np&act=step&compare=bp");
    assert!(l.compare.is_empty());
    assert_eq!(l.config.activation.key(), "step");
    assert!(l.problems[0].message.contains("step units"), "{:?}", l.problems);
    // np with blind noise: mode is dropped, not the whole link.
    let l = Link::parse("data=moons&rule=np&mode=blind&seed=5");
    assert_eq!((l.config.data.key(), l.config.seed, l.config.mode.key()), ("moons", 5, "clean"));
    assert_eq!(l.problems[0].key, "mode");
    // Too large together: compared runs are left out from the last.
    let l = Link::parse("data=mnist&rule=dnp&compare=danp,dinp,dbp");
    assert!(l.compare.len() < 3 && l.problems.iter().all(|p| p.key == "compare"), "{:?}", l.problems);
    // seeds=N: every rule over N seeds, labelled.
    let l = Link::parse("data=xor&rule=np&compare=inp&seeds=3&seed=7");
    let runs: Vec<(String, u64)> = l.runs().into_iter().map(|(label, c)| (label, c.seed)).collect();
    assert_eq!(
        runs,
        [
            ("np".into(), 7),
            ("np #2".into(), 8),
            ("np #3".into(), 9),
            ("inp".into(), 7),
            ("inp #2".into(), 8),
            ("inp #3".into(), 9)
        ]
    );
    // The fragment the page writes back: no empty pts, page keys only where they differ.
    let f = Link::parse("data=xor&compare=inp&speed=max&embed=1").fragment();
    assert!(!f.contains("pts=") && f.contains("&compare=inp&speed=max&embed=1"), "{f}");
    assert_eq!(Link::parse(&f).fragment(), f, "round trip");
}

#[test]
fn manifest_lists_every_key_with_its_control() {
    let m = json(&manifest::manifest());
    let keys = m["keys"].as_array().unwrap();
    assert_eq!(keys.len(), KEYS.len());
    let d = RunConfig::default();
    for (k, spec) in keys.iter().zip(KEYS) {
        assert_eq!(k["key"], spec.key);
        assert_eq!(k["default"].as_str().unwrap(), d.get(spec.key).unwrap());
        match k["control"].as_str().unwrap() {
            // Every option of a menu is a value the codec accepts for that key.
            "choice" => {
                for o in k["options"].as_array().unwrap() {
                    let value = o[0].as_str().unwrap();
                    let extra = if spec.key == "data" && value == "points" {
                        "&pts=1AAAAAAAAAAAAAAAAAAAAAAA".to_string()
                    } else {
                        String::new()
                    };
                    let text = format!("{}={value}{extra}", spec.key);
                    // (np with mode=blind is refused as a combination, not as an unknown value)
                    if let Err(e) = RunConfig::parse(&text) {
                        assert!(!e.message.contains("expected one of"), "{text}: {e}");
                    }
                }
            }
            "number" => assert!(k["min"].as_f64().unwrap() < k["max"].as_f64().unwrap()),
            // Every named feature is one the codec reads (issue 20).
            "features" => {
                for o in k["options"].as_array().unwrap() {
                    let text = format!("{}={}", spec.key, o[0].as_str().unwrap());
                    assert!(RunConfig::parse(&text).is_ok(), "{text}");
                }
            }
            "widths" | "points" | "table" | "edits" => {}
            other => panic!("unknown control {other}"),
        }
    }
    // The menus list every value of their enum.
    let count = |key: &str| keys.iter().find(|k| k["key"] == key).unwrap()["options"].as_array().unwrap().len();
    assert_eq!(count("rule"), np_playground::rules::Rule::ALL.len());
    assert_eq!(count("act"), np_playground::activation::Activation::ALL.len());
    assert_eq!(count("data"), np_playground::data::DataSet::ALL.len());
    assert_eq!(m["data_defaulted"], serde_json::json!(["hidden", "lr", "batch", "loss"]));
    assert_eq!(m["page"]["speeds"][0], "slow");
    assert!(m["lessons"].as_array().unwrap().len() >= 7);
    assert_eq!(m["views"]["plane_extent"], 1.5);
    assert_eq!(m["views"]["history_columns"][0], "train_loss");
}

#[test]
fn upload_report_gives_the_shape_or_every_problem() {
    let ok = json(&csv::report("x,y,label\n0.1,0.2,a\n0.3,-0.4,b\n"));
    assert_eq!(ok["ok"], true);
    assert_eq!((ok["rows"].as_u64(), ok["dim"].as_u64(), ok["classes"].as_u64()), (Some(2), Some(2), Some(2)));
    assert_eq!(ok["fits_in_url"], true);
    assert!(ok["pts"].as_str().unwrap().starts_with('1'));
    let bad = json(&csv::report("x,y,label\n0.1,oops,a\n0.3\n"));
    assert_eq!(bad["ok"], false);
    let lines: Vec<u64> = bad["problems"].as_array().unwrap().iter().map(|p| p["line"].as_u64().unwrap()).collect();
    assert!(lines.contains(&2) && lines.contains(&3), "{bad}");
}

/// Draws `f` into an SVG string.
fn svg(w: u32, h: u32, f: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>)) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        f(&root);
        root.present().unwrap();
    }
    out
}

#[test]
fn charts_draw_to_svg() {
    let xs: Vec<f32> = (0..40).map(|i| i as f32 * 5.0).collect();
    let a: Vec<f32> = (0..40).map(|i| 1.0 / (1.0 + i as f32)).collect();
    let b: Vec<f32> = (0..40).map(|i| if i == 20 { f32::NAN } else { 0.5 }).collect();
    let series = [
        Series { name: "train", color: PALETTE[0], xs: &xs, ys: &a, lo: &[], hi: &[] },
        Series { name: "test", color: PALETTE[1], xs: &xs, ys: &b, lo: &[], hi: &[] },
    ];
    for log_y in [false, true] {
        let axes = LineAxes { title: "loss", x_title: "step", y_title: "loss", log_y, y_range: None, scale: 1.0 };
        let mut map = [0.0; 4];
        let s = svg(460, 190, |root| map = plot::line_chart(root, &axes, &series).unwrap());
        assert!(s.contains("<polyline") || s.contains("<path"), "no curve drawn (log {log_y})");
        assert!(s.contains("train") && s.contains("test"), "the legend names both series");
        assert!(s.lines().any(|l| l.trim() == "step"), "the x axis has its title");
        assert!(map[0] < map[1] && map[2] == 0.0 && map[3] == 195.0, "{map:?}");
    }
    // No points at all: an empty chart, no error.
    let axes =
        LineAxes { title: "empty", x_title: "step", y_title: "", log_y: false, y_range: Some((0.0, 1.0)), scale: 1.0 };
    let empty = svg(300, 150, |root| {
        plot::line_chart(root, &axes, &[Series { name: "x", color: PALETTE[0], xs: &[], ys: &[], lo: &[], hi: &[] }])
            .unwrap();
    });
    assert!(empty.contains("empty"));
    // Whole steps get whole ticks only, even over a range of one step; seconds get fractions.
    let label_lines = |xs: &[f32]| {
        let axes = LineAxes { title: "t", x_title: "x", y_title: "y", log_y: false, y_range: None, scale: 1.0 };
        let ys = vec![0.5; xs.len()];
        let s = svg(300, 150, |root| {
            plot::line_chart(root, &axes, &[Series { name: "a", color: PALETTE[0], xs, ys: &ys, lo: &[], hi: &[] }])
                .unwrap();
        });
        s.lines().map(|l| l.trim().to_string()).collect::<Vec<_>>()
    };
    let steps = label_lines(&[0.0, 1.0]);
    assert!(steps.contains(&"1".to_string()) && !steps.iter().any(|l| l == "0.50"), "{steps:?}");
    let seconds = label_lines(&[0.0, 0.3, 1.0]);
    assert!(seconds.iter().any(|l| l == "0.50" || l == "0.25"), "{seconds:?}");
    let hist = svg(200, 100, |root| plot::histogram(root, "layer 1", &a, 10, PALETTE[0], 1.0).unwrap());
    assert!(hist.matches("<rect").count() >= 10, "a bar per bin");
}

/// The alignment is measured on a schedule where it would cost more than a tenth of a step (the
/// chart says so); the schedule never changes the run.
#[test]
fn alignment_on_a_schedule_keeps_the_run_and_its_averages() {
    let small = live("data=xor&rule=np");
    assert_eq!(small.alignment_every(), 1, "a tiny network measures every step");
    let mut wide = live("data=xor&rule=np&hidden=256,256&batch=100&n=2000");
    let every = wide.alignment_every();
    assert!(every > 1, "a wider network measures every {every} steps");
    wide.run(3 * every).unwrap();
    let cfg = RunConfig::parse("data=xor&rule=np&hidden=256,256&batch=100&n=2000").unwrap();
    let mut plain = Trainer::new(cfg).unwrap();
    plain.set_diagnostics(false);
    plain.run(3 * every).unwrap();
    assert_eq!(wide.trainer().checksum(), plain.checksum(), "the schedule does not change the run");
    // Steps that skip the measurement keep the average (no gaps between measurements). A
    // paused summary asks for the evaluation of the current step; it is done by the next work.
    wide.summary(false);
    wide.run(0).unwrap();
    let s = json(&wide.summary(false));
    assert_eq!(s["evaluated_at"], 3 * every);
    assert!(s["alignment_all"].as_f64().is_some_and(f64::is_finite), "{s}");
}

#[test]
fn a_climbing_loss_stops_advance_with_a_warning_once_and_training_goes_on() {
    use np_playground::view::session::{Advance, Session};
    let config = RunConfig::parse("v=1&loss=mse&act=tanh&rule=bp&opt=sgd&lr=1&seed=2").unwrap();
    let mut s = Session::new(&[("bp".to_string(), config.clone())], &Default::default()).unwrap();
    let mut clock = || 0.0;
    let mut outcomes = Vec::new();
    loop {
        let outcome = s.advance(9, &mut clock, f64::INFINITY);
        let warning = s.take_warning();
        outcomes.push((outcome, s.steps(), warning.is_some()));
        if let Some(w) = warning {
            assert!(w.contains("times its start"), "{w}");
        }
        if outcome == Advance::Done {
            break;
        }
    }
    // Warned once, at the step where the loss first passed ten times its start; then on to 9.
    let warned: Vec<_> = outcomes.iter().filter(|o| o.0 == Advance::Warned).collect();
    assert_eq!(warned.len(), 1, "{outcomes:?}");
    assert!(warned[0].2 && warned[0].1 < 9, "{outcomes:?}");
    assert_eq!(s.steps(), 9);
    // The warning never changes the run: the same checksum as a plain trainer.
    let mut t = Trainer::new(config).unwrap();
    for _ in 0..9 {
        t.step().unwrap();
    }
    assert_eq!(s.runs()[0].trainer().checksum(), t.checksum());
}

#[test]
fn test_samples_predict_in_one_batch_as_one_at_a_time() {
    let digits = np_playground::data::mnist::parse(&tiny_digits(200)).unwrap();
    let sources = np_playground::data::Sources { digits: Some(&digits), table: None };
    let cfg = RunConfig::parse("data=mnist14&rule=np&hidden=16&batch=10").unwrap();
    let mut run = LiveRun::new(Trainer::with_sources(cfg, &sources).unwrap(), "np");
    run.run(20).unwrap();
    let samples = run.test_samples(12);
    let width = 2 + 14 * 14;
    assert_eq!(samples.len(), 12 * width);
    let total = run.trainer().data().test.len();
    let rows: Vec<usize> = (0..12).map(|k| k * total / 12 + (total / 12) / 2).collect();
    let mut t = run.trainer().clone();
    for (record, &i) in samples.chunks(width).zip(&rows) {
        assert_eq!(record[0], t.data().test.y[i] as f32, "the label");
        assert_eq!(record[1], t.predict_test_rows(&[i])[0] as f32, "the prediction of row {i} alone");
        assert_eq!(&record[2..], t.data().test.row(i), "the pixels");
    }
}

/// One output (regression): the plane view holds the predicted value itself (the page colours
/// the plane by it), not a softmax of one logit (which is 1 everywhere).
#[test]
fn plane_view_of_one_output_is_the_predicted_value() {
    use np_playground::activation::Activation;
    use np_playground::loss::Loss;
    use np_playground::network::{Network, Trace};
    use np_playground::rng::{Rng, Stream};
    let net = Network::new(&[2, 3, 1], Activation::Tanh, Loss::Regression, false, &mut Rng::stream(7, Stream::Init));
    let mut trace = Trace::default();
    let v = plane::view(&net, np_playground::data::features::Features::default(), 4, &[], &mut trace);
    assert_eq!(v.prob.len(), 16);
    // Cell (row 0, column 1): x = coord(1), y = coord(3) (row 0 is the top).
    let (x, y) = (plane::coord(1, 4), plane::coord(3, 4));
    let mut t = Trace::default();
    net.forward(&[x, y], 1, &mut t);
    assert_eq!(v.prob[1], t.logits(0)[0]);
    assert!(v.prob.iter().any(|&p| (p - 1.0).abs() > 1e-3), "not the constant softmax of one logit");
    assert!(v.prob.windows(2).any(|w| w[0] != w[1]), "the value varies over the plane");
}
