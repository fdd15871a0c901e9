//! Learners' own data: the point string (round trips, strictness, size) and the CSV reader (shapes,
//! separators, the one decoding rule of page and CLI, the table's id, and every kind of bad input
//! with its line and message).

use np_playground::data::csv::{
    self, CsvError, MAX_CSV_BYTES, MAX_CSV_FEATURES, MAX_CSV_ROWS, Table, fits_in_url, parse_csv, parse_csv_bytes,
    table_to_points,
};
use np_playground::data::points::{MAX_URL_POINTS, Point, decode_points, encode_points, quantise};
use proptest::prelude::*;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn coordinate() -> impl Strategy<Value = f32> {
    prop_oneof![4 => -1.5f32..=1.5, 1 => -10.0f32..10.0, 1 => any::<f32>()]
}

fn points(max: usize) -> impl Strategy<Value = Vec<Point>> {
    prop::collection::vec((coordinate(), coordinate(), prop_oneof![4 => 0..=1u8, 1 => any::<u8>()]), 0..=max)
        .prop_map(|v| v.into_iter().map(|(x, y, label)| Point { x, y, label }).collect())
}

proptest! {
    #[test]
    fn decode_of_encode_gives_the_quantised_points(ps in points(MAX_URL_POINTS)) {
        let s = encode_points(&ps);
        prop_assert!(s.starts_with('1'));
        prop_assert_eq!(s.len(), 1 + (25 * ps.len()).div_ceil(6));
        prop_assert!(s.bytes().skip(1).all(|c| ALPHABET.contains(&c)), "{}", s);
        let back = decode_points(&s).unwrap();
        let want: Vec<Point> = ps.iter().map(|&p| quantise(p)).collect();
        prop_assert_eq!(&back, &want);
        // Quantised points travel unchanged.
        prop_assert_eq!(encode_points(&back), s);
    }

    #[test]
    fn quantise_is_idempotent_and_close(p in (coordinate(), coordinate(), any::<u8>())) {
        let p = Point { x: p.0, y: p.1, label: p.2 };
        let q = quantise(p);
        prop_assert_eq!(quantise(q), q);
        prop_assert!(q.label <= 1 && (q.label == 0) == (p.label == 0));
        for (v, w) in [(p.x, q.x), (p.y, q.y)] {
            prop_assert!((-1.5..=1.5).contains(&w));
            if v.is_nan() {
                prop_assert!(w.abs() < 1e-3);
            } else {
                prop_assert!((v.clamp(-1.5, 1.5) - w).abs() <= 1.5 / 4095.0 + 1e-6, "{} -> {}", v, w);
            }
        }
    }

    #[test]
    fn every_valid_string_reencodes_to_itself(n in 0..=MAX_URL_POINTS, seed in prop::collection::vec(0..64u8, 1700)) {
        let len = (25 * n).div_ceil(6);
        let pad = 6 * len - 25 * n;
        let mut payload: Vec<u8> = seed[..len].to_vec();
        if let Some(last) = payload.last_mut() {
            *last &= !((1u8 << pad) - 1);
        }
        let s: String = std::iter::once('1').chain(payload.iter().map(|&v| ALPHABET[v as usize] as char)).collect();
        let ps = decode_points(&s).unwrap();
        prop_assert_eq!(ps.len(), n);
        prop_assert_eq!(encode_points(&ps), s);
    }

    #[test]
    fn decode_never_panics(s in ".{0,300}") {
        let _ = decode_points(&s);
    }

    #[test]
    fn decode_never_panics_on_near_valid_strings(s in "[1A]?[A-Za-z0-9_\\-]{0,1700}[!é\\x00]?") {
        match decode_points(&s) {
            Ok(ps) => prop_assert_eq!(encode_points(&ps), s),
            Err(e) => prop_assert!(!e.is_empty()),
        }
    }

    #[test]
    fn parse_csv_never_panics(s in "[0-9a-z,;\t\"\n .#e+-]{0,300}") {
        if let Err(e) = parse_csv(&s) {
            prop_assert!(!e.problems.is_empty());
        }
    }
}

