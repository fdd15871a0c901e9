//! Run files (Export run / Import run): what the page's link carries survives the round trip,
//! every run's checksum travels, version 1 files still read, and each hostile file of issue 17
//! (item 8) and issue 16 (item 8) is refused or trimmed with the field named.

use np_playground::data::Sources;
use np_playground::data::csv;
use np_playground::run::link::Link;
use np_playground::run::runfile::{self, Expected, Reply, RunsAt};
use np_playground::{RunConfig, Trainer};
use serde_json::{Value, json};

/// Every run of `fragment` trained `steps` steps: `(label, checksum)`.
fn checksums(fragment: &str, steps: u64, table: Option<&csv::Table>) -> Vec<(String, String)> {
    let link = Link::parse_strict(fragment).unwrap();
    link.runs()
        .into_iter()
        .map(|(label, c)| {
            let mut t = Trainer::with_sources(c, &Sources { digits: None, table }).unwrap();
            for _ in 0..steps {
                t.step().unwrap();
            }
            (label, format!("{:016x}", t.checksum()))
        })
        .collect()
}

fn write(fragment: &str, steps: u64, table: Option<(&csv::Table, &str)>) -> String {
    let link = runfile::link_of(fragment).unwrap();
    let runs = checksums(fragment, steps, table.map(|t| t.0));
    runfile::write(&link, &RunsAt { step: steps as f64, runs }, table).unwrap()
}

/// Reads a file, and checks the reply's JSON (written by hand) says what the reply holds.
fn read(text: &str) -> Reply {
    let r = runfile::read(text).0;
    let v: Value = serde_json::from_str(&r.to_json()).unwrap();
    let want = json!({
        "ok": r.ok, "version": r.version, "fragment": r.fragment, "step": r.step,
        "checksums": r.checksums.iter().map(|e| json!({"label": e.label, "checksum": e.checksum})).collect::<Vec<_>>(),
        "table": r.table, "csv": r.csv,
        "problems": r.problems.iter().map(|p| json!({"field": p.field, "message": p.message})).collect::<Vec<_>>(),
    });
    assert_eq!(v, want);
    r
}

fn read_json(v: &Value) -> Reply {
    read(&v.to_string())
}

/// The fields of a problem list, in order.
fn fields(r: &Reply) -> Vec<&str> {
    r.problems.iter().map(|p| p.field.as_str()).collect()
}

fn messages(r: &Reply) -> String {
    r.problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("\n")
}

/// A version 2 file of a small run, as JSON to edit.
fn small_file() -> Value {
    serde_json::from_str(&write("v=1&data=xor&rule=np&compare=inp&seed=3", 5, None)).unwrap()
}

#[test]
fn everything_the_link_carries_round_trips_with_every_checksum() {
    let drawn = {
        use np_playground::data::points::{Point, encode_points};
        let ps: Vec<Point> = (0..12)
            .map(|i| Point { x: (i as f32 / 6.0) - 1.0, y: (i % 3) as f32 * 0.5 - 0.5, label: (i % 2) as u8 })
            .collect();
        encode_points(&ps)
    };
    let fragment = format!(
        "v=1&data=points&pts={drawn}&batch=4&rule=np&compare=inp,anp:blind&seeds=2&xaxis=passes&hide=rule,compare&embed=1&lesson=noise&seed=9"
    );
    let text = write(&fragment, 12, None);
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(file["format"], "np-playground-run");
    assert_eq!(file["version"], 2);
    assert_eq!(file["seeds"], 2);
    assert_eq!(file["xaxis"], "passes");
    assert_eq!(file["hide"], json!(["rule", "compare"]));
    assert_eq!(file["lesson"], "noise");
    assert_eq!(file["runs"].as_array().unwrap().len(), 6, "3 rules over 2 seeds");
    assert!(file["config"].as_str().unwrap().contains(&drawn), "drawn points travel in the config");
    let r = read(&text);
    assert!(r.ok && r.problems.is_empty(), "{}", messages(&r));
    assert_eq!(r.step, Some(12));
    let fragment_back = r.fragment.unwrap();
    assert!(fragment_back.ends_with("&at=12"), "{fragment_back}");
    // The link to open is the page's link, at the step.
    let mut want = Link::parse_strict(&fragment).unwrap();
    want.at = Some(12);
    assert_eq!(Link::parse_strict(&fragment_back).unwrap(), want);
    let sums: Vec<(String, String)> = r.checksums.iter().map(|e| (e.label.clone(), e.checksum.clone())).collect();
    assert_eq!(sums, checksums(&fragment, 12, None));
    assert_eq!(sums[1].0, "np #2");
    // Written again from what it opens: the same file.
    let again = write(fragment_back.trim_end_matches("&at=12"), 12, None);
    assert_eq!(again, text);
}

