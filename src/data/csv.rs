//! Tables uploaded as CSV.
//!
//! [`parse_csv`] reads a table of `N >= 2` numeric feature columns followed by one label column
//! (the last column is always the label):
//! - A file is read from its bytes ([`parse_csv_bytes`], the one rule of the page and the CLI):
//!   UTF-8 (a leading byte-order mark is ignored); a file that is not valid UTF-8 is read as
//!   Windows-1252 (the superset of Latin-1 that spreadsheets write), byte for byte, and the report
//!   names the first line that is not UTF-8. UTF-16 text and bytes that are not text (NUL) are
//!   refused with a message that says so.
//! - Lines end in `\n` or `\r\n`. Blank lines and lines whose first non-space character is `#`
//!   are skipped (line numbers in messages still count them, from 1).
//! - The separator is detected from the first line that is not skipped: whichever of tab,
//!   semicolon and comma occurs most often outside quotes (a tie goes to the tab, then the
//!   semicolon, since a decimal comma comes with those), so a stray tab in a comma-separated
//!   line does not switch the separator.
//! - That first line is a header when none of its feature fields (all but the last) is a number;
//!   its names are then used in messages. Every line after it is a data row and must have the
//!   same number of fields.
//! - Fields may have spaces around them and may be quoted with `"` (a separator inside quotes is
//!   part of the field, `""` inside quotes is one `"`). Quoted fields do not span lines.
//! - Features are finite `f32` numbers (`1`, `-0.5`, `2e-3`, ...; NaN, infinity and numbers beyond
//!   the `f32` range are refused). With a semicolon or tab separator, a decimal comma (`1,5`) is
//!   also accepted. A table with a value beyond [`MAX_ABS_VALUE`] in size is refused with its
//!   largest value named and a word on rescaling: a network's inputs should be of order 1 (at
//!   1e8 a network of ReLU units diverges at its first step, whatever the rule;
//!   `tests/userdata.rs` runs it).
//! - Labels are any non-empty text (after trimming spaces and quotes), such as `0`/`1` or
//!   `setosa`; distinct texts are classes `0, 1, ...` in order of first appearance (`1` and `01`
//!   are different labels).
//! - Bounds: at most [`MAX_CSV_BYTES`] bytes (refused before parsing), [`MAX_CSV_ROWS`] data rows,
//!   [`MIN_CSV_FEATURES`] to [`MAX_CSV_FEATURES`] feature columns, and between 2 and
//!   [`MAX_CLASSES`] classes.
//!
//! Every problem is reported, not just the first: each malformed row (among the first
//! [`MAX_CSV_ROWS`]) gives a [`CsvProblem`] with its line number, and problems of the whole file
//! have line 0. Values quoted in messages are cut to 40 characters and escaped, so messages hold
//! no control characters.
//!
//! A parsed table has an identity, [`Table::id`]: a 64-bit FNV-1a hash of its numbers and its
//! labels' class numbers (not of the text), so the same table saved with CRLF or LF line ends, in
//! UTF-8 or Latin-1, with other spacing, quoting, comments or number spellings (`1`, `1.0`) has the
//! same id. The run's `table` key carries it, so a run names the table it trains on.

use std::borrow::Cow;
use std::fmt;

use super::points::{MAX_URL_POINTS, Point};

/// Largest CSV text accepted (20 MB); longer texts are refused before any parsing.
pub const MAX_CSV_BYTES: usize = 20_000_000;
/// Most data rows in a CSV table.
pub const MAX_CSV_ROWS: usize = 10_000;
/// Fewest feature columns in a CSV table (the input plane has two axes).
pub const MIN_CSV_FEATURES: usize = 2;
/// Most feature columns in a CSV table (the label column comes on top).
pub const MAX_CSV_FEATURES: usize = 1024;
/// Most classes in a CSV table (and at least 2 are needed).
pub const MAX_CLASSES: usize = 10;
/// Largest size of a feature value: a table with a value beyond it is refused (a network's inputs
/// should be of order 1; see the module documentation).
pub const MAX_ABS_VALUE: f32 = 1e6;

/// A user-supplied value for a message: cut to 40 characters (then `...` after the closing
/// quote), quoted, with control characters, quotes and backslashes escaped.
fn shown(v: &str) -> String {
    let cut: String = v.chars().take(40).collect();
    if cut.len() < v.len() { format!("{cut:?}...") } else { format!("{cut:?}") }
}

