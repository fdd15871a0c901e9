//! The expectations of `learning-rules.md`, each judged against the measurements: the orderings
//! of alignment at initialisation, and what training, mean-centring and blind noise should show.
//! The reference's figures and the tolerance each check allows are the constants below, so the
//! text of a check and its verdict cannot disagree.

use super::super::RULES;
use super::super::align::AlignCell;
use super::Check;
use super::stats::{acc_gain, acc_mean, mean_sd};
use super::style::{epoch_str, pct, signed, upper};
use super::view::View;

/// The reference's lead of DANP over ANP (points) after a number of epochs: `(epochs, points)`.
/// A measured lead passes within a factor of two.
pub const REF_DANP_LEAD: [(f64, f64); 2] = [(2.5, 7.0), (10.0, 2.0)];

/// The reference's test accuracy (percent) of every rule after a long run: `(epochs, low, high)`.
/// A measured accuracy passes within 1.5 points of the range.
pub const REF_LONG_ACC: (f64, f64, f64) = (50.0, 90.0, 92.0);

/// How far (points) blind noise may leave a rule behind its clean runs and still "learn".
const BLIND_TOLERANCE: f64 = 5.0;

/// Every check the measurements allow, in the order of the report's table.
pub fn checks(v: &View) -> Vec<Check> {
    let mut out = Vec::new();
    if !v.r.align.is_empty() {
        alignment(v, &mut out);
    }
    if RULES.iter().all(|r| !v.main(r).is_empty()) {
        training(v, &mut out);
    }
    let s = v.s;
    if s.centred_rules.contains(&"anp") && s.centred_rules.contains(&"danp") {
        centring(v, &mut out);
    }
    blind(v, &mut out);
    super::family::checks(v, &mut out);
    out
}

