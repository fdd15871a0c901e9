//! Learners' own data: points drawn on the plane, carried in the URL as a short string, and
//! tables uploaded as CSV. Pure Rust: no DOM, no JavaScript.
//!
//! # The point string (format `1`)
//!
//! Each point becomes 25 bits: its `x` as a 12-bit code, its `y` as a 12-bit code, then its label
//! as 1 bit. The points' bits are concatenated (most significant bit first), padded with zero bits
//! to a multiple of 6, and written 6 bits per character in the base64url alphabet
//! `A-Z a-z 0-9 - _` (values 0 to 63, in that order; no `=` padding). The format character `1`
//! comes first. So `n` points take `1 + ceil(25 n / 6)` characters: 400 points
//! ([`MAX_URL_POINTS`]) take 1,668.
//!
//! A coordinate `v` is first clamped to the plane `[-1.5, 1.5]` (a NaN counts as 0) and coded as
//! `q = round((v + 1.5) * 4095 / 3)`, an integer from 0 to 4095; it reads back as
//! `q * 3 / 4095 - 1.5` (a grid step of about 0.00073, so -1.5 and 1.5 are exact). Label 0 is the
//! bit 0; any other label is written as 1. [`quantise`] gives what a point becomes after the round
//! trip.
//!
//! Decoding is strict, so that `encode_points(&decode_points(s)?) == s` for every string it
//! accepts: the format character must be `1`, every other character must be in the alphabet, the
//! length must be exactly that of a whole number of points (at most [`MAX_URL_POINTS`]), and the
//! padding bits in the last character must be zero. Errors give the character position counted
//! from 1 (the format character is position 1).
//!
//! # CSV upload
//!
//! [`parse_csv`] reads a table of `N >= 1` numeric feature columns followed by one label column
//! (the last column is always the label):
//! - Lines end in `\n` or `\r\n`; a leading byte-order mark is ignored. Blank lines and lines
//!   whose first non-space character is `#` are skipped (line numbers in messages still count
//!   them, from 1).
//! - The separator is detected from the first line that is not skipped: a tab if it contains a
//!   tab, else a semicolon if it contains a semicolon, else a comma.
//! - That first line is a header when none of its feature fields (all but the last) is a number;
//!   its names are then used in messages. Every line after it is a data row and must have the
//!   same number of fields.
//! - Fields may have spaces around them and may be quoted with `"` (a separator inside quotes is
//!   part of the field, `""` inside quotes is one `"`). Quoted fields do not span lines.
//! - Features are finite `f32` numbers (`1`, `-0.5`, `2e-3`, ...; NaN, infinity and numbers beyond
//!   the `f32` range are refused). With a semicolon or tab separator, a decimal comma (`1,5`) is
//!   also accepted.
//! - Labels are any non-empty text (after trimming spaces and quotes), such as `0`/`1` or
//!   `setosa`; distinct texts are classes `0, 1, ...` in order of first appearance (`1` and `01`
//!   are different labels).
//! - Bounds: at most [`MAX_CSV_BYTES`] bytes (refused before reading), [`MAX_CSV_ROWS`] data rows,
//!   [`MAX_CSV_FEATURES`] feature columns, and between 2 and [`MAX_CLASSES`] classes.
//!
//! Every problem is reported, not just the first: each malformed row (among the first
//! [`MAX_CSV_ROWS`]) gives a [`CsvProblem`] with its line number, and problems of the whole file
//! have line 0. Values quoted in messages are cut to 40 characters and escaped, so messages hold
//! no control characters.

use std::borrow::Cow;
use std::fmt;

/// Most points a point string may hold.
pub const MAX_URL_POINTS: usize = 400;
/// The format character that starts every point string this build writes.
pub const POINTS_FORMAT: char = '1';
/// Half the side of the plane points live on: coordinates are clamped to `[-PLANE, PLANE]`.
pub const PLANE: f32 = 1.5;

