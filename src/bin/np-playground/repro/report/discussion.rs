//! "What the measurements say": the prose that ties the numbers together, one paragraph per
//! part. Every number in it is computed from the measurements (or is one of the reference's figures
//! that the checks judge, [`REF_DANP_LEAD`] and [`REF_LONG_ACC`]), and every comparative word is
//! chosen by them.

use std::fmt::Write as _;

use super::super::RULES;
use super::super::align::AlignCell;
use super::super::runs::RunResult;
use super::checks::{REF_DANP_LEAD, REF_LONG_ACC};
use super::stats::{Curve, Metric, acc_gain, acc_mean, mean_sd};
use super::style::{count_word, epoch_str, pct, signed, upper};
use super::view::View;

/// The epochs at which the text quotes accuracies and gains: after half an epoch ...
const FIRST: f64 = 0.5;
/// ... and at the two marks where the reference gives DANP's lead over ANP.
const MID: f64 = REF_DANP_LEAD[0].0;
const LATE: f64 = REF_DANP_LEAD[1].0;
/// The test accuracy (percent) whose epochs and seconds the decorrelation paragraph compares.
const TARGET: f64 = 85.0;

/// An accuracy, or a dash when there is none.
fn pct_or_dash(x: Option<f64>) -> String {
    x.map_or("—".to_string(), pct)
}

/// A difference in points, or a dash when there is none.
fn signed_or_dash(x: Option<f64>) -> String {
    x.map_or("—".to_string(), signed)
}

/// The section "What the measurements say".
pub fn write(v: &View, o: &mut String) {
    let s = v.s;
    let _ = writeln!(o, "## What the measurements say\n");
    if !v.r.align.is_empty() {
        alignment(v, o);
    }
    let has_main = RULES.iter().all(|x| !v.main(x).is_empty());
    if has_main {
        accuracy(v, o);
        if s.long_epochs > s.epochs && !s.long_rules.is_empty() {
            long_runs(v, o);
        }
        let _ = writeln!(o);
        decorrelation(v, o);
        if s.centred_rules.contains(&"anp") && s.centred_rules.contains(&"danp") {
            centring(v, o);
        }
        if !s.decor_rules.is_empty() {
            decor_rate(v, o);
        }
    }
    if !s.blind_rules.is_empty() && has_main {
        blind(v, o);
    }
    if !v.r.timing.is_empty() {
        time(v, o);
    }
}