#[test]
fn the_plane_edges_and_labels_are_exact() {
    let ps = [
        Point { x: -1.5, y: 1.5, label: 0 },
        Point { x: 1.5, y: -1.5, label: 1 },
        Point { x: -7.0, y: f32::INFINITY, label: 1 },
        Point { x: f32::NAN, y: 0.0, label: 5 },
    ];
    let back = decode_points(&encode_points(&ps)).unwrap();
    assert_eq!(back[0], Point { x: -1.5, y: 1.5, label: 0 });
    assert_eq!(back[1], Point { x: 1.5, y: -1.5, label: 1 });
    assert_eq!(back[2], Point { x: -1.5, y: 1.5, label: 1 });
    assert_eq!(back[3].label, 1);
    assert!(back[3].x.abs() < 1e-3 && back[3].x == back[3].y);
    // The known bit layout: x code 0, y code 4095, label 0 -> 000000000000 111111111111 0, then 5 zero bits of padding.
    assert_eq!(encode_points(&[Point { x: -1.5, y: 1.5, label: 0 }]), "1AA__A");
    assert_eq!(encode_points(&[]), "1");
    assert_eq!(decode_points("1").unwrap(), vec![]);
}

#[test]
fn four_hundred_points_fit_in_a_short_string() {
    let ps: Vec<Point> = (0..MAX_URL_POINTS)
        .map(|i| {
            let t = i as f32 * 0.1;
            Point { x: t.sin() * 1.4, y: t.cos() * 1.4, label: (i % 2) as u8 }
        })
        .collect();
    let s = encode_points(&ps);
    assert_eq!(s.len(), 1668);
    assert!(s.len() < 2100);
    assert_eq!(decode_points(&s).unwrap().len(), MAX_URL_POINTS);
}

fn decode_err(s: &str) -> String {
    decode_points(s).expect_err(s)
}

#[test]
fn every_bad_point_string_says_what_is_wrong() {
    assert!(decode_err("").contains("empty point string"));
    let e = decode_err("2AAAAA");
    assert!(e.contains("unknown format prefix '2'"), "{e}");
    let e = decode_err("éAAAA");
    assert!(e.contains("unknown format prefix 'é'"), "{e}");
    let e = decode_err("1AA!AA");
    assert!(e.contains("bad character '!' at position 4"), "{e}");
    let e = decode_err("1AAAA=");
    assert!(e.contains("bad character '=' at position 6"), "{e}");
    let e = decode_err("1AAé");
    assert!(e.contains("bad character 'é' at position 4"), "{e}");
    let e = decode_err("1AA\u{7}AA");
    assert!(e.contains("bad character '\\u{7}' at position 4") && !e.chars().any(char::is_control), "{e}");
    // 1 point takes 5 characters, 2 take 9.
    let e = decode_err("1AAAAAA");
    assert!(e.contains("truncated data") && e.contains("1 points take 5, 2 take 9"), "{e}");
    let e = decode_err("1AAA");
    assert!(e.contains("truncated data") && e.contains("0 points take 0, 1 take 5"), "{e}");
    let many = format!("1{}", "A".repeat((25 * 401usize).div_ceil(6)));
    let e = decode_err(&many);
    assert!(e.contains("too many points") && e.contains("401 points") && e.contains("at most 400"), "{e}");
    let huge = format!("1{}", "A".repeat(5_000_000));
    assert!(decode_err(&huge).contains("too many points"));
    // One point: 25 bits in 5 characters (30 bits), the last 5 of them padding.
    let e = decode_err("1AAAAB");
    assert!(e.contains("bad last character 'B' at position 6") && e.contains("low 5 bits are padding"), "{e}");
    assert!(decode_points("1AAAAg").is_ok());
}

fn csv_err(text: &str) -> CsvError {
    match parse_csv(text) {
        Ok(t) => panic!("{text:?} parsed: {t:?}"),
        Err(e) => e,
    }
}