/// Largest CSV text accepted (20 MB); longer texts are refused before any parsing.
pub const MAX_CSV_BYTES: usize = 20_000_000;
/// Most data rows in a CSV table.
pub const MAX_CSV_ROWS: usize = 10_000;
/// Most feature columns in a CSV table (the label column comes on top).
pub const MAX_CSV_FEATURES: usize = 1024;
/// Most classes in a CSV table (and at least 2 are needed).
pub const MAX_CLASSES: usize = 10;

/// Bits per coordinate code, and the largest code.
const COORD_BITS: u32 = 12;
const MAX_CODE: u32 = (1 << COORD_BITS) - 1;
/// Bits per point: two coordinates and the label.
const POINT_BITS: usize = 2 * COORD_BITS as usize + 1;
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A point on the plane with its class (0 or 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
    pub label: u8,
}

/// Code 0..=4095 of a coordinate (clamped to the plane; NaN counts as 0).
fn code(v: f32) -> u32 {
    let v = if v.is_nan() { 0.0 } else { v.clamp(-PLANE, PLANE) };
    let t = (v as f64 + PLANE as f64) * MAX_CODE as f64 / (2.0 * PLANE as f64);
    (t.round() as u32).min(MAX_CODE)
}

/// The coordinate a code stands for.
fn coord(q: u32) -> f32 {
    (q as f64 * (2.0 * PLANE as f64) / MAX_CODE as f64 - PLANE as f64) as f32
}

/// What `p` becomes after a round trip through the point string: each coordinate clamped to
/// `[-1.5, 1.5]` (NaN as 0) and snapped to the nearest of 4,096 evenly spaced values, the label
/// made 0 or 1 (any nonzero label is 1). Idempotent.
pub fn quantise(p: Point) -> Point {
    Point { x: coord(code(p.x)), y: coord(code(p.y)), label: (p.label != 0) as u8 }
}

/// The value 0..64 of a base64url character.
fn sextet(c: char) -> Option<u32> {
    match c {
        'A'..='Z' => Some(c as u32 - 'A' as u32),
        'a'..='z' => Some(c as u32 - 'a' as u32 + 26),
        '0'..='9' => Some(c as u32 - '0' as u32 + 52),
        '-' => Some(62),
        '_' => Some(63),
        _ => None,
    }
}

/// Characters that `n` points take after the format character: `ceil(25 n / 6)`.
fn payload_len(n: u64) -> u64 {
    (n * POINT_BITS as u64).div_ceil(6)
}

/// The point string of `points` (see the module documentation for the format): the format
/// character `1`, then 25 bits per point in base64url. Every point given is written, but
/// [`decode_points`] refuses more than [`MAX_URL_POINTS`], so callers check the count first.
pub fn encode_points(points: &[Point]) -> String {
    let mut out = String::with_capacity(1 + payload_len(points.len() as u64) as usize);
    out.push(POINTS_FORMAT);
    let (mut acc, mut bits) = (0u64, 0u32);
    for p in points {
        let v = ((code(p.x) as u64) << (COORD_BITS + 1)) | ((code(p.y) as u64) << 1) | (p.label != 0) as u64;
        acc = (acc << POINT_BITS) | v;
        bits += POINT_BITS as u32;
        while bits >= 6 {
            bits -= 6;
            out.push(ALPHABET[((acc >> bits) & 63) as usize] as char);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (6 - bits)) & 63) as usize] as char);
    }
    out
}