#[test]
fn an_uploaded_table_travels_with_its_id_and_checks_it() {
    let mut text = String::from("a,b,c,label\r\n");
    for i in 0..60 {
        text +=
            &format!("{},{},{},{}\r\n", i as f32 / 60.0, (i % 5) as f32, (i % 3) as f32 * 0.5, ["x", "y", "z"][i % 3]);
    }
    let table = csv::parse_csv(&text).unwrap();
    let fragment = "v=1&data=upload&hidden=8&batch=5&compare=inp";
    let file = write(fragment, 7, Some((&table, &text)));
    let v: Value = serde_json::from_str(&file).unwrap();
    assert!(v["config"].as_str().unwrap().contains(&format!("&table={}", table.id_hex())), "the link names its table");
    assert_eq!(v["csv"].as_str().unwrap(), text);
    let (r, kept) = runfile::read(&file);
    assert!(r.ok && r.problems.is_empty(), "{}", messages(&r));
    assert_eq!(r.table.as_deref(), Some(table.id_hex().as_str()));
    assert_eq!(r.csv.as_deref(), Some(text.as_str()));
    assert!(r.fragment.as_ref().unwrap().contains(&format!("&table={}&", table.id_hex())));
    let (t, kept_text) = kept.unwrap();
    assert_eq!((t, kept_text), (table.clone(), text.clone()));
    assert_eq!(r.checksums.len(), 2);
    // Issue 17 item 2: the second table with the first run's link cannot be written.
    let other = csv::parse_csv("a,b,c,label\n1,2,3,x\n4,5,6,y\n7,8,9,x\n").unwrap();
    let link = runfile::link_of(&format!("{fragment}&table={}", table.id_hex())).unwrap();
    let at = RunsAt { step: 7.0, runs: vec![("np".into(), String::new()), ("inp".into(), String::new())] };
    let e = runfile::write(&link, &at, Some((&other, "a,b,c,label\n1,2,3,x\n4,5,6,y\n7,8,9,x\n"))).unwrap_err();
    assert!(e.contains(&table.id_hex()) && e.contains(&other.id_hex()), "{e}");
    assert!(runfile::write(&link, &at, None).unwrap_err().contains("none is loaded"));
    // A file whose table is not the one its config names is refused, naming both.
    let mut v2 = v.clone();
    v2["csv"] = json!("a,b,c,label\n1,2,3,x\n4,5,6,y\n7,8,9,x\n");
    let r = read_json(&v2);
    assert!(!r.ok && fields(&r) == ["csv"], "{}", messages(&r));
    assert!(r.problems[0].message.contains(&table.id_hex()) && r.problems[0].message.contains(&other.id_hex()));
    // A run that cannot train on its table (a batch larger than its training share) is refused.
    let mut v4 = v.clone();
    v4["config"] = json!(v["config"].as_str().unwrap().replace("&batch=5&", "&batch=100&"));
    let r = read_json(&v4);
    assert!(!r.ok && fields(&r) == ["csv"] && messages(&r).contains("batch=100"), "{}", messages(&r));
    // An upload without its table, or with a bad one, is refused.
    let mut v3 = v.clone();
    v3["csv"] = Value::Null;
    assert!(messages(&read_json(&v3)).contains("csv: missing"));
    v3["csv"] = json!("a,b,label\n1,nope,x\n");
    let r = read_json(&v3);
    assert!(!r.ok && messages(&r).contains("line 2") && r.fragment.is_none(), "{}", messages(&r));
}

