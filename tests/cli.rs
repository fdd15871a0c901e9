//! The command-line runner end to end.

mod golden;

use std::process::Command;

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_np-playground")).args(args).output().unwrap()
}

#[test]
fn json_run_reports_every_field_and_the_golden_checksum() {
    let (config, steps, golden) = golden::RUNS[0];
    assert_eq!(steps, 300);
    let out = cli(&["run", config, "--steps", "300", "--json", "--every", "100"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "reports at 100, 200 and the final one: {stdout}");
    let last = lines[2];
    for field in [
        "\"steps\":300",
        "\"epoch\":",
        "\"train_loss\":",
        "\"test_loss\":",
        "\"train_accuracy\":",
        "\"test_accuracy\":",
        "\"alignment\":[",
        "\"final\":true",
    ] {
        assert!(last.contains(field), "missing {field} in {last}");
    }
    assert!(last.contains(&format!("\"checksum\":\"{golden:016x}\"")), "{last}");
    assert!(lines[0].contains("\"final\":false"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("step     300"), "progress line on stderr: {stderr}");
}

#[test]
fn bad_config_exits_non_zero_with_the_codec_message() {
    let out = cli(&["run", "v=1&rule=np&mode=blind", "--steps", "10"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("mode=blind") && stderr.contains("eps"), "{stderr}");
    let out = cli(&["run", "lr=abc", "--steps", "10"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("lr=abc"));
}

#[test]
fn bad_arguments_exit_non_zero() {
    assert_eq!(cli(&["run", ""]).status.code(), Some(2));
    assert_eq!(cli(&["run", "", "--steps", "x"]).status.code(), Some(2));
    assert_eq!(cli(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn epochs_and_divergence() {
    let out = cli(&["run", "n=100&train=0.5&batch=10", "--epochs", "2", "--json"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.lines().last().unwrap().contains("\"steps\":10,"), "{stdout}");
    let out = cli(&["run", "rule=bp&opt=sgd&lr=10&loss=mse&act=linear&hidden=32,32,32", "--steps", "5000", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("\"error\":\"diverged"), "{stdout}");
}

#[test]
fn keys_lists_every_key() {
    let out = String::from_utf8(cli(&["keys"]).stdout).unwrap();
    for k in ["data", "hidden", "rule", "sigma", "draws", "mode", "decor_lr", "seed"] {
        assert!(out.lines().any(|l| l.starts_with(k)), "{k} missing from {out}");
    }
}

#[test]
fn uploaded_tables_train_from_a_file_and_bad_files_are_named() {
    let dir = std::env::temp_dir().join(format!("np-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.csv");
    let mut text = String::from("a,b,c,label\n");
    for i in 0..200 {
        let x = (i as f32 * 0.37).sin();
        text += &format!("{x},{},{},{}\n", (i as f32 * 0.11).cos(), i % 3, if x > 0.0 { "up" } else { "down" });
    }
    std::fs::write(&good, text).unwrap();
    let out = cli(&["run", "data=upload&hidden=8", "--steps", "300", "--json", "--data", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let last = String::from_utf8(out.stdout).unwrap().lines().last().unwrap().to_string();
    assert!(last.contains("\"test_accuracy\":"), "{last}");
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "a,b,label\n1,2,x\n3,nope,y\n").unwrap();
    let out = cli(&["run", "data=upload", "--steps", "1", "--data", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("line 3") && err.contains("nope"), "{err}");
    let out = cli(&["run", "data=upload", "--steps", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("data=upload needs the uploaded table"));
}