/// **Alignment.** The reference cell per layer, how the levels fall with width, where ANP
/// stands, the gain from more draws and larger batches, and blind ANP.
fn alignment(v: &View, o: &mut String) {
    let s = v.s;
    let r = v.r;
    let (w, b, k) = (v.ref_width(), v.ref_batch(), v.k_min());
    let at = |m: &str, i: usize| v.cell(m, w, b, k).map_or(f64::NAN, |c| c.mean[i]);
    let cells = |m: &str| -> Vec<&AlignCell> { r.align.iter().filter(|c| c.method == m).collect() };
    let wins = |m: &str| {
        cells(m)
            .iter()
            .filter(|c| v.cell("np", c.width, c.batch, c.draws).is_some_and(|n| c.mean[3] > n.mean[3]))
            .count()
    };
    let n_cells = cells("np").len();
    let _ = writeln!(
        o,
        "**Alignment.** At width {w}, batch {b}, K = {k} the overall cosines with the true gradient are NP {:.3}, INP {:.3}, ANP {:.3}; per layer (hidden 1 / hidden 2 / output) NP {:.2} / {:.2} / {:.2}, INP {:.2} / {:.2} / {:.2}, ANP {:.2} / {:.2} / {:.2}. INP is above NP in {} of the {n_cells} cells of the grid, ANP in {} of {n_cells}.\n",
        at("np", 3),
        at("inp", 3),
        at("anp", 3),
        at("np", 0),
        at("np", 1),
        at("np", 2),
        at("inp", 0),
        at("inp", 1),
        at("inp", 2),
        at("anp", 0),
        at("anp", 1),
        at("anp", 2),
        wins("inp"),
        wins("anp")
    );
    let wl = v.w_min();
    let cw = |m: &str, width: usize, i: usize| v.cell(m, width, b, k).map_or(f64::NAN, |c| c.mean[i]);
    // Perturbed units: both hidden layers and the ten outputs (one per digit class).
    let n_units = 2 * w + 10;
    let _ = writeln!(
        o,
        "The levels are far below those of the reference's small simulation and of the small networks measured in `docs/engine.md` because these networks perturb many more units (N = {n_units} at width {w}, {} inputs): from width {wl} to {w} the overall cosine falls {:.3} → {:.3} (NP), {:.3} → {:.3} (INP), {:.3} → {:.3} (ANP) — by {:.1}x, {:.1}x and {:.1}x for a {}x wider network — while the output layer's does not fall (NP {:.2} → {:.2}, INP {:.2} → {:.2}, ANP {:.2} → {:.2}): the hidden layers' estimates get noisier with width, the output layer's do not.\n",
        s.n_inputs(),
        cw("np", wl, 3),
        cw("np", w, 3),
        cw("inp", wl, 3),
        cw("inp", w, 3),
        cw("anp", wl, 3),
        cw("anp", w, 3),
        cw("np", wl, 3) / cw("np", w, 3),
        cw("inp", wl, 3) / cw("inp", w, 3),
        cw("anp", wl, 3) / cw("anp", w, 3),
        w / wl,
        cw("np", wl, 2),
        cw("np", w, 2),
        cw("inp", wl, 2),
        cw("inp", w, 2),
        cw("anp", wl, 2),
        cw("anp", w, 2)
    );
    let (gi, ga, gn) = (v.grid_mean("inp", 2), v.grid_mean("anp", 2), v.grid_mean("np", 2));
    let out_word = if ga > gi {
        "ANP is ahead, as the reference expects"
    } else if gi - ga < 0.05 {
        "INP is slightly ahead, so ANP is level with INP there rather than best"
    } else {
        "INP is clearly ahead, unlike the reference's expectation"
    };
    let _ = writeln!(
        o,
        "On the output layer both beat NP clearly (grid means INP {gi:.3}, ANP {ga:.3}, NP {gn:.3}) and {out_word}. {}\n",
        if v.grid_mean("anp", 0) < 1.15 * v.grid_mean("np", 0) {
            format!(
                "ANP's first hidden layer is no better than NP's (grid means {:.3} vs {:.3}): the measured change there is exactly the injected noise, and its loss change carries every layer's noise as NP's does, so ANP's advantage lies in the later layers.",
                v.grid_mean("anp", 0),
                v.grid_mean("np", 0)
            )
        } else {
            String::new()
        }
    );
    let ratio = |m: &str, f: &dyn Fn(&AlignCell) -> bool, g: &dyn Fn(&AlignCell) -> bool| {
        let a: Vec<f64> = cells(m).iter().filter(|c| f(c)).map(|c| c.mean[3]).collect();
        let z: Vec<f64> = cells(m).iter().filter(|c| g(c)).map(|c| c.mean[3]).collect();
        mean_sd(&z).0 / mean_sd(&a).0
    };
    let (kl, kh, bl, bh) = (v.k_min(), v.k_max(), v.b_min(), v.b_max());
    let kr: Vec<String> = ["np", "inp", "anp"]
        .iter()
        .map(|m| format!("{:.1}x", ratio(m, &|c| c.draws == kl, &|c| c.draws == kh)))
        .collect();
    let br: Vec<String> = ["np", "inp", "anp"]
        .iter()
        .map(|m| format!("{:.1}x", ratio(m, &|c| c.batch == bl, &|c| c.batch == bh)))
        .collect();
    let _ = writeln!(
        o,
        "Going from K = {kl} to K = {kh} draws multiplies the overall cosine (mean over the grid) by {} for NP, INP and ANP (sqrt({}) = {:.0} is the small-signal limit), and going from batch {bl} to {bh} by {}.\n",
        kr.join(", "),
        kh / kl,
        ((kh / kl) as f64).sqrt(),
        br.join(", ")
    );
    let blind1 = v.cell("anp-blind", w, b, kl).map_or(f64::NAN, |c| c.mean[3]);
    let clean1 = v.cell("anp", w, b, kl).map_or(f64::NAN, |c| c.mean[3]);
    let blindk = v.cell("anp-blind", w, b, kh).map_or(f64::NAN, |c| c.mean[3]);
    let cleank = v.cell("anp", w, b, kh).map_or(f64::NAN, |c| c.mean[3]);
    let _ = writeln!(
        o,
        "Blind ANP is as well aligned as clean ANP with {} draw{} ({blind1:.3} vs {clean1:.3} at width {w}, batch {b}){}\n",
        count_word(kl),
        if kl == 1 { "" } else { "s" },
        if blindk < 0.8 * cleank {
            format!(
                ", but gains much less from more draws (K = {kh}: {blindk:.3} vs {cleank:.3}), although every draw has its own pair of noisy passes (engine.md)."
            )
        } else {
            format!(" and with K = {kh} draws ({blindk:.3} vs {cleank:.3}).")
        }
    );
}