#[test]
fn version_1_files_still_read() {
    let fragment = "v=1&data=circle&rule=anp&compare=np";
    let sums = checksums(fragment, 4, None);
    let config = RunConfig::parse("v=1&data=circle&rule=anp").unwrap().to_string();
    let v1 = json!({"format": "np-playground-run", "version": 1, "config": config, "compare": ["np"], "step": 4,
        "checksum": sums[0].1, "csv": null});
    let r = read_json(&v1);
    assert!(r.ok && r.problems.is_empty(), "{}", messages(&r));
    assert_eq!(r.version, Some(1));
    assert_eq!(r.fragment.unwrap(), format!("{config}&compare=np&at=4").replace("&pts=&", "&"));
    assert_eq!(r.checksums, vec![Expected { label: "anp".into(), checksum: sums[0].1.clone() }]);
    // A version 1 upload (no table key then) opens with its table's id.
    let text = "x,y,z,l\n1,2,3,a\n4,5,6,b\n7,8,9,a\n1,1,1,b\n";
    let v1 = json!({"format": "np-playground-run", "version": 1, "config": "v=1&data=upload&batch=1", "compare": [],
        "step": 0, "checksum": null, "csv": text});
    let r = read_json(&v1);
    assert!(r.ok, "{}", messages(&r));
    let id = csv::parse_csv(text).unwrap().id_hex();
    assert!(r.fragment.unwrap().contains(&format!("table={id}")));
    // v2 fields in a v1 file are unknown there.
    let mut v = v1.clone();
    v["seeds"] = json!(3);
    let r = read_json(&v);
    assert!(r.ok && fields(&r) == ["seeds"] && r.problems[0].message.contains("unknown field"), "{}", messages(&r));
}

/// Issue 17 item 8: compare items were joined into the link as they were, so a file could inject
/// page keys (`inp&at=10000000&play=1` ran past a million steps).
#[test]
fn compare_items_cannot_smuggle_keys() {
    for item in ["inp&at=10000000&play=1", "inp,anp", "inp#play=1", "inp=1", "INP", "inp&", " inp", "", "inp%26at=5"] {
        let mut v = small_file();
        v["compare"] = json!([item, "anp"]);
        let r = read_json(&v);
        assert!(r.ok, "{item:?}: {}", messages(&r));
        let f = r.fragment.clone().unwrap();
        assert!(f.ends_with("&compare=anp&at=5"), "{item:?}: {f}");
        assert!(!f.contains("play") && !f.contains("10000000"), "{f}");
        // The item, and the file's checksum of the inp run it no longer builds.
        assert_eq!(fields(&r), ["compare", "runs"], "{item:?}");
        assert_eq!(Link::parse(&f).problems, vec![], "the fragment is a clean link");
    }
    // The same for hide: one group per entry, only groups of the page.
    let mut v = small_file();
    v["hide"] = json!(["rule,compare", "play=1", "rule"]);
    let r = read_json(&v);
    assert!(r.fragment.as_ref().unwrap().contains("&hide=rule&"), "{:?}", r.fragment);
    assert_eq!(fields(&r), ["hide", "hide"], "{}", messages(&r));
    // And the configuration: page keys are not configuration keys, the whole file is refused.
    for config in ["v=1&data=xor&at=10000000", "v=1&data=xor&play=1", "#v=1&data=xor&compare=inp"] {
        let mut v = small_file();
        v["config"] = json!(config);
        let r = read_json(&v);
        assert!(!r.ok && fields(&r) == ["config"] && r.fragment.is_none(), "{config}: {}", messages(&r));
        assert!(r.problems[0].message.contains("unknown key"), "{}", messages(&r));
    }
}

