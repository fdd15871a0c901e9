//! Run files: a run exported by the page (Export run) and read back (Import run).
//!
//! A file is a JSON object (version 2):
//!
//! ```json
//! {"format": "np-playground-run", "version": 2,
//!  "config": "v=1&data=circle&...", "compare": ["inp", "anp:blind"], "seeds": 1,
//!  "xaxis": "steps", "hide": [], "embed": false, "lesson": null, "step": 1200,
//!  "runs": [{"label": "np", "checksum": "0123456789abcdef"}, ...], "csv": null}
//! ```
//!
//! It carries everything the page's link carries but its playing state (`play`, `speed`): the
//! canonical configuration (drawn points travel in its `pts`, an uploaded table's id in its
//! `table`), the compared rules, the seeds, the x axis and the view keys; the step the runs
//! reached with every run's checksum there; and, for `data=upload`, the table's text.
//!
//! [`read`] trusts nothing in a file: every field is checked by the code that checks the link
//! (the configuration by the strict codec, each compare item alone by the link's compare reader,
//! `seeds`, `xaxis`, `hide`, `embed`, `lesson` and `step` by the link's page-key reader), sizes
//! are bounded before anything is built, unknown fields are reported, and what it returns to
//! open is a fragment written by [`Link::fragment`], so nothing in a file reaches the page but
//! what a link may say. A problem with the configuration, the step or the table refuses the whole
//! file (nothing is applied); a problem with a view key, a compare item or a run's checksum is
//! reported and the rest opens. Version 1 files (`config`, `compare`, `step`, `checksum`, `csv`)
//! are still read.
//!
//! The JSON reader here is a small one for this format (no serde deserializer, which would add
//! to the page's WebAssembly module); files are written with serde_json's serializer.

use super::config::{ConfigError, RunConfig, shown};
use super::cost::Shape;
use super::link::{Link, MAX_AT, MAX_COMPARE, MAX_SEEDS};
use crate::data::csv::{self, Table};
use crate::data::{DataSet, Sources};

/// The `format` every run file names.
pub const FORMAT: &str = "np-playground-run";
/// The version [`write`] writes.
pub const VERSION: u32 = 2;
/// Largest run file read: its table (at most [`csv::MAX_CSV_BYTES`]) with JSON escaping, plus
/// room for the rest.
pub const MAX_FILE_BYTES: usize = 2 * csv::MAX_CSV_BYTES + 65_536;
/// Longest compare item, label, lesson or hide group read.
const MAX_NAME: usize = 40;
/// Most entries read in `compare` and `hide`.
const MAX_LIST: usize = 12;
/// Most runs a link builds: every rule over every seed.
pub const MAX_RUNS: usize = (1 + MAX_COMPARE) * MAX_SEEDS;
/// Most unknown fields named (the rest are counted).
const MAX_UNKNOWN_SHOWN: usize = 5;

const V1_FIELDS: &[&str] = &["format", "version", "config", "compare", "step", "checksum", "csv"];
const V2_FIELDS: &[&str] =
    &["format", "version", "config", "compare", "seeds", "xaxis", "hide", "embed", "lesson", "step", "runs", "csv"];

/// What was wrong with a field of a run file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    /// The field (`config`, `compare`, `runs`, ...), or `(file)` for the whole file.
    pub field: String,
    pub message: String,
}

/// The checksum a run should show once replayed to the file's step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub label: String,
    pub checksum: String,
}

/// What [`read`] makes of a run file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// Whether the file can be opened (no problem refused it).
    pub ok: bool,
    /// The file's version (when it names one this build reads).
    pub version: Option<u32>,
    /// The link to open (canonical, with `at=` the step when above 0), when `ok`.
    pub fragment: Option<String>,
    /// The step the runs reached.
    pub step: Option<u64>,
    /// The checksum each run should show at `step` (runs of the link only).
    pub checksums: Vec<Expected>,
    /// The uploaded table's id (16 hex digits), for `data=upload`.
    pub table: Option<String>,
    /// The uploaded table's text, for `data=upload` (left out once a worker keeps the table).
    pub csv: Option<String>,
    /// Everything refused or left out, refusals first.
    pub problems: Vec<FileProblem>,
}

