//! Seeded random inputs for the three parsers a stranger can feed: the link (the URL fragment,
//! with its page keys, read leniently), the point string and the CSV reader. None may panic; what
//! they accept round-trips exactly; what they refuse comes with a message, free of control
//! characters, that names what is wrong. A CI run takes a few seconds; `NP_FUZZ=full cargo test --release --test
//! fuzz` runs a hundred times more inputs (a few minutes).

use np_playground::data::{csv, points};
use np_playground::rng::Rng;
use np_playground::run::link::{self, Link};

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