/// **Accuracy.** Every rule after the main runs, ranked.
fn accuracy(v: &View, o: &mut String) {
    let s = v.s;
    let e = s.epochs;
    let mut rank: Vec<(&str, f64)> = RULES.iter().filter_map(|x| acc_mean(&v.main(x), e).map(|a| (*x, a))).collect();
    rank.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap());
    let _ = writeln!(
        o,
        "**Accuracy.** After {} epochs, at each rule's chosen rate: {}.\n",
        epoch_str(e),
        rank.iter().map(|(x, a)| format!("{} {a:.1}%", upper(x))).collect::<Vec<_>>().join(", ")
    );
}

/// The rules that ran longer: where they end, a late decline and what causes it, and the
/// decorrelated variants at their plain version's rate.
fn long_runs(v: &View, o: &mut String) {
    let s = v.s;
    let le = s.long_epochs;
    let (ref_e, ref_lo, ref_hi) = REF_LONG_ACC;
    let peak = |runs: &[&RunResult]| -> Option<(f64, f64)> {
        Curve::over(runs, f64::INFINITY, Metric::TestAcc).peak().map(|(m, x)| (m as f64, x as f64))
    };
    let describe = |label: String, runs: &[&RunResult]| -> String {
        match (acc_mean(runs, le), peak(runs)) {
            (Some(a), Some((p, pe))) if p - a > 1.0 => {
                format!("{label} {a:.1}% (peak {p:.1}% at epoch {})", epoch_str(pe))
            }
            (Some(a), _) => format!("{label} {a:.1}%"),
            _ => format!("{label} —"),
        }
    };
    let mut parts: Vec<String> = s
        .long_rules
        .iter()
        .map(|x| describe(format!("{} (lr {})", upper(x), v.lr(x).unwrap_or(f32::NAN)), &v.main(x)))
        .collect();
    for x in s.long_rules.iter().filter(|x| x.starts_with('d')) {
        let extra = v.runs("samelr", x, |_| true);
        if let Some(f) = extra.first() {
            parts.push(describe(format!("{} at lr {}", upper(x), f.job.lr), &extra));
        }
    }
    let _ = writeln!(
        o,
        "After {} epochs: {}. The reference saw all rules near {ref_lo}-{ref_hi}% after {} epochs.\n",
        epoch_str(le),
        parts.join(", "),
        epoch_str(ref_e)
    );
    // A late decline: does the training loss rise again (the optimisation degrades) or does
    // the gap between training and test accuracy grow (overfitting)?
    for x in s.long_rules.iter().filter(|x| x.starts_with('d')) {
        let runs = v.main(x);
        let te = Curve::over(&runs, f64::INFINITY, Metric::TestAcc);
        let ta = Curve::over(&runs, f64::INFINITY, Metric::TrainAcc);
        let tl = Curve::over(&runs, f64::INFINITY, Metric::TrainLoss);
        let n = te.mean.len();
        if n < 2 || ta.mean.len() != n || tl.mean.len() != n {
            continue;
        }
        let pi = (0..n).max_by(|&a, &b| te.mean[a].partial_cmp(&te.mean[b]).unwrap()).unwrap();
        let last = n - 1;
        if te.mean[pi] - te.mean[last] < 1.0 {
            continue;
        }
        let min_loss = tl.mean[pi..].iter().cloned().fold(f32::INFINITY, f32::min);
        let (gap_p, gap_e) = (ta.mean[pi] - te.mean[pi], ta.mean[last] - te.mean[last]);
        let what = if tl.mean[last] > 1.1 * min_loss {
            "the training loss rises again too, so the optimisation itself degrades"
        } else if gap_e - gap_p > 2.0 {
            "the training loss does not rise while the gap between training and test accuracy widens: overfitting, not divergence"
        } else {
            "neither the training loss nor the train-test gap explains it clearly"
        };
        let _ = writeln!(
            o,
            "{} at lr {} peaks at {:.1}% (epoch {}) and ends at {:.1}%; from the peak to the end its training accuracy goes {:.1}% → {:.1}% and its training loss {:.3} → {:.3}, the train-test gap {:.1} → {:.1} points: {what}.\n",
            upper(x),
            v.lr(x).unwrap_or(f32::NAN),
            te.mean[pi],
            epoch_str(te.xs[pi] as f64),
            te.mean[last],
            ta.mean[pi],
            ta.mean[last],
            tl.mean[pi],
            tl.mean[last],
            gap_p,
            gap_e
        );
    }
    let same: Vec<String> = s
        .long_rules
        .iter()
        .filter(|x| x.starts_with('d'))
        .filter_map(|x| {
            let extra = v.runs("samelr", x, |_| true);
            let lr = extra.first()?.job.lr;
            Some(format!(
                "{} at lr {lr} ends at {} (at lr {}: {}; {}: {})",
                upper(x),
                pct_or_dash(acc_mean(&extra, le)),
                v.lr(x).unwrap_or(f32::NAN),
                pct_or_dash(acc_mean(&v.main(x), le)),
                upper(&x[1..]),
                pct_or_dash(acc_mean(&v.main(&x[1..]), le))
            ))
        })
        .collect();
    if !same.is_empty() {
        // Where the plain long runs and the D-variants at the plain rate end.
        let mut ends: Vec<f64> =
            s.long_rules.iter().filter(|x| !x.starts_with('d')).filter_map(|x| acc_mean(&v.main(x), le)).collect();
        ends.extend(s.long_rules.iter().filter_map(|x| acc_mean(&v.runs("samelr", x, |_| true), le)));
        let (lo, hi) = (ends.iter().cloned().fold(f64::INFINITY, f64::min), ends.iter().cloned().fold(0.0, f64::max));
        let versus = if hi < ref_lo {
            format!("{:.1}–{:.1} points under the reference's {ref_lo}-{ref_hi}%", ref_lo - hi, ref_lo - lo)
        } else if lo >= ref_lo {
            format!("within the reference's {ref_lo}-{ref_hi}%")
        } else {
            format!("at the lower edge of the reference's {ref_lo}-{ref_hi}%")
        };
        let _ = writeln!(
            o,
            "At the plain rules' smaller rate the decorrelated variants {}: {}. The rate that wins a {}-epoch race is not the one to train {} epochs with. At a rate that does not overfit, these runs end between {lo:.1}% and {hi:.1}% after {} epochs, {versus}.\n",
            if s.long_rules.iter().filter(|x| x.starts_with('d')).all(|x| {
                acc_mean(&v.runs("samelr", x, |_| true), le).zip(acc_mean(&v.main(x), le)).is_some_and(|(a, b)| a > b)
            }) {
                "end higher than at their chosen rate"
            } else {
                "do not end higher"
            },
            same.join(", "),
            epoch_str(s.select_epochs),
            epoch_str(le),
            epoch_str(le)
        );
    }
}