impl Reply {
    /// The reply as JSON: `{"ok", "version", "fragment", "step", "checksums": [{"label",
    /// "checksum"}], "table", "csv", "problems": [{"field", "message"}]}` (written here rather than
    /// derived, which keeps the page's WebAssembly module smaller).
    pub fn to_json(&self) -> String {
        let text = |v: &Option<String>| v.as_deref().map_or("null".to_string(), quoted);
        let pairs = |a: &str, b: &str, items: Vec<(&str, &str)>| {
            let items: Vec<String> =
                items.iter().map(|(x, y)| format!("{{\"{a}\":{},\"{b}\":{}}}", quoted(x), quoted(y))).collect();
            items.join(",")
        };
        format!(
            "{{\"ok\":{},\"version\":{},\"fragment\":{},\"step\":{},\"checksums\":[{}],\"table\":{},\"csv\":{},\"problems\":[{}]}}",
            self.ok,
            self.version.map_or("null".to_string(), |v| v.to_string()),
            text(&self.fragment),
            self.step.map_or("null".to_string(), |v| v.to_string()),
            pairs(
                "label",
                "checksum",
                self.checksums.iter().map(|e| (e.label.as_str(), e.checksum.as_str())).collect()
            ),
            text(&self.table),
            text(&self.csv),
            pairs("field", "message", self.problems.iter().map(|p| (p.field.as_str(), p.message.as_str())).collect()),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// A small JSON reader.

/// A JSON value; numbers are kept as written (checked against JSON's grammar), so a whole
/// number is read exactly.
#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

/// Deepest nesting read (the format needs 3).
const MAX_DEPTH: usize = 16;
/// Most values in a file (the format needs a few dozen).
const MAX_VALUES: usize = 10_000;

struct Reader<'a> {
    s: &'a [u8],
    at: usize,
    values: usize,
}

/// What went wrong where the reader stopped.
type Fail = &'static str;

impl Reader<'_> {
    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.at) {
            self.at += 1;
        }
    }

    fn eat(&mut self, word: &str) -> bool {
        let hit = self.s[self.at..].starts_with(word.as_bytes());
        if hit {
            self.at += word.len();
        }
        hit
    }

    /// Skips spaces, then `,` (true: more follow) or `close` (false); anything else fails.
    fn next_or(&mut self, close: &str) -> Result<bool, Fail> {
        self.space();
        if self.eat(",") {
            Ok(true)
        } else if self.eat(close) {
            Ok(false)
        } else {
            Err("expected ',' or the list's or object's end")
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, Fail> {
        self.values += 1;
        if depth > MAX_DEPTH {
            return Err("nested too deeply");
        }
        if self.values > MAX_VALUES {
            return Err("more than 10000 values");
        }
        self.space();
        if self.eat("{") {
            let mut fields: Vec<(String, Json)> = Vec::new();
            self.space();
            let mut more = !self.eat("}");
            while more {
                self.space();
                if !self.eat("\"") {
                    return Err("expected a field name in quotes");
                }
                let key = self.string()?;
                self.space();
                if !self.eat(":") {
                    return Err("expected ':' after a field name");
                }
                fields.push((key, self.value(depth + 1)?));
                more = self.next_or("}")?;
            }
            return Ok(Json::Obj(fields));
        }
        if self.eat("[") {
            let mut items = Vec::new();
            self.space();
            let mut more = !self.eat("]");
            while more {
                items.push(self.value(depth + 1)?);
                more = self.next_or("]")?;
            }
            return Ok(Json::Arr(items));
        }
        if self.eat("\"") {
            return Ok(Json::Str(self.string()?));
        }
        if self.eat("true") {
            return Ok(Json::Bool(true));
        }
        if self.eat("false") {
            return Ok(Json::Bool(false));
        }
        if self.eat("null") {
            return Ok(Json::Null);
        }
        self.number()
    }

    fn digits(&mut self) -> usize {
        let from = self.at;
        while let Some(b'0'..=b'9') = self.s.get(self.at) {
            self.at += 1;
        }
        self.at - from
    }

    /// A number as JSON writes it: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<Json, Fail> {
        let start = self.at;
        self.eat("-");
        let ok = (self.eat("0") || self.digits() > 0)
            && (!self.eat(".") || self.digits() > 0)
            && (!(self.eat("e") || self.eat("E")) || {
                let _ = self.eat("+") || self.eat("-");
                self.digits() > 0
            });
        if !ok {
            return Err("not a value (expected an object, a list, text, a number, true, false or null)");
        }
        Ok(Json::Num(String::from_utf8_lossy(&self.s[start..self.at]).into_owned()))
    }

    fn hex4(&mut self) -> Result<u32, Fail> {
        let mut v = 0;
        for _ in 0..4 {
            let d = self.s.get(self.at).and_then(|&c| (c as char).to_digit(16)).ok_or("malformed \\u escape")?;
            v = 16 * v + d;
            self.at += 1;
        }
        Ok(v)
    }

    /// A string (the reader is past its opening quote).
    fn string(&mut self) -> Result<String, Fail> {
        let mut out: Vec<u8> = Vec::new();
        loop {
            // Copy the run of plain bytes up to the next quote, backslash or control byte.
            let n = self.s[self.at..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .ok_or("unterminated text")?;
            out.extend_from_slice(&self.s[self.at..self.at + n]);
            self.at += n + 1;
            let c = match self.s[self.at - 1] {
                // The input is a &str, so the copied runs are UTF-8; escapes add UTF-8 too.
                b'"' => return String::from_utf8(out).map_err(|_| "malformed text"),
                b'\\' => {
                    self.at += 1;
                    match self.s.get(self.at - 1) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let mut code = self.hex4()?;
                            if (0xd800..0xdc00).contains(&code) && self.eat("\\u") {
                                let lo = self.hex4()?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    code = 0x10000 + ((code - 0xd800) << 10) + (lo - 0xdc00);
                                }
                            }
                            char::from_u32(code).ok_or("a lone surrogate in a \\u escape")?
                        }
                        _ => return Err("unknown escape in text"),
                    }
                }
                _ => return Err("a control character inside text"),
            };
            out.extend_from_slice(c.encode_utf8(&mut [0u8; 4]).as_bytes());
        }
    }
}