/// The single problem of `text`: its line and message.
fn only_problem(text: &str) -> (usize, String) {
    let e = csv_err(text);
    assert_eq!(e.problems.len(), 1, "{text:?}: {e}");
    let p = &e.problems[0];
    assert!(!p.message.chars().any(char::is_control), "{:?}", p.message);
    (p.line, p.message.clone())
}

#[test]
fn a_realistic_table_parses_to_the_right_shape_and_classes() {
    let text = "\u{feff}# measurements of three species\r\n\
        sepal_length, sepal_width ,petal_length,species\r\n\
        5.1,3.5,1.4,setosa\r\n\
        \r\n\
        7.0,3.2,4.7,versicolor\r\n\
        # a comment between rows\r\n\
        6.3,\"3.3\",6.0,\"virginica\"\r\n\
        4.9 , 3.0 ,1.4, setosa\r\n\
        6.4,3.2,4.5,versicolor\r\n";
    let t = parse_csv(text).unwrap();
    assert_eq!((t.rows(), t.dim, t.classes), (5, 3, 3));
    assert_eq!(t.class_names, vec!["setosa", "versicolor", "virginica"]);
    assert_eq!(t.y, vec![0, 1, 2, 0, 1]);
    assert_eq!(t.x.len(), 15);
    assert_eq!(t.row(0), &[5.1, 3.5, 1.4]);
    assert_eq!(t.row(2), &[6.3, 3.3, 6.0]);
    assert_eq!(t.row(3), &[4.9, 3.0, 1.4]);
    assert!(!fits_in_url(&t));
    assert_eq!(table_to_points(&t), None);
}

#[test]
fn integer_labels_keep_their_order_of_first_appearance() {
    let t = parse_csv("0.5,0.25,1\n-0.5,1e-1,0\n1,2,1\n").unwrap();
    assert_eq!(t.class_names, vec!["1", "0"]);
    assert_eq!(t.y, vec![0, 1, 0]);
    assert_eq!(t.x, vec![0.5, 0.25, -0.5, 0.1, 1.0, 2.0]);
}

#[test]
fn semicolon_and_tab_separators_are_detected() {
    let semi = parse_csv("x;y;class\n1,5;-2;\"a;b\"\n0.25;3,0;c\n").unwrap();
    assert_eq!((semi.rows(), semi.dim, semi.classes), (2, 2, 2));
    assert_eq!(semi.x, vec![1.5, -2.0, 0.25, 3.0]);
    assert_eq!(semi.class_names, vec!["a;b", "c"]);
    let tab = parse_csv("x\ty\tclass\n1.5\t-2\tyes\n 0.25 \t3\tno\n4\t5\tyes\n").unwrap();
    assert_eq!((tab.rows(), tab.dim, tab.classes), (3, 2, 2));
    assert_eq!(tab.x, vec![1.5, -2.0, 0.25, 3.0, 4.0, 5.0]);
    assert_eq!(tab.y, vec![0, 1, 0]);
    // An empty field between tabs stays a field.
    let (line, m) = only_problem("x\ty\tclass\n1\t\t\"a\"\n2\t3\tb\n");
    assert_eq!(line, 2);
    assert!(m.contains("column 2 (\"y\"): not a number: \"\""), "{m}");
    // With commas as separator, a decimal comma is not a number.
    let (line, m) = only_problem("1,2,a\n\"1,5\",2,b\n");
    assert_eq!(line, 2);
    assert!(m.contains("column 1: not a number: \"1,5\""), "{m}");
}

#[test]
fn two_feature_two_class_tables_become_points() {
    let t = parse_csv("x,y,label\n0.5,-0.25,blue\n2,1,red\n-1,1,blue\n").unwrap();
    assert!(fits_in_url(&t));
    let ps = table_to_points(&t).unwrap();
    assert_eq!(
        ps,
        vec![
            Point { x: 0.5, y: -0.25, label: 0 },
            Point { x: 2.0, y: 1.0, label: 1 },
            Point { x: -1.0, y: 1.0, label: 0 }
        ]
    );
    let many: String = (0..=MAX_URL_POINTS).map(|i| format!("{},{},{}\n", i as f32 / 400.0, 0.5, i % 2)).collect();
    let t = parse_csv(&many).unwrap();
    assert_eq!(t.rows(), MAX_URL_POINTS + 1);
    assert!(!fits_in_url(&t));
    assert_eq!(table_to_points(&t).unwrap().len(), MAX_URL_POINTS + 1);
    let three = parse_csv("0,0,a\n1,1,b\n2,2,c\n").unwrap();
    assert!(!fits_in_url(&three));
    assert_eq!(table_to_points(&three), None);
}