/// **Decorrelation on digits.** The lead of every decorrelated variant over time, epochs and
/// seconds to the target accuracy, and whether the lead survives the same learning rate.
fn decorrelation(v: &View, o: &mut String) {
    let s = v.s;
    let pairs = ["np", "inp", "anp"];
    let mut to_target = Vec::new();
    let mut secs_target: Vec<(f64, f64)> = Vec::new();
    for f in pairs {
        let d = format!("d{f}");
        let ep = |runs: &[&RunResult]| -> Option<f64> {
            runs.iter().map(|x| x.epochs_to(TARGET / 100.0)).collect::<Option<Vec<f64>>>().map(|v| mean_sd(&v).0)
        };
        if let (Some(a), Some(b)) = (ep(&v.main(f)), ep(&v.main(&d))) {
            if let Some((sf, sd)) = v.secs_per_epoch(f).zip(v.secs_per_epoch(&d)) {
                secs_target.push((a * sf, b * sd));
            }
            let secs = v
                .secs_per_epoch(f)
                .zip(v.secs_per_epoch(&d))
                .map(|(sf, sd)| format!(", {:.1} s against {:.1} s single-threaded", b * sd, a * sf))
                .unwrap_or_default();
            to_target.push(format!(
                "{} needs {b:.1} epochs against {}'s {a:.1} ({:.1}x fewer{secs})",
                upper(&d),
                upper(f),
                a / b
            ));
        }
    }
    let m = |x: &str| v.main(x);
    let _ = writeln!(
        o,
        "**Decorrelation on digits.** On raw pixels the decorrelated variants learn much faster at first and the lead shrinks with training: DANP − ANP is {} points after half an epoch, {} after {} (reference: about {}), {} after {} (reference: about {}) and {} after {}; DNP − NP {}, {}, {}, {}; DINP − INP {}, {}, {}, {}. To reach {TARGET}% test accuracy {}. A decorrelated step costs about {} times a plain one here (see (d)), {}",
        signed_or_dash(acc_gain(&m("danp"), &m("anp"), FIRST)),
        signed_or_dash(acc_gain(&m("danp"), &m("anp"), MID)),
        epoch_str(MID),
        REF_DANP_LEAD[0].1,
        signed_or_dash(acc_gain(&m("danp"), &m("anp"), LATE)),
        epoch_str(LATE),
        REF_DANP_LEAD[1].1,
        signed_or_dash(acc_gain(&m("danp"), &m("anp"), s.epochs)),
        epoch_str(s.epochs),
        signed_or_dash(acc_gain(&m("dnp"), &m("np"), FIRST)),
        signed_or_dash(acc_gain(&m("dnp"), &m("np"), MID)),
        signed_or_dash(acc_gain(&m("dnp"), &m("np"), LATE)),
        signed_or_dash(acc_gain(&m("dnp"), &m("np"), s.epochs)),
        signed_or_dash(acc_gain(&m("dinp"), &m("inp"), FIRST)),
        signed_or_dash(acc_gain(&m("dinp"), &m("inp"), MID)),
        signed_or_dash(acc_gain(&m("dinp"), &m("inp"), LATE)),
        signed_or_dash(acc_gain(&m("dinp"), &m("inp"), s.epochs)),
        if to_target.is_empty() { "—".into() } else { to_target.join("; ") },
        v.secs_per_epoch("danp").zip(v.secs_per_epoch("anp")).map_or("—".into(), |(a, b)| format!("{:.1}", a / b)),
        if secs_target.is_empty() {
            "so compare the seconds, not only the epochs.".to_string()
        } else if secs_target.iter().all(|(p, d)| *d < 0.5 * p) {
            format!("and still the decorrelated variants reach {TARGET}% in less than half the wall-clock time.")
        } else if secs_target.iter().all(|(p, d)| *d > 1.5 * p) {
            format!(
                "so in wall-clock time the plain rules reach {TARGET}% first: the price of the {n}x{n} R outweighs the faster learning per step.",
                n = s.n_inputs()
            )
        } else {
            format!(
                "so in wall-clock time to {TARGET}% the two are roughly even: the faster learning per step is about used up by the price of the {n}x{n} R.",
                n = s.n_inputs()
            )
        }
    );
    let same: Vec<String> = pairs
        .iter()
        .filter_map(|f| {
            let d = format!("d{f}");
            let runs = v.same_lr(&d);
            let lr = runs.first()?.job.lr;
            Some(format!(
                "{} at lr {lr} is {} points ahead after {} epochs",
                upper(&d),
                signed_or_dash(acc_gain(&runs, &m(f), MID)),
                epoch_str(MID)
            ))
        })
        .collect();
    let same_ok = pairs.iter().all(|f| {
        let d = format!("d{f}");
        acc_gain(&v.same_lr(&d), &m(f), MID).is_some_and(|g| g > 1.0)
    });
    if !same.is_empty() {
        let lead = if same_ok {
            "The lead is not an artefact of the learning-rate choice"
        } else {
            "Part of the lead comes from the learning-rate choice"
        };
        let _ = writeln!(
            o,
            "{lead} (the D-variants chose a larger rate than the plain rules where the table says so): at the plain rules' own rate {}.",
            same.join(", ")
        );
    }
}

