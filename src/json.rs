//! A tiny JSON writer for the few objects the engine emits (CLI reports, snapshots for the page).
//! Non-finite numbers become `null`.

use std::fmt::Write;

#[derive(Default)]
pub struct Obj {
    out: String,
}

impl Obj {
    pub fn new() -> Self {
        Obj { out: String::from("{") }
    }
    fn key(&mut self, k: &str) {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        let _ = write!(self.out, "{}:", string(k));
    }
    pub fn num(mut self, k: &str, v: f64) -> Self {
        self.key(k);
        self.out.push_str(&number(v));
        self
    }
    pub fn f32(mut self, k: &str, v: f32) -> Self {
        self.key(k);
        self.out.push_str(&number32(v));
        self
    }
    pub fn str(mut self, k: &str, v: &str) -> Self {
        self.key(k);
        self.out.push_str(&string(v));
        self
    }
    pub fn bool(mut self, k: &str, v: bool) -> Self {
        self.key(k);
        self.out.push_str(if v { "true" } else { "false" });
        self
    }
    /// A value that is already JSON.
    pub fn raw(mut self, k: &str, json: &str) -> Self {
        self.key(k);
        self.out.push_str(json);
        self
    }
    pub fn f32s(self, k: &str, v: &[f32]) -> Self {
        let s = array32(v);
        self.raw(k, &s)
    }
    pub fn opt_f32s(self, k: &str, v: Option<&[f32]>) -> Self {
        match v {
            Some(v) => self.f32s(k, v),
            None => self.raw(k, "null"),
        }
    }
    pub fn end(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

pub fn number(v: f64) -> String {
    if v.is_finite() { format!("{v}") } else { "null".into() }
}

/// An f32 in its shortest form that reads back to the same f32.
pub fn number32(v: f32) -> String {
    if v.is_finite() { format!("{v}") } else { "null".into() }
}

pub fn array32(v: &[f32]) -> String {
    let mut s = String::from("[");
    for (i, &x) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&number32(x));
    }
    s.push(']');
    s
}

/// `[a, b, ...]` from already-JSON items.
pub fn list(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(","))
}

pub fn string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