#[test]
fn each_kind_of_bad_row_gives_its_line_and_message() {
    // (text, line, phrases the message must contain)
    let cases: &[(&str, usize, &[&str])] = &[
        ("x,y,label\n1,2,a\n1,2\n3,4,b\n", 3, &["expected 3 fields", "as in the header on line 1", "found 2"]),
        ("1,2,a\n1,2,3,b\n3,4,b\n", 2, &["expected 3 fields", "as on line 1", "found 4"]),
        ("x,y,label\n1,2,a\n1,abc,b\n", 3, &["column 2 (\"y\")", "not a number: \"abc\""]),
        ("1,2,a\n\n1,abc,b\n", 3, &["column 2: not a number: \"abc\""]),
        ("1,2,a\n1,,b\n", 2, &["column 2: not a number: \"\""]),
        ("1,2,a\nx,y,b\n", 2, &["column 1: not a number: \"x\"", "and 1 more bad value on this line"]),
        ("1,2,a\n1,inf,b\n", 2, &["column 2: \"inf\" is not a finite number"]),
        ("1,2,a\nNaN,2,b\n", 2, &["column 1: \"NaN\" is not a finite number"]),
        ("1,2,a\n1,1e39,b\n", 2, &["\"1e39\" is not a finite number"]),
        ("1,2,a\n1,2,\n3,4,b\n", 2, &["empty label", "column 3"]),
        ("1,2,a\n1,2,\"\"\n3,4,b\n", 2, &["empty label"]),
        ("1,2,a\n1,\"2,b\n3,4,b\n", 2, &["column 2: unterminated quote"]),
        ("1,2,a\n1,\"2\"x,b\n3,4,b\n", 2, &["column 2: text after the closing quote: \"x\""]),
    ];
    for &(text, line, phrases) in cases {
        let (got_line, m) = only_problem(text);
        assert_eq!(got_line, line, "{text:?}: {m}");
        for ph in phrases {
            assert!(m.contains(ph), "{text:?}: {m:?} lacks {ph:?}");
        }
    }
}

#[test]
fn values_in_messages_are_cut_and_escaped() {
    let long = "z".repeat(100);
    let (line, m) = only_problem(&format!("1,2,a\n1,{long},b\n"));
    assert_eq!(line, 2);
    assert!(m.contains(&format!("\"{}\"...", "z".repeat(40))) && !m.contains(&"z".repeat(41)), "{m}");
    let (_, m) = only_problem("1,2,a\n1,\u{1b}[31mred\u{7},b\n");
    assert!(m.contains("\\u{1b}[31mred\\u{7}"), "{m}");
    let (_, m) = only_problem("x,\"y\u{0}\",label\n1,a,b\n2,3,c\n");
    assert!(m.contains("column 2 (\"y\\0\")"), "{m}");
    let e = csv_err("1,2,a\n1,2,\u{8}\u{9}\n3,4\u{1},b\n3,4,b\n");
    for p in &e.problems {
        assert!(!p.message.chars().any(char::is_control), "{p}");
    }
    assert!(!e.to_string().chars().any(|c| c.is_control() && c != '\n'));
}

