//! Canonical forms of single values in the pre-hash string: text, numbers, timestamps and
//! identifiers.
//!
//! The reference implementation passes every value through the same three steps, whatever
//! field it sits in: old CBV URNs become web URIs, text that reads as a float is printed back
//! as a number, and GS1 identifiers become canonical Digital Links. Timestamps of the
//! standard time fields are moved to UTC with exactly three fractional digits instead. This
//! module does those steps for one value at a time; where in the string a value goes, and
//! in what order, is [`super::writer`]'s business.

use crate::time::{EpcisTime, TimeZoneOffset};
use std::borrow::Cow;

use super::identifier;
use super::number::{parse_python_float, push_integer, push_python_number};

/// Scratch space reused from value to value, so that canonicalising allocates only when an
/// identifier has to be rewritten.
#[derive(Default, Debug)]
pub(crate) struct Scratch {
    /// The ASCII spelling of a number being parsed.
    number: String,
}

/// Strips what Python's `str.strip()` strips: Unicode white space plus the four ASCII
/// separators U+001C to U+001F, which Python counts as space and Rust does not.
pub(crate) fn python_strip(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// The old CBV 1.x URN prefixes the reference rewrites to CBV 2.0 web URIs, in its order.
///
/// Sensor components (`urn:epcglobal:cbv:comp:`) are deliberately missing: the reference does
/// not rewrite them, so a community URI in that namespace stays as written.
const CBV_URN_REWRITES: [(&str, &str); 5] = [
    (
        "urn:epcglobal:cbv:bizstep:",
        "https://ref.gs1.org/cbv/BizStep-",
    ),
    ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
];

/// Rewrites CBV 1.x URNs to web URIs wherever they occur in `text` (the reference replaces
/// substrings, not only prefixes).
fn rewrite_cbv_urns(text: &str) -> Cow<'_, str> {
    // Looking for a `v` first is much cheaper than looking for the whole prefix, and EPCs and
    // Digital Links, most of the values, rarely contain one.
    if !text.as_bytes().contains(&b'v') || !text.contains("urn:epcglobal:cbv:") {
        return Cow::Borrowed(text);
    }
    let mut rewritten = text.to_owned();
    for (urn, web) in CBV_URN_REWRITES {
        if rewritten.contains(urn) {
            rewritten = rewritten.replace(urn, web);
        }
    }
    Cow::Owned(rewritten)
}

/// Appends the canonical form of `text` and returns whether anything was appended.
///
/// The steps are the reference's, in its order: strip, rewrite CBV URNs, then either print
/// a number (text that Python's `float()` reads, other than NaN and infinities) or rewrite a
/// GS1 identifier to its canonical Digital Link. Anything else stays as written.
pub(crate) fn push_value(out: &mut String, scratch: &mut Scratch, text: &str) -> bool {
    let stripped = python_strip(text);
    if stripped.is_empty() {
        return false;
    }
    let text = rewrite_cbv_urns(stripped);
    if let Some(number) = parse_python_float(&text, &mut scratch.number)
        && number.is_finite()
    {
        push_python_number(out, number);
        return true;
    }
    if !identifier::push_canonical(out, &text) {
        out.push_str(&text);
    }
    true
}

/// Appends `name=value` with `value` in canonical form, or nothing when the value is empty.
///
/// This is how the reference writes a standard field: a field whose value is empty is left
/// out altogether.
pub(crate) fn push_field(out: &mut String, scratch: &mut Scratch, name: &str, text: &str) {
    let start = out.len();
    out.push_str(name);
    out.push('=');
    if !push_value(out, scratch, text) {
        out.truncate(start);
    }
}

/// Appends `name=value` for a number field.
pub(crate) fn push_number_field(out: &mut String, name: &str, value: f64) {
    out.push_str(name);
    out.push('=');
    push_python_number(out, value);
}

/// Appends `eventTimeZoneOffset=±HH:MM`.
///
/// The offset is written as the model prints it; the text of an offset can be neither a
/// number nor an identifier, so the value needs no other canonical form.
pub(crate) fn push_offset_field(out: &mut String, offset: TimeZoneOffset) {
    let seconds = offset.0.seconds();
    out.push_str("eventTimeZoneOffset=");
    out.push(if seconds < 0 { '-' } else { '+' });
    let seconds = i64::from(seconds.unsigned_abs());
    push_digits(out, seconds / 3600, 2);
    out.push(':');
    push_digits(out, (seconds % 3600) / 60, 2);
}

/// Appends `name=timestamp` with the instant in UTC at millisecond precision.
pub(crate) fn push_time_field(out: &mut String, name: &str, time: &EpcisTime) {
    out.push_str(name);
    out.push('=');
    push_timestamp(out, time);
}

