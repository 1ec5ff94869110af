//! Numbers as the CBV 2.0 pre-hash string writes them.
//!
//! The reference implementation runs every value through a 64-bit float: a value that reads
//! as a float is printed back as an integer when it is whole (`200.0` → `200`, `1e20` →
//! `100000000000000000000`) and otherwise in Python's shortest round-trip form (`26.2`,
//! `1e-07`). Whole floats print their exact binary value, so a 30-digit numeric string comes
//! back changed in its last digits, and the event hash has to do the same to agree.
//!
//! This module only formats numbers and recognises text that Python's `float()` would accept.
//! It does not decide which values are numbers; [`super::canon`] does.

use std::fmt::Write as _;

/// The zero of every Unicode 14 decimal-digit block (general category `Nd`) outside ASCII.
///
/// Python's `float()` reads digits from all of these (`float("１２")` is `12.0`), so a value
/// written in full-width digits, common in Chinese text, must be recognised as a number too.
const UNICODE_DIGIT_ZEROS: &[u32] = &[
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// The value of `c` as a decimal digit, in any script Python's `float()` reads.
fn digit_value(c: char) -> Option<u8> {
    if c.is_ascii_digit() {
        return Some(c as u8 - b'0');
    }
    let code = c as u32;
    if code < 0x0660 {
        return None;
    }
    UNICODE_DIGIT_ZEROS
        .iter()
        .find(|zero| (**zero..**zero + 10).contains(&code))
        .map(|zero| (code - zero) as u8)
}

/// What Python's `float()` makes of `text` (already stripped of surrounding white space).
///
/// Accepts an optional sign, digits with single underscores between them, an optional
/// fraction and exponent, and `inf`, `infinity` and `nan` in any case. `ascii` is scratch
/// space for the ASCII spelling handed to Rust's parser, which rounds the same way (correctly).
pub(crate) fn parse_python_float(text: &str, ascii: &mut String) -> Option<f64> {
    ascii.clear();
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned.len() < text.len() {
        ascii.push_str(&text[..1]);
    }
    // Most values are identifiers and URIs; they fail on their first character.
    let first = unsigned.chars().next()?;
    if matches!(first, 'i' | 'I' | 'n' | 'N') {
        return parse_special(unsigned, ascii);
    }
    if first != '.' && digit_value(first).is_none() {
        return None;
    }
    let chars = unsigned.chars();
    let mut mantissa_digits = 0usize;
    // Where we are: 0 integer part, 1 fraction, 2 exponent (after its optional sign).
    let mut part = 0u8;
    let mut exponent_digits = 0usize;
    // Python allows an underscore only between two digits.
    let mut previous_was_digit = false;
    let mut pending_underscore = false;
    for c in chars {
        if let Some(value) = digit_value(c) {
            ascii.push(char::from(b'0' + value));
            if part == 2 {
                exponent_digits += 1;
            } else {
                mantissa_digits += 1;
            }
            previous_was_digit = true;
            pending_underscore = false;
            continue;
        }
        if pending_underscore {
            return None;
        }
        match c {
            '_' if previous_was_digit => {
                pending_underscore = true;
                previous_was_digit = false;
            }
            '.' if part == 0 => {
                ascii.push('.');
                part = 1;
                previous_was_digit = false;
            }
            'e' | 'E' if part < 2 && mantissa_digits > 0 => {
                ascii.push('e');
                part = 2;
                previous_was_digit = false;
            }
            // The exponent may carry its own sign, right after the `e`.
            '+' | '-' if part == 2 && exponent_digits == 0 && ascii.ends_with('e') => {
                ascii.push(c);
            }
            _ => return None,
        }
    }
    if pending_underscore || mantissa_digits == 0 || (part == 2 && exponent_digits == 0) {
        return None;
    }
    ascii.parse().ok()
}

/// Reads `inf`, `infinity` and `nan` in any case, after the sign already in `ascii`.
fn parse_special(unsigned: &str, ascii: &mut String) -> Option<f64> {
    if unsigned.eq_ignore_ascii_case("nan") {
        return Some(f64::NAN);
    }
    if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        ascii.push_str("inf");
        return ascii.parse().ok();
    }
    None
}

/// Appends `value` the way the reference prints a number it read: whole values as exact
/// integers, others as Python's `repr` of the float.
///
/// Not-a-number is printed as `nan`, and the infinities as `inf` and `-inf`; the reference
/// itself gives up on an event with an infinite value, so no agreement is possible there.
pub(crate) fn push_python_number(out: &mut String, value: f64) {
    if value.is_nan() {
        out.push_str("nan");
    } else if value.is_infinite() {
        out.push_str(if value < 0.0 { "-inf" } else { "inf" });
    } else if value.fract() == 0.0 {
        push_whole(out, value);
    } else {
        push_repr(out, value);
    }
}