/// A list of `(name, measured)` as "NAME +x.x points, ...".
fn gains_text(gains: &[(String, Option<f64>)]) -> String {
    gains
        .iter()
        .map(|(n, g)| format!("{n} {}", g.map_or("—".into(), |g| format!("{} points", signed(g)))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `ok` holds for every gain; None if one is missing.
fn all_gains(gains: impl Iterator<Item = Option<f64>>, ok: impl Fn(f64) -> bool) -> Option<bool> {
    gains.map(|g| g.map(&ok)).collect::<Option<Vec<bool>>>().map(|v| v.iter().all(|&b| b))
}

/// The orderings of alignment at initialisation: INP and ANP against NP, per layer, and how
/// alignment moves with batch size, K and width.
fn alignment(v: &View, out: &mut Vec<Check>) {
    let g = |m: &str, i: usize| v.grid_mean(m, i);
    let (w, b, k) = (v.ref_width(), v.ref_batch(), v.k_min());
    let at = |m: &str, i: usize| v.cell(m, w, b, k).map_or(f64::NAN, |c| c.mean[i]);
    for m in ["inp", "anp"] {
        out.push(Check {
            expectation: format!("{} better aligned than NP at initialisation", upper(m)),
            measured: format!(
                "all layers, mean over the grid: {} {:.3} vs NP {:.3}; at width {w}, batch {b}, K={k}: {:.3} vs {:.3}",
                upper(m),
                g(m, 3),
                g("np", 3),
                at(m, 3),
                at("np", 3)
            ),
            pass: Some(g(m, 3) > g("np", 3)),
            quick_enforced: true,
        });
    }
    let hidden_ok = (0..2).all(|l| g("inp", l) > g("anp", l) && g("inp", l) > g("np", l));
    out.push(Check {
        expectation: "INP best on the hidden layers".into(),
        measured: format!(
            "grid means hidden 1: INP {:.3}, ANP {:.3}, NP {:.3}; hidden 2: INP {:.3}, ANP {:.3}, NP {:.3}",
            g("inp", 0),
            g("anp", 0),
            g("np", 0),
            g("inp", 1),
            g("anp", 1),
            g("np", 1)
        ),
        pass: Some(hidden_ok),
        quick_enforced: true,
    });
    let out_ok = g("anp", 2) > g("inp", 2) && g("anp", 2) > g("np", 2);
    out.push(Check {
        expectation: "ANP best on the output layer".into(),
        measured: format!(
            "grid means output layer: ANP {:.3}, INP {:.3}, NP {:.3}",
            g("anp", 2),
            g("inp", 2),
            g("np", 2)
        ),
        pass: Some(out_ok),
        quick_enforced: false,
    });
    // Growth with batch size and with K, per method (means over the other grid axes).
    let axis_mean = |m: &str, f: &dyn Fn(&AlignCell) -> bool| {
        let v: Vec<f64> = v.r.align.iter().filter(|c| c.method == m && f(c)).map(|c| c.mean[3]).collect();
        mean_sd(&v).0
    };
    let names = ["np", "inp", "anp"];
    let (bl, bh) = (v.b_min(), v.b_max());
    let grow_b: Vec<(f64, f64)> =
        names.iter().map(|m| (axis_mean(m, &|c| c.batch == bl), axis_mean(m, &|c| c.batch == bh))).collect();
    out.push(Check {
        expectation: "alignment grows with batch size".into(),
        measured: names
            .iter()
            .zip(&grow_b)
            .map(|(m, (a, z))| format!("{} {a:.3} (batch {bl}) -> {z:.3} (batch {bh})", upper(m)))
            .collect::<Vec<_>>()
            .join("; "),
        pass: Some(grow_b.iter().all(|(a, z)| z > a)),
        quick_enforced: true,
    });
    let (kl, kh) = (v.k_min(), v.k_max());
    let grow_k: Vec<(f64, f64)> =
        names.iter().map(|m| (axis_mean(m, &|c| c.draws == kl), axis_mean(m, &|c| c.draws == kh))).collect();
    out.push(Check {
        expectation: "alignment grows with the number of draws K".into(),
        measured: names
            .iter()
            .zip(&grow_k)
            .map(|(m, (a, z))| format!("{} {a:.3} (K={kl}) -> {z:.3} (K={kh})", upper(m)))
            .collect::<Vec<_>>()
            .join("; "),
        pass: Some(grow_k.iter().all(|(a, z)| z > a)),
        quick_enforced: true,
    });
    let (wl, wh) = (v.w_min(), w);
    let fall: Vec<(f64, f64)> = names
        .iter()
        .map(|m| {
            (v.cell(m, wl, b, k).map_or(f64::NAN, |c| c.mean[3]), v.cell(m, wh, b, k).map_or(f64::NAN, |c| c.mean[3]))
        })
        .collect();
    out.push(Check {
        expectation: "alignment falls with width (the issue's question; not stated in the reference)".into(),
        measured: names
            .iter()
            .zip(&fall)
            .map(|(m, (a, z))| format!("{} {a:.3} (width {wl}) -> {z:.3} (width {wh})", upper(m)))
            .collect::<Vec<_>>()
            .join("; "),
        pass: Some(fall.iter().all(|(a, z)| z < a)),
        quick_enforced: true,
    });
}

/// Training at the chosen rates: no divergence, the decorrelated variants' lead over their plain
/// versions and over NP, BP over NP, and the reference's figures.
fn training(v: &View, out: &mut Vec<Check>) {
    let s = v.s;
    let diverged: Vec<String> =
        v.r.runs.iter().filter(|r| r.job.group == "main" && r.error.is_some()).map(|r| r.job.label()).collect();
    out.push(Check {
        expectation: "every rule trains without diverging at its chosen learning rate".into(),
        measured: if diverged.is_empty() {
            "no main run diverged".into()
        } else {
            format!("diverged: {}", diverged.join(", "))
        },
        pass: Some(diverged.is_empty()),
        quick_enforced: true,
    });
    let e_early = if s.epochs >= 2.5 { 2.5 } else { 1.0 };
    let gains: Vec<(String, Option<f64>)> = ["np", "inp", "anp"]
        .iter()
        .map(|f| {
            let d = format!("d{f}");
            (upper(&d), acc_gain(&v.main(&d), &v.main(f), e_early))
        })
        .collect();
    out.push(Check {
        expectation: format!(
            "decorrelated variants ahead of their plain versions early on raw pixels (after {} epochs)",
            epoch_str(e_early)
        ),
        measured: gains_text(&gains),
        pass: all_gains(gains.iter().map(|x| x.1), |g| g > 0.0),
        quick_enforced: true,
    });
    let same: Vec<(String, Option<f64>, f32)> = ["np", "inp", "anp"]
        .iter()
        .map(|f| {
            let d = format!("d{f}");
            let runs = v.same_lr(&d);
            let g = acc_gain(&runs, &v.main(f), e_early);
            (upper(&d), g, runs.first().map_or(f32::NAN, |r| r.job.lr))
        })
        .collect();
    out.push(Check {
        expectation: format!(
            "... also at the same learning rate as the plain version (after {} epochs)",
            epoch_str(e_early)
        ),
        measured: same
            .iter()
            .map(|(n, g, lr)| format!("{n} (lr {lr}) {}", g.map_or("—".into(), |g| format!("{} points", signed(g)))))
            .collect::<Vec<_>>()
            .join(", "),
        pass: all_gains(same.iter().map(|x| x.1), |g| g > 0.0),
        quick_enforced: false,
    });
    let same_gap = |e: f64| {
        let runs = v.same_lr("danp");
        let lr = runs.first().map(|r| r.job.lr);
        acc_gain(&runs, &v.main("anp"), e)
            .zip(lr)
            .map(|(g, lr)| format!("; at ANP's rate (lr {lr}) {} points", signed(g)))
    };
    for (e, about) in REF_DANP_LEAD {
        if s.epochs >= e {
            let g = acc_gain(&v.main("danp"), &v.main("anp"), e);
            let sg = same_gap(e).unwrap_or_default();
            out.push(Check {
                expectation: format!(
                    "DANP about {about} points ahead of ANP after {} epochs (reference)",
                    epoch_str(e)
                ),
                measured: g.map_or("—".into(), |g| format!("{} points at the chosen rates{sg}", signed(g))),
                pass: g.map(|g| (about / 2.0..=about * 2.0).contains(&g)),
                quick_enforced: false,
            });
        }
    }
    let e_end = s.epochs;
    let beat: Vec<(String, Option<f64>)> =
        ["dnp", "dinp", "danp"].iter().map(|d| (upper(d), acc_gain(&v.main(d), &v.main("np"), e_end))).collect();
    out.push(Check {
        expectation: format!("decorrelated variants clearly beat plain NP (after {} epochs)", epoch_str(e_end)),
        measured: gains_text(&beat),
        pass: all_gains(beat.iter().map(|x| x.1), |g| g > 1.0),
        quick_enforced: false,
    });
    let bp = acc_mean(&v.main("bp"), e_end);
    let np = acc_mean(&v.main("np"), e_end);
    out.push(Check {
        expectation: format!("BP above plain NP (after {} epochs)", epoch_str(e_end)),
        measured: format!("BP {}, NP {}", bp.map_or("—".into(), pct), np.map_or("—".into(), pct)),
        pass: bp.zip(np).map(|(a, b)| a > b),
        quick_enforced: true,
    });
    let (le, lo, hi) = REF_LONG_ACC;
    if s.long_epochs >= le && !s.long_rules.is_empty() {
        let vals: Vec<(String, Option<f64>)> =
            s.long_rules.iter().map(|r| (upper(r), acc_mean(&v.main(r), le))).collect();
        let extra: Vec<String> = s
            .long_rules
            .iter()
            .filter_map(|r| {
                let runs = v.runs("samelr", r, |_| true);
                let lr = runs.first()?.job.lr;
                Some(format!("{} at lr {lr} {}%", upper(r), acc_mean(&runs, le).map_or("—".into(), pct)))
            })
            .collect();
        out.push(Check {
            expectation: format!("rules near {lo}-{hi}% test accuracy after {} epochs (reference)", epoch_str(le)),
            measured: format!(
                "at the chosen rates {}{}",
                vals.iter().map(|(n, a)| format!("{n} {}%", a.map_or("—".into(), pct))).collect::<Vec<_>>().join(", "),
                if extra.is_empty() { String::new() } else { format!("; {}", extra.join(", ")) }
            ),
            pass: all_gains(vals.iter().map(|x| x.1), |a| (lo - 1.5..=hi + 1.5).contains(&a)),
            quick_enforced: false,
        });
    }
}

/// Decorrelation's gain for ANP should all but vanish on mean-centred inputs.
fn centring(v: &View, out: &mut Vec<Check>) {
    let s = v.s;
    let e = if s.centred_epochs >= 2.5 { 2.5 } else { s.centred_epochs.min(1.0) };
    let raw = acc_gain(&v.main("danp"), &v.main("anp"), e);
    let cen = acc_gain(&v.runs("centred", "danp", |_| true), &v.runs("centred", "anp", |_| true), e);
    out.push(Check {
        expectation: format!(
            "almost no gain from decorrelation once inputs are mean-centred (DANP - ANP after {} epochs)",
            epoch_str(e)
        ),
        measured: format!(
            "raw {}, centred {}",
            raw.map_or("—".into(), |g| format!("{} points", signed(g))),
            cen.map_or("—".into(), |g| format!("{} points", signed(g)))
        ),
        pass: raw.zip(cen).map(|(r, c)| c < (0.5 * r).max(1.0)),
        quick_enforced: false,
    });
}

/// Every blind rule should still learn.
fn blind(v: &View, out: &mut Vec<Check>) {
    let s = v.s;
    for &rule in &s.blind_rules {
        let e = s.blind_epochs;
        let clean = acc_mean(&v.main(rule), e);
        let blind = acc_mean(&v.runs("blind", rule, |_| true), e);
        out.push(Check {
            expectation: format!(
                "{} still learns with blind noise (within {BLIND_TOLERANCE} points of clean after {} epochs)",
                upper(rule),
                epoch_str(e)
            ),
            measured: format!("clean {}, blind {}", clean.map_or("—".into(), pct), blind.map_or("—".into(), pct)),
            pass: clean.zip(blind).map(|(c, b)| b >= c - BLIND_TOLERANCE),
            quick_enforced: false,
        });
    }
}