/// Parses a JSON text.
fn parse_json(text: &str) -> Result<Json, String> {
    let mut r = Reader { s: text.as_bytes(), at: 0, values: 0 };
    let v = r.value(0).and_then(|v| {
        r.space();
        if r.at == r.s.len() { Ok(v) } else { Err("text after the end") }
    });
    v.map_err(|what| format!("not a valid run file (JSON): {what} at character {}", r.at + 1))
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "true or false",
        Json::Num(_) => "a number",
        Json::Str(_) => "text",
        Json::Arr(_) => "a list",
        Json::Obj(_) => "an object",
    }
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// Problems found so far; `fatal` ones refuse the file.
#[derive(Default)]
struct Problems {
    fatal: Vec<FileProblem>,
    other: Vec<FileProblem>,
}

impl Problems {
    fn refuse(&mut self, field: &str, message: impl Into<String>) {
        self.fatal.push(FileProblem { field: field.to_string(), message: message.into() });
    }
    fn note(&mut self, field: &str, message: impl Into<String>) {
        self.other.push(FileProblem { field: field.to_string(), message: message.into() });
    }
    /// A problem the link's reader found, under `field`.
    fn note_link(&mut self, field: &str, e: &ConfigError) {
        let message = if e.value.is_empty() { e.message.clone() } else { format!("{}: {}", e.value, e.message) };
        self.note(field, message);
    }
}

/// A whole number as JSON writes it (digits only), within `max`.
fn whole(v: &Json, max: u64) -> Option<u64> {
    match v {
        Json::Num(n) if n.bytes().all(|c| c.is_ascii_digit()) => n.parse::<u64>().ok().filter(|&k| k <= max),
        _ => None,
    }
}

/// A checksum as the page writes it: 16 hex digits, lowercase.
fn checksum_of(s: &str) -> Option<String> {
    csv::parse_table_id(s).map(|v| format!("{v:016x}"))
}

/// A single value of a view key as the link writes it, `%`-escaped (so it cannot end the key or
/// start another): a number as written, text (at most [`MAX_NAME`] characters), true or false.
fn scalar(v: &Json) -> Option<String> {
    let text = match v {
        Json::Num(n) => n.as_str(),
        Json::Str(s) if s.chars().count() <= MAX_NAME => s.as_str(),
        Json::Bool(b) => {
            if *b {
                "1"
            } else {
                "0"
            }
        }
        _ => return None,
    };
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' {
            out.push(b as char);
        } else {
            out += &format!("%{b:02X}");
        }
    }
    Some(out)
}