/// Reads a point string written by [`encode_points`]; the points come back quantised (as
/// [`quantise`] gives them). Errors say what is wrong: an empty string, an unknown format
/// character, a character outside base64url and its position (counted from 1, the format
/// character being 1), more than [`MAX_URL_POINTS`] points, a length that is not a whole number of
/// points, or nonzero padding bits. Never panics.
pub fn decode_points(s: &str) -> Result<Vec<Point>, String> {
    let Some(prefix) = s.chars().next() else {
        return Err(format!(
            "empty point string: expected the format character '{POINTS_FORMAT}' followed by the points"
        ));
    };
    if prefix != POINTS_FORMAT {
        return Err(format!(
            "unknown format prefix {} at position 1: this build reads point strings of format '{POINTS_FORMAT}'",
            shown_char(prefix)
        ));
    }
    let payload = &s[prefix.len_utf8()..];
    if let Some((i, c)) = payload.chars().enumerate().find(|&(_, c)| sextet(c).is_none()) {
        return Err(format!(
            "bad character {} at position {}: expected only A-Z, a-z, 0-9, - and _ after the format character",
            shown_char(c),
            i + 2
        ));
    }
    // Every character is ASCII from here on, so bytes and characters agree.
    let len = payload.len() as u64;
    let n = len * 6 / POINT_BITS as u64;
    if n > MAX_URL_POINTS as u64 {
        return Err(format!(
            "too many points: {len} characters hold {n} points; at most {MAX_URL_POINTS} fit in a point string"
        ));
    }
    if len != payload_len(n) {
        return Err(format!(
            "truncated data: {len} characters after the format character are not a whole number of points ({n} points take {}, {} take {})",
            payload_len(n),
            n + 1,
            payload_len(n + 1)
        ));
    }
    let values: Vec<u32> = payload.chars().filter_map(sextet).collect();
    let pad = (len * 6 - n * POINT_BITS as u64) as u32;
    if let Some(&last) = values.last() {
        if last & ((1 << pad) - 1) != 0 {
            return Err(format!(
                "bad last character {} at position {}: its low {pad} bits are padding and must be zero",
                shown_char(payload.chars().last().unwrap_or('?')),
                len + 1
            ));
        }
    }
    let mut points = Vec::with_capacity(n as usize);
    let (mut acc, mut bits) = (0u64, 0u32);
    for v in values {
        acc = (acc << 6) | v as u64;
        bits += 6;
        if bits >= POINT_BITS as u32 {
            bits -= POINT_BITS as u32;
            let p = (acc >> bits) as u32;
            acc &= (1 << bits) - 1;
            points.push(Point {
                x: coord((p >> (COORD_BITS + 1)) & MAX_CODE),
                y: coord((p >> 1) & MAX_CODE),
                label: (p & 1) as u8,
            });
        }
    }
    Ok(points)
}

/// A character for a message: quoted, control characters escaped.
fn shown_char(c: char) -> String {
    format!("{c:?}")
}

/// A user-supplied value for a message: cut to 40 characters (then `...` after the closing
/// quote), quoted, with control characters, quotes and backslashes escaped.
fn shown(v: &str) -> String {
    let cut: String = v.chars().take(40).collect();
    if cut.len() < v.len() { format!("{cut:?}...") } else { format!("{cut:?}") }
}

/// A table read from CSV: `rows` samples of `dim` features with labels in `0..classes`.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Features, row-major `(rows, dim)`.
    pub x: Vec<f32>,
    /// Labels in `0..classes`, one per row.
    pub y: Vec<usize>,
    pub dim: usize,
    pub classes: usize,
    /// The label texts as written in the file; class `k` is `class_names[k]`.
    pub class_names: Vec<String>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.y.len()
    }
    pub fn row(&self, i: usize) -> &[f32] {
        &self.x[i * self.dim..(i + 1) * self.dim]
    }
}

/// One thing wrong with a CSV text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvProblem {
    /// Line number counted from 1 (blank and comment lines included); 0 for the whole file.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 { write!(f, "{}", self.message) } else { write!(f, "line {}: {}", self.line, self.message) }
    }
}

/// Everything wrong with a CSV text: problems of the whole file first, then the rows' in line
/// order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    pub problems: Vec<CsvProblem>,
}

/// Problems that [`CsvError`]'s `Display` lists before summing up the rest.
pub const SHOWN_PROBLEMS: usize = 10;

impl fmt::Display for CsvError {
    /// The first [`SHOWN_PROBLEMS`] problems, one a line, then `and N more problems`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().take(SHOWN_PROBLEMS).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        let rest = self.problems.len().saturating_sub(SHOWN_PROBLEMS);
        if rest > 0 {
            write!(f, "\nand {rest} more problem{}", if rest == 1 { "" } else { "s" })?;
        }
        Ok(())
    }
}