#[test]
fn each_whole_file_problem_has_line_zero_and_its_message() {
    let mut eleven = String::new();
    for k in 0..11 {
        eleven += &format!("{k},{k},class{k}\n");
    }
    let wide = |features: usize| format!("{}a\n{}b\n", "1,".repeat(features), "2,".repeat(features));
    let cases: Vec<(String, &[&str])> = vec![
        (String::new(), &["empty file"]),
        ("\n  \r\n# only a comment\n   # another\n".into(), &["empty file"]),
        ("x,y,label\n\n# nothing else\n".into(), &["no data rows", "header on line 1"]),
        ("1,2,a\n3,4,a\n".into(), &["only one class (\"a\")", "at least 2"]),
        (eleven, &["more than 10 classes", "\"class10\" on line 11"]),
        ("a\nb\n".into(), &["only one column", "comma", "at least one feature column"]),
        (wide(MAX_CSV_FEATURES + 1), &["too many columns", "1025 feature columns", "at most 1024"]),
    ];
    for (text, phrases) in &cases {
        let (line, m) = only_problem(text);
        assert_eq!(line, 0, "{text:?}");
        for ph in *phrases {
            assert!(m.contains(ph), "{m:?} lacks {ph:?}");
        }
    }
    // The widest table accepted.
    let t = parse_csv(&wide(MAX_CSV_FEATURES)).unwrap();
    assert_eq!((t.dim, t.rows()), (MAX_CSV_FEATURES, 2));
}

#[test]
fn too_many_rows_are_refused_after_checking_the_first_ones() {
    let mut text = String::from("x,y,label\n");
    for i in 0..MAX_CSV_ROWS + 5 {
        text += &format!("{i},1,{}\n", i % 2);
    }
    let (line, m) = only_problem(&text);
    assert_eq!(line, 0);
    assert!(m.contains("too many rows: 10005 data rows; at most 10000"), "{m}");
    // Exactly the limit is fine.
    let ok: String = (0..MAX_CSV_ROWS).map(|i| format!("{i},1,{}\n", i % 2)).collect();
    assert_eq!(parse_csv(&ok).unwrap().rows(), MAX_CSV_ROWS);
}

#[test]
fn every_malformed_line_is_reported_and_display_sums_up_the_rest() {
    let mut text = String::from("x,y,label\n");
    let mut bad_lines = Vec::new();
    for i in 0..50 {
        if i % 2 == 0 {
            text += "1,2,a\n";
        } else {
            text += "1,oops,b\n";
            bad_lines.push(i + 2);
        }
    }
    text += "5,6,\n";
    bad_lines.push(52);
    let e = csv_err(&text);
    let lines: Vec<usize> = e.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, bad_lines);
    let shown = e.to_string();
    assert!(shown.starts_with("line 3: column 2 (\"y\"): not a number: \"oops\"\nline 5: "), "{shown}");
    assert_eq!(shown.lines().count(), 21, "the first 20 problems and a count of the rest");
    assert!(shown.ends_with("\nand 6 more problems"), "{shown}");
    // Whole-file problems come first.
    let e = csv_err("1,2,a\n1,x,a\n3,4,a\n");
    assert_eq!(e.problems.iter().map(|p| p.line).collect::<Vec<_>>(), vec![0, 2]);
    assert!(e.to_string().starts_with("only one class"));
}

#[test]
fn a_text_over_20_mb_is_refused_quickly() {
    let text = "0.5,0.5,a\n".repeat(MAX_CSV_BYTES / 10 + 1);
    assert!(text.len() > 20_000_000);
    let start = std::time::Instant::now();
    let e = csv_err(&text);
    let took = start.elapsed();
    assert_eq!(e.problems.len(), 1);
    assert_eq!(e.problems[0].line, 0);
    assert!(e.problems[0].message.contains("at most 20000000 (20 MB)"), "{e}");
    assert!(took.as_millis() < 50, "took {took:?}");
}

#[test]
fn table_fields_are_public_and_consistent() {
    let t: Table = parse_csv("1,2,3,p\n4,5,6,q\n").unwrap();
    assert_eq!(t.x.len(), t.rows() * t.dim);
    assert_eq!(t.classes, t.class_names.len());
    assert!(t.y.iter().all(|&k| k < t.classes));
}