/// **What makes the difference: centring.** Decorrelation's gain on raw against mean-centred
/// inputs, and the reading of it.
fn centring(v: &View, o: &mut String) {
    let r = v.r;
    let m = |x: &str| v.main(x);
    let mid = epoch_str(MID);
    let c = |x: &str| v.runs("centred", x, |_| true);
    let explains = acc_gain(&c("danp"), &c("anp"), MID)
        .zip(acc_gain(&m("danp"), &m("anp"), MID))
        .is_some_and(|(cg, rg)| cg < 0.5 * rg);
    let _ = writeln!(
        o,
        "\n**What makes the difference: centring.** {} after {mid} epochs NP reaches {} on centred digits against {} on raw (DNP on raw: {}), ANP {} against {} (DANP on raw: {}). With centred inputs the gain of decorrelation after {mid} epochs drops from {} to {} points (NP) and from {} to {} (ANP){}; in the first half epoch {} / {} points remain (raw: {} / {}). Centring changes the decorrelated rules themselves much less (DANP after {mid} epochs {} centred, {} raw). {}",
        if explains {
            "Subtracting the training-set mean of every pixel does most of decorrelation's work for the plain rules:"
        } else {
            "Subtracting the training-set mean of every pixel:"
        },
        pct_or_dash(acc_mean(&c("np"), MID)),
        pct_or_dash(acc_mean(&m("np"), MID)),
        pct_or_dash(acc_mean(&m("dnp"), MID)),
        pct_or_dash(acc_mean(&c("anp"), MID)),
        pct_or_dash(acc_mean(&m("anp"), MID)),
        pct_or_dash(acc_mean(&m("danp"), MID)),
        signed_or_dash(acc_gain(&m("dnp"), &m("np"), MID)),
        signed_or_dash(acc_gain(&c("dnp"), &c("np"), MID)),
        signed_or_dash(acc_gain(&m("danp"), &m("anp"), MID)),
        signed_or_dash(acc_gain(&c("danp"), &c("anp"), MID)),
        if explains { ", close to the reference's \"almost no gain\"" } else { "" },
        signed_or_dash(acc_gain(&c("dnp"), &c("np"), FIRST)),
        signed_or_dash(acc_gain(&c("danp"), &c("anp"), FIRST)),
        signed_or_dash(acc_gain(&m("dnp"), &m("np"), FIRST)),
        signed_or_dash(acc_gain(&m("danp"), &m("anp"), FIRST)),
        pct_or_dash(acc_mean(&c("danp"), MID)),
        pct_or_dash(acc_mean(&m("danp"), MID)),
        if explains {
            format!(
                "The reading: raw grey levels are non-negative with a large common mean (the mean digit carries {:.0}% of the inputs' uncentred second moment, ||mean||² / E||x||²), so the uncentred second moments of the input — what the first layer's updates are conditioned by and what R's rule removes — are dominated by one shared direction, the mean digit. Removing that direction, by R or by subtracting the mean, is most of what speeds learning up; the remaining correlations between pixels matter much less (they still help in the first half epoch).",
                100.0 * r.mean_share
            )
        } else {
            "Centring does not explain the gain here: decorrelation keeps most of its lead on centred inputs, so the correlations between pixels themselves, not only their common mean, slow the plain rules down.".to_string()
        }
    );
}