impl std::error::Error for CsvError {}

fn whole(message: String) -> CsvError {
    CsvError { problems: vec![CsvProblem { line: 0, message }] }
}

/// The fields of one line.
struct Split<'a> {
    /// The first fields (at most `cap`), trimmed and unquoted.
    fields: Vec<Cow<'a, str>>,
    /// How many fields the line has.
    count: usize,
    /// A quoting problem, if any.
    problem: Option<String>,
}

/// Splits a line at `sep` outside quotes, keeping at most `cap` fields (but counting them all).
fn split_line(line: &str, sep: u8, cap: usize) -> Split<'_> {
    let b = line.as_bytes();
    let mut out = Split { fields: Vec::new(), count: 0, problem: None };
    let mut i = 0;
    loop {
        let column = out.count + 1;
        let field: Cow<str>;
        // Spaces before a quote are allowed (but not the separator, which may be a tab).
        let rest = &line[i..];
        let start = i + (rest.len() - rest.trim_start_matches(|c: char| c.is_whitespace() && c != sep as char).len());
        let next;
        if b.get(start) == Some(&b'"') {
            // Quoted: up to the closing quote, `""` standing for `"`.
            let mut text = String::new();
            let mut k = start + 1;
            let mut closed = false;
            while k < b.len() {
                match line[k..].find('"') {
                    None => {
                        text.push_str(&line[k..]);
                        k = b.len();
                    }
                    Some(q) => {
                        text.push_str(&line[k..k + q]);
                        k += q + 1;
                        if b.get(k) == Some(&b'"') {
                            text.push('"');
                            k += 1;
                        } else {
                            closed = true;
                            break;
                        }
                    }
                }
            }
            field = Cow::Owned(text.trim().to_string());
            if !closed {
                out.problem.get_or_insert_with(|| {
                    format!("column {column}: unterminated quote (quoted fields must close on the same line)")
                });
                next = None;
            } else {
                let end = line[k..].bytes().position(|c| c == sep).map_or(b.len(), |p| k + p);
                let after = line[k..end].trim();
                if !after.is_empty() {
                    out.problem.get_or_insert_with(|| {
                        format!("column {column}: text after the closing quote: {}", shown(after))
                    });
                }
                next = (end < b.len()).then_some(end + 1);
            }
        } else {
            let end = line[i..].bytes().position(|c| c == sep).map_or(b.len(), |p| i + p);
            field = Cow::Borrowed(line[i..end].trim());
            next = (end < b.len()).then_some(end + 1);
        }
        if out.count < cap {
            out.fields.push(field);
        }
        out.count += 1;
        match next {
            Some(n) => i = n,
            None => return out,
        }
    }
}

/// A number (possibly non-finite), with a decimal comma accepted when `sep` is not a comma.
fn number(s: &str, sep: u8) -> Option<f32> {
    if let Ok(v) = s.parse::<f32>() {
        return Some(v);
    }
    if sep != b',' && s.bytes().filter(|&c| c == b',').count() == 1 && !s.contains('.') {
        return s.replacen(',', ".", 1).parse().ok();
    }
    None
}

fn separator_name(sep: u8) -> &'static str {
    match sep {
        b'\t' => "tab",
        b';' => "semicolon",
        _ => "comma",
    }
}

