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

/// Issue 17: `--data /dev/zero` passed the 20 MB check (a device reports size 0) and read 527 MB
/// before running out of memory. The read itself is bounded.
#[cfg(unix)]
#[test]
fn data_from_a_device_is_read_no_further_than_the_limit() {
    let out = cli(&["run", "v=1&data=upload", "--steps", "1", "--data", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("/dev/zero holds more than 20000000 bytes") && err.contains("reading stopped"), "{err}");
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("np-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The last JSON report's config string of a run.
fn final_config(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    last["config"].as_str().unwrap().to_string()
}

/// Issue 17: a Latin-1 table is read by the CLI as by the page (one rule), and the run names its
/// table: the same id for the same numbers in either encoding; a config naming another table is
/// refused naming both; a config naming none (an old link) runs and gets the id.
#[test]
fn tables_are_read_by_the_pages_rule_and_named_by_their_id() {
    let mut utf8 = String::from("a,b,label\n");
    for i in 0..40 {
        utf8 += &format!("{},{},{}\n", i as f32 / 40.0, (i % 7) as f32 / 7.0, if i % 2 == 0 { "café" } else { "thé" });
    }
    let latin1: Vec<u8> = utf8.chars().map(|c| c as u32 as u8).collect();
    let crlf = utf8.replace('\n', "\r\n");
    let paths = [temp_file("u.csv", utf8.as_bytes()), temp_file("l.csv", &latin1), temp_file("c.csv", crlf.as_bytes())];
    let configs: Vec<String> = paths
        .iter()
        .map(|p| {
            final_config(&cli(&[
                "run",
                "v=1&data=upload&batch=4",
                "--steps",
                "3",
                "--json",
                "--data",
                p.to_str().unwrap(),
            ]))
        })
        .collect();
    let id = configs[0].split("&table=").nth(1).unwrap()[..16].to_string();
    assert!(configs.iter().all(|c| *c == configs[0]), "{configs:?}");
    // Its own id runs; another is refused, naming both.
    let own = format!("v=1&data=upload&batch=4&table={id}");
    assert_eq!(
        final_config(&cli(&["run", &own, "--steps", "3", "--json", "--data", paths[1].to_str().unwrap()])),
        configs[0]
    );
    let out =
        cli(&["run", "v=1&data=upload&table=0123456789abcdef", "--steps", "1", "--data", paths[0].to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("0123456789abcdef") && err.contains(&id), "{err}");
}