/// What the rates tried show for one decorrelated rule, against the default rate.
struct RateVerdict {
    /// The slowest rate starts slower (after half an epoch).
    slow: bool,
    /// The fastest rate starts faster.
    fast_start: bool,
    /// The fastest rate ends lower.
    fast_plateau: bool,
    /// The rate with the largest gain at the end.
    best_end: Option<f32>,
}

/// **What makes the difference: the decorrelation rate.** The gain at every `decor_lr`, and
/// what the rates show together.
fn decor_rate(v: &View, o: &mut String) {
    let s = v.s;
    let m = |x: &str| v.main(x);
    let mut rates = s.decor_rates.clone();
    rates.push(s.decor_default);
    rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let de = s.decor_epochs;
    let mut parts = Vec::new();
    let mut verdicts = Vec::new();
    for &x in &s.decor_rules {
        let plain = &x[1..];
        let runs_at = |rate: f32| {
            if rate == s.decor_default { v.main(x) } else { v.runs("decor", x, |q| q.job.decor_lr == rate) }
        };
        let row: Vec<String> = rates
            .iter()
            .map(|&rate| {
                let runs = runs_at(rate);
                let div = runs.iter().filter(|q| q.error.is_some()).count();
                if div > 0 {
                    format!("{rate}: diverged in {div} of {} runs", runs.len())
                } else {
                    format!(
                        "{rate}: {} / {} / {}",
                        signed_or_dash(acc_gain(&runs, &m(plain), FIRST)),
                        signed_or_dash(acc_gain(&runs, &m(plain), MID)),
                        signed_or_dash(acc_gain(&runs, &m(plain), de))
                    )
                }
            })
            .collect();
        parts.push(format!("{} − {}: {}", upper(x), upper(plain), row.join("; ")));
        let (lo, hi) = (rates[0], rates[rates.len() - 1]);
        let g = |rate: f32, e: f64| acc_gain(&runs_at(rate), &m(plain), e);
        let d = s.decor_default;
        let slow = lo < d && g(lo, FIRST).zip(g(d, FIRST)).is_some_and(|(a, b)| a < b);
        let fast_start = hi > d && g(hi, FIRST).zip(g(d, FIRST)).is_some_and(|(a, b)| a > b);
        let fast_plateau = hi > d && g(hi, de).zip(g(d, de)).is_some_and(|(a, b)| a < b);
        let best_end = rates.iter().filter_map(|&rt| g(rt, de).map(|x| (rt, x))).fold(
            None,
            |bst: Option<(f32, f64)>, c| match bst {
                Some(b) if b.1 >= c.1 => Some(b),
                _ => Some(c),
            },
        );
        verdicts.push(RateVerdict { slow, fast_start, fast_plateau, best_end: best_end.map(|b| b.0) });
    }
    let all = |f: &dyn Fn(&RateVerdict) -> bool| !verdicts.is_empty() && verdicts.iter().all(f);
    let mut reading = Vec::new();
    if all(&|x| x.slow) {
        reading.push(format!("the slowest rate ({}) gives R too little time to act early", rates[0]));
    }
    if all(&|x| x.fast_start && x.fast_plateau) {
        reading.push(format!("the fastest ({}) gives the largest start but a lower plateau", rates[rates.len() - 1]));
    } else if all(&|x| x.fast_start) {
        reading.push(format!("the fastest ({}) gives the largest start", rates[rates.len() - 1]));
    }
    let best: Vec<String> = verdicts
        .iter()
        .zip(&s.decor_rules)
        .filter_map(|(x, r)| x.best_end.map(|b| format!("{b} for {}", upper(r))))
        .collect();
    let reading = format!(
        "{}{}Best after {} epochs: {}.",
        reading.join("; "),
        if reading.is_empty() { "" } else { ". " },
        epoch_str(de),
        best.join(", ")
    );
    let _ = writeln!(
        o,
        "\n**What makes the difference: the decorrelation rate.** Gain over the plain rule after {} / {} / {} epochs for each `decor_lr`: {}. {} No rate diverged unless stated.\n",
        epoch_str(FIRST),
        epoch_str(MID),
        epoch_str(de),
        parts.join(". "),
        reading[..1].to_uppercase() + &reading[1..]
    );
}

