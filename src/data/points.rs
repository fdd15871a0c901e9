//! Points drawn by the learner on the plane, carried in the URL as a short string.
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

/// Most points a point string may hold.
pub const MAX_URL_POINTS: usize = 400;
/// The format character that starts every point string this build writes.
pub const POINTS_FORMAT: char = '1';
/// Half the side of the plane points live on: coordinates are clamped to `[-PLANE, PLANE]`.
const PLANE: f32 = super::PLANE_EXTENT;

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
    if let Some(&last) = values.last()
        && last & ((1 << pad) - 1) != 0
    {
        return Err(format!(
            "bad last character {} at position {}: its low {pad} bits are padding and must be zero",
            shown_char(payload.chars().last().unwrap_or('?')),
            len + 1
        ));
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

/// [`decode_points`], with the empty string meaning no points (the `pts` key's default).
pub fn decode_points_or_empty(s: &str) -> Result<Vec<Point>, String> {
    if s.is_empty() { Ok(Vec::new()) } else { decode_points(s) }
}

/// Number of points in a valid point string (0 for the empty string).
pub fn point_count(s: &str) -> usize {
    if s.len() < 2 { 0 } else { ((s.len() - 1) * 6) / 25 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_codes() {
        assert_eq!((payload_len(0), payload_len(1), payload_len(2), payload_len(400)), (0, 5, 9, 1667));
        assert_eq!((code(-1.5), code(1.5), code(f32::NAN), code(-100.0)), (0, MAX_CODE, 2048, 0));
        assert_eq!(coord(0), -1.5);
        assert_eq!(coord(MAX_CODE), 1.5);
    }
}