/// The entries of a list field (`compare`, `hide`): at most [`MAX_LIST`], each a name of
/// lowercase letters, digits, `-` and `:` (at most [`MAX_NAME`] characters), so no entry can hold
/// a separator or another key; the rest is noted and left out.
fn entries<'a>(field: &str, v: Option<&'a Json>, p: &mut Problems) -> Vec<&'a str> {
    let mut out = Vec::new();
    match v {
        None | Some(Json::Null) => {}
        Some(Json::Arr(items)) if items.len() <= MAX_LIST => {
            for item in items {
                match item {
                    Json::Str(s)
                        if !s.is_empty()
                            && s.len() <= MAX_NAME
                            && s.bytes()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b':' || c == b'-') =>
                    {
                        out.push(s.as_str())
                    }
                    Json::Str(s) => p.note(field, format!("{}: not a {field} entry; left out", shown(s))),
                    other => p.note(field, format!("an entry is {}, not text; left out", kind(other))),
                }
            }
        }
        Some(_) => p.note(field, format!("expected a list of at most {MAX_LIST} names; left out")),
    }
    out
}

/// Reads a run file's text (see the module documentation): the reply, and the uploaded table when
/// the file has one (parsed, with its text), for the caller to keep.
pub fn read(text: &str) -> (Reply, Option<(Table, String)>) {
    let mut p = Problems::default();
    let mut reply = Reply {
        ok: false,
        version: None,
        fragment: None,
        step: None,
        checksums: Vec::new(),
        table: None,
        csv: None,
        problems: Vec::new(),
    };
    let table = read_into(text, &mut reply, &mut p);
    reply.ok = p.fatal.is_empty();
    if !reply.ok {
        reply.fragment = None;
        reply.checksums.clear();
        reply.table = None;
        reply.csv = None;
    }
    reply.problems = p.fatal.into_iter().chain(p.other).collect();
    let table = if reply.ok { table } else { None };
    (reply, table)
}