/// A table read from CSV: `rows` samples of `dim` features with labels in `0..classes`.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The table's identity ([`table_id`] of `x`, `y` and `dim`, computed when it was parsed).
    pub id: u64,
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
    /// The id as the `table` key writes it: 16 hex digits.
    pub fn id_hex(&self) -> String {
        format!("{:016x}", self.id)
    }
}

/// The identity of a table: 64-bit FNV-1a over `dim` and the row count (each as 8 bytes, little
/// endian), then row by row the features' `f32` bit patterns (4 bytes each, little endian; `-0`
/// counted as `0`) and the row's class number (4 bytes). The label texts do not count: a table
/// whose classes are named differently trains the same run.
pub fn table_id(x: &[f32], y: &[usize], dim: usize) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &byte in bytes {
            hash ^= byte as u64;
            hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
        }
    };
    eat(&(dim as u64).to_le_bytes());
    eat(&(y.len() as u64).to_le_bytes());
    for (row, &label) in x.chunks_exact(dim.max(1)).zip(y) {
        for &v in row {
            let v = if v == 0.0 { 0.0f32 } else { v };
            eat(&v.to_bits().to_le_bytes());
        }
        eat(&(label as u32).to_le_bytes());
    }
    hash
}

/// Reads a table id as the `table` key holds it: 16 hex digits.
pub fn parse_table_id(s: &str) -> Option<u64> {
    if s.len() != 16 {
        return None;
    }
    s.chars().try_fold(0u64, |v, c| Some(v << 4 | c.to_digit(16)? as u64))
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
pub const SHOWN_PROBLEMS: usize = 20;

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

/// Windows-1252's characters for the bytes 0x80 to 0x9f (the five bytes it leaves undefined map
/// to the C1 control character of the same number, as browsers' decoders do).
const CP1252_HIGH: [char; 32] = [
    '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2c6}', '\u{2030}',
    '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}', '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}',
    '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}',
    '\u{17e}', '\u{178}',
];

/// A file's bytes as text (see the module documentation): UTF-8 when they are, else
/// Windows-1252; UTF-16 and bytes that are not text are refused. With the text comes, for a file
/// read as Windows-1252, the first line that is not UTF-8.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Option<usize>), CsvError> {
    if bytes.len() > MAX_CSV_BYTES {
        return Err(too_large(bytes.len()));
    }
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(whole(
            "the file is UTF-16 text: save it as UTF-8 (in a spreadsheet: CSV UTF-8) or plain CSV".into(),
        ));
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        return Err(whole(format!(
            "the file holds a NUL byte (line {line}): it is not a text file; a CSV is text (numbers separated by commas)"
        )));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((Cow::Borrowed(text), None)),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count();
            let text: String = bytes
                .iter()
                .map(|&b| match b {
                    0x80..=0x9f => CP1252_HIGH[(b - 0x80) as usize],
                    _ => b as char,
                })
                .collect();
            Ok((Cow::Owned(text), Some(line)))
        }
    }
}

/// Parses a CSV file from its bytes: [`decode`], then [`parse_csv`] (the page and the CLI both
/// read files this way).
pub fn parse_csv_bytes(bytes: &[u8]) -> Result<Table, CsvError> {
    let (text, _) = decode(bytes)?;
    parse_csv(&text)
}

/// How often `sep` occurs in `line` outside quotes.
fn count_outside_quotes(line: &str, sep: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for c in line.bytes() {
        if c == b'"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            n += 1;
        }
    }
    n
}

/// The separator of a table whose first line is `first` (see the module documentation).
fn detect_separator(first: &str) -> u8 {
    let mut best = (0, b',');
    for sep in [b'\t', b';', b','] {
        let n = count_outside_quotes(first, sep);
        if n > best.0 {
            best = (n, sep);
        }
    }
    best.1
}

