//! Seeded random inputs for the parsers a stranger can feed: the link (the URL fragment, with its
//! page keys, read leniently), the point string, the CSV reader and the run-file reader. None may
//! panic; what they accept round-trips exactly; what they refuse comes with a message, free of
//! control characters, that names what is wrong. A CI run takes a few seconds; `NP_FUZZ=full cargo test --release --test
//! fuzz` runs a hundred times more inputs (a few minutes).

use np_playground::data::{csv, points};
use np_playground::rng::Rng;
use np_playground::run::link::{self, Link};
use np_playground::run::runfile;

/// Inputs per parser: a quick run in CI, many more with `NP_FUZZ=full`.
fn iterations() -> usize {
    if std::env::var("NP_FUZZ").is_ok_and(|v| v == "full") { 30_000_000 } else { 300_000 }
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len())]
}

/// A random "noise" character: ASCII of every kind, escapes' pieces, and some non-ASCII.
fn junk_char(rng: &mut Rng) -> char {
    *pick(
        rng,
        &[
            '%',
            '&',
            '=',
            '#',
            '?',
            ',',
            ':',
            ';',
            '"',
            ' ',
            '\t',
            '\n',
            '\r',
            '\0',
            '\u{7f}',
            '+',
            '-',
            '.',
            'e',
            'E',
            '0',
            '9',
            'a',
            'z',
            'A',
            '_',
            '\u{e9}',
            '\u{4e2d}',
            '\u{1f600}',
            '\u{feff}',
            '<',
            '>',
            '\\',
            '\'',
        ],
    )
}