fn read_into(text: &str, reply: &mut Reply, p: &mut Problems) -> Option<(Table, String)> {
    if text.len() > MAX_FILE_BYTES {
        p.refuse("(file)", format!("the file is {} bytes; a run file is at most {MAX_FILE_BYTES}", text.len()));
        return None;
    }
    let fields = match parse_json(text) {
        Ok(Json::Obj(fields)) => fields,
        Ok(_) => {
            p.refuse("(file)", "not a run file: not a JSON object");
            return None;
        }
        Err(m) => {
            p.refuse("(file)", m);
            return None;
        }
    };
    // Each field once.
    for (i, (k, _)) in fields.iter().enumerate() {
        if fields[..i].iter().any(|(j, _)| j == k) {
            p.refuse(&shown(k), "this field appears more than once");
            return None;
        }
    }
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    if !matches!(get("format"), Some(Json::Str(f)) if f == FORMAT) {
        p.refuse("format", format!("not a run exported by NP Playground (its format is {FORMAT})"));
        return None;
    }
    let version = match get("version").and_then(|v| whole(v, 9)) {
        Some(v @ (1 | 2)) => v as u32,
        _ => {
            p.refuse("version", format!("not a version this build reads (1 or {VERSION})"));
            return None;
        }
    };
    reply.version = Some(version);
    let known = if version == 1 { V1_FIELDS } else { V2_FIELDS };
    let unknown: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).filter(|k| !known.contains(k)).collect();
    for k in unknown.iter().take(MAX_UNKNOWN_SHOWN) {
        p.note(&shown(k), format!("unknown field, left out; a version {version} run file has {}", known.join(", ")));
    }
    if unknown.len() > MAX_UNKNOWN_SHOWN {
        p.note("(file)", format!("and {} more unknown fields, left out", unknown.len() - MAX_UNKNOWN_SHOWN));
    }

    // The configuration, by the strict codec, and the step: a file whose run cannot be built as
    // written opens nothing.
    let config = match get("config") {
        Some(Json::Str(s)) => RunConfig::parse(s).map_err(|e| p.refuse("config", e.to_string())).ok(),
        _ => {
            p.refuse("config", "expected the configuration as text");
            None
        }
    };
    let step = get("step").and_then(|v| whole(v, MAX_AT));
    if step.is_none() {
        p.refuse("step", format!("expected a whole number of steps from 0 to {MAX_AT}"));
    }
    reply.step = step;

    // The table: parsed with the CSV reader's rules, the one the configuration names, and one
    // the run can train on.
    let mut table: Option<(Table, String)> = None;
    let upload = config.as_ref().is_some_and(|c| c.data == DataSet::Upload);
    match (get("csv"), &config) {
        (None | Some(Json::Null), _) if upload => {
            p.refuse("csv", "missing: this run trains on an uploaded table (data=upload), and the file holds none")
        }
        (Some(Json::Str(_)), Some(c)) if !upload => {
            p.note("csv", format!("left out: the run does not train on an uploaded table (data={})", c.data.key()))
        }
        (Some(Json::Str(s)), Some(c)) => match csv::parse_csv(s) {
            Err(e) => p.refuse("csv", e.to_string()),
            Ok(t) => match c.check_table(Some(&t)).and_then(|()| c.check_data(&Shape::of_table(&t))) {
                Err(e) => p.refuse("csv", e.to_string()),
                Ok(()) => table = Some((t, s.clone())),
            },
        },
        (None | Some(Json::Null), _) | (Some(Json::Str(_)), None) => {}
        (Some(_), _) => p.refuse("csv", "expected the table as text"),
    }
    let mut config = config?;
    if !p.fatal.is_empty() {
        return None;
    }
    if let Some((t, _)) = &table {
        config.table = Some(t.id);
    }

    // The rest as the link writes it, each value escaped and each list entry a bare name, read by
    // the link's own reader.
    let mut fragment = config.to_string();
    if let Some(s) = step.filter(|&s| s > 0) {
        fragment += &format!("&at={s}");
    }
    let compare = entries("compare", get("compare"), p);
    if !compare.is_empty() {
        fragment += &format!("&compare={}", compare.join(","));
    }
    if version == 2 {
        let hide = entries("hide", get("hide"), p);
        if !hide.is_empty() {
            fragment += &format!("&hide={}", hide.join(","));
        }
        for key in ["seeds", "xaxis", "embed", "lesson"] {
            match get(key) {
                None | Some(Json::Null) => {}
                Some(v) => match scalar(v) {
                    Some(value) => fragment += &format!("&{key}={value}"),
                    None => p.note(
                        key,
                        format!("expected a number, true or false, or at most {MAX_NAME} characters; left out"),
                    ),
                },
            }
        }
    }
    let mut link = Link::parse(&fragment);
    // An upload's runs are fitted to the limits with its table.
    link.fit(&Sources { digits: None, table: table.as_ref().map(|(t, _)| t) });
    for e in std::mem::take(&mut link.problems) {
        p.note_link(&e.key, &e);
    }

    // The checksums, for the runs the link builds.
    let labels: Vec<String> = link.runs().into_iter().map(|(l, _)| l).collect();
    let mut expect = |entry: Option<(&Json, &Json)>, p: &mut Problems| {
        let found = match entry {
            Some((Json::Str(label), Json::Str(sum))) => checksum_of(sum)
                .filter(|_| labels.contains(label) && !reply.checksums.iter().any(|e| e.label == *label))
                .map(|checksum| Expected { label: label.clone(), checksum }),
            Some((Json::Str(_), Json::Null)) => return,
            _ => None,
        };
        match found {
            Some(e) => reply.checksums.push(e),
            None => p.note(
                "runs",
                "an entry is not a run of this link (once) with a checksum of 16 hex digits; not checked",
            ),
        }
    };
    let own = Json::Str(link.label().into());
    if version == 1 {
        if let Some(sum) = get("checksum") {
            expect(Some((&own, sum)), p);
        }
    } else {
        match get("runs") {
            None | Some(Json::Null) => {}
            Some(Json::Arr(items)) if items.len() <= MAX_RUNS => {
                for item in items {
                    let entry = match item {
                        Json::Obj(f) if f.len() == 2 => {
                            let field = |name: &str| f.iter().find(|(k, _)| k == name).map(|(_, v)| v);
                            field("label").zip(field("checksum"))
                        }
                        _ => None,
                    };
                    expect(entry, p);
                }
            }
            Some(_) => p.note("runs", format!("expected a list of at most {MAX_RUNS} runs; left out")),
        }
    }

    reply.fragment = Some(link.fragment());
    reply.table = link.config.table.map(|t| format!("{t:016x}"));
    reply.csv = table.as_ref().map(|(_, text)| text.clone());
    table
}

// ---------------------------------------------------------------------------------------------
// Writing.

/// The page's link (its fragment) as a [`Link`] to write: a link with a problem is refused, so
/// a file never holds what its page did not run.
pub fn link_of(fragment: &str) -> Result<Link, String> {
    let link = Link::parse(fragment);
    match link.problems.first() {
        Some(e) => Err(format!("the page's link has a problem ({e}); nothing was written")),
        None => Ok(link),
    }
}