/// Issue 17 item 8: the checksum was never checked (`deadbeefdeadbeef` replayed without a word).
/// The reply carries the file's checksums, so the page compares them after replaying; a forged
/// one differs from the replay's.
#[test]
fn the_files_checksums_come_back_to_compare_after_replaying() {
    let mut v = small_file();
    let fragment = read_json(&v).fragment.unwrap();
    v["runs"][0]["checksum"] = json!("deadbeefdeadbeef");
    let r = read_json(&v);
    assert!(r.ok && r.problems.is_empty());
    assert_eq!(r.checksums[0], Expected { label: "np".into(), checksum: "deadbeefdeadbeef".into() });
    let replayed = checksums(fragment.trim_end_matches("&at=5"), 5, None);
    assert_ne!(replayed[0].1, r.checksums[0].checksum, "the page sees the difference");
    assert_eq!(replayed[1].1, r.checksums[1].checksum, "the untouched run matches");
    // Checksums that are not 16 hex digits, labels that are not runs of the link, repeats:
    // reported and not checked.
    v["runs"] = json!([{"label": "np", "checksum": "xyz"}, {"label": "bp", "checksum": "0123456789abcdef"},
        {"label": "inp", "checksum": "0123456789ABCDEF"}, {"label": "inp", "checksum": "0000000000000000"},
        {"label": "np", "checksum": "0123456789abcdef", "play": 1}, 7]);
    let r = read_json(&v);
    assert!(r.ok);
    assert_eq!(r.checksums, vec![Expected { label: "inp".into(), checksum: "0123456789abcdef".into() }]);
    assert_eq!(fields(&r), ["runs"; 5], "{}", messages(&r));
}

/// Issue 17 item 6: a config over 4,096 characters or holding `data=bogus` was applied
/// leniently (the page switched to circle and drawn points vanished). Such a file opens nothing.
#[test]
fn a_file_whose_run_cannot_be_built_as_written_opens_nothing() {
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!(format!("v=1&data=xor&pts={}", "A".repeat(5000))), "config", "longer than 4096 characters"),
        (json!("v=1&data=bogus&pts=1AAAAAAAAAAAAAAAAAAAAAAA"), "config", "data=bogus"),
        (json!("v=1&rule=np&mode=blind"), "config", "mode=blind"),
        (json!(42), "config", "as text"),
        (Value::Null, "config", "as text"),
    ];
    for (config, field, what) in cases {
        let mut v = small_file();
        v["config"] = config;
        let r = read_json(&v);
        assert!(!r.ok && r.fragment.is_none() && r.checksums.is_empty(), "{}", messages(&r));
        assert_eq!(r.problems[0].field, field);
        assert!(r.problems[0].message.contains(what), "{}", messages(&r));
    }
    for (step, what) in [
        (json!(-1), "whole number"),
        (json!(1.5), "whole number"),
        (json!(10000001), "10000000"),
        (json!("5"), "whole number"),
        (json!(1e3), "whole number"),
    ] {
        let mut v = small_file();
        v["step"] = step;
        let r = read_json(&v);
        assert!(!r.ok && fields(&r) == ["step"] && messages(&r).contains(what), "{}", messages(&r));
    }
    let mut v = small_file();
    v.as_object_mut().unwrap().remove("step");
    assert!(messages(&read_json(&v)).contains("step: expected a whole number"));
}

#[test]
fn the_file_itself_is_checked_before_anything() {
    let cases: &[(&str, &str)] = &[
        ("", "not a value"),
        ("not json", "not a value"),
        ("[1,2]", "not a JSON object"),
        ("{\"format\": \"np-playground-run\", \"version\": 2,", "expected a field name"),
        ("{\"format\": \"other\", \"version\": 2}", "not a run exported by NP Playground"),
        ("{\"format\": \"np-playground-run\", \"version\": 3}", "1 or 2"),
        ("{\"format\": \"np-playground-run\", \"format\": \"np-playground-run\"}", "more than once"),
    ];
    for (text, what) in cases {
        let r = read(text);
        assert!(!r.ok && r.fragment.is_none(), "{text}");
        assert!(messages(&r).contains(what), "{text}: {}", messages(&r));
    }
    let deep = format!("{}{}", "[".repeat(50), "]".repeat(50));
    assert!(messages(&read(&deep)).contains("nested too deeply"));
    let wide = format!("[{}0]", "0,".repeat(20_000));
    assert!(messages(&read(&wide)).contains("more than 10000 values"));
    let big = " ".repeat(runfile::MAX_FILE_BYTES + 1);
    assert!(messages(&read(&big)).contains("a run file is at most"));
}