/// Parses a CSV table (see the module documentation for what is accepted). On failure, every
/// problem found is returned: each malformed row with its line number (wrong number of fields,
/// a feature that is not a number or not finite, an empty label, a bad quote), and the problems of
/// the whole file with line 0 (too large, empty, no data rows, fewer than 2 or more than
/// [`MAX_CLASSES`] classes, too many rows or columns).
pub fn parse_csv(text: &str) -> Result<Table, CsvError> {
    if text.len() > MAX_CSV_BYTES {
        return Err(whole(format!("the file is {} bytes; at most {MAX_CSV_BYTES} (20 MB) are accepted", text.len())));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines =
        text.split('\n').enumerate().map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l))).filter(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        });
    let Some((first_no, first)) = lines.next() else {
        return Err(whole("empty file: no data (blank lines and lines starting with # are skipped)".into()));
    };

    let sep = if first.contains('\t') {
        b'\t'
    } else if first.contains(';') {
        b';'
    } else {
        b','
    };
    let cap = MAX_CSV_FEATURES + 2;
    let head = split_line(first, sep, cap);
    let expected = head.count;
    if expected < 2 {
        return Err(whole(format!(
            "only one column (separator detected on line {first_no}: {}): need at least one feature column followed by the label column",
            separator_name(sep)
        )));
    }
    if expected - 1 > MAX_CSV_FEATURES {
        return Err(whole(format!(
            "too many columns: line {first_no} has {} feature columns (and the label); at most {MAX_CSV_FEATURES}",
            expected - 1
        )));
    }
    let dim = expected - 1;
    let is_header = head.problem.is_none() && head.fields[..dim].iter().all(|f| number(f, sep).is_none());
    let names: Option<Vec<String>> = is_header.then(|| head.fields.iter().map(|f| f.to_string()).collect());
    let column = |i: usize| match &names {
        Some(n) => format!("column {} ({})", i + 1, shown(&n[i])),
        None => format!("column {}", i + 1),
    };
    let shape_origin =
        if is_header { format!("as in the header on line {first_no}") } else { format!("as on line {first_no}") };

    let mut whole_problems: Vec<CsvProblem> = Vec::new();
    let mut problems: Vec<CsvProblem> = Vec::new();
    let mut x: Vec<f32> = Vec::new();
    let mut y: Vec<usize> = Vec::new();
    let mut class_names: Vec<String> = Vec::new();
    let mut eleventh: Option<(String, usize)> = None;
    let mut data_rows = 0usize;
    let mut row = Vec::with_capacity(dim);

    let data_lines = std::iter::once((first_no, first)).filter(|_| !is_header).chain(lines.by_ref());
    for (no, line) in data_lines {
        data_rows += 1;
        if data_rows > MAX_CSV_ROWS {
            break;
        }
        let split = if no == first_no {
            Split { fields: head.fields.clone(), count: head.count, problem: head.problem.clone() }
        } else {
            split_line(line, sep, cap)
        };
        let mut report = |message: String| problems.push(CsvProblem { line: no, message });
        if let Some(p) = split.problem {
            report(p);
            continue;
        }
        if split.count != expected {
            report(format!(
                "expected {expected} fields ({dim} feature{} and the label, {shape_origin}), found {}",
                if dim == 1 { "" } else { "s" },
                split.count
            ));
            continue;
        }
        row.clear();
        let mut bad: Vec<String> = Vec::new();
        let mut bad_count = 0;
        for (i, f) in split.fields[..dim].iter().enumerate() {
            match number(f, sep) {
                Some(v) if v.is_finite() => row.push(v),
                got => {
                    bad_count += 1;
                    if bad.is_empty() {
                        bad.push(match got {
                            Some(_) => format!("{}: {} is not a finite number (NaN, infinity and values beyond the f32 range are refused)", column(i), shown(f)),
                            None => format!("{}: not a number: {}", column(i), shown(f)),
                        });
                    }
                }
            }
        }
        if let Some(first_bad) = bad.pop() {
            let more = bad_count - 1;
            report(if more > 0 {
                format!("{first_bad} (and {more} more bad value{} on this line)", if more == 1 { "" } else { "s" })
            } else {
                first_bad
            });
        }
        let label = &split.fields[dim];
        let class = if label.is_empty() {
            report(format!("empty label ({}, the last column)", column(dim)));
            None
        } else if let Some(k) = class_names.iter().position(|c| c == label) {
            Some(k)
        } else if class_names.len() < MAX_CLASSES {
            class_names.push(label.to_string());
            Some(class_names.len() - 1)
        } else {
            eleventh.get_or_insert_with(|| (label.to_string(), no));
            None
        };
        if let (Some(k), 0) = (class, bad_count) {
            x.extend_from_slice(&row);
            y.push(k);
        }
    }

    if data_rows > MAX_CSV_ROWS {
        let total = data_rows + lines.count();
        whole_problems.push(CsvProblem {
            line: 0,
            message: format!(
                "too many rows: {total} data rows; at most {MAX_CSV_ROWS} (only the first {MAX_CSV_ROWS} were checked)"
            ),
        });
    }
    if data_rows == 0 {
        whole_problems
            .push(CsvProblem { line: 0, message: format!("no data rows: only the header on line {first_no}") });
    }
    if let Some((label, no)) = eleventh {
        whole_problems.push(CsvProblem {
            line: 0,
            message: format!(
                "more than {MAX_CLASSES} classes: label {} on line {no} is the 11th distinct one",
                shown(&label)
            ),
        });
    } else if class_names.len() == 1 {
        whole_problems.push(CsvProblem {
            line: 0,
            message: format!("only one class ({}): at least 2 are needed", shown(&class_names[0])),
        });
    }
    if !whole_problems.is_empty() || !problems.is_empty() {
        whole_problems.extend(problems);
        return Err(CsvError { problems: whole_problems });
    }
    Ok(Table { x, y, dim, classes: class_names.len(), class_names })
}