/// The step the runs reached and each run's label and checksum (16 hex digits, or empty when
/// not known), as the page hands them.
#[derive(Clone, Debug, PartialEq)]
pub struct RunsAt {
    pub step: f64,
    pub runs: Vec<(String, String)>,
}

/// [`RunsAt`] from the page's two lists (labels and checksums, the same length).
pub fn runs_of(step: f64, labels: Vec<String>, checksums: Vec<String>) -> RunsAt {
    RunsAt { step, runs: labels.into_iter().zip(checksums).collect() }
}

/// `s` as a JSON string.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// `items` as a JSON list of strings.
fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(quoted).collect();
    format!("[{}]", items.join(","))
}

/// A run file (version [`VERSION`]) of `link` with its runs at `at`: the runs must be the link's
/// own, in its order; for `data=upload` the table (parsed, with its text) must be given and be
/// the one the link names (a link naming none gets its id).
pub fn write(link: &Link, at: &RunsAt, table: Option<(&Table, &str)>) -> Result<String, String> {
    if !(at.step.is_finite() && at.step >= 0.0 && at.step.fract() == 0.0 && at.step <= MAX_AT as f64) {
        return Err(format!("the step {} is not a whole number from 0 to {MAX_AT}", at.step));
    }
    let runs = link.runs();
    let want: Vec<&str> = runs.iter().map(|(l, _)| l.as_str()).collect();
    let got: Vec<&str> = at.runs.iter().map(|(l, _)| l.as_str()).collect();
    if want != got {
        return Err(format!("the runs given ({}) are not the link's ({})", got.join(", "), want.join(", ")));
    }
    let mut file_runs = Vec::new();
    for (label, sum) in &at.runs {
        let checksum = if sum.is_empty() {
            "null".to_string()
        } else {
            quoted(
                &checksum_of(sum)
                    .ok_or_else(|| format!("{label}: the checksum {} is not 16 hex digits", shown(sum)))?,
            )
        };
        file_runs.push(format!("{{\"label\":{},\"checksum\":{checksum}}}", quoted(label)));
    }
    let mut config = link.config.clone();
    let csv = if config.data == DataSet::Upload {
        let (t, text) = table.ok_or("the run trains on an uploaded table, and none is loaded")?;
        config.check_table(Some(t)).map_err(|e| e.to_string())?;
        config.table = Some(t.id);
        quoted(text)
    } else {
        "null".into()
    };
    let v = &link.view;
    Ok(format!(
        "{{\"format\":\"{FORMAT}\",\"version\":{VERSION},\"config\":{},\"compare\":{},\"seeds\":{},\"xaxis\":\"{}\",\"hide\":{},\"embed\":{},\"lesson\":{},\"step\":{},\"runs\":[{}],\"csv\":{csv}}}",
        quoted(&config.to_string()),
        list(link.compare.iter().map(|r| r.label.as_str())),
        v.seeds,
        v.xaxis,
        list(v.hide.iter().copied()),
        v.embed,
        v.lesson.as_deref().map_or("null".into(), quoted),
        at.step as u64,
        file_runs.join(","),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_reader_reads_what_serde_json_writes() {
        let v = serde_json::json!({"a": [1, -2.5e3, "x\u{1f600}\"\\\n\u{1}", null, true, false, {}], "b": []});
        let text = serde_json::to_string(&v).unwrap();
        let Json::Obj(f) = parse_json(&text).unwrap() else { panic!() };
        assert_eq!(f[0].0, "a");
        let Json::Arr(items) = &f[0].1 else { panic!() };
        assert_eq!(items[0], Json::Num("1".into()));
        assert_eq!(items[1], Json::Num("-2500.0".into()));
        assert_eq!(items[2], Json::Str("x\u{1f600}\"\\\n\u{1}".into()));
        assert_eq!(parse_json(r#""\ud83d\ude00""#).unwrap(), Json::Str("\u{1f600}".into()));
        for bad in ["", "{", "[1,]", "01", "1.", "\"\\ud83d\"", "\"a\nb\"", "{\"a\" 1}", "nul", "1 2", "\"\\x\""] {
            assert!(parse_json(bad).is_err(), "{bad:?}");
        }
        assert!(parse_json(&"[".repeat(100)).unwrap_err().contains("nested too deeply"));
    }
}