/// Issue 17: the page and the CLI read a file by one rule, from its bytes: UTF-8, else
/// Windows-1252 (a Latin-1 file was read by the page and refused by the CLI).
#[test]
fn latin1_and_utf8_files_read_alike_by_one_rule() {
    let utf8 = "x,y,label\n1,2,café\n3,4,thé\n5,6,café\n".as_bytes().to_vec();
    let latin1: Vec<u8> = b"x,y,label\n1,2,caf\xe9\n3,4,th\xe9\n5,6,caf\xe9\n".to_vec();
    assert!(std::str::from_utf8(&latin1).is_err());
    let a = parse_csv_bytes(&utf8).unwrap();
    let b = parse_csv_bytes(&latin1).unwrap();
    assert_eq!(a, b, "the same table, labels included");
    assert_eq!(b.class_names, vec!["café", "thé"]);
    // Windows-1252's printable 0x80-0x9f (the euro sign, curly quotes), not C1 controls.
    let t = parse_csv_bytes(b"a,b,label\n1,2,\x80\n3,4,\x93x\x94\n").unwrap();
    assert_eq!(t.class_names, vec!["\u{20ac}", "\u{201c}x\u{201d}"]);
    // The report says how the bytes were read and which line is not UTF-8.
    let (report, kept) = csv::load(&latin1);
    let r = serde_json::to_value(&report).unwrap();
    assert!(r["note"].as_str().unwrap().contains("line 2 is not UTF-8: the file was read as Windows-1252"), "{r}");
    assert_eq!(kept.unwrap().1, "x,y,label\n1,2,café\n3,4,thé\n5,6,café\n", "the text as read");
    let r = serde_json::to_value(csv::load(&utf8).0).unwrap();
    assert!(r["note"].is_null(), "{r}");
    // A UTF-8 byte-order mark is skipped; UTF-16 and bytes that are not text are refused by name.
    assert_eq!(parse_csv_bytes(&[b"\xef\xbb\xbf".as_slice(), &utf8].concat()).unwrap(), a);
    let utf16: Vec<u8> = [0xff, 0xfe].into_iter().chain("x,y,l\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let e = parse_csv_bytes(&utf16).unwrap_err();
    assert!(e.to_string().contains("UTF-16"), "{e}");
    let e = parse_csv_bytes(b"1,2,a\n3,4,b\n\0\0\0").unwrap_err();
    assert!(e.to_string().contains("NUL byte (line 3)") && e.to_string().contains("not a text file"), "{e}");
    // The size is checked on the bytes, before anything is decoded.
    let e = parse_csv_bytes(&vec![b'1'; MAX_CSV_BYTES + 1]).unwrap_err();
    assert!(e.to_string().contains("at most 20000000 (20 MB)"), "{e}");
}

/// Issue 17: a tab in a comma-separated first line switched the separator.
#[test]
fn a_stray_tab_does_not_switch_the_separator() {
    for first in ["x,y\t,label", "x,y,label\t", "\"x\ty\",z,label", "x\t,y,label"] {
        let text = format!("{first}\n1,2,a\n3,4,b\n");
        let t = parse_csv(&text).unwrap_or_else(|e| panic!("{first:?}: {e}"));
        assert_eq!((t.dim, t.rows()), (2, 2), "{first:?}");
    }
    // Tab- and semicolon-separated tables with decimal commas keep their separator.
    let t = parse_csv("1,5\t2,5\ta\n3\t4\tb\n").unwrap();
    assert_eq!(t.x, vec![1.5, 2.5, 3.0, 4.0]);
    let t = parse_csv("1,5;2,25;a\n3;4;b\n").unwrap();
    assert_eq!(t.x, vec![1.5, 2.25, 3.0, 4.0]);
}

/// The table's id: its numbers and classes, not its text.
#[test]
fn the_table_id_follows_the_numbers_not_the_text() {
    let id = |text: &str| parse_csv(text).unwrap().id;
    let base = id("x,y,label\n1,2,a\n3,-0.5,b\n");
    assert_eq!(id("x,y,label\r\n1,2,a\r\n3,-0.5,b\r\n"), base, "CRLF");
    assert_eq!(id("# a comment\nu , v ,class\n1.0,\"2\",a\n\n3e0,-5e-1,b\n"), base, "spelling, quotes, comments");
    assert_eq!(id("1;2;a\n3;-0,5;b\n"), base, "another separator");
    assert_eq!(id("x,y,label\n1,2,no\n3,-0.5,yes\n"), base, "classes renamed: the same run");
    assert_eq!(parse_csv_bytes(b"x,y,label\n1,2,\xe9\n3,-0.5,b\n").unwrap().id, base, "Latin-1");
    for other in ["x,y,label\n1,2,a\n3,-0.25,b\n", "x,y,label\n3,-0.5,b\n1,2,a\n"] {
        assert_ne!(id(other), base, "{other:?}");
    }
    assert_ne!(id("1,2,a\n3,4,b\n5,6,a\n"), id("1,2,a\n3,4,b\n5,6,b\n"), "another class");
    assert_ne!(id("1,2,0,a\n3,4,0,b\n"), id("1,2,a\n3,4,b\n"), "the column count counts");
    let t = parse_csv("x,y,label\n1,2,a\n3,-0.5,b\n").unwrap();
    assert_eq!(t.id, csv::table_id(&t.x, &t.y, t.dim));
    assert_eq!(t.id_hex().len(), 16);
    assert_eq!(csv::parse_table_id(&t.id_hex()), Some(t.id));
    for bad in ["", "123", "0123456789abcdeg", "0123456789abcdef0", "+123456789abcdef"] {
        assert_eq!(csv::parse_table_id(bad), None, "{bad:?}");
    }
    // The report names it.
    let r = serde_json::to_value(csv::report("x,y,label\n1,2,a\n3,-0.5,b\n")).unwrap();
    assert_eq!(r["table"].as_str().unwrap(), format!("{base:016x}"));
}

/// Issue 17: a table of 1e38 values diverged at step 1 with "try a smaller learning rate"; it is
/// refused, its largest value named.
#[test]
fn values_far_out_of_range_are_refused_naming_the_largest() {
    let (line, m) = only_problem("x,y,label\n1,2,a\n1e30,-1e38,b\n7,2e7,a\n");
    assert_eq!(line, 0);
    assert!(
        m.starts_with("values out of range") && m.contains("\"-1e38\" on line 3") && m.contains("column 2 (\"y\")"),
        "{m}"
    );
    assert!(m.contains("1000000") && m.contains("rescale"), "{m}");
    assert!(parse_csv(&format!("1,{},a\n1,{},b\n", csv::MAX_ABS_VALUE, -csv::MAX_ABS_VALUE)).is_ok());
}

/// The message's claim: at 1e8 a network of ReLU units diverges at its first step (whatever the
/// rule), where the same table in range trains.
#[test]
fn far_out_of_range_inputs_make_relu_runs_diverge_at_once() {
    let mut text = String::from("x,y,label\n");
    let mut rng = np_playground::rng::Rng::new(3);
    for _ in 0..200 {
        let (x, y) = (rng.uniform_range(-1.0, 1.0), rng.uniform_range(-1.0, 1.0));
        text += &format!("{x},{y},{}\n", (x * y > 0.0) as u8);
    }
    let base = parse_csv(&text).unwrap();
    let first_step_diverges = |scale: f32, config: &str| {
        let mut t = base.clone();
        t.x.iter_mut().for_each(|v| *v *= scale);
        let config = np_playground::RunConfig::parse(&format!("data=upload&act=relu&{config}")).unwrap();
        let sources = np_playground::data::Sources { digits: None, table: Some(&t) };
        let mut trainer = np_playground::Trainer::with_sources(config, &sources).unwrap();
        trainer.step().is_err()
    };
    for seed in 1..=3 {
        for rule in ["np", "bp", "inp", "anp", "dnp", "np&opt=sgd"] {
            assert!(first_step_diverges(1e8, &format!("rule={rule}&seed={seed}")), "{rule}, seed {seed}");
        }
        assert!(!first_step_diverges(1.0, &format!("seed={seed}")), "in range it trains");
    }
}
