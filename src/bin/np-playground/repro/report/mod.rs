//! The report: `results.md` with its tables and prose, the plots (SVG), and the checks of the
//! reference's expectations, all computed from the measured [`Results`].
//!
//! - [`view`]: what the report reads of the settings and measurements ([`view::View`]);
//! - [`stats`]: mean and standard deviation, accuracies over seeds, curves;
//! - [`style`]: names, colours and the formatting of numbers;
//! - [`checks`]: the expectations and their verdicts;
//! - [`plots`]: the figures in `results/`;
//! - [`markdown`]: `results.md` — setup, tables and figures;
//! - [`discussion`]: its prose, "What the measurements say".

mod checks;
mod discussion;
mod family;
mod markdown;
mod plots;
mod stats;
mod style;
mod view;

use super::{Results, Settings};
use view::View;

/// One expectation of `learning-rules.md` against what was measured.
pub struct Check {
    pub expectation: String,
    pub measured: String,
    /// None when the suite has no data to judge it.
    pub pass: Option<bool>,
    /// `--quick` fails when this one does not hold.
    pub quick_enforced: bool,
}

/// Writes `results.md` and its figures into the settings' output directory; returns the checks.
pub fn write(s: &Settings, r: &Results) -> Result<Vec<Check>, String> {
    let v = View { s, r };
    if s.family_only {
        let mut checks = Vec::new();
        family::checks(&v, &mut checks);
        let md = family::report(&v, &checks);
        std::fs::create_dir_all(&s.out_dir).map_err(|e| format!("cannot create {}: {e}", s.out_dir.display()))?;
        let path = s.out_dir.join("results.md");
        std::fs::write(&path, md).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        return Ok(checks);
    }
    let dir = s.out_dir.join("results");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    plots::write_all(&v, &dir)?;
    let checks = checks::checks(&v);
    let md = markdown::markdown(&v, &checks);
    let path = s.out_dir.join("results.md");
    std::fs::write(&path, md).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(checks)
}