/// The table's rows as points (features 1 and 2 as `x` and `y`, the class as the label), for a
/// table with 2 features and 2 classes; `None` otherwise. Coordinates are kept as they are (the
/// point string clamps them to `[-1.5, 1.5]` and quantises them).
pub fn table_to_points(t: &Table) -> Option<Vec<Point>> {
    if t.dim != 2 || t.classes != 2 {
        return None;
    }
    Some(t.x.chunks_exact(2).zip(&t.y).map(|(r, &k)| Point { x: r[0], y: r[1], label: k as u8 }).collect())
}

/// Whether the table can travel in the URL as a point string: 2 features, 2 classes and at most
/// [`MAX_URL_POINTS`] rows.
pub fn fits_in_url(t: &Table) -> bool {
    t.dim == 2 && t.classes == 2 && t.rows() <= MAX_URL_POINTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_handles_quotes_spaces_and_the_cap() {
        let s = split_line(r#" a , "b,""c""" ,,"d" "#, b',', 10);
        assert_eq!(s.fields, vec!["a", "b,\"c\"", "", "d"]);
        assert_eq!((s.count, s.problem), (4, None));
        let s = split_line("1,2,3,4,5", b',', 2);
        assert_eq!((s.fields.len(), s.count), (2, 5));
        // With a tab separator, an empty field before a quoted one stays empty.
        let s = split_line("1\t\t\"x\"", b'\t', 10);
        assert_eq!(s.fields, vec!["1", "", "x"]);
        assert!(split_line("1,\"2", b',', 10).problem.unwrap().contains("column 2: unterminated quote"));
    }

    #[test]
    fn lengths_and_codes() {
        assert_eq!((payload_len(0), payload_len(1), payload_len(2), payload_len(400)), (0, 5, 9, 1667));
        assert_eq!((code(-1.5), code(1.5), code(f32::NAN), code(-100.0)), (0, MAX_CODE, 2048, 0));
        assert_eq!(coord(0), -1.5);
        assert_eq!(coord(MAX_CODE), 1.5);
    }
}

/// [`decode_points`], with the empty string meaning no points (the `pts` key's default).
pub fn decode_points_or_empty(s: &str) -> Result<Vec<Point>, String> {
    if s.is_empty() { Ok(Vec::new()) } else { decode_points(s) }
}

/// Number of points in a valid point string (0 for the empty string).
pub fn point_count(s: &str) -> usize {
    if s.len() < 2 { 0 } else { ((s.len() - 1) * 6) / 25 }
}