/// **Blind noise.** What not observing the noise costs, at every accuracy mark.
fn blind(v: &View, o: &mut String) {
    let s = v.s;
    // The training runs' draws (the blind runs differ only in the noise).
    let k = v.train_config().draws;
    let mb = View::marks(s.blind_epochs);
    let mut behind = 0.0f64;
    let mut ahead = 0.0f64;
    let parts: Vec<String> = s
        .blind_rules
        .iter()
        .map(|x| {
            let c = v.main(x);
            let b = v.runs("blind", x, |_| true);
            let worst = mb
                .iter()
                .filter_map(|&e| acc_gain(&b, &c, e))
                .fold(0.0f64, |w, g| if g.abs() > w.abs() { g } else { w });
            for g in mb.iter().filter_map(|&e| acc_gain(&b, &c, e)) {
                behind = behind.min(g);
                ahead = ahead.max(g);
            }
            format!(
                "{} blind {} against clean {} after {} epochs (largest difference at any mark {} points)",
                upper(x),
                pct_or_dash(acc_mean(&b, s.blind_epochs)),
                pct_or_dash(acc_mean(&c, s.blind_epochs)),
                epoch_str(s.blind_epochs),
                signed(worst)
            )
        })
        .collect();
    let lead = if behind > -2.0 {
        format!(
            "Not observing the noise costs nothing measurable at K = {k} (at no evaluation is blind more than {:.1} points behind clean; at most {ahead:.1} ahead)",
            -behind
        )
    } else {
        format!("Not observing the noise costs up to {:.1} points at K = {k}", -behind)
    };
    let _ = writeln!(o, "**Blind noise.** {lead}: {}.\n", parts.join("; "));
}