/// Appends a whole, finite float as the exact integer it is (Python's `str(int(value))`).
fn push_whole(out: &mut String, value: f64) {
    if value.abs() < 1e18 {
        // Exact: every whole float below 2^63 converts to i64 without loss.
        push_integer(out, value as i64);
        return;
    }
    if value.abs() < 1e38 {
        let _ = write!(out, "{}", value as i128);
        return;
    }
    if value < 0.0 {
        out.push('-');
    }
    push_big_whole(out, value.abs());
}

/// Appends an integer in decimal without going through `fmt`, which is slow for this.
pub(crate) fn push_integer(out: &mut String, value: i64) {
    if value < 0 {
        out.push('-');
    }
    let mut magnitude = value.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    for digit in &digits[at..] {
        out.push(char::from(*digit));
    }
}

/// Appends a whole float of 2^127 or more in decimal, exactly, by multiplying its 53-bit
/// mantissa by its power of two in base 10^9.
fn push_big_whole(out: &mut String, value: f64) {
    const BASE: u64 = 1_000_000_000;
    let bits = value.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32 - 1075;
    let mantissa = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    // Little-endian limbs of 9 decimal digits each.
    let mut limbs: Vec<u64> = vec![
        mantissa % BASE,
        (mantissa / BASE) % BASE,
        mantissa / BASE / BASE,
    ];
    let mut remaining = exponent;
    while remaining > 0 {
        let shift = remaining.min(29);
        remaining -= shift;
        let mut carry = 0u64;
        for limb in limbs.iter_mut() {
            let product = (*limb << shift) + carry;
            *limb = product % BASE;
            carry = product / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut limbs = limbs.iter().rev();
    if let Some(first) = limbs.next() {
        let _ = write!(out, "{first}");
    }
    for limb in limbs {
        let _ = write!(out, "{limb:09}");
    }
}

/// Appends a finite, non-whole float as Python's `repr` does: the shortest digits that read
/// back to the same float, in positional form unless the decimal exponent is below -4, then
/// as `d.ddde-XX` with at least two exponent digits.
///
/// Rust's formatting finds the same shortest digits; only the layout differs. A non-whole
/// float is below 2^53, so Python's switch to exponent form for large values never applies.
fn push_repr(out: &mut String, value: f64) {
    if value.abs() >= 1e-4 {
        let _ = write!(out, "{value}");
        return;
    }
    let start = out.len();
    let _ = write!(out, "{value:e}");
    let Some(e_at) = out[start..].find('e').map(|at| start + at) else {
        return;
    };
    let exponent: i32 = out[e_at + 1..].parse().unwrap_or(0);
    out.truncate(e_at);
    let sign = if exponent < 0 { '-' } else { '+' };
    let _ = write!(out, "e{sign}{:02}", exponent.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(value: f64) -> String {
        let mut out = String::new();
        push_python_number(&mut out, value);
        out
    }

    fn parse(text: &str) -> Option<f64> {
        parse_python_float(text, &mut String::new())
    }

    #[test]
    fn whole_floats_print_as_integers() {
        assert_eq!(number(200.0), "200");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(26.0), "26");
        assert_eq!(number(1e20), "100000000000000000000");
        // Python: str(int(float("12345678901234567890"))).
        assert_eq!(number(12345678901234567890.0), "12345678901234567168");
        // Python: str(int(1e300)), the exact binary value.
        assert_eq!(
            number(1e300),
            "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160"
        );
        assert_eq!(number(-3e38), "-300000000000000012135895401846682943488");
    }

    #[test]
    fn fractions_print_like_python_repr() {
        assert_eq!(number(26.2), "26.2");
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(0.0001), "0.0001");
        assert_eq!(number(0.00012), "0.00012");
        assert_eq!(number(1e-5), "1e-05");
        assert_eq!(number(1e-7), "1e-07");
        assert_eq!(number(-1.5e-7), "-1.5e-07");
        assert_eq!(number(2.5e-300), "2.5e-300");
        assert_eq!(number(1234567890123456.8), "1234567890123456.8");
        assert_eq!(number(0.30000000000000004), "0.30000000000000004");
    }

    #[test]
    fn text_is_a_number_exactly_when_python_float_reads_it() {
        assert_eq!(parse("1.50"), Some(1.5));
        assert_eq!(parse("+3"), Some(3.0));
        assert_eq!(parse(".5"), Some(0.5));
        assert_eq!(parse("5."), Some(5.0));
        assert_eq!(parse("1_000"), Some(1000.0));
        assert_eq!(parse("1E5"), Some(100000.0));
        assert_eq!(parse("1e-5"), Some(1e-5));
        assert_eq!(parse("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse("NaN").is_some_and(f64::is_nan));
        assert_eq!(parse("１２"), Some(12.0));
        for not_a_number in [
            "", ".", "e5", "1e", "1_", "_1", "1__0", "1._5", "0x10", "1,5", "+-1", "1e+", "abc",
            "1.2.3", "++1", "infinit", "1 2",
        ] {
            assert_eq!(parse(not_a_number), None, "{not_a_number}");
        }
    }
}