/// Appends an instant as `YYYY-MM-DDTHH:MM:SS.mmmZ`, rounded the way the reference rounds.
///
/// The reference reads timestamps at microsecond precision, dropping any further digits, and
/// then rounds to milliseconds half to even (`.0005` → `.000`, `.0015` → `.002`). A value
/// that rounds up to a whole second (`.9995` or more) makes the reference give up on the
/// event; here the second is carried instead, which is what the instant means.
pub(crate) fn push_timestamp(out: &mut String, time: &EpcisTime) {
    let civil = jiff::tz::Offset::UTC.to_datetime(time.instant);
    let micros = civil.subsec_nanosecond() / 1000;
    let (mut millis, rest) = (micros / 1000, micros % 1000);
    if rest > 500 || (rest == 500 && millis % 2 == 1) {
        millis += 1;
    }
    let civil = if millis == 1000 {
        millis = 0;
        civil
            .checked_add(jiff::SignedDuration::from_secs(1))
            .unwrap_or(civil)
    } else {
        civil
    };
    push_digits(out, i64::from(civil.year()), 4);
    out.push('-');
    push_digits(out, i64::from(civil.month()), 2);
    out.push('-');
    push_digits(out, i64::from(civil.day()), 2);
    out.push('T');
    push_digits(out, i64::from(civil.hour()), 2);
    out.push(':');
    push_digits(out, i64::from(civil.minute()), 2);
    out.push(':');
    push_digits(out, i64::from(civil.second()), 2);
    out.push('.');
    push_digits(out, i64::from(millis), 3);
    out.push('Z');
}

/// Appends a non-negative number with at least `width` digits, zero-padded on the left (a
/// negative year keeps its sign in front of the padding).
fn push_digits(out: &mut String, value: i64, width: usize) {
    if value < 0 {
        out.push('-');
    }
    let magnitude = value.unsigned_abs();
    let mut n_digits = 1;
    let mut rest = magnitude / 10;
    while rest > 0 {
        n_digits += 1;
        rest /= 10;
    }
    for _ in n_digits..width {
        out.push('0');
    }
    push_integer(out, magnitude as i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> String {
        let mut out = String::new();
        push_value(&mut out, &mut Scratch::default(), text);
        out
    }

    fn timestamp(text: &str) -> String {
        let mut out = String::new();
        push_timestamp(&mut out, &EpcisTime::parse(text).unwrap());
        out
    }

    #[test]
    fn every_value_that_reads_as_a_float_is_printed_as_a_number() {
        assert_eq!(value(" 200.0 "), "200");
        assert_eq!(value("0123"), "123");
        assert_eq!(value("1e5"), "100000");
        assert_eq!(value("23.0"), "23");
        assert_eq!(value("0.1"), "0.1");
        assert_eq!(value("NaN"), "NaN");
        assert_eq!(value("f0f0f0"), "f0f0f0");
        assert_eq!(value("+08:00"), "+08:00");
    }

    #[test]
    fn old_cbv_urns_become_web_uris_anywhere_in_a_value() {
        assert_eq!(
            value("urn:epcglobal:cbv:bizstep:shipping"),
            "https://ref.gs1.org/cbv/BizStep-shipping"
        );
        assert_eq!(
            value("see urn:epcglobal:cbv:disp:active"),
            "see https://ref.gs1.org/cbv/Disp-active"
        );
        assert_eq!(
            value("urn:epcglobal:cbv:comp:x"),
            "urn:epcglobal:cbv:comp:x"
        );
    }

    #[test]
    fn white_space_only_is_no_value() {
        assert_eq!(value(" \t\u{1f}\u{3000}"), "");
        let mut out = String::from("x");
        push_field(&mut out, &mut Scratch::default(), "bizStep", "  ");
        assert_eq!(out, "x");
    }

    #[test]
    fn offsets_are_written_as_the_model_prints_them() {
        for text in ["+08:00", "-03:30", "+00:00", "-00:00", "+14:00", "Z"] {
            let offset = TimeZoneOffset::parse(text).unwrap();
            let mut out = String::new();
            push_offset_field(&mut out, offset);
            assert_eq!(out, format!("eventTimeZoneOffset={offset}"));
        }
    }

    #[test]
    fn timestamps_go_to_utc_with_three_digits_rounded_half_to_even() {
        assert_eq!(
            timestamp("2005-04-03T20:33:31.116000-06:00"),
            "2005-04-04T02:33:31.116Z"
        );
        assert_eq!(
            timestamp("2020-01-01T00:00:00Z"),
            "2020-01-01T00:00:00.000Z"
        );
        assert_eq!(
            timestamp("2020-01-01T00:00:00.0005Z"),
            "2020-01-01T00:00:00.000Z"
        );
        assert_eq!(
            timestamp("2020-01-01T00:00:00.0015Z"),
            "2020-01-01T00:00:00.002Z"
        );
        assert_eq!(
            timestamp("2020-01-01T00:00:00.0025Z"),
            "2020-01-01T00:00:00.002Z"
        );
        assert_eq!(
            timestamp("2020-01-01T00:00:00.00250099Z"),
            "2020-01-01T00:00:00.002Z"
        );
        assert_eq!(
            timestamp("2020-01-01T00:00:00.0025010Z"),
            "2020-01-01T00:00:00.003Z"
        );
        assert_eq!(
            timestamp("2020-01-01T00:00:00.1234567Z"),
            "2020-01-01T00:00:00.123Z"
        );
        assert_eq!(
            timestamp("2020-12-31T23:59:59.9996Z"),
            "2021-01-01T00:00:00.000Z"
        );
        assert_eq!(
            timestamp("0099-01-01T00:00:00+01:00"),
            "0098-12-31T23:00:00.000Z"
        );
    }
}