#[test]
fn unknown_and_oversized_fields_are_named() {
    let mut v = small_file();
    for i in 0..8 {
        v[format!("extra{i}")] = json!(1);
    }
    let r = read_json(&v);
    assert!(r.ok);
    assert_eq!(fields(&r), ["extra0", "extra1", "extra2", "extra3", "extra4", "(file)"], "{}", messages(&r));
    assert!(r.problems[5].message.contains("3 more unknown fields"));
    // Oversized lists and names: the field named, left out, the rest opens.
    let mut v = small_file();
    v["compare"] = json!(vec!["inp"; 1000]);
    v["hide"] = json!(vec!["rule"; 33]);
    v["lesson"] = json!("a".repeat(41));
    v["xaxis"] = json!("x".repeat(1000));
    v["runs"] = json!(vec![json!({"label": "np", "checksum": null}); 21]);
    let r = read_json(&v);
    assert!(r.ok, "{}", messages(&r));
    assert_eq!(fields(&r), ["compare", "hide", "xaxis", "lesson", "runs"], "{}", messages(&r));
    assert!(r.problems.iter().all(|p| p.message.chars().count() < 200), "{}", messages(&r));
    let f = r.fragment.unwrap();
    assert!(!f.contains("compare") && !f.contains("hide") && !f.contains("lesson"), "{f}");
    // Values the link refuses are refused the same way here.
    let mut v = small_file();
    v["seeds"] = json!(6);
    v["xaxis"] = json!("time");
    v["embed"] = json!("yes");
    v["lesson"] = json!("a b");
    v["compare"] = json!(["np:k99", "np"]);
    let r = read_json(&v);
    assert!(r.ok);
    assert_eq!(fields(&r), ["seeds", "xaxis", "embed", "lesson", "compare", "compare", "runs"], "{}", messages(&r));
    assert!(
        messages(&r).contains("1 to 5") && messages(&r).contains("k1 to k64") && messages(&r).contains("listed twice")
    );
    // A table too large is refused by its size.
    let mut v = small_file();
    v["config"] = json!("v=1&data=upload");
    v["csv"] = json!("1".repeat(csv::MAX_CSV_BYTES + 1));
    let r = read_json(&v);
    assert!(!r.ok && fields(&r) == ["csv"] && messages(&r).contains("at most 20000000"), "{}", messages(&r));
    // A table given for a run that does not use one is left out.
    let mut v = small_file();
    v["csv"] = json!("1,2,a\n3,4,b\n");
    let r = read_json(&v);
    assert!(r.ok && r.csv.is_none() && fields(&r) == ["csv"], "{}", messages(&r));
}

/// Runs too large together are fitted as a link's are, with the same message.
#[test]
fn runs_over_the_limits_are_left_out_as_in_a_link() {
    let config = RunConfig::parse("data=mnist&rule=np").unwrap().to_string();
    let v = json!({"format": "np-playground-run", "version": 2, "config": config, "compare": ["inp", "dnp", "bp"],
        "step": 0, "runs": []});
    let r = read_json(&v);
    let link = Link::parse(&format!("{config}&compare=inp,dnp,bp"));
    assert!(r.ok);
    assert_eq!(r.fragment.unwrap(), link.fragment());
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].message, format!("dnp: {}", link.problems[0].message));
}

#[test]
fn writing_checks_what_the_page_hands() {
    let link = runfile::link_of("v=1&data=xor&compare=inp").unwrap();
    let runs = |labels: &[&str], sum: &str| RunsAt {
        step: 3.0,
        runs: labels.iter().map(|l| (l.to_string(), sum.to_string())).collect(),
    };
    assert!(runfile::write(&link, &runs(&["np"], ""), None).unwrap_err().contains("not the link's (np, inp)"));
    assert!(runfile::write(&link, &runs(&["np", "inp"], "xyz"), None).unwrap_err().contains("not 16 hex digits"));
    let ok = runfile::write(&link, &runs(&["np", "inp"], ""), None).unwrap();
    assert!(ok.contains("\"checksum\":null"));
    for step in [-1.0, 0.5, f64::NAN, 1e8] {
        let at = RunsAt { step, ..runs(&["np", "inp"], "") };
        assert!(runfile::write(&link, &at, None).is_err(), "{step}");
    }
    assert!(runfile::link_of("v=1&data=bogus").unwrap_err().contains("data=bogus"));
}