fn too_large(len: usize) -> CsvError {
    whole(format!("the file is {len} bytes; at most {MAX_CSV_BYTES} (20 MB) are accepted"))
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
        return Err(too_large(text.len()));
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

    let sep = detect_separator(first);
    let cap = MAX_CSV_FEATURES + 2;
    let head = split_line(first, sep, cap);
    let expected = head.count;
    if expected < 2 {
        return Err(whole(format!(
            "only one column (separator detected on line {first_no}: {}): need at least one feature column followed by the label column",
            separator_name(sep)
        )));
    }
    if expected - 1 < MIN_CSV_FEATURES {
        return Err(whole(format!(
            "only one feature column (line {first_no} has a feature and the label): at least {MIN_CSV_FEATURES} are needed, since the input plane has two axes; add a second feature column (for example the first one squared)"
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
    // The largest value's size, with its line, column and text as written.
    let mut largest: Option<(f32, usize, usize, String)> = None;

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
                Some(v) if v.is_finite() => {
                    if v.abs() > MAX_ABS_VALUE && largest.as_ref().is_none_or(|l| v.abs() > l.0) {
                        largest = Some((v.abs(), no, i, f.to_string()));
                    }
                    row.push(v)
                }
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
    if let Some((_, no, i, text)) = largest {
        whole_problems.push(CsvProblem {
            line: 0,
            message: format!(
                "values out of range: the largest, {} on line {no} ({}), is beyond ±{MAX_ABS_VALUE:.0}; a network's inputs should be of order 1 (at 1e8 a network of ReLU units diverges at its first step): rescale the column, for example divide it by a power of ten or standardise it",
                shown(&text),
                column(i)
            ),
        });
    }
    if !whole_problems.is_empty() || !problems.is_empty() {
        whole_problems.extend(problems);
        return Err(CsvError { problems: whole_problems });
    }
    Ok(Table { id: table_id(&x, &y, dim), x, y, dim, classes: class_names.len(), class_names })
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

/// What the page learns of an upload: its shape, its id (the `table` key's value), how its bytes
/// were read (a note when not UTF-8), and whether it fits in a link (then `pts` holds it as a point string); or every
/// problem found.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Report {
    Ok {
        ok: bool,
        rows: usize,
        dim: usize,
        classes: usize,
        class_names: Vec<String>,
        fits_in_url: bool,
        pts: Option<String>,
        /// [`Table::id`] as 16 hex digits.
        table: String,
        /// For a file read as Windows-1252 (not UTF-8): which line is not UTF-8; null for UTF-8.
        note: Option<String>,
    },
    /// The first [`SHOWN_PROBLEMS`] problems and how many more there are.
    Problems { ok: bool, problems: Vec<ReportedProblem>, more: usize, summary: String },
}

/// One problem of a [`Report`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ReportedProblem {
    pub line: usize,
    pub message: String,
}

fn report_of(parsed: &Result<Table, CsvError>, not_utf8: Option<usize>) -> Report {
    match parsed {
        Ok(t) => {
            let pts = if fits_in_url(t) { table_to_points(t).map(|p| super::points::encode_points(&p)) } else { None };
            Report::Ok {
                ok: true,
                rows: t.rows(),
                dim: t.dim,
                classes: t.classes,
                class_names: t.class_names.clone(),
                fits_in_url: pts.is_some(),
                pts,
                table: t.id_hex(),
                note: not_utf8
                    .map(|line| format!("line {line} is not UTF-8: the file was read as Windows-1252 (Latin-1)")),
            }
        }
        Err(e) => Report::Problems {
            ok: false,
            problems: e
                .problems
                .iter()
                .take(SHOWN_PROBLEMS)
                .map(|p| ReportedProblem { line: p.line, message: p.message.clone() })
                .collect(),
            more: e.problems.len().saturating_sub(SHOWN_PROBLEMS),
            summary: e.to_string(),
        },
    }
}

/// Parses a text and reports on it (see [`Report`]).
pub fn report(text: &str) -> Report {
    report_of(&parse_csv(text), None)
}

/// Reads a file's bytes once: the report, the table when it parsed, and its text as read (see
/// [`decode`]), which a run file carries.
pub fn load(bytes: &[u8]) -> (Report, Option<(Table, String)>) {
    match decode(bytes) {
        Err(e) => (report_of(&Err(e), None), None),
        Ok((text, not_utf8)) => {
            let parsed = parse_csv(&text);
            let report = report_of(&parsed, not_utf8);
            (report, parsed.ok().map(|t| (t, text.into_owned())))
        }
    }
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
}
