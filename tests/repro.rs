//! `np-playground repro --quick`: the small reproduction suite runs, writes its report to
//! `target/repro-quick/`, and the orderings the full report confirms hold (the command itself
//! fails when one does not).

use std::path::Path;
use std::process::Command;

#[test]
fn quick_repro_runs_and_reports_the_orderings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mnist = root.join(np_playground::data::mnist::DEFAULT_PATH);
    assert!(
        mnist.is_file() || std::env::var_os("NP_MNIST").is_some(),
        "the MNIST subset {} is missing: build it with `node scripts/mnist.mjs` (after `npm ci`) before `cargo test`, or point NP_MNIST at it",
        mnist.display()
    );
    let report = root.join("target/repro-quick/results.md");
    let _ = std::fs::remove_file(&report);
    let out = Command::new(env!("CARGO_BIN_EXE_np-playground"))
        .args(["repro", "--quick"])
        .current_dir(root)
        .output()
        .expect("runs the np-playground binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "repro --quick failed ({}):\n{stderr}", out.status);
    let md = std::fs::read_to_string(&report)
        .unwrap_or_else(|e| panic!("no quick report at {}: {e}\n{stderr}", report.display()));
    // The orderings `--quick` enforces, each reported in the table as holding.
    for needle in [
        "INP better aligned than NP at initialisation",
        "ANP better aligned than NP at initialisation",
        "INP best on the hidden layers",
        "alignment grows with batch size",
        "alignment grows with the number of draws K",
        "every rule trains without diverging",
    ] {
        let line = md
            .lines()
            .find(|l| l.starts_with(&format!("| {needle}")))
            .unwrap_or_else(|| panic!("the quick report does not mention \"{needle}\""));
        assert!(line.ends_with("| as expected |"), "the quick report says: {line}");
    }
    for svg in ["accuracy.svg", "alignment_batch.svg", "alignment_width.svg"] {
        let p = root.join("target/repro-quick/results").join(svg);
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("missing plot {}: {e}", p.display()));
        assert!(text.starts_with("<svg") && text.contains("</svg>"), "{} is not an SVG", p.display());
    }
}