/// `s` with a few random edits (insert, delete, replace).
fn mutate(rng: &mut Rng, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for _ in 0..rng.below(4) {
        let i = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 => chars.insert(i, junk_char(rng)),
            1 if i < chars.len() => {
                chars.remove(i);
            }
            _ if i < chars.len() => chars[i] = junk_char(rng),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

fn no_control(message: &str, input: &str) {
    assert!(
        !message.chars().any(|c| c.is_control() && c != '\n'),
        "control character in {message:?} (input {input:?})"
    );
}

const VALUES: &[(&str, &[&str])] = &[
    ("data", &["circle", "xor", "spiral", "mnist14", "points", "upload", "moons"]),
    ("n", &["20", "400", "10000", "19", "1e3"]),
    ("noise", &["0", "0.1", "1", "-0.1"]),
    ("train", &["0.1", "0.5", "0.9"]),
    ("hidden", &["", "8", "8,8", "16,16,16", "1024", "0", "8,,8"]),
    ("act", &["tanh", "relu", "step", "sigmoid", "linear", "leaky_relu"]),
    ("loss", &["ce", "mse"]),
    ("rule", &["np", "inp", "anp", "danp", "bp", "dbp", "dnp", "dinp"]),
    ("sigma", &["0.01", "0.1", "1", "0.0001", "NaN", "inf"]),
    ("draws", &["1", "4", "64", "65"]),
    ("mode", &["clean", "blind"]),
    ("opt", &["adam", "sgd"]),
    ("lr", &["0.01", "0.001", "10", "0"]),
    ("batch", &["1", "10", "100", "1024"]),
    ("decor_lr", &["0.001", "0", "1"]),
    ("seed", &["1", "0", "9007199254740991", "9007199254740992", "-1"]),
    ("at", &["0", "100", "10000000", "x"]),
    ("compare", &["inp", "anp:blind", "np:k4", "inp,anp", "bp,dbp,np", "np:k99", "x:y"]),
    ("pts", &["", "1AAAAAAAAAAAAAAAAAAAAAAA", "1", "2AAAA"]),
    ("seeds", &["1", "3", "5", "6"]),
    ("xaxis", &["steps", "passes", "seconds", "time"]),
    ("hide", &["rule", "rule,compare", "settings,curves", "nope"]),
    ("speed", &["slow", "max", "10", "fast"]),
    ("play", &["1", "0", "yes"]),
    ("embed", &["1", "true"]),
    ("lesson", &["start", "blind", "", "a b"]),
    ("v", &["1", "2"]),
];

fn random_fragment(rng: &mut Rng) -> String {
    let mut parts = Vec::new();
    for _ in 0..rng.below(7) {
        let (k, vs) = pick(rng, VALUES);
        parts.push(format!("{k}={}", pick(rng, vs)));
    }
    let s = parts.join("&");
    let s = if rng.below(2) == 0 { format!("#{s}") } else { s };
    if rng.below(3) == 0 { mutate(rng, &s) } else { s }
}

#[test]
fn links_never_panic_and_round_trip() {
    let mut rng = Rng::new(11);
    let (mut clean, mut with_problems) = (0, 0);
    for _ in 0..iterations() {
        let input = random_fragment(&mut rng);
        let l = Link::parse(&input);
        // What was accepted comes back unchanged from the fragment the page writes.
        let again = Link::parse(&l.fragment());
        assert!(again.problems.is_empty(), "{input:?} -> {:?}: {:?}", l.fragment(), again.problems);
        assert_eq!(Link { problems: Vec::new(), ..l.clone() }, again, "{input:?} -> {:?}", l.fragment());
        if l.problems.is_empty() {
            clean += 1;
        } else {
            with_problems += 1;
        }
        for e in &l.problems {
            assert!(!e.key.is_empty() && !e.message.is_empty(), "{input:?}: {e:?}");
            no_control(&e.message, &input);
        }
        // The page's reply cuts every value and is valid JSON.
        let reply = serde_json::to_value(link::reply(&input)).unwrap();
        for p in reply["problems"].as_array().unwrap() {
            assert!(p["value"].as_str().unwrap().chars().count() <= 40);
        }
    }
    assert!(clean > 100 && with_problems > 100, "both kinds exercised: {clean} clean, {with_problems} with problems");
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[test]
fn point_strings_never_panic_and_round_trip() {
    let mut rng = Rng::new(12);
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..iterations() {
        let n = rng.below(20);
        let mut s: String =
            std::iter::once('1').chain((0..(n * 25).div_ceil(6)).map(|_| B64[rng.below(64)] as char)).collect();
        if rng.below(2) == 0 {
            s = mutate(&mut rng, &s);
        }
        match points::decode_points(&s) {
            Ok(p) => {
                ok += 1;
                assert_eq!(points::encode_points(&p), s, "round trip of {s:?}");
                assert!(p.iter().all(|q| q.x.abs() <= 1.5 && q.y.abs() <= 1.5 && q.label <= 1));
            }
            Err(m) => {
                refused += 1;
                no_control(&m, &s);
            }
        }
    }
    assert!(ok > 100 && refused > 100, "{ok} accepted, {refused} refused");
}

fn random_csv(rng: &mut Rng) -> String {
    let sep = *pick(rng, &[",", ";", "\t"]);
    let cols = 1 + rng.below(4); // one feature column is refused
    let mut out = String::new();
    if rng.below(4) == 0 {
        out.push('\u{feff}');
    }
    if rng.below(2) == 0 {
        let head: Vec<String> = (0..=cols).map(|i| format!("c{i}")).collect();
        out += &head.join(sep);
        out.push('\n');
    }
    for _ in 0..rng.below(30) {
        let mut fields: Vec<String> = (0..cols)
            .map(|_| match rng.below(120) {
                0 => "NaN".into(),
                1 => "\"1,5\"".into(),
                2 => "1e39".into(),
                3 => String::new(),
                _ => format!("{:.3}", rng.normal()),
            })
            .collect();
        fields.push(pick(rng, &["a", "b", "c", "\"d\"", "", "0", "1"]).to_string());
        out += &fields.join(sep);
        let ends: [&str; 4] = ["\n", "\r\n", "\n\n", "\n# note\n"];
        out.push_str(ends[rng.below(ends.len())]);
    }
    if rng.below(3) == 0 { mutate(rng, &out) } else { out }
}

#[test]
fn csv_never_panics_and_reports_what_it_refuses() {
    let mut rng = Rng::new(13);
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..iterations() / 10 {
        let text = random_csv(&mut rng);
        match csv::parse_csv(&text) {
            Ok(t) => {
                ok += 1;
                assert!(t.dim >= csv::MIN_CSV_FEATURES && t.classes >= 2 && t.classes <= csv::MAX_CLASSES);
                assert_eq!(t.x.len(), t.rows() * t.dim);
                assert!(t.x.iter().all(|v| v.is_finite()) && t.y.iter().all(|&y| y < t.classes));
            }
            Err(e) => {
                refused += 1;
                assert!(!e.problems.is_empty());
                for p in &e.problems {
                    no_control(&p.message, &text);
                }
                let report = serde_json::to_value(csv::report(&text)).unwrap();
                assert!(report["problems"].as_array().unwrap().len() <= csv::SHOWN_PROBLEMS);
            }
        }
    }
    assert!(ok > 10 && refused > 10, "{ok} accepted, {refused} refused");
}

/// A random JSON value of the run file's kinds, sometimes hostile.
fn random_value(rng: &mut Rng, depth: usize) -> String {
    match rng.below(if depth > 2 { 6 } else { 8 }) {
        0 => "null".into(),
        1 => pick(rng, &["true", "false"]).to_string(),
        2 => {
            pick(rng, &["0", "1", "5", "-1", "1.5", "1e3", "10000000", "10000001", "99999999999999999999"]).to_string()
        }
        3 | 4 => serde_json::to_string(&random_text(rng)).unwrap(),
        5 => {
            format!("\"{}\"", pick(rng, &["inp", "np:k4", "anp:blind", "rule", "passes", "noise", "0123456789abcdef"]))
        }
        6 => {
            let items: Vec<String> = (0..rng.below(5)).map(|_| random_value(rng, depth + 1)).collect();
            format!("[{}]", items.join(","))
        }
        _ => {
            let fields: Vec<String> = (0..rng.below(4))
                .map(|_| {
                    format!("{}:{}", pick(rng, &["\"label\"", "\"checksum\"", "\"x\""]), random_value(rng, depth + 1))
                })
                .collect();
            format!("{{{}}}", fields.join(","))
        }
    }
}

fn random_text(rng: &mut Rng) -> String {
    let base = *pick(
        rng,
        &["inp", "inp&at=10000000&play=1", "inp,anp", "np:k99", "rule,compare", "start", "deadbeefdeadbeef", ""],
    );
    if rng.below(2) == 0 { mutate(rng, base) } else { base.to_string() }
}

/// A run file: a real one from a random link, then some fields replaced, added or dropped, and
/// sometimes its text mutated.
fn random_run_file(rng: &mut Rng) -> String {
    let mut link = Link::parse(&random_fragment(rng));
    if rng.below(4) == 0 {
        link.config.data = np_playground::data::DataSet::Upload;
        link.config.batch_size = 1;
    }
    let at = runfile::RunsAt {
        step: rng.below(50) as f64,
        runs: link.runs().into_iter().map(|(l, _)| (l, format!("{:016x}", rng.next_u64()))).collect(),
    };
    // An upload gets a random table (when it parses).
    let csv_text = random_csv(rng);
    let table = csv::parse_csv(&csv_text).ok();
    let text = match runfile::write(&link, &at, table.as_ref().map(|t| (t, csv_text.as_str()))) {
        Ok(t) => t,
        Err(_) => r#"{"format":"np-playground-run","version":2,"config":"v=1","step":0}"#.to_string(),
    };
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    const FIELDS: &[&str] = &[
        "format", "version", "config", "compare", "seeds", "xaxis", "hide", "embed", "lesson", "step", "runs", "csv",
        "checksum", "play", "speed",
    ];
    for _ in 0..rng.below(4) {
        let field = *pick(rng, FIELDS);
        match rng.below(3) {
            0 => {
                v.as_object_mut().unwrap().remove(field);
            }
            _ => {
                let value = if field == "config" && rng.below(2) == 0 {
                    serde_json::Value::String(random_fragment(rng))
                } else {
                    serde_json::from_str(&random_value(rng, 0)).unwrap()
                };
                v[field] = value;
            }
        }
    }
    let text = v.to_string();
    if rng.below(4) == 0 { mutate(rng, &text) } else { text }
}

#[test]
fn run_files_never_panic_and_open_only_clean_links() {
    let mut rng = Rng::new(14);
    let (mut opened, mut refused) = (0, 0);
    let mut tables = 0;
    for _ in 0..iterations() / 10 {
        let input = random_run_file(&mut rng);
        let (reply, table) = runfile::read(&input);
        for p in &reply.problems {
            assert!(!p.field.is_empty() && !p.message.is_empty(), "{input}: {p:?}");
            no_control(&p.message, &input);
            no_control(&p.field, &input);
        }
        // Its JSON (written by hand) is valid and says the same.
        let v: serde_json::Value = serde_json::from_str(&reply.to_json()).unwrap();
        assert_eq!(v["ok"], reply.ok);
        assert_eq!(v["problems"].as_array().unwrap().len(), reply.problems.len());
        assert_eq!(v["fragment"].as_str(), reply.fragment.as_deref());
        if !reply.ok {
            refused += 1;
            assert!(reply.fragment.is_none() && reply.checksums.is_empty() && table.is_none(), "{input}");
            assert!(!reply.problems.is_empty());
            continue;
        }
        opened += 1;
        tables += table.is_some() as usize;
        // What opens is a clean link: no problem, no key a file may not set.
        let fragment = reply.fragment.unwrap();
        let l = Link::parse(&fragment);
        assert!(l.problems.is_empty(), "{input} -> {fragment}: {:?}", l.problems);
        assert_eq!(l.fragment(), fragment, "{input}: canonical");
        assert!(!l.view.play && l.view.speed.is_none(), "{input} -> {fragment}");
        assert_eq!(l.at.unwrap_or(0), reply.step.unwrap(), "{input}");
        // Every checksum is of a run of that link.
        let labels: Vec<String> = l.runs().into_iter().map(|(label, _)| label).collect();
        assert!(reply.checksums.iter().all(|e| labels.contains(&e.label) && e.checksum.len() == 16), "{input}");
        // Written back and read again: the same link.
        let at = runfile::RunsAt {
            step: reply.step.unwrap() as f64,
            runs: labels.into_iter().map(|l| (l, String::new())).collect(),
        };
        let kept = table.as_ref().map(|(t, text)| (t, text.as_str()));
        let again = runfile::write(&Link { at: None, ..l.clone() }, &at, kept).unwrap();
        assert_eq!(runfile::read(&again).0.fragment.as_deref(), Some(fragment.as_str()), "{input}");
    }
    println!("{opened} opened ({tables} with a table), {refused} refused");
    assert!(opened > 100 && refused > 100 && tables > 10, "{opened} opened ({tables} with a table), {refused} refused");
}
