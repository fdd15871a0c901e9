//! How the report shows things: the names of rules and layers, the colour of every rule in the
//! figures, and the formatting of numbers, counts, epochs and dates in the text.

use plotters::style::RGBColor;

use np_playground::view::plot::PALETTE;

/// An accuracy in percent, one decimal.
pub fn pct(v: f64) -> String {
    format!("{v:.1}")
}

/// A difference in points, one decimal, with its sign.
pub fn signed(v: f64) -> String {
    format!("{v:+.1}")
}

/// An epoch count: whole numbers without a decimal point (`2`, `2.5`).
pub fn epoch_str(e: f64) -> String {
    if (e - e.round()).abs() < 1e-9 { format!("{}", e as i64) } else { format!("{e}") }
}

/// A count in words up to twelve ("one seed", "two at a time"), in digits above.
pub fn count_word(n: usize) -> String {
    const WORDS: [&str; 13] =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
    WORDS.get(n).map_or_else(|| n.to_string(), |w| w.to_string())
}

/// An ordinal in digits: `1st`, `2nd`, `3rd`, `8th`, `11th`, `22nd`.
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A whole number with thousands separators: `8,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Date `YYYY-MM-DD` (UTC) of Unix seconds.
pub fn date(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    format!("{y:04}-{m:02}-{d:02}")
}

/// A rule or method as the text names it: `danp` -> `DANP`.
pub fn upper(rule: &str) -> String {
    match rule {
        "fgw" => "FG-W".into(),
        "fga" => "FG-A".into(),
        _ => rule.to_uppercase(),
    }
}

/// Entry `i` of an alignment cell: the three layers, then all layers together.
pub fn layer_name(i: usize) -> &'static str {
    ["hidden 1", "hidden 2", "output", "all layers"][i]
}

/// One colour per family: a rule, its decorrelated version and its blind runs share it.
pub fn family_color(rule: &str) -> RGBColor {
    match rule.trim_start_matches('d').trim_end_matches("-blind") {
        "bp" => RGBColor(70, 70, 70),
        "np" => PALETTE[0],
        "inp" => PALETTE[2],
        "anp" => PALETTE[1],
        _ => PALETTE[5],
    }
}

/// The colour of an alignment method: its family's, except blind ANP's own.
pub fn method_color(m: &str) -> RGBColor {
    if m == "anp-blind" { PALETTE[4] } else { family_color(m) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_words_and_digits() {
        assert_eq!(count_word(1), "one");
        assert_eq!(count_word(8), "eight");
        assert_eq!(count_word(13), "13");
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(8), "8th");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(113), "113th");
        assert_eq!(thousands(80), "80");
        assert_eq!(thousands(8000), "8,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(epoch_str(2.0), "2");
        assert_eq!(epoch_str(2.5), "2.5");
        assert_eq!(date(0), "1970-01-01");
    }
}