/// **Time.** The plain and the decorrelated rules against BP, per step.
fn time(v: &View, o: &mut String) {
    let s = v.s;
    let r = v.r;
    let sps = |x: &str| r.timing.iter().find(|t| t.rule == x).map_or(f64::NAN, |t| t.samples_per_s);
    let plain: Vec<f64> = ["np", "inp", "anp"].iter().map(|x| sps("bp") / sps(x)).collect();
    let dec: Vec<f64> = ["dbp", "dnp", "dinp", "danp"].iter().map(|x| sps("bp") / sps(x)).collect();
    let (pmin, pmax) = (plain.iter().cloned().fold(f64::INFINITY, f64::min), plain.iter().cloned().fold(0.0, f64::max));
    let (dmin, dmax) = (dec.iter().cloned().fold(f64::INFINITY, f64::min), dec.iter().cloned().fold(0.0, f64::max));
    let _ = writeln!(
        o,
        "**Time.** NP, INP and ANP take {pmin:.2}–{pmax:.2}x BP's time per step ({:.0}–{:.0} samples/s single-threaded); every decorrelated variant takes {dmin:.1}–{dmax:.1}x, because the {}x{} R in front of the first layer is applied in every pass and updated every step.\n",
        ["np", "inp", "anp"].iter().map(|x| sps(x)).fold(f64::INFINITY, f64::min),
        ["np", "inp", "anp"].iter().map(|x| sps(x)).fold(0.0, f64::max),
        s.n_inputs(),
        s.n_inputs()
    );
}
